"""Sweeps through the real command line: the 2x2 quick grid with joblib and submitit_local
(complete files, resume, collection), failing jobs, one compile per structure, seeds."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from analysis import cli as figures_cli
from analysis.collect import collect, load_sweep, load_sweep_dataset
from sims import sweep as sweep_status
from sims.fast import backend
from sims.io import read_result, write_result

ALLONET = str(Path(sys.executable).with_name("allonet"))


def run_allonet(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
    p = subprocess.run([ALLONET, "-m", *args], capture_output=True, text=True, timeout=900,
                       env=dict(os.environ))
    if ok:
        assert p.returncode == 0, p.stderr[-3000:]
    return p


def sweep(out: Path, launcher: str = "joblib") -> subprocess.CompletedProcess:
    return run_allonet("+experiment=quick_grid", f"hydra/launcher={launcher}",
                       f"hydra.sweep.dir={out}")


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
    # the sweep figures, from the collected sweep.h5
    figs = tmp_path / "figs"
    assert figures_cli.main([str(out), "--out", str(figs)]) == 0
    for k in ("fig5_heatmap", "fig6_dose_response", "fig7_conditions"):
        assert (figs / f"{k}.png").stat().st_size > 0 and (figs / f"{k}.pdf").is_file()
    # an incomplete file is listed and skipped by the collector, never merged
    bad = read_result(files[3])
    bad.attrs["complete"] = False
    write_result(files[3], bad)
    _, used, skipped = collect(out)
    assert len(used) == 3 and len(skipped) == 1 and "incomplete" in skipped[0]


def check_quick_grid_table(out: Path) -> None:
    path, used, skipped = collect(out)
    assert len(used) == 4 and not skipped
    df = load_sweep(path)
    allo, delta = "steroids.brain_nM.allo", "receptors.populations.E.delta_expression"
    assert sorted(zip(df[allo], df[delta], strict=True)) == [(3.0, 0.5), (3.0, 1.0),
                                                             (30.0, 0.5), (30.0, 1.0)]
    assert {"rate_E_mean", "tonic_charge_mean", "gamma_power_mean", "job_seed"} <= set(df.columns)
    assert df["job_seed"].nunique() == 4  # one derived seed per job
    # the xarray view: dimensions are the swept parameters, series stacked per probe
    ds = load_sweep_dataset(path)
    assert set(ds["tonic_charge_mean"].dims) == {allo, delta}
    assert ds["rate"].sizes["population"] == 4 and "probe" in ds["rate"].dims
    np.testing.assert_allclose(
        ds["tonic_charge"].sel({allo: 30.0, delta: 1.0}).mean("probe"),
        df.set_index([allo, delta])["tonic_charge_mean"][(30.0, 1.0)])


@pytest.mark.slow
def test_quick_grid_with_submitit_local(tmp_path):
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher")
    out = tmp_path / "sweep"
    p = sweep(out, "submitit_local")
    assert "4 ran, 0 skipped, 0 failed" in p.stderr
    files = sorted(out.rglob("result.h5"))
    assert len(files) == 4 and all(read_result(f).attrs["complete"] for f in files)
    check_quick_grid_table(out)


def test_a_bad_value_anywhere_in_a_sweep_stops_it_before_any_job_runs(tmp_path):
    """Every job's values are validated before launch: exit 2, the key, the value and the
    job named, no result file."""
    out = tmp_path / "sweep"
    p = run_allonet("sim=debug", "coupling=network_only", "hydra/launcher=joblib",
                    "steroids.brain_nM.allo=3,30,-1", f"hydra.sweep.dir={out}", ok=False)
    assert p.returncode == 2, p.stderr[-2000:]
    assert "'steroids.brain_nM.allo' = -1" in p.stderr and "steroids.brain_nM.allo=-1" in p.stderr
    assert "Traceback" not in p.stderr + p.stdout
    assert not list(out.rglob("result.h5*")) and not list(out.rglob("job_status.json"))


def test_failing_jobs_are_reported_and_the_others_complete(tmp_path):
    """A run that fails (runaway check) does not stop the sweep; it ends with a failure
    table and the failed jobs' exit code (3: the simulation failed)."""
    out = tmp_path / "sweep"
    p = run_allonet("sim=debug", "coupling=network_only", "hydra/launcher=joblib",
                    "steroids.brain_nM.allo=3,30", "probe.max_rate_Hz=1000,0.5",
                    f"hydra.sweep.dir={out}", ok=False)
    assert p.returncode == 3, p.stderr[-2000:]
    assert "sweep finished: 2 ran, 0 skipped, 2 failed (of 4 jobs)" in p.stderr
    table = p.stderr.split("failed jobs:")[1]
    assert table.count("RunawayActivityError") == 2 and table.count("probe.max_rate_Hz=0.5") == 2
    complete = [f for f in out.rglob("result.h5") if read_result(f).attrs["complete"]]
    assert len(complete) == 2  # the good jobs; the runaway ones are written incomplete
    statuses = sweep_status.job_statuses(out)
    assert sorted(s["status"] for s in statuses) == ["failed", "failed", "ran", "ran"]
    assert {s["exit_code"] for s in statuses if s["status"] == "failed"} == {3}


@pytest.mark.slow
def test_structural_override_compiles_once_per_structure(tmp_path):
    """Two network sizes x two ALLO levels on 2 workers: two compiles, not four."""
    out, cache = tmp_path / "sweep", tmp_path / "cache"
    run_allonet("sim=debug", "coupling=network_only", "hydra/launcher=joblib",
                "hydra.launcher.n_jobs=2", "network.populations.PVN.n=25,30",
                "steroids.brain_nM.allo=3,30", f"backend.cache_dir={cache}",
                f"hydra.sweep.dir={out}")
    assert len(list(out.rglob("result.h5"))) == 4
    compiles = [json.loads(x) for x in (cache / backend.COMPILE_LOG).read_text().splitlines()]
    assert len(compiles) == 2 and len({c["project"] for c in compiles}) == 2
    assert len([d for d in cache.iterdir() if d.is_dir()]) == 2


@pytest.mark.slow
def test_killed_sweep_resumes_only_missing_jobs_and_leaves_no_corrupt_file(tmp_path):
    """SIGKILL the whole sweep (main process and workers) after its first file appears."""
    out = tmp_path / "sweep"
    cmd = [ALLONET, "-m", "+experiment=quick_grid", "hydra/launcher=joblib",
           "hydra.launcher.n_jobs=1", f"hydra.sweep.dir={out}"]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and not list(out.rglob("result.h5")):
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    before = {f: f.stat().st_mtime_ns for f in out.rglob("result.h5")}
    assert 1 <= len(before) < 4
    assert all(read_result(f).attrs["complete"] for f in before)  # atomic: never half a file
    rerun = sweep(out)
    assert f"{4 - len(before)} ran, {len(before)} skipped, 0 failed" in rerun.stderr
    assert {f: f.stat().st_mtime_ns for f in before} == before
    files = sorted(out.rglob("result.h5"))
    assert len(files) == 4 and all(read_result(f).attrs["complete"] for f in files)
    assert not list(out.rglob(".result.h5.tmp-*"))
