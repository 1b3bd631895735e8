"""Finite-state systems: states and tables, and the groups of permutations of the states.

- :mod:`~equivid.finite.states`: state spaces, mechanisms evaluated into integer tables
  (``finite_system``, ``mechanism_tables``, ``map_table``, ``StatePermutation``, ...);
- :mod:`~equivid.finite.permutations`: ``PermutationGroupBase``, the interface every
  group of state permutations has (order, generators, orbits, membership, sampling);
- :mod:`~equivid.finite.automorphisms`: ``automorphism_group`` of maps (coloured
  functional digraphs);
- :mod:`~equivid.finite.kernels`: ``kernel_group`` of exact Markov kernels
  (edge-coloured digraphs);
- :mod:`~equivid.finite.partitions`: refinement helpers the two searches share;
- :mod:`~equivid.finite.part`: the solver part ``FinitePart`` (imported by
  :mod:`equivid.solve`, not here).

Examples
--------
>>> system = finite_system({"i": 6}, {"step": "(Mod(i + 1, 6),)"})
>>> automorphism_group(list(mechanism_tables(system))).order
6
"""

from .automorphisms import AutomorphismGroup, automorphism_group
from .kernels import KernelGroup, coloured_digraph_group, kernel_group
from .permutations import Generators, PermutationGroupBase
from .states import (
    MAX_STATES,
    StatePermutation,
    StateSpace,
    evaluate,
    expression_for,
    finite_system,
    map_table,
    mechanism_kernels,
    mechanism_tables,
    state_sizes,
    system_from_graph,
)

__all__ = [
    "MAX_STATES",
    "AutomorphismGroup",
    "Generators",
    "KernelGroup",
    "PermutationGroupBase",
    "StatePermutation",
    "StateSpace",
    "automorphism_group",
    "coloured_digraph_group",
    "evaluate",
    "expression_for",
    "finite_system",
    "kernel_group",
    "map_table",
    "mechanism_kernels",
    "mechanism_tables",
    "state_sizes",
    "system_from_graph",
]
