"""Stochastic mechanisms (docs/theory.md#result-3-stochastic-mechanisms): mean maps commute, B eps has the law of eps."""

import itertools
import math

import numpy as np
import pytest
import sympy
from scipy import stats

import equivid
from equivid.cli import main

Z = sympy.symbols("z1 z2")


def walk(noise, mean="[z1, z2]"):
    return equivid.System.from_spec(f"latents: [z1, z2]\nmechanisms:\n  walk: {{map: {mean}, noise: {noise}}}\n")


# -- docs/theory.md rows -------------------------------------------------------------------------
def test_laplace_walk_gives_signed_permutations_and_translations():
    group = equivid.solve(walk("{law: laplace, scale: 1}"))
    assert (group.name, group.dimension, group.components) == ("signed permutations and translations R^2", 2, 8)
    assert group.contains("(1 - z2, z1)") and group.contains("(z1 + 2, -z2)")
    assert not group.contains("(3*z1/5 - 4*z2/5, 4*z1/5 + 3*z2/5)")


def test_gaussian_walk_gives_rotations_reflections_and_translations():
    group = equivid.solve(walk("{law: gaussian, cov: [[1, 0], [0, 1]]}"))
    assert (group.name, group.dimension, group.components) == ("orthogonal group O(2) and translations R^2", 3, 2)
    assert group.contains("(3*z1/5 - 4*z2/5, 4*z1/5 + 3*z2/5)") and group.contains("(z1 + 1, -z2)")
    assert not group.contains("(2*z1, z2)")


@pytest.mark.parametrize(
    "noise",
    ["{law: uniform, scale: 2}", "{law: generalized_normal, beta: 1}", "{law: student_t, nu: 3}"],
    ids=["uniform", "gennorm", "student"],
)
def test_iid_symmetric_non_gaussian_laws_give_signed_permutations(noise):
    group = equivid.solve(walk(noise))
    assert group.name == "signed permutations and translations R^2"


def test_generalized_normal_with_beta_2_is_gaussian():
    assert equivid.solve(walk("{law: generalized_normal, beta: 2}")).dimension == 3


def test_asymmetric_law_gives_permutations_only():
    group = equivid.solve(walk("{law: exponential, scale: 1}"))
    assert group.name == "permutations and translations R^2"
    assert group.contains("(z2, z1)") and not group.contains("(-z1, z2)")


def test_product_of_different_families_allows_no_permutation():
    group = equivid.solve(walk("{law: product, factors: [{law: laplace, scale: 1}, {law: uniform, scale: 1}]}"))
    assert group.name == "sign flips and translations R^2" and group.components == 4
    assert not group.contains("(z2, z1)") and not group.contains("(z2/2, 2*z1)")


# -- one scale family, different scales (Darmois-Skitovich: B e_j = s e_i with s eps_j ~ eps_i) ---
LAPLACE_1_2 = "{law: product, factors: [{law: laplace, scale: 1}, {law: laplace, scale: 2}]}"
EXPONENTIAL_1_3 = "{law: product, factors: [{law: exponential, scale: 1}, {law: exponential, scale: 3}]}"


def laplace_density(b):
    return lambda x: math.exp(-abs(x) / b) / (2 * b)


def exponential_density(b):
    return lambda x: math.exp(-x / b) / b if x >= 0 else 0.0


POINTS = [-3.1, -2.0, -1.0, -0.4, 0.3, 0.5, 1.0, 1.7, 2.0, 4.2]


def _same_law_after_scaling(s, p_source, p_target):
    """``s * X ~ Y`` for densities ``p_source`` of X and ``p_target`` of Y: the density of ``s * X``
    at x is ``p_source(x / s) / |s|`` (compared on a grid of points on both sides of 0)."""
    return all(math.isclose(p_source(x / s) / abs(s), p_target(x), rel_tol=1e-12, abs_tol=1e-15) for x in POINTS)


def _brute_force(densities, values):
    """Every 2 x 2 generalised permutation matrix with nonzero entries in ``values``, split into
    those that map eps (independent coordinates with ``densities``) to its own law and the others."""
    members, others = [], []
    for perm in itertools.permutations(range(2)):
        for entries in itertools.product(values, repeat=2):
            B = sympy.zeros(2, 2)
            for i, (j, s) in enumerate(zip(perm, entries)):
                B[i, j] = s
            # (B eps)_i = B[i, j] eps_j: it must have the law of eps_i, for each row i
            ok = all(_same_law_after_scaling(float(s), densities[j], densities[i]) for i, (j, s) in enumerate(zip(perm, entries)))
            (members if ok else others).append(B)
    return members, others


def _as_map(B):
    return tuple(B * sympy.Matrix(Z))


def test_laplace_coordinates_of_scales_1_and_2_are_swapped_with_factors_half_and_two():
    group = equivid.solve(walk(LAPLACE_1_2))
    assert group.contains("(z2/2, 2*z1)") and group.contains("(-z2/2, 2*z1)") and group.contains("(z2/2 + 1, -2*z1)")
    assert not group.contains("(z2, z1)") and not group.contains("(2*z2, z1/2)")
    assert group.name == "signed scaled permutations and translations R^2"
    assert "signed permutations" not in group.name and group.dimension == 2


def test_laplace_1_2_finite_part_is_the_brute_force_group_of_order_8():
    half = sympy.Rational(1, 2)
    values = [s * v for v in (half, 1, 2) for s in (1, -1)]
    members, others = _brute_force([laplace_density(1), laplace_density(2)], values)
    assert len(members) == 8
    group = equivid.solve(walk(LAPLACE_1_2))
    assert group.components == 8
    reps = {tuple(sympy.Matrix([[sympy.diff(e, z) for z in Z] for e in d])) for d in group.discrete}
    reps.add(tuple(sympy.eye(2)))
    assert reps == {tuple(B) for B in members}
    assert all(group.contains(_as_map(B)) for B in members)
    assert not any(group.contains(_as_map(B)) for B in others)


def test_exponential_coordinates_of_scales_1_and_3_are_swapped_with_positive_factors_only():
    # (B eps)_1 = s eps_2 with eps_2 ~ Exp(scale 3) has the law Exp(scale 1) iff s = 1/3 (by hand:
    # E[s eps_2] = 3 s = 1, and s > 0 keeps the support [0, oo)); likewise (B eps)_2 = 3 eps_1
    members, others = _brute_force([exponential_density(1), exponential_density(3)],
                                   [s * v for v in (sympy.Rational(1, 3), 1, 3) for s in (1, -1)])
    assert sorted(map(tuple, members)) == sorted([tuple(sympy.eye(2)), (0, sympy.Rational(1, 3), 3, 0)])
    group = equivid.solve(walk(EXPONENTIAL_1_3))
    assert group.components == 2 and group.name == "scaled permutations and translations R^2"
    assert group.contains("(z2/3, 3*z1)") and group.contains("(z2/3 + 5, 3*z1 - 1)")
    for outside in ["(3*z2, z1/3)", "(-z2/3, 3*z1)", "(-z2/3, -3*z1)", "(z2, z1)", "(-z1, z2)"]:
        assert not group.contains(outside), outside
    assert not any(group.contains(_as_map(B)) for B in others)


def test_the_scaled_swap_maps_laplace_1_2_noise_to_its_own_law_by_simulation():
    group = equivid.solve(walk(LAPLACE_1_2))
    assert group.contains("(z2/2, 2*z1)")
    B, _ = _affine(group.system.parse_map("(z2/2, 2*z1)"))
    rng = np.random.default_rng(11)
    eps = np.stack([rng.laplace(0, 1, 20000), rng.laplace(0, 2, 20000)], axis=1)
    fresh = np.random.default_rng(12)
    mapped = eps @ B.T
    assert stats.ks_2samp(mapped[:, 0], fresh.laplace(0, 1, 20000)).pvalue > 1e-4
    assert stats.ks_2samp(mapped[:, 1], fresh.laplace(0, 2, 20000)).pvalue > 1e-4
    swapped = eps[:, ::-1]  # the plain swap (z2, z1) changes the law
    assert stats.ks_2samp(swapped[:, 0], fresh.laplace(0, 1, 20000)).pvalue < 1e-6


def test_laplace_and_generalized_normal_with_beta_1_are_one_law():
    group = equivid.solve(walk("{law: product, factors: [{law: laplace, scale: 2}, {law: generalized_normal, beta: 1, scale: 2}]}"))
    assert group.components == 8 and group.contains("(z2, -z1)")


def test_product_with_a_gaussian_factor_keeps_its_signs_only():
    group = equivid.solve(walk("{law: product, factors: [{law: laplace}, {law: gaussian, scale: 1}]}"))
    assert group.dimension == 2 and group.components == 4 and group.contains("(-z1, -z2 + 3)")


def test_anisotropic_gaussian_and_a_rotation_mean():
    group = equivid.solve(walk("{law: gaussian, cov: [[2, 1], [1, 2]]}"))
    assert group.dimension == 3
    assert group.contains("(z2, z1)") and not group.contains("(-z2, z1)")  # B S B^T = S
    group = equivid.solve(walk("{law: gaussian, cov: [[1, 0], [0, 1]]}", mean="[2*z1, 3*z2]"))
    assert group.finite and group.order == 4 and group.name == "sign flips"


# -- law preservation, by simulation -------------------------------------------------------------
LAWS = {
    "laplace": ("{law: laplace, scale: 1}", lambda rng, size: rng.laplace(size=size)),
    "gaussian": ("{law: gaussian, cov: [[1, 0], [0, 1]]}", lambda rng, size: rng.normal(size=size)),
    "uniform": ("{law: uniform, scale: 1}", lambda rng, size: rng.uniform(-1, 1, size=size)),
    "exponential": ("{law: exponential, scale: 1}", lambda rng, size: rng.exponential(size=size)),
}
MEANS = {"identity": ("[z1, z2]", np.eye(2), np.zeros(2)), "push": ("[z1 + 1, z2]", np.eye(2), np.array([1.0, 0.0]))}


def _affine(a):
    B = np.array([[float(sympy.diff(e, z)) for z in Z] for e in a])
    c = np.array([float(e.subs({Z[0]: 0, Z[1]: 0})) for e in a])
    return B, c


@pytest.mark.parametrize("mean", list(MEANS))
@pytest.mark.parametrize("law", list(LAWS))
@pytest.mark.parametrize("seed", range(3))
def test_sampled_elements_map_transitions_to_transitions_of_the_same_law(law, mean, seed):
    """Sampled a: a(z') - m(a(z)) has the law of eps (two-sample KS per coordinate and on a projection)."""
    spec, draw = LAWS[law]
    text, A, b = MEANS[mean]
    group = equivid.solve(walk(spec, text))
    a = group.sample(rng=seed)
    B, c = _affine(a)
    rng = np.random.default_rng(100 + seed)
    z = rng.normal(size=(4000, 2)) * 3
    z_next = z @ A.T + b + draw(rng, (4000, 2))
    steps = (z_next @ B.T + c) - ((z @ B.T + c) @ A.T + b)  # a(z') - m(a(z))
    fresh = draw(np.random.default_rng(200 + seed), (4000, 2))
    for u in (np.array([1.0, 0.0]), np.array([0.0, 1.0]), np.array([0.6, 0.8])):
        assert stats.ks_2samp(steps @ u, fresh @ u).pvalue > 1e-4


@pytest.mark.parametrize("law", ["laplace", "uniform", "exponential"])
def test_a_rotation_outside_the_answer_changes_the_law_and_fails_the_exact_condition(law):
    spec, draw = LAWS[law]
    group = equivid.solve(walk(spec))
    rotation = "(3*z1/5 - 4*z2/5, 4*z1/5 + 3*z2/5)"
    assert not group.contains(rotation)
    B, _ = _affine(group.system.parse_map(rotation))
    rng = np.random.default_rng(7)
    steps = draw(rng, (20000, 2)) @ B.T
    assert stats.ks_2samp(steps[:, 0], draw(np.random.default_rng(8), 20000)).pvalue < 1e-6


@pytest.mark.parametrize("seed", range(6))
def test_random_affine_maps_fail_the_exact_condition(seed):
    group = equivid.solve(walk("{law: laplace, scale: 1}"))
    rng = np.random.default_rng(seed)
    e = [sympy.Rational(int(rng.integers(1, 9)), int(rng.integers(1, 4))) for _ in range(6)]
    assert not group.contains((e[0] * Z[0] + e[1] * Z[1] + e[4], e[2] * Z[0] + e[3] * Z[1] + e[5]))


# -- bad noise specs ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "noise, where",
    [
        ("{law: gaussian, cov: [[1, 2], [0, 1]]}", "mechanisms.walk.noise.cov"),
        ("{law: gaussian, cov: [[1, 2], [2, 1]]}", "mechanisms.walk.noise.cov"),
        ("{law: gaussian, cov: [[1, 0]]}", "mechanisms.walk.noise.cov"),
        ("{law: laplace, scale: -1}", "mechanisms.walk.noise.scale"),
        ("{law: uniform, scale: 0}", "mechanisms.walk.noise.scale"),
        ("{law: cauchyish}", "mechanisms.walk.noise.law"),
        ("{law: student_t}", "mechanisms.walk.noise.nu"),
        ("{law: laplace, shape: 2}", "mechanisms.walk.noise.shape"),
        ("{law: product, factors: [{law: laplace}]}", "mechanisms.walk.noise.factors"),
    ],
)
def test_bad_noise_is_a_spec_error_and_exits_2_with_one_line(tmp_path, capsys, noise, where):
    with pytest.raises(equivid.SpecError, match=where.replace(".", r"\.")):
        equivid.solve(walk(noise))
    path = tmp_path / "s.yaml"
    path.write_text(f"latents: [z1, z2]\nmechanisms:\n  walk: {{map: [z1, z2], noise: {noise}}}\n")
    assert main(["analyze", str(path), "--format", "json"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and where in err and "Traceback" not in err


# -- the gallery ------------------------------------------------------------------------------------
GALLERY = ["slow_features_laplace", "contrastive_gaussian", "weak_supervision_sparse", "class_translations", "class_diagonal"]


@pytest.mark.parametrize("name", GALLERY)
def test_gallery_examples_run_and_name_the_result_they_reproduce(capsys, name):
    import runpy
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "examples" / f"{name}.py"
    runpy.run_path(str(path), run_name="__main__")
    out = capsys.readouterr().out
    assert "reproduces:" in out and "verdict:" in out
