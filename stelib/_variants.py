"""Private: the numpy path of the STE-gradient method with the options of practice (SPEC §3 E8).

:func:`stelib.ste_gradient_method` takes this path whenever one of these options is set (the
default run, identity or clipped STE on the full batch with a constant step, keeps its engine,
:mod:`stelib._engine`, and its compiled fast mode):

* the ApproxSign surrogate (``ste="approxsign"``);
* a decaying step size ``ηₜ = η / (1 + t/t₀)`` (``eta_decay=t₀``);
* weight decay on the latent weights, ``uₜ₊₁ = (1 − ηₜ χ) uₜ − ηₜ ĝ`` (``weight_decay=χ``);
* mini-batches (``minibatch=B``): every epoch a fresh permutation of the ``m`` samples from the
  trial's own stream is cut into consecutive batches of ``B`` (the last one smaller when ``B``
  does not divide ``m``); a step uses one batch, its rows in increasing order, and
  ``ĝ_B(w) = (1/|B|) Σ_{i∈B} Zᵢᵀ Gᵢ``.

Every step forms ``ĝ`` with the library's one coarse gradient (:mod:`stelib._gradient`), as the
reference loop :func:`stelib.ste_gradient_method_reference` does, so the two agree bit for bit;
with ``B = m`` the batch is every row in order and the run is the full-batch run, bit for bit.

A trial stops at a *fixed point*: the first step of an epoch through which no batch gradient was
nonzero (on the full batch an epoch is one step, and this is ``ĝ(wₜ) = 0``). Then ``wₜ`` has
stayed put for a whole pass over the data and never moves again (weight decay and clipping
rescale ``u`` but keep its signs).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _gradient
from ._validate import check_float, check_int, check_rng


class Options(NamedTuple):
    """The practice options of a run; the defaults (``None``, ``0.0``, ``None``) are the book's
    model. ``rngs``: one generator per trial (mini-batches only)."""

    eta_decay: float | None
    weight_decay: float
    minibatch: int | None
    rngs: list | None

    @property
    def default(self) -> bool:
        """Whether every option is at its default (then the engine runs)."""
        return self.eta_decay is None and self.weight_decay == 0.0 and self.minibatch is None


def check_options(eta_decay, weight_decay, minibatch, rng, *, trials, m, eta) -> Options:
    """Validate the practice options (names of :func:`stelib.ste_gradient_method`)."""
    if eta_decay is not None:
        eta_decay = check_float(eta_decay, "eta_decay", min_value=0.0, strict_min=True)
    weight_decay = check_float(weight_decay, "weight_decay", min_value=0.0)
    if eta * weight_decay >= 1.0:
        raise ValueError(
            f"weight_decay == {weight_decay!r} with eta == {eta!r}: eta * weight_decay must be "
            "below 1 (else the decay flips the signs of u)."
        )
    rngs = None
    if minibatch is not None:
        minibatch = check_int(minibatch, "minibatch", min_value=1)
        if minibatch > m:
            raise ValueError(f"minibatch == {minibatch}, must be at most m == {m}.")
        if rng is None:
            raise ValueError("rng is required with minibatch: one seed or generator per trial.")
        if isinstance(rng, (np.random.Generator, np.random.SeedSequence, int, np.integer)):
            raise TypeError("rng must be a sequence with one seed or generator per trial.")
        rngs = [check_rng(r) for r in rng]
        if len(rngs) != trials:
            raise ValueError(f"rng has {len(rngs)} entries, must have one per trial ({trials}).")
    elif rng is not None:
        raise ValueError("rng is only used with minibatch; pass minibatch=B or drop rng.")
    return Options(eta_decay, weight_decay, minibatch, rngs)


def step_size(eta: float, eta_decay: float | None, t: int) -> float:
    """``ηₜ = η / (1 + t/t₀)`` (``eta_decay=t₀``), or ``η`` without decay."""
    return eta if eta_decay is None else eta / (1.0 + t / eta_decay)


def epoch_batches(m: int, minibatch: int | None, rng) -> list[np.ndarray]:
    """The batches of one epoch: a permutation of ``range(m)`` drawn from ``rng`` cut into
    consecutive pieces of ``minibatch``, each sorted; the full batch without ``minibatch``."""
    if minibatch is None:
        return [np.arange(m)]
    perm = rng.permutation(m)
    return [np.sort(perm[i : i + minibatch]) for i in range(0, m, minibatch)]


def update(u, g, eta_t, weight_decay, clip):
    """``u ← clip((1 − ηₜ χ) u − ηₜ g, −C, C)`` (no decay factor when ``χ = 0``)."""
    u = u - eta_t * g if weight_decay == 0.0 else u * (1.0 - eta_t * weight_decay) - eta_t * g
    return u if clip is None else np.clip(u, -clip, clip)


def run(Z, y, u0, w_star, a, eta, steps, thr, ste, clip, opts: Options, record: bool):
    """All trials at once; returns ``(u, fixed_point, hit, distance, loss)`` as the engine."""
    trials, m, k, n = Z.shape
    U = u0.copy()
    hit = np.full(trials, -1, dtype=np.int64)
    fixed = np.full(trials, -1, dtype=np.int64)
    has_star = record and w_star is not None
    distance = np.zeros((trials, steps + 1), dtype=np.int64) if has_star else None
    loss = np.zeros((trials, steps + 1)) if record else None
    alive = np.ones(trials, dtype=bool)
    moved = np.zeros(trials, dtype=bool)
    rows = np.arange(trials)[:, None]
    batches, start = [], 0
    for t in range(steps + 1):
        live = np.flatnonzero(alive)
        W = np.where(U[live] >= 0.0, 1.0, -1.0)
        if w_star is not None:
            d = np.count_nonzero(W != w_star[live], axis=1)
            hit[live[(d == 0) & (hit[live] < 0)]] = t
            if distance is not None:
                distance[live, t] = d
        if loss is not None:
            S = np.matmul(Z[live].reshape(live.size, m * k, n), W[:, :, None])[:, :, 0]
            r = _gradient.residual(S, y[live], a, m, k)
            loss[live, t] = 0.5 * np.mean(r * r, axis=1)
        if t == steps:
            break
        if not batches:  # a new epoch: one batch list per trial, from its own stream
            rngs = opts.rngs or [None] * trials
            batches = [epoch_batches(m, opts.minibatch, rngs[i]) for i in range(trials)]
            batches = [np.stack([b[j] for b in batches]) for j in range(len(batches[0]))][::-1]
            start = t
            moved[:] = False
        idx = batches.pop()
        if opts.minibatch is None:
            Zb, yb = Z[live], y[live]
        else:
            Zb, yb = Z[rows[live], idx[live]], y[rows[live], idx[live]]
        g = _gradient.coarse_gradients(Zb, yb, W, a, thr, ste)
        moved[live] |= g.any(axis=1)
        # At the end of an epoch, trials that never moved in it are at a fixed point: no update.
        go = moved[live] if not batches else np.ones(live.size, dtype=bool)
        eta_t = step_size(eta, opts.eta_decay, t)
        U[live[go]] = update(U[live[go]], g[go], eta_t, opts.weight_decay, clip)
        if not batches:
            done = live[~go]
            fixed[done] = start
            alive[done] = False
            for rec in (distance, loss):
                if rec is not None:
                    rec[done, t + 1 :] = rec[done, t][:, None]
            if not alive.any():
                break
    return U, fixed, hit, distance, loss


def samples_processed(t, m: int, minibatch: int | None = None):
    """Per-sample gradients computed in the first ``t`` steps: ``m`` per full-batch step, ``|B|``
    per mini-batch step (epochs of ``⌈m/B⌉`` batches, the last one smaller)."""
    t = np.asarray(t, dtype=np.int64)
    if minibatch is None:
        return t * m
    per_epoch = -(-m // minibatch)
    return (t // per_epoch) * m + np.minimum((t % per_epoch) * minibatch, m)
