"""What a solver part hands back: a family of maps, its Lie algebra, its discrete part."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy

from ..ansatz import Ansatz

__all__ = ["AffineStructure", "Claim", "Completeness", "Solution", "parameter_symbols"]

Map = tuple[sympy.Expr, ...]


def parameter_symbols(count: int, taken: Sequence[str]) -> tuple[sympy.Symbol, ...]:
    """``t1, t2, ...``, with another letter when a latent or family already uses one."""
    for prefix in ("t", "s", "u", "p", "theta"):
        names = [f"{prefix}{k + 1}" for k in range(count)]
        if not set(names) & set(taken):
            return tuple(sympy.Symbol(name) for name in names)
    return tuple(sympy.Symbol(f"param_{k + 1}") for k in range(count))


@dataclass(frozen=True)
class Claim:
    """How complete one claim of an answer is: proved complete within the searched class,
    or a lower bound, with ``reason`` saying what was not searched."""

    complete: bool
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"complete": self.complete, "reason": self.reason} if not self.complete else {"complete": True}


COMPLETE = Claim(True)


@dataclass(frozen=True)
class Completeness:
    """What a solver part searched exhaustively, within its class.

    ``identity_component``: the Lie algebra and the family through the identity are all
    of the identity component within the class (dimension is exact). ``discrete``: every
    component of the group within the class is represented (components, finiteness,
    order). ``infinite_discrete``: the discrete part found is infinite (e.g. a lattice of
    shifts), so the group has infinitely many components.
    """

    identity_component: Claim = COMPLETE
    discrete: Claim = COMPLETE
    infinite_discrete: bool = False

    @classmethod
    def lower_bound(cls, reason: str, *, dimension: bool = True) -> Completeness:
        """Discrete part searched partially (``reason``); identity component complete
        unless ``dimension`` is False."""
        return cls(COMPLETE if dimension else Claim(False, reason), Claim(False, reason))


@dataclass(frozen=True)
class AffineStructure:
    """The solution set ``{(B, c)} = base + span(directions)`` of an affine ansatz.

    ``base`` and each direction are pairs ``(B, c)`` of exact matrices; the general
    element is ``base + sum_k t_k directions[k]``; ``identity`` holds the ``t`` giving
    the identity map. ``commutant_of`` names the mechanisms whose linear parts' joint
    commutant is exactly the span of the directions' linear parts (empty otherwise).
    """

    base: tuple[sympy.ImmutableMatrix, sympy.ImmutableMatrix]
    directions: tuple[tuple[sympy.ImmutableMatrix, sympy.ImmutableMatrix], ...]
    identity: tuple[sympy.Expr, ...] = ()
    commutant_of: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        return self.base[0].rows

    def linear_parts(self) -> list[sympy.ImmutableMatrix]:
        return [B for B, _ in self.directions]

    def is_pure_translation(self) -> bool:
        return all(B.is_zero_matrix for B, _ in self.directions)


@dataclass(frozen=True)
class Solution:
    """A solved system, before it is wrapped as an :class:`~equivid.groups.EquivarianceGroup`.

    ``general_element`` is a map in the latents and ``parameters``; every parameter
    value with all ``nonzero`` expressions nonzero gives an element of the group.
    ``identity`` lists the parameter values that give the identity map.
    """

    latents: tuple[sympy.Symbol, ...]
    ansatz: Ansatz
    general_element: Map
    parameters: tuple[sympy.Symbol, ...]
    identity: tuple[sympy.Expr, ...]
    nonzero: tuple[sympy.Expr, ...]
    lie_algebra: tuple[Map, ...]
    discrete: tuple[Map, ...] = ()
    components: int | None = 1
    structure: AffineStructure | None = None
    parts: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())
    # -- finite-state systems: a solve._finite.FiniteGroup (generators, order, orbits) --
    finite_group: Any = field(default=None, compare=False)
    # -- hypothesis classes and stochastic mechanisms (solve/_classes.py, solve/_noise.py):
    # the defining condition (``membership(a, system)``, ``describe()``), whether the set
    # is a group, the name the part recognised, and extra JSON keys --
    condition: Any = field(default=None, compare=False)
    is_group: bool | None = None
    name: str | None = None
    extra: tuple[tuple[str, Any], ...] = field(default=(), compare=False)

    # -- a piece given by equations in its parameters (the orthogonal class): its dimension --
    known_dimension: int | None = None
    # -- what the part searched exhaustively (see Completeness) --
    completeness: Completeness = field(default=Completeness(), compare=False)

    @property
    def kind(self) -> str:
        """``"finite"`` (finite-state), ``"class"`` (a learner knowing a class),
        ``"noise"`` (stochastic mechanisms) or ``"family"`` (maps in a class of maps)."""
        if self.finite_group is not None:
            return "finite"
        if self.condition is not None:
            return str(getattr(self.condition, "kind", "noise"))
        return "family"

    @property
    def dimension(self) -> int:
        if self.known_dimension is not None:
            return self.known_dimension
        return len(self.parameters)
