"""
Sparse perturbations: weak supervision
======================================

Sparse (one-coordinate) perturbations of unknown size (docs/theory.md#result-2-a-known-class-of-mechanisms).

The learner knows only that each mechanism moves one coordinate by an unknown amount
(class ``axis_translations``). With a nudge along every axis, the latents are identified up
to permutations, scalings and offsets: the weak-supervision setting of Locatello et al. 2020
("Weakly-supervised disentanglement without compromises"). With a single nudge the set is
not even a group, which equivid reports.

Run as ``python examples/weak_supervision_sparse.py``.
"""

from __future__ import annotations

import equivid
from equivid.cli import EXAMPLES

KNOWN = "permutations, scalings and offsets (Locatello et al. 2020)"


def main() -> equivid.EquivarianceGroup:
    group = equivid.solve(equivid.load(EXAMPLES / "sparse_perturbations.yaml"))
    print(group)
    for check in ['(3*z2 + 1, -z1)', '(z1 + z2, z2)']:
        print(f"contains {check}: {group.contains(check)}")
    print(f"reproduces: {KNOWN}")
    return group


if __name__ == "__main__":
    main()
