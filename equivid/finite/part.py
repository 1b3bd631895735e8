"""Solver part: finite-state systems, permutations of the states (ansatz ``finite``).

The maps ``a`` of a finite state set with ``a∘m = m∘a`` for every mechanism are the
automorphisms of the functional digraph with one edge colour per mechanism
(docs/theory.md, "Finite state sets"). The mechanisms are evaluated into integer tables
(:mod:`equivid.finite.states`), the group is computed by :mod:`equivid.finite.automorphisms`
(generators and exact order, never a list of elements), every generator is
substituted back, and the group is named where it is recognisable. Markov kernels
(``{kernel: [[...], ...]}``, exact probabilities) go to :mod:`equivid.finite.kernels`: the
permutations with ``P[pi(s), pi(t)] == P[s, t]`` for every kernel, maps as 0/1 kernels.

Examples
--------
>>> from equivid.finite import finite_system
>>> from equivid.ansatz import Ansatz
>>> part = FinitePart()
>>> from equivid.solve.problem import Problem
>>> data = part.solve(Problem(finite_system({"i": 12}, {"step": "(Mod(i + 1, 12),)"}), Ansatz("finite"))).finite_group
>>> data.order, data.name, data.generator_maps()
(12, 'cyclic group C_12', ((Mod(i + 1, 12),),))
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from ..errors import SpecError, UnsupportedMechanismError, VerificationError
from ..mechanisms import System
from .automorphisms import AutomorphismGroup, automorphism_group
from .kernels import KernelGroup, deterministic_table, kernel_group
from .states import (
    IntArray,
    StatePermutation,
    StateSpace,
    evaluate,
    expression_for,
    map_table,
    mechanism_kernels,
    mechanism_tables,
)

# The solver's modules (and equivid.naming, which imports them) are imported where they are
# used: equivid.solve builds PARTS from FinitePart, and importing any module of equivid.solve
# runs that package first, so importing them here would be a circle for whoever imports this
# module before equivid.solve (equivid.groups does).
if TYPE_CHECKING:
    from ..solve._result import Solution
    from ..solve.problem import Problem

__all__ = ["FiniteGroup", "FinitePart", "finite_membership", "verify_generators"]

Map = tuple[sympy.Expr, ...]


@dataclass(frozen=True, eq=False)
class FiniteGroup:
    """The permutations of the states commuting with every mechanism, with its state space.

    ``group`` holds the generators (as state tables) and the exact order; the rest is
    derived from them: orbits as state tuples, maps written as expressions where a
    simple form fits (``Mod(i + c, n)``), membership, sampling and networkx exports.
    """

    space: StateSpace
    group: AutomorphismGroup | KernelGroup  # KernelGroup: Markov kernels (equivid.finite.kernels)
    mechanisms: tuple[str, ...]
    name: str | None = None

    @property
    def order(self) -> int:
        return self.group.order

    def element(self, perm: IntArray) -> Map | StatePermutation:
        """A permutation as expressions when a simple form fits, else as a :class:`StatePermutation`."""
        found = expression_for(perm, self.space)
        if found is not None:
            return found
        moved = np.flatnonzero(perm != np.arange(perm.size))
        return StatePermutation(perm.size, moved, np.asarray(perm[moved], dtype=np.int64))

    @cached_property
    def _generator_maps(self) -> tuple[Map | StatePermutation, ...]:
        gens = self.group.generators
        n = self.space.count
        out: list[Map | StatePermutation] = []
        for k in range(len(gens)):
            src, dst = gens.sparse(k)
            # a non-identity map of the simple forms moves at least half of the states
            out.append(self.element(gens[k]) if src.size >= n / 2 else StatePermutation(n, src, dst))
        return tuple(out)

    def generator_maps(self) -> tuple[Map | StatePermutation, ...]:
        """Each generator as expressions where a simple form fits, else as a sparse permutation."""
        return self._generator_maps

    def general_element(self) -> tuple[list[str], list[str], dict[str, str]]:
        """Components, parameter names and their ranges of a general element, for JSON.

        When the group is exactly the translations of the coordinates (a cyclic shift
        or a torus) every element is ``(Mod(i + k1, n1), ...)`` with integer ``k``;
        otherwise the element is written ``sigma(i, j)[c]``: ``sigma`` ranges over the
        group that ``generators`` generate (a finite group has no continuous parameters).
        """
        names = list(self.space.names)
        if self.order == 1:
            return names, [], {}
        if self.name and (self.name.startswith("translations of the torus") or self._is_translations()):
            params, comps, ranges = [], [], {}
            for name, size in zip(names, self.space.sizes):
                if size == 1:
                    comps.append(name)
                    continue
                k = f"k_{name}"
                params.append(k)
                ranges[k] = f"0..{size - 1}"
                comps.append(str(sympy.Mod(sympy.Symbol(name) + sympy.Symbol(k), size)))
            return comps, params, ranges
        args = ", ".join(names)
        return [f"sigma({args})[{c}]" for c in range(len(names))], ["sigma"], {"sigma": "the group generated by generators"}

    def _is_translations(self) -> bool:
        from ..naming import finite_translations

        return finite_translations(self)

    @cached_property
    def orbits(self) -> tuple[tuple[tuple[int, ...], ...], ...]:
        """Orbits of the states (those the learner cannot tell apart), as state tuples."""
        coords = np.stack(self.space.coordinates(), axis=1)
        return tuple(tuple(tuple(int(v) for v in coords[s]) for s in orbit) for orbit in self.group.orbits)

    def table(self, a: Any, system: System, *, field: str = "map") -> IntArray:
        return map_table(a, system, field=field)

    def sample(self, rng: Any = None) -> Map | StatePermutation:
        """A uniformly random element, drawn with ``rng``."""
        return self.element(self.group.sample(np.random.default_rng(rng)))

    def state_graph(self) -> Any:
        """The coloured functional digraph: nodes are state tuples (attribute ``orbit``),
        one edge per state and mechanism (attribute ``mechanism``)."""
        import networkx as nx

        coords = np.stack(self.space.coordinates(), axis=1).tolist()
        states = [tuple(c) for c in coords]
        labels = self.group.orbit_labels.tolist()
        graph = nx.MultiDiGraph()
        graph.add_nodes_from((s, {"orbit": lab}) for s, lab in zip(states, labels))
        if isinstance(self.group, KernelGroup):  # weighted edges, attribute ``weight`` (exact)
            for name, (src, dst, weights) in zip(self.mechanisms, self.group.kernels):
                graph.add_edges_from((states[u], states[v], {"mechanism": name, "weight": _rational(w)})
                                     for u, v, w in zip(src.tolist(), dst.tolist(), weights))
            return graph
        for name, row in zip(self.mechanisms, self.group.maps.tolist()):
            graph.add_edges_from((states[u], states[v], {"mechanism": name}) for u, v in enumerate(row))
        return graph

    def orbit_graph(self) -> Any:
        """The quotient by the orbits: one node per orbit (its smallest state, with the
        attribute ``states``), one edge per orbit and mechanism (well defined because
        every element commutes with every mechanism)."""
        import networkx as nx

        labels = self.group.orbit_labels
        reps = np.unique(labels)
        graph = nx.MultiDiGraph()
        for rep, states in zip(reps.tolist(), self.orbits):
            graph.add_node(self.space.state(rep), states=states, size=len(states))
        if isinstance(self.group, KernelGroup):  # the lumped chain: weight from a state to a whole orbit
            for name, (src, dst, weights) in zip(self.mechanisms, self.group.kernels):
                lumped: dict[tuple[int, int], Any] = {}
                for u, v, w in zip(src.tolist(), labels[dst].tolist(), weights):
                    if labels[u] == u:
                        lumped[u, v] = lumped.get((u, v), 0) + w
                graph.add_edges_from((self.space.state(r), self.space.state(t), {"mechanism": name, "weight": _rational(w)})
                                     for (r, t), w in lumped.items())
            return graph
        for name, row in zip(self.mechanisms, self.group.maps):
            images = labels[row[reps]]
            graph.add_edges_from(
                (self.space.state(r), self.space.state(t), {"mechanism": name})
                for r, t in zip(reps.tolist(), images.tolist())
            )
        return graph


class FinitePart:
    """Finite-state systems under the ``finite`` ansatz (permutations of the states)."""

    name = "finite"
    examined = False

    def matches(self, problem: Problem) -> bool:
        return problem.finite

    def solve(self, problem: Problem) -> Solution:
        """The group, or ``SpecError`` / ``UnsupportedMechanismError`` on what it cannot take."""
        from ..naming import finite_name
        from ..solve._result import FiniteSolution

        system, ansatz = problem.system, problem.ansatz
        if ansatz.kind != "finite":
            raise SpecError("ansatz", str(ansatz), "finite (a finite-state system has only permutations of its states)")
        if system.learner is not None:
            raise UnsupportedMechanismError("learner: hypothesis classes of finite-state mechanisms are not supported yet")
        for m in system.mechanisms:
            if m.noise is not None:
                raise UnsupportedMechanismError(
                    f"mechanisms.{m.name}: stochastic finite-state mechanisms (Markov kernels) are not supported yet"
                )
        space = StateSpace.of(system)
        stochastic = any(m.kernel is not None and deterministic_table(m.kernel) is None for m in system.mechanisms)
        group: AutomorphismGroup | KernelGroup
        if stochastic:  # Markov kernels: equivid.finite.kernels (verifies its generators on the exact kernels)
            group = kernel_group(mechanism_kernels(system))
        else:
            maps = mechanism_tables(system)
            group = automorphism_group(list(maps))
        names = tuple(m.name for m in system.mechanisms)
        data = FiniteGroup(space, group, names)
        data = FiniteGroup(space, group, names, finite_name(data))
        identity = tuple(space.symbols)
        what = ("weighted state digraph: P[pi(s), pi(t)] = P[s, t] for every kernel" if stochastic
                else "coloured functional digraph")
        notes = (f"complete: every permutation of the {space.count} states was searched (automorphisms of the {what})",)
        return FiniteSolution(
            latents=system.latents,
            ansatz=ansatz,
            general_element=(),
            parameters=(),
            identity=(),
            nonzero=(),
            lie_algebra=(),
            discrete=tuple(g for g in data.generator_maps() if isinstance(g, tuple) and g != identity),
            components=group.order,
            parts=(self.name, "verify"),
            notes=notes,
            finite_group=data,
        )


def _rational(w: Any) -> sympy.Rational:
    return sympy.Rational(w.numerator, w.denominator)


def verify_generators(group: AutomorphismGroup, maps: IntArray) -> None:
    """Substitute every generator back: ``g(m(s)) == m(g(s))`` wherever either side moves.

    Works on the sparse generators: only states that a generator moves, and their
    preimages under each map, can break the condition.
    """
    n = maps.shape[1]
    preimages = []
    for row in maps:
        order = np.argsort(row, kind="stable")
        starts = np.concatenate([[0], np.cumsum(np.bincount(row, minlength=n))])
        preimages.append((order, starts))
    for k in range(len(group.generators)):
        src, dst = group.generators.sparse(k)
        if np.unique(src).size != src.size or not np.array_equal(np.sort(src), np.sort(dst)):
            raise VerificationError(f"generator {k + 1} of the finite group is not a permutation")
        key = np.argsort(src)
        ssrc, sdst = src[key], dst[key]

        def g(x: IntArray, ssrc: IntArray = ssrc, sdst: IntArray = sdst) -> IntArray:
            at = np.clip(np.searchsorted(ssrc, x), 0, max(ssrc.size - 1, 0))
            hit = ssrc[at] == x if ssrc.size else np.zeros(x.size, dtype=bool)
            return np.where(hit, sdst[at] if ssrc.size else x, x)

        for row, (order, starts) in zip(maps, preimages):
            lengths = starts[src + 1] - starts[src]
            offsets = np.repeat(starts[src] - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
            states = np.concatenate([src, order[offsets]])
            if not np.array_equal(g(row[states]), row[g(states)]):
                raise VerificationError(f"generator {k + 1} of the finite group does not commute with every mechanism")


def finite_membership(data: FiniteGroup, a: Any, system: System) -> tuple[Map, bool, bool | None, bool | None]:
    """``(map, in_class, invertible, commutes)`` for a map of the states.

    ``in_class`` is False when ``a`` does not send every state to a state (an image out
    of range, or not an integer), and then the other two are None (not decided); a map
    that does not parse is a ``SpecError``.
    """
    listed = isinstance(a, list) and len(a) == data.space.count and len(a) != len(data.space.names)
    if isinstance(a, (str, list, tuple)) and not listed:
        components: Map | None = system.parse_map(a, field="map")
    else:
        components = None
        if listed:
            a = {"table": a}  # a list of state indices, one per state: the map's table
    try:
        if components is not None:
            table = evaluate(components, data.space, field="map")
        else:
            table = map_table(a, system, field="map")
    except SpecError:
        return (components or (), False, None, None)
    shown = components if components is not None else expression_for(table, data.space) or ()
    invertible = bool(np.unique(table).size == table.size)
    return (shown, True, invertible, data.group.commutes(table))  # a∘m = m∘a; A P = P A for kernels
