"""Explorer of chapter "Label noise and recurrence": the STE iterate leaves ``w*`` and comes
back. Its data, :func:`recurrence_view`, is one noisy run of the engine with the statistics of
:mod:`stelib.recurrence`: the numbers of ``python -m stelib recurrence``."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .._validate import check_int
from ..experiments import noisy_runs
from ..plotting import PALETTE
from ..recurrence import recurrence_statistics, return_time_histogram
from ..widgets import Explorer, choice, explorer, grid, slider

__all__ = ["RecurrenceView", "recurrence_view", "recurrence_explorer"]

#: Clip choices of :func:`recurrence_explorer` (``"none"``: unbounded latent weights).
_CLIPS = ("none", "10", "1", "0.3", "0.1", "0.03")


class RecurrenceView(NamedTuple):
    """One noisy STE run and its recurrence statistics (chapter "Label noise and recurrence").

    Attributes
    ----------
    n, m, steps, seed : int
    flip, noise_std : float
        Label noise: flip probability ``p`` and additive standard deviation ``s``.
    clip : float or None
        Box ``[−C, C]`` of the latent weights (``None``: unbounded).
    distance : numpy.ndarray of int, shape (steps + 1,)
        Hamming distance ``dₜ`` to ``w*``.
    stats : stelib.RecurrenceStats
        Its statistics (0-d fields).
    return_time_hist : numpy.ndarray of int, shape (16,)
        Completed return times in dyadic bins (:func:`stelib.return_time_histogram`).
    predicted_oscillating : int
        Coordinates with ``h̃ⱼ = hⱼ w*ⱼ > 0`` for the drift ``h = ĝ(w*)``
        (:func:`stelib.drift_prediction`).
    max_abs_u : float
        ``max |u_T|``.
    """

    n: int
    m: int
    flip: float
    noise_std: float
    clip: float | None
    steps: int
    seed: int
    distance: np.ndarray
    stats: Any
    return_time_hist: np.ndarray
    predicted_oscillating: int
    max_abs_u: float


def recurrence_view(
    n: int,
    m: int,
    *,
    flip: float = 0.05,
    noise_std: float = 0.0,
    clip: float | None = None,
    steps: int = 4000,
    seed: int = 0,
) -> RecurrenceView:
    """Trial 0 of ``(n, m)`` at root ``seed`` with label noise, run by the STE engine.

    The numbers are those of ``python -m stelib recurrence`` with the same options.
    """
    n = check_int(n, "n", min_value=1)
    m = check_int(m, "m", min_value=1)
    steps = check_int(steps, "steps", min_value=1)
    run = noisy_runs(n, m, 1, flip, noise_std, clip, steps, seed, [0], 1.0, 1e-3, False)
    d = run.distance[0]
    return RecurrenceView(
        n=n,
        m=m,
        flip=float(flip),
        noise_std=float(noise_std),
        clip=None if clip is None else float(clip),
        steps=steps,
        seed=int(seed),
        distance=d,
        stats=recurrence_statistics(d),
        return_time_hist=return_time_histogram(d),
        predicted_oscillating=int(np.count_nonzero(run.pred.oscillating[0])),
        max_abs_u=float(np.max(np.abs(run.u_final[0]))),
    )


def _recurrence_plot(d: RecurrenceView, fig) -> None:
    ax_d, ax_h = fig.subplots(1, 2, width_ratios=(2.2, 1))
    t = np.arange(d.steps + 1)
    ax_d.plot(t, d.distance, color=PALETTE[0], lw=0.5)
    ax_d.set(xlabel="iteration t", ylabel="Hamming distance $d_t$ to $w^\\star$")
    s = d.stats
    ax_d.set_title(
        f"{int(s.returns)} returns to w*, at w* {100 * float(s.occupation):.1f}% of the time",
        fontsize=10,
    )
    h = d.return_time_hist
    ax_h.bar(np.arange(h.size), h, color=PALETTE[1], width=0.8)
    ax_h.set_xticks(np.arange(0, h.size, 3), [f"$2^{{{b}}}$" for b in range(0, h.size, 3)])
    ax_h.set(xlabel="return time (steps, dyadic bins)", ylabel="number of returns")
    ax_h.set_title("return times", fontsize=10)
    clip = "none" if d.clip is None else f"{d.clip:g}"
    fig.suptitle(
        f"n = {d.n}, m = {d.m} (m/n² = {d.m / d.n**2:.3g}), flip p = {d.flip:g}, "
        f"additive s = {d.noise_std:g}, clip = {clip}, seed {d.seed}"
    )


def _recurrence_summary(d: RecurrenceView) -> str:
    s = d.stats
    if int(s.first_hit) < 0:
        return (
            f"w* never reached in {d.steps} steps (mean distance {float(s.mean_distance):.1f}); "
            f"{d.predicted_oscillating} of {d.n} coordinates would oscillate at w*."
        )
    return (
        f"first hit t = {int(s.first_hit)}; {int(s.returns)} returns; occupation "
        f"{float(s.occupation):.3f}; farthest excursion d = "
        f"{int(s.max_distance_after_first_hit)}; {d.predicted_oscillating} of {d.n} coordinates "
        f"predicted to oscillate; max |u_T| = {d.max_abs_u:.3g}."
    )


def recurrence_explorer(
    *,
    n: int = 30,
    ratio: float = 0.8,
    flip: float = 0.05,
    noise_std: float = 0.0,
    clip: str = "none",
    steps: int = 4000,
    seed: int = 0,
) -> Explorer:
    """Explorer for chapter "Label noise and recurrence": returns to ``w*`` under label noise.

    Controls: ``ratio`` = ``m/n²`` (``m = round(ratio · n²)``), flip probability ``flip``,
    additive noise ``noise_std``, box ``clip`` (``"none"`` or a number) and ``seed``, at fixed
    ``n`` and ``steps``. Data: :func:`recurrence_view`.
    """
    n = check_int(n, "n", min_value=2)
    steps = check_int(steps, "steps", min_value=1)
    ratios = tuple(sorted({0.05, 0.1, 0.2, 0.4, 0.8, 1.6, float(ratio)}))

    def compute(*, ratio, flip, noise_std, clip, seed):
        m = max(1, int(round(ratio * n * n)))
        box = None if clip == "none" else float(clip)
        return recurrence_view(
            n, m, flip=flip, noise_std=noise_std, clip=box, steps=steps, seed=seed
        )

    return explorer(
        compute,
        _recurrence_plot,
        {
            "ratio": grid(float(ratio), ratios, label="m/n²"),
            "flip": slider(float(flip), 0.0, 0.3, 0.01, label="flip p"),
            "noise_std": slider(float(noise_std), 0.0, 1.0, 0.05, label="additive s"),
            "clip": choice(clip, _CLIPS, label="clip C"),
            "seed": slider(seed, 0, 50, 1, label="seed"),
        },
        title="Label noise: the STE iterate leaves w* and comes back",
        summary=_recurrence_summary,
        figsize=(10.0, 3.6),
    )
