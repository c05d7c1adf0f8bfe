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


# --------------------------------------------------------------------------- slow layer
# The slow layer integrates plain floats in fixed internal units: time in hours,
# concentrations in nmol/L, volumes in L, amounts in mg or ug, cortisol in ug/dL (the
# unit of Sriram et al. 2012). Each suffix maps to a factor into those internal units.
SLOW_FACTORS: dict[str, tuple[float, str]] = {
    "_min": (1 / 60, "h"),
    "_h": (1.0, "h"),
    "_days": (24.0, "h"),
    "_day": (24.0, "h"),
    "_weeks": (168.0, "h"),
    "_years": (24.0 * 365.25, "h"),
    "_per_h": (1.0, "1/h"),
    "_nM": (1.0, "nM"),
    "_ng_per_mL": (1.0, "ng/mL"),
    "_L": (1.0, "L"),
    "_L_per_kg": (1.0, "L/kg"),
    "_L_per_h": (1.0, "L/h"),
    "_L_per_h_per_kg": (1.0, "L/h/kg"),
    "_mg": (1.0, "mg"),
    "_ug_per_kg_per_h": (1.0, "ug/kg/h"),
    "_ug_per_dL": (1.0, "ug/dL"),
    "_g_per_mol": (1.0, "g/mol"),
}


def slow_value(section: Mapping[str, Any], key: str) -> float:
    """``section[key]`` in the slow layer's internal unit (hours, nM, L, mg, ...)."""
    for suffix in sorted(SLOW_FACTORS, key=len, reverse=True):
        if key.endswith(suffix):
            return float(section[key]) * SLOW_FACTORS[suffix][0]
    raise KeyError(f"config key {key!r} has no slow-layer unit suffix; known: "
                   f"{sorted(SLOW_FACTORS)}")


def ng_per_mL_to_nM(conc_ng_per_mL: float, mw_g_per_mol: float) -> float:
    """Mass to molar concentration: ng/mL / (g/mol) * 1000 = nmol/L."""
    return conc_ng_per_mL / mw_g_per_mol * 1000.0
