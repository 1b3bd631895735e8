"""
Nonlinear mechanisms
====================

Nonlinear mechanisms: polynomial ansatz, saturations, exponential shears, finite groups.

Run: ``python examples/nonlinear.py``. For each system it prints the group equivid finds,
what a consistent encoder can still recover (the group's invariants), and the dimension
profile of the Lie algebra with the invariant functions of the mechanisms that drive it.
"""

from __future__ import annotations

import equivid

SYSTEMS = [
    ("one push, quadratic maps (family smaller than the Lie algebra)", {"push": ["z1 + 1", "z2"]}, "polynomial:2"),
    ("growth with cubic coupling", {"couple": ["z1", "z2 + z1**3"]}, "polynomial:3"),
    ("odd powers: a finite group", {"power": ["z1**5", "z2**5"]}, "affine"),
    ("tanh saturation and a push", {"saturate": ["tanh(z1)", "z2 + 1"]}, "affine"),
    ("exponential shear: a non-affine family of parameters", {"shear": ["z1", "z2 + exp(z1)"]}, "affine"),
]


def main() -> None:
    for title, maps, ansatz in SYSTEMS:
        system = equivid.System.from_maps(["z1", "z2"], maps)
        group = equivid.solve(system, ansatz=ansatz)
        profile = group.dimension_profile(3)
        print(f"== {title}: {maps} in {ansatz}")
        print(f"   group:       {group.description} (dimension {group.dimension})")
        print(f"   element:     {group.general_element}")
        if group.discrete:
            print(f"   discrete:    {len(group.discrete)} more component(s), e.g. {group.discrete[0]}")
        print(f"   recoverable: {list(group.identifiable_properties(3)) or 'nothing of degree <= 3'}")
        print(f"   Lie algebra dimension by degree: {dict(profile)}; invariants I∘m = I: {list(profile.invariants)}")
        for name, why in group.cyclic:
            print(f"   the mechanism {name} generates an infinite cyclic subgroup ({why})")


if __name__ == "__main__":
    main()
