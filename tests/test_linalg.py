"""Laws of equivid.linalg: kernels are kernels, of the right dimension and span,
commutants match the Jordan-form dimension formula, and the answers agree with sympy."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import Matrix, Rational, cos, sin, sqrt
from sympy.polys.matrices import DomainMatrix

from equivid import linalg
from equivid.errors import SpecError, VerificationError
from equivid.linalg import (
    as_domain_matrix,
    commutant_basis,
    commutant_system,
    is_nonderogatory,
    nullspace,
    nullspace_checked,
    numeric_rank,
    powers,
    rank,
)


def random_rational(rng: np.random.Generator, m: int, n: int, r: int) -> list[list[Rational]]:
    """An m x n rational matrix of rank at most r."""
    left = rng.integers(-5, 6, (m, r))
    right = rng.integers(-5, 6, (r, n))
    dens = rng.integers(1, 4, (m, n))
    prod = left @ right
    return [[Rational(int(prod[i, j]), 1) / int(dens[i, 0]) for j in range(n)] for i in range(m)]


def check_kernel(rows: list[list[object]], basis: list[list[sympy.Expr]]) -> None:
    """Every vector is killed, they are independent, and they span sympy's kernel."""
    M = Matrix(rows)
    K = Matrix(basis).T if basis else Matrix.zeros(M.cols, 0)
    assert (M * K).applyfunc(sympy.simplify) == Matrix.zeros(M.rows, K.cols)
    assert len(basis) == M.cols - M.rank()
    expected = M.nullspace()
    if expected:
        assert Matrix.hstack(K, *expected).rank() == len(basis)


@pytest.mark.parametrize(
    "shape,r", [((3, 3), 3), ((3, 5), 2), ((6, 4), 2), ((5, 5), 0), ((4, 7), 4)], ids=str
)
def test_nullspace_random_rational(shape: tuple[int, int], r: int) -> None:
    rng = np.random.default_rng(sum(shape) + r)
    rows = random_rational(rng, *shape, r)
    basis = nullspace(as_domain_matrix(rows))
    check_kernel(rows, basis)
    assert rank(as_domain_matrix(rows)) == Matrix(rows).rank()


def test_nullspace_is_reduced() -> None:
    basis = nullspace(as_domain_matrix([[1, 2, 0, 3], [0, 0, 1, 4]]))
    assert basis == [[-2, 1, 0, 0], [-3, 0, -4, 1]]


@pytest.mark.parametrize("r", [0, 30, 69, 70])
def test_modular_path_matches_exact(r: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(linalg, "_SMALL", 0)
    rng = np.random.default_rng(r)
    rows = random_rational(rng, 70, 70, r)
    M = as_domain_matrix(rows)
    basis = nullspace(M)
    exact = linalg._kernel_exact(linalg._integer_rows(M), 70)
    assert Matrix(basis) == Matrix(exact.tolist()).applyfunc(lambda v: Rational(str(v)))
    assert len(basis) == 70 - r


def test_modular_path_falls_back_on_unlucky_prime(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(linalg, "_PRIME", 7)
    monkeypatch.setattr(linalg, "_SMALL", 0)
    assert nullspace(as_domain_matrix([[7, 0], [0, 1]])) == []
    assert rank(as_domain_matrix([[7, 0], [0, 1]])) == 2


@settings(max_examples=30, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda n: st.lists(
            st.lists(st.fractions(-3, 3, max_denominator=4), min_size=n, max_size=n),
            min_size=1,
            max_size=5,
        )
    )
)
def test_nullspace_property(rows: list[list[object]]) -> None:
    rows = [[Rational(v.numerator, v.denominator) for v in row] for row in rows]  # type: ignore[attr-defined]
    check_kernel(rows, nullspace(as_domain_matrix(rows)))


def test_nullspace_algebraic_field() -> None:
    rows = [[sqrt(2), 2, 1], [1, sqrt(2), 0]]
    M = as_domain_matrix(rows)
    assert M.domain == sympy.QQ.algebraic_field(sqrt(2))
    check_kernel(rows, nullspace_checked(M))
    assert nullspace(as_domain_matrix([[sqrt(2), 2], [1, sqrt(2)]])) == [[-sqrt(2), 1]]


def test_nullspace_transcendental() -> None:
    c = cos(1)
    rows = [[c, 1, 0], [c**2, c, 0]]
    M = as_domain_matrix(rows)
    assert str(M.domain) == "QQ[cos(1)]"
    basis = nullspace_checked(M)
    check_kernel(rows, basis)
    assert basis == [[-1 / c, 1, 0], [0, 0, 1]]


def test_nullspace_checked_catches_hidden_relation() -> None:
    M = as_domain_matrix([[cos(1) ** 2, 1], [1 - sin(1) ** 2, 1]])
    assert rank(M) == 2 and numeric_rank(M) == 1
    with pytest.raises(VerificationError, match="disagrees with numeric rank 1"):
        nullspace_checked(M)


def test_mixed_algebraic_and_transcendental() -> None:
    rows = [[sqrt(2) * cos(1), 2 * cos(1)], [1, sqrt(2)]]
    M = as_domain_matrix(rows)
    check_kernel(rows, nullspace_checked(M))


def test_as_domain_matrix_formats_and_errors() -> None:
    assert as_domain_matrix([[1, 2]]).domain == sympy.QQ
    big = as_domain_matrix({(i, i): 1 for i in range(200)}, shape=(200, 200))
    assert big.rep.fmt == "sparse"
    assert as_domain_matrix([[1, 2], [3, 4]]).rep.fmt == "dense"
    with pytest.raises(SpecError, match="rows of equal length"):
        as_domain_matrix([[1, 2], [3]])
    with pytest.raises(SpecError, match="shape"):
        as_domain_matrix({(0, 0): 1})


def test_commutant_system_matches_expansion() -> None:
    rng = np.random.default_rng(3)
    A1, A2 = (Matrix(rng.integers(-3, 4, (3, 3)).tolist()) for _ in range(2))
    B = Matrix(3, 3, sympy.symbols("b0:9"))
    eqs = [e for A in (A1, A2) for e in (B * A - A * B)]
    expected = Matrix([[sympy.diff(e, b) for b in B] for e in eqs])
    assert commutant_system([A1.tolist(), A2.tolist()]).to_Matrix() == expected


def span_dim(mats: list[DomainMatrix]) -> int:
    return Matrix([list(M.to_Matrix()) for M in mats]).rank() if mats else 0


def check_commutes(basis: list[DomainMatrix], As: list[list[list[int]]]) -> None:
    for B in basis:
        for A in As:
            Bm, Am = B.to_Matrix(), Matrix(A)
            assert Bm * Am == Am * Bm


def test_commutant_of_diagonal() -> None:
    basis = commutant_basis([[[2, 0], [0, 3]]])
    assert [B.to_Matrix() for B in basis] == [Matrix([[1, 0], [0, 0]]), Matrix([[0, 0], [0, 1]])]


def test_commutant_of_rotation() -> None:
    J = [[0, -1], [1, 0]]
    basis = commutant_basis([J])
    assert span_dim(basis + [as_domain_matrix([[1, 0], [0, 1]]), as_domain_matrix(J)]) == 2
    assert len(basis) == 2
    check_commutes(basis, [J])


def jordan(blocks: list[tuple[int, int]]) -> list[list[int]]:
    """Block-diagonal Jordan matrix from (eigenvalue, size) pairs."""
    n = sum(size for _, size in blocks)
    J = [[0] * n for _ in range(n)]
    start = 0
    for value, size in blocks:
        for i in range(size):
            J[start + i][start + i] = value
            if i + 1 < size:
                J[start + i][start + i + 1] = 1
        start += size
    return J


@pytest.mark.parametrize(
    "blocks,dim",
    [
        ([(1, 2), (1, 1)], 5),  # 2 + 1 + 1 + 1
        ([(1, 2), (1, 2)], 8),  # 2 + 2 + 2 + 2
        ([(1, 3), (1, 1), (2, 1)], 7),  # (3 + 1 + 1 + 1) + 1
        ([(0, 4)], 4),  # non-derogatory: polynomials in J
        ([(5, 1)] * 3, 9),  # scalar: everything
    ],
    ids=["J2+J1", "J2+J2", "J3+J1|J1'", "J4", "5I3"],
)
def test_commutant_dimension_of_jordan(blocks: list[tuple[int, int]], dim: int) -> None:
    J = jordan(blocks)
    basis = commutant_basis([J])
    assert len(basis) == dim == span_dim(basis)
    check_commutes(basis, [J])


def test_commutant_path_independence() -> None:
    rng = np.random.default_rng(7)
    A = rng.integers(-4, 5, (4, 4)).tolist()
    assert is_nonderogatory(A)
    fast = [B.to_Matrix() for B in commutant_basis([A])]
    rows = Matrix(nullspace(commutant_system([A])))
    general = rows.rref()[0]
    assert Matrix([list(B) for B in fast]) == general
    slow = [B.to_Matrix() for B in commutant_basis([A], canonical=False)]
    assert Matrix([list(B) for B in slow]).rref()[0] == general


def test_commutant_of_two_matrices() -> None:
    A = [[1, 1, 0], [0, 1, 0], [0, 0, 2]]  # non-derogatory
    D = [[1, 0, 0], [0, 1, 0], [0, 0, 0]]  # a polynomial in A
    N = [[0, 1, 0], [0, 0, 0], [0, 0, 0]]  # also a polynomial in A
    S = [[0, 0, 1], [0, 0, 0], [0, 0, 0]]  # not commuting with A
    assert len(commutant_basis([A, D])) == 3
    assert len(commutant_basis([D, N])) == 3
    both = commutant_basis([A, S])  # I and N: polynomials in A that commute with S
    assert [B.to_Matrix() for B in both] == [Matrix.eye(3), Matrix(N)]
    check_commutes(both, [A, S])
    general = Matrix(nullspace(commutant_system([A, S]))).rref()[0]
    assert Matrix([list(B.to_Matrix()) for B in both]) == general


def test_commutant_over_algebraic_field() -> None:
    A = [[0, sqrt(2)], [sqrt(2), 0]]
    basis = commutant_basis([A])
    assert len(basis) == 2
    for B in basis:
        assert (B.to_Matrix() * Matrix(A) - Matrix(A) * B.to_Matrix()).expand() == Matrix.zeros(2)


def test_is_nonderogatory() -> None:
    for coeffs in ([1, -6, 11, -6], [1, 0, 0, 0, 0], [1, 2, 3, 4, 5, 6]):
        n = len(coeffs) - 1
        companion = [[0] * n for _ in range(n)]
        for i in range(1, n):
            companion[i][i - 1] = 1
        for i in range(n):
            companion[i][n - 1] = -coeffs[n - i]
        assert is_nonderogatory(companion)
    assert not is_nonderogatory([[1, 0], [0, 1]])
    assert not is_nonderogatory(jordan([(1, 2), (1, 1)]))
    assert is_nonderogatory([[sqrt(2), 1], [0, -sqrt(2)]])
    assert not is_nonderogatory([[cos(1), 0], [0, cos(1)]])


def test_powers() -> None:
    A = as_domain_matrix([[1, 1], [0, 1]])
    assert [P.to_Matrix() for P in powers(A, 3)] == [
        Matrix([[1, 0], [0, 1]]),
        Matrix(A.to_Matrix()),
        Matrix([[1, 2], [0, 1]]),
    ]


# -- the primary decomposition path (derogatory matrices, joint commutants) ------------------------
def _conjugated(J: list[list[int]], seed: int) -> Matrix:
    """``U J U**-1`` for a seeded unimodular ``U`` (integer entries, determinant 1)."""
    rng = np.random.default_rng(seed)
    n = len(J)
    U = Matrix.eye(n)
    for _ in range(2 * n):
        i, j = rng.choice(n, 2, replace=False)
        U[int(i), :] = U[int(i), :] + int(rng.choice([-1, 1])) * U[int(j), :]
    return U * Matrix(J) * U.inv()


@pytest.mark.parametrize("seed", range(6))
def test_primary_path_against_the_full_kernel(seed) -> None:
    # derogatory (repeated eigenvalues and Jordan blocks) in a skewed basis: the canonical bases of
    # the primary path and of the n^2 x n^2 kernel must coincide
    rng = np.random.default_rng(100 + seed)
    blocks = [(int(rng.choice([-1, 1, 2])), int(rng.integers(1, 3))) for _ in range(int(rng.integers(2, 4)))]
    blocks.append((blocks[0][0], 1))  # a repeated eigenvalue with two blocks: derogatory
    A = _conjugated(jordan(blocks), seed)
    assert not is_nonderogatory(A.tolist())
    basis = commutant_basis([A.tolist()])
    general = Matrix(nullspace(commutant_system([A.tolist()]))).rref()[0]
    assert Matrix([list(B.to_Matrix()) for B in basis]) == general
    check_commutes(basis, [A.tolist()])


def test_primary_path_dimension_is_the_published_formula() -> None:
    # sum over eigenvalues of sum_{i,j} min(p_i, p_j) (Gantmacher): eigenvalue 2 with blocks 3, 1, 1;
    # eigenvalue -1 with blocks 2, 2; eigenvalue 5 with block 1 -> (3+1+1 + 1+1+1 + 1+1+1) + (2+2+2+2) + 1
    J = jordan([(2, 3), (2, 1), (2, 1), (-1, 2), (-1, 2), (5, 1)])
    A = _conjugated(J, 3)
    expected = sum(min(p, q) for p in (3, 1, 1) for q in (3, 1, 1)) + sum(min(p, q) for p in (2, 2) for q in (2, 2)) + 1
    basis = commutant_basis([A.tolist()], canonical=False)
    assert len(basis) == expected == span_dim(basis) == 20
    check_commutes(basis, [A.tolist()])


def test_joint_commutant_by_primary_decomposition_against_the_full_kernel() -> None:
    # S(3) permuting three coordinates, doubled: two derogatory permutation matrices
    swap = [[0, 1, 0], [1, 0, 0], [0, 0, 1]]
    cycle = [[0, 0, 1], [1, 0, 0], [0, 1, 0]]
    mats = [Matrix(sympy.diag(Matrix(P), Matrix(P))).tolist() for P in (swap, cycle)]
    basis = commutant_basis(mats)
    assert len(basis) == 8  # (trivial + standard) twice: M_2 x M_2
    general = Matrix(nullspace(commutant_system(mats))).rref()[0]
    assert Matrix([list(B.to_Matrix()) for B in basis]) == general


# -- regression: a derogatory matrix with fractions was taken as cyclic ---------------------------
def test_a_derogatory_block_with_fractions_is_not_cyclic() -> None:
    # rows with different denominators (1/2 in some rows only): scaling rows separately is another
    # matrix, whose Krylov space was full; the commutant then lost 2 of its 6 dimensions
    B = [[0, 0, -1, Rational(1, 2)], [-1, 1, -1, Rational(1, 2)], [0, 0, 1, 0], [-2, 0, 0, 2]]
    assert _minpoly_degree(Matrix(B)) == 3  # Jordan blocks of sizes 3 and 1 at eigenvalue 1
    assert not is_nonderogatory(B)
    assert len(commutant_basis([B])) == 6 == 16 - Matrix(linalg.commutant_system([B]).to_Matrix()).rank()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from([(1, 1), (1, 2), (2, 1), (2, 2), (-1, 1)]), min_size=2, max_size=4),
       st.integers(0, 2**16))
def test_is_nonderogatory_against_the_exact_minimal_polynomial(blocks, seed) -> None:
    # the oracle: the degree of sympy's minimal polynomial; the matrix conjugated by a rational
    # matrix with varied denominators so that rows carry different ones
    rng = np.random.default_rng(seed)
    J = Matrix(jordan(blocks))
    n = J.rows
    while True:
        S = Matrix(n, n, lambda i, j: Rational(int(rng.integers(-3, 4)), int(rng.integers(1, 4))))
        if S.det() != 0:
            break
    A = S * J * S.inv()
    expected = _minpoly_degree(A) == n
    assert is_nonderogatory(A.tolist()) == expected


def _minpoly_degree(A: Matrix) -> int:
    """The degree of the minimal polynomial: the first power ``A**k`` in the span of the lower ones."""
    n = A.rows
    vectors = [list(sympy.eye(n))]
    P = sympy.eye(n)
    for k in range(1, n + 1):
        P = P * A
        vectors.append(list(P))
        if Matrix(vectors).rank() < len(vectors):
            return k
    return n  # pragma: no cover - Cayley-Hamilton
