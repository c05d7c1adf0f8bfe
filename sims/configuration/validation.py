"""The one entry of validation: a composed config in, a plain checked dict out."""

from __future__ import annotations

from omegaconf import DictConfig, OmegaConf

from sims.configuration.calibrated import apply_calibrated
from sims.configuration.network import _apply_to_existing_populations, _check_network
from sims.configuration.objects import collections
from sims.configuration.roles import ANALYSIS_NODES
from sims.configuration.rules import _check_numbers
from sims.configuration.schema import AllonetConfig
from sims.configuration.sections import (
    _check_pharmacology,
    _check_probe,
    _check_receptors,
    _check_running,
    _check_sleep,
    _check_time_grid,
)
from sims.configuration.typed import (
    _check_polymorphic,
    _merge_typed,
    _type_entries,
    normalise_treatment,
)
from sims.slow import checks as slow_checks
from sims.slow.schemas import SCENARIO_SCHEMAS


def validate(cfg: DictConfig | dict) -> dict:
    """Check a composed config and return it as a plain resolved dict (typed objects of it:
    :func:`~sims.configuration.objects.as_config`).

    Raises:
        ConfigError: naming the first offending key, its value and what is allowed.
    """
    c = OmegaConf.to_container(cfg, resolve=True) if isinstance(cfg, DictConfig) else cfg
    if "treatment" in c:  # first: calibrated values address its validated keys
        c["treatment"] = normalise_treatment(c["treatment"])
    if c.get("calibrated"):
        apply_calibrated(c)
    c = _merge_typed(AllonetConfig, c)
    for node in ANALYSIS_NODES:  # unset analyses are not part of a run's config (or hash)
        if c[node] is None:
            del c[node]
    for path, entry in collections():  # network.populations, ... (sims.params.collection)
        _type_entries(c, path, entry)
    _check_polymorphic(c, "scenario", SCENARIO_SCHEMAS)
    c["treatment"] = normalise_treatment(c["treatment"])
    _apply_to_existing_populations(c)
    _check_numbers(c)
    _check_running(c)
    _check_time_grid(c)
    _check_network(c)
    _check_receptors(c)
    _check_pharmacology(c)
    _check_probe(c)
    _check_sleep(c)
    slow_checks.check(c)
    return c
