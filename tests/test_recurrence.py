"""Recurrence statistics, the drift at w*, and the recurrence command (stelib.recurrence)."""

import json
import subprocess
import sys

import numpy as np
import pytest

import stelib as sl
from stelib.__main__ import main

# ---------------------------------------------------------------------------------------------
# Statistics of hand-made trajectories with known answers
# ---------------------------------------------------------------------------------------------


def test_statistics_of_a_hand_made_trajectory():
    #      t: 0  1  2  3  4  5  6  7  8  9
    d = [4, 2, 0, 0, 1, 3, 0, 2, 0, 0]
    s = sl.recurrence_statistics(d)
    assert s.first_hit == 2
    assert s.escapes == 2  # t = 4 and t = 7
    assert s.returns == 2  # t = 6 and t = 8 (t = 2 is the first hit, not a return)
    assert s.occupation == pytest.approx(5 / 10)
    assert s.max_distance_after_first_hit == 3
    assert s.mean_distance == pytest.approx(12 / 10)
    assert s.final_distance == 0
    assert s.first_hit.shape == ()


def test_statistics_never_hit_and_start_at_optimum():
    s = sl.recurrence_statistics([[3, 2, 1, 1], [0, 1, 0, 2]])
    assert s.first_hit.tolist() == [-1, 0]
    assert s.returns.tolist() == [0, 1]
    assert s.escapes.tolist() == [0, 2]
    assert s.occupation.tolist() == [0.0, 0.5]
    assert s.max_distance_after_first_hit.tolist() == [-1, 2]
    assert s.final_distance.tolist() == [1, 2]


def test_batch_equals_rows_and_returns_alternate_with_escapes():
    rng = np.random.default_rng(3)
    d = rng.choice([0, 0, 1, 2, 5], size=(20, 60))
    s = sl.recurrence_statistics(d)
    for i in range(d.shape[0]):
        si = sl.recurrence_statistics(d[i])
        for field in s._fields:
            assert getattr(s, field)[i] == getattr(si, field)
        if s.first_hit[i] >= 0:  # after the first hit escapes and returns alternate
            assert s.returns[i] == s.escapes[i] - (d[i, -1] > 0)


def test_excursions_and_sojourns():
    d = [[3, 0, 2, 5, 0, 0, 1], [0, 0, 4, 0, 1, 1, 1]]
    ex = sl.excursions(d)
    assert ex.trial.tolist() == [0, 0, 1, 1]
    assert ex.start.tolist() == [2, 6, 2, 4]
    assert ex.length.tolist() == [2, 1, 1, 3]
    assert ex.height.tolist() == [5, 1, 4, 1]
    assert ex.completed.tolist() == [True, False, True, False]
    so = sl.sojourns(d)
    assert so.start.tolist() == [1, 4, 0, 3]
    assert so.length.tolist() == [1, 2, 2, 1]
    assert so.completed.tolist() == [True, True, True, True]
    assert not np.any(so.height)
    # nothing before the first hit is an excursion
    assert sl.excursions([5, 4, 3]).start.size == 0


def test_return_time_histogram_bins():
    # completed excursions of lengths 1, 2, 3, 4, 9 and one censored
    d = [0, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0] + [1] * 9 + [0, 7]
    h = sl.return_time_histogram(d, bins=3)
    # [1, 2): {1}; [2, 4): {2, 3}; [4, ∞): {4, 9}
    assert h.tolist() == [1, 2, 2]
    assert sl.return_time_histogram(np.zeros((2, 5), dtype=int)).shape == (2, 16)


@pytest.mark.parametrize("bad", [[1, -1, 0], [0.5, 0, 1], [[[0]]]])
def test_distance_validation_names_the_argument(bad):
    with pytest.raises(ValueError, match="distance"):
        sl.recurrence_statistics(bad)


# ---------------------------------------------------------------------------------------------
# The drift at w* and what it predicts
# ---------------------------------------------------------------------------------------------


def test_drift_prediction_on_hand_picked_inputs():
    w_star = np.array([1.0, -1.0, 1.0, -1.0])
    c = np.array([0.2, 0.1, -0.3, -0.05])
    p = sl.drift_prediction(c, w_star)
    assert p.inward.tolist() == pytest.approx([0.2, -0.1, -0.3, 0.05])
    assert p.oscillating.tolist() == [True, False, False, True]
    rho = 2.0 * np.sqrt(2.0 / (np.pi * 4))
    assert p.wrong_fraction == pytest.approx([0.2 / (0.2 + rho), 0, 0, 0.05 / (0.05 + rho)])
    assert p.occupation == pytest.approx((1 - p.wrong_fraction[0]) * (1 - p.wrong_fraction[3]))
    # no noise: c = 0, nothing oscillates, the orthant of w* is absorbing
    p0 = sl.drift_prediction(np.zeros(4), w_star)
    assert not p0.oscillating.any() and p0.occupation == 1.0


def test_population_drift_predicts_wrong_fraction_p():
    n, p = 40, 0.07
    r = np.sqrt(2.0 / (np.pi * n))
    w_star = sl.teacher(n, rng=1)
    pred = sl.drift_prediction(2 * p * r * w_star, w_star, flip=p)
    assert pred.oscillating.all()
    assert pred.wrong_fraction == pytest.approx(np.full(n, p))


def test_population_flip_dynamics_is_wrong_a_fraction_p_of_the_time():
    # The lemma of the chapter: u ← u − η r (sign u − (1 − 2p) w*) keeps every coordinate
    # bounded, and the fraction of the first T steps it is wrong is p within
    # (2|u0| + α + β)/((α + β) T), with α + β = 2ηr.
    n, p, T = 6, 0.1, 20_000
    r = np.sqrt(2.0 / (np.pi * n))
    w_star = sl.teacher(n, rng=0)
    u0 = np.random.default_rng(1).standard_normal(n)
    u, wrong = u0.copy(), np.zeros(n)
    for _ in range(T):
        w = sl.sign(u)
        wrong += w != w_star
        u = u - r * (w - (1 - 2 * p) * w_star)
    bound = (2 * np.abs(u0) + 2 * r) / (2 * r * T)
    assert np.all(np.abs(wrong / T - p) <= bound)
    assert np.all(np.abs(u) <= np.maximum(np.abs(u0), 2 * r))


def test_drift_at_optimum_moments_against_monte_carlo():
    # c_j w*_j = (1/m) Σ_i (f_i − y_i) x_ij w*_j; with flips, E = 2p √(2/(πn)) and
    # Var = (4p − (2p√(2/(πn)))²)/m exactly; with additive noise, E = 0, Var = s²/m.
    n, m, trials, p, s = 20, 400, 60, 0.1, 0.7
    flips = sl.sample_trials(n, m, trials=trials, seed=5, flip=p)
    noisy = sl.sample_trials(n, m, trials=trials, seed=5, noise_std=s)
    mean_f = 2 * p * np.sqrt(2 / (np.pi * n))
    for tr, mean, var in (
        (flips, mean_f, (4 * p - mean_f**2) / m),
        (noisy, 0.0, s**2 / m),
    ):
        c = np.stack([sl.coarse_gradient(tr.Z[i], tr.y[i], tr.w_star[i]) for i in range(trials)])
        x = (c * tr.w_star).ravel()
        se = np.sqrt(var / x.size)
        assert abs(x.mean() - mean) < 4 * se
        assert x.var() == pytest.approx(var, rel=4 * np.sqrt(2 / x.size))


def test_drift_functions_old_keyword_c_still_works_with_a_warning():
    # issue 11, item 12: the drift is h = ĝ(w*) as in the book; c is the population rate
    w_star = np.array([1.0, -1.0, 1.0])
    h = np.array([0.25, -0.5, -1.0])
    u = np.array([1.0, -1.0, 0.3])
    with pytest.warns(DeprecationWarning, match="'h'"):
        assert sl.exit_time(u, c=h, w_star=w_star) == sl.exit_time(u, h=h, w_star=w_star) == 2
    with pytest.warns(DeprecationWarning, match="'h'"):
        old = sl.drift_prediction(c=h, w_star=w_star, flip=0.1)
    new = sl.drift_prediction(h, w_star, flip=0.1)
    for a, b in zip(old, new, strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(TypeError, match="'c'"):
        sl.drift_prediction(h=h, c=h, w_star=w_star)
    with pytest.raises(ValueError, match="h"):
        sl.exit_time(u, np.ones(4), w_star)


def test_exit_time_hand_picked_and_brute_force():
    w_star = np.array([1.0, -1.0, 1.0])
    c = np.array([0.25, -0.5, -1.0])  # coordinates 0 and 1 move towards zero, 2 locks
    u = np.array([1.0, -1.0, 0.3])
    # coordinate 0: 1 − 0.25 s ≥ 0 up to s = 4 (u = 0 is still +1), wrong at s = 5;
    # coordinate 1: −1 + 0.5 s < 0 up to s = 1, u = 0 at s = 2 is +1: wrong at s = 2.
    assert sl.exit_time(u, c, w_star) == 2
    assert sl.exit_time(u, c, w_star, eta=0.5) == 4
    assert sl.exit_time(u, np.array([0.25, 0.5, -1.0]), w_star) == 5
    assert sl.exit_time(u, -np.abs(c) * w_star, w_star) == -1  # every coordinate locks
    rng = np.random.default_rng(0)
    for _ in range(200):
        ws = sl.teacher(5, rng=rng)
        uu = ws * rng.uniform(0, 1, 5)
        cc = rng.normal(size=5) * 0.1
        t, x = 0, uu.copy()
        while np.all(sl.sign(x) == ws) and t < 10_000:
            x, t = x - cc, t + 1
        expected = t if t < 10_000 else -1
        assert sl.exit_time(uu, cc, ws) == expected
    with pytest.raises(ValueError, match="orthant"):
        sl.exit_time(-u, c, w_star)


# ---------------------------------------------------------------------------------------------
# Latent trajectories
# ---------------------------------------------------------------------------------------------


def _trials(flip=0.0, noise_std=0.0, trials=2, n=12, m=300):
    return sl.sample_trials(n, m, trials=trials, seed=2, flip=flip, noise_std=noise_std)


@pytest.mark.parametrize("clip", [None, 0.2])
def test_latent_trajectory_matches_the_engine(clip):
    tr = _trials(flip=0.1)
    U = sl.latent_trajectory(tr.Z, tr.y, tr.u0, steps=300, clip=clip)
    assert U.shape == (2, 301, 12)
    res = sl.ste_gradient_method(
        tr.Z, tr.y, tr.u0, w_star=tr.w_star, steps=300, clip=clip, record=True
    )
    d = np.count_nonzero(sl.sign(U) != tr.w_star[:, None, :], axis=2)
    np.testing.assert_array_equal(d, res.distance)
    np.testing.assert_allclose(U[:, -1], res.u, rtol=0, atol=1e-9)
    if clip is not None:
        assert np.abs(U).max() <= clip


def test_latent_trajectory_stops_at_a_fixed_point():
    tr = _trials()
    U = sl.latent_trajectory(tr.Z, tr.y, tr.u0, steps=200)
    res = sl.ste_gradient_method(tr.Z, tr.y, tr.u0, w_star=tr.w_star, steps=200)
    assert np.all(res.fixed_point >= 0)
    for i, t in enumerate(res.fixed_point):
        assert np.all(U[i, t:] == U[i, t])


def test_sojourn_lengths_equal_the_exit_time_of_their_entry_point():
    tr = _trials(flip=0.1, trials=1)
    U = sl.latent_trajectory(tr.Z, tr.y, tr.u0, steps=600)
    d = np.count_nonzero(sl.sign(U[0]) != tr.w_star[0], axis=1)
    so = sl.sojourns(d)
    ok = so.completed
    assert ok.sum() >= 20  # the run really recurs
    c = sl.coarse_gradient(tr.Z[0], tr.y[0], tr.w_star[0])
    pred = sl.exit_time(U[0, so.start[ok]], c, tr.w_star[0])
    np.testing.assert_array_equal(pred, so.length[ok])


def test_wrong_fraction_and_ergodic_weights():
    w_star = np.array([1.0, -1.0, 1.0])
    path = np.array([[[1, -1, 1], [-1, -1, 1], [1, 1, 1], [-1, -1, -1]]], dtype=float)
    np.testing.assert_allclose(sl.wrong_fraction(path, w_star, start=0), [[0.5, 0.25, 0.25]])
    np.testing.assert_allclose(sl.wrong_fraction(path, w_star), [[0.5, 0.5, 0.5]])
    # majority vote over time; coordinate 0 is a tie (+1 by convention)
    np.testing.assert_array_equal(sl.ergodic_weights(path), [[1, -1, 1]])
    np.testing.assert_array_equal(sl.ergodic_weights(path, start=3), [[-1, -1, -1]])
    with pytest.raises(ValueError, match="start"):
        sl.wrong_fraction(path, w_star, start=4)


# ---------------------------------------------------------------------------------------------
# One run, a sweep, the data file, the command line
# ---------------------------------------------------------------------------------------------


def test_noiseless_record_stays_at_the_optimum():
    rec = sl.recurrence_record(12, 300, steps=500, seed=1, latent=True)
    assert rec["first_hit"] is not None and rec["returns"] == 0 and rec["escapes"] == 0
    assert rec["occupation"] == pytest.approx(1 - rec["first_hit"] / 501)
    assert rec["max_distance_after_first_hit"] == 0 and rec["final_distance"] == 0
    assert rec["predicted_oscillating"] == 0 and rec["observed_oscillating"] == 0
    assert rec["prediction_accuracy"] == 1.0


def test_record_latent_or_not_same_statistics_and_sweep_matches_record():
    kw = dict(flip=0.1, steps=400, seed=3)
    fast = sl.recurrence_record(12, 300, **kw)
    slow = sl.recurrence_record(12, 300, latent=True, **kw)
    for key, value in fast.items():
        if key not in ("latent", "max_abs_u"):
            assert slow[key] == value, key
    assert slow["max_abs_u"] == pytest.approx(fast["max_abs_u"], abs=1e-9)
    recs = sl.recurrence_sweep(12, [300], flip=[0.0, 0.1], trials=3, steps=400, seed=3)
    assert len(recs) == 6
    assert recs[3] == fast  # flip 0.1, trial 0
    assert recs[5] == sl.recurrence_record(12, 300, trial=2, **kw)


def test_recurrence_file_round_trip(tmp_path):
    params = dict(n=10, k=1, steps=100, seed=0, eta=1.0, init_scale=1e-3, clip=None)
    params.update(latent=False, trials=2, m=[200], flip=[0.0, 0.1], noise_std=[0.0])
    recs = sl.recurrence_sweep(10, [200], flip=[0.0, 0.1], trials=2, steps=100)
    path = tmp_path / "data" / "r.json"
    sl.write_recurrence_file(path, recs, params=params, command="python -m stelib x")
    back = sl.read_recurrence_file(path)
    assert back.records == recs and back.command == "python -m stelib x"
    assert back.version == sl.__version__
    occ = back.table("occupation")
    assert occ.shape == (1, 2, 1, 2)
    assert occ[0, 1, 0, 1] == recs[3]["occupation"]
    assert back.table("return_time_hist").shape == (1, 2, 1, 2, 16)
    with pytest.raises(ValueError, match="records"):
        sl.write_recurrence_file(path, recs[:3], params=params, command="x")


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "stelib", *args], capture_output=True, text=True, check=False
    )


def test_recurrence_cli_json_contract_and_determinism():
    args = ["recurrence", "--n", "12", "--m", "300", "--flip", "0.1", "--steps", "400"]
    first = run_cli(*args, "--seed", "3", "--json")
    second = run_cli(*args, "--seed", "3", "--json")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout  # byte for byte
    assert first.stdout.count("\n") == 1
    out = json.loads(first.stdout)
    for key in ("returns", "occupation", "first_hit", "max_distance_after_first_hit", "version"):
        assert key in out
    for key, value in dict(n=12, m=300, flip=0.1, steps=400, seed=3, noise_std=0.0).items():
        assert out[key] == value
    assert list(out) == sorted(out)
    assert out == sl.recurrence_record(12, 300, flip=0.1, steps=400, seed=3)


def test_recurrence_cli_never_hit_gives_null(capsys):
    assert main(["recurrence", "--n", "30", "--m", "5", "--steps", "20", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["first_hit"] is None and out["max_distance_after_first_hit"] is None
    assert out["occupation"] == 0.0 and out["returns"] == 0


def test_recurrence_cli_noise_std_clip_and_table(capsys):
    argv = ["recurrence", "--n", "8", "--m", "200", "--noise-std", "0.5", "--clip", "0.3"]
    assert main([*argv, "--steps", "100", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["noise_std"] == 0.5 and out["clip"] == 0.3 and out["max_abs_u"] <= 0.3
    assert main([*argv, "--steps", "100"]) == 0
    assert "occupation" in capsys.readouterr().out


def test_recurrence_grid_cli_writes_data_file(tmp_path, capsys):
    path = tmp_path / "grid.json"
    argv = ["recurrence-grid", "--n", "8", "--m", "100,200", "--flip", "0,0.1"]
    argv += ["--trials", "2", "--steps", "100", "--out", str(path), "--json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    back = sl.read_recurrence_file(path)
    assert back.command == "python -m stelib " + " ".join(argv)
    assert back.records == out["records"]
    assert back.records[7] == sl.recurrence_record(8, 200, flip=0.1, trial=1, steps=100)


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["recurrence", "--n", "5", "--m", "10", "--flip", "1.5"], "--flip"),
        (["recurrence", "--n", "5", "--m", "10", "--flip", "x"], "--flip"),
        (["recurrence", "--n", "5", "--m", "10", "--noise-std", "-1"], "--noise-std"),
        (["recurrence", "--n", "5", "--m", "10", "--clip", "0"], "--clip"),
        (["recurrence", "--n", "5", "--m", "0"], "--m"),
        (["recurrence", "--n", "5", "--m", "10", "--steps", "-2"], "--steps"),
        (["recurrence", "--m", "10"], "--n"),
        (["recurrence-grid", "--n", "5", "--m", "10", "--flip", "0,2"], "--flip"),
        (["recurrence-grid", "--n", "5", "--m", "10,x"], "--m"),
    ],
)
def test_recurrence_bad_options_exit_nonzero_with_one_line(args, option, capsys):
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert option in lines[0] and lines[0].startswith(f"stelib {args[0]}: error:")


def test_library_validation_names_the_argument():
    with pytest.raises(ValueError, match="flip"):
        sl.recurrence_record(5, 10, flip=2.0)
    with pytest.raises(ValueError, match="clip"):
        sl.recurrence_record(5, 10, clip=-1.0)
    with pytest.raises(ValueError, match="w_star"):
        sl.drift_prediction(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="flip"):
        sl.drift_prediction(np.ones(3), np.ones(3), flip=1.5)
