"""Isolated affine elements of non-polynomial mechanisms, from Taylor jets.

For ``a(z) = Bz + c`` (``c = 0`` for a linear ansatz) the residual is
``R(z) = a(m(z)) - m(a(z))`` for a map and ``R(z) = B V(z) - V(Bz + c)`` for a flow;
``a`` is in the group when every component of ``R`` vanishes. With ``sin``, ``exp``,
``tanh`` ... the conditions are transcendental in ``(B, c)``. What this module does:

1. **Necessary conditions.** Every coefficient of the Taylor expansion of ``R`` at
   ``z = 0`` up to order ``K`` must vanish. In ``m(Bz + c)`` each function application
   ``f(u)`` has the argument value ``u0 = u(c)`` at ``z = 0``, a polynomial in ``c``;
   ``f(u0)`` and its derivatives are replaced by new unknowns with algebraic relations:
   ``sin, cos -> S, C`` with ``S**2 + C**2 = 1``; ``exp -> E`` (with ``F = 1/E``,
   ``E F = 1``, for ``sinh, cosh``), ``E > 0``; ``tanh -> T`` with
   ``tanh' = 1 - tanh**2`` and ``-1 < T < 1``; ``tan -> T`` with ``tan' = 1 + tan**2``;
   ``1/u -> Q`` with ``Q u0 = 1``. Distinct argument values get independent unknowns
   (weaker conditions, still necessary). Residual components without any function
   are used exactly (every monomial's coefficient). ``det B != 0`` enters as
   ``w det B = 1``. Other functions (``log``, ``erf``, ``sqrt`` ...) are declined.
2. **Exact solution.** The polynomial system in ``(B, c that appear polynomially,
   S, C, E, T, Q, w)`` is solved exactly (a Groebner basis, zero-dimensional only;
   ``sympy.solve_poly_system``), within a wall-clock budget; only real solutions
   (and ``E > 0``, ``|T| < 1`` for ``tanh``) are kept. Unknowns that enter no condition
   at all (a continuous family, e.g. ``B12`` for ``(z1 + sin z2, z2)``) are set to the
   identity's value and the search is reported as not zero-dimensional.
3. **Shifts from function values.** The remaining entries of ``c`` enter only through
   argument values: ``S, C`` give ``u0 = atan2(S, C) + 2 pi k``, ``tan`` gives
   ``atan(T) + pi k``, ``E`` gives ``log E``, ``tanh`` gives ``atanh T``. These are
   linear equations in ``c`` with integer unknowns ``k``; they are solved exactly
   (an integer echelon form for the conditions between the ``k``), giving
   ``c = c0 + V t`` for all integer vectors ``t``.
4. **Proof.** For each solution ``a0(z) = Bz + c0`` is substituted into the residual
   and proved to vanish (:func:`equivid.solve._verify.is_zero`); a candidate that
   does not vanish at a 40-digit evaluation is rejected. The translations commuting
   with the mechanisms form a group ``T``: its generators (the columns of ``V`` for
   ``B = I``, and any other proved pure translation) are proved the same way. Then
   ``{c : Bz + c commutes} = c0 + T`` exactly (``a∘a0^-1`` is a translation), so
   every element of the class is proved; and a rejected ``a0`` with ``V`` inside ``T``
   rules out its whole candidate class.

The answer is complete within the class (affine or linear) when the polynomial
system was zero-dimensional and solved, every argument was handled and every class
was proved or rejected; otherwise it says why not, and still returns what it proved.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy

from .._budget import budget_seconds as _default_budget_seconds
from .._budget import within_budget
from ..errors import BudgetExceededError
from ..mechanisms import Mechanism, System
from ._verify import group_residual, is_zero

__all__ = ["IsolatedSearch", "isolated_affine_elements", "MAX_ORDER"]

Map = tuple[sympy.Expr, ...]
Jet = tuple[sympy.Expr, ...]

#: The Taylor order is raised (by 2, once) up to this when the system is not zero-dimensional.
MAX_ORDER = 6

_ZERO = sympy.Integer(0)
_ONE = sympy.Integer(1)


@dataclass(frozen=True)
class IsolatedSearch:
    """What :func:`isolated_affine_elements` found, and whether it is everything.

    Attributes
    ----------
    elements : tuple of maps
        One proved element per class ``{Bz + c}`` of the same linear part and shift
        modulo the translation lattice, written ``Bz + c0 + k1 v1 + ... + kr vr``
        with the integer symbols ``integers`` and the ``lattice`` vectors ``v``; every
        integer value gives an element. The first is the identity class (the identity
        at ``k = 0``) whenever the identity satisfies the conditions.
    lattice : tuple of maps
        The proved generators ``z -> z + v`` of the translations commuting with the
        mechanisms (e.g. ``(theta + 2*pi, omega)`` for the pendulum); empty when no
        translation other than ``0`` was found.
    integers : tuple of sympy.Symbol
        The integer symbols (``integer=True``) used in ``elements``, one per lattice vector.
    complete : bool
        ``True`` only when every real solution of the necessary conditions was found
        and each was proved or rejected: then ``elements`` and ``lattice`` give every
        affine (or linear) element.
    reason : str
        Why the answer is incomplete, in one line, or, when complete, what was searched.
    orders : int
        The Taylor order of the conditions used.

    Examples
    --------
    >>> result = IsolatedSearch(elements=(), lattice=(), integers=(), complete=False,
    ...                         reason="declined", orders=4)
    >>> result.discrete_generators(())
    ()
    """

    elements: tuple[Map, ...]
    lattice: tuple[Map, ...]
    integers: tuple[sympy.Symbol, ...]
    complete: bool
    reason: str
    orders: int

    def discrete_generators(self, latents: Sequence[sympy.Symbol]) -> tuple[Map, ...]:
        """The elements at ``k = 0`` other than the identity, then the lattice generators.

        Parameters
        ----------
        latents : sequence of sympy.Symbol
            The latents (``System.latents``), to recognise the identity map.

        Returns
        -------
        tuple of maps
            Together with the identity component they generate every element found.

        Examples
        --------
        >>> z1 = sympy.Symbol("z1"); k1 = sympy.Symbol("k1", integer=True)
        >>> found = IsolatedSearch(elements=((z1 + 2*sympy.pi*k1,), (-z1 + 2*sympy.pi*k1,)),
        ...                        lattice=((z1 + 2*sympy.pi,),), integers=(k1,),
        ...                        complete=True, reason="", orders=4)
        >>> found.discrete_generators((z1,))
        ((-z1,), (z1 + 2*pi,))
        """
        zero = {k: _ZERO for k in self.integers}
        at_zero = [tuple(sympy.expand(e.xreplace(zero)) for e in a) for a in self.elements]
        identity = tuple(latents)
        return tuple(a for a in at_zero if a != identity) + tuple(self.lattice)


class _Declined(Exception):
    """The system has a feature the jet conditions do not handle (one line, for ``reason``)."""


# -- jets -------------------------------------------------------------------------------


@dataclass
class _Argument:
    """One argument value ``u0`` of a function family, with the unknowns standing for
    the function's values there."""

    family: str  # "trig" | "exp" | "tanh" | "tan" | "inverse"
    value: sympy.Expr
    symbols: list[sympy.Symbol] = field(default_factory=list)


class _Expander:
    """Truncated Taylor series (jets) at ``z = 0`` of the mechanisms' components."""

    def __init__(self, order: int, latents: Sequence[sympy.Symbol]) -> None:
        self.order = order
        self.latents = tuple(latents)
        self.arguments: list[_Argument] = []
        self._by_key: dict[tuple[str, sympy.Expr], _Argument] = {}
        self._memo: dict[tuple[int, sympy.Expr], Jet] = {}

    # arithmetic
    def constant(self, value: sympy.Expr) -> Jet:
        return (sympy.sympify(value),) + (_ZERO,) * self.order

    def add(self, a: Jet, b: Jet) -> Jet:
        return tuple(x + y for x, y in zip(a, b))

    def scale(self, s: sympy.Expr, a: Jet) -> Jet:
        return tuple(sympy.expand(s * x) for x in a)

    def mul(self, a: Jet, b: Jet) -> Jet:
        out = []
        for j in range(self.order + 1):
            terms = [a[i] * b[j - i] for i in range(j + 1) if a[i] != 0 and b[j - i] != 0]
            out.append(sympy.expand(sympy.Add(*terms)) if terms else _ZERO)
        return tuple(out)

    def power(self, a: Jet, exponent: int) -> Jet:
        result, base = self.constant(_ONE), a
        while exponent:
            if exponent & 1:
                result = self.mul(result, base)
            exponent >>= 1
            if exponent:
                base = self.mul(base, base)
        return result

    def series(self, derivatives: Sequence[sympy.Expr], a: Jet) -> Jet:
        """``sum_j f^(j)(a0) / j! (a - a0)^j``."""
        d = (_ZERO,) + tuple(a[1:])
        result = self.constant(derivatives[0])
        power = self.constant(_ONE)
        for j in range(1, self.order + 1):
            power = self.mul(power, d)
            if all(x == 0 for x in power):
                break
            result = self.add(result, self.scale(derivatives[j] / math.factorial(j), power))
        return tuple(sympy.expand(x) for x in result)

    # expressions
    def jet(self, expr: sympy.Expr, env: dict[sympy.Symbol, Jet], side: int) -> Jet:
        key = (side, expr)
        if key not in self._memo:
            self._memo[key] = self._jet(expr, env, side)
        return self._memo[key]

    def _jet(self, expr: sympy.Expr, env: dict[sympy.Symbol, Jet], side: int) -> Jet:
        if expr in env:
            return env[expr]
        if not (expr.free_symbols & set(self.latents)):
            return self.constant(expr)
        if isinstance(expr, sympy.Add):
            total = self.constant(_ZERO)
            for arg in expr.args:
                total = self.add(total, self.jet(arg, env, side))
            return tuple(sympy.expand(x) for x in total)
        if isinstance(expr, sympy.Mul):
            product = self.constant(_ONE)
            for arg in expr.args:
                product = self.mul(product, self.jet(arg, env, side))
            return product
        if isinstance(expr, sympy.Pow):
            base, exponent = expr.args
            if exponent.free_symbols & set(self.latents) or not exponent.is_Integer:
                raise _Declined(f"the power {expr} is not an integer power (not handled)")
            inner = self.jet(base, env, side)
            if exponent < 0:
                inner = self.series(self._derivatives("inverse", sympy.expand(inner[0])), inner)
            return self.power(inner, abs(int(exponent)))
        if isinstance(expr, (sympy.sin, sympy.cos, sympy.exp, sympy.tanh, sympy.tan, sympy.sinh, sympy.cosh)):
            inner = self.jet(expr.args[0], env, side)
            return self.series(self._derivatives(expr.func.__name__, sympy.expand(inner[0])), inner)
        name = getattr(expr.func, "__name__", str(expr.func))
        raise _Declined(f"the function {name} in {expr} is not handled (only sin, cos, tan, exp, sinh, cosh, tanh, integer powers)")

    def _derivatives(self, name: str, u0: sympy.Expr) -> list[sympy.Expr]:
        """``f(u0), f'(u0), ..., f^(K)(u0)``: exact numbers for a number ``u0``, else
        polynomials in the unknowns standing for the function's values at ``u0``."""
        K = self.order
        if not u0.free_symbols:
            return self._numeric_derivatives(name, u0)
        if name in ("sin", "cos"):
            S, C = self._argument("trig", u0, 2)
            cycle = [S, C, -S, -C] if name == "sin" else [C, -S, -C, S]
            return [cycle[j % 4] for j in range(K + 1)]
        if name in ("exp", "sinh", "cosh"):
            E, *rest = self._argument("exp", u0, 2 if name != "exp" else 1)
            if name == "exp":
                return [E] * (K + 1)
            F = rest[0] if rest else self._argument("exp", u0, 2)[1]
            odd, even = (E + F) / 2, (E - F) / 2  # sinh: even derivatives sinh, odd cosh
            if name == "cosh":
                odd, even = even, odd
            return [even if j % 2 == 0 else odd for j in range(K + 1)]
        if name in ("tanh", "tan"):
            (T,) = self._argument(name, u0, 1)
            sign = -1 if name == "tanh" else 1
            derivatives, p = [], T
            for _ in range(K + 1):
                derivatives.append(p)
                p = sympy.expand(sympy.diff(p, T) * (1 + sign * T**2))
            return derivatives
        if name == "inverse":
            (Q,) = self._argument("inverse", u0, 1)
            return [(-1) ** j * math.factorial(j) * Q ** (j + 1) for j in range(K + 1)]
        raise _Declined(f"the function {name} is not handled")  # pragma: no cover - filtered above

    def _numeric_derivatives(self, name: str, u0: sympy.Expr) -> list[sympy.Expr]:
        x = sympy.Dummy("x")
        f = 1 / x if name == "inverse" else getattr(sympy, name)(x)
        out = []
        for j in range(self.order + 1):
            value = sympy.simplify(sympy.diff(f, x, j).xreplace({x: u0})) if j else f.xreplace({x: u0})
            if value.is_finite is not True or value.is_algebraic is not True:
                shown = f"1/({u0})" if name == "inverse" else f"{name}({u0})"
                raise _Declined(f"{shown} at the expansion point z = 0 is not a finite algebraic number (not handled)")
            out.append(sympy.sympify(value))
        return out

    def _argument(self, family: str, u0: sympy.Expr, count: int) -> list[sympy.Symbol]:
        key = (family, u0)
        argument = self._by_key.get(key)
        if argument is None:
            argument = _Argument(family, u0)
            self._by_key[key] = argument
            self.arguments.append(argument)
        index = self.arguments.index(argument) + 1
        names = {"trig": ["sin", "cos"], "exp": ["exp", "expneg"], "tanh": ["tanh"], "tan": ["tan"],
                 "inverse": ["inv"]}[family]
        while len(argument.symbols) < count:
            argument.symbols.append(sympy.Dummy(f"{names[len(argument.symbols)]}{index}"))
        return argument.symbols

    def relations(self, argument: _Argument) -> list[sympy.Expr]:
        s = argument.symbols
        if argument.family == "trig":
            return [s[0] ** 2 + s[1] ** 2 - 1]
        if argument.family == "exp" and len(s) == 2:
            return [s[0] * s[1] - 1]
        if argument.family == "inverse":
            return [sympy.expand(s[0] * argument.value - 1)]
        return []


# -- the polynomial system ----------------------------------------------------------------


@dataclass
class _Setup:
    latents: tuple[sympy.Symbol, ...]
    B: sympy.Matrix
    c: tuple[sympy.Expr, ...]
    equations: list[sympy.Expr]
    expander: _Expander


def _conditions(system: System, constant: bool, order: int) -> _Setup:
    latents = system.latents
    n = len(latents)
    B = sympy.Matrix(n, n, lambda i, j: sympy.Dummy(f"b{i + 1}_{j + 1}"))
    c: tuple[sympy.Expr, ...] = tuple(sympy.Dummy(f"c{i + 1}") for i in range(n)) if constant else (_ZERO,) * n
    h = [sympy.Dummy(f"h{i + 1}") for i in range(n)]
    ex = _Expander(order, latents)
    known = {z: (_ZERO, h[i]) + (_ZERO,) * (order - 1) for i, z in enumerate(latents)}
    moved_first = [sympy.expand(sum(B[i, j] * h[j] for j in range(n))) for i in range(n)]
    moved = {z: (c[i], moved_first[i]) + (_ZERO,) * (order - 1) for i, z in enumerate(latents)}
    if order < 1:
        known = {z: (_ZERO,) for z in latents}
        moved = {z: (c[i],) for i, z in enumerate(latents)}
    equations: list[sympy.Expr] = []
    a = tuple(sympy.expand(sum(B[i, j] * latents[j] for j in range(n)) + c[i]) for i in range(n))
    for mechanism in system.mechanisms:
        outside = [ex.jet(e, known, 0) for e in mechanism.components]
        inside = [ex.jet(e, moved, 1) for e in mechanism.components]
        for i in range(n):
            residual = ex.constant(_ZERO) if mechanism.is_flow else ex.constant(c[i])
            for j in range(n):
                residual = ex.add(residual, ex.scale(B[i, j], outside[j]))
            residual = ex.add(residual, ex.scale(-_ONE, inside[i]))
            for part in residual:
                part = sympy.expand(part)
                if part != 0:
                    equations.extend(sympy.Poly(part, *h).coeffs())
        equations.extend(_polynomial_conditions(a, mechanism, latents, set(B) | set(c)))
    return _Setup(tuple(latents), B, c, equations, ex)


def _polynomial_conditions(a: Map, mechanism: Mechanism, latents: Sequence[sympy.Symbol],
                           unknowns: set[sympy.Expr]) -> list[sympy.Expr]:
    """Every monomial's coefficient of the residual components that hold no function."""
    out: list[sympy.Expr] = []
    gens = [s for s in unknowns if isinstance(s, sympy.Symbol)]
    for r in group_residual(a, mechanism, latents):
        r = sympy.expand(r)
        if r != 0 and r.is_polynomial(*latents, *gens):
            out.extend(sympy.Poly(r, *latents).coeffs())
    return out


def _check_coefficients(equations: Sequence[sympy.Expr], gens: Sequence[sympy.Symbol]) -> None:
    for eq in equations:
        for coefficient in sympy.Poly(eq, *gens).coeffs():
            if coefficient.is_algebraic is not True:
                raise _Declined(f"the coefficient {coefficient} of the conditions is not an algebraic number (not handled)")


def _solve_polynomial_system(equations: list[sympy.Expr], gens: list[sympy.Symbol]) -> tuple[str, list[tuple[sympy.Expr, ...]]]:
    """``("ok", solutions)`` (complex solutions, values in the order of ``gens``), or
    ``("positive", [])`` when the system is not zero-dimensional."""
    G = sympy.groebner(equations, *gens, order="grevlex")
    if list(G.exprs) == [1]:
        return "ok", []
    if not G.is_zero_dimensional:
        return "positive", []
    solutions = sympy.solve_poly_system(list(G.exprs), *gens) or []
    return "ok", [tuple(s) for s in solutions]


# -- proofs and numbers -----------------------------------------------------------------------


def _numeric(value: sympy.Expr, digits: int = 40) -> complex | None:
    try:
        v = complex(sympy.N(value, digits))
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return v if math.isfinite(v.real) and math.isfinite(v.imag) else None


def _disproved(expr: sympy.Expr) -> bool:
    """Whether ``expr`` is clearly non-zero at some point (40 digits, deterministic points)."""
    rng = random.Random(20240607)
    symbols = sorted(expr.free_symbols, key=lambda s: s.name)
    for trial in range(4):
        scale = 5 if trial < 2 else 29
        point = {s: sympy.Rational(rng.randint(-scale, scale), rng.randint(3, 11)) for s in symbols}
        v = _numeric(expr.xreplace(point))
        if v is not None and abs(v) > 1e-20:
            return True
    return False


def _check(a: Map, system: System) -> str:
    """``"proved"`` (every residual component is exactly zero), ``"disproved"`` (one is
    clearly non-zero numerically) or ``"undecided"``."""
    undecided = False
    for mechanism in system.mechanisms:
        for r in group_residual(a, mechanism, system.latents):
            if is_zero(r):
                continue
            if _disproved(r):
                return "disproved"
            undecided = True
    return "undecided" if undecided else "proved"


def _truth(value: bool | None, numeric: Callable[[], bool | None]) -> bool | None:
    return value if value is not None else numeric()


def _is_real(v: sympy.Expr) -> bool | None:
    def numeric() -> bool | None:
        x = _numeric(v)
        if x is None:
            return None
        return None if abs(x.imag) < 1e-25 else False

    return _truth(v.is_real, numeric)


def _is_positive(v: sympy.Expr) -> bool | None:
    def numeric() -> bool | None:
        x = _numeric(v)
        if x is None or abs(x.real) < 1e-25:
            return None
        return x.real > 0

    return _truth(v.is_positive, numeric)


def _rational(v: sympy.Expr) -> Fraction | None:
    v = sympy.simplify(v)
    if v.is_Rational:
        return Fraction(int(v.p), int(v.q))
    return None


# -- integer lattices ------------------------------------------------------------------------------


def _column_echelon(A: list[list[int]], cols: int) -> tuple[list[list[int]], list[list[int]]]:
    """``(H, U)`` with ``A U = H`` in column echelon form and ``U`` unimodular (``cols x cols``)."""
    H = [row[:] for row in A]
    U = [[int(i == j) for j in range(cols)] for i in range(cols)]

    def combine(p: int, q: int, a: int, b: int, c: int, d: int) -> None:  # cols p, q -> (a p + b q, c p + d q)
        for M in (H, U):
            for row in M:
                x, y = row[p], row[q]
                row[p], row[q] = a * x + b * y, c * x + d * y

    pivot = 0
    for i in range(len(H)):
        if pivot >= cols:
            break
        for j in range(pivot + 1, cols):
            x, y = H[i][pivot], H[i][j]
            if y == 0:
                continue
            g, s, t = _extended_gcd(x, y)
            combine(pivot, j, s, t, -y // g, x // g)  # det = (s x + t y)/g = 1
        if H[i][pivot] != 0:
            if H[i][pivot] < 0:
                for M in (H, U):
                    for row in M:
                        row[pivot] = -row[pivot]
            pivot += 1
    return H, U


def _extended_gcd(a: int, b: int) -> tuple[int, int, int]:
    """``(g, s, t)`` with ``s a + t b = g = gcd(a, b) > 0``."""
    old_r, r, old_s, s, old_t, t = a, b, 1, 0, 0, 1
    while r:
        q = old_r // r
        old_r, r = r, old_r - q * r
        old_s, s = s, old_s - q * s
        old_t, t = t, old_t - q * t
    if old_r < 0:
        old_r, old_s, old_t = -old_r, -old_s, -old_t
    return old_r, old_s, old_t


def _integer_solutions(A: list[list[Fraction]], b: list[Fraction], cols: int) -> tuple[list[int], list[list[int]]] | None:
    """All integer ``k`` with ``A k = b``: ``k0 + N t`` for integer ``t`` (``N`` as columns), or ``None``."""
    rows = []
    for row, rhs in zip(A, b):
        scale = math.lcm(*[x.denominator for x in row], rhs.denominator)
        rows.append(([int(x * scale) for x in row], int(rhs * scale)))
    H, U = _column_echelon([r for r, _ in rows], cols)
    y: list[Fraction] = [Fraction(0)] * cols
    pivot = 0
    for i, (_, target) in enumerate(rows):
        known = sum((H[i][j] * y[j] for j in range(pivot)), Fraction(0))
        if pivot < cols and H[i][pivot] != 0:
            value = (target - known) / H[i][pivot]
            if value.denominator != 1:
                return None
            y[pivot] = value
            pivot += 1
        elif known != target:
            return None
    k0 = [int(sum(U[r][j] * y[j] for j in range(cols))) for r in range(cols)]
    free = [[U[r][j] for r in range(cols)] for j in range(pivot, cols)]
    return k0, free


def _independent_rows(M: sympy.Matrix) -> list[int]:
    chosen: list[int] = []
    for i in range(M.rows):
        trial = M.extract(chosen + [i], list(range(M.cols)))
        if trial.rank(simplify=True) > len(chosen):
            chosen.append(i)
    return chosen


def _coordinates(basis: Sequence[sympy.Matrix], v: sympy.Matrix) -> list[Fraction] | None:
    """Rational ``y`` with ``sum y_j basis_j = v`` exactly, or ``None``."""
    if not basis:
        return [] if all(is_zero(x) for x in v) else None
    W = sympy.Matrix.hstack(*basis)
    rows = _independent_rows(W)
    y = W.extract(rows, list(range(W.cols))).LUsolve(v.extract(rows, [0]))
    if not all(is_zero(x) for x in W * y - v):
        return None
    out = [_rational(x) for x in y]
    return None if any(x is None for x in out) else out  # type: ignore[return-value]


# -- shifts from function values -------------------------------------------------------------------


@dataclass
class _Shift:
    c0: sympy.Matrix
    periods: list[sympy.Matrix]


class _Spurious(Exception):
    """The solution of the necessary conditions gives no real element."""


def _inverse_value(argument: _Argument, values: dict[sympy.Symbol, sympy.Expr]) -> tuple[sympy.Expr, sympy.Expr]:
    """``(theta, period)``: the argument value is ``theta + period k`` for an integer ``k``."""
    s = [values[x] for x in argument.symbols]
    if argument.family == "trig":
        return sympy.atan2(s[0], s[1]), 2 * sympy.pi
    if argument.family == "tan":
        return sympy.atan(s[0]), sympy.pi
    if argument.family == "exp":
        positive = _is_positive(s[0])
        if positive is None:
            raise _Declined(f"could not decide whether exp value {s[0]} is positive")
        if not positive:
            raise _Spurious
        return sympy.log(s[0]), _ZERO
    if argument.family == "tanh":
        inside = _is_positive(1 - s[0] ** 2)
        if inside is None:
            raise _Declined(f"could not decide whether tanh value {s[0]} is in (-1, 1)")
        if not inside:
            raise _Spurious
        return sympy.atanh(s[0]), _ZERO
    raise AssertionError(argument.family)  # pragma: no cover


def _shifts(arguments: Sequence[_Argument], values: dict[sympy.Symbol, sympy.Expr],
            periodic: Sequence[sympy.Symbol], n_c: Sequence[sympy.Expr]) -> _Shift:
    """Solve the argument equations ``u0(c) = theta + period k`` for the periodic ``c``."""
    rows: list[tuple[list[sympy.Expr], sympy.Expr, sympy.Expr]] = []  # (L, r, period)
    for argument in arguments:
        if argument.family == "inverse":
            continue
        u0 = sympy.expand(argument.value.xreplace(values))
        theta, period = _inverse_value(argument, values)
        if not (u0.free_symbols & set(periodic)):
            rows.append(([_ZERO] * len(periodic), sympy.simplify(theta - u0), period))
            continue
        poly = sympy.Poly(u0, *periodic)
        if poly.total_degree() > 1 or any(x.free_symbols for x in poly.coeffs()):
            raise _Declined(f"the argument value {argument.value} is not affine in the shifts")
        L = [poly.coeff_monomial(x) for x in periodic]
        rows.append((L, sympy.simplify(theta - poly.coeff_monomial(1)), period))
    rows.sort(key=lambda row: row[2] != 0)  # exact rows (log, atanh) pivot first
    if not periodic:
        L_all = sympy.zeros(len(rows), 0)
    else:
        L_all = sympy.Matrix([row[0] for row in rows]) if rows else sympy.zeros(0, len(periodic))
    pivots = _independent_rows(L_all) if periodic else []
    if len(pivots) < len(periodic):
        raise _Declined("the shifts are not determined by the function values (a continuous family of translations)")
    periodic_rows = [i for i, row in enumerate(rows) if row[2] != 0]
    kindex = {i: j for j, i in enumerate(periodic_rows)}  # row -> its integer unknown
    nk = len(periodic_rows)
    L_I = L_all.extract(pivots, list(range(len(periodic))))
    inverse = L_I.inv() if periodic else sympy.zeros(0, 0)
    # c = inverse (r_I + P_I k_I); other rows: L_j c - r_j - p_j k_j = 0, divided by pi
    A: list[list[Fraction]] = []
    b: list[Fraction] = []
    for j, (L, r, p) in enumerate(rows):
        if j in pivots:
            continue
        M = (sympy.Matrix([L]) * inverse) if periodic else sympy.zeros(1, 0)
        coefficients = [_ZERO] * nk
        for col, i in enumerate(pivots):
            if rows[i][2] != 0:
                coefficients[kindex[i]] += M[0, col] * rows[i][2]
        if p != 0:
            coefficients[kindex[j]] -= p
        constant = sympy.expand(r - sum((M[0, col] * rows[i][1] for col, i in enumerate(pivots)), _ZERO))
        if all(is_zero(x) for x in coefficients):
            if is_zero(constant):
                continue
            if _disproved(constant):
                raise _Spurious
            raise _Declined(f"could not decide the condition {constant} = 0 on the function values")
        ratios = [_rational(x / sympy.pi) for x in coefficients]
        rhs = _rational(constant / sympy.pi)
        if any(x is None for x in ratios) or rhs is None:
            raise _Declined("the conditions between the periods are not rational multiples of pi")
        A.append(ratios)  # type: ignore[arg-type]
        b.append(rhs)
    solved = _integer_solutions(A, b, nk) if A else ([0] * nk, [[int(i == j) for i in range(nk)] for j in range(nk)])
    if solved is None:
        raise _Spurious
    k0, free = solved

    def c_of(k: Sequence[int | sympy.Expr], with_theta: bool) -> sympy.Matrix:
        rhs = [(rows[i][1] if with_theta else _ZERO) + (rows[i][2] * k[kindex[i]] if rows[i][2] != 0 else _ZERO)
               for i in pivots]
        return (inverse * sympy.Matrix(rhs)).applyfunc(sympy.simplify) if periodic else sympy.zeros(0, 1)

    def full(per: sympy.Matrix, with_fixed: bool) -> sympy.Matrix:
        out = []
        for x in n_c:
            if x in periodic:
                out.append(per[list(periodic).index(x)])
            else:
                out.append(sympy.sympify(x).xreplace(values) if with_fixed else _ZERO)
        return sympy.Matrix(out)

    c0 = full(c_of(k0, True), True)
    periods = [full(c_of(column, False), False) for column in free]
    return _Shift(c0, [v for v in periods if any(x != 0 for x in v)])


# -- the search --------------------------------------------------------------------------------------


def _integer_symbols(count: int, taken: set[str]) -> tuple[sympy.Symbol, ...]:
    out: list[sympy.Symbol] = []
    i = 1
    while len(out) < count:
        name = f"k{i}"
        if name not in taken:
            out.append(sympy.Symbol(name, integer=True))
        i += 1
    return tuple(out)


class _Search:
    def __init__(self, system: System, constant: bool, order: int, seconds: float) -> None:
        self.system = system
        self.constant = constant
        self.order = order
        self.deadline = time.monotonic() + seconds
        self.notes: list[str] = []
        self.incomplete: list[str] = []
        self.checked: dict[Map, str] = {}

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def run(self) -> IsolatedSearch:
        system = self.system
        if system.families:
            raise _Declined("systems with families are not handled")
        if any(m.table is not None or m.kernel is not None or not m.components for m in system.mechanisms):
            raise _Declined("finite-state mechanisms are not handled")
        order = self.order
        while True:
            status, found = self._attempt(order)
            if status != "positive" or order + 2 > MAX_ORDER or self.left() <= 0:
                break
            order += 2
        self.order = order
        if status == "positive":
            self.incomplete.append(found)  # the reason
            return self._result((), (), (), order)
        return self._classes(found, order)

    def _attempt(self, order: int) -> tuple[str, Any]:
        setup = _conditions(self.system, self.constant, order)
        main = sorted({sympy.expand(e) for e in setup.equations if sympy.expand(e) != 0}, key=sympy.default_sort_key)
        present: set[sympy.Basic] = set().union(*(e.free_symbols for e in main)) if main else set()
        arguments = [a for a in setup.expander.arguments if set(a.symbols) & present]
        relations: list[sympy.Expr] = []
        for a in arguments:
            relations.extend(setup.expander.relations(a))
        for e in relations:  # 1/u: the relation Q u0 = 1 holds c polynomially
            present |= e.free_symbols
        n = len(setup.latents)
        fixed: dict[sympy.Symbol, sympy.Expr] = {}
        for i in range(n):
            for j in range(n):
                if setup.B[i, j] not in present:
                    fixed[setup.B[i, j]] = _ONE if i == j else _ZERO
        in_arguments = set().union(*(a.value.free_symbols for a in arguments)) if arguments else set()
        periodic = [x for x in setup.c if isinstance(x, sympy.Symbol) and x not in present and x in in_arguments]
        for x in setup.c:
            if isinstance(x, sympy.Symbol) and x not in present and x not in in_arguments:
                fixed[x] = _ZERO
        names = {**{setup.B[i, j]: f"B[{i + 1},{j + 1}]" for i in range(n) for j in range(n)},
                 **{x: f"c[{i + 1}]" for i, x in enumerate(setup.c)}}
        free_note = ""
        if fixed:
            unknowns = [names[x] for x in fixed]
            free_note = (f"{', '.join(unknowns)} {'enters' if len(unknowns) == 1 else 'enter'} no condition "
                         "(free: a continuous family); "
                         "searched with them at the identity's values")
        B = setup.B.xreplace(fixed)
        w = sympy.Dummy("w")
        det = sympy.expand(B.det())
        if det == 0:
            self.incomplete.append(free_note or "det B vanishes identically")
            return "ok", (setup, [], fixed, periodic, arguments)
        equations = [sympy.expand(e.xreplace(fixed)) for e in main + relations] + [sympy.expand(w * det - 1)]
        equations = sorted({e for e in equations if e != 0}, key=sympy.default_sort_key)
        gens = [x for x in list(setup.B) + list(setup.c) if isinstance(x, sympy.Symbol) and x not in fixed
                and x not in periodic]
        gens += [s for a in arguments for s in a.symbols] + [w]
        gens = [g for g in gens if any(g in e.free_symbols for e in equations)] or gens
        _check_coefficients(equations, gens)
        if self.left() <= 0:
            raise _Budget(f"no time left for the order-{order} conditions")
        try:
            try:
                status, solutions = within_budget(
                    _solve_polynomial_system, (equations, gens), what=f"solving the order-{order} jet conditions",
                    fallback="the isolated elements were not searched", seconds=max(self.left(), 0.5))
            except AssertionError as exc:  # a daemonic process may not fork: solve here, without a limit
                if "daemonic" not in str(exc):
                    raise
                status, solutions = _solve_polynomial_system(equations, gens)
        except Exception as exc:  # noqa: BLE001 - budget or sympy failure: reported, never raised
            raise _Budget(_one_line(exc)) from None
        if status == "positive":
            reason = (f"not zero-dimensional: the order-{order} jet conditions have a positive-dimensional "
                      "solution set (a continuous family)")
            if free_note:
                reason += f"; {free_note}"
            return "positive", reason
        if free_note:
            self.incomplete.append(f"not zero-dimensional: {free_note}")
        values = [dict(zip(gens, s)) for s in solutions]
        self.notes.append(f"{len(gens)} unknowns, {len(equations)} conditions, {len(values)} complex solutions")
        return "ok", (setup, values, fixed, periodic, arguments)

    def _classes(self, found: Any, order: int) -> IsolatedSearch:
        setup, solutions, fixed, periodic, arguments = found
        latents = setup.latents
        n = len(latents)
        z = sympy.Matrix(latents)
        candidates: list[tuple[sympy.Matrix, _Shift]] = []
        for values in solutions:
            values = {**fixed, **values}
            if self.left() <= 0:
                self.incomplete.append("the budget ran out while recovering the shifts")
                break
            real = [_is_real(v) for v in values.values()]
            if any(r is False for r in real):
                continue
            if any(r is None for r in real):
                self.incomplete.append("could not decide whether a solution is real")
                continue
            B = setup.B.xreplace(values)
            try:
                shift = _shifts(arguments, values, periodic, setup.c)
            except _Spurious:
                continue
            except _Declined as exc:
                self.incomplete.append(str(exc))
                continue
            candidates.append((B, shift))
        # the translation lattice T, from the solutions with B = I
        identity = sympy.eye(n)
        basis: list[sympy.Matrix] = []
        proved_vectors: list[sympy.Matrix] = []
        for B, shift in candidates:
            if B != identity:
                continue
            for v in shift.periods + ([shift.c0] if any(x != 0 for x in shift.c0) else []):
                verdict = self._check_map(tuple(z + v))
                if verdict == "proved":
                    proved_vectors.append(v)
                elif verdict == "undecided" or v is not shift.c0:
                    self.incomplete.append(f"the translation by {tuple(v)} could not be proved")
        basis = self._lattice_basis(proved_vectors)
        ks = _integer_symbols(len(basis), {s.name for s in latents})
        elements: list[tuple[sympy.Matrix, sympy.Matrix]] = []
        for B, shift in candidates:
            if self.left() <= 0:
                self.incomplete.append("the budget ran out while proving the candidates")
                break
            if not all(_in_lattice(basis, v) for v in shift.periods):
                self.incomplete.append("a candidate's periods are not translations of the lattice")
            c0 = _reduce(basis, shift.c0)
            if any(B == B2 and _in_lattice(basis, c0 - c2) for B2, c2 in elements):
                continue
            verdict = self._check_map(tuple(B * z + c0))
            if verdict == "proved":
                elements.append((B, c0))
            elif verdict == "undecided":
                self.incomplete.append(f"the candidate {tuple(B * z + c0)} could not be proved or rejected")
        offset = sympy.zeros(n, 1)
        for k, v in zip(ks, basis):
            offset += k * v
        maps = [tuple(sympy.expand(e) for e in B * z + c0 + offset) for B, c0 in elements]
        identity_map = tuple(sympy.expand(e) for e in z + offset)
        maps.sort(key=lambda a: (a != identity_map, sympy.default_sort_key(a)))
        lattice = tuple(tuple(sympy.expand(e) for e in z + v) for v in basis)
        return self._result(tuple(maps), lattice, ks, order)

    def _check_map(self, a: Map) -> str:
        a = tuple(sympy.expand(e) for e in a)
        if a not in self.checked:
            self.checked[a] = _check(a, self.system)
        return self.checked[a]

    def _lattice_basis(self, vectors: list[sympy.Matrix]) -> list[sympy.Matrix]:
        """A basis of the group generated by ``vectors`` (each proved), itself proved."""
        start: list[sympy.Matrix] = []
        for v in vectors:
            if _coordinates(start, v) is not None:
                continue
            if sympy.Matrix.hstack(*start, v).rank(simplify=True) <= len(start):
                self.incomplete.append("the proved translations are not a lattice (irrational ratios)")
                return []
            start.append(v)  # a new direction
        if not start:
            return []
        r = len(start)
        columns = [[Fraction(int(i == j)) for i in range(r)] for j in range(r)]
        for v in vectors:
            y = _coordinates(start, v)
            if y is None:  # pragma: no cover - every vector was put in the span above
                self.incomplete.append("the proved translations are not a lattice")
                return []
            columns.append(y)
        scale = math.lcm(*[x.denominator for col in columns for x in col])
        A = [[int(col[i] * scale) for col in columns] for i in range(r)]
        H, _ = _column_echelon(A, len(columns))
        basis = []
        for j in range(r):
            v = sympy.zeros(len(vectors[0]), 1)
            for i in range(r):
                v += sympy.Rational(H[i][j], scale) * start[i]
            basis.append(_normalised(v.applyfunc(sympy.simplify)))
        basis.sort(key=lambda v: min(i for i, x in enumerate(v) if x != 0))
        for v in basis:
            if self._check_map(tuple(sympy.Matrix(self.system.latents) + v)) != "proved":
                self.incomplete.append(f"the lattice vector {tuple(v)} could not be proved")
                return []
        return basis

    def _result(self, elements: tuple[Map, ...], lattice: tuple[Map, ...], ks: tuple[sympy.Symbol, ...],
                order: int) -> IsolatedSearch:
        kind = "affine maps z -> Bz + c" if self.constant else "linear maps z -> Bz"
        if self.incomplete:
            reason = "; ".join(dict.fromkeys(self.incomplete))
            return IsolatedSearch(elements, lattice, ks if elements else (), False, reason, order)
        reason = (f"searched {kind}: Taylor jets at z = 0 to order {order} "
                  f"({'; '.join(self.notes)}); {len(elements)} class(es) proved")
        return IsolatedSearch(elements, lattice, ks, True, reason, order)


class _Budget(Exception):
    pass


def _reduce(basis: Sequence[sympy.Matrix], c0: sympy.Matrix) -> sympy.Matrix:
    """``c0`` minus the lattice vector that brings its lattice coordinates into ``[0, 1)``
    (``c0`` itself when it has no rational coordinates)."""
    if not basis:
        return c0
    W = sympy.Matrix.hstack(*basis)
    rows = _independent_rows(W)
    y = W.extract(rows, list(range(W.cols))).LUsolve(c0.extract(rows, [0]))
    whole = [_rational(x) for x in y]
    if any(x is None for x in whole):
        return c0
    steps = sympy.Matrix([math.floor(x) for x in whole])  # type: ignore[arg-type]
    return (c0 - W * steps).applyfunc(sympy.simplify)


def _normalised(v: sympy.Matrix) -> sympy.Matrix:
    """``v`` or ``-v``, whichever has a positive first non-zero entry (where decidable)."""
    first = next((x for x in v if x != 0), _ZERO)
    return -v if _is_positive(-first) else v


def _in_lattice(basis: Sequence[sympy.Matrix], v: sympy.Matrix) -> bool:
    y = _coordinates(basis, v)
    return y is not None and all(x.denominator == 1 for x in y)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


def isolated_affine_elements(system: System, *, constant: bool = True, order: int = 4,
                             budget_seconds: float | None = None) -> IsolatedSearch:
    """The affine (or linear) maps commuting with the mechanisms, from Taylor-jet conditions.

    Parameters
    ----------
    system : System
        Maps and flows with ``sin, cos, tan, exp, sinh, cosh, tanh`` and integer powers
        (polynomial mechanisms are fine too); families and finite-state systems are declined.
    constant : bool
        ``True`` for the affine class ``Bz + c``, ``False`` for the linear class ``Bz``.
    order : int
        The Taylor order of the conditions; raised by 2 (up to :data:`MAX_ORDER`) once
        when they are not zero-dimensional.
    budget_seconds : float, optional
        Wall-clock budget for the whole search (default: ``equivid._budget``'s,
        ``EQUIVID_BUDGET_SECONDS``).

    Returns
    -------
    IsolatedSearch
        The proved elements (one per class, with integer symbols for the lattice
        shifts; the identity class first), the proved lattice generators, and whether
        that is everything in the class. Never raises for a valid system: whatever
        could not be done is in ``reason``.

    Examples
    --------
    >>> pendulum = System.from_spec("latents: [theta, omega]\\nflows: {pendulum: [omega, -sin(theta)]}")
    >>> found = isolated_affine_elements(pendulum)
    >>> found.elements
    ((2*pi*k1 + theta, omega), (2*pi*k1 - theta, -omega))
    >>> found.lattice, found.complete
    (((theta + 2*pi, omega),), True)
    """
    seconds = _default_budget_seconds() if budget_seconds is None else float(budget_seconds)
    try:  # in a child killed at the budget: building the conditions is one long sympy computation
        return within_budget(_search, (system, constant, int(order), seconds), what="the Taylor-jet search",
                             fallback="the isolated elements are a lower bound", seconds=seconds + 1.0)
    except BudgetExceededError:
        search = _Search(system, constant, int(order), seconds)
        search.incomplete.append(f"the Taylor-jet search did not finish within its budget ({seconds:g} s)")
        return search._result((), (), (), search.order)


def _search(system: System, constant: bool, order: int, seconds: float) -> IsolatedSearch:
    search = _Search(system, constant, order, seconds)
    try:
        return search.run()
    except _Declined as exc:
        search.incomplete.append(str(exc))
    except _Budget as exc:
        search.incomplete.append(f"the polynomial solve did not finish: {exc}")
    except Exception as exc:  # noqa: BLE001 - a sympy failure is a reason, never a crash
        search.incomplete.append(f"the search failed: {_one_line(exc)}")
    return search._result((), (), (), search.order)
