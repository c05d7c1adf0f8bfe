"""The `allonet` command end to end, and bad input rejected before anything runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import h5py
import pytest

ALLONET = [str(Path(sys.executable).with_name("allonet"))]
NEEDED_ATTRS = ["schema_version", "complete", "config_yaml", "overrides", "seed", "config_hash",
                "git_commit", "allonet_version", "brian2_version", "started", "finished",
                "wall_time_s"]


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, HYDRA_FULL_ERROR="0"))


def test_allonet_debug_writes_one_complete_self_describing_file(tmp_path):
    out = tmp_path / "run"
    p = _run(ALLONET + ["sim=debug", "steroids.brain_nM.allo=30", f"hydra.run.dir={out}"],
             tmp_path)
    assert p.returncode == 0, p.stderr[-2000:]
    files = list(out.rglob("result.h5"))
    assert len(files) == 1
    with h5py.File(files[0]) as f:
        assert all(k in f.attrs for k in NEEDED_ATTRS)
        assert bool(f.attrs["complete"])
        assert "steroids.brain_nM.allo=30" in f.attrs["overrides"]
        assert "allo: 30.0" in f.attrs["config_yaml"]
        assert f["probes/rate"].shape == (1, 4) and f["probes/rate"].attrs["units"] == "Hz"
        assert [x.decode() for x in f["probes/population"][()]] == ["E", "PV", "SST", "PVN"]
        assert f["probes/spectra/psd"].shape[0] == 1
        assert f["probes/rate"].compression == "gzip"
        assert f["probes/spectra/psd"].attrs["units"] == "nA^2/Hz"
    # the analysis loader reads the same file exactly and as an xarray Dataset
    from analysis.load import load_run, probes_dataset

    run = load_run(files[0])
    assert run.attrs["complete"] is True or run.attrs["complete"] == 1
    ds = probes_dataset(files[0])
    assert ds["rate"].dims == ("time", "population")
    assert float(ds["rate"].sel(population="E")[0]) == run.groups["probes"]["rate"].data[0, 0]


def test_python_dash_m_sims_composes():
    p = subprocess.run([sys.executable, "-m", "sims", "sim=debug", "--cfg", "job"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "populations" in p.stdout


@pytest.mark.parametrize("bad, words", [
    ("+no_such_key=1", ["no_such_key"]),
    ("sim=no_such_sim", ["no_such_sim"]),
    ("seed=-1", ["seed", "-1", "[0, 2147483647]"]),
    ("seed=abc", ["seed", "abc"]),
    ("steroids.brain_nM.allo=-3", ["steroids.brain_nM.allo", "-3", ">= 0"]),
    ("network.connections.E_to_E.p=2", ["network.connections.E_to_E.p", "[0, 1]"]),
    ("+steroids.brain_nM.estradiol=1", ["estradiol", "pharmacology table"]),
    ("receptors.populations.E.g_tonic_max_nS=-1", ["g_tonic_max_nS", ">= 0"]),
])
def test_bad_input_exits_nonzero_with_message_and_no_result(tmp_path, bad, words):
    out = tmp_path / "bad"
    p = _run(ALLONET + ["sim=debug", bad, f"hydra.run.dir={out}"], tmp_path)
    assert p.returncode != 0
    text = p.stdout + p.stderr
    for w in words:
        assert w in text, text[-1500:]
    assert not list(tmp_path.rglob("result.h5*"))


def test_the_job_seed_follows_values_not_their_spelling(tmp_path):
    """Inside the app the base config comes from the app's own loader: allo=3 and
    allo=3.00 run with one seed, allo=4 with another (sims.seeds)."""
    seeds = {}
    for value in ("3", "3.00", "4"):
        out = tmp_path / value
        p = _run(ALLONET + ["sim=debug", "coupling=slow_only", "scenario.duration_days=1",
                            f"steroids.brain_nM.allo={value}", f"hydra.run.dir={out}"], tmp_path)
        assert p.returncode == 0, p.stderr[-2000:]
        with h5py.File(out / "result.h5") as f:
            seeds[value] = int(f.attrs["seed"])
            assert f.attrs["seed_rule"] == "science-values-v1"
    assert seeds["3"] == seeds["3.00"] != seeds["4"]
    from sims.config import compose, validate
    from sims.seeds import job_seed

    assert job_seed(validate(compose(["sim=debug", "coupling=slow_only",
                                      "scenario.duration_days=1",
                                      "steroids.brain_nM.allo=3"]))) == seeds["3"]
