"""Where the time of a run goes: cold vs warm compile, simulation, read-out and I/O.

Runs the debug and the default simulation twice each with an empty build cache (cold
compile, then cache hit) and prints the breakdown side by side. No thresholds: numbers
are for the reader (and the closing notes).
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from sims.config import compose
from sims.io import read_result
from sims.simulate import simulate

PHASES = ("construct_s", "build_s", "simulate_s", "read_s", "assemble_s")


def time_run(overrides: list[str], cache: Path, out: Path) -> dict[str, float]:
    cfg = compose(overrides + [f"backend.cache_dir={cache}"])
    t0 = time.perf_counter()
    simulate(cfg, out_dir=out)
    wall = time.perf_counter() - t0
    res = read_result(out / "result.h5")
    timings = json.loads(res.attrs["timings_json"])
    timings["wall_s"] = wall
    return timings


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, ov in (("debug", ["sim=debug"]), ("default", [])):
            cache = Path(tmp) / f"cache-{name}"
            for label in ("cold", "warm"):
                t = time_run(ov, cache, Path(tmp) / f"{name}-{label}")
                rows.append((f"{name} ({label} cache)", t))
    head = f"{'run':<24}" + "".join(f"{p[:-2]:>11}" for p in PHASES) + f"{'wall':>11}"
    print(head)
    for label, t in rows:
        print(f"{label:<24}" + "".join(f"{t.get(p, 0):>11.2f}" for p in PHASES)
              + f"{t['wall_s']:>11.2f}")
    cold, warm = rows[2][1], rows[3][1]
    print(f"default_cold_wall_s: {cold['wall_s']:.2f}")
    print(f"default_warm_wall_s: {warm['wall_s']:.2f}")
    print(f"default_compile_share_cold: {cold['build_s'] / cold['wall_s']:.2f}")


if __name__ == "__main__":
    main()
