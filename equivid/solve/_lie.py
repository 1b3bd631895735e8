"""The Lie algebra of any mechanism: polynomial vector fields ``X`` of degree <= D with
``X(m(z)) = Dm(z) X(z)`` (maps) or ``[X, V] = DV X - DX V = 0`` (flows).

The condition is linear in the coefficients of ``X`` for every mechanism. For each
basis field ``E = z^alpha e_i`` the residual ``R_E(z)`` is computed; ``sum_E x_E R_E = 0``
is the linear system.

- Polynomial mechanisms with rational coefficients: ``R_E`` by exact composition in
  python-flint ``fmpq_mpoly`` (family symbols are extra variables, so the condition
  holds for every family value); the coefficient system is solved exactly.
- Other polynomial mechanisms (``sqrt(2)``, ``cos(1)``): sympy ``Poly`` over the
  smallest exact domain.
- Non-polynomial mechanisms (``tanh``, ``exp``, rational functions): ``R_E`` is
  evaluated at random points with 50 digits, the numeric kernel is read off a
  pivoted elimination, its entries are rounded to rationals, and each candidate is
  kept only if the symbolic check proves it.

Every generator is verified by substitution before it is returned.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import flint
import mpmath
import sympy

from .. import linalg
from ..ansatz import monomials
from ..errors import VerificationError
from ..mechanisms import System
from ._verify import generates, lie_residual

__all__ = ["lie_algebra", "LieResult"]

Map = tuple[sympy.Expr, ...]


class LieResult(tuple):  # type: ignore[type-arg]
    """The generators (a tuple of vector fields) with ``method`` and ``dropped`` counts."""

    method: str
    dropped: int

    def __new__(cls, generators: Sequence[Map], method: str, dropped: int = 0) -> LieResult:
        self = super().__new__(cls, tuple(generators))
        self.method = method
        self.dropped = dropped
        return self


def _basis(system: System, degree: int, constant: bool = True) -> list[tuple[int, sympy.Expr]]:
    """Basis fields ``z^alpha e_i`` as (i, z^alpha), constant first (if allowed)."""
    return [(i, mono) for mono in monomials(system.latents, degree, constant=constant) for i in range(system.n)]


def _field(i: int, mono: sympy.Expr, n: int) -> Map:
    return tuple(mono if k == i else sympy.Integer(0) for k in range(n))


def _is_polynomial(system: System) -> bool:
    gens = system.latents + system.families
    return all(c.is_polynomial(*gens) for m in system.mechanisms for c in m.components)


def _rational(system: System) -> bool:
    gens = system.latents + system.families
    for m in system.mechanisms:
        for c in m.components:
            poly = sympy.Poly(c, *gens) if gens else None
            if poly is None or not all(coeff.is_Rational for coeff in poly.coeffs()):
                return False
    return True


# -- exact path: python-flint polynomials ------------------------------------------------
def _to_flint(expr: sympy.Expr, gens: Sequence[sympy.Symbol], ctx: flint.fmpq_mpoly_ctx) -> flint.fmpq_mpoly:
    poly = sympy.Poly(expr, *gens)
    return ctx.from_dict({monom: flint.fmpq(int(c.p), int(c.q)) for monom, c in poly.terms()})


def _flint_residuals(system: System, degree: int, constant: bool = True) -> list[list[dict[tuple[int, ...], flint.fmpq]]]:
    """For each basis field, the residual of each mechanism's condition as coefficient dicts."""
    gens = system.latents + system.families
    ctx = flint.fmpq_mpoly_ctx.get(tuple(s.name for s in gens), "lex")
    n = system.n
    variables = ctx.gens()
    columns: list[list[dict[tuple[int, ...], flint.fmpq]]] = []
    mechs = [(m, [_to_flint(c, gens, ctx) for c in m.components]) for m in system.mechanisms]
    jac = {m.name: [[p.derivative(j) for j in range(n)] for p in comps] for m, comps in mechs}
    index = {g: k for k, g in enumerate(gens)}
    for i, mono in _basis(system, degree, constant):
        exponents = [0] * len(gens)
        for base, power in mono.as_powers_dict().items():
            if base != 1:
                exponents[index[base]] = int(power)
        z_alpha = ctx.from_dict({tuple(exponents): 1})
        column: list[flint.fmpq_mpoly] = []
        for m, comps in mechs:
            J = jac[m.name]
            zero = ctx.from_dict({})
            if m.is_flow:  # DV[:, i] z^alpha - e_i (grad z^alpha . V)
                transport = sum((z_alpha.derivative(j) * comps[j] for j in range(n)), zero)
                column.extend(J[k][i] * z_alpha - (transport if k == i else zero) for k in range(n))
            else:  # e_i (m(z))^alpha - Dm[:, i] z^alpha
                moved = z_alpha.compose(*(comps + list(variables[n:])))
                column.extend((moved if k == i else zero) - J[k][i] * z_alpha for k in range(n))
        columns.append([dict(p.to_dict()) for p in column])
    return columns


def _exact_kernel(columns: list[list[dict[tuple[int, ...], flint.fmpq]]]) -> list[list[sympy.Expr]]:
    rows: dict[tuple[int, tuple[int, ...]], int] = {}
    entries: dict[tuple[int, int], sympy.Rational] = {}
    for j, column in enumerate(columns):
        for k, poly in enumerate(column):
            for monom, coefficient in poly.items():
                if coefficient == 0:
                    continue
                r = rows.setdefault((k, monom), len(rows))
                entries[(r, j)] = sympy.Rational(int(coefficient.p), int(coefficient.q))
    if not rows:
        return [[sympy.Integer(int(a == b)) for a in range(len(columns))] for b in range(len(columns))]
    return linalg.nullspace(linalg.as_domain_matrix(entries, shape=(len(rows), len(columns))))


# -- symbolic path: sympy polynomials over an exact domain --------------------------------
def _symbolic_kernel(system: System, degree: int, constant: bool = True) -> list[list[sympy.Expr]]:
    gens = system.latents + system.families
    basis = _basis(system, degree, constant)
    rows: dict[tuple[int, tuple[int, ...]], int] = {}
    entries: dict[tuple[int, int], sympy.Expr] = {}
    for j, (i, mono) in enumerate(basis):
        field = _field(i, mono, system.n)
        k = 0
        for m in system.mechanisms:
            for residual in lie_residual(field, m, system.latents):
                for monom, coefficient in sympy.Poly(sympy.expand(residual), *gens).terms():
                    if coefficient != 0:
                        entries[(rows.setdefault((k, monom), len(rows)), j)] = coefficient
                k += 1
    if not rows:
        return [[sympy.Integer(int(a == b)) for a in range(len(basis))] for b in range(len(basis))]
    return linalg.nullspace_checked(linalg.as_domain_matrix(entries, shape=(len(rows), len(basis))))


# -- numeric path: evaluation at high-precision points -------------------------------------
DIGITS = 50


def _numeric_kernel(system: System, degree: int, constant: bool = True, seed: int = 20221015) -> list[list[sympy.Expr]]:
    """Kernel from evaluations at random points, rounded to rationals (candidates only)."""
    basis = _basis(system, degree, constant)
    gens = list(system.latents + system.families)
    residuals = [
        [r for m in system.mechanisms for r in lie_residual(_field(i, mono, system.n), m, system.latents)]
        for i, mono in basis
    ]
    functions = [sympy.lambdify(gens, column, modules="mpmath") for column in residuals]
    count = math.ceil(1.5 * len(basis) / max(1, len(residuals[0]))) + 6
    with mpmath.workdps(DIGITS):
        matrix = []
        for p in range(count):
            point = [mpmath.mpf(_point(seed, p, q)) for q in range(len(gens))]
            values = [f(*point) for f in functions]
            for k in range(len(residuals[0])):
                matrix.append([mpmath.mpf(v[k]) for v in values])
        kernel = _numeric_nullspace(matrix, len(basis))
    rounded = [_rationalise(vector) for vector in kernel]
    return [vector for vector in rounded if vector is not None]


def _point(seed: int, p: int, q: int) -> str:
    """Coordinate q of sample point p: deterministic, spread over (-1.5, 1.5)."""
    value = math.sin(12.9898 * (p + 1) + 78.233 * (q + 1) + seed % 1000) * 43758.5453
    return repr(1.5 * (2 * (value - math.floor(value)) - 1))


def _numeric_nullspace(matrix: list[list[mpmath.mpf]], width: int) -> list[list[mpmath.mpf]]:
    """Reduced kernel basis by Gauss-Jordan elimination with partial pivoting."""
    rows = [list(r) for r in matrix]
    scale = max((abs(x) for r in rows for x in r), default=mpmath.mpf(1)) or mpmath.mpf(1)
    tolerance = scale * mpmath.mpf(10) ** (-(DIGITS * 2 // 3))
    pivots: list[int] = []
    r = 0
    for c in range(width):
        best = max(range(r, len(rows)), key=lambda k: abs(rows[k][c]), default=None)
        if best is None or abs(rows[best][c]) <= tolerance:
            continue
        rows[r], rows[best] = rows[best], rows[r]
        pivot = rows[r][c]
        rows[r] = [x / pivot for x in rows[r]]
        for k in range(len(rows)):
            if k != r and rows[k][c] != 0:
                factor = rows[k][c]
                rows[k] = [a - factor * b for a, b in zip(rows[k], rows[r])]
        pivots.append(c)
        r += 1
        if r == len(rows):
            break
    free = [c for c in range(width) if c not in pivots]
    kernel = []
    for f in free:
        vector = [mpmath.mpf(0)] * width
        vector[f] = mpmath.mpf(1)
        for row, p in zip(rows, pivots):
            vector[p] = -row[f]
        kernel.append(vector)
    return kernel


def _rationalise(vector: Sequence[mpmath.mpf]) -> list[sympy.Expr] | None:
    out = []
    for x in vector:
        q = Fraction(mpmath.nstr(x, DIGITS - 5, strip_zeros=False)).limit_denominator(10**6)
        if abs(x - mpmath.mpf(q.numerator) / q.denominator) > mpmath.mpf(10) ** (-(DIGITS // 2)):
            return None
        out.append(sympy.Rational(q.numerator, q.denominator))
    return out


# -- fast path: diagonal linear mechanisms ------------------------------------------------------
def _diagonal_rates(system: System) -> list[tuple[bool, list[sympy.Expr]]] | None:
    """``(is_flow, [lambda_1, ..., lambda_n])`` per mechanism when every one is ``lambda_i z_i``."""
    if system.families:
        return None
    rates = []
    for m in system.mechanisms:
        row = []
        for z, component in zip(system.latents, m.components):
            rate = sympy.expand(component / z)
            if rate.free_symbols or rate == 0:
                return None
            row.append(rate)
        rates.append((m.is_flow, row))
    return rates


def _resonant_kernel(
    basis: Sequence[tuple[int, sympy.Expr]], rates: list[tuple[bool, list[sympy.Expr]]], system: System
) -> list[list[sympy.Expr]]:
    """``z^alpha e_i`` is a generator iff ``lambda^alpha = lambda_i`` for every map (and
    ``alpha . lambda = lambda_i`` for every flow): the resonance conditions."""
    kernel = []
    for j, (i, mono) in enumerate(basis):
        powers = sympy.Poly(mono, *system.latents).monoms()[0]
        resonant = True
        for is_flow, lam in rates:
            if is_flow:
                value = sum((a * rate for a, rate in zip(powers, lam)), sympy.Integer(0)) - lam[i]
            else:
                value = sympy.Mul(*[rate**a for a, rate in zip(powers, lam)]) - lam[i]
            if sympy.simplify(value) != 0:
                resonant = False
                break
        if resonant:
            kernel.append([sympy.Integer(int(k == j)) for k in range(len(basis))])
    return kernel


# -- the entry point ---------------------------------------------------------------------------
def lie_algebra(system: System, *, degree: int = 1, constant: bool = True) -> LieResult:
    """Polynomial vector fields of degree <= ``degree`` generating maps that commute.

    The infinitesimal condition ``X(m(z)) = Dm(z) X(z)`` (``[X, V] = 0`` for flows) is
    solved exactly for polynomial mechanisms; for others it is sampled at
    high-precision points and each candidate is then proved symbolically. Generators
    are returned in reduced form; every one has been verified. ``constant=False``
    leaves out constant terms (the Lie algebra inside the linear class).

    Examples
    --------
    >>> import equivid
    >>> system = equivid.System.from_maps(["z1", "z2"], {"m": ["z1", "z2 + z1**3"]})
    >>> equivid.lie_algebra(system, degree=1)
    ((0, 1), (0, z1), (z1/3, z2))
    >>> saturate = equivid.System.from_maps(["z1", "z2"], {"m": ["tanh(z1)", "z2 + 1"]})
    >>> equivid.lie_algebra(saturate, degree=1)
    ((0, 1),)
    """
    if degree < 1:
        from ..errors import SpecError

        raise SpecError("degree", degree, "a degree D >= 1")
    basis = _basis(system, degree, constant)
    rates = _diagonal_rates(system)
    if rates is not None:
        kernel, method = _resonant_kernel(basis, rates, system), "resonant monomials (diagonal fast path)"
    elif _is_polynomial(system):
        if _rational(system):
            kernel = _exact_kernel(_flint_residuals(system, degree, constant))
            method = "exact (python-flint polynomials)"
        else:
            try:
                kernel, method = _symbolic_kernel(system, degree, constant), "exact (sympy polynomials)"
            except VerificationError:  # e.g. cos(1)**2 + sin(1)**2 = 1, unknown to the domain
                kernel = _numeric_kernel(system, degree, constant)
                method = (
                    f"evaluation at {DIGITS}-digit points, then proof (the exact domain missed a "
                    "relation between the coefficients)"
                )
    else:
        kernel = _numeric_kernel(system, degree, constant)
        method = f"evaluation at {DIGITS}-digit points, then proof"
    generators, dropped = [], 0
    for vector in kernel:
        field = tuple(
            sympy.Add(*[x * mono for x, (i, mono) in zip(vector, basis) if i == k and x != 0])
            for k in range(system.n)
        )
        if generates(field, system):
            generators.append(field)
        else:
            dropped += 1
    return LieResult(generators, method, dropped)


class DimensionProfile(dict):  # type: ignore[type-arg]
    """``{degree: dimension}`` of the Lie algebra, with the stop rule's verdict.

    ``finite_dimensional`` is True when the dimension stayed the same over the last
    two degree steps, False when it grew at both, None otherwise (not decided). This
    is a stop rule on evidence, not a proof.
    """

    finite_dimensional: bool | None
    #: Invariant functions of the mechanisms (``I∘m = I``), filled in by
    #: :meth:`equivid.EquivarianceGroup.dimension_profile` when the profile does not stop.
    invariants: tuple[Any, ...] = ()


def dimension_profile(system: System, *, max_degree: int = 4) -> DimensionProfile:
    """Lie algebra dimension at degrees 1..max_degree (stopping early once stable).

    Examples
    --------
    >>> import equivid
    >>> push = equivid.System.from_maps(["z1", "z2"], {"push": ["z1 + 1", "z2"]})
    >>> profile = dimension_profile(push, max_degree=3)
    >>> dict(profile), profile.finite_dimensional
    ({1: 4, 2: 6, 3: 8}, False)
    """
    profile = DimensionProfile()
    for degree in range(1, max_degree + 1):
        profile[degree] = len(lie_algebra(system, degree=degree))
        last = [profile[d] for d in range(max(1, degree - 2), degree + 1)]
        if len(last) == 3 and last[0] == last[1] == last[2]:
            break
    values = list(profile.values())[-3:]
    if len(values) == 3 and values[0] == values[1] == values[2]:
        profile.finite_dimensional = True
    elif len(values) == 3 and values[0] < values[1] < values[2]:
        profile.finite_dimensional = False
    else:
        profile.finite_dimensional = None
    return profile
