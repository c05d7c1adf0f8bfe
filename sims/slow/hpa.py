"""HPA axis: CRH -> ACTH -> cortisol with glucocorticoid-receptor (GR) feedback.

Two models (``hpa.model``), time in hours, cortisol in ug/dL:

**entrained** (default; ``configs/hpa/default.yaml``). A damped CRH -> ACTH -> cortisol
cascade with the turnover of each hormone (CRH t1/2 ~4 min, ACTH ~10 min, cortisol ~60 min;
docs/science.md §5.2, §5.6) and cooperative GR feedback on CRH and ACTH release (Karin et
al. 2020's form, docs/science.md §5.2), driven by the circadian clock (an SCN drive with a
documented phase; the evidence favours an external circadian input, docs/science.md §5.5),
an awakening burst, stress and neurosteroids. All variables but cortisol are relative
(1 = the mean of the unstressed day)::

    u     = [circ(clock) + wake(clock)] (1 - e H(ALLO+THDOC)) s_pvn + g_a S_acute + g_c S_chronic
    F(G)  = F0 / (1 + (G/K)^n),  K = K_GR (1 + f S_chronic) phi_I / feedback_gain,
            F0 = 1 + (1/K_GR)^n  (F(1) = 1 at the default feedback)
    dC/dt = kC (u F(G) - C);  dA/dt = kA (C F(G) - A)
    dO/dt = kO (O_ref A - O);  dG/dt = kG (O/O_ref - G)

``circ`` is two harmonics, normalised to a daily mean of 1, ``wake`` a 30-min burst at
waking; both are fitted [D] to the human profile: cortisol peaking ~07:50, nadir near
midnight, ~19 / ~5 ug/dL, an awakening rise of ~50 % (docs/science.md §5.6). The rhythm
is driven, not free-running, so its phase is fixed by the clock, and any perturbation
decays: stress responses are bounded and leave no phase shift at any time of day.

**sriram** (``hpa=sriram``). Sriram, Rodriguez-Fernandez & Doyle 2012 (docs/science.md
§5.1), a free-running ~24-h oscillator; its period is not exactly 24 h and stressors shift
its phase. Kept for users who want that system::

    inh   = k_i^n2 / (k_i^n2 + G^n2)
    dC/dt = k_stress inh       - V_S3 C/(K_m1 + C) - K_d1 C
    dA/dt = K_P2 C inh         - V_S4 A/(K_m2 + A) - K_d2 A
    dO/dt = K_P3 A             - V_S5 O/(K_m3 + O) - K_d3 O
    dG/dt = K_b O (G_tot - G) + V_S2 G^n1/(K1^n1 + G^n1) - K_d5 G

with ``k_stress x (1 + a S_acute + c S_chronic) (1 - e H) circ`` and
``k_i (1 + f S_chronic) phi_I / feedback_gain``.

Both report the effective CRH drive and GR-feedback constant relative to their unstressed
values (``crh_drive``, ``gr_feedback_constant``), and ACTH relative to its mean
(``hpa.acth_ref``), which drives adrenal output (``sims.slow.model``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sims.slow.numerics import FLOAT, is_array
from sims.slow.schemas import HPAConfig

MODELS = ("entrained", "sriram")


def _half_life_rate(minutes: float) -> float:
    return math.log(2.0) / (minutes / 60.0)


def neurosteroid_brake(p: HPAConfig, neurosteroid_nM: float, xp: Any = FLOAT,
                       polarity: Any = 1.0) -> float:
    """``1 - e H pol``: the fraction of CRH drive left by brain ALLO + THDOC (Patchev 1996).

    ``pol`` is the PVN's GABA-A driving force relative to the unshifted one
    (``sims.slow.chloride.gabaa_polarity``): 1 at rest; below 0 after KCC2 loss, when the
    same steroids *raise* CRH drive (Sarkar et al. 2011); 0 when the PVN network carries
    the steroid action itself (closed loop with ``coupling.pvn_gain`` > 0): one path."""
    x = xp.maximum(neurosteroid_nM, 0.0)
    return 1.0 - p.neurosteroid_inhibition * polarity * x / (x + p.neurosteroid_ec50_nM)


def circadian_shape(p: HPAConfig, clock_h: float, xp: Any = FLOAT) -> float:
    """The entrained model's SCN drive at ``clock_h``: two harmonics, >= 0, daily mean 1."""
    w = 2.0 * math.pi / 24.0
    raw = (1.0 + p.circadian_amplitude * xp.cos(w * (clock_h - p.circadian_peak_clock_h))
           + p.circadian_amplitude_2 * xp.cos(2 * w * (clock_h
                                                          - p.circadian_peak_2_clock_h)))
    return xp.maximum(raw, 0.0) / circadian_mean(
        p.circadian_amplitude, p.circadian_peak_clock_h, p.circadian_amplitude_2,
        p.circadian_peak_2_clock_h, xp)


_MEANS: dict[tuple[float, ...], float] = {}
_ARRAY_MEANS: dict[tuple[Any, ...], np.ndarray] = {}


def circadian_mean(a1: float, p1: float, a2: float, p2: float, xp: Any = FLOAT) -> float:
    """Daily mean of the raw (clipped) two-harmonic drive (numerical, cached). The array
    backend computes it with numpy (per individual where the parameters are arrays), the
    float backend with a Python sum: the two agree to rounding."""
    key = (a1, p1, a2, p2)
    if xp is FLOAT and not any(is_array(x) for x in key):
        if key not in _MEANS:
            w = 2.0 * math.pi / 24.0
            n = 2880
            total = sum(max(0.0, 1.0 + a1 * math.cos(w * (24.0 * k / n - p1))
                            + a2 * math.cos(2 * w * (24.0 * k / n - p2))) for k in range(n))
            _MEANS[key] = total / n
        return _MEANS[key]
    if not any(is_array(x) for x in key):
        bkey = key  # shared parameters: the numbers are the key (no bytes per call)
    else:
        bkey = tuple(np.asarray(x, float).tobytes() for x in key)
    if bkey not in _ARRAY_MEANS:
        if len(_ARRAY_MEANS) > 64:
            _ARRAY_MEANS.clear()  # never an unbounded cache
        w = 2.0 * math.pi / 24.0
        clock = (24.0 * np.arange(2880) / 2880).reshape(-1, *([1] * np.ndim(a1 + p1 + a2 + p2)))
        _ARRAY_MEANS[bkey] = np.mean(np.maximum(
            0.0, 1.0 + a1 * np.cos(w * (clock - p1)) + a2 * np.cos(2 * w * (clock - p2))), axis=0)
    return _ARRAY_MEANS[bkey]


def awakening_drive(p: HPAConfig, clock_h: float, xp: Any = FLOAT) -> float:
    """The burst of CRH drive after waking (the cortisol awakening response)."""
    since = (clock_h - p.wake_clock_h) % 24.0
    return xp.where(since < p.awakening_duration_min / 60.0, p.awakening_drive, 0.0)


def crh_drive(p: HPAConfig, acute: float, chronic: float, neurosteroid_nM: float,
              clock_h: float, pvn_scale: float = 1.0, xp: Any = FLOAT,
              brake_polarity: Any = 1.0) -> float:
    """Effective CRH drive at this moment, relative to the model's unstressed reference
    (entrained: the daily mean of the SCN drive; sriram: ``k_stress``);
    ``brake_polarity``: :func:`neurosteroid_brake`."""
    brake = neurosteroid_brake(p, neurosteroid_nM, xp, brake_polarity)
    if p.model == "sriram":
        circ = 1.0 + p.circadian_amplitude * xp.cos(
            2 * math.pi * (clock_h - p.circadian_peak_clock_h) / 24.0)
        return ((1.0 + p.stress_drive_gain * acute + p.chronic_drive_gain * chronic)
                * brake * circ * pvn_scale)
    rhythm = circadian_shape(p, clock_h, xp) + awakening_drive(p, clock_h, xp)
    return (rhythm * brake * pvn_scale + stress_drive(p, acute)
            + p.chronic_drive_gain * chronic)


def feedback_constant(p: HPAConfig, chronic: float,
                      inflammation_gr_factor: float) -> float:
    """GR-feedback constant relative to the default (larger = weaker feedback)."""
    return ((1.0 + p.chronic_feedback_impairment * chronic) * inflammation_gr_factor
            / p.feedback_gain)


def stress_drive(p: HPAConfig, acute: float) -> float:
    """The acute-stress part of the CRH drive (entrained model; see :func:`rhs`)."""
    return p.stress_drive_gain * acute


def rhs(p: HPAConfig, crh: float, acth: float, cort: float, gr: float,
        drive: float, feedback: float, xp: Any = FLOAT, stress: float = 0.0
        ) -> tuple[float, float, float, float]:
    """Time derivatives (per hour) of CRH, ACTH, cortisol and GR for ``drive`` (relative
    CRH drive, everything included) and ``feedback`` (relative GR-feedback constant).

    ``stress`` is the acute-stress part of ``drive`` (:func:`stress_drive`): at the PVN it
    meets the GR feedback factor raised to ``stress_feedback_exponent`` (1: gated as the
    rest of the drive; 0: not gated there), the rest of the drive meets it fully."""
    if p.model == "sriram":
        return sriram_rhs(crh, acth, cort, gr, p.k_stress * drive, p.k_i * feedback, p,
                          xp)
    n, k0 = p.gr_hill, p.gr_k
    gn = xp.pow(xp.maximum(gr, 0.0) / (k0 * feedback), n)
    f = (1.0 + xp.pow(1.0 / k0, n)) / (1.0 + gn)
    o_ref = p.cortisol_scale_ug_per_dL
    g = p.stress_feedback_exponent
    # (exponent 1: drive * f exactly, the model before the split, to the last bit)
    pvn = xp.where(g == 1.0, drive * f, (drive - stress) * f + stress * xp.pow(f, g))
    return (_half_life_rate(p.crh_half_life_min) * (pvn - crh),
            _half_life_rate(p.acth_half_life_min) * (crh * f - acth),
            _half_life_rate(p.cortisol_half_life_min) * (o_ref * acth - cort),
            _half_life_rate(p.gr_half_life_min) * (cort / o_ref - gr))


def initial_state(p: HPAConfig) -> tuple[float, float, float, float]:
    """CRH, ACTH, cortisol, GR before burn-in."""
    if p.model == "sriram":
        return (1.0, 5.0, 5.0, 2.0)  # Sriram 2012 (docs/science.md §5.1)
    return (1.0, 1.0, p.cortisol_scale_ug_per_dL, 1.0)


def sriram_rhs(crh: float, acth: float, cort: float, gr: float, k_stress: float, k_i: float,
               p: HPAConfig, xp: Any = FLOAT) -> tuple[float, float, float, float]:
    """Time derivatives (per hour) of CRH, ACTH, cortisol and GR (Sriram et al. 2012)."""
    gn = xp.pow(xp.maximum(gr, 0.0), p.n2)
    kn = xp.pow(k_i, p.n2)
    inh = kn / (kn + gn)
    d_crh = k_stress * inh - p.V_S3 * crh / (p.K_m1 + crh) - p.K_d1 * crh
    d_acth = p.K_P2 * crh * inh - p.V_S4 * acth / (p.K_m2 + acth) - p.K_d2 * acth
    d_cort = p.K_P3 * acth - p.V_S5 * cort / (p.K_m3 + cort) - p.K_d3 * cort
    g1 = xp.pow(xp.maximum(gr, 0.0), p.n1)
    d_gr = (p.K_b * cort * (p.G_tot - gr) + p.V_S2 * g1 / (xp.pow(p.K1, p.n1) + g1)
            - p.K_d5 * gr)
    return d_crh, d_acth, d_cort, d_gr
