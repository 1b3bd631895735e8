"""The cross-examination inside the pipeline (equivid.solve, equivid analyze): on by default
behind heuristic answers, reported in notes and JSON, and an answer a proved element
contradicts is never reported complete."""

from __future__ import annotations

import dataclasses
import json

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import equivid
from equivid.cli import EXAMPLES, main
from equivid.examine import QUICK, CrossExamination, cross_examine, incorporate
from equivid.solve import _classes, _noise, _nonpolynomial
from tests.test_examine import LAPLACE_PRODUCT, PENDULUM

ODD_TANH = "latents: [z1, z2]\nmechanisms: {squash: [tanh(z1), tanh(z2)]}\n"


def system(text: str) -> equivid.System:
    return equivid.System.from_spec(text)


def assert_contradicted(group: equivid.EquivarianceGroup, missed: tuple[sympy.Expr, ...]) -> None:
    """``group`` lacked ``missed`` and the pipeline knows it: not complete, the element named."""
    assert group.examination is not None and group.examination.contradicts
    assert missed in group.examination.proved
    assert group.complete is False
    reason = group.completeness["components"].reason
    assert str(missed[0]) in reason and "cross-examination" in reason
    assert "lower bound" in group.verdict
    assert group.finite is not True and group.identifiable is not True
    data = group.to_dict()
    assert data["complete"] is False
    assert [str(e) for e in missed] in [p["map"] for p in data["cross_examination"]["proved"]]
    assert any("cross-examination" in note and "proved" in note for note in data["notes"])
    assert equivid.check(group).ok  # the amended answer is still sound


# -- a part that misses an element: the pipeline never reports it complete ----------------------
def test_a_non_polynomial_part_that_misses_the_2pi_shift(monkeypatch) -> None:
    solve = _nonpolynomial.NonPolynomialPart.solve

    def missing_shift(self, problem):  # the pendulum's answer without its 2π shift
        solution = solve(self, problem)
        kept = tuple(d for d in solution.discrete if "pi" not in str(d))
        return dataclasses.replace(solution, discrete=kept,
                                   completeness=dataclasses.replace(solution.completeness, infinite_discrete=False))

    monkeypatch.setattr(_nonpolynomial.NonPolynomialPart, "solve", missing_shift)
    group = equivid.solve(system(PENDULUM))
    theta, omega = group.latents
    assert_contradicted(group, (theta + 2 * sympy.pi, omega))
    assert (theta + 2 * sympy.pi, omega) in group.discrete  # incorporated as a discrete element
    assert group.finite is False and group.to_dict()["infinite_discrete"] is True  # a shift: infinitely many


def test_a_non_polynomial_part_that_misses_a_sign_flip(monkeypatch) -> None:
    solve = _nonpolynomial.NonPolynomialPart.solve

    def missing_flip(self, problem):
        solution = solve(self, problem)
        return dataclasses.replace(solution, discrete=solution.discrete[:1], components=2)

    monkeypatch.setattr(_nonpolynomial.NonPolynomialPart, "solve", missing_flip)
    honest = equivid.solve(system(ODD_TANH), cross_examine=False)
    assert honest.complete and honest.components == 2  # without the examiner the defect goes unnoticed
    group = equivid.solve(system(ODD_TANH))
    assert group.examination.proved
    missed = group.examination.proved[0]
    assert_contradicted(group, missed)
    assert group.components is None and group.order is None


def test_a_noise_part_that_misses_the_rescaled_swap(monkeypatch) -> None:
    solve = _noise.NoisePart.solve

    def signs_only(self, system, ansatz):  # only the sign flips, as the old solver had
        solution = solve(self, system, ansatz)
        z1, z2 = system.latents
        kept = tuple(d for d in solution.discrete if sympy.expand(d[0]).has(z1))
        assert 0 < len(kept) < len(solution.discrete)
        return dataclasses.replace(solution, discrete=kept, components=len(kept) + 1)

    monkeypatch.setattr(_noise.NoisePart, "solve", signs_only)
    group = equivid.solve(system(LAPLACE_PRODUCT))
    assert group.examination.proved
    missed = group.examination.proved[0]
    z1, z2 = group.latents
    assert sympy.expand(missed[0]).has(z2) and sympy.expand(missed[1]).has(z1)  # the rescaled swap
    assert_contradicted(group, missed)


def test_a_class_part_that_misses_a_piece(monkeypatch) -> None:
    spec = EXAMPLES / "class_diagonal.yaml"
    assert equivid.solve(equivid.load(spec), cross_examine=False).components == 8
    solve = _classes.ClassPart.solve

    def fewer_pieces(self, problem):  # without the coordinate swaps
        solution = solve(self, problem)
        z1, z2 = problem.system.latents
        kept = tuple(d for d in solution.discrete if sympy.expand(d[0]).has(z1))
        assert 0 < len(kept) < len(solution.discrete)
        return dataclasses.replace(solution, discrete=kept, components=len(kept) + 1)

    monkeypatch.setattr(_classes.ClassPart, "solve", fewer_pieces)
    group = equivid.solve(equivid.load(spec))
    assert group.examination.proved
    assert_contradicted(group, group.examination.proved[0])


def test_an_affine_answer_is_examined_on_request_only(monkeypatch) -> None:
    text = "latents: [z1, z2]\nmechanisms: {p: [z1**5, z2**5]}\n"
    assert equivid.solve(system(text)).examination is None  # exact part: no default search
    from equivid.solve import _polynomial

    solve = _polynomial.PolynomialPart.solve

    def no_swap(self, problem):
        solution = solve(self, problem)
        z1, z2 = problem.system.latents
        kept = tuple(d for d in solution.discrete if sympy.expand(d[0]).has(z1))
        return dataclasses.replace(solution, discrete=kept, components=len(kept) + 1)

    monkeypatch.setattr(_polynomial.PolynomialPart, "solve", no_swap)
    group = equivid.solve(system(text), cross_examine=True)
    assert group.examination.searched["starts"] == 64
    assert_contradicted(group, group.examination.proved[0])


# -- the defaults, and what is reported -----------------------------------------------------------
@pytest.mark.parametrize("name, examined", [("pendulum", True), ("laplace_walk", True), ("class_diagonal", True),
                                            ("diagonal_scaling", False), ("cycle_12", False)])
def test_the_default_examines_heuristic_answers_only(name, examined) -> None:
    group = equivid.solve(equivid.load(EXAMPLES / f"{name}.yaml"))
    assert (group.examination is not None) is examined
    data = group.to_dict()
    assert ("cross_examination" in data) and ((data["cross_examination"] is not None) is examined)
    if examined:
        searched = data["cross_examination"]["searched"]
        assert searched["starts"] == QUICK["starts"] and searched["seed"] == 0 and not searched["stopped_by_budget"]
        assert group.complete and not group.examination.proved
        assert any(note.startswith("cross-examination") and "not a proof" in note for note in group.notes)
        json.dumps(data, allow_nan=False)
    assert equivid.solve(equivid.load(EXAMPLES / f"{name}.yaml"), cross_examine=False).examination is None


def test_a_bad_cross_examine_value_is_a_spec_error() -> None:
    with pytest.raises(equivid.SpecError, match="cross_examine"):
        equivid.solve(system(ODD_TANH), cross_examine="yes")  # type: ignore[arg-type]


def test_incorporate_refuses_a_proved_element_that_does_not_commute() -> None:
    group = equivid.solve(system("latents: [z1, z2]\nmechanisms: {grow: [2*z1, 3*z2]}\n"))
    z1, z2 = group.latents
    report = cross_examine(group, starts=4)
    wrong = CrossExamination(report.searched, (), ((z2, z1),), (), ("planted: a wrong proof",))
    with pytest.raises(equivid.VerificationError, match="amended by the cross-examination"):
        incorporate(group, wrong)


def test_the_command_line_flags(capsys) -> None:
    assert main(["analyze", "diagonal_scaling", "--format", "json", "--degree", "0", "--cross-examine"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["cross_examination"]["searched"]["starts"] == 64 and data["cross_examination"]["contradicts"] is False
    assert main(["analyze", "pendulum", "--format", "json", "--degree", "0", "--no-cross-examine"]) == 0
    assert json.loads(capsys.readouterr().out)["cross_examination"] is None
    assert main(["analyze", "pendulum", "--degree", "0"]) == 0
    assert "note: cross-examination, a numeric search of affine maps" in capsys.readouterr().out
    assert main(["analyze", "pendulum", "--cross-examine", "--no-cross-examine"]) == 2
    assert "not allowed with argument --cross-examine" in capsys.readouterr().err


# -- property: random heuristic systems raise no alarm, and a planted omission always does -------
@st.composite
def odd_squashings(draw) -> str:
    """Coordinatewise odd saturations ``k_i tanh(c_i z_{p(i)})`` (a permutation ``p``): the
    non-polynomial part answers; signed permutations can commute."""
    n = 2
    perm = draw(st.permutations(range(n)))
    scales = [draw(st.sampled_from([1, 2])) for _ in range(n)]
    inner = [draw(st.sampled_from([1, 2])) for _ in range(n)]
    comps = [f"{scales[i]}*tanh({inner[i]}*z{perm[i] + 1})" for i in range(n)]
    return f"latents: [z1, z2]\nmechanisms: {{m: [{', '.join(comps)}]}}\n"


@settings(max_examples=6, deadline=None)
@given(odd_squashings())
def test_random_non_polynomial_systems(text) -> None:
    group = equivid.solve(system(text))
    assert group.examination is not None and group.examination.proved == ()
    if group.complete and group.discrete:
        dropped = dataclasses.replace(group, solution=dataclasses.replace(
            group.solution, discrete=group.discrete[1:], components=(group.components or 2) - 1), examination=None)
        amended = incorporate(dropped, cross_examine(dropped, **QUICK))
        assert not amended.complete and amended.examination.proved
        assert all(group.contains(a) for a in amended.examination.proved)


@settings(max_examples=6, deadline=None)
@given(st.lists(st.sampled_from(["laplace", "gaussian", "uniform"]), min_size=2, max_size=2),
       st.lists(st.sampled_from([1, 2]), min_size=2, max_size=2))
def test_random_noise_products(laws, scales) -> None:
    factors = ", ".join(f"{{law: {law}, scale: {s}}}" for law, s in zip(laws, scales))
    text = f"latents: [z1, z2]\nmechanisms:\n  walk: {{map: [z1, z2], noise: {{law: product, factors: [{factors}]}}}}\n"
    group = equivid.solve(system(text))
    report = group.examination
    assert report is not None and report.declined is None and report.proved == ()
    assert group.complete  # the noise part's answer, confirmed by the second opinion
