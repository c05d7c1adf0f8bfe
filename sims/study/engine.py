"""Running a virtual study end to end: the cohort(s) of its arms through the cohort
engine, then the measurement model at the visits, the endpoints and the statistics.

- ``paired`` design: one cohort whose arms are the study's (the same individuals, common
  random numbers) -> ``cohort.h5`` in the study folder.
- ``parallel`` design: one cohort per arm, each with its own individuals (its seed derived
  from the master seed and the arm's name) -> ``arms/<arm>/cohort.h5``.

The cohorts record the analytes' slow variables every ``study.record_every_h`` and probe
the network at the read-out visits; each cohort resumes by block if killed. Visits are
timed per individual (its own events), rounded to the record grid; the sampled time is
stored. Assay noise and the saliva secretor factor come from each individual's own
streams of the master seed (:func:`noise`), so the measurements are reproducible and do
not depend on the cohort's size or sharding.
"""

from __future__ import annotations

import copy
import json
import logging
import math
import time
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from omegaconf import OmegaConf

from sims import io, provenance
from sims.cohort import engine as cohort_engine
from sims.cohort.spec import network_only_keys
from sims.cohort.store import FILENAME as COHORT_FILE
from sims.config import compose_config, config_hash, override_key, validate
from sims.errors import ConfigError, require
from sims.fast.build_cache import structural_config
from sims.fast.registry import METRICS, PER_POPULATION
from sims.seeds import derive_seed
from sims.slow.clock import duration_hours, step_hours
from sims.slow.model import SlowModel
from sims.study import evaluate
from sims.study.measurement import parse_measurement
from sims.study.schedule import ENROLMENT, clock_mismatches, visit_time
from sims.study.spec import StudySpec, parse_study
from sims.study.store import STUDY_FILE, STUDY_SCHEMA, write_study

log = logging.getLogger(__name__)


class StudyClockWarning(UserWarning):
    """A change-from-baseline endpoint compares different times of day."""


def readout_names(c: Mapping[str, Any]) -> list[str]:
    """Network read-outs a study can take: ``metric.population`` for per-population
    metrics, ``metric`` for the LFP-proxy ones."""

    pops = list(c["network"]["populations"])
    out = []
    for name in METRICS:
        if name in PER_POPULATION:
            out += [f"{name}.{p}" for p in pops]
        else:
            out.append(name)
    return out


def _job_overrides(overrides: Sequence[str]) -> list[str]:
    return [o for o in overrides if not override_key(o).startswith("hydra.")]


def _strip(c: Mapping[str, Any]) -> dict:
    return {k: copy.deepcopy(v) for k, v in c.items() if k not in ("study", "measurement")}


def cohort_configs(c: Mapping[str, Any], spec: StudySpec, overrides: Sequence[str]
                   ) -> dict[str, tuple[dict, list[str], dict[str, list[str]]]]:
    """The cohort run(s) of the study: folder (relative) -> (config, overrides, its arms).

    Raises:
        ConfigError: an arm that does not compose or validate.
    """

    job = _job_overrides(overrides)
    if spec.design == "paired":  # one cohort whose arms are the study's (checked there)
        cc = _strip(c)
        cc["cohort"] = {**cc["cohort"], "arms": {a: list(v) for a, v in spec.arms.items()}}
        return {".": (cc, job, spec.arms)}
    out = {}
    for arm, extra in spec.arms.items():
        mine = {override_key(o) for o in extra}
        try:
            own = [o for o in job if override_key(o) not in mine]
            cfg = validate(compose_config([*own, *extra]))
        except ConfigError as exc:
            raise ConfigError(f"study.arms.{arm}", extra, f"overrides that validate "
                              f"({exc.key}: {exc.allowed})") from None
        except Exception as exc:  # noqa: BLE001 - a bad override of the arm
            raise ConfigError(f"study.arms.{arm}", extra, f"overrides that compose ({exc})"
                              ) from None
        inert = network_only_keys(_strip(c), _strip(cfg)) if not c["coupling"]["fast"] else []
        if inert:
            raise ConfigError(f"study.arms.{arm}", extra, f"overrides with an effect: "
                              f"{', '.join(inert)} only reach(es) the network, and this study "
                              "has no probes (coupling.fast=false)")
        cc = _strip(cfg)
        cc["seed"] = derive_seed(int(c["seed"]), {"study_arm": arm})
        cc["cohort"] = {**cc["cohort"], "arms": {arm: []}}
        out[f"arms/{arm}"] = (cc, [*job, *extra], {arm: []})
    return out


def _check_structure(spec: StudySpec, arm_cfgs: Mapping[str, Mapping[str, Any]]) -> None:
    """Arms must share the compiled network unless ``study.structural_arms`` says so."""
    if spec.structural_arms or not spec.readouts[0]:
        return

    ref_arm = next(iter(arm_cfgs))
    ref = structural_config(arm_cfgs[ref_arm])
    for arm, cfg in arm_cfgs.items():
        mine = structural_config(cfg)
        if mine != ref:
            diff = sorted(k for k in set(ref) | set(mine) if ref.get(k) != mine.get(k))
            raise ConfigError(f"study.arms.{arm}", spec.arms[arm],
                              f"run-time changes only: this arm changes the compiled network "
                              f"({', '.join(diff)}) against arm {ref_arm}; set "
                              "study.structural_arms=true to allow one compile per structure")


def plan_study(c: Mapping[str, Any], overrides: Sequence[str] = ()) -> dict[str, Any]:
    """Everything a study needs, checked before anything runs.

    Raises:
        ConfigError: bad input (naming key, value and what is allowed).
    """
    require(c.get("cohort") is not None, "cohort", None,
            "a cohort: the study file's defaults name one (- /cohort: NAME)")
    require(c.get("measurement") is not None, "measurement", None,
            "a measurement model (- /measurement: default in the study file)")
    meas = parse_measurement(c["measurement"])
    outcomes = list(c["cohort"].get("outcomes") or {})
    spec = parse_study(c["study"], readout_names(c), outcomes)
    slow_vars = cohort_engine.slow_variable_names(c)
    for i, s in enumerate(spec.samples):
        for a in s.analytes:
            meas.check_sample(a, s.matrix, s.assay, f"study.samples[{i}]", slow_vars)
    for e in spec.endpoints.values():
        if e.analyte:
            meas.check_sample(e.analyte, e.matrix, e.assay, f"study.endpoints.{e.name}",
                              slow_vars, analyte_key="analyte")
    if spec.readouts[0]:
        require(bool(c["coupling"]["fast"]), "coupling.fast", c["coupling"]["fast"],
                "true for a study with network read-outs (study.readouts); drop the "
                "read-outs for a slow-only study")

    dt = step_hours(c)
    steps = spec.record_every_h / dt
    require(abs(steps - round(steps)) < 1e-9 and round(steps) >= 1, "study.record_every_h",
            spec.record_every_h, f"a multiple of the slow step ({dt * 60:g} min)")
    runs = cohort_configs(c, spec, overrides)
    variables = sorted({meas.analytes[a].variable for s in spec.samples for a in s.analytes})
    cohorts = {}
    arm_cfgs: dict[str, dict] = {}
    for folder, (cc, job, arms) in runs.items():
        node = cc["cohort"]
        rec = dict(node.get("record") or {})
        rec["variables"] = sorted(set(rec.get("variables") or []) | set(variables))
        rec["every_h"] = spec.record_every_h
        node["record"] = rec
        node["probe_times_h"] = []
        try:
            p = cohort_engine.plan(cc, job)  # checks the cohort (and every arm) first
        except ConfigError as exc:  # a paired study's arms are the cohort's: name the key
            if not exc.key.startswith("cohort.arms."):  # the user wrote, study.arms.<arm>
                raise
            raise ConfigError("study.arms." + exc.key.split(".", 2)[2], exc.value,
                              exc.allowed) from None
        arm_cfgs |= {a: p["configs"][a][0] for a in arms}
        cohorts[folder] = {"config": cc, "overrides": job, "plan": p, "arms": list(arms)}
    _check_structure(spec, arm_cfgs)
    times = visit_grid(spec, cohorts)
    clock = clock_mismatches(spec.endpoints, times["names"], times["arms"],
                             spec.clock_tolerance_h)
    for text in clock.values():
        warnings.warn(StudyClockWarning(text + ": match the clock times, or widen the "
                                        "tolerance if the analyte has no daily rhythm"),
                      stacklevel=2)
        log.warning("clock mismatch: %s", text)
    probe_times = sorted({float(t) for t in times["probe_times"]})
    for co in cohorts.values():
        co["config"]["cohort"]["probe_times_h"] = probe_times
        if probe_times and times["probe_relative_to"] == ENROLMENT:
            co["config"]["cohort"]["probe_relative_to"] = ENROLMENT
        if probe_times:
            co["plan"] = cohort_engine.plan(co["config"], co["overrides"])
    units = {o.name: o.unit for co in cohorts.values() for o in co["plan"]["spec"].outcomes}
    return {"spec": spec, "measurement": meas, "cohorts": cohorts, "visit_times": times,
            "probe_times": probe_times, "outcome_units": units, "clock_mismatch": clock}


def _events_text(ev: Mapping[str, list[float]]) -> str:
    return ", ".join(f"{k} x{len(e)}" for k, e in ev.items())


def visit_grid(spec: StudySpec, cohorts: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Each arm's visit times ``[individual, visit]`` on the record grid, and the read-out
    visits' (shared) times: run times, or hours after each individual's enrolment where
    the cohort enrols (``probe_relative_to``).

    Raises:
        ConfigError: a visit outside the run or whose event does not happen; a read-out
            visit whose time (from the start, or from enrolment) differs between
            individuals or arms (probes are shared).
    """

    names = list(spec.visits)
    every = spec.record_every_h
    enrols = {co["plan"]["spec"].enrolment is not None for co in cohorts.values()}
    relative = enrols == {True}
    out: dict[str, Any] = {"names": names, "arms": {}, "probe_times": [],
                           "probe_relative_to": ENROLMENT if relative else "start"}
    probe_at: dict[str, float] = {}
    for co in cohorts.values():
        p = co["plan"]
        enrol_h = p["values"][cohort_engine.START_KEY] * 24.0 if relative else None
        for arm in co["arms"]:
            strata = p["configs"][arm]
            t = np.full((len(p["seeds"]), len(names)), np.nan)
            for s, cfg in enumerate(strata):
                rows = np.flatnonzero(p["strata"] == s)
                end = duration_hours(cfg)
                model = SlowModel(cfg)
                evs = cohort_engine.individual_events(model, cfg, {k: v[rows] for k, v in
                                                     p["values"].items()}, p["seeds"][rows])
                if enrol_h is not None:
                    evs = [{**ev, ENROLMENT: [float(enrol_h[r])]} for r, ev in zip(rows, evs,
                                                                                   strict=True)]
                for i, name in enumerate(names):
                    v = spec.visits[name]
                    for r, ev in zip(rows, evs, strict=True):
                        x = visit_time(v, ev)
                        if not math.isfinite(x):
                            raise ConfigError(f"study.visits.{name}.relative_to", v.event,
                                              f"an event of arm {arm}'s run (it has "
                                              f"{_events_text(ev)}"
                                              f"; occurrence {v.occurrence})")
                        g = round(x / every) * every
                        if not 0 <= g <= end + 1e-9:
                            field = "hours" if v.hours is not None else "day"
                            raise ConfigError(f"study.visits.{name}.{field}",
                                              getattr(v, field),
                                              f"a time inside the simulated span [0, {end:g}] h"
                                              f" (scenario.duration_days): it falls at "
                                              f"{x:g} h in arm {arm}")
                        t[r, i] = g
            for i, name in enumerate(names):
                if name in spec.probe_visits:
                    vals = np.unique(np.round(t[:, i] - (enrol_h if relative else 0.0), 9))
                    if len(vals) > 1 or (name in probe_at and probe_at[name] != vals[0]):
                        raise ConfigError("study.readouts.visits", name,
                                          "visits at the same time for every individual and arm"
                                          " (the network probes are shared)" + (
                                              ", counted from enrolment" if relative else
                                              "") + "; this one moves with the individual's "
                                          "events" + ("" if relative else " (time it from "
                                                      "enrolment, with cohort.enrolment)"))
                    probe_at[name] = float(vals[0])
            out["arms"][arm] = t
    out["probe_times"] = sorted(set(probe_at.values()))
    out["probe_visit_time"] = probe_at
    return out


def study_digest(c: Mapping[str, Any]) -> str:
    """The study's identity (its resolved config, without output settings)."""
    return config_hash({**{k: v for k, v in c.items() if k != "output"}, "kind": STUDY_SCHEMA})


def run_study_job(c: dict, out_dir: str | Path, overrides: Sequence[str] = ()) -> str:
    """One study: ``"skipped"`` if ``out_dir/study.h5`` is complete for this config, else
    run its cohorts (resuming), measure, analyse and write the study's files; ``"ran"``.

    Raises:
        ConfigError: bad input, before anything runs (nothing is written).
    """
    p = plan_study(c, overrides)
    out = Path(out_dir)
    target = out / STUDY_FILE
    with io.exclusive(target):
        if io.check_replaceable(target, study_digest(c), cohort_engine.overwrite(c)) == \
                io.CURRENT:
            log.info("skipped: %s is complete for this config", target)
            return "skipped"
        t0, started = time.perf_counter(), provenance.now_iso()
        files = {}
        for folder, co in p["cohorts"].items():
            d = out / folder
            d.mkdir(parents=True, exist_ok=True)
            cohort_engine.run_cohort_job(co["config"], d, co["overrides"])
            files[folder] = d / COHORT_FILE
        t_cohorts = time.perf_counter() - t0
        tables = evaluate.analyse(p, files, int(c["seed"]))
        spec: StudySpec = p["spec"]
        attrs = {"kind": "study", "schema_version": STUDY_SCHEMA, "study": spec.name,
                 "question": spec.question, "design": spec.design,
                 "arms_json": json.dumps(spec.arms), "reference_arm": spec.reference_arm,
                 "cohort_files_json": json.dumps({k: str(Path(k) / COHORT_FILE)
                                                  for k in files}),
                 "overrides": json.dumps(list(overrides)),
                 "config_yaml": OmegaConf.to_yaml(OmegaConf.create(c)),
                 "master_seed": int(c["seed"]), "config_hash": study_digest(c),
                 **provenance.versions(), "git_commit": provenance.git_commit(),
                 "started": started, "finished": provenance.now_iso(),
                 "cohorts_wall_s": t_cohorts, "wall_time_s": time.perf_counter() - t0}
        write_study(out, tables, attrs)
    log.info("wrote %s (%d measurements, %d summary rows, %.1f s)", target,
             len(tables["measurements"]["individual"]), len(tables["summary"]["endpoint"]),
             time.perf_counter() - t0)
    return "ran"


__all__ = ["StudyClockWarning", "plan_study", "readout_names", "run_study_job", "visit_grid"]
