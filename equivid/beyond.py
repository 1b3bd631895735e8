"""Beyond the searched class: what every learner can do, and theorems that make an answer
complete among all smooth maps.

An answer "identifiable up to G within affine maps" says nothing about a learner whose
error ``f∘g`` is not affine. This module states what is known outside the class
(docs/theory.md#beyond-the-searched-class):

- :func:`first_integrals`: functions ``I`` with ``grad I . V = 0`` for every flow and
  ``I∘m = I`` for every map, found exactly over a basis of monomials, the logarithms of
  latents that divide their own velocity (Lotka–Volterra, SIR) and the mechanisms' own
  functions (``sin``, ``cos``, ``exp``, ``sinh``, ``cosh`` of their arguments), then each
  proved by substitution;
- :func:`outside_class`: maps that always commute although the class does not hold them:
  a mechanism that commutes with every mechanism (a map with its iterates, a flow with its
  time-t maps) and, for such a flow ``V`` and the joint first integrals ``I``, the flow of
  ``f(H)·V`` for every smooth ``f`` (checked symbolically with ``f`` an undetermined
  function);
- :func:`completion`: the largest class in which the answer is proved complete, with the
  theorem and its checked hypotheses: a family of translations spanning R^n (all
  continuous maps), a linear or affine contraction or expansion among the maps, or a sink or
  source among the linear or affine flows (all C^(N+1) maps, N computed from the
  eigenvalue moduli), finite state sets (all bijections); otherwise the searched class.

Recoverable properties are decided by :func:`changed_by`: a property is recoverable only
if no element known to lie in the group changes it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import mpmath
import sympy
from sympy.polys.polyutils import parallel_dict_from_expr

from . import linalg
from .ansatz import Ansatz, map_in_class, monomials
from .errors import SpecError, UnsupportedMechanismError
from .mechanisms import Mechanism, System
from .solve._verify import commutes, is_zero, jacobian, triangular_bijection

__all__ = [
    "FirstIntegrals",
    "OutsideElement",
    "Completion",
    "Recoverable",
    "first_integrals",
    "outside_class",
    "undecided_iterates",
    "completion",
    "changed_by",
    "verify_outside",
    "integral_residuals",
    "spanning_translations",
    "BASIS_LIMIT",
]

Map = tuple[sympy.Expr, ...]

#: The most basis functions a first-integral search uses; the degree is lowered to fit.
BASIS_LIMIT = 120
#: The most latents for which the contraction theorem's eigenvalues are isolated exactly.
THEOREM_LATENTS = 12
_PAIRED = {sympy.sin: (sympy.sin, sympy.cos), sympy.cos: (sympy.sin, sympy.cos),
           sympy.sinh: (sympy.sinh, sympy.cosh), sympy.cosh: (sympy.sinh, sympy.cosh), sympy.exp: (sympy.exp,)}


class FirstIntegrals(tuple):  # type: ignore[type-arg]
    """Functionally independent first integrals (a tuple of sympy expressions), each proved;
    ``searched`` says over which functions, ``degree`` the monomial degree used."""

    searched: str
    degree: int

    def __new__(cls, items: Sequence[sympy.Expr], searched: str = "", degree: int = 0) -> FirstIntegrals:
        out = super().__new__(cls, tuple(items))
        out.searched = searched
        out.degree = degree
        return out


@dataclass(frozen=True)
class OutsideElement:
    """Maps that lie in the equivariance group, outside the searched class.

    ``kind`` is ``"iterates"`` (the powers of the map ``map``), ``"flow"`` (the time-t maps of
    the vector field ``field``) or ``"flow of f(H) V"`` (the time-t maps of ``field``, which
    holds the undetermined function ``f`` of the first integrals ``integrals``).
    ``checked`` says what was verified exactly."""

    kind: str
    mechanism: str
    description: str
    checked: str
    map: Map | None = None
    field: Map | None = None
    integrals: tuple[sympy.Expr, ...] = ()
    dimension: str = "1"
    domain: str = "R^n"
    why: str = ""

    @property
    def label(self) -> str:
        """A short name: "the flow of lv", "the flows of f(H)·lv", "the powers of m"."""
        return {"iterates": f"the powers of {self.mechanism}", "flow": f"the flow of {self.mechanism}"}.get(
            self.kind, f"the flows of f(H)·{self.mechanism}")

    @property
    def everywhere(self) -> bool:
        """Whether the element is defined on all of R^n (no logarithm restricts it)."""
        return self.domain == "R^n"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": self.label,
            "mechanism": self.mechanism,
            "description": self.description,
            "map": None if self.map is None else [str(e) for e in self.map],
            "field": None if self.field is None else [str(e) for e in self.field],
            "integrals": [str(e) for e in self.integrals],
            "dimension": self.dimension,
            "domain": self.domain,
            "checked": self.checked,
        }


@dataclass(frozen=True)
class Completion:
    """The largest class in which an answer is proved complete (``within``: ``"continuous"``,
    ``"C^inf"``, ``"all bijections"``, the searched class's name, or None when the answer is
    a lower bound even there), the theorem used and why."""

    within: str | None
    reason: str
    theorem: str | None = None
    hypotheses: tuple[str, ...] = field(default=())
    #: Where a theorem applies but the searched class is too small for it: which class would do.
    hint: str | None = None

    @property
    def beyond_class(self) -> bool:
        """Whether the answer is complete in a class larger than the one searched."""
        return self.theorem is not None


@dataclass(frozen=True)
class Recoverable:
    """What a learner recovers, as far as is known: ``properties`` (invariants of the group
    found, unchanged by every element known outside the class), ``excluded`` (invariants of
    the class's answer that an element outside the class changes, with those elements),
    ``candidates`` (first integrals invariant under the group found: where a commuting flow
    lies in the group, every recoverable property is a first integral of it) and ``scope``:
    the class among whose maps the statement is complete (``"C^inf"``, ``"continuous"``,
    ``"all bijections"``), or None: recoverable within the searched class only."""

    properties: tuple[sympy.Expr, ...]
    excluded: tuple[tuple[sympy.Expr, tuple[str, ...]], ...]
    candidates: tuple[sympy.Expr, ...]
    scope: str | None
    outside_known: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "properties": [str(e) for e in self.properties],
            "scope": self.scope or "within the searched class",
            "excluded": [{"property": str(p), "changed_by": list(by)} for p, by in self.excluded],
            "candidates": [str(e) for e in self.candidates],
        }


# -- first integrals ---------------------------------------------------------------------
def _own_functions(system: System) -> list[sympy.Expr]:
    """The mechanisms' non-polynomial functions of the latents, with their partners (sin with cos)."""
    latents = set(system.latents)
    found: dict[str, sympy.Expr] = {}
    for m in system.mechanisms:
        for e in m.components:
            for atom in sympy.sympify(e).atoms(*_PAIRED):
                if not atom.free_symbols or not atom.free_symbols <= latents:
                    continue
                for func in _PAIRED[type(atom)]:
                    g = func(atom.args[0])
                    found.setdefault(sympy.srepr(g), g)
    return sorted(found.values(), key=sympy.default_sort_key)


def _logarithms(system: System) -> list[sympy.Expr]:
    """``log z_i`` for the latents that divide their own velocity in every flow (z_i' = z_i h)."""
    if system.maps or not system.flows:
        return []
    out = []
    for i, z in enumerate(system.latents):
        if all(sympy.sympify(f.components[i]) != 0 and sympy.cancel(f.components[i] / z).is_polynomial(*system.latents)
               for f in system.flows):
            out.append(sympy.log(z))
    return out


def integral_residuals(b: sympy.Expr, system: System) -> list[sympy.Expr]:
    """What must vanish for ``b`` to be a first integral: ``V(b)`` per flow, ``b∘m - b`` per map."""
    latents = system.latents
    out = []
    for m in system.mechanisms:
        if m.is_flow:
            out.append(sympy.expand(sum((sympy.diff(b, z) * v for z, v in zip(latents, m.components)), sympy.Integer(0))))
        else:
            out.append(sympy.expand(b.xreplace(dict(zip(latents, m.components))) - b))
    return out


def _usable(system: System) -> bool:
    return bool(system.mechanisms) and all(
        m.table is None and m.kernel is None and m.noise is None for m in system.mechanisms)


def first_integrals(system: System, *, degree: int = 2) -> FirstIntegrals:
    """First integrals of the flows and invariant functions of the maps, jointly:
    ``grad I . V = 0`` for every flow ``V`` and ``I∘m = I`` for every map ``m`` (for every
    value of the family symbols), without constant term.

    ``I`` is searched as a combination with rational coefficients of the monomials of degree
    1..``degree``, the logarithms of the latents that divide their own velocity, and the
    mechanisms' own functions (``sin``/``cos``, ``sinh``/``cosh``, ``exp`` of their
    arguments). The conditions are compared coefficient by coefficient, treating every
    function as an independent variable (a sufficient condition: a relation such as
    ``sin^2 + cos^2 = 1`` may be missed, never invented); every integral is then proved by
    substitution, and only functionally independent ones are kept (the others are functions
    of them on an open set). An empty answer means none was found in that basis.

    Examples
    --------
    >>> import equivid
    >>> lv = equivid.System.from_maps(["x", "y"], flows={"lv": ["x*(2 - y)", "y*(x - 3)"]})
    >>> first_integrals(lv)
    (x + y - 3*log(x) - 2*log(y),)
    >>> pendulum = equivid.System.from_maps(["theta", "omega"], flows={"swing": ["omega", "-sin(theta)"]})
    >>> first_integrals(pendulum)
    (omega**2 - 2*cos(theta),)
    >>> first_integrals(equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]}))
    ()
    """
    if not isinstance(system, System):
        raise SpecError("system", type(system).__name__, "an equivid.System")
    if isinstance(degree, bool) or not isinstance(degree, int) or degree < 1:
        raise SpecError("degree", degree, "an integer >= 1")
    if not _usable(system):
        raise UnsupportedMechanismError(
            "first integrals need exactly known mechanisms on continuous latents (no noise, no state tables)")
    latents = system.latents
    extra = _logarithms(system) + _own_functions(system)
    while degree > 1 and len(monomials(latents, degree, constant=False)) + len(extra) > BASIS_LIMIT:
        degree -= 1
    basis = monomials(latents, degree, constant=False) + extra
    if len(basis) > BASIS_LIMIT:
        basis = basis[:BASIS_LIMIT]
    searched = f"monomials of degree 1..{degree}" + (f", {', '.join(str(e) for e in extra)}" if extra else "")
    kernel = _kernel(basis, system)
    candidates = [_primitive(v, basis) for v in kernel]
    proved = [g for g in candidates if all(is_zero(r) for r in integral_residuals(g, system))]
    return FirstIntegrals(_independent(sorted(proved, key=_simplicity), latents), searched, degree)


def _kernel(basis: list[sympy.Expr], system: System) -> list[list[sympy.Expr]]:
    """Coefficient vectors ``c`` with ``sum c_b residual(b) = 0`` identically, every
    function treated as an independent variable."""
    residuals = [integral_residuals(b, system) for b in basis]
    rows: dict[tuple[int, tuple[int, ...]], list[sympy.Expr]] = {}
    for k in range(len(system.mechanisms)):
        exprs = [residuals[j][k] for j in range(len(basis))]
        try:
            dicts, _ = parallel_dict_from_expr(exprs)
        except sympy.PolynomialError:
            return []
        for j, d in enumerate(dicts):
            for monom, coeff in d.items():
                rows.setdefault((k, monom), [sympy.Integer(0)] * len(basis))[j] = coeff
    if not rows:
        return [[sympy.Integer(int(i == j)) for i in range(len(basis))] for j in range(len(basis))]
    return linalg.nullspace(linalg.as_domain_matrix(list(rows.values())))


def _primitive(vector: list[sympy.Expr], basis: list[sympy.Expr]) -> sympy.Expr:
    values = [sympy.nsimplify(c) if isinstance(c, sympy.Float) else sympy.sympify(c) for c in vector]
    denominators = [sympy.fraction(sympy.together(c))[1] for c in values if c != 0]
    scale = sympy.Integer(math.lcm(*[int(d) for d in denominators])) if all(
        d.is_Integer for d in denominators) else sympy.Integer(1)
    values = [c * scale for c in values]
    if all(c.is_Integer for c in values):
        g = math.gcd(*[int(c) for c in values if c != 0])
        values = [c / g for c in values]
    lead = next(c for c in values if c != 0)
    if lead.is_number and lead.is_negative:
        values = [-c for c in values]
    return sympy.Add(*[c * b for c, b in zip(values, basis)])


def domain_of(exprs: Sequence[sympy.Expr]) -> str:
    """Where expressions with logarithms of latents are defined: ``"R^n"`` or ``"x > 0, y > 0"``."""
    logs = sorted({a.args[0] for e in exprs for a in sympy.sympify(e).atoms(sympy.log)}, key=sympy.default_sort_key)
    return ", ".join(f"{u} > 0" for u in logs) if logs else "R^n"


def _simplicity(expr: sympy.Expr) -> tuple[int, int, int]:
    functions = len(expr.atoms(sympy.Function))
    try:
        polynomial_degree = sympy.Poly(expr.replace(lambda e: isinstance(e, sympy.Function), lambda e: 0)).total_degree()
    except (sympy.PolynomialError, sympy.GeneratorsNeeded):
        polynomial_degree = 0
    return (polynomial_degree + functions, functions, len(str(expr)))


def _gradient_at(expr: sympy.Expr, latents: Sequence[sympy.Symbol], point: dict[sympy.Symbol, Any]) -> list[Any]:
    with mpmath.workdps(30):
        return [mpmath.mpf(sympy.N(sympy.diff(expr, z).xreplace(point), 30)) for z in latents]


def _independent(integrals: list[sympy.Expr], latents: Sequence[sympy.Symbol]) -> list[sympy.Expr]:
    """Keep an integral only if its gradient is independent of those kept, at two random
    points of (1/2, 2)^n (positive, for the logarithms); the others are functions of them."""
    rng = random.Random(20261202)
    points = [{z: sympy.Rational(rng.randint(50, 200), 100) for z in latents} for _ in range(2)]
    kept: list[sympy.Expr] = []
    gradients: list[list[list[Any]]] = [[] for _ in points]
    for g in integrals:
        trial = [rows + [_gradient_at(g, latents, p)] for rows, p in zip(gradients, points)]
        if any(_mp_rank(rows) > len(kept) for rows in trial):
            kept.append(g)
            gradients = trial
    return kept


def _mp_rank(rows: list[list[Any]]) -> int:
    with mpmath.workdps(30):
        singular = mpmath.svd_r(mpmath.matrix(rows), compute_uv=False)
        values = [abs(s) for s in singular]
        top = max(values) if values else 0
        return sum(1 for s in values if top and s > top * mpmath.mpf("1e-20"))


# -- elements outside the class ----------------------------------------------------------
def _undetermined(X: Sequence[sympy.Expr]) -> tuple[list[sympy.Expr], Any, list[sympy.Expr], list[Any]]:
    """``X`` with its undetermined function ``f(H_1..H_k)`` (at most one) replaced by a symbol
    ``F``, the arguments ``H``, and symbols ``F_k`` standing for the partial derivatives of f."""
    from sympy.core.function import AppliedUndef

    applied = sorted(set().union(*(sympy.sympify(e).atoms(AppliedUndef) for e in X)), key=sympy.default_sort_key)
    if not applied:
        return [sympy.sympify(e) for e in X], None, [], []
    if len(applied) > 1:
        raise ValueError("one undetermined function at most")
    app = applied[0]
    F = sympy.Dummy("F")
    partials = [sympy.Dummy(f"F{k + 1}") for k in range(len(app.args))]
    return [sympy.sympify(e).xreplace({app: F}) for e in X], (app, F), list(app.args), partials


def _jacobian(X: Sequence[sympy.Expr], latents: Sequence[sympy.Symbol]) -> tuple[list[sympy.Expr], sympy.Matrix, Any]:
    """``X`` and its Jacobian, by the chain rule when ``X`` holds an undetermined ``f(H)``:
    ``d f(H) / dz_j = sum_k F_k dH_k / dz_j`` with ``F_k`` independent symbols (exact for every f)."""
    plain, app, args, partials = _undetermined(X)
    J = jacobian(plain, latents)
    if app is not None:
        F = app[1]
        for i, e in enumerate(plain):
            dF = sympy.diff(e, F)
            if dF != 0:
                for j, z in enumerate(latents):
                    J[i, j] += dF * sum((Fk * sympy.diff(H, z) for Fk, H in zip(partials, args)), sympy.Integer(0))
    return plain, J, app


def _bracket(X: Sequence[sympy.Expr], W: Sequence[sympy.Expr], latents: Sequence[sympy.Symbol]) -> list[sympy.Expr]:
    """The Lie bracket ``[X, W] = DW·X - DX·W`` (``W`` a mechanism field, ``X`` possibly holding ``f(H)``)."""
    plain, DX, _ = _jacobian(X, latents)
    DW = jacobian(W, latents)
    return list(DW * sympy.Matrix(plain) - DX * sympy.Matrix(list(W)))


def _preserves(m: Mechanism, X: Sequence[sympy.Expr], latents: Sequence[sympy.Symbol]) -> list[sympy.Expr] | None:
    """What vanishes when the map ``m`` carries the field ``X`` to itself: ``Dm·X - X∘m``;
    None when ``X`` holds ``f(H)`` and ``H∘m = H`` is not proved (then f(H∘m) is not f(H))."""
    plain, app, args, _ = _undetermined(X)
    at = dict(zip(latents, m.components))
    if app is not None and not all(is_zero(sympy.sympify(H).xreplace(at) - H) for H in args):
        return None
    Dm = jacobian(m.components, latents)
    moved = [e.xreplace(at) for e in plain]  # F∘m = f(H∘m) = f(H) = F where f(H) occurs, proved above
    return list(Dm * sympy.Matrix(plain) - sympy.Matrix(moved))


def _field_commutes(X: Sequence[sympy.Expr], system: System, skip: str | None = None) -> bool:
    """Whether the flow of ``X`` commutes with every mechanism: ``[X, W] = 0`` for every
    flow, ``m_* X = X`` for every map (the flow of ``V`` itself trivially commutes with ``V``)."""
    for m in system.mechanisms:
        if m.name == skip:
            continue
        residual = _bracket(X, m.components, system.latents) if m.is_flow else _preserves(m, X, system.latents)
        if residual is None or not all(is_zero(r) for r in residual):
            return False
    return True


def verify_outside(element: OutsideElement, system: System) -> bool:
    """Check exactly that ``element`` lies in the equivariance group: iterates of a
    bijection that commutes with every mechanism; a flow whose field commutes with every
    mechanism field and is carried to itself by every map (``f`` undetermined)."""
    if element.kind == "iterates":
        return element.map is not None and commutes(element.map, system)
    if element.field is None:
        return False
    return _field_commutes(element.field, system)


def _iterates(system: System, ansatz: Ansatz) -> list[OutsideElement]:
    """Map mechanisms outside the class that commute with every mechanism and are bijections."""
    from .solve._polynomial import polynomial_inverse

    found = []
    for m in system.maps:
        if map_in_class(m.components, system.latents, ansatz):
            continue
        if triangular_bijection(m.components, system.latents):
            why = "triangular with constant non-zero diagonal"
        elif all(c.is_polynomial(*system.latents) for c in m.components):
            det = sympy.expand(jacobian(m.components, system.latents).det())
            if det.free_symbols or det == 0 or polynomial_inverse(m.components, system.latents) is None:
                continue
            why = "a polynomial automorphism"
        else:
            continue
        element = OutsideElement(
            "iterates", m.name, f"the powers of the mechanism {m.name}, a cyclic group ({why})",
            f"the mechanism {m.name} commutes with every mechanism, by substitution", map=tuple(m.components),
            dimension="0", why=why)
        if verify_outside(element, system):
            found.append(element)
    return found


def undecided_iterates(system: System, ansatz: Ansatz, known: Sequence[OutsideElement] | None = None
                       ) -> tuple[OutsideElement, ...]:
    """Map mechanisms outside the class that commute with every mechanism but are not proved
    bijections (nor proved not to be): ``(z1**5, z2**5)`` is one, its inverse not polynomial.
    Each may lie in the group, so :meth:`EquivarianceGroup.recoverable` calls nothing
    recoverable that one of them changes; they are not listed as elements of the group.
    ``known``: the elements :func:`outside_class` found (the proved iterates are not searched again).

    Examples
    --------
    >>> import equivid
    >>> odd = equivid.System.from_maps(["z1", "z2"], {"m": ["z1**5", "z2**5"]})
    >>> [e.mechanism for e in undecided_iterates(odd, equivid.Ansatz("affine"))]
    ['m']
    """
    if not _usable(system) or system.families:
        return ()
    proved = {e.mechanism for e in (_iterates(system, ansatz) if known is None else known) if e.kind == "iterates"}
    out = []
    for m in system.maps:
        if m.name in proved or map_in_class(m.components, system.latents, ansatz):
            continue
        element = OutsideElement(
            "iterates", m.name, f"the powers of the mechanism {m.name}, if it is a bijection (not decided)",
            f"the mechanism {m.name} commutes with every mechanism, by substitution; whether it is a bijection "
            "was not decided", map=tuple(m.components), dimension="0", why="bijectivity not decided")
        if verify_outside(element, system):
            out.append(element)
    return tuple(out)


def _affine(components: Sequence[sympy.Expr], latents: Sequence[sympy.Symbol], linear: bool) -> bool:
    kind = Ansatz("linear" if linear else "affine")
    return map_in_class(components, latents, kind)


def outside_class(system: System, ansatz: Ansatz, integrals: Sequence[sympy.Expr] | None = None,
                  *, degree: int = 2) -> tuple[OutsideElement, ...]:
    """Elements of the equivariance group outside the class ``ansatz``, each verified.

    The powers of a map mechanism outside the class that commutes with every mechanism; the
    time-t maps of a flow mechanism that commutes with every mechanism and is not in the
    class's Lie algebra by construction (not affine, or not linear for a linear class); for
    every such flow ``V`` (affine ones included) and the joint first integrals ``I``
    (``integrals``, default :func:`first_integrals` at ``degree``), the time-t maps of
    ``f(H)·V`` for every smooth ``f``: ``[f(H)V, W] = f(H)[V, W] - f'(H) W(H) V = 0``.
    Flows are local: their maps are defined where the solutions exist (on all of R^n when
    the flow is complete, else on an invariant region).

    Examples
    --------
    >>> import equivid
    >>> lv = equivid.System.from_maps(["x", "y"], flows={"lv": ["x*(2 - y)", "y*(x - 3)"]})
    >>> [(e.label, e.domain) for e in outside_class(lv, equivid.Ansatz("affine"))]
    [('the flow of lv', 'R^n'), ('the flows of f(H)·lv', 'x > 0, y > 0')]
    """
    if not _usable(system) or system.families:
        return ()
    latents = system.latents
    found = _iterates(system, ansatz)
    commuting = [V for V in system.flows if _field_commutes(V.components, system, skip=V.name)]
    if commuting and integrals is None:
        integrals = first_integrals(system, degree=degree)
    integrals = tuple(integrals or ())
    # the time-t maps of a linear (affine) flow are linear (affine) maps: in the class, and in
    # polynomial classes too (affine maps are polynomial of degree 1)
    in_class_flow = {"linear": True, "affine": False, "polynomial": False}.get(ansatz.kind)
    for V in commuting:
        affine = in_class_flow is not None and _affine(V.components, latents, linear=in_class_flow)
        if not affine:
            scope = "" if ansatz.kind != "polynomial" else " (in the class only if those maps are polynomial)"
            found.append(OutsideElement(
                "flow", V.name, f"the time-t maps of the flow {V.name}, where defined (it commutes with every mechanism){scope}",
                "[V, W] = 0 for every flow W and m_* V = V for every map m, by substitution",
                field=tuple(V.components)))
        if integrals:
            f = sympy.Function("f")
            X = tuple(f(*integrals) * v for v in V.components)
            names = ", ".join(f"H{k + 1} = {g}" for k, g in enumerate(integrals)) if len(integrals) > 1 else f"H = {integrals[0]}"
            domain = domain_of(integrals)
            where = "" if domain == "R^n" else f", on {domain}"
            element = OutsideElement(
                "flow of f(H) V", V.name,
                f"the time-t maps of f(H)·{V.name} for every smooth f of {names}{where}",
                "[f(H)V, W] = 0 for every flow W and m_* (f(H)V) = f(H)V for every map m, with f an undetermined "
                "function, by substitution", field=X, integrals=integrals, dimension="infinite", domain=domain)
            if verify_outside(element, system):
                found.append(element)
    return tuple(e for e in found if e.kind == "iterates" or e.field is not None)


def changed_by(phi: sympy.Expr, elements: Sequence[OutsideElement], latents: Sequence[sympy.Symbol]) -> list[str]:
    """The elements (by label) that change the property ``phi``: ``X(phi) != 0`` for a
    flow's field, ``phi∘m != phi`` for iterates. A property not proved unchanged counts as
    changed (so that nothing is called recoverable without proof)."""
    out = []
    for e in elements:
        if e.kind == "iterates" and e.map is not None:
            residual = sympy.sympify(phi).xreplace(dict(zip(latents, e.map))) - phi
        elif e.field is not None:
            residual = sum((sympy.diff(phi, z) * x for z, x in zip(latents, e.field)), sympy.Integer(0))
        else:  # pragma: no cover - an element always carries a map or a field
            continue
        if not is_zero(residual):
            out.append(e.label)
    return out


# -- theorems that make an answer complete beyond the class ------------------------------
def spanning_translations(system: System) -> bool:
    """The mechanisms include a family of translations spanning R^n."""
    from .solve._forms import affine_forms

    if not system.families:
        return False
    forms = affine_forms(system) or []
    moves = [
        s.b
        for f in forms
        for s in f.slices
        if not s.is_constant and s.A.is_zero_matrix and not s.b.is_zero_matrix
    ]
    return bool(moves) and sympy.Matrix.hstack(*moves).rank() == system.n


def _root_boxes(A: sympy.Matrix) -> list[tuple[sympy.Rational, sympy.Rational, sympy.Rational, sympy.Rational]] | None:
    """Isolating boxes ``(re_lo, re_hi, im_lo, im_hi)`` of the eigenvalues of a rational
    matrix, exact (sympy's root isolation), or None when the entries are not rational."""
    if not all(e.is_Rational for e in A):
        return None
    poly = A.charpoly().set_domain(sympy.QQ).sqf_part()  # the distinct eigenvalues
    eps = sympy.Rational(1, 10**12)
    try:
        real, complex_ = poly.intervals(all=True, eps=eps)
    except (NotImplementedError, sympy.PolynomialError):
        return None
    boxes = [(sympy.Rational(a), sympy.Rational(b), sympy.Integer(0), sympy.Integer(0)) for (a, b), _ in real]
    for (u, v), _ in complex_:  # opposite corners, as complex numbers with rational parts
        res, ims = sorted([sympy.re(u), sympy.re(v)]), sorted([sympy.im(u), sympy.im(v)])
        boxes.append((res[0], res[1], ims[0], ims[1]))
    return boxes


def _modulus_bounds(box: tuple[Any, Any, Any, Any]) -> tuple[Any, Any]:
    """Bounds on |lambda|^2 over a box (exact rationals)."""
    re_lo, re_hi, im_lo, im_hi = box
    re_far, im_far = max(abs(re_lo), abs(re_hi)), max(abs(im_lo), abs(im_hi))
    re_near = 0 if re_lo <= 0 <= re_hi else min(abs(re_lo), abs(re_hi))
    im_near = 0 if im_lo <= 0 <= im_hi else min(abs(im_lo), abs(im_hi))
    return re_near**2 + im_near**2, re_far**2 + im_far**2


def _degree_bound(rho_hi: Any, mu_lo: Any) -> int | None:
    """The degree N of the theorem: (N + 1) log rho < log mu, from an upper bound ``rho_hi``
    on log rho and a lower bound ``mu_lo`` on log mu (log mu <= log rho < 0); None unless
    ``rho_hi < 0``. N = floor(mu_lo / rho_hi) satisfies N + 1 > log mu / log rho."""
    if not rho_hi < 0:
        return None
    ratio = mu_lo / rho_hi
    if isinstance(ratio, mpmath.ctx_iv.ivmpf):  # an interval: its upper end, rounded outward
        ratio = mpmath.mpf(ratio._mpi_[1])
    return max(1, int(math.floor(ratio)))


def _interval(q: sympy.Rational) -> Any:
    return mpmath.iv.mpf(int(q.p)) / mpmath.iv.mpf(int(q.q))


def _contraction_degree(A: sympy.Matrix, flow: bool) -> tuple[int, str] | None:
    """For a map ``z -> Az`` (``flow`` False) or the time-1 map of ``z' = Az`` (``flow``
    True): the degree N of the theorem when it or its inverse is a contraction, with words;
    None when neither is (or the eigenvalues are not isolated exactly)."""
    boxes = _root_boxes(A)
    if boxes is None:
        return None
    if flow:  # the time-1 map has eigenvalue moduli e^{Re lambda}: log moduli are the real parts
        los, his = [b[0] for b in boxes], [b[1] for b in boxes]
        if max(his) < 0:
            N = _degree_bound(max(his), min(los))
            words = "a sink (every eigenvalue has negative real part)"
        elif min(los) > 0:  # the time-(-1) map contracts
            N = _degree_bound(-min(los), -max(his))
            words = "a source (every eigenvalue has positive real part)"
        else:
            return None
        return None if N is None else (N, words)
    squares = [_modulus_bounds(b) for b in boxes]
    if any(lo == 0 for lo, _ in squares):
        return None
    with mpmath.workprec(200):
        logs = [mpmath.iv.log(mpmath.iv.mpf([_interval(lo).a, _interval(hi).b])) / 2 for lo, hi in squares]
        if all(x.b < 0 for x in logs):
            N = _degree_bound(max(x.b for x in logs), min(x.a for x in logs))
            words = "a contraction (every eigenvalue has modulus < 1)"
        elif all(x.a > 0 for x in logs):
            N = _degree_bound(max(-x.a for x in logs), min(-x.b for x in logs))
            words = "an expansion (every eigenvalue has modulus > 1), whose inverse is a contraction"
        else:
            return None
    return None if N is None else (N, words)


def _class_degree(ansatz: Ansatz) -> int:
    return ansatz.degree if ansatz.kind == "polynomial" else 1


def completion(system: System, ansatz: Ansatz, *, kind: str, complete: bool,
               outside: Sequence[OutsideElement] = ()) -> Completion:
    """The largest class in which the answer is proved complete (docs/theory.md#complete-beyond-the-class).

    ``kind`` is the result's kind (``family``, ``finite``, ``class``, ``noise``) and
    ``complete`` whether the answer is complete within the searched class.

    Examples
    --------
    >>> import equivid
    >>> grow = equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})
    >>> completion(grow, equivid.Ansatz("affine"), kind="family", complete=True).within
    'C^inf'
    >>> saddle = equivid.System.from_maps(["z1", "z2"], {"saddle": ["2*z1", "z2/2"]})
    >>> completion(saddle, equivid.Ansatz("affine"), kind="family", complete=True).within
    'affine'
    """
    described = ansatz.describe()
    if not complete:
        return Completion(None, f"the answer is a lower bound even within {described} (see completeness)")
    if kind == "finite":
        return Completion("all bijections", "every permutation of the finite state set was searched",
                          "finite state sets", ("the latents take finitely many values",))
    outside_words = "; elements outside it are known: " + "; ".join(e.description for e in outside) if outside else (
        "; maps outside it were not searched")
    plain = Completion(str(ansatz), f"complete within {described}" + outside_words)
    if kind != "family" or any(e.everywhere for e in outside):
        return plain
    local = [e for e in outside if not e.everywhere]
    if local:  # elements on part of R^n only do not contradict a theorem about maps of R^n: say both
        plain = Completion(str(ansatz), f"complete within {described}; on part of R^n more maps commute: "
                           + "; ".join(e.description for e in local))
    if spanning_translations(system):
        return Completion("continuous", "a family of translations spans R^n: a(z + d) = a(z) + d for every d "
                          "forces a(z) = z + a(0), for every map a (continuous or not)",
                          "translations spanning R^n",
                          ("the family's translation vectors span R^n (rank checked exactly)",))
    found = [c for c in (_affine_theorem(m, system, ansatz) for m in system.mechanisms) if c is not None]
    for c in found:
        if c.within is not None:
            if local:
                return Completion(c.within, c.reason + " (maps of R^n; on part of R^n more maps commute: "
                                  + "; ".join(e.description for e in local) + ")", c.theorem, c.hypotheses)
            return c
    if found:  # a theorem applies, but the class searched is too small for it: say which would do
        return Completion(str(ansatz), plain.reason, None, found[0].hypotheses, hint=found[0].reason)
    return plain


def _affine_theorem(m: Mechanism, system: System, ansatz: Ansatz) -> Completion | None:
    """Theorem (b)/(c) for one mechanism: None when its hypotheses fail."""
    latents = system.latents
    n = len(latents)
    if n > THEOREM_LATENTS or m.noise is not None or not m.components:
        return None
    if any(sympy.sympify(e).free_symbols - set(latents) for e in m.components):
        return None
    if not map_in_class(m.components, latents, Ansatz("affine")):
        return None
    A = jacobian(m.components, latents)
    c = sympy.Matrix([sympy.sympify(e).xreplace(dict.fromkeys(latents, 0)) for e in m.components])
    found = _contraction_degree(A, flow=m.is_flow)
    if found is None:
        return None
    N, words = found
    if m.is_flow:
        fixed = -A.LUsolve(c) if not c.is_zero_matrix else sympy.zeros(n, 1)
        subject = f"the flow {m.name} is {words}; a map commuting with the flow commutes with its time-1 map"
    else:
        fixed = (sympy.eye(n) - A).LUsolve(c) if not c.is_zero_matrix else sympy.zeros(n, 1)
        subject = f"the map {m.name} is {words}"
    at = "the origin" if fixed.is_zero_matrix else f"its fixed point {tuple(fixed)}"
    hypotheses = (f"{m.name} is affine with a unique fixed point ({at})",
                  f"{words}, from exact isolation of the eigenvalues",
                  f"rho^(N+1) < mu for N = {N} (rho, mu the largest and smallest eigenvalue moduli of the contraction)")
    theorem = "smooth maps commuting with a linear contraction are polynomial (Sternberg; docs/theory.md#complete-beyond-the-class)"
    reason = (f"{subject}; a C^{N + 1} map commuting with it fixes {at} and equals its Taylor polynomial of degree "
              f"{N} there (the remainder r = A^-k r(A^k z) tends to 0 since rho^{N + 1} < mu)")
    degree = _class_degree(ansatz)
    contains = degree >= N and (ansatz.kind != "linear" or fixed.is_zero_matrix)
    if not contains:
        need = "affine" if N == 1 else f"polynomial:{N}"
        return Completion(None, f"{reason}: the class {need} would be complete among smooth maps "
                          f"(searched: {ansatz})", theorem, hypotheses)
    return Completion("C^inf", reason + f", which {ansatz} contains: complete among C^{N + 1} maps", theorem,
                      hypotheses)
