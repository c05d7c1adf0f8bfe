"""The numbers of the model-validity review (brain steroid -> receptor -> network -> read-out),
printed as ``name: value`` lines; docs/changelog.md "Model validity" holds the before/after table.

Run it before and after a model change (``make bench-validity``, ~3 min on 2 cores):

    .venv/bin/python bench/model_validity.py            # all
    .venv/bin/python bench/model_validity.py --only dose,pmdd
    .venv/bin/python bench/model_validity.py --set homeostasis.tau_exposure_off_days=1

Network numbers use the default network (one probe each, seed_mode=shared, seed 1).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from sims.config import compose, validate
from sims.slow.model import SlowModel

OUT: dict[str, float] = {}
#: Overrides added to every run (``--set``): measure a candidate change before making it.
EXTRA: list[str] = []


def report(name: str, value: float) -> None:
    OUT[name] = float(value)
    print(f"{name}: {value:.4g}", flush=True)


def slow(overrides: list[str]):
    c = validate(compose(["coupling=slow_only", *overrides, *EXTRA]))
    return SlowModel(c).run(c["seed"])


def probe(overrides: list[str], pop: str = "E") -> dict[str, float]:
    """One probe of the default network: read-outs of ``pop`` at the first probe time."""
    from sims.simulate import simulate

    c = validate(compose(["seed_mode=shared", *overrides, *EXTRA]))
    g = simulate(c).groups["probes"]
    i = [str(x) for x in g["population"].data].index(pop)
    out = {}
    for k in ("rate", "g_tonic", "g_a4_inward", "g_a4_outward", "delta_power", "up_fraction",
              "tonic_fraction", "tau_gaba"):
        if k in g:
            v = np.asarray(g[k].data)[0]
            out[k] = float(v[i] if np.ndim(v) else v)
    return out


def dose() -> None:
    """Wake and NREM response of the network to brain ALLO (network only)."""
    for allo in (0, 1, 3, 10, 30, 100):
        r = probe(["coupling=network_only", f"steroids.brain_nM.allo={allo}"])
        report(f"wake_E_rate_Hz_allo_{allo}nM", r["rate"])
        report(f"wake_E_g_tonic_nS_allo_{allo}nM", r["g_tonic"] * 1e9)
        pv = probe(["coupling=network_only", f"steroids.brain_nM.allo={allo}"], "PV")
        report(f"wake_PV_rate_Hz_allo_{allo}nM", pv["rate"])
    for allo in (1, 3, 5, 10, 30):
        r = probe(["coupling=network_only", "probe.state=nrem", "probe.window_ms=4000",
                   f"steroids.brain_nM.allo={allo}"])
        report(f"nrem_E_rate_Hz_allo_{allo}nM", r["rate"])
        report(f"nrem_up_fraction_allo_{allo}nM", r.get("up_fraction", np.nan))
        report(f"nrem_delta_power_allo_{allo}nM", r.get("delta_power", np.nan))


def polarity() -> None:
    """30 nM ALLO with alpha4 expression 1 (adult) and 3 (puberty-like / withdrawal)."""
    for a4 in (1.0, 3.0):
        for allo in (0, 30):
            r = probe(["coupling=network_only", f"steroids.brain_nM.allo={allo}",
                       f"receptors.populations.E.alpha4_expression={a4}"])
            report(f"E_rate_Hz_alpha4_{a4:g}_allo_{allo}nM", r["rate"])


def homeostasis() -> None:
    """delta overshoot after delivery; brexanolone from postpartum day 2 and the rebound."""
    tr = slow(["scenario=pregnancy_postpartum", "scenario.duration_days=24"])
    d = 14 * 24.0
    t = tr.time_h
    m = (t >= d + 48) & (t <= d + 72)
    report("postpartum_day2_3_delta_E_max", tr.values["delta_E"][m].max())
    report("late_pregnancy_delta_E", tr.at("delta_E", d - 1))
    for hom in ("steroid", "impaired_recovery"):
        for label, hours in (("48h", 48.0), ("60h", 60.0), ("pp5d", 72.0), ("pp7d", 120.0)):
            # infusion starts on postpartum day 2 (brexanolone.yaml start_day), runs 60 h
            at = d + 48.0 + hours
            ov = ["scenario=pregnancy_postpartum", f"homeostasis={hom}",
                  f"coupling.probe_times_h=[{at}]", "scenario.duration_days=24"]
            u = probe(ov)["rate"]
            b = probe([*ov, "treatment=brexanolone"])["rate"]
            report(f"brex_over_untreated_E_{hom}_{label}", b / max(u, 1e-9))


def pmdd() -> None:
    late = ["scenario.cycle_length_sd_days=0", "scenario.luteal_length_sd_days=0",
            "scenario.duration_days=28", "coupling.probe_times_h=[636.0]", "sim=debug"]
    m = probe(["scenario=menstrual", *late])["rate"]
    p = probe(["scenario=pmdd", *late])["rate"]
    report("late_luteal_E_menstrual_Hz_debug", m)
    report("late_luteal_E_pmdd_Hz_debug", p)
    report("late_luteal_E_pmdd_over_menstrual", p / max(m, 1e-9))
    tr = slow(["scenario=pmdd", *late[:3]])
    report("pmdd_alpha4_E_max", tr.values["alpha4_E"].max())


def hpa() -> None:
    """A 30-min stressor at 10:00, 15:00 and 20:00: cortisol above the unstressed day (peak,
    ug/dL), the fold over it, and minutes from onset until the excess is back below 10 %
    of its peak (Kudielka 2004: similar net responses morning and afternoon)."""
    ov = ["scenario=acute_stress", "scenario.duration_days=2"]
    ctl = slow([*ov, "scenario.pulses=[]"])
    for onset in (10.0, 15.0, 20.0):
        s = slow([*ov, f"scenario.pulses=[{{onset_h:{onset},duration_min:30,intensity:1}}]"])
        t, x, x0 = s.time_h, s.values["cortisol"], ctl.values["cortisol"]
        after = (t >= onset) & (t <= onset + 8)
        excess = (x - x0)[after]
        i = int(np.argmax(excess))
        back = np.nonzero(excess[i:] < 0.1 * excess[i])[0]
        report(f"stress_{int(onset):02d}h_cortisol_rise_ug_dL", excess[i])
        report(f"stress_{int(onset):02d}h_cortisol_fold", x[after][i] / x0[after][i])
        report(f"stress_{int(onset):02d}h_recovery_min",
               (t[after][i + back[0]] - onset) * 60 if back.size else float("nan"))


SECTIONS = {"dose": dose, "polarity": polarity, "homeostasis": homeostasis, "pmdd": pmdd,
            "hpa": hpa}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default=",".join(SECTIONS),
                    help=f"comma-separated sections of {list(SECTIONS)}")
    ap.add_argument("--set", nargs="*", default=[], metavar="OVERRIDE",
                    help="Hydra overrides added to every run (a candidate change)")
    args = ap.parse_args()
    EXTRA.extend(args.set)
    t0 = time.perf_counter()
    for name in args.only.split(","):
        SECTIONS[name.strip()]()
    print(f"# {time.perf_counter() - t0:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
