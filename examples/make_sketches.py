"""Proof sketches of the bundled examples, written to examples/sketches/.

Shows: ``equivid.sketch`` on every spec under ``equivid/examples/`` (a Markdown file
each), plus standalone LaTeX documents for a few (compile them with ``pdflatex``).
Every step of every sketch is checked by sympy when it is built; the script prints
each example with its step kinds and whether all were checked.

Run it from the repository root: ``python examples/make_sketches.py``.
"""

from pathlib import Path

import equivid

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "equivid" / "examples"
OUT = Path(__file__).resolve().parent / "sketches"
LATEX = ("translation_single", "gaussian_walk", "class_diagonal", "cycle_12")


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for spec in sorted(SPECS.glob("*.yaml")):
        proof = equivid.sketch(equivid.load(spec))
        (OUT / f"{spec.stem}.md").write_text(proof.to_markdown(), encoding="utf-8")
        if spec.stem in LATEX:
            (OUT / f"{spec.stem}.tex").write_text(proof.to_latex(), encoding="utf-8")
        status = "all checked" if proof.all_checked else "NOT all checked"
        print(f"{spec.stem:22s} {status:16s} {' > '.join(proof.kinds)}")


if __name__ == "__main__":
    main()
