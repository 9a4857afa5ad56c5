"""The command line's building blocks: option types that validate through ``_validate``,
the options every sweep shares, and saving a result without losing it (``python -m stelib``).
"""

from __future__ import annotations

import argparse
import os
import sys

from ._validate import check_float, check_int, check_output_path
from .datafiles import (
    WriteError,
)
from .input_families import INPUT_FAMILIES, NORMALISATIONS, check_inputs
from .ste import STES
from .variants import RUN_DEFAULTS


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error message (``stelib success: error: argument --n: ...``)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _number(kind: type, name: str, **bounds):
    """An argparse type: text → ``kind`` (int or float), validated by :mod:`stelib._validate`
    (``bounds`` are its ``min_value``, ``max_value``, ``strict_min``)."""
    check = check_int if kind is int else check_float

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            what = "integer" if kind is int else "number"
            raise argparse.ArgumentTypeError(f"invalid {what} {text!r}") from None
        try:
            return check(value, name, **bounds)
        except (TypeError, ValueError) as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = kind.__name__
    return parse


def _list_of(parse_one):
    """An argparse type: comma-separated values, each parsed by ``parse_one``."""

    def parse(text):
        items = [v for v in text.split(",") if v.strip()]
        if not items:
            raise argparse.ArgumentTypeError(f"empty list {text!r}")
        return [parse_one(v) for v in items]

    parse.__name__ = "list"
    return parse


def _count(name: str, lo: int = 1):
    return _number(int, name, min_value=lo)


_POSITIVE = {"min_value": 0.0, "strict_min": True}
_MAX_WORKERS = 512  # local processes; more is a typo (a cluster: --scheduler)


def _path(name: str, *, folder: bool = False):
    """An argparse type: a path to write (a file, or with ``folder`` a folder), checked at once
    (:func:`stelib._validate.check_output_path`) so that a typo fails before the computation."""

    def parse(text):
        try:
            path = check_output_path(text, name, folder=folder)
        except (TypeError, ValueError) as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        return os.path.abspath(path) if folder else path  # workers elsewhere find it too

    parse.__name__ = "path"
    return parse


def _add_sweep_options(p, what: str) -> None:
    """``--workers``, ``--cache``, ``--progress``: how a sweep runs (never what it computes)."""
    p.add_argument(
        "--workers",
        type=_number(int, "workers", min_value=1, max_value=_MAX_WORKERS),
        default=1,
        help="worker processes; results do not depend on it (default 1)",
    )
    p.add_argument(
        "--cache",
        metavar="DIR",
        type=_path("cache", folder=True),
        default=None,
        help=f"cache finished {what} in DIR (resume after interruption)",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="run on the Dask cluster whose scheduler is at ADDRESS, e.g. tcp://host:8786 "
        "(needs pip install 'stelib[cluster]'; with --cache, DIR must be shared by the "
        "workers); results do not depend on it",
    )
    p.add_argument("--progress", action="store_true", help="show a progress bar on stderr")


def _add_run_basics(p) -> None:
    """``--steps``, ``--seed``, ``--eta``, ``--init-scale``: shared by every subcommand."""
    p.add_argument(
        "--steps",
        type=_count("steps", 0),
        default=20_000,
        help="budget T of iterations (default 20000)",
    )
    p.add_argument("--seed", type=_count("seed", 0), default=0, help="root seed (default 0)")
    p.add_argument(
        "--eta", type=_number(float, "eta", **_POSITIVE), default=1.0, help="step size (default 1)"
    )
    p.add_argument(
        "--init-scale",
        type=_number(float, "init_scale", **_POSITIVE),
        default=1e-3,
        help="scale of u0 (default 1e-3)",
    )


def _surrogate(text):
    """``NAME`` or ``NAME:SCALE`` → ``(ste, ste_scale)`` (``SCALE = r/√n`` > 0, default 1)."""
    name, _, scale = text.partition(":")
    if name not in STES:
        raise argparse.ArgumentTypeError(f"ste == {name!r}, must be one of {', '.join(STES)}")
    if scale and name == "identity":
        raise argparse.ArgumentTypeError("the identity STE takes no width (no ':SCALE')")
    return name, _number(float, "ste_scale", **_POSITIVE)(scale) if scale else 1.0


#: The options of practice of ``success`` (chapter "STE variants and practice"): flag, type,
#: default, metavar, help.
_PRACTICE = (
    ("--ste", _surrogate, ("identity", 1.0), "NAME[:SCALE]",
     "surrogate derivative mu' used in place of sign' (default identity): identity (mu' = 1); "
     "clipped[:SCALE] (hard tanh, mu'(t) = 1{|t| <= r}); approxsign[:SCALE] (ApproxSign of "
     "Bi-Real Net, mu'(t) = 2 (1 - |t|/r)_+); width r = SCALE sqrt(n), SCALE > 0, default 1"),
    ("--minibatch", _count("minibatch"), None, "B",
     "mini-batches of B <= min(m) samples, drawn without replacement each epoch from the "
     "trial's own stream; --steps counts batches (default: the full batch)"),
    ("--eta-decay", _number(float, "eta_decay", **_POSITIVE), None, "T0",
     "decaying step size eta_t = eta / (1 + t/T0) (default: constant eta)"),
    ("--weight-decay", _number(float, "weight_decay", min_value=0.0), 0.0, "LAMBDA",
     "weight decay on the latent weights, u <- (1 - eta_t LAMBDA) u - eta_t g (default 0)"),
    ("--clip", _number(float, "clip", **_POSITIVE), None, "C",
     "clip the latent weights to the box [-C, C], as BinaryConnect (default: no clipping)"),
)  # fmt: skip


def _add_practice_options(p) -> None:
    """The options of practice of ``success`` (:data:`_PRACTICE`)."""
    for flag, kind, default, metavar, text in _PRACTICE:
        p.add_argument(flag, type=kind, default=default, metavar=metavar, help=text)


def _practice(args) -> dict:
    """The options of practice of ``success`` as keywords (all of them)."""
    ste, ste_scale = args.ste
    out = {"ste": ste, "ste_scale": ste_scale}
    return out | {k: getattr(args, k) for k in RUN_DEFAULTS if k not in out}


#: Options every subcommand passes on unchanged (keywords of the library functions).
_RUN = ("k", "steps", "seed", "eta", "init_scale")


def _pick(args, *names) -> dict:
    """The parsed options ``names`` as keyword arguments."""
    return {name: getattr(args, name) for name in names}


def _sweep(args) -> dict:
    """How a sweep runs: its on-disk cache and progress bar (never what it computes)."""
    return {"memory": args.cache, "progress": args.progress}


def _save(args, write, *data, **options) -> None:
    """``write(args.out, *data, **options)``; if that fails after the computation, keep what the
    file would have held in ``args.unsaved`` (:func:`main` prints it after the results)."""
    try:
        write(args.out, *data, **options)
    except WriteError as exc:
        args.unsaved = exc


def _report_unsaved(args) -> int:
    """Exit status 0, or 1 after printing the data file that could not be written (stdout, last
    line) and a one-line error (stderr): a failed write never loses a finished computation."""
    exc = getattr(args, "unsaved", None)
    if exc is None:
        return 0
    sys.stdout.write(exc.text)
    sys.stdout.flush()
    print(
        f"stelib {args.command}: error: argument --out: could not write {args.out!r} "
        f"({exc.strerror}); its content is the last line printed above: save it",
        file=sys.stderr,
    )
    return 1


def _add_input_options(s) -> None:
    """``--inputs``, ``--normalise`` and the families' parameters (chapter "Beyond Gaussian
    data"); the defaults are the Gaussian model of the other chapters, bit for bit."""
    d = s.add_argument_group(
        "input family and normalisation (chapter 'Beyond Gaussian data')",
        "The network, teacher and student alike, sees the inputs after the normalisation layer, "
        "whose statistics come from the trial's m samples; w* stays a zero-loss weight.",
    )
    d.add_argument(
        "--inputs",
        choices=INPUT_FAMILIES,
        default="gaussian",
        help="input family: gaussian N(0, I); rademacher +-1; uniform U(-sqrt3, sqrt3); "
        "student-t (unit variance, --df); shifted mu*1 + N(0, I) (--mu); half-normal |N(0, 1)|; "
        "anisotropic N(0, (1-corr) I + corr 11^T) (--corr) (default gaussian)",
    )
    d.add_argument(
        "--normalise",
        choices=NORMALISATIONS,
        default="none",
        help="normalisation layer with the sample's statistics: none; centre (subtract the "
        "mean); standardise (also divide by each coordinate's std); whiten (ZCA, sample "
        "covariance I; needs m*k >= n+1) (default none)",
    )
    d.add_argument("--df", type=_number(float, "df", min_value=2.0, strict_min=True),
                   help="student-t only: degrees of freedom q > 2 (default 3)")  # fmt: skip
    d.add_argument("--mu", type=_number(float, "mu"), help="shifted only: the mean mu (default 1)")
    d.add_argument("--corr", type=_number(float, "corr", min_value=0.0, max_value=1.0),
                   help="anisotropic only: correlation corr in [0, 1), spectrum 1+(n-1)corr "
                   "once and 1-corr n-1 times (default 0.5)")  # fmt: skip


def _input_options(args) -> tuple:
    """:func:`stelib.check_inputs` of the options; an error names the option (exit status 2)."""
    family = _pick(args, "inputs", "normalise", "df", "mu", "corr")
    try:
        return check_inputs(m=min(args.m), k=args.k, n=args.n, **family)
    except ValueError as exc:
        option = "--normalise" if "whiten" in str(exc) else f"--{str(exc).split(' ', 1)[0]}"
        args.subparser.error(f"argument {option}: {exc}")
