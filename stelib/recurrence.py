"""Label noise and recurrence: the optimum is left and found again, measured (SPEC §3 E4, E5).

Taught in chapter "Label noise and recurrence" (``chapters/recurrence.ipynb``).

With noisy labels the STE-gradient method does not stop at ``w*``: it reaches it, leaves it, and
comes back. This module measures that from a distance trajectory ``dₜ = #{j : wₜⱼ ≠ w*ⱼ}``
(``t = 0, …, T``, one row per trial, as recorded by :func:`stelib.ste_gradient_method`) and
explains it from the coarse gradient at the optimum.

Statistics of a trajectory (:func:`recurrence_statistics`, :func:`excursions`,
:func:`sojourns`, :func:`return_time_histogram`):

* first hit ``τ = min{t : dₜ = 0}`` (``-1`` if ``w*`` is never reached);
* an *escape* is a step ``t`` with ``dₜ₋₁ = 0 < dₜ``; a *return* is a step ``t > τ`` with
  ``dₜ₋₁ > 0 = dₜ`` (the first hit is not a return);
* the *return time* of an escape at ``t`` is ``t′ − t``, where ``t′`` is the next return: the
  number of steps spent away from ``w*`` (an *excursion*); a *sojourn* is a maximal run of steps
  at ``w*``;
* occupation ``(1/(T+1)) Σₜ 1{dₜ = 0}``, the fraction of the ``T + 1`` recorded iterates that
  equal ``w*`` (the ergodic measure of success; the last iterate is ``d_T = 0``).

The mechanism that makes a coordinate oscillate or lock, the drift ``h = ĝ(w*)`` at the optimum,
is in :mod:`stelib.theory` (:func:`stelib.drift_prediction`, :func:`stelib.exit_time`); the
latent path in :mod:`stelib.trajectory` (:func:`stelib.latent_trajectory`); the noisy runs and
their sweep in :mod:`stelib.experiments`; their data file in :mod:`stelib.datafiles`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._compat import moved
from ._types import ArrayLike
from ._validate import check_array, check_binary, check_int
from .model import sign
from .theory import exit_time

__all__ = [
    "RecurrenceStats",
    "recurrence_statistics",
    "Runs",
    "excursions",
    "sojourns",
    "RETURN_TIME_BINS",
    "return_time_histogram",
    "wrong_fraction",
    "ergodic_weights",
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


def _rows(distance) -> np.ndarray:
    """``distance`` validated, as rows (trials, T + 1)."""
    d = _check_distance(distance)
    return d.reshape(-1, d.shape[-1])


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


def recurrence_statistics(distance: ArrayLike) -> RecurrenceStats:
    """Returns, escapes, occupation, first hit and farthest excursion of trajectories ``dₜ``.

    :prf:ref:`def-recurrence-statistics`; occupation, eq. :eq:`recurrence-occupation`.

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


def excursions(distance: ArrayLike) -> Runs:
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
    d = _rows(distance)
    at = d == 0
    seen = np.maximum.accumulate(at, axis=1)  # True from the first hit on
    return _runs(d, seen & ~at)


def sojourns(distance: ArrayLike) -> Runs:
    """Sojourns at ``w*``: maximal runs of steps with ``dₜ = 0`` (``height`` is 0).

    A completed sojourn that starts at ``t`` lasts ``length`` steps and ends with an escape at
    ``t + length``; :func:`exit_time` predicts that length from ``u_t`` and the drift ``h = ĝ(w*)``.

    Parameters
    ----------
    distance : array_like of int, shape (T + 1,) or (trials, T + 1)

    Returns
    -------
    Runs
    """
    d = _rows(distance)
    return _runs(d, d == 0)


def return_time_histogram(distance: ArrayLike, *, bins: int = RETURN_TIME_BINS) -> np.ndarray:
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
# Statistics of a latent path (from :func:`stelib.latent_trajectory`)
# ---------------------------------------------------------------------------------------------


def wrong_fraction(path: ArrayLike, w_star: ArrayLike, *, start: int | None = None) -> np.ndarray:
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


def ergodic_weights(path: ArrayLike, *, start: int = 0) -> np.ndarray:
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
# A run summarised (one record per trial of ``python -m stelib recurrence``)
# ---------------------------------------------------------------------------------------------


def _none_if(value, bad=-1):
    return None if value == bad else int(value)


def run_summaries(
    distance: ArrayLike,
    u_final,
    h: ArrayLike,
    w_star: ArrayLike,
    pred,
    *,
    eta: float,
    path: ArrayLike | None = None,
) -> list[dict]:
    """The recurrence statistics of noisy runs as JSON-ready dicts, one per trial.

    Parameters
    ----------
    distance : numpy.ndarray of int, shape (trials, T + 1)
        Hamming distances ``dₜ``.
    u_final : numpy.ndarray, shape (trials, n)
        Last latent iterates.
    h : numpy.ndarray, shape (trials, n)
        The drift ``ĝ(w*)`` of each trial.
    w_star : numpy.ndarray, shape (trials, n)
    pred : stelib.DriftPrediction
        :func:`stelib.drift_prediction` of ``h``.
    eta : float
        Step size.
    path : numpy.ndarray, shape (trials, T + 1, n), optional
        Every latent iterate: adds the measured side of the mechanism.

    Returns
    -------
    list of dict
        The fields listed in :func:`stelib.recurrence_record`, except the inputs and version.
    """
    U = path
    st = recurrence_statistics(distance)
    hist = return_time_histogram(distance)
    ex = excursions(distance)
    out = []
    for r in range(distance.shape[0]):
        done = ex.completed & (ex.trial == r)
        rec = {
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
        if U is not None:
            frac = wrong_fraction(U[r : r + 1], w_star[r])[0]
            obs = frac > 0
            so = sojourns(distance[r])
            ok = so.completed
            pred_len = (
                exit_time(U[r, so.start[ok]], h[r], w_star[r], eta=eta)
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


#: Names that lived here before issue 19, still reachable with a DeprecationWarning.
__getattr__ = moved(
    __name__,
    {
        "DriftPrediction": "stelib.theory",
        "drift_prediction": "stelib.theory",
        "exit_time": "stelib.theory",
        "latent_trajectory": "stelib.trajectory",
        "recurrence_record": "stelib.experiments",
        "recurrence_sweep": "stelib.experiments",
        "RecurrenceFile": "stelib.datafiles",
        "write_recurrence_file": "stelib.datafiles",
        "read_recurrence_file": "stelib.datafiles",
    },
)
