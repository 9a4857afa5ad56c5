"""Nothing lost: --out and --cache are checked before any computation, data files are written
atomically, and a write that fails after the computation still prints the results."""

import json
import os
import subprocess
import sys
import time

import pytest

import stelib as sl
from stelib.__main__ import main

# A sweep that would take minutes: a bad path must fail before it starts.
LONG = ["success", "--n", "100", "--m", "150,200", "--trials", "100"]


def bad_paths(tmp_path):
    """(option, path, words of the message) for every way a path can be unwritable."""
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    return [
        ("--out", str(tmp_path), "is a folder"),  # a directory
        ("--out", str(a_file / "x.json"), "is a file, not a folder"),  # parent is a file
        ("--out", str(a_file / "sub" / "x.json"), "is a file, not a folder"),  # grandparent
        ("--out", "/proc/x.json", "cannot create a file"),  # unwritable (even for root)
        ("--out", "/proc/sub/x.json", "cannot create a file"),
        ("--out", "", "non-empty"),
        ("--cache", str(a_file), "is a file, must be a folder"),
        ("--cache", str(a_file / "sub"), "is a file, not a folder"),
        ("--cache", "/proc/cache", "cannot create a file"),
    ]


def test_unwritable_out_or_cache_fails_at_once_with_one_line(tmp_path, capsys):
    for option, path, words in bad_paths(tmp_path):
        start = time.perf_counter()
        with pytest.raises(SystemExit) as exc:
            main([*LONG, option, path])
        elapsed = time.perf_counter() - start
        assert exc.value.code == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and f"argument {option}:" in err[0] and words in err[0], err
        assert elapsed < 1.0, (option, path, elapsed)  # checked before computing anything
    assert sorted(os.listdir(tmp_path)) == ["a_file"]  # the checks leave nothing


@pytest.mark.parametrize("command", ["success", "recurrence-grid"])
def test_every_writing_subcommand_checks_its_paths_in_a_subprocess(command):
    proc = subprocess.run(
        [sys.executable, "-m", "stelib", command, "--n", "100", "--m", "150,200"]
        + ["--out", "/proc/x.json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "--out" in lines[0], proc.stderr


def test_writable_paths_pass_and_folders_are_made_by_the_writer(tmp_path, capsys):
    out = tmp_path / "new" / "deeper" / "x.json"
    args = ["success", "--n", "6", "--m", "20", "--trials", "2", "--steps", "50"]
    assert main([*args, "--out", str(out), "--cache", str(tmp_path / "c" / "d")]) == 0
    assert sl.read_success_file(out).result.trials == 2
    assert [p.name for p in out.parent.iterdir()] == ["x.json"]  # no temporary file left
    capsys.readouterr()


def test_write_is_atomic_old_file_survives_a_failed_write(tmp_path, monkeypatch):
    path = tmp_path / "x.json"
    sl.write_json(path, {"a": 1}, command="first")
    before = path.read_bytes()

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(sl.WriteError) as exc:
        sl.write_json(path, {"a": 2}, command="second")
    assert exc.value.errno == 28 and json.loads(exc.value.text)["a"] == 2
    assert path.read_bytes() == before  # the old file, whole
    assert os.listdir(tmp_path) == ["x.json"]  # and no temporary file


def test_written_file_has_normal_permissions(tmp_path):
    path = tmp_path / "x.json"
    sl.write_json(path, {"a": 1}, command="c")
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


def test_failed_write_after_computing_prints_the_results(tmp_path, monkeypatch, capsys):
    out = tmp_path / "x.json"
    args = ["success", "--n", "6", "--m", "20,40", "--trials", "3", "--steps", "100"]
    args += ["--out", str(out), "--json"]
    real_replace = os.replace

    def full_disk(src, dst):  # the check passed; the disk fills during the computation
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    assert main(args) == 1
    monkeypatch.setattr(os, "replace", real_replace)
    captured = capsys.readouterr()
    summary, record = [json.loads(line) for line in captured.out.strip().splitlines()]
    res = sl.success_probability(6, [20, 40], trials=3, steps=100)
    assert summary["successes"] == res.successes.tolist()
    assert record["command"] == sl.command_line(args) and len(record["hits"]) == 2
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and "--out" in err[0] and "No space left" in err[0]
    assert not out.exists()
    assert main(args) == 0  # the same command, disk freed: the file holds what was printed
    assert json.loads(out.read_text()) == record
