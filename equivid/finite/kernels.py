"""Automorphism groups of Markov kernels on a finite state set (stochastic finite-state mechanisms).

A Markov kernel ``P`` on ``N`` states (``P[s, t]`` the exact probability of moving from
``s`` to ``t``) commutes with the permutation matrix of ``pi`` exactly when
``P[pi(s), pi(t)] == P[s, t]`` for all states ``s, t``: ``pi`` is an automorphism of
the weighted digraph of ``P`` with the weights as edge colours.  For several kernels
(and deterministic maps, which are the 0/1 kernels) every ordered pair ``(s, t)`` gets
the colour of its weight vector ``(P_1[s, t], ..., P_k[s, t])``, so the group is the
automorphism group of one edge-coloured digraph.  :func:`kernel_group` computes it
without enumerating it:

1. *Colour refinement.*  States are refined by the multisets of ``(edge colour,
   state colour)`` over their out-edges and over their in-edges, to stability.
2. *Individualise and refine.*  A base of states is chosen by individualising one
   state of a smallest non-trivial cell until the partition is discrete.
3. *Stabiliser chain.*  From the deepest base point up, the orbit of each base point
   in the stabiliser of the earlier ones is found by a depth-first search for
   automorphisms (each candidate leaf is checked exactly); the generators found
   generate each stabiliser, and the order is the product of the orbit lengths.

Every generator is an exact automorphism (checked against the exact weights), and
the order is exact: a base image that the search rejects has no automorphism.

Examples
--------
>>> from fractions import Fraction as F
>>> lazy = [[F(1, 2) if s == t else F(1, 4) if (t - s) % 6 in (1, 5) else 0 for t in range(6)] for s in range(6)]
>>> kernel_group([lazy]).order
12
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import BudgetExceededError, SpecError, VerificationError
from .partitions import base_path, dense_ranks, individualise, splitmix64, stabiliser_chain
from .permutations import Generators, PermutationGroupBase

__all__ = [
    "KernelGroup",
    "coloured_digraph_group",
    "deterministic_table",
    "kernel_edges",
    "kernel_group",
    "verify_kernel_generators",
]

IntArray = NDArray[np.int64]
_U64 = np.uint64

#: Search nodes (refinements) after which :func:`coloured_digraph_group` gives up.
SEARCH_BUDGET = 200_000


# --------------------------------------------------------------------------- input


def _exact(value: Any, where: str) -> Fraction:
    """An exact probability as a Fraction (ints, Fractions, sympy rationals; no floats)."""
    if isinstance(value, (bool, float, np.floating)) or value is None:
        raise SpecError(where, value, "an exact probability (int, Fraction or sympy Rational)")
    if hasattr(value, "p") and hasattr(value, "q"):  # sympy Rational
        return Fraction(int(value.p), int(value.q))
    try:
        return Fraction(value)
    except (TypeError, ValueError):
        raise SpecError(where, value, "an exact probability (int, Fraction or sympy Rational)") from None


def _sparse(kernel: Any, n: int | None, where: str) -> tuple[IntArray, IntArray, list[Fraction]]:
    """Nonzero entries ``(rows, cols, weights)`` of one dense kernel (or a map: a table of
    state indices, its 0/1 kernel), sorted row-major."""
    rows = kernel.tolist() if hasattr(kernel, "tolist") else kernel
    rows = list(rows)
    size = len(rows) if n is None else n
    if all(isinstance(r, (int, np.integer)) and not isinstance(r, bool) for r in rows):  # a map
        table = np.array(rows, dtype=np.int64)
        if table.size != size or (size and (table.min() < 0 or table.max() >= size)):
            raise SpecError(where, f"a table of {table.size} entries", f"{size} state indices in 0..{size - 1}")
        return np.arange(size, dtype=np.int64), table, [Fraction(1)] * size
    rows = [list(r) for r in rows]
    if len(rows) != size or any(len(r) != size for r in rows):
        raise SpecError(where, f"{len(rows)} rows", f"a square {size} x {size} matrix")
    src, dst, weights = [], [], []
    for s, row in enumerate(rows):
        for t, value in enumerate(row):
            if not value and not isinstance(value, (bool, float)):  # zeros: 0, Fraction(0), sympy 0
                continue
            w = _exact(value, f"{where}[{s}][{t}]")
            if w:
                src.append(s)
                dst.append(t)
                weights.append(w)
    return np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64), weights


def _codes(weights: list[Fraction]) -> IntArray:
    """Canonical codes ``1..K`` of the weights (ranks of their distinct values)."""
    distinct = {w: k + 1 for k, w in enumerate(sorted(set(weights)))}
    return np.array([distinct[w] for w in weights], dtype=np.int64)


def kernel_edges(kernels: Sequence[Any]) -> tuple[int, IntArray, IntArray, IntArray]:
    """The edge-coloured digraph of exact kernels: ``(n, src, dst, colour)``.

    One edge per ordered pair of states with a nonzero weight in some kernel; its
    colour is the canonical rank of the vector of codes of its weights (a code is the
    rank of a weight among the distinct weights of its kernel), so two pairs have the
    same colour exactly when they have the same weight in every kernel.

    Parameters
    ----------
    kernels : sequence of array_like
        Square matrices of exact probabilities (ints, ``Fraction``, sympy ``Rational``).

    Returns
    -------
    tuple
        ``n`` and the arrays ``src``, ``dst`` (sorted by ``src * n + dst``) and ``colour``.

    Examples
    --------
    >>> n, src, dst, colour = kernel_edges([[[1, 0], [Fraction(1, 2), Fraction(1, 2)]]])
    >>> n, src.tolist(), dst.tolist(), colour.tolist()
    (2, [0, 1, 1], [0, 0, 1], [1, 0, 0])
    """
    n, sparse = _sparse_all(kernels)
    return (n, *_edges(n, sparse))


def _sparse_all(kernels: Sequence[Any]) -> tuple[int, list[tuple[IntArray, IntArray, list[Fraction]]]]:
    """The common size and the nonzero entries of every kernel."""
    if not kernels:
        raise SpecError("kernels", list(kernels), "at least one kernel")
    first = kernels[0].tolist() if hasattr(kernels[0], "tolist") else kernels[0]
    n = len(first)
    return n, [_sparse(kernel, n, f"kernels[{j}]") for j, kernel in enumerate(kernels)]


def _edges(n: int, sparse: list[tuple[IntArray, IntArray, list[Fraction]]]) -> tuple[IntArray, IntArray, IntArray]:
    """Combine sparse kernels into one colour per ordered pair (the rank of its code vector)."""
    parts = [(src * n + dst, _codes(weights)) for src, dst, weights in sparse]
    keys = np.unique(np.concatenate([k for k, _ in parts]))
    if not keys.size:
        return keys, keys, keys
    columns = []
    for k, codes in parts:
        col = np.zeros(keys.size, dtype=np.int64)
        col[np.searchsorted(keys, k)] = codes
        columns.append(col)
    return keys // n, keys % n, dense_ranks(*columns[::-1])


def deterministic_table(kernel: Any) -> IntArray | None:
    """The map of a 0/1 kernel (one 1 in every row), or None for a genuinely stochastic one.

    Examples
    --------
    >>> deterministic_table([[0, 1], [0, 1]]).tolist()
    [1, 1]
    >>> deterministic_table([[Fraction(1, 2), Fraction(1, 2)], [0, 1]]) is None
    True
    """
    rows = kernel.tolist() if hasattr(kernel, "tolist") else kernel
    out = []
    for row in rows:
        ones = [t for t, v in enumerate(row) if v != 0]
        if len(ones) != 1 or row[ones[0]] != 1:
            return None
        out.append(ones[0])
    return np.array(out, dtype=np.int64)


# --------------------------------------------------------------------------- graph


class _Digraph:
    """An edge-coloured digraph with state colours, prepared for refinement and checks."""

    def __init__(self, n: int, src: IntArray, dst: IntArray, colour: IntArray, vcol: IntArray) -> None:
        self.n = n
        self.vcol = vcol
        key = src * n + dst
        order = np.argsort(key, kind="stable")
        self.key, self.kcol = key[order], colour[order]
        if np.unique(self.key).size != self.key.size:
            raise SpecError("edges", "a repeated ordered pair", "one colour per ordered pair of states")
        self.sides: list[tuple[IntArray, NDArray[np.uint64], IntArray, IntArray]] = []
        for a, b in ((src, dst), (dst, src)):
            o = np.argsort(a, kind="stable")
            owners, starts = np.unique(a[o], return_index=True)
            ecode = splitmix64(splitmix64(colour[o].astype(_U64) + _U64(0x9E3779B97F4A7C15)) ^ _U64(len(self.sides) + 1))
            self.sides.append((b[o], ecode, owners, starts))
        self.nodes = 0

    def refine(self, part: IntArray) -> IntArray:
        """Equitable refinement of ``part`` (canonical labels ``0..K-1``)."""
        self.nodes += 1
        n = self.n
        part = dense_ranks(part)
        cells = int(part.max()) + 1 if n else 0
        while cells < n:
            hashes = []
            for b, ecode, owners, starts in self.sides:
                h = np.zeros(n, dtype=_U64)
                if b.size:
                    x = splitmix64(ecode + splitmix64(part[b].astype(_U64) + _U64(0xD6E8FEB86659FD93)))
                    h[owners] = np.add.reduceat(x, starts)
                hashes.append(h)
            new = dense_ranks(hashes[0], hashes[1], part)
            count = int(new.max()) + 1
            part = new
            if count == cells:
                break
            cells = count
        return part

    def is_automorphism(self, p: IntArray) -> bool:
        """Whether the permutation ``p`` keeps the state colours and every coloured edge."""
        n = self.n
        if not np.array_equal(self.vcol[p], self.vcol):
            return False
        if not self.key.size:
            return True
        image = p[self.key // n] * n + p[self.key % n]
        at = np.minimum(np.searchsorted(self.key, image), self.key.size - 1)
        return bool(np.all(self.key[at] == image) and np.all(self.kcol[at] == self.kcol))


def _transposition(n: int, a: int, b: int) -> IntArray:
    p = np.arange(n)
    p[a], p[b] = b, a
    return p


# --------------------------------------------------------------------------- group


@dataclass(frozen=True, eq=False)
class KernelGroup(PermutationGroupBase):
    """The permutations of the states keeping every kernel (and state colour).

    The interface of :class:`equivid.finite.permutations.PermutationGroupBase`, as
    :class:`equivid.finite.AutomorphismGroup` has it: exact ``order``, sparse
    ``generators``, ``orbits``, ``orbit_labels``, ``contains``, ``commutes``, uniform
    ``sample`` and ``as_permutation_group``; ``edges`` holds the coloured digraph
    ``(src, dst, colour)``.

    Examples
    --------
    >>> grp = coloured_digraph_group(4, [0, 1, 2, 3], [1, 2, 3, 0], [0, 0, 0, 0])
    >>> grp.order, grp.orbits, grp.contains(np.array([1, 2, 3, 0]))
    (4, ((0, 1, 2, 3),), True)
    """

    base: tuple[int, ...]
    _graph: _Digraph = field(repr=False)
    _levels: tuple[int, ...] = field(repr=False)  # generators fixing base[:i] are generators[:_levels[i]]
    kernels: tuple[tuple[IntArray, IntArray, list[Fraction]], ...] = field(default=(), repr=False)

    @property
    def edges(self) -> tuple[IntArray, IntArray, IntArray]:
        """The coloured edges ``(src, dst, colour)``, sorted by ``(src, dst)``."""
        g = self._graph
        n = max(self.n_states, 1)
        return g.key // n, g.key % n, g.kcol

    def _keeps(self, p: IntArray) -> bool:
        return self._graph.is_automorphism(p)

    def commutes(self, table: Any) -> bool:
        """Whether the map ``table`` (any map ``a`` of the states, as its 0/1 matrix ``A``)
        commutes with every exact kernel: ``A P = P A``, i.e. ``P[a(s), t]`` equals the
        total weight ``P[s, u]`` over the ``u`` with ``a(u) = t``.

        Only for groups built by :func:`kernel_group` (which keep the exact weights).
        """
        a = np.asarray(table, dtype=np.int64)
        n = self.n_states
        for src, dst, weights in self.kernels:
            starts = np.searchsorted(src, np.arange(n + 1)).tolist()
            left: dict[tuple[int, int], Fraction] = {}
            for s, r in enumerate(a.tolist()):
                for e in range(starts[r], starts[r + 1]):
                    left[s, int(dst[e])] = weights[e]
            right: dict[tuple[int, int], Fraction] = {}
            for s, u, w in zip(src.tolist(), a[dst].tolist(), weights):
                right[s, u] = right.get((s, u), Fraction(0)) + w
            if left != {k: v for k, v in right.items() if v}:
                return False
        return True

    @cached_property
    def _schreier(self) -> list[tuple[IntArray, IntArray, IntArray]]:
        """Per base point: its orbit, and for each orbit point the BFS parent and generator."""
        gens = list(self.generators)
        out = []
        for i, b in enumerate(self.base):
            level = gens[: self._levels[i]]
            parent = np.full(self.n_states, -1, dtype=np.int64)
            via = np.full(self.n_states, -1, dtype=np.int64)
            parent[b] = b
            frontier = [b]
            orbit = [b]
            while frontier:
                nxt = []
                for x in frontier:
                    for k, g in enumerate(level):
                        y = int(g[x])
                        if parent[y] < 0:
                            parent[y], via[y] = x, k
                            nxt.append(y)
                            orbit.append(y)
                frontier = nxt
            out.append((np.array(orbit, dtype=np.int64), parent, via))
        return out

    def sample(self, rng: np.random.Generator) -> IntArray:
        """A uniformly random element (product of random coset representatives)."""
        gens = list(self.generators)
        elem = np.arange(self.n_states)
        for i, (orbit, parent, via) in enumerate(self._schreier):
            w = int(rng.choice(orbit))
            t = np.arange(self.n_states)
            while w != self.base[i]:  # t maps base[i] to w: compose generators along the BFS path
                g = gens[int(via[w])]
                t = t[g]  # t ∘ g, walking the path back from w to base[i]
                w = int(parent[w])
            elem = elem[t]
        return elem


def _group_pairs(keys: IntArray, colour: IntArray) -> dict[int, tuple[int, ...]]:
    out: dict[int, list[int]] = {}
    for k, c in zip(keys.tolist(), colour.tolist()):
        out.setdefault(k, []).append(c)
    return {k: tuple(sorted(v)) for k, v in out.items()}


class _Search:
    """Individualisation-refinement stabiliser chain of an edge-coloured digraph."""

    def __init__(self, graph: _Digraph, budget: int) -> None:
        self.g = graph
        self.budget = budget
        self.path, self.cells, self.base, self.leaf = base_path(graph.refine(graph.vcol), graph.refine)
        self.gens, self.levels, self.order = stabiliser_chain(self.path, self.cells, self.base, self._find)

    def _find(self, i: int, w: int) -> IntArray | None:
        """An automorphism fixing ``base[:i]`` with ``base[i] -> w``: a swap first, then the search."""
        g = self._swap(i, w)
        return g if g is not None else self._dfs(self.path[i], i, w)

    def _swap(self, i: int, w: int) -> IntArray | None:
        """The transposition of ``base[i]`` and ``w`` when it is an automorphism (cheap first try)."""
        p = _transposition(self.g.n, self.base[i], w)
        return p if self.g.is_automorphism(p) else None

    def _dfs(self, part: IntArray, i: int, w: int) -> IntArray | None:
        """An automorphism fixing ``base[:i]`` whose search path individualises ``w`` at depth ``i``."""
        if self.g.nodes > self.budget:
            raise BudgetExceededError(
                f"kernel automorphisms: more than {self.budget} search nodes (a highly regular state graph)"
            )
        q = self.g.refine(individualise(part, w))
        if not np.array_equal(np.bincount(q), np.bincount(self.path[i + 1])):
            return None
        if i + 1 == len(self.base):
            inv = np.empty_like(q)
            inv[q] = np.arange(q.size)
            leaf = inv[self.leaf]
            return leaf if self.g.is_automorphism(leaf) else None
        for u in np.flatnonzero(q == self.cells[i + 1]).tolist():
            found = self._dfs(q, i + 1, u)
            if found is not None:
                return found
        return None


def coloured_digraph_group(
    n: int, src: Any, dst: Any, colour: Any, *, state_colours: Any = None, budget: int = SEARCH_BUDGET
) -> KernelGroup:
    """Automorphism group of an edge-coloured digraph on states ``0..n-1``.

    Parameters
    ----------
    n : int
        Number of states.
    src, dst, colour : array_like of int
        One edge ``src[e] -> dst[e]`` of colour ``colour[e]`` per ordered pair (at most one).
    state_colours : array_like of int, optional
        Colours of the states that every automorphism keeps.
    budget : int
        Most refinements the search may run before ``BudgetExceededError``.

    Returns
    -------
    KernelGroup
        Exact order, generators (a stabiliser chain's strong generators), orbits,
        membership and uniform sampling.

    Examples
    --------
    >>> coloured_digraph_group(3, [0, 1, 2], [1, 2, 0], [0, 0, 1]).order
    1
    >>> coloured_digraph_group(5, [], [], []).order
    120
    """
    s, d, c = (np.asarray(x, dtype=np.int64).reshape(-1) for x in (src, dst, colour))
    if not (s.size == d.size == c.size):
        raise SpecError("edges", (s.size, d.size, c.size), "src, dst and colour of equal length")
    if s.size and (min(s.min(), d.min()) < 0 or max(s.max(), d.max()) >= n):
        raise SpecError("edges", "a state index out of range", f"state indices in 0..{n - 1}")
    vcol = np.zeros(n, dtype=np.int64) if state_colours is None else np.asarray(state_colours, dtype=np.int64)
    if vcol.shape != (n,):
        raise SpecError("state_colours", vcol.shape, f"one colour per state ({n})")
    graph = _Digraph(n, s, d, c, dense_ranks(vcol) if n else vcol)
    search = _Search(graph, budget)
    return KernelGroup(n, search.order, Generators.of(n, search.gens), graph.vcol, tuple(search.base), graph,
                       tuple(search.levels))


def kernel_group(kernels: Sequence[Any], *, state_colours: Any = None) -> KernelGroup:
    """Group of state permutations ``pi`` with ``P[pi(s), pi(t)] == P[s, t]`` for every kernel.

    Equivalently ``P_pi P = P P_pi`` for the permutation matrix ``P_pi``: the
    permutations commuting with every Markov kernel.

    Parameters
    ----------
    kernels : sequence of array_like
        ``N x N`` matrices of exact weights (ints, ``Fraction``, sympy ``Rational``);
        a deterministic map is its 0/1 kernel, or its table of ``N`` state indices.
    state_colours : array_like of int, optional
        Colours of the states that every permutation keeps.

    Returns
    -------
    KernelGroup
        Order, generators, orbits, membership and uniform sampling.

    Raises
    ------
    SpecError
        If a kernel is not square of the common size or holds an inexact entry.
    VerificationError
        If a generator fails the substitution check against the exact kernels.

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> drift = [[F(2, 3) if (t - s) % 6 == 1 else F(1, 3) if (t - s) % 6 == 5 else 0 for t in range(6)]
    ...          for s in range(6)]
    >>> grp = kernel_group([drift])
    >>> grp.order, grp.orbits
    (6, ((0, 1, 2, 3, 4, 5),))
    """
    n, sparse = _sparse_all(kernels)
    group = coloured_digraph_group(n, *_edges(n, sparse), state_colours=state_colours)
    group = replace(group, kernels=tuple(sparse))
    verify_kernel_generators(group)
    return group


def verify_kernel_generators(group: KernelGroup) -> None:
    """Substitute every generator back into every exact kernel: ``P[g(s), g(t)] == P[s, t]``.

    Raises ``VerificationError`` naming the first generator that fails.

    Examples
    --------
    >>> verify_kernel_generators(kernel_group([[[0, 1], [1, 0]]]))
    """
    n = max(group.n_states, 1)
    for j, (src, dst, weights) in enumerate(group.kernels):
        key = src * n + dst
        codes = _codes(weights)
        for k in range(len(group.generators)):
            g = group.generators[k]
            if np.unique(g).size != g.size:
                raise VerificationError(f"generator {k + 1} of the kernel group is not a permutation")
            image = g[src] * n + g[dst]
            at = np.minimum(np.searchsorted(key, image), max(key.size - 1, 0))
            if key.size and not (np.all(key[at] == image) and np.all(codes[at] == codes)):
                raise VerificationError(f"generator {k + 1} of the kernel group does not commute with kernel {j + 1}")
