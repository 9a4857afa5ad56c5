"""Straight-through estimators, the coarse gradient and the STE-gradient method (SPEC §2).

Taught in chapter "The setup, derived" (``chapters/setup.ipynb``); the engine's speed is the
subject of ``benchmarks/``.

The loss ``L_m(w)`` is piecewise constant, so its true gradient is zero almost everywhere. The
STE replaces ``σ′`` by the derivative ``μ′`` of a surrogate ``μ`` and gives the *coarse gradient*

    ``ĝ(w) = (1/m) Σᵢ Zᵢᵀ (a ⊙ μ′(Zᵢ w)) (f(Zᵢ; w) − yᵢ)``.

The STE-gradient method (BinaryConnect's "lazy projection") keeps latent float weights ``u``,

    ``wₜ = sign(uₜ)``,   ``uₜ₊₁ = uₜ − η ĝ(wₜ)``   (optionally clipped to ``[−C, C]ⁿ``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _engine, _gradient, _variants
from ._types import ArrayLike
from ._validate import (
    check_array,
    check_binary,
    check_float,
    check_int,
    check_memory,
    check_second_layer,
)
from .model import sign

__all__ = [
    "STES",
    "ste_derivative",
    "coarse_gradient",
    "STEResult",
    "ste_gradient_method",
    "ste_gradient_method_reference",
]

#: The available straight-through estimators (surrogate derivatives ``μ′``).
STES = ("identity", "clipped", "approxsign")


def _check_ste(ste, ste_scale):
    if ste not in STES:
        raise ValueError(f"ste == {ste!r}, must be one of {STES}.")
    return check_float(ste_scale, "ste_scale", min_value=0.0, strict_min=True)


def ste_derivative(
    t: ArrayLike, *, n: int, ste: str = "identity", ste_scale: float = 1.0
) -> np.ndarray:
    """The STE ``μ′`` used in place of ``σ′ = 0``, evaluated at pre-activations ``t``.

    Parameters
    ----------
    t : array_like
        Pre-activations ``⟨z, w⟩``.
    n : int
        Dimension; sets the scale of the clipped STE.
    ste : {"identity", "clipped", "approxsign"}
        ``"identity"``: ``μ(t) = t``, ``μ′ ≡ 1`` (the default: the book's choice, not taken from
        the paper). ``"clipped"`` (hard tanh): ``μ(t) = clip(t, −r, r)``, ``μ′(t) = 1{|t| ≤ r}``.
        ``"approxsign"`` (the piecewise quadratic ApproxSign of Bi-Real Net, Liu et al. 2018,
        rescaled to width ``r``): ``μ′(t) = 2 (1 − |t|/r)₊``. Here ``r = ste_scale · √n``.
    ste_scale : float > 0
        The width in units of ``√n``: ``r/√n`` (the book's width is ``r``; not the rate ``c``
        of :func:`stelib.signal`). For binary ``w`` and Gaussian ``z`` the pre-activation
        ``⟨z, w⟩`` is ``N(0, n)``, so the window is measured in units of its standard deviation
        ``√n``; with ``r/√n = 1`` about 68% of pre-activations pass the clipped STE's gradient.

    Returns
    -------
    numpy.ndarray
        ``μ′(t)``, same shape as ``t``.
    """
    ste_scale = _check_ste(ste, ste_scale)
    n = check_int(n, "n", min_value=1)
    t = np.asarray(t, dtype=np.float64)
    if ste == "identity":
        return np.ones_like(t)
    return np.asarray(_gradient.surrogate(t, ste_scale * np.sqrt(n), ste), dtype=np.float64)


def coarse_gradient(
    Z: ArrayLike,
    y: ArrayLike,
    w: ArrayLike,
    *,
    a: ArrayLike | None = None,
    ste: str = "identity",
    ste_scale: float = 1.0,
) -> np.ndarray:
    """The coarse gradient ``ĝ(w) = (1/m) Σᵢ Zᵢᵀ (a ⊙ μ′(Zᵢ w)) (f(Zᵢ; w) − yᵢ)``.

    Eq. :eq:`setup-coarse-gradient` (:prf:ref:`def-setup-coarse-gradient`).

    Parameters
    ----------
    Z : array_like, shape (m, k, n)
        Inputs.
    y : array_like, shape (m,)
        Labels.
    w : array_like, shape (n,)
        Binary weights.
    a : array_like, shape (k,), optional
        Second layer, default ``1/k``.
    ste, ste_scale
        See :func:`ste_derivative`.

    Returns
    -------
    numpy.ndarray, shape (n,)

    See chapter "The setup, derived", where its expectation is derived in closed form
    (:func:`stelib.population_coarse_gradient`).
    """
    Z = check_array(Z, "Z", ndim=3)
    m, k, n = Z.shape
    y = check_array(y, "y", ndim=1)
    if y.shape != (m,):
        raise ValueError(f"y has shape {y.shape}, must be ({m},) to match Z.")
    w = check_binary(w, "w")
    if w.shape != (n,):
        raise ValueError(f"w has shape {w.shape}, must be ({n},) to match Z.")
    a = check_second_layer(a, k)
    thr = _threshold(ste, _check_ste(ste, ste_scale), n)
    return _gradient.coarse_gradients(Z[None], y[None], w[None], a, thr, ste)[0]


def _threshold(ste: str, ste_scale: float, n: int) -> float | None:
    """The surrogate's width ``r = ste_scale·√n`` (``μ′(t) = 1{|t| ≤ r}``), ``None``: identity."""
    return None if ste == "identity" else ste_scale * np.sqrt(n)


class STEResult(NamedTuple):
    """What the STE-gradient method returns; every array has a leading ``trials`` axis.

    Attributes
    ----------
    w : numpy.ndarray, shape (trials, n)
        Final binary weights ``w_T`` (or at the fixed point).
    u : numpy.ndarray, shape (trials, n)
        Final latent weights.
    fixed_point : numpy.ndarray of int, shape (trials,)
        First step ``t`` with ``ĝ(w_t) = 0`` (from then on nothing moves), ``-1`` if none within
        the budget.
    hit : numpy.ndarray of int, shape (trials,)
        First step ``t ≤ steps`` with ``w_t = w*``, ``-1`` if never (or no ``w_star`` given).
    distance : numpy.ndarray of int, shape (trials, steps + 1), or None
        Hamming distance ``d_t`` to ``w*`` for ``t = 0, …, steps`` (``record=True`` and
        ``w_star`` given). After a fixed point the value is repeated.
    loss : numpy.ndarray, shape (trials, steps + 1), or None
        Training loss ``L_m(w_t)`` (``record=True``).
    """

    w: np.ndarray
    u: np.ndarray
    fixed_point: np.ndarray
    hit: np.ndarray
    distance: np.ndarray | None
    loss: np.ndarray | None


class RunInputs(NamedTuple):
    """The validated inputs of a run of the STE-gradient method (:func:`check_run_inputs`)."""

    Z: np.ndarray
    y: np.ndarray
    u0: np.ndarray
    w_star: np.ndarray | None
    a: np.ndarray
    eta: float
    steps: int
    thr: float | None
    clip: float | None


def check_run_inputs(Z, y, u0, w_star, a, eta, steps, ste, ste_scale, clip) -> RunInputs:
    """Validate the inputs of a run (every run of the method, reference, engine and recorded
    paths, takes the same ones); ``thr``: the surrogate's width ``r = ste_scale·√n`` or ``None``."""
    Z = check_array(Z, "Z", ndim=4)
    trials, m, k, n = Z.shape
    if min(m, k, n) < 1:
        raise ValueError(f"Z has shape {Z.shape}, must be (trials, m, k, n) with m, k, n >= 1.")
    y = check_array(y, "y", ndim=2)
    if y.shape != (trials, m):
        raise ValueError(f"y has shape {y.shape}, must be ({trials}, {m}) to match Z.")
    u0 = check_array(u0, "u0", ndim=2)
    if u0.shape != (trials, n):
        raise ValueError(f"u0 has shape {u0.shape}, must be ({trials}, {n}) to match Z.")
    if w_star is not None:
        w_star = check_binary(w_star, "w_star", ndim=(1, 2))
        w_star = np.broadcast_to(w_star, (trials, n)) if w_star.shape[-1] == n else None
        if w_star is None:
            raise ValueError(f"w_star must have length n == {n}.")
    a = check_second_layer(a, k)
    eta = check_float(eta, "eta", min_value=0.0, strict_min=True)
    steps = check_int(steps, "steps", min_value=0)
    thr = _threshold(ste, _check_ste(ste, ste_scale), n)
    if clip is not None:
        clip = check_float(clip, "clip", min_value=0.0, strict_min=True)
    _check_no_overflow(Z, y, u0, a, eta, steps, clip)
    return RunInputs(Z, y, u0, w_star, a, eta, steps, thr, clip)


def _check_no_overflow(Z, y, u0, a, eta, steps, clip) -> None:
    """Refuse an ``eta`` whose iterates could overflow float64 (instead of running on inf).

    ``|ĝ| ≤ max|Z| · Σ|a| · (Σ|a| + max|y|)`` (``μ′ ∈ {0, 1}``, ``|f| ≤ Σ|a|``), so
    ``|uₜ| ≤ max|u₀| + t · eta · max|ĝ|`` (one step with ``clip``)."""
    if Z.size == 0:
        return
    a_sum = float(np.sum(np.abs(a)))
    y_max = max(float(y.max(initial=0.0)), -float(y.min(initial=0.0)))
    g_max = max(float(Z.max()), -float(Z.min())) * a_sum * (a_sum + y_max)
    u_max = max(float(u0.max(initial=0.0)), -float(u0.min(initial=0.0)))
    reach = u_max + (1 if clip is not None else max(steps, 1)) * eta * g_max
    if not reach <= 1e300:
        raise ValueError(
            f"eta == {eta}: with steps == {steps} and these data the latent weights can reach "
            f"{reach:.3g} (max|u0| + steps·eta·max|ĝ|), beyond float64; lower eta (only eta "
            "relative to the scale of u0 matters)."
        )


def ste_gradient_method(
    Z: ArrayLike,
    y: ArrayLike,
    u0: ArrayLike,
    *,
    w_star: ArrayLike | None = None,
    a: ArrayLike | None = None,
    eta: float = 1.0,
    steps: int = 1000,
    ste: str = "identity",
    ste_scale: float = 1.0,
    clip: float | None = None,
    eta_decay: float | None = None,
    weight_decay: float = 0.0,
    minibatch: int | None = None,
    rng=None,
    record: bool = False,
    method: str = "auto",
    dtype=np.float64,
) -> STEResult:
    """Run the STE-gradient method on many independent trials at once.

    Algorithm :prf:ref:`alg-setup-ste`; eq. :eq:`finite-ste`.

    ``wₜ = sign(uₜ)``, ``uₜ₊₁ = clip(uₜ − η ĝ(wₜ), −C, C)`` for ``t = 0, …, steps − 1``. A
    trial that reaches a fixed point (``ĝ(wₜ) = 0``; noiseless, that is zero training loss)
    stops there, and its records are filled with the fixed point's values.

    Parameters
    ----------
    Z : array_like, shape (trials, m, k, n)
        Inputs of each trial.
    y : array_like, shape (trials, m)
        Labels of each trial.
    u0 : array_like, shape (trials, n)
        Initial latent weights.
    w_star : array_like, shape (n,) or (trials, n), optional
        Teacher(s), for the hitting time and the recorded distance.
    a : array_like, shape (k,), optional
        Second layer, default ``1/k``.
    eta : float > 0
        Step size. Only ``eta`` relative to the scale of ``u0`` matters (sign is scale-free).
    steps : int >= 0
        Budget ``T`` of iterations.
    ste, ste_scale
        See :func:`ste_derivative`.
    clip : float > 0, optional
        Box ``[−clip, clip]`` for the latent weights (BinaryConnect's clipping); ``None``
        (default) leaves them unbounded.
    eta_decay : float > 0, optional
        ``t₀`` of the decaying step ``ηₜ = η / (1 + t/t₀)``; ``None`` (default): constant ``η``.
    weight_decay : float >= 0
        ``χ`` in ``uₜ₊₁ = (1 − ηₜ χ) uₜ − ηₜ ĝ``; needs ``η χ < 1``. Default 0.
    minibatch : int, optional
        Batch size ``B ≤ m``: every epoch a permutation of the samples from the trial's stream
        ``rng[i]`` is cut into batches of ``B``, one per step (chapter "STE variants and
        practice"). ``None`` (default): the full batch.
    rng : sequence of numpy.random.Generator, SeedSequence or int, optional
        One stream per trial, required with ``minibatch`` (and only then).
    record : bool
        Record the distance and loss at every step (``O(trials · steps)`` memory).
    method : {"auto", "dense", "incremental"}
        How a step is computed. Every method makes the same decisions (the same ``wₜ``, hence
        the same ``fixed_point``, ``hit``, ``distance`` and ``loss``) as the straightforward loop
        :func:`ste_gradient_method_reference`, whose ``u`` it matches to rounding; in float64 the
        methods' results are bitwise equal. ``"dense"``: recompute ``s = Z wₜ`` with a batched
        BLAS product every step. ``"incremental"``: update ``s`` from the coordinates that
        flipped, ``s ← s + 2 w_{t+1,j} Z[:, j]``, in exact integer arithmetic on a
        power-of-two-scaled rounding of ``Z`` (a sign too close to call is taken from a fresh
        product, so no decision changes). Both form ``ĝ`` from the samples with a nonzero
        weight ``Gᵢ`` only (noiseless, ``k = 1``: the misclassified ones). ``"auto"``
        (default): whichever was faster in ``benchmarks/``: ``"incremental"``, except
        ``"dense"`` if ``steps < 8``, if ``dtype`` is float32, or with the clipped STE for
        ``n < 300``.
    dtype : {numpy.float64, numpy.float32}
        Precision of the dense products (``method="dense"`` only). float32 halves the memory
        traffic but can change a sign decision, hence the trajectory: on both workloads of
        ``benchmarks/`` it did (same hitting times, different iterates), so float64 is the
        default and ``"auto"`` never picks float32.

    Returns
    -------
    STEResult

    Notes
    -----
    The ApproxSign STE and the options ``eta_decay``, ``weight_decay`` and ``minibatch`` run on
    a numpy path of their own (``stelib._variants``, float64; ``method`` does not apply),
    bit for bit the reference loop's; a mini-batch run stops at the first epoch in which no
    batch gradient was nonzero (``fixed_point`` is that epoch's first step).

    Trials are independent: each has its own ``Z``, so a step is one matrix–vector product per
    trial, not one matrix–matrix product with trials as columns (that needs shared data). The
    engine processes trials in cache-sized groups, stops a trial at its fixed point, and
    allocates its work arrays once. A trial's result does not depend on the other trials passed
    with it, nor on ``method`` (float64): the results are bitwise equal.

    See chapter "The setup, derived" for the method and ``benchmarks/`` for its speed.
    """
    Z, y, u0, w_star, a, eta, steps, thr, clip = check_run_inputs(
        Z, y, u0, w_star, a, eta, steps, ste, ste_scale, clip
    )
    method, dtype = _check_method(method, dtype)
    trials, m, k, n = Z.shape
    if record:  # the distance and the loss at every step
        check_memory((trials, steps + 1), "trials × (steps + 1)", itemsize=16)
    opts = _variants.check_options(
        eta_decay, weight_decay, minibatch, rng, trials=trials, m=m, eta=eta
    )
    if ste == "approxsign" or not opts.default:
        if dtype != np.float64:
            raise ValueError("dtype == float32 is not available with these options (float64).")
        u, fp, hit, dist, loss = _variants.run(
            Z, y, u0, w_star, a, eta, steps, thr, ste, clip, opts, record
        )
        return STEResult(w=sign(u), u=u, fixed_point=fp, hit=hit, distance=dist, loss=loss)
    method = _engine.choose(method, steps, dtype, n, thr is not None)
    # The kernel switch and the benchmark's counters are read here, once, and passed in.
    cfg = _engine.Config(a, eta, steps, thr, clip, dtype, _engine.USE_KERNEL, _engine.STATS)
    out = _engine.Records(u0, steps, w_star is not None, record)
    run = _engine.run_dense if method == "dense" else _engine.run_incremental
    # Bytes of data a trial's steps touch: Z (dense: in dtype; incremental: float64 + int32).
    per_trial = m * k * n * (dtype.itemsize if method == "dense" else 12)
    for lo, hi in _engine.groups(trials, per_trial):
        ws = None if w_star is None else w_star[lo:hi]
        run(_engine.Group(Z[lo:hi], y[lo:hi], u0[lo:hi], ws, lo), cfg, out)
    return STEResult(
        w=sign(out.u),
        u=out.u,
        fixed_point=out.fixed_point,
        hit=out.hit,
        distance=out.distance,
        loss=out.loss,
    )


def _check_method(method, dtype):
    """Validate ``method`` and ``dtype``."""
    if method not in _engine.METHODS:
        raise ValueError(f"method == {method!r}, must be one of {_engine.METHODS}.")
    try:
        dtype = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"dtype must be a numpy float dtype, got {dtype!r}.") from exc
    if dtype not in (np.dtype(np.float64), np.dtype(np.float32)):
        raise ValueError(f"dtype == {dtype!r}, must be float64 or float32.")
    if dtype == np.float32 and method == "incremental":
        raise ValueError("dtype == float32 needs method == 'dense' (or 'auto').")
    return method, dtype


def ste_gradient_method_reference(
    Z: ArrayLike,
    y: ArrayLike,
    u0: ArrayLike,
    *,
    w_star: ArrayLike | None = None,
    a: ArrayLike | None = None,
    eta: float = 1.0,
    steps: int = 1000,
    ste: str = "identity",
    ste_scale: float = 1.0,
    clip: float | None = None,
    eta_decay: float | None = None,
    weight_decay: float = 0.0,
    minibatch: int | None = None,
    rng=None,
) -> STEResult:
    """The straightforward one-trial-at-a-time loop: the oracle the engine is tested against.

    Same parameters and result as :func:`ste_gradient_method` (with ``record=True``), written the
    way a reader writes it first: a Python loop over trials and steps calling
    :func:`coarse_gradient`, no batching, no early exit tricks beyond stopping at a fixed point
    (with ``minibatch``: at the end of an epoch in which no batch gradient was nonzero).
    """
    Z, y, u0, w_star, a, eta, steps, thr, clip = check_run_inputs(
        Z, y, u0, w_star, a, eta, steps, ste, ste_scale, clip
    )
    trials, m, k, n = Z.shape
    opts = _variants.check_options(
        eta_decay, weight_decay, minibatch, rng, trials=trials, m=m, eta=eta
    )
    results = []
    for i in range(trials):
        u = u0[i].copy()
        fixed_point, hit = -1, -1
        dist, loss = [], []
        epoch, start, moved = [], 0, False
        for t in range(steps + 1):
            w = sign(u)
            r = sign(Z[i] @ w) @ a - y[i]
            loss.append(0.5 * np.mean(r**2))
            if w_star is not None:
                dist.append(int(np.sum(w != w_star[i])))
                if dist[-1] == 0 and hit < 0:
                    hit = t
            if t == steps:
                break
            if not epoch:
                gen = None if opts.rngs is None else opts.rngs[i]
                epoch, start, moved = _variants.epoch_batches(m, minibatch, gen), t, False
            rows = epoch.pop(0)
            g = coarse_gradient(Z[i][rows], y[i][rows], w, a=a, ste=ste, ste_scale=ste_scale)
            moved = moved or bool(np.any(g != 0.0))
            if not epoch and not moved:  # a whole epoch without a move: a fixed point
                fixed_point = start
                loss += [loss[-1]] * (steps - t)
                dist += [dist[-1]] * (steps - t) if w_star is not None else []
                break
            eta_t = _variants.step_size(eta, opts.eta_decay, t)
            u = _variants.update(u, g, eta_t, opts.weight_decay, clip)
        results.append((u, fixed_point, hit, dist, loss))
    u = np.stack([r[0] for r in results])
    return STEResult(
        w=sign(u),
        u=u,
        fixed_point=np.array([r[1] for r in results], dtype=np.int64),
        hit=np.array([r[2] for r in results], dtype=np.int64),
        distance=np.array([r[3] for r in results], dtype=np.int64) if w_star is not None else None,
        loss=np.array([r[4] for r in results]),
    )
