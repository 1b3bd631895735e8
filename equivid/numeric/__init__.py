"""Numeric checks of a predicted group: simulate, mix, train, fit, decide.

numpy and scipy only, except :mod:`equivid.numeric.train` (PyTorch, the optional
``equivid[learn]`` extra), which is imported when an encoder is trained.

Examples
--------
>>> import equivid
>>> from equivid.numeric import random_decoder, transitions
>>> system = equivid.System.from_maps(["z1", "z2"], {"turn": ["-z2", "z1"]})
>>> data = transitions(system, 100, rng=0)
>>> g = random_decoder(2, dim=4, rng=0)
>>> g(data.z).shape
(100, 4)
"""

from .fitters import (
    AffineFit,
    fit_elements,
    fit_general,
    fit_identity,
    fit_orthogonal,
    fit_permutations,
    fit_scalings,
    fit_span,
    fit_translations,
    r2_score,
)
from .mixing import Decoder, random_decoder
from .models import GroupModel, group_model, outside_map
from .simulate import Transitions, sample_noise, trajectory, transitions
from .verify import (
    Control,
    Estimate,
    SeedResult,
    VerifyReport,
    as_encoder,
    assess,
    consistency_r2,
    state_law,
    verify,
)

simulate = transitions

__all__ = [
    "AffineFit",
    "Control",
    "Decoder",
    "Estimate",
    "GroupModel",
    "SeedResult",
    "Transitions",
    "VerifyReport",
    "as_encoder",
    "assess",
    "consistency_r2",
    "fit_elements",
    "fit_general",
    "fit_identity",
    "fit_orthogonal",
    "fit_permutations",
    "fit_scalings",
    "fit_span",
    "fit_translations",
    "group_model",
    "outside_map",
    "r2_score",
    "random_decoder",
    "sample_noise",
    "simulate",
    "state_law",
    "trajectory",
    "transitions",
    "verify",
]
