"""Shared test settings: hypothesis profiles ``dev`` (fast, local) and ``ci`` (derandomized)."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "dev",
    derandomize=True,
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("EQUIVID_HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
