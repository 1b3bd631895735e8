"""Group-level solve for mechanisms that are not polynomial (linear/affine ansatz)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

import equivid
from equivid.solve._verify import commutes

z1, z2 = sympy.symbols("z1 z2")
t1, t2, t3 = sympy.symbols("t1 t2 t3")


def solve(maps, ansatz="affine"):
    return equivid.solve(equivid.System.from_maps(["z1", "z2"], maps), ansatz=ansatz)


def test_saturation_with_a_push():
    # tanh is odd and only fixes +-z1 among scalings; z2 + 1 leaves z2 + c
    group = solve({"m": ["tanh(z1)", "z2 + 1"]})
    assert group.dimension == 1 and group.general_element == (z1, t1 + z2)
    assert group.discrete == ((-z1, z2),)
    assert group.contains("(-z1, z2 + 5)") and not group.contains("(2*z1, z2)")
    assert any("not searched" in note for note in group.notes)


def test_exponential_shear_needs_the_exponential_family():
    # (z1, z2 + exp(z1)) commutes with (z1 + s, e^s z2 + ...): not an affine family in s
    group = solve({"m": ["z1", "z2 + exp(z1)"]})
    assert group.dimension == 3
    assert commutes(group.general_element, group.system)
    assert any(e.has(sympy.exp) for e in group.general_element)
    assert group.contains("(z1 + 1, E*z2 + 2*z1)")
    assert not group.contains("(z1 + 1, z2)")


def test_radial_saturation_gives_rotations():
    r = "tanh(z1**2 + z2**2)"
    group = solve({"m": [f"z1*{r}", f"z2*{r}"]}, ansatz="linear")
    assert group.dimension == 1
    assert group.general_element == (z1 * sympy.cos(t1) + z2 * sympy.sin(t1), -z1 * sympy.sin(t1) + z2 * sympy.cos(t1))
    assert group.discrete == ((z1, -z2),)


def test_odd_saturations_give_signed_permutations():
    group = solve({"m": ["tanh(z1)", "tanh(z2)"]}, ansatz="linear")
    assert group.dimension == 0 and group.finite and group.order == 8


def test_even_function_fixes_the_sign_of_its_argument_only_up_to_flips():
    group = solve({"m": ["sin(z1)", "z2"]})
    assert group.general_element == (z1, t1 + t2 * z2)
    assert group.discrete == ((-z1, z2),)


@pytest.mark.parametrize("maps", [{"m": ["tanh(z1)", "z2 + 1"]}, {"m": ["z1", "z2 + exp(z1)"]}, {"m": ["sin(z1)", "z2"]}])
def test_sampled_elements_commute_numerically(maps):
    group = solve(maps)
    rng = np.random.default_rng(3)
    latents = group.latents
    ms = [sympy.lambdify(latents, list(m.components)) for m in group.system.mechanisms]
    for _ in range(3):
        a = sympy.lambdify(latents, list(group.sample(rng)))
        for m in ms:
            for z in rng.normal(size=(5, 2)):
                lhs, rhs = a(*m(*z)), m(*a(*z))
                assert np.allclose(lhs, rhs, atol=1e-9)
