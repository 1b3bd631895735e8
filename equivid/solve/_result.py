"""What a solver part hands back: a family of maps, its Lie algebra, its discrete part."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, overload

import sympy

from ..ansatz import Ansatz

__all__ = [
    "AffineStructure",
    "Claim",
    "Completeness",
    "Condition",
    "ConditionSolution",
    "FiniteData",
    "FiniteSolution",
    "Lazy",
    "Solution",
    "condition_of",
    "finite_of",
    "parameter_symbols",
]

Map = tuple[sympy.Expr, ...]


class Lazy(Sequence[Any]):
    """A tuple whose items are built on first access: the sympy form of a large answer kept
    as exact matrices (a Lie algebra of 1600 maps in 40 latents is tens of thousands of
    sympy numbers, built only when printed or asked for). Compares and hashes as the tuple
    it stands for.

    Examples
    --------
    >>> built = []
    >>> maps = Lazy(3, lambda k: built.append(k) or (k, k + 1))
    >>> len(maps), built
    (3, [])
    >>> maps[1], built
    ((1, 2), [1])
    >>> maps == ((0, 1), (1, 2), (2, 3))
    True
    """

    def __init__(self, count: int, item: Callable[[int], Any], source: Any = None):
        self._count, self._item = count, item
        self._built: dict[int, Any] = {}
        #: what the items are built from (e.g. the exact matrices of affine maps), for checks
        #: that read it directly; None where there is nothing beside the items
        self.source = source

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Any, ...]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return tuple(self[k] for k in range(*index.indices(self._count)))
        k = index + self._count if index < 0 else index
        if not 0 <= k < self._count:
            raise IndexError(index)
        if k not in self._built:
            self._built[k] = self._item(k)
        return self._built[k]

    def __iter__(self) -> Iterator[Any]:
        return (self[k] for k in range(self._count))

    def __add__(self, other: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(self) + tuple(other)

    def __radd__(self, other: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(other) + tuple(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(other) == self._count and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))


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
    commutant is exactly the span of the directions' linear parts (empty otherwise);
    ``commuting`` holds matrices known to commute with every linear part (the mechanisms'
    linear parts), which split the algebra of linear parts when its components are counted.
    """

    base: tuple[sympy.ImmutableMatrix, sympy.ImmutableMatrix]
    directions: tuple[tuple[sympy.ImmutableMatrix, sympy.ImmutableMatrix], ...]
    identity: tuple[sympy.Expr, ...] = ()
    commutant_of: tuple[str, ...] = ()
    commuting: tuple[sympy.MatrixBase, ...] = field(default=(), compare=False)

    @property
    def n(self) -> int:
        return self.base[0].rows

    def linear_parts(self) -> list[sympy.ImmutableMatrix]:
        return [B for B, _ in self.directions]

    def is_pure_translation(self) -> bool:
        return all(B.is_zero_matrix for B, _ in self.directions)


class Condition(Protocol):
    """The defining condition of a class or noise answer (``solve/_classes.py``,
    ``solve/_noise.py``): exact membership, sampling, and the affine pieces it is made of."""

    kind: str
    pieces: tuple[Any, ...]

    def holds(self, a: Any) -> bool: ...

    def membership(self, a: Any, system: Any) -> tuple[Map, bool, bool | None, bool | None]: ...

    def sample(self, rng: Any, latents: Sequence[sympy.Symbol]) -> Map: ...


class FiniteData(Protocol):
    """A group of permutations of a finite state set (``equivid/finite/part.py``)."""

    @property
    def name(self) -> str | None: ...

    @property
    def space(self) -> Any: ...

    @property
    def group(self) -> Any: ...

    @property
    def order(self) -> int: ...

    @property
    def orbits(self) -> tuple[tuple[tuple[int, ...], ...], ...]: ...

    def generator_maps(self) -> tuple[Any, ...]: ...

    def general_element(self) -> tuple[list[str], list[str], dict[str, str]]: ...

    def sample(self, rng: Any = None) -> Any: ...

    def state_graph(self) -> Any: ...

    def orbit_graph(self) -> Any: ...


@dataclass(frozen=True)
class Solution:
    """A solved system, before it is wrapped as an :class:`~equivid.groups.EquivarianceGroup`:
    a family of maps in a class of maps (``kind == "family"``); the subclasses
    :class:`FiniteSolution` and :class:`ConditionSolution` hold the other kinds.

    ``general_element`` is a map in the latents and ``parameters``; every parameter
    value with all ``nonzero`` expressions nonzero gives an element of the group.
    ``identity`` lists the parameter values that give the identity map. ``name`` is the
    name a part recognised (None: named from the structure); ``is_group`` is False for a
    set that is not closed under composition (classes), None where it is a group by
    construction; ``extra`` holds further JSON keys; ``known_dimension`` the dimension of
    a piece given by equations in its parameters; ``completeness`` what the part
    searched exhaustively.
    """

    kind: ClassVar[str] = "family"

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
    is_group: bool | None = None
    name: str | None = None
    extra: tuple[tuple[str, Any], ...] = field(default=(), compare=False)
    known_dimension: int | None = None
    completeness: Completeness = field(default=Completeness(), compare=False)

    @property
    def dimension(self) -> int:
        if self.known_dimension is not None:
            return self.known_dimension
        return len(self.parameters)


@dataclass(frozen=True, kw_only=True)
class FiniteSolution(Solution):
    """A group of permutations of a finite state set: ``finite_group`` holds its
    generators (state tables), exact order and orbits."""

    kind: ClassVar[str] = "finite"

    finite_group: FiniteData = field(compare=False)


@dataclass(frozen=True, kw_only=True)
class ConditionSolution(Solution):
    """A class or noise answer: the set of affine maps satisfying ``condition``
    (``a∘m∘a^{-1}`` in the class; the mean maps commute and the noise law is kept)."""

    condition: Condition = field(compare=False)

    @property
    def kind(self) -> str:  # type: ignore[override]
        return self.condition.kind


def finite_of(solution: Solution) -> FiniteData:
    """The finite-state group of a finite answer (``TypeError`` for another kind)."""
    if not isinstance(solution, FiniteSolution):
        raise TypeError(f"a {solution.kind} answer has no finite-state group")
    return solution.finite_group


def condition_of(solution: Solution) -> Condition:
    """The defining condition of a class or noise answer (``TypeError`` for another kind)."""
    if not isinstance(solution, ConditionSolution):
        raise TypeError(f"a {solution.kind} answer has no defining condition")
    return solution.condition
