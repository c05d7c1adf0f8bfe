"""Subunit plasticity: docs/science.md §10 rows 2 and 4, and the species switch."""

from __future__ import annotations

import numpy as np
import pytest

from sims.config import compose, validate
from sims.fast.pharmacology import population_gaba_state
from sims.slow.homeostasis import apply_expression
from sims.slow.model import SlowModel

DELIVERY_H = 14 * 24.0
#: Maguire & Mody's data are mouse data: progesterone falls within a day of parturition in
#: rodents [R], while the human scenario's falls with tau 0.9 d (Nappi 2001: 19 nM on day
#: 3). Since brain ALLO now follows circulating P (docs/science.md §7.1), the mouse rows
#: run with the mouse's fast fall; with human kinetics delta is luteal-like up-regulated
#: on days 2-3 (a model prediction, docs/changelog.md "Model review").
MOUSE = ["scenario.progesterone_pp_tau_days=0.25"]


def run(overrides):
    c = validate(compose(overrides))
    return c, SlowModel(c).run(c["seed"])


def slice_state(c, tr, t_h, pop="E"):
    """Tonic conductance and phasic peak as measured in slices (steroid washed out)."""
    ce = apply_expression(c, tr.expression(t_h))
    s = population_gaba_state(ce, {}, pop)
    return float(s["g_tonic"]), float(s["gaba_scale"])


def test_row2_pregnancy_halves_tonic_and_recovers_by_48h_postpartum():
    """Maguire & Mody 2008: tonic 19.7 vs 39.8 pA, sIPSC 45 vs 76 pA at day 18 of pregnancy;
    both back to virgin +/- 20 % by 48 h postpartum. This bounds the averaging time of the
    regulatory signal (homeostasis.tau_average_h): with 12 h gamma2 was 0.73 at 48 h."""
    c, tr = run(["scenario=pregnancy_postpartum", "coupling=slow_only", *MOUSE])
    virgin = population_gaba_state(c, {}, "E")
    g0, a0 = float(virgin["g_tonic"]), float(virgin["gaba_scale"])
    g_late, a_late = slice_state(c, tr, DELIVERY_H - 6)
    g_pp, a_pp = slice_state(c, tr, DELIVERY_H + 48)
    assert 0.4 <= g_late / g0 <= 0.6
    assert 0.5 <= a_late / a0 <= 0.7
    assert 0.8 <= g_pp / g0 <= 1.2
    assert 0.8 <= a_pp / a0 <= 1.2


def test_row2_impaired_recovery_leaves_a_lasting_postpartum_deficit():
    c, tr = run(["scenario=pregnancy_postpartum", "homeostasis=impaired_recovery",
                 "coupling=slow_only"])
    g0 = float(population_gaba_state(c, {}, "E")["g_tonic"])
    for days_pp in (2, 7, 13):
        g, _ = slice_state(c, tr, DELIVERY_H + 24 * days_pp)
        assert g / g0 < 0.8, days_pp
    # in vivo: with ALLO gone, tonic inhibition is lower than with normal recovery
    _, normal = run(["scenario=pregnancy_postpartum", "coupling=slow_only"])
    t = DELIVERY_H + 72

    def in_vivo(traj):
        ce = apply_expression(c, traj.expression(t))
        return float(population_gaba_state(ce, traj.brain_conc(t), "E")["g_tonic"])

    assert in_vivo(tr) < 0.75 * in_vivo(normal)


def _exposure(days_on: float, total_days: float, extra=()):
    h = int(days_on * 24)
    return run(["scenario=baseline", f"scenario.duration_days={total_days}",
                "treatment=brexanolone", "treatment.start_day=1",
                f"treatment.schedule='0-{h}h:10'", "coupling=slow_only", *extra])


def test_row4_alpha4_peaks_at_48_72h_of_exposure_and_resolves_by_day_6():
    """Gulinello et al. 2001: alpha4 x2-3 at 48-72 h of exposure, control by 5-6 days."""
    _, tr = _exposure(11, 12)
    t, a4 = tr.time_h / 24 - 1.0, tr.values["alpha4_E"]
    i = np.argmax(a4)
    assert 1.75 <= t[i] <= 3.0
    assert 2.0 <= a4[i] <= 3.0
    assert np.interp(6.0, t, a4) <= 1.15


def test_row4_abrupt_withdrawal_after_long_exposure_raises_alpha4():
    """Smith et al. 1998: withdrawal after 21 days raises alpha4 (measured at ~24 h; ~2x
    [R]). The response is scaled by the exposure memory (0.90 after these 21 days), so
    alpha4 is 1.49 at 24 h and peaks at 1.62 at 48 h; before the memory it was >= 1.5 at
    24 h. Checked: >= 1.4 at 24 h and >= 1.5 within 2 days."""
    _, tr = _exposure(21, 28)
    t, a4 = tr.time_h / 24 - 22.0, tr.values["alpha4_E"]
    assert np.interp(-0.5, t, a4) < 1.1  # adapted during the long exposure
    assert np.interp(1.0, t, a4) >= 1.4
    assert a4[(t > 0) & (t <= 2.0)].max() >= 1.5


def test_alpha4_raises_the_share_that_steroids_reduce_and_speeds_decay():
    """alpha4 expression 2 doubles E's alpha4beta2delta share, whose steroid effect is a
    reduction while the current is outward (Shen et al. 2007): less tonic conductance at
    30 nM, by exactly the share's potentiated-minus-reduced difference."""
    c = validate(compose([]))
    expr = {p: {"delta": 1.0, "gamma2": 1.0, "alpha4": 2.0} for p in c["network"]["populations"]}
    ce = apply_expression(c, expr)
    hi = {"allo": 30.0}
    base, withdrawn = population_gaba_state(c, hi, "E"), population_gaba_state(ce, hi, "E")
    assert withdrawn["g_tonic"] < base["g_tonic"]
    share = c["receptors"]["populations"]["E"]["alpha4_share"]
    assert float(withdrawn["g_tonic"] - base["g_tonic"]) == pytest.approx(
        -float(base["g_a4_inward"]), rel=1e-9)  # one more share-worth of the difference
    assert float(withdrawn["g_a4_inward"]) == pytest.approx(
        2 * float(base["g_a4_inward"]), rel=1e-9)
    assert 0 < share < 0.5
    assert withdrawn["tau_gaba"] < base["tau_gaba"]
    none = population_gaba_state(ce, {}, "E")
    assert none["g_tonic"] == population_gaba_state(c, {}, "E")["g_tonic"]  # only the steroid part


def test_rat_pregnancy_raises_delta_mouse_lowers_it():
    """Sanna et al. 2009 (rat: delta up) vs Maguire & Mody 2008 (mouse: delta down)."""
    _, mouse = run(["scenario=pregnancy_postpartum", "coupling=slow_only"])
    _, rat = run(["scenario=pregnancy_postpartum", "homeostasis.species=rat",
                  "coupling=slow_only"])
    assert mouse.values["delta_E"][0] < 0.7 < 1.2 < rat.values["delta_E"][0]
    assert rat.values["gamma2_E"][0] == pytest.approx(mouse.values["gamma2_E"][0])


def test_expression_fixed_without_homeostasis():
    _, tr = run(["scenario=pregnancy_postpartum", "homeostasis=none", "coupling=slow_only"])
    for sub in ("delta", "gamma2", "alpha4"):
        np.testing.assert_array_equal(tr.values[f"{sub}_E"], 1.0)


@pytest.mark.parametrize("mode", ["in_vivo", "slice"])
def test_a_targets_receptor_series_is_the_receptor_state_at_each_time(mode):
    """The targets' receptor quantities (sims.calibration.targets.RunView.receptor: typed
    sections, one pharmacology table) equal the receptor state computed the plain way, time
    by time: the expression applied to the whole config, then population_gaba_state."""
    from sims.calibration.targets import RunView
    from sims.config import as_config
    from sims.fast.pharmacology import receptor_concentrations

    c, tr = run(["scenario=pregnancy_postpartum", "coupling=slow_only", *MOUSE])
    view = RunView(c, tr.time_h, tr.values, tr.units, list(tr.events), tr)
    t0, t1 = DELIVERY_H - 24.0, DELIVERY_H + 48.0
    t, got = view.series(f"receptor.{mode}.g_tonic.E", t0, t1)
    assert len(t) > 10
    species = as_config(c).pharmacology.species
    for ti, gi in zip(t, got, strict=True):
        conc = receptor_concentrations(species, tr.brain_conc(float(ti))) \
            if mode == "in_vivo" else {}
        want = population_gaba_state(apply_expression(c, tr.expression(float(ti))), conc, "E")
        assert gi == float(want["g_tonic"]) * 1e9
