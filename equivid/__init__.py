"""equivid: up to which transformations do known mechanisms identify latent variables?

The answer is the group of maps that commute with every mechanism (Ahuja, Hartford and
Bengio, ICLR 2022). equivid computes it exactly, names it and verifies it.

Examples
--------
>>> import equivid
>>> system = equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"], "push": ["z1 + 1", "z2 + 1"]})
>>> equivid.solve(system).identifiable
True
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING

from .errors import (
    BudgetExceededError,
    EquividError,
    SpecError,
    UnsupportedMechanismError,
    VerificationError,
)

if TYPE_CHECKING:
    from ._api import check, classify, lie_algebra, sketch, solve
    from ._parse import ExactnessWarning
    from .ansatz import Ansatz
    from .examine import CrossExamination, cross_examine
    from .groups import EquivarianceGroup
    from .invariants import group_invariants, mechanism_invariants
    from .mechanisms import Mechanism, System
    from .parametric import CaseTree, solve_cases
    from .proofs import ProofSketch
    from .solve._lie import dimension_profile
    from .spec import load

#: Public name -> the module that defines it. ``import equivid`` loads none of them (it is
#: cheap: the command line's ``--help`` and its input errors need no solver); the first
#: use of any of them loads the entry points, the printers and the prover.
_EXPORTS = {
    "check": "._api", "classify": "._api", "lie_algebra": "._api", "sketch": "._api", "solve": "._api",
    "ExactnessWarning": "._parse", "Ansatz": ".ansatz", "EquivarianceGroup": ".groups",
    "group_invariants": ".invariants", "mechanism_invariants": ".invariants", "Mechanism": ".mechanisms",
    "System": ".mechanisms", "ProofSketch": ".proofs", "dimension_profile": ".solve._lie", "load": ".spec",
    "cross_examine": ".examine", "CrossExamination": ".examine",
    "solve_cases": ".parametric", "CaseTree": ".parametric",
}

__all__ = [
    "Ansatz",
    "BudgetExceededError",
    "EquivarianceGroup",
    "EquividError",
    "ExactnessWarning",
    "Mechanism",
    "ProofSketch",
    "SpecError",
    "System",
    "UnsupportedMechanismError",
    "VerificationError",
    "CrossExamination",
    "CaseTree",
    "check",
    "classify",
    "cross_examine",
    "dimension_profile",
    "group_invariants",
    "lie_algebra",
    "load",
    "mechanism_invariants",
    "sketch",
    "solve",
    "solve_cases",
]

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """The public names, each imported on first use (PEP 562); ``cross_examine`` loads the
    numeric optimiser only then. Submodules (``equivid.render``, ...) import as usual."""
    if name in _EXPORTS:
        importlib.import_module("._api", __name__)  # the entry points, which load the printers and the prover
        value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
        globals()[name] = value
        return value
    try:
        return importlib.import_module(f".{name}", __name__)
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{name}":
            raise  # a submodule that exists but misses a dependency says so
        raise AttributeError(f"module 'equivid' has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted(set(__all__) | set(globals()))


class _Package(types.ModuleType):
    """The package's module type: importing the subpackage ``equivid.solve`` must not
    replace the function ``equivid.solve`` (the import system sets a parent's attribute to
    each submodule it loads; ``from equivid.solve import ...`` still finds the subpackage
    in ``sys.modules``)."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in _EXPORTS and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
