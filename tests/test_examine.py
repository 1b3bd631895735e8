"""The cross-examiner (equivid.examine): planted omissions are found and proved, correct
answers raise no false alarm, and what was searched is a stated, reproducible fact."""

from __future__ import annotations

import dataclasses
import json

import pytest
import sympy

import equivid
from equivid.cli import EXAMPLES
from equivid.examine import (
    cross_examine,
    recognise,
    reported_components,
    without_element,
    without_parameter,
)

STARTS = 32  # enough for every planted omission below; the default is 64

PENDULUM = "latents: [theta, omega]\nflows: {pendulum: [omega, -sin(theta)]}\n"
LAPLACE_PRODUCT = """
latents: [z1, z2]
mechanisms:
  walk: {map: [z1, z2], noise: {law: product, factors: [{law: laplace, scale: 1}, {law: laplace, scale: 2}]}}
"""


def solve(text: str) -> equivid.EquivarianceGroup:
    return equivid.solve(equivid.System.from_spec(text))


def example(name: str) -> equivid.EquivarianceGroup:
    return equivid.solve(equivid.load(EXAMPLES / f"{name}.yaml"))


def examine_planted(original: equivid.EquivarianceGroup, tampered: equivid.EquivarianceGroup) -> list[tuple[str, ...]]:
    """Examine the tampered answer: it must be contradicted by proved members of the true group."""
    report = cross_examine(tampered, starts=STARTS, seed=0, budget_seconds=600)
    assert report.declined is None
    assert report.contradicts and report.proved
    assert len(report.evidence) == len(report.proved)
    for a in report.proved:
        assert original.contains(a)  # a member of the true group, which the tampered answer lacks
        try:
            assert tampered.membership(a).member
        except equivid.VerificationError:  # a member outside an answer reported as complete
            assert tampered.complete
    json.dumps(report.to_dict())
    return [tuple(str(e) for e in a) for a in report.proved]


# -- planted omissions, one per kind of result ------------------------------------------------
def test_diagonal_scaling_without_its_sign_flips() -> None:
    group = solve("latents: [z1, z2]\nmechanisms: {grow: [2*z1, 3*z2]}\n")
    tampered = dataclasses.replace(group, solution=dataclasses.replace(group.solution, discrete=()))
    assert tampered.complete and tampered.components == 4  # still claims four components
    proved = examine_planted(group, tampered)
    z1, z2 = group.latents
    signs = set()
    for a in proved:
        first, second = (sympy.sympify(e) for e in a)
        signs.add((sympy.sign(first.coeff(z1)), sympy.sign(second.coeff(z2))))
    assert signs == {(1, -1), (-1, 1), (-1, -1)}  # one element in each missing component


def test_signed_permutations_of_odd_powers_without_the_swap() -> None:
    group = solve("latents: [z1, z2]\nmechanisms: {power: [z1**5, z2**5]}\nansatz: affine\n")
    tampered = without_element(group, "(z2, z1)")
    assert tampered.components == 7 and tampered.complete
    assert ("z2", "z1") in examine_planted(group, tampered)
    with pytest.raises(equivid.VerificationError):  # the answer's own membership agrees
        tampered.membership("(z2, z1)")


def test_pendulum_without_its_2pi_shift() -> None:
    group = solve(PENDULUM)
    theta, omega = group.latents
    assert (theta + 2 * sympy.pi, omega) in group.discrete
    tampered = dataclasses.replace(group, solution=dataclasses.replace(group.solution, discrete=((-theta, -omega),)))
    proved = examine_planted(group, tampered)
    assert ("theta + 2*pi", "omega") in proved  # 2*pi recognised exactly


def test_laplace_product_walk_without_the_rescaled_swap() -> None:
    group = solve(LAPLACE_PRODUCT)
    tampered = without_element(group, "(z2/2, 2*z1)")
    assert tampered.solution.kind == "noise" and tampered.components == 7
    assert ("z2/2", "2*z1") in examine_planted(group, tampered)


def test_class_answer_without_a_discrete_element() -> None:
    group = example("class_diagonal")
    assert group.solution.kind == "class" and group.components == 8
    tampered = without_element(group, "(5*z2, -5*z1)")  # the piece of coordinate swaps
    assert tampered.components == 4
    z1, z2 = group.latents
    for a in examine_planted(group, tampered):
        first, second = (sympy.sympify(e) for e in a)
        assert first.coeff(z1) == 0 and second.coeff(z2) == 0  # a swap, up to scalings


def test_a_class_answer_given_by_equations_without_its_reflection() -> None:
    group = solve("latents: [z1, z2]\nmechanisms: {m: [-z2, z1]}\nlearner: {knows: class, class: orthogonal}\n")
    assert "equations" in dict(group.solution.extra)  # the general element is subject to equations
    tampered = without_element(group, group.discrete[-1])
    for a in examine_planted(group, tampered):
        assert sympy.Matrix([[sympy.sympify(e).coeff(z) for z in group.latents] for e in a]).det() < 0


def test_a_set_that_is_not_a_group_raises_no_false_alarm() -> None:
    group = solve("latents: [z1, z2, z3]\nmechanisms: {a: [z1 + 1, z2, z3], b: [z1, z2 + 2, z3]}\n"
                  "learner: {knows: class, class: axis_translations}\n")
    assert group.solution.is_group is False  # pieces d∘family, not family∘d
    report = cross_examine(group, starts=STARTS, seed=0)
    assert report.proved == () and report.searched["reported_part"]["reading"] == "listed"


def test_a_lie_generator_removed() -> None:
    group = example("translation_single")  # (t1*z2 + t3 + z1, t2*z2 + t4)
    tampered = without_parameter(group, "t3")  # no more shifts along z1
    assert tampered.dimension == group.dimension - 1
    proved = examine_planted(group, tampered)
    assert len(proved) == 1  # one element for the whole missed family


def test_an_answer_marked_as_a_lower_bound_is_examined_too() -> None:
    group = solve("latents: [z1, z2]\nmechanisms: {grow: [2*z1, 3*z2]}\n")
    partial = type(group.solution.completeness).lower_bound("planted: the discrete search was partial")
    tampered = dataclasses.replace(group, solution=dataclasses.replace(group.solution, discrete=(), components=1,
                                                                       completeness=partial))
    assert not tampered.complete
    examine_planted(group, tampered)


# -- no false alarm on correct answers --------------------------------------------------------
@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_no_false_alarm_on_the_bundled_examples(path) -> None:
    group = equivid.solve(equivid.load(path))
    report = cross_examine(group, starts=16, seed=0, budget_seconds=600)
    if group.solution.kind == "finite":  # complete by construction: skipped, and said so
        assert report.declined and "finite-state" in report.declined
    if report.declined:  # a search that does not apply states why
        assert isinstance(report.searched["declined"], str) and report.searched["declined"]
        assert report.candidates == ()
    assert report.proved == () and not report.contradicts
    json.dumps(report.to_dict())


def test_the_issue_cases_raise_no_false_alarm() -> None:
    for text in (PENDULUM, LAPLACE_PRODUCT):
        report = cross_examine(solve(text), starts=STARTS, seed=0, budget_seconds=600)
        assert report.proved == () and report.declined is None


def test_declined_searches_say_why() -> None:
    template = solve("latents: [z1, z2]\nmechanisms: {grow: [2*z1, 3*z2]}\n"
                     "learner: {knows: class, class: {template: [a*z1, c*z2], unknowns: [a, c]}}\n")
    assert "template" in cross_examine(template).declined
    heavy = solve("latents: [z1, z2]\nmechanisms: {walk: {map: [z1, z2], noise: {law: student_t, nu: 3}}}\n")
    assert "fourth cumulant" in cross_examine(heavy).declined
    finite = example("cycle_12")
    report = cross_examine(finite)
    assert report.candidates == () and report.proved == () and report.to_dict()["counts"]["candidates"] == 0


# -- what was searched --------------------------------------------------------------------------
def test_searched_is_a_reproducible_statement() -> None:
    group = example("odd_powers")
    first, second = (cross_examine(group, starts=12, seed=3, budget_seconds=600) for _ in range(2))
    assert first.candidates == second.candidates and first.proved == second.proved
    searched = first.searched
    for key in ("class", "starts", "starts_planned", "starts_run", "tolerance", "points", "seed", "budget_seconds",
                "seconds", "stopped_by_budget", "conditions", "reported_part", "declined"):
        assert key in searched
    assert searched["class"] == "affine" and searched["seed"] == 3 and searched["tolerance"] == 1e-9
    assert sum(searched["starts_run"].values()) == sum(searched["starts_planned"].values()) == 12
    assert not searched["stopped_by_budget"] and searched["reported_part"]["cosets"] == 8
    stopped = cross_examine(group, starts=12, budget_seconds=0)
    assert stopped.searched["stopped_by_budget"] and stopped.searched["starts_run"] == {}


def test_to_dict_round_trips_through_json() -> None:
    group = solve(PENDULUM)
    theta, omega = group.latents
    tampered = dataclasses.replace(group, solution=dataclasses.replace(group.solution, discrete=((-theta, -omega),)))
    report = cross_examine(tampered, starts=16, seed=0)
    data = report.to_dict()
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    assert data["contradicts"] is True and data["counts"]["proved"] == len(report.proved)
    assert data["proved"][0]["map"] == [str(e) for e in report.proved[0]] and data["proved"][0]["evidence"]
    assert data["searched"]["starts_run"] and isinstance(data["searched"]["seconds"], float)


def test_recognise_small_rationals_pi_and_square_roots() -> None:
    assert recognise(0.0) == 0 and recognise(-2.5) == sympy.Rational(-5, 2) and recognise(1 / 3) == sympy.Rational(1, 3)
    assert recognise(4 * 3.141592653589793) == 4 * sympy.pi and recognise(-3.141592653589793 / 2) == -sympy.pi / 2
    assert recognise(3**0.5) == sympy.sqrt(3) and recognise(0.7390851332151607) is None  # the Dottie number


def test_reported_components_counts_what_is_listed() -> None:
    group = solve("latents: [z1, z2]\nmechanisms: {grow: [2*z1, 3*z2]}\n")
    assert reported_components(group) == 4  # the flips generate four sign regions of (t1*z1, t2*z2)
    assert reported_components(without_element(group, "(-z1, z2)")) == 2
    assert reported_components(example("laplace_walk")) == 8
