"""The numbers of the model review (docs/changelog.md), printed as ``name: value`` lines.

Each number is a behaviour a referee would check (docs/science.md gives the data it is
compared with). Run it before and after a model change to put both in docs/changelog.md:

    .venv/bin/python bench/model_review.py            # ~6 min on 2 cores (make bench-review)
    .venv/bin/python bench/model_review.py --slow-only

Network numbers use the default network (one 1.2-s probe each, seed_mode=shared).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from sims.config import compose, validate
from sims.slow.model import SlowModel

OUT: dict[str, float] = {}


def report(name: str, value: float) -> None:
    OUT[name] = float(value)
    print(f"{name}: {value:.4g}", flush=True)


def slow(overrides: list[str]):
    c = validate(compose(["coupling=slow_only", *overrides]))
    return c, SlowModel(c).run(c["seed"])


def daily_peak_clock(t: np.ndarray, x: np.ndarray, day: int) -> float:
    m = (t >= 24 * day) & (t < 24 * day + 24)
    return float(t[m][np.argmax(x[m])] - 24 * day)


def hpa() -> None:
    _, tr = slow(["scenario=baseline", "scenario.duration_days=28"])
    t, o = tr.time_h, tr.values["cortisol"]
    report("cortisol_peak_clock_day1_h", daily_peak_clock(t, o, 0))
    report("cortisol_peak_clock_day28_h", daily_peak_clock(t, o, 27))
    day = (t >= 24 * 20) & (t < 24 * 21)
    report("cortisol_max_ug_per_dL", o[day].max())
    report("cortisol_min_ug_per_dL", o[day].min())
    report("cortisol_trough_clock_h", float(t[day][np.argmin(o[day])] - 24 * 20))
    for name in ("acth", "thdoc_plasma"):
        x = tr.values[name][day]
        report(f"{name}_daily_max_over_min", x.max() / max(x.min(), 1e-12))
    for onset in (10.0, 20.0):
        ov = ["scenario=acute_stress", "scenario.duration_days=3"]
        _, s = slow([*ov, f"scenario.pulses=[{{onset_h:{onset},duration_min:30,intensity:1}}]"])
        _, ctl = slow([*ov, "scenario.pulses=[]"])
        t, x, x0 = s.time_h, s.values["cortisol"], ctl.values["cortisol"]
        after = (t >= onset) & (t <= onset + 12)
        i = np.argmax(np.where(after, x / x0, -np.inf))
        tag = f"stress_{int(onset):02d}h"
        report(f"{tag}_cortisol_peak_after_onset_min", (t[i] - onset) * 60)
        report(f"{tag}_cortisol_fold_vs_control", x[i] / x0[i])
        report(f"{tag}_cortisol_max_ug_per_dL", x[after].max())
        back = np.flatnonzero((t > t[i]) & (np.abs(x / x0 - 1) < 0.2))
        report(f"{tag}_back_within_20pct_min", (t[back[0]] - onset) * 60 if len(back) else np.inf)
        report(f"{tag}_next_day_peak_shift_h",
               daily_peak_clock(t, x, 2) - daily_peak_clock(t, x0, 2))
        pa, pa0 = s.values["allo_plasma"], ctl.values["allo_plasma"]
        j = np.argmax(np.where(after, pa - pa0, -np.inf))
        report(f"{tag}_plasma_allo_peak_after_onset_min", (t[j] - onset) * 60)
    _, ch = slow(["scenario=chronic_stress", "scenario.daily_pulse_intensity=0"])
    t, o = ch.time_h, ch.values["cortisol"]
    pre, late = (t >= 24 * 4) & (t < 24 * 7), (t >= 24 * 30) & (t < 24 * 33)
    evening = lambda m: o[m & ((t % 24) >= 18) & ((t % 24) < 24)].mean()  # noqa: E731
    report("chronic_mean_ratio", o[late].mean() / o[pre].mean())
    report("chronic_evening_ratio", evening(late) / evening(pre))
    report("chronic_amplitude_ratio",
           (o[late].max() - o[late].min()) / (o[pre].max() - o[pre].min()))


def menstrual_and_postpartum() -> None:
    ov = ["scenario=menstrual", "scenario.cycle_length_sd_days=0",
          "scenario.luteal_length_sd_days=0", "scenario.duration_days=28"]
    _, tr = slow(ov)
    t = tr.time_h / 24
    fol, lut = (t >= 2) & (t <= 8), (t >= 19) & (t <= 24)
    b, p = tr.values["allo_brain"], tr.values["allo_plasma"]
    report("menstrual_brain_allo_luteal_over_follicular", b[lut].mean() / b[fol].mean())
    report("menstrual_plasma_allo_luteal_over_follicular", p[lut].mean() / p[fol].mean())
    report("menstrual_delta_E_max", tr.values["delta_E"].max())
    report("menstrual_alpha4_E_max", tr.values["alpha4_E"].max())
    _, pp = slow(["scenario=pregnancy_postpartum", "scenario.duration_days=20"])
    t, a = pp.time_h, pp.values["allo_plasma"]
    d = 14 * 24.0
    term, h1, day3 = (np.interp(x, t, a) for x in (d, d + 1, d + 72))
    report("postpartum_plasma_allo_fall_in_first_hour_frac", (term - h1) / (term - day3))
    report("term_brain_allo_nM", np.interp(d, t, pp.values["allo_brain"]))
    _, brex = slow(["scenario=pregnancy_postpartum", "treatment=brexanolone"])
    report("brexanolone_brain_allo_max_nM", brex.values["allo_brain"][brex.time_h > d].max())
    report("brexanolone_over_term_brain_allo",
           brex.values["allo_brain"][brex.time_h > d].max() / OUT["term_brain_allo_nM"])
    for days in (2, 21):
        h = days * 24

        def exposure(hours: int, days: int = days):
            return slow(["scenario=baseline", f"scenario.duration_days={days + 6}",
                         "treatment=brexanolone", "treatment.start_day=1",
                         f"treatment.schedule='0-{hours}h:10'"])[1]

        w, kept = exposure(h), exposure((days + 6) * 24)  # withdrawn vs exposure continued
        at = 24 + h + 24  # 24 h after withdrawal (Smith 1998)
        report(f"alpha4_24h_after_withdrawal_{days}d_exposure", w.at("alpha4_E", at))
        report(f"alpha4_withdrawal_effect_{days}d_exposure",
               w.at("alpha4_E", at) - kept.at("alpha4_E", at))


def network() -> None:
    from sims.simulate import simulate

    def rate_e(overrides: list[str]) -> tuple[float, object]:
        c = validate(compose(["seed_mode=shared", *overrides]))
        res = simulate(c)
        g = res.groups["probes"]
        pops = [str(x) for x in g["population"].data]
        return float(g["rate"].data[0][pops.index("E")]), res

    base, res = rate_e(["coupling=network_only"])
    report("baseline_E_rate_Hz", base)
    report("baseline_tonic_fraction", res.groups["probes"]["tonic_fraction"].data[0])
    half, _ = rate_e(["coupling=network_only", "receptors.populations.E.delta_expression=0.5"])
    report("halving_delta_E_rate_change_pct", 100 * (half / base - 1))
    g = res.groups["probes"]
    report("baseline_lfp_peak_Hz", g["lfp_peak_freq"].data[0])
    pp = ["scenario=pregnancy_postpartum", "homeostasis=impaired_recovery",
          "coupling.probe_times_h=[384.0]"]
    allr, res = rate_e(pp)
    report("postpartum_day2_impaired_E_rate_Hz", allr)
    off = "{delta: 0.0, gamma2: 0.0, alpha4: 0.0}"
    e_only, _ = rate_e([*pp, f"homeostasis.populations.PV={off}"])
    report("postpartum_day2_impaired_E_rate_E_regulated_only_Hz", e_only)
    inter_only, _ = rate_e([*pp, f"homeostasis.populations.E={off}"])
    report("postpartum_day2_impaired_E_rate_interneurons_regulated_only_Hz", inter_only)
    g = res.groups["probes"]
    report("postpartum_day2_lfp_peak_Hz", g["lfp_peak_freq"].data[0])
    late, res_late = rate_e(["scenario=pregnancy_postpartum", "coupling.probe_times_h=[330.0]"])
    report("late_pregnancy_lfp_peak_Hz", res_late.groups["probes"]["lfp_peak_freq"].data[0])
    report("gamma_power_postpartum_over_pregnancy",
           g["gamma_power"].data[0] / res_late.groups["probes"]["gamma_power"].data[0])
    for hom in ("steroid", "impaired_recovery"):
        for days in (3, 7):
            t = (14 + days) * 24.0
            ov = ["scenario=pregnancy_postpartum", f"homeostasis={hom}",
                  f"coupling.probe_times_h=[{t}]"]
            u, _ = rate_e(ov)
            b, _ = rate_e([*ov, "treatment=brexanolone"])
            report(f"postpartum_day{days}_{hom}_E_untreated_Hz", u)
            report(f"postpartum_day{days}_{hom}_E_brexanolone_Hz", b)
        # clinical timing: infusion from postpartum day 21 (trials: up to 6 months)
        start, end = 35.0, 37.5
        for after in (1, 3, 7):
            ov = ["scenario=pregnancy_postpartum", f"homeostasis={hom}",
                  f"scenario.duration_days={end + 15}",
                  f"coupling.probe_times_h=[{24 * (end + after)}]"]
            u, _ = rate_e(ov)
            b, _ = rate_e([*ov, "treatment=brexanolone", f"treatment.start_day={start}"])
            report(f"pp21_start_end+{after}d_{hom}_E_untreated_Hz", u)
            report(f"pp21_start_end+{after}d_{hom}_E_brexanolone_Hz", b)
    late_luteal = ["scenario.cycle_length_sd_days=0", "scenario.luteal_length_sd_days=0",
                   "scenario.duration_days=28", "coupling.probe_times_h=[636.0]"]
    m, _ = rate_e(["scenario=menstrual", *late_luteal])
    p, _ = rate_e(["scenario=pmdd", *late_luteal])
    report("late_luteal_E_menstrual_Hz", m)
    report("late_luteal_E_pmdd_Hz", p)
    male, _ = rate_e(["scenario=male_ageing", "scenario.duration_days=730",
                      "coupling.probe_times_h=[336.0]"])  # settled
    old, _ = rate_e(["scenario=male_ageing", "scenario.duration_days=730",
                     "coupling.probe_times_h=[17496.0]"])
    report("male_ageing_E_rate_change_pct", 100 * (old / male - 1))
    nosulf, _ = rate_e(["coupling=network_only", "steroids.brain_nM.pregs=0",
                        "steroids.brain_nM.dheas=0"])
    report("sulfated_steroids_E_rate_effect_pct", 100 * (base / nosulf - 1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--slow-only", action="store_true")
    args = ap.parse_args()
    t0 = time.perf_counter()
    hpa()
    menstrual_and_postpartum()
    if not args.slow_only:
        network()
    print(f"# {time.perf_counter() - t0:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
