"""Command line ``optimum`` and ``amp`` (chapter "STE against the optimum")."""

import json
import subprocess
import sys

import numpy as np
import pytest

import stelib as sl
from stelib.__main__ import main


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "stelib", *args], capture_output=True, text=True, check=False
    )


def test_optimum_json_contract_and_determinism():
    args = ["optimum", "--n", "10", "--m", "8,12,20", "--trials", "6", "--seed", "0", "--json"]
    first, second = run_cli(*args), run_cli(*args)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    out = json.loads(first.stdout)
    assert set(out) == {"n", "m", "trials", "seed", "unique", "bayes", "version"}
    res = sl.optimum_success(10, [8, 12, 20], trials=6, seed=0)
    assert out["m"] == [8, 12, 20] and out["version"] == sl.__version__
    assert out["unique"] == res.unique.tolist()
    assert out["bayes"] == res.bayes.tolist()
    assert all(0 < b <= 1 for b in out["bayes"])


def test_amp_json_contract_and_out_file(tmp_path, capsys):
    path = tmp_path / "amp.json"
    argv = ["amp", "--n", "100", "--alpha", "0.5,3", "--trials", "3", "--seed", "0"]
    assert main([*argv, "--out", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("n", "alpha", "m", "trials", "seed", "successes", "overlap", "version"):
        assert key in out
    assert out["alpha"] == [0.5, 3.0] and out["m"] == [50, 300]
    assert out["successes"] == [0, 3]
    f = sl.read_amp_file(path)
    assert f.command == sl.command_line([*argv, "--out", str(path), "--json"])
    assert f.result.successes.tolist() == out["successes"]
    np.testing.assert_allclose(f.result.overlap.mean(axis=1), out["overlap"])


def test_optimum_out_file_and_table(tmp_path, capsys):
    path = tmp_path / "opt.json"
    assert main(["optimum", "--n", "8", "--m", "4,16", "--trials", "3", "--out", str(path)]) == 0
    text = capsys.readouterr().out
    assert "bayes" in text and "unique" in text and "16" in text
    f = sl.read_optimum_file(path)
    assert f.result.sizes.shape == (2, 3) and f.command.startswith("python -m stelib optimum")


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["optimum", "--n", "0", "--m", "10"], "--n"),
        (["optimum", "--n", "8", "--m", "0"], "--m"),
        (["optimum", "--n", "8", "--m", "4", "--trials", "0"], "--trials"),
        (["amp", "--n", "10", "--alpha", "-1"], "--alpha"),
        (["amp", "--n", "10", "--alpha", "1,x"], "--alpha"),
        (["amp", "--n", "10", "--alpha", "1", "--damping", "0"], "--damping"),
        (["amp", "--alpha", "1"], "--n"),
    ],
)
def test_bad_options_exit_nonzero_with_one_line(args, option):
    proc = run_cli(*args)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert option in lines[0]


def test_optimum_n_too_large_is_refused():
    with pytest.raises(ValueError, match="n == 40"):
        main(["optimum", "--n", "40", "--m", "10", "--trials", "1"])


def test_workers_and_cache_do_not_change_the_numbers(tmp_path):
    args = ["optimum", "--n", "9", "--m", "6,9,14", "--trials", "4", "--json"]
    one = run_cli(*args)
    two = run_cli(*args, "--workers", "2", "--cache", str(tmp_path / "cache"))
    again = run_cli(*args, "--cache", str(tmp_path / "cache"))  # read back from the cache
    assert one.returncode == two.returncode == again.returncode == 0, two.stderr
    assert one.stdout == two.stdout == again.stdout
    amp = ["amp", "--n", "60", "--alpha", "1,2.5", "--trials", "3", "--json"]
    assert run_cli(*amp).stdout == run_cli(*amp, "--workers", "2").stdout
