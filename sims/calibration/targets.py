"""Calibration targets: a published number, the simulation that reproduces the experiment,
the statistic that measures it, and how far off the model is.

A target set (config group ``targets/``, e.g. ``configs/targets/default.yaml``) has
``experiments`` (named lists of Hydra overrides: scenario, treatment, duration, ...) and
``items`` (the targets). A target's ``statistic`` reads one ``variable`` of its
experiment's run:

* a slow-layer variable (``allo_plasma``, ``hpa_cortisol``, ``delta_E``, ...);
* ``receptor.slice.<quantity>.<population>`` / ``receptor.in_vivo.<quantity>.<population>``:
  a receptor quantity (``g_tonic`` nS, ``gaba_scale`` 1, ``tau_gaba`` ms) from the slow
  layer's subunit expression at that time, with the steroid washed out (``slice``, as in a
  slice recording) or at the brain levels of that time (``in_vivo``);
* ``probe.<readout>.<population>``: a network read-out (``rate``, ``g_tonic``, ...) of a
  probe at that time (the experiment then runs network probes; under ``coupling.fast=false``
  such targets are *skipped*, listed as such).

Times are hours (``at_h``, ``window_h``...) or days (``at_day``, ``window_day``...) from
the start of the run, or from an event of the run (``relative_to: delivery``; events:
delivery, ovulation, menses, stress; ``event_index`` picks which, default 0, -1 the last).

The published value is ``value`` with a spread (``sd``, or ``sem`` and ``n``, or an
explicit ``sigma`` tagged [assumption]) or a ``range: [low, high]`` (either end may be
null). The z-score is (simulated - value) / spread, or for a range the distance outside
it over the range's half width (``scale`` when one end is open). A target passes when
|z| <= ``tolerance_z`` (default 2 for a value, 0 for a range: inside it). The calibration
loss is the weighted sum of squared z-scores of the evaluated targets.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sims.calibration import cohort_view as cv
from sims.calibration import statistics as st
from sims.calibration.cohort_view import check_cohort_statistic
from sims.configuration.objects import as_section
from sims.configuration.schema import PharmacologyConfig, ReceptorsConfig
from sims.constants import named_configs
from sims.errors import ConfigError, require
from sims.errors import is_finite_number as _num
from sims.fast.registry import READOUTS
from sims.molecules import MOLECULES, molecular_weight
from sims.slow.homeostasis import apply_expression
from sims.slow.variables import BY_NAME, SUBUNITS

RECEPTOR_MODES = ("slice", "in_vivo")
RECEPTOR_QUANTITIES = {"g_tonic": ("nS", 1e9), "gaba_scale": ("1", 1.0),
                       "tau_gaba": ("ms", 1e3), "nmda_scale": ("1", 1.0)}
EVENTS = ("delivery", "ovulation", "menses", "stress")
#: published unit -> (model unit, factor per g/mol of the molecule or plain factor)
UNIT_CONVERSIONS = {("nM", "ng/mL"): ("mw", 1e-3), ("nM", "pg/mL"): ("mw", 1.0),
                    ("nM", "nM"): ("", 1.0), ("nM", "uM"): ("", 1e-3)}
#: keys a statistic may carry, by purpose
_TIME_KEYS = ("at_h", "at_day", "window_h", "window_day", "baseline_h", "baseline_day",
              "times_h", "times_day")
_STAT_KEYS = {"kind", "variable", "experiment", "relative_to", "event_index", "numerator",
              "denominator", "molecule", "unit", "quantity", "population", "bath_nM",
              "min_period_h", "time_unit", "how", "outcome", *_TIME_KEYS}
#: peak_time in these units (minutes per unit)
TIME_UNITS = {"min": 1.0, "h": 60.0, "day": 1440.0}
_PUBLISHED_KEYS = {"value", "sd", "sem", "n", "sigma", "range", "scale", "unit", "note"}
_TARGET_KEYS = {"description", "source", "experiment", "statistic", "published",
                "tolerance_z", "weight", "role"}
#: What a target may be used for: ``calibration`` (may inform parameters: fits, hand
#: choices) or ``validation`` (held out: never named by a fit nor used to choose a value;
#: passing it is evidence, not goodness of fit).
ROLES = ("calibration", "validation", "mechanism")
#: What each role means (``targets.items.<name>.role``).
ROLE_MEANINGS = {
    "calibration": "may inform parameters",
    "validation": "held out from every fit and hand choice",
    "mechanism": "a default scenario's defining mechanism must act at the defaults (not "
                 "data: a failure means the mechanism is inert; never fitted)"}




# --------------------------------------------------------------------------- specs
@dataclass
class Experiment:
    """A named simulation: Hydra overrides applied on top of the user's config."""

    name: str
    overrides: list[str]
    description: str = ""
    cohort: str = ""  # a named cohort (configs/cohort/): the experiment is its individuals
    n: int = 0  # how many (a cohort experiment)


@dataclass
class Target:
    """One published number and how the model reproduces it."""

    name: str
    description: str
    source: str
    experiment: str
    statistic: dict[str, Any]
    published: dict[str, Any]
    tolerance_z: float
    weight: float = 1.0
    role: str = "calibration"

    @property
    def unit(self) -> str:
        return str(self.published.get("unit", ""))


@dataclass
class TargetSet:
    """The targets of one ``targets/`` config, with their experiments."""

    name: str
    experiments: dict[str, Experiment]
    items: dict[str, Target]

    def by_role(self, role: str) -> TargetSet:
        """The targets of one role (``calibration``, ``validation`` or ``mechanism``)."""
        return TargetSet(self.name, self.experiments,
                         {n: t for n, t in self.items.items() if t.role == role})

    def select(self, names: Sequence[str] | None, key: str = "calibration.targets"
               ) -> TargetSet:
        """The subset named by ``names`` (all if empty or None)."""
        if not names:
            return self
        unknown = [n for n in names if n not in self.items]
        require(not unknown, key, unknown, f"names of targets in targets.items "
               f"({', '.join(self.items)})")
        return TargetSet(self.name, self.experiments, {n: self.items[n] for n in names})


def _stat_experiments(stat: Mapping[str, Any], default: str) -> set[str]:
    out = {str(stat.get("experiment", default))}
    for part in ("numerator", "denominator"):
        if isinstance(stat.get(part), Mapping):
            out |= _stat_experiments(stat[part], str(stat.get("experiment", default)))
    return out


def _check_window(stat: Mapping[str, Any], key: str, name: str, n: int = 2) -> None:
    h, d = f"{name}_h", f"{name}_day"
    require((h in stat) != (d in stat), f"{key}.{h}", stat.get(h, stat.get(d)),
           f"exactly one of {h} (hours) or {d} (days)")
    w = stat.get(h, stat.get(d))
    ok = isinstance(w, list | tuple) and len(w) == n and all(_num(x) for x in w)
    require(ok, f"{key}.{h if h in stat else d}", w, f"a list of {n} numbers")
    require(all(a < b for a, b in zip(w, w[1:], strict=False)),
           f"{key}.{h if h in stat else d}", w, "increasing times (lower < upper)")


def check_variable(var: Any, key: str, populations: Iterable[str] | None = None) -> str:
    """The variable's family (``slow``, ``receptor``, ``probe``); unknown names raise."""

    require(isinstance(var, str) and var != "", key, var, "a variable name")
    pops = list(populations or [])
    parts = var.split(".")
    if parts[0] == "receptor":
        ok = (len(parts) == 4 and parts[1] in RECEPTOR_MODES
              and parts[2] in RECEPTOR_QUANTITIES and (not pops or parts[3] in pops))
        require(ok, key, var, f"receptor.<{'|'.join(RECEPTOR_MODES)}>."
               f"<{'|'.join(RECEPTOR_QUANTITIES)}>.<population: {', '.join(pops)}>")
        return "receptor"
    if parts[0] == "probe":
        ok = len(parts) in (2, 3) and parts[1] in READOUTS and (
            len(parts) == 2 or not pops or parts[2] in pops)
        require(ok, key, var, f"probe.<readout: {', '.join(READOUTS)}>.<population>")
        return "probe"
    per_pop = {f"{s}_{p}" for s in SUBUNITS for p in pops}
    ok = var in BY_NAME or var in per_pop or (not pops and var.split("_")[0] in SUBUNITS)
    require(ok, key, var, "a slow-layer variable (sims.slow.variables: "
           f"{', '.join(sorted(BY_NAME))}, <subunit>_<population>), receptor.* or probe.*")
    return "slow"


def check_statistic(stat: Any, key: str, experiments: Mapping[str, Experiment],
                    default_experiment: str, populations: Iterable[str] | None = None) -> None:
    """Check one statistic spec (recursively for ratios); raises :class:`ConfigError`."""
    require(isinstance(stat, Mapping), key, stat, "a mapping with kind, variable and times")
    unknown = sorted(set(stat) - _STAT_KEYS)
    require(not unknown, f"{key}.{unknown[0] if unknown else ''}", unknown,
           f"statistic keys {sorted(_STAT_KEYS)}")
    kind = stat.get("kind")
    require(kind in st.KINDS, f"{key}.kind", kind, f"one of {sorted(st.KINDS)}")
    exp = str(stat.get("experiment", default_experiment))
    require(exp in experiments, f"{key}.experiment", exp,
           f"an experiment of targets.experiments ({', '.join(experiments)})")
    if kind != "ratio":

        check_cohort_statistic(stat, key, bool(experiments[exp].cohort))
        if kind == "prevalence":
            return
    if kind == "ratio":
        for part in ("numerator", "denominator"):
            sub = dict(stat.get(part) or {})
            require(bool(sub), f"{key}.{part}", stat.get(part), "a statistic")
            check_statistic(sub, f"{key}.{part}", experiments, exp, populations)
        return
    if kind == "receptor_response":
        require(stat.get("quantity") in RECEPTOR_QUANTITIES, f"{key}.quantity",
               stat.get("quantity"), f"one of {sorted(RECEPTOR_QUANTITIES)}")
        pops = list(populations or [])
        require(not pops or stat.get("population") in pops, f"{key}.population",
               stat.get("population"), f"a population ({', '.join(pops)})")
        levels = stat.get("bath_nM")
        require(isinstance(levels, Mapping) and levels and all(
            _num(v) and v >= 0 for v in levels.values()), f"{key}.bath_nM", levels,
            "a mapping species -> aqueous (in-vitro bath) concentration (nM >= 0)")
        return
    check_variable(stat.get("variable"), f"{key}.variable", populations)
    if stat.get("relative_to") is not None:
        require(stat["relative_to"] in EVENTS, f"{key}.relative_to", stat["relative_to"],
               f"one of {EVENTS}")
    if kind in ("value", "spread"):
        require(("at_h" in stat) != ("at_day" in stat), f"{key}.at_h",
               stat.get("at_h", stat.get("at_day")), "exactly one of at_h or at_day")
        at = stat.get("at_h", stat.get("at_day"))
        require(_num(at), f"{key}.{'at_h' if 'at_h' in stat else 'at_day'}", at, "a number")
    elif kind == "fall_fraction":
        _check_window(stat, key, "times", 3)
    else:
        _check_window(stat, key, "window")
    if kind in ("peak_fold", "peak_rise"):
        _check_window(stat, key, "baseline")
    if "time_unit" in stat:
        require(kind == "peak_time" and stat["time_unit"] in TIME_UNITS, f"{key}.time_unit",
               stat["time_unit"], f"one of {sorted(TIME_UNITS)} (peak_time only)")
    if stat.get("molecule") is not None:

        require(stat["molecule"] in MOLECULES, f"{key}.molecule", stat["molecule"],
               f"one of {sorted(MOLECULES)}")


def _check_published(pub: Any, key: str) -> None:
    require(isinstance(pub, Mapping), key, pub, "a mapping with value and sd/sem/sigma, "
           "or range")
    unknown = sorted(set(pub) - _PUBLISHED_KEYS)
    require(not unknown, f"{key}.{unknown[0] if unknown else ''}", unknown,
           f"keys {sorted(_PUBLISHED_KEYS)}")
    if "range" in pub:
        r = pub["range"]
        ok = (isinstance(r, list | tuple) and len(r) == 2 and any(x is not None for x in r)
              and all(x is None or _num(x) for x in r))
        require(ok, f"{key}.range", r, "[low, high] with numbers (one may be null)")
        if r[0] is not None and r[1] is not None:
            require(r[0] < r[1], f"{key}.range", r, "low < high")
        if "scale" in pub:
            require(_num(pub["scale"]) and pub["scale"] > 0, f"{key}.scale", pub["scale"],
                   "a number > 0")
        return
    require(_num(pub.get("value")), f"{key}.value", pub.get("value"), "a number (or a range)")
    if "sd" in pub:
        require(_num(pub["sd"]) and pub["sd"] > 0, f"{key}.sd", pub["sd"], "a number > 0")
    elif "sem" in pub:
        require(_num(pub["sem"]) and pub["sem"] > 0, f"{key}.sem", pub["sem"], "a number > 0")
        n = pub.get("n")
        require(isinstance(n, int) and not isinstance(n, bool) and n >= 2, f"{key}.n", n,
               "the sample size (an integer >= 2) that turns the SEM into an SD")
    else:
        s = pub.get("sigma")
        require(_num(s) and s > 0, f"{key}.sigma", s,
               "a number > 0 (give sd, sem with n, or an explicit sigma)")


def parse_experiments(node: Any, key: str) -> dict[str, Experiment]:
    """``{name: {overrides: [...], description}}`` -> experiments."""
    require(isinstance(node, Mapping), key, node, "a mapping name -> {overrides, description}")
    exps = {}
    for name, e in node.items():
        ov = (e or {}).get("overrides", []) if isinstance(e, Mapping) else None
        require(isinstance(ov, list | tuple) and all(isinstance(o, str) and "=" in o
                                                    for o in ov),
               f"{key}.{name}.overrides", ov, "a list of 'key=value' overrides")
        unknown = sorted(set(e) - {"overrides", "description", "cohort", "n"})
        require(not unknown, f"{key}.{name}.{unknown[0] if unknown else ''}", unknown,
                "keys overrides, description, cohort, n")
        cohort, n = e.get("cohort") or "", e.get("n", 0)
        if cohort:

            named = named_configs("cohort")
            require(cohort in named, f"{key}.{name}.cohort", cohort,
                    f"a named cohort ({', '.join(named)})")
            require(isinstance(n, int) and not isinstance(n, bool) and n >= 2,
                    f"{key}.{name}.n", n, "the number of individuals (an integer >= 2)")
        exps[str(name)] = Experiment(str(name), list(ov), str(e.get("description", "")),
                                     str(cohort), int(n or 0))
    return exps


def parse_targets(node: Mapping[str, Any], populations: Iterable[str] | None = None,
                  key: str = "targets") -> TargetSet:
    """Read and check a ``targets`` config node.

    Raises:
        ConfigError: the first bad key (unknown statistic, variable, experiment, a range
            with low >= high, ...), before anything runs.
    """
    require(isinstance(node, Mapping), key, node, "a targets config (e.g. +targets=default)")
    exps = parse_experiments(node.get("experiments") or {}, f"{key}.experiments")
    items_node = node.get("items") or {}
    require(isinstance(items_node, Mapping) and items_node, f"{key}.items", items_node,
           "a mapping name -> target")
    items = {}
    for name, t in items_node.items():
        k = f"{key}.items.{name}"
        require(isinstance(t, Mapping), k, t, "a target mapping")
        unknown = sorted(set(t) - _TARGET_KEYS)
        require(not unknown, f"{k}.{unknown[0] if unknown else ''}", unknown,
               f"target keys {sorted(_TARGET_KEYS)}")
        require(bool(str(t.get("source", "")).strip()), f"{k}.source", t.get("source"),
               "the publication (or [assumption]) the number comes from")
        exp = str(t.get("experiment", ""))
        require(exp in exps, f"{k}.experiment", exp,
               f"an experiment of {key}.experiments ({', '.join(exps)})")
        check_statistic(t.get("statistic"), f"{k}.statistic", exps, exp, populations)
        _check_published(t.get("published"), f"{k}.published")
        pub = dict(t["published"])
        tol = t.get("tolerance_z", 0.0 if "range" in pub else 2.0)
        require(_num(tol) and tol >= 0, f"{k}.tolerance_z", tol, "a number >= 0")
        w = t.get("weight", 1.0)
        require(_num(w) and w >= 0, f"{k}.weight", w, "a number >= 0")
        role = t.get("role", "calibration")
        require(role in ROLES, f"{k}.role", role, f"one of {ROLES} ("
                + "; ".join(f"{r}: {m}" for r, m in ROLE_MEANINGS.items()) + ")")
        items[str(name)] = Target(str(name), str(t.get("description", "")), str(t["source"]),
                                  exp, copy.deepcopy(dict(t["statistic"])), pub, float(tol),
                                  float(w), str(role))
    return TargetSet(str(node.get("name", "")), exps, items)


# --------------------------------------------------------------------------- z-scores
def sigma(pub: Mapping[str, Any]) -> float:
    """The spread a value target's z-score divides by: SD, SEM x sqrt(n), or sigma."""
    if "sd" in pub:
        return float(pub["sd"])
    if "sem" in pub:
        return float(pub["sem"]) * math.sqrt(float(pub["n"]))
    return float(pub["sigma"])


def z_score(simulated: float, pub: Mapping[str, Any]) -> float:
    """How many spreads the simulated value lies from the published one (see module doc)."""
    if "range" in pub:
        lo, hi = pub["range"]
        if lo is not None and hi is not None:
            scale = float(pub.get("scale", (hi - lo) / 2.0))
        else:
            bound = lo if lo is not None else hi
            scale = float(pub.get("scale", 0.25 * abs(bound) or 1.0))
        if lo is not None and simulated < lo:
            return (simulated - lo) / scale
        if hi is not None and simulated > hi:
            return (simulated - hi) / scale
        return 0.0
    return (simulated - float(pub["value"])) / sigma(pub)


def relative_error(simulated: float, pub: Mapping[str, Any]) -> float:
    """(simulated - published) / published for value targets; NaN for ranges or 0."""
    if "range" in pub or not pub.get("value"):
        return float("nan")
    return (simulated - float(pub["value"])) / abs(float(pub["value"]))


@dataclass
class TargetResult:
    """One evaluated target (``status``: pass, fail, skipped; an outcome without a
    published value: measured or fail)."""

    target: Target
    value: float = float("nan")
    z: float = float("nan")
    rel_error: float = float("nan")
    status: str = "skipped"
    reason: str = ""

    @property
    def evaluated(self) -> bool:
        return self.status in ("pass", "fail")


def score(target: Target, simulated: float) -> TargetResult:
    """z-score, relative error and pass/fail of a simulated value."""
    if not math.isfinite(simulated):
        return TargetResult(target, simulated, float("inf"), float("nan"), "fail",
                            "the statistic is not finite")
    z = z_score(simulated, target.published)
    ok = abs(z) <= target.tolerance_z + 1e-12
    return TargetResult(target, simulated, z, relative_error(simulated, target.published),
                        "pass" if ok else "fail")


def loss(results: Iterable[TargetResult]) -> float:
    """Weighted sum of squared z-scores of the evaluated targets (skipped ones excluded)."""
    total = 0.0
    for r in results:
        if r.evaluated:
            total += r.target.weight * (r.z ** 2 if math.isfinite(r.z) else 1e12)
    return total


# --------------------------------------------------------------------------- runs
@dataclass
class RunView:
    """One experiment's run, as the statistics read it."""

    c: dict
    time_h: np.ndarray | None = None
    values: dict[str, np.ndarray] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    events: list[tuple[str, float]] = field(default_factory=list)
    trajectory: Any = None
    probe_times_h: list[float] = field(default_factory=list)
    probes: list[Any] = field(default_factory=list)

    def offset(self, stat: Mapping[str, Any], key: str) -> float:
        """Hours of the event the statistic's times count from (0: the run's start)."""
        ev = stat.get("relative_to")
        if ev is None:
            return 0.0
        times = [t for name, t in self.events if name == ev]
        idx = int(stat.get("event_index", 0))
        if not times or not -len(times) <= idx < len(times):
            raise ConfigError(f"{key}.relative_to", ev, f"an event of this run (it has "
                              f"{sorted({n for n, _ in self.events}) or 'none'}; "
                              f"{len(times)} of {ev!r})")
        return float(times[idx])

    def series(self, var: str, t0: float | None = None, t1: float | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        """(time in h, values) of a slow variable or a receptor quantity (receptor
        quantities only inside ``[t0, t1]`` when given: each sample costs a receptor
        computation)."""
        parts = var.split(".")
        if parts[0] == "probe":
            t = np.asarray(self.probe_times_h, float)
            pops = list(self.c["network"]["populations"])
            return t, np.array([probe_value(o, parts, pops) for o in self.probes])
        if self.time_h is None:
            raise st.StatisticError("this experiment ran no slow layer")
        if parts[0] == "receptor":
            t = self.time_h
            if t0 is not None and t1 is not None:
                t = t[(t >= t0 - 1e-9) & (t <= t1 + 1e-9)]
            return t, self.receptor(parts, t)
        if var not in self.values:
            raise st.StatisticError(f"the run has no slow variable {var!r}")
        return self.time_h, self.values[var]

    def receptor(self, parts: list[str], times: np.ndarray) -> np.ndarray:
        from sims.fast.pharmacology import receptor_concentrations, receptor_state

        mode, quantity, pop = parts[1:]
        factor = RECEPTOR_QUANTITIES[quantity][1]
        species = as_section(PharmacologyConfig, self.c["pharmacology"], "pharmacology").species
        # only what the receptor state reads: apply_expression copies what it is given
        light = {k: self.c[k] for k in ("receptors", "homeostasis")}
        out = np.empty(len(times))
        for i, t in enumerate(times):
            expr = self.trajectory.expression(float(t))
            ce = apply_expression(light, {pop: expr[pop]} if pop in expr else {})
            rec = as_section(ReceptorsConfig, ce["receptors"], "receptors")
            conc = (receptor_concentrations(species, self.trajectory.brain_conc(float(t)))
                    if mode == "in_vivo" else {})
            out[i] = float(np.asarray(receptor_state(rec, species, conc, pop)[quantity])) \
                * factor
        return out


def probe_value(out: Any, parts: list[str], populations: list[str]) -> float:
    """One read-out of a probe (``probe.<readout>[.<population>]``), in its stored unit."""
    name = parts[1]
    if len(parts) == 2:
        if name not in out.scalars:
            raise st.StatisticError(f"probe read-out {name!r} is per population: name one")
        return float(out.scalars[name])
    data = out.per_population.get(name, out.receptor_state.get(name))
    if data is None or parts[2] not in populations:
        raise st.StatisticError(f"the probe has no {name!r} of population {parts[2]!r}")
    return float(np.asarray(data)[populations.index(parts[2])])


def _times(stat: Mapping[str, Any], name: str, offset: float) -> list[float]:
    if f"{name}_h" in stat:
        v = stat[f"{name}_h"]
        return [offset + float(x) for x in (v if isinstance(v, list | tuple) else [v])]
    v = stat[f"{name}_day"]
    return [offset + 24.0 * float(x) for x in (v if isinstance(v, list | tuple) else [v])]


def _convert(x: float, stat: Mapping[str, Any], view: RunView | None, unit: str) -> float:
    """The statistic in the published unit (nM -> ng/mL needs ``molecule``)."""
    var = str(stat.get("variable", ""))
    model_unit = view.units.get(var, "") if view is not None else ""
    if not unit or not model_unit or unit == model_unit:
        return x
    conv = UNIT_CONVERSIONS.get((model_unit, unit))
    if conv is None:
        return x
    how, factor = conv
    if how == "mw":

        return x * factor * molecular_weight(str(stat["molecule"]))
    return x * factor


def compute(stat: Mapping[str, Any], views: Mapping[str, RunView], default_exp: str,
            key: str = "statistic", unit: str = "") -> float:
    """The value of one statistic on the experiments' runs."""
    exp = str(stat.get("experiment", default_exp))
    kind = stat["kind"]
    if kind == "ratio":
        num = compute(stat["numerator"], views, exp, f"{key}.numerator")
        den = compute(stat["denominator"], views, exp, f"{key}.denominator")
        if den == 0:
            raise st.StatisticError("the denominator is 0")
        return num / den
    view = views[exp]
    if kind in ("spread", "prevalence"):
        if not isinstance(view, cv.CohortView):
            raise st.StatisticError(f"experiment {exp!r} is not a cohort")
        if kind == "prevalence":
            return cv.prevalence(view, str(stat["outcome"]))
        (at,) = _times(stat, "at", 0.0)  # in the variable's unit (sd) or 1 (cv)
        return cv.spread(view, str(stat["variable"]), at, str(stat.get("how", "sd")))
    if kind == "receptor_response":
        from sims.fast.pharmacology import population_gaba_state

        q, pop = stat["quantity"], stat["population"]
        on = population_gaba_state(view.c, dict(stat["bath_nM"]), pop)[q]  # aqueous, in vitro
        off = population_gaba_state(view.c, {}, pop)[q]
        return float(np.asarray(on)) / float(np.asarray(off))
    off = view.offset(stat, key)
    var = str(stat["variable"])
    if kind == "value":
        (at,) = _times(stat, "at", off)
        if var.startswith("receptor."):
            return _convert(float(view.receptor(var.split("."), np.array([at]))[0]), stat,
                            view, unit)
        t, x = view.series(var)
        if var.startswith("probe."):
            hit = np.flatnonzero(np.isclose(t, at, atol=1e-6))
            if not len(hit):
                raise st.StatisticError(f"no probe at {at:g} h (probes at {list(t)})")
            return float(x[hit[0]])
        return _convert(st.value(t, x, at), stat, view, unit)
    if kind == "fall_fraction":
        times = _times(stat, "times", off)
        if var.startswith("receptor."):
            t, x = np.array(times), view.receptor(var.split("."), np.array(times))
        else:
            t, x = view.series(var)
        return st.fall_fraction(t, x, *times)
    t0, t1 = _times(stat, "window", off)
    if kind in ("peak_fold", "peak_rise"):
        b0, b1 = _times(stat, "baseline", off)
        t, x = view.series(var, min(t0, b0), max(t1, b1))
    else:
        t, x = view.series(var, t0, t1)
    if kind in ("mean", "median", "max", "min"):
        return _convert(st.window_stat(kind, t, x, t0, t1), stat, view, unit)
    if kind == "peak_time":
        return st.peak_time(t, x, t0, t1) / TIME_UNITS[str(stat.get("time_unit", "min"))]
    if kind == "peak_fold":
        return st.peak_fold(t, x, t0, t1, b0, b1)
    if kind == "peak_rise":
        return _convert(st.peak_rise(t, x, t0, t1, b0, b1), stat, view, unit)
    if kind == "peak_clock":
        return st.peak_clock(t, x, t0, t1)
    if kind == "half_life":
        return st.half_life(t, x, t0, t1)
    if kind == "period":
        return st.period(t, x, t0, t1, float(stat.get("min_period_h", 2.0)))
    raise ConfigError(f"{key}.kind", kind, f"one of {sorted(st.KINDS)}")


def variables_of(stat: Mapping[str, Any], default_exp: str) -> list[tuple[str, str, dict]]:
    """(experiment, variable, statistic) of every leaf of a statistic."""
    exp = str(stat.get("experiment", default_exp))
    if stat.get("kind") == "ratio":
        return [*variables_of(stat["numerator"], exp), *variables_of(stat["denominator"], exp)]
    if stat.get("kind") in ("receptor_response", "prevalence"):
        return [(exp, "", dict(stat))]
    return [(exp, str(stat["variable"]), dict(stat))]


def probe_times(stat: Mapping[str, Any], events: Sequence[tuple[str, float]] = ()) -> list[float]:
    """Absolute probe times (h) a statistic on ``probe.*`` reads (event times resolved
    from a slow-only pre-run's ``events``)."""
    out = []
    for _, var, s in variables_of(stat, ""):
        if not var.startswith("probe."):
            continue
        view = RunView({}, events=list(events))
        off = view.offset(s, "statistic")
        names = ["at"] if s["kind"] == "value" else ["window"]
        for n in names:
            out.extend(_times(s, n, off))
    return out


def needs_network(target: Target) -> bool:
    """Whether the target reads network probes."""
    return any(v.startswith("probe.") for _, v, _ in variables_of(target.statistic,
                                                                   target.experiment))


def needs_run(stat: Mapping[str, Any], default_exp: str) -> set[str]:
    """Experiments whose runs a statistic reads (``receptor_response`` needs none)."""
    return {e for e, v, s in variables_of(stat, default_exp) if s.get("kind") !=
            "receptor_response"}
