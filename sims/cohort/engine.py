"""Running a virtual cohort: N individuals through the slow layer at once, each probed on
one shared compiled network, streamed block by block into ``cohort.h5``.

- **Individuals** are sampled from the master seed (``sims.cohort.sampling``); individual
  k gets the same parameters and run seed whatever the sharding.
- **Slow layer**: one integration advances a block of individuals (array backend of
  ``sims.slow.model``; ``cohort.block_size`` individuals at a time bounds the memory).
  Blocks run side by side in ``cohort.workers`` processes.
- **Probes** (``coupling.fast``): every probe of every individual runs on the network
  compiled once for the structure (run-time values and the individual's seed only).
- **Arms** (``cohort.arms``): the same individuals under other overrides (a treatment),
  a paired design.
- **Strata**: a categorical of names (a string key, a config group's option) gives
  each combination of names its own config; the individuals of a block run stratum by
  stratum and are put back in order (:func:`merge_blocks`).
- **Enrolment** (``cohort.enrolment``): each individual's own treatment start, drawn
  from the master seed (stream :data:`ENROLMENT_STREAM`) and timed from its scenario's
  events; its probes may be timed from it (``cohort.probe_relative_to: enrolment``).
- Individual k's numbers equal a single run of ``allonet`` with :func:`individual_overrides`
  (tested; the slow layer's array backend is bit-identical for an individual whatever
  its block).
"""

from __future__ import annotations

import concurrent.futures as cf
import copy
import json
import logging
import math
import multiprocessing as mp
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from omegaconf import OmegaConf

from sims import io, provenance
from sims.cohort import outcomes as oc
from sims.cohort import resources
from sims.cohort.sampling import individual_overrides, individual_seed, sample
from sims.cohort.spec import (
    CohortSpec,
    check_strata,
    is_group,
    network_only_keys,
    parse_cohort,
    probe_times_on_grid,
    record_steps,
)
from sims.cohort.store import COHORT_SCHEMA, FILENAME, CohortWriter, partial_path
from sims.config import compose_config, config_hash, override_key, set_key, validate
from sims.constants import CONFIG_DIR
from sims.errors import ConfigError, SimulationError, require
from sims.fast.registry import READOUTS
from sims.seeds import SEED_RULE, job_seed
from sims.slow import scenarios, variables
from sims.slow.clock import duration_hours
from sims.slow.events import event_times
from sims.slow.model import BRAIN_STATE, OUTPUTS, SlowModel
from sims.slow.schemas import COMBINATION, typed_scenario
from sims.units import _all_suffixes, _longest
from sims.workers import process_pool

log = logging.getLogger(__name__)

#: Seed stream of the enrolment days (sampling: 2, individual seeds: 3).
ENROLMENT_STREAM = 4
#: The key enrolment sets per individual.
START_KEY = "treatment.start_day"

#: Slow variables recorded when ``cohort.record.variables`` is empty.
DEFAULT_RECORD = ("allo_brain", "allo_plasma", "cortisol", "acth", "r5a")


def slow_variable_names(c: Mapping[str, Any]) -> list[str]:
    """Every recordable slow variable of a config (states and outputs)."""
    pops = list(c["network"]["populations"])
    return [v.name for v in (*variables.STATES, *variables.expression_variables(pops))] + list(
        OUTPUTS)


def with_values(c: Mapping[str, Any], values: Mapping[str, Any]) -> dict:
    """A deep copy of ``c`` with ``values`` (dotted key -> number or array) set."""
    out = copy.deepcopy(dict(c))
    for k, v in values.items():
        set_key(out, k, v)
    return out


def individual_events(model: Any, cfg: Mapping[str, Any], values: Mapping[str, np.ndarray],
                      seeds: np.ndarray) -> list[dict[str, list[float]]]:
    """Every individual's events (``model``: a :class:`~sims.slow.model.SlowModel` of
    ``cfg``; ``values``: the individuals' own config values, dotted key -> array). A
    scenario that is stochastic or whose values differ gives each its own; otherwise all
    share the first's."""
    own = {k: v for k, v in values.items() if k.startswith(("scenario.", "treatment."))}
    if cfg["scenario"]["name"] not in scenarios.STOCHASTIC and not own:
        ev = event_times(model.drivers(int(seeds[0]), np.zeros(1)).events, cfg)
        return [ev] * len(seeds)
    out = []
    for j, seed in enumerate(seeds):
        cj = with_values(cfg, {k: float(v[j]) for k, v in own.items()})
        sc = typed_scenario(cj["scenario"])
        out.append(event_times(model.drivers(int(seed), np.zeros(1), sc).events, cj))
    return out


def cohort_defaults(name: str) -> list[str]:
    """The group choices a named cohort's file makes (``override /scenario: X`` ->
    ``scenario=X``): what a single run needs instead of ``+cohort=NAME``."""
    import yaml

    path = CONFIG_DIR / "cohort" / f"{name}.yaml"
    if not path.is_file():
        return []
    out = []
    for entry in yaml.safe_load(path.read_text()).get("defaults", []):
        if isinstance(entry, dict):
            for k, v in entry.items():
                out.append(f"{k.replace('override', '').strip().lstrip('/')}={v}")
    return out


def arm_overrides(job: Sequence[str], arm: Sequence[str]) -> list[str]:
    """The single run's overrides for an arm: the cohort file's group choices, the job's
    own overrides (without the cohort's and Hydra's), then the arm's; a later key wins."""
    cohort = next((o.partition("=")[2] for o in job if override_key(o) == "cohort"), None)
    own = [o for o in job if override_key(o).split(".")[0] not in ("cohort", "hydra")]
    out: list[str] = []
    for o in [*(cohort_defaults(cohort) if cohort else []), *own, *arm]:
        out = [x for x in out if override_key(x) != override_key(o)] + [o]
    return out


# --------------------------------------------------------------------------- one block
def run_block(c: Mapping[str, Any], values: Mapping[str, np.ndarray], seeds: np.ndarray,
              record: Sequence[str], keep: Sequence[str], every: int,
              probe_times_h: Sequence[float], outcomes: Sequence[oc.Outcome],
              probe_relative: bool = False, progress: bool = False) -> dict[str, Any]:
    """Integrate one block of individuals and probe each; return what ``cohort.h5`` keeps.

    ``record``: slow variables integrated and sampled every ``every`` steps (``keep`` of
    them are returned); probes read the recorded state at their times
    (``probe_relative``: hours after each individual's enrolment, ``values[START_KEY]``).
    """
    t0 = time.perf_counter()
    n = len(seeds)
    model = SlowModel(with_values(c, values), n_individuals=n, numerics="array")
    traj = model.run_individuals(np.asarray(seeds, dtype=np.int64), record=list(record),
                                 record_every=every)
    slow_s = time.perf_counter() - t0
    vals = {k: np.ascontiguousarray(traj.values[k].T) for k in record}  # [individual, time]
    ok = np.all([np.all(np.isfinite(v), axis=1) for v in vals.values()], axis=0)
    block: dict[str, Any] = {
        "time_h": traj.time_h, "ok": ok.astype(np.int8),
        "slow": {k: (vals[k], traj.units[k], traj.descriptions.get(k, "")) for k in keep},
        "timings": {"slow_s": slow_s}}
    if probe_times_h:
        block |= _probe_block(c, values, seeds, traj, probe_grid(
            probe_times_h, values.get(START_KEY) if probe_relative else None, n,
            every * model.dt), progress)
        block["probe_time_h"] = np.asarray(probe_times_h, float)
        block["probe_relative_to"] = "enrolment" if probe_relative else "start"
        ok &= block.pop("probe_ok")
        block["ok"] = ok.astype(np.int8)
    series = dict(vals)
    for name, (arr, _, _) in block.get("probes", {}).items():
        if arr.ndim == 3:
            for i, pop in enumerate(block["populations"]):
                series[f"probe.{name}.{pop}"] = arr[:, :, i]
    block["outcomes"] = {}
    for o in outcomes:
        times = np.asarray(probe_times_h) if o.is_probe else traj.time_h
        if o.variable not in series:
            raise ConfigError(f"cohort.outcomes.{o.name}.variable", o.variable,
                              f"a recorded variable or probe metric ({', '.join(series)})")
        value, case = oc.evaluate(o, series[o.variable], times)
        block["outcomes"][o.name] = (value, o.unit, o.description)
        if case is not None:
            block["outcomes"][f"{o.name}_case"] = (case, "1", f"1: case ({o.threshold[0]} "
                                                   f"{o.threshold[1]:g}), 0: not, -1: undefined")
    block["timings"]["block_s"] = time.perf_counter() - t0
    return block


def probe_grid(times_h: Sequence[float], start_day: np.ndarray | None, n: int,
               every_h: float) -> np.ndarray:
    """Each individual's probe times ``[individual, probe]`` (h): ``times_h`` for all, or
    hours after each one's enrolment (``start_day``, days), on the record grid."""
    t = np.asarray(times_h, float)
    if start_day is None:
        return np.broadcast_to(t, (n, len(t)))
    return np.round((np.asarray(start_day, float)[:, None] * 24.0 + t[None, :]) / every_h
                    ) * every_h


def _probe_block(c: Mapping[str, Any], values: Mapping[str, np.ndarray], seeds: np.ndarray,
                 traj: Any, times_h: np.ndarray, progress: bool = False
                 ) -> dict[str, Any]:
    """Probe every individual of a block at its times ``times_h[individual, probe]`` on
    one compiled network (``progress``: probes done and ETA on the terminal)."""
    from sims.coupling import Progress, probe_config
    from sims.fast.backend import CompiledNetwork
    from sims.fast.probe import run_probe
    from sims.fast.states import state_at

    n, pops = len(seeds), list(c["network"]["populations"])
    per: dict[str, np.ndarray] = {}
    scal: dict[str, np.ndarray] = {}
    ok = np.ones(n, dtype=bool)
    timings = {"probe_wall_s": 0.0, "simulate_s": 0.0, "n_probes": 0}
    t_wall = time.perf_counter()
    bar = Progress(times_h.size, progress)
    with CompiledNetwork(c) as net:
        timings["build_s"] = net.timings.get("build_s", 0.0)
        for j in range(n):
            cj = with_values(c, {k: float(v[j]) for k, v in values.items()})
            cj["seed"] = int(seeds[j])
            tj = traj.individual(j)
            for p, t in enumerate(times_h[j].tolist()):
                ck, conc, _ = probe_config(cj, tj, t)
                try:
                    out = run_probe(net, ck, conc, context=f"individual {j} probe at t={t:g} h",
                                    state=state_at(c, t))
                except SimulationError as exc:
                    log.warning("individual seed %s: %s", seeds[j], exc)
                    ok[j] = False
                    continue
                for key in ("simulate_s", "read_s", "metrics_s"):
                    timings[key] = timings.get(key, 0.0) + out.raw.timings.get(key, 0.0)
                timings["n_probes"] += 1
                for name, v in out.per_population.items():
                    per.setdefault(name, np.full((*times_h.shape, len(pops)), np.nan))[j, p] = v
                for name, v in out.scalars.items():
                    scal.setdefault(name, np.full(times_h.shape, np.nan))[j, p] = v
                bar.step()
    timings["probe_wall_s"] = time.perf_counter() - t_wall
    probes = {k: (v, READOUTS[k].unit, READOUTS[k].description) for k, v in per.items()}
    probes |= {k: (v, READOUTS[k].unit, READOUTS[k].description) for k, v in scal.items()}
    return {"probes": probes, "populations": pops,
            "probe_ok": ok, "probe_timings": timings}


def merge_blocks(parts: Sequence[tuple[np.ndarray, dict[str, Any]]], n: int
                 ) -> dict[str, Any]:
    """One block from the blocks of its strata: ``parts`` = ``(rows, block)`` pairs whose
    rows tile ``0..n-1``; per-individual arrays are put back at their rows, timings add."""
    first = parts[0][1]
    out: dict[str, Any] = {k: first[k] for k in ("time_h", "probe_time_h", "probe_relative_to",
                                                         "populations")
                           if k in first}
    out["ok"] = np.zeros(n, dtype=np.int8)
    for group in ("slow", "probes", "outcomes"):
        names: dict[str, tuple] = {}
        for _, b in parts:
            for name, (arr, unit, desc) in b.get(group, {}).items():
                names.setdefault(name, (arr, unit, desc))
        if group in first or names:
            out[group] = {}
            for name, (arr, unit, desc) in names.items():
                fill = -1 if arr.dtype.kind == "i" else np.nan
                out[group][name] = (np.full((n, *arr.shape[1:]), fill, dtype=arr.dtype), unit,
                                    desc)
    for group in ("timings", "probe_timings"):
        if any(group in b for _, b in parts):
            out[group] = {}
            for _, b in parts:
                for k, v in b.get(group, {}).items():
                    out[group][k] = out[group].get(k, 0.0) + v
    for rows, b in parts:
        out["ok"][rows] = b["ok"]
        for group in ("slow", "probes", "outcomes"):
            for name, (arr, _, _) in b.get(group, {}).items():
                out[group][name][0][rows] = arr
    return out


def _block_job(args: tuple, progress: bool = False) -> tuple[int, int, dict[str, Any]]:
    """Run one block of one arm: ``(arm, start, {stratum: config}, stratum [individual],
    values, seeds, *the rest of run_block's arguments)``; ``progress``: show the probes'
    progress on the terminal."""
    arm, start, configs, strata, values, seeds, *rest = args
    if len(configs) == 1:
        (c,) = configs.values()
        return arm, start, run_block(c, values, seeds, *rest, progress=progress)
    parts = []
    for s, c in configs.items():
        rows = np.flatnonzero(strata == s)
        parts.append((rows, run_block(c, {k: v[rows] for k, v in values.items()}, seeds[rows],
                                      *rest, progress=progress)))
    return arm, start, merge_blocks(parts, len(seeds))


# --------------------------------------------------------------------------- a shard
def _unit(key: str) -> str:
    suffix = _longest(key, _all_suffixes())
    return suffix[1:].replace("_per_", "/") if suffix else "1"


def arm_configs(c: Mapping[str, Any], spec: CohortSpec, overrides: Sequence[str]
                ) -> dict[str, dict]:
    """The validated config of every arm: the job's overrides, then the arm's."""

    def key(o: str) -> str:
        return o.partition("=")[0].lstrip("+~")

    base = {k: v for k, v in c.items() if k != "cohort"}
    out = {}
    for name, extra in spec.arms.items():
        if not extra:
            out[name] = copy.deepcopy(base)
            continue
        mine = {key(o) for o in extra}
        job = [o for o in overrides if not key(o).startswith("hydra.") and key(o) not in mine]
        try:
            cfg = compose_config([*job, *extra])
        except Exception as exc:  # noqa: BLE001 - a bad override of the arm
            raise ConfigError(f"cohort.arms.{name}", extra, f"overrides that compose ({exc})"
                              ) from None
        cfg.pop("cohort", None)
        out[name] = validate(cfg)
        inert = network_only_keys(base, out[name]) if not base["coupling"]["fast"] else []
        if inert:
            raise ConfigError(f"cohort.arms.{name}", extra, f"overrides with an effect: "
                              f"{', '.join(inert)} only reach(es) the network, and this cohort "
                              "has no probes (coupling.fast=false)")
    return out


def stratum_configs(spec: CohortSpec, arms: Mapping[str, dict],
                    names: Mapping[str, np.ndarray], overrides: Sequence[str]
                    ) -> tuple[list[tuple[str, ...]], dict[str, list[dict]]]:
    """The combinations of sampled names (categoricals of names, over the whole cohort so
    that every shard sees the same) and the validated config of each per arm: the arm's
    config with the string keys set, or composed anew with the group options chosen.

    Raises:
        ConfigError: an arm that sets a varied key; a choice that does not compose or
            validate, or that changes a key every individual shares or a compiled one.
    """

    labels = [m for m in spec.marginals if m.labels]
    if not labels:
        return [()], {a: [c] for a, c in arms.items()}
    combos = sorted(set(zip(*(names[m.key].tolist() for m in labels), strict=True)))
    varied = {m.key for m in labels}
    out: dict[str, list[dict]] = {}
    for arm, extra in spec.arms.items():
        clash = sorted(varied & {override_key(o) for o in extra})
        if clash:
            raise ConfigError(f"cohort.arms.{arm}", extra, f"overrides of keys the cohort "
                              f"does not vary ({clash[0]} varies in cohort.parameters)")
        out[arm] = []
        for combo in combos:
            chosen = dict(zip((m.key for m in labels), combo, strict=True))
            where = "cohort.parameters." + ",".join(m.label for m in labels)
            groups = [f"{k}={v}" for k, v in chosen.items() if is_group(k)]
            try:
                if groups:
                    job = [o for o in overrides if not override_key(o).startswith("hydra.")
                           and override_key(o) not in varied | {override_key(x) for x in extra}]
                    cfg: Any = compose_config([*job, *extra, *groups])
                    cfg.pop("cohort", None)
                    cfg = OmegaConf.to_container(cfg, resolve=True)
                else:
                    cfg = copy.deepcopy(arms[arm])
                for k, v in chosen.items():
                    if not is_group(k):
                        set_key(cfg, k, v)
                cfg = validate(cfg)
            except ConfigError as exc:
                raise ConfigError(where, chosen, f"names the config accepts (arm {arm}: "
                                  f"{exc.key} {exc.allowed})") from None
            except Exception as exc:  # noqa: BLE001 - a group option that does not compose
                raise ConfigError(where, chosen, f"options that compose ({exc})") from None
            check_strata(arms[arm], cfg, where, chosen)
            out[arm].append(cfg)
    return combos, out


def check_values(arms: Mapping[str, dict | Sequence[dict]], values: Mapping[str, np.ndarray]
                 ) -> None:
    """Every arm (each of its strata) must validate with the sampled values at their
    lowest and highest.

    Raises:
        ConfigError: naming the key and the sampled value that the config refuses.
    """

    configs = [(name, c) for name, cs in arms.items()
               for c in (cs if isinstance(cs, list | tuple) else [cs])]
    for side in (np.min, np.max):
        corner = {k: float(side(v)) for k, v in values.items()}
        for name, c in configs:
            try:
                validate(with_values(c, corner))
            except ConfigError as exc:
                raise ConfigError(exc.key, getattr(exc, "value", None),
                                  f"{exc.allowed} -- the cohort samples it (arm {name}, "
                                  f"{side.__name__} of the sampled values)") from None


def plan(c: Mapping[str, Any], overrides: Sequence[str] = ()) -> dict[str, Any]:
    """Everything a cohort job needs, checked before anything runs (bad input raises
    :class:`~sims.errors.ConfigError`)."""
    spec = parse_cohort(c, slow_variable_names(c))
    arms = arm_configs(c, spec, overrides)
    first = next(iter(arms.values()))
    seed = job_seed(first)
    resources.check_sampling(spec.n, len(spec.marginals))
    full = sample(spec.marginals, spec.n, seed, spec.method, spec.correlation)
    label_keys = {m.key for m in spec.marginals if m.labels}
    names_full = {k: v for k, v in full.items() if k in label_keys}
    combos, strata_cfgs = stratum_configs(spec, arms, names_full, overrides)
    numbers = {k: v for k, v in full.items() if k not in label_keys}
    check_values(strata_cfgs, numbers)
    rows = spec.rows
    values = {k: v[rows.start:rows.stop] for k, v in numbers.items()}
    names = {k: v[rows.start:rows.stop] for k, v in names_full.items()}
    index = {combo: i for i, combo in enumerate(combos)}
    strata = np.array([index[tuple(x)] for x in zip(*(names[k].tolist() for k in names),
                                                    strict=True)]
                      if names else np.zeros(len(rows)), dtype=np.int64)
    seeds = np.array([individual_seed(seed, k) for k in rows], dtype=np.int64)
    dt_h = (first["slow"]["dt_min"] or first["scenario"]["dt_min"]) / 60.0
    every = record_steps(spec, dt_h)
    if spec.enrolment is not None:
        values = {**values, START_KEY: enrolment_times(spec, strata_cfgs, strata, values,
                                                       seeds, seed) / 24.0}
    times: Sequence[float] = []
    if first["coupling"]["fast"]:
        from sims.coupling import probe_times  # imports Brian2: only a cohort with probes

        times = (spec.probe_times_h if spec.probe_times_h is not None
                 else probe_times(first, duration_hours(first)))
    end = duration_hours(first)
    relative = spec.probe_relative_to == "enrolment"
    if times:
        key = "cohort.probe_times_h" if spec.probe_times_h is not None else \
            "coupling.probe_times_h"
        start = values[START_KEY] * 24.0 if relative else np.zeros(1)
        for t in times:
            lo, hi = float(np.min(start)) + t, float(np.max(start)) + t
            require(0 <= lo and hi <= end, key, t, f"times inside the run, [0, {end:g}] h "
                    "(scenario.duration_days)" + (
                        f"; hours after enrolment, which falls between {np.min(start):g} "
                        f"and {np.max(start):g} h" if relative else ""))
        probe_times_on_grid(times, spec.record_every_h, key)
        if relative:
            probe_times_on_grid([spec.enrolment.clock_h], spec.record_every_h,
                                "cohort.enrolment.clock_h")
        if first["backend"]["name"] != "cpp_standalone":
            raise ConfigError("backend.name", first["backend"]["name"], "cpp_standalone for "
                              "a cohort with probes (each individual's seed is a run-time "
                              "value of the compiled binary), or coupling=slow_only")
        if first["coupling"]["mode"] != "open":
            raise ConfigError("coupling.mode", first["coupling"]["mode"], "open for a cohort "
                              "(closed-loop feedback per individual is not supported yet)")
    for o in spec.outcomes:
        for w in (o.window_h, o.relative_window_h):
            if w is not None and (w[0] < 0 or w[1] > end):
                raise ConfigError(f"cohort.outcomes.{o.name}.window_h", list(w),
                                  f"a window inside the run, [0, {end:g}] h")
        if o.is_probe and not times:
            raise ConfigError(f"cohort.outcomes.{o.name}.variable", o.variable,
                              "a slow variable (this cohort has no probes: coupling.fast "
                              "is false)")
    keep = spec.record_variables or [v for v in DEFAULT_RECORD
                                     if v in slow_variable_names(first)]
    need = set(keep) | {o.variable for o in spec.outcomes if not o.is_probe}
    if times:
        pops = list(first["network"]["populations"])
        need |= set(BRAIN_STATE.values()) | {f"{s}_{p}" for s in variables.SUBUNITS
                                              for p in pops}
    record = [v for v in slow_variable_names(first) if v in need]
    n_samples = int(end / (dt_h * every)) + 1
    per_ind = resources.bytes_per_individual(len(record), n_samples,
                                             len(slow_variable_names(first)))
    workers = spec.workers or first["coupling"]["workers"]
    block, why = resources.choose_block(len(rows), len(spec.arms), workers, per_ind,
                                        spec.block_size)
    # per individual and arm: recorded series (+ 3 summaries each), probe metrics (about 16
    # per population and probe), outcomes with their case flags, parameters, seed and ok
    n_probe = len(times) * len(first["network"]["populations"]) * 16
    file_bytes = resources.BYTES * len(spec.arms) * len(rows) * (
        len(keep) * (n_samples + 3) + n_probe + len(spec.outcomes) * 2 + len(values) + 2)
    return {"spec": spec, "arms": arms, "seed": seed, "values": values, "names": names,
            "strata": strata, "combos": combos, "configs": strata_cfgs, "seeds": seeds,
            "every": every, "probe_times": times, "probe_relative": relative and bool(times),
            "keep": keep, "record": record,
            "block_size": block, "block_reason": why, "file_bytes": file_bytes,
            "workers": workers}


def enrolment_days(spec: CohortSpec, seed: int) -> np.ndarray:
    """Every individual's enrolment day after its event (whole cohort, uniform, from
    the master seed's enrolment stream: the same whatever the sharding)."""
    e = spec.enrolment
    rng = np.random.default_rng([int(seed), ENROLMENT_STREAM])
    return rng.integers(e.first_day, e.last_day + 1, size=spec.n)


def enrolment_times(spec: CohortSpec, configs: Mapping[str, Sequence[dict]],
                    strata: np.ndarray, values: Mapping[str, np.ndarray], seeds: np.ndarray,
                    seed: int) -> np.ndarray:
    """The run time (h) of each individual's enrolment (this shard's rows), timed from its
    own scenario event (the first arm's run; every arm must share its scenario).

    Raises:
        ConfigError: an arm that sets the start itself, combines treatments or changes
            the scenario; an event the scenario does not have; a window that does not fit
            in the run.
    """
    e = spec.enrolment
    assert e is not None
    arms = list(configs)
    for arm, extra in spec.arms.items():
        for o in extra:
            k = override_key(o)
            require(not (k.startswith("treatment.") and k.endswith("start_day")),
                    f"cohort.arms.{arm}", extra,
                    "overrides that leave the treatment's start to cohort.enrolment (each "
                    f"individual starts at its own enrolment; {k} is set)")
        for cfg in configs[arm]:
            require(cfg["treatment"]["name"] != COMBINATION, f"cohort.arms.{arm}", extra,
                    "one treatment per arm with cohort.enrolment (a combination's "
                    "treatments keep their own start days)")
            require(cfg["scenario"] == configs[arms[0]][0]["scenario"], f"cohort.arms.{arm}",
                    extra, f"overrides that keep the scenario of arm {arms[0]} (enrolment "
                    "is timed from the scenario's events)")
    days = enrolment_days(spec, seed)[spec.rows.start:spec.rows.stop]
    out = np.full(len(seeds), np.nan)
    for s, cfg in enumerate(configs[arms[0]]):
        idx = np.flatnonzero(strata == s)
        if not len(idx):
            continue
        evs = individual_events(SlowModel(cfg), cfg, {k: v[idx] for k, v in values.items()},
                                seeds[idx])
        end = duration_hours(cfg)
        for j, ev in zip(idx, evs, strict=True):
            t = ev.get(e.relative_to)
            require(bool(t), "cohort.enrolment.relative_to", e.relative_to,
                    f"an event of the scenario {cfg['scenario']['name']} ({', '.join(ev)})")
            lo, hi = e.time_h(t[0], e.first_day), e.time_h(t[0], e.last_day)
            if lo < 0 or hi > end:
                day = int(math.floor(t[0] / 24.0 + 1e-9))
                last = int(math.floor((end - e.clock_h) / 24.0 + 1e-9)) - day
                raise ConfigError("cohort.enrolment.days", {"from": e.first_day,
                                                            "to": e.last_day},
                                  f"a window inside the run: {e.relative_to} falls on run "
                                  f"day {day} of {end / 24.0:g} (scenario.duration_days), so "
                                  f"days from {-day} to {last}")
            out[j] = e.time_h(t[0], days[j])
    return out


def cohort_digest(c: Mapping[str, Any]) -> str:
    """The cohort job's identity (its resolved config, with the seed rule)."""
    return config_hash({**{k: v for k, v in c.items() if k != "output"},
                        "seed_rule": SEED_RULE, "kind": COHORT_SCHEMA})


def overwrite(c: Mapping[str, Any]) -> bool:
    """``output.overwrite``: replace a complete file of another config (or a damaged one)."""
    return bool((c.get("output") or {}).get("overwrite", False))


def run_cohort_job(c: dict, out_dir: str | Path, overrides: Sequence[str] = ()) -> str:
    """One cohort job (or shard): ``"skipped"`` if ``out_dir/cohort.h5`` is complete for
    this config, else run it (resuming a killed run's blocks) and return ``"ran"``.

    Raises:
        ConfigError: bad input, before anything runs (nothing is written).
    """
    p = plan(c, overrides)
    target = Path(out_dir) / FILENAME
    resources.check_disk(out_dir, p["file_bytes"])
    with io.exclusive(target):
        if io.check_replaceable(target, cohort_digest(c), overwrite(c)) == io.CURRENT:
            log.info("skipped: %s is complete for this config", target)
            return "skipped"
        _run(c, p, target, overrides)
    return "ran"


def _run(c: dict, p: dict[str, Any], target: Path, overrides: Sequence[str]) -> Path:
    spec: CohortSpec = p["spec"]
    t_wall, started = time.perf_counter(), provenance.now_iso()
    base = {k: v for k, v in c.items() if k != "cohort"}
    params = {m.label: ({**p["values"], **p["names"]}[m.key], {
        "units": "" if m.labels else _unit(m.key), "key": m.key, "dist": m.dist,
        "source": m.source, "description": (
            f"{m.key} ({m.dist}{': option of the config group' if is_group(m.key) else ''}"
            f"{'; values ' + ', '.join(m.params['values']) if m.labels else ''})")})
        for m in spec.marginals}
    e = spec.enrolment
    if e is not None:
        params["enrolment_day"] = (p["values"][START_KEY], {
            "units": "d", "key": START_KEY, "dist": "enrolment", "source": e.source,
            "description": f"run day of the individual's enrolment (its treatment's start): "
                           f"day {e.first_day}-{e.last_day} after {e.relative_to} (uniform), "
                           f"at {e.clock_h:g} h"})
    attrs = {"kind": "cohort", "schema_version": COHORT_SCHEMA, **provenance.versions(),
             "git_commit": provenance.git_commit(), "cohort": spec.name,
             "question": spec.question, "n": spec.n, "shard": spec.shard,
             "n_shards": spec.n_shards, "row_start": spec.rows.start,
             "row_stop": spec.rows.stop, "sampling": spec.method,
             "arms_json": json.dumps(spec.arms), "overrides": json.dumps(list(overrides)),
             "config_yaml": OmegaConf.to_yaml(OmegaConf.create(c)),
             "master_seed": int(c["seed"]), "seed": int(p["seed"]), "seed_rule": SEED_RULE,
             "config_hash": cohort_digest(c), "base_config_hash": config_hash(
                 {**{k: v for k, v in c.items() if k not in ("output", "cohort")},
                  "cohort": {k: v for k, v in c["cohort"].items()
                             if k not in ("shard", "n_shards", "workers", "block_size")}}),
             "reproduce_json": json.dumps({a: arm_overrides(overrides, extra)
                                           for a, extra in spec.arms.items()}),
             "started": started}
    writer = CohortWriter(target, attrs, list(spec.arms), np.arange(spec.rows.start,
                                                                      spec.rows.stop),
                          params, p["seeds"], overwrite=overwrite(c))
    if writer.resumed:
        log.info("resuming %s: %d blocks already done", target, writer.resumed)
    timings: dict[str, float] = {}
    try:
        jobs = []
        n = len(p["seeds"])
        size = p["block_size"]
        for a, arm in enumerate(spec.arms):
            for start in range(0, n, size):
                if writer.is_done(a, start):
                    continue
                stop = min(start + size, n)
                vals = {k: v[start:stop] for k, v in p["values"].items()}
                strata = p["strata"][start:stop]
                configs = {int(i): p["configs"][arm][i] for i in np.unique(strata)}
                jobs.append((a, start, configs, strata, vals, p["seeds"][start:stop],
                             p["record"], p["keep"], p["every"], p["probe_times"],
                             spec.outcomes, p["probe_relative"]))
        workers = min(spec.workers or base["coupling"]["workers"], max(len(jobs), 1))
        if workers > 1 and mp.parent_process() is not None:
            # a job of a parallel launcher (joblib's worker processes, ...): the launcher
            # already fills the cores, and its workers cannot start process pools
            log.info("cohort.workers=%d: blocks run in this launcher's process", workers)
            workers = 1
        total = len(spec.arms) * math.ceil(n / size)
        log.info("cohort %s: %d individuals x %d arm(s) in %d block(s) (%s), %d to run, "
                 "%d worker(s)", spec.name, n, len(spec.arms), total, p["block_reason"],
                 len(jobs), workers)
        progress = BlockProgress(total, total - len(jobs), spec.arms, size, n)
        t0 = time.perf_counter()
        if workers <= 1:
            for job in jobs:
                _store(writer, *_block_job(job, progress=progress.terminal), timings, progress)
        else:
            with process_pool(workers) as pool:
                for fut in cf.as_completed([pool.submit(_block_job, j) for j in jobs]):
                    _store(writer, *fut.result(), timings, progress)
        timings["blocks_wall_s"] = time.perf_counter() - t0
        timings["workers"] = workers
    except BaseException:
        writer.close()  # the partial file keeps the finished blocks for a resume
        raise
    path = writer.finish({"finished": provenance.now_iso(),
                          "wall_time_s": time.perf_counter() - t_wall,
                          "timings_json": json.dumps(timings)})
    log.info("wrote %s (%d individuals x %d arms, %.1f s)", path, len(p["seeds"]),
             len(spec.arms), time.perf_counter() - t_wall)
    return path


class BlockProgress:
    """A line per finished block (the log: console and the job's log file), with the
    blocks done, elapsed time and an ETA; on a terminal the probes of a block running in
    this process also show ``probes done/total, ETA`` (``sims.coupling.Progress``)."""

    def __init__(self, total: int, done: int, arms: Sequence[str], size: int, n: int
                 ) -> None:
        import sys

        self.total, self.done, self.resumed = total, done, done
        self.arms, self.size, self.n = list(arms), size, n
        self.t0 = time.perf_counter()
        self.terminal = sys.stderr.isatty()

    def block_done(self, arm: int, start: int, block_s: float) -> str:
        """Count a finished block; log and return its line."""
        self.done += 1
        elapsed = time.perf_counter() - self.t0
        ran = self.done - self.resumed
        eta = elapsed / ran * (self.total - self.done) if ran else float("nan")
        line = (f"block {self.done}/{self.total} (arm {self.arms[arm]}, individuals "
                f"{start}-{min(start + self.size, self.n) - 1}) done in {block_s:.1f} s; "
                f"elapsed {elapsed:.0f} s, ETA {eta:.0f} s")
        log.info("%s", line)
        return line


def _store(writer: CohortWriter, arm: int, start: int, block: dict[str, Any],
           timings: dict[str, float], progress: BlockProgress | None = None) -> None:
    block_s = float(block["timings"].get("block_s", 0.0))
    for k, v in {**block.pop("timings"), **block.pop("probe_timings", {})}.items():
        timings[k] = timings.get(k, 0.0) + v
    writer.write_block(arm, start, block)
    if progress is not None:
        progress.block_done(arm, start, block_s)
    bad = int(np.sum(block["ok"] == 0))
    if bad:
        log.warning("%d individuals of the block at row %d have non-finite results "
                    "(status/ok = 0)", bad, start)


__all__ = ["FILENAME", "individual_events", "individual_overrides", "merge_blocks",
           "partial_path", "plan", "run_block", "run_cohort_job", "stratum_configs"]
