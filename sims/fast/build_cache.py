"""Where compiled standalone projects live, keyed by the network's structure.

A run (and a sweep) compiles each distinct structure once: the project folder is named by
a hash of everything that is compiled into the binary. What is compiled in is declared,
key by key, in :data:`KEY_CLASSES`: every key of a config is ``compiled`` (part of the
key: sizes, connectivity, equations, kinetics, dt, durations), ``runtime`` (a shared
variable of the compiled network, set per run: steroid levels, subunit expression, tonic
conductances, the pharmacology, the seed) or ``unused`` by the network (the slow layer,
analysis settings, execution, documentation strings). A key that is in none of them is
an error (:func:`key_class`), and a test enumerates every key of every composed config,
so a new compiled-in key can never silently reuse a stale binary. Building holds a file
lock, so concurrent runs with the same structure never corrupt or duplicate the folder;
Brian2 rewrites only changed sources and ``make`` recompiles only what changed.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

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
    """Add :data:`EXTRA_COMPILE_ARGS` to Brian2's compiler preferences (once)."""
    import brian2 as b2  # here: classifying keys (sims.cohort, calibration) needs no Brian2

    current = list(b2.prefs.codegen.cpp.extra_compile_args_gcc)
    b2.prefs.codegen.cpp.extra_compile_args_gcc = [
        *current, *(a for a in EXTRA_COMPILE_ARGS if a not in current)]


COMPILED, RUNTIME, UNUSED = "compiled", "runtime", "unused"

#: Every config key, by dotted pattern (``*`` is one key of a named collection, ``**`` the
#: rest of a subtree) -> compiled into the binary, run-time value, or unused by the network.
#: Checked in order; the first match decides.
KEY_CLASSES: tuple[tuple[str, str], ...] = (
    # documentation strings: never compiled
    ("network.populations.*.source", UNUSED), ("network.connections.*.source", UNUSED),
    ("receptors.populations.*.source", UNUSED),
    # the network's structure: sizes, neuron model, drive, connectivity, kinetics, dt
    ("network.populations.*.b_pA", RUNTIME),  # wake b_adapt, tau_adapt (sims.fast.states)
    ("network.populations.*.tau_w_ms", RUNTIME),
    ("network.**", COMPILED),
    ("receptors.ampa.**", COMPILED), ("receptors.nmda.**", COMPILED),
    # Cl- reversals: run-time (E_gaba, E_tonic follow the slow chloride state)
    ("receptors.gaba_a.E_rev_mV", RUNTIME),
    ("receptors.populations.*.E_tonic_mV", RUNTIME),
    ("receptors.populations.*.alpha4_share", RUNTIME),
    ("receptors.populations.*.alpha4_expression", RUNTIME),
    ("receptors.populations.*.chloride_shift_mV", RUNTIME),
    ("receptors.alpha4_polarity.source", UNUSED), ("receptors.alpha4_polarity.**", RUNTIME),
    # shared variables set per run (sims.fast.receptors.SHARED_VARIABLES)
    ("receptors.gaba_a.tau_decay_ms", RUNTIME), ("receptors.tonic.**", RUNTIME),
    ("receptors.populations.*.g_tonic_max_nS", RUNTIME),
    ("receptors.populations.*.delta_expression", RUNTIME),
    ("receptors.populations.*.gamma2_expression", RUNTIME),
    ("receptors.populations.*.tonic_steroid_sensitivity", RUNTIME),
    ("receptors.populations.*.phasic_steroid_sensitivity", RUNTIME),
    ("receptors.populations.*.phasic_decay_scale", RUNTIME),
    ("pharmacology.**", RUNTIME), ("steroids.brain_nM.**", RUNTIME),
    # recording and run length: compiled (monitors, the run's duration)
    ("probe.warmup_ms", COMPILED), ("probe.window_ms", COMPILED),
    ("probe.n_record", COMPILED), ("probe.record_dt_ms", COMPILED),
    # analysis of a probe's recordings, done in Python
    ("probe.psd_segment_ms", UNUSED), ("probe.psd_method", UNUSED),
    ("probe.psd_half_bandwidth_Hz", UNUSED), ("probe.sync_bin_ms", UNUSED),
    ("probe.max_rate_Hz", UNUSED),
    # the brain state: run-time values (b_adapt, drive_scale); detection in Python
    ("probe.state", RUNTIME), ("sleep.nrem.*.source", UNUSED), ("sleep.nrem.**", RUNTIME),
    ("sleep.night_start_clock_h", RUNTIME), ("sleep.night_end_clock_h", RUNTIME),
    ("sleep.updown.**", UNUSED), ("sleep.source", UNUSED),
    # what is built: the device and code-generation target
    ("backend.name", COMPILED), ("backend.codegen_target", COMPILED),
    ("backend.cache_dir", UNUSED),
    # the seed: a run-time value of the standalone binary, built into a runtime network
    ("seed", RUNTIME), ("seed_mode", UNUSED),
    # the slow layer, the epoch loop and output: they never reach the compiled network
    ("steroids.kinetics.**", UNUSED), ("steroids.source", UNUSED),
    ("scenario.**", UNUSED), ("treatment.**", UNUSED), ("hpa.**", UNUSED),
    ("inflammation.**", UNUSED), ("homeostasis.**", UNUSED), ("slow.**", UNUSED),
    ("stress_loop.**", UNUSED), ("chloride.**", UNUSED),
    ("coupling.**", UNUSED), ("output.**", UNUSED),
    # analyses (sims.calibration): they choose what runs, never what is compiled
    ("targets.**", UNUSED), ("calibration.**", UNUSED), ("sensitivity.**", UNUSED),
    ("uncertainty.**", UNUSED), ("calibrated.**", UNUSED),
    # a cohort: which individuals run, never what is compiled (sims.cohort.spec refuses
    # compiled keys among its varied parameters)
    ("cohort.**", UNUSED),
    # a study: what is measured from the cohort's runs, never what is compiled
    ("study.**", UNUSED), ("measurement.**", UNUSED),
)


def _matches(key: str, pattern: str) -> bool:
    head = key.split("[")[0]  # list items belong to their list's key
    if pattern.endswith(".**"):
        root = pattern[:-3]
        return fnmatch.fnmatchcase(head, root) or any(
            fnmatch.fnmatchcase(".".join(head.split(".")[:n]), root)
            for n in range(1, head.count(".") + 1))
    return fnmatch.fnmatchcase(head, pattern) and head.count(".") == pattern.count(".")


def key_class(key: str) -> str:
    """``compiled``, ``runtime`` or ``unused`` for a dotted config key.

    Raises:
        KeyError: the key is not classified in :data:`KEY_CLASSES` (a programming error:
            every key must be declared before it can be used).
    """
    for pattern, cls in KEY_CLASSES:
        if _matches(key, pattern):
            return cls
    raise KeyError(f"config key {key!r} is not classified as compiled, runtime or unused "
                   "in sims.fast.build_cache.KEY_CLASSES")


def structural_config(c: Mapping[str, Any]) -> dict[str, Any]:
    """The keys of a config that are compiled into the network binary (dotted -> value),
    with the versions and compiler flags that also decide the binary."""
    import brian2 as b2

    from sims.seeds import flatten

    out: dict[str, Any] = {k: v for k, v in flatten(c).items() if key_class(k) == COMPILED}
    if c["backend"]["name"] != "cpp_standalone":  # runtime: the seed is fixed at build
        out["seed"] = c["seed"]
    out |= {"brian2": b2.__version__, "allonet": __version__,
            "compile_args": EXTRA_COMPILE_ARGS}
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
