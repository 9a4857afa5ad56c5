"""Concentration of the coarse gradient over binary weights: where ``m ≳ n²`` comes from (E3).

Taught in chapter "Where n² comes from" (``chapters/threshold_origin.ipynb``).

For binary ``w, w*`` the coarse gradient splits into its expectation and a data-dependent error,

    ``ĝ(w) = c (w − w*) + e(w)``,   ``c = ‖a‖² √(2/(πn))``,   ``e(w) = ĝ(w) − E ĝ(w)``

(the expectation is derived in chapter "The setup, derived"). ``c`` (:func:`stelib.signal`) is
the *rate* of the population dynamics: on a wrong coordinate the expectation has size ``2c``, on
a right one 0, and ``‖e(w)‖∞ < c`` is the one-step criterion (eq. ``threshold-linf``). This
module measures the size of the error, ``‖e(w)‖∞``, for many ``w`` at once (all ``w`` at
Hamming distance ``d`` from ``w*``, exhaustively for small ``n``, or a random sample), along
growing prefixes of one data set, and gives the union-bound sample size at which
``‖e(w)‖∞ < c`` is expected to hold for all of them.
"""

from __future__ import annotations

from itertools import combinations
from math import comb, lgamma

import numpy as np

from . import _gradient
from ._types import ArrayLike, SeedLike
from ._validate import (
    check_array,
    check_binary,
    check_float,
    check_int,
    check_rng,
    check_second_layer,
)
from .theory import signal

__all__ = [
    "weights_at_distance",
    "sample_weights_at_distance",
    "coarse_gradient_deviation",
    "union_bound_sample_size",
    "crossing_sample_size",
]


def _check_distance(w_star, d):
    """``w*``, ``n`` and a distance ``0 <= d <= n``, validated."""
    w_star = check_binary(w_star, "w_star")
    n = w_star.size
    d = check_int(d, "d", min_value=0)
    if d > n:
        raise ValueError(f"d == {d}, must be <= n == {n}.")
    return w_star, n, d


def weights_at_distance(w_star: ArrayLike, d: int, *, max_count: int = 2_000_000) -> np.ndarray:
    """All binary ``w`` at Hamming distance ``d`` from ``w*``: ``C(n, d)`` rows of length ``n``.

    Row order: the flipped index sets in lexicographic order (``itertools.combinations``).
    Raises ``ValueError`` if ``C(n, d) > max_count`` (use :func:`sample_weights_at_distance`).
    """
    w_star, n, d = _check_distance(w_star, d)
    max_count = check_int(max_count, "max_count", min_value=1)
    count = comb(n, d)
    if count > max_count:
        raise ValueError(
            f"C(n, d) == C({n}, {d}) == {count} weights, more than max_count == {max_count}."
        )
    W = np.tile(w_star, (count, 1))
    if d > 0:
        flips = np.fromiter(
            (j for c in combinations(range(n), d) for j in c), dtype=np.int64, count=count * d
        ).reshape(count, d)
        W[np.arange(count)[:, None], flips] *= -1.0
    return W


def sample_weights_at_distance(
    w_star: ArrayLike, d: int, count: int, *, rng: SeedLike = None
) -> np.ndarray:
    """``count`` binary ``w`` at Hamming distance ``d`` from ``w*``, uniformly (with repetition).

    Each row flips a uniformly random set of ``d`` coordinates of ``w*``. Shape ``(count, n)``.
    """
    w_star, n, d = _check_distance(w_star, d)
    count = check_int(count, "count", min_value=1)
    rng = check_rng(rng)
    order = np.argsort(rng.random((count, n)), axis=1)
    W = np.tile(w_star, (count, 1))
    W[np.arange(count)[:, None], order[:, :d]] *= -1.0
    return W


def coarse_gradient_deviation(
    Z: ArrayLike,
    y: ArrayLike,
    W: ArrayLike,
    w_star: ArrayLike,
    *,
    m_values: ArrayLike | None = None,
    a: ArrayLike | None = None,
    chunk: int = 4_000_000,
) -> np.ndarray:
    """``‖ĝ_m(w) − E ĝ(w)‖∞`` for every row ``w`` of ``W`` and every prefix size ``m``.

    Eqs. :eq:`threshold-decomposition` and :eq:`threshold-linf`.

    ``ĝ_m`` is the coarse gradient (identity STE, :func:`stelib.coarse_gradient`) on the first
    ``m`` samples of ``(Z, y)``, ``E ĝ(w) = c (w − w*)`` with the rate ``c`` = :func:`signal`.
    Prefixes of one data set make the curves in ``m`` nested, as when a data set grows.

    Parameters
    ----------
    Z : array_like, shape (M, k, n)
        Inputs.
    y : array_like, shape (M,)
        Clean labels ``f(Z; w*)`` (the expectation is that of noiseless labels).
    W : array_like, shape (N, n)
        Binary weights.
    w_star : array_like, shape (n,)
        Teacher.
    m_values : sequence of int, optional
        Increasing prefix sizes in ``[1, M]``; default ``[M]``.
    a : array_like, shape (k,), optional
        Second layer, default ``1/k``.
    chunk : int
        Rough number of floats held at once (memory); does not change the result.

    Returns
    -------
    numpy.ndarray, shape (len(m_values), N)

    See chapter "Where n² comes from".
    """
    Z = check_array(Z, "Z", ndim=3)
    M, k, n = Z.shape
    y = check_array(y, "y", ndim=1)
    if y.shape != (M,):
        raise ValueError(f"y has shape {y.shape}, must be ({M},) to match Z.")
    W = check_binary(W, "W", ndim=2)
    if W.shape[1] != n:
        raise ValueError(f"W has shape {W.shape}, must have n == {n} columns to match Z.")
    w_star = check_binary(w_star, "w_star")
    if w_star.shape != (n,):
        raise ValueError(f"w_star has shape {w_star.shape}, must be ({n},) to match Z.")
    a = check_second_layer(a, k)
    if m_values is None:
        m_values = [M]
    mv = np.array([check_int(v, "m_values", min_value=1) for v in m_values], dtype=np.int64)
    if mv.size == 0 or np.any(np.diff(mv) <= 0) or mv[-1] > M:
        raise ValueError(f"m_values must increase within [1, {M}], got {mv.tolist()}.")
    chunk = check_int(chunk, "chunk", min_value=1)

    c = signal(n, a=a)
    Zf = Z.reshape(M * k, n)
    out = np.empty((mv.size, W.shape[0]))
    rows = max(1, chunk // max(1, M * k))
    for lo in range(0, W.shape[0], rows):
        Wc = W[lo : lo + rows]  # (C, n)
        S = np.ascontiguousarray((Zf @ Wc.T).T)  # pre-activations (C, M·k)
        Gt = _gradient.weights(_gradient.residual(S, y, a, M, k), a, M, k, None)  # (C, M·k)
        mean = c * (Wc - w_star)  # E ĝ(w), (C, n)
        acc = np.zeros_like(Wc)
        start = 0
        for i, m in enumerate(mv):  # ĝ on the first m samples: the sum grows by one segment
            indptr, nz, data = _gradient.sparse(Gt[:, start * k : m * k])
            _gradient.accumulate(acc, indptr, nz % ((m - start) * k), data, Zf[start * k : m * k])
            start = m
            out[i, lo : lo + rows] = np.max(np.abs(acc / m - mean), axis=1)
    return out


def union_bound_sample_size(
    n: int, d: int, *, count: float | None = None, delta: float = 0.5
) -> float:
    """Samples ``m`` at which a union bound makes ``‖e(w)‖∞ < c`` for ``count`` weights at once.

    Eq. :eq:`threshold-union` (:prf:ref:`lem-threshold-union`, :prf:ref:`lem-threshold-variance`).

    A heuristic (ours, not the paper's): for ``k = 1`` each entry of ``e(w)`` is an average of
    ``m`` i.i.d. terms ``x_j (sign⟨x,w⟩ − sign⟨x,w*⟩)`` minus their mean, nonzero only when the
    two signs differ (probability ``θ/π``, ``cos θ = 1 − 2d/n``), so its variance is about
    ``4θ/(πm)``. With a Gaussian tail ``P(|e_j| > c) ≤ 2 exp(−π m c²/(8θ))`` and a union bound
    over the ``n · count`` entries, the failure probability is at most ``δ = delta`` once

    ``m ≥ (8θ/(π c²)) log(2 n · count / δ) = 4 θ n log(2 n · count / δ)``

    (``c² = 2/(πn)``; ``σ`` is the sign in this book, so the variance gets no letter).

    With ``count = C(n, d)`` (default: every ``w`` at distance ``d``) and ``d = n/2`` (θ = π/2)
    the logarithm is about ``n log 2``, so ``m ≈ 2π log 2 · n² ≈ 4.4 n²``: the ``n²`` comes from
    the ``2ⁿ`` weights in the union. With ``count = 1`` (one fixed ``w``) it is ``O(n log n)``.

    Parameters
    ----------
    n, d : int
        Dimension and Hamming distance, ``1 <= d <= n``.
    count : float, optional
        Number of weights in the union, default ``C(n, d)``.
    delta : float in (0, 1)
        Allowed failure probability (``½`` approximates the median of the worst case).

    See chapter "Where n² comes from".
    """
    n = check_int(n, "n", min_value=1)
    d = check_int(d, "d", min_value=1)
    if d > n:
        raise ValueError(f"d == {d}, must be <= n == {n}.")
    if count is None:
        log_count = lgamma(n + 1) - lgamma(d + 1) - lgamma(n - d + 1)  # log C(n, d)
    else:
        log_count = float(np.log(check_float(count, "count", min_value=1.0, max_abs=None)))
    delta = check_float(delta, "delta", min_value=0.0, max_value=1.0, strict_min=True)
    theta = float(np.arccos(1.0 - 2.0 * d / n))
    return float(4.0 * theta * n * (np.log(2.0 * n / delta) + log_count))


def crossing_sample_size(m_values: ArrayLike, curve: ArrayLike, level: float) -> float:
    """The first ``m`` of the grid from which on ``curve`` stays below ``level``.

    ``curve[i]`` is a quantity measured at ``m_values[i]`` (e.g. the worst ``‖e(w)‖∞`` over a set
    of weights), ``level`` a threshold (e.g. the rate ``c``). Returns ``m_values[i]`` for the
    smallest ``i`` with ``curve[j] < level`` for all ``j >= i``; ``nan`` if the last point is not
    below ``level``.

    See chapter "Where n² comes from".
    """
    m_values = check_array(m_values, "m_values", ndim=1)
    curve = check_array(curve, "curve", ndim=1)
    if curve.shape != m_values.shape or m_values.size == 0:
        raise ValueError(f"curve has shape {curve.shape}, must be {m_values.shape} (non-empty).")
    level = check_float(level, "level")
    above = np.flatnonzero(curve >= level)
    if above.size == 0:
        return float(m_values[0])
    if above[-1] + 1 == m_values.size:
        return float("nan")
    return float(m_values[above[-1] + 1])
