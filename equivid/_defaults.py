"""Defaults shared by the Python API and the command line (constants only, so that building
the command line's parser loads no numeric machinery).

``VERIFY_DEFAULTS`` are :func:`equivid.numeric.verify`'s and ``equivid verify``'s: the same
in both, measured by ``benchmarks/bench_verify.py`` (README "Checking predictions
numerically"). ``lr`` ``None`` would mean the trainer's own default (3e-3, and 1e-3 for
the likelihood of stochastic mechanisms). ``threads``: torch's CPU threads while training
(two where there are two cores: the seeds' batched model is large enough to gain from a
second thread; a sweep's workers train with one each).
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["VERIFY_DEFAULTS"]

VERIFY_DEFAULTS: dict[str, Any] = {"seeds": 3, "samples": 2000, "steps": 4000, "hidden": 128, "lr": 1e-3,
                                   "threads": min(2, os.cpu_count() or 1)}
