"""Sweeps: the file format, rows through process pools and Dask, streaming, resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import types
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import equivid
from equivid.cli import main
from equivid.errors import SpecError
from equivid.sweep import (
    TIMING,
    load_sweep,
    random_systems,
    read_rows,
    run_sweep,
    run_task,
    sweep_from_text,
)

ROOT = Path(__file__).resolve().parent.parent

#: 3 named systems (one finite: its affine task is an error row) and 100 random ones.
SWEEP = """
output: rows.jsonl
ansatz: affine
systems:
  - spec: translation_single
  - spec: cycle_12
  - name: grow
    latents: [z1, z2]
    mechanisms: {grow: [2*z1, 3*z2]}
  - random: {count: 100, latents: 2, kind: affine, entries: [-2, 2], mechanisms: 1, seed: 7}
"""
TASKS = 103


def untimed(rows):
    """Rows by key without their timing; duplicate keys fail here."""
    keys = [row["key"] for row in rows]
    assert len(keys) == len(set(keys)), "duplicate rows"
    return {row["key"]: {k: v for k, v in row.items() if k not in TIMING} for row in rows}


def write(folder: Path, text: str = SWEEP, name: str = "sweep.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The rows of one uninterrupted process-pool run of SWEEP."""
    folder = tmp_path_factory.mktemp("reference")
    summary = run_sweep(load_sweep(write(folder)), workers=2)
    assert summary.complete and summary.new == TASKS
    return untimed(read_rows(folder / "rows.jsonl"))


# -- the format -------------------------------------------------------------------------

BAD = [
    ("not-a-mapping", "- 1\n- 2\n", "sweep"),
    ("unknown-key", "systems: [{spec: translation_single}]\nworkers: 3\n", "sweep"),
    ("no-systems", "ansatz: affine\n", "systems"),
    ("empty-systems", "systems: []\n", "systems"),
    ("system-not-mapping", "systems: [translation_single]\n", "systems[0]"),
    ("missing-spec", "systems: [{spec: no_such_example}]\n", "systems[0].spec"),
    ("spec-extra-key", "systems: [{spec: translation_single, ansatz: linear}]\n", "systems[0]"),
    ("inline-bad-key", "systems: [{latents: [z1], mechanisms: {m: [z1]}, seed: 3}]\n", "systems[0]"),
    ("inline-bad-expression", "systems: [{latents: [z1], mechanisms: {m: [z3 + 1]}}]\n", "systems[0].mechanisms.m[0]"),
    ("duplicate-names", "systems: [{spec: translation_single}, {spec: translation_single}]\n", "systems"),
    ("bad-ansatz", "ansatz: [affine, cubic]\nsystems: [{spec: translation_single}]\n", "ansatz[1]"),
    ("repeated-ansatz", "ansatz: [affine, affine]\nsystems: [{spec: translation_single}]\n", "ansatz"),
    ("bad-output", "output: rows.csv\nsystems: [{spec: translation_single}]\n", "output"),
    ("random-count", "systems: [{random: {count: 0}}]\n", "systems[0].random.count"),
    ("random-kind", "systems: [{random: {count: 2, kind: cubic}}]\n", "systems[0].random.kind"),
    ("random-entries", "systems: [{random: {count: 2, entries: [2, -2]}}]\n", "systems[0].random.entries"),
    ("random-key", "systems: [{random: {count: 2, size: 3}}]\n", "systems[0].random"),
    ("random-latents", "systems: [{random: {count: 2, latents: [x, x]}}]\n", "systems[0].random.latents[1]"),
    ("random-extra", "systems: [{random: {count: 2}, name: r}]\n", "systems[0]"),
    ("verify-key", "systems: [{spec: translation_single}]\nverify: {seeds: 2, epochs: 3}\n", "verify"),
    ("verify-seeds", "systems: [{spec: translation_single}]\nverify: {seeds: 0}\n", "verify.seeds"),
]


@pytest.mark.parametrize(("text", "field"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_sweep_names_the_field(text, field):
    with pytest.raises(SpecError) as info:
        sweep_from_text(text)
    assert info.value.field == field


def test_bad_sweep_exits_2_with_one_line(tmp_path, capsys):
    path = write(tmp_path, "systems: [{random: {count: 2, kind: cubic}}]\n")
    assert main(["sweep", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "systems[0].random.kind" in err and "affine or linear" in err
    assert main(["sweep", str(tmp_path / "missing.yaml")]) == 2
    assert main(["sweep", str(write(tmp_path, SWEEP)), "--workers", "0"]) == 2
    assert "--workers" in capsys.readouterr().err


def test_tasks_and_keys():
    sweep = sweep_from_text(SWEEP)
    assert len(sweep.tasks) == TASKS and sweep.systems == 103
    assert len({t.key for t in sweep.tasks}) == TASKS
    again = sweep_from_text(SWEEP + "description: same tasks\n")
    assert [t.key for t in again.tasks] == [t.key for t in sweep.tasks]  # keys are stable
    other = sweep_from_text(SWEEP.replace("seed: 7", "seed: 8"))
    assert {t.key for t in other.tasks[:3]} == {t.key for t in sweep.tasks[:3]}
    assert not {t.key for t in other.tasks[3:]} & {t.key for t in sweep.tasks[3:]}
    grown = sweep_from_text(SWEEP.replace("count: 100", "count: 150"))
    assert {t.key for t in sweep.tasks} < {t.key for t in grown.tasks}  # a longer sweep resumes a shorter one
    both = sweep_from_text(SWEEP.replace("ansatz: affine", "ansatz: [affine, linear]"))
    assert len(both.tasks) == 2 * TASKS and {t.ansatz for t in both.tasks} == {"affine", "linear"}


def test_every_system_with_every_ansatz(tmp_path):
    path = write(tmp_path, SWEEP.replace("ansatz: affine", "ansatz: [affine, linear, finite]")
                 .replace("count: 100", "count: 2"))
    with ThreadPoolExecutor(1) as pool:
        summary = run_sweep(load_sweep(path), executor=pool)
    assert (summary.finished, summary.errors) == (15, 4 + 2)  # finite fits only cycle_12, which fits only finite
    rows = {(r["system"], r["ansatz"]): r for r in read_rows(tmp_path / "rows.jsonl")}
    assert rows["cycle_12", "finite"]["order"] == 12 and rows["cycle_12", "linear"]["status"] == "error"
    assert rows["grow", "linear"]["name"] == rows["grow", "affine"]["name"] == "diagonal scalings"
    assert rows["translation_single", "linear"]["dimension"] == 2
    assert rows["random7-1", "finite"]["error"].startswith("UnsupportedMechanismError: ")


def test_default_ansatz_is_each_systems_own():
    sweep = sweep_from_text("systems: [{spec: cycle_12}, {spec: translation_single}, {spec: push_polynomial}]\n")
    assert [t.ansatz for t in sweep.tasks] == ["finite", "affine", str(equivid.load(
        ROOT / "equivid" / "examples" / "push_polynomial.yaml").ansatz)]


def test_random_systems_are_deterministic_and_parse():
    first = random_systems({"count": 20, "latents": 3, "mechanisms": 2, "kind": "linear", "seed": 5})
    assert first == random_systems({"count": 20, "latents": 3, "mechanisms": 2, "kind": "linear", "seed": 5})
    assert first != random_systems({"count": 20, "latents": 3, "mechanisms": 2, "kind": "linear", "seed": 6})
    for _, spec in first:
        system = equivid.System.from_spec(spec)
        assert len(system.mechanisms) == 2 and system.n == 3
        for mechanism in system.mechanisms:  # linear: no constant terms
            assert all(c.subs(dict.fromkeys(system.latents, 0)) == 0 for c in mechanism.components)


def test_spec_paths_are_relative_to_the_sweep_file(tmp_path):
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "mine.yaml").write_text("latents: [z1]\nmechanisms: {m: [2*z1]}\n")
    sweep = load_sweep(write(tmp_path, "output: out/rows.jsonl\nsystems: [{spec: specs/mine.yaml}]\n"))
    assert sweep.tasks[0].system == "mine" and sweep.output == tmp_path / "out" / "rows.jsonl"


# -- rows -------------------------------------------------------------------------------


def test_rows_agree_with_the_solver(reference):
    """Every row is what equivid.solve says for its system and ansatz, and the checker agrees."""
    rows = list(reference.values())
    assert len(rows) == TASKS
    by = {(r["system"], r["ansatz"]): r for r in rows}
    assert by["translation_single", "affine"]["dimension"] == 4
    assert by["grow", "affine"]["name"] == "diagonal scalings"
    assert by["cycle_12", "affine"]["status"] == "error" and "finite" in by["cycle_12", "affine"]["error"]
    assert sum(r["status"] == "error" for r in rows) == 1
    sweep = sweep_from_text(SWEEP)
    for task in sweep.tasks[3::11]:
        row = reference[task.key]
        group = equivid.solve(equivid.System.from_spec(task.spec), ansatz=task.ansatz)
        assert row["general_element"] == group.to_dict()["general_element"]
        assert group.contains(group.sample(rng=1))


def test_cli_sweep_is_deterministic(tmp_path, reference, capsys):
    """A second run (one worker this time) gives the same rows, in whatever order."""
    path = write(tmp_path)
    assert main(["sweep", str(path), "--workers", "1"]) == 0
    out, err = capsys.readouterr()
    assert f"{TASKS}/{TASKS} rows" in out and "1 error)" in out
    assert err == ""  # progress only on a terminal
    assert untimed(read_rows(tmp_path / "rows.jsonl")) == reference
    assert main(["sweep", str(path)]) == 0  # complete: nothing to redo
    assert f"{TASKS}/{TASKS} rows in {tmp_path / 'rows.jsonl'} (0 new, 1 error)" in capsys.readouterr().out
    assert untimed(read_rows(tmp_path / "rows.jsonl")) == reference


def test_limit_then_resume(tmp_path, reference):
    path = write(tmp_path)
    with ThreadPoolExecutor(1) as pool:
        first = run_sweep(load_sweep(path), executor=pool, limit=9)
        assert (first.finished, first.new, first.complete) == (9, 9, False)
        second = run_sweep(load_sweep(path), executor=pool, limit=0)
        assert (second.finished, second.new) == (9, 0)
    third = run_sweep(load_sweep(path), workers=2)
    assert (third.finished, third.new, third.errors) == (TASKS, TASKS - 9, 1)
    assert untimed(read_rows(tmp_path / "rows.jsonl")) == reference


def test_torn_last_line_is_cut_and_redone(tmp_path, reference):
    path = write(tmp_path, SWEEP.replace("count: 100", "count: 3"))
    run_sweep(load_sweep(path), executor=ThreadPoolExecutor(1), limit=5)
    rows = tmp_path / "rows.jsonl"
    lines = rows.read_bytes().splitlines(keepends=True)
    rows.write_bytes(b"".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])  # killed mid-write
    assert len(read_rows(rows)) == 4
    summary = run_sweep(load_sweep(path), executor=ThreadPoolExecutor(1))
    assert (summary.new, summary.finished) == (6 - 4, 6)
    got = untimed(read_rows(rows))
    assert len(got) == 6 and all(reference[key] == row for key, row in got.items())
    assert rows.read_bytes().endswith(b"\n") and len(rows.read_bytes().splitlines()) == 6


def test_killed_sweep_resumes_without_duplicates_or_gaps(tmp_path, reference):
    """SIGKILL a running `equivid sweep` (and its workers) mid-way, then run it again."""
    path = write(tmp_path)
    rows = tmp_path / "rows.jsonl"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    process = subprocess.Popen(
        [sys.executable, "-m", "equivid.cli", "sweep", str(path), "--workers", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if rows.exists() and rows.read_bytes().count(b"\n") >= 10:
                break
            time.sleep(0.02)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the sweep and its worker processes
        process.wait()
    kept = len(read_rows(rows))
    assert 10 <= kept < TASKS, "the sweep was not interrupted mid-way"
    summary = run_sweep(load_sweep(path), workers=2)
    assert summary.complete and summary.new == TASKS - kept
    assert untimed(read_rows(rows)) == reference


def test_broken_executor_keeps_the_rows(tmp_path, reference):
    """A worker lost mid-sweep stops the run with one message; finished rows stay, a rerun completes."""
    from concurrent.futures import BrokenExecutor, Executor, Future

    class Breaking(Executor):
        def __init__(self, pool):
            self.pool, self.real = pool, []

        def submit(self, fn, /, *args, **kwargs):
            if len(self.real) < 2:
                self.real.append(self.pool.submit(fn, *args, **kwargs))
                return self.real[-1]
            future: Future = Future()  # fails once the two real chunks are done

            def fail(_):
                if all(f.done() for f in self.real) and not future.done():
                    future.set_exception(BrokenExecutor("a worker process died"))

            for real in self.real:
                real.add_done_callback(fail)
            return future

    path = write(tmp_path, SWEEP.replace("count: 100", "count: 40"))
    with ThreadPoolExecutor(1) as pool, pytest.raises(RuntimeError, match="which are kept .* worker process died"):
        run_sweep(load_sweep(path), executor=Breaking(pool))
    kept = untimed(read_rows(tmp_path / "rows.jsonl"))
    assert 0 < len(kept) < 43 and all(reference[key] == row for key, row in kept.items())
    with ThreadPoolExecutor(1) as pool:
        assert run_sweep(load_sweep(path), executor=pool).new == 43 - len(kept)
    assert len(untimed(read_rows(tmp_path / "rows.jsonl"))) == 43


def test_output_of_another_sweep_is_refused(tmp_path, capsys):
    path = write(tmp_path, "systems: [{spec: translation_single}]\n")
    other = write(tmp_path, "output: sweep.jsonl\nsystems: [{spec: translation_single, name: t}]\n", "other.yaml")
    run_sweep(load_sweep(other), executor=ThreadPoolExecutor(1))
    before = (tmp_path / "sweep.jsonl").read_bytes()
    assert main(["sweep", str(path)]) == 2
    assert "not tasks of this sweep" in capsys.readouterr().err
    assert (tmp_path / "sweep.jsonl").read_bytes() == before
    summary = run_sweep(load_sweep(path), executor=ThreadPoolExecutor(1), force=True)
    assert summary.new == 1 and (tmp_path / "sweep.jsonl").read_bytes().startswith(before)
    garbage = tmp_path / "notes.jsonl"
    garbage.write_text("my notes\n")
    assert main(["sweep", str(path), "-o", str(garbage), "--force"]) == 2
    assert garbage.read_text() == "my notes\n"


def test_parquet_output(tmp_path, reference):
    pytest.importorskip("pyarrow")
    path = write(tmp_path, SWEEP.replace("count: 100", "count: 5"))
    summary = run_sweep(load_sweep(path), output=tmp_path / "rows.parquet", executor=ThreadPoolExecutor(1))
    assert summary.complete
    table = read_rows(tmp_path / "rows.parquet")
    assert untimed(table) == untimed(read_rows(tmp_path / "rows.parquet.jsonl"))
    assert all(reference[key] == row for key, row in untimed(table).items()) and len(table) == 8
    assert [r["key"] for r in table] == [t.key for t in load_sweep(path).tasks]  # in sweep order


def test_parquet_without_pyarrow_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    path = write(tmp_path, "systems: [{spec: translation_single}]\n")
    assert main(["sweep", str(path), "-o", str(tmp_path / "rows.parquet")]) == 2
    assert "pyarrow is not installed" in capsys.readouterr().err
    assert not (tmp_path / "rows.parquet.jsonl").exists()


def test_dask_without_distributed_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)
    path = write(tmp_path, "systems: [{spec: translation_single}]\n")
    assert main(["sweep", str(path), "--dask", "local"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "equivid[dask]" in err


# -- verify (equivid.numeric.verify is built elsewhere; a stand-in checks the plumbing) -----


def test_verify_needs_the_numeric_backend(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "equivid.numeric", None)
    monkeypatch.setitem(sys.modules, "equivid.numeric.verify", None)
    path = write(tmp_path, "systems: [{spec: translation_single}]\nverify: {seeds: 2}\n")
    assert main(["sweep", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "equivid.numeric.verify" in err


def test_verify_needs_torch(tmp_path, monkeypatch, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a))
    path = write(tmp_path, "systems: [{spec: translation_single}]\nverify: {seeds: 2}\n")
    assert main(["sweep", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "torch" in err


def test_verify_one_task_per_seed(tmp_path, monkeypatch):
    import importlib.machinery
    import importlib.util

    calls = []

    def verify(system, *, group, seeds, rng, **options):
        calls.append((rng, seeds, options))
        report = {"verdict": "confirmed", "group": group.name, "seconds": 1.5 + rng,
                  "seeds": [{"seed": 0, "train_seconds": 3.0 * rng}]}
        return types.SimpleNamespace(to_dict=lambda: report)

    numeric = types.ModuleType("equivid.numeric")
    numeric.__spec__ = importlib.machinery.ModuleSpec("equivid.numeric", None, is_package=True)
    module = types.ModuleType("equivid.numeric.verify")
    module.__spec__ = importlib.machinery.ModuleSpec("equivid.numeric.verify", None)
    module.verify = verify  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "equivid.numeric", numeric)
    monkeypatch.setitem(sys.modules, "equivid.numeric.verify", module)
    real = importlib.util.find_spec  # the stand-in trains nothing: PyTorch need not be installed
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: module.__spec__ if name == "torch" else real(name, *a))
    path = write(tmp_path, "systems: [{spec: translation_single}]\nverify: {seeds: 3, steps: 5}\n")
    sweep = load_sweep(path)
    assert [t.seed for t in sweep.tasks] == [0, 1, 2]
    run_sweep(sweep, executor=ThreadPoolExecutor(1))
    rows = sorted(read_rows(tmp_path / "sweep.jsonl"), key=lambda r: r["seed"])
    assert sorted(calls, key=lambda c: c[0]) == [(k, 1, {"steps": 5, "train_options": {"threads": 1}}) for k in range(3)]
    assert [r["verify"] for r in rows] == [
        {"verdict": "confirmed", "group": rows[0]["name"], "seeds": [{"seed": 0}]}] * 3  # timings left out


# -- Dask --------------------------------------------------------------------------------

def _dask_run(folder: Path, text: str) -> dict:
    pytest.importorskip("distributed")
    path = write(folder, text)
    summary = run_sweep(load_sweep(path), dask="local", workers=2)
    assert summary.complete
    return untimed(read_rows(folder / "rows.jsonl"))


def test_local_dask_cluster_gives_the_process_pool_rows(tmp_path, reference):
    assert _dask_run(tmp_path, SWEEP) == reference


@pytest.mark.slow
def test_thousand_random_systems_dask_equals_process_pool(tmp_path):
    """1,000 random 2-latent affine systems: a local Dask cluster (2 workers) and a process pool agree."""
    text = ("output: rows.jsonl\nansatz: affine\nsystems:\n"
            "  - random: {count: 1000, latents: 2, kind: affine, entries: [-2, 2], mechanisms: 1, seed: 0}\n")
    (tmp_path / "pool").mkdir()
    (tmp_path / "dask").mkdir()
    pool = write(tmp_path / "pool", text)
    assert run_sweep(load_sweep(pool), workers=2).complete
    expected = untimed(read_rows(tmp_path / "pool" / "rows.jsonl"))
    assert len(expected) == 1000
    assert _dask_run(tmp_path / "dask", text) == expected


def test_rows_are_json_lines(reference, tmp_path):
    path = write(tmp_path, "systems: [{spec: translation_single}]\n")
    run_sweep(load_sweep(path), executor=ThreadPoolExecutor(1))
    line = (tmp_path / "sweep.jsonl").read_text().splitlines()[0]
    row = json.loads(line)
    assert list(row)[:6] == ["key", "system", "ansatz", "seed", "status", "error"] and row["seconds"] >= 0
    assert run_task(load_sweep(path).tasks[0])["key"] == row["key"]


def test_verify_rows_with_the_real_numeric_backend(tmp_path):
    """``verify:`` runs equivid.numeric.verify once per seed; rows carry its report without timings."""
    pytest.importorskip("torch")
    sweep = write(tmp_path, "systems:\n  - spec: translations_two\nverify: {seeds: 2, samples: 200, steps: 20}\n")
    run_sweep(load_sweep(sweep), workers=1)
    rows = read_rows(tmp_path / "sweep.jsonl")
    assert sorted(row["seed"] for row in rows) == [0, 1]
    for row in rows:
        assert row["status"] == "ok"
        assert row["verify"]["controls_passed"] is True
        assert row["verify"]["verdict"] in ("confirmed", "refuted", "inconclusive")
        assert "seconds" not in json.dumps(row["verify"])


# -- issue 15: per-task budget, duplicate rows ---------------------------------------------------

#: A fast system and one whose solve takes minutes (6 latents).
#: ``slow-0`` takes about 45 s with the default budget (S(5), 30 unknowns; sympy, the engine the
#: test chooses): far past 1 s on any machine, so the budget stop does not depend on its speed.
BUDGETED = """\
budget: 1
systems:
  - spec: translation_single
  - {name: slow-0, latents: [z1, z2, z3, z4, z5], mechanisms: {m: [z1**2, z2**2, z3**2, z4**2, z5**2]}}
"""


def test_a_task_past_its_budget_is_an_error_row(tmp_path, monkeypatch):
    """Issue 15: a task that runs past the sweep's ``budget:`` becomes a row with status error
    and the budget's message; the worker is not stuck (the test would time out). Before the
    fix ``budget:`` was an unknown key, and a slow task held its worker for minutes."""
    monkeypatch.setenv("EQUIVID_ENGINE", "sympy")
    path = write(tmp_path, BUDGETED)
    sweep = load_sweep(path)
    assert sweep.budget == 1
    with ThreadPoolExecutor(1) as pool:
        summary = run_sweep(sweep, executor=pool)
    assert summary.complete and summary.errors == 1
    rows = {row["system"]: row for row in read_rows(tmp_path / "sweep.jsonl")}
    assert rows["translation_single"]["status"] == "ok"
    slow = rows["slow-0"]
    assert slow["status"] == "error" and slow["name"] is None
    assert slow["error"].startswith("BudgetExceededError: task slow-0 (affine) did not finish within 1 s (the budget)")


def test_budget_flag_overrides_the_sweep_file(tmp_path, capsys):
    """``equivid sweep --budget`` (new) wins over the file's ``budget:``; bad values are one line, 2."""
    path = write(tmp_path, BUDGETED.replace("budget: 1", "budget: 600"))
    assert main(["sweep", str(path), "--budget", "0.5", "--workers", "1"]) == 0
    rows = {row["system"]: row for row in read_rows(tmp_path / "sweep.jsonl")}
    assert "within 0.5 s (the budget)" in rows["slow-0"]["error"]
    capsys.readouterr()
    for bad in ("budget: .inf", "budget: 0", "budget: -3", "budget: abc", "budget: .nan"):
        bad_path = write(tmp_path, BUDGETED.replace("budget: 1", bad), "bad.yaml")
        assert main(["sweep", str(bad_path)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("equivid: error: budget: ") and "seconds > 0" in err


def test_duplicated_rows_are_read_once_and_not_written_again(tmp_path):
    """Issue 15, item 14 (belt and braces beside the lock): an output where two writers put every
    row twice reads as one row per key, and a rerun adds nothing. Before the fix ``read_rows``
    returned both copies."""
    path = write(tmp_path, "systems: [{spec: translation_single}, {spec: cycle_12}]\n")
    with ThreadPoolExecutor(1) as pool:
        run_sweep(load_sweep(path), executor=pool)
    out = tmp_path / "sweep.jsonl"
    out.write_text(out.read_text(encoding="utf-8") * 2, encoding="utf-8")
    rows = read_rows(out)
    assert len(rows) == 2 and len({row["key"] for row in rows}) == 2
    with ThreadPoolExecutor(1) as pool:
        summary = run_sweep(load_sweep(path), executor=pool)
    assert summary.new == 0 and summary.complete and out.read_text(encoding="utf-8").count("\n") == 4


def test_a_parquet_output_that_is_not_this_sweeps_is_not_replaced_without_force(tmp_path):
    pytest.importorskip("pyarrow")
    path = write(tmp_path, SWEEP.replace("count: 100", "count: 1"))
    out = tmp_path / "rows.parquet"
    out.write_text("precious")
    with pytest.raises(SpecError, match="it exists; pass --force to replace it"):
        run_sweep(load_sweep(path), output=out, executor=ThreadPoolExecutor(1))
    assert out.read_text() == "precious"
    summary = run_sweep(load_sweep(path), output=out, executor=ThreadPoolExecutor(1), force=True)
    assert summary.complete and read_rows(out)
    again = run_sweep(load_sweep(path), output=out, executor=ThreadPoolExecutor(1))  # its own output: resumed
    assert again.new == 0 and again.complete


def test_a_script_without_a_main_guard_is_told_to_add_one(tmp_path) -> None:
    """The pool's workers (spawn) import the calling script: one that calls run_sweep at its
    top level would have each worker start a sweep of its own. The worker refuses at once and
    the script's error names the guard (it used to end in a broken pool and a lock error)."""
    script = tmp_path / "sweep_script.py"
    script.write_text(
        "from equivid.sweep import run_sweep, sweep_from_text\n"
        "sweep = sweep_from_text('systems:\\n  - random: {count: 2, latents: 2, seed: 0}\\n')\n"
        f"run_sweep(sweep, output={str(tmp_path / 'rows.jsonl')!r}, workers=1)\n"
    )
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert 'if __name__ == "__main__":' in last and "BrokenProcessPool" in last
    assert "no other sweep is writing" not in done.stderr  # no worker reached the output's lock


RETRIED = """\
systems:
  - spec: translation_single
  - {name: squares, latents: [z1, z2], mechanisms: {m: [z1**2, z2**2]}}
"""


def test_retry_errors_solves_error_rows_again_and_the_retry_wins(tmp_path, monkeypatch):
    """An error row (here: past a tiny budget) is kept by a plain rerun and solved again with
    ``retry_errors`` (``--retry-errors``); the new row replaces it when read, and a finished
    row is never redone."""
    path = write(tmp_path, RETRIED)
    out = tmp_path / "rows.jsonl"
    sweep = load_sweep(path)
    monkeypatch.setattr("equivid.sweep._run.each_in_resident", _budget_by_system({"squares": 1e-4}))
    with ThreadPoolExecutor(1) as pool:
        first = run_sweep(sweep, output=out, executor=pool)
    assert first.errors == 1 and {r["system"]: r["status"] for r in read_rows(out)} == {
        "translation_single": "ok", "squares": "error"}
    with ThreadPoolExecutor(1) as pool:
        assert run_sweep(sweep, output=out, executor=pool).new == 0  # a plain rerun keeps the error
    monkeypatch.undo()
    with ThreadPoolExecutor(1) as pool:
        retried = run_sweep(sweep, output=out, executor=pool, retry_errors=True)
    assert (retried.new, retried.errors, retried.complete) == (1, 0, True)
    rows = {r["system"]: r for r in read_rows(out)}
    assert rows["squares"]["status"] == "ok" and rows["squares"]["name"] == "permutations"
    assert len(out.read_text().splitlines()) == 3  # the error row stays in the log; the retry is read instead
    with ThreadPoolExecutor(1) as pool:
        assert run_sweep(sweep, output=out, executor=pool, retry_errors=True).new == 0  # nothing left to retry


def _budget_by_system(budgets):
    """each_in_resident with a budget per task (by system name), to make one task fail."""
    from equivid import _budget

    def run(function, items, *, what, fallback, seconds=None):
        out = []
        for args, name in zip(items, what):
            limit = next((b for system, b in budgets.items() if f"task {system} " in name), seconds)
            if limit != seconds:
                args = (args[0], args[1], limit)
            out += _budget.each_in_resident(function, [args], what=[name], fallback=fallback, seconds=limit)
        return out

    return run


def test_read_rows_takes_the_first_ok_row_else_the_last(tmp_path):
    out = tmp_path / "rows.jsonl"
    lines = [{"key": "a", "status": "error", "error": "1"}, {"key": "b", "status": "ok", "n": 1},
             {"key": "a", "status": "error", "error": "2"}, {"key": "b", "status": "ok", "n": 2},
             {"key": "c", "status": "error"}, {"key": "c", "status": "ok"}, {"key": "c", "status": "error"}]
    out.write_text("".join(json.dumps(x) + "\n" for x in lines))
    rows = read_rows(out)
    assert [r["key"] for r in rows] == ["a", "b", "c"]  # the place of each key's first row
    assert rows[0]["error"] == "2" and rows[1]["n"] == 1 and rows[2]["status"] == "ok"


def test_the_retry_flag_on_the_command_line(tmp_path, capsys):
    path = write(tmp_path, RETRIED)
    assert main(["sweep", str(path), "--budget", "0.0001", "--workers", "1", "--quiet"]) == 0
    assert "--retry-errors" in {r["system"]: r for r in read_rows(tmp_path / "sweep.jsonl")}["squares"]["error"]
    capsys.readouterr()
    assert main(["sweep", str(path), "--retry-errors", "--workers", "1", "--quiet"]) == 0
    assert all(r["status"] == "ok" for r in read_rows(tmp_path / "sweep.jsonl"))
    assert capsys.readouterr().out.startswith("sweep: 2/2 rows")
