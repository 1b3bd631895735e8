"""A built-in renderer: latents drawn as a sprite on a small colour canvas (a decoder ``g``).

Each latent plays one role: ``x`` and ``y`` (position), ``angle``, ``scale`` and ``hue``
(colour). The sprite is two Gaussian blobs, a large one at the position and a smaller
one beside it in the direction of the angle, so no rotation maps it onto itself. Each
role's value is a smooth, strictly increasing function of its latent with a bounded
range (position ``c + 0.28 * size * tanh(z / 2)``, angle ``(pi / 2) tanh(z / 2)``, scale
``exp(0.35 tanh(z / 2))``, hue: red ``sigmoid(z)``, green ``1 - sigmoid(z)``), so the
rendering is a smooth injective map ``R^n -> R^(3 * size^2)``: the identifiability
statements apply to it as to any decoder. A role not given to a latent keeps its
neutral value (the centre, angle 0, scale 1, hue 0.5).

A spec asks for it with ``observe: {renderer: sprites, size: 16, roles: {z1: x, z2: y}}``;
``equivid verify`` then renders the simulated latents and trains a convolutional encoder.

Examples
--------
>>> g = sprite_renderer(2, size=12)
>>> x = g(np.zeros((3, 2)))
>>> x.shape, g.image_shape
((3, 432), (3, 12, 12))
>>> bool(np.allclose(g(np.array([[0.3, -0.2]])), g(np.array([[0.3, -0.2]]))))
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..errors import SpecError
from ..mechanisms import SPRITE_ROLES, System, observe_settings

__all__ = ["SpriteRenderer", "sprite_renderer", "renderer_for", "SPRITE_ROLES"]

Array = NDArray[np.float64]


def _squash(z: Array) -> Array:
    return np.asarray(np.tanh(z / 2))


@dataclass(frozen=True)
class SpriteRenderer:
    """``g(z)``: the latents ``z`` (``(N, n)``) drawn as a sprite on a ``size x size`` RGB
    canvas, returned flat (``(N, 3 * size * size)``; :meth:`images` gives ``(N, 3, size, size)``).

    ``roles[i]`` is the role of latent ``i`` (see the module).
    """

    roles: tuple[str, ...]
    size: int = 16

    @property
    def n(self) -> int:
        return len(self.roles)

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return (3, self.size, self.size)

    @property
    def dim(self) -> int:
        return 3 * self.size * self.size

    def attributes(self, z: Array) -> dict[str, Array]:
        """Position (pixels), angle (radians), scale and hue of each row of ``z``."""
        z = np.asarray(z, dtype=np.float64)
        if z.ndim != 2 or z.shape[1] != self.n:
            raise SpecError("z", f"shape {z.shape}", f"shape (N, {self.n}) for the roles {', '.join(self.roles)}")
        count = len(z)
        centre = (self.size - 1) / 2
        value = {role: z[:, k] for k, role in enumerate(self.roles)}
        zero = np.zeros(count)
        return {
            "x": centre + 0.28 * self.size * _squash(value.get("x", zero)),
            "y": centre + 0.28 * self.size * _squash(value.get("y", zero)),
            "angle": np.pi / 2 * _squash(value.get("angle", zero)),
            "scale": np.exp(0.35 * _squash(value.get("scale", zero))),
            "hue": 1 / (1 + np.exp(-value.get("hue", zero))),
        }

    def images(self, z: Array) -> Array:
        a = self.attributes(z)
        pixels = np.arange(self.size, dtype=np.float64)
        radius = self.size / 10
        unit = radius * a["scale"]

        def blob(cx: Array, cy: Array, sigma: Array, weight: float) -> Array:
            dx = (pixels[None, None, :] - cx[:, None, None]) ** 2
            dy = (pixels[None, :, None] - cy[:, None, None]) ** 2
            return np.asarray(weight * np.exp(-(dx + dy) / (2 * sigma[:, None, None] ** 2)))

        body = blob(a["x"], a["y"], unit, 1.0)
        offset = 1.6 * unit
        head = blob(a["x"] + offset * np.cos(a["angle"]), a["y"] + offset * np.sin(a["angle"]), 0.6 * unit, 0.8)
        shape = body + head
        colour = np.stack([a["hue"], 1 - a["hue"], np.full_like(a["hue"], 0.5)], axis=1)
        return np.asarray(colour[:, :, None, None] * shape[:, None, :, :])

    def __call__(self, z: Array) -> Array:
        out = self.images(z)
        return np.asarray(out.reshape(len(out), -1))


def sprite_renderer(n: int, *, roles: Sequence[str] | Mapping[str, str] | None = None, size: int = 16) -> SpriteRenderer:
    """A :class:`SpriteRenderer` for ``n`` latents; ``roles`` a sequence (latent order) or a
    mapping from latent names (in order) to roles, default ``x, y, angle, scale, hue``."""
    names = [f"z{k + 1}" for k in range(n)]
    if isinstance(roles, Mapping):
        names = list(roles)
    elif roles is not None:
        roles = list(roles)
        if len(roles) != n:
            raise SpecError("roles", roles, f"{n} roles, one per latent")
        roles = dict(zip(names, roles))
    settings = observe_settings({"renderer": "sprites", "size": size, **({"roles": roles} if roles is not None else {})},
                                names)
    return SpriteRenderer(tuple(settings["roles"][name] for name in names), int(settings["size"]))


def renderer_for(system: System) -> SpriteRenderer | None:
    """The renderer a spec's ``observe:`` entry asks for, or ``None``."""
    if system.observe is None:
        return None
    settings = observe_settings(system.observe, [s.name for s in system.latents])
    return SpriteRenderer(tuple(settings["roles"][s.name] for s in system.latents), int(settings["size"]))
