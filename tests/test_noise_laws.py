"""The registry of noise laws (equivid.noise): parsing, scale families, samplers, likelihoods.

Oracles: scipy.stats for moments and log densities, numpy's own draws for reproducibility,
the messages of the parser as it was before the registry for errors.
"""

import ast
import math
from pathlib import Path

import numpy as np
import pytest
import sympy
from scipy import stats

import equivid
from equivid import noise
from equivid.noise import LAWS, negative_log_likelihood, parse_law, sample_law, scale_family

FIELD = "mechanisms.walk.noise"
N = 200_000
#: (spec, dimension, scipy law per coordinate)
CASES = {
    "gaussian_scale": ({"law": "gaussian", "scale": 2}, 2, [stats.norm(scale=2)] * 2),
    "gaussian_1d": ({"law": "gaussian", "cov": "3"}, 1, [stats.norm(scale=math.sqrt(3))]),
    "laplace": ({"law": "laplace", "scale": 2}, 2, [stats.laplace(scale=2)] * 2),
    "uniform": ({"law": "uniform", "scale": 3}, 2, [stats.uniform(loc=-3, scale=6)] * 2),
    "gennorm": ({"law": "generalized_normal", "beta": "3/2", "scale": 2}, 2, [stats.gennorm(1.5, scale=2)] * 2),
    "gennorm_gaussian": ({"law": "generalized_normal", "beta": 2, "scale": 2}, 1, [stats.gennorm(2, scale=2)]),
    "student_t": ({"law": "student_t", "nu": 6, "scale": 2}, 2, [stats.t(6, scale=2)] * 2),
    "exponential": ({"law": "exponential", "scale": 3}, 2, [stats.expon(scale=3)] * 2),
    "product": ({"law": "product", "factors": [{"law": "laplace", "scale": 1}, {"law": "exponential", "scale": 3},
                                                {"law": "gaussian", "scale": "1/2"}]}, 3,
                [stats.laplace(scale=1), stats.expon(scale=3), stats.norm(scale=0.5)]),
}


def test_the_registry_lists_every_law_once_with_its_facts():
    assert list(LAWS) == ["gaussian", "laplace", "uniform", "generalized_normal", "student_t", "exponential", "product"]
    assert {k for k, kind in LAWS.items() if not kind.symmetric} == {"exponential"}
    assert LAWS["generalized_normal"].defaults == {"beta": None, "scale": 1}
    assert LAWS["gaussian"].defaults == {"cov": None, "scale": None}
    assert LAWS["uniform"].support == "[-scale, scale]" and LAWS["exponential"].support == "[0, oo)"
    assert all(kind.name == name and kind.symmetry_rule for name, kind in LAWS.items())


def test_the_solver_and_the_simulator_read_the_registry():
    from equivid.numeric import simulate, train
    from equivid.solve import _noise

    assert _noise.LAWS is noise.LAWS
    assert {"NoisePart", "NoiseLaw", "noise_law", "LAWS"} <= set(_noise.__all__)
    for module, gone in ((_noise, ["_one", "_positive", "_covariance", "_label"]), (simulate, ["_noise"]), (train, ["_nll"])):
        assert not any(hasattr(module, name) for name in gone), module


def test_the_registry_imports_no_solver_numeric_or_torch_code():
    tree = ast.parse(Path(noise.__file__).read_text())
    top = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            top |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            top.add("." * node.level + (node.module or ""))
    assert top <= {"__future__", "collections.abc", "dataclasses", "typing", "numpy", "numpy.typing", "sympy",
                   "._parse", ".errors"}, top


# -- scale families and the symmetry rule ---------------------------------------------------------
def family(spec):
    return scale_family(parse_law(spec, FIELD, 1, factor=True))


def test_scalings_within_one_family_are_the_ratio_of_scales():
    one, two = family({"law": "laplace", "scale": 1}), family({"law": "laplace", "scale": 2})
    assert one.scalings(two) == (2, -2) and two.scalings(one) == (sympy.Rational(1, 2), -sympy.Rational(1, 2))
    e1, e3 = family({"law": "exponential"}), family({"law": "exponential", "scale": 3})
    assert e1.scalings(e3) == (3,) and e3.scalings(e1) == (sympy.Rational(1, 3),)
    r = family({"law": "uniform", "scale": "sqrt(2)"}).scalings(family({"law": "uniform", "scale": 2}))
    assert sympy.simplify(r[0] - sympy.sqrt(2)) == 0


@pytest.mark.parametrize("a, b", [
    ({"law": "laplace"}, {"law": "uniform"}),
    ({"law": "student_t", "nu": 3}, {"law": "student_t", "nu": 4}),
    ({"law": "generalized_normal", "beta": 3}, {"law": "generalized_normal", "beta": 4}),
    ({"law": "exponential"}, {"law": "laplace"}),
])
def test_different_families_admit_no_scaling(a, b):
    assert family(a).scalings(family(b)) == () and family(b).scalings(family(a)) == ()


def test_generalized_normal_beta_1_is_laplace_and_beta_2_gaussian():
    assert family({"law": "generalized_normal", "beta": 1, "scale": 2}) == family({"law": "laplace", "scale": 2})
    gauss = family({"law": "generalized_normal", "beta": 2, "scale": 2})
    assert gauss.identity == ("gaussian",) and sympy.simplify(gauss.scale**2 - 2) == 0
    law = parse_law({"law": "generalized_normal", "beta": 2, "scale": 2}, FIELD, 2)
    assert noise.gaussian_covariance(law, 2) == sympy.eye(2) * 2
    assert noise.gaussian_covariance(parse_law({"law": "laplace"}, FIELD, 2), 2) is None


# -- samplers -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", list(CASES))
def test_samplers_have_the_closed_form_mean_and_variance(case):
    spec, n, laws = CASES[case]
    eps = sample_law(parse_law(spec, FIELD, n), N, n, rng=12345)
    assert eps.shape == (N, n)
    for k, law in enumerate(laws):
        mean, var, kurtosis = (float(v) for v in law.stats(moments="mvk"))
        mu4 = (kurtosis + 3) * var**2
        column = eps[:, k]
        # CLT: the sample mean and variance are within a few standard errors; 6 of them is a wide margin
        assert abs(column.mean() - mean) < 6 * math.sqrt(var / N), (case, k)
        assert abs(column.var() - var) < 6 * math.sqrt((mu4 - var**2) / N), (case, k)
        lo, hi = law.support()
        assert column.min() >= lo and column.max() <= hi


def test_a_gaussian_covariance_is_sampled():
    S = np.array([[2.0, 1.0], [1.0, 2.0]])
    eps = sample_law(parse_law({"law": "gaussian", "cov": [[2, 1], [1, 2]]}, FIELD, 2), N, 2, rng=1)
    # the standard error of a sample covariance entry is sqrt((S_ii S_jj + S_ij^2) / N)
    se = np.sqrt((np.outer(np.diag(S), np.diag(S)) + S**2) / N)
    assert (np.abs(np.cov(eps.T) - S) < 6 * se).all()


def test_samplers_draw_the_same_numbers_as_numpy_for_the_same_rng():
    draw = lambda spec, n: sample_law(parse_law(spec, FIELD, n), 5, n, rng=3)  # noqa: E731
    rng = lambda: np.random.default_rng(3)  # noqa: E731
    np.testing.assert_array_equal(draw({"law": "laplace", "scale": 2}, 2), rng().laplace(0.0, 2.0, size=(5, 2)))
    np.testing.assert_array_equal(draw({"law": "uniform", "scale": 2}, 2), rng().uniform(-2.0, 2.0, size=(5, 2)))
    np.testing.assert_array_equal(draw({"law": "exponential", "scale": 2}, 2), rng().exponential(2.0, size=(5, 2)))
    np.testing.assert_array_equal(draw({"law": "student_t", "nu": 3, "scale": 2}, 2), 2 * rng().standard_t(3.0, size=(5, 2)))
    np.testing.assert_array_equal(draw({"law": "gaussian", "scale": 1}, 2), rng().multivariate_normal(np.zeros(2), np.eye(2), size=5))
    np.testing.assert_array_equal(draw({"law": "generalized_normal", "beta": 3}, 2),
                                  stats.gennorm.rvs(3.0, scale=1.0, size=(5, 2), random_state=rng()))
    g = rng()
    first, second = g.laplace(0.0, 1.0, size=(5, 1))[:, 0], g.exponential(3.0, size=(5, 1))[:, 0]
    product = {"law": "product", "factors": [{"law": "laplace"}, {"law": "exponential", "scale": 3}]}
    np.testing.assert_array_equal(draw(product, 2), np.stack([first, second], axis=1))
    from equivid.numeric import sample_noise

    np.testing.assert_array_equal(sample_noise({"law": "laplace", "scale": 2}, 5, 2, rng=3), draw({"law": "laplace", "scale": 2}, 2))


# -- likelihoods -----------------------------------------------------------------------------------------
def _oracle_logpdf(case, r):
    spec, _, laws = CASES[case]
    if case == "uniform":  # the trainer's smooth stand-in for the box
        return stats.gennorm(10, scale=3).logpdf(r).sum(axis=1)
    return sum(law.logpdf(r[:, k]) for k, law in enumerate(laws))


@pytest.mark.parametrize("case", [c for c in CASES if c != "exponential"])
def test_likelihoods_are_scipy_minus_logpdf_up_to_one_constant(case):
    torch = pytest.importorskip("torch")
    spec, n, laws = CASES[case]
    law = parse_law(spec, FIELD, n)
    rng = np.random.default_rng(5)
    r = sample_law(law, 400, n, rng)
    if case == "product":
        r[:, 1] = np.abs(r[:, 1])  # inside the exponential's support (it has no likelihood: see below)
        law = parse_law({"law": "product", "factors": [spec["factors"][0], {"law": "laplace", "scale": 3},
                                                       spec["factors"][2]]}, FIELD, n)
        laws = [laws[0], stats.laplace(scale=3), laws[2]]
        oracle = sum(f.logpdf(r[:, k]) for k, f in enumerate(laws))
    else:
        oracle = _oracle_logpdf(case, r)
    nll = negative_log_likelihood(law, torch.tensor(r, dtype=torch.float64)).numpy()
    difference = nll + oracle  # -log p + const = nll, so nll - (-logpdf) is one constant
    assert nll.shape == (400,) and np.ptp(difference) < 1e-8, case


def test_a_correlated_gaussian_likelihood_is_scipy_minus_logpdf_up_to_one_constant():
    torch = pytest.importorskip("torch")
    law = parse_law({"law": "gaussian", "cov": [[2, 1], [1, 2]]}, FIELD, 2)
    r = np.random.default_rng(6).normal(size=(300, 2)) * 2
    nll = negative_log_likelihood(law, torch.tensor(r, dtype=torch.float64)).numpy()
    assert np.ptp(nll + stats.multivariate_normal(np.zeros(2), [[2, 1], [1, 2]]).logpdf(r)) < 1e-8


def test_the_exponential_law_has_no_likelihood_for_training():
    torch = pytest.importorskip("torch")
    law = parse_law({"law": "exponential"}, FIELD, 2)
    with pytest.raises(equivid.UnsupportedMechanismError, match="no likelihood for the noise law 'exponential'"):
        negative_log_likelihood(law, torch.zeros(3, 2))


# -- parse errors: one-line SpecErrors, as before the registry -----------------------------------------------
BAD = [
    ({"law": "gaussian", "cov": [[1, 2], [0, 1]]}, "mechanisms.walk.noise.cov: got [[1, 2], [0, 1]], expected a symmetric "
     "positive definite 2 x 2 matrix of exact numbers (not symmetric)"),
    ({"law": "gaussian", "cov": [[1, 2], [2, 1]]}, "mechanisms.walk.noise.cov: got [[1, 2], [2, 1]], expected a symmetric "
     "positive definite 2 x 2 matrix of exact numbers (not positive definite)"),
    ({"law": "gaussian", "cov": [[1, 0]]}, "mechanisms.walk.noise.cov: got [[1, 0]], expected a symmetric positive "
     "definite 2 x 2 matrix of exact numbers"),
    ({"law": "gaussian", "cov": [[1, 0], [0, 1]], "scale": 1}, "mechanisms.walk.noise: got {'law': 'gaussian', 'cov': "
     "[[1, 0], [0, 1]], 'scale': 1}, expected either cov or scale for a gaussian, not both"),
    ({"law": "gaussian", "scale": 0}, "mechanisms.walk.noise.scale: got 0, expected a positive number"),
    ({"law": "laplace", "scale": -1}, "mechanisms.walk.noise.scale: got -1, expected a positive number"),
    ({"law": "laplace", "scale": True}, "mechanisms.walk.noise.scale: got True, expected a positive number"),
    ({"law": "laplace", "scale": "sqrt(-1)"}, "mechanisms.walk.noise.scale: got 'sqrt(-1)', expected a positive number "
     "(a real expression (a constant in it is not real: sqrt(-1), log(-2), ...) at column 1)"),
    ({"law": "uniform", "scale": 0}, "mechanisms.walk.noise.scale: got 0, expected a positive number"),
    ({"law": "cauchyish"}, "mechanisms.walk.noise.law: got 'cauchyish', expected one of gaussian, laplace, uniform, "
     "generalized_normal, student_t, exponential, product"),
    ({"law": "student_t"}, "mechanisms.walk.noise.nu: got None, expected positive degrees of freedom nu"),
    ({"law": "student_t", "nu": -2}, "mechanisms.walk.noise.nu: got -2, expected positive degrees of freedom nu"),
    ({"law": "generalized_normal", "beta": 0, "scale": 2}, "mechanisms.walk.noise.beta: got 0, expected a positive shape beta"),
    ({"law": "generalized_normal", "beta": 1, "scale": -2}, "mechanisms.walk.noise.scale: got -2, expected a positive number"),
    ({"law": "laplace", "shape": 2}, "mechanisms.walk.noise.shape: got 2, expected a parameter of laplace (scale)"),
    ({"law": "exponential", "nu": 3}, "mechanisms.walk.noise.nu: got 3, expected a parameter of exponential (scale)"),
    ({"law": "product", "factors": [{"law": "laplace"}]}, "mechanisms.walk.noise.factors: got [{'law': 'laplace'}], "
     "expected a list of 2 one-dimensional laws, one per coordinate"),
    ({"law": "product", "factors": [{"law": "laplace"}, {"law": "product", "factors": []}]},
     "mechanisms.walk.noise.factors[1].law: got 'product', expected one of gaussian, laplace, uniform, generalized_normal, "
     "student_t, exponential"),
    ({"law": "product", "factors": [{"law": "laplace"}, {"law": "gaussian", "cov": [[1, 0], [0, 1]]}]},
     "mechanisms.walk.noise.factors[1].cov: got [[1, 0], [0, 1]], expected a symmetric positive definite 1 x 1 matrix "
     "of exact numbers"),
    ({"law": "product", "factors": [{"law": "laplace"}, "laplace"]},
     "mechanisms.walk.noise.factors[1]: got 'laplace', expected a mapping such as {law: laplace, scale: 1}"),
    ({"scale": 1}, "mechanisms.walk.noise: got {'scale': 1}, expected a mapping such as {law: laplace, scale: 1}"),
    ({"law": ["laplace"]}, "mechanisms.walk.noise.law: got ['laplace'], expected one of gaussian, laplace, uniform, "
     "generalized_normal, student_t, exponential, product"),
]


@pytest.mark.parametrize("spec, message", BAD, ids=range(len(BAD)))
def test_bad_parameters_are_one_line_spec_errors(spec, message):
    with pytest.raises(equivid.SpecError) as info:
        parse_law(spec, FIELD, 2)
    assert str(info.value) == message and "\n" not in str(info.value)
    assert info.value.field == message.split(":")[0]


def test_parsed_laws_are_exact():
    law = parse_law({"law": "product", "factors": [{"law": "laplace", "scale": "1/3"}, {"law": "student_t", "nu": 3}]}, FIELD, 2)
    assert law == {"law": "product", "factors": [{"law": "laplace", "scale": sympy.Rational(1, 3)},
                                                 {"law": "student_t", "scale": 1, "nu": 3}]}
    assert noise.describe(law["factors"][1]) == "student_t(nu=3, scale=1)"
