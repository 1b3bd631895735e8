"""Sweep files (YAML) to a plan: the systems, the ansatz list, the tasks and their keys."""

from __future__ import annotations

import hashlib
import itertools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sympy
import yaml

from .._yaml import read_yaml
from ..ansatz import Ansatz
from ..errors import SpecError
from ..spec import SPEC_KEYS, system_from_spec, system_to_spec

__all__ = ["Task", "Sweep", "load_sweep", "sweep_from_text", "random_systems"]

SWEEP_KEYS = ("output", "ansatz", "systems", "verify", "description", "budget")
RANDOM_KEYS = ("count", "latents", "kind", "entries", "mechanisms", "seed", "name")
VERIFY_KEYS = ("seeds", "samples", "steps")
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@dataclass(frozen=True)
class Task:
    """One unit of work: a system (as canonical spec text), an ansatz, and a seed for ``verify``.

    ``key`` is a stable hash of all of these: the same task gets the same key in every
    run, so a sweep can tell which rows of an earlier run are already finished.

    Parameters
    ----------
    key : str
        The stable hash of the task (20 hex digits).
    system : str
        The system's id (``name[a=1,b=2]`` for a point of a system with parameters).
    spec : str
        The system as canonical spec text.
    ansatz : str
        The class of maps searched.
    seed : int, optional
        The seed of ``verify`` (None without ``verify:``).
    verify : tuple of (str, int), optional
        The sweep's ``verify:`` options, sorted (None without ``verify:``).
    at : tuple of (str, str), optional
        For a system with parameters: this task's value of each parameter, as text.
    case : str, optional
        For a system with parameters: the stratum of the case tree the values lie in
        (None when not exactly one holds them).

    Examples
    --------
    >>> from equivid.sweep import sweep_from_text
    >>> task = sweep_from_text("systems: [{name: grow, latents: [z1], mechanisms: {grow: [2*z1]}}]").tasks[0]
    >>> task.system, task.ansatz, task.seed, len(task.key)
    ('grow', 'affine', None, 20)
    >>> print(task.spec, end="")
    latents:
    - z1
    mechanisms:
      grow: (2*z1,)
    >>> sweep = sweep_from_text('''
    ... ansatz: linear
    ... systems:
    ...   - {name: grow, latents: [z1, z2], parameters: [a, b], mechanisms: {grow: [a*z1, b*z2]},
    ...      values: {a: [2], b: [2, 3]}}
    ... ''')
    >>> for task in sweep.tasks:
    ...     print(task.system, task.at, task.case)
    grow[a=2,b=2] (('a', '2'), ('b', '2')) a = b
    grow[a=2,b=3] (('a', '2'), ('b', '3')) generic (a - b != 0)
    """

    key: str
    system: str
    spec: str
    ansatz: str
    seed: int | None = None
    verify: tuple[tuple[str, int], ...] | None = None
    #: For a system with parameters: the values of this task, and the stratum of the case tree they lie in.
    at: tuple[tuple[str, str], ...] | None = None
    case: str | None = None


@dataclass(frozen=True)
class Sweep:
    """A parsed sweep file: where rows go and the tasks, in file order.

    Parameters
    ----------
    output : pathlib.Path
        Where the rows go (``.jsonl`` or ``.parquet``).
    tasks : tuple of Task
        The tasks, in file order (systems, then ansatz, then seeds).
    systems : int
        How many systems the file lists (a ``random:`` entry counts each system it makes).
    ansatz : tuple of str, optional
        The ``ansatz:`` list (None: each system's own).
    verify : tuple of (str, int), optional
        The ``verify:`` options, sorted (None without ``verify:``).
    budget : float, optional
        The ``budget:`` seconds of each task's solve.

    Examples
    --------
    >>> from equivid.sweep import sweep_from_text
    >>> sweep = sweep_from_text('''
    ... output: grow.jsonl
    ... ansatz: [affine, linear]
    ... budget: 30
    ... systems:
    ...   - {name: grow, latents: [z1], mechanisms: {grow: [2*z1]}}
    ... ''')
    >>> sweep.output.as_posix(), sweep.systems, sweep.ansatz, sweep.budget
    ('grow.jsonl', 1, ('affine', 'linear'), 30.0)
    >>> [(task.system, task.ansatz) for task in sweep.tasks]
    [('grow', 'affine'), ('grow', 'linear')]
    """

    output: Path
    tasks: tuple[Task, ...]
    systems: int
    ansatz: tuple[str, ...] | None
    verify: tuple[tuple[str, int], ...] | None
    #: ``budget:`` seconds of each task's solve (None: ``--budget``, else EQUIVID_BUDGET_SECONDS, else 60).
    budget: float | None = None


def load_sweep(path: str | os.PathLike[str]) -> Sweep:
    """Read a sweep file; relative paths in it are relative to the file's folder.

    Parameters
    ----------
    path : str or os.PathLike
        The sweep file (YAML, the format of :mod:`equivid.sweep`).

    Returns
    -------
    Sweep
        The plan; its output defaults to the file's name with ``.jsonl``.

    Raises
    ------
    SpecError
        If the file cannot be read, or a key or value in it is wrong.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "s.yaml"
    ...     _ = path.write_text("systems: [{spec: translation_single}]\\nansatz: [affine, linear]\\n")
    ...     sweep = load_sweep(path)
    >>> [(t.system, t.ansatz) for t in sweep.tasks], sweep.output.name
    ([('translation_single', 'affine'), ('translation_single', 'linear')], 's.jsonl')
    """
    from .._files import read_text

    path = Path(path)
    text = read_text(path, field="SWEEP", what="sweep file")
    return sweep_from_text(text, base=path.parent, default_output=path.with_suffix(".jsonl"))


def sweep_from_text(text: str, *, base: Path = Path("."), default_output: Path = Path("sweep.jsonl")) -> Sweep:
    """Build a :class:`Sweep` from sweep text (the format of :mod:`equivid.sweep`).

    Parameters
    ----------
    text : str
        The sweep, as YAML text.
    base : pathlib.Path, default Path(".")
        The folder that ``output:`` and ``spec:`` files are relative to.
    default_output : pathlib.Path, default Path("sweep.jsonl")
        The output without an ``output:`` key.

    Returns
    -------
    Sweep
        The plan: every system parsed, the tasks and their keys.

    Raises
    ------
    SpecError
        If a key or value is wrong (every system is parsed before any work starts).

    Examples
    --------
    >>> from pathlib import Path
    >>> from equivid.sweep import sweep_from_text
    >>> sweep = sweep_from_text('''
    ... systems:
    ...   - {name: grow, latents: [z1], mechanisms: {grow: [2*z1]}}
    ...   - random: {count: 2, latents: 1, seed: 0}
    ... ''', base=Path("runs"))
    >>> sweep.output.as_posix(), [(task.system, task.ansatz) for task in sweep.tasks]
    ('sweep.jsonl', [('grow', 'affine'), ('random0-0', 'affine'), ('random0-1', 'affine')])
    >>> sweep_from_text("output: rows.jsonl\\nsystems: [{spec: translation_single}]", base=Path("runs")).output.as_posix()
    'runs/rows.jsonl'
    >>> sweep_from_text("systems: [{latents: [z1], mechanisms: {grow: [2*z1]}}]\\nansatz: cubic")
    Traceback (most recent call last):
    ...
    equivid.errors.SpecError: ansatz[0]: got 'cubic', expected one of linear, affine, polynomial:D (D >= 1), finite
    """
    data = _read(text)
    output = data.get("output")
    if output is None:
        out = default_output
    elif isinstance(output, str) and output.strip():
        out = base / output
    else:
        raise SpecError("output", output, "a file name ending in .jsonl or .parquet")
    if out.suffix not in (".jsonl", ".parquet"):
        raise SpecError("output", str(out), "a file name ending in .jsonl or .parquet")
    ansatz = _ansatz(data.get("ansatz"))
    verify = _verify(data.get("verify"))
    budget = _budget(data.get("budget"))
    systems = _systems(data.get("systems"), base)
    tasks = []
    for name, spec, values in systems:
        for chosen in ansatz or (_own_ansatz(spec),):
            for point_name, point_spec, at, case in _points(name, spec, values, chosen):
                for seed in range(dict(verify)["seeds"]) if verify else (None,):
                    tasks.append(Task(task_key(point_name, point_spec, chosen, seed, verify), point_name, point_spec,
                                      chosen, seed, verify, at, case))
    return Sweep(out, tuple(tasks), len(systems), ansatz, verify, budget)


def _points(name: str, spec: str, values: list[dict[str, Any]] | None, ansatz: str
            ) -> list[tuple[str, str, tuple[tuple[str, str], ...] | None, str | None]]:
    """A system's tasks: itself, or one per parameter value with the stratum it lies in."""
    if values is None:
        return [(name, spec, None, None)]
    from ..parametric import strata

    system = system_from_spec(spec)
    leaves = strata(system, ansatz)
    out: list[tuple[str, str, tuple[tuple[str, str], ...] | None, str | None]] = []
    for point in values:
        special = system.at(point)
        at = tuple((str(k), str(v)) for k, v in point.items())
        subs = {s: sympy.sympify(v) for s in system.parameters for k, v in at if k == s.name}
        holding = [leaf.text() for leaf in leaves if leaf.contains(subs)]
        label = ",".join(f"{k}={v}" for k, v in at)
        out.append((f"{name}[{label}]", system_to_spec(special), at, holding[0] if len(holding) == 1 else None))
    return out


def _budget(value: Any) -> float | None:
    """``budget:``: a finite number of seconds > 0 (a task's solve past it is an error row)."""
    if value is None:
        return None
    from .._budget import parse_seconds

    if isinstance(value, str) or isinstance(value, bool):
        raise SpecError("budget", value, "a finite number of seconds > 0")
    return parse_seconds(value, "budget")


def _own_ansatz(spec: str) -> str:
    """A system's default class: its spec's ``ansatz:``, else affine (finite for finite states)."""
    return str(Ansatz.parse(yaml.safe_load(spec).get("ansatz")))


def task_key(system: str, spec: str, ansatz: str, seed: int | None, verify: Any) -> str:
    """A stable hash of everything that decides a task's row (20 hex digits)."""
    text = "\n".join([system, str(ansatz), str(seed), repr(verify), spec])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def _read(text: str) -> Mapping[str, Any]:
    return read_yaml(text, field="sweep", keys=SWEEP_KEYS, shape="a YAML mapping with the key 'systems'")


def _ansatz(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None  # each system's own default (its spec's ansatz, else affine)
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values:
        raise SpecError("ansatz", value, "an ansatz or a non-empty list, e.g. [affine, linear]")
    names = [str(Ansatz.parse(v, field=f"ansatz[{k}]")) for k, v in enumerate(values)]
    if len(set(names)) != len(names):
        raise SpecError("ansatz", value, "each ansatz once")
    return tuple(names)


def _verify(value: Any) -> tuple[tuple[str, int], ...] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or "seeds" not in value:
        raise SpecError("verify", value, "a mapping such as {seeds: 3} (also samples, steps)")
    for key, number in value.items():
        if key not in VERIFY_KEYS:
            raise SpecError("verify", key, f"a known key ({', '.join(VERIFY_KEYS)})", detail="unknown key")
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            raise SpecError(f"verify.{key}", number, "a positive whole number")
    _require_verify()
    return tuple(sorted(value.items()))


def _require_verify() -> None:
    """``verify:`` trains encoders: it needs equivid.numeric.verify and PyTorch (the learn extra)."""
    import importlib
    import importlib.util

    try:
        importlib.import_module("equivid.numeric.verify")
    except ImportError:
        raise SpecError("verify", "equivid.numeric.verify", "an installation with the numeric backend",
                        detail="this equivid has no equivid.numeric.verify; remove 'verify:' from the sweep") from None
    if importlib.util.find_spec("torch") is None:
        raise SpecError("verify", "torch", "PyTorch for training encoders",
                        detail='pip install torch==2.13.0 && pip install "equivid[learn]"; or remove \'verify:\'')


def _systems(value: Any, base: Path) -> list[tuple[str, str, list[dict[str, Any]] | None]]:
    if not isinstance(value, list) or not value:
        raise SpecError("systems", value, "a non-empty list of {spec: FILE}, inline specs or {random: {...}}")
    systems: list[tuple[str, str, list[dict[str, Any]] | None]] = []
    for index, entry in enumerate(value):
        field = f"systems[{index}]"
        if not isinstance(entry, Mapping):
            raise SpecError(field, entry, "a mapping: {spec: FILE}, an inline spec, or {random: {...}}")
        if "random" in entry:
            _only(entry, ("random",), field)
            systems.extend((name, spec, None) for name, spec in random_systems(entry["random"], field=f"{field}.random"))
            continue
        if "spec" in entry:
            _only(entry, ("spec", "name", "values"), field)
            path = _spec_path(entry["spec"], base, f"{field}.spec")
            name = entry.get("name", path.stem)
            spec = _canonical(path.read_text(encoding="utf-8"), field)
        else:
            _only(entry, SPEC_KEYS + ("values",), field)
            name = entry.get("name", f"system{index}")
            spec = _canonical(yaml.safe_dump({k: v for k, v in entry.items() if k not in ("name", "values")},
                                             sort_keys=False), field)
        systems.append((_name(name, f"{field}.name"), spec, _values(entry.get("values"), spec, field)))
    seen: set[str] = set()
    for name, _, _ in systems:
        if name in seen:
            raise SpecError("systems", name, "a distinct name for every system", detail="used twice")
        seen.add(name)
    return systems


def _values(value: Any, spec: str, field: str) -> list[dict[str, Any]] | None:
    """``values:`` of a system with parameters: a grid ``{a: [1, 2], b: [0]}`` (every
    combination) or a list of points ``[{a: 1, b: 0}, ...]``; each point checked now."""
    system = system_from_spec(spec)
    names = [s.name for s in system.parameters]
    if value is None:
        if names:
            raise SpecError(f"{field}.values", None, f"values for the parameters ({', '.join(names)}), e.g. "
                            f"{{{names[0]}: [1, 2, 3]}}: a sweep solves one system per point")
        return None
    if not names:
        raise SpecError(f"{field}.values", value, "a system with parameters (this one has none)")
    if isinstance(value, Mapping):
        if sorted(map(str, value)) != sorted(names):
            raise SpecError(f"{field}.values", dict(value), f"a list of values for each parameter ({', '.join(names)})")
        lists = [value[n] if isinstance(value[n], list) else [value[n]] for n in names]
        points = [dict(zip(names, combination)) for combination in itertools.product(*lists)]
    elif isinstance(value, list) and value and all(isinstance(p, Mapping) for p in value):
        points = [dict(p) for p in value]
    else:
        raise SpecError(f"{field}.values", value, "a grid {a: [1, 2], b: [0, 1]} or a list of points [{a: 1, b: 0}]")
    for k, point in enumerate(points):
        if sorted(map(str, point)) != sorted(names):
            raise SpecError(f"{field}.values[{k}]", point, f"a value for each parameter ({', '.join(names)})")
        system.at(point)  # assumptions and constraints, before any work starts
    return points


def _only(entry: Mapping[str, Any], allowed: tuple[str, ...], field: str) -> None:
    for key in entry:
        if key not in allowed:
            raise SpecError(field, key, f"a known key ({', '.join(allowed)})", detail="unknown key")


def _name(value: Any, field: str) -> str:
    if not isinstance(value, (str, int)) or isinstance(value, bool) or not str(value).strip():
        raise SpecError(field, value, "a non-empty name")
    return str(value)


def _spec_path(value: Any, base: Path, field: str) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise SpecError(field, value, "a spec file or the name of a bundled example")
    path = base / value
    if path.is_file():
        return path
    bundled = EXAMPLES / f"{value}.yaml"
    if not Path(value).suffix and bundled.is_file():
        return bundled
    from .._schema import did_you_mean

    hint = did_you_mean(value, [p.stem for p in EXAMPLES.glob("*.yaml")])
    raise SpecError(field, value, "an existing spec file (relative to the sweep file) or a bundled example name",
                    detail=hint)


def _canonical(text: str, field: str) -> str:
    """Parse a spec (so every error surfaces before any work starts) and write it back canonically."""
    try:
        return system_to_spec(system_from_spec(text))
    except SpecError as exc:
        raise SpecError(f"{field}.{exc.field}", exc.value, exc.expected, detail=exc.detail) from None


def random_systems(options: Any, *, field: str = "random") -> list[tuple[str, str]]:
    """Random affine (or linear) systems with integer entries, deterministic from ``seed``.

    Options: ``count`` systems (ids ``<name>-0``, ``<name>-1``, ...: a larger count keeps
    the first systems and their ids) of ``latents`` latents (a number, names ``z1..zn``, or a
    list of names), ``mechanisms`` maps each (default 1), ``kind`` affine | linear,
    integer ``entries`` drawn uniformly from ``[lo, hi]`` (default [-2, 2]), ``seed``
    (default 0) and a ``name`` prefix (default ``random<seed>``).

    Parameters
    ----------
    options : mapping
        The options of a sweep's ``random:`` entry.
    field : str, default "random"
        Where the options are, for error messages.

    Returns
    -------
    list of (str, str)
        The id and the spec text of each system.

    Raises
    ------
    SpecError
        If an option is unknown or its value is wrong.

    Examples
    --------
    >>> for name, spec in random_systems({"count": 2, "latents": 2, "seed": 3}):
    ...     print(name, spec.splitlines()[-1])
    random3-0   m1: "(2*z1 - 2*z2 - 2, -z1 - 2*z2 + 2)"
    random3-1   m1: "(2*z1 - 2, -2*z1 - z2)"
    """
    if not isinstance(options, Mapping):
        raise SpecError(field, options, "a mapping such as {count: 100, latents: 2}")
    _only(options, RANDOM_KEYS, field)
    count = _whole(options.get("count"), f"{field}.count", low=1)
    latents = options.get("latents", 2)
    if isinstance(latents, list):
        names = [_name(v, f"{field}.latents[{k}]") for k, v in enumerate(latents)]
    else:
        names = [f"z{k + 1}" for k in range(_whole(latents, f"{field}.latents", low=1))]
    mechanisms = _whole(options.get("mechanisms", 1), f"{field}.mechanisms", low=1)
    kind = options.get("kind", "affine")
    if kind not in ("affine", "linear"):
        raise SpecError(f"{field}.kind", kind, "affine or linear")
    entries = options.get("entries", [-2, 2])
    if (not isinstance(entries, list) or len(entries) != 2
            or any(isinstance(e, bool) or not isinstance(e, int) for e in entries) or entries[0] > entries[1]):
        raise SpecError(f"{field}.entries", entries, "[lo, hi], whole numbers with lo <= hi")
    seed = _whole(options.get("seed", 0), f"{field}.seed", low=0)
    prefix = _name(options.get("name", f"random{seed}"), f"{field}.name")
    _canonical(_random_text(names, {"m1": np.zeros((len(names), len(names) + 1), dtype=int)}), field)  # the names
    rng = np.random.default_rng(seed)
    n = len(names)
    systems = []
    for k in range(count):
        maps = {}
        for j in range(mechanisms):
            matrix = rng.integers(entries[0], entries[1], size=(n, n + 1), endpoint=True)
            if kind == "linear":
                matrix[:, n] = 0
            maps[f"m{j + 1}"] = matrix
        systems.append((f"{prefix}-{k}", _random_text(names, maps)))
    return systems


def _random_text(names: list[str], maps: Mapping[str, Any]) -> str:
    """Spec text of affine maps ``z -> A z + b`` given as rows ``[A | b]`` (no sympy: fast)."""
    lines = ["latents: [" + ", ".join(names) + "]", "mechanisms:"]
    for name, matrix in maps.items():
        rows = [_affine_row([int(a) for a in row], names) for row in matrix]
        lines.append(f"  {name}: \"(" + ", ".join(rows) + ("," if len(rows) == 1 else "") + ")\"")
    return "\n".join(lines) + "\n"


def _affine_row(row: list[int], names: list[str]) -> str:
    """``2*z1 - z2 + 1`` from ``[2, -1, 1]``."""
    terms = [(a, f"{abs(a)}*{z}" if abs(a) != 1 else z) for a, z in zip(row, names) if a]
    if row[-1]:
        terms.append((row[-1], str(abs(row[-1]))))
    if not terms:
        return "0"
    text = ("-" if terms[0][0] < 0 else "") + terms[0][1]
    return text + "".join((" - " if a < 0 else " + ") + t for a, t in terms[1:])


def _whole(value: Any, field: str, *, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise SpecError(field, value, f"a whole number >= {low}")
    return value
