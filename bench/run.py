"""allonet benchmarks, printed side by side (no thresholds; numbers for the notes).

(a) one probe of the default 4000-neuron network through allonet vs the same network run
    as a bare Brian2 cpp_standalone script with the same compiler flags (same binary work;
    allonet adds run_args, result reading and metrics), and with Brian2's default flags;
(b) a 28-day pregnancy_postpartum run with 4 probes/day of 2 s (open mode, 2 workers);
(c) where the time goes: compile vs simulate vs read/metrics vs slow layer vs I/O;
(d) a 20-point run-time sweep through ``allonet -m``: 1 vs 2 joblib workers vs rebuilding
    the network for every point (``bench/sweep_bench.py``);
(e, f) virtual cohorts: the vectorised slow layer vs the single-run path, and probes
    inside a cohort vs the binary's own time (``bench/cohort_bench.py``).

Ends with machine-readable lines ``probe_vs_bare_ratio: X``, ``postpartum_28d_wall_s: X``,
``sweep_speedup_vs_rebuild: X``, ``sweep_two_worker_speedup: X``,
``cohort_slow_speedup_per_individual_day: X``, ``cohort_1000x28d_slow_wall_s: X`` and
``cohort_probe_overhead_ratio: X``.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import brian2 as b2
import cohort_bench  # bench/ is on sys.path when this file runs as a script
import sweep_bench

from sims.config import compose, validate
from sims.fast.backend import CompiledNetwork, reset_brian
from sims.fast.build_cache import EXTRA_COMPILE_ARGS, use_compile_args
from sims.fast.network import build_network
from sims.fast.pharmacology import network_gaba_state
from sims.fast.probe import run_probe
from sims.io import read_result
from sims.simulate import simulate

REPEATS = 5


def bare_brian2(c: dict, directory: Path, allonet_flags: bool = True) -> tuple[float, float]:
    """Build the network with plain Brian2 (values compiled in) and time the binary runs.

    ``allonet_flags``: compile with allonet's extra compiler flags (the same binary work, so
    the ratio is allonet's own overhead); else with Brian2's default flags.
    """
    reset_brian()
    if allonet_flags:
        use_compile_args()
    b2.set_device("cpp_standalone", build_on_run=False)
    b2.prefs.devices.cpp_standalone.openmp_threads = 0
    b2.defaultclock.dt = 0.1 * b2.ms
    b2.seed(int(c["seed"]))
    fn = build_network(c)
    for pop, vals in network_gaba_state(c, c["steroids"]["brain_nM"]).items():
        for var, val in vals.items():
            setattr(fn.groups[pop], var, val)
    fn.net.run(fn.duration, namespace={})
    t0 = time.perf_counter()
    b2.device.build(directory=str(directory), compile=True, run=False, with_output=False)
    compile_s = time.perf_counter() - t0
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        b2.device.run(directory=str(directory), with_output=False)
        for m in fn.spikes.values():  # what any script does next: read its spikes
            _ = m.i[:], m.t[:]
        times.append(time.perf_counter() - t0)
    reset_brian()
    return compile_s, statistics.median(times)


def allonet_probe(c: dict) -> tuple[float, float]:
    with CompiledNetwork(c) as net:
        build_s = net.timings["build_s"]
        times = []
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            run_probe(net, c, c["steroids"]["brain_nM"])
            times.append(time.perf_counter() - t0)
    return build_s, statistics.median(times)


def postpartum_28d(cache: Path, out: Path) -> tuple[float, dict]:
    """Time the 28-day run on a warm build cache; return its wall time and timings."""
    overrides = ["scenario=pregnancy_postpartum", "coupling.cadence_h=6",
                 "coupling.workers=2", "probe.warmup_ms=500", "probe.window_ms=1500",
                 "output.save_spikes=false", "coupling.progress=false",
                 f"backend.cache_dir={cache}"]
    cfg = compose(overrides)
    t0 = time.perf_counter()
    with CompiledNetwork(validate(cfg)):  # compile this structure (2-s probes) first
        pass
    compile_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    simulate(cfg, out_dir=out)
    wall = time.perf_counter() - t0
    res = read_result(out / "result.h5")
    return wall, json.loads(res.attrs["timings_json"]) | {
        "n_probes": len(res.groups["probes"]["time"].data), "compile_s": compile_s}


def main() -> None:
    print(f"allonet benchmark on {os.cpu_count()} cores, brian2 {b2.__version__}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        c = validate(compose(["coupling=network_only", f"backend.cache_dir={tmp / 'cache'}"]))
        cold_s, _ = allonet_probe(c)  # compiles into the empty cache
        warm_s, probe_s = allonet_probe(c)
        bare_compile_s, bare_s = bare_brian2(c, tmp / "bare")
        _, default_s = bare_brian2(c, tmp / "bare_default_flags", allonet_flags=False)
        ratio = probe_s / bare_s
        window = c["probe"]["warmup_ms"] + c["probe"]["window_ms"]
        print(f"\n(a) one probe, default network ({window:.0f} ms biological time), median of "
              f"{REPEATS}")
        print(f"    {'':28}{'allonet':>10}{'bare Brian2':>14}{'ratio':>8}")
        print(f"    {'run (s)':28}{probe_s:>10.3f}{bare_s:>14.3f}{ratio:>8.2f}")
        print(f"    {'compile, cold cache (s)':28}{cold_s:>10.1f}{bare_compile_s:>14.1f}")
        print(f"    {'build, cached (s)':28}{warm_s:>10.1f}{'-':>14}")
        print(f"    bare Brian2 with its default compiler flags: {default_s:.3f} s per run "
              f"(allonet {probe_s / default_s:.2f}x of it; allonet adds "
              f"{' '.join(EXTRA_COMPILE_ARGS)})")
        sys.stdout.flush()
        wall, t = postpartum_28d(tmp / "cache", tmp / "pp")
        n = t["n_probes"]
        print(f"\n(b) pregnancy_postpartum, 28 days, {n} probes of 2 s, 2 workers: "
              f"{wall:.1f} s wall (network compiled beforehand: {t['compile_s']:.1f} s)")
        print("\n(c) where the time goes in (b) (seconds; per-worker sums for probes)")
        for key, label in (("slow_s", "slow layer"), ("construct_s", "build Brian2 objects"),
                           ("build_s", "code generation + make (cached)"),
                           ("simulate_s", "binary runs (simulation)"),
                           ("read_s", "read results"), ("metrics_s", "metrics"),
                           ("worker_s", "worker jobs (start to return)"),
                           ("parallel_wall_s", "probe phase, wall"),
                           ("assemble_s", "assemble datasets"), ("write_s", "write HDF5")):
            if key in t:
                print(f"    {label:34}{t[key]:>8.2f}")
        print(f"    {'compile of this structure (before)':34}{t['compile_s']:>8.2f}")
        per_probe = t["simulate_s"] / n
        print(f"    {'binary run per 2-s probe':34}{per_probe:>8.2f}  "
              f"({per_probe / 2:.2f} s per biological second per core)")
        sys.stdout.flush()
        cohort = cohort_bench.main(tmp / "cache")
    sys.stdout.flush()
    sweep = sweep_bench.main()
    print(f"\nprobe_vs_bare_ratio: {ratio:.3f}")
    print(f"postpartum_28d_wall_s: {wall:.1f}")
    print(f"sweep_speedup_vs_rebuild: {sweep['sweep_speedup_vs_rebuild']:.2f}")
    print(f"sweep_two_worker_speedup: {sweep['sweep_two_worker_speedup']:.2f}")
    for key, value in cohort.items():
        print(f"{key}: {value:.2f}")


if __name__ == "__main__":
    main()
