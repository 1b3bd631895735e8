"""Sphinx configuration for equivid's documentation site.

Build it from the repository root with one command (the README gives it too)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

``-W`` turns every warning into an error, as CI does. The gallery (``examples/*.py``) is
executed at build time by sphinx-gallery; the API reference is generated from the numpydoc
docstrings by autosummary. Why Sphinx and not MkDocs: ``docs/about_these_docs.md``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# The gallery's scripts draw figures without a screen.
os.environ.setdefault("MPLBACKEND", "Agg")

import equivid  # noqa: E402  (after the path is set)

project = "equivid"
author = "the equivid developers"
copyright = "2026, the equivid developers"
release = equivid.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py", "auto_examples/*.zip"]
templates_path: list[str] = []

# Markdown pages (the theory page, the architecture page): $...$ and $$...$$ math, and
# anchors for their headings, which the code and the examples cite as theory.md#<section>.
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
# The Markdown pages link to source files of the repository (../equivid/...), which are not
# documents of the site; they stay plain links.
suppress_warnings = ["myst.xref_missing"]

# The API reference: one page per public name, from the numpydoc docstrings.
autosummary_generate = True
autodoc_default_options = {"members": False}
autodoc_typehints = "none"
numpydoc_show_class_members = True
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = False

# The gallery: every script under examples/ runs at build time (make_sketches.py writes the
# bundled sketches into the repository and is left to its own command).
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r".*\.py$",
    "ignore_pattern": r"make_sketches\.py$",
    "download_all_examples": False,
    "within_subsection_order": "FileNameSortKey",
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "show_memory": False,
    "plot_gallery": "True",
}

html_theme = "alabaster"
html_title = f"equivid {release}"
html_static_path: list[str] = []
html_theme_options = {
    "description": "Identifiability of latent variables from known mechanisms, exactly.",
    "fixed_sidebar": True,
}
