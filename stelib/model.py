"""The two-layer binary network of the book (SPEC §2).

``f(Z; w) = aᵀ σ(Z w)`` with ``σ = sign`` and the convention ``sign(0) = +1``, binary first-layer
weights ``w ∈ {±1}ⁿ`` shared by the ``k`` patches (rows of ``Z``) and a fixed second layer ``a``.
Taught in chapter "The setup, derived" (``chapters/setup.ipynb``).

Shapes: one sample is ``Z ∈ ℝ^{k×n}``; a data set is ``(m, k, n)``; a batch of independent
trials adds a leading axis, ``(trials, m, k, n)``.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_array, check_binary, check_second_layer

__all__ = ["sign", "network", "empirical_loss", "hamming", "angle_from_hamming"]


def sign(x) -> np.ndarray:
    """The quantiser ``σ(x) = sign(x)`` with ``sign(0) = +1``.

    Parameters
    ----------
    x : array_like
        Real numbers.

    Returns
    -------
    numpy.ndarray
        ``+1.0`` where ``x >= 0`` and ``-1.0`` where ``x < 0``, same shape as ``x``.

    Notes
    -----
    ``numpy.sign`` maps 0 to 0; the book uses ``sign(0) = +1`` everywhere (chapter "The setup,
    derived"), so a weight is always binary and a latent weight of exactly 0 counts as positive.
    """
    x = np.asarray(x)
    return np.where(x >= 0, 1.0, -1.0)


def network(Z, w, *, a=None) -> np.ndarray:
    """Output of the network, ``f(Z; w) = aᵀ σ(Z w)``, for every sample.

    Eq. :eq:`setup-network` (:prf:ref:`def-setup-network`).

    Parameters
    ----------
    Z : array_like, shape (m, k, n)
        Inputs, ``k`` patches of dimension ``n`` per sample.
    w : array_like, shape (n,)
        Binary weights in {-1, +1}.
    a : array_like, shape (k,), optional
        Second layer; default ``1/k`` in every entry.

    Returns
    -------
    numpy.ndarray, shape (m,)
        ``Σ_p a_p sign(⟨Z_p, w⟩)`` for each sample.
    """
    Z = check_array(Z, "Z", ndim=3)
    w = check_binary(w, "w")
    if Z.shape[2] != w.shape[0]:
        raise ValueError(f"w has length {w.shape[0]}, must match Z.shape[2] == {Z.shape[2]}.")
    a = check_second_layer(a, Z.shape[1])
    return sign(Z @ w) @ a


def empirical_loss(Z, y, w, *, a=None) -> float:
    """Training loss ``L_m(w) = (1/2m) Σᵢ (f(Zᵢ; w) − yᵢ)²``.

    Eq. :eq:`setup-loss`.

    Piecewise constant in ``w`` (it depends on ``w`` only through the signs ``σ(Z w)``), so its
    gradient is zero almost everywhere: the reason the STE exists. See chapter "The setup,
    derived".
    """
    y = check_array(y, "y", ndim=1)
    f = network(Z, w, a=a)
    if y.shape != f.shape:
        raise ValueError(f"y has shape {y.shape}, must be ({f.shape[0]},) to match Z.")
    return float(0.5 * np.mean((f - y) ** 2))


def hamming(w, w_star) -> np.ndarray:
    """Hamming distance ``d = #{j : w_j ≠ w*_j}`` along the last axis.

    Parameters
    ----------
    w : array_like, shape (..., n)
        Binary weights (one or many).
    w_star : array_like, shape (n,) or (..., n)
        The teacher, broadcast against ``w``.

    Returns
    -------
    numpy.ndarray of int
        Shape ``w.shape[:-1]`` (a 0-d array for a single ``w``).
    """
    w = check_binary(w, "w", ndim=(1, 2, 3))
    w_star = check_binary(w_star, "w_star", ndim=(1, 2, 3))
    if w.shape[-1] != w_star.shape[-1]:
        raise ValueError(
            f"w_star has length {w_star.shape[-1]}, must match w's last axis {w.shape[-1]}."
        )
    return np.count_nonzero(w != w_star, axis=-1)


def angle_from_hamming(d, n) -> np.ndarray:
    """Angle ``θ`` between binary vectors at Hamming distance ``d``: ``cos θ = 1 − 2d/n``."""
    d = check_array(d, "d")
    if np.any(d < 0) or np.any(d > n):
        raise ValueError(f"d must lie in [0, n] == [0, {n}], got values in [{d.min()}, {d.max()}].")
    return np.arccos(np.clip(1.0 - 2.0 * d / n, -1.0, 1.0))
