"""Steroid synthesis and kinetics: precursors -> neurosteroids, plasma and brain.

Time in hours, concentrations in nM. Every compartment relaxes to a target with its own
turnover rate, ``dx/dt = k (target - x)``, ``k = ln 2 / t_half``:

- plasma ALLO: ``Vmax P/(Km + P)`` (saturable 5a-reduction, so ALLO/P falls from
  follicular to luteal; docs/science.md §7.1) + adrenal ALLO x adrenal drive + placental ALLO;
- plasma THDOC: adrenal DOC -> THDOC under ACTH drive (ACTH / its mean);
- plasma 3a-androstanediol: proportional to testosterone (T -> DHT -> 3a-diol);
- brain ALLO: uptake ``ratio x plasma`` + local synthesis
  ``r5a (L + Vb P/(Kb + P)) (1 + g X)``: basal synthesis ``L`` plus 5a-reduction in the
  brain of circulating progesterone ``P`` (which crosses the blood-brain barrier), where
  ``X`` is the stress precursor (brain P/DOC) pulse and ``r5a`` the 5a-reductase activity;
  ``L`` is calibrated so that the baseline state gives ``steroids.brain_nM.allo``;
- brain THDOC and 3a-diol: uptake from plasma (THDOC also boosted by ``X``);
- brain pregnenolone sulfate and DHEA-S: slow pools following adrenal output
  (cortisol / its mean);
- ``r5a``: relaxes over ~weeks to ``(1 - loss x chronic stress) x inflammation factor``
  (Dong et al. 2001: 6 weeks of isolation halve 5a-reductase and ALLO).
"""

from __future__ import annotations

import math


def rate(half_life: float) -> float:
    """First-order rate constant (1/unit of ``half_life``)."""
    return math.log(2.0) / half_life


def peripheral_allo_target(progesterone: float, vmax: float, km: float, adrenal: float,
                           adrenal_drive: float, placental: float) -> float:
    """Plasma ALLO (nM) supported by saturable conversion of P plus other sources."""
    return vmax * progesterone / (km + progesterone) + adrenal * adrenal_drive + placental


def brain_progesterone_conversion(progesterone: float, vmax: float, km: float) -> float:
    """Brain ALLO (nM) made by brain 5a-reduction of circulating progesterone."""
    return vmax * progesterone / (km + progesterone)


def brain_allo_target(ratio: float, plasma_total: float, local: float, r5a: float,
                      gain: float, precursor: float, from_progesterone: float = 0.0) -> float:
    """Brain ALLO (nM): uptake from plasma plus local, stress-boosted synthesis (basal and
    from circulating progesterone)."""
    return ratio * plasma_total + (local + from_progesterone) * r5a * (1.0 + gain * precursor)


def local_synthesis(brain_baseline: float, ratio: float, plasma_baseline: float,
                    from_progesterone: float = 0.0) -> float:
    """Basal brain ALLO synthesis that makes the baseline state equal ``brain_baseline``."""
    return brain_baseline - ratio * plasma_baseline - from_progesterone


def r5a_target(chronic_stress: float, chronic_loss: float, inflammation_factor: float) -> float:
    """Steady 5a-reductase activity (1 = baseline) under chronic stress and inflammation."""
    return (1.0 - chronic_loss * chronic_stress) * inflammation_factor
