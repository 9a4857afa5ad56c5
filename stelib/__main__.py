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
"""

from __future__ import annotations

import argparse
import json
import sys

from . import __version__
from .datafiles import command_line, write_success_file
from .experiments import success_probability
from .input_families import INPUT_FAMILIES, NORMALISATIONS, input_parameters
from .recurrence import recurrence_record, recurrence_sweep, write_recurrence_file

__all__ = ["main", "build_parser"]


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error message (``stelib success: error: argument --n: ...``)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _int_at_least(lo):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid integer {text!r}") from None
        if value < lo:
            raise argparse.ArgumentTypeError(f"{value} must be >= {lo}")
        return value

    parse.__name__ = f"integer >= {lo}"
    return parse


def _int_list(text):
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid list {text!r}, expected comma-separated integers such as 200,250"
        ) from None
    if not values:
        raise argparse.ArgumentTypeError("empty list")
    if min(values) < 1:
        raise argparse.ArgumentTypeError(f"every m must be >= 1, got {min(values)}")
    return values


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{value} must be a finite number > 0")
    return value


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
        "--n", type=_int_at_least(1), required=True, help="dimension n (number of binary weights)"
    )
    s.add_argument(
        "--m", type=_int_list, required=True, help="comma-separated sample sizes, e.g. 200,250"
    )
    s.add_argument("--k", type=_int_at_least(1), default=1, help="number of patches k (default 1)")
    s.add_argument(
        "--trials",
        type=_int_at_least(1),
        default=100,
        help="independent trials per m (default 100)",
    )
    s.add_argument(
        "--steps",
        type=_int_at_least(0),
        default=20_000,
        help="budget T of iterations (default 20000)",
    )
    s.add_argument("--seed", type=_int_at_least(0), default=0, help="root seed (default 0)")
    s.add_argument("--eta", type=_positive_float, default=1.0, help="step size (default 1)")
    s.add_argument(
        "--init-scale", type=_positive_float, default=1e-3, help="scale of u0 (default 1e-3)"
    )
    s.add_argument(
        "--batch-size",
        type=_int_at_least(1),
        default=32,
        help="trials per batch; results do not depend on it (default 32)",
    )
    s.add_argument(
        "--workers",
        type=_int_at_least(1),
        default=1,
        help="worker processes; results do not depend on it (default 1)",
    )
    s.add_argument(
        "--cache",
        metavar="DIR",
        default=None,
        help="cache finished batches in DIR (resume after interruption)",
    )
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
    s.add_argument("--progress", action="store_true", help="show a progress bar on stderr")
    _add_input_options(s)
    s.set_defaults(subparser=s)
    _add_recurrence_parsers(sub)
    return parser


def _add_input_options(s) -> None:
    """``--inputs``, ``--normalise``, the families' parameters (chapter "Beyond Gaussian data")."""
    d = s.add_argument_group(
        "input family and normalisation (chapter 'Beyond Gaussian data')",
        "The network, teacher and student alike, sees the inputs after the normalisation layer, "
        "whose statistics come from the trial's m samples; w* stays a zero-loss weight. "
        "The defaults (gaussian, none) are the model of the other chapters, bit for bit.",
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
    d.add_argument(
        "--df",
        type=_float_in(2.0, lo_open=True),
        default=None,
        help="student-t only: degrees of freedom nu > 2 (default 3)",
    )
    d.add_argument(
        "--mu", type=_finite_float, default=None, help="shifted only: the mean mu (default 1)"
    )
    d.add_argument(
        "--corr",
        type=_float_in(0.0, 1.0),
        default=None,
        help="anisotropic only: correlation corr in [0, 1), spectrum 1+(n-1)corr once and "
        "1-corr n-1 times (default 0.5)",
    )


def _finite_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number {text!r}") from None
    if value != value or abs(value) == float("inf"):
        raise argparse.ArgumentTypeError(f"{value} must be a finite number")
    return value


def _input_options(args, parser) -> dict:
    """The family's parameters, defaults filled in; a parameter of another family is an error."""
    own = {"student-t": "df", "shifted": "mu", "anisotropic": "corr"}.get(args.inputs)
    for name in ("df", "mu", "corr"):
        if getattr(args, name) is not None and name != own:
            parser.error(
                f"argument --{name}: only with the input family that has it, not with "
                f"--inputs {args.inputs}"
            )
    if args.corr is not None and args.corr >= 1.0:
        parser.error(f"argument --corr: {args.corr} must be in [0, 1)")
    if args.normalise == "whiten" and min(args.m) * args.k < args.n + 1:
        parser.error(
            f"argument --normalise: whiten needs m*k >= n+1, got m={min(args.m)}, k={args.k}, "
            f"n={args.n}"
        )
    return input_parameters(args.inputs, df=args.df, mu=args.mu, corr=args.corr)


def _run_success(args) -> dict:
    executor = None
    if args.workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        executor = ProcessPoolExecutor(args.workers)
    try:
        res = success_probability(
            args.n,
            args.m,
            trials=args.trials,
            steps=args.steps,
            k=args.k,
            seed=args.seed,
            eta=args.eta,
            init_scale=args.init_scale,
            batch_size=args.batch_size,
            executor=executor,
            memory=args.cache,
            progress=args.progress,
            inputs=args.inputs,
            normalise=args.normalise,
            **args.input_params,
        )
    finally:
        if executor is not None:
            executor.shutdown()
    if args.out is not None:
        write_success_file(
            args.out,
            res,
            eta=args.eta,
            init_scale=args.init_scale,
            command=command_line(args.argv),
        )
    return {
        **res.input_params,
        "eta": args.eta,
        "inputs": res.inputs,
        "init_scale": args.init_scale,
        "k": res.k,
        "m": res.m.tolist(),
        "median_hit": res.median_hit,
        "n": res.n,
        "normalise": res.normalise,
        "seed": res.seed,
        "steps": res.steps,
        "successes": res.successes.tolist(),
        "trials": res.trials,
        "version": __version__,
    }


def _float_in(lo, hi=None, *, lo_open=False):
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid number {text!r}") from None
        low_bad = value <= lo if lo_open else value < lo
        if value != value or value == float("inf") or low_bad or (hi is not None and value > hi):
            bound = f"> {lo}" if lo_open else f">= {lo}"
            rng = f"in [{lo}, {hi}]" if hi is not None else f"a finite number {bound}"
            raise argparse.ArgumentTypeError(f"{value} must be {rng}")
        return value

    parse.__name__ = "number"
    return parse


def _list_of(parse_one):
    def parse(text):
        items = [v for v in text.split(",") if v.strip()]
        if not items:
            raise argparse.ArgumentTypeError("empty list")
        return [parse_one(v) for v in items]

    parse.__name__ = "list"
    return parse


def _add_run_options(r, *, grid: bool) -> None:
    """Options shared by ``recurrence`` and ``recurrence-grid``."""
    r.add_argument(
        "--n", type=_int_at_least(1), required=True, help="dimension n (number of binary weights)"
    )
    if grid:
        r.add_argument(
            "--m", type=_int_list, required=True, help="comma-separated sample sizes, e.g. 500,2000"
        )
        r.add_argument(
            "--flip",
            type=_list_of(_float_in(0.0, 1.0)),
            default=[0.0],
            help="comma-separated label-flip probabilities p in [0, 1] (default 0)",
        )
        r.add_argument(
            "--noise-std",
            type=_list_of(_float_in(0.0)),
            default=[0.0],
            help="comma-separated standard deviations s >= 0 of additive label noise (default 0)",
        )
        r.add_argument(
            "--trials", type=_int_at_least(1), default=10, help="trials per grid point (default 10)"
        )
    else:
        r.add_argument("--m", type=_int_at_least(1), required=True, help="number of samples m")
        r.add_argument(
            "--flip",
            type=_float_in(0.0, 1.0),
            default=0.0,
            help="probability p in [0, 1] of flipping each label (default 0)",
        )
        r.add_argument(
            "--noise-std",
            type=_float_in(0.0),
            default=0.0,
            help="standard deviation s >= 0 of additive Gaussian label noise, instead of or "
            "with flips (default 0)",
        )
        r.add_argument(
            "--trial", type=_int_at_least(0), default=0, help="trial index i (default 0)"
        )
    r.add_argument("--k", type=_int_at_least(1), default=1, help="number of patches k (default 1)")
    r.add_argument(
        "--clip",
        type=_float_in(0.0, lo_open=True),
        default=None,
        help="clip the latent weights to the box [-C, C] (default: no clipping)",
    )
    r.add_argument(
        "--steps",
        type=_int_at_least(0),
        default=20_000,
        help="budget T of iterations (default 20000)",
    )
    r.add_argument("--seed", type=_int_at_least(0), default=0, help="root seed (default 0)")
    r.add_argument("--eta", type=_positive_float, default=1.0, help="step size (default 1)")
    r.add_argument(
        "--init-scale", type=_positive_float, default=1e-3, help="scale of u0 (default 1e-3)"
    )
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
    g.add_argument(
        "--workers",
        type=_int_at_least(1),
        default=1,
        help="worker processes; results do not depend on it (default 1)",
    )
    g.add_argument(
        "--cache",
        metavar="DIR",
        default=None,
        help="cache finished grid points in DIR (resume after interruption)",
    )
    g.add_argument(
        "--out",
        metavar="FILE",
        default=None,
        help="write every record with its provenance (this command, seed, stelib version) to "
        "FILE as JSON",
    )
    g.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    g.add_argument("--progress", action="store_true", help="show a progress bar on stderr")


def _run_recurrence(args) -> dict:
    return recurrence_record(
        args.n,
        args.m,
        k=args.k,
        flip=args.flip,
        noise_std=args.noise_std,
        clip=args.clip,
        steps=args.steps,
        seed=args.seed,
        trial=args.trial,
        eta=args.eta,
        init_scale=args.init_scale,
        latent=args.latent,
    )


def _run_recurrence_grid(args) -> dict:
    executor = None
    if args.workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        executor = ProcessPoolExecutor(args.workers)
    try:
        records = recurrence_sweep(
            args.n,
            args.m,
            flip=args.flip,
            noise_std=args.noise_std,
            trials=args.trials,
            k=args.k,
            clip=args.clip,
            steps=args.steps,
            seed=args.seed,
            eta=args.eta,
            init_scale=args.init_scale,
            latent=args.latent,
            executor=executor,
            memory=args.cache,
            progress=args.progress,
        )
    finally:
        if executor is not None:
            executor.shutdown()
    params = {
        "n": args.n,
        "k": args.k,
        "steps": args.steps,
        "seed": args.seed,
        "eta": args.eta,
        "init_scale": args.init_scale,
        "clip": args.clip,
        "latent": args.latent,
        "trials": args.trials,
        "m": args.m,
        "flip": args.flip,
        "noise_std": args.noise_std,
    }
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


def main(argv=None) -> int:
    """Entry point of ``python -m stelib``; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    if args.command == "success":
        args.input_params = _input_options(args, args.subparser)
        out = _run_success(args)
        if args.json:
            print(json.dumps(out, sort_keys=True))
        else:
            family = ", ".join(f"{key}={value:g}" for key, value in args.input_params.items())
            print(
                f"n={out['n']} k={out['k']} trials={out['trials']} "
                f"steps={out['steps']} seed={out['seed']} inputs={out['inputs']}"
                f"{f' ({family})' if family else ''} normalise={out['normalise']}"
            )
            print(f"{'m':>8} {'successes':>10} {'P':>7} {'median_hit':>11}")
            for m, s, h in zip(out["m"], out["successes"], out["median_hit"], strict=True):
                print(f"{m:>8} {s:>10} {s / out['trials']:>7.3f} {'-' if h is None else h:>11}")
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
