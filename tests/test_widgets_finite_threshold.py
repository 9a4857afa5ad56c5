"""Explorers of chapters "STE with finite samples" and "The sample-size threshold", no browser."""

from __future__ import annotations

import numpy as np
import pytest

import stelib as sl

pytest.importorskip("ipywidgets")


def test_finite_samples_run_matches_the_trajectory_it_wraps():
    d = sl.finite_samples_run(20, 60, ratio=100.0, steps=50, seed=2)
    t = sl.sample_trials(20, 60, trials=1, seed=2, init_scale=0.01)
    tr = sl.ste_trajectory(t.Z, t.y, t.u0, w_star=t.w_star, eta=1.0, steps=50)
    np.testing.assert_array_equal(d.distance, tr.distance[0])
    np.testing.assert_array_equal(d.flips, tr.flips[0])
    np.testing.assert_allclose(d.misclassified, tr.misclassified[0] / 60)
    np.testing.assert_allclose(d.fresh, np.arccos(1 - 2 * tr.distance[0] / 20) / np.pi)
    hits = np.flatnonzero(d.distance == 0)
    assert d.hit == (hits[0] if hits.size else -1)


def test_finite_samples_explorer_drives_the_computation():
    ex = sl.finite_samples_explorer(n=20, m=60, steps=100, seed=1)
    assert ex.values == {"n": 20, "m": 60, "ratio": 1000.0, "steps": 100, "seed": 1}
    ex.set(n=30, m=42, ratio=10.0, seed=3)
    ref = sl.finite_samples_run(30, 42, ratio=10.0, steps=100, seed=3)
    np.testing.assert_array_equal(ex.data.distance, ref.distance)
    ax_d, ax_f, ax_m = ex.figure.axes
    np.testing.assert_array_equal(ax_d.get_lines()[0].get_ydata(), ref.distance)
    np.testing.assert_array_equal(ax_f.get_lines()[0].get_ydata(), ref.flips)
    expected = f"w* reached at t = {ref.hit}" if ref.hit >= 0 else "no w* within 100 steps"
    assert ax_d.get_title() == expected
    assert "n = 30, m = 42" in ex.figure.get_suptitle()
    with pytest.raises(ValueError, match="ratio"):
        ex.set(ratio=3.0)


def _results():
    out = []
    for n, m in ((10, [4, 6, 9, 13, 20]), (16, [8, 12, 18, 27, 40])):
        out.append(sl.success_probability(n, m, trials=12, steps=400, seed=0))
    return out


def test_threshold_curves_rescale_and_measure_the_spread():
    res = _results()
    d = sl.threshold_curves(res, scaling="n log n", budget=100)
    assert d.budget == 100 and list(d.n) == [10, 16]
    for i, r in enumerate(res):
        k = sl.successes_within(r.hits, 100)
        np.testing.assert_allclose(d.p[i], k / 12)
        np.testing.assert_allclose(d.x[i], r.m / (r.n * np.log(r.n)))
        lo, hi = sl.wilson_interval(k, 12)
        np.testing.assert_allclose(d.lo[i], lo)
        m50 = sl.fit_m50(r.m, k, 12, bootstrap=1).m50
        np.testing.assert_allclose(d.x50[i], m50 / (r.n * np.log(r.n)))
    assert d.spread == pytest.approx(d.x50.max() / d.x50.min())
    with pytest.raises(ValueError, match="budget"):
        sl.threshold_curves(res, budget=401)
    # a curve whose measured success never reaches ½ has no 50% point (no extrapolation)
    low = sl.SuccessResult(n=12, k=1, m=np.array([5, 9]), trials=4, steps=400, seed=0,
                           hits=np.array([[-1, -1, -1, 3], [-1, 2, -1, -1]]))  # fmt: skip
    d = sl.threshold_curves([res[0], low])
    assert np.isnan(d.x50[1]) and np.isnan(d.spread) and np.isfinite(d.x50[0])


def test_threshold_explorer_switches_scaling_and_budget():
    res = _results()
    ex = sl.threshold_explorer(res)
    assert ex.values == {"scaling": "n^2", "budget": 400}
    ex.set(scaling="n", budget=200)
    ref = sl.threshold_curves(res, scaling="n", budget=200)
    np.testing.assert_allclose(ex.data.x50, ref.x50)
    ax = ex.figure.axes[0]
    assert ax.get_xlabel().startswith("m / n")
    assert f"{ref.spread:.2f}" in ax.get_title()
    with pytest.raises(ValueError, match="budget"):
        ex.set(budget=300)
