"""Proof sketches: a checked derivation of every identifiability result.

:func:`sketch` solves the system (or takes a solved group), then derives the answer
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

from typing import TYPE_CHECKING, Any

from ._base import KINDS, ProofSketch, Step

if TYPE_CHECKING:
    from ..ansatz import Ansatz
    from ..groups import EquivarianceGroup
    from ..mechanisms import System

__all__ = ["sketch", "sketch_group", "ProofSketch", "Step", "KINDS"]


def sketch(system: System | EquivarianceGroup, *, ansatz: str | Ansatz | None = None) -> ProofSketch:
    """The proof sketch of ``solve(system, ansatz=ansatz)`` (or of a solved group)."""
    from ..groups import EquivarianceGroup

    if isinstance(system, EquivarianceGroup):
        return sketch_group(system)
    from .._api import solve

    return sketch_group(solve(system, ansatz=ansatz))


def sketch_group(group: EquivarianceGroup) -> ProofSketch:
    """Build and check the steps for a solved group."""
    from ._exact import exact_steps
    from ._finite import finite_steps
    from ._learner import class_steps, noise_steps

    solution = group.solution
    if solution.finite_group is not None:
        steps, setting = finite_steps(group), "finite-state mechanisms (permutations of the states)"
    elif solution.condition is not None and hasattr(solution.condition, "H"):
        steps, setting = class_steps(group), "a learner that knows only a class of mechanisms (THEORY.md, result 2)"
    elif solution.condition is not None:
        steps, setting = noise_steps(group), "stochastic mechanisms with additive noise (THEORY.md, result 3)"
    else:
        kinds = "flows" if group.system.flows and not group.system.maps else "mechanisms"
        family = " (a family over " + ", ".join(map(str, group.system.families)) + ")" if group.system.families else ""
        steps, setting = exact_steps(group), f"exactly known {kinds}{family} (THEORY.md, result 1)"
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
