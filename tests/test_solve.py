"""Laws of the affine solver: soundness, completeness against an oracle, change of basis."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import equivid
from equivid.solve._verify import commutes, generates

Z = sympy.symbols("z1:9")


def system_of(mats, shifts=None, *, flows=False):
    """A system with linear parts ``mats`` and translation parts ``shifts``."""
    n = len(mats[0])
    latents = Z[:n]
    maps = {}
    for k, A in enumerate(mats):
        b = shifts[k] if shifts else [0] * n
        image = sympy.Matrix(A) * sympy.Matrix(latents) + sympy.Matrix(b)
        maps[f"m{k}"] = list(image)
    if flows:
        return equivid.System.from_maps([z.name for z in latents], flows=maps)
    return equivid.System.from_maps([z.name for z in latents], maps)


def oracle_dimension(system, ansatz):
    """Brute force: expand a∘m - m∘a with symbolic coefficients, take the solution set's dimension."""
    n = system.n
    latents = system.latents
    B = sympy.Matrix(n, n, sympy.symbols(f"b0:{n * n}"))
    c = sympy.Matrix(sympy.symbols(f"c0:{n}")) if ansatz == "affine" else sympy.zeros(n, 1)
    unknowns = list(B) + (list(c) if ansatz == "affine" else [])
    a = list(B * sympy.Matrix(latents) + c)
    equations = []
    for m in system.mechanisms:
        if m.is_flow:
            J = sympy.Matrix([[sympy.diff(e, z) for z in latents] for e in a])
            residual = J * sympy.Matrix(m.components) - sympy.Matrix(m.components).subs(dict(zip(latents, a)), simultaneous=True)
        else:
            inner = sympy.Matrix(m.components)
            residual = sympy.Matrix([e.subs(dict(zip(latents, inner)), simultaneous=True) for e in a]) - inner.subs(
                dict(zip(latents, a)), simultaneous=True
            )
        for e in residual:
            equations.extend(sympy.Poly(sympy.expand(e), *latents).coeffs())
    if not equations:
        return len(unknowns)
    M, rhs = sympy.linear_eq_to_matrix(equations, unknowns)
    return len(unknowns) - M.rank()


def jordan_dimension(blocks):
    """docs/theory.md: sum over eigenvalues of sum_{i,j} min(p_i, p_j)."""
    return sum(min(p, q) for sizes in blocks.values() for p in sizes for q in sizes)


def jordan_matrix(blocks):
    parts = []
    for eigenvalue, sizes in blocks.items():
        for size in sizes:
            J = sympy.eye(size) * eigenvalue
            for i in range(size - 1):
                J[i, i + 1] = 1
            parts.append(J)
    return sympy.diag(*parts)


def unimodular(n, rng):
    """A random integer matrix with determinant 1 (product of elementary matrices)."""
    P = sympy.eye(n)
    for _ in range(3 * n):
        i, j = rng.choice(n, size=2, replace=False)
        E = sympy.eye(n)
        E[i, j] = int(rng.integers(-2, 3))
        P = P * E
    return P


small_ints = st.integers(min_value=-3, max_value=3)


@st.composite
def affine_systems(draw, max_n=3):
    n = draw(st.integers(min_value=1, max_value=max_n))
    count = draw(st.integers(min_value=1, max_value=2))
    mats = [draw(st.lists(st.lists(small_ints, min_size=n, max_size=n), min_size=n, max_size=n)) for _ in range(count)]
    shifts = [draw(st.lists(small_ints, min_size=n, max_size=n)) for _ in range(count)]
    flows = draw(st.booleans())
    return system_of(mats, shifts, flows=flows)


@pytest.mark.parametrize(
    "spec, ansatz, dimension, name",
    [
        ("translation_single", "affine", 4, "affine maps z -> Bz + c with B(1, 0) = (1, 0)"),
        ("translations_two", "affine", 2, "translations R^2"),
        ("translation_family", "affine", 2, "translations R^2"),
        ("diagonal_scaling", "affine", 2, "diagonal scalings"),
        ("rotation_quarter", "linear", 2, "scaled rotations"),
        ("rotation_angle", "linear", 2, "scaled rotations"),
        ("scaling_and_push", "affine", 0, "trivial"),
        ("drift_flow", "affine", 4, "affine maps z -> Bz + c with B(1, 0) = (1, 0)"),
        ("jordan_blocks", "linear", 5, "commutant of the linear part of step"),
        ("nonderogatory", "linear", 3, "commutant of the linear part of step (polynomials in it)"),
        ("linear_flow", "affine", 2, "scaled rotations"),
    ],
)
def test_bundled_examples(spec, ansatz, dimension, name):
    from equivid.cli import EXAMPLES

    group = equivid.solve(equivid.load(EXAMPLES / f"{spec}.yaml"), ansatz=ansatz)
    assert (group.dimension, group.name) == (dimension, name)
    assert commutes(group.general_element, group.system)


def test_diagonal_scaling_components_are_sign_patterns():
    group = equivid.solve(system_of([[[2, 0], [0, 3]]]))
    assert group.components == 4
    assert set(group.discrete) == {(-Z[0], Z[1]), (Z[0], -Z[1])}
    assert group.conditions and not group.finite


def test_scaling_and_push_is_identified():
    group = equivid.solve(system_of([[[2, 0], [0, 3]], [[1, 0], [0, 1]]], [[0, 0], [1, 1]]))
    assert group.identifiable and group.finite and group.order == 1
    assert group.general_element == Z[:2]


def test_symbolic_constants_stay_exact():
    system = equivid.System.from_spec(
        "latents: [z1, z2]\nconstants: {theta: 1}\n"
        "mechanisms: {turn: [cos(theta)*z1 - sin(theta)*z2, sin(theta)*z1 + cos(theta)*z2]}\n"
    )
    assert sympy.cos(1) in system.mechanisms[0].components[0].atoms(sympy.cos)
    group = equivid.solve(system, ansatz="affine")
    assert group.dimension == 2 and group.name == "scaled rotations"


def test_sqrt_coefficients():
    s2 = sympy.sqrt(2)
    group = equivid.solve(system_of([[[s2, 0], [0, 1 + s2]]]), ansatz="linear")
    assert group.name == "diagonal scalings"


def test_gl_and_affine_group():
    identity = system_of([[[1, 0], [0, 1]]])
    assert equivid.solve(identity, ansatz="linear").name == "GL(2)"
    full = equivid.solve(identity, ansatz="affine")
    assert full.name == "affine group Aff(2)" and full.dimension == 6 and full.components == 2


def test_family_with_dependent_functions_is_refused():
    system = equivid.System.from_maps(
        ["z1"], {"m": ["z1 + sin(d)**2 + cos(d)**2"]}, families=["d"]
    )
    with pytest.raises(equivid.UnsupportedMechanismError, match="linearly dependent"):
        equivid.solve(system)


def test_nonpolynomial_mechanism_under_a_polynomial_ansatz_is_unsupported():
    system = equivid.System.from_maps(["z1"], {"m": ["tanh(z1)"]})
    with pytest.raises(equivid.UnsupportedMechanismError, match="mechanisms.m"):
        equivid.solve(system, ansatz="polynomial:2")
    with pytest.raises(NotImplementedError):
        equivid.solve(system, ansatz="polynomial:2")


@given(affine_systems(), st.sampled_from(["linear", "affine"]), st.integers(0, 2**32 - 1))
def test_soundness(system, ansatz, seed):
    """Every sampled element and every generator satisfies the commuting condition."""
    group = equivid.solve(system, ansatz=ansatz)
    for k in range(2):
        a = group.sample(rng=seed + k)
        assert group.contains(a)
        assert commutes(a, system)
    for X in group.lie_algebra:
        assert generates(X, system)
    for a in group.discrete:
        assert group.contains(a)


@given(affine_systems(), st.sampled_from(["linear", "affine"]))
def test_completeness_against_brute_force(system, ansatz):
    """The dimension equals the nullity of the brute-force coefficient system."""
    group = equivid.solve(system, ansatz=ansatz)
    assert group.dimension == oracle_dimension(system, ansatz)


@pytest.mark.parametrize(
    "blocks",
    [{2: [1], 3: [1]}, {1: [2, 1]}, {2: [2, 2]}, {5: [3, 1], -1: [1]}, {0: [2], 1: [1, 1]}, {2: [1, 1, 1]}],
    ids=str,
)
def test_jordan_block_formula(blocks):
    rng = np.random.default_rng(4)
    J = jordan_matrix(blocks)
    P = unimodular(J.rows, rng)
    A = P * J * P.inv()
    group = equivid.solve(system_of([A.tolist()]), ansatz="linear")
    assert group.dimension == jordan_dimension(blocks)


@given(affine_systems(max_n=3), st.integers(0, 2**32 - 1))
def test_change_of_basis_conjugates_the_group(system, seed):
    """Conjugating the mechanisms by P conjugates the group: P a P^-1 is in the new group."""
    rng = np.random.default_rng(seed)
    n = system.n
    P = unimodular(n, rng) if n > 1 else sympy.Matrix([[1]])
    P_inv = P.inv()
    z = sympy.Matrix(system.latents)

    def conjugate(components):
        inner = P_inv * z
        return list(P * sympy.Matrix([sympy.sympify(e).subs(dict(zip(system.latents, inner)), simultaneous=True) for e in components]))

    maps = {m.name: conjugate(m.components) if not m.is_flow else list(P * sympy.Matrix(m.components).subs(dict(zip(system.latents, P_inv * z)), simultaneous=True)) for m in system.mechanisms}
    kind = "flows" if system.mechanisms[0].is_flow else "maps"
    names = [s.name for s in system.latents]
    other = equivid.System.from_maps(names, **{kind: maps}) if kind == "flows" else equivid.System.from_maps(names, maps)
    group, image = equivid.solve(system), equivid.solve(other)
    assert group.dimension == image.dimension
    a = group.sample(rng=seed)
    assert image.contains([sympy.expand(e) for e in conjugate(a)])
