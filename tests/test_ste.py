import numpy as np
import pytest

import stelib as sl


def _trials(n=12, m=60, trials=6, seed=0, **kw):
    return sl.sample_trials(n, m, trials=trials, seed=seed, **kw)


def test_coarse_gradient_matches_explicit_sum():
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((9, 2, 4))
    y = rng.standard_normal(9)
    w = np.array([1.0, -1.0, -1.0, 1.0])
    a = np.array([0.3, 0.7])
    g = np.zeros(4)
    for i in range(9):
        f = sum(a[p] * (1.0 if Z[i, p] @ w >= 0 else -1.0) for p in range(2))
        g += Z[i].T @ a * (f - y[i])
    np.testing.assert_allclose(sl.coarse_gradient(Z, y, w, a=a), g / 9)


def test_clipped_ste_passes_only_small_preactivations():
    t = np.array([-5.0, -2.0, 0.0, 1.9, 2.1])
    np.testing.assert_array_equal(sl.ste_derivative(t, n=4, ste="clipped"), [0, 1, 1, 1, 0])
    np.testing.assert_array_equal(sl.ste_derivative(t, n=4), np.ones(5))


def test_coarse_gradient_zero_at_teacher_without_noise():
    t = sl.sample_trial(10, 40, rng=1)
    assert not np.any(sl.coarse_gradient(t.Z, t.y, t.w_star))


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"k": 3},
        {"flip": 0.1},
        {"noise_std": 0.3},
    ],
)
def test_engine_equals_reference_loop(kw):
    t = _trials(**kw)
    steps = 150
    opts = {"w_star": t.w_star, "a": t.a, "steps": steps}
    ref = sl.ste_gradient_method_reference(t.Z, t.y, t.u0, **opts)
    eng = sl.ste_gradient_method(t.Z, t.y, t.u0, record=True, **opts)
    np.testing.assert_array_equal(eng.distance, ref.distance)
    np.testing.assert_array_equal(eng.hit, ref.hit)
    np.testing.assert_array_equal(eng.fixed_point, ref.fixed_point)
    np.testing.assert_array_equal(eng.w, ref.w)
    np.testing.assert_allclose(eng.loss, ref.loss, rtol=0, atol=1e-12)
    np.testing.assert_allclose(eng.u, ref.u, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("kw", [{"ste": "clipped", "ste_scale": 0.8}, {"clip": 0.05}])
def test_engine_equals_reference_loop_with_options(kw):
    t = _trials(flip=0.05)
    opts = {"w_star": t.w_star, "steps": 120, **kw}
    ref = sl.ste_gradient_method_reference(t.Z, t.y, t.u0, **opts)
    eng = sl.ste_gradient_method(t.Z, t.y, t.u0, record=True, **opts)
    np.testing.assert_array_equal(eng.distance, ref.distance)
    if "clip" in kw:
        assert np.abs(eng.u).max() <= kw["clip"]


def test_engine_result_does_not_depend_on_batching():
    t = _trials(n=15, m=120, trials=8, seed=4)
    whole = sl.ste_gradient_method(t.Z, t.y, t.u0, w_star=t.w_star, steps=300, record=True)
    for lo, hi in [(0, 3), (3, 4), (4, 8)]:
        part = sl.ste_gradient_method(
            t.Z[lo:hi], t.y[lo:hi], t.u0[lo:hi], w_star=t.w_star[lo:hi], steps=300, record=True
        )
        np.testing.assert_array_equal(part.distance, whole.distance[lo:hi])
        np.testing.assert_array_equal(part.u, whole.u[lo:hi])


def test_fixed_point_stops_and_fills_records():
    t = _trials(n=10, m=400, trials=4, seed=2)  # m/n^2 = 4: every trial succeeds fast
    res = sl.ste_gradient_method(t.Z, t.y, t.u0, w_star=t.w_star, steps=200, record=True)
    assert res.distance.shape == (4, 201) and res.loss.shape == (4, 201)
    assert np.all(res.hit >= 0)
    np.testing.assert_array_equal(res.hit, res.fixed_point)
    for i in range(4):
        assert np.all(res.distance[i, res.hit[i] :] == 0)
        assert np.all(res.loss[i, res.hit[i] :] == 0)
    np.testing.assert_array_equal(res.w, t.w_star)


def test_only_eta_relative_to_u0_matters():
    t = _trials(n=20, m=150, trials=3, seed=6)
    base = sl.ste_gradient_method(t.Z, t.y, t.u0, w_star=t.w_star, steps=200, record=True)
    c = 1024.0  # a power of two keeps the floating-point arithmetic exact
    scaled = sl.ste_gradient_method(
        t.Z, t.y, c * t.u0, eta=c, w_star=t.w_star, steps=200, record=True
    )
    np.testing.assert_array_equal(base.distance, scaled.distance)
    np.testing.assert_array_equal(scaled.u, c * base.u)


def test_record_false_returns_no_records_but_same_outcome():
    t = _trials()
    a = sl.ste_gradient_method(t.Z, t.y, t.u0, w_star=t.w_star, steps=100)
    b = sl.ste_gradient_method(t.Z, t.y, t.u0, w_star=t.w_star, steps=100, record=True)
    assert a.distance is None and a.loss is None
    np.testing.assert_array_equal(a.hit, b.hit)
    np.testing.assert_array_equal(a.u, b.u)


def test_zero_steps_records_initial_state():
    t = _trials()
    res = sl.ste_gradient_method(t.Z, t.y, t.u0, w_star=t.w_star, steps=0, record=True)
    np.testing.assert_array_equal(res.distance[:, 0], sl.hamming(sl.sign(t.u0), t.w_star))
    np.testing.assert_array_equal(res.u, t.u0)


@pytest.mark.parametrize(
    ("kw", "exc", "match"),
    [
        ({"eta": 0.0}, ValueError, "eta == 0.0, must be > 0"),
        ({"eta": float("nan")}, ValueError, "eta == nan, must be finite"),
        ({"steps": -1}, ValueError, "steps == -1, must be >= 0"),
        ({"steps": 1.5}, TypeError, "steps must be an integer"),
        ({"ste": "relu"}, ValueError, "ste == 'relu', must be one of"),
        ({"ste_scale": -1.0}, ValueError, "ste_scale == -1.0"),
        ({"clip": 0.0}, ValueError, "clip == 0.0, must be > 0"),
        ({"w_star": np.zeros(12)}, ValueError, "w_star must have entries"),
        ({"w_star": np.ones(5)}, ValueError, "w_star must have length n == 12"),
        ({"a": np.ones(2)}, ValueError, "a has shape"),
    ],
)
def test_engine_validation_names_the_argument(kw, exc, match):
    t = _trials(trials=2)
    with pytest.raises(exc, match=match):
        sl.ste_gradient_method(t.Z, t.y, t.u0, **kw)


def test_engine_shape_validation():
    t = _trials(trials=2)
    with pytest.raises(ValueError, match="Z has shape"):
        sl.ste_gradient_method(t.Z[0], t.y, t.u0)
    with pytest.raises(ValueError, match="y has shape"):
        sl.ste_gradient_method(t.Z, t.y[:, :5], t.u0)
    with pytest.raises(ValueError, match="u0 has shape"):
        sl.ste_gradient_method(t.Z, t.y, t.u0[:1])
    Z = t.Z.copy()
    Z[0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="Z contains 1 non-finite"):
        sl.ste_gradient_method(Z, t.y, t.u0)
    with pytest.raises(ValueError, match="y has shape"):
        sl.coarse_gradient(t.Z[0], t.y[0, :3], t.w_star[0])
