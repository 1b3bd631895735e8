"""
Gaussian random walk: rotations survive
=======================================

A random walk with isotropic Gaussian steps (docs/theory.md#result-3-stochastic-mechanisms).

With Gaussian noise N(0, I) the law is invariant under every orthogonal map, so the latents
are identified only up to rotations/reflections and translations: the setting of contrastive
learning with Gaussian conditionals (Zimmermann et al. 2021, who identify up to an
orthogonal map when the conditional is a von Mises-Fisher / Gaussian on the latents).

Run as ``python examples/contrastive_gaussian.py``.
"""

from __future__ import annotations

import equivid
from equivid.cli import EXAMPLES

KNOWN = "rotations/reflections plus translations (docs/theory.md; Zimmermann et al. 2021)"


def main() -> equivid.EquivarianceGroup:
    group = equivid.solve(equivid.load(EXAMPLES / "gaussian_walk.yaml"))
    print(group)
    for check in ['(3*z1/5 - 4*z2/5, 4*z1/5 + 3*z2/5)', '(2*z1, z2)']:
        print(f"contains {check}: {group.contains(check)}")
    print(f"reproduces: {KNOWN}")
    return group


if __name__ == "__main__":
    main()
