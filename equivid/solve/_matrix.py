"""Exact matrices for the checks in matrix form: python-flint where rational, else sympy."""

from __future__ import annotations

from typing import Any

import flint
import sympy
from sympy.polys.domains import QQ, ZZ

from ._verify import is_zero

__all__ = ["MATRIX_CHECK_ABOVE", "FrozenMatrix", "from_flint", "to_flint", "exact", "vanish"]

#: Above this many latents affine answers are checked in matrix form, their matrices are kept
#: over QQ (:class:`FrozenMatrix`) and their sympy maps are built only when asked for.
MATRIX_CHECK_ABOVE = 8


class FrozenMatrix(sympy.MutableDenseMatrix):
    """A sympy matrix that keeps its rational entries in sympy's internal QQ representation
    (python-flint numbers), with no sympy number built per entry, and refuses item
    assignment: the matrices of a large affine answer. An ``ImmutableMatrix`` would build a
    sympy number for each of the hundreds of thousands of entries of a 40-latent answer.

    Examples
    --------
    >>> import flint
    >>> M = from_flint(flint.fmpq_mat(2, 2, [1, 2, 3, 4]), frozen=True)
    >>> type(M).__name__, M == sympy.Matrix([[1, 2], [3, 4]]), hash(M) == hash(from_flint(to_flint(M), frozen=True))
    ('FrozenMatrix', True, True)
    >>> M[0, 0] = 5
    Traceback (most recent call last):
    ...
    TypeError: a FrozenMatrix does not support item assignment
    """

    _flint: flint.fmpq_mat | None = None

    def __setitem__(self, key: Any, value: Any) -> None:
        raise TypeError("a FrozenMatrix does not support item assignment")

    def __hash__(self) -> int:  # type: ignore[override]
        return hash((self.shape, tuple(self._rep.to_list_flat())))


def from_flint(M: flint.fmpq_mat, *, frozen: bool | None = None) -> sympy.MatrixBase:
    """A rational python-flint matrix in sympy: a :class:`FrozenMatrix` (entries kept over QQ)
    when ``frozen`` or, by default, above :data:`MATRIX_CHECK_ABOVE` rows; an
    ``ImmutableMatrix`` otherwise."""
    from sympy.polys.matrices import DomainMatrix

    n, m = M.nrows(), M.ncols()
    if frozen is None:
        frozen = n > MATRIX_CHECK_ABOVE
    if frozen and n and m:
        from sympy.polys.matrices._dfm import DFM

        numerators, denominator = M.numer_denom()
        if denominator == 1:  # sympy's own convention (ZZ for integer entries): equal matrices compare equal
            rep = DomainMatrix.from_rep(DFM(numerators, (n, m), ZZ)).to_sparse()
        else:
            rep = DomainMatrix.from_rep(DFM(flint.fmpq_mat(M), (n, m), QQ)).to_sparse()  # sparse, as sympy keeps them
        out = FrozenMatrix._fromrep(rep)
        out._flint = flint.fmpq_mat(M)  # read back by to_flint (a copy each time: flint matrices are mutable)
        return out
    return sympy.ImmutableMatrix(n, m, [sympy.Integer(int(x.p)) if x.q == 1 else sympy.Rational(int(x.p), int(x.q))
                                        for x in M.entries()])


def to_flint(M: sympy.MatrixBase) -> flint.fmpq_mat | None:
    """A rational sympy matrix as a python-flint matrix (None if an entry is not rational)."""
    kept = getattr(M, "_flint", None)  # a FrozenMatrix made from a flint matrix
    if kept is not None:
        return flint.fmpq_mat(kept)
    rep = getattr(M, "_rep", None)  # sympy keeps rational matrices over ZZ/QQ internally
    if rep is not None and (rep.domain.is_ZZ or rep.domain.is_QQ) and M.rows and M.cols:
        return rep.convert_to(QQ).to_dfm().rep
    entries = M.flat()
    if not all(e.is_Rational for e in entries):
        return None
    return flint.fmpq_mat(M.rows, M.cols, [flint.fmpq(int(e.p), int(e.q)) for e in entries])


def exact(M: sympy.MatrixBase) -> Any:
    """``M`` as a python-flint matrix when rational, else unchanged."""
    converted = to_flint(M)
    return M if converted is None else converted


def vanish(B: Any, c: Any, moved: Any, A: Any, shift: Any, b: Any) -> bool:
    """``BA - AB = 0`` and ``shift c - moved b = 0`` (python-flint or sympy matrices)."""
    if all(isinstance(m, flint.fmpq_mat) for m in (B, c, moved, A, shift, b)):
        return not any((B * A - A * B).entries()) and not any((shift * c - moved * b).entries())
    B, c, moved, A, shift, b = (m if isinstance(m, sympy.MatrixBase) else from_flint(m, frozen=False) for m in (B, c, moved, A, shift, b))
    residuals = list(B * A - A * B) + list(shift * c - moved * b)
    return all(is_zero(e) for e in residuals)
