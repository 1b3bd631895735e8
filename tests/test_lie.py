"""The Lie algebra for any mechanism: exact, symbolic-domain and numeric paths."""

from __future__ import annotations

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import equivid
from equivid.solve import _lie
from equivid.solve._verify import generates

from .test_solve import affine_systems


def span_dimension(fields, latents):
    """Dimension of the span of polynomial vector fields (as coefficient vectors)."""
    if not fields:
        return 0
    rows = []
    for X in fields:
        row = {}
        for k, component in enumerate(X):
            for monom, coefficient in sympy.Poly(component, *latents).terms():
                row[(k, monom)] = coefficient
        rows.append(row)
    keys = sorted({key for row in rows for key in row})
    return sympy.Matrix([[row.get(key, 0) for key in keys] for row in rows]).rank()


@pytest.mark.parametrize(
    "maps, flows, degree, dimension",
    [
        ({"turn": ["-z2", "z1"]}, None, 1, 2),  # scaled rotations
        ({"grow": ["2*z1", "3*z2"]}, None, 1, 2),  # diagonal scalings
        (None, {"drift": ["1", "0"]}, 1, 4),  # B e1 = 0 plus translations
        ({"m": ["z1", "z2 + z1**3"]}, None, 1, 3),  # (0, 1), (0, z1), (z1/3, z2)
        ({"m": ["z1**5", "z2**5"]}, None, 3, 0),  # only a finite group remains
        ({"m": ["z1**2", "z2"]}, None, 2, 3),  # (0, p(z2)); along z1 only z1 log|z1|: not polynomial
        ({"m": ["sqrt(2)*z1", "z2 + 1"]}, None, 1, 2),  # algebraic coefficient: (z1, 0), (0, 1)
        ({"m": ["cos(1)*z1 - sin(1)*z2", "sin(1)*z1 + cos(1)*z2"]}, None, 1, 2),
        ({"m": ["tanh(z1)", "z2 + 1"]}, None, 1, 1),  # numeric path, proved: (0, 1)
        ({"m": ["z1", "z2 + exp(z1)"]}, None, 2, 5),  # numeric path: functions of z1 drive it
    ],
    ids=lambda v: str(v)[:40],
)
def test_hand_derived_dimensions(maps, flows, degree, dimension):
    system = equivid.System.from_maps(["z1", "z2"], maps, flows=flows)
    generators = equivid.lie_algebra(system, degree=degree)
    assert len(generators) == dimension
    assert span_dimension(generators, system.latents) == dimension
    assert all(generates(X, system) for X in generators)


def test_methods_are_reported():
    exact = equivid.lie_algebra(equivid.System.from_maps(["z1"], {"m": ["2*z1 + z1**2"]}), degree=2)
    assert exact.method.startswith("exact (python-flint")
    numeric = equivid.lie_algebra(equivid.System.from_maps(["z1"], {"m": ["atan(z1)"]}), degree=2)
    assert numeric.method.startswith("evaluation")
    assert len(numeric) == 0


def test_family_symbols_are_quantified():
    system = equivid.System.from_maps(["z1", "z2"], {"shift": ["z1 + d1", "z2 + d2"]}, families=["d1", "d2"])
    assert len(equivid.lie_algebra(system, degree=2)) == 2  # translations only


def test_degree_must_be_positive():
    system = equivid.System.from_maps(["z1"], {"m": ["2*z1"]})
    with pytest.raises(equivid.SpecError, match="degree"):
        equivid.lie_algebra(system, degree=0)


@given(affine_systems(), st.sampled_from(["linear", "affine"]))
def test_agrees_with_the_affine_solver(system, ansatz):
    """For affine mechanisms the degree-1 Lie algebra is the affine solver's (affine ansatz)."""
    group = equivid.solve(system, ansatz="affine")
    generators = equivid.lie_algebra(system, degree=1)
    latents = system.latents
    assert span_dimension(generators, latents) == span_dimension(group.lie_algebra, latents) == len(generators)
    assert span_dimension(list(generators) + list(group.lie_algebra), latents) == len(generators)


@pytest.mark.parametrize(
    "maps, expected, finite",
    [
        ({"push": ["z1 + 1", "z2"]}, {1: 4, 2: 6, 3: 8}, False),  # X = X(z2): grows with the degree
        ({"grow": ["2*z1", "3*z2"]}, {1: 2, 2: 2, 3: 2}, True),  # no resonances: diagonal only
        ({"m": ["z1", "z2 + exp(z1)"]}, {1: 3, 2: 5, 3: 7}, False),  # any function of z1 drives it
    ],
    ids=["push", "grow", "exp-coupling"],
)
def test_dimension_profile(maps, expected, finite):
    profile = equivid.dimension_profile(equivid.System.from_maps(["z1", "z2"], maps), max_degree=3)
    assert dict(profile) == expected and profile.finite_dimensional is finite


def general_fields(system, degree, constant=True):
    """The general exact path's generators (the fast path switched off), same reduced form."""
    from equivid.solve import _lie

    kernel, method = _lie._kernel(system, degree, constant, fast=False)
    assert not method.startswith("resonant")
    return tuple(_lie._fields(kernel, _lie._basis(system, degree, constant), system.n))


def linear_system(mats, kinds, n):
    """``A z`` per matrix, as a map (kind False) or a flow (kind True), latents z1..zn."""
    z = sympy.symbols(f"z1:{n + 1}")
    named = [(f"m{k}", [str(e) for e in sympy.Matrix(A) * sympy.Matrix(z)]) for k, A in enumerate(mats)]
    maps = {name: c for (name, c), flow in zip(named, kinds) if not flow}
    flows = {name: c for (name, c), flow in zip(named, kinds) if flow}
    return equivid.System.from_maps([str(s) for s in z], maps or None, flows=flows or None)


def conjugated(P, diagonal):
    P = sympy.Matrix(P)
    return (P * sympy.diag(*diagonal) * P.inv()).tolist()


@given(
    st.lists(st.lists(st.sampled_from([-2, -1, 1, 2, 3, 4, 8, 9]), min_size=2, max_size=2), min_size=1, max_size=2),
    st.booleans(),
    st.integers(1, 3),
)
def test_resonant_fast_path_agrees_with_the_general_solver(rates, flows, degree):
    """Diagonal mechanisms: resonant monomials equal the exact coefficient-system kernel."""
    maps = {f"m{k}": [f"{r[0]}*z1", f"{r[1]}*z2"] for k, r in enumerate(rates)}
    system = equivid.System.from_maps(["z1", "z2"], None if flows else maps, flows=maps if flows else None)
    fast = equivid.lie_algebra(system, degree=degree)
    assert fast.method.startswith("resonant")
    assert tuple(fast) == general_fields(system, degree)


def test_diagonalizable_hand_examples():
    """Triangular, swap and a 3x3 resonance, worked out in eigen-coordinates ``w = P^-1 z``."""
    z1, z2, z3 = sympy.symbols("z1 z2 z3")
    # [[2, 1], [0, 3]]: w1 = z1 - z2, w2 = z2; no resonance up to degree 2: only w1 e1, w2 e2
    triangular = equivid.System.from_maps(["z1", "z2"], {"m": ["2*z1 + z2", "3*z2"]})
    fast = equivid.lie_algebra(triangular, degree=2)
    assert fast.method == "resonant monomials (diagonalizable fast path)"
    assert tuple(fast) == ((-z1 + z2, 0), (z1, z2)) == general_fields(triangular, 2)
    # swap, eigenvalues 1 (eigenvector (1, 1)) and -1 ((1, -1)): resonant are e1 (the
    # only constant, 1 = lambda_1), w1 e1, w2 e2, w1**2 e1, w2**2 e1, w1 w2 e2
    swap = equivid.System.from_maps(["z1", "z2"], {"swap": ["z2", "z1"]})
    expected = ((1, 1), (z2, z1), (z1, z2), (z1 * z2, z1 * z2), (z2**2, z1**2), (z1**2, z2**2))
    assert tuple(equivid.lie_algebra(swap, degree=2)) == expected == general_fields(swap, 2)
    assert tuple(_lie.lie_algebra(swap, degree=2, constant=False)) == expected[1:] == general_fields(swap, 2, False)
    # the swap as a flow: alpha . lambda = lambda_i up to degree 2 only for w1 e1, w2 e2
    # (no zero eigenvalue, so no constant; w1 w2 has alpha . lambda = 0)
    flow = equivid.System.from_maps(["z1", "z2"], flows={"v": ["z2", "z1"]})
    assert tuple(equivid.lie_algebra(flow, degree=2)) == ((z2, z1), (z1, z2)) == general_fields(flow, 2)
    # eigenvalues 2, 3, 6 with 6 = 2 * 3: w1 e1, w2 e2, w3 e3 and w1 w2 e3
    P = [[1, 1, 0], [0, 1, 1], [0, 0, 1]]
    system = linear_system([conjugated(P, [2, 3, 6])], [False], 3)
    for degree in (2, 3):
        fast = _lie.lie_algebra(system, degree=degree)
        assert fast.method.startswith("resonant") and len(fast) == 4
        assert tuple(fast) == general_fields(system, degree)
    w = sympy.Matrix(P).inv() * sympy.Matrix([z1, z2, z3])
    product = tuple(sympy.expand(e * w[0] * w[1]) for e in sympy.Matrix(P)[:, 2])  # P (w1 w2 e3)
    assert product != (0, 0, 0) and generates(product, system)
    assert span_dimension(list(fast) + [product], system.latents) == 4


def test_zero_eigenvalue_and_constants():
    """``A = [[1, 1], [1, 1]]`` (eigenvalues 0 along (1, -1), 2 along (1, 1)): the flow
    keeps the constant field along the kernel (0 = lambda_i); the map has no constant
    field (1 = lambda_i never) but gains w1**2 e1 (0**2 = 0), which the flow keeps."""
    z1, z2 = sympy.symbols("z1 z2")
    flow = equivid.System.from_maps(["z1", "z2"], flows={"v": ["z1 + z2", "z1 + z2"]})
    fast = equivid.lie_algebra(flow, degree=1)
    assert fast.method.startswith("resonant")
    assert tuple(fast) == ((-1, 1), (z2, z1), (z1, z2)) == general_fields(flow, 1)
    assert tuple(_lie.lie_algebra(flow, degree=1, constant=False)) == ((z2, z1), (z1, z2))
    both = equivid.System.from_maps(["z1", "z2"], {"m": ["z1 + z2", "z1 + z2"]}, flows={"v": ["z1 + z2", "z1 + z2"]})
    square = sympy.expand((z1 - z2) ** 2)
    expected = ((z2, z1), (z1, z2), (-square, square))
    assert tuple(equivid.lie_algebra(both, degree=2)) == expected == general_fields(both, 2)


def test_collision_of_the_generic_combination_is_retried():
    """``A1 + A2 = 2 I`` hides the common eigenbasis; the next combination finds it."""
    P = [[1, 2], [1, 3]]
    system = linear_system([conjugated(P, [1, 2]), conjugated(P, [1, 0])], [False, True], 2)
    fast = equivid.lie_algebra(system, degree=3)
    assert fast.method.startswith("resonant") and len(fast) > 0
    assert tuple(fast) == general_fields(system, 3)


@pytest.mark.parametrize(
    "maps, flows",
    [
        ({"m": ["2*z1 + z2", "2*z2"]}, None),  # Jordan block: not diagonalizable
        ({"m": ["2*z2", "z1"]}, None),  # eigenvalues +-sqrt(2)
        ({"m": ["z2", "z1"], "n": ["2*z1 + z2", "3*z2"]}, None),  # each diagonalizable, no common basis
        ({"m": ["z2 + 1", "z1"]}, None),  # affine shift
        ({"m": ["z2", "z1 + z1**2"]}, None),  # non-linear
        (None, {"v": ["z1 + z2", "2*z2"]}),  # a flow: 1, 2 with 2 = 1 + 1, conjugated: fast path
    ],
    ids=["jordan", "irrational", "non-commuting", "shift", "quadratic", "flow-resonance"],
)
def test_fallback_to_the_general_path(maps, flows):
    system = equivid.System.from_maps(["z1", "z2"], maps, flows=flows)
    result = equivid.lie_algebra(system, degree=2)
    assert result.method.startswith("resonant") == (flows is not None)
    assert tuple(result) == general_fields(system, 2)


@st.composite
def conjugated_diagonal_systems(draw, max_n=3):
    """``P diag(lambda) P^-1`` per mechanism, one random invertible integer ``P``
    (unit lower times unit upper triangular, rows permuted), eigenvalues with resonances."""
    n = draw(st.integers(2, max_n))
    entry = st.integers(-2, 2)
    L = sympy.Matrix(n, n, lambda r, c: 1 if r == c else (draw(entry) if r > c else 0))
    U = sympy.Matrix(n, n, lambda r, c: 1 if r == c else (draw(entry) if r < c else 0))
    order = draw(st.permutations(range(n)))
    P = (L * U).extract(list(order), list(range(n)))
    values = st.sampled_from([0, 1, -1, 2, 3, 4, 6, sympy.Rational(1, 2)])
    count = draw(st.integers(1, 2))
    mats = [conjugated(P, draw(st.lists(values, min_size=n, max_size=n))) for _ in range(count)]
    kinds = draw(st.lists(st.booleans(), min_size=count, max_size=count))
    return linear_system(mats, kinds, n)


@given(conjugated_diagonal_systems(), st.integers(1, 3), st.booleans())
def test_diagonalizable_fast_path_equals_the_general_path(system, degree, constant):
    """Conjugated diagonal maps and flows: the same generator tuple, exactly."""
    fast = _lie.lie_algebra(system, degree=degree, constant=constant)
    assert fast.method.startswith("resonant") and fast.dropped == 0
    assert tuple(fast) == general_fields(system, degree, constant)


def test_diagonal_with_irrational_rates_keeps_the_fast_path():
    """``P = I`` needs no rational eigenvalues: sqrt(2)**2 = 2 makes z1**2 e2 resonant."""
    z1, z2 = sympy.symbols("z1 z2")
    system = equivid.System.from_maps(["z1", "z2"], {"m": ["sqrt(2)*z1", "2*z2"]})
    fast = equivid.lie_algebra(system, degree=2)
    assert fast.method.startswith("resonant")
    assert tuple(fast) == ((z1, 0), (0, z2), (0, z1**2)) == general_fields(system, 2)


def test_numeric_nullspace_float_shortcut_only_for_well_conditioned_matrices() -> None:
    import mpmath

    from equivid.solve._lie import numeric_nullspace

    with mpmath.workdps(50):
        full = [[mpmath.mpf(v) for v in row] for row in ([2, 1, 0], [1, 3, 1], [0, 1, 4], [1, 1, 1])]
        assert numeric_nullspace(full, 3) == []
        # column 3 = column 1 + column 2: a kernel the shortcut must not hide
        deficient = [[a, b, a + b] for a, b, _ in full]
        (vector,) = numeric_nullspace(deficient, 3)
        assert [round(float(x), 12) for x in vector] == [-1.0, -1.0, 1.0]
        # a tiny but exact dependence (relative 1e-30): below the float gap, decided at 50 digits
        tiny = [[a, b, a + b + mpmath.mpf(10) ** -30 * (k == 0)] for k, (a, b, _) in enumerate(full)]
        assert numeric_nullspace(tiny, 3) == []
