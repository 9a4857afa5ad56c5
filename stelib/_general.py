"""Private: the engine's side of the compiled general mode (:mod:`stelib._kernel_general`).

:func:`general_kernel_layer` decides whether the compiled loop applies (its arithmetic is the
numpy general mode's bit for bit only when ``f(Zᵢ; w)`` can be formed from a count), and
:func:`run_general_compiled` hands a group of trials of :func:`stelib._engine.run_incremental`
to it, with ``cfg`` an :class:`stelib._engine.Config` and ``out`` its ``Records``.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from . import _kernel, _kernel_general


def general_kernel_layer(a, k, thr):
    """The common entry ``c`` of ``a = c·𝟙`` if the compiled general mode applies, else ``None``.

    It applies with the identity STE when every multiple ``j·c``, ``|j| ≤ k``, is exact in
    float64 (``a = 𝟙/k`` for k = 1, 2, 4, 8, …, not k = 3): then every partial sum of
    ``aᵀ sign(Zᵢ w)`` is exact, so ``f(Zᵢ; w) = (2 pᵢ − k) c`` bitwise, in any summation order.
    """
    if thr is not None or not np.all(a == a[0]):
        return None
    c = float(a[0])
    if not np.isfinite(c):
        return None
    exact = all(Fraction(j * c) == j * Fraction(c) for j in range(1, k + 1))
    return c if exact else None


def run_general_compiled(Zr, Zt, T, U, wp, WS, y, c, tau, cfg, out, lo, fresh):
    """The general mode's steps in compiled code (:mod:`stelib._kernel_general`), the numpy
    implementation's arithmetic (``a = c·𝟙``, see :func:`general_kernel_layer`)."""
    trials, M, n = Zr.shape
    k = M // y.shape[1]
    has_star = WS is not None
    ws = WS if has_star else np.zeros((trials, n), dtype=bool)
    clip = cfg.clip
    options = _kernel_general.GeneralOptions(
        k=int(k),
        c=float(c),
        tau=int(tau),
        eta=float(cfg.eta),
        clip=float(clip) if clip is not None else 0.0,
        use_clip=clip is not None,
        steps=int(cfg.steps),
        m=float(y.shape[1]),
        has_star=has_star,
        check_hits=has_star,
    )
    Zt2 = np.zeros((trials, n + 1, M), dtype=np.int32)  # doubled columns, an all-zero one last
    np.multiply(Zt.reshape(trials, n, M), 2, out=Zt2[:, :n])
    state = _kernel.start_state(
        T,
        U,
        wp,
        ws,
        hit=out.hit[lo : lo + trials],  # views: the kernel writes the records in place
        fixed=out.fixed_point[lo : lo + trials],
        width=M,
    )
    data = _kernel_general.GeneralData(Z=Zr, Zt2=Zt2, y=np.ascontiguousarray(y, dtype=np.float64))
    _kernel.run_to_end(_kernel_general.general_trials, data, state, options, fresh)
    out.u[lo : lo + trials] = U
    return out
