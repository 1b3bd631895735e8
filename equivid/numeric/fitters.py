"""Fit ``y ≈ a(z)`` with ``a`` in a group of affine maps, in closed form where one exists.

Each fitter takes true latents ``z`` and learned latents ``y`` (``(N, n)`` arrays) and
returns the least-squares best element :class:`AffineFit` ``a(z) = B z + c`` of its
group:

- :func:`fit_identity`, :func:`fit_translations` (``c = mean(y - z)``);
- :func:`fit_scalings` (uniform or diagonal, optionally with translations);
- :func:`fit_permutations` (permutations, signed permutations, or permutations times
  scalings: a linear assignment, solved exactly by the Hungarian method);
- :func:`fit_orthogonal` (orthogonal Procrustes, optionally ``det = +1``);
- :func:`fit_span` (``B z + c = base + sum t_k D_k``: linear least squares over the
  span of the directions, e.g. the commutant of a matrix);
- :func:`fit_general` (all linear or affine maps);
- :func:`fit_elements` (the best of finitely many fixed maps).

Examples
--------
>>> rng = np.random.default_rng(0)
>>> z = rng.standard_normal((100, 3))
>>> y = -z[:, [2, 0, 1]] + [1.0, 2.0, 3.0]
>>> fit = fit_permutations(z, y, signs=True, translations=True)
>>> fit.B.astype(int).tolist(), np.round(fit.c, 6).tolist()
([[0, 0, -1], [-1, 0, 0], [0, -1, 0]], [1.0, 2.0, 3.0])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "AffineFit",
    "mcc",
    "fit_elements",
    "fit_general",
    "fit_identity",
    "fit_orthogonal",
    "fit_permutations",
    "fit_scalings",
    "fit_span",
    "fit_translations",
    "r2_score",
]

Array = NDArray[np.float64]


@dataclass(frozen=True)
class AffineFit:
    """The fitted element ``a(z) = B z + c`` of the group named ``group``."""

    group: str
    B: Array
    c: Array

    def __call__(self, z: Array) -> Array:
        return np.asarray(z @ self.B.T + self.c)

    def undo(self, y: Array) -> Array:
        """``a^{-1}(y)`` (least squares where ``B`` is singular)."""
        return np.asarray(np.linalg.lstsq(self.B, (np.asarray(y) - self.c).T, rcond=None)[0].T)

    def residuals(self, z: Array, y: Array) -> Array:
        return np.asarray(y - self(z))


def r2_score(y: Array, residuals: Array) -> float:
    """Mean over coordinates of ``1 - SS_res / SS_tot`` (0 for a constant coordinate).

    Examples
    --------
    >>> y = np.array([[0.0], [1.0], [2.0]])
    >>> r2_score(y, np.zeros_like(y)), r2_score(y, y - y.mean())
    (1.0, 0.0)
    """
    total = ((y - y.mean(axis=0)) ** 2).sum(axis=0)
    explained = 1 - (residuals**2).sum(axis=0) / np.where(total > 0, total, 1.0)
    return float(np.where(total > 1e-12 * max(float(total.max()), 1e-300), explained, 0.0).mean())


def _shapes(z: Array, y: Array) -> tuple[Array, Array]:
    z, y = np.asarray(z, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if z.ndim != 2 or z.shape != y.shape:
        raise ValueError(f"z and y: expected two (N, n) arrays of one shape, got {z.shape} and {y.shape}")
    return z, y


def _offset(z: Array, y: Array, B: Array, translations: bool) -> Array:
    return np.asarray(y.mean(axis=0) - B @ z.mean(axis=0)) if translations else np.zeros(y.shape[1])


def _centred(z: Array, y: Array, translations: bool) -> tuple[Array, Array]:
    return (z - z.mean(axis=0), y - y.mean(axis=0)) if translations else (z, y)


def fit_identity(z: Array, y: Array) -> AffineFit:
    """The identity (nothing to fit)."""
    z, y = _shapes(z, y)
    return AffineFit("identity", np.eye(z.shape[1]), np.zeros(z.shape[1]))


def mcc(z: Array, y: Array, *, method: str = "pearson") -> float:
    """The mean correlation coefficient of the field: the mean absolute correlation between
    true and learned coordinates after the best matching of coordinates
    (``scipy.optimize.linear_sum_assignment`` on ``|corr|``); ``method`` is ``"pearson"``
    or ``"spearman"`` (ranks: invariant under monotone coordinate maps).

    Examples
    --------
    >>> z = np.random.default_rng(0).standard_normal((500, 2))
    >>> round(mcc(z, z[:, ::-1] * [3.0, -1.0]), 6), round(mcc(z, np.tanh(z), method="spearman"), 6)
    (1.0, 1.0)
    """
    from scipy.optimize import linear_sum_assignment
    from scipy.stats import rankdata

    if method not in ("pearson", "spearman"):
        raise ValueError(f"method: got {method!r}, expected 'pearson' or 'spearman'")
    z, y = _shapes(z, y)
    if method == "spearman":
        z, y = rankdata(z, axis=0), rankdata(y, axis=0)
    n = z.shape[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.corrcoef(z.T, y.T)[:n, n:]
    corr = np.nan_to_num(np.abs(corr))
    rows, cols = linear_sum_assignment(-corr)
    return float(corr[rows, cols].mean())


def fit_translations(z: Array, y: Array) -> AffineFit:
    """``a(z) = z + c``: ``c = mean(y - z)``."""
    z, y = _shapes(z, y)
    return AffineFit("translations", np.eye(z.shape[1]), np.asarray((y - z).mean(axis=0)))


def fit_scalings(z: Array, y: Array, *, diagonal: bool = True, translations: bool = False) -> AffineFit:
    """``a(z) = D z (+ c)`` with ``D`` diagonal (or ``s I`` when ``diagonal=False``)."""
    z, y = _shapes(z, y)
    zc, yc = _centred(z, y, translations)
    zz = (zc**2).sum(axis=0)
    zy = (zc * yc).sum(axis=0)
    if diagonal:
        scales = zy / np.where(zz > 0, zz, 1.0)
    else:
        scales = np.full(z.shape[1], zy.sum() / max(float(zz.sum()), 1e-300))
    B = np.diag(scales)
    name = ("diagonal scalings" if diagonal else "uniform scalings") + (" and translations" if translations else "")
    return AffineFit(name, B, _offset(z, y, B, translations))


def fit_permutations(z: Array, y: Array, *, signs: bool = False, scales: bool = False,
                     translations: bool = False) -> AffineFit:
    """``a(z) = P z (+ c)`` with ``P`` a permutation matrix, a signed one (``signs``), or
    a permutation times a diagonal scaling (``scales``): an exact linear assignment.

    Row ``i`` of ``P`` picks the coordinate ``j`` of ``z`` that ``y_i`` follows; the cost
    of ``(i, j)`` is the least-squares residual of ``y_i ≈ s z_j`` with ``s = 1``, ``s = ±1``
    or ``s`` free, so the assignment that minimises the total cost is the best element.
    """
    from scipy.optimize import linear_sum_assignment

    z, y = _shapes(z, y)
    zc, yc = _centred(z, y, translations)
    zz = (zc**2).sum(axis=0)
    cross = yc.T @ zc  # cross[i, j] = <y_i, z_j>
    if scales:
        cost = -(cross**2) / np.where(zz > 0, zz, 1.0)[None, :]
    elif signs:
        cost = zz[None, :] - 2 * np.abs(cross)
    else:
        cost = zz[None, :] - 2 * cross
    rows, cols = linear_sum_assignment(cost)
    B = np.zeros((z.shape[1], z.shape[1]))
    for i, j in zip(rows, cols):
        if scales:
            B[i, j] = cross[i, j] / zz[j] if zz[j] > 0 else 0.0
        elif signs:
            B[i, j] = 1.0 if cross[i, j] >= 0 else -1.0
        else:
            B[i, j] = 1.0
    name = "permutations times scalings" if scales else "signed permutations" if signs else "permutations"
    return AffineFit(name + (" and translations" if translations else ""), B, _offset(z, y, B, translations))


def fit_orthogonal(z: Array, y: Array, *, translations: bool = False, special: bool = False,
                   metric: Array | None = None, scaled: bool = False) -> AffineFit:
    """``a(z) = Q z (+ c)`` with ``Q`` orthogonal (``det Q = 1`` when ``special``): Procrustes.
    With ``scaled``, the similarities ``s Q z (+ c)``: ``s`` is the least-squares scale
    ``trace(Sigma) / |z|^2`` of the Procrustes solution (Umeyama).

    With ``metric = S`` (symmetric positive definite) the group is ``B S B^T = S``, fitted
    as ``B = S^{1/2} Q S^{-1/2}`` with ``Q`` the Procrustes solution in whitened
    coordinates (least squares in the metric ``S^{-1}``).
    """
    z, y = _shapes(z, y)
    zc, yc = _centred(z, y, translations)
    root = inv_root = np.eye(z.shape[1])
    if metric is not None:
        values, vectors = np.linalg.eigh(np.asarray(metric, dtype=np.float64))
        root = vectors @ np.diag(np.sqrt(values)) @ vectors.T
        inv_root = vectors @ np.diag(1 / np.sqrt(values)) @ vectors.T
        zc, yc = zc @ inv_root, yc @ inv_root
    U, sigma, Vt = np.linalg.svd(yc.T @ zc)
    if special and np.linalg.det(U @ Vt) < 0:
        U[:, -1] = -U[:, -1]
        sigma[-1] = -sigma[-1]
    scale = float(sigma.sum() / max(float((zc**2).sum()), 1e-300)) if scaled else 1.0
    B = scale * (root @ (U @ Vt) @ inv_root)
    name = ("similarities" if scaled else "rotations" if special else "orthogonal maps") + (
        " and translations" if translations else "")
    return AffineFit(name, B, _offset(z, y, B, translations))


def fit_span(z: Array, y: Array, directions: Sequence[tuple[Array, Array]],
             base: tuple[Array, Array] | None = None, *, name: str = "span") -> AffineFit:
    """``a(z) = (B0 + sum t_k B_k) z + (c0 + sum t_k c_k)``: linear least squares in ``t``.

    Examples
    --------
    >>> z = np.random.default_rng(0).standard_normal((50, 2))
    >>> J = np.array([[0.0, -1.0], [1.0, 0.0]])
    >>> y = z @ (2 * np.eye(2) + 3 * J).T
    >>> zero = np.zeros(2)
    >>> np.round(fit_span(z, y, [(np.eye(2), zero), (J, zero)]).B, 6).tolist()
    [[2.0, -3.0], [3.0, 2.0]]
    """
    z, y = _shapes(z, y)
    n = z.shape[1]
    B0, c0 = base if base is not None else (np.zeros((n, n)), np.zeros(n))
    target = (y - z @ B0.T - c0).ravel()
    if directions:
        design = np.stack([(z @ Bk.T + ck).ravel() for Bk, ck in directions], axis=1)
        t = np.linalg.lstsq(design, target, rcond=None)[0]
    else:
        t = np.zeros(0)
    B = B0 + sum((tk * Bk for tk, (Bk, _) in zip(t, directions)), np.zeros((n, n)))
    c = c0 + sum((tk * ck for tk, (_, ck) in zip(t, directions)), np.zeros(n))
    return AffineFit(name, np.asarray(B, dtype=np.float64), np.asarray(c, dtype=np.float64))


def fit_general(z: Array, y: Array, *, translations: bool = True) -> AffineFit:
    """All affine maps (or all linear maps): ordinary least squares."""
    z, y = _shapes(z, y)
    design = np.hstack([z, np.ones((len(z), 1))]) if translations else z
    coef = np.linalg.lstsq(design, y, rcond=None)[0]
    B = coef[: z.shape[1]].T
    c = coef[z.shape[1]] if translations else np.zeros(z.shape[1])
    return AffineFit("affine maps" if translations else "linear maps", np.asarray(B), np.asarray(c))


def fit_elements(z: Array, y: Array, elements: Sequence[tuple[Array, Array]], *, translations: bool = False,
                 name: str = "finite group") -> AffineFit:
    """The best of finitely many maps ``z -> B z + c`` (each composed with a free translation
    when ``translations``)."""
    z, y = _shapes(z, y)
    best: AffineFit | None = None
    best_error = np.inf
    for B, c in elements:
        c = _offset(z, y, B, True) if translations else c
        fit = AffineFit(name, np.asarray(B, dtype=np.float64), np.asarray(c, dtype=np.float64))
        error = float((fit.residuals(z, y) ** 2).sum())
        if error < best_error:
            best, best_error = fit, error
    if best is None:
        raise ValueError("fit_elements: expected at least one element")
    return best
