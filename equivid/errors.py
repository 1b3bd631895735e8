"""The equivid exception family.

Every error that equivid raises on purpose derives from :class:`EquividError` and
also from the builtin exception a Python user would expect, so ``except ValueError``
keeps working.
"""

from __future__ import annotations

__all__ = [
    "EquividError",
    "SpecError",
    "UnsupportedMechanismError",
    "VerificationError",
    "BudgetExceededError",
]


class EquividError(Exception):
    """Root of all equivid errors."""


class SpecError(EquividError, ValueError):
    """Bad input: a spec field, an expression or an argument has the wrong value.

    The message names the field, shows the value and says what was expected.

    Examples
    --------
    >>> err = SpecError("mechanisms.push", "z3 + 1", "an expression in the latents z1, z2")
    >>> str(err)
    "mechanisms.push: got 'z3 + 1', expected an expression in the latents z1, z2"
    >>> isinstance(err, ValueError)
    True
    """

    def __init__(self, field: str, value: object, expected: str, *, detail: str = "") -> None:
        self.field = field
        self.value = value
        self.expected = expected
        self.detail = detail
        message = f"{field}: got {value!r}, expected {expected}"
        if detail:
            message += f" ({detail})"
        super().__init__(message)


class UnsupportedMechanismError(EquividError, NotImplementedError):
    """A valid system that this version of the solver cannot analyse."""


class VerificationError(EquividError, ArithmeticError):
    """A computed answer failed its substitution check and is not reported."""


class BudgetExceededError(EquividError, RuntimeError):
    """A computation stopped at its budget before finishing."""
