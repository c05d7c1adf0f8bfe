"""The slow layer's clock: integration step, recording interval and run length (hours)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sims.units import slow_value

#: RK4 is stable up to k dt ~ 2.8 for a first-order relaxation; keep a margin.
MAX_STABLE_K_DT = 2.0


def step_hours(c: Mapping[str, Any]) -> float:
    """Integration step (h): ``slow.dt_min`` or the scenario's recommended one."""
    dt_min = c["slow"]["dt_min"] or c["scenario"]["dt_min"]
    return dt_min / 60.0


def record_steps(c: Mapping[str, Any]) -> int:
    """Integration steps between recorded samples."""
    dt_min = step_hours(c) * 60
    rec = c["slow"]["record_every_min"] or 10.0
    return max(1, int(round(rec / dt_min)))


def duration_hours(c: Mapping[str, Any], table: dict | None = None) -> float:
    """Run length (h); ``from_file`` with duration 0 uses the file's span."""
    d = slow_value(c["scenario"], "duration_days")
    if d <= 0 and table is not None:
        d = float(table["time"][-1])
    return d
