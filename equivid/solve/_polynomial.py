"""Solver part: polynomial maps ``a`` (linear, affine or ``polynomial:D``) commuting with
polynomial mechanisms.

Two routes to the commuting maps of the ansatz:

- **Affine mechanisms** (``polynomial:D`` ansatz): ``a = id + X`` commutes with
  ``m(z) = Az + b`` exactly when ``X(m(z)) = A X(z)``, the infinitesimal condition, so
  the commuting maps are ``id + span(Lie algebra at degree D)``: exact linear algebra.
- **Other polynomial mechanisms**: the coefficients of ``a∘m - m∘a`` (``Da V - V∘a``
  for flows) are polynomial equations in the coefficients of ``a``, solved exactly by
  sympy (Groebner bases) under a wall-clock budget (``_budget.py``).

Then only invertible maps are kept: a polynomial map with a polynomial inverse has a
constant non-zero Jacobian determinant, so the coefficients of the non-constant
monomials of ``det Da(z)`` must vanish (more polynomial equations, solved the same
way). The solution set through the identity is the family (its parameters count the
dimension, which can be smaller than the Lie algebra's: docs/theory.md); isolated
solutions form the discrete part; other families are represented by one element
each. For a ``polynomial:D`` ansatz a sampled element of the family, and every
discrete element, is inverted exactly (a lex Groebner basis of ``w - a(z)``), which
proves it is a polynomial automorphism and gives the degree of its inverse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sympy

from .._budget import within_budget
from ..ansatz import Ansatz, monomials
from ..errors import VerificationError
from ..mechanisms import System
from ._components import invertibility
from ._engine import EngineError, engine, singular_components
from ._lie import lie_algebra
from ._result import Solution
from ._roots import separating_intervals
from ._verify import commutes, group_residual, jacobian, tangent_fields
from .problem import Problem

__all__ = ["PolynomialPart", "eliminate", "polynomial_inverse", "identity_plus_span", "identity_values", "in_family"]

Map = tuple[sympy.Expr, ...]

@dataclass
class _Set:
    """One solution set: a map whose remaining unknowns range freely."""

    element: Map
    free: list[sympy.Symbol]
    det: sympy.Expr


def _real(value: sympy.Expr) -> bool:
    return not value.has(sympy.I) and value.is_real is not False


def _coefficients(expressions: Sequence[sympy.Expr], gens: Sequence[sympy.Symbol], *, skip_constant: bool = False) -> list[sympy.Expr]:
    equations: set[sympy.Expr] = set()
    for expr in expressions:
        expanded = sympy.expand(expr)
        if expanded == 0:
            continue
        for monom, c in sympy.Poly(expanded, *gens).terms():
            if c != 0 and not (skip_constant and not any(monom)):
                equations.add(c)
    return sorted(equations, key=sympy.default_sort_key)


def _pivot(equation: sympy.Expr, unknowns: set[sympy.Symbol]) -> tuple[sympy.Symbol, sympy.Expr] | None:
    """``(u, value)`` where ``equation = c u + q`` with ``c`` a non-zero number and ``q`` free of
    ``u`` (so the equation says ``u = value``), preferring the unknown whose value is shortest."""
    best = None
    for u in sorted(equation.free_symbols & unknowns, key=sympy.default_sort_key):
        poly = sympy.Poly(equation, u)
        if poly.degree() != 1:
            continue
        c, q = poly.all_coeffs()
        if c.free_symbols or c == 0:
            continue
        value = sympy.expand(-q / c)
        if best is None or sympy.count_ops(value) < sympy.count_ops(best[1]):
            best = (u, value)
    return best


def eliminate(equations: Sequence[sympy.Expr], unknowns: Sequence[sympy.Symbol]
              ) -> tuple[dict[sympy.Symbol, sympy.Expr], list[sympy.Expr]] | None:
    """Substitute away every unknown that some equation gives explicitly (``c u + q = 0``,
    ``c`` a non-zero number, ``q`` free of ``u``): linear equations and triangular chains
    such as ``a1 = a9**2``, each step an equivalence. Returns the substitutions and the
    equations left, or None when the equations are inconsistent (a non-zero constant).

    Examples
    --------
    >>> a, b, c = sympy.symbols("a b c")
    >>> values, left = eliminate([a - b**2, b - c**2, a*c - 1], [a, b, c])
    >>> sorted(values.items(), key=str), left
    ([(a, c**4), (b, c**2)], [c**5 - 1])
    """
    pool = set(unknowns)
    values: dict[sympy.Symbol, sympy.Expr] = {}
    left = [sympy.expand(e) for e in equations]
    while True:
        left = sorted({e for e in left if e != 0}, key=sympy.default_sort_key)
        if any(not (e.free_symbols & pool) for e in left):
            return None  # a non-zero constant (or a condition on symbols that are not unknowns)
        found = next(((e, hit) for e in left if (hit := _pivot(e, pool)) is not None), None)
        if found is None:
            return values, left
        _, (u, value) = found
        pool.discard(u)
        values = {k: sympy.expand(v.xreplace({u: value})) for k, v in values.items()}
        values[u] = value
        left = [sympy.expand(e.xreplace({u: value})) for e in left]


Solutions = list[dict[sympy.Symbol, sympy.Expr]]


def _compose(values: dict[sympy.Symbol, sympy.Expr], solution: dict[sympy.Symbol, sympy.Expr]
             ) -> dict[sympy.Symbol, sympy.Expr]:
    """``values`` with ``solution`` substituted into them, and ``solution`` beside."""
    full = {k: sympy.expand(v.xreplace(solution)) for k, v in values.items()}
    full.update(solution)
    return full


def _solve(equations: list[sympy.Expr], unknowns: Sequence[sympy.Symbol], linear_part: sympy.Matrix | None = None
           ) -> tuple[Solutions, str]:
    """Real solution sets of polynomial equations (exact), and which engine found them: the
    unknowns the equations give explicitly are eliminated first (:func:`eliminate`), the rest
    goes to :func:`_engine_solve`; ``[{}]`` when there are no equations, ``[]`` when they are
    inconsistent."""
    if not equations:
        return [{}], "no equations"
    reduced = eliminate(equations, unknowns)
    if reduced is None:
        return [], "inconsistent by substitution"
    values, left = reduced
    rest = [u for u in unknowns if u not in values]
    found, how = _engine_solve(left, rest, None if linear_part is None else linear_part.xreplace(values)) \
        if left else ([{}], "substitution")
    out: Solutions = []
    for solution in found:
        for real in _real_points(_compose(values, solution), rest):
            if real not in out:
                out.append(real)
    return out, how


def _engine_solve(equations: list[sympy.Expr], unknowns: Sequence[sympy.Symbol], linear_part: sympy.Matrix | None
                  ) -> tuple[Solutions, str]:
    """Singular when installed (``_engine.py``: only solutions with ``det linear_part != 0`` where
    given, up to closure), then sympy on each of its components; else (or where Singular fails,
    said in the note) sympy's ``solve``."""
    path = engine()
    failed = ""
    if path is not None:
        # the determinant after the substitution (sparser), division-free
        condition = None if linear_part is None else sympy.expand(linear_part.det(method="berkowitz"))
        if condition is not None and condition.is_number:
            condition = None  # decided already (a zero is left to the invertibility step)
        try:
            components, version = singular_components(path, equations, unknowns, condition)
        except EngineError as exc:
            failed = f" (Singular failed: {exc})"
        else:
            found = [solution for component in components for solution in _solve_sympy(component, unknowns)]
            return found, (f"{version} (slimgb, facstd{', invertible points only' if condition is not None else ''}), "
                           f"then sympy on each of its {len(components)} component{'s' if len(components) != 1 else ''}")
    return sympy.solve(equations, list(unknowns), dict=True), "sympy" + failed


def _real_points(solution: dict[sympy.Symbol, sympy.Expr], unknowns: Sequence[sympy.Symbol], depth: int = 0
                 ) -> Solutions:
    """The real points of a solution set: itself where every value is real; where values are
    complex in real free unknowns (``u2 = I u5``: a complex component whose real points are
    smaller), the free unknowns that make every imaginary part vanish (``u5 = 0``), solved
    again. Imaginary parts are read by conjugation (``I -> -I``), exact for values in the
    free unknowns over a field closed under it; others are not real points (dropped, as
    sympy's ``solve`` leaves them)."""
    if all(_real(v) for v in solution.values()):
        return [solution]
    free = sorted({s for v in solution.values() for s in v.free_symbols} & set(unknowns) - set(solution),
                  key=sympy.default_sort_key)
    if not free or depth > len(unknowns):
        return []
    imaginary = [sympy.expand((v - v.xreplace({sympy.I: -sympy.I})) / (2 * sympy.I)) for v in solution.values()]
    conditions = [c for c in imaginary if c != 0]
    if any(c.has(sympy.I) or not c.is_polynomial(*free) for c in conditions):
        return []
    return [real for values in _solve_sympy(conditions, free)
            for real in _real_points(_compose(solution, values), unknowns, depth + 1)]


def _solve_sympy(equations: list[sympy.Expr], unknowns: Sequence[sympy.Symbol]) -> Solutions:
    """One component's solutions: substitution first (most components are linear), sympy after."""
    reduced = eliminate(equations, unknowns)
    if reduced is None:
        return []
    values, left = reduced
    rest = [u for u in unknowns if u not in values]
    return [_compose(values, solution) for solution in (sympy.solve(left, rest, dict=True) if left else [{}])]


def _budgeted_solve(equations: list[sympy.Expr], unknowns: Sequence[sympy.Symbol], what: str, lie: Sequence[Map],
                    linear_part: sympy.Matrix | None = None) -> tuple[list[dict[sympy.Symbol, sympy.Expr]], str]:
    if not equations:
        return [{}], "no equations"
    fallback = f"the Lie algebra has {len(lie)} generator(s): " + ", ".join(str(X) for X in lie)
    return within_budget(_solve, (equations, list(unknowns), linear_part), what=what, fallback=fallback)


def polynomial_inverse(a: Sequence[sympy.Expr], latents: Sequence[sympy.Symbol]) -> Map | None:
    """The polynomial inverse of ``a`` (rational coefficients), or None where it has none.

    A lex Groebner basis of ``w_i - a_i(z)`` with the ``z`` first contains
    ``z_i - b_i(w)`` for every ``i`` exactly when ``a`` is a polynomial automorphism;
    then ``b`` is its inverse (returned in the latents' names, and checked).

    Examples
    --------
    >>> z1, z2 = sympy.symbols("z1 z2")
    >>> polynomial_inverse((z1 + z2**2, z2), (z1, z2))
    (z1 - z2**2, z2)
    >>> polynomial_inverse((z1**3, z2), (z1, z2)) is None
    True
    """
    n = len(latents)
    w = sympy.symbols(f"_w0:{n}")
    basis = sympy.groebner([wi - ai for wi, ai in zip(w, a)], *latents, *w, order="lex")
    inverse: list[sympy.Expr | None] = [None] * n
    for g in basis.exprs:
        poly = sympy.Poly(g, *latents)
        if poly.total_degree() != 1:
            continue
        moved = [k for k, z in enumerate(latents) if poly.degree(z) > 0]
        if len(moved) != 1:
            continue
        z = latents[moved[0]]
        coefficient = sympy.Poly(g, z).LC()
        if coefficient.free_symbols:  # z_i c(w) = ...: no polynomial inverse from this element
            continue
        inverse[moved[0]] = sympy.expand(-(g - coefficient * z) / coefficient)
    if any(b is None for b in inverse):
        return None
    back = dict(zip(w, latents))
    result = tuple(sympy.expand(b.xreplace(back)) for b in inverse if b is not None)
    forward = tuple(sympy.expand(e.xreplace(dict(zip(latents, result)))) for e in a)
    if forward != tuple(latents):  # pragma: no cover - the Groebner criterion guarantees it
        return None
    return result


class PolynomialPart:
    """Matches polynomial mechanisms with a linear, affine or ``polynomial:D`` ansatz
    (affine mechanisms under a linear/affine ansatz go to the affine part first)."""

    name = "polynomial-group"
    examined = False

    def matches(self, problem: Problem) -> bool:
        return problem.ansatz.kind in ("linear", "affine", "polynomial") and problem.polynomial

    def solve(self, problem: Problem) -> Solution:
        system, ansatz = problem.system, problem.ansatz
        degree = ansatz.degree if ansatz.kind == "polynomial" else 1
        lie = tuple(lie_algebra(system, degree=degree, constant=ansatz.has_constant))
        if ansatz.kind == "polynomial" and problem.affine:
            sets, route = [identity_plus_span(system, lie, degree)], "commuting maps = id + span(Lie algebra) (affine mechanisms)"
        else:
            sets, how = self._equations_route(system, ansatz, degree, lie)
            route = f"polynomial equations on the coefficients, solved exactly ({how})"
        sets = self._invertible(sets, system, lie)
        return self._assemble(system, ansatz, degree, sets, lie, route)

    # -- the commuting maps ----------------------------------------------------------------
    def _equations_route(self, system: System, ansatz: Ansatz, degree: int, lie: Sequence[Map]) -> tuple[list[_Set], str]:
        latents = system.latents
        basis = monomials(latents, degree, constant=ansatz.has_constant)
        count = len(basis) * system.n
        unknowns = list(sympy.symbols(f"_a0:{count}"))
        a = tuple(
            sum((unknowns[i * len(basis) + j] * mono for j, mono in enumerate(basis)), sympy.Integer(0))
            for i in range(system.n)
        )
        gens = latents + system.families
        residuals = [r for m in system.mechanisms for r in group_residual(a, m, latents)]
        equations = _coefficients(residuals, gens)
        # a linear or affine map is invertible iff det B != 0: the engine may keep only those
        linear_part = jacobian(a, latents) if ansatz.kind in ("linear", "affine") else None
        found, how = _budgeted_solve(equations, unknowns, "solving the group-level polynomial equations", lie,
                                     linear_part)
        sets = []
        for solution in found:
            element = tuple(sympy.expand(e.xreplace(solution)) for e in a)
            free = sorted({s for e in element for s in e.free_symbols} & set(unknowns), key=unknowns.index)
            sets.append(_Set(element, free, sympy.Integer(0)))
        return sets, how

    # -- invertibility: constant non-zero Jacobian determinant --------------------------------
    def _invertible(self, sets: list[_Set], system: System, lie: Sequence[Map]) -> list[_Set]:
        kept = []
        for s in sets:
            det = sympy.expand(jacobian(s.element, system.latents).det())
            equations = _coefficients([det], system.latents, skip_constant=True) if det != 0 else []
            branches = (
                _budgeted_solve(equations, s.free, "solving det Da(z) = constant", lie)[0] if equations else [{}]
            )
            for branch in branches:
                element = tuple(sympy.expand(e.xreplace(branch)) for e in s.element)
                constant = sympy.expand(det.xreplace(branch))
                if constant == 0 or constant.free_symbols & set(system.latents):
                    continue
                free = [u for u in s.free if u not in branch and any(e.has(u) for e in element)]
                kept.append(_Set(element, free, constant))
        return kept

    # -- the answer ---------------------------------------------------------------------------
    def _assemble(
        self, system: System, ansatz: Ansatz, degree: int, sets: list[_Set], lie: tuple[Map, ...], route: str
    ) -> Solution:
        from ._result import parameter_symbols

        latents = system.latents
        points = [s for s in sets if not s.free]
        through = [s for s in sets if s.free and identity_values(s.element, s.free, latents) is not None]
        others = [s for s in sets if s.free and s not in through]
        notes = [f"searched {ansatz.describe()}: {route}"]
        identity = tuple(latents)
        elements = [s.element for s in points]
        if not through:
            if identity not in elements:  # pragma: no cover - the identity always solves
                raise VerificationError("the identity map is missing from the solutions")
            discrete = tuple(e for e in elements if e != identity)
            notes += self._inverse_notes(ansatz, degree, [(e, "element") for e in discrete], latents)
            return Solution(
                latents=latents, ansatz=ansatz, general_element=identity, parameters=(), identity=(),
                nonzero=(), lie_algebra=lie, discrete=discrete, components=len(elements),
                parts=(self.name, "lie", "invertibility", "verify"), notes=tuple(notes),
            )
        family = max(through, key=lambda s: len(s.free))
        rest = [s for s in through if s is not family] + others
        taken = [s.name for s in latents + system.families]
        parameters = parameter_symbols(len(family.free), taken)
        rename = dict(zip(family.free, parameters))
        general = tuple(e.xreplace(rename) for e in family.element)
        values = identity_values(family.element, family.free, latents) or {}
        at_identity = tuple(sympy.sympify(values.get(u, 0)) for u in family.free)
        _, factors = sympy.factor_list(family.det.xreplace(rename), *parameters)
        nonzero = tuple(sorted((f.as_expr() for f, _ in factors), key=sympy.default_sort_key))
        elements = [e for e in elements if not in_family(e, general, parameters, latents)]
        rest = [s for s in rest if not in_family(s.element, general, parameters, latents)]
        representatives = tuple(elements) + tuple(_representative(s, system) for s in rest)
        if representatives:
            notes.append(f"{len(representatives)} further solution set(s) beside the main family")
        components = None
        others_at = _other_intervals(nonzero, parameters, at_identity) if not rest else None
        if others_at is not None:  # one parameter, a coordinate of the map: the family is its intervals
            t = parameters[0]
            representatives += tuple(tuple(sympy.expand(e.xreplace({t: v})) for e in general) for v in others_at)
            components = 1 + len(others_at) + len(elements)
            notes.append(f"components: the parameter {t} ranges over {1 + len(others_at)} interval(s) of the real line "
                         f"(the real roots of {' * '.join(map(str, nonzero)) or '1'} removed), each one component; "
                         f"{len(elements)} isolated element(s) beside it")
        elif not rest and ansatz.kind in ("linear", "affine") and _injective_affine(general, parameters, latents):
            found = invertibility(jacobian(general, latents), parameters, at_identity)
            if found.components is not None:  # the parameters fill R^k: the family is the sign regions of det B
                representatives += tuple(
                    tuple(sympy.expand(e.xreplace(dict(zip(parameters, point)))) for e in general)
                    for point in found.flips)
                components = found.components + len(elements)
                notes.append(f"components: the parameters (continuous functions of the map) range over "
                             f"R^{len(parameters)} minus the zero set of det B, with factors "
                             f"{', '.join(map(str, found.nonzero)) or 'none'}: {found.components} region(s), each one "
                             "component; "
                             f"{len(elements)} isolated element(s) beside it")
        notes += _integration_notes(general, parameters, at_identity, lie, latents, degree)
        sample = _representative(_Set(general, list(parameters), family.det.xreplace(rename)), system)
        notes += self._inverse_notes(
            ansatz, degree, [(sample, "a sampled element of the family")] + [(e, "element") for e in representatives],
            latents,
        )
        return Solution(
            latents=latents, ansatz=ansatz, general_element=general, parameters=parameters,
            identity=at_identity, nonzero=nonzero, lie_algebra=lie, discrete=representatives, components=components,
            parts=(self.name, "lie", "invertibility", "verify"), notes=tuple(notes),
        )

    def _inverse_notes(self, ansatz: Ansatz, degree: int, maps: list[tuple[Map, str]], latents: Sequence[sympy.Symbol]) -> list[str]:
        if ansatz.kind != "polynomial" or degree < 2:
            return []
        notes = []
        for a, label in maps:
            if all(sympy.Poly(e, *latents).total_degree() <= 1 for e in a):
                continue
            inverse = polynomial_inverse(a, latents)
            if inverse is None:
                notes.append(
                    f"{label} {a} has a constant Jacobian determinant but no polynomial inverse was found"
                )
                continue
            top = max(sympy.Poly(e, *latents).total_degree() for e in inverse)
            where = "inside the class" if top <= degree else f"outside the class (degree {top} > {degree})"
            notes.append(f"{label} {a} is a polynomial automorphism: its inverse {inverse} lies {where}")
        return notes


def _field_basis(latents: Sequence[sympy.Symbol], degree: int) -> list[tuple[int, sympy.Expr]]:
    """The fields ``z^alpha e_i`` of degree <= ``degree`` as ``(i, z^alpha)``, component-major."""
    return [(i, mono) for i in range(len(latents)) for mono in monomials(latents, degree, constant=True)]


def _coordinates(X: Sequence[sympy.Expr], latents: Sequence[sympy.Symbol], basis: list[tuple[int, sympy.Expr]]) -> list[sympy.Expr]:
    """The coefficients of the polynomial vector field ``X`` over ``basis``."""
    polys = [sympy.Poly(e, *latents) for e in X]
    return [polys[i].coeff_monomial(mono) for i, mono in basis]


def identity_plus_span(system: System, lie: Sequence[Map], degree: int) -> _Set:
    """``id + span(lie)``, parametrised by the coefficients at the pivots of the reduced
    basis (so ``(2 z1, 3 z2)`` gives ``(t1 z1, t2 z2)``, the identity at ``t = (1, 1)``)."""
    latents = system.latents
    basis = _field_basis(latents, degree)
    if not lie:
        return _Set(tuple(latents), [], sympy.Integer(0))

    reduced, pivots = sympy.Matrix([_coordinates(X, latents, basis) for X in lie]).rref()
    rows = [reduced.row(k) for k in range(len(pivots))]
    identity = _coordinates(latents, latents, basis)
    u = list(sympy.symbols(f"_u0:{len(rows)}"))
    coefficients = sympy.Matrix([identity])
    for uk, row, p in zip(u, rows, pivots):
        coefficients += (uk - identity[p]) * row
    element = tuple(
        sympy.expand(sum((c * mono for c, (i, mono) in zip(coefficients, basis) if i == k), sympy.Integer(0)))
        for k in range(system.n)
    )
    return _Set(element, u, sympy.Integer(0))


def identity_values(
    element: Map, unknowns: Sequence[sympy.Symbol], latents: Sequence[sympy.Symbol]
) -> dict[sympy.Symbol, sympy.Expr] | None:
    """Values of ``unknowns`` that make ``element`` the identity map, or None if there are none."""
    equations = _coefficients([e - z for e, z in zip(element, latents)], latents)
    if not equations:
        return {}
    found = sympy.solve(equations, list(unknowns), dict=True)
    return found[0] if found else None


def in_family(element: Map, general: Map, parameters: Sequence[sympy.Symbol], latents: Sequence[sympy.Symbol]) -> bool:
    """Whether ``element`` (possibly with free unknowns of its own) is ``general`` at some
    parameters; False where the difference is not polynomial in the latents (undecided)."""
    try:
        equations = _coefficients([g - e for g, e in zip(general, element)], latents)
    except sympy.PolynomialError:
        return False
    return not equations or bool(sympy.solve(equations, list(parameters), dict=True))


def _integration_notes(
    general: Map, parameters: Sequence[sympy.Symbol], at_identity: Sequence[sympy.Expr],
    lie: Sequence[Map], latents: Sequence[sympy.Symbol], degree: int,
) -> list[str]:
    """Which Lie generators are tangent to the family at the identity (integrate inside it)."""
    if len(lie) <= len(parameters):
        return []
    tangents = tangent_fields(general, parameters, at_identity)
    basis = _field_basis(latents, degree)

    span = sympy.Matrix([_coordinates(T, latents, basis) for T in tangents]) if tangents else sympy.zeros(0, len(basis))
    rank = span.rank()
    outside = [X for X in lie if sympy.Matrix.vstack(span, sympy.Matrix([_coordinates(X, latents, basis)])).rank() > rank]
    return [
        f"the Lie algebra at degree {degree} has {len(lie)} generators but the family of maps has dimension "
        f"{len(parameters)}: the flows of {', '.join(str(X) for X in outside)} leave the class (docs/theory.md)"
    ]


def _other_intervals(nonzero: Sequence[sympy.Expr], parameters: Sequence[sympy.Symbol],
                     at_identity: Sequence[sympy.Expr]) -> list[sympy.Rational] | None:
    """For a family with one parameter ``t`` that must keep every ``nonzero`` factor non-zero:
    one rational value of ``t`` in each interval of ``{t : every factor != 0}`` other than the
    identity's (the intervals are the family's components: ``t`` is a coefficient of the map,
    so ``t -> a_t`` is a homeomorphism onto the family, and at a root the map is not
    invertible). None where there are other parameters or a factor is not a polynomial in
    ``t`` with rational coefficients (not decided)."""
    if len(parameters) != 1 or len(at_identity) != 1:
        return None
    t = parameters[0]
    product = sympy.Integer(1)
    for factor in nonzero:
        if factor.free_symbols - {t}:
            return None
        product *= factor
    product = sympy.expand(product)
    if product.is_number:
        return [] if product != 0 else None
    poly = sympy.Poly(sympy.sqf_part(product), t)
    if not all(c.is_Rational for c in poly.all_coeffs()):
        return None
    if poly.degree() <= 0 or poly.count_roots() == 0:
        return []
    intervals = separating_intervals(poly)
    points = [intervals[0][0]] + [hi for _, hi in intervals]  # point k has exactly k real roots below it

    identity = sympy.Rational(at_identity[0])
    if poly.eval(identity) == 0:  # pragma: no cover - the identity is invertible
        return None
    # the identity's interval: the number of real roots below it (exact: count in [identity, inf))
    index = int(poly.count_roots()) - int(poly.count_roots(inf=identity))
    return [p for k, p in enumerate(points) if k != index]


def _representative(s: _Set, system: System) -> Map:
    """One invertible, verified element of a parametric solution set (small integer values)."""
    for trial in range(1, 8):
        point = {u: sympy.Integer(trial + k) for k, u in enumerate(s.free)}
        candidate = tuple(sympy.expand(e.xreplace(point)) for e in s.element)
        det = sympy.expand(jacobian(candidate, system.latents).det())
        if det != 0 and not det.free_symbols & set(system.latents) and commutes(candidate, system):
            return candidate
    raise VerificationError(f"no verified invertible element found in the solution set {s.element}")


def _injective_affine(general: Sequence[sympy.Expr], parameters: Sequence[sympy.Symbol],
                      latents: Sequence[sympy.Symbol]) -> bool:
    """Whether the parameters are continuous functions of the map, so that the family is
    homeomorphic to its parameter set and components can be counted there: each parameter
    is one of the map's coefficients, or the coefficients are affine in the parameters,
    injectively."""
    coefficients = [sympy.expand(c) for e in general for c in sympy.Poly(sympy.expand(e), *latents).coeffs()]
    if set(parameters) <= set(coefficients):
        return True
    try:
        polys = [sympy.Poly(c, *parameters) for c in coefficients]
    except sympy.PolynomialError:
        return False
    if any(p.total_degree() > 1 or any(x.free_symbols for x in p.coeffs()) for p in polys):
        return False
    linear = sympy.Matrix([[p.coeff_monomial(t) for t in parameters] for p in polys])
    return bool(linear.rank() == len(parameters))
