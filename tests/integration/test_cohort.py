"""Virtual cohorts: individual k equals its single run, shards equal one run, the file
round-trips, a killed cohort resumes, bad input is refused before anything runs."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import h5py
import numpy as np
import pytest
import yaml

from analysis.cohort_figures import bootstrap_prevalence, cohort_figures, load, spearman_ci
from sims.cohort.engine import plan, run_cohort_job
from sims.cohort.store import individual_overrides, merge, partial_path
from sims.config import CONFIG_DIR, compose, validate
from sims.errors import ConfigError
from sims.io import read_result
from sims.simulate import simulate

#: A 5-individual postpartum cohort of 2 days on the debug network, one probe at 24 h;
#: blocks of 3, so individual 4 is in the second block.
SMALL = ["+cohort=postpartum", "cohort.n=5", "scenario.duration_days=2",
         "slow.burn_in_days=1", "cohort.arms.brexanolone=null", "~cohort.outcomes",
         "cohort.probe_times_h=[24.0]", "cohort.block_size=3", "cohort.workers=1",
         "cohort.record.every_h=1.0", "sim=debug", "coupling.progress=false"]
SLOW_ONLY = [o for o in SMALL if not o.startswith(("cohort.probe", "sim=", "cohort.arms"))] + [
    "coupling=slow_only", "cohort.arms.brexanolone=['treatment=brexanolone',"
    "'treatment.start_day=1.0']", "cohort.n=6"]


def _run(overrides: list[str], out: Path) -> Path:
    assert run_cohort_job(validate(compose(overrides)), out, overrides) == "ran"
    return out / "cohort.h5"


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    return _run(SMALL, tmp_path_factory.mktemp("cohort"))


def test_individual_k_equals_its_single_run_exactly(small, tmp_path):
    k = 4
    ov = individual_overrides(small, k)
    assert "seed_mode=shared" in ov and any(o.startswith("homeostasis.tau_up_days=") for o in ov)
    single = read_result(simulate(compose([*ov, "coupling.probe_times_h=[24.0]"]),
                                  out_dir=tmp_path) and tmp_path / "result.h5")
    with h5py.File(small, "r") as f:
        t = f["slow/time"][()]
        st = single.groups["slow"]["time"].data
        idx = np.searchsorted(st, t)
        assert np.array_equal(st[idx], t)
        for name in ("allo_brain", "delta_E", "cortisol"):
            got, want = f[f"slow/{name}"][0, k], single.groups["slow"][name].data[idx]
            assert np.array_equal(got, want), name  # bit-identical, not merely close
        metrics = [n for n, ds in f["probes"].items() if ds.ndim >= 3]
        assert "rate" in metrics
        for name in metrics:  # every probe metric of the cohort file
            got = f[f"probes/{name}"][0, k]
            want = single.groups["probes"][name].data
            assert np.array_equal(got, want, equal_nan=True), name
        assert f["status/ok"][0, k] == 1


def test_the_cohort_file_is_complete_and_self_describing(small):
    with h5py.File(small, "r") as f:
        assert f.attrs["complete"] and f.attrs["kind"] == "cohort"
        assert not partial_path(small).exists()
        ind = f["individuals"]
        assert list(ind["individual"][()]) == [0, 1, 2, 3, 4]
        assert ind["tau_up"].attrs["key"] == "homeostasis.tau_up_days"
        assert ind["tau_up"].attrs["units"] == "days" and ind["tau_up"].attrs["source"]
        assert f["slow/delta_E"].shape == (1, 5, 49)  # [arm, individual, time]
        assert f["slow/delta_E"].dims[1][0].name == "/slow/individual"
        assert f["probes/rate"].shape == (1, 5, 1, 4)  # [arm, individual, probe, population]
        assert json.loads(f.attrs["reproduce_json"])["untreated"][0] == \
            "scenario=pregnancy_postpartum"


def test_sharded_equals_unsharded_bit_for_bit(tmp_path):
    one = _run(SLOW_ONLY, tmp_path / "one")
    parts = [_run([*SLOW_ONLY, f"cohort.shard={s}", "cohort.n_shards=3"], tmp_path / f"s{s}")
             for s in range(3)]
    merged = merge(parts[::-1], tmp_path / "cohort.h5")  # order does not matter
    with h5py.File(one, "r") as a, h5py.File(merged, "r") as b:
        assert int(b.attrs["n_shards"]) == 3
        assert a.attrs["seed"] == b.attrs["seed"]

        def same(name, obj):
            if isinstance(obj, h5py.Dataset):
                assert np.array_equal(obj[()], b[name][()]), name
        a.visititems(same)
        assert b["slow/allo_brain"].shape == (2, 6, 49)
        # the treatment arm differs from the untreated one after the infusion starts
        assert not np.array_equal(b["slow/allo_plasma"][0], b["slow/allo_plasma"][1])


def test_a_killed_cohort_resumes_its_missing_blocks(tmp_path, monkeypatch):
    from sims.cohort import engine

    calls = []
    real = engine.run_block

    def dies_on_second_block(c, values, seeds, *a, **kw):
        calls.append(len(seeds))
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(c, values, seeds, *a, **kw)

    monkeypatch.setattr(engine, "run_block", dies_on_second_block)
    ov = [*SLOW_ONLY, "cohort.arms.brexanolone=null"]
    with pytest.raises(KeyboardInterrupt):
        _run(ov, tmp_path)
    assert not (tmp_path / "cohort.h5").exists() and partial_path(tmp_path / "cohort.h5").exists()
    calls.clear()
    path = _run(ov, tmp_path)
    assert calls == [3]  # only the second block ran again
    with h5py.File(path, "r") as f:
        assert f.attrs["complete"] and np.all(f["status/ok"][()] == 1)


#: Categoricals of names: a config group's option and a string key; 5 individuals in one
#: block of 5 that holds several strata.
NAMES = [o for o in SLOW_ONLY if not o.startswith(("cohort.arms", "cohort.n=", "~cohort"))] + [
    "cohort.n=5", "cohort.block_size=5", "cohort.arms.brexanolone=null",
    "cohort.outcomes.delta_pp3=null", "cohort.outcomes.allo_fall_pp3=null",
    "+cohort.outcomes.delta_max={variable: delta_E, statistic: max, window_h: [0, 48]}",
    "+cohort.parameters.variant={key: homeostasis, dist: categorical, values: [steroid, none],"
    " source: '[assumption] test'}",
    "+cohort.parameters.species={key: homeostasis.species, dist: categorical, values: [mouse,"
    " rat], source: '[assumption] test'}"]


def test_categoricals_of_names_run_by_stratum_and_equal_their_single_runs(tmp_path):
    path = _run(NAMES, tmp_path / "cohort")
    with h5py.File(path, "r") as f:
        ind = f["individuals"]
        variant = [v.decode() for v in ind["variant"][()]]
        species = [v.decode() for v in ind["species"][()]]
        assert ind["variant"].attrs["key"] == "homeostasis"
        combos = set(zip(variant, species, strict=True))
        assert len(combos) >= 3  # one block, several strata
        delta = f["slow/delta_E"][0]
        t = f["slow/time"][()]
        for k in range(5):
            if variant[k] == "none":  # rule none: expression stays at the configured make-up
                assert np.all(delta[k] == delta[k, 0])
        for k in sorted({variant.index(v) for v in set(variant)} |
                        {species.index(s) for s in set(species)}):
            ov = individual_overrides(path, k)
            assert f"homeostasis={variant[k]}" in ov and f"homeostasis.species={species[k]}" in ov
            out = tmp_path / f"single{k}"
            simulate(compose(ov), out_dir=out)
            single = read_result(out / "result.h5").groups["slow"]
            idx = np.searchsorted(single["time"].data, t)
            for name in ("allo_brain", "delta_E", "alpha4_E"):
                assert np.array_equal(f[f"slow/{name}"][0, k], single[name].data[idx]), (k, name)
    ds = load(path)
    assert list(ds["variant"].values) == variant and ds["species"].attrs["key"] == \
        "homeostasis.species"
    made = cohort_figures(path, tmp_path / "figures", ["png"])
    assert "risk_delta_max" in made  # the names enter the risk factors by their codes


def test_merge_blocks_puts_strata_back_in_order():
    from sims.cohort.engine import merge_blocks

    def part(rows, value):
        n = len(rows)
        return (np.asarray(rows), {
            "time_h": np.arange(3.0), "ok": np.ones(n, np.int8),
            "slow": {"x": (np.full((n, 3), value), "nM", "x")},
            "outcomes": {"c": (np.full(n, int(value), np.int8), "1", "case")},
            "timings": {"slow_s": 1.0}})
    b = merge_blocks([part([0, 3], 1.0), part([1, 2, 4], 0.0)], 5)
    assert b["slow"]["x"][0][:, 0].tolist() == [1.0, 0.0, 0.0, 1.0, 0.0]
    assert b["outcomes"]["c"][0].tolist() == [1, 0, 0, 1, 0]
    assert b["outcomes"]["c"][0].dtype == np.int8 and b["timings"]["slow_s"] == 2.0


def test_a_choice_that_changes_shared_or_compiled_keys_is_refused():
    from sims.cohort.spec import check_strata

    c = validate(compose(["coupling=slow_only"]))
    other = validate(compose(["coupling=slow_only", "scenario.dt_min=10"]))
    with pytest.raises(ConfigError, match="scenario.dt_min"):
        check_strata(c, other, "cohort.parameters.x", {"x": "y"})
    other = validate(compose(["coupling=slow_only", "receptors.nmda.mg_mM=1.2"]))
    with pytest.raises(ConfigError, match="compiled"):
        check_strata(c, other, "cohort.parameters.x", {"x": "y"})
    check_strata(c, validate(compose(["coupling=slow_only", "homeostasis=none"])),
                 "cohort.parameters.x", {"homeostasis": "none"})


_CAT = "{key: %s, dist: categorical, values: %s, source: x}"


@pytest.mark.parametrize("override, key", [
    (f"+cohort.parameters.v={_CAT % ('scenario', '[menstrual, baseline]')}",
     "cohort.parameters.v.key"),
    (f"+cohort.parameters.v={_CAT % ('homeostasis', '[steroid, no_such]')}",
     "cohort.parameters.v.values"),
    (f"+cohort.parameters.v={_CAT % ('homeostasis.tau_down_days', '[a, b]')}",
     "cohort.parameters.v.key"),
    (f"+cohort.parameters.v={_CAT % ('homeostasis', '[steroid, activity]')}",
     "cohort.parameters.v"),
    (f"+cohort.parameters.v={_CAT % ('homeostasis.species', '[mouse, martian]')}",
     "cohort.parameters.v"),
])
def test_bad_categoricals_of_names_are_refused_before_anything_runs(tmp_path, override, key):
    ov = [*SLOW_ONLY, override]
    with pytest.raises(ConfigError) as err:
        run_cohort_job(validate(compose(ov)), tmp_path, ov)
    assert err.value.key == key, err.value
    assert not list(tmp_path.glob("*cohort.h5*"))


@pytest.mark.parametrize("override, key", [
    ("cohort.n=0", "cohort.n"),
    ("cohort.parameters.brain_p_vmax.sigma_log=-1", "cohort.parameters.brain_p_vmax.sigma_log"),
    ("cohort.parameters.tau_up.components.0.sigma_log=-1",
     "cohort.parameters.tau_up.components[0].sigma_log"),
    ("cohort.parameters.tau_up.components.1.weight=0.5",
     "cohort.parameters.tau_up.components"),
    ("~cohort.parameters.tau_up.components.1.source",
     "cohort.parameters.tau_up.components[1]"),
    ("cohort.parameters.tau_up.key=network.populations.E.n", "cohort.parameters.tau_up.key"),
    ("cohort.parameters.tau_up.key=slow.dt_min", "cohort.parameters.tau_up.key"),
    ("cohort.parameters.tau_up.key=homeostasis.no_such_key", "cohort.parameters.tau_up.key"),
    ("cohort.correlation=[[tau_up,brain_plasma,0.99],[tau_up,brain_p_vmax,0.99],"
     "[brain_plasma,brain_p_vmax,-0.99]]", "cohort.correlation"),
    ("cohort.parameters.brain_plasma.low=0.95", "cohort.parameters.brain_plasma.low"),
    ("cohort.shard=2", "cohort.shard"),
    ("+cohort.unknown=1", "cohort.unknown"),
])
def test_bad_cohort_input_is_refused_before_anything_runs(tmp_path, override, key):
    ov = [*SLOW_ONLY, override]
    with pytest.raises(ConfigError) as err:
        run_cohort_job(validate(compose(ov)), tmp_path, ov)
    assert err.value.key == key
    assert not any(tmp_path.iterdir()) or not list(tmp_path.glob("*cohort.h5*"))


@pytest.mark.parametrize("name", sorted(p.stem for p in (CONFIG_DIR / "cohort").glob("*.yaml")))
def test_every_named_cohort_composes_validates_and_plans(name):
    text = (CONFIG_DIR / "cohort" / f"{name}.yaml").read_text()
    assert "Question" in text and "Run time on 2 cores" in text  # its header says both
    own = yaml.safe_load(text)
    # only group choices and the cohort node: a single run replaces +cohort=NAME by the
    # file's group choices (sims.cohort.engine.arm_overrides), nothing else is lost
    assert set(own) <= {"defaults", "cohort"}
    ov = [f"+cohort={name}", "coupling=slow_only"]
    p = plan(validate(compose(ov)), ov)
    assert p["spec"].name == name and len(p["seeds"]) == p["spec"].n
    assert all(m.source for m in p["spec"].marginals)


def test_cohort_figures_and_the_dataset_loader(tmp_path, figure_text_check):
    import analysis.cohort_figures as module

    ov = [o for o in SLOW_ONLY if o != "~cohort.outcomes"] + [
        "cohort.outcomes.delta_pp3=null", "cohort.outcomes.allo_fall_pp3=null",
        "+cohort.outcomes.delta_max={variable: delta_E, statistic: max, window_h: [0, 48],"
        " threshold: {above: 0.5}}"]
    path = _run(ov, tmp_path)
    checked = figure_text_check(module)
    made = cohort_figures(path, tmp_path / "figures", ["png"])
    assert {"fan_delta_E", "prevalence", "risk_delta_max"} <= set(made)
    assert all(p.stat().st_size > 1000 for v in made.values() for p in v)
    # every figure readable: no text over another, none outside the canvas
    assert len(checked) == sum(1 for v in made.values() if v)
    assert {k: v[:2] for k, v in checked.items() if v[0] or v[1]} == {}
    # the captions say what is drawn (not only the figure's name)
    captions = (tmp_path / "figures" / "captions.txt").read_text().splitlines()
    assert len(captions) == len(made) and all(len(c.split(": ", 1)[1]) > 60 for c in captions)
    assert "arm (colour)" in checked["cohort_fan_delta_E"][2]
    assert "arm untreated" in checked["cohort_risk_delta_max"][2]
    ds = load(path)
    assert ds["delta_E"].dims == ("arm", "individual", "time")
    assert ds["tau_up"].attrs["key"] == "homeostasis.tau_up_days"
    assert float(ds["time"][-1]) == 48.0  # hours
    rng = np.random.default_rng(0)
    p, lo, hi = bootstrap_prevalence(np.array([1, 0, 1, 1, -1], dtype=np.int8), rng)
    assert p == 0.75 and 0.0 <= lo <= p <= hi <= 1.0
    rho, lo, hi = spearman_ci(np.arange(20.0), np.arange(20.0) ** 3, rng)
    assert rho == pytest.approx(1.0) and lo <= rho <= hi


def test_the_postpartum_cohort_varies_as_women_do_on_postpartum_day_3(tmp_path):
    """Nappi et al. 2001 (40 women, serum at 08:30 on postpartum day 3): ALLO 1.76 +/- 0.99
    nM and progesterone 15.7 +/- 12.6 nM (the blues and euthymic groups pooled). The
    cohort's hormone chain reproduces both SDs within a factor of 2, and its tau_up
    mixture holds the PPD-state subgroup (re-expression at ~20 d) at ~13 %
    (O'Hara & Swain 1996). Measured (n = 80): ALLO 1.35 +/- 0.68 nM, P 15.0 +/- 11.7 nM, 12.5 % with
    tau_up > 5 d. Before: ALLO SD 4e-5 nM, P SD 0, tau_up at most 4.4 d."""
    ov = ["+cohort=postpartum", "cohort.n=80", "coupling=slow_only", "cohort.arms.brexanolone=null",
          "scenario.duration_days=18", "cohort.workers=1", "coupling.progress=false",
          "~cohort.outcomes", "cohort.record.variables=[allo_plasma,progesterone_plasma]"]
    path = _run(ov, tmp_path)
    with h5py.File(path, "r") as f:
        t = f["slow/time"][()] / 3600.0
        i = int(np.argmin(np.abs(t - (17 * 24 + 8.5))))
        allo = f["slow/allo_plasma"][0, :, i]
        prog = f["slow/progesterone_plasma"][0, :, i]
        tau = f["individuals/tau_up"][()]
    assert 0.5 <= allo.std(ddof=1) <= 2.0, allo.std(ddof=1)
    assert 12.6 / 2 <= prog.std(ddof=1) <= 12.6 * 2, prog.std(ddof=1)
    assert 0.05 <= float(np.mean(tau > 5.0)) <= 0.25
    assert tau.max() > 10.0  # the subgroup reaches impaired_recovery's 20 d


def test_cohort_targets_read_the_same_individuals_as_the_cohort_command(tmp_path):
    """allonet-check's spread and prevalence rows equal numpy on the cohort file that
    `allonet +cohort=postpartum` writes at the same n and seed (a second way)."""
    from sims.calibration.evaluate import evaluate
    from sims.calibration.targets import parse_targets

    c = validate(compose(["+targets=default"]))
    node = copy.deepcopy(c["targets"])
    node["experiments"]["postpartum_cohort"]["n"] = 8
    names = ["postpartum_day3_allo_spread", "postpartum_slow_delta_recovery_prevalence"]
    ts = parse_targets(node).select(names)
    got = {r.target.name: r.value for r in evaluate(ts, ["coupling=slow_only"])}
    ov = ["+cohort=postpartum", "cohort.n=8", "coupling=slow_only", "coupling.progress=false",
          "cohort.arms.brexanolone=null", "scenario.duration_days=18"]
    with h5py.File(_run(ov, tmp_path), "r") as f:
        t = f["slow/time"][()] / 3600.0
        allo = np.array([np.interp(416.5, t, row) for row in f["slow/allo_plasma"][0]])
        cases = f["outcomes/delta_pp3_case"][0]
    assert got[names[0]] == pytest.approx(allo.std(ddof=1), rel=1e-12)
    assert got[names[1]] == pytest.approx(np.nanmean(cases), rel=1e-12)


#: 4 postpartum individuals (delivery on day 1 of 5), each enrolled on its own
#: postpartum day 0-2 at 06:00, probed at enrolment and 12 h later on the debug network.
ENROLLED = ["+cohort=postpartum", "cohort.n=4", "scenario.duration_days=5",
            "scenario.delivery_day=1", "slow.burn_in_days=1", "~cohort.outcomes",
            "cohort.arms.brexanolone=['treatment=brexanolone']", "cohort.workers=1",
            "+cohort.enrolment={relative_to: delivery, days: {from: 0, to: 2}, clock_h: 6.0,"
            " source: test}", "+cohort.probe_relative_to=enrolment",
            "cohort.probe_times_h=[0.0, 12.0]", "cohort.record.every_h=1.0", "sim=debug",
            "coupling.progress=false"]


def test_an_enrolled_individual_equals_its_single_run_with_its_own_start(tmp_path):
    """Each individual's infusion starts at its own enrolment; its probes are at the same
    hours after it; the single run with the file's overrides (its start day included)
    reproduces the slow layer and the probes bit for bit."""
    path = _run(ENROLLED, tmp_path / "cohort")
    with h5py.File(path, "r") as f:
        start = f["individuals/enrolment_day"][()]
        assert f["individuals/enrolment_day"].attrs["key"] == "treatment.start_day"
        assert f["probes/probe_time"].attrs["relative_to"] == "enrolment"
        assert list(f["probes/probe_time"][()]) == [0.0, 12 * 3600.0]
        assert np.all((start * 24.0 - 6.0) % 24.0 == 0) and len(set(start)) > 1
        t = f["slow/time"][()] / 3600.0
        drug = f["slow/allo_plasma"][1] - f["slow/allo_plasma"][0]  # treated - untreated
        for k in range(4):  # the infusion starts at the individual's enrolment, not before
            before, after = t < start[k] * 24.0, (t > start[k] * 24.0 + 4) & (
                t < start[k] * 24.0 + 24)
            assert np.all(drug[k][before] == 0.0) and drug[k][after].min() > 5.0, k
        k = int(np.argmax(start))
        ov = individual_overrides(path, k, "brexanolone")
        assert f"treatment.start_day={float(start[k])!r}" in ov and "treatment=brexanolone" in ov
        times = [float(start[k]) * 24.0, float(start[k]) * 24.0 + 12.0]
        out = tmp_path / "single"
        simulate(compose([*ov, f"coupling.probe_times_h=[{times[0]!r},{times[1]!r}]"]),
                 out_dir=out)
        single = read_result(out / "result.h5")
        st = single.groups["slow"]["time"].data
        idx = np.searchsorted(st, f["slow/time"][()])
        for name in ("allo_plasma", "allo_brain", "delta_E"):
            assert np.array_equal(f[f"slow/{name}"][1, k],
                                  single.groups["slow"][name].data[idx]), name
        for name in [n for n, ds in f["probes"].items() if ds.ndim >= 3]:
            assert np.array_equal(f[f"probes/{name}"][1, k], single.groups["probes"][name].data,
                                  equal_nan=True), name
