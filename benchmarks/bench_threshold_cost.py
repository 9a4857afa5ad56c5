"""Cost per trial of the threshold sweeps against n (issue 13): core-seconds per step near the
threshold, and the predicted cost of a budget from the measured running times of the trials.

Run from the repository root (one process, one core; about 10 min on an idle 2-core machine):

    python benchmarks/bench_threshold_cost.py [--trials 8] [--n 25,50,...]

For each n it runs ``--trials`` noiseless trials (seed 0, identity STE, the library's fast
compiled engine) at ``m ≈ c(n)·n²`` near the 2·10⁴-step threshold of chapter "The sample-size
threshold", with budgets S and 2S (S in :data:`STEPS`), and measures the CPU time
(``time.process_time``, this process only, so other load on the machine inflates it little).
``steps run`` counts every trial's steps until its fixed point or the budget; the extra CPU time
of the 2S run over the extra steps it ran is the cost of one step at this n once the transient of
the first steps is over (the marginal cost, what a longer budget pays). The cost per
trial at a budget T is that step cost times ``E[min(τ, T)]``, the mean running time of a trial,
which the censored data files give for n ≤ 200 (``fixed``: the fixed-point step, ``-1`` = ran the
whole budget); it is printed for the files that exist.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import stelib as sl

#: m₅₀/n² at T = 2·10⁴ (chapter "The sample-size threshold"; n = 800 extrapolated).
C50 = {25: 0.053, 50: 0.031, 100: 0.025, 200: 0.026, 400: 0.030, 800: 0.034}
#: The budget S of the two timed runs (S and 2S) per n.
STEPS = {25: 20_000, 50: 20_000, 100: 10_000, 200: 5_000, 400: 2_000, 800: 1_000}
DATA = Path(__file__).resolve().parent.parent / "chapters" / "data"


def step_cost(n: int, trials: int, steps: int) -> tuple[int, float, int]:
    """``(m, cpu seconds, steps run)`` of ``trials`` trials at ``m ≈ C50[n] n²``."""
    m = int(round(C50[n] * n * n))
    start = time.process_time()
    res = sl.success_probability(n, [m], trials=trials, steps=steps, seed=0, progress=False)
    cpu = time.process_time() - start
    ran = np.where(res.fixed[0] >= 0, res.fixed[0], steps).sum()
    return m, cpu, int(ran)


def mean_running_time(n: int) -> tuple[int, int, float] | None:
    """``(m, T, E[min(τ, T)])`` at the size of the censored file nearest ``C50[n] n²``."""
    path = DATA / f"threshold_censored_n{n:04d}.json"
    if not path.exists():
        return None
    r = sl.read_threshold_file(path).result
    g = int(np.argmin(np.abs(np.log(r.m / (C50[n] * n * n)))))
    f = r.fixed[g]
    return int(r.m[g]), r.steps, float(np.where(f >= 0, f, r.steps).mean())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", default="25,50,100,200,400,800")
    p.add_argument("--trials", type=int, default=8)
    args = p.parse_args()
    sl.success_probability(25, [30], trials=2, steps=10)  # compile the kernel first
    print(f"{'n':>5} {'m':>6} {'trials':>6} {'steps run':>10} {'cpu s':>8} {'us/step':>9} "
          f"{'file m':>7} {'file T':>8} {'E[min(tau,T)]':>14} {'s/trial at T':>13}")  # fmt: skip
    for n in (int(v) for v in args.n.split(",")):
        trials = args.trials if n < 800 else max(1, args.trials // 4)
        m, cpu1, ran1 = step_cost(n, trials, STEPS[n])
        _, cpu, ran = step_cost(n, trials, 2 * STEPS[n])
        per_step = (cpu - cpu1) / max(ran - ran1, 1)
        line = f"{n:>5} {m:>6} {trials:>6} {ran:>10} {cpu:>8.2f} {1e6 * per_step:>9.2f}"
        run = mean_running_time(n)
        if run is not None:
            fm, T, mean = run
            line += f" {fm:>7} {T:>8} {mean:>14.0f} {per_step * mean:>13.3f}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
