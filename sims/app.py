"""The ``allonet`` Hydra app: compose the config and call :func:`sims.simulate.simulate`."""

from __future__ import annotations

import logging
import sys

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sims.config import CONFIG_DIR, ConfigError, register_configs, validate

register_configs()
log = logging.getLogger("allonet")


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def main(cfg: DictConfig) -> None:
    """Run one simulation into the Hydra job folder."""
    hc = HydraConfig.get()
    try:
        c = validate(cfg)  # fail fast, before Brian2 is even imported
        from pathlib import Path

        from sims.simulate import simulate, up_to_date

        target = Path(hc.runtime.output_dir) / c["output"]["filename"]
        if up_to_date(target, c):  # resume: a complete result of this exact config
            log.info("skipped: %s is complete for this config", target)
            return
        simulate(cfg, out_dir=hc.runtime.output_dir, overrides=list(hc.overrides.task))
    except ConfigError as exc:
        log.error("%s", exc)
        print(f"allonet: {exc}", file=sys.stderr)
        sys.exit(2)
