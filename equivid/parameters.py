"""Symbolic parameters of a system: ``parameters:`` and ``constraints:`` in a spec.

A parameter is a symbol that the mechanisms (maps, flows, noise scales and
covariances) may contain and that is neither a latent nor a family symbol: the answer
depends on its value, and :func:`equivid.solve_cases` computes it as a case tree over
the parameter values. Each parameter is real unless its assumptions say more::

    parameters: {a: real, b: positive, n: integer, theta: [real, nonzero]}
    parameters: [a, b]                 # all real
    constraints: ["a != b", "b < 3"]   # simple conditions on the parameters

Constraints are one relation each (``!=``, ``<``, ``<=``, ``>``, ``>=``) between two
expressions in the parameters; an equation is not a constraint (substitute it, or make
the symbol a constant).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sympy
from sympy.core.facts import InconsistentAssumptions

from ._parse import parse_expression
from .errors import SpecError

__all__ = ["ASSUMPTIONS", "parse_parameters", "parse_constraints", "parse_values", "holds", "describe_parameter",
           "constraint_text"]

#: Assumption name -> the sympy assumptions it sets (every parameter is real).
ASSUMPTIONS: Mapping[str, Mapping[str, bool]] = {
    "real": {},
    "positive": {"positive": True},
    "negative": {"negative": True},
    "nonzero": {"nonzero": True},
    "nonnegative": {"nonnegative": True},
    "nonpositive": {"nonpositive": True},
    "integer": {"integer": True},
}

_RELATIONS = {"!=": sympy.Ne, "<=": sympy.Le, ">=": sympy.Ge, "<": sympy.Lt, ">": sympy.Gt}
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


def _assumption_names(value: Any, field: str) -> list[str]:
    if value is None:
        return ["real"]
    names = [v.strip() for v in value.split(",")] if isinstance(value, str) else value
    if not isinstance(names, list) or not names or not all(isinstance(v, str) for v in names):
        raise SpecError(field, value, f"assumptions among {', '.join(ASSUMPTIONS)} (a name or a list)")
    for name in names:
        if name not in ASSUMPTIONS:
            raise SpecError(field, name, f"an assumption among {', '.join(ASSUMPTIONS)}")
    return names


def parse_parameters(value: Any, taken: Iterable[str] = ()) -> tuple[sympy.Symbol, ...]:
    """The ``parameters:`` entry (a list of names, or names -> assumptions) as real sympy
    symbols carrying their assumptions.

    Examples
    --------
    >>> a, b = parse_parameters({"a": "positive", "b": None})
    >>> a.is_positive, b.is_real, b.is_positive
    (True, True, None)
    >>> parse_parameters(["z1"], taken=["z1"])
    Traceback (most recent call last):
    ...
    equivid.errors.SpecError: parameters: got 'z1', expected a name that is not a latent, family or constant (the name is taken)
    """
    if value is None:
        return ()
    if isinstance(value, list):
        items: list[tuple[Any, Any]] = [(name, None) for name in value]
    elif isinstance(value, Mapping):
        items = list(value.items())
    else:
        raise SpecError("parameters", value, "a list of names or a mapping from names to assumptions, e.g. {a: positive}")
    taken = set(taken)
    out = []
    for name, assumptions in items:
        if not isinstance(name, str) or not _NAME.match(name):
            raise SpecError("parameters", name, "parameter names that are identifiers (a, theta, k2)")
        if name in taken:
            raise SpecError("parameters", name, "a name that is not a latent, family or constant", detail="the name is taken")
        kwargs: dict[str, bool] = {"real": True}
        for assumption in _assumption_names(assumptions, f"parameters.{name}"):
            kwargs.update(ASSUMPTIONS[assumption])
        try:
            symbol = sympy.Symbol(name, **kwargs)
            _ = symbol.is_positive  # sympy resolves the assumptions here: contradictions raise
        except InconsistentAssumptions:
            raise SpecError(f"parameters.{name}", assumptions, "assumptions that do not contradict each other") from None
        out.append(symbol)
        taken.add(name)
    return tuple(out)


def parse_constraints(value: Any, parameters: Sequence[sympy.Symbol]) -> tuple[sympy.Basic, ...]:
    """``constraints:`` (a list of strings such as ``"a != b"``) as sympy relations.

    Examples
    --------
    >>> a, b = parse_parameters(["a", "b"])
    >>> parse_constraints(["a != b", "b > 0"], (a, b))
    (Ne(a, b), b > 0)
    """
    if value is None:
        return ()
    if not isinstance(value, list):
        raise SpecError("constraints", value, "a list of relations such as ['a != b', 'a > 0']")
    if value and not parameters:
        raise SpecError("constraints", value, "constraints only with 'parameters:'")
    table = {s.name: s for s in parameters}
    out = []
    for k, text in enumerate(value):
        field = f"constraints[{k}]"
        expected = "one relation (!=, <, <=, >, >=) between expressions in the parameters, e.g. 'a != b'"
        if not isinstance(text, str):
            raise SpecError(field, text, expected)
        match = re.fullmatch(r"([^<>!=]+)(!=|<=|>=|<|>)([^<>!=]+)", text.strip())
        if match is None:
            raise SpecError(field, text, expected)
        left, relation, right = match.groups()
        lhs = parse_expression(left.strip(), table, field=field, expected=expected)
        rhs = parse_expression(right.strip(), table, field=field, expected=expected)
        condition = _RELATIONS[relation](lhs, rhs)
        if condition in (sympy.true, sympy.false):
            raise SpecError(field, text, "a relation that depends on the parameters",
                            detail=f"it is always {'true' if condition is sympy.true else 'false'}")
        out.append(condition)
    return tuple(out)


def parse_values(values: Mapping[Any, Any] | str, parameters: Sequence[sympy.Symbol],
                 constraints: Sequence[sympy.Basic] = (), *, field: str = "--at") -> dict[sympy.Symbol, sympy.Expr]:
    """Exact values for some parameters (``"a=2,b=1/3"`` or a mapping), checked against
    their assumptions and, once all are given, the constraints.

    Examples
    --------
    >>> a, b = parse_parameters({"a": "positive", "b": None})
    >>> parse_values("a=2, b=-1/3", (a, b))
    {a: 2, b: -1/3}
    >>> parse_values({"a": -1}, (a, b))
    Traceback (most recent call last):
    ...
    equivid.errors.SpecError: --at.a: got '-1', expected a value with the parameter's assumptions (positive)
    """
    if isinstance(values, str):
        pairs: list[tuple[Any, Any]] = []
        for item in filter(None, (part.strip() for part in values.split(","))):
            name, eq, text = item.partition("=")
            if not eq:
                raise SpecError(field, values, "NAME=VALUE pairs separated by commas, e.g. a=2,b=1/3")
            pairs.append((name.strip(), text.strip()))
    elif isinstance(values, Mapping):
        pairs = list(values.items())
    else:
        raise SpecError(field, values, "a mapping from parameter names to exact values")
    table = {s.name: s for s in parameters}
    out: dict[sympy.Symbol, sympy.Expr] = {}
    for name, text in pairs:
        name = getattr(name, "name", name)
        if name not in table:
            known = ", ".join(table) or "none"
            raise SpecError(field, name, f"a parameter of the system ({known})")
        symbol = table[name]
        where = f"{field}.{name}"
        expected = "an exact real number (2, -1/3, pi/2, sqrt(2))"
        if isinstance(text, bool) or text is None:
            raise SpecError(where, text, expected)
        value = parse_expression(repr(text) if isinstance(text, float) else str(text), {}, field=where, expected=expected)
        if value.free_symbols or value.is_real is not True:
            raise SpecError(where, str(text), expected)
        if not holds(symbol, value):
            raise SpecError(where, str(text), f"a value with the parameter's assumptions ({describe_parameter(symbol)})")
        out[symbol] = value
    if len(out) == len(parameters):
        for condition in constraints:
            if condition.xreplace(out) is not sympy.true:
                raise SpecError(field, ", ".join(f"{s}={v}" for s, v in out.items()), f"values with {constraint_text(condition)}",
                                detail="a constraint of the spec fails")
    return out


def holds(symbol: sympy.Symbol, value: sympy.Expr) -> bool:
    """Whether the exact real ``value`` has the assumptions of ``symbol``."""
    checks = {"positive": value > 0, "negative": value < 0, "nonzero": sympy.Ne(value, 0),
              "nonnegative": value >= 0, "nonpositive": value <= 0}
    for name, condition in checks.items():
        if getattr(symbol, f"is_{name}") and condition is not sympy.true:
            return False
    return not symbol.is_integer or value.is_integer is True


def describe_parameter(symbol: sympy.Symbol) -> str:
    """The strongest assumptions of a parameter, as written in a spec ("positive", "integer", "real")."""
    names = [name for name in ("integer", "positive", "negative", "nonzero", "nonnegative", "nonpositive")
             if getattr(symbol, f"is_{name}")]
    if "positive" in names or "negative" in names:
        names = [n for n in names if n not in ("nonzero", "nonnegative", "nonpositive")]
    return ", ".join(names) or "real"


_OPERATORS = {sympy.Ne: "!=", sympy.Le: "<=", sympy.Ge: ">=", sympy.Lt: "<", sympy.Gt: ">"}


def constraint_text(condition: sympy.Basic) -> str:
    """A constraint as a spec writes it (``parse_constraints`` reads it back).

    >>> a, b = parse_parameters(["a", "b"])
    >>> constraint_text(sympy.Ne(a, b)), constraint_text(a > 0)
    ('a != b', 'a > 0')
    """
    return f"{condition.lhs} {_OPERATORS[type(condition)]} {condition.rhs}"
