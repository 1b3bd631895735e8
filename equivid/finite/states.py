"""Finite-state systems: the states, and mechanisms evaluated into integer tables.

A finite-state system declares its coordinates and their ranges
(``states: {i: 4, j: 3}``); the states are the integer tuples in those ranges,
enumerated lexicographically in the order listed, so state ``(i, j)`` has index
``3*i + j``. A mechanism is a map of the states, written as sympy expressions in the
coordinates (``Mod``, ``Min``, ``Max``, ``Piecewise``, integer arithmetic), as an
explicit table over the enumerated states, or as the edges of a networkx digraph.
This module turns each mechanism into an integer array ``table[s]`` = index of
``m(s)``, evaluating expressions on all states at once with numpy
(:func:`sympy.lambdify`), never state by state.

Examples
--------
>>> system = finite_system({"i": 4, "j": 3}, {"right": "(Mod(i + 1, 4), j)", "up": "(i, Min(j + 1, 2))"})
>>> mechanism_tables(system)[1].tolist()
[1, 2, 2, 4, 5, 5, 7, 8, 8, 10, 11, 11]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy
from numpy.typing import NDArray

from ..errors import SpecError
from ..mechanisms import System, finite_system, state_sizes, system_from_graph
from .kernels import deterministic_table

__all__ = [
    "MAX_STATES",
    "StatePermutation",
    "StateSpace",
    "evaluate",
    "expression_for",
    "finite_system",
    "map_table",
    "mechanism_kernels",
    "mechanism_tables",
    "state_sizes",
    "system_from_graph",
]

IntArray = NDArray[np.int64]
Map = tuple[sympy.Expr, ...]

#: Largest number of states a system may declare (the tables are dense arrays).
MAX_STATES = 10**7


@dataclass(frozen=True)
class StateSpace:
    """The states of a finite-state system: integer tuples in ``0..size-1`` per coordinate.

    Examples
    --------
    >>> space = StateSpace(("i", "j"), (4, 3))
    >>> space.count, space.state(5), space.index([np.array([1]), np.array([2])]).tolist()
    (12, (1, 2), [5])
    """

    names: tuple[str, ...]
    sizes: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.names) != len(self.sizes) or not self.names:
            raise SpecError("states", dict(zip(self.names, self.sizes)), "one size per coordinate")
        for name, size in zip(self.names, self.sizes):
            if isinstance(size, bool) or not isinstance(size, int) or size < 1:
                raise SpecError(f"states.{name}", size, "a positive integer number of values")
        if self.count > MAX_STATES:
            raise SpecError("states", dict(zip(self.names, self.sizes)), f"at most {MAX_STATES} states in all")

    @classmethod
    def of(cls, system: System) -> StateSpace:
        """The state space a system declares (``SpecError`` when it declares none)."""
        if not system.states:
            raise SpecError("states", None, "a finite-state system (declare 'states:')")
        return cls(tuple(name for name, _ in system.states), tuple(size for _, size in system.states))

    @property
    def count(self) -> int:
        """Number of states."""
        return math.prod(self.sizes)

    @property
    def symbols(self) -> tuple[sympy.Symbol, ...]:
        return tuple(sympy.Symbol(name) for name in self.names)

    def coordinates(self) -> tuple[IntArray, ...]:
        """One array per coordinate: its value at every state, in state order."""
        grids = np.unravel_index(np.arange(self.count, dtype=np.int64), self.sizes)
        return tuple(np.asarray(g, dtype=np.int64) for g in grids)

    def index(self, coordinates: Sequence[IntArray]) -> IntArray:
        """State indices of coordinate arrays (which must lie in range)."""
        return np.asarray(np.ravel_multi_index(tuple(coordinates), self.sizes), dtype=np.int64)

    def state(self, index: int) -> tuple[int, ...]:
        """The coordinate tuple of state ``index``."""
        return tuple(int(v) for v in np.unravel_index(int(index), self.sizes))

    def ranges(self) -> str:
        return ", ".join(f"{n} in 0..{s - 1}" for n, s in zip(self.names, self.sizes))


@dataclass(frozen=True, eq=False)
class StatePermutation:
    """A permutation of ``n`` states stored sparsely: ``moved[k] -> images[k]``, others fixed.

    ``numpy.asarray(p)`` gives the full table; :meth:`cycles` the cycle notation.

    Examples
    --------
    >>> p = StatePermutation(5, np.array([1, 3]), np.array([3, 1]))
    >>> np.asarray(p).tolist(), p.cycles()
    ([0, 3, 2, 1, 4], [[1, 3]])
    """

    n: int
    moved: IntArray
    images: IntArray

    def table(self) -> IntArray:
        out = np.arange(self.n, dtype=np.int64)
        out[self.moved] = self.images
        return out

    def __array__(self, dtype: Any = None, copy: Any = None) -> NDArray[Any]:
        return self.table() if dtype is None else self.table().astype(dtype)

    def cycles(self) -> list[list[int]]:
        """The cycles of length at least 2, each starting at its smallest state."""
        image = dict(zip(self.moved.tolist(), self.images.tolist()))
        out, seen = [], set()
        for start in sorted(image):
            if start in seen or image[start] == start:
                continue
            cycle, s = [], start
            while s not in seen:
                seen.add(s)
                cycle.append(s)
                s = image[s]
            out.append(cycle)
        return out

    def __repr__(self) -> str:
        return f"StatePermutation(n={self.n}, cycles={self.cycles()})"


_EXACT = 2**53  # int64 and float64 agree exactly below this magnitude


def _values(expr: sympy.Expr, symbols: Sequence[sympy.Symbol], coords: Sequence[IntArray], count: int) -> NDArray[Any]:
    """``expr`` at every state, vectorised; float or int array of length ``count``.

    Evaluated in int64/float64 unless a constant or a product or power in ``expr`` may
    leave the range where those are exact (``x**1000``, ``Mod(3**x, 7)``): then with
    Python integers (exact), and a value too large for a state is returned as ``nan``."""
    function = sympy.lambdify(list(symbols), expr, modules="numpy")
    exact = _may_overflow(expr, symbols, coords)
    args = [c.astype(object) for c in coords] if exact else coords
    with np.errstate(all="ignore"):
        out = np.asarray(function(*args))
    if out.dtype == object:
        out = np.array([_small(v) for v in np.ravel(out)], dtype=np.float64).reshape(out.shape)
    return np.broadcast_to(out, (count,))


def _small(v: Any) -> float:
    """An exact value as a float, ``nan`` where it is not a real number of at most 2**53."""
    try:
        if isinstance(v, (int, np.integer)) or (isinstance(v, sympy.Basic) and v.is_Integer):
            return float(v) if abs(int(v)) < _EXACT else math.nan
        f = float(v)
    except (TypeError, ValueError, OverflowError):
        return math.nan
    return f if abs(f) < _EXACT else math.nan


def _may_overflow(expr: sympy.Expr, symbols: Sequence[sympy.Symbol], coords: Sequence[IntArray]) -> bool:
    """Whether a constant, product or power inside ``expr`` reaches 2**53 at some state
    (probed in float64, so a wrapped int64 never passes unnoticed)."""
    for sub in sympy.preorder_traversal(expr):
        if isinstance(sub, sympy.Integer) and abs(int(sub)) >= _EXACT:
            return True
        if isinstance(sub, (sympy.Pow, sympy.Mul)) and sub.free_symbols:
            try:
                probe = sympy.lambdify(list(symbols), sub, modules="numpy")
                with np.errstate(all="ignore"):
                    values = np.abs(np.asarray(probe(*[c.astype(np.float64) for c in coords]), dtype=np.float64))
            except (TypeError, ValueError, OverflowError, ZeroDivisionError, NameError, AttributeError):
                return True
            if np.any(values[~np.isnan(values)] >= _EXACT):
                return True
    return False


def evaluate(components: Sequence[sympy.Expr], space: StateSpace, *, field: str = "map") -> IntArray:
    """The table of the map ``s -> (e_1(s), ..., e_d(s))`` over all states, vectorised.

    Raises ``SpecError`` naming ``field`` and the first state whose image is not an
    integer tuple in the declared ranges.

    Examples
    --------
    >>> i = sympy.Symbol("i")
    >>> evaluate((sympy.Mod(i + 1, 3),), StateSpace(("i",), (3,))).tolist()
    [1, 2, 0]
    >>> evaluate((i + 1,), StateSpace(("i",), (3,)), field="mechanisms.up")
    Traceback (most recent call last):
    ...
    equivid.errors.SpecError: mechanisms.up: got 'state (2,) -> (3,)', expected images in the declared ranges (i in 0..2)
    """
    symbols = space.symbols
    if len(components) != len(symbols):
        raise SpecError(field, [str(c) for c in components], f"{len(symbols)} components, one per coordinate")
    stray = set().union(*(sympy.sympify(c).free_symbols for c in components)) - set(symbols)
    if stray:
        raise SpecError(field, [str(c) for c in components], "expressions in the state coordinates",
                        detail=f"unknown symbol {sorted(map(str, stray))[0]!r}")
    coords = space.coordinates()
    n = space.count
    images: list[NDArray[Any]] = []
    raw: list[NDArray[Any]] = []
    bad = np.zeros(n, dtype=bool)
    for expr, size in zip(components, space.sizes):
        try:
            values = _values(sympy.sympify(expr), symbols, coords, n)
        except (TypeError, ValueError, NameError, AttributeError, ArithmeticError) as exc:
            raise SpecError(field, str(expr), "an integer expression numpy can evaluate", detail=str(exc)) from None
        if values.dtype.kind in "iub":
            ints = values.astype(np.int64)
        else:
            with np.errstate(all="ignore"):
                rounded = np.rint(values.astype(np.float64))
                bad |= ~np.isfinite(rounded) | (rounded != values)
                ints = np.where(np.isfinite(rounded), rounded, -1).astype(np.int64)
        bad |= (ints < 0) | (ints >= size)
        images.append(ints)
        raw.append(values)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        image = tuple(_scalar(v[first]) for v in raw)
        raise SpecError(field, f"state {space.state(first)} -> {_tuple(image)}",
                        f"images in the declared ranges ({space.ranges()})")
    return space.index(images)


def _scalar(v: Any) -> Any:
    try:
        f = float(v)
    except (TypeError, ValueError, OverflowError):
        return "a number too large"
    return int(f) if math.isfinite(f) and f == int(f) else f


def _tuple(values: Sequence[Any]) -> str:
    return "(" + ", ".join(str(v) for v in values) + ("," if len(values) == 1 else "") + ")"


def check_table(values: Any, space: StateSpace, *, field: str) -> IntArray:
    """A table as an int array: one entry per state, each a state index."""
    arr = np.asarray(values)
    if arr.ndim != 1 or arr.size != space.count:
        raise SpecError(field, f"{arr.size} entries", f"one entry per state ({space.count} states)")
    if arr.size and arr.dtype.kind not in "iu":
        raise SpecError(field, arr.dtype.name, "integer state indices")
    arr = arr.astype(np.int64)
    bad = np.flatnonzero((arr < 0) | (arr >= space.count))
    if bad.size:
        first = int(bad[0])
        raise SpecError(field, f"state {space.state(first)} -> index {int(arr[first])}",
                        f"state indices in 0..{space.count - 1}")
    return arr


def mechanism_tables(system: System) -> IntArray:
    """The ``(k, N)`` array of the system's mechanisms as state tables.

    Examples
    --------
    >>> system = finite_system({"i": 3}, {"step": "(Mod(i + 1, 3),)", "stay": {"table": [0, 1, 2]}})
    >>> mechanism_tables(system).tolist()
    [[1, 2, 0], [0, 1, 2]]
    """
    space = StateSpace.of(system)
    if system.families:
        raise SpecError("families", [s.name for s in system.families], "no families in a finite-state system")
    rows = []
    for m in system.mechanisms:
        field = f"{'flows' if m.is_flow else 'mechanisms'}.{m.name}"
        if m.is_flow:
            raise SpecError(field, [str(c) for c in m.components], "maps of the states (flows are continuous)")
        if m.table is not None:
            rows.append(check_table(m.table, space, field=field + ".table"))
        elif m.kernel is not None:  # a Markov kernel: here only a deterministic (0/1) one
            table = deterministic_table(m.kernel)
            if table is None:
                raise SpecError(field + ".kernel", "a stochastic kernel", "a deterministic map (see equivid.finite.kernels)")
            rows.append(check_table(table, space, field=field + ".kernel"))
        else:
            rows.append(evaluate(m.components, space, field=field))
    return np.stack(rows)


def mechanism_kernels(system: System) -> list[Any]:
    """Every mechanism as its state table (a map) or its exact Markov kernel (rows of rationals),
    in the form :func:`equivid.finite.kernel_group` takes.

    Examples
    --------
    >>> system = finite_system({"i": 2}, {"step": "(Mod(i + 1, 2),)", "walk": {"kernel": [["1/2", "1/2"], [0, 1]]}})
    >>> [k if isinstance(k, tuple) else k.tolist() for k in mechanism_kernels(system)]
    [[1, 0], ((1/2, 1/2), (0, 1))]
    """
    StateSpace.of(system)
    if system.families:
        raise SpecError("families", [s.name for s in system.families], "no families in a finite-state system")
    out: list[Any] = []
    for m in system.mechanisms:
        if m.kernel is not None:
            out.append(m.kernel)
        else:
            single = System(system.latents, (m,), ansatz=system.ansatz, states=system.states)
            out.append(mechanism_tables(single)[0])
    return out


def map_table(a: Any, system: System, *, field: str = "map") -> IntArray:
    """The table of a map given as components (``"(Mod(i + 1, 4), j)"``), ``{"table": [...]}``,
    a numpy array of state indices or a sympy ``Permutation``.

    Examples
    --------
    >>> system = finite_system({"i": 4}, {"step": "(Mod(i + 1, 4),)"})
    >>> map_table("(Mod(i + 3, 4),)", system).tolist()
    [3, 0, 1, 2]
    """
    space = StateSpace.of(system)
    if isinstance(a, Mapping) and set(a) == {"table"}:
        return check_table(a["table"], space, field=field)
    if isinstance(a, (np.ndarray, StatePermutation)):
        return check_table(np.asarray(a), space, field=field)
    if hasattr(a, "array_form"):  # sympy Permutation
        form = list(a.array_form) + list(range(len(a.array_form), space.count))
        return check_table(form, space, field=field)
    return evaluate(system.parse_map(a, field=field), space, field=field)


def expression_for(perm: IntArray, space: StateSpace) -> Map | None:
    """The map as expressions when each image coordinate is ``x``, ``Mod(x + c, n)`` or
    ``Mod(c - x, n)`` for some coordinate ``x``; else None.

    Examples
    --------
    >>> expression_for(np.array([2, 3, 0, 1]), StateSpace(("i",), (4,)))
    (Mod(i + 2, 4),)
    >>> expression_for(np.array([1, 0, 2, 3]), StateSpace(("i",), (4,))) is None
    True
    """
    coords = space.coordinates()
    images = np.unravel_index(np.asarray(perm, dtype=np.int64), space.sizes)
    symbols = space.symbols
    out = []
    for image, size in zip(images, space.sizes):
        found = None
        for x, sym in zip(coords, symbols):
            if np.array_equal(image, x):
                found = sym
                break
            for sign in (1, -1):
                c = int((image[0] - sign * x[0]) % size)
                if np.array_equal(image, np.mod(sign * x + c, size)):
                    found = sympy.Mod(sign * sym + c, size)
                    break
            if found is not None:
                break
        if found is None:
            return None
        out.append(found)
    return tuple(out)


