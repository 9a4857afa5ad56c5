import json
import subprocess
import sys

import numpy as np
import pytest

import stelib as sl
from stelib.__main__ import main


def test_success_out_writes_hits_and_provenance(tmp_path):
    path = tmp_path / "sub" / "success.json"
    args = ["success", "--n", "8", "--m", "20,40", "--trials", "4", "--steps", "200"]
    args += ["--seed", "3", "--k", "2", "--out", str(path), "--json"]
    proc = subprocess.run(
        [sys.executable, "-m", "stelib", *args], capture_output=True, text=True, check=True
    )
    printed = json.loads(proc.stdout)
    record = json.loads(path.read_text())
    assert record["command"] == sl.command_line(args)
    assert record["command"].startswith("python -m stelib success --n 8")
    # the file extends what is printed, except the Gaussian model's defaults of the input family
    # and normalisation, which it omits so that files written before they existed regenerate
    # byte for byte (chapter "Beyond Gaussian data")
    assert (printed.pop("inputs"), printed.pop("normalise")) == ("gaussian", "none")
    assert "inputs" not in record and "normalise" not in record
    # ``stuck`` (issue 13) is printed only: success files keep their bytes (``threshold --out``
    # writes the fixed points)
    ref = sl.success_probability(8, [20, 40], trials=4, steps=200, seed=3, k=2)
    assert printed.pop("stuck") == ref.stuck.tolist() and "stuck" not in record
    assert {k: record[k] for k in printed} == printed
    data = sl.read_success_file(path)
    np.testing.assert_array_equal(data.result.hits, ref.hits)
    assert data.result.median_hit == ref.median_hit and data.version == sl.__version__
    first = path.read_bytes()
    assert main(args) == 0  # the same command in-process rewrites the file byte for byte
    assert path.read_bytes() == first


def test_read_success_file_rejects_other_json(tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"n": 3}))
    with pytest.raises(ValueError, match="missing"):
        sl.read_success_file(path)
