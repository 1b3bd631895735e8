"""Exact linear algebra for the solver: nullspaces, ranks and commutants.

Matrices are sympy :class:`~sympy.polys.matrices.DomainMatrix` objects over the
smallest exact domain that holds the entries: ``QQ``, an algebraic field such as
``QQ<sqrt(2)>``, or a polynomial/fraction field such as ``QQ[cos(1)]``. Over ``QQ``
the heavy work runs in python-flint: pivots are found modulo a 62-bit prime
(``nmod_mat``), the square nonsingular subsystem on those pivots is solved exactly
(p-adic Dixon lifting), and the answer is checked by ``M x = 0`` in exact integer
arithmetic before it is returned; a failed check falls back to the exact
fraction-free RREF. Other domains use sympy's exact (sparse) RREF.

Transcendental generators such as ``cos(1)`` are treated as independent
indeterminates; :func:`nullspace_checked` cross-checks the exact rank against a
high-precision numeric rank, because hidden relations (``sin(1)**2 + cos(1)**2 = 1``)
would make the exact answer wrong.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import flint
import sympy
from sympy.polys.constructor import construct_domain
from sympy.polys.domains import QQ, ZZ
from sympy.polys.matrices import DomainMatrix
from sympy.polys.polyerrors import CoercionFailed
from sympy.polys.polyutils import parallel_dict_from_expr

from equivid.errors import SpecError, UnsupportedMechanismError, VerificationError

__all__ = [
    "as_domain_matrix",
    "nullspace",
    "nullspace_checked",
    "rank",
    "numeric_rank",
    "is_nonderogatory",
    "cyclic_vector",
    "powers",
    "power_chain",
    "commutant_system",
    "commutant_basis",
    "kernel_rows",
    "pivot_columns",
    "primary_decomposition",
    "primary_basis",
    "diagonal_block",
    "embedded",
]

MatrixLike: TypeAlias = DomainMatrix | Sequence[Sequence[Any]] | Mapping[tuple[int, int], Any]

#: A 62-bit prime for the modular pivot search (a wrong guess is caught by the check).
_PRIME = 4611686018427387847
#: Matrices with at most this many entries skip the modular path: flint's fraction-free
#: RREF is faster up to about 1000 x 1000 (commutant systems: 2.6 s vs 3.1 s at 676^2,
#: 9.7 s vs 11.7 s at 1024^2) and much slower beyond (196 s vs 52-78 s at 1600^2).
_SMALL = 1_500_000
#: Matrices with more entries than this and density below _SPARSE_DENSITY are stored sparse.
_SPARSE_SIZE = 10_000
_SPARSE_DENSITY = 0.15
#: Below this density (matrices above _SPARSE_SIZE entries), sympy's sparse exact RREF (little
#: fill-in) beats dense flint: Lie systems of the quadratic chain (0.1-0.2 % dense) take 0.01 s
#: sparse against 1.1 s dense at 1863 x 660 (benchmarks/bench_lie.py).
_VERY_SPARSE = 0.01
#: Seeds for the fixed Krylov start vectors of :func:`is_nonderogatory`.
_KRYLOV_SEEDS = (1, 2, 3)


# --------------------------------------------------------------------------- input


def as_domain_matrix(rows: MatrixLike, *, shape: tuple[int, int] | None = None) -> DomainMatrix:
    """Return ``rows`` as an exact DomainMatrix over the smallest domain holding them.

    Parameters
    ----------
    rows : list of lists, dict or DomainMatrix
        The entries: a list of equal-length rows of sympy numbers (``Rational``,
        ``int``, ``sqrt(2)``, ``cos(1)``, ...), or a dict ``{(i, j): value}`` of the
        nonzero entries together with ``shape``. A DomainMatrix is returned with its
        integer domain widened to ``QQ``.
    shape : tuple of int, optional
        ``(nrows, ncols)``; required for dict input.

    Returns
    -------
    DomainMatrix
        Over ``QQ`` when every entry is rational, otherwise over the algebraic field
        or polynomial/fraction field that sympy's ``construct_domain`` picks. Large
        sparse matrices are stored in the sparse (SDM) format, others dense (flint
        DFM over ``QQ``).

    Examples
    --------
    >>> from sympy import Rational, sqrt
    >>> as_domain_matrix([[1, Rational(1, 2)], [0, 3]])
    DomainMatrix([[1, 1/2], [0, 3]], (2, 2), QQ)
    >>> as_domain_matrix([[sqrt(2), 1]]).domain
    QQ<sqrt(2)>
    >>> as_domain_matrix({(0, 1): 5}, shape=(2, 2)).to_Matrix()
    Matrix([
    [0, 5],
    [0, 0]])
    """
    if isinstance(rows, DomainMatrix):
        if not rows.domain.is_ZZ:
            return rows
        if rows.shape[0] * rows.shape[1] <= _SPARSE_SIZE:  # through flint: no conversion per entry
            return rows.to_dense().convert_to(QQ)
        return rows.convert_to(QQ)
    entries, shape = _entries(rows, shape)
    keys = list(entries)
    domain, values = _pick_domain([entries[k] for k in keys])
    sdm: dict[int, dict[int, Any]] = {}
    for (i, j), value in zip(keys, values):
        if value:
            sdm.setdefault(i, {})[j] = value
    matrix = DomainMatrix(sdm, shape, domain)
    return _pick_format(matrix, len(keys))


def _entries(
    rows: MatrixLike, shape: tuple[int, int] | None
) -> tuple[dict[tuple[int, int], Any], tuple[int, int]]:
    """Nonzero entries as a dict and the shape, with the input validated."""
    if isinstance(rows, Mapping):
        if shape is None:
            raise SpecError("shape", shape, "(nrows, ncols) for dict input")
        bad = [k for k in rows if not (0 <= k[0] < shape[0] and 0 <= k[1] < shape[1])]
        if bad:
            raise SpecError("rows", bad[0], f"an index inside shape {shape}")
        return {k: sympy.sympify(v) for k, v in rows.items() if v != 0}, shape
    if isinstance(rows, sympy.MatrixBase):
        rows = rows.tolist()
    rows = [list(r) for r in rows]
    ncols = len(rows[0]) if rows else 0
    if any(len(r) != ncols for r in rows):
        raise SpecError("rows", [len(r) for r in rows], "rows of equal length")
    if shape is not None and shape != (len(rows), ncols):
        raise SpecError("shape", shape, f"the shape of rows, {(len(rows), ncols)}")
    entries = {(i, j): sympy.sympify(v) for i, r in enumerate(rows) for j, v in enumerate(r)}
    return {k: v for k, v in entries.items() if v != 0}, (len(rows), ncols)


def _pick_domain(values: list[sympy.Expr]) -> tuple[Any, list[Any]]:
    """The smallest exact domain for ``values`` and the values converted into it."""
    if not values:
        return QQ, []
    domain, converted = construct_domain(values, extension=True)
    if domain.is_ZZ:
        return QQ, [QQ.convert_from(v, domain) for v in converted]
    if (domain.is_PolynomialRing or domain.is_FractionField) and domain.domain.is_ZZ:
        make = QQ.poly_ring if domain.is_PolynomialRing else QQ.frac_field
        wider = make(*domain.symbols)
        return wider, [wider.convert_from(v, domain) for v in converted]
    if not domain.is_EX and not domain.is_EXRAW:
        return domain, converted
    return _mixed_domain(values)


def _mixed_domain(values: list[sympy.Expr]) -> tuple[Any, list[Any]]:
    """``QQ<algebraic>[transcendental]`` (or its fraction field) for mixed entries."""
    _, gens = parallel_dict_from_expr(values)
    algebraic = [g for g in gens if g.is_algebraic]
    others = [g.base if g.is_Pow and g.exp.is_negative else g for g in gens]
    transcendental = list(dict.fromkeys(g for g in others if not g.is_algebraic))
    ground = QQ.algebraic_field(*algebraic) if algebraic else QQ
    for make in (ground.poly_ring, ground.frac_field):
        domain = make(*transcendental)
        try:
            return domain, [domain.from_sympy(v) for v in values]
        except CoercionFailed:
            continue
    raise UnsupportedMechanismError(f"no exact domain holds the entries {values[:3]}")


def _pick_format(matrix: DomainMatrix, nnz: int) -> DomainMatrix:
    """Sparse for large sparse matrices, dense (flint DFM over QQ) otherwise."""
    m, n = matrix.shape
    if m * n > _SPARSE_SIZE and nnz < _SPARSE_DENSITY * m * n:
        return matrix.to_sparse()
    return matrix.to_dense()


# ---------------------------------------------------------------- QQ via flint


def _integer_rows(M: DomainMatrix) -> list[list[int]]:
    """Rows of a QQ matrix, each scaled by the lcm of its denominators, as ints."""
    m, n = M.shape
    out = [[0] * n for _ in range(m)]
    for i, row in M.rep.to_sdm().items():
        den = 1
        for v in row.values():
            den = math.lcm(den, int(QQ.denom(v)))
        for j, v in row.items():
            out[i][j] = int(QQ.numer(v)) * (den // int(QQ.denom(v)))
    return out


def pivot_columns(R: Any, r: int) -> list[int]:
    """Pivot columns of an RREF ``R`` of rank ``r`` (any python-flint matrix)."""
    pivots, j = [], 0
    for i in range(r):
        while R[i, j] == 0:
            j += 1
        pivots.append(j)
        j += 1
    return pivots


def _mod_p_rref(rows: list[list[int]], ncols: int) -> tuple[Any, int]:
    flat = [v for r in rows for v in r]
    return flint.nmod_mat(len(rows), ncols, flat, _PRIME).rref()


def _kernel_from_rref(R: Any, den: Any, r: int, n: int) -> flint.fmpq_mat:
    """Reduced kernel basis (rows) from an integer RREF ``R / den`` of rank ``r``."""
    pivots = pivot_columns(R, r)
    pivots_set = set(pivots)
    free = [j for j in range(n) if j not in pivots_set]
    K = flint.fmpq_mat(len(free), n)
    for t, f in enumerate(free):
        K[t, f] = 1
        for i, p in enumerate(pivots):
            K[t, p] = -flint.fmpq(R[i, f]) / den
    return K


def kernel_rows(M: flint.fmpq_mat) -> flint.fmpq_mat:
    """Rows spanning ``{x : M x = 0}``, one per free column of the RREF of ``M``: 1 there, 0 at
    the other free columns (the basis sympy's ``nullspace`` gives).

    Examples
    --------
    >>> kernel_rows(flint.fmpq_mat(1, 3, [1, 2, 3]))
    [-2, 1, 0]
    [-3, 0, 1]
    """
    num, _ = M.numer_denom()  # a common scale of the rows: the same kernel
    R, den, r = num.rref()
    return _kernel_from_rref(R, den, r, M.ncols())


def _kernel_exact(rows: list[list[int]], n: int) -> flint.fmpq_mat:
    R, den, r = flint.fmpz_mat(len(rows), n, [v for row in rows for v in row]).rref()
    return _kernel_from_rref(R, den, r, n)


def _kernel_modular(rows: list[list[int]], n: int) -> flint.fmpq_mat | None:
    """Kernel from mod-p pivots and a Dixon solve; None when the exact check fails."""
    m = len(rows)
    RT, r = _mod_p_rref([list(c) for c in zip(*rows)], m) if m and n else (None, 0)
    if r == 0:
        return _kernel_from_rref(flint.fmpz_mat(0, n), 1, 0, n)
    keep = [rows[i] for i in pivot_columns(RT, r)]
    R, _ = _mod_p_rref(keep, n)
    pivots = pivot_columns(R, r)
    pivots_set = set(pivots)
    free = [j for j in range(n) if j not in pivots_set]
    S = flint.fmpq_mat([[row[p] for p in pivots] for row in keep])
    B = flint.fmpq_mat([[-row[f] for f in free] for row in keep]) if free else None
    if B is None:
        return flint.fmpq_mat(0, n)
    try:
        X = S.solve(B, algorithm="dixon")  # type: ignore[call-arg]
    except ZeroDivisionError:
        return None
    K = flint.fmpq_mat(len(free), n)
    for t, f in enumerate(free):
        K[t, f] = 1
        for i, p in enumerate(pivots):
            K[t, p] = X[i, t]
    return K if _kills(rows, K) else None


def _kills(rows: list[list[int]], K: flint.fmpq_mat) -> bool:
    """Exact check that every row of ``K`` is in the kernel of ``rows``."""
    num, _ = K.transpose().numer_denom()
    Z = flint.fmpz_mat(len(rows), K.ncols(), [v for r in rows for v in r])
    return bool((Z * num).is_zero())


def _kernel_qq(M: DomainMatrix) -> flint.fmpq_mat:
    """Reduced kernel basis of a QQ matrix, one row per free column."""
    m, n = M.shape
    rows = _integer_rows(M)
    if m * n > _SMALL:
        K = _kernel_modular(rows, n)
        if K is not None:
            return K
    return _kernel_exact(rows, n)


# ------------------------------------------------------------------- nullspace


def _kernel(M: DomainMatrix) -> DomainMatrix:
    """Reduced kernel basis as the rows of a DomainMatrix over the field of ``M``."""
    M = as_domain_matrix(M)
    m, n = M.shape
    very_sparse = m * n > _SPARSE_SIZE and M.nnz() < _VERY_SPARSE * m * n
    if M.domain.is_QQ and not very_sparse:
        return _qq(_kernel_qq(M))
    F = M.to_sparse().to_field() if very_sparse else M.to_field()
    R, pivots = F.rref()
    pivots_set = set(pivots)
    free = [j for j in range(n) if j not in pivots_set]
    K = F.domain
    sdm: dict[int, dict[int, Any]] = {}
    rref = R.rep.to_sdm()
    for t, f in enumerate(free):
        row = {f: K.one}
        for i, p in enumerate(pivots):
            v = rref.get(i, {}).get(f)
            if v:
                row[p] = -v
        sdm[t] = row
    return DomainMatrix(sdm, (len(free), n), K).to_dense()


def _dfm(K: Any, shape: tuple[int, int], domain: Any = QQ) -> Any:
    from sympy.polys.matrices._dfm import DFM

    return DFM(K, shape, domain)


def nullspace(M: DomainMatrix) -> list[list[sympy.Expr]]:
    """Return a basis of the kernel ``{x : M x = 0}`` in reduced form.

    One vector per free column ``f`` of the RREF of ``M``, in increasing order, with
    ``1`` at ``f``, ``0`` at the other free columns and ``-R[i, f]`` at the pivot
    column of row ``i``. Over ``QQ`` the result is checked exactly (``M x = 0``)
    before it is returned.

    Parameters
    ----------
    M : DomainMatrix
        The matrix (any exact domain; lists are accepted as by
        :func:`as_domain_matrix`).

    Returns
    -------
    list of list of sympy.Expr
        The basis vectors, entries as sympy numbers.

    Examples
    --------
    >>> nullspace(as_domain_matrix([[1, 2, 3], [2, 4, 6]]))
    [[-2, 1, 0], [-3, 0, 1]]
    >>> from sympy import sqrt
    >>> nullspace(as_domain_matrix([[sqrt(2), 2], [1, sqrt(2)]]))
    [[-sqrt(2), 1]]
    """
    K = _kernel(M)
    to_sympy = K.domain.to_sympy
    return [[to_sympy(v) for v in row] for row in K.to_list()]


def rank(M: DomainMatrix) -> int:
    """Return the exact rank of ``M``.

    Over ``QQ`` a full rank modulo a prime is a certificate; otherwise the rank is
    ``ncols - dim ker M`` with the kernel checked exactly.

    Examples
    --------
    >>> rank(as_domain_matrix([[1, 2], [2, 4]]))
    1
    >>> from sympy import cos
    >>> rank(as_domain_matrix([[cos(1), 1], [1, cos(1)]]))
    2
    """
    M = as_domain_matrix(M)
    m, n = M.shape
    if M.domain.is_QQ and m and n:
        _, r = _mod_p_rref(_integer_rows(M), n)
        if r == min(m, n):
            return r
    if not M.domain.is_QQ:
        return int(M.to_field().rank())
    return n - _kernel(M).shape[0]


def numeric_rank(M: DomainMatrix, *, digits: int = 50) -> int:
    """Return the rank of ``M`` evaluated numerically with ``digits`` digits (mpmath).

    Gaussian elimination with full pivoting; a pivot below ``10**(-digits/2)``
    times the largest entry counts as zero. Used to cross-check exact ranks over
    domains with transcendental generators.

    Examples
    --------
    >>> from sympy import cos, sin
    >>> numeric_rank(as_domain_matrix([[cos(1), sin(1)], [sin(1), -cos(1)]]))
    2
    >>> numeric_rank(as_domain_matrix([[cos(1)**2 + sin(1)**2, 1], [1, 1]]))
    1
    """
    import mpmath

    M = as_domain_matrix(M)
    to_sympy = M.domain.to_sympy
    with mpmath.workdps(digits + 10):
        a = [[mpmath.mpf(0) for _ in range(M.shape[1])] for _ in range(M.shape[0])]
        for i, row in M.rep.to_sdm().items():
            for j, v in row.items():
                a[i][j] = mpmath.mpmathify(to_sympy(v).evalf(digits + 10))
        return _mp_rank(a, mpmath.mpf(10) ** (-digits // 2))


def _mp_rank(a: list[list[Any]], rel_tol: Any) -> int:
    """Rank of a list-of-rows mpmath matrix by full-pivoting elimination."""
    scale = max((abs(v) for row in a for v in row), default=0)
    r = 0
    rows = [list(row) for row in a]
    while rows and scale:
        i, j = max(
            ((i, j) for i in range(len(rows)) for j in range(len(rows[i]))),
            key=lambda ij: abs(rows[ij[0]][ij[1]]),
        )
        pivot = rows.pop(i)
        if abs(pivot[j]) <= rel_tol * scale:
            break
        r += 1
        for row in rows:
            factor = row[j] / pivot[j]
            for k in range(len(row)):
                row[k] -= factor * pivot[k]
    return r


def nullspace_checked(M: DomainMatrix) -> list[list[sympy.Expr]]:
    """Return :func:`nullspace` of ``M``, cross-checked numerically where needed.

    For domains other than ``QQ`` and algebraic fields (that is, with
    transcendental generators such as ``cos(1)`` treated as indeterminates) the
    exact rank is compared with :func:`numeric_rank`.

    Raises
    ------
    VerificationError
        When the exact and numeric ranks disagree (a hidden relation between the
        generators, such as ``sin(1)**2 + cos(1)**2 = 1``).

    Examples
    --------
    >>> from sympy import cos, sin
    >>> nullspace_checked(as_domain_matrix([[cos(1), 1, 0]]))
    [[-1/cos(1), 1, 0], [0, 0, 1]]
    >>> nullspace_checked(as_domain_matrix([[cos(1)**2, 1], [1 - sin(1)**2, 1]]))
    Traceback (most recent call last):
    ...
    equivid.errors.VerificationError: exact rank 2 over QQ[cos(1),sin(1)] disagrees with numeric rank 1; the generators satisfy a relation the exact domain ignores
    """
    M = as_domain_matrix(M)
    basis = nullspace(M)
    domain = M.domain
    if domain.is_QQ or domain.is_AlgebraicField:
        return basis
    exact, numeric = M.shape[1] - len(basis), numeric_rank(M)
    if exact != numeric:
        raise VerificationError(
            f"exact rank {exact} over {domain} disagrees with numeric rank {numeric}; "
            "the generators satisfy a relation the exact domain ignores"
        )
    return basis


# ------------------------------------------------------------------- commutants


def powers(A: MatrixLike, k: int) -> list[DomainMatrix]:
    """Return ``[I, A, A**2, ..., A**(k-1)]`` exactly.

    Examples
    --------
    >>> [P.to_Matrix().tolist() for P in powers([[0, 1], [0, 0]], 3)]
    [[[1, 0], [0, 1]], [[0, 1], [0, 0]], [[0, 0], [0, 0]]]
    """
    A = as_domain_matrix(A).to_dense()
    n = A.shape[0]
    if A.domain.is_ZZ:  # python-flint products, the domain kept
        return [DomainMatrix.from_rep(_dfm(P, (n, n), ZZ)) for P in _chain(A.to_dfm().rep, k)]
    if A.domain.is_QQ:
        return [_qq(P) for P in power_chain(_fmpq_mat(A), k)]
    out = [DomainMatrix.eye(n, A.domain).to_dense()][:k]
    while len(out) < k:
        out.append(out[-1] * A)
    return out


def power_chain(A: flint.fmpq_mat, k: int) -> list[flint.fmpq_mat]:
    """Return ``[I, A, A**2, ..., A**(k-1)]`` as python-flint matrices.

    An integral ``A`` is multiplied as an integer matrix and each power converted once:
    about 1.6 times faster than rational products at ``n = 40``, where the entries of the
    last powers have a few hundred digits.

    Examples
    --------
    >>> [P.entries() for P in power_chain(flint.fmpq_mat(2, 2, [0, 1, -1, 0]), 3)]
    [[1, 0, 0, 1], [0, 1, -1, 0], [-1, 0, 0, -1]]
    """
    numerators, denominator = A.numer_denom()
    if denominator == 1:
        return [flint.fmpq_mat(P) for P in _chain(numerators, k)]
    return _chain(A, k)


def _chain(A: Any, k: int) -> list[Any]:
    """``[I, A, ..., A**(k-1)]`` for a python-flint matrix (integer or rational), in its type."""
    n = A.nrows()
    out = [type(A)(n, n, [int(i == j) for i in range(n) for j in range(n)])][:k]
    while len(out) < k:
        out.append(out[-1] * A)
    return out


def _square(A: MatrixLike, name: str = "A") -> DomainMatrix:
    A = as_domain_matrix(A)
    if A.shape[0] != A.shape[1]:
        raise SpecError(name, A.shape, "a square matrix")
    return A


def _vec_rows(mats: Sequence[DomainMatrix]) -> DomainMatrix:
    """The matrix whose rows are the row-major vectorisations of ``mats``."""
    n2 = mats[0].shape[0] * mats[0].shape[1]
    domain = mats[0].domain
    if domain.is_QQ:
        flat = [v for P in mats for v in P.to_dense().rep.rep.entries()]
        return _qq(flint.fmpq_mat(len(mats), n2, flat))
    rows = [[v for row in P.to_list() for v in row] for P in mats]
    return DomainMatrix(rows, (len(rows), n2), domain).to_dense()


def is_nonderogatory(A: MatrixLike) -> bool:
    """Return whether the minimal polynomial of ``A`` has degree ``n`` (cyclic ``A``).

    A full-rank Krylov matrix ``[v, A v, ..., A**(n-1) v]`` (``v = e1`` and a few
    seeded integer vectors; rank modulo a prime over ``QQ``) certifies ``True``;
    otherwise the exact degree of the minimal polynomial (python-flint) decides over
    ``QQ``, and ``rank [vec(I), vec(A), ..., vec(A**(n-1))] == n`` over other domains.

    Examples
    --------
    >>> is_nonderogatory([[0, 0, -6], [1, 0, 11], [0, 1, -6]])  # a companion matrix
    True
    >>> is_nonderogatory([[1, 0], [0, 1]])
    False
    """
    A = _square(A)
    n = A.shape[0]
    if n <= 1:
        return True
    if A.domain.is_QQ or A.domain.is_ZZ:
        exact = _fmpq_mat(A)
        return cyclic_vector(exact) is not None or int(exact.minpoly().degree()) == n
    if any(_krylov_full(A, v) for v in _start_vectors(n)):
        return True
    return rank(_vec_rows(powers(A, n))) == n


def cyclic_vector(A: flint.fmpq_mat, candidates: Sequence[list[int]] | None = None) -> list[int] | None:
    """Return a start vector ``v`` whose Krylov matrix ``[v, A v, ..., A**(n-1) v]`` has full
    rank modulo a prime, hence over ``QQ`` (a certificate that ``A`` is cyclic), or None
    when no candidate gives one (default candidates: ``e1`` and three seeded integer vectors).

    One common denominator ``d``: ``d A`` has the Krylov ranks of ``A``.

    Examples
    --------
    >>> cyclic_vector(flint.fmpq_mat(2, 2, [0, 1, 1, 0]))
    [1, 0]
    >>> cyclic_vector(flint.fmpq_mat(2, 2, [2, 0, 0, 2])) is None
    True
    """
    n = A.nrows()
    reduced = flint.nmod_mat(A.numer_denom()[0], _PRIME)
    for v in candidates if candidates is not None else _start_vectors(n):
        vectors = [flint.nmod_mat(n, 1, v, _PRIME)]
        while len(vectors) < n:
            vectors.append(reduced * vectors[-1])
        if int(flint.nmod_mat(n, n, [x for w in vectors for x in w.entries()], _PRIME).rank()) == n:
            return v  # (its rows are the Krylov vectors: the transposed matrix, the same rank)
    return None


def _start_vectors(n: int) -> list[list[int]]:
    import numpy as np

    e1 = [1] + [0] * (n - 1)
    rngs = [np.random.default_rng(seed) for seed in _KRYLOV_SEEDS]
    return [e1] + [[int(x) for x in rng.integers(-9, 10, n)] for rng in rngs]


def _krylov_full(A: DomainMatrix, v: list[int]) -> bool:
    """Exact Krylov rank over a domain other than ZZ and QQ (those: :func:`cyclic_vector`)."""
    n = A.shape[0]
    K = A.domain
    x = DomainMatrix([[K.convert(c)] for c in v], (n, 1), K).to_dense()
    cols = [x]
    while len(cols) < n:
        cols.append(A * cols[-1])
    return int(DomainMatrix.hstack(*cols).to_field().rank()) == n


def _unified(As: Sequence[MatrixLike], shape: tuple[int, int] | None) -> list[DomainMatrix]:
    mats = [_square(as_domain_matrix(A, shape=shape), f"As[{i}]") for i, A in enumerate(As)]
    if not mats:
        raise SpecError("As", As, "at least one square matrix")
    if len({M.shape for M in mats}) > 1:
        raise SpecError("As", [M.shape for M in mats], "square matrices of one size")
    domain = mats[0].domain
    for M in mats[1:]:
        domain = domain.unify(M.domain)
    return [M.convert_to(domain) for M in mats]


def commutant_system(
    As: Sequence[MatrixLike], *, shape: tuple[int, int] | None = None
) -> DomainMatrix:
    """Return the matrix of ``B -> (B A_1 - A_1 B, ..., B A_L - A_L B)`` on ``vec(B)``.

    Unknown ``i*n + j`` is ``B[i, j]`` (row-major); equation ``l*n**2 + i*n + k`` is
    entry ``(i, k)`` of ``B A_l - A_l B``. Built sparsely from the entries.

    Examples
    --------
    >>> commutant_system([[[1, 0], [0, 2]]]).to_Matrix().tolist()
    [[0, 0, 0, 0], [0, 1, 0, 0], [0, 0, -1, 0], [0, 0, 0, 0]]
    """
    mats = _unified(As, shape)
    n, K = mats[0].shape[0], mats[0].domain
    sdm: dict[int, dict[int, Any]] = {}
    for ell, A in enumerate(mats):
        a = A.rep.to_sdm()
        cols: dict[int, dict[int, Any]] = {}
        for j, row in a.items():
            for k, v in row.items():
                cols.setdefault(k, {})[j] = v
        for i in range(n):
            for k in range(n):
                eq: dict[int, Any] = {}
                for j, v in cols.get(k, {}).items():  # + B[i, j] A[j, k]
                    eq[i * n + j] = eq.get(i * n + j, K.zero) + v
                for j, v in a.get(i, {}).items():  # - A[i, j] B[j, k]
                    eq[j * n + k] = eq.get(j * n + k, K.zero) - v
                eq = {c: v for c, v in eq.items() if v}
                if eq:
                    sdm[ell * n * n + i * n + k] = eq
    return DomainMatrix(sdm, (len(mats) * n * n, n * n), K)


def commutant_basis(As: Sequence[MatrixLike], *, canonical: bool = True) -> list[DomainMatrix]:
    """Return a basis of ``{B : B A_l = A_l B for all l}`` in canonical reduced form.

    If some ``A_l`` is non-derogatory the commutant lies in the polynomials in it,
    ``B = sum_j x_j A_l**j``, and only the small system for ``x`` imposed by the
    other matrices is solved; otherwise the kernel of :func:`commutant_system` is
    taken. Either way the basis returned is the RREF of the matrix of ``vec(B)``
    rows, so it does not depend on the path.

    Parameters
    ----------
    As : list of square matrices
        The matrices ``A_l`` (DomainMatrix or anything :func:`as_domain_matrix` takes).
    canonical : bool, default True
        Reduce the basis to the canonical RREF. Its rational entries can be huge
        (about 1100 digits for a random integer 40 x 40 matrix), and building them
        dominates the run time; ``canonical=False`` returns the basis as found (the
        powers ``A**j`` on the non-derogatory path), with the same span.

    Returns
    -------
    list of DomainMatrix
        The basis matrices, over the field of the entries.

    Examples
    --------
    >>> [B.to_Matrix().tolist() for B in commutant_basis([[[2, 0], [0, 3]]])]
    [[[1, 0], [0, 0]], [[0, 0], [0, 1]]]
    >>> [B.to_Matrix().tolist() for B in commutant_basis([[[0, -1], [1, 0]]])]
    [[[1, 0], [0, 1]], [[0, 1], [-1, 0]]]
    """
    mats = _unified(As, None)
    n = mats[0].shape[0]
    cyclic = next((A for A in mats if is_nonderogatory(A)), None)
    if cyclic is not None:
        if not canonical and all(A is cyclic for A in mats):
            return [P.to_field() for P in powers(cyclic, n)]  # the basis as found: no vec round trip
        vecs = _polynomial_commutant(cyclic, mats)
    else:
        vecs = _primary_commutant(mats) if mats[0].domain.is_QQ else None
        if vecs is None:
            vecs = _kernel(commutant_system(mats))
    return _unvec(_rref_rows(vecs) if canonical else vecs.to_field(), n)


def _fmpq_mat(M: DomainMatrix) -> flint.fmpq_mat:
    return M.convert_to(QQ).to_dense().to_dfm().rep


def _at(p: flint.fmpq_poly, A: flint.fmpq_mat) -> flint.fmpq_mat:
    """``p(A)`` by Horner's rule."""
    n = A.nrows()
    eye = flint.fmpq_mat(n, n, [int(i == j) for i in range(n) for j in range(n)])
    out = eye * 0
    for c in reversed(p.coeffs()):
        out = out * A + eye * c
    return out


def primary_decomposition(A: flint.fmpq_mat) -> list[flint.fmpq_mat] | None:
    """Bases (as columns) of the primary components ``ker f(A)**e`` of ``A`` over ``QQ``, one
    per irreducible factor ``f**e`` of its characteristic polynomial; None for one factor.

    Examples
    --------
    >>> import flint
    >>> [X.ncols() for X in primary_decomposition(flint.fmpq_mat(3, 3, [2, 1, 0, 0, 2, 0, 0, 0, 5]))]
    [1, 2]
    """
    _, factors = A.charpoly().factor()
    if len(factors) < 2:
        return None
    parts = []
    for f, e in factors:
        F = _at(f, A) ** e
        num, _ = F.numer_denom()
        X, nullity = num.nullspace()
        if nullity != e * f.degree():  # pragma: no cover - the primary components have these dimensions
            return None
        parts.append(flint.fmpq_mat(X.nrows(), nullity, [X[i, j] for i in range(X.nrows()) for j in range(nullity)]))
    return parts


def embedded(M: flint.fmpq_mat, start: int, n: int) -> flint.fmpq_mat:
    """The ``n x n`` matrix holding ``M`` as its diagonal block at ``(start, start)``, zero elsewhere."""
    out = flint.fmpq_mat(n, n)
    for i in range(M.nrows()):
        for j in range(M.ncols()):
            out[start + i, start + j] = M[i, j]
    return out


def diagonal_block(M: flint.fmpq_mat, start: int, size: int) -> flint.fmpq_mat:
    """The ``size x size`` diagonal block of ``M`` at ``(start, start)``."""
    return flint.fmpq_mat(size, size, [M[start + i, start + j] for i in range(size) for j in range(size)])


def primary_basis(A: flint.fmpq_mat) -> tuple[flint.fmpq_mat, list[int]] | None:
    """A basis ``P`` (as columns) adapted to the primary components of ``A`` (:func:`primary_decomposition`),
    and their sizes in order; None for one component."""
    parts = primary_decomposition(A)
    if parts is None:
        return None
    n = A.nrows()
    P = flint.fmpq_mat(n, n, [X[i, j] for i in range(n) for X in parts for j in range(X.ncols())])
    return P, [X.ncols() for X in parts]


def _primary_commutant(mats: list[DomainMatrix]) -> DomainMatrix | None:
    """vec rows spanning the joint commutant, from the primary decomposition of one matrix.

    A matrix commuting with ``A`` preserves each primary component ``ker f(A)**e``, so in a
    basis ``P`` adapted to them it is block diagonal, each block in the commutant of ``A``'s
    block there: small systems of ``n_i**2`` unknowns instead of one of ``n**2``. The matrix
    taken is the one (of the ``A_l`` and one fixed combination of them) whose components
    leave the fewest unknowns; the other matrices' conditions are then imposed on that
    commutant's basis. None when no matrix has two primary components.
    """
    n = mats[0].shape[0]
    flints = [_fmpq_mat(A) for A in mats]
    candidates = list(flints)
    if len(flints) > 1:
        combination = flint.fmpq_mat(n, n)
        for k, A in enumerate(flints):
            combination += A * (2 * k + 1)
        candidates.append(combination)
    best: tuple[int, flint.fmpq_mat, flint.fmpq_mat, list[int]] | None = None
    for A in candidates:
        adapted = primary_basis(A)
        if adapted is None:
            continue
        unknowns = sum(k**2 for k in adapted[1])
        if best is None or unknowns < best[0]:
            best = (unknowns, A, *adapted)
    if best is None:
        return None
    _, A, P, sizes = best
    Pinv = P.inv()
    local = Pinv * A * P
    offsets = [sum(sizes[:k]) for k in range(len(sizes))]
    blocks = [diagonal_block(local, start, k) for start, k in zip(offsets, sizes)]
    if local != sum((embedded(B, start, n) for B, start in zip(blocks, offsets)), flint.fmpq_mat(n, n)):
        return None  # pragma: no cover - primary components are invariant
    basis: list[flint.fmpq_mat] = []  # block-diagonal commutant of A, in the adapted basis
    for block, start in zip(blocks, offsets):
        basis += [embedded(_fmpq_mat(C), start, n) for C in commutant_basis([_qq(block)], canonical=False)]
    others = [Pinv * F * P for F in flints if F != A]
    if others and basis:
        columns = [[x for M in others for x in (X * M - M * X).entries()] for X in basis]
        system = flint.fmpq_mat(len(columns[0]), len(columns), [col[r] for r in range(len(columns[0])) for col in columns])
        kernel = _kernel(_qq(system))
        coefficients = _fmpq_mat(kernel) if kernel.shape[0] else None
        if coefficients is None:
            return DomainMatrix.zeros((0, n * n), QQ)
        combined = []
        for t in range(coefficients.nrows()):
            X = flint.fmpq_mat(n, n)
            for k, Y in enumerate(basis):
                if coefficients[t, k] != 0:
                    X += Y * coefficients[t, k]
            combined.append(X)
        basis = combined
    if not basis:
        return DomainMatrix.zeros((0, n * n), QQ)
    flat = [x for X in basis for x in (P * X * Pinv).entries()]
    return _qq(flint.fmpq_mat(len(basis), n * n, flat))


def _polynomial_commutant(C: DomainMatrix, mats: list[DomainMatrix]) -> DomainMatrix:
    """vec rows spanning the polynomials in ``C`` that commute with every matrix."""
    n = C.shape[0]
    P = powers(C, n)
    V = _vec_rows(P)
    others = [A for A in mats if A is not C]
    if not others:
        return V
    blocks = [_vec_rows([Q * A - A * Q for Q in P]) for A in others]
    system = DomainMatrix.hstack(*blocks).transpose()
    X = _kernel(system)
    if X.shape[0] == 0:
        return DomainMatrix.zeros((0, n * n), V.domain.get_field())
    return X * V.convert_to(X.domain)


def _rref_rows(V: DomainMatrix) -> DomainMatrix:
    """Nonzero rows of the RREF of ``V`` (over its field)."""
    if V.shape[0] == 0:
        return V.to_field()
    V = V.to_field().to_dense()
    if V.domain.is_QQ:
        Z = V.rep.rep.numer_denom()[0]
        R = _rref_independent(Z)
        if R is None:
            R, den, r = Z.rref()
            R = flint.fmpq_mat(R) / den
            R = flint.fmpq_mat(r, R.ncols(), R.entries()[: r * R.ncols()])
        return _qq(R)
    R, pivots = V.rref()
    return R.extract(range(len(pivots)), range(V.shape[1]))


def _rref_independent(Z: Any) -> flint.fmpq_mat | None:
    """RREF ``S**-1 Z`` of an integer matrix with independent rows, pivots ``S`` found
    mod p; None when the rows are dependent mod p or the echelon shape check fails."""
    k = Z.nrows()
    R, r = flint.nmod_mat(Z, _PRIME).rref()
    if r != k:
        return None
    pivots = pivot_columns(R, r)
    S = flint.fmpz_mat(k, k, [Z[i, p] for i in range(k) for p in pivots])
    num, den = S.inv().numer_denom()  # type: ignore[attr-defined]
    N = num * Z
    if any(N[t, c] != 0 for t, p in enumerate(pivots) for c in range(p)):
        return None
    return flint.fmpq_mat(N) / den


def _qq(X: flint.fmpq_mat) -> DomainMatrix:
    return DomainMatrix.from_rep(_dfm(X, (X.nrows(), X.ncols())))


def _unvec(V: DomainMatrix, n: int) -> list[DomainMatrix]:
    if V.domain.is_QQ:
        flat = V.rep.rep.entries()
        blocks = [flat[t * n * n : (t + 1) * n * n] for t in range(V.shape[0])]
        return [_qq(flint.fmpq_mat(n, n, block)) for block in blocks]
    rows = V.to_list()
    return [
        DomainMatrix([row[i * n : (i + 1) * n] for i in range(n)], (n, n), V.domain).to_dense()
        for row in rows
    ]
