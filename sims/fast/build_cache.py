"""Where compiled standalone projects live, keyed by the network's structure.

A run (and a sweep) compiles each distinct structure once: the project folder is named by
a hash of everything that is compiled into the binary. What is compiled in is declared in
the schemas (a section's ``ROLE``, a field's ``role=``; read by
:func:`sims.configuration.roles.key_class`): every key of a config is
``compiled`` (part of the key: sizes, connectivity, equations, kinetics, dt, durations),
``runtime`` (a shared variable of the compiled network, set per run: steroid levels,
subunit expression, tonic conductances, the pharmacology, the seed) or ``unused`` by the
network (the slow layer, analysis settings, execution, documentation strings). A key that
is in none of them is an error (:func:`sims.configuration.roles.key_class`), and a test
enumerates every key of every composed config, so a new compiled-in key can never silently
reuse a stale binary. Building holds a file
lock, so concurrent runs with the same structure never corrupt or duplicate the folder;
Brian2 rewrites only changed sources and ``make`` recompiles only what changed. The Python
environment is part of the key: Brian2 writes its include and library paths into the
project's makefile, so two environments (two clones, two venvs) sharing one folder would
rebuild it for each other and relink ``main`` while the other runs it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sims import __version__
from sims.config import config_hash
from sims.configuration.roles import COMPILED, key_class
from sims.seeds import flatten

#: Compiler flags added to Brian2's defaults (GCC; flags a compiler rejects are dropped by
#: Brian2). Brian2 marks its array pointers ``__restrict``, but they are local copies of
#: globals, so GCC still checks every pair of arrays for overlap at run time and gives up
#: vectorising a state update with more than 10 pairs (``vect-max-version-for-alias-checks``):
#: the 8-variable principal-cell loop stayed scalar. Raising the limit vectorises it
#: (profiled: the principal cells' state update 2.9x faster on AVX-512). Part of the cache key.
EXTRA_COMPILE_ARGS = ["--param=vect-max-version-for-alias-checks=64"]


def use_compile_args() -> None:
    """Add :data:`EXTRA_COMPILE_ARGS` to Brian2's compiler preferences (once)."""
    import brian2 as b2  # here: classifying keys (sims.cohort, calibration) needs no Brian2

    current = list(b2.prefs.codegen.cpp.extra_compile_args_gcc)
    b2.prefs.codegen.cpp.extra_compile_args_gcc = [
        *current, *(a for a in EXTRA_COMPILE_ARGS if a not in current)]


def structural_config(c: Mapping[str, Any]) -> dict[str, Any]:
    """The keys of a config that are compiled into the network binary (dotted -> value),
    with the versions, compiler flags and Python environment (its include and library
    paths are in the makefile) that also decide the binary."""
    import brian2 as b2

    out: dict[str, Any] = {k: v for k, v in flatten(c).items() if key_class(k) == COMPILED}
    if c["backend"]["name"] != "cpp_standalone":  # runtime: the seed is fixed at build
        out["seed"] = c["seed"]
    out |= {"brian2": b2.__version__, "allonet": __version__,
            "compile_args": EXTRA_COMPILE_ARGS, "environment": sys.prefix}
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
