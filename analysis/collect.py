"""``allonet-collect SWEEP_DIR``: gather a sweep's complete runs into ``SWEEP_DIR/sweep.h5``.

One row per complete job: its overrides as typed columns (``int``, ``float``, ``bool`` or
``str``; a swept master ``seed`` among them), identifiers (job folder, ``job_seed`` -- the
seed the job ran with -- and config hash) and scalar summaries of its probes
(mean over probes of every per-probe metric; per-population ones as ``<metric>_<pop>``;
per phase -- pregnancy, postpartum, treatment, stress -- as ``<metric>_<phase>_mean`` and,
for tonic charge and conductance, ``_min``) and of its slow layer (mean/min/max of brain
ALLO and cortisol). Stacked time series go
to ``series/probes`` (every per-probe metric, ``[run, probe]`` or ``[run, probe,
population]``) and ``series/slow`` (``SLOW_SERIES``, ``[run, slow_step]``), NaN-padded when
runs differ in length, each with its own time array. Incomplete or unreadable result files
are listed and skipped with the reason, never merged. The file is written by one process
at a time (the lock of ``sweep.h5``; temporaries of a killed collector are removed), and
records which result files it was made from (``sources_json``: job -> config hash, size,
modification time), so a ``sweep.h5`` older than its sweep is detected
(:func:`is_current`). ``load_sweep`` returns the table as a pandas DataFrame and
``load_sweep_dataset`` everything as an xarray Dataset whose dimensions are the swept
parameters.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from analysis.phases import in_phase, phase_spans
from sims.errors import EXIT_BAD_INPUT, ResultFileError
from sims.io import (
    Result,
    Variable,
    check_replaceable,
    completeness,
    exclusive,
    read_attrs,
    read_result,
    write_result,
)

SWEEP_FILE = "sweep.h5"

SLOW_SUMMARIES = ("allo_brain", "cortisol")
SLOW_SERIES = ("allo_brain", "thdoc_brain", "cortisol", "progesterone_plasma",
               "zuranolone_brain", "chronic_stress")


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


#: Per-probe metrics summarised per phase (mean; and min for the inhibition measures).
PHASE_METRICS = ("rate", "tonic_charge", "phasic_charge", "gamma_power", "g_tonic")
PHASE_MINIMA = ("tonic_charge", "g_tonic")


def phase_summaries(res: Result, pops: list[str]) -> dict[str, float]:
    """``<metric>[_<pop>]_<phase>_mean`` (and ``_min``) over the probes in each phase
    (pregnancy, postpartum, treatment, stress; ``analysis.phases``)."""
    probes, slow = res.groups["probes"], res.groups["slow"]
    events = [(str(n), float(t) / 24.0) for n, t in json.loads(res.attrs.get("events_json",
                                                                             "[]"))]
    spans = phase_spans(slow["time"].data / 86400.0,
                        {k: v.data for k, v in slow.items() if k != "time"}, events)
    t = probes["time"].data / 86400.0
    row: dict[str, float] = {}
    for kind in dict.fromkeys(k for k, _, _ in spans):
        mask = in_phase(t, spans, kind)
        if not mask.any():
            continue
        for name in PHASE_METRICS:
            if name not in probes:
                continue
            v = probes[name]
            columns = ([(name, v.data[mask])] if v.dims == ("time",) else
                       [(f"{name}_{p}", v.data[mask, j]) for j, p in enumerate(pops)])
            for col, x in columns:
                row[f"{col}_{kind}_mean"] = _mean(x)
                if name in PHASE_MINIMA:
                    row[f"{col}_{kind}_min"] = float(np.nanmin(x))
    return row


def summarise(res: Result) -> dict[str, float]:
    """Scalar summaries of one run."""
    row: dict[str, float] = {}
    probes = res.groups.get("probes", {})
    pops = list(probes["population"].data) if "population" in probes else []
    for name, v in probes.items():
        if v.data.dtype.kind not in "fiub":  # strings: the probes' brain state
            if name == "state" and v.data.size:
                row["nrem_fraction"] = float(np.mean(np.asarray(v.data).astype(str) == "nrem"))
            continue
        if v.dims == ("time",) and name != "time":
            row[f"{name}_mean"] = _mean(v.data)
        elif v.dims == ("time", "population"):
            for j, p in enumerate(pops):
                row[f"{name}_{p}_mean"] = _mean(v.data[:, j])
    slow = res.groups.get("slow", {})
    if "time" in probes and "time" in slow:
        row |= phase_summaries(res, pops)
    for name in SLOW_SUMMARIES:
        if name in slow:
            x = slow[name].data
            row |= {f"{name}_mean": float(x.mean()), f"{name}_min": float(x.min()),
                    f"{name}_max": float(x.max())}
    return row


def _stack(arrays: list[np.ndarray]) -> np.ndarray:
    """Stack along a new first axis, NaN-padding the second axis to the longest run."""
    n = max(a.shape[0] for a in arrays)
    out = np.full((len(arrays), n, *arrays[0].shape[1:]), np.nan)
    for k, a in enumerate(arrays):
        out[k, : a.shape[0]] = a
    return out


def series(results: list[Result]) -> dict[str, dict[str, Variable]]:
    """Stacked per-probe metrics and slow time series of the runs (NaN-padded)."""
    groups: dict[str, dict[str, Variable]] = {}
    probes = [r.groups.get("probes", {}) for r in results]
    if all("time" in p for p in probes):
        g = {"time": Variable(_stack([p["time"].data for p in probes]), ("run", "probe"), "s",
                              "slow-layer time of each probe")}
        first = probes[0]
        if "population" in first:
            g["population"] = first["population"]
        for name, v in first.items():
            if name in ("time", "population", "species") or v.dims[0] != "time":
                continue
            if v.data.dtype.kind not in "fiu" or not all(
                    name in p and p[name].data.shape[1:] == v.data.shape[1:] for p in probes):
                continue
            dims = ("run", "probe", *v.dims[1:])
            g[name] = Variable(_stack([p[name].data.astype(float) for p in probes]), dims,
                               v.units, v.description)
        groups["series/probes"] = g
    slows = [r.groups.get("slow", {}) for r in results]
    if all("time" in s for s in slows):
        g = {"time": Variable(_stack([s["time"].data for s in slows]), ("run", "slow_step"),
                              "s", "slow-layer time")}
        for name in SLOW_SERIES:
            if all(name in s for s in slows):
                g[name] = Variable(_stack([s[name].data for s in slows]), ("run", "slow_step"),
                                   slows[0][name].units, slows[0][name].description)
        groups["series/slow"] = g
    return groups


def _source(path: Path) -> list[Any]:
    """What identifies one version of a result file: its size and modification time."""
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


def sources(sweep_dir: str | Path) -> dict[str, list[Any]]:
    """The complete result files below ``sweep_dir`` now: job -> [size, mtime_ns]."""
    sweep_dir = Path(sweep_dir)
    out = {}
    for path in sorted(sweep_dir.rglob("result.h5")):
        if completeness(path) == "complete":
            out[str(path.parent.relative_to(sweep_dir))] = _source(path)
    return out


def is_current(sweep_file: str | Path) -> tuple[bool, str]:
    """Whether ``sweep_file`` was made from exactly the complete results beside it now.

    Returns (current, what changed). A ``sweep.h5`` without result files beside it (copied
    elsewhere) counts as current: there is nothing to compare it with.
    """
    sweep_file = Path(sweep_file)
    now = sources(sweep_file.parent)
    if not now:
        return True, ""
    stored = json.loads(read_attrs(sweep_file).get("sources_json", "null") or "null")
    if stored is None:
        return False, "it records no sources (made by an older allonet)"
    added = sorted(set(now) - set(stored))
    gone = sorted(set(stored) - set(now))
    rerun = sorted(j for j in set(now) & set(stored) if now[j] != stored[j])
    if not (added or gone or rerun):
        return True, ""
    parts = [f"{len(x)} job(s) {w} ({', '.join(x[:5])}{' ...' if len(x) > 5 else ''})"
             for x, w in ((added, "completed since"), (rerun, "re-run since"),
                          (gone, "no longer complete")) if x]
    return False, "; ".join(parts)


def collect(sweep_dir: str | Path) -> tuple[Path | None, list[str], list[str]]:
    """Write ``sweep.h5`` from the complete runs below ``sweep_dir``.

    Returns:
        the written path (None if no complete run), the jobs used, the jobs skipped with
        the reason (``"<job> (<why>)"``).

    Raises:
        ResultFileError: ``sweep_dir`` does not exist or is not a folder.
    """
    sweep_dir = Path(sweep_dir)
    if not sweep_dir.exists():
        raise ResultFileError(sweep_dir, "no such folder")
    if not sweep_dir.is_dir():
        raise ResultFileError(sweep_dir, "not a folder (allonet-collect takes a sweep folder)")
    with exclusive(sweep_dir / SWEEP_FILE):
        return _collect_locked(sweep_dir)


def _collect_locked(sweep_dir: Path) -> tuple[Path | None, list[str], list[str]]:
    rows, used, skipped, override_keys = [], [], [], set()
    results: list[Result] = []
    used_sources: dict[str, list[Any]] = {}
    for path in sorted(sweep_dir.rglob("result.h5")):
        job = str(path.parent.relative_to(sweep_dir))
        state = completeness(path)
        if state != "complete":
            skipped.append(f"{job} ({state})")
            continue
        try:
            src = _source(path)
            res = read_result(path)
        except (OSError, KeyError, ValueError) as exc:
            skipped.append(f"{job} (unreadable: {exc})")
            continue
        results.append(res)
        row: dict[str, Any] = {"job": job, "job_seed": int(res.attrs["seed"]),
                               "config_hash": res.attrs["config_hash"]}
        overrides = parse_overrides(json.loads(res.attrs.get("overrides", "[]")))
        override_keys |= set(overrides)
        row |= overrides
        row |= summarise(res)
        rows.append(row)
        used.append(job)
        used_sources[job] = src
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
        description = "swept override" if col in override_keys else {
            "job": "job folder", "job_seed": "the seed the job ran with",
            "config_hash": "hash of the job's resolved config"}.get(col, "summary")
        table[col] = Variable(data, ("run",), "", description,
                              "NaN where the run has no such value" if data.dtype.kind == "f"
                              else "")
    swept = [c for c in columns if c in override_keys]
    result = Result(attrs={"n_runs": len(rows), "skipped_json": json.dumps(skipped),
                           "columns_json": json.dumps(columns),
                           "swept_json": json.dumps(swept),
                           "sources_json": json.dumps(used_sources)},
                    groups={"table": table, **series(results)})
    return write_result(sweep_dir / SWEEP_FILE, result), used, skipped


def _as_result(src: str | Path | Result) -> Result:
    """A sweep file's contents, read once by the caller and passed on, or read here."""
    return src if isinstance(src, Result) else read_result(src)


def load_sweep(src: str | Path | Result) -> Any:
    """``sweep.h5`` (a path or its already-read :class:`Result`) as a pandas DataFrame."""
    import pandas as pd

    res = _as_result(src)
    columns = json.loads(res.attrs["columns_json"])
    return pd.DataFrame({c: res.groups["table"][c].data for c in columns})


def swept_parameters(src: str | Path | Result) -> list[str]:
    """The override columns of a sweep that take more than one value."""
    res = _as_result(src)
    table = res.groups["table"]
    keys = json.loads(res.attrs.get("swept_json", "[]"))
    return [k for k in keys if len(np.unique(table[k].data)) > 1]


def load_sweep_dataset(src: str | Path | Result) -> Any:
    """``sweep.h5`` as an ``xarray.Dataset`` whose dimensions are the swept parameters.

    Summaries become variables over the swept parameters (NaN where a combination did not
    run); stacked series add their own ``probe`` / ``slow_step`` (and ``population``)
    dimensions. Parameters that vary together (e.g. a treatment and its dose) stay
    separate dimensions; duplicate combinations (repeated seeds with ``seed_mode=shared``)
    raise, since they cannot be placed on a grid.
    """
    import xarray as xr

    res = _as_result(src)  # one read of the file for the table, the swept keys and series
    df = load_sweep(res)
    dims = swept_parameters(res)
    if not dims:
        return df.to_xarray()
    if df.duplicated(dims).any():
        raise ValueError(f"runs repeat the same values of {dims}: no grid to put them on")
    ds = df.drop(columns=[c for c in ("run",) if c in df]).set_index(dims).to_xarray()
    for gname in ("series/probes", "series/slow"):
        g = res.groups.get(gname, {})
        for name, v in g.items():
            if v.dims[0] != "run" or name == "population":
                continue
            key = name if gname.endswith("probes") else f"slow_{name}"
            if name == "time":
                key = "probe_time" if gname.endswith("probes") else "slow_time"
            da = xr.DataArray(v.data, dims=v.dims, attrs={"units": v.units,
                                                           "description": v.description})
            if len(dims) == 1:
                da = da.rename(run=dims[0]).assign_coords({dims[0]: df[dims[0]].to_numpy()})
            else:
                index = xr.Coordinates.from_pandas_multiindex(df.set_index(dims).index, "run")
                da = da.assign_coords(index).unstack("run")
            if "population" in v.dims and "population" in g:
                da = da.assign_coords(population=[str(p) for p in g["population"].data])
            ds[key] = da
    return ds


def collect_cohorts(sweep_dir: str | Path) -> list[tuple[Path, int]]:
    """Merge the cohort shards (``*/cohort.h5``) below ``sweep_dir`` into
    ``sweep_dir/cohort.h5`` (several cohorts: ``cohort_<hash>.h5`` each). Nothing is
    written unless every shard is complete and readable and each cohort's shards tile it.

    Returns:
        (merged file, number of shards) per cohort.

    Raises:
        ResultFileError: ``sweep_dir`` is not a folder; a shard that cannot be read or is
            not complete (naming it).
        ValueError: shards that do not tile their cohort (missing or overlapping rows).
        OutputConflictError: the merged file's place holds another cohort's file.
    """
    from sims.cohort.store import shard_plan, write_merged

    sweep_dir = Path(sweep_dir)
    if not sweep_dir.is_dir():
        raise ResultFileError(sweep_dir, "no such folder")
    groups: dict[str, list[Path]] = {}
    for path in sorted(sweep_dir.glob("*/**/cohort.h5")):
        state = completeness(path)
        if state != "complete":  # a broken or unfinished shard: merge nothing
            raise ResultFileError(path, f"{state}: a cohort shard that cannot be merged "
                                  "(rerun its command to finish it, or move it away); "
                                  "nothing was written")
        attrs = read_attrs(path)
        groups.setdefault(str(attrs.get("base_config_hash", "")), []).append(path)
    plans = {}
    for key, paths in groups.items():  # every cohort must tile before any file is written
        try:
            plans[key] = shard_plan(paths)
        except ValueError as exc:
            if len(groups) == 1:
                raise ValueError(f"{exc}; nothing was written") from None
            listing = "; ".join(
                f"config {k}: " + ", ".join(str(p.parent.relative_to(sweep_dir)) for p in v)
                for k, v in groups.items())
            raise ValueError(f"{exc} -- below {sweep_dir} are shards of {len(groups)} "
                             f"cohort configs ({listing}); nothing was written") from None
    out = []
    with exclusive(sweep_dir / "cohort.h5"):
        names = {key: "cohort.h5" if len(groups) == 1 else f"cohort_{key}.h5" for key in groups}
        for key, name in names.items():  # the writers' rule: never another cohort's file
            check_replaceable(sweep_dir / name, key, False, identity_attr="base_config_hash")
        for key, plan in plans.items():
            out.append((write_merged(plan, sweep_dir / names[key]), len(plan)))
    return out


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point ``allonet-collect`` (exit 2: no such folder or nothing to
    collect; ``sims.errors``)."""
    ap = argparse.ArgumentParser(prog="allonet-collect", description=__doc__.splitlines()[0])
    ap.add_argument("sweep_dir", help="a Hydra multirun folder")
    args = ap.parse_args(argv)
    try:
        cohorts = collect_cohorts(args.sweep_dir)
        for c_path, n in cohorts:
            print(f"merged {n} cohort shard(s) into {c_path}")
        if cohorts and not any(Path(args.sweep_dir).rglob("result.h5")):
            return 0
        path, used, skipped = collect(args.sweep_dir)
    except (ResultFileError, ValueError) as exc:
        print(f"allonet-collect: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    for s in skipped:
        print(f"skipped {s}", file=sys.stderr)
    if path is None:
        print(f"allonet-collect: no complete run below {args.sweep_dir} "
              f"({len(skipped)} result file(s) skipped, listed above)", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"collected {len(used)} runs into {path} ({len(skipped)} skipped)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
