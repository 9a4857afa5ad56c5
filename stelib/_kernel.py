"""Private: the compiled step loop of the engine's incremental path (optional, needs numba).

:func:`fast_trials` runs the incremental path's *fast mode* (``k = 1``, identity STE, labels
``±a₀``: noiseless or flipped; see :mod:`stelib._engine`) one trial at a time, every step in
compiled code. It makes exactly the numpy implementation's arithmetic, in the same order:

* the candidates ``Tᵢ < τ`` of the integer margins ``T``; a certified one (``Tᵢ ≤ −τ``) is a
  misclassified sample, an undecided one (``|Tᵢ| < τ``) is decided by the float64 pre-activation
  of a fresh BLAS product, which the caller computes (the kernel returns to ask for it);
* ``ĝ = (1/m) Σᵢ Cᵢ Zᵢ`` over the misclassified rows in row order: the caller passes the rows
  already multiplied, ``Pᵢ = Cᵢ Zᵢ`` (numpy's products, so the same numbers), and every
  coordinate is summed in the same order, ``(((0 + P_{i₁}) + P_{i₂}) + …)``, eight rows per pass
  held in registers; then ``/ m``, ``· η`` if ``η ≠ 1``, ``u ← u − ĝ`` and the clip, as numpy
  does them (no fused multiply–add: numba does not contract without ``fastmath``);
* ``T ← T ± 2 Zt[j]`` for every flipped coordinate ``j``, exactly, in int32 (the caller passes
  the doubled columns; integer sums do not depend on their order, so eight columns that went up
  and eight that went down are applied per pass).

So the iterates are bitwise those of the numpy paths (``tests/test_engine.py`` checks it). Per
trial and step the work is about ``#misclassified · n + #flips · m`` additions on data that stays
in cache, with no Python in between. The lists of misclassified rows and flipped coordinates are
read off 64-bit masks built by vectorised comparisons, without a branch per entry.
That is where the engine's speed comes from (``benchmarks/``: about 1.5× the previous version of
this loop, which compacted the lists one entry at a time and added one column per pass).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

try:
    import numba
except ImportError:  # the numpy implementation runs instead (same results)
    numba = None

#: Whether the compiled loop is available (``numba`` importable).
AVAILABLE = numba is not None

#: The margins are padded to a multiple of this many rows (padding rows never become candidates);
#: the scan reads one 64-bit mask per block.
ROW_BLOCK = 64


def _jit(f, **options):
    return numba.njit(cache=True, nogil=True, **options)(f) if AVAILABLE else f


def _inline(f):
    """A helper of the kernel, inlined into it (numba IR inlining)."""
    return _jit(f, inline="always")


if AVAILABLE:
    from llvmlite import ir
    from numba.core import cgutils, types
    from numba.extending import intrinsic

    @intrinsic
    def _cttz(typingctx, x):
        """The number of trailing zero bits of a nonzero uint64 (LLVM's ``cttz``)."""

        def codegen(context, builder, signature, args):
            fnty = ir.FunctionType(ir.IntType(64), [ir.IntType(64), ir.IntType(1)])
            fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.cttz.i64")
            return builder.call(fn, [args[0], ir.Constant(ir.IntType(1), 1)])

        return types.int64(types.uint64), codegen

    @intrinsic
    def _ctpop(typingctx, x):
        """The number of set bits of a uint64 (LLVM's ``ctpop``)."""

        def codegen(context, builder, signature, args):
            fnty = ir.FunctionType(ir.IntType(64), [ir.IntType(64)])
            fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.ctpop.i64")
            return builder.call(fn, [args[0]])

        return types.int64(types.uint64), codegen


@_inline
def _bits(flags, j0, count):
    """The flags ``flags[j0 : j0 + count]`` (``count ≤ 64``) as the bits of a uint64."""
    word = np.uint64(0)
    for k in range(count):
        word |= np.uint64(flags[j0 + k]) << np.uint64(k)
    return word


@_inline
def _append_bits(word, base, out, cnt):
    """Append ``base + k`` for every set bit ``k`` of ``word``, lowest first, to ``out[cnt:]``;
    return the new count."""
    while word:
        out[cnt] = base + _cttz(word)
        cnt += 1
        word &= word - np.uint64(1)
    return cnt


@_inline
def _candidates(Tb, tau, out):
    """Write the rows ``i`` with ``Tb[i] < tau``, ascending, to ``out``; return their number.

    Sixty-four rows at a time: the comparisons make a bit mask without branches (the compiler
    vectorises it), then the set bits are read off lowest first. ``len(Tb)`` is a multiple of
    :data:`ROW_BLOCK`.
    """
    cnt = 0
    for i0 in range(0, Tb.shape[0], ROW_BLOCK):
        word = np.uint64(0)
        for k in range(ROW_BLOCK):  # 64: one bit per row
            word |= np.uint64(Tb[i0 + k] < tau) << np.uint64(k)
        cnt = _append_bits(word, i0, out, cnt)
    return cnt


@_inline
def _sum_rows(g, Pb, rows, cnt):
    """``g ← Σ_c Pb[rows[c]]``, every coordinate summed left to right in the order of ``rows``.

    Eight (then four, then one) rows per pass over ``g``: the partial sum stays in a register,
    the order of the additions is that of one row at a time.
    """
    n = g.shape[0]
    g[:] = 0.0
    c = 0
    while c + 8 <= cnt:
        r0, r1, r2, r3 = Pb[rows[c]], Pb[rows[c + 1]], Pb[rows[c + 2]], Pb[rows[c + 3]]
        r4, r5, r6, r7 = Pb[rows[c + 4]], Pb[rows[c + 5]], Pb[rows[c + 6]], Pb[rows[c + 7]]
        for j in range(n):
            s = g[j] + r0[j]
            s = s + r1[j]
            s = s + r2[j]
            s = s + r3[j]
            s = s + r4[j]
            s = s + r5[j]
            s = s + r6[j]
            g[j] = s + r7[j]
        c += 8
    while c + 4 <= cnt:
        r0, r1, r2, r3 = Pb[rows[c]], Pb[rows[c + 1]], Pb[rows[c + 2]], Pb[rows[c + 3]]
        for j in range(n):
            s = g[j] + r0[j]
            s = s + r1[j]
            s = s + r2[j]
            g[j] = s + r3[j]
        c += 4
    while c < cnt:
        r0 = Pb[rows[c]]
        for j in range(n):
            g[j] += r0[j]
        c += 1


@_inline
def _flip_margins(Tb, Ztb, ups, nup, downs, ndown):
    """``Tb ← Tb + Σ Ztb[ups] − Σ Ztb[downs]``, exactly in int32.

    Eight columns of each list per pass over ``Tb``; the shorter list is padded with the index of
    the all-zero last row of ``Ztb`` (both lists have room for 8 more entries). Integer sums do not
    depend on their order.
    """
    M = Tb.shape[0]
    zero = Ztb.shape[0] - 1
    blocks = max(nup + 7, ndown + 7) // 8
    for c in range(nup, 8 * blocks):
        ups[c] = zero
    for c in range(ndown, 8 * blocks):
        downs[c] = zero
    for c in range(0, 8 * blocks, 8):
        u0, u1, u2, u3 = Ztb[ups[c]], Ztb[ups[c + 1]], Ztb[ups[c + 2]], Ztb[ups[c + 3]]
        u4, u5, u6, u7 = Ztb[ups[c + 4]], Ztb[ups[c + 5]], Ztb[ups[c + 6]], Ztb[ups[c + 7]]
        d0, d1, d2, d3 = Ztb[downs[c]], Ztb[downs[c + 1]], Ztb[downs[c + 2]], Ztb[downs[c + 3]]
        d4, d5, d6, d7 = Ztb[downs[c + 4]], Ztb[downs[c + 5]], Ztb[downs[c + 6]], Ztb[downs[c + 7]]
        for i in range(M):
            up = ((u0[i] + u1[i]) + (u2[i] + u3[i])) + ((u4[i] + u5[i]) + (u6[i] + u7[i]))
            down = ((d0[i] + d1[i]) + (d2[i] + d3[i])) + ((d4[i] + d5[i]) + (d6[i] + d7[i]))
            Tb[i] += up - down


@_inline
def _flip_scratch(n):
    """Scratch space of :func:`_pack_signs` and :func:`_apply_flips` for ``n`` coordinates:
    ``ups``, ``downs``, ``newf``, ``wbits``, ``sbits``."""
    nw = (n + 63) // 64
    return (
        np.empty(n + 8, dtype=np.int64),
        np.empty(n + 8, dtype=np.int64),
        np.empty(n, dtype=np.bool_),
        np.empty(nw, dtype=np.uint64),
        np.empty(nw, dtype=np.uint64),
    )


@_inline
def _end_trial(b, t, has_star, dist, hit, alive, tnext):
    """Trial ``b`` ends at step ``t`` (its budget spent, or a fixed point): record a hit of the
    teacher if it stands there now, and stop it."""
    if has_star and dist[b] == 0 and hit[b] < 0:
        hit[b] = t
    alive[b] = False
    tnext[b] = t


@_inline
def _pack_signs(wb, wsb, wbits, sbits):
    """The signs ``wb`` and the teacher's ``wsb`` as bit masks of 64 coordinates."""
    n = wb.shape[0]
    for w in range(wbits.shape[0]):
        j0 = 64 * w
        wbits[w] = _bits(wb, j0, min(64, n - j0))
        sbits[w] = _bits(wsb, j0, min(64, n - j0))


@_inline
def _apply_flips(newf, wb, wbits, sbits, has_star, ups, downs, Tb, Ztb):
    """Take the new signs ``newf`` of one trial: list the coordinates whose sign went up and
    down from the bit masks (old signs in ``wbits``, the teacher's in ``sbits``; see
    :func:`_pack_signs`), set them in ``wb`` and ``wbits``, update the margins ``Tb``
    (:func:`_flip_margins`); return the change of the Hamming distance to the teacher (0 without
    one). ``ups`` and ``downs`` are scratch lists of ``n + 8`` entries."""
    n = wb.shape[0]
    nup = 0
    ndown = 0
    delta = 0
    for w in range(wbits.shape[0]):
        j0 = 64 * w
        new = _bits(newf, j0, min(64, n - j0))
        old = wbits[w]
        wbits[w] = new
        changed = new ^ old
        if has_star:
            away = changed & (new ^ sbits[w])
            delta += 2 * _ctpop(away) - _ctpop(changed)
        nup = _append_bits(changed & new, j0, ups, nup)
        ndown = _append_bits(changed & old, j0, downs, ndown)
    for c in range(nup):
        wb[ups[c]] = True
    for c in range(ndown):
        wb[downs[c]] = False
    _flip_margins(Tb, Ztb, ups, nup, downs, ndown)
    return delta


class Options(NamedTuple):
    """The run's constants: integer certificate ``tau``, step ``eta``, box ``clip`` (used iff
    ``use_clip``), budget ``steps``, sample size ``m`` (a float), whether a teacher is given
    (``has_star``) and whether hits must be checked every step (``check_hits``)."""

    tau: int
    eta: float
    clip: float
    use_clip: bool
    steps: int
    m: float
    has_star: bool
    check_hits: bool


class Data(NamedTuple):
    """The read-only inputs: rows ``P``, doubled integer columns ``Zt2``, labels' signs ``q``."""

    P: np.ndarray
    Zt2: np.ndarray
    q: np.ndarray


class State(NamedTuple):
    """The per-trial state the kernel updates in place (see :func:`fast_trials`)."""

    T: np.ndarray
    U: np.ndarray
    wp: np.ndarray
    ws: np.ndarray
    dist: np.ndarray
    tnext: np.ndarray
    alive: np.ndarray
    hit: np.ndarray
    fixed: np.ndarray
    fresh: np.ndarray
    fresh_t: np.ndarray


def _fast_trials(data, state, options):
    """Advance every alive trial to its end; return a trial needing a fresh product, or -1.

    Arrays are per trial ``b`` (first axis): ``P`` the rows ``Cᵢ Zᵢ`` (float64, ``(m, n)``),
    ``Zt2`` the doubled integer columns ``2 qᵢ round(Zᵢⱼ 2ᵖ)`` and one all-zero column last
    (int32, ``(n + 1, M)``, ``M ≥ m`` a multiple of :data:`ROW_BLOCK`, zero beyond row ``m``),
    ``T`` the integer margins (``(M,)``, padding rows far above ``τ``), ``q`` the labels' signs,
    ``U`` and ``wp`` the latent and binary iterates, ``ws``/``dist`` the teacher and the Hamming
    distance to it.
    ``data`` is a :class:`Data`, ``state`` a :class:`State`, ``options`` an :class:`Options`.

    The state (``T``, ``U``, ``wp``, ``dist``, ``tnext``, ``alive``, ``hit``, ``fixed``) is
    updated in place, so a call that returned ``b ≥ 0`` is resumed by calling again once
    ``fresh[b]`` holds trial ``b``'s float64 pre-activations at step ``tnext[b]`` and
    ``fresh_t[b] == tnext[b]``.
    """
    P, Zt2, q = data
    T, U, wp, ws, dist, tnext, alive, hit, fixed, fresh, fresh_t = state
    tau, eta, clip, use_clip, steps, m, has_star, check_hits = options
    trials, M = T.shape
    n = P.shape[2]
    g = np.empty(n)
    mis = np.empty(M, dtype=np.int64)
    ups, downs, newf, wbits, sbits = _flip_scratch(n)
    for b in range(trials):
        if not alive[b]:
            continue
        Pb, Ztb, Tb, Ub, wb = P[b], Zt2[b], T[b], U[b], wp[b]
        _pack_signs(wb, ws[b], wbits, sbits)
        t = tnext[b]
        while True:
            cnt = _candidates(Tb, tau, mis)
            undecided = False  # a candidate with |Tᵢ| < τ (rare): handled apart
            for c in range(cnt):
                undecided |= Tb[mis[c]] > -tau
            if undecided:
                if fresh_t[b] != t:
                    tnext[b] = t
                    return b
                keep = 0
                for c in range(cnt):
                    i = mis[c]
                    if Tb[i] > -tau and (fresh[b, i] >= 0.0) == (q[b, i] > 0.0):
                        continue  # undecided and correctly classified after all
                    mis[keep] = i
                    keep += 1
                cnt = keep
            if check_hits and dist[b] == 0 and hit[b] < 0:
                hit[b] = t
            if t == steps:
                _end_trial(b, t, has_star, dist, hit, alive, tnext)
                break
            _sum_rows(g, Pb, mis, cnt)
            # u ← u − η ĝ with ĝ = g / m, and the new signs. At a fixed point (ĝ = 0 exactly, so
            # every ĝⱼ is +0.0: the sums start at +0.0) this leaves u bitwise unchanged.
            moving = False
            # (numpy skips ``· η`` when η = 1; multiplying by 1.0 is exact, so the bits agree.)
            for j in range(n):
                gj = g[j] / m
                moving |= gj != 0.0
                uj = Ub[j] - gj * eta
                Ub[j] = uj
                newf[j] = uj >= 0.0
            if not moving:  # a fixed point
                fixed[b] = t
                _end_trial(b, t, has_star, dist, hit, alive, tnext)
                break
            if use_clip:  # the clip keeps every sign
                for j in range(n):
                    Ub[j] = min(max(Ub[j], -clip), clip)
            dist[b] += _apply_flips(newf, wb, wbits, sbits, has_star, ups, downs, Tb, Ztb)
            t += 1
    return -1


fast_trials = _jit(_fast_trials)


def start_state(T, U, wp, ws, *, hit, fixed, width) -> State:
    """The kernels' :class:`State` at step 0 for ``trials = len(U)`` trials: distances from
    ``wp`` and ``ws``, every trial alive, no fresh product yet (``fresh`` has ``width``
    columns); ``hit`` and ``fixed`` are views the kernel writes the records into."""
    trials = U.shape[0]
    return State(
        T=T,
        U=U,
        wp=wp,
        ws=ws,
        dist=np.count_nonzero(wp != ws, axis=1).astype(np.int64),
        tnext=np.zeros(trials, dtype=np.int64),
        alive=np.ones(trials, dtype=bool),
        hit=hit,
        fixed=fixed,
        fresh=np.zeros((trials, width)),
        fresh_t=np.full(trials, -1, dtype=np.int64),
    )


def run_to_end(kernel, data, state: State, options, fresh) -> None:
    """Call ``kernel`` until every trial ended; when it returns a trial ``b`` whose signs are too
    close to call in integers, give it ``fresh(b)``, the dense path's float64 pre-activations at
    step ``tnext[b]``, and resume."""
    while (b := kernel(data, state, options)) >= 0:
        state.fresh[b] = fresh(b)
        state.fresh_t[b] = state.tnext[b]
