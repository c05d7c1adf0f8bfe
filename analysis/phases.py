"""Phases of a run (pregnancy, postpartum, treatment, stress), from its slow layer and events.

One definition, used by the figures (shading) and by ``allonet-collect`` (per-phase
summaries): pregnancy is the time before the ``delivery`` event and postpartum the time
after it; a treatment phase is where plasma brexanolone-ALLO or zuranolone exceeds 5 % of
its peak; a stress phase is where the acute or chronic stress drive exceeds 0.05.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

DRUG_VARIABLES = ("allo_drug_plasma", "zuranolone_plasma")
STRESS_VARIABLES = ("chronic_stress", "acute_stress")
DRUG_FRACTION = 0.05  # of the drug's peak plasma level
STRESS_THRESHOLD = 0.05  # stress drive, 0-1


def _spans(t: np.ndarray, mask: np.ndarray) -> list[tuple[float, float]]:
    edges = np.flatnonzero(np.diff(np.r_[0, mask.astype(int), 0])).reshape(-1, 2)
    return [(float(t[a]), float(t[min(b, len(t) - 1)])) for a, b in edges]


def phase_spans(t_days: np.ndarray, slow: Mapping[str, np.ndarray],
                events: Sequence[tuple[str, float]]) -> list[tuple[str, float, float]]:
    """``(kind, start_day, end_day)`` of every phase; ``events`` as ``(name, day)``."""
    t = np.asarray(t_days, dtype=float)
    if len(t) < 2:
        return []
    out: list[tuple[str, float, float]] = []
    for name, day in events:
        if name == "delivery":
            out += [("pregnancy", float(t[0]), day), ("postpartum", day, float(t[-1]))]
    drug = np.zeros(len(t), dtype=bool)
    for var in DRUG_VARIABLES:
        x = np.asarray(slow.get(var, np.zeros(0)), dtype=float)
        if x.size == len(t) and x.max() > 0:
            drug |= x > DRUG_FRACTION * x.max()
    out += [("treatment", a, b) for a, b in _spans(t, drug)]
    stress = np.zeros(len(t), dtype=bool)
    for var in STRESS_VARIABLES:
        x = np.asarray(slow.get(var, np.zeros(0)), dtype=float)
        if x.size == len(t):
            stress |= x > STRESS_THRESHOLD
    out += [("stress", a, b) for a, b in _spans(t, stress)]
    return out


def in_phase(times_days: np.ndarray, spans: Sequence[tuple[str, float, float]],
             kind: str) -> np.ndarray:
    """Mask of the times that fall in any span of ``kind``."""
    times = np.asarray(times_days, dtype=float)
    mask = np.zeros(times.shape, dtype=bool)
    for k, a, b in spans:
        if k == kind:
            mask |= (times >= a) & (times <= b)
    return mask
