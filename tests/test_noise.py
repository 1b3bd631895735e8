"""Stochastic mechanisms (THEORY.md, result 3): mean maps commute, B eps has the law of eps."""

import numpy as np
import pytest
import sympy
from scipy import stats

import equivid
from equivid.cli import main

Z = sympy.symbols("z1 z2")


def walk(noise, mean="[z1, z2]"):
    return equivid.System.from_spec(f"latents: [z1, z2]\nmechanisms:\n  walk: {{map: {mean}, noise: {noise}}}\n")


# -- THEORY.md rows -------------------------------------------------------------------------
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


def test_product_of_different_laws_allows_no_permutation():
    group = equivid.solve(walk("{law: product, factors: [{law: laplace, scale: 1}, {law: laplace, scale: 2}]}"))
    assert group.name == "sign flips and translations R^2" and not group.contains("(z2, z1)")


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
