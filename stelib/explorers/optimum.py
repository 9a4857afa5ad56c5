"""Explorer of chapter "STE against the optimum": the version space and AMP, one trial each.

Left: the version space ``V`` of trial ``seed`` at small ``(n, m)``, enumerated exhaustively
(:func:`stelib.version_space`), as a histogram of the Hamming distances of its members to
``w*``. Right: AMP (:func:`stelib.amp`) on trial ``seed`` at ``(n_amp, round(α n_amp))``, its
overlap ``⟨ŵₜ, w*⟩/n`` per iteration next to the state-evolution prediction
(:func:`stelib.state_evolution`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._validate import check_float, check_int
from ..data import sample_trial, trial_seed
from ..message_passing import amp, state_evolution
from ..model import hamming
from ..optimum import version_space
from ..plotting import PALETTE
from ..widgets import Explorer, explorer, slider

__all__ = ["OptimumView", "optimum_view", "optimum_explorer"]


class OptimumView(NamedTuple):
    """What :func:`optimum_explorer` shows (chapter "STE against the optimum").

    Attributes
    ----------
    n, m, seed : int
        The small trial whose version space is enumerated.
    size : int
        ``|V|``.
    distances : numpy.ndarray of int, shape (n + 1,)
        Members of ``V`` at Hamming distance ``d`` from ``w*``, ``d = 0 … n``.
    alpha : float
    n_amp, m_amp : int
        The AMP trial: ``m_amp = round(α n_amp)``.
    amp_overlap : numpy.ndarray, shape (iterations + 1,)
        ``⟨ŵₜ, w*⟩/n_amp`` per AMP iteration.
    amp_exact : bool
        ``sign(ŵ) = w*`` at the end.
    se_q : numpy.ndarray, shape (iterations + 1,)
        State-evolution overlap ``Qₜ`` over the same iterations (undamped).
    """

    n: int
    m: int
    seed: int
    size: int
    distances: np.ndarray
    alpha: float
    n_amp: int
    m_amp: int
    amp_overlap: np.ndarray
    amp_exact: bool
    se_q: np.ndarray


def optimum_view(
    n: int, m: int, *, alpha: float = 1.6, n_amp: int = 500, seed: int = 0
) -> OptimumView:
    """Trial ``seed`` at ``(n, m)``: its version space; trial ``seed`` at ``(n_amp, α n_amp)``: AMP.

    Both trials come from :func:`stelib.trial_seed` (``k = 1``, noiseless), so they are the
    trials of :func:`stelib.optimum_success` and :func:`stelib.amp_success`.
    """
    n = check_int(n, "n", min_value=1)
    if n > 20:
        raise ValueError(f"n == {n}, must be <= 20 (the explorer enumerates all 2^n weights).")
    m = check_int(m, "m", min_value=1)
    alpha = check_float(alpha, "alpha", min_value=0.0, strict_min=True)
    n_amp = check_int(n_amp, "n_amp", min_value=1)
    seed = check_int(seed, "seed", min_value=0)
    t = sample_trial(n, m, rng=trial_seed(seed, n=n, m=m, k=1, trial=0))
    v = version_space(t.Z[:, 0, :], t.y_clean, max_members=2**n)
    dist = np.bincount(hamming(v.members, t.w_star).astype(np.int64), minlength=n + 1)
    m_amp = max(1, int(round(alpha * n_amp)))
    ta = sample_trial(n_amp, m_amp, rng=trial_seed(seed, n=n_amp, m=m_amp, k=1, trial=0))
    res = amp(ta.Z[:, 0, :], ta.y_clean, w_star=ta.w_star)
    ov = res.overlap[: res.iterations + 1]
    se = state_evolution(alpha, steps=res.iterations)
    return OptimumView(
        n=n,
        m=m,
        seed=seed,
        size=v.size,
        distances=dist,
        alpha=alpha,
        n_amp=n_amp,
        m_amp=m_amp,
        amp_overlap=ov,
        amp_exact=bool(np.all(np.where(res.w >= 0, 1.0, -1.0) == ta.w_star)),
        se_q=se.q,
    )


def _plot(d: OptimumView, fig) -> None:
    ax_v, ax_a = fig.subplots(1, 2)
    ax_v.bar(np.arange(d.n + 1), d.distances, color=PALETTE[0], width=0.8)
    ax_v.set(xlabel="Hamming distance to $w^\\star$", ylabel="members of V")
    ax_v.set_title(f"|V| = {d.size}: best possible P(exact) = 1/|V| = {1 / d.size:.3g}")
    it = np.arange(d.amp_overlap.size)
    ax_a.plot(it, d.amp_overlap, "o-", ms=3, color=PALETTE[1], label=f"AMP, n = {d.n_amp}")
    ax_a.plot(it, d.se_q, "--", color=PALETTE[2], label="state evolution")
    ax_a.set(xlabel="iteration t", ylabel="overlap with $w^\\star$", ylim=(0, 1.05))
    ax_a.set_title(f"AMP {'recovers' if d.amp_exact else 'misses'} w* at α = {d.alpha:g}")
    ax_a.legend(loc="lower right")
    fig.suptitle(
        f"Left: trial {d.seed} at n = {d.n}, m = {d.m} (α = {d.m / d.n:.2f}); "
        f"right: trial {d.seed} at n = {d.n_amp}, m = {d.m_amp}"
    )


def _summary(d: OptimumView) -> str:
    return (
        f"|V| = {d.size} at n = {d.n}, m = {d.m}; AMP at α = {d.alpha:g}: final overlap "
        f"{d.amp_overlap[-1]:.3f} (state evolution {d.se_q[-1]:.3f}), "
        f"{'exact' if d.amp_exact else 'not exact'} after {d.amp_overlap.size - 1} iterations."
    )


def optimum_explorer(
    *, n: int = 14, m: int = 16, alpha: float = 1.6, n_amp: int = 500, seed: int = 0
) -> Explorer:
    """Explorer for chapter "STE against the optimum". Data: :func:`optimum_view`.

    Controls: ``n`` (6 to 18) and ``m`` of the enumerated trial, ``α`` of the AMP trial (at fixed
    ``n_amp``), and ``seed``.
    """
    n_amp = check_int(n_amp, "n_amp", min_value=1)

    def compute(*, n, m, alpha, seed):
        return optimum_view(n, m, alpha=alpha, n_amp=n_amp, seed=seed)

    return explorer(
        compute,
        _plot,
        {
            "n": slider(n, 6, 18, 1, label="n (enumerated)"),
            "m": slider(m, 1, 60, 1, label="m (enumerated)"),
            "alpha": slider(float(alpha), 0.5, 3.0, 0.05, label=f"α = m/n (AMP, n = {n_amp})"),
            "seed": slider(seed, 0, 50, 1, label="trial"),
        },
        title="The version space at small n, and AMP at large n",
        summary=_summary,
        figsize=(10.0, 3.8),
    )
