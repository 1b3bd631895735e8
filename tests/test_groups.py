"""EquivarianceGroup: numbers, membership, sampling, naming, exports."""

from __future__ import annotations

import json

import pytest
import sympy

import equivid

z1, z2, z3 = sympy.symbols("z1 z2 z3")


def solve(maps, latents=("z1", "z2"), **kwargs):
    ansatz = kwargs.pop("ansatz", "affine")
    return equivid.solve(equivid.System.from_maps(list(latents), maps, **kwargs), ansatz=ansatz)


@pytest.mark.parametrize(
    "maps, latents, ansatz, name",
    [
        ({"m": ["2*z1", "2*z2"]}, ("z1", "z2"), "linear", "GL(2)"),
        ({"m": ["2*z1", "3*z2"]}, ("z1", "z2"), "linear", "diagonal scalings"),
        ({"m": ["2*z1", "3*z2", "5*z3"]}, ("z1", "z2", "z3"), "linear", "diagonal scalings"),
        ({"m": ["z1 + z2", "z2"]}, ("z1", "z2"), "linear", "commutant of the linear part of m (polynomials in it)"),
        ({"m": ["-z2", "z1"]}, ("z1", "z2"), "linear", "scaled rotations"),
        ({"m": ["z1 + 1", "z2 + 1"], "k": ["2*z1", "3*z2"]}, ("z1", "z2"), "affine", "trivial"),
        ({"m": ["z1 + 1"]}, ("z1",), "affine", "translations R^1"),
        ({"m": ["2*z1"]}, ("z1",), "linear", "GL(1)"),
        ({"m": ["z1", "z2"]}, ("z1", "z2"), "affine", "affine group Aff(2)"),
        ({"m": ["-z2", "z1"]}, ("z1", "z2"), "affine", "scaled rotations"),
    ],
    ids=lambda v: str(v)[:30],
)
def test_names(maps, latents, ansatz, name):
    assert solve(maps, latents, ansatz=ansatz).name == name


def test_uniform_scalings_and_circulants():
    cyclic = solve({"m": ["z2", "z3", "z1"]}, ("z1", "z2", "z3"), ansatz="linear")
    assert cyclic.dimension == 3 and cyclic.name.endswith("(polynomials in it)")
    scalars = solve({"turn": ["-z2", "z1"], "flip": ["z1", "-z2"]}, ansatz="linear")
    assert scalars.name == "uniform scalings" and scalars.components == 2


def test_membership_reasons():
    group = solve({"grow": ["2*z1", "3*z2"]})
    assert group.membership("(5*z1, -z2)").member
    outside = group.membership("(z1**3, z2)")
    assert not outside.in_ansatz and not outside.member
    singular = group.membership("(0, z2)")
    assert singular.in_ansatz and not singular.invertible
    swapped = group.membership(["z2", "z1"])
    assert swapped.invertible and not swapped.commutes


def test_invertibility_outside_the_class_is_not_claimed():
    """z1**3 is a bijection of R: outside the affine class it is not called "not invertible"
    (invertibility is not read there), while whether it commutes is still decided."""
    group = solve({"grow": ["2*z1", "3*z2"]})
    cube = group.membership("(z1**3, z2)")
    assert not cube.in_ansatz and cube.invertible is None and not cube.member
    assert cube.commutes is False  # (2 z1)**3 != 2 z1**3
    check = group.to_dict(checks=["(z1**3, z2)"])["checks"][0]
    assert check["invertible"] is None and check["member"] is False
    inside = group.to_dict(checks=["(0, z2)"])["checks"][0]
    assert inside["invertible"] is False and inside["in_ansatz"] is True


def test_a_class_answer_leaves_undecided_what_it_did_not_read():
    group = equivid.solve(equivid.System.from_spec(
        "latents: [z1, z2]\nmechanisms: {grow: [2*z1, 3*z2]}\nlearner: {knows: class, class: diagonal}\n"))
    outside = group.membership("(z1**3, z2)")
    assert (outside.in_ansatz, outside.invertible, outside.commutes, outside.member) == (False, None, None, False)
    singular = group.membership("(0, z2)")
    assert (singular.in_ansatz, singular.invertible, singular.commutes) == (True, False, None)
    assert group.membership("(z2, 5*z1)").member  # a permutation times scalings


def test_linear_ansatz_excludes_translations():
    group = solve({"m": ["z1 + 1", "z2"]}, ansatz="linear")
    assert not group.contains("(z1 + 1, z2)")
    assert group.contains("(z1, 3*z2)")
    assert group.ansatz.kind == "linear"


def test_sample_is_deterministic_and_in_the_group():
    group = solve({"push": ["z1 + 1", "z2"]})
    assert group.sample(rng=3) == group.sample(rng=3)
    assert all(group.contains(group.sample(rng=seed)) for seed in range(5))


def test_to_dict_has_the_contract_keys_and_is_json():
    group = solve({"push": ["z1 + 1", "z2"]})
    data = group.to_dict(checks=["(z1 + 5, z2)", "(2*z1, z2)"])
    for key in ("latents", "ansatz", "dimension", "finite", "order", "identifiable", "general_element",
                "parameters", "lie_algebra", "name", "verdict", "checks"):
        assert key in data
    assert [c["member"] for c in data["checks"]] == [True, False]
    assert data["dimension"] == 4 and data["order"] is None and not data["finite"]
    assert json.loads(json.dumps(data)) == data


def test_verdicts():
    assert solve({"m": ["2*z1", "3*z2"], "p": ["z1 + 1", "z2 + 1"]}).verdict.startswith("fully identifiable")
    verdict = solve({"grow": ["2*z1", "3*z2"]}).verdict
    assert verdict.startswith("identifiable up to diagonal scalings") and "4 components" in verdict


def test_latex_and_text():
    group = solve({"grow": ["2*z1", "3*z2"]})
    assert group._repr_latex_().startswith("$\\left\\{")
    assert "diagonal scalings" in str(group)


def test_notes_state_the_translation_theorem():
    group = solve({"shift": ["z1 + d1", "z2 + d2"]}, families=["d1", "d2"])
    assert any("among all maps" in note for note in group.notes)
    single = solve({"push": ["z1 + 1", "z2"]})
    assert any("periodic" in note for note in single.notes)


def test_parameters_avoid_latent_names():
    group = solve({"m": ["t1 + 1", "t2"]}, latents=("t1", "t2"))
    assert not {p.name for p in group.parameters} & {"t1", "t2"}


def test_flows_and_maps_together():
    system = equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "2*z2"]}, flows={"spin": ["-z2", "z1"]})
    group = equivid.solve(system, ansatz="linear")
    assert group.name == "scaled rotations"
