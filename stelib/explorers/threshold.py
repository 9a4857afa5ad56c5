"""Explorer of chapters "Measuring the threshold" (the fixed-budget files) and "The threshold
without a budget" (the protocol's files): which scaling of ``m`` collapses the
success curves, at which budget. Its data, :func:`threshold_curves`, rescales measured success
curves with :mod:`stelib.stats`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from .._validate import check_int
from ..censoring import outcomes
from ..plotting import PALETTE
from ..stats import (
    SCALINGS,
    collapse_spread,
    crosses_half,
    fit_m50,
    scale,
    successes_within,
    wilson_interval,
)
from ..widgets import Explorer, choice, explorer, grid

__all__ = ["ThresholdCurves", "threshold_curves", "threshold_explorer"]


class ThresholdCurves(NamedTuple):
    """Success curves of several ``n`` at one budget, rescaled (chapter "Measuring the
    threshold").

    Attributes
    ----------
    scaling : str
        One of :data:`stelib.SCALINGS`.
    budget : int
        Budget ``T``: success is ``0 ≤ τ ≤ T``.
    n : numpy.ndarray of int, shape (P,)
    x : list of numpy.ndarray
        ``m / s(n)`` per ``n``.
    p, lo, hi : list of numpy.ndarray
        Success fraction and its Wilson interval per ``n``.
    x50 : numpy.ndarray, shape (P,)
        Rescaled logistic 50% points ``m₅₀/s(n)``.
    spread : float
        ``max x₅₀ / min x₅₀`` (1 = perfect collapse).
    upper : list
        Per ``n``, the upper bound ``(K + K_cens)/N`` on the success probability without a
        budget (eq. :eq:`threshold-censored-bounds`, :func:`stelib.outcomes`), or ``None`` where
        the run did not record its fixed points (an old success file).
    """

    scaling: str
    budget: int
    n: np.ndarray
    x: list
    p: list
    lo: list
    hi: list
    x50: np.ndarray
    spread: float
    upper: list


def threshold_curves(
    results: Sequence, *, scaling: str = "n^2", budget: int | None = None
) -> ThresholdCurves:
    """Rescale the success curves of ``results`` (one :class:`stelib.SuccessResult` per ``n``).

    ``budget`` defaults to the smallest run budget; it may not exceed it.
    """
    results = list(results)
    if len(results) < 2:
        raise ValueError(f"results holds {len(results)} runs, need at least 2 (several n).")
    most = min(r.steps for r in results)
    budget = most if budget is None else check_int(budget, "budget", min_value=1)
    if budget > most:
        raise ValueError(f"budget == {budget}, must be <= the smallest run budget {most}.")
    ns, xs, ps, los, his, m50, ups = [], [], [], [], [], [], []
    for r in results:
        ups.append(None if r.fixed is None else outcomes(r, budget=budget).upper)
        k = successes_within(r.hits, budget)
        lo, hi = wilson_interval(k, r.trials)
        xs.append(r.m / scale(r.n, scaling))
        ps.append(k / r.trials)
        los.append(lo)
        his.append(hi)
        ns.append(r.n)
        crosses = crosses_half(k, r.trials)
        m50.append(fit_m50(r.m, k, r.trials, bootstrap=1).m50 if crosses else np.nan)
    ns, m50 = np.array(ns), np.array(m50)
    if np.any(np.isnan(m50)):  # no 50% point within the grid: do not extrapolate
        return ThresholdCurves(scaling, budget, ns, xs, ps, los, his, m50 / scale(ns, scaling),
                               float("nan"), ups)  # fmt: skip
    col = collapse_spread(ns, m50, scaling)
    return ThresholdCurves(scaling, budget, ns, xs, ps, los, his, col.x50, col.spread, ups)


def _threshold_plot(d: ThresholdCurves, fig) -> None:
    ax = fig.subplots()
    label = {"n": "m / n", "n log n": "m / (n ln n)", "n^2": "m / n²"}[d.scaling]
    for i, n in enumerate(d.n):
        c = PALETTE[i % len(PALETTE)]
        yerr = np.vstack([d.p[i] - d.lo[i], d.hi[i] - d.p[i]])
        ax.errorbar(d.x[i], d.p[i], yerr=yerr, marker="o", ms=3, color=c, capsize=2,
                    label=f"n = {n}")  # fmt: skip
        if d.upper[i] is not None:  # the censored runs counted as future successes
            ax.plot(d.x[i], d.upper[i], color=c, lw=1, ls="--")
        if np.isfinite(d.x50[i]):
            ax.axvline(d.x50[i], color=c, lw=0.8, ls=":")
    ax.axhline(0.5, color="k", lw=0.6)
    ax.set_xscale("log")
    ax.set(xlabel=f"{label} (log scale)", ylabel=f"P(w* reached within T = {d.budget})")
    ax.legend(
        loc="upper left",
        fontsize=8,
        title="dashed: (K + K_cens)/N" if any(u is not None for u in d.upper) else None,
    )
    if np.isfinite(d.spread):
        ax.set_title(f"Against {label}: 50% points spread by a factor {d.spread:.2f} across n")
    else:
        ax.set_title(f"Against {label}: a curve does not cross 50% on its grid at T = {d.budget}")


def threshold_explorer(
    results: Sequence, *, scaling: str = "n^2", budget: int | None = None
) -> Explorer:
    """Explorer for chapters "Measuring the threshold" and "The threshold without a budget".

    Which scaling of ``m`` collapses the success curves.

    ``results``: one :class:`stelib.SuccessResult` per ``n`` (e.g. read from the chapter's data
    files with :func:`stelib.read_success_file` or :func:`stelib.read_threshold_file`; where the
    runs recorded their fixed points, the figure adds the upper bound on the success probability
    without a budget, eq. :eq:`threshold-censored-bounds`, dashed). Controls: the scaling of
    ``m`` and the budget ``T`` (any ``T`` up to the runs' budget: a run with budget ``T``
    answers every smaller one).
    Data: :func:`threshold_curves`.
    """
    results = list(results)
    most = min(r.steps for r in results)
    steps = tuple(int(b * 10**e) for e in range(2, 8) for b in (1, 2, 5))
    extra = {most} if budget is None else {most, check_int(budget, "budget", min_value=1)}
    budgets = tuple(sorted({b for b in steps if b <= most} | extra))
    return explorer(
        lambda **v: threshold_curves(results, **v),
        _threshold_plot,
        {
            "scaling": choice(scaling, SCALINGS, label="rescale m by"),
            "budget": grid(most if budget is None else budget, budgets, label="budget T"),
        },
        title="Success probability against rescaled sample size",
        summary=lambda d: (
            f"T = {d.budget}: 50% points m₅₀/s(n) = "
            + ", ".join(f"{x:.3g} (n = {n})" for n, x in zip(d.n, d.x50, strict=True))
            + f"; spread max/min = {d.spread:.2f}"
            if np.isfinite(d.spread)
            else f"T = {d.budget}: some curve does not cross 50%"
        ),
        figsize=(8.0, 4.0),
    )
