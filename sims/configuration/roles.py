"""What each config key is for, read from the schemas.

The schemas declare it (a section's ``ROLE``, a field's ``role=``, :func:`sims.params.
bookkeeping`, ``analysis_node``); every list here derives from those marks:

- :func:`key_class`: whether a key is compiled into the network binary, a run-time value
  of it, or unused by the network. The build cache (:mod:`sims.fast.build_cache`) hashes
  the compiled keys; cohorts and calibrations refuse to vary a compiled key per individual
  or trial.
- :data:`ANALYSIS_NODES`: top-level nodes of the analyses. Validation leaves them out of
  a run's numbers checks and, when unset, out of its config (and hash).
- :data:`ANALYSIS_RUN_NODES`: the analyses that drive runs (targets, calibration,
  sensitivity, uncertainty); an experiment's runs never inherit them.
- :data:`BOOKKEEPING_KEYS`: keys that choose how a run is run, not what it computes.
- :data:`SEED_IGNORED_KEYS`: bookkeeping and analysis keys; they never enter a job's seed
  (:mod:`sims.seeds`).
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import typing
from typing import Any

from sims.configuration.schema import ANALYSIS_META, AllonetConfig
from sims.params import (
    BOOKKEEPING_META,
    COMPILED,
    RUNTIME,
    UNUSED,
    entry_schema,
    field_role,
)


@functools.cache
def _fields_of(schema: type) -> dict[str, tuple[dataclasses.Field, Any]]:
    hints = typing.get_type_hints(schema)
    return {f.name: (f, hints[f.name]) for f in dataclasses.fields(schema)}


def _marked(schema: type, meta: str, prefix: str = "") -> list[str]:
    """Dotted keys of the fields under ``schema`` whose metadata carries ``meta``."""
    out = []
    for f, hint in _fields_of(schema).values():
        if f.metadata.get(meta):
            out.append(prefix + f.name)
        elif dataclasses.is_dataclass(hint):
            out.extend(_marked(hint, meta, f"{prefix}{f.name}."))
    return out


#: Top-level nodes of the analyses (``analysis_node`` fields of the root schema): not part
#: of the simulation's numbers checks.
ANALYSIS_NODES = tuple(_marked(AllonetConfig, ANALYSIS_META))
#: The analyses that drive runs of their own (``calibrated`` values, by contrast, are part
#: of the simulation: validation applies them).
ANALYSIS_RUN_NODES = tuple(f.name for f in dataclasses.fields(AllonetConfig)
                           if f.metadata.get(ANALYSIS_META) == "runs")
#: How a run is run (``bookkeeping`` fields: device, files, workers, the slow layer's
#: numerics, the seed keys themselves), never what it computes.
BOOKKEEPING_KEYS = tuple(_marked(AllonetConfig, BOOKKEEPING_META))
#: Keys (prefixes) that never enter a job's seed: bookkeeping and the analyses' nodes (a
#: cohort's individuals derive their seeds from the cohort's, sims.cohort.sampling).
SEED_IGNORED_KEYS = BOOKKEEPING_KEYS + ANALYSIS_NODES


def under(key: str, prefixes: tuple[str, ...]) -> bool:
    """Whether dotted ``key`` is one of ``prefixes`` or inside one (``a.b``, ``a[0]``)."""
    return any(key == k or key.startswith((k + ".", k + "[")) for k in prefixes)


#: The build classes of a key (declared in the schemas: sims.params.ROLES).
__all__ = ["ANALYSIS_NODES", "ANALYSIS_RUN_NODES", "BOOKKEEPING_KEYS", "COMPILED",
           "RUNTIME", "SEED_IGNORED_KEYS", "UNUSED", "key_class", "key_matches", "under"]

def key_matches(key: str, pattern: str) -> bool:
    """Whether dotted ``key`` matches ``pattern`` (``*`` one key, ``**`` a subtree)."""
    head = key.split("[")[0]  # list items belong to their list's key
    if pattern.endswith(".**"):
        root = pattern[:-3]
        return fnmatch.fnmatchcase(head, root) or any(
            fnmatch.fnmatchcase(".".join(head.split(".")[:n]), root)
            for n in range(1, head.count(".") + 1))
    return fnmatch.fnmatchcase(head, pattern) and head.count(".") == pattern.count(".")


#: Fields that document a value (its source): never read by the network.
DOCUMENTATION_FIELDS = ("source",)


def _schema_role(schema: Any) -> str | None:
    return getattr(schema, "ROLE", None) if dataclasses.is_dataclass(schema) else None


@functools.cache
def key_class(key: str) -> str:
    """``compiled``, ``runtime`` or ``unused`` for a dotted config key, read from the
    schemas: a field's own role (``param(..., role=...)``, ``with_role``), else its
    schema's ``ROLE`` (inherited by the schemas it nests and by the entries of its named
    collections, unless they declare their own); documentation fields (``source``) are
    unused; a key below a plain value (a mapping such as ``steroids.brain_nM``, a list, an
    analysis node) has that value's role.

    Raises:
        KeyError: the key is not a field of the schemas, or no role is declared for it (a
            programming error: every key must be declared before it can be used).
    """
    parts = key.split("[")[0].split(".")
    schema: Any = AllonetConfig
    role: str | None = None
    i = 0
    while i < len(parts):
        if schema is None:  # below a plain value: its role
            break
        fields = _fields_of(schema)
        if parts[i] not in fields:
            raise KeyError(f"config key {key!r}: {parts[i]!r} is not a field of "
                           f"{schema.__name__} (one of {sorted(fields)})")
        f, hint = fields[parts[i]]
        entry = entry_schema(f)
        nested = entry or (hint if dataclasses.is_dataclass(hint) else None)
        role = field_role(f) or _schema_role(nested) or role
        if parts[i] in DOCUMENTATION_FIELDS and nested is None:
            role = UNUSED
        schema = nested
        i += 2 if entry is not None else 1  # skip the entry's name
    if role is None:
        raise KeyError(f"config key {key!r} has no declared role (compiled, runtime or "
                       "unused): declare ROLE on its schema or role= on its field")
    return role
