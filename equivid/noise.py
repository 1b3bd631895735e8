"""Noise laws of stochastic mechanisms ``z' = m(z) + eps``: one registry.

Every law is one :class:`LawKind` in :data:`LAWS`, holding its name, its parameters
(defaults and validation), its support, whether it is symmetric, its scale family, its
linear symmetry rule, a numpy sampler and a torch negative log-likelihood. The solver
(``equivid.solve._noise``), the simulator (``equivid.numeric.simulate``) and the trainer
(``equivid.numeric.train``) take the facts about a law from here.

A law as parsed (:func:`parse_law`) is a plain dict ``{"law": name, **parameters}`` with
exact sympy parameters; a ``product`` holds ``factors``, a list of such dicts, one 1-D law
per coordinate.

The linear symmetry rule. For a Gaussian ``N(0, S)``: ``B eps ~ eps`` iff ``B S B^T = S``.
For independent non-Gaussian coordinates (Darmois-Skitovich) ``B`` must be a generalised
permutation, ``B e_j = s e_i``, and ``B eps ~ eps`` iff ``s eps_j ~ eps_i`` for every such
pair. Each non-Gaussian law is ``scale * X`` for a standard ``X`` of its
:class:`ScaleFamily`, so ``s eps_j ~ eps_i`` iff both lie in one family and
``s = scale_i / scale_j`` (or ``-scale_i / scale_j`` for a symmetric family):
:meth:`ScaleFamily.scalings`. ``generalized_normal`` with ``beta = 1`` is the Laplace
family, with ``beta = 2`` the Gaussian one.

This module imports numpy and sympy only; torch is imported inside the likelihoods and
scipy inside the generalized normal's sampler.

Examples
--------
>>> law = parse_law({"law": "laplace", "scale": 2}, "noise", 2)
>>> law
{'law': 'laplace', 'scale': 2}
>>> describe(law), LAWS["laplace"].symmetric, LAWS["exponential"].symmetric
('laplace(scale=2)', True, False)
>>> one, two = (scale_family(parse_law({"law": "laplace", "scale": s}, "noise", 1)) for s in (1, 2))
>>> one.scalings(two)  # s * eps_1 ~ eps_2
(2, -2)
>>> sample_law(law, 3, 2, rng=0).shape
(3, 2)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy
from numpy.typing import NDArray

from ._parse import parse_expression
from .errors import SpecError, UnsupportedMechanismError

__all__ = [
    "Parameter",
    "ScaleFamily",
    "LawKind",
    "GaussianKind",
    "ProductKind",
    "LAWS",
    "law_kind",
    "parse_law",
    "describe",
    "scale_family",
    "gaussian_covariance",
    "sample_law",
    "negative_log_likelihood",
]

Array = NDArray[np.float64]
#: A parsed law: ``{"law": name, **parameters}`` (see :func:`parse_law`).
Law = Mapping[str, Any]


@dataclass(frozen=True)
class Parameter:
    """A parameter of a law: its name, its default (``None``: required) and what a valid
    value is (the ``expected`` part of the :class:`~equivid.SpecError` for a bad one)."""

    name: str
    default: Any = None
    expected: str = "a positive number"


@dataclass(frozen=True)
class ScaleFamily:
    """A 1-D law as ``scale * X``, ``X`` the standard law named by ``identity``.

    Examples
    --------
    >>> exp1 = ScaleFamily(("exponential",), sympy.Integer(1), False)
    >>> exp3 = ScaleFamily(("exponential",), sympy.Integer(3), False)
    >>> exp3.scalings(exp1), exp1.scalings(ScaleFamily(("laplace",), sympy.Integer(1), True))
    ((1/3,), ())
    """

    identity: tuple[Any, ...]
    scale: sympy.Expr
    symmetric: bool

    def scalings(self, target: ScaleFamily) -> tuple[sympy.Expr, ...]:
        """Every ``s`` with ``s * eps ~ target`` for ``eps`` of this law (exact; ``()``: none)."""
        if self.identity != target.identity:
            return ()
        ratio = sympy.Integer(1) if target.scale == self.scale else sympy.simplify(target.scale / self.scale)
        return (ratio, -ratio) if self.symmetric else (ratio,)


# -- exact parameters -------------------------------------------------------------------------
def _exact(value: Any, field: str, expected: str) -> sympy.Expr:
    """An exact number from a spec value (strings parsed without evaluating Python)."""
    if isinstance(value, bool) or value is None:
        raise SpecError(field, value, expected)
    if isinstance(value, str):
        return parse_expression(value, {}, field=field, expected=expected)
    if isinstance(value, float):
        return parse_expression(repr(value), {}, field=field, expected=expected)
    if isinstance(value, (int, sympy.Basic)):
        expr = sympy.sympify(value)
        names = sorted(s.name for s in getattr(expr, "free_symbols", set()))
        if names:
            raise SpecError(field, str(value), expected, detail=f"unknown symbol {names[0]!r}")
        return expr
    raise SpecError(field, value, expected)


def _positive(value: Any, field: str, expected: str) -> sympy.Expr:
    expr = _exact(value, field, expected)
    if expr.free_symbols or not expr.is_real or not expr.is_positive:
        raise SpecError(field, value, expected)
    return expr


def _covariance(value: Any, field: str, n: int) -> sympy.ImmutableMatrix:
    expected = f"a symmetric positive definite {n} x {n} matrix of exact numbers"
    if n == 1 and not isinstance(value, list):
        value = [[value]]
    if not isinstance(value, list) or len(value) != n or any(not isinstance(r, list) or len(r) != n for r in value):
        raise SpecError(field, value, expected)
    S = sympy.ImmutableMatrix([[_exact(v, f"{field}[{i}][{j}]", "an exact number") for j, v in enumerate(r)]
                               for i, r in enumerate(value)])
    if any(e.free_symbols for e in S):
        raise SpecError(field, value, expected)
    if S != S.T:
        raise SpecError(field, value, expected, detail="not symmetric")
    if not all(S[:k, :k].det() > 0 for k in range(1, n + 1)):
        raise SpecError(field, value, expected, detail="not positive definite")
    return S


def _float_matrix(value: Any) -> Array:
    return np.array(sympy.Matrix(value).evalf(), dtype=np.float64)


def _torch() -> Any:
    try:
        import torch
    except ImportError:  # pragma: no cover - exercised where torch is absent
        raise UnsupportedMechanismError(
            "training needs PyTorch: pip install 'equivid[learn]' (or pip install torch==2.13.0)") from None
    return torch


# -- the kinds ----------------------------------------------------------------------------------
Sampler = Callable[[Law, int, int, np.random.Generator], Array]
Likelihood = Callable[[Law, Any], Any]
Family = Callable[[Law], "ScaleFamily | None"]


@dataclass(frozen=True)
class LawKind:
    """One noise law of the registry (a scale family: ``eps = scale * X`` per coordinate,
    i.i.d. when the law is given for all of ``R^n``).

    ``parameters`` in the order they are listed in messages; ``support`` of one coordinate;
    ``symmetric``: ``-X ~ X``; ``family(params)`` the :class:`ScaleFamily` of the law;
    ``sampler(params, size, n, generator)`` draws ``(size, n)``; ``likelihood(params, r)``
    is ``-log p(r)`` per row of a torch tensor up to an additive constant (``None``: no
    likelihood for training); ``likelihood_note`` says what it is exactly.
    """

    name: str
    parameters: tuple[Parameter, ...]
    support: str
    symmetric: bool
    family: Family
    sampler: Sampler
    likelihood: Likelihood | None
    likelihood_note: str = "-log p exactly, up to an additive constant"
    symmetry_rule: str = ("s * eps_j ~ eps_i iff eps_j and eps_i lie in one scale family and "
                          "s = +-scale_i/scale_j (s = scale_i/scale_j for an asymmetric family)")

    @property
    def defaults(self) -> dict[str, Any]:
        """Parameter name -> default (``None``: required)."""
        return {p.name: p.default for p in self.parameters}

    def parse(self, spec: Mapping[str, Any], field: str, n: int, *, factor: bool = False) -> dict[str, Any]:
        """Validate the parameters of ``spec`` (the law's name already checked); the scale
        first, then the shape parameters."""
        self._check_names(spec, field)
        out: dict[str, Any] = {"law": self.name}
        for p in sorted(self.parameters, key=lambda p: p.name != "scale"):
            out[p.name] = _positive(spec.get(p.name, p.default), f"{field}.{p.name}", p.expected)
        return out

    def _check_names(self, spec: Mapping[str, Any], field: str) -> None:
        extra = sorted(set(spec) - {"law"} - {p.name for p in self.parameters})
        if extra:
            names = ", ".join(p.name for p in self.parameters) or "none"
            raise SpecError(f"{field}.{extra[0]}", spec[extra[0]], f"a parameter of {self.name} ({names})")


@dataclass(frozen=True)
class GaussianKind(LawKind):
    """``N(0, cov)``: ``cov`` (exact, symmetric positive definite) or ``scale`` (``cov = scale^2 I``).
    Its symmetry rule: ``B cov B^T = cov``."""

    symmetry_rule: str = "B S B^T = S for N(0, S)"

    def parse(self, spec: Mapping[str, Any], field: str, n: int, *, factor: bool = False) -> dict[str, Any]:
        self._check_names(spec, field)
        size = 1 if factor else n
        if "cov" in spec and "scale" in spec:
            raise SpecError(field, dict(spec), "either cov or scale for a gaussian, not both")
        if "cov" in spec:
            return {"law": self.name, "cov": _covariance(spec["cov"], f"{field}.cov", size)}
        s = _positive(spec.get("scale", 1), f"{field}.scale", "a positive number")
        return {"law": self.name, "cov": sympy.ImmutableMatrix(s**2 * sympy.eye(size))}


@dataclass(frozen=True)
class ProductKind(LawKind):
    """Independent coordinates, ``factors`` one 1-D law each (not a product)."""

    symmetry_rule: str = ("B is block diagonal: B S B^T = S on the Gaussian factors, a generalised permutation "
                          "with the factors' scalings on the others")

    def parse(self, spec: Mapping[str, Any], field: str, n: int, *, factor: bool = False) -> dict[str, Any]:
        self._check_names(spec, field)
        factors = spec.get("factors")
        if not isinstance(factors, list) or len(factors) != n:
            raise SpecError(f"{field}.factors", factors, f"a list of {n} one-dimensional laws, one per coordinate")
        return {"law": self.name, "factors": [parse_law(f, f"{field}.factors[{k}]", n, factor=True)
                                              for k, f in enumerate(factors)]}


# -- samplers and likelihoods -------------------------------------------------------------------
def _scale(law: Law) -> float:
    return float(law.get("scale", 1))


def _sample_gaussian(law: Law, size: int, n: int, generator: np.random.Generator) -> Array:
    return generator.multivariate_normal(np.zeros(n), _float_matrix(law["cov"]), size=size)


def _sample_product(law: Law, size: int, n: int, generator: np.random.Generator) -> Array:
    columns = [sample_law(f, size, 1, generator)[:, 0] for f in _factors(law)]
    return np.stack(columns, axis=1)


def _sample_gennorm(law: Law, size: int, n: int, generator: np.random.Generator) -> Array:
    from scipy.stats import gennorm

    return np.asarray(gennorm.rvs(float(law["beta"]), scale=_scale(law), size=(size, n), random_state=generator))


def _nll_gaussian(law: Law, r: Any) -> Any:
    torch = _torch()
    precision = torch.tensor(np.linalg.inv(_float_matrix(law["cov"])), dtype=r.dtype, device=r.device)
    return 0.5 * ((r @ precision) * r).sum(dim=1)


def _nll_product(law: Law, r: Any) -> Any:
    return sum(negative_log_likelihood(f, r[:, k : k + 1]) for k, f in enumerate(_factors(law)))


def _nll_gennorm(law: Law, r: Any) -> Any:
    return ((r / _scale(law)).abs() ** float(law["beta"])).sum(dim=1)


def _nll_student(law: Law, r: Any) -> Any:
    torch = _torch()
    nu = float(law["nu"])
    return ((nu + 1) / 2 * torch.log1p((r / _scale(law)) ** 2 / nu)).sum(dim=1)


def _family_gaussian(law: Law) -> ScaleFamily | None:
    cov = sympy.Matrix(law["cov"])
    if cov.shape != (1, 1):
        return None
    return ScaleFamily(("gaussian",), sympy.sqrt(sympy.sympify(cov[0, 0])), True)


def _family_gennorm(law: Law) -> ScaleFamily:
    beta, scale = sympy.sympify(law["beta"]), sympy.sympify(law.get("scale", 1))
    if beta == 1:  # the Laplace law
        return ScaleFamily(("laplace",), scale, True)
    if beta == 2:  # N(0, scale^2 / 2)
        return ScaleFamily(("gaussian",), scale / sympy.sqrt(2), True)
    return ScaleFamily(("generalized_normal", beta), scale, True)


def _simple(name: str, symmetric: bool) -> Family:
    return lambda law: ScaleFamily((name,), sympy.sympify(law.get("scale", 1)), symmetric)


_SCALE = Parameter("scale", 1)

#: The registry: law name -> :class:`LawKind`, in the order the spec lists them.
LAWS: Mapping[str, LawKind] = {kind.name: kind for kind in (
    GaussianKind(
        "gaussian", (Parameter("cov", None, "a symmetric positive definite matrix of exact numbers"), Parameter("scale", None)),
        "R", True, _family_gaussian, _sample_gaussian, _nll_gaussian),
    LawKind(
        "laplace", (_SCALE,), "R", True, _simple("laplace", True),
        lambda law, size, n, g: g.laplace(0.0, _scale(law), size=(size, n)),
        lambda law, r: (r / _scale(law)).abs().sum(dim=1)),
    LawKind(
        "uniform", (_SCALE,), "[-scale, scale]", True, _simple("uniform", True),
        lambda law, size, n, g: g.uniform(-_scale(law), _scale(law), size=(size, n)),
        lambda law, r: ((r / _scale(law)).abs() ** 10).sum(dim=1),
        "a smooth stand-in for the box: -log p of the generalized normal with beta = 10 and the same scale"),
    LawKind(
        "generalized_normal", (Parameter("beta", None, "a positive shape beta"), _SCALE), "R", True, _family_gennorm,
        _sample_gennorm, _nll_gennorm),
    LawKind(
        "student_t", (Parameter("nu", None, "positive degrees of freedom nu"), _SCALE), "R", True,
        lambda law: ScaleFamily(("student_t", sympy.sympify(law["nu"])), sympy.sympify(law.get("scale", 1)), True),
        lambda law, size, n, g: _scale(law) * g.standard_t(float(law["nu"]), size=(size, n)),
        _nll_student),
    LawKind(
        "exponential", (_SCALE,), "[0, oo)", False, _simple("exponential", False),
        lambda law, size, n, g: g.exponential(_scale(law), size=(size, n)),
        None, "none: the support [0, oo) gives no gradient outside it"),
    ProductKind(
        "product", (Parameter("factors", None, "a list of one-dimensional laws, one per coordinate"),),
        "the product of the factors' supports", True, lambda law: None, _sample_product, _nll_product,
        "the sum of the factors' likelihoods"),
)}


# -- the law of a spec --------------------------------------------------------------------------
def law_kind(name: str) -> LawKind:
    """The registry entry of ``name``.

    >>> law_kind("student_t").defaults
    {'nu': None, 'scale': 1}
    """
    if not isinstance(name, str) or name not in LAWS:
        raise SpecError("noise.law", name, f"one of {', '.join(LAWS)}")
    return LAWS[name]


def parse_law(spec: Any, field: str, n: int, *, factor: bool = False) -> dict[str, Any]:
    """Validate the spec ``noise:`` mapping of an ``n``-dimensional law (a 1-D law when
    ``factor``: a factor of a ``product``, which may not be a product itself); return the
    law as ``{"law": name, **exact parameters}``.

    A bad law raises :class:`~equivid.SpecError` naming the field below ``field``.

    Examples
    --------
    >>> parse_law({"law": "gaussian", "scale": 2}, "noise", 2)
    {'law': 'gaussian', 'cov': Matrix([
    [4, 0],
    [0, 4]])}
    >>> parse_law({"law": "student_t"}, "noise", 2)
    Traceback (most recent call last):
    ...
    equivid.errors.SpecError: noise.nu: got None, expected positive degrees of freedom nu
    """
    if not isinstance(spec, Mapping) or "law" not in spec:
        raise SpecError(field, spec, "a mapping such as {law: laplace, scale: 1}")
    name = spec["law"]
    known = [k for k in LAWS if not (factor and isinstance(LAWS[k], ProductKind))]
    if not isinstance(name, str) or name not in known:
        raise SpecError(f"{field}.law", name, f"one of {', '.join(known)}")
    return LAWS[name].parse(spec, field, n, factor=factor)


def _factors(law: Law) -> list[Law]:
    """The factors of a product (dicts, or ``(name, params)`` pairs as older callers wrote them)."""
    return [dict(f) if isinstance(f, Mapping) else {"law": f[0], **f[1]} for f in law["factors"]]


def describe(law: Law) -> str:
    """``name(param=value, ...)``, parameters sorted by name.

    >>> describe(parse_law({"law": "generalized_normal", "beta": 3}, "noise", 1))
    'generalized_normal(beta=3, scale=1)'
    """
    params = {k: v for k, v in law.items() if k != "law"}
    return law["law"] + "(" + ", ".join(f"{k}={v}" for k, v in sorted(params.items())) + ")"


def scale_family(law: Law) -> ScaleFamily | None:
    """The :class:`ScaleFamily` of a 1-D law (``None`` for a product or a Gaussian on ``R^k``, ``k > 1``)."""
    return law_kind(law["law"]).family(law)


def gaussian_covariance(law: Law, n: int) -> sympy.ImmutableMatrix | None:
    """The covariance when ``law`` (on ``R^n``) is Gaussian: ``cov``, or ``scale^2/2 I`` for
    the generalized normal with ``beta = 2``; ``None`` otherwise.

    >>> gaussian_covariance(parse_law({"law": "generalized_normal", "beta": 2, "scale": 2}, "noise", 1), 1)
    Matrix([[2]])
    """
    if law["law"] == "gaussian":
        return sympy.ImmutableMatrix(law["cov"])
    if law["law"] == "generalized_normal" and sympy.sympify(law["beta"]) == 2:
        return sympy.ImmutableMatrix(sympy.sympify(law.get("scale", 1)) ** 2 / 2 * sympy.eye(n))
    return None


def sample_law(law: Law, size: int, n: int, rng: Any = None) -> Array:
    """``size`` draws, shape ``(size, n)``, of an ``n``-dimensional law (``rng``: anything
    :func:`numpy.random.default_rng` accepts; global random state is not touched)."""
    generator = np.random.default_rng(rng)
    kind = LAWS.get(law["law"]) if isinstance(law["law"], str) else None
    if kind is None:
        raise SpecError("noise.law", law["law"], "a law equivid can sample")
    return kind.sampler(law, size, n, generator)


def negative_log_likelihood(law: Law, r: Any) -> Any:
    """``-log p(r)`` per row of the torch tensor ``r`` (shape ``(N, n)``), up to an additive
    constant (for ``uniform`` a smooth stand-in, see its ``likelihood_note``)."""
    kind = LAWS.get(law["law"]) if isinstance(law["law"], str) else None
    if kind is None or kind.likelihood is None:
        raise UnsupportedMechanismError(f"training: no likelihood for the noise law {law['law']!r}")
    return kind.likelihood(law, r)
