"""The sign moment ``M(w) = E[x sign⟨x,w⟩]`` off Gaussian data and the population dynamics.

Taught in chapter "Beyond Gaussian data" (``chapters/inputs.ipynb``). For Gaussian ``x`` the
identity ``M(w) = √(2/π) w/‖w‖`` (:func:`stelib.gaussian_sign_moment`) makes the population
coarse gradient ``M(w) − M(w*)`` vanish on the right coordinates and push the wrong ones back.
For the other input families of :func:`stelib.sample_inputs` it does not hold. What remains
(derived in the chapter): if the law of ``x`` is exchangeable (unchanged by permuting the
coordinates), then for binary ``w``

    ``M(w) = A(S) w + B(S) 𝟙``,  ``S = ⟨𝟙, w⟩``,

two numbers per value of ``S``. Every family of the book is exchangeable, so its population
dynamics (``k = 1``, identity STE, ``m = ∞``) is ``uₜ₊₁ = uₜ − η (M(wₜ) − M(w*))`` with these two
functions. Closed forms (:func:`sign_moment_coefficients` without ``samples``):

* Gaussian: ``A = √(2/(πn))``, ``B = 0``;
* shifted ``x = μ𝟙 + g``: with ``χ = ⟨μ𝟙, ŵ⟩ = μS/√n``, ``A = √(2/(πn)) e^{−χ²/2}``,
  ``B = μ erf(χ/√2)`` (:func:`shifted_sign_moment` for any mean vector);
* anisotropic ``N(0, Σ)``, ``Σ = (1−γ)I + γ𝟙𝟙ᵀ``: ``M(w) = √(2/π) Σw/√(wᵀΣw)``
  (:func:`anisotropic_sign_moment` for any ``Σ``), so with ``N² = (1−γ)n + γS²``,
  ``A = √(2/π)(1−γ)/N``, ``B = √(2/π) γS/N``.

The others, and any family after a normalisation layer, by Monte Carlo.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.special import erf

from ._validate import check_array, check_binary, check_float, check_int, check_rng
from .input_families import (
    check_normalise,
    input_parameters,
    normalise_inputs,
    sample_inputs,
)
from .model import sign
from .theory import signal

__all__ = [
    "shifted_sign_moment",
    "anisotropic_sign_moment",
    "SignMomentCoefficients",
    "sign_moment_coefficients",
    "exchangeable_population_dynamics",
]


def _w(w):
    w = check_array(w, "w", ndim=1)
    if not np.any(w != 0):
        raise ValueError("w must be a nonzero vector.")
    return w


def shifted_sign_moment(w, mu) -> np.ndarray:
    """``E[x sign⟨x,w⟩]`` for ``x = μ + g``, ``g ~ N(0, Iₙ)``.

    Write ``ŵ = w/‖w‖`` and ``χ = ⟨μ, ŵ⟩``; then ``⟨x, w⟩/‖w‖ = χ + z`` with ``z = ⟨g, ŵ⟩ ~
    N(0, 1)``, and the component of ``g`` orthogonal to ``ŵ`` is independent of ``z``. So

        ``E[x sign⟨x,w⟩] = E[z sign(χ + z)] ŵ + E[sign(χ + z)] μ``
        ``= √(2/π) e^{−χ²/2} ŵ + erf(χ/√2) μ``,

    using ``E[z sign(z + χ)] = 2φ(χ)`` and ``E sign(z + χ) = 2Φ(χ) − 1``. At ``μ = 0`` this is the
    Gaussian identity. Eq. :eq:`inputs-shifted` of chapter "Beyond Gaussian data".

    Parameters
    ----------
    w : array_like, shape (n,)
        Nonzero weight vector.
    mu : float or array_like, shape (n,)
        Mean of ``x`` (a number ``μ`` means ``μ𝟙``).
    """
    w = _w(w)
    mu = np.broadcast_to(check_array(mu, "mu", ndim=(0, 1)), w.shape)
    w_hat = w / np.linalg.norm(w)
    chi = float(mu @ w_hat)
    return np.sqrt(2.0 / np.pi) * np.exp(-(chi**2) / 2.0) * w_hat + erf(chi / np.sqrt(2.0)) * mu


def anisotropic_sign_moment(w, cov) -> np.ndarray:
    """``E[x sign⟨x,w⟩] = √(2/π) Σw/√(wᵀΣw)`` for ``x ~ N(0, Σ)``.

    With ``x = Σ^{1/2} g``: ``⟨x, w⟩ = ⟨g, Σ^{1/2} w⟩``, so the Gaussian identity gives
    ``E[g sign⟨x,w⟩] = √(2/π) Σ^{1/2}w/‖Σ^{1/2}w‖``; multiply by ``Σ^{1/2}``. The direction is
    ``Σw``, not ``w``. Eq. :eq:`inputs-anisotropic` of chapter "Beyond Gaussian data".

    Parameters
    ----------
    w : array_like, shape (n,)
        Nonzero weight vector.
    cov : array_like, shape (n, n)
        Positive definite covariance ``Σ``.
    """
    w = _w(w)
    cov = check_array(cov, "cov", ndim=2)
    if cov.shape != (w.size, w.size):
        raise ValueError(f"cov has shape {cov.shape}, must be ({w.size}, {w.size}).")
    cw = cov @ w
    quad = float(w @ cw)
    if not quad > 0:
        raise ValueError(f"w^T cov w == {quad}, must be > 0 (cov must be positive definite).")
    return np.sqrt(2.0 / np.pi) * cw / np.sqrt(quad)


class SignMomentCoefficients(NamedTuple):
    """``M(w) = A(S) w + B(S) 𝟙`` for binary ``w`` with ``S = ⟨𝟙, w⟩``.

    Attributes
    ----------
    n : int
        Dimension.
    S : numpy.ndarray of int, shape (n + 1,)
        ``−n, −n + 2, …, n``.
    A, B : numpy.ndarray, shape (n + 1,)
        The coefficients at each ``S``. At ``S = ±n`` only ``A ± B`` is defined (``w = ±𝟙``);
        there ``B = 0`` by convention.
    A_se, B_se : numpy.ndarray, shape (n + 1,)
        Monte Carlo standard errors (zeros for closed forms).
    """

    n: int
    S: np.ndarray
    A: np.ndarray
    B: np.ndarray
    A_se: np.ndarray
    B_se: np.ndarray

    def moment(self, w) -> np.ndarray:
        """``M(w) = A(S) w + B(S) 𝟙`` for binary ``w`` of shape ``(n,)`` or ``(trials, n)``."""
        w = np.asarray(w, dtype=float)
        i = (np.rint(w.sum(axis=-1)).astype(np.int64) + self.n) // 2
        return self.A[i][..., None] * w + self.B[i][..., None]


def _closed_form(n, inputs, params):
    S = np.arange(-n, n + 1, 2, dtype=np.int64)
    e_abs = np.sqrt(2.0 / np.pi)  # E|g| for g ~ N(0, 1)
    if inputs == "gaussian":
        A, B = np.full(S.shape, signal(n)), np.zeros(S.shape)
    elif inputs == "shifted":
        mu = params["mu"]
        chi = mu * S / np.sqrt(n)
        A, B = signal(n) * np.exp(-(chi**2) / 2.0), mu * erf(chi / np.sqrt(2.0))
    else:
        ups = params["corr"]  # the correlation υ
        norm = np.sqrt((1.0 - ups) * n + ups * S**2.0)
        A, B = e_abs * (1.0 - ups) / norm, e_abs * ups * S / norm
    # w = ±𝟙: M = (A ± B)𝟙; keep the convention B = 0 there.
    for i, sgn in ((0, -1.0), (-1, 1.0)):
        A[i], B[i] = A[i] + sgn * B[i], 0.0
    return S, A, B


def sign_moment_coefficients(
    n: int,
    *,
    inputs: str = "gaussian",
    normalise: str = "none",
    samples: int | None = None,
    df=None,
    mu=None,
    corr=None,
    rng=None,
) -> SignMomentCoefficients:
    """``A(S)`` and ``B(S)`` of ``M(w) = E[x sign⟨x,w⟩] = A(S) w + B(S) 𝟙``, ``S = −n … n``.

    Without ``samples``: the closed forms (Gaussian, shifted, anisotropic; no normalisation),
    see the module docstring. With ``samples``: Monte Carlo, for any family and normalisation.
    At each ``S`` take ``w`` with ``(n + S)/2`` leading ``+1``; draw ``samples`` inputs (fresh for
    each ``S``), pass them through the normalisation layer (its statistics estimated from these
    ``samples`` rows, close to the population ones), and average ``xⱼ sign⟨x,w⟩`` over the
    coordinates with ``wⱼ = +1`` (``A + B``) and with ``wⱼ = −1`` (``−A + B``). By
    exchangeability each coordinate of a group has the same expectation, so the group average
    is unbiased; the standard errors are over the samples.

    Parameters
    ----------
    n : int
        Dimension.
    inputs, normalise, df, mu, corr
        The family and the normalisation layer (:func:`stelib.sample_inputs`,
        :func:`stelib.normalise_inputs`).
    samples : int, optional
        Monte Carlo samples per value of ``S``; ``None`` for the closed form.
    rng : numpy.random.Generator, int or None
        Source of randomness (Monte Carlo only).

    Returns
    -------
    SignMomentCoefficients

    See chapter "Beyond Gaussian data".
    """
    n = check_int(n, "n", min_value=1)
    params = input_parameters(inputs, df=df, mu=mu, corr=corr)
    check_normalise(normalise)
    if samples is None:
        if inputs not in ("gaussian", "shifted", "anisotropic") or normalise != "none":
            raise ValueError(
                f"samples is None, but inputs == {inputs!r} with normalise == {normalise!r} "
                "has no closed form; give samples (Monte Carlo)."
            )
        S, A, B = _closed_form(n, inputs, params)
        zero = np.zeros(S.shape)
        return SignMomentCoefficients(n=n, S=S, A=A, B=B, A_se=zero, B_se=zero.copy())
    samples = check_int(samples, "samples", min_value=2)
    rng = check_rng(rng)
    S = np.arange(-n, n + 1, 2, dtype=np.int64)
    A, B, A_se, B_se = (np.zeros(S.shape) for _ in range(4))
    for i, s in enumerate(S):
        plus = (n + int(s)) // 2
        w = np.where(np.arange(n) < plus, 1.0, -1.0)
        X = sample_inputs(samples, n, inputs=inputs, rng=rng, **params)
        X = normalise_inputs(X, normalise=normalise)[:, 0, :]
        v = X * sign(X @ w)[:, None]
        hp = v[:, :plus].mean(axis=1) if plus else None  # per-sample group averages
        hm = v[:, plus:].mean(axis=1) if plus < n else None
        if hp is None or hm is None:
            h = hm if hp is None else hp
            A[i] = h.mean() * (1.0 if hp is not None else -1.0)
            A_se[i] = h.std(ddof=1) / np.sqrt(samples)
            continue
        a_i, b_i = (hp - hm) / 2.0, (hp + hm) / 2.0
        A[i], B[i] = a_i.mean(), b_i.mean()
        A_se[i] = a_i.std(ddof=1) / np.sqrt(samples)
        B_se[i] = b_i.std(ddof=1) / np.sqrt(samples)
    return SignMomentCoefficients(n=n, S=S, A=A, B=B, A_se=A_se, B_se=B_se)


def exchangeable_population_dynamics(
    u0, w_star, coefficients: SignMomentCoefficients, *, eta: float = 1.0, steps: int = 1000
) -> np.ndarray:
    """Hitting times of ``w*`` under ``uₜ₊₁ = uₜ − η (M(wₜ) − M(w*))``, ``wₜ = sign(uₜ)``.

    The STE-gradient method with ``m = ∞`` (``k = 1``, identity STE) for an exchangeable input
    family with sign moment ``M(w) = A(S) w + B(S) 𝟙`` (``coefficients``). For Gaussian inputs
    this is :func:`stelib.population_dynamics`.

    Parameters
    ----------
    u0 : array_like, shape (trials, n)
        Initial latent weights.
    w_star : array_like, shape (trials, n) or (n,)
        Teachers.
    coefficients : SignMomentCoefficients
        From :func:`sign_moment_coefficients` (same ``n``).
    eta : float > 0
        Step size.
    steps : int >= 0
        Budget.

    Returns
    -------
    numpy.ndarray of int, shape (trials,)
        First ``t ≤ steps`` with ``wₜ = w*``; ``-1`` if none.

    See chapter "Beyond Gaussian data".
    """
    u = np.atleast_2d(check_array(u0, "u0", ndim=(1, 2))).copy()
    w_star = np.broadcast_to(check_binary(w_star, "w_star", ndim=(1, 2)), u.shape)
    if not isinstance(coefficients, SignMomentCoefficients):
        raise TypeError(
            f"coefficients must be a SignMomentCoefficients, got {type(coefficients).__name__}."
        )
    if coefficients.n != u.shape[1]:
        raise ValueError(f"coefficients.n == {coefficients.n}, must be n == {u.shape[1]}.")
    eta = check_float(eta, "eta", min_value=0.0, strict_min=True)
    steps = check_int(steps, "steps", min_value=0)
    target = coefficients.moment(w_star)
    hit = np.full(u.shape[0], -1, dtype=np.int64)
    active = np.ones(u.shape[0], dtype=bool)
    for t in range(steps + 1):
        w = sign(u)
        done = active & np.all(w == w_star, axis=1)
        hit[done] = t
        active &= ~done
        if t == steps or not active.any():
            break
        u[active] -= eta * (coefficients.moment(w[active]) - target[active])
    return hit
