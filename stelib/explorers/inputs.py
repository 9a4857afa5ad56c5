"""Explorer of chapter "Beyond Gaussian data": an input family, a normalisation, and STE on it.

The left panel shows the population sign moment ``M(w) = A(S) w + B(S) 𝟙`` of the (normalised)
family (:func:`stelib.sign_moment_coefficients`, Monte Carlo), the right panel the Hamming
distance of a few STE runs on trials of that family (:func:`stelib.sample_trials`,
:func:`stelib.ste_gradient_method`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._validate import check_int
from ..data import sample_trials
from ..input_families import INPUT_FAMILIES, NORMALISATIONS, input_parameters
from ..moments import sign_moment_coefficients
from ..plotting import PALETTE
from ..ste import ste_gradient_method
from ..theory import signal
from ..widgets import Explorer, choice, explorer, geometric_grid, grid, slider

__all__ = ["InputsView", "inputs_view", "inputs_explorer"]

_PARAMETER = {"student-t": "df", "shifted": "mu", "anisotropic": "corr"}


class InputsView(NamedTuple):
    """What the explorer of chapter "Beyond Gaussian data" shows.

    Attributes
    ----------
    inputs, normalise : str
        Input family and normalisation layer.
    params : dict
        The family's parameter (``{}`` for most).
    n, m, trials, steps, seed : int
    S, A, B : numpy.ndarray, shape (n + 1,)
        Coefficients of ``M(w) = A(S) w + B(S) 𝟙`` of the normalised family (Monte Carlo).
    gaussian_A : float
        ``√(2/(πn))``, the Gaussian ``A``.
    distance : numpy.ndarray of int, shape (trials, steps + 1)
        Hamming distance ``dₜ`` of each run.
    hit : numpy.ndarray of int, shape (trials,)
        Hitting time of ``w*`` (``-1``: not within ``steps``).
    """

    inputs: str
    normalise: str
    params: dict
    n: int
    m: int
    trials: int
    steps: int
    seed: int
    S: np.ndarray
    A: np.ndarray
    B: np.ndarray
    gaussian_A: float
    distance: np.ndarray
    hit: np.ndarray


def inputs_view(
    n: int,
    m: int,
    *,
    inputs: str = "gaussian",
    normalise: str = "none",
    df: float = 3.0,
    mu: float = 1.0,
    corr: float = 0.5,
    trials: int = 8,
    steps: int = 2000,
    samples: int = 4000,
    seed: int = 0,
) -> InputsView:
    """Trials ``0 … trials − 1`` at ``(n, m)`` of a family, run with STE; and its sign moment.

    Only the family's own parameter among ``df``, ``mu``, ``corr`` is used. The Monte Carlo of
    the coefficients uses ``samples`` inputs per ``S`` from ``rng = seed``.
    """
    n = check_int(n, "n", min_value=2)
    m = check_int(m, "m", min_value=1)
    trials = check_int(trials, "trials", min_value=1)
    steps = check_int(steps, "steps", min_value=1)
    own = _PARAMETER.get(inputs)
    given = {"df": df, "mu": mu, "corr": corr}
    params = input_parameters(inputs, **({own: given[own]} if own else {}))
    coef = sign_moment_coefficients(
        n, inputs=inputs, normalise=normalise, samples=samples, rng=seed, **params
    )
    t = sample_trials(n, m, trials=trials, seed=seed, inputs=inputs, normalise=normalise, **params)
    res = ste_gradient_method(t.Z, t.y, t.u0, w_star=t.w_star, a=t.a, steps=steps, record=True)
    return InputsView(
        inputs=inputs,
        normalise=normalise,
        params=params,
        n=n,
        m=m,
        trials=trials,
        steps=steps,
        seed=int(seed),
        S=coef.S,
        A=coef.A,
        B=coef.B,
        gaussian_A=signal(n),
        distance=res.distance,
        hit=res.hit,
    )


def _label(d: InputsView) -> str:
    extra = "".join(f", {k} = {v:g}" for k, v in d.params.items())
    return f"{d.inputs}{extra}, normalise = {d.normalise}"


def _inputs_plot(d: InputsView, fig) -> None:
    ax_m, ax_d = fig.subplots(1, 2)
    # S = ±n (w = ±𝟙) carry only A ± B; leave them out, as the chapter's figure does
    inner = slice(1, -1)
    ax_m.plot(d.S[inner], d.A[inner], color=PALETTE[0], marker="o", ms=2, label="A(S): along w")
    ax_m.plot(d.S[inner], d.B[inner], color=PALETTE[1], marker="s", ms=2, label="B(S): along 𝟙")
    ax_m.axhline(d.gaussian_A, color="k", lw=0.8, ls="--", label="Gaussian A = √(2/(πn))")
    ax_m.axhline(0.0, color="k", lw=0.4)
    ax_m.set(xlabel="S = ⟨𝟙, w⟩ (number of +1 minus number of −1), |S| < n", ylabel="coefficient")
    ax_m.set_title("population sign moment M(w) = A(S) w + B(S) 𝟙", fontsize=10)
    ax_m.legend(loc="best", fontsize=7)
    t = np.arange(d.steps + 1)
    for i in range(d.trials):
        ax_d.plot(t, d.distance[i], color=PALETTE[i % len(PALETTE)], lw=0.8)
    ax_d.set_xscale("symlog", linthresh=10)
    ax_d.set(xlabel="iteration t (symlog scale)", ylabel="Hamming distance $d_t$ to w*")
    ok = int(np.count_nonzero(d.hit >= 0))
    ax_d.set_title(f"{ok} of {d.trials} runs reach w* within {d.steps} steps", fontsize=10)
    fig.suptitle(f"{_label(d)}; n = {d.n}, m = {d.m} (m/n² = {d.m / d.n**2:.3g}), seed {d.seed}")


def _inputs_summary(d: InputsView) -> str:
    ok = d.hit >= 0
    med = f", median hitting time {np.median(d.hit[ok]):g}" if ok.any() else ""
    return (
        f"{int(ok.sum())} of {d.trials} runs reach w*{med}; final distances "
        f"{', '.join(str(int(x)) for x in d.distance[:, -1])}"
    )


def inputs_explorer(
    *,
    inputs: str = "shifted",
    normalise: str = "none",
    n: int = 50,
    m: int = 200,
    mu: float = 3.0,
    df: float = 3.0,
    corr: float = 0.5,
    seed: int = 0,
) -> Explorer:
    """Explorer for chapter "Beyond Gaussian data": pick a family and a normalisation.

    Controls: ``inputs``, ``normalise``, the families' parameters (``mu``, ``df``, ``corr``;
    only the chosen family's one matters), ``n``, ``m`` (geometric grid), ``seed``. Data:
    :func:`inputs_view` with 8 trials of 2000 steps.
    """
    m_grid = tuple(sorted(set(geometric_grid(20, 5_000, 31)) | {check_int(m, "m", min_value=1)}))
    return explorer(
        lambda **v: inputs_view(**v),
        _inputs_plot,
        {
            "inputs": choice(inputs, INPUT_FAMILIES, label="inputs"),
            "normalise": choice(normalise, NORMALISATIONS, label="normalise"),
            "mu": slider(float(mu), -4.0, 4.0, 0.25, label="μ (shifted)"),
            "df": grid(
                float(df),
                tuple(sorted({2.5, 3.0, 4.0, 6.0, 10.0, 30.0, float(df)})),
                label="df q (student-t)",
            ),  # fmt: skip
            "corr": slider(float(corr), 0.0, 0.95, 0.05, label="υ (anisotropic correlation)"),
            "n": slider(n, 10, 100, 10, label="n (dimension)"),
            "m": grid(m, m_grid, label="m (samples)"),
            "seed": slider(seed, 0, 50, 1, label="seed"),
        },
        title="Beyond Gaussian data: the sign moment of a family and STE runs on it",
        summary=_inputs_summary,
        figsize=(11.0, 3.8),
    )
