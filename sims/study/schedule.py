"""Study visits: when a sample is taken, relative to the start of the run or to a scenario
event (delivery, ovulation, menses, chronic stress on/off, a stress test) or to the start
of a treatment, or to each individual's enrolment (a cohort with ``cohort.enrolment``).

A visit is ``day`` (counted from the calendar day of its event, 0 = that day) at
``clock_h`` (the time of day, 0-24 h), or ``hours`` after the event itself. ``clock_h``
and ``days`` may be lists: a diurnal profile (waking, +30 min, noon, evening) or a series
of visits (every second day through a cycle) expand into one visit each. Events that
recur (ovulation, menses) take their ``occurrence`` (1 = first, -1 = last).

Visit times depend on the individual where its events do (stochastic cycles, a varied
delivery day): :func:`event_times` gives each individual's events.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from sims.errors import require
from sims.slow.events import HOURS_PER_DAY, START, TREATMENT_START, day_clock_h, event_times

#: Each individual's enrolment (a cohort with ``cohort.enrolment``).
ENROLMENT = "enrolment"
VISIT_KEYS = ("relative_to", "occurrence", "day", "days", "hours", "clock_h", "description")


@dataclass(frozen=True)
class Visit:
    """One sampling time, relative to an event."""

    name: str
    event: str = START
    occurrence: int = 1
    day: float | None = None  # calendar days after the event's day
    hours: float | None = None  # hours after the event
    clock_h: float = 0.0  # time of day of a ``day`` visit
    description: str = ""

    def time_h(self, event_h: float) -> float:
        """The visit's run time (h) for an event at ``event_h``."""
        if self.hours is not None:
            return event_h + self.hours
        return float(day_clock_h(event_h, self.day, self.clock_h))


def _num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _days(v: Any, key: str) -> list[float]:
    if isinstance(v, Mapping):
        require(set(v) <= {"from", "to", "every"} and all(_num(v.get(k)) for k in
                                                          ("from", "to", "every"))
                and v["every"] > 0 and v["to"] >= v["from"], key, dict(v),
                "{from: D0, to: D1, every: K} with K > 0 and D1 >= D0 (days)")
        return list(np.arange(v["from"], v["to"] + 1e-9, v["every"]).astype(float))
    require(isinstance(v, list | tuple) and v and all(_num(x) for x in v), key, v,
            "a list of days, or {from, to, every}")
    return [float(x) for x in v]


def _label(x: float) -> str:
    return f"{x:g}".replace("-", "m").replace(".", "p")


def parse_visits(node: Any, where: str = "study.visits") -> dict[str, Visit]:
    """The visits of a study (lists expanded: ``NAME_d<day>``, ``NAME_<hh:mm>``).

    Raises:
        ConfigError: naming the key, its value and what is allowed.
    """
    require(isinstance(node, Mapping) and node, where, node,
            "a mapping visit name -> {relative_to, day, clock_h} or {relative_to, hours}")
    out: dict[str, Visit] = {}
    for name, v in node.items():
        key = f"{where}.{name}"
        require(isinstance(v, Mapping), key, v, "a mapping {relative_to, day, clock_h} or "
                "{relative_to, hours}")
        extra = sorted(set(v) - set(VISIT_KEYS))
        require(not extra, f"{key}.{extra[0] if extra else ''}", extra, f"keys {VISIT_KEYS}")
        event = v.get("relative_to", START)
        require(isinstance(event, str) and event, f"{key}.relative_to", event,
                f"an event name ({START}, {TREATMENT_START}, or one of the scenario's)")
        occ = v.get("occurrence", 1)
        require(isinstance(occ, int) and not isinstance(occ, bool) and occ != 0,
                f"{key}.occurrence", occ, "an integer: 1 = first, 2 = second, -1 = last")
        has = [k for k in ("day", "days", "hours") if k in v]
        require(len(has) == 1, key, dict(v), "exactly one of day, days (a series) or hours")
        desc = str(v.get("description", ""))
        if "hours" in v:
            require(_num(v["hours"]), f"{key}.hours", v["hours"], "a number of hours")
            require("clock_h" not in v, f"{key}.clock_h", v.get("clock_h"),
                    "no clock time with hours (hours count from the event itself)")
            out[str(name)] = Visit(str(name), event, occ, hours=float(v["hours"]),
                                   description=desc)
            continue
        days = [float(v["day"])] if "day" in v and _num(v["day"]) else None
        if days is None and "day" in v:
            require(False, f"{key}.day", v["day"], "a number of days")
        series = days is None
        days = days or _days(v["days"], f"{key}.days")
        clock = v.get("clock_h", 0.0)
        clocks = list(clock) if isinstance(clock, list | tuple) else [clock]
        for c in clocks:
            require(_num(c) and 0 <= c < 24, f"{key}.clock_h", c, "a time of day in [0, 24) h")
        for d in days:
            for c in clocks:
                label = str(name)
                if series:
                    label += f"_d{_label(d)}"
                if len(clocks) > 1:
                    label += f"_{int(c):02d}{int(round(c % 1 * 60)):02d}"
                require(label not in out, key, label, "visit names that are unique")
                out[label] = Visit(label, event, occ, day=d, clock_h=float(c),
                                   description=desc)
    return out


def visit_time(v: Visit, events: Mapping[str, list[float]]) -> float:
    """The run time (h) of visit ``v`` given one individual's events; NaN if the event
    (or that occurrence of it) does not happen in the run."""
    times = events.get(v.event, [])
    idx = v.occurrence - 1 if v.occurrence > 0 else v.occurrence
    if not -len(times) <= idx < len(times):
        return math.nan
    return v.time_h(times[idx])


def clock_gap_h(t1: np.ndarray, t0: np.ndarray) -> np.ndarray:
    """How far apart the times of day of ``t1`` and ``t0`` (run hours) lie, 0-12 h
    (23:30 and 00:30 are 1 h apart)."""
    d = np.mod(np.asarray(t1, float) - np.asarray(t0, float), HOURS_PER_DAY)
    return np.minimum(d, HOURS_PER_DAY - d)


def _clock(t: float) -> str:
    m = int(round(t % HOURS_PER_DAY * 60)) % (24 * 60)
    return f"{m // 60:02d}:{m % 60:02d}"


def clock_mismatches(endpoints: Mapping[str, Any], names: list[str],
                     arm_times: Mapping[str, np.ndarray], tolerance_h: float
                     ) -> dict[str, str]:
    """Change-from-baseline endpoints whose visit and baseline fall at different times of
    day (by more than ``tolerance_h`` for some individual of some arm), each with a
    sentence saying which clock times: a diurnal analyte or state (cortisol, THDOC, the
    network's clock-driven state) then changes with the clock, not the intervention."""
    out: dict[str, str] = {}
    for e in endpoints.values():
        if e.baseline is None:
            continue
        b = names.index(e.baseline)
        for arm, t in arm_times.items():
            for v in e.visits:
                i = names.index(v)
                gap = clock_gap_h(t[:, i], t[:, b])
                if np.nanmax(gap) > tolerance_h + 1e-9:
                    j = int(np.nanargmax(gap))
                    out[e.name] = (f"endpoint {e.name} compares visit {v} at "
                                   f"{_clock(t[j, i])} with baseline {e.baseline} "
                                   f"at {_clock(t[j, b])} ({gap[j]:g} h apart on the clock, "
                                   f"arm {arm}; study.clock_tolerance_h={tolerance_h:g})")
                    break
            if e.name in out:
                break
    return out


__all__ = ["ENROLMENT", "HOURS_PER_DAY", "START", "TREATMENT_START", "Visit", "clock_gap_h",
           "clock_mismatches", "event_times", "parse_visits", "visit_time"]
