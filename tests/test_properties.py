"""What the learner can recover (identifiable properties), the dimension profile with
the invariant functions that drive it, and mechanisms that generate infinite cyclic groups."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy

import equivid
from equivid.cli import EXAMPLES, main

z1, z2, z3 = sympy.symbols("z1 z2 z3")


def solve(maps, ansatz="affine", latents=("z1", "z2"), families=()):
    return equivid.solve(equivid.System.from_maps(list(latents), maps, families=list(families)), ansatz=ansatz)


@pytest.mark.parametrize(
    "maps, ansatz, latents, expected",
    [
        # rotations about the origin (O(2) from isotropic Gaussian steps, linear class)
        (None, "linear", ("z1", "z2"), (z1**2 + z2**2,)),
        # z1 is ambiguous (shifts); z2 only up to sign, since z2 + z2**3 is odd
        ({"m": ["z1 + 1", "z2"], "k": ["z1", "2*z2"], "j": ["z1", "z2 + z2**3"]}, "affine", ("z1", "z2"), (z2**2,)),
        # scaled rotations about the z3 axis, z3 up to sign
        ({"turn": ["-z2", "z1", "z3"], "lift": ["z1", "z2", "z3 + z3**3"]}, "linear", ("z1", "z2", "z3"),
         (z3**2,)),
        # diagonal scalings: nothing
        ({"grow": ["2*z1", "3*z2"]}, "affine", ("z1", "z2"), ()),
    ],
    ids=["rotations", "shear-only-z1", "turn-z3", "scalings"],
)
def test_identifiable_properties_table(maps, ansatz, latents, expected):
    group = (
        equivid.solve(equivid.load(EXAMPLES / "gaussian_walk.yaml"), ansatz=ansatz)
        if maps is None else solve(maps, ansatz, latents)
    )
    found = group.identifiable_properties(3)
    assert found[: len(expected)] == expected if expected else not found
    if expected:
        assert all(sympy.expand(e - expected[k]) == 0 for k, e in enumerate(found[: len(expected)]))


def test_identifiable_properties_are_invariant_under_sampled_elements():
    group = equivid.solve(equivid.load(EXAMPLES / "gaussian_walk.yaml"), ansatz="linear")
    (phi,) = group.identifiable_properties(2)
    rng = np.random.default_rng(5)
    for _ in range(4):
        a = group.sample(rng)
        assert sympy.simplify(phi.xreplace(dict(zip(group.latents, a))) - phi) == 0
    # a property that some element changes is not reported
    assert z1 not in group.identifiable_properties(2)


def test_discrete_parts_cut_the_properties_down():
    # z1 is fixed up to sign: z1**2 is recoverable, z1 is not
    group = solve({"m": ["z1**3", "z2 + 1"]}, ansatz="affine")
    assert (-z1, z2) in group.discrete or any(a[0] == -z1 for a in group.discrete)
    found = group.identifiable_properties(2)
    assert z1**2 in found and z1 not in found


def test_rational_properties_for_linear_groups():
    # two shears in opposite directions: only the scalings t*z commute, so z1/z2 is recoverable
    group = solve({"up": ["z1 + z2", "z2"], "down": ["z1", "z1 + z2"]}, ansatz="linear")
    assert group.general_element == (group.parameters[0] * z1, group.parameters[0] * z2)
    assert group.identifiable_properties(2) == (z1 / z2,)
    assert group.identifiable_properties(2, rational=False) == ()


def test_identifiable_properties_refuse_finite_state_systems():
    group = equivid.solve(equivid.load(EXAMPLES / "cycle_12.yaml"))
    with pytest.raises(equivid.UnsupportedMechanismError, match="continuous latents"):
        group.identifiable_properties(2)


@pytest.mark.parametrize(
    "maps, profile, finite, invariants",
    [
        ({"push": ["z1 + 1", "z2"]}, {1: 4, 2: 6, 3: 8}, False, (z2,)),
        ({"grow": ["2*z1", "3*z2"]}, {1: 2, 2: 2, 3: 2}, True, ()),
        ({"m": ["z1", "z2 + exp(z1)"]}, {1: 3, 2: 5, 3: 7}, False, (z1,)),
    ],
)
def test_dimension_profile_and_the_invariants_that_drive_it(maps, profile, finite, invariants):
    result = solve(maps).dimension_profile(3)
    assert dict(result) == profile and result.finite_dimensional is finite
    assert result.invariants == invariants


def test_cyclic_mechanisms_are_reported():
    group = solve({"m": ["z1", "z2 + exp(z1)"]})
    assert [name for name, _ in group.cyclic] == ["m"]
    assert group.to_dict()["cyclic"] == [{"mechanism": "m", "why": "triangular with constant non-zero diagonal"}]
    assert any("the powers of the mechanism m, a cyclic group" in note for note in group.notes)
    # z1**3 is a bijection of R, but neither triangular-affine in z1 nor polynomially invertible
    assert solve({"m": ["z1**3", "z2"]}).cyclic == ()


def test_json_degree_keys(capsys):
    assert main(["analyze", "translation_single", "--format", "json", "--degree", "3"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["identifiable_properties"] == []
    assert data["dimension_profile"] == {
        "degrees": {"1": 4, "2": 6, "3": 8}, "finite_dimensional": False, "invariants": ["z2"],
    }
    assert main(["analyze", "translation_single", "--format", "json", "--degree", "0"]) == 0
    assert "dimension_profile" not in json.loads(capsys.readouterr().out)


def test_text_report_lists_what_the_learner_can_recover(capsys):
    assert main(["analyze", "gaussian_walk", "--ansatz", "linear"]) == 0
    out = capsys.readouterr().out
    assert "recoverable: z1**2 + z2**2" in out


@pytest.mark.parametrize("value", ["-1", "two", "1.5"])
def test_bad_degree_is_one_line_exit_2(capsys, value):
    assert main(["analyze", "translation_single", "--degree", value]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--degree" in err
