"""Tests for equivid.proofs: proof sketches as data (steps, checks, conclusion), their printers and
the ``equivid sketch`` command."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import sympy

import equivid
from equivid.cli import main
from equivid.proofs import KINDS, Step
from equivid.proofs._exact import ansatz_unknowns, solution_checks

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "equivid" / "examples"
CASES = ROOT.parent / "shared" / "cases"
BUNDLED = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))


def _cases():
    if not (CASES / "cases.json").exists():
        return []
    return [pytest.param(c, id=c["spec"].removesuffix(".yaml")) for c in json.loads((CASES / "cases.json").read_text())]


PUBLIC = _cases()


def _sketch(name, ansatz=None):
    return equivid.sketch(equivid.load(EXAMPLES / f"{name}.yaml"), ansatz=ansatz)


# -- public cases: every step checked, the conclusion agrees with analyze ------------------------
@pytest.mark.skipif(not PUBLIC, reason="the public cases (../shared/cases) are not present")
@pytest.mark.parametrize("case", PUBLIC)
def test_public_case_all_checked_and_agrees(case, capsys):
    system = equivid.load(CASES / case["spec"])
    group = equivid.solve(system, ansatz=case["ansatz"])
    proof = equivid.sketch(group)
    unchecked = [(s.kind, s.reason) for s in proof.steps if not s.checked and not s.scope]
    assert unchecked == []
    assert proof.all_checked
    assert proof.conclusion["verdict"] == group.verdict
    for key, value in case["expect"].items():
        assert proof.conclusion[key] == value, key
    argv = ["analyze", str(CASES / case["spec"]), "--format", "json", "--degree", "0"]
    if case["ansatz"]:
        argv += ["--ansatz", case["ansatz"]]
    assert main(argv) == 0
    analyzed = json.loads(capsys.readouterr().out)
    for key in ("verdict", "dimension", "finite", "order", "identifiable", "name"):
        assert proof.conclusion[key] == analyzed[key], key


@pytest.mark.parametrize("name", BUNDLED)
def test_every_bundled_example_has_ordered_steps(name):
    proof = _sketch(name)
    order = [KINDS.index(k) for k in proof.kinds]
    assert order == sorted(order)
    for kind in ("consistency", "ansatz", "equations", "solution", "discrete", "conclusion", "outside"):
        assert kind in proof.kinds
    assert proof.steps[0].kind == "consistency" and proof.steps[-1].kind == "outside"
    for step in proof.steps:
        assert step.checked or step.reason
        assert step.checks or not step.checked
    data = proof.to_dict()
    assert [s["kind"] for s in data["steps"]] == list(proof.kinds)
    json.dumps(data)  # objects as strings


def test_equations_step_counts_and_trivial_ones():
    proof = _sketch("translation_single")
    equations = proof.step("equations")
    assert "2 distinct non-trivial linear equations in the 6 unknowns" in equations.claim
    assert "4 equations, 4 trivial" in equations.justification  # BA - AB = 0 with A = I
    values = [v for _, v in equations.objects]
    b11 = sympy.Symbol("b_{1,1}")
    assert sympy.Eq(1 - b11, 0) in values


def test_solution_rank_check_is_part_of_the_step():
    step = _sketch("diagonal_scaling").step("solution")
    assert step.checked
    assert any("rank of the linear system = 6 unknowns - 2 parameters" in c for c in step.checks)


def test_a_wrong_general_element_is_not_checked():
    group = equivid.solve(equivid.load(EXAMPLES / "translation_single.yaml"))
    a, unknowns = ansatz_unknowns(group)
    proof = equivid.sketch(group)
    equations = [e.lhs for _, e in proof.step("equations").objects if isinstance(e, sympy.Equality)]
    z1, z2 = group.latents
    t = group.parameters
    wrong = group.solution.__class__(**{**group.solution.__dict__, "general_element": (t[0] * z1 + z2, t[1] * z2 + t[2])})
    broken = equivid.EquivarianceGroup(group.system, wrong, group.name)
    results, _ = solution_checks(broken, a, unknowns, equations, True)
    assert not all(ok for ok, _ in results)
    assert any("substitution" in reason for ok, reason in results if not ok)


def test_unchecked_step_needs_a_reason():
    with pytest.raises(ValueError):
        Step("solution", "claim", "why", checked=False)
    with pytest.raises(ValueError):
        Step("lemma", "claim", "why")


def test_outside_step_witness_and_theorem():
    single = _sketch("translation_single").step("outside")
    assert any("commutes with every mechanism and is a bijection" in c for c in single.checks)
    family = _sketch("translation_family").step("outside")
    assert "exactly the translations" in family.claim and family.checked


def test_finite_sketch_rederives_the_order():
    proof = _sketch("cycle_12")
    step = proof.step("solution")
    assert step.checked and "order 12" in step.claim
    assert proof.conclusion["order"] == 12
    assert any("re-derived" in c for c in step.checks)


def test_noise_and_class_sketches_have_their_steps():
    noise = _sketch("laplace_walk")
    assert "law" in noise.kinds and noise.step("law").checked
    assert "signed permutations" in noise.step("law").claim
    learner = _sketch("class_diagonal")
    assert learner.all_checked
    assert any("re-solves" in c for c in learner.step("solution").checks)


def test_large_system_stays_compact_and_says_what_it_did_not_check():
    n = 12
    latents = [f"z{k + 1}" for k in range(n)]
    step = [f"{k + 2}*z{k + 1}" for k in range(n)]
    proof = equivid.sketch(equivid.System.from_maps(latents, {"grow": step}), ansatz="linear")
    assert proof.conclusion["dimension"] == n
    unchecked = {s.kind: s.reason for s in proof.steps if not s.checked}
    assert "equations" in unchecked and "skipped for speed" in unchecked["equations"]
    assert len(proof.to_markdown()) < 20_000


def test_group_method_and_markdown_repr():
    group = equivid.solve(equivid.load(EXAMPLES / "rotation_quarter.yaml"))
    proof = group.sketch()
    assert proof.conclusion["name"] == group.name
    assert proof._repr_markdown_().startswith("# Identifiability under turn")


def test_latex_escapes_text():
    system = equivid.System.from_maps(["z1", "z2"], {"push_x_1": ["z1 + 1", "z2"]})
    tex = equivid.sketch(system).to_latex()
    assert "push\\_x\\_1" in tex and "push_x_1" not in tex
    assert tex.startswith("\\documentclass") and "\\usepackage{amsmath,amssymb}" in tex


# -- LaTeX compiles ----------------------------------------------------------------------------
def latex_specs() -> list:
    specs = sorted(CASES.glob("*.yaml")) if CASES.exists() else [EXAMPLES / f"{n}.yaml" for n in BUNDLED]
    specs += [EXAMPLES / name for name in ("markov_ring.yaml", "nonderogatory.yaml") if EXAMPLES / name not in specs]
    quick = {"diagonal_scaling.yaml", "markov_ring.yaml", "drift_flow.yaml"}  # a map, a finite system, a flow
    return [pytest.param(s, id=s.stem, marks=() if s.name in quick else pytest.mark.slow) for s in specs]


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed (apt-get install texlive-latex-base)")
@pytest.mark.parametrize("spec", latex_specs())
def test_latex_of_every_public_case_compiles(tmp_path, spec):
    (tmp_path / "s.tex").write_text(equivid.sketch(equivid.load(spec)).to_latex(), encoding="utf-8")
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "s.tex"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, (spec.name, run.stdout[-2000:])
    assert (tmp_path / "s.pdf").stat().st_size > 1000


# -- the command line --------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["markdown", "latex", "json"])
def test_cli_formats(fmt, capsys):
    assert main(["sketch", "diagonal_scaling", "--format", fmt]) == 0
    out = capsys.readouterr().out
    if fmt == "json":
        data = json.loads(out)
        assert data["all_checked"] is True
        assert data["conclusion"]["dimension"] == 2
    else:
        assert ("# Identifiability" in out) if fmt == "markdown" else out.startswith("\\documentclass")


def test_cli_output_refuses_to_overwrite(tmp_path, capsys):
    target = tmp_path / "proof.md"
    target.write_text("mine")
    assert main(["sketch", "diagonal_scaling", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--force" in err
    assert target.read_text() == "mine"
    assert main(["sketch", "diagonal_scaling", "-o", str(target), "--force"]) == 0
    assert target.read_text().startswith("# Identifiability")
    assert [p.name for p in tmp_path.iterdir()] == ["proof.md"]  # no temporary file left


def test_cli_pdf_without_pdflatex(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert main(["sketch", "diagonal_scaling", "--pdf", "-o", str(tmp_path / "p.pdf")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pdflatex" in err
    assert not (tmp_path / "p.pdf").exists()


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_cli_pdf(tmp_path, capsys):
    target = tmp_path / "p.pdf"
    assert main(["sketch", "cycle_12", "--pdf", "-o", str(target)]) == 0
    assert target.read_bytes().startswith(b"%PDF")


def test_cli_bad_input_is_one_line(tmp_path, capsys):
    spec = tmp_path / "bad.yaml"
    spec.write_text("latents: [z1]\nmechanisms: {m: [z1 +]}\n")
    assert main(["sketch", str(spec)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert main(["sketch", "diagonal_scaling", "--ansatz", "cubic"]) == 2


def test_a_statement_of_scope_is_not_shown_as_checked():
    proof = equivid.sketch(equivid.solve(equivid.load(EXAMPLES / "class_diagonal.yaml")))
    scope = [s for s in proof.steps if s.scope]
    assert scope and all(not s.checked for s in scope)
    text = proof.to_markdown()
    assert "(a statement of scope)" in text and "nothing to check" in text
    assert proof.all_checked  # a statement of scope claims nothing, so it does not make the proof unchecked
    assert proof.to_dict()["steps"][proof.steps.index(scope[0])]["scope"] is True
    with pytest.raises(ValueError, match="a statement of scope is not checked"):
        Step("outside", "claim", "why", (), True, (), "", scope=True)


def test_the_equations_step_lists_each_distinct_equation_once():
    # jordan_blocks: BA - AB gives -b21 = 0 and b21 = 0 (one equation up to sign): the count and the list agree
    proof = equivid.sketch(equivid.solve(equivid.load(EXAMPLES / "jordan_blocks.yaml")))
    step = next(s for s in proof.steps if s.kind == "equations")
    count = int(step.claim.split(" give ")[1].split()[0])
    equations = [v for _, v in step.objects if not isinstance(v, str)]
    rest = [v for _, v in step.objects if isinstance(v, str)]
    more = int(rest[0].split()[2]) if rest else 0
    assert len(equations) + more == count
    normal = {-e.lhs if e.lhs.could_extract_minus_sign() else e.lhs for e in equations}
    assert len(normal) == len(equations)


def test_a_failed_check_is_a_failure_not_a_skip(monkeypatch, tmp_path, capsys):
    # a check that runs and says no marks its step failed: shown as FAILED, the sketch's
    # `failed` is True and `equivid sketch` exits 1 (the file is still written); a check
    # skipped for size, or one that cannot run, is only "not checked"
    from equivid.cli import main
    from equivid.proofs import _exact
    from equivid.proofs._base import Failure, Step, combine, run_check

    assert run_check(lambda: "no", "x") == (False, "x: no") and isinstance(run_check(lambda: "no", "x")[1], Failure)
    assert not isinstance(run_check(lambda: 1 / 0, "x")[1], Failure)  # could not run: not a refutation
    assert isinstance(combine([(True, ""), (False, "skipped"), (False, Failure("x: no"))])[1], Failure)
    assert not Step("solution", "c", "j", checked=False, reason="skipped for size").failed

    system = equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})
    good = equivid.sketch(system)
    assert not good.failed and good.to_dict()["steps"][0]["failed"] is False
    monkeypatch.setattr(_exact, "commutes", lambda *args, **kwargs: False)
    bad = equivid.sketch(system)
    assert bad.failed and not bad.all_checked
    assert "**FAILED its check**" in bad.to_markdown()
    assert "FAILED its check" in bad.to_latex()
    spec = tmp_path / "grow.yaml"
    spec.write_text("latents: [z1, z2]\nmechanisms:\n  grow: [2*z1, 3*z2]\n")
    out = tmp_path / "grow.md"
    assert main(["sketch", str(spec), "-o", str(out)]) == 1
    assert "FAILED its check" in out.read_text()
    failed = ", ".join(step.kind for step in bad.steps if step.failed)
    assert f"verification failed: the sketch's {failed} step failed its check" in capsys.readouterr().err
