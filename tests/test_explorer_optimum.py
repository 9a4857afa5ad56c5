"""Explorer of chapter "STE against the optimum", driven without a browser."""

from __future__ import annotations

import numpy as np
import pytest

import stelib as sl

pytest.importorskip("ipywidgets")


def test_optimum_view_matches_the_library():
    v = sl.optimum_view(10, 12, alpha=2.0, n_amp=200, seed=3)
    t = sl.sample_trial(10, 12, rng=sl.trial_seed(3, n=10, m=12, k=1, trial=0))
    vs = sl.version_space(t.Z[:, 0, :], t.y_clean, max_members=1024)
    assert v.size == vs.size == v.distances.sum()
    assert v.distances[0] == 1  # w* itself
    np.testing.assert_array_equal(
        v.distances, np.bincount(sl.hamming(vs.members, t.w_star).astype(int), minlength=11)
    )
    assert v.m_amp == 400 and v.amp_overlap.shape == v.se_q.shape


def test_optimum_explorer_drives_the_computation():
    ex = sl.optimum_explorer(n_amp=200)
    assert ex.values == {"n": 14, "m": 16, "alpha": 1.6, "seed": 0}
    data = ex.set(n=9, m=5, alpha=0.8, seed=2)
    ref = sl.optimum_view(9, 5, alpha=0.8, n_amp=200, seed=2)
    np.testing.assert_array_equal(data.distances, ref.distances)
    ax_v, ax_a = ex.figure.axes
    assert [p.get_height() for p in ax_v.patches] == ref.distances.tolist()
    assert f"|V| = {ref.size}" in ax_v.get_title()
    assert "misses" in ax_a.get_title() and "|V|" in ex.readout.value
    with pytest.raises(ValueError, match="n"):
        ex.set(n=30)
    with pytest.raises(ValueError, match="n"):
        sl.optimum_view(21, 10)
