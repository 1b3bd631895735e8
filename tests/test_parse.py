"""Tests for equivid._parse: exact, safe parsing of mechanism expressions."""

import pytest
import sympy

import equivid
from equivid._parse import FUNCTIONS, parse_expression, parse_tuple

z1, z2, i = sympy.symbols("z1 z2 i")
SYMBOLS = {"z1": z1, "z2": z2}
FIELD = "mechanisms.push[0]"


def parse(text, symbols=SYMBOLS):
    return parse_expression(text, symbols, field=FIELD)


# -- exact numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        pytest.param("1/3", sympy.Rational(1, 3), sympy.Rational, id="third-is-rational"),
        pytest.param("-2/4", sympy.Rational(-1, 2), sympy.Rational, id="negative-fraction"),
        pytest.param("7", sympy.Integer(7), sympy.Integer, id="integer"),
        pytest.param("Rational(2, 6)", sympy.Rational(1, 3), sympy.Rational, id="Rational-call"),
        pytest.param("sqrt(2)", sympy.sqrt(2), sympy.Pow, id="sqrt2-unevaluated"),
        pytest.param("cos(1)", sympy.cos(1), sympy.cos, id="cos1-unevaluated"),
        pytest.param("pi/2", sympy.pi / 2, sympy.Mul, id="pi"),
        pytest.param("E", sympy.E, type(sympy.E), id="euler-e"),
    ],
)
def test_numbers_stay_exact(text, expected, kind):
    result = parse(text)
    assert result == expected
    assert isinstance(result, kind)
    assert not result.atoms(sympy.Float)


def test_sqrt_and_cos_are_not_evaluated_numerically():
    assert parse("sqrt(2)*z1 + cos(1)*z2") == sympy.sqrt(2) * z1 + sympy.cos(1) * z2
    assert str(parse("cos(1)")) == "cos(1)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("0.5*z1", z1 / 2, id="half"),
        pytest.param("0.1", sympy.Rational(1, 10), id="tenth-from-literal-not-binary"),
        pytest.param("1e-3", sympy.Rational(1, 1000), id="scientific"),
        pytest.param("2.5 + z2", sympy.Rational(5, 2) + z2, id="sum"),
        pytest.param("Rational(1.5)", sympy.Rational(3, 2), id="inside-call"),
    ],
)
def test_floats_become_exact_rationals_with_a_warning(text, expected):
    with pytest.warns(equivid.ExactnessWarning, match="exact rational"):
        result = parse(text)
    assert result == expected
    assert not result.atoms(sympy.Float)


def test_exactness_warning_names_the_field():
    with pytest.warns(equivid.ExactnessWarning, match=r"mechanisms\.push\[0\]: float 0\.25"):
        parse("0.25*z1")


# -- operators --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("z1^2", z1**2, id="caret-is-power"),
        pytest.param("z1**2", z1**2, id="double-star"),
        pytest.param("2^3", sympy.Integer(8), id="caret-numbers"),
        pytest.param("-z1 + +z2", -z1 + z2, id="unary"),
        pytest.param("z1 % 4", sympy.Mod(z1, 4), id="percent-is-Mod"),
        pytest.param("z1 // 2", sympy.floor(z1 / 2), id="floordiv"),
        pytest.param("Min(z1, z2)", sympy.Min(z1, z2), id="Min"),
        pytest.param("abs(z1)", sympy.Abs(z1), id="abs"),
        pytest.param("sigmoid(z1)", 1 / (1 + sympy.exp(-z1)), id="sigmoid"),
    ],
)
def test_operators_and_functions(text, expected):
    assert parse(text) == expected


def test_functions_table_holds_only_callables():
    assert all(callable(f) for f in FUNCTIONS.values())
    assert "__import__" not in FUNCTIONS
    assert "eval" not in FUNCTIONS


# -- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "detail", "column"),
    [
        pytest.param("z3 + 1", "unknown symbol 'z3'", 1, id="unknown-symbol"),
        pytest.param("z1 + w", "unknown symbol 'w'", 6, id="unknown-symbol-column"),
        pytest.param("foo(z1)", "unknown function 'foo'", 1, id="unknown-function"),
        pytest.param("z1 + bar(z2)", "unknown function 'bar'", 6, id="unknown-function-column"),
        pytest.param("z1.__class__", "attribute syntax", 1, id="attribute-access"),
        pytest.param("z1.__class__.__mro__", "attribute syntax", 1, id="attribute-chain"),
        pytest.param("lambda x: x", "lambda syntax", 1, id="lambda"),
        pytest.param("(lambda: 1)()", "unknown function", 1, id="lambda-call"),
        pytest.param("z1[0]", "subscript syntax", 1, id="subscript"),
        pytest.param("__import__('os')", "unknown function '__import__'", 1, id="dunder-import"),
        pytest.param("[x for x in z1]", "listcomp syntax", 1, id="list-comprehension"),
        pytest.param("sum(x for x in z1)", "unknown function 'sum'", 1, id="generator-expression"),
        pytest.param("{x: 1 for x in z1}", "dictcomp syntax", 1, id="dict-comprehension"),
        pytest.param("Min(z1, z2, key=1)", "keyword arguments", 1, id="keyword-argument"),
        pytest.param("sin", "without arguments", 1, id="bare-function-name"),
        pytest.param("'text'", "not a number", 1, id="string-constant"),
        pytest.param("z1 @ z2", "MatMult", 1, id="matmul"),
        pytest.param("z1 << 2", "LShift", 1, id="shift"),
        pytest.param("z1 if z2 else 0", "ifexp syntax", 1, id="conditional-expression"),
        pytest.param("{z1}", "set syntax", 1, id="set-literal"),
        pytest.param(
            "(z1, z2)", "a tuple where an arithmetic expression was expected", 1, id="tuple-not-expression"
        ),
        pytest.param("z1 +* 2", "syntax error", 5, id="syntax-error"),
    ],
)
def test_refused_with_spec_error_naming_field_and_column(text, detail, column):
    with pytest.raises(equivid.SpecError) as info:
        parse(text)
    message = str(info.value)
    assert message.startswith(f"{FIELD}: got {text!r}")
    assert detail in message
    assert f"column {column}" in message
    assert "\n" not in message
    assert info.value.field == FIELD
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param("1 +", id="dangling-operator"),
    ],
)
def test_refused_without_expression(text):
    with pytest.raises(ValueError, match=r"^mechanisms\.push\[0\]: got "):
        parse(text)


@pytest.mark.parametrize("value", [pytest.param(3, id="int"), pytest.param(None, id="none")])
def test_non_string_input_is_refused(value):
    with pytest.raises(equivid.SpecError, match=FIELD.replace(".", r"\.").replace("[", r"\[")):
        parse(value)


def test_refusal_does_not_run_code(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(equivid.SpecError):
        parse("__import__('pathlib').Path('pwned').touch()")
    assert not (tmp_path / "pwned").exists()


def test_expected_text_is_used_in_message():
    with pytest.raises(equivid.SpecError, match="expected an expression in z1"):
        parse_expression("w", SYMBOLS, field="f", expected="an expression in z1")


# -- tuples -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "symbols", "expected"),
    [
        pytest.param(
            "(Mod(i + 1, 4),)", {"i": i}, (sympy.Mod(i + 1, 4),), id="one-tuple-with-comma-inside"
        ),
        pytest.param("(2*z1, 3*z2)", SYMBOLS, (2 * z1, 3 * z2), id="pair"),
        pytest.param("2*z1, z2 + 1", SYMBOLS, (2 * z1, z2 + 1), id="without-parentheses"),
        pytest.param("[z1, z2]", SYMBOLS, (z1, z2), id="list-brackets"),
        pytest.param("z1 + 1", SYMBOLS, (z1 + 1,), id="bare-expression"),
        pytest.param(
            "(Min(z1 + 1, 2), z2^2)", SYMBOLS, (sympy.Min(z1 + 1, 2), z2**2), id="Min-and-caret"
        ),
        pytest.param(
            "(Piecewise((z1, z1 < 0), (2*z1, True)), z2)",
            SYMBOLS,
            (sympy.Piecewise((z1, z1 < 0), (2 * z1, True)), z2),
            id="Piecewise-with-comparison",
        ),
        pytest.param(
            "(Piecewise((0, z1 <= 0), (z1, z1 >= 0)), z2)",
            SYMBOLS,
            (sympy.Piecewise((0, z1 <= 0), (z1, z1 >= 0)), z2),
            id="Piecewise-le-ge",
        ),
        pytest.param(
            "(Piecewise((1, 0 < z1 < 1), (0, True)), z2)",
            SYMBOLS,
            (sympy.Piecewise((1, (0 < z1) & (z1 < 1)), (0, True)), z2),
            id="Piecewise-chained-comparison",
        ),
    ],
)
def test_parse_tuple(text, symbols, expected):
    assert parse_tuple(text, symbols, field="mechanisms.m") == expected


def test_bitand_is_refused():
    with pytest.raises(equivid.SpecError, match="BitAnd"):
        parse("z1 & z2")


def test_parse_tuple_error_names_field_and_column():
    with pytest.raises(equivid.SpecError) as info:
        parse_tuple("(Mod(i + 1, 4), foo(i))", {"i": i}, field="mechanisms.right")
    message = str(info.value)
    assert message.startswith("mechanisms.right: got '(Mod(i + 1, 4), foo(i))'")
    assert "unknown function 'foo' at column 17" in message


def test_parse_tuple_keeps_floats_exact():
    with pytest.warns(equivid.ExactnessWarning):
        result = parse_tuple("(0.5*z1, z2)", SYMBOLS, field="m")
    assert result == (z1 / 2, z2)


def test_syntax_error_at_end_names_a_column():
    with pytest.raises(equivid.SpecError, match="column"):
        parse("1 +")


def test_column_counts_leading_spaces():
    with pytest.raises(equivid.SpecError, match="column 3"):
        parse("  foo(z1)")
