"""Groups of permutations of ``N`` states given by generators: the interface that
:class:`equivid.finite.AutomorphismGroup` (maps) and :class:`equivid.finite.KernelGroup`
(Markov kernels, edge-coloured digraphs) share.

A group holds its exact ``order``, its ``generators`` (stored sparsely) and the state
``colours`` every element keeps; orbits, the sympy group and the membership test's
permutation check are derived here from the generators, the rest (what an element must
keep, how to draw one uniformly) by each kind of group.

Examples
--------
>>> g = Generators.of(4, [np.array([1, 0, 2, 3]), np.array([0, 1, 3, 2])])
>>> len(g), g[1].tolist(), [m.tolist() for m in g.sparse(0)]
(2, [0, 1, 3, 2], [[0, 1], [1, 0]])
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, overload

import numpy as np
from numpy.typing import NDArray

from .partitions import is_permutation, partition_parts, smallest_member_labels

__all__ = ["Generators", "PermutationGroupBase"]

IntArray = NDArray[np.int64]


class Generators(Sequence[IntArray]):
    """Generators stored sparsely; indexing returns a full permutation array.

    Examples
    --------
    >>> g = Generators(3, [(np.array([0, 1, 2]), np.array([1, 2, 0]))])
    >>> len(g), g[0].tolist()
    (1, [1, 2, 0])
    """

    def __init__(self, n: int, sparse: list[tuple[IntArray, IntArray]]) -> None:
        self._n = n
        self._sparse = sparse

    @classmethod
    def of(cls, n: int, perms: Sequence[IntArray]) -> Generators:
        """Generators from full permutation arrays (each kept as its moved states and their images)."""
        sparse = []
        for p in perms:
            moved = np.flatnonzero(p != np.arange(p.size))
            sparse.append((moved, p[moved]))
        return cls(n, sparse)

    def __len__(self) -> int:
        return len(self._sparse)

    @overload
    def __getitem__(self, i: int) -> IntArray: ...

    @overload
    def __getitem__(self, i: slice) -> list[IntArray]: ...

    def __getitem__(self, i: int | slice) -> IntArray | list[IntArray]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        src, dst = self._sparse[i]
        perm = np.arange(self._n)
        perm[src] = dst
        return perm

    def __iter__(self) -> Iterator[IntArray]:
        return (self[i] for i in range(len(self)))

    def sparse(self, i: int) -> tuple[IntArray, IntArray]:
        """The moved points of generator ``i`` and their images."""
        return self._sparse[i]


@dataclass(frozen=True, eq=False)
class PermutationGroupBase(ABC):
    """A group of permutations of ``n_states`` states, given by generators.

    Attributes
    ----------
    n_states : int
        Number of states ``N``.
    order : int
        Exact group order.
    generators : Generators
        Generating permutations (sparse storage, full arrays on indexing).
    colours : numpy.ndarray
        Canonical state colours that every element keeps.

    Subclasses say what else an element keeps (:meth:`_keeps`), whether a map of the
    states commutes with what the group was built from (:meth:`commutes`) and how to
    draw a uniformly random element (:meth:`sample`).
    """

    n_states: int
    order: int
    generators: Generators
    colours: IntArray

    @cached_property
    def orbit_labels(self) -> IntArray:
        """Orbit label of every state (the smallest state of its orbit)."""
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        n = self.n_states
        pairs = [self.generators.sparse(i) for i in range(len(self.generators))]
        src = np.concatenate([np.arange(n)] + [p[0] for p in pairs])
        dst = np.concatenate([np.arange(n)] + [p[1] for p in pairs])
        graph = coo_matrix((np.ones(src.size, np.int8), (src, dst)), shape=(n, n))
        lab = np.asarray(connected_components(graph, directed=False)[1], dtype=np.int64)
        return smallest_member_labels(lab, n)

    @cached_property
    def orbits(self) -> tuple[tuple[int, ...], ...]:
        """The orbits as sorted tuples of states, ordered by smallest state."""
        return partition_parts(self.orbit_labels)

    def contains(self, perm: Any) -> bool:
        """Whether ``perm`` is an element: a permutation of the states keeping the colours and
        what the group was built from."""
        p = np.asarray(perm)
        if not is_permutation(p, self.n_states):
            return False
        return self._keeps(p.astype(np.int64))

    @abstractmethod
    def _keeps(self, p: IntArray) -> bool:
        """Whether the permutation ``p`` keeps the colours and what the group was built from."""

    @abstractmethod
    def commutes(self, table: Any) -> bool:
        """Whether the map ``table`` of the states (not necessarily a permutation) commutes
        with every mechanism the group was built from."""

    @abstractmethod
    def sample(self, rng: np.random.Generator) -> IntArray:
        """A uniformly random element."""

    def as_permutation_group(self) -> Any:
        """The group as a :class:`sympy.combinatorics.PermutationGroup`."""
        from sympy.combinatorics import Permutation, PermutationGroup

        gens = [Permutation(g.tolist()) for g in self.generators]
        return PermutationGroup(gens or [Permutation(list(range(self.n_states)))])
