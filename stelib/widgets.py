"""Interactive explorers: controls that drive a stelib computation and a figure.

Every chapter has at least one explorer. An explorer is three small pieces:

* ``compute(**values) -> data``: a *pure* function of the control values (keyword arguments
  named like the controls) that calls the library and returns arrays / a NamedTuple;
* ``plot(data, fig) -> None``: draws ``data`` on a fresh :class:`matplotlib.figure.Figure`
  (labelled axes with units, a title that states what the figure shows);
* ``controls``: a dict ``name -> spec`` made with :func:`slider`, :func:`grid`, :func:`choice`
  or :func:`checkbox` (plain NamedTuples: no ipywidgets needed to describe them).

:func:`explorer` turns them into an :class:`Explorer`: ipywidgets controls above an output area
with the figure (and an optional one-line ``summary(data)`` readout), and a note that the
controls are live (:data:`LIVE_KERNEL_NOTE`; the HTML book replaces it on its static pages).
Displaying the Explorer in a notebook shows the widget; its stored output also carries the
initial figure as a PNG (for the PDF), an HTML fallback that says which cells to run above that
figure (:data:`RUN_CELLS_NOTE`: what JupyterLab or Colab shows before the cells have run) and a
deterministic text line (for nbval). Tests drive it without a browser::

    ex = sl.setup_explorer()
    ex.set(m=4000)          # like moving the slider: recomputes and redraws once
    ex.data                 # what compute returned for the current values
    ex.figure               # the matplotlib Figure that was drawn
    ex.values               # {"n": 50, "m": 4000, ...}

Pattern for a chapter explorer (one module per chapter in ``stelib/explorers/``, its computation
in the module of its concept; export it in ``stelib/explorers/__init__.py`` and
``stelib/__init__.py``, and test it in ``tests/test_widgets*.py``)::

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
import html
import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from ._compat import moved
from ._validate import check_float, check_int, check_memory
from .plotting import figure_titles

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
]

#: The note the live explorer shows under its controls (a kernel is running). The HTML book
#: replaces it on its static pages (``_ext/book_html.py`` finds it by this text).
LIVE_KERNEL_NOTE = (
    "Live: moving a control recomputes the data and redraws the figure below in this "
    "notebook's Python kernel."
)

#: What a notebook shows in place of the explorer before its cells have run (no live widget:
#: a notebook just opened, or a Jupyter without the widget state), above the stored figure.
RUN_CELLS_NOTE = (
    "Not running yet: this is the figure at the initial values. To move the controls, run the "
    "notebook's cells from the top (in JupyterLab: Run \u2192 Run All Cells; in Colab: "
    "Runtime \u2192 Run all); the explorer then appears here."
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
    check_memory((num,), "num")
    values = np.unique(np.round(np.geomspace(lo, hi, num)).astype(np.int64))
    return tuple(int(v) for v in values)


def _ipywidgets():
    """``ipywidgets``, or an ImportError that says how to install it (the ``[widgets]`` extra)."""
    try:
        import ipywidgets
    except ImportError as exc:
        raise ModuleNotFoundError(
            f"The explorers need ipywidgets ({exc}): pip install 'stelib[widgets]' "
            "(or pip install ipywidgets), then restart the kernel.",
            name="ipywidgets",
        ) from exc
    return ipywidgets


def _make_widget(name: str, spec: Control):
    ipw = _ipywidgets()

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
        ipw = _ipywidgets()

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
        text = f"[figure: {figure_titles(fig)}]"
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

    def static_html(self) -> str:
        """The explorer without a kernel: its title, :data:`RUN_CELLS_NOTE` and the figure."""
        title = html.escape(self.title)
        figure = html.escape(f"[figure: {figure_titles(self.figure)}]") if self.figure else ""
        image = (
            f'<img src="data:image/png;base64,{self._png}" alt="{figure}"/>' if self._png else ""
        )
        return (
            f"<p><strong>{title}</strong></p>\n"
            f"<p><em>{html.escape(RUN_CELLS_NOTE)}</em></p>\n{image}"
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        # A live Jupyter shows the widget view; one without the widget (the stored output of a
        # notebook not run yet, untrusted, or a viewer without widgets) shows the richest other
        # representation: the HTML with the note saying what to run, then the PNG, then text.
        bundle = self.widget._repr_mimebundle_()
        bundle["text/plain"] = repr(self)
        if self._png is not None:
            bundle["image/png"] = self._png
        bundle["text/html"] = self.static_html()
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


#: Names that lived here before issue 19, still reachable with a DeprecationWarning.
__getattr__ = moved(
    __name__,
    {
        "SetupTrajectories": "stelib.trajectory",
        "setup_trajectories": "stelib.trajectory",
        "setup_explorer": "stelib.explorers.setup",
        "FiniteSamplesRun": "stelib.trajectory",
        "finite_samples_run": "stelib.trajectory",
        "finite_samples_explorer": "stelib.explorers.finite_samples",
        "ThresholdCurves": "stelib.explorers.threshold",
        "threshold_curves": "stelib.explorers.threshold",
        "threshold_explorer": "stelib.explorers.threshold",
        "RecurrenceView": "stelib.explorers.recurrence",
        "recurrence_view": "stelib.explorers.recurrence",
        "recurrence_explorer": "stelib.explorers.recurrence",
    },
)
