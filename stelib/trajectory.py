"""The full path of the STE-gradient method: which weights flip, which samples are wrong.

Taught in chapter "STE with finite samples" (``chapters/finite_samples.ipynb``).

:func:`stelib.ste_gradient_method` keeps only what a sweep needs (hitting time, distance, loss).
To look inside a run, :func:`ste_trajectory` records every binary iterate ``wₜ`` and derives

* ``flips[t] = #{j : wₜ₊₁,ⱼ ≠ wₜⱼ}``, coordinates that change sign in step ``t``;
* ``misclassified[t] = #{i : f(Zᵢ; wₜ) ≠ yᵢ}``, the samples the network gets wrong;
* ``distance[t] = #{j : wₜⱼ ≠ w*ⱼ}``, the Hamming distance ``dₜ``.

It advances the engine one step at a time, so its iterates are the engine's, exactly.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import check_array, check_binary, check_float, check_int, check_second_layer
from .model import sign
from .ste import ste_gradient_method

__all__ = ["STETrajectory", "ste_trajectory"]


class STETrajectory(NamedTuple):
    """Every iterate of the STE-gradient method; a leading ``trials`` axis everywhere.

    Attributes
    ----------
    w : numpy.ndarray of int8, shape (trials, steps + 1, n)
        Binary iterates ``wₜ = sign(uₜ)``.
    u : numpy.ndarray, shape (trials, n)
        Final latent weights ``u_T``.
    distance : numpy.ndarray of int, shape (trials, steps + 1) or None
        Hamming distance ``dₜ`` to ``w*`` (when ``w_star`` is given).
    flips : numpy.ndarray of int, shape (trials, steps)
        Coordinates that change sign from ``wₜ`` to ``wₜ₊₁``.
    misclassified : numpy.ndarray of int, shape (trials, steps + 1)
        Samples with ``f(Zᵢ; wₜ) ≠ yᵢ``.
    """

    w: np.ndarray
    u: np.ndarray
    distance: np.ndarray | None
    flips: np.ndarray
    misclassified: np.ndarray


def ste_trajectory(
    Z,
    y,
    u0,
    *,
    w_star=None,
    a=None,
    eta: float = 1.0,
    steps: int = 1000,
) -> STETrajectory:
    """Run the STE-gradient method (identity STE) and record every binary iterate.

    Parameters
    ----------
    Z : array_like, shape (trials, m, k, n)
        Inputs of each trial.
    y : array_like, shape (trials, m)
        Labels of each trial.
    u0 : array_like, shape (trials, n)
        Initial latent weights.
    w_star : array_like, shape (n,) or (trials, n), optional
        Teacher(s), for the distance.
    a : array_like, shape (k,), optional
        Second layer, default ``1/k``.
    eta : float > 0
        Step size.
    steps : int >= 0
        Number of steps ``T`` (memory ``trials · (T + 1) · n`` bytes).

    Returns
    -------
    STETrajectory

    See chapter "STE with finite samples".
    """
    Z = check_array(Z, "Z", ndim=4)
    trials, m, k, n = Z.shape
    y = check_array(y, "y", ndim=2)
    u = check_array(u0, "u0", ndim=2).copy()
    if u.shape != (trials, n):
        raise ValueError(f"u0 has shape {u.shape}, must be ({trials}, {n}) to match Z.")
    a = check_second_layer(a, k)
    eta = check_float(eta, "eta", min_value=0.0, strict_min=True)
    steps = check_int(steps, "steps", min_value=0)
    if w_star is not None:
        w_star = np.broadcast_to(check_binary(w_star, "w_star", ndim=(1, 2)), (trials, n))

    W = np.empty((trials, steps + 1, n), dtype=np.int8)
    W[:, 0] = sign(u)
    for t in range(steps):
        u = ste_gradient_method(Z, y, u, a=a, eta=eta, steps=1).u
        W[:, t + 1] = sign(u)
    flips = np.count_nonzero(W[:, 1:] != W[:, :-1], axis=2)
    # f(Z_i; w_t) for every t: signs of (trials, m·k, steps + 1) pre-activations
    S = sign(np.matmul(Z.reshape(trials, m * k, n), W.transpose(0, 2, 1).astype(np.float64)))
    f = np.einsum("bmkt,k->bmt", S.reshape(trials, m, k, steps + 1), a)
    misclassified = np.count_nonzero(f != y[:, :, None], axis=1)
    distance = None if w_star is None else np.count_nonzero(W != w_star[:, None, :], axis=2)
    return STETrajectory(w=W, u=u, distance=distance, flips=flips, misclassified=misclassified)
