"""Sweeps: many systems x ansatz (x seeds of ``verify``), in parallel, streamed to a table.

``equivid sweep SWEEP.yaml [-o OUT] [--workers N] [--dask ADDRESS|local] [--limit K] [--force]``

A sweep file is YAML::

    output: results.jsonl          # optional; .jsonl, or .parquet (needs pyarrow);
                                   # default: the sweep file's name with .jsonl
    ansatz: [affine, linear]       # optional; one or a list; default: each system's own
                                   # (its spec's ansatz:, else affine; finite for finite states)
    systems:
      - spec: translation_single   # a spec file (relative to the sweep file) or a bundled example;
        name: push                 #   optional id (default: the file's stem)
      - name: grow                 # an inline spec: any spec keys (DESIGN.md section 4)
        latents: [z1, z2]
        mechanisms: {grow: [2*z1, 3*z2]}
      - random:                    # generated systems, deterministic from the seed
          count: 1000              #   ids random0-0 ... random0-999 (name: sets the prefix)
          latents: 2               #   a number (z1, z2, ...) or a list of names
          mechanisms: 1            #   maps per system (m1, m2, ...)
          kind: affine             #   affine | linear
          entries: [-2, 2]         #   integer coefficients drawn uniformly from [lo, hi]
          seed: 0
    verify: {seeds: 3}             # optional, needs equivid.numeric.verify: one task per seed
                                   # (also samples, steps)
    budget: 120                    # optional: seconds for each task's solve (default: --budget,
                                   # else EQUIVID_BUDGET_SECONDS, else 60); past it, an error row

Every system is parsed before any work starts; a bad key or value stops the sweep with
one line (:class:`~equivid.errors.SpecError`, exit status 2). System ids are unique.

A *task* is (system, ansatz[, seed]); its ``key`` hashes the id, the canonical spec
text, the ansatz and the seed, so it is the same in every run. A *row* is one JSON
object: ``key, system, ansatz, seed, status`` (``ok`` or ``error``), ``error`` (the
one-line message of an :class:`~equivid.errors.EquividError`, e.g. unsupported or over
budget), the group's ``dimension, finite, order, identifiable, name, verdict,
general_element, parameters, conditions, lie_algebra, discrete, solver_parts, notes``,
``warnings``, ``verify`` (with ``verify:``) and ``seconds`` (wall time; the one column
that differs between runs).

Rows are appended to the JSONL output (``OUT.parquet.jsonl`` for a Parquet output) as
tasks finish, one line each, flushed and fsynced. A rerun skips the tasks whose rows are
there, so an interrupted sweep resumes without redoing or losing rows; a line torn by a
kill is cut away, and a key found twice counts once (its first ``ok`` row, else its last).
``--retry-errors`` solves the error rows again (a larger ``--budget`` may finish them). An output holding rows of tasks this sweep does not have is refused
(``--force`` appends anyway). A Parquet output is written, atomically, when every task
has its row.

Each worker keeps one forked child that solves its chunks of tasks, each under the budget (an alarm); past the budget the child is killed
and the row has ``status: error`` with the :class:`~equivid.errors.BudgetExceededError`
message. While a sweep runs it holds an exclusive lock (``flock`` on ``OUT.lock`` beside
the output): a second sweep on the same output is refused with one line (exit status 2).
On Ctrl-C the tasks not started are cancelled and the workers killed: status 130 within
seconds, every finished row kept. Outputs are only ever regular files (never a device,
FIFO, directory or symlink).

Examples
--------
>>> from equivid.sweep import sweep_from_text, run_task
>>> sweep = sweep_from_text('''
... ansatz: [affine, finite]
... systems:
...   - {name: shift, latents: [z1], mechanisms: {push: [z1 + 1]}}
... ''')
>>> for row in map(run_task, sweep.tasks):
...     print(row["ansatz"], row["status"], row["name"] or row["error"])
affine ok translations R^1
finite error UnsupportedMechanismError: no solver part matches this system
"""

from ._plan import Sweep, Task, load_sweep, random_systems, sweep_from_text
from ._run import GROUP_KEYS, SweepSummary, run_sweep, run_task
from ._store import TIMING, read_rows

__all__ = [
    "GROUP_KEYS",
    "TIMING",
    "Sweep",
    "SweepSummary",
    "Task",
    "load_sweep",
    "random_systems",
    "read_rows",
    "run_sweep",
    "run_task",
    "sweep_from_text",
]
