"""Regenerate tests/data/golden_slow.npz: hourly slow-layer trajectories of four runs.

The golden values were first recorded before the cohort engine vectorised the slow layer
(the cohorts round) and regenerated when the fitted brain partition became the
default (the mechanisms round) and when the neurosteroid brake on CRH drive began to follow
the PVN chloride state and when the acute-stress CRH drive stopped being gated by GR
feedback at the PVN (hpa.stress_feedback_exponent 1 -> 0; model-validity review, item 5:
only the chronic-stress case, which has stressors, changed), and when the alpha4 rise
transient became scaled by 1 - E^2 (homeostasis.alpha4_rise_exposure_gate 0 -> 1), and when
delta's rise was scaled the same way (homeostasis.delta_up_exposure_gate 0 -> 1, delta_down_max
1.2 -> 0.6; no overshoot after delivery, Maguire & Mody 2008);
tests/validation/test_golden_slow.py checks the model against them on both numeric
backends. Regenerate only for a deliberate model change, and
say so in the commit:  .venv/bin/python tests/data/make_golden_slow.py
"""
from pathlib import Path

import numpy as np

from sims.config import compose, validate
from sims.slow.model import SlowModel

CASES = {
    "postpartum": ["scenario=pregnancy_postpartum", "scenario.duration_days=20"],
    # the delta rule before its rise was gated: the old postpartum golden, bit for bit
    "postpartum_delta_ungated": ["scenario=pregnancy_postpartum", "scenario.duration_days=20",
                                 "homeostasis.delta_up_exposure_gate=0",
                                 "homeostasis.delta_down_max=1.2"],
    "menstrual_jitter": ["scenario=menstrual", "scenario.duration_days=28"],
    "chronic_stress_brexanolone": ["scenario=chronic_stress", "scenario.duration_days=21",
                                   "treatment=brexanolone", "treatment.start_day=14"],
    "zuranolone_sriram": ["scenario=baseline", "scenario.duration_days=10",
                          "treatment=zuranolone", "treatment.start_day=1", "hpa=sriram"],
}
out = {}
for name, ov in CASES.items():
    c = validate(compose(ov))
    tr = SlowModel(c).run(c["seed"])
    step = int(round(1.0 / float(np.median(np.diff(tr.time_h)))))  # hourly
    out[f"{name}/time_h"] = tr.time_h[::step]
    for k, v in tr.values.items():
        out[f"{name}/{k}"] = v[::step]
    out[f"{name}/overrides"] = np.array(ov)
np.savez_compressed(Path(__file__).with_name("golden_slow.npz"), **out)
print(f"wrote {len(out)} arrays")
