"""Where compiled standalone projects live, keyed by the network's structure.

A run (and a sweep) compiles each distinct structure once: the project folder is named by
a hash of everything that is compiled into the binary (sizes, connectivity, equations,
kinetics, dt, durations, Brian2 version). Run-time values (steroid levels, subunit
expression, tonic conductances, the seed) are not part of the key. Building holds a file lock, so
concurrent runs with the same structure never corrupt or duplicate the folder; Brian2
rewrites only changed sources and ``make`` recompiles only what changed.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import brian2 as b2

from sims import __version__
from sims.config import config_hash

#: Compiler flags added to Brian2's defaults (GCC; flags a compiler rejects are dropped by
#: Brian2). Brian2 marks its array pointers ``__restrict``, but they are local copies of
#: globals, so GCC still checks every pair of arrays for overlap at run time and gives up
#: vectorising a state update with more than 10 pairs (``vect-max-version-for-alias-checks``):
#: the 8-variable principal-cell loop stayed scalar. Raising the limit vectorises it
#: (profiled: the principal cells' state update 2.9x faster on AVX-512). Part of the cache key.
EXTRA_COMPILE_ARGS = ["--param=vect-max-version-for-alias-checks=64"]

def use_compile_args() -> None:
    """Add :data:`EXTRA_COMPILE_ARGS` to Brian2's compiler preferences (after a reset)."""
    b2.prefs.codegen.cpp.extra_compile_args_gcc = [
        *b2.prefs.codegen.cpp.extra_compile_args_gcc, *EXTRA_COMPILE_ARGS]


#: Receptor keys that are run-time values (shared variables), not structure.
RUNTIME_RECEPTOR_KEYS = ("g_tonic_max_nS", "delta_expression", "gamma2_expression",
                         "tonic_steroid_sensitivity", "phasic_steroid_sensitivity",
                         "phasic_decay_scale")


def structural_config(c: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a config that is compiled into the network binary."""
    rec = copy.deepcopy(dict(c["receptors"]))
    rec["gaba_a"] = {k: v for k, v in rec["gaba_a"].items() if k != "tau_decay_ms"}
    rec.pop("tonic", None)
    for p in rec["populations"].values():
        for k in RUNTIME_RECEPTOR_KEYS + ("source",):
            p.pop(k, None)
    probe = {k: c["probe"][k] for k in ("warmup_ms", "window_ms", "n_record", "record_dt_ms")}
    out = {"network": c["network"], "receptors": rec, "probe": probe,
           "brian2": b2.__version__, "allonet": __version__,
           "compile_args": EXTRA_COMPILE_ARGS}
    if c["backend"]["name"] != "cpp_standalone":  # runtime: the seed is fixed at build
        out["seed"] = c["seed"]
    return out


def structure_key(c: Mapping[str, Any]) -> str:
    """Hash naming the compiled project of this structure."""
    return config_hash(structural_config(c))


def cache_root(c: Mapping[str, Any]) -> Path:
    """``backend.cache_dir``, else ``$ALLONET_CACHE``, else ``~/.cache/allonet/build``."""
    root = c["backend"]["cache_dir"] or os.environ.get("ALLONET_CACHE") or \
        Path.home() / ".cache" / "allonet" / "build"
    return Path(root).expanduser()


def project_dir(c: Mapping[str, Any]) -> Path:
    """The project folder for this structure (created if missing)."""
    d = cache_root(c) / f"net-{structure_key(c)}"
    d.parent.mkdir(parents=True, exist_ok=True)
    return d
