"""The Lie algebra of any mechanism: polynomial vector fields ``X`` of degree <= D with
``X(m(z)) = Dm(z) X(z)`` (maps) or ``[X, V] = DV X - DX V = 0`` (flows).

The condition is linear in the coefficients of ``X`` for every mechanism. For each
basis field ``E = z^alpha e_i`` the residual ``R_E(z)`` is computed; ``sum_E x_E R_E = 0``
is the linear system.

- Linear mechanisms ``A_k z`` with a common rational eigenbasis ``P`` (diagonal ones
  with any constant entries, ``P = I``): in ``w = P^-1 z`` the kernel is spanned by the
  resonant monomials ``w^alpha e_i`` (``lambda^alpha = lambda_i`` for maps,
  ``alpha . lambda = lambda_i`` for flows), mapped back and reduced to the form the
  exact path returns, so both give the same generators.
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
import numpy as np
import sympy

from .. import linalg
from ..ansatz import monomials
from ..errors import UnsupportedMechanismError, VerificationError
from ..mechanisms import System
from ._verify import generates, lie_residual

__all__ = [
    "lie_algebra",
    "LieResult",
    "exact_kernel",
    "has_rational_coefficients",
    "is_polynomial_system",
    "numeric_nullspace",
    "rationalise",
    "sample_coordinate",
    "to_flint",
]

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


def is_polynomial_system(system: System) -> bool:
    """Whether every mechanism component is a polynomial in the latents and family symbols."""
    gens = system.latents + system.families
    return all(c.is_polynomial(*gens) for m in system.mechanisms for c in m.components)


def has_rational_coefficients(system: System) -> bool:
    """Whether every mechanism component is a polynomial with rational coefficients."""
    gens = system.latents + system.families
    for m in system.mechanisms:
        for c in m.components:
            poly = sympy.Poly(c, *gens) if gens else None
            if poly is None or not all(coeff.is_Rational for coeff in poly.coeffs()):
                return False
    return True


# -- exact path: python-flint polynomials ------------------------------------------------
def to_flint(expr: sympy.Expr, gens: Sequence[sympy.Symbol], ctx: flint.fmpq_mpoly_ctx) -> flint.fmpq_mpoly:
    """A polynomial with rational coefficients as a python-flint ``fmpq_mpoly`` in ``ctx``."""
    poly = sympy.Poly(expr, *gens)
    return ctx.from_dict({monom: flint.fmpq(int(c.p), int(c.q)) for monom, c in poly.terms()})


def _flint_residuals(system: System, degree: int, constant: bool = True) -> list[list[dict[tuple[int, ...], flint.fmpq]]]:
    """For each basis field, the residual of each mechanism's condition as coefficient dicts."""
    gens = system.latents + system.families
    ctx = flint.fmpq_mpoly_ctx.get(tuple(s.name for s in gens), "lex")
    n = system.n
    variables = ctx.gens()
    columns: list[list[dict[tuple[int, ...], flint.fmpq]]] = []
    mechs = [(m, [to_flint(c, gens, ctx) for c in m.components]) for m in system.mechanisms]
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


def exact_kernel(columns: list[list[dict[tuple[int, ...], flint.fmpq]]]) -> list[list[sympy.Expr]]:
    """Exact kernel of the matrix whose columns are residual coefficient dicts (one per unknown)."""
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
    """Kernel from evaluations at random points, rounded to rationals (candidates only).

    A point where a residual is not a finite real number (outside the real domain of
    ``log`` or ``sqrt``, at a pole) is skipped for another; a mechanism whose residuals
    cannot be evaluated at all (a derivative of ``floor`` or ``sign``), or at too few
    points, is an :class:`~equivid.UnsupportedMechanismError`."""
    basis = _basis(system, degree, constant)
    gens = list(system.latents + system.families)
    residuals = [
        [r for m in system.mechanisms for r in lie_residual(_field(i, mono, system.n), m, system.latents)]
        for i, mono in basis
    ]
    undefined = next((r for column in residuals for r in column if r.has(sympy.Derivative, sympy.DiracDelta)), None)
    if undefined is not None:
        raise UnsupportedMechanismError(
            "mechanisms: the Lie algebra of a mechanism that is not differentiable "
            f"(floor, ceiling, sign, Abs, Heaviside, ...) is not supported: {str(undefined)[:80]}")
    try:
        functions = [sympy.lambdify(gens, column, modules="mpmath") for column in residuals]
    except Exception as exc:  # a function without a numeric counterpart
        raise UnsupportedMechanismError(
            f"mechanisms: cannot evaluate the residuals numerically ({type(exc).__name__})") from None
    wanted = math.ceil(1.5 * len(basis) / max(1, len(residuals[0]))) + 6
    with mpmath.workdps(DIGITS):
        matrix = []
        used, p = 0, 0
        while used < wanted and p < 20 * wanted:
            point = [mpmath.mpf(sample_coordinate(seed, p, q)) for q in range(len(gens))]
            p += 1
            values = _real_values(functions, point)
            if values is None:
                continue  # outside the real domain of a mechanism: another point
            for k in range(len(residuals[0])):
                matrix.append([v[k] for v in values])
            used += 1
        if used < wanted:
            raise UnsupportedMechanismError(
                f"mechanisms: the residuals are finite real numbers at only {used} of {p} sample points "
                f"in (-1.5, 1.5)^{len(gens)} (needed {wanted}); the mechanisms' real domain is too small")
        kernel = numeric_nullspace(matrix, len(basis))
    rounded = [rationalise(vector) for vector in kernel]
    return [vector for vector in rounded if vector is not None]


def _real_values(functions: Sequence[Any], point: Sequence[Any]) -> list[list[Any]] | None:
    """Every function at ``point`` as finite real mpf values, or None if one is not."""
    out = []
    try:
        for f in functions:
            column = []
            for v in f(*point):
                v = mpmath.mpmathify(v)
                if isinstance(v, mpmath.mpc):
                    if v.imag != 0:
                        return None
                    v = v.real
                if not isinstance(v, mpmath.mpf) or not mpmath.isfinite(v):
                    return None
                column.append(v)
            out.append(column)
    except (ArithmeticError, ValueError, TypeError, NameError):
        return None
    return out


def sample_coordinate(seed: int, p: int, q: int) -> str:
    """Coordinate q of sample point p: deterministic, spread over (-1.5, 1.5)."""
    value = math.sin(12.9898 * (p + 1) + 78.233 * (q + 1) + seed % 1000) * 43758.5453
    return repr(1.5 * (2 * (value - math.floor(value)) - 1))


#: A float SVD whose smallest singular value is above this fraction of the largest shows full
#: column rank (the SVD is backward stable: its singular values are those of a matrix within
#: about 1e-16 of the one given, relative to its norm), and the kernel is empty.
FULL_RANK_GAP = 1e-6


def numeric_nullspace(matrix: list[list[mpmath.mpf]], width: int) -> list[list[mpmath.mpf]]:
    """Reduced kernel basis by Gauss-Jordan elimination with partial pivoting, after a float
    SVD that returns the empty kernel at once where the matrix is well conditioned."""
    if matrix and len(matrix) >= width:
        floats = np.array([[float(x) for x in row] for row in matrix])
        if np.all(np.isfinite(floats)):
            singular = np.linalg.svd(floats, compute_uv=False)
            if singular.size == width and singular[-1] > FULL_RANK_GAP * singular[0]:
                return []
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


def rationalise(vector: Sequence[mpmath.mpf]) -> list[sympy.Expr] | None:
    """The vector rounded to small-denominator rationals, or None when one entry is not close to one."""
    out = []
    for x in vector:
        q = Fraction(mpmath.nstr(x, DIGITS - 5, strip_zeros=False)).limit_denominator(10**6)
        if abs(x - mpmath.mpf(q.numerator) / q.denominator) > mpmath.mpf(10) ** (-(DIGITS // 2)):
            return None
        out.append(sympy.Rational(q.numerator, q.denominator))
    return out


# -- fast path: simultaneously diagonalizable linear mechanisms ---------------------------------
def _linear_parts(system: System) -> list[tuple[bool, sympy.Matrix]] | None:
    """``(is_flow, A)`` per mechanism when every one is ``A z``: linear, no constant
    term, no family symbols, constant entries. None otherwise."""
    if system.families:
        return None
    latents = system.latents
    parts = []
    for m in system.mechanisms:
        rows = []
        for component in m.components:
            if not component.is_polynomial(*latents):
                return None
            poly = sympy.Poly(component, *latents)
            if any(sum(monom) != 1 for monom, c in poly.terms() if c != 0):
                return None
            row = [poly.coeff_monomial(z) for z in latents]
            if any(c.free_symbols for c in row):
                return None
            rows.append(row)
        parts.append((m.is_flow, sympy.Matrix(rows)))
    return parts


def _rational_eigenvectors(C: flint.fmpq_mat) -> flint.fmpq_mat | None:
    """Columns: an eigenbasis of ``C`` over the rationals; None when there is none
    (an irrational eigenvalue, or an eigenspace short of its multiplicity)."""
    n = C.nrows()
    _, factors = C.charpoly().factor()
    if any(f.degree() != 1 for f, _ in factors):
        return None
    columns: list[list[flint.fmpq]] = []
    for f, _ in factors:
        root = -f[0] / f[1]
        shifted = C - root * flint.fmpq_mat([[int(a == b) for b in range(n)] for a in range(n)])
        X, nullity = shifted.numer_denom()[0].nullspace()
        columns.extend([flint.fmpq(X[r, c]) for r in range(n)] for c in range(nullity))
    if len(columns) != n:
        return None
    return flint.fmpq_mat([[columns[c][r] for c in range(n)] for r in range(n)])


def _eigenbasis(matrices: Sequence[sympy.Matrix], n: int) -> tuple[flint.fmpq_mat, list[list[sympy.Expr]]] | None:
    """``(P, lambdas)`` with ``P**-1 A_k P = diag(lambdas[k])`` for every ``A_k``; None
    when the matrices have no common eigenbasis with rational entries.

    Diagonal matrices (any constant entries) give ``P = I``. Otherwise the entries must
    be rational and the matrices must commute; ``P`` diagonalizes ``C = sum_k t**k A_k``
    and is checked against every ``A_k``. A common eigenbasis diagonalizes every such
    ``C``; ``C``'s eigenspaces are the joint ones except where two joint eigenvalue
    tuples collide, at most ``K - 1`` values of ``t`` per pair, so
    ``(K - 1) n (n - 1) / 2 + 1`` values of ``t`` decide it.
    """
    identity = flint.fmpq_mat([[int(a == b) for b in range(n)] for a in range(n)])
    if all(A.is_diagonal() for A in matrices):
        return identity, [[A[i, i] for i in range(n)] for A in matrices]
    if not all(entry.is_Rational for A in matrices for entry in A):
        return None
    mats = [flint.fmpq_mat([[flint.fmpq(int(e.p), int(e.q)) for e in A.row(r)] for r in range(n)]) for A in matrices]
    if any(A * B != B * A for k, A in enumerate(mats) for B in mats[k + 1 :]):
        return None
    for t in range(1, (len(mats) - 1) * n * (n - 1) // 2 + 2):
        C = sum((A * t**k for k, A in enumerate(mats)), flint.fmpq_mat(n, n))
        P = _rational_eigenvectors(C)
        if P is None:
            return None
        Pinv = P.inv()
        diagonals = [Pinv * A * P for A in mats]
        if all(D[a, b] == 0 for D in diagonals for a in range(n) for b in range(n) if a != b):
            lambdas = [[sympy.Rational(int(D[i, i].p), int(D[i, i].q)) for i in range(n)] for D in diagonals]
            return P, lambdas
    return None


def _exponents(mono: sympy.Expr, latents: Sequence[sympy.Symbol]) -> tuple[int, ...]:
    powers = mono.as_powers_dict()
    return tuple(int(powers.get(z, 0)) for z in latents)


def _resonant(powers: Sequence[int], i: int, rates: list[tuple[bool, list[sympy.Expr]]]) -> bool:
    """``lambda^alpha = lambda_i`` for every map and ``alpha . lambda = lambda_i`` for
    every flow (``alpha = 0``: ``1 = lambda_i``, resp. ``0 = lambda_i``)."""
    for is_flow, lam in rates:
        if is_flow:
            value = sum((a * rate for a, rate in zip(powers, lam)), sympy.Integer(0)) - lam[i]
        else:
            value = sympy.Mul(*[rate**a for a, rate in zip(powers, lam)]) - lam[i]
        if value != 0 if value.is_Rational else sympy.simplify(value) != 0:
            return False
    return True


def _resonant_kernel(system: System, degree: int, constant: bool = True) -> list[list[sympy.Expr]] | None:
    """The kernel for mechanisms ``A_k z`` with a common rational eigenbasis ``P``, in
    the general path's reduced form; None for any other system.

    In ``w = P**-1 z`` the mechanisms are ``diag(lambda) w`` and the fields ``w^alpha e_i``
    with resonant ``alpha`` (see :func:`_resonant`) span the kernel. Each is mapped back
    to ``X(z) = P Y(P**-1 z)``; a linear change of coordinates keeps the degree of every
    term, so the ansatz (with or without constants) is mapped onto itself. The
    coordinates over :func:`_basis` are brought to the form
    :func:`~equivid.linalg.nullspace` gives: ``1`` at the last nonzero column,
    ``0`` at the other such columns (an RREF taken from the right).
    """
    parts = _linear_parts(system)
    if parts is None:
        return None
    n = system.n
    found = _eigenbasis([A for _, A in parts], n)
    if found is None:
        return None
    P, lambdas = found
    Pinv = P.inv()
    rates = [(is_flow, lam) for (is_flow, _), lam in zip(parts, lambdas)]
    basis = _basis(system, degree, constant)
    exponents = [_exponents(mono, system.latents) for _, mono in basis]
    column = {(i, e): j for j, ((i, _), e) in enumerate(zip(basis, exponents))}
    ctx = flint.fmpq_mpoly_ctx.get(tuple(s.name for s in system.latents), "lex")
    forms = [ctx.from_dict({tuple(int(c == j) for c in range(n)): Pinv[r, j] for j in range(n)}) for r in range(n)]
    cache: dict[tuple[int, int], flint.fmpq_mpoly] = {}
    rows: list[list[flint.fmpq]] = []
    for (i, _), alpha in zip(basis, exponents):
        if not _resonant(alpha, i, rates):
            continue
        product = ctx.from_dict({(0,) * n: 1})
        for r, a in enumerate(alpha):
            if a:
                if (r, a) not in cache:
                    cache[(r, a)] = forms[r] ** a
                product *= cache[(r, a)]
        row = [flint.fmpq(0)] * len(basis)
        for monom, coefficient in product.to_dict().items():
            for k in range(n):
                row[column[(k, tuple(monom))]] += P[k, i] * coefficient
        rows.append(row[::-1])
    if not rows:
        return []
    R, rank = flint.fmpq_mat(rows).rref()
    return [
        [sympy.Rational(int(R[t, c].p), int(R[t, c].q)) for c in reversed(range(len(basis)))]
        for t in reversed(range(rank))
    ]


# -- the entry point ---------------------------------------------------------------------------
def _kernel(system: System, degree: int, constant: bool = True, *, fast: bool = True) -> tuple[list[list[sympy.Expr]], str]:
    """The kernel basis over :func:`_basis` and the method's name; ``fast=False`` skips
    the resonant fast path (the general path, for cross-checks and benchmarks)."""
    kernel = _resonant_kernel(system, degree, constant) if fast else None
    if kernel is not None:
        return kernel, "resonant monomials (diagonalizable fast path)"
    if is_polynomial_system(system):
        if has_rational_coefficients(system):
            return exact_kernel(_flint_residuals(system, degree, constant)), "exact (python-flint polynomials)"
        try:
            return _symbolic_kernel(system, degree, constant), "exact (sympy polynomials)"
        except VerificationError:  # e.g. cos(1)**2 + sin(1)**2 = 1, unknown to the domain
            method = f"evaluation at {DIGITS}-digit points, then proof (the exact domain missed a relation)"
            return _numeric_kernel(system, degree, constant), method
    return _numeric_kernel(system, degree, constant), f"evaluation at {DIGITS}-digit points, then proof"


def _fields(kernel: Sequence[Sequence[sympy.Expr]], basis: Sequence[tuple[int, sympy.Expr]], n: int) -> list[Map]:
    """The vector fields with coordinates ``kernel`` over ``basis``."""
    return [
        tuple(sympy.Add(*[x * mono for x, (i, mono) in zip(vector, basis) if i == k and x != 0]) for k in range(n))
        for vector in kernel
    ]


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
    kernel, method = _kernel(system, degree, constant)
    generators, dropped = [], 0
    for field in _fields(kernel, _basis(system, degree, constant), system.n):
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

    The dimension of :func:`lie_algebra` is computed at degree 1, 2, ...; the profile
    stops once it stayed the same over two degree steps.

    Parameters
    ----------
    system : System
        The latents and mechanisms.
    max_degree : int, default 4
        The largest degree computed.

    Returns
    -------
    DimensionProfile
        ``{degree: dimension}``, with ``finite_dimensional``: True when the dimension
        stayed the same over the last two steps, False when it grew at both, None when
        not decided (a stop rule on evidence, not a proof).

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
