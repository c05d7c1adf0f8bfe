"""Statistics of a time course: what a published number measures, computed from a run.

Each function takes the time axis (hours) and the values of one variable and returns one
number. Windows are closed intervals ``[t0, t1]`` in hours; a window that holds no
sample is an error (:class:`StatisticError`), never a silent NaN. Every function is
checked against hand-computed values on synthetic time courses
(``tests/unit/test_calibration_statistics.py``).
"""

from __future__ import annotations

import math

import numpy as np

#: statistic kind -> what it returns (the unit is the variable's unless stated)
KINDS: dict[str, str] = {
    "value": "the variable at one time (linear interpolation)",
    "mean": "mean over a window",
    "median": "median over a window",
    "max": "maximum over a window",
    "min": "minimum over a window",
    "peak_time": "time of the maximum in a window, from the window's start (min)",
    "peak_fold": "maximum in a window / mean of a baseline window (1)",
    "peak_rise": "maximum in a window - mean of a baseline window (the variable's unit)",
    "peak_clock": "median clock hour (0-24 h) of the daily maximum over the window's days",
    "half_life": "half-life of an exponential fitted to a window (h)",
    "fall_fraction": "(x(t0) - x(t1)) / (x(t0) - x(t2)): share of a fall done by t1 (1)",
    "period": "dominant period of the window from its autocorrelation (h)",
    "ratio": "numerator statistic / denominator statistic (1)",
    "receptor_response": "a receptor quantity at given brain levels / at none (1)",
    "spread": "between-person SD (how: sd) or CV (how: cv) of a variable at one time, over "
              "a cohort experiment's individuals (sims.calibration.cohort_view)",
    "prevalence": "fraction of a cohort experiment's individuals who are cases by one of "
                  "its outcomes (1)",
}


class StatisticError(ValueError):
    """A statistic cannot be computed from the given time course (empty window, ...)."""


def _window(t: np.ndarray, x: np.ndarray, t0: float, t1: float) -> tuple[np.ndarray, np.ndarray]:
    m = (t >= t0 - 1e-9) & (t <= t1 + 1e-9)
    if not m.any():
        raise StatisticError(f"the window [{t0:g}, {t1:g}] h holds no recorded time "
                             f"(run covers [{t[0]:g}, {t[-1]:g}] h)")
    return t[m], x[m]


def value(t: np.ndarray, x: np.ndarray, at_h: float) -> float:
    """``x`` at ``at_h`` by linear interpolation (``at_h`` inside the run)."""
    if not t[0] - 1e-9 <= at_h <= t[-1] + 1e-9:
        raise StatisticError(f"time {at_h:g} h is outside the run [{t[0]:g}, {t[-1]:g}] h")
    return float(np.interp(at_h, t, x))


def window_stat(kind: str, t: np.ndarray, x: np.ndarray, t0: float, t1: float) -> float:
    """``mean``, ``median``, ``max`` or ``min`` of ``x`` over ``[t0, t1]``."""
    _, xs = _window(t, x, t0, t1)
    return float({"mean": np.mean, "median": np.median, "max": np.max, "min": np.min}[kind](xs))


def peak_time(t: np.ndarray, x: np.ndarray, t0: float, t1: float) -> float:
    """Minutes from ``t0`` to the maximum of ``x`` in ``[t0, t1]`` (first one if tied)."""
    ts, xs = _window(t, x, t0, t1)
    return float((ts[int(np.argmax(xs))] - t0) * 60.0)


def peak_fold(t: np.ndarray, x: np.ndarray, t0: float, t1: float, b0: float, b1: float) -> float:
    """Maximum over ``[t0, t1]`` divided by the mean over the baseline ``[b0, b1]``."""
    base = window_stat("mean", t, x, b0, b1)
    if base == 0:
        raise StatisticError("the baseline window's mean is 0: no fold change")
    return window_stat("max", t, x, t0, t1) / base


def peak_rise(t: np.ndarray, x: np.ndarray, t0: float, t1: float, b0: float, b1: float) -> float:
    """Maximum over ``[t0, t1]`` minus the mean over the baseline ``[b0, b1]`` (a net
    increase, as stress studies report it)."""
    return window_stat("max", t, x, t0, t1) - window_stat("mean", t, x, b0, b1)


def peak_clock(t: np.ndarray, x: np.ndarray, t0: float, t1: float) -> float:
    """Median clock hour of the daily maxima (days starting at midnight, t = 0 is midnight)
    of the whole days inside ``[t0, t1]``; circular median not needed for morning peaks."""
    ts, xs = _window(t, x, t0, t1)
    days = np.floor(ts / 24.0 + 1e-9)
    hours = []
    for d in np.unique(days):
        m = days == d
        if ts[m][-1] - ts[m][0] < 23.0:  # a partial day's maximum is not a daily peak
            continue
        hours.append(float(ts[m][int(np.argmax(xs[m]))] - 24.0 * d))
    if not hours:
        raise StatisticError(f"no whole day inside [{t0:g}, {t1:g}] h")
    return float(np.median(hours))


def half_life(t: np.ndarray, x: np.ndarray, t0: float, t1: float) -> float:
    """Half-life (h) of a log-linear least-squares fit over ``[t0, t1]`` (``x > 0``)."""
    ts, xs = _window(t, x, t0, t1)
    if len(ts) < 2 or np.any(xs <= 0):
        raise StatisticError("a half-life needs >= 2 positive samples in its window")
    slope = np.polyfit(ts, np.log(xs), 1)[0]
    if slope >= 0:
        raise StatisticError("the window does not decay: no half-life")
    return float(-math.log(2.0) / slope)


def fall_fraction(t: np.ndarray, x: np.ndarray, t0: float, t1: float, t2: float) -> float:
    """Share of the fall from ``t0`` to ``t2`` that is done by ``t1``."""
    a, b, c = (value(t, x, s) for s in (t0, t1, t2))
    if a == c:
        raise StatisticError("no fall between the first and the last time")
    return (a - b) / (a - c)


def period(t: np.ndarray, x: np.ndarray, t0: float, t1: float, min_h: float = 2.0) -> float:
    """Dominant period (h): lag of the highest autocorrelation peak after the first zero
    crossing, refined by a parabola through its neighbours (uniform sampling needed)."""
    ts, xs = _window(t, x, t0, t1)
    dt = float(np.median(np.diff(ts)))
    y = xs - xs.mean()
    if len(y) < 4 or not np.any(y):
        raise StatisticError("a period needs a varying time course")
    ac = np.correlate(y, y, mode="full")[len(y) - 1:]
    ac = ac / ac[0]
    start = max(int(np.argmax(ac < 0)), int(math.ceil(min_h / dt)))
    half = len(ac) // 2  # beyond half the window, too few pairs
    if start <= 0 or start >= half - 1:
        raise StatisticError("the window is too short for one period")
    k = start + int(np.argmax(ac[start:half]))
    if 0 < k < len(ac) - 1:
        a, b, c = ac[k - 1], ac[k], ac[k + 1]
        den = a - 2 * b + c
        shift = 0.5 * (a - c) / den if den != 0 else 0.0
    else:
        shift = 0.0
    return float((k + shift) * dt)
