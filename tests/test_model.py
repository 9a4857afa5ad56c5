import numpy as np
import pytest

import stelib as sl


def test_sign_maps_zero_to_plus_one():
    x = np.array([-2.0, -0.0, 0.0, 1e-300, -1e-300, 3.0])
    np.testing.assert_array_equal(sl.sign(x), [-1, 1, 1, 1, -1, 1])


def test_network_matches_definition():
    rng = np.random.default_rng(1)
    Z = rng.standard_normal((7, 3, 5))
    w = sl.sign(rng.standard_normal(5))
    a = np.array([0.5, -1.0, 2.0])
    expected = [sum(a[p] * (1.0 if Z[i, p] @ w >= 0 else -1.0) for p in range(3)) for i in range(7)]
    np.testing.assert_allclose(sl.network(Z, w, a=a), expected)


def test_network_default_second_layer_is_mean():
    rng = np.random.default_rng(2)
    Z = rng.standard_normal((4, 2, 3))
    w = np.ones(3)
    np.testing.assert_allclose(sl.network(Z, w), sl.sign(Z @ w).mean(axis=1))


def test_empirical_loss_zero_at_teacher_and_positive_elsewhere():
    rng = np.random.default_rng(3)
    Z = rng.standard_normal((50, 1, 10))
    w_star = sl.teacher(10, rng=rng)
    y = sl.clean_labels(Z, w_star)
    assert sl.empirical_loss(Z, y, w_star) == 0.0
    assert sl.empirical_loss(Z, y, -w_star) == pytest.approx(2.0)  # every label wrong by 2


def test_hamming_and_angle():
    w = np.array([1, 1, -1, -1.0])
    assert sl.hamming(w, -w) == 4
    assert sl.hamming(np.stack([w, -w]), w).tolist() == [0, 4]
    np.testing.assert_allclose(sl.angle_from_hamming([0, 2, 4], 4), [0, np.pi / 2, np.pi])


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: sl.network(np.zeros((2, 1, 3)), [1, 0, 1]), "w must have entries"),
        (lambda: sl.network(np.zeros((2, 3)), [1, 1, 1]), "Z has shape"),
        (lambda: sl.network(np.zeros((2, 1, 3)), [1, 1]), "w has length 2"),
        (lambda: sl.network(np.full((2, 1, 2), np.nan), [1, 1]), "Z contains 4 non-finite"),
        (lambda: sl.network(np.zeros((2, 2, 2)), [1, 1], a=[1.0]), "a has shape"),
        (lambda: sl.empirical_loss(np.zeros((2, 1, 2)), [1.0], [1, 1]), "y has shape"),
        (lambda: sl.hamming([1, 1], [1, 1, 1]), "w_star has length 3"),
        (lambda: sl.angle_from_hamming(5, 4), r"d must lie in \[0, n\]"),
    ],
)
def test_model_validation_names_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()
