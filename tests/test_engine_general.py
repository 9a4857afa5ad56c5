"""The compiled general mode (stelib._kernel_general.general_trials): k > 1 and noisy labels.

It must give the numpy implementation's bits (``u``, hitting times, fixed points, ``w``) and
the reference loop's decisions, for every ``k`` whose second layer ``a = c·𝟙`` has exact
multiples (``a = 𝟙/k``, k = 1, 2, 4, 8), and must not be used where that fails (k = 3).
"""

import numpy as np
import pytest

import stelib as sl
from stelib import _engine

pytest.importorskip("numba")


def _run(use_kernel, monkeypatch, t, **kw):
    monkeypatch.setattr(_engine, "USE_KERNEL", use_kernel)
    return sl.ste_gradient_method(t.Z, t.y, t.u0, a=t.a, method="incremental", **kw)


def _assert_bitwise(a, b):
    for field in ("u", "w", "fixed_point", "hit"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field), err_msg=field)


def _assert_reference_decisions(res, t, **kw):
    ref = sl.ste_gradient_method_reference(t.Z, t.y, t.u0, a=t.a, **kw)
    np.testing.assert_array_equal(res.hit, ref.hit)
    np.testing.assert_array_equal(res.fixed_point, ref.fixed_point)
    np.testing.assert_array_equal(res.w, ref.w)
    np.testing.assert_array_equal(res.u, ref.u)  # one coarse gradient: the same bits too


def _spy_general(monkeypatch):
    from stelib import _kernel_general as _kernel

    calls = []
    real = _kernel.general_trials

    def spy(*args):
        calls.append(real(*args))
        return calls[-1]

    monkeypatch.setattr(_kernel, "general_trials", spy)
    return calls


@pytest.mark.parametrize(
    ("data", "opts"),
    [
        ({"k": 2}, {}),
        ({"k": 4}, {}),
        ({"k": 4}, {"eta": 0.3, "clip": 0.05}),
        ({"k": 2, "flip": 0.1}, {"eta": 2.5}),
        ({"k": 2, "noise_std": 0.3}, {"clip": 0.5}),
        ({"k": 1, "noise_std": 0.3}, {}),
        ({"k": 8}, {"eta": 0.7}),
    ],
)
def test_general_mode_gives_the_numpy_bits_and_the_loops_decisions(data, opts, monkeypatch):
    # n = 70 spans two 64-bit sign words; m near the threshold: some trials reach w*, others
    # a fixed point elsewhere or the budget.
    calls = _spy_general(monkeypatch)
    ends = set()
    for seed in range(2):
        t = sl.sample_trials(70, 150, trials=4, seed=seed, **data)
        kw = {"w_star": t.w_star, "steps": 300, **opts}
        compiled = _run(True, monkeypatch, t, **kw)
        _assert_bitwise(compiled, _run(False, monkeypatch, t, **kw))
        _assert_reference_decisions(compiled, t, **kw)
        ends |= {bool(h >= 0) for h in compiled.hit}
    assert calls and calls[-1] == -1  # the compiled loop ran
    if not (data.get("flip") or data.get("noise_std")):
        assert ends == {True, False}  # both outcomes occur: the hits are tested, not only w


def test_general_mode_across_bit_words_and_flip_blocks(monkeypatch):
    # n = 150: three 64-bit words (the last one partial); a small start flips dozens of
    # coordinates per step, so several blocks of 8 margin columns are added per step.
    t = sl.sample_trials(150, 300, trials=2, seed=4, k=4)
    for opts in ({}, {"w_star": None}, {"eta": 0.05, "clip": 0.01}):
        kw = {"w_star": t.w_star, "steps": 200} | opts
        compiled = _run(True, monkeypatch, t, **kw)
        _assert_bitwise(compiled, _run(False, monkeypatch, t, **kw))
        _assert_bitwise(compiled, sl.ste_gradient_method(t.Z, t.y, t.u0, method="dense", **kw))
    monkeypatch.setattr(_engine, "STATS", [])  # numpy path: (alive trials, flips, nonzero rows)
    _run(False, monkeypatch, t, w_star=t.w_star, steps=200)
    alive, flips, _ = np.array(_engine.STATS).T
    assert (flips > 2 * 8 * alive).any()


def test_general_mode_asks_for_fresh_products(monkeypatch):
    # ±1 inputs, even n: pre-activations exactly 0, which the integer certificate cannot decide.
    calls = _spy_general(monkeypatch)
    rng = np.random.default_rng(7)
    trials, m, k, n = 4, 60, 2, 10
    Z = rng.choice([-1.0, 1.0], size=(trials, m, k, n))
    w_star = rng.choice([-1.0, 1.0], size=(trials, n))
    a = np.full(k, 1.0 / k)
    y = np.stack([sl.network(Z[i], w_star[i], a=a) for i in range(trials)])
    u0 = 1e-3 * rng.standard_normal((trials, n))
    t = sl.Trial(Z=Z, y=y, y_clean=y, w_star=w_star, u0=u0, a=a)
    kw = {"w_star": w_star, "steps": 150}
    compiled = _run(True, monkeypatch, t, **kw)
    assert len(calls) > 1 and calls[-1] == -1  # it returned for fresh products, then finished
    _assert_bitwise(compiled, _run(False, monkeypatch, t, **kw))
    _assert_reference_decisions(compiled, t, **kw)


def test_general_mode_only_where_its_arithmetic_is_exact(monkeypatch):
    calls = _spy_general(monkeypatch)
    assert _engine.general_kernel_layer(np.full(4, 0.25), 4, None) == 0.25
    assert _engine.general_kernel_layer(np.full(3, 1 / 3), 3, None) is None  # 3·fl(1/3) rounds
    assert _engine.general_kernel_layer(np.array([0.5, 0.25]), 2, None) is None
    assert _engine.general_kernel_layer(np.full(2, 0.5), 2, 1.0) is None  # clipped STE
    t = sl.sample_trials(20, 40, trials=2, seed=1, k=3)
    _run(True, monkeypatch, t, w_star=t.w_star, steps=50)
    assert not calls  # k = 3 keeps the numpy implementation


def test_general_mode_stops_at_fixed_points_other_than_w_star(monkeypatch):
    # Few samples: runs end at zero training loss away from w* (stuck), others wander.
    t = sl.sample_trials(40, 20, trials=8, seed=0, k=2)
    kw = {"w_star": t.w_star, "steps": 1000}
    compiled = _run(True, monkeypatch, t, **kw)
    _assert_bitwise(compiled, _run(False, monkeypatch, t, **kw))
    _assert_reference_decisions(compiled, t, **kw)
    stuck = (compiled.fixed_point >= 0) & (compiled.hit < 0)
    assert stuck.any() and (compiled.fixed_point < 0).any()
    loss = [sl.empirical_loss(t.Z[i], t.y[i], compiled.w[i], a=t.a) for i in np.flatnonzero(stuck)]
    assert not any(loss)  # noiseless: a fixed point has zero training loss
