"""Safe parsing of mechanism expressions: Python syntax in, sympy out, nothing evaluated.

The text is parsed with :mod:`ast` and every node is checked against a small
whitelist (numbers, names of declared symbols, arithmetic, calls of known sympy
functions, comparisons for ``Piecewise``). Nothing is passed to ``eval``.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable, Mapping

import sympy

from .errors import SpecError

__all__ = ["parse_expression", "parse_tuple", "CONSTANTS", "FUNCTIONS", "ExactnessWarning"]


class ExactnessWarning(UserWarning):
    """A float in the input was replaced by the exact rational it denotes."""


def _mod(a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
    return sympy.Mod(a, b)


FUNCTIONS: Mapping[str, Callable[..., sympy.Expr]] = {
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "asin": sympy.asin,
    "acos": sympy.acos,
    "atan": sympy.atan,
    "arcsin": sympy.asin,
    "arccos": sympy.acos,
    "arctan": sympy.atan,
    "atan2": sympy.atan2,
    "sinh": sympy.sinh,
    "cosh": sympy.cosh,
    "tanh": sympy.tanh,
    "asinh": sympy.asinh,
    "acosh": sympy.acosh,
    "atanh": sympy.atanh,
    "arctanh": sympy.atanh,
    "exp": sympy.exp,
    "log": sympy.log,
    "sqrt": sympy.sqrt,
    "cbrt": sympy.cbrt,
    "Abs": sympy.Abs,
    "abs": sympy.Abs,
    "sign": sympy.sign,
    "floor": sympy.floor,
    "ceiling": sympy.ceiling,
    "Min": sympy.Min,
    "Max": sympy.Max,
    "min": sympy.Min,
    "max": sympy.Max,
    "Mod": _mod,
    "Piecewise": sympy.Piecewise,
    "Heaviside": sympy.Heaviside,
    "Rational": sympy.Rational,
    "erf": sympy.erf,
    "sigmoid": lambda x: 1 / (1 + sympy.exp(-x)),
}

#: Names of the constants an expression may use, and their exact values.
CONSTANTS: Mapping[str, sympy.Expr] = {"pi": sympy.pi, "E": sympy.E}

_BINARY: Mapping[type, Callable[[sympy.Expr, sympy.Expr], sympy.Expr]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
    ast.BitXor: lambda a, b: a**b,
    ast.Mod: _mod,
    ast.FloorDiv: lambda a, b: sympy.floor(a / b),
}

_COMPARE: Mapping[type, Callable[[sympy.Expr, sympy.Expr], sympy.Basic]] = {
    ast.Lt: sympy.Lt,
    ast.LtE: sympy.Le,
    ast.Gt: sympy.Gt,
    ast.GtE: sympy.Ge,
    ast.Eq: sympy.Eq,
    ast.NotEq: sympy.Ne,
}


class _Converter:
    """Walk a whitelisted AST and build the sympy expression."""

    def __init__(self, text: str, field: str, symbols: Mapping[str, sympy.Symbol], expected: str, indent: int = 0):
        self.text = text
        self.field = field
        self.symbols = symbols
        self.expected = expected
        self.indent = indent

    def fail(self, node: ast.AST | None, why: str) -> SpecError:
        column = getattr(node, "col_offset", None)
        where = f" at column {column + 1 + self.indent}" if column is not None else ""
        return SpecError(self.field, self.text, self.expected, detail=why + where)

    def expression(self, node: ast.AST) -> sympy.Expr:
        """Convert a node that must be an arithmetic expression (not a comparison or tuple)."""
        result = self.convert(node)
        if not isinstance(result, sympy.Expr) or isinstance(result, sympy.Tuple):
            what = "a tuple" if isinstance(result, sympy.Tuple) else "a condition"
            raise self.fail(node, f"{what} where an arithmetic expression was expected")
        return result

    def convert(self, node: ast.AST) -> sympy.Basic:
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method is None:
            raise self.fail(node, f"{type(node).__name__.lower()} syntax is not allowed")
        return method(node)

    def visit_Constant(self, node: ast.Constant) -> sympy.Basic:
        value = node.value
        if isinstance(value, bool):
            return sympy.true if value else sympy.false
        if isinstance(value, int):
            return sympy.Integer(value)
        if isinstance(value, float):
            literal = ast.get_source_segment(self.text, node) or repr(value)
            exact = sympy.Rational(literal.replace("_", ""))
            warnings.warn(
                f"{self.field}: float {literal} read as the exact rational {exact}",
                ExactnessWarning,
                stacklevel=6,
            )
            return exact
        raise self.fail(node, f"constant {value!r} is not a number")

    def visit_Name(self, node: ast.Name) -> sympy.Basic:
        if node.id in self.symbols:
            return self.symbols[node.id]
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        if node.id in FUNCTIONS:
            raise self.fail(node, f"function {node.id!r} used without arguments")
        known = ", ".join(self.symbols) or "none declared"
        raise self.fail(node, f"unknown symbol {node.id!r}; known symbols: {known}")

    def visit_BinOp(self, node: ast.BinOp) -> sympy.Basic:
        op = _BINARY.get(type(node.op))
        if op is None:
            raise self.fail(node, f"operator {type(node.op).__name__} is not allowed")
        return op(self.convert(node.left), self.convert(node.right))

    def visit_UnaryOp(self, node: ast.UnaryOp) -> sympy.Basic:
        operand = self.convert(node.operand)
        if isinstance(node.op, ast.USub):
            return -operand
        if isinstance(node.op, ast.UAdd):
            return operand
        if isinstance(node.op, ast.Not):
            return sympy.Not(operand)
        raise self.fail(node, f"operator {type(node.op).__name__} is not allowed")

    def visit_Compare(self, node: ast.Compare) -> sympy.Basic:
        parts = []
        left = self.convert(node.left)
        for op, comparator in zip(node.ops, node.comparators):
            right = self.convert(comparator)
            make = _COMPARE.get(type(op))
            if make is None:
                raise self.fail(node, f"comparison {type(op).__name__} is not allowed")
            parts.append(make(left, right))
            left = right
        return sympy.And(*parts) if len(parts) > 1 else parts[0]

    def visit_BoolOp(self, node: ast.BoolOp) -> sympy.Basic:
        values = [self.convert(v) for v in node.values]
        return sympy.And(*values) if isinstance(node.op, ast.And) else sympy.Or(*values)

    def visit_Tuple(self, node: ast.Tuple) -> sympy.Basic:
        return sympy.Tuple(*[self.convert(e) for e in node.elts])

    def visit_Call(self, node: ast.Call) -> sympy.Basic:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            raise self.fail(node, f"unknown function {name!r}")
        if node.keywords:
            raise self.fail(node, "keyword arguments are not allowed")
        args = [self.convert(a) for a in node.args]
        try:
            return FUNCTIONS[node.func.id](*args)
        except (TypeError, ValueError) as exc:
            raise self.fail(node, f"bad call of {node.func.id}: {exc}") from None


def _parse_node(text: str, field: str, symbols: Mapping[str, sympy.Symbol], expected: str):
    if not isinstance(text, str):
        raise SpecError(field, text, expected)
    stripped = text.strip()
    if not stripped:
        raise SpecError(field, text, expected, detail="empty expression")
    indent = len(text) - len(text.lstrip())
    try:
        tree = ast.parse(stripped, mode="eval")
    except SyntaxError as exc:
        column = max(exc.offset or 1, 1) + indent
        raise SpecError(field, text, expected, detail=f"syntax error at column {column}") from None
    return _Converter(text, field, symbols, expected, indent), tree.body


def parse_expression(
    text: str,
    symbols: Mapping[str, sympy.Symbol],
    *,
    field: str,
    expected: str = "a sympy expression",
) -> sympy.Expr:
    """Parse one expression over the given symbols, without evaluating any Python.

    Examples
    --------
    >>> import sympy
    >>> z1, z2 = sympy.symbols("z1 z2")
    >>> parse_expression("2*z1 + cos(1)*z2", {"z1": z1, "z2": z2}, field="x")
    2*z1 + z2*cos(1)
    >>> parse_expression("__import__('os')", {"z1": z1}, field="x")
    Traceback (most recent call last):
    ...
    equivid.errors.SpecError: x: got "__import__('os')", expected a sympy expression (unknown function '__import__' at column 1)
    """
    converter, body = _parse_node(text, field, symbols, expected)
    return converter.expression(body)


def parse_tuple(
    text: str,
    symbols: Mapping[str, sympy.Symbol],
    *,
    field: str,
    expected: str = "a tuple of expressions '(e1, e2, ...)'",
) -> tuple[sympy.Expr, ...]:
    """Parse ``"(e1, e2, ...)"`` (or one bare expression) into a tuple of expressions.

    Examples
    --------
    >>> import sympy
    >>> i = sympy.Symbol("i")
    >>> parse_tuple("(Mod(i + 1, 4),)", {"i": i}, field="m")
    (Mod(i + 1, 4),)
    """
    converter, body = _parse_node(text, field, symbols, expected)
    if isinstance(body, (ast.Tuple, ast.List)):
        return tuple(converter.expression(e) for e in body.elts)
    return (converter.expression(body),)
