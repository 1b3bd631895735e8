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

from . import render as render  # registers the text and LaTeX printers of a group
from ._api import check, classify, lie_algebra, sketch, solve
from ._parse import ExactnessWarning
from .ansatz import Ansatz
from .errors import (
    BudgetExceededError,
    EquividError,
    SpecError,
    UnsupportedMechanismError,
    VerificationError,
)
from .groups import EquivarianceGroup
from .invariants import group_invariants, mechanism_invariants
from .mechanisms import Mechanism, System
from .proofs import ProofSketch
from .solve._lie import dimension_profile
from .spec import load

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
]

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """``cross_examine`` and ``CrossExamination`` (:mod:`equivid.examine`), imported on first
    use so that ``import equivid`` does not load the numeric optimiser."""
    if name in ("cross_examine", "CrossExamination"):
        from . import examine

        return getattr(examine, name)
    raise AttributeError(f"module 'equivid' has no attribute {name!r}")
