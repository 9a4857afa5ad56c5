"""Private: the compiled step loop of the engine's incremental path (optional, needs numba).

:func:`fast_trials` runs the incremental path's *fast mode* (``k = 1``, identity STE, labels
``±a₀``: noiseless or flipped; see :mod:`stelib._engine`) one trial at a time, every step in
compiled code. It makes exactly the numpy implementation's arithmetic, in the same order:

* the candidates ``Tᵢ < τ`` of the integer margins ``T``; a certified one (``Tᵢ ≤ −τ``) is a
  misclassified sample, an undecided one (``|Tᵢ| < τ``) is decided by the float64 pre-activation
  of a fresh BLAS product, which the caller computes (the kernel returns to ask for it);
* ``ĝ = (1/m) Σᵢ Cᵢ Zᵢ`` over the misclassified rows in row order, one product and one sum per
  entry (no fused multiply–add: numba does not contract without ``fastmath``), then ``/ m``,
  ``· η`` if ``η ≠ 1``, ``u ← u − ĝ`` and the clip, as numpy does them;
* ``T ← T ± 2 Zt[j]`` for every flipped coordinate ``j``, exactly, in int32.

So the iterates are bitwise those of the numpy paths (``tests/test_engine.py`` checks it). Per
trial and step the work is about ``#misclassified · n + #flips · m`` multiply–adds on data that
stays in cache, with no Python in between: that is where the engine's speed comes from
(``benchmarks/``).
"""

from __future__ import annotations

import numpy as np

try:
    import numba
except ImportError:  # the numpy implementation runs instead (same results)
    numba = None

#: Whether the compiled loop is available (``numba`` importable).
AVAILABLE = numba is not None


def _fast_trials(
    Zr, Zt, q, C, T, U, wp, ws, dist, tnext, alive, hit, fixed, fresh, fresh_t, options
):
    """Advance every alive trial to its end; return a trial needing a fresh product, or -1.

    Arrays are per trial ``b`` (first axis): ``Zr`` the rows ``Zᵢ`` (float64, ``(M, n)``),
    ``Zt`` the integer columns ``qᵢ round(Zᵢⱼ 2ᵖ)`` (int32, ``(n, M)``), ``q`` the labels' signs,
    ``C`` the weight ``Gᵢ`` of a misclassified sample, ``T`` the integer margins, ``U`` and ``wp``
    the latent and binary iterates, ``ws``/``dist`` the teacher and the Hamming distance to it.
    ``options = (tau, eta, clip, use_clip, steps, m, has_star, check_hits)``, ``tau`` an integer.

    The state (``T``, ``U``, ``wp``, ``dist``, ``tnext``, ``alive``, ``hit``, ``fixed``) is
    updated in place, so a call that returned ``b ≥ 0`` is resumed by calling again once
    ``fresh[b]`` holds trial ``b``'s float64 pre-activations at step ``tnext[b]`` and
    ``fresh_t[b] == tnext[b]``.
    """
    tau, eta, clip, use_clip, steps, m, has_star, check_hits = options
    trials, M, n = Zr.shape
    g = np.empty(n)
    mis = np.empty(M, dtype=np.int64)
    flips = np.empty(n, dtype=np.int64)
    for b in range(trials):
        if not alive[b]:
            continue
        Zb, Ztb, Tb, Ub, wb, qb, Cb = Zr[b], Zt[b], T[b], U[b], wp[b], q[b], C[b]
        t = tnext[b]
        while True:
            # Candidates Tᵢ < τ, collected without branches; the undecided ones (|Tᵢ| < τ) are
            # rare and handled apart.
            cnt = 0
            undecided = False
            for i in range(M):
                Ti = Tb[i]
                mis[cnt] = i
                cnt += Ti < tau
                undecided |= (Ti < tau) & (Ti > -tau)
            if undecided:
                if fresh_t[b] != t:
                    tnext[b] = t
                    return b
                keep = 0
                for c in range(cnt):
                    i = mis[c]
                    if Tb[i] > -tau and (fresh[b, i] >= 0.0) == (qb[i] > 0.0):
                        continue  # undecided and correctly classified after all
                    mis[keep] = i
                    keep += 1
                cnt = keep
            if check_hits and dist[b] == 0 and hit[b] < 0:
                hit[b] = t
            if t == steps:
                if has_star and dist[b] == 0 and hit[b] < 0:
                    hit[b] = t
                alive[b] = False
                tnext[b] = t
                break
            g[:] = 0.0
            for c in range(cnt):
                i = mis[c]
                ci = Cb[i]
                row = Zb[i]
                for j in range(n):
                    g[j] += ci * row[j]
            moving = False
            for j in range(n):
                g[j] = g[j] / m
                moving |= g[j] != 0.0
            if not moving:  # a fixed point
                if has_star and dist[b] == 0 and hit[b] < 0:
                    hit[b] = t
                fixed[b] = t
                alive[b] = False
                tnext[b] = t
                break
            nflip = 0
            for j in range(n):
                gj = g[j] * eta if eta != 1.0 else g[j]
                uj = Ub[j] - gj
                if use_clip:
                    uj = min(max(uj, -clip), clip)
                Ub[j] = uj
                flips[nflip] = j
                nflip += (uj >= 0.0) != wb[j]
            for c in range(nflip):
                j = flips[c]
                up = not wb[j]
                wb[j] = up
                col = Ztb[j]
                if up:
                    for i in range(M):
                        Tb[i] += col[i]
                        Tb[i] += col[i]
                else:
                    for i in range(M):
                        Tb[i] -= col[i]
                        Tb[i] -= col[i]
                if has_star:
                    dist[b] += -1 if up == ws[b, j] else 1
            t += 1
    return -1


fast_trials = numba.njit(cache=True, nogil=True)(_fast_trials) if AVAILABLE else None
