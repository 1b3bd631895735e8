"""The polynomial-system engine (issue 16, item 3): Singular beside sympy, checked against each
other, and every step of reading Singular's answer fed wrong output."""

from __future__ import annotations

import os
import stat

import pytest
import sympy

import equivid
from equivid.solve import _engine
from equivid.solve._engine import EngineError, parse, script
from equivid.solve._polynomial import _real_points, _solve

HAVE_SINGULAR = _engine.engine() is not None
needs_singular = pytest.mark.skipif(not HAVE_SINGULAR, reason="Singular is not installed (apt-get install singular)")

u = sympy.symbols("_u0:4")


def solve(mechanisms: dict[str, list[str]], engine: str, monkeypatch, ansatz: str = "affine", flows: bool = False):
    monkeypatch.setenv("EQUIVID_ENGINE", engine)
    names = sorted({s for comps in mechanisms.values() for c in comps for s in map(str, sympy.sympify(c).free_symbols)})
    system = (equivid.System.from_maps(names, flows=mechanisms) if flows else equivid.System.from_maps(names, mechanisms))
    return equivid.solve(system, ansatz=ansatz, cross_examine=False)


def elements(group) -> set[tuple[sympy.Expr, ...]]:
    return {tuple(sympy.expand(e) for e in a) for a in (tuple(group.general_element),) + tuple(group.discrete)}


SYSTEMS = [
    ({"sq": ["z1**2", "z2**2", "z3**2"]}, False),                       # S(3): 6 permutations
    ({"lv": ["x*(1 - x - 2*y)", "y*(1 - 2*x - y)"]}, True),             # identity and the swap
    ({"m": ["z1**2 + z2", "2*z2"]}, False),                             # a one-parameter family
    ({"m": ["z1*z2", "z2**2"]}, False),
]


@needs_singular
@pytest.mark.parametrize("mechanisms, flows", SYSTEMS)
def test_singular_and_sympy_give_the_same_group(mechanisms, flows, monkeypatch) -> None:
    # the second algorithm: sympy's solve on the whole system; the answers must agree exactly
    with_singular = solve(mechanisms, "singular", monkeypatch, flows=flows)
    with_sympy = solve(mechanisms, "sympy", monkeypatch, flows=flows)
    assert (with_singular.dimension, with_singular.components, with_singular.order) == (
        with_sympy.dimension, with_sympy.components, with_sympy.order)
    assert elements(with_singular) == elements(with_sympy)
    assert any("Singular" in note for note in with_singular.notes)
    assert not any("Singular" in note for note in with_sympy.notes)
    assert equivid.check(with_singular).ok


@needs_singular
def test_three_squares_are_the_six_permutations(monkeypatch) -> None:
    group = solve({"sq": ["z1**2", "z2**2", "z3**2"]}, "singular", monkeypatch)
    z = sympy.symbols("z1:4")
    import itertools

    assert elements(group) == {tuple(z[i] for i in p) for p in itertools.permutations(range(3))}
    assert group.order == 6 and group.complete


@needs_singular
def test_only_invertible_points_are_kept_by_the_engine() -> None:
    # a*b = 0 with det = a must keep only a != 0: b = 0 (the component a = 0 is dropped)
    a, b = sympy.symbols("a b")
    found, how = _solve([a * b, b**2 - b * a], [a, b], sympy.Matrix([[a]]))
    assert "invertible points only" in how
    assert found == [{b: 0}]


def test_the_program_adds_the_rabinowitsch_variable() -> None:
    a, b = sympy.symbols("a b")
    text = script([a * b - 1], [a, b], a + b)
    assert "ring R = 0, (u0, u1, u2), dp;" in text and "eliminate(L[c], u2)" in text
    assert "(1)*u0*u1+(-1)" in text  # a*b - 1, term by term
    assert "eliminate" not in script([a * b - 1], [a, b], None)


def test_irrational_coefficients_are_refused() -> None:
    a = sympy.Symbol("a")
    with pytest.raises(EngineError, match="not rational"):
        script([a**2 - sympy.sqrt(2)], [a], None)


# -- reading Singular's output: each check fed a wrong answer ------------------------------------
def test_parse_reads_components() -> None:
    out = "VERSION 4313\nCOMPONENT\nPOLY u0^2-u1\nPOLY 1/2*u1+3\nCOMPONENT\nPOLY u0\nDONE\n"
    assert parse(out, u[:2]) == ([[u[0] ** 2 - u[1], u[1] / 2 + 3], [u[0]]], "Singular 4.3.1")


@pytest.mark.parametrize("out, message", [
    ("COMPONENT\nPOLY u0+__import__('os')\nDONE\n", "unexpected output"),   # not a polynomial
    ("COMPONENT\nPOLY u0+u3\nDONE\n", "eliminated variable"),               # a variable not asked for
    ("COMPONENT\nPOLY u0\n", "stopped before"),                               # cut off
])
def test_parse_refuses_wrong_output(out, message) -> None:
    with pytest.raises(EngineError, match=message):
        parse(out, u[:2])


def fake_singular(tmp_path, body: str) -> str:
    path = tmp_path / "Singular"
    path.write_text("#!/bin/sh\ncat > /dev/null\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(tmp_path)


def test_a_failing_singular_falls_back_to_sympy_and_says_so(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", fake_singular(tmp_path, "echo '? error occurred' >&2\nexit 1\n") + os.pathsep + os.environ["PATH"])
    group = solve({"sq": ["z1**2", "z2**2"]}, "singular", monkeypatch)
    assert group.order == 2  # the identity and the swap, found by sympy
    assert any("Singular failed" in note for note in group.notes)


def test_a_truncated_answer_is_not_taken(tmp_path, monkeypatch) -> None:
    # Singular printed one component and stopped: read as a failure, not as the whole answer
    monkeypatch.setenv("PATH", fake_singular(tmp_path, "echo COMPONENT\necho 'POLY u0'\n") + os.pathsep + os.environ["PATH"])
    group = solve({"sq": ["z1**2", "z2**2"]}, "singular", monkeypatch)
    assert group.order == 2 and any("Singular failed" in note and "stopped" in note for note in group.notes)


def test_the_engine_variable_is_checked(monkeypatch) -> None:
    monkeypatch.setenv("EQUIVID_ENGINE", "maple")
    with pytest.raises(equivid.SpecError, match="EQUIVID_ENGINE"):
        _engine.engine()
    monkeypatch.setenv("EQUIVID_ENGINE", "sympy")
    assert _engine.engine() is None


# -- real points of complex components -----------------------------------------------------------
def test_real_points_of_a_complex_component() -> None:
    # u2 = I u5, u4 = -3 I u5: real only where u5 = 0 (then u0, u1 stay free)
    u0, u1, u2, u3, u4, u5 = sympy.symbols("_u0:6")
    found = _real_points({u2: sympy.I * u5, u3: -3 * u5, u4: -3 * sympy.I * u5}, [u0, u1, u2, u3, u4, u5])
    assert found == [{u2: 0, u3: 0, u4: 0, u5: 0}]
    assert _real_points({u2: sympy.I}, [u2]) == []  # no free unknown: no real point
    assert _real_points({u2: u5 + 1}, [u2, u5]) == [{u2: u5 + 1}]  # already real


def test_a_rotation_keeps_its_real_family_under_the_polynomial_ansatz(monkeypatch) -> None:
    # Singular's components over Q are complex (u4**2 + 9 u5**2 = 0): their real points are the
    # family, which an imaginary-part filter alone dropped (the identity went missing)
    for engine in (["singular"] if HAVE_SINGULAR else []) + ["sympy"]:
        monkeypatch.setenv("EQUIVID_ENGINE", engine)
        group = equivid.solve(equivid.System.from_maps(["z1", "z2"], {"turn": ["-z2", "z1"]}),
                              ansatz="polynomial:3", cross_examine=False)
        assert group.dimension == 2
