"""Run a sweep's tasks through a ``concurrent.futures`` executor and stream the rows."""

from __future__ import annotations

import contextlib
import functools
import os
import time
import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, wait
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .._budget import (
    SECONDS,
    budget_seconds,
    each_in_resident,
    override,
    parse_seconds,
    within_budget,
)
from ..errors import EquividError, SpecError
from ._plan import Sweep, Task
from ._store import OutputLock, RowLog, log_path, read_rows, write_parquet

__all__ = ["run_task", "run_tasks", "run_sweep", "SweepSummary", "GROUP_KEYS"]

#: Keys of :meth:`EquivarianceGroup.to_dict` kept as columns of a row.
GROUP_KEYS = (
    "dimension", "finite", "order", "identifiable", "name", "verdict", "general_element", "parameters",
    "conditions", "lie_algebra", "discrete", "solver_parts", "notes",
)
_TIMING = ("seconds", "train_seconds", "samples_per_second")


def run_task(task: Task, *, budget: float | None = None) -> dict[str, Any]:
    """Solve one task and return its row; an :class:`EquividError` becomes ``status: error``.

    The solve runs in a forked child under ``budget`` seconds (default: the budget in
    force, ``EQUIVID_BUDGET_SECONDS`` or 60 s); past it the child is killed and the row
    has ``status: error`` and the :class:`~equivid.errors.BudgetExceededError` message.
    Training (``verify:``) is not under the budget.

    Parameters
    ----------
    task : Task
        The task.
    budget : float, optional
        Seconds for the solve (default: the budget in force).

    Returns
    -------
    dict
        The row: ``key, system, ansatz, seed, status, error``, the group's columns
        (:data:`GROUP_KEYS`; None on an error row), ``warnings`` and ``seconds`` (with
        ``at`` and ``case`` for a point of a system with parameters, ``verify`` with
        ``verify:``).

    Examples
    --------
    >>> from equivid.sweep import sweep_from_text
    >>> task = sweep_from_text("systems: [{latents: [z1], mechanisms: {grow: [2*z1]}}]").tasks[0]
    >>> row = run_task(task)
    >>> row["status"], row["system"], row["ansatz"], row["general_element"]
    ('ok', 'system0', 'affine', ['t1*z1'])
    """
    limit = budget_seconds() if budget is None else parse_seconds(budget, "budget")
    _warm()
    start = time.perf_counter()
    try:
        outcome: Any = within_budget(_solve_task, (task.spec, task.ansatz, limit), what=_what(task),
                                     fallback=FALLBACK, seconds=limit)
    except Exception as exc:  # noqa: BLE001 - the row records it (an EquividError, or an internal error)
        outcome = exc
    return _row(task, outcome, limit, start)


#: What a row that ran out of budget says can be done.
FALLBACK = ("the row is an error; a larger --budget may finish it (rerun with --retry-errors and a larger --budget: "
            "a plain rerun keeps finished rows, errors included)")


def _what(task: Task) -> str:
    return f"task {task.system} ({task.ansatz})"


def _row(task: Task, outcome: Any, limit: float, start: float) -> dict[str, Any]:
    """The row of ``task`` from the outcome of its budgeted solve (the group's dict and the
    warnings raised, or the exception), with its verification (not under the budget)."""
    from .. import solve
    from ..spec import system_from_spec

    row: dict[str, Any] = {"key": task.key, "system": task.system, "ansatz": task.ansatz, "seed": task.seed,
                           "status": "ok", "error": None}
    row.update(dict.fromkeys(GROUP_KEYS))
    if task.at is not None:  # a point of a system with parameters, and the case of the tree it lies in
        row["at"] = dict(task.at)
        row["case"] = task.case
    if task.verify is not None:
        row["verify"] = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if isinstance(outcome, BaseException):
                raise outcome
            data, messages = outcome
            for message in messages:
                warnings.warn(message, stacklevel=1)
            row.update({k: data.get(k) for k in GROUP_KEYS})
            if task.verify is not None:
                with override(limit):
                    system = system_from_spec(task.spec)
                    group = solve(system, ansatz=task.ansatz)  # solved within the budget just above
                row["verify"] = _verify(system, group, task)
        except EquividError as exc:
            row.update(status="error", error=f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # a bug in a solver part: recorded in the row, the sweep goes on
            row.update(status="error", error=f"internal error, please report: {type(exc).__name__}: {exc}")
    row["warnings"] = sorted({str(w.message) for w in caught})
    row["seconds"] = round(time.perf_counter() - start, 4)
    return row


@functools.cache
def _warm() -> None:
    """Import the solver's modules and solve a small system once in this process, so the
    forked child of every task starts warm (no imports, sympy's caches filled)."""
    import importlib
    import pkgutil

    import equivid

    for module in pkgutil.walk_packages(equivid.__path__, "equivid."):
        if not module.name.startswith(("equivid.numeric", "equivid.testing", "equivid.cli", "equivid.examine")):
            with contextlib.suppress(Exception):
                importlib.import_module(module.name)
    with contextlib.suppress(Exception), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _solve_task("latents: [z1, z2]\nmechanisms: {m: [2*z1 + z2 + 1, z2 - 1]}\n", "affine", SECONDS)


def _solve_task(spec: str, ansatz: str, limit: float) -> tuple[dict[str, Any], list[str]]:
    """In the budgeted child: the group's dict and the warnings raised on the way."""
    from .. import solve
    from ..spec import system_from_spec

    with warnings.catch_warnings(record=True) as caught, override(limit):
        warnings.simplefilter("always")
        data = solve(system_from_spec(spec), ansatz=ansatz).to_dict()
    return data, [str(w.message) for w in caught]


def _verify(system: Any, group: Any, task: Task) -> Any:
    """One seed of :func:`equivid.numeric.verify.verify`, its timings left out (they differ run to run)."""
    from importlib import import_module

    options: dict[str, Any] = dict(task.verify or ())
    options.pop("seeds", None)
    options.setdefault("train_options", {"threads": 1})  # the workers share the cores
    report = import_module("equivid.numeric.verify").verify(system, group=group, seeds=1, rng=task.seed, **options)
    return _untimed(report.to_dict())


def _untimed(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _untimed(v) for k, v in value.items() if k not in _TIMING}
    if isinstance(value, (list, tuple)):
        return [_untimed(v) for v in value]
    return value


@dataclass(frozen=True)
class SweepSummary:
    """What a run left behind: rows finished (of ``total``), rows added by this run, errors.

    Parameters
    ----------
    output : pathlib.Path
        The output.
    total : int
        How many tasks the sweep has.
    finished : int
        How many of them have their row in the output.
    new : int
        How many rows this run added.
    errors : int
        How many of the finished rows are errors.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from concurrent.futures import ThreadPoolExecutor
    >>> from equivid.sweep import run_sweep, sweep_from_text
    >>> sweep = sweep_from_text("systems: [{latents: [z1], mechanisms: {grow: [2*z1]}}]\\nansatz: [affine, linear]")
    >>> with tempfile.TemporaryDirectory() as folder, ThreadPoolExecutor(1) as pool:
    ...     summary = run_sweep(sweep, output=pathlib.Path(folder) / "rows.jsonl", executor=pool, limit=1)
    >>> summary.total, summary.finished, summary.new, summary.errors, summary.complete
    (2, 1, 1, 0, False)
    >>> str(summary).endswith("(1 new, 0 errors; 1 to go, rerun to continue)")
    True
    """

    output: Path
    total: int
    finished: int
    new: int
    errors: int

    @property
    def complete(self) -> bool:
        """Whether every task has its row: ``finished == total``."""
        return self.finished == self.total

    def __str__(self) -> str:
        rest = "" if self.complete else f"; {self.total - self.finished} to go, rerun to continue"
        return f"{self.finished}/{self.total} rows in {self.output} ({self.new} new, {_errors(self.errors)}{rest})"


def run_sweep(
    sweep: Sweep,
    *,
    output: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    dask: str | None = None,
    executor: Executor | None = None,
    limit: int | None = None,
    force: bool = False,
    progress: IO[str] | None = None,
    budget: float | None = None,
    retry_errors: bool = False,
) -> SweepSummary:
    """Run the tasks of ``sweep`` that its output does not hold yet; stream each row as it finishes.

    The executor is a process pool of ``workers`` (default: one per CPU), a Dask cluster
    (``dask``: a scheduler address, or ``"local"`` to start one with ``workers`` workers),
    or any ``concurrent.futures.Executor`` passed as ``executor``. ``limit`` runs at most
    that many new tasks. Progress lines go to ``progress`` (a text stream) when given.
    ``budget`` (seconds; default the sweep's ``budget:``, else the budget in force) limits
    each task's solve.

    The output is locked (``OUT.lock``) while the sweep runs: a second sweep on it is
    refused with a :class:`SpecError`. An interrupt (``KeyboardInterrupt``) cancels the
    tasks not started, kills the workers and re-raises, with every finished row kept.

    Parameters
    ----------
    sweep : Sweep
        The plan (:func:`load_sweep`, :func:`sweep_from_text`).
    output : str or os.PathLike, optional
        Where the rows go, ``.jsonl`` or ``.parquet`` (default: the sweep's output).
    workers : int, optional
        The number of worker processes (default: one per CPU), or of local Dask workers.
    dask : str, optional
        A Dask scheduler's address, or ``"local"``.
    executor : concurrent.futures.Executor, optional
        The executor to run the tasks on (instead of a process pool or Dask).
    limit : int, optional
        The most new tasks this run starts.
    force : bool, default False
        Append to an output that holds rows of tasks this sweep does not have.
    progress : text stream, optional
        Where progress lines go.
    budget : float, optional
        Seconds for each task's solve (default: the sweep's ``budget:``, else the budget
        in force).
    retry_errors : bool, default False
        Solve again the tasks whose row is an error (with a larger ``budget``, say): the
        new row is appended and replaces the error when the output is read
        (:func:`~equivid.sweep.read_rows`); a task with an ``ok`` row is never redone.

    Returns
    -------
    SweepSummary
        The rows finished, of the sweep's tasks, and the rows this run added.

    Raises
    ------
    SpecError
        If an argument is wrong, the output is not this sweep's (without ``force``), or
        another sweep holds its lock.
    RuntimeError
        If the executor broke (a worker killed, a scheduler lost); the rows so far are kept.
    KeyboardInterrupt
        On an interrupt, once the workers are killed.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from concurrent.futures import ThreadPoolExecutor
    >>> from equivid.sweep import read_rows, run_sweep, sweep_from_text
    >>> sweep = sweep_from_text('''
    ... ansatz: [affine, linear]
    ... systems: [{name: grow, latents: [z1], mechanisms: {grow: [2*z1]}}]
    ... ''')
    >>> with tempfile.TemporaryDirectory() as folder, ThreadPoolExecutor(1) as pool:
    ...     out = pathlib.Path(folder) / "rows.jsonl"
    ...     first = run_sweep(sweep, output=out, executor=pool)
    ...     again = run_sweep(sweep, output=out, executor=pool)  # every row there: nothing to do
    ...     rows = read_rows(out)
    >>> (first.new, first.complete), (again.new, again.complete)
    ((2, True), (0, True))
    >>> [(row["system"], row["ansatz"], row["status"], row["name"]) for row in rows]
    [('grow', 'affine', 'ok', 'GL(1)'), ('grow', 'linear', 'ok', 'GL(1)')]
    """
    if _starting_worker():
        raise RuntimeError(_GUARD)
    out = Path(output) if output is not None else sweep.output
    if out.suffix not in (".jsonl", ".parquet"):
        raise SpecError("--output", str(out), "a file name ending in .jsonl or .parquet")
    if out.suffix == ".parquet":
        _need("pyarrow", "--output", str(out), "a .jsonl output, or the pyarrow package for .parquet")
        if out.exists() and not log_path(out).exists() and not force:  # not a table this sweep wrote
            raise SpecError("--output", str(out), "a new file, or this sweep's own output (its rows in "
                            f"{log_path(out).name})", detail="it exists; pass --force to replace it")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise SpecError("--limit", limit, "a whole number >= 0")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise SpecError("--workers", workers, "a whole number >= 1")
    if dask is not None and executor is None:
        _need("distributed", "--dask", dask, "the optional Dask extra: pip install 'equivid[dask]'")
    seconds = parse_seconds(budget, "--budget") if budget is not None else (
        sweep.budget if sweep.budget is not None else budget_seconds())
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SpecError("--output", str(out), "a path in a writable folder",
                        detail=exc.strerror or type(exc).__name__) from None
    with OutputLock(out):
        return _run_locked(sweep, out, executor=executor, workers=workers, dask=dask, limit=limit, force=force,
                           progress=progress, seconds=seconds, retry=retry_errors)


#: What to do when the pool's workers (started with ``spawn``) re-run a script's top level.
_GUARD = ("if this is a script, put its call to run_sweep under `if __name__ == \"__main__\":` (each worker "
          "process imports the script, and would start a sweep of its own)")


def _starting_worker() -> bool:
    """Whether this process is a ``spawn`` worker still importing the parent's main module."""
    import multiprocessing.process

    return bool(getattr(multiprocessing.process.current_process(), "_inheriting", False))


def _run_locked(sweep: Sweep, out: Path, *, executor: Executor | None, workers: int | None, dask: str | None,
                limit: int | None, force: bool, progress: IO[str] | None, seconds: float,
                retry: bool = False) -> SweepSummary:
    """:func:`run_sweep` once the output's lock is held (``retry``: error rows are solved again)."""
    order = {task.key: k for k, task in enumerate(sweep.tasks)}
    log = RowLog(log_path(out), order, force=force)
    kept = log.done - log.errors if retry else log.done  # the rows not solved again
    todo = [task for task in sweep.tasks if task.key not in kept]
    todo = todo if limit is None else todo[:limit]
    errors = 0 if retry else len(log.errors & order.keys())
    meter = _Progress(len(sweep.tasks), len(kept & order.keys()), errors, progress)
    new = 0
    try:
        if todo:
            with nullcontext(executor) if executor is not None else _executor(workers, dask) as (pool):
                for row in _stream(pool, todo, _slots(pool, workers), seconds):
                    log.append(row)
                    new += 1
                    meter.update(row)
    except (EquividError, KeyboardInterrupt):
        raise
    except Exception as exc:  # the executor broke (a worker killed, a scheduler lost): rows so far are kept
        first = str(exc).splitlines()[0] if str(exc) else ""
        hint = f"; {_GUARD}" if isinstance(exc, BrokenExecutor) and not new else ""
        raise RuntimeError(f"sweep stopped after {new} new rows, which are kept (rerun to resume): "
                           f"{type(exc).__name__}: {first}{hint}") from exc
    finally:
        log.close()
        meter.close()
    errors = len(log.errors & order.keys())  # error rows left (a retried one that finished is not)
    finished = len(log.done & order.keys())
    if finished == len(sweep.tasks) and out.suffix == ".parquet":
        rows = read_rows(log.path)
        rows.sort(key=lambda row: order.get(row["key"], len(order)))
        write_parquet(rows, out)
    return SweepSummary(out, len(sweep.tasks), finished, new, errors)


def run_tasks(tasks: Sequence[Task], budget: float | None = None) -> list[dict[str, Any]]:
    """The rows of a few tasks (one unit of work for an executor), solved one after another in
    a forked child that this process keeps between calls, so its caches stay warm from task
    to task and from one batch to the next, each under the budget
    (:func:`equivid._budget.each_in_resident`); the same rows as :func:`run_task` on each."""
    if not tasks:
        return []
    limit = budget_seconds() if budget is None else parse_seconds(budget, "budget")
    _warm()
    outcomes = each_in_resident(_solve_task, [(t.spec, t.ansatz, limit) for t in tasks],
                                  what=[_what(t) for t in tasks], fallback=FALLBACK, seconds=limit)
    rows = []
    for task, (outcome, seconds) in zip(tasks, outcomes):
        row = _row(task, outcome, limit, time.perf_counter())
        row["seconds"] = round(seconds + row["seconds"], 4)  # the solve (in the child) and the row
        rows.append(row)
    return rows


def _stream(pool: Executor, tasks: Sequence[Task], slots: int, seconds: float) -> Iterator[dict[str, Any]]:
    """Rows as tasks finish. Tasks go out in chunks (solved by the worker's warm child, see
    :func:`run_tasks`; up to 8 tasks a chunk, so that the workers finish close together:
    benchmarks/bench_sweep.py), at most 4 chunks per worker in flight, so a sweep of any
    length holds little in memory."""
    size = min(8, max(1, len(tasks) // (8 * slots)))
    chunks = iter([tasks[k:k + size] for k in range(0, len(tasks), size)])
    pending: set[Future[list[dict[str, Any]]]] = set()
    try:
        while True:
            while len(pending) < 4 * slots:
                chunk = next(chunks, None)
                if chunk is None:
                    break
                pending.add(pool.submit(run_tasks, chunk, seconds))
            if not pending:
                return
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            failed = [future for future in done if future.exception() is not None]
            for future in done:  # the rows that did arrive first, then the first failure
                if future not in failed:
                    yield from future.result()
            if failed:
                failed[0].result()
    finally:
        for future in pending:
            future.cancel()


def _slots(pool: Any, workers: int | None) -> int:
    """How many tasks the executor runs at once (its workers, or a Dask cluster's threads)."""
    client = getattr(pool, "_client", None)  # a Dask ClientExecutor
    if client is not None:
        return max(sum(client.nthreads().values()), 1)
    return int(getattr(pool, "_max_workers", None) or workers or os.cpu_count() or 1)


@contextmanager
def _executor(workers: int | None, dask: str | None) -> Iterator[Executor]:
    if dask is None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # spawn: a fresh interpreter per worker, safe beside threads (a Dask client, a test runner)
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_ignore_interrupts)
        try:
            yield pool
        except BaseException:  # interrupted, or the executor broke: no waiting for tasks in flight
            _terminate(pool)
            raise
        pool.shutdown(wait=True)
        return
    import logging

    import distributed

    cluster = None
    if dask == "local":
        cluster = distributed.LocalCluster(
            n_workers=workers or 2, threads_per_worker=1, processes=True, memory_limit="2GiB",
            dashboard_address=None, silence_logs=logging.ERROR,
        )
        client = distributed.Client(cluster)
    else:
        try:
            client = distributed.Client(dask, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise SpecError("--dask", dask, "the address of a running Dask scheduler, or local",
                            detail=str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    try:
        yield client.get_executor()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _ignore_interrupts() -> None:
    """In a worker: Ctrl-C (sent to the whole process group) is the parent's to handle; it
    kills the workers."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _terminate(pool: Any) -> None:
    """Cancel what has not started, kill the workers (their budgeted children die with
    them) and reap them: nothing is left running, nothing is waited for."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        try:
            process.kill()
        except (OSError, AttributeError):  # pragma: no cover - already gone
            pass
    for process in processes:
        try:
            process.join(timeout=5)
        except (OSError, AssertionError, AttributeError):  # pragma: no cover
            pass


def _need(module: str, field: str, value: object, expected: str) -> None:
    import importlib

    try:
        importlib.import_module(module)
    except ImportError:
        raise SpecError(field, value, expected, detail=f"{module} is not installed") from None


class _Progress:
    """Rows done on the progress bar (:mod:`equivid._progress`): drawn while the command shows
    progress (a terminal, no ``--quiet``), or when ``stream`` is a terminal in library use."""

    def __init__(self, total: int, done: int, errors: int, stream: IO[str] | None) -> None:
        from .._progress import Bar

        self.errors = errors
        self._bar = Bar(total, "sweep", unit="row", initial=done, force=stream is not None and _is_terminal(stream))

    def update(self, row: dict[str, Any]) -> None:
        self.errors += row["status"] == "error"
        self._bar.update(1, errors=self.errors)

    def close(self) -> None:
        self._bar.close()


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _errors(count: int) -> str:
    return f"{count} error" + ("" if count == 1 else "s")
