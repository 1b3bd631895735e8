"""Safe parsing of mechanism expressions: Python syntax in, sympy out, nothing evaluated.

The text is parsed with :mod:`ast` and every node is checked against a small
whitelist (numbers, names of declared symbols, arithmetic, calls of known sympy
functions, comparisons for ``Piecewise``). Nothing is passed to ``eval``.

Input is bounded before any expensive work: the limits (``equivid/_limits.py``, documented
in the README's "Limits") are checked here. Length, tokens and
bracket depth are checked on the text before Python parses it; nesting on the syntax
tree before sympy sees it; numbers and powers before sympy evaluates them.
"""

from __future__ import annotations

import ast
import math
import re
import warnings
from collections.abc import Callable, Mapping

import sympy

from ._limits import (  # the limits on input (README "Limits") this parser enforces
    MAX_CALL_DEPTH,
    MAX_EXPONENT,
    MAX_EXPRESSION_CHARS,
    MAX_EXPRESSION_DEPTH,
    MAX_EXPRESSION_TOKENS,
    MAX_NUMBER_DIGITS,
    MAX_TOWER_DEPTH,
)
from .errors import SpecError

__all__ = [
    "parse_expression",
    "parse_tuple",
    "CONSTANTS",
    "FUNCTIONS",
    "ExactnessWarning",
]


_NUMBER_BOUND = 10**MAX_NUMBER_DIGITS
_TOKEN = re.compile(r"\d[\w.]*(?:[eE][+-]\d+)?|\.\d[\w]*|\w+|\*\*|//|==|!=|<=|>=|\S")
_FLOAT = re.compile(r"(?P<int>[\d_]*)(?:\.(?P<frac>[\d_]*))?(?:[eE](?P<exp>[+-]?[\d_]+))?")


def _real_constants(expr: sympy.Basic) -> bool:
    """Whether no constant part of ``expr`` (a subexpression without symbols) is known to be
    non-real: latents, mechanisms and laws are real."""
    stack = [expr]
    while stack:
        e = stack.pop()
        if not e.free_symbols:
            if e.has(sympy.I) or getattr(e, "is_real", None) is False and isinstance(e, sympy.Expr):
                return False
            continue
        stack.extend(e.args)
    return True


class ExactnessWarning(UserWarning):
    """A float in the input was replaced by the exact rational it denotes.

    equivid computes exactly: the literal ``0.1`` is read as ``1/10`` (the decimal
    written, not the nearest binary float), and this warning names the float and the
    rational it was read as. Write rationals (``1/10``) to avoid it.

    Examples
    --------
    >>> import warnings, equivid
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always", ExactnessWarning)
    ...     system = equivid.System.from_maps(["z1", "z2"], {"grow": ["0.5*z1", "z2"]})
    >>> print(caught[0].category.__name__, caught[0].message, sep=": ")
    ExactnessWarning: mechanisms.grow[0]: float 0.5 read as the exact rational 1/2
    >>> system.mechanisms[0].components
    (z1/2, z2)
    """


def _mod(a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
    if b == 0:
        raise ZeroDivisionError("modulo by zero")
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
    # conditions of a Piecewise (a table: Piecewise((1, Eq(s, 0)), (0, True)))
    "Eq": sympy.Eq,
    "Ne": sympy.Ne,
    "Lt": sympy.Lt,
    "Le": sympy.Le,
    "Gt": sympy.Gt,
    "Ge": sympy.Ge,
    "And": sympy.And,
    "Or": sympy.Or,
    "Not": sympy.Not,
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


_CHAIN: Mapping[type, str] = {ast.Add: "sum", ast.Sub: "sum", ast.Mult: "product", ast.Div: "product"}

#: What sympy may raise while building an expression from whitelisted parts (bad input).
_SYMPY_ERRORS = (ArithmeticError, TypeError, ValueError, AttributeError, LookupError, NotImplementedError)


def _chained(parent: ast.AST, child: ast.AST) -> bool:
    """``child`` continues ``parent``'s chain of ``+``/``-`` (or ``*``/``/``): no new level."""
    return (
        isinstance(parent, ast.BinOp)
        and isinstance(child, ast.BinOp)
        and child is parent.left
        and _CHAIN.get(type(parent.op)) is not None
        and _CHAIN.get(type(parent.op)) == _CHAIN.get(type(child.op))
    )


def _too_deep(tree: ast.AST) -> tuple[ast.AST, str] | None:
    """The first node nested deeper than :data:`MAX_EXPRESSION_DEPTH` levels or
    :data:`MAX_CALL_DEPTH` calls and powers (found iteratively), with the reason; or None."""
    stack: list[tuple[ast.AST, int, int]] = [(tree, 1, 0)]
    while stack:
        node, depth, calls = stack.pop()
        if depth > MAX_EXPRESSION_DEPTH:
            return node, f"nested more than {MAX_EXPRESSION_DEPTH} levels deep (the limit)"
        if isinstance(node, ast.Call) or (isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Pow, ast.BitXor))):
            calls += 1
            if calls > MAX_CALL_DEPTH:
                return node, f"function calls and powers nested more than {MAX_CALL_DEPTH} deep (the limit)"
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                stack.append((child, depth if _chained(node, child) else depth + 1, calls))
    return None


def _tower(expr: sympy.Basic) -> int:
    """How many exponentials (``exp``, ``sinh``, ``cosh``, powers with a non-constant
    exponent) are nested inside each other in ``expr``."""
    memo: dict[sympy.Basic, int] = {}
    stack: list[tuple[sympy.Basic, bool]] = [(expr, False)]
    while stack:
        node, done = stack.pop()
        if node in memo:
            continue
        if not done:
            stack.append((node, True))
            stack.extend((a, False) for a in node.args if a not in memo)
            continue
        inner = max((memo[a] for a in node.args), default=0)
        grows = isinstance(node, (sympy.exp, sympy.sinh, sympy.cosh)) or (
            isinstance(node, sympy.Pow) and bool(node.exp.free_symbols))
        memo[node] = inner + int(grows)
    return memo[expr]


class _Converter:
    """Walk a whitelisted AST and build the sympy expression."""

    def __init__(self, text: str, field: str, symbols: Mapping[str, sympy.Symbol], expected: str, indent: int = 0,
                 source: str | None = None):
        self.text = text
        self.source = text.strip() if source is None else source  # what the node offsets refer to
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

    def component(self, node: ast.AST) -> sympy.Expr:
        """A whole component: an arithmetic expression whose numbers are finite and of bounded size."""
        result = self.expression(node)
        if result.has(sympy.zoo, sympy.oo, -sympy.oo, sympy.nan):
            raise self.fail(node, "not a finite number (a division by zero, log(0), ...)")
        if not _real_constants(result):
            raise self.fail(node, "a real expression (a constant in it is not real: sqrt(-1), log(-2), ...)")
        for number in result.atoms(sympy.Rational):
            if abs(number.p) > _NUMBER_BOUND or number.q > _NUMBER_BOUND:
                raise self.fail(node, f"a number with more than {MAX_NUMBER_DIGITS} digits (the limit)")
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
            if abs(value) > _NUMBER_BOUND:
                raise self.fail(node, f"a number with more than {MAX_NUMBER_DIGITS} digits (the limit)")
            return sympy.Integer(value)
        if isinstance(value, float):
            literal = ast.get_source_segment(self.source, node) or repr(value)
            self._check_float(node, literal)
            try:
                exact = sympy.Rational(literal.replace("_", ""))
            except _SYMPY_ERRORS:
                raise self.fail(node, f"float {literal} is not an exact number") from None
            warnings.warn(
                f"{self.field}: float {literal} read as the exact rational {exact}",
                ExactnessWarning,
                stacklevel=6,
            )
            return exact
        raise self.fail(node, f"constant {value!r} is not a number")

    def _check_float(self, node: ast.AST, literal: str) -> None:
        """A float literal's mantissa and exponent within :data:`MAX_NUMBER_DIGITS`, before
        the exact rational (``10**exponent``) is built."""
        match = _FLOAT.fullmatch(literal)
        if match is None:
            raise self.fail(node, f"float {literal} is not a decimal number")
        mantissa = (match["int"] + (match["frac"] or "")).replace("_", "").lstrip("0")
        exponent = (match["exp"] or "0").replace("_", "").lstrip("+-").lstrip("0") or "0"
        if len(mantissa) > MAX_NUMBER_DIGITS or len(exponent) > 6 or int(exponent) > MAX_NUMBER_DIGITS:
            raise self.fail(node, f"a number beyond {MAX_NUMBER_DIGITS} digits or exponents beyond "
                                  f"+-{MAX_NUMBER_DIGITS} (the limit)")

    def visit_Name(self, node: ast.Name) -> sympy.Basic:
        if node.id in self.symbols:
            return self.symbols[node.id]
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        if node.id in FUNCTIONS:
            raise self.fail(node, f"function {node.id!r} used without arguments")
        known = ", ".join(self.symbols) or "none declared"
        raise self.fail(node, f"unknown symbol {node.id!r} (a parameter? declare it under 'parameters:'); "
                              f"known symbols: {known}")

    def visit_BinOp(self, node: ast.BinOp) -> sympy.Basic:
        family = _CHAIN.get(type(node.op))
        if family is None:
            return self._apply(node, self.expression(node.left), self.expression(node.right))
        chain = [node]  # a long sum or product: its left spine, walked without recursion
        while _chained(chain[-1], chain[-1].left):
            chain.append(chain[-1].left)  # type: ignore[arg-type]
        terms = [self.expression(chain[-1].left)]
        for step in reversed(chain):
            right = self.expression(step.right)
            if isinstance(step.op, ast.Sub):
                right = -right
            elif isinstance(step.op, ast.Div):
                if right == 0:
                    raise self.fail(step, "division by zero")
                right = sympy.Pow(right, -1)
            terms.append(right)
        try:
            return sympy.Add(*terms) if family == "sum" else sympy.Mul(*terms)
        except _SYMPY_ERRORS as exc:
            raise self.fail(node, f"bad operands: {exc}") from None

    def _apply(self, node: ast.BinOp, left: sympy.Expr, right: sympy.Expr) -> sympy.Basic:
        op = _BINARY.get(type(node.op))
        if op is None:
            raise self.fail(node, f"operator {type(node.op).__name__} is not allowed")
        if isinstance(node.op, (ast.Pow, ast.BitXor)):
            self._check_power(node, left, right)
        if isinstance(node.op, (ast.Mod, ast.FloorDiv)):
            if right == 0:
                raise self.fail(node, "division by zero" if isinstance(node.op, ast.FloorDiv) else "modulo by zero")
            self._check_size(node, left)
            self._check_size(node, right)
        try:
            value = op(left, right)
        except _SYMPY_ERRORS as exc:
            raise self.fail(node, f"bad operands: {exc}") from None
        if isinstance(node.op, (ast.Pow, ast.BitXor)):
            self._check_tower(node, value)
        return value

    def _check_tower(self, node: ast.AST, value: sympy.Basic) -> None:
        if _tower(value) > MAX_TOWER_DEPTH:
            raise self.fail(node, f"exponentials (exp, sinh, cosh, x**y) nested more than {MAX_TOWER_DEPTH} "
                                  "deep (the limit)")

    def _check_power(self, node: ast.AST, base: sympy.Expr, exponent: sympy.Expr) -> None:
        """Refuse, before sympy evaluates it, a power whose exponent is beyond
        :data:`MAX_EXPONENT` or whose exact value would have more than :data:`MAX_NUMBER_DIGITS` digits."""
        if not isinstance(exponent, sympy.Rational) or base in (sympy.S.Zero, sympy.S.One, sympy.S.NegativeOne):
            return
        if abs(exponent.p) > MAX_EXPONENT * exponent.q or exponent.q > MAX_EXPONENT:
            raise self.fail(node, f"an exponent beyond +-{MAX_EXPONENT} (the limit)")
        if isinstance(base, sympy.Rational):
            if float(abs(exponent)) * math.log10(max(abs(base.p), base.q)) > MAX_NUMBER_DIGITS:
                raise self.fail(node, f"a power with more than {MAX_NUMBER_DIGITS} digits (the limit)")

    def _check_size(self, node: ast.AST, value: sympy.Basic) -> None:
        """A constant that sympy will evaluate (the argument of a function, an operand of
        ``Mod``, ``//`` or a comparison) must be at most ``10**MAX_NUMBER_DIGITS`` in size:
        ``sin(exp(10**10))`` would need billions of digits."""
        if not isinstance(value, sympy.Expr) or value.free_symbols:
            return
        if isinstance(value, sympy.Rational):
            large = abs(value.p) > _NUMBER_BOUND * value.q
        else:
            try:
                estimate = sympy.N(value, 15)
                large = bool(estimate.is_number and estimate.is_comparable and abs(estimate) > _NUMBER_BOUND)
            except (*_SYMPY_ERRORS, RecursionError):
                large = True
        if large:
            raise self.fail(node, f"a constant beyond 10**{MAX_NUMBER_DIGITS} where it would be evaluated (the limit)")

    def visit_UnaryOp(self, node: ast.UnaryOp) -> sympy.Basic:
        if isinstance(node.op, (ast.USub, ast.UAdd)):
            operand: sympy.Basic = self.expression(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node.op, ast.Not):
            operand = self.convert(node.operand)
            try:
                return sympy.Not(operand)
            except _SYMPY_ERRORS as exc:
                raise self.fail(node, f"bad operand of not: {exc}") from None
        raise self.fail(node, f"operator {type(node.op).__name__} is not allowed")

    def visit_Compare(self, node: ast.Compare) -> sympy.Basic:
        parts = []
        left = self.expression(node.left)
        for op, comparator in zip(node.ops, node.comparators):
            right = self.expression(comparator)
            self._check_size(node, left)
            self._check_size(node, right)
            make = _COMPARE.get(type(op))
            if make is None:
                raise self.fail(node, f"comparison {type(op).__name__} is not allowed")
            try:
                parts.append(make(left, right))
            except _SYMPY_ERRORS as exc:
                raise self.fail(node, f"bad comparison: {exc}") from None
            left = right
        return sympy.And(*parts) if len(parts) > 1 else parts[0]

    def visit_BoolOp(self, node: ast.BoolOp) -> sympy.Basic:
        values = [self.convert(v) for v in node.values]
        try:
            return sympy.And(*values) if isinstance(node.op, ast.And) else sympy.Or(*values)
        except _SYMPY_ERRORS as exc:
            raise self.fail(node, f"bad operands of {type(node.op).__name__.lower()}: {exc}") from None

    def visit_Tuple(self, node: ast.Tuple) -> sympy.Basic:
        return sympy.Tuple(*[self.convert(e) for e in node.elts])

    def visit_Call(self, node: ast.Call) -> sympy.Basic:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            raise self.fail(node, f"unknown function {name!r}")
        if node.keywords:
            raise self.fail(node, "keyword arguments are not allowed")
        args = [self.convert(a) for a in node.args]
        for arg in args:
            self._check_size(node, arg)
        if node.func.id == "Mod" and len(args) == 2 and args[1] == 0:
            raise self.fail(node, "modulo by zero")
        try:
            value = FUNCTIONS[node.func.id](*args)
        except _SYMPY_ERRORS as exc:
            raise self.fail(node, f"bad call of {node.func.id}: {exc}") from None
        self._check_tower(node, value)
        return value


def _parse_node(text: str, field: str, symbols: Mapping[str, sympy.Symbol], expected: str):
    if not isinstance(text, str):
        raise SpecError(field, text, expected)
    if len(text) > MAX_EXPRESSION_CHARS:
        raise SpecError(field, text, expected, detail=f"more than {MAX_EXPRESSION_CHARS} characters (the limit)")
    stripped = text.strip()
    if not stripped:
        raise SpecError(field, text, expected, detail="empty expression")
    indent = len(text) - len(text.lstrip())
    _check_tokens(text, stripped, field, expected)
    try:
        tree = ast.parse(stripped, mode="eval")
    except SyntaxError as exc:
        column = max(exc.offset or 1, 1) + indent
        if "never closed" in (exc.msg or ""):  # Python points at the opening bracket: say so, and where input ends
            detail = f"syntax error: {exc.msg} (opened at column {column}; the text ends at column {len(text.rstrip()) + 1})"
        else:
            detail = f"syntax error at column {column}"
        raise SpecError(field, text, expected, detail=detail) from None
    except (RecursionError, MemoryError, ValueError):  # the parser's own limits (not reached below ours)
        raise SpecError(field, text, expected, detail="too deeply nested") from None
    converter = _Converter(text, field, symbols, expected, indent, source=stripped)
    deep = _too_deep(tree.body)
    if deep is not None:
        raise converter.fail(*deep)
    return converter, tree.body


def _check_tokens(text: str, stripped: str, field: str, expected: str) -> None:
    """Count tokens and bracket depth before parsing: Python's parser recurses on both."""
    count = depth = deepest = 0
    for match in _TOKEN.finditer(stripped):
        count += 1
        token = match.group()
        if token in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in ")]}":
            depth -= 1
        if count > MAX_EXPRESSION_TOKENS:
            raise SpecError(field, text, expected, detail=f"more than {MAX_EXPRESSION_TOKENS} tokens (the limit)")
        if deepest > MAX_EXPRESSION_DEPTH:
            column = match.start() + 1 + len(text) - len(text.lstrip())
            raise SpecError(field, text, expected,
                            detail=f"brackets nested more than {MAX_EXPRESSION_DEPTH} deep at column {column} (the limit)")


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
    return converter.component(body)


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
        return tuple(converter.component(e) for e in body.elts)
    return (converter.component(body),)
