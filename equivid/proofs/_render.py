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


def _status_md(step: Step) -> str:
    if step.checked:
        return "*Checked:* " + "; ".join(step.checks) + "."
    done = (" Checked: " + "; ".join(step.checks) + ".") if step.checks else ""
    return f"*Asserted, not checked:* {step.reason}.{done}"


def markdown(proof: ProofSketch) -> str:
    c = proof.conclusion
    lines = [f"# {proof.title}", "", f"*Setting:* {proof.setting}.", ""]
    lines.append("Mechanisms: " + "; ".join(
        f"`{name}: {'(' + ', '.join(v) + ')' if isinstance(v, list) else v}`" for name, v in c["mechanisms"].items()))
    lines += ["", f"**Result.** {c['verdict'][0].upper() + c['verdict'][1:]}.", "",
              f"All steps checked: **{'yes' if proof.all_checked else 'no'}**.", ""]
    for k, step in enumerate(proof.steps, 1):
        mark = "checked" if step.checked else "asserted, not checked"
        lines += [f"## Step {k}. {TITLES[step.kind]} ({mark})", "", f"**Claim.** {step.claim}.", "",
                  f"**Why.** {step.justification}", ""]
        for label, value in step.objects:
            lines.append(f"- {label + ': ' if label else ''}`{_plain(value)}`")
        if step.objects:
            lines.append("")
        lines += [_status_md(step), ""]
    return "\n".join(lines)


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
    mark = "checked" if step.checked else "asserted, not checked"
    lines = [f"\\subsection*{{Step {k}. {escape(TITLES[step.kind])} \\normalfont\\small ({mark})}}",
             f"\\textbf{{Claim.}} {escape(step.claim)}.", "", f"\\textbf{{Why.}} {escape(step.justification)}", ""]
    for label, value in step.objects:
        if isinstance(value, str):
            lines.append(("\\emph{" + escape(label) + ":} " if label else "") + escape(value) + "\n")
            continue
        if label:
            lines.append(f"\\emph{{{escape(label)}:}}")
        lines.append(_formula(value))
    if step.checked:
        lines.append("\\noindent\\emph{Checked:} " + escape("; ".join(step.checks)) + ".")
    else:
        done = (" Checked: " + "; ".join(step.checks) + ".") if step.checks else ""
        lines.append("\\noindent\\emph{Asserted, not checked:} " + escape(step.reason + "." + done))
    lines.append("")
    return lines


def latex(proof: ProofSketch) -> str:
    c = proof.conclusion
    mechanisms = "\\\\\n".join(
        f"\\texttt{{{escape(name)}}}: " + (f"$\\left({', '.join(_mech(v))}\\right)$" if isinstance(v, list) else escape(v))
        for name, v in c["mechanisms"].items())
    body = [
        "\\documentclass[11pt]{article}",
        "\\usepackage{amsmath,amssymb}",
        "\\addtolength{\\textwidth}{3cm}\\addtolength{\\oddsidemargin}{-1.5cm}\\addtolength{\\evensidemargin}{-1.5cm}",
        "\\setlength{\\parindent}{0pt}\\setlength{\\parskip}{4pt}",
        "\\allowdisplaybreaks",
        f"\\title{{{escape(proof.title)}}}",
        "\\author{equivid proof sketch}\\date{}",
        "\\begin{document}",
        "\\maketitle",
        f"\\noindent\\textbf{{Setting.}} {escape(proof.setting)}.\\\\",
        "\\textbf{Mechanisms.}\\\\",
        mechanisms + "\\\\[4pt]",
        f"\\textbf{{Result.}} {escape(c['verdict'][0].upper() + c['verdict'][1:])}.\\\\",
        f"\\textbf{{All steps checked:}} {'yes' if proof.all_checked else 'no'}.",
        "",
    ]
    for k, step in enumerate(proof.steps, 1):
        body += _latex_step(k, step)
    body.append("\\end{document}")
    return "\n".join(line for line in body if line is not None) + "\n"


def _mech(components: list[str]) -> list[str]:
    out = []
    for e in components:
        try:
            out.append(sympy.latex(sympy.sympify(e)))
        except (sympy.SympifyError, TypeError, SyntaxError):
            out.append("\\text{" + escape(e) + "}")
    return out
