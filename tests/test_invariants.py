"""Invariant functions of mechanisms and of groups: hand-derived tables and laws."""

from __future__ import annotations

import random
from itertools import combinations_with_replacement

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st
from sympy.polys.matrices import DomainMatrix

import equivid
from equivid.errors import SpecError, UnsupportedMechanismError
from equivid.invariants import group_invariants, mechanism_invariants

Z1, Z2 = sympy.symbols("z1 z2")


def system(maps=None, flows=None, latents=("z1", "z2"), families=()):
    return equivid.System.from_maps(list(latents), maps, flows=flows, families=families)


def same(result, expected):
    return [sympy.expand(e - sympy.sympify(x)) for e, x in zip(result, expected)] == [0] * len(expected) and len(
        result
    ) == len(expected)


# -- hand-derived tables ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "maps, flows, degree, expected",
    [
        ({"m": ["z1", "z2 + exp(z1)"]}, None, 3, ["z1"]),  # any function of z1: numeric path
        ({"push": ["z1 + 1", "z2"]}, None, 3, ["z2"]),
        ({"turn": ["-z2", "z1"]}, None, 2, ["z1**2 + z2**2"]),
        ({"turn": ["-z2", "z1"]}, None, 4, ["z1**2 + z2**2", "z1**3*z2 - z1*z2**3", "z1**2*z2**2"]),
        ({"grow": ["2*z1", "3*z2"]}, None, 4, []),
        ({"m": ["z1", "z2 + z1**3"]}, None, 4, ["z1"]),
        (None, {"drift": ["1", "0"]}, 4, ["z2"]),
        (None, {"spin": ["-z2", "z1"]}, 4, ["z1**2 + z2**2"]),
        (None, {"v": ["1", "2*z1"]}, 3, ["z1**2 - z2"]),  # not homogeneous
        ({"m": ["z1**5", "z2**5"]}, None, 3, []),
        ({"swap": ["z2", "z1"]}, None, 3, ["z1 + z2", "z1*z2"]),
        ({"m": ["sqrt(2)*z1", "z2"]}, None, 3, ["z2"]),  # sympy-domain path
        ({"m": ["tanh(z1)", "z2"]}, None, 3, ["z2"]),
        ({"m": ["z1 + sin(z2)", "z2"]}, None, 3, ["z2"]),
        ({"m": ["log(z1)", "z2"]}, None, 2, ["z2"]),  # points outside log's domain are skipped
    ],
    ids=lambda v: str(v)[:40],
)
def test_mechanism_invariants(maps, flows, degree, expected):
    s = system(maps, flows)
    result = mechanism_invariants(s, degree=degree)
    assert same(result, expected), result
    assert result.dropped == 0
    # and the checker agrees
    for invariant in result:
        for m in s.mechanisms:
            residual = (
                sum(sympy.diff(invariant, z) * v for z, v in zip(s.latents, m.components))
                if m.is_flow
                else invariant.xreplace(dict(zip(s.latents, m.components))) - invariant
            )
            assert sympy.simplify(residual) == 0


def test_family_symbols_are_quantified():
    s = system({"shift": ["z1 + s", "z2"]}, families=["s"])
    assert same(mechanism_invariants(s, degree=3), ["z2"])
    s = system({"scale": ["s*z1", "z2 + 1"]}, families=["s"])
    assert same(mechanism_invariants(s, degree=3), [])


def test_three_latents():
    s = system({"turn": ["-z2", "z1", "z3"]}, latents=("z1", "z2", "z3"))
    assert same(mechanism_invariants(s, degree=2), ["z3", "z1**2 + z2**2"])


@pytest.mark.parametrize(
    "generators, discrete, degree, expected",
    [
        ([("-z2", "z1")], [], 4, ["z1**2 + z2**2"]),  # rotations about the origin
        ([(1, 0), ("z1", 0)], [], 3, ["z2"]),  # only z1 is ambiguous
        ([("z1", 0), (0, "z2")], [], 3, []),  # diagonal scalings
        ([("z1", "z2")], [], 3, []),  # uniform scaling: no polynomial invariant
        ([("-z2", "z1")], [("-z1", "z2")], 4, ["z1**2 + z2**2"]),
        ([(1, 0)], [("z1", "-z2")], 3, ["z2**2"]),  # not z2
        ([], [("z2", "z1")], 2, ["z1 + z2", "z1*z2"]),  # symmetric polynomials
        ([], [], 2, ["z1", "z2"]),  # nothing ambiguous: the latents generate everything
        ([(1, 0), (0, 1)], [], 3, []),  # translations
    ],
    ids=lambda v: str(v)[:40],
)
def test_group_invariants(generators, discrete, degree, expected):
    result = group_invariants(["z1", "z2"], generators, discrete, degree=degree)
    assert same(result, expected), result
    assert result.dropped == 0


def test_rotations_in_three_dimensions():
    so3 = [("-y", "x", 0), ("-z", 0, "x"), (0, "-z", "y")]
    assert same(group_invariants(["x", "y", "z"], so3, degree=4), ["x**2 + y**2 + z**2"])


@pytest.mark.parametrize(
    "latents, generators, discrete, degree, expected",
    [
        (["z1", "z2"], [("z1", "z2")], [], 3, ["z1/z2"]),
        (["z1", "z2"], [("z1", "z2")], [("-z1", "z2")], 3, ["z1**2/z2**2"]),
        (["z1", "z2"], [("z1", 0), (0, "z2")], [], 3, []),
        (["z1", "z2"], [("-z2", "z1"), ("z1", "z2")], [], 4, []),
        (["z1", "z2"], [("-z2", "z1")], [], 2, ["z1**2 + z2**2"]),  # polynomial ones come first
        (["z1", "z2", "z3"], [("z1", "z2", "z3")], [], 3, ["z1/z3", "z2/z3"]),
        (["z1", "z2", "z3"], [("z1", "z2", 0)], [], 2, ["z3", "z1/z2"]),
        (["z1", "z2"], [], [("-z1", "z2")], 4, ["z2", "z1**2"]),  # z1**3/(z1*z2**2): a ratio of invariants
    ],
    ids=lambda v: str(v)[:40],
)
def test_rational_invariants(latents, generators, discrete, degree, expected):
    result = group_invariants(latents, generators, discrete, degree=degree, rational=True)
    assert [sympy.simplify(r - sympy.sympify(e)) for r, e in zip(result, expected)] == [0] * len(expected)
    assert len(result) == len(expected), result
    assert "semi-invariants" in result.method


# -- errors and reporting -------------------------------------------------------------------------
@pytest.mark.parametrize("degree", [0, -1, 1.5, True, "2", None])
def test_bad_degree(degree):
    with pytest.raises(SpecError, match="degree"):
        mechanism_invariants(system({"m": ["z1", "z2"]}), degree=degree)
    with pytest.raises(SpecError, match="degree"):
        group_invariants(["z1"], [(1,)], degree=degree)


def test_refusals():
    with pytest.raises(SpecError, match="system"):
        mechanism_invariants("not a system")
    finite = equivid.System.from_spec("states: {s: 2}\nmechanisms:\n  step: {table: [1, 0]}\n")
    with pytest.raises(UnsupportedMechanismError):
        mechanism_invariants(finite)
    with pytest.raises(UnsupportedMechanismError, match="linear"):
        group_invariants(["z1", "z2"], [(1, 0)], degree=2, rational=True)
    with pytest.raises(SpecError, match="generators"):
        group_invariants(["z1", "z2"], [("w", 0)])
    with pytest.raises(SpecError, match="discrete"):
        group_invariants(["z1", "z2"], [], [("z1",)])


def test_methods_are_reported():
    assert mechanism_invariants(system({"m": ["z1 + 1", "z2"]})).method.startswith("exact (python-flint")
    assert mechanism_invariants(system({"m": ["sqrt(2)*z1", "z2"]})).method.startswith("exact (sympy")
    assert mechanism_invariants(system({"m": ["tanh(z1)", "z2"]})).method.startswith("evaluation")


def test_numeric_candidates_that_fail_the_proof_are_dropped():
    # exp(-200) is below the 50-digit tolerance: z2 looks invariant numerically, the proof refuses it
    result = mechanism_invariants(system({"m": ["z1", "z2 + exp(-200)*exp(z1)"]}), degree=2)
    assert same(result, ["z1"])
    assert result.dropped > 0


# -- laws ------------------------------------------------------------------------------------------
def products(polys, bound, latents):
    """Every product of one or more of ``polys`` (with repetition) of total degree <= bound."""
    out = []
    for k in range(1, bound + 1):
        for combo in combinations_with_replacement(range(len(polys)), k):
            if sum(sympy.Poly(polys[i], *latents).total_degree() for i in combo) <= bound:
                out.append(sympy.expand(sympy.Mul(*[polys[i] for i in combo])))
    return out


def rank(rows):
    return DomainMatrix.from_Matrix(sympy.Matrix(rows)).convert_to(sympy.QQ).rank() if rows else 0


def span_rank(polys, latents):
    rows = [dict(sympy.Poly(p, *latents).terms()) for p in polys]
    keys = sorted({k for row in rows for k in row})
    return rank([[row.get(k, 0) for k in keys] for row in rows])


def oracle_dimension(latents, fields, maps, degree):
    """Dimension of all invariants of degree <= D (no constant), by plain sympy linear algebra."""
    monos = [sympy.Mul(*c) for d in range(1, degree + 1) for c in combinations_with_replacement(latents, d)]
    fields = [[sympy.Poly(x, *latents) for x in X] for X in fields]
    columns = []
    for m in monos:
        p = sympy.Poly(m, *latents)
        residuals = [sum((p.diff(z) * x for z, x in zip(latents, X)), sympy.Poly(0, *latents)) for X in fields]
        residuals += [sympy.Poly(m.xreplace(dict(zip(latents, d))), *latents) - p for d in maps]
        columns.append({(k, monom): c for k, r in enumerate(residuals) for monom, c in r.terms()})
    keys = sorted({key for column in columns for key in column})
    return len(monos) - rank([[column.get(key, 0) for column in columns] for key in keys])


def linear_field(n, entries):
    latents = sympy.symbols(f"z1:{n + 1}")
    return tuple(sum(entries[i * n + j] * latents[j] for j in range(n)) for i in range(n))


@st.composite
def linear_groups(draw):
    n = draw(st.integers(2, 3))
    latents = sympy.symbols(f"z1:{n + 1}")
    count = draw(st.integers(1, 2))
    fields = []
    for _ in range(count):
        entries = draw(st.lists(st.integers(-2, 2), min_size=n * n, max_size=n * n))
        if draw(st.booleans()):  # skew-symmetric: an infinitesimal rotation
            entries = [entries[i * n + j] - entries[j * n + i] for i in range(n) for j in range(n)]
        fields.append(linear_field(n, entries))
    discrete = []
    if draw(st.booleans()):
        signs = draw(st.lists(st.sampled_from([-1, 1]), min_size=n, max_size=n))
        discrete.append(tuple(s * z for s, z in zip(signs, latents)))
    degree = 3 if n == 3 else 4
    return latents, fields, discrete, degree


@given(linear_groups())
def test_group_invariants_are_invariant_generate_and_are_minimal(case):
    latents, fields, discrete, degree = case
    result = group_invariants(latents, fields, discrete, degree=degree)
    rng = random.Random(0)
    for phi in result:
        point = {z: sympy.Rational(rng.randint(-9, 9), rng.randint(1, 5)) for z in latents}
        for X in fields:
            assert sum(sympy.diff(phi, z) * x for z, x in zip(latents, X)).xreplace(point) == 0
        for d in discrete:
            assert (phi.xreplace(dict(zip(latents, d))) - phi).xreplace(point) == 0
    # minimal: no generator is in the span of products of the others
    for i, phi in enumerate(result):
        others = products([g for j, g in enumerate(result) if j != i], degree, latents)
        assert span_rank(others + [phi], latents) == span_rank(others, latents) + 1
    # generating: products of the generators span every invariant of degree <= D (oracle)
    assert span_rank(products(list(result), degree, latents), latents) == oracle_dimension(
        latents, fields, discrete, degree
    )


@given(linear_groups())
def test_rational_invariants_are_invariant(case):
    latents, fields, discrete, _ = case
    result = group_invariants(latents, fields, discrete, degree=2, rational=True)
    for f in result:
        for X in fields:
            assert sympy.cancel(sum(sympy.diff(f, z) * x for z, x in zip(latents, X))) == 0
        for d in discrete:
            assert sympy.cancel(f.xreplace(dict(zip(latents, d))) - f) == 0


FUNCTIONS = [sympy.exp, sympy.sin, sympy.tanh, sympy.atan]


@st.composite
def shear_systems(draw):
    """``z_i -> z_i + c f(z_j)`` or a scaled coordinate, non-polynomial: the numeric path."""
    latents = sympy.symbols("z1 z2 z3")
    components = list(latents)
    i, j = draw(st.sampled_from([(0, 1), (1, 0), (2, 0), (0, 2), (1, 2)]))
    f = draw(st.sampled_from(FUNCTIONS))
    components[i] = latents[i] + draw(st.integers(1, 3)) * f(latents[j])
    if draw(st.booleans()):
        k = draw(st.sampled_from([k for k in range(3) if k not in (i, j)]))
        components[k] = 2 * latents[k]
    return equivid.System.from_maps([str(z) for z in latents], {"m": components})


@given(shear_systems())
def test_numeric_path_is_sound(s):
    result = mechanism_invariants(s, degree=2)
    assert result.method.startswith("evaluation")
    rng = random.Random(1)
    for invariant in result:
        for _ in range(3):
            point = {z: sympy.Rational(rng.randint(-9, 9), rng.randint(1, 5)) for z in s.latents}
            moved = invariant.xreplace(dict(zip(s.latents, s.mechanisms[0].components)))
            assert abs(sympy.N((moved - invariant).xreplace(point), 30)) < 1e-25
    # the exact answer: the unsheared, unscaled coordinate is invariant with all its powers
    fixed = [z for z, c in zip(s.latents, s.mechanisms[0].components) if c == z]
    assert sorted(map(str, result)) == sorted(map(str, fixed))
