"""The Lie algebra for any mechanism: exact, symbolic-domain and numeric paths."""

from __future__ import annotations

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import equivid
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


@given(
    st.lists(st.lists(st.sampled_from([-2, -1, 1, 2, 3, 4, 8, 9]), min_size=2, max_size=2), min_size=1, max_size=2),
    st.booleans(),
    st.integers(1, 3),
)
def test_resonant_fast_path_agrees_with_the_general_solver(rates, flows, degree):
    """Diagonal mechanisms: resonant monomials equal the exact coefficient-system kernel."""
    from equivid.solve import _lie

    maps = {f"m{k}": [f"{r[0]}*z1", f"{r[1]}*z2"] for k, r in enumerate(rates)}
    system = equivid.System.from_maps(["z1", "z2"], None if flows else maps, flows=maps if flows else None)
    fast = equivid.lie_algebra(system, degree=degree)
    assert fast.method.startswith("resonant")
    general = _lie._exact_kernel(_lie._flint_residuals(system, degree))
    assert len(fast) == len(general)
    basis = _lie._basis(system, degree)
    fields = [
        tuple(sympy.Add(*[x * mono for x, (i, mono) in zip(v, basis) if i == k]) for k in range(2)) for v in general
    ]
    assert span_dimension(list(fast) + fields, system.latents) == len(fast)
