"""Virtual studies end to end on small cohorts: every named study composes and runs, a
paired design has the same individuals in every arm (a parallel one different ones),
the tables round-trip (HDF5, CSV, Parquet), the summary's statistics are scipy's on the
table's numbers, measurements are reproducible from the seed, and bad input is refused
before anything is written."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest
from scipy import stats as ss

from analysis.study_figures import study_figures
from sims.config import CONFIG_DIR, compose, validate
from sims.errors import ConfigError
from sims.study import evaluate
from sims.study.engine import StudyClockWarning, plan_study, run_study_job
from sims.study.store import read_study

STUDIES = sorted(p.stem for p in (CONFIG_DIR / "study").glob("*.yaml"))
QUICK = ["sim=debug", "coupling.progress=false", "cohort.workers=1"]
#: The trial on a short run: enrolment on postpartum days 1-3 (day 45 of the last falls on
#: run day 61 of 64) instead of Hummingbird's 1-180 over 240 days.
TRIAL_WINDOW = ["cohort.enrolment.days.to=3", "scenario.duration_days=64"]
TRIAL = ["+study=ppd_treatment_trial", "cohort.n=2", *QUICK, *TRIAL_WINDOW]


def _run(name: str, out: Path, n: int = 3, extra: tuple[str, ...] = ()) -> Path:
    ov = [f"+study={name}", f"cohort.n={n}", *QUICK, *extra]
    assert run_study_job(validate(compose(ov)), out, ov) == "ran"
    return out


@pytest.fixture(scope="module")
def trial(tmp_path_factory) -> Path:
    return _run("ppd_treatment_trial", tmp_path_factory.mktemp("trial"), n=2,
                extra=tuple(TRIAL_WINDOW))


@pytest.fixture(scope="module")
def pmdd(tmp_path_factory) -> Path:
    return _run("pmdd_luteal", tmp_path_factory.mktemp("pmdd"))


def test_the_named_studies_exist():
    assert {"postpartum_blues_day3", "pmdd_luteal", "ppd_treatment_trial",
            "chronic_stress_cortisol"} <= set(STUDIES)


@pytest.mark.parametrize("name", STUDIES)
def test_every_named_study_composes_validates_and_states_its_question(name):
    text = (CONFIG_DIR / "study" / f"{name}.yaml").read_text()
    assert "Question:" in text and "Run time on 2 cores" in text
    p = plan_study(validate(compose([f"+study={name}", "cohort.n=4"])), [f"+study={name}"])
    assert p["spec"].question and p["spec"].endpoints
    assert (p["spec"].comparisons or p["spec"].correlations)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["postpartum_blues_day3", "chronic_stress_cortisol"])
def test_named_studies_run_on_a_small_cohort(name, tmp_path):
    out = _run(name, tmp_path)
    _check_outputs(out)


def test_the_trial_and_the_parallel_study_write_their_tables(trial, pmdd):
    for out in (trial, pmdd):
        _check_outputs(out)
    m = pd.read_csv(trial / "measurements.csv")
    assert set(m["arm"]) == {"placebo", "brexanolone", "zuranolone"}
    s = pd.read_csv(trial / "summary.csv")
    assert {"group", "rate", "comparison", "rate_difference", "correlation"} <= set(s["kind"])


def _check_outputs(out: Path) -> None:
    for f in ("study.h5", "measurements.csv", "measurements.parquet", "summary.csv",
              "endpoints.csv"):
        assert (out / f).is_file(), f
    assert not list(out.glob(".*.partial"))
    with h5py.File(out / "study.h5", "r") as f:
        assert f.attrs["complete"] and f.attrs["kind"] == "study" and f.attrs["config_yaml"]
        assert f["measurements/measured_value"].attrs["description"]
    m = pd.read_csv(out / "measurements.csv")
    assert {"individual", "arm", "visit", "day", "clock_h", "analyte", "matrix", "assay",
            "true_value", "measured_value", "unit", "censored"} <= set(m.columns)
    assert m["measured_value"][m["censored"]].isna().all()  # censored: flagged, never 0
    assert len(pd.read_csv(out / "summary.csv")) >= 2


def test_a_paired_design_has_the_same_individuals_in_every_arm(trial):
    m = pd.read_csv(trial / "measurements.csv")
    base = m[(m["visit"] == "baseline") & (m["analyte"] == "progesterone")]
    wide = base.pivot(index="individual", columns="arm", values="true_value")
    # before the first dose the arms are the same people in the same state...
    assert (wide["brexanolone"] == wide["placebo"]).all()
    assert (wide["zuranolone"] == wide["placebo"]).all()
    rate = m[(m["visit"] == "baseline") & (m["analyte"] == "rate.E")].pivot(
        index="individual", columns="arm", values="true_value")
    assert (rate["zuranolone"] == rate["placebo"]).all()
    # ...but each sample has its own assay noise
    noisy = base.pivot(index="individual", columns="arm", values="measured_value")
    assert not np.allclose(noisy["brexanolone"], noisy["placebo"])
    with h5py.File(trial / "cohort.h5", "r") as f:
        assert list(f["status/arm"].asstr()[()]) == ["placebo", "brexanolone", "zuranolone"]


def test_a_parallel_design_has_different_individuals_per_arm(pmdd):
    m = pd.read_csv(pmdd / "measurements.csv")
    ids = {a: set(g["individual"]) for a, g in m.groupby("arm")}
    assert not ids["control"] & ids["pmdd"]
    with h5py.File(pmdd / "arms/control/cohort.h5", "r") as c, \
            h5py.File(pmdd / "arms/pmdd/cohort.h5", "r") as p:
        assert not np.array_equal(c["individuals/seed"][()], p["individuals/seed"][()])
        assert p["individuals/alpha4_withdrawal"][()].mean() > \
            c["individuals/alpha4_withdrawal"][()].mean() * 0  # sampled in both arms
    s = pd.read_csv(pmdd / "summary.csv")
    assert set(s.loc[s["kind"] == "comparison", "arm"]) == {"pmdd"}


def test_tables_round_trip_through_hdf5_csv_and_parquet(trial):
    st = read_study(trial / "study.h5")
    csv = pd.read_csv(trial / "measurements.csv")
    pq = pd.read_parquet(trial / "measurements.parquet")
    h5 = st["measurements"]
    for col in ("individual", "true_value", "measured_value", "time_h", "censored"):
        assert np.array_equal(h5[col].to_numpy(), pq[col].to_numpy(), equal_nan=True), col
        assert np.allclose(h5[col].to_numpy(float), csv[col].to_numpy(float), rtol=1e-15,
                           equal_nan=True), col
    for col in ("arm", "visit", "analyte", "unit"):
        assert h5[col].tolist() == pq[col].tolist() == csv[col].tolist()
    summ = pd.read_csv(trial / "summary.csv")
    assert np.allclose(st["summary"]["p_value"].to_numpy(float), summ["p_value"].to_numpy(float),
                       equal_nan=True)
    assert st["attrs"]["study"] == "ppd_treatment_trial"


def test_summary_statistics_are_scipys_on_the_tables_numbers(trial):
    e = pd.read_csv(trial / "endpoints.csv")
    s = pd.read_csv(trial / "summary.csv")
    v = e[e["endpoint"] == "excitability_h60"]
    x = v.loc[v["arm"] == "zuranolone", "value"].to_numpy()
    y = v.loc[v["arm"] == "placebo", "value"].to_numpy()
    row = s[(s["endpoint"] == "excitability_h60") & (s["kind"] == "comparison")
            & (s["arm"] == "zuranolone")].iloc[0]
    # paired design: the rows are the same individuals in the same order in both arms
    assert (v.loc[v["arm"] == "zuranolone", "individual"].to_numpy()
            == v.loc[v["arm"] == "placebo", "individual"].to_numpy()).all()
    assert row["test"] == "paired_t" and "paired: every arm holds the same" in row["description"]
    group = s[(s["endpoint"] == "excitability_h60") & (s["kind"] == "group")
              & (s["arm"] == "zuranolone")].iloc[0]
    assert group["sd"] == pytest.approx(np.std(x, ddof=1))  # the between-person spread
    want = ss.ttest_rel(x, y)
    assert row["p_value"] == pytest.approx(want.pvalue)
    assert row["difference"] == pytest.approx(x.mean() - y.mean())
    m = pd.read_csv(trial / "measurements.csv")
    rate = m[(m["analyte"] == "rate.E") & (m["arm"] == "zuranolone")].pivot(
        index="individual", columns="visit", values="measured_value")
    change = 100 * (rate["h60"] - rate["baseline"]) / rate["baseline"]
    assert x == pytest.approx(change.to_numpy())


def test_measurements_are_reproducible_from_the_seed(trial):
    ov = [*TRIAL]
    p = plan_study(validate(compose(ov)), ov)
    files = {".": trial / "cohort.h5"}
    a = evaluate.analyse(p, files, 1234)["measurements"]["measured_value"]
    b = evaluate.analyse(p, files, 1234)["measurements"]["measured_value"]
    c = evaluate.analyse(p, files, 99)["measurements"]["measured_value"]
    stored = pd.read_csv(trial / "measurements.csv")["measured_value"].to_numpy()
    assert np.array_equal(a, b, equal_nan=True) and np.allclose(a, stored, equal_nan=True)
    assert not np.allclose(a, c, equal_nan=True)
    # individual k's noise is its own: it does not depend on how many others there are
    assert np.array_equal(evaluate.noise(1234, 8, 0, 5, 4), evaluate.noise(1234, 8, 0, 5, 9)[:4])


def test_a_complete_study_is_skipped(trial):
    ov = [*TRIAL]
    assert run_study_job(validate(compose(ov)), trial, ov) == "skipped"


@pytest.mark.parametrize(("extra", "key", "allowed"), [
    (["study.visits.day15.day=60"], "study.visits.day15.day", "inside the simulated span"),
    (["measurement.analytes.allo.variable=estradiol_plasma"], "study.samples[0].analytes",
     "slow variable the run produces"),
    (["measurement.assays.lcmsms.allo.cv=-0.1"], "measurement.assays.lcmsms.allo.cv", ">= 0"),
    (["measurement.assays.lcmsms.allo.bias=-2"], "measurement.assays.lcmsms.allo.bias", "> 0"),
    (["study.arms.zuranolone=['treatment=zuranolone','network.populations.E.n=300']"],
     "study.arms.zuranolone", "structural_arms"),
    (["study.arms.zuranolone=['treatment=zuranolone','cohort.n=5']"], "study.arms.zuranolone",
     "paired design"),
    (["study.visits.h60.relative_to=treatment_start"], "study.visits.h60.relative_to",
     "arm placebo"),
    (["study.endpoints.allo_h60.assay=ria"], "study.endpoints.allo_h60.assay",
     "an assay measuring allo in serum"),
    (["study.endpoints.allo_h60.analyte=nosuch"], "study.endpoints.allo_h60.analyte",
     "an analyte of study.samples"),
    (["study.endpoints.allo_h60.matrix=saliva"], "study.endpoints.allo_h60.matrix",
     "a matrix allo is sampled in"),
])
def test_bad_studies_are_refused_before_anything_runs(extra, key, allowed, tmp_path):
    ov = [*TRIAL, *extra]
    with pytest.raises(ConfigError) as e:
        run_study_job(validate(compose(ov)), tmp_path, ov)
    assert e.value.key == key and allowed in str(e.value)
    assert not [p for p in tmp_path.iterdir() if not p.name.endswith(".lock")]


def test_study_figures_with_captions_and_provenance(trial, tmp_path, figure_text_check):
    import analysis.study_figures as module

    checked = figure_text_check(module)
    made = study_figures(trial / "study.h5", tmp_path, ["png"])
    assert {"measured_vs_true", "arms", "correlations", "responders", "time_course"} <= set(made)
    assert {k: v[:2] for k, v in checked.items() if v[0] or v[1]} == {}  # readable text
    assert all("inf" not in str(t) for t in checked["study_responders"][0])
    from PIL import Image

    meta = Image.open(made["arms"][0]).text
    assert "against the reference arm 'placebo'" in meta["Description"]
    assert meta["allonet:study"] == "ppd_treatment_trial" and meta["allonet:config_hash"]
    captions = (tmp_path / "captions.txt").read_text().splitlines()
    assert len(captions) == len(made) and all(c.startswith("study_") for c in captions)
    assert all("Study 'ppd_treatment_trial'" in c for c in captions)  # what is drawn


def test_a_change_from_baseline_across_clock_times_warns_before_anything_runs():
    """A baseline at 23:00 against hour 60 at 12:00 (the trial once had its baseline at
    23:30: brain THDOC rose 0.52 -> 1.18 nM between those clock times in the placebo arm).
    Planning warns, naming the endpoint and the two clock times; the shipped trial does
    not (its baseline is at 12:00 the day before the first dose)."""
    ov = [*TRIAL,
          "~study.visits.baseline", "+study.visits.baseline={relative_to: enrolment, hours: -25}"]
    with pytest.warns(StudyClockWarning, match=r"excitability_h60 .* at 12:00 .* at 23:00"):
        p = plan_study(validate(compose(ov)), ov)
    assert "excitability_h60" in p["clock_mismatch"]
    shipped = [*TRIAL]
    assert plan_study(validate(compose(shipped)), shipped)["clock_mismatch"] == {}


def test_the_trial_visits_and_probes_each_individual_from_its_own_enrolment(trial):
    """Hummingbird / SKYLARK schedules: each individual enrolled on its own postpartum
    day; hour 60 and days 15, 30, 45 are counted from it, at 12:00 like the baseline."""
    with h5py.File(trial / "cohort.h5", "r") as f:
        enrol = dict(zip(f["individuals/individual"][()],
                         f["individuals/enrolment_day"][()] * 24.0, strict=True))
        assert f["probes/probe_time"].attrs["relative_to"] == "enrolment"
    m = pd.read_csv(trial / "measurements.csv")
    want = {"baseline": -12.0, "h60": 60.0, "day15": 14 * 24 + 12.0, "day30": 29 * 24 + 12.0,
            "day45": 44 * 24 + 12.0}
    for visit, after in want.items():
        for analyte in ("rate.E", "allo"):
            rows = m[(m["visit"] == visit) & (m["analyte"] == analyte)]
            assert len(rows) == 6, (visit, analyte)  # 2 individuals x 3 arms
            got = rows["time_h"] - rows["individual"].map(enrol)
            assert np.allclose(got, after), (visit, analyte)
            assert np.allclose(rows["clock_h"], 12.0)
