"""Calibration of the cross-examiner (``equivid.examine``): detection and false-alarm rates.

Run as ``python benchmarks/bench_examine.py`` (``--quick`` for a small run, ``--all`` to
plant every discrete element and every parameter in turn; ``--starts N`` and ``--budget S``
set the examiner's starts and time budget, default its own 64 and 10 s).

The answers: every bundled example whose answer is not finite-state, the two failures
that motivated the examiner (the pendulum flow, a random walk with Laplace(1) x
Laplace(2) steps), one answer of each further kind (noise laws, classes of mechanisms, a
flow, a polynomial class: ``KINDS``) and 20 random small systems (random integer maps,
seeded: ten 2 x 2 affine maps in the affine class, ten 3 x 3 linear maps in the linear
class).

- False alarms: the examiner runs on every untampered answer; an answer on which it
  proves an element is a false alarm (the solver is trusted here: it proves what it
  reports). Numeric candidates it could not prove are counted separately.
- Detections: on every answer it plants omissions, one at a time: the last discrete
  element removed (``equivid.examine.without_element``: the component count follows
  what remains listed) and, where the answer has parameters, the first parameter fixed
  at its identity value (``without_parameter``: one Lie generator fewer). An omission is
  detected when the examiner proves an element that the untampered answer contains.

It prints one line per answer and the two rates with their counts.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import equivid
from equivid.cli import EXAMPLES
from equivid.examine import CrossExamination, cross_examine, without_element, without_parameter
from equivid.sweep import random_systems

ISSUE_CASES = {
    "pendulum": "latents: [theta, omega]\nflows: {pendulum: [omega, -sin(theta)]}\n",
    "laplace_product": (
        "latents: [z1, z2]\nmechanisms:\n  walk: {map: [z1, z2], noise: {law: product, factors: "
        "[{law: laplace, scale: 1}, {law: laplace, scale: 2}]}}\n"
    ),
}
#: One answer of each further kind: noise laws, classes of mechanisms, flows, polynomial classes.
KINDS = {
    "gaussian_cov": "latents: [z1, z2]\nmechanisms: {walk: {map: [z1, z2], noise: {law: gaussian, cov: [[2, 1], [1, 2]]}}}\n",
    "exponential_1_3": ("latents: [z1, z2]\nmechanisms: {walk: {map: [z1, z2], noise: {law: product, factors: "
                        "[{law: exponential, scale: 1}, {law: exponential, scale: 3}]}}}\n"),
    "uniform_gaussian": ("latents: [z1, z2, z3]\nmechanisms: {walk: {map: [z1, z2, z3], noise: {law: product, factors: "
                         "[{law: uniform, scale: 1}, {law: gaussian, scale: 2}, {law: gaussian, scale: 2}]}}}\n"),
    "gennorm_3": "latents: [z1, z2]\nmechanisms: {walk: {map: [z1, z2], noise: {law: generalized_normal, beta: 3, scale: 2}}}\n",
    "student_t_6": "latents: [z1, z2]\nmechanisms: {walk: {map: [2*z1, z2], noise: {law: student_t, nu: 6}}}\n",
    "class_permutations": "latents: [z1, z2]\nmechanisms: {m: [z2, z1]}\nlearner: {knows: class, class: permutations}\n",
    "class_orthogonal": "latents: [z1, z2]\nmechanisms: {m: [-z2, z1]}\nlearner: {knows: class, class: orthogonal}\n",
    "class_linear": "latents: [z1, z2]\nmechanisms: {m: [2*z1 + 1, z2]}\nlearner: {knows: class, class: linear}\n",
    "class_axis_3d": ("latents: [z1, z2, z3]\nmechanisms: {a: [z1 + 1, z2, z3], b: [z1, z2 + 2, z3]}\n"
                      "learner: {knows: class, class: axis_translations}\n"),
    "flow_rotation_3d": "latents: [z1, z2, z3]\nflows: {v: [-z2, z1, 0]}\n",
    "polynomial_shear": "latents: [z1, z2]\nmechanisms: {m: [z1, z2 + z1**2]}\nansatz: polynomial:2\n",
}
QUICK = ("diagonal_scaling", "odd_powers", "laplace_walk", "class_diagonal", "translation_single", "gaussian_walk")


def answers(quick: bool) -> list[tuple[str, equivid.EquivarianceGroup]]:
    out = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        if quick and path.stem not in QUICK:
            continue
        out.append((path.stem, equivid.solve(equivid.load(path))))
    bundled = {name for name, _ in out} | {path.stem for path in EXAMPLES.glob("*.yaml")}
    for name, text in ISSUE_CASES.items():
        if name not in bundled:  # (the pendulum may be a bundled example by now)
            out.append((name, equivid.solve(equivid.System.from_spec(text))))
    for name, text in KINDS.items():
        if quick and name not in ("gaussian_cov", "class_axis_3d"):
            continue
        out.append((name, equivid.solve(equivid.System.from_spec(text))))
    count = 2 if quick else 10
    for options, ansatz in (({"count": count, "latents": 2, "kind": "affine", "seed": 1}, "affine"),
                            ({"count": count, "latents": 3, "kind": "linear", "seed": 2}, "linear")):
        for name, text in random_systems(options):
            try:
                out.append((name, equivid.solve(equivid.System.from_spec(text), ansatz=ansatz)))
            except (equivid.UnsupportedMechanismError, equivid.BudgetExceededError) as exc:
                print(f"{name}: not solved ({exc})", file=sys.stderr)
    return out


def plants(group: equivid.EquivarianceGroup, every: bool) -> list[tuple[str, equivid.EquivarianceGroup]]:
    """The planted omissions of one answer, ``(kind, tampered answer)``: the last discrete
    element removed and the first parameter fixed at its identity value (``every``: each
    discrete element and each parameter in turn)."""
    out = []
    for d in (group.discrete if every else group.discrete[-1:]):
        out.append(("element", without_element(group, d)))
    if len(group.solution.identity) == len(group.parameters):
        for p in (group.parameters if every else group.parameters[:1]):
            out.append(("parameter", without_parameter(group, p)))
    return out


def detected(report: CrossExamination, original: equivid.EquivarianceGroup) -> bool:
    return any(original.contains(a) for a in report.proved)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few examples and random systems, 16 starts")
    parser.add_argument("--starts", type=int, default=None)
    parser.add_argument("--budget", type=float, default=10.0)
    parser.add_argument("--all", action="store_true", help="plant every discrete element and every parameter in turn")
    args = parser.parse_args(argv)
    starts = args.starts or (16 if args.quick else 64)
    options: dict[str, Any] = {"starts": starts, "budget_seconds": args.budget}
    began = time.perf_counter()
    totals = {"answers": 0, "false_alarms": 0, "unproved": 0, "unproved_answers": 0, "declined": 0,
              "planted": 0, "detected": 0, "planted_element": 0, "detected_element": 0,
              "planted_parameter": 0, "detected_parameter": 0, "stopped": 0}
    misses: list[str] = []
    print(f"cross-examiner calibration: starts={starts}, budget={args.budget} s per run"
          + (", every element and parameter planted" if args.all else ""))
    print(f"{'answer':24} {'kind':7} {'untampered':>22}  {'element removed':>16}  {'parameter fixed':>16}  seconds")
    for name, group in answers(args.quick):
        start = time.perf_counter()
        report = cross_examine(group, **options)
        if report.declined:
            totals["declined"] += 1
            print(f"{name:24} {group.solution.kind:7} declined: {report.declined}")
            continue
        totals["answers"] += 1
        totals["stopped"] += bool(report.searched.get("stopped_by_budget"))
        alarm = bool(report.proved)
        totals["false_alarms"] += alarm
        totals["unproved"] += len(report.unproved)
        totals["unproved_answers"] += bool(report.unproved)
        if alarm:
            misses.append(f"{name}: false alarm {[tuple(map(str, a)) for a in report.proved]}")
        column = f"{len(report.proved)} proved, {len(report.unproved)} unproved"
        cells = {"element": [0, 0], "parameter": [0, 0]}
        for what, tampered in plants(group, args.all):
            planted = cross_examine(tampered, **options)
            hit = detected(planted, group)
            cells[what][0] += hit
            cells[what][1] += 1
            totals["planted"] += 1
            totals[f"planted_{what}"] += 1
            totals["detected"] += hit
            totals[f"detected_{what}"] += hit
            if not hit:
                misses.append(f"{name}: planted {what} omission not detected "
                              f"({len(planted.candidates)} candidates, {len(planted.unproved)} unproved)")
        shown = [f"{hit}/{count} detected" if count else "-" for hit, count in cells.values()]
        print(f"{name:24} {group.solution.kind:7} {column:>22}  {shown[0]:>16}  {shown[1]:>16}  {time.perf_counter() - start:7.1f}")

    def rate(hit: int, count: int) -> str:
        return f"{hit}/{count} = {100.0 * hit / count:.1f}%" if count else "0/0"

    print()
    print(f"detection rate:   {rate(totals['detected'], totals['planted'])} "
          f"(element removed {rate(totals['detected_element'], totals['planted_element'])}, "
          f"parameter fixed {rate(totals['detected_parameter'], totals['planted_parameter'])})")
    print(f"false-alarm rate: {rate(totals['false_alarms'], totals['answers'])} of untampered answers with a proved element; "
          f"unproved numeric candidates: {totals['unproved']} on {totals['unproved_answers']}/{totals['answers']} answers")
    print(f"declined: {totals['declined']} (finite-state answers); untampered runs stopped by the budget: "
          f"{totals['stopped']}/{totals['answers']}; total {time.perf_counter() - began:.0f} s")
    for line in misses:
        print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
