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
from .input_families import check_normalise, input_parameters, normalise_inputs, sample_inputs
from .model import network

__all__ = [
    "Trial",
    "teacher",
    "gaussian_inputs",
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
    (:func:`stelib.sample_inputs`; Gaussian: m·k·n normals), label flips (m uniforms),
    additive noise (m normals), ``u₀ = init_scale · N(0, I)`` (n normals). The defaults
    (``inputs="gaussian"``, ``normalise="none"``) give exactly the trials of the Gaussian model.

    The normalisation belongs to the network: ``f(Z; w) = aᵀ sign(N(Z) w)`` with ``N`` the
    normalisation layer (:func:`stelib.normalise_inputs`, statistics from this trial's ``m``
    samples), for the teacher and the student alike. So ``Z`` in the result is
    ``N(raw inputs)``, the labels are ``aᵀ sign(N(Z) w*)`` and ``w*`` remains a zero-loss
    binary weight. (Labelling the raw inputs and training on normalised ones would not: with
    centring, ``⟨x − x̄, w*⟩ = ⟨x, w*⟩ − ⟨x̄, w*⟩``, a bias no binary weight of the student's
    model can absorb.)

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
        Input family, one of :data:`stelib.INPUT_FAMILIES` (see :func:`stelib.sample_inputs`).
    normalise : str
        Normalisation layer, one of :data:`stelib.NORMALISATIONS`
        (see :func:`stelib.normalise_inputs`).
    df, mu, corr : float, optional
        The input family's parameter (:func:`stelib.input_parameters`).
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
    check_normalise(normalise)
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
