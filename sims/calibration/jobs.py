"""The job of a calibration trial or a sensitivity sample (run by any Hydra launcher).

A job reads its parameter values from ``calibration.point`` / ``sensitivity.point`` (in
the order of the analysis's parameters), evaluates the statistics of the analysis's
targets or outcomes on runs with those values (``sims.calibration.evaluate``) and writes
``measures.json`` in its job folder: the values, each statistic's status, the point and
the analysis's fingerprint. Scoring (z-scores, the loss) is done by the driver in the
main process, so a synthetic-truth calibration scores the same jobs against other values.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sims.calibration.evaluate import evaluate, simulation_overrides
from sims.calibration.spec import (
    fingerprint,
    parse_calibration,
    parse_sensitivity,
    point_values,
)
from sims.errors import ConfigError
from sims.sweep import write_json

MEASURES = "measures.json"


def analysis_kind(c: Mapping[str, Any]) -> str | None:
    """``calibration``, ``sensitivity`` or ``uncertainty`` if the config holds one."""
    kinds = [k for k in ("calibration", "sensitivity", "uncertainty") if c.get(k)]
    if len(kinds) > 1:
        raise ConfigError(kinds[1], "(set)", f"one analysis per command ({kinds[0]} is set)")
    return kinds[0] if kinds else None


def driver_config(cfg: Any) -> dict[str, Any]:
    """The sweeper's composed config without ``hydra``, resolved to plain Python."""
    from omegaconf import OmegaConf

    plain = OmegaConf.to_container(cfg, resolve=False)
    plain.pop("hydra", None)
    return OmegaConf.to_container(OmegaConf.create(plain), resolve=True)


def read_measures(job_dir: str | Path) -> dict[str, Any] | None:
    """A job's ``measures.json``, or None if it has none (or an unreadable one)."""
    try:
        return json.loads((Path(job_dir) / MEASURES).read_text())
    except (OSError, ValueError):
        return None


def run_measure_job(c: dict, out_dir: str | Path, overrides: Sequence[str]) -> dict[str, Any]:
    """Evaluate one point of a calibration or sensitivity analysis; write ``measures.json``.

    Raises:
        ConfigError: bad analysis config or point (nothing runs).
    """
    kind = analysis_kind(c)
    if kind == "calibration":
        spec = parse_calibration(c)
        items, index = spec.targets, c["calibration"].get("trial")
    elif kind == "sensitivity":
        spec = parse_sensitivity(c)
        items, index = spec.outcomes, c["sensitivity"].get("sample")
    else:
        raise ConfigError("calibration", None, "a calibration or sensitivity job")
    params = point_values(spec.parameters, c[kind].get("point"), f"{kind}.point")
    base = simulation_overrides(overrides)
    t0 = time.perf_counter()
    results = evaluate(items, base, params, allow_network=True)
    data = {"kind": kind, "name": spec.name, "index": index, "params": params,
            "fingerprint": fingerprint(spec.identity(base)),
            "values": {r.target.name: r.value for r in results},
            "status": {r.target.name: r.status for r in results},
            "reasons": {r.target.name: r.reason for r in results if r.reason},
            "wall_s": time.perf_counter() - t0}
    path = Path(out_dir)
    path.mkdir(parents=True, exist_ok=True)
    write_json(path / MEASURES, data)  # atomic: a killed job leaves no half file
    return data
