"""docs/theory.md's results and worked examples, stated as hypothesis properties with the
public strategies of :mod:`equivid.testing.strategies`.

Each test names the statement it checks. They run under the profiles of
``equivid.testing.pytest_plugin`` (derandomized in CI).
"""

from __future__ import annotations

import math

import pytest
import sympy
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import equivid
from equivid.testing import (
    assert_complete,
    assert_consistent_encoder,
    assert_identifiable_up_to,
    assert_sound,
)
from equivid.testing import strategies as eqst


def names(n):
    return [f"z{k + 1}" for k in range(n)]


def spec(data) -> equivid.System:
    return equivid.System.from_spec(yaml.safe_dump(data))


# -- result 1: exact mechanisms -------------------------------------------------------------
@given(eqst.affine_systems(max_n=3), st.sampled_from(["linear", "affine"]))
def test_result_1_the_answer_is_sound_and_complete(system, ansatz):
    """E(M) = {a : a∘m = m∘a}: every reported element commutes, nothing is missing."""
    group = equivid.solve(system, ansatz=ansatz)
    assert_complete(assert_sound(group))


@given(eqst.affine_systems(max_n=2, flows=False))
def test_result_1_as_a_statement_about_learners(system):
    """a in E(M) iff the encoder a∘g^-1 is consistent, for an invertible decoder g."""
    assert_consistent_encoder(equivid.solve(system, ansatz="affine"), elements=2, samples=50)


@given(st.integers(1, 3).flatmap(lambda n: eqst.linear_mechanisms(n, distinct=True)))
def test_distinct_eigenvalues_give_scalings_in_the_eigenbasis(A):
    """Diagonalizable A with distinct eigenvalues: the polynomials in A, i.e. diagonal
    scalings in A's eigenbasis (n parameters)."""
    n = A.rows
    system = equivid.System.from_maps(names(n), {"m": eqst.map_strings(A)})
    group = equivid.solve(system, ansatz="linear")
    assert group.dimension == n
    P, _ = A.diagonalize()
    B = sympy.Matrix([[sympy.diff(e, z) for z in group.latents] for e in group.sample(0)])
    D = P.inv() * B * P
    assert all(D[i, j] == 0 for i in range(n) for j in range(n) if i != j)


@given(st.integers(2, 3).flatmap(lambda n: st.lists(
    eqst.rationals().filter(lambda q: q not in (0, 1)), min_size=n, max_size=n, unique=True)))
def test_distinct_diagonal_entries_give_diagonal_scalings(entries):
    """D z with distinct entries != 1: diagonal scalings (docs/theory.md table, row 3)."""
    n = len(entries)
    D = sympy.diag(*entries)
    system = equivid.System.from_maps(names(n), {"grow": eqst.map_strings(D)})
    assert_identifiable_up_to(system, "diagonal scalings", ansatz="affine")


@given(eqst.jordan_matrices(max_n=3))
def test_commutant_dimension_formula(A):
    """dim of the commutant = sum over eigenvalues of sum_{i,j} min(p_i, p_j) over the
    Jordan block sizes p (docs/theory.md table, row 4)."""
    system = equivid.System.from_maps(names(A.rows), {"m": eqst.map_strings(A)})
    _, J = A.jordan_form()
    blocks: dict = {}
    i = 0
    while i < J.rows:
        size = 1
        while i + size < J.rows and J[i + size - 1, i + size] == 1:
            size += 1
        blocks.setdefault(J[i, i], []).append(size)
        i += size
    expected = sum(min(p, q) for sizes in blocks.values() for p in sizes for q in sizes)
    assert equivid.solve(system, ansatz="linear").dimension == expected


@given(st.integers(1, 12), st.integers(1, 12), st.booleans())
def test_rotations_by_angles_not_multiple_of_pi_give_scaled_rotations(u, v, flip):
    """Rotation with cos = (u^2 - v^2)/(u^2 + v^2), sin = 2uv/(u^2 + v^2): exact, and
    sin != 0, so never a multiple of pi: aI + bJ, 2 parameters (docs/theory.md table, row 5)."""
    c, s = sympy.Rational(u * u - v * v, u * u + v * v), sympy.Rational(2 * u * v, u * u + v * v)
    s = -s if flip else s
    R = sympy.Matrix([[c, -s], [s, c]])
    system = equivid.System.from_maps(["z1", "z2"], {"turn": eqst.map_strings(R)})
    assert_identifiable_up_to(system, "scaled rotations", ansatz="linear")


@given(st.integers(1, 3).flatmap(lambda n: st.lists(
    st.integers(-3, 4).filter(lambda k: k not in (0, 1)), min_size=n, max_size=n, unique=True)))
def test_scaling_and_push_identify_fully(entries):
    """D z (distinct entries != 1) and z + 1: fully identified (docs/theory.md table, row 6)."""
    n = len(entries)
    system = equivid.System.from_maps(
        names(n), {"grow": eqst.map_strings(sympy.diag(*entries)), "push": eqst.map_strings(sympy.eye(n), [1] * n)}
    )
    assert equivid.solve(system, ansatz="affine").identifiable


@given(st.integers(1, 3))
def test_one_push_fixes_its_direction(n):
    """z + e1: B e1 = e1 and c free, n^2 parameters (docs/theory.md table, row 2)."""
    push = [1] + [0] * (n - 1)
    system = equivid.System.from_maps(names(n), {"push": eqst.map_strings(sympy.eye(n), push)})
    group = equivid.solve(system, ansatz="affine")
    assert group.dimension == n * n
    assert_complete(assert_sound(group))


@given(st.integers(1, 3).flatmap(lambda n: eqst.translation_sets(n)))
def test_spanning_translations_give_translations(pushes):
    """Pushes z + d_k spanning R^n: translations (n parameters)."""
    n = len(next(iter(pushes.values())))
    system = equivid.System.from_maps(names(n), pushes)
    assert_identifiable_up_to(system, f"translations R^{n}", ansatz="affine")


# -- result 2: a known class -----------------------------------------------------------------
@given(st.integers(1, 2).flatmap(lambda n: eqst.translation_sets(n)))
def test_class_of_translations_gives_affine_maps(pushes):
    """Translations spanning R^n, known only as translations: all affine maps (n^2 + n)."""
    n = len(next(iter(pushes.values())))
    system = spec({"latents": names(n), "mechanisms": pushes, "learner": {"knows": "class", "class": "translations"}})
    group = equivid.solve(system, ansatz="affine")
    assert group.dimension == n * n + n
    exact = equivid.solve(equivid.System.from_maps(names(n), pushes), ansatz="affine")
    assert group.dimension >= exact.dimension  # less knowledge, larger set


@given(st.integers(2, 3).flatmap(lambda n: st.lists(
    st.integers(-3, 4).filter(lambda k: k not in (0, 1)), min_size=n, max_size=n, unique=True)))
@settings(max_examples=12)  # 80 inputs in all, each a class solve of seconds; a dozen cover both sizes and signs
def test_class_of_diagonal_maps_gives_permutations_times_scalings(entries):
    """D z known only as a diagonal map: permutations times scalings (n parameters,
    2^n n! components)."""
    n = len(entries)
    system = spec({
        "latents": names(n), "mechanisms": {"grow": eqst.map_strings(sympy.diag(*entries))},
        "learner": {"knows": "class", "class": "diagonal"},
    })
    group = equivid.solve(system, ansatz="linear")
    assert group.dimension == n
    assert group.components == 2**n * math.factorial(n)


@given(st.integers(1, 3))
def test_sparse_perturbations_give_permutations_scalings_offsets(n):
    """One-coordinate perturbations of unknown size: permutations, scalings and offsets
    (2n parameters; Locatello et al. 2020)."""
    pushes = {f"nudge_{i + 1}": eqst.map_strings(sympy.eye(n), [int(k == i) for k in range(n)]) for i in range(n)}
    system = spec({"latents": names(n), "mechanisms": pushes, "learner": {"knows": "class", "class": "axis_translations"}})
    group = equivid.solve(system, ansatz="affine")
    assert group.dimension == 2 * n
    assert_sound(group)


# -- result 3: stochastic mechanisms ------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 2, pytest.param(3, marks=pytest.mark.slow)])
def test_isotropic_gaussian_walk_gives_rotations_and_translations(n):
    """Random walk with isotropic Gaussian steps: O(n) and translations."""
    identity = [[int(i == j) for j in range(n)] for i in range(n)]
    system = spec({"latents": names(n), "mechanisms": {"walk": {"map": names(n), "noise": {"law": "gaussian", "cov": identity}}}})
    group = equivid.solve(system, ansatz="affine")
    assert group.dimension == n * (n - 1) // 2 + n
    assert_sound(group)


@given(st.integers(1, 3), st.sampled_from(["laplace", "uniform"]))
def test_iid_non_gaussian_walk_gives_signed_permutations_and_translations(n, law):
    """Random walk with i.i.d. Laplace (or uniform) steps: signed permutations plus
    translations (Klindt et al. 2021)."""
    system = spec({"latents": names(n), "mechanisms": {"walk": {"map": names(n), "noise": {"law": law, "scale": 1}}}})
    group = equivid.solve(system, ansatz="affine")
    assert group.dimension == n
    swap = names(n)[1:] + names(n)[:1]
    flipped = [f"-{swap[0]}"] + swap[1:]
    assert group.contains("(" + ", ".join(flipped) + ("," if n == 1 else "") + ")")


# -- finite-state systems ------------------------------------------------------------------------
@given(eqst.finite_tables())
def test_finite_state_groups_are_complete_and_bounded(system):
    """The automorphism group of the functional digraph, checked against brute force; if
    every state is reachable from one state, the order is at most the number of states."""
    import numpy as np

    from equivid.finite import mechanism_tables

    group = equivid.solve(system)
    assert_complete(assert_sound(group))
    tables = [np.asarray(t) for t in mechanism_tables(system)]
    size = len(tables[0])
    for root in range(size):
        seen, frontier = {root}, [root]
        while frontier:
            s = frontier.pop()
            for t in tables:
                if int(t[s]) not in seen:
                    seen.add(int(t[s]))
                    frontier.append(int(t[s]))
        if len(seen) == size:
            assert group.order <= size
            break


# -- polynomial mechanisms --------------------------------------------------------------------------
@given(eqst.triangular_automorphisms(2, degree=2))
def test_polynomial_automorphisms_give_sound_groups(components):
    """Triangular polynomial mechanisms: every element found among affine maps commutes,
    and the Lie algebra matches a floating-point nullspace."""
    system = equivid.System.from_maps(["z1", "z2"], {"m": components})
    assert_complete(assert_sound(equivid.solve(system, ansatz="affine")))
