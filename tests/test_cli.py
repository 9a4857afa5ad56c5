import json
import subprocess
import sys

import pytest

import stelib as sl
from stelib.__main__ import main


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "stelib", *args], capture_output=True, text=True, check=False
    )


def test_success_json_contract_and_determinism():
    args = ["success", "--n", "10", "--m", "30,200", "--trials", "5", "--steps", "300"]
    first = run_cli(*args, "--seed", "0", "--json")
    second = run_cli(*args, "--seed", "0", "--json")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout  # byte for byte
    out = json.loads(first.stdout)
    for key in ("n", "k", "m", "trials", "steps", "seed", "successes", "median_hit", "version"):
        assert key in out
    assert out["m"] == [30, 200] and out["version"] == sl.__version__
    res = sl.success_probability(10, [30, 200], trials=5, steps=300, seed=0)
    assert out["successes"] == res.successes.tolist()
    assert out["median_hit"] == res.median_hit


def test_success_table_output(capsys):
    assert main(["success", "--n", "6", "--m", "100", "--trials", "2", "--steps", "50"]) == 0
    text = capsys.readouterr().out
    assert "successes" in text and "100" in text


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["success", "--n", "0", "--m", "10"], "--n"),
        (["success", "--n", "x", "--m", "10"], "--n"),
        (["success", "--n", "5", "--m", "10,a"], "--m"),
        (["success", "--n", "5", "--m", "0"], "--m"),
        (["success", "--n", "5", "--m", "10", "--trials", "0"], "--trials"),
        (["success", "--n", "5", "--m", "10", "--eta", "-1"], "--eta"),
        (["success", "--m", "10"], "--n"),
    ],
)
def test_bad_options_exit_nonzero_with_one_line(args, option):
    proc = run_cli(*args)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert option in lines[0]


def test_help_explains_every_option():
    proc = run_cli("success", "--help")
    assert proc.returncode == 0
    for opt in ("--n", "--m", "--k", "--trials", "--steps", "--seed", "--json", "--workers"):
        assert opt in proc.stdout
