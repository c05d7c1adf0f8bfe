"""Validation of the slow layer's configuration (called by ``sims.config.validate``).

Everything the slow model divides by, exponentiates, indexes with or clips is checked
before anything runs: a parameter's own range where the schema declares it
(:func:`sims.params.param`: steroid kinetics, HPA, inflammation, the stress loop,
chloride, homeostasis; checked while the config is typed), and here what depends on other keys,
on the chosen model or on files, and reported as a :class:`~sims.errors.ConfigError` naming
the key, the value and what is allowed. A ``from_file`` CSV is read (and validated)
once; the model gets the same table from :func:`sims.slow.scenarios.load_timecourse`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sims.constants import CONFIG_DIR
from sims.errors import ConfigError, require
from sims.slow import chloride, scenarios, steroids, treatments
from sims.slow.clock import MAX_STABLE_K_DT, duration_hours, step_hours
from sims.slow.hpa import MODELS
from sims.slow.numerics import BACKENDS
from sims.slow.schemas import PROGESTERONE_ROUTES, SEXES

#: Truncation range of drawn cycle lengths and luteal lengths (days; sims.slow.scenarios).
CYCLE_LENGTH_RANGE_DAYS = (18.0, 60.0)
LUTEAL_LENGTH_RANGE_DAYS = (10.0, 17.0)


#: The one check helper (sims.errors.require): ConfigError(key, value, allowed) unless ok.
_check = require


def _in(value: float, lo: float, hi: float) -> bool:
    return lo <= value <= hi


def check_hpa(c: Mapping[str, Any]) -> None:
    hp = c["hpa"]
    _check(hp["model"] in MODELS, "hpa.model", hp["model"], f"one of {MODELS}")
    e0 = c["receptors"]["gaba_a"]["E_rev_mV"]
    _check(e0 < hp["pvn_operating_mV"] <= -30.0, "hpa.pvn_operating_mV", hp["pvn_operating_mV"],
           f"a membrane potential (mV) above the unshifted E_GABA ({e0} mV, "
           "receptors.gaba_a.E_rev_mV) and at most -30")
    positive = ["feedback_gain", "cortisol_ref_ug_per_dL", "acth_ref"]
    if hp["model"] == "sriram":
        positive += ["k_i", "k_stress", "K_m1", "K_m2", "K_m3", "K1", "G_tot", "n1", "n2"]
        _check(hp["circadian_amplitude"] <= 1, "hpa.circadian_amplitude",
               hp["circadian_amplitude"], "a relative amplitude in [0, 1] with hpa.model="
               "sriram (its CRH drive must stay >= 0)")
    else:
        positive += ["crh_half_life_min", "acth_half_life_min", "cortisol_half_life_min",
                     "gr_half_life_min", "gr_k", "gr_hill", "cortisol_scale_ug_per_dL"]
    for key in positive:
        _check(hp[key] > 0, f"hpa.{key}", hp[key], "a number > 0 (a rate, constant or "
               "reference the HPA equations divide by)")


def check_homeostasis(c: Mapping[str, Any]) -> None:
    h = c["homeostasis"]
    _check(h["rule"] in ("steroid", "none", "activity"), "homeostasis.rule", h["rule"],
           "one of ('steroid', 'none', 'activity')")
    _check(h["species"] in ("mouse", "rat"), "homeostasis.species", h["species"],
           "'mouse' (pregnancy lowers delta) or 'rat' (raises it)")
    # the numbers' ranges are declared with their units in the schema (HomeostasisConfig,
    # sims.params) and checked while the config is typed
    pops = sorted(c["network"]["populations"])
    for pop, r in h["populations"].items():
        _check(pop in pops, f"homeostasis.populations.{pop}", pop,
               f"a population of the network {pops}")
        for sub in ("delta", "gamma2", "alpha4"):
            _check(r[sub] >= 0, f"homeostasis.populations.{pop}.{sub}", r[sub],
                   "a regulation scale >= 0 (1 = the full rule, 0 = fixed expression)")
    # populations it does not list keep fixed expression (sims.config, logged)
    if h["rule"] == "activity":
        _check(c["coupling"]["mode"] == "closed", "homeostasis.rule", "activity",
               "only with coupling.mode=closed (it needs measured activity)")


def check_scenario(c: Mapping[str, Any]) -> dict | None:
    """Scenario checks; returns the ``from_file`` table (None for other scenarios)."""
    sc = c["scenario"]
    # each number's own range is declared with its unit in the scenario's schema
    # (sims/slow/schemas.py, sims.params) and checked while the config is typed; what
    # follows relates fields to each other or to fixed truncation ranges
    if "cycle_length_mean_days" in sc:
        lo, hi = CYCLE_LENGTH_RANGE_DAYS
        _check(_in(sc["cycle_length_mean_days"], lo, hi), "scenario.cycle_length_mean_days",
               sc["cycle_length_mean_days"], f"a mean cycle length in [{lo:g}, {hi:g}] days "
               "(drawn lengths are truncated to this range)")
        lo, hi = LUTEAL_LENGTH_RANGE_DAYS
        _check(_in(sc["luteal_length_mean_days"], lo, hi), "scenario.luteal_length_mean_days",
               sc["luteal_length_mean_days"], f"a mean luteal length in [{lo:g}, {hi:g}] days "
               "(drawn lengths are truncated to this range)")
        _check(_in(sc["start_cycle_day"], 1, sc["cycle_length_mean_days"]),
               "scenario.start_cycle_day", sc["start_cycle_day"],
               f"a cycle day in [1, scenario.cycle_length_mean_days="
               f"{sc['cycle_length_mean_days']:g}]")
    end = sc["duration_days"]
    for i, st in enumerate(sc.get("stress_tests") or []):
        key = f"scenario.stress_tests[{i}]"
        _check(st["day"] >= 0 and (end <= 0 or st["day"] < end), f"{key}.day", st["day"],
               f"a day of the run, in [0, scenario.duration_days={end:g})")
    if sc["name"] == "from_file":
        return scenarios.load_timecourse(scenarios.resolve_path(sc["path"], CONFIG_DIR))
    return None


def check_treatment(c: Mapping[str, Any]) -> None:
    """Every treatment of the (validated) treatment config: counts, clock hours, route,
    sex, fractions of a dose or clearance that must not exceed the whole (mass balance)."""
    tr = c["treatment"]
    several = tr["name"] == treatments.COMBINATION
    for item in treatments.treatment_items(tr):
        _check_one_treatment(item, f"treatment.{item['name']}." if several else "treatment.")


#: Fractions that split one flow (a dose, or a clearance) of a treatment: their sum <= 1.
_SPLITS = {
    "progesterone": [("bioavailability_frac", "first_pass_allo_frac"),
                     ("vaginal_bioavailability_frac", "vaginal_first_pass_allo_frac"),
                     ("transdermal_bioavailability_frac", "transdermal_first_pass_allo_frac")],
    "pregnenolone": [("to_pregs_frac", "to_progesterone_frac", "to_dheas_frac")],
    "dhea": [("dhea_frac", "first_pass_dheas_frac"),
             ("to_dheas_frac", "to_testosterone_frac_female"),
             ("to_dheas_frac", "to_testosterone_frac_male")],
}


def _check_one_treatment(tr: Mapping[str, Any], prefix: str) -> None:
    # each number's own range is declared in the treatment's schema (sims/slow/schemas.py)
    if "route" in tr:
        _check(tr["route"] in PROGESTERONE_ROUTES, f"{prefix}route", tr["route"],
               f"one of {PROGESTERONE_ROUTES}")
    if "sex" in tr:
        _check(tr["sex"] in SEXES, f"{prefix}sex", tr["sex"], f"one of {SEXES}")
    for keys in _SPLITS.get(tr["name"], []):
        total = sum(tr[k] for k in keys)
        rest = " + ".join(f"{prefix}{k}" for k in keys[:-1])
        _check(total <= 1, f"{prefix}{keys[-1]}", tr[keys[-1]],
               f"at most 1 - {rest} = {1 - (total - tr[keys[-1]]):g} (fractions of one "
               "flow: together at most the whole)")
    if tr["name"] == "brexanolone":
        treatments.parse_schedule(tr["schedule"], f"{prefix}schedule")


def check_numerics(c: Mapping[str, Any]) -> None:
    """Integration step vs the fastest turnover; recording on the step grid."""
    k, hp = c["steroids"]["kinetics"], c["hpa"]
    dt = step_hours(c)
    rates = {"the brain-steroid turnover": k["brain_half_life_min"]}
    if hp["model"] == "entrained":
        rates |= {"CRH turnover": hp["crh_half_life_min"], "ACTH turnover":
                  hp["acth_half_life_min"], "GR activation": hp["gr_half_life_min"]}
    what, half_life = min(rates.items(), key=lambda kv: kv[1])
    fastest = steroids.rate(half_life / 60.0)
    key = "slow.dt_min" if c["slow"]["dt_min"] else "scenario.dt_min"
    if fastest * dt > MAX_STABLE_K_DT:
        raise ConfigError(key, dt * 60, f"a step <= {60 * MAX_STABLE_K_DT / fastest:.1f} min "
                          f"(stability of the {what}, t1/2 {half_life:g} min)")
    _check(c["slow"]["backend"] in BACKENDS, "slow.backend", c["slow"]["backend"],
           f"one of {BACKENDS} (numerics of the slow layer)")
    rec = c["slow"]["record_every_min"] / (dt * 60)
    if rec and (abs(rec - round(rec)) > 1e-9 or round(rec) < 1):
        raise ConfigError("slow.record_every_min", c["slow"]["record_every_min"],
                          f"a multiple of the integration step ({dt * 60:g} min)")


def check_baseline_levels(c: Mapping[str, Any]) -> None:
    """The baseline brain ALLO must be reachable: at least what plasma uptake gives."""
    sc, k = c["scenario"], c["steroids"]["kinetics"]
    plasma0 = steroids.peripheral_allo_target(sc["progesterone_follicular_nM"], k["allo_vmax_nM"],
                                              k["allo_km_nM"], k["allo_adrenal_nM"], 1.0, 0.0)
    brain = c["steroids"]["brain_nM"].get("allo", 0.0)
    from_p = steroids.brain_progesterone_conversion(sc["progesterone_follicular_nM"],
                                                    k["brain_p_vmax_nM"], k["brain_p_km_nM"])
    local = steroids.local_synthesis(brain, k["brain_plasma_ratio_allo"], plasma0, from_p)
    if local < 0:
        least = k["brain_plasma_ratio_allo"] * plasma0 + from_p
        raise ConfigError("steroids.brain_nM.allo", brain,
                          f">= {least:.3g} nM with the slow "
                          "layer on (what plasma uptake and brain conversion of "
                          "progesterone alone give at baseline); for a steroid-free "
                          "network use steroids=none, which turns the slow layer off")


def check_coupling(c: Mapping[str, Any], table: dict | None) -> None:
    cp = c["coupling"]
    _check(cp["slow"] or cp["fast"], "coupling.slow", cp["slow"],
           "true, or coupling.fast=true: a run needs at least one layer")
    for i, t in enumerate(cp["probe_times_h"]):
        _check(t >= 0, f"coupling.probe_times_h[{i}]", t, "times >= 0 h")
    _check(cp["mode"] in ("open", "closed"), "coupling.mode", cp["mode"], "'open' or 'closed'")
    _check(cp["workers"] >= 1, "coupling.workers", cp["workers"], "an integer >= 1")
    _check(cp["cadence_h"] >= 0, "coupling.cadence_h", cp["cadence_h"], "a number >= 0")
    if not cp["fast"]:
        _check(not cp["probe_times_h"], "coupling.probe_times_h", cp["probe_times_h"],
               "[] with coupling.fast=false (no network, no probes)")
        _check(cp["cadence_h"] == 0, "coupling.cadence_h", cp["cadence_h"],
               "0 with coupling.fast=false (no network, no probes)")
    if not cp["slow"]:
        _check(cp["cadence_h"] == 0, "coupling.cadence_h", cp["cadence_h"],
               "0 with coupling.slow=false (a cadence needs the scenario's duration; give "
               "coupling.probe_times_h)")
        for group, none in (("scenario", "baseline"), ("treatment", "none")):
            name = c[group]["name"]
            _check(name == none, f"{group}.name", name,
                   f"'{none}' with coupling.slow=false (the {group} acts through the slow "
                   "layer, which is off)")
    if cp["mode"] == "closed":
        _check(cp["slow"] and cp["fast"], "coupling.mode", "closed",
               "only with coupling.slow=true and coupling.fast=true")
        if cp["pvn_gain"] > 0:
            pops = sorted(c["network"]["populations"])
            _check(cp["pvn_population"] in pops, "coupling.pvn_population",
                   cp["pvn_population"], f"a population of the network {pops}")
    if cp["slow"]:
        end = duration_hours(c, table)
        for i, t in enumerate(cp["probe_times_h"]):
            _check(t <= end, f"coupling.probe_times_h[{i}]", t,
                   f"times within the scenario (0 to {end:g} h)")


def check_chloride(c: Mapping[str, Any]) -> None:
    """Known populations; E_GABA (synaptic and tonic) at full shift in the physiological
    range (the trajectory stays between the configured value and that one)."""
    cl, rec = c["chloride"], c["receptors"]
    lo, hi = cl["physiological_low_mV"], cl["physiological_high_mV"]
    _check(lo < hi, "chloride.physiological_high_mV", hi, f"> chloride.physiological_low_mV={lo:g}")
    pops = c["network"]["populations"]
    for name, p in cl["populations"].items():
        key = f"chloride.populations.{name}"
        _check(name in pops, key, p, f"a population of the network ({sorted(pops)})")
        shift = p["shift_max_mV"]
        for what, e in (("synaptic", rec["gaba_a"]["E_rev_mV"]),
                        ("tonic", rec["populations"][name]["E_tonic_mV"])):
            for end in (e, e + shift):
                _check(chloride.physiological(end, lo, hi), f"{key}.shift_max_mV", shift,
                       f"a shift that keeps {name}'s {what} E_GABA in the physiological range "
                       f"[{lo:g}, {hi:g}] mV (it would reach {end:g} mV)")


def check(c: Mapping[str, Any]) -> None:
    """Every slow-layer check, in the order a reader meets the config."""
    check_chloride(c)
    check_hpa(c)
    check_homeostasis(c)
    table = check_scenario(c)
    check_treatment(c)
    check_coupling(c, table)
    if c["coupling"]["slow"]:
        check_numerics(c)
        check_baseline_levels(c)
