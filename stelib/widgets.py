"""Interactive explorers: controls that drive a stelib computation and a figure.

Every chapter has at least one explorer. An explorer is three small pieces:

* ``compute(**values) -> data``: a *pure* function of the control values (keyword arguments
  named like the controls) that calls the library and returns arrays / a NamedTuple;
* ``plot(data, fig) -> None``: draws ``data`` on a fresh :class:`matplotlib.figure.Figure`
  (labelled axes with units, a title that states what the figure shows);
* ``controls``: a dict ``name -> spec`` made with :func:`slider`, :func:`grid`, :func:`choice`
  or :func:`checkbox` (plain NamedTuples: no ipywidgets needed to describe them).

:func:`explorer` turns them into an :class:`Explorer`: ipywidgets controls above an output area
with the figure (and an optional one-line ``summary(data)`` readout), and a note that moving the
controls needs a live kernel. Displaying the Explorer in a notebook shows the widget; its stored
output also carries the initial figure as a PNG (for the PDF) and a deterministic text line (for
nbval). Tests drive it without a browser::

    ex = sl.setup_explorer()
    ex.set(m=4000)          # like moving the slider: recomputes and redraws once
    ex.data                 # what compute returned for the current values
    ex.figure               # the matplotlib Figure that was drawn
    ex.values               # {"n": 50, "m": 4000, ...}

Pattern for a chapter explorer (add yours below, export it in ``__all__`` and in
``stelib/__init__.py``, and test it in ``tests/test_widgets.py``)::

    def _my_compute(*, n, m, seed): ...        # pure; returns a NamedTuple
    def _my_plot(data, fig): ...               # draws on fig

    def my_explorer(*, n: int = 50, m: int = 500, seed: int = 0) -> Explorer:
        return explorer(
            _my_compute,
            _my_plot,
            {
                "n": slider(n, 10, 200, 10, label="n"),
                "m": grid(m, geometric_grid(10, 10_000, 25), label="m"),
                "seed": slider(seed, 0, 20, 1, label="seed"),
            },
            title="My chapter: what the reader explores",
            summary=lambda d: f"...one line with the numbers...",
        )

and in the notebook::

    ex = sl.my_explorer()
    ex

The notebook runner (``.ci/execute-notebooks``) stores the widget state in the notebook, so the
HTML page shows the explorer's initial view; the sliders move only with a live Python kernel
(Jupyter, Binder, Colab). ``ipywidgets`` is imported only when an explorer is built, so
``import stelib`` stays light. Keep ``compute`` fast (well under a second or two at the default
values): readers move sliders.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from ._validate import check_float, check_int

__all__ = [
    "Control",
    "Explorer",
    "LIVE_KERNEL_NOTE",
    "checkbox",
    "choice",
    "explorer",
    "geometric_grid",
    "grid",
    "slider",
    "setup_explorer",
    "SetupTrajectories",
    "setup_trajectories",
    "FiniteSamplesRun",
    "finite_samples_run",
    "finite_samples_explorer",
    "ThresholdCurves",
    "threshold_curves",
    "threshold_explorer",
    "RecurrenceView",
    "recurrence_view",
    "recurrence_explorer",
]

#: The note every explorer shows under its controls.
LIVE_KERNEL_NOTE = (
    "Moving the controls needs a live Python kernel: open this chapter in Jupyter, or with the "
    "Binder or Colab launch button (the rocket icon at the top of the page). Online, the figure "
    "shows the initial values."
)


# ---------------------------------------------------------------------------------------------
# Control specs (no ipywidgets needed)
# ---------------------------------------------------------------------------------------------


class Control(NamedTuple):
    """The description of one control.

    Attributes
    ----------
    kind : {"slider", "grid", "choice", "checkbox"}
    value : the initial value
    options : tuple
        ``(min, max, step)`` for a slider, the allowed values otherwise (``(False, True)`` for a
        checkbox).
    label : str
        Shown next to the control.
    """

    kind: str
    value: Any
    options: tuple
    label: str

    def check(self, value, name: str):
        """Return ``value`` if this control can take it, else raise ``ValueError``."""
        if self.kind == "slider":
            lo, hi, step = self.options
            if isinstance(lo, int) and isinstance(step, int):
                value = check_int(value, name, min_value=lo)
            else:
                value = check_float(value, name, min_value=lo)
            if value > hi:
                raise ValueError(f"{name} == {value!r}, must be <= {hi!r}.")
            return value
        if self.kind == "checkbox":
            if not isinstance(value, bool | np.bool_):
                raise TypeError(f"{name} == {value!r}, must be a bool.")
            return bool(value)
        if value not in self.options:
            raise ValueError(f"{name} == {value!r}, must be one of {self.options}.")
        return self.options[self.options.index(value)]


def slider(value, min, max, step, *, label: str | None = None) -> Control:  # noqa: A002
    """A slider from ``min`` to ``max`` in steps of ``step``; integer if all four are ints."""
    ints = all(isinstance(v, int | np.integer) for v in (value, min, max, step))
    cast = int if ints else float
    lo, hi, st, v = cast(min), cast(max), cast(step), cast(value)
    if not hi > lo:
        raise ValueError(f"max == {max!r}, must be > min == {min!r}.")
    if not st > 0:
        raise ValueError(f"step == {step!r}, must be > 0.")
    spec = Control("slider", v, (lo, hi, st), label or "")
    spec.check(v, "value")
    return spec


def grid(value, options: Sequence, *, label: str | None = None) -> Control:
    """A slider over the given values (e.g. a geometric grid of sample sizes)."""
    options = tuple(options)
    if len(options) < 2:
        raise ValueError(f"options == {options!r}, must hold at least 2 values.")
    spec = Control("grid", value, options, label or "")
    return spec._replace(value=spec.check(value, "value"))


def choice(value, options: Sequence, *, label: str | None = None) -> Control:
    """A drop-down menu over ``options`` (e.g. ``sl.STES``)."""
    options = tuple(options)
    if len(options) < 1:
        raise ValueError("options == (), must hold at least 1 value.")
    spec = Control("choice", value, options, label or "")
    return spec._replace(value=spec.check(value, "value"))


def checkbox(value: bool, *, label: str | None = None) -> Control:
    """A check box."""
    spec = Control("checkbox", value, (False, True), label or "")
    return spec._replace(value=spec.check(value, "value"))


def geometric_grid(lo: int, hi: int, num: int) -> tuple[int, ...]:
    """About ``num`` integers from ``lo`` to ``hi``, evenly spaced on a log scale (no repeats)."""
    lo = check_int(lo, "lo", min_value=1)
    hi = check_int(hi, "hi", min_value=lo + 1)
    num = check_int(num, "num", min_value=2)
    values = np.unique(np.round(np.geomspace(lo, hi, num)).astype(np.int64))
    return tuple(int(v) for v in values)


def _make_widget(name: str, spec: Control):
    import ipywidgets as ipw

    common = {
        "description": spec.label or name,
        "value": spec.value,
        "style": {"description_width": "initial"},
    }
    if spec.kind == "slider":
        lo, hi, step = spec.options
        cls = ipw.IntSlider if isinstance(lo, int) else ipw.FloatSlider
        return cls(min=lo, max=hi, step=step, continuous_update=False, **common)
    if spec.kind == "grid":
        return ipw.SelectionSlider(options=list(spec.options), continuous_update=False, **common)
    if spec.kind == "choice":
        return ipw.Dropdown(options=list(spec.options), **common)
    return ipw.Checkbox(indent=False, **common)


# ---------------------------------------------------------------------------------------------
# The explorer
# ---------------------------------------------------------------------------------------------


def _figure_png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _figure_titles(fig) -> str:
    titles = [fig._suptitle.get_text()] if getattr(fig, "_suptitle", None) else []
    titles += [ax.get_title() for ax in fig.axes if ax.get_title()]
    return " | ".join(titles)


class Explorer:
    """Controls driving ``compute`` and ``plot``; built by :func:`explorer`.

    Attributes
    ----------
    title : str
    controls : dict of name -> ipywidgets widget
        The live controls; moving one recomputes and redraws.
    specs : dict of name -> Control
    output : ipywidgets.Output
        Holds the current figure (a PNG display bundle).
    readout : ipywidgets.HTML
        The one-line ``summary(data)``.
    widget : ipywidgets.VBox
        What the notebook displays.
    data
        What ``compute`` returned for the current values.
    figure : matplotlib.figure.Figure
        The figure drawn for the current values.
    updates : int
        How many times the explorer has recomputed (1 after construction).
    """

    def __init__(
        self,
        compute: Callable[..., Any],
        plot: Callable[[Any, Any], None],
        specs: Mapping[str, Control],
        *,
        title: str,
        summary: Callable[[Any], str] | None = None,
        figsize: tuple[float, float] = (9.0, 3.6),
    ):
        import ipywidgets as ipw

        if not callable(compute):
            raise TypeError(f"compute == {compute!r}, must be callable.")
        if not callable(plot):
            raise TypeError(f"plot == {plot!r}, must be callable.")
        for name, spec in specs.items():
            if not isinstance(spec, Control):
                raise TypeError(
                    f"controls[{name!r}] == {spec!r}, must be a Control "
                    "(use slider, grid, choice or checkbox)."
                )
        self.title = str(title)
        self.specs = dict(specs)
        self._compute, self._plot, self._summary = compute, plot, summary
        self._figsize = tuple(figsize)
        self.controls = {name: _make_widget(name, spec) for name, spec in self.specs.items()}
        self.output = ipw.Output()
        self.readout = ipw.HTML()
        note = ipw.HTML(f"<small><em>{LIVE_KERNEL_NOTE}</em></small>")
        header = ipw.HTML(f"<strong>{self.title}</strong>")
        self.widget = ipw.VBox(
            [
                header,
                ipw.HBox(list(self.controls.values()), layout=ipw.Layout(flex_flow="row wrap")),
                note,
                self.output,
                self.readout,
            ]
        )
        self.data = None
        self.figure = None
        self.error: str | None = None
        self.updates = 0
        self._png: str | None = None
        self._holding = False
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.update()

    @property
    def values(self) -> dict[str, Any]:
        """The current control values."""
        return {name: control.value for name, control in self.controls.items()}

    def _on_change(self, _change) -> None:
        if not self._holding:
            self.update()

    def set(self, **values):
        """Set some controls (validated like user input), recompute once, return the data."""
        for name, value in values.items():
            if name not in self.specs:
                raise ValueError(f"{name!r} is not a control; the controls are {list(self.specs)}.")
            values[name] = self.specs[name].check(value, name)
        self._holding = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self._holding = False
        self.update()
        return self.data

    def update(self) -> None:
        """Recompute ``data`` and redraw the figure from the current control values."""
        from matplotlib.figure import Figure

        self.updates += 1
        self.readout.value = "<em>computing…</em>"
        try:
            data = self._compute(**self.values)
        except ValueError as exc:  # an impossible combination of values: say so, keep going
            self.error = str(exc)
            self.readout.value = f"<span style='color:#D55E00'>{self.error}</span>"
            return
        self.error = None
        fig = Figure(figsize=self._figsize, layout="constrained")
        self._plot(data, fig)
        self.data, self.figure = data, fig
        self._png = _figure_png(fig)
        text = f"[figure: {_figure_titles(fig)}]"
        self.output.outputs = (
            {
                "output_type": "display_data",
                "data": {"image/png": self._png, "text/plain": text},
                "metadata": {},
            },
        )
        self.readout.value = self._summary(data) if self._summary else ""

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"[explorer: {self.title} | {shown}]"

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_()
        bundle["text/plain"] = repr(self)
        if self._png is not None:
            bundle["image/png"] = self._png
        return bundle


def explorer(
    compute: Callable[..., Any],
    plot: Callable[[Any, Any], None],
    controls: Mapping[str, Control],
    *,
    title: str,
    summary: Callable[[Any], str] | None = None,
    figsize: tuple[float, float] = (9.0, 3.6),
) -> Explorer:
    """Build an :class:`Explorer`: ``controls`` drive ``compute``, whose data ``plot`` draws.

    Parameters
    ----------
    compute : callable
        ``compute(**values) -> data``, called with one keyword per control.
    plot : callable
        ``plot(data, fig)`` draws on a fresh constrained-layout Figure of size ``figsize``.
    controls : dict of name -> Control
        From :func:`slider`, :func:`grid`, :func:`choice`, :func:`checkbox`.
    title : str
        Shown above the controls, and in the text representation.
    summary : callable, optional
        ``summary(data) -> str``: a one-line readout (HTML allowed) under the figure.
    figsize : (float, float)
        Figure size in inches.
    """
    return Explorer(compute, plot, controls, title=title, summary=summary, figsize=figsize)


# ---------------------------------------------------------------------------------------------
# Chapter "The setup, derived": finite-sample STE runs against the population dynamics
# ---------------------------------------------------------------------------------------------


class SetupTrajectories(NamedTuple):
    """Finite-sample STE runs and the population dynamics from the same starts.

    Attributes
    ----------
    n, m, steps, seed : int
    eta : float
        Step size, with ``u₀ ~ N(0, I)`` (only ``η`` relative to the scale of ``u₀`` matters).
    ste : str
    distance : numpy.ndarray of int, shape (trials, steps + 1)
        Hamming distance ``dₜ`` of the finite-sample runs.
    loss : numpy.ndarray, shape (trials, steps + 1)
        Training loss ``L_m(wₜ)``.
    population_distance : numpy.ndarray of int, shape (trials, steps + 1)
        ``dₜ`` of the population dynamics (``m = ∞``) from the same ``u₀``.
    population_loss : numpy.ndarray, shape (trials, steps + 1)
        Population loss ``2θₜ/π`` along the population dynamics.
    hit : numpy.ndarray of int, shape (trials,)
        First ``t`` with ``wₜ = w*`` for the finite-sample runs, ``-1`` if never within ``steps``.
    population_steps : numpy.ndarray of int, shape (trials,)
        Exact number of population steps to reach ``w*``.
    """

    n: int
    m: int
    eta: float
    ste: str
    steps: int
    seed: int
    distance: np.ndarray
    loss: np.ndarray
    population_distance: np.ndarray
    population_loss: np.ndarray
    hit: np.ndarray
    population_steps: np.ndarray


def setup_trajectories(
    n: int,
    m: int,
    *,
    eta: float = 1.0,
    ste: str = "identity",
    steps: int = 60,
    trials: int = 4,
    seed: int = 0,
) -> SetupTrajectories:
    """Run ``trials`` finite-sample STE trajectories and the population dynamics from their starts.

    Trial ``i`` is :func:`stelib.sample_trial` drawn from ``trial_seed(seed, n, m, 1, i)`` with
    ``u₀ ~ N(0, I)``; the STE-gradient method runs ``steps`` iterations with step ``eta``; the
    population dynamics ``uₜ₊₁ = uₜ − η√(2/(πn))(sign uₜ − w*)`` starts from the same ``u₀``.
    See chapter "The setup, derived".
    """
    from .data import sample_trials
    from .model import sign
    from .ste import ste_gradient_method
    from .theory import population_dynamics, population_loss, population_steps

    n = check_int(n, "n", min_value=1)
    m = check_int(m, "m", min_value=1)
    steps = check_int(steps, "steps", min_value=0)
    trials = check_int(trials, "trials", min_value=1)
    eta = check_float(eta, "eta", min_value=0.0, strict_min=True)
    data = sample_trials(n, m, trials=trials, seed=seed, init_scale=1.0)
    run = ste_gradient_method(
        data.Z, data.y, data.u0, w_star=data.w_star, eta=eta, steps=steps, ste=ste, record=True
    )
    pop_d = np.empty((trials, steps + 1), dtype=np.int64)
    pop_loss = np.empty((trials, steps + 1))
    pop_steps = np.empty(trials, dtype=np.int64)
    for i in range(trials):
        pop = population_dynamics(data.u0[i], data.w_star[i], eta=eta, steps=steps)
        pop_d[i] = pop.distance[0]
        pop_loss[i] = [population_loss(sign(u), data.w_star[i]) for u in pop.u[0]]
        pop_steps[i] = population_steps(data.u0[i], data.w_star[i], eta=eta)[0]
    return SetupTrajectories(
        n=n,
        m=m,
        eta=eta,
        ste=ste,
        steps=steps,
        seed=int(seed),
        distance=run.distance,
        loss=run.loss,
        population_distance=pop_d,
        population_loss=pop_loss,
        hit=run.hit,
        population_steps=pop_steps,
    )


def _setup_plot(d: SetupTrajectories, fig) -> None:
    from .plotting import PALETTE

    ax_d, ax_l = fig.subplots(1, 2)
    t = np.arange(d.steps + 1)
    for i in range(d.distance.shape[0]):
        c = PALETTE[i % len(PALETTE)]
        ax_d.plot(t, d.distance[i], color=c, lw=1.5, label="finite m" if i == 0 else None)
        ax_d.plot(t, d.population_distance[i], color=c, lw=1.2, ls="--",
                  label="population (m = ∞)" if i == 0 else None)  # fmt: skip
        ax_l.plot(t, d.loss[i], color=c, lw=1.5, label="training loss $L_m$" if i == 0 else None)
        ax_l.plot(t, d.population_loss[i], color=c, lw=1.2, ls="--",
                  label="population loss $2\\theta/\\pi$" if i == 0 else None)  # fmt: skip
    ax_d.set(xlabel="iteration t", ylabel="Hamming distance $d_t$ (coordinates)")
    ax_l.set(xlabel="iteration t", ylabel="loss")
    ax_d.legend(loc="upper right")
    ax_l.legend(loc="upper right")
    reached = int(np.sum(d.hit >= 0))
    trials = d.distance.shape[0]
    ax_d.set_title(f"{reached} of {trials} runs reach w* within {d.steps} steps")
    ax_l.set_title("training loss vs population loss")
    fig.suptitle(f"n = {d.n}, m = {d.m} (m/n² = {d.m / d.n**2:.2g}), η = {d.eta:g}, {d.ste} STE")


def _setup_summary(d: SetupTrajectories) -> str:
    hits = ", ".join(str(h) if h >= 0 else "never" for h in d.hit)
    pops = ", ".join(str(s) for s in d.population_steps)
    return (
        f"First step at w*, finite m: {hits}. Population dynamics: {pops} steps "
        f"(seed {d.seed}, trials drawn by <code>sl.sample_trials</code>)."
    )


def setup_explorer(
    *,
    n: int = 50,
    m: int = 1000,
    eta: float = 1.0,
    ste: str = "identity",
    steps: int = 60,
    trials: int = 4,
    seed: int = 0,
) -> Explorer:
    """Explorer for chapter "The setup, derived": finite-sample STE runs vs the population.

    Controls: ``n``, ``m`` (geometric grid), ``eta`` (step size with ``u₀ ~ N(0, I)``: only
    ``η`` relative to the scale of ``u₀`` matters), ``ste``, ``steps`` and ``seed``; ``trials``
    runs are drawn per setting. Data: :func:`setup_trajectories`.
    """
    from .ste import STES

    m_grid = tuple(sorted(set(geometric_grid(10, 10_000, 31)) | {check_int(m, "m", min_value=1)}))
    eta_grid = tuple(sorted({0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, float(eta)}))
    trials = check_int(trials, "trials", min_value=1)

    def compute(**values):
        return setup_trajectories(trials=trials, **values)

    return explorer(
        compute,
        _setup_plot,
        {
            "n": slider(n, 5, 200, 5, label="n (dimension)"),
            "m": grid(m, m_grid, label="m (samples)"),
            "eta": grid(float(eta), eta_grid, label="η / scale of u₀"),
            "ste": choice(ste, STES, label="STE"),
            "steps": slider(steps, 10, 400, 10, label="steps"),
            "seed": slider(seed, 0, 50, 1, label="seed"),
        },
        title="Finite-sample STE runs against the population dynamics",
        summary=_setup_summary,
    )


# ---------------------------------------------------------------------------------------------
# Chapter "STE with finite samples": inside one run (distance, flips, misclassified samples)
# ---------------------------------------------------------------------------------------------


class FiniteSamplesRun(NamedTuple):
    """One STE run looked at from inside (chapter "STE with finite samples").

    Attributes
    ----------
    n, m, steps, seed : int
    ratio : float
        ``η / init_scale`` (``η = 1``, ``u₀ = N(0, I)/ratio``).
    distance : numpy.ndarray of int, shape (steps + 1,)
        Hamming distance ``dₜ``.
    flips : numpy.ndarray of int, shape (steps,)
        Coordinates that change sign in each step.
    misclassified : numpy.ndarray, shape (steps + 1,)
        Fraction of the ``m`` training samples that ``wₜ`` gets wrong.
    fresh : numpy.ndarray, shape (steps + 1,)
        Fraction a fresh sample would get wrong, ``θₜ/π`` with ``cos θₜ = 1 − 2dₜ/n``.
    hit : int
        First ``t`` with ``wₜ = w*``, ``-1`` if none.
    """

    n: int
    m: int
    ratio: float
    steps: int
    seed: int
    distance: np.ndarray
    flips: np.ndarray
    misclassified: np.ndarray
    fresh: np.ndarray
    hit: int


def finite_samples_run(
    n: int, m: int, *, ratio: float = 1000.0, steps: int = 1000, seed: int = 0
) -> FiniteSamplesRun:
    """Trial 0 of ``(n, m)`` at root ``seed``, run with :func:`stelib.ste_trajectory`.

    ``η = 1`` and ``u₀ = N(0, I)/ratio``: only the ratio ``η / scale(u₀)`` matters.
    """
    from .data import sample_trials
    from .model import angle_from_hamming
    from .trajectory import ste_trajectory

    n = check_int(n, "n", min_value=1)
    m = check_int(m, "m", min_value=1)
    ratio = check_float(ratio, "ratio", min_value=0.0, strict_min=True)
    steps = check_int(steps, "steps", min_value=1)
    t = sample_trials(n, m, trials=1, seed=seed, init_scale=1.0 / ratio)
    tr = ste_trajectory(t.Z, t.y, t.u0, w_star=t.w_star, eta=1.0, steps=steps)
    d = tr.distance[0]
    hits = np.flatnonzero(d == 0)
    return FiniteSamplesRun(
        n=n,
        m=m,
        ratio=ratio,
        steps=steps,
        seed=int(seed),
        distance=d,
        flips=tr.flips[0],
        misclassified=tr.misclassified[0] / m,
        fresh=angle_from_hamming(d, n) / np.pi,
        hit=int(hits[0]) if hits.size else -1,
    )


def _finite_plot(d: FiniteSamplesRun, fig) -> None:
    from .plotting import PALETTE

    ax_d, ax_f, ax_m = fig.subplots(1, 3)
    t = np.arange(d.steps + 1)
    ax_d.plot(t, d.distance, color=PALETTE[0])
    ax_d.set(xlabel="iteration t", ylabel="Hamming distance $d_t$ (coordinates)")
    ax_d.set_title(
        f"w* reached at t = {d.hit}" if d.hit >= 0 else f"no w* within {d.steps} steps",
        fontsize=10,
    )
    ax_f.plot(t[1:], d.flips, color=PALETTE[1], lw=0.6)
    ax_f.set(xlabel="iteration t", ylabel="coordinates flipped in step t")
    ax_f.set_title("flips per step", fontsize=10)
    ax_m.plot(t, d.misclassified, color=PALETTE[2], lw=0.8, label="training samples")
    ax_m.plot(t, d.fresh, color=PALETTE[3], lw=0.8, ls="--", label=r"fresh sample, $\theta_t/\pi$")
    ax_m.set(xlabel="iteration t", ylabel="fraction misclassified")
    ax_m.set_title("training vs fresh error", fontsize=10)
    ax_m.legend(loc="upper right", fontsize=8)
    fig.suptitle(
        f"n = {d.n}, m = {d.m} (m/n² = {d.m / d.n**2:.3g}), η/scale(u₀) = {d.ratio:g}, "
        f"seed {d.seed}"
    )


def _finite_summary(d: FiniteSamplesRun) -> str:
    if d.hit >= 0:
        return f"reaches w* at t = {d.hit}, after {int(d.flips[: d.hit].sum())} sign flips in all"
    return (
        f"no w* within {d.steps} steps; mean d = {d.distance.mean():.1f}, "
        f"{d.flips.mean():.1f} flips per step, {100 * d.misclassified.mean():.1f}% of training "
        f"samples wrong (fresh samples: {100 * d.fresh.mean():.1f}%)"
    )


def finite_samples_explorer(
    *, n: int = 100, m: int = 250, ratio: float = 1000.0, steps: int = 1000, seed: int = 0
) -> Explorer:
    """Explorer for chapter "STE with finite samples": one run from inside.

    Controls: ``n``, ``m`` (geometric grid), ``ratio`` = ``η / scale(u₀)``, ``steps``, ``seed``.
    Data: :func:`finite_samples_run`.
    """
    m_grid = tuple(sorted(set(geometric_grid(20, 5_000, 31)) | {check_int(m, "m", min_value=1)}))
    ratio_grid = tuple(sorted({0.1, 1.0, 10.0, 100.0, 1000.0, 10_000.0, float(ratio)}))
    return explorer(
        lambda **v: finite_samples_run(**v),
        _finite_plot,
        {
            "n": slider(n, 10, 200, 10, label="n (dimension)"),
            "m": grid(m, m_grid, label="m (samples)"),
            "ratio": grid(float(ratio), ratio_grid, label="η / scale of u₀"),
            "steps": slider(steps, 100, 2000, 100, label="steps"),
            "seed": slider(seed, 0, 50, 1, label="seed"),
        },
        title="Inside one STE run: distance, sign flips and misclassified samples",
        summary=_finite_summary,
        figsize=(11.0, 3.6),
    )


# ---------------------------------------------------------------------------------------------
# Chapter "The sample-size threshold": success curves under three scalings of m
# ---------------------------------------------------------------------------------------------


class ThresholdCurves(NamedTuple):
    """Success curves of several ``n`` at one budget, rescaled (chapter "The sample-size
    threshold").

    Attributes
    ----------
    scaling : str
        One of :data:`stelib.SCALINGS`.
    budget : int
        Budget ``T``: success is ``0 ≤ τ ≤ T``.
    n : numpy.ndarray of int, shape (P,)
    x : list of numpy.ndarray
        ``m / s(n)`` per ``n``.
    p, lo, hi : list of numpy.ndarray
        Success fraction and its Wilson interval per ``n``.
    x50 : numpy.ndarray, shape (P,)
        Rescaled logistic 50% points ``m₅₀/s(n)``.
    spread : float
        ``max x₅₀ / min x₅₀`` (1 = perfect collapse).
    """

    scaling: str
    budget: int
    n: np.ndarray
    x: list
    p: list
    lo: list
    hi: list
    x50: np.ndarray
    spread: float


def threshold_curves(
    results: Sequence, *, scaling: str = "n^2", budget: int | None = None
) -> ThresholdCurves:
    """Rescale the success curves of ``results`` (one :class:`stelib.SuccessResult` per ``n``).

    ``budget`` defaults to the smallest run budget; it may not exceed it.
    """
    from .stats import (
        collapse_spread,
        crosses_half,
        fit_m50,
        scale,
        successes_within,
        wilson_interval,
    )

    results = list(results)
    if len(results) < 2:
        raise ValueError(f"results holds {len(results)} runs, need at least 2 (several n).")
    most = min(r.steps for r in results)
    budget = most if budget is None else check_int(budget, "budget", min_value=1)
    if budget > most:
        raise ValueError(f"budget == {budget}, must be <= the smallest run budget {most}.")
    ns, xs, ps, los, his, m50 = [], [], [], [], [], []
    for r in results:
        k = successes_within(r.hits, budget)
        lo, hi = wilson_interval(k, r.trials)
        xs.append(r.m / scale(r.n, scaling))
        ps.append(k / r.trials)
        los.append(lo)
        his.append(hi)
        ns.append(r.n)
        crosses = crosses_half(k, r.trials)
        m50.append(fit_m50(r.m, k, r.trials, bootstrap=1).m50 if crosses else np.nan)
    ns, m50 = np.array(ns), np.array(m50)
    if np.any(np.isnan(m50)):  # no 50% point within the grid: do not extrapolate
        return ThresholdCurves(scaling, budget, ns, xs, ps, los, his, m50 / scale(ns, scaling),
                               float("nan"))  # fmt: skip
    col = collapse_spread(ns, m50, scaling)
    return ThresholdCurves(scaling, budget, ns, xs, ps, los, his, col.x50, col.spread)


def _threshold_plot(d: ThresholdCurves, fig) -> None:
    from .plotting import PALETTE

    ax = fig.subplots()
    label = {"n": "m / n", "n log n": "m / (n ln n)", "n^2": "m / n²"}[d.scaling]
    for i, n in enumerate(d.n):
        c = PALETTE[i % len(PALETTE)]
        yerr = np.vstack([d.p[i] - d.lo[i], d.hi[i] - d.p[i]])
        ax.errorbar(d.x[i], d.p[i], yerr=yerr, marker="o", ms=3, color=c, capsize=2,
                    label=f"n = {n}")  # fmt: skip
        if np.isfinite(d.x50[i]):
            ax.axvline(d.x50[i], color=c, lw=0.8, ls=":")
    ax.axhline(0.5, color="k", lw=0.6)
    ax.set_xscale("log")
    ax.set(xlabel=f"{label} (log scale)", ylabel=f"P(w* reached within T = {d.budget})")
    ax.legend(loc="upper left", fontsize=8)
    if np.isfinite(d.spread):
        ax.set_title(f"Against {label}: 50% points spread by a factor {d.spread:.2f} across n")
    else:
        ax.set_title(f"Against {label}: a curve does not cross 50% on its grid at T = {d.budget}")


def threshold_explorer(
    results: Sequence, *, scaling: str = "n^2", budget: int | None = None
) -> Explorer:
    """Explorer for chapter "The sample-size threshold": which scaling collapses the curves.

    ``results``: one :class:`stelib.SuccessResult` per ``n`` (e.g. read from the chapter's data
    files with :func:`stelib.read_success_file`). Controls: the scaling of ``m`` and the budget
    ``T`` (any ``T`` up to the runs' budget: a run with budget ``T`` answers every smaller one).
    Data: :func:`threshold_curves`.
    """
    from .stats import SCALINGS

    results = list(results)
    most = min(r.steps for r in results)
    steps = (100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000)
    extra = {most} if budget is None else {most, check_int(budget, "budget", min_value=1)}
    budgets = tuple(sorted({b for b in steps if b <= most} | extra))
    return explorer(
        lambda **v: threshold_curves(results, **v),
        _threshold_plot,
        {
            "scaling": choice(scaling, SCALINGS, label="rescale m by"),
            "budget": grid(most if budget is None else budget, budgets, label="budget T"),
        },
        title="Success probability against rescaled sample size",
        summary=lambda d: (
            f"T = {d.budget}: 50% points m₅₀/s(n) = "
            + ", ".join(f"{x:.3g} (n = {n})" for n, x in zip(d.n, d.x50, strict=True))
            + f"; spread max/min = {d.spread:.2f}"
            if np.isfinite(d.spread)
            else f"T = {d.budget}: some curve does not cross 50%"
        ),
        figsize=(8.0, 4.0),
    )


# ---------------------------------------------------------------------------------------------
# Chapter "Label noise and recurrence": leaving w* and coming back
# ---------------------------------------------------------------------------------------------

#: Clip choices of :func:`recurrence_explorer` (``"none"``: unbounded latent weights).
_CLIPS = ("none", "10", "1", "0.3", "0.1", "0.03")


class RecurrenceView(NamedTuple):
    """One noisy STE run and its recurrence statistics (chapter "Label noise and recurrence").

    Attributes
    ----------
    n, m, steps, seed : int
    flip, noise_std : float
        Label noise: flip probability ``p`` and additive standard deviation ``s``.
    clip : float or None
        Box ``[−C, C]`` of the latent weights (``None``: unbounded).
    distance : numpy.ndarray of int, shape (steps + 1,)
        Hamming distance ``dₜ`` to ``w*``.
    stats : stelib.RecurrenceStats
        Its statistics (0-d fields).
    return_time_hist : numpy.ndarray of int, shape (16,)
        Completed return times in dyadic bins (:func:`stelib.return_time_histogram`).
    predicted_oscillating : int
        Coordinates with ``cⱼ w*ⱼ > 0`` for ``c = ĝ(w*)`` (:func:`stelib.drift_prediction`).
    max_abs_u : float
        ``max |u_T|``.
    """

    n: int
    m: int
    flip: float
    noise_std: float
    clip: float | None
    steps: int
    seed: int
    distance: np.ndarray
    stats: Any
    return_time_hist: np.ndarray
    predicted_oscillating: int
    max_abs_u: float


def recurrence_view(
    n: int,
    m: int,
    *,
    flip: float = 0.05,
    noise_std: float = 0.0,
    clip: float | None = None,
    steps: int = 4000,
    seed: int = 0,
) -> RecurrenceView:
    """Trial 0 of ``(n, m)`` at root ``seed`` with label noise, run by the STE engine.

    The numbers are those of ``python -m stelib recurrence`` with the same options.
    """
    from .data import sample_trials
    from .recurrence import drift_prediction, recurrence_statistics, return_time_histogram
    from .ste import coarse_gradient, ste_gradient_method

    n = check_int(n, "n", min_value=1)
    m = check_int(m, "m", min_value=1)
    steps = check_int(steps, "steps", min_value=1)
    t = sample_trials(n, m, trials=1, seed=seed, flip=flip, noise_std=noise_std)
    res = ste_gradient_method(t.Z, t.y, t.u0, w_star=t.w_star, steps=steps, clip=clip, record=True)
    d = res.distance[0]
    c = coarse_gradient(t.Z[0], t.y[0], t.w_star[0], a=t.a)
    return RecurrenceView(
        n=n,
        m=m,
        flip=float(flip),
        noise_std=float(noise_std),
        clip=None if clip is None else float(clip),
        steps=steps,
        seed=int(seed),
        distance=d,
        stats=recurrence_statistics(d),
        return_time_hist=return_time_histogram(d),
        predicted_oscillating=int(np.count_nonzero(drift_prediction(c, t.w_star[0]).oscillating)),
        max_abs_u=float(np.max(np.abs(res.u[0]))),
    )


def _recurrence_plot(d: RecurrenceView, fig) -> None:
    from .plotting import PALETTE

    ax_d, ax_h = fig.subplots(1, 2, width_ratios=(2.2, 1))
    t = np.arange(d.steps + 1)
    ax_d.plot(t, d.distance, color=PALETTE[0], lw=0.5)
    ax_d.set(xlabel="iteration t", ylabel="Hamming distance $d_t$ to $w^\\star$")
    s = d.stats
    ax_d.set_title(
        f"{int(s.returns)} returns to w*, at w* {100 * float(s.occupation):.1f}% of the time",
        fontsize=10,
    )
    h = d.return_time_hist
    ax_h.bar(np.arange(h.size), h, color=PALETTE[1], width=0.8)
    ax_h.set_xticks(np.arange(0, h.size, 3), [f"$2^{{{b}}}$" for b in range(0, h.size, 3)])
    ax_h.set(xlabel="return time (steps, dyadic bins)", ylabel="number of returns")
    ax_h.set_title("return times", fontsize=10)
    clip = "none" if d.clip is None else f"{d.clip:g}"
    fig.suptitle(
        f"n = {d.n}, m = {d.m} (m/n² = {d.m / d.n**2:.3g}), flip p = {d.flip:g}, "
        f"additive s = {d.noise_std:g}, clip = {clip}, seed {d.seed}"
    )


def _recurrence_summary(d: RecurrenceView) -> str:
    s = d.stats
    if int(s.first_hit) < 0:
        return (
            f"w* never reached in {d.steps} steps (mean distance {float(s.mean_distance):.1f}); "
            f"{d.predicted_oscillating} of {d.n} coordinates would oscillate at w*."
        )
    return (
        f"first hit t = {int(s.first_hit)}; {int(s.returns)} returns; occupation "
        f"{float(s.occupation):.3f}; farthest excursion d = "
        f"{int(s.max_distance_after_first_hit)}; {d.predicted_oscillating} of {d.n} coordinates "
        f"predicted to oscillate; max |u_T| = {d.max_abs_u:.3g}."
    )


def recurrence_explorer(
    *,
    n: int = 30,
    ratio: float = 0.8,
    flip: float = 0.05,
    noise_std: float = 0.0,
    clip: str = "none",
    steps: int = 4000,
    seed: int = 0,
) -> Explorer:
    """Explorer for chapter "Label noise and recurrence": returns to ``w*`` under label noise.

    Controls: ``ratio`` = ``m/n²`` (``m = round(ratio · n²)``), flip probability ``flip``,
    additive noise ``noise_std``, box ``clip`` (``"none"`` or a number) and ``seed``, at fixed
    ``n`` and ``steps``. Data: :func:`recurrence_view`.
    """
    n = check_int(n, "n", min_value=2)
    steps = check_int(steps, "steps", min_value=1)
    ratios = tuple(sorted({0.05, 0.1, 0.2, 0.4, 0.8, 1.6, float(ratio)}))

    def compute(*, ratio, flip, noise_std, clip, seed):
        m = max(1, int(round(ratio * n * n)))
        c = None if clip == "none" else float(clip)
        return recurrence_view(n, m, flip=flip, noise_std=noise_std, clip=c, steps=steps, seed=seed)

    return explorer(
        compute,
        _recurrence_plot,
        {
            "ratio": grid(float(ratio), ratios, label="m/n²"),
            "flip": slider(float(flip), 0.0, 0.3, 0.01, label="flip p"),
            "noise_std": slider(float(noise_std), 0.0, 1.0, 0.05, label="additive s"),
            "clip": choice(clip, _CLIPS, label="clip C"),
            "seed": slider(seed, 0, 50, 1, label="seed"),
        },
        title="Label noise: the STE iterate leaves w* and comes back",
        summary=_recurrence_summary,
        figsize=(10.0, 3.6),
    )
