"""Beyond the searched class (equivid/beyond.py): first integrals, elements outside the class,
recoverable properties and the theorems that make an answer complete among smooth maps.

Oracles are independent of the module: derivatives and brackets taken here with sympy, flows
integrated numerically with scipy, published first integrals, and explicit maps outside the
class that commute (so that a completeness claim there would be false)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy
from scipy.integrate import solve_ivp

import equivid
from equivid import Ansatz, System, beyond
from equivid.beyond import (
    OutsideElement,
    completion,
    first_integrals,
    outside_class,
    verify_outside,
)
from equivid.cli import EXAMPLES
from equivid.render import text_report
from equivid.testing import assert_recoverable

x, y, S, I, R, theta, omega, z1, z2 = sympy.symbols("x y S I R theta omega z1 z2")  # noqa: E741 - SIR's I

LV = System.from_maps(["x", "y"], flows={"lv": ["x*(2 - y)", "y*(x - 3)"]})
SIR = System.from_maps(["S", "I", "R"], flows={"sir": ["-S*I", "S*I - I/2", "I/2"]})
PENDULUM = System.from_maps(["theta", "omega"], flows={"swing": ["omega", "-sin(theta)"]})
PUBLISHED = {  # the textbook first integrals
    "lv": (LV, [x - 3 * sympy.log(x) + y - 2 * sympy.log(y)]),
    "sir": (SIR, [S + I + R, sympy.log(S) + 2 * R]),
    "pendulum": (PENDULUM, [omega**2 / 2 - sympy.cos(theta)]),
}


def _derivative(expr, system):
    return [sympy.simplify(sum(sympy.diff(expr, z) * v for z, v in zip(system.latents, m.components)))
            for m in system.flows]


def _rank(exprs, latents, rng):
    """Rank of the gradients at a random point of (1/2, 2)^n, in floats (functional independence)."""
    point = {z: float(rng.uniform(0.5, 2.0)) for z in latents}
    rows = [[float(sympy.diff(e, z).subs(point)) for z in latents] for e in exprs]
    return np.linalg.matrix_rank(np.array(rows), tol=1e-9)


# -- first integrals ---------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_first_integrals_are_proved_and_span_the_published_ones(name):
    rng = np.random.default_rng(0)
    system, known = PUBLISHED[name]
    found = first_integrals(system)
    assert len(found) == len(known)
    for g in found:  # each one is a first integral: checked here, by plain differentiation
        assert all(d == 0 for d in _derivative(g, system))
    for k in known:  # and the published ones are functions of them
        assert _rank(list(found) + [k], system.latents, rng) == len(found)


def test_first_integrals_of_maps_and_none_for_an_expansion():
    turn = System.from_maps(["z1", "z2"], {"turn": ["-z2", "z1"]})
    assert first_integrals(turn) == (z1**2 + z2**2,)
    assert first_integrals(System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})) == ()


def test_first_integrals_prove_every_candidate(monkeypatch):
    """A wrong candidate from the linear algebra is dropped by the proof step."""
    real = beyond._kernel

    def with_wrong(basis, system):
        return real(basis, system) + [[sympy.Integer(int(b == x)) for b in basis]]  # "x" is no integral

    monkeypatch.setattr(beyond, "_kernel", with_wrong)
    assert x not in first_integrals(LV)


def test_first_integrals_refuse_bad_input():
    with pytest.raises(equivid.SpecError, match="degree"):
        first_integrals(LV, degree=0)
    with pytest.raises(equivid.UnsupportedMechanismError):
        first_integrals(equivid.load(EXAMPLES / "gaussian_walk.yaml"))


# -- elements outside the class ----------------------------------------------------------
def test_lotka_volterra_outside_elements_commute_numerically():
    """The flow of f(H)·V commutes with the flow of V: integrate both (scipy) and compare."""
    H = x - 3 * sympy.log(x) + y - 2 * sympy.log(y)
    V = [x * (2 - y), y * (x - 3)]
    F = sympy.lambdify((x, y), [sympy.sin(H) * v for v in V])  # f = sin
    G = sympy.lambdify((x, y), V)

    def flow(field, t, p):
        return solve_ivp(lambda _t, q: field(*q), (0, t), p, rtol=1e-11, atol=1e-12).y[:, -1]

    p = np.array([1.3, 0.7])
    one = flow(G, 0.4, flow(F, 0.3, p))
    other = flow(F, 0.3, flow(G, 0.4, p))
    assert np.allclose(one, other, atol=1e-7)
    kinds = {e.kind for e in outside_class(LV, Ansatz("affine"))}
    assert kinds == {"flow", "flow of f(H) V"}


def test_verify_outside_rejects_wrong_elements():
    f = sympy.Function("f")
    V = [x * (2 - y), y * (x - 3)]
    wrong_integral = OutsideElement("flow of f(H) V", "lv", "wrong", "", field=tuple(f(x) * v for v in V), integrals=(x,))
    assert not verify_outside(wrong_integral, LV)
    right = OutsideElement("flow of f(H) V", "lv", "right", "",
                           field=tuple(f(x - 3 * sympy.log(x) + y - 2 * sympy.log(y)) * v for v in V))
    assert verify_outside(right, LV)
    not_a_map = OutsideElement("iterates", "m", "wrong", "", map=(x + 1, y))
    assert not verify_outside(not_a_map, LV)


def test_outside_class_drops_an_element_that_fails_verification():
    found = outside_class(LV, Ansatz("affine"), integrals=[x + y])  # x + y is not an integral
    assert [e.kind for e in found] == ["flow"]


def test_outside_class_needs_commuting_flows():
    two = System.from_maps(["x", "y"], flows={"a": ["1", "0"], "b": ["0", "x"]})  # [a, b] != 0
    assert outside_class(two, Ansatz("affine")) == ()


# -- recoverable means recoverable --------------------------------------------------------
@pytest.mark.parametrize("system, wrong", [(LV, [x, y]), (SIR, [S, I]), (PENDULUM, [omega**2])])
def test_no_non_invariant_property_is_recoverable(system, wrong):
    group = equivid.solve(system, cross_examine=False)
    recoverable = group.identifiable_properties(2)
    for phi in wrong:
        assert phi not in recoverable
        with pytest.raises(AssertionError, match="not recoverable"):
            assert_recoverable(group, phi)
    found = group.recoverable(2)
    assert found.candidates and found.scope is None
    for phi in recoverable:  # what is left is invariant under the flow itself
        assert all(d == 0 for d in _derivative(phi, system))
    assert group.identifiable is False and group.finite is False
    assert group.verdict.startswith("not identifiable by every learner")


def test_pendulum_energy_is_the_candidate():
    rng = np.random.default_rng(1)
    group = equivid.solve(PENDULUM, cross_examine=False)
    candidates = group.recoverable(2).candidates
    assert _rank(list(candidates) + [omega**2 / 2 - sympy.cos(theta)], group.latents, rng) == 1
    assert_recoverable(group, omega**2 / 2 - sympy.cos(theta))  # invariant under all that is known


def test_assert_recoverable_scope():
    walk = equivid.load(EXAMPLES / "gaussian_walk.yaml")
    assert_recoverable(walk, "z1**2 + z2**2", ansatz="linear")
    with pytest.raises(AssertionError, match="not proved complete among C\\^inf"):
        assert_recoverable(walk, "z1**2 + z2**2", ansatz="linear", among="C^inf")
    with pytest.raises(AssertionError, match="changed by the group found"):
        assert_recoverable(walk, "z1", ansatz="linear")


# -- theorems: complete beyond the class ---------------------------------------------------
def _completion(system, ansatz="affine"):
    return equivid.solve(system, ansatz=ansatz, cross_examine=False).complete_in


def test_diagonal_scaling_and_translation_family_are_complete_beyond_the_class():
    scaling = _completion(equivid.load(EXAMPLES / "diagonal_scaling.yaml"))
    assert scaling.within == "C^inf" and "contraction" in scaling.theorem
    translations = _completion(equivid.load(EXAMPLES / "translation_family.yaml"))
    assert translations.within == "continuous"


FINITE_EXAMPLES = sorted(p.name for p in EXAMPLES.glob("*.yaml") if equivid.load(p).states)


def test_the_bundled_finite_state_examples_are_found():
    assert len(FINITE_EXAMPLES) >= 4


@pytest.mark.parametrize("path", FINITE_EXAMPLES)
def test_every_finite_state_example_is_complete_among_bijections(path):
    system = equivid.load(EXAMPLES / path)
    group = equivid.solve(system)
    assert group.complete_in.within == "all bijections"
    assert "complete in" in text_report(group)


def test_saddle_is_not_complete_and_a_smooth_map_outside_commutes():
    saddle = System.from_maps(["z1", "z2"], {"saddle": ["2*z1", "z2/2"]})
    found = _completion(saddle)
    assert found.within == "affine" and not found.beyond_class
    w = z1 * z2  # the invariant of the saddle: (z1 (1 + w^2), z2 / (1 + w^2)) commutes and is not affine
    g = (z1 * (1 + w**2), z2 / (1 + w**2))
    assert equivid.solve(saddle, cross_examine=False).membership(list(g)).commutes
    assert first_integrals(saddle) == (z1 * z2,)


@pytest.mark.parametrize("spec, ansatz, within", [
    ({"m": ["z1/2 - z2/3", "z1/3 + z2/2"]}, "affine", "C^inf"),  # complex eigenvalues, modulus < 1
    ({"m": ["2*z1 + 1", "3*z2"]}, "affine", "C^inf"),  # fixed point (-1, 0)
    ({"m": ["2*z1 + 1", "3*z2"]}, "linear", "linear"),  # ... which the linear class does not fix
    ({"m": ["z1/2", "z2/4"]}, "affine", "affine"),  # resonance z2 ~ z1^2: N = 2
    ({"m": ["3*z1/5 - 4*z2/5", "4*z1/5 + 3*z2/5"]}, "affine", "affine"),  # modulus 1: no theorem
])
def test_contraction_theorem_hypotheses(spec, ansatz, within):
    found = _completion(System.from_maps(["z1", "z2"], spec), ansatz)
    assert found.within == within


def test_resonant_contraction_needs_degree_two_and_the_resonant_map_commutes():
    system = System.from_maps(["z1", "z2"], {"m": ["z1/2", "z2/4"]})
    found = _completion(system)
    assert found.hint is not None and "polynomial:2" in found.hint
    group = equivid.solve(system, ansatz="polynomial:2", cross_examine=False)
    assert group.membership(["z1", "z2 + z1**2"]).member  # outside the affine class, inside degree 2
    # degree 2 is enough for the theorem (the components of that polynomial family are not determined
    # yet, so the solved answer itself stays a lower bound: complete_in is None there)
    assert completion(system, Ansatz.parse("polynomial:2"), kind="family", complete=True).within == "C^inf"
    assert group.complete_in.within is None


@pytest.mark.parametrize("flows, within", [
    ({"v": ["-z1 + 1", "-z1 - z2"]}, "C^inf"),  # a sink, eigenvalue -1 twice, equilibrium (1, -1)
    ({"v": ["z1 + z2", "-z1 + z2"]}, "C^inf"),  # a source with complex eigenvalues 1 +- i
    ({"v": ["-z1", "-2*z2"]}, "affine"),  # a sink with a resonance: N = 2
    ({"v": ["z1", "-z2"]}, "affine"),  # a saddle: no theorem
])
def test_sink_and_source_theorem_hypotheses(flows, within):
    found = _completion(System.from_maps(["z1", "z2"], flows=flows))
    assert found.within == within


@pytest.mark.parametrize("a, b", [(2, 3), (2, 5), (3, 10), (5, 7), (2, 9)])
def test_degree_bound_matches_the_formula(a, b):
    """N = floor(log mu / log rho) for the contraction diag(1/a, 1/b), a < b, away from resonances."""
    system = System.from_maps(["z1", "z2"], {"m": [f"z1/{a}", f"z2/{b}"]})
    expected = math.floor(math.log(b) / math.log(a))
    N, _ = beyond._contraction_degree(sympy.diag(sympy.Rational(1, a), sympy.Rational(1, b)), flow=False)
    assert N == expected
    assert (_completion(system).within == "C^inf") == (expected == 1)


def test_json_and_text_carry_the_statements():
    group = equivid.solve(LV, cross_examine=False)
    data = group.to_dict(degree=2)
    assert data["complete_in"] == "affine" and data["identifiable"] is False
    assert {e["kind"] for e in data["outside_class"]} == {"flow", "flow of f(H) V"}
    assert data["first_integrals"] == ["x + y - 3*log(x) - 2*log(y)"]
    assert data["identifiable_properties"] == [] and data["recoverable"]["candidates"]
    text = text_report(group, 2)
    assert "outside:" in text and "not x:" in text
    scaling = equivid.solve(equivid.load(EXAMPLES / "diagonal_scaling.yaml")).to_dict()
    assert scaling["complete_in"] == "C^inf" and scaling["outside_class"] == []


def test_sketch_checks_the_outside_step():
    sketch = equivid.sketch(equivid.solve(LV, cross_examine=False))
    step = next(s for s in sketch.steps if s.kind == "outside")
    assert step.checked and any("first integral" in c for c in step.checks)


def test_sketch_rechecks_a_completeness_claim(monkeypatch):
    """A wrong C^inf claim (a saddle, where a smooth map outside the class commutes) fails the step."""
    saddle = equivid.solve(System.from_maps(["z1", "z2"], {"saddle": ["2*z1", "z2/2"]}), cross_examine=False)
    wrong = beyond.Completion("C^inf", "claimed", "a made-up theorem", ("none",))
    saddle.__dict__["complete_in"] = wrong  # the cached property, replaced
    step = next(s for s in equivid.sketch(saddle).steps if s.kind == "outside")
    assert not step.checked and "re-checking" in step.reason


def test_sketch_rejects_an_outside_element_that_does_not_commute():
    group = equivid.solve(LV, cross_examine=False)
    bad = OutsideElement("flow", "lv", "a wrong flow", "", field=(sympy.Integer(1), sympy.Integer(0)))
    group.__dict__["outside_class"] = group.outside_class + (bad,)
    step = next(s for s in equivid.sketch(group).steps if s.kind == "outside")
    assert not step.checked and "does not commute" in step.reason


def test_a_commuting_mechanism_of_undecided_bijectivity_keeps_its_changes_from_recoverable(tmp_path, capsys):
    # (z1**5, z2**5) is a bijection of R^2 (inverse: fifth roots, not polynomial) and commutes
    # with itself, so its powers lie in the group: z1**2 + z2**2, invariant under the signed
    # permutations found among affine maps, is changed by the mechanism and must not be called
    # recoverable; the mechanism is not listed as a proved element either
    odd = System.from_maps(["z1", "z2"], {"m": ["z1**5", "z2**5"]})
    group = equivid.solve(odd)
    z1, z2 = sympy.symbols("z1 z2")
    assert z1**2 + z2**2 in group.identifiable_properties()  # within the searched class
    found = group.recoverable(2)
    assert found.properties == ()
    assert found.excluded == ((z1**2 + z2**2, ("the powers of m, if m is a bijection (not decided)",)),)
    assert group.outside_class == ()
    from equivid.cli import main

    spec = tmp_path / "odd.yaml"
    spec.write_text("latents: [z1, z2]\nmechanisms:\n  m: [z1**5, z2**5]\n")
    assert main(["analyze", str(spec)]) == 0
    assert "changed by the powers of m, if m is a bijection (not decided)" in capsys.readouterr().out
    # a mechanism that does not commute with another one is not a candidate
    other = System.from_maps(["z1", "z2"], {"m": ["z1**5", "z2**5"], "push": ["z1 + 1", "z2"]})
    assert beyond.undecided_iterates(other, Ansatz("affine")) == ()
    # a proved bijection is an element (outside_class), not an undecided one
    tri = System.from_maps(["z1", "z2"], {"m": ["z1", "z2 + z1**2"]})
    assert beyond.undecided_iterates(tri, Ansatz("affine")) == ()
    assert [e.mechanism for e in equivid.solve(tri).outside_class] == ["m"]


def test_a_linear_flows_maps_are_not_outside_a_polynomial_class():
    # the time-t maps of dz/dt = (-z1, -2 z2) are diag(e^-t, e^-2t): affine, so inside
    # polynomial:2; only the flows of f(H)·decay (not polynomial) lie outside
    decay = System.from_maps(["z1", "z2"], flows={"decay": ["-z1", "-2*z2"]})
    for ansatz in ("affine", "polynomial:2"):
        labels = [e.label for e in equivid.solve(decay, ansatz=ansatz).outside_class]
        assert "the flow of decay" not in labels and labels == ["the flows of f(H)·decay"]
    bent = System.from_maps(["z1", "z2"], flows={"bent": ["1", "z1**3"]})
    assert "the flow of bent" in [e.label for e in equivid.solve(bent, ansatz="polynomial:2").outside_class]
