"""Sweeps: success probability of the STE-gradient method over a grid of sample sizes.

Used in chapters "STE with finite samples" and "The sample-size threshold". A sweep is cut into
batches of trials; each batch is a pure function of its parameters (trial ``i`` draws from its
own stream, see :mod:`stelib.data`), so

* results do not depend on the batch size, the number of trials, the order of grid points or the
  executor that runs them (any :class:`concurrent.futures.Executor`: processes locally, a Dask
  ``Client``'s executor on a cluster);
* with ``memory`` (a folder or a :class:`joblib.Memory`) every finished batch is cached on disk
  with its parameters, so an interrupted sweep resumes where it stopped.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import Executor
from typing import NamedTuple

import numpy as np

from ._validate import check_float, check_int
from .data import sample_trials
from .input_families import check_normalise, input_parameters
from .ste import _check_ste, ste_gradient_method

__all__ = ["SuccessResult", "success_probability", "progress_enabled"]


def progress_enabled(progress: bool | None) -> bool:
    """Whether to show progress bars: ``progress`` if given, else env ``STELIB_PROGRESS != "0"``.

    Notebooks are executed for the book and for nbval with ``STELIB_PROGRESS=0`` so that no
    progress bar (with its timings) lands in a stored output; a reader running a notebook sees
    the bars.
    """
    if progress is None:
        return os.environ.get("STELIB_PROGRESS", "1") != "0"
    return bool(progress)


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
    inputs, normalise : str
        Input family and normalisation layer (chapter "Beyond Gaussian data").
    input_params : dict
        The family's parameters (:func:`stelib.input_parameters`; ``{}`` for most).
    """

    n: int
    k: int
    m: np.ndarray
    trials: int
    steps: int
    seed: int
    hits: np.ndarray
    inputs: str = "gaussian"
    normalise: str = "none"
    input_params: dict = {}  # never mutated

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
    n, m, k, seed, start, size, steps, eta, init_scale, ste, ste_scale, inputs="gaussian", **data
):
    """Hitting times of trials ``start … start + size − 1`` at ``(n, m, k)`` (noiseless).

    ``data`` holds ``normalise`` and the family's parameters when not the Gaussian model's
    defaults (so the on-disk cache keys of Gaussian batches are unchanged).
    """
    t = sample_trials(
        n, m, trials=size, seed=seed, start=start, k=k, init_scale=init_scale, inputs=inputs, **data
    )
    res = ste_gradient_method(
        t.Z, t.y, t.u0, w_star=t.w_star, a=t.a, eta=eta, steps=steps, ste=ste, ste_scale=ste_scale
    )
    return res.hit


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
    batch_size: int = 32,
    executor: Executor | None = None,
    memory=None,
    progress: bool | None = None,
    inputs: str = "gaussian",
    normalise: str = "none",
    df: float | None = None,
    mu: float | None = None,
    corr: float | None = None,
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
    eta, init_scale, ste, ste_scale
        Passed to :func:`stelib.sample_trial` and :func:`stelib.ste_gradient_method`.
    batch_size : int
        Trials per batch (memory ``≈ 8·batch_size·m·k·n`` bytes). Does not change results.
    executor : concurrent.futures.Executor, optional
        Runs the batches; ``None`` runs them in this process. Does not change results.
    memory : str, os.PathLike or joblib.Memory, optional
        On-disk cache of finished batches, keyed by all their parameters.
    progress : bool, optional
        Progress bar; default from :func:`progress_enabled`.
    inputs : str
        Input family (:func:`stelib.sample_inputs`); default ``"gaussian"``.
    normalise : str
        Normalisation layer of the network (:func:`stelib.normalise_inputs`), teacher and
        student alike; default ``"none"``. The defaults give exactly the Gaussian model's
        results.
    df, mu, corr : float, optional
        The family's parameter (:func:`stelib.input_parameters`).

    Returns
    -------
    SuccessResult

    See chapter "The sample-size threshold".
    """
    n = check_int(n, "n", min_value=1)
    if isinstance(m, (int, np.integer)):
        m = [m]
    m_values = np.array([check_int(v, "m", min_value=1) for v in m], dtype=np.int64)
    if m_values.size == 0:
        raise ValueError("m is empty, must list at least one sample size.")
    trials = check_int(trials, "trials", min_value=1)
    steps = check_int(steps, "steps", min_value=0)
    k = check_int(k, "k", min_value=1)
    seed = check_int(seed, "seed", min_value=0)
    eta = check_float(eta, "eta", min_value=0.0, strict_min=True)
    init_scale = check_float(init_scale, "init_scale", min_value=0.0, strict_min=True)
    ste_scale = _check_ste(ste, ste_scale)
    batch_size = check_int(batch_size, "batch_size", min_value=1)
    params = input_parameters(inputs, df=df, mu=mu, corr=corr)
    check_normalise(normalise)
    if normalise == "whiten" and int(m_values.min()) * k < n + 1:
        raise ValueError(
            f"m == {int(m_values.min())} (with k == {k}): normalise == 'whiten' in dimension "
            f"n == {n} needs m·k >= n + 1."
        )
    data = {} if inputs == "gaussian" else {"inputs": inputs, **params}
    if normalise != "none":
        data["normalise"] = normalise
    if executor is not None and not isinstance(executor, Executor):
        raise TypeError(
            f"executor must be a concurrent.futures.Executor, got {type(executor).__name__}."
        )

    fn = _success_batch
    if memory is not None:
        import joblib

        if not isinstance(memory, joblib.Memory):
            memory = joblib.Memory(os.fspath(memory), verbose=0)
        fn = memory.cache(_success_batch)

    tasks = [
        (i, start, (mv, start, min(batch_size, trials - start)))
        for i, mv in enumerate(m_values)
        for start in range(0, trials, batch_size)
    ]

    def args(mv, start, size):
        return (n, int(mv), k, seed, start, size, steps, eta, init_scale, ste, ste_scale)

    from tqdm.auto import tqdm

    hits = np.full((m_values.size, trials), -1, dtype=np.int64)
    bar = tqdm(
        total=len(tasks), desc=f"n={n}", unit="batch", disable=not progress_enabled(progress)
    )
    try:
        if executor is None:
            for i, start, spec in tasks:
                hits[i, start : start + spec[2]] = fn(*args(*spec), **data)
                bar.update()
        else:
            futures = [
                (i, start, spec, executor.submit(fn, *args(*spec), **data))
                for i, start, spec in tasks
            ]
            for i, start, spec, fut in futures:
                hits[i, start : start + spec[2]] = fut.result()
                bar.update()
    finally:
        bar.close()
    return SuccessResult(
        n=n,
        k=k,
        m=m_values,
        trials=trials,
        steps=steps,
        seed=seed,
        hits=hits,
        inputs=inputs,
        normalise=normalise,
        input_params=params,
    )
