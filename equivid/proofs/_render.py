"""Printers for a :class:`~equivid.proofs.ProofSketch`: Markdown and a standalone LaTeX document.

Data first, printing last: these functions only read the steps. The LaTeX uses only
``amsmath`` and ``amssymb`` (texlive-latex-base); long formulas are broken into lines.
"""

from __future__ import annotations

import re
from typing import Any

import sympy

# The sketch and its steps (equivid.proofs._base, which imports this module): read by attribute.
ProofSketch = Any
Step = Any

__all__ = ["markdown", "latex", "escape"]

TITLES = {
    "consistency": "Consistency condition",
    "ansatz": "Ansatz",
    "equations": "Equations",
    "solution": "Solution",
    "invertibility": "Invertibility",
    "law": "Symmetries of the noise law",
    "discrete": "Other components",
    "conclusion": "Conclusion",
    "outside": "Outside the class searched",
}
#: A formula longer than this (LaTeX characters) is broken into lines.
LINE = 90


def _plain(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, sympy.Equality):
        return f"{_plain(value.lhs)} = {_plain(value.rhs)}"
    if isinstance(value, sympy.MatrixBase):
        return str(value.tolist())
    if isinstance(value, (sympy.Tuple, tuple)):
        return "(" + ", ".join(_plain(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return str(value)


def _mark(step: Step) -> str:
    return ("checked" if step.checked else "a statement of scope" if step.scope
            else "FAILED its check" if step.failed else "asserted, not checked")


def _status_md(step: Step) -> str:
    if step.scope:
        return "*A statement of scope (what was searched), not a claim: nothing to check.*"
    if step.checked:
        return "*Checked:* " + "; ".join(step.checks) + "."
    done = (" Checked: " + "; ".join(step.checks) + ".") if step.checks else ""
    if step.failed:
        return f"**FAILED its check** (do not rely on this step): {step.reason}.{done}"
    return f"*Asserted, not checked:* {step.reason}.{done}"


def markdown(proof: ProofSketch) -> str:
    c = proof.conclusion
    lines = [f"# {proof.title}", "", f"*Setting:* {proof.setting}.", ""]
    lines.append("Mechanisms: " + "; ".join(
        f"`{name}: {'(' + ', '.join(v) + ')' if isinstance(v, list) else v}`" for name, v in c["mechanisms"].items()))
    lines += ["", f"**Result.** {c['verdict'][0].upper() + c['verdict'][1:]}.", "",
              f"All steps checked: **{'yes' if proof.all_checked else 'no'}**.", ""]
    for k, step in enumerate(proof.steps, 1):
        mark = _mark(step)
        lines += [f"## Step {k}. {TITLES[step.kind]} ({mark})", "", f"**Claim.** {step.claim}.", "",
                  f"**Why.** {step.justification}", ""]
        for label, value in step.objects:
            lines.append(f"- {label + ': ' if label else ''}{_markdown_math(value)}")
        if step.objects:
            lines.append("")
        lines += [_status_md(step), ""]
    return _cited("\n".join(lines), latex=False)


def _cited(text: str, *, latex: bool) -> str:
    """The theory notes cited by section and version, not by a path in equivid's source tree."""
    from .. import __version__
    from .._citations import cite, source_note

    out = cite(text, latex=latex)
    if out == text:
        return text
    note = source_note(__version__)
    return out + ("\n" + _escape(note) + "\n" if latex else "\n*" + note + "*\n")


# -- LaTeX ---------------------------------------------------------------------------------------
_ESCAPES = {
    "\\": r"\ensuremath{\backslash}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#", "_": r"\_",
    "%": r"\%", "~": r"\~{}", "^": r"\^{}", "∘": r"\ensuremath{\circ}", "<": r"\ensuremath{<}",
    ">": r"\ensuremath{>}", "|": r"\ensuremath{|}", "≤": r"\ensuremath{\le}", "≥": r"\ensuremath{\ge}",
    "→": r"\ensuremath{\to}", "∈": r"\ensuremath{\in}", "×": r"\ensuremath{\times}", "ε": r"\ensuremath{\varepsilon}", "≠": r"\ensuremath{\neq}",
}


_POWER = re.compile(r"\^[({]?(-?\w+)[)}]?")


def escape(text: str) -> str:
    """Text for LaTeX: special characters escaped, powers (``a^(-1)``, ``B^T``) and a few symbols
    as math, other non-ASCII characters as ``?``."""
    parts = _POWER.split(text)
    if len(parts) > 1:  # text, exponent, text, exponent, ...
        return "".join(_escape(p) if k % 2 == 0 else f"\\ensuremath{{^{{{p}}}}}" for k, p in enumerate(parts))
    return _escape(text)


def _escape(text: str) -> str:
    text = text.replace("->", "→").replace("<=", "≤").replace(">=", "≥").replace("!=", "≠")
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 128:
            out.append(ch)
        else:
            out.append("?")
    return "".join(out)


#: Formulas longer than this (LaTeX characters) are shown as plain text in Markdown (a code span).
MARKDOWN_MATH = 600


def _markdown_math(value: Any) -> str:
    """One object in Markdown: ``$...$`` math (a string as text; a very long formula as code)."""
    if isinstance(value, str):
        return value
    tex = _tex(value)
    return f"${tex}$" if len(tex) <= MARKDOWN_MATH else f"`{_plain(value)}`"


def _tex(value: Any) -> str:
    return sympy.latex(value) if not isinstance(value, (tuple, list)) else sympy.latex(sympy.Tuple(*value))


def _terms(expr: sympy.Expr) -> list[str]:
    """A sum's terms as LaTeX, each with its sign."""
    out = []
    for k, term in enumerate(sympy.Add.make_args(expr)):
        text = sympy.latex(term)
        out.append(text if k == 0 or text.startswith("-") else "+ " + text)
    return out


def _wrap(lhs: str, expr: Any) -> list[str]:
    """``lhs = expr`` as lines of at most about LINE characters (a sum is broken between terms)."""
    body = _tex(expr)
    eq = "&= " if lhs else "& "
    if len(lhs) + len(body) <= LINE or not isinstance(expr, sympy.Add):
        return [f"{lhs} {eq}{body}"]
    lines, current = [], ""
    for term in _terms(expr):
        if current and len(current) + len(term) > LINE:
            lines.append(current)
            current = ""
        current += (" " if current else "") + term
    lines.append(current)
    return [f"{lhs} {eq}{lines[0]}"] + [f"&\\quad {line}" for line in lines[1:]]


def _component(lhs: Any, i: int) -> str:
    """``a_{i}(z_1, z_2)`` for the i-th component of ``a(z_1, z_2)``."""
    if isinstance(lhs, sympy.Function) or (hasattr(lhs, "func") and isinstance(lhs.func, sympy.FunctionClass)
                                           and lhs.args):
        args = ", ".join(sympy.latex(x) for x in lhs.args)
        return f"{lhs.func.__name__}_{{{i + 1}}}({args})"
    return f"{sympy.latex(lhs)}_{{{i + 1}}}"


def _formula(value: Any) -> str:
    """One object as display math; tuples and equations with many components one per line."""
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, sympy.Equality) and isinstance(value.rhs, (sympy.Tuple, sympy.MatrixBase)) and \
            len(sympy.latex(value)) > LINE:
        lhs = value.lhs
        rows: list[str] = []
        rhs = list(value.rhs)
        left = list(lhs) if isinstance(lhs, (sympy.Tuple, sympy.MatrixBase)) and len(list(lhs)) == len(rhs) else None
        for i, e in enumerate(rhs):
            name = sympy.latex(left[i]) if left is not None else _component(lhs, i)
            rows += _wrap(name, e)
        return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"
    if isinstance(value, sympy.Tuple) and len(sympy.latex(value)) > LINE:
        rows = []
        for i, e in enumerate(value):
            rows += _wrap(f"({i + 1})", e)
        return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"
    if isinstance(value, sympy.Expr) and len(sympy.latex(value)) > LINE:
        return "\\begin{align*}\n" + " \\\\\n".join(_wrap("", value)) + "\n\\end{align*}"
    return "\\[ " + _tex(value) + " \\]"


def _latex_step(k: int, step: Step) -> list[str]:
    mark = _mark(step)
    lines = [f"\\subsection*{{Step {k}. {escape(TITLES[step.kind])} \\normalfont\\small ({mark})}}",
             f"\\textbf{{Claim.}} {escape(step.claim)}.", "", f"\\textbf{{Why.}} {escape(step.justification)}", ""]
    for label, value in step.objects:
        if isinstance(value, str):
            lines.append(("\\emph{" + escape(label) + ":} " if label else "") + escape(value) + "\n")
            continue
        if label:
            lines.append(f"\\emph{{{escape(label)}:}}")
        lines.append(_formula(value))
    if step.scope:
        lines.append("\\noindent\\emph{A statement of scope (what was searched), not a claim: nothing to check.}")
    elif step.checked:
        lines.append("\\noindent\\emph{Checked:} " + escape("; ".join(step.checks)) + ".")
    else:
        done = (" Checked: " + "; ".join(step.checks) + ".") if step.checks else ""
        status = "\\textbf{FAILED its check} (do not rely on this step):" if step.failed else "\\emph{Asserted, not checked:}"
        lines.append("\\noindent" + status + " " + escape(step.reason + "." + done))
    lines.append("")
    return lines


def latex(proof: ProofSketch, *, fragment: bool = False) -> str:
    """The sketch in LaTeX: a standalone ``article`` (``amsmath``, ``amssymb``), or with
    ``fragment`` the body alone, to ``\\input`` into a paper (a ``\\section*`` for the title,
    the steps as ``\\subsection*``; the paper loads ``amsmath`` and ``amssymb``)."""
    c = proof.conclusion
    mechanisms = "\\\\\n".join(
        f"\\texttt{{{escape(name)}}}: " + (f"$\\left({', '.join(_mech(v))}\\right)$" if isinstance(v, list) else escape(v))
        for name, v in c["mechanisms"].items())
    head = [
        "\\documentclass[11pt]{article}",
        "\\usepackage{amsmath,amssymb}",
        "\\addtolength{\\textwidth}{3cm}\\addtolength{\\oddsidemargin}{-1.5cm}\\addtolength{\\evensidemargin}{-1.5cm}",
        "\\setlength{\\parindent}{0pt}\\setlength{\\parskip}{4pt}",
        "\\allowdisplaybreaks",
        f"\\title{{{escape(proof.title)}}}",
        "\\author{equivid proof sketch}\\date{}",
        "\\begin{document}",
        "\\maketitle",
    ]
    if fragment:
        head = ["% equivid proof sketch: \\input this file (needs amsmath and amssymb)", f"\\section*{{{escape(proof.title)}}}"]
    body = head + [
        f"\\noindent\\textbf{{Setting.}} {escape(proof.setting)}.\\\\",
        "\\textbf{Mechanisms.}\\\\",
        mechanisms + "\\\\[4pt]",
        f"\\textbf{{Result.}} {escape(c['verdict'][0].upper() + c['verdict'][1:])}.\\\\",
        f"\\textbf{{All steps checked:}} {'yes' if proof.all_checked else 'no'}.",
        "",
    ]
    for k, step in enumerate(proof.steps, 1):
        body += _latex_step(k, step)
    text = _cited("\n".join(line for line in body if line is not None) + "\n", latex=True)
    return text + "\\end{document}\n" if not fragment else text


def html(proof: ProofSketch) -> str:
    """The sketch for a notebook (``_repr_html_``): title, result, and each step's claim, status
    and formulas (as ``$...$`` math)."""
    from html import escape as esc

    c = proof.conclusion
    parts = [f"<div class='equivid-sketch'><h3>{esc(proof.title)}</h3>",
             f"<p><strong>Result.</strong> {esc(c['verdict'][0].upper() + c['verdict'][1:])}.</p>",
             f"<p>All steps checked: <strong>{'yes' if proof.all_checked else 'no'}</strong>.</p><ol>"]
    for step in proof.steps:
        formulas = "".join(f"<li>{esc(label + ': ') if label else ''}{esc(_markdown_math(value))}</li>"
                           for label, value in step.objects)
        parts.append(f"<li><strong>{esc(TITLES[step.kind])}</strong> ({esc(_mark(step))}): {esc(step.claim)}."
                     + (f"<ul>{formulas}</ul>" if formulas else "") + "</li>")
    parts.append("</ol></div>")
    from .._citations import cite

    return cite("".join(parts))


def _mech(components: list[str]) -> list[str]:
    out = []
    for e in components:
        try:
            out.append(sympy.latex(sympy.sympify(e)))
        except (sympy.SympifyError, TypeError, SyntaxError):
            out.append("\\text{" + escape(e) + "}")
    return out
