"""Treatments: precursor supplements (pregnenolone, DHEA), progesterone routes and lists of
treatments given together (docs/mechanisms.md).

PK checks are exact: a linear compartment model's area under the curve after one dose is
``-M^-1 x0``, so the amount each conversion delivers is known in closed form and must equal
the fraction the config declares; the slow model's RK4 integration of the same compartments
must match the matrix exponential.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import expm

from sims.config import compose, validate
from sims.errors import ConfigError
from sims.slow.model import SlowModel
from sims.slow.schemas import DheaTreatment, typed_treatment
from sims.slow.treatments import build_treatment, check_selection_overrides

BASE = ["coupling=slow_only", "scenario=baseline", "scenario.duration_days=10"]


def _config(*overrides: str) -> dict:
    return validate(compose([*BASE, *overrides]))


def _mean_after(c: dict, names: tuple[str, ...], day: float = 5.0) -> dict[str, float]:
    tr = SlowModel(c).run(c["seed"])
    sel = tr.time_h / 24.0 > day
    return {n: float(tr.values[n][sel].mean()) for n in names}


def _delivered(pk, dose: float) -> np.ndarray:
    """Amount that flows from compartment i to j over all time after ``dose`` into the
    depot: ``M[j, i] * AUC_i`` (matrix ``[j, i]``)."""
    m = np.asarray(pk.matrix, float)
    x0 = np.zeros(len(m))
    x0[0] = dose
    auc = -np.linalg.solve(m, x0)
    return m * auc[None, :]


@pytest.mark.parametrize("overrides", [
    ("treatment=pregnenolone",),
    ("treatment=dhea", "treatment.sex=female"),
    ("treatment=dhea", "treatment.sex=male"),
    ("treatment=progesterone", "treatment.route=vaginal"),
])
def test_pk_mass_balance(overrides):
    """Every conversion delivers exactly its declared fraction of what enters its source;
    nothing is created (each compartment's outflow >= what it passes on) and the whole
    dose leaves the system."""
    tr = _config(*overrides)["treatment"]
    pk = build_treatment(typed_treatment(tr), "baseline")
    flows = _delivered(pk, 1.0)
    comp = {n: i for i, n in enumerate(pk.compartments)}
    m = np.asarray(pk.matrix, float)
    assert np.all(m.sum(axis=0) <= 1e-15), "a compartment creates mass"
    out_of_system = -(m.sum(axis=0)) * (-np.linalg.solve(m, np.eye(len(m))[:, 0]))
    assert out_of_system.sum() == pytest.approx(1.0, rel=1e-12)
    if tr["name"] == "pregnenolone":
        into = flows[comp["pregnenolone"], comp["gut"]]
        assert into == pytest.approx(tr["bioavailability_frac"], rel=1e-12)
        for product, key in (("pregs", "to_pregs_frac"), ("progesterone", "to_progesterone_frac"),
                             ("dheas", "to_dheas_frac")):
            assert flows[comp[product], comp["pregnenolone"]] == pytest.approx(
                tr[key] * into, rel=1e-12)
    elif tr["name"] == "dhea":
        into = flows[comp["dhea"], comp["gut"]]
        assert into == pytest.approx(tr["dhea_frac"], rel=1e-12)
        assert flows[comp["dheas"], comp["gut"]] == pytest.approx(tr["first_pass_dheas_frac"])
        assert flows[comp["dheas"], comp["dhea"]] == pytest.approx(tr["to_dheas_frac"] * into)
        frac_t = tr[f"to_testosterone_frac_{tr['sex']}"]
        assert flows[comp["testosterone"], comp["dhea"]] == pytest.approx(frac_t * into,
                                                                            abs=1e-15)
    else:  # vaginal progesterone: systemic P, no first-pass ALLO
        assert flows[1, 0] == pytest.approx(tr["vaginal_bioavailability_frac"], rel=1e-12)
        assert flows[2, 0] == 0.0


@pytest.mark.parametrize("name", ["pregnenolone", "dhea"])
def test_slow_model_integrates_the_pk_as_the_matrix_exponential(name):
    """The compartments inside the slow model (RK4, doses on the step grid) against the
    exact solution of the same linear system two days after the first dose."""
    c = _config(f"treatment={name}", "treatment.start_day=0", "treatment.n_days=2",
                "scenario.duration_days=2")
    model = SlowModel(c)
    traj = model.run(c["seed"], t_stop_h=30.0)
    pk = model.pk_models[0]
    m = np.asarray(pk.matrix, float)
    x = np.zeros(len(m))
    for t_d, comp, amount in sorted(pk.doses):
        if t_d <= 30.0:
            x_d = np.zeros(len(m))
            x_d[comp] = amount
            x = x + expm(m * (30.0 - t_d)) @ x_d
    got = np.asarray(traj.final_state[model.pk_index:])
    np.testing.assert_allclose(got, x, rtol=1e-7, atol=1e-9 * x.max())


def test_route_decides_the_allo_a_dose_yields():
    """Oral P: first-pass 5a-reduction, more plasma ALLO and less plasma P than the same
    dose by vagina (de Lignieres 1995); transdermal yields the least of everything."""
    names = ("allo_plasma", "allo_drug_plasma", "progesterone_plasma")
    got = {r: _mean_after(_config("treatment=progesterone", "treatment.start_day=2",
                                  f"treatment.route={r}"), names)
           for r in ("oral", "vaginal", "transdermal")}
    assert got["oral"]["allo_plasma"] > got["vaginal"]["allo_plasma"]
    assert got["oral"]["allo_plasma"] > got["transdermal"]["allo_plasma"]
    assert got["oral"]["allo_drug_plasma"] > 0.0
    assert got["vaginal"]["allo_drug_plasma"] == 0.0 == got["transdermal"]["allo_drug_plasma"]
    assert got["vaginal"]["progesterone_plasma"] > 3 * got["oral"]["progesterone_plasma"]
    assert got["transdermal"]["progesterone_plasma"] < got["vaginal"]["progesterone_plasma"]


def test_precursors_raise_their_sulfates_and_dhea_testosterone_in_women_only():
    names = ("pregs_brain", "dheas_brain", "dheas_plasma", "testosterone_plasma",
             "pregnenolone_plasma", "progesterone_plasma")
    none = _mean_after(_config(), names)
    preg = _mean_after(_config("treatment=pregnenolone", "treatment.start_day=2"), names)
    female = _mean_after(_config("treatment=dhea", "treatment.start_day=2"), names)
    male = _mean_after(_config("treatment=dhea", "treatment.start_day=2", "treatment.sex=male"),
                       names)
    assert preg["pregs_brain"] > 1.2 * none["pregs_brain"]
    assert preg["pregnenolone_plasma"] > 5 * none["pregnenolone_plasma"]
    assert preg["progesterone_plasma"] > none["progesterone_plasma"]
    assert female["dheas_brain"] > 1.2 * none["dheas_brain"]
    # 50 mg/day: DHEA-S up by about the young-adult level (~5 uM), T x ~2 in women only
    assert 3000 < female["dheas_plasma"] - none["dheas_plasma"] < 8000
    assert 0.5 < female["testosterone_plasma"] - none["testosterone_plasma"] < 1.5
    assert male["testosterone_plasma"] == pytest.approx(none["testosterone_plasma"], rel=1e-9)
    # auto: the scenario's sex (male_ageing is male)
    from sims.slow.treatments import dhea_sex
    assert dhea_sex(DheaTreatment(sex="auto"), "male_ageing") == "male"
    assert dhea_sex(DheaTreatment(sex="auto"), "menstrual") == "female"


def test_a_list_of_treatments_is_each_of_them():
    """Independent PK: the combination's P equals progesterone alone, its T testosterone
    alone (same numbers); the order of the list does not matter."""
    both = _config("treatment=[progesterone,testosterone]")
    assert both["treatment"]["name"] == "combination"
    assert both == _config("treatment=[testosterone,progesterone]")
    names = ("progesterone_plasma", "testosterone_plasma", "allo_drug_plasma")
    tr_both = SlowModel(both).run(both["seed"])
    for alone, var in (("progesterone", "progesterone_plasma"),
                       ("progesterone", "allo_drug_plasma"),
                       ("testosterone", "testosterone_plasma")):
        c = _config(f"treatment={alone}")
        tr = SlowModel(c).run(c["seed"])
        np.testing.assert_array_equal(tr_both.values[var], tr.values[var], err_msg=var)
    assert set(names) <= set(tr_both.values)
    # each treatment's own keys, and a single treatment's shorthand
    c = _config("treatment=[progesterone,testosterone]", "treatment.progesterone.dose_mg=40",
                "treatment.testosterone.start_day=3")
    assert c["treatment"]["progesterone"]["dose_mg"] == 40.0
    assert c["treatment"]["testosterone"]["start_day"] == 3.0
    one = _config("treatment=progesterone", "treatment.dose_mg=40")
    assert one["treatment"]["dose_mg"] == 40.0 and one["treatment"]["name"] == "progesterone"


def test_single_treatment_config_is_unchanged_in_form():
    """One treatment validates to its flat config, as before lists existed; the flat form
    re-validates to itself."""
    c = _config("treatment=brexanolone", "treatment.start_day=3")
    tr = c["treatment"]
    assert tr["name"] == "brexanolone" and tr["start_day"] == 3.0 and "brexanolone" not in tr
    assert validate(c)["treatment"] == tr


@pytest.mark.parametrize("overrides, key, text", [
    (["treatment=[progesterone,progesterone]"], "treatment", "at most once"),
    (["treatment=[progesterone,aspirin]"], "treatment", "unknown: 'aspirin'"),
    (["treatment=[none,progesterone]"], "treatment", "none cannot combine"),
    (["treatment=[progesterone,dhea]", "treatment.dose_mg=3"], "treatment.dose_mg",
     "treatment.<name>.dose_mg"),
    (["treatment=progesterone", "treatment.route=nasal"], "treatment.route", "one of"),
    (["treatment=pregnenolone", "treatment.dose_mg=-5"], "treatment.dose_mg", ">= 0"),
    (["treatment=[dhea,pregnenolone]", "treatment.dhea.dose_mg=-5"], "treatment.dhea.dose_mg",
     ">= 0"),
    (["treatment=dhea", "treatment.sex=other"], "treatment.sex", "one of"),
    (["treatment=pregnenolone", "treatment.to_pregs_frac=0.95"],
     "treatment.to_dheas_frac", "at most"),
    (["treatment=progesterone", "treatment.vaginal_first_pass_allo_frac=0.95"],
     "treatment.vaginal_first_pass_allo_frac", "at most"),
    (["treatment=brexanolone", "treatment.route=oral"], "treatment.route",
     "a key of the brexanolone treatment"),
])
def test_bad_treatment_input_names_key_and_value(overrides, key, text):
    with pytest.raises(ConfigError) as err:
        validate(compose([*BASE, *overrides]))
    assert err.value.key == key
    assert text in str(err.value)


def test_selection_check_reads_only_lists():
    check_selection_overrides(["treatment=progesterone", "treatment.dose_mg=3",
                               "treatment=none,brexanolone"])  # a sweep, not a list
    with pytest.raises(ConfigError, match="at most once"):
        check_selection_overrides(["+treatment=[dhea, dhea]"])
