"""The README's property-testing example runs as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_property_testing_example_runs(tmp_path):
    text = README.read_text(encoding="utf-8")
    section = text.split("## Property-testing a theorem", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert len(code.strip().splitlines()) <= 16
    _passes_once(code, tmp_path / "test_my_conjecture.py")


def test_parametric_property_example_runs(tmp_path):
    """The 'Parameters' section's property test of one case runs as written."""
    section = README.read_text(encoding="utf-8").split("## Parameters: the answer as a case tree", 1)[1]
    code = re.search(r"```python\n(.*?)```", section.split("\n## ", 1)[0], re.S).group(1)
    _passes_once(code, tmp_path / "test_case.py")


def _passes_once(code, path):
    """Run ``code`` as a test file with the equivid plugin: exactly one test, passing."""
    path.write_text(code, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "equivid.testing.pytest_plugin", "-p", "no:cacheprovider", str(path)],
        capture_output=True, text=True, cwd=path.parent, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout
