"""Cohort benchmarks (run by ``bench/run.py``, or alone: ``python bench/cohort_bench.py``).

(e) the slow layer: one 28-day pregnancy_postpartum run on the single-run path (float
    backend) vs a 1000-individual cohort of the same scenario, slow only, through the real
    cohort engine (sampling, 2 worker processes, cohort.h5 written), per individual-day;
(f) probes inside a cohort: 32 individuals x 4 probes of the default network, 2 workers
    (one block of 16 individuals each), per-probe wall time of the probe phase (opening
    the compiled network, per-individual configs, runs, reading, metrics) vs the binary's
    own run time of those probes (what a bare Brian2 script would spend).

Prints ``cohort_slow_speedup_per_individual_day: X``, ``cohort_1000x28d_slow_wall_s: X``
and ``cohort_probe_overhead_ratio: X``.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import h5py

from sims.cohort.engine import run_cohort_job
from sims.config import compose, validate
from sims.slow.model import SlowModel

COHORT = ["+cohort=postpartum", "cohort.arms.brexanolone=null", "cohort.workers=2"]


def single_run_s(repeats: int = 3) -> float:
    """Median wall time of one 28-day postpartum slow run on the single-run path."""
    c = validate(compose(["scenario=pregnancy_postpartum", "coupling=slow_only"]))
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        SlowModel(c).run(int(c["seed"]))
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def cohort_run(overrides: list[str], out: Path) -> tuple[float, dict]:
    """Wall time of a cohort job and its recorded timings."""
    c = validate(compose(overrides))
    t0 = time.perf_counter()
    run_cohort_job(c, out, overrides)
    wall = time.perf_counter() - t0
    with h5py.File(out / "cohort.h5", "r") as f:
        return wall, json.loads(f.attrs["timings_json"])


def main(cache: Path | None = None) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cache = cache or tmp / "cache"
        single = single_run_s()
        days = 28.0
        ov = [*COHORT, "cohort.n=1000", "cohort.block_size=500", "coupling=slow_only",
              f"scenario.duration_days={days}"]
        wall, t = cohort_run(ov, tmp / "slow")
        per_single = single / days
        per_cohort = wall / (1000 * days)
        speedup = per_single / per_cohort
        print(f"\n(e) slow layer, pregnancy_postpartum {days:g} days (+5 days burn-in each)")
        print(f"    single-run path, one individual:   {single:8.2f} s  "
              f"({per_single * 1e3:.1f} ms per individual-day)")
        print(f"    cohort, 1000 individuals, 2 workers: {wall:8.2f} s  "
              f"({per_cohort * 1e3:.3f} ms per individual-day; slow layer "
              f"{t['slow_s']:.1f} s summed over workers)")
        print(f"    speed-up per individual-day: {speedup:.0f}x")
        sys.stdout.flush()
        ov = [*COHORT, "cohort.n=32", "cohort.block_size=16", "scenario.duration_days=2",
              "cohort.probe_times_h=[6.0,12.0,18.0,24.0]", "~cohort.outcomes",
              "coupling.progress=false",
              f"backend.cache_dir={cache}"]
        validate(compose(ov))
        from sims.fast.backend import CompiledNetwork

        with CompiledNetwork(validate(compose(["coupling=network_only",
                                               f"backend.cache_dir={cache}"]))):
            pass  # the structure is compiled before the timed run
        wall_p, tp = cohort_run(ov, tmp / "probes")
        n = int(tp["n_probes"])
        workers = int(tp["workers"])
        # the probe phase of every block, summed over workers, per probe
        per_probe = tp["probe_wall_s"] / n
        binary = tp["simulate_s"] / n
        ratio = per_probe / binary
        print(f"\n(f) probes inside a cohort: 32 individuals x 4 probes, default network, "
              f"{workers} workers, {wall_p:.1f} s wall")
        print(f"    per probe: {per_probe:.3f} s in the cohort (network opened from the build "
              f"cache once per block, configs, metrics) vs {binary:.3f} s of binary run: "
              f"{ratio:.2f}x")
        print("    probe phase (s, summed over workers): " + ", ".join(
            f"{k} {tp[k]:.2f}" for k in ("probe_wall_s", "simulate_s", "build_s", "read_s",
                                         "metrics_s") if k in tp))
        out = {"cohort_slow_speedup_per_individual_day": speedup,
               "cohort_1000x28d_slow_wall_s": wall, "cohort_probe_overhead_ratio": ratio}
    return out


if __name__ == "__main__":
    for k, v in main().items():
        print(f"{k}: {v:.2f}")
