"""A 2x2 quick sweep with the joblib launcher: four complete files, resume, collection."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from analysis.collect import collect, load_sweep
from sims.io import read_result, write_result

ALLONET = str(Path(sys.executable).with_name("allonet"))


def sweep(out: Path) -> subprocess.CompletedProcess:
    p = subprocess.run([ALLONET, "-m", "+experiment=quick_grid", "hydra/launcher=joblib",
                        f"hydra.sweep.dir={out}"], capture_output=True, text=True,
                       timeout=900, env=dict(os.environ))
    assert p.returncode == 0, p.stderr[-3000:]
    return p


def test_quick_grid_runs_resumes_and_collects(tmp_path):
    pytest.importorskip("hydra_plugins.hydra_joblib_launcher")
    out = tmp_path / "sweep"
    sweep(out)
    files = sorted(out.rglob("result.h5"))
    assert len(files) == 4
    # a killed sweep: one job missing, one left incomplete
    files[0].unlink()
    bad = read_result(files[1])
    bad.attrs["complete"] = False
    write_result(files[1], bad)
    mtimes = {f: f.stat().st_mtime_ns for f in files[2:]}
    rerun = sweep(out)
    assert rerun.stderr.count("skipped:") + rerun.stdout.count("skipped:") == 2
    assert {f: f.stat().st_mtime_ns for f in files[2:]} == mtimes  # complete jobs untouched
    assert all(read_result(f).attrs["complete"] for f in files)
    path, used, skipped = collect(out)
    assert len(used) == 4 and not skipped
    df = load_sweep(path)
    assert len(df) == 4
    allo, delta = "steroids.brain_nM.allo", "receptors.populations.E.delta_expression"
    assert df[allo].dtype == np.float64 and sorted(set(df[allo])) == [3.0, 30.0]
    assert sorted(set(df[delta])) == [0.5, 1.0]
    # the science in the table: more ALLO and more delta, more tonic inhibition onto E
    by = df.set_index([allo, delta])["tonic_charge_mean"]
    assert by[(30.0, 1.0)] > by[(3.0, 1.0)] > by[(3.0, 0.5)]
    assert by[(30.0, 1.0)] > by[(30.0, 0.5)]
    # an incomplete file is listed and skipped by the collector, never merged
    bad = read_result(files[3])
    bad.attrs["complete"] = False
    write_result(files[3], bad)
    _, used, skipped = collect(out)
    assert len(used) == 3 and len(skipped) == 1 and "incomplete" in skipped[0]
