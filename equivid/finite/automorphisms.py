"""Automorphism groups of coloured functional digraphs (finite-state mechanisms).

A permutation ``pi`` of the states commutes with the maps ``m_1, ..., m_k`` when
``pi[m_j[s]] == m_j[pi[s]]`` for every state ``s`` and every ``j``.  These
permutations form the automorphism group of the functional digraph with one edge
colour per map.  :func:`automorphism_group` computes it without enumerating it:

1. *Tree peeling (AHU).*  States with no preimage whose maps all agree hang in
   in-trees; they are peeled level by level and hashed by the multiset of their
   children's types.  Identical sibling subtrees give factorial factors.
2. *Core.*  What remains is refined by colour refinement and split into weakly
   connected components, grouped into isomorphism classes (wreath products).
3. *Inside a component.*  If one state reaches the whole component, an
   automorphism is fixed by that state's image and found by propagation along
   the maps; otherwise an individualisation-refinement search builds a
   stabiliser chain.

Examples
--------
>>> import numpy as np
>>> shift = (np.arange(12) + 1) % 12
>>> automorphism_group([shift]).order
12
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._budget import budget_seconds
from ..errors import BudgetExceededError, SpecError, VerificationError
from .partitions import (
    base_path,
    dense_ranks,
    individualise,
    orbit_labels_of,
    splitmix64,
    stabiliser_chain,
)
from .permutations import Generators, PermutationGroupBase

__all__ = ["AutomorphismGroup", "automorphism_group"]

IntArray = NDArray[np.int64]
_U64 = np.uint64

#: State-map visits (states times maps, summed over the refinements of the individualisation
#: search) after which the automorphism search of maps gives up with BudgetExceededError: a
#: count, so the same on every machine (about a minute of search on a 2-core machine).
WORK_BUDGET = 100_000_000
_SALTS = np.array(
    [0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB, 0xD6E8FEB86659FD93],
    dtype=_U64,
)


def _salt(j: int) -> np.uint64:
    """A per-map salt constant."""
    return _U64((int(_SALTS[j % 4]) * (j + 1) + j) % (1 << 64))


def _refine(maps: IntArray, colours: IntArray, max_rounds: int = 1 << 30) -> IntArray:
    """Colour refinement by images and preimage multisets, to stability.

    Returns canonical colours ``0..K-1`` (a function of the isomorphism type).
    """
    k, n = maps.shape
    col = dense_ranks(colours)
    ncol = int(col.max()) + 1 if n else 0
    for _ in range(max_rounds):
        if ncol == n:
            break
        h = splitmix64(col.astype(_U64) + _SALTS[0])
        sig = h.copy()
        for j in range(k):
            back = np.zeros(n, dtype=_U64)
            np.add.at(back, maps[j], splitmix64(h ^ _salt(j)))
            sig = splitmix64(sig ^ splitmix64(h[maps[j]] + _salt(j + 7))) + splitmix64(back + _salt(j + 13))
        new = dense_ranks(sig, col)
        nnew = int(new.max()) + 1
        col = new
        if nnew == ncol:
            break
        ncol = nnew
    return col


def _validate(maps: Sequence[Any], colours: Any) -> tuple[IntArray, IntArray]:
    """Check the maps and colours; return a ``(k, N)`` map array and colours."""
    arrays = [np.asarray(m) for m in maps]
    if not arrays:
        raise SpecError("mechanisms", list(maps), "at least one map")
    n = arrays[0].size
    for j, arr in enumerate(arrays):
        if arr.ndim != 1 or arr.size != n:
            raise SpecError(f"mechanisms[{j}]", arr.shape, f"a 1-d array of length {n}")
        if n and not np.issubdtype(arr.dtype, np.integer):
            raise SpecError(f"mechanisms[{j}]", arr.dtype.name, "an integer array")
        bad = np.flatnonzero((arr < 0) | (arr >= n))
        if bad.size:
            raise SpecError(f"mechanisms[{j}]", int(arr[bad[0]]), "a state index in 0..N-1")
    stacked = np.stack(arrays).astype(np.int64) if n else np.zeros((len(arrays), 0), np.int64)
    if colours is None:
        return stacked, np.zeros(n, dtype=np.int64)
    col = np.asarray(colours)
    if col.shape != (n,) or (n and not np.issubdtype(col.dtype, np.integer)):
        raise SpecError("colours", col.shape, f"an integer array of length {n}")
    return stacked, dense_ranks(col)


# --------------------------------------------------------------------------- trees


@dataclass
class _Forest:
    """Peeled in-trees hanging on the core (AHU canonical structure)."""

    parent: IntArray  # parent of each peeled node (its common image)
    levels: list[IntArray]  # peeled nodes, leaves first
    core: NDArray[np.bool_]
    types: NDArray[np.uint64]  # canonical subtree type of every node
    childhash: NDArray[np.uint64]
    size: IntArray
    start: IntArray
    order: IntArray
    root: IntArray
    groups: list[IntArray]  # children sets of identical type under one parent
    tree_order: int


def _peel_levels(maps: IntArray) -> tuple[list[IntArray], NDArray[np.bool_]]:
    """Peel preimage-free states whose maps all agree, level by level."""
    k, n = maps.shape
    absorbable = np.all(maps == maps[0], axis=0) & (maps[0] != np.arange(n))
    indeg = np.bincount(maps.ravel(), minlength=n)
    removed = np.zeros(n, dtype=bool)
    frontier = np.flatnonzero((indeg == 0) & absorbable)
    levels = []
    while frontier.size:
        levels.append(frontier)
        removed[frontier] = True
        par = maps[0, frontier]
        indeg -= k * np.bincount(par, minlength=n)
        cand = np.unique(par)
        frontier = cand[(indeg[cand] == 0) & absorbable[cand] & ~removed[cand]]
    return levels, ~removed


def _preorder(f: _Forest, tiebreak: IntArray) -> tuple[IntArray, IntArray]:
    """Canonical preorder positions of the forest, siblings sorted by type."""
    n = f.core.size
    kids = np.flatnonzero(~f.core)
    start = np.zeros(n, dtype=np.int64)
    cidx = np.flatnonzero(f.core)
    csize = f.size[cidx]
    start[cidx] = np.cumsum(csize) - csize
    if kids.size:
        srt = kids[np.lexsort((tiebreak[kids], f.types[kids], f.parent[kids]))]
        sz = f.size[srt]
        cum = np.cumsum(sz) - sz
        par = f.parent[srt]
        first = np.ones(srt.size, dtype=bool)
        first[1:] = par[1:] != par[:-1]
        base = np.maximum.accumulate(np.where(first, cum, 0))
        rel = np.empty(n, dtype=np.int64)
        rel[srt] = cum - base + 1
        for lvl in reversed(f.levels):
            start[lvl] = start[f.parent[lvl]] + rel[lvl]
    order = np.empty(n, dtype=np.int64)
    order[start] = np.arange(n)
    return start, order


def _build_forest(maps: IntArray, colours: IntArray) -> _Forest:
    """Peel the in-trees and compute types, sizes, canonical order and group factor."""
    n = maps.shape[1]
    levels, core = _peel_levels(maps)
    parent = maps[0].copy()
    types = np.zeros(n, dtype=_U64)
    childhash = np.zeros(n, dtype=_U64)
    size = np.ones(n, dtype=np.int64)
    cu = splitmix64(colours.astype(_U64) + _SALTS[1])
    for lvl in levels:
        types[lvl] = splitmix64(cu[lvl] ^ splitmix64(childhash[lvl] + _SALTS[2]))
        np.add.at(childhash, parent[lvl], splitmix64(types[lvl] ^ _SALTS[3]))
        np.add.at(size, parent[lvl], size[lvl])
    kids = np.flatnonzero(~core)
    groups, tree_order = _identical_siblings(kids, parent, types)
    f = _Forest(parent, levels, core, types, childhash, size,
                np.zeros(0, np.int64), np.zeros(0, np.int64), np.arange(n), groups, tree_order)
    f.start, f.order = _preorder(f, np.arange(n))
    for lvl in reversed(levels):
        f.root[lvl] = f.root[parent[lvl]]
    return f


def _identical_siblings(
    kids: IntArray, parent: IntArray, types: NDArray[np.uint64]
) -> tuple[list[IntArray], int]:
    """Groups of >= 2 siblings of one type, and the product of factorials."""
    if kids.size == 0:
        return [], 1
    srt = kids[np.lexsort((kids, types[kids], parent[kids]))]
    brk = np.ones(srt.size, dtype=bool)
    brk[1:] = (parent[srt][1:] != parent[srt][:-1]) | (types[srt][1:] != types[srt][:-1])
    starts = np.flatnonzero(brk)
    counts = np.diff(np.append(starts, srt.size))
    big = np.flatnonzero(counts >= 2)
    groups = [srt[starts[i]: starts[i] + counts[i]] for i in big]
    order = 1
    vals, mult = np.unique(counts[big], return_counts=True)
    for v, m in zip(vals.tolist(), mult.tolist()):
        order *= math.factorial(v) ** m
    return groups, order


# --------------------------------------------------------------------------- components


def _bfs_levels(maps: IntArray, r: int) -> list[tuple[IntArray, IntArray, IntArray]]:
    """BFS spanning tree from ``r`` as per-level ``(child, parent, map index)``."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import breadth_first_order

    k, n = maps.shape
    src = np.tile(np.arange(n), k)
    graph = coo_matrix((np.ones(src.size, np.int8), (src, maps.ravel())), shape=(n, n))
    order, pred = breadth_first_order(graph.tocsr(), r, directed=True)
    order = np.asarray(order[1:], dtype=np.int64)
    par = np.asarray(pred[order], dtype=np.int64)
    jj = np.argmax(maps[:, par] == order[None, :], axis=0)
    up = np.asarray(pred, dtype=np.int64).copy()
    up[r] = r
    up[up < 0] = r
    depth = (np.arange(n) != r).astype(np.int64)
    while np.any(up != r):
        depth += depth[up] * (up != r)
        up = up[up]
    depth = depth[order]
    srt = np.argsort(depth, kind="stable")
    cuts = np.flatnonzero(np.diff(depth[srt])) + 1
    return [(order[g], par[g], jj[g]) for g in np.split(srt, cuts) if g.size]


def _propagate(
    maps: IntArray, levels: list[Any], r: int, starts: IntArray, n: int
) -> IntArray:
    """Images of the ``n`` source states (columns) for each image of ``r`` (rows)."""
    img = np.zeros((starts.size, n), dtype=np.int64)
    img[:, r] = starts
    if len(levels) * 16 > n and levels:
        ch = np.concatenate([lv[0] for lv in levels]).tolist()
        par = np.concatenate([lv[1] for lv in levels]).tolist()
        jj = np.concatenate([lv[2] for lv in levels]).tolist()
        rows = [m.tolist() for m in maps]
        for row in range(starts.size):
            out = img[row].tolist()
            for c, p, j in zip(ch, par, jj):
                out[c] = rows[j][out[p]]
            img[row] = out
        return img
    for ch, par, jj in levels:
        img[:, ch] = maps[jj[None, :], img[:, par]]
    return img


def _check_isos(
    src: IntArray, dst: IntArray, src_col: IntArray, dst_col: IntArray, img: IntArray
) -> NDArray[np.bool_]:
    """Which rows of ``img`` are bijections commuting with the maps and colours."""
    ok = np.all(dst_col[img] == src_col[None, :], axis=1)
    srt = np.sort(img, axis=1)
    ok &= np.all(srt[:, 1:] != srt[:, :-1], axis=1)
    for j in range(src.shape[0]):
        ok &= np.all(img[:, src[j]] == dst[j][img], axis=1)
    return ok


class _CompGroup:
    """Automorphism group of one core component in local indices."""

    order: int
    gens: list[IntArray]

    def sample_many(self, rng: np.random.Generator, count: int) -> IntArray:
        raise NotImplementedError

    def iso(self, dst: IntArray, dst_col: IntArray) -> IntArray | None:
        raise NotImplementedError


class _RootedGroup(_CompGroup):
    """A component reached from one state ``r``: the group acts regularly on r's orbit."""

    def __init__(self, maps: IntArray, col: IntArray, roots: IntArray) -> None:
        self.maps, self.col = maps, col
        sizes = np.bincount(col[roots])
        self.r = r = int(roots[np.argmin(sizes[col[roots]])])
        self.levels = _bfs_levels(maps, r)
        n = maps.shape[1]
        self.gens = []
        labels = np.arange(n)
        failed = np.zeros(n, dtype=bool)
        for w in roots[col[roots] == col[r]].tolist():
            if labels[w] == labels[r] or failed[w]:
                continue
            g = self._element(np.array([w]))
            if g is None:
                failed |= labels == labels[w]
                continue
            self.gens.append(g[0])
            labels = orbit_labels_of(n, self.gens)
        self.orbit = np.flatnonzero(labels == labels[r])
        self.order = int(self.orbit.size)

    def _element(self, starts: IntArray) -> IntArray | None:
        img = _propagate(self.maps, self.levels, self.r, starts, self.maps.shape[1])
        ok = _check_isos(self.maps, self.maps, self.col, self.col, img)
        return img if bool(ok.all()) else None

    def sample_many(self, rng: np.random.Generator, count: int) -> IntArray:
        img = self._element(rng.choice(self.orbit, size=count))
        if img is None:  # pragma: no cover - the orbit consists of verified images
            raise VerificationError("sampled element failed its check")
        return img

    def iso(self, dst: IntArray, dst_col: IntArray) -> IntArray | None:
        for w in np.flatnonzero(dst_col == self.col[self.r]).tolist():
            img = _propagate(dst, self.levels, self.r, np.array([w]), self.maps.shape[1])
            if _check_isos(self.maps, dst, self.col, dst_col, img)[0]:
                return img[0]
        return None


class _SearchGroup(_CompGroup):
    """Individualisation-refinement stabiliser chain (for components without a root)."""

    def __init__(self, maps: IntArray, col: IntArray) -> None:
        self.maps, self.col = maps, col
        self.work = 0
        self.deadline = time.monotonic() + budget_seconds()
        self.path, self.cells, self.base, self.leaf = base_path(
            _refine(maps, col), lambda part: self._refine(maps, part)
        )
        self.gens, self.ngens, self.order = stabiliser_chain(
            self.path, self.cells, self.base,
            lambda i, w: self._dfs(self.maps, self.col, self.path[i], i, w),
        )

    def _refine(self, maps: IntArray, part: IntArray) -> IntArray:
        """One refinement, counted: the search stops once :data:`WORK_BUDGET` state-map
        visits are spent (a count, so the same on every machine), or at the wall-clock
        budget (``--budget``, ``EQUIVID_BUDGET_SECONDS``) if that comes first."""
        self.work += maps.size
        if self.work > WORK_BUDGET:
            raise BudgetExceededError(
                f"finite-state automorphisms: more than {WORK_BUDGET:.0e} state visits in refinements (a highly "
                f"symmetric state graph of {maps.shape[1]} states); fewer states, or states that mechanisms tell apart"
            )
        if time.monotonic() > self.deadline:
            raise BudgetExceededError(
                f"finite-state automorphisms: the search of {maps.shape[1]} states did not finish within the budget "
                f"({budget_seconds():g} s)")
        return _refine(maps, part)

    def _leaf_iso(self, dst: IntArray, dst_col: IntArray, part: IntArray) -> IntArray | None:
        inv = np.empty_like(part)
        inv[part] = np.arange(part.size)
        img = inv[self.leaf][None, :]
        return img[0] if _check_isos(self.maps, dst, self.col, dst_col, img)[0] else None

    def _dfs(
        self, dst: IntArray, dst_col: IntArray, part: IntArray, i: int, w: int
    ) -> IntArray | None:
        """An isomorphism whose search path individualises ``w`` at depth ``i``."""
        q = self._refine(dst, individualise(part, w))
        if not np.array_equal(np.bincount(q), np.bincount(self.path[i + 1])):
            return None
        if i + 1 == len(self.base):
            return self._leaf_iso(dst, dst_col, q)
        for u in np.flatnonzero(q == self.cells[i + 1]).tolist():
            g = self._dfs(dst, dst_col, q, i + 1, u)
            if g is not None:
                return g
        return None

    def iso(self, dst: IntArray, dst_col: IntArray) -> IntArray | None:
        q = _refine(dst, dst_col)
        if not np.array_equal(np.bincount(q), np.bincount(self.path[0])):
            return None
        if not self.base:
            return self._leaf_iso(dst, dst_col, q)
        for u in np.flatnonzero(q == self.cells[0]).tolist():
            g = self._dfs(dst, dst_col, q, 0, u)
            if g is not None:
                return g
        return None

    def _transversal(self, i: int, w: int) -> IntArray:
        """An element of the stabiliser of base[:i] sending base[i] to ``w``."""
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import breadth_first_order

        n = self.maps.shape[1]
        gens = self.gens[: self.ngens[i]]
        src = np.tile(np.arange(n), len(gens))
        graph = coo_matrix((np.ones(src.size), (src, np.concatenate(gens))), shape=(n, n))
        _, pred = breadth_first_order(graph.tocsr(), self.base[i], directed=True)
        elem = np.arange(n)
        while w != self.base[i]:
            p = int(pred[w])
            g = next(g for g in gens if g[p] == w)
            elem = g[elem]
            w = p
        return elem

    def sample_many(self, rng: np.random.Generator, count: int) -> IntArray:
        n = self.maps.shape[1]
        out = np.empty((count, n), dtype=np.int64)
        orbits = [np.flatnonzero(orbit_labels_of(n, self.gens[: self.ngens[i]])
                                 == orbit_labels_of(n, self.gens[: self.ngens[i]])[b])
                  for i, b in enumerate(self.base)]
        for row in range(count):
            elem = np.arange(n)
            for i, orb in enumerate(orbits):
                elem = elem[self._transversal(i, int(rng.choice(orb)))]
            out[row] = elem
        return out


# --------------------------------------------------------------------------- core


@dataclass
class _Class:
    """One isomorphism class of core components: ``phi[i]`` embeds copy ``i``."""

    phi: IntArray
    group: _CompGroup


def _components(mc: IntArray) -> tuple[IntArray, IntArray, NDArray[np.bool_]]:
    """Weak components, strong components and source-SCC flags of the core."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    k, n = mc.shape
    src, dst = np.tile(np.arange(n), k), mc.ravel()
    graph = coo_matrix((np.ones(src.size, dtype=np.int8), (src, dst)), shape=(n, n)).tocsr()
    comp = connected_components(graph, directed=True, connection="weak")[1]
    nscc, scc = connected_components(graph, directed=True, connection="strong")
    cross = scc[src] != scc[dst]
    source = np.ones(nscc, dtype=bool)
    source[scc[dst[cross]]] = False
    return np.asarray(comp, np.int64), np.asarray(scc, np.int64), source


def _make_group(mc: IntArray, rc: IntArray, verts: IntArray, roots: IntArray) -> _CompGroup:
    """The group of one component (local indices ``0..len(verts)-1``)."""
    loc = np.full(mc.shape[1], -1, dtype=np.int64)
    loc[verts] = np.arange(verts.size)
    local = loc[mc[:, verts]]
    if roots.size:
        return _RootedGroup(local, rc[verts], loc[roots])
    return _SearchGroup(local, rc[verts])


def _batch_iso(mc: IntArray, rc: IntArray, rep: IntArray, grp: _RootedGroup,
               others: IntArray) -> tuple[NDArray[np.bool_], IntArray]:
    """Try the first candidate root in each other component at once."""
    target = rc[rep[grp.r]]
    hit = np.where(rc[others] == target, others, np.iinfo(np.int64).max)
    starts = hit.min(axis=1)
    good = starts < np.iinfo(np.int64).max
    img = _propagate(mc, grp.levels, grp.r, np.where(good, starts, others[:, 0]), rep.size)
    ok = good & _check_isos(grp.maps, mc, rc[rep], rc, img)
    return ok, img


def _bucket_classes(mc: IntArray, rc: IntArray, comps: list[IntArray],
                    roots: list[IntArray]) -> list[_Class]:
    """Split components of equal size and colour histogram into isomorphism classes."""
    loc = np.full(mc.shape[1], -1, dtype=np.int64)
    classes = []
    todo = list(range(len(comps)))
    while todo:
        rep = comps[todo[0]]
        grp = _make_group(mc, rc, rep, roots[todo[0]])
        rows, rest = [rep], []
        others = todo[1:]
        if others and isinstance(grp, _RootedGroup):
            ok, img = _batch_iso(mc, rc, rep, grp, np.stack([comps[t] for t in others]))
            rows += [img[i] for i in np.flatnonzero(ok)]
            others = [t for t, good in zip(others, ok.tolist()) if not good]
        for t in others:
            verts = comps[t]
            loc[verts] = np.arange(verts.size)
            phi = grp.iso(loc[mc[:, verts]], rc[verts])
            if phi is None:
                rest.append(t)
            else:
                rows.append(verts[phi])
        classes.append(_Class(np.stack(rows), grp))
        todo = rest
    return classes


def _core_classes(mc: IntArray, rc: IntArray) -> list[_Class]:
    """Isomorphism classes of core components, each with its group."""
    if mc.shape[1] == 0:
        return []
    comp, scc, source = _components(mc)
    ncomp = int(comp.max()) + 1
    hist = np.zeros(ncomp, dtype=_U64)
    np.add.at(hist, comp, splitmix64(rc.astype(_U64) + _SALTS[2]))
    size = np.bincount(comp)
    scc_comp = np.empty(source.size, dtype=np.int64)
    scc_comp[scc] = comp
    nsrc = np.bincount(scc_comp[source], minlength=ncomp)
    byc = np.argsort(comp, kind="stable")
    comps = np.split(byc, np.cumsum(size)[:-1])
    bucket = dense_ranks(hist, size)
    byb = np.argsort(bucket, kind="stable")
    classes = []
    for members in np.split(byb, np.cumsum(np.bincount(bucket))[:-1]):
        rts = []
        for c in members.tolist():
            verts = comps[c]
            rooted = nsrc[c] == 1
            rts.append(verts[source[scc[verts]]] if rooted else np.zeros(0, np.int64))
        classes += _bucket_classes(mc, rc, [comps[c] for c in members.tolist()], rts)
    return classes


# --------------------------------------------------------------------------- public


@dataclass(frozen=True, eq=False)
class AutomorphismGroup(PermutationGroupBase):
    """The group of permutations of the states commuting with every map.

    The interface of :class:`equivid.finite.permutations.PermutationGroupBase`
    (``n_states``, exact ``order``, sparse ``generators``, ``colours``, ``orbits``,
    ``orbit_labels``, ``contains``, ``commutes``, uniform ``sample``,
    ``as_permutation_group``); ``maps`` holds the ``(k, N)`` array of maps.

    Examples
    --------
    >>> grp = automorphism_group([np.arange(4)])
    >>> grp.order, grp.orbits
    (24, ((0, 1, 2, 3),))
    >>> grp.contains(np.array([3, 2, 1, 0]))
    True
    >>> g = automorphism_group([np.array([1, 2, 0])]).generators
    >>> len(g), g[0].tolist()
    (1, [1, 2, 0])
    """

    maps: IntArray
    _forest: _Forest = field(repr=False)
    _classes: list[_Class] = field(repr=False)
    _core_idx: IntArray = field(repr=False)

    def _keeps(self, p: IntArray) -> bool:
        return bool(np.all(self.colours[p] == self.colours) and np.all(p[self.maps] == self.maps[:, p]))

    def commutes(self, table: Any) -> bool:
        """Whether the map ``table`` of the states commutes with every map: ``a[m] == m[a]``."""
        a = np.asarray(table)
        return bool(np.array_equal(a[self.maps], self.maps[:, a]))

    def sample(self, rng: np.random.Generator) -> IntArray:
        """A uniformly random element (stabiliser structure, no enumeration)."""
        f = self._forest
        pc = np.arange(self._core_idx.size)
        for cls in self._classes:
            copies = cls.phi.shape[0]
            sigma = rng.permutation(copies)
            elems = cls.group.sample_many(rng, copies)
            pc[cls.phi] = cls.phi[sigma][np.arange(copies)[:, None], elems]
        full = np.arange(self.n_states)
        full[self._core_idx] = self._core_idx[pc]
        _, order = _preorder(f, rng.permutation(self.n_states))
        off = f.start - f.start[f.root]
        return order[f.start[full[f.root]] + off]


def _tree_generators(f: _Forest) -> list[tuple[IntArray, IntArray]]:
    """Swaps and cycles of identical sibling subtrees."""
    out = []
    for grp in f.groups:
        blocks = [f.order[f.start[c]: f.start[c] + f.size[c]] for c in grp.tolist()]
        out.append((np.concatenate(blocks[:2]), np.concatenate(blocks[1::-1])))
        if len(blocks) >= 3:
            out.append((np.concatenate(blocks), np.concatenate(blocks[1:] + blocks[:1])))
    return out


def _core_generators(classes: list[_Class]) -> list[tuple[IntArray, IntArray]]:
    """Component automorphisms on one copy, plus copy swaps and cycles."""
    out = []
    for cls in classes:
        phi = cls.phi
        out += [(phi[0], phi[0][g]) for g in cls.group.gens]
        if phi.shape[0] >= 2:
            out.append((np.concatenate(phi[:2]), np.concatenate(phi[1::-1])))
        if phi.shape[0] >= 3:
            out.append((phi.ravel(), np.roll(phi, -1, axis=0).ravel()))
    return out


def _lift(f: _Forest, core_idx: IntArray, src: IntArray, dst: IntArray) -> tuple[
        IntArray, IntArray]:
    """Extend a core permutation (sparse, core indices) canonically to the trees."""
    full = np.arange(f.core.size)
    full[core_idx[src]] = core_idx[dst]
    moved = np.zeros(f.core.size, dtype=bool)
    moved[core_idx[src]] = True
    nodes = np.flatnonzero(moved[f.root])
    off = f.start[nodes] - f.start[f.root[nodes]]
    return nodes, f.order[f.start[full[f.root[nodes]]] + off]


def _essential(mp: IntArray) -> IntArray:
    """Drop identity and repeated maps (they do not change the group)."""
    if not mp.shape[1]:
        return mp[:1]
    # np.unique(mp, axis=0) views each row as one record with N fields: slow for large N
    distinct = {row.tobytes(): row for row in mp}
    keep = np.array(sorted(distinct.values(), key=lambda row: row.tolist()), dtype=mp.dtype)
    moving = keep[np.any(keep != np.arange(mp.shape[1]), axis=1)]
    return moving if moving.shape[0] else keep[:1]


def automorphism_group(maps: Sequence[Any], *, colours: Any = None) -> AutomorphismGroup:
    """Group of state permutations commuting with every map (and keeping colours).

    Parameters
    ----------
    maps : sequence of array_like of int
        ``maps[j][s]`` is the image of state ``s`` under mechanism ``j``.
    colours : array_like of int, optional
        Initial state colours that every permutation must preserve.

    Returns
    -------
    AutomorphismGroup
        Order, generators, orbits, membership and uniform sampling.

    Raises
    ------
    SpecError
        If a map value is not a state index, or shapes disagree.

    Examples
    --------
    >>> import numpy as np
    >>> automorphism_group([np.arange(8) // 2]).order
    8
    >>> automorphism_group([np.zeros(5, dtype=int)]).order
    24
    """
    mp, col = _validate(maps, colours)
    n = mp.shape[1]
    forest = _build_forest(_essential(mp), col)
    core_idx = np.flatnonzero(forest.core)
    loc = np.full(n, -1, dtype=np.int64)
    loc[core_idx] = np.arange(core_idx.size)
    mc = loc[_essential(mp)[:, core_idx]]
    rc = _refine(mc, dense_ranks(forest.childhash[core_idx], col[core_idx]), max_rounds=64)
    classes = _core_classes(mc, rc)
    order = forest.tree_order
    for cls in classes:
        copies = cls.phi.shape[0]
        order *= cls.group.order ** copies * math.factorial(copies)
    sparse = [_lift(forest, core_idx, s, d) for s, d in _core_generators(classes)]
    sparse += _tree_generators(forest)
    return AutomorphismGroup(n, order, Generators(n, sparse), col, mp, forest, classes, core_idx)
