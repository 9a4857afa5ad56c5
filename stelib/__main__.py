"""Command line: ``python -m stelib COMMAND ...``.

Reproduces the book's numbers outside the notebooks. Same inputs give the same output, byte for
byte (no timings, sorted keys). Bad options exit with status 2 and a one-line message that names
the option.

Commands
--------
success
    Success probability of the STE-gradient method over a list of sample sizes.
recurrence
    One run with label noise: returns to w*, occupation time, first hit, farthest excursion.
recurrence-grid
    ``recurrence`` for several trials over a grid of m, flip and noise levels (data files).
optimum, amp
    The version space by exhaustive search (small n); approximate message passing (large n).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager

from . import datafiles
from ._validate import check_float, check_int
from ._version import __version__
from .datafiles import command_line, success_summary, write_recurrence_file, write_success_file
from .experiments import recurrence_record, recurrence_sweep, success_probability
from .input_families import INPUT_FAMILIES, NORMALISATIONS, check_inputs, input_parameters
from .message_passing import amp_success
from .optimum import optimum_success

__all__ = ["main", "build_parser"]


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


@contextmanager
def _executor(workers: int) -> Iterator[Executor | None]:
    """``workers`` processes (none for 1: the sweep runs in this process); shut down after."""
    if workers <= 1:
        yield None
        return
    with ProcessPoolExecutor(workers) as executor:
        yield executor


def _add_sweep_options(p, what: str) -> None:
    """``--workers``, ``--cache``, ``--progress``: how a sweep runs (never what it computes)."""
    p.add_argument(
        "--workers",
        type=_count("workers"),
        default=1,
        help="worker processes; results do not depend on it (default 1)",
    )
    p.add_argument(
        "--cache",
        metavar="DIR",
        default=None,
        help=f"cache finished {what} in DIR (resume after interruption)",
    )
    p.add_argument("--progress", action="store_true", help="show a progress bar on stderr")


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``python -m stelib``."""
    parser = _Parser(
        prog="stelib",
        description="Reproduce the numbers of the book on the straight-through estimator.",
    )
    parser.add_argument("--version", action="version", version=f"stelib {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    s = sub.add_parser(
        "success",
        help="success probability of STE over sample sizes m",
        description=(
            "Run the STE-gradient method (identity STE, eta, u0 = init_scale * N(0, I)) on "
            "independent noiseless teacher-student trials and count how many reach w* within "
            "the budget. Trial i at (n, m, k) draws from "
            "SeedSequence(seed, spawn_key=(n, m, k, i))."
        ),
    )
    s.add_argument(
        "--n", type=_count("n"), required=True, help="dimension n (number of binary weights)"
    )
    s.add_argument(
        "--m",
        type=_list_of(_count("m")),
        required=True,
        help="comma-separated sample sizes, e.g. 200,250",
    )
    s.add_argument("--k", type=_count("k"), default=1, help="number of patches k (default 1)")
    s.add_argument(
        "--trials",
        type=_count("trials"),
        default=100,
        help="independent trials per m (default 100)",
    )
    _add_run_basics(s)
    s.add_argument(
        "--batch-size",
        type=_count("batch_size"),
        default=32,
        help="trials per batch; results do not depend on it (default 32)",
    )
    _add_sweep_options(s, "batches")
    s.add_argument(
        "--out",
        metavar="FILE",
        default=None,
        help=(
            "also write the full result (hitting time of every trial) with its provenance "
            "(this command, seed, stelib version) to FILE as JSON"
        ),
    )
    s.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    _add_input_options(s)
    s.set_defaults(subparser=s)
    _add_recurrence_parsers(sub)
    _add_optimum_parsers(sub)
    return parser


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


#: Options every subcommand passes on unchanged (keywords of the library functions).
_RUN = ("k", "steps", "seed", "eta", "init_scale")


def _pick(args, *names) -> dict:
    """The parsed options ``names`` as keyword arguments."""
    return {name: getattr(args, name) for name in names}


def _sweep(args) -> dict:
    """How a sweep runs: its on-disk cache and progress bar (never what it computes)."""
    return {"memory": args.cache, "progress": args.progress}


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


def _run_success(args) -> dict:
    family = _input_options(args)
    with _executor(args.workers) as executor:
        res = success_probability(
            args.n,
            args.m,
            **_pick(args, "trials", "batch_size", *_RUN),
            executor=executor,
            **_sweep(args),
            **dict(family),
        )
    if args.out is not None:
        write_success_file(
            args.out,
            res,
            eta=args.eta,
            init_scale=args.init_scale,
            command=command_line(args.argv),
            family=family,
        )
    summary = success_summary(res, eta=args.eta, init_scale=args.init_scale, family=family)
    params = input_parameters(args.inputs, **_pick(args, "df", "mu", "corr"))
    shown = {"inputs": args.inputs, "normalise": args.normalise, **params}  # always printed
    return {**summary, **shown, "version": __version__}


_FLIP = _number(float, "flip", min_value=0.0, max_value=1.0)
_NOISE = _number(float, "noise_std", min_value=0.0)


def _add_run_options(r, *, grid: bool) -> None:
    """Options shared by ``recurrence`` and ``recurrence-grid``."""
    r.add_argument(
        "--n", type=_count("n"), required=True, help="dimension n (number of binary weights)"
    )
    if grid:
        r.add_argument(
            "--m",
            type=_list_of(_count("m")),
            required=True,
            help="comma-separated sample sizes, e.g. 500,2000",
        )
        r.add_argument(
            "--flip",
            type=_list_of(_FLIP),
            default=[0.0],
            help="comma-separated label-flip probabilities p in [0, 1] (default 0)",
        )
        r.add_argument(
            "--noise-std",
            type=_list_of(_NOISE),
            default=[0.0],
            help="comma-separated standard deviations s >= 0 of additive label noise (default 0)",
        )
        r.add_argument(
            "--trials", type=_count("trials"), default=10, help="trials per grid point (default 10)"
        )
    else:
        r.add_argument("--m", type=_count("m"), required=True, help="number of samples m")
        r.add_argument(
            "--flip",
            type=_FLIP,
            default=0.0,
            help="probability p in [0, 1] of flipping each label (default 0)",
        )
        r.add_argument(
            "--noise-std",
            type=_NOISE,
            default=0.0,
            help="standard deviation s >= 0 of additive Gaussian label noise, instead of or "
            "with flips (default 0)",
        )
        r.add_argument(
            "--trial", type=_count("trial", 0), default=0, help="trial index i (default 0)"
        )
    r.add_argument("--k", type=_count("k"), default=1, help="number of patches k (default 1)")
    r.add_argument(
        "--clip",
        type=_number(float, "clip", **_POSITIVE),
        default=None,
        help="clip the latent weights to the box [-C, C] (default: no clipping)",
    )
    _add_run_basics(r)
    r.add_argument(
        "--latent",
        action="store_true",
        help="also record every latent iterate (slower) and measure which coordinates oscillate, "
        "the sojourn lengths at w* and the majority vote over time",
    )


def _add_recurrence_parsers(sub) -> None:
    r = sub.add_parser(
        "recurrence",
        help="recurrence of w* under label noise, one run",
        description=(
            "Run the STE-gradient method (identity STE) on one teacher-student trial with noisy "
            "labels and measure how it returns to w*: number of returns, occupation time "
            "(fraction of the T+1 iterates equal to w*), first hitting time (null if never), "
            "largest distance after the first hit, return times. Trial i at (n, m, k) draws "
            "from SeedSequence(seed, spawn_key=(n, m, k, i)), so runs with other noise levels "
            "share Z, w* and u0."
        ),
    )
    _add_run_options(r, grid=False)
    r.add_argument("--json", action="store_true", help="print one JSON object instead of a table")

    g = sub.add_parser(
        "recurrence-grid",
        help="recurrence statistics over a grid of m, flip and noise levels",
        description=(
            "Run 'recurrence' for trials 0..trials-1 at every combination of --m, --flip and "
            "--noise-std. Record i of a grid point equals 'recurrence --trial i' there."
        ),
    )
    _add_run_options(g, grid=True)
    _add_sweep_options(g, "grid points")
    g.add_argument(
        "--out",
        metavar="FILE",
        default=None,
        help="write every record with its provenance (this command, seed, stelib version) to "
        "FILE as JSON",
    )
    g.add_argument("--json", action="store_true", help="print one JSON object instead of a table")


def _run_recurrence(args) -> dict:
    return recurrence_record(
        args.n, args.m, **_pick(args, "flip", "noise_std", "clip", "trial", "latent", *_RUN)
    )


def _run_recurrence_grid(args) -> dict:
    grid = ("flip", "noise_std", "trials", "clip", "latent")
    with _executor(args.workers) as executor:
        records = recurrence_sweep(
            args.n, args.m, **_pick(args, *grid, *_RUN), executor=executor, **_sweep(args)
        )
    params = _pick(args, "n", "m", *grid, *_RUN)
    if args.out is not None:
        write_recurrence_file(args.out, records, params=params, command=command_line(args.argv))
    return {**params, "records": records, "version": __version__}


def _print_recurrence_table(records) -> None:
    print(
        f"{'m':>7} {'flip':>6} {'noise':>6} {'trial':>5} {'first_hit':>9} {'returns':>8} "
        f"{'occupation':>10} {'max_d':>5}"
    )
    for r in records:
        fh = "-" if r["first_hit"] is None else r["first_hit"]
        md = "-" if r["max_distance_after_first_hit"] is None else r["max_distance_after_first_hit"]
        print(
            f"{r['m']:>7} {r['flip']:>6g} {r['noise_std']:>6g} {r['trial']:>5} {fh:>9} "
            f"{r['returns']:>8} {r['occupation']:>10.4f} {md:>5}"
        )


def _add_optimum_parsers(sub) -> None:
    """``optimum`` and ``amp`` (chapter "STE against the optimum"): noiseless k = 1 trials, trial
    i at (n, m) from SeedSequence(seed, spawn_key=(n, m, 1, i)), the data of 'success'."""
    o = sub.add_parser("optimum", help="the version space V, enumerated over all 2^n weights",
        description="Enumerate the version space V of trials 0..trials-1 at each m (n <= 30); "
        "report the trials with V = {w*} and the mean of 1/|V| (a probability).")  # fmt: skip
    a = sub.add_parser("amp", help="approximate message passing (AMP) over alpha = m/n",
        description="Run AMP on trials 0..trials-1 at m = round(alpha * n); report the trials "
        "with sign(w_hat) = w* and the mean overlap |<w_hat, w*>|/n.")  # fmt: skip
    damping = _number(float, "damping", max_value=1.0, **_POSITIVE)
    for p, options in (
        (o, [("--m", _list_of(_count("m")), None, "comma-separated sample sizes, e.g. 16,20"),
             ("--trials", _count("trials"), 100, "trials per m (default 100)")]),
        (a, [("--alpha", _list_of(_number(float, "alpha", **_POSITIVE)), None,
              "comma-separated ratios alpha = m/n > 0, e.g. 1.3,1.7"),
             ("--trials", _count("trials"), 10, "trials per alpha (default 10)"),
             ("--steps", _count("steps"), 300, "maximum AMP iterations (default 300)"),
             ("--damping", damping, 0.7, "weight of the new iterate, in (0, 1] (default 0.7)")]),
    ):  # fmt: skip
        p.add_argument("--n", type=_count("n"), required=True, help="dimension n")
        for flag, kind, default, text in options:
            p.add_argument(flag, type=kind, default=default, required=default is None, help=text)
        p.add_argument("--seed", type=_count("seed", 0), default=0, help="root seed (default 0)")
        _add_sweep_options(p, "grid points")
        p.add_argument("--out", metavar="FILE", help="also write every trial with its provenance")
        p.add_argument("--json", action="store_true", help="print one JSON object, not a table")


def _run_optimum(args) -> dict:
    """``optimum`` or ``amp``: the sweep, its data file (``--out``), its summary."""
    amp = args.command == "amp"
    opts = _pick(args, "steps", "damping") if amp else {}
    with _executor(args.workers) as executor:
        kw = {**_pick(args, "trials", "seed"), **opts, "executor": executor, **_sweep(args)}
        sweep = amp_success if amp else optimum_success
        res = sweep(args.n, args.alpha if amp else args.m, **kw)
    name = "amp" if amp else "optimum"
    if args.out is not None:
        write = getattr(datafiles, f"write_{name}_file")
        write(args.out, res, **opts, command=command_line(args.argv))
    return {**getattr(datafiles, f"{name}_summary")(res, **opts), "version": __version__}


def _print_columns(out, keys) -> None:
    print(f"n={out['n']} trials={out['trials']} seed={out['seed']}")
    print("".join(f"{k:>11}" for k in keys))
    for row in zip(*(out[k] for k in keys), strict=True):
        print("".join(f"{v:>11.5g}" for v in row))


def main(argv=None) -> int:
    """Entry point of ``python -m stelib``; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    if args.command == "success":
        out = _run_success(args)
        if args.json:
            print(json.dumps(out, sort_keys=True))
        else:
            params = input_parameters(args.inputs, **_pick(args, "df", "mu", "corr"))
            family = "".join(f" {key}={value:g}" for key, value in params.items())
            print(
                f"n={out['n']} k={out['k']} trials={out['trials']} "
                f"steps={out['steps']} seed={out['seed']} inputs={out['inputs']}{family} "
                f"normalise={out['normalise']}"
            )
            print(f"{'m':>8} {'successes':>10} {'P':>7} {'median_hit':>11}")
            for m, s, h in zip(out["m"], out["successes"], out["median_hit"], strict=True):
                print(f"{m:>8} {s:>10} {s / out['trials']:>7.3f} {'-' if h is None else h:>11}")
    elif args.command in ("optimum", "amp"):
        out = _run_optimum(args)
        if args.json:
            print(json.dumps(out, sort_keys=True))
        else:
            opt = args.command == "optimum"
            _print_columns(out, ("m", "unique", "bayes") if opt else ("alpha", "m", "successes"))
    elif args.command in ("recurrence", "recurrence-grid"):
        if args.command == "recurrence":
            out = _run_recurrence(args)
            records = [out]
        else:
            out = _run_recurrence_grid(args)
            records = out["records"]
        if args.json:
            print(json.dumps(out, sort_keys=True))
        else:
            print(f"n={out['n']} k={out['k']} steps={out['steps']} seed={out['seed']}")
            _print_recurrence_table(records)
    return 0


if __name__ == "__main__":
    sys.exit(main())
