"""What each config key is for, in one place.

Every other list derives from the tables here:

- :data:`KEY_CLASSES`: whether a key is compiled into the network binary, a run-time value
  of it, or unused by the network. The build cache (:mod:`sims.fast.build_cache`) hashes
  the compiled keys; cohorts and calibrations refuse to vary a compiled key per individual
  or trial.
- :data:`ANALYSIS_NODES`: top-level nodes of the analyses. Validation leaves them out of
  a run's numbers checks and, when unset, out of its config (and hash).
- :data:`ANALYSIS_RUN_NODES`: the analyses that drive runs (targets, calibration,
  sensitivity, uncertainty); an experiment's runs never inherit them.
- :data:`BOOKKEEPING_KEYS`: keys that choose how a run is run, not what it computes.
- :data:`SEED_IGNORED_KEYS`: bookkeeping and analysis keys; they never enter a job's seed
  (:mod:`sims.seeds`).
"""

from __future__ import annotations

import fnmatch

#: Top-level nodes of the analyses: not part of the simulation's numbers checks.
ANALYSIS_NODES = ("targets", "calibration", "sensitivity", "uncertainty", "calibrated",
                  "cohort", "study", "measurement")
#: The analyses that drive runs of their own (``calibrated`` values, by contrast, are part
#: of the simulation: validation applies them).
ANALYSIS_RUN_NODES = ("targets", "calibration", "sensitivity", "uncertainty")
#: How a run is run (device, files, workers, the slow layer's numerics, the seed keys
#: themselves), never what it computes.
BOOKKEEPING_KEYS = ("backend", "output", "coupling.workers", "coupling.progress",
                    "slow.backend", "seed", "seed_mode")
#: Keys (prefixes) that never enter a job's seed: bookkeeping and the analyses' nodes (a
#: cohort's individuals derive their seeds from the cohort's, sims.cohort.sampling).
SEED_IGNORED_KEYS = BOOKKEEPING_KEYS + ANALYSIS_NODES


def under(key: str, prefixes: tuple[str, ...]) -> bool:
    """Whether dotted ``key`` is one of ``prefixes`` or inside one (``a.b``, ``a[0]``)."""
    return any(key == k or key.startswith((k + ".", k + "[")) for k in prefixes)


#: The build classes of a key.
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


def key_matches(key: str, pattern: str) -> bool:
    """Whether dotted ``key`` matches ``pattern`` (``*`` one key, ``**`` a subtree)."""
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
        if key_matches(key, pattern):
            return cls
    raise KeyError(f"config key {key!r} is not classified as compiled, runtime or unused "
                   "in sims.configuration.roles.KEY_CLASSES")
