import numpy as np
import pytest
from scipy import optimize, special, stats

import stelib as sl


def test_wilson_matches_closed_form_and_stays_in_unit_interval():
    k, n = np.array([0, 3, 10, 10]), np.array([10, 10, 10, 40])
    lo, hi = sl.wilson_interval(k, n)
    z = stats.norm.ppf(0.975)
    for i in range(4):
        # Wilson's interval: the p with |p̂ − p| = z √(p(1−p)/N), i.e. roots of a quadratic
        p_hat = k[i] / n[i]
        roots = np.sort(np.roots([1 + z**2 / n[i], -(2 * p_hat + z**2 / n[i]), p_hat**2]).real)
        np.testing.assert_allclose([lo[i], hi[i]], roots, atol=1e-12)
    assert lo[0] == 0.0 and hi[2] == 1.0
    assert np.all((0 <= lo) & (lo < hi) & (hi <= 1))


def test_clopper_pearson_edges_are_exact():
    lo, hi = sl.clopper_pearson_interval([0, 20], [20, 20], confidence=0.9)
    np.testing.assert_allclose(hi[0], 1 - 0.05 ** (1 / 20))  # solves (1 − p)^N = α/2
    np.testing.assert_allclose(lo[1], 0.05 ** (1 / 20))
    assert lo[0] == 0.0 and hi[1] == 1.0


@pytest.mark.parametrize("interval", [sl.wilson_interval, sl.clopper_pearson_interval])
def test_interval_coverage_by_simulation(interval):
    rng = np.random.default_rng(3)
    p, n, reps = 0.3, 60, 4000
    k = rng.binomial(n, p, size=reps)
    lo, hi = interval(k, n)
    coverage = np.mean((lo <= p) & (p <= hi))
    se = np.sqrt(0.95 * 0.05 / reps)
    assert coverage > 0.95 - 4 * se - 0.02  # Wilson's coverage dips slightly below nominal
    if interval is sl.clopper_pearson_interval:
        assert coverage >= 0.95 - 4 * se  # conservative by construction


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: sl.wilson_interval(5, 3), "successes"),
        (lambda: sl.wilson_interval(1, 0), "trials"),
        (lambda: sl.wilson_interval(1, 4, confidence=1.5), "confidence"),
    ],
)
def test_intervals_validate(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def _curve(m50=85.0, width=0.15, trials=200, seed=1):
    m = np.array([50, 60, 70, 80, 90, 100, 120, 140])
    k = np.random.default_rng(seed).binomial(trials, sl.logistic_success(m, m50, width))
    return m, k, trials


def test_fit_m50_is_the_maximum_likelihood_estimate():
    m, k, trials = _curve()
    fit = sl.fit_m50(m, k, trials, bootstrap=10)

    def nll(b):
        q = special.expit((np.log(m) - b[0]) / b[1])
        return -np.sum(k * np.log(q) + (trials - k) * np.log1p(-q))

    opt = optimize.minimize(
        nll, [np.log(80), 0.2], method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-12}
    )
    np.testing.assert_allclose(fit.m50, np.exp(opt.x[0]), rtol=1e-6)
    np.testing.assert_allclose(fit.width, opt.x[1], rtol=1e-5)


def test_fit_m50_bootstrap_is_seeded_and_brackets_the_estimate():
    m, k, trials = _curve()
    a = sl.fit_m50(m, k, trials, bootstrap=300, rng=5)
    b = sl.fit_m50(m, k, trials, bootstrap=300, rng=5)
    assert a.lo == b.lo and a.hi == b.hi
    assert a.lo < a.m50 < a.hi and a.replicates.shape == (300,)


def test_fit_m50_interval_covers_the_truth_at_about_the_nominal_rate():
    reps, covered = 150, 0
    for seed in range(reps):
        m, k, trials = _curve(trials=100, seed=100 + seed)
        fit = sl.fit_m50(m, k, trials, bootstrap=200, rng=seed)
        covered += fit.lo <= 85.0 <= fit.hi
    se = np.sqrt(0.95 * 0.05 / reps)
    assert 0.95 - 4 * se <= covered / reps <= 1.0


def test_fit_m50_rejects_flat_curves():
    with pytest.raises(ValueError, match="widen"):
        sl.fit_m50([10, 20, 30], [0, 0, 0], 50)
    with pytest.raises(ValueError, match="distinct"):
        sl.fit_m50([10, 10], [1, 2], 5)


def test_power_law_recovers_exponent_and_propagates_replicates():
    n = np.array([25, 50, 100, 200])
    y = 0.03 * n**1.8
    fit = sl.fit_power_law(n, y * np.exp([0.01, -0.01, 0.02, -0.02]))
    assert fit.lo < 1.8 < fit.hi and abs(fit.beta - 1.8) < 0.05
    np.testing.assert_allclose(sl.fit_power_law(n, y).beta, 1.8)
    np.testing.assert_allclose(sl.fit_power_law(n, y).prefactor, 0.03)
    rng = np.random.default_rng(0)
    reps = y[:, None] * np.exp(0.05 * rng.standard_normal((4, 500)))
    boot = sl.fit_power_law(n, y, replicates=reps)
    assert boot.replicates.shape == (500,)
    # slope of independent noise of sd 0.05 in log y: sd 0.05 / sqrt(sum (log n − mean)²)
    x = np.log(n) - np.log(n).mean()
    sd = 0.05 / np.sqrt(x @ x)
    assert abs(np.std(boot.replicates) - sd) < 0.1 * sd
    assert boot.lo < 1.8 < boot.hi


def test_collapse_spread_is_one_for_the_right_scaling():
    n = np.array([25, 50, 100, 200])
    m50 = 0.03 * n**2
    assert sl.collapse_spread(n, m50, "n^2").spread == pytest.approx(1.0)
    np.testing.assert_allclose(sl.collapse_spread(n, m50, "n").spread, 8.0)
    nl = sl.collapse_spread(n, 2 * n * np.log(n), "n log n")
    assert nl.spread == pytest.approx(1.0) and np.isnan(nl.lo)
    reps = m50[:, None] * np.exp(0.02 * np.random.default_rng(1).standard_normal((4, 300)))
    c = sl.collapse_spread(n, m50, "n^2", replicates=reps)
    assert 1.0 <= c.lo < c.hi
    with pytest.raises(ValueError, match="scaling"):
        sl.scale(n, "n^3")


def test_crosses_half_only_when_one_half_lies_inside_the_grid():
    assert sl.crosses_half([10, 40, 90], 100)
    assert sl.crosses_half([1, 60], [4, 100])  # per-point trials
    assert not sl.crosses_half([0, 4, 26], 100)  # stays below 1/2: m50 would be extrapolated
    assert not sl.crosses_half([60, 90], 100)  # starts above 1/2
    assert not sl.crosses_half([10, 50, 50], 100)  # touches 1/2 but never exceeds it
    with pytest.raises(ValueError, match="successes"):
        sl.crosses_half([101], 100)


def test_successes_within_and_survival_from_hitting_times():
    hits = np.array([[0, 5, 10, -1, 100], [-1, -1, 3, 3, 3]])
    np.testing.assert_array_equal(sl.successes_within(hits, 5), [2, 3])
    np.testing.assert_array_equal(sl.successes_within(hits, 1000), [4, 3])
    np.testing.assert_allclose(
        sl.hitting_time_survival(hits[0], [0, 4, 5, 99, 100, 10**6]), [0.8, 0.8, 0.6, 0.4, 0.2, 0.2]
    )
    with pytest.raises(TypeError, match="integers"):
        sl.successes_within(np.array([0.5]), 3)
    with pytest.raises(ValueError, match=">= -1"):
        sl.hitting_time_survival(np.array([-2]), [1])
