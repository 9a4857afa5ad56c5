"""Explorer of chapter "Measuring the threshold": the upper bound without a budget."""

from __future__ import annotations

import numpy as np
import pytest

import stelib as sl

pytest.importorskip("ipywidgets")


def test_curves_add_the_upper_bound_where_fixed_points_were_recorded():
    res = [sl.success_probability(n, [n, 2 * n, 4 * n], trials=12, steps=300, seed=1)
           for n in (10, 16)]  # fmt: skip
    d = sl.threshold_curves(res, budget=100)
    for i, r in enumerate(res):
        o = sl.outcomes(r, budget=100)
        np.testing.assert_allclose(d.upper[i], (o.successes + o.censored) / 12)
        assert np.all(d.upper[i] >= d.p[i])  # the bound lies above the success fraction
    # an old success file records no fixed points: no upper bound, the rest unchanged
    old = [r._replace(fixed=None) for r in res]
    d_old = sl.threshold_curves(old, budget=100)
    assert d_old.upper == [None, None]
    np.testing.assert_allclose(d_old.x50, d.x50)
    ex = sl.threshold_explorer(res)
    dashed = [ln for ln in ex.figure.axes[0].get_lines() if ln.get_linestyle() == "--"]
    assert len(dashed) == 2
    np.testing.assert_allclose(dashed[0].get_ydata(), sl.outcomes(res[0], budget=300).upper)
    ex_old = sl.threshold_explorer(old)
    assert not [ln for ln in ex_old.figure.axes[0].get_lines() if ln.get_linestyle() == "--"]
