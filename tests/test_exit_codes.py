"""Exit statuses of every command (``equivid --help``): 0 ok, 1 verification failed,
2 bad input, 3 unsupported or over budget, 130 interrupted; each failure one line."""

import shutil
import subprocess
import sys

import pytest

import equivid
import equivid.cli
from equivid.cli import main
from equivid.sweep import read_rows

#: Valid systems the solver refuses (equivid.solve._refuse).
UNSUPPORTED = {
    "nonpolynomial-with-family": "latents: [z1, z2]\nfamilies: [d]\nmechanisms: {m: [z1 + d*log(z2), z2]}\n",
    "polynomial-ansatz-for-tanh": "latents: [z1, z2]\nmechanisms: {sq: ['tanh(z1)', z2]}\nansatz: polynomial:2\n",
}
#: Valid systems that stop at a budget: a count (class-permutations: immediate), or the wall clock
#: set to 1 s by the tests below (the five squares: S(5) after about 45 s with sympy, the engine these
#: tests choose: with Singular it takes a few seconds, too close to 1 s on a fast machine).
OVER_BUDGET = {
    "affine-unknowns": (
        "latents: [z1, z2, z3, z4, z5]\nmechanisms: {m: [z1**2, z2**2, z3**2, z4**2, z5**2]}\nansatz: affine\n"
    ),
    "class-permutations": (
        "latents: [z1, z2, z3, z4, z5, z6, z7]\nmechanisms: {m: [2*z1, z2, z3, z4, z5, z6, z7]}\n"
        "learner: {knows: class, class: permutations}\n"
    ),
}
GOOD = "latents: [z1, z2]\nmechanisms: {grow: [2*z1, 3*z2]}\n"
CODES = ("0    ok", "1    verification failed", "2    bad input", "3    unsupported or over budget",
         "130  interrupted")


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def one_line(err, prefix="equivid: "):
    """The single stderr line (no traceback, no usage dump)."""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(prefix), err
    assert "Traceback" not in err
    return lines[0]


def spec(tmp_path, text, name="spec.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# -- 2: bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["analyze", "sketch", "verify"])
def test_bad_key_in_a_spec_file_is_2(capsys, tmp_path, command):
    path = spec(tmp_path, GOOD + "colour: red\n")
    status, out, err = run(capsys, command, path, *(["--quiet"] if command == "verify" else []))
    assert status == 2 and out == ""
    line = one_line(err, "equivid: error: ")
    assert "spec: got 'colour', expected a known key" in line


@pytest.mark.parametrize("command", ["analyze", "sketch", "verify", "sweep"])
def test_missing_file_is_2(capsys, tmp_path, command):
    missing = tmp_path / "missing.yaml"
    status, out, err = run(capsys, command, str(missing))
    assert status == 2 and out == ""
    line = one_line(err, "equivid: error: ")
    assert str(missing) in line and "expected an existing" in line


def test_unreadable_spec_is_2(capsys, tmp_path):
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00latents")
    for path in (folder, binary):
        status, out, err = run(capsys, "analyze", str(path))
        assert status == 2 and out == ""
        assert "expected a readable UTF-8 spec file" in one_line(err, "equivid: error: SPEC: ")


@pytest.mark.parametrize("command", ["analyze", "sketch", "verify"])
def test_bogus_ansatz_is_2(capsys, command):
    status, out, err = run(capsys, command, "diagonal_scaling", "--ansatz", "bogus")
    assert status == 2 and out == ""
    assert "'bogus'" in one_line(err, "equivid: error: ansatz: got ")


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        pytest.param(["analyze", "diagonal_scaling", "--degree", "x"], "--degree: got 'x'", id="degree"),
        pytest.param(["analyze", "diagonal_scaling", "--format", "pdf"], "argument --format: invalid choice: 'pdf'",
                     id="format-choice"),
        pytest.param(["sweep", "s.yaml", "--workers", "many"], "argument --workers: got 'many', expected a whole",
                     id="workers-not-a-number"),
        pytest.param(["verify", "diagonal_scaling", "--seeds", "x"], "argument --seeds: got 'x', expected a whole",
                     id="seeds-not-a-number"),
        pytest.param(["verify", "diagonal_scaling", "--lr", "fast"], "argument --lr: got 'fast', expected a finite",
                     id="lr-not-a-number"),
        pytest.param(["verify", "diagonal_scaling", "--lr", "0"], "--lr: got 0.0, expected a positive", id="lr-zero"),
        pytest.param(["verify", "diagonal_scaling", "--plot", "x.jpg"], "--plot: got 'x.jpg'", id="plot-suffix"),
        pytest.param(["examples", "--show", "nope"], "--show: got 'nope'", id="unknown-example"),
        pytest.param([], "the following arguments are required: command", id="no-command"),
        pytest.param(["bogus"], "argument command: invalid choice: 'bogus'", id="unknown-command"),
        pytest.param(["analyze"], "the following arguments are required: spec", id="no-spec"),
        pytest.param(["analyze", "diagonal_scaling", "--colour"], "unrecognized arguments: --colour", id="unknown-flag"),
    ],
)
def test_bad_flags_and_usage_errors_are_2(capsys, argv, field):
    status, out, err = run(capsys, *argv)  # main() returns the status; it does not raise SystemExit
    assert status == 2 and out == ""
    assert field in one_line(err, "equivid: error: ")


def test_bad_flag_is_reported_before_the_solve(capsys, tmp_path):
    """A bad option wins over an unsupported system: nothing is solved before the options are checked."""
    path = spec(tmp_path, UNSUPPORTED["polynomial-ansatz-for-tanh"])
    assert run(capsys, "analyze", path, "--degree", "-1")[0] == 2
    status, _, err = run(capsys, "verify", path, "--hidden", "0", "--quiet")
    assert status == 2 and "--hidden" in one_line(err, "equivid: error: ")


def test_bad_budget_setting_is_2(capsys, monkeypatch):
    monkeypatch.setenv("EQUIVID_BUDGET_SECONDS", "-1")
    status, _, err = run(capsys, "analyze", "cubic_coupling")
    assert status == 2 and "EQUIVID_BUDGET_SECONDS" in one_line(err, "equivid: error: ")


# -- 3: unsupported or over budget -------------------------------------------------------------


@pytest.mark.parametrize("command", ["analyze", "sketch", "verify"])
@pytest.mark.parametrize("text", list(UNSUPPORTED.values()), ids=list(UNSUPPORTED))
def test_unsupported_system_is_3(capsys, tmp_path, command, text):
    with pytest.raises(equivid.UnsupportedMechanismError):
        equivid.solve(equivid.System.from_spec(text))
    status, out, err = run(capsys, command, spec(tmp_path, text), *(["--quiet"] if command == "verify" else []))
    assert status == 3 and out == ""
    assert "mechanisms." in one_line(err, "equivid: unsupported: ")


def test_unsupported_predicted_group_in_verify_is_3(capsys, tmp_path):
    path = spec(tmp_path, UNSUPPORTED["nonpolynomial-with-family"])
    status, _, err = run(capsys, "verify", "diagonal_scaling", "--group", path, "--quiet")
    assert status == 3
    one_line(err, "equivid: unsupported: ")


@pytest.mark.parametrize("command", ["analyze", "sketch"])
@pytest.mark.parametrize("text", list(OVER_BUDGET.values()), ids=list(OVER_BUDGET))
def test_budget_stop_is_3(capsys, tmp_path, monkeypatch, command, text):
    monkeypatch.setenv("EQUIVID_BUDGET_SECONDS", "1")
    monkeypatch.setenv("EQUIVID_ENGINE", "sympy")
    assert not issubclass(equivid.BudgetExceededError, equivid.UnsupportedMechanismError)  # handled on its own
    status, out, err = run(capsys, command, spec(tmp_path, text))
    assert status == 3 and out == ""
    assert "budget" in one_line(err, "equivid: over budget: ")


def test_budget_stop_in_verify_is_3(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("EQUIVID_BUDGET_SECONDS", "1")
    monkeypatch.setenv("EQUIVID_ENGINE", "sympy")
    status, _, err = run(capsys, "verify", spec(tmp_path, OVER_BUDGET["affine-unknowns"]), "--quiet")
    assert status == 3
    one_line(err, "equivid: over budget: ")


def test_wall_clock_budget_is_3(capsys, monkeypatch):
    """The wall-clock budget (EQUIVID_BUDGET_SECONDS), with the slow solve replaced by its stop."""

    def stop(*args, **kwargs):
        raise equivid.BudgetExceededError("the polynomial solve did not finish within 0.01 s (the budget);\nuse affine")

    monkeypatch.setattr(equivid, "solve", stop)
    status, out, err = run(capsys, "analyze", "diagonal_scaling")
    assert status == 3 and out == ""
    assert one_line(err) == "equivid: over budget: the polynomial solve did not finish within 0.01 s (the budget); use affine"


def test_unsupported_systems_in_a_sweep_are_rows_not_a_stop(capsys, tmp_path):
    path = spec(tmp_path, "systems:\n  - name: refused\n    latents: [z1, z2]\n    families: [d]\n"
                          "    mechanisms: {m: [z1 + d*log(z2), z2]}\n", "sweep.yaml")
    status, _, _ = run(capsys, "sweep", path, "--workers", "1")
    assert status == 0
    rows = read_rows(tmp_path / "sweep.jsonl")
    assert [r["status"] for r in rows] == ["error"] and "UnsupportedMechanismError" in rows[0]["error"]


# -- 1: verification failed ----------------------------------------------------------------------


def test_verification_error_in_analyze_is_1(capsys, monkeypatch):
    def fail(*args, **kwargs):
        raise equivid.VerificationError("x")

    monkeypatch.setattr(equivid, "solve", fail)
    status, out, err = run(capsys, "analyze", "diagonal_scaling", "--format", "json")
    assert status == 1 and out == ""
    assert one_line(err) == "equivid: verification failed: x"


def test_verification_error_in_sketch_is_1(capsys, monkeypatch):
    def fail(*args, **kwargs):
        raise equivid.VerificationError("step 2 does not check:\n  a∘m != m∘a")

    monkeypatch.setattr(equivid, "sketch", fail)
    status, out, err = run(capsys, "sketch", "diagonal_scaling")
    assert status == 1 and out == ""
    assert one_line(err) == "equivid: verification failed: step 2 does not check: a∘m != m∘a"


# -- 130: interrupted ----------------------------------------------------------------------------


def test_ctrl_c_is_130(capsys, monkeypatch):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(equivid, "solve", interrupt)
    status, out, err = run(capsys, "analyze", "diagonal_scaling")
    assert status == 130 and out == ""
    assert one_line(err) == "equivid: interrupted"


# -- 0, and the table in --help ------------------------------------------------------------------


def test_ok_is_0(capsys, tmp_path):
    assert run(capsys, "analyze", spec(tmp_path, GOOD))[0] == 0
    assert run(capsys, "examples")[0] == 0


def test_help_lists_the_codes_in_a_real_process(tmp_path):
    exe = shutil.which("equivid")
    command = [exe] if exe else [sys.executable, "-m", "equivid.cli"]
    result = subprocess.run([*command, "--help"], capture_output=True, text=True, timeout=120, cwd=tmp_path,
                            check=False)
    assert result.returncode == 0 and result.stderr == ""
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert "exit status:" in lines
    for code in CODES:
        assert any(line.startswith(code) for line in lines), code  # one line per code (RawDescriptionHelpFormatter)
    module = subprocess.run([sys.executable, "-m", "equivid.cli", "analyze", str(tmp_path / "missing.yaml")],
                            capture_output=True, text=True, timeout=120, check=False)
    assert module.returncode == 2 and len(module.stderr.splitlines()) == 1


@pytest.mark.parametrize("command", ["analyze", "sketch", "sweep", "verify", "examples"])
def test_every_subcommand_help_lists_the_codes(capsys, command):
    status, out, _ = run(capsys, command, "--help")
    assert status == 0
    lines = [line.strip() for line in out.splitlines()]
    # a sweep's 1 is its broken executor (a failed verification is one row's error)
    codes = [c if not (command == "sweep" and c.startswith("1 ")) else "1    the executor broke" for c in CODES]
    for code in codes:
        assert any(line.startswith(code) for line in lines), (command, code)


def test_verify_help_says_a_refuted_prediction_exits_0(capsys):
    _, out, _ = run(capsys, "verify", "--help")
    text = " ".join(out.split())
    assert "refuted" in text and "inconclusive" in text and "status 0" in text and "control failed" in text


def test_status_constants():
    cli = equivid.cli
    assert (cli.OK, cli.VERIFICATION_FAILED, cli.BAD_INPUT, cli.UNSUPPORTED, cli.INTERRUPTED) == (0, 1, 2, 3, 130)
