"""Command line: ``python -m stelib COMMAND ...``.

Reproduces the book's numbers outside the notebooks. Same inputs give the same output, byte for
byte (no timings, sorted keys). Bad options exit with status 2 and a one-line message that names
the option.

Commands
--------
success
    Success probability of the STE-gradient method over a list of sample sizes.
"""

from __future__ import annotations

import argparse
import json
import sys

from . import __version__
from .datafiles import command_line, write_success_file
from .experiments import success_probability

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
    return parser


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
        "eta": args.eta,
        "init_scale": args.init_scale,
        "k": res.k,
        "m": res.m.tolist(),
        "median_hit": res.median_hit,
        "n": res.n,
        "seed": res.seed,
        "steps": res.steps,
        "successes": res.successes.tolist(),
        "trials": res.trials,
        "version": __version__,
    }


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
            print(
                f"n={out['n']} k={out['k']} trials={out['trials']} "
                f"steps={out['steps']} seed={out['seed']}"
            )
            print(f"{'m':>8} {'successes':>10} {'P':>7} {'median_hit':>11}")
            for m, s, h in zip(out["m"], out["successes"], out["median_hit"], strict=True):
                print(f"{m:>8} {s:>10} {s / out['trials']:>7.3f} {'-' if h is None else h:>11}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
