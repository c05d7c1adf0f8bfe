"""Job seeds: one master seed, a distinct and reproducible seed for every job of a sweep.

``seed`` in the config is the *master* seed. With ``seed_mode=per_job`` (default) a job's
run seed is a hash of the master seed and the job's own scientific overrides, so every
point of a sweep draws its own connectivity, initial state and Poisson drive, and the same
job always draws the same ones, whatever the order, the launcher or the number of workers.
``seed_mode=shared`` uses the master seed for every job (common random numbers: conditions
differ only in their parameters, which lowers the variance of paired comparisons).

Overrides that cannot change the result (``backend.*``, ``output.*``, ``hydra.*``,
``coupling.workers``, ``coupling.progress``) and the seed keys themselves are ignored, so a
job keeps its seed when it is re-run elsewhere or resumed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

SEED_MODES = ("per_job", "shared")

#: Override keys (prefixes) that do not enter a job's seed.
IGNORED_KEYS = ("hydra", "backend", "output", "coupling.workers", "coupling.progress", "seed",
                "seed_mode")


def _key(override: str) -> str:
    return override.lstrip("+~").split("=", 1)[0]


def science_overrides(overrides: Iterable[str]) -> list[str]:
    """The overrides that define a job's science, normalised and sorted."""
    out = []
    for o in overrides:
        key = _key(o)
        if any(key == k or key.startswith((k + ".", k + "/")) for k in IGNORED_KEYS):
            continue
        out.append(o.lstrip("+~"))
    return sorted(out)


def derive_seed(master: int, overrides: Iterable[str]) -> int:
    """A 31-bit seed from the master seed and a job's scientific overrides (order-free)."""
    text = "\n".join([str(int(master)), *science_overrides(overrides)])
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") >> 1


def job_seed(c: Mapping[str, Any], overrides: Iterable[str]) -> int:
    """The seed a job runs with, by ``c['seed_mode']``."""
    if c["seed_mode"] == "shared":
        return int(c["seed"])
    return derive_seed(int(c["seed"]), overrides)
