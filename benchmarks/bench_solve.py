"""End-to-end benchmark: ``equivid.solve`` on commutant systems against the baselines.

(a) n = 40 random integer matrix A (seeded, entries -9..9), mechanism ``z -> A z``,
    linear ansatz: the exact linear solver (``equivid.linalg.commutant_basis``,
    non-derogatory shortcut) and ``equivid.solve`` end to end (plus verification by
    exact matrix products and the sympy group object) against ``numpy.linalg.svd``
    of the same 1600 x 1600 commutant system in floats (a numeric nullspace code).
(b) n = 12, same construction: ``equivid.solve`` against ``sympy.solve`` on the
    144 linear equations ``B A - A B = 0`` (the slow exact baseline).

Run as ``python benchmarks/bench_solve.py``; prints times and the ratios
baseline_time / equivid_time (targets: (a) >= 1, (b) >= 50).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import sympy

import equivid


def timed(fn: Callable[[], object], repeats: int = 1) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def linear_system(A: np.ndarray) -> equivid.System:
    n = A.shape[0]
    latents = sympy.symbols(f"z1:{n + 1}")
    image = sympy.Matrix(A.tolist()) * sympy.Matrix(latents)
    return equivid.System.from_maps(list(latents), {"A": list(image)})


def commutant_floats(A: np.ndarray) -> np.ndarray:
    n = A.shape[0]
    eye = np.eye(n)
    return np.kron(A, eye) - np.kron(eye, A.T)  # vec_row(BA - AB) as a map of vec_row(B)


def part_a(n: int = 40) -> None:
    A = np.random.default_rng(0).integers(-9, 10, (n, n))
    system = linear_system(A)
    K = commutant_floats(A.astype(float))
    t_numpy, (_, s, _) = timed(lambda: np.linalg.svd(K, full_matrices=True), repeats=2)
    t_ours, group = timed(lambda: equivid.solve(system, ansatz="linear"), repeats=2)
    from equivid.linalg import commutant_basis

    t_linear, basis = timed(lambda: commutant_basis([A.tolist()], canonical=False), repeats=2)
    numeric_dim = int(np.sum(s < 1e-8 * s[0]))
    print(f"(a) n = {n}: commutant system {K.shape[0]} x {K.shape[1]}")
    print(f"    numpy.linalg.svd (float)        {t_numpy:8.3f} s   nullity {numeric_dim}")
    print(f"    exact linear solver (commutant) {t_linear:8.3f} s   dimension {len(basis)}")
    print(f"    equivid.solve (exact, verified) {t_ours:8.3f} s   dimension {group.dimension}")
    print(f"    ratio numpy / exact solver      {t_numpy / t_linear:8.2f}   (target >= 1)")
    print(f"    ratio numpy / equivid.solve     {t_numpy / t_ours:8.2f}   (end to end, with sympy output)")


def part_b(n: int = 12) -> None:
    A = np.random.default_rng(1).integers(-9, 10, (n, n))
    system = linear_system(A)
    B = sympy.Matrix(n, n, sympy.symbols(f"b0:{n * n}"))
    As = sympy.Matrix(A.tolist())
    equations = list(B * As - As * B)
    t_sympy, answer = timed(lambda: sympy.solve(equations, list(B), dict=True))
    t_ours, group = timed(lambda: equivid.solve(system, ansatz="linear"), repeats=3)
    free = len(B) - len(answer[0]) if answer else len(B)
    print(f"(b) n = {n}: {n * n} unknowns")
    print(f"    sympy.solve                     {t_sympy:8.3f} s   free unknowns {free}")
    print(f"    equivid.solve (exact, verified) {t_ours:8.3f} s   dimension {group.dimension}")
    print(f"    ratio sympy / equivid           {t_sympy / t_ours:8.1f}   (target >= 50)")


if __name__ == "__main__":
    part_a()
    part_b()
