"""Explorers without a browser: set control values, check the data and the figure they produce.

Chapter authors: add a test for your explorer here, in the pattern of ``test_setup_explorer_*``:
build it, ``set`` some values, and compare ``ex.data`` with the library called directly.
"""

from __future__ import annotations

import base64
import sys
from typing import NamedTuple

import numpy as np
import pytest

import stelib as sl

pytest.importorskip("ipywidgets")


class Line(NamedTuple):
    x: np.ndarray
    y: np.ndarray
    scale: float


def _line_compute(*, scale, points, kind):
    x = np.linspace(0.0, 1.0, points)
    y = scale * (x if kind == "linear" else x**2)
    return Line(x=x, y=y, scale=scale)


def _line_plot(data, fig):
    ax = fig.subplots()
    ax.plot(data.x, data.y)
    ax.set(xlabel="x", ylabel="y", title=f"scale {data.scale:g}")


def _line_explorer(**kw):
    return sl.explorer(
        _line_compute,
        _line_plot,
        {
            "scale": sl.slider(1.0, 0.5, 4.0, 0.5, label="scale"),
            "points": sl.grid(5, (3, 5, 9), label="points"),
            "kind": sl.choice("linear", ("linear", "square"), label="kind"),
        },
        title="A line",
        summary=lambda d: f"max {d.y.max():g}",
        **kw,
    )


# --- the framework ----------------------------------------------------------------------------


def test_import_stelib_does_not_import_ipywidgets():
    import subprocess

    code = "import stelib, sys; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_explorer_initial_view_and_set_recompute():
    ex = _line_explorer()
    assert ex.updates == 1
    assert ex.values == {"scale": 1.0, "points": 5, "kind": "linear"}
    np.testing.assert_allclose(ex.data.y, np.linspace(0, 1, 5))
    data = ex.set(scale=2.5, points=9, kind="square")
    assert ex.updates == 2  # several controls set, one recomputation
    assert data is ex.data
    np.testing.assert_allclose(ex.data.y, 2.5 * np.linspace(0, 1, 9) ** 2)
    # the figure is the one drawn from the new data
    (line,) = ex.figure.axes[0].get_lines()
    np.testing.assert_allclose(line.get_ydata(), ex.data.y)
    assert ex.figure.axes[0].get_title() == "scale 2.5"
    assert ex.readout.value == "max 2.5"


def test_moving_a_control_widget_recomputes():
    ex = _line_explorer()
    ex.controls["scale"].value = 3.0  # what a reader's slider does
    assert ex.updates == 2
    np.testing.assert_allclose(ex.data.y.max(), 3.0)


def test_output_holds_png_of_current_figure():
    ex = _line_explorer()
    (bundle,) = ex.output.outputs
    assert bundle["output_type"] == "display_data"
    png = base64.b64decode(bundle["data"]["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert bundle["data"]["text/plain"] == "[figure: scale 1]"
    ex.set(scale=2.0)
    assert ex.output.outputs[0]["data"]["text/plain"] == "[figure: scale 2]"
    assert ex.output.outputs[0]["data"]["image/png"] != bundle["data"]["image/png"]


def test_mimebundle_is_widget_plus_deterministic_text_and_png():
    ex = _line_explorer()
    bundle = ex._repr_mimebundle_()
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == ex.widget.model_id
    assert bundle["text/plain"] == "[explorer: A line | scale=1.0, points=5, kind='linear']"
    assert bundle["image/png"] == ex.output.outputs[0]["data"]["image/png"]
    # same inputs, same text and same picture
    assert _line_explorer()._repr_mimebundle_()["image/png"] == bundle["image/png"]


def test_live_kernel_note_is_shown():
    ex = _line_explorer()
    html = [c.value for c in ex.widget.children if hasattr(c, "value") and "<" in str(c.value)]
    assert any(sl.LIVE_KERNEL_NOTE in h for h in html)


@pytest.mark.parametrize(
    ("values", "exc", "match"),
    [
        ({"nope": 1}, ValueError, "not a control"),
        ({"scale": 9.0}, ValueError, "scale == 9.0, must be <= 4.0"),
        ({"scale": 0.1}, ValueError, "scale"),
        ({"points": 4}, ValueError, r"points == 4, must be one of \(3, 5, 9\)"),
        ({"kind": "cubic"}, ValueError, "kind == 'cubic'"),
    ],
)
def test_set_validates_like_user_input(values, exc, match):
    ex = _line_explorer()
    with pytest.raises(exc, match=match):
        ex.set(**values)
    assert ex.updates == 1  # nothing recomputed, nothing silently clamped
    assert ex.values == {"scale": 1.0, "points": 5, "kind": "linear"}


def test_compute_value_error_is_shown_not_raised():
    def compute(*, x):
        if x > 2:
            raise ValueError(f"x == {x}, too large for this toy")
        return x

    def plot(data, fig):
        fig.subplots().set_title(f"x {data}")

    ex = sl.explorer(compute, plot, {"x": sl.slider(1, 0, 5, 1)}, title="toy")
    ex.set(x=3)
    assert ex.error == "x == 3, too large for this toy"
    assert "too large" in ex.readout.value
    assert ex.data == 1  # the last good data is kept
    ex.set(x=2)
    assert ex.error is None and ex.data == 2


def test_control_specs_validate():
    with pytest.raises(ValueError, match="max"):
        sl.slider(1, 3, 2, 1)
    with pytest.raises(ValueError, match="step"):
        sl.slider(1, 0, 2, 0)
    with pytest.raises(ValueError, match="value"):
        sl.slider(5, 0, 2, 1)
    with pytest.raises(ValueError, match="value == 4"):
        sl.grid(4, (1, 2, 3))
    with pytest.raises(TypeError, match="must be a bool"):
        sl.checkbox(1)
    with pytest.raises(TypeError, match="must be a Control"):
        sl.explorer(_line_compute, _line_plot, {"scale": (0, 1)}, title="bad")
    assert sl.slider(1, 0, 2, 1).options == (0, 2, 1)
    assert isinstance(sl.slider(1, 0, 2, 0.5).options[0], float)


def test_checkbox_control():
    ex = sl.explorer(
        lambda *, on: int(on),
        lambda d, fig: fig.subplots().set_title(str(d)),
        {"on": sl.checkbox(False, label="on")},
        title="flag",
    )
    assert ex.data == 0
    ex.set(on=True)
    assert ex.data == 1


def test_geometric_grid():
    g = sl.geometric_grid(10, 10_000, 31)
    assert g[0] == 10 and g[-1] == 10_000
    assert list(g) == sorted(set(g))
    ratios = np.diff(np.log10(g))
    np.testing.assert_allclose(ratios, 0.1, atol=0.02)
    with pytest.raises(ValueError, match="hi"):
        sl.geometric_grid(10, 5, 3)


# --- chapter "The setup, derived" -------------------------------------------------------------


def test_setup_trajectories_match_the_library():
    d = sl.setup_trajectories(20, 300, eta=0.5, steps=25, trials=3, seed=7)
    assert d.distance.shape == d.loss.shape == d.population_distance.shape == (3, 26)
    assert d.hit.shape == d.population_steps.shape == (3,)
    data = sl.sample_trials(20, 300, trials=3, seed=7, init_scale=1.0)
    run = sl.ste_gradient_method(
        data.Z, data.y, data.u0, w_star=data.w_star, eta=0.5, steps=25, record=True
    )
    np.testing.assert_array_equal(d.distance, run.distance)
    np.testing.assert_allclose(d.loss, run.loss)
    np.testing.assert_array_equal(d.hit, run.hit)
    for i in range(3):
        pop = sl.population_dynamics(data.u0[i], data.w_star[i], eta=0.5, steps=25)
        np.testing.assert_array_equal(d.population_distance[i], pop.distance[0])
        # population loss 2θ/π with cos θ = 1 − 2d/n; sl.angle takes arccos of a cosine that
        # rounds to 1 − ε at θ = 0, and arccos(1 − ε) ≈ √(2ε) ≈ 2e-8: hence atol.
        theta = np.arccos(1.0 - 2.0 * pop.distance[0] / 20)
        np.testing.assert_allclose(d.population_loss[i], 2 * theta / np.pi, atol=3e-8)
        steps = sl.population_steps(data.u0[i], data.w_star[i], eta=0.5)[0]
        assert d.population_steps[i] == steps
        if steps <= 25:  # the population run sits at w* from the predicted step on
            assert pop.distance[0][steps] == 0 and pop.distance[0][steps - 1] > 0


def test_setup_explorer_drives_the_computation():
    ex = sl.setup_explorer(n=20, m=300, steps=30, trials=2, seed=1)
    assert ex.values == {"n": 20, "m": 300, "eta": 1.0, "ste": "identity", "steps": 30, "seed": 1}
    ref = sl.setup_trajectories(20, 300, steps=30, trials=2, seed=1)
    np.testing.assert_array_equal(ex.data.distance, ref.distance)
    ex.set(n=30, m=1000, eta=0.3, ste="clipped", seed=2)
    ref = sl.setup_trajectories(30, 1000, eta=0.3, ste="clipped", steps=30, trials=2, seed=2)
    np.testing.assert_array_equal(ex.data.distance, ref.distance)
    np.testing.assert_array_equal(ex.data.population_distance, ref.population_distance)
    assert (ex.data.n, ex.data.m, ex.data.eta, ex.data.ste) == (30, 1000, 0.3, "clipped")
    # the left panel draws d_t: solid lines the runs, dashed lines the population dynamics
    ax_d = ex.figure.axes[0]
    solid = [ln for ln in ax_d.get_lines() if ln.get_linestyle() == "-"]
    dashed = [ln for ln in ax_d.get_lines() if ln.get_linestyle() == "--"]
    assert len(solid) == len(dashed) == 2
    for i in range(2):
        np.testing.assert_array_equal(solid[i].get_ydata(), ref.distance[i])
        np.testing.assert_array_equal(dashed[i].get_ydata(), ref.population_distance[i])
    reached = int(np.sum(ref.hit >= 0))
    assert ax_d.get_title() == f"{reached} of 2 runs reach w* within 30 steps"
    assert "n = 30, m = 1000" in ex.figure.get_suptitle()


def test_setup_explorer_rejects_values_off_its_grid():
    ex = sl.setup_explorer(n=20, m=300, steps=30, trials=1)
    with pytest.raises(ValueError, match="m == 301"):
        ex.set(m=301)
    with pytest.raises(ValueError, match="ste == 'relu'"):
        ex.set(ste="relu")
