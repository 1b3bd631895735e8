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
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from .ansatz import Ansatz
from .errors import SpecError
from .mechanisms import System, _constants, _mechanism, _named, make_symbols

__all__ = ["load", "system_from_spec", "system_to_spec", "SPEC_KEYS"]

SPEC_KEYS = (
    "latents",
    "states",
    "mechanisms",
    "flows",
    "families",
    "constants",
    "ansatz",
    "learner",
    "description",
    "name",
)


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
    """A UTF-8 text file's content; a missing or unreadable file is a SpecError on ``field``."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(field, str(path), f"an existing {what}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(field, str(path), f"a readable UTF-8 {what}", detail=str(exc)) from None


def _read_yaml(
    text: str, *, field: str = "spec", keys: Sequence[str] = SPEC_KEYS,
    shape: str = "a YAML mapping with keys such as latents and mechanisms",
) -> Mapping[str, Any]:
    """Parse YAML text into a mapping whose keys are all in ``keys`` (else SpecError on ``field``)."""
    if not isinstance(text, str):
        raise SpecError(field, text, "YAML text")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else str(exc)
        raise SpecError(field, text.strip().splitlines()[0] if text.strip() else text, "valid YAML", detail=where) from None
    if not isinstance(data, Mapping):
        raise SpecError(field, data, shape)
    for key in data:
        if key not in keys:
            raise SpecError(field, key, f"a known key ({', '.join(keys)})", detail="unknown key")
    return data


def _latent_names(data: Mapping[str, Any]) -> tuple[list[Any], tuple[tuple[str, int], ...] | None]:
    if "states" in data:
        if "latents" in data:
            raise SpecError("states", data["states"], "either 'latents' or 'states', not both")
        from .finite import state_sizes

        sizes = state_sizes(data["states"])
        return [name for name, _ in sizes], sizes
    latents = data.get("latents")
    if not isinstance(latents, list) or not latents:
        raise SpecError("latents", latents, "a non-empty list of names, e.g. [z1, z2]")
    return latents, None


def system_from_spec(text: str) -> System:
    """Build a :class:`System` from spec text.

    Examples
    --------
    >>> system = system_from_spec('''
    ... latents: [z1, z2]
    ... mechanisms:
    ...   grow: "(2*z1, 3*z2)"
    ... ''')
    >>> system.mechanisms[0].components
    (2*z1, 3*z2)
    """
    data = _read_yaml(text)
    names, states = _latent_names(data)
    latents = make_symbols(names, "states" if states else "latents")
    families = make_symbols(_list(data, "families"), "families", taken=[s.name for s in latents])
    taken = [s.name for s in latents + families]
    constants = _constants(data.get("constants") or {}, taken)
    table = {s.name: s for s in latents + families}
    table.update({s.name: s for s, _ in constants})
    if "mechanisms" not in data and "flows" not in data:
        raise SpecError("mechanisms", None, "a mapping of named mechanisms (or 'flows')")
    mechanisms = [
        _mechanism(name, value, kind, table, dict(constants))
        for kind, key in (("map", "mechanisms"), ("flow", "flows"))
        for name, value in _named(data.get(key) or {}, key)
    ]
    ansatz = data.get("ansatz")
    if ansatz is None and states:  # finite-state systems search permutations of the states
        ansatz = "finite"
    if ansatz is not None:
        ansatz = str(Ansatz.parse(ansatz, field="ansatz"))
    description = data.get("description") or data.get("name") or ""
    return System(
        latents,
        tuple(mechanisms),
        families=families,
        constants=constants,
        ansatz=ansatz,
        learner=data.get("learner"),
        states=states,
        description=str(description),
    )


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise SpecError(key, value, "a list of names")
    return value


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
    if mechanism.kernel is not None:  # Markov kernel (equivid.kernels)
        return {"kernel": [[str(p) for p in row] for row in mechanism.kernel]}
    text = "(" + ", ".join(str(c) for c in mechanism.components) + ("," if len(mechanism.components) == 1 else "") + ")"
    if mechanism.noise is None:
        return text
    return {"map": text, "noise": dict(mechanism.noise)}
