"""Explorer of chapter "Where n² comes from", driven without a browser."""

from __future__ import annotations

from math import comb

import numpy as np
import pytest

import stelib as sl

pytest.importorskip("ipywidgets")


def test_view_is_the_exhaustive_measurement_of_the_chapter():
    v = sl.threshold_origin_view(8, 3, samples=50, seed=4)
    # the same data set, drawn in the documented order, measured directly
    rng = np.random.default_rng(4)
    w_star = sl.teacher(8, rng=rng)
    Z = sl.gaussian_inputs(12 * 64, 8, rng=rng)
    W = sl.weights_at_distance(w_star, 3)
    S = sl.sample_weights_at_distance(w_star, 3, 50, rng=rng)
    dev_all = sl.coarse_gradient_deviation(Z, sl.clean_labels(Z, w_star), W, w_star, m_values=v.m)
    dev_s = sl.coarse_gradient_deviation(Z, sl.clean_labels(Z, w_star), S, w_star, m_values=v.m)
    np.testing.assert_allclose(v.worst, dev_all.max(axis=1))
    np.testing.assert_allclose(v.median, np.median(dev_all, axis=1))
    np.testing.assert_allclose(v.sampled, dev_s.max(axis=1))
    assert v.weights == comb(8, 3) == W.shape[0]
    assert v.rate == pytest.approx(np.sqrt(2 / (np.pi * 8)))
    assert v.m[0] == 8 and v.m[-1] == 12 * 64 and np.all(np.diff(v.m) > 0)
    # a sample of weights cannot be worse than all of them, nor the median worse than the worst
    assert np.all(v.sampled <= v.worst) and np.all(v.median <= v.worst)
    assert v.m_worst == sl.crossing_sample_size(v.m, v.worst, v.rate)
    assert v.m_median <= v.m_worst


def test_view_rejects_bad_arguments_by_name():
    with pytest.raises(ValueError, match="d"):
        sl.threshold_origin_view(8, 9)
    with pytest.raises(ValueError, match="n"):
        sl.threshold_origin_view(40, 3)
    with pytest.raises(ValueError, match="samples"):
        sl.threshold_origin_view(8, 3, samples=0)


def test_explorer_drives_the_computation():
    ex = sl.threshold_origin_explorer(n=8, samples=10)
    assert ex.values == {"n": 8, "distance": 0.5, "samples": 10, "seed": 0}
    data = ex.set(n=10, distance=0.25, seed=3)
    ref = sl.threshold_origin_view(10, 2, samples=10, seed=3)  # d = round(0.25 * 10) = 2
    np.testing.assert_array_equal(data.worst, ref.worst)
    (ax,) = ex.figure.axes
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), ref.worst)
    assert "n = 10, distance d = 2" in ax.get_title()
    assert f"worst of all {comb(10, 2)} weights" in ex.readout.value
    ex.set(distance=0.1, n=6)  # d = max(1, round(0.6)) = 1
    assert ex.error is None and ex.data.d == 1
