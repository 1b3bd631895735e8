"""Random invertible decoders ``g: R^n -> R^D`` (the mixing of the identifiability literature).

The recipe (Hyvärinen and Morioka; Khemakhem et al.; Zimmermann et al.): square
layers ``W_l`` with controlled condition number, each followed by an invertible
activation, the last layer linear; depth at least 3 for ``n >= 6``. For ``D > n`` the
output is embedded by a random matrix with orthonormal columns, so ``g`` stays
injective and its inverse on the image is exact. Two activations:

- ``leaky``: the leaky ReLU ``max(h, slope*h)`` of the literature (piecewise linear);
- ``smooth``: its analytic counterpart ``slope*h + (1 - slope)*softplus(h)``, increasing
  with slope in ``(slope, 1)``, inverted by Newton's method to rounding error.

Why both: the solver searches affine or polynomial maps, and for many mechanisms those
are all the *smooth* commuting maps but not all the piecewise-linear ones. For
``(2 z1, 3 z2)`` every map that commutes and is twice differentiable at the fixed point
``0`` is a diagonal scaling, while ``z1 -> (z1 if z1 > 0 else 2 z1)`` commutes too; a
leaky-ReLU decoder and encoder can learn such kinks, a smooth pair cannot.

Examples
--------
>>> g = random_decoder(2, rng=0)
>>> z = np.random.default_rng(1).standard_normal((5, 2))
>>> bool(np.allclose(g.inverse(g(z)), z))
True
>>> random_decoder(2, dim=5, rng=0)(z).shape
(5, 5)
>>> smooth = random_decoder(2, activation="smooth", rng=0)
>>> bool(np.allclose(smooth.inverse(smooth(z)), z, atol=1e-12))
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import SpecError

__all__ = ["ACTIVATIONS", "Decoder", "random_decoder"]

Array = NDArray[np.float64]
#: The decoders' activations.
ACTIVATIONS = ("leaky", "smooth")


def _softplus(h: Array) -> Array:
    return np.asarray(np.logaddexp(0.0, h))


def _activate(h: Array, activation: str, slope: float) -> Array:
    if activation == "smooth":
        return slope * h + (1 - slope) * _softplus(h)
    return np.where(h > 0, h, slope * h)


def _deactivate(y: Array, activation: str, slope: float) -> Array:
    """The activation's inverse. For ``smooth``: Newton's method from ``max(y, y/slope)``,
    which lies right of the root; the activation is convex and increasing, so the
    iterates decrease monotonically to the root."""
    if activation != "smooth":
        return np.where(y > 0, y, y / slope)
    h = np.maximum(y, y / slope)
    for _ in range(100):
        value = slope * h + (1 - slope) * _softplus(h) - y
        derivative = slope + (1 - slope) / (1 + np.exp(-h))
        step = value / derivative
        h = h - step
        if np.all(np.abs(step) <= 1e-15 * (1 + np.abs(h))):
            break
    return np.asarray(h)


@dataclass(frozen=True)
class Decoder:
    """``g(z) = E · L_k(…s(W_1 z + b_1)…)``: square layers, then an embedding ``E``.

    ``weights``/``biases`` are the square layers (all but the last followed by the
    activation ``s``: ``leaky`` or ``smooth``, see the module), ``embedding`` has
    orthonormal columns (``D x n``).

    Parameters
    ----------
    weights : tuple of numpy.ndarray
        The square layers ``W_1, ..., W_k`` (``(n, n)``, invertible).
    biases : tuple of numpy.ndarray
        Their biases ``b_1, ..., b_k`` (``(n,)``).
    embedding : numpy.ndarray
        ``E``, ``(D, n)`` with orthonormal columns.
    slope : float
        The activation's slope far on the negative side, in ``(0, 1)``.
    activation : {"leaky", "smooth"}, default "leaky"
        The activation ``s`` after every layer but the last.

    Examples
    --------
    >>> g = Decoder((np.eye(2), np.eye(2)), (np.zeros(2), np.zeros(2)), np.eye(2), 0.2)
    >>> x = g(np.array([[1.0, -1.0]]))
    >>> x.tolist(), g.inverse(x).tolist(), (g.n, g.dim)
    ([[1.0, -0.2]], [[1.0, -1.0]], (2, 2))
    """

    weights: tuple[Array, ...]
    biases: tuple[Array, ...]
    embedding: Array
    slope: float
    activation: str = "leaky"

    @property
    def n(self) -> int:
        """The number of latents ``n`` (the input dimension)."""
        return int(self.weights[0].shape[1])

    @property
    def dim(self) -> int:
        """The observed dimension ``D`` (the output dimension)."""
        return int(self.embedding.shape[0])

    def __call__(self, z: Array) -> Array:
        h = np.asarray(z, dtype=np.float64)
        last = len(self.weights) - 1
        for k, (W, b) in enumerate(zip(self.weights, self.biases)):
            h = h @ W.T + b
            if k < last:
                h = _activate(h, self.activation, self.slope)
        return h @ self.embedding.T

    def inverse(self, x: Array) -> Array:
        """``g^{-1}`` on the image of ``g`` (points off the image are projected first).

        Parameters
        ----------
        x : numpy.ndarray
            Observations, ``(N, D)``.

        Returns
        -------
        numpy.ndarray
            The latents ``z`` with ``g(z) = x`` (for ``x`` on the image), ``(N, n)``.
        """
        h = np.asarray(x, dtype=np.float64) @ self.embedding
        last = len(self.weights) - 1
        for k in range(last, -1, -1):
            if k < last:
                h = _deactivate(h, self.activation, self.slope)
            h = np.asarray(np.linalg.solve(self.weights[k], (h - self.biases[k]).T).T, dtype=np.float64)
        return h

    def condition_numbers(self) -> list[float]:
        """The condition number ``cond(W_l)`` of each square layer.

        Returns
        -------
        list of float
            One per layer, in order.
        """
        return [float(np.linalg.cond(W)) for W in self.weights]


def _layer(n: int, condition: float, generator: np.random.Generator) -> Array:
    U, _ = np.linalg.qr(generator.standard_normal((n, n)))
    V, _ = np.linalg.qr(generator.standard_normal((n, n)))
    singular = np.exp(generator.uniform(-0.5, 0.5, size=n) * np.log(condition))
    singular[0], singular[-1] = np.sqrt(condition), 1 / np.sqrt(condition)  # exactly the requested condition
    if n == 1:
        singular[:] = 1.0
    return np.asarray(U @ np.diag(singular) @ V.T)


def random_decoder(n: int, *, dim: int | None = None, depth: int | None = None, slope: float = 0.2,
                   condition: float = 3.0, activation: str = "leaky", rng: Any = None) -> Decoder:
    """A random invertible MLP ``R^n -> R^dim`` (``dim >= n``, default ``n``).

    ``depth`` square layers (default 3; at least 3 when ``n >= 6``), each of condition
    number ``condition``; ``activation`` ``leaky`` (the literature's leaky ReLU) or
    ``smooth`` (its analytic counterpart); ``slope`` the activation's slope far on the
    negative side.

    Parameters
    ----------
    n : int
        The number of latents.
    dim : int, optional
        The observed dimension ``D >= n`` (default ``n``).
    depth : int, optional
        The number of square layers (default 3; at least 3 when ``n >= 6``).
    slope : float, default 0.2
        The activation's slope far on the negative side, in ``(0, 1)``.
    condition : float, default 3.0
        Each layer's condition number, at least 1.
    activation : {"leaky", "smooth"}, default "leaky"
        The activation between layers.
    rng : optional
        Anything :func:`numpy.random.default_rng` accepts.

    Returns
    -------
    Decoder
        The random decoder.

    Raises
    ------
    SpecError
        When an argument is out of range (``n < 1``, ``dim < n``, too few layers, a slope
        outside ``(0, 1)``, an unknown activation, ``condition < 1``).

    Examples
    --------
    >>> g = random_decoder(3, dim=10, rng=0)
    >>> g.n, g.dim, len(g.weights), [round(c, 6) for c in g.condition_numbers()]
    (3, 10, 3, [3.0, 3.0, 3.0])
    >>> z = np.random.default_rng(1).standard_normal((4, 3))
    >>> bool(np.allclose(g.inverse(g(z)), z))
    True
    """
    generator = np.random.default_rng(rng)
    dim = n if dim is None else dim
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise SpecError("n", n, "a positive number of latents")
    if isinstance(dim, bool) or not isinstance(dim, int) or dim < n:
        raise SpecError("dim", dim, f"an observed dimension D >= n = {n}")
    depth = 3 if depth is None else depth
    if depth < (3 if n >= 6 else 1):
        raise SpecError("depth", depth, "at least 3 layers for n >= 6 (at least 1 otherwise)")
    if not 0 < slope < 1:
        raise SpecError("slope", slope, "a leaky-ReLU slope in (0, 1)")
    if activation not in ACTIVATIONS:
        raise SpecError("activation", activation, " or ".join(ACTIVATIONS))
    if condition < 1:
        raise SpecError("condition", condition, "a condition number >= 1")
    weights = tuple(_layer(n, condition, generator) for _ in range(depth))
    biases = tuple(0.3 * generator.standard_normal(n) for _ in range(depth))
    if dim == n:
        embedding = np.eye(n)
    else:
        embedding, _ = np.linalg.qr(generator.standard_normal((dim, n)))
    return Decoder(weights, biases, np.asarray(embedding), float(slope), activation)
