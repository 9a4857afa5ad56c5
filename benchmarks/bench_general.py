"""Benchmark of the engine's general mode (k > 1): compiled, numpy, dense, and the reference loop.

Run from the repository root (about 3 min on an idle 2-core machine; ``--quick``: 10× fewer
steps):

    python benchmarks/bench_general.py [--quick] [--repeats 3] [--threads 1]

The two-layer network of SPEC §2 (k patches sharing w, second layer a = 𝟙/k, identity STE,
noiseless labels) near its sample-size threshold (m ≈ 0.025 n², where about half the trials reach
w* within 2·10⁴ steps for k = 1, 2 and 4 alike; ``notes`` in the README). For each workload it
runs on the same trials (``stelib.sample_trials``, seed 0):

1. ``kernel``: ``stelib.ste_gradient_method`` (``method="auto"``: the incremental path, general
   mode, compiled by numba: :func:`stelib._kernel_general.general_trials`);
2. ``numpy``: the same incremental path in numpy (``_engine.USE_KERNEL = False``), which is what
   ``"auto"`` ran for k > 1 before the compiled general mode existed;
3. ``dense``: ``method="dense"`` (batched BLAS products every step);
4. ``reference``: ``stelib.ste_gradient_method_reference``, the library's oracle loop, on the
   first ``--ref-trials`` trials and ``--ref-steps`` steps (it is slow), compared per trial-step;
5. ``k=1``: the fast mode (compiled) on the k = 1 trials of the same (n, m), for scale.

Times are CPU seconds (``time.process_time``), best of ``--repeats`` runs, and per trial-step
(the trial-steps actually run: a trial stops at its fixed point). Every implementation's hitting
times, fixed points and final ``u`` are compared bitwise with the kernel's (the reference on its
subset, against a kernel run of that subset). A script, not a test: read the ratios.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

import stelib as sl
from stelib import _engine, _kernel

WORKLOADS = [
    {"n": 100, "m": 250, "steps": 20_000, "trials": 16},
    {"n": 200, "m": 1000, "steps": 5_000, "trials": 8},
]
KS = (2, 4)
SEED = 0


def run_engine(t, steps, *, method="auto", use_kernel=True):
    _engine.USE_KERNEL = use_kernel
    try:
        return sl.ste_gradient_method(
            t.Z, t.y, t.u0, w_star=t.w_star, a=t.a, steps=steps, method=method
        )
    finally:
        _engine.USE_KERNEL = True


def timed(f, repeats):
    """Best CPU time of ``repeats`` calls of ``f`` and its (last) result."""
    best, res = np.inf, None
    for _ in range(repeats):
        start = time.process_time()
        res = f()
        best = min(best, time.process_time() - start)
    return best, res


def trial_steps(res, steps):
    return int(np.where(res.fixed_point >= 0, res.fixed_point, steps).sum())


def same(a, b):
    return all(
        np.array_equal(getattr(a, f), getattr(b, f)) for f in ("u", "w", "hit", "fixed_point")
    )


def subset(t, count):
    return sl.Trial(*(x[:count] if x.ndim > 1 else x for x in t[:-1]), t.a)


def bench(n, m, steps, trials, k, args):
    t = sl.sample_trials(n, m, trials=trials, seed=SEED, k=k)
    print(f"\n## n = {n}, m = {m}, k = {k}, T = {steps}, {trials} trials (M = m k = {m * k})")
    rows = {}
    for name, kw in (
        ("kernel", {}),
        ("numpy", {"method": "incremental", "use_kernel": False}),
        ("dense", {"method": "dense"}),
    ):
        cpu, res = timed(lambda kw=kw: run_engine(t, steps, **kw), args.repeats)
        rows[name] = (cpu, trial_steps(res, steps), res)
    kernel = rows["kernel"][2]
    ts = rows["kernel"][1]
    print(
        f"successes {int((kernel.hit >= 0).sum())} of {trials}, "
        f"stuck {int(((kernel.fixed_point >= 0) & (kernel.hit < 0)).sum())}, "
        f"trial-steps {ts}"
    )
    for name, (cpu, steps_run, res) in rows.items():
        eq = "bitwise equal" if same(res, kernel) else "DIFFERS"
        print(f"{name:10s} {cpu:8.2f} s CPU  {1e6 * cpu / steps_run:8.1f} µs/trial-step  {eq}")
    # The reference loop on a subset, against the kernel on the same subset.
    rt, rs = min(args.ref_trials, trials), min(args.ref_steps, steps)
    ts_sub = subset(t, rt)
    ref_cpu, ref = timed(
        lambda: sl.ste_gradient_method_reference(
            ts_sub.Z, ts_sub.y, ts_sub.u0, w_star=ts_sub.w_star, a=ts_sub.a, steps=rs
        ),
        1,
    )
    ker_sub = run_engine(ts_sub, rs)
    ref_per = ref_cpu / trial_steps(ref, rs)
    eq = "bitwise equal" if same(ref, ker_sub) else "DIFFERS"
    print(
        f"{'reference':10s} {ref_cpu:8.2f} s CPU  {1e6 * ref_per:8.1f} µs/trial-step  {eq} "
        f"({rt} trials, {rs} steps)"
    )
    t1 = sl.sample_trials(n, m, trials=trials, seed=SEED, k=1)
    cpu1, res1 = timed(lambda: run_engine(t1, steps), args.repeats)
    per1 = cpu1 / trial_steps(res1, steps)
    print(f"{'k=1 fast':10s} {cpu1:8.2f} s CPU  {1e6 * per1:8.1f} µs/trial-step  (k = 1 trials)")
    per = {name: cpu / s for name, (cpu, s, _) in rows.items()}
    print(
        f"ratios: numpy/kernel {per['numpy'] / per['kernel']:.2f}x, "
        f"dense/kernel {per['dense'] / per['kernel']:.2f}x, "
        f"reference/kernel {ref_per / per['kernel']:.1f}x, "
        f"kernel(k={k})/fast(k=1) {per['kernel'] / per1:.2f}x (per trial-step)"
    )


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="10x fewer steps")
    p.add_argument("--repeats", type=int, default=3, help="runs per implementation (best kept)")
    p.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    p.add_argument("--ref-trials", type=int, default=2, help="trials of the reference loop")
    p.add_argument("--ref-steps", type=int, default=1000, help="steps of the reference loop")
    args = p.parse_args()
    from threadpoolctl import threadpool_limits

    threadpool_limits(args.threads)
    print(f"stelib {sl.__version__}, numpy {np.__version__}, numba available: {_kernel.AVAILABLE}")
    cpu = platform.processor() or platform.machine()
    print(f"{cpu}, {os.cpu_count()} CPUs, load average {os.getloadavg()}")
    warm = sl.sample_trials(20, 30, trials=1, seed=0, k=2)
    start = time.perf_counter()
    run_engine(warm, 10)  # compile or load the kernel before timing
    first = time.perf_counter() - start
    print(f"first call of the compiled general mode (compile or cache load): {first:.1f} s")
    for w in WORKLOADS:
        steps = w["steps"] // 10 if args.quick else w["steps"]
        for k in KS:
            bench(w["n"], w["m"], steps, w["trials"], k, args)
    print(f"\nload at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
