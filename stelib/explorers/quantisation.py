"""Explorer of chapter "Quantisation and the straight-through estimator": the latent weights of
one small BinaryConnect run, coordinate by coordinate (data: :func:`quantisation_run`)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._validate import check_float, check_int
from ..data import sample_trial
from ..model import empirical_loss, hamming, sign
from ..plotting import PALETTE
from ..ste import STES
from ..trajectory import latent_trajectory
from ..widgets import Explorer, choice, explorer, geometric_grid, grid, slider

__all__ = ["QuantisationRun", "quantisation_run", "quantisation_explorer"]


class QuantisationRun(NamedTuple):
    """One small run of the STE-gradient method, every iterate kept.

    Attributes
    ----------
    n, m, steps : int
        Dimension, samples, iterations.
    eta, init_scale : float
        Step size and scale of ``u₀``.
    ste : str
        The surrogate.
    w_star : numpy.ndarray, shape (n,)
        The teacher.
    u : numpy.ndarray, shape (steps + 1, n)
        Latent weights ``u_t``.
    distance : numpy.ndarray of int, shape (steps + 1,)
        Hamming distance ``d_t`` of ``w_t = sign(u_t)`` to ``w*``.
    loss : numpy.ndarray, shape (steps + 1,)
        Training loss ``L_m(w_t)``.
    hit : int
        First ``t`` with ``w_t = w*``, ``-1`` if none.
    """

    n: int
    m: int
    steps: int
    eta: float
    init_scale: float
    ste: str
    w_star: np.ndarray
    u: np.ndarray
    distance: np.ndarray
    loss: np.ndarray
    hit: int


def quantisation_run(
    *,
    n: int = 8,
    m: int = 200,
    eta: float = 1.0,
    init_scale: float = 0.3,
    ste: str = "identity",
    steps: int = 20,
    seed: int = 0,
) -> QuantisationRun:
    """Draw one noiseless trial (:func:`stelib.sample_trial`, stream ``seed``) and record every
    latent iterate of the STE-gradient method on it (:func:`stelib.latent_trajectory`).

    See chapter "Quantisation and the straight-through estimator".
    """
    n = check_int(n, "n", min_value=1)
    steps = check_int(steps, "steps", min_value=0)
    init_scale = check_float(init_scale, "init_scale", min_value=0.0, strict_min=True)
    t = sample_trial(n, m, init_scale=init_scale, rng=check_int(seed, "seed", min_value=0))
    U = latent_trajectory(t.Z[None], t.y[None], t.u0[None], eta=eta, steps=steps, ste=ste)[0]
    W = sign(U)
    distance = hamming(W, t.w_star)
    loss = np.array([empirical_loss(t.Z, t.y, w) for w in W])
    hits = np.flatnonzero(distance == 0)
    return QuantisationRun(
        n=n,
        m=int(m),
        steps=steps,
        eta=float(eta),
        init_scale=init_scale,
        ste=ste,
        w_star=t.w_star,
        u=U,
        distance=distance,
        loss=loss,
        hit=int(hits[0]) if hits.size else -1,
    )


def _plot(d: QuantisationRun, fig) -> None:
    ax_u, ax_d = fig.subplots(1, 2)
    t = np.arange(d.steps + 1)
    for j in range(d.n):
        color = PALETTE[0] if d.w_star[j] > 0 else PALETTE[1]
        label = None
        if j == int(np.argmax(d.w_star > 0)) or j == int(np.argmax(d.w_star < 0)):
            label = f"coordinates with $w^\\star_j = {int(d.w_star[j]):+d}$"
        ax_u.plot(t, d.u[:, j], color=color, lw=1.3, marker="o", ms=2.5, label=label)
    ax_u.axhline(0.0, color="k", lw=0.8)
    ax_u.set(xlabel="iteration t", ylabel="latent weight $u_{t,j}$")
    ax_u.set_title("latent weights\n(the binary weight is sign(u))")
    ax_u.legend(loc="best")
    ax_d.step(t, d.distance, where="post", color=PALETTE[2], lw=1.5, label="Hamming distance $d_t$")
    ax_d.set(xlabel="iteration t", ylabel="distance $d_t$ (coordinates)")
    ax_l = ax_d.twinx()
    ax_l.step(t, d.loss, where="post", color=PALETTE[3], lw=1.2, ls="--")
    ax_l.set_ylabel("training loss $L_m(w_t)$ (dashed)")
    ax_d.set_title("binary weights:\ndistance to $w^\\star$ and training loss")
    fig.suptitle(
        f"One BinaryConnect run: n = {d.n}, m = {d.m}, η = {d.eta:g}, "
        f"scale of u₀ = {d.init_scale:g}, {d.ste} STE"
    )


def _summary(d: QuantisationRun) -> str:
    where = f"at step {d.hit}" if d.hit >= 0 else f"not within {d.steps} steps"
    return (
        f"w* reached {where}; distance at t = 0: {int(d.distance[0])} of {d.n} coordinates; "
        f"largest |u| at the end: {float(np.abs(d.u[-1]).max()):.3g}."
    )


def quantisation_explorer(
    *,
    n: int = 8,
    m: int = 200,
    eta: float = 1.0,
    init_scale: float = 0.3,
    ste: str = "identity",
    steps: int = 20,
    seed: int = 0,
) -> Explorer:
    """Explorer for chapter "Quantisation and the straight-through estimator".

    Controls: ``n``, ``m``, ``eta``, the scale of ``u₀``, the surrogate, ``steps``, ``seed``.
    Data: :func:`quantisation_run`.
    """
    m_grid = tuple(sorted(set(geometric_grid(5, 5000, 25)) | {check_int(m, "m", min_value=1)}))
    eta_grid = tuple(sorted({0.01, 0.1, 0.3, 1.0, 3.0, float(eta)}))
    scale_grid = tuple(sorted({0.001, 0.01, 0.1, 0.3, 1.0, 3.0, float(init_scale)}))
    return explorer(
        quantisation_run,
        _plot,
        {
            "n": slider(n, 2, 30, 1, label="n (dimension)"),
            "m": grid(m, m_grid, label="m (samples)"),
            "eta": grid(float(eta), eta_grid, label="η (step size)"),
            "init_scale": grid(float(init_scale), scale_grid, label="scale of u₀"),
            "ste": choice(ste, STES, label="STE"),
            "steps": slider(steps, 5, 100, 5, label="steps"),
            "seed": slider(seed, 0, 50, 1, label="seed"),
        },
        title="One BinaryConnect run, coordinate by coordinate",
        summary=_summary,
    )
