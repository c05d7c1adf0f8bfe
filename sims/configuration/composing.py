"""Composing the Hydra config outside an app and inside one, its normal form, its hash."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Sequence

from omegaconf import DictConfig, OmegaConf, open_dict

from sims.configuration.schema import register_configs
from sims.configuration.typed import normalise_treatment
from sims.constants import CONFIG_DIR
from sims.slow.treatments import check_selection_overrides


def config_hash(c: dict) -> str:
    """A stable hash of a resolved config (sha256 of canonical JSON, first 16 hex)."""
    blob = json.dumps(c, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def register_resolvers() -> None:
    """OmegaConf resolvers used by ``configs/config.yaml`` (idempotent).

    ``${allonet_pid:}``: the process id of the command, part of every run and sweep folder
    name, so that runs started in the same second never share a folder.
    """
    import os

    if not OmegaConf.has_resolver("allonet_pid"):
        OmegaConf.register_new_resolver("allonet_pid", lambda: str(os.getpid()),
                                        use_cache=True)


def compose(overrides: list[str] | tuple[str, ...] = ()) -> DictConfig:
    """Compose the Hydra config outside an app (tests, notebooks, benchmarks)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    check_selection_overrides(overrides)
    register_configs()
    register_resolvers()
    if GlobalHydra.instance().is_initialized():
        GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = hydra_compose("config", overrides=list(overrides))
    OmegaConf.set_struct(cfg, False)
    cfg.pop("hydra", None)
    return normalised(cfg)


def normalised(cfg: DictConfig) -> DictConfig:
    """``cfg`` (struct off) with its treatment node in the validated form: one treatment
    flat (``treatment.<key>`` addresses its keys), several as ``combination``."""
    if "treatment" in cfg:
        cfg.treatment = OmegaConf.create(
            normalise_treatment(OmegaConf.to_container(cfg.treatment, resolve=True)))
    return cfg


def override_key(override: str) -> str:
    """The dotted key a Hydra override sets (``+a.b=1``, ``~a.b`` and ``a.b=1`` -> ``a.b``)."""
    return override.partition("=")[0].lstrip("+~")


_COMPOSED: dict[tuple[str, ...], DictConfig] = {}


def compose_config(overrides: Sequence[str]) -> DictConfig:
    """The composed (unresolved, normalised) config of ``overrides``: inside a running
    ``allonet`` app through its config loader, elsewhere through :func:`compose`; cached per
    process (a deep copy is returned)."""
    key = tuple(overrides)
    if key not in _COMPOSED:
        from hydra.core.global_hydra import GlobalHydra

        gh = GlobalHydra.instance()
        if gh.is_initialized():
            from hydra.types import RunMode

            cfg = gh.config_loader().load_configuration("config", overrides=list(overrides),
                                                        run_mode=RunMode.RUN)
            with open_dict(cfg):
                del cfg["hydra"]
            OmegaConf.set_struct(cfg, False)
            cfg = normalised(cfg)
        else:
            cfg = compose(list(overrides))
        _COMPOSED[key] = cfg
    return copy.deepcopy(_COMPOSED[key])
