"""The engine's computational paths make the straightforward loop's decisions (issue 5).

``ste_gradient_method(method="dense" | "incremental")`` must give the same binary iterates as
``ste_gradient_method_reference`` (hence equal distances, hitting times, fixed points, losses),
and the two methods must agree bitwise with each other, whatever the grouping of trials.
"""

from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

import stelib as sl
from stelib import _engine, _gradient

METHODS = ["dense", "incremental"]


def _assert_same_decisions(res, ref):
    np.testing.assert_array_equal(res.distance, ref.distance)
    np.testing.assert_array_equal(res.hit, ref.hit)
    np.testing.assert_array_equal(res.fixed_point, ref.fixed_point)
    np.testing.assert_array_equal(res.w, ref.w)
    np.testing.assert_allclose(res.loss, ref.loss, rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.u, ref.u, rtol=1e-9, atol=1e-12)


def _assert_bitwise(a, b):
    for field in ("u", "fixed_point", "hit", "distance", "loss"):
        x, y = getattr(a, field), getattr(b, field)
        assert (x is None) == (y is None), field
        if x is not None:
            np.testing.assert_array_equal(x, y, err_msg=field)


def _rademacher_trials(n, m, trials, *, k=1, seed=0):
    """Inputs in {±1}: pre-activations are integers and often exactly 0 (sign(0) = +1)."""
    rng = np.random.default_rng(seed)
    Z = rng.choice([-1.0, 1.0], size=(trials, m, k, n))
    w_star = rng.choice([-1.0, 1.0], size=(trials, n))
    a = np.full(k, 1.0 / k)
    y = np.stack([sl.network(Z[i], w_star[i], a=a) for i in range(trials)])
    u0 = 1e-3 * rng.standard_normal((trials, n))
    return Z, y, u0, w_star, a


REGIMES = [
    ({}, {}),
    ({"k": 3}, {}),
    ({"flip": 0.1}, {}),
    ({"noise_std": 0.3}, {}),
    ({"k": 2, "flip": 0.05}, {"ste": "clipped", "ste_scale": 0.8}),
    ({}, {"ste": "clipped", "ste_scale": 0.5}),
    ({"flip": 0.05}, {"clip": 0.05}),
    ({}, {"eta": 0.3}),
]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("data", "opts"), REGIMES)
def test_paths_make_the_loops_decisions(method, data, opts):
    for seed in range(3):
        t = sl.sample_trials(12, 60, trials=5, seed=seed, **data)
        kw = {"w_star": t.w_star, "a": t.a, "steps": 120, **opts}
        ref = sl.ste_gradient_method_reference(t.Z, t.y, t.u0, **kw)
        res = sl.ste_gradient_method(t.Z, t.y, t.u0, record=True, method=method, **kw)
        _assert_same_decisions(res, ref)


def test_paths_match_the_loop_near_the_threshold_on_many_seeds():
    # m/n² ≈ 0.025 as in the threshold chapter: trials wander, many coordinates flip per step.
    n, m, steps = 30, 24, 400
    for seed in range(4):
        t = sl.sample_trials(n, m, trials=6, seed=seed)
        ref = sl.ste_gradient_method_reference(t.Z, t.y, t.u0, w_star=t.w_star, steps=steps)
        for method in METHODS:
            res = sl.ste_gradient_method(
                t.Z, t.y, t.u0, w_star=t.w_star, steps=steps, record=True, method=method
            )
            _assert_same_decisions(res, ref)


@pytest.mark.parametrize(("k", "opts"), [(1, {}), (3, {}), (1, {"ste": "clipped"})])
def test_exact_zero_preactivations_take_the_fresh_product(k, opts):
    # With ±1 inputs and even n, Zᵢ w = 0 exactly for many rows: the integer certificate cannot
    # decide them, so the incremental path must take them from a fresh product, sign(0) = +1.
    Z, y, u0, w_star, a = _rademacher_trials(10, 40, 6, k=k)
    assert np.any(np.einsum("bmkn,bn->bmk", Z, np.sign(u0)) == 0)
    kw = {"w_star": w_star, "a": a, "steps": 150, **opts}
    ref = sl.ste_gradient_method_reference(Z, y, u0, **kw)
    for method in METHODS:
        res = sl.ste_gradient_method(Z, y, u0, record=True, method=method, **kw)
        _assert_same_decisions(res, ref)


def test_inputs_of_any_scale():
    # The integer rounding is scaled per trial by a power of two; scales far from 1 must work.
    t = sl.sample_trials(15, 80, trials=4, seed=5)
    Z = t.Z * np.array([1e-9, 3.0, 7e5, 2.0**40])[:, None, None, None]
    ref = sl.ste_gradient_method_reference(Z, t.y, t.u0, w_star=t.w_star, steps=100)
    res = sl.ste_gradient_method(Z, t.y, t.u0, w_star=t.w_star, steps=100, record=True)
    _assert_same_decisions(res, ref)


@pytest.mark.parametrize(("data", "opts"), REGIMES[:5])
def test_methods_and_groupings_agree_bitwise(data, opts, monkeypatch):
    t = sl.sample_trials(14, 70, trials=7, seed=8, **data)
    kw = {"w_star": t.w_star, "a": t.a, "steps": 150, **opts}
    base = sl.ste_gradient_method(t.Z, t.y, t.u0, record=True, method="incremental", **kw)
    _assert_bitwise(sl.ste_gradient_method(t.Z, t.y, t.u0, record=True, method="dense", **kw), base)
    monkeypatch.setattr(_engine, "GROUP_BYTES", 1)  # one trial per group
    for method in METHODS:
        _assert_bitwise(
            sl.ste_gradient_method(t.Z, t.y, t.u0, record=True, method=method, **kw), base
        )
    monkeypatch.undo()
    part = sl.ste_gradient_method(
        t.Z[2:5], t.y[2:5], t.u0[2:5], w_star=t.w_star[2:5], a=t.a, steps=150, **opts
    )
    np.testing.assert_array_equal(part.u, base.u[2:5])
    np.testing.assert_array_equal(part.hit, base.hit[2:5])


def test_record_false_gives_the_same_run():
    t = sl.sample_trials(20, 50, trials=6, seed=2)
    for method in METHODS:
        a = sl.ste_gradient_method(t.Z, t.y, t.u0, w_star=t.w_star, steps=300, method=method)
        b = sl.ste_gradient_method(
            t.Z, t.y, t.u0, w_star=t.w_star, steps=300, record=True, method=method
        )
        _assert_bitwise(a._replace(distance=None, loss=None), b._replace(distance=None, loss=None))


def test_hit_at_the_last_step_is_found():
    # Without records the incremental path looks for w* only at fixed points (noiseless labels
    # of w* itself); a trial reaching w* exactly at t = steps must still count.
    t = sl.sample_trials(10, 400, trials=4, seed=2)
    full = sl.ste_gradient_method(t.Z, t.y, t.u0, w_star=t.w_star, steps=200)
    assert np.all(full.hit > 0)
    for i, h in enumerate(full.hit):
        one = (t.Z[i : i + 1], t.y[i : i + 1], t.u0[i : i + 1])
        for method in METHODS:
            res = sl.ste_gradient_method(*one, w_star=t.w_star[i], steps=int(h), method=method)
            assert res.hit[0] == h and res.fixed_point[0] == -1


def test_public_scipy_fallback_gives_the_same_bits(monkeypatch):
    t = sl.sample_trials(12, 60, trials=4, seed=1, flip=0.05)
    base = sl.ste_gradient_method(t.Z, t.y, t.u0, w_star=t.w_star, steps=100, record=True)
    monkeypatch.setattr(_gradient, "_csr_matvecs", None)
    for method in METHODS:
        res = sl.ste_gradient_method(
            t.Z, t.y, t.u0, w_star=t.w_star, steps=100, record=True, method=method
        )
        _assert_bitwise(res, base)


@pytest.mark.parametrize(
    ("n", "data", "kw", "expected"),
    [
        (8, {}, {"steps": 50}, "run_incremental"),
        (8, {"flip": 0.2}, {"steps": 50}, "run_incremental"),
        (8, {"noise_std": 0.3}, {"steps": 50}, "run_incremental"),
        (8, {"k": 2}, {"steps": 50}, "run_incremental"),
        (8, {}, {"steps": _engine.AUTO_MIN_STEPS - 1}, "run_dense"),
        (8, {}, {"steps": 50, "dtype": np.float32}, "run_dense"),
        (8, {}, {"steps": 50, "ste": "clipped"}, "run_dense"),
        (_engine.AUTO_MIN_N_CLIPPED, {}, {"steps": 9, "ste": "clipped"}, "run_incremental"),
    ],
)
def test_auto_picks_the_path_measured_faster_for_the_regime(n, data, kw, expected, monkeypatch):
    t = sl.sample_trials(n, 12, trials=2, seed=0, **data)
    called = []
    for name in ("run_dense", "run_incremental"):
        real = getattr(_engine, name)

        def spy(*args, _name=name, _real=real, **kwargs):
            called.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(_engine, name, spy)
    sl.ste_gradient_method(t.Z, t.y, t.u0, a=t.a, **kw)
    assert set(called) == {expected}


def test_float32_dense_runs_with_the_same_shapes():
    t = sl.sample_trials(12, 60, trials=3, seed=0)
    res = sl.ste_gradient_method(
        t.Z, t.y, t.u0, w_star=t.w_star, steps=50, record=True, dtype=np.float32
    )
    assert res.u.dtype == np.float64 and res.u.shape == (3, 12)
    assert res.distance.shape == (3, 51)


@pytest.mark.parametrize(
    ("kw", "exc", "match"),
    [
        ({"method": "fast"}, ValueError, "method == 'fast'"),
        ({"dtype": np.int32}, ValueError, "dtype == dtype\\('int32'\\)"),
        ({"dtype": "no-such-type"}, TypeError, "dtype must be"),
        ({"method": "incremental", "dtype": np.float32}, ValueError, "float32 needs"),
    ],
)
def test_engine_options_are_validated(kw, exc, match):
    t = sl.sample_trials(5, 10, trials=2, seed=0)
    with pytest.raises(exc, match=match):
        sl.ste_gradient_method(t.Z, t.y, t.u0, steps=5, **kw)


def test_sweep_is_bitwise_identical_across_executors_and_batch_sizes():
    grid = {"trials": 6, "steps": 300, "seed": 11}
    ref = sl.success_probability(16, [30, 60], batch_size=6, progress=False, **grid)
    small = sl.success_probability(16, [30, 60], batch_size=4, progress=False, **grid)
    with ProcessPoolExecutor(2) as ex:
        procs = sl.success_probability(
            16, [30, 60], batch_size=2, executor=ex, progress=False, **grid
        )
    np.testing.assert_array_equal(small.hits, ref.hits)
    np.testing.assert_array_equal(procs.hits, ref.hits)
    assert 0 < ref.successes.sum() < ref.hits.size  # some succeed, some do not


# The compiled fast mode (stelib._kernel, numba): k = 1, identity STE, labels ±a, no records.
# It must give the numpy implementation's bits and the loop's decisions.

FAST_REGIMES = [
    ({}, {}),
    ({"flip": 0.1}, {}),
    ({}, {"eta": 0.3}),
    ({"flip": 0.05}, {"clip": 0.05}),
    ({"flip": 0.05}, {"eta": 2.5, "clip": 0.5}),
]


def _with_kernel(use, monkeypatch, *args, **kw):
    monkeypatch.setattr(_engine, "USE_KERNEL", use)
    return sl.ste_gradient_method(*args, method="incremental", **kw)


@pytest.mark.parametrize(("data", "opts"), FAST_REGIMES)
def test_compiled_fast_mode_gives_the_numpy_bits_and_the_loops_decisions(data, opts, monkeypatch):
    pytest.importorskip("numba")
    early_hits = 0
    for seed in range(3):
        t = sl.sample_trials(16, 80, trials=6, seed=seed, **data)
        kw = {"w_star": t.w_star, "a": t.a, "steps": 400, **opts}
        compiled = _with_kernel(True, monkeypatch, t.Z, t.y, t.u0, **kw)
        numpy_path = _with_kernel(False, monkeypatch, t.Z, t.y, t.u0, **kw)
        _assert_bitwise(compiled, numpy_path)
        ref = sl.ste_gradient_method_reference(t.Z, t.y, t.u0, **kw)
        np.testing.assert_array_equal(compiled.hit, ref.hit)
        np.testing.assert_array_equal(compiled.fixed_point, ref.fixed_point)
        np.testing.assert_array_equal(compiled.w, ref.w)
        early_hits += np.count_nonzero((compiled.hit >= 0) & (compiled.hit != compiled.fixed_point))
    if data.get("flip") and not opts:  # w* is not a fixed point: hits are found on the way
        assert early_hits > 0


@pytest.mark.parametrize("opts", [{}, {"eta": 0.7}, {"clip": 0.02}, {"w_star": None}])
def test_compiled_fast_mode_across_bit_words_and_flip_blocks(opts, monkeypatch):
    # n = 150 spans three 64-bit sign words (the last one partial), m = 200 four 64-row margin
    # blocks (the last one padded); with a small start, dozens of coordinates flip per step, so
    # the flip lists fill several blocks of 8 columns and the shorter list is padded.
    pytest.importorskip("numba")
    t = sl.sample_trials(150, 200, trials=3, seed=5)
    kw = {"w_star": t.w_star, "steps": 300, **opts}
    compiled = _with_kernel(True, monkeypatch, t.Z, t.y, t.u0, **kw)
    _assert_bitwise(compiled, _with_kernel(False, monkeypatch, t.Z, t.y, t.u0, **kw))
    ref = sl.ste_gradient_method_reference(t.Z, t.y, t.u0, **kw)
    np.testing.assert_array_equal(compiled.hit, ref.hit)
    np.testing.assert_array_equal(compiled.fixed_point, ref.fixed_point)
    np.testing.assert_array_equal(compiled.w, ref.w)
    monkeypatch.setattr(_engine, "STATS", [])  # per step: (alive trials, flips, misclassified)
    _with_kernel(False, monkeypatch, t.Z, t.y, t.u0, **kw)
    alive, flips, _ = np.array(_engine.STATS).T
    assert (flips > 2 * 8 * alive).any()  # some step filled more than two blocks per trial


def test_compiled_fast_mode_is_used_and_asks_for_fresh_products(monkeypatch):
    # ±1 inputs, even n: exact zeros among the pre-activations, which the integer certificate
    # cannot decide; the kernel must stop, get the dense float64 value, and resume.
    pytest.importorskip("numba")
    from stelib import _kernel

    calls = []
    real = _kernel.fast_trials

    def spy(*args):
        calls.append(real(*args))
        return calls[-1]

    monkeypatch.setattr(_kernel, "fast_trials", spy)
    Z, y, u0, w_star, a = _rademacher_trials(10, 40, 6)
    kw = {"w_star": w_star, "a": a, "steps": 150}
    compiled = sl.ste_gradient_method(Z, y, u0, method="incremental", **kw)
    assert len(calls) > 1 and calls[-1] == -1  # it returned for fresh products, then finished
    ref = sl.ste_gradient_method_reference(Z, y, u0, **kw)
    np.testing.assert_array_equal(compiled.hit, ref.hit)
    np.testing.assert_array_equal(compiled.fixed_point, ref.fixed_point)
    np.testing.assert_array_equal(compiled.w, ref.w)
    _assert_bitwise(compiled, _with_kernel(False, monkeypatch, Z, y, u0, **kw))


def test_compiled_fast_mode_near_the_threshold(monkeypatch):
    pytest.importorskip("numba")
    t = sl.sample_trials(30, 24, trials=12, seed=3)
    kw = {"w_star": t.w_star, "steps": 1500}
    compiled = _with_kernel(True, monkeypatch, t.Z, t.y, t.u0, **kw)
    _assert_bitwise(compiled, _with_kernel(False, monkeypatch, t.Z, t.y, t.u0, **kw))
    _assert_bitwise(compiled, sl.ste_gradient_method(t.Z, t.y, t.u0, method="dense", **kw))
    ref = sl.ste_gradient_method_reference(t.Z, t.y, t.u0, **kw)
    np.testing.assert_array_equal(compiled.hit, ref.hit)
    np.testing.assert_array_equal(compiled.w, ref.w)


# One coarse gradient (stelib._gradient) for every Python path: the engine's paths, the reference
# loop and the recorded latent path now agree bit for bit, not only in their decisions.
@pytest.mark.parametrize(
    ("data", "opts"),
    [
        ({}, {}),
        ({"flip": 0.1}, {}),
        ({"noise_std": 0.3}, {"clip": 0.5}),
        ({"k": 2}, {"eta": 0.7}),
        ({}, {"ste": "clipped", "eta": 0.3}),
    ],
)
def test_every_python_path_gives_the_reference_bits(data, opts):
    t = sl.sample_trials(12, 60, trials=4, seed=2, **data)
    kw = {"w_star": t.w_star, "a": t.a, "steps": 200, **opts}
    ref = sl.ste_gradient_method_reference(t.Z, t.y, t.u0, **kw)
    for method in METHODS:
        res = sl.ste_gradient_method(t.Z, t.y, t.u0, record=True, method=method, **kw)
        _assert_bitwise(res, ref)
    kw.pop("w_star")
    U = sl.latent_trajectory(t.Z, t.y, t.u0, **kw)
    np.testing.assert_array_equal(U[:, -1], ref.u)
    ste = opts.get("ste", "identity")
    g = sl.coarse_gradient(t.Z[0], t.y[0], sl.sign(t.u0[0]), a=t.a, ste=ste)
    step = t.u0[0] - opts.get("eta", 1.0) * g
    if "clip" in opts:
        step = np.clip(step, -opts["clip"], opts["clip"])
    np.testing.assert_array_equal(step, U[0, 1])
