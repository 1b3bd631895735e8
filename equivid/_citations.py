"""Citations of the theory notes in what users copy into their papers.

The code cites its mathematics as ``docs/theory.md#section`` (a path in equivid's source
tree, where the theory notes and their literature references live). A reader of a paper
cannot follow such a path, so the printed proof sketches and reports cite the section by
its title and the equivid version instead (the notes ship in the source distribution).
JSON keeps the path, for programs.
"""

from __future__ import annotations

import re

__all__ = ["SECTIONS", "cite", "source_note"]

#: The sections of docs/theory.md that the code cites, by their anchors (tests/test_docs.py
#: checks each against the page's headings).
SECTIONS = {
    "result-1-exact-mechanisms": "Result 1: exact mechanisms",
    "result-2-a-known-class-of-mechanisms": "Result 2: a known class of mechanisms",
    "result-3-stochastic-mechanisms": "Result 3: stochastic mechanisms",
    "facts-the-solver-uses": "Facts the solver uses",
    "affine-mechanisms": "Affine mechanisms",
    "discrete-parts": "Discrete parts",
    "finite-state-sets": "Finite state sets",
    "components-of-a-commutant": "Components of a commutant",
    "isolated-elements-of-non-polynomial-mechanisms": "Isolated elements of non-polynomial mechanisms",
    "beyond-the-searched-class": "Beyond the searched class",
    "complete-beyond-the-class": "Complete beyond the class",
}

_PATH = re.compile(r"docs/theory\.md(?:\\?#([a-z0-9-]+))?('s)?")


def cite(text: str, *, latex: bool = False) -> str:
    """``text`` with each ``docs/theory.md#anchor`` written as a citation a reader can follow.

    Parameters
    ----------
    text : str
        Plain text, Markdown, or LaTeX (where ``#`` is escaped as ``\\#``).
    latex : bool, optional
        Quote section titles the LaTeX way (default: straight double quotes).

    Returns
    -------
    str
        The text, cited by section title.

    Examples
    --------
    >>> cite("sound (docs/theory.md#result-1-exact-mechanisms).")
    'sound (equivid theory notes, "Result 1: exact mechanisms").'
    >>> cite("as in docs/theory.md's identity")
    "as in the equivid theory notes' identity"
    """
    def replace(match: re.Match[str]) -> str:
        anchor, possessive = match.group(1), match.group(2)
        if anchor is None:
            return "the equivid theory notes'" if possessive else "the equivid theory notes"
        title = SECTIONS.get(anchor, anchor.replace("-", " "))
        quoted = f"``{title}''" if latex else f'"{title}"'
        return f"equivid theory notes, {quoted}" + ("'s" if possessive else "")

    return _PATH.sub(replace, text)


def source_note(version: str) -> str:
    """Where the cited notes are: the closing line of a printed sketch or report."""
    return (f"The theory notes cited are docs/theory.md of equivid {version} (in its source distribution), "
            "with the literature they rest on.")
