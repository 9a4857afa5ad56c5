"""Experiments: every sweep of the book, on one task runner.

* :func:`success_probability`: success of the STE-gradient method over sample sizes (chapters
  "STE with finite samples" and "Measuring the threshold");
* :func:`recurrence_record` and :func:`recurrence_sweep`: noisy runs and their recurrence
  statistics (chapter "Label noise and recurrence").

A sweep is cut into tasks (batches of trials, or grid points); each task is a pure function of
its parameters (trial ``i`` draws from its own stream, see :mod:`stelib.data`) run by
:func:`run_tasks`, so

* results do not depend on the batch size, the number of trials, the order of grid points or the
  executor that runs them (any :class:`concurrent.futures.Executor`: processes locally, a Dask
  ``Client``'s executor on a cluster);
* with ``memory`` (a folder or a :class:`joblib.Memory`) every finished batch is cached on disk
  with its parameters, so an interrupted sweep resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from typing import NamedTuple

import numpy as np

from ._tasks import progress_enabled, run_tasks  # the one task runner (re-exported)
from ._validate import check_float, check_int, check_memory
from ._version import __version__
from .data import sample_trials
from .input_families import check_inputs
from .model import sign
from .recurrence import run_summaries
from .ste import _check_ste, coarse_gradient, ste_gradient_method
from .theory import DriftPrediction, drift_prediction
from .trajectory import latent_trajectory
from .variants import practice_keywords, practice_task

__all__ = [
    "run_tasks",
    "progress_enabled",
    "SuccessResult",
    "success_probability",
    "recurrence_record",
    "recurrence_sweep",
]


class SuccessResult(NamedTuple):
    """Outcome of :func:`success_probability`.

    Attributes
    ----------
    n, k, trials, steps, seed : int
        The inputs.
    m : numpy.ndarray of int, shape (len(m),)
        Sample sizes.
    hits : numpy.ndarray of int, shape (len(m), trials)
        Hitting time of ``w*`` for every trial, ``-1`` where ``w*`` was not reached within
        ``steps``.
    fixed : numpy.ndarray of int, shape (len(m), trials), or None
        Step at which the trial reached a fixed point (``ĝ = 0``: it never moves again), ``-1``
        where it did not within ``steps``; ``None`` where not recorded (an old success file).
        A success is a fixed point (``fixed == hits``); see :func:`stelib.outcomes`.
    """

    n: int
    k: int
    m: np.ndarray
    trials: int
    steps: int
    seed: int
    hits: np.ndarray
    fixed: np.ndarray | None = None

    @property
    def stuck(self) -> np.ndarray | None:
        """Trials per ``m`` that stopped at a fixed point other than ``w*`` (noiseless labels,
        identity STE: a zero-training-loss weight ``w ≠ w*``), ``None`` without ``fixed``."""
        if self.fixed is None:
            return None
        return np.count_nonzero((self.fixed >= 0) & (self.hits < 0), axis=1)

    @property
    def successes(self) -> np.ndarray:
        """Number of successful trials per ``m``, shape ``(len(m),)``."""
        return np.count_nonzero(self.hits >= 0, axis=1)

    @property
    def probability(self) -> np.ndarray:
        """Fraction of successful trials per ``m``."""
        return self.successes / self.trials

    @property
    def median_hit(self) -> list[float | None]:
        """Median hitting time among successes per ``m`` (``None`` where there are none)."""
        out = []
        for row in self.hits:
            ok = row[row >= 0]
            out.append(float(np.median(ok)) if ok.size else None)
        return out


def _success_batch(
    n, m, k, seed, start, size, steps, eta, init_scale, ste, ste_scale, family=(), *more
):
    """Hitting times and fixed-point steps (shape ``(2, size)``) of trials ``start … start +
    size − 1`` at ``(n, m, k)`` (noiseless); ``family``: the input family's options, ``more``:
    the options of practice."""
    t = sample_trials(n, m, trials=size, seed=seed, start=start, k=k, init_scale=init_scale,
                      **dict(family))  # fmt: skip
    opts = practice_keywords(more, seed=seed, n=n, m=m, k=k, trials=range(start, start + size))
    kw = {"w_star": t.w_star, "a": t.a, "eta": eta, "steps": steps, "ste": ste, **opts}
    res = ste_gradient_method(t.Z, t.y, t.u0, ste_scale=ste_scale, **kw)
    return np.stack([res.hit, res.fixed_point])


def success_probability(
    n: int,
    m: Sequence[int],
    *,
    trials: int = 100,
    steps: int = 20_000,
    k: int = 1,
    seed: int = 0,
    eta: float = 1.0,
    init_scale: float = 1e-3,
    ste: str = "identity",
    ste_scale: float = 1.0,
    clip: float | None = None,
    eta_decay: float | None = None,
    weight_decay: float = 0.0,
    minibatch: int | None = None,
    batch_size: int = 32,
    executor: Executor | None = None,
    memory=None,
    progress: bool | None = None,
    **family,
) -> SuccessResult:
    """Estimate ``P(sign(uₜ) = w* for some t ≤ steps)`` for each ``m`` (noiseless labels).

    Parameters
    ----------
    n : int
        Dimension.
    m : sequence of int
        Sample sizes.
    trials : int
        Independent trials per ``m``.
    steps : int
        Budget ``T``.
    k : int
        Patches.
    seed : int
        Root seed; trial ``i`` at ``(n, m, k)`` uses :func:`stelib.trial_seed`.
    eta, init_scale, ste, ste_scale, clip, eta_decay, weight_decay, minibatch, **family
        Passed to :func:`stelib.sample_trial` and :func:`stelib.ste_gradient_method` (``clip`` …
        ``minibatch``: :func:`stelib.practice_keywords`; with ``minibatch`` steps count batches;
        ``family``: ``inputs``, ``normalise``, ``df``, ``mu``, ``corr``
        (:func:`stelib.check_inputs`).
    batch_size : int
        Trials per batch (memory ``≈ 8·batch_size·m·k·n`` bytes). Does not change results.
    executor : concurrent.futures.Executor, optional
        Runs the batches; ``None`` runs them in this process. Does not change results.
    memory : str, os.PathLike or joblib.Memory, optional
        On-disk cache of finished batches, keyed by all their parameters.
    progress : bool, optional
        Progress bar; default from :func:`progress_enabled`.

    Returns
    -------
    SuccessResult

    See chapter "Measuring the threshold".
    """
    n = check_int(n, "n", min_value=1)
    m = [m] if isinstance(m, (int, np.integer)) else m
    m_values = np.array([check_int(v, "m", min_value=1, max_value=2**63 - 1) for v in m], np.int64)
    if m_values.size == 0:
        raise ValueError("m is empty, must list at least one sample size.")
    trials, steps = check_int(trials, "trials", min_value=1), check_int(steps, "steps", min_value=0)
    k, seed = check_int(k, "k", min_value=1), check_int(seed, "seed", min_value=0)
    eta = check_float(eta, "eta", min_value=0.0, strict_min=True)
    init_scale = check_float(init_scale, "init_scale", min_value=0.0, strict_min=True)
    ste_scale = _check_ste(ste, ste_scale)
    batch_size = check_int(batch_size, "batch_size", min_value=1)
    check_memory((m_values.size, trials + 32 * -(-trials // batch_size)), "len(m) × trials")
    family = check_inputs(m=int(m_values.min()), k=k, n=n, **family)
    more = practice_task(clip, eta_decay, weight_decay, minibatch, eta=eta, m=m_values)
    spec = [(i, start) for i in range(m_values.size) for start in range(0, trials, batch_size)]
    tasks = [
        (n, int(m_values[i]), k, seed, start, min(batch_size, trials - start), steps, eta)
        + (init_scale, ste, ste_scale, tuple(family), *more)
        for i, start in spec
    ]
    done = run_tasks(
        _success_batch, tasks, executor=executor, memory=memory, progress=progress,
        desc=f"n={n}", unit="batch",
    )  # fmt: skip
    hits = np.full((m_values.size, trials), -1, dtype=np.int64)
    fixed = hits.copy()
    for (i, start), (h, f) in zip(spec, done, strict=True):
        hits[i, start : start + h.size] = h
        fixed[i, start : start + f.size] = f
    return SuccessResult(n, k, m_values, trials, steps, seed, hits, fixed)


# ---------------------------------------------------------------------------------------------
# Label noise: one run summarised, and a sweep over (m, flip, noise_std)
# ---------------------------------------------------------------------------------------------


class NoisyRuns(NamedTuple):
    """:func:`noisy_runs`, a row per trial: teachers, drift ``h = ĝ(w*)`` and its prediction,
    distances (trials, T + 1), last iterates, and every ``uₜ`` with ``latent`` (else None)."""

    w_star: np.ndarray
    h: np.ndarray
    pred: DriftPrediction
    distance: np.ndarray
    u_final: np.ndarray
    path: np.ndarray | None


def noisy_runs(n, m, k, flip, noise_std, clip, steps, seed, trials, eta, init_scale, latent):
    """Trials ``trials`` (consecutive indices) at ``(n, m, k)`` with label noise, recorded by
    the engine, or with ``latent`` by :func:`stelib.latent_trajectory` (the same iterates)."""
    t = sample_trials(
        n, m, trials=len(trials), seed=seed, start=trials[0], k=k, flip=flip,
        noise_std=noise_std, init_scale=init_scale,
    )  # fmt: skip
    h = np.stack([coarse_gradient(*zyw, a=t.a) for zyw in zip(t.Z, t.y, t.w_star, strict=True)])
    pred = drift_prediction(h, t.w_star, flip=flip, a=t.a)
    U = None
    if latent:
        U = latent_trajectory(t.Z, t.y, t.u0, a=t.a, eta=eta, steps=steps, clip=clip)
        distance = np.count_nonzero(sign(U) != t.w_star[:, None, :], axis=2)
        u_final = U[:, -1]
    else:
        res = ste_gradient_method(
            t.Z, t.y, t.u0, w_star=t.w_star, a=t.a, eta=eta, steps=steps, clip=clip, record=True
        )
        distance, u_final = res.distance, res.u
    return NoisyRuns(t.w_star, h, pred, distance, u_final, U)


def _records(
    n, m, k, flip, noise_std, clip, steps, seed, trials, eta, init_scale, latent
) -> list[dict]:
    """One JSON-ready record per trial index in ``trials`` (see :func:`recurrence_record`)."""
    run = noisy_runs(n, m, k, flip, noise_std, clip, steps, seed, trials, eta, init_scale, latent)
    inputs = {"n": n, "m": m, "k": k, "flip": flip, "noise_std": noise_std, "clip": clip}
    inputs |= {"steps": steps, "seed": seed, "eta": eta, "init_scale": init_scale}
    inputs |= {"latent": bool(latent), "version": __version__}
    summary = run_summaries(
        run.distance, run.u_final, run.h, run.w_star, run.pred, eta=eta, path=run.path
    )
    return [{**inputs, "trial": int(i), **s} for i, s in zip(trials, summary, strict=True)]


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
    ms = [check_int(v, "m", min_value=1) for v in np.atleast_1d(m).tolist()]
    flips = [check_float(v, "flip", min_value=0.0, max_value=1.0) for v in np.atleast_1d(flip)]
    stds = [check_float(v, "noise_std", min_value=0.0) for v in np.atleast_1d(noise_std)]
    if not ms or not flips or not stds:
        raise ValueError("m, flip and noise_std must each hold at least one value.")
    trials = check_int(trials, "trials", min_value=1)
    check_memory((len(ms), len(flips), len(stds), trials), "grid × trials", itemsize=4096)
    args = _check_run_inputs(n, ms[0], k, 0.0, 0.0, clip, steps, seed, eta, init_scale)
    n, _, k, _, _, clip, steps, seed, eta, init_scale = args
    idx = list(range(trials))
    tasks = [
        (n, mv, k, p, s, clip, steps, seed, idx, eta, init_scale, bool(latent))
        for mv in ms
        for p in flips
        for s in stds
    ]
    done = run_tasks(
        _records, tasks, executor=executor, memory=memory, progress=progress, desc="recurrence"
    )
    return [record for records in done for record in records]
