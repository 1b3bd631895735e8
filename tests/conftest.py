"""Shared test settings: the hypothesis profiles of ``equivid.testing.pytest_plugin``
(``equivid-dev``: fast, local; ``equivid-ci``: derandomized, chosen when ``CI`` is set).

Under pytest-xdist (the README runs the suite with ``-n auto --dist loadgroup``) the tests that
train encoders with PyTorch share one worker: each already uses more than one core (seeds in
parallel, BLAS threads), and two at once on a 2-core machine take several times as long."""

from __future__ import annotations

from typing import Any

import pytest

pytest_plugins = ["equivid.testing.pytest_plugin"]

#: Modules whose tests train encoders (or may), and single tests elsewhere that do.
TRAINING_MODULES = {"test_numeric_verify.py", "test_numeric_data.py", "test_sprites.py", "test_noise_laws.py"}
TRAINING_TESTS = ("real_numeric_backend", "verify_plot_into_a_fifo")


def pytest_collection_modifyitems(config: Any, items: list[pytest.Item]) -> None:
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        if item.path.name in TRAINING_MODULES or any(name in item.name for name in TRAINING_TESTS):
            item.add_marker(pytest.mark.xdist_group("training"))
