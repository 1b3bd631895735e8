"""Train an encoder under the mechanism-consistency objective (needs ``equivid[learn]``: PyTorch).

Three objectives, picked from the system (THEORY.md, results 1-3):

- **known mechanisms**: ``mean ||f(x') - m(f(x))||^2``, plus a reconstruction term and
  two floors on the spread of the learned coordinates (hinges on ``log var``: the mean
  variance stays above ``SCALE_FLOOR``, each coordinate above ``VAR_FLOOR`` of the mean),
  which stop the encoder from shrinking onto a fixed point of a linear mechanism. Every
  ``f`` with ``f∘g`` in the group and a spread above the floors has loss zero in the
  consistency term: the floors exclude near-degenerate elements, nothing else;
- **a class of mechanisms**: the same, with ``m_hat`` from the class (the spec's template
  or any named class) and its unknowns learned, one set per mechanism; each coordinate's
  residual is weighed by the inverse of its spread (else a coordinate shrunk to the floor
  is inconsistent at no cost). A class of several pieces (axis_translations: one per
  axis; permutations: one per permutation; orthogonal: rotations ``exp(S)`` and
  rotations times a reflection) lets the learner pick a piece per mechanism: the
  assignments are warmed up side by side (``MAX_ASSIGNMENTS``) and training goes on
  from the best;
- **flows**: the time-``dt`` map of the vector field, by Runge-Kutta in torch;
- **stochastic mechanisms** (additive noise): the negative log-likelihood of
  ``x' | x``, ``-log p_eps(f(x') - m(f(x))) - log |det Df(x')|`` (needs ``D = n``).

A reconstruction term (a decoder trained to give ``x`` back from ``f(x)``) keeps ``f``
injective without constraining ``f∘g`` within the group: any invertible ``a`` is absorbed
by the decoder. ``torch`` is imported here only, so ``import equivid`` stays light.
"""

from __future__ import annotations

import functools
import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy
from numpy.typing import NDArray

from ..errors import SpecError, UnsupportedMechanismError
from ..mechanisms import System
from ..noise import negative_log_likelihood
from .simulate import mechanism_noise

__all__ = ["TrainedEncoder", "one_piece", "require_torch", "resolve_device", "train_encoder", "train_encoders"]

Array = NDArray[np.float64]
#: Each learned coordinate keeps at least this share of the mean variance (a hinge on the log),
#: so no coordinate collapses onto a fixed point of the mechanisms; scale-free, so no
#: element of the group is excluded except extremely anisotropic ones.
VAR_FLOOR = 0.01
#: Gradients are clipped to this norm (the likelihood's log det term can spike).
CLIP = 5.0
#: The mean variance of the learned coordinates stays above this (the simulated latents have
#: variance 1), so the encoder does not shrink onto the fixed point of a linear mechanism.
SCALE_FLOOR = 0.1


def require_torch() -> Any:
    """Import torch, or fail with one line saying how to get it."""
    try:
        import torch
    except ImportError:  # pragma: no cover - exercised where torch is absent
        raise UnsupportedMechanismError(
            "training needs PyTorch: pip install 'equivid[learn]' (or pip install torch==2.13.0)"
        ) from None
    return torch


def resolve_device(device: str) -> str:
    """``cpu`` or ``cuda`` (when torch sees a GPU); anything else is a one-line error."""
    torch = require_torch()
    if device not in ("cpu", "cuda"):
        raise SpecError("--device", device, "cpu or cuda")
    if device == "cuda" and not torch.cuda.is_available():
        raise SpecError("--device", device, "a device torch can use (torch.cuda.is_available() is False here)")
    return device


def _torch_functions() -> dict[str, Any]:
    torch = require_torch()

    def lift(f: Callable[..., Any]) -> Callable[..., Any]:
        return lambda *a: f(*[x if torch.is_tensor(x) else torch.tensor(float(x)) for x in a])

    names = {"sin": torch.sin, "cos": torch.cos, "tan": torch.tan, "exp": torch.exp, "log": torch.log,
             "sqrt": torch.sqrt, "tanh": torch.tanh, "sinh": torch.sinh, "cosh": torch.cosh, "atan": torch.atan,
             "asin": torch.asin, "acos": torch.acos, "Abs": torch.abs, "sign": torch.sign,
             "Mod": torch.remainder, "Max": torch.maximum, "Min": torch.minimum}
    table: dict[str, Any] = {k: lift(v) for k, v in names.items()}
    table.update({"pi": math.pi, "E": math.e})
    return table


def _torch_map(components: Sequence[sympy.Expr], args: Sequence[sympy.Symbol]) -> Callable[..., Any]:
    """``components`` as a function of torch columns (one per symbol of ``args``)."""
    torch = require_torch()
    function = sympy.lambdify(list(args), list(components), modules=[_torch_functions(), "math"])

    def apply(*columns: Any) -> Any:
        like = columns[0]
        values = function(*columns)
        return torch.stack([v * torch.ones_like(like) if torch.is_tensor(v) else torch.full_like(like, float(v))
                            for v in values], dim=1)

    return apply


#: Runge-Kutta steps per flow transition in training (the simulation integrates adaptively).
FLOW_SUBSTEPS = 16


def _torch_flow(field: Callable[..., Any], n: int, dt: float) -> Callable[..., Any]:
    """The time-``dt`` map of the vector field ``field`` (a :func:`_torch_map`), by classical
    Runge-Kutta in ``FLOW_SUBSTEPS`` steps, differentiable in its inputs."""

    torch = require_torch()

    def flow(*columns: Any) -> Any:
        z, params = columns[:n], columns[n:]
        state = torch.stack(list(z), dim=1)
        h = dt / FLOW_SUBSTEPS

        def V(y: Any) -> Any:
            return field(*[y[:, j] for j in range(n)], *params)

        for _ in range(FLOW_SUBSTEPS):
            k1 = V(state)
            k2 = V(state + h / 2 * k1)
            k3 = V(state + h / 2 * k2)
            k4 = V(state + h * k3)
            state = state + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        return state

    return flow


Piece = Callable[[Any, Any], Any]


def _class_pieces(system: System) -> tuple[list[Piece], int]:
    """The learner's class as pieces ``piece(u, theta) -> m_hat(u)`` (``u`` an ``(N, n)``
    tensor, ``theta`` the piece's unknowns), and the most unknowns of a piece.

    One piece for translations, diagonal, linear, affine and templates; one per axis for
    axis_translations; one per permutation for permutations; for orthogonal, ``exp(S)``
    and ``exp(S) diag(-1, 1, ..., 1)`` with ``S`` skew (both components of O(n)).
    """
    from ..solve._classes import named_templates

    torch = require_torch()
    n = system.n
    value = system.learner.get("class") if isinstance(system.learner, dict) else None
    if value == "orthogonal":
        upper = torch.triu_indices(n, n, 1)

        def rotation(sign: float) -> Piece:
            def piece(u: Any, theta: Any) -> Any:
                S = torch.zeros(n, n, dtype=u.dtype, device=u.device)
                S = S.index_put((upper[0], upper[1]), theta[: upper.shape[1]])
                Q = torch.linalg.matrix_exp(S - S.T)
                flip = torch.ones(n, dtype=u.dtype, device=u.device)
                flip[0] = sign
                return u @ (Q * flip).T

            return piece

        return [rotation(1.0), rotation(-1.0)], n * (n - 1) // 2
    if isinstance(value, str):
        templates = [(tuple(t), tuple(u)) for t, u in named_templates(value, system.latents)]
    elif isinstance(value, dict) and "template" in value:
        from ..mechanisms import make_symbols, mechanism_components

        names = [s.name for s in system.latents + system.families]
        unknowns = make_symbols(value["unknowns"], "learner.class.unknowns", taken=names)
        table = {s.name: s for s in system.latents + unknowns}
        templates = [(mechanism_components(value["template"], table, "learner.class.template", n, {}), unknowns)]
    else:
        raise UnsupportedMechanismError(f"training: the learner {system.learner!r} is not supported")

    def lift(template: Sequence[sympy.Expr], unknowns: Sequence[sympy.Symbol]) -> Piece:
        function = _torch_map(template, system.latents + tuple(unknowns))
        count = len(unknowns)
        # theta: the unknowns (count,), or one row of them per row of u (len(u), count)
        return lambda u, theta: function(*[u[:, j] for j in range(n)],
                                         *[theta[..., j].expand(len(u)) for j in range(count)])

    return [lift(t, u) for t, u in templates], max(len(u) for _, u in templates)


def _activation(torch: Any, activation: str) -> Any:
    """The networks' activation: leaky ReLU (slope 0.2) or SiLU."""
    return torch.nn.LeakyReLU(0.2) if activation == "leaky" else torch.nn.SiLU()


def _mlp(sizes: Sequence[int], activation: str = "leaky") -> Any:
    torch = require_torch()
    layers: list[Any] = []
    for k in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[k], sizes[k + 1]))
        if k < len(sizes) - 2:
            layers.append(_activation(torch, activation))
    return torch.nn.Sequential(*layers)


def _conv(shape: Sequence[int], n: int, hidden: int, activation: str = "leaky") -> Any:
    """A small convolutional encoder for flat images of ``shape`` ``(C, H, W)``: two strided
    3x3 convolutions (``CONV_CHANNELS``), then a hidden layer of width ``hidden``."""
    torch = require_torch()
    C, H, W = (int(d) for d in shape)

    def act() -> Any:
        return _activation(torch, activation)

    first, second = CONV_CHANNELS
    cells = second * ((H + 3) // 4) * ((W + 3) // 4)
    return torch.nn.Sequential(
        torch.nn.Unflatten(1, (C, H, W)),
        torch.nn.Conv2d(C, first, 3, stride=2, padding=1), act(),
        torch.nn.Conv2d(first, second, 3, stride=2, padding=1), act(),
        torch.nn.Flatten(), torch.nn.Linear(cells, hidden), act(), torch.nn.Linear(hidden, n))


#: Channels of the convolutional encoder's two layers (small: sprites on 16x16 canvases
#: need little, and the cost of a step on a CPU is mostly the convolutions).
CONV_CHANNELS = (8, 16)

#: The encoders train_encoder can build.
ENCODERS = ("auto", "mlp", "conv")


class _Progress:
    """Training steps on the progress bar (:mod:`equivid._progress`): drawn while a command
    shows progress, or with ``progress=True`` on a terminal."""

    def __init__(self, total: int, enabled: bool, label: str) -> None:
        from .._progress import Bar

        self.total, self.done = total, 0
        self.every = max(1, total // 50)
        self.bar = Bar(total, label, force=enabled)

    @property
    def drawn(self) -> bool:
        return self.bar.drawn

    def update(self, step: int, loss: float) -> None:
        if step % self.every and step != self.total:
            return
        self.bar.update(step - self.done, loss=f"{loss:.4g}")
        self.done = step
        if step == self.total:
            self.bar.close()


@dataclass
class TrainedEncoder:
    """A trained encoder ``f: R^D -> R^n``; call it on an ``(N, D)`` array."""

    module: Any
    device: str
    objective: str
    history_: list[float] = field(default_factory=list)
    seconds_: float = 0.0
    samples_per_second_: float = 0.0
    mechanisms_: Any = None  # learned class unknowns, one row per mechanism (of its chosen piece)
    pieces_: tuple[int, ...] = ()  # the class piece chosen for each mechanism
    restarts_: int = 1  # assignments of class pieces to mechanisms warmed up (1 for one-piece classes)
    learned_map_: Callable[[Array, Any], Array] | None = None  # (u, label) -> m_hat(u), the learned class mechanisms
    batched_: int = 1  # encoders trained side by side in the same run (seconds_ is this one's share)

    def __call__(self, x: Array) -> Array:
        torch = require_torch()
        with torch.no_grad():
            tensor = torch.as_tensor(np.asarray(x), dtype=torch.float32, device=self.device)
            return np.asarray(self.module(tensor).double().cpu().numpy())


def train_encoder(system: System, x: Array, x_next: Array, label: Any, params: Array | None = None, *,
                  steps: int = 600, batch: int = 256, lr: float | None = None, hidden: int = 64, depth: int = 3,
                  reconstruction: float = 1.0, device: str = "cpu", seed: int = 0, progress: bool = False,
                  threads: int | None = 1, activation: str | None = None, label_text: str = "train",
                  dt: float = 0.5, encoder: str = "auto", image_shape: Sequence[int] | None = None) -> TrainedEncoder:
    """Train ``f`` on observed transitions ``(x[i], x_next[i])`` under mechanism ``label[i]``.

    A flow's transitions are its time-``dt`` map (``dt`` as in
    :func:`~equivid.numeric.simulate.transitions`), integrated in torch by Runge-Kutta.

    ``params`` holds the family symbols' values per transition. The encoder is an MLP
    (``depth`` hidden layers of width ``hidden``); batches and initial weights come from
    ``seed`` (torch's global generator is left as it was). ``threads`` sets torch's CPU
    threads for the run (restored afterwards; ``None`` keeps the setting): one thread is
    fastest for these small networks and does not fight other processes. ``lr`` defaults
    to 3e-3 (1e-3 for the likelihood). ``activation`` is ``leaky`` (leaky ReLU, the default
    for known mechanisms: the same class as the mixing, so ``g^{-1}`` is representable) or
    ``silu`` (smooth, the default for the likelihood, whose ``log det`` term needs smooth
    Jacobians).

    ``encoder`` is ``mlp``, ``conv`` (:func:`_conv`, for images: ``x`` holds flat images of
    ``image_shape`` ``(C, H, W)``) or ``auto`` (``conv`` when ``image_shape`` is given).
    Several encoders train faster together: :func:`train_encoders`.
    """
    return train_encoders(system, [(x, x_next, label, params, seed)], steps=steps, batch=batch, lr=lr, hidden=hidden,
                          depth=depth, reconstruction=reconstruction, device=device, progress=progress,
                          threads=threads, activation=activation, label_text=label_text, dt=dt, encoder=encoder,
                          image_shape=image_shape)[0]


def _prepare(system: System, x: Array, encoder: str, image_shape: Sequence[int] | None, lr: float | None,
             activation: str | None) -> tuple[Any, float, str, str, tuple[int, ...] | None]:
    """Validate the options; torch, the learning rate, activation, architecture, image shape."""
    torch = require_torch()
    stochastic = any(m.noise for m in system.mechanisms)
    if lr is None:
        lr = 1e-3 if stochastic else 3e-3
    if activation is None:
        activation = "silu" if stochastic else "leaky"
    if activation not in ("leaky", "silu"):
        raise SpecError("activation", activation, "leaky or silu")
    if encoder not in ENCODERS:
        raise SpecError("--encoder", encoder, " or ".join(ENCODERS))
    shape = None
    if image_shape is not None:
        shape = tuple(int(d) for d in image_shape)
        if len(shape) != 3 or math.prod(shape) != int(np.shape(x)[1]):
            raise SpecError("image_shape", shape, f"(C, H, W) with C*H*W = D = {np.shape(x)[1]}")
    if encoder == "conv" and shape is None:
        raise SpecError("--encoder", encoder, "mlp for vector observations (conv needs images: a renderer or image data)")
    architecture = "conv" if encoder == "conv" or (encoder == "auto" and shape is not None) else "mlp"
    return torch, lr, activation, architecture, shape


def _train_single(system: System, x: Array, x_next: Array, label: Any, params: Array | None, *, seed: int,
                  steps: int, batch: int, lr: float | None, hidden: int, depth: int, reconstruction: float,
                  device: str, progress: bool, threads: int | None, activation: str | None, label_text: str,
                  dt: float, encoder: str, image_shape: Sequence[int] | None) -> TrainedEncoder:
    """One encoder for a class of several pieces (the assignments of pieces are searched)."""
    torch, lr, activation, architecture, shape = _prepare(system, x, encoder, image_shape, lr, activation)
    previous = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        return _train(torch, system, x, x_next, label, params, steps=steps, batch=batch, lr=lr, hidden=hidden,
                      depth=depth, reconstruction=reconstruction, device=device, seed=seed, progress=progress,
                      activation=activation, label_text=label_text, dt=dt,
                      image_shape=shape if architecture == "conv" else None)
    finally:
        torch.set_num_threads(previous)


#: Classes of several pieces (axis_translations, permutations, orthogonal): the learner's
#: discrete choice, a piece per mechanism, is searched explicitly. Each assignment (at most
#: this many, drawn at random beyond) is warmed up from the same initial weights with its
#: pieces fixed, and training goes on from the one with the lowest loss. Letting a
#: gradient pick the pieces instead gets stuck: a piece once picked shapes the encoder
#: around it, and two mechanisms on one axis is a local minimum of higher loss.
MAX_ASSIGNMENTS = 16


@dataclass
class _Candidate:
    """One initialisation: the networks, the class unknowns, the optimiser, the batches."""

    encoder: Any
    decoder: Any
    theta: Any
    optimiser: Any
    batches: Any
    modules: list[Any]
    assignment: tuple[int, ...] | None = None  # pieces fixed per mechanism (while warming up)
    history: list[float] = field(default_factory=list)


def _train(torch: Any, system: System, x: Array, x_next: Array, label: Any, params: Array | None, *,
           steps: int, batch: int, lr: float, hidden: int, depth: int, reconstruction: float, device: str,
           seed: int, progress: bool, activation: str, label_text: str, dt: float,
           image_shape: tuple[int, ...] | None = None) -> TrainedEncoder:
    device = resolve_device(device)
    if system.states is not None:
        raise UnsupportedMechanismError("training: continuous latents only (finite-state systems are simulated, "
                                        "not trained)")
    n, D = system.n, int(np.shape(x)[1])
    stochastic = any(m.noise for m in system.mechanisms)
    if stochastic and D != n:
        raise SpecError("dim", D, f"D = n = {n} for stochastic mechanisms (the likelihood needs det Df)")
    as_tensor = lambda a: torch.as_tensor(np.asarray(a), dtype=torch.float32, device=device)  # noqa: E731
    X, Xn = as_tensor(x), as_tensor(x_next)
    L = torch.as_tensor(np.asarray(label), dtype=torch.long, device=device)
    P = as_tensor(params if params is not None and np.size(params) else np.zeros((len(X), 0)))
    scale = X.std(dim=0).mean()
    maps = [_torch_map(m.components, system.latents + system.families) for m in system.mechanisms]
    maps = [_torch_flow(f, n, dt) if m.is_flow else f for f, m in zip(maps, system.mechanisms)]
    pieces, unknowns = _class_pieces(system) if system.learner is not None else ([], 0)
    laws = [None if not m.noise else _law(m, n) for m in system.mechanisms]
    size = min(batch, len(X))

    def candidate(assignment: tuple[int, ...] | None) -> _Candidate:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            encoder = (_conv(image_shape, n, hidden, activation) if image_shape is not None
                       else _mlp([D] + [hidden] * depth + [n], activation)).to(device)
            decoder = _mlp([n] + [hidden] * depth + [D], activation).to(device)
            theta = None
            if pieces:
                theta = torch.nn.Parameter(1 + 0.1 * torch.randn(len(laws), len(pieces), unknowns, device=device))
        if not stochastic:
            _standardise_output(torch, encoder, X)
        modules = list(encoder.parameters()) + list(decoder.parameters()) + ([theta] if theta is not None else [])
        return _Candidate(encoder, decoder, theta, torch.optim.Adam(modules, lr=lr),
                          torch.Generator().manual_seed(seed), modules, assignment)

    def loss_of(c: _Candidate) -> Any:
        index = torch.randint(0, len(X), (size,), generator=c.batches).to(device)
        xb, xnb, lb, pb = X[index], Xn[index], L[index], P[index]
        u, un = c.encoder(xb), c.encoder(xnb)
        var = u.var(dim=0) + 1e-12
        # with learned mechanisms, each coordinate's residual counts relative to its spread:
        # otherwise a coordinate shrunk to the variance floor is inconsistent at no cost
        weights = (var.mean() / var).detach() if pieces else None
        loss = torch.zeros((), device=device)
        for k, law in enumerate(laws):
            rows = lb == k
            if not bool(rows.any()):
                continue
            share = rows.float().mean()
            if c.theta is None:
                predicted = [maps[k](*[u[rows, j] for j in range(n)], *[pb[rows, j] for j in range(pb.shape[1])])]
            elif c.assignment is not None:
                predicted = [pieces[c.assignment[k]](u[rows], c.theta[k, c.assignment[k]])]
            else:  # the learner picks the class's best piece for each mechanism
                predicted = [piece(u[rows], c.theta[k, p]) for p, piece in enumerate(pieces)]
                if len(pieces) > 1:  # every piece keeps its best unknowns for the current encoder, so the pick can change
                    still, still_next = u[rows].detach(), un[rows].detach()
                    loss = loss + sum(_misfit(law, still_next - piece(still, c.theta[k, p]), weights)
                                      for p, piece in enumerate(pieces)) * share
            loss = loss + torch.stack([_misfit(law, un[rows] - m_hat, weights) for m_hat in predicted]).min() * share
        if reconstruction:
            loss = loss + reconstruction * ((c.decoder(u) - xb) ** 2).mean() / scale**2
        if stochastic:
            loss = loss - _logdet(c.encoder, xnb).mean()
        else:
            loss = loss + torch.relu(math.log(SCALE_FLOOR) - torch.log(var.mean())) ** 2
            loss = loss + (torch.relu(math.log(VAR_FLOOR) - torch.log(var / var.mean().detach())) ** 2).sum()
        return loss

    def train(c: _Candidate, count: int, schedule: Any, bar: _Progress | None) -> None:
        for _ in range(count):
            loss = loss_of(c)
            c.optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(c.modules, CLIP)
            c.optimiser.step()
            if schedule is not None:
                schedule.step()
            c.history.append(float(loss.detach()))
            if bar is not None:
                bar.update(len(c.history), c.history[-1])

    if device == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    bar = _Progress(steps, progress, label_text)
    assignments: Sequence[tuple[int, ...] | None] = _assignments(len(pieces), len(laws), seed) if len(pieces) > 1 else [None]
    warmup = min(steps, max(50, steps // 10)) if len(assignments) > 1 else 0
    candidates = [candidate(a) for a in assignments]
    for c in candidates:  # the pieces fixed and the learning rate constant while warming up
        train(c, warmup, None, None)
    best = min(candidates, key=lambda c: float(np.mean(c.history[-max(1, warmup // 4):])) if warmup else 0.0)
    best.assignment = None
    for step, value in enumerate(best.history, 1):
        bar.update(step, value)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(best.optimiser, T_max=max(1, steps - warmup), eta_min=lr / 20)
    train(best, steps - warmup, schedule, bar)
    if device == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    encoder, theta = best.encoder, best.theta
    encoder.eval()
    objective = ("likelihood" if stochastic else "consistency (learned class mechanisms)" if pieces
                 else "consistency")
    chosen: tuple[int, ...] = ()
    learned_theta = learned_map = None
    if theta is not None:
        with torch.no_grad():
            u, un = encoder(X), encoder(Xn)
            chosen = tuple(int(torch.stack([_misfit(laws[k], un[L == k] - piece(u[L == k], theta[k, p]))
                                            for p, piece in enumerate(pieces)]).argmin())
                           if bool((L == k).any()) else 0 for k in range(len(laws)))
        learned_theta = np.stack([theta[k, p].detach().cpu().numpy() for k, p in enumerate(chosen)])
        learned_map = _learned_map(torch, pieces, theta.detach(), chosen, device)
    samples = (steps + (len(assignments) - 1) * warmup) * size
    return TrainedEncoder(encoder, device, objective, best.history, seconds, samples / seconds, learned_theta, chosen,
                          len(assignments), learned_map)


def _assignments(pieces: int, mechanisms: int, seed: int) -> list[tuple[int, ...]]:
    """Every choice of a piece per mechanism, or ``MAX_ASSIGNMENTS`` of them drawn at random."""
    if pieces**mechanisms <= MAX_ASSIGNMENTS:
        return list(itertools.product(range(pieces), repeat=mechanisms))
    generator = np.random.default_rng(seed)
    drawn = {tuple(int(p) for p in generator.integers(0, pieces, mechanisms)) for _ in range(8 * MAX_ASSIGNMENTS)}
    return sorted(drawn)[:MAX_ASSIGNMENTS]


def _learned_map(torch: Any, pieces: Sequence[Piece], theta: Any, chosen: Sequence[int],
                 device: str) -> Callable[[Array, Any], Array]:
    def apply(u: Array, label: Any) -> Array:
        out = np.array(u, dtype=np.float64)
        with torch.no_grad():
            for k, p in enumerate(chosen):
                rows = np.asarray(label) == k
                if rows.any():
                    tensor = torch.as_tensor(out[rows], dtype=torch.float32, device=device)
                    out[rows] = pieces[p](tensor, theta[k, p]).double().cpu().numpy()
        return out

    return apply


def _misfit(law: dict[str, Any] | None, r: Any, weights: Any = None) -> Any:
    """The per-transition loss of residuals ``r``: squared error (per coordinate times
    ``weights`` when given), or the noise law's NLL."""
    if law is not None:
        return negative_log_likelihood(law, r).mean()
    squares = (r**2).mean(dim=0)
    return (squares if weights is None else squares * weights).sum()


def _standardise_output(torch: Any, encoder: Any, X: Any) -> None:
    """Data-dependent initialisation: rescale the last layer so that ``f(x)`` starts with mean 0
    and variance 1 per coordinate (no floor or likelihood term starts out saturated)."""
    last = encoder[-1]
    with torch.no_grad():
        u = encoder(X[:2048])
        mean, std = u.mean(dim=0), u.std(dim=0) + 1e-8
        last.weight.div_(std[:, None])
        last.bias.sub_(mean).div_(std)


def _law(mechanism: Any, n: int) -> dict[str, Any]:
    law = mechanism_noise(mechanism, n)
    assert law is not None
    return law


def _logdet(encoder: Any, x: Any) -> Any:
    torch = require_torch()
    from torch.func import jacrev, vmap

    J = vmap(jacrev(encoder))(x)
    return torch.linalg.slogdet(J)[1]


# -- all seeds at once ---------------------------------------------------------------------------
#: One training run fits this many encoders side by side (grouped layers): a seed's
#: parameters, batches, gradient clipping and loss are its own (Adam updates elementwise, so
#: summing the seeds' losses trains each exactly as alone); the steps cost about as much as
#: one encoder's, since small networks are bound by per-operation overhead, not arithmetic.


@functools.cache
def _grouped_modules(torch: Any) -> tuple[type, type]:
    """The grouped layers, defined once on first use (torch is imported lazily)."""

    class GroupedLinear(torch.nn.Module):  # type: ignore[misc,name-defined]
        """``S`` independent linear layers applied to ``(S, B, in)``."""

        def __init__(self, seeds: Sequence[int], fan_in: int, fan_out: int, salt: int) -> None:
            super().__init__()
            bound = 1 / math.sqrt(fan_in)
            weights, biases = [], []
            for seed in seeds:
                generator = torch.Generator().manual_seed(int(seed) * 1009 + salt)
                weights.append((torch.rand(fan_in, fan_out, generator=generator) * 2 - 1) * bound)
                biases.append((torch.rand(1, fan_out, generator=generator) * 2 - 1) * bound)
            self.weight = torch.nn.Parameter(torch.stack(weights))
            self.bias = torch.nn.Parameter(torch.stack(biases))

        def forward(self, x: Any) -> Any:
            return torch.baddbmm(self.bias, x, self.weight)

    class GroupedConv(torch.nn.Module):  # type: ignore[misc,name-defined]
        """``S`` copies of :func:`_conv`'s network (grouped convolutions), on ``(S, B, C*H*W)``."""

        def __init__(self, seeds: Sequence[int], shape: Sequence[int], hidden: int, n: int, activation: str) -> None:
            super().__init__()
            self.shape = tuple(int(d) for d in shape)
            C, H, W = self.shape
            S = len(seeds)
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(int(seeds[0]))
                first, second = CONV_CHANNELS
                self.first = torch.nn.Conv2d(S * C, S * first, 3, stride=2, padding=1, groups=S)
                self.second = torch.nn.Conv2d(S * first, S * second, 3, stride=2, padding=1, groups=S)
            self.act = _activation(torch, activation)
            cells = CONV_CHANNELS[1] * ((H + 3) // 4) * ((W + 3) // 4)
            self.head = torch.nn.Sequential(GroupedLinear(seeds, cells, hidden, 1), _activation(torch, activation),
                                            GroupedLinear(seeds, hidden, n, 2))

        def forward(self, x: Any) -> Any:
            S, B = x.shape[0], x.shape[1]
            C, H, W = self.shape
            h = x.reshape(S, B, C, H, W).transpose(0, 1).reshape(B, S * C, H, W)
            h = self.act(self.second(self.act(self.first(h))))
            return self.head(h.reshape(B, S, -1).transpose(0, 1))

    return GroupedLinear, GroupedConv


def _grouped_mlp(torch: Any, seeds: Sequence[int], sizes: Sequence[int], activation: str, salt: int) -> Any:
    GroupedLinear, _ = _grouped_modules(torch)
    layers: list[Any] = []
    for k in range(len(sizes) - 1):
        layers.append(GroupedLinear(seeds, sizes[k], sizes[k + 1], salt + 10 * k))
        if k < len(sizes) - 2:
            layers.append(_activation(torch, activation))
    return torch.nn.Sequential(*layers)


def _grouped_logdet(torch: Any, mlp: Any, x: Any) -> Any:
    """``log |det Df(x)|`` per row of ``x`` (``(S, B, D)``, ``D = n``) for a grouped MLP, by
    carrying the Jacobian through the layers (forward mode)."""
    GroupedLinear, _ = _grouped_modules(torch)
    S, B, D = x.shape
    h = x
    J = torch.eye(D, dtype=x.dtype, device=x.device).expand(S, B, D, D)
    for layer in mlp:
        if isinstance(layer, torch.nn.LeakyReLU):
            J = J * torch.where(h > 0, 1.0, layer.negative_slope)[..., None]
            h = layer(h)
        elif isinstance(layer, torch.nn.SiLU):
            sigma = torch.sigmoid(h)
            J = J * (sigma * (1 + h * (1 - sigma)))[..., None]
            h = layer(h)
        else:
            J = torch.einsum("sio,sbid->sbod", layer.weight, J)
            h = layer(h)
    return torch.linalg.slogdet(J)[1]


def _last_linear(torch: Any, module: Any) -> Any:
    GroupedLinear, _ = _grouped_modules(torch)
    return [m for m in module.modules() if isinstance(m, GroupedLinear)][-1]


def _member(torch: Any, stack: Any, index: int, count: int) -> Any:
    """Seed ``index`` of a grouped encoder as a module on ``(N, D)`` inputs."""

    class Member(torch.nn.Module):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.stack = stack

        def forward(self, x: Any) -> Any:
            return self.stack(x.unsqueeze(0).expand(count, *x.shape))[index]

    return Member()


def one_piece(system: System) -> bool:
    """Whether :func:`train_encoders` trains all seeds in one run (every learner but the classes
    of several pieces, whose per-mechanism choice of piece is searched seed by seed)."""
    if system.learner is None:
        return True
    value = system.learner.get("class") if isinstance(system.learner, dict) else None
    return value not in ("orthogonal", "axis_translations", "permutations")


def train_encoders(system: System, runs: Sequence[tuple[Array, Array, Any, Array | None, int]], *,
                   steps: int = 600, batch: int = 256, lr: float | None = None, hidden: int = 64, depth: int = 3,
                   reconstruction: float = 1.0, device: str = "cpu", progress: bool = False, threads: int | None = 1,
                   activation: str | None = None, label_text: str = "train", dt: float = 0.5, encoder: str = "auto",
                   image_shape: Sequence[int] | None = None) -> list[TrainedEncoder]:
    """Train one encoder per run ``(x, x_next, label, params, seed)``, all in one batched model
    (grouped layers, one optimiser step for all; see :func:`train_encoder` for the options and
    the objective). Classes of several pieces (:func:`one_piece` false) train seed by seed.
    """
    if not runs:
        raise SpecError("runs", [], "at least one run (x, x_next, label, params, seed)")
    options = dict(steps=steps, batch=batch, lr=lr, hidden=hidden, depth=depth, reconstruction=reconstruction,
                   device=device, progress=progress, threads=threads, activation=activation, label_text=label_text,
                   dt=dt, encoder=encoder, image_shape=image_shape)
    if not one_piece(system):
        return [_train_single(system, x, x_next, label, params, seed=seed, **options)  # type: ignore[arg-type]
                for x, x_next, label, params, seed in runs]
    torch, lr, activation, architecture, image_shape = _prepare(system, runs[0][0], encoder, image_shape, lr,
                                                                activation)
    previous = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        return _train_batched(torch, system, runs, steps=steps, batch=batch, lr=lr, hidden=hidden, depth=depth,
                              reconstruction=reconstruction, device=device, progress=progress, activation=activation,
                              label_text=label_text, dt=dt, image_shape=image_shape if architecture == "conv" else None)
    finally:
        torch.set_num_threads(previous)


def _train_batched(torch: Any, system: System, runs: Sequence[tuple[Array, Array, Any, Array | None, int]], *,
                   steps: int, batch: int, lr: float, hidden: int, depth: int, reconstruction: float, device: str,
                   progress: bool, activation: str, label_text: str, dt: float,
                   image_shape: tuple[int, ...] | None) -> list[TrainedEncoder]:
    device = resolve_device(device)
    if system.states is not None:
        raise UnsupportedMechanismError("training: continuous latents only (finite-state systems are simulated, "
                                        "not trained)")
    n, D, S = system.n, int(np.shape(runs[0][0])[1]), len(runs)
    stochastic = any(m.noise for m in system.mechanisms)
    if stochastic and D != n:
        raise SpecError("dim", D, f"D = n = {n} for stochastic mechanisms (the likelihood needs det Df)")
    counts = {len(x) for x, *_ in runs}
    shapes = {np.shape(x)[1] for x, *_ in runs}
    if len(counts) != 1 or len(shapes) != 1:
        raise SpecError("runs", sorted(counts), "runs of the same size and observed dimension")
    seeds = [int(run[4]) for run in runs]

    def stacked(values: Sequence[Any], width: int) -> Any:
        return torch.as_tensor(np.stack([np.asarray(v, dtype=np.float32).reshape(-1, width) if width else
                                         np.zeros((len(runs[0][0]), 0), dtype=np.float32) for v in values]),
                               device=device)

    X = stacked([r[0] for r in runs], D)
    Xn = stacked([r[1] for r in runs], D)
    L = torch.as_tensor(np.stack([np.asarray(r[2], dtype=np.int64) for r in runs]), device=device)
    k_params = len(system.families)
    P = stacked([r[3] if r[3] is not None and np.size(r[3]) else np.zeros((len(runs[0][0]), 0)) for r in runs], k_params)
    count = X.shape[1]
    scale = X.std(dim=1).mean(dim=1)  # (S,)
    maps = [_torch_map(m.components, system.latents + system.families) for m in system.mechanisms]
    maps = [_torch_flow(f, n, dt) if m.is_flow else f for f, m in zip(maps, system.mechanisms)]
    pieces, unknowns = _class_pieces(system) if system.learner is not None else ([], 0)
    piece = pieces[0] if pieces else None
    laws = [None if not m.noise else _law(m, n) for m in system.mechanisms]
    size = min(batch, count)
    _, GroupedConv = _grouped_modules(torch)
    enc = (GroupedConv(seeds, image_shape, hidden, n, activation) if image_shape is not None
           else _grouped_mlp(torch, seeds, [D] + [hidden] * depth + [n], activation, 0)).to(device)
    dec = _grouped_mlp(torch, seeds, [n] + [hidden] * depth + [D], activation, 500).to(device)
    theta = None
    if piece is not None:
        starts = [1 + 0.1 * torch.randn(len(laws), 1, unknowns, generator=torch.Generator().manual_seed(s))
                  for s in seeds]
        theta = torch.nn.Parameter(torch.stack(starts).to(device))  # (S, mechanisms, 1, unknowns)
    if not stochastic:
        with torch.no_grad():
            u = enc(X[:, :2048])
            mean, std = u.mean(dim=1), u.std(dim=1) + 1e-8  # (S, n)
            last = _last_linear(torch, enc)
            last.weight.div_(std[:, None, :])
            last.bias.sub_(mean[:, None, :]).div_(std[:, None, :])
    parameters = list(enc.parameters()) + list(dec.parameters()) + ([theta] if theta is not None else [])
    optimiser = torch.optim.Adam(parameters, lr=lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=max(1, steps), eta_min=lr / 20)
    generators = [torch.Generator().manual_seed(s) for s in seeds]
    ar = torch.arange(S, device=device)[:, None]
    owner = torch.arange(S, device=device).repeat_interleave(size)

    def loss_per_seed() -> Any:
        index = torch.stack([torch.randint(0, count, (size,), generator=g) for g in generators]).to(device)
        xb, xnb, lb, pb = X[ar, index], Xn[ar, index], L[ar, index].reshape(-1), P[ar, index].reshape(S * size, -1)
        u, un = enc(torch.cat([xb, xnb], dim=1)).split(size, dim=1)  # (S, B, n) each: one pass for both
        var = u.var(dim=1) + 1e-12  # (S, n)
        weights = (var.mean(dim=1, keepdim=True) / var).detach() if piece is not None else None
        fu, fun = u.reshape(S * size, n), un.reshape(S * size, n)
        misfit = torch.zeros(S * size, device=device)
        for k, law in enumerate(laws):
            rows = (lb == k).nonzero().squeeze(1)
            if not len(rows):
                continue
            if theta is None or piece is None:
                value = maps[k](*[fu[rows, j] for j in range(n)], *[pb[rows, j] for j in range(pb.shape[1])])
            else:  # each row with its own seed's unknowns
                value = piece(fu[rows], theta[owner[rows], k, 0])
            r = fun[rows] - value
            if law is not None:
                term = negative_log_likelihood(law, r)
            else:
                squares = r**2 if weights is None else r**2 * weights[owner[rows]]
                term = squares.sum(dim=1)
            misfit = misfit.index_put((rows,), term)
        loss = misfit.reshape(S, size).mean(dim=1)
        if reconstruction:
            loss = loss + reconstruction * ((dec(u) - xb) ** 2).mean(dim=(1, 2)) / scale**2
        if stochastic:
            loss = loss - _grouped_logdet(torch, enc, xnb).mean(dim=1)
        else:
            spread = var.mean(dim=1)
            loss = loss + torch.relu(math.log(SCALE_FLOOR) - torch.log(spread)) ** 2
            loss = loss + (torch.relu(math.log(VAR_FLOOR) - torch.log(var / spread[:, None].detach())) ** 2).sum(dim=1)
        return loss

    def clip() -> None:  # each seed's gradient clipped to CLIP on its own
        squares = sum(p.grad.reshape(S, -1).pow(2).sum(dim=1) for p in parameters if p.grad is not None)
        factor = (CLIP / (torch.sqrt(squares) + 1e-6)).clamp(max=1.0)
        for p in parameters:  # every parameter holds the seeds' blocks one after another along its first axis
            if p.grad is not None:
                p.grad.mul_(factor.repeat_interleave(p.grad.shape[0] // S).reshape(-1, *([1] * (p.grad.dim() - 1))))

    if device == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    bar = _Progress(steps, progress, f"{label_text} ({S} at once)" if S > 1 else label_text)
    history = []
    for step in range(1, steps + 1):
        loss = loss_per_seed()
        optimiser.zero_grad()
        loss.sum().backward()
        clip()
        optimiser.step()
        schedule.step()
        history.append(loss.detach())
        if bar.drawn and (step % bar.every == 0 or step == steps):
            bar.update(step, float(loss.detach().mean()))
    if device == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    enc.eval()
    curves = torch.stack(history).cpu().numpy().T if history else np.zeros((S, 0))
    objective = ("likelihood" if stochastic else "consistency (learned class mechanisms)" if piece is not None
                 else "consistency")
    out = []
    for s in range(S):
        learned_theta = learned_map = None
        if theta is not None:
            slice_ = theta.detach()[s]
            learned_theta = np.stack([slice_[k, 0].cpu().numpy() for k in range(len(laws))])
            learned_map = _learned_map(torch, pieces, slice_, [0] * len(laws), device)
        share = seconds / S
        out.append(TrainedEncoder(_member(torch, enc, s, S), device, objective, [float(v) for v in curves[s]], share,
                                  steps * size / share if share else 0.0, learned_theta,
                                  (0,) * len(laws) if theta is not None else (), 1, learned_map, batched_=S))
    return out
