"""Group-level solve for polynomial (non-affine) mechanisms under a linear/affine ansatz."""

from __future__ import annotations

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
    assert group.general_element == (t1 * z1, t1**3 * z2 + t2 * z1 + t3)
    assert group.conditions == (t1,)
    assert group.contains("(2*z1, 8*z2 + 1)") and not group.contains("(2*z1, 2*z2)")


def test_identity_family_is_the_general_element():
    group = solve({"m": ["z1**3 + z1", "z2"]})
    assert group.general_element == (z1, group.parameters[0] * z2)
    assert group.discrete == ((-z1, z2),)


def test_too_many_unknowns_stop_at_the_budget():
    maps = {"m": [f"z{i + 1}**2" for i in range(4)]}
    with pytest.raises(equivid.BudgetExceededError, match="lie_algebra"):
        solve(maps, ansatz="affine", latents=[f"z{i + 1}" for i in range(4)])


def test_non_polynomial_mechanisms_stay_unsupported():
    with pytest.raises(equivid.UnsupportedMechanismError):
        solve({"m": ["tanh(z1)", "z2"]})


def test_the_mechanism_itself_is_reported_outside_the_class():
    group = solve({"m": ["z1", "z2 + z1**3"]}, ansatz="affine")
    assert any("the mechanism m commutes with every mechanism" in note for note in group.notes)
    assert not any("the mechanism" in note for note in solve({"m": ["z1**5", "z2**5"]}).notes)
