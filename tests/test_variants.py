"""STE variants and the options of practice (chapter "STE variants and practice")."""

from __future__ import annotations

import json

import numpy as np
import pytest

import stelib as sl
from stelib.__main__ import main


def _trials(n=12, m=40, trials=5, seed=4):
    return sl.sample_trials(n, m, trials=trials, seed=seed)


def _streams(trials, base=0):
    return [np.random.SeedSequence(base + i) for i in range(trials)]


def _assert_same(a, b):
    for name in ("w", "u", "fixed_point", "hit", "distance", "loss"):
        x, y = getattr(a, name), getattr(b, name)
        if x is None or y is None:
            assert x is None and y is None, name
        else:
            np.testing.assert_array_equal(x, y, err_msg=name)


@pytest.mark.parametrize(
    "options",
    [
        {"ste": "approxsign"},
        {"ste": "approxsign", "ste_scale": 0.5, "clip": 0.3},
        {"eta_decay": 20.0},
        {"weight_decay": 0.05},
        {"weight_decay": 0.05, "eta_decay": 5.0, "clip": 0.2},
        {"minibatch": 1},
        {"minibatch": 7},
        {"minibatch": 16, "ste": "clipped", "ste_scale": 0.8, "eta_decay": 50.0},
    ],
)
def test_practice_path_is_the_reference_loop_bit_for_bit(options):
    t = _trials()
    kw = dict(options)
    if "minibatch" in kw:
        kw["rng"] = _streams(5)
    res = sl.ste_gradient_method(
        t.Z, t.y, t.u0, w_star=t.w_star, eta=0.5, steps=120, record=True, **kw
    )
    if "minibatch" in kw:
        kw["rng"] = _streams(5)  # fresh streams: the reference draws the same permutations
    ref = sl.ste_gradient_method_reference(
        t.Z, t.y, t.u0, w_star=t.w_star, eta=0.5, steps=120, **kw
    )
    _assert_same(res, ref)
    # without records the hitting times and final weights are the same
    if "minibatch" in kw:
        kw["rng"] = _streams(5)
    fast = sl.ste_gradient_method(t.Z, t.y, t.u0, w_star=t.w_star, eta=0.5, steps=120, **kw)
    np.testing.assert_array_equal(fast.hit, ref.hit)
    np.testing.assert_array_equal(fast.u, ref.u)


@pytest.mark.parametrize("ste", ["identity", "clipped"])
def test_a_minibatch_of_all_samples_is_the_full_batch_bit_for_bit(ste):
    t = _trials(m=30)
    full = sl.ste_gradient_method(t.Z, t.y, t.u0, w_star=t.w_star, steps=200, ste=ste, record=True)
    mb = sl.ste_gradient_method(
        t.Z, t.y, t.u0, w_star=t.w_star, steps=200, ste=ste, record=True, minibatch=30,
        rng=_streams(5),
    )  # fmt: skip
    _assert_same(full, mb)


def test_minibatches_do_not_depend_on_the_other_trials_and_change_the_run():
    t = _trials(trials=6)
    both = sl.ste_gradient_method(
        t.Z, t.y, t.u0, w_star=t.w_star, steps=300, minibatch=5, rng=_streams(6)
    )
    alone = sl.ste_gradient_method(
        t.Z[3:4], t.y[3:4], t.u0[3:4], w_star=t.w_star[3:4], steps=300, minibatch=5,
        rng=_streams(1, base=3),
    )  # fmt: skip
    assert both.hit[3] == alone.hit[0]
    np.testing.assert_array_equal(both.u[3], alone.u[0])
    other = sl.ste_gradient_method(
        t.Z, t.y, t.u0, w_star=t.w_star, steps=300, minibatch=5, rng=_streams(6, base=100)
    )
    assert not np.array_equal(other.u, both.u)  # other permutations, another path


def test_default_options_keep_the_engine_results():
    t = _trials(n=20, m=80)
    base = sl.ste_gradient_method(t.Z, t.y, t.u0, w_star=t.w_star, steps=300)
    same = sl.ste_gradient_method(
        t.Z, t.y, t.u0, w_star=t.w_star, steps=300, weight_decay=0.0, eta_decay=None
    )
    _assert_same(base, same)


def test_weight_decay_and_step_decay_act_as_documented():
    t = _trials(trials=1)
    eta, lam, t0 = 0.5, 0.1, 4.0
    res = sl.ste_gradient_method(t.Z, t.y, t.u0, steps=1, eta=eta, weight_decay=lam, eta_decay=t0)
    g = sl.coarse_gradient(t.Z[0], t.y[0], sl.sign(t.u0[0]))
    np.testing.assert_array_equal(res.u[0], t.u0[0] * (1.0 - eta * lam) - eta * g)
    two = sl.ste_gradient_method(t.Z, t.y, t.u0, steps=2, eta=eta, eta_decay=t0)
    u1 = t.u0[0] - eta * g
    g1 = sl.coarse_gradient(t.Z[0], t.y[0], sl.sign(u1))
    np.testing.assert_allclose(two.u[0], u1 - eta / (1.0 + 1.0 / t0) * g1, rtol=0, atol=1e-15)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"minibatch": 5}, "rng"),
        ({"minibatch": 0, "rng": [0] * 5}, "minibatch"),
        ({"minibatch": 41, "rng": [0] * 5}, "minibatch"),
        ({"minibatch": 5, "rng": [0] * 4}, "rng"),
        ({"minibatch": 5, "rng": 0}, "rng"),
        ({"rng": [0] * 5}, "rng"),
        ({"weight_decay": -1.0}, "weight_decay"),
        ({"weight_decay": 2.0}, "weight_decay"),
        ({"eta_decay": 0.0}, "eta_decay"),
        ({"ste": "tanh"}, "ste"),
    ],
)
def test_practice_options_are_validated_by_name(kwargs, match):
    t = _trials()
    with pytest.raises((ValueError, TypeError), match=match):
        sl.ste_gradient_method(t.Z, t.y, t.u0, steps=3, **kwargs)


def test_surrogate_population_gradient_identity_is_the_closed_form():
    rng = np.random.default_rng(0)
    for n, d in [(10, 1), (30, 7), (50, 25)]:
        w_star = sl.teacher(n, rng=rng)
        w = w_star.copy()
        w[rng.choice(n, d, replace=False)] *= -1
        np.testing.assert_allclose(
            sl.surrogate_population_gradient(w, w_star),
            sl.population_coarse_gradient(w, w_star),
            rtol=0,
            atol=1e-12,
        )


@pytest.mark.parametrize(
    ("ste", "scale"), [("clipped", 1.0), ("clipped", 0.4), ("approxsign", 1.0)]
)
def test_surrogate_population_gradient_matches_monte_carlo(ste, scale):
    rng = np.random.default_rng(1)
    n, m = 16, 200_000
    w_star = sl.teacher(n, rng=rng)
    w = w_star.copy()
    w[:5] *= -1
    Z = rng.standard_normal((m, 1, n))
    y = sl.clean_labels(Z, w_star)
    mc = sl.coarse_gradient(Z, y, w, ste=ste, ste_scale=scale)
    exact = sl.surrogate_population_gradient(w, w_star, ste=ste, ste_scale=scale)
    # per-coordinate standard error <= 2·max|mu'|/sqrt(m): 6 standard errors
    assert np.max(np.abs(mc - exact)) < 6 * 4.0 / np.sqrt(m)
    right, wrong = sl.surrogate_coefficients(
        np.arccos(1 - 2 * 5 / n), n=n, ste=ste, ste_scale=scale
    )
    assert right < 0 < wrong  # wrong coordinates pushed back, right ones reinforced


def test_samples_processed_counts_epochs_and_the_short_last_batch():
    np.testing.assert_array_equal(sl.samples_processed([0, 1, 5], m=10), [0, 10, 50])
    got = sl.samples_processed([0, 1, 2, 3, 4, 7], m=10, minibatch=4)  # batches 4, 4, 2
    np.testing.assert_array_equal(got, [0, 4, 8, 10, 14, 24])
    with pytest.raises(ValueError, match="minibatch"):
        sl.samples_processed(3, m=10, minibatch=0)


def test_run_options_lists_only_what_differs_from_the_defaults():
    assert sl.run_options() == {}
    assert sl.run_options(**sl.RUN_DEFAULTS) == {}
    assert sl.run_options(ste="identity", ste_scale=2.0) == {}
    assert sl.run_options(ste="clipped", minibatch=4) == {"ste": "clipped", "minibatch": 4}
    assert sl.run_options(ste="clipped", ste_scale=0.5) == {"ste": "clipped", "ste_scale": 0.5}
    with pytest.raises(ValueError, match="unknown"):
        sl.run_options(batch=3)


def test_success_probability_minibatch_does_not_depend_on_batching():
    kw = dict(trials=5, steps=400, seed=2, minibatch=6, eta_decay=50.0)
    a = sl.success_probability(10, [12, 30], batch_size=2, **kw)
    b = sl.success_probability(10, [12, 30], batch_size=5, **kw)
    np.testing.assert_array_equal(a.hits, b.hits)
    t = sl.sample_trials(10, 30, trials=5, seed=2)
    rng = [sl.minibatch_stream(2, n=10, m=30, k=1, trial=i) for i in range(5)]
    res = sl.ste_gradient_method(
        t.Z, t.y, t.u0, w_star=t.w_star, steps=400, minibatch=6, eta_decay=50.0, rng=rng
    )
    np.testing.assert_array_equal(a.hits[1], res.hit)
    with pytest.raises(ValueError, match="minibatch"):
        sl.success_probability(10, [12, 30], minibatch=13, trials=1)


def test_cli_options_of_practice_are_recorded_only_when_not_default(tmp_path, capsys):
    path = tmp_path / "v.json"
    args = ["success", "--n", "8", "--m", "12,30", "--trials", "3", "--steps", "150"]
    args += ["--ste", "clipped:0.5", "--minibatch", "4", "--out", str(path), "--json"]
    assert main(args) == 0
    printed = json.loads(capsys.readouterr().out)
    record = json.loads(path.read_text())
    # the input family is always printed but recorded only when not the Gaussian default
    assert printed["inputs"] == "gaussian" and printed["normalise"] == "none"
    assert "inputs" not in record and "normalise" not in record
    family = {"inputs", "normalise", "stuck"}  # stuck (issue 13): printed, not in success files
    assert {k: record[k] for k in printed if k not in family} == {
        k: v for k, v in printed.items() if k not in family
    }
    assert printed["ste"] == "clipped" and printed["ste_scale"] == 0.5 and printed["minibatch"] == 4
    assert "clip" not in record and "weight_decay" not in record and "eta_decay" not in record
    assert record["command"] == sl.command_line(args)
    data = sl.read_success_file(path)
    assert data.options == {"ste": "clipped", "ste_scale": 0.5, "minibatch": 4}
    ref = sl.success_probability(8, [12, 30], trials=3, steps=150, ste="clipped", ste_scale=0.5,
                                 minibatch=4)  # fmt: skip
    np.testing.assert_array_equal(data.result.hits, ref.hits)
    plain = tmp_path / "plain.json"
    assert main(["success", "--n", "8", "--m", "12", "--trials", "2", "--steps", "50",
                 "--out", str(plain)]) == 0  # fmt: skip
    keys = set(json.loads(plain.read_text()))
    assert keys.isdisjoint(sl.RUN_DEFAULTS) and sl.read_success_file(plain).options == {}


@pytest.mark.parametrize(
    ("extra", "option"),
    [
        (["--ste", "tanh"], "--ste"),
        (["--ste", "identity:2"], "--ste"),
        (["--ste", "clipped:-1"], "--ste"),
        (["--minibatch", "0"], "--minibatch"),
        (["--minibatch", "11"], "--minibatch"),
        (["--weight-decay", "-0.1"], "--weight-decay"),
        (["--eta-decay", "0"], "--eta-decay"),
        (["--clip", "0"], "--clip"),
    ],
)
def test_cli_bad_practice_options_exit_with_one_line(extra, option, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["success", "--n", "5", "--m", "10", "--trials", "1", "--steps", "1", *extra])
    assert exc.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and option in lines[0], lines


def test_help_documents_the_surrogates(capsys):
    with pytest.raises(SystemExit):
        main(["success", "--help"])
    out = capsys.readouterr().out
    for word in ("--ste", "identity", "clipped", "approxsign", "--minibatch", "--eta-decay"):
        assert word in out


def test_quantisation_run_is_the_latent_trajectory():
    d = sl.quantisation_run(n=6, m=50, eta=0.5, init_scale=0.01, steps=10, seed=3)
    t = sl.sample_trial(6, 50, init_scale=0.01, rng=3)
    U = sl.latent_trajectory(t.Z[None], t.y[None], t.u0[None], eta=0.5, steps=10)[0]
    np.testing.assert_array_equal(d.u, U)
    np.testing.assert_array_equal(d.distance, sl.hamming(sl.sign(U), t.w_star))
    assert d.hit == (int(np.flatnonzero(d.distance == 0)[0]) if (d.distance == 0).any() else -1)


def test_quantisation_explorer_recomputes():
    pytest.importorskip("ipywidgets")
    ex = sl.quantisation_explorer(n=6, m=50, steps=10)
    ex.set(ste="clipped", seed=2)
    ref = sl.quantisation_run(n=6, m=50, steps=10, ste="clipped", seed=2)
    np.testing.assert_array_equal(ex.data.u, ref.u)
    assert "One BinaryConnect run" in ex.figure.get_suptitle()


def test_variants_view_runs_the_library():
    d = sl.variants_view(n=10, m=30, ste="approxsign", minibatch=4, steps=40, trials=3, seed=1)
    t = sl.sample_trials(10, 30, trials=3, seed=1)
    rng = [sl.minibatch_stream(1, n=10, m=30, k=1, trial=i) for i in range(3)]
    res = sl.ste_gradient_method(
        t.Z, t.y, t.u0, w_star=t.w_star, steps=40, ste="approxsign", minibatch=4, rng=rng,
        record=True,
    )  # fmt: skip
    np.testing.assert_array_equal(d.distance, res.distance)
    np.testing.assert_array_equal(d.samples[:3], [0, 4, 8])
    assert np.all(d.right < 0) and np.all(d.wrong > 0)


def test_variants_explorer_recomputes():
    pytest.importorskip("ipywidgets")
    ex = sl.variants_explorer(n=10, m=30, steps=50)
    ex.set(minibatch=2)
    assert ex.data.minibatch == 2 and "B = 2" in ex.figure.get_suptitle()


def test_practice_networks_learn_digits():
    pytest.importorskip("sklearn")
    task = sl.digits_task(3, 8)
    assert task.X.shape[1] == 64 and set(np.unique(task.y)) == {-1.0, 1.0}
    curve = sl.digits_accuracy(task, [10, 100], repeats=2, steps=100, seed=0)
    assert curve.binary.shape == curve.full.shape == (2, 2)
    assert curve.test_size == round(0.4 * task.y.size)
    assert curve.binary[:, 1].mean() > 0.8 and curve.full[:, 1].mean() > 0.8  # chance is 0.5
    again = sl.digits_accuracy(task, [10, 100], repeats=2, steps=100, seed=0)
    np.testing.assert_array_equal(curve.binary, again.binary)
    with pytest.raises(ValueError, match="disjoint"):
        sl.digits_task(3, 3)


def test_variants_data_files_record_the_options_of_their_command():
    import shlex
    from pathlib import Path

    from stelib.__main__ import _practice, build_parser

    files = sorted((Path(__file__).parent.parent / "chapters" / "data").glob("variants_*.json"))
    assert files
    for path in files:
        data = sl.read_success_file(path)
        argv = shlex.split(data.command)[3:]  # drop "python -m stelib"
        args = build_parser().parse_args(argv)
        assert data.options == sl.run_options(**_practice(args)) != {}, path.name
        assert args.out == f"chapters/data/{path.name}"
