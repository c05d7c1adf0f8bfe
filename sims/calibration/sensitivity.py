"""Global sensitivity analysis with SALib: Morris screening, Sobol' indices.

``allonet -m +sensitivity=NAME``: the driver (in allonet's sweeper)

1. checks the analysis (parameters exist and are numeric in an outcome's experiment,
   bounds, outcomes);
2. draws the sample -- Morris trajectories (``SALib.sample.morris``, ``n`` trajectories on
   ``num_levels`` levels) or Saltelli/Sobol' points (``SALib.sample.sobol``, ``n`` base
   points, first and total order) -- in the unit cube, deterministic from ``seed``, and
   maps it to each parameter's scale (log-uniform where ``log: true``);
3. launches the points not yet measured as jobs through the configured launcher, in
   batches of ``batch_size`` (``sample_<i>/measures.json``; a re-run of the same command
   skips every point already measured with the same fingerprint: resumable like any
   sweep, and Slurm-ready through the submitit launcher);
4. analyses every outcome (``SALib.analyze.morris``: mu*, sigma with bootstrap CIs;
   ``SALib.analyze.sobol``: S1, ST with CIs) and writes ``sensitivity.h5``,
   ``sensitivity.csv`` and the figures.

:func:`sample` and :func:`analyze` are the pipeline's two halves; the Ishigami test runs
an analytic function through them.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sims import figure_hooks, io, provenance
from sims.calibration.evaluate import check_parameters, check_times, simulation_overrides
from sims.calibration.jobs import driver_config, read_measures
from sims.calibration.optimize import _update_total
from sims.calibration.spec import Parameter, SensitivitySpec, fingerprint, parse_sensitivity
from sims.errors import ConfigError, ResultFileError
from sims.io import Result, Variable

log = logging.getLogger("allonet.sensitivity")
RESULT = "sensitivity.h5"


def problem(params: Sequence[Parameter]) -> dict[str, Any]:
    """SALib's problem dict on the unit cube (scales are applied by :func:`to_values`)."""
    return {"num_vars": len(params), "names": [p.name for p in params],
            "bounds": [[0.0, 1.0]] * len(params)}


def sample(params: Sequence[Parameter], method: str, n: int, seed: int,
           num_levels: int = 4) -> np.ndarray:
    """Unit-cube sample ``[point, parameter]`` of the method (deterministic in ``seed``)."""
    prob = problem(params)
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(prob, n, num_levels=num_levels, seed=seed)
    from SALib.sample import sobol

    return sobol.sample(prob, n, calc_second_order=False, scramble=True, seed=seed)


def to_values(params: Sequence[Parameter], unit: np.ndarray) -> np.ndarray:
    """Unit-cube points -> parameter values (log-uniform where ``log``)."""
    return np.array([[p.from_unit(float(u)) for p, u in zip(params, row, strict=True)]
                     for row in unit])


def analyze(params: Sequence[Parameter], method: str, unit: np.ndarray, y: np.ndarray,
            seed: int, conf_level: float = 0.95, num_levels: int = 4) -> dict[str, np.ndarray]:
    """Indices of one outcome ``y[point]`` (Morris: mu, mu_star, sigma, mu_star_conf;
    Sobol: S1, S1_conf, ST, ST_conf), one value per parameter.

    Raises:
        ValueError: non-finite outcomes (the analysis needs every point).
    """
    if not np.all(np.isfinite(y)):
        raise ValueError(f"{int(np.sum(~np.isfinite(y)))} outcome values are not finite")
    prob = problem(params)
    if method == "morris":
        from SALib.analyze import morris

        r = morris.analyze(prob, unit, y, num_resamples=1000, conf_level=conf_level,
                           num_levels=num_levels, seed=seed)
        return {k: np.asarray(r[k], float) for k in ("mu", "mu_star", "sigma",
                                                      "mu_star_conf")}
    from SALib.analyze import sobol

    r = sobol.analyze(prob, y, calc_second_order=False, num_resamples=1000,
                      conf_level=conf_level, seed=seed)
    return {k: np.asarray(r[k], float) for k in ("S1", "S1_conf", "ST", "ST_conf")}


def check(spec: SensitivitySpec, base: Sequence[str]) -> None:
    """Parameters exist as numbers in an outcome's experiment (see calibration)."""

    check_parameters({p.label: p for p in spec.parameters}, spec.outcomes, base,
                     "sensitivity.parameters")
    check_times(spec.outcomes, base)


def _point(values: np.ndarray) -> str:
    return "[" + ",".join(repr(float(v)) for v in values) + "]"


def drive(sweeper: Any, arguments: Sequence[str]) -> list[Any]:
    """Sample, launch the missing points, analyse (see module doc)."""

    cfg = sweeper.config
    c = driver_config(cfg)
    spec = parse_sensitivity(c)
    base = simulation_overrides(arguments)
    check(spec, base)
    out = Path(cfg.hydra.sweep.dir)
    out.mkdir(parents=True, exist_ok=True)
    fp = fingerprint(spec.identity(base))
    stamp = out / "sensitivity_spec.json"
    if stamp.exists():
        try:
            theirs = json.loads(stamp.read_text()).get("fingerprint")
        except (OSError, ValueError, AttributeError) as exc:

            raise ResultFileError(stamp, f"unreadable ({exc}): the record of which analysis "
                                  "this folder holds; restore it, or use another "
                                  "hydra.sweep.dir") from None
        if theirs != fp:
            raise ConfigError("sensitivity", spec.name, f"the analysis stored in {out} "
                              f"(fingerprint {theirs}, this one {fp}); refusing to mix them "
                              "-- use another hydra.sweep.dir")
    else:
        stamp.write_text(json.dumps({"fingerprint": fp, "identity": spec.identity(base)},
                                    indent=1, default=str))
    unit = sample(spec.parameters, spec.method, spec.n, spec.seed, spec.num_levels)
    values = to_values(spec.parameters, unit)
    todo = [i for i in range(len(values)) if not _measured(out, i, fp)]
    log.info("sensitivity %s (%s): %d points, %d already measured, %d to run", spec.name,
             spec.method, len(values), len(values) - len(todo), len(todo))
    _update_total(out, len(todo))
    returns: list[Any] = []
    for k in range(0, len(todo), spec.batch_size):
        idx = todo[k:k + spec.batch_size]
        batch = [[*arguments, f"sensitivity.sample={i}", f"sensitivity.point={_point(values[i])}"]
                 for i in idx]
        sweeper.validate_batch_is_legal(batch)
        returns.extend(sweeper.launcher.launch(batch, initial_job_idx=idx[0]))
    finalize(spec, unit, values, out, fp)
    return returns


def _measured(out: Path, i: int, fp: str) -> bool:
    d = read_measures(out / f"sample_{i}")
    return bool(d) and d.get("fingerprint") == fp and all(
        d["status"].get(k) == "measured" for k in d.get("values", {}))


def finalize(spec: SensitivitySpec, unit: np.ndarray, values: np.ndarray, out: Path,
             fp: str) -> Path | None:
    """Analyse every outcome; write ``sensitivity.h5``, ``sensitivity.csv``, figures."""
    import pandas as pd

    names = list(spec.outcomes.items)
    y = np.full((len(values), len(names)), np.nan)
    for i in range(len(values)):
        d = read_measures(out / f"sample_{i}")
        if d and d.get("fingerprint") == fp:
            y[i] = [float(d["values"].get(n, math.nan)) for n in names]
    missing = int(np.sum(~np.all(np.isfinite(y), axis=1)))
    if missing:
        log.error("sensitivity %s: %d of %d points have no finite outcome; re-run the same "
                  "command to run them again", spec.name, missing, len(values))
        return None
    pnames = [p.name for p in spec.parameters]
    indices = {n: analyze(spec.parameters, spec.method, unit, y[:, j], spec.seed,
                          spec.conf_level, spec.num_levels) for j, n in enumerate(names)}
    rows = [{"outcome": n, "parameter": p, **{k: float(v[i]) for k, v in idx.items()}}
            for n, idx in indices.items() for i, p in enumerate(pnames)]
    pd.DataFrame(rows).to_csv(out / "sensitivity.csv", index=False)
    keys = list(next(iter(indices.values())))
    res = Result(attrs={**provenance.versions(), "git_commit": provenance.git_commit(),
                        "kind": "sensitivity", "name": spec.name, "method": spec.method,
                        "n": spec.n, "seed": spec.seed, "conf_level": spec.conf_level,
                        "fingerprint": fp, "written": provenance.now_iso(),
                        "complete": True})
    res.groups["sample"] = {
        "parameter": Variable(np.array(pnames), ("parameter",), "", "varied config keys"),
        "outcome": Variable(np.array(names), ("outcome",), "", "outcomes"),
        "unit_point": Variable(unit, ("point", "parameter"), "1", "unit-cube sample"),
        "value": Variable(values, ("point", "parameter"), "", "parameter values"),
        "y": Variable(y, ("point", "outcome"), "", "outcome values"),
        "low": Variable(np.array([p.low for p in spec.parameters]), ("parameter",), "", "low"),
        "high": Variable(np.array([p.high for p in spec.parameters]), ("parameter",), "",
                         "high"),
    }
    res.groups["indices"] = {
        "parameter": Variable(np.array(pnames), ("parameter",), "", "varied config keys"),
        "outcome": Variable(np.array(names), ("outcome",), "", "outcomes"),
        **{k: Variable(np.array([indices[n][k] for n in names]), ("outcome", "parameter"),
                       "", f"SALib {spec.method} {k}") for k in keys},
    }
    path = io.write_result(out / RESULT, res)
    figure_hooks.draw("sensitivity", path, out)
    for n in names:
        order = np.argsort(-indices[n]["mu_star" if spec.method == "morris" else "ST"])
        k = "mu_star" if spec.method == "morris" else "ST"
        print(f"sensitivity {spec.name} [{n}] by {k}: " + ", ".join(
            f"{pnames[i]} {indices[n][k][i]:.3g}" for i in order), flush=True)
    print(f"wrote {path}", flush=True)
    return path
