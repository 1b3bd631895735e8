"""Start-up cost (issue 16, item 5): ``equivid --help``, ``equivid examples``, an input error
and ``import equivid``, against a bare ``python -c pass`` and against ``import sympy`` (what
the package loaded before its imports became lazy), best of 5 runs each.

    python benchmarks/bench_start.py

Targets: ``equivid --help`` < 0.3 s, ``import equivid`` < 0.6 s.
"""

from __future__ import annotations

import subprocess
import sys
import time

RUNS = 5
CASES = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    "import sympy (the old floor)": [sys.executable, "-c", "import sympy"],
    "import equivid": [sys.executable, "-c", "import equivid"],
    "equivid --help": [sys.executable, "-m", "equivid.cli", "--help"],
    "equivid examples": [sys.executable, "-m", "equivid.cli", "examples"],
    "equivid analyze missing.yaml (exit 2)": [sys.executable, "-m", "equivid.cli", "analyze", "missing.yaml"],
    "equivid analyze diagonal_scaling": [sys.executable, "-m", "equivid.cli", "analyze", "diagonal_scaling", "--degree", "0"],
}
TARGETS = {"import equivid": 0.6, "equivid --help": 0.3}


def best(argv: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    base = best(CASES["python -c pass (baseline)"])
    print(f"{'command':40s} {'seconds':>8s} {'x python':>9s}  target")
    missed = 0
    for name, argv in CASES.items():
        seconds = best(argv)
        target = TARGETS.get(name)
        verdict = "" if target is None else f"< {target} s: {'met' if seconds < target else 'MISSED'}"
        missed += bool(target is not None and seconds >= target)
        print(f"{name:40s} {seconds:8.3f} {seconds / base:9.1f}  {verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
