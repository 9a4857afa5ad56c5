"""The optimum (chapter "STE against the optimum"): version space, AMP, state evolution."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import stelib as sl
from stelib import optimum


def _naive_version_space(X, y):
    """Every w in {±1}^n with sign(Xw) = y, by a plain loop (sign(0) = +1)."""
    n = X.shape[1]
    return {
        w
        for w in itertools.product((1.0, -1.0), repeat=n)
        if np.array_equal(sl.sign(X @ np.array(w)), y)
    }


@pytest.mark.parametrize("seed", range(6))
def test_version_space_equals_the_naive_loop_at_n_8(seed):
    t = sl.sample_trial(8, 3 + 2 * seed, rng=seed)
    X, y = t.Z[:, 0, :], t.y_clean
    naive = _naive_version_space(X, y)
    v = sl.version_space(X, y, w_star=t.w_star)
    assert v.size == len(naive)
    assert {tuple(w) for w in v.members} == naive
    assert v.contains_teacher
    assert tuple(t.w_star) in naive


def test_compiled_and_numpy_enumerations_agree():
    if not optimum.COMPILED:
        pytest.skip("numba not installed")
    for seed, (n, m) in enumerate(((9, 4), (11, 10), (12, 14))):
        t = sl.sample_trial(n, m, rng=seed)
        a = sl.version_space(t.Z[:, 0, :], t.y_clean, compiled=True, max_members=50)
        b = sl.version_space(t.Z[:, 0, :], t.y_clean, compiled=False, max_members=50)
        assert a.size == b.size
        np.testing.assert_array_equal(a.members, b.members)


def test_max_members_truncates_but_counts_all():
    t = sl.sample_trial(10, 2, rng=1)
    full = sl.version_space(t.Z[:, 0, :], t.y_clean)
    few = sl.version_space(t.Z[:, 0, :], t.y_clean, max_members=3)
    assert few.size == full.size > 3
    np.testing.assert_array_equal(few.members, full.members[:3])
    assert few.contains_teacher is None


def test_optimum_success_uses_the_ste_trial_streams_and_bounds():
    res = sl.optimum_success(10, [5, 10, 20], trials=12, seed=3)
    assert res.sizes.shape == (3, 12) and np.all(res.sizes >= 1)
    assert np.all(res.bayes >= res.unique / res.trials)  # E[1/|V|] >= P(V = {w*})
    assert np.all(res.bayes <= 1.0)
    # trial i is the trial of the STE sweep: same Z and w* as sample_trials(seed=3)
    t = sl.sample_trials(10, 20, trials=12, seed=3)
    for i in (0, 7):
        v = sl.version_space(t.Z[i, :, 0, :], t.y_clean[i], w_star=t.w_star[i], max_members=0)
        assert v.size == res.sizes[2, i] and v.contains_teacher
    gibbs = res.gibbs_successes(rng=0)
    np.testing.assert_array_equal(gibbs, res.gibbs_successes(rng=0))
    assert np.all(gibbs >= res.unique)  # |V| = 1 always recovers
    many = np.mean([res.gibbs_successes(rng=s) for s in range(400)], axis=0)
    np.testing.assert_allclose(many, 12 * res.bayes, atol=4 * np.sqrt(12 * 0.25 / 400))
    # a trial does not depend on how many trials run
    part = sl.optimum_success(10, [20], trials=5, seed=3)
    np.testing.assert_array_equal(part.sizes[0], res.sizes[2, :5])


def test_ste_success_stays_below_the_bayes_optimum():
    # on the same trials, STE's success rate is at most E[1/|V|] up to binomial error
    n, m, trials = 12, [12, 16, 20], 100
    opt = sl.optimum_success(n, m, trials=trials, seed=0)
    ste = sl.success_probability(n, m, trials=trials, steps=2000, seed=0)
    assert np.all(ste.probability <= opt.bayes + 3 * np.sqrt(0.25 / trials))
    # a trial where STE hit w* has w* in V (always) and, where |V| = 1, nothing else to hit
    assert np.all(opt.sizes[ste.hits >= 0] >= 1)


def test_amp_recovers_at_large_alpha_and_fails_at_half():
    n = 500
    for alpha, ok in ((2.5, True), (0.5, False)):
        m = int(alpha * n)
        t = sl.sample_trial(n, m, rng=sl.trial_seed(0, n=n, m=m, k=1, trial=0))
        res = sl.amp(t.Z[:, 0, :], t.y_clean, w_star=t.w_star)
        exact = np.array_equal(sl.sign(res.w), t.w_star)
        assert exact is ok
        assert res.q.shape == res.overlap.shape == (301,)
        if ok:
            assert res.converged and res.overlap[res.iterations] > 0.9
        else:
            assert res.overlap[res.iterations] < 0.5


def test_amp_overlap_follows_state_evolution_below_the_transition():
    # at alpha = 1.2 AMP converges to a fixed point whose overlap matches the SE prediction
    n, alpha = 2000, 1.2
    m = int(alpha * n)
    t = sl.sample_trial(n, m, rng=sl.trial_seed(0, n=n, m=m, k=1, trial=0))
    res = sl.amp(t.Z[:, 0, :], t.y_clean, w_star=t.w_star, tol=1e-8)
    q_se = sl.state_evolution(alpha).q[-1]
    assert res.converged
    assert abs(res.overlap[res.iterations] - q_se) < 0.03  # finite-n fluctuation ~ 1/sqrt(n)


def test_state_evolution_fixed_points():
    low = sl.state_evolution(1.3)
    high = sl.state_evolution(1.7)
    assert 0.6 < low.q[-1] < 0.8 and low.error[-1] > 0.2  # stuck below 1
    assert high.error[-1] < 1e-12 and high.q[-1] == 1.0  # perfect recovery
    assert np.all(np.diff(low.q) >= -1e-12)  # monotone from q0 = 0
    assert low.q.shape == low.qhat.shape == (201,)
    # q = 0 is not a fixed point: q-hat(0) = 2 alpha / pi
    assert low.qhat[0] == pytest.approx(2 * 1.3 / np.pi)
    assert low.sign_error > 0.05 and high.sign_error == 0.0


def test_amp_threshold_near_1_49():
    a = sl.amp_threshold(lo=1.4, hi=1.6, digits=2, steps=1000)
    assert 1.48 < a < 1.51


def test_amp_success_counts_exact_recoveries():
    res = sl.amp_success(200, [0.5, 3.0], trials=3, seed=0)
    assert res.m.tolist() == [100, 600]
    assert res.successes.tolist() == [0, 3]
    assert np.all(res.overlap[1] == 1.0) and np.all(res.overlap[0] < 0.5)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: sl.version_space(np.ones((3, 4)), [1, 1]), "y"),
        (lambda: sl.version_space(np.ones((3, 4)), [1, 0, 1]), "y"),
        (lambda: sl.version_space(np.ones((3, 31)), [1, 1, 1]), "n"),
        (lambda: sl.version_space(np.ones(3), [1, 1, 1]), "X"),
        (lambda: sl.version_space(np.ones((3, 4)), [1, 1, 1], w_star=[1, 1]), "w_star"),
        (lambda: sl.version_space(np.ones((3, 4)), [1, 1, 1], max_members=-1), "max_members"),
        (lambda: sl.optimum_success(40, [10]), "n"),
        (lambda: sl.optimum_success(8, []), "m"),
        (lambda: sl.optimum_success(8, [0]), "m"),
        (lambda: sl.amp(np.ones((3, 4)), [1, 1, 1], damping=0.0), "damping"),
        (lambda: sl.amp(np.ones((3, 4)), [1, 1, 1], steps=0), "steps"),
        (lambda: sl.amp(np.ones((3, 4)), [1, -1]), "y"),
        (lambda: sl.amp_success(10, [-1.0]), "alpha"),
        (lambda: sl.state_evolution(0.0), "alpha"),
        (lambda: sl.state_evolution(1.0, q0=1.0), "q0"),
        (lambda: sl.amp_threshold(lo=1.6, hi=2.0, digits=1), "bracket"),
    ],
)
def test_bad_input_names_the_argument(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_optimum_and_amp_files_round_trip(tmp_path):
    res = sl.optimum_success(8, [6, 12], trials=4, seed=1)
    rec = sl.write_optimum_file(tmp_path / "o.json", res, command="python -m stelib optimum")
    back = sl.read_optimum_file(tmp_path / "o.json")
    np.testing.assert_array_equal(back.result.sizes, res.sizes)
    assert rec["unique"] == res.unique.tolist() and back.version == sl.__version__
    amp = sl.amp_success(50, [1.0, 3.0], trials=2, seed=1)
    sl.write_amp_file(tmp_path / "a.json", amp, steps=300, damping=0.7, command="python -m x")
    got = sl.read_amp_file(tmp_path / "a.json")
    np.testing.assert_array_equal(got.result.exact, amp.exact)
    np.testing.assert_array_equal(got.result.overlap, amp.overlap)
    assert got.damping == 0.7 and got.command == "python -m x"
    with pytest.raises(ValueError, match="missing"):
        sl.read_amp_file(tmp_path / "o.json")
