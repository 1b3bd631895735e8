"""Plots of a verification: why the verdict holds, seed by seed.

Per seed (one row): for each latent, the true ``z_i`` against the learned latent with the
fitted group element undone (``(a^{-1}(f(g(z))))_i``: on the diagonal when ``f∘g = a``
lies in the group), titled with the seed's verdict, R^2 in the group and MCC; then the
learned latents against the group fit's prediction ``a(z)`` and against the best fit in a
proper subgroup ``H`` (the one with the highest R^2): a refuted subgroup leaves the
diagonal, so the figure shows both halves of the claim.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import UnsupportedMechanismError

__all__ = ["plot_report", "require_matplotlib"]


def require_matplotlib() -> Any:
    """Import matplotlib (Agg backend), or fail with one line saying how to get it."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - exercised where matplotlib is absent
        raise UnsupportedMechanismError("--plot needs matplotlib: pip install 'equivid[plot]'") from None
    return plt


def _diagonal(ax: Any, values: Any) -> None:
    low, high = float(np.min(values)), float(np.max(values))
    ax.plot([low, high], [low, high], color="black", linewidth=0.8)


def plot_report(report: Any, path: str, *, points: int = 600) -> None:
    """Write the figure described in the module to ``path`` (PNG)."""
    plt = require_matplotlib()
    seeds = report.seeds
    n = seeds[0].z.shape[1]
    columns = n + 2
    figure, axes = plt.subplots(len(seeds), columns, figsize=(3.0 * columns, 3.0 * len(seeds)), squeeze=False)
    for row, result in enumerate(seeds):
        z, y = result.z[:points], result.y[:points]
        undone = result.fit.undo(y)
        for k in range(n):
            ax = axes[row][k]
            ax.scatter(z[:, k], undone[:, k], s=3, alpha=0.5)
            _diagonal(ax, z[:, k])
            ax.set_xlabel(f"true z{k + 1}", fontsize=8)
            ax.set_ylabel("learned, group element undone", fontsize=8)
            ax.set_title(f"seed {result.seed}: {result.verdict}" if k == 0 else f"z{k + 1}", fontsize=9)
        ax = axes[row][n]
        predicted = result.fit(z)
        ax.scatter(predicted.ravel(), y.ravel(), s=3, alpha=0.5, color="tab:green")
        _diagonal(ax, predicted)
        ax.set_title(f"in the group: R^2 {result.group.value:.3f}\nMCC {result.mcc_pearson:.3f}", fontsize=9)
        ax.set_xlabel("a(z), a fitted in the group", fontsize=8)
        ax.set_ylabel("learned", fontsize=8)
        ax = axes[row][n + 1]
        if result.smaller:
            best = max(range(len(result.smaller)), key=lambda i: result.smaller[i][1].value)
            name, r2, gap = result.smaller[best]
            sub = result.smaller_fits[best](z) if result.smaller_fits else predicted
            ax.scatter(sub.ravel(), y.ravel(), s=3, alpha=0.5, color="tab:red")
            _diagonal(ax, sub)
            ax.set_title(f"best proper subgroup: {name}\nR^2 {r2.value:.3f} (gap {gap.value:.3f})", fontsize=9)
            ax.set_xlabel("a(z), a fitted in the subgroup", fontsize=8)
            ax.set_ylabel("learned", fontsize=8)
        else:
            ax.axis("off")
            ax.text(0.5, 0.5, "no proper subgroup tested", ha="center", va="center", fontsize=9)
    figure.suptitle(f"{report.group}: {report.verdict}", fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
