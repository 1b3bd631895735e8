"""Hostile and careless specs (tracker issue 15, part A): every one ends in a result or an
``EquividError``, never another exception, never a hang.

Each test names the item of issue 15 it covers and what the code did before the fix. Bad
input is a ``SpecError`` whose message is one line of at most ~300 characters naming the
field. Where the old behaviour was a hang, the case runs in a subprocess with a generous
``timeout=30``: a hang fails by the timeout, never by a speed threshold.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import equivid
from equivid import EquividError, SpecError, UnsupportedMechanismError
from equivid._limits import (
    MAX_EXPRESSION_CHARS,
    MAX_SPEC_BYTES,
    MAX_YAML_NODES,
)

CLI = "import sys; from equivid.cli import main; sys.exit(main(sys.argv[1:]))"


def _spec(*mechanism: str, latents: str = "[z1, z2]") -> str:
    return f"latents: {latents}\nmechanisms:\n  m: [{', '.join(repr(c) for c in mechanism)}]\n"


def _outcome(text: str) -> object:
    """System.from_spec, then solve (what `equivid analyze SPEC --degree 0` does)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return equivid.solve(equivid.System.from_spec(text))


def _spec_error(text: str, field: str, *words: str) -> SpecError:
    with pytest.raises(SpecError) as info:
        _outcome(text)
    message = str(info.value)
    assert message.startswith(field), message
    assert "\n" not in message and len(message) <= 300, message
    for word in words:
        assert word in message, message
    return info.value


def _cli(tmp_path: Path, text: str | None = None, *args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    """`equivid analyze SPEC --degree 0` in a subprocess; a hang fails by the timeout."""
    if path is None:
        spec = tmp_path / "spec.yaml"
        spec.write_text(text or "", encoding="utf-8")
        path = str(spec)
    return subprocess.run([sys.executable, "-c", CLI, "analyze", path, "--degree", "0", *args],
                          capture_output=True, text=True, timeout=30)


def _refused(run: subprocess.CompletedProcess[str], field: str, *words: str) -> str:
    assert run.returncode == 2, (run.returncode, run.stderr[-2000:])
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr[-2000:]
    assert f"error: {field}" in lines[0] and len(lines[0]) <= 320, lines[0]
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


# -- 1. Mod by zero --------------------------------------------------------------------------------
@pytest.mark.parametrize("expr", ["z1 % 0", "Mod(z1, 0)", "z1 // 0", "z1 / 0"])
def test_item_1_modulo_by_zero(expr):
    """Before: ZeroDivisionError traceback from sympy.Mod (z1 / 0 became zoo, then a TypeError)."""
    _spec_error(_spec(expr, "z2"), "mechanisms.m[0]", "by zero")


# -- 2. deep or long expressions -----------------------------------------------------------------
@pytest.mark.parametrize("expr, why", [
    ("+".join(["z1"] * 5000), f"more than {MAX_EXPRESSION_CHARS} characters"),
    ("+".join(["z1"] * 2500), "tokens"),
    ("-" * 500 + "z1", "nested more than"),
    ("sin(" * 150 + "z1" + ")" * 150, "nested more than"),
    ("tanh(" * 12 + "z1" + ")" * 12, "nested more than"),
    ("z1**" * 8 + "z1", "nested more than"),
    ("exp(exp(exp(exp(z1))))", "nested more than"),
], ids=["5000-term-sum", "2500-term-sum", "500-unary-minus", "150-sin", "12-tanh", "power-tower", "exp-tower"])
def test_item_2_deep_expressions(tmp_path, expr, why):
    """Before: RecursionError traceback (the sum and minus in the parser, sin in the solver's
    derivatives); tanh(tanh(...)) and power towers ran for minutes or exhausted memory."""
    _refused(_cli(tmp_path, _spec(expr, "z2")), "mechanisms.m[0]", why)  # first: a hang fails by the timeout
    _spec_error(_spec(expr, "z2"), "mechanisms.m[0]", why)


def test_item_2_long_sums_within_the_limits_are_read():
    """A 900-term sum is flattened, not recursed into."""
    system = equivid.System.from_spec(_spec("+".join(["z1"] * 900), "z2"))
    assert system.mechanisms[0].components[0] == 900 * system.latents[0]


# -- 3. huge numbers ---------------------------------------------------------------------------------
@pytest.mark.parametrize("expr, why", [
    ("10**10**10", "exponent"),
    ("2**2**40", "exponent"),
    ("1e999999999", "300"),
    ("z1 + 10**300 * 10**300", "300 digits"),
    ("z1 + 7**400", "300 digits"),
    ("sin(exp(10**10)) + z1", "10**300"),
    ("Mod(exp(10**10), 3) + z1", "10**300"),
])
def test_item_3_huge_numbers(tmp_path, expr, why):
    """Before: the parser hung (sympy evaluating 10**(10**10), 10**999999999, or the digits of
    exp(10**10)); no budget applied."""
    _refused(_cli(tmp_path, _spec(expr, "z2")), "mechanisms.m[0]", why)
    _spec_error(_spec(expr, "z2"), "mechanisms.m[0]", why)


def test_item_3_huge_yaml_integer(tmp_path):
    """Before: ValueError (integer string conversion) from the YAML constructor."""
    text = "latents: [z1, z2]\nmechanisms: {m: [" + "9" * 5000 + ", z2]}\n"
    _spec_error(text, "spec", "line 2", "300 digits")
    _refused(_cli(tmp_path, text), "spec", "300 digits")


# -- 4. float literal with a huge exponent ------------------------------------------------------------
def test_item_4_float_exponent():
    """Before: ValueError (Exceeds the limit (4300 digits) for integer string conversion)."""
    _spec_error(_spec("z1/1e5000", "z2"), "mechanisms.m[0]", "300")


# -- 5. non-finite and complex values ----------------------------------------------------------------
def test_item_5_log_zero_is_not_a_finite_number():
    """Before: TypeError (cannot create mpf from zoo) while sampling."""
    _spec_error(_spec("log(0)", "z2"), "mechanisms.m[0]", "not a finite number")


@pytest.mark.parametrize("components", [
    ("z1", "(z2 + 1)**(1/z1)"), ("sqrt(z1)", "z2"), ("log(z1)", "z2"), ("asin(z1)", "z2"),
    ("sqrt(z1 - 10)", "z2"), ("floor(z1)", "z2"), ("Heaviside(z1)", "z2"), ("Piecewise((z1, z1 > 0), (0, True))", "z2"),
])
def test_item_5_complex_or_undefined_sample_values(components):
    """Before: TypeError (cannot create mpf from mpc) from the numeric Lie kernel, a printer
    exception for floor, NameError for Heaviside, AttributeError for Piecewise. Now points
    outside the real domain are skipped: a result, or UnsupportedMechanismError."""
    try:
        group = _outcome(_spec(*components))
    except UnsupportedMechanismError as exc:
        assert "\n" not in str(exc)
    else:
        assert group.dimension >= 0


# -- 6. Mod of continuous latents ---------------------------------------------------------------------
@pytest.mark.parametrize("expr", ["z2 % z1", "Mod(z1 + 1/2, 1)"])
def test_item_6_mod_of_continuous_latents(tmp_path, expr):
    """Before: PrintMethodNotImplementedError (lambdify of a derivative of Mod)."""
    _spec_error(_spec("z1", expr), "mechanisms.m", "finite-state")
    _refused(_cli(tmp_path, _spec("z1", expr)), "mechanisms.m", "finite-state")


# -- 7. class templates ---------------------------------------------------------------------------------
@pytest.mark.parametrize("template, unknowns, why", [
    ("[sin(a)*z1, z2]", "[a]", "not polynomial in the unknowns"),
    ("[a*b*z1, z2]", "[a, b]", "degree 2 in the unknowns"),
    ("[z1**2, z2]", "[]", "degree 2 in the latents"),
    ("[sin(z1), z2]", "[]", "not polynomial in the latents"),
])
def test_item_7_template_not_affine(template, unknowns, why):
    """Before: PolynomialError traceback (sin(a)); the others were UnsupportedMechanismError."""
    text = _spec("z1 + 1", "z2") + f"learner: {{knows: class, class: {{template: {template}, unknowns: {unknowns}}}}}\n"
    _spec_error(text, "learner.class.template", "affine in the latents", why)


# -- 8. a noise law that is not a name --------------------------------------------------------------------
@pytest.mark.parametrize("extra", ["", "learner: {knows: class, class: diagonal}\n"])
def test_item_8_noise_law_not_a_name(extra):
    """Before: from_spec accepted it (hashing the system raised TypeError: unhashable dict);
    with a class learner the answer was UnsupportedMechanismError instead of the bad law."""
    text = "latents: [z1, z2]\nmechanisms:\n  walk: {map: [z1, z2], noise: {law: {}}}\n" + extra
    with pytest.raises(SpecError, match=r"^mechanisms\.walk\.noise\.law: got \{\}"):
        equivid.System.from_spec(text)
    _spec_error(text, "mechanisms.walk.noise.law")


# -- 9. finite mechanisms --------------------------------------------------------------------------------
@pytest.mark.parametrize("mechanism, why", [
    ('"(x,)**2"', "a tuple where an arithmetic expression was expected"),
    ('"1e999"', "300"),
    ('"(x**1000,)"', "declared ranges"),
    ('"(10**299 * x,)"', "declared ranges"),
])
def test_item_9_finite_mechanisms(mechanism, why):
    """Before: TypeError (Tuple ** Integer), OverflowError (int too large to convert to float);
    x**1000 wrapped around in int64 and gave a wrong table."""
    _spec_error(f"states: {{x: 3}}\nmechanisms:\n  m: {mechanism}\n", "mechanisms.m", why)


def test_item_9_large_intermediate_values_stay_exact():
    """Mod(2**(x+62), 3) needs more than int64 on the way; its table is exact."""
    system = equivid.finite.finite_system({"x": 3}, {"m": "(Mod(2**(x + 62), 3),)"})
    assert equivid.finite.mechanism_tables(system)[0].tolist() == [pow(2, 62 + x, 3) for x in range(3)]


# -- 12. spec size and non-regular files ---------------------------------------------------------------
def test_item_12_large_file_is_refused(tmp_path):
    """Before: a 200 MB spec (or /dev/zero) was read whole and ran until killed."""
    big = tmp_path / "big.yaml"
    with open(big, "wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: nothing is written
    _refused(_cli(tmp_path, path=str(big)), "SPEC", "at most")  # first: a hang fails by the timeout
    with pytest.raises(SpecError, match=f"at most {MAX_SPEC_BYTES} bytes"):
        equivid.load(big)


def test_item_12_large_text_is_refused():
    with pytest.raises(SpecError, match=f"at most {MAX_SPEC_BYTES} characters"):
        equivid.System.from_spec("description: '" + "x" * (MAX_SPEC_BYTES + 1) + "'\n")


@pytest.mark.parametrize("kind", ["directory", "fifo", "device"])
def test_item_12_non_regular_files_are_refused(tmp_path, kind):
    """Before: /dev/zero ran until killed; a FIFO blocked forever; a directory gave IsADirectoryError text."""
    if kind == "directory":
        path = str(tmp_path)
    elif kind == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs here")
        path = str(tmp_path / "fifo")
        os.mkfifo(path)
    else:
        if not os.path.exists("/dev/zero"):
            pytest.skip("no /dev/zero here")
        path = "/dev/zero"
    _refused(_cli(tmp_path, path=path), "SPEC", "not a regular file")  # first: a hang fails by the timeout
    with pytest.raises(SpecError, match="not a regular file"):
        equivid.load(path)


# -- 13. YAML alias bombs ------------------------------------------------------------------------------
_LAUGHS = "".join(
    f"  {name}: &{name} [{', '.join([f'*{prev}' if prev else 'lol'] * 9)}]\n"
    for prev, name in zip(["", "a", "b", "c", "d", "e", "f", "g"], "abcdefgh")
)


@pytest.mark.parametrize("where", ["description", "mechanisms"])
def test_item_13_billion_laughs(tmp_path, where):
    """Before: no answer in 30 s (str() of 9**8 nested strings, or walking them)."""
    if where == "description":
        text = "latents: [z1, z2]\nmechanisms: {m: [z1, z2]}\ndescription:\n" + _LAUGHS
    else:
        text = "latents: [z1, z2]\nmechanisms:\n  m: [z1, z2]\n  n: {map: [z1, z2], noise: {law: laplace, bomb: {\n" + \
               _LAUGHS.replace("\n", ",\n").rstrip(",\n") + "}}}\n"
    _refused(_cli(tmp_path, text), "spec", "line", f"at most {MAX_YAML_NODES}")
    _spec_error(text, "spec", "aliases expanded")


def test_item_13_recursive_alias_and_deep_nesting(tmp_path):
    """A recursive alias and 5000 nested lists: refused with a position, no RecursionError."""
    _spec_error("latents: [z1, z2]\nmechanisms: {m: [z1, z2]}\ndescription: &x [*x]\n", "spec", "recursive")
    deep = "latents: [z1, z2]\nmechanisms: {m: [z1, z2]}\ndescription: " + "[" * 5000 + "]" * 5000 + "\n"
    _refused(_cli(tmp_path, deep), "spec", "line 3", "nested")


def test_item_13_ordinary_aliases_still_work():
    text = "latents: [z1, z2]\nmechanisms:\n  m: &same [z1 + 1, z2]\n  n: *same\n"
    assert [m.components for m in equivid.System.from_spec(text).mechanisms][0] == \
        equivid.System.from_spec(text).mechanisms[1].components


# -- 17. duplicate keys ------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, key, lines", [
    ("latents: [z1, z2]\nmechanisms:\n  m: [z1 + 1, z2]\nmechanisms:\n  m: [z1 + 2, z2]\n", "mechanisms", ("line 2", "line 4")),
    ("latents: [z1, z2]\nmechanisms:\n  m: [z1 + 1, z2]\n  m: [z1 + 2, z2]\n", "m", ("line 3", "line 4")),
])
def test_item_17_duplicate_keys(tmp_path, text, key, lines):
    """Before: silently accepted, the last one won."""
    _spec_error(text, "spec", f"key {key}", "given twice", *lines)
    _refused(_cli(tmp_path, text), "spec", f"key {key}", *lines)


# -- 18. capped messages, no file content echoed -------------------------------------------------------
@pytest.mark.parametrize("text, field", [
    (_spec("z3" + " + z1" * 1500, "z2"), "mechanisms.m[0]"),
    ("latents: [z1, z2]\nmechanisms:\n  m: [z1, z2]\nansatz: '" + "x" * 5000 + "'\n", "ansatz"),
    ("latents: [z1, z2]\nmechanisms:\n  m: [z1, z2]\nconstants: {c: '" + "x" * 5000 + "'}\n", "constants"),
    ("latents: [z1, z2]\nmechanisms:\n  m: {map: [z1, z2], noise: {law: '" + "y" * 5000 + "'}}\n", "mechanisms.m.noise.law"),
    ("latents: [z1, '" + "1q" * 2500 + "']\nmechanisms:\n  m: [z1, z1]\n", "latents[1]"),
    ("latents: [z1, z2]\nmechanisms:\n  m: |\n" + "    (z1,\n" * 50 + "     z2)\n", "mechanisms.m"),
])
def test_item_18_values_are_capped(text, field):
    """Before: messages echoed the whole value (thousands of characters, several lines)."""
    error = _spec_error(text, field)
    assert "..." in str(error) or len(str(error)) < 200


@pytest.mark.parametrize("content", [
    "TOPSECRET: [unclosed\nmore TOPSECRET text {\n",
    "import os\nprint('TOPSECRET')\n",
    "- TOPSECRET\n- list\n",
    "\tTOPSECRET\n",
])
def test_item_18_file_content_is_not_echoed(tmp_path, content):
    """Before: pointing SPEC at any readable non-spec file printed its first line."""
    path = tmp_path / "notes.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SpecError) as info:
        equivid.load(path)
    assert "TOPSECRET" not in str(info.value)
    line = _refused(_cli(tmp_path, path=str(path)), "spec")
    assert "TOPSECRET" not in line


def test_item_18_yaml_syntax_error_gives_line_and_column():
    with pytest.raises(SpecError, match=r"^spec: got 'line \d+, column \d+', expected valid YAML"):
        equivid.System.from_spec("latents: [z1, z2]\nmechanisms: [unclosed\n")


# -- 19. Eq, Ne and relations inside Piecewise -------------------------------------------------------------
_TABLE = "(Piecewise((0, Eq(s, 3)), (s + 1, True)),)"


@pytest.mark.parametrize("condition", ["Eq(s, 3)", "Ge(s, 3)", "s >= 3", "s == 3", "And(s > 2, Ne(s, 0))"])
def test_item_19_relations_in_piecewise(condition):
    """Before: SpecError "unknown function 'Eq'" (Eq, Ne, Ge, And as functions)."""
    system = equivid.System.from_spec(
        f'states: {{s: 4}}\nmechanisms:\n  m: "(Piecewise((0, {condition}), (s + 1, True)),)"\n')
    assert equivid.finite.mechanism_tables(system)[0].tolist() == [1, 2, 3, 0]
    assert equivid.solve(system).order == 4


def test_item_19_relations_in_check_maps(tmp_path):
    """A check map (`--check`) may be a table written with Eq as well."""
    text = 'states: {s: 4}\nmechanisms:\n  m: "(Mod(s + 1, 4),)"\n'
    system = equivid.System.from_spec(text)
    assert system.parse_map(_TABLE) is not None
    assert equivid.solve(system).membership(system.parse_map(_TABLE)).member
    run = _cli(tmp_path, text, "--check", _TABLE)
    assert run.returncode == 0, run.stderr


def test_item_19_a_condition_is_not_a_component():
    _spec_error('states: {s: 4}\nmechanisms:\n  m: "(Eq(s, 1),)"\n', "mechanisms.m", "a condition")


# -- every outcome is a result or an EquividError ----------------------------------------------------------
@pytest.mark.parametrize("expr", [
    "Rational(1, 0)", "0**-1", "Min(z1, true)", "Piecewise((z1,))", "Piecewise(1)", "floor(1/0)", "sqrt(-1)*z1",
    "z1**(1/2000)", "atan2(0, 0)", "not z1", "z1 < z2", "(z1, z2)", "[z1]", "z1 if z2 else z1", "lambda: 1",
    "z1.real", "z1[0]", "1j*z1", "'text'", "Rational('1e999999999')", "Mod(z1, 0.0)", "sign(0)*z1",
])
def test_odd_expressions_end_cleanly(expr):
    try:
        _outcome(_spec(expr, "z2"))
    except EquividError as exc:
        assert "\n" not in str(exc) and len(str(exc)) <= 400, str(exc)


def test_limits_are_documented_in_one_place():
    from equivid._limits import LIMITS

    assert set(LIMITS) >= {"MAX_SPEC_BYTES", "MAX_EXPRESSION_CHARS", "MAX_EXPRESSION_DEPTH", "MAX_NUMBER_DIGITS",
                           "MAX_EXPONENT", "MAX_YAML_NODES"}
    assert all(isinstance(v, int) and v > 0 for v in LIMITS.values())
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in readme for name in LIMITS), "every limit is named in the README"


# -- found by the 10,000-mutant fuzz run (benchmarks/fuzz.py) ---------------------------------------
@pytest.mark.parametrize("text", [
    _spec("z1", "sqrt(-1)"),                                     # a complex mechanism: once "identity missing"
    _spec("z1*log(-2)", "z2"),
    _spec("(-8)**(1/3)*z1", "z2"),
    "latents: [z1, z2]\nflows: {drift: [1, sqrt(-1)]}\n",        # once NonInvertibleMatrixError
    "latents: [z1, z2]\nmechanisms:\n  walk: {map: [z1, z2], noise: {law: gaussian, cov: [[1, 0], [0, sqrt(-1)]]}}\n",
])
def test_non_real_constants_are_refused(text):
    with pytest.raises(SpecError, match="a real expression"):
        _outcome(text)


def test_a_huge_constant_beside_small_ones_is_solved_and_checked():
    # once a VerificationError: the float recount misread 10**26 beside 1 as rank-deficient
    group = _outcome("latents: [z1, z2]\nmechanisms:\n  turn: ['99999999999999999999999999', z1]\nansatz: linear\n")
    assert group.dimension == 0 and group.identifiable
    assert "the Lie algebra's dimension, recounted by a floating-point rank" in equivid.check(group).checked


def test_the_float_recount_skips_what_floats_cannot_rank():
    import numpy as np

    from equivid.solve.check import _equilibrated

    skewed = np.array([[1e26, 1.0], [0.0, 1.0]])  # rank 2, but a float SVD with a relative tolerance says 1
    assert np.linalg.matrix_rank(skewed) == 1
    balanced = _equilibrated(skewed)
    assert balanced is not None and np.linalg.matrix_rank(balanced) == 2
    assert _equilibrated(np.array([[1.0, 1.0], [1.0, 1e20]])) is None  # no scaling balances it: no recount


def test_a_highly_symmetric_state_space_stops_at_its_work_budget(monkeypatch):
    # 10**6 states with i -> (i + 1) mod 7: once 24 GB and killed; now BudgetExceededError
    from equivid.finite import automorphisms

    monkeypatch.setattr(automorphisms, "WORK_BUDGET", 200_000)
    text = 'states: {i: 3000}\nmechanisms: {step: "(Mod(i + 1, 7),)", mirror: "(Mod(-i, 7),)"}\n'
    with pytest.raises(equivid.BudgetExceededError, match="state visits"):
        _outcome(text)
    small = _outcome('states: {i: 30}\nmechanisms: {step: "(Mod(i + 1, 7),)", mirror: "(Mod(-i, 7),)"}\n')
    assert small.order > 1 and equivid.check(small).ok  # under the budget: answered and checked


def test_too_many_states_are_refused_before_any_work():
    with pytest.raises(SpecError, match="at most 1000000 states"):
        equivid.System.from_spec('states: {i: 1000, j: 1001}\nmechanisms: {m: "(i, j)"}\n')


def test_the_taylor_jet_search_stops_at_its_budget():
    # once 38 s whatever the budget: building the jet conditions had no deadline
    from equivid.solve.jets import isolated_affine_elements

    system = equivid.System.from_spec(_spec("z1*tanh(z1**2 + z2**2)", "z2*tanh(z1**2 + z2**2)"))
    found = isolated_affine_elements(system, budget_seconds=0.5)
    assert not found.complete and "budget" in found.reason
