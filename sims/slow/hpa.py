"""HPA axis: CRH -> ACTH -> cortisol with glucocorticoid-receptor feedback.

Sriram, Rodriguez-Fernandez & Doyle 2012 PLoS Comput Biol 8:e1002379 (equations and
normal-subject parameters as in docs/science.md §5.1; time in hours, cortisol in ug/dL)::

    inh   = k_i^n2 / (k_i^n2 + G^n2)
    dC/dt = k_stress inh       - V_S3 C/(K_m1 + C) - K_d1 C
    dA/dt = K_P2 C inh         - V_S4 A/(K_m2 + A) - K_d2 A
    dO/dt = K_P3 A             - V_S5 O/(K_m3 + O) - K_d3 O
    dG/dt = K_b O (G_tot - G) + V_S2 G^n1/(K1^n1 + G^n1) - K_d5 G

allonet's additions (each a config value in ``configs/hpa/``):

- CRH drive ``k_stress x (1 + a S_acute + c S_chronic) x (1 - e H(ALLO+THDOC)) x circ(t)``:
  stress raises it, neurosteroids inhibit CRH production (Patchev et al. 1996;
  docs/science.md §5.7: a Hill term on brain ALLO + THDOC), optional external circadian drive.
- ACTH drives adrenal DOC -> THDOC and cortisol marks adrenal output (PregS, DHEA-S,
  adrenal ALLO) in ``sims.slow.model``.
- feedback ``k_i_eff = k_i (1 + f S_chronic) (1 + g (I - 1)) / feedback_gain``: a larger
  ``k_i`` weakens GR feedback; chronic stress and inflammation impair it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


def crh_drive(p: Mapping[str, Any], acute: float, chronic: float, neurosteroid_nM: float,
              clock_h: float) -> float:
    """Effective ``k_stress`` (CRH production rate) at this moment."""
    x = max(neurosteroid_nM, 0.0)
    h = x / (x + p["neurosteroid_ec50_nM"])
    circ = 1.0 + p["circadian_amplitude"] * math.cos(
        2 * math.pi * (clock_h - p["circadian_peak_clock_h"]) / 24.0)
    return (p["k_stress"] * (1.0 + p["stress_drive_gain"] * acute
                             + p["chronic_drive_gain"] * chronic)
            * (1.0 - p["neurosteroid_inhibition"] * h) * circ)


def feedback_k_i(p: Mapping[str, Any], chronic: float, inflammation_gr_factor: float) -> float:
    """Effective GR-feedback constant ``k_i`` (larger = weaker feedback)."""
    return (p["k_i"] * (1.0 + p["chronic_feedback_impairment"] * chronic)
            * inflammation_gr_factor / p["feedback_gain"])


def sriram_rhs(crh: float, acth: float, cort: float, gr: float, k_stress: float, k_i: float,
               p: Mapping[str, Any]) -> tuple[float, float, float, float]:
    """Time derivatives (per hour) of CRH, ACTH, cortisol and GR."""
    gn = max(gr, 0.0) ** p["n2"]
    kn = k_i ** p["n2"]
    inh = kn / (kn + gn)
    d_crh = k_stress * inh - p["V_S3"] * crh / (p["K_m1"] + crh) - p["K_d1"] * crh
    d_acth = p["K_P2"] * crh * inh - p["V_S4"] * acth / (p["K_m2"] + acth) - p["K_d2"] * acth
    d_cort = p["K_P3"] * acth - p["V_S5"] * cort / (p["K_m3"] + cort) - p["K_d3"] * cort
    g1 = max(gr, 0.0) ** p["n1"]
    d_gr = (p["K_b"] * cort * (p["G_tot"] - gr) + p["V_S2"] * g1 / (p["K1"] ** p["n1"] + g1)
            - p["K_d5"] * gr)
    return d_crh, d_acth, d_cort, d_gr
