"""
Laplace random walk: slow features
==================================

A random walk with i.i.d. Laplace steps (docs/theory.md#result-3-stochastic-mechanisms).

Reproduces the slow-feature result of Klindt et al. 2021 ("Towards nonlinear disentanglement
in natural data with temporal sparse coding"): latents whose transitions have i.i.d. Laplace
increments are identified up to signed permutations (and offsets). The Gaussian random walk
(``contrastive_gaussian.py``) is the contrast: there a rotation survives.

Run as ``python examples/slow_features_laplace.py``.
"""

from __future__ import annotations

import equivid
from equivid.cli import EXAMPLES

KNOWN = "signed permutations plus translations (Klindt et al. 2021)"


def main() -> equivid.EquivarianceGroup:
    group = equivid.solve(equivid.load(EXAMPLES / "laplace_walk.yaml"))
    print(group)
    for check in ['(1 - z2, z1)', '(3*z1/5 - 4*z2/5, 4*z1/5 + 3*z2/5)']:
        print(f"contains {check}: {group.contains(check)}")
    print(f"reproduces: {KNOWN}")
    return group


if __name__ == "__main__":
    main()
