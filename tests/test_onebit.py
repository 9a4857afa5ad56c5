import numpy as np
import pytest

import stelib as sl


def test_one_biht_step_is_one_projected_ste_step():
    t = sl.sample_trials(12, 50, trials=3, seed=0)
    w0 = sl.sign(t.u0)
    before = w0.copy()
    res = sl.biht(t.Z, t.y, w0, w_star=t.w_star, eta=3.0, steps=1)
    np.testing.assert_array_equal(w0, before)  # the input is not modified
    for i in range(3):
        expected = sl.sign(w0[i] - 3.0 * sl.coarse_gradient(t.Z[i], t.y[i], w0[i]))
        np.testing.assert_array_equal(res.w[i], expected)
        one = slice(i, i + 1)
        ste = sl.ste_gradient_method(t.Z[one], t.y[one], w0[one], eta=3.0, steps=1)
        np.testing.assert_array_equal(res.w[i], sl.sign(ste.u[0]))  # = one STE step from u = w
    assert res.distance.shape == (3, 2)
    np.testing.assert_array_equal(res.distance[:, 0], sl.hamming(w0, t.w_star))


def test_small_error_means_exact_recovery_in_one_step():
    # With eta = 1/c, sign(w − ĝ(w)/c) = w* whenever ||ĝ(w) − E ĝ(w)||∞ < c (chapter's proof).
    n, m = 10, 6000
    t = sl.sample_trials(n, m, trials=1, seed=3)
    W = sl.sample_weights_at_distance(t.w_star[0], 4, 40, rng=0)
    dev = sl.coarse_gradient_deviation(t.Z[0], t.y[0], W, t.w_star[0])[0]
    good = W[dev < sl.signal(n)]
    assert good.shape[0] > 5
    Z = np.repeat(t.Z, good.shape[0], axis=0)
    y = np.repeat(t.y, good.shape[0], axis=0)
    res = sl.biht(Z, y, good, w_star=t.w_star[0], steps=3)
    np.testing.assert_array_equal(res.hit, 1)
    np.testing.assert_array_equal(res.fixed_point, 1)  # w* is a fixed point (ĝ(w*) = 0)
    np.testing.assert_array_equal(res.distance[:, 1:], 0)


def test_biht_validates():
    t = sl.sample_trials(5, 10, trials=2, seed=0)
    with pytest.raises(ValueError, match="w0"):
        sl.biht(t.Z, t.y, sl.sign(t.u0[:1]))
    with pytest.raises(ValueError, match="eta"):
        sl.biht(t.Z, t.y, sl.sign(t.u0), eta=-1.0)


def test_biht_old_step_keyword_tau_still_works_with_a_warning():
    # issue 11, item 12: the step is eta, as in the book; tau is the hitting time
    t = sl.sample_trials(12, 50, trials=2, seed=0)
    w0 = sl.sign(t.u0)
    new = sl.biht(t.Z, t.y, w0, w_star=t.w_star, eta=3.0, steps=5)
    with pytest.warns(DeprecationWarning, match="tau"):
        old = sl.biht(t.Z, t.y, w0, w_star=t.w_star, tau=3.0, steps=5)
    np.testing.assert_array_equal(old.w, new.w)
    np.testing.assert_array_equal(old.distance, new.distance)
    assert not np.array_equal(new.w, sl.biht(t.Z, t.y, w0, eta=0.01, steps=5).w)
    with pytest.raises(TypeError, match="tau"):
        sl.biht(t.Z, t.y, w0, tau=3.0, eta=3.0)


@pytest.mark.parametrize("steps", [40, 41])
def test_biht_stops_on_cycles_without_changing_the_result(steps):
    t = sl.sample_trials(20, 45, trials=8, seed=4)
    res = sl.biht(t.Z, t.y, sl.sign(t.u0), w_star=t.w_star, steps=steps)
    eta = 1 / sl.signal(20)
    for i in range(8):  # the plain iteration, no early stop
        w, dist, hit = sl.sign(t.u0[i]), [], -1
        for s in range(steps + 1):
            dist.append(int(sl.hamming(w, t.w_star[i])))
            if dist[-1] == 0 and hit < 0:
                hit = s
            if s < steps:
                w = sl.sign(w - eta * sl.coarse_gradient(t.Z[i], t.y[i], w))
        np.testing.assert_array_equal(res.distance[i], dist)
        np.testing.assert_array_equal(res.w[i], w)
        assert res.hit[i] == hit
    assert np.any(res.two_cycle >= 0) or np.any(res.fixed_point >= 0)
