"""Case trees: the group as a function of a system's parameters.

For a system with ``parameters:`` (:mod:`equivid.parameters`), :func:`solve_cases`
returns a :class:`CaseTree`: the generic case and every stratum of parameter values on
which the answer differs, each with its own group, and together covering every value
the assumptions and constraints allow (docs/theory.md, "Parameters").

Method
------
1. **The linear system.** The Lie algebra condition (``X∘m = Dm·X`` for maps,
   ``[X, V] = 0`` for flows, and for noisy mechanisms the infinitesimal symmetry of the
   noise law) is linear in the coefficients of ``X`` over the field of rational (or
   trigonometric) functions of the parameters: a matrix ``M(p)``.
2. **Comprehensive elimination.** Gauss-Jordan elimination over that field; a pivot
   that depends on the parameters splits the parameter space: on one branch it is
   nonzero (an inequation), on the others one of its irreducible factors vanishes (an
   equation, solved for one parameter where it is linear with a numeric coefficient or
   univariate: the stratum is then parametrised, and earlier factors are kept nonzero
   so the branches are disjoint). Each leaf is a stratum on which the rank of ``M(p)``
   is constant, hence so is the dimension of the group; its Lie algebra is the kernel
   over the stratum.
3. **Each leaf verified.** Its Lie algebra is checked by substitution over the
   parameters (every generator, symbolically, on the stratum); for affine mechanisms
   without noise in a linear or affine class the group itself is ``I + X`` with ``X``
   in that kernel (the group condition is linear too), and its general element is
   checked symbolically. At ``samples`` exact random points of each stratum the
   specialised system is solved by :func:`equivid.solve` (every answer verified), and
   its dimension must equal the stratum's: a disagreement is a
   :class:`~equivid.VerificationError`.
4. **Cases.** Leaves whose sampled answers agree (name, dimension, components,
   order, verdict) are one case (their strata listed as alternatives).

What is proved and what is sampled
----------------------------------
The strata and the dimension (the Lie algebra) on each are exact. The discrete part
(components, a finite order, the name) is computed at the sample points: where it
agrees at every sample the case reports it, with the claim ``sampled``: special
parameter values at which only discrete elements change (no change of the Lie
algebra) are not searched, and for affine mechanisms the count of components can
depend on signs of the parameters (real versus complex eigenvalues) within a stratum
given by equations and inequations. Where the samples disagree the case says so and
reports the discrete part as not determined.

Examples
--------
>>> import equivid
>>> system = equivid.System.from_maps(["z1", "z2"], {"grow": ["a*z1", "b*z2"]},
...                                   parameters=["a", "b"], ansatz="linear")
>>> tree = equivid.solve_cases(system)
>>> [(case.conditions, case.dimension) for case in tree.cases]
[('generic (a - b != 0)', 2), ('a = b', 4)]
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sympy

from ._parse import parse_expression
from ._progress import Bar
from .ansatz import Ansatz, monomials
from .errors import SpecError, UnsupportedMechanismError, VerificationError
from .mechanisms import Mechanism, System, noise_at
from .parameters import constraint_text, describe_parameter, holds
from .solve._verify import group_residual, is_zero, lie_residual

__all__ = ["CaseTree", "Case", "Stratum", "Sample", "solve_cases", "strata", "DEFAULT_SAMPLES"]

Map = tuple[sympy.Expr, ...]

#: Exact random points solved in each stratum.
DEFAULT_SAMPLES = 2

#: Claim labels: what the case tree proved and what it only sampled.
PROVED = "proved on the stratum"
SAMPLED = "at the sample points (special values that change only the discrete part are not searched)"
VARIES = "differs between sample points of the stratum (not determined)"
CANDIDATES = ("where each of the noise law's {count} candidate linear parts (signed permutations) commutes with the "
              "mechanisms' linear parts is split exactly; the elements and their count at the sample points")
COUNTED = ("every element proved (the invertible maps I + X of the stratum's family); the number of components "
           "counted at the sample points (it can change with the sign of a discriminant within a stratum)")


# -- strata ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Stratum:
    """A set of parameter values: ``equations`` (each ``= 0``), ``inequations`` (each
    ``!= 0``) and ``relations`` (constraints left on it), all in the original parameters;
    ``substitution`` parametrises it (a parameter -> an expression in ``free``, the
    parameters left free plus integer indices such as ``k1`` for ``theta = 2*pi*k1``);
    ``resolved`` is False where an equation could not be solved for a parameter."""

    parameters: tuple[sympy.Symbol, ...]
    equations: tuple[sympy.Expr, ...] = ()
    inequations: tuple[sympy.Expr, ...] = ()
    relations: tuple[sympy.Basic, ...] = ()
    substitution: tuple[tuple[sympy.Symbol, sympy.Expr], ...] = ()
    indices: tuple[sympy.Symbol, ...] = ()
    resolved: bool = True

    @property
    def subs(self) -> dict[sympy.Symbol, sympy.Expr]:
        return dict(self.substitution)

    @property
    def free(self) -> tuple[sympy.Symbol, ...]:
        """Parameters free on the stratum, then the integer indices it introduced."""
        solved = {s for s, _ in self.substitution}
        return tuple(s for s in self.parameters if s not in solved) + self.indices

    @property
    def generic(self) -> bool:
        return not self.equations and self.resolved

    def on(self, expr: sympy.Expr) -> sympy.Expr:
        """``expr`` restricted to the stratum (its parametrisation substituted)."""
        return sympy.sympify(expr).xreplace(self.subs) if self.substitution else sympy.sympify(expr)

    def text(self) -> str:
        """The conditions as a person writes them: "a = b, b != 0" (or "generic (...)")."""
        equations = [_equation_text(s, e) for s, e in self.substitution] or [f"{e} = 0" for e in self.equations]
        if not self.resolved:
            equations = [f"{e} = 0" for e in self.equations]
        elif self.indices:
            equations[-1] += f" ({', '.join(map(str, self.indices))} integer)"
        shown = dict.fromkeys(_plain(self.on(e)) for e in self.inequations if self.on(e).free_symbols)
        rest = [f"{e} != 0" for e in shown] + [constraint_text(r) for r in self.relations]
        if not equations:
            return "generic" + (f" ({', '.join(rest)})" if rest else "")
        return ", ".join(equations + rest)

    def contains(self, values: Mapping[sympy.Symbol, sympy.Expr]) -> bool:
        """Whether the exact parameter values lie in the stratum."""
        values = dict(values)
        if self.indices:  # solve for the integer indices, which must come out integers
            unknown = list(self.indices)
            equations = [sympy.Eq(expr, values[s]) for s, expr in self.substitution if expr.has(*unknown)]
            solutions = sympy.solve(equations, unknown, dict=True) if equations else [{}]
            if len(solutions) != 1 or any(v.is_integer is not True for v in solutions[0].values()):
                return False
            values.update(solutions[0])
        for s, expr in self.substitution:
            if not is_zero(expr.xreplace(values) - values[s]):
                return False
        if any(not is_zero(sympy.sympify(e).xreplace(values)) for e in self.equations):
            return False
        if any(is_zero(sympy.sympify(e).xreplace(values)) for e in self.inequations):
            return False
        return all(r.xreplace(values) is sympy.true for r in self.relations)

    def values_at(self, point: Mapping[sympy.Symbol, sympy.Expr]) -> dict[sympy.Symbol, sympy.Expr]:
        """Every parameter's value where the free ones take ``point`` (the parametrisation applied)."""
        subs = self.subs
        return {s: subs[s].xreplace(dict(point)) if s in subs else point[s] for s in self.parameters}

    def sample(self, rng: random.Random, tries: int = 200, pattern: int = 0) -> dict[sympy.Symbol, sympy.Expr] | None:
        """Exact values in the stratum (small random rationals for its free parameters,
        small integers for indices), or None when none was found in ``tries``. Sample
        ``pattern`` k gives free parameter j the sign ``(-1)**(k >> j)`` for the first tries
        (so two samples see both signs of each, where a count of components may differ)."""
        if not self.resolved:
            return None
        for attempt in range(tries):
            spread = 5 + attempt // 20
            point: dict[sympy.Symbol, sympy.Expr] = {}
            for j, s in enumerate(self.free):
                if s.is_integer:
                    value: sympy.Expr = sympy.Integer(rng.randint(-spread, spread))
                else:
                    value = sympy.Rational(rng.randint(1, 7 * spread), rng.randint(1, 7))
                    if attempt < tries // 2 and (pattern >> j) & 1 or attempt >= tries // 2 and rng.random() < 0.5:
                        value = -value
                if s.is_positive or s.is_nonnegative:
                    value = abs(value) + (1 if s.is_positive and value == 0 else 0)
                if s.is_negative or s.is_nonpositive:
                    value = -abs(value) - (1 if s.is_negative and value == 0 else 0)
                point[s] = value
            values = self.values_at(point)
            if any(v.is_real is not True for v in values.values()):
                continue
            if all(holds(s, v) for s, v in values.items()) and self.contains(values):
                return values
        return None


def _plain(expr: sympy.Expr) -> str:
    return str(sympy.factor(expr)) if expr.is_polynomial() else str(expr)


def _equation_text(symbol: sympy.Symbol, value: sympy.Expr) -> str:
    return f"{symbol} = {value}"




# -- the linear system ------------------------------------------------------------------------------
def _basis(system: System, ansatz: Ansatz) -> list[tuple[int, sympy.Expr]]:
    degree = ansatz.degree if ansatz.kind == "polynomial" else 1
    return [(i, mono) for mono in monomials(system.latents, degree, constant=ansatz.kind != "linear")
            for i in range(system.n)]


def _field(i: int, mono: sympy.Expr, n: int) -> Map:
    return tuple(mono if k == i else sympy.Integer(0) for k in range(n))


def _rows(system: System, ansatz: Ansatz) -> tuple[list[dict[int, sympy.Expr]], list[tuple[int, sympy.Expr]]]:
    """``M(p)`` as sparse rows (column -> coefficient) and the basis fields of its columns."""
    basis = _basis(system, ansatz)
    gens = system.latents + system.families
    keyed: dict[tuple[Any, ...], dict[int, sympy.Expr]] = {}
    for j, (i, mono) in enumerate(basis):
        X = _field(i, mono, system.n)
        for m in system.mechanisms:
            for k, residual in enumerate(lie_residual(X, m, system.latents)):
                expanded = sympy.expand(residual)
                if not expanded.is_polynomial(*gens):
                    raise UnsupportedMechanismError(
                        f"{'flows' if m.is_flow else 'mechanisms'}.{m.name}: a case tree over parameters needs "
                        f"mechanisms polynomial in the latents (got {str(m.components)[:60]}); "
                        "give the parameters values with --at")
                for monom, coefficient in sympy.Poly(expanded, *gens).terms():
                    if coefficient != 0:
                        keyed.setdefault((m.name, k, monom), {})[j] = coefficient
    rows = list(keyed.values())
    for m in system.mechanisms:
        if m.noise is not None:
            rows.extend(_noise_rows(system, m, basis))
    return rows, basis


def _noise_rows(system: System, mechanism: Mechanism, basis: Sequence[tuple[int, sympy.Expr]]) -> list[dict[int, sympy.Expr]]:
    """The infinitesimal symmetry of the noise law: ``X S + S X^T = 0`` on the Gaussian
    coordinates (covariance ``S``), no linear part on the others (their symmetries are
    signed scaled permutations, a discrete group). Translations are free (additive noise)."""
    n = system.n
    column = {(i, j): k for k, (i, mono) in enumerate(basis) for j, z in enumerate(system.latents) if mono == z}
    law = dict(mechanism.noise or ())
    where = f"mechanisms.{mechanism.name}.noise"
    gaussian, cov = _gaussian_part(law, n, system.parameters, where)
    rows: list[dict[int, sympy.Expr]] = []
    for i in range(n):
        for j in range(n):
            if i not in gaussian or j not in gaussian:
                rows.append({column[(i, j)]: sympy.Integer(1)})
    G = list(gaussian)
    for a, b in itertools.combinations_with_replacement(range(len(G)), 2):
        row: dict[int, sympy.Expr] = {}
        for c in range(len(G)):  # (X S + S X^T)[a, b] = sum_c X[a, c] S[c, b] + S[a, c] X[b, c]
            for (r, s), coefficient in (((G[a], G[c]), cov[c, b]), ((G[b], G[c]), cov[a, c])):
                if coefficient != 0:
                    row[column[(r, s)]] = row.get(column[(r, s)], 0) + coefficient
        row = {k: v for k, v in row.items() if v != 0}
        if row:
            rows.append(row)
    return rows


def _gaussian_part(law: dict[str, Any], n: int, parameters: Sequence[sympy.Symbol],
                   where: str) -> tuple[tuple[int, ...], sympy.Matrix]:
    """The Gaussian coordinates of a noise law and their covariance (entries may hold parameters)."""
    table = {s.name: s for s in parameters}

    def value(v: Any, field: str) -> sympy.Expr:
        if isinstance(v, str):
            return parse_expression(v, table, field=field, expected="an expression in the parameters")
        return sympy.sympify(v)

    def one(spec: dict[str, Any], size: int, field: str) -> sympy.Matrix | None:
        name = spec.get("law")
        for shape in ("beta", "nu"):
            if shape in spec and value(spec[shape], f"{field}.{shape}").free_symbols:
                raise UnsupportedMechanismError(f"{field}.{shape}: a shape parameter must be a number in a case "
                                                "tree (it decides which symmetry rule applies); give it with --at")
        if name == "gaussian":
            if "cov" in spec:
                entries = spec["cov"] if size > 1 or isinstance(spec["cov"], list) else [[spec["cov"]]]
                return sympy.Matrix([[value(x, f"{field}.cov") for x in row] for row in entries])
            return value(spec.get("scale", 1), f"{field}.scale") ** 2 * sympy.eye(size)
        if name == "generalized_normal" and value(spec.get("beta"), f"{field}.beta") == 2:
            return value(spec.get("scale", 1), f"{field}.scale") ** 2 / 2 * sympy.eye(size)
        return None

    if law.get("law") == "product":
        factors = [one(dict(f), 1, f"{where}.factors[{k}]") for k, f in enumerate(law.get("factors") or [])]
        indices = tuple(k for k, f in enumerate(factors) if f is not None)
        return indices, sympy.diag(*[f[0, 0] for f in factors if f is not None]) if indices else sympy.zeros(0, 0)
    cov = one(law, n, where)
    return (tuple(range(n)), cov) if cov is not None else ((), sympy.zeros(0, 0))


# -- comprehensive elimination --------------------------------------------------------------------
@dataclass
class _Leaf:
    stratum: Stratum
    rows: list[dict[int, sympy.Expr]]  # Gauss-Jordan rows, one per pivot
    pivots: list[int]
    width: int

    def kernel(self) -> list[list[sympy.Expr]]:
        free = [c for c in range(self.width) if c not in self.pivots]
        vectors = []
        for f in free:
            v = [sympy.Integer(0)] * self.width
            v[f] = sympy.Integer(1)
            for row, p in zip(self.rows, self.pivots):
                if f in row:
                    v[p] = sympy.cancel(-row[f] / row[p])
            vectors.append(v)
        return vectors


def _zero(expr: sympy.Expr) -> bool:
    expr = sympy.cancel(expr) if not expr.has(sympy.Function) else expr
    return expr == 0 or is_zero(expr)


def _factors(expr: sympy.Expr) -> list[sympy.Expr]:
    """The distinct non-constant irreducible factors of the numerator of ``expr``."""
    numerator = sympy.fraction(sympy.cancel(sympy.together(expr)))[0]
    try:
        _, factors = sympy.factor_list(numerator)
    except (sympy.PolynomialError, NotImplementedError):
        return [numerator]
    return [f for f, _ in factors if f.free_symbols] or [numerator]


def _domain(symbol: sympy.Symbol) -> sympy.Set:
    domain: sympy.Set = sympy.S.Integers if symbol.is_integer else sympy.S.Reals
    if symbol.is_positive:
        domain = domain.intersect(sympy.Interval.open(0, sympy.oo))
    elif symbol.is_nonnegative:
        domain = domain.intersect(sympy.Interval(0, sympy.oo))
    if symbol.is_negative:
        domain = domain.intersect(sympy.Interval.open(-sympy.oo, 0))
    elif symbol.is_nonpositive:
        domain = domain.intersect(sympy.Interval(-sympy.oo, 0))
    if symbol.is_nonzero and not (symbol.is_positive or symbol.is_negative):
        domain = domain - sympy.FiniteSet(0)
    return domain


class _Splitter:
    """The branching Gauss-Jordan elimination (one per solve; counts the index symbols)."""

    def __init__(self, system: System, width: int) -> None:
        self.system = system
        self.width = width
        self.steps: list[str] = []  # the splits, for the proof sketch
        self._taken = {s.name for s in system.latents + system.families + system.parameters}

    def fresh_index(self) -> sympy.Symbol:
        k = 1
        while f"k{k}" in self._taken:
            k += 1
        self._taken.add(f"k{k}")
        return sympy.Symbol(f"k{k}", integer=True)

    def run(self, rows: list[dict[int, sympy.Expr]], stratum: Stratum) -> list[_Leaf]:
        return self._eliminate([dict(r) for r in rows], [], [], stratum)

    def _eliminate(self, work: list[dict[int, sympy.Expr]], done: list[dict[int, sympy.Expr]], pivots: list[int],
                   stratum: Stratum) -> list[_Leaf]:
        while True:
            work = [r for r in ({c: e for c, e in row.items() if not _zero(e)} for row in work) if r]
            if not work:
                return [_Leaf(stratum, done, pivots, self.width)]
            constant = [(len(row), r, c) for r, row in enumerate(work) for c, e in row.items() if not e.free_symbols]
            if constant:
                _, r, c = min(constant)
            else:
                _, r, c = min((sympy.count_ops(e), r, c) for r, row in enumerate(work) for c, e in row.items())
                return self._split(work, done, pivots, stratum, r, c)
            work, done, pivots = _pivot(work, done, pivots, r, c)

    def _split(self, work: list[dict[int, sympy.Expr]], done: list[dict[int, sympy.Expr]], pivots: list[int],
               stratum: Stratum, r: int, c: int) -> list[_Leaf]:
        entry = work[r][c]
        factors = _factors(entry)
        leaves: list[_Leaf] = []
        nonzero = _with_nonzero(stratum, factors)
        known = {sympy.expand(stratum.on(e)) for e in stratum.inequations}
        new = [f for f in factors if sympy.expand(stratum.on(f)) not in known and not _never_zero(stratum.on(f))]
        if nonzero is not None:
            if new:
                self.steps.append(f"on {stratum.text()}: pivot {_plain(entry)}; branch {', '.join(f'{_plain(f)} != 0' for f in new)}")
            w, d, p = _pivot(work, done, pivots, r, c)
            leaves += self._eliminate(w, d, p, nonzero)
        for k, f in enumerate(factors):
            if f not in new:
                continue  # nonzero on the stratum already
            for piece in self._with_zero(stratum, f, factors[:k]):
                self.steps.append(f"on {stratum.text()}: branch {_plain(f)} = 0 gives {piece.text()}")
                if not piece.resolved:
                    leaves.append(_Leaf(piece, [], [], self.width))
                    continue
                subs = {s: v for s, v in piece.substitution if s not in stratum.subs}
                leaves += self._eliminate(_substituted(work, subs), _substituted(done, subs), list(pivots), piece)
        return leaves

    def _with_zero(self, stratum: Stratum, factor: sympy.Expr, earlier: Sequence[sympy.Expr]) -> list[Stratum]:
        """The pieces of ``stratum`` where ``factor = 0`` and every ``earlier`` factor is nonzero."""
        equations = stratum.equations + (factor,)
        inequations = stratum.inequations + tuple(earlier)
        symbols = [s for s in stratum.free if factor.has(s)]
        linear = [s for s in symbols if not s.is_integer and factor.is_polynomial(s)
                  and sympy.degree(factor, s) == 1 and not sympy.diff(factor, s).free_symbols]
        if linear:
            s = linear[0]
            solutions: list[tuple[sympy.Expr, tuple[sympy.Symbol, ...]]] = [(sympy.solve(factor, s)[0], ())]
        elif len(symbols) == 1:
            s = symbols[0]
            try:
                found = sympy.solveset(factor, s, _domain(s))
            except (ValueError, TypeError, NotImplementedError):  # sympy cannot invert it: left unresolved
                found = sympy.ConditionSet(s, sympy.Eq(factor, 0), _domain(s))
            pieces = _set_pieces(found, self.fresh_index)
            if pieces is None:
                return [Stratum(stratum.parameters, equations, inequations, stratum.relations,
                                stratum.substitution, stratum.indices, resolved=False)]
            solutions = pieces
        else:
            return [Stratum(stratum.parameters, equations, inequations, stratum.relations, stratum.substitution,
                            stratum.indices, resolved=False)]
        out = []
        for k, (value, indices) in enumerate(solutions):
            # earlier solutions of the same factor are excluded (the pieces are disjoint)
            distinct = tuple(value - other for other, _ in solutions[:k] if not indices)
            piece = _substitute(stratum, s, value, indices, equations, inequations + distinct)
            if piece is not None:
                out.append(piece)
        return out


def _set_pieces(found: sympy.Set, fresh: Callable[[], sympy.Symbol]) -> list[tuple[sympy.Expr, tuple[sympy.Symbol, ...]]] | None:
    """A solution set as (value, new integer indices) pieces; None where it is not a finite
    union of points and integer progressions (a ConditionSet, an interval)."""
    parts = found.args if isinstance(found, sympy.Union) else (found,)
    out: list[tuple[sympy.Expr, tuple[sympy.Symbol, ...]]] = []
    for part in parts:
        if isinstance(part, sympy.FiniteSet):
            out += [(v, ()) for v in part.args]
        elif isinstance(part, sympy.ImageSet) and len(part.lamda.variables) == 1 and part.base_sets == (sympy.S.Integers,):
            k = fresh()
            out.append((part.lamda.expr.xreplace({part.lamda.variables[0]: k}), (k,)))
        elif part is sympy.S.EmptySet:
            continue
        else:
            return None
    return out


def _substitute(stratum: Stratum, s: sympy.Symbol, value: sympy.Expr, indices: tuple[sympy.Symbol, ...],
                equations: tuple[sympy.Expr, ...], inequations: tuple[sympy.Expr, ...]) -> Stratum | None:
    """``stratum`` with ``s = value``; None when that leaves it empty (an inequation or a
    relation fails identically, or ``value`` breaks ``s``'s assumptions)."""
    subs = {k: v.xreplace({s: value}) for k, v in stratum.subs.items()}
    subs[s] = value
    relations = []
    for relation in stratum.relations + _assumption_relations(s, value):
        r = relation.xreplace({s: value}).xreplace(subs)
        if r is sympy.false:
            return None
        if r is not sympy.true:
            relations.append(relation if not relation.has(s) else r)
    for e in inequations:
        if _zero(e.xreplace(subs)):
            return None
    if value.is_number and not holds(s, value):
        return None
    return Stratum(stratum.parameters, equations, tuple(dict.fromkeys(inequations)), tuple(relations),
                   tuple(subs.items()), stratum.indices + indices)


def _assumption_relations(s: sympy.Symbol, value: sympy.Expr) -> tuple[sympy.Basic, ...]:
    """The assumptions of ``s`` as relations on what it is set to (for a value in other parameters)."""
    if value.is_number:
        return ()
    out = []
    if s.is_positive:
        out.append(sympy.Gt(value, 0))
    elif s.is_nonnegative:
        out.append(sympy.Ge(value, 0))
    if s.is_negative:
        out.append(sympy.Lt(value, 0))
    elif s.is_nonpositive:
        out.append(sympy.Le(value, 0))
    if s.is_nonzero and not (s.is_positive or s.is_negative):
        out.append(sympy.Ne(value, 0))
    return tuple(r for r in out if r is not sympy.true)


def _with_nonzero(stratum: Stratum, factors: Sequence[sympy.Expr]) -> Stratum | None:
    """``stratum`` with every factor nonzero; None when a factor vanishes on it identically."""
    if any(_zero(stratum.on(f)) for f in factors):
        return None
    kept = tuple(f for f in factors if not _never_zero(f))
    return Stratum(stratum.parameters, stratum.equations, tuple(dict.fromkeys(stratum.inequations + kept)),
                   stratum.relations, stratum.substitution, stratum.indices)


def _never_zero(expr: sympy.Expr) -> bool:
    """Nonzero for every value the assumptions allow (``a`` for positive ``a``, ``a**2 + 1``)."""
    return bool(expr.is_nonzero) or bool(expr.is_positive) or bool(expr.is_negative)


def _substituted(rows: list[dict[int, sympy.Expr]], subs: Mapping[sympy.Symbol, sympy.Expr]) -> list[dict[int, sympy.Expr]]:
    if not subs:
        return [dict(r) for r in rows]
    return [{c: sympy.sympify(e).xreplace(dict(subs)) for c, e in row.items()} for row in rows]


def _simplify(expr: sympy.Expr) -> sympy.Expr:
    return sympy.cancel(expr) if not expr.has(sympy.Function) else sympy.simplify(expr)


def _pivot(work: list[dict[int, sympy.Expr]], done: list[dict[int, sympy.Expr]], pivots: list[int],
           r: int, c: int) -> tuple[list[dict[int, sympy.Expr]], list[dict[int, sympy.Expr]], list[int]]:
    """One Gauss-Jordan step on pivot ``work[r][c]`` (nonzero on the stratum): the pivot
    row is divided by it and the column cleared from every other row."""
    row = work[r]
    p = row[c]
    pivot_row = {k: _simplify(v / p) for k, v in row.items()}

    def clear(other: dict[int, sympy.Expr]) -> dict[int, sympy.Expr]:
        if c not in other:
            return dict(other)
        factor = other[c]
        out = dict(other)
        for k, v in pivot_row.items():
            out[k] = _simplify(out.get(k, 0) - factor * v)
        out.pop(c, None)
        return {k: v for k, v in out.items() if v != 0}

    rest = [clear(o) for k, o in enumerate(work) if k != r]
    return rest, [clear(o) for o in done] + [pivot_row], pivots + [c]


# -- results --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sample:
    """The specialised solve at one exact point of a stratum."""

    values: dict[sympy.Symbol, sympy.Expr]
    group: Any  # EquivarianceGroup

    @property
    def summary(self) -> tuple[Any, ...]:
        """What must agree for two points to be in one case (names may hold the parameter values)."""
        g = self.group
        return (g.dimension, g.components, g.order, g.finite, g.identifiable, g.solution.completeness)

    def values_text(self) -> str:
        return ", ".join(f"{s} = {v}" for s, v in self.values.items())


@dataclass(frozen=True)
class Case:
    """One answer of a case tree: the strata where it holds (alternatives), the dimension
    and Lie algebra on each (proved), the specialised answers at sample points, and what
    is proved and what sampled (``claims``)."""

    strata: tuple[Stratum, ...]
    dimension: int | None
    lie_algebras: tuple[tuple[Map, ...], ...]  # per stratum, over its free parameters
    general_elements: tuple[Map | None, ...]  # per stratum: I + sum c_i X_i where that is the group
    samples: tuple[Sample, ...]
    claims: Mapping[str, str]

    @property
    def generic(self) -> bool:
        return any(s.generic for s in self.strata)

    @property
    def affine_group(self) -> bool:
        """Whether the group itself is proved on every stratum (``I + X``, affine mechanisms without noise)."""
        return all(g is not None for g in self.general_elements)

    @property
    def conditions(self) -> str:
        return " or ".join(s.text() for s in self.strata)

    @property
    def resolved(self) -> bool:
        return all(s.resolved for s in self.strata) and bool(self.samples)

    def _agreed(self, pick: Callable[[Any], Any]) -> Any:
        values = {repr(pick(s.group)) for s in self.samples}
        return pick(self.samples[0].group) if self.samples and len(values) == 1 else None

    @property
    def name(self) -> str | None:
        """The name at every sample point; where it differs (it holds the parameter values),
        the first sample's with its values."""
        if not self.samples:
            return None
        agreed = self._agreed(lambda g: g.description)
        return agreed if agreed is not None else f"at {self.samples[0].values_text()}: {self.samples[0].group.description}"

    @property
    def components(self) -> int | None:
        return self._agreed(lambda g: g.components)

    @property
    def order(self) -> int | None:
        return self._agreed(lambda g: g.order)

    @property
    def verdict(self) -> str | None:
        if not self.samples:
            return None
        agreed = self._agreed(lambda g: g.verdict)
        return agreed if agreed is not None else f"at {self.samples[0].values_text()}: {self.samples[0].group.verdict}"

    @property
    def group(self) -> Any:
        """The group at the first sample point (an :class:`~equivid.EquivarianceGroup`)."""
        return self.samples[0].group if self.samples else None

    def contains(self, values: Mapping[Any, Any]) -> bool:
        return any(s.contains(values) for s in self.strata)

    def text(self) -> str:
        if not self.resolved:
            return f"{self.conditions}: not determined (the stratum could not be parametrised, so nothing was solved on it)"
        parts = [str(self.name), f"dimension {self.dimension}"]
        sizes = {len(x) for x in self.lie_algebras}
        if len(sizes) == 1 and self.dimension != (size := sizes.pop()):
            parts[-1] += f" (Lie algebra of dimension {size})"
        if self.dimension is not None and self.components is not None:
            parts.append(f"{self.components} component{'s' if self.components != 1 else ''}")
        if self.order is not None:
            parts.append(f"order {self.order}")
        if self.claims.get("discrete") == SAMPLED:
            parts[-1] += " (discrete part sampled)"
        elif self.claims.get("discrete") == COUNTED:
            parts[-1] += " (components counted at the samples)"
        elif self.claims.get("discrete") == VARIES:
            parts.append("the discrete part differs between sample points")
        where = "; ".join(s.values_text() for s in self.samples)
        lines = [f"{self.conditions}: {', '.join(parts)} [solved at {where}]"]
        for stratum, lie, general in zip(self.strata, self.lie_algebras, self.general_elements):
            label = f" on {stratum.text()}" if len(self.strata) > 1 else ""
            if general is not None:
                lines.append(f"      group{label}: invertible {_tuple_text(general)}")
            elif lie and len(lie) <= 6:
                lines.append(f"      Lie algebra{label}: {', '.join(_tuple_text(X) for X in lie)}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "conditions": self.conditions,
            "generic": self.generic,
            "strata": [_stratum_dict(s) for s in self.strata],
            "resolved": self.resolved,
            "name": self.name,
            "dimension": self.dimension,
            "components": self.components,
            "order": self.order,
            "verdict": self.verdict,
            "claims": dict(self.claims),
            "lie_algebra": [[_tuple_text(X) for X in lie] for lie in self.lie_algebras],
            "general_element": [None if g is None else _tuple_text(g) for g in self.general_elements],
            "samples": [{"values": {str(s): str(v) for s, v in sample.values.items()},
                         "group": sample.group.to_dict()} for sample in self.samples],
        }


def _stratum_dict(s: Stratum) -> dict[str, Any]:
    return {"text": s.text(), "equations": [str(e) for e in s.equations], "inequations": [str(e) for e in s.inequations],
            "relations": [constraint_text(r) for r in s.relations],
            "parametrisation": {str(k): str(v) for k, v in s.substitution},
            "integer_indices": [str(k) for k in s.indices], "resolved": s.resolved}


def _tuple_text(X: Sequence[sympy.Expr]) -> str:
    return "(" + ", ".join(str(c) for c in X) + ")"


@dataclass(frozen=True)
class CaseTree:
    """The answer for a system with parameters: its :attr:`cases` cover every parameter
    value the assumptions and constraints allow, without overlap (the strata of the leaves
    partition it); the generic case first.

    Built by :func:`solve_cases`, not by hand.

    Parameters
    ----------
    system : System
        The system with parameters that was solved.
    ansatz : Ansatz
        The class searched.
    cases : tuple of Case
        The answers, each with the strata (conditions on the parameters) where it holds.
    steps : tuple of str, optional
        The splits of the elimination, one line each (a pivot that depends on the
        parameters, and the branches it gives).
    unknowns : int, optional
        The number of coefficients of a vector field in the linear system solved.
    equations : int, optional
        The number of its equations.
    notes : tuple of str, optional
        Remarks printed under the cases.

    Examples
    --------
    >>> import equivid
    >>> system = equivid.System.from_maps(["z1", "z2"], {"grow": ["a*z1", "z2"]}, parameters=["a"], ansatz="linear")
    >>> tree = equivid.solve_cases(system)
    >>> tree
    <CaseTree over a: 2 cases, complete>
    >>> [(case.conditions, case.dimension) for case in tree.cases]
    [('generic (a - 1 != 0)', 2), ('a = 1', 4)]
    >>> tree.case_of("a=1").dimension
    4
    """

    system: System
    ansatz: Ansatz
    cases: tuple[Case, ...]
    steps: tuple[str, ...] = ()
    unknowns: int = 0
    equations: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def parameters(self) -> tuple[sympy.Symbol, ...]:
        """The system's parameters, over which the cases split."""
        return self.system.parameters

    @property
    def generic(self) -> Case:
        """The case that holds for generic parameter values (the first)."""
        return next(c for c in self.cases if c.generic)

    @property
    def complete(self) -> bool:
        """Every stratum resolved and solved (no case "not determined")."""
        return all(c.resolved for c in self.cases)

    def case_of(self, values: Mapping[Any, Any] | str) -> Case:
        """The case holding the exact parameter values (``{"a": 2}`` or ``"a=2"``).

        Parameters
        ----------
        values : mapping or str
            An exact value for every parameter: names (or symbols) -> values, or text
            such as ``"a=2,b=1/3"``.

        Returns
        -------
        Case
            The one case whose strata hold the values.

        Raises
        ------
        SpecError
            If a parameter has no value or a value breaks an assumption or a constraint.
        VerificationError
            If the values do not lie in exactly one case.

        Examples
        --------
        >>> import equivid
        >>> system = equivid.System.from_maps(["z1", "z2"], {"grow": ["a*z1", "z2"]}, parameters=["a"], ansatz="linear")
        >>> tree = equivid.solve_cases(system)
        >>> tree.case_of({"a": 2}).conditions, tree.case_of("a=1").conditions
        ('generic (a - 1 != 0)', 'a = 1')
        """
        from .parameters import parse_values

        subs = parse_values(values, self.parameters, self.system.constraints, field="values")
        if len(subs) != len(self.parameters):
            missing = [s.name for s in self.parameters if s not in subs]
            raise SpecError("values", ", ".join(missing), "a value for every parameter")
        found = [c for c in self.cases if c.contains(subs)]
        if len(found) != 1:
            raise VerificationError(f"the parameter values {values} lie in {len(found)} cases of the tree (expected one)")
        return found[0]

    def text(self) -> str:
        """The tree as text: the parameters, one line per case, and what is proved and what sampled.

        Returns
        -------
        str
            Lines for a terminal (``str(tree)`` is the same).

        Examples
        --------
        >>> import equivid
        >>> system = equivid.System.from_maps(["z1", "z2"], {"grow": ["a*z1", "z2"]}, parameters=["a"], ansatz="linear")
        >>> print(equivid.solve_cases(system).text().splitlines()[0])
        Parameters: a (real)
        """
        names = ", ".join(f"{s} ({describe_parameter(s)})" for s in self.parameters)
        lines = [f"Parameters: {names}" + (
            f"; constraints: {', '.join(constraint_text(r) for r in self.system.constraints)}" if self.system.constraints else "")]
        lines.append(f"Searched: {self.ansatz.describe()}; {len(self.cases)} case{'s' if len(self.cases) != 1 else ''}"
                     f", covering every allowed value{'' if self.complete else ' (some not determined)'}:")
        for case in self.cases:
            lines.append(f"  {case.text()}" if case.conditions.startswith("generic") else f"  if {case.text()}")
        what = "the Lie algebra" if self.ansatz.kind == "polynomial" else "the dimension and Lie algebra"
        lines.append(f"Proved on each stratum: {what} (comprehensive elimination of "
                     f"{self.equations} linear equations in {self.unknowns} unknowns).")
        if self.ansatz.kind == "polynomial":
            lines.append("Sampled: the dimension of the family of maps of degree <= D (the flows of some "
                         "generators leave the class), at exact random points of each stratum.")
        discrete = {c.claims.get("discrete") for c in self.cases}
        if any(d and d.startswith("where each of the noise law") for d in discrete):
            lines.append("Split exactly: where each signed permutation the noise law allows commutes with the "
                         "mechanisms. Sampled: which of them, and the translations, at exact random points of each stratum.")
        elif all(c.affine_group for c in self.cases if c.resolved):
            lines.append("Proved: the group on each stratum (the invertible maps I + X). Sampled: the number of "
                         "components, at exact random points of each stratum.")
        else:
            lines.append("Sampled: the discrete part (components, order, name), at exact random points of each "
                         "stratum; special values that change only the discrete part are not searched.")
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able summary of the tree (what ``equivid analyze --format json`` prints for it).

        Returns
        -------
        dict
            The keys ``parameters`` (name -> assumptions), ``constraints``, ``ansatz``,
            ``complete``, ``cases`` (one dict each), ``method`` (the linear system and its
            splits) and ``notes``.

        Examples
        --------
        >>> import equivid
        >>> system = equivid.System.from_maps(["z1", "z2"], {"grow": ["a*z1", "z2"]}, parameters=["a"], ansatz="linear")
        >>> summary = equivid.solve_cases(system).to_dict()
        >>> summary["parameters"], summary["complete"], summary["method"]["unknowns"]
        ({'a': 'real'}, True, 4)
        """
        return {
            "parameters": {s.name: describe_parameter(s) for s in self.parameters},
            "constraints": [constraint_text(r) for r in self.system.constraints],
            "ansatz": str(self.ansatz),
            "complete": self.complete,
            "cases": [c.to_dict() for c in self.cases],
            "method": {"unknowns": self.unknowns, "equations": self.equations, "splits": list(self.steps)},
            "notes": list(self.notes),
        }

    def sketch(self) -> str:
        """The derivation of the split, as Markdown.

        Returns
        -------
        str
            Markdown: the linear system, where its rank drops, and each case with its
            Lie algebra, group and samples.

        Examples
        --------
        >>> import equivid
        >>> system = equivid.System.from_maps(["z1", "z2"], {"grow": ["a*z1", "z2"]}, parameters=["a"], ansatz="linear")
        >>> print(equivid.solve_cases(system).sketch().splitlines()[0])
        # Case tree over the parameters
        """
        lines = ["# Case tree over the parameters", "",
                 f"Parameters: {', '.join(f'${sympy.latex(s)}$ ({describe_parameter(s)})' for s in self.parameters)}.",
                 "", "## 1. The linear system", "",
                 f"The Lie algebra condition for {self.ansatz.describe()} is linear in the {self.unknowns} coefficients "
                 f"of a vector field: {self.equations} equations whose coefficients are functions of the parameters.",
                 "", "## 2. Where the rank drops", "",
                 "Gauss-Jordan elimination over the field of functions of the parameters; a pivot that depends on "
                 "them splits the parameter space (nonzero, or one factor zero with the earlier factors nonzero):", ""]
        lines += [f"{k}. {step}" for k, step in enumerate(self.steps, 1)] or ["(no pivot depends on the parameters)"]
        lines += ["", "## 3. The cases", ""]
        for k, case in enumerate(self.cases, 1):
            lines.append(f"### Case {k}: {case.conditions}")
            lines.append("")
            lines.append(f"- dimension {case.dimension} ({case.claims.get('dimension', '')})")
            for stratum, lie, g in zip(case.strata, case.lie_algebras, case.general_elements):
                fields = ", ".join(f"${sympy.latex(sympy.Matrix(X).T)}$" for X in lie) or "none"
                lines.append(f"- on {stratum.text()}: Lie algebra spanned by {fields}; each generator checked by "
                             "substitution on the stratum")
                if g is not None:
                    lines.append(f"  - group: the invertible maps ${sympy.latex(sympy.Matrix(g).T)}$ (checked by "
                                 "substitution: the group condition is linear for affine mechanisms)")
            for sample in case.samples:
                lines.append(f"- at {sample.values_text()}: {sample.group.description}; {sample.group.verdict} "
                             "(solved and verified exactly)")
            lines.append(f"- discrete part: {case.claims.get('discrete', '')}")
            lines.append("")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:  # short: the dataclass repr printed the whole system and every case
        names = ", ".join(p.name for p in self.parameters)
        return (f"<CaseTree over {names}: {len(self.cases)} case{'s' if len(self.cases) != 1 else ''}, "
                f"{'complete' if self.complete else 'not complete'}>")

    def _notebook_rows(self) -> list[tuple[str, str, str]]:
        """(conditions, name or description, the numbers and how they are known) per case."""
        rows = []
        for case in self.to_dict()["cases"]:
            size = f"order {case['order']}" if case.get("order") else f"dimension {case['dimension']}"
            parts = "components not determined" if case["components"] is None else f"{case['components']} components"
            known = "; ".join(f"{k}: {v}" for k, v in case["claims"].items() if k in ("dimension", "discrete"))
            rows.append((str(case["conditions"]), str(case["verdict"]), f"{size}, {parts} ({known})"))
        return rows

    def _repr_markdown_(self) -> str:
        names = ", ".join(p.name for p in self.parameters)
        lines = [f"**Case tree over {names}** ({'complete' if self.complete else 'not complete'}; class searched: "
                 f"{self.ansatz})", ""]
        lines += [f"- **{conditions}**: {verdict}; {numbers}" for conditions, verdict, numbers in self._notebook_rows()]
        return "\n".join(lines) + "\n"

    def _repr_html_(self) -> str:
        from html import escape

        names = ", ".join(p.name for p in self.parameters)
        rows = "".join(f"<tr><td style='text-align:left'>{escape(c)}</td><td style='text-align:left'>{escape(v)}</td>"
                       f"<td style='text-align:left'>{escape(n)}</td></tr>" for c, v, n in self._notebook_rows())
        return (f"<div class='equivid-cases'><p><strong>Case tree over {escape(names)}</strong> "
                f"({'complete' if self.complete else 'not complete'}; class searched: {escape(str(self.ansatz))})</p>"
                f"<table><tr><th>case</th><th>verdict</th><th>numbers</th></tr>{rows}</table></div>")


# -- the entry point --------------------------------------------------------------------------------
def solve_cases(system: System, *, ansatz: str | Ansatz | None = None, samples: int = DEFAULT_SAMPLES,
                rng: int = 0, cross_examine: bool | None = None) -> CaseTree:
    """The group as a case tree over ``system.parameters`` (see the module docstring).

    ``samples`` exact points are solved in each stratum (at least 1); ``rng`` seeds them.
    ``cross_examine`` is passed to :func:`equivid.solve` for every sample; by default (None)
    the first sample of each stratum gets the quick cross-examination and the others none.

    Parameters
    ----------
    system : System
        A system with parameters (``parameters=`` in :meth:`System.from_maps`) and
        continuous latents.
    ansatz : str or Ansatz, optional
        The class searched: ``"linear"``, ``"affine"`` or ``"polynomial:D"``; default
        the spec's ``ansatz:`` key, else ``"affine"``.
    samples : int, default 2
        The number of exact sample points solved in each stratum (at least 1).
    rng : int, default 0
        Seeds the sample points.
    cross_examine : bool, optional
        Passed to :func:`equivid.solve` for every sample (None: the first sample of
        each stratum only, quickly).

    Returns
    -------
    CaseTree
        The cases, covering every allowed parameter value without overlap, the generic
        case first.

    Raises
    ------
    SpecError
        If ``system`` has no parameters, has finite states, or an argument has a bad value.
    UnsupportedMechanismError
        For a learner that knows only a class of mechanisms.

    Examples
    --------
    >>> import equivid
    >>> system = equivid.System.from_maps(["z1", "z2"], {"turn": ["cos(t)*z1 - sin(t)*z2", "sin(t)*z1 + cos(t)*z2"]},
    ...                                   parameters=["t"], ansatz="linear")
    >>> [(case.conditions, case.dimension) for case in equivid.solve_cases(system).cases]
    [('generic (sin(t) != 0)', 2), ('t = 2*pi*k1 (k1 integer) or t = 2*pi*k2 + pi (k2 integer)', 4)]
    """
    from ._api import solve

    if not isinstance(system, System):
        raise SpecError("system", type(system).__name__, "an equivid.System")
    if not system.parameters:
        raise SpecError("parameters", None, "a system with parameters (for one without, use equivid.solve)")
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise SpecError("samples", samples, "a whole number of sample points per stratum, at least 1")
    chosen = Ansatz.parse(ansatz if ansatz is not None else system.ansatz, field="ansatz")
    if chosen.kind == "finite" or system.states:
        raise SpecError("ansatz", str(chosen), "linear, affine or polynomial:D for parameters")
    if system.learner is not None:
        raise UnsupportedMechanismError(
            "learner: a case tree for a learner that knows only a class of mechanisms is not supported; "
            "give the parameters values with --at (system.at(...)), which solves that case as usual")
    leaves, basis, equations, splitter, candidates = _eliminate(system, chosen)
    generator = random.Random(rng)
    affine = _affine_without_noise(system) and chosen.kind in ("linear", "affine")
    solved = []
    bar = Bar(len(leaves), "strata", unit="stratum")
    for leaf in leaves:
        bar.update(1)
        lie = _lie_fields(leaf, basis, system)
        general = _general_element(lie, system) if affine and leaf.stratum.resolved else None
        if leaf.stratum.resolved:
            _check_leaf(leaf.stratum, lie, general, system)
        points: list[Sample] = []
        for k in range(samples if leaf.stratum.resolved else 0):
            values = leaf.stratum.sample(generator, pattern=(2 ** len(leaf.stratum.free) - 1) * (k % 2) + k // 2)
            if values is None or any(values == p.values for p in points):
                break  # a point stratum has one sample
            examine = cross_examine if cross_examine is not None or k == 0 else False  # default: the first sample
            group = solve(system.at(values), ansatz=chosen, cross_examine=examine)
            found = len(group.lie_algebra) if chosen.kind == "polynomial" else group.dimension
            if found != len(lie):
                raise VerificationError(
                    f"the elimination over the parameters gives a Lie algebra of dimension {len(lie)} on "
                    f"{leaf.stratum.text()}, the exact solve at {values} gives {found}")
            points.append(Sample(values, group))
        solved.append((leaf, lie, general, points))
    bar.close()
    cases = _merge(solved, affine, candidates, chosen.kind == "polynomial")
    notes = []
    if any(not c.resolved for c in cases):
        notes.append("a stratum whose equation could not be solved for a parameter is listed as not determined: "
                     "give values on it with --at")
    return CaseTree(system, chosen, tuple(cases), tuple(splitter.steps), len(basis), equations, tuple(notes))


def strata(system: System, ansatz: str | Ansatz | None = None) -> list[Stratum]:
    """The strata of the case tree (the comprehensive elimination only, no solving): they
    partition the allowed parameter values, the dimension constant on each.

    Examples
    --------
    >>> import equivid
    >>> system = equivid.System.from_maps(["z1", "z2"], {"grow": ["a*z1", "b*z2"]}, parameters=["a", "b"])
    >>> [s.text() for s in strata(system, "linear")]
    ['generic (a - b != 0)', 'a = b']
    """
    chosen = Ansatz.parse(ansatz if ansatz is not None else system.ansatz, field="ansatz")
    return [leaf.stratum for leaf in _eliminate(system, chosen)[0]]


def _eliminate(system: System, ansatz: Ansatz) -> tuple[list[_Leaf], list[tuple[int, sympy.Expr]], int, _Splitter, int]:
    """The leaves of the comprehensive elimination (split by the noise law's candidates where
    it has finitely many), the basis fields, the number of equations, the splitter (its
    steps) and the number of candidates."""
    rows, basis = _rows(system, ansatz)
    splitter = _Splitter(system, len(basis))
    leaves = splitter.run(rows, _start(system))
    candidates = _noise_candidates(system)
    if candidates:
        leaves = _split_by_candidates(leaves, candidates, system, splitter)
    return leaves, basis, len(rows), splitter, len(candidates)


def _start(system: System) -> Stratum:
    """All the values the constraints allow (``!=`` constraints as inequations)."""
    return Stratum(system.parameters, relations=tuple(r for r in system.constraints if not isinstance(r, sympy.Ne)),
                   inequations=tuple(r.lhs - r.rhs for r in system.constraints if isinstance(r, sympy.Ne)))


# -- the finite candidates of a non-Gaussian noise law ---------------------------------------------
def _linear_part(m: Mechanism, system: System) -> sympy.Matrix | None:
    """``A`` of an affine mechanism ``A z + c`` (entries may hold parameters); None otherwise."""
    gens = system.latents
    if not all(c.is_polynomial(*gens) and sympy.Poly(c, *gens).total_degree() <= 1 for c in m.components):
        return None
    return sympy.Matrix([[sympy.diff(c, z) for z in gens] for c in m.components])


def _noise_candidates(system: System) -> list[sympy.Matrix]:
    """The linear parts a non-Gaussian noise law allows (signed, possibly scaled, permutations),
    when every noisy mechanism's law is free of parameters and has no Gaussian coordinates, and
    every mechanism is affine; otherwise none (the discrete part is then only sampled)."""
    from .solve._noise import noise_law

    noisy = [m for m in system.mechanisms if m.noise is not None]
    if not noisy or any(_linear_part(m, system) is None or m.is_flow for m in system.mechanisms):
        return []
    names = {s.name for s in system.parameters}
    out: list[sympy.Matrix] | None = None
    for m in noisy:
        if any(isinstance(v, str) and names & set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", v)) for _, v in m.noise or ()):
            return []
        if any(not isinstance(v, (str, int, float)) for _, v in m.noise or ()):
            return []
        law = noise_law(m, system.n)
        if law.gauss or len(law.others) != system.n:
            return []
        choices = [M for M in law.finite_choices() if M != sympy.eye(system.n)]
        out = choices if out is None else [M for M in out if M in choices]
    return out or []


def _split_by_candidates(leaves: list[_Leaf], candidates: Sequence[sympy.Matrix], system: System,
                         splitter: _Splitter) -> list[_Leaf]:
    """Each leaf split where each candidate ``P`` commutes with every mechanism's linear part
    (``P A(p) = A(p) P``: polynomial equations in the parameters), disjointly."""
    parts = [A for A in (_linear_part(m, system) for m in system.mechanisms) if A is not None]
    out = []
    for leaf in leaves:
        pieces = [leaf.stratum]
        for P in candidates:
            polys = [e for A in parts for e in (P * A - A * P)]
            refined = []
            for piece in pieces:
                refined += _split_by(piece, polys, splitter) if piece.resolved else [piece]
            if len(refined) > len(pieces):
                splitter.steps.append(f"on {leaf.stratum.text()}: the noise's candidate linear part {P.tolist()} "
                                      "commutes with the mechanisms' linear parts exactly on some of "
                                      + "; ".join(r.text() for r in refined))
            pieces = refined
        for piece in pieces:
            out.append(_Leaf(piece, _substituted(leaf.rows, piece.subs) if piece.resolved else [], list(leaf.pivots)
                             if piece.resolved else [], leaf.width))
    return out


def _split_by(stratum: Stratum, polys: Sequence[sympy.Expr], splitter: _Splitter) -> list[Stratum]:
    """``stratum`` cut into disjoint pieces: where the first nonzero ``polys[k]`` is the first not to vanish,
    and where all vanish."""
    live = [g for g in (_simplify(stratum.on(g)) for g in polys) if not _zero(g)]
    if not live:
        return [stratum]
    if any(not g.free_symbols for g in live):
        return [stratum]  # a nonzero constant: the candidate never commutes here
    g, rest = live[0], live[1:]
    factors = _factors(g)
    out = []
    nonzero = _with_nonzero(stratum, factors)
    if nonzero is not None:
        out.append(nonzero)
    for k, f in enumerate(factors):
        for piece in splitter._with_zero(stratum, f, factors[:k]):
            out += _split_by(piece, rest, splitter) if piece.resolved else [piece]
    return out


def _affine_without_noise(system: System) -> bool:
    gens = system.latents
    return all(m.noise is None and all(c.is_polynomial(*gens) and sympy.Poly(c, *gens).total_degree() <= 1
                                       for c in m.components) for m in system.mechanisms) and not system.families


def _lie_fields(leaf: _Leaf, basis: Sequence[tuple[int, sympy.Expr]], system: System) -> tuple[Map, ...]:
    fields = []
    for vector in leaf.kernel():
        X = [sympy.Integer(0)] * system.n
        for coefficient, (i, mono) in zip(vector, basis):
            if coefficient != 0:
                X[i] += coefficient * mono
        fields.append(tuple(sympy.cancel(x) if not x.has(sympy.Function) else x for x in X))
    return tuple(fields)


def _general_element(lie: Sequence[Map], system: System) -> Map:
    """``z + sum_i c_i X_i(z)``: the group on the stratum for affine mechanisms without noise."""
    cs = sympy.symbols(f"c1:{len(lie) + 1}") if lie else ()
    return tuple(z + sum((c * X[k] for c, X in zip(cs, lie)), sympy.Integer(0)) for k, z in enumerate(system.latents))


def _check_leaf(stratum: Stratum, lie: Sequence[Map], general: Map | None, system: System) -> None:
    """Every generator (and the general element) by substitution on the stratum."""
    on = [_on_stratum(m, stratum) for m in system.mechanisms]
    for X in lie:
        for m in on:
            if not all(is_zero(r) for r in lie_residual(X, m, system.latents)):
                raise VerificationError(f"a generator of the Lie algebra on {stratum.text()} fails the condition of "
                                        f"mechanism {m.name}: {X}")
        for m in system.mechanisms:
            if m.noise is not None and not _preserves_noise(X, m, system, stratum):
                raise VerificationError(f"a generator on {stratum.text()} does not preserve the noise of {m.name}: {X}")
    if general is not None:
        for m in on:
            if not all(is_zero(r) for r in group_residual(general, m, system.latents)):
                raise VerificationError(f"the general element on {stratum.text()} does not commute with {m.name}")


def _on_stratum(m: Mechanism, stratum: Stratum) -> Mechanism:
    """A mechanism restricted to a stratum (its parametrisation substituted)."""
    return replace(m, components=tuple(stratum.on(c) for c in m.components))


def _preserves_noise(X: Map, m: Mechanism, system: System, stratum: Stratum) -> bool:
    n = system.n
    B = sympy.Matrix(n, n, lambda i, j: sympy.diff(X[i], system.latents[j]))
    law = noise_at(dict(m.noise or ()), stratum.subs, system.parameters, "noise") if stratum.substitution else dict(m.noise or ())
    gaussian, cov = _gaussian_part(law, n, system.parameters + stratum.indices, f"mechanisms.{m.name}.noise")
    for i in range(n):
        for j in range(n):
            if (i not in gaussian or j not in gaussian) and not is_zero(B[i, j]):
                return False
    G = list(gaussian)
    BG = B.extract(G, G)
    return all(is_zero(e) for e in BG * cov + cov * BG.T)


def _merge(solved: Sequence[tuple[_Leaf, tuple[Map, ...], Map | None, list[Sample]]], affine: bool,
           candidates: int = 0, polynomial: bool = False) -> list[Case]:
    """Leaves with the same sampled answer become one case; the generic case first."""
    groups: dict[Any, list[tuple[_Leaf, tuple[Map, ...], Map | None, list[Sample]]]] = {}
    for item in solved:
        leaf, lie, _, points = item
        summaries = {repr(p.summary) for p in points}
        key: Any = (len(lie), summaries.pop()) if len(summaries) == 1 and leaf.stratum.resolved else ("single", id(leaf))
        groups.setdefault(key, []).append(item)
    cases = []
    for items in groups.values():
        points = [p for _, _, _, ps in items for p in ps]
        varies = len({repr(p.summary) for p in points}) > 1
        claims = {
            "strata": "exact: the rank of the linear system is constant on each (pivots nonzero, factors zero)",
            "dimension": (PROVED if not polynomial else "at the sample points: the family of maps of degree <= D "
                          "can be smaller than the Lie algebra L_D (proved on the stratum), which bounds it"),
            "lie_algebra": PROVED + " (every generator checked by substitution over the parameters)",
            "group": (PROVED + " for the identity component's family (I + X, checked by substitution)" if affine
                      else "at the sample points"),
            "discrete": (VARIES if varies else COUNTED if affine
                         else CANDIDATES.format(count=candidates) if candidates else SAMPLED),
        }
        dims = {p.group.dimension for p in points}
        dimension = len(items[0][1]) if not polynomial else (dims.pop() if len(dims) == 1 else None)
        cases.append(Case(tuple(i[0].stratum for i in items), dimension, tuple(i[1] for i in items),
                          tuple(i[2] for i in items), tuple(points), claims))
    cases.sort(key=lambda c: (not c.generic, len(c.strata[0].equations), c.conditions))
    return cases
