"""Spending trials where they inform: an adaptive design on ``m`` for ``m₅₀``, against a grid.

Taught in chapter "The threshold without a budget"; issue 13, item 3.

Both designs estimate ``m₅₀`` by the logistic model of :func:`stelib.fit_m50` (maximum
likelihood in ``log m``) with a profile-likelihood interval (:func:`profile_m50`: it stays
honest with few sizes and near-separated data, where the binomial bootstrap collapses), and
stop at the first round, after at least ``min_trials`` trials, whose interval has relative width
``(hi − lo)/m₅₀`` at most ``target`` (without that floor an adaptive run could stop after its
first 80 trials on an interval that later rounds show too narrow). They differ only in where
a round's ``batch`` trials go:

* **fixed grid** (:func:`grid_design`): ``batch/G`` more trials at each of the ``G`` sizes of a
  geometric grid over the prior range ``[lo, hi]`` (the book's grids);
* **adaptive** (:func:`adaptive_design`): a first round on three sizes of the same range
  (``lo``, ``√(lo·hi)``, ``hi``); then, as long as the curve does not cross ½ on the sizes tried,
  a round just beyond the side where it stays (``×`` or ``÷ 1.25``); once it does, the logistic
  model is refitted after every round and the next ``batch`` trials go half to each of
  ``m̂₅₀ e^{±ŝ}`` (the sizes where the fitted curve is at 27% and 73%, whose outcomes carry the
  most information on ``m₅₀`` when the width ``s`` is also unknown).

Trial ``i`` at ``(n, m, k)`` is the same trial as in every sweep
(``SeedSequence(seed, spawn_key=(n, m, k, i))``); a design takes at every ``m`` the next unused
indices ``0, 1, 2, …``, so it is reproducible and its trials are the sweeps' trials.
:func:`design_study` repeats both designs with root seeds ``1 … R`` and measures the saving:
the trials each needs to reach each target width.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import Executor
from typing import NamedTuple

import numpy as np

from ._jsonio import _read_json, write_json
from ._tasks import run_tasks
from ._validate import check_float, check_int
from .experiments import _success_batch
from .stats import crosses_half

__all__ = [
    "profile_m50",
    "DesignRun",
    "grid_design",
    "adaptive_design",
    "DesignStudy",
    "design_study",
    "write_design_file",
    "read_design_file",
]

_CHI2_95 = 3.841458820694124  # 95% quantile of chi-square with 1 degree of freedom


class _Fit(NamedTuple):
    m50: float
    lo: float
    hi: float
    width: float


def profile_m50(m, successes, trials, *, points: int = 801) -> _Fit:
    """``m₅₀``, its 95% profile-likelihood interval and the width ``s`` of the logistic model
    ``P(m) = expit((log m − log m₅₀)/s)``: the log-likelihood maximised over ``s`` for each
    ``log m₅₀`` on a grid of ``points`` values reaching half a unit beyond the sizes; the
    interval is where twice the drop from the maximum is at most the χ²₁ 95% quantile."""
    x = np.log(np.asarray(m, dtype=float))
    k, n = np.asarray(successes, dtype=float), np.asarray(trials, dtype=float)
    theta = np.linspace(x.min() - 0.5, x.max() + 0.5, points)
    b = np.geomspace(0.25, 400.0, 160)  # 1/s
    z = b[None, :, None] * (x[None, None, :] - theta[:, None, None])
    ll = (k * -np.logaddexp(0.0, -z) + (n - k) * -np.logaddexp(0.0, z)).sum(axis=2)
    prof = ll.max(axis=1)
    i = int(prof.argmax())
    inside = np.flatnonzero(2 * (prof[i] - prof) <= _CHI2_95)
    lo, hi = np.exp(theta[inside[0]]), np.exp(theta[inside[-1]])
    return _Fit(float(np.exp(theta[i])), float(lo), float(hi), float(1 / b[ll[i].argmax()]))


class DesignRun(NamedTuple):
    """One run of a design: the sizes tried and, after every round, the fit.

    Attributes
    ----------
    m, trials, successes : numpy.ndarray of int
        The sizes tried (sorted) and their trial and success counts at the end.
    rounds : numpy.ndarray, shape (R, 4)
        After round ``r``: total trials so far, ``m̂₅₀``, ``lo``, ``hi`` (``nan`` before the
        curve crosses ½).
    """

    m: np.ndarray
    trials: np.ndarray
    successes: np.ndarray
    rounds: np.ndarray

    def trials_for(self, target: float, min_trials: int = 0) -> float:
        """Trials used when the relative width first reached ``target`` with at least
        ``min_trials`` trials (``nan`` if never): the stopping rule of the designs."""
        r = self.rounds
        with np.errstate(invalid="ignore"):
            ok = np.flatnonzero(((r[:, 3] - r[:, 2]) / r[:, 1] <= target) & (r[:, 0] >= min_trials))
        return float(r[ok[0], 0]) if ok.size else float("nan")


class _Counts:
    """Trials run so far per ``m`` (next index to use) and successes, for one root seed."""

    def __init__(self, n, k, seed, steps, eta, init_scale, memory):
        self.task = (n, k, seed, steps, eta, init_scale)
        self.memory, self.n, self.s = memory, {}, {}

    def run(self, requests):
        """``requests``: ``{m: size}``; the next ``size`` trials at each ``m``."""
        n, k, seed, steps, eta, init_scale = self.task
        items = [(m, size) for m, size in sorted(requests.items()) if size > 0]
        tasks = [
            (n, m, k, seed, self.n.get(m, 0), size, steps, eta, init_scale, "identity", 1.0, ())
            for m, size in items
        ]
        for (m, size), out in zip(
            items, run_tasks(_success_batch, tasks, memory=self.memory, progress=False), strict=True
        ):
            self.n[m] = self.n.get(m, 0) + size
            self.s[m] = self.s.get(m, 0) + int(np.count_nonzero(out[0] >= 0))

    def arrays(self):
        m = np.array(sorted(self.n), dtype=np.int64)
        return m, np.array([self.n[v] for v in m]), np.array([self.s[v] for v in m])

    def fit(self):
        m, n, s = self.arrays()
        if m.size < 2 or not crosses_half(s, n):
            return None
        return profile_m50(m, s, n)

    def record(self, rounds):
        f = self.fit()
        m, n, s = self.arrays()
        rounds.append((n.sum(), *((np.nan,) * 3 if f is None else (f.m50, f.lo, f.hi))))
        return f


def _check(n, lo, hi, batch, target, max_trials, steps, seed, k):
    n = check_int(n, "n", min_value=1)
    lo, hi = check_int(lo, "lo", min_value=1), check_int(hi, "hi", min_value=2)
    if hi <= lo:
        raise ValueError(f"hi == {hi}, must be > lo == {lo}.")
    return (
        n,
        lo,
        hi,
        check_int(batch, "batch", min_value=2),
        check_float(target, "target", min_value=0.0, strict_min=True),
        check_int(max_trials, "max_trials", min_value=1),
        check_int(steps, "steps"),
        check_int(seed, "seed"),
        check_int(k, "k", min_value=1),
    )


def _finish(c: _Counts, rounds) -> DesignRun:
    m, n, s = c.arrays()
    return DesignRun(m, n, s, np.array(rounds, dtype=float))


def grid_design(
    n: int,
    lo: int,
    hi: int,
    *,
    points: int = 10,
    batch: int = 40,
    target: float = 0.05,
    min_trials: int = 160,
    max_trials: int = 20_000,
    steps: int = 20_000,
    seed: int = 0,
    k: int = 1,
    eta: float = 1.0,
    init_scale: float = 1e-3,
    memory=None,
) -> DesignRun:
    """The fixed grid: ``batch // points`` trials per round at each of ``points`` geometric
    sizes in ``[lo, hi]``, until the relative width is ``≤ target`` with at least ``min_trials``
    trials (an interval from a few trials is too optimistic to stop on), or ``max_trials``."""
    n, lo, hi, batch, target, max_trials, steps, seed, k = _check(
        n, lo, hi, batch, target, max_trials, steps, seed, k
    )
    points = check_int(points, "points", min_value=2)
    grid = np.unique(np.round(np.geomspace(lo, hi, points)).astype(int))
    per = max(batch // grid.size, 1)
    c, rounds = _Counts(n, k, seed, steps, eta, init_scale, memory), []
    while True:
        c.run({int(m): per for m in grid})
        f = c.record(rounds)
        done = f is not None and (f.hi - f.lo) / f.m50 <= target and rounds[-1][0] >= min_trials
        if done or rounds[-1][0] >= max_trials:
            return _finish(c, rounds)


def adaptive_design(
    n: int,
    lo: int,
    hi: int,
    *,
    batch: int = 40,
    target: float = 0.05,
    min_trials: int = 160,
    max_trials: int = 20_000,
    steps: int = 20_000,
    seed: int = 0,
    k: int = 1,
    eta: float = 1.0,
    init_scale: float = 1e-3,
    memory=None,
) -> DesignRun:
    """The adaptive design of the module docstring (same stopping rule as :func:`grid_design`)."""
    n, lo, hi, batch, target, max_trials, steps, seed, k = _check(
        n, lo, hi, batch, target, max_trials, steps, seed, k
    )
    c, rounds = _Counts(n, k, seed, steps, eta, init_scale, memory), []
    mid = int(round(np.sqrt(lo * hi)))
    c.run({lo: batch // 3, mid: batch // 3, hi: batch - 2 * (batch // 3)})
    f = c.record(rounds)
    while rounds[-1][0] < max_trials:
        if f is None:  # no crossing yet: step beyond the side where the curve stays
            m, nn, s = c.arrays()
            low = np.all(2 * s < nn) or (2 * s[-1] <= nn[-1])
            new = int(np.ceil(m[-1] * 1.25)) if low else max(int(m[0] / 1.25), 1)
            c.run({new: batch})
        else:
            if (f.hi - f.lo) / f.m50 <= target and rounds[-1][0] >= min_trials:
                break
            s = min(f.width, 0.5)  # a steep or flat first fit: stay near the crossing
            a, b = (max(int(round(f.m50 * np.exp(x))), 1) for x in (-s, s))
            c.run({a: batch // 2, b: batch - batch // 2} if a != b else {a: batch})
        f = c.record(rounds)
    return _finish(c, rounds)


class DesignStudy(NamedTuple):
    """Both designs repeated (:func:`design_study`).

    Attributes
    ----------
    params : dict
        The inputs (``n``, ``k``, ``lo``, ``hi``, ``points``, ``batch``, ``steps``, ``seeds``,
        ``targets``, ``min_trials``, ``max_trials``, ``eta``, ``init_scale``).
    grid, adaptive : list of DesignRun
        One per root seed.
    """

    params: dict
    grid: list
    adaptive: list

    def trials_needed(self, target: float) -> tuple[np.ndarray, np.ndarray]:
        """Trials each repetition needed to reach ``target``: (grid, adaptive) arrays."""
        low = self.params["min_trials"]
        return (
            np.array([r.trials_for(target, low) for r in self.grid]),
            np.array([r.trials_for(target, low) for r in self.adaptive]),
        )

    def reference(self) -> float:
        """``m₅₀`` of all the grid's trials pooled over the repetitions (independent seeds)."""
        m = self.grid[0].m
        n = np.sum([r.trials for r in self.grid], axis=0)
        return profile_m50(m, np.sum([r.successes for r in self.grid], axis=0), n).m50

    def at_trials(self, design: str, trials: int) -> tuple[float, float, float]:
        """``(bias, sd, coverage)`` of the estimates of ``design`` after its round with exactly
        ``trials`` trials (runs without such a round are left out), against ``reference()``:
        the realised precision at a fixed number of trials, whatever the intervals claim."""
        rows = [r.rounds[r.rounds[:, 0] == trials] for r in getattr(self, design)]
        fin = np.array([x[0] for x in rows if len(x) and np.isfinite(x[0, 1])])
        ref = self.reference()
        d = np.log(fin[:, 1] / ref)
        cover = np.mean((fin[:, 2] <= ref) & (ref <= fin[:, 3]))
        return float(d.mean()), float(d.std(ddof=1)), float(cover)

    def trials_for_spread(self, design: str, sd: float) -> float:
        """The fewest trials (a round's total) after which the estimates of ``design`` spread
        by at most ``sd`` (``at_trials``; runs that go on without stopping, e.g. a study
        with an unreachable target); ``nan`` if never."""
        totals = sorted({int(t) for r in getattr(self, design) for t in r.rounds[:, 0]})
        for t in totals:
            if self.at_trials(design, t)[1] <= sd:
                return float(t)
        return float("nan")

    def accuracy(self, design: str) -> tuple[float, float, float]:
        """``(bias, sd, coverage)`` of the final estimates of ``design`` (``"grid"`` or
        ``"adaptive"``) against ``reference()``: mean and standard deviation of
        ``log(m̂₅₀/reference)`` and the fraction of final intervals that contain it."""
        fin = np.array([r.rounds[-1] for r in getattr(self, design)])
        ref = self.reference()
        d = np.log(fin[:, 1] / ref)
        cover = np.mean((fin[:, 2] <= ref) & (ref <= fin[:, 3]))
        return float(d.mean()), float(d.std(ddof=1)), float(cover)

    def saving(self, target: float) -> float:
        """Mean trials of the grid over mean trials of the adaptive design at ``target``."""
        g, a = self.trials_needed(target)
        return float(np.nanmean(g) / np.nanmean(a))


def _both(n, lo, hi, points, batch, target, low, max_trials, steps, seed, k, eta, init_scale):
    kw = {
        "batch": batch,
        "target": target,
        "min_trials": low,
        "max_trials": max_trials,
        "steps": steps,
        "seed": seed,
        "k": k,
        "eta": eta,
        "init_scale": init_scale,
    }
    return (grid_design(n, lo, hi, points=points, **kw), adaptive_design(n, lo, hi, **kw))


def design_study(
    n: int,
    lo: int,
    hi: int,
    *,
    repetitions: int = 20,
    points: int = 10,
    batch: int = 40,
    targets: Sequence[float] = (0.2, 0.1, 0.05),
    min_trials: int = 160,
    max_trials: int = 20_000,
    steps: int = 20_000,
    k: int = 1,
    eta: float = 1.0,
    init_scale: float = 1e-3,
    executor: Executor | None = None,
    memory=None,
    progress: bool | None = None,
) -> DesignStudy:
    """Run :func:`grid_design` and :func:`adaptive_design` with root seeds ``1 … repetitions``
    (one task per seed), each until the smallest of ``targets``; see ``DesignStudy.saving``.
    """
    repetitions = check_int(repetitions, "repetitions", min_value=1)
    targets = sorted(check_float(t, "targets", min_value=0.0, strict_min=True) for t in targets)
    seeds = list(range(1, repetitions + 1))
    tasks = [
        (n, lo, hi, points, batch, targets[0], min_trials, max_trials, steps, s, k, eta, init_scale)
        for s in seeds
    ]
    runs = run_tasks(
        _both,
        tasks,
        executor=executor,
        memory=memory,
        progress=progress,
        desc=f"design n={n}",
        unit="rep",
    )
    params = {
        "n": n,
        "k": k,
        "lo": lo,
        "hi": hi,
        "points": points,
        "batch": batch,
        "steps": steps,
        "seeds": seeds,
        "targets": targets,
        "min_trials": check_int(min_trials, "min_trials", min_value=0),
        "max_trials": max_trials,
        "eta": eta,
        "init_scale": init_scale,
    }
    return DesignStudy(params, [r[0] for r in runs], [r[1] for r in runs])


def _run_json(r: DesignRun) -> dict:
    rounds = [[None if np.isnan(v) else float(v) for v in row] for row in r.rounds]
    return {
        "m": r.m.tolist(),
        "trials": r.trials.tolist(),
        "successes": r.successes.tolist(),
        "rounds": rounds,
    }


def write_design_file(path: str | os.PathLike, study: DesignStudy, *, command: str) -> dict:
    """Write ``study`` with its provenance (:func:`stelib.write_json`): the inputs, every run of
    both designs (sizes, counts, fit after every round) and, per target, the trials needed."""
    need = {str(t): [v.tolist() for v in study.trials_needed(t)] for t in study.params["targets"]}
    record = {
        **study.params,
        "grid": [_run_json(r) for r in study.grid],
        "adaptive": [_run_json(r) for r in study.adaptive],
        "trials_needed": need,
    }
    return write_json(path, record, command=command)


def _run_of(d: dict) -> DesignRun:
    rounds = np.array([[np.nan if v is None else v for v in row] for row in d["rounds"]], float)
    return DesignRun(
        *(np.asarray(d[key], dtype=np.int64) for key in ("m", "trials", "successes")), rounds
    )


def read_design_file(path: str | os.PathLike) -> tuple[DesignStudy, str, str]:
    """Read a file of :func:`write_design_file`: ``(study, command, version)``."""
    keys = (
        "n",
        "k",
        "lo",
        "hi",
        "points",
        "batch",
        "steps",
        "seeds",
        "targets",
        "min_trials",
        "max_trials",
        "eta",
        "init_scale",
    )
    r = _read_json(path, "design", (*keys, "grid", "adaptive", "command", "version"))
    study = DesignStudy(
        {key: r[key] for key in keys},
        [_run_of(d) for d in r["grid"]],
        [_run_of(d) for d in r["adaptive"]],
    )
    return study, r["command"], r["version"]
