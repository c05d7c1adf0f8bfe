"""The config: typed schemas, validation of user input, composition and hashing.

:func:`validate` types a composed config against the schemas (:mod:`~sims.config.schema`
here, :mod:`sims.slow.schemas` for the slow layer's sections), checks ranges, units,
cross references and every derived constraint that later code divides by, indexes with or
converts (a PSD segment of too few samples, a recording step longer than the window, a
delay that is not a multiple of the time step, a network larger than this machine, ...),
and raises a :class:`~sims.errors.ConfigError` that names the key, the value and what is
allowed. All of it happens before any Brian2 object is created, so bad input never
compiles, runs or writes. Values are never changed silently: a value that later code would
have to clamp or round is rejected.

Modules, one job each:

- :mod:`~sims.config.schema`: the dataclass schemas, registered in Hydra's ConfigStore;
- :mod:`~sims.config.rules`: the number rules (unit suffixes, bounds) and the check helper;
- :mod:`~sims.config.typed`: typing against the schemas; the treatment node's normal form;
- :mod:`~sims.config.network`: populations, connections, the memory estimate, the
  per-population sections;
- :mod:`~sims.config.sections`: time grid, receptors, pharmacology, probe, sleep, running;
- :mod:`~sims.config.roles`: what each key is for (compiled / run-time / unused by the
  network; analysis nodes; bookkeeping keys; the keys a seed ignores);
- :mod:`~sims.config.calibrated`: dotted keys; a calibration's exported values applied;
- :mod:`~sims.config.validation`: :func:`validate`, the one entry;
- :mod:`~sims.config.composing`: composing (in an app or outside), normal form, hash.

The package sits above the slow layer (whose schemas and checks it assembles) and below
the fast layer, the coupling and every engine (``make lint`` checks the direction with
import-linter; ``pyproject.toml`` lists the layers).
"""

from sims.config.calibrated import MISSING, apply_calibrated, get_key, set_key
from sims.config.composing import (
    compose,
    compose_config,
    config_hash,
    normalised,
    override_key,
    register_resolvers,
)
from sims.config.network import (
    NETWORK_MEMORY_SHARE,
    NEURON_BYTES,
    POPULATION_SECTIONS,
    SYNAPSE_BYTES,
    connection_ends,
    network_memory_bytes,
    shipped_population_names,
)
from sims.config.schema import (
    ANALYSIS_NODES,
    PROBE_STATES,
    SEED_MODES,
    STATES,
    AllonetConfig,
    register_configs,
)
from sims.config.typed import normalise_treatment
from sims.config.validation import validate
from sims.constants import CONFIG_DIR, SCHEMA_VERSION
from sims.errors import ConfigError

__all__ = [
    "ANALYSIS_NODES", "CONFIG_DIR", "MISSING", "NETWORK_MEMORY_SHARE", "NEURON_BYTES",
    "POPULATION_SECTIONS", "PROBE_STATES", "SCHEMA_VERSION", "SEED_MODES", "STATES",
    "SYNAPSE_BYTES", "AllonetConfig", "ConfigError", "apply_calibrated", "compose",
    "compose_config", "config_hash", "connection_ends", "get_key", "network_memory_bytes",
    "normalise_treatment", "normalised", "override_key", "register_configs",
    "register_resolvers", "set_key", "shipped_population_names", "validate",
]
