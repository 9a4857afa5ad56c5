"""Private: the one implementation of the coarse gradient ĝ (SPEC §2; public face
:func:`stelib.coarse_gradient`).

    ``ĝ(w) = (1/m) Σᵢ Zᵢᵀ Gᵢ``,   ``Gᵢ = a ⊙ μ′(Zᵢ w) (f(Zᵢ; w) − yᵢ)``.

Every Python path forms ĝ with these functions: :func:`stelib.coarse_gradient`, the reference
loop and the recorded paths (:mod:`stelib.ste`, :mod:`stelib.trajectory`), both paths of the
engine (:mod:`stelib._engine`), BIHT (:mod:`stelib.onebit`) and the error measurement
(:mod:`stelib.concentration`). :func:`residual` and :func:`weights` give ``r = f − y`` and ``G``;
:func:`row_sum` adds ``Gᵢ Zᵢ`` over the rows with ``Gᵢ ≠ 0`` in row order (SciPy's compiled
CSR loop), so every path's ĝ has the same bits. Only the compiled kernel (:mod:`stelib._kernel`)
has its own arithmetic, tested bit for bit against this one (``tests/test_engine.py``).
"""

from __future__ import annotations

import numpy as np

try:  # SciPy's compiled CSR kernel: Y += A @ X without temporaries.
    from scipy.sparse._sparsetools import csr_matvecs as _csr_matvecs
except ImportError:  # fall back on the public API (one temporary; tests cover both)
    _csr_matvecs = None


def accumulate(Y, indptr, indices, data, X):
    """``Y[i] += Σ_{p ∈ [indptr[i], indptr[i+1])} data[p] · X[indices[p]]``, in order of ``p``."""
    if _csr_matvecs is not None:
        _csr_matvecs(Y.shape[0], X.shape[0], X.shape[1], indptr, indices, data, X, Y)
        return
    from scipy.sparse import csr_array

    Y += csr_array((data, indices, indptr), shape=(Y.shape[0], X.shape[0])) @ X


def residual(S, y, a, m, k):
    """``r = sign(s) a − y`` from pre-activations or signs ``S`` (shape ``(b, m·k)``)."""
    pos = S if S.dtype == bool else S >= 0
    if k == 1:
        f = np.where(pos, a[0], -a[0])  # sign(s)·a₀, exactly
    else:
        f = np.matmul(np.where(pos, 1.0, -1.0).reshape(-1, m, k), a)
    return np.subtract(f, y, out=f)


def weights(r, a, m, k, keep_mu):
    """``G = a ⊙ μ′(s) ⊙ r``, shape ``(b, m·k)`` (``keep_mu``: clipped-STE mask or None)."""
    G = a[0] * r if k == 1 else (a * r[:, :, None]).reshape(r.shape[0], m * k)
    if keep_mu is not None:
        G *= keep_mu
    return G


def sparse(G):
    """The nonzero entries of ``G`` (shape ``(b, M)``) in row order: ``indptr, nz, data``.

    ``nz`` indexes ``G.ravel()``, i.e. row ``b·M + i`` of a stack of every trial's rows.
    """
    b, M = G.shape
    nz = G.ravel().nonzero()[0]
    return nz.searchsorted(np.arange(b + 1) * M), nz, G.ravel()[nz]


def row_sum(g, indptr, nz, data, rows, m):
    """``g[b] = (1/m) Σ_p data[p] · rows[nz[p]]`` over ``p ∈ [indptr[b], indptr[b+1])``.

    With ``(indptr, nz, data) = sparse(G)`` this is ``(1/m) Σᵢ Gᵢ Zᵢ`` over the rows with
    ``Gᵢ ≠ 0``, summed in row order (a zero row adds nothing). ``g`` (shape ``(b, n)``) is
    overwritten and returned.
    """
    g.fill(0.0)
    accumulate(g, indptr, nz, data, rows)
    return np.divide(g, m, out=g)


def surrogate(S, thr, ste="clipped"):
    """``μ′(s)`` as a factor of ``G``: ``None`` for the identity STE (``thr is None``), the mask
    ``|s| ≤ r`` for the clipped STE, ``2 (1 − |s|/r)₊`` for ApproxSign (``r = thr``)."""
    if thr is None:
        return None
    if ste == "approxsign":
        return np.maximum(0.0, 2.0 - (2.0 / thr) * np.abs(S))
    return np.abs(S) <= thr


def coarse_gradients(Z, y, W, a, thr=None, ste="clipped"):
    """ĝ of every trial: ``Z`` (b, m, k, n), ``y`` (b, m), binary ``W`` (b, n) → (b, n).

    ``thr``: ``None`` for the identity STE, else the surrogate's width ``r`` (``ste_scale · √n``);
    ``ste`` names the surrogate (:func:`surrogate`).
    """
    b, m, k, n = Z.shape
    Zf = Z.reshape(b, m * k, n)
    S = np.matmul(Zf, W[:, :, None])[:, :, 0]  # pre-activations (b, m·k)
    G = weights(residual(S, y, a, m, k), a, m, k, surrogate(S, thr, ste))
    return row_sum(np.empty((b, n)), *sparse(G), Zf.reshape(b * m * k, n), m)
