"""
A known class: translations
===========================

Translations spanning R^n, the learner knows only "translations" (docs/theory.md#result-2-a-known-class-of-mechanisms).

Conjugating a translation by any affine map gives a translation, so every affine map is
consistent: the latents are identified only up to the affine group (docs/theory.md's table).

Run as ``python examples/class_translations.py``.
"""

from __future__ import annotations

import equivid
from equivid.cli import EXAMPLES

KNOWN = "affine maps (docs/theory.md's table)"


def main() -> equivid.EquivarianceGroup:
    group = equivid.solve(equivid.load(EXAMPLES / "class_translations.yaml"))
    print(group)
    for check in ['(2*z1 + z2 + 1, z2)']:
        print(f"contains {check}: {group.contains(check)}")
    print(f"reproduces: {KNOWN}")
    return group


if __name__ == "__main__":
    main()
