"""STE variants and the options of practice (SPEC §3 E8).

Taught in chapter "STE variants and practice" (``chapters/variants.ipynb``).

* the population coarse gradient of every surrogate (:func:`surrogate_coefficients`,
  :func:`surrogate_population_gradient`), derived below up to one-dimensional integrals;
* the options of practice of a sweep (decaying step, weight decay, clipping, mini-batches):
  their defaults (:data:`RUN_DEFAULTS`), what a data file records (:func:`run_options`), their
  random streams (:func:`minibatch_stream`) and their cost (:func:`samples_processed`).

Derivation (ours; chapter "STE variants and practice", eqs. :eq:`variants-abc` and
:eq:`variants-kappa`; ``k = 1``, ``a = 1``, Gaussian ``x``, binary ``w``, ``w*`` at angle ``θ``).
Write ``ξ = ⟨x, ŵ⟩`` and ``ŵ* = cos θ ŵ + sin θ e`` with ``e ⊥ ŵ``, ``ζ = ⟨x, e⟩``; ``ξ`` and
``ζ`` are independent ``N(0, 1)``. With ``ν(ξ) = μ′(√n ξ)`` (the surrogate in units of the
pre-activation's standard deviation),

    ``E[x ν(ξ) (sign ξ − sign⟨x, ŵ*⟩)] = (J₀ − J₁) ŵ − J₂ e``,

``J₀ = E[|ξ| ν(ξ)]``, ``J₁ = E[ξ ν(ξ) erf(ξ cot θ/√2)]``, ``J₂ = E[2 ν(ξ) φ(ξ cot θ)]``
(average over ``ζ`` first). For binary ``w, w*`` (norm ``√n``) coordinate ``j`` of the
population coarse gradient is ``κ₊ wⱼ`` where ``wⱼ = w*ⱼ`` and ``κ₋ wⱼ`` where ``wⱼ ≠ w*ⱼ``:

    ``κ₊ = (J₀ − J₁ − J₂ tan(θ/2)) / √n``,   ``κ₋ = (J₀ − J₁ + J₂ cot(θ/2)) / √n``.

For the identity STE ``J₀ = √(2/π)``, ``J₁ = √(2/π) cos θ``, ``J₂ = √(2/π) sin θ``, so
``κ₊ = 0`` and ``κ₋ = 2√(2/(πn)) = 2c``: the setup chapter's ``c (w − w*)`` with the rate
``c = √(2/(πn))`` (:func:`stelib.signal`), under which a wrong coordinate gets ``2c``.
"""

from __future__ import annotations

import numpy as np
from scipy import integrate, special

from . import _variants
from ._validate import check_binary, check_float, check_int
from .data import trial_seed
from .ste import _check_ste

__all__ = [
    "surrogate_coefficients",
    "surrogate_population_gradient",
    "RUN_DEFAULTS",
    "run_options",
    "practice_task",
    "practice_keywords",
    "minibatch_stream",
    "samples_processed",
]


def _dens(t):
    """The standard normal density ``φ(t)``."""
    return np.exp(-0.5 * t * t) / np.sqrt(2.0 * np.pi)


def _nu(ste: str, scale: float):
    """``ν(ξ) = μ′(√n ξ)`` and its support ``[−L, L]``, ``L = r/√n = scale`` (the identity: the
    real line)."""
    if ste == "identity":
        return (lambda t: 1.0), np.inf
    if ste == "clipped":
        return (lambda t: 1.0), scale
    return (lambda t: 2.0 * (1.0 - abs(t) / scale)), scale


def surrogate_coefficients(
    theta: float, *, n: int, ste: str = "identity", ste_scale: float = 1.0
) -> tuple[float, float]:
    """``(κ₊, κ₋)``: the population coarse gradient per coordinate, eq. :eq:`variants-kappa`
    (:prf:ref:`prop-variants-population`; derivation in the module docstring).

    Parameters
    ----------
    theta : float in [0, π]
        Angle between ``w`` and ``w*`` (``cos θ = 1 − 2d/n`` for binary weights).
    n : int
        Dimension.
    ste, ste_scale
        The surrogate, see :func:`stelib.ste_derivative`.

    Returns
    -------
    tuple of float
        ``κ₊`` (coordinates where ``w`` is right; 0 for the identity STE) and ``κ₋`` (wrong);
        coordinate ``j`` of ``E ĝ(w)`` is ``κ₊ wⱼ`` or ``κ₋ wⱼ``. At ``θ = 0`` both are 0
        (``ĝ = 0`` at ``w*``).
    """
    theta = check_float(theta, "theta", min_value=0.0, max_value=np.pi)
    n = check_int(n, "n", min_value=1)
    scale = _check_ste(ste, ste_scale)
    if theta == 0.0:
        return 0.0, 0.0
    nu, L = _nu(ste, scale)
    J0 = 2.0 * integrate.quad(lambda t: t * nu(t) * _dens(t), 0.0, L)[0]
    if np.isclose(theta, np.pi, rtol=0.0, atol=1e-12):
        return np.nan, 2.0 * J0 / np.sqrt(n)  # w = −w*: no coordinate is right
    cot = np.cos(theta) / np.sin(theta)
    J1 = (
        2.0
        * integrate.quad(
            lambda t: t * nu(t) * special.erf(t * cot / np.sqrt(2.0)) * _dens(t), 0.0, L
        )[0]
    )
    J2 = 4.0 * integrate.quad(lambda t: nu(t) * _dens(t * cot) * _dens(t), 0.0, L)[0]
    half = theta / 2.0
    return (J0 - J1 - J2 * np.tan(half)) / np.sqrt(n), (J0 - J1 + J2 / np.tan(half)) / np.sqrt(n)


def surrogate_population_gradient(
    w, w_star, *, ste: str = "identity", ste_scale: float = 1.0
) -> np.ndarray:
    """``E ĝ(w)`` over Gaussian inputs for binary ``w, w*`` (``k = 1``, ``a = 1``), any surrogate.

    Coordinate ``j`` is ``κ₊ wⱼ`` or ``κ₋ wⱼ`` (:func:`surrogate_coefficients`). For
    the identity STE this is :func:`stelib.population_coarse_gradient`'s ``c (w − w*)``, with the
    rate ``c = √(2/(πn))``.
    """
    w = check_binary(w, "w")
    w_star = check_binary(w_star, "w_star")
    if w.shape != w_star.shape:
        raise ValueError(f"w has shape {w.shape}, must match w_star's {w_star.shape}.")
    n = w.size
    d = int(np.count_nonzero(w != w_star))
    theta = float(np.arccos(np.clip(1.0 - 2.0 * d / n, -1.0, 1.0)))
    right, wrong = surrogate_coefficients(theta, n=n, ste=ste, ste_scale=ste_scale)
    return np.where(w == w_star, 0.0 if d == n else right, wrong) * w


class _Defaults(dict):
    """The options of practice at their defaults, the book's model (``ste="identity"``, no
    clipping, constant step, no weight decay, full batch): a data file records an option only
    where it differs from these (so the book's existing files keep their bytes)."""


RUN_DEFAULTS = _Defaults(
    {
        "ste": "identity",
        "ste_scale": 1.0,
        "clip": None,
        "eta_decay": None,
        "weight_decay": 0.0,
        "minibatch": None,
    }
)


def run_options(**options) -> dict:
    """The entries of ``options`` that differ from :data:`RUN_DEFAULTS`, in its order
    (``ste_scale`` only with a surrogate other than the identity, which has no width)."""
    unknown = sorted(set(options) - set(RUN_DEFAULTS))
    if unknown:
        raise ValueError(f"unknown options {unknown}, must be among {list(RUN_DEFAULTS)}.")
    full = {**RUN_DEFAULTS, **options}
    out = {k: full[k] for k in RUN_DEFAULTS if full[k] != RUN_DEFAULTS[k]}
    if full["ste"] == "identity":
        out.pop("ste_scale", None)
    return out


def practice_task(clip, eta_decay, weight_decay, minibatch, *, eta, m) -> tuple:
    """Validated ``(clip, eta_decay, weight_decay, minibatch)`` for the tasks of a sweep over
    sample sizes ``m``, or ``()`` at the defaults (so the book's sweeps keep their cache keys)."""
    if clip is not None:
        clip = check_float(clip, "clip", min_value=0.0, strict_min=True)
    m_min = int(np.min(m))
    opts = _variants.check_options(eta_decay, weight_decay, None, None, trials=1, m=m_min, eta=eta)
    if minibatch is not None:
        minibatch = check_int(minibatch, "minibatch", min_value=1)
        if minibatch > m_min:
            raise ValueError(f"minibatch == {minibatch}, must be at most min(m) == {m_min}.")
    more = (clip, opts.eta_decay, opts.weight_decay, minibatch)
    return () if more == (None, None, 0.0, None) else more


def minibatch_stream(seed: int, *, n: int, m: int, k: int, trial: int) -> np.random.SeedSequence:
    """The mini-batch stream of a trial: the first child of its stream,
    ``trial_seed(seed, n=n, m=m, k=k, trial=trial).spawn(1)[0]`` (its data draws are untouched)."""
    return trial_seed(seed, n=n, m=m, k=k, trial=trial).spawn(1)[0]


def practice_keywords(more: tuple, *, seed: int, n: int, m: int, k: int, trials) -> dict:
    """Keywords of :func:`stelib.ste_gradient_method` for ``more`` (:func:`practice_task`) and
    the trial indices ``trials`` (their mini-batch streams, :func:`minibatch_stream`)."""
    if not more:
        return {}
    clip, eta_decay, weight_decay, minibatch = more
    rng = None
    if minibatch is not None:
        rng = [minibatch_stream(seed, n=n, m=m, k=k, trial=i) for i in trials]
    return {
        "clip": clip,
        "eta_decay": eta_decay,
        "weight_decay": weight_decay,
        "minibatch": minibatch,
        "rng": rng,
    }


def samples_processed(t, *, m: int, minibatch: int | None = None) -> np.ndarray:
    """Per-sample gradients computed in the first ``t`` steps (``t`` array_like of int).

    ``m`` per full-batch step; ``|B|`` per mini-batch step, in epochs of ``⌈m/B⌉`` batches
    whose last one is smaller when ``B`` does not divide ``m``.
    """
    m = check_int(m, "m", min_value=1)
    if minibatch is not None:
        minibatch = check_int(minibatch, "minibatch", min_value=1)
    return _variants.samples_processed(t, m, minibatch)
