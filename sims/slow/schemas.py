"""Typed config schemas of the slow layer (scenario, treatment, steroids, hpa,
inflammation, slow numerics). Registered in Hydra's ConfigStore by ``sims.config``.

Scenario and treatment are polymorphic: their ``name`` selects the schema in
:data:`SCENARIO_SCHEMAS` / :data:`TREATMENT_SCHEMAS`, against which ``sims.config.validate``
checks them (unknown keys, wrong types).
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from dataclasses import field
from typing import Any, Optional

from sims.constants import STEROID_MAX_NM
from sims.params import bookkeeping, build, collection, override, param, schema, unbuild

# --------------------------------------------------------------------------- scenarios


@schema
class StressTest:
    """A laboratory stressor (TSST-like) added to any scenario: one acute-stress pulse."""

    day: float = param(0.0, "d", ge=0, doc="day of the run (0 = the first)",
                       source="the study design (configs/study/)")
    clock_h: float = param(14.0, "h", ge=0, lt=24, doc="time of day of its onset",
                           source="afternoon, as TSST protocols schedule it [R]")
    duration_min: float = param(15.0, "min", gt=0, doc="its duration",
                                source="TSST: ~10 min speech + arithmetic, plus "
                                "anticipation [R]")
    intensity: float = param(1.0, "1", ge=0, doc="acute-stress level (1 = the model's "
                             "reference stressor)", source="[assumption]")


@schema
class ScenarioBase:
    """Fields shared by every scenario."""

    name: str = "baseline"
    duration_days: float = param(2.0, "d", gt=0, doc="simulated span",
                                 source="the run's design (configs/scenario/)")
    dt_min: float = param(2.0, "min", gt=0, doc="recommended integration step for this "
                          "scenario", source="stability of the fastest turnover "
                          "(sims/slow/checks.py)")
    progesterone_follicular_nM: float = param(
        0.5, "nM", ge=0, le=STEROID_MAX_NM,
        doc="plasma progesterone outside the luteal phase (P_f)",
        source="docs/science.md §7.1 [D] (Anckaert 2021: 0.21)")
    testosterone_nM: float = param(1.0, "nM", ge=0, le=STEROID_MAX_NM, doc="total plasma "
                                   "testosterone", source="female total T ~0.5-2 nM [R]")
    stress_allo_response: float = param(1.0, "1", ge=0, doc="scale of the acute-stress "
                                        "ALLO rise (PMDD: blunted)",
                                        source="1: the reference response (Purdy 1991)")
    alpha4_withdrawal_scale: float = param(
        1.0, "1", ge=0, doc="multiplies the ln-fall the alpha4 withdrawal response reads "
        "(sims/slow/homeostasis.py)", source="1: the response of Smith et al. 1998")
    alpha4_withdrawal_susceptibility: float = param(
        0.0, "1", ge=0, le=1, doc="share of the withdrawal gate a fall opens whatever the "
        "exposure history (0: long exposure only, Smith 1998)",
        source="Smith et al. 1998 (withdrawal after long exposure)")
    stress_tests: list[StressTest] = field(default_factory=list)  # lab stressors (studies)


@schema
class BaselineScenario(ScenarioBase):
    pass


@schema
class MenstrualScenario(ScenarioBase):
    name: str = "menstrual"
    duration_days: float = override(ScenarioBase, "duration_days", 56.0)
    cycle_length_mean_days: float = param(28.0, "d", gt=0, doc="mean cycle length "
                                          "(sims/slow/checks.py: the truncation range)",
                                          source="docs/science.md §7.1 [R]")
    cycle_length_sd_days: float = param(2.0, "d", ge=0, doc="SD of cycle lengths",
                                        source="ovulation-day SD 2-3 d (Stricker 2006) [V]")
    luteal_length_mean_days: float = param(14.0, "d", gt=0, doc="mean luteal length",
                                           source="docs/science.md §7.1 [R]")
    luteal_length_sd_days: float = param(1.5, "d", ge=0, doc="SD of luteal lengths",
                                         source="luteal phase 11-17 d (Milewich 1977) [V]")
    luteal_amplitude_nM: float = param(35.0, "nM", ge=0, le=STEROID_MAX_NM, doc="luteal "
                                       "progesterone amplitude A_P",
                                       source="30-40 nM, docs/science.md §7.1 [D] "
                                       "(Anckaert: 28.8)")
    luteal_peak_offset_days: float = param(7.5, "d", ge=0, doc="P maximum after the LH peak",
                                           source="5-8 d after the LH peak [V]")
    luteal_width_days: float = param(2.75, "d", gt=0, doc="width (sigma) of the luteal "
                                     "progesterone curve", source="sigma 2.5-3 d [D]")
    start_cycle_day: float = param(1.0, "d", ge=1, doc="cycle day at t = 0 (1 = first day "
                                   "of menses)", source="the run's design")


@schema
class PMDDScenario(MenstrualScenario):
    """Same hormones as ``menstrual``; altered sensitivity, not levels (Schmidt 1998)."""

    name: str = "pmdd"
    stress_allo_response: float = override(
        ScenarioBase, "stress_allo_response", 0.5,
        source="42 % vs 83 % stress ALLO responders (Girdler 2001)")
    alpha4_withdrawal_scale: float = override(
        ScenarioBase, "alpha4_withdrawal_scale", 2.0,
        source="a larger alpha4 response to the same fall [assumption]")
    # a natural fall triggers the withdrawal response in susceptible animals (late-dioestrus
    # alpha4 rise, Lovick 2008: rat PAG, absent in quietly housed rats; 3-day withdrawal,
    # mouse hippocampus CA1: Smith et al. 2006): PMDD as that susceptibility
    alpha4_withdrawal_susceptibility: float = override(
        ScenarioBase, "alpha4_withdrawal_susceptibility", 1.0,
        source="Lovick 2008; Smith et al. 2006 [assumption: 1]")


@schema
class PregnancyPostpartumScenario(ScenarioBase):
    name: str = "pregnancy_postpartum"
    duration_days: float = override(ScenarioBase, "duration_days", 28.0)
    gestation_week_at_start: float = param(36.0, "weeks", ge=0, le=42, doc="gestational "
                                           "week at t = 0", source="the run's design")
    delivery_day: float = param(14.0, "d", ge=0, doc="simulation day of delivery",
                                source="the run's design")
    progesterone_luteal_nM: float = param(30.0, "nM", ge=0, le=STEROID_MAX_NM,
                                          doc="early-pregnancy (luteal) progesterone",
                                          source="docs/science.md §1.2 [R]")
    progesterone_term_nM: float = param(480.0, "nM", ge=0, le=STEROID_MAX_NM, doc="progesterone at "
                                        "term", source="~150 ng/mL at term [R]")
    placental_allo_term_nM: float = param(60.0, "nM", ge=0, le=STEROID_MAX_NM, doc="placental "
                                          "plasma ALLO at term",
                                          source="term plasma ALLO ~30-150 nM "
                                          "(docs/science.md §1.2) [R]")
    rise_midpoint_week: float = param(24.0, "weeks", ge=0, doc="midpoint of the logistic "
                                      "rise", source="rise over weeks 10-36 [D]")
    rise_width_weeks: float = param(4.0, "weeks", gt=0, doc="width of the logistic rise",
                                    source="[D]")
    progesterone_pp_tau_days: float = param(0.9, "d", gt=0, doc="postpartum fall of P",
                                            source="P 19 nM on day 3 (Nappi 2001) [D]")
    placental_allo_pp_tau_h: float = param(0.25, "h", gt=0, doc="postpartum fall of "
                                           "placental ALLO",
                                           source="placenta out within ~30 min of birth [D]")


@schema
class PerimenopauseScenario(MenstrualScenario):
    """Stochastic cycles whose variability grows over the run (docs/science.md §7.3 [D])."""

    name: str = "perimenopause"
    duration_days: float = override(ScenarioBase, "duration_days", 365.0)
    dt_min: float = override(ScenarioBase, "dt_min", 10.0)
    cycle_length_sd_end_days: float = param(8.0, "d", ge=0, doc="SD of cycle lengths at "
                                            "the end (grows from cycle_length_sd_days)",
                                            source="docs/science.md §7.3 [D]")
    anovulation_prob_start: float = param(0.05, "1", ge=0, le=1, doc="probability of an "
                                          "anovulatory cycle at the start",
                                          source="docs/science.md §7.3 [D]")
    anovulation_prob_end: float = param(0.4, "1", ge=0, le=1, doc="the same at the end",
                                        source="docs/science.md §7.3 [D]")
    luteal_amplitude_end_nM: float = param(15.0, "nM", ge=0, le=STEROID_MAX_NM, doc="luteal P "
                                           "amplitude at the end",
                                           source="falling luteal P (Prior & Hitchcock 2011)")
    luteal_amplitude_log_sd: float = param(0.4, "1", ge=0, doc="cycle-to-cycle SD of ln "
                                           "luteal amplitude",
                                           source="docs/science.md §7.3 [D]")


@schema
class StressPulse:
    onset_h: float = param(10.0, "h", ge=0, doc="onset, hours from the start of the run",
                           source="the run's design")
    duration_min: float = param(10.0, "min", ge=0, doc="duration",
                                source="10-min swim stress (Purdy et al. 1991)")
    intensity: float = param(1.0, "1", ge=0, doc="acute-stress level",
                             source="1: the reference stressor [assumption]")


@schema
class AcuteStressScenario(ScenarioBase):
    name: str = "acute_stress"
    duration_days: float = override(ScenarioBase, "duration_days", 1.0)
    pulses: list[StressPulse] = field(default_factory=lambda: [StressPulse()])


@schema
class ChronicStressScenario(ScenarioBase):
    name: str = "chronic_stress"
    duration_days: float = override(ScenarioBase, "duration_days", 49.0)
    onset_day: float = param(7.0, "d", ge=0, doc="day the chronic stress begins",
                             source="the run's design")
    stress_days: float = param(42.0, "d", ge=0, doc="its duration",
                               source="6 weeks of isolation (Dong et al. 2001)")
    level: float = param(1.0, "1", ge=0, le=1, doc="chronic stress level",
                         source="1: the reference [assumption]")
    ramp_days: float = param(2.0, "d", ge=0, doc="rise and fall of the level",
                             source="[assumption]")
    daily_pulse_intensity: float = param(0.5, "1", ge=0, doc="one unpredictable acute "
                                         "stressor per day: its level",
                                         source="[assumption]")
    daily_pulse_duration_min: float = param(30.0, "min", ge=0, doc="its duration",
                                            source="[assumption]")


@schema
class MaleAgeingScenario(ScenarioBase):
    name: str = "male_ageing"
    duration_days: float = override(ScenarioBase, "duration_days", 730.0)
    dt_min: float = override(ScenarioBase, "dt_min", 10.0,
                             source="<= 11.5 min: the entrained HPA model's CRH turnover")
    age_start_years: float = param(40.0, "y", ge=0, doc="age at t = 0",
                                   source="the run's design")
    testosterone_nM: float = override(ScenarioBase, "testosterone_nM", 18.0,
                                      source="total T at 40 y ~15-20 nM [R]")
    testosterone_decline_per_year: float = param(
        0.016, "1/y", ge=0, lt=1, doc="yearly fraction of testosterone lost",
        source="-1.6 %/y (Feldman et al. 2002 MMAS) [R]")


@schema
class FromFileScenario(ScenarioBase):
    """A user's CSV time course; header names carry units (see README)."""

    name: str = "from_file"
    path: str = "scenario/data/example_timecourse.csv"  # relative to configs/ or absolute
    duration_days: float = override(ScenarioBase, "duration_days", 0.0, ge=0,
                                    doc="simulated span (0: the file's span)")


SCENARIO_SCHEMAS = {
    "baseline": BaselineScenario, "menstrual": MenstrualScenario, "pmdd": PMDDScenario,
    "pregnancy_postpartum": PregnancyPostpartumScenario,
    "perimenopause": PerimenopauseScenario, "acute_stress": AcuteStressScenario,
    "chronic_stress": ChronicStressScenario, "male_ageing": MaleAgeingScenario,
    "from_file": FromFileScenario,
}


# --------------------------------------------------------------------------- treatments
_RUN = "the run's design"


def _frac(default: float, doc: str, source: str) -> Any:
    return param(default, "1", ge=0, le=1, doc=doc, source=source)


def _clearance(default: float, unit: str, doc: str, source: str) -> Any:
    return param(default, unit, gt=0, doc=doc, source=source)


@schema
class TreatmentBase:
    name: str = "none"
    start_day: float = param(0.0, "d", ge=0, doc="day of the run the treatment starts",
                             source=_RUN)
    body_weight_kg: float = param(70.0, "kg", gt=0, doc="body weight, for per-kg doses",
                                  source="[assumption]")


@schema
class NoTreatment(TreatmentBase):
    pass


@schema
class BrexanoloneTreatment(TreatmentBase):
    """IV ALLO; 2-compartment PK reproducing 70 ng/mL at 52 h and t1/2 ~11 h
    (docs/science.md §6.1)."""

    name: str = "brexanolone"
    schedule: str = "0-4h:30, 4-24h:60, 24-52h:90, 52-56h:60, 56-60h:30"  # ug/kg/h (label)
    cl_L_per_h_per_kg: float = _clearance(1.2, "L/h/kg", "clearance", "docs/science.md §6.1 [D]")
    v1_L_per_kg: float = _clearance(3.0, "L/kg", "central volume", "docs/science.md §6.1 [D]")
    q_L_per_h_per_kg: float = _clearance(0.4, "L/h/kg", "inter-compartment clearance",
                                         "docs/science.md §6.1 [D]")
    v2_L_per_kg: float = _clearance(5.0, "L/kg", "peripheral volume",
                                    "docs/science.md §6.1 [D]")


_ZURANOLONE = "fitted by us to the label: Tmax 5-6 h, t1/2 ~22 h, accumulation ~1.5x [D]"


@schema
class ZuranoloneTreatment(TreatmentBase):
    """Oral, once daily in the evening for 14 days (label); 2-compartment PK fitted by us
    to Tmax 5-6 h, t1/2 ~22 h, accumulation ~1.5x and CL/F 33 L/h [D]."""

    name: str = "zuranolone"
    dose_mg: float = param(50.0, "mg", ge=0, doc="each dose", source="label (50 mg)")
    n_doses: int = param(14, "1", ge=0, doc="number of daily doses", source="label (14 days)")
    dose_clock_h: float = param(21.0, "h", ge=0, lt=24, doc="hour of day of each dose",
                                source="evening, with food (label)")
    ka_per_h: float = param(0.3, "1/h", ge=0, doc="absorption rate", source=_ZURANOLONE)
    cl_L_per_h: float = _clearance(33.0, "L/h", "apparent clearance CL/F", _ZURANOLONE)
    v1_L: float = _clearance(500.0, "L", "central volume V1/F", _ZURANOLONE)
    q_L_per_h: float = _clearance(10.0, "L/h", "inter-compartment clearance Q/F", _ZURANOLONE)
    v2_L: float = _clearance(200.0, "L", "peripheral volume V2/F", _ZURANOLONE)


#: Routes of progesterone administration (``treatment.route``).
PROGESTERONE_ROUTES = ("oral", "vaginal", "transdermal")


@schema
class ProgesteroneTreatment(TreatmentBase):
    """Progesterone by mouth, vagina or skin. The route decides absorption and how much of a
    dose appears as ALLO: oral P passes the gut wall and liver, where 5a-reduction makes it
    an ALLO prodrug (Andréen 2006); vaginal and transdermal P reach the circulation without
    that first pass and yield far fewer 5a-reduced metabolites (de Lignières 1995)."""

    name: str = "progesterone"
    route: str = "oral"  # oral | vaginal | transdermal
    dose_mg: float = param(20.0, "mg", ge=0, doc="each dose", source=_RUN)
    doses_per_day: int = param(2, "1/d", ge=0, doc="doses per day", source=_RUN)
    n_days: float = param(7.0, "d", ge=0, doc="days of treatment", source=_RUN)
    # --- oral (route=oral)
    ka_per_h: float = param(1.0, "1/h", ge=0, doc="oral absorption rate",
                            source="Tmax ~1-2 h [R]")
    bioavailability_frac: float = _frac(0.007, "systemic P fraction of an oral dose",
                                        "[D] from Andréen 2006 AUCs")
    first_pass_allo_frac: float = _frac(0.005, "fraction of an oral dose appearing as "
                                        "plasma ALLO", "[D] from Andréen 2006 AUCs")
    # --- vaginal (route=vaginal): no hepatic first pass
    vaginal_ka_per_h: float = param(0.25, "1/h", ge=0, doc="vaginal absorption rate",
                                    source="plateau within ~4-8 h, stable over 12 h [R]")
    vaginal_bioavailability_frac: float = _frac(
        0.08, "systemic P fraction of a vaginal dose", "[D] 200 mg every 12 h -> P ~46 nM "
        "(docs/science.md §6.3): C_ss = F dose / (12 h x CL 92 L/h)")
    vaginal_first_pass_allo_frac: float = _frac(
        0.0, "fraction of a vaginal dose appearing as plasma ALLO",
        "little 5a-reduction before the circulation (de Lignières et al. 1995) [R]")
    # --- transdermal (route=transdermal): creams, slow and little absorbed
    transdermal_ka_per_h: float = param(0.05, "1/h", ge=0, doc="transdermal absorption rate",
                                        source="absorption over ~a day [assumption]")
    transdermal_bioavailability_frac: float = _frac(
        0.01, "systemic P fraction of a transdermal dose", "serum P barely rises with creams "
        "(~1-3 nM at tens of mg/day, Wren et al. 2000) [R; value assumption]")
    transdermal_first_pass_allo_frac: float = _frac(
        0.0, "fraction of a transdermal dose appearing as plasma ALLO",
        "no first pass [assumption]")
    cl_progesterone_L_per_h: float = _clearance(92.0, "L/h", "P metabolic clearance",
                                                "~2200 L/day [R]")
    v_progesterone_L: float = _clearance(200.0, "L", "P volume", "[assumption]")
    cl_allo_L_per_h_per_kg: float = _clearance(1.2, "L/h/kg", "ALLO clearance",
                                               "as brexanolone (docs/science.md §6.1)")
    v_allo_L_per_kg: float = _clearance(3.0, "L/kg", "ALLO volume",
                                        "as brexanolone (docs/science.md §6.1)")


@schema
class TestosteroneTreatment(TreatmentBase):
    """Transdermal testosterone gel once each morning."""

    name: str = "testosterone"
    dose_mg: float = param(50.0, "mg", ge=0, doc="each daily dose", source=_RUN)
    n_days: float = param(60.0, "d", ge=0, doc="days of treatment", source=_RUN)
    dose_clock_h: float = param(8.0, "h", ge=0, lt=24, doc="hour of day of each dose",
                                source="each morning (gel labels)")
    bioavailability_frac: float = _frac(0.1, "fraction absorbed through skin", "~10 % [R]")
    ka_per_h: float = param(0.1, "1/h", ge=0, doc="absorption rate",
                            source="slow, continuous absorption over ~a day [R]")
    cl_L_per_h: float = _clearance(42.0, "L/h", "T metabolic clearance", "~1000 L/day [R]")
    v_L: float = _clearance(100.0, "L", "T volume", "[assumption]")


_PREG = "[assumption]: the split of pregnenolone's metabolism in humans is not measured"


@schema
class PregnenoloneTreatment(TreatmentBase):
    """Oral pregnenolone (a supplement): gut -> plasma pregnenolone, whose clearance splits
    into sulfation (-> PregS), 3b-HSD (-> progesterone, then ALLO by the model's own
    routes), 17-hydroxylation/lyase (-> DHEA -> DHEA-S) and other metabolites. Trials gave
    400-500 mg/day and saw serum pregnenolone and ALLO rise (Marx et al. 2009; Sripada et
    al. 2013) [R]; the split of its metabolism in humans is not measured: [assumption]."""

    name: str = "pregnenolone"
    dose_mg: float = param(400.0, "mg", ge=0, doc="each dose",
                           source="400-500 mg/day in trials (Marx 2009; Sripada 2013) [R]")
    doses_per_day: int = param(1, "1/d", ge=0, doc="doses per day", source=_RUN)
    n_days: float = param(28.0, "d", ge=0, doc="days of treatment", source=_RUN)
    ka_per_h: float = param(1.0, "1/h", ge=0, doc="absorption rate",
                            source="Tmax ~1-2 h like other oral steroids [assumption]")
    bioavailability_frac: float = _frac(
        0.05, "systemic fraction (extensive first-pass metabolism)",
        "[assumption]; with the clearance, 400 mg/day gives a mean plasma pregnenolone of "
        "~10 ng/mL (33 nM)")
    cl_L_per_h: float = _clearance(80.0, "L/h", "pregnenolone clearance", "~2000 L/day, as "
                                   "other free C21 steroids (P: 2200 L/day) [assumption]")
    v_L: float = _clearance(100.0, "L", "pregnenolone volume", "[assumption]")
    to_pregs_frac: float = _frac(0.3, "of the cleared pregnenolone: sulfated", _PREG)
    to_progesterone_frac: float = _frac(0.05, "of the cleared pregnenolone: 3b-HSD", _PREG)
    to_dheas_frac: float = _frac(0.05, "of the cleared pregnenolone: via DHEA, appearing "
                                 "as DHEA-S", _PREG)
    pregs_cl_L_per_h: float = _clearance(1.0, "L/h", "PregS clearance",
                                         "albumin-bound, t1/2 ~7 h in 10 L [assumption]")
    pregs_v_L: float = _clearance(10.0, "L", "PregS volume", "[assumption]")
    dheas_cl_L_per_h: float = _clearance(0.31, "L/h", "DHEA-S clearance",
                                         "t1/2 ~20 h in 9 L (MCR ~7.5 L/day) [R]")
    dheas_v_L: float = _clearance(9.0, "L", "DHEA-S volume", "[R]")
    progesterone_cl_L_per_h: float = _clearance(92.0, "L/h", "P metabolic clearance",
                                                "~2200 L/day [R]")
    progesterone_v_L: float = _clearance(200.0, "L", "P volume",
                                         "as the progesterone treatment [assumption]")


#: Sexes whose DHEA -> testosterone conversion differs (``treatment.sex``; auto: from the
#: scenario, male for male_ageing).
SEXES = ("auto", "female", "male")
_MORALES = "50 mg/day restores young-adult DHEA-S (Morales 1994; Arlt 1999)"


@schema
class DheaTreatment(TreatmentBase):
    """Oral DHEA: gut -> plasma DHEA (and DHEA-S by first-pass sulfation); DHEA is cleared
    to DHEA-S, to androgens (testosterone, then 3a-androstanediol by the model's route) and
    other metabolites. 50 mg/day restores young-adult DHEA-S in both sexes and raises
    testosterone in women but not in men (Morales et al. 1994; Arlt et al. 1999) [R]."""

    name: str = "dhea"
    sex: str = "auto"  # female | male | auto (from the scenario)
    dose_mg: float = param(50.0, "mg", ge=0, doc="each dose",
                           source="25-50 mg/day replacement (Morales 1994; Arlt 1999) [R]")
    doses_per_day: int = param(1, "1/d", ge=0, doc="doses per day", source=_RUN)
    n_days: float = param(28.0, "d", ge=0, doc="days of treatment", source=_RUN)
    ka_per_h: float = param(1.0, "1/h", ge=0, doc="absorption rate", source="DHEA Tmax "
                            "~1-2 h [R]")
    dhea_frac: float = _frac(0.1, "absorbed as DHEA", "[assumption]")
    first_pass_dheas_frac: float = _frac(
        0.2, "sulfated in gut and liver before the circulation",
        f"[D]: with to_dheas_frac, 50 mg/day adds ~5 uM DHEA-S; {_MORALES}")
    cl_L_per_h: float = _clearance(83.0, "L/h", "DHEA metabolic clearance", "~2000 L/day [R]")
    v_L: float = _clearance(100.0, "L", "DHEA volume", "[assumption]")
    to_dheas_frac: float = _frac(0.5, "of the cleared DHEA: sulfated", "[assumption]")
    to_testosterone_frac_female: float = _frac(
        0.06, "of the cleared DHEA: testosterone, women", "[D] T ~2x (+1 nM) in women on "
        "50 mg/day (Morales 1994): +1 nM x T clearance 1000 L/day = 0.29 mg T/day of 5 mg DHEA")
    to_testosterone_frac_male: float = _frac(0.0, "of the cleared DHEA: testosterone, men",
                                             "no rise of T in men (Morales 1994) [R]")
    dheas_cl_L_per_h: float = _clearance(0.31, "L/h", "DHEA-S clearance",
                                         "t1/2 ~20 h in 9 L (MCR ~7.5 L/day) [R]")
    dheas_v_L: float = _clearance(9.0, "L", "DHEA-S volume", "[R]")
    testosterone_cl_L_per_h: float = _clearance(42.0, "L/h", "T metabolic clearance",
                                                "~1000 L/day [R]")
    testosterone_v_L: float = _clearance(100.0, "L", "T volume",
                                         "as the testosterone treatment [assumption]")


TREATMENT_SCHEMAS = {
    "none": NoTreatment, "brexanolone": BrexanoloneTreatment,
    "zuranolone": ZuranoloneTreatment, "progesterone": ProgesteroneTreatment,
    "testosterone": TestosteroneTreatment, "pregnenolone": PregnenoloneTreatment,
    "dhea": DheaTreatment,
}


#: The validated name of several treatments given together (``treatment=[a,b]``).
COMBINATION = "combination"


@schema
class TreatmentCombination:
    """Several treatments given together (``treatment=[a,b]``), typed: each by its own
    schema. Its plain form is the validated node (``name: combination`` and one entry
    per treatment)."""

    name: str = COMBINATION
    parts: dict[str, Any] = field(default_factory=dict)  # treatment name -> its config

    def plain(self) -> dict[str, Any]:
        """The validated node of the combination."""
        return {"name": self.name, **{k: unbuild(v) for k, v in self.parts.items()}}


def typed_scenario(node: Mapping[str, Any], key: str = "scenario") -> Any:
    """The validated ``scenario`` node as an instance of its scenario's schema."""
    return build(SCENARIO_SCHEMAS[node["name"]], node, key + ".")


def typed_treatment(node: Mapping[str, Any], key: str = "treatment") -> Any:
    """The validated ``treatment`` node typed: its treatment's schema, or a
    :class:`TreatmentCombination` of several."""
    if node["name"] == COMBINATION:
        return TreatmentCombination(parts={
            k: build(TREATMENT_SCHEMAS[k], v, f"{key}.{k}.")
            for k, v in node.items() if k != "name"})
    return build(TREATMENT_SCHEMAS[node["name"]], node, key + ".")


def _selection_schema() -> type:
    """The ``treatment`` node as Hydra composes it: one entry per selected treatment
    (``treatment=progesterone`` gives ``treatment.progesterone``; a list
    ``treatment=[progesterone,testosterone]`` gives both, Hydra's pattern for selecting
    several configs of one group) plus, for the common case of one treatment, shorthand
    keys ``treatment.<key>`` (every key of every treatment, unset = null) that apply to it.
    ``sims.config`` turns the node into the validated form (one treatment: its flat
    config, as before; several: ``name: combination`` and one entry each)."""
    fields: list[tuple[str, Any, Any]] = [(n, Optional[Any], field(default=None))  # noqa: UP045
                                          for n in TREATMENT_SCHEMAS]
    seen: dict[str, Any] = {}
    for cls in TREATMENT_SCHEMAS.values():
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            if f.name == "name" or f.name in seen:
                continue
            seen[f.name] = hints[f.name]
            fields.append((f.name, Optional[hints[f.name]], field(default=None)))  # noqa: UP045
    return dataclasses.make_dataclass("TreatmentSelection", fields)


#: The composed ``treatment`` node's schema (see :func:`_selection_schema`).
TreatmentSelection = _selection_schema()
#: Shorthand keys of the ``treatment`` node: keys of some single treatment.
TREATMENT_SHORTHAND = tuple(f.name for f in dataclasses.fields(TreatmentSelection)
                            if f.name not in TREATMENT_SCHEMAS)


# --------------------------------------------------------------------------- steroids, HPA
@schema
class SteroidKineticsConfig:
    """Synthesis and turnover; brain levels at baseline are ``steroids.brain_nM``."""

    brain_half_life_min: float = param(10.0, "min", gt=0, doc="brain ALLO half-life",
                                       source="cortex, Dong et al. 2001 [V]")
    plasma_half_life_h: float = param(0.5, "h", gt=0, doc="plasma half-life of the "
                                      "endogenous steroids", source="with the placental "
                                      "tau, 62 % of the postpartum fall within 1 h (Hill "
                                      "2003) [D]")
    allo_vmax_nM: float = param(1.89, "nM", ge=0, doc="saturable P -> ALLO: Vmax",
                                source="ALLO/P 0.33 at P 0.5 nM, 0.045 at 35 nM (Kimball "
                                "et al. 2020) [D]")
    allo_km_nM: float = param(7.73, "nM", gt=0, doc="saturable P -> ALLO: Km",
                              source="Kimball et al. 2020 [D]")
    allo_adrenal_nM: float = param(0.05, "nM", ge=0, doc="adrenal plasma ALLO",
                                   source="present in men, Genazzani et al. 1998 [D]")
    # The relation above is the ovary's (the corpus luteum secretes ALLO with P: Ottander et
    # al. 2005) and the placenta's. Progesterone a treatment puts into the circulation
    # (after its first pass) adds plasma ALLO at this ratio to its own level, by peripheral
    # 5a-reduction: small, since vaginal P raises P but barely its 5a-reduced metabolites
    # (de Lignieres et al. 1995) [R direction; value assumption]
    exogenous_progesterone_allo_ratio: float = param(
        0.02, "1", ge=0, doc="plasma ALLO per plasma P from a progesterone treatment",
        source="de Lignieres et al. 1995 [R direction; value assumption]")
    thdoc_plasma_nM: float = param(2.0, "nM", gt=0, doc="plasma THDOC at mean ACTH",
                                   source="adrenal DOC -> THDOC [R]")
    androstanediol_per_testosterone: float = param(0.05, "1", ge=0, doc="plasma 3a-diol / "
                                                   "testosterone", source="[R]")
    # Brain levels follow *free* plasma levels with one partition for every steroid; on the
    # total plasma levels the model carries (as assays report them), each molecule's ratio
    # is that partition times its unbound fraction (docs/science.md §6.5).
    # Ratio and brain P conversion: a set of calibration brain_partition's accepted region
    # that meets every brain-ALLO target (cycle, pregnancy, postpartum, stress, progesterone
    # route), docs/science.md §1.3 [D, fitted; hand-set before: 0.5 and 20 nM]
    brain_plasma_ratio_allo: float = param(0.66, "1", ge=0, doc="brain / total plasma ALLO "
                                           "(endogenous and brexanolone)",
                                           source="docs/science.md §1.3 [D, fit]")
    brain_p_vmax_nM: float = param(2.9, "nM", ge=0, doc="brain 5a-reduction of circulating "
                                   "P: Vmax", source="docs/science.md §1.3 [D, fit]")
    brain_p_km_nM: float = param(100.0, "nM", gt=0, doc="brain 5a-reduction of circulating "
                                 "P: Km", source="[assumption]")
    brain_plasma_ratio_androstanediol: float = param(0.66, "1", ge=0, doc="brain / plasma "
                                                     "3a-diol", source="binding as ALLO's "
                                                     "[assumption]")
    brain_plasma_ratio_zuranolone: float = param(0.33, "1", ge=0, doc="brain / plasma "
                                                 "zuranolone", source="0.66 x f_u 0.5 % / "
                                                 "f_u(ALLO) 1 % [D, labels]")
    stress_precursor_half_life_min: float = param(15.0, "min", gt=0, doc="stress-made "
                                                  "brain precursor (P, DOC) half-life",
                                                  source="brain P/DOC peak ~10 min "
                                                  "(Barbaccia et al. 1996)")
    stress_synthesis_gain: float = param(6.0, "1", ge=0, doc="stress synthesis of brain "
                                         "ALLO", source="10-min stressor: ALLO x2 at ~20 "
                                         "min (Purdy et al. 1991) [D]")
    sulfated_half_life_h: float = param(10.0, "h", gt=0, doc="PregS / DHEA-S pools",
                                        source="slow [R]")
    # Plasma precursors at the mean adrenal drive (analytes of virtual studies; none acts
    # on the network): the sulfates follow the slow adrenal pools, pregnenolone ACTH.
    pregnenolone_plasma_nM: float = param(1.5, "nM", ge=0, doc="plasma pregnenolone",
                                          source="~0.5 ng/mL in adult women [assumption]")
    pregs_plasma_nM: float = param(100.0, "nM", ge=0, doc="plasma pregnenolone sulfate",
                                   source="~40 ng/mL, tens of ng/mL in adults "
                                   "[assumption]")
    dheas_plasma_nM: float = param(5000.0, "nM", ge=0, doc="plasma DHEA-S",
                                   source="women 20-30 y log mean ~2000-2470 ng/mL "
                                   "(Orentreich et al. 1984)")
    r5a_tau_days: float = param(7.0, "d", gt=0, doc="5a-reductase adaptation time",
                                source="over ~weeks [assumption]")
    chronic_r5a_loss: float = param(0.5, "1", ge=0, le=1, doc="5a-reductase lost under "
                                    "full chronic stress", source="5a-RI -50 % after 6 "
                                    "weeks (Dong et al. 2001)")


_HPA_FIT = ("fitted to the human profile: cortisol peak 07:50 ~19 ug/dL, nadir ~00:15 "
            "~5 ug/dL (docs/science.md §5.6) [D]")
_SRIRAM = "Sriram, Rodriguez-Fernandez & Doyle 2012 (configs/hpa/sriram.yaml)"


@schema
class HPAConfig:
    """The HPA axis (``sims.slow.hpa``), time in hours; ``model`` picks the equations.

    Defaults are the entrained model's (``configs/hpa/default.yaml`` gives their sources);
    ``configs/hpa/sriram.yaml`` sets the Sriram model's own.
    """

    model: str = "entrained"  # entrained | sriram
    # --- entrained model (docs/science.md §5.2, §5.5, §5.6; sources: _HPA)
    crh_half_life_min: float = param(4.0, "min", ge=0, doc="CRH half-life",
                                     source="docs/science.md §5.6; Karin et al. 2020 [R]")
    acth_half_life_min: float = param(10.0, "min", ge=0, doc="ACTH half-life",
                                      source="10-25 min, the low end (docs/science.md §5.6) "
                                      "[R]")
    cortisol_half_life_min: float = param(60.0, "min", ge=0, doc="cortisol half-life",
                                          source="60-90 min, the low end [R]")
    gr_half_life_min: float = param(10.0, "min", ge=0, doc="GR activation follows cortisol",
                                    source="[assumption]")
    gr_k: float = param(2.0, "1", ge=0, doc="GR feedback half-activation (x mean cortisol)",
                        source="[D]")
    gr_hill: float = param(3.0, "1", ge=0, doc="cooperativity of GR feedback",
                           source="Karin et al. 2020 [R]")
    cortisol_scale_ug_per_dL: float = param(9.0, "ug/dL", ge=0, doc="cortisol at unit ACTH",
                                            source="daily mean 8.4 ug/dL [D]")
    circadian_amplitude_2: float = param(0.3, "1", ge=0, doc="second harmonic of the SCN "
                                         "drive", source=_HPA_FIT)
    circadian_peak_2_clock_h: float = param(8.0, "h", ge=0, le=24, doc="its peak hour",
                                            source=_HPA_FIT)
    wake_clock_h: float = param(7.0, "h", ge=0, le=24, doc="waking hour",
                                source="[assumption]")
    awakening_drive: float = param(5.0, "1", ge=0, doc="drive of the burst at waking",
                                   source="awakening response +50-100 % (docs/science.md "
                                   "§5.6) [D]")
    awakening_duration_min: float = param(30.0, "min", ge=0, doc="duration of the burst",
                                          source="[assumption]")
    stress_feedback_exponent: float = param(
        0.0, "1", ge=0, le=1, doc="GR gating of the acute-stress drive at the PVN (0: not "
        "gated there, 1: gated as the rest of the drive)",
        source="Kudielka et al. 2004 (similar responses morning and afternoon) "
        "[assumption]")
    # --- Sriram, Rodriguez-Fernandez & Doyle 2012 (docs/science.md §5.1; hpa=sriram)
    k_stress: float = param(10.1, "1", ge=0, doc="Sriram model constant", source=_SRIRAM)
    k_i: float = param(1.51, "1", ge=0, doc="Sriram model constant", source=_SRIRAM)
    V_S3: float = param(3.25, "1", ge=0, doc="Sriram model constant", source=_SRIRAM)
    K_m1: float = param(1.74, "1", ge=0, doc="Sriram model constant", source=_SRIRAM)
    K_P2: float = param(8.3, "1", ge=0, doc="Sriram model constant", source=_SRIRAM)
    V_S4: float = param(0.907, "1", ge=0, doc="Sriram model constant", source=_SRIRAM)
    K_m2: float = param(0.112, "1", ge=0, doc="Sriram model constant", source=_SRIRAM)
    K_P3: float = param(0.945, "1", ge=0, doc="Sriram model constant", source=_SRIRAM)
    V_S5: float = param(0.00535, "1", ge=0, doc="Sriram model constant", source=_SRIRAM)
    K_m3: float = param(0.0768, "1", ge=0, doc="Sriram model constant", source=_SRIRAM)
    K_d1: float = param(0.00379, "1", ge=0, doc="Sriram model constant", source=_SRIRAM)
    K_d2: float = param(0.00916, "1", ge=0, doc="Sriram model constant", source=_SRIRAM)
    K_d3: float = param(0.356, "1", ge=0, doc="Sriram model constant", source=_SRIRAM)
    n1: float = param(5.43, "1", ge=0, doc="Sriram model constant", source=_SRIRAM)
    n2: float = param(5.1, "1", ge=0, doc="Sriram model constant", source=_SRIRAM)
    K_b: float = param(0.0202, "1", ge=0, doc="Sriram model constant", source=_SRIRAM)
    G_tot: float = param(3.28, "1", ge=0, doc="Sriram model constant", source=_SRIRAM)
    V_S2: float = param(0.0509, "1", ge=0, doc="Sriram model constant", source=_SRIRAM)
    K1: float = param(0.645, "1", ge=0, doc="Sriram model constant", source=_SRIRAM)
    K_d5: float = param(0.0854, "1", ge=0, doc="Sriram model constant", source=_SRIRAM)
    # --- both models
    feedback_gain: float = param(1.0, "1", ge=0, doc="GR feedback strength (feedback "
                                 "constant / gain)", source="1 [assumption]; sweepable")
    stress_drive_gain: float = param(10.0, "1", ge=0, doc="drive added by a stressor",
                                     source="10-min stressor: cortisol x1.5 (10:00) to x2.5 "
                                     "(20:00), peak 40 min after onset (docs/science.md "
                                     "§5.6) [D]")
    chronic_drive_gain: float = param(0.5, "1", ge=0, doc="drive added under full chronic "
                                      "stress", source="[assumption]")
    chronic_feedback_impairment: float = param(0.2, "1", ge=0, doc="GR feedback constant x "
                                               "(1 + this) under chronic stress",
                                               source="[assumption]")
    neurosteroid_inhibition: float = param(0.3, "1", ge=0, le=1, doc="largest fractional "
                                           "CRH cut by ALLO + THDOC",
                                           source="Patchev et al. 1996; docs/science.md §5.7")
    neurosteroid_ec50_nM: float = param(30.0, "nM", gt=0, doc="brain ALLO-equivalent for "
                                        "half the cut", source="tens of nM brain "
                                        "(docs/science.md §5.7) [D]")
    pvn_operating_mV: float = param(-60.0, "mV", doc="CRH neurons' membrane potential, "
                                    "where the brake's sign is read (above the unshifted "
                                    "E_GABA, <= -30 mV)", source="Sarkar et al. 2011 "
                                    "[assumption: a parvocellular resting level]")
    circadian_amplitude: float = param(0.8, "1", ge=0, doc="first harmonic of the SCN drive",
                                       source=_HPA_FIT)
    circadian_peak_clock_h: float = param(8.0, "h", ge=0, le=24, doc="its peak hour",
                                          source=_HPA_FIT)
    cortisol_ref_ug_per_dL: float = param(8.4, "ug/dL", gt=0, doc="daily mean cortisol: "
                                          "adrenal output = 1", source="[D]")
    acth_ref: float = param(1.0, "1", gt=0, doc="daily mean ACTH (the model's units): "
                            "adrenal drive = 1", source="[D]")


@schema
class InflammationConfig:
    enabled: bool = True
    tau_h: float = param(12.0, "h", gt=0, doc="cytokine index relaxation",
                         source="[assumption]")
    chronic_gain: float = param(0.5, "1", ge=0, doc="cytokine index rise under full "
                                "chronic stress (1.5x)", source="[assumption]")
    allo_suppression: float = param(0.5, "1", ge=0, lt=1, doc="largest fractional cut of "
                                    "the index by plasma ALLO", source="brexanolone lowers "
                                    "TNF-a/IL-6 (Balan et al. 2023)")
    allo_ec50_nM: float = param(100.0, "nM", gt=0, doc="plasma ALLO for half the cut",
                                source="[assumption]")
    synthesis_gain: float = param(0.3, "1", ge=0, doc="5a-reductase / (1 + gain (I - 1))",
                                  source="[assumption]")
    gr_gain: float = param(0.05, "1", ge=0, doc="GR feedback k_i x (1 + gain (I - 1))",
                           source="[assumption]")


@schema
class StressLoopConfig:
    """The stress-neurosteroid vicious cycle (sims/slow/stress_loop.py); gain 0 = off."""

    gain: float = param(0.0, "1", ge=0, doc="loop gain (0: the model without the loop, "
                        "exactly)", source="[assumption]")
    tau_load_days: float = param(3.0, "d", gt=0, doc="glucocorticoid load time constant",
                                 source="effects on gene expression build over days "
                                 "[assumption]")
    threshold: float = param(1.1, "1", ge=0, doc="load tolerated without effect (x the "
                             "unstressed daily mean cortisol)", source="[assumption]")
    r5a_gain: float = param(1.0, "1", ge=0, doc="5a-reductase target / (1 + gain r5a_gain "
                            "X)", source="[assumption]")
    inflammation_gain: float = param(1.0, "1", ge=0, doc="cytokine target + gain "
                                     "inflammation_gain X", source="[assumption]")
    source: str = ""


@schema
class ChloridePopulationConfig:
    """One population's chloride plasticity (sims/slow/chloride.py)."""

    shift_max_mV: float = 0.0  # E_GABA shift at full stress (0: fixed E_GABA)
    source: str = ""


@schema
class ChlorideConfig:
    """Chloride homeostasis: E_GABA shifts with KCC2 loss under stress
    (configs/chloride/default.yaml: values and sources)."""

    tau_down_h: float = param(1.0, "h", gt=0, doc="KCC2 loss time constant",
                              source="within the time of a stressor [R]")
    tau_recovery_h: float = param(24.0, "h", gt=0, doc="KCC2 recovery time constant",
                                  source="[assumption]")
    physiological_low_mV: float = param(-95.0, "mV", doc="lowest E_GABA a shift may reach",
                                        source="[assumption]")
    physiological_high_mV: float = param(-35.0, "mV", doc="highest E_GABA a shift may "
                                         "reach", source="[assumption]")
    populations: dict[str, Any] = collection(ChloridePopulationConfig)
    source: str = ""


@schema
class SlowConfig:
    dt_min: float = 0.0  # 0: the scenario's recommended step
    record_every_min: float = 0.0  # 0: every 10 min, or every step if the step is longer
    burn_in_days: float = 5.0  # equilibrate at t = 0 conditions before the run
    # numeric backend (sims/slow/numerics.py): float (Python floats, the fast single run) or
    # array (numpy, the cohort engine's; a cohort individual's single run is bit-identical
    # on it). The two agree to ~1e-12 relative: numerics, not science (not in the job seed)
    backend: str = bookkeeping(default="float")


@schema
class PopulationHomeostasisConfig:
    """How one population's subunits follow the neurosteroid history: each scales the
    deviation of its target from 1 (1 = the full rule, 0 = fixed expression)."""

    delta: float = 0.0
    gamma2: float = 0.0
    alpha4: float = 0.0
    source: str = ""


def _default_population_regulation() -> dict[str, dict]:
    """The shipped network's populations (configs/homeostasis/steroid.yaml: sources)."""
    return {"E": {"delta": 1.0, "gamma2": 1.0, "alpha4": 1.0},
            "PV": {"delta": 1.0, "gamma2": 0.0, "alpha4": 0.0},
            "SST": {"delta": 0.0, "gamma2": 0.0, "alpha4": 0.0},
            "PVN": {"delta": 0.0, "gamma2": 0.0, "alpha4": 0.0}}


@schema
class HomeostasisConfig:
    """GABA-A subunit regulation (sims/slow/homeostasis.py); values [D] unless cited
    (configs/homeostasis/steroid.yaml gives each value's basis)."""

    rule: str = "steroid"  # steroid | none | activity (impaired_recovery = steroid, slow tau_up)
    species: str = "mouse"  # mouse: pregnancy lowers delta (Maguire & Mody 2008); rat: raises
    # delta target 1 + U (x-1)/((x-1) + k) - D x^n/(x^n + x50^n), x = occupancy fold [D]
    delta_up_max: float = param(0.6, "1", ge=0, doc="U: the largest delta rise",
                                source="Maguire et al. 2005 (+43 % in diestrus) [D]")
    delta_up_k: float = param(0.5, "1", gt=0, doc="k: fold above 1 for half the rise",
                              source="Maguire et al. 2005 [D]")
    delta_up_exposure_gate: float = param(
        1.0, "1", ge=0, le=1, doc="delta's rise x (1 - g E^2): 0, the full rise whatever the "
        "exposure history; 1, scaled by 1 - E^2",
        source="[assumption] the up-regulation data are short exposures from baseline; no "
        "overshoot at 48 h postpartum (Maguire & Mody 2008)")
    delta_down_max: float = param(0.6, "1", ge=0, doc="D: the largest delta loss",
                                  source="Maguire & Mody 2008 (~0.5 at term) [D]")
    delta_down_x50: float = param(7.0, "1", gt=0, doc="x50: fold for half the loss",
                                  source="Maguire & Mody 2008 [D]")
    delta_down_hill: float = param(4.0, "1", ge=0, doc="n: steepness of the loss",
                                   source="Maguire & Mody 2008 [D]")
    gamma2_down_max: float = param(0.45, "1", ge=0, doc="the largest gamma2 loss",
                                   source="gamma2 ~0.6 in late pregnancy, Maguire & Mody 2008")
    gamma2_k: float = param(1.0, "1", gt=0, doc="fold above 1 for half the gamma2 loss",
                            source="Maguire & Mody 2008 [D]")
    tau_average_h: float = param(6.0, "h", gt=0, doc="averaging time of the occupancy that "
                                 "delta and gamma2 follow", source="[assumption]; at most "
                                 "~6 h or gamma2 is not back within 20 % by 48 h "
                                 "postpartum (Maguire & Mody 2008) [D]")
    tau_down_days: float = param(3.0, "d", gt=0, doc="time constant of the fall",
                                 source="over the last trimester (2-4 d, docs/science.md §4)")
    tau_up_days: float = param(0.75, "d", gt=0, doc="delta re-expression time constant",
                               source="back by 48 h postpartum (Maguire & Mody 2008)")
    gamma2_tau_up_days: float = param(0.75, "d", gt=0, doc="gamma2 re-expression time "
                                      "constant", source="Maguire & Mody 2008")
    alpha4_gain: float = param(1.5, "1", ge=0, doc="alpha4 rise transient gain",
                               source="peak 2-3x at 48-72 h (Gulinello et al. 2001) [D]")
    alpha4_withdrawal_gain: float = param(1.0, "1", ge=0, doc="alpha4 gain after a "
                                          "withdrawal from long exposure",
                                          source="~2x after 21 d (Smith et al. 1998) [R]")
    alpha4_rise_exposure_gate: float = param(
        1.0, "1", ge=0, le=1, doc="the rise transient x (1 - g E^2): 0, the full transient "
        "whatever the exposure history; 1, scaled by 1 - E^2",
        source="[assumption] (configs/homeostasis/steroid.yaml)")
    alpha4_s50: float = param(0.4, "1", gt=0, doc="ln-change of C_eq for half the alpha4 "
                              "response", source="[D]")
    alpha4_hill: float = param(3.0, "1", ge=0, doc="steepness of the alpha4 response",
                               source="switch-like: alpha4 resolves by 5-6 d of exposure")
    tau_adapt_days: float = param(1.75, "d", gt=0, doc="adaptation of the rise reference",
                                  source="[D]")
    tau_exposure_days: float = param(7.0, "d", gt=0, doc="sustained-exposure memory E: "
                                     "charge", source="[assumption]")
    tau_exposure_off_days: float = param(7.0, "d", gt=0, doc="its discharge once the "
                                         "occupancy has fallen", source="[assumption]")
    exposure_fold: float = param(2.0, "1", gt=0, doc="occupancy fold that counts as "
                                 "exposure", source="[assumption]")
    exposure_hill: float = param(4.0, "1", ge=0, doc="steepness of the exposure switch",
                                 source="[assumption]")
    tau_alpha4_days: float = param(1.0, "d", gt=0, doc="alpha4 expression time constant",
                                   source="[D]")
    alpha4_decay_effect: float = param(0.2, "1", ge=0, doc="alpha4 excess speeds phasic "
                                       "decay", source="Smith et al. 1998")
    activity_eta_per_day: float = param(0.5, "1/d", ge=0, doc="activity rule: delta change "
                                        "per day per unit of relative rate error",
                                        source="[assumption]")
    populations: dict[str, Any] = collection(PopulationHomeostasisConfig,
                                             default_factory=_default_population_regulation)
