"""Polynomial-engine benchmark: sympy ``groebner`` against Singular ``std`` on equivid's systems.

For each workload this builds the group-level polynomial system that equivid builds for
the affine ansatz: the unknown map ``a(z) = B z + c`` with ``n*(n+1)`` unknowns
``_a0.._aK`` (row ``i`` is ``sum_j _a[i*(n+1)+j] * mono_j`` over the monomials
``equivid.ansatz.monomials(latents, 1, constant=True)`` = ``[1, z1..zn]``), the residuals
``equivid.solve._verify.group_residual(a, m, latents)`` for every mechanism ``m`` and, as
equations, their coefficients in the latents (``equivid.solve._polynomial._coefficients``).

Workloads:
  (a) 5-species generalized Lotka-Volterra flow (30 unknowns; answer: identity, x1<->x2);
  (b) 5 latents, ``z_i -> z_i**2`` (30 unknowns; answer: the 120 permutations);
  (c) 6-latent triangular quadratic map ``(2 z1 + z2**2, ..., 2 z5 + z6**2, 3 z6)``
      (42 unknowns; answer: ``a(z) = (t**32 z1, t**16 z2, ..., t z6)``);
  (d) the 8-latent version of (c) (72 unknowns).

Timed per workload, each in a child process killed after ``TIMEOUT`` seconds:
  (i)   ``sympy.groebner(equations, *unknowns, order="grevlex")``;
  (ii)  Singular: ring over QQ with ``dp``, ``option(redSB); ideal G = std(I);`` (the time
        of ``std`` alone, by Singular's ``rtimer``; the process wall time is also shown),
        and the same with ``slimgb`` (Singular's slim Groebner basis, often faster on QQ);
  (iii) ``equivid.solve(system, ansatz="affine", cross_examine=False)`` end to end, with its
        default engine (Singular when installed) and with ``EQUIVID_ENGINE=sympy``;
  (iv)  Singular, when cheap: Krull dimension, ``vdim`` (complex solutions counted with
        multiplicity), and when zero-dimensional the number of distinct complex solutions
        (``vdim(std(radical(I)))``) and, for ``vdim <= 1000``, of distinct real solutions
        (``nrRootsProbab``), both from a ``slimgb`` basis.
The ideal counts every affine map commuting with the mechanisms, invertible or not, so
its solutions include non-invertible maps that equivid's group excludes.

Run as ``python benchmarks/bench_polynomial.py`` (Singular on ``PATH`` as ``Singular``;
without it only the sympy and equivid columns are filled).
"""

from __future__ import annotations

import multiprocessing as mp
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from typing import Any

import sympy

import equivid
from equivid.ansatz import monomials
from equivid.solve._polynomial import _coefficients
from equivid.solve._verify import group_residual

TIMEOUT = 120.0
SINGULAR = shutil.which("Singular")


# -- workloads -----------------------------------------------------------------------------
def lotka_volterra() -> equivid.System:
    r = [1, 1, 2, 3, 5]
    A = [[-1, -2, -1, 0, 1], [-2, -1, -1, 0, 1], [1, 1, -1, -1, 0], [0, 0, 1, -1, -1], [1, 1, 0, 1, -1]]
    x = sympy.symbols("x1:6")
    field = [x[i] * (r[i] + sum(A[i][j] * x[j] for j in range(5))) for i in range(5)]
    return equivid.System.from_maps([s.name for s in x], flows={"glv": field})


def squares(n: int) -> equivid.System:
    z = sympy.symbols(f"z1:{n + 1}")
    return equivid.System.from_maps([s.name for s in z], {"square": [s**2 for s in z]})


def triangular(n: int) -> equivid.System:
    z = sympy.symbols(f"z1:{n + 1}")
    image = [2 * z[i] + z[i + 1] ** 2 for i in range(n - 1)] + [3 * z[-1]]
    return equivid.System.from_maps([s.name for s in z], {"tri": image})


WORKLOADS: list[tuple[str, Callable[[], equivid.System]]] = [
    ("(a) gLV 5", lotka_volterra),
    ("(b) squares 5", lambda: squares(5)),
    ("(c) triangular 6", lambda: triangular(6)),
    ("(d) triangular 8", lambda: triangular(8)),
]


def polynomial_system(system: equivid.System) -> tuple[list[sympy.Symbol], list[sympy.Expr]]:
    """The unknowns and equations equivid's affine ansatz leads to (see the module docstring)."""
    latents = list(system.latents)
    n = len(latents)
    monos = monomials(latents, 1, constant=True)
    unknowns = list(sympy.symbols(f"_a0:{n * (n + 1)}"))
    a = [sum(unknowns[i * (n + 1) + j] * monos[j] for j in range(n + 1)) for i in range(n)]
    residuals = [r for m in system.mechanisms for r in group_residual(a, m, latents)]
    return unknowns, _coefficients(residuals, latents)


# -- running with a timeout ----------------------------------------------------------------
def _child(conn: Any, fn: Callable[[], Any]) -> None:
    try:
        start = time.perf_counter()
        value = fn()
        conn.send(("ok", time.perf_counter() - start, value))
    except Exception as exc:  # reported, not raised: the table goes on
        conn.send(("error", 0.0, f"{type(exc).__name__}: {exc}"[:120]))
    finally:
        conn.close()


def in_child(fn: Callable[[], Any], timeout: float = TIMEOUT) -> tuple[str, float, Any]:
    """``(status, seconds, value)`` of ``fn()`` run in a forked process killed after ``timeout``."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn))
    start = time.perf_counter()
    proc.start()
    child.close()
    if parent.poll(timeout):
        try:
            result = parent.recv()
        except EOFError:
            result = ("error", time.perf_counter() - start, "child died")
        proc.join()
        return result
    proc.kill()
    proc.join()
    return ("timeout", time.perf_counter() - start, None)


def sympy_groebner(equations: list[sympy.Expr], unknowns: list[sympy.Symbol]) -> Callable[[], Any]:
    def run() -> dict[str, Any]:
        G = sympy.groebner(equations, *unknowns, order="grevlex")
        return {"size": len(G.exprs), "zero_dim": G.is_zero_dimensional}

    return run


def equivid_solve(system: equivid.System, engine: str = "") -> Callable[[], Any]:
    """``equivid.solve`` end to end with ``EQUIVID_ENGINE=engine`` (in the child: "" is the default,
    Singular when installed; "sympy" the pure-Python path)."""
    def run() -> str:
        import os

        os.environ["EQUIVID_ENGINE"] = engine
        group = equivid.solve(system, ansatz="affine", cross_examine=False)
        ran = "Singular" if any("Singular" in note for note in group.notes) else "sympy"
        return f"dim {group.dimension}, order {group.order}, comps {group.components}; engine {ran}"

    return run


# -- Singular ------------------------------------------------------------------------------
def singular_poly(expr: sympy.Expr, names: dict[sympy.Symbol, str], gens: list[sympy.Symbol]) -> str:
    """``expr`` in Singular syntax: explicit ``(p/q)*u1^2*u3`` terms (no ``**``, no floats)."""
    terms = []
    for monom, c in sympy.Poly(expr, *gens).terms():
        c = sympy.Rational(c)
        factors = [f"({c.p}/{c.q})" if c.q != 1 else f"({c.p})"]
        factors += [names[g] + (f"^{e}" if e > 1 else "") for g, e in zip(gens, monom) if e]
        terms.append("*".join(factors))
    return "+".join(terms) or "0"


def singular_ideal(equations: list[sympy.Expr], unknowns: list[sympy.Symbol]) -> str:
    names = {u: f"u{k}" for k, u in enumerate(unknowns)}
    ring = f"ring R = 0, ({', '.join(names.values())}), dp;\n"
    polys = ",\n".join(singular_poly(e, names, unknowns) for e in equations)
    return ring + f"ideal I = {polys};\n"


def basis_script(command: str) -> str:
    """Singular lines timing ``ideal G = command(I)`` (microseconds) and printing its shape."""
    return f"""system("--ticks-per-sec", 1000000);
option(redSB);
int t0 = rtimer;
ideal G = {command}(I);
int t1 = rtimer;
print("MICROS " + string(t1 - t0));
print("DIM " + string(dim(G)));
print("VDIM " + string(vdim(G)));
print("NGENS " + string(size(G)));
quit;
"""


STD_SCRIPT = basis_script("std")
SLIMGB_SCRIPT = basis_script("slimgb")

#: The real-solution structure from a (slimgb) basis: distinct complex solutions, and real
#: ones (Hermite/charpoly count, probabilistic) when there are at most 1000 with multiplicity.
REAL_SCRIPT = """LIB "primdec.lib";
LIB "rootsmr.lib";
option(redSB);
ideal G = slimgb(I);
print("DISTINCT " + string(vdim(std(radical(G)))));
if (vdim(G) <= 1000) { print("REAL " + string(nrRootsProbab(G))); }
quit;
"""


def run_singular(script: str, timeout: float = TIMEOUT) -> tuple[str, float, dict[str, int]]:
    """``(status, wall seconds, {KEY: value})`` of ``Singular -q`` reading ``script`` on stdin."""
    assert SINGULAR is not None
    start = time.perf_counter()
    try:
        done = subprocess.run([SINGULAR, "-q", "--no-rc"], input=script, capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", time.perf_counter() - start, {}
    wall = time.perf_counter() - start
    found = {k: int(v) for k, v in re.findall(r"^([A-Z_]+) (-?\d+)$", done.stdout, re.MULTILINE)}
    if done.returncode != 0 or "error" in done.stdout.lower() or not found:
        return "error", wall, found
    return "ok", wall, found


def singular_version() -> str:
    if SINGULAR is None:
        return "not installed"
    done = subprocess.run([SINGULAR, "--version"], capture_output=True, text=True, timeout=30)
    return done.stdout.splitlines()[0].strip() if done.stdout else "unknown"


# -- the table -----------------------------------------------------------------------------
def fmt(status: str, seconds: float) -> str:
    if status != "ok":
        return f">{TIMEOUT:.0f}" if status == "timeout" else status
    return f"{seconds:.4f}" if seconds < 0.1 else f"{seconds:.2f}"


def singular_basis(ideal: str, script: str, name: str) -> tuple[str, float, dict[str, int]]:
    """Run one basis script; ``(status, seconds of the basis computation alone, found)``."""
    status, wall, found = run_singular(ideal + script)
    if status != "ok":
        print(f"  Singular {name}: {status} after {wall:.2f} s", flush=True)
        return status, wall, found
    seconds = found["MICROS"] / 1e6
    print(f"  Singular {name}: {seconds:.4f} s (process {wall:.2f} s), dim {found['DIM']}, "
          f"vdim {found['VDIM']}, {found['NGENS']} gens", flush=True)
    return status, seconds, found


def ratio(s_status: str, s_time: float, g_status: str, g_time: float) -> str:
    if g_status != "ok" or s_status not in ("ok", "timeout"):
        return "-"
    return (">" if s_status == "timeout" else "") + f"{s_time / max(g_time, 1e-6):.0f}"


def main() -> None:
    print(f"sympy {sympy.__version__}; Singular: {singular_version()}; timeout {TIMEOUT:.0f} s per call")
    if SINGULAR is None:
        print("Singular is not installed: only the sympy and equivid columns are measured.")
    rows = []
    for label, build in WORKLOADS:
        system = build()
        start = time.perf_counter()
        unknowns, equations = polynomial_system(system)
        build_s = time.perf_counter() - start
        print(f"{label}: {len(unknowns)} unknowns, {len(equations)} equations (built in {build_s:.2f} s)",
              flush=True)

        s_status, s_time, s_value = in_child(sympy_groebner(equations, unknowns))
        sympy_note = f"{s_value['size']} gens, 0-dim {s_value['zero_dim']}" if s_status == "ok" else s_status
        print(f"  sympy groebner: {fmt(s_status, s_time)} s ({sympy_note})", flush=True)

        g_status, g_time, sl_status, sl_time, structure = "n/a", 0.0, "n/a", 0.0, "-"
        if SINGULAR is not None:
            ideal = singular_ideal(equations, unknowns)
            g_status, g_time, g_found = singular_basis(ideal, STD_SCRIPT, "std")
            sl_status, sl_time, sl_found = singular_basis(ideal, SLIMGB_SCRIPT, "slimgb")
            found = g_found if g_status == "ok" else sl_found if sl_status == "ok" else {}
            if found:
                structure = f"dim {found['DIM']}, vdim {found['VDIM']}"
                if found["DIM"] == 0:
                    r_status, r_wall, r_found = run_singular(ideal + REAL_SCRIPT)
                    if "DISTINCT" in r_found:
                        structure += f", {r_found['DISTINCT']} distinct"
                    if "REAL" in r_found:
                        structure += f", {r_found['REAL']} real"
                    structure += f" ({r_wall:.1f} s)" if r_status == "ok" else f" (real count: {r_status})"
                print(f"  Singular structure: {structure}", flush=True)

        solves = []  # (status, seconds, note): the default engine, then EQUIVID_ENGINE=sympy
        for engine, title in (("", "equivid.solve"), ("sympy", "equivid.solve, EQUIVID_ENGINE=sympy")):
            e_status, e_time, e_value = in_child(equivid_solve(system, engine))
            e_note = e_value if e_status == "ok" else e_status if e_status == "timeout" else e_value
            print(f"  {title}: {fmt(e_status, e_time)} s ({e_note})", flush=True)
            solves.append((e_status, e_time, str(e_note)))
            if SINGULAR is None:
                break  # the default is sympy already
        (e_status, e_time, e_note), *rest = solves
        sympy_solve = fmt(*rest[0][:2]) if rest else "-"

        rows.append((label, str(len(unknowns)), str(len(equations)), fmt(s_status, s_time),
                     fmt(g_status, g_time), ratio(s_status, s_time, g_status, g_time),
                     fmt(sl_status, sl_time), ratio(s_status, s_time, sl_status, sl_time),
                     fmt(e_status, e_time), sympy_solve, e_note[:60], structure))

    header = ("workload", "unk", "eqs", "sympy s", "std s", "sympy/std", "slimgb s", "sympy/slimgb",
              "solve s", "solve s (sympy engine)", "equivid answer", "Singular ideal")
    widths = [max(len(r[k]) for r in [header, *rows]) for k in range(len(header))]
    print()
    for row in [header, *rows]:
        print(" | ".join(cell.ljust(w) for cell, w in zip(row, widths)))


if __name__ == "__main__":
    main()
