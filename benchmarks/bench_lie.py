"""Lie algebra of the quadratic chain: equivid.lie_algebra against a plain sympy build.

System: n = 8 latents, ``z_i -> z_i + z_{i+1}**2`` for i < 8, ``z_8 -> z_8``; vector
fields of degree <= 3 (1320 unknowns). equivid builds the coefficient system by exact
composition in python-flint and solves it with an exact sparse RREF; the baseline
expands the same conditions with sympy ``Poly`` and takes sympy's sparse nullspace.
Run as ``python benchmarks/bench_lie.py``; the target is equivid < 1 s (build + solve).

Second line: a conjugated diagonal map ``P diag(1, 2, 3, 4, 6, -1) P^-1`` (n = 6,
integer unit-triangular ``P``), degree <= 3 (504 unknowns): the resonant fast path
(common eigenbasis, resonant monomials mapped back) against the general exact path
(flint composition + sparse RREF) on the same system; both kernels must be equal.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import sympy
from sympy.polys.domains import QQ
from sympy.polys.matrices import DomainMatrix

import equivid
from equivid.ansatz import monomials
from equivid.solve import _lie

T = TypeVar("T")


def chain(n: int = 8) -> equivid.System:
    latents = [f"z{i + 1}" for i in range(n)]
    maps = [f"z{i + 1} + z{i + 2}**2" for i in range(n - 1)] + [f"z{n}"]
    return equivid.System.from_maps(latents, {"chain": maps})


def sympy_baseline(system: equivid.System, degree: int) -> int:
    """Build X(m(z)) - Dm(z) X(z) with symbolic coefficients, expand with Poly, sparse nullspace."""
    z = system.latents
    m = sympy.Matrix(system.mechanisms[0].components)
    basis = [(i, mono) for mono in monomials(z, degree) for i in range(len(z))]
    unknowns = sympy.symbols(f"x0:{len(basis)}")
    X = [sum((x * mono for x, (i, mono) in zip(unknowns, basis) if i == k), sympy.Integer(0)) for k in range(len(z))]
    moved = [e.subs(dict(zip(z, m)), simultaneous=True) for e in X]
    residual = sympy.Matrix(moved) - m.jacobian(z) * sympy.Matrix(X)
    rows: dict[int, dict[int, object]] = {}
    position = {u: j for j, u in enumerate(unknowns)}
    for component in residual:
        for _, coefficient in sympy.Poly(component, *z).terms():
            row = {position[u]: QQ.from_sympy(c) for u, c in coefficient.as_coefficients_dict().items() if c}
            if row:
                rows[len(rows)] = row
    matrix = DomainMatrix(rows, (len(rows), len(unknowns)), QQ)
    return matrix.nullspace().shape[0]


def conjugated_diagonal(n: int = 6) -> equivid.System:
    """``P diag(1, 2, 3, 4, 6, -1) P^-1 z`` with ``P`` unit upper triangular (1 and -1 above)."""
    P = sympy.Matrix(n, n, lambda r, c: 1 if r == c else (sympy.Integer((-1) ** (r + c)) if r < c else 0))
    rates = [1, 2, 3, 4, 6, -1][:n]
    A = P * sympy.diag(*rates) * P.inv()
    z = sympy.symbols(f"z1:{n + 1}")
    return equivid.System.from_maps([str(s) for s in z], {"m": [str(e) for e in A * sympy.Matrix(z)]})


def best_of(repeat: int, call: Callable[[], T]) -> tuple[float, T]:
    """Best wall time of ``repeat`` calls, and the last value."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        value = call()
        times.append(time.perf_counter() - start)
    return min(times), value


if __name__ == "__main__":
    system = chain()
    start = time.perf_counter()
    generators = equivid.lie_algebra(system, degree=3)
    ours = time.perf_counter() - start
    start = time.perf_counter()
    baseline_dim = sympy_baseline(system, 3)
    theirs = time.perf_counter() - start
    print("quadratic chain, n = 8, degree <= 3 (1320 unknowns)")
    print(f"  equivid.lie_algebra (build + solve + proof) {ours:8.3f} s   dimension {len(generators)}  (target < 1 s)")
    print(f"  sympy Poly build + sparse nullspace          {theirs:8.3f} s   dimension {baseline_dim}")
    print(f"  ratio sympy / equivid                        {theirs / ours:8.1f}")

    system = conjugated_diagonal()
    fast_time, (fast, method) = best_of(3, lambda: _lie._kernel(system, 3))
    general_time, (general, _) = best_of(3, lambda: _lie._kernel(system, 3, fast=False))
    assert method.startswith("resonant") and fast == general
    full_time, generators = best_of(1, lambda: equivid.lie_algebra(system, degree=3))
    print("conjugated diagonal map, n = 6, degree <= 3 (504 unknowns), kernel only, best of 3")
    print(f"  resonant fast path (eigenbasis + resonances)  {fast_time:8.3f} s   dimension {len(fast)}")
    print(f"  general exact path (flint build + solve)      {general_time:8.3f} s   dimension {len(general)}")
    print(f"  ratio general / fast                          {general_time / fast_time:8.1f}")
    print(f"  equivid.lie_algebra (fast path + proof)       {full_time:8.3f} s   dimension {len(generators)}")

    # issue 16, item 4: the chain at n = 16, degree 3 (15504 unknowns) against the same system
    # built with python-flint and solved by sympy's sparse exact nullspace; tanh at n = 6, degree 2
    from sympy.polys.domains import QQ as _QQ

    def flint_sparse_baseline(system: equivid.System, degree: int) -> int:
        columns = _lie._flint_residuals(system, degree, True)
        rows: dict[tuple[int, tuple[int, ...]], int] = {}
        sdm: dict[int, dict[int, object]] = {}
        for j, column in enumerate(columns):
            for k, poly in enumerate(column):
                for monom, c in poly.items():
                    if c != 0:
                        r = rows.setdefault((k, monom), len(rows))
                        sdm.setdefault(r, {})[j] = _QQ(int(c.p), int(c.q))
        return DomainMatrix(sdm, (len(rows), len(columns)), _QQ).nullspace().shape[0]

    system = chain(16)
    base_time, base_dim = best_of(1, lambda: flint_sparse_baseline(system, 3))
    ours_time, generators = best_of(1, lambda: equivid.lie_algebra(system, degree=3))
    print("quadratic chain, n = 16, degree <= 3 (15504 unknowns)")
    print(f"  equivid.lie_algebra (build + solve + proof) {ours_time:8.3f} s   dimension {len(generators)}")
    print(f"  flint build + sympy sparse nullspace        {base_time:8.3f} s   dimension {base_dim}")
    print(f"  ratio equivid / baseline                    {ours_time / base_time:8.2f}   (target <= 1.5)")
    tanh = equivid.System.from_maps([f"z{i + 1}" for i in range(6)], {"m": [f"tanh(z{i + 1})" for i in range(6)]})
    tanh_time, generators = best_of(1, lambda: equivid.lie_algebra(tanh, degree=2))
    print(f"tanh, n = 6, degree <= 2: equivid.lie_algebra {tanh_time:8.3f} s   dimension {len(generators)}  (target < 3 s)")
