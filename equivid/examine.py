"""Cross-examination: an independent numeric search for elements an answer misses.

The solver's answers are checked for soundness (every reported element commutes), but
their completeness rests on what each solver part searched. :func:`cross_examine` is a
second opinion on completeness that shares no code with the solver parts: it reads only
the mechanisms (``group.system``), the class searched (``group.ansatz``) and what the
answer reports (general element, parameters, discrete elements, number of components),
searches the class numerically for commuting maps the answer does not contain, and
decides every numeric find exactly with the answer's own membership test.

What is searched
----------------
The unknowns are the coefficients of ``a`` in the class: ``B`` (linear), ``B, c``
(affine), every monomial coefficient up to degree ``D`` (``polynomial:D``). The residual
is evaluated in floating point at fixed random sample points ``z`` (several scales;
random values for the symbols of a family):

- maps: ``a(m(z)) - m(a(z))``; flows: ``Da(z) V(z) - V(a(z))``;
- noise ``z' = m(z) + eps``: the mean maps commute, and the linear part keeps the law:
  the cumulant tensors of ``B eps`` and ``eps`` agree, ``T_r(B eps) = T_r(eps)`` for the
  orders ``r <= 4`` that do not vanish, computed exactly from the law's marginals
  (``B S B^T = S`` for a Gaussian ``N(0, S)``; for independent non-Gaussian coordinates
  the order-4 tensor forces a generalised permutation, and orders 1-3 the scales and
  signs);
- a class of mechanisms (``learner: {knows: class}``): the distance of
  ``a∘m∘a^{-1} = (P, q)`` to the class, in closed form: translations ``P - I``;
  axis_translations ``P - I`` and ``q`` off its largest entry; diagonal the off-diagonal
  part of ``P`` and ``q``; linear ``q``; affine nothing; permutations ``P`` minus the
  nearest permutation matrix (:func:`scipy.optimize.linear_sum_assignment`) and ``q``;
  orthogonal ``P^T P - I`` and ``q``. Templates are declined.

Each start is minimised by :func:`scipy.optimize.least_squares` (analytic Jacobians) with
two extra terms: a hinge ``max(0, log(tau / sigma_min(B)))`` that keeps the linear part
invertible (``tau`` a fifth of the start's ``sigma_min``, at least 0.01), and a penalty
``lambda * exp(-d^2 / sigma^2)`` (``lambda = 1``, ``sigma = 0.1``) where ``d`` is the
relative distance of the coefficients to the nearest element of the reported part of the
answer (a small least squares over the answer's parameters, for each discrete element,
with integer multiples of reported shifts). The minimum is then polished without the
penalty (``tau = 0.01``). For a polynomial class the Jacobian determinant must also be
constant (as it is for every polynomial automorphism). Starts: signed permutations (for
``n <= 3`` all of them when ``starts`` leaves 8 more, else a random subset; for larger
``n`` random ones, every other one scaled), identity plus noise, large shifts (entries up
to ``+-20`` and multiples of ``pi`` up to ``+-4 pi``, along one coordinate or all, with
linear part ``+-I`` or a signed permutation) and random Gaussian coefficients,
interleaved, until ``starts`` are done or ``budget_seconds`` is spent (checked between
starts).

The reported part
-----------------
An answer reports its identity component (the general element, with its parameters in
the sign region of the ``nonzero`` conditions and of ``det B`` that holds the identity,
subject to the answer's ``equations`` where it states some) and discrete elements.
Discrete elements that are values of the general element (sign flips of a family)
generate the other sign regions they reach; every other discrete element is a coset
representative, and pure shifts generate a lattice. Where the answer counts its
components and the cosets listed reach that count, the listed cosets are the reported
part; where they fall short of it, or where the answer does not count its components,
the group they generate is (so an answer that lists generators is not misread as
incomplete, and an answer that counts no components may use every sign region of its
general element); a set that is not a group (a class answer) is read as listed, each
piece as ``family∘d`` or ``d∘family``.

Deciding a candidate
--------------------
A numeric candidate (relative residual below ``tolerance``, invertible, relative distance
to the reported part above ``1e-4``, deduplicated) is moved to a simple point of its
solution set: coefficients are fixed one by one (to zero, their sign, the nearest integer
or half) while the residual stays zero and the point stays outside the reported part.
Each coefficient is then recognised (small rationals; on the last point also rational
multiples of ``pi``, square roots of small rationals and short :func:`sympy.nsimplify`
forms with ``pi``), and the exact map is decided by ``group.membership``: in the class,
invertible, commuting. A member is a *proved* missed element when equivid's membership
says it is not in the reported part (``in_reported`` False, or a
:class:`~equivid.VerificationError`: a member outside an answer reported as complete), or
when it lies in none of the reported cosets: decided exactly by linear algebra over the
answer's parameters where they enter linearly, numerically (said so in ``evidence``)
where they do not. Candidates that cannot be recognised or proved are listed in
``unproved``: reported, not claimed. Once an element is proved, later candidates in its
coset (or, where the solution set around it has more directions than the reported
family, in that continuous family) are not decided again: one element per missed
component or family. At most 12 candidates are decided, simplest first, and deciding
stops (after the first) once twice ``budget_seconds`` have passed.

:func:`without_element` and :func:`without_parameter` plant omissions in a correct
answer (tests and ``benchmarks/bench_examine.py``, which measures the detection and
false-alarm rates).

Limits: a numeric search finds what its starts reach, so "nothing found" is a stated,
reproducible fact (``searched``), not a proof; elements whose coefficients are not
recognised stay unproved; finite-state answers, class templates, noise with a polynomial
class and laws without a fourth cumulant (Student ``t`` with ``nu <= 4``) are declined,
with the reason.

Examples
--------
>>> import dataclasses, equivid
>>> from equivid.examine import cross_examine
>>> group = equivid.solve(equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]}))
>>> cross_examine(group, starts=12, budget_seconds=5).proved
()
>>> z1, z2 = group.latents
>>> tampered = dataclasses.replace(group, solution=dataclasses.replace(group.solution, discrete=()))
>>> report = cross_examine(tampered, starts=12, budget_seconds=5)
>>> report.contradicts, all(group.contains(a) for a in report.proved)
(True, True)
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import sympy
from numpy.typing import NDArray
from scipy.optimize import least_squares, linear_sum_assignment

from ._parse import parse_expression
from .ansatz import Ansatz
from .errors import EquividError, SpecError, VerificationError
from .groups import EquivarianceGroup
from .noise import gaussian_covariance, parse_law
from .solve import check_solution
from .solve._result import Claim, Completeness

__all__ = [
    "CrossExamination",
    "Candidate",
    "Unproved",
    "cross_examine",
    "recognise",
    "reported_components",
    "without_element",
    "without_parameter",
]

Map = tuple[sympy.Expr, ...]
Array = NDArray[np.float64]
Index = NDArray[np.intp]

#: Sample points, and the scales they are drawn at (cycled).
POINTS = 64
SCALES = (0.5, 1.0, 2.0)
#: A candidate must lie at least this far (relative coefficient distance) from the reported part.
MARGIN = 1e-4
#: The penalty lambda * exp(-d^2 / sigma^2) on closeness to the reported part.
PENALTY = (1.0, 0.1)
#: The invertibility hinge: w * max(0, log(tau / sigma_min(B))).
HINGE = (1.0, 1e-2)
#: At most this many numeric candidates are decided exactly per run.
MAX_DECISIONS = 12
#: Closures of discrete elements stop at this many cosets.
MAX_COSETS = 64
_BIG = 1e8


class _Declined(Exception):
    """The search does not apply to this answer (the reason is stated in ``searched``)."""


# -- results ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Candidate:
    """A numeric commuting map outside the reported part: ``coefficients`` (one row per
    component, over ``monomials``), its relative ``residual``, its relative ``distance`` to the
    reported part, and the kind of ``start`` it came from."""

    coefficients: tuple[tuple[float, ...], ...]
    monomials: tuple[str, ...]
    residual: float
    distance: float
    start: str

    def describe(self) -> list[str]:
        """The map with coefficients to 6 significant digits, one string per component."""
        out = []
        for row in self.coefficients:
            terms = [f"{v:.6g}*{m}" if m != "1" else f"{v:.6g}" for v, m in zip(row, self.monomials) if abs(v) > 1e-12]
            out.append(" + ".join(terms) if terms else "0")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"map": self.describe(), "residual": _finite(self.residual), "distance": _finite(self.distance),
                "start": self.start}


@dataclass(frozen=True)
class Unproved:
    """A numeric candidate that was not proved: why (``reason``), and the exact map tried, if any."""

    candidate: Candidate
    reason: str
    map: Map | None = None

    def to_dict(self) -> dict[str, Any]:
        data = self.candidate.to_dict()
        data["reason"] = self.reason
        data["recognised"] = None if self.map is None else [str(e) for e in self.map]
        return data


@dataclass(frozen=True)
class CrossExamination:
    """What an independent numeric search found behind an answer.

    ``searched``: the class, starts by kind, points, tolerance, seed, budget and the time
    used, whether the budget stopped the search, and ``declined`` (why not, or None);
    ``candidates``: numeric commuting maps outside the reported part; ``proved``: exact maps
    recognised from them that are members (exact check) and lie outside the reported part,
    with ``evidence`` (one line each); ``unproved``: candidates that could not be
    recognised or proved (reported, not claimed).

    Built by :func:`cross_examine`, not by hand; ``equivid.solve`` attaches one to its
    answer as ``group.examination``.

    Parameters
    ----------
    searched : dict
        What was searched and how: ``class``, ``starts``, ``points``, ``tolerance``,
        ``seed``, ``budget_seconds``, ``seconds``, ``stopped_by_budget``, ``declined``, ...
    candidates : tuple of Candidate
        The numeric commuting maps found outside the reported part.
    proved : tuple of tuple of sympy.Expr
        The exact maps recognised from the candidates and proved to be members that the
        answer lacks.
    unproved : tuple of Unproved
        The candidates that could not be recognised or proved, each with its reason.
    evidence : tuple of str, optional
        One line per proved map: why it is a member.

    Examples
    --------
    >>> import equivid
    >>> group = equivid.solve(equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]}), cross_examine=False)
    >>> report = equivid.cross_examine(group, starts=4)
    >>> report.contradicts, report.declined, report.proved, report.unproved
    (False, None, (), ())
    >>> report.searched["class"], report.searched["starts"]
    ('affine', 4)
    """

    searched: dict[str, Any]
    candidates: tuple[Candidate, ...]
    proved: tuple[Map, ...]
    unproved: tuple[Unproved, ...]
    evidence: tuple[str, ...] = ()

    @property
    def contradicts(self) -> bool:
        """Whether a proved element is missing from the answer."""
        return bool(self.proved)

    @property
    def declined(self) -> str | None:
        """Why the search was not run (None when it was)."""
        return self.searched.get("declined")

    def note(self) -> str:
        """One sentence for an answer's notes: what was searched and what was found.

        Returns
        -------
        str
            The class, starts, sample points, tolerance and seed of the search, then the
            maps proved (or that none was found, or why the search was not run).

        Examples
        --------
        >>> import equivid
        >>> group = equivid.solve(equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]}), cross_examine=False)
        >>> print(equivid.cross_examine(group, starts=4).note())
        cross-examination, a numeric search of affine maps z -> Bz + c (4 of 4 starts, 64 sample points, relative residual below 1e-09, seed 0), found no commuting map outside the answer (a stated search, not a proof)
        """
        s = self.searched
        if self.declined:
            return f"cross-examination not run: {self.declined}"
        run, planned = (_count(s.get(key, 0)) for key in ("starts_run", "starts_planned"))
        how = (f"a numeric search of {s['class_description']} ({run} of {planned} starts, "
               f"{s['points']} sample points, relative residual below {s['tolerance']:g}, seed {s['seed']}"
               + (", stopped by its budget" if s.get("stopped_by_budget") else "") + ")")
        if self.proved:
            maps = "; ".join(_show(a) for a in self.proved)
            return (f"cross-examination, {how}, proved {len(self.proved)} element{'s' if len(self.proved) > 1 else ''} "
                    f"the solver part missed: {maps}")
        found = "found no commuting map outside the answer (a stated search, not a proof)"
        if self.unproved:
            found = (f"found {len(self.unproved)} numeric candidate{'s' if len(self.unproved) > 1 else ''} outside the "
                     "answer that could not be proved exactly (listed under cross_examination.unproved)")
        return f"cross-examination, {how}, {found}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able summary: ``searched``, ``counts``, the proved maps as strings (with their
        evidence), the unproved candidates as float summaries, and ``contradicts``.

        Returns
        -------
        dict
            The keys ``searched``, ``counts``, ``proved``, ``unproved`` and ``contradicts``.

        Examples
        --------
        >>> import equivid
        >>> group = equivid.solve(equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]}), cross_examine=False)
        >>> summary = equivid.cross_examine(group, starts=4).to_dict()
        >>> summary["counts"], summary["contradicts"]
        ({'candidates': 0, 'proved': 0, 'unproved': 0}, False)
        """
        return {
            "searched": _jsonable(self.searched),
            "counts": {"candidates": len(self.candidates), "proved": len(self.proved), "unproved": len(self.unproved)},
            "proved": [{"map": [str(e) for e in a], "evidence": why} for a, why in zip(self.proved, self.evidence)],
            "unproved": [u.to_dict() for u in self.unproved],
            "contradicts": self.contradicts,
        }


def _count(value: Any) -> int:
    """A number of starts: given as a total or by kind."""
    return sum(value.values()) if isinstance(value, Mapping) else int(value)


def _show(a: Map) -> str:
    return "(" + ", ".join(str(e) for e in a) + (",)" if len(a) == 1 else ")")


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (bool, str)) or value is None:
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return _finite(float(value))
    return str(value)


# -- numeric evaluation ------------------------------------------------------------------------
def _vectorize(exprs: Sequence[sympy.Expr], symbols: Sequence[sympy.Symbol]) -> Callable[..., Array]:
    """``f(*columns) -> (N, len(exprs))``: the expressions evaluated at N points (constants broadcast)."""
    count = len(exprs)
    if count == 0:
        return lambda *columns: np.zeros((len(columns[0]) if columns else 1, 0))
    function = sympy.lambdify(list(symbols), list(exprs), modules="numpy")

    def call(*columns: Any) -> Array:
        size = np.shape(columns[0])[0] if columns and np.ndim(columns[0]) else 1
        values = function(*columns)
        out = np.empty((size, count))
        for j, v in enumerate(values):
            out[:, j] = np.real(np.broadcast_to(np.asarray(v, dtype=complex if np.iscomplexobj(v) else float), (size,)))
        return out

    return call


def _scalar(exprs: Sequence[sympy.Expr], symbols: Sequence[sympy.Symbol]) -> Callable[..., Array]:
    """``f(*values) -> (len(exprs),)``: the expressions at one point."""
    function = sympy.lambdify(list(symbols), list(exprs), modules="numpy")
    return lambda *values: np.array(function(*values), dtype=float).reshape(len(exprs))


def _cofactors(D: Array) -> Array:
    """The cofactor matrices ``det(D) D^{-T}`` of a stack of square matrices ``(N, n, n)``."""
    n = D.shape[-1]
    if n == 1:
        return np.ones_like(D)
    if n == 2:
        C = np.empty_like(D)
        C[:, 0, 0], C[:, 0, 1], C[:, 1, 0], C[:, 1, 1] = D[:, 1, 1], -D[:, 1, 0], -D[:, 0, 1], D[:, 0, 0]
        return C
    C = np.empty_like(D)
    for i in range(n):
        for j in range(n):
            minor = np.delete(np.delete(D, i, axis=1), j, axis=2)
            C[:, i, j] = (-1) ** (i + j) * np.linalg.det(minor)
    return C


def _clean(x: Array) -> Array:
    return np.clip(np.nan_to_num(x, nan=_BIG, posinf=_BIG, neginf=-_BIG), -_BIG, _BIG)


class _Space:
    """The class of maps: its monomials and the coefficient vector ``theta`` (row-major ``n x M``)."""

    def __init__(self, latents: Sequence[sympy.Symbol], ansatz: Ansatz) -> None:
        self.latents = tuple(latents)
        self.n = len(self.latents)
        self.ansatz = ansatz
        self.monomials = list(ansatz.monomials(self.latents))
        self.M = len(self.monomials)
        self.size = self.n * self.M
        self.linear = [self.monomials.index(z) for z in self.latents]
        self.constant = self.monomials.index(sympy.Integer(1)) if ansatz.has_constant else None
        self.exponents = [sympy.Poly(m, *self.latents).monoms()[0] for m in self.monomials]
        self.phi = _vectorize(self.monomials, self.latents)
        self._dphi = _vectorize([sympy.diff(m, z) for m in self.monomials for z in self.latents], self.latents)

    def dphi(self, Z: Array) -> Array:
        return self._dphi(*Z.T).reshape(len(Z), self.M, self.n)

    def matrix(self, theta: Array) -> Array:
        return theta.reshape(self.n, self.M)

    def B(self, theta: Array) -> Array:
        return self.matrix(theta)[:, self.linear]

    def c(self, theta: Array) -> Array:
        return self.matrix(theta)[:, self.constant] if self.constant is not None else np.zeros(self.n)

    def theta(self, B: Array, c: Array | None = None) -> Array:
        Theta = np.zeros((self.n, self.M))
        Theta[:, self.linear] = B
        if c is not None and self.constant is not None:
            Theta[:, self.constant] = c
        return Theta.ravel()

    def coefficients(self, a: Sequence[sympy.Expr]) -> tuple[list[sympy.Expr], list[sympy.Expr]]:
        """Exact coefficients of ``a`` over the monomials (row-major), and those of monomials
        outside the class (empty for a map of the class)."""
        inside: list[sympy.Expr] = []
        outside: list[sympy.Expr] = []
        for e in a:
            poly = sympy.Poly(sympy.expand(e), *self.latents)
            terms = dict(poly.terms())
            inside.extend(sympy.sympify(terms.pop(m, 0)) for m in self.exponents)
            outside.extend(sympy.sympify(v) for v in terms.values() if v != 0)
        return inside, outside

    def to_map(self, values: Sequence[sympy.Expr]) -> Map:
        rows = [values[i * self.M:(i + 1) * self.M] for i in range(self.n)]
        return tuple(sympy.expand(sum((v * m for v, m in zip(row, self.monomials)), sympy.Integer(0))) for row in rows)

    def floats(self, a: Sequence[sympy.Expr]) -> Array:
        inside, outside = self.coefficients(a)
        if outside:
            raise ValueError("not a map of the class")
        return np.array([float(sympy.N(v)) for v in inside])


# -- residual blocks ---------------------------------------------------------------------------
class _Commute:
    """``a∘m - m∘a`` (``U = phi(m(z))``, ``G = m``) or ``Da V - V∘a`` (``U = Dphi(z) V(z)``,
    ``G = V``): the residual ``Theta U - G(Theta phi(z))`` at the sample points."""

    def __init__(self, name: str, U: Array, Phi: Array, G: Callable[[Array], Array],
                 DG: Callable[[Array], Array], n: int) -> None:
        self.name, self.U, self.Phi, self.G, self.DG, self.n = name, U, Phi, G, DG, n
        self.weight = 1.0 / (max(float(np.sqrt(np.mean(U ** 2))), 1e-3) * math.sqrt(U.shape[0] * n))

    def parts(self, Theta: Array) -> tuple[Array, Array, Array]:
        A = self.Phi @ Theta.T
        left = self.U @ Theta.T
        right = _clean(self.G(A))
        return left, right, A

    def residual(self, Theta: Array) -> Array:
        left, right, _ = self.parts(Theta)
        return ((left - right) * self.weight).ravel()

    def jacobian(self, Theta: Array) -> Array:
        _, _, A = self.parts(Theta)
        N, M = self.U.shape
        n = self.n
        DGA = _clean(self.DG(A))  # (N, n, n)
        J = np.einsum("ki,pj->pkij", np.eye(n), self.U) - np.einsum("pki,pj->pkij", DGA, self.Phi)
        return J.reshape(N * n, n * M) * self.weight

    def relative(self, Theta: Array) -> float:
        left, right, _ = self.parts(Theta)
        scale = float(np.linalg.norm(left) + np.linalg.norm(right))
        error = float(np.linalg.norm(left - right))
        return error / scale if scale > 0 else (0.0 if error == 0 else math.inf)


class _Law:
    """``T_r(B eps) = T_r(eps)`` for the cumulant tensors of the noise law that do not vanish:
    a covariance matrix ``S`` (order 2), or independent coordinates, whose tensors are
    diagonal with the coordinates' cumulants ``kappa_r`` (``T_r(B eps) = sum_j kappa_rj b_j^r``)."""

    _DIAGONAL = {1: "j,aj->a", 2: "j,aj,bj->ab", 3: "j,aj,bj,cj->abc", 4: "j,aj,bj,cj,dj->abcd"}

    def __init__(self, name: str, n: int, text: str, covariance: Array | None = None,
                 kappas: dict[int, Array] | None = None) -> None:
        self.name, self.n, self.text = name, n, text
        self.covariance, self.kappas = covariance, kappas or {}
        self.targets: dict[int, Array] = {}
        if covariance is not None:
            self.targets[2] = covariance
        for r in self.kappas:
            self.targets[r] = self._moved(np.eye(n), r)
        self.norms = {r: float(np.linalg.norm(T)) for r, T in self.targets.items()}

    def _moved(self, B: Array, r: int) -> Array:
        if self.covariance is not None:
            return B @ self.covariance @ B.T
        return np.einsum(self._DIAGONAL[r], self.kappas[r], *([B] * r))

    def residual(self, B: Array) -> Array:
        return np.concatenate([((self._moved(B, r) - T) / self.norms[r]).ravel() for r, T in self.targets.items()])

    def relative(self, B: Array) -> float:
        return max(float(np.linalg.norm(self._moved(B, r) - T)) / self.norms[r] for r, T in self.targets.items())


def _cumulants(law: Mapping[str, Any], field: str) -> dict[int, float]:
    """Cumulants of orders 1-4 of a one-dimensional law of the registry (exact formulas)."""
    cov = gaussian_covariance(law, 1)
    if cov is not None:
        return {2: float(cov[0, 0])}
    name = law["law"]
    s = float(law.get("scale", 1))
    if name == "laplace":
        return {2: 2 * s**2, 4: 12 * s**4}
    if name == "uniform":
        return {2: s**2 / 3, 4: -2 * s**4 / 15}
    if name == "exponential":
        return {1: s, 2: s**2, 3: 2 * s**3, 4: 6 * s**4}
    if name == "generalized_normal":
        beta = float(law["beta"])
        m2 = s**2 * math.gamma(3 / beta) / math.gamma(1 / beta)
        m4 = s**4 * math.gamma(5 / beta) / math.gamma(1 / beta)
        return {2: m2, 4: m4 - 3 * m2**2}
    if name == "student_t":
        nu = float(law["nu"])
        if nu <= 4:
            raise _Declined(f"{field}: student_t with nu = {law['nu']} <= 4 has no fourth cumulant, "
                            "so the moment proxy of the noise condition does not apply")
        var = s**2 * nu / (nu - 2)
        return {2: var, 4: 6 / (nu - 4) * var**2}
    raise _Declined(f"{field}: no cumulants known for the law {name!r}")


def _law_block(mechanism: Any, n: int) -> _Law:
    field = f"mechanisms.{mechanism.name}.noise"
    law = parse_law(dict(mechanism.noise), field, n)
    cov = gaussian_covariance(law, n)
    if cov is not None:
        S = np.array(sympy.Matrix(cov).evalf(), dtype=float)
        return _Law(mechanism.name, n, f"B S B^T = S, S = {cov.tolist()}", covariance=S)
    per = ([_cumulants(f, f"{field}.factors[{k}]") for k, f in enumerate(law["factors"])]
           if law["law"] == "product" else [_cumulants(law, field)] * n)
    kappas = {r: np.array([k.get(r, 0.0) for k in per]) for r in (1, 2, 3, 4) if any(k.get(r, 0.0) for k in per)}
    return _Law(mechanism.name, n, f"cumulant tensors of orders {sorted(kappas)} of B eps and eps agree", kappas=kappas)


class _Classes:
    """Distance of ``a∘m∘a^{-1} = (P, q)`` to a named class of affine mechanisms, in closed form."""

    NAMES = ("translations", "axis_translations", "diagonal", "linear", "affine", "permutations", "orthogonal")

    def __init__(self, name: str, maps: Sequence[tuple[Array, Array]], n: int) -> None:
        self.name, self.maps, self.n = name, list(maps), n
        self.weights = [1.0 / (1.0 + float(np.linalg.norm(A)) + float(np.linalg.norm(b))) for A, b in self.maps]

    def _distance(self, P: Array, q: Array) -> Array:
        n, name = self.n, self.name
        eye = np.eye(n)
        if name == "translations":
            return (P - eye).ravel()
        if name == "axis_translations":
            rest = q.copy()
            rest[int(np.argmax(np.abs(q)))] = 0.0
            return np.concatenate([(P - eye).ravel(), rest])
        if name == "diagonal":
            return np.concatenate([(P - np.diag(np.diag(P))).ravel(), q])
        if name == "linear":
            return q
        if name == "affine":
            return np.zeros(0)
        if name == "permutations":
            rows, cols = linear_sum_assignment(-P)
            Pi = np.zeros((n, n))
            Pi[rows, cols] = 1.0
            return np.concatenate([(P - Pi).ravel(), q])
        return np.concatenate([(P.T @ P - eye).ravel(), q])  # orthogonal

    def _conjugates(self, B: Array, c: Array) -> Iterator[tuple[Array, Array]]:
        for A, b in self.maps:
            P = B @ A @ np.linalg.inv(B)
            yield P, B @ b + c - P @ c

    def residual(self, B: Array, c: Array) -> Array:
        try:
            parts = [w * self._distance(P, q) for w, (P, q) in zip(self.weights, self._conjugates(B, c))]
        except np.linalg.LinAlgError:
            return np.full(len(self.residual(np.eye(self.n), np.zeros(self.n))), _BIG)
        return _clean(np.concatenate(parts)) if parts else np.zeros(0)

    def relative(self, B: Array, c: Array) -> float:
        try:
            worst = 0.0
            for P, q in self._conjugates(B, c):
                size = float(np.linalg.norm(P) + np.linalg.norm(q))
                worst = max(worst, float(np.linalg.norm(self._distance(P, q))) / max(size, 1e-300))
            return worst
        except np.linalg.LinAlgError:
            return math.inf


# -- the reported part -------------------------------------------------------------------------
def _compose(f: Map, g: Map, latents: Sequence[sympy.Symbol]) -> Map:
    """``f∘g``."""
    table = dict(zip(latents, g))
    return tuple(sympy.expand(sympy.sympify(e).xreplace(table)) for e in f)


def _gauss_newton(fun: Callable[[Array], Array], jac: Callable[[Array], Array], x: Array,
                  iterations: int = 40, tol: float = 1e-14) -> tuple[Array, float]:
    """Damped Gauss-Newton (Levenberg-Marquardt) on ``|fun(x)|^2``; stops when a step
    changes ``x`` or the cost by less than ``tol`` (relative)."""
    r = fun(x)
    cost = float(r @ r)
    damping = 1e-6
    eye = np.eye(len(x))
    for _ in range(iterations):
        J = jac(x)
        H = J.T @ J
        g = J.T @ r
        try:
            step = -np.linalg.solve(H + damping * (H * eye + 1e-12 * eye), g)
        except np.linalg.LinAlgError:
            break
        trial = x + step
        rt = fun(trial)
        ct = float(rt @ rt)
        if np.isfinite(ct) and ct < cost:
            small = cost - ct <= tol * cost or float(np.linalg.norm(step)) <= tol * (1 + float(np.linalg.norm(x)))
            x, r, cost = trial, rt, ct
            damping = max(damping / 10, 1e-12)
            if small:
                break
        else:
            damping *= 10
            if damping > 1e10:
                break
    return x, cost


class _Coset:
    """``general(t)∘d∘(z + sum_j k_j v_j)`` (``d∘general(t)∘(...)`` where ``right``): one coset of
    the reported part, with ``t`` in the allowed sign regions (``patterns``; None: any) and
    integer ``k`` over the lattice ``v``."""

    def __init__(self, space: _Space, general: Map, parameters: Sequence[sympy.Symbol], start: Sequence[float],
                 nonzero: Sequence[sympy.Expr], d: Map, lattice: Sequence[Sequence[sympy.Expr]],
                 patterns: set[tuple[int, ...]] | None, right: bool = False,
                 equations: Sequence[sympy.Expr] = ()) -> None:
        latents = space.latents
        self.element, self.patterns = d, patterns
        self.t = tuple(parameters)
        self.k = tuple(sympy.Symbol(f"_k{j}") for j in range(len(lattice)))
        shift = tuple(z + sum((k * v[i] for k, v in zip(self.k, lattice)), sympy.Integer(0)) for i, z in enumerate(latents))
        if right:  # d∘general∘shift
            image = _compose(d, _compose(general, shift, latents), latents)
        else:  # general∘d∘shift
            image = _compose(general, _compose(d, shift, latents), latents)
        inside, outside = space.coefficients(image)
        self.exprs = inside + outside + list(equations)  # equations the parameters satisfy: targets 0
        self.extra = len(outside) + len(equations)
        self.x = self.t + self.k
        self.start = np.concatenate([np.asarray(start, dtype=float), np.zeros(len(self.k))])
        self.cache = self.start.copy()
        self.nonzero = _scalar(list(nonzero), self.t) if nonzero and self.t else None
        self.F = _scalar(self.exprs, self.x)
        jacobian = [sympy.diff(e, x) for e in self.exprs for x in self.x]
        self.J = _scalar(jacobian, self.x)
        self.linear = all(sympy.diff(e, x) == 0 for e in jacobian for x in self.x)
        self.t_linear = all(sympy.diff(e, a, b) == 0 for e in self.exprs for a in self.t for b in self.t)
        zero = np.zeros(len(self.x))
        self.F0 = self.F(*zero)
        self.Jc = self.J(*zero).reshape(len(self.exprs), len(self.x))
        self.pinv = np.linalg.pinv(self.Jc) if self.linear and self.x else None

    def _f(self, x: Array) -> Array:
        if self.linear:
            return self.F0 + self.Jc @ x
        return self.F(*x)

    def _j(self, x: Array) -> Array:
        if self.linear:
            return self.Jc
        return self.J(*x).reshape(len(self.exprs), len(self.x))

    def pattern(self, t: Array) -> tuple[int, ...]:
        if self.nonzero is None:
            return ()
        return tuple(int(s) for s in np.sign(self.nonzero(*t)))

    def allowed(self, x: Array) -> bool:
        return self.patterns is None or self.pattern(x[: len(self.t)]) in self.patterns

    def nearest(self, theta: Array, thorough: bool = False, rng: np.random.Generator | None = None) -> tuple[float, Array]:
        """Relative distance of ``theta`` to the coset (inf when the nearest point lies in a
        sign region the answer does not report), and the parameters reaching it."""
        target = np.concatenate([theta, np.zeros(self.extra)]) if self.extra else theta
        scale = max(1.0, float(np.linalg.norm(theta)))
        if not self.x:
            return float(np.linalg.norm(self.F0 - target)) / scale, np.zeros(0)
        if self.linear and not self.k:
            assert self.pinv is not None
            x = self.pinv @ (target - self.F0)
            r = self.F0 + self.Jc @ x - target
            if not self.allowed(x):
                return math.inf, x
            return math.sqrt(float(r @ r)) / scale, x
        tries = []
        if self.linear:
            assert self.pinv is not None
            tries.append(self.pinv @ (target - self.F0))
        else:
            starts = [self.cache]
            if thorough:
                generator = rng if rng is not None else np.random.default_rng(0)
                size = max(1.0, float(np.max(np.abs(theta))))
                starts += [self.start, -self.start] + [self.start + generator.normal(0, s, len(self.x))
                                                       for s in (0.5, 1.0, 2.0, 4.0)]
                starts += [generator.normal(0, s * size, len(self.x)) for s in (0.1, 0.3, 1.0, 3.0) for _ in range(2)]
            for x0 in starts:
                if thorough:
                    x = self._solve(target, np.array(x0, dtype=float))
                    tries.append(x)
                    if float(np.linalg.norm(self._f(x) - target)) <= 1e-12 * scale and self.allowed(x) and not self.k:
                        break
                else:
                    x, _ = _gauss_newton(lambda x: self._f(x) - target, self._j, np.array(x0, dtype=float),
                                         iterations=8, tol=1e-6)
                    tries.append(x)
        best, best_x = math.inf, tries[0]
        for x in tries:
            for xk in self._rounded(x, thorough, target):
                if not np.all(np.isfinite(xk)):
                    continue
                d = float(np.linalg.norm(self._f(xk) - target)) / scale
                if d < best and self.allowed(xk):
                    best, best_x = d, xk
        if math.isfinite(best) and not self.linear:
            self.cache = best_x
        return best, best_x

    def _solve(self, target: Array, x0: Array) -> Array:
        """The parameters nearest ``target`` from ``x0`` (Levenberg-Marquardt, to convergence)."""
        try:
            method = "lm" if len(self.exprs) >= len(self.x) else "trf"
            result = least_squares(lambda x: self._f(x) - target, x0, jac=self._j, method=method,
                                   xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=400)
            return np.asarray(result.x, dtype=float)
        except (ValueError, np.linalg.LinAlgError):
            return _gauss_newton(lambda x: self._f(x) - target, self._j, x0)[0]

    def _rounded(self, x: Array, thorough: bool, target: Array) -> list[Array]:
        """``x`` with its lattice part rounded to integers (and neighbours when thorough), the
        parameters re-fitted."""
        if not self.k:
            return [x]
        nt = len(self.t)
        base = np.round(x[nt:])
        offsets = itertools.product((-1, 0, 1), repeat=len(self.k)) if thorough and len(self.k) <= 3 else [(0,) * len(self.k)]
        out = []
        for off in offsets:
            k = base + np.array(off, dtype=float)
            if not nt:
                out.append(k)
                continue
            fixed = lambda t, k=k: self._f(np.concatenate([t, k])) - target  # noqa: E731
            jt = lambda t, k=k: self._j(np.concatenate([t, k]))[:, :nt]  # noqa: E731
            t, _ = _gauss_newton(fixed, jt, x[:nt].copy(), iterations=20)
            out.append(np.concatenate([t, k]))
        return out

    def exact(self, values: Sequence[sympy.Expr], x: Array) -> bool | None:
        """Whether the exact coefficients ``values`` lie in the coset (None: not decided
        exactly), with the lattice part taken from the numeric nearest point ``x`` and its
        neighbours."""
        nt = len(self.t)
        targets = list(values) + [sympy.Integer(0)] * self.extra
        ks = [tuple(int(round(v)) + o for v, o in zip(x[nt:], off))
              for off in itertools.product((-1, 0, 1), repeat=len(self.k))] if self.k else [()]
        decided = True
        for kv in ks:
            table = dict(zip(self.k, [sympy.Integer(v) for v in kv]))
            equations = [sympy.expand(sympy.sympify(e).xreplace(table) - v) for e, v in zip(self.exprs, targets)]
            equations = [e for e in equations if e != 0]
            if not self.t:
                if all(_is_zero(e) for e in equations):
                    return True
                continue
            if not self.t_linear or any(not e.is_polynomial(*self.t) for e in equations):
                decided = False
                continue
            if not equations:
                return True  # every parameter value: the coset is reached (conservatively: reported)
            solutions = sympy.linsolve(equations, list(self.t))
            for solution in solutions:
                if any(sympy.sympify(v).free_symbols & set(self.t) for v in solution):
                    return True  # a family of solutions: conservatively reported
                if self.patterns is None or self._exact_pattern(solution) in self.patterns:
                    return True
        return False if decided else None

    def _exact_pattern(self, solution: Sequence[sympy.Expr]) -> tuple[int, ...]:
        if self.nonzero is None:
            return ()
        return self.pattern(np.array([float(sympy.N(v)) for v in solution]))


def _is_zero(e: sympy.Expr) -> bool:
    e = sympy.sympify(e)
    if e == 0:
        return True
    if e.is_Rational:
        return False
    return bool(sympy.simplify(e) == 0)


class _Reported:
    """The reported part of an answer as cosets (see the module docstring)."""

    def __init__(self, group: EquivarianceGroup, space: _Space) -> None:
        solution = group.solution
        latents = space.latents
        self.space = space
        identity_map: Map = tuple(latents)
        self.general = tuple(sympy.sympify(e) for e in solution.general_element)
        self.parameters = tuple(solution.parameters)
        identity = list(solution.identity) if len(solution.identity) == len(self.parameters) else []
        self.start = [float(sympy.N(v)) for v in identity] if identity else [0.0] * len(self.parameters)
        # the sign of det B (the linear part) is constant on every component, as are the signs
        # of the answer's nonzero conditions: sign patterns of these tell regions apart
        zero = {z: 0 for z in latents}
        linear = sympy.Matrix([[sympy.diff(e, z).xreplace(zero) for z in latents] for e in self.general])
        det = sympy.expand(linear.det()) if space.n <= 4 else sympy.Integer(1)
        self.nonzero = tuple(solution.nonzero) + ((det,) if det.free_symbols & set(self.parameters) else ())
        table = {p.name: p for p in self.parameters}
        self.equations = [parse_expression(str(text).split("=")[0], table, field="equations")
                          for text in dict(solution.extra).get("equations", ())]
        shifts, others = [], []
        for d in solution.discrete:
            v = [sympy.expand(sympy.sympify(e) - z) for e, z in zip(d, latents)]
            if all(not (x.free_symbols & set(latents)) for x in v) and any(x != 0 for x in v):
                shifts.append(v)
            else:
                others.append(tuple(sympy.sympify(e) for e in d))
        self.lattice = shifts
        counted = solution.components
        family = self._coset(identity_map, None, lattice=False)
        known = len(solution.identity) == len(self.parameters)
        base_pattern = family.pattern(np.array(self.start)) if known else None
        flips: list[Map] = []
        other: list[Map] = []
        for d in others:
            try:
                distance, _ = family.nearest(space.floats(d), thorough=True)
            except ValueError:  # not a map of the class: a coset of its own
                distance = math.inf
            (flips if distance < 1e-9 else other).append(d)
        if counted is None or base_pattern is None:
            patterns: set[tuple[int, ...]] | None = None
        else:
            patterns = self._sign_regions(family, flips, base_pattern)
        self.patterns = patterns
        listed = (len(patterns) if patterns is not None else 1) * (1 + len(other))
        self.listed = listed
        if solution.is_group is False:
            self.semantics = "listed"
        elif counted is not None and listed >= counted:
            self.semantics = "listed"
        else:
            self.semantics = "generated"
        self.truncated = False
        if self.semantics == "listed":
            self.cosets = [self._coset(d, patterns) for d in [identity_map] + other]
            if solution.is_group is False:  # a set, not a group: a piece may be d∘family as well as family∘d
                self.cosets += [self._coset(d, patterns, right=True) for d in other]
        else:
            self.cosets = self._closure(other + flips, patterns, limit=MAX_COSETS)
        self.found: list[Any] = []

    def _sign_regions(self, family: _Coset, flips: Sequence[Map], base: tuple[int, ...]) -> set[tuple[int, ...]]:
        """The sign regions of the family reached by the group the family's own listed
        elements (``flips``) generate."""
        latents = self.space.latents
        patterns = {base}
        queue = list(flips)
        while queue and len(patterns) < MAX_COSETS:
            e = queue.pop(0)
            try:
                distance, x = family.nearest(self.space.floats(e), thorough=True)
            except ValueError:
                continue
            pattern = family.pattern(x[: len(self.parameters)])
            if distance >= 1e-9 or pattern in patterns:
                continue
            patterns.add(pattern)
            queue.extend(_compose(e, g, latents) for g in flips)
        return patterns

    def _coset(self, d: Map, patterns: set[tuple[int, ...]] | None, lattice: bool = True, right: bool = False) -> _Coset:
        return _Coset(self.space, self.general, self.parameters, self.start, self.nonzero, d,
                      self.lattice if lattice else [], patterns, right, self.equations)

    def _closure(self, generators: Sequence[Map], patterns: set[tuple[int, ...]] | None, limit: int) -> list[_Coset]:
        """The cosets of the identity and of the products of ``generators`` (compared numerically)."""
        latents = self.space.latents
        elements: list[Map] = [tuple(latents)]
        cosets = [self._coset(elements[0], patterns)]
        queue = list(generators)
        while queue:
            e = queue.pop(0)
            try:
                target = self.space.floats(e)
            except ValueError:
                continue
            if any(c.nearest(target, thorough=True)[0] < 1e-9 for c in cosets):
                continue
            if len(elements) >= limit:
                self.truncated = True
                break
            elements.append(e)
            cosets.append(self._coset(e, patterns))
            queue.extend(_compose(e, g, latents) for g in generators)
        return cosets

    def add(self, a: Map, theta: Array, tangent: Array) -> None:
        """Count ``a`` (a proved element, coefficients ``theta``) as found, so that later
        candidates it explains are skipped: its cosets (for a pure shift, every reported coset
        with the shift added to the lattice), and, where the solution set around it has more
        directions (``tangent``) than the reported family there, the affine span of those."""
        latents = self.space.latents
        coset = self._coset(a, self.patterns)
        self.found.append(coset)
        _, x = coset.nearest(theta, thorough=True)
        J = coset._j(x)[: len(theta)] if len(x) else np.zeros((len(theta), 0))
        if tangent.shape[1] > np.linalg.matrix_rank(J, tol=1e-8 * max(1.0, float(np.abs(J).max(initial=0.0)))):
            self.found.append(_Span(theta, tangent))
        v = [sympy.expand(e - z) for e, z in zip(a, latents)]
        if all(not (x.free_symbols & set(latents)) for x in v):
            saved = self.lattice
            self.lattice = saved + [v]
            try:
                self.found.extend(self._coset(c.element, self.patterns) for c in self.cosets)
            finally:
                self.lattice = saved

    def distance(self, theta: Array, thorough: bool = False, found: bool = True) -> float:
        cosets = self.cosets + (self.found if found else [])
        return min((c.nearest(theta, thorough)[0] for c in cosets), default=math.inf)

    def nearest_point(self, theta: Array) -> tuple[float, Array]:
        """The relative distance to the nearest reported coset, and the nearest point there."""
        best, point = math.inf, theta
        for coset in self.cosets + self.found:
            d, x = coset.nearest(theta)
            if d < best:
                best, point = d, coset._f(x)[: len(theta)]
        return best, point

    def outside(self, values: Sequence[sympy.Expr], theta: Array) -> tuple[bool, str]:
        """Whether the exact map (its coefficients ``values``) lies outside every reported coset,
        and how that was decided."""
        numeric = []
        for coset in self.cosets:
            distance, x = coset.nearest(theta, thorough=True)
            verdict = coset.exact(values, x)
            if verdict is True:
                return False, "in a reported coset (exact)"
            if verdict is None:
                numeric.append(distance)
        if numeric and min(numeric) <= MARGIN:
            return False, "within the margin of a reported coset (numeric)"
        if numeric:
            return True, (f"outside the reported part: exact for {len(self.cosets) - len(numeric)} coset(s), numeric for "
                          f"{len(numeric)} (relative distance {min(numeric):.3g})")
        return True, f"outside every one of the {len(self.cosets)} reported coset(s) (exact linear algebra over the parameters)"


# -- recognition -------------------------------------------------------------------------------
def recognise(x: float, deep: bool = True, rational: bool = False) -> sympy.Expr | None:
    """An exact number for the float ``x``: a small rational, a rational multiple of pi, the
    square root of a small rational, or (``deep``, slower) a short expression
    :func:`sympy.nsimplify` finds with ``pi`` (None when nothing simple is within ``1e-11``
    relative); only small rationals where ``rational``.

    >>> recognise(6.283185307179586), recognise(-0.5), recognise(1.4142135623730951), recognise(0.123456789)
    (2*pi, -1/2, sqrt(2), None)
    """
    if not math.isfinite(x):
        return None
    tol = 1e-11 * max(1.0, abs(x))
    if abs(x) < 1e-11:
        return sympy.Integer(0)
    f = Fraction(x).limit_denominator(1000)
    if abs(x - f) <= tol and abs(f.numerator) <= 10**6:
        return sympy.Rational(f.numerator, f.denominator)
    if rational:
        return None
    r = Fraction(x / math.pi).limit_denominator(24)
    if r != 0 and abs(x - float(r) * math.pi) <= tol and abs(r.numerator) <= 10**3:
        return sympy.Rational(r.numerator, r.denominator) * sympy.pi
    square = Fraction(x * x).limit_denominator(1000)
    if square > 0 and abs(abs(x) - math.sqrt(square)) <= tol and square.numerator <= 10**4:
        root = sympy.sqrt(sympy.Rational(square.numerator, square.denominator))
        return root if x > 0 else -root
    if not deep:
        return None
    e = sympy.nsimplify(x, [sympy.pi], tolerance=tol / 10, rational=False)
    if e.is_number and not e.is_Float and sympy.count_ops(e) <= 6 and abs(float(e) - x) <= tol:
        return e
    return None


def _simple_values(x: float) -> list[float]:
    """Simple values to try for a coefficient: zero when it is small, its sign, the nearest
    integer, zero, the nearest half (in this order, without repeats)."""
    out: list[float] = [0.0] if abs(x) < 0.5 else []
    for v in (math.copysign(1.0, x), float(round(x)), 0.0, round(2 * x) / 2):
        if v not in out:
            out.append(v)
    return out


def _simple(x: float) -> bool:
    return abs(2 * x - round(2 * x)) <= 1e-12 * max(1.0, abs(x))


def _simplicity(theta: Array) -> tuple[int, float]:
    """Sort key: candidates with fewer non-simple coefficients, then smaller ones, first."""
    return sum(not _simple(float(v)) for v in theta), float(np.max(np.abs(theta)))


# -- the examiner ------------------------------------------------------------------------------
class _Examiner:
    def __init__(self, group: EquivarianceGroup, *, starts: int, seed: int, tolerance: float, points: int) -> None:
        self.group = group
        self.system = group.system
        self.tolerance = tolerance
        self.rng = np.random.default_rng(seed)
        self.requested = starts
        kind = group.solution.kind
        if kind == "finite" or self.system.states is not None:
            raise _Declined("finite-state answer: every permutation of the states is searched exactly, so it is complete by construction")
        ansatz = group.ansatz
        if ansatz.kind == "finite":
            raise _Declined("the class 'finite' has no coefficients to search")
        self.space = _Space(group.latents, ansatz)
        if self.space.size > 80:
            raise _Declined(f"{self.space.size} unknown coefficients: more than the numeric search handles (80)")
        self.conditions: list[str] = []
        self.tau = HINGE[1]
        self._sample(points)
        self.polynomial = ansatz.kind == "polynomial"
        self.dphi = self.space.dphi(self.Z) if self.polynomial else np.zeros((0, self.space.M, self.space.n))
        if self.polynomial:
            self.conditions.append("det Da(z) = det Da(0) (a polynomial automorphism has a constant Jacobian determinant)")
        self.blocks: list[_Commute] = []
        self.laws: list[_Law] = []
        self.classes: list[_Classes] = []
        learner = self.system.learner
        if isinstance(learner, Mapping) and learner.get("knows") == "class":
            self._class_condition(learner)
        elif learner is not None and not (isinstance(learner, Mapping) and learner.get("knows") == "exact"):
            raise _Declined(f"learner {learner!r}: not a class of mechanisms the examiner knows")
        else:
            for mechanism in self.system.mechanisms:
                self.blocks.append(self._commute_block(mechanism))
                if mechanism.noise is not None:
                    if ansatz.kind == "polynomial":
                        raise _Declined("noise with a polynomial class: the law condition B eps ~ eps is stated for affine maps")
                    law = _law_block(mechanism, self.space.n)
                    self.laws.append(law)
                    self.conditions.append(f"{mechanism.name}: {law.text}")
        self.reported = _Reported(group, self.space)

    # -- the conditions --
    def _sample(self, points: int) -> None:
        n = self.space.n
        families = self.system.families
        scales = np.array([SCALES[k % len(SCALES)] for k in range(points)])
        Z = self.rng.normal(size=(points, n)) * scales[:, None]
        D = self.rng.normal(size=(points, len(families))) * scales[:, None]
        self.Z, self.D = Z, D
        self.Phi = self.space.phi(*Z.T)

    def _commute_block(self, mechanism: Any) -> _Commute:
        latents, families = self.space.latents, self.system.families
        symbols = list(latents) + list(families)
        components = list(mechanism.components)
        G = _vectorize(components, symbols)
        DG = _vectorize([sympy.diff(e, z) for e in components for z in latents], symbols)
        n = self.space.n
        with np.errstate(all="ignore"):
            values = G(*self.Z.T, *self.D.T)
        keep = np.all(np.isfinite(values), axis=1) & np.all(np.isfinite(self.Phi), axis=1)
        if keep.sum() < max(8, self.space.size // n + 1):
            raise _Declined(f"mechanism {mechanism.name}: too few sample points with finite values")
        Z, D = self.Z[keep], self.D[keep]
        Phi = self.Phi[keep]
        if mechanism.is_flow:
            U = np.einsum("pmj,pj->pm", self.space.dphi(Z), values[keep])
            self.conditions.append(f"{mechanism.name}: Da(z) V(z) - V(a(z)) = 0")
        else:
            U = self.space.phi(*values[keep].T)
            self.conditions.append(f"{mechanism.name}: a(m(z)) - m(a(z)) = 0")

        def g(X: Array) -> Array:
            return G(*X.T, *D.T)

        def dg(X: Array) -> Array:
            return DG(*X.T, *D.T).reshape(len(X), n, n)

        return _Commute(mechanism.name, U, Phi, g, dg, n)

    def _class_condition(self, learner: Mapping[str, Any]) -> None:
        name = learner.get("class")
        if not isinstance(name, str) or name not in _Classes.NAMES:
            raise _Declined("learner class given by a template: no closed-form distance to it")
        system = self.system
        if system.flows or system.families or any(m.noise for m in system.mechanisms):
            raise _Declined("a class of mechanisms with flows, families or noise: not examined")
        if self.space.ansatz.kind == "polynomial":
            raise _Declined("a class of mechanisms with a polynomial class of maps: not examined")
        maps = []
        latents = self.space.latents
        for m in system.mechanisms:
            try:
                rows = [sympy.Poly(e, *latents) for e in m.components]
            except sympy.PolynomialError:
                raise _Declined(f"mechanism {m.name}: not affine, so no class distance") from None
            if any(p.total_degree() > 1 or any(c.free_symbols for c in p.coeffs()) for p in rows):
                raise _Declined(f"mechanism {m.name}: not affine, so no class distance")
            A = np.array([[float(sympy.N(p.coeff_monomial(z))) for z in latents] for p in rows])
            b = np.array([float(sympy.N(p.coeff_monomial(1))) for p in rows])
            maps.append((A, b))
        self.classes.append(_Classes(name, maps, self.space.n))
        self.conditions.append(f"a∘m∘a^-1 in the class {name} (closed-form distance of (P, q))")

    # -- the objective --
    def _determinant(self, theta: Array) -> tuple[Array, float]:
        """``det Da(z) - det Da(0)`` at the sample points (a polynomial automorphism has a
        constant Jacobian determinant), and ``det Da(0)``."""
        D = np.einsum("im,pmj->pij", self.space.matrix(theta), self.dphi)
        base = float(np.linalg.det(self.space.B(theta)))
        return np.linalg.det(D) - base, base

    def _determinant_jacobian(self, theta: Array) -> Array:
        """The derivative of :meth:`_determinant` (``d det D = sum cofactor(D) * dD``)."""
        space = self.space
        D = np.einsum("im,pmj->pij", space.matrix(theta), self.dphi)
        cofactors = _cofactors(D)  # (N, n, n)
        J = np.einsum("pij,pmj->pim", cofactors, self.dphi)  # d det D_p / d Theta_im
        G = np.zeros((space.n, space.M))
        G[:, space.linear] = _cofactors(space.B(theta)[None])[0]
        return (J - G[None]).reshape(len(D), space.size)

    def _conditions(self, theta: Array) -> Array:
        """The noise-law and class residuals (differentiated numerically: they are small)."""
        B, c = self.space.B(theta), self.space.c(theta)
        parts = [law.residual(B) for law in self.laws] + [cls.residual(B, c) for cls in self.classes]
        return _clean(np.concatenate(parts)) if parts else np.zeros(0)

    def _guards(self, theta: Array, penalised: bool) -> tuple[Array, Array]:
        """The invertibility hinge and (``penalised``) the penalty on closeness to the reported
        part, with their gradients (analytic: the derivative of sigma_min is u v^T; the
        distance's is the direction from the nearest reported point, by the envelope theorem)."""
        space = self.space
        values, gradients = np.zeros(2), np.zeros((2, space.size))
        B = space.B(theta)
        weight, tau = HINGE[0], self.tau
        if np.all(np.isfinite(B)):
            U, sv, Vt = np.linalg.svd(B)
            smallest = float(sv[-1])
            if smallest < tau:
                values[0] = weight * math.log(tau / max(smallest, 1e-300))
                dB = -weight / max(smallest, 1e-300) * np.outer(U[:, -1], Vt[-1])
                G = np.zeros((space.n, space.M))
                G[:, space.linear] = dB
                gradients[0] = G.ravel()
        if not penalised:
            return values[:1], gradients[:1]
        strength, width = PENALTY
        d, point = self.reported.nearest_point(theta)
        if math.isfinite(d) and d < 6 * width:
            p = math.sqrt(strength) * math.exp(-0.5 * (d / width) ** 2)
            values[1] = p
            gap = theta - point
            size = float(np.linalg.norm(gap))
            if size > 0:
                gradients[1] = p * (-d / width**2) * gap / (size * max(1.0, float(np.linalg.norm(theta))))
        return values, gradients

    def residual(self, theta: Array, penalised: bool) -> Array:
        Theta = self.space.matrix(theta)
        parts = [b.residual(Theta) for b in self.blocks] + [self._conditions(theta)]
        if self.polynomial:
            parts.append(_clean(self._determinant(theta)[0]) / math.sqrt(len(self.Z)))
        parts.append(self._guards(theta, penalised)[0])
        return np.concatenate(parts)

    def jacobian(self, theta: Array, penalised: bool, free: Index) -> Array:
        Theta = self.space.matrix(theta)
        parts = [b.jacobian(Theta)[:, free] for b in self.blocks]
        base = self._conditions(theta)
        if len(base):
            J = np.empty((len(base), len(free)))
            for col, i in enumerate(free):
                h = 1e-7 * max(1.0, abs(theta[i]))
                moved = theta.copy()
                moved[i] += h
                J[:, col] = (self._conditions(moved) - base) / h
            parts.append(J)
        if self.polynomial:
            parts.append(_clean(self._determinant_jacobian(theta))[:, free] / math.sqrt(len(self.Z)))
        parts.append(self._guards(theta, penalised)[1][:, free])
        return np.vstack(parts)

    def relative(self, theta: Array) -> float:
        Theta = self.space.matrix(theta)
        B, c = self.space.B(theta), self.space.c(theta)
        values = [b.relative(Theta) for b in self.blocks] + [law.relative(B) for law in self.laws]
        values += [cls.relative(B, c) for cls in self.classes]
        if self.polynomial:
            gap, base = self._determinant(theta)
            size = math.sqrt(len(gap)) * abs(base) + float(np.linalg.norm(gap + base))
            values.append(float(np.linalg.norm(gap)) / size if size > 0 else math.inf)
        return max(values, default=math.inf)

    def minimise(self, theta0: Array, penalised: bool, free: Index | None = None, nfev: int = 200) -> Array:
        if free is None:
            free = np.arange(self.space.size)
        base = theta0.copy()

        def f(x: Array) -> Array:
            theta = base.copy()
            theta[free] = x
            return self.residual(theta, penalised)

        def j(x: Array) -> Array:
            theta = base.copy()
            theta[free] = x
            return self.jacobian(theta, penalised, free)

        x0 = theta0[free]
        method = "lm" if len(f(x0)) >= len(free) else "trf"
        tol = 1e-15 if not penalised else 1e-8
        result = least_squares(f, x0, jac=j, method=method, xtol=tol, ftol=tol, gtol=tol, max_nfev=nfev, x_scale="jac")
        theta = base.copy()
        theta[free] = result.x
        return theta

    def invertible(self, theta: Array) -> bool:
        """A well-conditioned linear part; for a polynomial class also a constant Jacobian
        determinant at the sample points (every polynomial automorphism has one)."""
        B = self.space.B(theta)
        if not np.all(np.isfinite(B)):
            return False
        s = np.linalg.svd(B, compute_uv=False)
        if not (s[-1] > 1e-8 * s[0] and s[-1] > 1e-6):
            return False
        if not self.polynomial:
            return True
        gap, _ = self._determinant(theta)
        return bool(np.all(np.isfinite(gap)) and float(np.max(np.abs(gap))) <= 1e-7 * max(float(np.prod(s)), 1e-300))

    # -- starts --
    def plan(self) -> list[tuple[str, Array]]:
        space, rng, count = self.space, self.rng, self.requested
        n, M = space.n, space.M
        higher = [j for j in range(M) if j not in space.linear and j != space.constant]
        has_c = space.constant is not None

        def theta(B: Array, c: Array | None = None, spread: float = 0.0) -> Array:
            th = space.matrix(space.theta(B, c)).copy()
            if spread and higher:
                th[:, higher] = rng.normal(0, spread, (n, len(higher)))
            return th.ravel()

        signed = [np.diag(signs) @ np.eye(n)[list(p)] for p in itertools.permutations(range(n))
                  for signs in itertools.product((1.0, -1.0), repeat=n)] if n <= 3 else []
        exhaustive = bool(signed) and count >= len(signed) + 8
        n_perm = len(signed) if exhaustive else max(1, count // 4)
        rest = max(0, count - n_perm)
        n_identity = max(1, rest // 6)
        n_shift = rest // 2 if has_c else 0
        n_gauss = max(0, rest - n_identity - n_shift)

        def random_signed() -> Array:
            return np.diag(rng.choice([-1.0, 1.0], n)) @ np.eye(n)[rng.permutation(n)]

        kinds: dict[str, list[Array]] = {"identity": [], "signed_permutation": [], "large_shift": [], "gaussian": []}
        for _ in range(n_identity):
            kinds["identity"].append(theta(np.eye(n) + rng.normal(0, 0.3, (n, n)), rng.normal(0, 0.3, n), 0.1))
        if signed:  # n <= 3: all of them, or a random subset
            perms = signed if exhaustive else [signed[i] for i in rng.permutation(len(signed))[:n_perm]]
        else:  # random ones, every other one scaled
            perms = [random_signed() @ (np.diag(np.exp(rng.normal(0, 1, n))) if k % 2 else np.eye(n))
                     for k in range(n_perm)]
        for P in perms:
            kinds["signed_permutation"].append(theta(P, np.zeros(n)))
        ladder = (2, -2, 1, -1, 4, -4, 3, -3)  # multiples of pi, in turn with uniform draws in [-20, 20]
        for k in range(n_shift):
            j = k // 2
            P = (np.eye(n), -np.eye(n), random_signed())[j % 3]
            c = rng.uniform(-20, 20, n) if k % 2 else math.pi * ladder[j % len(ladder)] * rng.choice([-1.0, 1.0], n)
            along = (j + j // 3) % (n + 1)  # along one coordinate in turn, then along all of them
            if along < n:
                c[np.arange(n) != along] = 0.0
            kinds["large_shift"].append(theta(P, c))
        for _ in range(n_gauss):
            B = rng.normal(0, 1, (n, n))
            kinds["gaussian"].append(theta(B, rng.normal(0, 1, n), 0.3))
        order: list[tuple[str, Array]] = []
        lists = [(k, v) for k, v in kinds.items() if v]
        for i in range(max((len(v) for _, v in lists), default=0)):
            order.extend((k, v[i]) for k, v in lists if i < len(v))
        self.planned = {k: len(v) for k, v in kinds.items()}
        return order

    # -- the search --
    def search(self, budget: float, started: float) -> tuple[list[tuple[Candidate, Array]], dict[str, int], bool, int]:
        run: dict[str, int] = {}
        found: list[tuple[Candidate, Array]] = []
        inside = 0
        stopped = False
        for kind, theta0 in self.plan():
            if time.perf_counter() - started > budget:
                stopped = True
                break
            run[kind] = run.get(kind, 0) + 1
            try:  # the hinge keeps sigma_min(B) near the start's while the penalty acts
                self.tau = max(HINGE[1], 0.2 * float(np.linalg.svd(self.space.B(theta0), compute_uv=False)[-1]))
                theta = self.minimise(theta0, penalised=True, nfev=60)
                self.tau = HINGE[1]
                theta = self.minimise(theta, penalised=False, nfev=200)
            except (ValueError, np.linalg.LinAlgError):
                continue
            finally:
                self.tau = HINGE[1]
            residual = self.relative(theta)
            if not residual < self.tolerance or not self.invertible(theta):
                continue
            distance = self.reported.distance(theta, thorough=True)
            if distance <= MARGIN:
                inside += 1
                continue
            if any(float(np.linalg.norm(theta - t)) <= 1e-6 * max(1.0, float(np.linalg.norm(t))) for _, t in found):
                continue
            rows = tuple(tuple(float(v) for v in row) for row in self.space.matrix(theta))
            found.append((Candidate(rows, tuple(str(m) for m in self.space.monomials), residual, distance, kind), theta))
        return found, run, stopped, inside

    # -- deciding a candidate --
    def snapped(self, theta: Array) -> Iterator[Array]:
        """``theta``, then points of its solution set with more and more coefficients fixed
        to simple values (the residual stays zero, the point stays outside the reported part)."""
        yield theta
        free = list(range(self.space.size))
        fixed = [i for i in free if _simple(float(theta[i]))]
        for i in [i for i in free if i not in fixed]:
            for value in _simple_values(float(theta[i])):
                trial = theta.copy()
                trial[i] = value
                rest = np.array([j for j in free if j != i and j not in fixed], dtype=np.intp)
                try:
                    trial = self.minimise(trial, penalised=False, free=rest, nfev=100) if len(rest) else trial
                except (ValueError, np.linalg.LinAlgError):
                    continue
                if (self.relative(trial) < self.tolerance and self.invertible(trial)
                        and self.reported.distance(trial, thorough=True) > MARGIN):
                    theta = trial
                    fixed.append(i)
                    yield theta
                    break

    def decide(self, theta: Array) -> tuple[str, Map | None, str, Array]:
        """``("proved", map, evidence, point)``, ``("inside", map, why, point)`` or
        ``("unproved", map or None, reason, point)``: the numeric point is the one recognised."""
        tried: set[Map] = set()
        last: tuple[Map | None, str] = (None, "no coefficient vector of its solution set was recognised exactly")
        point = theta
        for point in self.snapped(theta):  # small rationals while coefficients are being fixed
            verdict = self._try(point, tried, rational=True)
            if verdict is not None:
                if verdict[0] == "not a member":
                    last = (verdict[1], verdict[2])
                    continue
                return verdict[0], verdict[1], verdict[2], point
        for deep in (False, True):  # the last point: multiples of pi, square roots, then nsimplify
            verdict = self._try(point, tried, rational=False, deep=deep)
            if verdict is not None and verdict[0] != "not a member":
                return verdict[0], verdict[1], verdict[2], point
            if verdict is not None:
                last = (verdict[1], verdict[2])
        return "unproved", last[0], last[1], point

    def _try(self, point: Array, tried: set[Map], rational: bool, deep: bool = False) -> tuple[str, Map, str] | None:
        """Recognise ``point`` and decide the exact map (None: not recognised, or tried before)."""
        values = []
        for v in point:
            e = recognise(float(v), deep=deep, rational=rational)
            if e is None:
                return None
            values.append(sympy.sympify(e))
        a = self.space.to_map(values)
        if a in tried:
            return None
        tried.add(a)
        try:
            membership = self.group.membership(a)
        except VerificationError as exc:
            return "proved", a, f"equivid's membership: {exc}"
        except EquividError as exc:  # membership undecided (unsupported, over budget)
            return "not a member", a, f"the exact check did not decide: {exc}"
        if not membership.member:
            why = [w for w, ok in (("not in the class", membership.in_ansatz), ("not invertible", membership.invertible),
                                   ("does not commute", membership.commutes)) if ok is False]
            return "not a member", a, "the recognised map fails the exact check: " + ", ".join(why)
        if membership.in_reported is False:
            return "proved", a, "a member (exact), not in the reported part (equivid's membership: in_reported is False)"
        outside, how = self.reported.outside(values, point)
        if outside:
            return "proved", a, "a member (exact); " + how
        return "inside", a, how

    def shortest_shift(self, a: Map, why: str, point: Array) -> tuple[Map, str, Array]:
        """For a proved pure shift ``z + v``, the shortest proved ``z + v/k`` (``k <= 8``): the
        lattice's generator rather than a multiple of it (of a group, the one whose first
        non-zero entry is positive)."""
        latents = self.space.latents
        v = [sympy.expand(e - z) for e, z in zip(a, latents)]
        if any(x.free_symbols & set(latents) for x in v):
            return a, why, point
        first = next((x for x in v if x != 0), sympy.Integer(0))
        sign = -1 if self.group.solution.is_group is not False and bool(sympy.N(first) < 0) else 1
        for k in [sign * k for k in range(8, 1, -1)] + ([-1] if sign == -1 else []):
            shorter = tuple(z + x / k for z, x in zip(latents, v))
            values, _ = self.space.coefficients(shorter)
            theta = np.array([float(sympy.N(x)) for x in values])
            verdict = self._try(theta, set(), rational=False)
            if verdict is not None and verdict[0] == "proved" and verdict[1] == shorter:
                return shorter, verdict[2], theta
        return a, why, point

    def tangent(self, theta: Array) -> Array:
        """An orthonormal basis of the directions in which the residual vanishes to first
        order at ``theta`` (the tangent space of the solution set there)."""
        J = self.jacobian(theta, False, np.arange(self.space.size))
        _, sv, Vt = np.linalg.svd(J, full_matrices=True)
        rank = int(np.sum(sv > 1e-8 * max(float(sv[0]) if len(sv) else 0.0, 1e-300)))
        return np.asarray(Vt[rank:].T)


class _Span:
    """``theta0 + span(basis)``: a continuous family of missed elements found around a proved one."""

    def __init__(self, theta0: Array, basis: Array) -> None:
        self.theta0, self.basis = theta0, basis

    def nearest(self, theta: Array, thorough: bool = False) -> tuple[float, Array]:
        gap = theta - self.theta0
        point = self.theta0 + self.basis @ (self.basis.T @ gap)
        return float(np.linalg.norm(theta - point)) / max(1.0, float(np.linalg.norm(theta))), point

    def _f(self, x: Array) -> Array:
        return x


def cross_examine(group: EquivarianceGroup, *, starts: int = 64, seed: int = 0, tolerance: float = 1e-9,
                  budget_seconds: float = 10.0, points: int = POINTS) -> CrossExamination:
    """Search the answer's class numerically for commuting maps the answer lacks, and decide
    every find exactly (see the module docstring for the method).

    ``starts`` minimisations (of four kinds) at ``points`` sample points, deterministic from
    ``seed``; a candidate needs a relative residual below ``tolerance``; the search stops
    between starts once ``budget_seconds`` are spent. Answers the search does not apply to
    (finite-state answers, class templates, ...) come back with ``searched["declined"]``
    saying why, and nothing found.

    Parameters
    ----------
    group : EquivarianceGroup
        A solved group (from :func:`equivid.solve`).
    starts : int, default 64
        The number of minimisations, split among the four kinds of start.
    seed : int, default 0
        Seeds the starts and the sample points: the search is deterministic.
    tolerance : float, default 1e-9
        The relative residual below which a numeric map is a candidate.
    budget_seconds : float, default 10.0
        Wall-clock seconds after which the search stops (between starts), saying so.
    points : int, default 64
        The number of sample points at which the commutation is measured.

    Returns
    -------
    CrossExamination
        What was searched, the numeric candidates, the maps proved missing from the
        answer (with evidence) and the candidates that could not be proved.

    Examples
    --------
    >>> import equivid
    >>> from equivid.cli import EXAMPLES
    >>> walk = equivid.load(EXAMPLES / "laplace_walk.yaml")
    >>> report = cross_examine(equivid.solve(walk), starts=12, budget_seconds=5)
    >>> report.proved, report.searched["class"], report.searched["declined"]
    ((), 'affine', None)
    """
    started = time.perf_counter()
    searched: dict[str, Any] = {
        "class": str(group.ansatz),
        "class_description": group.ansatz.describe() if group.ansatz.kind != "finite" else "permutations of the states",
        "answer_kind": group.solution.kind,
        "answer_complete": group.complete,
        "starts": starts,
        "seed": seed,
        "tolerance": tolerance,
        "margin": MARGIN,
        "points": points,
        "point_scales": list(SCALES),
        "budget_seconds": budget_seconds,
        "declined": None,
    }
    try:
        with np.errstate(all="ignore"):
            examiner = _Examiner(group, starts=starts, seed=seed, tolerance=tolerance, points=points)
    except (_Declined, SpecError) as exc:
        searched.update({"declined": str(exc), "seconds": time.perf_counter() - started, "stopped_by_budget": False})
        return CrossExamination(searched, (), (), ())
    except (sympy.PolynomialError, ValueError, TypeError, NotImplementedError) as exc:
        reason = f"the answer could not be read as maps of the class ({type(exc).__name__}: {exc})"
        searched.update({"declined": reason, "seconds": time.perf_counter() - started, "stopped_by_budget": False})
        return CrossExamination(searched, (), (), ())
    reported = examiner.reported
    searched.update({
        "unknowns": examiner.space.size,
        "monomials": [str(m) for m in examiner.space.monomials],
        "conditions": examiner.conditions,
        "penalty": (f"{PENALTY[0]} * exp(-d^2 / {PENALTY[1]}^2), d the relative coefficient distance to the nearest "
                    "reported coset; invertibility hinge on sigma_min(B); polished without the penalty"),
        "reported_part": {"reading": reported.semantics, "cosets": len(reported.cosets), "lattice": len(reported.lattice),
                          "sign_regions": None if reported.patterns is None else len(reported.patterns),
                          "closure_truncated": reported.truncated},
    })
    with np.errstate(all="ignore"):
        found, run, stopped, inside = examiner.search(budget_seconds, started)
        searched_at = time.perf_counter()
        proved: list[Map] = []
        evidence: list[str] = []
        unproved: list[Unproved] = []
        decided = after = covered = 0
        cut = False
        for candidate, theta in sorted(found, key=lambda pair: _simplicity(pair[1])):
            if decided >= MAX_DECISIONS or (decided and time.perf_counter() - started > 2 * budget_seconds):
                cut = True
                break
            if reported.found and min(c.nearest(theta, thorough=True)[0] for c in reported.found) <= MARGIN:
                covered += 1  # in the coset of an element already proved
                continue
            decided += 1
            verdict, a, why, point = examiner.decide(theta)
            if verdict == "proved" and a is not None:
                a, why, point = examiner.shortest_shift(a, why, point)
                if a not in proved:
                    proved.append(a)
                    evidence.append(why)
                    try:
                        reported.add(a, examiner.space.floats(a), examiner.tangent(point))
                    except (ValueError, sympy.PolynomialError, np.linalg.LinAlgError):
                        pass
            elif verdict == "inside":
                after += 1
            else:
                unproved.append(Unproved(candidate, why, a))
    searched.update({
        "starts_planned": examiner.planned,
        "starts_run": run,
        "stopped_by_budget": stopped,
        "converged_inside": inside,
        "decided": decided,
        "covered_by_proved": covered,
        "decisions_cut": cut,
        "undecided": len(found) - decided - covered,
        "inside_after_recognition": after,
        "search_seconds": searched_at - started,
        "seconds": time.perf_counter() - started,
    })
    return CrossExamination(searched, tuple(c for c, _ in found), tuple(proved), tuple(unproved), tuple(evidence))


def reported_components(group: EquivarianceGroup) -> int:
    """How many components the reported part lists as the examiner reads it (cosets times the
    sign regions of the family they reach): what an answer that lists exactly these elements
    would count. Used to plant omissions that keep an answer's count consistent.

    >>> import equivid
    >>> reported_components(equivid.solve(equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})))
    4
    """
    space = _Space(group.latents, group.ansatz)
    with np.errstate(all="ignore"):
        return _Reported(group, space).listed


# -- the pipeline's use ------------------------------------------------------------------------
#: The quick search :func:`equivid.solve` runs by default behind answers whose completeness
#: rests on a hand-picked candidate list (the budget is generous so that, on any machine,
#: the number of starts and not the clock bounds the search).
QUICK: dict[str, Any] = {"starts": 16, "budget_seconds": 20.0}


def incorporate(group: EquivarianceGroup, report: CrossExamination) -> EquivarianceGroup:
    """``group`` with ``report`` attached (its notes and JSON say what was searched).

    Where ``report`` proved elements the answer lacks, the answer is no longer complete: a
    family answer gains them as discrete elements (a proved pure shift makes the discrete
    part infinite), its component count becomes undetermined, and its dimension and
    discrete claims become lower bounds naming the elements; a class or noise answer keeps
    its exact defining condition and its claims become lower bounds naming the elements.
    The amended answer is re-verified by the checker.

    >>> import dataclasses, equivid
    >>> group = equivid.solve(equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]}))
    >>> tampered = dataclasses.replace(group, solution=dataclasses.replace(group.solution, discrete=()))
    >>> amended = incorporate(tampered, cross_examine(tampered, starts=12, budget_seconds=5))
    >>> amended.complete, len(amended.discrete) > 0
    (False, True)
    """
    if not report.proved:
        return dataclasses.replace(group, examination=report)
    solution, system = group.solution, group.system
    plural = len(report.proved) > 1
    reason = (f"the cross-examination proved {'; '.join(_show(a) for a in report.proved)} "
              f"{'commute' if plural else 'commutes'} with every mechanism but "
              f"{'lie' if plural else 'lies'} outside the solver part's answer")
    found = solution.completeness
    if solution.kind == "family":
        added = tuple(a for a in report.proved if a not in solution.discrete)
        shift = any(_pure_shift(a, group.latents) for a in added)
        amended = dataclasses.replace(
            solution, discrete=solution.discrete + added, components=None,
            completeness=Completeness(Claim(False, reason), Claim(False, reason), found.infinite_discrete or shift))
    else:
        amended = dataclasses.replace(
            solution, completeness=Completeness(Claim(False, reason), Claim(False, reason), found.infinite_discrete))
    checked = check_solution(amended, system)
    if not checked.ok:
        raise VerificationError("the answer amended by the cross-examination failed its check: " + "; ".join(checked.failures))
    return dataclasses.replace(EquivarianceGroup.from_solution(system, amended), examination=report)


def _pure_shift(a: Map, latents: Sequence[sympy.Symbol]) -> bool:
    """Whether ``a`` is ``z + c`` with ``c != 0`` (an element of infinite order)."""
    c = [sympy.expand(e - z) for e, z in zip(a, latents)]
    return all(not e.free_symbols for e in c) and any(e != 0 for e in c)


# -- planted omissions (tests and calibration) -------------------------------------------------
def without_element(group: EquivarianceGroup, element: str | Sequence[Any]) -> EquivarianceGroup:
    """``group`` with the discrete element ``element`` removed on purpose, its component count
    (where it gives one) set to what the remaining elements list, as a solver that missed the
    element would report it; the completeness claims are kept.

    >>> import equivid
    >>> group = equivid.solve(equivid.System.from_maps(["z1", "z2"], {"p": ["z1**5", "z2**5"]}))
    >>> tampered = without_element(group, "(z2, z1)")
    >>> len(tampered.discrete), tampered.components, tampered.complete
    (6, 7, True)
    """
    target = tuple(sympy.expand(e) for e in group.system.parse_map(element))
    keep = tuple(d for d in group.discrete if tuple(sympy.expand(sympy.sympify(e)) for e in d) != target)
    if len(keep) == len(group.discrete):
        raise ValueError(f"{element} is not a discrete element of the answer")
    tampered = dataclasses.replace(group, solution=dataclasses.replace(group.solution, discrete=keep))
    if group.components is not None:
        count = reported_components(tampered)
        tampered = dataclasses.replace(tampered, solution=dataclasses.replace(tampered.solution, components=count))
    return tampered


def without_parameter(group: EquivarianceGroup, parameter: str | sympy.Symbol) -> EquivarianceGroup:
    """``group`` with one parameter of its general element fixed at its identity value on
    purpose (one Lie generator fewer); the completeness claims are kept.

    >>> import equivid
    >>> group = equivid.solve(equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]}))
    >>> without_parameter(group, "t2").general_element
    (t1*z1, z2)
    """
    solution = group.solution
    names = [p.name for p in solution.parameters]
    name = parameter.name if isinstance(parameter, sympy.Symbol) else parameter
    if name not in names or len(solution.identity) != len(names):
        raise ValueError(f"{parameter} is not a parameter of the answer with a known identity value")
    k = names.index(name)
    p, value = solution.parameters[k], solution.identity[k]
    general = tuple(sympy.expand(sympy.sympify(e).xreplace({p: value})) for e in solution.general_element)
    nonzero = tuple(e for e in (sympy.sympify(e).xreplace({p: value}) for e in solution.nonzero) if e.free_symbols)
    lie = solution.lie_algebra[:k] + solution.lie_algebra[k + 1:] if len(solution.lie_algebra) == len(names) else solution.lie_algebra[:-1]
    known = None if solution.known_dimension is None else solution.known_dimension - 1
    extra = dict(solution.extra)
    if "equations" in extra:  # equations the parameters satisfy: the fixed one substituted
        table = {q.name: q for q in solution.parameters}
        fixed = [sympy.expand(parse_expression(str(e).split("=")[0], table, field="equations").xreplace({p: value}))
                 for e in extra["equations"]]
        extra["equations"] = [f"{e} = 0" for e in fixed if e != 0]
    tampered = dataclasses.replace(
        solution, general_element=general, parameters=solution.parameters[:k] + solution.parameters[k + 1:],
        identity=solution.identity[:k] + solution.identity[k + 1:], nonzero=nonzero, lie_algebra=lie,
        structure=None, known_dimension=known, extra=tuple(extra.items()))
    return dataclasses.replace(group, solution=tampered)
