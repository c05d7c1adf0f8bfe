"""Run the experiments a set of targets (or outcomes) needs and compute their statistics.

One function serves ``allonet-check``, every calibration trial and every sensitivity
sample: :func:`evaluate` composes each experiment from the user's overrides plus the
experiment's own (the experiment's win where both set a key), sets the trial's parameter
values on every experiment config that has the key (before interpolations resolve),
validates it, runs the slow layer (and network probes where a target reads them), and
scores each target. Experiments that need the network compile it once per structure: the
probes go through ``sims.coupling`` and its build cache, so every trial of a calibration
reuses one compiled binary (its parameters must be run-time values, checked).
"""

from __future__ import annotations

import copy
import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from omegaconf import DictConfig, OmegaConf, open_dict

from sims.calibration import statistics as st
from sims.calibration.cohort_view import run_cohort_view
from sims.calibration.targets import (
    _TIME_KEYS,
    RunView,
    Target,
    TargetResult,
    TargetSet,
    compute,
    needs_network,
    needs_run,
    probe_times,
    score,
    variables_of,
)
from sims.config import (
    MISSING,
    compose_config,
    get_key,
    normalise_treatment,
    override_key,
    validate,
)
from sims.configuration.roles import ANALYSIS_RUN_NODES, COMPILED, key_class
from sims.errors import ConfigError, SimulationError
from sims.seeds import job_seed
from sims.slow.clock import duration_hours

log = logging.getLogger(__name__)
#: Nodes that describe an analysis, not the simulation (sims.configuration.roles).
ANALYSIS_NODES = ANALYSIS_RUN_NODES



def simulation_overrides(overrides: Iterable[str]) -> list[str]:
    """The overrides that set up the simulation: without Hydra's own keys and without the
    analysis nodes (``+calibration=...``, ``calibration.point=...``, ...)."""
    out = []
    for o in overrides:
        k = override_key(o)
        if k.startswith("hydra.") or k.split(".")[0].split("/")[0] in ANALYSIS_NODES:
            continue
        out.append(o)
    return out


def has_key(cfg: DictConfig, key: str) -> bool:
    """Whether a dotted key exists in a composed config (with a non-None value).

    ``treatment.<key>`` is looked up in the validated form of the treatment node (a
    single treatment's keys are ``treatment.<key>``, set by the shorthand override)."""
    if key.startswith("treatment.") and "treatment" in cfg:

        try:
            tr = normalise_treatment(OmegaConf.to_container(cfg.treatment, resolve=True))
        except ConfigError:
            return False
        value = get_key({"treatment": tr}, key)
        return value is not MISSING and value is not None
    return OmegaConf.select(cfg, key, default=None, throw_on_missing=False) is not None


def experiment_overrides(base: Sequence[str], experiment: Sequence[str]) -> list[str]:
    """The user's overrides followed by the experiment's; where both set a key, the
    experiment's."""
    mine = {override_key(o) for o in experiment}
    return [o for o in simulation_overrides(base) if override_key(o) not in mine] + list(experiment)


def experiment_config(base: Sequence[str], experiment: Sequence[str],
                      params: Mapping[str, float] | None = None,
                      probe_times_h: Sequence[float] = ()) -> dict:
    """The validated config of one experiment with ``params`` set where they exist.

    ``probe_times_h`` empty: slow layer only; else network probes at those times.
    """

    cfg = compose_config(experiment_overrides(base, experiment))
    for k, v in (params or {}).items():
        if has_key(cfg, k):
            OmegaConf.update(cfg, k, v, merge=False)
    with open_dict(cfg):
        for node in ANALYSIS_NODES:
            cfg.pop(node, None)
        cfg.coupling.fast = bool(probe_times_h)
        cfg.coupling.cadence_h = 0.0
        cfg.coupling.probe_times_h = [float(t) for t in probe_times_h]
        cfg.coupling.progress = False
    return validate(cfg)


def _run(c: dict) -> RunView:
    from sims.coupling import run_epochs

    c = copy.deepcopy(c)
    c["seed"] = job_seed(c)
    res = run_epochs(c)
    traj = res.trajectory
    if traj is None:
        return RunView(c, probe_times_h=list(res.times_h), probes=list(res.probes))
    return RunView(c, traj.time_h, traj.values, traj.units, list(traj.events), traj,
                   list(res.times_h), list(res.probes))


def network_allowed(base: Sequence[str]) -> bool:
    """False when the user's config switches the network off (``coupling=slow_only``)."""
    cfg = compose_config(simulation_overrides(base))
    return bool(cfg.coupling.fast)


def evaluate(targets: TargetSet, base: Sequence[str] = (),
             params: Mapping[str, float] | None = None,
             allow_network: bool | None = None) -> list[TargetResult]:
    """Evaluate every target of ``targets`` on runs composed from ``base`` overrides.

    Targets that read network probes are ``skipped`` when ``allow_network`` is False
    (default: whether the user's config runs the network); a statistic that cannot be
    computed (an empty window, ...) is a ``fail`` with its reason, and so is every target
    reading an experiment whose run stopped on runaway or non-finite activity (the other
    experiments still run and score).
    """
    if allow_network is None:
        allow_network = network_allowed(base)
    check_times(targets, base, params)
    wanted: dict[str, list[float]] = {}
    skipped: dict[str, str] = {}
    for t in targets.items.values():
        if needs_network(t) and not allow_network:
            skipped[t.name] = "needs network probes (coupling.fast=false)"
            continue
        for e in needs_run(t.statistic, t.experiment):
            wanted.setdefault(e, [])
    views: dict[str, RunView] = {}
    failed: dict[str, str] = {}  # experiment -> why its run stopped (runaway, NaN)
    for name in wanted:
        exp = targets.experiments[name]
        if exp.cohort:  # a population: its individuals' slow runs, no probes

            variables = sorted({v for t in targets.items.values() if t.name not in skipped
                                for e, v, _ in variables_of(t.statistic, t.experiment)
                                if e == name and v})
            try:
                views[name] = run_cohort_view(experiment_overrides(base, exp.overrides),
                                              exp.cohort, exp.n, variables, params)
            except SimulationError as exc:
                log.warning("experiment %s: %s", name, exc)
                failed[name] = f"experiment {name}: {exc}"
            continue
        slow = experiment_config(base, exp.overrides, params)
        times = sorted({round(x, 9) for t in targets.items.values() if t.name not in skipped
                        for x in _probe_times_for(t, name, slow)})
        try:
            views[name] = _run(experiment_config(base, exp.overrides, params, times)
                               if times else slow)
        except SimulationError as exc:  # a model outcome: its targets fail, the rest go on
            log.warning("experiment %s: %s", name, exc)
            failed[name] = f"experiment {name}: {exc}"
    for t in targets.items.values():  # receptor_response-only targets: config, no run
        for e in {str(t.statistic.get("experiment", t.experiment))} - set(views):
            views[e] = RunView(experiment_config(base, targets.experiments[e].overrides,
                                                 params))
    results = []
    for t in targets.items.values():
        if t.name in skipped:
            results.append(TargetResult(t, reason=skipped[t.name]))
            continue
        stopped = [failed[e] for e in sorted(needs_run(t.statistic, t.experiment) & set(failed))]
        if stopped:
            results.append(TargetResult(t, status="fail", z=math.inf, reason="; ".join(stopped)))
            continue
        try:
            value = compute(t.statistic, views, t.experiment, f"targets.items.{t.name}"
                            ".statistic", t.unit)
        except st.StatisticError as exc:
            results.append(TargetResult(t, status="fail", z=math.inf, reason=str(exc)))
            continue
        results.append(score(t, value) if t.published else
                       TargetResult(t, value, status="measured" if math.isfinite(value)
                                    else "fail"))
    return results


def check_times(targets: TargetSet, base: Sequence[str],
                params: Mapping[str, float] | None = None) -> None:
    """Every time a statistic reads (not relative to an event) lies inside its
    experiment's run, before anything runs.

    Raises:
        ConfigError: naming the statistic's time key, the time and the run's span.
    """

    spans: dict[str, float] = {}
    for t in targets.items.values():
        for exp, _, s in variables_of(t.statistic, t.experiment):
            if s.get("kind") == "receptor_response" or s.get("relative_to"):
                continue
            if exp not in spans:
                c = experiment_config(base, targets.experiments[exp].overrides, params)
                spans[exp] = duration_hours(c, None)
            if spans[exp] <= 0:  # from_file with the file's span: known after reading
                continue
            for k in _TIME_KEYS:
                if k not in s:
                    continue
                v = s[k] if isinstance(s[k], list | tuple) else [s[k]]
                hours = [float(x) * (24.0 if k.endswith("_day") else 1.0) for x in v]
                if not all(-1e-9 <= h <= spans[exp] + 1e-9 for h in hours):
                    raise ConfigError(f"targets.items.{t.name}.statistic.{k}", s[k],
                                      f"times inside the run of experiment {exp!r} "
                                      f"(0 to {spans[exp]:g} h)")


def _probe_times_for(t: Target, experiment: str, slow_c: dict) -> list[float]:
    """Probe times of ``t`` in ``experiment``, event times taken from a slow pre-run."""
    if not needs_network(t):
        return []

    if all(e != experiment for e, v, _ in variables_of(t.statistic, t.experiment)
           if v.startswith("probe.")):
        return []
    events: list[tuple[str, float]] = []
    if any(s.get("relative_to") for _, _, s in variables_of(t.statistic, t.experiment)):
        events = _run(slow_c).events
    out = []
    for e, v, s in variables_of(t.statistic, t.experiment):
        if e == experiment and v.startswith("probe."):
            out.extend(probe_times(s, events))
    return out


def check_parameters(params: Mapping[str, Any], targets: TargetSet, base: Sequence[str],
                     key: str) -> None:
    """Every parameter exists as a number in at least one experiment's config, and none is
    compiled into the network when a target reads probes (one compiled network for all
    trials).

    Raises:
        ConfigError: naming ``<key>.<parameter>``.
    """

    network = any(needs_network(t) for t in targets.items.values())
    for label, p in params.items():
        name = getattr(p, "name", label)  # a Parameter's config key; else the label is
        found = False
        for exp in {t.experiment for t in targets.items.values()} | set(
                e for t in targets.items.values() for e in needs_run(t.statistic,
                                                                     t.experiment)):
            cfg = compose_config(experiment_overrides(base, targets.experiments[exp].overrides))
            if has_key(cfg, name):
                v = OmegaConf.select(cfg, name)
                if not (isinstance(v, int | float) and not isinstance(v, bool)):
                    raise ConfigError(f"{key}.{label}", name, "a numeric config key (this "
                                      f"one holds {type(v).__name__})")
                found = True
        if not found:
            raise ConfigError(f"{key}.{label}", name, "a numeric config key that exists in "
                              "the config of at least one of the targets' experiments")
        try:
            cls = key_class(name)
        except KeyError:
            cls = ""
        if network and cls == COMPILED:
            raise ConfigError(f"{key}.{label}", name, "a run-time or slow-layer key: targets "
                              "read network probes and every trial must reuse one compiled "
                              "network (this key is compiled into it)")


def result_rows(results: Sequence[TargetResult]) -> list[dict[str, Any]]:
    """One plain row per target (the table ``allonet-check`` prints and writes)."""
    rows = []
    for r in results:
        pub = r.target.published
        if "range" in pub:
            lo, hi = pub["range"]
            published = f"[{'' if lo is None else f'{lo:g}'}, {'' if hi is None else f'{hi:g}'}]"
        else:
            spread = ("sd", "sem", "sigma")
            s = next((f" +/- {pub[k]:g} ({k})" for k in spread if k in pub), "")
            published = f"{pub['value']:g}{s}"
        rows.append({"target": r.target.name, "role": r.target.role,
                     "source": r.target.source,
                     "experiment": r.target.experiment, "unit": r.target.unit,
                     "value": r.value, "published": published, "z": r.z,
                     "rel_error": r.rel_error, "tolerance_z": r.target.tolerance_z,
                     "weight": r.target.weight, "status": r.status, "reason": r.reason,
                     "description": r.target.description})
    return rows
