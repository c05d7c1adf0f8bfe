"""The model review's network findings (docs/changelog.md "Model review"): PMDD differs from the
menstrual cycle at its late-luteal fall without any stressor; E cells carry a tonic
conductance in the slice range through which delta still acts; the network stays awake at
clinical brain ALLO; brexanolone restores inhibition during the infusion
and, given at the clinical time, leaves the network no more excitable than untreated after
it ends."""

from __future__ import annotations

import pytest

from sims.config import compose, validate
from sims.simulate import simulate


def probe(overrides: list[str]) -> dict[str, float]:
    """Rates (Hz) and the E cells' tonic fraction of one probe (common random numbers)."""
    g = simulate(validate(compose(["seed_mode=shared", *overrides]))).groups["probes"]
    pops = [str(p) for p in g["population"].data]
    out = {p: float(r) for p, r in zip(pops, g["rate"].data[0], strict=True)}
    out["tonic_fraction"] = float(g["tonic_fraction"].data[0])
    return out


def test_pmdd_differs_from_the_menstrual_cycle_at_the_late_luteal_fall_without_stress():
    """Schmidt 1998: PMDD is a different sensitivity to the same hormones; here a larger
    alpha4 withdrawal response (scenario.alpha4_withdrawal_scale, [assumption]). Before:
    pmdd and menstrual were bit-identical without stressors."""
    late_luteal = ["sim=debug", "scenario.cycle_length_sd_days=0",
                   "scenario.luteal_length_sd_days=0", "scenario.duration_days=28",
                   "coupling.probe_times_h=[636.0]"]
    menstrual = probe(["scenario=menstrual", *late_luteal])
    pmdd = probe(["scenario=pmdd", *late_luteal])
    assert pmdd["E"] != menstrual["E"]


@pytest.mark.slow
def test_the_principal_cells_tonic_conductance_is_in_the_slice_range_and_delta_still_acts():
    """Model-validity review, item 2: E's tonic conductance at baseline steroid levels lies
    in the slice range (DGGC 0.5-1.5 nS steroid-free, Nusser & Mody 2002; Stell 2003; a
    small share in cortical pyramidal cells, Lee & Maguire 2014), and losing half of delta
    (late pregnancy) still raises E. Measured: 2.1 nS, tonic fraction 0.12, E 5.0 Hz,
    half delta +19 %. Before: 7.5 nS, 0.41, 3.8 Hz, +50 %; the network then fell silent at
    30 nM brain ALLO."""
    ov = ["seed_mode=shared", "coupling=network_only"]
    g = simulate(validate(compose(ov))).groups["probes"]
    e = [str(p) for p in g["population"].data].index("E")
    assert 0.5e-9 <= float(g["g_tonic"].data[0][e]) <= 3.0e-9
    base = probe(["coupling=network_only"])
    half = probe(["coupling=network_only", "receptors.populations.E.delta_expression=0.5"])
    assert 0.05 <= base["tonic_fraction"] <= 0.25
    assert 4.0 <= base["E"] <= 6.0
    assert half["E"] >= 1.1 * base["E"]


@pytest.mark.slow
def test_the_network_stays_awake_at_clinical_brain_allo():
    """Model-validity review, item 2: people stay awake at luteal and pregnancy levels and
    through the brexanolone infusion (excessive sedation in a few percent; Meltzer-Brody
    2018; Timby et al. 2006: i.v. ALLO gave sedation ratings and slower saccades, not loss
    of consciousness). Wake E keeps at least half its steroid-free rate at 100 nM total
    brain ALLO (the infusion's level) and falls monotonically with dose. Measured: 5.3 /
    5.0 / 4.8 / 3.8 Hz at 0 / 3 / 30 / 100 nM. Before: 4.6 / 3.8 / 0.02 / 0 Hz."""
    rates = [probe(["coupling=network_only", f"steroids.brain_nM.allo={a}"])["E"]
             for a in (0, 30, 100)]
    assert rates[2] >= 0.5 * rates[0], rates
    assert rates[0] > rates[1] > rates[2], rates


@pytest.mark.slow
def test_brexanolone_restores_inhibition_during_the_infusion():
    """docs/science.md §10 row 11 (Kanes 2017; Meltzer-Brody 2018): in a PPD-like state
    (impaired re-expression) brexanolone lowers E-cell firing within the 60-h infusion.
    Measured: x0.48 at 24 h; without the alpha4 rise gate (homeostasis.alpha4_rise_exposure_gate
    = 0) x1.19, the infusion's own rise then triggered the Gulinello transient."""
    ov = ["scenario=pregnancy_postpartum", "homeostasis=impaired_recovery",
          "coupling.probe_times_h=[408.0]"]  # postpartum day 3, 24 h into the infusion
    untreated, treated = probe(ov), probe([*ov, "treatment=brexanolone"])
    assert treated["E"] < 0.75 * untreated["E"]


def _clinical_infusion_ratios(extra: list[str]) -> list[float]:
    """E rate treated / untreated 1, 3, 7 and 14 days after a brexanolone infusion started
    on postpartum day 21 (scenario day 35) ends (common random numbers)."""
    start, end = 35.0, 37.5
    times = ",".join(str(24 * (end + d)) for d in (1, 3, 7, 14))
    ov = ["scenario=pregnancy_postpartum", f"scenario.duration_days={end + 15}",
          f"coupling.probe_times_h=[{times}]", *extra]

    def rates(more: list[str]) -> list[float]:
        g = simulate(validate(compose(["seed_mode=shared", *ov, *more]))).groups["probes"]
        e = [str(p) for p in g["population"].data].index("E")
        return [float(r[e]) for r in g["rate"].data]

    untreated = rates([])
    treated = rates(["treatment=brexanolone", f"treatment.start_day={start}"])
    return [t / u for t, u in zip(treated, untreated, strict=True)]


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason=(
    "open model-validity question (docs/changelog.md, 'The homeostasis rules, re-derived'): "
    "the infusion's own receptor changes show after it ends, E x1.57 / x1.44 over untreated "
    "1 / 3 days after, x1.0 after 7 and 14. The gamma2 loss carries it (see the next test): "
    "Maguire 2005's short-exposure response (diestrus, mouse) while the infusion's ALLO "
    "washes out over ~2 days. No human data say whether a 60-h infusion lowers gamma2. "
    "Strict: passing again fails the suite, so the marker goes with the rule that changes."))
def test_after_the_infusion_the_treated_network_is_not_more_excitable():
    """Kanes 2017, Meltzer-Brody 2018: the benefit of the 60-h infusion lasts to day 30 with
    no rebound. Trials enrolled women up to 6 months postpartum (onset within 4 weeks of
    delivery), so the infusion starts on postpartum day 21 (scenario day 35). E rate of the
    treated network <= untreated 1, 3 and 7 days after the infusion ends, and within 10 %
    (the states nearly coincide; network noise) after 14 days."""
    ratio = _clinical_infusion_ratios([])
    assert all(r <= 1.0 for r in ratio[:3]) and ratio[3] <= 1.1, ratio


@pytest.mark.slow
def test_the_excitability_after_the_infusion_is_the_gamma2_response():
    """What the rebound above rests on, pinned: with E's gamma2 regulation off
    (homeostasis.populations.E.gamma2=0) the treated network is within 10 % of untreated
    at every time after the infusion; with it on, it is above by more than 20 % one day
    after and back within 10 % a week after. Measured: 0.99 / 1.04 / 0.98 (gamma2 off),
    1.57 / 1.44 / 1.00 (default; alpha4 regulation off instead: 1.14 / 1.08 / 1.00)."""
    off = _clinical_infusion_ratios(["homeostasis.populations.E.gamma2=0"])
    assert all(0.9 <= r <= 1.1 for r in off), off
    on = _clinical_infusion_ratios([])
    assert on[0] > 1.2 and 0.9 <= on[2] <= 1.1, on
