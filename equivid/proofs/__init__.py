"""Proof sketches: a checked derivation of every identifiability result.

:func:`sketch_group` takes a solved group (``equivid.sketch`` solves a system first) and derives the answer
again step by step, in the order a person argues: the consistency condition, the
ansatz, the coefficient equations, their solution, invertibility, the other
components, the conclusion and what lies outside the class searched. Every step is
checked by sympy when it is built; a step that could not be checked says so.

Examples
--------
>>> import equivid
>>> system = equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})
>>> proof = equivid.sketch(system, ansatz="affine")
>>> proof.kinds
('consistency', 'ansatz', 'equations', 'solution', 'invertibility', 'discrete', 'conclusion', 'outside')
>>> proof.all_checked, proof.conclusion["dimension"]
(True, 2)
"""

from __future__ import annotations

from typing import Any

from .._progress import note
from ..groups import PRESENTERS, EquivarianceGroup
from ._base import KINDS, ProofSketch, Step

__all__ = ["sketch_group", "ProofSketch", "Step", "KINDS"]


def sketch_group(group: EquivarianceGroup) -> ProofSketch:
    """Build and check the steps for a solved group."""
    from ._exact import exact_steps
    from ._finite import finite_steps
    from ._learner import class_steps, noise_steps

    note("writing and checking the proof sketch")
    solution = group.solution
    if solution.kind == "finite":
        steps, setting = finite_steps(group), "finite-state mechanisms (permutations of the states)"
    elif solution.kind == "class":
        steps, setting = class_steps(group), "a learner that knows only a class of mechanisms (docs/theory.md#result-2-a-known-class-of-mechanisms)"
    elif solution.kind == "noise":
        steps, setting = noise_steps(group), "stochastic mechanisms with additive noise (docs/theory.md#result-3-stochastic-mechanisms)"
    else:
        kinds = "flows" if group.system.flows and not group.system.maps else "mechanisms"
        family = " (a family over " + ", ".join(map(str, group.system.families)) + ")" if group.system.families else ""
        steps, setting = exact_steps(group), f"exactly known {kinds}{family} (docs/theory.md#result-1-exact-mechanisms)"
    return ProofSketch(_title(group), setting, tuple(steps), _conclusion(group))


def _title(group: EquivarianceGroup) -> str:
    names = ", ".join(m.name for m in group.system.mechanisms[:6])
    more = ", ..." if len(group.system.mechanisms) > 6 else ""
    return f"Identifiability under {names}{more}"


def _conclusion(group: EquivarianceGroup) -> dict[str, Any]:
    return {
        "verdict": group.verdict,
        "name": group.name,
        "description": group.description,
        "complete": group.complete,
        "completeness": {key: claim.to_dict() for key, claim in group.completeness.items()},
        "dimension": group.dimension,
        "finite": group.finite,
        "order": group.order,
        "identifiable": group.identifiable,
        "components": group.components,
        "ansatz": str(group.ansatz),
        "mechanisms": {
            m.name: ("table" if not m.components else [str(e) for e in m.components]) for m in group.system.mechanisms
        },
        "latents": [s.name for s in group.latents],
    }


PRESENTERS["sketch"] = sketch_group
