"""Solver part: mechanisms that are not polynomial (``tanh``, ``exp``, ``sin``, rational
functions) under a linear or affine ansatz.

``a(z) = Bz + c`` commuting with such a mechanism gives transcendental equations in
``(B, c)``, which no exact solver decides in general. What this part does instead,
and says so in the answer's notes:

- **The identity component** from the Lie algebra at degree 1 (sampled at 50-digit
  points, every generator proved symbolically; ``_lie.py``): first the affine family
  ``id + span(Lie algebra)``, else, for a commutative Lie algebra, the product of the
  generators' exponentials (matrix exponentials, e.g. rotations ``cos t, sin t``).
  The family is kept only if it is proved to commute symbolically.
- **Discrete candidates**: every signed permutation ``z -> Pz`` (and ``P`` composed
  with the family), each kept only if it is proved to commute. Isolated elements with
  a shift, or with other linear parts, are not searched.

Its dimension is exact (the group's dimension is its Lie algebra's); its discrete
part is a lower bound.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import sympy

from .._budget import budget_seconds
from ..errors import UnsupportedMechanismError
from ..mechanisms import System
from ._lie import lie_algebra
from ._polynomial import identity_plus_span, identity_values, in_family
from ._result import Claim, Completeness, Solution
from ._verify import commutes, jacobian
from .jets import isolated_affine_elements
from .problem import Problem

__all__ = ["NonPolynomialPart", "MAX_SIGNED_PERMUTATION_LATENTS"]

Map = tuple[sympy.Expr, ...]

#: Signed permutations are tried as discrete candidates up to this many latents (2^n n!).
MAX_SIGNED_PERMUTATION_LATENTS = 4
#: Isolated elements are searched by Taylor-jet conditions up to this many latents ...
MAX_JET_LATENTS = 3
#: ... within this many seconds (a partial search is reported as a lower bound).
JET_BUDGET_SECONDS = 20.0


def _affine_matrix(X: Map, latents: Sequence[sympy.Symbol]) -> sympy.Matrix:
    """The ``(n+1) x (n+1)`` matrix of the affine vector field ``X(z) = Mz + v``."""
    n = len(latents)
    M = sympy.zeros(n + 1, n + 1)
    for i, e in enumerate(X):
        poly = sympy.Poly(e, *latents)
        for j, z in enumerate(latents):
            M[i, j] = poly.coeff_monomial(z)
        M[i, n] = poly.coeff_monomial(1)
    return M


def _exponential_family(lie: Sequence[Map], latents: Sequence[sympy.Symbol], parameters: Sequence[sympy.Symbol]) -> Map:
    """``exp(t_1 X_1) ∘ ... ∘ exp(t_k X_k)`` applied to ``z`` (coordinates of the second kind:
    each factor commutes with the mechanisms, so the product does, and near the identity
    it covers the identity component)."""
    total = sympy.eye(len(latents) + 1)
    for t, X in zip(parameters, lie):
        total = total * sympy.simplify((t * _affine_matrix(X, latents)).exp())
    point = sympy.Matrix(list(latents) + [1])
    return tuple(sympy.simplify(e) for e in (total * point)[: len(latents)])


class NonPolynomialPart:
    """Matches a linear/affine ansatz when some mechanism is not polynomial."""

    name = "non-polynomial"
    #: Cross-examined by default: isolated elements come from jet conditions and signed permutations.
    examined = True

    def matches(self, problem: Problem) -> bool:
        if problem.ansatz.kind not in ("linear", "affine") or problem.system.families or problem.finite:
            return False
        return not problem.polynomial

    def solve(self, problem: Problem) -> Solution:
        system, ansatz = problem.system, problem.ansatz
        from ._result import parameter_symbols

        latents = system.latents
        lie = lie_algebra(system, degree=1, constant=ansatz.has_constant)
        notes = [
            f"searched {ansatz.describe()} for mechanisms that are not polynomial: the identity "
            f"component from the Lie algebra ({lie.method}), discrete candidates among the signed "
            "permutations; isolated elements with other linear parts or with a shift were not searched"
        ]
        if lie.dropped:
            notes.append(f"{lie.dropped} numeric candidate generator(s) could not be proved and were dropped")
        taken = [s.name for s in latents]
        family = identity_plus_span(system, lie, 1)
        parameters = parameter_symbols(len(family.free), taken)
        general = tuple(e.xreplace(dict(zip(family.free, parameters))) for e in family.element)
        values = identity_values(general, parameters, latents) or {}
        identity = tuple(sympy.sympify(values.get(t, 0)) for t in parameters)
        if parameters and not commutes(general, system):
            exponential = _exponential_family(lie, latents, parameters)
            if not commutes(exponential, system):
                raise UnsupportedMechanismError(
                    f"the Lie algebra at degree 1 is {tuple(lie)}, but neither id + its span nor the "
                    "product of its exponentials could be proved to commute; equivid.lie_algebra(system) "
                    "gives the generators"
                )
            general, identity = exponential, tuple(sympy.Integer(0) for _ in parameters)
            notes.append("the family is the product of the generators' exponentials")
        det = sympy.simplify(jacobian(general, latents).det())
        nonzero: tuple[sympy.Expr, ...] = ()
        if parameters and det.free_symbols:
            if det.is_polynomial(*parameters):
                _, factors = sympy.factor_list(det, *parameters)
                nonzero = tuple(sorted((f.as_expr() for f, _ in factors), key=sympy.default_sort_key))
            else:  # e.g. exp(t1) * (...): factors that never vanish for real t are left out
                factors = [f for f in sympy.Mul.make_args(sympy.factor(det)) if not isinstance(f, sympy.exp)]
                nonzero = tuple(f for f in factors if f.free_symbols)
        discrete = self._discrete(system, general, parameters, identity)
        completeness = Completeness.lower_bound(
            "isolated elements with a shift or with a linear part other than a signed permutation were not searched",
            dimension=not lie.dropped)
        components: int | None = None if parameters else 1 + len(discrete)
        if system.n <= MAX_JET_LATENTS:
            search = isolated_affine_elements(system, constant=ansatz.has_constant, budget_seconds=min(JET_BUDGET_SECONDS, budget_seconds()))
            found = [a for a in search.discrete_generators(latents) if a not in discrete]
            if parameters:  # a continuous part: keep the proved elements outside the family
                found = [a for a in found if not in_family(a, general, parameters, latents)]
            discrete = discrete + tuple(found)
            if search.complete and not parameters:
                notes[0] = (f"searched {ansatz.describe()} for mechanisms that are not polynomial: the identity "
                            f"component from the Lie algebra ({lie.method}); isolated elements from Taylor-jet "
                            f"conditions, every solution proved ({search.reason}); complete within the class "
                            "(docs/theory.md#isolated-elements-of-non-polynomial-mechanisms)")
                completeness = Completeness(discrete=Claim(True), infinite_discrete=bool(search.lattice))
                components = None if search.lattice else len(search.elements)
                if search.lattice:
                    notes.append("the shifts " + ", ".join(str(v) for v in search.lattice) + " generate an infinite "
                                 "discrete subgroup (every integer multiple commutes): infinitely many components")
            else:
                reason = search.reason or "the Taylor-jet search was not complete"
                completeness = Completeness.lower_bound(
                    f"isolated elements: {reason}", dimension=not lie.dropped)
                if not parameters:
                    components = 1 + len(discrete)
                if search.lattice:
                    completeness = Completeness(completeness.identity_component, completeness.discrete, True)
                    components = None
        return Solution(
            latents=latents, ansatz=ansatz, general_element=general, parameters=parameters,
            identity=identity, nonzero=nonzero, lie_algebra=tuple(lie), discrete=discrete,
            components=components, parts=(self.name, "lie", "jets", "verify"), notes=tuple(notes),
            completeness=completeness,
        )

    def _discrete(self, system: System, general: Map, parameters: Sequence[sympy.Symbol],
                  identity: Sequence[sympy.Expr]) -> tuple[Map, ...]:
        latents = system.latents
        n = len(latents)
        if n > MAX_SIGNED_PERMUTATION_LATENTS:
            return ()
        found: list[Map] = []
        for perm in itertools.permutations(range(n)):
            for signs in itertools.product((1, -1), repeat=n):
                candidate = tuple(s * latents[p] for s, p in zip(signs, perm))
                if candidate == tuple(latents):
                    continue
                if parameters and any(
                    in_family(_compose_inverse(f, candidate, latents), general, parameters, latents)
                    for f in [tuple(latents)] + found
                ):
                    continue  # in a component already represented
                if commutes(candidate, system):
                    found.append(candidate)
        return tuple(found)


def _compose_inverse(f: Map, a: Map, latents: Sequence[sympy.Symbol]) -> Map:
    """``f^{-1}∘a`` for a linear invertible ``f``."""
    F = sympy.Matrix([[sympy.Poly(e, *latents).coeff_monomial(z) for z in latents] for e in f])
    return tuple(sympy.expand(e) for e in F.inv() * sympy.Matrix(a))
