"""``allonet-collect SWEEP_DIR``: gather a sweep's complete runs into ``SWEEP_DIR/sweep.h5``.

One row per complete job: its overrides as typed columns (``int``, ``float``, ``bool`` or
``str``), identifiers (job folder, seed, config hash) and scalar summaries of its probes
(mean over probes of every per-probe metric; per-population ones as ``<metric>_<pop>``)
and of its slow layer (mean/min/max of brain ALLO and cortisol). Incomplete or unreadable
result files are listed and skipped, never merged. The file is written by one process,
atomically (``sims.io``). ``load_sweep`` returns it as a pandas DataFrame.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from sims.io import Result, Variable, is_complete, read_result, write_result

SLOW_SUMMARIES = ("allo_brain", "cortisol")


def parse_value(text: str) -> Any:
    """An override's value as int, float, bool or str."""
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def parse_overrides(overrides: list[str]) -> dict[str, Any]:
    """``["a.b=1", "+c=x"]`` -> ``{"a.b": 1, "c": "x"}`` (hydra.* keys dropped)."""
    out = {}
    for o in overrides:
        key, _, value = o.lstrip("+~").partition("=")
        if not key.startswith("hydra"):
            out[key] = parse_value(value)
    return out


def _mean(x: np.ndarray) -> float:
    x = np.asarray(x, dtype=float)
    return float(np.mean(x[np.isfinite(x)])) if np.isfinite(x).any() else float("nan")


def summarise(res: Result) -> dict[str, float]:
    """Scalar summaries of one run."""
    row: dict[str, float] = {}
    probes = res.groups.get("probes", {})
    pops = list(probes["population"].data) if "population" in probes else []
    for name, v in probes.items():
        if v.dims == ("time",) and name != "time":
            row[f"{name}_mean"] = _mean(v.data)
        elif v.dims == ("time", "population"):
            for j, p in enumerate(pops):
                row[f"{name}_{p}_mean"] = _mean(v.data[:, j])
    slow = res.groups.get("slow", {})
    for name in SLOW_SUMMARIES:
        if name in slow:
            x = slow[name].data
            row |= {f"{name}_mean": float(x.mean()), f"{name}_min": float(x.min()),
                    f"{name}_max": float(x.max())}
    return row


def collect(sweep_dir: str | Path) -> tuple[Path | None, list[str], list[str]]:
    """Write ``sweep.h5`` from the complete runs below ``sweep_dir``.

    Returns:
        the written path (None if no complete run), the jobs used, the jobs skipped.
    """
    sweep_dir = Path(sweep_dir)
    rows, used, skipped, override_keys = [], [], [], set()
    for path in sorted(sweep_dir.rglob("result.h5")):
        job = str(path.parent.relative_to(sweep_dir))
        if not is_complete(path):
            skipped.append(f"{job} (incomplete or unreadable)")
            continue
        res = read_result(path)
        row: dict[str, Any] = {"job": job, "seed": int(res.attrs["seed"]),
                               "config_hash": res.attrs["config_hash"]}
        overrides = parse_overrides(json.loads(res.attrs.get("overrides", "[]")))
        override_keys |= set(overrides)
        row |= overrides
        row |= summarise(res)
        rows.append(row)
        used.append(job)
    if not rows:
        return None, used, skipped
    columns = list(dict.fromkeys(k for r in rows for k in r))
    table: dict[str, Variable] = {"run": Variable(np.arange(len(rows)), ("run",), "1", "row")}
    for col in columns:
        vals = [r.get(col) for r in rows]
        if all(isinstance(v, bool) for v in vals):
            data = np.array(vals, dtype=bool)
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
            data = np.array(vals, dtype=np.int64)
        elif all(isinstance(v, int | float) and not isinstance(v, bool) for v in vals
                 if v is not None):
            data = np.array([np.nan if v is None else float(v) for v in vals])
        else:
            data = np.array(["" if v is None else str(v) for v in vals])
        table[col] = Variable(data, ("run",), "",
                              "swept override" if col in override_keys else "")
    result = Result(attrs={"n_runs": len(rows), "skipped_json": json.dumps(skipped),
                           "columns_json": json.dumps(columns)},
                    groups={"table": table})
    return write_result(sweep_dir / "sweep.h5", result), used, skipped


def load_sweep(path: str | Path) -> Any:
    """``sweep.h5`` as a pandas DataFrame, one row per run (needs pandas)."""
    import pandas as pd

    res = read_result(path)
    columns = json.loads(res.attrs["columns_json"])
    return pd.DataFrame({c: res.groups["table"][c].data for c in columns})


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point ``allonet-collect``."""
    ap = argparse.ArgumentParser(prog="allonet-collect", description=__doc__.splitlines()[0])
    ap.add_argument("sweep_dir", help="a Hydra multirun folder")
    args = ap.parse_args(argv)
    path, used, skipped = collect(args.sweep_dir)
    for s in skipped:
        print(f"skipped {s}", file=sys.stderr)
    if path is None:
        print(f"no complete run below {args.sweep_dir}", file=sys.stderr)
        return 1
    print(f"collected {len(used)} runs into {path} ({len(skipped)} skipped)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
