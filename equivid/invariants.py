"""Invariant functions: polynomials ``I`` with ``I∘m = I`` for every map and
``grad I . V = 0`` for every flow, and identifiable properties ``phi`` with
``X(phi) = grad phi . X = 0`` for every Lie-algebra generator ``X`` and ``phi∘d = phi``
for every discrete group element ``d``.

Invariants of the mechanisms drive infinite-dimensional equivariance groups (any map
``z -> z + p(I(z)) w`` along a symmetry can be built from them); invariants of the group
are the properties of the latents that every consistent learner recovers.

Both conditions are linear in the coefficients of the polynomial over the monomials of
degree 1..D, and both are the same condition (a Lie-algebra generator is a flow, a
discrete element a map), so one solver serves both:

- polynomial conditions with rational coefficients: residuals by exact composition in
  python-flint ``fmpq_mpoly`` (family symbols are extra variables, so the invariant
  holds for every family value), kernel by exact linear algebra;
- other polynomial conditions (``sqrt(2)``): sympy ``Poly`` over the smallest exact domain;
- non-polynomial mechanisms (``exp``, ``tanh``, ``sin``): residuals evaluated at
  50-digit points, the numeric kernel rounded to rationals, and every candidate kept only
  if the symbolic check proves it.

The answer is a list of *generators*: degrees are processed in increasing order and an
invariant is dropped when it lies in the span of products of invariants already kept
(exact linear algebra), so ``(z1**2 + z2**2)**2`` is not reported next to
``z1**2 + z2**2``. Hence no generator lies in the span of products of generators of
lower degree, nor of the others of its own degree; when the conditions preserve degree
(linear generators and elements, homogeneous mechanisms) the invariants are homogeneous
and no generator lies in the span of products of all the others. Products of the
generators of total degree <= D span every invariant of degree <= D (when nothing was
dropped: a numeric candidate that fails its proof leaves a gap).

Each generator is a row of the reduced row echelon form of the invariant space over
the monomials ordered by degree, highest first (within a degree
``z1**2 > z1*z2 > z2**2``), scaled to primitive integer coefficients with a positive
leading coefficient. Every returned invariant has been verified by substitution.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import flint
import mpmath
import sympy

from . import linalg
from ._rational_invariants import monomial_exponents
from .errors import SpecError, UnsupportedMechanismError, VerificationError
from .mechanisms import Mechanism, System, make_symbols, mechanism_components
from .solve._lie import (
    DIGITS,
    exact_kernel,
    has_rational_coefficients,
    is_polynomial_system,
    numeric_nullspace,
    rationalise,
    sample_coordinate,
    to_flint,
)
from .solve._verify import compose, is_zero

__all__ = ["InvariantResult", "group_invariants", "mechanism_invariants"]

Exponents = tuple[int, ...]
Vector = list[sympy.Expr]


class InvariantResult(tuple):  # type: ignore[type-arg]
    """The invariants (a tuple of sympy expressions) with ``method`` and ``dropped`` counts.

    ``dropped`` counts candidates that the symbolic check could not prove.
    """

    method: str
    dropped: int

    def __new__(cls, invariants: Sequence[sympy.Expr], method: str, dropped: int = 0) -> InvariantResult:
        self = super().__new__(cls, tuple(invariants))
        self.method = method
        self.dropped = dropped
        return self


def _check_degree(degree: object) -> int:
    if isinstance(degree, bool) or not isinstance(degree, int) or degree < 1:
        raise SpecError("degree", degree, "a degree D >= 1")
    return degree


# -- the monomial basis -----------------------------------------------------------------------
def _monomial(exps: Exponents, latents: Sequence[sympy.Symbol]) -> sympy.Expr:
    return sympy.Mul(*[z**e for z, e in zip(latents, exps)])


def _residuals(expr: sympy.Expr, mechanism: Mechanism, latents: Sequence[sympy.Symbol]) -> sympy.Expr:
    """``I∘m - I`` for a map, ``grad I . V`` for a flow."""
    if mechanism.is_flow:
        return sympy.Add(*[sympy.diff(expr, z) * v for z, v in zip(latents, mechanism.components)])
    return compose([expr], mechanism.components, latents)[0] - expr


def _proved(expr: sympy.Expr, system: System) -> bool:
    """Whether ``expr`` is invariant under every mechanism (checked symbolically)."""
    return all(is_zero(_residuals(expr, m, system.latents)) for m in system.mechanisms)


# -- the three ways to the kernel --------------------------------------------------------------
def _flint_kernel(system: System, columns: list[Exponents]) -> list[Vector]:
    gens = system.latents + system.families
    ctx = flint.fmpq_mpoly_ctx.get(tuple(s.name for s in gens), "lex")
    n, extra = system.n, list(ctx.gens())[system.n :]
    mechs = [(m.is_flow, [to_flint(c, gens, ctx) for c in m.components]) for m in system.mechanisms]
    residuals = []
    for exps in columns:
        mono = ctx.from_dict({exps + (0,) * len(system.families): 1})
        column = []
        for is_flow, comps in mechs:
            if is_flow:
                r = sum((mono.derivative(j) * comps[j] for j in range(n)), ctx.from_dict({}))
            else:
                r = mono.compose(*(comps + extra)) - mono
            column.append(dict(r.to_dict()))
        residuals.append(column)
    return exact_kernel(residuals)


def _symbolic_kernel(system: System, columns: list[Exponents]) -> list[Vector]:
    gens = system.latents + system.families
    rows: dict[tuple[int, Exponents], int] = {}
    entries: dict[tuple[int, int], sympy.Expr] = {}
    for j, exps in enumerate(columns):
        mono = _monomial(exps, system.latents)
        for k, m in enumerate(system.mechanisms):
            for monom, c in sympy.Poly(sympy.expand(_residuals(mono, m, system.latents)), *gens).terms():
                if c != 0:
                    entries[(rows.setdefault((k, monom), len(rows)), j)] = c
    if not rows:
        return [[sympy.Integer(int(a == b)) for a in range(len(columns))] for b in range(len(columns))]
    return linalg.nullspace_checked(linalg.as_domain_matrix(entries, shape=(len(rows), len(columns))))


def _numeric_kernel(system: System, columns: list[Exponents], seed: int = 20221015) -> tuple[list[Vector], int]:
    """Candidates from evaluations at 50-digit points, rounded to rationals (unproved)."""
    gens = list(system.latents + system.families)
    functions = []
    for exps in columns:
        mono = _monomial(exps, system.latents)
        residuals = [_residuals(mono, m, system.latents) for m in system.mechanisms]
        functions.append(sympy.lambdify(gens, residuals, modules="mpmath"))
    wanted = math.ceil(1.5 * len(columns) / len(system.mechanisms)) + 6
    with mpmath.workdps(DIGITS):
        matrix: list[list[Any]] = []
        p, used = 0, 0
        while used < wanted and p < 4 * wanted:
            point = [mpmath.mpf(sample_coordinate(seed, p, q)) for q in range(len(gens))]
            p += 1
            try:
                values = [[mpmath.mpmathify(v) for v in f(*point)] for f in functions]
            except (ValueError, TypeError, ZeroDivisionError):
                continue
            if any(not isinstance(v, mpmath.mpf) or not mpmath.isfinite(v) for col in values for v in col):
                continue  # outside the real domain of a mechanism (log, sqrt): another point
            matrix.extend([col[k] for col in values] for k in range(len(system.mechanisms)))
            used += 1
        kernel = numeric_nullspace(matrix, len(columns))
    rounded = [rationalise(vector) for vector in kernel]
    return [v for v in rounded if v is not None], sum(v is None for v in rounded)


# -- from the invariant space to generators ------------------------------------------------------
def _rref(vectors: list[Vector]) -> list[Vector]:
    if not vectors:
        return []
    R, pivots = linalg.as_domain_matrix(vectors).rref()
    to_sympy = R.domain.to_sympy
    return [[to_sympy(x) for x in row] for row in R.to_list()[: len(pivots)]]


def _lead(vector: Vector) -> int:
    return next(j for j, x in enumerate(vector) if x != 0)


def _products(kept: list[tuple[int, sympy.Poly]], bound: int) -> list[sympy.Poly]:
    """Every product of one or more kept invariants (with repetition) of degree <= bound."""
    out: list[sympy.Poly] = []

    def extend(start: int, poly: sympy.Poly | None, degree: int) -> None:
        for i in range(start, len(kept)):
            d, g = kept[i]
            if degree + d <= bound:
                q = g if poly is None else poly * g
                out.append(q)
                extend(i, q, degree + d)

    extend(0, None, 0)
    return out


def _generators(rows: list[Vector], columns: list[Exponents], latents: Sequence[sympy.Symbol]) -> list[Vector]:
    """Rows of the RREF not in the span of products of lower-degree rows already kept."""
    index = {e: j for j, e in enumerate(columns)}
    kept: list[tuple[int, sympy.Poly]] = []
    chosen: list[Vector] = []
    for d in sorted({sum(columns[_lead(r)]) for r in rows}):
        products = _products(kept, d)
        lead: set[int] = set()
        if products:
            vectors = [[sympy.Integer(0)] * len(columns) for _ in products]
            for vector, poly in zip(vectors, products):
                for monom, c in poly.terms():
                    vector[index[monom]] = c
            lead = {_lead(v) for v in _rref(vectors)}
        for row in rows:
            j = _lead(row)
            if sum(columns[j]) == d and j not in lead:
                chosen.append(row)
                kept.append((d, sympy.Poly.from_dict({columns[k]: x for k, x in enumerate(row) if x != 0}, *latents)))
    return chosen


def _primitive(vector: Vector) -> Vector:
    """Scale to coprime integers (rational entries); the leading entry is already 1."""
    if not all(x.is_Rational for x in vector):
        return vector
    scale = sympy.Rational(math.lcm(*[int(x.q) for x in vector]), math.gcd(*[int(x.p) for x in vector]))
    return [x * scale for x in vector]


def _expression(vector: Vector, columns: list[Exponents], latents: Sequence[sympy.Symbol]) -> sympy.Expr:
    return sympy.Add(*[x * _monomial(e, latents) for x, e in zip(vector, columns) if x != 0])


# -- the shared solver ------------------------------------------------------------------------
def _symbolic_or_none(system: System, columns: list[Exponents]) -> list[Vector] | None:
    """The exact sympy kernel, or None where the domain misses a relation between the
    coefficients (``cos(1)**2 + sin(1)**2 = 1``): then the sampled path decides."""
    try:
        return _symbolic_kernel(system, columns)
    except VerificationError:
        return None


def _solve(system: System | None, latents: Sequence[sympy.Symbol], degree: int) -> InvariantResult:
    columns = monomial_exponents(len(latents), degree)
    dropped = 0
    if system is None:  # no condition: every polynomial is invariant
        kernel = [[sympy.Integer(int(a == b)) for a in range(len(columns))] for b in range(len(columns))]
        method = "no conditions"
    elif is_polynomial_system(system) and has_rational_coefficients(system):
        kernel, method = _flint_kernel(system, columns), "exact (python-flint polynomials)"
    elif is_polynomial_system(system) and (symbolic := _symbolic_or_none(system, columns)) is not None:
        kernel, method = symbolic, "exact (sympy polynomials)"
    else:
        candidates, dropped = _numeric_kernel(system, columns)
        kernel = []
        for vector in candidates:
            if _proved(_expression(vector, columns, latents), system):
                kernel.append(vector)
            else:
                dropped += 1
        method = f"evaluation at {DIGITS}-digit points, then proof"
    invariants = []
    for row in _generators(_rref(kernel), columns, latents):
        expr = _expression(_primitive(row), columns, latents)
        if system is None or _proved(expr, system):
            invariants.append(expr)
        else:
            dropped += 1
    return InvariantResult(invariants, method, dropped)


def mechanism_invariants(system: System, *, degree: int = 2) -> InvariantResult:
    """Polynomial invariants of the mechanisms: ``I∘m = I`` for every map, ``grad I · V = 0``
    for every flow, with ``I`` of degree <= ``degree`` and no constant term.

    Family symbols are quantified: ``I`` is invariant for every family value. Noise laws
    are not used (the condition is on the deterministic parts). The result lists
    generators (see the module docstring), each verified symbolically; ``method`` says
    which path ran and ``dropped`` how many candidates failed the proof.

    Parameters
    ----------
    system : System
        A system with continuous latents.
    degree : int
        The largest total degree searched, ``D >= 1``.

    Returns
    -------
    InvariantResult
        A tuple of sympy expressions with ``method`` and ``dropped``.

    Examples
    --------
    >>> import equivid
    >>> shear = equivid.System.from_maps(["z1", "z2"], {"m": ["z1", "z2 + exp(z1)"]})
    >>> mechanism_invariants(shear, degree=2)
    (z1,)
    >>> turn = equivid.System.from_maps(["z1", "z2"], {"turn": ["-z2", "z1"]})
    >>> mechanism_invariants(turn, degree=4)
    (z1**2 + z2**2, z1**3*z2 - z1*z2**3, z1**2*z2**2)
    >>> mechanism_invariants(equivid.System.from_maps(["z1", "z2"], {"m": ["2*z1", "3*z2"]}), degree=3)
    ()
    """
    if not isinstance(system, System):
        raise SpecError("system", type(system).__name__, "an equivid.System")
    degree = _check_degree(degree)
    if any(m.table is not None or m.kernel is not None for m in system.mechanisms):
        raise UnsupportedMechanismError("invariant functions need continuous latents, not a finite state set")
    return _solve(system, system.latents, degree)


def group_invariants(
    latents: Sequence[str | sympy.Symbol],
    generators: Sequence[Sequence[Any]],
    discrete: Sequence[Sequence[Any]] = (),
    *,
    degree: int = 2,
    rational: bool = False,
) -> InvariantResult:
    """Identifiable properties: polynomials ``phi`` of degree <= ``degree`` (no constant)
    with ``X(phi) = grad phi · X = 0`` for every Lie-algebra generator ``X`` and
    ``phi∘d = phi`` for every discrete element ``d``.

    ``rational=True`` also searches rational invariants ``p/q`` with ``p`` and ``q``
    homogeneous of the same degree <= ``degree``, for linear generators and linear
    discrete elements: ``p`` and ``q`` are then semi-invariants (``X(p) = c_X p``,
    ``p∘d = mu_d p``) with the same rational character (the argument and what is searched are in
    ``equivid._rational_invariants``).
    Those are appended after the polynomial invariants.

    Parameters
    ----------
    latents : sequence of str or sympy.Symbol
        The latent names.
    generators : sequence of vector fields
        Each a sequence of expressions (or strings), one per latent.
    discrete : sequence of maps
        Group elements (sign flips, permutations, ...), one expression per latent.
    degree : int
        The largest total degree searched, ``D >= 1``.
    rational : bool
        Also search rational invariants (linear generators and elements only).

    Returns
    -------
    InvariantResult
        A tuple of sympy expressions with ``method`` and ``dropped``.

    Examples
    --------
    >>> group_invariants(["z1", "z2"], [("-z2", "z1")], degree=2)
    (z1**2 + z2**2,)
    >>> group_invariants(["z1", "z2"], [(1, 0)], [("z1", "-z2")], degree=2)
    (z2**2,)
    >>> group_invariants(["z1", "z2"], [("z1", "z2")], degree=2, rational=True)
    (z1/z2,)
    """
    degree = _check_degree(degree)
    symbols = make_symbols(latents, "latents")
    table = {s.name: s for s in symbols}
    n = len(symbols)
    flows = [mechanism_components(X, table, f"generators[{i}]", n, {}) for i, X in enumerate(generators)]
    maps = [mechanism_components(d, table, f"discrete[{i}]", n, {}) for i, d in enumerate(discrete)]
    mechanisms = tuple(Mechanism(f"X{i + 1}", X, "flow") for i, X in enumerate(flows)) + tuple(
        Mechanism(f"d{i + 1}", d, "map") for i, d in enumerate(maps)
    )
    system = System(symbols, mechanisms) if mechanisms else None
    result = _solve(system, symbols, degree)
    if not rational:
        return result
    from ._rational_invariants import rational_invariants

    extra, dropped = rational_invariants(symbols, flows, maps, degree)
    return InvariantResult(
        tuple(result) + tuple(extra),
        f"{result.method}; rational: semi-invariants of linear generators",
        result.dropped + dropped,
    )
