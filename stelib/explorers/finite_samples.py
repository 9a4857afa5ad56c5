"""Explorer of chapter "STE with finite samples": one run from inside (data:
:func:`stelib.finite_samples_run`)."""

from __future__ import annotations

import numpy as np

from .._validate import check_int
from ..plotting import PALETTE
from ..trajectory import FiniteSamplesRun, finite_samples_run
from ..widgets import Explorer, explorer, geometric_grid, grid, slider

__all__ = ["finite_samples_explorer"]


def _finite_plot(d: FiniteSamplesRun, fig) -> None:
    ax_d, ax_f, ax_m = fig.subplots(1, 3)
    t = np.arange(d.steps + 1)
    ax_d.plot(t, d.distance, color=PALETTE[0])
    ax_d.set(xlabel="iteration t", ylabel="Hamming distance $d_t$ (coordinates)")
    ax_d.set_title(
        f"w* reached at t = {d.hit}" if d.hit >= 0 else f"no w* within {d.steps} steps",
        fontsize=10,
    )
    ax_f.plot(t[1:], d.flips, color=PALETTE[1], lw=0.6)
    ax_f.set(xlabel="iteration t", ylabel="coordinates flipped in step t")
    ax_f.set_title("flips per step", fontsize=10)
    ax_m.plot(t, d.misclassified, color=PALETTE[2], lw=0.8, label="training samples")
    ax_m.plot(t, d.fresh, color=PALETTE[3], lw=0.8, ls="--", label=r"fresh sample, $\theta_t/\pi$")
    ax_m.set(xlabel="iteration t", ylabel="fraction misclassified")
    ax_m.set_title("training vs fresh error", fontsize=10)
    ax_m.legend(loc="upper right", fontsize=8)
    fig.suptitle(
        f"n = {d.n}, m = {d.m} (m/n² = {d.m / d.n**2:.3g}), η/scale(u₀) = {d.ratio:g}, "
        f"seed {d.seed}"
    )


def _finite_summary(d: FiniteSamplesRun) -> str:
    if d.hit >= 0:
        return f"reaches w* at t = {d.hit}, after {int(d.flips[: d.hit].sum())} sign flips in all"
    return (
        f"no w* within {d.steps} steps; mean d = {d.distance.mean():.1f}, "
        f"{d.flips.mean():.1f} flips per step, {100 * d.misclassified.mean():.1f}% of training "
        f"samples wrong (fresh samples: {100 * d.fresh.mean():.1f}%)"
    )


def finite_samples_explorer(
    *, n: int = 100, m: int = 250, ratio: float = 1000.0, steps: int = 1000, seed: int = 0
) -> Explorer:
    """Explorer for chapter "STE with finite samples": one run from inside.

    Controls: ``n``, ``m`` (geometric grid), ``ratio`` = ``η / scale(u₀)``, ``steps``, ``seed``.
    Data: :func:`finite_samples_run`.
    """
    m_grid = tuple(sorted(set(geometric_grid(20, 5_000, 31)) | {check_int(m, "m", min_value=1)}))
    ratio_grid = tuple(sorted({0.1, 1.0, 10.0, 100.0, 1000.0, 10_000.0, float(ratio)}))
    return explorer(
        lambda **v: finite_samples_run(**v),
        _finite_plot,
        {
            "n": slider(n, 10, 200, 10, label="n (dimension)"),
            "m": grid(m, m_grid, label="m (samples)"),
            "ratio": grid(float(ratio), ratio_grid, label="η / scale of u₀"),
            "steps": slider(steps, 100, 2000, 100, label="steps"),
            "seed": slider(seed, 0, 50, 1, label="seed"),
        },
        title="Inside one STE run: distance, sign flips and misclassified samples",
        summary=_finite_summary,
        figsize=(11.0, 3.6),
    )
