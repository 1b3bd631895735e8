"""Calibration of verify's verdicts on exact maps (no training): how often a correct
prediction fails to be confirmed (false refute), and how often a too-large one is confirmed
(false confirm), with the thresholds of equivid/numeric/verify.py.

Each trial draws, per seed, an element of the *true* group (its exact sampler), applies it to
held-out latents, adds Gaussian noise of relative size ``--noise`` (a trained encoder's error:
0.02 gives R^2 about 0.9996), and runs the decision of ``verify`` (``assess`` per seed,
``overall_verdict`` across seeds) for a correct, a too-large and a too-small prediction.

    python benchmarks/bench_verdicts.py              # 20 trials of 3 seeds per row (a few minutes)
    python benchmarks/bench_verdicts.py --trials 5   # quicker, coarser rates
"""

from __future__ import annotations

import argparse
import collections
import time

import numpy as np

import equivid
from equivid.cli import EXAMPLES
from equivid.numeric.models import group_model, map_function
from equivid.numeric.verify import assess, overall_verdict


def _group(maps=None, ansatz="affine", example=None):
    if example is not None:
        return equivid.solve(equivid.load(EXAMPLES / f"{example}.yaml"), ansatz=ansatz, cross_examine=False)
    return equivid.solve(equivid.System.from_maps(["z1", "z2"], maps), ansatz=ansatz, cross_examine=False)


def groups() -> dict[str, object]:
    return {
        "diagonal scalings": _group({"grow": ["2*z1", "3*z2"]}),
        "uniform scalings": _group({"r": ["-z2", "z1"], "s": ["z2", "z1"]}, "linear"),
        "GL(2)": _group({"id": ["z1", "z2"]}, "linear"),
        "Aff(2)": _group({"id": ["z1", "z2"]}),
        "translations": _group(example="translations_two"),
        "Euclidean": _group(example="gaussian_walk"),
    }


#: (true group, predicted group, which way): each row's rate is measured over the trials.
ROWS = [
    ("diagonal scalings", "diagonal scalings", "correct"),
    ("diagonal scalings", "GL(2)", "too large"),
    ("diagonal scalings", "Aff(2)", "too large"),
    ("diagonal scalings", "uniform scalings", "too small"),
    ("translations", "translations", "correct"),
    ("translations", "Aff(2)", "too large"),
    ("Euclidean", "Euclidean", "correct"),
    ("Euclidean", "Aff(2)", "too large"),
    ("Euclidean", "translations", "too small"),
    ("GL(2)", "GL(2)", "correct"),
    ("GL(2)", "diagonal scalings", "too small"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--noise", type=float, default=0.02)
    args = parser.parse_args()
    found = groups()
    models = {name: group_model(g) for name, g in found.items()}
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    print(f"{'true group':18s} {'predicted':18s} {'direction':10s}  verdicts over {args.trials} trials of {args.seeds} seeds")
    rates = {}
    for true, predicted, direction in ROWS:
        outcomes: collections.Counter[str] = collections.Counter()
        for _ in range(args.trials):
            seeds = []
            for seed in range(args.seeds):
                z = rng.standard_normal((args.samples, 2))
                a = map_function(found[true].sample(int(rng.integers(2**31))), found[true].latents)
                y = a(z)
                y = y + args.noise * y.std(axis=0) * rng.standard_normal(y.shape)
                seeds.append(assess(models[predicted], z, y, rng=int(rng.integers(2**31)), seed=seed, rounds=100))
            verdict = overall_verdict(seeds)[0]
            outcomes["too large" if verdict.startswith("too large") else verdict] += 1
        shown = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
        print(f"{true:18s} {predicted:18s} {direction:10s}  {shown}")
        rates.setdefault(direction, collections.Counter()).update(outcomes)
    total = {d: sum(c.values()) for d, c in rates.items()}
    correct, large, small = rates.get("correct", {}), rates.get("too large", {}), rates.get("too small", {})
    print()
    print(f"false refute  (a correct prediction not confirmed): {total['correct'] - correct.get('confirmed', 0)}"
          f" of {total['correct']}")
    print(f"false confirm (a too-large prediction confirmed):   {large.get('confirmed', 0)} of {total['too large']}")
    print(f"too small confirmed:                                {small.get('confirmed', 0)} of {total['too small']}")
    print(f"time: {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
