"""Issue 13: stuck and censored runs, bounds on P(success) and m₅₀ without a budget, the
threshold files, the adaptive design on m."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import stelib as sl
from stelib.__main__ import main

DATA = Path(__file__).resolve().parent.parent / "chapters" / "data"


@pytest.fixture(scope="module")
def small():
    """Noiseless trials around the threshold at n = 12: successes, stuck and censored."""
    return sl.success_probability(12, [10, 14, 20, 30], trials=24, steps=300, seed=3)


def test_success_json_keeps_its_keys_and_adds_stuck(capsys, small):
    args = ["success", "--n", "12", "--m", "10,14,20,30", "--trials", "24", "--steps", "300"]
    assert main([*args, "--seed", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    old = {"eta", "init_scale", "inputs", "k", "m", "median_hit", "n", "normalise", "seed"}
    assert old | {"steps", "successes", "trials", "version", "stuck"} <= set(out)
    assert out["stuck"] == small.stuck.tolist() and out["successes"] == small.successes.tolist()
    assert small.stuck.sum() > 0 and small.successes.sum() > 0


@pytest.mark.parametrize("k", [1, 2])
def test_stuck_trials_sit_at_a_zero_loss_weight_other_than_w_star_and_never_move(k):
    res = sl.success_probability(12, [8, 12], trials=16, steps=200, seed=1, k=k)
    longer = sl.success_probability(12, [8, 12], trials=16, steps=800, seed=1, k=k)
    stuck = (res.fixed >= 0) & (res.hits < 0)
    assert stuck.sum() > 0
    np.testing.assert_array_equal(longer.fixed[stuck], res.fixed[stuck])  # never moves again
    np.testing.assert_array_equal(longer.hits[stuck], -1)
    for g, i in zip(*np.nonzero(stuck), strict=True):
        m = int(res.m[g])
        t = sl.sample_trials(12, m, trials=1, seed=1, start=int(i), k=k)
        run = sl.ste_gradient_method(t.Z, t.y, t.u0, w_star=t.w_star, a=t.a, steps=200)
        w = run.w[0]
        assert not np.array_equal(w, t.w_star[0])
        assert sl.empirical_loss(t.Z[0], t.y[0], w, a=t.a) == 0.0


def test_a_longer_budget_extends_the_same_trajectories(small):
    longer = sl.success_probability(12, [10, 14, 20, 30], trials=24, steps=1200, seed=3)
    for short, long in ((small.hits, longer.hits), (small.fixed, longer.fixed)):
        np.testing.assert_array_equal(np.where(long <= small.steps, long, -1), short)


def test_runs_split_over_sizes_join_into_the_single_run(small):
    lo = sl.success_probability(12, [10, 20], trials=24, steps=300, seed=3)
    hi = sl.success_probability(12, [30, 14], trials=24, steps=300, seed=3)
    joined = sl.join_sizes(hi, lo)
    np.testing.assert_array_equal(joined.m, small.m)
    np.testing.assert_array_equal(joined.hits, small.hits)
    np.testing.assert_array_equal(joined.fixed, small.fixed)
    assert joined._replace(m=None, hits=None, fixed=None) == small._replace(
        m=None, hits=None, fixed=None
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"steps": 301}, "differ in steps"),
        ({"seed": 4}, "differ in seed"),
        ({"fixed": None}, "fixed points"),
        ({"m": np.array([10, 99, 98, 97])}, "share sizes"),
    ],
)
def test_join_sizes_refuses_runs_of_different_protocols(small, change, message):
    other = small._replace(**change)
    if "m" not in change:
        other = other._replace(m=small.m + 100)
    with pytest.raises(ValueError, match=message):
        sl.join_sizes(small, other)


@pytest.mark.parametrize("n", [25, 50, 100, 200, 400])
def test_the_old_threshold_files_are_prefixes_of_the_censored_ones(n):
    old = sl.read_success_file(DATA / f"threshold_n{n:03d}.json").result
    paths = sorted(DATA.glob(f"threshold_censored_n{n:04d}*.json"))  # n = 400: two files
    new = sl.join_sizes(*(sl.read_threshold_file(p).result for p in paths))
    rows = [int(np.flatnonzero(new.m == m)[0]) for m in old.m]  # every old size is measured
    hits = new.hits[rows, : old.trials]
    np.testing.assert_array_equal(np.where(hits <= old.steps, hits, -1), old.hits)


def test_outcomes_add_up_and_bound_the_success_probability(small):
    prev = None
    for budget in (0, 10, 50, 300):
        o = sl.outcomes(small, budget=budget)
        np.testing.assert_array_equal(o.successes + o.stuck + o.censored, small.trials)
        assert np.all(o.lower <= o.upper)
        if prev is not None:  # more time: more decided runs, never fewer
            assert np.all(o.successes >= prev.successes) and np.all(o.stuck >= prev.stuck)
            assert np.all(o.censored <= prev.censored)
        prev = o
    assert sl.outcomes(small).censored.sum() > 0
    with pytest.raises(ValueError, match="budget"):
        sl.outcomes(small, budget=301)
    with pytest.raises(ValueError, match="fixed"):
        sl.outcomes(small._replace(fixed=None))


def test_m50_bounds_bracket_the_budget_and_the_infinite_budget():
    res = sl.read_threshold_file(DATA / "threshold_censored_n0025.json").result
    b = sl.m50_bounds(res, bootstrap=200)
    assert b.lo < b.upper.m50 <= b.m50 < b.hi
    assert b.lower.lo <= b.m50 <= b.lower.hi
    path = sl.m50_path(res, [15625, 62500, 250000, 1000000], bootstrap=200)
    assert np.all(np.diff(path.m50) <= 0)  # more budget, more successes, a lower m50
    assert sl.flat_budget(path) == 15625  # m50(T) inside the interval of m50(4T)
    fake = path._replace(hi=path.m50 * 1.000001, lo=path.m50 * 0.999999)
    assert sl.flat_budget(fake) is None


def test_threshold_file_and_command(tmp_path, capsys, small):
    out = tmp_path / "t.json"
    args = ["threshold", "--n", "12", "--m", "10,14,20,30", "--trials", "24", "--steps", "300"]
    assert main([*args, "--seed", "3", "--out", str(out), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    f = sl.read_threshold_file(out)
    np.testing.assert_array_equal(f.result.hits, small.hits)
    np.testing.assert_array_equal(f.result.fixed, small.fixed)
    o = sl.outcomes(small)
    assert printed["stuck"] == o.stuck.tolist() and printed["censored"] == o.censored.tolist()
    assert [r["budget"] for r in printed["m50"]] == [37, 75, 150, 300]
    assert f.command == sl.command_line([*args, "--seed", "3", "--out", str(out), "--json"])
    with pytest.raises(ValueError, match="fixed"):
        sl.read_threshold_file(DATA / "threshold_n025.json")  # an old success file


def test_local_exponents_recover_a_power_law():
    n = np.array([25, 50, 100, 200])
    rng = np.random.default_rng(0)
    m50 = 0.03 * n**2.0
    reps = [v * np.exp(0.02 * rng.standard_normal(500)) for v in m50]
    e = sl.local_exponents(n, m50, reps)
    np.testing.assert_allclose(e.beta, 2.0)
    assert np.all((e.lo < 2.0) & (2.0 < e.hi)) and np.all(e.hi - e.lo < 0.2)


def test_estimator_error_is_small_against_its_spread():
    old = sl.read_success_file(DATA / "threshold_n050.json").result
    err = sl.m50_estimator_error(old.m, old.successes, old.trials, replicates=300)
    fit = sl.fit_m50(old.m, old.successes, old.trials, bootstrap=300)
    assert abs(err.bias) < err.sd / 3 and 0.003 < err.sd < 0.03
    assert abs(np.log(err.crossing / fit.m50)) < 0.03  # the logistic model and the data agree


def test_profile_interval_matches_the_bootstrap_on_a_full_curve():
    old = sl.read_success_file(DATA / "threshold_n050.json").result
    p = sl.profile_m50(old.m, old.successes, np.full(old.m.shape, old.trials))
    f = sl.fit_m50(old.m, old.successes, old.trials, bootstrap=500)
    np.testing.assert_allclose([p.m50, p.lo, p.hi], [f.m50, f.lo, f.hi], rtol=0.01)


def test_designs_are_reproducible_and_use_the_sweeps_trials(tmp_path):
    kw = {"batch": 12, "target": 0.3, "min_trials": 24, "max_trials": 96, "steps": 200, "seed": 2}
    a = sl.adaptive_design(12, 8, 40, **kw)
    b = sl.adaptive_design(12, 8, 40, **kw)
    np.testing.assert_array_equal(a.rounds, b.rounds)
    for m, n, s in zip(a.m, a.trials, a.successes, strict=True):
        ref = sl.success_probability(12, [int(m)], trials=int(n), steps=200, seed=2)
        assert ref.successes[0] == s
    g = sl.grid_design(12, 8, 40, points=4, **kw)
    assert g.m.size == 4 and np.all(g.trials == g.trials[0])
    study = sl.design_study(12, 8, 40, repetitions=2, points=4, batch=12, targets=[0.5, 0.3],
                            min_trials=24, max_trials=96, steps=200)  # fmt: skip
    path = tmp_path / "d.json"
    sl.write_design_file(path, study, command="x")
    back, command, _ = sl.read_design_file(path)
    assert command == "x" and back.params == study.params
    for r, s in zip(back.adaptive + back.grid, study.adaptive + study.grid, strict=True):
        np.testing.assert_array_equal(r.rounds, s.rounds)
    assert study.saving(0.5) > 0
    assert np.all(study.trials_needed(0.5)[1] >= 24)  # never before min_trials
    bias, sd, cover = study.accuracy("grid")
    assert np.isfinite(bias) and sd >= 0 and 0 <= cover <= 1
    assert np.isfinite(study.at_trials("grid", 24)[1])  # both runs have a round at 24 trials
    sd = study.at_trials("grid", 24)[1]
    assert study.trials_for_spread("grid", sd) <= 24
    assert np.isnan(study.trials_for_spread("grid", -1.0))


def test_threshold_table_reports_the_protocol_for_every_n():
    runs = [sl.read_threshold_file(DATA / "threshold_censored_n0025.json").result]
    runs.append(sl.read_success_file(DATA / "threshold_n050.json").result)  # no fixed points
    t = sl.threshold_table(runs, budget=20_000, bootstrap=200)
    np.testing.assert_array_equal(t.n, [25, 50])
    np.testing.assert_array_equal(t.budget, [20_000, 20_000])
    assert np.all((t.lo < t.m50) & (t.m50 < t.hi)) and np.all(t.inf_hi == t.hi)
    assert t.inf_lo[0] < t.m50[0] and np.isnan(t.inf_lo[1]) and np.isnan(t.censored[1])
    assert 0 < t.censored[0] < 0.1 and t.flat[0] > 0
    assert np.all((0 < t.drift) & (t.drift < 0.1))  # more budget, a lower m50, slowly
    beta = np.log(t.m50[1] / t.m50[0]) / np.log(2)
    np.testing.assert_allclose(t.exponents.beta, [beta])
    grown = sl.threshold_table(runs, budget=lambda n: 400 * n, bootstrap=200)
    np.testing.assert_array_equal(grown.budget, [10_000, 20_000])
    lo, hi = t.infinite_exponents  # n = 50 has no lower end: no lower bound on the exponent
    assert np.isnan(lo[0]) and hi[0] > beta


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--lo", "9", "--hi", "9"], "hi == 9"),
        (["--lo", "3", "--hi", "9", "--seed", "2"], "--seed"),
    ],
)
def test_design_command_names_a_bad_option(extra, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["design", "--n", "5", *extra])
    assert exc.value.code == 2 and message in capsys.readouterr().err
