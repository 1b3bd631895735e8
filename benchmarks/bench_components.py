"""How often the components of a linear answer are determined (issue 16, item 2).

    python benchmarks/bench_components.py [--count 70] [--seed 0]

Draws ``count`` random structured integer matrices ``A`` (2 to 5 latents; seeded): companion
matrices of random polynomials, block-diagonal matrices of scalings, rotations and Jordan
blocks conjugated by a random unimodular matrix, and plain random matrices. For each it
solves the linear commutant (``equivid.solve(..., ansatz="linear")``) and counts the answers
whose components are not determined, against the determinant-only rule that decided them
before (``equivid.solve._components.invertibility``: factor ``det B(t)``), and checks every
count decided by both against the other, and the algebra's count against the published
formula ``2**(distinct real eigenvalues)`` where ``A`` is non-derogatory.
"""

from __future__ import annotations

import argparse
import random
import sys
import time

import sympy

import equivid
from equivid.solve._components import invertibility


def unimodular(n: int, rng: random.Random) -> sympy.Matrix:
    U = sympy.eye(n)
    for _ in range(2 * n if n > 1 else 0):
        i, j = rng.sample(range(n), 2)
        U[i, :] = U[i, :] + rng.choice([-1, 1]) * U[j, :]
    return U


def block(rng: random.Random) -> sympy.Matrix:
    kind = rng.choice(["scale", "rotation", "jordan"])
    if kind == "scale":
        return sympy.Matrix([[rng.choice([-2, -1, 2, 3])]])
    if kind == "rotation":
        a, b = rng.choice([0, 1, 2]), rng.choice([1, 2])
        return sympy.Matrix([[a, -b], [b, a]])
    lam = rng.choice([-1, 1, 2])
    return sympy.Matrix([[lam, 1], [0, lam]])


def draw(rng: random.Random) -> sympy.Matrix:
    kind = rng.choice(["companion", "blocks", "random"])
    if kind == "companion":
        n = rng.randint(2, 5)
        A = sympy.zeros(n, n)
        for i in range(n - 1):
            A[i + 1, i] = 1
        A[:, n - 1] = sympy.Matrix([rng.randint(-3, 3) for _ in range(n)])
        if A[0, n - 1] == 0:
            A[0, n - 1] = 1
        return A
    if kind == "blocks":
        parts = [block(rng) for _ in range(rng.randint(1, 3))]
        D = sympy.diag(*parts)
        U = unimodular(D.rows, rng)
        return U * D * U.inv()
    n = rng.randint(2, 4)
    return sympy.Matrix(n, n, [rng.randint(-3, 3) for _ in range(n * n)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=70)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    before = after = both = disagree = formula_checked = formula_wrong = 0
    start = time.perf_counter()
    for _ in range(args.count):
        A = draw(rng)
        n = A.rows
        names = [f"z{i + 1}" for i in range(n)]
        z = sympy.Matrix(sympy.symbols(names))
        group = equivid.solve(equivid.System.from_maps(names, {"m": [str(e) for e in A * z]}), ansatz="linear")
        structure = group.solution.structure
        B = sympy.Matrix(structure.base[0])
        for t, (Bk, _) in zip(group.parameters, structure.directions):
            B += t * Bk
        old = invertibility(B, group.parameters, structure.identity).components
        before += old is None
        after += group.components is None
        if old is not None and group.components is not None:
            both += 1
            disagree += old != group.components
        if group.components is not None and A.rows == len(group.parameters):  # non-derogatory: dim commutant = n
            formula_checked += 1
            real = set(sympy.Poly(A.charpoly().as_expr()).real_roots())
            formula_wrong += group.components != 2 ** len(real)
    seconds = time.perf_counter() - start
    print(f"{args.count} random structured matrices (seed {args.seed}), {seconds:.1f} s")
    print(f"components not determined: before (det B(t) factors only) {before}, now {after}")
    print(f"decided both ways: {both}, disagreeing: {disagree}")
    print(f"non-derogatory answers checked against 2**(distinct real eigenvalues): {formula_checked}, wrong: {formula_wrong}")
    return 1 if disagree or formula_wrong else 0


if __name__ == "__main__":
    sys.exit(main())
