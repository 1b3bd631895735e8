"""Finite-state groups against a brute-force oracle (issue 4, proof of work).

Every system with at most 8 states that hypothesis draws (1-3 deterministic maps, or
1-3 mechanisms of which at least one is a small rational Markov kernel on at most 6
states) is solved with ``equivid.solve`` and compared with the group of all
permutations commuting with every mechanism, found by trying every permutation.
On larger random systems (about 500 states) the generators and samples are checked
for soundness, and the group axioms on the generators' closure.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import equivid
from equivid.finite import automorphism_group, finite_system

# the large-system tests run at most this many examples (fewer than the profile's, never more)
LARGE_EXAMPLES = min(settings.default.max_examples, 10)
PERMS = {n: np.array(list(itertools.permutations(range(n))), dtype=np.int64) for n in range(1, 9)}


# -- oracles -----------------------------------------------------------------------------------


def dense(mechanism: object, n: int) -> np.ndarray:
    """A mechanism (table or kernel rows) as a dense matrix of Fractions (object array)."""
    out = np.full((n, n), Fraction(0), dtype=object)
    if isinstance(mechanism, list) and mechanism and isinstance(mechanism[0], list):
        for s, row in enumerate(mechanism):
            for t, v in enumerate(row):
                out[s, t] = Fraction(v)
    else:
        out[np.arange(n), np.asarray(mechanism)] = Fraction(1)
    return out


def brute_force(mechanisms: list[object], n: int) -> np.ndarray:
    """Every permutation ``pi`` with ``P[pi(s), pi(t)] == P[s, t]`` for every mechanism (rows)."""
    perms = PERMS[n]
    keep = np.ones(len(perms), dtype=bool)
    for m in mechanisms:
        exact = dense(m, n)
        values = {v: k for k, v in enumerate(sorted(set(exact.ravel().tolist())))}
        P = np.vectorize(values.__getitem__, otypes=[np.int64])(exact)  # exact values as integer codes
        keep &= np.all(P[perms[:, :, None], perms[:, None, :]] == P[None, :, :], axis=(1, 2))
    return perms[keep]


def closure(gens: list[np.ndarray], n: int) -> set[tuple[int, ...]]:
    """All products of the generators (breadth-first), the group they generate."""
    identity = tuple(range(n))
    seen = {identity}
    frontier = [np.arange(n)]
    while frontier:
        nxt = []
        for a in frontier:
            for g in gens:
                b = g[a]
                key = tuple(b.tolist())
                if key not in seen:
                    seen.add(key)
                    nxt.append(b)
        frontier = nxt
    return seen


def spec_of(mechanisms: list[object]) -> dict[str, object]:
    return {
        f"m{k}": {"kernel": [[str(v) for v in row] for row in m]} if isinstance(m[0], list) else {"table": list(m)}
        for k, m in enumerate(mechanisms)
    }


def check_against_oracle(mechanisms: list[object], n: int) -> None:
    system = finite_system({"s": n}, spec_of(mechanisms))
    group = equivid.solve(system)
    oracle = brute_force(mechanisms, n)
    members = {tuple(p) for p in oracle.tolist()}
    data = group.solution.finite_group
    assert group.finite and group.order == len(oracle)
    gens = list(data.group.generators)
    for g in gens:  # every generator commutes with every mechanism
        assert tuple(g.tolist()) in members
        assert data.group.contains(g)
    generated = closure(gens, n)  # the generators generate exactly the oracle's group
    assert generated == members
    oracle_orbits = sorted({tuple(sorted(set(oracle[:, s].tolist()))) for s in range(n)})
    assert sorted(tuple(s for (s,) in orbit) for orbit in group.orbits) == oracle_orbits
    for seed in range(3):
        sample = data.group.sample(np.random.default_rng(seed))
        assert tuple(sample.tolist()) in members
    for p in oracle[:: max(1, len(oracle) // 5)]:  # membership through the public API
        assert group.contains({"table": p.tolist()})


# -- strategies ----------------------------------------------------------------------------------


@st.composite
def deterministic_systems(draw: st.DrawFn) -> tuple[list[object], int]:
    n = draw(st.integers(1, 8))
    k = draw(st.integers(1, 3))
    style = draw(st.sampled_from(["random", "permutation", "structured"]))
    maps: list[object] = []
    for _ in range(k):
        if style == "permutation":
            maps.append(draw(st.permutations(list(range(n)))))
        elif style == "structured":  # shifts, projections, resets: large groups
            c = draw(st.integers(0, n - 1))
            d = draw(st.integers(1, n))
            maps.append(draw(st.sampled_from([[(s + c) % n for s in range(n)], [s // d * d for s in range(n)],
                                              [c] * n, [(s + c) % d for s in range(n)]])))
        else:
            maps.append(draw(st.lists(st.integers(0, n - 1), min_size=n, max_size=n)))
    return maps, n


@st.composite
def kernel_rows(draw: st.DrawFn, n: int) -> list[Fraction]:
    """A row of exact probabilities: ``d`` units of ``1/d`` spread over ``n`` states."""
    d = draw(st.integers(1, 4))
    counts = [0] * n
    for t in draw(st.lists(st.integers(0, n - 1), min_size=d, max_size=d)):
        counts[t] += 1
    return [Fraction(c, d) for c in counts]


@st.composite
def kernel_systems(draw: st.DrawFn) -> tuple[list[object], int]:
    n = draw(st.integers(1, 6))
    k = draw(st.integers(1, 3))
    mechanisms: list[object] = []
    for j in range(k):
        kind = draw(st.sampled_from(["kernel", "circulant", "map"])) if j else draw(st.sampled_from(["kernel", "circulant"]))
        if kind == "map":
            mechanisms.append(draw(st.lists(st.integers(0, n - 1), min_size=n, max_size=n)))
        elif kind == "circulant":  # symmetric under the shifts (and maybe mirrors)
            row = draw(kernel_rows(n))
            mechanisms.append([[row[(t - s) % n] for t in range(n)] for s in range(n)])
        else:
            mechanisms.append([draw(kernel_rows(n)) for _ in range(n)])
    return mechanisms, n


# -- oracle tests --------------------------------------------------------------------------------


@given(deterministic_systems())
def test_deterministic_maps_agree_with_brute_force(case):
    check_against_oracle(*case)


@given(kernel_systems())
def test_markov_kernels_agree_with_brute_force(case):
    check_against_oracle(*case)


def test_oracle_sees_the_bundled_ring():
    quarter, half = Fraction(1, 4), Fraction(1, 2)
    lazy = [[half if s == t else quarter if (t - s) % 6 in (1, 5) else Fraction(0) for t in range(6)]
            for s in range(6)]
    drift = [[Fraction(2, 3) if (t - s) % 6 == 1 else Fraction(1, 3) if (t - s) % 6 == 5 else Fraction(0)
              for t in range(6)] for s in range(6)]
    assert len(brute_force([lazy], 6)) == 12
    assert len(brute_force([drift], 6)) == 6
    check_against_oracle([lazy], 6)
    check_against_oracle([drift], 6)


# -- larger random systems: soundness and group axioms --------------------------------------------


def relabel(table: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """The map conjugated by the relabelling ``sigma``: ``sigma ∘ m ∘ sigma^-1``."""
    inv = np.argsort(sigma)
    return sigma[table[inv]]


def assert_group_axioms(gens: list[np.ndarray], contains, rng: np.random.Generator) -> None:
    """Products and inverses of generators (and of random words in them) stay in the group."""
    n = gens[0].size if gens else 0
    for a in gens:
        assert contains(np.argsort(a))  # inverse
        for b in gens[:6]:
            assert contains(a[b])  # product
    for _ in range(5):
        word = np.arange(n)
        for k in rng.integers(0, len(gens), size=8).tolist() if gens else []:
            word = gens[k][word]
        assert contains(word) and contains(np.argsort(word))


@settings(max_examples=LARGE_EXAMPLES)
@given(st.integers(0, 2**32 - 1))
def test_large_random_maps_are_sound(seed):
    """About 500 states: copies of a random small functional graph (a wreath product), relabelled."""
    rng = np.random.default_rng(seed)
    size, copies = int(rng.integers(3, 9)), int(rng.integers(20, 70))
    small = [rng.integers(0, size, size) for _ in range(int(rng.integers(1, 4)))]
    n = size * copies
    sigma = rng.permutation(n)
    maps = [relabel(np.concatenate([m + size * c for c in range(copies)]), sigma) for m in small]
    # the engine directly: naming such groups with sympy (inside equivid.solve) takes far longer
    group = automorphism_group(maps)
    stacked = np.stack(maps)

    def commutes(p: np.ndarray) -> bool:
        return bool(np.array_equal(p[stacked], stacked[:, p]))

    gens = list(group.generators)
    assert all(commutes(g) for g in gens)
    assert all(commutes(group.sample(np.random.default_rng(k))) for k in range(3))
    assert_group_axioms(gens, group.contains, rng)
    small_order = len(brute_force([m.tolist() for m in small], size)) if size <= 8 else None
    # the copies of one small graph are permuted as blocks: order >= |Aut(small)|^copies * copies!
    assert group.order % (small_order ** copies * math.factorial(copies)) == 0


@settings(max_examples=LARGE_EXAMPLES)
@given(st.integers(0, 2**32 - 1))
def test_large_random_kernels_are_sound(seed):
    """About 500 states: a random sparse circulant kernel on Z_n, relabelled; every generator
    and sample keeps the kernel exactly."""
    from equivid.finite import kernel_group

    rng = np.random.default_rng(seed)
    n = int(rng.integers(400, 600))
    steps = rng.choice(np.arange(1, n), size=int(rng.integers(1, 4)), replace=False)
    weights = rng.integers(1, 4, size=steps.size + 1)
    row = {0: Fraction(int(weights[0]), int(weights.sum()))}
    for st_, w in zip(steps.tolist(), weights[1:].tolist()):
        row[st_] = row.get(st_, Fraction(0)) + Fraction(int(w), int(weights.sum()))
    sigma = rng.permutation(n)
    kernel = [[Fraction(0)] * n for _ in range(n)]
    for s in range(n):
        for d, w in row.items():
            kernel[int(sigma[s])][int(sigma[(s + d) % n])] = w
    group = kernel_group([kernel])
    assert group.order % n == 0  # the shifts of Z_n (more when the steps allow, e.g. a union of cycles)
    edges = [(s, t, w) for s in range(n) for t, w in enumerate(kernel[s]) if w]

    def keeps(p: np.ndarray) -> bool:
        return all(kernel[int(p[s])][int(p[t])] == w for s, t, w in edges)

    gens = list(group.generators)
    assert all(keeps(g) for g in gens)
    assert all(keeps(group.sample(np.random.default_rng(k))) for k in range(2))
    assert_group_axioms(gens, group.contains, rng)
    assert group.orbits == (tuple(range(n)),)


def test_large_kernel_through_solve():
    """A 20 x 20 torus random walk (400 states, exact 1/4 weights) through ``equivid.solve``:
    translations and the symmetries of the square, order 400 * 8."""
    m = 20
    n = m * m
    kernel = [[0] * n for _ in range(n)]
    for a in range(m):
        for b in range(m):
            for da, db in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                kernel[a * m + b][(a + da) % m * m + (b + db) % m] = "1/4"
    group = equivid.solve(finite_system({"i": m, "j": m}, {"walk": {"kernel": kernel}}))
    assert group.order == 3200
    assert group.contains("(Mod(i + 1, 20), j)") and group.contains("(j, i)") and group.contains("(Mod(-i, 20), j)")
    assert not group.contains("(Mod(2*i, 20), j)")
    a = group.sample(rng=1)
    assert group.contains(a if isinstance(a, tuple) else {"table": np.asarray(a).tolist()})


@pytest.mark.parametrize("n", [1, 2, 7])
def test_uniform_kernel_is_the_symmetric_group(n):
    group = equivid.solve(finite_system({"s": n}, {"mix": {"kernel": [[f"1/{n}"] * n] * n}}))
    assert group.order == math.factorial(n)
