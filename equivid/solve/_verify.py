"""Substitution checks: every reported map and generator is verified here first.

``a`` commutes with a map ``m`` when ``a(m(z)) - m(a(z)) = 0``; with a flow of ``V``
when ``Da(z) V(z) - V(a(z)) = 0`` (the pushforward of ``V`` by ``a`` is ``V``). A
vector field ``X`` generates such maps when ``X(m(z)) - Dm(z) X(z) = 0`` (maps) or
``[X, V] = DV X - DX V = 0`` (flows). Residuals are decided exactly: expansion, then
simplification; a quick high-precision evaluation rejects non-zero residuals early.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import sympy

from ..mechanisms import Mechanism, System

__all__ = [
    "compose",
    "group_residual",
    "lie_residual",
    "is_zero",
    "commutes",
    "generates",
    "unsound",
    "jacobian",
    "tangent_fields",
    "triangular_bijection",
]

Map = tuple[sympy.Expr, ...]


def compose(outer: Sequence[sympy.Expr], inner: Sequence[sympy.Expr], latents: Sequence[sympy.Symbol]) -> Map:
    """``outer∘inner``: substitute ``inner`` for the latents in ``outer`` (simultaneously)."""
    subs = dict(zip(latents, inner))
    return tuple(sympy.sympify(e).xreplace(subs) for e in outer)


def jacobian(components: Sequence[sympy.Expr], latents: Sequence[sympy.Symbol]) -> sympy.Matrix:
    return sympy.Matrix([[sympy.diff(e, z) for z in latents] for e in components])


def tangent_fields(
    general: Sequence[sympy.Expr], parameters: Sequence[sympy.Symbol], at: Sequence[sympy.Expr]
) -> list[Map]:
    """``d general / d t_k`` at the parameter values ``at``: the family's tangent vector fields."""
    point = dict(zip(parameters, at))
    return [tuple(sympy.expand(sympy.diff(e, t).xreplace(point)) for e in general) for t in parameters]


def group_residual(a: Sequence[sympy.Expr], mechanism: Mechanism, latents: Sequence[sympy.Symbol]) -> Map:
    """``a∘m - m∘a`` for a map, ``Da·V - V∘a`` for a flow."""
    m = mechanism.components
    if mechanism.is_flow:
        pushed = jacobian(a, latents) * sympy.Matrix(m)
        return tuple(p - q for p, q in zip(pushed, compose(m, a, latents)))
    return tuple(p - q for p, q in zip(compose(a, m, latents), compose(m, a, latents)))


def lie_residual(X: Sequence[sympy.Expr], mechanism: Mechanism, latents: Sequence[sympy.Symbol]) -> Map:
    """``X∘m - Dm·X`` for a map, ``[X, V] = DV·X - DX·V`` for a flow."""
    m = mechanism.components
    if mechanism.is_flow:
        bracket = jacobian(m, latents) * sympy.Matrix(X) - jacobian(X, latents) * sympy.Matrix(m)
        return tuple(bracket)
    moved = jacobian(m, latents) * sympy.Matrix(X)
    return tuple(p - q for p, q in zip(compose(X, m, latents), moved))


def _probably_nonzero(expr: sympy.Expr, rng: random.Random) -> bool:
    symbols = sorted(expr.free_symbols, key=str)
    for k in range(3):  # small points first: saturations (tanh) flatten large arguments
        scale = 97 if k == 2 else 17
        point = {s: sympy.Rational(rng.randint(-scale, scale), rng.randint(7, 13)) for s in symbols}
        try:
            value = sympy.N(expr.xreplace(point), 30)
        except (TypeError, ValueError, ArithmeticError, MemoryError, RecursionError):  # towers of powers
            return False
        if value.is_number and value.is_comparable and abs(value) > sympy.Float("1e-20"):
            return True
    return False


def is_zero(expr: sympy.Expr) -> bool:
    """Decide ``expr == 0`` exactly (``False`` when it cannot be shown to vanish).

    Examples
    --------
    >>> x = sympy.Symbol("x")
    >>> is_zero(sympy.sin(x)**2 + sympy.cos(x)**2 - 1)
    True
    >>> is_zero(x**2 - x)
    False
    """
    expr = sympy.sympify(expr)
    if expr == 0:
        return True
    expanded = sympy.expand(expr)
    if expanded == 0:
        return True
    if _probably_nonzero(expanded, random.Random(7)):
        return False
    if _reduce_trig(_canonical_arguments(expanded)) == 0:
        return True
    simplified = sympy.simplify(expanded)
    return bool(simplified == 0)


def _reduce_trig(expr: sympy.Expr) -> sympy.Expr:
    """A normal form for polynomials in ``sin(u), cos(u)``: the remainder modulo
    ``sin(u)**2 + cos(u)**2 - 1``, of degree < 2 in ``sin(u)``."""
    for u in sorted({f.args[0] for f in expr.atoms(sympy.sin, sympy.cos)}, key=sympy.default_sort_key):
        S, C = sympy.Dummy("S"), sympy.Dummy("C")
        replaced = expr.xreplace({sympy.sin(u): S, sympy.cos(u): C})
        if not replaced.is_polynomial(S, C):
            continue
        expr = sympy.expand(sympy.rem(replaced, S**2 + C**2 - 1, S).xreplace({S: sympy.sin(u), C: sympy.cos(u)}))
    return expr


def _canonical_arguments(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` with the arguments of its functions (``tanh``, ``exp``) expanded and
    trig-simplified: cheap, and often enough, e.g. ``tanh(|R z|^2) = tanh(|z|^2)``."""

    def canonical(e: sympy.Expr) -> sympy.Expr:
        return e.func(*[_reduce_trig(sympy.expand(a)) for a in e.args])

    def plain(e: sympy.Basic) -> bool:  # a function of expressions (not Piecewise's (expr, cond) pairs)
        return isinstance(e, sympy.Function) and bool(e.free_symbols) and all(isinstance(a, sympy.Expr) for a in e.args)

    applied = expr.replace(plain, canonical)
    return sympy.expand(applied)


def commutes(a: Sequence[sympy.Expr], system: System) -> bool:
    """Whether ``a`` commutes with every mechanism (for every value of the families)."""
    return all(is_zero(r) for m in system.mechanisms for r in group_residual(a, m, system.latents))


def generates(X: Sequence[sympy.Expr], system: System) -> bool:
    """Whether the vector field ``X`` satisfies the infinitesimal condition for every mechanism."""
    return all(is_zero(r) for m in system.mechanisms for r in lie_residual(X, m, system.latents))


def unsound(system: System, elements: Sequence[tuple[str, Sequence[sympy.Expr]]],
            generators: Sequence[Sequence[sympy.Expr]],
            representatives: Sequence[Sequence[sympy.Expr]]) -> str | None:
    """The first failure of a solution's soundness, in words, or ``None``: each of the
    ``elements`` (labelled, e.g. "the general element") and the component
    ``representatives`` must commute, each Lie ``generators`` must satisfy the
    infinitesimal condition."""
    for label, a in elements:
        if not commutes(a, system):
            return f"{label} {tuple(a)} does not commute with every mechanism"
    for X in generators:
        if not generates(X, system):
            return f"the Lie generator {tuple(X)} fails the infinitesimal condition"
    for a in representatives:
        if not commutes(a, system):
            return f"the component representative {tuple(a)} does not commute"
    return None


def triangular_bijection(components: Map, latents: Sequence[sympy.Symbol]) -> bool:
    """``m_i = c_i z_i + f_i(z_1..z_{i-1})`` (or upper triangular) with constants ``c_i != 0``:
    solved coordinate by coordinate, so a bijection of R^n."""
    J = jacobian(components, latents)
    n = len(latents)
    diagonal = [sympy.expand(J[i, i]) for i in range(n)]
    if any(d.free_symbols or d == 0 for d in diagonal):
        return False
    lower = all(is_zero(J[i, j]) for i in range(n) for j in range(i + 1, n))
    return lower or all(is_zero(J[i, j]) for i in range(n) for j in range(i))
