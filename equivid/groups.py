"""The answer: :class:`EquivarianceGroup`, the maps up to which the latents are identified."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import sympy

from .ansatz import Ansatz, map_in_class
from .beyond import Completion, FirstIntegrals, OutsideElement, Recoverable
from .errors import UnsupportedMechanismError, VerificationError
from .finite.part import finite_membership
from .invariants import InvariantResult
from .mechanisms import System
from .naming import affine_name, finite_linear_name
from .solve import Solution
from .solve._lie import DimensionProfile
from .solve._lie import dimension_profile as _dimension_profile
from .solve._result import COMPLETE, Claim, Lazy, condition_of, finite_of
from .solve._verify import commutes, is_zero, jacobian, tangent_fields

__all__ = ["EquivarianceGroup", "Membership"]

Map = tuple[sympy.Expr, ...]

#: How a group is shown and argued: ``text`` and ``latex`` (equivid.render) and ``sketch``
#: (equivid.proofs) register themselves here when imported, so that the result type never
#: imports its printers or its prover (``import equivid`` imports both).
PRESENTERS: dict[str, Callable[..., Any]] = {}
#: Where the default presenters live: loaded by name on first use when a group is shown
#: before anything imported them (``import equivid.groups`` alone).
_DEFAULT_PRESENTERS = {"text": "equivid.render", "latex": "equivid.render", "sketch": "equivid.proofs",
                       "html": "equivid.render", "markdown": "equivid.render", "repr": "equivid.render"}


def _presenter(key: str) -> Callable[..., Any]:
    if key not in PRESENTERS:
        importlib.import_module(_DEFAULT_PRESENTERS[key])
    return PRESENTERS[key]


@dataclass(frozen=True)
class Membership:
    """Why a map is or is not in the group. ``commutes``: ``a∘m = m∘a`` for every mechanism;
    for an answer given by a defining condition (a learner's class, noise laws), whether that
    condition holds (for a class H: ``a∘m∘a⁻¹`` in H). ``invertible`` and ``commutes`` are None where
    they were not decided: for a map outside the searched class (its invertibility is not
    read there; a bijection such as ``z1**3`` is not called "not invertible"), and, for
    answers given by a defining condition, ``commutes`` of a map that is not invertible.
    ``in_reported``: whether the map lies in the part of the group the answer reports (its
    family composed with a discrete element); None where that was not decided."""

    map: Map
    in_ansatz: bool
    invertible: bool | None
    commutes: bool | None
    in_reported: bool | None = None

    @property
    def member(self) -> bool:
        return self.in_ansatz and self.invertible is True and self.commutes is True


@dataclass(frozen=True)
class EquivarianceGroup:
    """The invertible maps ``a`` in the searched class with ``a∘m = m∘a`` for every mechanism.

    Every consistent encoder ``f`` has ``f∘g`` in this group (docs/theory.md#result-1-exact-mechanisms),
    within the class that was searched (``ansatz``).

    Built by :func:`equivid.solve` (or :meth:`from_solution`), not by hand.

    Parameters
    ----------
    system : System
        The system whose mechanisms the maps commute with.
    solution : Solution
        The solved system (:mod:`equivid.solve`): the family, its discrete part and how
        complete each claim is.
    name : str or None, optional
        The group's name where one was recognised (``"diagonal scalings"``); None otherwise.
    examination : CrossExamination or None, optional
        The cross-examination behind the answer (:mod:`equivid.examine`), or None where none
        was run.

    Examples
    --------
    >>> import equivid
    >>> system = equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})
    >>> group = equivid.solve(system, ansatz="affine")
    >>> group.name, group.dimension, group.general_element
    ('diagonal scalings', 2, (t1*z1, t2*z2))
    >>> group.contains("(5*z1, -z2)"), group.contains("(z2, z1)")
    (True, False)
    >>> group.parameters, group.tangent_fields(), group.components
    ((t1, t2), ((z1, 0), (0, z2)), 4)
    >>> group.sketch()
    <ProofSketch 'Identifiability under grow': 8 steps, all steps checked>
    """

    system: System
    solution: Solution
    name: str | None = field(default=None)
    #: The cross-examination behind the answer (:mod:`equivid.examine`), or None where none
    #: was run: what it searched and what it found.
    examination: Any = field(default=None, compare=False)
    _integrals: dict[int, FirstIntegrals] = field(default_factory=dict, compare=False, repr=False, init=False)

    @classmethod
    def from_solution(cls, system: System, solution: Solution) -> EquivarianceGroup:
        """The group of a solved system, named where a name is recognised.

        Parameters
        ----------
        system : System
            The system that was solved.
        solution : Solution
            Its solution (:mod:`equivid.solve`).

        Returns
        -------
        EquivarianceGroup
            The group, with ``name`` from the solution's structure (affine answers), the
            finite part or the solver part that recognised it; None where none did.
        """
        if solution.kind == "finite":  # finite-state systems: named by equivid/finite/part.py
            return cls(system, solution, finite_of(solution).name)
        if solution.kind in ("class", "noise"):  # classes and noise: named by solve/_classes.py, _noise.py
            return cls(system, solution, solution.name)
        name = None
        if solution.structure is not None:
            name = affine_name(solution.structure, system, solution.ansatz.has_constant)
        elif not solution.parameters and solution.components is not None:
            name = finite_linear_name((solution.general_element,) + solution.discrete, system.latents)
        return cls(system, solution, name)

    # -- the numbers --------------------------------------------------------------------
    @property
    def ansatz(self) -> Ansatz:
        """The class of maps that was searched (``affine``, ``linear``, polynomial of a degree, ...)."""
        return self.solution.ansatz

    @property
    def latents(self) -> tuple[sympy.Symbol, ...]:
        """The latent variables ``z1, ..., zn``, the symbols the maps are written in."""
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
    def completeness(self) -> dict[str, Claim]:
        """How complete each claim is, within the searched class: ``dimension``,
        ``components``, ``finite``, ``order``, ``identifiable`` and
        ``identifiable_properties``, each a :class:`Claim` (complete, or a lower bound with
        the reason: what was not searched).

        Examples
        --------
        >>> import equivid
        >>> group = equivid.solve(equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]}))
        >>> group.complete, group.completeness["order"].complete
        (True, True)
        >>> group.completeness["identifiable_properties"].complete  # an expansion: complete among C^inf maps
        True
        >>> saddle = equivid.solve(equivid.System.from_maps(["z1", "z2"], {"m": ["2*z1", "z2/2"]}))
        >>> saddle.completeness["identifiable_properties"].complete  # learners outside the class: not searched
        False
        """
        whole = self._whole_claim
        return dict(self._class_claims, identifiable_properties=(
            whole if not whole.complete else COMPLETE if self._whole_group else Claim(
                False, f"invariants of the group within {self.ansatz.describe()}: a learner whose f∘g lies outside "
                "this class (not searched) may change them; recoverable within the searched class only")))

    @property
    def _whole_claim(self) -> Claim:
        identity, discrete = self._found_claims
        return identity if not identity.complete else discrete  # the weaker of the two

    @property
    def _found_claims(self) -> tuple[Claim, Claim]:
        """The part's claims on the identity component and the discrete part (the latter not
        complete where the number of components was not determined)."""
        found = self.solution.completeness
        identity, discrete = found.identity_component, found.discrete
        if discrete.complete and self.components is None and not found.infinite_discrete:
            discrete = Claim(False, "the number of components was not determined")
        return identity, discrete

    @property
    def _class_claims(self) -> dict[str, Claim]:
        """Every claim but ``identifiable_properties``."""
        identity, discrete = self._found_claims
        whole = self._whole_claim
        infinite = self.dimension > 0 or self.solution.completeness.infinite_discrete or self._outside_infinite  # proved by the elements found
        nontrivial = infinite or bool(self.discrete) or (self.components or 1) > 1 or bool(self.outside_class)
        return {
            "dimension": identity,
            "components": discrete,
            "finite": COMPLETE if infinite else whole,
            "order": whole,
            "identifiable": COMPLETE if nontrivial else whole,
        }

    @property
    def _whole_group(self) -> bool:
        """Whether a theorem makes the answer the whole group among the maps a learner can
        apply, not only its part within the class (:attr:`complete_in`: finite state sets,
        translations spanning R^n, linear contractions and expansions, sinks and sources;
        docs/theory.md#complete-beyond-the-class)."""
        return self.complete_in.beyond_class

    @cached_property
    def outside_class(self) -> tuple[OutsideElement, ...]:
        """Elements of the group outside the searched class, each verified exactly: mechanisms
        that commute with every mechanism (a map's powers, a flow's time-t maps) and, for
        such a flow ``V`` and the first integrals ``H``, the flows of ``f(H)·V``
        (:func:`equivid.beyond.outside_class`)."""
        if self.solution.kind != "family":
            return ()
        from .beyond import outside_class

        return outside_class(self.system, self.ansatz)

    @property
    def _outside_infinite(self) -> bool:
        return any(e.kind != "iterates" for e in self.outside_class)

    @cached_property
    def complete_in(self) -> Completion:
        """The largest class in which the answer is proved complete, with the theorem and
        its checked hypotheses (:func:`equivid.beyond.completion`).

        Examples
        --------
        >>> import equivid
        >>> equivid.solve(equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})).complete_in.within
        'C^inf'
        """
        from .beyond import completion

        return completion(self.system, self.ansatz, kind=self.solution.kind, complete=self.complete,
                          outside=self.outside_class)

    def first_integrals(self, degree: int = 2) -> FirstIntegrals:
        """First integrals of the flows and invariant functions of the maps (jointly), each
        proved (:func:`equivid.beyond.first_integrals`); empty for finite states and noise.

        Parameters
        ----------
        degree : int, optional
            The largest monomial degree searched (default 2). The result is cached per degree.

        Returns
        -------
        FirstIntegrals
            A tuple of functionally independent first integrals (sympy expressions), with
            ``searched`` (over which functions, or why nothing was searched: family symbols,
            finite states, classes and noise) and ``degree``.
        """
        from .beyond import first_integrals

        if self.solution.kind != "family" or self.system.families:
            return FirstIntegrals((), "not searched: " + (
                "family symbols" if self.system.families else f"{self.solution.kind} answers"))
        if degree not in self._integrals:
            self._integrals[degree] = first_integrals(self.system, degree=degree)
        return self._integrals[degree]

    def recoverable(self, degree: int = 2) -> Recoverable:
        """What every consistent learner recovers, as far as is known: the group's polynomial
        invariants of degree <= ``degree`` that no element outside the class changes, those it
        does change (with the elements), the first integrals that remain candidates, and the
        scope (``"all learners"`` where a theorem makes the answer complete, else "within the
        searched class").

        Parameters
        ----------
        degree : int, optional
            The largest degree of the polynomial invariants and first integrals (default 2).

        Returns
        -------
        Recoverable
            ``properties`` (the invariants no known element outside the class changes),
            ``excluded`` (``(invariant, elements that change it)`` pairs), ``candidates``
            (first integrals that remain candidates where a commuting flow lies in the
            group), ``scope`` (the class among whose maps the statement is complete, or None:
            within the searched class) and ``outside_known``.

        Raises
        ------
        UnsupportedMechanismError
            For finite-state systems, and where the identification set is not a group.
        """
        from .beyond import changed_by, undecided_iterates

        invariants = self._class_invariants(degree)
        outside = self.outside_class
        # a mechanism that commutes with every mechanism may be in the group although its
        # bijectivity was not decided: what it changes is not called recoverable either
        possible = undecided_iterates(self.system, self.ansatz, outside) if self.solution.kind == "family" else ()
        undecided = {e.label: f"{e.label}, if {e.mechanism} is a bijection (not decided)" for e in possible}
        excluded = tuple((phi, tuple(undecided.get(label, label) for label in changed_by(phi, (*outside, *possible), self.latents)))
                         for phi in invariants)
        kept = tuple(phi for phi, by in excluded if not by)
        candidates: tuple[sympy.Expr, ...] = ()
        if self._outside_infinite:
            candidates = tuple(g for g in self.first_integrals(degree) if self.preserves(g))
        scope = self.complete_in.within if self._whole_group else None
        return Recoverable(kept, tuple((phi, by) for phi, by in excluded if by), candidates, scope,
                           bool(outside))

    def preserves(self, phi: sympy.Expr) -> bool:
        """Whether ``phi`` is unchanged by the group found in the class: its tangent fields kill it and its discrete representatives fix it (exactly).

        Parameters
        ----------
        phi : sympy.Expr
            A function of the latents (a sympy expression, or a string sympy can parse).

        Returns
        -------
        bool
            True when ``X(phi) = 0`` for every tangent field ``X`` and ``phi∘d = phi`` for
            every discrete representative ``d``, both exactly; False otherwise.
        """
        for X in self.tangent_fields():
            if not is_zero(sum((sympy.diff(phi, z) * x for z, x in zip(self.latents, X)), sympy.Integer(0))):
                return False
        return all(is_zero(sympy.sympify(phi).xreplace(dict(zip(self.latents, d))) - phi) for d in self.discrete)

    @property
    def complete(self) -> bool:
        """Whether the group's claims (dimension, components, finite, order, identifiable)
        are proved complete within the searched class; ``identifiable_properties`` carries
        its own status (complete only where a theorem makes the answer the whole group)."""
        return all(claim.complete for claim in self._class_claims.values())

    @property
    def finite(self) -> bool | None:
        """Whether the group is finite; None where the discrete search was partial and found
        only finitely many elements (the true group may be larger). False where a flow outside
        the class is known to lie in the group."""
        return False if self._outside_infinite else self._finite_in_class

    @property
    def _finite_in_class(self) -> bool | None:
        if self.dimension > 0 or self.solution.completeness.infinite_discrete:
            return False
        if self.components is None or not self.solution.completeness.discrete.complete:
            return None
        return True

    @property
    def order(self) -> int | None:
        """The number of elements of a finite group; where the discrete search was partial,
        the number found (a lower bound: see :attr:`completeness`); None where a flow outside
        the class is known to lie in the group."""
        return None if self._outside_infinite else self._order_in_class

    @property
    def _order_in_class(self) -> int | None:
        if self.dimension > 0 or self.solution.completeness.infinite_discrete:
            return None
        return self.components

    @property
    def identifiable(self) -> bool | None:
        """True exactly when the identity is the only element; None where only the identity
        was found but the search was partial; False where elements outside the class are known
        (:attr:`outside_class`)."""
        if self.outside_class:
            return False
        return self._identifiable_in_class

    @property
    def _identifiable_in_class(self) -> bool | None:
        if self.dimension > 0 or self.solution.completeness.infinite_discrete or self.components != 1:
            return False
        return True if self.solution.completeness.discrete.complete else None

    @property
    def general_element(self) -> Map:
        """The general element: a map in the latents and :attr:`parameters` (a ``sympy.Tuple``,
        or for a large answer a tuple built when read); every parameter value with the
        :attr:`conditions` nonzero gives an element of the identity component."""
        found = self.solution.general_element
        if isinstance(found, Lazy):  # a large answer: its components are built when read
            return found
        return sympy.Tuple(*found)  # type: ignore[return-value]  # a sympy object: prints, compares and hashes as the tuple

    @property
    def parameters(self) -> tuple[sympy.Symbol, ...]:
        """The free parameters of the :attr:`general_element` (``t1, t2, ...``)."""
        return self.solution.parameters

    @property
    def conditions(self) -> tuple[sympy.Expr, ...]:
        """Expressions in the parameters that must be nonzero (invertibility)."""
        return self.solution.nonzero

    @property
    def lie_algebra(self) -> tuple[Map, ...]:
        """Generators of the Lie algebra, as vector fields."""
        found = self.solution.lie_algebra
        return found if isinstance(found, Lazy) else tuple(sympy.Tuple(*X) for X in found)  # type: ignore[misc]

    @property
    def discrete(self) -> tuple[Map, ...]:
        """Maps that, with the identity component, generate the other components."""
        found = self.solution.discrete
        return found if isinstance(found, Lazy) else tuple(sympy.Tuple(*a) for a in found)  # type: ignore[misc]

    @property
    def notes(self) -> tuple[str, ...]:
        """Remarks on the answer, as sentences: the solver parts' notes, the
        cross-examination's summary and what is known outside the searched class."""
        examined = (self.examination.note(),) if self.examination is not None else ()
        if self.solution.kind == "finite" or self.solution.kind in ("class", "noise"):
            return self.solution.notes + examined
        return self.solution.notes + examined + _outside_notes(self)

    @property
    def description(self) -> str:
        """The name, or a plain description when no name was recognised."""
        if self.name:
            return self.name
        if self.solution.kind == "finite":
            return f"a group of order {self.order} of permutations of the states"
        if self.solution.completeness.infinite_discrete and not self.dimension:
            return f"an infinite discrete group of {self.ansatz.describe()}"
        if self.finite:
            return f"a finite group of order {self.order} of {self.ansatz.describe()}"
        if self.finite is None and self.order is not None:
            return f"a group of at least {self.order} element{'s' if self.order != 1 else ''} of {self.ansatz.describe()}"
        if self.solution.is_group is False:  # a class of mechanisms: the set need not be a group
            return f"a {self.dimension}-dimensional set of {self.ansatz.describe()}"
        return f"a {self.dimension}-dimensional group of {self.ansatz.describe()}"

    @property
    def verdict(self) -> str:
        """One sentence: "identifiable up to ..."; where elements outside the class are known
        (:attr:`outside_class`), it says so first, then what holds within the class."""
        searched = self.ansatz.describe()
        if self.solution.kind == "finite":
            return _finite_verdict(self)
        within = self._class_verdict()
        if not self.outside_class:
            return within
        known = "; ".join(e.description for e in self.outside_class)
        return (f"not identifiable by every learner: the group contains {known} (outside {searched}); "
                f"within the class, {within}")

    def _class_verdict(self) -> str:
        searched = self.ansatz.describe()
        if self._identifiable_in_class:
            return (
                f"fully identifiable: among invertible {searched}, only the identity "
                "commutes with every mechanism"
            )
        partial = self.solution.completeness.discrete
        if self._identifiable_in_class is None:
            return (
                f"no element other than the identity was found among invertible {searched}, "
                f"but the search was partial ({partial.reason}): identifiability is not proved"
            )
        extra = []
        if self.dimension:
            extra.append(f"{self.dimension} parameter{'s' if self.dimension > 1 else ''}")
        if self.solution.completeness.infinite_discrete:
            extra.append("infinitely many components")
        elif self._finite_in_class:
            extra.append(f"order {self._order_in_class}")
        elif self._finite_in_class is None and self._order_in_class is not None:
            extra.append(f"order at least {self._order_in_class}")
        elif self.components and self.components > 1:
            extra.append(f"{'at least ' if not partial.complete else ''}{self.components} components")
        detail = ", ".join(extra)
        if not partial.complete:
            detail += ("; " if detail else "") + f"a lower bound: {partial.reason}"
        detail = f" ({detail})" if detail else ""
        if self.solution.is_group is False:  # a class of mechanisms: the set need not be a group
            return f"identifiable up to {self.description}{detail}, a set that is not a group, searched among {searched}"
        return f"identifiable up to {self.description}{detail}, searched among {searched}"

    # -- membership and sampling ----------------------------------------------------------
    def membership(self, a: str | Sequence[Any]) -> Membership:
        """Decide membership of ``a`` (a tuple string or a list of components), with reasons.

        Parameters
        ----------
        a : str or sequence
            The map: a tuple string (``"(5*z1, -z2)"``) or a list of components (strings or
            sympy expressions in the latents; state indices for finite-state systems).

        Returns
        -------
        Membership
            ``map`` (the parsed components), ``in_ansatz``, ``invertible``, ``commutes`` and
            ``in_reported`` (whether it lies in the part reported; None where not decided);
            ``member`` is True when the first three are.

        Raises
        ------
        VerificationError
            Where ``a`` commutes with every mechanism and lies in the class searched, but not
            in a group reported as complete (the solver missed it).
        """
        if self.solution.kind == "finite":
            return Membership(*finite_membership(finite_of(self.solution), a, self.system))  # type: ignore[arg-type]
        if self.solution.kind in ("class", "noise"):  # classes and noise: the defining condition, exactly
            return Membership(*condition_of(self.solution).membership(a, self.system))
        components = self.system.parse_map(a, field="map")
        in_class = map_in_class(components, self.latents, self.ansatz)
        invertible = _invertible(components, self.latents) if in_class else None  # not read outside the class
        commuting = commutes(components, self.system)
        reported = in_reported(components, self.solution) if in_class and invertible and commuting else None
        if reported is False and self.complete:
            raise VerificationError(
                f"{tuple(components)} commutes with every mechanism and lies in the class searched, but not in the "
                "group reported as complete: the solver missed it"
            )
        return Membership(components, in_class, invertible, commuting, reported)

    def contains(self, a: str | Sequence[Any]) -> bool:
        """Whether ``a`` is an invertible map of the searched class commuting with every mechanism.

        Parameters
        ----------
        a : str or sequence
            The map: a tuple string (``"(5*z1, -z2)"``) or a list of components (see
            :meth:`membership`).

        Returns
        -------
        bool
            ``self.membership(a).member``.
        """
        return self.membership(a).member

    def sample(self, rng: Any = None) -> Map:
        """A random element (exact, small rational parameters), drawn with ``rng``.

        Parameters
        ----------
        rng : int, numpy.random.Generator or None, optional
            The seed or generator, passed to ``numpy.random.default_rng``.

        Returns
        -------
        tuple of sympy.Expr
            An invertible element of the group: the :attr:`general_element` at random
            rational parameters (for finite-state systems, classes and noise, an element
            drawn from their own description).

        Examples
        --------
        >>> import equivid
        >>> group = equivid.solve(equivid.System.from_maps(["z1", "z2"], {"turn": ["-z2", "z1"]}))
        >>> a = group.sample(rng=0)
        >>> group.contains(a)
        True
        """
        if self.solution.kind == "finite":
            return finite_of(self.solution).sample(rng)  # type: ignore[no-any-return]
        if self.solution.kind in ("class", "noise"):  # classes and noise: any piece, any component
            condition = condition_of(self.solution)
            pieces = getattr(condition, "pieces", None)
            if self.solution.is_group and pieces:  # a group: compose with the identity component to reach each coset
                from .solve._pieces import sample_group

                return sample_group(pieces, rng, self.latents)
            return condition.sample(rng, self.latents)  # type: ignore[no-any-return]
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

        Parameters
        ----------
        degree : int, optional
            The largest degree of the polynomial invariants (default 2).
        rational : bool or None, optional
            Whether to add rational invariants; None (default): exactly when the group is linear.

        Returns
        -------
        InvariantResult
            The invariants (a tuple of sympy expressions) that no element known outside the
            class changes, with ``method`` and ``dropped`` (candidates the symbolic check
            could not prove).

        Raises
        ------
        UnsupportedMechanismError
            For finite-state systems, and where the identification set is not a group.

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

        Elements outside the class count: the flow of a pendulum commutes with it, so
        ``omega**2`` (invariant under the affine answer) is not recoverable:

        >>> swing = equivid.System.from_maps(["theta", "omega"], flows={"swing": ["omega", "-sin(theta)"]})
        >>> equivid.solve(swing, cross_examine=False).identifiable_properties(2)
        ()
        """
        found = self._class_invariants(degree, rational)
        outside = self.outside_class
        if not outside:
            return found
        from .beyond import changed_by

        kept = [phi for phi in found if not changed_by(phi, outside, self.latents)]
        return InvariantResult(kept, found.method, found.dropped)

    def _class_invariants(self, degree: int = 2, rational: bool | None = None) -> InvariantResult:
        """The invariants of the group found within the class (see :meth:`identifiable_properties`)."""
        from .invariants import group_invariants

        if self.solution.kind == "finite":
            raise UnsupportedMechanismError("identifiable_properties: defined for continuous latents only")
        if self.solution.is_group is False:
            raise UnsupportedMechanismError(
                "identifiable_properties: the identification set is not a group here, so its "
                "invariants are not given by its tangent fields"
            )
        fields = self.tangent_fields()
        if rational is None:
            from ._rational_invariants import is_linear_map

            rational = all(is_linear_map(X, self.latents) for X in fields + self.discrete)
        return group_invariants(self.latents, fields, self.discrete, degree=degree, rational=rational)

    @cached_property
    def cyclic(self) -> tuple[tuple[str, str], ...]:
        """Mechanisms outside the searched class that lie in the group with all their powers
        (they commute with every mechanism and are bijections): ``(name, why)`` pairs; each
        generates a cyclic subgroup, infinite unless m has finite order (docs/theory.md#discrete-parts)."""
        return tuple((e.mechanism, e.why) for e in self.outside_class if e.kind == "iterates")

    def tangent_fields(self) -> tuple[Map, ...]:
        """The family's tangent vector fields at the identity, ``d a / d t_k`` there (the
        Lie algebra of the maps found; it can be smaller than :attr:`lie_algebra`).

        Returns
        -------
        tuple of sympy.Tuple
            One vector field per parameter direction, each a tuple of components in the
            latents (zero fields left out); :attr:`lie_algebra` where the identity's
            parameter values are not known.
        """
        identity = self.solution.identity
        if not self.parameters or len(identity) != len(self.parameters):
            return self.lie_algebra
        fields = tangent_fields(self.general_element, self.parameters, identity)
        return tuple(X for X in fields if any(e != 0 for e in X))

    def dimension_profile(self, max_degree: int = 3) -> DimensionProfile:
        """The Lie algebra's dimension at degrees 1..``max_degree`` (stop rule in
        :func:`equivid.dimension_profile`), with the mechanisms' invariant functions
        (``I∘m = I``) that drive the growth when it does not stop (``profile.invariants``).

        Parameters
        ----------
        max_degree : int, optional
            The largest polynomial degree of the vector fields searched (default 3).

        Returns
        -------
        DimensionProfile
            ``{degree: dimension}``, with ``finite_dimensional`` (the stop rule's verdict:
            True, False or None) and ``invariants`` (empty where it stopped growing).

        Raises
        ------
        UnsupportedMechanismError
            For finite-state systems, classes and noise.
        """
        from .invariants import mechanism_invariants

        if self.solution.kind == "finite" or self.solution.kind in ("class", "noise"):
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
        growing, the invariant functions that drive it).

        Parameters
        ----------
        checks : sequence of str or sequence, optional
            Maps to decide membership of (see :meth:`membership`), reported under ``checks``.
        degree : int or None, optional
            With a degree, also the invariants, recoverable properties, first integrals and
            dimension profile up to it; None (default): not computed.

        Returns
        -------
        dict
            The JSON-ready object: latents, ansatz, dimension, general element, verdict,
            completeness, ... (all values strings, numbers, booleans, None, lists or dicts).
        """
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
            "outside_class": [e.to_dict() for e in self.outside_class],
            "complete_in": self.complete_in.within,
            "complete_in_reason": self.complete_in.reason,
            "complete_in_theorem": self.complete_in.theorem,
            "complete": self.complete,
            "completeness": {key: dict(claim.to_dict(), within=self.ansatz.describe())
                             for key, claim in self.completeness.items()},
            "infinite_discrete": self.solution.completeness.infinite_discrete,
            "cross_examination": None if self.examination is None else self.examination.to_dict(),
            "checks": [],
        }
        if self.solution.kind == "finite":
            data.update(_finite_keys(self))
        if self.solution.kind in ("class", "noise"):  # classes and noise: is_group and what was known
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
                    "invertible": result.invertible,
                    "commutes": result.commutes,
                    "in_reported": result.in_reported,
                }
            )
        return data

    def _degree_keys(self, degree: int) -> dict[str, Any]:
        keys: dict[str, Any] = {}
        if self.solution.kind == "finite":
            return keys
        if self.solution.is_group is not False:
            keys["identifiable_properties"] = [str(e) for e in self.identifiable_properties(degree)]
        if self.solution.kind == "family":
            keys["recoverable"] = self.recoverable(degree).to_dict()
            keys["first_integrals"] = [str(e) for e in self.first_integrals(degree)]
        if self.solution.kind not in ("class", "noise"):
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
        if self.solution.kind == "finite":
            return finite_of(self.solution).generator_maps()  # type: ignore[no-any-return]
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
        """The finite group as a :class:`sympy.combinatorics.PermutationGroup` on the state indices.

        Returns
        -------
        sympy.combinatorics.PermutationGroup
            The group of permutations of the states (indices ``0, ..., count - 1``).

        Raises
        ------
        UnsupportedMechanismError
            For systems that are not finite-state.
        """
        return self._finite("as_permutation_group").group.as_permutation_group()

    def state_graph(self) -> Any:
        """The coloured state digraph (networkx ``MultiDiGraph``; edge attribute ``mechanism``,
        node attribute ``orbit``).

        Returns
        -------
        networkx.MultiDiGraph
            One node per state, one edge ``s -> m(s)`` per state and mechanism ``m``.

        Raises
        ------
        UnsupportedMechanismError
            For systems that are not finite-state.
        """
        return self._finite("state_graph").state_graph()

    def orbit_graph(self) -> Any:
        """The quotient of the state graph by the orbits (networkx ``MultiDiGraph``).

        Returns
        -------
        networkx.MultiDiGraph
            One node per orbit, an edge where a mechanism maps a state of one orbit to a
            state of another (or the same).

        Raises
        ------
        UnsupportedMechanismError
            For systems that are not finite-state.
        """
        return self._finite("orbit_graph").orbit_graph()

    def _finite(self, what: str) -> Any:
        if self.solution.kind != "finite":
            raise UnsupportedMechanismError(f"{what}: defined for finite-state systems only")
        return finite_of(self.solution)

    def sketch(self) -> Any:
        """A checked proof sketch of this result (:class:`equivid.ProofSketch`).

        Returns
        -------
        ProofSketch
            The derivation of the answer step by step, each step checked when built.
        """
        return _presenter("sketch")(self)  # type: ignore[no-any-return]

    def _repr_latex_(self) -> str:
        return "$" + _presenter("latex")(self) + "$"

    def _repr_html_(self) -> str:  # notebooks: name, verdict, numbers, class, the set as math
        return _presenter("html")(self)  # type: ignore[no-any-return]

    def _repr_markdown_(self) -> str:
        return _presenter("markdown")(self)  # type: ignore[no-any-return]

    def __repr__(self) -> str:  # short: the dataclass repr dumped the whole solution
        return _presenter("repr")(self)  # type: ignore[no-any-return]

    def __str__(self) -> str:
        return _presenter("text")(self)  # type: ignore[no-any-return]


def _finite_verdict(group: EquivarianceGroup) -> str:
    data = finite_of(group.solution)
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
    data = finite_of(group.solution)
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


def _outside_notes(group: EquivarianceGroup) -> tuple[str, ...]:
    """What lies outside the searched class, and the theorem that closes the gap where one applies."""
    from .solve._forms import affine_forms

    completion = group.complete_in
    if completion.theorem == "translations spanning R^n":
        return (
            "the mechanisms include every translation of R^n, so among all maps (not only "
            f"{group.ansatz.describe()}) exactly the translations commute: a(z + d) = a(z) + d "
            "for all d forces a(z) = z + a(0)",
        )
    if completion.beyond_class:
        return (f"complete beyond the searched class, among {completion.within} maps ({completion.theorem}): "
                f"{completion.reason}",)
    notes = [f"the group contains {e.description}, outside the searched class ({e.checked})"
             for e in group.outside_class]
    if group.outside_class:
        notes.append(f"{group.ansatz.describe()} were searched exhaustively only: the answer within them is a "
                     "lower bound on the group a learner may apply")
        return tuple(notes)
    note = f"only {group.ansatz.describe()} were searched; maps outside this class may also commute"
    forms = affine_forms(group.system) or []
    pushes = [
        s.b for f in forms if f.kind == "map" for s in f.slices if s.is_constant and s.A == sympy.eye(s.A.rows)
    ]
    if any(not b.is_zero_matrix for b in pushes) and not group.identifiable:
        note += " (e.g. z + p(z) with p periodic along each translation)"
    if completion.hint:
        note += "; " + completion.hint
    return (note,)


def in_reported(a: Map, solution: Solution) -> bool | None:
    """Whether ``a`` is ``general∘d∘(z + sum k_j v_j)`` for a discrete representative ``d``
    (or the identity), integers ``k_j`` over the pure shifts ``z + v_j`` among the
    representatives, and some parameter values; None where this was not decided (a
    family or a comparison that is not polynomial in its unknowns)."""
    latents = solution.latents
    general, parameters = solution.general_element, solution.parameters
    shifts = [tuple(sympy.expand(e - z) for e, z in zip(d, latents)) for d in solution.discrete]
    lattice = [v for v in shifts if all(not (x.free_symbols & set(latents)) for x in v)]
    ks = sympy.symbols(f"_k0:{len(lattice)}") if lattice else ()
    shift = tuple(z + sum((k * v[i] for k, v in zip(ks, lattice)), sympy.Integer(0)) for i, z in enumerate(latents))
    unknowns = list(parameters) + list(ks)
    decided = True
    for d in [tuple(latents)] + list(solution.discrete):
        inner = tuple(sympy.sympify(e).xreplace(dict(zip(latents, shift))) for e in d)
        coset = tuple(sympy.sympify(e).xreplace(dict(zip(latents, inner))) for e in general)
        difference = [sympy.expand(c - e) for c, e in zip(coset, a)]
        if not all(x.is_polynomial(*latents) for x in difference):
            decided = False
            continue
        equations = [c for x in difference if x != 0 for c in sympy.Poly(x, *latents).coeffs()]
        if not equations:
            return True
        if not all(sympy.sympify(q).is_polynomial(*unknowns) for q in equations if unknowns):
            decided = False
            continue
        if not unknowns:
            if all(is_zero(q) for q in equations):
                return True
            continue
        try:
            found = sympy.solve(equations, unknowns, dict=True)
        except (NotImplementedError, ValueError, TypeError):
            decided = False
            continue
        for values in found:
            multiples = [sympy.sympify(values.get(k, 0)) for k in ks]
            if all(v.is_integer for v in multiples):
                return True
            if all(v.is_integer is not False for v in multiples):
                decided = False  # the multiples of the shifts are not decided to be integers
    return False if decided else None


