"""Fuzz the Python API with mutated bundled specs: every outcome must be a result or an
``equivid.EquividError``, never another exception, and nothing may run past its budget.

Each mutant is one bundled spec (``equivid/examples/*.yaml``) with one random mutation:
a key dropped, renamed or duplicated in value, an expression with an operator, number,
symbol or function swapped or inserted, a number made huge, tiny, negative, zero or
non-finite, a noise law or class changed, a state count changed. Every mutant is parsed
with ``System.from_spec`` and solved with ``equivid.solve`` in a child process with a
wall-clock limit (``--budget``, default 5 s, also passed to equivid as its own budget);
the outcome is counted by class: ``result``, each ``EquividError`` subclass, ``crash``
(any other exception, printed) and ``hang`` (the child outlived the limit by 5 s).

    python benchmarks/fuzz.py --count 10000 --workers 2     # the long run
    python benchmarks/fuzz.py --count 200                   # a quick look

Exits 1 when any mutant crashed, hung or produced an answer that failed its own check
(``VerificationError``). The test suite runs a bounded version
(tests/test_fuzz.py).
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import multiprocessing.connection
import os
import random
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "equivid" / "examples").glob("*.yaml"))

NUMBERS = ["0", "-1", "1/3", "10**10**10", "2**2**40", "1e999999999", "1e-5000", "nan", "inf", "-0.0",
           "99999999999999999999999999", "sqrt(-1)", "pi", "E", "0.5"]
FUNCTIONS = ["sin", "cos", "tanh", "exp", "log", "sqrt", "Abs", "Mod", "Min", "Max", "atan", "erf", "gamma", "zeta"]
OPERATORS = [" + ", " - ", "*", "/", "**", " % "]
GARBAGE = ["(", ")", ",", "[", "]", "{", "}", "'", '"', "\\", "__import__('os')", "lambda: 0", "Eq(z1, 3)",
           "Piecewise((1, z1 > 0), (0, True))", "z9", "", " ", "\n", "!!python/object:os.system", "&a", "*a"]
LAWS = ["gaussian", "laplace", "uniform", "exponential", "student_t", "generalized_normal", "product", "cauchy", {}, [], 3]
CLASSES = ["translations", "axis_translations", "diagonal", "linear", "affine", "permutations", "orthogonal", "bogus",
           {"template": ["a*z1 + b", "c*z2"], "unknowns": ["a", "b", "c"]}, {"template": ["sin(a)*z1", "z2"], "unknowns": ["a"]}]


def _mutate_expression(text: str, rng: random.Random) -> str:
    choice = rng.randrange(6)
    if choice == 0:
        return text + rng.choice(OPERATORS) + rng.choice(NUMBERS)
    if choice == 1:
        return f"{rng.choice(FUNCTIONS)}({text})"
    if choice == 2 and text:
        k = rng.randrange(len(text))
        return text[:k] + rng.choice(GARBAGE) + text[k:]
    if choice == 3:
        return rng.choice(NUMBERS)
    if choice == 4:
        return "(" * rng.randrange(1, 200) + text + ")" * rng.randrange(1, 200)
    return " + ".join([text] * rng.randrange(2, 50))


def _walk(node: object, path: tuple = ()) -> list[tuple[tuple, object]]:
    found = [(path, node)]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _walk(value, path + (key,))
    elif isinstance(node, list):
        for k, value in enumerate(node):
            found += _walk(value, path + (k,))
    return found


def _set(root: object, path: tuple, value: object) -> None:
    for key in path[:-1]:
        root = root[key]  # type: ignore[index]
    root[path[-1]] = value  # type: ignore[index]


def mutate(spec: dict, rng: random.Random) -> dict:
    """One random mutation of a parsed spec (a copy)."""
    import copy

    spec = copy.deepcopy(spec)
    nodes = [(p, v) for p, v in _walk(spec) if p]
    path, value = rng.choice(nodes)
    kind = rng.randrange(8)
    if kind == 0:  # drop the key
        parent = spec
        for key in path[:-1]:
            parent = parent[key]
        if isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, list) and parent:
            parent.pop(path[-1])
    elif kind == 1:  # rename a key
        parent = spec
        for key in path[:-1]:
            parent = parent[key]
        if isinstance(parent, dict):
            parent[str(path[-1]) + rng.choice(["x", "_", "s", ""])] = parent.pop(path[-1])
    elif kind == 2 and isinstance(value, str):
        _set(spec, path, _mutate_expression(value, rng))
    elif kind == 3:
        _set(spec, path, rng.choice(NUMBERS + GARBAGE + [None, [], {}, True, 10**30, -5, 1.5]))
    elif kind == 4 and "mechanisms" in spec and isinstance(spec["mechanisms"], dict) and spec["mechanisms"]:
        name = rng.choice(list(spec["mechanisms"]))
        law = rng.choice(LAWS)
        spec["mechanisms"][name] = {"map": spec["mechanisms"][name], "noise": {"law": law, "scale": rng.choice([1, 0, -1, "x"])}}
    elif kind == 5:
        spec["learner"] = {"knows": "class", "class": rng.choice(CLASSES)}
    elif kind == 6 and "states" in spec and isinstance(spec["states"], dict):
        key = rng.choice(list(spec["states"]))
        spec["states"][key] = rng.choice([0, 1, -3, 10**7, "4", 2.5])
    else:
        if isinstance(value, str):
            _set(spec, path, _mutate_expression(value, rng))
        else:
            _set(spec, path, rng.choice(NUMBERS))
    return spec


def _run_one(text: str, budget: float, conn: Any) -> None:
    os.environ["EQUIVID_BUDGET_SECONDS"] = str(budget)
    import warnings

    import equivid

    warnings.simplefilter("ignore")
    try:
        system = equivid.System.from_spec(text)
        equivid.solve(system)
        conn.send(("result", ""))
    except equivid.VerificationError as exc:  # an answer failed its own check: a defect, with its message
        conn.send(("VerificationError", f"{str(exc)[:300]}"))
    except equivid.EquividError as exc:
        conn.send((type(exc).__name__, ""))
    except BaseException as exc:  # noqa: BLE001 - the point of the harness
        conn.send(("crash", f"{type(exc).__name__}: {str(exc)[:200]}"))


def outcomes(texts: Sequence[str], budget: float, workers: int = 2) -> Iterator[tuple[str, str, str]]:
    """``(text, class, detail)`` for each mutant, each run in a child process forked from
    this process's main thread (no threads: a fork beside a running thread can deadlock).
    This process imports equivid first, so children pay for the work, not the import; a
    child alive ``budget + 5`` s after its start is killed and counted as a hang."""
    import equivid
    import equivid._api  # noqa: F401 - the solver, inherited by every forked child
    import equivid.examine  # noqa: F401 - the cross-examiner (the default behind heuristic answers)

    del equivid
    ctx = multiprocessing.get_context("fork")
    waiting = list(reversed(texts))
    running: list[tuple[Any, Any, str, float]] = []
    while waiting or running:
        while waiting and len(running) < workers:
            text = waiting.pop()
            receive, send = ctx.Pipe(duplex=False)
            child = ctx.Process(target=_run_one, args=(text, budget, send))
            child.start()
            send.close()
            running.append((child, receive, text, time.monotonic() + budget + 5))
        multiprocessing.connection.wait([r for _, r, _, _ in running], timeout=0.1)
        still = []
        for child, receive, text, deadline in running:
            if receive.poll():
                try:
                    kind, detail = receive.recv()
                except EOFError:  # the child died without a word (a segfault, os._exit)
                    child.join()
                    kind, detail = "crash", f"exit code {child.exitcode}"
                child.join()
                receive.close()
                yield text, kind, detail
            elif time.monotonic() > deadline:
                child.kill()
                child.join()
                receive.close()
                yield text, "hang", text[:200]
            else:
                still.append((child, receive, text, deadline))
        running = still


def outcome(text: str, budget: float) -> tuple[str, str]:
    """One mutant in a child process: ``(class, detail)``."""
    _, kind, detail = next(outcomes([text], budget, 1))
    return kind, detail


def mutants(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    loaded = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in SPECS]
    out = []
    for _ in range(count):
        spec = mutate(rng.choice(loaded), rng)
        try:
            out.append(yaml.safe_dump(spec, sort_keys=False))
        except yaml.YAMLError:
            continue
    return out


#: Outcomes that are defects: a crash, a hang, and an answer that failed its own check.
BAD = ("crash", "hang", "VerificationError")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--budget", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--start", type=int, default=0, help="skip the first START mutants of the sequence")
    args = parser.parse_args(argv)
    texts = mutants(args.start + args.count, args.seed)[args.start:]
    counts: collections.Counter[str] = collections.Counter()
    bad: list[tuple[str, str]] = []
    start = time.time()
    for text, kind, detail in outcomes(texts, args.budget, args.workers):
        counts[kind] += 1
        if kind in BAD:
            bad.append((detail, text))
    for kind, number in counts.most_common():
        print(f"{kind:28s} {number}")
    print(f"{len(texts)} mutants in {time.time() - start:.0f} s; crashes {counts['crash']}, hangs {counts['hang']}, "
          f"failed verifications {counts['VerificationError']}")
    for detail, text in bad[:20]:
        print("---", detail, "\n", text)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
