"""Sketches for a learner that knows only a class of mechanisms (docs/theory.md#result-2-a-known-class-of-mechanisms) and for
stochastic mechanisms (result 3).

Class: ``a∘m = h∘a`` with ``h`` in the class, jointly in ``a = (B, c)`` and the class
template's unknowns ``u``; every piece found is substituted into the defining
condition, and (small systems) sympy solves the joint equations again and every
invertible solution family is located in one of the pieces.

Noise: the mean maps' equations are those of result 1; the law's linear symmetry group
(``B S B^T = S`` for Gaussian noise, signed permutations for i.i.d. non-Gaussian laws)
is checked on every element reported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from ..solve._result import condition_of
from ..solve._verify import jacobian
from ._base import (
    SCOPE_REASON,
    SHOW,
    Step,
    combine,
    conclusion_step,
    consistency_step,
    equation_objects,
    run_check,
)

if TYPE_CHECKING:
    from ..groups import EquivarianceGroup

__all__ = ["class_steps", "noise_steps"]

#: The joint equations are re-solved by sympy up to this many latents.
RESOLVE_UP_TO = 2


def _affine_unknowns(n: int, linear: bool) -> tuple[sympy.Matrix, sympy.Matrix]:
    B = sympy.Matrix(n, n, lambda i, j: sympy.Symbol(f"b_{{{i + 1},{j + 1}}}"))
    c = sympy.zeros(n, 1) if linear else sympy.Matrix(n, 1, lambda i, j: sympy.Symbol(f"c_{{{i + 1}}}"))
    return B, c


def _element_parts(element: tuple[sympy.Expr, ...], z: tuple[sympy.Symbol, ...]) -> tuple[sympy.Matrix, sympy.Matrix]:
    B = sympy.Matrix([[sympy.diff(e, zj) for zj in z] for e in element])
    c = sympy.Matrix([e.xreplace({zj: 0 for zj in z}) for e in element])
    return B, c


def _ansatz_step(group: EquivarianceGroup) -> Step:
    n = len(group.latents)
    B, c = _affine_unknowns(n, group.ansatz.kind == "linear")
    z = sympy.Matrix(group.latents)
    return Step(
        "ansatz", f"Search a among {group.ansatz.describe()}", f"The class searched ({group.ansatz}).",
        (("ansatz", sympy.Eq(sympy.Function("a")(*group.latents), sympy.Tuple(*(B * z + c)), evaluate=False)),),
        True, ("a(z) = Bz + c with independent unknown entries",),
    )


def _pieces_checks(group: EquivarianceGroup) -> tuple[list[tuple[bool, str]], list[tuple[str, Any]]]:
    """The general element and every representative satisfy the defining condition exactly."""
    condition: Any = condition_of(group.solution)  # a ClassCondition or a NoiseCondition
    z = group.latents
    results = []
    shown: list[tuple[str, Any]] = []
    elements = [("general element", group.general_element)] + [(f"d{k + 1}", d) for k, d in enumerate(group.discrete)]
    for label, element in elements:
        B, c = _element_parts(element, z)
        symbolic = bool(B.free_symbols | c.free_symbols)
        if symbolic and (group.solution.extra and "equations" in dict(group.solution.extra)):
            continue  # a piece subject to equations: checked at its points below
        results.append(run_check(lambda B=B, c=c: bool(condition.holds((B, c))) or "fails the condition", label))
        if label != "general element" and len(shown) < SHOW:
            shown.append((label, sympy.Tuple(*element)))
    rng = np.random.default_rng(0)
    for piece in condition.pieces:
        for _ in range(2):
            a = piece.sample(rng)
            results.append(run_check(lambda a=a: bool(condition.holds(a)) or f"sample {a} fails", "sample"))
    return results, shown


def class_steps(group: EquivarianceGroup) -> list[Step]:
    system = group.system
    condition: Any = condition_of(group.solution)  # a ClassCondition or a NoiseCondition
    H = condition.H
    n = system.n
    linear = group.ansatz.kind == "linear"
    steps = [consistency_step(system, learned="h"), _ansatz_step(group)]
    B, c = _affine_unknowns(n, linear)
    # the conjugate h = a∘m∘a^{-1}: (B A B^{-1}, B b + c - B A B^{-1} c), checked by composing symbolically
    Binv = B.adjugate() / B.det()

    def conjugate() -> bool | str:
        for A, b in condition.mechanisms:
            w = sympy.Matrix(sympy.symbols(f"_w0:{n}"))
            composed = B * (A * (Binv * (w - c)) + b) + c
            P, q = B * A * Binv, B * b + c - B * A * Binv * c
            if any(sympy.simplify(e) != 0 for e in composed - (P * w + q)):
                return "the conjugate differs"
        return True

    ok, reason = run_check(conjugate, "conjugate") if n <= 3 else (False, f"n = {n}: the symbolic inverse is skipped")
    steps.append(Step(
        "equations",
        f"For m(z) = Az + b, a∘m∘a^(-1) is z -> BAB^(-1) z + (Bb + c - BAB^(-1) c); it must lie in the class "
        f"of {H.text} (one class member per mechanism)",
        "Each class is a union of affine pieces (a template affine in its unknowns); per piece the condition is "
        "linear in (B, c), except diagonal pieces (rows of B are joint left eigenvectors) and the orthogonal class.",
        tuple((m.name, sympy.Eq(sympy.Symbol("A"), sympy.Matrix(A), evaluate=False)) for m, (A, _) in
              zip(system.mechanisms, condition.mechanisms))[:4],
        ok, ("a∘m∘a^(-1) composed symbolically equals the stated affine map",) if ok else (), reason,
    ))
    results, shown = _pieces_checks(group)
    checks = ["the general element and every representative satisfy a∘m∘a^(-1) in H exactly (symbolic)",
              "two random elements of every piece satisfy it"]
    if n <= RESOLVE_UP_TO and H.name != "orthogonal":
        results.append(run_check(lambda: _resolve(group, B, c), "completeness"))
        checks.append("sympy re-solves a∘m = h∘a jointly in (B, c) and the class unknowns; every invertible "
                      "solution family lies in a reported piece (at random points)")
    else:
        results.append((False, f"completeness: the joint equations are not re-solved here (n = {n}"
                               + (", orthogonal class" if H.name == "orthogonal" else "") + ")"))
    ok, reason = combine(results)
    pieces = len(condition.pieces)
    steps.append(Step(
        "solution", f"{pieces} piece{'s' if pieces != 1 else ''}; the main one has {group.dimension} free parameters",
        "Solved piece by piece with exact linear algebra (equivid.solve._classes).",
        (("solution", sympy.Eq(sympy.Function("a")(*system.latents), sympy.Tuple(*group.general_element), evaluate=False)),)
        + tuple(shown), ok, tuple(checks) if ok else (), reason,
    ))
    steps.append(_invertibility(group))
    steps.append(_group_step(group))
    steps.append(conclusion_step(group, [run_check(lambda: group.dimension == group.solution.dimension or "dim", "dimension")]))
    steps.append(_scope(group))
    return steps


def _resolve(group: EquivarianceGroup, B: sympy.Matrix, c: sympy.Matrix) -> bool | str:
    """Solve ``a∘m = h_u∘a`` jointly; every invertible solution family must lie in a reported piece."""
    condition: Any = condition_of(group.solution)  # a ClassCondition or a NoiseCondition
    H = condition.H
    z = sympy.Matrix(group.latents)
    n = len(group.latents)
    import itertools

    unknowns = list(B) + [x for x in c if x != 0]
    for combo in itertools.product(H.pieces, repeat=len(condition.mechanisms)):
        eqs: list[sympy.Expr] = []
        extra: list[sympy.Symbol] = []
        for k, ((A, b), piece) in enumerate(zip(condition.mechanisms, combo)):
            u = sympy.symbols(f"_u{k}_0:{n * n + n}")
            P = sympy.Matrix(n, n, list(u[: n * n]))
            q = sympy.Matrix(list(u[n * n:]))
            eqs += list(piece.rows * sympy.Matrix(list(P) + list(q)) - piece.rhs)  # h = (P, q) in the piece
            residual = (B * (A * z + b) + c) - (P * (B * z + c) + q)
            for e in residual:
                eqs += sympy.Poly(sympy.expand(e), *group.latents).coeffs()
            extra += list(u)
        solutions = sympy.solve([e for e in eqs if e != 0], unknowns + extra, dict=True)
        rng = np.random.default_rng(1)
        for sol in solutions:
            Bs, cs = B.xreplace(sol), c.xreplace(sol)
            free = sorted((Bs.free_symbols | cs.free_symbols) - set(extra), key=str)
            for _ in range(3):
                point = {f: sympy.Rational(int(rng.integers(-9, 10)), int(rng.integers(1, 4))) for f in free}
                Bp, cp = Bs.xreplace(point), cs.xreplace(point)
                if Bp.free_symbols or cp.free_symbols or Bp.det() == 0:
                    continue
                element = tuple(Bp * z + cp)
                if not group.contains(element):
                    return f"the solution {element} is not in the reported set"
    return True


def _invertibility(group: EquivarianceGroup) -> Step:
    z = group.latents
    det = sympy.factor(jacobian(group.general_element, z).det())
    if group.solution.extra and "equations" in dict(group.solution.extra):
        return Step("invertibility", "Every element of the orthogonal pieces is invertible",
                    "B^T B is a positive definite form.", (("det B", det),), True, ("det B != 0 at the identity",))

    def matches() -> bool | str:
        if not group.parameters:
            return det != 0 or "singular"
        _, factors = sympy.factor_list(det, *group.parameters)
        found = {f.as_expr() for f, _ in factors}
        return found == set(group.conditions) or (not group.conditions and not found and det != 0) or f"{found}"

    ok, reason = run_check(matches, "determinant")
    condition = " and ".join(f"{c} != 0" for c in group.conditions)
    return Step("invertibility", "a is invertible exactly when " + condition if condition else
                "a is invertible for every value of the parameters",
                "An affine map is invertible iff det B != 0.", (("det B", det),), ok,
                ("det B factored by sympy gives the reported conditions",) if ok else (), reason)


def _group_step(group: EquivarianceGroup) -> Step:
    condition: Any = condition_of(group.solution)  # a ClassCondition or a NoiseCondition
    is_group = group.solution.is_group
    objects = tuple((f"d{k + 1}", sympy.Tuple(*d)) for k, d in enumerate(group.discrete[:SHOW]))
    claim = (f"{group.components} components, represented by the identity and {len(group.discrete)} element(s)"
             if group.components is not None else "The number of components is not determined")
    claim += "; the set is a group" if is_group else "; the set is not a group"
    from ..solve._pieces import compose, inverse

    results = []
    if is_group:
        rng = np.random.default_rng(7)
        for p in condition.pieces:
            for q in condition.pieces:
                a, b = p.sample(rng), q.sample(rng)
                results.append(run_check(lambda a=a, b=b: bool(condition.holds(compose(a, b)) and condition.holds(inverse(a)))
                                         or "not closed", "group"))
    ok, reason = combine(results)
    return Step("discrete", claim, "Other pieces and sign components of the main piece are each represented by one "
                "element (substituted in the solution step). The union is a group when it is closed under products "
                "and inverses; irreducible pieces make random products decisive (Schwartz-Zippel).",
                objects, ok, ("products and inverses of random elements of every pair of pieces stay in the set",)
                if is_group and ok else ("a statement about the set; it is not a group",) if ok else (), reason)


def _scope(group: EquivarianceGroup) -> Step:
    return Step("outside", f"Only {group.ansatz.describe()} were searched; maps outside this class may also qualify",
                " ".join(group.notes), (), False, (), SCOPE_REASON, scope=True)


# -- stochastic mechanisms --------------------------------------------------------------------
def noise_steps(group: EquivarianceGroup) -> list[Step]:
    from ..solve._noise import noise_law

    system = group.system
    condition: Any = condition_of(group.solution)  # a ClassCondition or a NoiseCondition
    law = noise_law(next(m for m in system.mechanisms if m.noise is not None), system.n)
    mean = condition.mean
    n = system.n
    linear = group.ansatz.kind == "linear"
    steps = [consistency_step(system, noise=True), _ansatz_step(group)]
    B, c = _affine_unknowns(n, linear)
    z = sympy.Matrix(system.latents)
    eps = sympy.Matrix(sympy.symbols(f"epsilon1:{n + 1}"))
    results = []
    eq_objects: list[tuple[str, Any]] = []
    for m in mean.mechanisms:
        M = sympy.Matrix(m.components)
        lhs = B * (M + eps) + c                            # a(z') with z' = m(z) + eps
        rhs = M.xreplace(dict(zip(system.latents, B * z + c)))  # mean of m(a(z)) + eps'
        split = (lhs - rhs) - ((B * M + c - rhs) + B * eps)
        results.append(run_check(lambda s=split: all(sympy.expand(e) == 0 for e in s) or "split fails", m.name))
        means = [sympy.expand(e) for e in B * M + c - rhs]
        for e in means:
            if e != 0:
                eq_objects += equation_objects(sympy.Poly(e, *system.latents).coeffs(), m.name)[:2]
    ok, reason = combine(results)
    steps.append(Step(
        "equations", "a(z') = (B m(z) + c) + B eps: the means must satisfy B m(z) + c = m(Bz + c) (the equations of "
        "result 1) and B eps must have the law of eps",
        "Additive noise separates the deterministic part from the noise; translations c act on the mean only.",
        tuple(eq_objects[:SHOW]), ok, ("a(m(z) + eps) - m(a(z)) = (B m(z) + c - m(Bz + c)) + B eps (sympy)",) if ok else (),
        reason,
    ))
    symmetry = dict(dict(group.solution.extra).get("noise", {})).get("symmetry", "")
    law_results = []
    objects: list[tuple[str, Any]] = []
    if law.gauss:
        S = law.cov
        X = sympy.Matrix(len(law.gauss), len(law.gauss), lambda i, j: sympy.Symbol(f"x_{{{i + 1},{j + 1}}}"))
        tangent = list(X * S + S * X.T)
        k = len(law.gauss)

        def tangent_dim() -> bool | str:
            M, _ = sympy.linear_eq_to_matrix(tangent, list(X))
            return k * k - M.rank() == k * (k - 1) // 2 or "unexpected dimension"

        law_results.append(run_check(tangent_dim, "Lie algebra of O(S)"))
        objects.append(("B S B^T = S with S", sympy.Matrix(S)))
    for label, element in [("general element", group.general_element)] + [(f"d{k + 1}", d) for k, d in enumerate(group.discrete)]:
        Bk, _ = _element_parts(element, system.latents)
        law_results.append(run_check(lambda Bk=Bk: bool(law.preserves(Bk)) or "does not preserve the law", label))
    if law.labels:
        count = len(law.finite_choices())
        law_results.append(run_check(lambda: all(law.preserves(_embed(F, law, n)) for F in law.finite_choices())
                                     or "a signed permutation fails", "signed permutations"))
        objects.append(("finite part", f"{count} signed permutation matrices"))
    ok, reason = combine(law_results)
    theorem = ("B S B^T = S is the condition for N(0, S) to be invariant; its Lie algebra X S + S X^T = 0 has dimension "
               "k(k-1)/2" if law.gauss else "")
    if law.labels:
        theorem += ("; " if theorem else "") + ("for independent non-Gaussian coordinates B eps ~ eps forces B to be a "
                    "permutation times a scaling (Darmois-Skitovich), and equal symmetric laws leave signs +-1")
    steps.append(Step(
        "law", f"The linear symmetry group of the noise law ({law.text}) is {symmetry}",
        theorem + ".", tuple(objects), ok,
        ("every reported element's linear part preserves the law exactly",
         "the listed symmetries preserve the law (the converse is the cited theorem)") if ok else (), reason,
    ))
    results, shown = _pieces_checks(group)
    ok, reason = combine(results)
    steps.append(Step(
        "solution", f"The identification set: {group.dimension} free parameters, the mean maps' solutions cut down by "
        "the law's symmetry group", "The noise-preserving part of the mean maps' solution set (equivid.solve._noise).",
        (("solution", sympy.Eq(sympy.Function("a")(*system.latents), sympy.Tuple(*group.general_element), evaluate=False)),),
        ok, ("the general element and every representative satisfy both conditions exactly",) if ok else (), reason,
    ))
    discrete_results = [run_check(lambda d=d: jacobian(d, system.latents).det() != 0 or "singular", f"d{k + 1}")
                        for k, d in enumerate(group.discrete)]
    ok, reason = combine(discrete_results)
    steps.append(Step(
        "discrete", f"{group.components} components, represented by the identity and {len(group.discrete)} element(s)"
        if group.components is not None else "The number of components is not determined",
        "Candidates: the law's finite symmetries (signed permutations, and one reflection of a Gaussian block), "
        "each composed with the mean maps' solutions and kept when it satisfies both conditions.",
        tuple(shown), ok, ("every representative is invertible and satisfies both conditions (solution step)",) if ok else (),
        reason,
    ))
    steps.append(conclusion_step(group, [run_check(lambda: True, "dimension")]))
    steps.append(_scope(group))
    return steps


def _embed(F: sympy.Matrix, law: Any, n: int) -> sympy.Matrix:
    B = sympy.eye(n)
    o = list(law.others)
    for a, i in enumerate(o):
        for b, j in enumerate(o):
            B[i, j] = F[a, b]
    return B
