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
settings.register_profile("dev", parent=settings.get_profile("ci"), max_examples=15, print_blob=False)
settings.load_profile(os.environ.get("EQUIVID_HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
