"""The class searched for the transformation ``a``: linear, affine, polynomial:D, finite.

Every answer names the class it searched: equivid never claims more than it looked at.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations_with_replacement

import sympy

from .errors import SpecError

__all__ = ["Ansatz", "monomials", "map_in_class"]

_PATTERN = re.compile(r"^\s*(linear|affine|finite|polynomial\s*:\s*(\d+)|polynomial\s*\(\s*(\d+)\s*\))\s*$")
_EXPECTED = "one of linear, affine, polynomial:D (D >= 1), finite"


@dataclass(frozen=True)
class Ansatz:
    """A class of maps ``a``: ``linear`` (``a(z) = Bz``), ``affine`` (``Bz + c``),
    ``polynomial`` of degree ``<= degree``, or ``finite`` (permutations of a finite set).

    Parameters
    ----------
    kind : {"linear", "affine", "polynomial", "finite"}
        The kind of map.
    degree : int, default 1
        The largest total degree of a component (1 for linear and affine maps).

    Raises
    ------
    SpecError
        If ``kind`` is not one of the four, or ``degree`` does not fit it.

    Examples
    --------
    >>> Ansatz.parse("polynomial:3")
    Ansatz(kind='polynomial', degree=3)
    >>> str(Ansatz.parse("affine"))
    'affine'
    >>> Ansatz.parse("quadratic")
    Traceback (most recent call last):
    ...
    equivid.errors.SpecError: ansatz: got 'quadratic', expected one of linear, affine, polynomial:D (D >= 1), finite
    """

    kind: str
    degree: int = 1

    def __post_init__(self) -> None:
        if self.kind not in ("linear", "affine", "polynomial", "finite"):
            raise SpecError("ansatz", self.kind, _EXPECTED)
        if self.kind in ("linear", "affine") and self.degree != 1:
            raise SpecError("ansatz", f"{self.kind} of degree {self.degree}", "degree 1 for linear/affine")
        if self.degree < 1:
            raise SpecError("ansatz", f"polynomial:{self.degree}", "a degree D >= 1")

    @classmethod
    def parse(cls, value: str | Ansatz | None, *, field: str = "ansatz", default: str = "affine") -> Ansatz:
        """Read ``"linear"``, ``"affine"``, ``"polynomial:D"`` or ``"finite"``.

        Parameters
        ----------
        value : str, Ansatz or None
            The class as text (``"polynomial(D)"`` is read too), an :class:`Ansatz`
            (returned as it is), or None for ``default``.
        field : str, default "ansatz"
            The name an error message gives the value.
        default : str, default "affine"
            The class read when ``value`` is None.

        Returns
        -------
        Ansatz
            The class; ``"polynomial:1"`` is read as ``affine``.

        Raises
        ------
        SpecError
            If ``value`` names no class.

        Examples
        --------
        >>> Ansatz.parse("polynomial(2)"), Ansatz.parse("polynomial:1")
        (Ansatz(kind='polynomial', degree=2), Ansatz(kind='affine', degree=1))
        >>> Ansatz.parse(None, default="linear")
        Ansatz(kind='linear', degree=1)
        """
        if isinstance(value, Ansatz):
            return value
        if value is None:
            value = default
        match = _PATTERN.match(value) if isinstance(value, str) else None
        if match is None:
            raise SpecError(field, value, _EXPECTED)
        word = match.group(1)
        if word.startswith("polynomial"):
            degree = int(match.group(2) or match.group(3))
            if degree < 1:
                raise SpecError(field, value, "a degree D >= 1")
            if degree == 1:
                return cls("affine")
            return cls("polynomial", degree)
        return cls(word)

    def __str__(self) -> str:
        return f"polynomial:{self.degree}" if self.kind == "polynomial" else self.kind

    @property
    def has_constant(self) -> bool:
        """Whether maps of this class may have a constant (translation) term."""
        return self.kind in ("affine", "polynomial")

    def describe(self) -> str:
        """A phrase for reports: 'linear maps z -> Bz' etc.

        Returns
        -------
        str
            The class in words.

        Examples
        --------
        >>> Ansatz("affine").describe()
        'affine maps z -> Bz + c'
        """
        return {
            "linear": "linear maps z -> Bz",
            "affine": "affine maps z -> Bz + c",
            "polynomial": f"polynomial maps of degree <= {self.degree}",
            "finite": "permutations of the finite state set",
        }[self.kind]

    def monomials(self, latents: Sequence[sympy.Symbol]) -> list[sympy.Expr]:
        """The monomials a component of ``a`` may use, constant first, by degree.

        Parameters
        ----------
        latents : sequence of sympy.Symbol
            The variables of the monomials.

        Returns
        -------
        list of sympy.Expr
            ``1`` (for a class with a constant term), then the monomials of degree 1, 2,
            ... up to the class's degree.

        Raises
        ------
        SpecError
            For the ``finite`` class, which has no monomials.

        Examples
        --------
        >>> z1, z2 = sympy.symbols("z1 z2")
        >>> Ansatz("linear").monomials([z1, z2])
        [z1, z2]
        >>> Ansatz("polynomial", 2).monomials([z1, z2])
        [1, z1, z2, z1**2, z1*z2, z2**2]
        """
        if self.kind == "finite":
            raise SpecError("ansatz", "finite", "a continuous class for continuous latents")
        return monomials(latents, self.degree, constant=self.has_constant)


def monomials(latents: Sequence[sympy.Symbol], degree: int, *, constant: bool = True) -> list[sympy.Expr]:
    """All monomials in ``latents`` of degree 1..degree (and 1 when ``constant``)."""
    out: list[sympy.Expr] = [sympy.Integer(1)] if constant else []
    for d in range(1, degree + 1):
        out.extend(sympy.Mul(*combo) for combo in combinations_with_replacement(latents, d))
    return out


def map_in_class(components: Sequence[sympy.Expr], latents: Sequence[sympy.Symbol], ansatz: Ansatz) -> bool:
    """Whether ``components`` is a map of the class ``ansatz`` (polynomial of the class's
    degree, constant coefficients, no constant term for a linear class)."""
    degree = 1 if ansatz.kind in ("linear", "affine") else ansatz.degree
    for e in components:
        try:
            poly = sympy.Poly(e, *latents)
        except sympy.PolynomialError:
            return False
        if poly.total_degree() > degree or any(c.free_symbols for c in poly.coeffs()):
            return False
        if ansatz.kind == "linear" and poly.coeff_monomial(1) != 0:
            return False
    return True
