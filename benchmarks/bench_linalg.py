"""Benchmark equivid.linalg on commutant systems against numpy and sympy.solve.

(a) n = 40 random integer matrix A (entries -9..9): the exact commutant by the
    non-derogatory path (`commutant_basis`) and by the general kernel of the
    1600 x 1600 system, against a float SVD (`numpy.linalg.svd`, full matrices) of
    the same system, the way a numeric nullspace code does it.
(b) n = 12: the same commutant equations (144 unknowns) given to `sympy.solve`,
    against `nullspace` of the system.

Run as ``python benchmarks/bench_linalg.py [--quick]`` (``--quick`` skips the slow
general 1600 x 1600 exact kernel).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import numpy as np
import sympy

from equivid.linalg import as_domain_matrix, commutant_basis, commutant_system, nullspace


def best_of(fn: Callable[[], object], repeats: int) -> float:
    """Best wall time of ``repeats`` calls, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def part_a(n: int = 40, *, general: bool = True) -> list[tuple[str, float]]:
    A = np.random.default_rng(0).integers(-9, 10, (n, n))
    system = commutant_system([A.tolist()])
    floats = np.zeros(system.shape)
    for i, row in system.rep.to_sdm().items():
        for j, v in row.items():
            floats[i, j] = float(v)
    rows = [
        ("numpy svd (float, full_matrices)", best_of(lambda: np.linalg.svd(floats), 3)),
        ("commutant_basis (canonical RREF)", best_of(lambda: commutant_basis([A.tolist()]), 2)),
        (
            "commutant_basis(canonical=False)",
            best_of(lambda: commutant_basis([A.tolist()], canonical=False), 3),
        ),
    ]
    if general:
        rows.append(
            (
                "nullspace(commutant_system) general",
                best_of(lambda: nullspace(as_domain_matrix(commutant_system([A.tolist()]))), 1),
            )
        )
    return rows


def part_b(n: int = 12) -> list[tuple[str, float]]:
    A = sympy.Matrix(np.random.default_rng(0).integers(-9, 10, (n, n)).tolist())
    B = sympy.Matrix(n, n, sympy.symbols(f"b0:{n * n}"))
    equations = list(B * A - A * B)
    ours = best_of(lambda: nullspace(commutant_system([A.tolist()])), 3)
    start = time.perf_counter()
    sympy.solve(equations, list(B), dict=True)
    return [("nullspace(commutant_system)", ours), ("sympy.solve", time.perf_counter() - start)]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    quick = "--quick" in argv
    a = part_a(general=not quick)
    print("(a) n = 40, system 1600 x 1600")
    for name, seconds in a:
        print(f"  {name:40s} {seconds:9.3f} s")
    svd = a[0][1]
    for name, seconds in a[1:]:
        print(f"  ratio numpy / {name:30s} {svd / seconds:9.2f}")
    b = part_b()
    print("(b) n = 12, 144 unknowns")
    for name, seconds in b:
        print(f"  {name:40s} {seconds:9.3f} s")
    print(f"  ratio sympy.solve / nullspace             {b[1][1] / b[0][1]:9.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
