"""Fitters against exact oracles: exact recovery of group elements, and optimality against
brute force over the group (all signed permutations, many random orthogonal maps)."""

import itertools

import numpy as np
import pytest

import equivid
from equivid.numeric import fitters as F
from equivid.numeric.models import group_model, outside_map

N = 3


def _data(seed=0, count=200, n=N):
    return np.random.default_rng(seed).standard_normal((count, n))


def _orthogonal(rng, n=N):
    Q, R = np.linalg.qr(rng.standard_normal((n, n)))
    return Q * np.sign(np.diag(R))


def _signed_permutations(n=N):
    for perm in itertools.permutations(range(n)):
        for signs in itertools.product([1.0, -1.0], repeat=n):
            B = np.zeros((n, n))
            B[range(n), perm] = signs
            yield B


def _error(fit, z, y):
    return float((fit.residuals(z, y) ** 2).sum())


EXACT = [
    ("identity", lambda z, y: F.fit_identity(z, y), np.eye(N), np.zeros(N)),
    ("translations", F.fit_translations, np.eye(N), np.array([1.0, -2.0, 0.5])),
    ("uniform", lambda z, y: F.fit_scalings(z, y, diagonal=False), -1.5 * np.eye(N), np.zeros(N)),
    ("diagonal+T", lambda z, y: F.fit_scalings(z, y, translations=True), np.diag([2.0, -0.5, 3.0]), np.array([1.0, 0.0, -1.0])),
    ("permutations", F.fit_permutations, np.eye(N)[[1, 2, 0]], np.zeros(N)),
    ("signed+T", lambda z, y: F.fit_permutations(z, y, signs=True, translations=True),
     np.diag([1.0, -1.0, -1.0])[[2, 0, 1]], np.array([0.5, 0.5, -3.0])),
    ("monomial", lambda z, y: F.fit_permutations(z, y, scales=True), np.diag([4.0, -0.25, 2.0])[[1, 2, 0]], np.zeros(N)),
    ("orthogonal+T", lambda z, y: F.fit_orthogonal(z, y, translations=True), _orthogonal(np.random.default_rng(3)),
     np.array([0.0, 1.0, 2.0])),
    ("similarity+T", lambda z, y: F.fit_orthogonal(z, y, translations=True, scaled=True),
     -2.5 * _orthogonal(np.random.default_rng(4)), np.array([1.0, 0.0, -1.0])),
    ("affine", F.fit_general, np.arange(9.0).reshape(3, 3) + np.eye(3), np.array([1.0, 2.0, 3.0])),
]


@pytest.mark.parametrize("name, fitter, B, c", EXACT, ids=[e[0] for e in EXACT])
def test_fitter_recovers_an_element_exactly(name, fitter, B, c):
    z = _data()
    fit = fitter(z, z @ B.T + c)
    np.testing.assert_allclose(fit.B, B, atol=1e-9)
    np.testing.assert_allclose(fit.c, c, atol=1e-9)
    assert F.r2_score(z @ B.T + c, fit.residuals(z, z @ B.T + c)) == pytest.approx(1.0)


@pytest.mark.parametrize("seed", range(5))
def test_signed_permutations_beat_brute_force(seed):
    rng = np.random.default_rng(seed)
    z = _data(seed)
    y = z @ rng.standard_normal((N, N)).T + rng.standard_normal(N)  # not in the group
    fit = F.fit_permutations(z, y, signs=True, translations=True)
    brute = F.fit_elements(z, y, [(B, np.zeros(N)) for B in _signed_permutations()], translations=True)
    assert _error(fit, z, y) == pytest.approx(_error(brute, z, y))


@pytest.mark.parametrize("seed", range(5))
def test_monomial_fit_beats_every_permutation_with_its_best_scales(seed):
    rng = np.random.default_rng(seed)
    z = _data(seed)
    y = z @ rng.standard_normal((N, N)).T
    fit = F.fit_permutations(z, y, scales=True)
    for perm in itertools.permutations(range(N)):
        best = F.fit_scalings(z[:, list(perm)], y)  # scalings after a fixed permutation
        assert _error(fit, z, y) <= _error(best, z[:, list(perm)], y) + 1e-9


@pytest.mark.parametrize("seed", range(3))
def test_procrustes_beats_random_orthogonal_maps(seed):
    rng = np.random.default_rng(seed)
    z = _data(seed)
    y = z @ rng.standard_normal((N, N)).T
    fit = F.fit_orthogonal(z, y)
    np.testing.assert_allclose(fit.B @ fit.B.T, np.eye(N), atol=1e-9)
    for _ in range(200):
        Q = _orthogonal(rng)
        assert _error(fit, z, y) <= float(((y - z @ Q.T) ** 2).sum()) + 1e-9
    special = F.fit_orthogonal(z, y, special=True)
    assert np.linalg.det(special.B) == pytest.approx(1.0)


@pytest.mark.parametrize("seed", range(3))
def test_similarity_fit_beats_scaled_random_orthogonal_maps(seed):
    rng = np.random.default_rng(seed)
    z = _data(seed)
    y = z @ rng.standard_normal((N, N)).T
    fit = F.fit_orthogonal(z, y, scaled=True)
    scale = np.sqrt(abs(np.linalg.det(fit.B))) ** (2 / N)
    np.testing.assert_allclose(fit.B @ fit.B.T, scale**2 * np.eye(N), atol=1e-9)
    for _ in range(100):
        Q = _orthogonal(rng)
        for s in (0.5, scale, 2.0):
            assert _error(fit, z, y) <= float(((y - s * z @ Q.T) ** 2).sum()) + 1e-9


def test_procrustes_in_a_metric_preserves_it():
    rng = np.random.default_rng(0)
    S = np.array([[2.0, 0.5, 0.0], [0.5, 1.0, 0.0], [0.0, 0.0, 3.0]])
    z = _data()
    fit = F.fit_orthogonal(z, z @ rng.standard_normal((N, N)).T, metric=S)
    np.testing.assert_allclose(fit.B @ S @ fit.B.T, S, atol=1e-9)


def test_span_fit_is_least_squares_over_the_span():
    rng = np.random.default_rng(0)
    z = _data(n=2)
    J = np.array([[0.0, -1.0], [1.0, 0.0]])
    dirs = [(np.eye(2), np.zeros(2)), (J, np.zeros(2))]
    y = z @ rng.standard_normal((2, 2)).T
    fit = F.fit_span(z, y, dirs)
    a, b = fit.B[0, 0], fit.B[1, 0]
    np.testing.assert_allclose(fit.B, a * np.eye(2) + b * J, atol=1e-12)
    for _ in range(100):  # no element of the span does better
        s, t = rng.standard_normal(2) + [a, b]
        assert _error(fit, z, y) <= float(((y - z @ (s * np.eye(2) + t * J).T) ** 2).sum()) + 1e-9


def test_undo_inverts_the_fitted_element():
    z = _data()
    fit = F.AffineFit("x", np.diag([2.0, 3.0, -1.0]), np.ones(N))
    np.testing.assert_allclose(fit.undo(fit(z)), z, atol=1e-12)


CASES = {
    "translations_two": ("translations", ["identity"]),
    "diagonal_scaling": ("diagonal scalings", ["uniform scalings", "identity"]),
    "rotation_quarter": ("span", ["uniform scalings", "identity"]),
    "laplace_walk": ("signed permutations", ["permutations and translations", "translations"]),
    "gaussian_walk": ("orthogonal", ["signed permutations and translations", "translations"]),
    "class_diagonal": ("monomial", ["diagonal scalings", "permutations", "identity"]),
    "translation_single": ("span", ["translations"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_group_models_of_bundled_examples(case):
    from equivid.cli import EXAMPLES

    group = equivid.solve(equivid.load(EXAMPLES / f"{case}.yaml"))
    model = group_model(group)
    kind, smaller = CASES[case]
    assert model.kind == kind
    assert [m.name for m in model.smaller] == smaller
    # the group's own elements fit exactly; the chosen outside map is outside (exact test)
    z = _data(n=2)
    from equivid.numeric.models import map_function

    for seed in range(3):
        y = map_function(group.sample(seed), group.latents)(z)
        assert F.r2_score(y, model.fit(z, y).residuals(z, y)) == pytest.approx(1.0)
    assert not group.contains(outside_map(group))


def test_finite_groups_have_no_numeric_fitter():
    from equivid.cli import EXAMPLES

    group = equivid.solve(equivid.load(EXAMPLES / "cycle_12.yaml"))
    with pytest.raises(equivid.UnsupportedMechanismError):
        group_model(group)
