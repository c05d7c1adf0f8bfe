"""The stress-neurosteroid vicious cycle: sustained glucocorticoid exposure lowers
neurosteroid synthesis and raises inflammation, which weakens GR feedback and raises
cortisol further.

The *glucocorticoid load* ``L`` (1 = the unstressed daily mean) follows plasma cortisol
relative to its daily mean over days: ``dL/dt = (cortisol / cortisol_ref - L) / tau_load``.
Its excess over a tolerance, ``X = max(L - threshold, 0)``, with the loop gain ``g``:

- lowers the 5a-reductase target: ``r5a_target / (1 + g r5a_gain X)`` -- prolonged
  glucocorticoid exposure and chronic stress lower neurosteroid synthesis (Dong et al.
  2001 for isolation stress; the glucocorticoid share of it is [assumption]);
- raises the cytokine-index target: ``+ g inflammation_gain X`` -- glucocorticoid
  resistance of immune cells under chronic stress (Miller et al. 2002; Cohen et al. 2012)
  and glucocorticoid priming of neuroinflammation (Frank et al. 2010) [R, direction];
- the cytokine index already weakens GR feedback (``inflammation.gr_gain``) and lowers
  5a-reductase (``inflammation.synthesis_gain``), and less ALLO removes the neurosteroid
  brake on CRH (``hpa.neurosteroid_inhibition``): the loop closes through the existing
  mechanisms, nothing else is added.

``g = 0`` (``stress_loop=off``, the default) is the model without the loop, exactly.
Whether the system returns to its pre-stress state after stress ends is for
``+experiment=vicious_cycle_recovery`` to show, not built in.
"""

from __future__ import annotations

from typing import Any

from sims.slow.numerics import FLOAT
from sims.slow.schemas import StressLoopConfig


def active(p: StressLoopConfig) -> bool:
    """Whether the loop acts (a gain that is an array -- a cohort -- counts as active)."""
    g = p.gain
    return not isinstance(g, int | float) or g != 0


def load_rhs(p: StressLoopConfig, cortisol: Any, cortisol_ref: float, load: Any) -> Any:
    """``dL/dt`` (per hour)."""
    return (cortisol / cortisol_ref - load) / (p.tau_load_days * 24.0)


def excess(p: StressLoopConfig, load: Any, xp: Any = FLOAT) -> Any:
    """``g X``: the loop gain times the load's excess over ``threshold``."""
    return p.gain * xp.maximum(load - p.threshold, 0.0)


def synthesis_factor(p: StressLoopConfig, load: Any, xp: Any = FLOAT) -> Any:
    """Multiplier on the 5a-reductase target (<= 1)."""
    return 1.0 / (1.0 + p.r5a_gain * excess(p, load, xp))


def cytokine_drive(p: StressLoopConfig, load: Any, xp: Any = FLOAT) -> Any:
    """Addition to the cytokine-index target (>= 0)."""
    return p.inflammation_gain * excess(p, load, xp)
