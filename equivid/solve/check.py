"""The checker: a solved answer re-verified against its system, by exact substitution.

The counterpart of sympy's ``checkodesol``. :func:`check_solution` takes a
:class:`~equivid.solve.Solution` and the system it claims to solve and returns a
:class:`CheckReport` naming every element that fails; the solver's dispatcher runs it
on the result of every part and raises :class:`~equivid.VerificationError` on a
failure, so an unverified answer is never an output. ``equivid.check(group)`` is the
public entry point.

What is checked, per kind of result (``Solution.kind``):

- ``family`` (maps in a linear, affine or polynomial class): the general element is the
  identity at the identity parameters; the general element (with its parameters free)
  commutes with every mechanism; every Lie generator satisfies the infinitesimal
  condition; every discrete representative commutes; the family's tangent fields at the
  identity lie in the span of the Lie generators (a dropped generator is caught); for
  affine mechanisms at small size, the Lie algebra's dimension is recomputed
  independently (floating-point rank of the infinitesimal equations); for a finite
  answer listing every element, the elements are closed under composition (a wrong
  order is caught). Above :data:`MATRIX_CHECK_ABOVE` latents, affine answers are
  checked in matrix form (``BA = AB``, ``(A - I)c = (B - I)b``), exactly.
- ``finite`` (finite-state systems): every generator is a permutation of the states that
  commutes with every mechanism (or keeps every Markov kernel), and the order is
  re-derived from the generators by an independent algorithm (Schreier-Sims in sympy)
  where the group is small enough.
- ``class`` and ``noise``: every discrete representative and the general element (at
  the identity and at random parameters) satisfy the defining condition
  (``a∘m∘a^{-1}`` in the class; the mean maps commute and the linear part keeps the law).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import flint
import numpy as np
import sympy

from ..mechanisms import System
from ._matrix import MATRIX_CHECK_ABOVE
from ._result import Solution, condition_of, finite_of
from ._verify import commutes, generates, jacobian, tangent_fields

__all__ = ["CheckReport", "check_solution", "MATRIX_CHECK_ABOVE"]

Map = tuple[sympy.Expr, ...]

#: Above this many latents the substitution check of affine answers runs in matrix form.
#: Finite-state groups are re-derived independently (sympy's Schreier-Sims) up to this many states.
INDEPENDENT_ORDER_UP_TO = 2000
#: ... and up to this many generators (sympy's Schreier-Sims grows steeply with the base of
#: large wreath products: 110 generators on 140 states take 27 s).
INDEPENDENT_GENERATORS_UP_TO = 48
#: The Lie algebra of affine mechanisms is recounted independently up to this many latents.
INDEPENDENT_RANK_UP_TO = 6


@dataclass(frozen=True)
class CheckReport:
    """The outcome of re-verifying an answer: ``failures`` names every element that
    failed (empty when the answer passed), ``checked`` lists what was checked.

    Examples
    --------
    >>> import equivid
    >>> report = equivid.check(equivid.solve(equivid.System.from_maps(["z1"], {"m": ["2*z1"]})))
    >>> report.ok, report.failures
    (True, ())
    """

    failures: tuple[str, ...]
    checked: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.failures

    def __bool__(self) -> bool:
        return self.ok


def check_solution(solution: Solution, system: System) -> CheckReport:
    """Re-verify ``solution`` against ``system``; the report names every failing element."""
    failures: list[str] = []
    checked: list[str] = []
    kind = solution.kind
    if kind == "finite":
        _check_finite(solution, failures, checked)
    elif kind in ("class", "noise"):
        _check_condition(solution, system, failures, checked)
    else:
        _check_family(solution, system, failures, checked)
    return CheckReport(tuple(failures), tuple(checked))


# -- maps in a class of maps ------------------------------------------------------------------
def _check_family(solution: Solution, system: System, failures: list[str], checked: list[str]) -> None:
    latents = system.latents
    if solution.structure is not None and system.n > MATRIX_CHECK_ABOVE:
        from ._forms import affine_forms
        from ._matrix import from_flint, to_flint
        from ._pieces import affine_parts

        forms = affine_forms(system) or []
        checked.append("matrix form: base and every generator against every mechanism slice")
        failures.extend(matrix_failures(solution.structure, forms, system.n))
        checked.append("every discrete representative commutes and is invertible (matrix form where affine)")
        kept = getattr(solution.discrete, "source", None)  # the exact matrices the maps are built from
        representatives = []
        for k, a in enumerate(solution.discrete if kept is None else kept):
            pair = affine_parts(a, latents) if kept is None else (from_flint(a[0]), from_flint(a[1]))
            if pair is None:
                if not commutes(a, system):
                    failures.append(f"the component representative {tuple(a)} does not commute")
                continue
            representatives.append((f"the component representative {k + 1}", pair, False))
            exact_B = to_flint(pair[0])
            if (pair[0].rank() if exact_B is None else exact_B.rank()) < system.n:
                failures.append(f"the component representative {tuple(solution.discrete[k])} is not invertible")
        if representatives:
            failures.extend(matrix_failures(None, forms, system.n, checks=representatives))
        return
    at_identity = dict(zip(solution.parameters, solution.identity))
    checked.append("the general element is the identity at the identity parameters")
    if len(solution.identity) != len(solution.parameters) or any(
        sympy.expand(e.xreplace(at_identity) - z) != 0 for e, z in zip(solution.general_element, latents)
    ):
        failures.append(f"the general element {tuple(solution.general_element)} is not the identity at "
                        f"{dict(at_identity)}")
    checked.append("the general element commutes with every mechanism")
    if not commutes(solution.general_element, system):
        failures.append(f"the general element {tuple(solution.general_element)} does not commute with every mechanism")
    checked.append("every Lie generator satisfies the infinitesimal condition")
    for X in solution.lie_algebra:
        if not generates(X, system):
            failures.append(f"the Lie generator {tuple(X)} fails the infinitesimal condition")
    checked.append("every discrete representative commutes and is invertible")
    for a in solution.discrete:
        if not commutes(a, system):
            failures.append(f"the component representative {tuple(a)} does not commute")
        elif _polynomial(a, latents) and jacobian(a, latents).det() == 0:
            failures.append(f"the component representative {tuple(a)} is not invertible")
    if solution.parameters and len(solution.identity) == len(solution.parameters):
        checked.append("the family's tangent fields lie in the span of the Lie generators")
        missing = _outside_span(tangent_fields(solution.general_element, solution.parameters, solution.identity),
                                solution.lie_algebra, latents)
        if missing is not None:
            failures.append(f"the family's tangent field {missing} is not in the span of the reported Lie algebra")
    expected = None
    if solution.structure is not None and system.n <= INDEPENDENT_RANK_UP_TO:
        expected = _float_lie_dimension(system, solution.ansatz.has_constant)
    if expected is not None:
        checked.append("the Lie algebra's dimension, recounted by a floating-point rank")
        if expected != len(solution.lie_algebra):
            failures.append(f"the Lie algebra has {len(solution.lie_algebra)} generators, but the infinitesimal "
                            f"equations have a solution space of dimension {expected}")
        if solution.dimension != expected:
            failures.append(f"the dimension is reported as {solution.dimension}, but the affine solution set has "
                            f"dimension {expected}")
    if not solution.parameters and solution.completeness.discrete.complete and solution.components is not None \
            and not solution.completeness.infinite_discrete:
        checked.append("the finite group's elements are closed under composition and number its order")
        failures.extend(_closure_failures(solution, latents))


def _polynomial(a: Sequence[sympy.Expr], latents: Sequence[sympy.Symbol]) -> bool:
    return all(sympy.sympify(e).is_polynomial(*latents) for e in a)


def _coordinates(X: Sequence[sympy.Expr], latents: Sequence[sympy.Symbol]) -> dict[tuple[Any, ...], sympy.Expr]:
    out: dict[tuple[Any, ...], sympy.Expr] = {}
    for i, e in enumerate(X):
        e = sympy.expand(e)
        if e == 0:
            continue
        if not e.is_polynomial(*latents):
            out[(i, e)] = sympy.Integer(1)  # not polynomial: compared as a whole
            continue
        for monom, c in sympy.Poly(e, *latents).terms():
            out[(i, monom)] = c
    return out


def _outside_span(fields: Sequence[Map], basis: Sequence[Map], latents: Sequence[sympy.Symbol]) -> Map | None:
    """The first of ``fields`` (nonzero) outside the span of ``basis``, or None."""
    keys: list[tuple[Any, ...]] = []
    rows = [_coordinates(X, latents) for X in basis]
    for row in rows:
        keys.extend(k for k in row if k not in keys)
    for X in fields:
        if all(sympy.expand(e) == 0 for e in X):
            continue
        target = _coordinates(X, latents)
        extra = [k for k in target if k not in keys]
        if extra:
            return tuple(X)
        M = sympy.Matrix([[row.get(k, 0) for k in keys] for row in rows]) if rows else sympy.zeros(0, len(keys))
        augmented = sympy.Matrix.vstack(M, sympy.Matrix([[target.get(k, 0) for k in keys]]))
        if augmented.rank(simplify=True) > M.rank(simplify=True):
            return tuple(X)
    return None


def _float_lie_dimension(system: System, constant: bool) -> int | None:
    """``dim {(M, v) : M A = A M, (A - I) v = M b}`` (maps) / ``{M A = A M, A v = M b}`` (flows),
    over all affine mechanism slices, from a floating-point SVD: an independent recount."""
    from ._forms import affine_forms

    forms = affine_forms(system)
    if forms is None:
        return None
    n = system.n
    size = n * n + (n if constant else 0)
    blocks = []
    eye = np.eye(n)
    for form in forms:
        for s in form.slices:
            try:
                A = np.array(s.A.evalf(30).tolist(), dtype=float)
                b = np.array(s.b.evalf(30).tolist(), dtype=float).reshape(n)
            except (TypeError, ValueError):
                return None
            # vec(M A - A M) with M row-major: (I ⊗ A^T - A ⊗ I) vec(M)
            lin = np.kron(eye, A.T) - np.kron(A, eye)
            block = np.zeros((n * n + n, size))
            block[: n * n, : n * n] = lin
            # translation rows: shift v - M b, shift = A - I for a map's constant slice, else A
            shift = A - eye if (form.kind == "map" and s.is_constant) else A
            block[n * n:, : n * n] = -np.kron(eye, b.reshape(1, n))
            if constant:
                block[n * n:, n * n:] = shift
            blocks.append(block)
    if not blocks:
        return size
    M = np.vstack(blocks)
    if not np.all(np.isfinite(M)):
        return None
    balanced = _equilibrated(M)
    if balanced is None:
        return None  # entries too far apart in size for a floating-point rank to be trusted
    singular = np.linalg.svd(balanced, compute_uv=False)
    tol = max(balanced.shape) * np.finfo(float).eps * max(1.0, float(singular[0]) if singular.size else 1.0) * 1e3
    return int(size - np.sum(singular > tol))


#: After equilibration, nonzero entries may differ in size by at most this factor for the
#: floating-point recount to run (beyond it a float rank cannot be trusted: no recount).
MAX_SCALE_RANGE = 1e8


def _equilibrated(M: np.ndarray) -> np.ndarray | None:
    """``M`` with rows and columns scaled by powers of two (same rank) so that the sizes of
    their entries balance around 1; None when its nonzero entries still span more than
    :data:`MAX_SCALE_RANGE` (a mechanism with 10**26 beside 1)."""
    M = M.copy()
    for _ in range(16):  # geometric scaling: each row and column's largest and smallest entries balance
        for axis in (1, 0):
            magnitude = np.abs(M)
            peak = np.max(magnitude, axis=axis, keepdims=True)
            floor = np.min(np.where(magnitude > 0, magnitude, np.inf), axis=axis, keepdims=True)
            middle = np.where(peak > 0, np.sqrt(peak * np.where(np.isfinite(floor), floor, 1.0)), 1.0)
            M = M / np.exp2(np.round(np.log2(middle)))
    nonzero = np.abs(M[M != 0])
    if nonzero.size and float(nonzero.max() / nonzero.min()) > MAX_SCALE_RANGE:
        return None
    return M


def _closure_failures(solution: Solution, latents: Sequence[sympy.Symbol]) -> list[str]:
    """A finite answer lists every element: identity plus ``discrete`` must be closed under
    composition and have ``components`` elements."""
    elements = [tuple(latents)] + [tuple(sympy.expand(e) for e in a) for a in solution.discrete]
    if solution.components is not None and len(set(elements)) != solution.components:
        return [f"the order is reported as {solution.components}, but {len(set(elements))} distinct elements are listed"]
    if len(elements) > 64 or not all(_polynomial(a, latents) for a in elements):
        return []
    known = set(elements)
    for a, b in itertools.product(elements, repeat=2):
        product = tuple(sympy.expand(e.xreplace(dict(zip(latents, b)))) for e in a)
        if product not in known:
            return [f"the elements are not closed under composition: {a} after {b} gives {product}, not listed"]
    return []


def matrix_failures(structure: Any, forms: Sequence[Any], n: int,
                    checks: Sequence[tuple[str, Any, bool]] | None = None) -> list[str]:
    """The substitution check of an affine structure in matrix form (exact arithmetic,
    python-flint where rational): ``BA = AB`` and ``shift c = moved b`` for every slice.
    ``checks`` (label, (B, c), homogeneous) replaces the structure's base and generators."""
    from ._matrix import exact, vanish

    eye = flint.fmpq_mat(n, n, [int(i == j) for i in range(n) for j in range(n)])
    slices = []
    for form in forms:
        for s in form.slices:
            A = exact(s.A)
            moves_c = form.kind == "map" and s.is_constant  # the shift is A - I (form.shift), read in flint
            shift = (A - eye if moves_c else A) if isinstance(A, flint.fmpq_mat) else exact(form.shift(s))
            slices.append((form.mechanism.name, A, shift, exact(s.b)))
    if checks is None:
        checks = [("base", structure.base, False)]
        checks += [(f"generator {k + 1}", d, True) for k, d in enumerate(structure.directions)]
    failures = []
    # A direction that is the product G L of two directions already proved (linear parts, no
    # translation, mechanisms with b = 0) commutes with every A: (G L) A = G A L = A G L. One
    # product instead of two per mechanism: the powers I, A, A**2, ... of a cyclic commutant.
    linear = all(_zero(b) for *_, b in slices)
    first: _Split | None = None  # the first proved direction that is not the identity
    last: _Split | None = None  # the direction proved just before
    for label, (B, c), homogeneous in checks:
        fB, fc = exact(B), exact(c)
        proves = homogeneous and isinstance(fB, flint.fmpq_mat) and _zero(fc)
        split: _Split | None = fB.numer_denom() if proves else None
        if linear and split is not None and first is not None and last is not None and _is_product(split, first, last):
            last = split
            continue
        if homogeneous:
            fmoved = fB
        else:
            fmoved = fB - eye if isinstance(fB, flint.fmpq_mat) else exact(B - sympy.eye(n))
        for name, A, shift, b in slices:
            if not vanish(fB, fc, fmoved, A, shift, b):
                failures.append(f"{label} fails the commuting condition for {name}")
                break
        else:
            if split is not None:
                if first is None and fB != eye:
                    first = split
                last = split
            continue
        last = None  # a failed direction proves nothing for the next one
    return failures


#: A rational matrix as its integer numerators and their common denominator.
_Split = tuple[flint.fmpz_mat, flint.fmpz]


def _is_product(B: _Split, F: _Split, L: _Split) -> bool:
    """``B == F L`` for rational matrices, compared as integer matrices (about 1.5 times
    faster than a rational product at n = 40): ``(dF dL) B_num == dB (F_num L_num)``."""
    (Zb, db), (Zf, df), (Zl, dl) = B, F, L
    product = Zf * Zl
    if db == df * dl:
        return bool(Zb == product)
    return bool(Zb * (df * dl) == product * db)


def _zero(M: Any) -> bool:
    """``M`` is an exact (python-flint) zero matrix."""
    return isinstance(M, flint.fmpq_mat) and bool(M.numer_denom()[0].is_zero())


# -- finite-state systems ----------------------------------------------------------------------
def _check_finite(solution: Solution, failures: list[str], checked: list[str]) -> None:
    from ..errors import VerificationError

    data = finite_of(solution)
    group = data.group
    checked.append("every generator is a permutation of the states commuting with every mechanism")
    try:
        if getattr(group, "kernels", ()):
            from ..finite.kernels import verify_kernel_generators

            verify_kernel_generators(group)
        else:
            from ..finite.part import verify_generators

            verify_generators(group, group.maps)
    except VerificationError as exc:
        failures.append(str(exc))
    if solution.components != group.order:
        failures.append(f"the order is reported as {solution.components}, but the group's order is {group.order}")
    if data.space.count <= INDEPENDENT_ORDER_UP_TO and len(group.generators) <= INDEPENDENT_GENERATORS_UP_TO:
        checked.append("the order, re-derived from the generators by Schreier-Sims (sympy)")
        from sympy.combinatorics import Permutation, PermutationGroup

        gens = [Permutation([int(x) for x in group.generators[k]]) for k in range(len(group.generators))]
        order = PermutationGroup(gens).order() if gens else 1
        if order != solution.components:
            failures.append(f"the order is reported as {solution.components}, but the generators generate a group "
                            f"of order {order}")


# -- classes and noise ---------------------------------------------------------------------------
def _check_condition(solution: Solution, system: System, failures: list[str], checked: list[str]) -> None:
    from ._pieces import piece_failures

    condition = condition_of(solution)
    latents = system.latents
    checked.append("every piece's point and sampled elements satisfy the defining condition")
    for piece in getattr(condition, "pieces", ()):
        failures.extend(piece_failures(piece, condition.holds, latents))
    checked.append("every discrete representative satisfies the defining condition")
    for a in solution.discrete:
        if not _holds(condition, a, latents):
            failures.append(f"the element {tuple(a)} fails the defining condition")
    checked.append("the general element satisfies the defining condition (at the identity and at random parameters)")
    general = solution.general_element
    if "equations" in dict(solution.extra):  # parameters tied by equations: the pieces' points are checked
        return
    if not solution.parameters:
        if not _holds(condition, general, latents):
            failures.append(f"the general element {tuple(general)} fails the defining condition")
        return
    points = [dict(zip(solution.parameters, solution.identity))] if len(solution.identity) == len(solution.parameters) else []
    rng = np.random.default_rng(5)
    for _ in range(2):
        points.append({t: sympy.Rational(int(rng.integers(-7, 8)), int(rng.integers(1, 4))) for t in solution.parameters})
    for point in points:
        a = tuple(e.xreplace(point) for e in general)
        if any(e.free_symbols - set(latents) for e in a):
            continue  # a piece given by equations: its points are checked where it is solved
        if jacobian(a, latents).det() == 0:
            continue
        if not _holds(condition, a, latents):
            failures.append(f"the general element {tuple(general)} fails the defining condition at {point}")
            break


def _holds(condition: Any, a: Sequence[sympy.Expr], latents: Sequence[sympy.Symbol]) -> bool:
    from ._pieces import affine_parts

    parts = affine_parts(a, latents)
    if parts is None:
        return False
    B, c = parts
    if B.det() == 0:
        return False
    return bool(condition.holds((B, c)))
