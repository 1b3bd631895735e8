"""Spec files (YAML) to :class:`~equivid.mechanisms.System`, and back.

The format is DESIGN.md section 4 (a stable contract)::

    latents: [z1, z2]
    mechanisms:
      push: [z1 + 1, z2]
      grow: "(2*z1, 3*z2)"
    families: [d]          # symbols quantified over all reals
    constants: {theta: 1}  # symbols replaced by exact values
    flows: {drift: [1, 0]} # continuous-time mechanisms (vector fields)
    ansatz: affine         # default class searched: linear | affine | polynomial:D
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml

from ._parse import MAX_SPEC_BYTES
from .errors import SpecError
from .mechanisms import SPEC_KEYS, System, system_from_spec

__all__ = ["load", "system_from_spec", "system_to_spec", "SPEC_KEYS"]


def load(path: str | os.PathLike[str]) -> System:
    """Read a spec file and build its :class:`System`.

    Examples
    --------
    >>> import equivid, pathlib
    >>> spec = pathlib.Path(equivid.__file__).parent / "examples" / "translation_family.yaml"
    >>> equivid.load(spec).families
    (d1, d2)
    """
    return system_from_spec(read_text(path, field="SPEC", what="spec file"))


def read_text(path: str | os.PathLike[str], *, field: str, what: str) -> str:
    """A UTF-8 text file's content; a missing, unreadable, non-regular (a directory, a
    FIFO, a device such as ``/dev/zero``) or too large file is a SpecError on ``field``.

    At most :data:`~equivid._parse.MAX_SPEC_BYTES` bytes are accepted; one more is read
    to tell, never the whole of a larger file.
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise SpecError(field, str(path), f"an existing {what}") from None
    except OSError as exc:
        raise SpecError(field, str(path), f"a readable UTF-8 {what}", detail=exc.strerror or type(exc).__name__) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = ("a directory" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode)
                    else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket or other special file")
            raise SpecError(field, str(path), f"a readable UTF-8 {what}", detail=f"{kind}, not a regular file")
        chunks, size = [], 0
        while size <= MAX_SPEC_BYTES:
            chunk = os.read(fd, MAX_SPEC_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_SPEC_BYTES:
            raise SpecError(field, str(path), f"a {what} of at most {MAX_SPEC_BYTES} bytes (the limit)")
        return b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(field, str(path), f"a readable UTF-8 {what}",
                        detail=f"not UTF-8 at byte {exc.start}") from None
    except OSError as exc:
        raise SpecError(field, str(path), f"a readable UTF-8 {what}", detail=exc.strerror or type(exc).__name__) from None
    finally:
        os.close(fd)


def system_to_spec(system: System) -> str:
    """Write a system as spec text that :func:`system_from_spec` reads back.

    Constants are written with their values; the mechanisms already hold them.

    Examples
    --------
    >>> system = System.from_maps(["z1", "z2"], {"push": ["z1 + 1", "z2"]})
    >>> system_from_spec(system_to_spec(system)) == system
    True
    """
    data: dict[str, Any] = {}
    if system.states:
        data["states"] = dict(system.states)
    else:
        data["latents"] = [s.name for s in system.latents]
    if system.families:
        data["families"] = [s.name for s in system.families]
    if system.constants:
        data["constants"] = {s.name: str(value) for s, value in system.constants}
    for key, group in (("mechanisms", system.maps), ("flows", system.flows)):
        if group:
            data[key] = {m.name: _entry(m) for m in group}
    if system.ansatz:
        data["ansatz"] = system.ansatz
    if system.learner is not None:
        data["learner"] = system.learner
    if system.description:
        data["description"] = system.description
    return yaml.safe_dump(data, sort_keys=False)


def _entry(mechanism: Any) -> Any:
    if mechanism.table is not None:  # finite-state table (equivid.finite)
        return {"table": list(mechanism.table)}
    if mechanism.kernel is not None:  # Markov kernel (equivid.finite.kernels)
        return {"kernel": [[str(p) for p in row] for row in mechanism.kernel]}
    text = "(" + ", ".join(str(c) for c in mechanism.components) + ("," if len(mechanism.components) == 1 else "") + ")"
    if mechanism.noise is None:
        return text
    return {"map": text, "noise": dict(mechanism.noise)}
