"""Shared test settings: the hypothesis profiles of ``equivid.testing.pytest_plugin``
(``equivid-dev``: fast, local; ``equivid-ci``: derandomized, chosen when ``CI`` is set)."""

pytest_plugins = ["equivid.testing.pytest_plugin"]
