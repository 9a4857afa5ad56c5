"""The command line of the threshold protocol (issue 13): ``python -m stelib threshold`` (a
censored success sweep and its data file) and ``python -m stelib design`` (the adaptive design
on ``m`` against a fixed grid). Wired into :mod:`stelib.__main__`.
"""

from __future__ import annotations

import math

import numpy as np

from ._cli import (
    _RUN,
    _add_run_basics,
    _add_sweep_options,
    _count,
    _list_of,
    _number,
    _path,
    _pick,
    _save,
    _sweep,
)
from ._executors import executor_for
from ._version import __version__
from .censoring import m50_bounds, outcomes
from .datafiles import command_line, success_summary, write_threshold_file
from .design import design_study, write_design_file
from .experiments import success_probability

__all__ = [
    "add_threshold_parsers",
    "run_threshold",
    "print_threshold",
    "run_design",
    "print_design",
]


def add_threshold_parsers(sub) -> None:
    """The subparsers ``threshold`` and ``design``."""
    t = sub.add_parser(
        "threshold",
        help="success, stuck and censored trials over m, and m50 with its censoring interval",
        description=(
            "Run 'success' and classify every trial: success (reached w*), stuck (stopped at a "
            "fixed point other than w*: with noiseless labels a zero-loss weight, never moves "
            "again) or censored (still moving at the budget). Prints per m the three counts and "
            "m50 at the budgets steps/8, steps/4, steps/2, steps (prefixes of the same runs), "
            "with the interval for m50 at an infinite budget. Trial i at (n, m, k) draws from "
            "SeedSequence(seed, spawn_key=(n, m, k, i))."
        ),
    )
    t.add_argument("--n", type=_count("n"), required=True, help="dimension n")
    t.add_argument(
        "--m",
        type=_list_of(_count("m")),
        required=True,
        help="comma-separated sample sizes, e.g. 200,250",
    )
    t.add_argument("--k", type=_count("k"), default=1, help="number of patches k (default 1)")
    t.add_argument(
        "--trials",
        type=_count("trials"),
        default=100,
        help="independent trials per m (default 100)",
    )
    _add_run_basics(t)
    t.add_argument(
        "--batch-size",
        type=_count("batch_size"),
        default=32,
        help="trials per batch; results do not depend on it (default 32)",
    )
    _add_sweep_options(t, "batches")
    t.add_argument(
        "--out",
        metavar="FILE",
        type=_path("out"),
        default=None,
        help="also write every trial's hitting time and fixed-point step with the "
        "provenance to FILE (stelib.read_threshold_file)",
    )
    t.add_argument("--json", action="store_true", help="print one JSON object, not a table")
    t.set_defaults(subparser=t)

    d = sub.add_parser(
        "design",
        help="trials an adaptive design on m needs for m50 to a given precision, against a grid",
        description=(
            "Repeat, with root seeds 1..repetitions, a fixed geometric grid of --points sizes "
            "in [lo, hi] and the adaptive design of stelib.adaptive_design (logistic model "
            "refitted after every round, next trials at m50*exp(-s) and m50*exp(s)); both add "
            "--batch trials per round until the relative width of the 95%% profile-likelihood "
            "interval of m50 is at most the smallest of --targets. Prints the mean trials each "
            "needed per target and their ratio (the saving)."
        ),
    )
    d.add_argument("--n", type=_count("n"), required=True, help="dimension n")
    d.add_argument("--lo", type=_count("lo"), required=True, help="smallest m of the prior range")
    d.add_argument("--hi", type=_count("hi"), required=True, help="largest m of the prior range")
    d.add_argument("--k", type=_count("k"), default=1, help="number of patches k (default 1)")
    d.add_argument(
        "--points",
        type=_count("points", 2),
        default=10,
        help="sizes of the fixed grid (default 10)",
    )
    d.add_argument(
        "--batch",
        type=_count("batch", 2),
        default=40,
        help="trials per round, both designs (default 40)",
    )
    d.add_argument(
        "--repetitions",
        type=_count("repetitions"),
        default=20,
        help="repetitions, root seeds 1..R (default 20)",
    )
    d.add_argument(
        "--targets",
        type=_list_of(_number(float, "targets", min_value=0.0, strict_min=True)),
        default=[0.2, 0.1, 0.05],
        help="relative interval widths (default 0.2,0.1,0.05)",
    )
    d.add_argument(
        "--min-trials",
        type=_count("min_trials", 0),
        default=160,
        help="never stop before this many trials, both designs (default 160)",
    )
    d.add_argument(
        "--max-trials",
        type=_count("max_trials"),
        default=20_000,
        help="cap per design run (default 20000)",
    )
    _add_run_basics(d)
    _add_sweep_options(d, "repetitions")
    d.add_argument(
        "--out",
        metavar="FILE",
        type=_path("out"),
        default=None,
        help="write every run of both designs with the provenance to FILE",
    )
    d.add_argument("--json", action="store_true", help="print one JSON object, not a table")
    d.set_defaults(subparser=d)


def run_design(args) -> dict:
    """``design``: the study, its data file (``--out``) and its summary."""
    if args.seed != 0:
        args.subparser.error("argument --seed: design uses the root seeds 1..repetitions")
    keys = (
        "min_trials",
        "points",
        "batch",
        "repetitions",
        "targets",
        "max_trials",
        "steps",
        "k",
        "eta",
        "init_scale",
    )
    with executor_for(args.workers, args.scheduler) as executor:
        study = design_study(
            args.n, args.lo, args.hi, **_pick(args, *keys), executor=executor, **_sweep(args)
        )
    if args.out is not None:
        _save(args, write_design_file, study, command=command_line(args.argv))
    rows = []
    for t in study.params["targets"]:
        g, a = study.trials_needed(t)
        rows.append(
            {
                "target": t,
                "grid_mean": float(np.nanmean(g)),
                "adaptive_mean": float(np.nanmean(a)),
                "saving": study.saving(t),
                "grid_failed": int(np.isnan(g).sum()),
                "adaptive_failed": int(np.isnan(a).sum()),
            }
        )
    acc = {
        d: dict(zip(("bias", "sd", "coverage"), study.accuracy(d), strict=True))
        for d in ("grid", "adaptive")
    }
    return {
        **study.params,
        "summary": rows,
        "accuracy": acc,
        "reference": study.reference(),
        "version": __version__,
    }


def print_design(out) -> None:
    """The table of ``design`` (without ``--json``)."""
    print(
        f"n={out['n']} k={out['k']} steps={out['steps']} range=[{out['lo']}, {out['hi']}] "
        f"repetitions={len(out['seeds'])}"
    )
    print(f"{'target':>7} {'grid':>9} {'adaptive':>9} {'saving':>7}")
    for r in out["summary"]:
        print(
            f"{r['target']:>7g} {r['grid_mean']:>9.1f} {r['adaptive_mean']:>9.1f} "
            f"{r['saving']:>7.2f}"
        )


def _finite(x):
    return None if x is None or not math.isfinite(x) else float(x)


def run_threshold(args) -> dict:
    """``threshold``: the sweep, its data file (``--out``) and its summary."""
    with executor_for(args.workers, args.scheduler) as executor:
        res = success_probability(
            args.n,
            args.m,
            **_pick(args, "trials", "batch_size", *_RUN),
            executor=executor,
            **_sweep(args),
        )
    if args.out is not None:
        _save(
            args,
            write_threshold_file,
            res,
            eta=args.eta,
            init_scale=args.init_scale,
            command=command_line(args.argv),
        )
    out = success_summary(res, eta=args.eta, init_scale=args.init_scale)
    o = outcomes(res)
    out |= {"stuck": o.stuck.tolist(), "censored": o.censored.tolist()}
    budgets = sorted({max(res.steps // d, 0) for d in (8, 4, 2, 1)})
    path = []
    for b in budgets:
        f = m50_bounds(res, budget=b)
        path.append(
            {
                "budget": b,
                "m50": _finite(f.m50),
                "m50_lo": _finite(f.lower and f.lower.lo),
                "m50_hi": _finite(f.hi),
                "infinite_lo": _finite(f.lo),
            }
        )
    return {**out, "m50": path, "version": __version__}


def print_threshold(out) -> None:
    """The table of ``threshold`` (without ``--json``)."""
    print(
        f"n={out['n']} k={out['k']} trials={out['trials']} steps={out['steps']} seed={out['seed']}"
    )
    print(f"{'m':>8} {'successes':>10} {'stuck':>6} {'censored':>9}")
    for row in zip(out["m"], out["successes"], out["stuck"], out["censored"], strict=True):
        print("{:>8} {:>10} {:>6} {:>9}".format(*row))
    print(f"{'budget':>9} {'m50':>9} {'95% interval':>21} {'m50(inf) in':>21}")
    for r in out["m50"]:

        def g(x):
            return "-" if x is None else f"{x:.1f}"

        print(
            f"{r['budget']:>9} {g(r['m50']):>9} {g(r['m50_lo']):>10} {g(r['m50_hi']):>10} "
            f"{g(r['infinite_lo']):>10} {g(r['m50_hi']):>10}"
        )
