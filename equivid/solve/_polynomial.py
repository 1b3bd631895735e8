"""Solver part: polynomial (non-affine) mechanisms under a linear or affine ansatz.

For ``a(z) = Bz + c`` and a polynomial mechanism ``m`` the coefficients of
``a(m(z)) - m(a(z))`` (``Da V - V∘a`` for flows) are polynomial equations in
``(B, c)``. They are solved exactly (sympy's polynomial solver, Groebner bases);
complex and non-invertible solutions are dropped. Isolated solutions form a finite
group (e.g. the signed permutations commuting with ``(z1**5, z2**5)``); a family
through the identity gives the general element; other families are represented by
one element each. The Lie algebra is computed separately (infinitesimal condition),
so its dimension may exceed the family's (THEORY.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy

from ..ansatz import Ansatz
from ..errors import BudgetExceededError
from ..mechanisms import System
from ._lie import lie_algebra
from ._result import Solution
from ._verify import commutes, group_residual

__all__ = ["PolynomialPart"]

Map = tuple[sympy.Expr, ...]

#: Unknowns above which the group-level polynomial system is not attempted.
MAX_UNKNOWNS = 12


def _equations(system: System, a: Map, unknowns: Sequence[sympy.Symbol]) -> list[sympy.Expr]:
    gens = system.latents + system.families
    equations: set[sympy.Expr] = set()
    for m in system.mechanisms:
        for residual in group_residual(a, m, system.latents):
            expanded = sympy.expand(residual)
            if expanded != 0:
                equations.update(c for c in sympy.Poly(expanded, *gens).coeffs() if c != 0)
    return sorted(equations, key=sympy.default_sort_key)


def _real(value: sympy.Expr) -> bool:
    return not value.has(sympy.I) and value.is_real is not False


def _element(solution: dict[sympy.Symbol, sympy.Expr], a: Map, unknowns: Sequence[sympy.Symbol]) -> Map:
    return tuple(sympy.expand(e.xreplace(solution)) for e in a)


class PolynomialPart:
    """Matches polynomial mechanisms (not all affine) with a linear or affine ansatz."""

    name = "polynomial-group"

    def matches(self, system: System, ansatz: Ansatz) -> bool:
        if ansatz.kind not in ("linear", "affine"):
            return False
        gens = system.latents + system.families
        return all(c.is_polynomial(*gens) for m in system.mechanisms for c in m.components)

    def solve(self, system: System, ansatz: Ansatz) -> Solution:
        n = system.n
        b = sympy.symbols(f"_b0:{n * n}")
        c = sympy.symbols(f"_c0:{n}") if ansatz.has_constant else ()
        unknowns = list(b) + list(c)
        if len(unknowns) > MAX_UNKNOWNS:
            raise BudgetExceededError(
                f"ansatz: the group-level system has {len(unknowns)} unknowns (budget {MAX_UNKNOWNS}); "
                "equivid.lie_algebra(system, degree=1) still gives the Lie algebra"
            )
        B = sympy.Matrix(n, n, b)
        shift = sympy.Matrix(c) if c else sympy.zeros(n, 1)
        a = tuple(B * sympy.Matrix(system.latents) + shift)
        equations = _equations(system, a, unknowns)
        found = sympy.solve(equations, unknowns, dict=True) if equations else [{}]
        kept = []
        for solution in found:
            if not all(_real(v) for v in solution.values()):
                continue
            if sympy.expand(B.xreplace(solution).det()) != 0:  # drop sets of singular maps
                kept.append(solution)
        return self._assemble(system, ansatz, a, unknowns, kept)

    def _assemble(
        self, system: System, ansatz: Ansatz, a: Map, unknowns: list[sympy.Symbol], found: list[dict]
    ) -> Solution:
        from . import parameter_symbols

        latents = system.latents
        lie = tuple(lie_algebra(system, degree=1, constant=ansatz.has_constant))
        points = [s for s in found if not any(e.free_symbols & set(unknowns) for e in _element(s, a, unknowns))]
        families = sorted(
            (s for s in found if s not in points), key=lambda s: not _through_identity(s, unknowns, system.n)
        )
        elements = [_element(s, a, unknowns) for s in points]
        for element in elements:
            if not commutes(element, system):  # pragma: no cover - a solver bug would land here
                from ..errors import VerificationError

                raise VerificationError(f"the solution {element} does not commute with every mechanism")
        identity = tuple(latents)
        notes = ["group elements found by solving the polynomial equations on (B, c) exactly"]
        if not families:
            others = tuple(e for e in elements if e != identity)
            return Solution(
                latents=latents, ansatz=ansatz, general_element=identity, parameters=(), identity=(),
                nonzero=(), lie_algebra=lie, discrete=others, components=len(elements),
                parts=(self.name, "lie", "verify"), notes=tuple(notes),
            )
        family = families[0]
        general = _element(family, a, unknowns)
        free = sorted({s for e in general for s in e.free_symbols} & set(unknowns), key=str)
        taken = [s.name for s in latents + system.families]
        parameters = parameter_symbols(len(free), taken)
        general = tuple(e.xreplace(dict(zip(free, parameters))) for e in general)
        if not commutes(general, system):  # pragma: no cover
            from ..errors import VerificationError

            raise VerificationError(f"the family {general} does not commute with every mechanism")
        if len(families) > 1 or elements:
            notes.append(f"{len(families) - 1 + len(elements)} further solution set(s) beside the main family")
        rest = [_element(f, a, unknowns) for f in families[1:]]
        representatives = tuple(elements) + tuple(_representative(e, unknowns, system) for e in rest)
        jac = sympy.Matrix([[sympy.diff(e, z) for z in latents] for e in general])
        _, factors = sympy.factor_list(jac.det(), *parameters) if parameters else (1, [])
        nonzero = tuple(sorted((f.as_expr() for f, _ in factors), key=sympy.default_sort_key))
        return Solution(
            latents=latents, ansatz=ansatz, general_element=general, parameters=parameters,
            identity=(), nonzero=nonzero, lie_algebra=lie, discrete=representatives, components=None,
            parts=(self.name, "lie", "verify"), notes=tuple(notes),
        )


def _through_identity(solution: dict, unknowns: Sequence[sympy.Symbol], n: int) -> bool:
    """Whether the solution set contains the identity (B = I, c = 0)."""
    values = {u: sympy.Integer(int(k < n * n and k // n == k % n)) for k, u in enumerate(unknowns)}
    return all(sympy.expand(key.xreplace(values) - value.xreplace(values)) == 0 for key, value in solution.items())


def _representative(element: Map, unknowns: Sequence[sympy.Symbol], system: System) -> Map:
    """One invertible, verified element of a parametric solution set (small integer values)."""
    free = sorted({s for e in element for s in e.free_symbols} & set(unknowns), key=str)
    for trial in range(1, 6):
        point = {u: sympy.Integer(trial + k) for k, u in enumerate(free)}
        candidate = tuple(sympy.expand(e.xreplace(point)) for e in element)
        jac = sympy.Matrix([[sympy.diff(e, z) for z in system.latents] for e in candidate])
        if jac.det() != 0 and commutes(candidate, system):
            return candidate
    from ..errors import VerificationError

    raise VerificationError(f"no verified invertible element found in the solution set {element}")
