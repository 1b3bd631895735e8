"""Recognise well-known groups from the structure of an affine solution set."""

from __future__ import annotations

from collections.abc import Sequence

import sympy

from . import linalg
from .mechanisms import System
from .solve import AffineStructure
from .solve._forms import affine_forms

__all__ = ["affine_name", "fixed_vectors"]


def _span_rank(mats: Sequence[sympy.MatrixBase]) -> int:
    if not mats:
        return 0
    return sympy.Matrix([list(M) for M in mats]).rank()


def _same_span(a: Sequence[sympy.MatrixBase], b: Sequence[sympy.MatrixBase]) -> bool:
    ra = _span_rank(a)
    return ra == _span_rank(b) == _span_rank(list(a) + list(b))


def _vector(v: Sequence[sympy.Expr]) -> str:
    return "(" + ", ".join(str(e) for e in v) + ")"


def fixed_vectors(linear_parts: Sequence[sympy.MatrixBase], n: int) -> list[list[sympy.Expr]]:
    """A basis of ``{v : B v = v for every B}``."""
    if not linear_parts:
        return [list(sympy.eye(n).row(k)) for k in range(n)]
    stacked = sympy.Matrix.vstack(*[sympy.Matrix(B) - sympy.eye(n) for B in linear_parts])
    return [list(v) for v in stacked.nullspace()]


def _linear_name(parts: Sequence[sympy.MatrixBase], n: int, structure: AffineStructure, system: System) -> str | None:
    """Name of a linear space of matrices that contains the identity."""
    dim = len(parts)
    if dim == n * n:
        return f"GL({n})"
    if dim == n and n > 1 and all(B.is_diagonal() for B in parts):
        return "diagonal scalings"
    if dim == 1:
        return "uniform scalings"
    J = sympy.Matrix([[0, -1], [1, 0]])
    if n == 2 and dim == 2 and _same_span(parts, [sympy.eye(2), J]):
        return "scaled rotations"
    names = structure.commutant_of
    if not names:
        return None
    if len(names) == 1:
        form = next(f for f in affine_forms(system) or [] if f.mechanism.name == names[0])
        A = next(s.A for s in form.slices if not s.A.is_diagonal() or len(set(s.A.diagonal())) > 1)
        kind = " (polynomials in it)" if dim == n and linalg.is_nonderogatory(A.tolist()) else ""
        return f"commutant of the linear part of {names[0]}{kind}"
    return "joint commutant of the linear parts of " + ", ".join(names)


def affine_name(structure: AffineStructure, system: System, translations_allowed: bool) -> str | None:
    """A recognised name for the solution set, or None.

    Names: trivial, translations, diagonal scalings, uniform scalings, scaled
    rotations, GL(n), affine group Aff(n), commutant of a matrix, and maps whose
    linear part fixes given vectors; ``... and translations R^n`` when the
    translations split off.
    """
    n = structure.n
    directions = structure.directions
    if not directions:
        return "trivial"
    B0, c0 = structure.base
    translations = [c for B, c in directions if B.is_zero_matrix]
    linear = [B for B, _ in directions if not B.is_zero_matrix]
    if not linear:
        k = len(translations)
        return f"translations R^{n}" if k == n else f"translations along a {k}-dimensional subspace"
    split = len(translations) == n or all(c.is_zero_matrix for _, c in directions)
    if not split or not c0.is_zero_matrix:
        return None
    suffix = f" and translations R^{n}" if len(translations) == n else ""
    if B0.is_zero_matrix:  # the identity is in the span: the linear parts form a vector space
        name = _linear_name(linear, n, structure, system)
        if name == f"GL({n})" and suffix:
            return f"affine group Aff({n})"
        return None if name is None else name + suffix
    fixed = fixed_vectors([B0] + [B0 + B for B in linear], n)
    if fixed and len(linear) == n * n - n * len(fixed):
        where = " and ".join(f"B{_vector(v)} = {_vector(v)}" for v in fixed)
        kind = "affine maps z -> Bz + c" if suffix else "linear maps z -> Bz"
        return f"{kind} with {where}"
    return None


def finite_linear_name(elements: Sequence[Sequence[sympy.Expr]], latents: Sequence[sympy.Symbol]) -> str | None:
    """Name a finite group of linear maps given by all its elements (identity included)."""
    from math import factorial

    n = len(latents)
    mats = [sympy.Matrix([[sympy.diff(e, z) for z in latents] for e in a]) for a in elements]
    if any(any(e.subs(dict.fromkeys(latents, 0)) != 0 for e in a) for a in elements):
        return None
    monomial = all(
        all(sum(1 for x in M.row(i) if x != 0) == 1 for i in range(n)) and all(x in (0, 1, -1) for x in M) for M in mats
    )
    count = len(set(map(lambda M: tuple(M), mats)))
    if count == 1:
        return "trivial"
    if not monomial:
        return None
    signed = any(x == -1 for M in mats for x in M)
    diagonal = all(M.is_diagonal() for M in mats)
    if signed and count == 2**n * factorial(n):
        return "signed permutations"
    if not signed and count == factorial(n):
        return "permutations"
    if diagonal and count == 2**n:
        return "sign flips"
    return None
