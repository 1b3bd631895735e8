"""Group-level solve for polynomial mechanisms: linear/affine ansatz for non-affine
mechanisms, and the polynomial:D ansatz (with invertibility and inverses)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

import equivid
from equivid.solve._verify import commutes

z1, z2, z3 = sympy.symbols("z1 z2 z3")


def solve(maps, ansatz="linear", latents=("z1", "z2")):
    return equivid.solve(equivid.System.from_maps(list(latents), maps), ansatz=ansatz)


@pytest.mark.parametrize(
    "maps, latents, order",
    [
        ({"m": ["z1**5", "z2**5"]}, ("z1", "z2"), 8),
        ({"m": ["z1**3", "z2**3", "z3**3"]}, ("z1", "z2", "z3"), 48),
    ],
    ids=["n2", "n3"],
)
def test_odd_powers_give_signed_permutations(maps, latents, order):
    group = solve(maps, latents=latents)
    assert group.finite and group.order == order and group.name == "signed permutations"
    assert group.dimension == 0 and not group.lie_algebra
    assert all(commutes(a, group.system) for a in group.discrete)
    assert group.contains("(-z2, z1)" if len(latents) == 2 else "(-z2, z1, z3)")


def test_even_powers_leave_only_permutations_linear():
    group = solve({"m": ["z1**2", "z2**2"]})
    assert group.finite and group.order == 2 and group.contains("(z2, z1)")
    assert not group.contains("(-z1, z2)")


def test_unequal_coefficients_break_the_swap():
    group = solve({"m": ["z1**3", "2*z2**3"]})
    assert group.finite and group.order == 8  # the swap survives with a sqrt(2) rescaling
    assert group.contains("(-sqrt(2)*z2, -sqrt(2)*z1/2)")


def test_family_with_cubic_coupling():
    """(z1, z2 + z1**3): a(z) = (t z1, t**3 z2 + s z1 + u) in the affine class."""
    group = solve({"m": ["z1", "z2 + z1**3"]}, ansatz="affine")
    assert group.dimension == 3 and len(group.lie_algebra) == 3
    t1, t2, t3 = group.parameters
    assert group.general_element == (t1 * z1, t1**3 * z2 + t2 + t3 * z1)
    assert group.conditions == (t1,)
    assert group.contains("(2*z1, 8*z2 + 1)") and not group.contains("(2*z1, 2*z2)")


def test_identity_family_is_the_general_element():
    group = solve({"m": ["z1**3 + z1", "z2"]})
    assert group.general_element == (z1, group.parameters[0] * z2)
    assert group.discrete == ((-z1, z2),)


def test_the_budget_not_a_count_of_unknowns_stops_a_large_system(monkeypatch):
    # 30 unknowns (once refused outright above 24): the wall-clock budget decides, and the
    # message gives the Lie algebra (with the default budget this system solves: S(5), order 120)
    monkeypatch.setenv("EQUIVID_BUDGET_SECONDS", "1")
    maps = {"m": [f"z{i + 1}**2" for i in range(5)]}
    with pytest.raises(equivid.BudgetExceededError, match="within 1 s.*Lie algebra has 0 generator"):
        solve(maps, ansatz="affine", latents=[f"z{i + 1}" for i in range(5)])


def test_a_six_latent_triangular_map_by_elimination():
    # 42 unknowns; the coefficient equations give most unknowns explicitly (linear ones, then the
    # chain c_i = c_{i+1}**2), which leaves none: by hand, a(z) = (c_1 z_1, ..., c_6 z_6) commutes
    # with (2 z_i + z_{i+1}**2, ..., 3 z_6) iff c_i = c_{i+1}**2, so c = (t**32, t**16, ..., t)
    names = [f"z{i + 1}" for i in range(6)]
    maps = {"m": [f"2*z{i + 1} + z{i + 2}**2" for i in range(5)] + ["3*z6"]}
    group = solve(maps, ansatz="affine", latents=names)
    (t,) = group.parameters
    z = sympy.symbols(names)
    assert group.general_element == tuple(t ** (2 ** (5 - i)) * z[i] for i in range(6))
    assert equivid.check(group).ok


def test_elimination_keeps_every_solution():
    from equivid.solve._polynomial import _solve, eliminate

    a, b, c = sympy.symbols("a b c")
    assert eliminate([a - 1, a - 2], [a]) is None  # inconsistent: a non-zero constant is left
    values, left = eliminate([a * b - 1, b - c**2], [a, b, c])  # a b = 1 is not explicit in a or b
    assert values == {b: c**2} and left == [a * c**2 - 1]
    # the real solutions of a = b**2, b**2 = 4 are (4, 2) and (4, -2): both survive the elimination
    assert sorted((s[a], s[b]) for s in _solve([a - b**2, b**2 - 4], [a, b])[0]) == [(4, -2), (4, 2)]


def test_wall_clock_budget_stops_a_long_solve(monkeypatch):
    monkeypatch.setenv("EQUIVID_BUDGET_SECONDS", "0.01")
    with pytest.raises(equivid.BudgetExceededError, match="budget.*Lie algebra has"):
        solve({"m": ["z1**5 + z2", "z2**5"]}, ansatz="polynomial:2")


def test_bad_budget_is_a_spec_error(monkeypatch):
    monkeypatch.setenv("EQUIVID_BUDGET_SECONDS", "-1")
    with pytest.raises(equivid.SpecError, match="EQUIVID_BUDGET_SECONDS"):
        solve({"m": ["z1**5", "z2**5"]}, ansatz="affine")


# -- polynomial:D ansatz ------------------------------------------------------------------
t = sympy.symbols("t1:8")


@pytest.mark.parametrize(
    "maps, ansatz, dimension, lie",
    [
        # z + e1: a = (z1 + q(z2), p(z2)) with p invertible, so deg p = 1: 3 + 2; Lie: 3 + 3
        ({"push": ["z1 + 1", "z2"]}, "polynomial:2", 5, 6),
        ({"push": ["z1 + 1", "z2"]}, "polynomial:3", 6, 8),
        # distinct non-resonant scalings: only the diagonal ones
        ({"grow": ["2*z1", "3*z2"]}, "polynomial:3", 2, 2),
        # 4 = 2**2: the resonant monomial z1**2 e2 joins
        ({"grow": ["2*z1", "4*z2"]}, "polynomial:2", 3, 3),
        # the quarter turn: only the scaled rotations are invertible at degree 3
        ({"turn": ["-z2", "z1"]}, "polynomial:3", 2, 6),
        # z2 + z1**3: (t1 z1, t1**3 z2 + c(z1)) with deg c <= 3
        ({"m": ["z1", "z2 + z1**3"]}, "polynomial:3", 5, 7),
    ],
)
def test_polynomial_ansatz_dimensions(maps, ansatz, dimension, lie):
    group = solve(maps, ansatz=ansatz)
    assert group.dimension == dimension and len(group.lie_algebra) == lie
    assert commutes(group.general_element, group.system)
    rng = np.random.default_rng(7)
    for _ in range(3):
        a = group.sample(rng)
        assert commutes(a, group.system) and group.contains(a)


def test_polynomial_ansatz_general_element_push():
    group = solve({"push": ["z1 + 1", "z2"]}, ansatz="polynomial:2")
    assert group.general_element == (z1 + t[0] + t[1] * z2 + t[2] * z2**2, t[3] + t[4] * z2)
    assert group.conditions == (t[4],)
    assert any("(0, z2**2) leave the class" in note for note in group.notes)
    assert any("polynomial automorphism" in note and "inside the class" in note for note in group.notes)
    assert group.contains("(z1 + z2**2, 2*z2 + 1)")
    assert not group.contains("(z1, z2 + z2**2)")  # commutes, but not invertible


def test_polynomial_ansatz_finite_group():
    group = solve({"m": ["z1**2", "z2**3"]}, ansatz="polynomial:2")
    assert group.finite and group.order == 2 and group.discrete == ((z1, -z2),)


def test_polynomial_ansatz_other_solution_sets_are_represented():
    group = solve({"m": ["z1**3", "z2"]}, ansatz="polynomial:2")
    assert group.general_element == (z1, t[0] + t[1] * z2)
    assert len(group.discrete) == 1 and group.discrete[0][0] == -z1
    assert commutes(group.discrete[0], group.system)


def test_polynomial_inverse():
    from equivid.solve._polynomial import polynomial_inverse

    assert polynomial_inverse((z1 + z2**2, z2), (z1, z2)) == (z1 - z2**2, z2)
    assert polynomial_inverse((z1**3, z2), (z1, z2)) is None
    a = (2 * z1 + z2**2 + 3, 5 * z2 + 1)
    b = polynomial_inverse(a, (z1, z2))
    assert tuple(sympy.expand(e.xreplace(dict(zip((z1, z2), b)))) for e in a) == (z1, z2)


def test_non_polynomial_mechanism_under_polynomial_ansatz_is_unsupported():
    with pytest.raises(equivid.UnsupportedMechanismError, match="polynomial:D ansatz needs polynomial"):
        solve({"m": ["tanh(z1)", "z2"]}, ansatz="polynomial:2")


def test_the_mechanism_itself_is_reported_outside_the_class():
    group = solve({"m": ["z1", "z2 + z1**3"]}, ansatz="affine")
    assert any("the mechanism m commutes with every mechanism" in note for note in group.notes)
    assert not any("the mechanism" in note for note in solve({"m": ["z1**5", "z2**5"]}).notes)


# -- properties ------------------------------------------------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

small = st.integers(min_value=-2, max_value=2)


@st.composite
def triangular_systems(draw):
    """(a z1 + b, c z2 + p(z1)) with a, c in {1, -1, 2} and p of degree <= 3: polynomial
    automorphisms (triangular), a mix of affine and non-affine mechanisms."""
    a, c = draw(st.sampled_from([1, -1, 2])), draw(st.sampled_from([1, -1, 2]))
    b = draw(small)
    coefficients = draw(st.lists(small, min_size=4, max_size=4))
    p = sum((k * z1**d for d, k in enumerate(coefficients)), sympy.Integer(0))
    return equivid.System.from_maps(["z1", "z2"], {"m": [str(a * z1 + b), str(c * z2 + p)]})


def _numeric_residual(a, system, rng):
    latents = system.latents
    fa = sympy.lambdify(latents, list(a))
    worst = 0.0
    for m in system.mechanisms:
        fm = sympy.lambdify(latents, list(m.components))
        for z in rng.uniform(-1.5, 1.5, size=(4, len(latents))):
            worst = max(worst, float(np.max(np.abs(np.subtract(fa(*fm(*z)), fm(*fa(*z)))))))
    return worst


@settings(deadline=None, max_examples=12)
@given(triangular_systems(), st.sampled_from(["affine", "polynomial:2"]), st.integers(0, 2**32 - 1))
def test_polynomial_soundness(system, ansatz, seed):
    """Sampled elements, discrete parts and Lie generators commute (exactly and at random
    points), and every sampled element has a polynomial inverse."""
    from equivid.solve._polynomial import polynomial_inverse
    from equivid.solve._verify import generates

    try:
        group = equivid.solve(system, ansatz=ansatz)
    except equivid.BudgetExceededError:
        return  # a clear stop, tested separately
    rng = np.random.default_rng(seed)
    elements = list(group.discrete) + ([group.sample(rng)] if group.parameters else [])
    for a in elements:
        assert commutes(a, system)
        assert _numeric_residual(a, system, rng) < 1e-8
        assert polynomial_inverse(a, system.latents) is not None
    assert all(generates(X, system) for X in group.lie_algebra)
    # the family's tangent fields lie in the Lie algebra's span
    for X in group.tangent_fields():
        assert generates(X, system)


# -- components of a one-parameter family (issue 16, item 3) -------------------------------------
def test_a_triangular_family_has_two_components():
    # a(z) = (t**4 z1, t**2 z2, t z3), t != 0: the half-lines t > 0 and t < 0 (derived by hand: the
    # coefficient of z3 is t itself, and t = 0 is not invertible)
    group = solve({"m": ["2*z1 + z2**2", "2*z2 + z3**2", "3*z3"]}, ansatz="affine", latents=("z1", "z2", "z3"))
    z1, z2, z3 = sympy.symbols("z1:4")
    (t,) = group.parameters
    assert group.general_element == (t**4 * z1, t**2 * z2, t * z3)
    assert group.components == 2 and group.complete
    assert group.discrete == ((z1, z2, -z3),)
    assert equivid.check(group).ok


def test_the_intervals_of_a_parameter_against_numeric_roots():
    from equivid.solve._polynomial import _other_intervals

    t = sympy.Symbol("t")
    factors = [t, t - 1, t + 2, t**2 - 3]  # real roots -2, -sqrt(3), 0, 1, sqrt(3): six intervals
    values = _other_intervals(factors, [t], [sympy.Rational(5, 4)])  # the identity between 1 and sqrt(3)
    roots = sorted([-2.0, -3**0.5, 0.0, 1.0, 3**0.5])

    def interval(x: float) -> int:
        return sum(1 for r in roots if r < x)

    assert values is not None and len(values) == 5
    assert sorted(interval(float(v)) for v in values) == [0, 1, 2, 3, 5]  # every interval but the identity's (4)
    assert all(all(f.subs(t, v) != 0 for f in factors) for v in values)
    assert _other_intervals([t**2 + 1], [t], [1]) == []  # no real root: one interval
    assert _other_intervals([t], [t, sympy.Symbol("s")], [1, 1]) is None  # two parameters: not decided
    assert _other_intervals([t - sympy.sqrt(2)], [t], [0]) is None  # an irrational coefficient: not decided


@pytest.mark.parametrize("maps, flows, components", [
    (None, {"epidemic": ["-S*I", "S*I - I/2", "I/2"]}, 2),  # (S, I, (1 + t2) R + t2 (S + I) + t1): det = 1 + t2
    ({"m": ["S", "I + S**2", "R"]}, None, 4),  # (t1 S, t1^2 I + ..., t7 R + ...): signs of t1 and t7
])
def test_components_of_multi_parameter_families_from_their_parameters(maps, flows, components):
    """Oracle: the diagonal entries of B are continuous and non-zero on these families (derived in
    the comments), so elements with distinct sign patterns of them lie in distinct components; the
    identity, the representatives and their products show exactly ``components`` patterns."""
    system = equivid.System.from_maps(["S", "I", "R"], maps or {}, flows=flows)
    group = equivid.solve(system, ansatz="affine", cross_examine=False)
    assert group.components == components and group.complete
    latents = system.latents

    def compose(a, b):
        return tuple(sympy.expand(e.xreplace(dict(zip(latents, b)))) for e in a)

    elements = [tuple(latents)]
    for d in group.discrete:
        elements += [compose(d, e) for e in elements]
    patterns = {tuple(sympy.sign(sympy.diff(e, z)) for e, z in zip(a, latents)) for a in elements}
    assert len(patterns) == components
