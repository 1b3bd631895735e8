"""The documentation site (docs/): its pages' examples run, and it lists what it should.

The ``>>>`` examples of every reStructuredText page under docs/ (getting started, the user
guides, the spec-format page) run here as doctests, so a page cannot show an output the code
no longer gives. The site itself is built with warnings as errors in CI (``.ci/run``), which
also executes the gallery; these tests need no Sphinx."""

from __future__ import annotations

import doctest
import os
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.rst") if "_build" not in p.parts and "generated" not in p.parts
               and "auto_examples" not in p.parts)
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

#: The user guide has a page per capability (issue 20).
GUIDES = ("maps_and_flows", "finite_states", "classes_and_noise", "parameters", "beyond_the_class",
          "proofs", "verify", "property_testing", "sweeps")


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_page_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # a page that writes files writes them here
    monkeypatch.setenv("MPLBACKEND", "Agg")
    result = doctest.testfile(str(page), module_relative=False, optionflags=FLAGS, verbose=False,
                              globs={"__name__": "__docs__"}, raise_on_error=False)
    assert result.failed == 0, f"{page.name}: {result.failed} of {result.attempted} examples failed (run it with python -m doctest -v)"


def test_every_guide_exists_with_examples() -> None:
    for name in GUIDES:
        page = DOCS / "guide" / f"{name}.rst"
        assert page.exists(), f"docs/guide/{name}.rst is missing"
        assert ">>> " in page.read_text(), f"docs/guide/{name}.rst has no executed example"


def _toctree_entries(text: str) -> set[str]:
    entries: set[str] = set()
    for block in re.findall(r"\.\. toctree::\n((?:[ \t]+.*\n|\n)+)", text):
        entries |= {line.strip() for line in block.splitlines() if line.strip() and not line.strip().startswith(":")}
    return entries


def test_every_page_is_reachable_from_the_index() -> None:
    index = _toctree_entries((DOCS / "index.rst").read_text())
    guide = _toctree_entries((DOCS / "guide" / "index.rst").read_text())
    assert {"guide/index", "theory", "api/index", "spec_format", "getting_started"} <= index
    assert {name for name in GUIDES} <= guide


def test_the_doctest_runner_fails_a_wrong_page(tmp_path: Path) -> None:
    page = tmp_path / "wrong.rst"
    page.write_text("A wrong example\n\n>>> 1 + 1\n3\n")
    result = doctest.testfile(str(page), module_relative=False, optionflags=FLAGS, verbose=False,
                              report=False)
    assert result.failed == 1


def test_the_published_schema_is_the_shipped_one() -> None:
    text = (DOCS / "spec_format.rst").read_text()
    assert "literalinclude:: ../equivid/schema/spec.schema.json" in text
    assert os.path.exists(DOCS.parent / "equivid" / "schema" / "spec.schema.json")


def test_ci_builds_the_site_the_way_the_readme_says() -> None:
    root = DOCS.parent
    readme = (root / "README.md").read_text()
    ci = (root / ".ci" / "run").read_text()
    assert "python -m sphinx -W --keep-going -b html docs docs/_build/html" in readme
    assert "python -m sphinx -W --keep-going -q -b html docs docs/_build/html" in ci
    assert '".[test,learn,docs]"' in ci


def test_ci_runs_the_readmes_test_command() -> None:
    root = DOCS.parent
    command = 'python -m pytest -q -m "not slow" -n auto --dist loadgroup --durations=15'
    assert command in (root / "README.md").read_text()
    assert command in (root / ".ci" / "run").read_text()


def test_the_sdist_manifest_takes_every_docs_and_examples_file() -> None:
    # the sdist must build the docs and run the tests: every file under docs/ and examples/
    # (build outputs aside) matches a recursive-include pattern of MANIFEST.in
    import fnmatch

    root = DOCS.parent
    patterns: dict[str, list[str]] = {}
    for line in (root / "MANIFEST.in").read_text().splitlines():
        words = line.split()
        if words[:1] == ["recursive-include"]:
            patterns.setdefault(words[1], []).extend(words[2:])
    outputs = ("_build", "generated", "auto_examples", "__pycache__")
    for folder in ("docs", "examples"):
        for path in (root / folder).rglob("*"):
            if path.is_dir() or any(part in outputs for part in path.parts) or path.name == "sg_execution_times.rst":
                continue
            assert any(fnmatch.fnmatch(path.name, p) for p in patterns[folder]), f"{path.relative_to(root)} is not in the sdist"


def test_every_theory_section_the_code_cites_exists_under_its_title():
    """Printed sketches and reports cite docs/theory.md by section title
    (equivid/_citations.py): every anchor the code uses has a title, and that title is a
    heading of the page whose anchor is the one cited."""

    from equivid._citations import SECTIONS

    used = set()
    for path in (DOCS.parent / "equivid").rglob("*.py"):
        if path.name == "_citations.py":  # its docstrings show the form
            continue
        used |= set(re.findall(r"docs/theory\.md#([a-z0-9-]+)", path.read_text(encoding="utf-8")))
    assert used and used <= set(SECTIONS), sorted(used - set(SECTIONS))
    headings = [line.lstrip("#").strip() for line in (DOCS / "theory.md").read_text(encoding="utf-8").splitlines()
                if line.startswith("#")]
    slugs = {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-"): h for h in headings}
    for anchor, title in SECTIONS.items():
        assert slugs.get(anchor) == title, (anchor, title)


def test_printed_sketches_cite_sections_not_repository_paths():
    import equivid

    grow = equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})
    sketch = equivid.sketch(equivid.solve(grow))
    assert any("docs/theory.md#" in str(v) for v in sketch.to_dict().values())  # JSON keeps the path, for programs
    for text in (sketch.to_markdown(), sketch.to_latex(), sketch.to_latex(fragment=True)):
        assert "docs/theory.md#" not in text and "theory.md\\#" not in text
        assert "equivid theory notes" in text
    assert "docs/theory.md#" not in sketch._repr_html_()
    assert f"equivid {equivid.__version__}" in sketch.to_markdown()
    assert sketch.to_latex().rstrip().endswith("\\end{document}")
    assert "``Result 1: exact mechanisms''" in sketch.to_latex()
