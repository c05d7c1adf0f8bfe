"""The one place where plain config numbers become Brian2 quantities.

Config keys carry their unit as a suffix (``tau_decay_ms``, ``g_tonic_max_nS``,
``rate_Hz``). :func:`unit_of` maps a key to its Brian2 unit and :func:`qty` returns
``value * unit``. Nothing else in ``sims`` multiplies config values by units.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import brian2 as b2

#: Suffix -> Brian2 unit. Longest suffixes are matched first.
SUFFIX_UNITS: dict[str, b2.Quantity] = {
    "_ms": b2.ms,
    "_s": b2.second,
    "_h": 3600 * b2.second,
    "_days": 86400 * b2.second,
    "_mV": b2.mV,
    "_nS": b2.nS,
    "_pF": b2.pF,
    "_pA": b2.pA,
    "_Hz": b2.Hz,
    "_nM": b2.nmolar,
    "_uM": b2.umolar,
    "_mM": b2.mmolar,
}

#: Suffixes of dimensionless keys that are explicitly unitless.
UNITLESS_SUFFIXES = ("_frac", "_fold")


def unit_of(key: str) -> b2.Quantity | None:
    """Return the Brian2 unit named by ``key``'s suffix, or ``None`` if it has none."""
    for suffix in sorted(SUFFIX_UNITS, key=len, reverse=True):
        if key.endswith(suffix):
            return SUFFIX_UNITS[suffix]
    return None


def qty(section: Mapping[str, Any], key: str) -> b2.Quantity:
    """``section[key]`` as a Brian2 quantity in the unit named by the key's suffix.

    Raises:
        KeyError: if ``key`` has no unit suffix (a programming error, not user input).
    """
    unit = unit_of(key)
    if unit is None:
        raise KeyError(f"config key {key!r} has no unit suffix; known: {sorted(SUFFIX_UNITS)}")
    return float(section[key]) * unit


def to_nM(value: b2.Quantity) -> float:
    """A concentration quantity as a float in nmol/L (the unit of the steroid tables)."""
    return float(value / b2.nmolar)
