"""Plots of a verification: true latents against learned ones, fitted group element undone."""

from __future__ import annotations

from typing import Any

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


def plot_report(report: Any, path: str, *, points: int = 600) -> None:
    """One row per seed, one column per latent: ``z_i`` against ``(a^{-1}(f(g(z))))_i``,
    where ``a`` is the element of the predicted group fitted for that seed."""
    plt = require_matplotlib()
    seeds = report.seeds
    n = seeds[0].z.shape[1]
    figure, axes = plt.subplots(len(seeds), n, figsize=(3.2 * n, 3.0 * len(seeds)), squeeze=False)
    for row, result in enumerate(seeds):
        undone = result.fit.undo(result.y[:points])
        for k in range(n):
            ax = axes[row][k]
            ax.scatter(result.z[:points, k], undone[:, k], s=3, alpha=0.5)
            low, high = float(result.z[:points, k].min()), float(result.z[:points, k].max())
            ax.plot([low, high], [low, high], color="black", linewidth=0.8)
            ax.set_title(f"seed {result.seed}, z{k + 1}: {result.verdict}", fontsize=9)
            ax.set_xlabel("true")
            ax.set_ylabel("learned, group element undone")
    figure.suptitle(f"{report.group}: {report.verdict}", fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
