"""Input families and the normalisation layer of the network (chapter "Beyond Gaussian data").

The Gaussian model of the other chapters draws the rows of ``Z`` from ``N(0, I)``
(:func:`stelib.gaussian_inputs`); :func:`sample_inputs` draws them from other families, and
:func:`normalise_inputs` is the normalisation layer that the network (teacher and student alike)
puts in front of its binary layer, with statistics estimated from the training samples.
:func:`stelib.sample_trial` combines both; its defaults (``"gaussian"``, ``"none"``) are the
Gaussian model, bit for bit. Taught in ``chapters/inputs.ipynb``.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_array, check_float, check_int, check_rng

__all__ = [
    "INPUT_FAMILIES",
    "NORMALISATIONS",
    "input_parameters",
    "check_normalise",
    "check_inputs",
    "sample_inputs",
    "normalise_inputs",
]

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


def check_normalise(normalise) -> str:
    """Return ``normalise`` if it is one of :data:`NORMALISATIONS`, else raise naming it."""
    if not isinstance(normalise, str) or normalise not in NORMALISATIONS:
        raise ValueError(f"normalise == {normalise!r}, must be one of {', '.join(NORMALISATIONS)}.")
    return normalise


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


def check_inputs(
    *, m: int, n: int, k: int = 1, inputs="gaussian", normalise="none", df=None, mu=None, corr=None
) -> tuple:
    """Validate an input family and a normalisation for ``m`` samples of ``k`` rows in ``ℝⁿ``.

    Returns the options that are not the Gaussian model's defaults, as ``(name, value)`` pairs
    to pass on as keywords (:func:`stelib.sample_trial`): ``()`` for ``"gaussian"``/``"none"``,
    else ``inputs`` with all the family's parameters (defaults filled in) and/or ``normalise``.
    Whitening needs ``m·k ≥ n + 1`` (pass the smallest ``m`` of a sweep).
    """
    params = input_parameters(inputs, df=df, mu=mu, corr=corr)
    check_normalise(normalise)
    if normalise == "whiten" and check_int(m, "m", min_value=1) * k < n + 1:
        raise ValueError(
            f"m == {m} (with k == {k}): normalise == 'whiten' in dimension n == {n} needs "
            "m·k >= n + 1."
        )
    family = (("inputs", inputs), *params.items()) if inputs != "gaussian" else ()
    return family + ((("normalise", normalise),) if normalise != "none" else ())


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
        i.i.d. ``xⱼ = √((q−2)/q) tⱼ`` with ``tⱼ`` Student-t with ``q = df > 2`` degrees of
        freedom: mean 0, variance 1, heavy tails (moments of order ``≥ q`` infinite).
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

    Notes
    -----
    Eq. :eq:`inputs-normalise` of chapter "Beyond Gaussian data".
    """
    check_normalise(normalise)
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
