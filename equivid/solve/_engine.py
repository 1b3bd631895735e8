"""Polynomial-system engines: Singular (when installed) beside sympy's pure-Python solver.

Group-level polynomial systems (``a∘m = m∘a`` on the coefficients of ``a``) have tens of
unknowns and quadratic equations; sympy's ``solve`` takes a minute where Singular takes a
second (``benchmarks/bench_polynomial.py``). With Singular on ``PATH`` the equations go to
it first: the invertible solutions only (the Rabinowitsch variable ``y`` with
``y det B - 1 = 0``), a slim Groebner basis (``slimgb``), then a factorizing one
(``facstd``) whose components together have the same zeros, and each component with ``y``
eliminated (``eliminate``: the closure of its invertible points). Each component is then
solved by sympy, which is easy there (most are linear). Without Singular, or with
``EQUIVID_ENGINE=sympy``, the equations go to sympy directly.

Soundness does not rest on the engine: every element found is verified against the
mechanisms afterwards (``solve/check.py``). Completeness rests on Singular's
decomposition, as it rests on sympy's ``solve`` on the other path; the tests compare the
two on systems where both finish (``tests/test_engine.py``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Sequence

import sympy

from .._budget import die_with_parent

__all__ = ["ENGINE_VARIABLE", "EngineError", "engine", "singular_components"]

#: The environment variable choosing the engine: ``singular`` or ``sympy`` (default: Singular
#: when installed).
ENGINE_VARIABLE = "EQUIVID_ENGINE"

_POLYNOMIAL = re.compile(r"^[u0-9+\-*/^() ]+$")


class EngineError(RuntimeError):
    """Singular ran but did not give a usable answer (its message is kept)."""


def engine() -> str | None:
    """The path of the Singular executable to use, or None for sympy alone."""
    choice = os.environ.get(ENGINE_VARIABLE, "").strip().lower()
    if choice == "sympy":
        return None
    if choice not in ("", "singular"):
        from ..errors import SpecError

        raise SpecError(ENGINE_VARIABLE, choice, "'singular' or 'sympy'")
    return shutil.which("Singular")


def _term(c: sympy.Rational, factors: list[str]) -> str:
    return "*".join([f"({c.p}/{c.q})" if c.q != 1 else f"({c.p})"] + factors)


def _singular_poly(expr: sympy.Expr, gens: Sequence[sympy.Symbol], names: Sequence[str]) -> str:
    """``expr`` in Singular's syntax: explicit ``(p/q)*u1^2*u3`` terms."""
    terms = []
    for monom, c in sympy.Poly(expr, *gens).terms():
        if not c.is_Rational:
            raise EngineError(f"a coefficient is not rational: {c}")
        terms.append(_term(sympy.Rational(c), [name + (f"^{e}" if e > 1 else "") for name, e in zip(names, monom) if e]))
    return "+".join(terms) or "0"


def script(equations: Sequence[sympy.Expr], unknowns: Sequence[sympy.Symbol], nonzero: sympy.Expr | None) -> str:
    """The Singular program: the ideal (with ``y * nonzero - 1`` when given), ``slimgb``,
    ``facstd``, ``y`` eliminated from each component, each generator printed on its line."""
    gens = list(unknowns)
    polys = list(equations)
    if nonzero is not None:
        y = sympy.Dummy("y")
        gens.append(y)
        polys.append(sympy.expand(y * nonzero - 1))
    names = [f"u{k}" for k in range(len(gens))]
    ideal = ",\n".join(_singular_poly(e, gens, names) for e in polys)
    eliminate = f"eliminate(L[c], {names[-1]})" if nonzero is not None else "L[c]"
    return f"""print("VERSION " + string(system("version")));
ring R = 0, ({', '.join(names)}), dp;
short = 0;
option(redSB);
ideal I = {ideal};
ideal G = slimgb(I);
list L = facstd(G);
int c; int j; ideal E;
for (c = 1; c <= size(L); c++) {{
  E = {eliminate};
  print("COMPONENT");
  for (j = 1; j <= size(E); j++) {{ print("POLY " + string(E[j])); }}
}}
print("DONE");
quit;
"""


def parse(output: str, unknowns: Sequence[sympy.Symbol]) -> tuple[list[list[sympy.Expr]], str]:
    """The components printed by :func:`script`, as sympy polynomials in ``unknowns``, and the
    engine's name with its version (``Singular 4.3.1`` from ``system("version")`` = 4313)."""
    names = {f"u{k}": u for k, u in enumerate(unknowns)}
    components: list[list[sympy.Expr]] = []
    done = False
    version = "Singular"
    for line in output.splitlines():
        if line.startswith("VERSION ") and line[8:].strip().isdigit() and len(line[8:].strip()) >= 3:
            digits = line[8:].strip()
            version = f"Singular {digits[0]}.{digits[1]}.{digits[2]}"
        elif line == "COMPONENT":
            components.append([])
        elif line.startswith("POLY ") and components:
            text = line[5:].strip()
            if not _POLYNOMIAL.match(text):
                raise EngineError(f"unexpected output from Singular: {text[:80]!r}")
            expr = sympy.sympify(text.replace("^", "**"), locals=names)
            if expr.free_symbols - set(unknowns):
                raise EngineError(f"Singular's component mentions an eliminated variable: {text[:80]!r}")
            components[-1].append(sympy.expand(expr))
        elif line == "DONE":
            done = True
    if not done:
        raise EngineError("Singular stopped before printing every component")
    return components, version


def singular_components(path: str, equations: Sequence[sympy.Expr], unknowns: Sequence[sympy.Symbol],
                        nonzero: sympy.Expr | None = None) -> tuple[list[list[sympy.Expr]], str]:
    """Polynomial systems in ``unknowns`` whose solutions together are those of ``equations``
    (with ``nonzero != 0`` where given, up to closure: points with ``nonzero = 0`` may
    remain, never fewer points). Singular runs as a child that dies with this process (the
    budget's kill reaches it). Also returns the engine's name and version."""
    program = script(equations, unknowns, nonzero)
    parent = os.getpid()
    process = subprocess.Popen([path, "-q", "--no-rc"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, preexec_fn=lambda: die_with_parent(parent))
    try:
        out, err = process.communicate(program)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    if process.returncode != 0 or "? " in err or "? error" in out:
        message = (err.strip() or out.strip()).splitlines()
        raise EngineError(f"Singular failed (exit {process.returncode}): {message[0] if message else 'no message'}")
    return parse(out, unknowns)
