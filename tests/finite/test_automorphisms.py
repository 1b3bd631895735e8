"""Tests of the finite-state automorphism engine against a brute-force oracle."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from equivid.errors import SpecError
from equivid.finite import automorphism_group


def brute_force(maps: list[np.ndarray], colours: np.ndarray) -> set[tuple[int, ...]]:
    """All permutations commuting with the maps and preserving the colours."""
    n = maps[0].size
    found = set()
    for perm in itertools.permutations(range(n)):
        p = np.array(perm)
        if np.all(colours[p] == colours) and all(np.array_equal(p[m], m[p]) for m in maps):
            found.add(perm)
    return found


def random_system(rng: np.random.Generator, n: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Maps of mixed kinds (random, permutations, many-to-one, identity) and colours."""
    maps = []
    for _ in range(int(rng.integers(1, 4))):
        kind = int(rng.integers(0, 4))
        if kind == 0:
            maps.append(rng.integers(0, n, n))
        elif kind == 1:
            maps.append(rng.permutation(n))
        elif kind == 2:
            maps.append(rng.integers(0, max(1, n // 2), n))
        else:
            maps.append(np.arange(n))
    colours = rng.integers(0, 2, n) if rng.random() < 0.3 else np.zeros(n, dtype=int)
    return maps, colours


def elements(group, n: int) -> set[tuple[int, ...]]:
    """All elements of the sympy group, as tuples of length ``n``."""
    out = set()
    for e in group.as_permutation_group().elements:
        form = list(e.array_form)
        out.add(tuple(form + list(range(len(form), n))))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(60):
        n = int(rng.integers(1, 8))
        maps, colours = random_system(rng, n)
        group = automorphism_group(maps, colours=colours)
        truth = brute_force(maps, colours)
        assert group.order == len(truth), (maps, colours)
        assert all(tuple(g.tolist()) in truth for g in group.generators)
        if n <= 6:
            assert elements(group, n) == truth
        assert all(tuple(group.sample(rng).tolist()) in truth for _ in range(3))
        orbit_of = {s: {p[s] for p in truth} for s in range(n)}
        assert {tuple(sorted(o)) for o in orbit_of.values()} == set(group.orbits)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_generators_sound_on_larger_systems(k: int) -> None:
    rng = np.random.default_rng(100 + k)
    n = 1000
    maps = [rng.integers(0, n, n) for _ in range(k)]
    if k == 3:
        maps[2] = np.arange(n) // 3
    group = automorphism_group(maps)
    for g in group.generators[:200]:
        assert group.contains(g)
        assert all(np.array_equal(g[m], m[g]) for m in maps)
    for _ in range(5):
        assert group.contains(group.sample(rng))


def test_group_axioms() -> None:
    rng = np.random.default_rng(7)
    maps = [rng.integers(0, 40, 200)]
    maps[0][:40] = (np.arange(40) + 1) % 40
    group = automorphism_group(maps)
    identity = np.arange(200)
    assert group.contains(identity)
    a, b = group.sample(rng), group.sample(rng)
    assert group.contains(a[b])
    inverse = np.empty_like(a)
    inverse[a] = identity
    assert group.contains(inverse)
    assert not group.contains(np.roll(identity, 1)) or group.order > 1


def test_cyclic_shift() -> None:
    shift = (np.arange(12) + 1) % 12
    group = automorphism_group([shift])
    assert group.order == 12
    assert group.orbits == (tuple(range(12)),)


def test_shift_and_mirror_on_seven() -> None:
    shift = (np.arange(7) + 1) % 7
    mirror = (-np.arange(7)) % 7
    assert automorphism_group([shift, mirror]).order == 1


def test_identity_gives_symmetric_group() -> None:
    group = automorphism_group([np.arange(50)])
    assert group.order == math.factorial(50)
    assert isinstance(group.order, int)
    assert len(group.orbits) == 1


def test_torus() -> None:
    i, j = np.divmod(np.arange(90000), 300)
    maps = [300 * ((i + 1) % 300) + j, 300 * i + (j + 1) % 300]
    group = automorphism_group(maps)
    assert group.order == 90000
    assert all(group.contains(g) for g in group.generators)


def test_halving_tree() -> None:
    n = 2**16
    group = automorphism_group([np.arange(n) // 2])
    assert group.order == 2 ** (n // 2 - 1)
    assert group.contains(group.sample(np.random.default_rng(0)))


def test_colours_restrict() -> None:
    colours = np.array([0, 1, 0, 1])
    assert automorphism_group([np.arange(4)], colours=colours).order == 4


def test_bad_input() -> None:
    with pytest.raises(SpecError, match=r"mechanisms\[1\]: got 5"):
        automorphism_group([np.array([0, 1, 2]), np.array([0, 5, 1])])
    with pytest.raises(SpecError):
        automorphism_group([np.array([0, 1]), np.array([0])])
    with pytest.raises(SpecError):
        automorphism_group([np.array([0, 1])], colours=[0])
