"""Spec files (YAML) to :class:`~equivid.mechanisms.System`, and back.

The format is DESIGN.md section 4 (a stable contract)::

    latents: [z1, z2]
    mechanisms:
      push: [z1 + 1, z2]
      grow: "(2*z1, 3*z2)"
    families: [d]          # symbols quantified over all reals
    constants: {theta: 1}  # symbols replaced by exact values
    parameters: {a: real, b: positive}  # symbols the answer depends on (a case tree)
    constraints: ["a != b"]             # relations on the parameters
    flows: {drift: [1, 0]} # continuous-time mechanisms (vector fields)
    ansatz: affine         # default class searched: linear | affine | polynomial:D
"""

from __future__ import annotations

import os
from typing import Any

import yaml

from ._files import read_text
from .mechanisms import SPEC_KEYS, System, system_from_spec
from .parameters import constraint_text, describe_parameter

__all__ = ["load", "system_from_spec", "system_to_spec", "SPEC_KEYS"]


def load(path: str | os.PathLike[str]) -> System:
    """Read a spec file and build its :class:`System`.

    Parameters
    ----------
    path : str or os.PathLike
        The spec file (YAML; the format is in the module docstring).

    Returns
    -------
    System
        The system the spec describes (as :meth:`System.from_spec` builds it).

    Raises
    ------
    SpecError
        If the file cannot be read or its spec has a bad entry.

    Examples
    --------
    >>> import equivid, pathlib
    >>> spec = pathlib.Path(equivid.__file__).parent / "examples" / "translation_family.yaml"
    >>> equivid.load(spec).families
    (d1, d2)
    """
    return system_from_spec(read_text(path, field="SPEC", what="spec file"))


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
    if system.parameters:
        data["parameters"] = {s.name: describe_parameter(s) for s in system.parameters}
    if system.constraints:
        data["constraints"] = [constraint_text(c) for c in system.constraints]
    for key, group in (("mechanisms", system.maps), ("flows", system.flows)):
        if group:
            data[key] = {m.name: _entry(m) for m in group}
    if system.ansatz:
        data["ansatz"] = system.ansatz
    if system.learner is not None:
        data["learner"] = system.learner
    if system.observe is not None:
        data["observe"] = system.observe
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
