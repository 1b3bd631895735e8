"""Simulate a :class:`~equivid.System`: transitions ``(z, m(z))`` and trajectories.

numpy and scipy only. Mechanisms are lambdified once; family symbols are drawn per
transition (standard normal unless ``family_scale`` says otherwise); stochastic
mechanisms add noise drawn from their law; flows are integrated for time ``dt``;
finite-state systems move state indices through their tables. Every function takes
``rng=`` (anything :func:`numpy.random.default_rng` accepts) and never touches global
random state.

Examples
--------
>>> import equivid
>>> system = equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})
>>> data = transitions(system, 4, rng=0)
>>> data.z.shape, bool(np.allclose(data.z_next, data.z * [2, 3]))
((4, 2), True)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy
from numpy.typing import NDArray

from ..errors import SpecError, UnsupportedMechanismError
from ..mechanisms import Mechanism, System
from ..noise import parse_law, sample_law

__all__ = ["Transitions", "NumericMechanism", "numeric_mechanisms", "mechanism_noise", "transitions", "trajectory",
           "sample_noise"]

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Transitions:
    """Simulated transitions: ``z_next[i]`` follows ``z[i]`` under mechanism ``label[i]``.

    ``params[i]`` holds the values of the family symbols drawn for transition ``i``
    (shape ``(N, 0)`` without families); ``names`` the mechanisms by label.

    Parameters
    ----------
    z : numpy.ndarray
        The states before, ``(N, n)`` (state indices, ``(N, 1)``, for finite-state
        systems).
    z_next : numpy.ndarray
        The states after, ``(N, n)``.
    label : numpy.ndarray
        The mechanism of each transition, an index into ``names``, ``(N,)``.
    params : numpy.ndarray
        The family symbols' values per transition, ``(N, number of families)``.
    names : tuple of str
        The mechanisms' names, by label.

    Examples
    --------
    >>> import equivid
    >>> walk = equivid.System.from_maps(["z1"], {"up": ["z1 + 1"], "down": ["z1 - 1"]})
    >>> data = transitions(walk, 6, rng=0)
    >>> len(data), data.names, data.params.shape
    (6, ('up', 'down'), (6, 0))
    >>> bool(np.allclose(data.z_next - data.z, np.where(data.label == 0, 1.0, -1.0)[:, None]))
    True
    """

    z: Array
    z_next: Array
    label: NDArray[np.int64]
    params: Array
    names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.z)


@dataclass(frozen=True)
class NumericMechanism:
    """One mechanism as a vectorised function ``(z, params) -> m(z)`` on ``(N, n)`` arrays."""

    name: str
    kind: str
    function: Callable[..., Any]
    noise: dict[str, Any] | None
    n: int

    def __call__(self, z: Array, params: Array | None = None) -> Array:
        columns = [z[:, k] for k in range(z.shape[1])]
        extra = [] if params is None else [params[:, k] for k in range(params.shape[1])]
        values = self.function(*columns, *extra)
        return np.stack([np.broadcast_to(np.asarray(v, dtype=np.float64), (len(z),)) for v in values], axis=1)


def numeric_mechanisms(system: System) -> tuple[NumericMechanism, ...]:
    """The system's continuous mechanisms, lambdified with numpy (families as extra arguments)."""
    if system.states is not None:
        raise UnsupportedMechanismError("numeric mechanisms: finite-state systems move state indices (use transitions)")
    out = []
    for m in system.mechanisms:
        function = sympy.lambdify(system.latents + system.families, list(m.components), modules="numpy")
        out.append(NumericMechanism(m.name, m.kind, function, mechanism_noise(m, system.n), system.n))
    return tuple(out)


def mechanism_noise(m: Mechanism, n: int) -> dict[str, Any] | None:
    """The validated noise law of ``m`` as ``{"law": name, **parameters}`` (None without noise);
    see :func:`equivid.noise.parse_law`."""
    if not m.noise:
        return None
    return parse_law(dict(m.noise), f"mechanisms.{m.name}.noise", n)


def sample_noise(law: Mapping[str, Any], size: int, n: int, rng: Any = None) -> Array:
    """``size`` draws of an ``n``-dimensional noise law (as parsed from a spec; the
    registry :mod:`equivid.noise` does the sampling).

    Laws: ``gaussian`` (``cov``), ``laplace``/``uniform``/``exponential`` (``scale``;
    uniform on ``[-scale, scale]`` per coordinate), ``generalized_normal`` (``beta``,
    ``scale``), ``student_t`` (``nu``, ``scale``), ``product`` (one law per coordinate).

    Parameters
    ----------
    law : Mapping
        The law, ``{"law": name, **parameters}`` (as :func:`equivid.noise.parse_law`
        returns it).
    size : int
        The number of draws.
    n : int
        The dimension.
    rng : optional
        Anything :func:`numpy.random.default_rng` accepts.

    Returns
    -------
    numpy.ndarray
        The draws, ``(size, n)``.

    Examples
    --------
    >>> eps = sample_noise({"law": "laplace", "scale": 1}, 20000, 2, rng=0)
    >>> bool(abs(np.abs(eps).mean() - 1) < 0.05)
    True
    """
    return sample_law(law, size, n, rng)


def _flow(mechanism: NumericMechanism, z: Array, params: Array, dt: float) -> Array:
    from scipy.integrate import solve_ivp

    n, count = z.shape[1], len(z)

    def field(_: float, y: Array) -> Array:
        state = y.reshape(count, n)
        return mechanism(state, params).ravel()

    solution = solve_ivp(field, (0.0, dt), z.ravel(), rtol=1e-8, atol=1e-10)
    return np.asarray(solution.y[:, -1].reshape(count, n))


def step(mechanisms: Sequence[NumericMechanism], z: Array, label: NDArray[np.int64], params: Array,
         generator: np.random.Generator, dt: float) -> Array:
    """One step of each row ``z[i]`` under mechanism ``label[i]``: maps applied (noise drawn
    from ``generator``), flows integrated for time ``dt``."""
    out = np.empty_like(z)
    for k, m in enumerate(mechanisms):
        rows = label == k
        if not rows.any():
            continue
        if m.kind == "flow":
            out[rows] = _flow(m, z[rows], params[rows], dt)
            continue
        out[rows] = m(z[rows], params[rows])
        if m.noise is not None:
            out[rows] += sample_noise(m.noise, int(rows.sum()), z.shape[1], generator)
    return out


def _finite_transitions(system: System, count: int, generator: np.random.Generator) -> Transitions:
    from ..finite import mechanism_tables

    tables = mechanism_tables(system)
    states = generator.integers(0, tables.shape[1], size=count)
    label = generator.integers(0, len(tables), size=count)
    following = tables[label, states]
    empty = np.zeros((count, 0))
    return Transitions(states.astype(np.float64)[:, None], following.astype(np.float64)[:, None], label, empty,
                       tuple(m.name for m in system.mechanisms))


def transitions(system: System, count: int, *, rng: Any = None, states: Callable[..., Array] | None = None,
                family_scale: float = 1.0, dt: float = 0.5) -> Transitions:
    """``count`` transitions ``(z, z')``, each under a mechanism drawn uniformly.

    ``z`` is drawn by ``states(generator, count)`` (default: standard normal);
    family symbols are drawn from ``N(0, family_scale^2)`` per transition; flows are
    integrated for time ``dt``. Finite-state systems give state indices (one column).

    Parameters
    ----------
    system : System
        The system to simulate.
    count : int
        The number of transitions.
    rng : optional
        Anything :func:`numpy.random.default_rng` accepts.
    states : callable, optional
        ``states(generator, count)`` gives the ``(count, n)`` states before (default:
        standard normal).
    family_scale : float, default 1.0
        The standard deviation of the family symbols' values.
    dt : float, default 0.5
        The time for which flows are integrated.

    Returns
    -------
    Transitions
        The ``count`` transitions.

    Raises
    ------
    SpecError
        When ``count`` is not a positive integer.

    Examples
    --------
    >>> import equivid
    >>> family = equivid.System.from_maps(["z1", "z2"], {"shift": ["z1 + d1", "z2 + d2"]}, families=["d1", "d2"])
    >>> data = transitions(family, 3, rng=1)
    >>> bool(np.allclose(data.z_next - data.z, data.params))
    True
    """
    generator = np.random.default_rng(rng)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise SpecError("count", count, "a positive number of transitions")
    if system.states is not None:
        return _finite_transitions(system, count, generator)
    mechanisms = numeric_mechanisms(system)
    z = states(generator, count) if states is not None else generator.standard_normal((count, system.n))
    label = generator.integers(0, len(mechanisms), size=count)
    params = family_scale * generator.standard_normal((count, len(system.families)))
    z_next = step(mechanisms, z, label, params, generator, dt)
    return Transitions(z, z_next, label, params, tuple(m.name for m in mechanisms))


def trajectory(system: System, steps: int, *, rng: Any = None, start: Sequence[float] | None = None,
               family_scale: float = 1.0, dt: float = 0.5) -> Transitions:
    """One trajectory of ``steps`` transitions, each under a mechanism drawn uniformly
    (consecutive: ``z[t + 1] == z_next[t]``).

    Parameters
    ----------
    system : System
        The system to simulate.
    steps : int
        The number of transitions.
    rng : optional
        Anything :func:`numpy.random.default_rng` accepts.
    start : sequence of float, optional
        The first state (default: standard normal; a uniformly drawn state for
        finite-state systems, whose ``start[0]`` is a state index).
    family_scale : float, default 1.0
        The standard deviation of the family symbols' values.
    dt : float, default 0.5
        The time for which flows are integrated.

    Returns
    -------
    Transitions
        The ``steps`` consecutive transitions.

    Examples
    --------
    >>> import equivid
    >>> walk = equivid.System.from_maps(["z1"], {"up": ["z1 + 1"], "down": ["z1 - 1"]})
    >>> path = trajectory(walk, 5, rng=0, start=[0.0])
    >>> bool(np.allclose(path.z[1:], path.z_next[:-1]))
    True
    """
    generator = np.random.default_rng(rng)
    if system.states is not None:
        from ..finite import mechanism_tables

        tables = mechanism_tables(system)
        state = int(start[0]) if start is not None else int(generator.integers(tables.shape[1]))
        label = generator.integers(0, len(tables), size=steps)
        path = [state]
        for k in label:
            path.append(int(tables[k, path[-1]]))
        array = np.asarray(path, dtype=np.float64)[:, None]
        return Transitions(array[:-1], array[1:], label, np.zeros((steps, 0)), tuple(m.name for m in system.mechanisms))
    mechanisms = numeric_mechanisms(system)
    z = np.empty((steps + 1, system.n))
    z[0] = np.asarray(start, dtype=np.float64) if start is not None else generator.standard_normal(system.n)
    label = generator.integers(0, len(mechanisms), size=steps)
    params = family_scale * generator.standard_normal((steps, len(system.families)))
    for t in range(steps):
        z[t + 1] = step(mechanisms, z[t : t + 1], label[t : t + 1], params[t : t + 1], generator, dt)[0]
    return Transitions(z[:-1], z[1:], label, params, tuple(m.name for m in mechanisms))
