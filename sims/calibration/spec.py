"""The ``calibration``, ``sensitivity`` and ``uncertainty`` config nodes, read and checked.

A parameter is a numeric config key with bounds (``low`` < ``high``), ``log: true`` to
sample or search on a log scale (then ``low`` > 0), and a ``source`` for its range (a
paper or [assumption]). Everything is checked before a job is launched; errors name the
key, the value and what is allowed (exit code 2).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sims.calibration.targets import (
    Target,
    TargetSet,
    check_statistic,
    parse_experiments,
    parse_targets,
)
from sims.errors import is_finite_number as _num
from sims.errors import require

#: Optuna samplers allonet builds (``sims.calibration.optimize.make_sampler``); CMA-ES is
#: not offered: it needs the ``cmaes`` package, which allonet does not install.
SAMPLERS = ("tpe", "random", "qmc")
SENSITIVITY_METHODS = ("morris", "sobol")




def _int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


@dataclass(frozen=True)
class Parameter:
    """A config key varied by an analysis, with its bounds."""

    name: str  # the config key (dotted)
    low: float
    high: float
    log: bool = False
    source: str = ""
    label: str = ""  # the short name it is declared under (CLI: <node>.parameters.<label>)

    def from_unit(self, u: float) -> float:
        """The value at ``u`` in [0, 1] on the parameter's scale."""
        if self.log:
            return math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        return self.low + u * (self.high - self.low)


def parse_parameters(node: Any, key: str) -> list[Parameter]:
    """``{label: {key, low, high, log, source}}`` -> parameters (in the given order).

    The label is a short name without dots, so that a bound can be changed on the
    command line (``calibration.parameters.cl.high=3``); ``key`` is the config key."""
    require(isinstance(node, Mapping) and len(node) > 0, key, node,
           "a mapping label -> {key, low, high, log, source}")
    out = []
    for label, p in node.items():
        k = f"{key}.{label}"
        require(isinstance(p, Mapping), k, p, "a mapping {key, low, high, log, source}")
        unknown = sorted(set(p) - {"key", "low", "high", "log", "source"})
        require(not unknown, f"{k}.{unknown[0] if unknown else ''}", unknown,
               "keys key, low, high, log, source")
        ck = p.get("key")
        require(isinstance(ck, str) and ck.strip() != "", f"{k}.key", ck,
               "the dotted config key this parameter sets")
        lo, hi = p.get("low"), p.get("high")
        require(_num(lo), f"{k}.low", lo, "a number")
        require(_num(hi), f"{k}.high", hi, "a number")
        require(lo < hi, f"{k}.low", lo, f"a lower bound < high ({hi})")
        log = p.get("log", False)
        require(isinstance(log, bool), f"{k}.log", log, "true or false")
        if log:
            require(lo > 0, f"{k}.low", lo, "a number > 0 (log: true)")
        require(bool(str(p.get("source", "")).strip()), f"{k}.source", p.get("source"),
               "where the range comes from (a paper, or [assumption])")
        out.append(Parameter(ck, float(lo), float(hi), bool(log), str(p["source"]),
                             str(label)))
    keys = [p.name for p in out]
    dup = sorted({x for x in keys if keys.count(x) > 1})
    require(not dup, key, dup, "each config key once")
    return out


def point_values(params: Sequence[Parameter], point: Any, key: str) -> dict[str, float]:
    """A job's ``point`` (values in parameter order) as ``{key: value}``, within bounds."""
    require(isinstance(point, list | tuple) and len(point) == len(params), key, point,
           f"a list of {len(params)} numbers (one per parameter)")
    out = {}
    for p, v in zip(params, point, strict=True):
        require(_num(v), key, point, "numbers")
        span = 1e-9 * max(abs(p.low), abs(p.high), 1.0)
        require(p.low - span <= v <= p.high + span, f"{key} ({p.name})", v,
               f"a value in [{p.low:g}, {p.high:g}]")
        out[p.name] = float(v)
    return out


def fingerprint(data: Mapping[str, Any]) -> str:
    """sha256 (first 16 hex) of canonical JSON: what makes a study or a sample the same."""
    blob = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _target_identity(t: Target) -> dict[str, Any]:
    return {"experiment": t.experiment, "statistic": t.statistic, "published": t.published,
            "weight": t.weight}


def _analysis_node(c: Mapping[str, Any], kind: str, keys: set[str]) -> tuple[Mapping, str]:
    """The ``kind`` node of ``c`` with only known ``keys`` and a plain name."""
    node = c.get(kind)
    require(isinstance(node, Mapping), kind, node, f"a {kind} config (+{kind}=NAME)")
    unknown = sorted(set(node) - keys)
    require(not unknown, f"{kind}.{unknown[0] if unknown else ''}", unknown,
            f"keys {sorted(keys)}")
    name = node.get("name")
    require(isinstance(name, str) and name.replace("_", "").isalnum(), f"{kind}.name",
            name, "a name of letters, digits and _")
    return node, name


# --------------------------------------------------------------------------- calibration
@dataclass
class CalibrationSpec:
    """A calibration: which parameters, fitted to which targets, how."""

    name: str
    parameters: list[Parameter]
    targets: TargetSet
    n_trials: int
    batch_size: int
    sampler: str
    seed: int
    top_k: int
    accept_delta_loss: float
    synthetic_truth: dict[str, float] = field(default_factory=dict)

    def identity(self, base: Sequence[str]) -> dict[str, Any]:
        """What a storage must match to be continued (see :func:`fingerprint`)."""
        return {"name": self.name,
                "parameters": [[p.name, p.low, p.high, p.log] for p in self.parameters],
                "targets": {n: _target_identity(t) for n, t in self.targets.items.items()},
                "experiments": {n: e.overrides for n, e in self.targets.experiments.items()},
                "synthetic_truth": self.synthetic_truth, "base_overrides": list(base)}


_CAL_KEYS = {"name", "targets", "parameters", "n_trials", "batch_size", "sampler", "seed",
             "top_k", "accept_delta_loss", "synthetic_truth", "trial", "point", "question",
             "export_dir"}


def parse_calibration(c: Mapping[str, Any]) -> CalibrationSpec:
    """Read ``c['calibration']`` (with ``c['targets']``) and check it."""
    node, name = _analysis_node(c, "calibration", _CAL_KEYS)
    ts = parse_targets(c.get("targets"), list(c["network"]["populations"]))
    names = node.get("targets")
    require(names == "all" or (isinstance(names, list | tuple) and len(names) > 0),
            "calibration.targets", names, "a non-empty list of target names, or 'all' for "
            f"every calibration target of the targets config "
            f"({len(ts.by_role('calibration').items)})")
    if names == "all":  # every target a fit may use: the held-out ones never
        ts = ts.by_role("calibration")
    else:
        held = [n for n in names if n in ts.items and ts.items[n].role != "calibration"]
        require(not held, "calibration.targets", held, "targets with role calibration: "
                "validation targets are held out from every fit, mechanism checks are not "
                "data (targets.items.<name>.role)")
        ts = ts.select(list(names))
    params = parse_parameters(node.get("parameters"), "calibration.parameters")
    for k, lo in (("n_trials", 1), ("batch_size", 1), ("top_k", 1)):
        v = node.get(k)
        require(_int(v) and v >= lo, f"calibration.{k}", v, f"an integer >= {lo}")
    require(node.get("sampler") in SAMPLERS, "calibration.sampler", node.get("sampler"),
           f"one of {SAMPLERS}")
    seed = node.get("seed")
    require(_int(seed) and seed >= 0, "calibration.seed", seed, "an integer >= 0")
    acc = node.get("accept_delta_loss")
    require(_num(acc) and acc > 0, "calibration.accept_delta_loss", acc, "a number > 0")
    truth = dict(node.get("synthetic_truth") or {})
    labels = [p.label for p in params]
    for k, v in truth.items():
        require(k in labels, f"calibration.synthetic_truth.{k}", k,
               f"the label of a calibrated parameter ({labels})")
        p = params[labels.index(k)]
        require(_num(v) and p.low <= v <= p.high, f"calibration.synthetic_truth.{k}", v,
               f"a value within the parameter's bounds [{p.low:g}, {p.high:g}]")
    return CalibrationSpec(name, params, ts, int(node["n_trials"]), int(node["batch_size"]),
                           str(node["sampler"]), int(seed), int(node["top_k"]), float(acc),
                           {params[labels.index(k)].name: float(v) for k, v in truth.items()})


# --------------------------------------------------------------------------- sensitivity
@dataclass
class SensitivitySpec:
    """A global sensitivity analysis: parameters, outcomes, method and sample size."""

    name: str
    parameters: list[Parameter]
    outcomes: TargetSet
    method: str
    n: int
    num_levels: int
    seed: int
    conf_level: float
    batch_size: int

    def identity(self, base: Sequence[str]) -> dict[str, Any]:
        return {"name": self.name, "method": self.method, "n": self.n,
                "num_levels": self.num_levels, "seed": self.seed,
                "parameters": [[p.name, p.low, p.high, p.log] for p in self.parameters],
                "outcomes": {n: {"experiment": t.experiment, "statistic": t.statistic}
                             for n, t in self.outcomes.items.items()},
                "experiments": {n: e.overrides for n, e in self.outcomes.experiments.items()},
                "base_overrides": list(base)}


_SENS_KEYS = {"name", "parameters", "outcomes", "experiments", "method", "n", "num_levels",
              "seed", "conf_level", "batch_size", "sample", "point", "question"}


def parse_sensitivity(c: Mapping[str, Any]) -> SensitivitySpec:
    """Read ``c['sensitivity']`` and check it. Outcomes are names of targets (their
    experiment and statistic; the published value is not used) or inline
    ``{experiment, statistic, description}`` entries; ``sensitivity.experiments`` adds
    experiments to the targets' ones."""
    node, name = _analysis_node(c, "sensitivity", _SENS_KEYS)
    pops = list(c["network"]["populations"])
    known = parse_targets(c["targets"], pops) if c.get("targets") else None
    ts_exps = dict(known.experiments) if known else {}
    ts_exps.update(parse_experiments(node.get("experiments") or {}, "sensitivity.experiments"))
    outcomes_node = node.get("outcomes")
    require(isinstance(outcomes_node, Mapping) and outcomes_node, "sensitivity.outcomes",
           outcomes_node, "a mapping name -> target name or {experiment, statistic}")
    items: dict[str, Target] = {}
    for oname, o in outcomes_node.items():
        k = f"sensitivity.outcomes.{oname}"
        if isinstance(o, str):
            require(known is not None and o in known.items, k, o,
                   "the name of a target of the targets config"
                   + (f" ({', '.join(known.items)})" if known else " (none loaded)"))
            t = known.items[o]
            items[str(oname)] = Target(str(oname), t.description, t.source, t.experiment,
                                       t.statistic, {}, 0.0)
            continue
        require(isinstance(o, Mapping), k, o, "a target name or {experiment, statistic}")
        exp = str(o.get("experiment", ""))
        require(exp in ts_exps, f"{k}.experiment", exp,
               f"an experiment ({', '.join(ts_exps)})")
        check_statistic(o.get("statistic"), f"{k}.statistic", ts_exps, exp, pops)
        items[str(oname)] = Target(str(oname), str(o.get("description", "")),
                                   str(o.get("source", "")), exp, dict(o["statistic"]), {}, 0.0)
    params = parse_parameters(node.get("parameters"), "sensitivity.parameters")
    method = node.get("method")
    require(method in SENSITIVITY_METHODS, "sensitivity.method", method,
           f"one of {SENSITIVITY_METHODS}")
    n = node.get("n")
    require(_int(n) and n >= 2, "sensitivity.n", n, "an integer >= 2 (Morris: trajectories; "
           "Sobol: base sample size, a power of 2)")
    if method == "sobol":
        require(n & (n - 1) == 0, "sensitivity.n", n, "a power of 2 (Sobol sequence)")
    lv = node.get("num_levels", 4)
    require(_int(lv) and lv >= 2 and lv % 2 == 0, "sensitivity.num_levels", lv,
           "an even integer >= 2 (Morris grid levels)")
    seed = node.get("seed")
    require(_int(seed) and seed >= 0, "sensitivity.seed", seed, "an integer >= 0")
    cl = node.get("conf_level", 0.95)
    require(_num(cl) and 0 < cl < 1, "sensitivity.conf_level", cl, "a number in (0, 1)")
    bs = node.get("batch_size", 64)
    require(_int(bs) and bs >= 1, "sensitivity.batch_size", bs, "an integer >= 1")
    return SensitivitySpec(name, params, TargetSet(name, ts_exps, items), str(method), int(n),
                           int(lv), int(seed), float(cl), int(bs))
