"""Private: the two computational paths behind :func:`stelib.ste_gradient_method`.

Both paths run many independent trials at once, drop a trial as soon as it reaches a fixed point
(``ĝ(wₜ) = 0`` exactly), allocate their work arrays once, and make the same decisions as the
straightforward loop (:func:`stelib.ste_gradient_method_reference`): the same binary iterates
``wₜ``, hence the same hitting times, fixed points, distances and losses. Trials are processed in
groups whose data fit in a few megabytes of cache (a trial's arithmetic does not depend on its
group, so neither do its results).

``"dense"``
    Every step recomputes the pre-activations ``s = Z w`` with a batched BLAS product. Each trial
    has its own ``Z``, so this is one matrix–vector product per trial (a batched GEMV), not one
    matrix–matrix product: trials could be the columns of one product only if they shared their
    data. Optional float32.

``"incremental"``
    Keeps ``s`` from step to step and updates it from the flipped coordinates only,
    ``s ← s + 2 w_new,j Z[:, j]``, and forms ``ĝ`` from the rows with a nonzero weight
    ``Gᵢ = aᵀ μ′(Zᵢ w) rᵢ`` only (noiseless, ``k = 1``: the misclassified samples). Both are
    sparse-times-dense products done for all trials of a group by one compiled loop (SciPy's CSR
    kernel), so a step costs ``O(#flips · m k + #nonzero rows · n)`` instead of ``O(m k n)``.

In its fast mode (``k = 1``, identity STE, labels ``±a₀``) without per-step records, the
incremental path runs every step in compiled code when numba is installed
(:mod:`stelib._kernel`, one trial after the other, the same arithmetic in the same order); else
in numpy. The two give bitwise-equal results; the compiled loop is about 8× faster on the E2
workload (``benchmarks/``). So is the general mode where :mod:`stelib._general` applies.

Both paths form ``ĝ`` with the library's one coarse gradient (:mod:`stelib._gradient`: over the
rows with ``Gᵢ ≠ 0`` only, summed in row order per trial), as the reference loop does. With the
same decisions this makes every path's results bitwise equal, and a trial's result independent
of the other trials in its call.

Exactness of the incremental path. ``s`` is tracked in integers: trial ``b``'s inputs are scaled by
a power of two ``2ᵖ`` (exact) and rounded, ``Zq = round(Z 2ᵖ)``, with ``p`` chosen so that every
partial sum fits in int32; then ``T = Zq w`` is updated without any rounding at all. Since
``|Z 2ᵖ − Zq| ≤ 1/2`` entrywise, ``|s 2ᵖ − T| ≤ n/2``; a float64 evaluation of ``Z w`` in any
order is within ``γₙ Σⱼ|Zᵢⱼ|`` of ``s`` (``γₙ = n u/(1 − n u)``, ``u = 2⁻⁵³``), which is below
``1/2`` in these units. So wherever ``|Tᵢ| > n`` the sign of ``Tᵢ`` *is* the sign the dense path
computes; rows with ``|Tᵢ| ≤ n`` (about one in a million on the book's workloads) take the dense
path's value from a fresh BLAS product of their trial. For the clipped STE the same certificate is
applied to ``| |sᵢ| − c√n |``. The decisions are therefore the dense path's, provably.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _kernel
from ._general import general_kernel_layer, run_general_compiled
from ._gradient import accumulate, residual, row_sum, sparse, weights

METHODS = ("auto", "dense", "incremental")

#: Fewer steps than this and ``"auto"`` takes the dense path (the incremental path's setup, one
#: integer copy of ``Z``, costs about as much as one dense step).
AUTO_MIN_STEPS = 8

#: With the clipped STE ``"auto"`` takes the incremental path from this dimension on; below it
#: the dense path was faster (``benchmarks/bench_engine.py --regimes``: at n = 100 dense wins, at
#: n = 400 incremental). In every other regime measured (noiseless, label flips, additive label
#: noise, k = 3) the incremental path was as fast or faster.
AUTO_MIN_N_CLIPPED = 300


def fast_mode(y, a, k, thr):
    """Whether Gᵢ ≠ 0 exactly on misclassified samples: k = 1, identity STE, labels ±a₀."""
    a0 = float(a[0])
    return k == 1 and thr is None and a0 != 0.0 and bool(np.all(np.abs(y) == abs(a0)))


def choose(method, steps, dtype, n, clipped):
    """Resolve ``method="auto"``; all methods give the same (bitwise) results, only the speed."""
    if method != "auto":
        return method
    if steps < AUTO_MIN_STEPS or dtype == np.float32 or (clipped and n < AUTO_MIN_N_CLIPPED):
        return "dense"
    return "incremental"


#: Default of the compiled fast mode when numba is installed (bitwise the same results; tests
#: switch it off to check the numpy code). Read once per call, passed in as ``Config``.
USE_KERNEL = True

#: Bytes of input data per group of trials processed together (a cache-sized working set).
GROUP_BYTES = 4 << 20

_INT32_MAX = np.iinfo(np.int32).max

#: Measurement hook for ``benchmarks/``: when a list, the incremental path appends ``(active
#: trials, flipped coordinates, nonzero rows of G)`` every step (passed in as ``Config.stats``).
STATS: list | None = None


class Config(NamedTuple):
    """What every step of a run needs, fixed for the run; ``thr``: the clipped STE's ``c√n``
    (``None``: identity), ``use_kernel``/``stats``: from :data:`USE_KERNEL`/:data:`STATS`."""

    a: np.ndarray
    eta: float
    steps: int
    thr: float | None
    clip: float | None
    dtype: np.dtype
    use_kernel: bool
    stats: list | None


class Group(NamedTuple):
    """The rows of one group of trials: trial ``lo + b`` of the call is row ``b``."""

    Z: np.ndarray
    y: np.ndarray
    u0: np.ndarray
    w_star: np.ndarray | None
    lo: int


class Records:
    """Outputs of the engine, indexed by original trial; groups write their own rows."""

    def __init__(self, u0, steps, has_star, record):
        trials = u0.shape[0]
        self.u = u0.copy()
        self.fixed_point = np.full(trials, -1, dtype=np.int64)
        self.hit = np.full(trials, -1, dtype=np.int64)
        self.distance = (
            np.zeros((trials, steps + 1), dtype=np.int64) if record and has_star else None
        )
        self.loss = np.zeros((trials, steps + 1)) if record else None
        self.steps = steps

    def step(self, gid, t, r, wp, ws):
        """Loss, distance and hitting time at step ``t`` of the trials ``gid``."""
        if self.loss is not None:
            self.loss[gid, t] = 0.5 * np.mean(r * r, axis=1)
        if ws is not None:
            d = np.count_nonzero(wp != ws, axis=1)
            if self.distance is not None:
                self.distance[gid, t] = d
            if not d.all():
                new = gid[(d == 0) & (self.hit[gid] < 0)]
                self.hit[new] = t

    def finish(self, gid, t, u):
        """Trials ``gid`` stop at step ``t``: a fixed point if ``t < steps``, else the budget."""
        self.u[gid] = u
        if t < self.steps:
            self.fixed_point[gid] = t
            if self.distance is not None:
                self.distance[gid, t + 1 :] = self.distance[gid, t][:, None]
            if self.loss is not None:
                self.loss[gid, t + 1 :] = self.loss[gid, t][:, None]


def groups(trials, bytes_per_trial, budget=None):
    """Balanced consecutive groups of trials, each within ``budget`` bytes (at least 1 trial)."""
    budget = GROUP_BYTES if budget is None else budget
    size = max(1, int(budget // max(bytes_per_trial, 1)))
    count = -(-trials // size)
    edges = np.linspace(0, trials, count + 1).round().astype(int)
    return [(int(lo), int(hi)) for lo, hi in zip(edges[:-1], edges[1:], strict=True)]


def run_dense(group: Group, cfg: Config, out: Records) -> Records:
    """The dense path on the trials of ``group``.

    ``s = Z wₜ`` by a batched BLAS product (in ``dtype``) on a private copy of ``Z`` from which
    finished trials are removed in place; ``ĝ`` by the same sequential sum over the rows with
    ``Gᵢ ≠ 0`` as the incremental path, so both paths give bitwise-equal results.
    """
    Z, y, u0, w_star, lo = group
    a, eta, steps, thr, clip, dtype = cfg.a, cfg.eta, cfg.steps, cfg.thr, cfg.clip, cfg.dtype
    trials, m, k, n = Z.shape
    M = m * k
    Zflat = np.ascontiguousarray(Z).reshape(trials * M, n)
    Zw = np.empty((trials, M, n), dtype=dtype)
    Zw[...] = Z.reshape(trials, M, n)
    own = Zw.dtype == np.float64  # then Zw holds the exact rows, in active-trial order
    Zw_rows = Zw.reshape(trials * M, n)
    U = u0.copy()
    Y = y.copy()
    WS = None if w_star is None else w_star > 0
    slot = np.arange(trials)  # row of the group's arrays each active trial came from
    wp = np.empty((trials, n), dtype=bool)
    wf = np.empty((trials, n, 1), dtype=dtype)
    s = np.empty((trials, M, 1), dtype=dtype)
    g = np.empty((trials, n))
    for t in range(steps + 1):
        b = slot.size
        np.greater_equal(U[:b], 0.0, out=wp[:b])
        np.subtract(np.multiply(wp[:b], 2.0, dtype=dtype), 1.0, out=wf[:b, :, 0])
        np.matmul(Zw[:b], wf[:b], out=s[:b])
        S = s[:b, :, 0]
        r = residual(S, Y[:b], a, m, k)
        out.step(slot + lo, t, r, wp[:b], None if WS is None else WS[:b])
        if t == steps:
            out.finish(slot + lo, t, U[:b])
            break
        G = weights(r, a, m, k, None if thr is None else np.abs(S) <= thr)
        indptr, nz, data = sparse(G)
        if own:  # rows of the compacted float64 copy, already in cache
            rows = Zw_rows
        else:  # float32 copy: the caller's float64 rows, original positions
            rows = Zflat
            if slot[-1] != b - 1:  # rows of removed trials precede some active ones
                nz += np.repeat((slot - np.arange(b)) * M, np.diff(indptr))
        gb = row_sum(g[:b], indptr, nz, data, rows, m)
        if not gb.all():
            done = ~gb.any(axis=1)
            if done.any():
                out.finish(slot[done] + lo, t, U[:b][done])
                keep = np.flatnonzero(~done)
                if keep.size == 0:
                    break
                for arr in (U, Y, g) if WS is None else (U, Y, g, WS):
                    arr[: keep.size] = arr[keep]
                for p, q in enumerate(keep):  # in place, no temporary of Z's size
                    if p != q:
                        Zw[p] = Zw[q]
                slot = slot[keep]
                b = keep.size
                gb = g[:b]
        if eta != 1.0:
            np.multiply(gb, eta, out=gb)
        np.subtract(U[:b], gb, out=U[:b])
        if clip is not None:
            np.clip(U[:b], -clip, clip, out=U[:b])
    return out


def _exponents(Zr, n):
    """``p`` per trial with ``2 Σⱼ |round(Zᵢⱼ 2ᵖ)| < 2³¹`` for every row ``i``."""
    A = np.array([np.abs(Zb).sum(axis=1).max() for Zb in Zr])  # max row ℓ1 norm per trial
    with np.errstate(divide="ignore"):
        p = np.floor(np.log2((2.0**30 - 1.0 - n) / A))
    return np.clip(np.nan_to_num(p, posinf=0.0), -1000, 1000)


class _Fast(NamedTuple):
    """The fast mode's arrays, handed from the numpy setup to the compiled loop."""

    Zr: np.ndarray
    Zt: np.ndarray
    q: np.ndarray
    C: np.ndarray
    T: np.ndarray
    U: np.ndarray
    wp: np.ndarray
    WS: np.ndarray | None
    tau: int
    check_hits: bool


def _run_fast_compiled(fast: _Fast, cfg: Config, out: Records, lo: int, fresh) -> Records:
    """The fast mode's steps in compiled code (:mod:`stelib._kernel`), same arithmetic."""
    Zr, Zt, q, C, T, U, wp, WS, tau, check_hits = fast
    trials, M, n = Zr.shape
    has_star = WS is not None
    ws = WS if has_star else np.zeros((trials, n), dtype=bool)
    clip = cfg.clip
    options = _kernel.Options(
        tau=int(tau),
        eta=float(cfg.eta),
        clip=float(clip) if clip is not None else 0.0,
        use_clip=clip is not None,
        steps=int(cfg.steps),
        m=float(M),  # k = 1 in the fast mode: M = m
        has_star=has_star,
        check_hits=bool(check_hits),
    )
    # The kernel's layout: rows premultiplied by their weight (the products it would form),
    # doubled integer columns and an all-zero one, margins padded to whole blocks of rows that
    # never qualify (their margin is the largest int32 and their columns are zero).
    Mp = -(-M // _kernel.ROW_BLOCK) * _kernel.ROW_BLOCK
    Zt2 = np.zeros((trials, n + 1, Mp), dtype=np.int32)
    np.multiply(Zt.reshape(trials, n, M), 2, out=Zt2[:, :n, :M])
    Tp = np.full((trials, Mp), np.iinfo(np.int32).max, dtype=np.int32)
    Tp[:, :M] = T
    state = _kernel.start_state(
        Tp,
        U,
        wp,
        ws,
        hit=out.hit[lo : lo + trials],  # views: the kernel writes the records in place
        fixed=out.fixed_point[lo : lo + trials],
        width=M,
    )
    data = _kernel.Data(P=Zr * C.reshape(trials, M, 1), Zt2=Zt2, q=np.ascontiguousarray(q))
    _kernel.run_to_end(_kernel.fast_trials, data, state, options, fresh)
    out.u[lo : lo + trials] = U
    return out


def run_incremental(group: Group, cfg: Config, out: Records) -> Records:
    """The incremental path on the trials of ``group``.

    Every array keeps the group's trials in order; a trial that reached a fixed point is frozen
    (its rows produce no work in the sparse products), not moved.
    """
    Z, y, u0, w_star, lo = group
    a, eta, steps, thr, clip = cfg.a, cfg.eta, cfg.steps, cfg.thr, cfg.clip
    trials, m, k, n = Z.shape
    M = m * k
    record = out.loss is not None
    Zr = np.ascontiguousarray(Z).reshape(trials, M, n)  # rows Zᵢ (the caller's array)
    Zflat = Zr.reshape(trials * M, n)
    a0 = float(a[0])
    # Fast mode (k = 1, identity STE, labels ±a₀: noiseless or flipped): Gᵢ ≠ 0 exactly on the
    # misclassified samples, Gᵢ = a₀ (−2 yᵢ) there; track margins qᵢ sᵢ with qᵢ = yᵢ / a₀ = ±1.
    fast = fast_mode(y, a, k, thr)
    scale = 2.0 ** _exponents(Zr, n)
    q = y / a0 if fast else None
    # Integer columns Zt[b, j, i] = qᵢ round(Z[b, i, j] 2^p_b); sums of ±Zt are exact in int32.
    Zt = np.empty((trials, n, M), dtype=np.int32)
    for b in range(trials):
        Zt[b] = np.rint(Zr[b].T * scale[b] * (1.0 if q is None else q[b]))
    Zt = Zt.reshape(trials * n, M)
    tau = n  # |T| > tau  ⇒  sign(T) = sign of every float64 evaluation of Z w
    thr_q = None if thr is None else (thr * scale)[:, None]

    U = u0.copy()
    WS = None if w_star is None else w_star > 0
    wp = np.greater_equal(U, 0.0)
    wn = np.empty_like(wp)
    fl = np.empty_like(wp)
    alive = np.ones(trials, dtype=bool)
    gid = np.arange(lo, lo + trials)
    g = np.zeros((trials, n))
    boundsM = np.arange(trials + 1) * M
    boundsN = np.arange(trials + 1) * n
    two, mtwo = np.int32(2), np.int32(-2)
    C = (a0 * (-2.0 * y)).ravel() if fast else None  # Gᵢ of a misclassified sample

    def fresh(b):
        """The dense path's float64 pre-activations of trial ``b`` (one BLAS product)."""
        return np.dot(Zr[b], np.where(wp[b], 1.0, -1.0))

    T = np.empty((trials, M), dtype=np.int32)  # exactly Σⱼ wⱼ Zt[b, j, i]
    for b in range(trials):
        T[b] = np.where(wp[b], 1, -1).astype(np.int32) @ Zt[b * n : (b + 1) * n]
    cand = np.empty((trials, M), dtype=bool)

    # With noiseless labels of w* itself, wₜ = w* forces ĝ = 0: hits are then found at the fixed
    # point and the per-step distance is not needed (unless recorded).
    check_hits = WS is not None
    if fast and WS is not None and not record:
        at_star = [
            np.where(np.dot(Zr[b], np.where(WS[b], 1.0, -1.0)) >= 0, a0, -a0) for b in range(trials)
        ]
        check_hits = not np.array_equal(np.array(at_star), y)

    compiled = not record and cfg.stats is None and _kernel.AVAILABLE and cfg.use_kernel
    if compiled and fast:
        state = _Fast(Zr, Zt, q, C, T, U, wp, WS, tau, check_hits)
        return _run_fast_compiled(state, cfg, out, lo, fresh)
    if compiled and (c := general_kernel_layer(a, k, thr)) is not None:
        return run_general_compiled(Zr, Zt, T, U, wp, WS, y, c, tau, cfg, out, lo, fresh)

    for t in range(steps + 1):
        if fast:
            # Candidates T < τ: misclassified (T ≤ −τ, certified) or undecided (|T| ≤ τ... < τ).
            np.less(T, tau, out=cand)
            nz = cand.ravel().nonzero()[0]
            tv = T.ravel()[nz]
            if tv.size and tv.max() > -tau:
                undecided = tv > -tau
                mis = ~undecided
                for b in np.unique(nz[undecided] // M):
                    i0, i1 = nz.searchsorted(boundsM[b : b + 2])
                    sel = np.flatnonzero(undecided[i0:i1]) + i0
                    rows = nz[sel] - b * M
                    mis[sel] = (fresh(b)[rows] >= 0) != (q[b, rows] > 0)
                nz = nz[mis]
            data = C[nz]
            r = None
            if record:
                r = np.zeros((trials, m))
                r.ravel()[nz] = -2.0 * y.ravel()[nz]
        else:
            absT = np.abs(T)
            band = absT <= tau
            keep_mu = None
            if thr_q is not None:
                band |= np.abs(absT - thr_q) <= tau
                keep_mu = absT <= thr_q
            band[~alive] = False
            pos = T >= 0
            if band.any():
                for b in np.flatnonzero(band.any(axis=1)):
                    s_b = fresh(b)
                    pos[b] = np.where(band[b], s_b >= 0, pos[b])
                    if keep_mu is not None:
                        keep_mu[b] = np.where(band[b], np.abs(s_b) <= thr, keep_mu[b])
            r = residual(pos, y, a, m, k)
            G = weights(r, a, m, k, keep_mu)
            if not alive.all():
                G[~alive] = 0.0
            nz = G.ravel().nonzero()[0]
            data = G.ravel()[nz]
        if record or check_hits:
            if alive.all():
                out.step(gid, t, r, wp, WS)
            else:
                ws_alive = None if WS is None else WS[alive]
                out.step(gid[alive], t, r[alive] if record else None, wp[alive], ws_alive)
        if t == steps:
            if WS is not None and not check_hits:
                out.step(gid[alive], t, None, wp[alive], WS[alive])
            out.finish(gid[alive], t, U[alive])
            break
        # ĝ from the rows with Gᵢ ≠ 0 only, summed in row order per trial.
        row_sum(g, nz.searchsorted(boundsM), nz, data, Zflat, m)
        if not g.all():
            done = alive & ~g.any(axis=1)
            if done.any():
                if not check_hits and WS is not None:  # hits happen at fixed points only
                    out.step(gid[done], t, None, wp[done], WS[done])
                out.finish(gid[done], t, U[done])
                alive &= ~done
                if fast:
                    T[done] = _INT32_MAX  # never a candidate again
                if not alive.any():
                    break
        if eta != 1.0:
            np.multiply(g, eta, out=g)
        np.subtract(U, g, out=U)  # frozen trials have g = 0: U unchanged
        if clip is not None:
            np.clip(U, -clip, clip, out=U)
        # T from the flipped coordinates only: T += 2 w_new,j Zt[j].
        np.greater_equal(U, 0.0, out=wn)
        np.not_equal(wn, wp, out=fl)
        F = fl.ravel().nonzero()[0]
        if cfg.stats is not None:
            cfg.stats.append((int(alive.sum()), F.size, nz.size))
        if F.size:
            accumulate(T, F.searchsorted(boundsN), F, np.where(wn.ravel()[F], two, mtwo), Zt)
        wp, wn = wn, wp
    return out
