"""Sweep throughput against a plain loop (issue 16, item 6).

    python benchmarks/bench_sweep.py [--count 1000] [--workers 2]

Solves ``count`` random 2-latent affine systems (``random: {count, latents: 2, seed: 0}``,
affine ansatz) twice: in a plain loop in this process (``equivid.solve`` on each spec, the
row built with ``to_dict``), and with ``equivid.sweep.run_sweep`` and ``workers`` workers
(each task under the budget, rows streamed to a JSONL file). Prints both rates and their
ratio; the target is sweep / loop >= 1.7 with 2 workers on 2 cores. Both must agree on every
row's group.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import equivid
from equivid.spec import system_from_spec
from equivid.sweep import run_sweep, sweep_from_text


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    text = f"systems:\n  - random: {{count: {args.count}, latents: 2, seed: 0}}\nansatz: affine\n"
    sweep = sweep_from_text(text)
    start = time.perf_counter()
    loop = {}
    for task in sweep.tasks:
        loop[task.system] = equivid.solve(system_from_spec(task.spec), ansatz=task.ansatz).to_dict()
    t_loop = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "rows.jsonl"
        start = time.perf_counter()
        run_sweep(sweep, output=out, workers=args.workers)
        t_sweep = time.perf_counter() - start
        rows = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    disagree = [r["system"] for r in rows if r["status"] != "ok" or r["dimension"] != loop[r["system"]]["dimension"]
                or r["name"] != loop[r["system"]]["name"]]
    n = len(sweep.tasks)
    print(f"{n} random 2-latent affine systems")
    print(f"  plain loop (1 process)        {t_loop:8.2f} s   {n / t_loop:7.1f} rows/s")
    print(f"  run_sweep ({args.workers} workers)          {t_sweep:8.2f} s   {n / t_sweep:7.1f} rows/s")
    print(f"  ratio sweep / loop            {t_loop / t_sweep:8.2f}   (target >= 1.7 with 2 workers)")
    print(f"  rows that disagree with the loop: {len(disagree)}" + (f" ({disagree[:5]})" if disagree else ""))
    return 1 if disagree or len(rows) != n else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
