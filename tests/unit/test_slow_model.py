"""Slow-layer mechanics: every scenario/treatment runs, concentrations stay >= 0, PK mass
balance, seeds, split runs, CSV input and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from sims.config import compose, validate
from sims.errors import ConfigError
from sims.params import build
from sims.slow.model import SlowModel
from sims.slow.schemas import HPAConfig, typed_treatment
from sims.slow.treatments import build_treatment

SHORT = {"perimenopause": ["scenario.duration_days=60"],
         "male_ageing": ["scenario.duration_days=120"],
         "chronic_stress": ["scenario.duration_days=14", "scenario.onset_day=2",
                            "scenario.stress_days=10"],
         "menstrual": ["scenario.duration_days=30"], "pmdd": ["scenario.duration_days=30"]}
SCENARIOS = ["baseline", "menstrual", "pmdd", "pregnancy_postpartum", "perimenopause",
             "acute_stress", "chronic_stress", "male_ageing", "from_file"]
TREATMENTS = ["none", "brexanolone", "zuranolone", "progesterone", "testosterone"]


def _run(overrides, seed=None):
    c = validate(compose(overrides))
    return c, SlowModel(c).run(c["seed"] if seed is None else seed)


@pytest.mark.integration  # long scenario runs (seconds each)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_scenario_runs_with_nonnegative_concentrations(scenario):
    _, tr = _run([f"scenario={scenario}"] + SHORT.get(scenario, []))
    for name, unit in tr.units.items():
        if unit == "nM" or name in ("cortisol", "inflammation", "r5a"):
            assert np.all(tr.values[name] >= -1e-9), name
        assert np.all(np.isfinite(tr.values[name])), name
    assert tr.time_h[0] == 0.0 and tr.time_h[-1] > 0


@pytest.mark.integration  # long scenario runs (seconds each)
@pytest.mark.parametrize("treatment", TREATMENTS)
def test_every_treatment_composes_with_chronic_stress(treatment):
    """Combinations compose, e.g. chronic stress + zuranolone."""
    _, tr = _run(["scenario=chronic_stress", f"treatment={treatment}",
                  "treatment.start_day=3"] + SHORT["chronic_stress"])
    assert all(np.all(tr.values[n] >= -1e-9) for n, u in tr.units.items() if u == "nM")
    drug = {"brexanolone": "allo_drug_plasma", "zuranolone": "zuranolone_plasma",
            "progesterone": "allo_drug_plasma", "testosterone": "testosterone_plasma"}
    if treatment in drug:
        x = tr.values[drug[treatment]]
        assert x[tr.time_h > 80].max() > x[tr.time_h < 70].max()


@pytest.mark.integration  # long scenario runs (seconds each)
def test_brexanolone_mass_balance():
    """Infused amount = eliminated (CL x AUC) + what remains in the body."""
    c, tr = _run(["scenario=baseline", "scenario.duration_days=4", "treatment=brexanolone",
                  "treatment.start_day=0.5", "slow.dt_min=1", "slow.record_every_min=1"])
    tr_cfg = c["treatment"]
    conc_ug_per_L = tr.values["allo_drug_plasma"] * 318.5 / 1000  # nM -> ng/mL = ug/L
    eliminated = tr_cfg["cl_L_per_h_per_kg"] * np.trapezoid(conc_ug_per_L, tr.time_h)
    remaining = sum(tr.final_state[-2:])  # ug/kg in the central and peripheral compartments
    pk = build_treatment(typed_treatment(tr_cfg))
    infused = sum((b - a) * r for a, b, r in pk.infusion)
    assert eliminated + remaining == pytest.approx(infused, rel=2e-3)


def test_pk_matrices_conserve_mass_except_elimination():
    c = validate(compose(["treatment=zuranolone"]))
    m = build_treatment(typed_treatment(c["treatment"])).matrix
    tr = c["treatment"]
    np.testing.assert_allclose(m.sum(axis=0), [0.0, -tr["cl_L_per_h"] / tr["v1_L"], 0.0],
                               atol=1e-12)


@pytest.mark.integration  # long scenario runs (seconds each)
def test_seed_determines_stochastic_scenarios():
    ov = ["scenario=perimenopause", "scenario.duration_days=120"]
    _, a = _run(ov, seed=1)
    _, b = _run(ov, seed=1)
    _, d = _run(ov, seed=2)
    np.testing.assert_array_equal(a.values["progesterone_plasma"], b.values["progesterone_plasma"])
    assert not np.allclose(a.values["progesterone_plasma"], d.values["progesterone_plasma"])
    assert a.events == b.events != d.events


@pytest.mark.slow
def test_perimenopause_loses_luteal_progesterone_over_time():
    _, tr = _run(["scenario=perimenopause"], seed=3)
    day, p = tr.time_h / 24, tr.values["progesterone_plasma"]
    assert p[day < 120].max() > p[day > 245].max()


@pytest.mark.integration  # long scenario runs (seconds each)
def test_male_ageing_lowers_testosterone_and_androstanediol():
    _, tr = _run(["scenario=male_ageing", "scenario.duration_days=365.25"])
    for name in ("testosterone_plasma", "androstanediol_brain"):
        x = tr.values[name]
        assert x[-1] / x[0] == pytest.approx(1 - 0.016, rel=0.005)


@pytest.mark.integration  # long scenario runs (seconds each)
def test_a_run_split_in_two_resumed_halves_equals_one_run():
    c = validate(compose(["scenario=acute_stress", "treatment=zuranolone",
                          "treatment.start_day=0"]))
    model = SlowModel(c)
    full = model.run(c["seed"])
    first = model.run(c["seed"], t_stop_h=12.0)
    second = model.run(c["seed"], state=first.final_state, t_start_h=12.0)
    for name in full.values:
        joined = np.concatenate([first.values[name][:-1], second.values[name]])
        np.testing.assert_allclose(joined, full.values[name], rtol=0, atol=1e-12, err_msg=name)


@pytest.mark.integration  # long scenario runs (seconds each)
def test_from_file_interpolates_the_csv():
    _, tr = _run(["scenario=from_file"])
    assert tr.time_h[-1] == pytest.approx(28 * 24)
    assert np.interp(21 * 24, tr.time_h, tr.values["progesterone_plasma"]) == pytest.approx(35.0)
    assert np.interp(23 * 24, tr.time_h, tr.values["chronic_stress"]) == pytest.approx(0.5)


@pytest.mark.parametrize("content, key_part, allowed", [
    ("time_days,progesterone\n0,1\n1,2\n", "column 2", "unit suffix"),
    ("time_days,progesterone_nM\n0,1\n2,2\n1,3\n", "row", "strictly increasing"),
    ("time_days,progesterone_nM\n0,1\n1,-2\n", "progesterone_nM", ">= 0"),
    ("progesterone_nM\n1\n2\n", "scenario.path", "time column"),
    ("time_days,progesterone_nM\n0,1\n1,abc\n", "progesterone_nM row 3", "a number"),
])
def test_bad_csv_is_rejected_with_a_clear_error(tmp_path, content, key_part, allowed):
    f = tmp_path / "tc.csv"
    f.write_text(content)
    with pytest.raises(ConfigError) as info:
        validate(compose(["scenario=from_file", f"scenario.path={f}"]))
    assert key_part in info.value.key and allowed in str(info.value)


@pytest.mark.parametrize("override, key", [
    ("treatment.dose_mg=-5", "treatment.dose_mg"),
    ("treatment.start_day=-1", "treatment.start_day"),
    ("treatment.n_doses=-2", "treatment.n_doses"),
])
def test_negative_doses_are_rejected(override, key):
    with pytest.raises(ConfigError) as info:
        validate(compose(["treatment=zuranolone", override]))
    assert info.value.key == key


@pytest.mark.parametrize("schedule", ["0-4:30", "4-0h:30", "0-4h:30, 2-6h:60", "lots"])
def test_unparseable_infusion_schedule_is_rejected(schedule):
    with pytest.raises(ConfigError) as info:
        validate(compose(["treatment=brexanolone", f"treatment.schedule='{schedule}'"]))
    assert info.value.key == "treatment.schedule"


@pytest.mark.parametrize("override, key", [
    ("scenario.name=weekend", "scenario.name"),
    ("+scenario.typo_key=1", "scenario.typo_key"),
    ("slow.dt_min=60", "slow.dt_min"),
    ("coupling.probe_times_h=[-1.0]", "coupling.probe_times_h[0]"),
    ("coupling.probe_times_h=[100.0]", "coupling.probe_times_h[0]"),
    ("hpa.feedback_gain=0", "hpa.feedback_gain"),
    ("hpa.stress_feedback_exponent=1.5", "hpa.stress_feedback_exponent"),
    ("homeostasis.alpha4_rise_exposure_gate=-0.5", "homeostasis.alpha4_rise_exposure_gate"),
])
def test_bad_slow_settings_are_rejected(override, key):
    with pytest.raises(ConfigError) as info:
        validate(compose([override]))
    assert info.value.key == key


def test_state_vector_initial_state_and_derivatives_align_by_name():
    """One registry of names (sims.slow.variables): the initial state, the state vector
    and the derivatives agree key by key, and each state's derivative answers to that
    state (raising a relaxing state lowers its own derivative: a misaligned vector would
    pair a state with another's equation)."""
    from sims.slow import variables

    c = validate(compose(["treatment=zuranolone", "treatment.start_day=0"]))
    m = SlowModel(c)
    init = m.initial_values()
    assert set(init) == set(m.state_names)
    y = m.initial_state()
    assert y == [init[n] for n in m.state_names]
    drv = (0.5, 1.0, 0.0, 0.0, 0.0)
    d, out = m.derivatives(dict(zip(m.state_names, y, strict=True)), drv, 0.0, 8.0)
    assert set(d) == set(m.state_names)
    assert set(out) == {v.name for v in variables.OUTPUTS}
    dy, _ = m.rhs(y, drv, 0.0, 8.0)
    assert dy == [d[n] for n in m.state_names]
    for i, name in enumerate(m.state_names):
        bumped = list(y)
        bumped[i] += 1e-3 * max(abs(y[i]), 1.0)
        d2, _ = m.derivatives(dict(zip(m.state_names, bumped, strict=True)), drv, 0.0, 8.0)
        assert d2[name] < d[name], name
    recorded = {v.name for v in m.recorded} | {v.name for v in variables.OUTPUTS}
    assert all(m.descriptions[n] for n in recorded)


def test_molecular_weights_have_one_source():
    """Doses in mg become nM through sims.molecules alone: no other number in the code."""
    import re
    from pathlib import Path

    from sims.molecules import MOLECULES

    root = Path(__file__).resolve().parents[2] / "sims"
    weights = {f"{mw:.1f}" for mw, _ in MOLECULES.values()}
    hits = [(p.name, w) for p in root.rglob("*.py") if p.name != "molecules.py"
            for w in weights if re.search(rf"(?<![\d.]){re.escape(w)}(?![\d])", p.read_text())]
    assert hits == []
    species = validate(compose([]))["pharmacology"]["species"]
    assert set(species) <= set(MOLECULES)


def test_stress_feedback_exponent_gates_only_the_stress_part_of_the_crh_drive():
    """The CRH derivative against hand values: the basal drive meets the GR factor f, the
    acute-stress part f ** stress_feedback_exponent (1: today's model exactly; 0: ungated)."""
    from sims.slow import hpa

    p = build(HPAConfig, validate(compose([]))["hpa"])
    n, k0, gr = p.gr_hill, p.gr_k, 3.0
    f = (1.0 + (1.0 / k0) ** n) / (1.0 + (gr / k0) ** n)
    rate = np.log(2.0) / (p.crh_half_life_min / 60.0)
    basal, stress, crh = 1.3, 4.0, 0.5
    for g, gated in ((1.0, f), (0.0, 1.0), (0.5, f ** 0.5)):
        p.stress_feedback_exponent = g
        d_crh = hpa.rhs(p, crh, 1.0, 9.0, gr, basal + stress, 1.0, stress=stress)[0]
        assert d_crh == pytest.approx(rate * (basal * f + stress * gated - crh), rel=1e-12)
    p.stress_feedback_exponent = 1.0
    assert hpa.rhs(p, crh, 1.0, 9.0, gr, basal + stress, 1.0, stress=stress) == \
        hpa.rhs(p, crh, 1.0, 9.0, gr, basal + stress, 1.0)


def test_a_cycle_scenario_with_each_individuals_own_luteal_amplitude_runs_as_single_runs():
    """The pmdd cohort varies scenario.luteal_amplitude_nM: every individual's cycles have
    her own amplitude (the events are individual 0's), equal to her run alone."""
    from sims.cohort.engine import with_values

    c = validate(compose(["coupling=slow_only", "scenario=menstrual", "scenario.duration_days=3",
                          "scenario.start_cycle_day=19", "slow.burn_in_days=0.5",
                          "slow.dt_min=10"]))
    amp = np.array([20.0, 35.0, 60.0])
    many = SlowModel(with_values(c, {"scenario.luteal_amplitude_nM": amp}), n_individuals=3,
                     numerics="array").run_individuals(np.array([3, 3, 3]),
                                                       record=["progesterone_plasma"])
    p = many.values["progesterone_plasma"]
    assert p[0, 0] < p[0, 1] < p[0, 2]  # mid-luteal: the amplitude shows
    for j, a in enumerate(amp):
        one = SlowModel(with_values(c, {"scenario.luteal_amplitude_nM": float(a)}),
                        n_individuals=1, numerics="array").run_individuals(
                            np.array([3]), record=["progesterone_plasma"])
        assert np.array_equal(p[:, j], one.values["progesterone_plasma"][:, 0]), j
