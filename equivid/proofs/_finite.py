"""Sketches for finite-state systems: automorphisms of the coloured functional digraph.

Checked on the tables: every generator is a permutation with ``g[m] == m[g]``; the order
is recomputed with sympy's ``PermutationGroup``; completeness is re-derived where every
state is reachable from one root (an automorphism is then fixed by the root's image,
so trying every image finds the whole group), or by brute force over all permutations
of a few states.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from ..solve._result import finite_of
from ._base import SHOW, Step, combine, conclusion_step, run_check

if TYPE_CHECKING:
    from ..groups import EquivarianceGroup

__all__ = ["finite_steps"]

#: Brute force over all permutations up to this many states; the root argument up to this many.
BRUTE_FORCE_STATES = 7
ROOT_STATES = 2000
SYMPY_ORDER_STATES = 5000


def _root(maps: np.ndarray) -> int | None:
    """A state from which every state is reachable by words in the mechanisms."""
    n = maps.shape[1]
    for r in range(min(n, 64)):
        seen = np.zeros(n, dtype=bool)
        seen[r] = True
        queue = deque([r])
        while queue:
            s = queue.popleft()
            for row in maps:
                t = int(row[s])
                if not seen[t]:
                    seen[t] = True
                    queue.append(t)
        if seen.all():
            return r
    return None


def _extend(maps: np.ndarray, r: int, image: int) -> np.ndarray | None:
    """The automorphism with ``r -> image``, propagated along the mechanisms, or None."""
    n = maps.shape[1]
    a = np.full(n, -1, dtype=np.int64)
    a[r] = image
    queue = deque([r])
    while queue:
        s = queue.popleft()
        for row in maps:
            t, u = int(row[s]), int(row[a[s]])
            if a[t] == -1:
                a[t] = u
                queue.append(t)
            elif a[t] != u:
                return None
    if np.unique(a).size != n or not np.array_equal(a[maps], maps[:, a]):
        return None
    return a


def _count(maps: np.ndarray) -> int | str:
    """The number of permutations commuting with every map, re-derived independently."""
    n = maps.shape[1]
    r = _root(maps) if n <= ROOT_STATES else None
    if r is not None:
        return sum(1 for s in range(n) if _extend(maps, r, s) is not None)
    if n <= BRUTE_FORCE_STATES:
        return sum(1 for p in itertools.permutations(range(n))
                   if np.array_equal(np.asarray(p)[maps], maps[:, np.asarray(p)]))
    return f"no root reaches every state and {n} states are too many for brute force"


def _kernel_count(kernels: list[Any], n: int) -> int | str:
    if n > BRUTE_FORCE_STATES:
        return f"{n} states are too many for brute force over the permutations"
    count = 0
    for p in itertools.permutations(range(n)):
        if all(P[p[s]][p[t]] == P[s][t] for P in kernels for s in range(n) for t in range(n)):
            count += 1
    return count


def _consistency(system: Any, data: Any) -> Step:
    """``f(x') = m(f(x))`` on the states becomes ``a∘m = m∘a``: checked on the tables with random
    injective ``g`` (states to observations) and ``f`` (observations to states), ``a = f∘g``."""
    from ..finite import KernelGroup, mechanism_tables

    if isinstance(data.group, KernelGroup):
        return Step(
            "consistency", "Consistency in distribution of f with every Markov kernel P is P[a(s), a(t)] = P[s, t] "
            "for all states s, t, where a = f∘g",
            "The encoded chain f(g(s_t)) must be a Markov chain with the same kernel: P(f(g(s')) = f(g(t)) | s) = "
            "P(s -> t) for an injective f∘g (docs/theory.md, results 1 and 3).", (), True,
            ("a relabelling of the states by a permutation a carries the kernel P to P[a^(-1)(.), a^(-1)(.)]; "
             "equality is the stated condition (definition)",))
    maps = mechanism_tables(system)
    n = maps.shape[1]
    rng = np.random.default_rng(0)

    def check() -> bool | str:
        for _ in range(3):
            g = rng.permutation(n) + 100  # observations: other labels
            back = np.empty(n + 100, dtype=np.int64)
            back[g] = np.arange(n)
            f = back[rng.permutation(np.arange(100, 100 + n)) ]
            full = np.empty(n + 100, dtype=np.int64)
            full[np.arange(100, 100 + n)] = f
            a = full[g]
            learner = np.array_equal(full[g[maps]], maps[:, full[g]])
            condition = np.array_equal(a[maps], maps[:, a])
            if learner != condition:
                return "the two conditions disagree"
        return True

    ok, reason = run_check(check, "tables")
    return Step(
        "consistency", "Consistency of the encoder f with every mechanism m is a∘m = m∘a on the states, where a = f∘g",
        "With x = g(s) and x' = g(m(s)), f(x') = m(f(x)) reads f(g(m(s))) = m(f(g(s))) (docs/theory.md#result-1-exact-mechanisms).",
        (), ok, ("on the tables, f(g(m(s))) = m(f(g(s))) for all s exactly when a = f∘g commutes with m "
                 "(random injective f, g)",) if ok else (), reason)


def finite_steps(group: EquivarianceGroup) -> list[Step]:
    from ..finite import KernelGroup

    system = group.system
    data = finite_of(group.solution)
    space = data.space
    n = space.count
    steps = [_consistency(system, data)]
    steps.append(Step(
        "ansatz", f"Search a among all permutations of the {n} states ({space.ranges()})",
        "A consistent encoder is injective on the states, so a = f∘g is a permutation of the finite state set; "
        "every permutation is searched (no ansatz restricts it).", (), True,
        (f"{n} = " + " x ".join(str(s) for s in space.sizes) + " states",),
    ))
    kernel = isinstance(data.group, KernelGroup)
    objects: list[tuple[str, Any]] = []
    for m in system.mechanisms[:4]:
        if m.components:
            objects.append((m.name, sympy.Eq(sympy.Function(m.name)(*space.symbols), sympy.Tuple(*m.components), evaluate=False)))
        else:
            objects.append((m.name, "a table of " + str(n) + (" rows (Markov kernel)" if m.kernel is not None else " images")))
    if kernel:
        claim = (f"a∘P = P∘a on distributions: P[a(s), a(t)] = P[s, t] for all {n} x {n} pairs of states and every "
                 f"one of {len(system.mechanisms)} kernel(s)")
        just = "A permutation a of the states conjugates each Markov kernel to itself (docs/theory.md#finite-state-sets)."
    else:
        claim = (f"a(m(s)) = m(a(s)) for every state s and mechanism m: {n * len(system.mechanisms)} equations, "
                 "i.e. a is an automorphism of the functional digraph with one edge colour per mechanism")
        just = "The mechanisms are evaluated into integer tables on the states (lexicographic order)."
    from ..finite import mechanism_tables

    def tables() -> bool | str:
        if kernel:
            return True
        maps = mechanism_tables(system)
        return (maps.shape == (len(system.mechanisms), n) and bool(((maps >= 0) & (maps < n)).all())) or "bad tables"

    ok, reason = run_check(tables, "tables")
    steps.append(Step("equations", claim, just, tuple(objects), ok,
                      ("every mechanism maps the state set into itself (tables)",) if ok else (), reason))
    gens = data.group.generators
    results = []
    shown: list[tuple[str, Any]] = []
    from ..finite import StatePermutation

    maps = None if kernel else mechanism_tables(system)
    for k in range(len(gens)):
        g = np.asarray(gens[k])
        results.append(run_check(lambda g=g: np.unique(g).size == n or "not a permutation", f"generator {k + 1}"))
        if maps is not None:
            results.append(run_check(lambda g=g: bool(np.array_equal(g[maps], maps[:, g])) or "does not commute",
                                     f"generator {k + 1}"))
        else:
            results.append(run_check(lambda g=g: bool(data.group.commutes(g)) or "does not commute", f"generator {k + 1}"))
    for k, gmap in enumerate(data.generator_maps()[:SHOW]):
        shown.append((f"g{k + 1}", sympy.Tuple(*gmap) if not isinstance(gmap, StatePermutation)
                      else "cycles " + " ".join("(" + " ".join(map(str, c)) + ")" for c in gmap.cycles()[:SHOW])))

    def order() -> bool | str:
        if n > SYMPY_ORDER_STATES:
            return f"{n} states: sympy's order computation is skipped"
        from sympy.combinatorics import Permutation, PermutationGroup

        if not len(gens):
            return group.order == 1 or "no generators but order != 1"
        G = PermutationGroup([Permutation(np.asarray(gens[k]).tolist()) for k in range(len(gens))])
        return int(G.order()) == group.order or f"sympy finds order {G.order()}"

    results.append(run_check(order, "order"))

    def complete() -> bool | str:
        if kernel:
            if any(m.kernel is None for m in system.mechanisms):
                return "maps and kernels mixed: not re-derived"
            rows = [m.kernel for m in system.mechanisms]
            found = _kernel_count(rows, n)
        else:
            found = _count(maps) if maps is not None else "no tables"
        if isinstance(found, str):
            return found
        return found == group.order or f"re-derived order {found}"

    results.append(run_check(complete, "completeness"))
    ok, reason = combine(results)
    how = ("the root argument: every state is reachable from one state, so an automorphism is fixed by that state's "
           "image; each image was tried" if not kernel else "brute force over all permutations of the states")
    steps.append(Step(
        "solution", f"The automorphisms form a group of order {group.order} generated by {len(gens)} permutation(s)",
        "Computed by refinement along the mechanisms (equivid.finite); re-derived here by " + how + ".",
        tuple(shown), ok,
        ("every generator is a permutation commuting with every mechanism (tables)",
         "sympy's PermutationGroup of the generators has the reported order",
         "the order re-derived independently (" + how + ") is the same: no automorphism is missed") if ok else (),
        reason,
    ))
    orbits = data.orbits
    steps.append(Step(
        "discrete", f"The group acts with {len(orbits)} orbit(s) on the states; states in one orbit cannot be told apart",
        "A finite group is all discrete: its generators above represent it.",
        tuple(("orbit", "{" + ", ".join(str(s) for s in o[:SHOW]) + (", ..." if len(o) > SHOW else "") + "}")
              for o in orbits if len(o) > 1)[:4], True,
        (f"the orbits partition the {n} states",) if sum(len(o) for o in orbits) == n else (),
    ) if sum(len(o) for o in orbits) == n else Step("discrete", "orbits", "", (), False, (), "orbits do not partition"))
    steps.append(conclusion_step(group, [run_check(lambda: group.order == data.order or "order", "order")]))
    steps.append(Step(
        "outside", "Nothing lies outside: every permutation of the states was searched",
        "The class searched is all bijections of the finite state set.", (), True,
        (f"the search space is the symmetric group on {n} states (order {math.factorial(n) if n <= 20 else 'n!'})",),
    ))
    return steps
