"""Case trees over parameters (equivid.parametric): each example's branches derived here
independently (a formula or a float nullspace at the point), the strata exact, every
value in exactly one case, and the verification steps fed wrong answers."""

from __future__ import annotations

import dataclasses
import itertools
import json

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import equivid
from equivid import SpecError, UnsupportedMechanismError, VerificationError, parametric
from equivid.cli import main
from equivid.spec import system_from_spec, system_to_spec
from equivid.testing import assert_case
from equivid.testing.strategies import parameter_values

R = sympy.Rational


def scalings():
    return equivid.System.from_maps(["z1", "z2"], {"grow": ["a*z1", "b*z2"]}, parameters=["a", "b"], ansatz="linear")


def values_of(tree, **named):
    return {s: sympy.sympify(named[s.name]) for s in tree.parameters}


# -- independent oracles ----------------------------------------------------------------------------
def commutant_nullity(A: np.ndarray) -> int:
    """dim {X : XA = AX} from a float SVD of the Kronecker system."""
    n = A.shape[0]
    K = np.kron(np.eye(n), A.T) - np.kron(A, np.eye(n))
    s = np.linalg.svd(K, compute_uv=False)
    return int(np.sum(s < 1e-9 * max(1.0, s[0])))


def jordan_commutant_dimension(blocks):
    """The published formula: sum over eigenvalues of sum_{i,j} min(n_i, n_j) (Gantmacher, ch. VIII)."""
    by_value = {}
    for value, size in blocks:
        by_value.setdefault(value, []).append(size)
    return sum(min(p, q) for sizes in by_value.values() for p in sizes for q in sizes)


# -- the examples -----------------------------------------------------------------------------
def test_scalings_generic_diagonal_and_gl2_where_equal():
    tree = equivid.solve_cases(scalings())
    assert [c.dimension for c in tree.cases] == [2, 4]
    generic, equal = tree.cases
    assert generic.generic and generic.name == "diagonal scalings" and generic.components == 4
    assert equal.name == "GL(2)" and equal.components == 2 and equal.conditions == "a = b"
    assert generic.claims["dimension"] == parametric.PROVED
    assert generic.claims["discrete"] == parametric.COUNTED and "(components counted at the samples)" in generic.text()
    assert tree.complete
    for a, b in itertools.product([-2, 0, 1, R(3, 2)], repeat=2):
        case = tree.case_of(values_of(tree, a=a, b=b))
        assert case.dimension == commutant_nullity(np.diag([float(a), float(b)]))


def test_rotation_generic_scaled_rotations_and_gl2_at_multiples_of_pi():
    system = equivid.System.from_maps(["z1", "z2"], {"turn": ["cos(t)*z1 - sin(t)*z2", "sin(t)*z1 + cos(t)*z2"]},
                                      parameters=["t"], ansatz="linear")
    tree = equivid.solve_cases(system)
    generic, special = tree.cases
    assert (generic.name, generic.dimension, generic.components) == ("scaled rotations", 2, 1)
    assert (special.name, special.dimension) == ("GL(2)", 4)
    t = tree.parameters[0]
    for k in range(-3, 4):  # theta in pi Z, and only there
        assert tree.case_of({t: k * sympy.pi}) is special
        assert tree.case_of({t: k * sympy.pi + R(1, 3)}) is generic
    assert {len(s.indices) for s in special.strata} == {1}  # theta = 2 pi k and 2 pi k + pi
    assert sum(s.contains({t: 3 * sympy.pi}) for s in special.strata) == 1  # the pieces are disjoint
    for value in (1.0, 2.0, 0.5):
        A = np.array([[np.cos(value), -np.sin(value)], [np.sin(value), np.cos(value)]], dtype=float)
        assert commutant_nullity(A) == generic.dimension


def test_translations_affine_strata_are_exact():
    system = equivid.System.from_maps(["z1", "z2"], {"push": ["z1 + a", "z2 + b"]}, parameters=["a", "b"])
    tree = equivid.solve_cases(system)
    assert [c.dimension for c in tree.cases] == [4, 6]
    generic, whole = tree.cases
    assert whole.name == "affine group Aff(2)"
    a, b = tree.parameters
    assert whole.contains({a: 0, b: 0})
    for point in ((0, 1), (1, 0), (2, -3), (R(1, 2), 0)):
        assert not whole.contains(dict(zip((a, b), point)))
        assert generic.contains(dict(zip((a, b), point)))
        # oracle: X c = 0 with c = (a, b) cuts GL(2)'s 4 linear directions to 2, translations 2
        assert tree.case_of(dict(zip((a, b), point))).dimension == 2 + 2
    assert generic.general_elements[0] is not None  # affine without noise: the group is I + X on the stratum


def expected_noisy(a, b):
    """z' = diag(a, b) z + eps, eps ~ N(0, I), affine maps Qz + t: Q orthogonal commuting with
    diag(a, b) (O(2) if a = b, else the 4 sign flips), t = diag(a, b) t (t_i free iff the
    i-th entry is 1). Returns (dimension, components)."""
    dimension = int(a == b) + int(a == 1) + int(b == 1)
    return dimension, 2 if a == b else 4


def test_noisy_scalings_sign_flips_orthogonal_and_translations_where_an_entry_is_one():
    system = system_from_spec("""
latents: [z1, z2]
parameters: [a, b]
mechanisms:
  step: {map: "(a*z1, b*z2)", noise: {law: gaussian, scale: 1}}
""")
    tree = equivid.solve_cases(system)
    generic = tree.generic
    assert (generic.name, generic.order, generic.dimension) == ("sign flips", 4, 0)
    assert generic.claims["discrete"] == parametric.SAMPLED  # no claim beyond the sample points
    for a, b in itertools.product([-1, 0, 1, 2, R(1, 2)], repeat=2):
        case = tree.case_of(values_of(tree, a=a, b=b))
        assert (case.dimension, case.components) == expected_noisy(a, b), (a, b, case.conditions)
    equal = tree.case_of(values_of(tree, a=3, b=3))
    assert equal.name == "orthogonal group O(2)"
    both = tree.case_of(values_of(tree, a=1, b=1))
    assert both.strata[0].text() == "a = 1, b = 1" and both.dimension == 3


def test_three_parameters_jordan_block_against_the_commutant_formula():
    system = equivid.System.from_maps(["z1", "z2", "z3"], {"m": ["a*z1 + c*z2", "a*z2", "b*z3"]},
                                      parameters=["a", "b", "c"], ansatz="linear")
    tree = equivid.solve_cases(system)
    assert sorted(c.dimension for c in tree.cases) == [3, 5, 9]
    for a, b, c in itertools.product([0, 1, 2], repeat=3):
        blocks = ([(a, 2)] if c else [(a, 1), (a, 1)]) + [(b, 1)]
        case = tree.case_of(values_of(tree, a=a, b=b, c=c))
        assert case.dimension == jordan_commutant_dimension(blocks), (a, b, c)


@pytest.fixture(scope="module")
def jordan_tree():
    system = equivid.System.from_maps(["z1", "z2", "z3"], {"m": ["a*z1 + c*z2", "a*z2", "b*z3"]},
                                      parameters=["a", "b", "c"], ansatz="linear")
    return equivid.solve_cases(system)


@settings(max_examples=25, deadline=None)
@given(st.tuples(*[st.sampled_from([0, 1, -1, 2, R(1, 3)])] * 3))
def test_every_value_in_exactly_one_case_and_the_solve_there_agrees(jordan_tree, point):
    values = dict(zip(jordan_tree.parameters, map(sympy.sympify, point)))
    assert_case(jordan_tree, values)  # case_of raises unless exactly one case holds it


# -- assumptions, constraints, what is not determined --------------------------------------------------
def test_a_positive_parameter_has_no_zero_branch():
    system = equivid.System.from_maps(["z1", "z2"], {"push": ["z1 + a", "z2"]}, parameters={"a": "positive"})
    tree = equivid.solve_cases(system)
    assert len(tree.cases) == 1 and tree.cases[0].dimension == 4
    real = equivid.solve_cases(equivid.System.from_maps(["z1", "z2"], {"push": ["z1 + a", "z2"]}, parameters=["a"]))
    assert [c.dimension for c in real.cases] == [4, 6]


def test_a_constraint_removes_the_branch_it_excludes():
    system = equivid.System.from_maps(["z1", "z2"], {"grow": ["a*z1", "b*z2"]}, parameters=["a", "b"],
                                      constraints=["a != b"], ansatz="linear")
    tree = equivid.solve_cases(system)
    assert [c.dimension for c in tree.cases] == [2]
    with pytest.raises(SpecError, match="a != b"):
        tree.case_of("a=1,b=1")


def test_an_integer_parameter():
    # g = x z + t commutes with (n - 2) z iff t = (n - 2) t: translations join at n = 3 only
    system = equivid.System.from_maps(["z1"], {"grow": ["(n - 2) * z1"]}, parameters={"n": "integer"})
    tree = equivid.solve_cases(system)
    n = tree.parameters[0]
    assert [tree.case_of({n: k}).dimension for k in range(-2, 6)] == [1, 1, 1, 1, 1, 2, 1, 1]
    assert all(v.is_integer for sample in tree.generic.samples for v in sample.values.values())


def test_a_stratum_that_cannot_be_parametrised_is_not_determined():
    system = equivid.System.from_maps(["z1", "z2"], {"grow": ["(a**2 + b**2)*z1", "z2"]}, parameters=["a", "b"],
                                      ansatz="linear")
    tree = equivid.solve_cases(system)
    assert not tree.complete
    open_case = next(c for c in tree.cases if not c.resolved)
    assert "not determined" in open_case.text() and open_case.samples == ()
    assert tree.to_dict()["complete"] is False
    assert any("not determined" in note for note in tree.notes)


def test_non_polynomial_mechanisms_are_refused_with_a_reason():
    system = equivid.System.from_maps(["z1"], {"squash": ["tanh(a*z1)"]}, parameters=["a"])
    with pytest.raises(UnsupportedMechanismError, match="polynomial in the latents"):
        equivid.solve_cases(system)


# -- the verification steps, fed wrong answers -----------------------------------------------------------
def test_a_wrong_generator_fails_the_symbolic_check():
    system = scalings()
    a, b = system.parameters
    z1, z2 = system.latents
    stratum = parametric.Stratum(system.parameters, inequations=(a - b,))
    parametric._check_leaf(stratum, [(z1, sympy.Integer(0))], None, system)  # right
    with pytest.raises(VerificationError, match="fails the condition"):
        parametric._check_leaf(stratum, [(z2, sympy.Integer(0))], None, system)
    with pytest.raises(VerificationError, match="general element"):
        parametric._check_leaf(stratum, [], (z1 + z2, z2), system)


def test_an_elimination_that_loses_a_direction_is_caught_at_the_sample_points(monkeypatch):
    real = parametric._Leaf.kernel
    monkeypatch.setattr(parametric._Leaf, "kernel", lambda self: real(self)[:-1])
    with pytest.raises(VerificationError, match="the exact solve at"):
        equivid.solve_cases(scalings())


def test_overlapping_cases_are_a_defect():
    tree = equivid.solve_cases(scalings())
    doubled = dataclasses.replace(tree, cases=tree.cases + (tree.cases[0],))
    with pytest.raises(VerificationError, match="lie in 2 cases"):
        doubled.case_of("a=1,b=2")


def test_assert_case_catches_a_case_that_claims_too_much():
    tree = equivid.solve_cases(scalings())
    wrong = dataclasses.replace(tree.cases[0], dimension=3)
    bad = dataclasses.replace(tree, cases=(wrong, tree.cases[1]))
    with pytest.raises(AssertionError, match="dimension: the case says 3"):
        assert_case(bad, "a=1,b=2")


noisy_tree = None


@settings(max_examples=10, deadline=None)
@given(st.data())
def test_property_testing_a_branch(data):
    global noisy_tree
    if noisy_tree is None:
        noisy_tree = equivid.solve_cases(system_from_spec("""
latents: [z1, z2]
parameters: [a, b]
mechanisms:
  step: {map: "(a*z1, b*z2)", noise: {law: gaussian, scale: 1}}
"""))
    case = noisy_tree.case_of("a=3,b=3")
    values = data.draw(parameter_values(case))
    assert_case(noisy_tree, values, case, statement=lambda g: g.name == "orthogonal group O(2)")


# -- input ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("spec, message", [
    ("parameters: {a: complex}", r"^parameters\.a: got 'complex', expected an assumption among real"),
    ("parameters: {a: [positive, negative]}", r"^parameters\.a: .*do not contradict"),
    ("parameters: [z1]", r"^parameters: got 'z1', .*the name is taken"),
    ("parameters: 3", r"^parameters: got 3, expected a list of names or a mapping"),
    ("parameters: [a]\nconstraints: ['a = 1']", r"^constraints\[0\]: got 'a = 1', expected one relation"),
    ("parameters: [a]\nconstraints: ['1 > 0']", r"^constraints\[0\]: .*it is always true"),
    ("constraints: ['a > 0']", r"^constraints: .*only with 'parameters:'"),
])
def test_bad_parameter_specs_get_one_line(spec, message):
    with pytest.raises(SpecError, match=message):
        system_from_spec("latents: [z1]\nmechanisms: {m: '(2*z1,)'}\n" + spec)


def test_values_are_checked_against_assumptions_and_constraints():
    system = system_from_spec("latents: [z1]\nparameters: {a: positive, b: real}\nconstraints: ['a != b']\n"
                              "mechanisms: {m: '(a*z1 + b,)'}\n")
    with pytest.raises(SpecError, match=r"^values\.a: got '-1', expected a value with the parameter's assumptions"):
        system.at("a=-1,b=0")  # (the Python call names its argument; the command line says --at)
    with pytest.raises(SpecError, match="a != b"):
        system.at("a=2,b=2")
    with pytest.raises(SpecError, match=r"^values: got 'c', expected a parameter of the system \(a, b\)"):
        system.at("c=1")
    assert system.at("a=2").parameters == (system.parameters[1],)
    assert system.at(a=2, b=3).mechanisms[0].components == (2 * system.latents[0] + 3,)


def test_spec_round_trip_and_solve_refuses_parameters():
    system = system_from_spec("latents: [z1, z2]\nparameters: {a: positive, n: integer}\nconstraints: ['a != 2']\n"
                              "mechanisms: {m: {map: '(a*z1, 2*z2)', noise: {law: gaussian, scale: a}}}\n")
    assert system_from_spec(system_to_spec(system)) == system
    with pytest.raises(SpecError, match=r"^parameters: .*solve_cases"):
        equivid.solve(system)
    special = system.at("a=3,n=1")
    assert dict(special.mechanisms[0].noise)["scale"] == "3"
    assert equivid.solve(special).name == "sign flips"


# -- the command line ----------------------------------------------------------------------------------
@pytest.fixture
def noisy_spec(tmp_path):
    path = tmp_path / "noisy.yaml"
    path.write_text("latents: [z1, z2]\nparameters: [a, b]\n"
                    "mechanisms:\n  step: {map: '(a*z1, b*z2)', noise: {law: gaussian, scale: 1}}\n")
    return path


def test_cli_prints_the_tree_json_and_one_case(noisy_spec, capsys):
    assert main(["analyze", str(noisy_spec)]) == 0
    out = capsys.readouterr().out
    assert "generic (a - 1 != 0, b - 1 != 0, a - b != 0): sign flips" in out
    assert "if a = b, b - 1 != 0: orthogonal group O(2)" in out
    assert main(["analyze", str(noisy_spec), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["complete"] and len(data["cases"]) == 4 and data["cases"][0]["generic"]
    assert data["cases"][0]["samples"][0]["group"]["name"] == "sign flips"
    assert main(["analyze", str(noisy_spec), "--at", "a=2,b=2", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["name"] == "orthogonal group O(2)" and data["at"] == {"a": "2", "b": "2"}
    assert main(["sketch", str(noisy_spec)]) == 0
    assert "## 2. Where the rank drops" in capsys.readouterr().out


def test_cli_bad_parameter_input(noisy_spec, capsys):
    assert main(["analyze", str(noisy_spec), "--at", "a=x"]) == 2
    assert "--at.a" in capsys.readouterr().err
    assert main(["analyze", "translations_two", "--at", "a=1"]) == 2
    assert "a spec with parameters" in capsys.readouterr().err
    assert main(["analyze", str(noisy_spec), "--format", "latex"]) == 2
    assert main(["verify", str(noisy_spec), "--quiet"]) == 2
    assert "verify trains on one system" in capsys.readouterr().err


# -- sweeps ---------------------------------------------------------------------------------------------
def test_sweep_over_parameter_values_reports_each_case():
    from equivid.sweep import run_task, sweep_from_text

    sweep = sweep_from_text("""
systems:
  - name: noisy
    latents: [z1, z2]
    parameters: [a, b]
    mechanisms: {step: {map: "(a*z1, b*z2)", noise: {law: gaussian, scale: 1}}}
    values: {a: [1, 2], b: [2, 3]}
""")
    assert [t.system for t in sweep.tasks] == ["noisy[a=1,b=2]", "noisy[a=1,b=3]", "noisy[a=2,b=2]", "noisy[a=2,b=3]"]
    rows = {row["system"]: row for row in map(run_task, sweep.tasks)}
    for row in rows.values():
        a, b = (sympy.Rational(v) for v in row["at"].values())
        assert row["status"] == "ok" and row["dimension"] == expected_noisy(a, b)[0]
    assert rows["noisy[a=2,b=2]"]["case"] == "a = b, b - 1 != 0"
    assert rows["noisy[a=2,b=3]"]["case"].startswith("generic")


@pytest.mark.parametrize("values, message", [
    (None, r"values for the parameters \(a, b\)"),
    ("{a: [1]}", r"a list of values for each parameter \(a, b\)"),
    ("[{a: 1, b: 1}, {a: 2}]", r"values\[1\]: .*a value for each parameter"),
    ("{a: [x], b: [1]}", r"values\.a"),
])
def test_sweep_values_are_checked_before_any_work(values, message):
    from equivid.sweep import sweep_from_text

    text = "systems:\n  - latents: [z1]\n    parameters: [a, b]\n    mechanisms: {m: '(a*z1 + b,)'}\n"
    if values is not None:
        text += f"    values: {values}\n"
    with pytest.raises(SpecError, match=message):
        sweep_from_text(text)


def expected_laplace(a, b):
    """z' = diag(a, b) z + eps, eps i.i.d. Laplace: linear parts are signed permutations
    commuting with diag(a, b) (the swap only if a = b), translations where an entry is 1.
    Returns (dimension, order of the linear parts)."""
    return int(a == 1) + int(b == 1), 8 if a == b else 4


def test_laplace_noise_splits_where_a_candidate_commutes():
    # a = b changes only the discrete part (the swap joins): found from the law's candidates, not sampled
    tree = equivid.solve_cases(system_from_spec("""
latents: [z1, z2]
parameters: [a, b]
mechanisms:
  step: {map: "(a*z1, b*z2)", noise: {law: laplace, scale: 1}}
"""))
    for a, b in itertools.product([-1, 0, 1, 2], repeat=2):
        case = tree.case_of(values_of(tree, a=a, b=b))
        dimension, linear = expected_laplace(a, b)
        assert (case.dimension, case.components) == (dimension, linear), (a, b, case.conditions)
    assert tree.generic.claims["discrete"].startswith("where each of the noise law's 7 candidate")
    assert "Split exactly" in tree.text()


def test_components_that_change_with_a_sign_are_reported_as_not_determined():
    # R[A] for A = [[0, 1], [p, 0]]: units with 4 components for p > 0, 1 for p < 0 (docs/theory.md,
    # "Parameters"); no equation separates them, so the tree must not state one count for all p
    system = equivid.System.from_maps(["z1", "z2"], {"m": ["z2", "p*z1"]}, parameters=["p"], ansatz="linear")
    tree = equivid.solve_cases(system)
    (case,) = tree.cases
    assert case.dimension == 2 and case.components is None
    assert case.claims["discrete"] == parametric.VARIES
    assert "the discrete part differs between sample points" in case.text()
    signs = {sample.values[tree.parameters[0]] > 0 for sample in case.samples}
    assert signs == {True, False}


def test_flows_polynomial_maps_and_classes():
    # a linear flow: [X, V] = 0 gives the same commutant as the map (a z1, b z2)
    flow = equivid.System.from_maps(["z1", "z2"], flows={"v": ["a*z1", "b*z2"]}, parameters=["a", "b"], ansatz="linear")
    assert [c.dimension for c in equivid.solve_cases(flow).cases] == [2, 4]
    # z' = (z1 + a z2**2, z2), polynomial:2: the tree agrees with the specialised solve on a grid
    bent = equivid.System.from_maps(["z1", "z2"], {"bend": ["z1 + a*z2**2", "z2"]}, parameters=["a"], ansatz="polynomial:2")
    tree = equivid.solve_cases(bent)
    for a in (-1, 0, 1, 2):
        assert_case(tree, {"a": a})
    # a learner's class with a parameter: no tree (refused with the way out), --at substitutes into the template
    spec = ("latents: [z1]\nparameters: [p]\nmechanisms: {push: '(z1 + 1,)'}\n"
            "learner: {knows: class, class: {template: ['u*z1 + p'], unknowns: [u]}}\n")
    system = system_from_spec(spec)
    with pytest.raises(UnsupportedMechanismError, match="--at"):
        equivid.solve_cases(system)
    assert system.at(p=2).learner["class"]["template"] == ["u*z1 + 2"]
