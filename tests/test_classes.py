"""Hypothesis classes (docs/theory.md#result-2-a-known-class-of-mechanisms): the set {a : a∘m∘a^{-1} in H}, exactly."""

import numpy as np
import pytest
import sympy

import equivid
from equivid.cli import main

Z = sympy.symbols("z1 z2")


def solve(spec):
    return equivid.solve(equivid.System.from_spec(spec))


def spec(mechanisms, cls):
    lines = ["latents: [z1, z2]", "mechanisms:"] + [f"  {k}: {v}" for k, v in mechanisms.items()]
    return "\n".join(lines) + f"\nlearner: {{knows: class, class: {cls}}}\n"


# -- docs/theory.md rows -------------------------------------------------------------------------
def test_translations_class_gives_all_affine_maps():
    group = solve(spec({"px": "[z1 + 1, z2]", "py": "[z1, z2 + 1]"}, "translations"))
    assert (group.dimension, group.name, group.solution.is_group) == (6, "affine group Aff(2)", True)
    assert group.contains("(2*z1 + z2 + 1, z2)") and not group.contains("(z1**2, z2)")


@pytest.mark.parametrize("cls", ["diagonal", "{template: [a*z1, b*z2], unknowns: [a, b]}"], ids=["named", "template"])
def test_diagonal_class_gives_permutations_times_scalings(cls):
    group = solve(spec({"grow": "[2*z1, 3*z2]"}, cls))
    assert (group.dimension, group.components, group.solution.is_group) == (2, 8, True)
    assert group.name == "monomial matrices (permutations times scalings)"
    assert group.contains("(3*z2, -z1)")
    assert not group.contains("(z1 + z2, z2)") and not group.contains("(z1 + 1, z2)")


def test_axis_translations_along_every_axis_give_permutations_scalings_offsets():
    group = solve(spec({"n1": "[z1 + 1, z2]", "n2": "[z1, z2 + 1]"}, "axis_translations"))
    assert (group.dimension, group.components, group.solution.is_group) == (4, 8, True)
    assert group.contains("(3*z2 + 1, -z1 + 5)") and not group.contains("(z1 + z2, z2)")


def test_a_single_axis_push_gives_a_set_that_is_not_a_group():
    group = solve(spec({"n1": "[z1 + 1, z2]"}, "axis_translations"))
    assert group.dimension == 5 and group.solution.is_group is False
    assert "not a group" in group.verdict
    data = group.to_dict()
    assert data["is_group"] is False and data["lie_algebra"] == []
    # both (z2, z1) and (z1 + z2, z2) conjugate the push into the class; their composition does not
    a, b = "(z2, z1 + z2)", "(z1 + z2, z2)"
    assert group.contains(a) and group.contains(b)
    assert group.contains("(z2, z1 + 2*z2)")  # a∘b: e1 -> (0, 1), still on an axis
    assert not group.contains("(z1 + 2*z2, z1 + z2)")  # b∘a: e1 -> (1, 1), off the axes


@pytest.mark.parametrize("cls, expected", [("linear", 4), ("affine", 6), ("orthogonal", 2)])
def test_classes_containing_a_rotation(cls, expected):
    group = solve(spec({"turn": "[-z2, z1]"}, cls))
    assert group.dimension == expected
    assert group.contains("(z1, z2)") and group.contains("(3*z1 - 4*z2, 4*z1 + 3*z2)")
    assert (cls != "orthogonal") == group.contains("(z1 + z2, z2)")


def test_permutation_class_for_a_swap():
    group = solve(spec({"swap": "[z2, z1]"}, "permutations"))
    assert group.dimension == 3 and group.solution.is_group  # B commutes with the swap, c = (s, s)
    assert group.contains("(z1 + 2*z2 + 1, 2*z1 + z2 + 1)") and not group.contains("(z1 + 1, z2)")
    assert not group.contains("(z1 + z2, z1 - z2)")  # conjugates the swap to diag(1, -1)


def test_mechanisms_outside_the_class_are_reported():
    with pytest.raises(equivid.UnsupportedMechanismError, match="not in the class"):
        solve(spec({"turn": "[-z2, z1]"}, "permutations"))


# -- the defining condition, on random elements ----------------------------------------------
@pytest.mark.parametrize("seed", range(4))
def test_sampled_elements_conjugate_every_mechanism_into_the_class(seed):
    group = solve(spec({"grow": "[2*z1, 3*z2]", "push": "[z1, z2]"}, "diagonal"))
    a = group.sample(rng=seed)
    B = sympy.Matrix([[sympy.diff(e, z) for z in Z] for e in a])
    conj = B * sympy.diag(2, 3) * B.inv()
    assert conj.is_diagonal() and group.contains(a)


@pytest.mark.parametrize("seed", range(6))
def test_random_affine_maps_outside_fail_the_exact_condition(seed):
    group = solve(spec({"grow": "[2*z1, 3*z2]"}, "diagonal"))
    rng = np.random.default_rng(seed)
    entries = [sympy.Rational(int(rng.integers(1, 9)), int(rng.integers(1, 4))) for _ in range(6)]
    a = (entries[0] * Z[0] + entries[1] * Z[1] + entries[4], entries[2] * Z[0] + entries[3] * Z[1] + entries[5])
    assert not group.contains(a)  # a full matrix: B D B^-1 is not diagonal


def test_sparse_perturbations_is_bundled_and_reproduces_locatello():
    group = equivid.solve(equivid.load(equivid.cli.EXAMPLES / "sparse_perturbations.yaml"))
    assert group.name == "monomial matrices (permutations times scalings) and translations R^2"


# -- bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "learner, where",
    [
        ("{knows: class, class: shears}", "learner.class"),
        ("{knows: class, class: {template: [a*z1]}}", "learner.class"),
        ("{knows: nothing}", "learner"),
        ("{knows: class, class: {template: [a*z1, q*z2], unknowns: [a]}}", "learner.class.template"),
    ],
)
def test_bad_learner_is_a_spec_error_and_exits_2(tmp_path, capsys, learner, where):
    text = f"latents: [z1, z2]\nmechanisms: {{m: [2*z1, z2]}}\nlearner: {learner}\n"
    with pytest.raises(equivid.SpecError, match=where.replace(".", r"\.")):
        equivid.solve(equivid.System.from_spec(text))
    path = tmp_path / "s.yaml"
    path.write_text(text)
    assert main(["analyze", str(path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
