"""Approximate message passing for the binary perceptron (SPEC §3 E7).

Taught in chapter "STE against the optimum" (``chapters/optimum.ipynb``): :func:`amp` is
generalised AMP for the sign channel ``y = sign(Xw/√n)`` with a uniform ``±1`` prior,
:func:`state_evolution` its scalar prediction as ``n → ∞``, :func:`amp_threshold` the ``α`` from
which that prediction reaches perfect recovery, and :func:`amp_success` measures AMP's
exact-recovery probability against ``α = m/n`` on the book's trial streams.

Reference: Barbier, Krzakala, Macris, Miolane, Zdeborová (2019), PNAS 116(12), 5451-5460.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from typing import NamedTuple

import numpy as np
from scipy import integrate, special

from ._validate import check_array, check_binary, check_float, check_int
from .data import sample_trial, trial_seed
from .experiments import run_tasks

__all__ = [
    "AMPResult",
    "amp",
    "StateEvolution",
    "state_evolution",
    "amp_threshold",
    "AMPSuccess",
    "amp_success",
]


#: Floor of AMP's variance ``V`` (at the perfect fixed point ``V → 0``).
_V_FLOOR = 1e-12


def _mills(u):
    """``φ(u)/Φ(u)`` for the standard normal, stable for large negative ``u``."""
    return np.sqrt(2.0 / np.pi) / special.erfcx(-u / np.sqrt(2.0))


class AMPResult(NamedTuple):
    """Outcome of :func:`amp`.

    Attributes
    ----------
    w : numpy.ndarray, shape (n,)
        Posterior-mean estimate ``ŵ ∈ [−1, 1]ⁿ``; ``sign(ŵ)`` is the binary estimate.
    variance : float
        Mean posterior variance ``v``.
    iterations : int
        Iterations run.
    converged : bool
        Whether it stopped before ``steps``: ``‖ŵₜ₊₁ − ŵₜ‖²/n < tol`` or ``sign(ŵ)`` consistent
        with every label.
    q : numpy.ndarray, shape (steps + 1,)
        ``qₜ = ‖ŵₜ‖²/n`` (``q₀ = 0``; NaN after the last iteration): under the Bayes-optimal
        state evolution it equals the overlap with ``w*``.
    overlap : numpy.ndarray, shape (steps + 1,)
        ``⟨ŵₜ, w*⟩/n`` when ``w_star`` is given (NaN otherwise and after the last iteration).
    """

    w: np.ndarray
    variance: float
    iterations: int
    converged: bool
    q: np.ndarray
    overlap: np.ndarray


def amp(
    X,
    y,
    *,
    w_star=None,
    steps: int = 300,
    damping: float = 0.7,
    tol: float = 1e-10,
) -> AMPResult:
    """Generalised AMP for ``y = sign(Xw/√n)``, ``w ∈ {±1}ⁿ`` with a uniform prior.

    With ``F = X/√n`` (entries of variance ``1/n``) and ``α = m/n``, starting from ``ŵ₀ = 0``,
    ``v₀ = 1``, ``g₀ = 0``, each iteration computes (chapter "STE against the optimum",
    eq. (optimum-amp); the variances are averaged over coordinates, as the state evolution
    assumes)

    * output side: ``V = max(v, 10⁻¹²)``, ``ω = Fŵ − V g`` (the Onsager correction), and with
      ``uᵢ = yᵢ ωᵢ/√V``, ``rᵢ = φ(uᵢ)/Φ(uᵢ)``: ``gᵢ = yᵢ rᵢ/√V`` and
      ``−∂_ω gᵢ = (uᵢ rᵢ + rᵢ²)/V`` (derivatives of ``log P(yᵢ | ωᵢ, V) = log Φ(uᵢ)``);
    * input side: ``A = α·mean(−∂_ω g)``, ``B = Fᵀg + A ŵ``, and the ``±1`` prior gives the
      posterior mean ``ŵ = tanh(B)`` and mean variance ``v = mean(1 − tanh²(B))``.

    ``g``, ``ŵ`` and ``v`` are damped, ``new ← damping·new + (1 − damping)·old``. The iteration
    stops when ``‖ŵₜ₊₁ − ŵₜ‖²/n < tol`` or when ``sign(ŵ)`` labels every sample correctly (it
    is then in the version space; at the perfect fixed point ``V → 0`` and the updates
    degenerate, so stopping there is also a numerical necessity). In the second case AMP has
    found a member of the version space and returns it: ``ŵ ← sign(ŵ)``, ``v ← 0``.

    Parameters
    ----------
    X : array_like, shape (m, n)
        Inputs with i.i.d. ``N(0, 1)`` entries (``Z[:, 0, :]`` of a trial).
    y : array_like, shape (m,)
        Labels in ``{−1, +1}``.
    w_star : array_like, shape (n,), optional
        Teacher, to record the overlap.
    steps : int
        Maximum iterations.
    damping : float in (0, 1]
        Weight of the new iterate (1: undamped).
    tol : float > 0
        Stop when ``‖ŵₜ₊₁ − ŵₜ‖²/n < tol``.

    Returns
    -------
    AMPResult

    References
    ----------
    Barbier, Krzakala, Macris, Miolane, Zdeborová (2019), PNAS 116(12), 5451-5460.
    """
    X = check_array(X, "X", ndim=2)
    m, n = X.shape
    if m == 0 or n == 0:
        raise ValueError(f"X has shape {X.shape}, must have at least one row and one column.")
    y = check_binary(y, "y")
    if y.shape != (m,):
        raise ValueError(f"y has shape {y.shape}, must be ({m},) to match X.")
    if w_star is not None:
        w_star = check_binary(w_star, "w_star")
        if w_star.shape != (n,):
            raise ValueError(f"w_star has shape {w_star.shape}, must be ({n},) to match X.")
    steps = check_int(steps, "steps", min_value=1)
    damping = check_float(damping, "damping", min_value=0.0, max_value=1.0, strict_min=True)
    tol = check_float(tol, "tol", min_value=0.0, strict_min=True)

    F = X / np.sqrt(n)
    alpha = m / n
    w = np.zeros(n)
    v = 1.0  # mean posterior variance
    g = np.zeros(m)
    q = np.full(steps + 1, np.nan)
    ov = np.full(steps + 1, np.nan)
    q[0] = 0.0
    if w_star is not None:
        ov[0] = 0.0
    s = y > 0
    converged = False
    t = 0
    for t in range(1, steps + 1):
        V = max(v, _V_FLOOR)
        omega = F @ w - V * g
        u = y * omega / np.sqrt(V)
        r = _mills(u)
        g = damping * (y * r / np.sqrt(V)) + (1 - damping) * g
        A = alpha * float(np.mean(u * r + r * r)) / V
        B = F.T @ g + A * w
        w_new = damping * np.tanh(B) + (1 - damping) * w
        v = (
            damping * float(np.mean(1.0 / np.cosh(np.minimum(np.abs(B), 350.0)) ** 2))
            + (1 - damping) * v
        )
        change = float(np.mean((w_new - w) ** 2))
        w = w_new
        q[t] = float(w @ w) / n
        if w_star is not None:
            ov[t] = float(w @ w_star) / n
        binary = np.where(w >= 0, 1.0, -1.0)
        if np.array_equal((X @ binary) >= 0, s):  # sign(ŵ) ∈ V: return it
            w, v, converged = binary, 0.0, True
            break
        if change < tol:
            converged = True
            break
    return AMPResult(w=w, variance=v, iterations=t, converged=converged, q=q, overlap=ov)


class StateEvolution(NamedTuple):
    """Outcome of :func:`state_evolution`.

    Attributes
    ----------
    alpha : float
    q : numpy.ndarray, shape (steps + 1,)
        Overlap ``qₜ`` (``q₀`` the start); after convergence the last value repeats.
    qhat : numpy.ndarray, shape (steps + 1,)
        Conjugate ``q̂ₜ = α·E[g²]`` (``q̂ₜ`` is computed from ``qₜ``).
    error : numpy.ndarray, shape (steps + 1,)
        ``1 − qₜ`` computed directly (accurate when ``qₜ`` is close to 1).
    """

    alpha: float
    q: np.ndarray
    qhat: np.ndarray
    error: np.ndarray

    @property
    def sign_error(self) -> float:
        """Predicted fraction of wrong signs at the end, ``Φ(−√q̂)``."""
        return float(special.ndtr(-np.sqrt(self.qhat[-1])))


def _qhat(alpha: float, q: float, error: float) -> float:
    # q̂ = (2α/(1−q)) E_u[φ(u)²/Φ(u)], u ~ N(0, q/(1−q))
    if error <= 0.0:
        return np.inf
    s = np.sqrt(q / error)
    if s < 1e-12:
        return 2.0 * alpha / error * (1.0 / (2 * np.pi)) / 0.5
    lim = min(40.0, 12.0 * s)

    def f(u):
        return np.exp(-0.5 * u * u) / np.sqrt(2 * np.pi) * _mills(u) * np.exp(-0.5 * (u / s) ** 2)

    val, _ = integrate.quad(f, -lim, lim, limit=200, epsabs=0.0, epsrel=1e-10)
    return 2.0 * alpha / error * val / (s * np.sqrt(2 * np.pi))


def _error_of(qhat: float) -> float:
    # 1 − q = E[1 − tanh(x)] = E[2 expit(−2x)], x ~ N(q̂, q̂)
    if qhat <= 0:
        return 1.0
    sd = np.sqrt(qhat)

    def f(x):
        return 2.0 * special.expit(-2.0 * x) * np.exp(-0.5 * ((x - qhat) / sd) ** 2)

    lo, hi = qhat - 12.0 * sd, qhat + 12.0 * sd
    pts = [0.0] if lo < 0.0 < hi else None
    val, _ = integrate.quad(f, lo, hi, points=pts, limit=200, epsabs=0.0, epsrel=1e-10)
    return float(val / (sd * np.sqrt(2 * np.pi)))


def state_evolution(
    alpha: float, *, steps: int = 200, q0: float = 0.0, tol: float = 1e-12
) -> StateEvolution:
    """Bayes-optimal state evolution of :func:`amp` for the sign channel with a ``±1`` prior.

    Chapter "STE against the optimum", eq. (optimum-se): with ``Dξ`` the standard Gaussian
    measure and ``u = √(q/(1−q)) ξ``,

        ``q̂ₜ = (2α/(1 − qₜ)) ∫ Dξ φ(u)²/Φ(u)``,   ``qₜ₊₁ = ∫ Dξ tanh(q̂ₜ + √q̂ₜ ξ)``,

    from ``q₀`` (0: AMP's uninformed start). The iteration stops early when ``1 − q`` falls below
    ``tol`` or stops changing; the arrays then repeat their last value.

    Parameters
    ----------
    alpha : float > 0
        ``α = m/n``.
    steps : int
        Iterations.
    q0 : float in [0, 1)
        Starting overlap.
    tol : float > 0
        Stop when ``1 − qₜ < tol``.

    Returns
    -------
    StateEvolution
    """
    alpha = check_float(alpha, "alpha", min_value=0.0, strict_min=True)
    steps = check_int(steps, "steps", min_value=1)
    q0 = check_float(q0, "q0", min_value=0.0, max_value=1.0)
    if q0 >= 1.0:
        raise ValueError(f"q0 == {q0}, must be < 1.")
    tol = check_float(tol, "tol", min_value=0.0, strict_min=True)
    q = np.empty(steps + 1)
    qh = np.empty(steps + 1)
    err = np.empty(steps + 1)
    q[0], err[0] = q0, 1.0 - q0
    t = 0
    while True:
        qh[t] = _qhat(alpha, q[t], err[t])
        if t == steps:
            break
        e = _error_of(qh[t])
        err[t + 1], q[t + 1] = e, 1.0 - e
        t += 1
        if e < tol or abs(err[t] - err[t - 1]) <= 1e-13 * err[t - 1]:
            qh[t] = _qhat(alpha, q[t], err[t])
            q[t:], err[t:], qh[t:] = q[t], err[t], qh[t]
            break
    return StateEvolution(alpha=alpha, q=q, qhat=qh, error=err)


def amp_threshold(
    *, lo: float = 1.0, hi: float = 2.5, digits: int = 3, steps: int = 3000, tol: float = 1e-10
) -> float:
    """The smallest ``α`` at which :func:`state_evolution` from ``q₀ = 0`` reaches ``q = 1``.

    Bisection on ``[lo, hi]`` until the bracket is shorter than ``10^(−digits)``; "reaches" means
    ``1 − q < tol`` within ``steps`` iterations (close to the threshold the iteration slows down,
    so the result is an upper bound that tightens as ``steps`` grows). Returns the upper end of
    the final bracket. Chapter "STE against the optimum".
    """
    lo = check_float(lo, "lo", min_value=0.0, strict_min=True)
    hi = check_float(hi, "hi", min_value=lo, strict_min=True)
    digits = check_int(digits, "digits", min_value=1)

    def reaches(a):
        return state_evolution(a, steps=steps, tol=tol).error[-1] < tol

    if reaches(lo) or not reaches(hi):
        raise ValueError(f"[lo, hi] == [{lo}, {hi}] does not bracket the AMP threshold.")
    while hi - lo > 10.0**-digits:
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if reaches(mid) else (mid, hi)
    return hi


class AMPSuccess(NamedTuple):
    """Outcome of :func:`amp_success`.

    Attributes
    ----------
    n, trials, seed : int
    alpha : numpy.ndarray, shape (G,)
        Requested ``α``.
    m : numpy.ndarray of int, shape (G,)
        ``m = round(α n)``.
    exact : numpy.ndarray of bool, shape (G, trials)
        ``sign(ŵ) = w*`` in each trial.
    overlap : numpy.ndarray, shape (G, trials)
        ``|⟨ŵ, w*⟩|/n`` of the posterior mean ``ŵ``.
    iterations : numpy.ndarray of int, shape (G, trials)
    """

    n: int
    alpha: np.ndarray
    m: np.ndarray
    trials: int
    seed: int
    exact: np.ndarray
    overlap: np.ndarray
    iterations: np.ndarray

    @property
    def successes(self) -> np.ndarray:
        """Trials with ``sign(ŵ) = w*`` per ``α``."""
        return np.count_nonzero(self.exact, axis=1)


def _amp_trials(n, m, seed, trials, steps, damping):
    """Exact recovery, overlap and iterations of trials ``0 … trials − 1`` at ``(n, m)``."""
    exact = np.zeros(trials, dtype=bool)
    overlap = np.zeros(trials)
    its = np.zeros(trials, dtype=np.int64)
    for i in range(trials):
        t = sample_trial(n, m, k=1, rng=trial_seed(seed, n=n, m=m, k=1, trial=i))
        res = amp(t.Z[:, 0, :], t.y_clean, steps=steps, damping=damping)
        exact[i] = bool(np.all(np.where(res.w >= 0, 1.0, -1.0) == t.w_star))
        overlap[i] = abs(float(res.w @ t.w_star)) / n
        its[i] = res.iterations
    return exact, overlap, its


def amp_success(
    n: int,
    alpha: Sequence[float],
    *,
    trials: int = 10,
    seed: int = 0,
    steps: int = 300,
    damping: float = 0.7,
    executor: Executor | None = None,
    memory=None,
    progress: bool | None = None,
) -> AMPSuccess:
    """Run :func:`amp` on trials ``0 … trials − 1`` at ``m = round(α n)`` for each ``α``.

    Trial ``i`` is :func:`stelib.sample_trial` from ``trial_seed(seed, n=n, m=m, k=1, trial=i)``
    (the data of trial ``i`` of the STE sweep at the same ``(n, m)``); noiseless labels. One task
    per ``α`` on :func:`stelib.run_tasks` (``executor``, ``memory``, ``progress``: how it runs,
    never what it computes).

    Returns
    -------
    AMPSuccess

    See chapter "STE against the optimum".
    """
    n = check_int(n, "n", min_value=1)
    if isinstance(alpha, (int, float, np.number)):
        alpha = [alpha]
    alphas = np.array(
        [check_float(a, "alpha", min_value=0.0, strict_min=True) for a in alpha], dtype=float
    )
    if alphas.size == 0:
        raise ValueError("alpha is empty, must list at least one value.")
    m_values = np.maximum(1, np.round(alphas * n)).astype(np.int64)
    trials = check_int(trials, "trials", min_value=1)
    seed = check_int(seed, "seed", min_value=0)
    steps = check_int(steps, "steps", min_value=1)
    damping = check_float(damping, "damping", min_value=0.0, max_value=1.0, strict_min=True)
    tasks = [(n, int(mv), seed, trials, steps, damping) for mv in m_values]
    out = run_tasks(
        _amp_trials,
        tasks,
        executor=executor,
        memory=memory,
        progress=progress,
        desc=f"AMP, n={n}",
        unit="alpha",
    )
    return AMPSuccess(
        n=n,
        alpha=alphas,
        m=m_values,
        trials=trials,
        seed=seed,
        exact=np.stack([o[0] for o in out]),
        overlap=np.stack([o[1] for o in out]),
        iterations=np.stack([o[2] for o in out]),
    )
