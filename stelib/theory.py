"""Closed forms of the population (infinite-sample) model, SPEC §2.

Derived, and checked against Monte Carlo, in chapter "The setup, derived"
(``chapters/setup.ipynb``). For Gaussian ``x ~ N(0, Iₙ)`` and nonzero ``a, b ∈ ℝⁿ`` with angle
``θ(a, b)``:

* ``E[sign⟨x,a⟩ sign⟨x,b⟩] = 1 − 2θ/π``;
* ``E[x sign⟨x,w⟩] = √(2/π) · w/‖w‖``;
* population loss ``L(w) = ½ E(f(Z;w) − f(Z;w*))² = ‖a‖² · 2θ(w, w*)/π``;
* population coarse gradient (identity STE) ``‖a‖² √(2/π) (w/‖w‖ − w*/‖w*‖)``, which for binary
  ``w, w*`` is ``‖a‖² √(2/(πn)) (w − w*)``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import check_array, check_binary, check_float, check_int, check_second_layer
from .model import sign

__all__ = [
    "angle",
    "sign_correlation",
    "gaussian_sign_moment",
    "population_loss",
    "population_coarse_gradient",
    "PopulationRun",
    "population_dynamics",
    "population_steps",
]


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


def angle(a, b) -> float:
    """Angle ``θ(a, b) = arccos(⟨a,b⟩ / (‖a‖‖b‖))`` in ``[0, π]``."""
    a, b = _pair(a, b, ("a", "b"))
    c = np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.arccos(np.clip(c, -1.0, 1.0)))


def sign_correlation(a, b) -> float:
    """``E[sign⟨x,a⟩ sign⟨x,b⟩] = 1 − 2θ(a,b)/π`` for ``x ~ N(0, Iₙ)``.

    The two signs disagree exactly when the hyperplane ``x^⊥`` separates ``a`` from ``b``, which
    for a rotation-invariant ``x`` has probability ``θ/π``. See chapter "The setup, derived".
    """
    return 1.0 - 2.0 * angle(a, b) / np.pi


def gaussian_sign_moment(w) -> np.ndarray:
    """``E[x sign⟨x,w⟩] = √(2/π) · w/‖w‖`` for ``x ~ N(0, Iₙ)``.

    Along ``w/‖w‖`` this is ``E|g| = √(2/π)`` for ``g ~ N(0, 1)``; orthogonal components are
    independent of the sign and average to zero. See chapter "The setup, derived".
    """
    w = _nonzero_vector(w, "w")
    return np.sqrt(2.0 / np.pi) * w / np.linalg.norm(w)


def population_loss(w, w_star, *, a=None, k: int = 1) -> float:
    """Population loss ``L(w) = ½ E(f(Z;w) − f(Z;w*))² = ‖a‖² · 2θ(w, w*)/π``.

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
    k = check_int(k, "k", min_value=1)
    a = check_second_layer(a, k if a is None else np.asarray(a).shape[0])
    return float(np.dot(a, a) * 2.0 * angle(w, w_star) / np.pi)


def population_coarse_gradient(w, w_star, *, a=None, k: int = 1) -> np.ndarray:
    """Expected coarse gradient (identity STE): ``‖a‖² √(2/π) (w/‖w‖ − w*/‖w*‖)``.

    For binary ``w, w* ∈ {±1}ⁿ`` this is ``‖a‖² √(2/(πn)) (w − w*)``: zero on the coordinates
    that are right, ``∓2‖a‖²√(2/(πn))`` on the wrong ones, pushing them back. See chapter "The
    setup, derived".
    """
    w, w_star = _pair(w, w_star, ("w", "w_star"))
    k = check_int(k, "k", min_value=1)
    a = check_second_layer(a, k if a is None else np.asarray(a).shape[0])
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
    k = check_int(k, "k", min_value=1)
    a = check_second_layer(a, k if a is None else np.asarray(a).shape[0])
    n = w_star.shape[0]
    rate = float(np.dot(a, a)) * np.sqrt(2.0 / (np.pi * n))  # ‖a‖² √(2/(πn))
    return u0, w_star, eta, rate


def population_dynamics(u0, w_star, *, eta: float = 1.0, steps: int = 10, a=None, k: int = 1):
    """Run ``uₜ₊₁ = uₜ − η ‖a‖²√(2/(πn)) (sign(uₜ) − w*)`` (the STE method with m = ∞).

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


def population_steps(u0, w_star, *, eta: float = 1.0, a=None, k: int = 1) -> np.ndarray:
    """Exact number of steps the population dynamics needs to reach ``w*``.

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
