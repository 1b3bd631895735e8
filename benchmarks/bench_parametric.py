"""Case trees over parameters (issue 19): the time of a 3-parameter 3 x 3 system.

    python benchmarks/bench_parametric.py [--samples 2]

For each system: the comprehensive elimination alone (``equivid.parametric.strata``), the
whole tree (``equivid.solve_cases``: elimination, symbolic checks, ``samples`` solves per
stratum), and the baseline a user had before: one ``equivid.solve`` at one numeric point
(the tree's cost is printed in units of it). The tree must agree with the specialised
solve at every point of a small grid (checked here, outside the timings).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time

import sympy

import equivid
from equivid.parametric import strata

SYSTEMS = {
    # a Jordan block of a, a scalar b, the coupling c: dimensions 3, 5 (c = 0 or a = b), 9
    "jordan 3x3, linear": (["a*z1 + c*z2", "a*z2", "b*z3"], "linear", None),
    # the same with a translation along z3, affine class: translations join where b = 1
    "jordan 3x3 + push, affine": (["a*z1 + c*z2", "a*z2", "b*z3 + 1"], "affine", None),
    # three rates with Gaussian noise: rotations where two are equal, translations where one is 1
    "noisy rates 3x3, affine": (["a*z1", "b*z2", "c*z3"], "affine", {"law": "gaussian", "scale": 1}),
}


def build(components, ansatz, noise):
    value = components if noise is None else {"map": components, "noise": noise}
    return equivid.System.from_maps(["z1", "z2", "z3"], {"m": value}, parameters=["a", "b", "c"], ansatz=ansatz)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=2)
    args = parser.parse_args(argv)
    print(f"{'system':28} {'strata s':>9} {'tree s':>8} {'cases':>6} {'leaves':>7} {'one solve s':>12} {'tree/solve':>11}")
    for name, (components, ansatz, noise) in SYSTEMS.items():
        system = build(components, ansatz, noise)
        start = time.perf_counter()
        leaves = strata(system)
        t_strata = time.perf_counter() - start
        start = time.perf_counter()
        tree = equivid.solve_cases(system, samples=args.samples)
        t_tree = time.perf_counter() - start
        start = time.perf_counter()
        equivid.solve(system.at(a=2, b=3, c=5))
        t_one = time.perf_counter() - start
        print(f"{name:28} {t_strata:9.2f} {t_tree:8.2f} {len(tree.cases):6d} {len(leaves):7d} {t_one:12.2f} "
              f"{t_tree / t_one:11.1f}")
        for point in itertools.product([0, 1, 2], repeat=3):  # the tree against the specialised solve
            values = dict(zip(tree.parameters, map(sympy.Integer, point)))
            case = tree.case_of(values)
            group = equivid.solve(system.at(values))
            assert case.dimension == group.dimension, (name, point, case.conditions)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
