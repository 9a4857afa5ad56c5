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

For large ``n``, :mod:`stelib.message_passing` has AMP and its state evolution.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from typing import NamedTuple

import numpy as np

from ._kernel import AVAILABLE as COMPILED
from ._kernel import _jit
from ._validate import check_array, check_binary, check_int, check_rng
from .data import sample_trial, trial_seed
from .experiments import run_tasks

__all__ = [
    "VersionSpace",
    "version_space",
    "OptimumResult",
    "optimum_success",
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
        u = check_rng(rng).random(self.sizes.shape)
        return np.count_nonzero(u < 1.0 / self.sizes, axis=1)


def _int_grid(values, name) -> np.ndarray:
    if isinstance(values, (int, np.integer)):
        values = [values]
    out = np.array([check_int(v, name, min_value=1) for v in values], dtype=np.int64)
    if out.size == 0:
        raise ValueError(f"{name} is empty, must list at least one value.")
    return out


def _version_space_sizes(n: int, m: int, seed: int, trials: int) -> np.ndarray:
    """``|V|`` of trials ``0 … trials − 1`` at ``(n, m)`` (one task of :func:`optimum_success`)."""
    sizes = np.zeros(trials, dtype=np.int64)
    for i in range(trials):
        t = sample_trial(n, m, k=1, rng=trial_seed(seed, n=n, m=m, k=1, trial=i))
        v = version_space(t.Z[:, 0, :], t.y_clean, w_star=t.w_star, max_members=0)
        if not v.contains_teacher:  # cannot happen for noiseless labels
            raise RuntimeError(f"trial {i} at m = {m}: w* not in its version space.")
        sizes[i] = v.size
    return sizes


def optimum_success(
    n: int,
    m: Sequence[int],
    *,
    trials: int = 100,
    seed: int = 0,
    executor: Executor | None = None,
    memory=None,
    progress: bool | None = None,
) -> OptimumResult:
    """``|V|`` for trials ``0 … trials − 1`` at each ``(n, m)``, noiseless ``k = 1``.

    Trial ``i`` is :func:`stelib.sample_trial` from ``trial_seed(seed, n=n, m=m, k=1, trial=i)``:
    the same inputs and teacher as trial ``i`` of :func:`stelib.success_probability` with the same
    ``seed``, so the optimum and STE are compared on the same data sets. Eq. (optimum-bayes).
    One task per ``m`` on :func:`stelib.run_tasks` (``executor``, ``memory``, ``progress``: how
    it runs, never what it computes).

    Returns
    -------
    OptimumResult
        ``unique`` (trials with ``V = {w*}``) and ``bayes`` (``E[1/|V|]``) per ``m``.

    See chapter "STE against the optimum".
    """
    n = check_int(n, "n", min_value=1)
    if n > MAX_ENUMERATION_N:
        raise ValueError(f"n == {n}, must be <= {MAX_ENUMERATION_N} to enumerate 2^n weights.")
    m_values = _int_grid(m, "m")
    trials = check_int(trials, "trials", min_value=1)
    seed = check_int(seed, "seed", min_value=0)
    tasks = [(n, int(mv), seed, trials) for mv in m_values]
    sizes = run_tasks(
        _version_space_sizes,
        tasks,
        executor=executor,
        memory=memory,
        progress=progress,
        desc=f"V, n={n}",
        unit="m",
    )
    return OptimumResult(n=n, m=m_values, trials=trials, seed=seed, sizes=np.stack(sizes))
