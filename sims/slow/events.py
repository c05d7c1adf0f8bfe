"""A run's events by name (delivery, ovulation, menses, stress on/off, a treatment's
start): what a study's visits and a cohort's enrolment are timed from."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from sims.slow.treatments import treatment_items

HOURS_PER_DAY = 24.0
#: Events every run has.
START = "start"
TREATMENT_START = "treatment_start"


def day_clock_h(event_h: Any, day: Any, clock_h: float) -> Any:
    """The run time (h) ``day`` calendar days after the calendar day of an event at
    ``event_h`` (h), at ``clock_h`` o'clock (numbers or arrays)."""
    return (np.floor(np.asarray(event_h, float) / HOURS_PER_DAY + 1e-9) + day) * HOURS_PER_DAY \
        + clock_h


def event_times(drivers_events: list[tuple[str, float]], c: Mapping[str, Any]
                ) -> dict[str, list[float]]:
    """Every event of a run by name (spaces as underscores), in time order: the scenario's
    (``drivers_events``), ``start`` (t = 0) and ``treatment_start`` (if treated)."""
    out: dict[str, list[float]] = {START: [0.0]}
    for name, t in sorted(drivers_events, key=lambda e: e[1]):
        out.setdefault(name.replace(" ", "_"), []).append(float(t))
    tr = c.get("treatment") or {}
    starts = sorted(float(t["start_day"]) * HOURS_PER_DAY
                    for t in treatment_items(tr) if "start_day" in t) if tr else []
    if starts:  # several treatments: the first to start
        out[TREATMENT_START] = [starts[0]]
    return out


__all__ = ["HOURS_PER_DAY", "START", "TREATMENT_START", "day_clock_h", "event_times"]
