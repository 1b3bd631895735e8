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


def test_noncommutative_and_irrational_algebras_are_left_to_the_determinant() -> None:
    zero = Z.zeros(2, 1)
    everything = tuple((Z(2, 2, [1 if k == m else 0 for m in range(4)]), zero) for k in range(4))
    assert unit_components(AffineStructure((Z.zeros(2, 2), zero), everything, (1, 0, 0, 1))) is None
    root = AffineStructure((Z.zeros(2, 2), zero), ((Z.eye(2), zero), (Z([[0, sympy.sqrt(2)], [1, 0]]), zero)), (1, 0))
    assert unit_components(root) is None


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
