"""The checker (equivid.check, equivid.solve.check) and the pipeline that runs it.

Every check is fed a deliberately wrong answer of each kind of result, so that deleting
any one check fails a test here; the pipeline tests make a solver part return a wrong
answer and expect VerificationError.
"""

from __future__ import annotations

import dataclasses

import pytest
import sympy

import equivid
from equivid.cli import EXAMPLES
from equivid.solve import PARTS, check_solution, classify, solve_system
from equivid.solve.problem import Problem


def _tamper(group, **changes):
    return dataclasses.replace(group, solution=dataclasses.replace(group.solution, **changes))


def _system(maps, latents=("z1", "z2")):
    return equivid.System.from_maps(list(latents), maps)


@pytest.fixture(scope="module")
def scaling():
    return equivid.solve(_system({"grow": ["2*z1", "3*z2"]}))


@pytest.fixture(scope="module")
def quintic():  # signed permutations, order 8, no parameters (polynomial part)
    return equivid.solve(_system({"m": ["z1**5", "z2**5"]}))


def test_correct_answers_pass(scaling, quintic):
    for group in (scaling, quintic):
        report = equivid.check(group)
        assert report.ok and report.checked and bool(report)


# -- families of maps -------------------------------------------------------------------------
def test_a_general_element_that_is_not_the_identity_at_the_identity_parameters_fails(scaling):
    z1, z2 = scaling.latents
    t1, t2 = scaling.parameters
    report = equivid.check(_tamper(scaling, general_element=(t1 * z1 + 1, t2 * z2)))
    assert any("is not the identity" in f for f in report.failures)


def test_a_general_element_that_does_not_commute_fails(scaling):
    z1, z2 = scaling.latents
    t1, t2 = scaling.parameters
    # the identity at t = (1, 1), but t2 also moves z1: not a commuting map for t2 != 1
    tampered = _tamper(scaling, general_element=(t1 * z1 + (t2 - 1) * z2, t2 * z2))
    report = equivid.check(tampered)
    assert any("does not commute" in f and "general element" in f for f in report.failures)


def test_a_wrong_lie_generator_fails(scaling):
    z1, z2 = scaling.latents
    report = equivid.check(_tamper(scaling, lie_algebra=((z1, 0), (z2, 0))))
    assert any("Lie generator (z2, 0)" in f for f in report.failures)


def test_a_dropped_lie_generator_fails(scaling):
    z1, z2 = scaling.latents
    report = equivid.check(_tamper(scaling, lie_algebra=((z1, 0),)))
    failures = " ".join(report.failures)
    assert "tangent field (0, z2) is not in the span" in failures
    assert "infinitesimal equations have a solution space of dimension 2" in failures


def test_a_dimension_that_disagrees_with_the_recount_fails(scaling):
    z1, z2 = scaling.latents
    t1, _ = scaling.parameters
    # a consistent but too small answer: one parameter, one generator
    tampered = _tamper(scaling, general_element=(t1 * z1, z2), parameters=(t1,), identity=(1,),
                       lie_algebra=((z1, 0),), structure=None)
    assert equivid.check(tampered).ok  # without the affine structure there is nothing to recount
    tampered = _tamper(scaling, general_element=(t1 * z1, z2), parameters=(t1,), identity=(1,),
                       lie_algebra=((z1, 0),))
    failures = " ".join(equivid.check(tampered).failures)
    assert "dimension is reported as 1" in failures


def test_a_wrong_discrete_element_fails(scaling):
    z1, z2 = scaling.latents
    report = equivid.check(_tamper(scaling, discrete=((-z1, z2), (z2, z1))))
    assert report.failures == ("the component representative (z2, z1) does not commute",)


def test_a_non_invertible_discrete_element_fails():
    group = equivid.solve(_system({"m": ["z1**3", "z2**3"]}))
    z1, z2 = group.latents
    report = equivid.check(_tamper(group, discrete=group.discrete + ((0 * z1, z2),)))
    assert any("not invertible" in f for f in report.failures)


def test_a_wrong_order_of_a_finite_answer_fails(quintic):
    assert quintic.order == 8
    assert any("order is reported as 7" in f for f in equivid.check(_tamper(quintic, components=7)).failures)


def test_a_dropped_element_of_a_finite_answer_fails(quintic):
    kept = quintic.discrete[:-1]
    report = equivid.check(_tamper(quintic, discrete=kept, components=len(kept) + 1))
    assert any("not closed under composition" in f for f in report.failures)


def test_large_affine_answers_are_checked_in_matrix_form():
    n = 10
    latents = [f"z{k + 1}" for k in range(n)]
    maps = {"m": [f"{k + 2}*z{k + 1}" for k in range(n)]}
    group = equivid.solve(equivid.System.from_maps(latents, maps), ansatz="linear")
    assert equivid.check(group).ok
    structure = group.solution.structure
    B, c = structure.directions[0]
    wrong = sympy.ImmutableMatrix(B.as_mutable() + sympy.ImmutableMatrix(n, n, lambda i, j: int(i == 0 and j == 1)))
    tampered = dataclasses.replace(structure, directions=((wrong, c),) + structure.directions[1:])
    report = equivid.check(_tamper(group, structure=tampered))
    assert report.failures == ("generator 1 fails the commuting condition for m",)


# -- finite-state systems ---------------------------------------------------------------------
def test_finite_state_answers_are_checked():
    from equivid.finite import finite_system

    group = equivid.solve(finite_system({"i": 12}, {"step": "(Mod(i + 1, 12),)"}))
    assert equivid.check(group).ok
    assert any("order is reported as 6" in f for f in equivid.check(_tamper(group, components=6)).failures)


def test_a_finite_state_generator_that_does_not_commute_fails():
    import numpy as np

    from equivid.finite import finite_system

    group = equivid.solve(finite_system({"i": 12}, {"step": "(Mod(i + 1, 12),)"}))
    data = group.solution.finite_group
    inner = data.group
    reflection = (-np.arange(12)) % 12  # i -> -i does not commute with i -> i + 1
    moved = np.flatnonzero(reflection != np.arange(12))
    wrong = dataclasses.replace(inner, generators=type(inner.generators)(12, [(moved, reflection[moved])]))
    report = equivid.check(_tamper(group, finite_group=dataclasses.replace(data, group=wrong)))
    assert any("does not commute" in f for f in report.failures)
    assert any("order" in f for f in report.failures)  # and <i -> -i> has order 2, not 12


# -- classes and noise --------------------------------------------------------------------------
def test_class_answers_are_checked():
    system = equivid.load(EXAMPLES / "class_diagonal.yaml")
    group = equivid.solve(system)
    assert equivid.check(group).ok
    z1, z2 = group.latents
    report = equivid.check(_tamper(group, discrete=group.discrete + ((z1 + z2, z2),)))
    assert any("(z1 + z2, z2) fails the defining condition" in f for f in report.failures)
    shear = (group.general_element[0] + z2,) + group.general_element[1:]
    report = equivid.check(_tamper(group, general_element=shear))
    assert any("general element" in f and "fails the defining condition" in f for f in report.failures)


def test_class_pieces_are_checked():
    system = equivid.load(EXAMPLES / "class_diagonal.yaml")
    group = equivid.solve(system)
    condition = group.solution.condition
    piece = condition.pieces[0]
    # a piece whose recorded element is a shear: a∘m∘a^-1 is not diagonal
    z1, z2 = group.latents
    shear = dataclasses.replace(piece, B=piece.B + sympy.Matrix([[0, 1], [0, 0]]))
    tampered = _tamper(group, condition=dataclasses.replace(condition, pieces=(shear,) + condition.pieces[1:]))
    report = equivid.check(tampered)
    assert len(report.failures) == 1 and "fails the defining condition" in report.failures[0]


def test_noise_answers_are_checked():
    group = equivid.solve(equivid.load(EXAMPLES / "laplace_walk.yaml"))
    assert equivid.check(group).ok
    z1, z2 = group.latents
    rotation = (sympy.Rational(3, 5) * z1 - sympy.Rational(4, 5) * z2, sympy.Rational(4, 5) * z1 + sympy.Rational(3, 5) * z2)
    report = equivid.check(_tamper(group, discrete=group.discrete + (rotation,)))
    assert any("fails the defining condition" in f for f in report.failures)


# -- the pipeline runs the checker on every part's result --------------------------------------
CASES = {
    "affine": (_system({"grow": ["2*z1", "3*z2"]}), "affine"),
    "polynomial-group": (_system({"m": ["z1**5", "z2**5"]}), "affine"),
    "non-polynomial": (_system({"m": ["tanh(z1)", "tanh(z2)"]}), "affine"),
    "class": ("class_diagonal", None),
    "noise": ("laplace_walk", None),
    "finite": ("cycle_12", None),
}


def _case(name):
    system, ansatz = CASES[name]
    if isinstance(system, str):
        system = equivid.load(EXAMPLES / f"{system}.yaml")
    return system, equivid.Ansatz.parse(ansatz or system.ansatz or ("finite" if system.states else "affine"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_part_is_registered_classified_and_checked(name, monkeypatch):
    system, ansatz = _case(name)
    assert classify(system, ansatz)[0] == name
    solution = solve_system(system, ansatz, part=name)
    assert solution.parts[0] == name and check_solution(solution, system).ok
    part = next(p for p in PARTS if p.name == name)
    original = type(part).solve

    def wrong(self, problem):
        good = original(self, problem)
        if good.kind == "finite":
            return dataclasses.replace(good, components=good.components + 1)
        bogus = tuple(-z if k == 0 else z for k, z in enumerate(problem.system.latents))
        bogus = (bogus[0] + 1,) + bogus[1:] if name != "finite" else bogus
        swapped = (problem.system.latents[0] + problem.system.latents[1],) + problem.system.latents[1:]
        return dataclasses.replace(good, discrete=good.discrete + (swapped,))

    monkeypatch.setattr(type(part), "solve", wrong)
    with pytest.raises(equivid.VerificationError, match=f"the {name} part's answer failed its check"):
        equivid.solve(system, ansatz=ansatz)


def test_a_pinned_part_must_match():
    system = _system({"m": ["tanh(z1)", "z2"]})
    with pytest.raises(equivid.UnsupportedMechanismError, match="does not match"):
        equivid.solve(system, part="affine")
    with pytest.raises(equivid.SpecError, match="part"):
        equivid.solve(system, part="nonsense")


def test_parts_share_one_problem_value():
    system = _system({"grow": ["2*z1", "3*z2"]})
    problem = Problem(system, equivid.Ansatz.parse("affine"))
    assert problem.forms is problem.forms  # computed once, kept on the value
    assert [p.name for p in PARTS] == ["finite", "class", "noise", "affine", "polynomial-group", "non-polynomial"]
    assert solve_system(system, problem.ansatz).parts[0] == "affine"


# -- membership never contradicts a complete answer ----------------------------------------------
def test_a_member_outside_a_complete_answer_is_a_solver_defect(quintic):
    z1, z2 = quintic.latents
    subgroup = _tamper(quintic, discrete=((-z1, -z2),), components=2)  # closed, so it passes the checker
    assert equivid.check(subgroup).ok and subgroup.complete
    assert subgroup.membership("(-z1, -z2)").in_reported is True
    with pytest.raises(equivid.VerificationError, match="solver missed it"):
        subgroup.contains("(z2, z1)")


def test_a_member_outside_a_lower_bound_is_reported_as_such():
    pendulum = equivid.System.from_spec("latents: [theta, omega]\nflows: {pendulum: [omega, -sin(theta)]}")
    group = equivid.solve(pendulum)
    result = group.membership("(theta + 2*pi, omega)")
    assert result.member
    assert result.in_reported is True or not group.complete


def test_classify_names_the_matching_parts_in_order():
    assert equivid.classify(_system({"grow": ["2*z1", "3*z2"]})) == ("affine", "polynomial-group")
    assert equivid.classify(_system({"m": ["z1**2", "z2"]})) == ("polynomial-group",)
    assert equivid.classify(equivid.load(EXAMPLES / "cycle_12.yaml")) == ("finite",)
    assert equivid.classify(equivid.load(EXAMPLES / "laplace_walk.yaml"))[0] == "noise"
    with pytest.raises(equivid.SpecError, match="system"):
        equivid.classify("not a system")


def test_large_component_representatives_are_checked_in_matrix_form():
    # ten latents, above MATRIX_CHECK_ABOVE: a representative that does not commute, and one that
    # commutes but is singular, are both caught
    n = 10
    latents = [f"z{k + 1}" for k in range(n)]
    maps = {"m": [f"{k + 2}*z{k + 1}" for k in range(n)]}
    group = equivid.solve(equivid.System.from_maps(latents, maps), ansatz="linear")
    z = group.latents
    sheared = (z[0] + z[1],) + tuple(-e for e in z[1:])
    singular = (0 * z[0],) + tuple(z[1:])
    report = equivid.check(_tamper(group, discrete=group.discrete + (sheared, singular)))
    assert any("does not commute" in f or "fails the commuting condition" in f for f in report.failures)
    assert any("is not invertible" in f for f in report.failures)


def test_large_representatives_kept_as_matrices_are_checked():
    # above MATRIX_CHECK_ABOVE the representatives are exact matrices printed on demand; the check
    # reads the matrices: a sheared one and a singular one fed in are both caught
    import flint

    from equivid.solve._result import Lazy

    n = 10
    latents = [f"z{k + 1}" for k in range(n)]
    group = equivid.solve(equivid.System.from_maps(latents, {"m": [f"{k + 2}*z{k + 1}" for k in range(n)]}),
                          ansatz="linear")
    pairs = group.solution.discrete.source
    assert pairs is not None and len(pairs) == n and equivid.check(group).ok
    B, c = pairs[0]
    sheared, singular = flint.fmpq_mat(B), flint.fmpq_mat(B)
    sheared[0, 1] = 1
    for j in range(n):
        singular[0, j] = 0
    wrong = Lazy(2, lambda k: tuple(group.latents), source=[(sheared, c), (singular, c)])
    report = equivid.check(_tamper(group, discrete=wrong))
    assert any("fails the commuting condition" in f for f in report.failures)
    assert any("is not invertible" in f for f in report.failures)
