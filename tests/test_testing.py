"""equivid.testing: the assertions catch wrong answers, the strategies draw what they say."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sympy
from hypothesis import given, settings

import equivid
from equivid.testing import (
    assert_complete,
    assert_consistent_encoder,
    assert_identifiable_up_to,
    assert_sound,
    random_invertible_decoder,
)
from equivid.testing import strategies as eqst

z1, z2 = sympy.symbols("z1 z2")
GROW = equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})


def tampered(group, **changes):
    return equivid.EquivarianceGroup(group.system, replace(group.solution, **changes), group.name)


def test_identifiable_up_to_a_name_and_a_group():
    group = assert_identifiable_up_to(GROW, "diagonal scalings", ansatz="affine")
    assert assert_identifiable_up_to(GROW, group) is not group
    with pytest.raises(AssertionError, match="expected signed permutations, got diagonal scalings"):
        assert_identifiable_up_to(GROW, "signed permutations")
    other = equivid.solve(equivid.System.from_maps(["z1", "z2"], {"push": ["z1 + 1", "z2"]}))
    with pytest.raises(AssertionError, match="dimension: expected 4, got 2"):
        assert_identifiable_up_to(GROW, other)


def test_assert_sound_catches_a_wrong_element():
    group = equivid.solve(GROW)
    t1, t2 = group.parameters
    with pytest.raises(AssertionError, match="does not commute"):
        assert_sound(tampered(group, general_element=(t1 * z1, t2 * z2 + 1)))
    with pytest.raises(AssertionError, match="Lie generator"):
        assert_sound(tampered(group, lie_algebra=group.lie_algebra + ((z2, 0),)))


def test_assert_complete_catches_a_missing_generator():
    group = equivid.solve(GROW)
    assert_complete(group)
    with pytest.raises(AssertionError, match="numeric nullspace .* dimension 2, the solver's Lie algebra 1"):
        assert_complete(tampered(group, lie_algebra=group.lie_algebra[:1]))


def test_assert_complete_brute_forces_finite_groups():
    group = equivid.solve(equivid.System.from_spec("states: {s: 6}\nmechanisms: {step: 'Mod(s + 1, 6)'}\n"))
    assert_complete(group)
    assert group.order == 6


def test_consistent_encoder_and_an_outside_map():
    group = equivid.solve(GROW)
    assert_consistent_encoder(group, outside="(z2, z1)")
    with pytest.raises(AssertionError, match="outside the group, still gives a consistent encoder"):
        assert_consistent_encoder(group, outside="(z1 + 1/10**9, z2)")  # outside, numerically consistent: must fail
    with pytest.raises(equivid.SpecError, match="not in the group"):
        assert_consistent_encoder(group, outside="(5*z1, -z2)")  # a member cannot be the map outside


def test_assert_complete_says_when_it_has_no_oracle():
    from equivid.testing import NoOracleError

    walk = equivid.System.from_spec("latents: [z1]\nmechanisms:\n  walk: {map: [z1], noise: {law: laplace, scale: 1}}\n")
    with pytest.raises(NoOracleError, match="no oracle") as raised:
        assert_complete(equivid.solve(walk))
    assert not isinstance(raised.value, AssertionError)  # "not tested" is not a failed test


def test_random_decoder_is_inverted_exactly():
    import numpy as np

    g, g_inv = random_invertible_decoder(3, rng=4)
    z = np.random.default_rng(1).normal(size=(100, 3))
    assert np.allclose(g_inv(g(z)), z, atol=1e-10)


@given(eqst.linear_mechanisms(spectrum=[2, 3, 6]))
def test_prescribed_spectrum(A):
    assert sorted(A.eigenvals()) == [2, 3, 6] and all(x.is_Rational for x in A)


@given(eqst.jordan_matrices([(2, 2), (3, 1)]))
def test_prescribed_jordan_structure(A):
    _, J = A.jordan_form()
    assert sorted(J.diagonal()) == [2, 2, 3] and sum(J[i, i + 1] for i in range(2)) == 1


@given(eqst.unimodular_matrices(3))
def test_unimodular(P):
    assert abs(P.det()) == 1


@given(eqst.translation_sets(2))
def test_translation_sets_span(pushes):
    ds = [[sympy.sympify(c) - z for c, z in zip(m, (z1, z2))] for m in pushes.values()]
    assert sympy.Matrix(ds).rank() == 2


@given(eqst.triangular_automorphisms(2))
def test_triangular_automorphisms_invert(components):
    from equivid.solve._polynomial import polynomial_inverse

    assert polynomial_inverse(tuple(sympy.sympify(c) for c in components), (z1, z2)) is not None


@settings(max_examples=10)  # each example is an affine noise solve (about 1.5 s)
@given(eqst.noise_laws(2))
def test_noise_laws_are_valid_specs(noise):
    import yaml

    system = equivid.System.from_spec(yaml.safe_dump({"latents": ["z1", "z2"], "mechanisms": {"walk": {"map": ["z1", "z2"], "noise": noise}}}))
    assert equivid.solve(system).dimension >= 2  # translations at least


@given(eqst.systems("diagonalizable", n=2, distinct=True).flatmap(lambda s: eqst.group_elements(equivid.solve(s, ansatz="linear")).map(lambda a: (s, a))))
def test_group_elements_are_members(pair):
    system, a = pair
    assert equivid.solve(system, ansatz="linear").contains(a)


def test_unknown_system_kind_is_a_spec_error():
    with pytest.raises(equivid.SpecError, match="kind"):
        eqst.systems("banana")


def test_plugin_profiles(monkeypatch):
    from equivid.testing.pytest_plugin import load_profile

    monkeypatch.setenv("EQUIVID_HYPOTHESIS_PROFILE", "equivid-dev")
    assert load_profile() == "equivid-dev"
    monkeypatch.setenv("EQUIVID_HYPOTHESIS_PROFILE", "fast")
    with pytest.raises(equivid.SpecError, match="EQUIVID_HYPOTHESIS_PROFILE"):
        load_profile()
    monkeypatch.delenv("EQUIVID_HYPOTHESIS_PROFILE")
    monkeypatch.setenv("CI", "1")
    assert load_profile() == "equivid-ci"
    monkeypatch.undo()
    load_profile()  # back to the session's profile
