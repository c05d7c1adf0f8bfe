"""Sweep bookkeeping: per-job status, a sweep-level progress line, the final summary.

Every job writes ``<job dir>/job_status.json`` (status ``ran``, ``skipped`` or ``failed``,
its overrides, the error and, for a failure, its exit code: 2 bad input, 3 failed run,
1 internal error; ``sims.errors``). The Hydra callback :class:`SweepSummary` (configured in
``configs/config.yaml`` under ``hydra.callbacks``) writes ``<sweep dir>/sweep_status.json``
with the job count and start time before the launcher starts, and, when every job has
returned, prints ``ran / skipped / failed`` and a table of the failed jobs (job,
overrides, error) and ends the sweep with the exit code its failed jobs share (1 if they
differ, or if a job reported no status). A failing job
never stops the others: in a multirun the app records the failure instead of raising.

Works the same with the basic, joblib and submitit launchers, since everything goes
through files in the sweep folder (which a Slurm cluster shares between nodes).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from sims.errors import EXIT_INTERNAL

JOB_STATUS = "job_status.json"
SWEEP_STATUS = "sweep_status.json"
STATUSES = ("ran", "skipped", "failed")


def write_json(path: Path, data: Mapping[str, Any]) -> None:
    """Write JSON atomically (temporary name, then rename): readers never see half."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, path)  # atomic: readers never see half a file


def record_job(job_dir: str | Path, num: int | None, overrides: Iterable[str], status: str,
               wall_s: float, error: str = "", exit_code: int = 0) -> Path:
    """Write ``job_status.json`` of one job (atomically)."""
    if status not in STATUSES:
        raise ValueError(f"status {status!r} is not one of {STATUSES}")
    path = Path(job_dir) / JOB_STATUS
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json(path, {"job": num, "overrides": list(overrides), "status": status,
                       "error": error, "exit_code": exit_code, "wall_s": wall_s,
                       "finished": time.time()})
    return path


def count_jobs(overrides: list[str], params: dict[str, Any]) -> int | None:
    """Number of jobs of a sweep, as Hydra's basic sweeper will expand it (None if unknown)."""
    try:
        from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
        from hydra.core.override_parser.overrides_parser import OverridesParser

        args = [*(f"{k}={v}" for k, v in params.items()), *overrides]
        parsed = OverridesParser.create().parse_overrides(args)
        return sum(len(b) for b in BasicSweeper.split_arguments(parsed, None))
    except Exception:  # glob sweeps and other sweepers: no count, no ETA
        return None


def job_statuses(sweep_dir: str | Path, since: float = 0.0) -> list[dict[str, Any]]:
    """Statuses of the jobs in ``sweep_dir`` that finished after ``since`` (epoch seconds)."""
    out = []
    for p in sorted(Path(sweep_dir).rglob(JOB_STATUS)):
        try:
            d = json.loads(p.read_text())
        except (OSError, ValueError):
            continue
        if d.get("finished", 0.0) >= since:
            d["dir"] = str(p.parent)
            out.append(d)
    return sorted(out, key=lambda d: (d["job"] is None, d["job"] or 0))


def _sweep_info(sweep_dir: Path) -> dict[str, Any]:
    try:
        return json.loads((sweep_dir / SWEEP_STATUS).read_text())
    except (OSError, ValueError):
        return {}


def progress_line(sweep_dir: str | Path, now: float | None = None) -> str:
    """``sweep: done/total (ran, skipped, failed), elapsed, ETA`` from the status files."""
    sweep_dir = Path(sweep_dir)
    info = _sweep_info(sweep_dir)
    start = float(info.get("started", 0.0))
    jobs = job_statuses(sweep_dir, since=start)
    counts = {s: sum(j["status"] == s for j in jobs) for s in STATUSES}
    done, total = len(jobs), info.get("total")
    now = time.time() if now is None else now
    elapsed = max(0.0, now - start) if start else 0.0
    line = f"sweep: {done}/{total if total else '?'} jobs done"
    line += f" ({counts['ran']} ran, {counts['skipped']} skipped, {counts['failed']} failed)"
    if start:
        line += f", {elapsed:.0f} s elapsed"
        if total and 0 < done < total:
            line += f", ETA {elapsed / done * (total - done):.0f} s"
    return line


def sweep_exit_code(jobs: list[dict[str, Any]], total: int | None) -> int:
    """0 if every job ran or was skipped; else the exit code the failed jobs share, or 1
    (internal) if they differ or a job reported no status."""
    codes = {int(j.get("exit_code") or EXIT_INTERNAL) for j in jobs if j["status"] == "failed"}
    if (total or 0) > len(jobs):
        codes.add(EXIT_INTERNAL)
    if not codes:
        return 0
    return codes.pop() if len(codes) == 1 else EXIT_INTERNAL


def summary(jobs: list[dict[str, Any]], total: int | None) -> tuple[str, int]:
    """The end-of-sweep report and the number of failed (or silent) jobs."""
    counts = {s: sum(j["status"] == s for j in jobs) for s in STATUSES}
    lines = [f"sweep finished: {counts['ran']} ran, {counts['skipped']} skipped, "
             f"{counts['failed']} failed" + (f" (of {total} jobs)" if total else "")]
    missing = (total or 0) - len(jobs)
    if missing > 0:
        lines.append(f"{missing} job(s) reported no status (killed?)")
    failed = [j for j in jobs if j["status"] == "failed"]
    if failed:
        lines.append("failed jobs:")
        lines.append(f"{'job':>4}  {'overrides':<60}  error")
        for j in failed:
            ov = " ".join(j["overrides"])
            err = " ".join(str(j["error"]).split())[:200]
            lines.append(f"{j['job'] if j['job'] is not None else '?':>4}  {ov:<60}  {err}")
    return "\n".join(lines), counts["failed"] + max(missing, 0)


class SweepSummary(Callback):
    """Hydra callback: job count and start time before a multirun, summary after it."""

    def __init__(self, exit_on_failure: bool = True) -> None:
        self.exit_on_failure = exit_on_failure
        self.started = 0.0

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        self.started = time.time()
        params = dict(config.hydra.sweeper.get("params") or {})
        total = count_jobs(list(config.hydra.overrides.task), params)
        write_json(sweep_dir / SWEEP_STATUS, {"total": total, "started": self.started})

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        info = _sweep_info(sweep_dir)
        jobs = job_statuses(sweep_dir, since=self.started)
        text, n_bad = summary(jobs, info.get("total"))
        print(text, file=sys.stderr, flush=True)
        if n_bad and self.exit_on_failure:
            raise SystemExit(sweep_exit_code(jobs, info.get("total")))
