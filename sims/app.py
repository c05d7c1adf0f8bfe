"""The ``allonet`` Hydra app: compose the config and call :func:`sims.simulate.simulate`."""

from __future__ import annotations

import logging
import sys

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sims.config import CONFIG_DIR, ConfigError, register_configs

register_configs()
log = logging.getLogger("allonet")


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def main(cfg: DictConfig) -> None:
    """Run one simulation into the Hydra job folder."""
    from sims.simulate import simulate  # Brian2 is imported only once the config composed

    hc = HydraConfig.get()
    try:
        simulate(cfg, out_dir=hc.runtime.output_dir, overrides=list(hc.overrides.task))
    except ConfigError as exc:
        log.error("%s", exc)
        print(f"allonet: {exc}", file=sys.stderr)
        sys.exit(2)
