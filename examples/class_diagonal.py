"""
A known class: diagonal maps
============================

A diagonal map, the learner knows only "diagonal linear maps" (docs/theory.md#result-2-a-known-class-of-mechanisms).

``B D B^{-1}`` is diagonal exactly when the rows of ``B`` are eigenvectors of ``D``: with
distinct entries, ``B`` is a permutation times a scaling (docs/theory.md's table).

Run as ``python examples/class_diagonal.py``.
"""

from __future__ import annotations

import equivid
from equivid.cli import EXAMPLES

KNOWN = "permutations times scalings (docs/theory.md's table)"


def main() -> equivid.EquivarianceGroup:
    group = equivid.solve(equivid.load(EXAMPLES / "class_diagonal.yaml"))
    print(group)
    for check in ['(3*z2, -z1)', '(z1 + z2, z2)']:
        print(f"contains {check}: {group.contains(check)}")
    print(f"reproduces: {KNOWN}")
    return group


if __name__ == "__main__":
    main()
