"""Targets, allonet-check, calibration and sensitivity through the real commands: the table,
an SQLite study that resumes (and refuses another calibration's storage), resumable
sensitivity samples, bad input before anything runs, and every named analysis composes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

from sims.calibration.evaluate import check_parameters
from sims.calibration.spec import parse_calibration, parse_sensitivity
from sims.check_cli import main as check_main
from sims.config import CONFIG_DIR, compose
from sims.errors import ConfigError

PROJECT_ROOT = CONFIG_DIR.parent

ALLONET = [sys.executable, "-m", "sims"]


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*ALLONET, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env={**__import__("os").environ,
                                            "PYTHONPATH": str(PROJECT_ROOT)})


def _complete(db: Path) -> int:
    with sqlite3.connect(db) as c:
        return c.execute("select count(*) from trials where state='COMPLETE'").fetchone()[0]


def test_allonet_check_prints_and_writes_the_table(tmp_path, capsys):
    only = "acute_stress_peak_time,acute_stress_peak_fold,ipsc_decay_100nM," \
           "ppd_brexanolone_lowers_e_rate"
    assert check_main(["coupling=slow_only", "--only", only, "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "acute_stress_peak_time" in out and "Barbaccia" in out
    assert "SKIPPED (needs network probes" in out  # the network target, under slow_only
    # the stress fold (x2.15) fails the corrected [3, 20] row (Barbaccia x3, Purdy 4-20x)
    assert "2 pass, 1 fail, 1 skipped (of 4 targets)" in out
    with h5py.File(tmp_path / "check.h5") as f:
        assert f.attrs["complete"]
        names = [x.decode() for x in f["targets/target"][()]]
        z = dict(zip(names, f["targets/z"][()], strict=True))
    assert names[0] == "acute_stress_peak_time" and z["ipsc_decay_100nM"] == 0.0
    assert np.isnan(z["ppd_brexanolone_lowers_e_rate"])
    assert (tmp_path / "check.csv").read_text().count("\n") == 5


def test_allonet_check_refuses_bad_input(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        check_main(["coupling=slow_only", "--only", "no_such_target", "--out", str(tmp_path)])
    assert info.value.code == 2
    assert "no_such_target" in capsys.readouterr().err
    assert not (tmp_path / "check.h5").exists()


def test_calibration_resumes_from_its_sqlite_storage_and_refuses_another(tmp_path):
    cal = tmp_path / "cal"
    args = ["-m", "+calibration=quick", f"hydra.sweep.dir={cal}", "calibration.n_trials=2",
            f"calibration.export_dir={tmp_path / 'exp'}"]
    first = _run(args, tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    db = cal / "calibration.db"
    assert _complete(db) == 2
    second = _run(args, tmp_path)
    assert second.returncode == 0, second.stderr[-2000:]
    assert _complete(db) == 4  # continued: more trials, the first two not re-run
    trials = sorted(p.name for p in cal.glob("trial_*"))
    assert trials == ["trial_0", "trial_1", "trial_2", "trial_3"]
    history = (cal / "history.csv").read_text().splitlines()
    assert len(history) == 5
    # trial 0 is the model as configured (label CL 1.2 L/h/kg, V2 5 L/kg)
    assert history[0].split(",")[:4] == ["trial", "loss", "best_so_far", "n_fail"]
    assert history[1].split(",")[4:6] == ["1.2", "5.0"]
    # the failures counted per trial agree with the best set's target table, and the
    # reported best passing trial has none
    hist = pd.read_csv(cal / "history.csv")
    table = pd.read_csv(cal / "best_targets.csv")
    best_row = hist.loc[hist["loss"].idxmin()]
    assert best_row["n_fail"] == (table["status"] == "fail").sum()
    exported = (tmp_path / "exp" / "calibrated" / "quick.yaml").read_text()
    assert exported == (cal / "best.yaml").read_text()
    node = OmegaConf.to_container(OmegaConf.create(exported.split("\n", 1)[1]))
    assert node["calibrated"]["parameters"]["treatment.cl_L_per_h_per_kg"]["when"] == {
        "treatment.name": ["brexanolone"]}
    with h5py.File(cal / "calibration.h5") as f:
        assert f["trials/loss"].shape == (4,)
        assert f.attrs["best_loss"] == pytest.approx(min(f["trials/loss"][()]))
        passing = int(f.attrs["best_passing_trial"])
    if passing >= 0:
        assert hist.set_index("trial").loc[passing, "n_fail"] == 0
    else:
        assert not ((hist["n_fail"] == 0)
                    & (hist["loss"] <= hist["loss"].min() + 5.99)).any()
    # another calibration (other bounds) on the same storage: refused, nothing mixed in
    third = _run([*args, "calibration.parameters.v2.high=30"], tmp_path)
    assert third.returncode == 2
    assert "refusing to mix" in third.stderr
    assert _complete(db) == 4


def test_calibrated_values_apply_only_under_their_treatment(tmp_path):
    from sims.config import apply_calibrated, validate

    node = {"name": "x", "parameters": {"treatment.cl_L_per_h_per_kg": {
        "value": 2.0, "when": {"treatment.name": ["brexanolone"]}}}}
    for treatment, expected in (("brexanolone", 2.0), ("none", None)):
        cfg = compose([f"treatment={treatment}"])
        cfg.calibrated = node
        c = validate(cfg)
        assert c["treatment"].get("cl_L_per_h_per_kg") == expected
    c = OmegaConf.to_container(compose(["treatment=brexanolone"]), resolve=True)
    c["calibrated"] = {"parameters": {"treatment.no_such_key": {"value": 1.0}}}
    with pytest.raises(ConfigError, match="treatment.no_such_key"):
        apply_calibrated(c)


def test_sensitivity_resumes_and_writes_indices(tmp_path):
    sens = tmp_path / "sens"
    args = ["-m", "+sensitivity=quick", f"hydra.sweep.dir={sens}", "sensitivity.n=2",
            "~sensitivity.outcomes.brexanolone_level", "~sensitivity.parameters.cl"]
    first = _run(args, tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    assert len(list(sens.glob("sample_*/measures.json"))) == 6  # 2 trajectories x 3
    with h5py.File(sens / "sensitivity.h5") as f:
        assert f["indices/mu_star"].shape == (2, 2)  # outcome x parameter
        mu = f["indices/mu_star"][()]
    # both the synthesis gain and the precursor's half-life set the pulse's size
    assert np.all(mu[0] > 0)
    stamp = {p: p.stat().st_mtime for p in sens.glob("sample_*/measures.json")}
    second = _run(args, tmp_path)
    assert second.returncode == 0, second.stderr[-2000:]
    assert {p: p.stat().st_mtime for p in sens.glob("sample_*/measures.json")} == stamp
    assert "6 already measured, 0 to run" in second.stdout + second.stderr


def _named() -> list[tuple[str, str]]:
    return [(g, p.stem) for g in ("calibration", "sensitivity")
            for p in sorted((CONFIG_DIR / g).glob("*.yaml"))]


@pytest.mark.parametrize("group, name", _named())
def test_every_named_analysis_composes_and_checks(group, name):
    c = OmegaConf.to_container(compose([f"+{group}={name}"]), resolve=True)
    spec = parse_calibration(c) if group == "calibration" else parse_sensitivity(c)
    items = spec.targets if group == "calibration" else spec.outcomes
    check_parameters({p.label: p for p in spec.parameters}, items, [], f"{group}.parameters")


@pytest.mark.parametrize("override, key", [
    ("calibration.parameters.v2.low=30", "calibration.parameters.v2.low"),
    ("calibration.parameters.v2.key=treatment.no_such_key", "calibration.parameters.v2"),
    ("calibration.parameters.v2.key=scenario.name", "calibration.parameters.v2"),
    ("calibration.targets=[no_such_target]", "calibration.targets"),
    ("calibration.parameters.v2.log=true calibration.parameters.v2.low=0",
     "calibration.parameters.v2.low"),
])
def test_bad_calibrations_are_refused_before_anything_runs(override, key):
    c = OmegaConf.to_container(compose(["+calibration=quick", *override.split()]),
                               resolve=True)
    with pytest.raises(ConfigError) as info:
        spec = parse_calibration(c)
        check_parameters({p.label: p for p in spec.parameters}, spec.targets, [],
                         "calibration.parameters")
    assert info.value.key.startswith(key)


def test_a_bad_calibration_exits_2_through_the_command(tmp_path):
    r = _run(["-m", "+calibration=quick", f"hydra.sweep.dir={tmp_path / 'c'}",
              "calibration.parameters.v2.low=30"], tmp_path)
    assert r.returncode == 2
    assert "calibration.parameters.v2.low" in r.stderr
    assert not (tmp_path / "c" / "calibration.db").exists()


def test_allonet_check_applies_calibrated_values(tmp_path, monkeypatch):
    """``+calibrated=NAME`` reaches every experiment that has the key (and no other)."""
    from sims.calibration.evaluate import evaluate
    from sims.calibration.targets import parse_targets

    folder = tmp_path / "outputs" / "configs" / "calibrated"
    folder.mkdir(parents=True)
    (folder / "t.yaml").write_text(
        "# @package _global_\ncalibrated:\n  name: t\n  parameters:\n"
        "    treatment.cl_L_per_h_per_kg: {value: 2.4, when: {treatment.name: [brexanolone]}}\n")
    monkeypatch.chdir(tmp_path)  # the search path outputs/configs is relative to the cwd
    c = OmegaConf.to_container(compose(["+targets=default"]), resolve=True)
    ts = parse_targets(c["targets"], list(c["network"]["populations"])).select(
        ["brexanolone_level_90", "acute_stress_peak_fold"])
    plain = {r.target.name: r.value for r in evaluate(ts, ["coupling=slow_only"])}
    cal = {r.target.name: r.value for r in evaluate(ts, ["coupling=slow_only",
                                                         "+calibrated=t"])}
    assert cal["brexanolone_level_90"] == pytest.approx(plain["brexanolone_level_90"] / 2,
                                                        rel=0.1)  # twice the clearance
    assert cal["acute_stress_peak_fold"] == plain["acute_stress_peak_fold"]


def test_uncertainty_runs_the_accepted_sets_and_reports_their_quantiles(tmp_path):
    from sims.io import read_result

    cal = tmp_path / "cal"
    r = _run(["-m", "+calibration=quick", f"hydra.sweep.dir={cal}", "calibration.n_trials=3",
              f"calibration.export_dir={tmp_path / 'exp'}"], tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    unc = tmp_path / "unc"
    args = ["-m", "+uncertainty=from_calibration", f"uncertainty.calibration={cal}",
            "uncertainty.delta_loss=1e9", f"hydra.sweep.dir={unc}", "treatment=brexanolone",
            "treatment.start_day=0", "scenario.duration_days=3", "coupling=slow_only"]
    r = _run(args, tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    runs = [read_result(unc / f"set_{i}" / "result.h5") for i in range(3)]
    stack = np.stack([x.groups["slow"]["allo_drug_plasma"].data for x in runs])
    with h5py.File(unc / "uncertainty.h5") as f:
        q = f["slow_bands/allo_drug_plasma"][()]
        assert list(f["quantile/quantile"][()]) == [0.05, 0.5, 0.95]
        assert sorted(f["sets/trial"][()]) == [0, 1, 2]
    # the median band is the median of the three runs (computed a second way)
    assert np.allclose(q[:, 1], np.median(stack, axis=0))
    assert np.all(q[:, 0] <= q[:, 1]) and np.all(q[:, 1] <= q[:, 2])
    assert np.max(q[:, 2] - q[:, 0]) > 1.0  # the sets differ in clearance: a real band
    figs = subprocess.run([sys.executable, "-m", "analysis.cli", str(unc / "uncertainty.h5")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={**__import__("os").environ, "PYTHONPATH": str(PROJECT_ROOT)})
    assert figs.returncode == 0, figs.stderr
    assert (unc / "figures" / "uncertainty.png").stat().st_size > 10_000
    again = _run(args, tmp_path)  # resumable: every set's run is complete, none re-run
    assert again.returncode == 0 and "3 skipped" in again.stderr + again.stdout
    # without the treatment the calibrated keys do not exist: refused, nothing runs
    bad = _run(["-m", "+uncertainty=from_calibration", f"uncertainty.calibration={cal}",
                f"hydra.sweep.dir={tmp_path / 'unc2'}", "coupling=slow_only"], tmp_path)
    assert bad.returncode == 2 and "uncertainty.calibration" in bad.stderr
    missing = _run(["-m", "+uncertainty=from_calibration",
                    f"uncertainty.calibration={tmp_path / 'nowhere'}",
                    f"hydra.sweep.dir={tmp_path / 'unc3'}"], tmp_path)
    assert missing.returncode == 2 and "calibration.db" in missing.stderr


def test_a_time_outside_the_run_is_refused_before_anything_runs():
    from sims.calibration.evaluate import evaluate
    from sims.calibration.targets import parse_targets

    node = {"experiments": {"e": {"overrides": ["scenario=acute_stress"]}},  # 1 day
            "items": {"late": {"source": "x", "experiment": "e",
                               "statistic": {"kind": "value", "variable": "allo_brain",
                                             "at_h": 30},
                               "published": {"value": 1.0, "sd": 0.5}}}}
    with pytest.raises(ConfigError) as info:
        evaluate(parse_targets(node, ["E"]), ["coupling=slow_only"])
    assert info.value.key == "targets.items.late.statistic.at_h"
    assert "0 to 24 h" in str(info.value)


def test_a_runaway_experiment_fails_its_own_targets_and_the_rest_still_score():
    """A network that runs away in one experiment is a model outcome, not a crash: the
    targets reading that experiment fail with the reason, the others are scored as alone."""
    from sims.calibration.evaluate import evaluate
    from sims.calibration.targets import parse_targets

    rate = {"kind": "value", "variable": "probe.rate.E", "at_h": 1}
    node = {"experiments": {
                "ok": {"overrides": ["scenario=baseline", "scenario.duration_days=1"]},
                # any spike at all counts as runaway here
                "wild": {"overrides": ["scenario=baseline", "scenario.duration_days=1",
                                       "probe.max_rate_Hz=1e-6"]}},
            "items": {"calm": {"source": "x", "experiment": "ok", "statistic": rate,
                               "published": {"range": [0.1, 100], "unit": "Hz"}},
                      "runaway": {"source": "x", "experiment": "wild", "statistic": rate,
                                  "published": {"range": [0.1, 100], "unit": "Hz"}}}}
    res = {r.target.name: r for r in evaluate(parse_targets(node, ["E", "PV", "SST", "PVN"]),
                                              ["sim=debug", "seed_mode=shared"])}
    assert res["runaway"].status == "fail" and "experiment wild" in res["runaway"].reason
    assert "max_rate_Hz" in res["runaway"].reason
    assert res["calm"].status == "pass" and 0.1 < res["calm"].value < 100


def test_two_drivers_share_one_study(tmp_path):
    """Two `allonet -m +calibration=quick` started together on one folder: one schema, one
    enqueued start, every trial a distinct point."""
    import os

    cal = tmp_path / "cal"
    args = [*ALLONET, "-m", "+calibration=quick", f"hydra.sweep.dir={cal}",
            "calibration.n_trials=2", f"calibration.export_dir={tmp_path / 'exp'}"]
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    procs = [subprocess.Popen(args, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-1500:] for o in outs]
    assert _complete(cal / "calibration.db") == 4
    with sqlite3.connect(cal / "calibration.db") as c:
        points = c.execute("select trial_id, group_concat(param_value) from trial_params "
                           "group by trial_id").fetchall()
    assert len({p for _, p in points}) == 4
