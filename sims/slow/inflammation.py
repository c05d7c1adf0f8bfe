"""Inflammation: a cytokine index driven by chronic stress and suppressed by ALLO.

``I`` is dimensionless (1 = baseline) and relaxes with ``tau`` to
``(1 + c S_chronic) (1 - s H(ALLO_plasma)) / (1 - s H(ALLO_plasma,baseline))``, where
``H`` is a Hill term: ALLO/brexanolone blocks TLR4/TLR7 signalling and lowers TNF-a and
IL-6 (Balan et al. 2023 EBioMedicine 89:104473). Raised ``I`` lowers 5a-reductase
(synthesis factor) and weakens GR feedback (GR factor). ``inflammation=off`` keeps I = 1.
"""

from __future__ import annotations

from typing import Any

from sims.slow.numerics import FLOAT
from sims.slow.schemas import InflammationConfig


def suppression(p: InflammationConfig, allo_plasma_nM: float, xp: Any = FLOAT) -> float:
    """``1 - s H(ALLO)``: fraction of cytokine production left by plasma ALLO."""
    x = xp.maximum(allo_plasma_nM, 0.0)
    return 1.0 - p.allo_suppression * x / (x + p.allo_ec50_nM)


def cytokine_target(p: InflammationConfig, chronic: float, allo_plasma_nM: float,
                    allo_baseline_nM: float, xp: Any = FLOAT) -> float:
    """Steady cytokine index for the current chronic stress and plasma ALLO."""
    if not p.enabled:
        return 1.0
    return ((1.0 + p.chronic_gain * chronic) * suppression(p, allo_plasma_nM, xp)
            / suppression(p, allo_baseline_nM, xp))


def synthesis_factor(p: InflammationConfig, index: float, xp: Any = FLOAT) -> float:
    """Multiplier on 5a-reductase activity (< 1 when inflamed)."""
    if not p.enabled:
        return 1.0
    return 1.0 / (1.0 + p.synthesis_gain * xp.maximum(index - 1.0, 0.0))


def gr_factor(p: InflammationConfig, index: float, xp: Any = FLOAT) -> float:
    """Multiplier on ``k_i`` (> 1 = impaired GR feedback when inflamed)."""
    return 1.0 + p.gr_gain * xp.maximum(index - 1.0, 0.0) if p.enabled else 1.0
