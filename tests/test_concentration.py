from math import comb

import numpy as np
import pytest

import stelib as sl


def test_weights_at_distance_lists_each_weight_once():
    w_star = sl.teacher(7, rng=0)
    for d in range(8):
        W = sl.weights_at_distance(w_star, d)
        assert W.shape == (comb(7, d), 7)
        np.testing.assert_array_equal(sl.hamming(W, w_star), d)
        assert np.unique(W, axis=0).shape[0] == comb(7, d)
    with pytest.raises(ValueError, match="max_count"):
        sl.weights_at_distance(sl.teacher(30, rng=0), 15)


def test_sampled_weights_flip_uniform_coordinates():
    w_star = sl.teacher(10, rng=0)
    W = sl.sample_weights_at_distance(w_star, 3, 20_000, rng=1)
    np.testing.assert_array_equal(sl.hamming(W, w_star), 3)
    freq = np.mean(W != w_star, axis=0)  # each coordinate flipped with probability d/n
    se = np.sqrt(0.3 * 0.7 / 20_000)
    assert np.all(np.abs(freq - 0.3) < 5 * se)
    np.testing.assert_array_equal(W[:5], sl.sample_weights_at_distance(w_star, 3, 5, rng=1)[:5])


@pytest.mark.parametrize("k", [1, 2])
def test_deviation_matches_coarse_gradient_minus_population_gradient(k):
    rng = np.random.default_rng(2)
    n, M = 9, 80
    a = None if k == 1 else np.array([0.2, 0.9])
    w_star = sl.teacher(n, rng=rng)
    Z = sl.gaussian_inputs(M, n, k=k, rng=rng)
    y = sl.clean_labels(Z, w_star, a=a)
    W = sl.sample_weights_at_distance(w_star, 4, 6, rng=rng)
    m_values = [5, 33, 80]
    dev = sl.coarse_gradient_deviation(Z, y, W, w_star, m_values=m_values, a=a)
    assert dev.shape == (3, 6)
    for i, m in enumerate(m_values):
        for j, w in enumerate(W):
            e = sl.coarse_gradient(Z[:m], y[:m], w, a=a) - sl.population_coarse_gradient(
                w, w_star, a=a, k=k
            )
            np.testing.assert_allclose(dev[i, j], np.max(np.abs(e)), rtol=1e-10)
    small = sl.coarse_gradient_deviation(Z, y, W, w_star, m_values=m_values, a=a, chunk=50)
    np.testing.assert_allclose(small, dev, rtol=1e-12)


def test_error_variance_matches_the_union_bound_heuristic():
    # Mean over coordinates of Var(x_j (sign<x,w> − sign<x,w*>)) is exactly 4θ/π − 8d/(πn²)
    # (derived in the chapter); the heuristic of union_bound_sample_size uses σ² ≈ 4θ/π.
    n, d, M, reps = 20, 6, 400, 200
    rng = np.random.default_rng(4)
    w_star = sl.teacher(n, rng=rng)
    w = sl.weights_at_distance(w_star, d)[:1]
    sq = []
    for _ in range(reps):
        Z = sl.gaussian_inputs(M, n, rng=rng)
        e = sl.coarse_gradient(Z, sl.clean_labels(Z, w_star), w[0]) - sl.signal(n) * (w[0] - w_star)
        sq.append(M * np.mean(e**2))
    theta = np.arccos(1 - 2 * d / n)
    expected = 4 * theta / np.pi - 8 * d / (np.pi * n * n)
    se = np.std(sq) / np.sqrt(reps)
    assert abs(np.mean(sq) - expected) < 4 * se


def test_union_bound_sample_size_grows_like_n_squared_only_for_the_full_union():
    assert sl.union_bound_sample_size(10_000, 5_000) / 10_000**2 == pytest.approx(
        2 * np.pi * np.log(2), rel=0.01
    )
    one = [sl.union_bound_sample_size(n, n // 2, count=1) for n in (100, 1000)]
    assert one[1] / one[0] < 10 * np.log(2000) / np.log(200) * 1.01  # n log n, not n²
    n, d = 12, 3
    theta = np.arccos(1 - 2 * d / n)
    np.testing.assert_allclose(
        sl.union_bound_sample_size(n, d, delta=0.1),
        4 * theta * n * np.log(2 * n * comb(n, d) / 0.1),
    )
    with pytest.raises(ValueError, match="d =="):
        sl.union_bound_sample_size(5, 6)


def test_signal_is_the_population_gradient_scale():
    w_star = sl.teacher(16, rng=0)
    w = sl.weights_at_distance(w_star, 1)[0]
    g = sl.population_coarse_gradient(w, w_star)
    np.testing.assert_allclose(np.max(np.abs(g)), 2 * sl.signal(16))
    assert sl.signal(16, a=[1.0, 1.0]) == pytest.approx(2 * sl.signal(16))


def test_crossing_sample_size_is_where_the_curve_stays_below():
    m = np.array([10, 20, 40, 80, 160])
    assert sl.crossing_sample_size(m, np.array([5.0, 3.0, 0.5, 2.0, 0.9]), 1.0) == 160
    assert sl.crossing_sample_size(m, np.array([0.5, 3.0, 0.5, 0.2, 0.1]), 1.0) == 40
    assert sl.crossing_sample_size(m, np.full(5, 0.5), 1.0) == 10
    assert np.isnan(sl.crossing_sample_size(m, np.array([5.0, 0.1, 0.1, 0.1, 1.0]), 1.0))


def test_union_bound_takes_counts_beyond_1e100():
    # A count of weights is used through its log: C(400, 200) ≈ 1e119 is a valid count.
    big = sl.union_bound_sample_size(400, 200, count=2.6e120)
    assert np.isfinite(big) and big > sl.union_bound_sample_size(400, 200, count=1e100)
