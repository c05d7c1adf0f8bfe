"""The config: typed schemas, validation of user input, composition and hashing.

:func:`validate` types a composed config against the schemas (:mod:`~sims.configuration.schema`
here, :mod:`sims.slow.schemas` for the slow layer's sections), checks ranges, units,
cross references and every derived constraint that later code divides by, indexes with or
converts (a PSD segment of too few samples, a recording step longer than the window, a
delay that is not a multiple of the time step, a network larger than this machine, ...),
and raises a :class:`~sims.errors.ConfigError` that names the key, the value and what is
allowed. All of it happens before any Brian2 object is created, so bad input never
compiles, runs or writes. Values are never changed silently: a value that later code would
have to clamp or round is rejected.

This module is the public face (``from sims.config import validate``) of the package
:mod:`sims.configuration`, whose modules have one job each:

- ``schema``: the dataclass schemas, registered in Hydra's ConfigStore;
- ``rules``: the number rules (unit suffixes, bounds) and the check helper;
- ``typed``: typing against the schemas; the treatment node's normal form;
- ``network``: populations, connections, the memory estimate, the per-population
  sections;
- ``sections``: time grid, receptors, pharmacology, probe, sleep, running;
- ``roles``: what each key is for (compiled / run-time / unused by the network; analysis
  nodes; bookkeeping keys; the keys a seed ignores);
- ``calibrated``: dotted keys; a calibration's exported values applied;
- ``validation``: :func:`validate`, the one entry;
- ``objects``: the validated config as typed objects (:func:`as_config`, :func:`as_dict`);
  the fast layer reads these;
- ``composing``: composing (in an app or outside), normal form, hash;
- ``parameters``: the manual's parameters page, from the schemas' declarations.

Together they sit above the slow layer (whose schemas and checks they assemble) and below
the fast layer, the coupling and every engine (``make lint`` checks the direction with
import-linter; ``pyproject.toml`` lists the layers).
"""

from sims.configuration.calibrated import MISSING, apply_calibrated, get_key, set_key
from sims.configuration.composing import (
    compose,
    compose_config,
    config_hash,
    normalised,
    override_key,
    register_resolvers,
)
from sims.configuration.network import (
    NETWORK_MEMORY_SHARE,
    NEURON_BYTES,
    POPULATION_SECTIONS,
    SYNAPSE_BYTES,
    connection_ends,
    network_memory_bytes,
    shipped_population_names,
)
from sims.configuration.objects import Config, TreatmentCombination, as_config, as_dict
from sims.configuration.roles import ANALYSIS_NODES
from sims.configuration.schema import (
    PROBE_STATES,
    SEED_MODES,
    STATES,
    AllonetConfig,
    register_configs,
)
from sims.configuration.typed import normalise_treatment
from sims.configuration.validation import validate
from sims.constants import CONFIG_DIR, SCHEMA_VERSION
from sims.errors import ConfigError

__all__ = [
    "ANALYSIS_NODES", "CONFIG_DIR", "MISSING", "NETWORK_MEMORY_SHARE", "NEURON_BYTES",
    "POPULATION_SECTIONS", "PROBE_STATES", "SCHEMA_VERSION", "SEED_MODES", "STATES",
    "SYNAPSE_BYTES", "AllonetConfig", "Config", "ConfigError", "TreatmentCombination",
    "apply_calibrated", "as_config", "as_dict", "compose", "compose_config", "config_hash",
    "connection_ends", "get_key", "network_memory_bytes", "normalise_treatment", "normalised",
    "override_key", "register_configs", "register_resolvers", "set_key",
    "shipped_population_names", "validate",
]
