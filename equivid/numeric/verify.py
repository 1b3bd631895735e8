"""Check a predicted group against encoders: is ``h = f∘g`` in the group, and not in a smaller one?

For each seed: draw a decoder ``g`` and transitions, train an encoder ``f`` (or use the
one the caller brings), and fit ``h(z) = f(g(z))`` on held-out latents with the
group's fitter (:mod:`equivid.numeric.models`), with the fitter of each smaller group,
and with a nonlinear ceiling. R^2 (mean over coordinates) comes with percentile
bootstrap intervals over the held-out samples.

Decision per seed (``threshold`` t, ``ceiling_threshold`` c):

- ``inconclusive`` when the ceiling's lower bound is below c: the encoder did not
  keep the latents (training failed), so nothing is learned about the group;
- ``confirmed`` when the in-group R^2's lower bound is at least t;
- ``refuted`` when its upper bound is below t while the ceiling is high: ``h`` is a
  good function of ``z`` that no element of the group matches;
- ``inconclusive`` otherwise.

Across seeds (:func:`overall_verdict`): "learned maps lie in G" is half of the claim;
the other half is that they are not confined to a proper subgroup the structure allows
(``GroupModel.smaller``: for ``Aff(n)`` the linear maps, the diagonal scalings and the
Euclidean maps with translations, ...). ``confirmed`` needs every seed to confirm *and*
every tested proper subgroup ``H`` to be refuted by at least one seed (the group's R^2
exceeds H's by at least ``SUBGROUP_GAP``, lower end of the gap's bootstrap interval); when
every seed is explained by ``H`` too (the gap's upper end below ``SUBGROUP_GAP``) the verdict
is ``too large: learning stayed within H``; when it is undecided, ``inconclusive``.
``refuted`` when at least half the seeds refute, else ``inconclusive``.

Each seed also reports the field's metrics on the held-out points: the mean correlation
coefficient after the best matching of coordinates (MCC, Pearson and Spearman) and the
R^2 of the best linear and affine maps. Two controls run in every call: the exact inverse
``g^{-1}`` composed with a sampled group element must be confirmed, and a map outside
the group (exact membership test) must be refuted.

Each seed also reports how *consistent* its encoder is: the held-out R^2 of ``h(z')``
against ``m(h(z))`` (:func:`consistency_r2`; with a class learner, ``m`` is the learned
mechanism). The theory speaks of consistent encoders only: a seed below
``CONSISTENCY_NOTE`` is named in the notes, and a *trained* encoder below it is
``inconclusive`` rather than ``refuted`` (training failed, the prediction is untested).
An encoder the caller brings is judged on membership alone.

The data: decoders are ``smooth`` by default (``leaky`` for the literature's leaky-ReLU
recipe; :mod:`equivid.numeric.mixing` says why it matters) and the latents' law is
chosen by :func:`state_law` (multiscale around a common fixed point, else normal).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import sympy
from numpy.typing import NDArray

from .._defaults import VERIFY_DEFAULTS
from ..errors import SpecError
from ..mechanisms import System
from .fitters import AffineFit, fit_general, mcc, r2_score
from .mixing import ACTIVATIONS, Decoder, random_decoder
from .models import GroupModel, group_model, map_function, outside_map
from .simulate import numeric_mechanisms, step, transitions
from .sprites import renderer_for

DEFAULTS = VERIFY_DEFAULTS  # the defaults of verify() and of `equivid verify`

__all__ = ["DEFAULTS", "Estimate", "SeedResult", "Control", "VerifyReport", "assess", "ceiling_r2", "consistency_r2", "state_law",
           "verify", "as_encoder", "overall_verdict"]

Array = NDArray[np.float64]
THRESHOLD = 0.95
CEILING_THRESHOLD = 0.9
#: A proper subgroup H is refuted by a seed when the group's held-out R^2 exceeds H's by at
#: least this much (lower end of the bootstrap interval of the gap), and explains the seed when
#: the gap's upper end stays below it (benchmarks/bench_verdicts.py measures the error rates).
SUBGROUP_GAP = 0.01
#: Below this held-out consistency R^2 an encoder is reported as not mechanism-consistent.
CONSISTENCY_NOTE = 0.99


@dataclass(frozen=True)
class Estimate:
    """A held-out R^2 with a bootstrap interval ``[low, high]``.

    Parameters
    ----------
    value : float
        The R^2 on all held-out samples.
    low : float
        The 2.5th percentile over bootstrap resamples.
    high : float
        The 97.5th percentile over bootstrap resamples.

    Examples
    --------
    >>> estimate = Estimate(0.987654, 0.95, 0.99)
    >>> str(estimate), estimate.to_dict()
    ('0.9877 [0.9500, 0.9900]', {'value': 0.98765, 'low': 0.95, 'high': 0.99})
    """

    value: float
    low: float
    high: float

    def to_dict(self) -> dict[str, float]:
        """The estimate as JSON-ready numbers (rounded to 5 decimals).

        Returns
        -------
        dict of str to float
            ``{"value": ..., "low": ..., "high": ...}``.
        """
        return {"value": round(self.value, 5), "low": round(self.low, 5), "high": round(self.high, 5)}

    def __str__(self) -> str:
        return f"{self.value:.4f} [{self.low:.4f}, {self.high:.4f}]"


@dataclass(frozen=True)
class SeedResult:
    """One encoder checked: the fits, the ceiling, the verdict.

    Parameters
    ----------
    seed : int
        The seed's index (``-1`` for a control).
    group : Estimate
        The held-out R^2 of the best element of the group.
    smaller : tuple of (str, Estimate, Estimate)
        Per smaller group: its name, its held-out R^2, and the gap (the group's R^2 minus
        its R^2).
    ceiling : Estimate
        The nonlinear ceiling: the lesser of the held-out R^2 of flexible regressions of
        ``y`` on ``z`` and of ``z`` on ``y``.
    fit : AffineFit
        The group's element fitted.
    verdict : str
        ``"confirmed"``, ``"refuted"`` or ``"inconclusive"``.
    train_seconds : float, default 0.0
        The training time (0: not trained here).
    samples_per_second : float, default 0.0
        The training throughput.
    affine : float, default nan
        The held-out R^2 of the best affine map (is the learned map affine at all?).
    consistency : float or None, default None
        The held-out R^2 of ``f(x')`` against ``m(f(x))`` (:func:`consistency_r2`; None:
        not measured).
    mcc_pearson : float, default nan
        The mean correlation coefficient after the best matching of coordinates.
    mcc_spearman : float, default nan
        The same with rank correlations.
    linear : float, default nan
        The held-out R^2 of the best linear map.
    z : numpy.ndarray
        The held-out true latents.
    y : numpy.ndarray
        The held-out learned latents.
    smaller_fits : tuple of AffineFit, default ()
        The element fitted in each smaller group, one per entry of ``smaller``.

    Examples
    --------
    >>> import equivid
    >>> from equivid.numeric.models import group_model
    >>> model = group_model(equivid.solve(equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})))
    >>> z = np.random.default_rng(0).standard_normal((400, 2))
    >>> result = assess(model, z, z * [5.0, -2.0], rng=0)
    >>> result.verdict, round(result.group.value, 3), [name for name, _, _ in result.smaller]
    ('confirmed', 1.0, ['uniform scalings', 'identity'])
    >>> result.to_dict()["fitted_element"]
    {'B': [[5.0, 0.0], [0.0, -2.0]], 'c': [0.0, 0.0]}
    """

    seed: int
    group: Estimate
    smaller: tuple[tuple[str, Estimate, Estimate], ...]  # (name, R^2, gap to the group's R^2)
    ceiling: Estimate
    fit: AffineFit
    verdict: str
    train_seconds: float = 0.0
    samples_per_second: float = 0.0
    affine: float = float("nan")  # held-out R^2 of the best affine map: is the learned map affine at all?
    consistency: float | None = None  # held-out R^2 of f(x') against m(f(x)): is the encoder consistent at all?
    mcc_pearson: float = float("nan")  # the field's metrics on the held-out points
    mcc_spearman: float = float("nan")
    linear: float = float("nan")  # held-out R^2 of the best linear map
    z: Array = field(default_factory=lambda: np.zeros((0, 0)), compare=False, repr=False)
    y: Array = field(default_factory=lambda: np.zeros((0, 0)), compare=False, repr=False)
    smaller_fits: tuple[AffineFit, ...] = field(default=(), compare=False, repr=False)  # one per entry of smaller

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready values (numbers rounded; the held-out points left out).

        Returns
        -------
        dict
            The verdict, the R^2 estimates, the field's metrics, the fitted element and the
            timings.
        """
        return {
            "seed": self.seed,
            "verdict": self.verdict,
            "r2_group": self.group.to_dict(),
            "r2_smaller": [{"group": name, "r2": r2.to_dict(), "gap": gap.to_dict()} for name, r2, gap in self.smaller],
            "r2_ceiling": self.ceiling.to_dict(),
            "r2_affine": round(self.affine, 5),
            "r2_linear": round(self.linear, 5),
            "mcc_pearson": round(self.mcc_pearson, 5),
            "mcc_spearman": round(self.mcc_spearman, 5),
            "r2_consistency": None if self.consistency is None else round(self.consistency, 5),
            "fitted_element": {"B": np.round(self.fit.B, 4).tolist(), "c": np.round(self.fit.c, 4).tolist()},
            "train_seconds": round(self.train_seconds, 3) if self.train_seconds else None,  # None: not trained here
            "samples_per_second": round(self.samples_per_second, 1) if self.train_seconds else None,
        }


@dataclass(frozen=True)
class Control:
    """A control: a map known to be inside (must be confirmed) or outside (must be refuted).

    Parameters
    ----------
    kind : {"inside", "outside"}
        Whether the map lies in the group.
    map : tuple of str
        The map's components.
    result : SeedResult
        The check of the encoder ``map∘g^{-1}``.

    Examples
    --------
    >>> import equivid
    >>> from equivid.numeric.models import group_model
    >>> model = group_model(equivid.solve(equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})))
    >>> z = np.random.default_rng(0).standard_normal((400, 2))
    >>> control = Control("outside", ("z2", "z1"), assess(model, z, z[:, ::-1], rng=0))
    >>> control.result.verdict, control.passed
    ('refuted', True)
    """

    kind: str
    map: tuple[str, ...]
    result: SeedResult

    @property
    def passed(self) -> bool:
        """Whether the verdict is the expected one (``confirmed`` inside, ``refuted`` outside)."""
        return self.result.verdict == ("confirmed" if self.kind == "inside" else "refuted")

    def to_dict(self) -> dict[str, Any]:
        """The control as JSON-ready values.

        Returns
        -------
        dict
            Its kind, map, whether it passed, its verdict and its R^2 in the group.
        """
        return {"kind": self.kind, "map": list(self.map), "passed": self.passed, "verdict": self.result.verdict,
                "r2_group": self.result.group.to_dict()}


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of :func:`verify`: verdict, per-seed results, controls, spread, timings.

    Parameters
    ----------
    group : str
        The family the elements are fitted in (:attr:`~equivid.numeric.models.GroupModel.name`,
        such as ``linear maps`` for GL(2)).
    kind : str
        Its fitter (:attr:`~equivid.numeric.models.GroupModel.kind`).
    verdict : str
        The verdict over seeds (:func:`overall_verdict`).
    seeds : tuple of SeedResult
        One per seed.
    controls : tuple of Control
        The inside and outside controls.
    spread : float
        The mean pairwise distance of the fitted elements ``[B | c]`` over seeds
        (normalised).
    distinct : int
        How many of the fitted elements differ.
    settings : dict
        The settings the check ran with, as they ran: ``seeds`` counts the encoders scored
        or used as the reference (1 for an encoder given on recorded data), ``steps`` is
        None where nothing was trained, and recorded data add ``trained_on`` and
        ``scored_on`` (transitions).
    seconds : float
        The wall-clock time.
    notes : tuple of str, default ()
        Why the verdict, and what to look at.
    predicted : str, optional
        The name equivid gives the predicted group (None where it has none).

    Examples
    --------
    An encoder given that swaps the coordinates (``f∘g`` does not commute with the
    mechanism): refuted, and the seed's encoder is not mechanism-consistent either.

    >>> import equivid
    >>> system = equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})
    >>> g = random_decoder(2, rng=0)
    >>> report = verify(system, encoder=lambda x: g.inverse(x)[:, ::-1], decoder=g, seeds=1, samples=200)
    >>> report
    <VerifyReport 'diagonal scalings': refuted, 1 seed, controls passed>
    >>> seed = report.seeds[0]
    >>> seed.verdict, round(seed.affine, 3), seed.consistency < 0.99
    ('refuted', 1.0, True)
    >>> report.summary()["r2_affine"]["mean"], report.notes[0]
    (1.0, 'verdict: at least half the seeds refute the prediction')
    """

    group: str
    kind: str
    verdict: str
    seeds: tuple[SeedResult, ...]
    controls: tuple[Control, ...]
    spread: float
    distinct: int
    settings: dict[str, Any]
    seconds: float
    notes: tuple[str, ...] = ()
    predicted: str | None = None

    @property
    def shown(self) -> str:
        """The predicted group as shown: its name, and the family fitted where that reads otherwise."""
        if self.predicted is None or self.predicted == self.group:
            return self.group
        return f"{self.predicted}, fitted as {self.group}"

    @property
    def controls_passed(self) -> bool:
        """Whether every control passed."""
        return all(c.passed for c in self.controls)

    def summary(self) -> dict[str, dict[str, float] | None]:
        """The field's metrics over seeds: mean, standard deviation, min and max of MCC
        (Pearson, Spearman) and of the held-out R^2 of linear and affine maps and in the group,
        the way published tables report them (``None`` where no seed has the metric).

        Returns
        -------
        dict
            ``{"mcc_pearson", "mcc_spearman", "r2_linear", "r2_affine", "r2_group"}`` to
            ``{"mean", "std", "min", "max"}`` (rounded to 5 decimals) or None.
        """
        values = {"mcc_pearson": [s.mcc_pearson for s in self.seeds], "mcc_spearman": [s.mcc_spearman for s in self.seeds],
                  "r2_linear": [s.linear for s in self.seeds], "r2_affine": [s.affine for s in self.seeds],
                  "r2_group": [s.group.value for s in self.seeds]}
        out: dict[str, dict[str, float] | None] = {}
        for key, column in values.items():
            kept = np.array([v for v in column if np.isfinite(v)])
            out[key] = None if not kept.size else {
                "mean": round(float(kept.mean()), 5), "std": round(float(kept.std()), 5),
                "min": round(float(kept.min()), 5), "max": round(float(kept.max()), 5)}
        return out

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready values (what ``equivid verify --json`` prints).

        Returns
        -------
        dict
            The group, fitter, verdict, controls, seeds, summary, spread, settings, time and
            notes.
        """
        return {
            "group": self.group,
            "predicted": self.predicted,
            "fitter": self.kind,
            "verdict": self.verdict,
            "controls_passed": self.controls_passed,
            "controls": [c.to_dict() for c in self.controls],
            "seeds": [s.to_dict() for s in self.seeds],
            "summary": self.summary(),
            "spread": round(self.spread, 4),
            "distinct_elements": self.distinct,
            "settings": self.settings,
            "seconds": round(self.seconds, 2),
            "notes": list(self.notes),
        }

    def __repr__(self) -> str:  # short: the dataclass repr printed every seed's fits
        return (f"<VerifyReport {self.shown!r}: {self.verdict}, {len(self.seeds)} seed{'s' if len(self.seeds) != 1 else ''}, "
                f"controls {'passed' if self.controls_passed else 'failed'}>")

    def _repr_markdown_(self) -> str:
        lines = [f"**Predicted group:** {self.shown} (fitter: {self.kind})", "", f"**Verdict:** {self.verdict}", "",
                 f"- controls: {'passed' if self.controls_passed else 'failed'}"]
        lines += [f"- seed {s.seed}: {s.verdict}; R^2 in the group {s.group}; ceiling {s.ceiling}" for s in self.seeds]
        lines += [f"- note: {note}" for note in self.notes]
        return "\n".join(lines) + "\n"

    def _repr_html_(self) -> str:
        from html import escape

        rows = "".join(f"<tr><td>{s.seed}</td><td style='text-align:left'>{escape(s.verdict)}</td><td>{escape(str(s.group))}</td>"
                       f"<td>{escape(str(s.ceiling))}</td></tr>" for s in self.seeds)
        return (f"<div class='equivid-verify'><p><strong>Predicted group:</strong> {escape(self.shown)} "
                f"(fitter: {escape(self.kind)})</p><p><strong>Verdict:</strong> {escape(self.verdict)}; controls "
                f"{'passed' if self.controls_passed else 'failed'}</p><table><tr><th>seed</th><th>verdict</th>"
                f"<th>R^2 in the group</th><th>ceiling</th></tr>{rows}</table></div>")

    def __str__(self) -> str:
        lines = [f"predicted group: {self.shown} (fitter: {self.kind})", f"verdict: {self.verdict}"]
        against = " (against seed 0)" if self.settings.get("scored_against") == "seed 0's encoder" else ""
        if "data" in self.settings:
            split = (f"; trained on {self.settings['trained_on']}, scored on {self.settings['scored_on']}"
                     if self.settings.get("trained_on") else "")
            lines.append(f"data: {self.settings['data']} ({self.settings['samples']} transitions{split}; scored against "
                         f"{self.settings['scored_against']})")
        for s in self.seeds:
            consistent = "" if s.consistency is None else f"; consistency {s.consistency:.4f}"
            timing = (f"; trained in {s.train_seconds:.1f} s ({s.samples_per_second:.0f} samples/s)"
                      if s.train_seconds else "")
            lines.append(f"seed {s.seed}{against}: {s.verdict}; R^2 in group {s.group}; ceiling {s.ceiling}; affine {s.affine:.4f}"
                         f", linear {s.linear:.4f}; MCC {s.mcc_pearson:.4f} (Spearman {s.mcc_spearman:.4f})"
                         f"{consistent}{timing}")
            for name, r2, gap in s.smaller:
                lines.append(f"    in {name}: {r2} (gap {gap})")
        summary = self.summary()
        shown = [f"{label} {m['mean']:.4f} ± {m['std']:.4f}" for key, label in
                 (("mcc_pearson", "MCC"), ("mcc_spearman", "Spearman MCC"), ("r2_affine", "affine R^2"),
                  ("r2_linear", "linear R^2")) if (m := summary[key]) is not None]
        if shown:
            lines.append(f"over {len(self.seeds)} seed(s): " + ", ".join(shown))
        lines.append(f"fitted elements over seeds: spread {self.spread:.3f}, {self.distinct} distinct")
        for c in self.controls:
            lines.append(f"control ({c.kind}) {', '.join(c.map)}: {c.result.verdict}, R^2 in group {c.result.group}"
                         f" -> {'passed' if c.passed else 'FAILED'}")
        lines.extend(f"note: {note}" for note in self.notes)
        lines.append(f"time: {self.seconds:.1f} s")
        return "\n".join(lines)


def _bootstrap(values: Callable[[NDArray[np.int64]], float], count: int, rounds: int,
               generator: np.random.Generator) -> Estimate:
    full = values(np.arange(count))
    draws = np.array([values(generator.integers(0, count, size=count)) for _ in range(rounds)])
    low, high = np.percentile(draws, [2.5, 97.5])
    return Estimate(full, float(low), float(high))


def _features(z: Array, generator: np.random.Generator, width: int = 400) -> Callable[[Array], Array]:
    mean, std = z.mean(axis=0), z.std(axis=0) + 1e-12
    W = generator.standard_normal((z.shape[1], width))
    b = generator.uniform(0, 2 * np.pi, width)

    def phi(u: Array) -> Array:
        s = (u - mean) / std
        return np.hstack([np.ones((len(u), 1)), s, np.sqrt(2 / width) * np.cos(s @ W + b)])

    return phi


def ceiling_r2(u_train: Array, v_train: Array, u_test: Array, v_test: Array, *, rng: Any = None,
               ridge: float = 1e-4) -> Array:
    """Held-out residuals of a flexible regression of ``v`` on ``u`` (random Fourier
    features plus linear terms, ridge): the nonlinear ceiling."""
    generator = np.random.default_rng(rng)
    phi = _features(u_train, generator)
    A = phi(u_train)
    coef = np.linalg.solve(A.T @ A + ridge * len(A) * np.eye(A.shape[1]), A.T @ v_train)
    return np.asarray(v_test - phi(u_test) @ coef)


def assess(model: GroupModel, z: Array, y: Array, *, rng: Any = None, seed: int = 0, rounds: int = 200,
           threshold: float = THRESHOLD, ceiling_threshold: float = CEILING_THRESHOLD) -> SeedResult:
    """Fit ``y ≈ a(z)`` in the group and in each smaller group (first half of the samples),
    score on the second half, and decide.

    Parameters
    ----------
    model : GroupModel
        The group's fitter and its smaller groups (:func:`~equivid.numeric.models.group_model`).
    z : numpy.ndarray
        True latents, ``(N, n)``.
    y : numpy.ndarray
        Learned latents, ``(N, n)``, row ``i`` the encoding of row ``i`` of ``z``.
    rng : optional
        Anything :func:`numpy.random.default_rng` accepts (bootstrap and ceiling).
    seed : int, default 0
        The seed's index, recorded in the result.
    rounds : int, default 200
        The bootstrap resamples.
    threshold : float, default 0.95
        The R^2 that confirms (lower bound at least this) or refutes (upper bound below).
    ceiling_threshold : float, default 0.9
        Below this lower bound of the ceiling's R^2 the seed is inconclusive.

    Returns
    -------
    SeedResult
        The fits, the ceiling and the verdict.

    Raises
    ------
    SpecError
        When ``y`` has non-finite values.

    Examples
    --------
    >>> import equivid
    >>> from equivid.numeric.models import group_model
    >>> model = group_model(equivid.solve(equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})))
    >>> z = np.random.default_rng(0).standard_normal((400, 2))
    >>> assess(model, z, z * [5.0, -2.0], rng=0).verdict, assess(model, z, z[:, ::-1], rng=0).verdict
    ('confirmed', 'refuted')
    """
    generator = np.random.default_rng(rng)
    z, y = np.asarray(z, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if not np.all(np.isfinite(y)):
        raise SpecError("encoder", "non-finite outputs", "finite learned latents")
    half = len(z) // 2
    zt, yt, zv, yv = z[:half], y[:half], z[half:], y[half:]
    fit = model.fit(zt, yt)
    residual = fit.residuals(zv, yv)
    rows = len(zv)

    def r2_of(res: Array) -> Callable[[NDArray[np.int64]], float]:
        return lambda idx: r2_score(yv[idx], res[idx])

    group_r2 = _bootstrap(r2_of(residual), rows, rounds, np.random.default_rng(generator.integers(2**32)))
    smaller = []
    smaller_fits = []
    for sub in model.smaller:
        smaller_fits.append(sub.fit(zt, yt))
        res = smaller_fits[-1].residuals(zv, yv)
        boot = np.random.default_rng(generator.integers(2**32))
        r2 = _bootstrap(r2_of(res), rows, rounds, np.random.default_rng(boot.integers(2**32)))
        gap = _bootstrap(_gap(yv, residual, res), rows, rounds, boot)
        smaller.append((sub.name, r2, gap))
    forward = ceiling_r2(zt, yt, zv, yv, rng=generator.integers(2**32))
    backward = ceiling_r2(yt, zt, yv, zv, rng=generator.integers(2**32))
    ceiling = _bootstrap(lambda idx: min(r2_score(yv[idx], forward[idx]), r2_score(zv[idx], backward[idx])),
                         rows, rounds, np.random.default_rng(generator.integers(2**32)))
    if ceiling.low < ceiling_threshold:
        verdict = "inconclusive"
    elif group_r2.low >= threshold:
        verdict = "confirmed"
    elif group_r2.high < threshold:
        verdict = "refuted"
    else:
        verdict = "inconclusive"
    affine = r2_score(yv, fit_general(zt, yt).residuals(zv, yv))
    linear = r2_score(yv, fit_general(zt, yt, translations=False).residuals(zv, yv))
    metrics: dict[str, float] = {}
    if y.shape[1] == z.shape[1]:
        metrics = {"mcc_pearson": mcc(zv, yv), "mcc_spearman": mcc(zv, yv, method="spearman")}
    return SeedResult(seed, group_r2, tuple(smaller), ceiling, fit, verdict, affine=affine, linear=linear, z=zv, y=yv,
                      smaller_fits=tuple(smaller_fits), **metrics)


def _gap(y: Array, inside: Array, smaller: Array) -> Callable[[NDArray[np.int64]], float]:
    return lambda idx: r2_score(y[idx], inside[idx]) - r2_score(y[idx], smaller[idx])


def as_encoder(encoder: Any, *, device: str = "cpu") -> Callable[[Array], Array]:
    """A callable on arrays from a callable or a torch module (evaluated without gradients).

    Parameters
    ----------
    encoder : callable or torch.nn.Module
        A function on ``(N, D)`` arrays, or a torch module (torch is imported only then).
    device : str, default "cpu"
        The torch device a module is evaluated on.

    Returns
    -------
    callable
        ``x -> f(x)`` on ``(N, D)`` arrays, returning float64 arrays.

    Raises
    ------
    SpecError
        When ``encoder`` is neither callable nor a torch module.

    Examples
    --------
    >>> f = as_encoder(lambda x: 2 * x)
    >>> f([[1, 2]]).tolist()
    [[2.0, 4.0]]
    """
    if hasattr(encoder, "parameters") and hasattr(encoder, "forward"):
        from .train import require_torch

        torch = require_torch()

        def call(x: Array) -> Array:
            with torch.no_grad():
                tensor = torch.as_tensor(np.asarray(x), dtype=torch.float32, device=device)
                return np.asarray(encoder(tensor).double().cpu().numpy())

        return call
    if not callable(encoder):
        raise SpecError("encoder", type(encoder).__name__, "a callable on arrays or a torch module")
    return lambda x: np.asarray(encoder(np.asarray(x)), dtype=np.float64)


def _spread(fits: Sequence[AffineFit]) -> tuple[float, int]:
    """Mean pairwise distance of the fitted ``[B | c]`` (normalised), and how many differ."""
    if len(fits) < 2:
        return 0.0, len(fits)
    flat = [np.concatenate([f.B.ravel(), f.c]) / max(1.0, float(np.linalg.norm(f.B))) for f in fits]
    distances = [float(np.linalg.norm(a - b)) for k, a in enumerate(flat) for b in flat[k + 1 :]]
    clusters: list[Array] = []
    for v in flat:
        if all(np.linalg.norm(v - w) > 0.1 for w in clusters):
            clusters.append(v)
    return float(np.mean(distances)), len(clusters)


def overall_verdict(results: Sequence[SeedResult], gap: float = SUBGROUP_GAP) -> tuple[str, str]:
    """The verdict over seeds, and why. ``confirmed`` needs every seed confirmed and every
    proper subgroup tested (the names in each seed's ``smaller``) refuted by some seed (the
    gap between the group's R^2 and H's at least ``gap``, lower end of its interval);
    ``too large: learning stayed within H`` when every seed is explained by ``H`` (the gap's
    upper end below ``gap``); ``refuted`` when at least half the seeds refute; else
    ``inconclusive``.

    Examples
    --------
    >>> import equivid
    >>> from equivid.numeric.models import group_model
    >>> aff = group_model(equivid.solve(equivid.System.from_maps(["z1", "z2"], {"id": ["z1", "z2"]})))
    >>> z = np.random.default_rng(0).standard_normal((400, 2))
    >>> seeds = [assess(aff, z, z * [k, -2.0] + 1.0, rng=k) for k in (2, 3, 5)]  # diagonal scalings only
    >>> overall_verdict(seeds)[0]
    'too large: learning stayed within diagonal scalings and translations'
    """
    verdicts = [r.verdict for r in results]
    if verdicts and 2 * sum(v == "refuted" for v in verdicts) >= len(verdicts):
        return "refuted", "at least half the seeds refute the prediction"
    if not verdicts or not all(v == "confirmed" for v in verdicts):
        return "inconclusive", "not every seed confirms the prediction"
    names = list(dict.fromkeys(name for r in results for name, _, _ in r.smaller))
    within: list[str] = []
    undecided: list[str] = []
    for name in names:
        gaps = [g for r in results for h, _, g in r.smaller if h == name]
        if any(g.low >= gap for g in gaps):
            continue
        (within if all(g.high < gap for g in gaps) else undecided).append(name)
    if within:
        return f"too large: learning stayed within {' and within '.join(within)}", (
            f"every seed is explained by the proper subgroup(s) {', '.join(within)} as well (R^2 within {gap} of the "
            "group's)")
    if undecided:
        return "inconclusive", (f"no seed refutes the proper subgroup(s) {', '.join(undecided)}, and not every seed is "
                                "explained by them")
    tested = ", ".join(names) if names else "none (the group has no proper subgroup to test)"
    return "confirmed", f"every seed lies in the group and every proper subgroup tested is refuted by a seed: {tested}"


def verify(system: System, *, group: Any = None, encoder: Any = None, decoder: Decoder | Callable[[Array], Array] | None = None,
           data: Any = None, seeds: int = VERIFY_DEFAULTS["seeds"], samples: int = VERIFY_DEFAULTS["samples"],
           steps: int = VERIFY_DEFAULTS["steps"], dim: int | None = None,
           device: str = "cpu", rng: Any = 0, progress: bool = False, threshold: float = THRESHOLD,
           ceiling_threshold: float = CEILING_THRESHOLD, mixing: str = "smooth", states: str = "auto",
           train_options: dict[str, Any] | None = None) -> VerifyReport:
    """Train encoders (or use ``encoder``) on simulated, mixed transitions of ``system`` (or on
    recorded ones, ``data``) and check that ``f∘g`` lies in ``group`` (default: ``equivid.solve(system)``).

    ``encoder`` is a callable on ``(N, D)`` arrays or a torch module; with it, ``decoder``
    (a :class:`~equivid.numeric.mixing.Decoder` or any callable ``z -> x``) says how the
    observations were made, and no training runs. ``samples`` transitions train each
    encoder; as many fresh latents are held out for the check.

    ``data`` is a user's recorded transitions (an ``.npz`` path, a mapping of arrays or an
    :class:`~equivid.numeric.data.Observations`; :mod:`equivid.numeric.data` gives the
    arrays and shapes): a random half trains the encoders, the other half is held out
    (all of it for an ``encoder`` given). With true latents ``z`` in the data they score the
    encoders; without, seed ``k``'s encoder is fitted against seed 0's (``seeds >= 2``).

    ``mixing`` is the random decoders' activation (``smooth`` or ``leaky``, see
    :mod:`equivid.numeric.mixing`); trained encoders use the matching class (SiLU for
    ``smooth``, leaky ReLU for ``leaky``) unless ``train_options`` names an ``activation``.
    ``states`` is the law of the latents (see :func:`state_law`).

    Parameters
    ----------
    system : System
        The system whose group is checked.
    group : EquivarianceGroup, optional
        The predicted group (default: ``equivid.solve(system)``).
    encoder : callable or torch.nn.Module, optional
        An encoder to check instead of training (no training runs).
    decoder : Decoder or callable, optional
        How observations ``x = g(z)`` are made (default: a random decoder per seed with
        activation ``mixing``, or the spec's sprite renderer).
    data : str, path, mapping or Observations, optional
        Recorded transitions instead of simulated ones.
    seeds : int, default 3
        The number of encoders (seeds).
    samples : int, default 2000
        Transitions per encoder for training, and as many held-out latents; at least 20.
    steps : int, default 4000
        Training steps per encoder.
    dim : int, optional
        The observed dimension ``D`` of the random decoders (default ``n``).
    device : str, default "cpu"
        The torch device for training and for evaluating a torch module.
    rng : optional
        Anything :func:`numpy.random.default_rng` accepts (default 0: reproducible).
    progress : bool, default False
        Show a progress bar while training.
    threshold : float, default 0.95
        The R^2 that confirms or refutes (see :func:`assess`).
    ceiling_threshold : float, default 0.9
        The ceiling's R^2 below which a seed is inconclusive.
    mixing : {"smooth", "leaky"}, default "smooth"
        The random decoders' activation.
    states : {"auto", "normal", "multiscale"}, default "auto"
        The law of the simulated latents (:func:`state_law`).
    train_options : dict, optional
        Options for the trainer (:func:`equivid.numeric.train.train_encoders`: ``hidden``,
        ``lr``, ``activation``, ...).

    Returns
    -------
    VerifyReport
        The verdict, the per-seed results and the controls.

    Raises
    ------
    SpecError
        When an option is out of range, the data do not fit the system, or ``group`` is
        over other latents.

    Examples
    --------
    An encoder given (no training): ``f = diag(3, -1)∘g^{-1}``, so ``f∘g`` is a diagonal
    scaling, which commutes with the mechanism, and not a uniform one (the smaller group
    tested).

    >>> import equivid
    >>> system = equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})
    >>> g = random_decoder(2, rng=0)
    >>> report = verify(system, encoder=lambda x: g.inverse(x) * [3.0, -1.0], decoder=g, seeds=1, samples=200)
    >>> report.verdict, report.controls_passed, report.settings["encoder"]
    ('confirmed', True, 'given')
    >>> [name for name, _, _ in report.seeds[0].smaller]
    ['uniform scalings', 'identity']
    """
    from .. import solve
    from .data import load_observations

    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise SpecError("--seeds", seeds, "a positive number of seeds")
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 20:
        raise SpecError("--samples", samples, "at least 20 samples")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise SpecError("--steps", steps, "a positive number of training steps")
    if mixing not in ACTIVATIONS:
        raise SpecError("--mixing", mixing, " or ".join(ACTIVATIONS))
    start = time.perf_counter()
    observed = None if data is None else load_observations(data, system)
    if observed is not None:
        _check_data_options(observed, encoder, decoder, dim, seeds)
    rendered = renderer_for(system) if decoder is None and observed is None else None
    if rendered is not None and dim is not None and dim != rendered.dim:
        raise SpecError("--dim", dim, f"no --dim with a renderer (the spec's sprites give D = {rendered.dim})")
    law, draw = state_law(system, states)
    group = solve(system) if group is None else group
    if tuple(group.latents) != tuple(system.latents):
        raise SpecError("group", [s.name for s in group.latents], f"a group over the latents {[s.name for s in system.latents]}")
    model = group_model(group)
    n = system.n
    options = {"activation": "silu" if mixing == "smooth" else "leaky", "hidden": VERIFY_DEFAULTS["hidden"],
               "threads": VERIFY_DEFAULTS["threads"],
               **({"lr": VERIFY_DEFAULTS["lr"]} if VERIFY_DEFAULTS["lr"] is not None else {}), **(train_options or {})}
    root = np.random.default_rng(rng)
    if observed is not None:
        results, law, draw = _verify_data(system, model, observed, encoder, seeds, steps, device, root, progress,
                                          threshold, ceiling_threshold, options, draw)
        dim = observed.x.shape[1]
    else:
        results = _verify_simulated(system, model, seeds, encoder, decoder or rendered, samples, steps, dim, device,
                                    root, progress, threshold, ceiling_threshold, mixing, draw, options)
    controls = _controls(group, model, n, dim if observed is None and rendered is None else None, root, samples, threshold,
                         ceiling_threshold, mixing, draw)
    spread, distinct = _spread([r.fit for r in results])
    if rendered is not None:
        dim = rendered.dim
    elif decoder is not None:  # the user's decoder: its observed dimension, as measured
        dim = int(np.shape(decoder(np.zeros((1, n))))[-1])
    # what ran: an encoder given on recorded data is scored once, and nothing is trained for it
    ran = 1 if observed is not None and encoder is not None else seeds
    settings: dict[str, Any] = {"seeds": ran, "samples": samples if observed is None else len(observed),
                "steps": steps if encoder is None else None,
                "device": device, "dim": dim or n, "threshold": threshold, "ceiling_threshold": ceiling_threshold,
                "encoder": "given" if encoder is not None else "trained",
                "mixing": "given" if decoder is not None or observed is not None else
                          f"sprites ({rendered.size}x{rendered.size})" if rendered is not None else mixing,
                "states": law}
    if observed is not None:
        settings["data"] = observed.source
        settings["scored_against"] = "true latents" if observed.z is not None else "seed 0's encoder"
        trained_on = _trained_count(len(observed), encoder is not None)
        settings["trained_on"], settings["scored_on"] = trained_on, len(observed) - trained_on
    if encoder is None:
        settings["train"] = {k: v for k, v in options.items() if isinstance(v, (int, float, str))}
    verdict, why = overall_verdict(results)
    notes = (f"verdict: {why}",) + _notes(group, verdict, results, trained=encoder is None)
    if observed is not None and observed.z is None:
        notes += ("no true latents in the data: seed k's encoder is fitted against seed 0's (f_k∘f_0^-1 = "
                  "a_k∘a_0^-1 lies in the group when both encoders are consistent)",)
    return VerifyReport(model.name, model.kind, verdict, tuple(results), controls, spread, distinct, settings,
                        time.perf_counter() - start, notes, predicted=group.name)


def _verify_simulated(system: System, model: GroupModel, seeds: int, encoder: Any, decoder: Any, samples: int,
                      steps: int, dim: int | None, device: str, root: np.random.Generator, progress: bool,
                      threshold: float, ceiling_threshold: float, mixing: str,
                      draw: Callable[[np.random.Generator, int], Array], options: dict[str, Any]) -> list[SeedResult]:
    """The seeds on simulated data: per seed a decoder, held-out latents and transitions; the
    encoders trained together (:func:`~equivid.numeric.train.train_encoders`); then the fits."""
    prepared = []
    for _ in range(seeds):
        generator = np.random.default_rng(root.integers(2**32))
        g = decoder if decoder is not None else random_decoder(system.n, dim=dim, activation=mixing,
                                                               rng=generator.integers(2**32))
        held_out = draw(generator, samples)
        data = None if encoder is not None else transitions(system, samples, rng=generator.integers(2**32), states=draw)
        train_seed = None if encoder is not None else int(generator.integers(2**31))
        prepared.append((generator, g, held_out, data, train_seed))
    if encoder is not None:
        encoders: list[Any] = [as_encoder(encoder, device=device)] * seeds
    else:
        from .train import train_encoders

        runs = []
        for _, g, _, data, train_seed in prepared:
            assert data is not None and train_seed is not None
            runs.append((g(data.z), g(data.z_next), data.label, data.params, train_seed))
        encoders = train_encoders(system, runs, steps=steps, device=device, progress=progress,
                                  label_text=f"seeds 0-{seeds - 1}" if seeds > 1 else "seed 0",
                                  **_image_options(prepared[0][1], options))
    results = []
    for seed, ((generator, g, held_out, _, _), f) in enumerate(zip(prepared, encoders)):
        result = assess(model, held_out, f(g(held_out)), rng=generator.integers(2**32), seed=seed,
                        threshold=threshold, ceiling_threshold=ceiling_threshold)
        learned = getattr(f, "learned_map_", None)
        consistency = consistency_r2(system, _compose(f, g), samples, rng=generator.integers(2**32), states=draw,
                                     learned=learned)
        results.append(_settle(result, consistency, encoder is None, getattr(f, "seconds_", 0.0),
                               getattr(f, "samples_per_second_", 0.0)))
    return results


def _settle(result: SeedResult, consistency: float | None, trained: bool, seconds: float, speed: float) -> SeedResult:
    result = replace(result, consistency=consistency, train_seconds=seconds, samples_per_second=speed)
    if trained and result.verdict == "refuted" and consistency is not None and consistency < CONSISTENCY_NOTE:
        result = replace(result, verdict="inconclusive")  # training never reached a consistent encoder
    return result


def _image_options(decoder: Any, options: dict[str, Any]) -> dict[str, Any]:
    """Training options, with the decoder's image shape for a convolutional encoder."""
    shape = getattr(decoder, "image_shape", None)
    return {**options, "image_shape": shape} if shape is not None and "image_shape" not in options else options


def _check_data_options(observed: Any, encoder: Any, decoder: Any, dim: int | None, seeds: int) -> None:
    if decoder is not None:
        raise SpecError("decoder", "given with data", "no decoder: recorded data are already observations")
    if dim is not None and dim != observed.x.shape[1]:
        raise SpecError("--dim", dim, f"the data's observed dimension {observed.x.shape[1]} (or leave --dim out)")
    if observed.z is None and encoder is not None:
        raise SpecError("--data", observed.source, "true latents 'z' in the data to score an encoder given (without "
                        "them, trained encoders are compared with each other)")
    if observed.z is None and seeds < 2:
        raise SpecError("--seeds", seeds, "at least 2 seeds for data without true latents (seed k is compared with "
                        "seed 0)")


def _trained_count(count: int, given: bool) -> int:
    """How many of ``count`` recorded transitions train the encoders: a random half, none for
    an encoder given (the rest are scored)."""
    return 0 if given else count // 2


def _verify_data(system: System, model: GroupModel, observed: Any, encoder: Any, seeds: int, steps: int, device: str,
                 root: np.random.Generator, progress: bool, threshold: float, ceiling_threshold: float,
                 options: dict[str, Any], draw: Callable[[np.random.Generator, int], Array],
                 ) -> tuple[list[SeedResult], str, Callable[[np.random.Generator, int], Array]]:
    """The seeds on recorded data: train on a random half (nothing for an encoder given), score
    the rest against the true latents, or against seed 0's encoder when the data have none."""
    count = len(observed)
    order = np.random.default_rng(root.integers(2**32)).permutation(count)
    training = _trained_count(count, encoder is not None)
    train_rows, held = order[:training], order[training:]
    options = {**options, "dt": observed.dt}
    if observed.image_shape is not None and "image_shape" not in options:
        options["image_shape"] = observed.image_shape
    outputs: list[tuple[Callable[[Array], Array], float, float, Any]] = []
    if encoder is not None:
        outputs.append((as_encoder(encoder, device=device), 0.0, 0.0, None))
    else:
        from .train import train_encoders

        runs = [(observed.x[train_rows], observed.x_next[train_rows], observed.labels[train_rows],
                 observed.params[train_rows], int(np.random.default_rng(root.integers(2**32)).integers(2**31)))
                for _ in range(seeds)]
        trained = train_encoders(system, runs, steps=steps, device=device, progress=progress,
                                 label_text=f"seeds 0-{seeds - 1}", **options)
        outputs = [(t, t.seconds_, t.samples_per_second_, t.learned_map_) for t in trained]
    results = []
    reference = None if observed.z is not None else outputs[0][0](observed.x[held])
    for seed, (f, seconds, speed, learned) in enumerate(outputs):
        if reference is not None and seed == 0:
            continue
        target = observed.z[held] if reference is None else reference
        generator = np.random.default_rng(root.integers(2**32))
        result = assess(model, target, f(observed.x[held]), rng=generator.integers(2**32), seed=seed,
                        threshold=threshold, ceiling_threshold=ceiling_threshold)
        consistency = _data_consistency(system, f, observed, held, learned, generator)
        results.append(_settle(result, consistency, encoder is None, seconds, speed))
    if observed.z is not None:
        z = observed.z

        def resample(generator: np.random.Generator, size: int) -> Array:
            return np.asarray(z[generator.integers(0, len(z), size)])

        return results, "data", resample
    return results, "data", draw


def _data_consistency(system: System, f: Callable[[Array], Array], observed: Any, rows: NDArray[np.int64],
                      learned: Callable[[Array, Any], Array] | None, generator: np.random.Generator) -> float | None:
    """Held-out R^2 of ``f(x') ≈ m(f(x))`` on the recorded transitions ``rows``."""
    if any(m.noise for m in system.mechanisms) or (system.learner and learned is None):
        return None
    return _consistency(system, f(observed.x[rows]), f(observed.x_next[rows]), observed.labels[rows],
                        observed.params[rows], generator, observed.dt, learned)


def _consistency(system: System, h: Array, h_next: Array, labels: NDArray[np.int64], params: Array,
                 generator: np.random.Generator, dt: float, learned: Callable[[Array, Any], Array] | None) -> float:
    """R^2 of learned ``h_next`` against ``m(h)`` (the learned class mechanism when given)."""
    if learned is not None:
        predicted = learned(h, labels)
    else:
        predicted = step(numeric_mechanisms(system), h, labels, params, generator, dt)
    return r2_score(h_next, h_next - predicted)


def _compose(f: Callable[[Array], Array], g: Callable[[Array], Array]) -> Callable[[Array], Array]:
    return lambda z: f(g(z))


#: The multiscale law's radii are log-uniform on [MULTISCALE_LOW, MULTISCALE_HIGH], its
#: directions uniform: bounded support, so held-out points lie where the encoder was trained
#: (a normal's tails are where an encoder, and the ceiling's regression, extrapolate).
MULTISCALE_LOW = 0.02
MULTISCALE_HIGH = 2.0


def state_law(system: System, states: str = "auto") -> tuple[str, Callable[[np.random.Generator, int], Array]]:
    """The law of the simulated latents, by name, and a sampler ``(generator, count) -> z``.

    - ``normal``: standard normal;
    - ``multiscale``: a uniform direction times a radius log-uniform on ``[0.02, 2]``, so the
      data reach every scale down to a common fixed point at ``0``, within a bounded ball
      (held-out points lie where the encoder was trained);
    - ``auto``: ``multiscale`` when every mechanism is a map fixing ``0`` (without noise
      or family symbols), else ``normal``. Near a fixed point a smooth ``f∘g`` is nearly
      linear, and consistency carries that outwards (``a(z) = m^k(a(m^-k(z)))`` for an
      invertible ``m``): data at small scales let a smooth learner tell a linear map
      from a nonlinear one that commutes only on the data's usual range.

    Parameters
    ----------
    system : System
        The system simulated.
    states : {"auto", "normal", "multiscale"}, default "auto"
        The law.

    Returns
    -------
    name : str
        ``"normal"`` or ``"multiscale"`` (``auto`` resolved).
    sampler : callable
        ``sampler(generator, count)`` draws ``(count, n)`` latents.

    Raises
    ------
    SpecError
        When ``states`` is not one of the three.

    Examples
    --------
    >>> import equivid
    >>> state_law(equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]}))[0]
    'multiscale'
    >>> state_law(equivid.System.from_maps(["z1", "z2"], {"push": ["z1 + 1", "z2"]}))[0]
    'normal'
    """
    if states not in ("auto", "normal", "multiscale"):
        raise SpecError("--states", states, "auto, normal or multiscale")
    if states == "auto":
        states = "multiscale" if _fix_origin(system) else "normal"
    n = system.n

    def normal(generator: np.random.Generator, count: int) -> Array:
        return generator.standard_normal((count, n))

    def multiscale(generator: np.random.Generator, count: int) -> Array:
        radius = np.exp(generator.uniform(np.log(MULTISCALE_LOW), np.log(MULTISCALE_HIGH), size=(count, 1)))
        direction = generator.standard_normal((count, n))
        return np.asarray(direction / np.linalg.norm(direction, axis=1, keepdims=True) * radius)

    return states, multiscale if states == "multiscale" else normal


def _fix_origin(system: System) -> bool:
    if system.states is not None or system.flows or system.families or not system.mechanisms:
        return False
    origin = {s: 0 for s in system.latents}
    return all(not m.noise and all(sympy.simplify(c.subs(origin)) == 0 for c in m.components)
               for m in system.mechanisms)


def consistency_r2(system: System, encode: Callable[[Array], Array], samples: int, *, rng: Any = None,
                   states: Callable[[np.random.Generator, int], Array] | None = None, dt: float = 0.5,
                   learned: Callable[[Array, Any], Array] | None = None) -> float | None:
    """Held-out R^2 of ``h(z') ≈ m(h(z))`` over fresh transitions, ``h = encode`` applied to latents
    (``f∘g``): how consistent the encoder is. A flow's ``m`` is its time-``dt`` map; with a
    class learner, ``m`` is the learned ``learned(u, label)``. ``None`` where no ``m``
    applies to the learned latents (stochastic mechanisms, a class learner without
    ``learned``, finite states).

    Parameters
    ----------
    system : System
        The system whose mechanisms ``m`` are checked.
    encode : callable
        ``h``: ``(N, n)`` latents to ``(N, n)`` learned latents.
    samples : int
        The number of fresh transitions.
    rng : optional
        Anything :func:`numpy.random.default_rng` accepts.
    states : callable, optional
        ``states(generator, count)`` draws the latents (default: standard normal).
    dt : float, default 0.5
        The time for which flows are integrated.
    learned : callable, optional
        A class learner's learned mechanism ``learned(u, label)``.

    Returns
    -------
    float or None
        The mean R^2 over coordinates, or None where no ``m`` applies.

    Examples
    --------
    >>> import equivid
    >>> grow = equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})
    >>> consistency_r2(grow, lambda z: -z, 200, rng=0), consistency_r2(grow, lambda z: z[:, ::-1], 200, rng=0) < 0.9
    (1.0, True)
    """
    if system.states is not None or any(m.noise for m in system.mechanisms) or (system.learner and learned is None):
        return None
    generator = np.random.default_rng(rng)
    data = transitions(system, samples, rng=generator, states=states, dt=dt)
    return _consistency(system, encode(data.z), encode(data.z_next), data.label, data.params, generator, dt, learned)


def _notes(group: Any, verdict: str, results: Sequence[SeedResult], *, trained: bool = True) -> tuple[str, ...]:
    notes = []
    outside = [note for note in group.notes if "may also commute" in note or "outside the searched class" in note]
    strays = [r for r in results if r.verdict != "confirmed" and r.ceiling.low >= CEILING_THRESHOLD
              and r.affine < THRESHOLD]
    if verdict != "confirmed" and strays and group.complete_in.beyond_class:
        notes.append(
            "the learned maps are not affine (R^2 of the best affine map below the threshold); the solver searched "
            f"{group.ansatz.describe()} and proved them complete among {group.complete_in.within} maps "
            f"({group.complete_in.theorem}), which needs smooth maps: encoders that are not smooth (piecewise-linear, "
            "--mixing leaky) can learn consistent kinked maps the theorem does not cover")
    elif verdict != "confirmed" and outside and strays:
        known = [r.consistency for r in strays if r.consistency is not None]
        if known and min(known) >= CONSISTENCY_NOTE:
            commute = f" yet mechanism-consistent (consistency R^2 >= {min(known):.4f})"
        elif known:
            commute = f" and not mechanism-consistent (consistency R^2 down to {min(known):.4f}, below {CONSISTENCY_NOTE})"
        else:
            commute = ""
        notes.append(
            f"the learned maps are not affine (R^2 of the best affine map below the threshold){commute}; the solver "
            "searched " + group.ansatz.describe() + " only and says maps outside that class may also commute, so "
            "this refutes that learning stays in the searched class, not the group within the class (piecewise-"
            "linear encoders, --mixing leaky, can learn kinked maps that commute; smooth ones cannot near a fixed point)")
    if verdict.startswith("too large"):
        notes.append(f"with {len(results)} seed(s) every learned element lies in the subgroup named; where the group "
                     "has more components than it (a discrete part such as sign flips), only seeds whose elements land "
                     "in other components can show it: rerun with more seeds (--seeds) before concluding that learning "
                     "is confined to the subgroup")
    loose = [r.seed for r in results if r.consistency is not None and r.consistency < CONSISTENCY_NOTE]
    which = "seed(s) " + ", ".join(map(str, loose))
    if loose and trained:
        notes.append(f"{which}: the encoder is not mechanism-consistent (consistency R^2 below {CONSISTENCY_NOTE}), and "
                     "the prediction concerns consistent encoders (a trained one is not counted as refuting it): train "
                     "longer (--steps) or wider (--hidden)")
    elif loose:
        notes.append(f"{which}: the encoder given is not mechanism-consistent (consistency R^2 below "
                     f"{CONSISTENCY_NOTE}); the prediction concerns consistent encoders, so a refutation by it says the "
                     "encoder is not one of them, not that the group is wrong")
    if any(r.verdict == "inconclusive" and r.ceiling.low < CEILING_THRESHOLD for r in results):
        notes.append("some encoders did not keep the latents (low ceiling): train longer (--steps) or on more samples"
                     if trained else "the encoder given does not keep the latents (low ceiling: the latents are not a "
                     "function of its outputs, or its outputs not of the latents)")
    return tuple(notes)


def _controls(group: Any, model: GroupModel, n: int, dim: int | None, root: np.random.Generator, samples: int,
              threshold: float, ceiling_threshold: float, mixing: str,
              draw: Callable[[np.random.Generator, int], Array]) -> tuple[Control, ...]:
    """The exact inverse composed with a group element (inside) and a map outside the group."""
    generator = np.random.default_rng(root.integers(2**32))
    g = random_decoder(n, dim=dim, activation=mixing, rng=generator.integers(2**32))
    z = draw(generator, samples)
    out = []
    for kind, element in (("inside", group.sample(generator.integers(2**32))), ("outside", outside_map(group))):
        a = map_function(element, group.latents)
        y = a(g.inverse(g(z)))  # the encoder a∘g^{-1}, applied to the observations
        result = assess(model, z, y, rng=generator.integers(2**32), seed=-1, threshold=threshold,
                        ceiling_threshold=ceiling_threshold)
        out.append(Control(kind, tuple(str(e) for e in element), result))
    return tuple(out)
