"""``simulate(cfg)``: validate, run the network probe(s), assemble and write the result.

The Hydra entry point (``sims.app``) only calls this, so tests and notebooks can too.
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
from sims.config import SCHEMA_VERSION, config_hash, validate
from sims.coupling import run_epochs
from sims.fast.probe import (
    METRIC_UNITS,
    RECEPTOR_UNITS,
    ProbeOutput,
    RunawayActivityError,
)
from sims.io import Result, Variable
from sims.seeds import job_seed
from sims.slow.model import SlowTrajectory

log = logging.getLogger(__name__)

_DESCRIPTIONS = {
    "rate": "mean firing rate per neuron in the analysis window",
    "cv_isi": "mean coefficient of variation of inter-spike intervals",
    "synchrony": "Golomb chi of binned spike counts",
    "lfp_peak_freq": "peak frequency of the LFP-proxy spectrum (>= 2 Hz)",
    "theta_power": "LFP-proxy power in 4-12 Hz",
    "gamma_power": "LFP-proxy power in 30-80 Hz",
    "tonic_charge": "tonic GABA-A (outward) charge per recorded cell of the LFP population",
    "phasic_charge": "phasic GABA-A (outward) charge per recorded cell of the LFP population",
    "tonic_fraction": "tonic / (tonic + phasic) inhibitory charge",
    "ei_conductance_ratio": "mean excitatory / mean inhibitory conductance, LFP population",
    "mean_g_exc": "mean AMPA + Mg-blocked NMDA conductance, LFP population",
    "mean_g_inh": "mean phasic + tonic GABA-A conductance, LFP population",
    "tau_gaba": "phasic GABA-A decay time constant",
    "gaba_scale": "phasic GABA-A peak scale (gamma2 expression x steroid effect)",
    "g_tonic": "tonic (extrasynaptic) GABA-A conductance",
    "nmda_scale": "NMDA peak scale (sulfated steroids)",
}


SLOW_DESCRIPTIONS = {
    "crh": "CRH (Sriram 2012 units)", "acth": "ACTH (Sriram 2012 units)",
    "cortisol": "plasma cortisol (1 ug/dL = 27.6 nM)", "gr": "glucocorticoid receptor",
    "r5a": "brain 5a-reductase activity (1 = baseline)",
    "stress_precursor": "stress-induced brain precursor (P/DOC) signal",
    "allo_plasma_endogenous": "endogenous plasma ALLO", "thdoc_plasma": "plasma THDOC",
    "androstanediol_plasma": "plasma 3a-androstanediol", "allo_brain": "brain ALLO",
    "thdoc_brain": "brain THDOC", "androstanediol_brain": "brain 3a-androstanediol",
    "zuranolone_brain": "brain zuranolone", "pregs_brain": "brain pregnenolone sulfate",
    "dheas_brain": "brain DHEA-S", "inflammation": "cytokine index (1 = baseline)",
    "progesterone_plasma": "plasma progesterone (scenario + treatment)",
    "testosterone_plasma": "plasma testosterone (scenario + treatment)",
    "placental_allo": "placental/fetal plasma ALLO source",
    "allo_plasma": "total plasma ALLO (endogenous + drug)",
    "allo_drug_plasma": "plasma ALLO from brexanolone / oral progesterone",
    "zuranolone_plasma": "plasma zuranolone", "acute_stress": "acute stress intensity",
    "chronic_stress": "chronic stress level", "hpa_k_stress": "effective CRH drive",
    "hpa_k_i": "effective GR-feedback constant (larger = weaker feedback)",
}


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
        probes[name] = Variable(np.stack([o.per_population[name] for o in outs]),
                                ("time", "population"), METRIC_UNITS[name], _DESCRIPTIONS[name])
    for name in outs[0].receptor_state:
        probes[name] = Variable(np.stack([o.receptor_state[name] for o in outs]),
                                ("time", "population"), RECEPTOR_UNITS[name], _DESCRIPTIONS[name])
    if expression and expression[0]:
        for sub in ("delta", "gamma2", "alpha4"):
            probes[f"{sub}_expression"] = Variable(
                np.array([[e[p][sub] for p in pops] for e in expression]), ("time", "population"),
                "1", f"homeostatic {sub} subunit expression (1 = reference)")
    for name in outs[0].scalars:
        probes[name] = Variable(np.array([o.scalars[name] for o in outs]), ("time",),
                                METRIC_UNITS[name], _DESCRIPTIONS[name])
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
        group[name] = Variable(values, ("time",), traj.units[name], SLOW_DESCRIPTIONS.get(name, ""))
    return group


def config_digest(c: dict) -> str:
    """The hash stored as ``config_hash``: the resolved config without output settings."""
    return config_hash({k: v for k, v in c.items() if k != "output"})


def up_to_date(path: str | Path, c: dict) -> bool:
    """True if ``path`` is a complete result of exactly this config (resume: skip it)."""
    p = Path(path)
    if not p.is_file() or not io.is_complete(p):
        return False
    try:
        return io.read_attrs(p).get("config_hash") == config_digest(c)
    except OSError:
        return False


def simulate(cfg: DictConfig | dict, out_dir: str | Path | None = None,
             overrides: list[str] | tuple[str, ...] = ()) -> Result:
    """Run one simulation and (if ``out_dir``) write ``out_dir/<output.filename>``.

    ``overrides`` are the job's command-line overrides: stored in the file, and with
    ``seed_mode=per_job`` they and the master ``seed`` give the job's seed (``sims.seeds``).

    The epoch loop (``sims.coupling``) integrates the slow layer and probes the network
    with the brain steroid levels and subunit expression of the probe times.

    Raises:
        ConfigError: bad input, before anything is built or written.
        RunawayActivityError: NaN or runaway firing; the file is written, complete=False.
    """
    return _simulate_validated(validate(cfg), out_dir, overrides)


def _simulate_validated(c: dict, out_dir: str | Path | None,
                        overrides: list[str] | tuple[str, ...]) -> Result:
    """:func:`simulate` for a config already checked by ``validate`` (``c`` is modified)."""
    started, t_wall = provenance.now_iso(), time.perf_counter()
    chash = config_digest(c)
    config_yaml = OmegaConf.to_yaml(OmegaConf.create(c))
    master = int(c["seed"])
    c["seed"] = job_seed(c, overrides)  # what every random number of this job derives from
    attrs: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION, **provenance.versions(),
        "git_commit": provenance.git_commit(),
        "config_yaml": config_yaml,
        "overrides": json.dumps(list(overrides)), "seed": int(c["seed"]),
        "master_seed": master, "seed_mode": c["seed_mode"],
        "config_hash": chash, "started": started, "backend": c["backend"]["name"],
        "scenario": c["scenario"]["name"], "treatment": c["treatment"]["name"],
        "complete": False,
    }
    result = Result(attrs=attrs)
    error: Exception | None = None
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
            timings["assemble_s"] = time.perf_counter() - t0
        attrs["complete"] = True
    except RunawayActivityError as exc:
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
        ConfigError: bad input (before anything is built, nothing is written).
        RunawayActivityError: the file is written with ``complete=False``.
    """
    c = validate(cfg)  # fail fast, before anything compiles
    target = Path(out_dir) / c["output"]["filename"]
    if up_to_date(target, c):
        log.info("skipped: %s is complete for this config", target)
        return "skipped"
    for f in io.remove_stale_temporaries(target):
        log.warning("removed %s, left by a killed run", f)
    _simulate_validated(c, out_dir, overrides)  # validated above: not again
    return "ran"
