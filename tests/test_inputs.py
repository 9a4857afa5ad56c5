"""Input families, the normalisation layer, sign moments off Gaussian data (chapter "Beyond
Gaussian data")."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats as sps

import stelib as sl
from stelib.__main__ import main

# Population mean and variance of one coordinate of each family at its default parameter.
MOMENTS = {
    "gaussian": (0.0, 1.0),
    "rademacher": (0.0, 1.0),
    "uniform": (0.0, 1.0),
    "student-t": (0.0, 1.0),
    "shifted": (1.0, 1.0),
    "half-normal": (np.sqrt(2 / np.pi), 1 - 2 / np.pi),
    "anisotropic": (0.0, 1.0),
}


@pytest.mark.parametrize("family", sl.INPUT_FAMILIES)
def test_each_family_has_its_first_two_moments(family):
    X = sl.sample_inputs(4000, 10, k=2, inputs=family, rng=3)
    assert X.shape == (4000, 2, 10)
    x = X.reshape(-1)
    mean, var = MOMENTS[family]
    assert abs(x.mean() - mean) < 5 * np.sqrt(var / x.size) * (
        # anisotropic rows share a common factor: the mean of a row has variance (1+(n−1)υ)/n
        np.sqrt(1 + 9 * 0.5) if family == "anisotropic" else 1.0
    )
    # standard error of the sample variance: sqrt((μ₄ − σ⁴)/N) with the family's fourth moment
    kurt = {"rademacher": 1.0, "uniform": 1.8, "half-normal": None}.get(family, 3.0)
    if family == "student-t":
        # infinite fourth moment at df = 3: use a family with df = 10 for the variance check
        x = sl.sample_inputs(20_000, 10, inputs="student-t", df=10, rng=4).reshape(-1)
        kurt = 3 + 6 / (10 - 4)
    if family == "half-normal":
        y = np.abs(np.random.default_rng(0).standard_normal(10**6))
        mu4 = np.mean((y - y.mean()) ** 4)
    else:
        mu4 = kurt * var**2
    tol = 5 * np.sqrt((mu4 - var**2) / x.size)
    if family == "anisotropic":
        tol *= 5  # rows are correlated; generous but still far below a wrong scale
    # second moment about the population mean (exactly 1 for Rademacher: tol is 0 there)
    assert abs(np.mean((x - mean) ** 2) - var) <= tol


def test_anisotropic_covariance_is_equicorrelated():
    X = sl.sample_inputs(20_000, 6, inputs="anisotropic", corr=0.3, rng=1)[:, 0, :]
    C = np.cov(X.T)
    expected = 0.7 * np.eye(6) + 0.3
    # standard error of a sample covariance entry ≈ sqrt((1 + ρ²)/N) ≤ sqrt(2/N)
    assert np.abs(C - expected).max() < 5 * np.sqrt(2 / 20_000)


def test_student_t_has_heavy_tails():
    x = sl.sample_inputs(20_000, 10, inputs="student-t", df=3, rng=0).reshape(-1)
    scale = np.sqrt(3 / (3 - 2))
    # P(|x| > 5) for the unit-variance t(3) against a standard normal's (5.7e-7)
    p = 2 * sps.t.sf(5 * scale, 3)
    frac = np.mean(np.abs(x) > 5)
    assert abs(frac - p) < 5 * np.sqrt(p / x.size)
    assert frac > 100 * 2 * sps.norm.sf(5)


@pytest.mark.parametrize("normalise", ["centre", "standardise", "whiten"])
def test_normalisation_properties_on_the_sample(normalise):
    Z = sl.sample_inputs(60, 8, k=2, inputs="half-normal", rng=2)
    out = sl.normalise_inputs(Z, normalise=normalise)
    X = out.reshape(-1, 8)
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=1e-12)
    if normalise == "standardise":
        np.testing.assert_allclose(X.var(axis=0), 1.0, atol=1e-12)
    if normalise == "whiten":
        np.testing.assert_allclose(X.T @ X / X.shape[0], np.eye(8), atol=1e-10)
        # ZCA: symmetric transform, so the map is x − x̄ ↦ W(x − x̄) with W = Wᵀ
        raw = Z.reshape(-1, 8) - Z.reshape(-1, 8).mean(axis=0)
        W = np.linalg.lstsq(raw, X, rcond=None)[0]
        np.testing.assert_allclose(W, W.T, atol=1e-8)
    assert sl.normalise_inputs(Z, normalise="none") is not None
    np.testing.assert_array_equal(sl.normalise_inputs(Z, normalise="none"), Z)


def test_defaults_reproduce_the_gaussian_trials_exactly():
    old = sl.sample_trials(12, 40, trials=3, seed=7, flip=0.1)
    new = sl.sample_trials(12, 40, trials=3, seed=7, flip=0.1, inputs="gaussian", normalise="none")
    for a, b in zip(old, new, strict=True):
        np.testing.assert_array_equal(a, b)
    rng = np.random.default_rng(5)
    np.testing.assert_array_equal(
        sl.sample_inputs(7, 4, k=2, rng=5), rng.standard_normal((7, 2, 4))
    )
    a = sl.gaussian_inputs(7, 4, k=2, rng=9)
    np.testing.assert_array_equal(a, sl.sample_inputs(7, 4, k=2, inputs="gaussian", rng=9))


def test_trial_of_a_family_is_normalised_and_labelled_by_the_teacher():
    t = sl.sample_trial(10, 50, inputs="shifted", mu=2.0, normalise="centre", rng=1)
    np.testing.assert_allclose(t.Z[:, 0, :].mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_array_equal(t.y, sl.clean_labels(t.Z, t.w_star))
    assert sl.empirical_loss(t.Z, t.y, t.w_star) == 0.0
    # same stream: teacher and u0 are the Gaussian trial's (the inputs take the same draws)
    g = sl.sample_trial(10, 50, rng=1)
    np.testing.assert_array_equal(t.w_star, g.w_star)
    np.testing.assert_array_equal(t.u0, g.u0)
    raw = g.Z + 2.0
    np.testing.assert_allclose(t.Z, raw - raw.mean(axis=0), atol=1e-12)


def test_k_above_one_normalises_over_all_patch_rows():
    t = sl.sample_trial(6, 20, k=3, inputs="uniform", normalise="whiten", rng=0)
    X = t.Z.reshape(-1, 6)
    np.testing.assert_allclose(X.T @ X / 60, np.eye(6), atol=1e-10)
    np.testing.assert_array_equal(t.y, sl.clean_labels(t.Z, t.w_star, a=t.a))


def test_success_probability_with_a_family_matches_the_trials():
    res = sl.success_probability(
        8, [30], trials=5, steps=200, inputs="student-t", df=4.0, normalise="standardise"
    )
    t = sl.sample_trials(8, 30, trials=5, inputs="student-t", df=4.0, normalise="standardise")
    ref = sl.ste_gradient_method(t.Z, t.y, t.u0, w_star=t.w_star, steps=200)
    np.testing.assert_array_equal(res.hits[0], ref.hit)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:  # any executor, any batch size: the same hits
        again = sl.success_probability(
            8,
            [30],
            trials=5,
            steps=200,
            inputs="student-t",
            df=4.0,
            normalise="standardise",
            batch_size=2,
            executor=pool,
        )
    np.testing.assert_array_equal(again.hits, res.hits)
    plain = sl.success_probability(8, [30], trials=5, steps=200, inputs="gaussian")
    np.testing.assert_array_equal(
        plain.hits, sl.success_probability(8, [30], trials=5, steps=200).hits
    )
    assert sl.check_inputs(m=30, n=8) == ()  # the Gaussian model: nothing to pass on
    assert sl.check_inputs(m=30, n=8, inputs="shifted", normalise="whiten") == (
        ("inputs", "shifted"),
        ("mu", 1.0),
        ("normalise", "whiten"),
    )
    with pytest.raises(TypeError, match="scale"):
        sl.success_probability(8, [30], trials=1, steps=10, scale=2.0)


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: sl.sample_inputs(3, 3, inputs="cauchy"), ValueError, "inputs == 'cauchy'"),
        (lambda: sl.sample_inputs(3, 3, inputs="gaussian", mu=1.0), ValueError, "mu == 1.0"),
        (lambda: sl.sample_inputs(3, 3, inputs="student-t", df=2.0), ValueError, "df == 2.0"),
        (lambda: sl.sample_inputs(3, 3, inputs="anisotropic", corr=1.0), ValueError, "corr =="),
        (lambda: sl.sample_inputs(3, 3, inputs="anisotropic", corr=-0.1), ValueError, "corr =="),
        (
            lambda: sl.normalise_inputs(np.ones((3, 1, 2)), normalise="scale"),
            ValueError,
            "normalise == 'scale'",
        ),  # fmt: skip
        (
            lambda: sl.normalise_inputs(np.ones((3, 1, 2)), normalise="standardise"),
            ValueError,
            "constant coordinate",
        ),  # fmt: skip
        (
            lambda: sl.normalise_inputs(np.ones((3, 1, 2)), normalise="whiten"),
            ValueError,
            "singular",
        ),  # fmt: skip
        (lambda: sl.sample_trial(10, 5, normalise="whiten"), ValueError, "m == 5"),
        (lambda: sl.success_probability(10, [5, 50], normalise="whiten"), ValueError, "m == 5"),
        (lambda: sl.success_probability(10, [50], normalise="unit"), ValueError, "normalise =="),
        (lambda: sl.sign_moment_coefficients(5, inputs="uniform"), ValueError, "samples"),
        (lambda: sl.anisotropic_sign_moment([1.0, 1.0], np.eye(3)), ValueError, "cov has shape"),
    ],
)
def test_input_validation_names_the_argument(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# --- sign moments -------------------------------------------------------------------------


def test_shifted_and_anisotropic_closed_forms_match_monte_carlo():
    rng = np.random.default_rng(0)
    n, N = 6, 400_000
    w = np.array([1.0, 1.0, 1.0, -1.0, 1.0, -1.0])
    mu = np.array([0.5, -1.0, 0.3, 0.0, 2.0, 0.1])
    X = mu + rng.standard_normal((N, n))
    v = X * sl.sign(X @ w)[:, None]
    se = v.std(axis=0) / np.sqrt(N)
    assert np.all(np.abs(v.mean(axis=0) - sl.shifted_sign_moment(w, mu)) < 5 * se)
    L = rng.standard_normal((n, n)) / 2 + np.eye(n)
    cov = L @ L.T
    X = rng.standard_normal((N, n)) @ L.T
    v = X * sl.sign(X @ w)[:, None]
    se = v.std(axis=0) / np.sqrt(N)
    assert np.all(np.abs(v.mean(axis=0) - sl.anisotropic_sign_moment(w, cov)) < 5 * se)
    np.testing.assert_allclose(sl.shifted_sign_moment(w, 0.0), sl.gaussian_sign_moment(w))


@pytest.mark.parametrize(
    ("family", "kw"), [("gaussian", {}), ("shifted", {"mu": 1.5}), ("anisotropic", {"corr": 0.4})]
)
def test_coefficients_closed_form_against_monte_carlo(family, kw):
    n = 8
    exact = sl.sign_moment_coefficients(n, inputs=family, **kw)
    mc = sl.sign_moment_coefficients(n, inputs=family, samples=40_000, rng=1, **kw)
    assert np.all(np.abs(mc.A - exact.A) < 5 * mc.A_se)
    inner = slice(1, -1)
    assert np.all(np.abs(mc.B[inner] - exact.B[inner]) < 5 * mc.B_se[inner])
    # the decomposition reproduces M(w) of the closed forms for a binary w
    w = np.array([1.0, -1, -1, 1, 1, 1, -1, 1])
    if family == "shifted":
        np.testing.assert_allclose(exact.moment(w), sl.shifted_sign_moment(w, 1.5))
    if family == "anisotropic":
        cov = 0.6 * np.eye(n) + 0.4
        np.testing.assert_allclose(exact.moment(w), sl.anisotropic_sign_moment(w, cov))
    for s_w in (np.ones(n), -np.ones(n)):  # the S = ±n convention keeps M(w) right
        if family == "anisotropic":
            ref = sl.anisotropic_sign_moment(s_w, 0.6 * np.eye(n) + 0.4)
        elif family == "shifted":
            ref = sl.shifted_sign_moment(s_w, 1.5)
        else:
            ref = sl.gaussian_sign_moment(s_w)
        np.testing.assert_allclose(exact.moment(s_w), ref)


def test_symmetric_iid_families_have_no_common_mode():
    for family in ("rademacher", "uniform", "student-t"):
        mc = sl.sign_moment_coefficients(6, inputs=family, samples=20_000, rng=2)
        assert np.all(np.abs(mc.B[1:-1]) < 5 * mc.B_se[1:-1])
        assert np.all(mc.A > 0)
    hn = sl.sign_moment_coefficients(6, inputs="half-normal", samples=20_000, rng=2)
    assert hn.B[-2] > 10 * hn.B_se[-2]  # non-negative inputs: a strong push along 𝟙


def test_population_dynamics_is_the_gaussian_one_for_gaussian_coefficients():
    rng = np.random.default_rng(3)
    n = 12
    u0 = rng.standard_normal((20, n))
    ws = sl.sign(rng.standard_normal((20, n)))
    coef = sl.sign_moment_coefficients(n)
    hits = sl.exchangeable_population_dynamics(u0, ws, coef, eta=0.05, steps=500)
    ref = np.array([sl.population_steps(u0[i], ws[i], eta=0.05)[0] for i in range(20)])
    np.testing.assert_array_equal(hits, ref)
    assert hits.max() > 1  # non-trivial: several steps


def test_population_dynamics_fails_for_a_large_shift():
    n = 25
    w_star = np.where(np.arange(n) < 22, 1.0, -1.0)  # S* = 19, ζ* = 3·19/5 = 11.4
    u0 = 1e-3 * np.random.default_rng(0).standard_normal((4, n))
    big = sl.sign_moment_coefficients(n, inputs="shifted", mu=3.0)
    assert np.all(sl.exchangeable_population_dynamics(u0, w_star, big, steps=2000) == -1)
    small = sl.sign_moment_coefficients(n, inputs="shifted", mu=0.1)
    assert np.all(sl.exchangeable_population_dynamics(u0, w_star, small, steps=2000) >= 0)


# --- command line -------------------------------------------------------------------------


def test_cli_repeats_family_and_writes_keys_only_when_not_default(tmp_path, capsys):
    base = ["success", "--n", "8", "--m", "30", "--trials", "3", "--steps", "100"]
    assert main([*base, "--json", "--out", str(tmp_path / "g.json")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["inputs"] == "gaussian" and out["normalise"] == "none"
    rec = json.loads((tmp_path / "g.json").read_text())
    assert "inputs" not in rec and "normalise" not in rec
    args = [*base, "--inputs", "shifted", "--mu", "2", "--normalise", "centre", "--json"]
    assert main([*args, "--out", str(tmp_path / "s.json")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["inputs"], out["mu"], out["normalise"]) == ("shifted", 2.0, "centre")
    rec = json.loads((tmp_path / "s.json").read_text())
    assert (rec["inputs"], rec["mu"], rec["normalise"]) == ("shifted", 2.0, "centre")
    back = sl.read_success_file(tmp_path / "s.json")
    assert back.family == {"inputs": "shifted", "mu": 2.0, "normalise": "centre"}
    assert sl.read_success_file(tmp_path / "g.json").family == {}
    ref = sl.success_probability(8, [30], trials=3, steps=100, inputs="shifted", mu=2.0,
                                 normalise="centre")  # fmt: skip
    assert out["successes"] == ref.successes.tolist()
    assert main([*base, "--inputs", "anisotropic", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["corr"] == 0.5  # default repeated


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--inputs", "cauchy"], "--inputs"),
        (["--normalise", "scale"], "--normalise"),
        (["--df", "5"], "--df"),
        (["--inputs", "student-t", "--df", "2"], "--df"),
        (["--inputs", "anisotropic", "--corr", "1"], "--corr"),
        (["--inputs", "shifted", "--mu", "nan"], "--mu"),
        (["--normalise", "whiten", "--m", "5"], "--normalise"),
    ],
)
def test_cli_bad_input_options_exit_with_one_line(args, option, capsys):
    with pytest.raises(SystemExit) as err:
        main(["success", "--n", "8", "--m", "30", *args])
    assert err.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and option in lines[0]


def test_cli_help_documents_families_and_defaults(capsys):
    with pytest.raises(SystemExit):
        main(["success", "--help"])
    text = capsys.readouterr().out
    for word in ("--inputs", "--normalise", "--df", "--mu", "--corr", "default 3",
                 "default 1", "default 0.5", "half-normal", "whiten"):  # fmt: skip
        assert word in text
