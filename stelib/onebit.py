"""One-bit compressed sensing: BIHT onto ``{±1}ⁿ``, the eager-projection twin of STE.

Taught in chapter "Where n² comes from" (``chapters/threshold_origin.ipynb``).

In one-bit compressed sensing (Jacques et al. 2013) one observes ``y = sign(A x*)`` and
iterates ``x ← H(x + (η/m) Aᵀ(y − sign(A x)))``, with ``H`` the projection onto the set the
unknown ``x*`` lies in (there: sparse unit vectors). For ``k = 1``, ``a = 1`` the step direction
is exactly minus the coarse gradient, ``(1/m) Aᵀ(y − sign(A x)) = −ĝ(x)`` with ``A`` the matrix
of inputs. Taking for ``H`` the projection onto binary vectors, ``sign``, gives

    BIHT:  ``wₜ₊₁ = sign(wₜ − η ĝ(wₜ))``           (project every step, "eager"),
    STE:   ``uₜ₊₁ = uₜ − η ĝ(sign uₜ)``, ``wₜ = sign uₜ``   (keep the float, "lazy").

So one BIHT step *is* one STE step started from ``u = w`` (the tests check exactly that against
:func:`stelib.ste_gradient_method`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _gradient
from ._compat import renamed_keyword
from ._types import ArrayLike
from ._validate import check_array, check_binary, check_float, check_int, check_second_layer
from .model import sign
from .theory import signal

__all__ = ["BIHTResult", "biht"]


class BIHTResult(NamedTuple):
    """What :func:`biht` returns; every array has a leading ``trials`` axis.

    Attributes
    ----------
    w : numpy.ndarray, shape (trials, n)
        Final binary weights.
    fixed_point : numpy.ndarray of int, shape (trials,)
        First ``t`` with ``wₜ₊₁ = wₜ`` (nothing moves afterwards), ``-1`` if none.
    hit : numpy.ndarray of int, shape (trials,)
        First ``t`` with ``wₜ = w*``, ``-1`` if never (or no ``w_star``).
    two_cycle : numpy.ndarray of int, shape (trials,)
        First ``t`` with ``wₜ₊₁ = wₜ₋₁ ≠ wₜ``: the map is deterministic, so from then on the
        iterate alternates between two weights forever; ``-1`` if none.
    distance : numpy.ndarray of int, shape (trials, steps + 1), or None
        Hamming distance ``dₜ`` to ``w*`` (when ``w_star`` is given), continued after a fixed
        point or a two-cycle with the values the iteration would produce.
    """

    w: np.ndarray
    fixed_point: np.ndarray
    hit: np.ndarray
    two_cycle: np.ndarray
    distance: np.ndarray | None


@renamed_keyword("tau", "eta")
def biht(
    Z: ArrayLike,
    y: ArrayLike,
    w0: ArrayLike,
    *,
    w_star: ArrayLike | None = None,
    a: ArrayLike | None = None,
    eta: float | None = None,
    steps: int = 100,
) -> BIHTResult:
    """Run BIHT with the binary projection, ``wₜ₊₁ = sign(wₜ − η ĝ(wₜ))``, on many trials.

    :prf:ref:`prop-threshold-biht`.

    Parameters
    ----------
    Z : array_like, shape (trials, m, k, n)
        Inputs.
    y : array_like, shape (trials, m)
        Labels.
    w0 : array_like, shape (trials, n)
        Initial binary weights.
    w_star : array_like, shape (n,) or (trials, n), optional
        Teacher(s), for the hitting time and the distance.
    a : array_like, shape (k,), optional
        Second layer, default ``1/k``.
    eta : float > 0, optional
        Step size ``η``. Default ``1/c`` with the rate ``c = ‖a‖²√(2/(πn))``
        (:func:`stelib.signal`): with it, one step from ``w`` lands exactly on ``w*`` whenever
        ``‖ĝ(w) − E ĝ(w)‖∞ < c`` (chapter "Where n² comes from"). (Called ``tau`` before;
        ``tau=`` still works, with a ``DeprecationWarning``.)
    steps : int >= 0
        Budget of iterations.

    Returns
    -------
    BIHTResult
    """
    Z = check_array(Z, "Z", ndim=4)
    trials, m, k, n = Z.shape
    w = check_binary(w0, "w0", ndim=2).copy()  # updated in place below
    if w.shape != (trials, n):
        raise ValueError(f"w0 has shape {w.shape}, must be ({trials}, {n}) to match Z.")
    a = check_second_layer(a, k)
    if eta is None:
        eta = 1.0 / signal(n, a=a)
    eta = check_float(eta, "eta", min_value=0.0, strict_min=True)
    steps = check_int(steps, "steps", min_value=0)
    if w_star is not None:
        w_star = np.broadcast_to(check_binary(w_star, "w_star", ndim=(1, 2)), (trials, n))

    y = check_array(y, "y", ndim=2)
    if y.shape != (trials, m):
        raise ValueError(f"y has shape {y.shape}, must be ({trials}, {m}) to match Z.")
    fixed_point = np.full(trials, -1, dtype=np.int64)
    hit = np.full(trials, -1, dtype=np.int64)
    two_cycle = np.full(trials, -1, dtype=np.int64)
    distance = None if w_star is None else np.zeros((trials, steps + 1), dtype=np.int64)
    active = np.arange(trials)
    previous = w.copy()  # w_{t-1} (no two-cycle can be detected at t = 0)
    for t in range(steps + 1):
        if w_star is not None:
            d = np.count_nonzero(w[active] != w_star[active], axis=1)
            distance[active, t] = d
            new = active[(d == 0) & (hit[active] < 0)]
            hit[new] = t
        if t == steps or active.size == 0:
            break
        g = _gradient.coarse_gradients(Z[active], y[active], w[active], a)
        w_next = sign(w[active] - eta * g)
        still = np.all(w_next == w[active], axis=1)
        cycle = ~still & np.all(w_next == previous[active], axis=1) & (t > 0)
        fixed_point[active[still]] = t
        two_cycle[active[cycle]] = t
        if distance is not None:
            stop = still | cycle  # continue the known pattern: dₜ, dₜ₋₁, dₜ, … (or dₜ, dₜ, …)
            for i in active[stop]:
                pair = distance[i, [t, t - 1 if two_cycle[i] == t else t]]
                distance[i, t + 1 :] = pair[(np.arange(1, steps - t + 1)) % 2]
        previous[active] = w[active]
        w[active] = w_next
        # a stopped trial's final weight is the one the iteration holds at step `steps`
        ended = active[cycle & ((steps - t) % 2 == 0)]
        w[ended] = previous[ended]
        active = active[~(still | cycle)]
    return BIHTResult(w=w, fixed_point=fixed_point, hit=hit, two_cycle=two_cycle, distance=distance)
