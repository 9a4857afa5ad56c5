"""Closed forms of stelib.theory against Monte Carlo, with tolerances from the standard error."""

import numpy as np
import pytest

import stelib as sl

N_MC = 200_000  # Monte Carlo samples; tolerances are 5 standard errors


def test_sign_correlation_matches_monte_carlo():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(6), rng.standard_normal(6)
    x = rng.standard_normal((N_MC, 6))
    prod = np.sign(x @ a) * np.sign(x @ b)
    se = prod.std() / np.sqrt(N_MC)
    assert abs(prod.mean() - sl.sign_correlation(a, b)) < 5 * se


def test_sign_correlation_endpoints():
    a = np.array([1.0, 2.0])
    assert sl.sign_correlation(a, 3 * a) == pytest.approx(1.0)
    assert sl.sign_correlation(a, -a) == pytest.approx(-1.0)
    assert sl.sign_correlation([1.0, 0.0], [0.0, 1.0]) == pytest.approx(0.0)


def test_gaussian_sign_moment_matches_monte_carlo():
    rng = np.random.default_rng(1)
    w = rng.standard_normal(4)
    x = rng.standard_normal((N_MC, 4))
    samples = x * np.sign(x @ w)[:, None]
    se = samples.std(axis=0) / np.sqrt(N_MC)
    np.testing.assert_array_less(np.abs(samples.mean(axis=0) - sl.gaussian_sign_moment(w)), 5 * se)


@pytest.mark.parametrize("k", [1, 3])
def test_population_loss_matches_monte_carlo(k):
    rng = np.random.default_rng(2 + k)
    n = 9
    w_star = sl.teacher(n, rng=rng)
    w = w_star.copy()
    w[:3] *= -1
    a = rng.uniform(0.5, 1.5, size=k)
    Z = rng.standard_normal((N_MC, k, n))
    per_sample = 0.5 * (sl.network(Z, w, a=a) - sl.network(Z, w_star, a=a)) ** 2
    se = per_sample.std() / np.sqrt(N_MC)
    assert abs(per_sample.mean() - sl.population_loss(w, w_star, a=a)) < 5 * se


@pytest.mark.parametrize("k", [1, 2])
def test_population_coarse_gradient_matches_monte_carlo(k):
    rng = np.random.default_rng(10 + k)
    n = 8
    w_star = sl.teacher(n, rng=rng)
    w = w_star.copy()
    w[[1, 4]] *= -1
    Z = rng.standard_normal((N_MC, k, n))
    y = sl.clean_labels(Z, w_star)
    # per-sample coarse gradients, to get a standard error per coordinate
    s = Z @ w
    r = sl.sign(s) @ np.full(k, 1 / k) - y
    per = np.einsum("mkn,mk->mn", Z, np.full(k, 1 / k) * r[:, None])
    se = per.std(axis=0) / np.sqrt(N_MC)
    mean = sl.coarse_gradient(Z, y, w)
    np.testing.assert_allclose(mean, per.mean(axis=0), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_less(
        np.abs(mean - sl.population_coarse_gradient(w, w_star, k=k)), 5 * se
    )


def test_population_coarse_gradient_binary_form():
    w_star = np.array([1, -1, 1, 1.0])
    w = np.array([1, 1, -1, 1.0])
    n = 4
    expected = np.sqrt(2 / (np.pi * n)) * (w - w_star)
    np.testing.assert_allclose(sl.population_coarse_gradient(w, w_star), expected)


def test_population_dynamics_reaches_teacher_in_predicted_steps():
    rng = np.random.default_rng(4)
    n = 30
    w_star = sl.teacher(n, rng=rng)
    u0 = rng.standard_normal((5, n))
    for eta in (0.5, 1.0, 3.0):
        T = sl.population_steps(u0, w_star, eta=eta)
        run = sl.population_dynamics(u0, w_star, eta=eta, steps=int(T.max()) + 3)
        assert run.u.shape == (5, int(T.max()) + 4, n)
        for i in range(5):
            first = int(np.argmax(run.distance[i] == 0))
            assert first == T[i]
            assert np.all(run.distance[i, first:] == 0)  # w* is a fixed point


def test_population_steps_sign_zero_convention():
    # c = sqrt(2/(pi n)); a coordinate exactly k*(2c) away needs k steps to reach 0.
    n = 1
    step = 2 * np.sqrt(2 / (np.pi * n))
    # w* = +1, u0 = -2*step: reaches exactly 0 (= +1) after 2 steps
    assert sl.population_steps([-2 * step], [1.0]).tolist() == [2]
    # w* = -1, u0 = +2*step: reaches 0 after 2 steps, which is still +1, so needs 3
    assert sl.population_steps([2 * step], [-1.0]).tolist() == [3]
    assert sl.population_steps([0.1], [1.0]).tolist() == [0]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: sl.angle([0.0, 0.0], [1.0, 0.0]), "a must be a nonzero vector"),
        (lambda: sl.angle([1.0, 0.0], [1.0, 0.0, 0.0]), "b has shape"),
        (lambda: sl.population_steps([1.0, 2.0], [1.0]), "u0 has length 2"),
        (lambda: sl.population_dynamics([1.0], [1.0], eta=0), "eta == 0.0, must be > 0"),
        (lambda: sl.population_dynamics([1.0], [1.0], steps=-1), "steps == -1"),
        (lambda: sl.population_dynamics([1.0], [0.5]), "w_star must have entries"),
    ],
)
def test_theory_validation(call, match):
    with pytest.raises(ValueError, match=match):
        call()
