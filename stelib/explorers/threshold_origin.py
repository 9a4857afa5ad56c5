"""Explorer of chapter "Where n² comes from": the worst coarse-gradient error over all binary
weights at one distance against a typical one and against the worst of a random sample. Its data,
:func:`threshold_origin_view`, is :func:`stelib.coarse_gradient_deviation` on one data set."""

from __future__ import annotations

from math import comb
from typing import NamedTuple

import numpy as np

from .._validate import check_float, check_int
from ..concentration import (
    coarse_gradient_deviation,
    crossing_sample_size,
    sample_weights_at_distance,
    weights_at_distance,
)
from ..data import clean_labels, gaussian_inputs, teacher
from ..plotting import PALETTE
from ..theory import signal
from ..widgets import Explorer, choice, explorer, grid, slider

__all__ = ["ThresholdOriginView", "threshold_origin_view", "threshold_origin_explorer"]

#: Dimensions the explorer offers: every weight at a distance is enumerated, so ``n`` stays small.
_NS = (6, 8, 10, 12, 14)


class ThresholdOriginView(NamedTuple):
    """The error ``‖ĝ(w) − E ĝ(w)‖∞`` against ``m`` at one distance (chapter "Where n² comes
    from").

    Attributes
    ----------
    n, d, samples, seed : int
        Dimension, Hamming distance to ``w*``, number of randomly drawn weights, root seed.
    m : numpy.ndarray of int, shape (G,)
        Prefix sizes of the one data set (40 points from ``n`` to ``12 n²``, geometric).
    worst, median : numpy.ndarray, shape (G,)
        Largest and median error over all ``C(n, d)`` weights at distance ``d``.
    sampled : numpy.ndarray, shape (G,)
        Largest error over ``samples`` weights drawn uniformly at distance ``d``.
    rate : float
        ``c = √(2/(π n))`` (one-step criterion: error below ``c``).
    weights : int
        ``C(n, d)``.
    m_worst, m_median, m_sampled : float
        First ``m`` of the grid from which the curve stays below ``c``
        (:func:`stelib.crossing_sample_size`; ``nan`` if it does not within the grid).
    """

    n: int
    d: int
    samples: int
    seed: int
    m: np.ndarray
    worst: np.ndarray
    median: np.ndarray
    sampled: np.ndarray
    rate: float
    weights: int
    m_worst: float
    m_median: float
    m_sampled: float


def threshold_origin_view(
    n: int, d: int, *, samples: int = 100, seed: int = 0
) -> ThresholdOriginView:
    """Errors of the coarse gradient at all binary weights at distance ``d`` from ``w*``.

    One data set of ``12 n²`` Gaussian inputs with clean labels and a teacher, drawn from
    ``numpy.random.default_rng(seed)`` (teacher, then inputs, then the ``samples`` random weights),
    its prefixes giving the curves in ``m`` (:func:`stelib.coarse_gradient_deviation`), as in the
    chapter's exhaustive measurement.
    """
    n = check_int(n, "n", min_value=2, max_value=16)
    d = check_int(d, "d", min_value=1, max_value=n)
    samples = check_int(samples, "samples", min_value=1, max_value=100_000)
    seed = check_int(seed, "seed", min_value=0)
    rng = np.random.default_rng(seed)
    w_star = teacher(n, rng=rng)
    M = 12 * n * n
    Z = gaussian_inputs(M, n, rng=rng)
    W = weights_at_distance(w_star, d)
    S = sample_weights_at_distance(w_star, d, samples, rng=rng)
    m = np.unique(np.geomspace(n, M, 40).astype(int))
    dev = coarse_gradient_deviation(Z, clean_labels(Z, w_star), np.vstack([W, S]), w_star,
                                    m_values=m)  # fmt: skip
    all_dev, sampled_dev = dev[:, : len(W)], dev[:, len(W) :]
    c = float(signal(n))
    worst, median = all_dev.max(axis=1), np.median(all_dev, axis=1)
    sampled = sampled_dev.max(axis=1)
    return ThresholdOriginView(
        n=n,
        d=d,
        samples=samples,
        seed=seed,
        m=m,
        worst=worst,
        median=median,
        sampled=sampled,
        rate=c,
        weights=comb(n, d),
        m_worst=crossing_sample_size(m, worst, c),
        m_median=crossing_sample_size(m, median, c),
        m_sampled=crossing_sample_size(m, sampled, c),
    )


def _origin_plot(v: ThresholdOriginView, fig) -> None:
    ax = fig.subplots()
    curves = (
        (v.worst, f"worst of all {v.weights} weights", "-"),
        (v.sampled, f"worst of {v.samples} random weights", "--"),
        (v.median, "median weight", ":"),
    )
    for (y, label, ls), color in zip(curves, PALETTE, strict=False):
        ax.plot(v.m, y, color=color, ls=ls, label=label)
    ax.axhline(v.rate, color="k", lw=1, label=r"rate $c=\sqrt{2/(\pi n)}$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set(xlabel="number of samples m (log scale)", ylabel="largest coordinate error (log scale)")
    ax.set_title(f"n = {v.n}, distance d = {v.d}, seed {v.seed}: error of the coarse gradient")
    ax.legend(loc="upper right", fontsize=8)


def _fmt(m: float, n: int) -> str:
    if not np.isfinite(m):
        return f"not within m ≤ {12 * n * n}"
    return f"m = {m:.0f} (m/n² = {m / n**2:.2f}, m/(n ln n) = {m / (n * np.log(n)):.1f})"


def _origin_summary(v: ThresholdOriginView) -> str:
    return (
        f"Below c from: worst of all {v.weights} weights {_fmt(v.m_worst, v.n)}; worst of "
        f"{v.samples} random {_fmt(v.m_sampled, v.n)}; median {_fmt(v.m_median, v.n)}."
    )


def threshold_origin_explorer(
    *, n: int = 12, distance: float = 0.5, samples: int = 100, seed: int = 0
) -> Explorer:
    """Explorer for chapter "Where n² comes from": the worst weight against typical ones.

    Controls: ``n`` (6 to 14, every weight at the distance is enumerated), the distance as a
    fraction of ``n`` (``d = max(1, round(distance · n))``), the number of random weights and
    the seed. Data: :func:`threshold_origin_view`.
    """
    n = check_int(n, "n", min_value=2, max_value=16)
    distance = check_float(distance, "distance", min_value=0.0, max_value=1.0)
    samples = check_int(samples, "samples", min_value=1, max_value=100_000)
    fractions = tuple(sorted({0.1, 0.25, 0.5, 0.75, 1.0, distance}))
    counts = tuple(sorted({10, 100, 1000, samples}))

    def compute(*, n, distance, samples, seed):
        return threshold_origin_view(n, max(1, round(distance * n)), samples=samples, seed=seed)

    return explorer(
        compute,
        _origin_plot,
        {
            "n": choice(n, tuple(sorted({*_NS, n})), label="dimension n"),
            "distance": grid(distance, fractions, label="distance d/n"),
            "samples": grid(samples, counts, label="random weights"),
            "seed": slider(seed, 0, 20, 1, label="seed"),
        },
        title="The worst binary weight needs more samples than a typical one",
        summary=_origin_summary,
        figsize=(8.0, 4.0),
    )
