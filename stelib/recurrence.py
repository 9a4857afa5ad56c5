"""Label noise and recurrence: the optimum is left and found again, measured (SPEC §3 E4, E5).

Taught in chapter "Label noise and recurrence" (``chapters/recurrence.ipynb``).

With noisy labels the STE-gradient method does not stop at ``w*``: it reaches it, leaves it, and
comes back. This module measures that from a distance trajectory ``dₜ = #{j : wₜⱼ ≠ w*ⱼ}``
(``t = 0, …, T``, one row per trial, as recorded by :func:`stelib.ste_gradient_method`) and
explains it from the coarse gradient at the optimum.

Statistics of a trajectory (:func:`recurrence_statistics`, :func:`excursions`,
:func:`sojourns`, :func:`return_time_histogram`):

* first hit ``τ₀ = min{t : dₜ = 0}`` (``-1`` if ``w*`` is never reached);
* an *escape* is a step ``t`` with ``dₜ₋₁ = 0 < dₜ``; a *return* is a step ``t > τ₀`` with
  ``dₜ₋₁ > 0 = dₜ`` (the first hit is not a return);
* the *return time* of an escape at ``t`` is ``t′ − t``, where ``t′`` is the next return: the
  number of steps spent away from ``w*`` (an *excursion*); a *sojourn* is a maximal run of steps
  at ``w*``;
* occupation ``(1/(T+1)) Σₜ 1{dₜ = 0}``, the fraction of the ``T + 1`` recorded iterates that
  equal ``w*`` (the ergodic measure of success; the last iterate is ``d_T = 0``).

The mechanism (:func:`drift_prediction`, :func:`exit_time`). The update ``uₜ₊₁ = uₜ − η ĝ(wₜ)``
depends on ``uₜ`` only through ``wₜ = sign(uₜ)``: a vector field that is constant on each
orthant. On the orthant of ``w*`` it is the constant ``−η c`` with ``c = ĝ(w*)``: zero without
noise (the orthant is absorbing), nonzero with noise. Coordinate ``j`` then moves by
``−η cⱼ w*ⱼ`` along ``w*ⱼ`` per step: if ``δⱼ = cⱼ w*ⱼ > 0`` it is pushed towards zero and must
cross it (it *oscillates*), if ``δⱼ < 0`` it is pushed further into the right sign (it *locks*,
``|uⱼ|`` grows without bound unless clipped).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from concurrent.futures import Executor
from typing import NamedTuple

import numpy as np

from ._validate import (
    check_array,
    check_binary,
    check_float,
    check_int,
    check_second_layer,
)
from .model import sign

__all__ = [
    "RecurrenceStats",
    "recurrence_statistics",
    "Runs",
    "excursions",
    "sojourns",
    "RETURN_TIME_BINS",
    "return_time_histogram",
    "DriftPrediction",
    "drift_prediction",
    "exit_time",
    "latent_trajectory",
    "wrong_fraction",
    "ergodic_weights",
    "recurrence_record",
    "recurrence_sweep",
    "RecurrenceFile",
    "write_recurrence_file",
    "read_recurrence_file",
]

#: Number of bins of :func:`return_time_histogram`: ``[1, 2), [2, 4), …, [2¹⁴, 2¹⁵), [2¹⁵, ∞)``.
RETURN_TIME_BINS = 16


# ---------------------------------------------------------------------------------------------
# Statistics of a distance trajectory
# ---------------------------------------------------------------------------------------------


def _check_distance(distance) -> np.ndarray:
    d = check_array(distance, "distance", ndim=(1, 2))
    if d.shape[-1] < 1:
        raise ValueError(f"distance has shape {d.shape}, must hold at least one step.")
    if np.any(d < 0) or np.any(d != np.round(d)):
        raise ValueError("distance must hold non-negative integers (Hamming distances).")
    return d.astype(np.int64)


class RecurrenceStats(NamedTuple):
    """Recurrence statistics of trajectories ``dₜ``; every field has shape ``distance.shape[:-1]``.

    Attributes
    ----------
    first_hit : numpy.ndarray of int
        ``τ₀ = min{t : dₜ = 0}``, ``-1`` if ``w*`` is never reached.
    returns : numpy.ndarray of int
        Steps ``t > τ₀`` with ``dₜ₋₁ > 0 = dₜ`` (arrivals at ``w*`` after the first).
    escapes : numpy.ndarray of int
        Steps ``t`` with ``dₜ₋₁ = 0 < dₜ`` (departures from ``w*``).
    occupation : numpy.ndarray of float
        Fraction of the ``T + 1`` iterates ``t = 0, …, T`` with ``dₜ = 0``.
    max_distance_after_first_hit : numpy.ndarray of int
        ``max_{t ≥ τ₀} dₜ``, the farthest excursion after the first hit; ``-1`` if no hit.
    mean_distance : numpy.ndarray of float
        Running-average error ``(1/(T+1)) Σₜ dₜ``.
    final_distance : numpy.ndarray of int
        ``d_T``, the error of the last iterate.
    """

    first_hit: np.ndarray
    returns: np.ndarray
    escapes: np.ndarray
    occupation: np.ndarray
    max_distance_after_first_hit: np.ndarray
    mean_distance: np.ndarray
    final_distance: np.ndarray


def recurrence_statistics(distance) -> RecurrenceStats:
    """Returns, escapes, occupation, first hit and farthest excursion of trajectories ``dₜ``.

    Parameters
    ----------
    distance : array_like of int, shape (T + 1,) or (trials, T + 1)
        Hamming distances ``d₀, …, d_T`` (e.g. ``ste_gradient_method(..., record=True).distance``).

    Returns
    -------
    RecurrenceStats
        Fields of shape ``distance.shape[:-1]`` (0-d arrays for a single trajectory).

    Notes
    -----
    After the first hit, escapes and returns alternate, so ``returns = escapes`` if the last
    iterate is at ``w*`` and ``returns = escapes − 1`` otherwise. See chapter "Label noise and
    recurrence".

    Examples
    --------
    >>> s = recurrence_statistics([3, 1, 0, 0, 2, 0, 1])
    >>> int(s.first_hit), int(s.returns), int(s.escapes), float(s.occupation)
    (2, 1, 2, 0.42857142857142855)
    """
    d = _check_distance(distance)
    shape = d.shape[:-1]
    d = d.reshape(-1, d.shape[-1])
    at = d == 0
    any_hit = at.any(axis=1)
    first = np.where(any_hit, np.argmax(at, axis=1), -1)
    t = np.arange(1, d.shape[1])
    arrive = ~at[:, :-1] & at[:, 1:]  # arrival at step t (t = 1..T)
    escapes = np.count_nonzero(at[:, :-1] & ~at[:, 1:], axis=1)
    returns = np.count_nonzero(arrive & (t[None, :] > first[:, None]), axis=1)
    after = np.arange(d.shape[1])[None, :] >= np.where(any_hit, first, d.shape[1])[:, None]
    far = np.where(any_hit, np.max(np.where(after, d, -1), axis=1), -1)
    return RecurrenceStats(
        first_hit=first.astype(np.int64).reshape(shape),
        returns=returns.astype(np.int64).reshape(shape),
        escapes=escapes.astype(np.int64).reshape(shape),
        occupation=at.mean(axis=1).reshape(shape),
        max_distance_after_first_hit=far.astype(np.int64).reshape(shape),
        mean_distance=d.mean(axis=1).reshape(shape),
        final_distance=d[:, -1].reshape(shape),
    )


class Runs(NamedTuple):
    """Maximal runs of steps (excursions away from ``w*`` or sojourns at it), one entry per run.

    Attributes
    ----------
    trial : numpy.ndarray of int
        Row of ``distance`` the run belongs to (0 for a single trajectory).
    start : numpy.ndarray of int
        First step of the run.
    length : numpy.ndarray of int
        Number of steps in the run. For a completed excursion this is the return time.
    height : numpy.ndarray of int
        Largest ``dₜ`` during the run (0 for sojourns).
    completed : numpy.ndarray of bool
        ``False`` if the run is still going at ``t = T`` (censored by the budget).
    """

    trial: np.ndarray
    start: np.ndarray
    length: np.ndarray
    height: np.ndarray
    completed: np.ndarray


def _runs(d: np.ndarray, mask: np.ndarray) -> Runs:
    """Maximal runs of ``True`` in each row of ``mask`` (``d`` gives the heights)."""
    trials, T1 = mask.shape
    padded = np.zeros((trials, T1 + 2), dtype=bool)
    padded[:, 1:-1] = mask
    edges = np.diff(padded.astype(np.int8), axis=1)
    ti, start = np.nonzero(edges == 1)
    _, stop = np.nonzero(edges == -1)  # row-major order pairs starts with their stops
    height = np.zeros(start.size, dtype=np.int64)
    if start.size:  # max of d over [start, stop) of each run: reduce over interleaved bounds
        bounds = np.empty(2 * start.size, dtype=np.int64)
        bounds[0::2] = ti * T1 + start
        bounds[1::2] = ti * T1 + stop
        flat = np.append(d.ravel(), 0)  # a stop may equal d.size
        height = np.maximum.reduceat(flat, bounds)[0::2].astype(np.int64)
    return Runs(
        trial=ti.astype(np.int64),
        start=start.astype(np.int64),
        length=(stop - start).astype(np.int64),
        height=height,
        completed=stop < T1,
    )


def excursions(distance) -> Runs:
    """Excursions away from ``w*`` after the first hit: maximal runs of steps with ``dₜ > 0``.

    An excursion starts at an escape ``t`` (``dₜ₋₁ = 0 < dₜ``) and, if ``completed``, ends at
    the next return ``t′`` (``dₜ′ = 0``); its ``length`` ``t′ − t`` is the return time. Steps
    before the first hit are not an excursion.

    Parameters
    ----------
    distance : array_like of int, shape (T + 1,) or (trials, T + 1)

    Returns
    -------
    Runs

    See chapter "Label noise and recurrence".
    """
    d = _check_distance(distance)
    d = d.reshape(-1, d.shape[-1])
    at = d == 0
    seen = np.maximum.accumulate(at, axis=1)  # True from the first hit on
    return _runs(d, seen & ~at)


def sojourns(distance) -> Runs:
    """Sojourns at ``w*``: maximal runs of steps with ``dₜ = 0`` (``height`` is 0).

    A completed sojourn that starts at ``t`` lasts ``length`` steps and ends with an escape at
    ``t + length``; :func:`exit_time` predicts that length from ``u_t`` and ``c = ĝ(w*)``.

    Parameters
    ----------
    distance : array_like of int, shape (T + 1,) or (trials, T + 1)

    Returns
    -------
    Runs
    """
    d = _check_distance(distance)
    d = d.reshape(-1, d.shape[-1])
    return _runs(d, d == 0)


def return_time_histogram(distance, *, bins: int = RETURN_TIME_BINS) -> np.ndarray:
    """Counts of completed return times in dyadic bins ``[1, 2), [2, 4), …, [2^{bins−1}, ∞)``.

    Parameters
    ----------
    distance : array_like of int, shape (T + 1,) or (trials, T + 1)
    bins : int >= 1

    Returns
    -------
    numpy.ndarray of int, shape ``distance.shape[:-1] + (bins,)``
        Bin ``b`` counts completed excursions with ``2ᵇ ≤ length < 2ᵇ⁺¹`` (the last bin has no
        upper end).
    """
    bins = check_int(bins, "bins", min_value=1)
    d = _check_distance(distance)
    shape = d.shape[:-1]
    d2 = d.reshape(-1, d.shape[-1])
    ex = excursions(d2)
    ok = ex.completed
    b = np.minimum(np.floor(np.log2(ex.length[ok])).astype(np.int64), bins - 1)
    out = np.zeros((d2.shape[0], bins), dtype=np.int64)
    np.add.at(out, (ex.trial[ok], b), 1)
    return out.reshape(shape + (bins,))


# ---------------------------------------------------------------------------------------------
# The mechanism: the drift at the optimum
# ---------------------------------------------------------------------------------------------


class DriftPrediction(NamedTuple):
    """What the drift ``c = ĝ(w*)`` predicts; every field has the shape of ``c``.

    Attributes
    ----------
    inward : numpy.ndarray
        ``δⱼ = cⱼ w*ⱼ``: at ``w*`` coordinate ``j`` of ``u`` moves by ``−η δⱼ`` along ``w*ⱼ``
        per step, towards zero if ``δⱼ > 0``.
    oscillating : numpy.ndarray of bool
        ``δⱼ > 0``: predicted to cross zero again and again. The others (``δⱼ ≤ 0``) lock.
    wrong_fraction : numpy.ndarray
        Predicted long-run fraction of steps with ``wⱼ ≠ w*ⱼ``: ``δⱼ / (δⱼ + ρ)`` for oscillating
        coordinates, 0 for locked ones, where ``ρ = ‖a‖² (2 − 2p) √(2/(πn))`` is the population
        speed at which a wrong coordinate is pushed back (flip probability ``p``).
    occupation : numpy.ndarray
        ``Πⱼ (1 − wrong_fractionⱼ)``: the occupation time if coordinates were independent, shape
        ``c.shape[:-1]``.
    """

    inward: np.ndarray
    oscillating: np.ndarray
    wrong_fraction: np.ndarray
    occupation: np.ndarray


def drift_prediction(c, w_star, *, flip: float = 0.0, a=None, k: int = 1) -> DriftPrediction:
    """Which coordinates oscillate and how often, predicted from the drift ``c = ĝ(w*)``.

    At ``w*`` the update is ``u ← u − η c`` (a constant), so coordinate ``j`` oscillates iff
    ``δⱼ = cⱼ w*ⱼ > 0``. Our heuristic for how often: while right, ``uⱼ w*ⱼ`` falls by ``η δⱼ``
    per step; while wrong, the population field (``‖a‖² √(2/(πn)) (w − (1 − 2p) w*)`` with flip
    probability ``p``) raises it by ``η ρ``, ``ρ = ‖a‖² (2 − 2p) √(2/(πn))``. A bounded
    coordinate balances the two, so it is wrong a fraction ``δⱼ / (δⱼ + ρ)`` of the time. With
    ``δⱼ = 2p‖a‖²√(2/(πn))``, the population drift, this fraction is exactly ``p``.

    Parameters
    ----------
    c : array_like, shape (n,) or (trials, n)
        Coarse gradient at the teacher, ``stelib.coarse_gradient(Z, y, w_star)``.
    w_star : array_like, shape (n,) or (trials, n)
        Teacher(s).
    flip : float in [0, 1]
        Flip probability ``p`` of the labels (0 for additive noise).
    a : array_like, shape (k,), optional
        Second layer, default ``1/k``.
    k : int
        Patches (used when ``a`` is None).

    Returns
    -------
    DriftPrediction

    See chapter "Label noise and recurrence".
    """
    c = check_array(c, "c", ndim=(1, 2))
    w_star = check_binary(w_star, "w_star", ndim=(1, 2))
    if w_star.shape[-1] != c.shape[-1]:
        raise ValueError(f"w_star has length {w_star.shape[-1]}, must match c's {c.shape[-1]}.")
    flip = check_float(flip, "flip", min_value=0.0, max_value=1.0)
    k = check_int(k, "k", min_value=1)
    a = check_second_layer(a, k if a is None else np.asarray(a).shape[0])
    n = c.shape[-1]
    rho = float(np.dot(a, a)) * (2.0 - 2.0 * flip) * np.sqrt(2.0 / (np.pi * n))
    inward = c * w_star
    osc = inward > 0
    frac = np.where(osc, inward / np.where(osc, inward + rho, 1.0), 0.0)
    return DriftPrediction(
        inward=inward,
        oscillating=osc,
        wrong_fraction=frac,
        occupation=np.prod(1.0 - frac, axis=-1),
    )


def exit_time(u, c, w_star, *, eta: float = 1.0) -> np.ndarray:
    """Steps until ``u`` leaves the orthant of ``w*`` under the constant field ``−η c``.

    If ``sign(u) = w*`` the iterates are ``u − sη c`` (``s = 0, 1, …``) until one coordinate
    changes sign. Coordinate ``j`` with ``δⱼ = cⱼ w*ⱼ > 0`` changes sign first at
    ``⌊uⱼ/(η cⱼ)⌋ + 1`` if ``w*ⱼ = +1`` and at ``⌈uⱼ/(η cⱼ)⌉`` if ``w*ⱼ = −1`` (the convention
    ``sign(0) = +1``); the exit time is the smallest of these, which is also the length of the
    sojourn at ``w*`` that starts at ``u``. Box clipping does not change it (it only stops
    coordinates that move outwards).

    Parameters
    ----------
    u : array_like, shape (n,) or (trials, n)
        Latent weights with ``sign(u) = w*``.
    c : array_like, shape (n,) or (trials, n)
        ``ĝ(w*)``.
    w_star : array_like, shape (n,) or (trials, n)
        Teacher(s).
    eta : float > 0
        Step size.

    Returns
    -------
    numpy.ndarray of int, shape ``u.shape[:-1]``
        Number of steps spent at ``w*`` (at least 1), ``-1`` if no coordinate moves towards zero
        (the orthant is then absorbing).

    See chapter "Label noise and recurrence".
    """
    u = check_array(u, "u", ndim=(1, 2))
    c = check_array(c, "c", ndim=(1, 2))
    w_star = check_binary(w_star, "w_star", ndim=(1, 2))
    eta = check_float(eta, "eta", min_value=0.0, strict_min=True)
    try:
        u, c, w_star = np.broadcast_arrays(u, c, w_star)
    except ValueError:
        raise ValueError(
            f"u, c and w_star have shapes {u.shape}, {c.shape}, {w_star.shape}; they must "
            "broadcast to one (trials, n) shape."
        ) from None
    if np.any(sign(u) != w_star):
        raise ValueError("u is not in the orthant of w_star (sign(u) != w_star somewhere).")
    inward = c * w_star > 0
    step = np.where(inward, eta * c, 1.0)
    ratio = u / step
    cross = np.where(w_star > 0, np.floor(ratio) + 1.0, np.ceil(ratio))
    cross = np.where(inward, cross, np.inf)
    s = np.min(cross, axis=-1)
    return np.where(np.isfinite(s), s, -1).astype(np.int64)


# ---------------------------------------------------------------------------------------------
# The latent weights over time
# ---------------------------------------------------------------------------------------------


def latent_trajectory(
    Z,
    y,
    u0,
    *,
    a=None,
    eta: float = 1.0,
    steps: int = 1000,
    ste: str = "identity",
    ste_scale: float = 1.0,
    clip: float | None = None,
) -> np.ndarray:
    """Every latent iterate ``u₀, …, u_T`` of the STE-gradient method.

    The straightforward loop ``uₜ₊₁ = clip(uₜ − η ĝ(sign uₜ), −C, C)`` with
    :func:`stelib.coarse_gradient`, one trial at a time: the loop of
    :func:`stelib.ste_gradient_method_reference`, the oracle the engine is tested against, so
    the binary iterates ``wₜ = sign(uₜ)`` are the engine's. At a fixed point (``ĝ(wₜ) = 0``)
    nothing moves any more and the remaining rows repeat ``uₜ``.

    Parameters
    ----------
    Z : array_like, shape (trials, m, k, n)
    y : array_like, shape (trials, m)
    u0 : array_like, shape (trials, n)
    a, eta, ste, ste_scale, clip
        As in :func:`stelib.ste_gradient_method`.
    steps : int >= 0
        Number of steps ``T``; memory ``8 · trials · (T + 1) · n`` bytes.

    Returns
    -------
    numpy.ndarray, shape (trials, steps + 1, n)

    See chapter "Label noise and recurrence".
    """
    from .ste import _check_engine_inputs, coarse_gradient

    Z, y, u0, _, a, eta, steps, ste_scale, clip = _check_engine_inputs(
        Z, y, u0, None, a, eta, steps, ste, ste_scale, clip
    )
    trials, n = u0.shape
    U = np.empty((trials, steps + 1, n))
    for i in range(trials):
        u = U[i, 0] = u0[i]
        for t in range(steps):
            g = coarse_gradient(Z[i], y[i], sign(u), a=a, ste=ste, ste_scale=ste_scale)
            if not np.any(g != 0.0):
                U[i, t + 1 :] = u
                break
            u = u - eta * g
            if clip is not None:
                u = np.clip(u, -clip, clip)
            U[i, t + 1] = u
    return U


def wrong_fraction(path, w_star, *, start: int | None = None) -> np.ndarray:
    """Fraction of steps ``t ≥ start`` with ``sign(uₜⱼ) ≠ w*ⱼ``, per coordinate.

    A coordinate *oscillates* on the run if this is positive, and *locks* if it is zero.

    Parameters
    ----------
    path : array_like, shape (trials, T + 1, n)
        Latent (or binary) iterates, e.g. from :func:`latent_trajectory`.
    w_star : array_like, shape (n,) or (trials, n)
    start : int, optional
        First step counted; default ``(T + 1) // 2`` (the second half of the run).

    Returns
    -------
    numpy.ndarray, shape (trials, n)
    """
    path = check_array(path, "path", ndim=3)
    w_star = check_binary(w_star, "w_star", ndim=(1, 2))
    trials, T1, n = path.shape
    if w_star.shape[-1] != n:
        raise ValueError(f"w_star has length {w_star.shape[-1]}, must match path's n == {n}.")
    start = T1 // 2 if start is None else check_int(start, "start", min_value=0)
    if start >= T1:
        raise ValueError(f"start == {start}, must be < T + 1 == {T1}.")
    ws = np.broadcast_to(w_star, (trials, n))[:, None, :]
    return np.mean(sign(path[:, start:]) != ws, axis=1)


def ergodic_weights(path, *, start: int = 0) -> np.ndarray:
    """``sign(Σ_{t ≥ start} wₜ)``: the binary weights the time average of ``wₜ`` points to.

    Each coordinate takes the sign it had most often (a majority vote over time; a tie gives
    ``+1``). An oscillating coordinate that is wrong less than half of the time is right here,
    even if the last iterate is wrong.

    Parameters
    ----------
    path : array_like, shape (trials, T + 1, n)
        Latent (or binary) iterates.
    start : int >= 0
        First step of the average.

    Returns
    -------
    numpy.ndarray, shape (trials, n)
    """
    path = check_array(path, "path", ndim=3)
    start = check_int(start, "start", min_value=0)
    if start >= path.shape[1]:
        raise ValueError(f"start == {start}, must be < T + 1 == {path.shape[1]}.")
    return sign(np.sum(sign(path[:, start:]), axis=1))


# ---------------------------------------------------------------------------------------------
# One run, a sweep, and the data file
# ---------------------------------------------------------------------------------------------

_SHARED = ("n", "k", "steps", "seed", "eta", "init_scale", "clip", "latent")


def _none_if(value, bad=-1):
    return None if value == bad else int(value)


def _records(
    n, m, k, flip, noise_std, clip, steps, seed, trials, eta, init_scale, latent
) -> list[dict]:
    """One JSON-ready record per trial index in ``trials`` (see :func:`recurrence_record`)."""
    from . import __version__
    from .data import sample_trial, trial_seed
    from .ste import coarse_gradient, ste_gradient_method

    parts = [
        sample_trial(
            n,
            m,
            k=k,
            flip=flip,
            noise_std=noise_std,
            init_scale=init_scale,
            rng=trial_seed(seed, n=n, m=m, k=k, trial=i),
        )
        for i in trials
    ]
    Z = np.stack([p.Z for p in parts])
    y = np.stack([p.y for p in parts])
    w_star = np.stack([p.w_star for p in parts])
    u0 = np.stack([p.u0 for p in parts])
    a = parts[0].a
    c = np.stack([coarse_gradient(p.Z, p.y, p.w_star, a=a) for p in parts])
    pred = drift_prediction(c, w_star, flip=flip, a=a)
    if latent:
        U = latent_trajectory(Z, y, u0, a=a, eta=eta, steps=steps, clip=clip)
        distance = np.count_nonzero(sign(U) != w_star[:, None, :], axis=2)
        u_final = U[:, -1]
    else:
        res = ste_gradient_method(
            Z, y, u0, w_star=w_star, a=a, eta=eta, steps=steps, clip=clip, record=True
        )
        distance, u_final = res.distance, res.u
    st = recurrence_statistics(distance)
    hist = return_time_histogram(distance)
    ex = excursions(distance)
    out = []
    for r, i in enumerate(trials):
        done = ex.completed & (ex.trial == r)
        rec = {
            "n": n,
            "m": m,
            "k": k,
            "flip": flip,
            "noise_std": noise_std,
            "clip": clip,
            "steps": steps,
            "seed": seed,
            "trial": int(i),
            "eta": eta,
            "init_scale": init_scale,
            "latent": bool(latent),
            "version": __version__,
            "first_hit": _none_if(st.first_hit[r]),
            "returns": int(st.returns[r]),
            "escapes": int(st.escapes[r]),
            "occupation": float(st.occupation[r]),
            "max_distance_after_first_hit": _none_if(st.max_distance_after_first_hit[r]),
            "mean_distance": float(st.mean_distance[r]),
            "final_distance": int(st.final_distance[r]),
            "return_time_hist": hist[r].tolist(),
            "mean_return_time": float(np.mean(ex.length[done])) if np.any(done) else None,
            "max_abs_u": float(np.max(np.abs(u_final[r]))),
            "predicted_oscillating": int(np.count_nonzero(pred.oscillating[r])),
            "predicted_occupation": float(pred.occupation[r]),
        }
        if latent:
            frac = wrong_fraction(U[r : r + 1], w_star[r])[0]
            obs = frac > 0
            so = sojourns(distance[r])
            ok = so.completed
            pred_len = (
                exit_time(U[r, so.start[ok]], c[r], w_star[r], eta=eta)
                if np.any(ok)
                else np.zeros(0, dtype=np.int64)
            )
            vote = ergodic_weights(U[r : r + 1])[0]
            rec.update(
                {
                    "observed_oscillating": int(np.count_nonzero(obs)),
                    "oscillating_both": int(np.count_nonzero(obs & pred.oscillating[r])),
                    "prediction_accuracy": (
                        float(np.mean(obs == pred.oscillating[r])) if st.first_hit[r] >= 0 else None
                    ),
                    "sojourns": int(np.count_nonzero(ok)),
                    "sojourn_length_predicted": int(np.count_nonzero(pred_len == so.length[ok])),
                    "ergodic_distance": int(np.count_nonzero(vote != w_star[r])),
                    "mean_wrong_fraction": float(np.mean(frac)),
                    "predicted_wrong_fraction": float(np.mean(pred.wrong_fraction[r])),
                }
            )
        out.append(rec)
    return out


def _check_run_inputs(n, m, k, flip, noise_std, clip, steps, seed, eta, init_scale):
    n = check_int(n, "n", min_value=1)
    m = check_int(m, "m", min_value=1)
    k = check_int(k, "k", min_value=1)
    flip = check_float(flip, "flip", min_value=0.0, max_value=1.0)
    noise_std = check_float(noise_std, "noise_std", min_value=0.0)
    if clip is not None:
        clip = check_float(clip, "clip", min_value=0.0, strict_min=True)
    steps = check_int(steps, "steps", min_value=0)
    seed = check_int(seed, "seed", min_value=0)
    eta = check_float(eta, "eta", min_value=0.0, strict_min=True)
    init_scale = check_float(init_scale, "init_scale", min_value=0.0, strict_min=True)
    return n, m, k, flip, noise_std, clip, steps, seed, eta, init_scale


def recurrence_record(
    n: int,
    m: int,
    *,
    k: int = 1,
    flip: float = 0.0,
    noise_std: float = 0.0,
    clip: float | None = None,
    steps: int = 20_000,
    seed: int = 0,
    trial: int = 0,
    eta: float = 1.0,
    init_scale: float = 1e-3,
    latent: bool = False,
) -> dict:
    """Run one noisy trial and summarise its recurrence (``python -m stelib recurrence``).

    Trial ``trial`` at ``(n, m, k)`` draws from ``SeedSequence(seed, spawn_key=(n, m, k, trial))``
    (:func:`stelib.sample_trial`), so runs that differ only in ``flip``, ``noise_std`` or ``clip``
    share ``Z``, ``w*`` and ``u₀`` (and a larger ``flip`` flips a superset of the labels).

    Parameters
    ----------
    n, m, k : int
        Dimension, samples, patches.
    flip, noise_std : float
        Label noise (:func:`stelib.noisy_labels`); both may be used at once.
    clip : float > 0, optional
        Box ``[−clip, clip]`` for the latent weights.
    steps : int
        Budget ``T``.
    seed, trial : int
        Root seed and trial index.
    eta, init_scale : float
        Step size and scale of ``u₀``.
    latent : bool
        Also record every ``uₜ`` (:func:`latent_trajectory`, slower) and add the measured side of
        the mechanism: which coordinates oscillate, whether the sojourn lengths at ``w*`` equal
        :func:`exit_time`, the majority vote over time.

    Returns
    -------
    dict
        JSON-ready, with the inputs, ``version``, the fields of :class:`RecurrenceStats`
        (``first_hit`` and ``max_distance_after_first_hit`` are ``None`` without a hit),
        ``return_time_hist`` (:func:`return_time_histogram`), ``mean_return_time``,
        ``max_abs_u`` (``max |u_T|``), ``predicted_oscillating`` and ``predicted_occupation``
        (:func:`drift_prediction`); with ``latent`` also ``observed_oscillating`` (coordinates
        wrong at some step of the second half), ``oscillating_both`` (predicted and observed),
        ``prediction_accuracy`` (fraction of coordinates whose oscillate/lock prediction is
        right; ``None`` without a hit), ``sojourns`` and
        ``sojourn_length_predicted`` (completed sojourns, and how many lasted exactly
        :func:`exit_time` steps), ``ergodic_distance`` (Hamming distance of
        :func:`ergodic_weights` to ``w*``), ``mean_wrong_fraction`` and
        ``predicted_wrong_fraction`` (mean over coordinates of :func:`wrong_fraction` and of its
        prediction).

    See chapter "Label noise and recurrence".
    """
    args = _check_run_inputs(n, m, k, flip, noise_std, clip, steps, seed, eta, init_scale)
    trial = check_int(trial, "trial", min_value=0)
    n, m, k, flip, noise_std, clip, steps, seed, eta, init_scale = args
    return _records(
        n, m, k, flip, noise_std, clip, steps, seed, [trial], eta, init_scale, bool(latent)
    )[0]


def recurrence_sweep(
    n: int,
    m: Sequence[int],
    *,
    flip: Sequence[float] = (0.0,),
    noise_std: Sequence[float] = (0.0,),
    trials: int = 10,
    k: int = 1,
    clip: float | None = None,
    steps: int = 20_000,
    seed: int = 0,
    eta: float = 1.0,
    init_scale: float = 1e-3,
    latent: bool = False,
    executor: Executor | None = None,
    memory=None,
    progress: bool | None = None,
) -> list[dict]:
    """:func:`recurrence_record` for trials ``0 … trials − 1`` at every ``(m, flip, noise_std)``.

    Parameters
    ----------
    n : int
    m, flip, noise_std : sequences
        The grid; its points are all combinations.
    trials : int
        Trials per grid point (one independent stream each, shared across ``flip`` and
        ``noise_std``).
    k, clip, steps, seed, eta, init_scale, latent
        See :func:`recurrence_record`.
    executor : concurrent.futures.Executor, optional
        Runs the grid points; results do not depend on it.
    memory : str, os.PathLike or joblib.Memory, optional
        On-disk cache of finished grid points (resume after an interruption).
    progress : bool, optional
        Progress bar, default from :func:`stelib.progress_enabled`.

    Returns
    -------
    list of dict
        Records in the order ``m``, then ``flip``, then ``noise_std``, then trial; record ``i`` at
        a grid point equals ``recurrence_record(..., trial=i)``.
    """
    from tqdm.auto import tqdm

    from .experiments import progress_enabled

    ms = [check_int(v, "m", min_value=1) for v in np.atleast_1d(m).tolist()]
    flips = [check_float(v, "flip", min_value=0.0, max_value=1.0) for v in np.atleast_1d(flip)]
    stds = [check_float(v, "noise_std", min_value=0.0) for v in np.atleast_1d(noise_std)]
    if not ms or not flips or not stds:
        raise ValueError("m, flip and noise_std must each hold at least one value.")
    trials = check_int(trials, "trials", min_value=1)
    args = _check_run_inputs(n, ms[0], k, 0.0, 0.0, clip, steps, seed, eta, init_scale)
    n, _, k, _, _, clip, steps, seed, eta, init_scale = args
    if executor is not None and not isinstance(executor, Executor):
        raise TypeError(
            f"executor must be a concurrent.futures.Executor, got {type(executor).__name__}."
        )
    fn = _records
    if memory is not None:
        import joblib

        if not isinstance(memory, joblib.Memory):
            memory = joblib.Memory(os.fspath(memory), verbose=0)
        fn = memory.cache(_records)
    idx = list(range(trials))
    tasks = [
        (n, mv, k, p, s, clip, steps, seed, idx, eta, init_scale, bool(latent))
        for mv in ms
        for p in flips
        for s in stds
    ]
    bar = tqdm(total=len(tasks), desc="recurrence", disable=not progress_enabled(progress))
    out: list[dict] = []
    try:
        if executor is None:
            for t in tasks:
                out += fn(*t)
                bar.update()
        else:
            futures = [executor.submit(fn, *t) for t in tasks]
            for f in futures:
                out += f.result()
                bar.update()
    finally:
        bar.close()
    return out


class RecurrenceFile(NamedTuple):
    """A recurrence data file (``python -m stelib recurrence-grid --out FILE``), read back.

    Attributes
    ----------
    params : dict
        Shared inputs: ``n``, ``k``, ``steps``, ``seed``, ``eta``, ``init_scale``, ``clip``,
        ``latent``, ``trials`` and the grid ``m``, ``flip``, ``noise_std``.
    records : list of dict
        One per (``m``, ``flip``, ``noise_std``, trial), in that order; with ``params`` and
        ``version`` added back each equals :func:`recurrence_record`'s output.
    command : str
        The exact command that wrote the file.
    version : str
        The stelib version that wrote it.
    """

    params: dict
    records: list
    command: str
    version: str

    def table(self, key: str) -> np.ndarray:
        """Field ``key`` of every record as an array of shape (len(m), len(flip),
        len(noise_std), trials); ``None`` becomes NaN."""
        p = self.params
        shape = (len(p["m"]), len(p["flip"]), len(p["noise_std"]), p["trials"])
        if not self.records or key not in self.records[0]:
            raise ValueError(f"key == {key!r} is not a field of the records.")
        vals = [np.nan if r[key] is None else r[key] for r in self.records]
        return np.asarray(vals, dtype=np.float64).reshape(shape + np.shape(vals[0]))


def write_recurrence_file(
    path: str | os.PathLike, records: list, *, params: dict, command: str
) -> dict:
    """Write sweep ``records`` with their provenance to ``path`` (JSON, sorted keys).

    The shared inputs (``n``, ``k``, ``steps``, ``seed``, ``eta``, ``init_scale``, ``clip``,
    ``latent``) and ``version`` are stored once; ``params`` must also give ``trials`` and the
    grid ``m``, ``flip``, ``noise_std``. Returns the object written.
    """
    from . import __version__

    if not isinstance(command, str) or not command:
        raise ValueError(f"command == {command!r}, must be a non-empty string.")
    need = set(_SHARED) | {"trials", "m", "flip", "noise_std"}
    missing = sorted(need - set(params))
    if missing:
        raise ValueError(f"params is missing {missing}.")
    size = len(params["m"]) * len(params["flip"]) * len(params["noise_std"]) * params["trials"]
    if len(records) != size:
        raise ValueError(f"records has {len(records)} entries, the grid in params needs {size}.")
    slim = [{k: v for k, v in r.items() if k not in _SHARED + ("version",)} for r in records]
    obj = {**{k: params[k] for k in sorted(need)}, "command": command, "version": __version__}
    obj["records"] = slim
    folder = os.path.dirname(os.fspath(path))
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(obj, fh, sort_keys=True, separators=(",", ":"))
        fh.write("\n")
    return obj


def read_recurrence_file(path: str | os.PathLike) -> RecurrenceFile:
    """Read a file written by :func:`write_recurrence_file`."""
    with open(path, encoding="utf-8") as fh:
        obj = json.load(fh)
    need = set(_SHARED) | {"trials", "m", "flip", "noise_std", "records", "command", "version"}
    missing = sorted(need - set(obj))
    if missing:
        raise ValueError(f"{os.fspath(path)!r} is not a recurrence data file, missing {missing}.")
    params = {k: obj[k] for k in sorted(set(_SHARED) | {"trials", "m", "flip", "noise_std"})}
    records = [
        {**{k: params[k] for k in _SHARED}, **r, "version": obj["version"]} for r in obj["records"]
    ]
    return RecurrenceFile(
        params=params, records=records, command=obj["command"], version=obj["version"]
    )
