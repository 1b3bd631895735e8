"""Sketches for exactly known mechanisms on continuous latents (maps, families, flows).

The steps are derived again from the solved group, independently of the solver:
the ansatz with symbolic coefficients is substituted into ``a∘m - m∘a`` (``Da V - V∘a``
for flows), the coefficient equations are read off and compared with the matrix form
of docs/theory.md (``BA = AB``, ``(A - I)c = (B - I)b``), the general element is substituted
back, the rank of the linear system is compared with the dimension, the determinant
is factored, and every representative of another component is substituted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sympy

from ..ansatz import monomials
from ..solve._forms import affine_forms, split_family
from ..solve._verify import commutes, generates, group_residual, jacobian
from ._base import (
    SCOPE_REASON,
    SHOW,
    Step,
    combine,
    conclusion_step,
    consistency_step,
    equation_objects,
    joined,
    run_check,
)

if TYPE_CHECKING:
    from ..groups import EquivarianceGroup

__all__ = ["exact_steps", "ansatz_unknowns", "coefficient_equations", "solution_checks"]

Map = tuple[sympy.Expr, ...]
#: Above this many latents the expression-level checks are replaced by the solver's matrix-form check.
EXPRESSIONS_UP_TO = 8


def ansatz_unknowns(group: EquivarianceGroup) -> tuple[Map, list[sympy.Symbol]]:
    """The ansatz with symbolic coefficients: ``Bz + c`` (``b_{i,j}``, ``c_{i}``) or ``sum q_{i,k} z^k``."""
    z = group.latents
    n = len(z)
    kind = group.ansatz.kind
    if kind in ("linear", "affine"):
        B = [[sympy.Symbol(f"b_{{{i + 1},{j + 1}}}") for j in range(n)] for i in range(n)]
        c = [sympy.Symbol(f"c_{{{i + 1}}}") if kind == "affine" else sympy.Integer(0) for i in range(n)]
        a = tuple(sum((B[i][j] * z[j] for j in range(n)), c[i]) for i in range(n))
        unknowns = [b for row in B for b in row] + [x for x in c if x != 0]
        return a, unknowns
    basis = monomials(z, group.ansatz.degree, constant=True)
    q = [[sympy.Symbol(f"q_{{{i + 1},{k + 1}}}") for k in range(len(basis))] for i in range(n)]
    a = tuple(sum((q[i][k] * mono for k, mono in enumerate(basis)), sympy.Integer(0)) for i in range(n))
    return a, [x for row in q for x in row]


def _normal(e: sympy.Expr) -> sympy.Expr:
    e = sympy.expand(e)
    return -e if e.could_extract_minus_sign() else e


def coefficient_equations(residuals: Sequence[sympy.Expr], latents: Sequence[sympy.Symbol],
                          families: Sequence[sympy.Symbol]) -> list[sympy.Expr]:
    """The coefficients of the residuals in the latents (split along the family functions)."""
    out: list[sympy.Expr] = []
    for r in residuals:
        r = sympy.expand(r)
        if r == 0:
            continue
        for _, coefficient in sympy.Poly(r, *latents).terms():
            for value in split_family(coefficient, families).values():
                if value != 0:
                    out.append(value)
    return out


def _ansatz_step(group: EquivarianceGroup, a: Map, unknowns: list[sympy.Symbol]) -> Step:
    z = group.latents
    basis = monomials(z, group.ansatz.degree if group.ansatz.kind == "polynomial" else 1,
                      constant=group.ansatz.has_constant)

    def injective() -> bool | str:
        rows = []
        for e in a:
            poly = sympy.Poly(e, *z)
            rows += [[sympy.diff(poly.coeff_monomial(m), u) for u in unknowns] for m in basis]
        rank = sympy.Matrix(rows).rank()
        return rank == len(unknowns) or f"rank {rank} of {len(unknowns)}"

    ok, reason = run_check(injective, "parametrisation")
    shown: tuple[tuple[str, Any], ...] = ()
    if len(z) <= EXPRESSIONS_UP_TO:
        shown = (("ansatz", sympy.Eq(sympy.Function("a")(*z), sympy.Tuple(*a), evaluate=False)),)
    return Step(
        "ansatz", f"Search a among {group.ansatz.describe()}: {len(unknowns)} unknown coefficients",
        f"The class searched ({group.ansatz}); every map of the class is a(z) for exactly one choice of the "
        "unknowns, so the answer is the set of unknowns that solve the equations below.",
        shown, ok, ("the coefficients of a(z) in the monomials are the unknowns, independently (rank check)",) if ok else (),
        reason,
    )


def _affine_equations(group: EquivarianceGroup, a: Map, unknowns: list[sympy.Symbol]) -> tuple[Step, list[sympy.Expr]]:
    """``a∘m - m∘a`` by substitution, compared with ``BA - AB`` and ``shift c - (B - I) b`` per slice."""
    system = group.system
    z, n = system.latents, system.n
    B = sympy.Matrix(n, n, unknowns[: n * n])
    c = sympy.Matrix(unknowns[n * n:]) if group.ansatz.kind == "affine" else sympy.zeros(n, 1)
    forms = affine_forms(system) or []
    summary: list[str] = []
    equations: list[sympy.Expr] = []
    objects: list[tuple[str, Any]] = []
    listed: set[sympy.Expr] = set()
    results = []
    for form in forms:
        m = form.mechanism
        matrix_eqs: list[sympy.Expr] = []
        counts = []
        for s in form.slices:
            commute = list(B * s.A - s.A * B)
            shift = list(form.shift(s) * c - (B - sympy.eye(n)) * s.b)
            where = "" if s.is_constant else f" (coefficient of {s.factor})"
            counts.append(f"BA - AB = 0{where}: {n * n} equations, {sum(1 for e in commute if sympy.expand(e) == 0)} trivial")
            shifted = "A c = (B - I) b" if (m.is_flow or not s.is_constant) else "(A - I) c = (B - I) b"
            counts.append(f"{shifted}{where}: {n} equations, {sum(1 for e in shift if sympy.expand(e) == 0)} trivial")
            matrix_eqs += commute + shift
        nontrivial = [e for e in (sympy.expand(x) for x in matrix_eqs) if e != 0]
        substituted = coefficient_equations(group_residual(a, m, z), z, system.families)
        results.append(run_check(
            lambda sub=substituted, mat=nontrivial: {_normal(e) for e in sub} == {_normal(e) for e in mat}
            or "the substituted coefficients differ from the matrix form", m.name))
        summary.append(f"{m.name} ({'flow' if m.is_flow else 'map'}): " + "; ".join(counts))
        new = []  # each distinct equation once (up to the normalisation the count uses)
        for e in nontrivial:
            if _normal(e) not in listed:
                listed.add(_normal(e))
                new.append(e)
        equations += nontrivial
        if len(objects) < SHOW and new:
            objects += equation_objects(new, m.name)[: SHOW - len(objects)]
    distinct = sorted({_normal(e) for e in equations}, key=sympy.default_sort_key)
    objects = [o for o in objects if not isinstance(o[1], str)]  # the equations listed (each once) ...
    if len(distinct) > len(objects):  # ... and one count of the rest, for all mechanisms
        objects.append(("", f"... and {len(distinct) - len(objects)} more distinct equations of the same form"))
    ok, reason = combine(results)
    step = Step(
        "equations",
        f"The coefficients of a∘m - m∘a give {len(distinct)} distinct non-trivial linear equations in the "
        f"{len(unknowns)} unknowns",
        "Substituting a(z) = Bz + c and collecting the coefficients of the latents (and of the family "
        "functions) gives, for each mechanism slice g(d)(Az + b): " + " | ".join(summary) + ".",
        tuple(objects), ok,
        ("the coefficients of a∘m - m∘a (sympy substitution) are exactly the entries of the matrix equations",)
        if ok else (), reason,
    )
    return step, distinct


def _polynomial_equations(group: EquivarianceGroup, a: Map, unknowns: list[sympy.Symbol]) -> tuple[Step, list[sympy.Expr]]:
    system = group.system
    z = system.latents
    residuals = [r for m in system.mechanisms for r in group_residual(a, m, z)]
    gens = list(z) + list(system.families)
    polynomial = all(sympy.expand(r).is_polynomial(*gens) for r in residuals)
    if not polynomial:  # mechanisms that are not polynomial: a functional equation, solved through its Lie algebra
        shown = tuple((m.name, sympy.Eq(sympy.Tuple(*group_residual(a, m, z)), sympy.Tuple(*[0] * len(z))))
                      for m in system.mechanisms[:3]) if len(z) <= 4 else ()
        return Step(
            "equations", "a∘m - m∘a = 0 is a transcendental equation in the coefficients; its linearisation at the "
            "identity, X(m(z)) = Dm(z) X(z), is linear in the vector field X",
            "Coefficients cannot be compared for mechanisms that are not polynomial; the infinitesimal condition "
            "(docs/theory.md#facts-the-solver-uses) gives the identity component, and candidates for the other components are "
            "substituted one by one.", shown, True,
            ("the residual is a∘m - m∘a with the ansatz substituted (sympy)",),
        ), []
    equations = [e for e in coefficient_equations(residuals, z, system.families)]
    distinct = sorted({_normal(e) for e in equations}, key=sympy.default_sort_key)
    degree = max((sympy.Poly(e, *unknowns).total_degree() for e in distinct), default=0)

    def reassemble() -> bool | str:  # the equations are exactly the coefficients: sum e_k * monomial_k = residual
        for r in residuals:
            r = sympy.expand(r)
            if r == 0:
                continue
            rebuilt = sum((coef * sympy.Mul(*[g**p for g, p in zip(z, monom)])
                           for monom, coef in sympy.Poly(r, *z).terms()), sympy.Integer(0))
            if sympy.expand(rebuilt - r) != 0:
                return "a residual is not the sum of its coefficient equations"
        return True

    ok, reason = run_check(reassemble, "coefficients")
    return Step(
        "equations",
        f"The coefficients of a∘m - m∘a give {len(distinct)} distinct polynomial equations of degree <= {degree} "
        f"in the {len(unknowns)} unknowns",
        "Substituting the ansatz into a∘m - m∘a (Da V - V∘a for flows) and collecting the coefficients of the "
        "monomials in the latents (and the family functions).",
        tuple(equation_objects(distinct, "equations")), ok,
        ("the residuals are the sums of the equations times their monomials (sympy)",) if ok else (), reason,
    ), distinct


def _unknowns_at(group: EquivarianceGroup, a: Map, unknowns: list[sympy.Symbol], element: Map) -> dict[sympy.Symbol, sympy.Expr] | None:
    """The unknowns as functions of the parameters, read off ``element`` (None if it is not in the class)."""
    z = group.latents
    values: dict[sympy.Symbol, sympy.Expr] = {}
    for ai, ei in zip(a, element):
        try:
            target = sympy.Poly(sympy.expand(ei), *z)
        except sympy.PolynomialError:
            return None
        template = sympy.Poly(ai, *z)
        for monom, coefficient in template.terms():
            (u,) = coefficient.free_symbols
            values[u] = target.coeff_monomial(monom)
        if any(monom not in dict(template.terms()) for monom, _ in target.terms()):
            return None
    return values


def solution_checks(group: EquivarianceGroup, a: Map, unknowns: list[sympy.Symbol], equations: list[sympy.Expr],
                    linear: bool) -> tuple[list[tuple[bool, str]], list[str]]:
    """Substitute the general element into the equations; compare the rank with the dimension."""
    results, checks = [], []
    element = group.general_element
    params = group.parameters
    values = _unknowns_at(group, a, unknowns, element)
    if values is None:
        results.append(run_check(lambda: commutes(element, group.system) or "does not commute", "general element"))
        checks.append("the general element commutes with every mechanism (substitution)")
        return results, checks
    results.append(run_check(
        lambda: all(sympy.expand(e.xreplace(values)) == 0 for e in equations) or "an equation does not vanish",
        "substitution"))
    checks.append("every equation vanishes identically in the parameters at the general element")
    at = dict(zip(params, group.solution.identity))
    results.append(run_check(
        lambda: tuple(sympy.expand(e.xreplace(at)) for e in element) == tuple(group.latents) or "not the identity",
        "identity"))
    checks.append("the parameters " + ", ".join(f"{p} = {v}" for p, v in at.items()) + " give the identity"
                  if at else "the solution is the identity alone")
    vector = [values[u] for u in unknowns]
    directions = sympy.Matrix([[sympy.diff(v, t) for v in vector] for t in params]) if params else sympy.zeros(0, len(unknowns))

    def independent() -> bool | str:
        if any(e.free_symbols for e in directions):
            return "the family is not affine in its parameters"
        return directions.rank() == len(params) or "dependent parameters"

    results.append(run_check(independent, "parameters"))
    checks.append(f"the {len(params)} parameter directions are independent")
    if linear:
        def rank() -> bool | str:
            rows = sympy.Matrix([[sympy.diff(e, u) for u in unknowns] for e in equations]) if equations else sympy.zeros(0, len(unknowns))
            r = rows.rank()
            return r == len(unknowns) - len(params) or f"rank {r}, expected {len(unknowns) - len(params)}"

        results.append(run_check(rank, "completeness"))
        checks.append(f"rank of the linear system = {len(unknowns)} unknowns - {len(params)} parameters: no solution missed")
    else:
        results.append((False, f"completeness: the polynomial equations were solved by {_polynomial_route(group)}; "
                               "that no solution family is missed is that engine's, not re-checked here"))
    return results, checks


def _polynomial_route(group: EquivarianceGroup) -> str:
    """Which engine solved the polynomial equations, as the solver's note says (Singular, or sympy)."""
    marker = "solved exactly ("
    for note in group.notes:
        if marker in note:
            return note.split(marker, 1)[1].rsplit(")", 1)[0]
    return "sympy's exact solver (Groebner bases)"


def _lie_checks(group: EquivarianceGroup) -> tuple[bool, str]:
    return combine([run_check(lambda X=X: generates(X, group.system) or f"{X} fails", "Lie algebra")
                    for X in group.lie_algebra])


def _invertibility_step(group: EquivarianceGroup) -> Step:
    z = group.latents
    element, params = group.general_element, group.parameters
    if not params:
        return Step("invertibility", "The only solution is the identity, which is invertible",
                    "det Da = 1.", (), True, ("det Da(z) = 1 at the identity",))
    if len(z) > EXPRESSIONS_UP_TO:
        at = dict(zip(params, group.solution.identity))
        structure = group.solution.structure
        if structure is not None:  # matrix form: B(t) and c(t) at the identity parameters
            B, c = sympy.Matrix(structure.base[0]), sympy.Matrix(structure.base[1])
            for v, (Bk, ck) in zip(group.solution.identity, structure.directions):
                if v != 0:
                    B, c = B + v * Bk, c + v * ck
            ok = B == sympy.eye(len(z)) and c.is_zero_matrix
        else:
            ok = tuple(sympy.expand(e.xreplace(at)) for e in element) == tuple(z)
        return Step("invertibility", "a is invertible exactly where det B(t) != 0, an open dense set containing the identity",
                    "Not expanded: the determinant of a large symbolic matrix.", (), False,
                    ("the identity parameters give the identity map (det B = 1)",) if ok else (),
                    f"det B(t) of a {len(z)} x {len(z)} symbolic matrix is not expanded (too large)")
    det = sympy.factor(jacobian(element, z).det())

    def matches() -> bool | str:
        if det.free_symbols & set(z):
            return "det Da(z) depends on z"
        if not det.is_polynomial(*params):
            return True if not group.conditions or set(group.conditions) == {det} else "conditions differ"
        _, factors = sympy.factor_list(det, *params)
        found = {f.as_expr() for f, _ in factors}
        return found == set(group.conditions) or f"factors {found} differ from {set(group.conditions)}"

    ok, reason = run_check(matches, "determinant")
    polynomial = group.ansatz.kind == "polynomial"
    condition = " and ".join(f"{c} != 0" for c in group.conditions)
    if len(condition) > 60:
        condition = "det Da(z) != 0, the polynomial in the parameters shown below"
    return Step(
        "invertibility",
        "a is invertible exactly when " + condition if condition else "a is invertible for every value of the parameters",
        ("A polynomial map with a polynomial inverse has a constant non-zero Jacobian determinant; "
         if polynomial else "An affine map is invertible iff det B != 0; ") + "det Da(z) factors as shown.",
        (("det Da(z)", det),), ok, ("det Da(z) factored by sympy gives exactly the reported conditions",) if ok else (),
        reason,
    )


def _signs(group: EquivarianceGroup, element: Map) -> tuple[int, ...] | None:
    """Signs of the linear factors of det B at the parameters of ``element`` (None if not found)."""
    params = group.parameters
    linear = [f for f in group.conditions if f.is_polynomial(*params) and sympy.Poly(f, *params).total_degree() == 1]
    if not linear:
        return ()
    eqs = [c for g, e in zip(group.general_element, element)
           for c in sympy.Poly(sympy.expand(g - e), *group.latents).coeffs() if c != 0]
    solved = sympy.solve(eqs, list(params), dict=True) if eqs else [{}]
    if not solved:
        return None
    values = [sympy.expand(f.xreplace(solved[0])) for f in linear]
    if any(v.free_symbols or v == 0 for v in values):
        return None
    return tuple(int(sympy.sign(v)) for v in values)


def _discrete_step(group: EquivarianceGroup) -> Step:
    system = group.system
    found_by = {
        "affine": "each linear factor of det B(t) splits the family in two; a point of each sign pattern represents "
                  "a component",
        "polynomial-group": "isolated solutions and further solution families of the polynomial equations",
        "non-polynomial": "signed permutations z -> Pz and the solutions of Taylor-jet conditions "
                          "(docs/theory.md#isolated-elements-of-non-polynomial-mechanisms), each substituted",
    }.get(group.solution.parts[0] if group.solution.parts else "", "the solver's candidates")
    partial = group.completeness["components"]
    scope = "; complete within the class searched" if partial.complete else f"; a lower bound: {partial.reason}"
    found_by += scope
    results = []
    objects: list[tuple[str, Any]] = []
    for k, d in enumerate(group.discrete):
        results.append(run_check(lambda d=d: commutes(d, system) or "does not commute", f"representative {k + 1}"))
        results.append(run_check(lambda d=d: jacobian(d, system.latents).det() != 0 or "singular", f"representative {k + 1}"))
        if k < SHOW:
            objects.append((f"d{k + 1}", sympy.Tuple(*d)))
    checks = ["every representative commutes with every mechanism and is invertible (substitution)"] if group.discrete else []
    by_units = "units" in group.solution.parts  # counted from the algebra of linear parts (solve/_units.py)
    if by_units:
        from ..solve._units import unit_components

        recount = unit_components(group.solution.structure, seed=1) if group.solution.structure is not None else None
        how = recount.how if recount is not None else "not recounted"
        found_by = f"the algebra of linear parts: {how} (docs/theory.md#components-of-a-commutant){scope}"
        results.append(run_check(
            lambda: (recount is not None and recount.count == group.components) or "the recount disagrees", "components"))
        checks.append("the count, recomputed from the algebra with another generating element, agrees")
    elif group.discrete and group.solution.parts and group.solution.parts[0] == "affine":
        patterns = [_signs(group, tuple(group.latents))] + [_signs(group, d) for d in group.discrete]
        results.append(run_check(
            lambda: (None not in patterns and len(set(patterns)) == len(patterns)) or "two representatives share a sign pattern",
            "components"))
        checks.append("the representatives give distinct sign patterns of the linear factors of det B: distinct components")
    if group.solution.completeness.infinite_discrete:
        claim = (f"Infinitely many components: the {len(group.discrete)} element(s) below generate an infinite "
                 "discrete group (integer multiples of the shifts)")
    elif group.components is None:
        claim = "The number of components is not determined" + (
            f"; {len(group.discrete)} further element(s) found" if group.discrete else "")
    elif group.components == 1 and not group.discrete:
        claim = "The solution set is connected: no other components"
    else:
        least = "" if partial.complete else "At least "
        claim = (f"{least}{group.components} components; the other components are represented by "
                 f"{len(group.discrete)} element(s)")
        claim = claim[0].upper() + claim[1:]
    if group.components == 1 and not group.discrete:
        checks.append("no linear factor of det B: its zero set does not disconnect the family")
    ok, reason = combine(results)
    if group.components is None and not results and not group.solution.completeness.infinite_discrete:
        ok, reason = False, (f"det B(t) is not expanded at n = {len(group.latents)}: the components are not determined"
                             if len(group.latents) > EXPRESSIONS_UP_TO else "the factors of det B are neither linear nor "
                             "definite forms: how they cut the family is not decided")
    return Step("discrete", claim, f"Found by: {found_by}.", tuple(objects), ok, tuple(checks) if ok else (), reason)


def _outside_step(group: EquivarianceGroup) -> Step:
    from ..ansatz import map_in_class
    from ..solve._verify import triangular_bijection

    system = group.system
    z = system.latents
    forms = affine_forms(system) or []
    notes = list(group.notes)
    results: list[tuple[bool, str]] = []
    checks: list[str] = []
    objects: list[tuple[str, Any]] = []
    completion = group.complete_in
    if completion.beyond_class:
        from ..beyond import completion as recheck

        again = recheck(system, group.ansatz, kind=group.solution.kind, complete=group.complete,
                        outside=group.outside_class)
        results.append(run_check(lambda: again.within == completion.within or "the theorem's hypotheses fail on "
                                 "re-checking", "completeness beyond the class"))
        ok, reason = combine(results)
        claim = ("Among all maps, not only the class searched, exactly the translations commute"
                 if completion.theorem == "translations spanning R^n" else
                 f"Among all {completion.within} maps, not only the class searched, the answer is complete")
        return Step(
            "outside", claim,
            f"Theorem ({completion.theorem}): {completion.reason}.", (), ok, completion.hypotheses, reason)
    if group.outside_class:
        from ..beyond import verify_outside

        for e in group.outside_class:
            field = e.map if e.map is not None else e.field
            objects.append((e.label, sympy.Tuple(*field) if field is not None else e.description))
            checks.append(f"{e.description}: {e.checked}")
            results.append(run_check(lambda e=e: verify_outside(e, system) or "does not commute", e.label))
        from ..beyond import integral_residuals
        from ..solve._verify import is_zero

        for g in dict.fromkeys(i for e in group.outside_class for i in e.integrals):
            objects.append(("first integral", g))
            checks.append(f"{g} is a first integral: V({g}) = 0 for every flow, I∘m = I for every map, by substitution")
            results.append(run_check(lambda g=g: all(is_zero(r) for r in integral_residuals(g, system))
                                     or "is not a first integral", str(g)))
        ok, reason = combine(results)
        return Step(
            "outside", "The group contains elements outside the class searched: the answer within it is a lower bound",
            "Every mechanism that commutes with all mechanisms lies in the group (a flow with its time-t maps); for "
            "such a flow V and a joint first integral H, [f(H)V, W] = f(H)[V, W] - f'(H) W(H) V = 0 for every "
            "mechanism field W, so the flows of f(H)V lie in it too, for every smooth f.",
            tuple(objects), ok, tuple(checks), reason)
    if not group.identifiable and system.n <= EXPRESSIONS_UP_TO:
        for witness, why in _witnesses(group, forms):
            if map_in_class(witness, z, group.ansatz):
                continue
            ok = commutes(witness, system) and (triangular_bijection(witness, z) or why == "periodic")
            if ok:
                objects.append(("outside the class", sympy.Tuple(*witness)))
                checks.append(f"{witness} commutes with every mechanism and is a bijection ({why}), outside the class")
                break
    ok, reason = combine(results)
    claim = f"Only {group.ansatz.describe()} were searched" + (
        "; maps outside the class do commute (an example is checked)" if objects else "; maps outside it may also commute")
    why = " ".join(n[0].upper() + n[1:] + ("" if n.endswith(".") else ".") for n in notes)
    justification = why or "The answer is a lower bound on the group of all commuting bijections."
    if not objects and ok:  # no map outside the class was checked: the step only says what was searched
        return Step("outside", claim, justification, (), False, (), SCOPE_REASON, scope=True)
    return Step("outside", claim, justification, tuple(objects), ok, tuple(checks), reason)


def _witnesses(group: EquivarianceGroup, forms: Sequence[Any]) -> list[tuple[Map, str]]:
    """Candidate commuting maps outside the class: shears by a square, periodic bumps along pushes."""
    z = group.latents
    out: list[tuple[Map, str]] = []
    for j, zj in enumerate(z):
        for k in range(len(z)):
            if k != j:
                out.append((tuple(zi + (zj**2 if i == k else 0) for i, zi in enumerate(z)), "triangular shear"))
    for form in forms:
        for s in form.slices:
            if form.kind == "map" and s.is_constant and s.A == sympy.eye(s.A.rows) and not s.b.is_zero_matrix:
                w = s.b / (s.b.T * s.b)[0, 0]
                phase = sum((wi * zi for wi, zi in zip(w, z)), sympy.Integer(0))
                bump = sympy.sin(2 * sympy.pi * phase) / (4 * sympy.pi)
                out.append((tuple(zi + bi * bump for zi, bi in zip(z, s.b)), "periodic"))
    return out


def exact_steps(group: EquivarianceGroup) -> list[Step]:
    """The steps for exactly known mechanisms on continuous latents."""
    system = group.system
    steps = [consistency_step(system)]
    large = system.n > EXPRESSIONS_UP_TO
    a, unknowns = ansatz_unknowns(group)
    structure = group.solution.structure
    if large:
        steps.append(Step("ansatz", f"Search a among {group.ansatz.describe()}: {len(unknowns)} unknown coefficients",
                          f"The class searched ({group.ansatz}).", (), True, ("a statement of the class",)))
        steps += _large_affine(group, len(unknowns))
    else:
        steps.append(_ansatz_step(group, a, unknowns))
        if structure is not None:
            eq_step, equations = _affine_equations(group, a, unknowns)
        else:
            eq_step, equations = _polynomial_equations(group, a, unknowns)
        steps.append(eq_step)
        steps.append(_solution_step(group, a, unknowns, equations, eq_step))
    steps.append(_invertibility_step(group))
    steps.append(_discrete_step(group))
    verified = [run_check(lambda: len(group.parameters) == group.dimension or "dimension differs", "dimension")]
    steps.append(conclusion_step(group, verified))
    steps.append(_outside_step(group))
    return steps


def _solution_step(group: EquivarianceGroup, a: Map, unknowns: list[sympy.Symbol], equations: list[sympy.Expr],
                   eq_step: Step) -> Step:
    linear = all(sympy.Poly(e, *unknowns).total_degree() <= 1 for e in equations) if equations else True
    if not equations and group.solution.parts and group.solution.parts[0] == "non-polynomial":
        results = [
            run_check(lambda: commutes(group.general_element, group.system) or "does not commute", "family"),
            _lie_checks(group),
            (False, "completeness: the Lie algebra was found at 50-digit sample points and each generator proved; "
                    "that none is missing rests on a numeric rank"),
        ]
        checks = ["the family commutes with every mechanism (substitution)",
                  "every Lie algebra generator satisfies X(m(z)) = Dm(z) X(z)"]
    else:
        results, checks = solution_checks(group, a, unknowns, equations, linear)
        if group.lie_algebra:
            results.append(_lie_checks(group))
            checks.append("every Lie algebra generator satisfies the infinitesimal condition (substitution)")
    ok, reason = combine(results)
    objects: list[tuple[str, Any]] = [("solution", sympy.Eq(sympy.Function("a")(*group.latents),
                                                            sympy.Tuple(*group.general_element), evaluate=False))]
    objects += [(f"X{k + 1}", sympy.Tuple(*X)) for k, X in enumerate(group.lie_algebra[:SHOW])]
    how = "exact linear algebra (python-flint)" if linear else _polynomial_route(group)
    return Step(
        "solution",
        f"The solutions form a family with {group.dimension} free parameter{'s' if group.dimension != 1 else ''}"
        + (f" ({', '.join(map(str, group.parameters))})" if group.parameters else ""),
        f"Solved by {how}; the family is id + span of the Lie algebra's generators where the equations are linear.",
        tuple(objects), ok, tuple(checks) if ok else (), reason,
    )


def _large_affine(group: EquivarianceGroup, unknowns: int) -> list[Step]:
    """Large systems: the equations by pattern and count, the solution checked in matrix form."""
    from ..solve.check import matrix_failures

    system = group.system
    n = system.n
    forms = affine_forms(system) or []
    slices = sum(len(f.slices) for f in forms)
    eq = Step(
        "equations", f"BA = AB and (A - I)c = (B - I)b for each of {slices} mechanism slice(s): "
        f"{slices * (n * n + n)} linear equations in {unknowns} unknowns",
        "The matrix form of a∘m = m∘a for affine a and m (docs/theory.md#affine-mechanisms).", (), False, (),
        f"n = {n}: the expression-level substitution is skipped for speed; the matrix form is docs/theory.md's identity",
    )
    structure = group.solution.structure

    def matrices() -> bool | str:
        if structure is None:
            return "no matrix form"
        failures = matrix_failures(structure, forms, n)
        return failures[0] if failures else True

    ok, reason = run_check(matrices, "matrix form")
    sol = Step(
        "solution", f"The solutions form a family with {group.dimension} free parameters",
        "Solved by exact linear algebra (python-flint, commutant shortcuts).", (),
        False, ("base and every direction satisfy BA = AB and the translation equations (exact, matrix form)",) if ok else (),
        joined(reason, f"completeness (rank of the {unknowns}-unknown system) is not re-checked at n = {n}"),
    )
    return [eq, sol]
