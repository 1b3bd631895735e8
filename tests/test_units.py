"""Components of linear and affine answers from the algebra of linear parts
(equivid/solve/_units.py), against independent oracles: the count 2**(number of distinct
real eigenvalues) for the commutant of a non-derogatory matrix, the determinant's
factors where they decide, and the sign of each representative at each real place."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import equivid
from equivid.solve._result import AffineStructure
from equivid.solve._units import unit_components

Z = sympy.ImmutableMatrix


def structure_of(A: sympy.Matrix, ansatz: str = "linear") -> AffineStructure:
    n = A.rows
    names = [f"z{i + 1}" for i in range(n)]
    z = sympy.Matrix(sympy.symbols(names))
    system = equivid.System.from_maps(names, {"m": [str(e) for e in A * z]})
    return equivid.solve(system, ansatz=ansatz).solution.structure


def diagonal_structure(n: int) -> AffineStructure:
    zero = Z.zeros(n, 1)
    units = [Z(sympy.diag(*[1 if i == k else 0 for i in range(n)])) for k in range(n)]
    return AffineStructure((Z.zeros(n, n), zero), tuple((E, zero) for E in units), (1,) * n)


def real_places(A: sympy.Matrix) -> list[sympy.Expr]:
    """The oracle: the distinct real eigenvalues of ``A`` (sympy's real root isolation)."""
    return sorted(set(sympy.Poly(A.charpoly().as_expr()).real_roots()), key=float)


def sign_pattern(y: np.ndarray, A: np.ndarray, places: list[float]) -> tuple[int, ...]:
    """The sign of ``y`` at each real eigenvalue of ``A`` (``y`` a polynomial in a
    diagonalisable ``A``): ``y`` acts on the eigenvector of each eigenvalue by a scalar."""
    values, vectors = np.linalg.eig(A)
    out = []
    for lam in places:
        k = int(np.argmin(np.abs(values - lam)))
        v = vectors[:, k].real
        out.append(int(np.sign((y @ v) @ v / (v @ v))))
    return tuple(out)


# -- the published count: units of Q[A] (x) R for a non-derogatory A ----------------------------
@pytest.mark.parametrize("A, count", [
    (sympy.Matrix([[0, 2], [1, 0]]), 4),            # x**2 - 2: two real places
    (sympy.Matrix([[0, -1], [1, 0]]), 1),           # x**2 + 1: one complex place
    (sympy.Matrix([[1, 1], [0, 1]]), 2),            # a Jordan block: R[x]/(x - 1)**2, one real place
    (sympy.Matrix([[0, 0, 2], [1, 0, 0], [0, 1, 0]]), 2),   # x**3 - 2: one real, one complex place
    (sympy.Matrix([[0, 0, 0, -1], [1, 0, 0, 0], [0, 1, 0, 5], [0, 0, 1, 0]]), 16),  # x**4 - 5x**2 + 1: four real
])
def test_commutants_of_non_derogatory_matrices(A, count) -> None:
    found = unit_components(structure_of(A))
    assert found is not None and found.count == count == 2 ** len(real_places(A))
    assert len(found.points) == len(real_places(A))


def test_the_generator_is_proved_not_assumed() -> None:
    # diag(1, 0, 0) alone has two distinct eigenvalues: it does not generate the diagonal
    # algebra (three real places); taking it would give 4 components, not 8
    found = unit_components(diagonal_structure(3))
    assert found is not None and found.count == 8 and len(found.points) == 3


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(-3, 3), min_size=4, max_size=4))
def test_two_by_two_against_the_determinant(entries) -> None:
    A = sympy.Matrix(2, 2, entries)
    if A == A[0, 0] * sympy.eye(2):
        return  # a scalar matrix: its commutant is all of M_2 (noncommutative); every other 2x2 is non-derogatory
    structure = structure_of(A)
    found = unit_components(structure)
    assert found is not None
    assert found.count == 2 ** len(real_places(A))  # the published count
    group = equivid.solve(equivid.System.from_maps(["z1", "z2"], {"m": [str(e) for e in A * sympy.Matrix(sympy.symbols("z1 z2"))]}),
                          ansatz="linear")
    if group.complete:  # the determinant path decided too: the two agree
        assert group.components == found.count


def test_representatives_change_the_sign_at_one_real_place_each() -> None:
    A = sympy.Matrix([[0, 0, 0, -1], [1, 0, 0, 0], [0, 1, 0, 5], [0, 0, 1, 0]])
    structure = structure_of(A)
    found = unit_components(structure)
    places = [float(p) for p in real_places(A)]
    patterns = set()
    for point in found.points:
        B = sympy.Matrix(structure.base[0])
        for t, (Bk, _) in zip(point, structure.directions):
            B += t * sympy.Matrix(Bk)
        y = np.array(B.tolist(), dtype=float)
        pattern = sign_pattern(y, np.array(A.tolist(), dtype=float), places)
        assert pattern.count(-1) == 1  # negative at exactly one real place
        patterns.add(pattern)
    assert len(patterns) == len(places)  # one for each place: together they reach every component


def test_translations_kill_one_place() -> None:
    # I + span(diag(0, 1)): the maps diag(1, s), s != 0: two components (U = diagonal, r = 2)
    zero = Z.zeros(2, 1)
    structure = AffineStructure((Z.eye(2), zero), ((Z([[0, 0], [0, 1]]), zero),), (0,))
    found = unit_components(structure)
    assert found.count == 2 and len(found.points) == 1
    (s,) = found.points[0]
    assert 1 + s < 0  # diag(1, 1 + s) with 1 + s < 0: the other component


def test_irrational_algebras_are_left_to_the_determinant() -> None:
    zero = Z.zeros(2, 1)
    root = AffineStructure((Z.zeros(2, 2), zero), ((Z.eye(2), zero), (Z([[0, sympy.sqrt(2)], [1, 0]]), zero)), (1, 0))
    assert unit_components(root) is None


# -- noncommutative algebras: the published counts of representation theory --------------------
# The commutant of a real representation with isotypic parts of multiplicity k_i is the product of
# M_{k_i}(D_i), D_i = R, C or H by the type of the irreducible; only the real type contributes a
# factor 2 (GL_k(R) has two components; GL_k(C), GL_k(H) are connected).
QUATERNION_I = sympy.Matrix([[0, -1, 0, 0], [1, 0, 0, 0], [0, 0, 0, -1], [0, 0, 1, 0]])  # left mult by i on H
QUATERNION_J = sympy.Matrix([[0, 0, -1, 0], [0, 0, 0, 1], [1, 0, 0, 0], [0, -1, 0, 0]])  # left mult by j on H
ROTATION = sympy.Matrix([[0, -1], [1, 0]])
S3_STANDARD = [sympy.Matrix([[0, -1], [1, -1]]), sympy.Matrix([[0, 1], [1, 0]])]  # order 3, a reflection


def everything(n: int) -> AffineStructure:
    zero = Z.zeros(n, 1)
    units = tuple((Z(n, n, [1 if k == m else 0 for m in range(n * n)]), zero) for k in range(n * n))
    return AffineStructure((Z.zeros(n, n), zero), units, tuple(1 if k % (n + 1) == 0 else 0 for k in range(n * n)))


def joint_structure(mats: list[sympy.Matrix]) -> AffineStructure:
    n = mats[0].rows
    names = [f"z{i + 1}" for i in range(n)]
    z = sympy.Matrix(sympy.symbols(names))
    system = equivid.System.from_maps(names, {f"m{k}": [str(e) for e in M * z] for k, M in enumerate(mats)})
    return equivid.solve(system, ansatz="linear").solution.structure


def element(structure: AffineStructure, point: tuple[sympy.Expr, ...]) -> sympy.Matrix:
    B = sympy.Matrix(structure.base[0])
    for t, (Bk, _) in zip(point, structure.directions):
        B += t * sympy.Matrix(Bk)
    return B


def permutation(p: tuple[int, ...]) -> sympy.Matrix:
    P = sympy.zeros(len(p), len(p))
    for i, j in enumerate(p):
        P[j, i] = 1
    return P


@pytest.mark.parametrize("n", [1, 2, 3])
def test_all_matrices_gl_n_has_two_components(n) -> None:
    found = unit_components(everything(n))
    assert found is not None and found.count == 2 and len(found.points) == 1
    assert element(everything(n), found.points[0]).det() < 0


def test_s4_on_two_copies_of_its_permutation_representation() -> None:
    # V + V, V = trivial + standard (both of real type, multiplicity 2 each): M_2(R) x M_2(R)
    gens = [permutation(g) for g in [(1, 0, 2, 3), (0, 2, 1, 3), (0, 1, 3, 2)]]
    structure = joint_structure([sympy.diag(P, P) for P in gens])
    found = unit_components(structure)
    assert len(structure.directions) == 8 and found is not None and found.count == 4 and len(found.points) == 2


def test_an_even_multiplicity_that_the_determinant_cannot_see() -> None:
    # two copies of S(3)'s standard representation, as I_2 (x) rho(g): the commutant is M_2(R) (x) I_2,
    # whose n x n determinant det(X)**2 is never negative; GL_2(R) still has two components
    mats = [sympy.Matrix(sympy.kronecker_product(sympy.eye(2), g)) for g in S3_STANDARD]
    structure = joint_structure(mats)
    found = unit_components(structure)
    assert found is not None and found.count == 2 and len(found.points) == 1
    B = element(structure, found.points[0])
    X = sympy.Matrix(2, 2, lambda i, j: B[2 * i, 2 * j])  # B = X (x) I_2: read X off
    assert B == sympy.Matrix(sympy.kronecker_product(X, sympy.eye(2))) and X.det() < 0


@pytest.mark.parametrize("copies", [1, 2])
def test_quaternionic_commutants_are_connected(copies) -> None:
    # the quaternion group Q8 on H (left multiplication): commutant H (right multiplication),
    # two copies: M_2(H); GL_k(H) is connected although the algebra is split over C
    mats = [sympy.Matrix(sympy.kronecker_product(sympy.eye(copies), g)) for g in (QUATERNION_I, QUATERNION_J)]
    structure = joint_structure(mats)
    found = unit_components(structure)
    assert len(structure.directions) == 4 * copies**2
    assert found is not None and found.count == 1 and found.points == ()


def test_complex_and_real_factors_together() -> None:
    # I_2 (x) rotation (complex type, multiplicity 2: M_2(C)) beside two copies of a real eigenvalue
    # (M_2(R)): 1 * 2 components
    A = sympy.diag(sympy.Matrix(sympy.kronecker_product(sympy.eye(2), ROTATION)), 3 * sympy.eye(2))
    structure = structure_of(A)
    found = unit_components(structure)
    assert len(structure.directions) == 8 + 4 and found is not None and found.count == 2


def test_the_even_path_conjugated_by_a_unimodular_matrix() -> None:
    # the same M_2(R) (x) I_2 in a skewed basis: the count cannot depend on the basis
    U = sympy.Matrix([[1, 2, 0, -1], [0, 1, 1, 0], [0, 0, 1, 3], [0, 0, 0, 1]]) * sympy.Matrix([[1, 0, 0, 0], [1, 1, 0, 0], [0, -1, 1, 0], [2, 0, 1, 1]])
    assert U.det() in (1, -1)
    mats = [U * sympy.Matrix(sympy.kronecker_product(sympy.eye(2), g)) * U.inv() for g in S3_STANDARD]
    structure = joint_structure(mats)
    found = unit_components(structure)
    assert found is not None and found.count == 2
    B = U.inv() * element(structure, found.points[0]) * U
    X = sympy.Matrix(2, 2, lambda i, j: B[2 * i, 2 * j])
    assert X.det() < 0


# -- the pipeline: answers that were "not determined" are now complete and sound -------------------
def test_the_companion_of_x2_minus_2_has_four_components() -> None:
    group = equivid.solve(equivid.System.from_maps(["z1", "z2"], {"m": ["2*z2", "z1"]}), ansatz="linear")
    assert group.components == 4 and group.complete and len(group.discrete) == 2
    assert equivid.check(group).ok
    report = equivid.cross_examine(group, starts=24)  # an independent numeric second opinion
    assert report.proved == () and report.unproved == ()


def test_a_five_latent_chain_is_decided_without_the_determinant() -> None:
    # a non-derogatory 5x5 matrix (companion of x**5 - 3x**3 + x - 1): above SMALL_DETERMINANT
    A = sympy.zeros(5, 5)
    for i in range(4):
        A[i + 1, i] = 1
    A[:, 4] = sympy.Matrix([1, -1, 0, 3, 0])
    names = [f"z{i + 1}" for i in range(5)]
    z = sympy.Matrix(sympy.symbols(names))
    group = equivid.solve(equivid.System.from_maps(names, {"m": [str(e) for e in A * z]}), ansatz="linear")
    assert group.complete and group.components == 2 ** len(real_places(A))
    assert group.conditions == ()  # the determinant was not expanded
    assert any("real place" in note for note in group.notes)
    assert equivid.check(group).ok


def test_the_proof_sketch_recounts_the_components() -> None:
    import dataclasses

    group = equivid.solve(equivid.System.from_maps(["z1", "z2"], {"m": ["2*z2", "z1"]}), ansatz="linear")
    assert "units" in group.solution.parts and equivid.sketch(group).all_checked
    wrong = dataclasses.replace(group, solution=dataclasses.replace(group.solution, components=8))
    proof = equivid.sketch(wrong)
    assert not proof.all_checked  # a wrong count fails the recount step


def test_a_sign_flip_that_lands_on_det_zero_is_not_a_representative() -> None:
    # J_2(1) (+) a rotation, conjugated: det B(t) = L(t)**2 * (definite quadratic); the flip of L
    # once landed where the quadratic vanishes, and the checker refused a singular representative
    A = sympy.Matrix([[-2, -5, 0, -3], [1, 2, 0, 1], [-1, -1, 1, 0], [0, 0, 0, 1]])
    names = [f"z{i + 1}" for i in range(4)]
    z = sympy.Matrix(sympy.symbols(names))
    group = equivid.solve(equivid.System.from_maps(names, {"m": [str(e) for e in A * z]}), ansatz="linear")
    assert group.complete and group.components == 2 == 2 ** len(real_places(A))
    assert equivid.check(group).ok and equivid.sketch(group).all_checked


# -- the exact steps, each fed a wrong input -----------------------------------------------------
def test_signature_against_numpy_eigenvalues() -> None:
    import flint

    from equivid.solve._units import _signature

    rng = np.random.default_rng(5)
    for _ in range(40):
        k = int(rng.integers(1, 7))
        X = rng.integers(-3, 4, (k, k))
        if rng.random() < 0.5:  # a singular one: zero eigenvalues count for neither side
            X[:, 0] = X[:, 1] if k > 1 else 0
        G = X @ np.diag(rng.choice([-1, 0, 1], k)) @ X.T
        values = np.linalg.eigvalsh(G.astype(float))
        expected = int(np.sum(values > 1e-9) - np.sum(values < -1e-9))
        assert _signature(flint.fmpq_mat(k, k, [int(v) for v in G.flatten()])) == expected


def test_generation_is_proved_not_assumed() -> None:
    import random

    import flint

    from equivid.solve._units import _Algebra

    n = 2
    basis = [flint.fmpq_mat(n, n, [int(k == m) for m in range(n * n)]) for k in range(n * n)]  # all of M_2
    algebra = _Algebra(basis, n, random.Random(0))
    identity = flint.fmpq_mat(n, n, [1, 0, 0, 1])
    diagonal = flint.fmpq_mat(n, n, [1, 0, 0, 2])
    assert not algebra._generates([identity, identity])  # spans Q I only
    assert not algebra._generates([diagonal, diagonal * 3])  # the diagonal algebra only
    assert algebra._generates([diagonal, flint.fmpq_mat(n, n, [0, 1, 1, 0])])


def test_reduced_norm_refuses_a_characteristic_polynomial_of_the_wrong_shape() -> None:
    import flint

    from equivid.solve._units import _reduced_norm_sign

    # a factor of reduced degree 1 met twice: the characteristic polynomial must be a square
    assert _reduced_norm_sign(flint.fmpq_mat(2, 2, [2, 0, 0, 3]), 2, 1, 2) is None  # (x - 2)(x - 3)
    assert _reduced_norm_sign(flint.fmpq_mat(2, 2, [2, 0, 0, 2]), 2, 1, 2) == 1
    assert _reduced_norm_sign(flint.fmpq_mat(2, 2, [-2, 0, 0, -2]), 2, 1, 2) == -1
    # acting as the identity outside the factor: (x - 1) divides off; a wrong trace is refused
    u = flint.fmpq_mat(3, 3, [-2, 0, 0, 0, -2, 0, 0, 0, 1])
    assert _reduced_norm_sign(u, 2, 1, 3) == -1
    assert _reduced_norm_sign(u, 3, 2, 3) is None


# -- split by a commuting matrix's primary components (issue 16, item 1) -------------------------
def jordan(blocks: list[tuple[int, int]]) -> sympy.Matrix:
    parts = []
    for lam, k in blocks:
        J = sympy.eye(k) * lam
        for i in range(k - 1):
            J[i, i + 1] = 1
        parts.append(J)
    return sympy.diag(*parts)


def skew(A: sympy.Matrix, seed: int) -> sympy.Matrix:
    """``A`` conjugated by a seeded unimodular matrix: the count cannot depend on the basis."""
    rng = np.random.default_rng(seed)
    n = A.rows
    U = sympy.eye(n)
    for _ in range(2 * n):
        i, j = (int(x) for x in rng.choice(n, 2, replace=False))
        U[i, :] = U[i, :] + int(rng.choice([-1, 1])) * U[j, :]
    return U * A * U.inv()


@pytest.mark.parametrize("blocks", [
    [(1, 1), (1, 1), (2, 2)],                          # GL(2) x (R[x]/x^2)^x: 2 * 2
    [(-1, 2), (-1, 1), (3, 1), (3, 1), (3, 1)],        # sizes {2, 1} at -1, {1} at 3: 2**3
    [(1, 3), (1, 1), (2, 2), (2, 2), (0, 1), (0, 2)],  # 2**5
])
def test_a_derogatory_commutant_against_the_jordan_formula(blocks) -> None:
    # the published count for one matrix: C(A) / rad = prod over eigenvalues and distinct block
    # sizes of M_(number of blocks of that size)(R), each GL of which has two components
    A = skew(jordan(blocks), seed=len(blocks))
    structure = structure_of(A)
    expected = 2 ** len(set(blocks))
    split = unit_components(structure, commuting=[A])
    whole = unit_components(structure)  # the second algorithm: the algebra taken whole
    assert split is not None and whole is not None
    assert split.count == whole.count == expected
    assert "product of" in split.how and "product of" not in whole.how
    for point in split.points:  # each representative is invertible and lies in the family
        B = element(structure, point)
        assert B.det() != 0 and B * A == A * B


def test_a_matrix_that_does_not_commute_does_not_split_the_algebra() -> None:
    # fed a wrong "commuting" matrix, the split is refused (its blocks would drop entries)
    A = jordan([(1, 1), (1, 1), (2, 1)])
    structure = structure_of(A)
    wrong = sympy.Matrix([[1, 0, 1], [0, 1, 0], [0, 0, 2]])  # two primary components, not in U's commutant
    found = unit_components(structure, commuting=[wrong])
    assert found is not None and found.count == 4 and "product of" not in found.how


def test_projections_outside_the_algebra_do_not_split_it() -> None:
    # S(4) on V + V: a transposition commutes with the commutant but its eigenprojections do not
    # lie in it (the algebra is not the product of the blocks): the whole algebra is taken
    gens = [permutation(g) for g in [(1, 0, 2, 3), (0, 2, 1, 3), (0, 1, 3, 2)]]
    mats = [sympy.diag(P, P) for P in gens]
    found = unit_components(joint_structure(mats), commuting=mats)
    assert found is not None and found.count == 4 and "product of" not in found.how


def test_an_n_dimensional_algebra_is_taken_as_polynomials_only_when_proved() -> None:
    import flint

    from equivid.solve import _units

    n = 4

    def cyclic(mats: list[sympy.Matrix]) -> bool:
        return _units._cyclic([flint.fmpq_mat(n, n, [int(x) for x in M]) for M in mats], n) is not None

    C = sympy.Matrix([[0, 0, 0, -1], [1, 0, 0, 0], [0, 1, 0, 5], [0, 0, 1, 0]])  # non-derogatory
    assert cyclic([C**k for k in range(n)])
    units = [sympy.Matrix(2, 2, [int(k == m) for m in range(4)]) for k in range(4)]
    twice = [sympy.Matrix(sympy.kronecker_product(sympy.eye(2), E)) for E in units]  # M_2(Q) (x) I_2: dim 4 = n
    assert not cyclic(twice)  # non-commutative: no element has a minimal polynomial of degree 4
    assert not cyclic([C**k for k in range(n - 1)])  # the dimension must be n


def test_the_cyclic_shortcut_agrees_with_the_whole_algebra(monkeypatch) -> None:
    # the second algorithm: the general path (centre, generator) on the same commutant
    from equivid.solve import _units

    A = sympy.Matrix([[0, 0, 0, -1], [1, 0, 0, 0], [0, 1, 0, 5], [0, 0, 1, 0]])  # x**4 - 5x**2 + 1: four real
    structure = structure_of(A)
    fast = unit_components(structure)
    monkeypatch.setattr(_units, "_cyclic", lambda U, n: None)
    general = unit_components(structure)
    assert fast is not None and general is not None and fast.count == general.count == 16


# -- the commutant of one cyclic matrix above 12 latents: Q[A], decided from A alone ---------------
def _cyclic_matrix(n: int, seed: int) -> sympy.Matrix:
    rng = np.random.default_rng(seed)
    while True:
        A = sympy.Matrix(rng.integers(-3, 4, (n, n)).tolist())
        if sympy.Poly(A.charpoly().as_expr()).degree() == n and sympy.gcd(
                A.charpoly().as_expr(), sympy.diff(A.charpoly().as_expr())) == 1:
            return A  # squarefree characteristic polynomial: non-derogatory and diagonalisable


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_powers_of_a_cyclic_matrix_against_the_real_roots(seed) -> None:
    from equivid.solve._matrix import to_flint
    from equivid.solve._units import _power_basis

    A = _cyclic_matrix(14, seed)
    structure = structure_of(A)
    directions = [to_flint(B) for B, _ in structure.directions]
    assert _power_basis(to_flint(structure.base[0]), directions, [to_flint(A)], 14) is not None  # this path ran
    found = unit_components(structure, commuting=structure.commuting)
    places = real_places(A)
    assert found.count == 2 ** len(places) and len(found.points) == len(places)
    patterns = set()
    for point in found.points:  # each representative: negative at exactly one real place
        B = sum((t * np.array(sympy.Matrix(Bk).tolist(), dtype=float) for t, (Bk, _) in zip(point, structure.directions)),
                np.zeros((14, 14)))
        pattern = sign_pattern(B, np.array(A.tolist(), dtype=float), [float(p) for p in places])
        assert pattern.count(-1) == 1
        patterns.add(pattern)
    assert len(patterns) == len(places)


def test_a_basis_that_is_not_the_powers_is_not_read_as_them() -> None:
    import flint

    from equivid.solve._matrix import to_flint
    from equivid.solve._units import _power_basis

    A = to_flint(_cyclic_matrix(14, 0))
    eye = flint.fmpq_mat(14, 14, [int(i == j) for i in range(14) for j in range(14)])
    powers = [eye]
    for _ in range(13):
        powers.append(powers[-1] * A)
    zero = flint.fmpq_mat(14, 14)
    assert _power_basis(zero, powers, [A], 14) is A
    wrong = powers[:5] + [powers[5] + powers[4]] + powers[6:]  # the same span, another basis
    assert _power_basis(zero, wrong, [A], 14) is None
    assert _power_basis(eye, powers, [A], 14) is None  # a base that is not zero: I + span, not span
    assert _power_basis(zero, powers[:-1], [A], 14) is None  # too few directions


def test_a_direction_that_agrees_on_the_cyclic_vector_only_fails_the_check() -> None:
    # D = A**2 + N with N e1 = 0 passes the cyclic-vector comparison, but D does not commute
    # with A: the solution's matrix check (which the power path relies on) rejects it
    from equivid.solve._forms import affine_forms
    from equivid.solve.check import matrix_failures

    A = _cyclic_matrix(14, 0)
    names = [f"z{i + 1}" for i in range(14)]
    system = equivid.System.from_maps(names, {"m": [str(e) for e in A * sympy.Matrix(sympy.symbols(names))]})
    N = sympy.zeros(14, 14)
    N[0, 1] = 1
    D = Z(A**2 + N)
    assert (D * sympy.eye(14)[:, 0]) == (A**2 * sympy.eye(14)[:, 0])
    zero = Z.zeros(14, 1)
    failures = matrix_failures(None, affine_forms(system), 14, checks=[("generator 3", (D, zero), True)])
    assert failures == ["generator 3 fails the commuting condition for m"]


def test_the_check_of_a_power_chain_refuses_a_wrong_power_and_keeps_a_right_one() -> None:
    # directions I, A, A**2, ... are proved by one product each (A**k = A A**(k-1)); a direction
    # that is not that product is checked directly: refused when it does not commute, kept
    # when it does (a scaled power), and the directions after it are checked directly too
    from equivid.solve._forms import affine_forms
    from equivid.solve.check import matrix_failures

    A = _cyclic_matrix(14, 0)
    names = [f"z{i + 1}" for i in range(14)]
    system = equivid.System.from_maps(names, {"m": [str(e) for e in A * sympy.Matrix(sympy.symbols(names))]})
    forms = affine_forms(system)
    zero = Z.zeros(14, 1)
    powers = [sympy.eye(14)]
    for _ in range(6):
        powers.append(powers[-1] * A)

    def failures(directions: list[sympy.Matrix]) -> list[str]:
        checks = [(f"generator {k + 1}", (Z(D), zero), True) for k, D in enumerate(directions)]
        return matrix_failures(None, forms, 14, checks=checks)

    assert failures(powers) == []
    N = sympy.zeros(14, 14)
    N[0, 1] = 1
    assert failures(powers[:3] + [powers[3] + N] + powers[4:]) == ["generator 4 fails the commuting condition for m"]
    assert failures(powers[:3] + [2 * powers[3]] + powers[4:]) == []
    assert failures(powers[:5] + [powers[5] + N]) == ["generator 6 fails the commuting condition for m"]
    # a direction that is the product of the first and the previous one, where these were
    # not proved, is not taken on trust
    assert failures([powers[0], powers[1] + N, (powers[1] + N) ** 2]) == [
        "generator 2 fails the commuting condition for m", "generator 3 fails the commuting condition for m"]
