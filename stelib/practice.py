"""STE in practice: a small binary network on real data (SPEC §3 E8).

Taught in chapter "STE variants and practice" (``chapters/variants.ipynb``).

The data are scikit-learn's 8×8 handwritten digits (``sklearn.datasets.load_digits``, shipped
with the package: 1797 images, 64 pixels with values 0…16), cut to a two-class task. The network
is the book's model with ``H`` hidden neurons that have weights of their own (a committee
machine):

    ``f(x; W) = (1/H) Σₕ σ(⟨x, wₕ⟩)``,   prediction ``sign f(x; W)``,

trained on the squared loss ``(1/2N) Σᵢ (f(xᵢ; W) − yᵢ)²`` by full-batch steps of size ``η``:

* **binary** (``binary=True``): ``σ = sign``, ``W = sign(U)`` with latent weights ``U``, and the
  coarse gradient of the identity STE (BinaryConnect, :func:`stelib.ste_gradient_method`'s rule,
  one neuron per column): ``∂/∂wₕ ≈ (1/N) Σᵢ xᵢ (1/H) (f(xᵢ) − yᵢ)``;
* **full precision** (``binary=False``, the reference): ``σ = tanh`` and real weights ``W = U``,
  trained with the true gradient ``(1/N) Σᵢ xᵢ (1/H) tanh′(⟨xᵢ, wₕ⟩) (f(xᵢ) − yᵢ)``.

Inputs are standardised with the training set's mean and standard deviation per pixel (pixels
constant on the training set are set to 0).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import check_float, check_int
from .model import sign

__all__ = [
    "DigitsTask",
    "digits_task",
    "train_committee",
    "committee_output",
    "DigitsCurve",
    "digits_accuracy",
]


class DigitsTask(NamedTuple):
    """A two-class digits task: images ``X`` (N, 64) as floats, labels ``y = ±1``.

    Attributes
    ----------
    X : numpy.ndarray, shape (N, 64)
    y : numpy.ndarray, shape (N,)
        ``+1`` for the digits in ``positive``, ``−1`` for those in ``negative``.
    positive, negative : tuple of int
        The digits of each class.
    """

    X: np.ndarray
    y: np.ndarray
    positive: tuple
    negative: tuple


def digits_task(positive=(3,), negative=(8,)) -> DigitsTask:
    """The images of the digits ``positive`` (label ``+1``) and ``negative`` (``−1``) from
    scikit-learn's 8×8 digits, in the data set's order."""
    pos = tuple(check_int(d, "positive", min_value=0) for d in np.atleast_1d(positive))
    neg = tuple(check_int(d, "negative", min_value=0) for d in np.atleast_1d(negative))
    if not pos or not neg or set(pos) & set(neg) or max(pos + neg) > 9:
        raise ValueError("positive and negative must be disjoint, non-empty sets of digits 0-9.")
    from sklearn.datasets import load_digits  # a light import only when the task is built

    data = load_digits()
    keep = np.isin(data.target, pos + neg)
    y = np.where(np.isin(data.target[keep], pos), 1.0, -1.0)
    return DigitsTask(X=data.data[keep].astype(np.float64), y=y, positive=pos, negative=neg)


def _standardise(X_train, X):
    mu = X_train.mean(axis=0)
    sd = X_train.std(axis=0)
    return np.divide(X - mu, sd, out=np.zeros_like(X), where=sd > 0)


def committee_output(X, W, *, binary: bool = True) -> np.ndarray:
    """``f(x; W) = (1/H) Σₕ σ(⟨x, wₕ⟩)`` for every row of ``X`` (``W``: shape (64, H); binary:
    ``σ = sign`` and ``W`` used as ``sign(W)``; else ``σ = tanh``)."""
    if binary:
        return sign(X @ sign(W)).mean(axis=1)
    return np.tanh(X @ W).mean(axis=1)


def train_committee(
    X, y, *, hidden: int = 16, binary: bool = True, eta: float = 0.1, steps: int = 300, rng=None
) -> np.ndarray:
    """Latent weights ``U`` (64, hidden) after ``steps`` full-batch steps (module docstring).

    ``U₀ = 0.1 · N(0, I)`` from ``rng`` for both networks, so the binary and the full-precision
    network start from the same weights (up to ``sign``). ``X`` should be standardised.
    """
    hidden = check_int(hidden, "hidden", min_value=1)
    eta = check_float(eta, "eta", min_value=0.0, strict_min=True)
    steps = check_int(steps, "steps", min_value=0)
    rng = np.random.default_rng(rng)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    N = X.shape[0]
    U = 0.1 * rng.standard_normal((X.shape[1], hidden))
    for _ in range(steps):
        if binary:
            S = X @ sign(U)
            back = np.ones_like(S)  # identity STE for sign, straight through sign(U) too
            f = sign(S).mean(axis=1)
        else:
            S = X @ U
            h = np.tanh(S)
            back = 1.0 - h * h
            f = h.mean(axis=1)
        G = back * ((f - y) / hidden)[:, None]
        U = U - eta * (X.T @ G) / N
    return U


class DigitsCurve(NamedTuple):
    """Test accuracy against the training-set size (:func:`digits_accuracy`).

    Attributes
    ----------
    sizes : numpy.ndarray of int
        Training-set sizes ``N``.
    binary, full : numpy.ndarray, shape (repeats, len(sizes))
        Test accuracy of the binary network and of the full-precision reference, for each
        repeat (a fresh random training set and initialisation).
    test_size : int
        Images in the fixed test set.
    """

    sizes: np.ndarray
    binary: np.ndarray
    full: np.ndarray
    test_size: int


def digits_accuracy(
    task: DigitsTask,
    sizes,
    *,
    repeats: int = 10,
    test_fraction: float = 0.4,
    hidden: int = 16,
    eta: float = 0.1,
    steps: int = 300,
    seed: int = 0,
) -> DigitsCurve:
    """Train both networks on random training sets of each size and measure test accuracy.

    A random ``test_fraction`` of the task (stream ``SeedSequence(seed)``) is the test set, fixed
    for all sizes; repeat ``r`` at size ``N`` draws its training set from the rest, and its
    initial weights, from ``SeedSequence(seed, spawn_key=(N, r))``; both networks of a repeat see
    the same training set and start from the same weights.
    """
    sizes = np.array([check_int(s, "sizes", min_value=1) for s in np.atleast_1d(sizes)])
    repeats = check_int(repeats, "repeats", min_value=1)
    test_fraction = check_float(test_fraction, "test_fraction", min_value=0.0, max_value=1.0)
    seed = check_int(seed, "seed", min_value=0)
    perm = np.random.default_rng(np.random.SeedSequence(seed)).permutation(task.y.size)
    n_test = int(round(test_fraction * task.y.size))
    test, pool = perm[:n_test], perm[n_test:]
    if n_test == 0 or sizes.max() > pool.size:
        raise ValueError(f"sizes must be at most {pool.size} with a non-empty test set.")
    acc = {True: np.zeros((repeats, sizes.size)), False: np.zeros((repeats, sizes.size))}
    for j, N in enumerate(sizes):
        for r in range(repeats):
            rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(int(N), r)))
            idx = rng.choice(pool, size=int(N), replace=False)
            init = int(rng.integers(2**32))
            Xtr = _standardise(task.X[idx], task.X[idx])
            Xte = _standardise(task.X[idx], task.X[test])
            for binary in (True, False):
                U = train_committee(
                    Xtr, task.y[idx], hidden=hidden, binary=binary, eta=eta, steps=steps, rng=init
                )
                pred = sign(committee_output(Xte, U, binary=binary))
                acc[binary][r, j] = np.mean(pred == task.y[test])
    return DigitsCurve(sizes=sizes, binary=acc[True], full=acc[False], test_size=n_test)
