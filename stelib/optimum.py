"""The best possible learner (SPEC §3 E7): version space, Bayes-optimal recovery, AMP.

Taught in chapter "STE against the optimum" (``chapters/optimum.ipynb``). For ``k = 1`` and
noiseless labels ``yᵢ = sign⟨xᵢ, w*⟩`` (``sign(0) = +1``) the data of a trial rule out every
binary weight that mislabels a sample. What is left is the **version space**

    ``V = {w ∈ {±1}ⁿ : sign⟨xᵢ, w⟩ = yᵢ for i = 1, …, m}``,            (optimum-version-space)

which always holds ``w*``. With a uniform prior on ``w*`` the posterior is uniform on ``V``, so
the best any learner can do is guess one member of ``V``: its probability of exact recovery is
``1/|V|``, and over trials

    ``P_opt(n, m) = E[1/|V|] ≥ P(V = {w*})``.                              (optimum-bayes)

:func:`version_space` enumerates ``V`` over all ``2ⁿ`` weights (meet in the middle: the
pre-activations of the two halves of the coordinates are tabulated once, and a compiled loop
checks each pair), :func:`optimum_success` measures
both probabilities on the book's trial streams (:func:`stelib.trial_seed`), so trial ``i`` is
the same data that the STE sweep :func:`stelib.success_probability` sees.

For large ``n``, :func:`amp` is generalised approximate message passing for the sign channel
with a ``±1`` prior, :func:`state_evolution` its scalar prediction, and :func:`amp_success`
measures its exact-recovery probability against ``α = m/n``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from scipy import integrate, special

from ._kernel import AVAILABLE as COMPILED
from ._kernel import _jit
from ._validate import check_array, check_binary, check_float, check_int
from .data import sample_trial, trial_seed

__all__ = [
    "VersionSpace",
    "version_space",
    "OptimumResult",
    "optimum_success",
    "AMPResult",
    "amp",
    "StateEvolution",
    "state_evolution",
    "amp_threshold",
    "AMPSuccess",
    "amp_success",
]

#: Largest ``n`` that :func:`version_space` enumerates (``2ⁿ`` weights).
MAX_ENUMERATION_N = 30


# ---------------------------------------------------------------------------------------------
# The version space, exhaustively
# ---------------------------------------------------------------------------------------------


class VersionSpace(NamedTuple):
    """The binary weights that label every sample correctly (:func:`version_space`).

    Attributes
    ----------
    size : int
        ``|V|``.
    members : numpy.ndarray, shape (min(size, max_members), n)
        The first members in enumeration order (entries ±1).
    contains_teacher : bool or None
        Whether ``w* ∈ V`` (``None`` if no ``w_star`` was given); always true for noiseless
        labels.
    """

    size: int
    members: np.ndarray
    contains_teacher: bool | None


def _half_weights(h: int) -> np.ndarray:
    """All ``2ʰ`` weights of ``h`` coordinates: row ``a`` has ``wⱼ = 1 − 2·bitⱼ(a)``."""
    a = np.arange(2**h, dtype=np.int64)[:, None]
    return 1.0 - 2.0 * ((a >> np.arange(h)) & 1)


def _count_numpy(A, B, s, out):
    count = 0
    shift = int(np.log2(A.shape[0]))
    for b in range(B.shape[0]):
        ok = np.flatnonzero(np.all(((A + B[b]) >= 0.0) == s, axis=1))
        take = ok[: max(0, out.size - count)]
        out[count : count + take.size] = take + (b << shift)
        count += ok.size
    return count


#: Samples that the compiled loop checks for all half-weights at once, without branches, before
#: it checks the survivors (about 1/64 of them) sample by sample.
_PREFILTER = 6


def _count_loop(At, B, s, out):  # pragma: no cover - compiled; the numpy twin is tested against it
    rows, na = At.shape
    k = min(_PREFILTER, rows)
    shift = 0
    while (1 << shift) < na:
        shift += 1
    mask = np.empty(na, np.bool_)
    count = 0
    for b in range(B.shape[0]):
        mask[:] = True
        for i in range(k):
            bi = B[b, i]
            si = s[i]
            for a in range(na):
                mask[a] &= ((At[i, a] + bi) >= 0.0) == si
        for a in range(na):
            if mask[a]:
                ok = True
                for i in range(k, rows):
                    if (At[i, a] + B[b, i] >= 0.0) != s[i]:
                        ok = False
                        break
                if ok:
                    if count < out.size:
                        out[count] = a + (b << shift)
                    count += 1
    return count


_count_compiled = _jit(_count_loop) if COMPILED else None


def version_space(
    X, y, *, w_star=None, max_members: int = 1024, compiled: bool | None = None
) -> VersionSpace:
    """Enumerate ``V = {w ∈ {±1}ⁿ : sign(Xw) = y}`` over all ``2ⁿ`` binary weights.

    Eq. (optimum-version-space) of chapter "STE against the optimum". The coordinates are split
    in halves ``w = (w_A, w_B)``; ``X_A w_A`` and ``X_B w_B`` are tabulated for all ``2^{n/2}``
    half-weights (two matrix products), and ``sign(X_A w_A + X_B w_B) = y`` is checked for every
    pair: the compiled loop (numba) checks the first six samples for all ``w_A`` at once, without
    branches, then the survivors (about one in 64) sample by sample, stopping at the first
    mislabelled one. Cost: ``O(2ⁿ)`` additions (measured, one trial on a busy 2-core machine:
    below a millisecond at ``n = 16``, about 3 ms at ``n = 20``, 0.2 s at ``n = 25``). Both
    paths add the same two float64 numbers per sample, so they give the same ``V``.

    Parameters
    ----------
    X : array_like, shape (m, n)
        Inputs (``k = 1``; pass ``Z[:, 0, :]`` of a trial).
    y : array_like, shape (m,)
        Labels in ``{−1, +1}``.
    w_star : array_like, shape (n,), optional
        The teacher; sets ``contains_teacher``.
    max_members : int
        At most this many members are returned (``size`` counts them all).
    compiled : bool, optional
        Use the compiled loop (default: when numba is installed). Same result either way.

    Returns
    -------
    VersionSpace
    """
    X = check_array(X, "X", ndim=2)
    m, n = X.shape
    if m == 0 or n == 0:
        raise ValueError(f"X has shape {X.shape}, must have at least one row and one column.")
    if n > MAX_ENUMERATION_N:
        raise ValueError(f"n == {n}, must be <= {MAX_ENUMERATION_N} to enumerate 2^n weights.")
    y = check_binary(y, "y")
    if y.shape != (m,):
        raise ValueError(f"y has shape {y.shape}, must be ({m},) to match X.")
    max_members = check_int(max_members, "max_members", min_value=0)
    if compiled is None:
        compiled = COMPILED
    elif compiled and not COMPILED:
        raise ValueError("compiled == True, but numba is not installed.")
    h = n // 2
    A = np.ascontiguousarray(_half_weights(h) @ X[:, :h].T)
    B = np.ascontiguousarray(_half_weights(n - h) @ X[:, h:].T)
    s = y > 0
    idx = np.zeros(max_members, dtype=np.int64)
    if compiled:
        size = int(_count_compiled(np.ascontiguousarray(A.T), B, s, idx))
    else:
        size = int(_count_numpy(A, B, s, idx))
    idx = idx[: min(size, max_members)]
    members = 1.0 - 2.0 * ((idx[:, None] >> np.arange(n)) & 1)
    contains = None
    if w_star is not None:
        w_star = check_binary(w_star, "w_star")
        if w_star.shape != (n,):
            raise ValueError(f"w_star has shape {w_star.shape}, must be ({n},) to match X.")
        contains = bool(np.all((X @ w_star >= 0) == s))
    return VersionSpace(size=size, members=members, contains_teacher=contains)


class OptimumResult(NamedTuple):
    """Outcome of :func:`optimum_success`.

    Attributes
    ----------
    n, trials, seed : int
    m : numpy.ndarray of int, shape (G,)
    sizes : numpy.ndarray of int, shape (G, trials)
        ``|V|`` of every trial.
    """

    n: int
    m: np.ndarray
    trials: int
    seed: int
    sizes: np.ndarray

    @property
    def unique(self) -> np.ndarray:
        """Trials with ``V = {w*}`` per ``m``, shape ``(G,)``."""
        return np.count_nonzero(self.sizes == 1, axis=1)

    @property
    def bayes(self) -> np.ndarray:
        """``E[1/|V|]`` per ``m`` (mean over trials): the best possible exact-recovery rate."""
        return np.mean(1.0 / self.sizes, axis=1)

    def gibbs_successes(self, *, rng=None) -> np.ndarray:
        """Exact recoveries of the Gibbs learner per ``m``, shape ``(G,)``.

        The Gibbs learner outputs a uniformly random member of ``V``; it recovers ``w*`` with
        probability ``1/|V|``, the Bayes-optimal rate (eq. (optimum-bayes)). One uniform draw per
        trial from ``rng`` decides it, so the counts are binomial-like integers whose mean over
        draws is ``trials · E[1/|V|]`` (a success curve that :func:`stelib.fit_m50` can fit).
        """
        from ._validate import check_rng

        u = check_rng(rng).random(self.sizes.shape)
        return np.count_nonzero(u < 1.0 / self.sizes, axis=1)


def _int_grid(values, name) -> np.ndarray:
    if isinstance(values, (int, np.integer)):
        values = [values]
    out = np.array([check_int(v, name, min_value=1) for v in values], dtype=np.int64)
    if out.size == 0:
        raise ValueError(f"{name} is empty, must list at least one value.")
    return out


def optimum_success(
    n: int,
    m: Sequence[int],
    *,
    trials: int = 100,
    seed: int = 0,
    progress: bool | None = None,
) -> OptimumResult:
    """``|V|`` for trials ``0 … trials − 1`` at each ``(n, m)``, noiseless ``k = 1``.

    Trial ``i`` is :func:`stelib.sample_trial` from ``trial_seed(seed, n=n, m=m, k=1, trial=i)``:
    the same inputs and teacher as trial ``i`` of :func:`stelib.success_probability` with the same
    ``seed``, so the optimum and STE are compared on the same data sets. Eq. (optimum-bayes).

    Returns
    -------
    OptimumResult
        ``unique`` (trials with ``V = {w*}``) and ``bayes`` (``E[1/|V|]``) per ``m``.

    See chapter "STE against the optimum".
    """
    from tqdm.auto import tqdm

    from .experiments import progress_enabled

    n = check_int(n, "n", min_value=1)
    if n > MAX_ENUMERATION_N:
        raise ValueError(f"n == {n}, must be <= {MAX_ENUMERATION_N} to enumerate 2^n weights.")
    m_values = _int_grid(m, "m")
    trials = check_int(trials, "trials", min_value=1)
    seed = check_int(seed, "seed", min_value=0)
    sizes = np.zeros((m_values.size, trials), dtype=np.int64)
    with tqdm(
        total=sizes.size, desc=f"V, n={n}", unit="trial", disable=not progress_enabled(progress)
    ) as bar:
        for g, mv in enumerate(m_values):
            for i in range(trials):
                t = sample_trial(n, int(mv), k=1, rng=trial_seed(seed, n=n, m=mv, k=1, trial=i))
                v = version_space(t.Z[:, 0, :], t.y_clean, w_star=t.w_star, max_members=0)
                if not v.contains_teacher:  # cannot happen for noiseless labels
                    raise RuntimeError(f"trial {i} at m = {mv}: w* not in its version space.")
                sizes[g, i] = v.size
                bar.update()
    return OptimumResult(n=n, m=m_values, trials=trials, seed=seed, sizes=sizes)


# ---------------------------------------------------------------------------------------------
# Approximate message passing for the sign channel with a ±1 prior
# ---------------------------------------------------------------------------------------------


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


def amp_success(
    n: int,
    alpha: Sequence[float],
    *,
    trials: int = 10,
    seed: int = 0,
    steps: int = 300,
    damping: float = 0.7,
    progress: bool | None = None,
) -> AMPSuccess:
    """Run :func:`amp` on trials ``0 … trials − 1`` at ``m = round(α n)`` for each ``α``.

    Trial ``i`` is :func:`stelib.sample_trial` from ``trial_seed(seed, n=n, m=m, k=1, trial=i)``
    (the data of trial ``i`` of the STE sweep at the same ``(n, m)``); noiseless labels.

    Returns
    -------
    AMPSuccess

    See chapter "STE against the optimum".
    """
    from tqdm.auto import tqdm

    from .experiments import progress_enabled

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
    exact = np.zeros((alphas.size, trials), dtype=bool)
    overlap = np.zeros((alphas.size, trials))
    its = np.zeros((alphas.size, trials), dtype=np.int64)
    with tqdm(
        total=exact.size, desc=f"AMP, n={n}", unit="trial", disable=not progress_enabled(progress)
    ) as bar:
        for g, mv in enumerate(m_values):
            for i in range(trials):
                t = sample_trial(n, int(mv), k=1, rng=trial_seed(seed, n=n, m=mv, k=1, trial=i))
                res = amp(t.Z[:, 0, :], t.y_clean, steps=steps, damping=damping)
                exact[g, i] = bool(np.all(np.where(res.w >= 0, 1.0, -1.0) == t.w_star))
                overlap[g, i] = abs(float(res.w @ t.w_star)) / n
                its[g, i] = res.iterations
                bar.update()
    return AMPSuccess(
        n=n,
        alpha=alphas,
        m=m_values,
        trials=trials,
        seed=seed,
        exact=exact,
        overlap=overlap,
        iterations=its,
    )
