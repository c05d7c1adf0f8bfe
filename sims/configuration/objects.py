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
- ``scenario`` -> the class of its ``name`` (:data:`~sims.slow.schemas.SCENARIO_SCHEMAS`);
- ``treatment`` -> the class of its ``name``, or :class:`TreatmentCombination` for several;
- the analyses' nodes (``cohort``, ``study``, ...: parsed into specs by their own
  modules) stay mappings; an unset one is ``None``.

The objects are a snapshot: mutable containers are copied, so changing one never changes
the dict it came from (or the reverse).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sims.configuration.roles import ANALYSIS_NODES
from sims.configuration.schema import AllonetConfig
from sims.params import entry_schema
from sims.slow.schemas import SCENARIO_SCHEMAS, TREATMENT_SCHEMAS
from sims.slow.treatments import COMBINATION

#: The typed config (the root schema).
Config = AllonetConfig


@dataclass
class TreatmentCombination:
    """Several treatments given together (``treatment=[a,b]``): each by its own schema."""

    name: str = COMBINATION
    parts: dict[str, Any] = field(default_factory=dict)  # treatment name -> its config


#: Fields whose class follows their ``name`` key.
_BY_NAME = {"scenario": SCENARIO_SCHEMAS, "treatment": TREATMENT_SCHEMAS}


@functools.cache
def _layout(schema: type) -> tuple[tuple[str, str, Any], ...]:
    """(field name, how it is built, the class it is built with) of a schema's fields."""
    hints = typing.get_type_hints(schema)
    out = []
    for f in dataclasses.fields(schema):
        hint = hints[f.name]
        if entry_schema(f) is not None:
            out.append((f.name, "entries", entry_schema(f)))
        elif dataclasses.is_dataclass(hint):
            out.append((f.name, "schema", hint))
        elif schema is AllonetConfig and f.name in _BY_NAME:
            out.append((f.name, "by_name", _BY_NAME[f.name]))
        else:
            out.append((f.name, "value", hint))
    return tuple(out)


def _leaf(value: Any) -> Any:
    return copy.deepcopy(value) if isinstance(value, list | dict) else value


def _build(schema: type, node: Mapping[str, Any], where: str) -> Any:
    if not isinstance(node, Mapping):
        raise TypeError(f"{where.rstrip('.') or 'the config'}: a mapping for {schema.__name__}, "
                        f"got {type(node).__name__} (is it validated?)")
    kwargs: dict[str, Any] = {}
    for name, how, cls in _layout(schema):
        if name not in node:
            if name in ANALYSIS_NODES and schema is AllonetConfig:
                continue  # unset analysis: the schema's default, None
            raise KeyError(f"{where}{name}: missing -- as_config takes a validated config "
                           "(sims.config.validate)")
        value = node[name]
        key = f"{where}{name}"
        if how == "entries":
            value = {k: _build(cls, e, f"{key}.{k}.") for k, e in value.items()}
        elif how == "schema":
            value = _build(cls, value, key + ".")
        elif how == "by_name":
            value = _by_name(name, cls, value)
        else:
            value = _leaf(value)
        kwargs[name] = value
    return schema(**kwargs)


def _by_name(name: str, schemas: Mapping[str, type], node: Mapping[str, Any]) -> Any:
    if name == "treatment" and node["name"] == COMBINATION:
        parts = {k: _build(schemas[k], v, f"treatment.{k}.")
                 for k, v in node.items() if k != "name"}
        return TreatmentCombination(parts=parts)
    return _build(schemas[node["name"]], node, f"{name}.")


def as_config(c: Mapping[str, Any] | AllonetConfig) -> AllonetConfig:
    """The validated config ``c`` as typed objects (``c`` itself if it already is one).

    Raises:
        KeyError, TypeError: ``c`` is not a validated config (a programming error: user
            input goes through :func:`~sims.config.validate`, which names the key).
    """
    if isinstance(c, AllonetConfig):
        return c
    return _build(AllonetConfig, c, "")


def as_section(schema: type, node: Mapping[str, Any], key: str) -> Any:
    """One validated section ``node`` (at dotted ``key``) as an instance of its schema
    (e.g. ``as_section(ReceptorsConfig, c["receptors"], "receptors")``): for code that
    changes one section many times and reads it typed."""
    return _build(schema, node, key + ".")


def _unbuild(obj: Any) -> Any:
    if isinstance(obj, TreatmentCombination):
        return {"name": obj.name, **{k: _unbuild(v) for k, v in obj.parts.items()}}
    if dataclasses.is_dataclass(obj):
        out = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if isinstance(obj, AllonetConfig) and f.name in ANALYSIS_NODES and value is None:
                continue  # validate leaves unset analyses out
            out[f.name] = _unbuild(value)
        return out
    if isinstance(obj, dict):
        return {k: _unbuild(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_unbuild(v) for v in obj]
    return obj


def as_dict(cfg: AllonetConfig | Mapping[str, Any]) -> dict[str, Any]:
    """The plain validated dict of a typed config (a copy of ``cfg`` if it is a mapping):
    the form that is hashed and stored."""
    return _unbuild(cfg) if isinstance(cfg, AllonetConfig) else copy.deepcopy(dict(cfg))


def collections(schema: type = AllonetConfig, prefix: str = "") -> Iterator[tuple[str, type]]:
    """(dotted path, entry schema) of every named collection under ``schema``, in field
    order -- what :func:`~sims.config.validate` types entry by entry."""
    for name, how, cls in _layout(schema):
        if how == "entries":
            yield prefix + name, cls
        elif how == "schema":
            yield from collections(cls, f"{prefix}{name}.")
