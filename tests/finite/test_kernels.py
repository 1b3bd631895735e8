"""Markov kernels as finite-state mechanisms: parsing, the kernel group engine, the solver, CLI."""

from __future__ import annotations

import itertools
import json
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy

import equivid
from equivid.cli import main
from equivid.errors import BudgetExceededError, SpecError
from equivid.finite import automorphism_group, finite_system
from equivid.finite.kernels import (
    coloured_digraph_group,
    deterministic_table,
    kernel_edges,
    kernel_group,
)
from equivid.spec import system_from_spec, system_to_spec

EXAMPLES = Path(__file__).resolve().parents[2] / "equivid" / "examples"
F = Fraction


def ring(n: int, forward: Fraction, backward: Fraction, stay: Fraction) -> list[list[Fraction]]:
    return [[stay if s == t else forward if (t - s) % n == 1 else backward if (t - s) % n == n - 1 else F(0)
             for t in range(n)] for s in range(n)]


def as_spec(kernel: list[list[Fraction]]) -> list[list[str]]:
    return [[str(v) for v in row] for row in kernel]


def brute_order(kernels: list[list[list[Fraction]]]) -> int:
    n = len(kernels[0])
    return sum(all(K[p[s]][p[t]] == K[s][t] for K in kernels for s in range(n) for t in range(n))
               for p in itertools.permutations(range(n)))


# -- parsing ---------------------------------------------------------------------------------


SPEC = """
states: {i: 3}
mechanisms:
  walk: {kernel: [[1/2, 1/2, 0], [0, 1/2, 1/2], [1/2, 0, 1/2]]}
  stay: "(i,)"
"""


def test_kernel_spec_parses_exactly_and_round_trips():
    system = system_from_spec(SPEC)
    walk = system.mechanisms[0]
    assert walk.kernel[0] == (sympy.Rational(1, 2), sympy.Rational(1, 2), 0)
    assert all(isinstance(p, sympy.Rational) for row in walk.kernel for p in row)
    assert system_from_spec(system_to_spec(system)) == system


def test_yaml_floats_become_exact_with_one_exactness_warning():
    with pytest.warns(equivid.ExactnessWarning, match=r"walk\.kernel.*0\.5 read as the exact rational 1/2.*more"):
        system = system_from_spec("states: {i: 2}\nmechanisms:\n  walk: {kernel: [[0.5, 0.5], [0.25, 0.75]]}\n")
    assert system.mechanisms[0].kernel == ((F(1, 2), F(1, 2)), (F(1, 4), F(3, 4)))


BAD_KERNELS = {
    "row sum": ([[F(1, 2), F(1, 2), 0], [0, F(1, 2), F(1, 3)], [1, 0, 0]], r"walk\.kernel\[1\].*row sum 5/6"),
    "negative": ([[F(3, 2), F(-1, 2), 0], [0, 1, 0], [0, 0, 1]], r"walk\.kernel\[0\].*\[0, 1\]"),
    "rows": ([[1, 0, 0], [0, 1, 0]], r"walk\.kernel.*2 rows.*3 states"),
    "square": ([[1, 0, 0], [0, 1], [0, 0, 1]], r"walk\.kernel\[1\].*2 entries.*3 states"),
    "symbol": ([["x", 1, 0], [0, 1, 0], [0, 0, 1]], r"walk\.kernel\[0\]\[0\].*exact probability"),
    "irrational": ([["sqrt(2)/2", "1 - sqrt(2)/2", 0], [0, 1, 0], [0, 0, 1]], r"walk\.kernel\[0\]\[0\].*rational"),
    "not rows": ("1/2", r"walk\.kernel.*rows"),
}


@pytest.mark.parametrize("name", BAD_KERNELS)
def test_bad_kernels_name_the_mechanism_and_the_row(name):
    kernel, pattern = BAD_KERNELS[name]
    with pytest.raises(SpecError, match=pattern):
        finite_system({"i": 3}, {"walk": {"kernel": kernel}})


def test_kernel_needs_states():
    with pytest.raises(SpecError, match="kernels only for finite-state systems"):
        equivid.System.from_maps(["z"], {"walk": {"kernel": [[1]]}})


def test_kernel_with_other_keys_is_refused():
    with pytest.raises(SpecError, match="single key 'kernel'"):
        finite_system({"i": 1}, {"walk": {"kernel": [[1]], "noise": {}}})


# -- the engine ------------------------------------------------------------------------------


def test_lazy_ring_is_dihedral_and_drift_is_cyclic():
    lazy = ring(6, F(1, 4), F(1, 4), F(1, 2))
    drift = ring(6, F(2, 3), F(1, 3), F(0))
    assert kernel_group([lazy]).order == 12
    assert kernel_group([drift]).order == 6
    assert kernel_group([lazy, drift]).order == 6
    assert kernel_group([drift], state_colours=[1, 0, 0, 0, 0, 0]).order == 1


def test_zero_one_kernels_agree_with_the_deterministic_engine():
    rng = np.random.default_rng(5)
    for _ in range(40):
        n = int(rng.integers(1, 30))
        maps = [rng.integers(0, n, n) if rng.random() < 0.7 else (np.arange(n) + 1) % n
                for _ in range(int(rng.integers(1, 3)))]
        dense = [[[int(m[s] == t) for t in range(n)] for s in range(n)] for m in maps]
        expected = automorphism_group(maps).order
        assert kernel_group(dense).order == expected
        assert kernel_group([m.tolist() for m in maps]).order == expected  # tables are 0/1 kernels too
        assert [deterministic_table(k).tolist() for k in dense] == [m.tolist() for m in maps]


def test_generators_orbits_sample_and_membership():
    grp = kernel_group([ring(8, F(1, 4), F(1, 4), F(1, 2))])
    assert grp.order == 16 and grp.orbits == (tuple(range(8)),)
    shift, mirror = (np.arange(8) + 1) % 8, (-np.arange(8)) % 8
    assert grp.contains(shift) and grp.contains(mirror)
    assert not grp.contains(np.array([1, 0, 2, 3, 4, 5, 6, 7])) and not grp.contains(np.zeros(8, dtype=int))
    rng = np.random.default_rng(0)
    seen = {tuple(grp.sample(rng).tolist()) for _ in range(400)}
    assert len(seen) == 16  # uniform sampling reaches every element
    assert grp.as_permutation_group().order() == 16
    assert grp.commutes(shift) and not grp.commutes(np.zeros(8, dtype=int))


def test_commutes_for_non_invertible_maps():
    uniform = [[F(1, 2), F(1, 2)], [F(1, 2), F(1, 2)]]
    grp = kernel_group([uniform])
    assert grp.commutes(np.array([1, 0])) and not grp.commutes(np.array([0, 0]))
    absorbing = [[1, 0, 0], [F(1, 2), 0, F(1, 2)], [0, 0, 1]]  # 0 and 2 absorbing
    grp = kernel_group([absorbing])
    assert grp.order == 2
    assert grp.commutes(np.array([0, 1, 2])) and grp.commutes(np.array([2, 1, 0]))
    assert grp.commutes(np.array([0, 0, 0]))  # onto an absorbing state: A P = P A = "jump to 0"
    assert not grp.commutes(np.array([1, 1, 1]))


def test_refinement_uses_in_and_out_weights():
    # 0 -> 1 with 1/3, 0 -> 2 with 2/3: 1 and 2 differ only by the weight of their in-edge
    K = [[0, F(1, 3), F(2, 3)], [0, 1, 0], [0, 0, 1]]
    assert kernel_group([K]).order == brute_order([K]) == 1
    K = [[0, F(1, 2), F(1, 2)], [0, 1, 0], [0, 0, 1]]
    assert kernel_group([K]).order == brute_order([K]) == 2


def test_kernel_edges_colour_weight_vectors():
    n, src, dst, colour = kernel_edges([[[1, 0], [0, 1]], [[F(1, 2), F(1, 2)], [0, 1]]])
    assert n == 2 and src.tolist() == [0, 0, 1] and dst.tolist() == [0, 1, 1]
    assert len(set(colour.tolist())) == 3  # (1, 1/2), (0, 1/2), (1, 1) all differ


def test_exact_weights_are_required():
    with pytest.raises(SpecError, match="exact probability"):
        kernel_group([[[0.5, 0.5], [0.5, 0.5]]])
    with pytest.raises(SpecError, match="square"):
        kernel_group([[[1, 0], [0, 1]], [[1]]])


def test_budget_is_enforced():
    with pytest.raises(BudgetExceededError):
        coloured_digraph_group(6, range(6), [(s + 1) % 6 for s in range(6)], [0] * 6, budget=0)


def test_large_symmetric_groups_are_exact_without_enumeration():
    n = 60
    grp = kernel_group([[[F(1, n)] * n for _ in range(n)]])
    assert grp.order == math.factorial(n)
    blocks = [[F(1, 3) if s // 3 == t // 3 else F(0) for t in range(30)] for s in range(30)]
    assert kernel_group([blocks]).order == math.factorial(3) ** 10 * math.factorial(10)


# -- cross-check with bliss (python-igraph), tests only ---------------------------------------


def igraph_order(n: int, src, dst, colour) -> int:
    """Automorphisms of the edge-coloured digraph by bliss: each edge subdivided by a vertex
    coloured by the edge colour (states get colour 0)."""
    igraph = pytest.importorskip("igraph")
    mids = np.arange(n, n + len(src))
    edges = list(zip(src.tolist(), mids.tolist())) + list(zip(mids.tolist(), dst.tolist()))
    graph = igraph.Graph(n=n + len(src), edges=edges, directed=True)
    return int(graph.count_automorphisms(color=[0] * n + [int(c) + 1 for c in colour]))


@pytest.mark.parametrize("seed", range(12))
def test_orders_agree_with_bliss(seed):
    pytest.importorskip("igraph")
    rng = np.random.default_rng(seed)
    n = int(rng.integers(4, 40))
    kind = seed % 3
    if kind == 0:  # a random ring walk relabelled (cyclic or dihedral, or bigger)
        steps = {0: F(1, 2), 1: F(1, 4), n - 1: F(1, 4) if seed % 2 else F(0)}
        steps[0] += F(1, 4) - steps[n - 1]
        K = [[steps.get((t - s) % n, F(0)) for t in range(n)] for s in range(n)]
    elif kind == 1:  # random sparse weights with few values: symmetric pieces
        K = [[F(int(v), 2) for v in row] for row in (rng.random((n, n)) < 0.08) * rng.integers(1, 3, (n, n))]
    else:  # disjoint identical random blocks
        size = int(rng.integers(2, 5))
        block = rng.integers(0, 2, (size, size))
        K = np.kron(np.eye(n // size, dtype=int), block).tolist()
        n = len(K)
    sigma = rng.permutation(n)
    K = [[K[int(sigma[s])][int(sigma[t])] for t in range(n)] for s in range(n)]
    n_, src, dst, colour = kernel_edges([K])
    assert kernel_group([K]).order == igraph_order(n_, src, dst, colour)


# -- through equivid.solve and the CLI -----------------------------------------------------------


def test_solve_mixed_kernel_and_map():
    lazy = as_spec(ring(6, F(1, 4), F(1, 4), F(1, 2)))
    group = equivid.solve(finite_system({"i": 6}, {"walk": {"kernel": lazy}, "mirror": "(Mod(-i, 6),)"}))
    exact = [ring(6, F(1, 4), F(1, 4), F(1, 2)), [[int((-s) % 6 == t) for t in range(6)] for s in range(6)]]
    assert group.order == brute_order(exact) == 4
    assert group.contains("(Mod(-i, 6),)") and group.contains("(Mod(i + 3, 6),)")
    assert not group.contains("(Mod(i + 1, 6),)")


def test_solve_deterministic_kernel_uses_the_map_engine():
    cycle = [[int(t == (s + 1) % 5) for t in range(5)] for s in range(5)]
    group = equivid.solve(finite_system({"i": 5}, {"step": {"kernel": cycle}}))
    assert group.order == 5 and group.name == "cyclic group C_5"
    assert "functional digraph" in group.notes[0]


def test_solve_kernel_group_interface():
    group = equivid.solve(finite_system({"i": 6}, {"walk": {"kernel": as_spec(ring(6, F(2, 3), F(1, 3), F(0)))}}))
    assert group.finite and group.order == 6 and group.name == "cyclic group C_6"
    assert group.generators == ((sympy.Mod(sympy.Symbol("i") + 1, 6),),)
    assert group.orbits == (((0,), (1,), (2,), (3,), (4,), (5,)),)
    assert group.contains(group.sample(rng=3))
    assert "weighted state digraph" in group.notes[0]
    graph = group.state_graph()
    assert graph.number_of_edges() == 12
    assert {d["weight"] for _, _, d in graph.edges(data=True)} == {sympy.Rational(2, 3), sympy.Rational(1, 3)}
    quotient = group.orbit_graph()
    assert quotient.number_of_nodes() == 1
    assert sorted(d["weight"] for _, _, d in quotient.edges(data=True)) == [1]
    assert group.as_permutation_group().order() == 6


def test_cli_json_for_the_bundled_ring(capsys):
    status = main(["analyze", str(EXAMPLES / "markov_ring.yaml"), "--format", "json",
                   "--check", "(Mod(-i, 6),)", "--check", "(Mod(2*i, 6),)"])
    out, err = capsys.readouterr()
    assert status == 0, err
    data = json.loads(out)
    assert (data["order"], data["dimension"], data["finite"], data["name"]) == (12, 0, True, "dihedral group D_6")
    assert [c["member"] for c in data["checks"]] == [True, False]


def test_cli_bad_kernel_exits_2_with_one_line(tmp_path, capsys):
    spec = tmp_path / "bad.yaml"
    spec.write_text("states: {i: 2}\nmechanisms:\n  walk: {kernel: [[1/2, 1/2], [1/2, 1/3]]}\n")
    status = main(["analyze", str(spec)])
    out, err = capsys.readouterr()
    assert status == 2
    assert len(err.strip().splitlines()) == 1 and "walk.kernel[1]" in err and "Traceback" not in err
