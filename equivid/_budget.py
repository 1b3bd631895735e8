"""A wall-clock budget for exact computations that have none of their own (``sympy.solve``).

The computation runs in a forked child process; if it has not answered within the
budget the child is killed (SIGKILL) and reaped, and
:class:`~equivid.errors.BudgetExceededError` says what was being computed and what is
still available. The child dies with its parent too (Linux: ``PR_SET_PDEATHSIG``), so
a killed sweep worker leaves no computation behind. Where ``fork`` is not available the
computation runs in this process without a limit.

The budget is, in this order: :func:`override` (the command line's ``--budget``), the
environment variable ``EQUIVID_BUDGET_SECONDS``, or :data:`SECONDS`. It must be a finite
number of seconds > 0: anything else (``inf``, ``nan``, ``0``, ``-1``, ``abc``) is a
:class:`~equivid.errors.SpecError` naming where it came from.
"""

from __future__ import annotations

import contextlib
import math
import os
import pickle
import select
import signal
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from .errors import BudgetExceededError, SpecError

__all__ = ["SECONDS", "ENVIRONMENT", "within_budget", "budget_seconds", "parse_seconds", "override"]

T = TypeVar("T")

#: Default wall-clock budget of one group-level polynomial solve, in seconds.
#: ``EQUIVID_BUDGET_SECONDS`` in the environment overrides it.
SECONDS = 60.0
#: The environment variable that sets the budget.
ENVIRONMENT = "EQUIVID_BUDGET_SECONDS"

_override: float | None = None


def parse_seconds(value: object, field: str = ENVIRONMENT) -> float:
    """A budget: a finite number of seconds > 0, else SpecError naming ``field``.

    Examples
    --------
    >>> parse_seconds("2.5")
    2.5
    >>> parse_seconds("inf")
    Traceback (most recent call last):
    ...
    equivid.errors.SpecError: EQUIVID_BUDGET_SECONDS: got 'inf', expected a finite number of seconds > 0
    """
    if isinstance(value, bool):
        raise SpecError(field, value, "a finite number of seconds > 0")
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise SpecError(field, value, "a finite number of seconds > 0") from None
    if not math.isfinite(seconds) or not seconds > 0:
        raise SpecError(field, value, "a finite number of seconds > 0")
    return seconds


def budget_seconds() -> float:
    """The budget now in force: :func:`override`, else ``EQUIVID_BUDGET_SECONDS``, else :data:`SECONDS`."""
    if _override is not None:
        return _override
    value = os.environ.get(ENVIRONMENT)
    if value is None:
        return SECONDS
    return parse_seconds(value.strip(), ENVIRONMENT)


@contextlib.contextmanager
def override(seconds: float | None) -> Iterator[None]:
    """Within the block, the budget is ``seconds`` (None: unchanged)."""
    global _override
    previous = _override
    if seconds is not None:
        _override = parse_seconds(seconds, "--budget")
    try:
        yield
    finally:
        _override = previous


def _die_with_parent(parent: int) -> None:
    """In a forked child: be killed when the parent dies (Linux), and leave if it already has."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - no libc
            pass
    if os.getppid() != parent:
        os._exit(1)


def _run_child(write: int, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    """The forked child: compute, send the pickled outcome, leave without cleanup handlers."""
    try:
        try:
            outcome: tuple[str, Any] = ("ok", function(*args))
        except BaseException as exc:  # noqa: BLE001 - every failure is reported to the parent
            outcome = ("error", exc)
        data = _pickled(outcome)
        view = memoryview(data)
        while view:
            view = view[os.write(write, view):]
    finally:
        os._exit(0)


def _pickled(outcome: tuple[str, Any]) -> bytes:
    """The outcome as bytes the parent can load: an exception that does not survive pickling
    (one whose ``__init__`` takes other arguments than its message) is sent as its class,
    message and attributes."""
    status, value = outcome
    try:
        data = pickle.dumps(outcome)
        pickle.loads(data)
        return data
    except Exception as exc:  # noqa: BLE001 - rebuilt below
        if status != "error":
            return pickle.dumps(("error", RuntimeError(f"the answer could not be sent: {type(exc).__name__}: {exc}")))
    attributes = {}
    for name, attribute in vars(value).items():
        try:
            pickle.loads(pickle.dumps(attribute))
        except Exception:  # noqa: BLE001 - left out
            continue
        attributes[name] = attribute
    try:
        return pickle.dumps(("rebuild", (type(value), str(value), attributes)))
    except Exception:  # noqa: BLE001 - a class defined where pickle cannot find it
        return pickle.dumps(("error", RuntimeError(f"{type(value).__name__}: {value}")))


def _rebuild(cls: type[BaseException], message: str, attributes: dict[str, Any]) -> BaseException:
    exc = cls.__new__(cls)
    BaseException.__init__(exc, message)
    exc.__dict__.update(attributes)
    return exc


def _reap(pid: int) -> None:
    """Kill the child (if still running) and wait for it: no zombie, no orphan."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    while True:
        try:
            os.waitpid(pid, 0)
            return
        except InterruptedError:  # pragma: no cover - retried by Python itself
            continue
        except ChildProcessError:
            return


def within_budget(function: Callable[..., T], args: tuple[Any, ...], *, what: str, fallback: str,
                  seconds: float | None = None) -> T:
    """``function(*args)``, or BudgetExceededError naming ``what`` and ``fallback`` after ``seconds``.

    Examples
    --------
    >>> within_budget(sum, ([1, 2, 3],), what="adding", fallback="nothing else", seconds=10)
    6
    >>> import time
    >>> within_budget(time.sleep, (30,), what="sleeping", fallback="wake up", seconds=0.2)
    Traceback (most recent call last):
    ...
    equivid.errors.BudgetExceededError: sleeping did not finish within 0.2 s (the budget); wake up
    """
    limit = budget_seconds() if seconds is None else parse_seconds(seconds, "budget")
    if not hasattr(os, "fork"):  # pragma: no cover - platforms without fork
        return function(*args)
    parent = os.getpid()
    read, write = os.pipe()
    for stream in (sys.stdout, sys.stderr):  # nothing buffered is written twice
        with contextlib.suppress(Exception):
            stream.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child (coverage does not follow it)
        os.close(read)
        _die_with_parent(parent)
        _run_child(write, function, args)
    os.close(write)
    chunks: list[bytes] = []
    deadline = time.monotonic() + limit
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BudgetExceededError(f"{what} did not finish within {limit:g} s (the budget); {fallback}")
            ready, _, _ = select.select([read], [], [], min(left, 3600.0))
            if not ready:
                continue
            chunk = os.read(read, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read)
        _reap(pid)
    try:
        status, value = pickle.loads(b"".join(chunks))
    except Exception:  # noqa: BLE001 - no answer at all (killed, out of memory) or a torn one
        raise BudgetExceededError(f"{what} stopped without an answer (out of memory?); {fallback}") from None
    if status == "rebuild":
        raise _rebuild(*value)
    if status == "error":
        raise value
    return value  # type: ignore[no-any-return]
