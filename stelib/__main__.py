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
threshold
    ``success`` with every trial classified (success, stuck, censored) and m50 with its
    censoring interval (issue 13).
design
    Trials an adaptive design on m needs for m50 to a given precision, against a fixed grid.
optimum, amp
    The version space by exhaustive search (small n); approximate message passing (large n).
"""

from __future__ import annotations

import argparse
import json
import sys

from . import datafiles
from ._cli import (
    _POSITIVE,
    _RUN,
    _add_input_options,
    _add_practice_options,
    _add_run_basics,
    _add_sweep_options,
    _count,
    _input_options,
    _list_of,
    _number,
    _Parser,
    _path,
    _pick,
    _practice,
    _report_unsaved,
    _save,
    _sweep,
)
from ._cli_threshold import (
    add_threshold_parsers,
    print_design,
    print_threshold,
    run_design,
    run_threshold,
)
from ._executors import Unavailable, executor_for
from ._version import __version__
from .datafiles import (
    command_line,
    success_summary,
    write_recurrence_file,
    write_success_file,
)
from .experiments import recurrence_record, recurrence_sweep, success_probability
from .input_families import input_parameters
from .message_passing import amp_success
from .optimum import optimum_success
from .variants import run_options

__all__ = ["main", "build_parser"]


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
            "Run the STE-gradient method (identity STE unless --ste, eta, u0 = init_scale * "
            "N(0, I)) on independent noiseless teacher-student trials and count how many reach "
            "w* within the budget. Trial i at (n, m, k) draws from "
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
    _add_practice_options(s)
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
        type=_path("out"),
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
    add_threshold_parsers(sub)
    return parser


def _run_success(args) -> dict:
    family = _input_options(args)
    with executor_for(args.workers, args.scheduler) as executor:
        res = success_probability(
            args.n,
            args.m,
            **_pick(args, "trials", "batch_size", *_RUN),
            **_practice(args),
            executor=executor,
            **_sweep(args),
            **dict(family),
        )
    options = run_options(**_practice(args))  # a data file records the non-defaults only
    if args.out is not None:
        _save(
            args,
            write_success_file,
            res,
            eta=args.eta,
            init_scale=args.init_scale,
            command=command_line(args.argv),
            family=family,
            options=options,
        )
    summary = success_summary(
        res, eta=args.eta, init_scale=args.init_scale, family=family, options=options
    )
    params = input_parameters(args.inputs, **_pick(args, "df", "mu", "corr"))
    shown = {"inputs": args.inputs, "normalise": args.normalise, **params}  # always printed
    stuck = {"stuck": res.stuck.tolist()}  # noiseless labels: always defined here
    return {**summary, **shown, **stuck, "version": __version__}


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
        type=_path("out"),
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
    with executor_for(args.workers, args.scheduler) as executor:
        records = recurrence_sweep(
            args.n, args.m, **_pick(args, *grid, *_RUN), executor=executor, **_sweep(args)
        )
    params = _pick(args, "n", "m", *grid, *_RUN)
    if args.out is not None:
        _save(args, write_recurrence_file, records, params=params, command=command_line(args.argv))
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
        p.add_argument("--out", metavar="FILE", type=_path("out"),
                       help="also write every trial with its provenance")  # fmt: skip
        p.add_argument("--json", action="store_true", help="print one JSON object, not a table")


def _run_optimum(args) -> dict:
    """``optimum`` or ``amp``: the sweep, its data file (``--out``), its summary."""
    amp = args.command == "amp"
    opts = _pick(args, "steps", "damping") if amp else {}
    with executor_for(args.workers, args.scheduler) as executor:
        kw = {**_pick(args, "trials", "seed"), **opts, "executor": executor, **_sweep(args)}
        sweep = amp_success if amp else optimum_success
        res = sweep(args.n, args.alpha if amp else args.m, **kw)
    name = "amp" if amp else "optimum"
    if args.out is not None:
        write = getattr(datafiles, f"write_{name}_file")
        _save(args, write, res, **opts, command=command_line(args.argv))
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
    try:
        _run(args)
    except Unavailable as exc:
        parser.exit(2, f"stelib {args.command}: error: {exc}\n")
    except (ValueError, TypeError) as exc:  # the library's checks (e.g. memory), one line
        parser.exit(2, f"stelib {args.command}: error: {' '.join(str(exc).split())}\n")
    except KeyboardInterrupt:
        cache = getattr(args, "cache", None)
        hint = f"; finished work is cached in {cache!r}: rerun the same command to resume"
        print(f"stelib {args.command}: interrupted{hint if cache else ''}", file=sys.stderr)
        return 130
    return _report_unsaved(args)


def _run(args) -> None:
    """Run the subcommand ``args.command`` and print its results."""
    if args.command == "success":
        if args.minibatch is not None and args.minibatch > min(args.m):
            raise ValueError(
                f"argument --minibatch: must be at most min(--m) == {min(args.m)}, "
                f"got {args.minibatch}"
            )
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
    elif args.command == "threshold":
        out = run_threshold(args)
        print(json.dumps(out, sort_keys=True)) if args.json else print_threshold(out)
    elif args.command == "design":
        out = run_design(args)
        print(json.dumps(out, sort_keys=True)) if args.json else print_design(out)
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


if __name__ == "__main__":
    sys.exit(main())
