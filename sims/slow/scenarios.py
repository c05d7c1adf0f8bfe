"""Hormone scenarios: generators of exogenous drivers on the slow time grid.

Each scenario turns its config (``configs/scenario/*.yaml``) into time courses, in hours
from the start of the run, of the drivers the slow model needs:

- ``progesterone`` (nM): ovarian/placental plasma progesterone,
- ``testosterone`` (nM): plasma testosterone,
- ``placental_allo`` (nM): extra plasma ALLO of pregnancy (placental/fetal sources),
- ``acute_stress`` (1): intensity of acute stressors (0 = none),
- ``chronic_stress`` (1): chronic stress level in [0, 1],

plus named events (menses, ovulation, delivery, stress) for figures. Stochastic scenarios
draw from the ``rng`` they are given (derived from the run's seed). Generators take
``t_end``, the run's last time (default ``t[-1]``): what they draw depends on the run, not
on the times asked for, so a run's drivers can be evaluated in pieces (the cohort engine
does) and give exactly the values of one evaluation.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sims.errors import ConfigError
from sims.slow.schemas import (
    AcuteStressScenario,
    ChronicStressScenario,
    FromFileScenario,
    MaleAgeingScenario,
    MenstrualScenario,
    PerimenopauseScenario,
    PregnancyPostpartumScenario,
    ScenarioBase,
)
from sims.units import SLOW_FACTORS

DRIVERS = ("progesterone", "testosterone", "placental_allo", "acute_stress", "chronic_stress")
DRIVER_UNITS = {"progesterone": "nM", "testosterone": "nM", "placental_allo": "nM",
                "acute_stress": "1", "chronic_stress": "1"}
HOURS_PER_DAY = 24.0


@dataclass
class Drivers:
    """Driver time courses sampled at times ``t`` (h), and named events."""

    t: np.ndarray
    values: dict[str, np.ndarray]
    events: list[tuple[str, float]] = field(default_factory=list)


def _const(t: np.ndarray, value: float) -> np.ndarray:
    return np.full_like(t, float(value), dtype=float)


def _base(sc: ScenarioBase, t: np.ndarray) -> dict[str, np.ndarray]:
    return {"progesterone": _const(t, sc.progesterone_follicular_nM),
            "testosterone": _const(t, sc.testosterone_nM),
            "placental_allo": _const(t, 0.0), "acute_stress": _const(t, 0.0),
            "chronic_stress": _const(t, 0.0)}


def baseline(sc: ScenarioBase, t: np.ndarray, rng: np.random.Generator,
             t_end: float | None = None) -> Drivers:
    """Constant follicular-phase hormones, no stress."""
    return Drivers(t, _base(sc, t))


# --------------------------------------------------------------------------- cycles
@dataclass
class Cycle:
    start_h: float
    length_h: float
    ovulation_h: float
    amplitude_nM: float  # 0 for an anovulatory cycle


def _cycles(sc: MenstrualScenario, t_end_h: float, rng: np.random.Generator,
            perimenopause: bool) -> list[Cycle]:
    """Draw consecutive cycles covering ``[0, t_end_h]`` (+ one cycle of margin)."""
    start = -(sc.start_cycle_day - 1.0) * HOURS_PER_DAY
    cycles: list[Cycle] = []
    while start < t_end_h + 40 * HOURS_PER_DAY:
        frac = min(max(start / max(t_end_h, 1e-9), 0.0), 1.0) if perimenopause else 0.0
        sd = sc.cycle_length_sd_days
        amp, p_anov = sc.luteal_amplitude_nM, 0.0
        if perimenopause:
            sd += frac * (sc.cycle_length_sd_end_days - sc.cycle_length_sd_days)
            p_anov = sc.anovulation_prob_start + frac * (
                sc.anovulation_prob_end - sc.anovulation_prob_start)
            mean_amp = amp + frac * (sc.luteal_amplitude_end_nM - amp)
            s = sc.luteal_amplitude_log_sd
            amp = mean_amp * float(np.exp(rng.normal(-0.5 * s * s, s)))  # lognormal, mean kept
        length = float(np.clip(rng.normal(sc.cycle_length_mean_days, sd), 18.0, 60.0))
        luteal = float(np.clip(rng.normal(sc.luteal_length_mean_days,
                                          sc.luteal_length_sd_days), 10.0, 17.0))
        luteal = min(luteal, length - 5.0)
        anovulatory = bool(rng.random() < p_anov)
        cycles.append(Cycle(start, length * HOURS_PER_DAY,
                            start + (length - luteal) * HOURS_PER_DAY,
                            0.0 if anovulatory else amp))
        start += length * HOURS_PER_DAY
    return cycles


def _cycle_drivers(sc: MenstrualScenario, t: np.ndarray, rng: np.random.Generator,
                   perimenopause: bool, t_end: float | None = None) -> Drivers:
    """Luteal progesterone as a Gaussian bump per ovulatory cycle (docs/science.md §7.1 [D])."""
    v = _base(sc, t)
    events: list[tuple[str, float]] = []
    offset = sc.luteal_peak_offset_days * HOURS_PER_DAY
    width = sc.luteal_width_days * HOURS_PER_DAY
    end = float(t[-1]) if t_end is None else float(t_end)
    for c in _cycles(sc, end, rng, perimenopause):
        if c.amplitude_nM > 0:
            v["progesterone"] += c.amplitude_nM * np.exp(
                -((t - c.ovulation_h - offset) ** 2) / (2 * width**2))
            if 0 <= c.ovulation_h <= end:
                events.append(("ovulation", c.ovulation_h))
        if 0 <= c.start_h <= end:
            events.append(("menses", c.start_h))
    return Drivers(t, v, sorted(events, key=lambda e: e[1]))


def menstrual(sc: MenstrualScenario, t: np.ndarray, rng: np.random.Generator,
              t_end: float | None = None) -> Drivers:
    """28-day cycles with jittered cycle and luteal lengths."""
    return _cycle_drivers(sc, t, rng, perimenopause=False, t_end=t_end)


def perimenopause(sc: PerimenopauseScenario, t: np.ndarray, rng: np.random.Generator,
                  t_end: float | None = None) -> Drivers:
    """Cycles with growing length variance, more anovulation and falling luteal P."""
    return _cycle_drivers(sc, t, rng, perimenopause=True, t_end=t_end)


# --------------------------------------------------------------------------- pregnancy
def _gestation_fraction(week: np.ndarray, sc: PregnancyPostpartumScenario) -> np.ndarray:
    """Logistic rise of placental output with gestational week, 1 at week 40."""
    def f(w):
        return 1.0 / (1.0 + np.exp(-(w - sc.rise_midpoint_week) / sc.rise_width_weeks))
    return f(week) / f(40.0)


def pregnancy_postpartum(sc: PregnancyPostpartumScenario, t: np.ndarray,
                         rng: np.random.Generator, t_end: float | None = None) -> Drivers:
    """Gestational rise of P and placental ALLO, delivery, exponential postpartum fall."""
    v = _base(sc, t)
    td = sc.delivery_day * HOURS_PER_DAY
    week = sc.gestation_week_at_start + np.minimum(t, td) / (7 * HOURS_PER_DAY)
    frac = _gestation_fraction(week, sc)
    p_preg = sc.progesterone_luteal_nM + (
        sc.progesterone_term_nM - sc.progesterone_luteal_nM) * frac
    a_preg = sc.placental_allo_term_nM * frac
    after = t > td
    dt_pp = np.where(after, t - td, 0.0)
    pf = sc.progesterone_follicular_nM
    p_pp = pf + (p_preg - pf) * np.exp(-dt_pp / (sc.progesterone_pp_tau_days * 24))
    a_pp = a_preg * np.exp(-dt_pp / sc.placental_allo_pp_tau_h)
    v["progesterone"] = np.where(after, p_pp, p_preg)
    v["placental_allo"] = np.where(after, a_pp, a_preg)
    return Drivers(t, v, [("delivery", td)])


# --------------------------------------------------------------------------- stress
def add_stress_tests(sc: ScenarioBase, drivers: Drivers) -> Drivers:
    """Laboratory stress tests (``scenario.stress_tests``) on top of any scenario: one
    acute-stress pulse each, on day ``day`` at ``clock_h``; event ``stress test``."""
    for st in sc.stress_tests:
        onset = st.day * HOURS_PER_DAY + st.clock_h
        drivers.values["acute_stress"] = drivers.values["acute_stress"] + _pulse(
            drivers.t, onset, st.duration_min / 60.0, st.intensity)
        drivers.events.append(("stress test", float(onset)))
    return drivers


def _pulse(t: np.ndarray, onset_h: float, duration_h: float, intensity: float) -> np.ndarray:
    return np.where((t >= onset_h) & (t < onset_h + duration_h), intensity, 0.0)


def acute_stress(sc: AcuteStressScenario, t: np.ndarray, rng: np.random.Generator,
                 t_end: float | None = None) -> Drivers:
    """Configured stressor pulses (onset, duration, intensity)."""
    v = _base(sc, t)
    events = []
    for p in sc.pulses:
        v["acute_stress"] += _pulse(t, p.onset_h, p.duration_min / 60, p.intensity)
        events.append(("stress", float(p.onset_h)))
    return Drivers(t, v, events)


def chronic_stress(sc: ChronicStressScenario, t: np.ndarray, rng: np.random.Generator,
                   t_end: float | None = None) -> Drivers:
    """Weeks of a chronic stress level (linear ramps) with one random daily stressor."""
    v = _base(sc, t)
    on = sc.onset_day * HOURS_PER_DAY
    off = on + sc.stress_days * HOURS_PER_DAY
    ramp = max(sc.ramp_days * HOURS_PER_DAY, 1e-9)
    up = np.clip((t - on) / ramp, 0.0, 1.0)
    down = np.clip((off - t) / ramp, 0.0, 1.0)
    v["chronic_stress"] = sc.level * np.minimum(up, down)
    day = np.floor(on / HOURS_PER_DAY)
    while day * HOURS_PER_DAY < off:
        onset = day * HOURS_PER_DAY + rng.uniform(8.0, 20.0)
        if on <= onset < off:
            v["acute_stress"] += _pulse(t, onset, sc.daily_pulse_duration_min / 60,
                                        sc.daily_pulse_intensity)
        day += 1
    return Drivers(t, v, [("chronic stress on", on), ("chronic stress off", off)])


def male_ageing(sc: MaleAgeingScenario, t: np.ndarray, rng: np.random.Generator,
                t_end: float | None = None) -> Drivers:
    """Testosterone declining by a constant fraction per year."""
    v = _base(sc, t)
    years = t / (HOURS_PER_DAY * 365.25)
    v["testosterone"] = sc.testosterone_nM * (1 - sc.testosterone_decline_per_year) ** years
    return Drivers(t, v)


# --------------------------------------------------------------------------- from file
#: Scenarios whose drivers are random (drawn from the run's seed).
STOCHASTIC = ("menstrual", "pmdd", "perimenopause", "chronic_stress")

#: Accepted CSV columns: driver -> allowed unit suffixes (converted by sims.units).
FILE_COLUMNS = {"time": ("_min", "_h", "_days"), "progesterone": ("_nM",),
                "testosterone": ("_nM",), "placental_allo": ("_nM",),
                "acute_stress": ("_level",), "chronic_stress": ("_level",)}


def resolve_path(path: str, config_dir: Path) -> Path:
    """Absolute paths as given; relative ones against ``configs/`` then the CWD."""
    p = Path(path).expanduser()
    if p.is_absolute():
        return p
    return config_dir / p if (config_dir / p).exists() else Path.cwd() / p


def read_timecourse(path: Path, key: str = "scenario.path") -> dict[str, np.ndarray]:
    """Read and validate a user CSV: units in the header, finite numbers, strictly
    increasing time, no negatives.

    Returns driver name -> values, and ``time`` in hours.

    Raises:
        ConfigError: naming the file (``key``), the column and row, the value in the
            column's own unit, and what is allowed.
    """
    allowed = ", ".join(f"{n}{s}" for n, ss in FILE_COLUMNS.items() for s in ss)
    if not path.is_file():
        raise ConfigError(key, str(path), "an existing CSV file")
    try:
        with path.open(newline="") as fh:
            rows = [r for r in csv.reader(fh) if any(x.strip() for x in r)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ConfigError(key, str(path), f"a readable text CSV file ({exc})") from None
    if len(rows) < 3:
        raise ConfigError(key, str(path), "a CSV with a header and at least two rows")
    header = [h.strip() for h in rows[0]]
    out: dict[str, np.ndarray] = {}
    for col, name in enumerate(header):
        match = [(d, s) for d, ss in FILE_COLUMNS.items() for s in ss if name == d + s]
        if not match:
            raise ConfigError(f"{key} column {col + 1}", name,
                              f"a driver name with its unit suffix: {allowed}")
        driver, suffix = match[0]
        if driver in out:
            raise ConfigError(f"{key} column {col + 1}", name, "each driver once")
        vals = np.empty(len(rows) - 1)
        for r, row in enumerate(rows[1:]):
            where = f"{key} column {name} row {r + 2}"
            try:
                vals[r] = float(row[col])
            except (ValueError, IndexError):
                raise ConfigError(where, row[col] if col < len(row) else "(missing)",
                                  "a number") from None
            if not np.isfinite(vals[r]):
                raise ConfigError(where, row[col].strip(), "a finite number (no NaN or inf)")
        if driver == "time":
            step = np.diff(vals)
            if np.any(step <= 0):
                r = int(np.argmax(step <= 0)) + 1  # index of the offending value
                raise ConfigError(f"{key} column {name} row {r + 2}", float(vals[r]),
                                  f"strictly increasing time (previous row: {vals[r - 1]:g}; "
                                  f"unit {suffix[1:]})")
            vals = vals * SLOW_FACTORS[suffix][0]
        elif np.any(vals < 0):
            r = int(np.argmax(vals < 0))
            raise ConfigError(f"{key} column {name} row {r + 2}", float(vals[r]), "values >= 0")
        out[driver] = vals
    if "time" not in out:
        raise ConfigError(key, header, "a time column: time_min, time_h or time_days")
    return out


_TABLES: dict[tuple[str, int, int], dict[str, np.ndarray]] = {}


def load_timecourse(path: Path, key: str = "scenario.path") -> dict[str, np.ndarray]:
    """:func:`read_timecourse`, read once per file version (path, mtime, size).

    Validation reads the file; the slow model then gets the same table without reading
    it again. Callers must not modify the returned arrays.
    """
    try:
        st = path.stat()
    except OSError:
        return read_timecourse(path, key)  # raises the clear error
    ident = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    if ident not in _TABLES:
        _TABLES.clear()  # one file in use at a time; never an unbounded cache
        _TABLES[ident] = read_timecourse(path, key)
    return _TABLES[ident]


def input_files(sc: Mapping[str, Any], config_dir: Path) -> dict[str, str]:
    """Files a scenario reads, as path -> sha256 of their content.

    Part of a run's identity: a changed CSV is a different run, whatever its path.
    """
    if sc.get("name") != "from_file":
        return {}
    path = resolve_path(sc["path"], config_dir)
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        digest = "unreadable"
    return {str(path): digest}


def from_file(sc: FromFileScenario, t: np.ndarray, rng: np.random.Generator,
              t_end: float | None = None, table: dict[str, np.ndarray] | None = None
              ) -> Drivers:
    """Drivers interpolated from a user's CSV (missing drivers take baseline values)."""
    v = _base(sc, t)
    for d, vals in (table or {}).items():
        if d != "time":
            v[d] = np.interp(t, table["time"], vals)
    return Drivers(t, v)


GENERATORS: dict[str, Callable[..., Drivers]] = {
    "baseline": baseline, "menstrual": menstrual, "pmdd": menstrual,
    "pregnancy_postpartum": pregnancy_postpartum, "perimenopause": perimenopause,
    "acute_stress": acute_stress, "chronic_stress": chronic_stress,
    "male_ageing": male_ageing, "from_file": from_file,
}
