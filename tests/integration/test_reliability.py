"""Cohorts, studies and calibrations protect results as single runs do: one rule for every
writer (a complete file of another config, or an unreadable one, is never replaced without
``output.overwrite=true``), values with no effect and unknown choices refused before
anything runs, damaged storage named, workers that die with their parent, progress lines,
memory and disk estimated before running, and readers that name a broken or foreign file.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import h5py
import pytest

from sims import io, prelaunch
from sims.calibration import optimize
from sims.cohort import resources
from sims.cohort.engine import plan, run_cohort_job
from sims.cohort.store import individual_overrides, partial_path
from sims.config import CONFIG_DIR, compose, validate
from sims.errors import ConfigError, OutputConflictError, ResultFileError, UnreadableOutputError

PROJECT_ROOT = CONFIG_DIR.parent
#: A 4-individual postpartum cohort of 2 days, slow layer only, one arm, one block.
COHORT = ["+cohort=postpartum", "cohort.n=4", "scenario.duration_days=2",
          "slow.burn_in_days=1", "cohort.arms.brexanolone=null", "~cohort.outcomes",
          "cohort.workers=1", "coupling=slow_only", "coupling.progress=false"]


def _cfg(extra: list[str] = ()) -> dict:
    return validate(compose([*COHORT, *extra]))


@pytest.fixture(scope="module")
def cohort_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cohort")
    assert run_cohort_job(_cfg(), out, COHORT) == "ran"
    return out


# --------------------------------------------------------------------------- one rule
def _tiny(path: Path, chash: str, complete: bool = True) -> None:
    io.write_result(path, io.Result(attrs={"config_hash": chash, "complete": complete}))


def test_the_writers_rule_on_every_kind_of_file(tmp_path):
    target = tmp_path / "x.h5"
    assert io.check_replaceable(target, "a", False) == io.ABSENT
    _tiny(target, "a")
    assert io.check_replaceable(target, "a", False) == io.CURRENT
    with pytest.raises(OutputConflictError, match="output.overwrite"):
        io.check_replaceable(target, "b", False)
    assert io.check_replaceable(target, "b", True) == io.REPLACEABLE
    _tiny(target, "a", complete=False)  # a failed or killed run: replaceable
    assert io.check_replaceable(target, "b", False) == io.REPLACEABLE
    for content in (b"", b"\x89HDF\r\n\x1a\n" + b"\0" * 40, b"not hdf5 at all"):
        target.write_bytes(content)
        with pytest.raises(UnreadableOutputError) as err:
            io.check_replaceable(target, "a", False)
        assert err.value.key == "output.overwrite" and str(target) in str(err.value)
        assert target.read_bytes() == content  # nothing touched
        assert io.check_replaceable(target, "a", True) == io.REPLACEABLE


def test_a_complete_cohort_of_another_config_is_never_replaced(cohort_dir):
    target = cohort_dir / "cohort.h5"
    before = target.read_bytes()
    other = _cfg(["seed=7"])
    with pytest.raises(OutputConflictError) as err:
        run_cohort_job(other, cohort_dir, [*COHORT, "seed=7"])
    assert err.value.key == "output.overwrite" and str(target) in str(err.value)
    assert target.read_bytes() == before
    assert run_cohort_job(_cfg(), cohort_dir, COHORT) == "skipped"


def test_a_damaged_cohort_file_is_named_not_recomputed(cohort_dir, tmp_path):
    target = tmp_path / "cohort.h5"
    target.write_bytes((cohort_dir / "cohort.h5").read_bytes()[:3000])  # truncated
    with pytest.raises(UnreadableOutputError, match="cannot be read"):
        run_cohort_job(_cfg(), tmp_path, COHORT)
    assert target.stat().st_size == 3000
    forced = _cfg(["output.overwrite=true"])
    assert run_cohort_job(forced, tmp_path, COHORT) == "ran"  # replaced on request
    assert io.is_complete(target)


def test_the_unfinished_cohort_of_another_config_is_kept(cohort_dir, tmp_path):
    part = partial_path(tmp_path / "cohort.h5")
    with h5py.File(part, "w") as f:
        f.attrs.update(config_hash="another", blocks_done_json="[[0, 0]]", complete=False)
    with pytest.raises(OutputConflictError, match="unfinished cohort of another config"):
        run_cohort_job(_cfg(), tmp_path, COHORT)
    assert part.exists() and not (tmp_path / "cohort.h5").exists()


def test_a_complete_study_of_another_config_is_never_replaced(tmp_path):
    from sims.study.engine import run_study_job

    ov = ["+study=pmdd_luteal", "cohort.n=2", "coupling=slow_only", "cohort.workers=1"]
    assert run_study_job(validate(compose(ov)), tmp_path, ov) == "ran"
    before = (tmp_path / "study.h5").read_bytes()
    csv = (tmp_path / "summary.csv").read_bytes()
    with pytest.raises(OutputConflictError, match="study.h5"):
        run_study_job(validate(compose([*ov, "seed=7"])), tmp_path, [*ov, "seed=7"])
    assert (tmp_path / "study.h5").read_bytes() == before
    assert (tmp_path / "summary.csv").read_bytes() == csv


# --------------------------------------------------------------------------- calibration
def _prov(storage: str, fp: str) -> dict:
    return {"storage": storage, "fingerprint": fp, "n_complete": 2, "written": "now"}


def _text(storage: str, fp: str, value: float) -> str:
    import yaml

    return "# @package _global_\n" + yaml.safe_dump({"calibrated": {
        "name": "quick", "loss": 1.0, "study": {**_prov(storage, fp), "trial": 0},
        "parameters": {"hpa.feedback_gain": {"value": value}}}})


def test_an_exported_fit_never_replaces_another_studys(tmp_path, caplog):
    export = tmp_path / "calibrated"
    first = optimize.export_calibrated(export, "quick", _text("/a/calibration.db", "f1", 1.5),
                                       _prov("/a/calibration.db", "f1"))
    assert first == export / "quick.yaml"
    again = optimize.export_calibrated(export, "quick", _text("/a/calibration.db", "f1", 1.7),
                                       _prov("/a/calibration.db", "f1"))
    assert again == first and "1.7" in first.read_text()  # the same study: updated
    kept = first.read_text()
    with caplog.at_level(logging.WARNING):
        other = optimize.export_calibrated(export, "quick",
                                           _text("/b/calibration.db", "f1", 9.0),
                                           _prov("/b/calibration.db", "f1"))
    assert other != first and other.stem.startswith("quick-") and len(other.stem) == 14
    assert first.read_text() == kept and "9.0" in other.read_text()
    assert f"+calibrated={other.stem}" in caplog.text
    assert optimize.exported_study(other)["storage"] == "/b/calibration.db"
    forced = optimize.export_calibrated(export, "quick", _text("/b/calibration.db", "f1", 9.0),
                                        _prov("/b/calibration.db", "f1"), overwrite=True)
    assert forced == first and "9.0" in first.read_text()


def test_a_loaded_fit_says_which_study_it_came_from(tmp_path):
    from sims.configuration.calibrated import describe

    c = validate(compose([]))
    c["calibrated"] = {"name": "quick", "loss": 2.5, "study": {
        **_prov("/a/calibration.db", "f00d"), "trial": 3},
        "parameters": {"hpa.feedback_gain": {"value": c["hpa"]["feedback_gain"]}}}
    line = describe(c)
    assert "/a/calibration.db" in line and "f00d" in line and "trial 3" in line
    assert "hpa.feedback_gain=" in line


@pytest.mark.parametrize("content, reason", [
    (b"", "empty file"), (optimize.SQLITE_HEADER, "truncated SQLite"),
    (b"garbage" * 100, "not an SQLite database")])
def test_damaged_calibration_storage_is_named_and_kept(tmp_path, content, reason):
    db = tmp_path / optimize.STORAGE
    db.write_bytes(content)
    with pytest.raises(UnreadableOutputError) as err:
        optimize.check_storage(db)
    assert reason in str(err.value) and str(db) in str(err.value)
    assert db.read_bytes() == content
    optimize.check_storage(db, overwrite=True)  # removed on request: a new study starts
    assert not db.exists()


def test_results_without_their_database_are_not_overwritten(tmp_path):
    (tmp_path / optimize.RESULT).write_bytes(b"held 24 trials")
    with pytest.raises(ConfigError, match="database .* is missing"):
        optimize.check_storage(tmp_path / optimize.STORAGE)
    optimize.check_storage(tmp_path / optimize.STORAGE, overwrite=True)


def test_a_truncated_database_is_named_not_a_traceback(tmp_path):
    import sqlite3

    from sims.calibration.spec import parse_calibration

    db = tmp_path / optimize.STORAGE
    with sqlite3.connect(db) as con:  # a real database, then cut after its first pages
        con.execute("create table t (x)")
        con.executemany("insert into t values (?)", [(str(i) * 50,) for i in range(2000)])
    db.write_bytes(db.read_bytes()[:4096])
    spec = parse_calibration(validate(compose(["+calibration=quick"])))
    with pytest.raises(ResultFileError, match="damaged calibration database"):
        optimize.open_study(db, spec, [])


def test_the_uncertainty_reader_refuses_an_empty_database(tmp_path):
    from sims.calibration.uncertainty import load_sets

    (tmp_path / optimize.STORAGE).write_bytes(b"")
    with pytest.raises(ResultFileError, match="empty file"):
        load_sets({"calibration": str(tmp_path), "max_sets": 2})
    assert (tmp_path / optimize.STORAGE).stat().st_size == 0  # SQLite did not write it


# --------------------------------------------------------------------------- no effect
@pytest.mark.parametrize("overrides, key, allowed", [
    (["+calibration=quick", "calibration.sampler=cmaes"], "calibration.sampler", "tpe"),
    (["+calibration=quick", "calibration.targets=[]"], "calibration.targets", "non-empty"),
])
def test_unknown_choices_of_a_calibration_are_refused(overrides, key, allowed):
    from sims.calibration.spec import parse_calibration

    with pytest.raises(ConfigError) as err:
        parse_calibration(validate(compose(overrides)))
    assert err.value.key == key and allowed in str(err.value)


def test_all_targets_are_asked_for_by_name():
    from sims.calibration.spec import parse_calibration

    spec = parse_calibration(validate(compose(["+calibration=quick", "calibration.targets=all"])))
    assert len(spec.targets.items) > 3


@pytest.mark.parametrize("extra, key, allowed", [
    (["cohort.probe_times_h=[24.0,9999.0]", "coupling=default", "sim=debug"],
     "cohort.probe_times_h", "inside the run"),
    (["+cohort.arms.net=['network.populations.E.n=300']"], "cohort.arms.net",
     "only reach(es) the network"),
    (["+cohort.arms.net=['receptors.populations.E.g_tonic_max_nS=5.0']"], "cohort.arms.net",
     "has no probes"),
    (["cohort.n=1000000000"], "cohort.n", "at most"),
    (["cohort.block_size=0"], "cohort.block_size", "auto"),
])
def test_cohort_values_with_no_effect_or_no_room_are_refused(tmp_path, monkeypatch, extra,
                                                             key, allowed):
    from sims.cohort import engine

    def must_not_run(*a, **kw):
        raise AssertionError("a block ran: the refusal must come while planning")

    monkeypatch.setattr(engine, "run_block", must_not_run)
    ov = [*COHORT, *extra]
    with pytest.raises(ConfigError) as err:
        run_cohort_job(validate(compose(ov)), tmp_path, ov)
    assert err.value.key == key and allowed in str(err.value), err.value
    assert not list(tmp_path.glob("*cohort.h5*"))


def test_a_slow_only_arm_with_a_slow_effect_is_accepted():
    arm = ["+cohort.arms.more_cl=['treatment=brexanolone','treatment.start_day=1.0']"]
    p = plan(_cfg(arm), [*COHORT, *arm])
    assert list(p["spec"].arms) == ["untreated", "more_cl"]


def test_auto_brain_state_needs_a_slow_clock():
    with pytest.raises(ConfigError) as err:
        validate(compose(["sim=debug", "coupling=network_only", "probe.state=auto"]))
    assert err.value.key == "probe.state" and "coupling.slow=false" in str(err.value)
    validate(compose(["sim=debug", "probe.state=auto"]))  # with a slow clock: fine


@pytest.mark.parametrize("study", ["chronic_stress_cortisol", "pmdd_luteal"])
def test_a_study_arm_with_no_effect_is_refused(study):
    from sims.study.engine import plan_study

    ov = [f"+study={study}", "cohort.n=2", "coupling=slow_only"]
    c = validate(compose(ov))
    arm = next(iter(c["study"]["arms"]))
    words = [*c["study"]["arms"][arm], "network.populations.E.n=300"]
    bad = [*ov, f"study.arms.{arm}=[" + ",".join(f"'{w}'" for w in words) + "]"]
    with pytest.raises(ConfigError) as err:
        plan_study(validate(compose(bad)), bad)
    assert err.value.key == f"study.arms.{arm}" and "no probes" in str(err.value), err.value


def test_a_sweep_is_checked_for_cohort_keys_before_any_job_runs(tmp_path):
    r = subprocess.run([sys.executable, "-m", "sims", "-m", *COHORT, "cohort.n_shards=2",
                        "cohort.shard=0,1,2", f"hydra.sweep.dir={tmp_path / 's'}"],
                       capture_output=True, text=True, timeout=300, cwd=tmp_path,
                       env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    assert r.returncode == 2, r.stderr[-2000:]
    assert "cohort.shard" in r.stderr and "cohort.shard=2" in r.stderr
    assert not list(tmp_path.rglob("cohort.h5"))
    assert not list(tmp_path.rglob("job_status.json"))  # no job was launched
    c = _cfg()
    c["cohort"] |= {"n_shards": 2, "shard": 2}
    with pytest.raises(ConfigError, match="cohort.shard"):
        prelaunch.check(c)


# --------------------------------------------------------------------------- memory
def test_auto_blocks_fit_memory_and_feed_every_worker():
    per = 1 << 20  # 1 MiB an individual
    block, why = resources.choose_block(1000, 1, 2, per, None, available=8 << 30)
    assert block == 500 and why.startswith("auto")  # two workers, one arm: two blocks
    block, _ = resources.choose_block(1000, 2, 2, per, None, available=8 << 30)
    assert block == 1000  # two arms already give the two workers a block each
    block, _ = resources.choose_block(10_000, 1, 1, per, None, available=200 << 20)
    assert block * per <= resources.MEMORY_SHARE * (200 << 20)
    with pytest.raises(ConfigError, match="cohort.block_size"):
        resources.choose_block(10_000, 1, 1, per, 5000, available=200 << 20)
    assert resources.choose_block(40, 2, 2, per, 10, available=8 << 30)[0] == 10


def test_the_auto_block_is_logged_with_progress_lines(cohort_dir, tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="sims.cohort.engine"):
        run_cohort_job(_cfg(["cohort.n=6", "cohort.block_size=2"]), tmp_path, COHORT)
    lines = [r.getMessage() for r in caplog.records]
    assert any("in 3 block(s) (cohort.block_size=2)" in m for m in lines)
    done = [m for m in lines if m.startswith("block ")]
    assert len(done) == 3 and done[-1].startswith("block 3/3") and "ETA" in done[0]


# --------------------------------------------------------------------------- workers
def test_workers_die_with_their_parent(tmp_path):
    """A parent killed with SIGKILL leaves no worker computing."""
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent("""
        import os, sys, time
        from sims.workers import process_pool

        def spin(_):
            while True:
                pass

        if __name__ == "__main__":
            pool = process_pool(2)
            futures = [pool.submit(spin, i) for i in range(2)]
            time.sleep(3)
            print(" ".join(str(p) for p in pool._processes), flush=True)
            time.sleep(600)
    """))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    pids = [int(x) for x in proc.stdout.readline().split()]
    assert len(pids) == 2 and all(_alive(p) for p in pids)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.time() + 15
    while time.time() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.2)
    alive = [p for p in pids if _alive(p)]
    for p in alive:
        os.kill(p, signal.SIGKILL)
    assert not alive, f"workers {alive} outlived their parent"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


# --------------------------------------------------------------------------- readers
def test_overrides_of_a_truncated_cohort_file_name_it(cohort_dir, tmp_path, capsys):
    from sims.cohort.cli import main

    bad = tmp_path / "cohort.h5"
    bad.write_bytes((cohort_dir / "cohort.h5").read_bytes()[:2000])
    with pytest.raises(ResultFileError, match="not a readable HDF5"):
        individual_overrides(bad, 0)
    assert main(["overrides", str(bad), "0"]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "Traceback" not in err and "errno" not in err.lower()


def test_figures_of_a_corrupt_cohort_file_say_so(cohort_dir, tmp_path, capsys):
    from analysis.cli import main

    bad = tmp_path / "cohort.h5"
    bad.write_bytes(b"")
    assert main([str(bad)]) == 2
    err = capsys.readouterr().err
    assert "empty file" in err and "still running" not in err


def _shards(tmp_path: Path, name: str, extra: list[str]) -> list[Path]:
    out = []
    for k in range(2):
        ov = [*COHORT, "cohort.n_shards=2", f"cohort.shard={k}", *extra]
        d = tmp_path / name / str(k)
        run_cohort_job(validate(compose(ov)), d, ov)
        out.append(d / "cohort.h5")
    return out


def test_collect_names_a_broken_or_foreign_shard_and_writes_nothing(tmp_path):
    from analysis.collect import collect_cohorts

    sweep = tmp_path / "sweep"
    a = _shards(sweep, "a", [])
    merged = collect_cohorts(sweep)
    assert len(merged) == 1
    assert len(collect_cohorts(sweep)) == 1  # collecting again: the same cohort's file
    b = _shards(tmp_path / "other", "b", ["seed=7"])
    # a merged file of another cohort where this one would be written: kept
    (sweep / "cohort.h5").write_bytes(b[0].read_bytes())
    with pytest.raises(OutputConflictError):
        collect_cohorts(sweep)
    assert (sweep / "cohort.h5").read_bytes() == b[0].read_bytes()
    (sweep / "cohort.h5").unlink()
    # a shard of another cohort instead of the second one: named, nothing written
    saved = a[1].read_bytes()
    a[1].write_bytes(b[1].read_bytes())
    with pytest.raises(ValueError, match="nothing was written") as err:
        collect_cohorts(sweep)
    assert "a/1" in str(err.value) and "a/0" in str(err.value)
    assert not (sweep / "cohort.h5").exists() and not list(sweep.glob("cohort_*.h5"))
    # a truncated shard: named, nothing written
    a[1].write_bytes(saved[:1500])
    with pytest.raises(ResultFileError) as err:
        collect_cohorts(sweep)
    assert str(a[1]) in str(err.value) and "nothing was written" in str(err.value)
    assert not (sweep / "cohort.h5").exists()


def test_merge_names_the_missing_rows(tmp_path):
    from sims.cohort.store import shard_plan

    a = _shards(tmp_path, "a", [])
    with pytest.raises(ValueError, match="rows 2..3 are missing"):
        shard_plan([a[0]])
    with pytest.raises(ValueError, match="overlaps"):
        shard_plan([a[0], a[0], a[1]])
    assert [p for p, _ in shard_plan(a[::-1])] == a


def test_every_cohort_and_study_reader_names_a_damaged_file(cohort_dir, tmp_path):
    from analysis.cohort_figures import load
    from sims.study.store import read_study

    bad = tmp_path / "cohort.h5"
    bad.write_bytes((cohort_dir / "cohort.h5").read_bytes()[:2500])
    with pytest.raises(ResultFileError, match="not a readable HDF5"):
        load(bad)
    (tmp_path / "study.h5").write_bytes(b"")
    with pytest.raises(ResultFileError, match="empty file"):
        read_study(tmp_path / "study.h5")
    with pytest.raises(ResultFileError, match="not a study file"):
        read_study(cohort_dir / "cohort.h5")


def test_a_damaged_partial_cohort_is_started_again_with_a_warning(tmp_path, caplog):
    part = partial_path(tmp_path / "cohort.h5")
    part.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100)  # killed while writing
    with caplog.at_level(logging.WARNING):
        assert run_cohort_job(_cfg(), tmp_path, COHORT) == "ran"
    assert str(part) in caplog.text and "starting again" in caplog.text
    assert io.is_complete(tmp_path / "cohort.h5") and not part.exists()


def test_a_damaged_sensitivity_record_is_named(tmp_path):
    sweep = tmp_path / "sens"
    sweep.mkdir()
    (sweep / "sensitivity_spec.json").write_text("{not json")
    r = subprocess.run([sys.executable, "-m", "sims", "-m", "+sensitivity=quick",
                        f"hydra.sweep.dir={sweep}"], capture_output=True, text=True,
                       timeout=300, cwd=tmp_path,
                       env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    assert r.returncode == 2, r.stderr[-2000:]
    assert "sensitivity_spec.json" in r.stderr and "Traceback" not in r.stderr
    assert (sweep / "sensitivity_spec.json").read_text() == "{not json"


def test_a_config_file_that_is_not_yaml_is_bad_input_not_a_crash(tmp_path):
    """A user's edit that breaks a config file's YAML: exit 2 naming the file and line."""
    import yaml

    from sims.errors import EXIT_BAD_INPUT, exit_code

    with pytest.raises(yaml.YAMLError) as err:
        yaml.safe_load("a: b: c")
    assert exit_code(err.value) == EXIT_BAD_INPUT
    groups = tmp_path / "targets"
    groups.mkdir()
    (groups / "broken.yaml").write_text("name: broken\nitems:\n  x: {source: a: b}\n")
    r = subprocess.run([sys.executable, "-m", "sims", "+targets=broken", "sim=debug",
                        f"hydra.searchpath=[file://{tmp_path}]",
                        f"hydra.run.dir={tmp_path / 'run'}"], capture_output=True, text=True,
                       timeout=300, cwd=tmp_path,
                       env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    assert r.returncode == 2, r.stderr[-2000:]
    assert "Traceback" not in r.stderr and "broken.yaml" in r.stderr
