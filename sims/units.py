"""The one place where plain config numbers become quantities with units.

Config keys carry their unit as a suffix (``tau_decay_ms``, ``g_tonic_max_nS``,
``rate_Hz``, ``ka_per_h``).

- Fast layer: :func:`unit_of` maps a key to its Brian2 unit and :func:`qty` returns
  ``value * unit``. Nothing else in ``sims`` multiplies config values by Brian2 units.
- Slow layer: :func:`slow_value` converts a value into the slow layer's fixed internal
  units (hours, nM, L, mg, ...), by the factors of :data:`SLOW_FACTORS`.

Suffixes are matched longest first, so compound units are never mistaken for their tail
(``ka_per_h`` is a rate, 1/h, not a duration in hours). Brian2 is imported only when a
Brian2 unit is asked for: the slow layer and validation run without it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import numpy as np

#: Suffix -> (Brian2 base unit name, factor): the unit is ``factor * brian2.<name>``.
_BRIAN_SUFFIXES: dict[str, tuple[str, float]] = {
    "_ms": ("second", 1e-3),
    "_s": ("second", 1.0),
    "_min": ("second", 60.0),
    "_h": ("second", 3600.0),
    "_days": ("second", 86400.0),
    "_per_h": ("hertz", 1 / 3600.0),
    "_mV": ("volt", 1e-3),
    "_nS": ("siemens", 1e-9),
    "_pF": ("farad", 1e-12),
    "_pA": ("amp", 1e-12),
    "_Hz": ("hertz", 1.0),
    "_nM": ("molar", 1e-9),
    "_uM": ("molar", 1e-6),
    "_mM": ("molar", 1e-3),
}

#: Suffixes of dimensionless keys that are explicitly unitless.
UNITLESS_SUFFIXES = ("_frac", "_fold")


def _longest(key: str, suffixes: Any) -> str | None:
    """The longest suffix in ``suffixes`` that ``key`` ends with (None if none)."""
    return max((s for s in suffixes if key.endswith(s)), key=len, default=None)


@cache
def _brian_unit(suffix: str) -> Any:
    import brian2 as b2

    name, factor = _BRIAN_SUFFIXES[suffix]
    return factor * getattr(b2, name)


def _all_suffixes() -> set[str]:
    """Every suffix either layer knows (a compound suffix shadows its own tail)."""
    return set(_BRIAN_SUFFIXES) | set(SLOW_FACTORS)


def unit_of(key: str) -> Any:
    """Return the Brian2 unit named by ``key``'s suffix, or ``None`` if it has none.

    A key whose longest matching suffix is a slow-layer unit without a Brian2 equivalent
    (``_mg``, ``_L_per_h``, ...) also gives ``None``: it is never a Brian2 quantity.
    """
    suffix = _longest(key, _all_suffixes())
    if suffix is None or suffix not in _BRIAN_SUFFIXES:
        return None
    return _brian_unit(suffix)


def qty(section: Any, key: str) -> Any:
    """``section[key]`` (a mapping) or ``section.key`` (a typed config object,
    :mod:`sims.configuration.objects`) as a Brian2 quantity in the unit named by the key's
    suffix.

    Raises:
        KeyError: if ``key`` has no unit suffix (a programming error, not user input).
    """
    unit = unit_of(key)
    if unit is None:
        raise KeyError(f"config key {key!r} has no unit suffix; known: {sorted(_BRIAN_SUFFIXES)}")
    value = section[key] if isinstance(section, Mapping) else getattr(section, key)
    return float(value) * unit


def to_nM(value: Any) -> float:
    """A concentration quantity as a float in nmol/L (the unit of the steroid tables)."""
    import brian2 as b2

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


def slow_unit(key: str) -> tuple[float, str]:
    """(factor, internal unit) of a slow-layer key, by its longest suffix.

    Raises:
        KeyError: if ``key`` has no slow-layer unit suffix (a programming error).
    """
    suffix = _longest(key, SLOW_FACTORS)
    if suffix is None:
        raise KeyError(f"config key {key!r} has no slow-layer unit suffix; known: "
                       f"{sorted(SLOW_FACTORS)}")
    return SLOW_FACTORS[suffix]


def slow_value(section: Any, key: str) -> Any:
    """``section[key]`` (a mapping) or ``section.key`` (a typed section) in the slow
    layer's internal unit (hours, nM, L, mg, ...): a float, or an array ``[individual]``
    where a cohort gives each individual its own value."""
    v = section[key] if isinstance(section, Mapping) else getattr(section, key)
    if isinstance(v, np.ndarray):
        return v.astype(float) * slow_unit(key)[0]
    return float(v) * slow_unit(key)[0]


def ng_per_mL_to_nM(conc_ng_per_mL: float, mw_g_per_mol: float) -> float:
    """Mass to molar concentration: ng/mL / (g/mol) * 1000 = nmol/L."""
    return conc_ng_per_mL / mw_g_per_mol * 1000.0
