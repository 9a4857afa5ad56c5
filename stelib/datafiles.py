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

__all__ = ["SuccessFile", "command_line", "write_success_file", "read_success_file"]


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

    The input family, normalisation and family parameters are in ``result`` (``inputs``,
    ``normalise``, ``input_params``; the Gaussian model's defaults where the file has none).
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
    The input family (``inputs`` and its parameters, e.g. ``df``) and ``normalise`` are added
    only where they are not the Gaussian model's defaults (``"gaussian"``, ``"none"``), so every
    file written before they existed regenerates byte for byte from its command.
    """
    from . import __version__

    if not isinstance(result, SuccessResult):
        raise TypeError(f"result must be a SuccessResult, got {type(result).__name__}.")
    if not isinstance(command, str) or not command:
        raise ValueError(f"command == {command!r}, must be a non-empty string.")
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
    if result.inputs != "gaussian":
        record.update(inputs=result.inputs, **result.input_params)
    if result.normalise != "none":
        record["normalise"] = result.normalise
    folder = os.path.dirname(os.fspath(path))
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(record, fh, sort_keys=True, separators=(",", ":"))
        fh.write("\n")
    return record


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
        inputs=str(record.get("inputs", "gaussian")),
        normalise=str(record.get("normalise", "none")),
        input_params={key: float(record[key]) for key in ("df", "mu", "corr") if key in record},
    )
    return SuccessFile(
        result=result,
        eta=float(record["eta"]),
        init_scale=float(record["init_scale"]),
        command=str(record["command"]),
        version=str(record["version"]),
    )
