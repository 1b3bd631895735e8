"""The shared interface of the groups of state permutations (equivid.finite.permutations):
maps and their 0/1 Markov kernels give the same group through either engine."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from equivid.finite import (
    AutomorphismGroup,
    KernelGroup,
    PermutationGroupBase,
    automorphism_group,
    kernel_group,
)


def zero_one_kernel(table: np.ndarray) -> list[list[int]]:
    """The 0/1 Markov kernel of a map: row ``s`` has its 1 at ``table[s]``."""
    n = table.size
    return [[int(table[s] == t) for t in range(n)] for s in range(n)]


@pytest.mark.parametrize("seed", range(6))
def test_both_kinds_answer_the_shared_interface_identically(seed):
    rng = np.random.default_rng(seed)
    n = 6
    maps = [rng.integers(0, n, n), (np.arange(n) + 2) % n if seed % 2 else rng.integers(0, n, n)]
    by_maps = automorphism_group(maps)
    by_kernels = kernel_group([zero_one_kernel(m) for m in maps])
    assert isinstance(by_maps, AutomorphismGroup) and isinstance(by_kernels, KernelGroup)
    for grp in (by_maps, by_kernels):
        assert isinstance(grp, PermutationGroupBase)
        assert grp.n_states == n
    assert by_maps.order == by_kernels.order == by_maps.as_permutation_group().order()
    assert by_kernels.as_permutation_group().order() == by_kernels.order
    assert by_maps.orbits == by_kernels.orbits
    assert by_maps.orbit_labels.tolist() == by_kernels.orbit_labels.tolist()
    for p in itertools.permutations(range(n)):
        assert by_maps.contains(np.array(p)) == by_kernels.contains(np.array(p))
    for table in (rng.integers(0, n, n) for _ in range(20)):  # maps that need not be permutations
        assert by_maps.commutes(table) == by_kernels.commutes(table)
    assert not by_maps.contains(np.zeros(n, dtype=int)) and not by_kernels.contains(np.zeros(n, dtype=int))
    for grp in (by_maps, by_kernels):  # samples are members; generators are sparse and full on indexing
        sample_rng = np.random.default_rng(seed)
        assert all(grp.contains(grp.sample(sample_rng)) for _ in range(5))
        assert all(grp.contains(g) for g in grp.generators)


def test_the_base_cannot_be_built_on_its_own():
    with pytest.raises(TypeError):
        PermutationGroupBase(1, 1, None, np.zeros(1, dtype=np.int64))  # type: ignore[abstract, arg-type]
