"""Observations a user recorded, for :func:`equivid.numeric.verify` (``equivid verify SPEC --data FILE.npz``).

A data file is a NumPy ``.npz`` archive (``numpy.savez``) with these arrays, ``N``
transitions in all:

==========  ===============================  ====================================================
key         shape                            meaning
==========  ===============================  ====================================================
``x``       ``(N, D)`` or ``(N, [C,] H, W)``  observations before the transition (images allowed)
``x_next``  same as ``x``                    the observations after it
``labels``  ``(N,)``                         the mechanism of each transition: an index into the
                                             spec's mechanisms (maps, then flows) or its name;
                                             optional when the spec has one mechanism
``z``       ``(N, n)``                       optional: the true latents of ``x``, for scoring
``params``  ``(N, k)``                       the family symbols' values, when the spec has ``k``
``dt``      ``()``                           optional: a flow's time step (default 0.5)
==========  ===============================  ====================================================

With true latents ``z`` the learned map ``h = f∘g`` is fitted against them, as for
simulated data. Without them, trained encoders are compared with each other: for
encoders ``f_0, f_k`` with ``f_i∘g = a_i`` in the group, ``f_k∘f_0^{-1} = a_k∘a_0^{-1}`` lies
in the group as well, so seed ``k``'s outputs are fitted against seed 0's.

Examples
--------
>>> import equivid, numpy as np, io
>>> system = equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})
>>> z = np.random.default_rng(0).standard_normal((50, 2))
>>> buffer = io.BytesIO(); np.savez(buffer, x=z, x_next=z * [2, 3]); _ = buffer.seek(0)
>>> data = load_observations(buffer, system)
>>> data.x.shape, data.labels[:3].tolist(), data.z is None
((50, 2), [0, 0, 0], True)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import SpecError
from ..mechanisms import System

__all__ = ["Observations", "load_observations", "KEYS"]

Array = NDArray[np.float64]
#: The arrays a data file may hold.
KEYS = ("x", "x_next", "labels", "z", "params", "dt")


@dataclass(frozen=True)
class Observations:
    """Recorded transitions: ``x_next[i]`` follows ``x[i]`` under mechanism ``labels[i]``.

    ``x`` is kept flat, ``(N, D)``; ``image_shape`` is the shape of one observation when
    the file held images (``(C, H, W)``), else ``None``.
    """

    x: Array
    x_next: Array
    labels: NDArray[np.int64]
    params: Array
    z: Array | None = None
    dt: float = 0.5
    image_shape: tuple[int, ...] | None = None
    source: str = "data"

    def __len__(self) -> int:
        return len(self.x)


def _array(data: Mapping[str, Any], key: str, where: str) -> NDArray[Any]:
    try:
        value = np.asarray(data[key])
    except ValueError as error:  # an object array in an archive read without pickle
        raise SpecError(f"{where}: {key}", "an object array", "a numeric array (saved without pickle)") from error
    return value


def _numeric(value: NDArray[Any], field: str, shape: str) -> Array:
    if value.dtype.kind not in "iuf":
        raise SpecError(field, f"an array of dtype {value.dtype}", f"a numeric array of shape {shape}")
    out = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(out)):
        raise SpecError(field, "non-finite values (nan or inf)", f"finite numbers, shape {shape}")
    return out


def _labels(value: NDArray[Any] | None, count: int, system: System, field: str) -> NDArray[np.int64]:
    names = [m.name for m in system.mechanisms]
    if value is None:
        if len(names) != 1:
            raise SpecError(field, "missing", f"an array 'labels' of shape ({count},): the spec has {len(names)} "
                            f"mechanisms ({', '.join(names)})")
        return np.zeros(count, dtype=np.int64)
    if value.shape != (count,):
        raise SpecError(field, f"shape {value.shape}", f"shape ({count},), one label per transition")
    if value.dtype.kind in "US":
        unknown = sorted(set(map(str, value)) - set(names))
        if unknown:
            raise SpecError(field, unknown[0], f"a mechanism of the spec: {', '.join(names)}")
        index = {name: k for k, name in enumerate(names)}
        return np.array([index[str(v)] for v in value], dtype=np.int64)
    if value.dtype.kind not in "iu" and not (value.dtype.kind == "f" and np.all(value == np.round(value))):
        raise SpecError(field, f"an array of dtype {value.dtype}", "integer indices or mechanism names")
    labels = value.astype(np.int64)
    bad = labels[(labels < 0) | (labels >= len(names))]
    if bad.size:
        raise SpecError(field, int(bad[0]), f"an index from 0 to {len(names) - 1} ({', '.join(names)})")
    return labels


def load_observations(source: Any, system: System) -> Observations:
    """Read and check recorded transitions for ``system``.

    ``source`` is a path to an ``.npz`` file, an open binary file, a mapping of arrays, or
    an :class:`Observations`. Every mistake is a one-line :class:`~equivid.SpecError`
    naming the array, the value found and what was expected; the file is only read.
    """
    if isinstance(source, Observations):
        return source
    where = "--data"
    if isinstance(source, Mapping):
        arrays: Mapping[str, Any] = source
        where = "data"
    else:
        name = str(source) if isinstance(source, (str, Path)) else "data"
        if isinstance(source, (str, Path)):
            path = Path(source)
            if not path.is_file():
                raise SpecError("--data", str(source), "an existing .npz file (numpy.savez)")
        try:
            with np.load(source, allow_pickle=False) as archive:
                arrays = {key: archive[key] for key in archive.files}
        except (OSError, ValueError, EOFError) as error:
            raise SpecError("--data", name, f"a .npz archive written by numpy.savez ({type(error).__name__})") from None
        where = name
    unknown = sorted(set(arrays) - set(KEYS))
    if unknown:
        raise SpecError(f"{where}: {unknown[0]}", "an unknown array", f"arrays among {', '.join(KEYS)}")
    for key in ("x", "x_next"):
        if key not in arrays:
            raise SpecError(f"{where}: {key}", "missing", "an array of observations, shape (N, D) or (N, C, H, W)")
    if system.states is not None:
        raise SpecError("--data", where, "a spec with continuous latents (finite-state systems are not trained)")
    x = _array(arrays, "x", where)
    if x.ndim not in (2, 3, 4) or len(x) < 20:
        raise SpecError(f"{where}: x", f"shape {x.shape}", "shape (N, D), (N, H, W) or (N, C, H, W) with N >= 20")
    x = _numeric(x, f"{where}: x", "(N, D)")
    count = len(x)
    x_next = _numeric(_array(arrays, "x_next", where), f"{where}: x_next", str(x.shape))
    if x_next.shape != x.shape:
        raise SpecError(f"{where}: x_next", f"shape {x_next.shape}", f"the shape of x, {x.shape}")
    labels = _labels(_array(arrays, "labels", where) if "labels" in arrays else None, count, system, f"{where}: labels")
    n, k = system.n, len(system.families)
    z = None
    if "z" in arrays:
        z = _numeric(_array(arrays, "z", where), f"{where}: z", f"({count}, {n})")
        if z.shape != (count, n):
            raise SpecError(f"{where}: z", f"shape {z.shape}", f"shape ({count}, {n}): the true latents "
                            f"({', '.join(s.name for s in system.latents)}) of each x")
    if k and "params" not in arrays:
        raise SpecError(f"{where}: params", "missing", f"an array of shape ({count}, {k}): the values of "
                        f"{', '.join(s.name for s in system.families)} per transition")
    params = np.zeros((count, 0))
    if "params" in arrays:
        params = _numeric(_array(arrays, "params", where), f"{where}: params", f"({count}, {k})")
        if params.shape != (count, k):
            raise SpecError(f"{where}: params", f"shape {params.shape}", f"shape ({count}, {k}), one column per "
                            "family symbol" + (f" ({', '.join(s.name for s in system.families)})" if k else
                                               " (the spec has none: leave params out)"))
    dt = 0.5
    if "dt" in arrays:
        value = _array(arrays, "dt", where)
        if value.shape != () or value.dtype.kind not in "iuf" or not float(value) > 0:
            raise SpecError(f"{where}: dt", value.tolist(), "a positive number (the flows' time step)")
        dt = float(value)
    image = tuple(int(d) for d in x.shape[1:]) if x.ndim > 2 else None
    if image is not None and len(image) == 2:
        image = (1, *image)
    flat = x.reshape(count, -1)
    return Observations(flat, x_next.reshape(count, -1), labels, params, z, dt, image, where)
