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
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from .errors import BudgetExceededError, SpecError

__all__ = ["SECONDS", "ENVIRONMENT", "within_budget", "each_within_budget", "each_in_resident", "budget_seconds",
           "parse_seconds", "override"]

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


def die_with_parent(parent: int) -> None:
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


def _flush() -> None:
    """Flush this process's standard streams before a fork (nothing buffered is written twice)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()


def _late(what: str, limit: float, fallback: str) -> str:
    """The message of an item past its budget."""
    return f"{what} did not finish within {limit:g} s (the budget); {fallback}"


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
    _flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child (coverage does not follow it)
        os.close(read)
        die_with_parent(parent)
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


#: Seconds past its budget that a task of :func:`each_within_budget` may take to notice the
#: alarm (a long call into C) before its child is killed.
GRACE = 5.0


class _Expired(BaseException):
    """Raised by the alarm inside a child of :func:`each_within_budget` (a BaseException, so
    that no ``except Exception`` in a computation swallows it)."""


def _expire(signum: int, frame: Any) -> None:  # pragma: no cover - runs in the child
    raise _Expired


def _run_each(write: int, function: Callable[..., Any], items: list[tuple[Any, ...]], limit: float,
              messages: list[str]) -> None:  # pragma: no cover - the child (coverage does not follow it)
    """The forked child of :func:`each_within_budget`: every item in turn, each under an alarm,
    each outcome sent as it is known (length-prefixed), then leave without cleanup handlers."""
    try:
        signal.signal(signal.SIGALRM, _expire)
        for args, message in zip(items, messages):
            _send(write, _answer(function, args, limit, message))
    finally:
        os._exit(0)


def _answer(function: Callable[..., Any], args: tuple[Any, ...], limit: float,
            message: str) -> bytes:  # pragma: no cover - runs in a child
    """In a child: ``function(*args)`` under an alarm of ``limit`` seconds, as the frame sent
    back (the seconds taken and the pickled outcome)."""
    start = time.perf_counter()
    try:
        signal.setitimer(signal.ITIMER_REAL, limit)
        try:
            outcome: tuple[str, Any] = ("ok", function(*args))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Expired:
        outcome = ("error", BudgetExceededError(message))
    except BaseException as exc:  # noqa: BLE001 - every failure is reported to the parent
        outcome = ("error", exc)
    return pickle.dumps((time.perf_counter() - start, _pickled(outcome)))


def _send(write: int, frame: bytes) -> None:
    """Write a length-prefixed frame (raises OSError, e.g. BrokenPipeError, if the reader is gone)."""
    view = memoryview(len(frame).to_bytes(8, "big") + frame)
    while view:
        view = view[os.write(write, view):]


def _read_exactly(read: int, size: int, deadline: float) -> bytes | None:
    """``size`` bytes from ``read`` before ``deadline`` (monotonic), or None (time is up, or the
    writer is gone)."""
    chunks: list[bytes] = []
    while size > 0:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([read], [], [], min(left, 3600.0))
        if not ready:
            continue
        chunk = os.read(read, min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def each_within_budget(function: Callable[..., T], items: list[tuple[Any, ...]], *, what: list[str],
                       fallback: str, seconds: float | None = None) -> list[tuple[T | BaseException, float]]:
    """``function(*args)`` for every ``args`` in ``items``, each within ``seconds``: one forked
    child computes them in turn (its caches stay warm from one item to the next), each under
    an alarm; a child that does not answer within the budget and :data:`GRACE` is killed and
    a new one takes the remaining items. Returns ``(value or exception, seconds taken)`` per
    item: an item past its budget gets the BudgetExceededError naming ``what[k]`` and
    ``fallback``; one whose child died (out of memory?) gets one saying so.

    Examples
    --------
    >>> import time
    >>> [type(v).__name__ if isinstance(v, BaseException) else v
    ...  for v, _ in each_within_budget(lambda x: time.sleep(x) or x, [(0,), (30,), (0.01,)],
    ...                                 what=["a", "b", "c"], fallback="wake up", seconds=0.5)]
    [0, 'BudgetExceededError', 0.01]
    """
    limit = budget_seconds() if seconds is None else parse_seconds(seconds, "budget")
    messages = [_late(w, limit, fallback) for w in what]
    if not hasattr(os, "fork") or not hasattr(signal, "setitimer"):  # pragma: no cover - other platforms
        return [(within_budget(function, args, what=w, fallback=fallback, seconds=limit), 0.0)
                for args, w in zip(items, what)]
    results: list[tuple[Any, float]] = []
    parent = os.getpid()
    while len(results) < len(items):
        start = len(results)
        read, write = os.pipe()
        _flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            os.close(read)
            die_with_parent(parent)
            _run_each(write, function, items[start:], limit, messages[start:])
        os.close(write)
        try:
            while len(results) < len(items):
                k = len(results)
                result, answered = _receive(read, time.monotonic(), limit, what[k], messages[k], fallback)
                results.append(result)
                if not answered:
                    break
        finally:
            os.close(read)
            _reap(pid)
    return results


def _receive(read: int, begun: float, limit: float, what: str, message: str,
             fallback: str) -> tuple[tuple[Any, float], bool]:
    """The next answer of a child: ``((value or exception, seconds), True)``, or the budget
    error and False when the child is past its budget and :data:`GRACE`, died, or sent a torn
    answer (the child is then of no further use)."""
    header = _read_exactly(read, 8, begun + limit + GRACE)
    if header is None:  # past the budget and the grace, or the child died
        late = time.monotonic() - begun >= limit + GRACE
        error = BudgetExceededError(message if late else f"{what} stopped without an answer (out of memory?); {fallback}")
        return (error, time.monotonic() - begun), False
    frame = _read_exactly(read, int.from_bytes(header, "big"), begun + limit + GRACE + 60)
    if frame is None:  # a torn answer: the child died while sending it
        return (BudgetExceededError(f"{what} stopped without an answer; {fallback}"), time.monotonic() - begun), False
    elapsed, data = pickle.loads(frame)
    status, value = pickle.loads(data)
    if status == "rebuild":
        value = _rebuild(*value)
    return (value, elapsed), True


#: Items a resident child (:func:`each_in_resident`) computes before a new one is forked: its
#: caches stay warm between calls, and its memory stays bounded.
RESIDENT_ITEMS = 500


class _Resident:
    """A forked child that waits for items on a pipe and answers each under an alarm; kept
    by its parent between calls (:func:`each_in_resident`)."""

    def __init__(self) -> None:
        self.owner = os.getpid()
        requests_read, self.requests = os.pipe()
        self.answers, answers_write = os.pipe()
        _flush()
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover - the child
            os.close(self.requests)
            os.close(self.answers)
            die_with_parent(self.owner)
            _serve(requests_read, answers_write)
        os.close(requests_read)
        os.close(answers_write)
        self.served = 0

    def close(self) -> None:
        for fd in (self.requests, self.answers):
            with contextlib.suppress(OSError):
                os.close(fd)
        _reap(self.pid)


def _serve(requests: int, answers: int) -> None:  # pragma: no cover - the child
    """The resident child: answer each request ``(function, args, limit, message)`` until the
    parent closes the pipe."""
    try:
        signal.signal(signal.SIGALRM, _expire)
        while True:
            header = _read_exactly(requests, 8, math.inf)
            if header is None:
                break
            request = _read_exactly(requests, int.from_bytes(header, "big"), math.inf)
            if request is None:  # the parent is gone
                break
            function, args, limit, message = pickle.loads(request)
            _send(answers, _answer(function, args, limit, message))
    finally:
        os._exit(0)


class _Kept(threading.local):
    """The resident child of the calling thread (threads of one process, such as a Dask
    worker's, each keep their own: one child answers one request at a time)."""

    child: _Resident | None = None


_kept = _Kept()


def each_in_resident(function: Callable[..., T], items: list[tuple[Any, ...]], *, what: list[str],
                     fallback: str, seconds: float | None = None) -> list[tuple[T | BaseException, float]]:
    """:func:`each_within_budget`, computed by a child kept between calls: a sweep worker's
    caches stay warm from one batch of tasks to the next (the batches of one worker would
    otherwise each start from the worker's own state). ``function`` and ``items`` must pickle
    (they are sent to the child). A child past its budget and :data:`GRACE`, or dead, is
    killed and a new one takes the next item; a child is replaced after
    :data:`RESIDENT_ITEMS` items.

    Examples
    --------
    >>> [v for v, _ in each_in_resident(abs, [(-1,), (2,)], what=["a", "b"], fallback="none", seconds=5)]
    [1, 2]
    """
    limit = budget_seconds() if seconds is None else parse_seconds(seconds, "budget")
    if not hasattr(os, "fork") or not hasattr(signal, "setitimer"):  # pragma: no cover - other platforms
        return each_within_budget(function, items, what=what, fallback=fallback, seconds=limit)
    results: list[tuple[Any, float]] = []
    for args, name in zip(items, what):
        message = _late(name, limit, fallback)
        request = pickle.dumps((function, args, limit, message))
        for attempt in range(2):  # a child that died between items is replaced once
            child = _resident()
            try:
                _send(child.requests, request)
                break
            except OSError:
                _retire(child)
                if attempt:
                    raise
        result, answered = _receive(child.answers, time.monotonic(), limit, name, message, fallback)
        results.append(result)
        child.served += 1
        if not answered:
            _retire(child)
    return results


def _resident() -> _Resident:
    """The calling thread's resident child, a new one where it has none, has served
    :data:`RESIDENT_ITEMS` items, or was inherited through a fork (it belongs to another process)."""
    child = _kept.child
    if child is not None and child.owner == os.getpid() and child.served < RESIDENT_ITEMS:
        return child
    if child is not None and child.owner == os.getpid():
        child.close()
    _kept.child = _Resident()
    return _kept.child


def _retire(child: _Resident) -> None:
    child.close()
    _kept.child = None
