"""Finite-state systems: evaluation into tables, the permutation group, names, CLI/JSON."""

from __future__ import annotations

import itertools
import json
import math
import runpy
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import sympy

import equivid
from equivid.cli import main
from equivid.finite import StateSpace, evaluate, expression_for, finite_system, mechanism_tables

CASES = Path(__file__).resolve().parents[2] / "equivid" / "examples"  # copies of the public cases
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
i, j = sympy.symbols("i j")


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def brute_force(maps: np.ndarray) -> list[tuple[int, ...]]:
    """Every permutation of the states commuting with every map (the oracle)."""
    n = maps.shape[1]
    out = []
    for p in itertools.permutations(range(n)):
        q = np.array(p)
        if np.array_equal(q[maps], maps[:, q]):
            out.append(p)
    return out


# -- evaluation ------------------------------------------------------------------------------


EXPRESSIONS = {
    "mod": (sympy.Mod(i + 1, 4), j),
    "walls": (sympy.Max(i - 1, 0), sympy.Min(j + 1, 2)),
    "piecewise": (sympy.Piecewise((i + 1, i < 3), (0, True)), sympy.Mod(2 * j + i, 3)),
    "floor": (sympy.floor(i / 2), j),
    "constant": (sympy.Integer(3), sympy.Integer(0)),
    "swap-ish": (sympy.Mod(-i, 4), sympy.Mod(j - i, 3)),
}


@pytest.mark.parametrize("name", EXPRESSIONS)
def test_vectorised_evaluation_equals_per_state_substitution(name):
    components = EXPRESSIONS[name]
    space = StateSpace(("i", "j"), (4, 3))
    table = evaluate(components, space)
    expected = []
    for a, b in itertools.product(range(4), range(3)):
        image = [int(c.subs({i: a, j: b})) for c in components]
        expected.append(3 * image[0] + image[1])
    assert table.tolist() == expected


def test_states_are_lexicographic():
    system = finite_system({"i": 4, "j": 3}, {"up": "(i, Min(j + 1, 2))"})
    assert mechanism_tables(system)[0].tolist() == [1, 2, 2, 4, 5, 5, 7, 8, 8, 10, 11, 11]


def test_tables_in_spec_and_round_trip():
    system = equivid.System.from_spec("states: {i: 3}\nmechanisms:\n  step: {table: [1, 2, 0]}\n")
    assert system.ansatz == "finite"
    assert mechanism_tables(system).tolist() == [[1, 2, 0]]
    assert equivid.System.from_spec(equivid.spec.system_to_spec(system)) == system
    assert equivid.solve(system).order == 3


def test_digraph_input():
    G = nx.DiGraph()  # one edge per pair: an edge shared by mechanisms lists them all
    G.add_edges_from([("a", "b"), ("b", "c")], mechanism="step")
    G.add_edge("c", "a", mechanism=["step", "stay_a", "other"])
    G.add_edges_from([("a", "a"), ("b", "a")], mechanism=["stay_a", "other"])
    system = equivid.System.from_graph(G)
    assert system.states == (("s", 3),)
    assert sorted(m.name for m in system.mechanisms) == ["other", "stay_a", "step"]
    tables = {m.name: m.table for m in system.mechanisms}
    assert tables == {"step": (1, 2, 0), "stay_a": (0, 0, 0), "other": (0, 0, 0)}
    assert equivid.solve(system).identifiable


def test_multidigraph_input():
    G = nx.MultiDiGraph()
    G.add_edges_from([(0, 1), (1, 0)], mechanism="swap")
    G.add_edges_from([(0, 1), (1, 0)], mechanism="again")
    group = equivid.solve(equivid.System.from_graph(G))
    assert group.order == 2 and group.name == "cyclic group C_2"


@pytest.mark.parametrize(
    "graph, message",
    [
        (nx.Graph([(0, 1)]), "DiGraph"),
        (nx.DiGraph([(0, 1, {"mechanism": "m"})]), "state 1 has no image"),
        (nx.DiGraph([(0, 1, {"mechanism": "m"}), (1, 0, {})]), "'mechanism'"),
        (nx.MultiDiGraph([(0, 1, {"mechanism": "m"}), (0, 0, {"mechanism": "m"})]), "one image per state"),
    ],
    ids=["undirected", "missing-image", "no-attribute", "two-images"],
)
def test_bad_graphs(graph, message):
    with pytest.raises(equivid.SpecError, match=message):
        equivid.System.from_graph(graph)


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec, message",
    [
        ("states: {i: 4}\nmechanisms:\n  up: '(i + 1,)'\n", r"mechanisms\.up: got 'state \(3,\) -> \(4,\)'"),
        ("states: {i: 4}\nmechanisms:\n  half: '(i/2,)'\n", r"mechanisms\.half: got 'state \(1,\) -> \(0\.5,\)'"),
        ("states: {i: 2, j: 2}\nmechanisms:\n  m: '(i, j - 1)'\n", r"state \(0, 0\) -> \(0, -1\)"),
        ("states: {i: 3}\nmechanisms:\n  t: {table: [1, 2]}\n", r"mechanisms\.t\.table: got '2 entries'.*3 states"),
        ("states: {i: 3}\nmechanisms:\n  t: {table: [1, 2, 3]}\n", r"mechanisms\.t\.table: got 'state \(2,\) -> index 3'"),
        ("states: {i: 3}\nmechanisms:\n  t: {table: [1, 0.5, 0]}\n", r"mechanisms\.t\.table\[1\].*state 1"),
        ("latents: [z]\nmechanisms:\n  t: {table: [0]}\n", r"tables only for finite-state systems"),
    ],
    ids=["out-of-range", "non-integer", "negative", "short-table", "table-range", "table-float", "no-states"],
)
def test_bad_input_names_mechanism_and_state(spec, message):
    with pytest.raises(equivid.SpecError, match=message):
        equivid.solve(equivid.System.from_spec(spec))


def test_bad_input_exits_2_with_one_line(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text("states: {i: 4}\nmechanisms:\n  up: '(i + 1,)'\n")
    status, out, err = run(capsys, "analyze", str(path))
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "mechanisms.up" in err and "(3,)" in err


def test_other_ansatz_is_a_spec_error(capsys):
    with pytest.raises(equivid.SpecError, match="ansatz"):
        equivid.solve(equivid.load(CASES / "cycle_12.yaml"), ansatz="affine")
    status, _, err = run(capsys, "analyze", str(CASES / "cycle_12.yaml"), "--ansatz", "affine")
    assert status == 2 and "ansatz" in err


# -- the group ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(12))
def test_agrees_with_brute_force_on_small_random_tables(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 7))
    k = int(rng.integers(1, 4))
    maps = rng.integers(0, n, size=(k, n))
    system = finite_system({"s": n}, {f"m{q}": {"table": maps[q].tolist()} for q in range(k)})
    group = equivid.solve(system)
    oracle = brute_force(maps)
    assert group.order == len(oracle)
    assert group.as_permutation_group().order() == len(oracle)
    for p in oracle:
        assert group.contains(np.array(p))
    orbit_of = {s: {p[s] for p in oracle} for s in range(n)}
    assert all(set(s for (s,) in orbit) == orbit_of[orbit[0][0]] for orbit in group.orbits)


def test_public_case_cycle_12(capsys):
    status, out, err = run(capsys, "analyze", str(CASES / "cycle_12.yaml"), "--format", "json",
                           "--check", "(Mod(i + 5, 12),)", "--check", "(Mod(-i, 12),)")
    assert status == 0, err
    data = json.loads(out)
    assert (data["dimension"], data["finite"], data["order"], data["identifiable"]) == (0, True, 12, False)
    assert [c["member"] for c in data["checks"]] == [True, False]
    assert data["generators"] == [["Mod(i + 1, 12)"]]
    assert data["general_element"] == ["Mod(i + k_i, 12)"] and data["parameter_ranges"] == {"k_i": "0..11"}
    assert data["name"] == "cyclic group C_12"


def test_public_case_dihedral_7(capsys):
    status, out, err = run(capsys, "analyze", str(CASES / "dihedral_7.yaml"), "--format", "json",
                           "--check", "(Mod(i + 1, 7),)")
    assert status == 0, err
    data = json.loads(out)
    assert (data["finite"], data["order"], data["identifiable"], data["name"]) == (True, 1, True, "trivial")
    assert data["checks"][0]["member"] is False
    assert (data["general_element"], data["parameters"]) == (["i"], [])


def dihedral_regular(n: int) -> equivid.System:
    """D_n acting on itself: states r^i s^f, mechanisms = right multiplication by r and s."""
    return finite_system({"i": n, "f": 2}, {"r": f"(Mod(i + 1 - 2*f, {n}), f)", "s": "(i, 1 - f)"})


@pytest.mark.parametrize(
    "system, order, name",
    [
        (finite_system({"i": 7}, {"step": "(Mod(i + 2, 7),)"}), 7, "cyclic group C_7"),
        (dihedral_regular(5), 10, "dihedral group D_5"),
        (finite_system({"i": 4, "j": 3}, {"x": "(Mod(i + 1, 4), j)", "y": "(i, Mod(j + 1, 3))"}), 12,
         "translations of the torus Z_4 x Z_3"),
        (finite_system({"i": 4}, {"stay": "(i,)"}), 24, "symmetric group S_4"),
        (finite_system({"s": 6}, {"m": {"table": [1, 2, 0, 3, 4, 5]}}), 18,
         "cyclic group C_3 x symmetric group S_3"),
        (finite_system({"i": 2, "j": 2}, {"x": "(1 - i, j)", "y": "(i, 1 - j)"}), 4,
         "translations of the torus Z_2 x Z_2"),
        (finite_system({"i": 7}, {"step": "(Mod(i + 1, 7),)", "mirror": "(Mod(-i, 7),)"}), 1, "trivial"),
    ],
    ids=["cyclic", "dihedral", "torus", "symmetric", "product", "klein", "trivial"],
)
def test_names(system, order, name):
    group = equivid.solve(system)
    assert (group.order, group.name) == (order, name)
    assert group.as_permutation_group().order() == order
    assert name in group.verdict or (group.identifiable and "fully identifiable" in group.verdict)


def test_order_is_exact_when_astronomical():
    group = equivid.solve(finite_system({"s": 60}, {"reset": {"table": [0] * 60}}))
    assert group.order == math.factorial(59)
    assert isinstance(group.order, int)


def test_contains_sample_orbits_and_group_laws():
    system = finite_system({"i": 4, "j": 3}, {"x": "(Mod(i + 1, 4), j)", "y": "(i, Mod(j + 1, 3))"})
    group = equivid.solve(system)
    assert group.contains("(Mod(i + 3, 4), Mod(j + 2, 3))")
    assert not group.contains("(j, i)")  # leaves the states: not in the class
    assert not group.membership("(j, i)").in_ansatz
    assert not group.contains("(Mod(-i, 4), j)")
    assert len(group.orbits) == 1 and len(group.orbits[0]) == 12
    space = StateSpace.of(system)
    tables = []
    for seed in range(5):
        a = group.sample(rng=seed)
        assert group.contains(a)
        tables.append(equivid.finite.map_table(a, system))
    for p, q in itertools.product(tables, repeat=2):  # closed under composition and inverse
        assert group.contains(p[q]) and group.contains(np.argsort(p))
    assert expression_for(tables[0], space) is not None
    assert group.sample(rng=3) == group.sample(rng=3)


def test_orbits_are_indistinguishable_states():
    group = equivid.load(EXAMPLES.parent / "equivid" / "examples" / "gridworld.yaml")
    result = equivid.solve(group)
    assert result.name == "cyclic group C_5"
    assert result.orbits == tuple(tuple((x, y) for x in range(5)) for y in range(5))


def test_graph_exports():
    group = equivid.solve(finite_system({"i": 3}, {"reset": "(0,)"}))
    G = group.state_graph()
    assert G.number_of_nodes() == 3 and G.number_of_edges() == 3
    assert {d["mechanism"] for _, _, d in G.edges(data=True)} == {"reset"}
    assert G.nodes[(1,)]["orbit"] == G.nodes[(2,)]["orbit"] != G.nodes[(0,)]["orbit"]
    Q = group.orbit_graph()
    assert sorted(Q.nodes) == [(0,), (1,)]
    assert Q.nodes[(1,)]["states"] == ((1,), (2,))
    assert sorted((u, v) for u, v in Q.edges()) == [((0,), (0,)), ((1,), (0,))]


def test_continuous_groups_have_no_orbits():
    group = equivid.solve(equivid.System.from_maps(["z1"], {"push": ["z1 + 1"]}))
    with pytest.raises(equivid.UnsupportedMechanismError):
        _ = group.orbits


# -- JSON and reports --------------------------------------------------------------------------

DESIGN_KEYS = {"latents", "ansatz", "dimension", "finite", "order", "identifiable", "general_element",
               "parameters", "lie_algebra", "name", "verdict", "checks"}


def test_json_keys():
    # three 4-cycles (one per j): rotate each, permute the cycles: C_4 wr S_3, order 4^3 * 3!
    data = equivid.solve(finite_system({"i": 4, "j": 3}, {"right": "(Mod(i + 1, 4), j)"})).to_dict()
    assert DESIGN_KEYS <= set(data)
    assert (data["ansatz"], data["dimension"], data["order"], data["lie_algebra"]) == ("finite", 0, 384, [])
    assert data["general_element"] == ["sigma(i, j)[0]", "sigma(i, j)[1]"] and data["parameters"] == ["sigma"]
    assert data["latents"] == ["i", "j"] and data["orbit_count"] == 1
    json.dumps(data)


def test_table_generators_in_json():
    system = finite_system({"s": 6}, {"m": {"table": [1, 0, 3, 2, 4, 5]}})
    group = equivid.solve(system)
    data = group.to_dict()
    assert data["order"] == 2 * 2 * 2 * 2  # (C_2 wr S_2) x S_2
    cycles = [g["cycles"] for g in data["generators"] if isinstance(g, dict)]
    assert cycles and all(isinstance(c, list) for c in cycles)
    for g in group.generators:
        assert group.contains(g if isinstance(g, tuple) else np.asarray(g))
        assert group.contains(g)


@pytest.mark.parametrize("fmt", ["text", "markdown", "latex"])
def test_reports(capsys, fmt):
    status, out, err = run(capsys, "analyze", "cycle_12", "--format", fmt, "--check", "(Mod(i + 5, 12),)")
    assert status == 0, err
    assert "C_12" in out


def test_gridworld_example_runs(capsys):
    runpy.run_path(str(EXAMPLES / "gridworld.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "order 5" in out and ("saved" in out or "skipping the picture" in out)


def test_verification_rejects_a_generator_that_does_not_commute():
    from equivid.finite import automorphism_group
    from equivid.finite.part import verify_generators

    shift = np.array([1, 2, 3, 0])
    group = automorphism_group([shift])
    verify_generators(group, np.stack([shift]))
    with pytest.raises(equivid.VerificationError):
        verify_generators(group, np.stack([np.array([0, 0, 1, 2])]))


def test_a_plain_list_of_state_indices_is_read_as_a_table():
    # a list with one state index per state is the map's table (it was read as components,
    # failed to parse, and came back as "not a member": a wrong answer for S_3 on {1, 2, 3})
    group = equivid.solve(finite_system({"i": 4}, {"reset": {"table": [0, 0, 0, 0]}}))
    assert group.order == 6
    assert group.contains([0, 2, 3, 1]) and group.contains({"table": [0, 2, 3, 1]})
    assert not group.contains([1, 0, 2, 3])  # moves the state every state is reset to
    assert not group.contains([0, 0, 1, 2])  # not a bijection
    assert not group.contains([0, 1, 2, 7])  # an image that is not a state
    found = group.membership([0, 2, 1, 3])
    assert found.in_ansatz and found.invertible and found.commutes
    # with as many states as latent names, a list is still the components
    pair = equivid.solve(finite_system({"i": 2, "j": 2}, {"swap": "(j, i)"}))
    assert pair.contains(["j", "i"])
