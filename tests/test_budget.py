"""The wall-clock budget (equivid/_budget.py): strict values, a killed and reaped child,
and budgets that work anywhere, in a daemonic sweep worker too (issue 15, item 16)."""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor

import pytest

from equivid._budget import SECONDS, budget_seconds, override, parse_seconds, within_budget
from equivid.errors import BudgetExceededError, SpecError


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "NaN", "0", "-1", "1e999", "abc", "", True, None])
def test_parse_seconds_refuses_what_is_not_a_finite_positive_number(value):
    """Before the fix ``inf`` (and ``1e999``) passed and crashed later with OverflowError."""
    with pytest.raises(SpecError, match="a finite number of seconds > 0"):
        parse_seconds(value)


def test_budget_seconds_reads_the_environment_strictly(monkeypatch):
    monkeypatch.delenv("EQUIVID_BUDGET_SECONDS", raising=False)
    assert budget_seconds() == SECONDS
    monkeypatch.setenv("EQUIVID_BUDGET_SECONDS", " 2.5 ")
    assert budget_seconds() == 2.5
    monkeypatch.setenv("EQUIVID_BUDGET_SECONDS", "inf")
    with pytest.raises(SpecError, match="EQUIVID_BUDGET_SECONDS"):
        budget_seconds()
    with override(4):  # the command line's --budget wins, the bad value is not read
        assert budget_seconds() == 4
    with pytest.raises(SpecError, match="--budget"):
        with override(float("inf")):
            pass


def _children():
    """Children of this process, zombies (exited, not reaped) included."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == os.getpid():
                found.append(int(entry))
    return found


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc")
def test_an_over_budget_child_is_killed_and_reaped():
    """Item 16: on timeout the child is killed and reaped (no child, no zombie remains)."""
    before = set(_children())
    with pytest.raises(BudgetExceededError, match="sleeping did not finish within 0.2 s"):
        within_budget(time.sleep, (120,), what="sleeping", fallback="nothing", seconds=0.2)
    assert set(_children()) <= before  # the child neither runs on nor lingers as a zombie


def test_a_child_failure_is_raised_here_with_its_class_and_fields():
    """An exception whose __init__ takes more than its message (SpecError) arrives intact."""
    def bad():
        raise SpecError("field", "value", "something else", detail="why")

    with pytest.raises(SpecError) as caught:
        within_budget(bad, (), what="failing", fallback="nothing", seconds=30)
    assert caught.value.field == "field" and caught.value.detail == "why"
    assert str(caught.value) == "field: got 'value', expected something else (why)"


def _budgeted_in_worker():
    try:
        within_budget(time.sleep, (120,), what="sleeping", fallback="nothing", seconds=0.2)
    except BudgetExceededError as exc:
        return str(exc)
    return "no budget"


def test_a_budget_works_inside_a_daemonic_pool_worker():
    """Sweep workers are daemonic processes. Before the fix (multiprocessing.Process) a budget
    there failed with 'daemonic processes are not allowed to have children'."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        message = pool.submit(_budgeted_in_worker).result(timeout=120)
    assert "did not finish within 0.2 s" in message


# -- each_within_budget: one warm child for many items ------------------------------------------
def _stubborn(seconds: float) -> str:
    """Ignores the alarm (as a long call into C would) and sleeps on."""
    import time

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            time.sleep(end - time.monotonic())
        except BaseException:  # noqa: BLE001 - deliberately deaf to the alarm
            continue
    return "late"


def _die(code: int) -> None:
    import os

    os._exit(code)


def _fail(message: str) -> None:
    from equivid.errors import SpecError

    raise SpecError("field", message, "something else")


def test_each_within_budget_keeps_order_and_errors_per_item() -> None:
    from equivid._budget import each_within_budget
    from equivid.errors import SpecError

    outcomes = each_within_budget(lambda f, x: f(x), [(abs, -3), (_fail, "bad"), (str, 7)],
                                  what=["one", "two", "three"], fallback="none", seconds=5)
    values = [v for v, _ in outcomes]
    assert values[0] == 3 and values[2] == "7"
    assert isinstance(values[1], SpecError) and "bad" in str(values[1])
    assert all(seconds >= 0 for _, seconds in outcomes)


def test_each_within_budget_kills_a_child_deaf_to_the_alarm(monkeypatch) -> None:
    import time

    from equivid import _budget
    from equivid.errors import BudgetExceededError

    monkeypatch.setattr(_budget, "GRACE", 0.5)
    start = time.monotonic()
    outcomes = _budget.each_within_budget(lambda f, x: f(x), [(_stubborn, 60), (abs, -2)],
                                          what=["stuck", "after"], fallback="raise it", seconds=0.3)
    assert time.monotonic() - start < 30  # killed, not waited for
    assert isinstance(outcomes[0][0], BudgetExceededError) and "stuck did not finish within 0.3 s" in str(outcomes[0][0])
    assert outcomes[1][0] == 2  # a new child took the rest


def test_each_within_budget_survives_a_dying_child() -> None:
    from equivid._budget import each_within_budget
    from equivid.errors import BudgetExceededError

    outcomes = each_within_budget(lambda f, x: f(x), [(abs, -1), (_die, 3), (abs, -5)],
                                  what=["first", "dies", "last"], fallback="retry", seconds=5)
    assert outcomes[0][0] == 1 and outcomes[2][0] == 5
    assert isinstance(outcomes[1][0], BudgetExceededError) and "dies stopped without an answer" in str(outcomes[1][0])


# -- each_in_resident: a child kept between calls --------------------------------------------
_COUNTER = [0]


def _count() -> tuple[int, int]:
    """The number of calls this process has answered, and its pid."""
    import os

    _COUNTER[0] += 1
    return _COUNTER[0], os.getpid()


def _apply(f, x):  # noqa: ANN001, ANN202 - picklable stand-in for a lambda
    return f(x)


def test_the_resident_child_keeps_its_state_between_calls() -> None:
    import os

    from equivid import _budget

    first = _budget.each_in_resident(_count, [(), ()], what=["a", "b"], fallback="none", seconds=10)
    second = _budget.each_in_resident(_count, [()], what=["c"], fallback="none", seconds=10)
    (n1, pid1), (n2, pid2), (n3, pid3) = [v for v, _ in first + second]
    assert pid1 == pid2 == pid3 != os.getpid()  # one child, not this process
    assert (n2 - n1, n3 - n2) == (1, 1)  # its counter (a stand-in for sympy's caches) carried over
    assert _COUNTER[0] == 0  # nothing ran here


def test_the_resident_child_answers_in_order_with_errors_per_item() -> None:
    from equivid._budget import each_in_resident
    from equivid.errors import SpecError

    outcomes = each_in_resident(_apply, [(abs, -3), (_fail, "bad"), (str, 7)],
                                what=["one", "two", "three"], fallback="none", seconds=5)
    values = [v for v, _ in outcomes]
    assert values[0] == 3 and values[2] == "7"
    assert isinstance(values[1], SpecError) and "bad" in str(values[1])


def test_a_resident_child_deaf_to_the_alarm_is_killed_and_replaced(monkeypatch) -> None:
    import time

    from equivid import _budget
    from equivid.errors import BudgetExceededError

    monkeypatch.setattr(_budget, "GRACE", 0.5)
    before = _budget.each_in_resident(_count, [()], what=["before"], fallback="none", seconds=5)[0][0][1]
    start = time.monotonic()
    outcomes = _budget.each_in_resident(_apply, [(_stubborn, 60)], what=["stuck"], fallback="raise it", seconds=0.3)
    assert time.monotonic() - start < 30  # killed, not waited for
    assert isinstance(outcomes[0][0], BudgetExceededError) and "stuck did not finish within 0.3 s" in str(outcomes[0][0])
    after = _budget.each_in_resident(_count, [()], what=["after"], fallback="none", seconds=5)[0][0]
    assert after[1] != before and after[0] == 1  # a new child, with a fresh state


def test_a_dying_resident_child_is_replaced() -> None:
    from equivid._budget import each_in_resident
    from equivid.errors import BudgetExceededError

    outcomes = each_in_resident(_apply, [(abs, -1), (_die, 3), (abs, -5)],
                                what=["first", "dies", "last"], fallback="retry", seconds=5)
    assert outcomes[0][0] == 1 and outcomes[2][0] == 5
    assert isinstance(outcomes[1][0], BudgetExceededError) and "dies stopped without an answer" in str(outcomes[1][0])


def test_the_resident_child_is_renewed_after_its_items(monkeypatch) -> None:
    from equivid import _budget

    if _budget._kept.child is not None:  # start from a new child
        _budget._kept.child.close()
        _budget._kept.child = None
    monkeypatch.setattr(_budget, "RESIDENT_ITEMS", 2)
    pids = [v[1] for v, _ in _budget.each_in_resident(_count, [(), (), ()], what=["a", "b", "c"],
                                                       fallback="none", seconds=5)]
    assert pids[0] == pids[1] != pids[2]


def test_a_child_inherited_through_a_fork_is_not_used(monkeypatch) -> None:
    import os

    from equivid import _budget

    _budget.each_in_resident(_count, [()], what=["a"], fallback="none", seconds=5)
    inherited = _budget._kept.child
    assert inherited is not None
    monkeypatch.setattr(inherited, "owner", os.getpid() + 1)  # as if another process had made it
    try:
        pid = _budget.each_in_resident(_count, [()], what=["b"], fallback="none", seconds=5)[0][0][1]
        assert pid != inherited.pid
    finally:
        inherited.close()
