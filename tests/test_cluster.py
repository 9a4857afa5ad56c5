"""A distributed engine: a sweep on a Dask cluster gives bit for bit the results of one process.

Dask is an optional extra of the library (``pip install 'stelib[cluster]'``) and part of the
test environment (requirements.txt), so this runs in CI: a real ``distributed.LocalCluster``
with two worker processes, reached through ``Client.get_executor()`` (the library's executor
support) and through the command line's ``--scheduler``.
"""

import subprocess
import sys

import numpy as np
import pytest
from distributed import Client, LocalCluster

import stelib as sl
from stelib.__main__ import main

SUCCESS = {"trials": 7, "steps": 400, "seed": 3, "batch_size": 2}


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(
        processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        yield cluster


def test_sweeps_on_a_local_cluster_equal_one_process(cluster):
    with Client(cluster) as client:
        executor = client.get_executor()
        res = sl.success_probability(12, [30, 60, 90], executor=executor, **SUCCESS)
        rec = sl.recurrence_sweep(
            10, [40, 80], flip=[0.0, 0.1], trials=2, steps=300, executor=executor
        )
        workers = client.run(lambda: __import__("os").getpid())
    assert len(set(workers.values())) == 2  # two processes did the work
    ref = sl.success_probability(12, [30, 60, 90], **SUCCESS)
    np.testing.assert_array_equal(res.hits, ref.hits)
    assert res.hits.dtype == ref.hits.dtype
    assert rec == sl.recurrence_sweep(10, [40, 80], flip=[0.0, 0.1], trials=2, steps=300)


def test_cli_scheduler_option_runs_the_sweep_on_the_cluster(cluster, capsys):
    args = ["success", "--n", "12", "--m", "30,60", "--trials", "5", "--steps", "300", "--json"]
    assert main(args) == 0
    local = capsys.readouterr().out
    remote = subprocess.run(
        [sys.executable, "-m", "stelib", *args, "--scheduler", cluster.scheduler_address],
        capture_output=True,
        text=True,
        check=True,
    )
    assert remote.stdout == local  # byte for byte


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--scheduler", "nonsense://x"], "cannot connect to 'nonsense://x'"),
        (["--scheduler", "tcp://127.0.0.1:8786", "--workers", "2"], "not allowed with --workers"),
    ],
)
def test_cli_bad_scheduler_exits_2_with_one_line(extra, words):
    proc = subprocess.run(
        [sys.executable, "-m", "stelib", "success", "--n", "5", "--m", "10", *extra],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "--scheduler" in lines[0] and words in lines[0], proc.stderr
