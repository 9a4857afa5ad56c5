"""The full path of the STE-gradient method: every latent iterate, which weights flip, which
samples are wrong.

Taught in chapters "STE with finite samples" (``chapters/finite_samples.ipynb``) and "Label
noise and recurrence" (``chapters/recurrence.ipynb``).

:func:`stelib.ste_gradient_method` keeps only what a sweep needs (hitting time, distance, loss).
To look inside a run, :func:`latent_trajectory` records every latent iterate ``uₜ``: the one
recorded-path function. :func:`ste_trajectory` derives from it

* ``flips[t] = #{j : wₜ₊₁,ⱼ ≠ wₜⱼ}``, coordinates that change sign in step ``t``;
* ``misclassified[t] = #{i : f(Zᵢ; wₜ) ≠ yᵢ}``, the samples the network gets wrong;
* ``distance[t] = #{j : wₜⱼ ≠ w*ⱼ}``, the Hamming distance ``dₜ``.

Both form ``ĝ`` with the library's one coarse gradient, so their iterates are those of the
reference loop and of the engine.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _gradient
from ._types import ArrayLike
from ._validate import check_binary, check_float, check_int, check_memory
from .data import sample_trials
from .model import angle_from_hamming, sign
from .ste import check_run_inputs, ste_gradient_method
from .theory import population_dynamics, population_loss, population_steps

__all__ = [
    "latent_trajectory",
    "STETrajectory",
    "ste_trajectory",
    "FiniteSamplesRun",
    "finite_samples_run",
    "SetupTrajectories",
    "setup_trajectories",
]


def latent_trajectory(
    Z: ArrayLike,
    y: ArrayLike,
    u0: ArrayLike,
    *,
    a: ArrayLike | None = None,
    eta: float = 1.0,
    steps: int = 1000,
    ste: str = "identity",
    ste_scale: float = 1.0,
    clip: float | None = None,
) -> np.ndarray:
    """Every latent iterate ``u₀, …, u_T`` of the STE-gradient method.

    Eq. :eq:`recurrence-map`.

    ``uₜ₊₁ = clip(uₜ − η ĝ(sign uₜ), −C, C)`` with the coarse gradient of
    :func:`stelib.coarse_gradient`, for all trials at once: the binary iterates
    ``wₜ = sign(uₜ)`` are those of :func:`stelib.ste_gradient_method_reference` and of the
    engine. At a fixed point (``ĝ(wₜ) = 0``) nothing moves any more and the remaining rows repeat
    ``uₜ``.

    Parameters
    ----------
    Z : array_like, shape (trials, m, k, n)
    y : array_like, shape (trials, m)
    u0 : array_like, shape (trials, n)
    a, eta, ste, ste_scale, clip
        As in :func:`stelib.ste_gradient_method`.
    steps : int >= 0
        Number of steps ``T``; memory ``8 · trials · (T + 1) · n`` bytes.

    Returns
    -------
    numpy.ndarray, shape (trials, steps + 1, n)

    See chapter "Label noise and recurrence".
    """
    Z, y, u0, _, a, eta, steps, thr, clip = check_run_inputs(
        Z, y, u0, None, a, eta, steps, ste, ste_scale, clip
    )
    trials, n = u0.shape
    check_memory((trials, steps + 1, n), "trials × (steps + 1) × n")
    U = np.empty((trials, steps + 1, n))
    u = U[:, 0] = u0
    for t in range(steps):
        g = _gradient.coarse_gradients(Z, y, sign(u), a, thr, ste)  # 0 at a fixed point
        u = u - eta * g
        if clip is not None:
            u = np.clip(u, -clip, clip)
        U[:, t + 1] = u
    return U


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
    Z: ArrayLike,
    y: ArrayLike,
    u0: ArrayLike,
    *,
    w_star: ArrayLike | None = None,
    a: ArrayLike | None = None,
    eta: float = 1.0,
    steps: int = 1000,
) -> STETrajectory:
    """Run the STE-gradient method (identity STE) and record every binary iterate.

    Eq. :eq:`finite-ste`.

    ``Z``, ``y``, ``u0``, ``w_star`` (here for the distance), ``a``, ``eta`` and ``steps`` are
    those of :func:`stelib.ste_gradient_method`; memory ``8 · trials · (steps + 1) · n`` bytes.

    Returns
    -------
    STETrajectory

    See chapter "STE with finite samples".
    """
    Z, y, u0, _, a, eta, steps, _, _ = check_run_inputs(
        Z, y, u0, None, a, eta, steps, "identity", 1.0, None
    )
    trials, m, k, n = Z.shape
    if w_star is not None:
        w_star = np.broadcast_to(check_binary(w_star, "w_star", ndim=(1, 2)), (trials, n))
    U = latent_trajectory(Z, y, u0, a=a, eta=eta, steps=steps)
    W = sign(U).astype(np.int8)
    flips = np.count_nonzero(W[:, 1:] != W[:, :-1], axis=2)
    # f(Z_i; w_t) for every t: signs of (trials, m·k, steps + 1) pre-activations
    S = sign(np.matmul(Z.reshape(trials, m * k, n), W.transpose(0, 2, 1).astype(np.float64)))
    f = np.einsum("bmkt,k->bmt", S.reshape(trials, m, k, steps + 1), a)
    misclassified = np.count_nonzero(f != y[:, :, None], axis=1)
    distance = None if w_star is None else np.count_nonzero(W != w_star[:, None, :], axis=2)
    return STETrajectory(
        w=W, u=U[:, -1], distance=distance, flips=flips, misclassified=misclassified
    )


# ---------------------------------------------------------------------------------------------
# Chapter "STE with finite samples": one run from inside
# ---------------------------------------------------------------------------------------------


class FiniteSamplesRun(NamedTuple):
    """One STE run looked at from inside (chapter "STE with finite samples").

    Attributes
    ----------
    n, m, steps, seed : int
    ratio : float
        ``η / init_scale`` (``η = 1``, ``u₀ = N(0, I)/ratio``).
    distance : numpy.ndarray of int, shape (steps + 1,)
        Hamming distance ``dₜ``.
    flips : numpy.ndarray of int, shape (steps,)
        Coordinates that change sign in each step.
    misclassified : numpy.ndarray, shape (steps + 1,)
        Fraction of the ``m`` training samples that ``wₜ`` gets wrong.
    fresh : numpy.ndarray, shape (steps + 1,)
        Fraction a fresh sample would get wrong, ``θₜ/π`` with ``cos θₜ = 1 − 2dₜ/n``.
    hit : int
        First ``t`` with ``wₜ = w*``, ``-1`` if none.
    """

    n: int
    m: int
    ratio: float
    steps: int
    seed: int
    distance: np.ndarray
    flips: np.ndarray
    misclassified: np.ndarray
    fresh: np.ndarray
    hit: int


def finite_samples_run(
    n: int, m: int, *, ratio: float = 1000.0, steps: int = 1000, seed: int = 0
) -> FiniteSamplesRun:
    """Trial 0 of ``(n, m)`` at root ``seed``, run with :func:`stelib.ste_trajectory`.

    ``η = 1`` and ``u₀ = N(0, I)/ratio``: only the ratio ``η / scale(u₀)`` matters.
    """
    n = check_int(n, "n", min_value=1)
    m = check_int(m, "m", min_value=1)
    ratio = check_float(ratio, "ratio", min_value=0.0, strict_min=True)
    steps = check_int(steps, "steps", min_value=1)
    t = sample_trials(n, m, trials=1, seed=seed, init_scale=1.0 / ratio)
    tr = ste_trajectory(t.Z, t.y, t.u0, w_star=t.w_star, eta=1.0, steps=steps)
    d = tr.distance[0]
    hits = np.flatnonzero(d == 0)
    return FiniteSamplesRun(
        n=n,
        m=m,
        ratio=ratio,
        steps=steps,
        seed=int(seed),
        distance=d,
        flips=tr.flips[0],
        misclassified=tr.misclassified[0] / m,
        fresh=angle_from_hamming(d, n) / np.pi,
        hit=int(hits[0]) if hits.size else -1,
    )


# ---------------------------------------------------------------------------------------------
# Chapter "The setup, derived": finite-sample runs against the population dynamics
# ---------------------------------------------------------------------------------------------


class SetupTrajectories(NamedTuple):
    """Finite-sample STE runs and the population dynamics from the same starts.

    Attributes
    ----------
    n, m, steps, seed : int
    eta : float
        Step size, with ``u₀ ~ N(0, I)`` (only ``η`` relative to the scale of ``u₀`` matters).
    ste : str
    distance : numpy.ndarray of int, shape (trials, steps + 1)
        Hamming distance ``dₜ`` of the finite-sample runs.
    loss : numpy.ndarray, shape (trials, steps + 1)
        Training loss ``L_m(wₜ)``.
    population_distance : numpy.ndarray of int, shape (trials, steps + 1)
        ``dₜ`` of the population dynamics (``m = ∞``) from the same ``u₀``.
    population_loss : numpy.ndarray, shape (trials, steps + 1)
        Population loss ``2θₜ/π`` along the population dynamics.
    hit : numpy.ndarray of int, shape (trials,)
        First ``t`` with ``wₜ = w*`` for the finite-sample runs, ``-1`` if never within ``steps``.
    population_steps : numpy.ndarray of int, shape (trials,)
        Exact number of population steps to reach ``w*``.
    """

    n: int
    m: int
    eta: float
    ste: str
    steps: int
    seed: int
    distance: np.ndarray
    loss: np.ndarray
    population_distance: np.ndarray
    population_loss: np.ndarray
    hit: np.ndarray
    population_steps: np.ndarray


def setup_trajectories(
    n: int,
    m: int,
    *,
    eta: float = 1.0,
    ste: str = "identity",
    steps: int = 60,
    trials: int = 4,
    seed: int = 0,
) -> SetupTrajectories:
    """Run ``trials`` finite-sample STE trajectories and the population dynamics from their starts.

    Trial ``i`` is :func:`stelib.sample_trial` drawn from ``trial_seed(seed, n, m, 1, i)`` with
    ``u₀ ~ N(0, I)``; the STE-gradient method runs ``steps`` iterations with step ``eta``; the
    population dynamics ``uₜ₊₁ = uₜ − η√(2/(πn))(sign uₜ − w*)`` starts from the same ``u₀``.
    See chapter "The setup, derived".
    """
    n = check_int(n, "n", min_value=1)
    m = check_int(m, "m", min_value=1)
    steps = check_int(steps, "steps", min_value=0)
    trials = check_int(trials, "trials", min_value=1)
    eta = check_float(eta, "eta", min_value=0.0, strict_min=True)
    data = sample_trials(n, m, trials=trials, seed=seed, init_scale=1.0)
    run = ste_gradient_method(
        data.Z, data.y, data.u0, w_star=data.w_star, eta=eta, steps=steps, ste=ste, record=True
    )
    pop_d = np.empty((trials, steps + 1), dtype=np.int64)
    pop_loss = np.empty((trials, steps + 1))
    pop_steps = np.empty(trials, dtype=np.int64)
    for i in range(trials):
        pop = population_dynamics(data.u0[i], data.w_star[i], eta=eta, steps=steps)
        pop_d[i] = pop.distance[0]
        pop_loss[i] = [population_loss(sign(u), data.w_star[i]) for u in pop.u[0]]
        pop_steps[i] = population_steps(data.u0[i], data.w_star[i], eta=eta)[0]
    return SetupTrajectories(
        n=n,
        m=m,
        eta=eta,
        ste=ste,
        steps=steps,
        seed=int(seed),
        distance=run.distance,
        loss=run.loss,
        population_distance=pop_d,
        population_loss=pop_loss,
        hit=run.hit,
        population_steps=pop_steps,
    )
