"""Cost per trial of the threshold protocol against n (issue 13): CPU seconds per trial near the
threshold at the protocol's budgets, and per step.

Run from the repository root (one process, one core; about 5 min on an idle 2-core machine):

    python benchmarks/bench_threshold_cost.py [--trials 8] [--n 25,50,...] [--json FILE]

For each n it runs ``--trials`` noiseless trials (seed 0, identity STE, k = 1, the library's
compiled fast mode) at the size ``m`` of the protocol's grid nearest the 50% point, with the
protocol's budget ``T(n)`` (:data:`BUDGET`: the budgets of ``chapters/data/threshold_censored_*``,
and at n = 400 and 800 the 2·10⁴ of the old files; at n = 800 one trial and a budget of 4000
steps, scaled up below), and measures the CPU time of this process (``time.process_time``: other
load on the machine inflates it less than wall time, but a shared cache still slows it). ``steps
run`` is the mean number of steps a trial ran (until its fixed point or the budget); the cost of a
step is their ratio. A trial that uses its whole budget costs ``T`` times that; the cost per trial
of a sweep depends on how many trials near the threshold do.

``--json FILE`` also writes the table (a measurement: timings, not regenerable byte for byte). The
chapter "The threshold without a budget" reads ``chapters/data/measured/threshold_cost.json``: a
folder of its own, beside the data files that ``python -m stelib`` writes, so that the chapter
reads nothing outside ``chapters/`` (the plain editions see ``data/`` through a link).
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

import stelib as sl

#: n: (m near m₅₀ on the protocol's grid, budget T).
BUDGET = {
    25: (32, 1_000_000),
    50: (78, 1_000_000),
    100: (260, 200_000),
    200: (1080, 100_000),
    400: (4320, 20_000),
    800: (17_280, 4_000),
}


def measure(n: int, trials: int) -> dict:
    """One row: CPU seconds per trial and per step at ``BUDGET[n]``."""
    m, steps = BUDGET[n]
    start = time.process_time()
    res = sl.success_probability(n, [m], trials=trials, steps=steps, seed=0, progress=False)
    cpu = time.process_time() - start
    ran = np.where(res.fixed[0] >= 0, res.fixed[0], steps)
    return {
        "n": n,
        "m": m,
        "steps": steps,
        "trials": trials,
        "cpu_per_trial": cpu / trials,
        "steps_run_mean": float(ran.mean()),
        "censored": int(np.count_nonzero(res.fixed[0] < 0)),
        "us_per_step": 1e6 * cpu / ran.sum(),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", default="25,50,100,200,400,800")
    p.add_argument("--trials", type=int, default=8)
    p.add_argument("--json", default=None)
    args = p.parse_args()
    sl.success_probability(25, [30], trials=2, steps=10)  # compile the kernel first
    load = os.getloadavg()[0]
    print(f"load average at start: {load:.1f} (2 cores)")
    print(
        f"{'n':>5} {'m':>6} {'T':>8} {'trials':>6} {'censored':>8} {'steps run':>10} "
        f"{'s/trial':>9} {'us/step':>9}"
    )
    rows = []
    for n in (int(v) for v in args.n.split(",")):
        r = measure(n, args.trials if n < 800 else 1)
        rows.append(r)
        print(
            f"{n:>5} {r['m']:>6} {r['steps']:>8} {r['trials']:>6} {r['censored']:>8} "
            f"{r['steps_run_mean']:>10.0f} {r['cpu_per_trial']:>9.3f} "
            f"{r['us_per_step']:>9.2f}",
            flush=True,
        )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"load_average": load, "rows": rows}, fh, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
