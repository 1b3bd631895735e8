"""Affine forms of mechanisms: ``m(z) = sum_k g_k(d) (A_k z + b_k)``.

A mechanism is *affine* when every component has degree <= 1 in the latents. For a
family (symbols ``d`` quantified over all reals) the coefficients may depend on ``d``;
they are split along the distinct functions ``g_k(d)`` (``1``, ``d1``, ``cos(theta)``,
...), which must be linearly independent as functions for "for all d" to mean "for
every slice k". The independence is checked numerically at random points; where it
fails the system is refused rather than answered wrongly.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import flint
import numpy as np
import sympy

from ..errors import UnsupportedMechanismError
from ..mechanisms import Mechanism, System
from ._matrix import MATRIX_CHECK_ABOVE, from_flint

__all__ = ["Slice", "AffineForm", "affine_form", "affine_forms", "split_family", "affine_coefficients"]


@dataclass(frozen=True)
class Slice:
    """One slice ``g(d) * (A z + b)`` of an affine mechanism."""

    factor: sympy.Expr
    A: sympy.ImmutableMatrix
    b: sympy.ImmutableMatrix

    @property
    def is_constant(self) -> bool:
        return self.factor == 1


@dataclass(frozen=True)
class AffineForm:
    """A mechanism as slices; ``kind`` is ``"map"`` or ``"flow"``."""

    mechanism: Mechanism
    slices: tuple[Slice, ...]

    @property
    def kind(self) -> str:
        return self.mechanism.kind

    def shift(self, s: Slice) -> sympy.ImmutableMatrix:
        """The matrix multiplying the translation ``c``: ``A - I`` for a map's constant slice."""
        if self.kind == "map" and s.is_constant:
            return s.A - sympy.eye(s.A.rows)
        return s.A


def affine_coefficients(component: sympy.Expr, latents: Sequence[sympy.Symbol]) -> list[sympy.Expr] | None:
    """[c_1, ..., c_n, c_0] with component = sum c_j z_j + c_0, or None if not affine."""
    n = len(latents)
    if not component.has(*latents):
        return [sympy.Integer(0)] * n + [component]
    index = {z: j for j, z in enumerate(latents)}
    row = [sympy.Integer(0)] * (n + 1)
    for term in sympy.Add.make_args(component):  # fast path: numeric coefficient * latent
        coefficient, rest = term.as_coeff_Mul()
        if rest in index:
            row[index[rest]] += coefficient
        elif not rest.has(*latents):
            row[n] += term
        else:
            return _coefficients_poly(component, latents)
    return row


def _coefficients_poly(component: sympy.Expr, latents: Sequence[sympy.Symbol]) -> list[sympy.Expr] | None:
    try:
        poly = sympy.Poly(component, *latents)
    except sympy.PolynomialError:
        return None
    if poly.total_degree() > 1 or any(c.has(*latents) for c in poly.coeffs()):
        return None
    ones = [tuple(int(i == j) for i in range(len(latents))) for j in range(len(latents))]
    return [poly.coeff_monomial(m) for m in ones] + [poly.coeff_monomial(1)]


def split_family(coefficient: sympy.Expr, families: Sequence[sympy.Symbol]) -> dict[sympy.Expr, sympy.Expr]:
    """Split a coefficient along the functions of the family symbols it contains."""
    if not families or not coefficient.has(*families):
        return {sympy.Integer(1): coefficient} if coefficient != 0 else {}
    out: dict[sympy.Expr, sympy.Expr] = {}
    for term in sympy.Add.make_args(sympy.expand(coefficient)):
        constant, factor = term.as_independent(*families, as_Add=False)
        out[factor] = out.get(factor, sympy.Integer(0)) + constant
    return {k: v for k, v in out.items() if v != 0}


def affine_form(mechanism: Mechanism, system: System) -> AffineForm | None:
    """The slices of an affine mechanism, or None when it is not affine in the latents.

    Examples
    --------
    >>> system = System.from_maps(["z1", "z2"], {"shift": ["z1 + d", "z2"]}, families=["d"])
    >>> form = affine_form(system.mechanisms[0], system)
    >>> [s.factor for s in form.slices]
    [1, d]
    >>> form.slices[1].b.T
    Matrix([[1, 0]])
    """
    n = system.n
    rows = []
    for component in mechanism.components:
        coefficients = affine_coefficients(component, system.latents)
        if coefficients is None:
            return None
        rows.append(coefficients)
    if not system.families and n > MATRIX_CHECK_ABOVE and all(c.is_Rational for row in rows for c in row):
        # one slice, kept in python-flint (no sympy matrix of n**2 numbers built)
        entries = [[flint.fmpq(int(c.p), int(c.q)) for c in row] for row in rows]
        A = from_flint(flint.fmpq_mat(n, n, [x for row in entries for x in row[:n]]), copy=False)
        b = from_flint(flint.fmpq_mat(n, 1, [row[n] for row in entries]), copy=False)
        return AffineForm(mechanism, (Slice(sympy.Integer(1), A, b),))
    pieces: dict[sympy.Expr, list[list[sympy.Expr]]] = {sympy.Integer(1): _zeros(n)}
    for i, row in enumerate(rows):
        for j, coefficient in enumerate(row):
            for factor, value in split_family(coefficient, system.families).items():
                if factor not in pieces:  # (not setdefault: it would build an n x n table per entry)
                    pieces[factor] = _zeros(n)
                pieces[factor][i][j] = value
    factors = list(pieces)
    _check_independent(factors, system.families, mechanism)
    slices = []
    for factor in factors:
        table = pieces[factor]
        A = sympy.ImmutableMatrix([r[:n] for r in table])
        b = sympy.ImmutableMatrix([r[n] for r in table])
        slices.append(Slice(factor, A, b))
    return AffineForm(mechanism, tuple(slices))


def _zeros(n: int) -> list[list[sympy.Expr]]:
    return [[sympy.Integer(0)] * (n + 1) for _ in range(n)]


def _check_independent(factors: list[sympy.Expr], families: Sequence[sympy.Symbol], mechanism: Mechanism) -> None:
    if len(factors) <= 1:
        return
    rng = np.random.default_rng(20221015)
    points = rng.uniform(-2.0, 2.0, size=(2 * len(factors) + 3, len(families)))
    funcs = sympy.lambdify(list(families), factors, modules="numpy")
    values = np.array([np.asarray(funcs(*p), dtype=float) for p in points])
    if not np.all(np.isfinite(values)) or np.linalg.matrix_rank(values) < len(factors):
        raise UnsupportedMechanismError(
            f"mechanisms.{mechanism.name}: the family coefficients {', '.join(map(str, factors))} "
            "are linearly dependent functions of the family symbols; rewrite the family "
            "with independent terms (e.g. expand products of sin and cos)"
        )


#: The forms of the systems still alive, by identity (a System is immutable): the solver part,
#: the check and the naming each ask for them, and reading a 40-latent map's coefficients
#: is most of a solve's sympy work.
_FORMS: dict[int, tuple[weakref.ref[System], list[AffineForm] | None]] = {}


def affine_forms(system: System) -> list[AffineForm] | None:
    """Affine forms of all mechanisms, or None if one of them is not affine (computed once
    per system: the result is shared, and must not be changed by the caller)."""
    kept = _FORMS.get(id(system))
    if kept is not None and kept[0]() is system:
        return kept[1]
    forms = _affine_forms(system)
    key = id(system)

    def forget(_: object) -> None:
        _FORMS.pop(key, None)

    _FORMS[key] = (weakref.ref(system, forget), forms)
    return forms


def _affine_forms(system: System) -> list[AffineForm] | None:
    forms = []
    for mechanism in system.mechanisms:
        form = affine_form(mechanism, system)
        if form is None:
            return None
        forms.append(form)
    return forms

