"""Ways results could be lost or corrupted: concurrent runs, a folder holding another
config's result, non-finite values, the exit-code scheme, and leftovers of killed
processes."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

from sims import io, owners
from sims.config import compose, validate
from sims.coupling import EpochResult
from sims.errors import NonFiniteResultError, OutputConflictError
from sims.fast import backend
from sims.simulate import run_job, simulate
from sims.slow.model import SlowModel

ALLONET = str(Path(sys.executable).with_name("allonet"))
SLOW = ["sim=debug", "coupling=slow_only", "scenario.duration_days=1"]


def _allonet(args: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([ALLONET, *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_runs_started_together_each_keep_their_own_complete_result(tmp_path):
    """Three runs launched in the same second share no folder and all complete."""
    procs = {a: _allonet(["sim=debug", f"steroids.brain_nM.allo={a}"], tmp_path)
             for a in (1, 10, 100)}
    for p in procs.values():
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err[-2000:]
    files = sorted(tmp_path.rglob("result.h5"))
    assert len(files) == 3 and len({f.parent for f in files}) == 3
    levels = []
    for f in files:
        with h5py.File(f) as h:
            assert bool(h.attrs["complete"])
            levels.append(float(h["probes/brain_conc"][0, 0]))  # brain ALLO at the probe
    assert sorted(levels) == pytest.approx([1.0, 10.0, 100.0], rel=0.05)


def test_a_complete_result_of_another_config_is_never_replaced(tmp_path):
    out = tmp_path / "run"
    first = validate(compose(SLOW))
    assert run_job(first, out) == "ran"
    target = out / "result.h5"
    before = target.read_bytes()
    other = validate(compose([*SLOW, "hpa.feedback_gain=2"]))
    with pytest.raises(OutputConflictError, match="output.overwrite"):
        run_job(other, out)
    with pytest.raises(OutputConflictError):
        simulate(other, out_dir=out)
    assert target.read_bytes() == before  # untouched, still complete
    assert run_job(first, out) == "skipped"  # the same config resumes as before
    old_hash = io.read_attrs(target)["config_hash"]
    forced = copy.deepcopy(other)
    forced["output"]["overwrite"] = True
    assert run_job(forced, out) == "ran"  # replaced on request
    assert io.read_attrs(target)["config_hash"] != old_hash
    assert "feedback_gain: 2" in io.read_attrs(target)["config_yaml"]


def test_the_command_line_refuses_to_replace_and_says_how(tmp_path):
    out = tmp_path / "run"
    p = subprocess.run([ALLONET, *SLOW, f"hydra.run.dir={out}"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    p = subprocess.run([ALLONET, *SLOW, "hpa.feedback_gain=2", f"hydra.run.dir={out}"],
                       capture_output=True, text=True)
    assert p.returncode == 2 and "output.overwrite" in p.stderr and "Traceback" not in p.stderr


def test_a_run_that_produces_nan_is_not_marked_complete(tmp_path, monkeypatch):
    """Whatever the cause, a NaN in a stored float dataset that does not document NaN
    means the run failed: the file is kept for inspection, marked incomplete."""
    import sims.simulate as simulate_module

    c = validate(compose(SLOW))
    real = SlowModel(c).run(c["seed"])

    def broken(cfg):
        traj = copy.deepcopy(real)
        traj.values["cortisol"][5] = np.nan
        return EpochResult(traj, [], [], [], [])

    monkeypatch.setattr(simulate_module, "run_epochs", broken)
    with pytest.raises(NonFiniteResultError, match=r"slow/cortisol \(1 of"):
        simulate(c, out_dir=tmp_path)
    attrs = io.read_attrs(tmp_path / "result.h5")
    assert attrs["complete"] is False or attrs["complete"] == 0
    assert not io.is_complete(tmp_path / "result.h5")


def test_documented_nan_does_not_block_completion(tmp_path):
    """cv_isi is NaN for a population without 3 spikes per cell: documented, so complete."""
    c = validate(compose(["sim=debug", "coupling=network_only", "steroids.brain_nM.allo=3",
                          "network.populations.PVN.ext_rate_Hz=0"]))  # PVN silent
    simulate(c, out_dir=tmp_path)
    res = io.read_result(tmp_path / "result.h5")
    assert res.attrs["complete"]
    cv = res.groups["probes"]["cv_isi"]
    assert np.isnan(cv.data[0, 3]) and "NaN when" in cv.nonfinite
    with h5py.File(tmp_path / "result.h5") as f:
        assert "3 spikes" in f["probes/cv_isi"].attrs["nonfinite"]
        assert "nonfinite" not in f["probes/rate"].attrs


def test_exit_codes_failed_run_3_internal_error_1(tmp_path):
    p = subprocess.run([ALLONET, "sim=debug", "probe.max_rate_Hz=0.5",
                        f"hydra.run.dir={tmp_path / 'runaway'}"], capture_output=True, text=True)
    text = p.stdout + p.stderr
    assert p.returncode == 3, text[-2000:]
    assert "runaway firing" in text and "probe 0 at t=0 h" in text and "Traceback" not in text
    assert not io.is_complete(tmp_path / "runaway" / "result.h5")
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("")
    p = subprocess.run([ALLONET, "sim=debug", f"backend.cache_dir={blocker / 'cache'}",
                        f"hydra.run.dir={tmp_path / 'internal'}"], capture_output=True,
                       text=True)
    assert p.returncode == 1 and "Traceback" in p.stdout + p.stderr


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


@pytest.fixture
def live_pid():
    """A process of this machine that runs while the test does (another writer)."""
    p = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    yield p.pid
    p.kill()
    p.wait()


def test_leftovers_of_killed_processes_are_removed_and_live_ones_kept(tmp_path, live_pid):
    """Temporaries of a killed run, a killed collector, and a killed binary run in the
    build cache go; those of a live process stay."""
    dead = f"{owners.host_tag()}-{_dead_pid()}"
    live = f"{owners.host_tag()}-{live_pid}"
    job = tmp_path / "job"
    job.mkdir()
    stale, mine = job / f".result.h5.tmp-{dead}", job / f".result.h5.tmp-{live}"
    legacy = job / f".result.h5.tmp-{_dead_pid()}"  # allonet 1.0's name
    for f in (stale, mine, legacy):
        f.write_bytes(b"half a file")
    c = validate(compose(SLOW))
    assert run_job(c, job) == "ran"
    assert not stale.exists() and not legacy.exists() and mine.exists()
    stale.write_bytes(b"x")
    assert run_job(c, job) == "skipped"  # also cleaned when the job is skipped
    assert not stale.exists() and mine.exists()
    mine.unlink()
    # a killed allonet-collect
    from analysis.collect import collect

    tmp_sweep = tmp_path / f".sweep.h5.tmp-{dead}"
    tmp_sweep.write_bytes(b"x")
    (tmp_path / "job2").mkdir()
    path, used, _ = collect(tmp_path)
    assert path is not None and not tmp_sweep.exists() and len(used) == 1
    # a killed binary run in the build cache
    project = tmp_path / "net-x"
    project.mkdir()
    killed = project / f"{backend.RESULTS_PREFIX}abcd1234-{dead}"
    running = project / f"{backend.RESULTS_PREFIX}abcd1234-{live}"
    for d in (killed, running):
        d.mkdir()
    assert backend.remove_stale_results(project) == [killed]
    assert running.is_dir()


def test_foreign_leftovers_are_kept_until_old(tmp_path):
    f = tmp_path / ".result.h5.tmp-otherhost-123"
    f.write_bytes(b"x")
    assert io.stale_temporaries(tmp_path / "result.h5") == []
    old = 2 * owners.FOREIGN_AGE_S
    os.utime(f, (f.stat().st_atime - old, f.stat().st_mtime - old))
    assert io.stale_temporaries(tmp_path / "result.h5") == [f]


def test_every_result_records_the_versions_of_its_key_packages(tmp_path):
    c = validate(compose(SLOW))
    simulate(c, out_dir=tmp_path)
    v = json.loads(io.read_attrs(tmp_path / "result.h5")["versions_json"])
    for name in ("brian2", "numpy", "h5py", "hydra-core", "python"):
        assert v[name] and v[name] != "absent", name


def test_every_slow_dataset_has_a_description(tmp_path):
    c = validate(compose([*SLOW, "treatment=zuranolone", "treatment.start_day=0"]))
    simulate(c, out_dir=tmp_path)
    with h5py.File(tmp_path / "result.h5") as f:
        missing = [n for n, d in f["slow"].items() if not d.attrs["description"]]
    assert missing == []


def test_a_changed_csv_is_a_different_run(tmp_path):
    """The content of an input file is part of the config hash: editing the CSV re-runs."""
    csv = tmp_path / "tc.csv"
    csv.write_text("time_days,progesterone_nM\n0,1\n1,2\n")
    ov = ["coupling=slow_only", "scenario=from_file", f"scenario.path={csv}"]
    out = tmp_path / "run"
    assert run_job(validate(compose(ov)), out) == "ran"
    assert run_job(validate(compose(ov)), out) == "skipped"
    csv.write_text("time_days,progesterone_nM\n0,1\n1,5\n")
    with pytest.raises(OutputConflictError):
        run_job(validate(compose(ov)), out)
