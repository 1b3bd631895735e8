"""From a solved group to numeric fitters: the group's fitter and the smaller groups it is
compared with.

The kind is read off the solved group (its recognised name, else its affine structure
or the affine pieces of a class or noise condition). The smaller groups are proper
subgroups named by the same vocabulary: for a group with translations, the
translations alone; for diagonal scalings, uniform scalings; for signed permutations,
permutations; for the orthogonal group, signed permutations; for a commutant that
contains the identity, uniform scalings; for GL(n) and Aff(n), diagonal scalings and
the orthogonal group; and the identity (or the translations) for every group.

Examples
--------
>>> import equivid
>>> group = equivid.solve(equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]}))
>>> model = group_model(group)
>>> model.kind, [m.name for m in model.smaller]
('diagonal scalings', ['uniform scalings', 'identity'])
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import sympy
from numpy.typing import NDArray

from ..errors import UnsupportedMechanismError
from . import fitters as F

__all__ = ["GroupModel", "group_model", "map_function", "outside_map"]

Array = NDArray[np.float64]
Fitter = Callable[[Array, Array], F.AffineFit]
#: Products of discrete representatives tried by the span fitter, at most.
MAX_COMPONENTS = 64


@dataclass(frozen=True)
class GroupModel:
    """A group of affine maps as a fitter: ``fit(z, y)`` returns the best element."""

    name: str
    kind: str
    fit: Fitter = field(compare=False)
    smaller: tuple[GroupModel, ...] = ()


def _identity_or_translations(translations: bool) -> GroupModel:
    if translations:
        return GroupModel("translations", "translations", F.fit_translations, (GroupModel("identity", "identity", F.fit_identity),))
    return GroupModel("identity", "identity", F.fit_identity)


def _named(kind: str, translations: bool, n: int, metric: Array | None = None) -> GroupModel | None:
    """Closed-form fitters for the groups equivid names."""
    suffix = " and translations" if translations else ""
    base = _identity_or_translations(translations)
    lower = (base,)
    T = translations
    if kind == "trivial":
        return GroupModel("identity", "identity", F.fit_identity)
    if kind == f"translations R^{n}":
        return _identity_or_translations(True)
    uniform = GroupModel("uniform scalings" + suffix, "uniform scalings", partial(F.fit_scalings, diagonal=False, translations=T), lower)
    diagonal = GroupModel("diagonal scalings" + suffix, "diagonal scalings", partial(F.fit_scalings, translations=T), (uniform,) + lower)
    permutations = GroupModel("permutations" + suffix, "permutations", partial(F.fit_permutations, translations=T), lower)
    signed = GroupModel("signed permutations" + suffix, "signed permutations",
                        partial(F.fit_permutations, signs=True, translations=T), (permutations,) + lower)
    orthogonal = GroupModel("orthogonal maps" + suffix, "orthogonal", partial(F.fit_orthogonal, translations=T), (signed,) + lower)
    if kind == "uniform scalings":
        return uniform
    if kind == "diagonal scalings":
        return diagonal
    if kind == "permutations":
        return permutations
    if kind == "signed permutations":
        return signed
    if kind == "sign flips":
        flips = [(np.diag(s), np.zeros(n)) for s in itertools.product([1.0, -1.0], repeat=n)]
        return GroupModel("sign flips" + suffix, "sign flips", partial(F.fit_elements, elements=flips, translations=T), lower)
    if kind == f"orthogonal group O({n})":
        return orthogonal
    if kind == "similarities z -> sQz (Q orthogonal)":
        return GroupModel("similarities" + suffix, "similarities", partial(F.fit_orthogonal, translations=T, scaled=True),
                          (orthogonal, uniform) + lower)
    if kind == f"SO({n})":
        return GroupModel("rotations" + suffix, "rotations", partial(F.fit_orthogonal, translations=T, special=True), lower)
    if kind.startswith("the orthogonal group of the covariance") and metric is not None:
        return GroupModel("B S B^T = S" + suffix, "orthogonal (metric)", partial(F.fit_orthogonal, translations=T, metric=metric), lower)
    if kind == "monomial matrices (permutations times scalings)":
        return GroupModel("permutations times scalings" + suffix, "monomial",
                          partial(F.fit_permutations, scales=True, translations=T), (diagonal, permutations) + lower)
    if kind == f"GL({n})":
        return GroupModel("linear maps", "general linear", partial(F.fit_general, translations=False),
                          (GroupModel("diagonal scalings", "diagonal scalings", F.fit_scalings, (uniform,)),
                           GroupModel("orthogonal maps", "orthogonal", F.fit_orthogonal)) + lower)
    if kind == f"affine group Aff({n})":
        return GroupModel("affine maps", "general affine", F.fit_general, (diagonal, orthogonal) + lower)
    return None


def _numeric(M: Any) -> Array:
    return np.array(sympy.Matrix(M).evalf(), dtype=np.float64)


def _affine(components: Sequence[sympy.Expr], latents: Sequence[sympy.Symbol]) -> tuple[Array, Array]:
    from ..solve._pieces import affine_parts

    parts = affine_parts(components, latents)
    if parts is None:
        raise UnsupportedMechanismError(f"verify: the group element {tuple(components)} is not affine")
    return _numeric(parts[0]), _numeric(parts[1]).ravel()


def _closure(reps: Sequence[tuple[Array, Array]], n: int) -> list[tuple[Array, Array]]:
    """The identity and products of the representatives (at most ``MAX_COMPONENTS``)."""
    out = [(np.eye(n), np.zeros(n))]
    frontier = list(out)
    while frontier and len(out) < MAX_COMPONENTS:
        new: list[tuple[Array, Array]] = []
        for (B, c), (D, e) in itertools.product(frontier, reps):
            prod = (B @ D, B @ e + c)
            if not any(np.allclose(prod[0], P) and np.allclose(prod[1], p) for P, p in out + new):
                new.append(prod)
        out += new[: MAX_COMPONENTS - len(out)]
        frontier = new
    return out


def _span_fitter(base: tuple[Array, Array], directions: Sequence[tuple[Array, Array]],
                 components: Sequence[tuple[Array, Array]], name: str) -> Fitter:
    def fit(z: Array, y: Array) -> F.AffineFit:
        best, error = None, np.inf
        for D, e in components:  # a∘d: (B D) z + (B e + c) is again linear in the parameters
            B0, c0 = base
            dirs = [(Bk @ D, Bk @ e + ck) for Bk, ck in directions]
            candidate = F.fit_span(z, y, dirs, (B0 @ D, B0 @ e + c0), name=name)
            residual = float((candidate.residuals(z, y) ** 2).sum())
            if residual < error:
                best, error = candidate, residual
        assert best is not None
        return best

    return fit


def _structure_model(group: Any) -> GroupModel:
    structure = group.solution.structure
    n = structure.n
    base = (_numeric(structure.base[0]), _numeric(structure.base[1]).ravel())
    directions = [(_numeric(B), _numeric(c).ravel()) for B, c in structure.directions]
    reps = [_affine(d, group.latents) for d in group.discrete]
    name = group.name or group.description
    fit = _span_fitter(base, directions, _closure(reps, n), name)
    translations = sum(1 for B, c in directions if not B.any() and c.any()) == n
    lower: list[GroupModel] = []
    linear = [B for B, c in directions if B.any()]
    if linear and not base[0].any() and not base[1].any() and _in_span(np.eye(n), linear):
        T = translations
        lower.append(GroupModel("uniform scalings" + (" and translations" if T else ""), "uniform scalings",
                                partial(F.fit_scalings, diagonal=False, translations=T)))
    if directions and (linear or not translations):
        lower.append(_identity_or_translations(translations))
    elif directions:
        lower.append(GroupModel("identity", "identity", F.fit_identity))
    return GroupModel(name, "span", fit, tuple(lower))


def _in_span(M: Array, mats: Sequence[Array]) -> bool:
    A = np.stack([B.ravel() for B in mats], axis=1)
    coef = np.linalg.lstsq(A, M.ravel(), rcond=None)[0]
    return bool(np.allclose(A @ coef, M.ravel(), atol=1e-9))


def _pieces_model(group: Any) -> GroupModel | None:
    pieces = getattr(group.solution.condition, "pieces", ())
    if not pieces:
        return None
    fits = []
    for piece in pieces:
        params = list(piece.parameters)
        entries = list(piece.B) + list(piece.c)
        if piece.equations or any(sympy.Poly(e, *params).total_degree() > 1 for e in entries if params and e.free_symbols):
            return None
        zero = dict.fromkeys(params, 0)
        base = (_numeric(piece.B.xreplace(zero)), _numeric(piece.c.xreplace(zero)).ravel())
        dirs = [(_numeric(piece.B.diff(t)), _numeric(piece.c.diff(t)).ravel()) for t in params]
        fits.append(_span_fitter(base, dirs, [(np.eye(len(base[1])), np.zeros(len(base[1])))], group.description))

    def fit(z: Array, y: Array) -> F.AffineFit:
        candidates = [f(z, y) for f in fits]
        return min(candidates, key=lambda a: float((a.residuals(z, y) ** 2).sum()))

    n = group.system.n
    translations = bool(group.name and group.name.endswith(f"and translations R^{n}"))
    return GroupModel(group.description, "pieces", fit, (_identity_or_translations(translations),))


def group_model(group: Any) -> GroupModel:
    """The fitter of ``group`` (an :class:`~equivid.EquivarianceGroup`) and its smaller groups."""
    if group.solution.finite_group is not None:
        raise UnsupportedMechanismError("verify: finite-state groups permute states; there is no continuous encoder to fit")
    n = group.system.n
    name = group.name or ""
    suffix = f" and translations R^{n}"
    translations = name.endswith(suffix)
    kind = name[: -len(suffix)] if translations else name
    metric = None
    law = getattr(group.solution.condition, "law", None)
    if law is not None and len(law.gauss) == n:
        metric = _numeric(law.cov)
    model = _named(kind, translations, n, metric)
    if model is not None:
        return model
    if group.solution.structure is not None:
        return _structure_model(group)
    model = _pieces_model(group)
    if model is not None:
        return model
    raise UnsupportedMechanismError(f"verify: no numeric fitter for the group {group.description!r}")


def map_function(components: Sequence[sympy.Expr], latents: Sequence[sympy.Symbol]) -> Callable[[Array], Array]:
    """A sympy map as a function on ``(N, n)`` arrays."""
    function = sympy.lambdify(list(latents), list(components), modules="numpy")

    def apply(z: Array) -> Array:
        values = function(*[z[:, k] for k in range(z.shape[1])])
        return np.stack([np.broadcast_to(np.asarray(v, dtype=np.float64), (len(z),)) for v in values], axis=1)

    return apply


def outside_map(group: Any) -> tuple[sympy.Expr, ...]:
    """A map outside ``group`` (by the exact membership test), for the negative control:
    the first of a rotation by ``atan(4/3)``, a shear, an anisotropic scaling, and a
    polynomial bijection ``z1 + z2^2/2`` (``z1 + z1^3/3`` in one dimension)."""
    z = list(group.latents)
    n = len(z)
    half = sympy.Rational(1, 2)
    candidates = []
    if n >= 2:
        r = sympy.Rational(3, 5), sympy.Rational(4, 5)
        candidates.append((r[0] * z[0] - r[1] * z[1], r[1] * z[0] + r[0] * z[1], *z[2:]))
        candidates.append((z[0] + 3 * half * z[1], *z[1:]))
        candidates.append((2 * z[0], half * z[1], *z[2:]))
        candidates.append((z[0] + half * z[1] ** 2, *z[1:]))
    else:
        candidates += [(2 * z[0],), (z[0] + z[0] ** 3 / 3,)]
    for candidate in candidates:
        if not group.contains(candidate):
            return tuple(candidate)
    raise UnsupportedMechanismError("verify: every candidate map for the negative control lies in the group")  # pragma: no cover
