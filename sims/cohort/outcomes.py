"""Outcomes of a cohort: per-individual numbers (and cases) defined in the config.

::

    outcomes:
      delta_deficit:                  # a name
        description: "..."
        variable: delta_E             # a recorded slow variable, or probe.<metric>.<population>
        statistic: mean               # mean | min | max | value (at the window's start)
        window_h: [216, 360]          # hours from the run's start (inclusive)
        relative_to: {window_h: [0, 24], how: ratio}   # optional: the same individual's
                                      # statistic in another window (ratio | difference)
        threshold: {below: 0.8}       # optional: a case is value < 0.8 (or above: ...)
        unit: "1"

Every individual's value is computed from its own recorded time course; a case is
``1``/``0`` (``-1`` where the value is not finite).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sims.errors import is_finite_number as _num
from sims.errors import require

STATISTICS = ("mean", "min", "max", "value")
HOW = ("ratio", "difference")


@dataclass(frozen=True)
class Outcome:
    """One checked outcome definition."""

    name: str
    variable: str
    statistic: str
    window_h: tuple[float, float]
    relative_window_h: tuple[float, float] | None = None
    how: str = "ratio"
    threshold: tuple[str, float] | None = None
    unit: str = ""
    description: str = ""

    @property
    def is_probe(self) -> bool:
        return self.variable.startswith("probe.")


def _window(v: Any, key: str) -> tuple[float, float]:
    require(isinstance(v, list | tuple) and len(v) == 2 and all(_num(x) for x in v)
            and v[0] <= v[1], key, v, "[start_h, end_h] with start <= end (hours from the "
            "run's start)")
    return float(v[0]), float(v[1])


def parse_outcomes(node: Any, recorded: Sequence[str]) -> list[Outcome]:
    """Outcome definitions, checked against the recorded slow variables.

    Raises:
        ConfigError: naming the first bad key.
    """
    require(isinstance(node, Mapping), "cohort.outcomes", node,
            "a mapping name -> {variable, statistic, window_h, ...}")
    allowed = {"description", "variable", "statistic", "window_h", "relative_to", "threshold",
               "unit"}
    out = []
    for name, o in node.items():
        if o is None:  # cohort.outcomes.NAME=null leaves it out
            continue
        k = f"cohort.outcomes.{name}"
        require(isinstance(o, Mapping), k, o, "a mapping {variable, statistic, window_h, ...}")
        unknown = sorted(set(o) - allowed)
        require(not unknown, f"{k}.{unknown[0] if unknown else ''}", unknown,
                f"keys {sorted(allowed)}")
        var = o.get("variable")
        require(isinstance(var, str) and (var in recorded or (
            var.startswith("probe.") and var.count(".") == 2)), f"{k}.variable", var,
            f"a recorded slow variable ({', '.join(recorded) or 'cohort.record.variables'}) "
            "or probe.<metric>.<population>")
        stat = o.get("statistic", "mean")
        require(stat in STATISTICS, f"{k}.statistic", stat, f"one of {STATISTICS}")
        window = _window(o.get("window_h"), f"{k}.window_h")
        rel, how = None, "ratio"
        if o.get("relative_to") is not None:
            r = o["relative_to"]
            require(isinstance(r, Mapping) and "window_h" in r and set(r) <= {"window_h", "how"},
                    f"{k}.relative_to", r, "{window_h: [a, b], how: ratio | difference}")
            rel = _window(r["window_h"], f"{k}.relative_to.window_h")
            how = r.get("how", "ratio")
            require(how in HOW, f"{k}.relative_to.how", how, f"one of {HOW}")
        thr = None
        if o.get("threshold") is not None:
            t = o["threshold"]
            require(isinstance(t, Mapping) and len(t) == 1 and next(iter(t)) in (
                "above", "below") and _num(next(iter(t.values()))), f"{k}.threshold", t,
                "{above: X} or {below: X}")
            side, value = next(iter(t.items()))
            thr = (str(side), float(value))
        out.append(Outcome(str(name), var, stat, window, rel, how, thr,
                           str(o.get("unit", "")), str(o.get("description", ""))))
    return out


def statistic(values: np.ndarray, times_h: np.ndarray, window: tuple[float, float],
              stat: str) -> np.ndarray:
    """``stat`` of ``values [individual, time]`` over ``window`` -> ``[individual]``.

    Raises:
        ValueError: a window with no recorded time in it.
    """
    sel = (times_h >= window[0] - 1e-9) & (times_h <= window[1] + 1e-9)
    if not sel.any():
        raise ValueError(f"no recorded time in [{window[0]:g}, {window[1]:g}] h "
                         f"(recorded: {times_h[0]:g} .. {times_h[-1]:g} h)")
    part = values[:, sel]
    if stat == "value":
        return part[:, 0]
    return {"mean": np.mean, "min": np.min, "max": np.max}[stat](part, axis=1)


def evaluate(o: Outcome, values: np.ndarray, times_h: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray | None]:
    """An outcome's value ``[individual]`` and case (int8, or None without a threshold)."""
    x = statistic(values, times_h, o.window_h, o.statistic)
    if o.relative_window_h is not None:
        ref = statistic(values, times_h, o.relative_window_h, o.statistic)
        with np.errstate(divide="ignore", invalid="ignore"):
            x = x / ref if o.how == "ratio" else x - ref
    if o.threshold is None:
        return x, None
    side, level = o.threshold
    case = (x > level) if side == "above" else (x < level)
    return x, np.where(np.isfinite(x), case.astype(np.int8), np.int8(-1)).astype(np.int8)
