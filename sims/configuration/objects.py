"""The validated config as typed objects.

:func:`validate` checks a composed config and returns it as a plain dict: the form that is
hashed, stored in every result file and varied per individual by cohorts.
:func:`as_config` turns that dict into instances of the schemas it was checked against
(:class:`~sims.configuration.schema.AllonetConfig` and the classes it nests), so code
reads ``cfg.network.populations["E"].n`` -- a typo is an ``AttributeError``, and a type
checker and an editor know every field, its unit (the name's suffix) and its doc.
:func:`as_dict` is the inverse (``as_dict(as_config(c)) == c``).

How each node becomes an object is read from the schemas themselves:

- a nested schema (a dataclass-typed field) -> that class;
- a named collection (:func:`sims.params.collection`) -> ``{name: entry schema}``;
- a list of a schema (``scenario.stress_tests``) -> a list of instances;
- ``scenario`` -> the class of its ``name`` (:data:`~sims.slow.schemas.SCENARIO_SCHEMAS`);
- ``treatment`` -> the class of its ``name``, or :class:`TreatmentCombination` for several;
- the analyses' nodes (``cohort``, ``study``, ...: parsed into specs by their own
  modules) stay mappings; an unset one is ``None``.

The builder is :func:`sims.params.build`: the slow layer, below this package, types its
own sections with it (:func:`~sims.slow.schemas.typed_scenario` and the like).
The objects are a snapshot: mutable containers are copied, so changing one never changes
the dict it came from (or the reverse).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

from sims.configuration.roles import ANALYSIS_NODES
from sims.configuration.schema import AllonetConfig
from sims.params import build, layout, unbuild
from sims.slow.schemas import TreatmentCombination, typed_scenario, typed_treatment

#: The typed config (the root schema).
Config = AllonetConfig

__all__ = ["Config", "TreatmentCombination", "as_config", "as_dict", "as_section",
           "collections"]

#: Root fields whose class follows their ``name`` key.
_BY_NAME = {"scenario": typed_scenario, "treatment": typed_treatment}


def as_config(c: Mapping[str, Any] | AllonetConfig) -> AllonetConfig:
    """The validated config ``c`` as typed objects (``c`` itself if it already is one).

    Raises:
        KeyError, TypeError: ``c`` is not a validated config (a programming error: user
            input goes through :func:`~sims.config.validate`, which names the key).
    """
    if isinstance(c, AllonetConfig):
        return c
    return build(AllonetConfig, c, "", special=_BY_NAME, optional=ANALYSIS_NODES)


def as_section(schema: type, node: Mapping[str, Any], key: str) -> Any:
    """One validated section ``node`` (at dotted ``key``) as an instance of its schema
    (e.g. ``as_section(ReceptorsConfig, c["receptors"], "receptors")``): for code that
    changes one section many times and reads it typed."""
    return build(schema, node, key + ".")


def as_dict(cfg: AllonetConfig | Mapping[str, Any]) -> dict[str, Any]:
    """The plain validated dict of a typed config (a copy of ``cfg`` if it is a mapping):
    the form that is hashed and stored."""
    if not isinstance(cfg, AllonetConfig):
        return copy.deepcopy(dict(cfg))
    return {f.name: unbuild(getattr(cfg, f.name)) for f in dataclasses.fields(cfg)
            # validate leaves unset analyses out
            if not (f.name in ANALYSIS_NODES and getattr(cfg, f.name) is None)}


def collections(schema: type = AllonetConfig, prefix: str = "") -> Iterator[tuple[str, type]]:
    """(dotted path, entry schema) of every named collection under ``schema``, in field
    order -- what :func:`~sims.config.validate` types entry by entry."""
    for name, how, cls in layout(schema):
        if how == "entries":
            yield prefix + name, cls
        elif how == "schema":
            yield from collections(cls, f"{prefix}{name}.")
