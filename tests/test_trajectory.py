import numpy as np
import pytest

import stelib as sl


@pytest.mark.parametrize("k", [1, 3])
def test_trajectory_agrees_with_the_engine_records(k):
    t = sl.sample_trials(15, 60, trials=3, seed=1, k=k)
    steps = 60
    tr = sl.ste_trajectory(t.Z, t.y, t.u0, w_star=t.w_star, a=t.a, eta=0.5, steps=steps)
    ref = sl.ste_gradient_method(
        t.Z, t.y, t.u0, w_star=t.w_star, a=t.a, eta=0.5, steps=steps, record=True
    )
    np.testing.assert_array_equal(tr.distance, ref.distance)
    assert tr.w.shape == (3, steps + 1, 15) and tr.flips.shape == (3, steps)
    for i in range(3):
        for s in (0, 7, steps):
            f = sl.network(t.Z[i], tr.w[i, s].astype(float), a=t.a)
            assert tr.misclassified[i, s] == np.count_nonzero(f != t.y[i])
    if k == 1:  # (f − y)² = 4 on a wrong sample, 0 otherwise
        np.testing.assert_allclose(tr.misclassified, ref.loss * 60 / 2)


def test_flips_bound_the_change_of_distance():
    t = sl.sample_trials(30, 80, trials=2, seed=2)
    tr = sl.ste_trajectory(t.Z, t.y, t.u0, w_star=t.w_star, steps=100)
    dd = np.diff(tr.distance, axis=1)
    assert np.all(np.abs(dd) <= tr.flips)
    assert np.all((tr.flips - dd) % 2 == 0)  # each flip changes d by ±1
    assert tr.flips.sum() > 0
