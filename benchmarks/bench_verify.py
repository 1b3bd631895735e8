"""The default numeric check end to end: time and verdict of `equivid verify`'s defaults.

One run checks the 2-latent bundled examples that training supports and a 5-latent system
with the same defaults as the command line (`equivid.numeric.verify.DEFAULTS`), and prints
each time as a ratio against its target (issue 18: a 2-latent example < 180 s on 2 CPU
cores with a decided verdict; 5 latents < 600 s):

    python benchmarks/bench_verify.py                       # every case below
    python benchmarks/bench_verify.py --cases diagonal_scaling --five none
    python benchmarks/bench_verify.py --cases --five none --ten --device cuda   # on a GPU: 10 latents, 300 s

Nothing else should run on the machine meanwhile (training uses one thread).
"""

from __future__ import annotations

import argparse
import time

import equivid
from equivid.cli import EXAMPLES
from equivid.numeric.verify import DEFAULTS, verify

CASES = ["translations_two", "diagonal_scaling", "rotation_quarter", "laplace_walk", "gaussian_walk", "drift_flow",
         "moving_sprite"]


def five(kind: str, n: int = 5) -> equivid.System:
    """``n`` latents: pushes along each axis (translations), or a diagonal scaling by 2..n+1."""
    latents = [f"z{k + 1}" for k in range(n)]
    if kind == "translations":
        maps = {f"push_{k + 1}": [f"{z} + 1" if j == k else z for j, z in enumerate(latents)] for k in range(n)}
    else:
        maps = {"grow": [f"{k + 2}*{z}" for k, z in enumerate(latents)]}
    return equivid.System.from_maps(latents, maps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="*", default=CASES)
    parser.add_argument("--five", choices=("translations", "scalings", "none"), default="translations")
    parser.add_argument("--ten", action="store_true", help="also 10 latents (translations; target 300 s on a GPU)")
    parser.add_argument("--device", default="cpu", help="cpu | cuda")
    args = parser.parse_args()
    print(f"defaults: {DEFAULTS}")
    runs = [(name, equivid.load(EXAMPLES / f"{name}.yaml"), 180.0) for name in args.cases]
    if args.five != "none":
        runs.append((f"5 latents ({args.five})", five(args.five), 600.0))
    if args.ten:
        runs.append(("10 latents (translations)", five("translations", 10), 300.0))
    for name, system, target in runs:
        start = time.perf_counter()
        report = verify(system, device=args.device)
        seconds = time.perf_counter() - start
        seeds = ", ".join(f"{s.verdict} R^2>={s.group.low:.3f} MCC {s.mcc_pearson:.3f}" for s in report.seeds)
        print(f"{name:28s} {seconds:6.1f} s  ratio to target {seconds / target:.2f}  verdict: {report.verdict}  "
              f"[{seeds}]", flush=True)


if __name__ == "__main__":
    main()
