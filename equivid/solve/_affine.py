"""Solver part: affine mechanisms (maps, families, flows) under a linear or affine ansatz.

For ``a(z) = Bz + c`` and a mechanism slice ``g(d)(A z + b)`` the condition
``a∘m = m∘a`` is linear in ``(B, c)`` (THEORY.md, "Affine mechanisms")::

    B A = A B        and   (A - I) c = (B - I) b      (a map's constant slice)
    B A_k = A_k B    and   A_k c = (B - I) b_k        (other family slices; flows)

Writing ``B = I + B'`` makes it homogeneous in ``(B', c)``: the solution set is
``id + N`` with ``N`` the kernel, and ``N`` is also the Lie algebra. ``B'`` lies in the
joint commutant of the ``A``'s (computed with the structural shortcuts of
:mod:`equivid.linalg`); the translation equations are then a small system.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy
from sympy.polys.matrices import DomainMatrix

from .. import linalg
from ..ansatz import Ansatz
from ..mechanisms import System
from ._forms import AffineForm, affine_forms
from ._result import AffineStructure

__all__ = ["AffinePart", "solve_affine_structure"]

Pair = tuple[sympy.ImmutableMatrix, sympy.ImmutableMatrix]


def _is_scalar(A: sympy.ImmutableMatrix) -> bool:
    return A.is_diagonal() and len(set(A.diagonal())) <= 1


def _commutant(forms: Sequence[AffineForm], n: int) -> list[sympy.ImmutableMatrix]:
    """A basis of the matrices commuting with every slice's linear part."""
    mats = []
    for form in forms:
        for s in form.slices:
            if not _is_scalar(s.A) and s.A not in mats:
                mats.append(s.A)
    if not mats:
        return [sympy.ImmutableMatrix(n, n, lambda i, j, k=k: int(i * n + j == k)) for k in range(n * n)]
    return [sympy.ImmutableMatrix(C.to_Matrix()) for C in linalg.commutant_basis([list(map(list, A.tolist())) for A in mats])]


def _translation_rows(
    forms: Sequence[AffineForm], basis: Sequence[sympy.ImmutableMatrix], translations: bool
) -> list[list[sympy.Expr]]:
    """Rows of ``(A - I) c - B' b = 0`` in the unknowns (x_1..x_r, c_1..c_n)."""
    rows = []
    for form in forms:
        for s in form.slices:
            shift = form.shift(s)
            if s.b.is_zero_matrix and (not translations or shift.is_zero_matrix):
                continue
            images = [C * s.b for C in basis]
            for i in range(s.A.rows):
                row = [-v[i] for v in images]
                if translations:
                    row += list(shift.row(i))
                rows.append(row)
    return rows


def _canonical(vectors: list[list[sympy.Expr]]) -> tuple[list[list[sympy.Expr]], list[int]]:
    """RREF of the spanning vectors: a canonical basis and its pivot positions."""
    if not vectors:
        return [], []
    matrix = DomainMatrix.from_list_sympy(len(vectors), len(vectors[0]), vectors)
    reduced, pivots = matrix.to_field().rref()
    rows = reduced.to_Matrix()
    return [list(rows.row(k)) for k in range(len(pivots))], list(pivots)


def solve_affine_structure(forms: Sequence[AffineForm], n: int, ansatz: Ansatz) -> AffineStructure:
    """The solution set of ``a∘m = m∘a`` for affine ``m`` and ``a`` in a linear/affine ansatz."""
    translations = ansatz.has_constant
    basis = _commutant(forms, n)
    rows = _translation_rows(forms, basis, translations)
    width = len(basis) + (n if translations else 0)
    if rows:
        kernel = linalg.nullspace(linalg.as_domain_matrix(rows))
    else:
        kernel = [[sympy.Integer(int(i == k)) for i in range(width)] for k in range(width)]
    vectors = []
    for x in kernel:
        B = sympy.zeros(n, n)
        for coefficient, C in zip(x, basis):
            if coefficient != 0:
                B += coefficient * C
        c = list(x[len(basis):]) if translations else [0] * n
        vectors.append(list(B) + c)
    reduced, pivots = _canonical(vectors)
    base = sympy.Matrix(list(sympy.eye(n)) + [0] * n)
    for vector, pivot in zip(reduced, pivots):
        if base[pivot] != 0:
            base -= base[pivot] * sympy.Matrix(vector)
    return AffineStructure(_pair(list(base), n), tuple(_pair(v, n) for v in reduced))


def _pair(vector: Sequence[sympy.Expr], n: int) -> Pair:
    B = sympy.ImmutableMatrix(n, n, list(vector[: n * n]))
    c = sympy.ImmutableMatrix(n, 1, list(vector[n * n:]))
    return B, c


class AffinePart:
    """Matches affine mechanisms with a linear or affine ansatz; solves at the group level."""

    name = "affine"

    def matches(self, system: System, ansatz: Ansatz) -> bool:
        return ansatz.kind in ("linear", "affine") and affine_forms(system) is not None

    def structure(self, system: System, ansatz: Ansatz) -> AffineStructure:
        forms = affine_forms(system)
        if forms is None:  # pragma: no cover - guarded by matches()
            raise ValueError("affine part run on a system that is not affine")
        return solve_affine_structure(forms, system.n, ansatz)
