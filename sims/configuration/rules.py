"""Rules every number of the config obeys: finite; sign and range from its unit suffix
(``_ms`` >= 0, ``_nM`` <= 1 mM, ``_frac`` in [0, 1], ...); strictly positive where later
code divides by it. Also the check helper every section's validation uses."""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Any

from sims.configuration.roles import ANALYSIS_NODES
from sims.constants import ION_MAX_MM, STEROID_MAX_NM
from sims.errors import ConfigError, require

# --------------------------------------------------------------------------- validation
#: suffix -> (check, description of what is allowed)
_POSITIVE = (lambda v: v > 0, "a number > 0")
_NONNEG = (lambda v: v >= 0, "a number >= 0")
_FRACTION = (lambda v: 0 <= v <= 1, "a fraction in [0, 1]")
# Upper bounds of concentrations: sims.constants (1 mM for steroids, 1 M for ions).
_NANOMOLAR = (lambda v: 0 <= v <= STEROID_MAX_NM,
              f"a number >= 0 and <= {STEROID_MAX_NM:g} nM (1 mM, above any steroid's "
              "solubility)")
_MICROMOLAR = (lambda v: 0 <= v <= STEROID_MAX_NM / 1e3,
               f"a number >= 0 and <= {STEROID_MAX_NM / 1e3:g} uM (1 mM)")
_MILLIMOLAR = (lambda v: 0 <= v <= ION_MAX_MM,
               f"a number >= 0 and <= {ION_MAX_MM:g} mM (1 M)")
_SUFFIX_RULES = {
    "_ms": _NONNEG, "_nS": _NONNEG, "_pA": _NONNEG, "_pF": _POSITIVE, "_Hz": _NONNEG,
    "_nM": _NANOMOLAR, "_uM": _MICROMOLAR, "_mM": _MILLIMOLAR, "_g_per_mol": _POSITIVE,
    "_min": _NONNEG, "_h": _NONNEG, "_days": _NONNEG, "_day": _NONNEG, "_weeks": _NONNEG,
    "_years": _NONNEG,
    "_per_h": _NONNEG, "_mg": _NONNEG, "_kg": _POSITIVE, "_L": _POSITIVE,
    "_L_per_kg": _POSITIVE, "_L_per_h": _POSITIVE, "_L_per_h_per_kg": _POSITIVE,
    "_ug_per_kg_per_h": _NONNEG, "_ug_per_dL": _POSITIVE, "_frac": _FRACTION,
}
_SUFFIXES = sorted(_SUFFIX_RULES, key=len, reverse=True)  # longest suffix wins
#: Keys (leaf names) that later code divides by: strictly positive.
_STRICTLY_POSITIVE_KEYS = {"C_pF", "gL_nS", "tau_decay_ms", "tau_rise_ms", "dt_ms",
                           "window_ms", "record_dt_ms", "psd_segment_ms", "sync_bin_ms",
                           "tau_w_ms", "ec50_nM", "gaba_ec50_uM", "max_rate_Hz", "ext_dt_ms",
                           "brain_half_life_min", "plasma_half_life_h", "sulfated_half_life_h",
                           "stress_precursor_half_life_min", "r5a_tau_days", "tau_h",
                           "allo_km_nM", "neurosteroid_ec50_nM", "allo_ec50_nM",
                           "thdoc_plasma_nM", "gaba_hill",
                           "phasic_decay_scale", "tau_load_days", "tau_down_h",
                           "tau_recovery_h"}
BACKENDS = ("cpp_standalone", "runtime")
CODEGEN_TARGETS = ("cython", "numpy")
METHODS = ("euler", "rk2", "rk4", "heun", "milstein")
KINDS = ("exc", "inh")
PSD_METHODS = ("multitaper", "welch")
SITES = ("neurosteroid", "sulfated")
#: Population names become parts of Brian2 object names and of ``PRE_to_POST`` keys.
POPULATION_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
#: Connection keys name Brian2 objects (``syn_<key>``).
CONNECTION_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
#: The Welch spectrum needs at least this many samples per segment.
PSD_MIN_SAMPLES = 8
#: The synchrony measure needs at least this many bins in the analysis window.
SYNC_MIN_BINS = 2
#: The compiled binary's run-time seed is a 32-bit signed integer.
MAX_SEED = 2**31 - 1


def _walk(node: Any, prefix: str = ""):
    """Yield (dotted_key, leaf_key, value) for every leaf of a plain nested dict or list."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, f"{prefix}[{i}]")
    else:
        yield prefix, prefix.rsplit(".", 1)[-1].split("[")[0], node


#: The check every section uses: ConfigError(key, value, allowed) unless ok.
_check = require


def _fields(schema: Any) -> list[str]:
    return [f.name for f in dataclasses.fields(schema)] if dataclasses.is_dataclass(schema) \
        else []


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_numbers(c: dict) -> None:
    """Finite numbers everywhere; sign and range rules from the key's unit suffix."""
    sim = {k: v for k, v in c.items() if k not in ANALYSIS_NODES}
    for key, leaf, value in _walk(sim):
        if not _is_number(value):
            continue
        if not math.isfinite(value):
            raise ConfigError(key, value, "a finite number")
        parent = key.rsplit(".", 2)[-2] if key.count(".") >= 1 else ""
        rule = next((_SUFFIX_RULES[s] for s in _SUFFIXES if leaf.endswith(s)), None) or \
            next((_SUFFIX_RULES[s] for s in _SUFFIXES if parent.endswith(s)), None)
        if leaf in _STRICTLY_POSITIVE_KEYS:
            rule = _POSITIVE
        if rule is not None:
            _check(rule[0](value), key, value, rule[1] + f" (unit given by the suffix of '{leaf}')")


def _multiple(value: float, step: float) -> bool:
    ratio = value / step
    return abs(ratio - round(ratio)) < 1e-6
