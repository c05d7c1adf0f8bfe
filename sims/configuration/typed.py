"""Typing a plain config against the schemas: unknown keys, missing values and wrong types
become :class:`~sims.errors.ConfigError`; absent keys take the schema's defaults. Also the
treatment node's normal form (one treatment flat, several as a combination)."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import functools
import re
import typing
from typing import Any

from omegaconf import MISSING

from sims.configuration.rules import _check, _fields
from sims.errors import ConfigError
from sims.params import allowed as param_allowed
from sims.params import is_param, within
from sims.slow.schemas import COMBINATION, TREATMENT_SCHEMAS, TREATMENT_SHORTHAND


@functools.cache
def _hints(schema: type) -> dict[str, Any]:
    return typing.get_type_hints(schema)


def _scalar(kind: type, value: Any, key: str) -> Any:
    """``value`` as the scalar type ``kind``, converted the way OmegaConf converts."""
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
    elif kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
            return int(value)
    elif kind is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                return float(value)
    elif kind is str:
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
    else:
        return value
    raise ConfigError(key, value, f"a value of type {kind.__name__}")


def _typed_value(hint: Any, value: Any, key: str) -> Any:
    """``value`` checked (and converted) against a schema field's type ``hint``."""
    if dataclasses.is_dataclass(hint):
        return _merge_typed(hint, value, key + ".")
    origin = typing.get_origin(hint)
    if origin is list:
        (item,) = typing.get_args(hint)
        _check(isinstance(value, list), key, value, "a list")
        return [_typed_value(item, v, f"{key}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        _, item = typing.get_args(hint)
        _check(isinstance(value, dict), key, value, "a mapping")
        return {str(k): _typed_value(item, v, f"{key}.{k}") for k, v in value.items()}
    if hint is Any:
        return value
    return _scalar(hint, value, key)


def _merge_typed(schema: Any, c: Any, prefix: str = "") -> dict:
    """``c`` checked against a dataclass schema: unknown keys, missing required values and
    wrong types become :class:`ConfigError`; absent keys take the schema's defaults.

    (A plain-Python walk of the schema: OmegaConf's structured merge does the same at
    ~5 ms a node, which made validation too slow to check every job of a sweep.)
    """
    allowed = _fields(schema)
    if not isinstance(c, dict):
        raise ConfigError(prefix.rstrip(".") or "(config)", c, f"a mapping of the keys {allowed}")
    unknown = [k for k in c if k not in allowed]
    if unknown:
        raise ConfigError(f"{prefix}{unknown[0]}", c[unknown[0]],
                          f"only known keys here, one of {allowed} (unknown key: check "
                          "spelling)")
    hints = _hints(schema)
    out = {}
    for f in dataclasses.fields(schema):
        key = f"{prefix}{f.name}"
        if f.name in c and c[f.name] is not None and c[f.name] != "???":  # ??? = MISSING
            out[f.name] = value = _typed_value(hints[f.name], c[f.name], key)
            if is_param(f) and isinstance(value, int | float) and not isinstance(value, bool):
                _check(within(value, f.metadata), key, value, param_allowed(f.metadata))
            continue
        if f.default is not dataclasses.MISSING and f.default is not MISSING:
            out[f.name] = copy.deepcopy(f.default)
        elif f.default_factory is not dataclasses.MISSING:
            made = f.default_factory()
            out[f.name] = dataclasses.asdict(made) if dataclasses.is_dataclass(made) else made
        else:
            raise ConfigError(key, "(missing)", "a value: this key has no default")
    return out


def _type_entries(c: dict, path: str, schema: Any) -> None:
    """Type every entry of the named collection at ``path`` (e.g. network.populations)."""
    *parents, leaf = path.split(".")
    node = c
    for p in parents:
        node = node[p]
    entries = node[leaf]
    _check(isinstance(entries, dict), path, entries, "a mapping of names to entries")
    node[leaf] = {name: _merge_typed(schema, e, f"{path}.{name}.")
                  for name, e in entries.items()}


def _check_polymorphic(c: dict, group: str, schemas: dict[str, Any]) -> None:
    node = c[group]
    name = node.get("name") if isinstance(node, dict) else None
    if name not in schemas:
        raise ConfigError(f"{group}.name", name, f"one of {sorted(schemas)}")
    c[group] = _merge_typed(schemas[name], node, prefix=f"{group}.")


def normalise_treatment(node: Any) -> dict:
    """The treatment node in its validated form: one treatment -> its flat config (``name``
    and its keys, as a single treatment always was); several (``treatment=[a,b]``) ->
    ``{name: combination, a: {...}, b: {...}}`` in the canonical order of
    :data:`TREATMENT_SCHEMAS` (so ``[a,b]`` and ``[b,a]`` are the same run). Accepts the
    composed form (one entry per selected treatment, plus shorthand keys) and the
    validated one (re-validation).

    Raises:
        ConfigError: naming the key, the value and what is allowed.
    """
    _check(isinstance(node, dict), "treatment", node, "a treatment config")
    composed = any(node.get(n) is not None for n in TREATMENT_SCHEMAS)
    if not composed and node.get("name") != COMBINATION:  # one treatment, flat
        one = {"treatment": node}
        _check_polymorphic(one, "treatment", TREATMENT_SCHEMAS)
        return one["treatment"]
    if composed and node.get("name", "none") not in ("none", COMBINATION):
        raise ConfigError("treatment.name", node["name"], "not set: select treatments with "
                          "treatment=NAME or treatment=[NAME,NAME]")
    allowed = sorted(TREATMENT_SCHEMAS)
    for key in node:
        if key not in TREATMENT_SCHEMAS and key not in TREATMENT_SHORTHAND and key != "name":
            raise ConfigError(f"treatment.{key}", node[key],
                              f"a treatment ({allowed}) or a key of one (unknown key)")
    chosen = [n for n in TREATMENT_SCHEMAS if node.get(n) is not None]
    short = {k: v for k, v in node.items()
             if k in TREATMENT_SHORTHAND and v is not None}
    if not chosen:
        chosen = ["none"]
    if "none" in chosen and len(chosen) > 1:
        raise ConfigError("treatment", chosen, "either none or a list of treatments "
                          f"from {[n for n in allowed if n != 'none']} (none cannot combine)")
    for n in chosen:
        entry = node.get(n) or {}
        _check(isinstance(entry, dict), f"treatment.{n}", entry, "a mapping of its keys")
        _check(entry.get("name", n) == n, f"treatment.{n}.name", entry.get("name"),
               f"{n!r} (the entry's own name) or absent")
    if len(chosen) == 1:
        n = chosen[0]
        flat = {**(node.get(n) or {}), **short, "name": n}
        for key in short:
            _check(key in _fields(TREATMENT_SCHEMAS[n]), f"treatment.{key}", short[key],
                   f"a key of the {n} treatment, one of {_fields(TREATMENT_SCHEMAS[n])}")
        return _merge_typed(TREATMENT_SCHEMAS[n], flat, prefix="treatment.")
    if short:
        key = next(iter(short))
        raise ConfigError(f"treatment.{key}", short[key],
                          f"a key of one treatment when several are given ({chosen}): "
                          f"treatment.<name>.{key}, e.g. treatment.{chosen[0]}.{key}")
    out: dict[str, Any] = {"name": COMBINATION}
    for n in chosen:
        out[n] = _merge_typed(TREATMENT_SCHEMAS[n], {**node[n], "name": n},
                              prefix=f"treatment.{n}.")
    return out
