"""``+calibrated=NAME``: a calibration's best parameter values, applied to a run.

A calibration writes ``<export_dir>/calibrated/<name>.yaml`` (default
``outputs/configs/calibrated``, on Hydra's search path, see ``configs/config.yaml``)::

    calibrated:
      name: quick
      parameters:
        treatment.cl_L_per_h_per_kg: {value: 1.31, when: {treatment.name: [brexanolone]}}

:func:`apply_calibrated` (called by ``sims.config.validate``) sets each value on the
composed config. A key that was calibrated under a particular scenario or treatment
carries ``when``: it applies only when that scenario or treatment is selected (a
brexanolone clearance is not a zuranolone clearance); elsewhere it is left out. A key that
should apply but does not exist is an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sims.errors import ConfigError

#: What :func:`get_key` returns for a key the config does not have.
MISSING = object()


def get_key(c: Mapping[str, Any], key: str) -> Any:
    """The value at a dotted key of a nested mapping, or :data:`MISSING`."""
    node: Any = c
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return MISSING
        node = node[part]
    return node


def set_key(c: dict, key: str, value: Any) -> None:
    """Set a dotted key of a nested dict in place."""
    *parents, leaf = key.split(".")
    node = c
    for part in parents:
        node = node[part]
    node[leaf] = value


def applies(c: Mapping[str, Any], when: Mapping[str, Any] | None) -> bool:
    """Whether every ``selector: [names]`` condition holds in ``c``."""
    for sel, names in (when or {}).items():
        allowed = names if isinstance(names, list | tuple) else [names]
        if get_key(c, sel) not in allowed:
            return False
    return True


def apply_calibrated(c: dict) -> dict[str, float]:
    """Set the calibrated values on ``c`` (a resolved config dict); return those applied.

    Raises:
        ConfigError: a malformed entry, or a key that applies here but does not exist.
    """
    node = c.get("calibrated") or {}
    params = node.get("parameters") if isinstance(node, Mapping) else None
    if not isinstance(params, Mapping):
        raise ConfigError("calibrated.parameters", params, "a mapping key -> {value, when}"
                          " (a file written by a calibration)")
    applied = {}
    for key, p in params.items():
        k = f"calibrated.parameters.{key}"
        unknown = sorted(set(p) - {"value", "when", "bounds", "source"}) if isinstance(
            p, Mapping) else []
        if unknown:
            raise ConfigError(f"{k}.{unknown[0]}", p[unknown[0]], "keys value, when, bounds, "
                              "source")
        value = p.get("value") if isinstance(p, Mapping) else None
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ConfigError(f"{k}.value", value, "a number")
        if not applies(c, p.get("when")):
            continue
        old = get_key(c, key)
        if old is MISSING or isinstance(old, bool) or not isinstance(old, int | float):
            raise ConfigError(k, key, "a numeric key of this config (the calibrated value "
                              "applies here by its 'when' conditions)")
        set_key(c, key, float(value))
        applied[key] = float(value)
    return applied


def describe(c: Mapping[str, Any]) -> str:
    """Which fit ``+calibrated=NAME`` loaded: its study (storage, fingerprint), trial,
    loss and date as the exported file records them, and the values that apply here."""
    node = c.get("calibrated")
    node = node if isinstance(node, Mapping) else {}
    study = node.get("study")
    name = node.get("name", "?")
    if isinstance(study, Mapping):
        where = (f"study {study.get('storage')} (fingerprint {study.get('fingerprint')}), "
                 f"trial {study.get('trial')} of {study.get('n_complete')}, written "
                 f"{study.get('written')}")
    else:
        where = "a file that does not name its study (written before files recorded it)"
    params = node.get("parameters") or {}
    used = [f"{k}={get_key(c, k)!r}" for k, p in params.items()
            if isinstance(p, Mapping) and applies(c, p.get("when"))]
    loss = node.get("loss")
    return (f"calibrated {name}: {where}, loss {loss}; applied "
            f"{', '.join(used) if used else 'none (no value applies to this config)'}")
