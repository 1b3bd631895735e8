"""Exact matrices for the checks in matrix form: python-flint where rational, else sympy."""

from __future__ import annotations

from typing import Any

import flint
import sympy
from sympy.polys.domains import QQ, ZZ

from ._verify import is_zero

__all__ = ["MATRIX_CHECK_ABOVE", "FrozenMatrix", "from_flint", "to_flint", "exact", "vanish", "rational_rep"]

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
    _built: Any = None

    @property  # type: ignore[override]
    def _rep(self) -> Any:  # sympy's representation, built from the flint matrix when first read
        if self._built is None and self._flint is not None:
            self._built = _domain_matrix(self._flint)
        return self._built

    @_rep.setter
    def _rep(self, rep: Any) -> None:
        self._built = rep

    @classmethod
    def _of_flint(cls, M: flint.fmpq_mat, copy: bool = True) -> FrozenMatrix:
        out = object.__new__(cls)
        out.rows, out.cols = M.nrows(), M.ncols()
        out._flint = flint.fmpq_mat(M) if copy else M  # read back by to_flint (a copy each time: flint matrices are mutable)
        return out

    @property
    def is_zero_matrix(self) -> bool | None:  # type: ignore[override]
        if self._flint is not None:  # compared in flint (no matrix of numerators built)
            return bool(self._flint == flint.fmpq_mat(self.rows, self.cols))
        return super().is_zero_matrix

    def is_diagonal(self) -> bool:  # type: ignore[override]
        if self._flint is not None:  # read in flint: the numerators' matrix says (no sympy entries built)
            return bool(self._flint.numer_denom()[0].is_diagonal())
        return bool(super().is_diagonal())

    def __setitem__(self, key: Any, value: Any) -> None:
        raise TypeError("a FrozenMatrix does not support item assignment")

    def __hash__(self) -> int:  # type: ignore[override]
        if self._flint is not None:
            return hash((self.shape, tuple(self._flint.entries())))
        return hash((self.shape, tuple(self._rep.to_list_flat())))


def _domain_matrix(M: flint.fmpq_mat) -> Any:
    """``M`` as sympy keeps a rational matrix: sparse, over ZZ when integral (so that equal
    matrices compare equal), else over QQ."""
    from sympy.polys.matrices import DomainMatrix
    from sympy.polys.matrices._dfm import DFM

    n, m = M.nrows(), M.ncols()
    numerators, denominator = M.numer_denom()
    if denominator == 1:
        return DomainMatrix.from_rep(DFM(numerators, (n, m), ZZ)).to_sparse()
    return DomainMatrix.from_rep(DFM(flint.fmpq_mat(M), (n, m), QQ)).to_sparse()


def from_flint(M: flint.fmpq_mat, *, frozen: bool | None = None, copy: bool = True) -> sympy.MatrixBase:
    """A rational python-flint matrix in sympy: a :class:`FrozenMatrix` (entries kept over QQ)
    when ``frozen`` or, by default, above :data:`MATRIX_CHECK_ABOVE` rows; an
    ``ImmutableMatrix`` otherwise. ``copy=False`` hands ``M`` itself to the FrozenMatrix, for
    a caller that made ``M`` and will not change it."""
    n, m = M.nrows(), M.ncols()
    if frozen is None:
        frozen = n > MATRIX_CHECK_ABOVE
    if frozen and n and m:
        return FrozenMatrix._of_flint(M, copy)  # sympy's representation is built only when read
    return sympy.ImmutableMatrix(n, m, [sympy.Integer(int(x.p)) if x.q == 1 else sympy.Rational(int(x.p), int(x.q))
                                        for x in M.entries()])


def to_flint(M: sympy.MatrixBase, *, copy: bool = True) -> flint.fmpq_mat | None:
    """A rational sympy matrix as a python-flint matrix (None if an entry is not rational).

    ``copy=False`` may return the matrix a :class:`FrozenMatrix` keeps, for a caller that
    only reads it (python-flint matrices are mutable: such a caller must not assign entries)."""
    kept = getattr(M, "_flint", None)  # a FrozenMatrix made from a flint matrix
    if kept is not None:
        return flint.fmpq_mat(kept) if copy else kept
    rep = getattr(M, "_rep", None)  # sympy keeps rational matrices over ZZ/QQ internally
    if rep is not None and rep.domain.is_ZZ and M.rows and M.cols:
        return flint.fmpq_mat(rep.to_dfm().rep)  # integer entries: no conversion per entry
    if rep is not None and rep.domain.is_QQ and M.rows and M.cols:
        return flint.fmpq_mat(rep.to_dfm().rep)
    entries = M.flat()
    if not all(e.is_Rational for e in entries):
        return None
    return flint.fmpq_mat(M.rows, M.cols, [flint.fmpq(int(e.p), int(e.q)) for e in entries])


def rational_rep(M: sympy.MatrixBase) -> Any:
    """``M`` for :mod:`equivid.linalg`: sympy's own DomainMatrix where its entries are integers
    or rationals (no sympy number read per entry), else the nested list of entries."""
    rep = getattr(M, "_rep", None)
    if rep is not None and (rep.domain.is_ZZ or rep.domain.is_QQ):
        return rep
    return M.tolist()


def exact(M: sympy.MatrixBase) -> Any:
    """``M`` as a python-flint matrix when rational, else unchanged (to read, not to change:
    it may be the matrix a :class:`FrozenMatrix` keeps)."""
    converted = to_flint(M, copy=False)
    return M if converted is None else converted


def vanish(B: Any, c: Any, moved: Any, A: Any, shift: Any, b: Any) -> bool:
    """``BA - AB = 0`` and ``shift c - moved b = 0`` (python-flint or sympy matrices)."""
    if all(isinstance(m, flint.fmpq_mat) for m in (B, c, moved, A, shift, b)):
        # B A = A B iff (dB)(eA) = (eA)(dB) for the common denominators d, e: integer products
        Bn, An = B.numer_denom()[0], A.numer_denom()[0]
        return bool(Bn * An == An * Bn) and bool(shift * c == moved * b)
    B, c, moved, A, shift, b = (m if isinstance(m, sympy.MatrixBase) else from_flint(m, frozen=False) for m in (B, c, moved, A, shift, b))
    residuals = list(B * A - A * B) + list(shift * c - moved * b)
    return all(is_zero(e) for e in residuals)
