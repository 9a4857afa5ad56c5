"""Statistics of success curves: binomial intervals, the 50% point m₅₀, the exponent β.

Taught in chapter "Measuring the threshold" (``chapters/threshold.ipynb``).

A success curve is ``K_g`` successes out of ``N_g`` independent trials at sample sizes ``m_g``.

* **Binomial intervals** for one point ``p = K/N``: Wilson (score) and Clopper–Pearson (exact).
* **m₅₀**: the sample size with success probability ½, from the logistic model in ``log m``,

  ``P(m) = 1 / (1 + exp(−(log m − log m₅₀)/s))``,

  fitted by maximum likelihood, with a percentile interval from the bootstrap over trials
  (resample the ``N_g`` trials of every point with replacement, refit).
* **β** in ``m₅₀(n) ∝ n^β``: least squares of ``log m₅₀`` on ``log n``; its interval comes from
  refitting the bootstrap replicates of the m₅₀ (independent across ``n``).
* **Collapse**: under a scaling ``s(n)`` (``n``, ``n log n``, ``n²``), the spread
  ``max_n x₅₀ / min_n x₅₀`` of the rescaled 50% points ``x₅₀ = m₅₀/s(n)``; 1 is a perfect
  collapse.
* **Hitting times**: successes within a budget ``T`` and the survival function
  ``P(τ > t)`` of the hitting time ``τ`` of ``w*`` (``τ = ∞`` for a trial that never hits).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from scipy import special

from ._validate import check_array, check_float, check_int, check_memory, check_rng

__all__ = [
    "Interval",
    "wilson_interval",
    "clopper_pearson_interval",
    "M50Fit",
    "logistic_success",
    "fit_m50",
    "crosses_half",
    "PowerLawFit",
    "fit_power_law",
    "SCALINGS",
    "scale",
    "Collapse",
    "collapse_spread",
    "successes_within",
    "hitting_time_survival",
]


class Interval(NamedTuple):
    """A confidence interval ``[lo, hi]`` (arrays of the shape of the input)."""

    lo: np.ndarray
    hi: np.ndarray


def _counts(successes, trials):
    k, n = check_array(successes, "successes"), check_array(trials, "trials")
    if k.ndim and n.ndim and k.shape != n.shape:  # one number goes with every point, no more
        raise ValueError(f"successes has shape {k.shape}, trials {n.shape}: must match.")
    k, n = np.broadcast_arrays(k, n)
    if np.any(n < 1) or np.any(n != np.round(n)):
        raise ValueError(f"trials must be integers >= 1, got {np.unique(n)[:5].tolist()}.")
    if np.any(k < 0) or np.any(k != np.round(k)) or np.any(k > n):
        raise ValueError("successes must be integers in [0, trials].")
    return k, n


def _confidence(confidence):
    return check_float(confidence, "confidence", min_value=0.0, max_value=1.0, strict_min=True)


def wilson_interval(successes, trials, *, confidence: float = 0.95) -> Interval:
    """Wilson score interval for a binomial proportion.

    Eq. :eq:`threshold-wilson` (:prf:ref:`def-threshold-wilson`).

    With ``p̂ = K/N`` and ``z`` the ``(1 + confidence)/2`` normal quantile,

    ``(p̂ + z²/2N ± z √(p̂(1−p̂)/N + z²/4N²)) / (1 + z²/N)``.

    Unlike ``p̂ ± z√(p̂(1−p̂)/N)`` it never leaves ``[0, 1]`` and is not empty at ``K = 0`` or
    ``K = N``.
    """
    k, n = _counts(successes, trials)
    from scipy import stats  # lazy: scipy.stats takes seconds to import

    z = stats.norm.ppf(0.5 + _confidence(confidence) / 2)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    lo = np.where(k == 0, 0.0, np.clip(centre - half, 0.0, 1.0))  # exact ends, no rounding
    hi = np.where(k == n, 1.0, np.clip(centre + half, 0.0, 1.0))
    return Interval(lo, hi)


def clopper_pearson_interval(successes, trials, *, confidence: float = 0.95) -> Interval:
    """Clopper–Pearson ("exact") interval: beta quantiles, coverage at least ``confidence``.

    ``lo = B⁻¹(α/2; K, N−K+1)`` (0 if ``K = 0``), ``hi = B⁻¹(1−α/2; K+1, N−K)`` (1 if
    ``K = N``), with ``α = 1 − confidence``.
    """
    from scipy import stats  # lazy: scipy.stats takes seconds to import

    k, n = _counts(successes, trials)
    alpha = 1 - _confidence(confidence)
    with np.errstate(invalid="ignore"):
        lo = np.where(k > 0, stats.beta.ppf(alpha / 2, k, n - k + 1), 0.0)
        hi = np.where(k < n, stats.beta.ppf(1 - alpha / 2, k + 1, n - k), 1.0)
    return Interval(np.asarray(lo, dtype=float), np.asarray(hi, dtype=float))


def logistic_success(m, m50: float, width: float) -> np.ndarray:
    """The logistic model ``P(m) = 1 / (1 + exp(−(log m − log m₅₀)/width))``.

    Eq. :eq:`threshold-logistic`.
    """
    m = check_array(m, "m")
    m50 = check_float(m50, "m50", min_value=0.0, strict_min=True)
    width = check_float(width, "width", min_value=0.0, strict_min=True)
    return special.expit((np.log(m) - np.log(m50)) / width)


class M50Fit(NamedTuple):
    """The 50% point of a success curve.

    Attributes
    ----------
    m50 : float
        Maximum-likelihood ``m₅₀`` of the logistic model in ``log m``.
    lo, hi : float
        Percentile bootstrap interval of ``m₅₀`` at level ``confidence``.
    width : float
        Fitted ``s``: the curve goes from 27% to 73% between ``m₅₀e^{−s}`` and ``m₅₀e^{s}``.
    confidence : float
        Level of the interval.
    replicates : numpy.ndarray, shape (bootstrap,)
        Bootstrap replicates of ``m₅₀`` (used to propagate the uncertainty to β).
    """

    m50: float
    lo: float
    hi: float
    width: float
    confidence: float
    replicates: np.ndarray


def _logistic_mle(x, k, n, *, iterations=100):
    """Maximum likelihood of ``K_g ~ Bin(N_g, expit(b₀ + b₁ x_g))`` for each row of ``k``.

    Newton's method on the (concave) log-likelihood, vectorised over rows; each step is capped
    so that separated rows (no finite MLE) stay finite, with a steep slope.
    """
    X = np.stack([np.ones_like(x), x], axis=1)  # (G, 2)
    b = np.zeros((k.shape[0], 2))
    for _ in range(iterations):
        p = special.expit(b @ X.T)  # (B, G)
        grad = (k - n * p) @ X  # (B, 2)
        w = n * p * (1 - p)  # (B, G)
        H = np.einsum("bg,gi,gj->bij", w, X, X) + 1e-10 * np.eye(2)
        step = np.linalg.solve(H, grad[..., None])[..., 0]
        size = np.max(np.abs(step), axis=1, keepdims=True)
        step = np.where(size > 5.0, step * 5.0 / np.maximum(size, 1e-300), step)
        b = b + step
        if np.all(size < 1e-10):
            break
    return b


def fit_m50(
    m,
    successes,
    trials,
    *,
    confidence: float = 0.95,
    bootstrap: int = 2000,
    rng=0,
) -> M50Fit:
    """Estimate ``m₅₀`` (the ``m`` with success probability ½) with a bootstrap interval.

    Eq. :eq:`threshold-logistic` (:prf:ref:`def-threshold-m50`).

    Parameters
    ----------
    m : array_like, shape (G,)
        Sample sizes (distinct, > 0), at least 2.
    successes, trials : array_like, shape (G,)
        Successful and total trials at each ``m``.
    confidence : float
        Level of the interval.
    bootstrap : int
        Bootstrap replicates: each resamples the trials of every point with replacement
        (``K*_g ~ Bin(N_g, K_g/N_g)``) and refits.
    rng : numpy.random.Generator, int or None
        Randomness of the bootstrap (seeded by default, so the interval is reproducible).

    Returns
    -------
    M50Fit

    Notes
    -----
    The logistic shape is a model. The chapter checks it against the measured points and
    against the model-free crossing (linear interpolation of the measured curve in ``log m``).
    See chapter "Measuring the threshold".
    """
    m = check_array(m, "m", ndim=1)
    if m.size < 2 or np.any(m <= 0) or np.unique(m).size != m.size:
        raise ValueError(f"m must hold at least 2 distinct positive sizes, got {m.tolist()}.")
    k, n = _counts(successes, trials)
    if k.shape != m.shape:
        raise ValueError(f"successes has shape {k.shape}, must be {m.shape} to match m.")
    confidence = _confidence(confidence)
    bootstrap = check_int(bootstrap, "bootstrap", min_value=1)
    check_memory((bootstrap, m.size, 4), "bootstrap × len(m)")  # resamples and their fits
    rng = check_rng(rng)
    if np.all(k == 0) or np.all(k == n):
        raise ValueError("the success curve is all zero or all one: widen the m grid.")

    logm = np.log(m)
    centre, spread = logm.mean(), logm.std()
    x = (logm - centre) / spread

    def m50_of(b):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.exp(centre - spread * b[:, 0] / b[:, 1])

    b = _logistic_mle(x, k[None, :], n)
    if not b[0, 1] > 0:
        raise ValueError("the fitted success curve decreases with m; check the data.")
    kb = rng.binomial(n.astype(np.int64), k / n, size=(bootstrap, m.size))
    reps = m50_of(_logistic_mle(x, kb.astype(float), n))
    alpha = 1 - confidence
    lo, hi = np.quantile(reps, [alpha / 2, 1 - alpha / 2])
    return M50Fit(
        m50=float(m50_of(b)[0]),
        lo=float(lo),
        hi=float(hi),
        width=float(spread / b[0, 1]),
        confidence=confidence,
        replicates=reps,
    )


def crosses_half(successes, trials) -> bool:
    """Whether a measured success curve crosses ½ on its grid of ``m``.

    True if some point has a success fraction below ½ and some point one above ½, so that the
    50% point of :func:`fit_m50` lies between measured points; otherwise the logistic fit
    extrapolates it beyond the grid. See chapter "Measuring the threshold".
    """
    k, n = _counts(successes, trials)
    return bool(np.any(2 * k < n) and np.any(2 * k > n))


class PowerLawFit(NamedTuple):
    """``y ≈ C · n^β`` fitted by least squares in log–log coordinates.

    Attributes
    ----------
    beta : float
        Exponent.
    lo, hi : float
        Interval for ``β`` at level ``confidence``.
    prefactor : float
        ``C``.
    confidence : float
    replicates : numpy.ndarray or None
        ``β`` refitted on each bootstrap replicate (when replicates were given).
    """

    beta: float
    lo: float
    hi: float
    prefactor: float
    confidence: float
    replicates: np.ndarray | None


def fit_power_law(n, y, *, replicates=None, confidence: float = 0.95) -> PowerLawFit:
    """Fit ``log y = log C + β log n`` by least squares.

    Parameters
    ----------
    n : array_like, shape (P,)
        Dimensions (positive, at least 2 distinct; at least 3 without ``replicates``).
    y : array_like, shape (P,)
        Positive values, e.g. the m₅₀ per ``n``.
    replicates : array_like, shape (P, B), optional
        Bootstrap replicates of ``y`` (row ``p`` for ``n_p``, independent across rows), e.g.
        ``M50Fit.replicates``. The interval of ``β`` is then the percentile interval of the
        slopes refitted on the columns. Without them, the classical ``t`` interval of the
        least-squares slope (which ignores the uncertainty of each ``y``).
    confidence : float
        Level of the interval.

    Returns
    -------
    PowerLawFit

    See chapter "Measuring the threshold".
    """
    n = check_array(n, "n", ndim=1)
    y = check_array(y, "y", ndim=1)
    if y.shape != n.shape:
        raise ValueError(f"y has shape {y.shape}, must be {n.shape} to match n.")
    if np.any(n <= 0) or np.any(y <= 0):
        raise ValueError("n and y must be positive.")
    if np.unique(n).size < 2:
        raise ValueError(f"n must hold at least 2 distinct values, got {n.tolist()}.")
    confidence = _confidence(confidence)
    alpha = 1 - confidence
    x = np.log(n)
    xc = x - x.mean()

    def slope(ly):  # ly: (P,) or (P, B)
        return xc @ (ly - ly.mean(axis=0)) / (xc @ xc)

    ly = np.log(y)
    beta = float(slope(ly))
    prefactor = float(np.exp(ly.mean() - beta * x.mean()))
    if replicates is not None:
        reps = check_array(replicates, "replicates", ndim=2)
        if reps.shape[0] != n.size:
            raise ValueError(f"replicates has shape {reps.shape}, must have {n.size} rows.")
        if np.any(reps <= 0):
            raise ValueError("replicates must be positive.")
        betas = slope(np.log(reps))
        lo, hi = np.quantile(betas, [alpha / 2, 1 - alpha / 2])
        return PowerLawFit(beta, float(lo), float(hi), prefactor, confidence, betas)
    if n.size < 3:
        raise ValueError("without replicates, at least 3 points are needed for an interval.")
    resid = ly - (np.log(prefactor) + beta * x)
    se = np.sqrt(resid @ resid / (n.size - 2) / (xc @ xc))
    from scipy import stats  # lazy: scipy.stats takes seconds to import

    t = stats.t.ppf(1 - alpha / 2, n.size - 2)
    return PowerLawFit(beta, beta - t * se, beta + t * se, prefactor, confidence, None)


#: The scalings ``s(n)`` the chapter compares (natural logarithm).
SCALINGS = ("n", "n log n", "n^2")


def scale(n, scaling: str) -> np.ndarray:
    """``s(n)`` for ``scaling`` in :data:`SCALINGS`: ``n``, ``n·ln n`` or ``n²``."""
    n = check_array(n, "n")
    if scaling not in SCALINGS:
        raise ValueError(f"scaling == {scaling!r}, must be one of {SCALINGS}.")
    if np.any(n < 2):
        raise ValueError("n must be >= 2 (n log n vanishes at n = 1).")
    return {"n": n, "n log n": n * np.log(n), "n^2": n * n}[scaling]


class Collapse(NamedTuple):
    """How well a scaling collapses the success curves.

    Attributes
    ----------
    scaling : str
    x50 : numpy.ndarray, shape (P,)
        Rescaled 50% points ``m₅₀(n)/s(n)``.
    spread : float
        ``max x₅₀ / min x₅₀`` (1 = perfect collapse).
    lo, hi : float
        Percentile bootstrap interval of the spread (``nan`` without replicates).
    """

    scaling: str
    x50: np.ndarray
    spread: float
    lo: float
    hi: float


def collapse_spread(n, m50, scaling: str, *, replicates=None, confidence: float = 0.95) -> Collapse:
    """Spread ``max_n / min_n`` of ``m₅₀(n)/s(n)``: how far the curves are from collapsing.

    Eq. :eq:`threshold-spread`.

    If ``m₅₀ ≈ C n^β`` the spread is about ``(n_max/n_min)^{|β − γ|}`` for ``s(n) = n^γ``; the
    scaling with the smallest spread collapses the curves best. ``replicates`` (shape
    ``(P, B)``, e.g. the ``M50Fit.replicates``) give a percentile interval.

    See chapter "Measuring the threshold".
    """
    n = check_array(n, "n", ndim=1)
    m50 = check_array(m50, "m50", ndim=1)
    if m50.shape != n.shape or n.size < 2:
        raise ValueError(f"m50 has shape {m50.shape}, must be {n.shape} with at least 2 points.")
    s = scale(n, scaling)
    x50 = m50 / s
    spread = float(x50.max() / x50.min())
    lo = hi = float("nan")
    if replicates is not None:
        reps = check_array(replicates, "replicates", ndim=2)
        if reps.shape[0] != n.size:
            raise ValueError(f"replicates has shape {reps.shape}, must have {n.size} rows.")
        xr = reps / s[:, None]
        spreads = xr.max(axis=0) / xr.min(axis=0)
        alpha = 1 - _confidence(confidence)
        lo, hi = (float(v) for v in np.quantile(spreads, [alpha / 2, 1 - alpha / 2]))
    return Collapse(scaling, x50, spread, lo, hi)


def _hits(hits):
    h = np.asarray(hits)
    if not np.issubdtype(h.dtype, np.integer):
        raise TypeError(f"hits must be integers (hitting times, -1 for none), got {h.dtype}.")
    if np.any(h < -1):
        raise ValueError("hits must be >= -1 (-1 marks a trial that never hit).")
    return h


def successes_within(hits, budget: int) -> np.ndarray:
    """Number of trials that hit ``w*`` within ``budget`` steps, along the last axis.

    Eq. :eq:`threshold-success`.

    ``hits`` are first hitting times (``-1``: never within the run's own budget), so a run with
    budget ``T`` also answers every smaller budget ``T' ≤ T``: success within ``T'`` is
    ``0 ≤ τ ≤ T'``.
    """
    h = _hits(hits)
    budget = check_int(budget, "budget", min_value=0)
    return np.count_nonzero((h >= 0) & (h <= budget), axis=-1)


def hitting_time_survival(hits, times: Sequence[int] | np.ndarray) -> np.ndarray:
    """Empirical survival ``P(τ > t)`` of the hitting time, for each ``t`` in ``times``.

    Eqs. :eq:`threshold-hitting-time` and :eq:`threshold-success`.

    ``hits`` has shape ``(trials,)``; trials that never hit (``-1``) count as ``τ = ∞`` (they
    are censored at the run's budget, so only ``t`` up to that budget is meaningful).
    Returns shape ``(len(times),)``.
    """
    h = _hits(hits)
    if h.ndim != 1 or h.size == 0:
        raise ValueError(f"hits has shape {h.shape}, must be (trials,) with trials >= 1.")
    t = np.asarray(times)
    if t.ndim != 1:
        raise ValueError(f"times has shape {t.shape}, must be 1-d.")
    tau = np.where(h >= 0, h, np.iinfo(np.int64).max)
    return np.mean(tau[None, :] > t[:, None], axis=1)
