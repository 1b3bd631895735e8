"""Issue 15, part B: nothing a flag or a signal can do crashes, hangs, or writes where it must not.

One test (or a few) per item: 10 (``-o`` a directory), 11 (``-o`` a device, FIFO or symlink:
never replaced or written through), 14 (two sweeps on one output: a lock), 15 (Ctrl-C
during a sweep: 130 within seconds, rows kept), 16 (a bad or tiny budget; ``--budget``).
Each asserts the exit status and a single stderr line. Subprocess timeouts are generous:
they catch hangs, they do not measure speed.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from equivid.cli import main
from equivid.sweep import load_sweep, read_rows

#: A system whose polynomial solve runs through the budgeted child process.
POLYNOMIAL = "push_polynomial"


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def one_line(err, prefix="equivid: "):
    """The single stderr line (progress lines of a sweep, ``sweep: ...``, left out)."""
    lines = [line for line in err.splitlines() if not line.startswith("sweep: ")]
    assert len(lines) == 1, err
    assert lines[0].startswith(prefix), err
    assert "Traceback" not in err
    return lines[0]


def cli(*argv, env=None, timeout=300, **kwargs):
    """``equivid ARGV`` in a subprocess (a hang fails by its timeout)."""
    return subprocess.run([sys.executable, "-m", "equivid.cli", *argv], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})}, **kwargs)


# -- 10: -o a directory --------------------------------------------------------------------------


def test_sketch_to_a_directory_is_one_line_2_and_refused_before_solving(capsys, tmp_path):
    """Item 10. On the issue's main this was an IsADirectoryError traceback; on the main this
    branch started from it already failed with one line *after* solving, and the test passes
    there too: it pins that the directory is untouched and nothing is left beside it."""
    folder = tmp_path / "somedir"
    folder.mkdir()
    status, out, err = run(capsys, "sketch", "diagonal_scaling", "-o", str(folder), "--force")
    assert status == 2 and out == ""
    line = one_line(err, "equivid: error: -o: ")
    assert "a directory" in line
    assert folder.is_dir() and list(folder.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["somedir"]


# -- 11: never replace or write through a non-regular file ----------------------------------------


def _specials(tmp_path):
    """Non-regular targets made in tmp_path: a FIFO, a symlink to /dev/full, a symlink to a
    FIFO, and (as root) a character device node like /dev/full (made here: the test never
    points at the real /dev/full, which a regression would destroy)."""
    fifo = tmp_path / "fifo.md"
    os.mkfifo(fifo)
    link = tmp_path / "full.md"
    link.symlink_to("/dev/full")
    fifo_link = tmp_path / "fifo-link.md"
    fifo_link.symlink_to(fifo)
    found = {"fifo": fifo, "symlink to /dev/full": link, "symlink to a FIFO": fifo_link}
    device = tmp_path / "device.md"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    except (PermissionError, AttributeError, OSError):
        pass
    else:
        found["character device"] = device
    return found


def _unchanged(path, before):
    info = os.lstat(path)
    assert stat.S_IFMT(info.st_mode) == stat.S_IFMT(before.st_mode) and info.st_ino == before.st_ino


@pytest.mark.parametrize("kind", ["fifo", "symlink to /dev/full", "symlink to a FIFO", "character device"])
def test_sketch_never_replaces_a_device_fifo_or_symlink(capsys, tmp_path, kind):
    """Item 11. Before the fix ``-o /dev/full --force`` (as root) replaced the device node by a
    regular file and exited 0; here the same happened to a FIFO, a device node or a symlink."""
    specials = _specials(tmp_path)
    if kind not in specials:
        pytest.skip("making a device node needs root")
    target = specials[kind]
    before = os.lstat(target)
    status, out, err = run(capsys, "sketch", "diagonal_scaling", "-o", str(target), "--force")
    assert status == 2 and out == ""
    line = one_line(err, "equivid: error: -o: ")
    assert "expected a regular file" in line
    _unchanged(target, before)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_sketch_into_an_unwritable_folder_is_one_line_2(capsys, tmp_path):
    """Item 11 (a folder that cannot be written). /proc refuses new files even to root. This
    already gave one line on the main this branch started from; the test pins it."""
    status, out, err = run(capsys, "sketch", "diagonal_scaling", "-o", "/proc/equivid-sketch.md")
    assert status == 2 and out == ""
    one_line(err, "equivid: error: -o: ")
    if os.geteuid() != 0:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o500)
        status, out, err = run(capsys, "sketch", "diagonal_scaling", "-o", str(folder / "x.md"))
        assert status == 2 and "writable folder" in one_line(err, "equivid: error: -o: ")


def test_sweep_output_that_is_a_symlink_or_fifo_is_refused(capsys, tmp_path):
    """Item 11 for ``sweep -o``. Before the fix the row log was appended through a symlink to
    /dev/null (rows lost, exit 0), and a FIFO output blocked the sweep forever."""
    sweep = tmp_path / "s.yaml"
    sweep.write_text("systems: [{spec: translation_single}]\n", encoding="utf-8")
    link = tmp_path / "null.jsonl"
    link.symlink_to("/dev/null")
    status, out, err = run(capsys, "sweep", str(sweep), "-o", str(link), "--workers", "1")
    assert status == 2 and out == ""
    assert "a symbolic link" in one_line(err, "equivid: error: --output: ")
    assert link.is_symlink()
    fifo = tmp_path / "fifo.jsonl"
    os.mkfifo(fifo)
    result = cli("sweep", str(sweep), "-o", str(fifo), "--workers", "1", timeout=120)
    assert result.returncode == 2 and result.stdout == ""
    assert "a FIFO" in one_line(result.stderr, "equivid: error: --output: ")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_verify_plot_into_a_fifo_is_refused_before_training(capsys, tmp_path):
    """Item 11 for ``verify --plot``. Before the fix ``--force`` let the plot replace a FIFO."""
    pytest.importorskip("torch")
    pytest.importorskip("matplotlib")
    fifo = tmp_path / "plot.png"
    os.mkfifo(fifo)
    status, out, err = run(capsys, "verify", "diagonal_scaling", "--plot", str(fifo), "--force", "--quiet",
                           "--seeds", "1", "--steps", "1", "--samples", "10")
    assert status == 2 and out == ""
    assert "a FIFO" in one_line(err, "equivid: error: --plot: ")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_sketch_writes_a_regular_file_atomically_and_force_replaces_it(capsys, tmp_path):
    """The ordinary path still works: a new file, then refused without --force, replaced with it."""
    target = tmp_path / "proof.md"
    status, out, err = run(capsys, "sketch", "diagonal_scaling", "-o", str(target))
    assert status == 0 and target.read_text(encoding="utf-8").strip()
    status, out, err = run(capsys, "sketch", "diagonal_scaling", "-o", str(target))
    assert status == 2 and "--force" in one_line(err, "equivid: error: -o: ")
    target.write_text("old", encoding="utf-8")
    status, out, err = run(capsys, "sketch", "diagonal_scaling", "-o", str(target), "--force")
    assert status == 0 and target.read_text(encoding="utf-8") != "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proof.md"]


# -- 14: one writer per sweep output ---------------------------------------------------------------


def test_a_second_sweep_on_a_locked_output_is_refused(capsys, tmp_path):
    """Item 14. The lock (OUT.lock, flock) held by another process refuses this sweep with one
    line and status 2, writing nothing. Before the fix both ran and every row was duplicated."""
    sweep = tmp_path / "s.yaml"
    sweep.write_text("systems: [{spec: translation_single}]\n", encoding="utf-8")
    out = tmp_path / "s.jsonl"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, sys, time; f = open(sys.argv[1], 'a'); "
         "fcntl.flock(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(120)", str(out) + ".lock"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        status, stdout, err = run(capsys, "sweep", str(sweep), "--workers", "1")
    finally:
        holder.kill()
        holder.wait(timeout=20)
        holder.stdout.close()
    assert status == 2 and stdout == ""
    line = one_line(err, "equivid: error: --output: ")
    assert "another equivid sweep" in line and "s.jsonl.lock" in line
    assert not out.exists()
    status, stdout, err = run(capsys, "sweep", str(sweep), "--workers", "1")  # the lock is free again
    assert status == 0 and len(read_rows(out)) == 1
    assert not Path(str(out) + ".lock").exists()


def test_two_sweeps_at_once_write_every_row_once(tmp_path):
    """Item 14, as reported: two ``equivid sweep`` runs on one output at once. Before the fix
    both exited 0 and the output held every row twice; now the second is refused (status 2)."""
    sweep = tmp_path / "s.yaml"
    sweep.write_text("systems:\n  - random: {count: 40, latents: 3, seed: 1}\n", encoding="utf-8")
    out = tmp_path / "s.jsonl"
    first = subprocess.Popen([sys.executable, "-m", "equivid.cli", "sweep", str(sweep), "--workers", "1"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 240
        while not (out.exists() and out.read_bytes().count(b"\n") >= 1) and first.poll() is None:
            assert time.monotonic() < deadline, "the first sweep wrote no row"
            time.sleep(0.1)
        second = cli("sweep", str(sweep), "--workers", "1", timeout=240)
        first_out, first_err = first.communicate(timeout=600)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, first_err
    if second.returncode == 0:  # the first had already finished: the second only found its rows
        assert "(0 new" in second.stdout
    else:
        assert second.returncode == 2 and second.stdout == ""
        assert "another equivid sweep" in one_line(second.stderr, "equivid: error: --output: ")
    keys = [json.loads(line)["key"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(keys) == len(set(keys)) == 40


# -- 15: Ctrl-C during a sweep --------------------------------------------------------------------

#: Eight fast systems, then four that run until a budget stops them (a million states whose
#: automorphism search is huge: the work budget stops it after seconds, ``--budget 3`` sooner).
SLOW_SWEEP = """\
systems:
  - random: {count: 8, latents: 3, seed: 1, name: fast}
""" + "".join(
    f'  - {{name: slow-{p}, states: {{i: 1000000}}, mechanisms: {{step: "(Mod(i + 1, {p}),)", mirror: "(Mod(-i, {p}),)"}}}}\n'
    for p in (5, 7, 11, 13))


def _default_interrupts():
    """In the child before exec: SIGINT at its default, whatever the test runner's disposition
    (an ignored SIGINT is inherited through exec, and Python then installs no handler)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _rows_so_far(path):
    return path.read_bytes().count(b"\n") if path.exists() else 0


@pytest.mark.parametrize("target", [pytest.param("parent", marks=pytest.mark.slow), "group"])  # 15 s each
def test_sigint_during_a_sweep_exits_130_keeps_rows_and_resumes(tmp_path, target):
    """Item 15. SIGINT once a few rows exist: status 130 (a hang fails by the timeout), one
    ``equivid:`` line on stderr, no worker left behind, the rows valid and not duplicated; a
    rerun (each task under ``--budget``) gives every task exactly one row. Before the fix the
    interrupted sweep waited for the tasks in flight (minutes each here): with SIGINT to the
    parent alone (``kill -INT``) it did not exit within the timeout. ``group`` is Ctrl-C at
    a terminal (the whole process group)."""
    sweep = tmp_path / "s.yaml"
    sweep.write_text(SLOW_SWEEP, encoding="utf-8")
    out = tmp_path / "s.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "equivid.cli", "sweep", str(sweep), "--workers", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=_default_interrupts)
    try:
        deadline = time.monotonic() + 240
        while _rows_so_far(out) < 3:
            assert proc.poll() is None and time.monotonic() < deadline, "no rows from the sweep"
            time.sleep(0.1)
        (os.kill if target == "parent" else os.killpg)(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=120)  # a hang guard, generous for a loaded machine
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)
    assert proc.returncode == 130, (proc.returncode, stdout, stderr)
    assert "interrupted" in one_line(stderr, "equivid: ")
    deadline = time.monotonic() + 120
    while True:  # the workers (and their budgeted children) are gone too
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        assert time.monotonic() < deadline, "a worker survived the interrupt"
        time.sleep(0.1)
    tasks = {task.key: task for task in load_sweep(sweep).tasks}
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert 3 <= len(rows) < len(tasks)
    assert len({row["key"] for row in rows}) == len(rows) and all(row["key"] in tasks for row in rows)
    resumed = cli("sweep", str(sweep), "--workers", "2", "--budget", "3", timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(row["key"] for row in rows) == sorted(tasks)
    slow = [row for row in rows if row["system"].startswith("slow")]
    assert len(slow) == 4 and all(row["status"] == "error" and "BudgetExceededError" in row["error"]
                                  and "budget" in row["error"] for row in slow)


# -- 16: the budget ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "0", "-1", "abc", ""])
def test_bad_budget_in_the_environment_is_one_line_2(capsys, monkeypatch, value):
    """Item 16. Before the fix ``EQUIVID_BUDGET_SECONDS=inf`` was an OverflowError traceback
    (exit 1) and nan/-inf were taken; now every value that is not a finite number > 0 is bad
    input, reported before any solving."""
    monkeypatch.setenv("EQUIVID_BUDGET_SECONDS", value)
    status, out, err = run(capsys, "analyze", POLYNOMIAL, "--degree", "0")
    assert status == 2 and out == ""
    line = one_line(err, "equivid: error: EQUIVID_BUDGET_SECONDS: ")
    assert "a finite number of seconds > 0" in line


@pytest.mark.parametrize("command", ["analyze", "sketch"])
def test_budget_flag_overrides_the_environment(capsys, monkeypatch, command):
    """Item 16: ``--budget`` (new) wins over ``EQUIVID_BUDGET_SECONDS``; a tiny one stops the
    solve with status 3 and one line. Before the fix ``--budget`` was a usage error."""
    monkeypatch.setenv("EQUIVID_BUDGET_SECONDS", "600")
    status, out, err = run(capsys, command, POLYNOMIAL, "--budget", "0.001", *(["--degree", "0"] if command == "analyze" else []))
    assert status == 3 and out == ""
    assert "within 0.001 s (the budget)" in one_line(err, "equivid: over budget: ")
    monkeypatch.setenv("EQUIVID_BUDGET_SECONDS", "inf")  # not read when --budget is given
    status, out, err = run(capsys, command, "diagonal_scaling", "--budget", "30")
    assert status == 0 and err == ""


@pytest.mark.parametrize("value", ["inf", "nan", "0", "-2", "abc"])
def test_bad_budget_flag_is_a_usage_error(capsys, value):
    """Item 16: ``--budget`` takes only a finite number of seconds > 0 (status 2, one line).
    Before the fix there was no ``--budget`` (an unrecognised argument)."""
    status, out, err = run(capsys, "analyze", "diagonal_scaling", f"--budget={value}")
    assert status == 2 and out == ""
    line = one_line(err, "equivid: error: argument --budget: ")
    assert "expected a finite number of seconds > 0" in line


def test_tiny_budget_exits_and_leaves_no_process(tmp_path):
    """Item 16: with a tiny budget the process prints its one line and exits (status 3), and no
    budgeted child outlives it. The issue saw the message come and the process stay alive; that
    did not reproduce on the main this branch started from (this test passes there), so it pins
    the behaviour: the child is now killed (SIGKILL), reaped, and dies with its parent."""
    proc = subprocess.Popen([sys.executable, "-m", "equivid.cli", "analyze", POLYNOMIAL, "--degree", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env={**os.environ, "EQUIVID_BUDGET_SECONDS": "0.001"})
    try:
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 3 and stdout == ""
    assert "did not finish within 0.001 s" in one_line(stderr, "equivid: over budget: ")
    deadline = time.monotonic() + 20
    while True:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        assert time.monotonic() < deadline, "a budgeted child outlived the command"
        time.sleep(0.1)


def test_a_written_file_has_the_mode_a_plain_open_gives(tmp_path):
    # mkstemp makes 0600 files; a written output is readable as any file the user makes
    from equivid._files import write_atomic

    old = os.umask(0o022)
    try:
        path = write_atomic(tmp_path / "out.md", b"x", force=False)
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        os.umask(0o077)
        path = write_atomic(tmp_path / "private.md", b"x", force=False)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        os.umask(old)
