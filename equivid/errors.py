"""The equivid exception family.

Every error that equivid raises on purpose derives from :class:`EquividError` and
also from the builtin exception a Python user would expect, so ``except ValueError``
keeps working.
"""

from __future__ import annotations

import itertools
import reprlib

__all__ = [
    "EquividError",
    "SpecError",
    "UnsupportedMechanismError",
    "VerificationError",
    "BudgetExceededError",
]


class EquividError(Exception):
    """Root of all equivid errors.

    Examples
    --------
    >>> import equivid
    >>> try:
    ...     equivid.System.from_maps(["z1", "z2"], {"push": ["z3 + 1", "z2"]})
    ... except equivid.EquividError as err:
    ...     print(type(err).__name__)
    SpecError
    """


class SpecError(EquividError, ValueError):
    """Bad input: a spec field, an expression or an argument has the wrong value.

    The message names the field, shows the value and says what was expected, on one
    line: the value is shown as at most :data:`SHOWN_CHARACTERS` characters of its repr
    (cut with an ellipsis), so a huge or multi-line value is never echoed whole; the
    message has at most :data:`MESSAGE_CHARACTERS` characters.

    Parameters
    ----------
    field : str
        Where the value was given: a spec key (``"mechanisms.push[0]"``) or an argument.
    value : object
        The value refused.
    expected : str
        What was expected instead.
    detail : str, optional
        Why the value was refused, appended in parentheses.

    Examples
    --------
    >>> err = SpecError("mechanisms.push", "z3 + 1", "an expression in the latents z1, z2")
    >>> str(err)
    "mechanisms.push: got 'z3 + 1', expected an expression in the latents z1, z2"
    >>> isinstance(err, ValueError)
    True
    >>> str(SpecError("x", "y" * 5000, "a short value"))[-40:]
    "yyyyyyyyyyyy...', expected a short value"

    Raised for a bad expression, with the field, value and expectation as attributes:

    >>> import equivid
    >>> try:
    ...     equivid.System.from_maps(["z1", "z2"], {"push": ["z1 +", "z2"]})
    ... except SpecError as err:
    ...     print(err)
    ...     print(err.field, err.detail, sep=" | ")
    mechanisms.push[0]: got 'z1 +', expected an expression in the declared symbols (syntax error at column 1)
    mechanisms.push[0] | syntax error at column 1
    """

    def __init__(self, field: str, value: object, expected: str, *, detail: str = "") -> None:
        self.field = field
        self.value = value
        self.expected = expected
        self.detail = detail
        message = f"{_line(field, SHOWN_CHARACTERS)}: got {shown(value)}, expected {_line(expected, SHOWN_CHARACTERS)}"
        if detail:
            message += f" ({_line(detail, SHOWN_CHARACTERS)})"
        super().__init__(_line(message, MESSAGE_CHARACTERS))


#: How many characters of a value (and of the field, the expectation, the detail) an
#: error message shows, and the most characters of the whole message (README "Limits").
SHOWN_CHARACTERS = 120
MESSAGE_CHARACTERS = 300

class _Repr(reprlib.Repr):
    """``reprlib`` that keeps a mapping's own key order (as ``repr`` shows it)."""

    def repr_dict(self, x: dict, level: int) -> str:  # type: ignore[type-arg]
        if not x:
            return "{}"
        if level <= 0:
            return "{...}"
        pieces = [f"{self.repr1(k, level - 1)}: {self.repr1(v, level - 1)}" for k, v in itertools.islice(x.items(), self.maxdict)]
        if len(x) > self.maxdict:
            pieces.append("...")
        return "{" + ", ".join(pieces) + "}"


_REPR = _Repr()
_REPR.maxstring = _REPR.maxother = 2 * SHOWN_CHARACTERS
_REPR.maxlist = _REPR.maxtuple = _REPR.maxset = _REPR.maxdict = 12
_REPR.maxlevel = 4


def _line(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def shown(value: object) -> str:
    """The repr of ``value`` as an error message shows it: one line, at most
    :data:`SHOWN_CHARACTERS` characters (a longer one is cut, ending in ``...``).

    >>> print(shown("two\\nlines"), shown("quote's"))
    'two\\nlines' "quote's"
    >>> shown(list(range(1000)))[-12:]
    '10, 11, ...]'
    """
    if isinstance(value, str):  # cut before the repr (never build a huge one), keep the quotes
        text = repr(value[: 2 * SHOWN_CHARACTERS])  # one line: repr escapes newlines
        if len(text) > SHOWN_CHARACTERS or len(value) > 2 * SHOWN_CHARACTERS:
            text = text[: SHOWN_CHARACTERS - 4] + "..." + text[0]
        return text
    try:
        text = _REPR.repr(value)
    except Exception:  # a value whose repr fails still gives a message
        text = f"<{type(value).__name__}>"
    return _line(text, SHOWN_CHARACTERS)


class UnsupportedMechanismError(EquividError, NotImplementedError):
    """A valid system that this version of the solver cannot analyse.

    Examples
    --------
    >>> import equivid
    >>> system = equivid.System.from_maps(["z1", "z2"], {"push": ["z1 + 1", "z2"]})
    >>> try:
    ...     equivid.solve(system, part="finite")
    ... except NotImplementedError as err:
    ...     print(type(err).__name__, err, sep=": ")
    UnsupportedMechanismError: the solver part 'finite' does not match this system
    """


class VerificationError(EquividError, ArithmeticError):
    """A computed answer failed its substitution check and is not reported.

    The solver raises it instead of returning an answer that fails
    :func:`equivid.check`; it is an ``ArithmeticError`` too.

    Examples
    --------
    >>> try:
    ...     raise VerificationError("the identity map is missing from the solutions")
    ... except ArithmeticError as err:
    ...     print(isinstance(err, EquividError), err)
    True the identity map is missing from the solutions
    """


class BudgetExceededError(EquividError, RuntimeError):
    """A computation stopped at its budget before finishing.

    The budget is the wall-clock limit (``--budget``, ``EQUIVID_BUDGET_SECONDS``) or a
    size limit; the message says what stopped and what to do instead. It is a
    ``RuntimeError`` too.

    Examples
    --------
    >>> try:
    ...     raise BudgetExceededError("noise: 645120 signed permutations exceed the budget of 50000")
    ... except RuntimeError as err:
    ...     print(isinstance(err, EquividError), err)
    True noise: 645120 signed permutations exceed the budget of 50000
    """
