"""Censored success curves: bounds on ``P(success)`` as ``T → ∞`` and an interval for ``m₅₀``.

Taught in chapter "The threshold without a budget" (``chapters/threshold_budget.ipynb``), which
describes the protocol (issue 13).

With noiseless labels a run of the STE-gradient method that reaches a fixed point (``ĝ = 0``
exactly) never moves again. Within a budget ``T`` every trial therefore ends in one of three
outcomes:

* **success**: it reached ``w*`` (a fixed point) at some ``t ≤ T``;
* **stuck**: it reached a fixed point ``w ≠ w*`` at some ``t ≤ T`` (with the identity STE and
  labels ``±a₀``, ``ĝ = 0`` exactly when no sample is misclassified: a zero-training-loss weight
  other than ``w*``), a failure for every budget;
* **censored**: neither; the run was still moving at ``T``.

So with ``S``, ``F``, ``C`` the counts out of ``N`` trials, the success probability without a
budget obeys ``S/N ≤ P(m, T = ∞) ≤ (S + C)/N``. Both
bounds increase with ``m`` in expectation, so the 50% point of the ``T = ∞`` curve lies between
the 50% point of the upper curve and that of the lower one, which is the budget's own ``m₅₀(T)``:
``m₅₀(∞) ∈ [m₅₀((S + C)/N), m₅₀(S/N)]`` (:func:`m50_bounds`, each end with its bootstrap
interval). A run with budget ``T`` also answers every ``T' ≤ T`` (a trial's first ``T'`` steps
do not depend on ``T``), so one long run gives the whole path ``T ↦ m₅₀(T)``
(:func:`m50_path`) and the flattening test of the protocol (:func:`flat_budget`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import check_float, check_int
from .experiments import SuccessResult
from .stats import M50Fit, _logistic_mle, crosses_half, fit_m50

__all__ = [
    "join_sizes",
    "Outcomes",
    "outcomes",
    "M50Bounds",
    "m50_bounds",
    "M50Path",
    "m50_path",
    "flat_budget",
    "EstimatorError",
    "m50_estimator_error",
    "LocalExponents",
    "local_exponents",
    "ThresholdTable",
    "threshold_table",
]


def join_sizes(*results: SuccessResult) -> SuccessResult:
    """One result from runs of the same protocol split over sizes ``m`` (e.g. a data file per
    half of the grid): trial ``i`` at ``(n, m, k)`` has its own seed, so the joined result is the
    one a single run over all the sizes would give.

    Raises ``ValueError`` unless every result has the same ``n, k, trials, steps, seed``, all or
    none carry ``fixed``, and no size appears twice. Rows are sorted by ``m``.
    """
    if not results or not all(isinstance(r, SuccessResult) for r in results):
        raise ValueError("results must be one or more SuccessResult.")
    first = results[0]
    for name in ("n", "k", "trials", "steps", "seed"):
        values = {getattr(r, name) for r in results}
        if len(values) > 1:
            raise ValueError(f"results differ in {name}: {sorted(values)}")
    if len({r.fixed is None for r in results}) > 1:
        raise ValueError("results must all record fixed points, or none.")
    m = np.concatenate([r.m for r in results])
    if len(np.unique(m)) < len(m):
        raise ValueError(f"results share sizes m: {sorted(m)}")
    order = np.argsort(m, kind="stable")
    hits = np.concatenate([r.hits for r in results])[order]
    fixed = None if first.fixed is None else np.concatenate([r.fixed for r in results])[order]
    return first._replace(m=m[order], hits=hits, fixed=fixed)


class Outcomes(NamedTuple):
    """Counts per ``m`` of successes, stuck and censored trials within ``budget``.

    Attributes
    ----------
    m : numpy.ndarray of int
    trials, budget : int
    successes, stuck, censored : numpy.ndarray of int, shape (len(m),)
        They add up to ``trials``.
    """

    m: np.ndarray
    trials: int
    budget: int
    successes: np.ndarray
    stuck: np.ndarray
    censored: np.ndarray

    @property
    def lower(self) -> np.ndarray:
        """``S/N``: a lower bound on ``P(success, T = ∞)`` (and the estimate at ``budget``)."""
        return self.successes / self.trials

    @property
    def upper(self) -> np.ndarray:
        """``(S + C)/N``: an upper bound on ``P(success, T = ∞)``."""
        return (self.successes + self.censored) / self.trials


def _check_result(result):
    if not isinstance(result, SuccessResult):
        raise TypeError(f"result must be a SuccessResult, got {type(result).__name__}.")
    if result.fixed is None:
        raise ValueError("result has no fixed points (result.fixed is None): rerun it.")
    return result


def outcomes(result: SuccessResult, *, budget: int | None = None) -> Outcomes:
    """Success, stuck and censored counts per ``m`` of ``result``, truncated to ``budget``.

    The bounds of the module docstring. ``budget`` (default ``result.steps``) may be any
    ``T' ≤ result.steps``: trial ``i`` with budget ``T'`` is the first ``T'`` steps of the same
    trajectory, so a success within ``T'`` is ``0 ≤ τ ≤ T'`` and stuck within ``T'`` is a fixed
    point ``w ≠ w*`` reached at ``t ≤ T'``.
    """
    result = _check_result(result)
    steps = result.steps
    budget = steps if budget is None else check_int(budget, "budget", min_value=0, max_value=steps)
    h, f = result.hits, result.fixed
    success = (h >= 0) & (h <= budget)
    stuck = (f >= 0) & (f <= budget) & (h < 0)
    s, st = np.count_nonzero(success, axis=1), np.count_nonzero(stuck, axis=1)
    return Outcomes(result.m, result.trials, budget, s, st, result.trials - s - st)


class M50Bounds(NamedTuple):
    """``m₅₀`` at a budget and the interval for ``m₅₀(∞)`` that includes the censoring.

    Attributes
    ----------
    budget : int
    m50 : float
        ``m₅₀(T)``: the logistic fit (:func:`stelib.fit_m50`) of the lower curve ``S/N``,
        the budget's own 50% point; ``nan`` where that curve does not reach ½ on the grid.
    lo, hi : float
        The interval for ``m₅₀(T = ∞)``: ``lo`` the lower end of the bootstrap interval of the
        upper curve's 50% point, ``hi`` the upper end of the lower curve's. ``lo`` is ``nan``
        where the upper curve is at or above ½ over the whole grid (no lower bound from this
        grid: every failure may still be censored), ``hi`` is ``nan`` where the lower curve
        stays below ½.
    lower, upper : stelib.M50Fit or None
        The two fits (``None`` where not defined, as above).
    """

    budget: int
    m50: float
    lo: float
    hi: float
    lower: M50Fit | None
    upper: M50Fit | None


def _fit_or_none(m, k, trials, bootstrap, rng, confidence):
    """The fit of ``k`` successes, or None where the curve gives no 50% point on the grid."""
    if crosses_half(k, trials):
        m, k = np.asarray(m), np.asarray(k)
        return fit_m50(
            m, k, np.full(k.shape, trials), bootstrap=bootstrap, rng=rng, confidence=confidence
        )
    return None


def m50_bounds(
    result: SuccessResult,
    *,
    budget: int | None = None,
    confidence: float = 0.95,
    bootstrap: int = 2000,
    rng=0,
) -> M50Bounds:
    """``m₅₀(T)`` and the interval for ``m₅₀(∞)`` (module docstring).

    The estimator is :func:`stelib.fit_m50` (logistic maximum likelihood in ``log m``, bootstrap
    over trials) applied to each bound curve; its bias and spread are measured by
    :func:`m50_estimator_error`. A curve that does not cross ½ on the grid gives no 50% point
    (``nan``): the logistic model is not extrapolated beyond the measured sizes.
    """
    out = outcomes(result, budget=budget)
    lower = _fit_or_none(out.m, out.successes, out.trials, bootstrap, rng, confidence)
    upper = _fit_or_none(
        out.m, out.successes + out.censored, out.trials, bootstrap, rng, confidence
    )
    nan = float("nan")
    return M50Bounds(
        budget=out.budget,
        m50=nan if lower is None else lower.m50,
        lo=nan if upper is None else upper.lo,
        hi=nan if lower is None else lower.hi,
        lower=lower,
        upper=upper,
    )


class M50Path(NamedTuple):
    """``T ↦ m₅₀(T)`` from the prefixes of one run (:func:`m50_path`).

    Attributes
    ----------
    budgets : numpy.ndarray of int, shape (B,)
    m50, lo, hi : numpy.ndarray, shape (B,)
        The lower curve's fit and its bootstrap interval at each budget (``nan`` where it does
        not cross ½ on the grid).
    censored : numpy.ndarray of int, shape (B, len(m))
        Censored trials per ``m`` at each budget.
    """

    budgets: np.ndarray
    m50: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    censored: np.ndarray


def m50_path(result: SuccessResult, budgets, *, bootstrap: int = 2000, rng=0) -> M50Path:
    """``m₅₀(T')`` with its interval for every ``T'`` in ``budgets`` (each ``≤ result.steps``).

    Free: the prefix of length ``T'`` of every trial is the trial run with budget ``T'``.
    """
    budgets = np.array([check_int(b, "budgets", min_value=0) for b in np.atleast_1d(budgets)])
    rows = []
    for b in budgets:
        fit = m50_bounds(result, budget=int(b), bootstrap=bootstrap, rng=rng)
        rows.append((fit.m50, fit.lower.lo if fit.lower else np.nan, fit.hi))
    cens = np.array([outcomes(result, budget=int(b)).censored for b in budgets])
    m50, lo, hi = (np.array(c, dtype=float) for c in zip(*rows, strict=True))
    return M50Path(budgets, m50, lo, hi, cens)


def flat_budget(path: M50Path, *, factor: int = 4) -> int | None:
    """The protocol's flatness test: the smallest budget ``T`` of ``path`` whose ``m₅₀(T)`` lies
    inside the interval of ``m₅₀(factor · T)`` (both measured), or ``None`` if no budget passes.

    ``m₅₀(T)`` decreases with ``T`` (more time, more successes); when it no longer moves by more
    than its own statistical uncertainty over a ``factor``-fold longer run, the budget no longer
    moves it at this precision (it may still move over much longer runs: the upper end of
    :func:`m50_bounds` is the bound that holds for every budget).
    """
    factor = check_int(factor, "factor", min_value=2)
    b = list(path.budgets)
    for i, t in enumerate(b):
        if factor * t in b:
            j = b.index(factor * t)
            if path.lo[j] <= path.m50[i] <= path.hi[j]:
                return int(t)
    return None


class EstimatorError(NamedTuple):
    """Bias and spread of the ``m₅₀`` estimator, measured (:func:`m50_estimator_error`).

    Attributes
    ----------
    bias, sd : float
        Mean and standard deviation of ``log m̂₅₀* − log m̂₅₀`` over the parametric bootstrap
        (relative bias and relative standard error of ``m̂₅₀``).
    crossing : float
        The model-free 50% crossing (linear interpolation of the measured curve in ``log m``),
        to compare with the logistic ``m̂₅₀`` (a check of the model); ``nan`` if none.
    """

    bias: float
    sd: float
    crossing: float


def m50_estimator_error(m, successes, trials, *, replicates: int = 2000, rng=0) -> EstimatorError:
    """Measure the bias and spread of :func:`stelib.fit_m50` by a parametric bootstrap.

    Simulate ``K*_g ~ Bin(N_g, P̂(m_g))`` from the fitted logistic curve ``P̂`` at the same design
    (sizes and trials) and refit ``replicates`` times.
    """
    replicates = check_int(replicates, "replicates", min_value=2)
    m = np.asarray(m, dtype=float)
    k = np.asarray(successes)
    n = np.broadcast_to(np.asarray(trials), k.shape)
    fit = fit_m50(m, k, n, bootstrap=1)
    p = 1.0 / (1.0 + np.exp(-(np.log(m) - np.log(fit.m50)) / fit.width))
    kb = np.random.default_rng(rng).binomial(n.astype(np.int64), p, size=(replicates, m.size))
    kb = kb[np.any(kb > 0, axis=1) & np.any(kb < n, axis=1)]  # a fit needs both outcomes
    x = np.log(m)
    centre, spread = x.mean(), x.std()
    b = _logistic_mle((x - centre) / spread, kb.astype(float), n)
    logs = centre - spread * b[:, 0] / b[:, 1]
    d = np.array(logs) - np.log(fit.m50)
    frac = k / n
    crossing = float("nan")
    up = np.flatnonzero((frac[:-1] < 0.5) & (frac[1:] >= 0.5))
    if up.size:
        g = up[0]
        x = np.interp(0.5, frac[g : g + 2], np.log(m[g : g + 2]))
        crossing = float(np.exp(x))
    return EstimatorError(float(d.mean()), float(d.std(ddof=1)), crossing)


class LocalExponents(NamedTuple):
    """``βᵢ = log(m₅₀(nᵢ₊₁)/m₅₀(nᵢ)) / log(nᵢ₊₁/nᵢ)`` between consecutive ``n``.

    Attributes
    ----------
    n_lo, n_hi : numpy.ndarray of int, shape (P − 1,)
    beta, lo, hi : numpy.ndarray, shape (P − 1,)
        The exponents and their percentile bootstrap intervals (from the ``m₅₀`` replicates,
        independent across ``n``).
    """

    n_lo: np.ndarray
    n_hi: np.ndarray
    beta: np.ndarray
    lo: np.ndarray
    hi: np.ndarray


def local_exponents(n, m50, replicates, *, confidence: float = 0.95) -> LocalExponents:
    """Local exponents between consecutive ``n`` with intervals.

    ``replicates``: one array of bootstrap replicates of ``m₅₀`` per ``n`` (e.g.
    ``M50Fit.replicates``); pairs are formed replicate by replicate (shortest length).
    """
    n = np.asarray(n, dtype=float)
    m50 = np.asarray(m50, dtype=float)
    if n.ndim != 1 or n.size < 2 or m50.shape != n.shape or len(replicates) != n.size:
        raise ValueError("n, m50 and replicates must have the same length >= 2.")
    alpha = 1 - check_float(confidence, "confidence", min_value=0.0, max_value=1.0, strict_min=True)
    size = min(len(r) for r in replicates)
    reps = [np.log(np.asarray(r, dtype=float)[:size]) for r in replicates]
    dn = np.log(n[1:] / n[:-1])
    beta = np.log(m50[1:] / m50[:-1]) / dn
    lo, hi = [], []
    for i in range(n.size - 1):
        b = (reps[i + 1] - reps[i]) / dn[i]
        q = np.quantile(b[np.isfinite(b)], [alpha / 2, 1 - alpha / 2])
        lo.append(q[0])
        hi.append(q[1])
    return LocalExponents(n[:-1].astype(int), n[1:].astype(int), beta, np.array(lo), np.array(hi))


class ThresholdTable(NamedTuple):
    """The protocol's table over ``n`` (:func:`threshold_table`), arrays of shape ``(P,)``.

    Attributes
    ----------
    n, budget : numpy.ndarray of int
        Dimensions and the budget used at each (``min(budget, steps)`` of its run).
    m50, lo, hi : numpy.ndarray
        ``m₅₀(T)`` and its 95% bootstrap interval.
    inf_lo, inf_hi : numpy.ndarray
        The interval for ``m₅₀(∞)`` (:func:`m50_bounds`; ``inf_lo`` is ``nan`` without fixed
        points or where the upper curve does not cross ½).
    flat : numpy.ndarray of int
        :func:`flat_budget` on the ladder ``steps/4ʲ`` of each run (``-1``: none passes).
    drift : numpy.ndarray
        ``log(m₅₀(T/4)/m₅₀(T)) / log 4``: how fast the budget still moves ``m₅₀`` at ``T``
        (``m₅₀ ∝ T^(−drift)`` locally; 0 once flat).
    bias, sd : numpy.ndarray
        :func:`m50_estimator_error` of ``m₅₀(T)`` (relative).
    censored : numpy.ndarray
        Fraction of the trials still censored at ``T``, over the whole grid (``nan`` without
        fixed points).
    exponents : LocalExponents
        Between consecutive ``n``, of ``m₅₀(T)``.
    """

    n: np.ndarray
    budget: np.ndarray
    m50: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    inf_lo: np.ndarray
    inf_hi: np.ndarray
    flat: np.ndarray
    drift: np.ndarray
    bias: np.ndarray
    sd: np.ndarray
    censored: np.ndarray
    exponents: LocalExponents

    @property
    def infinite_exponents(self) -> tuple[np.ndarray, np.ndarray]:
        """Bounds ``(lo, hi)`` on the local exponents of ``m₅₀(∞)`` between consecutive ``n``
        from the intervals ``[inf_lo, inf_hi]`` (``nan`` where an end is missing)."""
        dn = np.log(self.n[1:] / self.n[:-1])
        lo = np.log(self.inf_lo[1:] / self.inf_hi[:-1]) / dn
        return lo, np.log(self.inf_hi[1:] / self.inf_lo[:-1]) / dn


def threshold_table(results, *, budget: int | None = None, bootstrap: int = 2000, rng=0):
    """Everything the protocol reports, for the runs ``results`` (one :class:`SuccessResult`
    per ``n``, increasing; e.g. :func:`stelib.read_threshold_file` ``.result``), at ``budget``
    (default: each run's own ``steps``; a callable ``n ↦ T(n)`` for a budget that grows with
    ``n``; never more than a run's ``steps``). A run without fixed points (an old success
    file) gives ``m₅₀(T)`` and its interval only."""
    rows, reps = [], []
    for r in results:
        T = budget(r.n) if callable(budget) else budget  # e.g. lambda n: 2000 * n
        T = r.steps if T is None else min(check_int(T, "budget"), r.steps)
        k = np.count_nonzero((r.hits >= 0) & (r.hits <= T), axis=1)
        fit = fit_m50(r.m, k, np.full(k.shape, r.trials), bootstrap=bootstrap, rng=rng)
        err = m50_estimator_error(r.m, k, r.trials, replicates=bootstrap, rng=rng)
        nan = float("nan")
        inf_lo, cens, flat = nan, nan, -1
        if r.fixed is not None:
            b = m50_bounds(r, budget=T, bootstrap=bootstrap, rng=rng)
            inf_lo = b.lo
            cens = outcomes(r, budget=T).censored.sum() / (r.trials * r.m.size)
        ladder = sorted({T // 4**j for j in range(6) if T // 4**j > 0})
        path = _path_hits(r, ladder, bootstrap, rng)
        flat = flat_budget(path) or -1
        drift = np.log(path.m50[-2] / path.m50[-1]) / np.log(4) if len(ladder) > 1 else np.nan
        rows.append((r.n, T, fit.m50, fit.lo, fit.hi, inf_lo, fit.hi, flat, drift, err.bias,
                     err.sd, cens))  # fmt: skip
        reps.append(fit.replicates)
    cols = [np.array(c) for c in zip(*rows, strict=True)]
    exps = local_exponents(cols[0], cols[2], reps)
    return ThresholdTable(*cols, exps)


def _path_hits(r, budgets, bootstrap, rng) -> M50Path:
    """:func:`m50_path` from the hitting times alone (works without fixed points)."""
    rows = []
    for T in budgets:
        k = np.count_nonzero((r.hits >= 0) & (r.hits <= T), axis=1)
        f = _fit_or_none(r.m, k, r.trials, bootstrap, rng, 0.95)
        rows.append((np.nan,) * 3 if f is None else (f.m50, f.lo, f.hi))
    m50, lo, hi = (np.array(c) for c in zip(*rows, strict=True))
    return M50Path(np.array(budgets), m50, lo, hi, np.zeros((len(budgets), r.m.size), int))
