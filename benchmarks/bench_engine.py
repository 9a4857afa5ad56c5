"""Benchmark of stelib's STE engine against a per-trial loop, a PyTorch autograd STE, and a bound.

Run from the repository root (takes about an hour on a 2-core machine; ``--quick`` for a smoke
run with 10× fewer steps):

    python benchmarks/bench_engine.py [--workload e2|large|all|none] [--regimes] [--threads 1]
                                      [--quick]

For each workload it runs, one after the other in this process, on the same trials
(``stelib.sample_trials``, seed 0, noiseless labels):

1. ``loop``: the straightforward per-trial numpy loop a reader writes first (below, 8 numpy calls
   per step), and on E2 also the library's own oracle ``stelib.ste_gradient_method_reference``
   (same loop through the validated public functions, recording distance and loss);
2. ``torch``: a PyTorch autograd STE on the CPU, ``w_q = u + (sign(u) − u).detach()``, the same
   straight-through trick on the activation, ``loss.backward()`` and a manual SGD step, all trials
   batched with ``bmm``, finished trials dropped (skipped if torch is not installed);
3. ``engine``: ``stelib.ste_gradient_method`` (``method="auto"``, i.e. incremental), and its dense
   path in float64 and float32;
4. ``bound``: only the dense matrix products a dense engine must do (``s = Z w`` and ``Zᵀ r`` for
   every active trial at every step, the engine's own schedule of active trials), with
   preallocated outputs and nothing else: two numpy calls per step, grouped like the engine's
   dense path and also all trials batched; the faster layout counts.

Every implementation is timed ``--repeats`` times (default 3) and its run with the least CPU time
kept; the engine and the loop, whose ratio is the first target, are timed alternately (engine,
loop, engine, loop, …), and every run of the two is printed. It prints wall and CPU times, the
ratios loop/engine, torch/engine, engine/bound, the number of successes of every implementation
and whether every trial's hitting time agrees with the engine's. float32 is accepted only if its
run is bitwise equal to float64's (in this engine that holds exactly when every sign decision is
the same: ĝ is formed in float64 from the decisions).
It also measures, from an untimed engine run, the coordinates that flip per step and the
fraction of samples with a nonzero residual, and runs the E2 workload as a sweep
(``stelib.success_probability``) in one process and on a ``ProcessPoolExecutor`` with 2 workers.
``--regimes`` adds a table of the dense and incremental paths under label flips, additive label
noise, k = 3 and the clipped STE (at n = 100 and n = 400).

This is not a test: the targets are checked by reading the printed ratios.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

import stelib as sl
from stelib import _engine, _kernel

WORKLOADS = {
    "e2": {"n": 100, "k": 1, "m": 250, "steps": 20_000, "trials": 64},
    "large": {"n": 400, "k": 1, "m": 4000, "steps": 5_000, "trials": 32},
}
SEED = 0


def loop(Z, y, u0, w_star, eta, steps):
    """The straightforward per-trial loop (k = 1): hitting times, fixed points, final u."""
    trials, m = y.shape
    hit = np.full(trials, -1)
    fixed = np.full(trials, -1)
    u_out = np.empty_like(u0)
    for i in range(trials):
        X = Z[i, :, 0, :]
        u = u0[i].copy()
        for t in range(steps + 1):
            w = np.where(u >= 0, 1.0, -1.0)
            if hit[i] < 0 and np.array_equal(w, w_star[i]):
                hit[i] = t
            if t == steps:
                break
            r = np.where(X @ w >= 0, 1.0, -1.0) - y[i]
            g = X.T @ r / m
            if not g.any():
                fixed[i] = t
                break
            u = u - eta * g
        u_out[i] = u
    return hit, fixed, u_out


def torch_ste(Z, y, u0, w_star, eta, steps):
    """Autograd STE in PyTorch (k = 1, a = 1), trials batched; returns hitting times."""
    import torch

    Zb = torch.from_numpy(np.ascontiguousarray(Z[:, :, 0, :]))
    yb = torch.from_numpy(y)
    ws = torch.from_numpy(w_star)
    u = torch.from_numpy(u0.copy())
    idx = torch.arange(Z.shape[0])
    hit = torch.full((Z.shape[0],), -1, dtype=torch.int64)
    for t in range(steps + 1):
        u = u.detach().requires_grad_(True)
        w_q = u + (torch.where(u >= 0, 1.0, -1.0) - u).detach()  # forward sign, backward identity
        s = torch.bmm(Zb, w_q.unsqueeze(2)).squeeze(2)
        f = s + (torch.where(s >= 0, 1.0, -1.0) - s).detach()  # identity STE on the activation
        new = ((w_q.detach() != ws).sum(1) == 0) & (hit[idx] < 0)
        hit[idx[new]] = t
        if t == steps:
            break
        loss = 0.5 * ((f - yb) ** 2).mean(dim=1).sum()  # trials independent: sum of their losses
        loss.backward()
        g = u.grad
        keep = (g != 0).any(dim=1)
        if not keep.all():  # fixed points leave the batch
            idx, Zb, yb, ws, u, g = idx[keep], Zb[keep], yb[keep], ws[keep], u[keep], g[keep]
            if idx.numel() == 0:
                break
        with torch.no_grad():
            u = u - eta * g
    return hit.numpy()


def bound(Z, lengths, steps, group_bytes):
    """Only the dense products of the active trials: ``lengths[i]`` pre-activation steps each."""
    trials, m, k, n = Z.shape
    order = np.argsort(-lengths, kind="stable")
    Zs = np.ascontiguousarray(Z[order].reshape(trials, m * k, n))
    L = lengths[order]
    size = trials if group_bytes is None else max(1, int(group_bytes // (m * k * n * 8)))
    W = np.ones((trials, n, 1))
    R = np.ones((trials, 1, m * k))
    S = np.empty((trials, m * k, 1))
    G = np.empty((trials, 1, n))
    start = time.perf_counter(), time.process_time()
    for lo in range(0, trials, size):
        Zg, Lg = Zs[lo : lo + size], L[lo : lo + size]
        active = [int(np.count_nonzero(Lg > t)) for t in range(int(Lg.max()))]
        for t, b in enumerate(active):
            np.matmul(Zg[:b], W[:b], out=S[:b])
            if t < steps:
                np.matmul(R[:b], Zg[:b], out=G[:b])
    return time.perf_counter() - start[0], time.process_time() - start[1]


def timed(fn):
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w0, time.process_time() - c0


def best_of_alternating(repeats, *fns):
    """``timed`` ``repeats`` times each, the functions in turn (f, g, f, g, …), so that a slow
    phase of a shared machine hits them alike: per function the run with the smallest CPU time,
    and the CPU times of all its runs."""
    runs = [[] for _ in fns]
    for _ in range(repeats):
        for out, fn in zip(runs, fns, strict=True):
            out.append(timed(fn))
    return [min(r, key=lambda r: r[2]) for r in runs], [[r[2] for r in rs] for rs in runs]


def best_of(repeats, fn):
    """``timed`` ``repeats`` times; the run with the smallest CPU time."""
    return best_of_alternating(repeats, fn)[0][0]


def blas_info():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed"
    return "; ".join(
        f"{i['internal_api']} {i.get('version')} kernel={i.get('architecture')} "
        f"threads={i['num_threads']}"
        for i in threadpool_info()
    )


def numba_version():
    import numba

    return numba.__version__


def cpu_model():
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def activity(res, trials, n, m, steps):
    """Flips per step and nonzero-residual fraction from an untimed engine run (STATS hook)."""
    _engine.STATS = []
    try:
        res()
        stats = np.array(_engine.STATS, dtype=float)
    finally:
        _engine.STATS = None
    alive, flips, rows = stats[:, 0], stats[:, 1], stats[:, 2]
    ok = alive > 0
    return {
        "flipped coordinates per active trial and step": flips[ok].sum() / alive[ok].sum(),
        "  as a fraction of n": flips[ok].sum() / alive[ok].sum() / n,
        "samples with nonzero residual (misclassified), fraction of m": rows[ok].sum()
        / alive[ok].sum()
        / m,
    }


def run_workload(name, spec, args, has_torch):
    n, k, m, trials = spec["n"], spec["k"], spec["m"], spec["trials"]
    steps = spec["steps"] // 10 if args.quick else spec["steps"]
    print(f"\n=== workload {name}: n={n} k={k} m={m} T={steps} trials={trials} noiseless")
    print(f"    seed={SEED}, eta=1, init_scale=1e-3; load average {os.getloadavg()}")
    (t, tw, _) = timed(lambda: sl.sample_trials(n, m, trials=trials, seed=SEED, k=k))
    print(f"    data: {t.Z.nbytes / 2**20:.1f} MiB of inputs, sampled in {tw:.2f} s")
    args_ = (t.Z, t.y, t.u0)
    rows = []

    def engine(method="auto", dtype=np.float64):
        return sl.ste_gradient_method(
            *args_, w_star=t.w_star, a=t.a, steps=steps, method=method, dtype=dtype
        )

    if _kernel.AVAILABLE:  # the first call compiles (or loads the on-disk cache): timed apart
        few = (t.Z[:1], t.y[:1], t.u0[:1])
        _, jw, _ = timed(lambda: sl.ste_gradient_method(*few, w_star=t.w_star[:1], steps=50))
        print(f"    numba {numba_version()}: first call (compile or load cache) {jw:.2f} s")
    # The engine and the loop, whose ratio is the first target, are timed alternately.
    ((eng, ew, ec), (res, loop_w, loop_c)), (eng_runs, loop_runs) = best_of_alternating(
        args.repeats, engine, lambda: loop(t.Z, t.y, t.u0, t.w_star, 1.0, steps)
    )
    mode = "compiled fast mode" if _kernel.AVAILABLE else "numpy, numba not installed"
    rows.append((f"3  engine (auto = incremental, {mode})", ew, ec, eng.hit))
    if _kernel.AVAILABLE:
        _engine.USE_KERNEL = False
        try:
            nump, npw, npc = best_of(args.repeats, engine)
        finally:
            _engine.USE_KERNEL = True
        rows.append(("3a engine, incremental path in numpy (no numba)", npw, npc, nump.hit))
    rows.append(("1  loop (per trial, numpy)", loop_w, loop_c, res[0]))
    if name == "e2" or args.reference:
        ref, w_, c_ = timed(
            lambda: sl.ste_gradient_method_reference(*args_, w_star=t.w_star, steps=steps)
        )
        rows.append(("1b loop (library reference oracle)", w_, c_, ref.hit))
        ref_w, ref_c = w_, c_
    else:
        ref_w = ref_c = None
    if has_torch:
        th, w_, c_ = best_of(args.repeats, lambda: torch_ste(t.Z, t.y, t.u0, t.w_star, 1.0, steps))
        rows.append(("2  torch autograd STE (float64)", w_, c_, th))
        torch_w, torch_c = w_, c_
    else:
        print("    2  torch autograd STE: skipped (torch not installed, or --no-torch)")
        torch_w = torch_c = None
    dense, dw, dc = best_of(args.repeats, lambda: engine("dense"))
    rows.append(("3b engine, dense path, float64", dw, dc, dense.hit))
    d32, d32w, d32c = best_of(args.repeats, lambda: engine("dense", np.float32))
    rows.append(("3c engine, dense path, float32", d32w, d32c, d32.hit))
    lengths = np.where(eng.fixed_point >= 0, eng.fixed_point + 1, steps + 1)
    b_grouped = min(
        (bound(t.Z, lengths, steps, _engine.GROUP_BYTES) for _ in range(args.repeats)),
        key=lambda r: r[1],
    )
    b_batched = min(
        (bound(t.Z, lengths, steps, None) for _ in range(args.repeats)), key=lambda r: r[1]
    )
    bw, bc = min(b_grouped, b_batched)
    layout = "grouped like the engine" if b_grouped <= b_batched else "all trials batched"
    rows.append((f"4  bound: dense products only ({layout})", bw, bc, None))

    print(
        f"    times: best of {args.repeats} runs (least CPU time) each, the library's oracle loop"
        " 1 run; engine and loop timed alternately"
    )
    head = f"{'implementation':50s} {'wall s':>9s} {'cpu s':>9s} {'successes':>9s}"
    print(f"    {head}  hits = engine's")
    for label, w_, c_, hits in rows:
        succ = "" if hits is None else str(int(np.count_nonzero(hits >= 0)))
        same = "" if hits is None else ("yes" if np.array_equal(hits, eng.hit) else "NO")
        print(f"    {label:50s} {w_:9.2f} {c_:9.2f} {succ:>9s}  {same}")
    print(
        f"    other bound layout: grouped {b_grouped[0]:.2f} s, batched {b_batched[0]:.2f} s wall"
    )

    def ratio(label, num, den):
        if None in num or None in den:
            print(f"    {label:34s} skipped")
            return
        print(f"    {label:34s} wall {num[0] / den[0]:7.2f}x   cpu {num[1] / den[1]:7.2f}x")

    print("    ratios")
    ratio("loop / engine", (loop_w, loop_c), (ew, ec))
    rounds = ", ".join(f"{lc / ec_:.2f}x" for lc, ec_ in zip(loop_runs, eng_runs, strict=True))
    print(f"      every run, cpu s: engine {', '.join(f'{c:.2f}' for c in eng_runs)}")
    print(f"                        loop   {', '.join(f'{c:.2f}' for c in loop_runs)}")
    print(f"      loop / engine in each round (engine, then loop): {rounds}")
    if ref_w is not None:
        ratio("library reference loop / engine", (ref_w, ref_c), (ew, ec))
    ratio("torch / engine", (torch_w, torch_c), (ew, ec))
    ratio("engine / bound", (ew, ec), (bw, bc))
    ratio("engine dense float64 / bound", (dw, dc), (bw, bc))
    ratio("engine dense float32 / bound", (d32w, d32c), (bw, bc))
    ratio("dense float64 / engine", (dw, dc), (ew, ec))
    if _kernel.AVAILABLE:
        ratio("numpy incremental / engine", (npw, npc), (ew, ec))
    exact32 = all(np.array_equal(getattr(d32, f), getattr(eng, f)) for f in ("u", "hit"))
    exact64 = all(np.array_equal(getattr(dense, f), getattr(eng, f)) for f in ("u", "hit"))
    print(f"    dense float64 bitwise equal to the engine: {'yes' if exact64 else 'NO'}")
    print(
        "    float32: "
        + ("identical decisions (bitwise-equal run): accepted" if exact32 else "REJECTED")
        + f"; {int(np.count_nonzero(d32.hit != eng.hit))} hitting times differ"
    )
    all_succ = [int(np.count_nonzero(h >= 0)) for (_, _, _, h) in rows if h is not None]
    print(f"    successes equal across all implementations: {len(set(all_succ)) == 1} {all_succ}")
    print("    activity of the iterate (untimed engine run):")
    for key, value in activity(engine, trials, n, m, steps).items():
        print(f"      {key}: {value:.4f}")
    print(f"    load average {os.getloadavg()}")
    return t


def sweep(spec, args):
    n, m, trials = spec["n"], spec["m"], spec["trials"]
    steps = spec["steps"] // 10 if args.quick else spec["steps"]
    kw = {"trials": trials, "steps": steps, "seed": SEED, "batch_size": 16, "progress": False}
    print(f"\n=== sweep: success_probability(n={n}, m=[{m}], {kw})")
    one, w1, _ = timed(lambda: sl.success_probability(n, [m], **kw))
    with ProcessPoolExecutor(2) as ex:
        two, w2, _ = timed(lambda: sl.success_probability(n, [m], executor=ex, **kw))
    same = np.array_equal(one.hits, two.hits)
    print(
        f"    1 process {w1:.2f} s, ProcessPoolExecutor(2) {w2:.2f} s wall; speed-up {w1 / w2:.2f}x"
    )
    print(f"    hitting times bitwise identical: {same}; successes {one.successes.tolist()}")


REGIMES = [  # label, n, m, trials, steps, data options, engine options
    ("noiseless, k=1", 100, 250, 64, 2000, {}, {}),
    ("label flips p=0.1", 100, 250, 64, 2000, {"flip": 0.1}, {}),
    ("additive noise s=0.3", 100, 250, 64, 2000, {"noise_std": 0.3}, {}),
    ("k=3 patches, noiseless", 100, 250, 64, 2000, {"k": 3}, {}),
    ("clipped STE c=1", 100, 250, 64, 2000, {}, {"ste": "clipped"}),
    ("additive noise s=0.3", 400, 4000, 4, 300, {"noise_std": 0.3}, {}),
    ("k=3 patches, noiseless", 400, 1333, 4, 300, {"k": 3}, {}),
    ("clipped STE c=1", 400, 4000, 4, 300, {}, {"ste": "clipped"}),
]


def regimes(args):
    """Dense versus incremental path across regimes (CPU time, best of 3 runs)."""
    print("\n=== regimes: dense vs incremental path (CPU time, best of 3 runs)")
    head = f"{'regime':24s} {'n':>4s} {'m':>5s} {'trials':>6s} {'T':>5s} {'dense s':>8s}"
    print(
        f"    {head} {'incr. s':>8s} {'dense/incr':>10s} {'flips/n':>8s} {'rows G!=0':>9s}", end=""
    )
    print("  bitwise equal  auto picks")
    for label, n, m, trials, steps, data, opts in REGIMES:
        steps = steps // 10 if args.quick else steps
        t = sl.sample_trials(n, m, trials=trials, seed=SEED, **data)

        def run(method, t=t, opts=opts, steps=steps):
            return sl.ste_gradient_method(
                t.Z, t.y, t.u0, w_star=t.w_star, a=t.a, steps=steps, method=method, **opts
            )

        dense, _, dc = best_of(3, lambda: run("dense"))
        incr, _, ic = best_of(3, lambda: run("incremental"))
        same = all(np.array_equal(getattr(dense, f), getattr(incr, f)) for f in ("u", "hit"))
        act = list(activity(lambda: run("incremental"), trials, n, m * t.a.size, steps).values())
        clipped = opts.get("ste", "identity") == "clipped"
        pick = _engine.choose("auto", steps, np.dtype(np.float64), n, clipped)
        row = f"{label:24s} {n:4d} {m:5d} {trials:6d} {steps:5d} {dc:8.2f} {ic:8.2f}"
        print(
            f"    {row} {dc / ic:10.2f} {act[1]:8.3f} {act[2]:9.3f}  {'yes' if same else 'NO':13s}",
            end="",
        )
        print(f"  {pick}")
    print(f"    load average {os.getloadavg()}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workload", choices=["e2", "large", "all", "none"], default="all")
    p.add_argument("--regimes", action="store_true", help="dense vs incremental per regime")
    p.add_argument("--threads", type=int, default=1, help="BLAS and torch threads (default 1)")
    p.add_argument("--quick", action="store_true", help="10x fewer steps (smoke run)")
    p.add_argument("--reference", action="store_true", help="library oracle on 'large' too")
    p.add_argument("--no-torch", action="store_true")
    p.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="time each implementation N times, keep the least CPU",
    )
    args = p.parse_args(argv)

    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.threads)
    except ImportError:
        print("threadpoolctl not installed: BLAS threads not set")
    has_torch = False
    torch_version = "not used (--no-torch)" if args.no_torch else "not installed"
    if not args.no_torch:
        try:
            import torch

            torch.set_num_threads(args.threads)
            has_torch = True
            torch_version = torch.__version__
        except ImportError:
            pass
    print("command: python " + " ".join([sys.argv[0], *(argv or sys.argv[1:])]))
    print(f"stelib {sl.__version__}, numpy {np.__version__}, python {platform.python_version()}")
    print(f"torch {torch_version}; cpu: {cpu_model()}, {os.cpu_count()} logical cores")
    print(f"BLAS: {blas_info()}")
    env = {k: v for k, v in os.environ.items() if k.startswith(("OPENBLAS", "OMP", "MKL"))}
    print(f"BLAS environment: {env or 'none set'}; engine groups of {_engine.GROUP_BYTES} bytes")
    names = {"all": list(WORKLOADS), "none": []}.get(args.workload, [args.workload])
    for name in names:
        run_workload(name, WORKLOADS[name], args, has_torch)
    if "e2" in names:
        sweep(WORKLOADS["e2"], args)
    if args.regimes:
        regimes(args)


if __name__ == "__main__":
    main()
