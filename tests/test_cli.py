"""Tests for equivid.cli: the command line of DESIGN.md section 5, called as main(argv)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from equivid.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "equivid" / "examples"
BUNDLED = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
FORMATS = ("text", "json", "markdown", "latex")

JSON_KEYS = {
    "latents": list,
    "ansatz": str,
    "dimension": int,
    "finite": bool,
    "order": (int, type(None)),
    "identifiable": bool,
    "general_element": list,
    "parameters": list,
    "lie_algebra": list,
    "name": (str, type(None)),
    "verdict": str,
    "checks": list,
}


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def analyze_json(capsys, *argv):
    status, out, err = run(capsys, "analyze", *argv, "--format", "json")
    assert status == 0, err
    return json.loads(out)


def test_examples_are_bundled():
    assert len(BUNDLED) >= 5
    assert "diagonal_scaling" in BUNDLED


# -- analyze ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", BUNDLED)
def test_analyze_every_bundled_example_in_every_format(capsys, name, fmt):
    before = {p.name: p.read_bytes() for p in EXAMPLES.glob("*.yaml")}
    status, out, err = run(capsys, "analyze", str(EXAMPLES / f"{name}.yaml"), "--format", fmt)
    assert {p.name: p.read_bytes() for p in EXAMPLES.glob("*.yaml")} == before  # no example modified
    assert status == 0, err
    assert out.strip()
    assert "Traceback" not in out + err
    if fmt == "json":
        json.loads(out)


@pytest.mark.parametrize("name", BUNDLED)
def test_json_has_every_documented_key_with_its_type(capsys, name):
    data = analyze_json(capsys, str(EXAMPLES / f"{name}.yaml"))
    for key, kind in JSON_KEYS.items():
        assert key in data, key
        assert isinstance(data[key], kind), (key, data[key])
    assert all(isinstance(s, str) for s in data["latents"])
    assert len(data["general_element"]) == len(data["latents"])
    assert all(isinstance(s, str) for s in data["general_element"] + data["parameters"])
    for generator in data["lie_algebra"]:
        assert len(generator) == len(data["latents"])
        assert all(isinstance(s, str) for s in generator)
    assert "identifiable" in data["verdict"]
    assert "\n" not in data["verdict"]
    assert data["identifiable"] == (data["dimension"] == 0 and data["order"] == 1)
    if data["finite"]:
        assert isinstance(data["order"], int) and data["dimension"] == 0
    else:
        assert data["order"] is None
    assert data["checks"] == []
    assert "dimension_profile" not in data or isinstance(data["dimension_profile"], dict)


@pytest.mark.parametrize(
    ("name", "ansatz", "dimension", "identifiable", "group"),
    [
        pytest.param(
            "diagonal_scaling", "affine", 2, False, "diagonal scalings", id="diagonal_scaling"
        ),
        pytest.param(
            "rotation_quarter", "linear", 2, False, "scaled rotations", id="rotation_quarter"
        ),
        pytest.param("rotation_angle", "linear", 2, False, "scaled rotations", id="rotation_angle"),
        pytest.param(
            "translations_two", "affine", 2, False, "translations R^2", id="translations_two"
        ),
        pytest.param("scaling_and_push", "affine", 0, True, "trivial", id="scaling_and_push"),
        pytest.param("jordan_blocks", "linear", 5, False, None, id="jordan_blocks"),
    ],
)
def test_json_answers_for_known_examples(capsys, name, ansatz, dimension, identifiable, group):
    data = analyze_json(capsys, name)
    assert data["latents"] == ["z1", "z2"] if name != "jordan_blocks" else ["z1", "z2", "z3"]
    assert data["ansatz"] == ansatz
    assert data["dimension"] == dimension
    assert data["identifiable"] is identifiable
    assert len(data["parameters"]) == dimension
    assert len(data["lie_algebra"]) == dimension
    if group is not None:
        assert data["name"] == group


def test_ansatz_option_overrides_the_spec(capsys):
    assert analyze_json(capsys, "diagonal_scaling", "--ansatz", "linear")["ansatz"] == "linear"
    assert analyze_json(capsys, "rotation_quarter", "--ansatz", "affine")["ansatz"] == "affine"


def test_bundled_example_by_bare_name(capsys):
    by_name = analyze_json(capsys, "diagonal_scaling")
    by_path = analyze_json(capsys, str(EXAMPLES / "diagonal_scaling.yaml"))
    assert by_name == by_path
    assert by_name["name"] == "diagonal scalings"


def test_text_report_mentions_group_and_verdict(capsys):
    status, out, _ = run(capsys, "analyze", "diagonal_scaling")
    assert status == 0
    assert "diagonal scalings" in out
    assert "identifiable up to" in out


# -- --check ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("check", "member"),
    [
        pytest.param("(5*z1, -z2)", True, id="scaling-member"),
        pytest.param("(-z1, z2/7)", True, id="other-component-member"),
        pytest.param("(z1, z2)", True, id="identity-member"),
        pytest.param("(z2, z1)", False, id="swap-not-member"),
        pytest.param("(z1 + 1, z2)", False, id="translation-not-member"),
        pytest.param("(0*z1, z2)", False, id="singular-not-member"),
        pytest.param("(z1**2, z2)", False, id="outside-ansatz-not-member"),
    ],
)
def test_check_json(capsys, check, member):
    data = analyze_json(capsys, "diagonal_scaling", "--check", check)
    (result,) = data["checks"]
    assert result["member"] is member
    assert isinstance(result["map"], list) and len(result["map"]) == 2
    assert all(isinstance(s, str) for s in result["map"])


def test_several_checks_keep_their_order(capsys):
    data = analyze_json(capsys, "diagonal_scaling", "--check", "(5*z1, -z2)", "--check", "(z2, z1)")
    assert [c["map"] for c in data["checks"]] == [["5*z1", "-z2"], ["z2", "z1"]]
    assert [c["member"] for c in data["checks"]] == [True, False]


def test_check_text(capsys):
    status, out, _ = run(
        capsys, "analyze", "diagonal_scaling", "--check", "(5*z1, -z2)", "--check", "(z2, z1)"
    )
    assert status == 0
    assert "check (5*z1, -z2): member" in out
    assert "check (z2, z1): not a member" in out


def test_check_translation_on_translations(capsys):
    data = analyze_json(
        capsys, "translations_two", "--check", "(z1 + 3, z2 - 1/2)", "--check", "(2*z1, z2)"
    )
    assert [c["member"] for c in data["checks"]] == [True, False]


# -- examples ---------------------------------------------------------------------------------


def test_examples_lists_every_bundled_spec(capsys):
    status, out, _ = run(capsys, "examples")
    assert status == 0
    listed = [
        line.split()[0] for line in out.splitlines() if line.strip() and not line.startswith("run ")
    ]
    assert listed == BUNDLED


def test_examples_show(capsys):
    status, out, _ = run(capsys, "examples", "--show", "diagonal_scaling")
    assert status == 0
    assert out == (EXAMPLES / "diagonal_scaling.yaml").read_text(encoding="utf-8")


# -- bad input --------------------------------------------------------------------------------

BAD_SPECS = {
    "unknown-key": ("latents: [z1, z2]\nmechanisms: {m: [z1, z2]}\ncolour: red\n", "spec"),
    "arity-mismatch": ("latents: [z1, z2]\nmechanisms: {m: [z1]}\n", "mechanisms.m"),
    "unknown-symbol": ("latents: [z1, z2]\nmechanisms: {m: [z1, w]}\n", "mechanisms.m[1]"),
    "duplicate-latent": ("latents: [z1, z1]\nmechanisms: {m: [z1, z1]}\n", "latents[1]"),
    "unparsable": ("latents: [z1, z2]\nmechanisms: {m: '(z1 +, z2)'}\n", "mechanisms.m"),
    "invalid-yaml": ("latents: [z1, z2\nmechanisms: {m: [z1]}\n", "spec"),
    "bad-spec-ansatz": (
        "latents: [z1, z2]\nmechanisms: {m: [z1, z2]}\nansatz: quadratic\n",
        "ansatz",
    ),
}


def assert_one_line_error(status, out, err, field):
    assert status == 2
    assert "Traceback" not in out + err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("equivid: ")
    assert f" {field}: " in lines[0]


@pytest.mark.parametrize(("text", "field"), list(BAD_SPECS.values()), ids=list(BAD_SPECS))
def test_bad_spec_exits_2_with_one_line(capsys, tmp_path, text, field):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    status, out, err = run(capsys, "analyze", str(path), "--format", "json")
    assert_one_line_error(status, out, err, field)
    assert out == ""


def test_unsupported_system_exits_3_with_one_line(capsys, tmp_path):
    """A valid system the solver refuses is not bad input: status 3 (it was 2)."""
    path = tmp_path / "tanh.yaml"
    path.write_text("latents: [z1, z2]\nmechanisms: {sq: ['tanh(z1)', z2]}\nansatz: polynomial:2\n", encoding="utf-8")
    status, out, err = run(capsys, "analyze", str(path), "--format", "json")
    assert status == 3 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("equivid: unsupported: mechanisms.sq: ")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        pytest.param(["--ansatz", "quadratic"], "ansatz", id="ansatz-quadratic"),
        pytest.param(["--ansatz", "polynomial:0"], "ansatz", id="ansatz-polynomial-0"),
        pytest.param(["--check", "(z1 +, z2)", "--format", "json"], "--check[0]", id="check-unparsable"),
        pytest.param(["--check", "(z1, w)", "--format", "json"], "--check[0]", id="check-unknown-symbol"),
        pytest.param(["--check", "(z1,)", "--format", "json"], "--check[0]", id="check-arity"),
        pytest.param(["--check", "__import__('os')", "--format", "json"], "--check[0]", id="check-import"),
    ],
)
def test_bad_options_exit_2_with_one_line(capsys, argv, field):
    status, out, err = run(capsys, "analyze", "diagonal_scaling", *argv)
    assert_one_line_error(status, out, err, field)


def test_missing_file_exits_2(capsys, tmp_path):
    missing = tmp_path / "missing.yaml"
    status, out, err = run(capsys, "analyze", str(missing))
    assert_one_line_error(status, out, err, "SPEC")
    assert str(missing) in err


def test_unknown_bare_name_exits_2(capsys):
    status, out, err = run(capsys, "analyze", "no_such_example")
    assert_one_line_error(status, out, err, "SPEC")


def test_unknown_example_show_exits_2(capsys):
    status, out, err = run(capsys, "examples", "--show", "no_such_example")
    assert_one_line_error(status, out, err, "--show")


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param([], id="no-command"),
        pytest.param(["bogus"], id="unknown-command"),
        pytest.param(["analyze"], id="missing-spec"),
        pytest.param(["analyze", "diagonal_scaling", "--format", "pdf"], id="bad-format"),
    ],
)
def test_usage_errors_exit_2(capsys, argv):
    status, out, err = run(capsys, *argv)  # returned, not raised as SystemExit
    assert status == 2 and out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith("equivid: error: ")


def test_float_in_spec_warns_on_stderr_and_succeeds(capsys, tmp_path):
    path = tmp_path / "half.yaml"
    path.write_text("latents: [z1, z2]\nmechanisms: {m: [0.5*z1, 3*z2]}\n", encoding="utf-8")
    status, out, err = run(capsys, "analyze", str(path), "--format", "json")
    assert status == 0
    assert json.loads(out)["name"] == "diagonal scalings"
    assert err.startswith("equivid: warning: ")
    assert "exact rational 1/2" in err


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("# push\nlatents: [z1, z2]\nmechanisms:\n  push: [z1 + 1, z2]\n", id="good"),
        pytest.param("latents: [z1, z2]\nmechanisms: {m: [0.5*z1, z2]}\n", id="float"),
        pytest.param("latents: [z1, z2]\nmechanisms: {m: [z1]}\n", id="bad"),
    ],
)
def test_input_file_is_never_modified(capsys, tmp_path, text):
    path = tmp_path / "spec.yaml"
    path.write_bytes(text.encode("utf-8"))
    before = path.read_bytes()
    stat = path.stat()
    for fmt in FORMATS:
        main(["analyze", str(path), "--format", fmt, "--check", "(z1, z2)"])
    capsys.readouterr()
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == stat.st_mtime_ns
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.yaml"]


def test_bundled_examples_are_not_modified(capsys):
    # every example by path: test_analyze_every_bundled_example_in_every_format; here by name
    before = {p.name: p.read_bytes() for p in EXAMPLES.glob("*.yaml")}
    for name in ("diagonal_scaling", "markov_ring", "pendulum"):
        assert main(["analyze", name, "--format", "json"]) == 0
    capsys.readouterr()
    assert {p.name: p.read_bytes() for p in EXAMPLES.glob("*.yaml")} == before


# -- the installed command ----------------------------------------------------------------------


def test_installed_command_prints_json(tmp_path):
    exe = shutil.which("equivid")
    command = [exe] if exe else [sys.executable, "-m", "equivid.cli"]
    result = subprocess.run(
        [*command, "analyze", "diagonal_scaling", "--format", "json", "--check", "(5*z1, -z2)"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(JSON_KEYS) <= set(data)
    assert data["name"] == "diagonal scalings"
    assert data["checks"][0]["member"] is True


def test_installed_command_bad_input(tmp_path):
    exe = shutil.which("equivid")
    command = [exe] if exe else [sys.executable, "-m", "equivid.cli"]
    path = tmp_path / "bad.yaml"
    path.write_text("latents: [z1, z2]\nmechanisms: {m: [z1, w]}\n", encoding="utf-8")
    result = subprocess.run(
        [*command, "analyze", str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_bad_check_prints_nothing_on_stdout(capsys):
    status, out, err = run(capsys, "analyze", "diagonal_scaling", "--check", "(z1 +, z2)")
    assert status == 2
    assert out == ""


def test_check_commutes_is_independent_of_invertibility(capsys):
    (result,) = analyze_json(capsys, "diagonal_scaling", "--check", "(0*z1, z2)")["checks"]
    assert result["member"] is False
    assert result["commutes"] is True


def test_version(capsys):
    import equivid

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"equivid {equivid.__version__}"
