"""Explorer of chapter "Beyond Gaussian data", no browser."""

from __future__ import annotations

import numpy as np
import pytest

import stelib as sl

pytest.importorskip("ipywidgets")


def test_inputs_view_runs_the_trials_of_its_family():
    d = sl.inputs_view(12, 80, inputs="shifted", mu=2.0, normalise="centre", trials=3, steps=300,
                       samples=500, seed=4)  # fmt: skip
    t = sl.sample_trials(12, 80, trials=3, seed=4, inputs="shifted", mu=2.0, normalise="centre")
    ref = sl.ste_gradient_method(t.Z, t.y, t.u0, w_star=t.w_star, steps=300, record=True)
    np.testing.assert_array_equal(d.distance, ref.distance)
    np.testing.assert_array_equal(d.hit, ref.hit)
    assert d.params == {"mu": 2.0} and d.S.shape == (13,)
    mc = sl.sign_moment_coefficients(12, inputs="shifted", mu=2.0, normalise="centre",
                                     samples=500, rng=4)  # fmt: skip
    np.testing.assert_array_equal(d.A, mc.A)


def test_inputs_explorer_switches_family_and_uses_only_its_parameter():
    ex = sl.inputs_explorer(n=10, m=60, seed=1)
    assert ex.values["inputs"] == "shifted" and ex.data.params == {"mu": 3.0}
    ex.set(inputs="uniform", df=10.0)
    assert ex.data.inputs == "uniform" and ex.data.params == {}
    ex.set(inputs="student-t")
    assert ex.data.params == {"df": 10.0}
    ax_m, ax_d = ex.figure.axes
    np.testing.assert_array_equal(ax_m.get_lines()[0].get_ydata(), ex.data.A[1:-1])
    np.testing.assert_array_equal(ax_m.get_lines()[1].get_xdata(), ex.data.S[1:-1])
    ok = int(np.count_nonzero(ex.data.hit >= 0))
    assert ax_d.get_title() == f"{ok} of 8 runs reach w* within 2000 steps"
    ex.set(normalise="whiten", n=30, m=20)  # impossible: m < n + 1, reported, not raised
    assert ex.error is not None and "whiten" in ex.error
