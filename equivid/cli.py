"""The ``equivid`` command: parse arguments, call the library, print.

Exit status, for every command (each failure is one line on stderr):

* 0: ok;
* 1: a verification failed (an answer that fails its substitution check is never
  printed; ``verify``: a control failed);
* 2: bad input (a spec, a file or an option; usage errors too): the line names the
  field, the value and what was expected;
* 3: a valid system the solver does not support, or a computation stopped at its budget;
* 130: interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from ._defaults import VERIFY_DEFAULTS
from ._files import check_target, read_text, write_atomic, write_with
from ._progress import shown
from ._schema import SCHEMA_PATH, did_you_mean
from .errors import (
    BudgetExceededError,
    EquividError,
    SpecError,
    UnsupportedMechanismError,
    VerificationError,
)

__all__ = ["main", "OK", "VERIFICATION_FAILED", "BAD_INPUT", "UNSUPPORTED", "INTERRUPTED"]

#: Exit statuses (the table in ``equivid --help``).
OK = 0
VERIFICATION_FAILED = 1
BAD_INPUT = 2
UNSUPPORTED = 3  # also: over budget
INTERRUPTED = 130

EXIT_STATUS = """\
exit status:
  0    ok
  1    {one}
  2    bad input: one line on stderr naming the field, the value and what was expected
  3    unsupported or over budget: a valid system the solver cannot analyse, or a
       computation stopped at its budget (--budget, else EQUIVID_BUDGET_SECONDS, else 60 s)
  130  interrupted (Ctrl-C){more}"""


def _epilog(one: str = "verification failed", more: str = "") -> str:
    """The exit-status table, with what status 1 means for this command and any notes."""
    return EXIT_STATUS.format(one=one, more=more)


SWEEP_NOTES = """

A system that fails (unsupported, over budget, a failed verification) does not stop a
sweep: its row has status error and the one-line message; the sweep exits 0. Interrupted
(130) or stopped by a broken executor (1), a sweep keeps its finished rows: rerun it to
resume.
Ctrl-C stops the workers at once (status 130 within seconds). One sweep at a time may
write an output: a second one on the same output is refused (status 2) while the first
holds its lock (OUT.lock beside the output). --budget (or the sweep file's budget:)
limits each task's solve; a task past it is a row with status error, which
--retry-errors (with a larger --budget) solves again."""

BUDGET_HELP = ("wall-clock budget in seconds of each exact solve (a finite number > 0; overrides "
               "EQUIVID_BUDGET_SECONDS, default 60); past it the command stops with status 3")

VERIFY_NOTES = """

The verdict (confirmed, refuted or inconclusive) is the output, printed with status 0
whatever it is: a refuted prediction is a result, not a failure. Status 1 means a
control failed (the exact inverse composed with a group element was not confirmed, or
a map outside the group was not refuted), so the experiment cannot be trusted. Status 3
also covers what training cannot do (finite-state systems, a learner or noise law
without a likelihood) and a missing PyTorch or matplotlib."""

EXAMPLES = Path(__file__).resolve().parent / "examples"
#: ``--degree auto``: invariants and the dimension profile up to this degree, for small systems.
AUTO_DEGREE = 3
AUTO_LATENTS = 3


class _Parser(argparse.ArgumentParser):
    """Usage errors: one line on stderr and status 2 (no usage dump)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(BAD_INPUT, f"equivid: error: {_one_line(message)}\n")


def _whole(value: str) -> int:
    """An argparse type: a whole number (its range is checked where it is used)."""
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {value!r}, expected a whole number") from None


def _number(value: str) -> float:
    """An argparse type: a finite number."""
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if number != number or number in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"got {value!r}, expected a finite number")
    return number


def _seconds(value: str) -> float:
    """An argparse type: a budget, a finite number of seconds > 0."""
    from ._budget import parse_seconds

    try:
        return parse_seconds(value, "--budget")
    except SpecError:
        raise argparse.ArgumentTypeError(f"got {value!r}, expected a finite number of seconds > 0") from None


AT_HELP = "values for the spec's parameters, e.g. a=2,b=1/3: solve that one case"


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="equivid", description="Identifiability from known mechanisms.",
                     epilog=_epilog("verification failed (verify: a control failed; see equivid verify --help)"))
    from . import __version__

    parser.add_argument("--version", action="version", version=f"equivid {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    analyze = commands.add_parser("analyze", help="compute the equivariance group of a spec file",
                                  epilog=_epilog("verification failed (an answer failing its substitution check is never printed)"))
    analyze.add_argument("spec", help="spec file (YAML), or the name of a bundled example")
    analyze.add_argument("--ansatz", default=None, help="linear | affine | polynomial:D (default: the spec's, else affine)")
    analyze.add_argument("--check", action="append", default=[], metavar="MAP", help='membership test, e.g. "(z1 + 1, z2)"')
    analyze.add_argument("--format", choices=("text", "json", "markdown", "latex"), default="text")
    analyze.add_argument(
        "--degree", default="auto", metavar="D",
        help="degree for what the learner can recover and the dimension profile: a number, 0 for "
        f"none, or auto ({AUTO_DEGREE} up to {AUTO_LATENTS} latents, else none)",
    )
    analyze.add_argument("--quiet", action="store_true", help="no progress on stderr (shown only on a terminal)")
    analyze.add_argument("--budget", type=_seconds, default=None, metavar="SECONDS", help=BUDGET_HELP)
    analyze.add_argument("--at", default=None, metavar="NAME=VALUE,...", help=AT_HELP)
    analyze.add_argument("--samples", type=_whole, default=None, metavar="K",
                         help="exact points solved in each stratum of a spec with parameters (default 2)")
    examine = analyze.add_mutually_exclusive_group()
    examine.add_argument("--cross-examine", dest="cross_examine", action="store_const", const=True, default=None,
                         help="search numerically for missed elements behind any answer (64 starts; by default a "
                         "quick search runs behind non-polynomial, noise and class answers only)")
    examine.add_argument("--no-cross-examine", dest="cross_examine", action="store_const", const=False,
                         help="no cross-examination, not even the default quick one")
    sketch = commands.add_parser("sketch", help="a checked proof sketch of the result (Markdown, LaTeX, JSON, PDF)",
                                 epilog=_epilog("verification failed (a step failed its check, or pdflatex failed)"))
    sketch.add_argument("spec", help="spec file (YAML), or the name of a bundled example")
    sketch.add_argument("--ansatz", default=None, help="linear | affine | polynomial:D (default: the spec's, else affine)")
    sketch.add_argument("--format", choices=("markdown", "latex", "json"), default="markdown")
    sketch.add_argument("--fragment", action="store_true",
                        help="with --format latex: the body alone, to \\input into a paper (no preamble)")
    sketch.add_argument("--at", default=None, metavar="NAME=VALUE,...", help=AT_HELP)
    sketch.add_argument("-o", "--output", metavar="FILE",
                        help="write to FILE, atomically (refused if it exists, unless --force; never a "
                        "directory, device, FIFO, socket or symlink)")
    sketch.add_argument("--force", action="store_true", help="overwrite FILE (a regular file only)")
    sketch.add_argument("--pdf", action="store_true", help="compile the LaTeX with pdflatex into FILE (default SPEC.pdf)")
    sketch.add_argument("--quiet", action="store_true", help="no progress on stderr (shown only on a terminal)")
    sketch.add_argument("--budget", type=_seconds, default=None, metavar="SECONDS", help=BUDGET_HELP)
    sweep = commands.add_parser("sweep", help="many systems x ansatz in parallel, rows streamed to a table",
                                epilog=_epilog("the executor broke (a worker killed, a scheduler lost); finished rows are kept", SWEEP_NOTES))
    sweep.add_argument("sweep", help="sweep file (YAML, format in `pydoc equivid.sweep`)")
    sweep.add_argument("-o", "--output", default=None, help="rows file, .jsonl or .parquet (default: the sweep's output:)")
    sweep.add_argument("--workers", type=_whole, default=None, help="worker processes (default: one per CPU; 2 with --dask local)")
    sweep.add_argument("--dask", default=None, metavar="ADDRESS", help="run on a Dask scheduler at ADDRESS, or start a local cluster: local")
    sweep.add_argument("--limit", type=_whole, default=None, metavar="K", help="run at most K new tasks, then stop (rerun to continue)")
    sweep.add_argument("--force", action="store_true", help="append to an output that holds rows of another sweep")
    sweep.add_argument("--retry-errors", action="store_true",
                       help="solve again the tasks whose row is an error (e.g. with a larger --budget); the new row "
                       "replaces it when read (rows that finished are never redone)")
    sweep.add_argument("--quiet", action="store_true", help="no progress on stderr (shown only on a terminal)")
    sweep.add_argument("--budget", type=_seconds, default=None, metavar="SECONDS",
                       help="wall-clock budget in seconds of each task's solve (a finite number > 0; overrides the "
                       "sweep file's budget: and EQUIVID_BUDGET_SECONDS, default 60); a task past it is a row "
                       "with status error")
    _verify_parser(commands)
    examples = commands.add_parser("examples", help="list the bundled example specs", epilog=_epilog())
    examples.add_argument("--show", metavar="NAME", help="print one example's spec")
    examples.add_argument("--schema", action="store_true",
                          help="print the JSON Schema of spec files (for editors: save it and point the "
                          "spec's '# yaml-language-server: $schema=PATH' line at it)")
    return parser


def _verify_parser(commands: Any) -> None:
    verify = commands.add_parser("verify", help="train encoders on simulated data and check the predicted group",
                                 epilog=_epilog("verification failed: a control failed (see below)", VERIFY_NOTES))
    verify.add_argument("spec", help="spec file (YAML), or the name of a bundled example")
    d = VERIFY_DEFAULTS
    verify.add_argument("--seeds", type=_whole, default=d["seeds"], help=f"encoders to train (default {d['seeds']})")
    verify.add_argument("--samples", type=_whole, default=d["samples"],
                        help=f"transitions per encoder, and as many held out (default {d['samples']})")
    verify.add_argument("--steps", type=_whole, default=d["steps"],
                        help=f"training steps, all seeds at once (default {d['steps']})")
    verify.add_argument("--hidden", type=_whole, default=d["hidden"],
                        help=f"width of the encoder's hidden layers (default {d['hidden']})")
    verify.add_argument("--lr", type=_number, default=d["lr"],
                        help=f"Adam's learning rate (default {d['lr']})")
    verify.add_argument("--mixing", choices=("smooth", "leaky"), default="smooth",
                        help="the decoders' activation: smooth (default) or the literature's leaky ReLU")
    verify.add_argument("--states", choices=("auto", "normal", "multiscale"), default="auto",
                        help="law of the latents (default auto: multiscale around a common fixed point at 0)")
    verify.add_argument("--device", default="cpu", help="cpu | cuda")
    verify.add_argument("--dim", type=_whole, default=None, help="observed dimension D >= n (default n)")
    verify.add_argument("--ansatz", default=None, help="linear | affine (default: the spec's, else affine)")
    verify.add_argument("--group", default=None, metavar="SPEC",
                        help="check against the group solved for this other spec instead (e.g. a deliberately wrong prediction)")
    verify.add_argument("--data", default=None, metavar="FILE.npz",
                        help="recorded transitions instead of simulated ones: arrays x, x_next, labels (optional z, "
                             "params, dt; see 'Users' data' in the README)")
    verify.add_argument("--encoder", choices=("auto", "mlp", "conv"), default="auto",
                        help="the trained encoder: mlp, conv (images) or auto (conv for images, default)")
    verify.add_argument("--at", default=None, metavar="NAME=VALUE,...", help=AT_HELP + " (required when the spec has parameters)")
    verify.add_argument("--rng", type=_whole, default=0, help="seed of everything random (default 0)")
    verify.add_argument("--format", choices=("text", "json"), default="text")
    verify.add_argument("--plot", default=None, metavar="FILE.png",
                        help="true vs learned latents, fitted element undone (written atomically; a regular file only)")
    verify.add_argument("--force", action="store_true", help="overwrite an existing --plot file")
    verify.add_argument("--budget", type=_seconds, default=None, metavar="SECONDS", help=BUDGET_HELP)
    verify.add_argument("--quiet", action="store_true", help="no progress on stderr (shown only on a terminal)")


def _verify(args: argparse.Namespace) -> int:
    from . import load, solve
    from .numeric.verify import verify

    if args.plot is not None:
        plot = Path(args.plot)
        if plot.suffix.lower() != ".png":
            raise SpecError("--plot", args.plot, "a file name ending in .png")
        check_target(plot, force=args.force, field="--plot")
        from .numeric.plot import require_matplotlib

        require_matplotlib()
    if args.hidden < 1:
        raise SpecError("--hidden", args.hidden, "a positive width")
    if args.lr is not None and not args.lr > 0:
        raise SpecError("--lr", args.lr, "a positive learning rate")
    if args.device != "cpu":
        from .numeric.train import resolve_device

        resolve_device(args.device)
    system = _at(load(_spec_path(args.spec)), args.at)
    if system.parameters:
        raise SpecError("--at", None, f"values for the parameters ({', '.join(s.name for s in system.parameters)}): "
                        "verify trains on one system")
    data = None
    if args.data is not None:
        from .numeric.data import load_observations

        data = load_observations(args.data, system)  # shapes checked before any solving or training
    group = solve(load(_spec_path(args.group)), ansatz=args.ansatz) if args.group else solve(system, ansatz=args.ansatz)
    report = verify(system, group=group, data=data, seeds=args.seeds, samples=args.samples, steps=args.steps,
                    dim=args.dim, device=args.device, rng=args.rng, progress=False, mixing=args.mixing,
                    states=args.states, train_options={"hidden": args.hidden, "encoder": args.encoder,
                                                   **({"lr": args.lr} if args.lr is not None else {})})
    result = report.to_dict()
    if args.plot is not None:
        from .numeric.plot import plot_report

        write_with(args.plot, lambda temporary: plot_report(report, str(temporary)), force=args.force, field="--plot")
        result["plot"] = args.plot
    if args.format == "json":
        print(json.dumps(result, indent=2))
    else:
        print(report)
        if args.plot is not None:
            print(f"plot: {args.plot}")
    return OK if report.controls_passed else VERIFICATION_FAILED


def _spec_path(value: str) -> Path:
    path = Path(value)
    if path.exists() or path.suffix:
        return path
    bundled = EXAMPLES / f"{value}.yaml"
    if bundled.exists():
        return bundled
    hint = did_you_mean(value, [p.stem for p in EXAMPLES.glob("*.yaml")])
    if hint:
        raise SpecError("SPEC", value, "an existing spec file", detail=f"{hint[:-1]} (a bundled example)?")
    return path


def _analyze(args: argparse.Namespace) -> int:
    _degree(args.degree, None)  # a bad value or a missing file is reported before the solver is imported
    text = read_text(_spec_path(args.spec), field="SPEC", what="spec file")

    from . import solve
    from .mechanisms import system_from_spec
    from .render import latex_report, markdown_report, text_report

    declared = system_from_spec(text)
    at = _at_values(declared, args.at) if args.at is not None else {}
    system = declared.at(at) if at else declared
    if system.parameters:
        return _analyze_cases(args, system)
    if args.samples is not None:
        raise SpecError("--samples", args.samples, "a spec with parameters (this one has none left)")
    for k, check in enumerate(args.check):
        system.parse_map(check, field=f"--check[{k}]")
    group = solve(system, ansatz=args.ansatz, cross_examine=args.cross_examine)
    degree = _degree(args.degree, group)
    if args.format == "json":
        answer = group.to_dict(checks=args.check, degree=degree)
        if args.at is not None:
            answer["at"] = {str(k): str(v) for k, v in at.items()}
        print(json.dumps(answer, indent=2))
        return 0
    if args.format == "text":
        report = text_report(group, degree)
    else:
        report = {"markdown": markdown_report, "latex": latex_report}[args.format](group)
    if args.at is not None and args.format == "text":
        print("at " + ", ".join(f"{k} = {v}" for k, v in at.items()))
    print(report)
    for check in args.check:
        result = group.membership(check)
        why = "" if result.member else (
            " (outside the searched class)" if not result.in_ansatz
            else " (not invertible)" if result.invertible is False
            else " (does not commute)"
        )
        print(f"check {check}: {'member' if result.member else 'not a member'}{why}")
    return 0


def _at(system: Any, values: str | None) -> Any:
    """The system with ``--at`` values substituted (the system itself without ``--at``)."""
    return system if values is None else system.at(_at_values(system, values))


def _at_values(system: Any, values: str) -> dict[Any, Any]:
    """``--at`` as exact values, checked against the spec's parameters."""
    from .parameters import parse_values

    if not system.parameters:
        raise SpecError("--at", values, "a spec with parameters (this one has none)")
    return parse_values(values, system.parameters, system.constraints)


def _analyze_cases(args: argparse.Namespace, system: Any) -> int:
    """``analyze`` of a spec with parameters: the case tree."""
    from .parametric import DEFAULT_SAMPLES, solve_cases

    if args.check:
        raise SpecError("--check", args.check[0], "a spec without parameters (give their values with --at)")
    if args.format == "latex":
        raise SpecError("--format", "latex", "text, json or markdown for a case tree (or give values with --at)")
    tree = solve_cases(system, ansatz=args.ansatz, cross_examine=args.cross_examine,
                       samples=args.samples if args.samples is not None else DEFAULT_SAMPLES)
    if args.format == "json":
        print(json.dumps(tree.to_dict(), indent=2))
    elif args.format == "markdown":
        print(tree.sketch())
    else:
        print(tree.text())
    return 0


def _sketch(args: argparse.Namespace) -> int:
    from . import load, sketch

    pdflatex = shutil.which("pdflatex") if args.pdf else None
    if args.pdf and pdflatex is None:
        raise SpecError("--pdf", "pdflatex", "pdflatex on the PATH (install TeX, e.g. apt-get install "
                        "texlive-latex-base), or use --format latex", detail="pdflatex not found")
    if args.fragment and (args.format != "latex" or args.pdf):
        raise SpecError("--fragment", "--pdf" if args.pdf else f"--format {args.format}",
                        "--format latex (a fragment is LaTeX to \\input; a PDF needs the whole document)")
    spec = _spec_path(args.spec)
    target = Path(args.output) if args.output else (Path(spec.stem + ".pdf") if args.pdf else None)
    if target is not None:  # refused before any solving: not a regular file, exists without --force
        check_target(target, force=args.force, field="-o")
    system = _at(load(spec), args.at)
    if system.parameters:
        from .parametric import solve_cases

        if args.format == "latex" or args.pdf:
            raise SpecError("--format", "latex", "markdown or json for the derivation of a case tree (or give values with --at)")
        tree = solve_cases(system, ansatz=args.ansatz)
        text = tree.sketch() + "\n" if args.format == "markdown" else json.dumps(tree.to_dict(), indent=2) + "\n"
        return _emit(text, target, args.force)
    proof = sketch(system, ansatz=args.ansatz)
    if args.pdf:
        write_atomic(target, _compile(proof.to_latex(), str(pdflatex)), force=args.force)  # type: ignore[arg-type]
        print(f"wrote {target}")
    else:
        text = {"markdown": proof.to_markdown, "latex": lambda: proof.to_latex(fragment=args.fragment),
                "json": lambda: json.dumps(proof.to_dict(), indent=2) + "\n"}[args.format]()
        _emit(text, target, args.force)
    if proof.failed:  # written (it says which step failed), but the derivation must not be relied on
        failed = ", ".join(step.kind for step in proof.steps if step.failed)
        print(f"equivid: verification failed: the sketch's {failed} step failed its check", file=sys.stderr)
        return VERIFICATION_FAILED
    return 0


def _emit(text: str, target: Path | None, force: bool) -> int:
    """Print ``text``, or write it to ``target`` atomically and say so."""
    if target is None:
        print(text, end="")
    else:
        write_atomic(target, text.encode("utf-8"), force=force)
        print(f"wrote {target}")
    return 0


def _compile(tex: str, pdflatex: str) -> bytes:
    """Run pdflatex in a temporary folder; the PDF's bytes (a one-line error on failure)."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "sketch.tex"
        source.write_text(tex, encoding="utf-8")
        run = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", source.name],
                             cwd=tmp, capture_output=True, text=True, timeout=120, check=False)
        pdf = Path(tmp) / "sketch.pdf"
        if run.returncode != 0 or not pdf.exists():
            first = next((line for line in run.stdout.splitlines() if line.startswith("!")), "see the LaTeX log")
            raise VerificationError(f"pdflatex failed: {first}")
        return pdf.read_bytes()


def _degree(value: str, group: Any) -> int | None:
    """``--degree``: a whole number >= 0 (0: none) or ``auto`` (``group`` None: only check ``value``)."""
    if value == "auto":
        if group is None:
            return None
        small = group.solution.kind != "finite" and len(group.latents) <= AUTO_LATENTS
        return AUTO_DEGREE if small else None
    if not value.isdigit():
        raise SpecError("--degree", value, "a whole number D >= 0 or auto")
    return int(value) or None


def _sweep(args: argparse.Namespace) -> int:
    from .sweep import load_sweep, run_sweep

    sweep = load_sweep(args.sweep)
    try:
        summary = run_sweep(sweep, output=args.output, workers=args.workers, dask=args.dask,
                            limit=args.limit, force=args.force, progress=sys.stderr, budget=args.budget,
                            retry_errors=args.retry_errors)
    except KeyboardInterrupt:
        print("equivid: sweep interrupted; finished rows are kept, rerun to resume", file=sys.stderr)
        return INTERRUPTED
    except RuntimeError as exc:  # the executor broke; an EquividError (over budget too) is reported by main()
        if isinstance(exc, EquividError):
            raise
        print(f"equivid: {_one_line(str(exc))}", file=sys.stderr)
        return VERIFICATION_FAILED
    print(f"sweep: {summary}")
    return 0


def _examples(args: argparse.Namespace) -> int:
    if args.schema:
        if args.show:
            raise SpecError("--show", args.show, "no --show with --schema (one of the two)")
        print(SCHEMA_PATH.read_text(encoding="utf-8"), end="")
        return 0
    specs = sorted(EXAMPLES.glob("*.yaml"))
    if args.show:
        path = EXAMPLES / f"{args.show}.yaml"
        if not path.exists():
            hint = did_you_mean(args.show, [p.stem for p in specs])
            raise SpecError("--show", args.show, f"one of {', '.join(p.stem for p in specs)}", detail=hint)
        print(path.read_text(encoding="utf-8"), end="")
        return 0
    for path in specs:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        summary = first.lstrip("# ").strip() if first.startswith("#") else ""
        print(f"{path.stem:24s} {summary}")
    print(f"\nrun one with: equivid analyze {specs[0].stem if specs else 'NAME'}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0, 1, 2, 3 or 130: ``equivid --help``).

    Usage errors and ``--help`` return their status too (2 and 0) instead of raising
    SystemExit, so ``sys.exit(main())`` and ``main([...]) == 2`` both work.
    """
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2, its line already printed)
        return exc.code if isinstance(exc.code, int) else (OK if exc.code is None else BAD_INPUT)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.showwarning = _warn  # type: ignore[assignment]
            with _budget(args), shown(args.command, quiet=getattr(args, "quiet", False)):
                return {"analyze": _analyze, "examples": _examples, "sketch": _sketch, "sweep": _sweep, "verify": _verify}[args.command](args)
    except VerificationError as exc:
        return _fail(VERIFICATION_FAILED, "verification failed", exc)
    # BudgetExceededError is not an UnsupportedMechanismError (it is a RuntimeError): both named.
    except BudgetExceededError as exc:
        return _fail(UNSUPPORTED, "over budget", exc)
    except UnsupportedMechanismError as exc:
        return _fail(UNSUPPORTED, "unsupported", exc)
    except EquividError as exc:  # SpecError, and any other bad input
        return _fail(BAD_INPUT, "error", exc)
    except KeyboardInterrupt:
        print("equivid: interrupted", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:  # e.g. `equivid examples | head -1`
        sys.stderr.close()
        return OK


def _budget(args: argparse.Namespace) -> Any:
    """``--budget`` in force for the command; without it, EQUIVID_BUDGET_SECONDS is checked
    now (a bad value is bad input before any work, not an error deep in a solve)."""
    from ._budget import budget_seconds, override

    if getattr(args, "budget", None) is not None:
        return override(args.budget)
    if hasattr(args, "budget"):
        budget_seconds()
    return nullcontext()


def _one_line(text: str) -> str:
    """``text`` on one line: its lines joined by spaces."""
    return " ".join(line.strip() for line in str(text).splitlines() if line.strip())


def _fail(status: int, kind: str, exc: BaseException) -> int:
    print(f"equivid: {kind}: {_one_line(str(exc)) or type(exc).__name__}", file=sys.stderr)
    return status


def _warn(message: Warning | str, category: type[Warning], *args: object, **kwargs: object) -> None:
    print(f"equivid: warning: {_one_line(str(message))}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
