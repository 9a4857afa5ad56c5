"""Explorer of chapter "Label noise and recurrence", driven without a browser."""

from __future__ import annotations

import numpy as np
import pytest

import stelib as sl

pytest.importorskip("ipywidgets")


def test_recurrence_view_matches_the_command_line_record():
    v = sl.recurrence_view(12, 300, flip=0.1, steps=400, seed=3)
    rec = sl.recurrence_record(12, 300, flip=0.1, steps=400, seed=3)
    assert v.distance.shape == (401,)
    assert int(v.stats.first_hit) == rec["first_hit"]
    assert int(v.stats.returns) == rec["returns"]
    assert float(v.stats.occupation) == rec["occupation"]
    assert v.return_time_hist.tolist() == rec["return_time_hist"]
    assert v.predicted_oscillating == rec["predicted_oscillating"]
    assert v.max_abs_u == rec["max_abs_u"]


def test_recurrence_explorer_drives_the_computation():
    ex = sl.recurrence_explorer(n=12, steps=300)
    assert ex.values == {"ratio": 0.8, "flip": 0.05, "noise_std": 0.0, "clip": "none", "seed": 0}
    data = ex.set(ratio=1.6, flip=0.1, clip="0.3", seed=2)
    ref = sl.recurrence_view(12, round(1.6 * 144), flip=0.1, clip=0.3, steps=300, seed=2)
    np.testing.assert_array_equal(data.distance, ref.distance)
    assert data.clip == 0.3 and data.max_abs_u <= 0.3
    ax_d, ax_h = ex.figure.axes
    np.testing.assert_array_equal(ax_d.get_lines()[0].get_ydata(), ref.distance)
    assert [p.get_height() for p in ax_h.patches] == ref.return_time_hist.tolist()
    assert f"{int(ref.stats.returns)} returns" in ax_d.get_title()
    assert "flip p = 0.1" in ex.figure.get_suptitle()
    assert "returns" in ex.readout.value
    ex.set(flip=0.0, ratio=0.05)  # noiseless, few samples: the readout still makes sense
    assert ex.error is None and ex.readout.value
    with pytest.raises(ValueError, match="clip"):
        ex.set(clip="2")
    with pytest.raises(ValueError, match="flip"):
        ex.set(flip=0.5)
