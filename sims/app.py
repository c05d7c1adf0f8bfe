"""The ``allonet`` Hydra app: compose the config and call :func:`sims.simulate.run_job`.

In a multirun (``-m``) a failing job is recorded in its ``job_status.json`` instead of
raising, so the other jobs go on; the sweep callback (``sims.sweep.SweepSummary``) then
prints the failures and exits with status 1. A single run exits 2 on bad input and
re-raises any other error.
"""

from __future__ import annotations

import logging
import sys
import time

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from sims.config import CONFIG_DIR, ConfigError, register_configs

register_configs()
log = logging.getLogger("allonet")


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def main(cfg: DictConfig) -> str:
    """Run one simulation (or skip it if complete) into the Hydra job folder."""
    from sims import sweep
    from sims.simulate import run_job

    hc = HydraConfig.get()
    multirun = hc.mode == RunMode.MULTIRUN
    overrides = list(hc.overrides.task)
    out_dir = hc.runtime.output_dir
    num = hc.job.get("num") if multirun else None
    t0 = time.perf_counter()
    try:
        status = run_job(cfg, out_dir, overrides)
    except Exception as exc:  # noqa: BLE001 - every failure is reported, see below
        msg = f"{type(exc).__name__}: {exc}"
        if multirun:
            sweep.record_job(out_dir, num, overrides, "failed", time.perf_counter() - t0, msg)
            log.error("job %s failed: %s", num, msg)
            log.info("%s", sweep.progress_line(hc.sweep.dir))
            return "failed"
        if isinstance(exc, ConfigError):
            log.error("%s", exc)
            print(f"allonet: {exc}", file=sys.stderr)
            sys.exit(2)
        raise
    if multirun:
        sweep.record_job(out_dir, num, overrides, status, time.perf_counter() - t0)
        log.info("%s", sweep.progress_line(hc.sweep.dir))
    return status
