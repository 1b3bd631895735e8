"""The answer: :class:`EquivarianceGroup`, the maps up to which the latents are identified."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import sympy

from ._naming import affine_name, finite_linear_name
from .ansatz import Ansatz
from .errors import UnsupportedMechanismError, VerificationError
from .invariants import InvariantResult
from .mechanisms import System
from .solve import Solution
from .solve._finite import finite_membership
from .solve._lie import DimensionProfile
from .solve._lie import dimension_profile as _dimension_profile
from .solve._verify import commutes, is_zero, jacobian, tangent_fields

__all__ = ["EquivarianceGroup", "Membership"]

Map = tuple[sympy.Expr, ...]


@dataclass(frozen=True)
class Membership:
    """Why a map is or is not in the group."""

    map: Map
    in_ansatz: bool
    invertible: bool
    commutes: bool

    @property
    def member(self) -> bool:
        return self.in_ansatz and self.invertible and self.commutes


@dataclass(frozen=True)
class EquivarianceGroup:
    """The invertible maps ``a`` in the searched class with ``a∘m = m∘a`` for every mechanism.

    Every consistent encoder ``f`` has ``f∘g`` in this group (THEORY.md, result 1),
    within the class that was searched (``ansatz``).

    Examples
    --------
    >>> import equivid
    >>> system = equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})
    >>> group = equivid.solve(system, ansatz="affine")
    >>> group.name, group.dimension, group.general_element
    ('diagonal scalings', 2, (t1*z1, t2*z2))
    >>> group.contains("(5*z1, -z2)"), group.contains("(z2, z1)")
    (True, False)
    """

    system: System
    solution: Solution
    name: str | None = field(default=None)

    @classmethod
    def from_solution(cls, system: System, solution: Solution) -> EquivarianceGroup:
        if solution.finite_group is not None:  # finite-state systems: named by solve/_finite.py
            return cls(system, solution, solution.finite_group.name)
        if solution.condition is not None:  # classes and noise: named by solve/_classes.py, _noise.py
            return cls(system, solution, solution.name)
        name = None
        if solution.structure is not None:
            name = affine_name(solution.structure, system, solution.ansatz.has_constant)
        elif not solution.parameters and solution.components is not None:
            name = finite_linear_name((solution.general_element,) + solution.discrete, system.latents)
        if name in (f"GL({system.n})", f"affine group Aff({system.n})") and solution.components is None:
            solution = _with_reflection(solution, system)
        return cls(system, solution, name)

    # -- the numbers --------------------------------------------------------------------
    @property
    def ansatz(self) -> Ansatz:
        return self.solution.ansatz

    @property
    def latents(self) -> tuple[sympy.Symbol, ...]:
        return self.system.latents

    @property
    def dimension(self) -> int:
        """Number of free continuous parameters of the maps found in the class."""
        return self.solution.dimension

    @property
    def components(self) -> int | None:
        """Number of connected components, or None when not determined."""
        return self.solution.components

    @property
    def finite(self) -> bool:
        return self.dimension == 0 and self.components is not None

    @property
    def order(self) -> int | None:
        return self.components if self.finite else None

    @property
    def identifiable(self) -> bool:
        """True exactly when the identity is the only element."""
        return self.finite and self.order == 1

    @property
    def general_element(self) -> Map:
        return self.solution.general_element

    @property
    def parameters(self) -> tuple[sympy.Symbol, ...]:
        return self.solution.parameters

    @property
    def conditions(self) -> tuple[sympy.Expr, ...]:
        """Expressions in the parameters that must be nonzero (invertibility)."""
        return self.solution.nonzero

    @property
    def lie_algebra(self) -> tuple[Map, ...]:
        """Generators of the Lie algebra, as vector fields."""
        return self.solution.lie_algebra

    @property
    def discrete(self) -> tuple[Map, ...]:
        """Maps that, with the identity component, generate the other components."""
        return self.solution.discrete

    @property
    def notes(self) -> tuple[str, ...]:
        if self.solution.finite_group is not None or self.solution.condition is not None:
            return self.solution.notes
        return self.solution.notes + _outside_notes(self)

    @property
    def description(self) -> str:
        """The name, or a plain description when no name was recognised."""
        if self.name:
            return self.name
        if self.solution.finite_group is not None:
            return f"a group of order {self.order} of permutations of the states"
        if self.finite:
            return f"a finite group of order {self.order} of {self.ansatz.describe()}"
        if self.solution.is_group is False:  # a class of mechanisms: the set need not be a group
            return f"a {self.dimension}-dimensional set of {self.ansatz.describe()}"
        return f"a {self.dimension}-dimensional group of {self.ansatz.describe()}"

    @property
    def verdict(self) -> str:
        """One sentence: "identifiable up to ..."."""
        searched = self.ansatz.describe()
        if self.solution.finite_group is not None:
            return _finite_verdict(self)
        if self.identifiable:
            return (
                f"fully identifiable: among invertible {searched}, only the identity "
                "commutes with every mechanism"
            )
        extra = []
        if self.dimension:
            extra.append(f"{self.dimension} parameter{'s' if self.dimension > 1 else ''}")
        if self.finite:
            extra.append(f"order {self.order}")
        elif self.components and self.components > 1:
            extra.append(f"{self.components} components")
        detail = f" ({', '.join(extra)})" if extra else ""
        if self.solution.is_group is False:  # a class of mechanisms: the set need not be a group
            return f"identifiable up to {self.description}{detail}, a set that is not a group, searched among {searched}"
        return f"identifiable up to {self.description}{detail}, searched among {searched}"

    # -- membership and sampling ----------------------------------------------------------
    def membership(self, a: str | Sequence[Any]) -> Membership:
        """Decide membership of ``a`` (a tuple string or a list of components), with reasons."""
        if self.solution.finite_group is not None:
            return Membership(*finite_membership(self.solution.finite_group, a, self.system))
        if self.solution.condition is not None:  # classes and noise: the defining condition, exactly
            return Membership(*self.solution.condition.membership(a, self.system))
        components = self.system.parse_map(a, field="map")
        in_class = _in_ansatz(components, self.latents, self.ansatz)
        invertible = in_class and _invertible(components, self.latents)
        return Membership(components, in_class, invertible, commutes(components, self.system))

    def contains(self, a: str | Sequence[Any]) -> bool:
        """Whether ``a`` is an invertible map of the searched class commuting with every mechanism."""
        return self.membership(a).member

    def sample(self, rng: Any = None) -> Map:
        """A random element (exact, small rational parameters), drawn with ``rng``.

        Examples
        --------
        >>> import equivid
        >>> group = equivid.solve(equivid.System.from_maps(["z1", "z2"], {"turn": ["-z2", "z1"]}))
        >>> a = group.sample(rng=0)
        >>> group.contains(a)
        True
        """
        if self.solution.finite_group is not None:
            return self.solution.finite_group.sample(rng)  # type: ignore[no-any-return]
        if self.solution.condition is not None:  # classes and noise: any piece, any component
            return self.solution.condition.sample(rng, self.latents)  # type: ignore[no-any-return]
        generator = np.random.default_rng(rng)
        for _ in range(100):
            values = [
                sympy.Rational(int(generator.integers(-9, 10)), int(generator.integers(1, 5)))
                for _ in self.parameters
            ]
            element = tuple(e.xreplace(dict(zip(self.parameters, values))) for e in self.general_element)
            if jacobian(element, self.latents).det() != 0:
                return element
        raise RuntimeError("no invertible element found in 100 draws")  # pragma: no cover

    # -- exports -----------------------------------------------------------------------------
    def identifiable_properties(self, degree: int = 2, *, rational: bool | None = None) -> InvariantResult:
        """What every consistent encoder recovers: a basis of the polynomial properties
        ``phi(z)`` of degree <= ``degree`` with ``phi∘a = phi`` for every ``a`` in the group.

        They are the invariants of the family's tangent fields at the identity
        (``X(phi) = 0``) and of the discrete representatives (``phi∘d = phi``); products
        of lower-degree ones are left out. ``rational`` (default: when the group is
        linear) adds rational invariants ``p/q`` of homogeneous ``p, q`` of equal degree.

        Examples
        --------
        >>> import equivid
        >>> turn = equivid.System.from_maps(["z1", "z2"], {"turn": ["3*z1/5 - 4*z2/5", "4*z1/5 + 3*z2/5"]})
        >>> equivid.solve(turn, ansatz="linear").identifiable_properties(2)
        ()
        >>> push = equivid.System.from_maps(["z1", "z2"], {"push": ["z1 + 1", "z2"]})
        >>> equivid.solve(push, ansatz="affine").identifiable_properties(2)
        ()
        >>> from equivid.cli import EXAMPLES
        >>> walk = equivid.load(EXAMPLES / "gaussian_walk.yaml")  # isotropic Gaussian steps
        >>> equivid.solve(walk, ansatz="linear").identifiable_properties(2)
        (z1**2 + z2**2,)
        """
        from .invariants import group_invariants

        if self.solution.finite_group is not None:
            raise UnsupportedMechanismError("identifiable_properties: defined for continuous latents only")
        if self.solution.is_group is False:
            raise UnsupportedMechanismError(
                "identifiable_properties: the identification set is not a group here, so its "
                "invariants are not given by its tangent fields"
            )
        fields = self.tangent_fields()
        if rational is None:
            from ._rational_invariants import _is_linear

            rational = all(_is_linear(X, self.latents) for X in fields + self.discrete)
        return group_invariants(self.latents, fields, self.discrete, degree=degree, rational=rational)

    @cached_property
    def cyclic(self) -> tuple[tuple[str, str], ...]:
        """Mechanisms outside the searched class that lie in the group with all their powers
        (they commute with every mechanism and are bijections): ``(name, why)`` pairs; each
        generates an infinite cyclic subgroup (THEORY.md, discrete parts)."""
        return _cyclic(self)

    def tangent_fields(self) -> tuple[Map, ...]:
        """The family's tangent vector fields at the identity, ``d a / d t_k`` there (the
        Lie algebra of the maps found; it can be smaller than :attr:`lie_algebra`)."""
        identity = self.solution.identity
        if not self.parameters or len(identity) != len(self.parameters):
            return self.lie_algebra
        fields = tangent_fields(self.general_element, self.parameters, identity)
        return tuple(X for X in fields if any(e != 0 for e in X))

    def dimension_profile(self, max_degree: int = 3) -> DimensionProfile:
        """The Lie algebra's dimension at degrees 1..``max_degree`` (stop rule in
        :func:`equivid.dimension_profile`), with the mechanisms' invariant functions
        (``I∘m = I``) that drive the growth when it does not stop (``profile.invariants``)."""
        from .invariants import mechanism_invariants

        if self.solution.finite_group is not None or self.solution.condition is not None:
            raise UnsupportedMechanismError(
                "dimension_profile: defined for exactly known mechanisms on continuous latents"
            )
        profile = _dimension_profile(self.system, max_degree=max_degree)
        profile.invariants = ()
        if profile.finite_dimensional is not True:
            profile.invariants = tuple(mechanism_invariants(self.system, degree=max(profile)))
        return profile

    def to_dict(self, checks: Sequence[str | Sequence[Any]] = (), *, degree: int | None = None) -> dict[str, Any]:
        """The JSON object of DESIGN.md section 5 (plus a few descriptive keys).

        With ``degree`` also ``identifiable_properties`` (up to that degree) and, for exactly
        known mechanisms, ``dimension_profile`` (degrees 1..``degree``, whether it stopped
        growing, the invariant functions that drive it)."""
        data: dict[str, Any] = {
            "latents": [s.name for s in self.latents],
            "ansatz": str(self.ansatz),
            "dimension": self.dimension,
            "finite": self.finite,
            "order": self.order,
            "identifiable": self.identifiable,
            "general_element": [_text(e) for e in self.general_element],
            "parameters": [p.name for p in self.parameters],
            "conditions": [f"{c} != 0" for c in self.conditions],
            "lie_algebra": [[_text(e) for e in X] for X in self.lie_algebra],
            "discrete": [[str(e) for e in a] for a in self.discrete],
            "components": self.components,
            "name": self.name,
            "verdict": self.verdict,
            "searched": self.ansatz.describe(),
            "notes": list(self.notes),
            "solver_parts": list(self.solution.parts),
            "cyclic": [{"mechanism": name, "why": why} for name, why in self.cyclic],
            "checks": [],
        }
        if self.solution.finite_group is not None:
            data.update(_finite_keys(self))
        if self.solution.condition is not None:  # classes and noise: is_group and what was known
            data["is_group"] = self.solution.is_group
            data.update(dict(self.solution.extra))
        if degree is not None:
            data.update(self._degree_keys(degree))
        for check in checks:
            result = self.membership(check)
            data["checks"].append(
                {
                    "map": [str(e) for e in result.map],
                    "member": result.member,
                    "in_ansatz": result.in_ansatz,
                    "commutes": result.commutes,
                }
            )
        return data

    def _degree_keys(self, degree: int) -> dict[str, Any]:
        keys: dict[str, Any] = {}
        if self.solution.finite_group is not None:
            return keys
        if self.solution.is_group is not False:
            keys["identifiable_properties"] = [str(e) for e in self.identifiable_properties(degree)]
        if self.solution.condition is None:
            profile = self.dimension_profile(degree)
            keys["dimension_profile"] = {
                "degrees": {str(d): k for d, k in profile.items()},
                "finite_dimensional": profile.finite_dimensional,
                "invariants": [str(e) for e in profile.invariants],
            }
        return keys

    # -- finite-state systems (permutation groups of the states) ---------------------------
    @property
    def generators(self) -> tuple[Any, ...]:
        """Generators of a finite group: maps as expressions where a simple form fits
        (``(Mod(i + 1, 12),)``), else state tables (numpy arrays); for other groups the
        discrete representatives (the Lie algebra generates the rest).

        Examples
        --------
        >>> from equivid import solve
        >>> from equivid.finite import finite_system
        >>> group = solve(finite_system({"i": 12}, {"step": "(Mod(i + 1, 12),)"}))
        >>> group.generators, group.order, group.name
        (((Mod(i + 1, 12),),), 12, 'cyclic group C_12')
        >>> group.contains("(Mod(i + 5, 12),)"), group.contains("(Mod(-i, 12),)")
        (True, False)
        """
        if self.solution.finite_group is not None:
            return self.solution.finite_group.generator_maps()  # type: ignore[no-any-return]
        return self.discrete

    @property
    def orbits(self) -> tuple[tuple[tuple[int, ...], ...], ...]:
        """Orbits of the states (finite groups): states in one orbit cannot be told apart.

        Examples
        --------
        >>> from equivid import solve
        >>> from equivid.finite import finite_system
        >>> solve(finite_system({"i": 3}, {"reset": "(0,)"})).orbits
        (((0,),), ((1,), (2,)))
        """
        return self._finite("orbits").orbits  # type: ignore[no-any-return]

    def as_permutation_group(self) -> Any:
        """The finite group as a :class:`sympy.combinatorics.PermutationGroup` on the state indices."""
        return self._finite("as_permutation_group").group.as_permutation_group()

    def state_graph(self) -> Any:
        """The coloured state digraph (networkx ``MultiDiGraph``; edge attribute ``mechanism``,
        node attribute ``orbit``)."""
        return self._finite("state_graph").state_graph()

    def orbit_graph(self) -> Any:
        """The quotient of the state graph by the orbits (networkx ``MultiDiGraph``)."""
        return self._finite("orbit_graph").orbit_graph()

    def _finite(self, what: str) -> Any:
        if self.solution.finite_group is None:
            raise UnsupportedMechanismError(f"{what}: defined for finite-state systems only")
        return self.solution.finite_group

    def sketch(self) -> Any:
        """A checked proof sketch of this result (:class:`equivid.ProofSketch`)."""
        from .proofs import sketch_group

        return sketch_group(self)

    def _repr_latex_(self) -> str:
        from .render import latex_group

        return "$" + latex_group(self) + "$"

    def __str__(self) -> str:
        from .render import text_report

        return text_report(self)


def _finite_verdict(group: EquivarianceGroup) -> str:
    data = group.solution.finite_group
    count = data.space.count
    if group.identifiable:
        return (
            f"fully identifiable: among all permutations of the {count} states, only the identity "
            "commutes with every mechanism"
        )
    orbits = len(data.group.orbits)
    return (
        f"identifiable up to {group.description} (order {group.order}; states in one orbit cannot "
        f"be told apart: {count} states, {orbits} orbit{'s' if orbits != 1 else ''}), "
        "searched among all permutations of the states"
    )


#: Finite groups list their orbits in JSON up to this many states.
JSON_ORBITS_UP_TO = 10_000


def _finite_keys(group: EquivarianceGroup) -> dict[str, Any]:
    """JSON keys of a finite group. The group is given by ``generators``, each a list of
    component strings or, where no simple expression fits, ``{"cycles": [[s1, ...], ...]}``
    over state indices. ``general_element`` has one string per coordinate: for a group of
    translations ``Mod(i + k_i, n)`` with integer ``parameters`` (``parameter_ranges``),
    else ``sigma(i, j)[c]`` with ``sigma`` ranging over the group; ``dimension`` stays 0."""
    data = group.solution.finite_group
    general, parameters, ranges = data.general_element()
    keys: dict[str, Any] = {
        "general_element": general,
        "parameters": parameters,
        "parameter_ranges": ranges,
        "n_states": data.space.count,
        "generators": [
            [str(e) for e in g] if isinstance(g, tuple) else {"cycles": g.cycles()}
            for g in data.generator_maps()
        ],
        "orbit_count": len(data.group.orbits),
    }
    if data.space.count <= JSON_ORBITS_UP_TO:
        keys["orbits"] = [[list(s) for s in orbit] for orbit in data.orbits]
    return keys


def _text(expr: sympy.Expr) -> str:
    """``str`` for small expressions; large ones are printed without sorting their terms."""
    if isinstance(expr, sympy.Add) and len(expr.args) > 64:
        return sympy.sstr(expr, order="none")
    return str(expr)


def _in_ansatz(components: Sequence[sympy.Expr], latents: Sequence[sympy.Symbol], ansatz: Ansatz) -> bool:
    degree = 1 if ansatz.kind in ("linear", "affine") else ansatz.degree
    for e in components:
        try:
            poly = sympy.Poly(e, *latents)
        except sympy.PolynomialError:
            return False
        if poly.total_degree() > degree or any(c.free_symbols for c in poly.coeffs()):
            return False
        if ansatz.kind == "linear" and poly.coeff_monomial(1) != 0:
            return False
    return True


def _invertible(components: Map, latents: Sequence[sympy.Symbol]) -> bool:
    """An affine map with ``det B != 0``; a polynomial map with a polynomial inverse."""
    det = sympy.expand(jacobian(components, latents).det())
    if det == 0:
        return False
    if not det.free_symbols & set(latents):
        nonlinear = any(sympy.Poly(e, *latents).total_degree() > 1 for e in components)
        if not nonlinear:
            return True
        from .solve._polynomial import polynomial_inverse

        return polynomial_inverse(components, latents) is not None
    return False


def _with_reflection(solution: Solution, system: System) -> Solution:
    """GL(n) and Aff(n) have two components; the reflection of z1 represents the other."""
    from dataclasses import replace

    flip = (-system.latents[0],) + tuple(system.latents[1:])
    if not commutes(flip, system):
        raise VerificationError(f"the reflection {flip} does not commute with every mechanism")
    return replace(solution, components=2, discrete=(flip,), notes=())


def _outside_notes(group: EquivarianceGroup) -> tuple[str, ...]:
    """What lies outside the searched class, and theorems that close the gap."""
    from .solve._forms import affine_forms

    forms = affine_forms(group.system) or []
    moves = [
        s.b
        for f in forms
        for s in f.slices
        if not s.is_constant and s.A.is_zero_matrix and not s.b.is_zero_matrix
    ]
    if moves and sympy.Matrix.hstack(*moves).rank() == group.system.n:
        return (
            "the mechanisms include every translation of R^n, so among all maps (not only "
            f"{group.ansatz.describe()}) exactly the translations commute: a(z + d) = a(z) + d "
            "for all d forces a(z) = z + a(0)",
        )
    note = f"only {group.ansatz.describe()} were searched; maps outside this class may also commute"
    pushes = [
        s.b for f in forms if f.kind == "map" for s in f.slices if s.is_constant and s.A == sympy.eye(s.A.rows)
    ]
    if any(not b.is_zero_matrix for b in pushes) and not group.identifiable:
        note += " (e.g. z + p(z) with p periodic along each translation)"
    return (note,) + _cyclic_notes(group)


def _cyclic_notes(group: EquivarianceGroup) -> tuple[str, ...]:
    notes = []
    for name, why in group.cyclic:
        notes.append(
            f"the mechanism {name} commutes with every mechanism and is a bijection ({why}), so the "
            "infinite cyclic group of its powers lies in the equivariance group, outside the searched class"
        )
    return tuple(notes)


def _triangular_bijection(components: Map, latents: Sequence[sympy.Symbol]) -> bool:
    """``m_i = c_i z_i + f_i(z_1..z_{i-1})`` (or upper triangular) with constants ``c_i != 0``:
    solved coordinate by coordinate, so a bijection of R^n."""
    J = jacobian(components, latents)
    n = len(latents)
    diagonal = [sympy.expand(J[i, i]) for i in range(n)]
    if any(d.free_symbols or d == 0 for d in diagonal):
        return False
    lower = all(is_zero(J[i, j]) for i in range(n) for j in range(i + 1, n))
    return lower or all(is_zero(J[i, j]) for i in range(n) for j in range(i))


def _cyclic(group: EquivarianceGroup) -> tuple[tuple[str, str], ...]:
    """Mechanisms outside the class that commute with every mechanism and are bijections."""
    system = group.system
    if system.families or group.solution.finite_group is not None or group.solution.condition is not None:
        return ()
    found = []
    for m in system.maps:
        if _in_ansatz(m.components, system.latents, group.ansatz):
            continue
        if _triangular_bijection(m.components, system.latents):
            why = "triangular with constant non-zero diagonal"
        elif all(c.is_polynomial(*system.latents) for c in m.components):
            det = sympy.expand(jacobian(m.components, system.latents).det())
            if det.free_symbols or det == 0:
                continue
            from .solve._polynomial import polynomial_inverse

            if polynomial_inverse(m.components, system.latents) is None:
                continue
            why = "a polynomial automorphism"
        else:
            continue
        if commutes(m.components, system):
            found.append((m.name, why))
    return tuple(found)
