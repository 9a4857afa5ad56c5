"""Private: the compiled step loop of the engine's incremental path in its *general mode*.

:func:`general_trials` is :func:`stelib._kernel.fast_trials` for any labels (noiseless, flipped
or with additive noise) and any ``k`` whose second layer is ``a = c·𝟙`` with every multiple
``j·c``, ``|j| ≤ k``, exact in float64 (:func:`stelib._general.general_kernel_layer`). It shares
the fast loop's helpers (sign masks, flip lists, margin updates) and its :class:`State`, and
makes the numpy general mode's arithmetic in the same order, so the results are bitwise equal
(``tests/test_engine_general.py``; speed: ``benchmarks/bench_general.py``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._kernel import _apply_flips, _end_trial, _flip_scratch, _inline, _jit, _pack_signs

# The general mode: any labels (noiseless, flipped or with additive noise) and any k whose second
# layer is a = c·𝟙 with every multiple j·c, |j| ≤ k, exact in float64 (the engine checks it; e.g.
# a = 𝟙/k for k = 1, 2, 4, 8), identity STE. Then f(Zᵢ; w) = (2 pᵢ − k) c exactly, with pᵢ the
# number of nonnegative pre-activations of sample i, whatever order numpy sums aᵀ sign(Zᵢ w) in,
# and every row of sample i has the weight Gᵢ = c · (fᵢ − yᵢ).


@_inline
def _sum_weighted_rows(g, Zb, rows, wts, cnt):
    """``g ← Σ_c wts[c] · Zb[rows[c]]``: every coordinate summed left to right in the order of
    ``rows``, each product rounded before it is added (SciPy's CSR kernel, ``y += a·x``).

    Eight (then four, then one) rows per pass over ``g``, the partial sum in a register.
    """
    n = g.shape[0]
    g[:] = 0.0
    c = 0
    while c + 8 <= cnt:
        r0, r1, r2, r3 = Zb[rows[c]], Zb[rows[c + 1]], Zb[rows[c + 2]], Zb[rows[c + 3]]
        r4, r5, r6, r7 = Zb[rows[c + 4]], Zb[rows[c + 5]], Zb[rows[c + 6]], Zb[rows[c + 7]]
        a0, a1, a2, a3 = wts[c], wts[c + 1], wts[c + 2], wts[c + 3]
        a4, a5, a6, a7 = wts[c + 4], wts[c + 5], wts[c + 6], wts[c + 7]
        for j in range(n):
            s = g[j] + a0 * r0[j]
            s = s + a1 * r1[j]
            s = s + a2 * r2[j]
            s = s + a3 * r3[j]
            s = s + a4 * r4[j]
            s = s + a5 * r5[j]
            s = s + a6 * r6[j]
            g[j] = s + a7 * r7[j]
        c += 8
    while c + 4 <= cnt:
        r0, r1, r2, r3 = Zb[rows[c]], Zb[rows[c + 1]], Zb[rows[c + 2]], Zb[rows[c + 3]]
        a0, a1, a2, a3 = wts[c], wts[c + 1], wts[c + 2], wts[c + 3]
        for j in range(n):
            s = g[j] + a0 * r0[j]
            s = s + a1 * r1[j]
            s = s + a2 * r2[j]
            g[j] = s + a3 * r3[j]
        c += 4
    while c < cnt:
        r0 = Zb[rows[c]]
        a0 = wts[c]
        for j in range(n):
            g[j] += a0 * r0[j]
        c += 1


class GeneralOptions(NamedTuple):
    """The general mode's constants: patches ``k``, the second layer's common entry ``c``,
    integer certificate ``tau``, step ``eta``, box ``clip`` (used iff ``use_clip``), budget
    ``steps``, sample size ``m`` (a float), ``has_star`` and ``check_hits``."""

    k: int
    c: float
    tau: int
    eta: float
    clip: float
    use_clip: bool
    steps: int
    m: float
    has_star: bool
    check_hits: bool


class GeneralData(NamedTuple):
    """The read-only inputs: rows ``Z`` (float64, ``(M, n)`` per trial, ``M = m k``), doubled
    integer columns ``Zt2`` (``(n + 1, M)``, the last one zero) and labels ``y`` (``(m,)``)."""

    Z: np.ndarray
    Zt2: np.ndarray
    y: np.ndarray


def _general_trials(data, state, options):
    """The general mode's :func:`fast_trials`: advance every alive trial to its end; return a
    trial needing a fresh product, or -1.

    Per trial and step: the signs of the pre-activations from the integer margins ``T``
    (``|Tᵢ| ≤ τ``: from ``fresh``, the dense path's float64 values, which the caller computes
    when the kernel returns ``b``), ``fᵢ = (2 pᵢ − k) c``, ``rᵢ = fᵢ − yᵢ``, ``Gᵢ = c rᵢ`` on the
    ``k`` rows of sample ``i``; ``ĝ = (1/m) Σ Gᵢ Zᵢ`` over the rows with ``Gᵢ ≠ 0`` in row
    order; then the update, the flips and the margins as in :func:`fast_trials` (same
    :class:`State`; its ``fresh`` has ``M`` columns).
    """
    Z, Zt2, y = data
    T, U, wp, ws, dist, tnext, alive, hit, fixed, fresh, fresh_t = state
    k, c, tau, eta, clip, use_clip, steps, m, has_star, check_hits = options
    trials, M = T.shape
    n = Z.shape[2]
    ms = M // k
    g = np.empty(n)
    rows = np.empty(M, dtype=np.int64)
    wts = np.empty(M)
    ups, downs, newf, wbits, sbits = _flip_scratch(n)
    for b in range(trials):
        if not alive[b]:
            continue
        Zb, Ztb, Tb, Ub, wb, yb = Z[b], Zt2[b], T[b], U[b], wp[b], y[b]
        _pack_signs(wb, ws[b], wbits, sbits)
        t = tnext[b]
        while True:
            if check_hits and dist[b] == 0 and hit[b] < 0:
                hit[b] = t
            if t == steps:
                _end_trial(b, t, has_star, dist, hit, alive, tnext)
                break
            band = False  # a margin |Tᵢ| ≤ τ (rare): its sign from a fresh product
            for i in range(M):
                band |= abs(Tb[i]) <= tau
            if band and fresh_t[b] != t:
                tnext[b] = t
                return b
            cnt = 0
            for i in range(ms):
                p = 0
                for j in range(i * k, i * k + k):
                    if band and abs(Tb[j]) <= tau:
                        p += fresh[b, j] >= 0.0
                    else:
                        p += Tb[j] >= 0
                G = c * ((2 * p - k) * c - yb[i])
                if G != 0.0:
                    for j in range(i * k, i * k + k):
                        rows[cnt] = j
                        wts[cnt] = G
                        cnt += 1
            _sum_weighted_rows(g, Zb, rows, wts, cnt)
            moving = False
            for j in range(n):
                g[j] = g[j] / m
                moving |= g[j] != 0.0
            if not moving:  # a fixed point: ĝ = 0, u unchanged
                fixed[b] = t
                _end_trial(b, t, has_star, dist, hit, alive, tnext)
                break
            # (numpy skips ``· η`` when η = 1; multiplying by 1.0 is exact, so the bits agree.)
            for j in range(n):
                uj = Ub[j] - g[j] * eta
                if use_clip:
                    uj = min(max(uj, -clip), clip)
                Ub[j] = uj
                newf[j] = uj >= 0.0
            dist[b] += _apply_flips(newf, wb, wbits, sbits, has_star, ups, downs, Tb, Ztb)
            t += 1
    return -1


general_trials = _jit(_general_trials)
