"""Data files of the book: heavy measurements stored as JSON with their provenance.

A chapter whose measurement takes longer than its execution budget reads it from
``chapters/data/*.json``. Every such file is written by the command line (``python -m stelib
... --out FILE``) and records the exact command that made it, its root seed and the stelib
version, so a reader can regenerate it and compare byte for byte (no timings, sorted keys).

Used in chapter "The sample-size threshold" (``chapters/threshold.ipynb``).
"""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from .experiments import SuccessResult
from .optimum import AMPSuccess, OptimumResult

__all__ = [
    "SuccessFile",
    "command_line",
    "write_success_file",
    "read_success_file",
    "OptimumFile",
    "write_optimum_file",
    "read_optimum_file",
    "AMPFile",
    "write_amp_file",
    "read_amp_file",
]


def command_line(argv: Sequence[str]) -> str:
    """The shell command ``python -m stelib ARGV…`` that a data file records."""
    return shlex.join(["python", "-m", "stelib", *[str(a) for a in argv]])


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
    """

    result: SuccessResult
    eta: float
    init_scale: float
    command: str
    version: str


def write_success_file(
    path: str | os.PathLike,
    result: SuccessResult,
    *,
    eta: float,
    init_scale: float,
    command: str,
) -> dict:
    """Write ``result`` with its provenance to ``path`` (JSON, sorted keys) and return the record.

    The record holds everything ``python -m stelib success --json`` prints (``n``, ``m``, ``k``,
    ``trials``, ``steps``, ``seed``, ``eta``, ``init_scale``, ``successes``, ``median_hit``,
    ``version``) plus ``hits`` (hitting time of every trial, ``-1`` for none) and ``command``.
    """
    from . import __version__

    if not isinstance(result, SuccessResult):
        raise TypeError(f"result must be a SuccessResult, got {type(result).__name__}.")
    _check_command(command)
    record = {
        "command": command,
        "eta": float(eta),
        "hits": result.hits.tolist(),
        "init_scale": float(init_scale),
        "k": result.k,
        "m": result.m.tolist(),
        "median_hit": result.median_hit,
        "n": result.n,
        "seed": result.seed,
        "steps": result.steps,
        "successes": result.successes.tolist(),
        "trials": result.trials,
        "version": __version__,
    }
    return _write_record(path, record)


def _write_record(path, record: dict) -> dict:
    """Write ``record`` as one line of JSON (sorted keys, no spaces) to ``path``; return it."""
    folder = os.path.dirname(os.fspath(path))
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(record, fh, sort_keys=True, separators=(",", ":"))
        fh.write("\n")
    return record


def _read_record(path, keys: set, kind: str) -> dict:
    with open(path, encoding="utf-8") as fh:
        record = json.load(fh)
    missing = sorted((keys | {"command", "version"}) - set(record))
    if missing:
        raise ValueError(f"{os.fspath(path)!r} is not {kind} data file, missing {missing}.")
    return record


def _check_command(command) -> None:
    if not isinstance(command, str) or not command:
        raise ValueError(f"command == {command!r}, must be a non-empty string.")


def read_success_file(path: str | os.PathLike) -> SuccessFile:
    """Read a file written by :func:`write_success_file` (``python -m stelib success --out``)."""
    with open(path, encoding="utf-8") as fh:
        record = json.load(fh)
    keys = {"command", "eta", "hits", "init_scale", "k", "m", "n", "seed", "steps", "trials"}
    missing = sorted((keys | {"version"}) - set(record))
    if missing:
        raise ValueError(f"{os.fspath(path)!r} is not a success data file, missing {missing}.")
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


def write_optimum_file(path: str | os.PathLike, result: OptimumResult, *, command: str) -> dict:
    """Write ``result`` with its provenance to ``path`` (JSON, sorted keys); return the record.

    The record holds what ``python -m stelib optimum --json`` prints (``n``, ``m``, ``trials``,
    ``seed``, ``unique``, ``bayes``, ``version``) plus ``sizes`` (``|V|`` of every trial) and
    ``command``.
    """
    from . import __version__

    if not isinstance(result, OptimumResult):
        raise TypeError(f"result must be an OptimumResult, got {type(result).__name__}.")
    _check_command(command)
    return _write_record(
        path,
        {
            "bayes": result.bayes.tolist(),
            "command": command,
            "m": result.m.tolist(),
            "n": result.n,
            "seed": result.seed,
            "sizes": result.sizes.tolist(),
            "trials": result.trials,
            "unique": result.unique.tolist(),
            "version": __version__,
        },
    )


def read_optimum_file(path: str | os.PathLike) -> OptimumFile:
    """Read a file written by :func:`write_optimum_file`."""
    r = _read_record(path, {"m", "n", "seed", "sizes", "trials"}, "a version-space")
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


def write_amp_file(
    path: str | os.PathLike, result: AMPSuccess, *, steps: int, damping: float, command: str
) -> dict:
    """Write ``result`` with its provenance to ``path`` (JSON, sorted keys); return the record.

    The record holds what ``python -m stelib amp --json`` prints (``n``, ``alpha``, ``m``,
    ``trials``, ``seed``, ``successes``, ``overlap`` (mean), ``version``) plus ``steps``,
    ``damping``, the per-trial ``exact``, ``overlaps`` and ``iterations``, and ``command``.
    """
    from . import __version__

    if not isinstance(result, AMPSuccess):
        raise TypeError(f"result must be an AMPSuccess, got {type(result).__name__}.")
    _check_command(command)
    return _write_record(
        path,
        {
            "alpha": result.alpha.tolist(),
            "command": command,
            "damping": float(damping),
            "exact": result.exact.astype(int).tolist(),
            "iterations": result.iterations.tolist(),
            "m": result.m.tolist(),
            "n": result.n,
            "overlap": result.overlap.mean(axis=1).tolist(),
            "overlaps": result.overlap.tolist(),
            "seed": result.seed,
            "steps": int(steps),
            "successes": result.successes.tolist(),
            "trials": result.trials,
            "version": __version__,
        },
    )


def read_amp_file(path: str | os.PathLike) -> AMPFile:
    """Read a file written by :func:`write_amp_file`."""
    keys = {"alpha", "damping", "exact", "iterations", "m", "n", "overlaps", "seed", "steps"}
    r = _read_record(path, keys | {"trials"}, "an AMP")
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
