"""Explorer of chapter "STE variants and practice": a surrogate's population coarse gradient
and a few runs with it, full batch or mini-batch (data: :func:`variants_view`)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._validate import check_int
from ..data import sample_trials
from ..plotting import PALETTE
from ..ste import STES, ste_gradient_method
from ..variants import minibatch_stream, samples_processed, surrogate_coefficients
from ..widgets import Explorer, choice, explorer, grid, slider

__all__ = ["VariantsView", "variants_view", "variants_explorer"]


class VariantsView(NamedTuple):
    """What :func:`variants_explorer` shows.

    Attributes
    ----------
    n, m, steps, seed : int
    minibatch : int or None
        The batch size (``None``: full batch).
    ste : str
    ste_scale : float
    theta : numpy.ndarray
        Angles ``θ`` at which the coefficients are evaluated.
    right, wrong : numpy.ndarray
        ``√n κ₊(θ)``, ``√n κ₋(θ)`` of the surrogate.
    identity_wrong : numpy.ndarray
        ``√n κ₋(θ)`` of the identity STE (``κ₊ = 0`` there).
    samples : numpy.ndarray of int, shape (steps + 1,)
        Per-sample gradients computed after ``t`` steps.
    distance : numpy.ndarray of int, shape (trials, steps + 1)
        Hamming distance ``d_t`` of each run.
    """

    n: int
    m: int
    steps: int
    seed: int
    minibatch: int | None
    ste: str
    ste_scale: float
    theta: np.ndarray
    right: np.ndarray
    wrong: np.ndarray
    identity_wrong: np.ndarray
    samples: np.ndarray
    distance: np.ndarray


def variants_view(
    *,
    n: int = 25,
    m: int = 60,
    ste: str = "identity",
    ste_scale: float = 1.0,
    minibatch: int = 0,
    steps: int = 300,
    trials: int = 6,
    seed: int = 0,
) -> VariantsView:
    """The coefficients of :func:`stelib.surrogate_coefficients` over ``θ`` and ``trials`` runs
    of :func:`stelib.ste_gradient_method` (trials of :func:`stelib.sample_trials`, mini-batch
    streams :func:`stelib.minibatch_stream`); ``minibatch=0`` means the full batch."""
    n = check_int(n, "n", min_value=1)
    m = check_int(m, "m", min_value=1)
    minibatch = check_int(minibatch, "minibatch", min_value=0) or None
    if minibatch is not None:
        minibatch = min(minibatch, m)
    theta = np.linspace(0.02, np.pi - 0.02, 60)
    coef = np.array([surrogate_coefficients(t, n=n, ste=ste, ste_scale=ste_scale) for t in theta])
    ident = np.array([surrogate_coefficients(t, n=n)[1] for t in theta])
    t = sample_trials(n, m, trials=trials, seed=seed)
    rng = None
    if minibatch is not None:
        rng = [minibatch_stream(seed, n=n, m=m, k=1, trial=i) for i in range(trials)]
    res = ste_gradient_method(
        t.Z, t.y, t.u0, w_star=t.w_star, steps=steps, ste=ste, ste_scale=ste_scale,
        minibatch=minibatch, rng=rng, record=True,
    )  # fmt: skip
    return VariantsView(
        n=n,
        m=m,
        steps=steps,
        seed=seed,
        minibatch=minibatch,
        ste=ste,
        ste_scale=float(ste_scale),
        theta=theta,
        right=coef[:, 0] * np.sqrt(n),
        wrong=coef[:, 1] * np.sqrt(n),
        identity_wrong=ident * np.sqrt(n),
        samples=samples_processed(np.arange(steps + 1), m=m, minibatch=minibatch),
        distance=res.distance,
    )


def _plot(d: VariantsView, fig) -> None:
    ax_k, ax_d = fig.subplots(1, 2)
    deg = np.degrees(d.theta)
    ax_k.plot(deg, d.identity_wrong, color="k", lw=1, ls=":", label="identity: wrong (right = 0)")
    ax_k.plot(deg, d.wrong, color=PALETTE[0], lw=1.5, label=f"{d.ste}: wrong coordinates")
    ax_k.plot(deg, d.right, color=PALETTE[1], lw=1.5, label=f"{d.ste}: right coordinates")
    ax_k.axhline(0.0, color="k", lw=0.6)
    ax_k.set(xlabel="angle θ between w and w* (degrees)", ylabel="√n κ± (population)")
    ax_k.set_title("population coarse gradient per coordinate")
    ax_k.legend(loc="best")
    for i, row in enumerate(d.distance):
        ax_d.step(d.samples, row, where="post", color=PALETTE[i % len(PALETTE)], lw=1.2)
    ax_d.set(xlabel="per-sample gradients computed", ylabel="Hamming distance $d_t$")
    batch = "full batch" if d.minibatch is None else f"batch size {d.minibatch}"
    reached = int(np.sum(d.distance[:, -1] == 0))
    ax_d.set_title(f"{reached} of {d.distance.shape[0]} runs at w* after {d.steps} steps")
    fig.suptitle(f"{d.ste} STE (width {d.ste_scale:g}·√n), n = {d.n}, m = {d.m}, {batch}")


def _summary(d: VariantsView) -> str:
    i = int(np.argmin(np.abs(d.theta - np.pi / 2)))
    return (
        f"At θ = 90°: √n κ₋ = {d.wrong[i]:.3f} (identity {d.identity_wrong[i]:.3f}), "
        f"√n κ₊ = {d.right[i]:.3f}; final distances: "
        f"{', '.join(str(int(v)) for v in d.distance[:, -1])}."
    )


def variants_explorer(
    *,
    n: int = 25,
    m: int = 60,
    ste: str = "clipped",
    ste_scale: float = 1.0,
    minibatch: int = 0,
    steps: int = 300,
    seed: int = 0,
) -> Explorer:
    """Explorer for chapter "STE variants and practice": surrogate, width, ``n``, ``m``, batch
    size (0: full batch), ``steps``, ``seed``. Data: :func:`variants_view`."""
    return explorer(
        variants_view,
        _plot,
        {
            "n": slider(n, 5, 60, 5, label="n (dimension)"),
            "m": grid(m, tuple(sorted({20, 30, 40, 60, 80, 120, 200, 400, int(m)})), label="m"),
            "ste": choice(ste, STES, label="STE"),
            "ste_scale": grid(float(ste_scale), (0.25, 0.5, 1.0, 2.0, 4.0), label="width / √n"),
            "minibatch": grid(int(minibatch), (0, 1, 2, 4, 8, 16), label="batch size (0: full)"),
            "steps": slider(steps, 50, 1000, 50, label="steps"),
            "seed": slider(seed, 0, 50, 1, label="seed"),
        },
        title="STE variants: the population gradient and a few runs",
        summary=_summary,
    )
