"""Compile once, run many: one network structure, any number of runs with new values.

``cpp_standalone`` (default): the network is generated and compiled once into a cached
project folder (``build_cache``); each run calls the binary with ``run_args`` that set the
shared receptor variables and the random seed, so no run recompiles (a sweep over seeds or
steroid levels shares one binary). ``runtime``: one ``b2.Network`` is built
(Cython or numpy code), stored, and restored before each run. Both give a
:class:`RawProbe` of plain SI numpy arrays.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import brian2 as b2
import numpy as np
from brian2.codegen.cpp_prefs import get_compiler_and_args
from brian2.core.base import BrianObject
from brian2.devices.device import get_device, reinit_devices
from filelock import FileLock

from sims.config import Config, as_config, as_dict
from sims.fast import build_cache
from sims.fast.network import RECORDED, FastNetwork, build_network
from sims.fast.receptors import SHARED_VARIABLES
from sims.fast.states import STATE_VARIABLES
from sims.owners import is_stale, owner_tag
from sims.units import qty

#: Standalone builds in this process: code generation + make (cache hits included).
BUILD_COUNT = 0
#: Builds in this process that actually (re)compiled the binary (cache misses).
COMPILE_COUNT = 0
#: File in the cache root listing every compile (all processes): one JSON line each.
COMPILE_LOG = "compile_log.jsonl"


#: Each run of the binary writes into its own ``results_<id>-<host>-<pid>`` folder of the
#: project, removed after reading; a killed run leaves it behind.
RESULTS_PREFIX = "results_"


def remove_stale_results(project: Path) -> list[Path]:
    """Delete the results folders of killed runs (never one of a live process)."""
    stale = []
    for d in project.glob(RESULTS_PREFIX + "*"):
        tag = d.name[len(RESULTS_PREFIX):].partition("-")[2]  # <id>-<host>-<pid>
        if d.is_dir() and is_stale(d, tag):
            shutil.rmtree(d, ignore_errors=True)
            stale.append(d)
    return stale


class StructuralChangeError(ValueError):
    """A run asked for values that are compiled into the network (needs a new build)."""


@dataclass
class RawProbe:
    """Recorded activity of one run, in SI units (s, A, S)."""

    spikes: dict[str, tuple[np.ndarray, np.ndarray]]  # population -> (i, t)
    sizes: dict[str, int]
    state_t: np.ndarray
    state: dict[str, np.ndarray]  # variable -> [cell, time]
    t_start: float  # end of the warm-up
    t_stop: float
    timings: dict[str, float] = field(default_factory=dict)

    def compact(self, keep_spikes: bool = True) -> RawProbe:
        """The same probe without the recorded traces (and spikes unless ``keep_spikes``).

        A probe's traces (~10 MB for a 2-s window) are reduced to metrics right away; a run
        keeps, and worker processes send back, only what gets stored.
        """
        empty = np.empty(0)
        spikes = self.spikes if keep_spikes else {p: (np.empty(0, np.int32), empty)
                                                  for p in self.spikes}
        return RawProbe(spikes=spikes, sizes=self.sizes, state_t=empty, state={},
                        t_start=self.t_start, t_stop=self.t_stop, timings=self.timings)


def _diff_keys(a: Any, b: Any, prefix: str = "") -> set[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out: set[str] = set()
        for k in set(a) | set(b):
            out |= _diff_keys(a.get(k), b.get(k), f"{prefix}.{k}" if prefix else str(k))
        return out
    return set() if a == b else {prefix}


def _static_arrays_written_atomically(device: Any) -> None:
    """Let ``device`` replace a static array file only when its content changed, atomically.

    Brian2 rewrites every static array (``static_arrays/``) on every build. In a cached
    project shared by concurrent runs, a binary started by another worker could then read
    a half-written file. The arrays are written to a scratch folder first and moved in
    with ``os.replace`` only if they differ.
    """
    original = device.write_static_arrays

    def write(directory: str) -> None:
        with tempfile.TemporaryDirectory(dir=directory, prefix=".static_") as tmp:
            (Path(tmp) / "static_arrays").mkdir()
            original(tmp)
            for f in (Path(tmp) / "static_arrays").iterdir():
                dest = Path(directory) / "static_arrays" / f.name
                if not dest.is_file() or dest.read_bytes() != f.read_bytes():
                    os.replace(f, dest)

    device.write_static_arrays = write


class _MainSource:
    """Keeps a cached ``main.cpp`` when Brian2 regenerates it with the same lines reordered.

    Brian2 writes the clock initialisations of ``main.cpp`` in (unordered) set order, so a
    cached project would otherwise recompile ``main.cpp`` and relink on every build (~1 s
    per job of a sweep). The statements are independent assignments, so a permutation of
    the same lines is the same program: the old file and its mtime are put back.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.text = path.read_text() if path.is_file() else None
        self.mtime = path.stat().st_mtime_ns if path.is_file() else None

    def keep_if_equivalent(self) -> bool:
        """Restore the old file if the new one only permutes its lines; True if restored."""
        if self.text is None or not self.path.is_file():
            return False
        new = self.path.read_text()
        if new == self.text or sorted(new.splitlines()) != sorted(self.text.splitlines()):
            return False
        self.path.write_text(self.text)
        os.utime(self.path, ns=(self.mtime, self.mtime))
        return True


def _object_mtimes(project: Path) -> dict[str, int]:
    """Modification times of the compiled network code objects."""
    objs = project / "code_objects"
    if not objs.is_dir():
        return {}
    return {f.name: f.stat().st_mtime_ns for f in objs.glob("*.o")}


def _runtime_seed() -> b2.NeuronGroup:
    """A run-time seed for ``cpp_standalone``: a shared integer set through ``run_args``.

    Brian2 compiles ``seed(x)`` into ``main``; instead, the command-line values are applied
    first thing in ``main`` and the random generator is seeded from this variable, before
    connectivity, initial values and the run draw any number. Brian2 applies the values a
    second time just before the network runs, as usual.
    """
    holder = b2.NeuronGroup(1, "value : integer (shared, constant)", name="rng_seed")
    arr = b2.device.get_array_name(holder.variables["value"])
    b2.device.insert_code("main", "set_from_command_line(args);")
    b2.device.insert_code(
        "main", f"brian::_random_generators[0].seed((unsigned long) brian::{arr}[0]);")
    return holder


def reset_brian(preferences: Mapping[str, Any] | None = None) -> None:
    """Return Brian2 to a clean runtime device and default clock, keeping preferences.

    Brian2's own reset (``reinit_devices``) puts every preference back to its value at
    import, which would silently drop a user's settings (a custom ``run_cmd_unix``, say).
    They are put back on top: ``preferences`` (a snapshot of ``brian2.prefs.prefs``), by
    default the preferences as they are now.

    Also collects garbage: Brian2 names objects uniquely among the *live* ones, so left-over
    objects of a previous network would rename the next one's code (``..._1``) and force a
    full recompilation of an otherwise cached structure.
    """
    kept = dict(b2.prefs.prefs if preferences is None else preferences)
    if any(True for _ in BrianObject.__instances__()):  # gc is ~0.2 s: only when needed
        gc.collect()
    reinit_devices()
    b2.set_device("runtime")
    b2.prefs.prefs.update(kept)
    b2.defaultclock.dt = 0.1 * b2.ms
    b2.start_scope()


class CompiledNetwork:
    """A network built (and compiled) once; :meth:`run` it with new shared values.

    Use as a context manager; it resets Brian2's device when closed, so the next network
    in the same process (e.g. a reused joblib worker) starts clean.
    """

    def __init__(self, c: Config | Mapping[str, Any]) -> None:
        """Build (and compile) the network of ``c``: the typed config
        (:func:`sims.config.as_config`) or the validated plain one."""
        global BUILD_COUNT, COMPILE_COUNT
        self.cfg = cfg = as_config(c)
        self.c = as_dict(cfg)  # the plain form: the build cache hashes it
        self.key = build_cache.structure_key(self.c)
        self.compiled = False  # True when this build recompiled network code (cache miss)
        self.backend = cfg.backend.name
        self.timings: dict[str, float] = {}
        t0 = time.perf_counter()
        self._user_preferences = dict(b2.prefs.prefs)  # put back when closed
        reset_brian(self._user_preferences)
        build_cache.use_compile_args()
        if self.backend == "cpp_standalone":
            b2.set_device("cpp_standalone", build_on_run=False)
            b2.prefs.devices.cpp_standalone.openmp_threads = 0
            _static_arrays_written_atomically(get_device())
        else:
            b2.prefs.codegen.target = cfg.backend.codegen_target
        b2.defaultclock.dt = qty(cfg.network, "dt_ms")
        np.random.seed(int(cfg.seed) % 2**32)
        self.seed_holder: b2.NeuronGroup | None = None
        if self.backend == "cpp_standalone":
            self.seed_holder = _runtime_seed()
        else:
            b2.seed(int(cfg.seed))
        self.fn: FastNetwork = build_network(cfg)
        if self.seed_holder is not None:
            self.fn.net.add(self.seed_holder)
        self.timings["construct_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        if self.backend == "cpp_standalone":
            self.fn.net.run(self.fn.duration, namespace={})
            self.project = build_cache.project_dir(self.c)
            with FileLock(str(self.project) + ".lock"):
                remove_stale_results(self.project)
                before = _object_mtimes(self.project)
                main = _MainSource(self.project / "main.cpp")
                b2.device.build(directory=str(self.project), compile=False, run=False,
                                clean=False, with_output=False)
                main.keep_if_equivalent()
                b2.device.compile_source(str(self.project), get_compiler_and_args()[0],
                                         debug=False, clean=False)
                self.compiled = _object_mtimes(self.project) != before
                if self.compiled:  # one line per compile, for sweeps and users to audit
                    with open(self.project.parent / COMPILE_LOG, "a") as log:
                        log.write(json.dumps({"project": self.project.name,
                                              "pid": os.getpid(), "time": time.time()}) + "\n")
            BUILD_COUNT += 1
            COMPILE_COUNT += int(self.compiled)
        else:
            self.fn.net.store("initial")
        self.timings["build_s"] = time.perf_counter() - t0

    def check_compatible(self, c: Config | Mapping[str, Any]) -> None:
        """Raise :class:`StructuralChangeError` if ``c`` differs in compiled-in keys."""
        c = as_dict(c) if isinstance(c, Config) else c
        if build_cache.structure_key(c) == self.key:
            return
        mine, theirs = build_cache.structural_config(self.c), build_cache.structural_config(c)
        diff = sorted(_diff_keys(mine, theirs))
        raise StructuralChangeError(
            f"keys {diff[:8]} are compiled into the network and cannot change between runs; "
            "only steroid levels, subunit expression, tonic conductances and steroid "
            "sensitivities can (a different structure needs its own build)")

    def _assign(self, values: Mapping[str, Mapping[str, Any]]) -> dict[Any, Any]:
        out = {}
        for pop, vals in values.items():
            g = self.fn.groups[pop]
            for var, val in vals.items():
                if var not in SHARED_VARIABLES and var not in STATE_VARIABLES:
                    raise StructuralChangeError(
                        f"'{var}' of population {pop} is not a run-time variable; run-time "
                        f"variables are {sorted([*SHARED_VARIABLES, *STATE_VARIABLES])}")
                out[getattr(g, var)] = val
        return out

    def run(self, values: Mapping[str, Mapping[str, Any]], seed: int | None = None
            ) -> RawProbe:
        """Run the network once with population -> {shared variable: value}.

        ``seed`` (default: the config's) seeds every random number of the run:
        connectivity, initial membrane potentials and external drive. With
        ``cpp_standalone`` it is a run-time value (jobs with other seeds -- a cohort's
        individuals -- share the binary); the runtime backend fixes it at build.

        Raises:
            StructuralChangeError: another seed on the runtime backend.
        """
        t0 = time.perf_counter()
        results = None
        if self.backend == "cpp_standalone":
            results = f"{RESULTS_PREFIX}{uuid.uuid4().hex[:8]}-{owner_tag()}"
            args = self._assign(values)
            args[self.seed_holder.value] = int(  # type: ignore[union-attr]
                self.cfg.seed if seed is None else seed)
            b2.device.run(directory=str(self.project), results_directory=results,
                          with_output=False, run_args=args)
        else:
            if seed is not None and int(seed) != int(self.cfg.seed):
                raise StructuralChangeError(
                    f"seed {seed}: the runtime backend fixes the seed when it builds "
                    f"({self.cfg.seed}); backend=cpp_standalone takes one per run")
            self.fn.net.restore("initial", restore_random_state=True)
            for view, val in self._assign(values).items():
                view[:] = val
            self.fn.net.run(self.fn.duration, namespace={})
        t_sim = time.perf_counter() - t0
        t0 = time.perf_counter()
        raw = self._collect()
        if results is not None:
            shutil.rmtree(self.project / results, ignore_errors=True)
        raw.timings = {"simulate_s": t_sim, "read_s": time.perf_counter() - t0}
        return raw

    def _collect(self) -> RawProbe:
        fn, pc = self.fn, self.cfg.probe
        spikes = {p: (np.array(m.i[:], dtype=np.int32), np.array(m.t_[:], dtype=float))
                  for p, m in fn.spikes.items()}
        st = fn.state
        state = {v: np.array(getattr(st, v + "_")[:], dtype=float) for v in RECORDED}
        return RawProbe(spikes=spikes, sizes={p: len(g) for p, g in fn.groups.items()},
                        state_t=np.array(st.t_[:], dtype=float), state=state,
                        t_start=float(qty(pc, "warmup_ms")), t_stop=float(fn.duration))

    def close(self) -> None:
        """Release the network's Brian2 objects and reset Brian2 to the preferences the
        user had before this network was built."""
        self.fn = None  # type: ignore[assignment]
        self.seed_holder = None
        reset_brian(self._user_preferences)

    def __enter__(self) -> CompiledNetwork:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
