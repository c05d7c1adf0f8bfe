"""Uncertainty from a calibration: run its accepted parameter sets, report bands.

``allonet -m +uncertainty=from_calibration uncertainty.calibration=outputs/calibration/quick
[any run's overrides]`` reads the calibration's study (``calibration.db``), takes the
accepted sets -- complete trials with loss <= best + ``delta_loss`` (default: the
calibration's ``accept_delta_loss``, chi-squared 95 % for its number of parameters), best
first, at most ``max_sets`` -- and runs the configured simulation once per set (an
ordinary ``allonet`` run with the set's values as overrides, through the configured
launcher: resumable, Slurm-ready). Keys of a set that the run's config lacks (e.g.
``treatment.*`` under ``treatment=none``) are left out and reported. After the runs,
``uncertainty.h5`` holds, for every slow variable and probe read-out, the quantiles
(``uncertainty.quantiles``) across the sets at each time -- bands instead of single lines
-- plus the sets themselves; ``uncertainty.png`` plots the bands of
``uncertainty.variables``.

Method and limits: this is the set of parameter values "consistent with the targets"
under a loss threshold (a profile-likelihood-like region when the loss is a sum of
squared z-scores of independent Gaussian errors), not a posterior. The sets are the
optimiser's trials, which cluster near the optimum (TPE) rather than sample the region
evenly, and quantiles across them are not probabilities; widen the region with more
trials or a ``random``/``qmc`` sampler. Parameters not calibrated are held at their values.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sims import figure_hooks, io, provenance
from sims.calibration.evaluate import has_key
from sims.calibration.jobs import driver_config
from sims.calibration.optimize import (
    _update_total,
    accepted_trials,
    storage_errors,
    storage_problem,
    storage_url,
)
from sims.errors import ResultFileError, require
from sims.io import Result, Variable

log = logging.getLogger("allonet.uncertainty")
RESULT = "uncertainty.h5"
_KEYS = {"name", "calibration", "study", "delta_loss", "max_sets", "quantiles", "variables",
         "set", "question"}



def parse(c: dict) -> dict[str, Any]:
    """Check the ``uncertainty`` node; return it with defaults filled."""
    node = c.get("uncertainty")
    require(isinstance(node, dict), "uncertainty", node, "+uncertainty=from_calibration")
    unknown = sorted(set(node) - _KEYS)
    require(not unknown, f"uncertainty.{unknown[0] if unknown else ''}", unknown,
           f"keys {sorted(_KEYS)}")
    folder = Path(str(node.get("calibration") or ""))
    require((folder / "calibration.db").is_file(), "uncertainty.calibration", str(folder),
           "a calibration folder holding calibration.db (e.g. outputs/calibration/quick)")
    dl = node.get("delta_loss")
    require(dl is None or (isinstance(dl, int | float) and dl > 0), "uncertainty.delta_loss",
           dl, "null (the calibration's accept_delta_loss) or a number > 0")
    ms = node.get("max_sets")
    require(isinstance(ms, int) and not isinstance(ms, bool) and ms >= 1,
           "uncertainty.max_sets", ms, "an integer >= 1")
    qs = node.get("quantiles")
    require(isinstance(qs, list) and len(qs) >= 1 and all(
        isinstance(q, int | float) and 0 <= q <= 1 for q in qs), "uncertainty.quantiles", qs,
        "a list of numbers in [0, 1]")
    return dict(node)


def load_sets(node: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """Accepted trials of the calibration (best first) and the study's attributes."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    db = Path(node["calibration"]) / "calibration.db"
    problem = storage_problem(db)
    if problem:
        raise ResultFileError(db, f"{problem}: not a calibration's database "
                              "(uncertainty.calibration)")
    url = storage_url(db)
    with storage_errors(db):
        names = [s.study_name for s in optuna.get_all_study_summaries(url)]
        name = node.get("study") or (names[0] if len(names) == 1 else None)
        require(name in names, "uncertainty.study", name, f"a study of {url} ({names})")
        study = optuna.load_study(study_name=name, storage=url)
    delta = node.get("delta_loss") or float(study.user_attrs.get("accept_delta_loss", 4.0))
    sets = accepted_trials(study, delta, int(node["max_sets"]))
    require(bool(sets), "uncertainty.calibration", node["calibration"],
           "a calibration with at least one complete trial")
    return sets, {"study": name, "delta_loss": delta, "best_loss": sets[0].value}


def _override(key: str, value: float) -> str:
    return f"{key}={float(value)!r}"


def drive(sweeper: Any, arguments: Sequence[str]) -> list[Any]:
    """Run every accepted set, then write the bands (see module doc)."""

    cfg = sweeper.config
    c = driver_config(cfg)
    node = parse(c)
    sets, info = load_sets(node)
    keys = list(sets[0].params)
    present = [k for k in keys if has_key(cfg, k)]
    absent = [k for k in keys if k not in present]
    require(bool(present), "uncertainty.calibration", node["calibration"],
           f"a calibration whose parameters exist in this run's config (none of {keys} "
           "does: select the scenario or treatment it was calibrated under)")
    if absent:
        log.warning("left out (not in this run's config): %s", ", ".join(absent))
    out = Path(cfg.hydra.sweep.dir)
    out.mkdir(parents=True, exist_ok=True)
    batch = [[*arguments, f"uncertainty.set={i}", *(_override(k, t.params[k]) for k in present)]
             for i, t in enumerate(sets)]
    log.info("uncertainty: %d accepted sets of %s (loss <= %.4g + %.4g)", len(sets),
             info["study"], info["best_loss"], info["delta_loss"])
    _update_total(out, len(batch))
    sweeper.validate_batch_is_legal(batch)
    returns = list(sweeper.launcher.launch(batch, initial_job_idx=0))
    filename = c["output"]["filename"]
    files = [out / f"set_{i}" / filename for i in range(len(sets))]
    bands(files, sets, present, node, info, out)
    return returns


def bands(files: Sequence[Path], sets: Sequence[Any], keys: Sequence[str],
          node: dict[str, Any], info: dict[str, Any], out: Path) -> Path | None:
    """Quantiles across the sets' results at each time: ``uncertainty.h5`` and figure."""

    done = [(f, t) for f, t in zip(files, sets, strict=True) if f.is_file()
            and io.is_complete(f)]
    if not done:
        log.error("uncertainty: no complete run; re-run the same command")
        return None
    results = [io.read_result(f) for f, _ in done]
    qs = np.array(node["quantiles"], float)
    res = Result(attrs={**provenance.versions(), "git_commit": provenance.git_commit(),
                        "kind": "uncertainty", "calibration": str(node["calibration"]),
                        "study": info["study"], "delta_loss": float(info["delta_loss"]),
                        "best_loss": float(info["best_loss"]), "n_sets": len(done),
                        "n_accepted": len(sets), "written": provenance.now_iso(),
                        "method": "accepted sets (loss <= best + delta_loss); quantiles "
                                  "across sets, not a posterior", "complete": True})
    res.groups["sets"] = {
        "trial": Variable(np.array([t.number for _, t in done]), ("set",), "1",
                          "calibration trial of each set"),
        "loss": Variable(np.array([t.value for _, t in done]), ("set",), "1", "its loss"),
        "parameter": Variable(np.array(list(keys)), ("parameter",), "", "config keys set"),
        "value": Variable(np.array([[t.params[k] for k in keys] for _, t in done]),
                          ("set", "parameter"), "", "parameter values"),
    }
    res.groups["quantile"] = {"quantile": Variable(qs, ("quantile",), "1", "quantile levels")}
    for group in ("slow", "probes"):
        g0 = results[0].groups.get(group)
        if not g0:
            continue
        bands_g: dict[str, Variable] = {"time": Variable(g0["time"].data, ("time",), "s",
                                                         "time")}
        if "population" in g0:
            bands_g["population"] = g0["population"]
        for name, v in g0.items():
            if name in ("time", "population", "species") or v.dims[0] != "time":
                continue
            if not np.issubdtype(np.asarray(v.data).dtype, np.number):
                continue
            stack = np.stack([r.groups[group][name].data for r in results])
            q = np.quantile(stack, qs, axis=0) if np.all(np.isfinite(stack)) else \
                np.nanquantile(stack, qs, axis=0)
            bands_g[name] = Variable(np.moveaxis(q, 0, -1), (*v.dims, "quantile"), v.units,
                                     f"{v.description} (quantiles across accepted sets)",
                                     "NaN where every set's value was NaN" if v.nonfinite
                                     else "")
        res.groups[f"{group}_bands"] = bands_g
    path = io.write_result(out / RESULT, res)
    figure_hooks.draw("uncertainty", path, out, list(node.get("variables") or []))
    print(f"uncertainty: {len(done)} of {len(sets)} sets ran; bands in {path}", flush=True)
    return path


__all__ = ["drive", "bands", "load_sets", "parse"]
