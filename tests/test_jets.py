"""Tests of equivid.solve.jets: isolated affine elements of non-polynomial mechanisms.

The oracles are independent of the module: float residuals of ``a(z) = Bz + c`` over
grids of matrices and shifts, compared with the membership the answer predicts.
"""

from __future__ import annotations

import doctest
import itertools
import math

import numpy as np
import pytest
import sympy

from equivid.errors import BudgetExceededError
from equivid.mechanisms import System
from equivid.solve import jets
from equivid.solve.jets import IsolatedSearch, isolated_affine_elements

PI = math.pi
POINTS = [(0.3, -0.7), (1.1, 0.4), (-0.9, 1.3), (2.2, -1.6)]


def _pendulum() -> System:
    return System.from_spec("latents: [theta, omega]\nflows: {pendulum: [omega, -sin(theta)]}")


def _float_residual(kind, V, B, c, z):
    """Max |a∘m - m∘a| (map) or |B V(z) - V(Bz + c)| (flow) at the point z."""
    B = np.asarray(B, dtype=float)
    c = np.asarray(c, dtype=float)
    z = np.asarray(z, dtype=float)
    moved = V(B @ z + c)
    pushed = B @ V(z) + (c if kind == "map" else 0.0)
    return float(np.max(np.abs(pushed - moved)))


def _commutes_float(kind, V, B, c) -> bool:
    return all(_float_residual(kind, V, B, c, z) < 1e-9 for z in POINTS)


def _structure(result: IsolatedSearch, latents):
    """(B, c0) of every element at k = 0 and the lattice vectors, as floats; also checks that
    each element is ``B z + c0 + sum k_j v_j`` as documented."""
    zero = {z: 0 for z in latents}
    vectors = [np.array([float((e - z).xreplace(zero)) for e, z in zip(v, latents)]) for v in result.lattice]
    classes = []
    for a in result.elements:
        ks = {k: 0 for k in result.integers}
        at0 = [e.xreplace(ks) for e in a]
        B = np.array([[float(sympy.diff(e, z)) for z in latents] for e in at0])
        c0 = np.array([float(e.xreplace(zero)) for e in at0])
        expected = sympy.Matrix(at0) + sum(
            (k * sympy.Matrix([e - z for e, z in zip(v, latents)]) for k, v in zip(result.integers, result.lattice)),
            sympy.zeros(len(latents), 1))
        assert all(sympy.expand(x - y) == 0 for x, y in zip(a, expected))
        classes.append((B, c0))
    return classes, vectors


def _predicted(classes, vectors, B, c) -> bool:
    B = np.asarray(B, dtype=float)
    c = np.asarray(c, dtype=float)
    for B0, c0 in classes:
        if not np.array_equal(B, B0):
            continue
        d = c - c0
        if not vectors:
            if np.max(np.abs(d)) < 1e-9:
                return True
            continue
        W = np.column_stack(vectors)
        y, *_ = np.linalg.lstsq(W, d, rcond=None)
        if np.max(np.abs(W @ y - d)) < 1e-9 and np.max(np.abs(y - np.round(y))) < 1e-9:
            return True
    return False


def _pendulum_V(z):
    return np.array([z[1], -math.sin(z[0])])


# -- 1. the pendulum -------------------------------------------------------------------------


def test_pendulum_finds_minus_identity_and_the_2pi_shift():
    """Affine maps with ``Da V = V∘a`` for ``V = (omega, -sin theta)``: ``(±theta + 2 pi k, ±omega)``."""
    system = _pendulum()
    theta, omega = system.latents
    result = isolated_affine_elements(system)
    (k1,) = result.integers
    assert k1.is_integer
    assert result.complete, result.reason
    assert result.orders == 4
    assert result.elements == ((theta + 2 * sympy.pi * k1, omega), (-theta + 2 * sympy.pi * k1, -omega))
    assert result.lattice == ((theta + 2 * sympy.pi, omega),)
    assert result.discrete_generators(system.latents) == ((-theta, -omega), (theta + 2 * sympy.pi, omega))
    assert (theta + sympy.pi, omega) not in result.elements + result.lattice
    assert not _commutes_float("flow", _pendulum_V, np.eye(2), [PI, 0])


def test_pendulum_matches_a_brute_force_float_oracle():
    system = _pendulum()
    result = isolated_affine_elements(system)
    classes, vectors = _structure(result, system.latents)
    shifts1 = [0, PI / 2, -PI / 2, PI, -PI, 2 * PI, -2 * PI, 4 * PI, 1.0]
    shifts2 = [0, 1.0, -PI]
    found = []
    for entries in itertools.product((-2, -1, 0, 1, 2), repeat=4):
        B = np.array(entries, dtype=float).reshape(2, 2)
        if abs(np.linalg.det(B)) < 0.5:
            continue
        for c in itertools.product(shifts1, shifts2):
            truth = _commutes_float("flow", _pendulum_V, B, c)
            assert truth == _predicted(classes, vectors, B, c), (B, c)
            if truth:
                found.append((tuple(entries), c))
    # exactly +-I with shifts 0, +-2 pi, 4 pi of theta
    assert sorted({b for b, _ in found}) == [(-1, 0, 0, -1), (1, 0, 0, 1)]
    assert {c for _, c in found} == {(0, 0), (2 * PI, 0), (-2 * PI, 0), (4 * PI, 0)}


def test_pendulum_linear_ansatz():
    system = _pendulum()
    theta, omega = system.latents
    result = isolated_affine_elements(system, constant=False)
    assert result.complete, result.reason
    assert result.elements == ((theta, omega), (-theta, -omega))
    assert result.lattice == () and result.integers == ()


def test_period_pi_merges_two_solutions_into_one_lattice():
    """``V = (omega, -sin(theta) cos(theta))`` has period pi in theta: the solutions
    ``cos c1 = 1`` and ``cos c1 = -1`` both give translations, and the lattice is ``pi Z``."""
    system = System.from_maps(["theta", "omega"], flows={"v": ["omega", "-sin(theta)*cos(theta)"]})
    theta, omega = system.latents
    result = isolated_affine_elements(system)
    (k1,) = result.integers
    assert result.complete, result.reason
    assert result.lattice == ((theta + sympy.pi, omega),)
    assert result.elements == ((theta + sympy.pi * k1, omega), (-theta + sympy.pi * k1, -omega))


def test_two_periods_give_their_common_multiple():
    """``sin(theta) + sin(theta/2)`` repeats after 4 pi only (an integer condition between the periods)."""
    system = System.from_maps(["theta", "omega"], flows={"v": ["omega", "-sin(theta) - sin(theta/2)"]})
    theta, omega = system.latents
    result = isolated_affine_elements(system)
    assert result.complete, result.reason
    assert result.lattice == ((theta + 4 * sympy.pi, omega),)
    V = lambda z: np.array([z[1], -math.sin(z[0]) - math.sin(z[0] / 2)])  # noqa: E731
    assert _commutes_float("flow", V, np.eye(2), [4 * PI, 0])
    assert not _commutes_float("flow", V, np.eye(2), [2 * PI, 0])


# -- 2. a map with sin: a continuous family ---------------------------------------------------


def test_sin_map_has_a_continuous_family():
    """``m(z) = (z1 + sin z2, z2)``. With ``a = Bz + c`` the second component of
    ``a∘m - m∘a`` is ``B21 sin z2`` (so ``B21 = 0``), the first is
    ``B11 sin z2 - sin(B22 z2 + c2)`` (``B12`` and ``c1`` cancel). So ``B22 = ±1`` and
    ``sin(±z2 + c2) = B11 sin z2``: ``(B11, B22, c2 mod 2 pi)`` is one of ``(1, 1, 0)``,
    ``(-1, -1, 0)``, ``(-1, 1, pi)``, ``(1, -1, pi)``, and ``B12, c1`` are free: a
    continuous family. The code reports it (complete=False, 'not zero-dimensional') and
    returns the four classes with ``B12 = c1 = 0``, each proved, and the 2 pi shift."""
    system = System.from_maps(["z1", "z2"], {"m": ["z1 + sin(z2)", "z2"]})
    z1, z2 = system.latents
    result = isolated_affine_elements(system)
    assert not result.complete
    assert "not zero-dimensional" in result.reason
    (k1,) = result.integers
    shift = 2 * sympy.pi * k1
    assert set(result.elements) == {
        (z1, z2 + shift), (-z1, -z2 + shift), (-z1, z2 + sympy.pi + shift), (z1, -z2 + sympy.pi + shift)}
    assert result.lattice == ((z1, z2 + 2 * sympy.pi),)
    m = lambda z: np.array([z[0] + math.sin(z[1]), z[1]])  # noqa: E731
    classes, _ = _structure(result, system.latents)
    for B, c0 in classes:
        for k in (-1, 0, 2):
            assert _commutes_float("map", m, B, c0 + np.array([0, 2 * PI * k]))
    assert _commutes_float("map", m, [[1, 1 / 3], [0, 1]], [5 / 7, 0])  # the free family
    assert not _commutes_float("map", m, [[1, 0], [0, 1]], [0, PI])


# -- 3. tanh: the signed permutations ------------------------------------------------------------


def test_tanh_gives_the_eight_signed_permutations():
    system = System.from_maps(["z1", "z2"], {"m": ["tanh(z1)", "tanh(z2)"]})
    z1, z2 = system.latents
    result = isolated_affine_elements(system)
    assert result.complete, result.reason
    assert result.lattice == () and result.integers == ()
    expected = {(s * a, t * b) for s in (1, -1) for t in (1, -1) for a, b in ((z1, z2), (z2, z1))}
    assert set(result.elements) == expected and len(result.elements) == 8
    assert result.elements[0] == (z1, z2)
    m = lambda z: np.tanh(z)  # noqa: E731
    classes, vectors = _structure(result, system.latents)
    hits = 0
    for entries in itertools.product((-1, 0, 1, 2), repeat=4):
        B = np.array(entries, dtype=float).reshape(2, 2)
        if abs(np.linalg.det(B)) < 0.5:
            continue
        for c in itertools.product((0, 0.5, -1.0), repeat=2):
            truth = _commutes_float("map", m, B, c)
            assert truth == _predicted(classes, vectors, B, c), (B, c)
            hits += truth
    assert hits == 8


# -- 4. exp: a continuous family --------------------------------------------------------------------


def test_exp_has_a_continuous_family_and_does_not_crash():
    """``m(z) = (z1, z2 + exp z1)``: ``(z1 + t, e^t z2 + b z1 + s)`` commutes for all real
    ``t, b, s`` (``B12 = 0``, ``B11 = 1``, ``B22 = e^{c1}``): not zero-dimensional."""
    system = System.from_maps(["z1", "z2"], {"m": ["z1", "z2 + exp(z1)"]})
    result = isolated_affine_elements(system)
    assert not result.complete
    assert "not zero-dimensional" in result.reason
    m = lambda z: np.array([z[0], z[1] + math.exp(z[0])])  # noqa: E731
    t = 0.3
    assert _commutes_float("map", m, [[1, 0], [0.5, math.exp(t)]], [t, -2.0])
    classes, _ = _structure(result, system.latents)
    for B, c0 in classes:
        assert _commutes_float("map", m, B, c0)


# -- 5. declined functions ---------------------------------------------------------------------------


@pytest.mark.parametrize("component, word", [("log(1 + z1**2)", "log"), ("erf(z1)", "erf")])
def test_unsupported_functions_are_declined(component, word):
    system = System.from_maps(["z1", "z2"], {"m": [component, "z2"]})
    result = isolated_affine_elements(system)
    assert not result.complete
    assert word in result.reason
    assert result.elements == () and result.lattice == ()


def test_solver_failures_and_budgets_are_reasons(monkeypatch):
    def broken(equations, gens):
        raise ValueError("simulated failure")

    monkeypatch.setattr(jets, "_solve_polynomial_system", broken)
    result = isolated_affine_elements(_pendulum())
    assert not result.complete and "simulated failure" in result.reason

    def exhausted(function, args, **kwargs):
        raise BudgetExceededError("solving did not finish within 1 s (the budget)")

    monkeypatch.setattr(jets, "within_budget", exhausted)
    result = isolated_affine_elements(_pendulum(), budget_seconds=1)
    assert not result.complete and "budget" in result.reason
    assert result.elements == ()


# -- 6. the proof step rejects wrong candidates ----------------------------------------------------------


def _with_bogus_solutions(original):
    """The real solver, plus two wrong solutions: cos(c1) = -1 (the map (theta + pi, omega))
    and B = diag(1, -1) (the map (theta, -omega))."""

    def solver(equations, gens):
        status, solutions = original(equations, gens)
        index = {g.name: i for i, g in enumerate(gens)}
        for s in list(solutions):
            if s[index["b1_1"]] == 1 and s[index["b2_2"]] == 1:
                shifted = list(s)
                shifted[index["cos1"]] = sympy.Integer(-1)
                flipped = list(s)
                flipped[index["b2_2"]] = sympy.Integer(-1)
                flipped[index["w"]] = sympy.Integer(-1)
                solutions = solutions + [tuple(shifted), tuple(flipped)]
                break
        else:  # pragma: no cover - the identity is always a solution
            raise AssertionError("no identity solution")
        solver.calls += 1
        return status, solutions

    solver.calls = 0
    return solver


def test_bogus_solutions_are_rejected_by_the_proof(monkeypatch):
    system = _pendulum()
    theta, omega = system.latents
    honest = isolated_affine_elements(system)
    solver = _with_bogus_solutions(jets._solve_polynomial_system)
    monkeypatch.setattr(jets, "_solve_polynomial_system", solver)
    result = isolated_affine_elements(system)
    # the child process ran the patched solver: its extra solutions reached the proof
    assert "4 complex solutions" in result.reason
    assert result.elements == honest.elements and result.lattice == honest.lattice
    assert result.complete
    at_zero = result.discrete_generators(system.latents)
    assert (theta + sympy.pi, omega) not in at_zero and (theta, -omega) not in at_zero


def test_without_the_proof_the_bogus_solutions_would_be_reported(monkeypatch):
    """The rejection above is the proof's doing: with a prover that accepts everything the
    bogus maps come out (so a search without the proof step fails the test above)."""
    system = _pendulum()
    theta, omega = system.latents
    monkeypatch.setattr(jets, "_solve_polynomial_system", _with_bogus_solutions(jets._solve_polynomial_system))
    monkeypatch.setattr(jets, "_check", lambda a, system: "proved")
    result = isolated_affine_elements(system)
    (k1,) = result.integers
    assert result.lattice == ((theta + sympy.pi, omega),)
    assert (theta + sympy.pi * k1, -omega) in result.elements


# -- internals with independent oracles -------------------------------------------------------------------


def test_integer_solutions_match_enumeration():
    from fractions import Fraction as Fr

    cases = [([[Fr(1, 2), Fr(-1)]], [Fr(0)]), ([[Fr(2), Fr(4)]], [Fr(1)]), ([[Fr(6), Fr(4)]], [Fr(2)]),
             ([[Fr(6), Fr(4)], [Fr(0), Fr(3)]], [Fr(2), Fr(3)]), ([[Fr(3), Fr(-2), Fr(1)]], [Fr(5)])]
    for A, b in cases:
        cols = len(A[0])
        box = range(-6, 7)
        truth = {k for k in itertools.product(box, repeat=cols)
                 if all(sum(a * x for a, x in zip(row, k)) == r for row, r in zip(A, b))}
        solved = jets._integer_solutions(A, b, cols)
        if solved is None:
            assert not truth
            continue
        k0, free = solved
        generated = set()
        for t in itertools.product(range(-15, 16), repeat=len(free)):
            k = tuple(k0[i] + sum(tj * col[i] for tj, col in zip(t, free)) for i in range(cols))
            assert all(sum(a * x for a, x in zip(row, k)) == r for row, r in zip(A, b))
            if all(abs(x) <= 6 for x in k):
                generated.add(k)
        assert generated == truth


def test_doctests():
    failures, _ = doctest.testmod(jets, optionflags=doctest.ELLIPSIS)
    assert failures == 0
