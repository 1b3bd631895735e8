"""The limits on input, checked before any expensive work (README "Limits").

A module of constants only, so that reading a file or reporting bad input needs no
symbolic machinery; :mod:`equivid._parse` and :mod:`equivid._yaml` enforce them.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "LIMITS",
    "MAX_SPEC_BYTES",
    "MAX_YAML_NODES",
    "MAX_YAML_DEPTH",
    "MAX_EXPRESSION_CHARS",
    "MAX_EXPRESSION_TOKENS",
    "MAX_EXPRESSION_DEPTH",
    "MAX_CALL_DEPTH",
    "MAX_TOWER_DEPTH",
    "MAX_NUMBER_DIGITS",
    "MAX_EXPONENT",
    "MAX_STATES",
]

#: Bytes in a spec (file or text); a file is read up to one byte past it.
MAX_SPEC_BYTES = 1_000_000
#: YAML nodes of a spec after expanding aliases (``*a``): a "billion laughs" bomb stops here.
MAX_YAML_NODES = 100_000
#: Nesting depth of YAML collections (lists and mappings inside each other).
MAX_YAML_DEPTH = 32
#: Characters in one expression.
MAX_EXPRESSION_CHARS = 10_000
#: Tokens (names, numbers, operators, brackets) in one expression, counted before parsing.
MAX_EXPRESSION_TOKENS = 2_000
#: Nesting depth of one expression: brackets, calls, unary operators and powers, each one
#: level; a chain of ``+``/``-`` or ``*``/``/`` is one level however long.
MAX_EXPRESSION_DEPTH = 24
#: Function calls and powers nested inside each other (``tanh(tanh(...))``, ``z1**z1**z1``):
#: sympy's costs (assumptions, derivatives) grow exponentially with this depth.
MAX_CALL_DEPTH = 6
#: Exponentials (``exp``, ``sinh``, ``cosh``, a power with a non-constant exponent)
#: nested inside each other: ``exp(exp(exp(exp(exp(z)))))`` at z = 1.5 has more digits
#: than memory holds.
MAX_TOWER_DEPTH = 3
#: Decimal digits of a number: integer literals, a float's mantissa and exponent, and
#: the numerator and denominator of every exact number an expression evaluates to.
MAX_NUMBER_DIGITS = 300
#: Largest ``|k|`` (and denominator of ``k``) in a power ``x**k`` with a numeric exponent.
MAX_EXPONENT = 1000

#: States of a finite-state system (the product of the ``states:`` sizes): its tables and
#: refinements hold a few arrays of this length per mechanism.
MAX_STATES = 1_000_000

#: Every limit by name, for documentation and error messages.
LIMITS: Mapping[str, int] = {
    "MAX_SPEC_BYTES": MAX_SPEC_BYTES,
    "MAX_YAML_NODES": MAX_YAML_NODES,
    "MAX_YAML_DEPTH": MAX_YAML_DEPTH,
    "MAX_EXPRESSION_CHARS": MAX_EXPRESSION_CHARS,
    "MAX_EXPRESSION_TOKENS": MAX_EXPRESSION_TOKENS,
    "MAX_EXPRESSION_DEPTH": MAX_EXPRESSION_DEPTH,
    "MAX_CALL_DEPTH": MAX_CALL_DEPTH,
    "MAX_TOWER_DEPTH": MAX_TOWER_DEPTH,
    "MAX_NUMBER_DIGITS": MAX_NUMBER_DIGITS,
    "MAX_EXPONENT": MAX_EXPONENT,
    "MAX_STATES": MAX_STATES,
}

