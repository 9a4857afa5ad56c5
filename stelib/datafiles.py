"""Data files of the book: heavy measurements stored as JSON with their provenance.

A chapter whose measurement takes longer than its execution budget reads it from
``chapters/data/*.json``. Every such file is written by the command line (``python -m stelib
... --out FILE``) and records the exact command that made it, its root seed and the stelib
version, so a reader can regenerate it and compare byte for byte (no timings, sorted keys).
Every format is here, written by one atomic writer (:func:`write_json`: a temporary file in the
same folder, then ``os.replace``, so an interrupted run never leaves a half-written file).

* success files (:func:`write_success_file`, :func:`read_success_file`), chapters "STE with
  finite samples" and "Measuring the threshold";
* recurrence files (:func:`write_recurrence_file`, :func:`read_recurrence_file`), chapter
  "Label noise and recurrence";
* version-space and AMP files (:func:`write_optimum_file`, :func:`write_amp_file` and their
  readers), chapter "STE against the optimum".
"""

from __future__ import annotations

import os
from typing import NamedTuple

import numpy as np

from ._jsonio import WriteError, _read_json, command_line, write_json  # the one writer
from .experiments import SuccessResult
from .message_passing import AMPSuccess
from .optimum import OptimumResult
from .variants import RUN_DEFAULTS, run_options

__all__ = [
    "command_line",
    "write_json",
    "WriteError",
    "SuccessFile",
    "success_summary",
    "write_success_file",
    "read_success_file",
    "ThresholdFile",
    "write_threshold_file",
    "read_threshold_file",
    "RecurrenceFile",
    "write_recurrence_file",
    "read_recurrence_file",
    "OptimumFile",
    "optimum_summary",
    "write_optimum_file",
    "read_optimum_file",
    "AMPFile",
    "amp_summary",
    "write_amp_file",
    "read_amp_file",
]


_FAMILY_KEYS = ("inputs", "normalise", "df", "mu", "corr")


class SuccessFile(NamedTuple):
    """A success-probability data file, read back.

    Attributes
    ----------
    result : SuccessResult
        Per-trial hitting times and the grid (``n``, ``m``, ``k``, ``trials``, ``steps``,
        ``seed``).
    eta, init_scale : float
        Step size and scale of ``u₀`` of the run.
    command : str
        The exact command that wrote the file.
    version : str
        The stelib version that wrote it.
    family : dict
        The input family and normalisation where not the Gaussian model's defaults (``inputs``
        with the family's ``df``, ``mu`` or ``corr``, and ``normalise``); ``{}`` for the
        Gaussian model (chapter "Beyond Gaussian data").
    options : dict
        The options of practice that differ from their defaults (:func:`stelib.run_options`:
        ``ste``, ``ste_scale``, ``clip``, ``eta_decay``, ``weight_decay``, ``minibatch``);
        empty for a run of the book's model.
    """

    result: SuccessResult
    eta: float
    init_scale: float
    command: str
    version: str
    family: dict = {}  # never mutated
    options: dict = {}  # never mutated


def success_summary(
    result: SuccessResult,
    *,
    eta: float,
    init_scale: float,
    family: tuple | dict = (),
    options: dict | None = None,
) -> dict:
    """What ``python -m stelib success --json`` prints, less ``version``: the inputs,
    ``successes`` and ``median_hit`` per ``m`` (a success file adds ``hits`` and provenance).

    ``family``: the options of :func:`stelib.check_inputs` that are not the Gaussian model's
    defaults; ``options``: the options of practice that differ from their defaults
    (:func:`stelib.run_options`). Only those are recorded, so every file written before input
    families and practice options existed regenerates byte for byte from its command.
    """
    if not isinstance(result, SuccessResult):
        raise TypeError(f"result must be a SuccessResult, got {type(result).__name__}.")
    return run_options(**(options or {})) | {
        **dict(family),
        "eta": float(eta),
        "init_scale": float(init_scale),
        "k": result.k,
        "m": result.m.tolist(),
        "median_hit": result.median_hit,
        "n": result.n,
        "seed": result.seed,
        "steps": result.steps,
        "successes": result.successes.tolist(),
        "trials": result.trials,
    }


def write_success_file(
    path: str | os.PathLike,
    result: SuccessResult,
    *,
    eta: float,
    init_scale: float,
    command: str,
    family: tuple | dict = (),
    options: dict | None = None,
) -> dict:
    """Write ``result`` with its provenance to ``path`` (JSON, sorted keys) and return the record.

    The record holds everything ``python -m stelib success --json`` prints (``n``, ``m``, ``k``,
    ``trials``, ``steps``, ``seed``, ``eta``, ``init_scale``, ``successes``, ``median_hit``,
    ``version``) plus ``hits`` (hitting time of every trial, ``-1`` for none) and ``command``;
    ``family`` as in :func:`success_summary` (only the options that are not the defaults); of
    the ``options`` of practice only those that differ from their defaults, so a run of the
    book's model writes the same bytes as before they existed.
    """
    record = {
        **success_summary(result, eta=eta, init_scale=init_scale, family=family, options=options)
    }
    record["hits"] = result.hits.tolist()
    return write_json(path, record, command=command)


def read_success_file(path: str | os.PathLike) -> SuccessFile:
    """Read a file written by :func:`write_success_file` (``python -m stelib success --out``)."""
    keys = {"command", "eta", "hits", "init_scale", "k", "m", "n", "seed", "steps", "trials"}
    record = _read_json(path, "success", keys | {"version"})
    hits = np.asarray(record["hits"], dtype=np.int64)
    m = np.asarray(record["m"], dtype=np.int64)
    if hits.shape != (m.size, record["trials"]):
        raise ValueError(
            f"{os.fspath(path)!r}: hits has shape {hits.shape}, must be "
            f"({m.size}, {record['trials']})."
        )
    result = SuccessResult(
        n=int(record["n"]),
        k=int(record["k"]),
        m=m,
        trials=int(record["trials"]),
        steps=int(record["steps"]),
        seed=int(record["seed"]),
        hits=hits,
    )
    return SuccessFile(
        result=result,
        eta=float(record["eta"]),
        init_scale=float(record["init_scale"]),
        command=str(record["command"]),
        version=str(record["version"]),
        family={key: record[key] for key in _FAMILY_KEYS if key in record},
        options=run_options(**{k: record[k] for k in RUN_DEFAULTS if k in record}),
    )


class ThresholdFile(NamedTuple):
    """A censored success file (``python -m stelib threshold --out FILE``), read back: a
    :class:`SuccessFile` whose ``result.fixed`` holds every trial's fixed-point step, so that
    :func:`stelib.outcomes` classifies it (success, stuck, censored) at any budget ``≤ steps``.
    Fields as :class:`SuccessFile` (the Gaussian model, book defaults of practice)."""

    result: SuccessResult
    eta: float
    init_scale: float
    command: str
    version: str


def write_threshold_file(
    path: str | os.PathLike, result: SuccessResult, *, eta: float, init_scale: float, command: str
) -> dict:
    """Write ``result`` (with ``fixed``) to ``path``: :func:`success_summary` plus ``stuck`` and
    ``censored`` per ``m`` at ``steps``, and per trial ``hits`` and ``fixed`` (``-1``: none)."""
    if not isinstance(result, SuccessResult) or result.fixed is None:
        raise ValueError("result must be a SuccessResult with fixed points (result.fixed).")
    record = success_summary(result, eta=eta, init_scale=init_scale)
    stuck = result.stuck
    record |= {"stuck": stuck.tolist(), "hits": result.hits.tolist()}
    record["censored"] = (result.trials - result.successes - stuck).tolist()
    record["fixed"] = result.fixed.tolist()
    return write_json(path, record, command=command)


def read_threshold_file(path: str | os.PathLike) -> ThresholdFile:
    """Read a file written by :func:`write_threshold_file`."""
    f = read_success_file(path)
    fixed = np.asarray(_read_json(path, "threshold", ("fixed",))["fixed"], dtype=np.int64)
    if fixed.shape != f.result.hits.shape:
        raise ValueError(f"{os.fspath(path)!r}: fixed has shape {fixed.shape}, must be "
                         f"{f.result.hits.shape}.")  # fmt: skip
    res = f.result._replace(fixed=fixed)
    return ThresholdFile(res, f.eta, f.init_scale, f.command, f.version)


# ---------------------------------------------------------------------------------------------
# Recurrence files (``python -m stelib recurrence-grid --out FILE``)
# ---------------------------------------------------------------------------------------------

#: Inputs shared by every record of a recurrence file, stored once.
_SHARED = ("n", "k", "steps", "seed", "eta", "init_scale", "clip", "latent")


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
    need = set(_SHARED) | {"trials", "m", "flip", "noise_std"}
    missing = sorted(need - set(params))
    if missing:
        raise ValueError(f"params is missing {missing}.")
    size = len(params["m"]) * len(params["flip"]) * len(params["noise_std"]) * params["trials"]
    if len(records) != size:
        raise ValueError(f"records has {len(records)} entries, the grid in params needs {size}.")
    slim = [{k: v for k, v in r.items() if k not in _SHARED + ("version",)} for r in records]
    return write_json(path, {**{k: params[k] for k in need}, "records": slim}, command=command)


def read_recurrence_file(path: str | os.PathLike) -> RecurrenceFile:
    """Read a file written by :func:`write_recurrence_file`."""
    need = set(_SHARED) | {"trials", "m", "flip", "noise_std", "records", "command", "version"}
    obj = _read_json(path, "recurrence", need)
    params = {k: obj[k] for k in sorted(set(_SHARED) | {"trials", "m", "flip", "noise_std"})}
    records = [
        {**{k: params[k] for k in _SHARED}, **r, "version": obj["version"]} for r in obj["records"]
    ]
    return RecurrenceFile(
        params=params, records=records, command=obj["command"], version=obj["version"]
    )


# ---------------------------------------------------------------------------------------------
# Chapter "STE against the optimum": the version space and AMP
# ---------------------------------------------------------------------------------------------


class OptimumFile(NamedTuple):
    """A version-space data file (``python -m stelib optimum --out``), read back.

    Attributes
    ----------
    result : stelib.OptimumResult
        ``|V|`` of every trial and the grid.
    command, version : str
        The command that wrote the file and the stelib version.
    """

    result: OptimumResult
    command: str
    version: str


def optimum_summary(result: OptimumResult) -> dict:
    """What ``python -m stelib optimum --json`` prints, less ``version``."""
    if not isinstance(result, OptimumResult):
        raise TypeError(f"result must be an OptimumResult, got {type(result).__name__}.")
    return {
        "bayes": result.bayes.tolist(),
        "m": result.m.tolist(),
        "n": result.n,
        "seed": result.seed,
        "trials": result.trials,
        "unique": result.unique.tolist(),
    }


def write_optimum_file(path: str | os.PathLike, result: OptimumResult, *, command: str) -> dict:
    """Write ``result`` with its provenance to ``path`` (:func:`write_json`); return the record:
    :func:`optimum_summary` plus ``sizes`` (``|V|`` of every trial), ``command``, ``version``."""
    record = {**optimum_summary(result), "sizes": result.sizes.tolist()}
    return write_json(path, record, command=command)


def read_optimum_file(path: str | os.PathLike) -> OptimumFile:
    """Read a file written by :func:`write_optimum_file`."""
    r = _read_json(
        path, "version-space", ("command", "m", "n", "seed", "sizes", "trials", "version")
    )
    sizes = np.asarray(r["sizes"], dtype=np.int64)
    m = np.asarray(r["m"], dtype=np.int64)
    if sizes.shape != (m.size, r["trials"]):
        raise ValueError(
            f"{os.fspath(path)!r}: sizes has shape {sizes.shape}, must be "
            f"({m.size}, {r['trials']})."
        )
    res = OptimumResult(
        n=int(r["n"]), m=m, trials=int(r["trials"]), seed=int(r["seed"]), sizes=sizes
    )
    return OptimumFile(result=res, command=str(r["command"]), version=str(r["version"]))


class AMPFile(NamedTuple):
    """An AMP data file (``python -m stelib amp --out``), read back.

    Attributes
    ----------
    result : stelib.AMPSuccess
        Exact recovery, overlap and iterations of every trial.
    steps : int
        Maximum iterations.
    damping : float
    command, version : str
    """

    result: AMPSuccess
    steps: int
    damping: float
    command: str
    version: str


def amp_summary(result: AMPSuccess, *, steps: int, damping: float) -> dict:
    """What ``python -m stelib amp --json`` prints, less ``version`` (``overlap``: the mean)."""
    if not isinstance(result, AMPSuccess):
        raise TypeError(f"result must be an AMPSuccess, got {type(result).__name__}.")
    return {
        "alpha": result.alpha.tolist(),
        "damping": float(damping),
        "m": result.m.tolist(),
        "n": result.n,
        "overlap": result.overlap.mean(axis=1).tolist(),
        "seed": result.seed,
        "steps": int(steps),
        "successes": result.successes.tolist(),
        "trials": result.trials,
    }


def write_amp_file(
    path: str | os.PathLike, result: AMPSuccess, *, steps: int, damping: float, command: str
) -> dict:
    """Write ``result`` with its provenance to ``path`` (:func:`write_json`); return the record:
    :func:`amp_summary` plus the per-trial ``exact``, ``overlaps`` and ``iterations``."""
    record = {
        **amp_summary(result, steps=steps, damping=damping),
        "exact": result.exact.astype(int).tolist(),
        "iterations": result.iterations.tolist(),
        "overlaps": result.overlap.tolist(),
    }
    return write_json(path, record, command=command)


def read_amp_file(path: str | os.PathLike) -> AMPFile:
    """Read a file written by :func:`write_amp_file`."""
    need = ("alpha", "command", "damping", "exact", "iterations", "m", "n", "overlaps", "seed")
    r = _read_json(path, "AMP", (*need, "steps", "trials", "version"))
    exact = np.asarray(r["exact"], dtype=bool)
    alpha = np.asarray(r["alpha"], dtype=float)
    if exact.shape != (alpha.size, r["trials"]):
        raise ValueError(
            f"{os.fspath(path)!r}: exact has shape {exact.shape}, must be "
            f"({alpha.size}, {r['trials']})."
        )
    res = AMPSuccess(
        n=int(r["n"]),
        alpha=alpha,
        m=np.asarray(r["m"], dtype=np.int64),
        trials=int(r["trials"]),
        seed=int(r["seed"]),
        exact=exact,
        overlap=np.asarray(r["overlaps"], dtype=float),
        iterations=np.asarray(r["iterations"], dtype=np.int64),
    )
    return AMPFile(
        result=res,
        steps=int(r["steps"]),
        damping=float(r["damping"]),
        command=str(r["command"]),
        version=str(r["version"]),
    )
