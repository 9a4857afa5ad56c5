"""Bad input, property-tested: every kind of bad argument is refused at the public boundary.

hypothesis draws bad values of each kind (sizes, probabilities, step sizes, scales, arrays of
the wrong shape or dtype, NaN and infinities, huge values, complex numbers, booleans, text) for
the arguments of the public functions and the options of the command line. Each must raise
``ValueError`` or ``TypeError`` whose message names the argument (exit status 2 and one line
naming the option on the command line): never a traceback from deep inside numpy, never a
silent overflow or cast. ``KINDS`` lists the kinds of bad input covered; the last test counts
them.
"""

import re
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stelib as sl
from stelib.__main__ import main

# derandomize: the same examples on every run, so CI is reproducible (run with
# --hypothesis-seed=random, or remove it locally, to explore further).
SETTINGS = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

HUGE = st.floats(min_value=1.0001e100, max_value=1.7e308)
KINDS = {
    # scalars standing for a size or an index (n, m, k, trials, steps, seed, ...)
    "size: zero": st.just(0),
    "size: negative": st.integers(max_value=-1),
    "size: float": st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: x != int(x)),
    "size: integral float": st.integers(1, 50).map(float),
    "size: bool": st.booleans(),
    "size: text": st.text(max_size=5),
    "size: None": st.none(),
    "size: complex": st.complex_numbers(allow_nan=False, allow_infinity=False),
    "size: beyond memory": st.integers(min_value=10**13, max_value=10**40),
    # real scalars (step sizes, scales, probabilities, noise levels)
    "real: NaN": st.just(float("nan")),
    "real: +inf": st.just(float("inf")),
    "real: -inf": st.just(float("-inf")),
    "real: huge": HUGE,
    "real: huge negative": HUGE.map(lambda x: -x),
    "real: huge int": st.integers(min_value=10**309, max_value=10**400),
    "real: complex": st.complex_numbers(allow_nan=False, allow_infinity=False, min_magnitude=1e-3),
    "real: numpy complex": st.complex_numbers(max_magnitude=1e3).map(np.complex128),
    "real: bool": st.booleans(),
    "real: numpy bool": st.booleans().map(np.bool_),
    "real: text": st.text(max_size=5),
    "real: None": st.none(),
    "real: array": st.lists(st.floats(0.1, 1), min_size=2, max_size=3).map(np.array),
    "positive: zero": st.just(0.0),
    "positive: negative": st.floats(max_value=-1e-300, min_value=-1e100),
    "probability: above 1": st.floats(min_value=1.0000001, max_value=1e100),
    "probability: below 0": st.floats(max_value=-1e-300, min_value=-1e100),
    # arrays
    "array: complex dtype": st.just("complex"),
    "array: boolean dtype": st.just("bool"),
    "array: text": st.just("text"),
    "array: NaN entry": st.just("nan"),
    "array: inf entry": st.just("inf"),
    "array: huge entry": st.just("huge"),
    "array: ragged": st.just("ragged"),
    "array: wrong ndim": st.just("ndim"),
    "array: shape mismatch": st.just("shape"),
    "array: empty axis": st.just("empty"),
    "array: non-binary weights": st.just("nonbinary"),
    "array: mismatched lengths": st.just("lengths"),
    # choices
    "choice: unknown name": st.text(max_size=8).filter(
        lambda s: s not in ("identity", "clipped", "auto", "dense", "incremental")
    ),
    "choice: bad dtype": st.sampled_from([np.int32, np.complex128, "float16", "nope", object]),
    "rng: bad seed": st.one_of(
        st.floats(allow_nan=True), st.text(max_size=3), st.integers(max_value=-1), st.booleans()
    ),
}
COVERED = set()


def kinds(*names):
    for name in names:
        assert name in KINDS, name
        COVERED.add(name)
    return st.sampled_from(names).flatmap(lambda name: KINDS[name].map(lambda v: (name, v)))


SIZE = kinds(*(k for k in KINDS if k.startswith("size: ")))
# Sizes that need no memory (a batch size, n in a closed form): any positive int is valid.
COUNT = kinds(*(k for k in KINDS if k.startswith("size: ") and k != "size: beyond memory"))
# A long budget, a large seed or trial index are valid: only their type and sign can be bad.
INDEX = kinds(
    *(k for k in KINDS if k.startswith("size: ") and k not in ("size: zero", "size: beyond memory"))
)
REAL = [k for k in KINDS if k.startswith("real: ")]
POSITIVE = kinds(*REAL, "positive: zero", "positive: negative")
OPTIONAL_POSITIVE = kinds(*(k for k in REAL if k != "real: None"), "positive: zero")  # clip
NONNEG = kinds(*REAL, "positive: negative")
PROBABILITY = kinds(*REAL, "probability: above 1", "probability: below 0")


def refused(call, name, exc=(ValueError, TypeError)):
    """``call()`` raises ``exc`` with ``name`` in its message (as a word)."""
    with pytest.raises(exc) as info:
        call()
    message = str(info.value)
    assert re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", message), (name, message)
    assert "\n" not in message.strip()
    return message


# Scalar arguments of the public functions: (function, good arguments, argument, its kinds).
TINY = {"n": 4, "m": 6, "trials": 2, "steps": 3}
SCALARS = [
    (sl.sample_trial, {"n": 4, "m": 6}, "n", SIZE),
    (sl.sample_trial, {"n": 4, "m": 6}, "m", SIZE),
    (sl.sample_trial, {"n": 4, "m": 6}, "k", SIZE),
    (sl.sample_trial, {"n": 4, "m": 6}, "flip", PROBABILITY),
    (sl.sample_trial, {"n": 4, "m": 6}, "noise_std", NONNEG),
    (sl.sample_trial, {"n": 4, "m": 6}, "init_scale", POSITIVE),
    (sl.sample_trials, {"n": 4, "m": 6, "trials": 2}, "trials", SIZE),
    (sl.gaussian_inputs, {"m": 3, "n": 4}, "n", SIZE),
    (sl.teacher, {"n": 4}, "n", SIZE),
    (sl.success_probability, {**TINY, "m": [6]}, "trials", SIZE),
    (sl.success_probability, {**TINY, "m": [6]}, "steps", INDEX),
    (sl.success_probability, {**TINY, "m": [6]}, "seed", INDEX),
    (sl.success_probability, {**TINY, "m": [6]}, "batch_size", COUNT),
    (sl.success_probability, {**TINY, "m": [6]}, "eta", POSITIVE),
    (sl.success_probability, {**TINY, "m": [6]}, "init_scale", POSITIVE),
    (sl.success_probability, {**TINY, "m": [6]}, "ste_scale", POSITIVE),
    (sl.recurrence_record, {"n": 4, "m": 6, "steps": 3}, "flip", PROBABILITY),
    (sl.recurrence_record, {"n": 4, "m": 6, "steps": 3}, "noise_std", NONNEG),
    (sl.recurrence_record, {"n": 4, "m": 6, "steps": 3}, "clip", OPTIONAL_POSITIVE),
    (sl.recurrence_sweep, {"n": 4, "m": [6], "steps": 3}, "trials", SIZE),
    (sl.recurrence_record, {"n": 4, "m": 6, "steps": 3}, "trial", INDEX),
    (sl.wilson_interval, {"successes": 3, "trials": 5}, "confidence", PROBABILITY),
    (sl.fit_m50, {"m": [1, 2, 3], "successes": [0, 2, 5], "trials": 5}, "bootstrap", SIZE),
    (sl.logistic_success, {"m": [1, 2], "m50": 2.0, "width": 1.0}, "width", POSITIVE),
    (sl.geometric_grid, {"lo": 2, "hi": 50, "num": 5}, "num", SIZE),
    (sl.signal, {"n": 4}, "n", COUNT),
]


@pytest.mark.parametrize(
    ("fn", "good", "arg", "bad"),
    SCALARS,
    ids=[f"{fn.__name__}-{arg}" for fn, _, arg, _ in SCALARS],
)
@SETTINGS
@given(data=st.data())
def test_bad_scalar_argument_is_refused_naming_it(fn, good, arg, bad, data):
    _, value = data.draw(bad, label="kind, value")  # 3.0 is not an int either: refused
    keyword = {k: v for k, v in good.items() if k not in ("n", "m")}
    positional = [good[k] for k in ("n", "m") if k in good and fn is not sl.gaussian_inputs]
    if fn is sl.gaussian_inputs:
        positional = [good["m"], good["n"]]
    if fn in (sl.wilson_interval, sl.fit_m50, sl.logistic_success, sl.geometric_grid):
        positional, keyword = [], dict(good)
    if arg in ("n", "m") and arg in good and positional:
        positional = [value if k == arg else good[k] for k in ("n", "m") if k in good]
        if fn is sl.gaussian_inputs:
            positional = [value if arg == "m" else good["m"], value if arg == "n" else good["n"]]
    else:
        keyword[arg] = value
    refused(lambda: fn(*positional, **keyword), arg)


# Array arguments of the STE-gradient method and friends.
def good_run():
    t = sl.sample_trials(4, 6, trials=2, seed=1)
    return {"Z": t.Z, "y": t.y, "u0": t.u0, "w_star": t.w_star}


def spoil(x, how):
    x = np.asarray(x, dtype=float)
    if how == "complex":
        return x + 1j
    if how == "bool":
        return x > 0
    if how == "text":
        return x.astype(str)
    if how in ("nan", "inf", "huge"):
        x = x.copy()
        x.flat[x.size // 2] = {"nan": np.nan, "inf": -np.inf, "huge": 1e250}[how]
        return x
    if how == "ragged":
        return [list(np.ravel(x)), [1.0]]
    if how == "ndim":
        return x[..., None]
    if how == "shape":
        return np.concatenate([x, x], axis=-1)
    if how == "empty":
        return x[..., :0]
    if how == "nonbinary":
        return x * 0.5
    raise AssertionError(how)


ARRAY_KINDS = kinds(
    "array: complex dtype",
    "array: boolean dtype",
    "array: text",
    "array: NaN entry",
    "array: inf entry",
    "array: huge entry",
    "array: ragged",
    "array: wrong ndim",
    "array: shape mismatch",
    "array: empty axis",
)


@pytest.mark.parametrize("arg", ["Z", "y", "u0", "w_star"])
@SETTINGS
@given(bad=ARRAY_KINDS)
def test_bad_array_of_the_method_is_refused_naming_it(arg, bad):
    kind, how = bad
    run = good_run()
    run[arg] = spoil(run[arg], how)
    if arg == "Z" and how == "empty":  # m = 0: the message names Z
        run["y"] = run["y"][:, :0]
    name = arg
    refused(lambda: sl.ste_gradient_method(**run, steps=3), name)


@SETTINGS
@given(bad=kinds("array: non-binary weights"))
def test_non_binary_weights_are_refused(bad):
    run = good_run()
    refused(lambda: sl.hamming(spoil(run["w_star"], bad[1]), run["w_star"]), "w")
    refused(lambda: sl.coarse_gradient(run["Z"][0], run["y"][0], run["u0"][0]), "w")


@SETTINGS
@given(data=st.data())
def test_counts_of_mismatched_lengths_are_refused(data):
    kind, _ = data.draw(kinds("array: mismatched lengths"))
    g = data.draw(st.integers(3, 6))
    short = data.draw(st.integers(1, g - 1))
    m = list(range(10, 10 + 10 * g, 10))
    succ = [0] * (g - 1) + [5]
    refused(lambda: sl.fit_m50(m, succ[:short], [5] * g), "successes")
    refused(lambda: sl.fit_m50(m, succ, [5] * short), "successes")
    refused(lambda: sl.wilson_interval(succ, [5] * short), "trials")
    refused(lambda: sl.fit_m50(m[:short], succ, 5), "m")


@SETTINGS
@given(ste=kinds("choice: unknown name"), dtype=kinds("choice: bad dtype"))
def test_unknown_choices_are_refused_naming_them(ste, dtype):
    run = good_run()
    refused(lambda: sl.ste_gradient_method(**run, ste=ste[1]), "ste")
    refused(lambda: sl.ste_gradient_method(**run, method=ste[1]), "method")
    refused(lambda: sl.ste_gradient_method(**run, dtype=dtype[1]), "dtype")


@SETTINGS
@given(rng=kinds("rng: bad seed"))
def test_bad_rng_is_refused(rng):
    refused(lambda: sl.teacher(4, rng=rng[1]), "rng")
    refused(lambda: sl.fit_m50([10, 20], [1, 4], 5, rng=rng[1]), "rng")


@SETTINGS
@given(eta=st.floats(1e50, 1e100), steps=st.integers(10, 10**9), clip=st.sampled_from([None, 1.0]))
def test_eta_whose_iterates_would_overflow_is_refused(eta, steps, clip):
    run = good_run()
    # Every entry allowed (at most 1e100), but |u0| + steps·eta·max|ĝ| is beyond float64.
    run["Z"] = run["Z"] / np.abs(run["Z"]).max() * 1e100
    run["y"] = run["y"] * 1e100
    a = [1e50]
    refused(lambda: sl.ste_gradient_method(**run, a=a, eta=eta, steps=steps, clip=clip), "eta")
    Z, y, u0 = run["Z"], run["y"], run["u0"]
    refused(lambda: sl.latent_trajectory(Z, y, u0, a=a, eta=eta, steps=steps), "eta")


def test_missing_ipywidgets_names_the_widgets_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # import ipywidgets fails
    with pytest.raises(ImportError, match=r"stelib\[widgets\]"):
        sl.setup_explorer()


# The command line: every numeric option, with text that is not a valid value for it.
INT_OPTIONS = {"--n": 1, "--m": 1, "--k": 1, "--trials": 1, "--steps": 0, "--seed": 0}
INT_OPTIONS |= {"--batch-size": 1, "--workers": 1}
FLOAT_OPTIONS = {"--eta": "positive", "--init-scale": "positive"}
GRID_FLOAT_OPTIONS = {"--flip": "probability", "--noise-std": "nonneg", "--clip": "positive"}
BAD_TEXT = kinds(
    "real: NaN", "real: +inf", "real: -inf", "real: huge", "real: huge negative",
    "real: complex", "real: bool", "real: text", "real: huge int",
)  # fmt: skip


def cli_text(kind, value):
    if kind == "real: text":
        return value if value.strip() else "x"
    return str(value)


@pytest.mark.parametrize("option", [*INT_OPTIONS, *FLOAT_OPTIONS, *GRID_FLOAT_OPTIONS])
@SETTINGS
@given(data=st.data())
def test_bad_cli_option_exits_2_with_one_line_naming_it(option, data, capsys):
    kind, value = data.draw(BAD_TEXT)
    text = cli_text(kind, value)
    if option in ("--steps", "--seed", "--batch-size") and kind == "real: huge int":
        text = "nan"  # a huge budget, seed or batch is valid
    if option in INT_OPTIONS:
        lo = INT_OPTIONS[option]
        text = data.draw(st.sampled_from([text, str(lo - 1), "2.5", "1e3", str(lo) + "x"]))
    elif option == "--flip":
        text = data.draw(st.sampled_from([text, "1.5", "-0.1"]))
    else:
        text = data.draw(st.sampled_from([text, "-1", "0" if option != "--noise-std" else "-2"]))
    command = "recurrence-grid" if option in GRID_FLOAT_OPTIONS else "success"
    argv = [command, "--n", "5", "--m", "10"]
    argv = [a for a in argv if a not in ("--n", "--m") or a != option]
    if option in ("--n", "--m"):
        argv = [command, *(["--m", "10"] if option == "--n" else ["--n", "5"])]
    with pytest.raises(SystemExit) as info:
        main([*argv, f"{option}={text}"])
    assert info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, (text, err)
    # argparse's check names the option; the library's memory check names its argument
    name = option[2:].replace("-", "_")
    assert f"argument {option}" in err[0] or re.search(rf"\b{name}\b", err[0]), (text, err)


def test_at_least_thirty_kinds_of_bad_input_are_covered():
    assert COVERED == set(KINDS)  # every listed kind is drawn by some test above
    print(f"\n{len(KINDS)} kinds of bad input covered")
    assert len(KINDS) >= 30
