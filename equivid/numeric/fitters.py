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
    """The fitted element ``a(z) = B z + c`` of the group named ``group``.

    Calling it applies ``a`` to the rows of an ``(N, n)`` array.

    Parameters
    ----------
    group : str
        The name of the group it was fitted in (e.g. ``"signed permutations"``).
    B : numpy.ndarray
        The linear part, ``(n, n)``.
    c : numpy.ndarray
        The translation, ``(n,)``.

    Examples
    --------
    >>> a = AffineFit("uniform scalings and translations", 2 * np.eye(2), np.array([1.0, 0.0]))
    >>> a(np.array([[1.0, 1.0]])).tolist(), a.undo(np.array([[3.0, 2.0]])).tolist()
    ([[3.0, 2.0]], [[1.0, 1.0]])
    >>> a.residuals(np.array([[1.0, 1.0]]), np.array([[3.0, 3.0]])).tolist()
    [[0.0, 1.0]]
    """

    group: str
    B: Array
    c: Array

    def __call__(self, z: Array) -> Array:
        return np.asarray(z @ self.B.T + self.c)

    def undo(self, y: Array) -> Array:
        """``a^{-1}(y) = B^{-1} (y - c)`` (least squares where ``B`` is singular).

        Parameters
        ----------
        y : numpy.ndarray
            Points ``(N, n)`` in the image of ``a``.

        Returns
        -------
        numpy.ndarray
            Their preimages, ``(N, n)``.
        """
        return np.asarray(np.linalg.lstsq(self.B, (np.asarray(y) - self.c).T, rcond=None)[0].T)

    def residuals(self, z: Array, y: Array) -> Array:
        """The residuals ``y - a(z)``, row by row.

        Parameters
        ----------
        z : numpy.ndarray
            True latents, ``(N, n)``.
        y : numpy.ndarray
            Learned latents, ``(N, n)``.

        Returns
        -------
        numpy.ndarray
            ``y - a(z)``, ``(N, n)``.
        """
        return np.asarray(y - self(z))


def r2_score(y: Array, residuals: Array) -> float:
    """Mean over coordinates of ``1 - SS_res / SS_tot`` (0 for a constant coordinate).

    Parameters
    ----------
    y : numpy.ndarray
        The targets, ``(N, n)``.
    residuals : numpy.ndarray
        The residuals of a prediction of ``y``, ``(N, n)``.

    Returns
    -------
    float
        The mean R^2 over the coordinates (1 for a perfect prediction; negative when it
        is worse than each coordinate's mean).

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
    """The identity ``a(z) = z`` (nothing to fit).

    Parameters
    ----------
    z : numpy.ndarray
        True latents, ``(N, n)``.
    y : numpy.ndarray
        Learned latents, ``(N, n)``, row ``i`` paired with row ``i`` of ``z``.

    Returns
    -------
    AffineFit
        The least-squares best element.

    Raises
    ------
    ValueError
        When ``z`` and ``y`` are not two ``(N, n)`` arrays of one shape.

    Examples
    --------
    >>> z = np.random.default_rng(0).standard_normal((10, 2))
    >>> fit = fit_identity(z, z + 1.0)
    >>> fit.group, fit.B.tolist(), fit.c.tolist()
    ('identity', [[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0])
    """
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
    """``a(z) = z + c``: ``c = mean(y - z)``.

    Parameters
    ----------
    z : numpy.ndarray
        True latents, ``(N, n)``.
    y : numpy.ndarray
        Learned latents, ``(N, n)``, row ``i`` paired with row ``i`` of ``z``.

    Returns
    -------
    AffineFit
        The least-squares best element.

    Raises
    ------
    ValueError
        When ``z`` and ``y`` are not two ``(N, n)`` arrays of one shape.

    Examples
    --------
    >>> z = np.random.default_rng(0).standard_normal((10, 2))
    >>> np.round(fit_translations(z, z + [1.0, -2.0]).c, 6).tolist()
    [1.0, -2.0]
    """
    z, y = _shapes(z, y)
    return AffineFit("translations", np.eye(z.shape[1]), np.asarray((y - z).mean(axis=0)))


def fit_scalings(z: Array, y: Array, *, diagonal: bool = True, translations: bool = False) -> AffineFit:
    """``a(z) = D z (+ c)`` with ``D`` diagonal (or ``s I`` when ``diagonal=False``).

    Parameters
    ----------
    z : numpy.ndarray
        True latents, ``(N, n)``.
    y : numpy.ndarray
        Learned latents, ``(N, n)``, row ``i`` paired with row ``i`` of ``z``.
    diagonal : bool, default True
        Diagonal scalings ``D``; ``False``: uniform scalings ``s I``.
    translations : bool, default False
        Compose with a free translation ``c``.

    Returns
    -------
    AffineFit
        The least-squares best element.

    Raises
    ------
    ValueError
        When ``z`` and ``y`` are not two ``(N, n)`` arrays of one shape.

    Examples
    --------
    >>> z = np.random.default_rng(0).standard_normal((50, 2))
    >>> np.round(np.diag(fit_scalings(z, z * [2.0, -3.0]).B), 6).tolist()
    [2.0, -3.0]
    >>> fit = fit_scalings(z, 2 * z + 1.0, diagonal=False, translations=True)
    >>> fit.group, np.round(np.diag(fit.B), 6).tolist(), np.round(fit.c, 6).tolist()
    ('uniform scalings and translations', [2.0, 2.0], [1.0, 1.0])
    """
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

    Parameters
    ----------
    z : numpy.ndarray
        True latents, ``(N, n)``.
    y : numpy.ndarray
        Learned latents, ``(N, n)``, row ``i`` paired with row ``i`` of ``z``.
    signs : bool, default False
        Signed permutation matrices (entries ``±1``).
    scales : bool, default False
        Permutation matrices times diagonal scalings (free nonzero entries); takes
        precedence over ``signs``.
    translations : bool, default False
        Compose with a free translation ``c``.

    Returns
    -------
    AffineFit
        The least-squares best element.

    Raises
    ------
    ValueError
        When ``z`` and ``y`` are not two ``(N, n)`` arrays of one shape.

    Examples
    --------
    >>> z = np.random.default_rng(0).standard_normal((50, 3))
    >>> fit_permutations(z, z[:, [1, 2, 0]]).B.astype(int).tolist()
    [[0, 1, 0], [0, 0, 1], [1, 0, 0]]
    >>> fit = fit_permutations(z, z[:, [1, 0, 2]] * [2.0, 1.0, -0.5], scales=True)
    >>> fit.group, np.round(fit.B, 6).tolist()
    ('permutations times scalings', [[0.0, 2.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, -0.5]])
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

    Parameters
    ----------
    z : numpy.ndarray
        True latents, ``(N, n)``.
    y : numpy.ndarray
        Learned latents, ``(N, n)``, row ``i`` paired with row ``i`` of ``z``.
    translations : bool, default False
        Compose with a free translation ``c``.
    special : bool, default False
        Only ``det Q = 1`` (rotations).
    metric : numpy.ndarray, optional
        A symmetric positive definite ``(n, n)`` matrix ``S``: fit in ``O(S)`` instead of
        ``O(n)``.
    scaled : bool, default False
        The similarities ``s Q`` (a free scale ``s``).

    Returns
    -------
    AffineFit
        The least-squares best element.

    Raises
    ------
    ValueError
        When ``z`` and ``y`` are not two ``(N, n)`` arrays of one shape.

    Examples
    --------
    >>> z = np.random.default_rng(0).standard_normal((50, 2))
    >>> R = np.array([[0.6, -0.8], [0.8, 0.6]])
    >>> fit = fit_orthogonal(z, z @ R.T, special=True)
    >>> fit.group, bool(np.allclose(fit.B, R))
    ('rotations', True)
    >>> fit = fit_orthogonal(z, 2 * z @ R.T + 1.0, scaled=True, translations=True)
    >>> fit.group, bool(np.allclose(fit.B, 2 * R)), np.round(fit.c, 6).tolist()
    ('similarities and translations', True, [1.0, 1.0])
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

    Parameters
    ----------
    z : numpy.ndarray
        True latents, ``(N, n)``.
    y : numpy.ndarray
        Learned latents, ``(N, n)``, row ``i`` paired with row ``i`` of ``z``.
    directions : sequence of (numpy.ndarray, numpy.ndarray)
        The directions ``(B_k, c_k)`` (an ``(n, n)`` matrix and an ``(n,)`` vector each).
    base : (numpy.ndarray, numpy.ndarray), optional
        The base point ``(B0, c0)`` (default: zero).
    name : str, default "span"
        The group's name in the fit.

    Returns
    -------
    AffineFit
        The least-squares best element.

    Raises
    ------
    ValueError
        When ``z`` and ``y`` are not two ``(N, n)`` arrays of one shape.

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
    """All affine maps ``a(z) = B z + c`` (or all linear maps ``B z``): ordinary least squares.

    Parameters
    ----------
    z : numpy.ndarray
        True latents, ``(N, n)``.
    y : numpy.ndarray
        Learned latents, ``(N, n)``, row ``i`` paired with row ``i`` of ``z``.
    translations : bool, default True
        Affine maps; ``False``: linear maps (``c = 0``).

    Returns
    -------
    AffineFit
        The least-squares best element.

    Raises
    ------
    ValueError
        When ``z`` and ``y`` are not two ``(N, n)`` arrays of one shape.

    Examples
    --------
    >>> z = np.random.default_rng(0).standard_normal((50, 2))
    >>> A = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> fit = fit_general(z, z @ A.T + [5.0, 6.0])
    >>> fit.group, np.round(fit.B, 6).tolist(), np.round(fit.c, 6).tolist()
    ('affine maps', [[1.0, 2.0], [3.0, 4.0]], [5.0, 6.0])
    """
    z, y = _shapes(z, y)
    design = np.hstack([z, np.ones((len(z), 1))]) if translations else z
    coef = np.linalg.lstsq(design, y, rcond=None)[0]
    B = coef[: z.shape[1]].T
    c = coef[z.shape[1]] if translations else np.zeros(z.shape[1])
    return AffineFit("affine maps" if translations else "linear maps", np.asarray(B), np.asarray(c))


def fit_elements(z: Array, y: Array, elements: Sequence[tuple[Array, Array]], *, translations: bool = False,
                 name: str = "finite group") -> AffineFit:
    """The best of finitely many maps ``z -> B z + c`` (each composed with a free translation
    when ``translations``).

    Parameters
    ----------
    z : numpy.ndarray
        True latents, ``(N, n)``.
    y : numpy.ndarray
        Learned latents, ``(N, n)``, row ``i`` paired with row ``i`` of ``z``.
    elements : sequence of (numpy.ndarray, numpy.ndarray)
        The maps ``(B, c)`` to choose from (``c`` is ignored when ``translations``).
    translations : bool, default False
        Compose each map with a free translation (least squares).
    name : str, default "finite group"
        The group's name in the fit.

    Returns
    -------
    AffineFit
        The element with the least squared residual.

    Raises
    ------
    ValueError
        When ``elements`` is empty, or ``z`` and ``y`` are not two ``(N, n)`` arrays of
        one shape.

    Examples
    --------
    >>> z = np.random.default_rng(0).standard_normal((50, 2))
    >>> flips = [(np.diag([s, t]), np.zeros(2)) for s in (1.0, -1.0) for t in (1.0, -1.0)]
    >>> fit_elements(z, z * [1.0, -1.0], flips, name="sign flips").B.tolist()
    [[1.0, 0.0], [0.0, -1.0]]
    """
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
