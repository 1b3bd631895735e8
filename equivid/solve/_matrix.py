"""Exact matrices for the checks in matrix form: python-flint where rational, else sympy."""

from __future__ import annotations

from typing import Any

import flint
import sympy
from sympy.polys.domains import QQ

from ._verify import is_zero

__all__ = ["to_flint", "exact", "vanish"]


def to_flint(M: sympy.MatrixBase) -> flint.fmpq_mat | None:
    """A rational sympy matrix as a python-flint matrix (None if an entry is not rational)."""
    rep = getattr(M, "_rep", None)  # sympy keeps rational matrices over ZZ/QQ internally
    if rep is not None and (rep.domain.is_ZZ or rep.domain.is_QQ) and M.rows and M.cols:
        return rep.convert_to(QQ).to_dfm().rep
    entries = M.flat()
    if not all(e.is_Rational for e in entries):
        return None
    return flint.fmpq_mat(M.rows, M.cols, [flint.fmpq(int(e.p), int(e.q)) for e in entries])


def _sympy(M: flint.fmpq_mat) -> sympy.Matrix:
    return sympy.Matrix(M.nrows(), M.ncols(), [sympy.Rational(int(x.p), int(x.q)) for x in M.entries()])


def exact(M: sympy.MatrixBase) -> Any:
    """``M`` as a python-flint matrix when rational, else unchanged."""
    converted = to_flint(M)
    return M if converted is None else converted


def vanish(B: Any, c: Any, moved: Any, A: Any, shift: Any, b: Any) -> bool:
    """``BA - AB = 0`` and ``shift c - moved b = 0`` (python-flint or sympy matrices)."""
    if all(isinstance(m, flint.fmpq_mat) for m in (B, c, moved, A, shift, b)):
        return not any((B * A - A * B).entries()) and not any((shift * c - moved * b).entries())
    B, c, moved, A, shift, b = (m if isinstance(m, sympy.MatrixBase) else _sympy(m) for m in (B, c, moved, A, shift, b))
    residuals = list(B * A - A * B) + list(shift * c - moved * b)
    return all(is_zero(e) for e in residuals)
