"""Provenance checked: a data file cannot silently disagree with the command recorded in it.

Every file in ``chapters/data/`` records the exact ``python -m stelib ... --out
chapters/data/NAME.json`` that wrote it. Each file that regenerates in at most a minute (CPU
time, measured; see ``FAST``) is regenerated here by running that very command in a temporary
folder (its relative ``--out`` and ``--cache`` land there, and the recorded command is the same
text), and compared with the stored file byte for byte. Those runs take minutes in all, so they
are marked ``provenance``: the unit suite leaves them out (``-m "not provenance"`` in
pyproject.toml) and ``.ci/test`` runs them as a step of their own. The slower files are checked
for a well-formed command that names themselves.
"""

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "chapters" / "data"

#: Data files that regenerate in at most a minute, with the CPU seconds (user + sys, imports and
#: compilation included) that regenerating each took on the project's 2-core machine, numba
#: installed. The others take longer and are only checked for a well-formed command:
#: threshold_n200 (about 90 s), threshold_n400 (about 30 min with --workers 2),
#: recurrence_flip_n50 (more than 100 s of CPU, unfinished when stopped) and
#: recurrence_noise_n50 (the same runs at 15 grid points instead of 25: not timed to the end),
#: ergodic_flip_n50 and ergodic_noise_n50 (50 trials per point; more than 18 min of CPU).
FAST = {
    "budget_n050.json": 14.9,
    "ratio_n050_s0.0001.json": 5.1,
    "ratio_n050_s0.01.json": 2.1,
    "ratio_n050_s0.1.json": 2.1,
    "ratio_n050_s1.json": 2.0,
    "ratio_n050_s10.json": 2.0,
    "threshold_n025.json": 2.2,
    "threshold_n050.json": 5.8,
    "threshold_n100.json": 24.4,
    "threshold_censored_n0025.json": 14.1,
    "twolayer_k2_n0025.json": 20.0,
    "recurrence_flip_n25.json": 26.5,
}


def recorded_command(path):
    argv = shlex.split(json.loads(path.read_text(encoding="utf-8"))["command"])
    return argv


@pytest.mark.parametrize("path", sorted(DATA.glob("*.json")), ids=lambda p: p.name)
def test_every_data_file_records_the_stelib_command_that_wrote_it(path):
    argv = recorded_command(path)
    assert argv[:3] == ["python", "-m", "stelib"]
    assert argv[argv.index("--out") + 1] == f"chapters/data/{path.name}"
    from stelib.__main__ import build_parser

    build_parser().parse_args(argv[3:])  # still a valid command line (exits 2 if not)


def test_fast_list_names_existing_files():
    assert FAST and set(FAST) <= {p.name for p in DATA.glob("*.json")}
    assert all(0 < seconds <= 60 for seconds in FAST.values())


@pytest.mark.provenance
@pytest.mark.parametrize("name", sorted(FAST))
def test_data_file_regenerates_byte_for_byte_from_its_command(name, tmp_path):
    stored = DATA / name
    argv = recorded_command(stored)
    env = {**os.environ, "STELIB_PROGRESS": "0", "PYTHONHASHSEED": "0"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [sys.executable, "-m", "stelib", *argv[3:]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "chapters" / "data" / name).read_bytes() == stored.read_bytes()
