"""Benchmark the finite-state automorphism engine (and bliss via python-igraph).

Run as ``python benchmarks/bench_finite.py``.  Each case builds a system of maps,
times :func:`equivid.finite.automorphism_group` and, when python-igraph is
installed, bliss's ``count_automorphisms`` on the same coloured digraph (each
edge of map ``j`` subdivided by a middle vertex of colour ``j + 1``).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from equivid.finite import automorphism_group  # noqa: E402


def torus(side: int) -> list[np.ndarray]:
    """Two shifts on the ``side x side`` torus (state ``side * i + j``)."""
    i, j = np.divmod(np.arange(side * side), side)
    return [side * ((i + 1) % side) + j, side * i + (j + 1) % side]


def random_maps(n: int, k: int, seed: int) -> list[np.ndarray]:
    """``k`` uniformly random maps of ``n`` states."""
    rng = np.random.default_rng(seed)
    return [rng.integers(0, n, n) for _ in range(k)]


def best_time(fn, repeat: int = 3) -> tuple[float, object]:
    """Best wall time of ``repeat`` calls and the last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def bliss_count(maps: list[np.ndarray]):
    """Return a thunk counting automorphisms with bliss, or None without igraph."""
    try:
        import igraph
    except ImportError:
        return None
    n, k = maps[0].size, len(maps)
    mids = n + np.arange(k * n)
    tails = np.concatenate([np.tile(np.arange(n), k), mids])
    heads = np.concatenate([mids, np.concatenate(maps)])
    edges = np.column_stack([tails, heads])
    graph = igraph.Graph(n=n + k * n, edges=edges.tolist(), directed=True)
    colour = [0] * n + [1 + j for j in range(k) for _ in range(n)]
    return lambda: int(graph.count_automorphisms(sh="fl", color=colour))


def main() -> None:
    """Print the timing table."""
    sys.set_int_max_str_digits(0)
    cases = [("torus 300x300, 2 shifts", torus(300))]
    for n in (10**3, 10**4, 10**5):
        for k in (1, 2):
            cases.append((f"random n={n:>6} k={k}", random_maps(n, k, seed=n + k)))
    cases.append(("halving s -> s//2, n=2^16", [np.arange(2**16) // 2]))
    have_bliss = bliss_count(cases[0][1][:1]) is not None
    if not have_bliss:
        print("python-igraph not available: bliss timings skipped")
    print(f"{'case':32} {'states':>7} {'log2|G|':>9} {'ours s':>8} {'bliss s':>8} {'ratio':>6}")
    for name, maps in cases:
        ours, grp = best_time(lambda maps=maps: automorphism_group(maps))
        line = f"{name:32} {maps[0].size:>7} {grp.order.bit_length() - 1:>9} {ours:>8.3f}"
        thunk = bliss_count(maps) if have_bliss else None
        if thunk is not None:
            theirs, count = best_time(thunk)
            agree = "" if count == grp.order else "  ORDER MISMATCH"
            line += f" {theirs:>8.3f} {ours / theirs:>6.2f}{agree}"
        print(line)


if __name__ == "__main__":
    main()
