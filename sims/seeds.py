"""Job seeds: one master seed, a distinct and reproducible seed for every job of a sweep.

``seed`` in the config is the *master* seed. With ``seed_mode=per_job`` (default) a job's
run seed derives from the master seed and the job's **scientific values**: the resolved
config keys whose values differ from the base config (``configs/config.yaml`` with no
overrides). Equal values give equal seeds however they are spelled (``allo=3``,
``allo=3.0`` and ``allo=3.00``), an override equal to the default changes nothing, and a
value set in an experiment file gives the same seed as the same value on the command
line; different values give different seeds. Keys that cannot change a result
(``backend.*``, ``output.*``, ``coupling.workers``, ``coupling.progress``,
``slow.backend``), the analysis nodes (``targets``, ``calibration``, ``sensitivity``,
``uncertainty``, ``calibrated``: a calibration trial's bookkeeping is not science;
calibrated values count where they are applied), the ``cohort`` node (a cohort's shards
share one seed; its individuals' seeds derive from it, ``sims.cohort.sampling``) and the
seed keys themselves are left out, so a job keeps its seed when it is re-run elsewhere,
resumed, or given more workers. ``seed_mode=shared`` uses the master
seed for every job (common random numbers: conditions differ only in their parameters).

The rule (``SEED_RULE``, stored in every result as ``seed_rule``):

1. flatten the validated config and the validated base config to dotted keys (list items
   as ``key[i]``), leave out the ignored keys above;
2. keep the keys whose values differ (absent keys count as ``null``); write each value in
   canonical form (floats as ``repr(float(x))``, so 3 and 3.00 are one value);
3. hash the sorted ``key=value`` lines with SHA-256 and feed the master seed and the
   hash's eight 32-bit words to ``numpy.random.SeedSequence``; its first 32-bit word,
   shifted right by one, is the job seed (31 bits: the compiled binary's seed is a
   signed 32-bit integer).

Independent streams inside a job (the individuals of a cohort, ...) are ``SeedSequence``
children of the job seed (:func:`spawn_seeds`). The probes of one run deliberately share
the run's seed: the same network (connectivity) with the same external noise, so that
differences between probes are those of the slow state (common random numbers).

Result files written before this rule (``allonet`` < schema 1.1) hashed the overrides'
text instead; they stay readable and record no ``seed_rule``.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from typing import Any

import numpy as np

from sims.config import compose_config, validate
from sims.configuration.roles import SEED_IGNORED_KEYS, under

SEED_RULE = "science-values-v1"

#: Config keys (prefixes) that do not enter a job's seed (sims.configuration.roles).
IGNORED_KEYS = SEED_IGNORED_KEYS


def _ignored(key: str) -> bool:
    return under(key, IGNORED_KEYS)


def flatten(node: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted keys of a plain nested config (list items as ``key[i]``) -> leaf values."""
    out: dict[str, Any] = {}
    if isinstance(node, Mapping):
        for k, v in node.items():
            out |= flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(node, list | tuple):
        if not node:
            out[prefix] = []
        for i, v in enumerate(node):
            out |= flatten(v, f"{prefix}[{i}]")
    else:
        out[prefix] = node
    return out


def canonical(value: Any) -> Any:
    """A leaf value in the form that makes equal values equal (3 == 3.0 == 3.00)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float | np.integer | np.floating):
        return repr(float(value))
    return str(value)


def science_values(c: Mapping[str, Any], base: Mapping[str, Any]) -> dict[str, Any]:
    """The scientific keys whose values in ``c`` differ from ``base``, canonical."""
    a, b = flatten(c), flatten(base)
    out = {}
    for key in sorted(set(a) | set(b)):
        if _ignored(key):
            continue
        va, vb = canonical(a.get(key)), canonical(b.get(key))
        if va != vb:
            out[key] = va
    return out


def derive_seed(master: int, values: Mapping[str, Any]) -> int:
    """A 31-bit seed from the master seed and a job's scientific values (order-free)."""
    text = "\n".join(f"{k}={json.dumps(v)}" for k, v in sorted(values.items()))
    words = np.frombuffer(hashlib.sha256(text.encode()).digest(), dtype=">u4")
    seq = np.random.SeedSequence([int(master), *(int(w) for w in words)])
    return int(seq.generate_state(1, dtype=np.uint32)[0]) >> 1


def spawn_seeds(seed: int, n: int) -> list[int]:
    """``n`` independent 31-bit seeds: ``SeedSequence`` children of ``seed``."""
    return [int(s.generate_state(1, dtype=np.uint32)[0]) >> 1
            for s in np.random.SeedSequence(int(seed)).spawn(n)]


@functools.cache
def base_config() -> dict[str, Any]:
    """The validated config with no overrides at all (cached per process).

    Inside a running ``allonet`` app it is composed with the app's own config loader;
    elsewhere (tests, notebooks) with ``sims.config.compose`` (``sims.config.compose_config``
    does both).
    """
    return validate(compose_config([]))


def job_seed(c: Mapping[str, Any], base: Mapping[str, Any] | None = None) -> int:
    """The seed a job runs with, by ``c['seed_mode']`` (``c`` validated)."""
    if c["seed_mode"] == "shared":
        return int(c["seed"])
    return derive_seed(int(c["seed"]), science_values(c, base_config() if base is None
                                                      else base))
