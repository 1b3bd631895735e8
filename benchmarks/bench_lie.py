"""Lie algebra of the quadratic chain: equivid.lie_algebra against a plain sympy build.

System: n = 8 latents, ``z_i -> z_i + z_{i+1}**2`` for i < 8, ``z_8 -> z_8``; vector
fields of degree <= 3 (1320 unknowns). equivid builds the coefficient system by exact
composition in python-flint and solves it with an exact sparse RREF; the baseline
expands the same conditions with sympy ``Poly`` and takes sympy's sparse nullspace.
Run as ``python benchmarks/bench_lie.py``; the target is equivid < 1 s (build + solve).
"""

from __future__ import annotations

import time

import sympy
from sympy.polys.domains import QQ
from sympy.polys.matrices import DomainMatrix

import equivid
from equivid.ansatz import monomials


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
