"""Hypothesis profiles for property tests of identifiability, as a pytest plugin.

``equivid-dev`` (15 examples, random) is for working locally; ``equivid-ci`` (40
examples, derandomized: the same examples on every run, no flakes) is for CI. The
profile is chosen by ``EQUIVID_HYPOTHESIS_PROFILE``, else ``equivid-ci`` when the ``CI``
environment variable is set, else ``equivid-dev``.

Use it from a ``conftest.py`` at the root of your tests::

    pytest_plugins = ["equivid.testing.pytest_plugin"]

or on the command line: ``pytest -p equivid.testing.pytest_plugin``.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings

__all__ = ["register_profiles", "load_profile", "PROFILES"]

PROFILES = ("equivid-ci", "equivid-dev")


def register_profiles() -> None:
    """Register ``equivid-ci`` and ``equivid-dev`` (idempotent)."""
    settings.register_profile(
        "equivid-ci",
        derandomize=True,
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        print_blob=True,
    )
    settings.register_profile(
        "equivid-dev", parent=settings.get_profile("equivid-ci"), derandomize=False, max_examples=15, print_blob=False
    )


def load_profile() -> str:
    """Register the profiles and load the one the environment asks for; return its name."""
    register_profiles()
    name = os.environ.get("EQUIVID_HYPOTHESIS_PROFILE") or ("equivid-ci" if os.environ.get("CI") else "equivid-dev")
    if name not in PROFILES:
        from ..errors import SpecError

        raise SpecError("EQUIVID_HYPOTHESIS_PROFILE", name, f"one of {', '.join(PROFILES)}")
    settings.load_profile(name)
    return name


def pytest_configure(config: Any) -> None:
    load_profile()


def pytest_report_header(config: Any) -> str:
    return f"equivid hypothesis profile: {settings._current_profile}"  # noqa: SLF001
