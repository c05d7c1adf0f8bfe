"""``simulate(cfg)``: validate, run the network probe(s), assemble and write the result.

The Hydra entry point (``sims.app``) only calls this, so tests and notebooks can too.

Writing is guarded: a run takes the lock of its result file, removes temporaries left by
killed writers, never replaces a complete result of another config (unless
``output.overwrite=true``), and marks its file complete only when the run succeeded and
every float dataset is finite (or documented as possibly non-finite).
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
from omegaconf import DictConfig, OmegaConf

from sims import io, provenance
from sims.config import config_hash, validate
from sims.constants import CONFIG_DIR, SCHEMA_VERSION
from sims.coupling import run_epochs
from sims.errors import NonFiniteResultError, SimulationError
from sims.fast.probe import ProbeOutput
from sims.fast.registry import READOUTS
from sims.io import Result, Variable
from sims.seeds import SEED_RULE, job_seed
from sims.slow.model import SlowTrajectory
from sims.slow.scenarios import input_files
from sims.slow.treatments import treatment_label

log = logging.getLogger(__name__)


def _readout(name: str, data: np.ndarray, dims: tuple[str, ...]) -> Variable:
    r = READOUTS[name]
    return Variable(data, dims, r.unit, r.description, r.nonfinite)


def _probe_groups(c: dict, times_s: np.ndarray, concs: list[dict[str, float]],
                  outs: list[ProbeOutput], save_spikes: bool,
                  expression: list[dict[str, dict[str, float]]] | None = None,
                  ) -> dict[str, dict[str, Variable]]:
    pops = list(c["network"]["populations"])
    species = list(c["pharmacology"]["species"])
    probes: dict[str, Variable] = {
        "time": Variable(times_s, ("time",), "s", "slow-layer time of each probe"),
        "population": Variable(np.array(pops), ("population",), "", "population names"),
        "species": Variable(np.array(species), ("species",), "", "steroid species"),
        "brain_conc": Variable(np.array([[cc.get(s, 0.0) for s in species] for cc in concs]),
                               ("time", "species"), "nM", "brain steroid levels at the probe"),
    }
    for name in outs[0].per_population:
        probes[name] = _readout(name, np.stack([o.per_population[name] for o in outs]),
                                ("time", "population"))
    for name in outs[0].receptor_state:
        probes[name] = _readout(name, np.stack([o.receptor_state[name] for o in outs]),
                                ("time", "population"))
    probes["state"] = Variable(np.array([o.state for o in outs]), ("time",), "",
                               "brain state the probe ran in (wake | nrem; sims/fast/states.py)")
    if expression and expression[0]:
        for sub in ("delta", "gamma2", "alpha4"):
            probes[f"{sub}_expression"] = Variable(
                np.array([[e[p][sub] for p in pops] for e in expression]), ("time", "population"),
                "1", f"homeostatic {sub} subunit expression (1 = reference)")
    for name in outs[0].scalars:
        probes[name] = _readout(name, np.array([o.scalars[name] for o in outs]), ("time",))
    groups = {
        "probes": probes,
        "probes/spectra": {
            "frequency": Variable(outs[0].freqs, ("frequency",), "Hz", "frequency"),
            "psd": Variable(np.stack([o.psd for o in outs]), ("time", "frequency"), "nA^2/Hz",
                            "Welch PSD of the LFP proxy"),
        },
    }
    if save_spikes:
        for k, o in enumerate(outs):
            for p, (i, t) in o.raw.spikes.items():
                groups[f"spikes/probe_{k}/{p}"] = {
                    "i": Variable(i, ("spike",), "1", "neuron index within the population"),
                    "t": Variable(t, ("spike",), "s", "spike time from the probe's start"),
                }
    return groups


def slow_group(traj: SlowTrajectory) -> dict[str, Variable]:
    """The ``slow`` group: time (s) and every state and output with its unit."""
    group = {"time": Variable(traj.time_h * 3600.0, ("time",), "s", "slow-layer time")}
    for name, values in traj.values.items():
        group[name] = Variable(values, ("time",), traj.units[name],
                               traj.descriptions.get(name, ""))
    return group


def config_digest(c: dict) -> str:
    """The hash stored as ``config_hash``: the resolved config without output settings,
    plus the content (sha256) of any input file it reads (a ``from_file`` CSV)."""
    ident: dict[str, Any] = {k: v for k, v in c.items() if k != "output"}
    ident["seed_rule"] = SEED_RULE  # the same config under another seed rule is another run
    files = input_files(c["scenario"], CONFIG_DIR)
    if files:
        ident["input_files"] = files
    return config_hash(ident)


def _refuse_conflict(target: Path, c: dict) -> str:
    """Never replace a complete result of another config, or an unreadable file, silently
    (:func:`sims.io.check_replaceable`, the rule of every writer)."""
    return io.check_replaceable(target, config_digest(c), bool(c["output"]["overwrite"]))


def _log_stale(stale: list[Path]) -> None:
    for f in stale:
        log.warning("removed %s, left by a killed run", f)


def simulate(cfg: DictConfig | dict, out_dir: str | Path | None = None,
             overrides: list[str] | tuple[str, ...] = ()) -> Result:
    """Run one simulation and (if ``out_dir``) write ``out_dir/<output.filename>``.

    ``overrides`` are the job's command-line overrides, stored in the file. With
    ``seed_mode=per_job`` the job's seed derives from the master ``seed`` and the job's
    scientific values, whatever the overrides' spelling (``sims.seeds``).

    The epoch loop (``sims.coupling``) integrates the slow layer and probes the network
    with the brain steroid levels and subunit expression of the probe times.

    Raises:
        ConfigError: bad input, before anything is built or written (also
            :class:`~sims.errors.OutputConflictError`: ``out_dir`` holds a complete
            result of another config).
        SimulationError: runaway or non-finite activity, or non-finite values in the
            result; the file is written with ``complete=False``.
    """
    c = validate(cfg)
    if out_dir is None:
        return _simulate_validated(c, None, overrides)
    target = Path(out_dir) / c["output"]["filename"]
    with io.exclusive(target) as stale:
        _log_stale(stale)
        _refuse_conflict(target, c)
        return _simulate_validated(c, out_dir, overrides)


def _simulate_validated(c: dict, out_dir: str | Path | None,
                        overrides: list[str] | tuple[str, ...]) -> Result:
    """:func:`simulate` for a config already checked by ``validate`` (``c`` is modified);
    the caller holds the output's lock."""
    started, t_wall = provenance.now_iso(), time.perf_counter()
    chash = config_digest(c)
    config_yaml = OmegaConf.to_yaml(OmegaConf.create(c))
    master = int(c["seed"])
    c["seed"] = job_seed(c)  # what every random number of this job derives from
    attrs: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION, **provenance.versions(),
        "git_commit": provenance.git_commit(),
        "config_yaml": config_yaml,
        "overrides": json.dumps(list(overrides)), "seed": int(c["seed"]),
        "master_seed": master, "seed_mode": c["seed_mode"], "seed_rule": SEED_RULE,
        "config_hash": chash, "started": started, "backend": c["backend"]["name"],
        "scenario": c["scenario"]["name"], "treatment": treatment_label(c["treatment"]),
        "input_files_json": json.dumps(input_files(c["scenario"], CONFIG_DIR)),
        "complete": False,
    }
    result = Result(attrs=attrs)
    error: SimulationError | None = None
    timings: dict[str, float] = {}
    try:
        epochs = run_epochs(c)
        timings.update(epochs.timings)
        traj = epochs.trajectory
        if traj is not None:
            result.groups["slow"] = slow_group(traj)
            attrs["events_json"] = json.dumps(traj.events)
        if epochs.probes:
            t0 = time.perf_counter()
            result.groups.update(_probe_groups(c, np.array(epochs.times_h) * 3600.0,
                                               epochs.concentrations, epochs.probes,
                                               c["output"]["save_spikes"], epochs.expression))
            if epochs.reference:
                result.groups["probes"]["reference_rate"] = Variable(
                    np.array([epochs.reference[p] for p in c["network"]["populations"]]),
                    ("population",), "Hz", "rate in the reference state (baseline brain "
                    "levels, reference expression): the closed loop's set points")
            timings["assemble_s"] = time.perf_counter() - t0
        bad = io.nonfinite_datasets(result)
        if bad:
            raise NonFiniteResultError(
                f"non-finite values in {', '.join(bad)}: the run is not marked complete")
        attrs["complete"] = True
    except SimulationError as exc:
        error = exc
    attrs["finished"] = provenance.now_iso()
    attrs["wall_time_s"] = time.perf_counter() - t_wall
    attrs["timings_json"] = json.dumps(timings)
    if out_dir is not None:
        t0 = time.perf_counter()
        path = io.write_result(Path(out_dir) / c["output"]["filename"], result,
                               c["output"]["compression_level"])
        timings["write_s"] = time.perf_counter() - t0
        log.info("wrote %s (complete=%s)", path, attrs["complete"])
    log.info("timings: %s", ", ".join(f"{k}={v:.2f}s" for k, v in timings.items()))
    if error is not None:
        raise error
    return result


def run_job(cfg: DictConfig | dict, out_dir: str | Path,
            overrides: list[str] | tuple[str, ...] = ()) -> str:
    """One job of the app: ``"skipped"`` if ``out_dir`` already holds a complete result of
    exactly this config (resume), else simulate it and return ``"ran"``.

    Raises:
        ConfigError: bad input (before anything is built, nothing is written), or a
            complete result of another config in ``out_dir``.
        SimulationError: the file is written with ``complete=False``.
    """
    c = validate(cfg)  # fail fast, before anything compiles
    target = Path(out_dir) / c["output"]["filename"]
    with io.exclusive(target) as stale:
        _log_stale(stale)
        if _refuse_conflict(target, c) == io.CURRENT:
            log.info("skipped: %s is complete for this config", target)
            return "skipped"
        _simulate_validated(c, out_dir, overrides)  # validated above: not again
    return "ran"
