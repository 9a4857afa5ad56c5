"""An interrupted sweep resumes from its cache: same bytes out, finished batches not recomputed.

A real ``python -m stelib success --cache DIR`` in a subprocess is interrupted (SIGINT, then
SIGKILL) once some batches are cached; the same command then finishes it. The batches are
counted on disk: joblib keeps one ``output.pkl`` per finished batch, written once; a batch
computed again would rewrite its file (new inode or modification time).
"""

import os
import signal
import subprocess
import sys
import time

import pytest

from stelib.__main__ import main

# 24 batches of one trial, each some tens of milliseconds (n = 150 near its threshold: many
# trials run the whole budget), so that the run can be caught half-way.
TRIALS = 12
SWEEP = ["success", "--n", "150", "--m", "540,600", "--trials", str(TRIALS), "--batch-size", "1"]
BATCHES = 2 * TRIALS


def cached_batches(cache):
    """{path: (inode, mtime_ns)} of every finished batch in the joblib cache folder."""
    out = {}
    for root, _, files in os.walk(cache):
        if "output.pkl" in files:
            st = os.stat(os.path.join(root, "output.pkl"))
            out[os.path.join(root, "output.pkl")] = (st.st_ino, st.st_mtime_ns)
    return out


def _default_sigint():
    """In the child: SIGINT handled by default and not blocked (an earlier test, e.g. a Dask
    cluster's, can leave it blocked in this process's mask, which a forked child inherits)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def cli(args):
    env = {**os.environ, "STELIB_PROGRESS": "0"}
    return [sys.executable, "-m", "stelib", *args], env


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_interrupted_sweep_resumes_without_recomputing(tmp_path, sig, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # relative paths: the recorded command is the same in every run
    args = [*SWEEP, "--cache", "cache", "--out", "out.json", "--json"]
    # Uninterrupted, in this process, into its own cache: the bytes to reproduce.
    assert main([*SWEEP, "--cache", "ref-cache", "--out", "out.json", "--json"]) == 0
    ref_stdout = capsys.readouterr().out
    os.replace("out.json", "ref.json")
    ref_bytes = open("ref.json", "rb").read()
    ref_cmd = f'"command":"python -m stelib {" ".join(SWEEP)} --cache ref-cache'
    assert ref_cmd.encode() in ref_bytes

    command, env = cli(args)
    # SIGINT as from a terminal: a shell starts background jobs with SIGINT ignored, and a
    # Python started so never raises KeyboardInterrupt; restore the default in the child.
    proc = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_default_sigint,
    )
    deadline = time.monotonic() + 120
    while len(cached_batches("cache")) < 3 and proc.poll() is None:
        assert time.monotonic() < deadline, "no batch finished in 2 minutes"
        time.sleep(0.005)
    assert proc.poll() is None, "the sweep finished before it could be interrupted"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == (130 if sig == signal.SIGINT else -signal.SIGKILL)
    if sig == signal.SIGINT:
        assert b"rerun the same command to resume" in err
    assert not os.path.exists("out.json")  # nothing half-written
    kept = cached_batches("cache")
    assert 3 <= len(kept) < BATCHES

    rerun = subprocess.run(command, env=env, capture_output=True, check=True)
    after = cached_batches("cache")
    reused = [p for p, stamp in kept.items() if after.get(p) == stamp]
    assert len(reused) == len(kept)  # every finished batch was read back, none recomputed
    assert len(after) == BATCHES  # and the others were computed once each
    print(f"\n{signal.Signals(sig).name}: {len(reused)} of {BATCHES} batches reused")

    assert rerun.stdout.decode() == ref_stdout  # byte for byte
    got = open("out.json", "rb").read()
    assert got == ref_bytes.replace(b"--cache ref-cache", b"--cache cache")
