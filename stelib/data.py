"""Teacher–student data (SPEC §2): teacher, input families, normalisation, labels, trials.

Taught in chapter "The setup, derived" (``chapters/setup.ipynb``); the input families other than
the Gaussian one and the normalisation layer in chapter "Beyond Gaussian data"
(``chapters/inputs.ipynb``).

Randomness follows the book's convention: every function takes an ``rng`` (anything
``numpy.random.default_rng`` accepts), and a *trial* draws everything it needs, in a fixed
order, from its own stream,

    ``SeedSequence(seed, spawn_key=(n, m, k, i))``  for trial ``i``,

which is the ``i``-th child that ``SeedSequence(seed, spawn_key=(n, m, k)).spawn`` would make.
So trial ``i`` is the same whether 1 or 1000 trials run, in one batch or many, on any worker, and
whatever the other grid points are.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import check_array, check_float, check_int, check_rng, check_second_layer
from .model import network

__all__ = [
    "Trial",
    "teacher",
    "gaussian_inputs",
    "INPUT_FAMILIES",
    "NORMALISATIONS",
    "input_parameters",
    "sample_inputs",
    "normalise_inputs",
    "clean_labels",
    "noisy_labels",
    "trial_seed",
    "sample_trial",
    "sample_trials",
]


class Trial(NamedTuple):
    """The data of one or many trials (leading axis ``trials`` for many).

    Attributes
    ----------
    Z : numpy.ndarray, shape ([trials,] m, k, n)
        The inputs the binary layer sees: the family's draws after the normalisation layer
        (Gaussian and un-normalised by default, see :func:`sample_trial`).
    y : numpy.ndarray, shape ([trials,] m)
        Labels, after label noise (equal to ``y_clean`` without noise).
    y_clean : numpy.ndarray, shape ([trials,] m)
        Clean labels ``f(Z; w*)``.
    w_star : numpy.ndarray, shape ([trials,] n)
        The teacher, entries in {-1, +1}.
    u0 : numpy.ndarray, shape ([trials,] n)
        Initial latent weights of the STE-gradient method.
    a : numpy.ndarray, shape (k,)
        The fixed second layer.
    """

    Z: np.ndarray
    y: np.ndarray
    y_clean: np.ndarray
    w_star: np.ndarray
    u0: np.ndarray
    a: np.ndarray


def teacher(n: int, *, rng=None) -> np.ndarray:
    """A uniformly random binary teacher ``w* ∈ {±1}ⁿ`` (float64)."""
    n = check_int(n, "n", min_value=1)
    rng = check_rng(rng)
    return 2.0 * rng.integers(0, 2, size=n) - 1.0


def gaussian_inputs(m: int, n: int, *, k: int = 1, rng=None) -> np.ndarray:
    """``m`` samples of ``Z ∈ ℝ^{k×n}`` with i.i.d. ``N(0, 1)`` entries, shape ``(m, k, n)``."""
    m = check_int(m, "m", min_value=1)
    n = check_int(n, "n", min_value=1)
    k = check_int(k, "k", min_value=1)
    rng = check_rng(rng)
    return rng.standard_normal((m, k, n))


INPUT_FAMILIES = (
    "gaussian",
    "rademacher",
    "uniform",
    "student-t",
    "shifted",
    "half-normal",
    "anisotropic",
)
"""Names of the input families of :func:`sample_inputs` (chapter "Beyond Gaussian data")."""

_FAMILY_DEFAULTS = {"student-t": {"df": 3.0}, "shifted": {"mu": 1.0}, "anisotropic": {"corr": 0.5}}

NORMALISATIONS = ("none", "centre", "standardise", "whiten")
"""Names of the normalisation layers of :func:`normalise_inputs`."""


def input_parameters(inputs: str = "gaussian", *, df=None, mu=None, corr=None) -> dict:
    """The parameters of input family ``inputs``, defaults filled in and validated.

    ``df`` belongs to ``"student-t"`` (default 3, must be > 2), ``mu`` to ``"shifted"``
    (default 1, any finite number), ``corr`` to ``"anisotropic"`` (default 0.5, in [0, 1)).
    Giving a parameter of another family is an error (it would be silently ignored).

    Returns
    -------
    dict
        ``{}`` for the families without parameters, else ``{"df": …}``, ``{"mu": …}`` or
        ``{"corr": …}`` (floats).
    """
    if not isinstance(inputs, str) or inputs not in INPUT_FAMILIES:
        raise ValueError(f"inputs == {inputs!r}, must be one of {', '.join(INPUT_FAMILIES)}.")
    given = {"df": df, "mu": mu, "corr": corr}
    own = _FAMILY_DEFAULTS.get(inputs, {})
    for name, value in given.items():
        if value is not None and name not in own:
            owner = next(f for f, d in _FAMILY_DEFAULTS.items() if name in d)
            raise ValueError(
                f"{name} == {value!r} is a parameter of inputs == {owner!r}, "
                f"not of inputs == {inputs!r}."
            )
    out = {}
    for name, default in own.items():
        value = default if given[name] is None else given[name]
        if name == "df":
            value = check_float(value, "df", min_value=2.0, strict_min=True)
        elif name == "mu":
            value = check_float(value, "mu")
        else:
            value = check_float(value, "corr", min_value=0.0, max_value=1.0)
            if value == 1.0:
                raise ValueError("corr == 1.0, must be < 1 (the covariance would be singular).")
        out[name] = value
    return out


def sample_inputs(
    m: int, n: int, *, k: int = 1, inputs: str = "gaussian", df=None, mu=None, corr=None, rng=None
) -> np.ndarray:
    """``m`` samples of ``Z ∈ ℝ^{k×n}`` from input family ``inputs``, shape ``(m, k, n)``.

    Every row (patch) ``x ∈ ℝⁿ`` of ``Z`` is drawn independently; within a row:

    ``"gaussian"``
        ``x ~ N(0, I)``: exactly :func:`gaussian_inputs` (the same draws from ``rng``).
    ``"rademacher"``
        i.i.d. ``xⱼ = ±1`` with probability 1/2 each (mean 0, variance 1).
    ``"uniform"``
        i.i.d. ``xⱼ ~ U(−√3, √3)`` (mean 0, variance 1).
    ``"student-t"``
        i.i.d. ``xⱼ = √((ν−2)/ν) tⱼ`` with ``tⱼ`` Student-t with ``ν = df > 2`` degrees of
        freedom: mean 0, variance 1, heavy tails (moments of order ``≥ ν`` infinite).
    ``"shifted"``
        ``x = μ𝟙 + g``, ``g ~ N(0, I)``, ``μ = mu``: mean ``μ𝟙``, covariance ``I``.
    ``"half-normal"``
        i.i.d. ``xⱼ = |gⱼ|``: non-negative like pixel intensities, mean ``√(2/π)``, variance
        ``1 − 2/π``.
    ``"anisotropic"``
        ``x ~ N(0, Σ)`` with the equicorrelated covariance ``Σ = (1−γ)I + γ𝟙𝟙ᵀ``, ``γ = corr
        ∈ [0, 1)``, drawn as ``x = √(1−γ) g + √γ g₀ 𝟙``. Spectrum: ``1 + (n−1)γ`` once
        (direction ``𝟙``) and ``1 − γ`` (``n − 1`` times); condition number
        ``(1 + (n−1)γ)/(1−γ)``; unit variances, so standardising does not change it.

    The draws from ``rng``: ``m·k·n`` values of the family's base variable (normals, integers,
    uniforms or Student-t), then, for ``"anisotropic"``, ``m·k`` normals ``g₀``.

    Parameters
    ----------
    m, n, k : int
        Samples, dimension, patches.
    inputs : str
        One of :data:`INPUT_FAMILIES`.
    df, mu, corr : float, optional
        The family's parameter, see :func:`input_parameters`.
    rng : numpy.random.Generator, int or None
        Source of randomness.

    See chapter "Beyond Gaussian data".
    """
    m = check_int(m, "m", min_value=1)
    n = check_int(n, "n", min_value=1)
    k = check_int(k, "k", min_value=1)
    params = input_parameters(inputs, df=df, mu=mu, corr=corr)
    rng = check_rng(rng)
    shape = (m, k, n)
    if inputs == "gaussian":
        return rng.standard_normal(shape)
    if inputs == "rademacher":
        return 2.0 * rng.integers(0, 2, size=shape) - 1.0
    if inputs == "uniform":
        return rng.uniform(-np.sqrt(3.0), np.sqrt(3.0), size=shape)
    if inputs == "student-t":
        nu = params["df"]
        return np.sqrt((nu - 2.0) / nu) * rng.standard_t(nu, size=shape)
    if inputs == "shifted":
        return params["mu"] + rng.standard_normal(shape)
    if inputs == "half-normal":
        return np.abs(rng.standard_normal(shape))
    corr = params["corr"]
    g = rng.standard_normal(shape)
    g0 = rng.standard_normal((m, k, 1))
    return np.sqrt(1.0 - corr) * g + np.sqrt(corr) * g0


def normalise_inputs(Z, *, normalise: str = "none") -> np.ndarray:
    """The normalisation layer: ``Z`` normalised with statistics of its own rows.

    The statistics are estimated from the rows of ``Z`` (all ``m·k`` patch rows together, as
    they share the weights), never population ones: with ``x̄ = (1/M) Σᵢ xᵢ`` and
    ``Ŝ = (1/M) Σᵢ (xᵢ − x̄)(xᵢ − x̄)ᵀ`` over the ``M = m·k`` rows,

    ``"none"``
        ``x̃ = x`` (``Z`` itself is returned).
    ``"centre"``
        ``x̃ = x − x̄``: the rows' mean is exactly 0 (to rounding).
    ``"standardise"``
        ``x̃ⱼ = (xⱼ − x̄ⱼ)/ŝⱼ``, ``ŝⱼ² = Ŝⱼⱼ``: mean 0, variance 1 per coordinate.
    ``"whiten"``
        ``x̃ = Ŝ^{−1/2}(x − x̄)`` with the symmetric inverse square root (ZCA whitening, which
        keeps the coordinates' identity: for isotropic data ``Ŝ^{−1/2} ≈ I``): the sample
        covariance of the rows becomes ``I``. Needs ``Ŝ`` invertible, so ``M ≥ n + 1``.

    Parameters
    ----------
    Z : array_like, shape (m, k, n)
        Raw inputs of one trial.
    normalise : str
        One of :data:`NORMALISATIONS`.

    Returns
    -------
    numpy.ndarray, shape (m, k, n)

    Raises
    ------
    ValueError
        If a coordinate is constant on the sample (``"standardise"``) or ``Ŝ`` is singular
        (``"whiten"``).

    See chapter "Beyond Gaussian data".
    """
    if not isinstance(normalise, str) or normalise not in NORMALISATIONS:
        raise ValueError(f"normalise == {normalise!r}, must be one of {', '.join(NORMALISATIONS)}.")
    Z = check_array(Z, "Z", ndim=3)
    if normalise == "none":
        return Z
    m, k, n = Z.shape
    X = Z.reshape(m * k, n)
    Xc = X - X.mean(axis=0)
    if normalise == "centre":
        return Xc.reshape(m, k, n)
    if normalise == "standardise":
        sd = np.sqrt(np.mean(Xc**2, axis=0))
        if np.any(sd == 0.0):
            j = int(np.flatnonzero(sd == 0.0)[0])
            raise ValueError(
                f"Z has a constant coordinate (j == {j}) on its {m * k} rows, "
                "cannot standardise it."
            )
        return (Xc / sd).reshape(m, k, n)
    if m * k < n + 1:
        raise ValueError(
            f"Z has m·k == {m * k} rows, whitening in dimension n == {n} needs at least n + 1."
        )
    S = Xc.T @ Xc / (m * k)
    lam, V = np.linalg.eigh(S)
    if lam[0] <= 1e-12 * lam[-1]:
        raise ValueError(
            f"the sample covariance of Z is singular (eigenvalues {lam[0]:.3g} to "
            f"{lam[-1]:.3g}), cannot whiten."
        )
    W = (V / np.sqrt(lam)) @ V.T
    return (Xc @ W).reshape(m, k, n)


def clean_labels(Z, w_star, *, a=None) -> np.ndarray:
    """Clean labels ``y = f(Z; w*) = aᵀ sign(Z w*)``, shape ``(m,)``."""
    return network(Z, w_star, a=a)


def noisy_labels(y, *, flip: float = 0.0, noise_std: float = 0.0, rng=None) -> np.ndarray:
    """Label noise: flip ``y ← −y`` with probability ``flip``, then add ``ε ~ N(0, s²)``.

    Both draws are always made (``m`` uniforms, then ``m`` normals), whatever the noise levels,
    so the same stream gives the same data for every ``flip`` and ``noise_std``: noisy and
    noiseless runs of a trial share inputs, teacher and initialisation.

    Parameters
    ----------
    y : array_like, shape (m,)
        Clean labels.
    flip : float in [0, 1]
        Probability of flipping the sign of each label (for ``k = 1``, ``y ∈ {±1}``).
    noise_std : float >= 0
        Standard deviation ``s`` of the additive Gaussian noise.
    rng : numpy.random.Generator, int or None
        Source of randomness.
    """
    y = check_array(y, "y", ndim=1)
    flip = check_float(flip, "flip", min_value=0.0, max_value=1.0)
    noise_std = check_float(noise_std, "noise_std", min_value=0.0)
    rng = check_rng(rng)
    flips = rng.random(y.shape[0]) < flip
    eps = rng.standard_normal(y.shape[0])
    return np.where(flips, -y, y) + noise_std * eps


def trial_seed(seed: int, *, n: int, m: int, k: int, trial: int) -> np.random.SeedSequence:
    """The stream of trial ``trial`` at grid point ``(n, m, k)``.

    ``SeedSequence(seed, spawn_key=(n, m, k, trial))``: the ``trial``-th child that
    ``SeedSequence(seed, spawn_key=(n, m, k)).spawn(...)`` makes, without spawning the others.
    """
    seed = check_int(seed, "seed", min_value=0)
    return np.random.SeedSequence(
        seed,
        spawn_key=(
            check_int(n, "n", min_value=1),
            check_int(m, "m", min_value=1),
            check_int(k, "k", min_value=1),
            check_int(trial, "trial", min_value=0),
        ),
    )


def sample_trial(
    n: int,
    m: int,
    *,
    k: int = 1,
    a=None,
    flip: float = 0.0,
    noise_std: float = 0.0,
    init_scale: float = 1e-3,
    inputs: str = "gaussian",
    normalise: str = "none",
    df=None,
    mu=None,
    corr=None,
    rng=None,
) -> Trial:
    """Draw one trial: teacher, inputs, labels with noise, initial latent weights.

    The draws come from ``rng`` in this fixed order: ``w*`` (n integers), the raw inputs
    (:func:`sample_inputs`; Gaussian: m·k·n normals), label flips (m uniforms), additive noise
    (m normals), ``u₀ = init_scale · N(0, I)`` (n normals). The defaults (``inputs="gaussian"``,
    ``normalise="none"``) give exactly the trials of the Gaussian model.

    The normalisation belongs to the network: ``f(Z; w) = aᵀ sign(N(Z) w)`` with ``N`` the
    normalisation layer (:func:`normalise_inputs`, statistics from this trial's ``m`` samples),
    for the teacher and the student alike. So ``Z`` in the result is ``N(raw inputs)``, the
    labels are ``aᵀ sign(N(Z) w*)`` and ``w*`` remains a zero-loss binary weight. (Labelling the
    raw inputs and training on normalised ones would not: with centring, ``⟨x − x̄, w*⟩ =
    ⟨x, w*⟩ − ⟨x̄, w*⟩``, a bias no binary weight of the student's model can absorb.)

    Parameters
    ----------
    n, m, k : int
        Dimension, number of samples, number of patches.
    a : array_like, shape (k,), optional
        Second layer, default ``1/k``.
    flip, noise_std : float
        Label noise, see :func:`noisy_labels`.
    init_scale : float > 0
        Scale of the initial latent weights ``u₀``.
    inputs : str
        Input family, one of :data:`INPUT_FAMILIES` (see :func:`sample_inputs`).
    normalise : str
        Normalisation layer, one of :data:`NORMALISATIONS` (see :func:`normalise_inputs`).
    df, mu, corr : float, optional
        The input family's parameter (:func:`input_parameters`).
    rng : numpy.random.Generator, SeedSequence, int or None
        The trial's stream.

    Returns
    -------
    Trial
        Arrays without a trials axis; ``Z`` holds the normalised inputs.

    See chapter "The setup, derived".
    """
    n = check_int(n, "n", min_value=1)
    m = check_int(m, "m", min_value=1)
    k = check_int(k, "k", min_value=1)
    a = check_second_layer(a, k)
    init_scale = check_float(init_scale, "init_scale", min_value=0.0, strict_min=True)
    params = input_parameters(inputs, df=df, mu=mu, corr=corr)
    if not isinstance(normalise, str) or normalise not in NORMALISATIONS:
        raise ValueError(f"normalise == {normalise!r}, must be one of {', '.join(NORMALISATIONS)}.")
    if normalise == "whiten" and m * k < n + 1:
        raise ValueError(
            f"m == {m} (with k == {k}) gives {m * k} rows, normalise == 'whiten' in dimension "
            f"n == {n} needs m·k >= n + 1."
        )
    rng = check_rng(rng)
    w_star = teacher(n, rng=rng)
    Z = normalise_inputs(
        sample_inputs(m, n, k=k, inputs=inputs, rng=rng, **params), normalise=normalise
    )
    y_clean = clean_labels(Z, w_star, a=a)
    y = noisy_labels(y_clean, flip=flip, noise_std=noise_std, rng=rng)
    u0 = init_scale * rng.standard_normal(n)
    return Trial(Z=Z, y=y, y_clean=y_clean, w_star=w_star, u0=u0, a=a)


def sample_trials(
    n: int,
    m: int,
    *,
    trials: int,
    seed: int = 0,
    start: int = 0,
    k: int = 1,
    a=None,
    flip: float = 0.0,
    noise_std: float = 0.0,
    init_scale: float = 1e-3,
    inputs: str = "gaussian",
    normalise: str = "none",
    df=None,
    mu=None,
    corr=None,
) -> Trial:
    """Trials ``start, …, start + trials − 1`` stacked along a leading axis.

    Trial ``i`` is drawn by :func:`sample_trial` from :func:`trial_seed` ``(seed, n, m, k, i)``,
    so it does not depend on ``trials`` or ``start``. ``inputs``, ``normalise``, ``df``, ``mu``
    and ``corr`` are passed on (the stream does not depend on them: a trial with other inputs
    has the same seed).

    Returns
    -------
    Trial
        ``Z`` of shape ``(trials, m, k, n)``, ``y`` and ``y_clean`` ``(trials, m)``, ``w_star``
        and ``u0`` ``(trials, n)``, ``a`` ``(k,)``.
    """
    trials = check_int(trials, "trials", min_value=1)
    start = check_int(start, "start", min_value=0)
    parts = [
        sample_trial(
            n,
            m,
            k=k,
            a=a,
            flip=flip,
            noise_std=noise_std,
            init_scale=init_scale,
            inputs=inputs,
            normalise=normalise,
            df=df,
            mu=mu,
            corr=corr,
            rng=trial_seed(seed, n=n, m=m, k=k, trial=start + i),
        )
        for i in range(trials)
    ]
    return Trial(
        Z=np.stack([p.Z for p in parts]),
        y=np.stack([p.y for p in parts]),
        y_clean=np.stack([p.y_clean for p in parts]),
        w_star=np.stack([p.w_star for p in parts]),
        u0=np.stack([p.u0 for p in parts]),
        a=parts[0].a,
    )
