"""Notebook display (issue 20, item 5): groups, proof sketches, case trees and verify reports show
as HTML and Markdown with their name, verdict, numbers and class; their plain repr is short; the
bundled notebook runs in a real kernel and shows the group with its name and verdict."""

from __future__ import annotations

from pathlib import Path

import pytest

import equivid
from equivid.numeric.verify import VerifyReport

ROOT = Path(__file__).resolve().parents[1]
GROUP = equivid.solve(equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]}))


def test_a_group_displays_name_verdict_numbers_class_and_math():
    html, markdown = GROUP._repr_html_(), GROUP._repr_markdown_()
    for shown in (html, markdown):
        assert "diagonal scalings" in shown and "identifiable up to diagonal scalings" in shown
        assert "dimension" in shown and "components" in shown and "affine" in shown
        assert "$$" in shown and "t_{1} z_{1}" in shown  # the set as math
    assert "<table>" in html


def test_short_reprs():
    assert repr(GROUP) == ("<EquivarianceGroup 'diagonal scalings': dimension 2, 4 components, "
                           "searched among affine, complete>")
    sketch = GROUP.sketch()
    assert repr(sketch).startswith("<ProofSketch 'Identifiability under grow': ") and len(repr(sketch)) < 120
    tree = equivid.solve_cases(equivid.System.from_maps(["z1", "z2"], {"step": ["a*z1", "b*z2"]}, parameters=["a", "b"]),
                               ansatz="linear")
    assert repr(tree) == "<CaseTree over a, b: 2 cases, complete>"


def test_a_sketch_uses_math_not_code_spans():
    markdown = GROUP.sketch().to_markdown()
    assert "- grow: $b_{1,2} = 0$" in markdown and "`b_{1,2}" not in markdown
    html = GROUP.sketch()._repr_html_()
    assert "Identifiability under grow" in html and "Consistency condition" in html and "$" in html


def test_a_case_tree_displays_each_case():
    tree = equivid.solve_cases(equivid.System.from_maps(["z1", "z2"], {"step": ["a*z1", "b*z2"]}, parameters=["a", "b"]),
                               ansatz="linear")
    markdown, html = tree._repr_markdown_(), tree._repr_html_()
    assert "**a = b**" in markdown and "GL(2)" in markdown and "diagonal scalings" in markdown
    assert html.count("<tr>") == 3  # a header and two cases


def test_a_verify_report_displays_its_verdict():
    report = VerifyReport(group="diagonal scalings", kind="diagonal", verdict="confirmed", seeds=(), controls=(),
                          spread=0.0, distinct=0, settings={}, seconds=0.0)
    assert repr(report) == "<VerifyReport 'diagonal scalings': confirmed, 0 seeds, controls passed>"
    assert "**Verdict:** confirmed" in report._repr_markdown_() and "confirmed" in report._repr_html_()


def test_the_bundled_notebook_runs_and_shows_the_group():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebook = nbformat.read(ROOT / "examples" / "notebook.ipynb", as_version=4)
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    shown = [o["data"] for o in notebook.cells[1].outputs if o.get("output_type") == "execute_result"]
    assert shown and "identifiable up to diagonal scalings" in shown[0]["text/html"]
    assert "<EquivarianceGroup 'diagonal scalings'" in shown[0]["text/plain"]
    sketch = [o["data"] for o in notebook.cells[2].outputs if o.get("output_type") == "execute_result"]
    assert "All steps checked" in sketch[0]["text/html"]
