"""Closed forms of the population (infinite-sample) model, SPEC §2.

Derived, and checked against Monte Carlo, in chapter "The setup, derived"
(``chapters/setup.ipynb``). For Gaussian ``x ~ N(0, Iₙ)`` and nonzero ``a, b ∈ ℝⁿ`` with angle
``θ(a, b)``:

* ``E[sign⟨x,a⟩ sign⟨x,b⟩] = 1 − 2θ/π``;
* ``E[x sign⟨x,w⟩] = √(2/π) · w/‖w‖``;
* population loss ``L(w) = ½ E(f(Z;w) − f(Z;w*))² = ‖a‖² · 2θ(w, w*)/π``;
* population coarse gradient (identity STE) ``‖a‖² √(2/π) (w/‖w‖ − w*/‖w*‖)``, which for binary
  ``w, w*`` is ``c (w − w*)`` with the rate ``c = ‖a‖² √(2/(πn))`` (a wrong coordinate gets
  ``2c``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._compat import renamed_keyword
from ._types import ArrayLike
from ._validate import check_array, check_binary, check_float, check_int, second_layer
from .model import sign

__all__ = [
    "signal",
    "angle",
    "sign_correlation",
    "gaussian_sign_moment",
    "population_loss",
    "population_coarse_gradient",
    "PopulationRun",
    "population_dynamics",
    "population_steps",
    "DriftPrediction",
    "drift_prediction",
    "exit_time",
]


def _signal(n: int, a: np.ndarray, factor: float = 1.0) -> float:
    """``‖a‖² · factor · √(2/(πn))``: the rate ``c`` (``factor = 1``) and its multiples.

    The one place ``c`` is computed (``x · 1.0`` is exact, so ``factor = 1`` gives ``c``).
    """
    return float(np.dot(a, a)) * factor * np.sqrt(2.0 / (np.pi * n))


def signal(n: int, *, a: ArrayLike | None = None, k: int = 1) -> float:
    """The rate ``c = ‖a‖² √(2/(πn))`` of the population dynamics: ``E ĝ(w) = c (w − w*)``.

    For binary ``w, w*``, so a wrong coordinate gets ``2c`` and a right one ``0``; the
    data-dependent error ``e(w) = ĝ(w) − E ĝ(w)`` is harmless for one step when ``‖e(w)‖∞ < c``.
    The ``c`` of eqs. :eq:`setup-population-dynamics` and :eq:`threshold-decomposition`. (The
    function keeps its historical name ``signal``; the book calls ``c`` a rate.)

    See chapter "The setup, derived" (:func:`stelib.population_coarse_gradient`).
    """
    n = check_int(n, "n", min_value=1)
    return _signal(n, second_layer(a, k))


def _nonzero_vector(x, name):
    x = check_array(x, name, ndim=1)
    if x.size == 0 or not np.any(x != 0):
        raise ValueError(f"{name} must be a nonzero vector, got {x.tolist()[:5]}.")
    return x


def _pair(a, b, names):
    a = _nonzero_vector(a, names[0])
    b = _nonzero_vector(b, names[1])
    if a.shape != b.shape:
        raise ValueError(f"{names[1]} has shape {b.shape}, must match {names[0]}'s {a.shape}.")
    return a, b


def angle(a: ArrayLike, b: ArrayLike) -> float:
    """Angle ``arccos(⟨a,b⟩ / (‖a‖‖b‖))`` in ``[0, π]`` between two nonzero vectors.

    The book writes it ``θ(b, b′)`` (eq. :eq:`setup-sign-correlation`): the parameter ``a`` is
    any vector, not the second layer ``a`` of the network.
    """
    a, b = _pair(a, b, ("a", "b"))
    cos = np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.arccos(np.clip(cos, -1.0, 1.0)))


def sign_correlation(a: ArrayLike, b: ArrayLike) -> float:
    """``E[sign⟨x,a⟩ sign⟨x,b⟩] = 1 − 2θ(a,b)/π`` for ``x ~ N(0, Iₙ)``.

    Eq. :eq:`setup-sign-correlation` (:prf:ref:`lem-setup-sign-correlation`), where the book
    writes ``θ(b, b′)``: the parameter ``a`` is any nonzero vector, not the second layer ``a``.

    The two signs disagree exactly when the hyperplane ``x^⊥`` separates ``a`` from ``b``, which
    for a rotation-invariant ``x`` has probability ``θ/π``. See chapter "The setup, derived".
    """
    return 1.0 - 2.0 * angle(a, b) / np.pi


def gaussian_sign_moment(w: ArrayLike) -> np.ndarray:
    """``E[x sign⟨x,w⟩] = √(2/π) · w/‖w‖`` for ``x ~ N(0, Iₙ)``.

    Eq. :eq:`setup-sign-moment` (:prf:ref:`lem-setup-sign-moment`).

    Along ``w/‖w‖`` this is ``E|g| = √(2/π)`` for ``g ~ N(0, 1)``; orthogonal components are
    independent of the sign and average to zero. See chapter "The setup, derived".
    """
    w = _nonzero_vector(w, "w")
    return np.sqrt(2.0 / np.pi) * w / np.linalg.norm(w)


def population_loss(
    w: ArrayLike, w_star: ArrayLike, *, a: ArrayLike | None = None, k: int = 1
) -> float:
    """Population loss ``L(w) = ½ E(f(Z;w) − f(Z;w*))² = ‖a‖² · 2θ(w, w*)/π``.

    Eq. :eq:`setup-population-loss`.

    Patches are independent and ``E sign⟨z,w⟩ = 0``, so cross-patch terms vanish and each patch
    contributes ``a_p² · ½ · 4 · P(signs differ) = a_p² · 2θ/π``.

    Parameters
    ----------
    w, w_star : array_like, shape (n,)
        Weights (any nonzero real vectors).
    a : array_like, shape (k,), optional
        Second layer, default ``1/k``.
    k : int
        Number of patches (used when ``a`` is None).
    """
    w, w_star = _pair(w, w_star, ("w", "w_star"))
    a = second_layer(a, k)
    return float(np.dot(a, a) * 2.0 * angle(w, w_star) / np.pi)


def population_coarse_gradient(
    w: ArrayLike, w_star: ArrayLike, *, a: ArrayLike | None = None, k: int = 1
) -> np.ndarray:
    """Expected coarse gradient (identity STE): ``‖a‖² √(2/π) (w/‖w‖ − w*/‖w*‖)``.

    Eq. :eq:`setup-population-gradient`.

    For binary ``w, w* ∈ {±1}ⁿ`` this is ``c (w − w*)`` with the rate ``c = ‖a‖² √(2/(πn))``
    (:func:`signal`): zero on the coordinates that are right, ``±2c`` on the wrong ones, pushing
    them back. See chapter "The
    setup, derived".
    """
    w, w_star = _pair(w, w_star, ("w", "w_star"))
    a = second_layer(a, k)
    return float(np.dot(a, a)) * (gaussian_sign_moment(w) - gaussian_sign_moment(w_star))


class PopulationRun(NamedTuple):
    """Trajectory of the population STE dynamics.

    Attributes
    ----------
    u : numpy.ndarray, shape (trials, steps + 1, n)
        Latent weights ``u_t``.
    distance : numpy.ndarray of int, shape (trials, steps + 1)
        Hamming distance ``d_t`` of ``w_t = sign(u_t)`` to ``w*``.
    """

    u: np.ndarray
    distance: np.ndarray


def _population_inputs(u0, w_star, eta, a, k):
    u0 = check_array(u0, "u0", ndim=(1, 2))
    u0 = np.atleast_2d(u0)
    w_star = check_binary(w_star, "w_star")
    if u0.shape[1] != w_star.shape[0]:
        raise ValueError(f"u0 has length {u0.shape[1]}, must match w_star's {w_star.shape[0]}.")
    eta = check_float(eta, "eta", min_value=0.0, strict_min=True)
    rate = _signal(w_star.shape[0], second_layer(a, k))  # c = ‖a‖² √(2/(πn))
    return u0, w_star, eta, rate


def population_dynamics(
    u0: ArrayLike,
    w_star: ArrayLike,
    *,
    eta: float = 1.0,
    steps: int = 10,
    a: ArrayLike | None = None,
    k: int = 1,
):
    """Run ``uₜ₊₁ = uₜ − η ‖a‖²√(2/(πn)) (sign(uₜ) − w*)`` (the STE method with m = ∞).

    Eq. :eq:`setup-population-dynamics`.

    Parameters
    ----------
    u0 : array_like, shape (n,) or (trials, n)
        Initial latent weights.
    w_star : array_like, shape (n,)
        Teacher.
    eta : float > 0
        Step size.
    steps : int >= 0
        Number of steps.
    a, k
        Second layer (default ``1/k``).

    Returns
    -------
    PopulationRun
        Always with a leading ``trials`` axis.

    See chapter "The setup, derived"; :func:`population_steps` gives the exact number of steps.
    """
    u0, w_star, eta, rate = _population_inputs(u0, w_star, eta, a, k)
    steps = check_int(steps, "steps", min_value=0)
    u = np.empty((u0.shape[0], steps + 1, u0.shape[1]))
    u[:, 0] = u0
    for t in range(steps):
        u[:, t + 1] = u[:, t] - eta * rate * (sign(u[:, t]) - w_star)
    distance = np.count_nonzero(sign(u) != w_star, axis=-1)
    return PopulationRun(u=u, distance=distance)


def population_steps(
    u0: ArrayLike, w_star: ArrayLike, *, eta: float = 1.0, a: ArrayLike | None = None, k: int = 1
) -> np.ndarray:
    """Exact number of steps the population dynamics needs to reach ``w*``.

    Eq. :eq:`setup-steps`.

    Right coordinates never move (their gradient is 0). A wrong coordinate ``j`` moves by
    ``2ηc·w*_j`` per step, ``c = ‖a‖²√(2/(πn))``, until its sign is right. With
    ``sign(0) = +1``: if ``w*_j = +1`` it needs ``⌈|u₀ⱼ| / (2ηc)⌉`` steps (reaching 0 suffices);
    if ``w*_j = −1`` it needs ``⌊u₀ⱼ / (2ηc)⌋ + 1`` (it must pass 0). The count is the maximum over
    wrong coordinates, 0 if there are none; after it, ``w*`` is a fixed point.

    Returns
    -------
    numpy.ndarray of int, shape (trials,)
    """
    u0, w_star, eta, rate = _population_inputs(u0, w_star, eta, a, k)
    step = 2.0 * eta * rate
    wrong = sign(u0) != w_star
    need_up = np.ceil(np.abs(u0) / step)  # w*_j = +1, u0_j < 0
    need_down = np.floor(u0 / step) + 1.0  # w*_j = -1, u0_j >= 0
    need = np.where(w_star > 0, need_up, need_down)
    return np.where(wrong, need, 0.0).max(axis=1).astype(np.int64)


# ---------------------------------------------------------------------------------------------
# The drift at the optimum under label noise (chapter "Label noise and recurrence")
#
# The update ``uₜ₊₁ = uₜ − η ĝ(wₜ)`` depends on ``uₜ`` only through ``wₜ = sign(uₜ)``: a vector
# field that is constant on each orthant. On the orthant of ``w*`` it is the constant ``−η h``
# with the drift ``h = ĝ(w*)``: zero without noise (the orthant is absorbing), nonzero with noise.
# Coordinate ``j`` then moves by ``−η hⱼ w*ⱼ`` along ``w*ⱼ`` per step: if ``h̃ⱼ = hⱼ w*ⱼ > 0`` it
# is pushed towards zero and must cross it (it *oscillates*), if ``h̃ⱼ < 0`` it is pushed further
# into the right sign (it *locks*, ``|uⱼ|`` grows without bound unless clipped).
# ---------------------------------------------------------------------------------------------


class DriftPrediction(NamedTuple):
    """What the drift ``h = ĝ(w*)`` predicts; every field has the shape of ``h``.

    Attributes
    ----------
    inward : numpy.ndarray
        ``h̃ⱼ = hⱼ w*ⱼ``: at ``w*`` coordinate ``j`` of ``u`` moves by ``−η h̃ⱼ`` along ``w*ⱼ``
        per step, towards zero if ``h̃ⱼ > 0``.
    oscillating : numpy.ndarray of bool
        ``h̃ⱼ > 0``: predicted to cross zero again and again. The others (``h̃ⱼ ≤ 0``) lock.
    wrong_fraction : numpy.ndarray
        Predicted long-run fraction ``fⱼ`` of steps with ``wⱼ ≠ w*ⱼ``: ``h̃ⱼ / (h̃ⱼ + (2 − 2p) c)``
        for oscillating coordinates, 0 for locked ones, where ``(2 − 2p) c`` is the population
        speed at which a wrong coordinate is pushed back (rate ``c`` of :func:`signal`, flip
        probability ``p``).
    occupation : numpy.ndarray
        ``Πⱼ (1 − fⱼ)``: the occupation time if coordinates were independent, shape
        ``h.shape[:-1]``.
    """

    inward: np.ndarray
    oscillating: np.ndarray
    wrong_fraction: np.ndarray
    occupation: np.ndarray


@renamed_keyword("c", "h")
def drift_prediction(
    h: ArrayLike, w_star: ArrayLike, *, flip: float = 0.0, a: ArrayLike | None = None, k: int = 1
) -> DriftPrediction:
    """Which coordinates oscillate and how often, predicted from the drift ``h = ĝ(w*)``.

    Eq. :eq:`recurrence-drift`, :prf:ref:`prop-recurrence-drift` and
    :prf:ref:`lem-recurrence-fraction`.

    At ``w*`` the update is ``u ← u − η h`` (a constant), so coordinate ``j`` oscillates iff
    ``h̃ⱼ = hⱼ w*ⱼ > 0``. Our heuristic for how often: while right, ``uⱼ w*ⱼ`` falls by ``η h̃ⱼ``
    per step; while wrong, the population field (``c (w − (1 − 2p) w*)`` with the rate
    ``c = ‖a‖² √(2/(πn))`` and flip probability ``p``) raises it by ``η (2 − 2p) c``. A bounded
    coordinate balances the two, so it is wrong a fraction ``fⱼ = h̃ⱼ / (h̃ⱼ + (2 − 2p) c)`` of the
    time. With ``h̃ⱼ = 2pc``, the population drift, this fraction is exactly ``p``.

    Parameters
    ----------
    h : array_like, shape (n,) or (trials, n)
        The drift: the coarse gradient at the teacher, ``stelib.coarse_gradient(Z, y, w_star)``.
        (Called ``c`` before; ``c=`` still works, with a ``DeprecationWarning``.)
    w_star : array_like, shape (n,) or (trials, n)
        Teacher(s).
    flip : float in [0, 1]
        Flip probability ``p`` of the labels (0 for additive noise).
    a : array_like, shape (k,), optional
        Second layer, default ``1/k``.
    k : int
        Patches (used when ``a`` is None).

    Returns
    -------
    DriftPrediction

    See chapter "Label noise and recurrence".
    """
    h = check_array(h, "h", ndim=(1, 2))
    w_star = check_binary(w_star, "w_star", ndim=(1, 2))
    if w_star.shape[-1] != h.shape[-1]:
        raise ValueError(f"w_star has length {w_star.shape[-1]}, must match h's {h.shape[-1]}.")
    flip = check_float(flip, "flip", min_value=0.0, max_value=1.0)
    back = _signal(h.shape[-1], second_layer(a, k), 2.0 - 2.0 * flip)  # (2 − 2p) c
    inward = h * w_star
    osc = inward > 0
    frac = np.where(osc, inward / np.where(osc, inward + back, 1.0), 0.0)
    return DriftPrediction(
        inward=inward,
        oscillating=osc,
        wrong_fraction=frac,
        occupation=np.prod(1.0 - frac, axis=-1),
    )


@renamed_keyword("c", "h")
def exit_time(u: ArrayLike, h: ArrayLike, w_star: ArrayLike, *, eta: float = 1.0) -> np.ndarray:
    """Steps until ``u`` leaves the orthant of ``w*`` under the constant field ``−η h``.

    Eq. :eq:`recurrence-exit-time`, with the drift ``h = ĝ(w*)``.

    If ``sign(u) = w*`` the iterate after ``t`` steps is ``u − tη h`` until one coordinate
    changes sign. Coordinate ``j`` with ``h̃ⱼ = hⱼ w*ⱼ > 0`` changes sign first at
    ``⌊uⱼ/(η hⱼ)⌋ + 1`` if ``w*ⱼ = +1`` and at ``⌈uⱼ/(η hⱼ)⌉`` if ``w*ⱼ = −1`` (the convention
    ``sign(0) = +1``); the exit time is the smallest of these, which is also the length of the
    sojourn at ``w*`` that starts at ``u``. Box clipping does not change it (it only stops
    coordinates that move outwards).

    Parameters
    ----------
    u : array_like, shape (n,) or (trials, n)
        Latent weights with ``sign(u) = w*``.
    h : array_like, shape (n,) or (trials, n)
        The drift ``ĝ(w*)``. (Called ``c`` before; ``c=`` still works, with a
        ``DeprecationWarning``.)
    w_star : array_like, shape (n,) or (trials, n)
        Teacher(s).
    eta : float > 0
        Step size.

    Returns
    -------
    numpy.ndarray of int, shape ``u.shape[:-1]``
        Number of steps spent at ``w*`` (at least 1), ``-1`` if no coordinate moves towards zero
        (the orthant is then absorbing).

    See chapter "Label noise and recurrence".
    """
    u = check_array(u, "u", ndim=(1, 2))
    h = check_array(h, "h", ndim=(1, 2))
    w_star = check_binary(w_star, "w_star", ndim=(1, 2))
    eta = check_float(eta, "eta", min_value=0.0, strict_min=True)
    try:
        u, h, w_star = np.broadcast_arrays(u, h, w_star)
    except ValueError:
        raise ValueError(
            f"u, h and w_star have shapes {u.shape}, {h.shape}, {w_star.shape}; they must "
            "broadcast to one (trials, n) shape."
        ) from None
    if np.any(sign(u) != w_star):
        raise ValueError("u is not in the orthant of w_star (sign(u) != w_star somewhere).")
    inward = h * w_star > 0
    step = np.where(inward, eta * h, 1.0)
    ratio = u / step
    cross = np.where(w_star > 0, np.floor(ratio) + 1.0, np.ceil(ratio))
    cross = np.where(inward, cross, np.inf)
    s = np.min(cross, axis=-1)
    return np.where(np.isfinite(s), s, -1).astype(np.int64)
