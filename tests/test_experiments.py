from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import stelib as sl

GRID = {"steps": 400, "seed": 3}


def test_success_probability_shapes_and_counts():
    res = sl.success_probability(10, [20, 200], trials=6, **GRID)
    assert res.hits.shape == (2, 6)
    assert res.successes.tolist() == np.count_nonzero(res.hits >= 0, axis=1).tolist()
    assert res.successes[1] == 6  # m/n^2 = 2: far above any threshold
    assert len(res.median_hit) == 2


def test_trial_outcome_independent_of_trials_batching_order_and_executor():
    ref = sl.success_probability(12, [30, 60], trials=7, batch_size=7, **GRID)
    small = sl.success_probability(12, [30, 60], trials=7, batch_size=2, **GRID)
    fewer = sl.success_probability(12, [30, 60], trials=4, batch_size=3, **GRID)
    reordered = sl.success_probability(12, [60, 30], trials=7, **GRID)
    with ThreadPoolExecutor(2) as ex:
        threaded = sl.success_probability(12, [30, 60], trials=7, executor=ex, **GRID)
    np.testing.assert_array_equal(small.hits, ref.hits)
    np.testing.assert_array_equal(fewer.hits, ref.hits[:, :4])
    np.testing.assert_array_equal(reordered.hits[::-1], ref.hits)
    np.testing.assert_array_equal(threaded.hits, ref.hits)


def test_success_matches_engine_on_the_same_streams():
    res = sl.success_probability(10, [40], trials=5, **GRID)
    t = sl.sample_trials(10, 40, trials=5, seed=GRID["seed"])
    eng = sl.ste_gradient_method(t.Z, t.y, t.u0, w_star=t.w_star, steps=GRID["steps"])
    np.testing.assert_array_equal(res.hits[0], eng.hit)


def test_memory_cache_resumes(tmp_path):
    first = sl.success_probability(8, [30], trials=4, memory=tmp_path, **GRID)
    again = sl.success_probability(8, [30], trials=4, memory=str(tmp_path), **GRID)
    np.testing.assert_array_equal(first.hits, again.hits)
    assert any(tmp_path.rglob("output.pkl"))  # batches were cached on disk


def test_progress_enabled_reads_environment(monkeypatch):
    monkeypatch.setenv("STELIB_PROGRESS", "0")
    assert not sl.progress_enabled(None)
    monkeypatch.setenv("STELIB_PROGRESS", "1")
    assert sl.progress_enabled(None)
    assert not sl.progress_enabled(False)


@pytest.mark.parametrize(
    ("args", "kw", "exc", "match"),
    [
        ((0, [10]), {}, ValueError, "n == 0"),
        ((5, []), {}, ValueError, "m is empty"),
        ((5, [10, 0]), {}, ValueError, "m == 0"),
        ((5, [10]), {"trials": 0}, ValueError, "trials == 0"),
        ((5, [10]), {"batch_size": 0}, ValueError, "batch_size == 0"),
        ((5, [10]), {"executor": "pool"}, TypeError, "executor must be"),
        ((5, [10]), {"seed": -1}, ValueError, "seed == -1"),
    ],
)
def test_success_validation(args, kw, exc, match):
    with pytest.raises(exc, match=match):
        sl.success_probability(*args, **kw)
