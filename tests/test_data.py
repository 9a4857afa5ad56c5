import numpy as np
import pytest

import stelib as sl


def test_teacher_is_binary_and_balanced():
    w = sl.teacher(10_000, rng=0)
    assert set(np.unique(w)) == {-1.0, 1.0}
    assert abs(w.mean()) < 4 / np.sqrt(10_000)  # 4 standard errors


def test_gaussian_inputs_shape_and_moments():
    Z = sl.gaussian_inputs(2000, 20, k=3, rng=1)
    assert Z.shape == (2000, 3, 20)
    se = 1 / np.sqrt(Z.size)
    assert abs(Z.mean()) < 4 * se
    assert abs(Z.var() - 1) < 4 * np.sqrt(2) * se


def test_flip_noise_rate_and_additive_noise_scale():
    y = np.ones(20_000)
    flipped = sl.noisy_labels(y, flip=0.1, rng=0)
    rate = np.mean(flipped < 0)
    assert abs(rate - 0.1) < 4 * np.sqrt(0.1 * 0.9 / y.size)
    noisy = sl.noisy_labels(y, noise_std=0.5, rng=0)
    assert abs((noisy - 1).std() - 0.5) < 4 * 0.5 / np.sqrt(2 * y.size)


def test_noise_levels_share_the_same_data():
    clean = sl.sample_trial(8, 30, rng=5)
    noisy = sl.sample_trial(8, 30, flip=0.3, noise_std=0.2, rng=5)
    np.testing.assert_array_equal(clean.Z, noisy.Z)
    np.testing.assert_array_equal(clean.w_star, noisy.w_star)
    np.testing.assert_array_equal(clean.u0, noisy.u0)
    np.testing.assert_array_equal(clean.y, clean.y_clean)
    assert not np.array_equal(noisy.y, noisy.y_clean)


def test_trial_does_not_depend_on_how_many_or_where_it_starts():
    many = sl.sample_trials(6, 12, trials=5, seed=3)
    late = sl.sample_trials(6, 12, trials=2, seed=3, start=3)
    one = sl.sample_trial(6, 12, rng=sl.trial_seed(3, n=6, m=12, k=1, trial=4))
    np.testing.assert_array_equal(many.Z[3:], late.Z)
    np.testing.assert_array_equal(many.Z[4], one.Z)
    np.testing.assert_array_equal(many.u0[4], one.u0)


def test_trial_seed_is_the_spawned_child():
    root = np.random.SeedSequence(7, spawn_key=(6, 12, 1))
    child = root.spawn(4)[3]
    mine = sl.trial_seed(7, n=6, m=12, k=1, trial=3)
    assert child.generate_state(4).tolist() == mine.generate_state(4).tolist()


def test_trials_are_independent_streams():
    t = sl.sample_trials(5, 10, trials=3, seed=0)
    assert not np.array_equal(t.Z[0], t.Z[1])
    assert t.Z.shape == (3, 10, 1, 5) and t.y.shape == (3, 10) and t.u0.shape == (3, 5)


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: sl.teacher(0), ValueError, "n == 0, must be >= 1"),
        (lambda: sl.teacher(2.5), TypeError, "n must be an integer"),
        (lambda: sl.gaussian_inputs(0, 3), ValueError, "m == 0"),
        (lambda: sl.gaussian_inputs(3, 3, k=0), ValueError, "k == 0"),
        (lambda: sl.noisy_labels([1.0], flip=1.5), ValueError, "flip == 1.5, must be <= 1"),
        (lambda: sl.noisy_labels([1.0], noise_std=-1), ValueError, "noise_std == -1.0"),
        (lambda: sl.noisy_labels([np.nan]), ValueError, "y contains 1 non-finite"),
        (lambda: sl.sample_trial(3, 3, init_scale=0), ValueError, "init_scale == 0.0, must be > 0"),
        (lambda: sl.sample_trial(3, 3, rng="seed"), TypeError, "rng must be"),
        (lambda: sl.sample_trial(3, 3, rng=-1), ValueError, "rng == -1"),
        (lambda: sl.sample_trials(3, 3, trials=0), ValueError, "trials == 0"),
        (lambda: sl.trial_seed(-2, n=1, m=1, k=1, trial=0), ValueError, "seed == -2"),
    ],
)
def test_data_validation_names_the_argument(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
