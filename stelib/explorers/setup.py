"""Explorer of chapter "The setup, derived": finite-sample STE runs against the population
dynamics (data: :func:`stelib.setup_trajectories`)."""

from __future__ import annotations

import numpy as np

from .._validate import check_int
from ..plotting import PALETTE
from ..ste import STES
from ..trajectory import SetupTrajectories, setup_trajectories
from ..widgets import Explorer, choice, explorer, geometric_grid, grid, slider

__all__ = ["setup_explorer"]


def _setup_plot(d: SetupTrajectories, fig) -> None:
    ax_d, ax_l = fig.subplots(1, 2)
    t = np.arange(d.steps + 1)
    for i in range(d.distance.shape[0]):
        c = PALETTE[i % len(PALETTE)]
        ax_d.plot(t, d.distance[i], color=c, lw=1.5, label="finite m" if i == 0 else None)
        ax_d.plot(t, d.population_distance[i], color=c, lw=1.2, ls="--",
                  label="population (m = ∞)" if i == 0 else None)  # fmt: skip
        ax_l.plot(t, d.loss[i], color=c, lw=1.5, label="training loss $L_m$" if i == 0 else None)
        ax_l.plot(t, d.population_loss[i], color=c, lw=1.2, ls="--",
                  label="population loss $2\\theta/\\pi$" if i == 0 else None)  # fmt: skip
    ax_d.set(xlabel="iteration t", ylabel="Hamming distance $d_t$ (coordinates)")
    ax_l.set(xlabel="iteration t", ylabel="loss")
    ax_d.legend(loc="upper right")
    ax_l.legend(loc="upper right")
    reached = int(np.sum(d.hit >= 0))
    trials = d.distance.shape[0]
    ax_d.set_title(f"{reached} of {trials} runs reach w* within {d.steps} steps")
    ax_l.set_title("training loss vs population loss")
    fig.suptitle(f"n = {d.n}, m = {d.m} (m/n² = {d.m / d.n**2:.2g}), η = {d.eta:g}, {d.ste} STE")


def _setup_summary(d: SetupTrajectories) -> str:
    hits = ", ".join(str(h) if h >= 0 else "never" for h in d.hit)
    pops = ", ".join(str(s) for s in d.population_steps)
    return (
        f"First step at w*, finite m: {hits}. Population dynamics: {pops} steps "
        f"(seed {d.seed}, trials drawn by <code>sl.sample_trials</code>)."
    )


def setup_explorer(
    *,
    n: int = 50,
    m: int = 1000,
    eta: float = 1.0,
    ste: str = "identity",
    steps: int = 60,
    trials: int = 4,
    seed: int = 0,
) -> Explorer:
    """Explorer for chapter "The setup, derived": finite-sample STE runs vs the population.

    Controls: ``n``, ``m`` (geometric grid), ``eta`` (step size with ``u₀ ~ N(0, I)``: only
    ``η`` relative to the scale of ``u₀`` matters), ``ste``, ``steps`` and ``seed``; ``trials``
    runs are drawn per setting. Data: :func:`setup_trajectories`.
    """
    m_grid = tuple(sorted(set(geometric_grid(10, 10_000, 31)) | {check_int(m, "m", min_value=1)}))
    eta_grid = tuple(sorted({0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, float(eta)}))
    trials = check_int(trials, "trials", min_value=1)

    def compute(**values):
        return setup_trajectories(trials=trials, **values)

    return explorer(
        compute,
        _setup_plot,
        {
            "n": slider(n, 5, 200, 5, label="n (dimension)"),
            "m": grid(m, m_grid, label="m (samples)"),
            "eta": grid(float(eta), eta_grid, label="η / scale of u₀"),
            "ste": choice(ste, STES, label="STE"),
            "steps": slider(steps, 10, 400, 10, label="steps"),
            "seed": slider(seed, 0, 50, 1, label="seed"),
        },
        title="Finite-sample STE runs against the population dynamics",
        summary=_setup_summary,
    )
