"""The numeric fitter of a group is chosen from its structure, never from its name: every
bundled example's fitter recovers its own elements exactly, a renamed (or unnamed) group
fits the same, and the structure rules hold on sets the examples do not cover."""

import dataclasses
import functools

import numpy as np
import pytest
import sympy

import equivid
from equivid.cli import EXAMPLES
from equivid.numeric import fitters as F
from equivid.numeric.models import group_model, map_function

#: Every bundled example that ``group_model`` accepts: (fitter kind, names of the smaller groups).
#: The kinds and smaller groups are those the name-driven models gave; saturation and
#: radial_saturation (unnamed groups) had no fitter before.
ACCEPTED = {
    "class_diagonal": ("monomial", ["diagonal scalings", "permutations", "identity"]),
    "class_translations": ("general affine", ["linear maps", "diagonal scalings and translations",
                                              "orthogonal maps and translations"]),
    "diagonal_scaling": ("diagonal scalings", ["uniform scalings", "identity"]),
    "drift_flow": ("span", ["translations"]),
    "gaussian_walk": ("orthogonal", ["signed permutations and translations", "translations"]),
    "jordan_blocks": ("span", ["uniform scalings", "identity"]),
    "laplace_walk": ("signed permutations", ["permutations and translations", "translations"]),
    "linear_flow": ("span", ["uniform scalings", "identity"]),
    "nonderogatory": ("span", ["uniform scalings", "identity"]),
    "odd_powers": ("signed permutations", ["permutations", "identity"]),
    "radial_saturation": ("orthogonal", ["signed permutations", "identity"]),
    "rotation_angle": ("span", ["uniform scalings", "identity"]),
    "rotation_quarter": ("span", ["uniform scalings", "identity"]),
    "saturation": ("span", ["identity"]),
    "scaling_and_push": ("identity", []),
    "sparse_perturbations": ("monomial", ["diagonal scalings and translations", "permutations and translations",
                                          "translations"]),
    "translation_family": ("translations", ["identity"]),
    "translation_single": ("span", ["translations"]),
    "translations_two": ("translations", ["identity"]),
}
#: Bundled examples without a fitter: finite-state groups, and polynomial or non-affine families.
REFUSED = ["cubic_coupling", "cycle_12", "dihedral_7", "exp_shear", "gridworld", "markov_ring", "push_polynomial"]


@functools.cache
def _group(case):
    return equivid.solve(equivid.load(EXAMPLES / f"{case}.yaml"))


def _z(n, seed=0, count=200):
    return np.random.default_rng(seed).standard_normal((count, n))


def _residual(fit, z, y):
    return float(np.abs(fit.residuals(z, y)).max())


def _is_identity(a, latents):
    return all(sympy.simplify(sympy.sympify(e) - z) == 0 for e, z in zip(a, latents))


BUNDLED = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))


def test_the_lists_name_bundled_examples():
    assert set(ACCEPTED) | set(REFUSED) <= set(BUNDLED)
    assert not set(ACCEPTED) & set(REFUSED)


@pytest.mark.parametrize("case", [c for c in BUNDLED if c not in REFUSED])
def test_the_fitter_of_a_bundled_group_recovers_its_elements_exactly(case):
    group = _group(case)
    model = group_model(group)
    if case in ACCEPTED:
        kind, smaller = ACCEPTED[case]
        assert model.kind == kind
        assert [m.name for m in model.smaller] == smaller
    z = _z(group.system.n)
    for seed in range(3):
        a = group.sample(rng=seed)
        y = map_function(a, group.latents)(z)
        assert _residual(model.fit(z, y), z, y) < 1e-8, (seed, a)
        if not _is_identity(a, group.latents):
            assert _residual(F.fit_identity(z, y), z, y) > 1e-8  # the identity model does not fit it
    a = group.sample(rng=0)
    y = map_function(a, group.latents)(z)
    fit = model.fit(z, y)
    assert F.r2_score(y, fit.residuals(z, y)) == pytest.approx(1.0)


@pytest.mark.parametrize("case", REFUSED)
def test_groups_without_a_fitter_are_refused(case):
    with pytest.raises(equivid.UnsupportedMechanismError):
        group_model(_group(case))


@pytest.mark.parametrize("case", sorted(ACCEPTED))
@pytest.mark.parametrize("name", ["something else", None])
def test_a_renamed_group_fits_the_same(case, name):
    group = _group(case)
    renamed = dataclasses.replace(group, name=name)
    assert renamed.name != group.name or name == group.name
    before, after = group_model(group), group_model(renamed)
    assert after.kind == before.kind
    assert [m.kind for m in after.smaller] == [m.kind for m in before.smaller]
    z = _z(group.system.n, seed=1)
    for seed in range(2):
        y = map_function(group.sample(rng=seed), group.latents)(z)
        y = y + 0.1 * np.random.default_rng(seed).standard_normal(y.shape)  # not exactly in the group
        f, g = before.fit(z, y), after.fit(z, y)
        np.testing.assert_allclose(g.B, f.B, atol=1e-9)
        np.testing.assert_allclose(g.c, f.c, atol=1e-9)


@pytest.mark.parametrize("case", ["diagonal_scaling", "translation_single", "rotation_quarter", "jordan_blocks",
                                  "translations_two", "scaling_and_push"])
def test_without_its_affine_structure_a_family_is_read_off_its_general_element(case):
    """The exact structure is an optimisation: differentiating the general element gives
    the same cosets, so the same fitter."""
    group = _group(case)
    bare = dataclasses.replace(group, name=None, solution=dataclasses.replace(group.solution, structure=None))
    before, after = group_model(group), group_model(bare)
    assert after.kind == before.kind
    assert [m.name for m in after.smaller] == [m.name for m in before.smaller]
    z = _z(group.system.n)
    y = map_function(group.sample(rng=4), group.latents)(z)
    assert _residual(after.fit(z, y), z, y) < 1e-8


def _solve(text):
    return equivid.solve(equivid.System.from_spec(text))


STRUCTURES = {
    # the orthogonal class: a piece given by equations, B^T B = s^2 I
    "similarities": ("latents: [z1, z2]\nmechanisms: {turn: [-z2, z1]}\nlearner: {knows: class, class: orthogonal}\n",
                     "similarities", ["orthogonal maps", "uniform scalings", "identity"]),
    # ... and B^T B = s^2 G with G = diag(1/4, 1) (a set, not a group)
    "similarities after a form": ("latents: [z1, z2]\nmechanisms: {turn: [-2*z2, z1/2]}\n"
                                  "learner: {knows: class, class: orthogonal}\n", "similarities (form)", ["identity"]),
    # Gaussian noise, diagonal covariance: O(S) and its signed permutations that keep S
    "metric": ("latents: [z1, z2]\nmechanisms: {walk: {map: [z1, z2], noise: {law: gaussian, cov: [[2, 0], [0, 1]]}}}\n",
               "orthogonal (metric)", ["signed permutations keeping S and translations", "translations"]),
    "full metric": ("latents: [z1, z2]\n"
                    "mechanisms: {walk: {map: [z1, z2], noise: {law: gaussian, cov: [[2, 1/2], [1/2, 1]]}}}\n",
                    "orthogonal (metric)", ["translations"]),
    # a rotating mean map keeps only SO(2), no translations
    "rotations": ("latents: [z1, z2]\nmechanisms: {walk: {map: [-z2, z1], noise: {law: gaussian, cov: [[1, 0], [0, 1]]}}}\n",
                  "rotations", ["identity"]),
    "sign flips": ("latents: [z1, z2]\nmechanisms: {walk: {map: [2*z1, 3*z2], noise: {law: gaussian, cov: [[1, 0], [0, 1]]}}}\n",
                   "sign flips", ["identity"]),
    "scaled signed permutations": ("latents: [z1, z2]\nmechanisms:\n  walk: {map: [z1, z2], noise: {law: product, factors: "
                                   "[{law: laplace, scale: 1}, {law: laplace, scale: 2}]}}\n",
                                   "finite closure", ["translations"]),
    "exponential": ("latents: [z1, z2]\nmechanisms: {walk: {map: [z1, z2], noise: {law: exponential, scale: 1}}}\n",
                    "permutations", ["translations"]),
    "GL(2)": ("latents: [z1, z2]\nmechanisms: {still: [z1, z2]}\nansatz: linear\n",
              "general linear", ["diagonal scalings", "orthogonal maps", "identity"]),
    "uniform": ("latents: [z1, z2]\nmechanisms: {turn: [-z2, z1], shear: [z1 + z2, z2]}\nansatz: linear\n",
                "uniform scalings", ["identity"]),
    "monomial 3": ("latents: [z1, z2, z3]\nmechanisms: {grow: [2*z1, 3*z2, 5*z3]}\nlearner: {knows: class, class: diagonal}\n",
                   "monomial", ["diagonal scalings", "permutations", "identity"]),
    # a class set that is not a group: two pieces, each holding s I and the translations
    "axis translations": ("latents: [z1, z2]\nmechanisms: {push: [z1 + 1, z2]}\n"
                          "learner: {knows: class, class: axis_translations}\n",
                          "pieces", ["uniform scalings and translations", "translations"]),
}


@pytest.mark.parametrize("case", sorted(STRUCTURES))
def test_structure_rules_beyond_the_examples(case):
    text, kind, smaller = STRUCTURES[case]
    group = _solve(text)
    model = group_model(group)
    assert model.kind == kind
    assert [m.name for m in model.smaller] == smaller
    assert group_model(dataclasses.replace(group, name="renamed")).kind == kind
    z = _z(group.system.n)
    for seed in range(4):
        y = map_function(group.sample(rng=seed), group.latents)(z)
        assert _residual(model.fit(z, y), z, y) < 1e-8
    # every smaller group is inside: its own best fit is no better than the group's
    y = map_function(group.sample(rng=0), group.latents)(z) + 0.3 * _z(group.system.n, seed=5)
    best = float((model.fit(z, y).residuals(z, y) ** 2).sum())
    for sub in model.smaller:
        assert float((sub.fit(z, y).residuals(z, y) ** 2).sum()) >= best - 1e-9


def test_metric_fits_keep_the_covariance_and_the_special_group_keeps_det_one():
    group = _solve(STRUCTURES["metric"][0])
    S = np.diag([2.0, 1.0])
    z = _z(2)
    y = z @ np.random.default_rng(0).standard_normal((2, 2)).T
    fit = group_model(group).fit(z, y)
    np.testing.assert_allclose(fit.B @ S @ fit.B.T, S, atol=1e-9)
    rotations = group_model(_solve(STRUCTURES["rotations"][0])).fit(z, y)
    assert np.linalg.det(rotations.B) == pytest.approx(1.0)
    np.testing.assert_allclose(rotations.c, 0.0)


def test_an_unnamed_finite_family_gets_its_closure():
    """(z1^5, z2^5) has the signed permutations; without the name, only the eight
    matrices of the closure of the discrete part decide the fitter."""
    group = dataclasses.replace(_group("odd_powers"), name=None)
    model = group_model(group)
    assert model.kind == "signed permutations"
    z = _z(2)
    y = -z[:, ::-1]
    np.testing.assert_allclose(model.fit(z, y).B, [[0.0, -1.0], [-1.0, 0.0]])
