"""What a cohort needs from the machine, estimated before anything runs: memory for
sampling and for one block of individuals, disk for ``cohort.h5``; and the block size
``cohort.block_size: auto`` chooses from them.

The trade-off (measured on 2 cores, docs/populations.md "Cohorts"): each block pays a
fixed cost (its config copies, the slow model's set-up, a worker's start), so a few large
blocks are much faster than many small ones (n = 40, 2 workers: 20.6 s with one block per
arm, 70.8 s with blocks of 10); a block's memory grows with its individuals x recorded
variables x recorded samples. ``auto`` takes the largest block that fits a share of the
available memory, and no larger than needed to give every worker a block.
"""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path

from sims.errors import ConfigError
from sims.machine import available_memory, gib  # noqa: F401 - re-exported for callers

BYTES = 8  # float64
#: Copies of a block's recorded series alive at once: the integrator's record, the
#: [individual, time] copy written to cohort.h5, and one temporary of the outcome or
#: summary statistics [assumption: counted from sims.cohort.engine.run_block].
RECORD_COPIES = 3
#: Arrays of the slow state per individual: state, 4 RK4 stages, 6 stage buffers, a copy
#: (sims.slow.numerics) [assumption: counted from the array backend].
STATE_COPIES = 12
#: Arrays of the cohort's size that sampling holds at once per parameter (uniforms,
#: normals, the copula's correlated normals, values, truncation masks, ...) [assumption].
SAMPLING_COPIES = 8
#: Share of the available memory that the blocks of all workers may take together
#: [assumption: leaves half for the interpreter, Brian2 and the OS page cache].
MEMORY_SHARE = 0.5
#: A block is never made larger than this, whatever the memory, so that progress is
#: reported often enough (individuals) [assumption].
MAX_AUTO_BLOCK = 2000


def bytes_per_individual(n_record: int, n_samples: int, n_states: int) -> int:
    """Memory one individual takes in a block (recorded series and integrator state)."""
    return BYTES * (RECORD_COPIES * n_record * n_samples + STATE_COPIES * n_states)


def check_sampling(n: int, n_parameters: int, available: int | None = None) -> None:
    """Sampling draws every individual of the cohort (every shard draws the whole cohort,
    so that individual k is the same however it is sharded).

    Raises:
        ConfigError: ``cohort.n`` whose sampling would not fit the available memory.
    """
    available = available_memory() if available is None else available
    need = n * BYTES * SAMPLING_COPIES * (n_parameters + 2)
    if need > MEMORY_SHARE * available:
        most = int(MEMORY_SHARE * available / (BYTES * SAMPLING_COPIES * (n_parameters + 2)))
        raise ConfigError("cohort.n", n, f"at most ~{most:,} individuals on this machine: "
                          f"sampling {n:,} individuals x {n_parameters} parameters needs ~"
                          f"{gib(need)} and {gib(available)} is available (every shard "
                          "samples the whole cohort)")


def choose_block(rows: int, arms: int, workers: int, per_individual: int,
                 requested: int | None, available: int | None = None) -> tuple[int, str]:
    """The block size and why: ``requested`` (an integer) as given, if a block fits in
    memory; ``None`` (``auto``) the largest that fits ``MEMORY_SHARE`` of the available
    memory split over the workers, capped at :data:`MAX_AUTO_BLOCK` and at what gives
    every worker a block.

    Raises:
        ConfigError: one individual, or the requested block, does not fit in memory.
    """
    available = available_memory() if available is None else available
    workers = max(1, workers)
    budget = MEMORY_SHARE * available / workers
    fits = int(budget // max(per_individual, 1))
    if fits < 1:
        raise ConfigError("cohort.record.variables", "(as set)", f"fewer recorded variables "
                          f"or a larger cohort.record.every_h: one individual's record needs "
                          f"~{gib(per_individual)}, {gib(budget)} is available per worker")
    if requested is not None:
        if requested > fits and requested < rows:
            raise ConfigError("cohort.block_size", requested, f"at most {fits} on this "
                              f"machine (~{gib(per_individual)} per individual, {gib(budget)}"
                              " available per worker), or auto")
        block = min(requested, rows)
        return block, f"cohort.block_size={requested}"
    # enough blocks for every worker: arms x blocks >= workers
    per_arm = max(1, math.ceil(workers / max(arms, 1)))
    block = max(1, min(fits, MAX_AUTO_BLOCK, math.ceil(rows / per_arm)))
    return block, (f"auto: {block} of {rows} (~{gib(block * per_individual)} a block; "
                   f"{gib(available)} available, {workers} worker(s), {arms} arm(s))")


def check_disk(out_dir: str | os.PathLike, need: int) -> None:
    """``cohort.h5`` (about ``need`` bytes, uncompressed) must fit on the output's disk.

    Raises:
        ConfigError: it does not.
    """
    d = Path(out_dir)
    while not d.exists() and d != d.parent:
        d = d.parent
    free = shutil.disk_usage(d).free
    if need > free:
        raise ConfigError("cohort.n", "(as set)", f"a cohort whose cohort.h5 fits the disk: "
                          f"~{gib(need)} to write, {gib(free)} free under {d} (fewer "
                          "individuals or recorded variables, a larger cohort.record.every_h,"
                          " or shards on other disks)")


__all__ = ["available_memory", "bytes_per_individual", "check_disk", "check_sampling",
           "choose_block"]
