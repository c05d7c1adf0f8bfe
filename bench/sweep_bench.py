"""Sweep benchmark: a 20-point run-time sweep through the real command line.

Each point is a job of ``allonet -m`` (the default 4000-neuron network, one probe of 2.2 s
biological time, brain ALLO swept over 20 values, joblib launcher), compared side by side:

- allonet, 1 joblib worker, warm build cache (the structure was compiled beforehand);
- allonet, 2 joblib workers, warm build cache;
- rebuild per point: the same jobs, 2 workers, each point compiling its network into a
  fresh project folder (what a script that builds a new standalone network per point
  does). Compiling ~25 s per point, so ``REBUILD_POINTS`` points are measured and the
  per-point time is scaled to 20 (``--full`` runs all 20).

Prints ``sweep_speedup_vs_rebuild: X`` (rebuild vs allonet, both with 2 workers) and
``sweep_two_worker_speedup: X`` (1 vs 2 workers).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

POINTS = 20
REBUILD_POINTS = 4
ALLONET = str(Path(sys.executable).with_name("allonet"))
COMMON = ["coupling=network_only", "probe.window_ms=2000",
          "output.save_spikes=false", "hydra/launcher=joblib"]


def allo_values(n: int) -> str:
    """``n`` brain ALLO levels, log-spaced over 1-100 nM."""
    return ",".join(f"{10 ** (2 * k / (POINTS - 1)):.3g}" for k in range(n))


def timed_sweep(out: Path, n_jobs: int, n_points: int, cache: str) -> float:
    """Wall time of one ``allonet -m`` sweep; fails loudly if a job did not complete."""
    cmd = [ALLONET, "-m", *COMMON, f"hydra.launcher.n_jobs={n_jobs}",
           f"steroids.brain_nM.allo={allo_values(n_points)}", f"backend.cache_dir={cache}",
           f"hydra.sweep.dir={out}"]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    done = len(list(out.rglob("result.h5")))
    if p.returncode != 0 or done != n_points:
        sys.exit(f"sweep failed ({done}/{n_points} files):\n{p.stderr[-2000:]}")
    return wall


def main(full: bool = False) -> dict[str, float]:
    """Run the three variants and print the comparison."""
    n_rebuild = POINTS if full else REBUILD_POINTS
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cache = str(tmp / "cache")
        compile_s = timed_sweep(tmp / "warm", 1, 1, cache)  # compiles the structure once
        t1 = timed_sweep(tmp / "one", 1, POINTS, cache)
        t2 = timed_sweep(tmp / "two", 2, POINTS, cache)
        fresh = str(tmp / "rebuild") + "/${hydra:job.num}"  # a new project folder per job
        tr = timed_sweep(tmp / "rebuild_runs", 2, n_rebuild, fresh)
    rebuild = tr / n_rebuild * POINTS
    print(f"\n(d) {POINTS}-point run-time sweep (default network, 2.2 s probe per point, "
          "allonet -m, joblib)")
    print(f"    {'variant':46}{'wall (s)':>10}{'per point':>11}")
    print(f"    {'first job, cold cache (compiles the network)':46}{compile_s:>10.1f}")
    print(f"    {'allonet, 1 worker, warm cache':46}{t1:>10.1f}{t1 / POINTS:>11.2f}")
    print(f"    {'allonet, 2 workers, warm cache':46}{t2:>10.1f}{t2 / POINTS:>11.2f}")
    label = "rebuild per point, 2 workers" + ("" if full else
                                              f" ({n_rebuild} measured, x{POINTS / n_rebuild:g})")
    print(f"    {label:46}{rebuild:>10.1f}{rebuild / POINTS:>11.2f}")
    ratios = {"sweep_speedup_vs_rebuild": rebuild / t2, "sweep_two_worker_speedup": t1 / t2,
              "sweep_speedup_vs_rebuild_1_worker": rebuild / t1}
    print(f"    speed-up vs rebuild: {ratios['sweep_speedup_vs_rebuild']:.1f}x with 2 workers, "
          f"{ratios['sweep_speedup_vs_rebuild_1_worker']:.1f}x with 1; "
          f"2 vs 1 worker: {ratios['sweep_two_worker_speedup']:.2f}x")
    return ratios


if __name__ == "__main__":
    r = main(full="--full" in sys.argv)
    print(f"\nsweep_speedup_vs_rebuild: {r['sweep_speedup_vs_rebuild']:.2f}")
    print(f"sweep_two_worker_speedup: {r['sweep_two_worker_speedup']:.2f}")
