"""A wall-clock budget for exact computations that have none of their own (``sympy.solve``).

The computation runs in a forked child process; if it has not answered within the
budget the child is killed and :class:`~equivid.errors.BudgetExceededError` says what
was being computed and what is still available. Where ``fork`` is not available the
computation runs in this process without a limit.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from typing import Any, TypeVar

from ..errors import BudgetExceededError

__all__ = ["SECONDS", "within_budget"]

T = TypeVar("T")

#: Default wall-clock budget of one group-level polynomial solve, in seconds.
#: ``EQUIVID_BUDGET_SECONDS`` in the environment overrides it.
SECONDS = 60.0


def budget_seconds() -> float:
    value = os.environ.get("EQUIVID_BUDGET_SECONDS")
    if value is None:
        return SECONDS
    try:
        seconds = float(value)
    except ValueError:
        from ..errors import SpecError

        raise SpecError("EQUIVID_BUDGET_SECONDS", value, "a number of seconds > 0") from None
    if not seconds > 0:
        from ..errors import SpecError

        raise SpecError("EQUIVID_BUDGET_SECONDS", value, "a number of seconds > 0")
    return seconds


def _child(connection: Any, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        connection.send(("ok", function(*args)))
    except BaseException as exc:  # noqa: BLE001 - every failure is reported to the parent
        connection.send(("error", exc))
    finally:
        connection.close()


def within_budget(function: Callable[..., T], args: tuple[Any, ...], *, what: str, fallback: str,
                  seconds: float | None = None) -> T:
    """``function(*args)``, or BudgetExceededError naming ``what`` and ``fallback`` after ``seconds``."""
    limit = budget_seconds() if seconds is None else seconds
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - platforms without fork
        return function(*args)
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, function, args), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(limit):
            raise BudgetExceededError(f"{what} did not finish within {limit:g} s (the budget); {fallback}")
        try:
            status, value = receiver.recv()
        except EOFError:
            raise BudgetExceededError(f"{what} stopped without an answer (out of memory?); {fallback}") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()
    if status == "error":
        raise value
    return value  # type: ignore[no-any-return]
