"""``cohort.h5``: one self-describing file per cohort run (or shard), written block by
block, resumable, renamed into place only when complete.

Layout (same conventions as ``result.h5``: ``units`` and ``description`` on every dataset,
``dims`` attributes, coordinates as HDF5 dimension scales, provenance attributes)::

    /                   attrs: kind="cohort", schema_version, cohort, question, n, shard,
                        n_shards, row_start, row_stop, sampling, arms_json, config_yaml,
                        overrides, master_seed, seed, config_hash, versions, git_commit,
                        blocks_done_json, wall_time_s, complete
    /individuals/       individual [individual] (global index k), seed [individual],
                        one dataset per varied parameter [individual] (numbers, or
                        strings for a categorical of names; attrs: units, key, dist,
                        source, description)
    /slow/              arm [arm], individual, time [time] (s), <variable>
                        [arm, individual, time]; summary/<variable>_{mean,min,max}
    /probes/            arm, individual, probe_time [probe] (s), population [population],
                        <metric> [arm, individual, probe, population] or [.., probe]
    /outcomes/          arm, individual, <name> [arm, individual], <name>_case (int8:
                        1 case, 0 not, -1 undefined)
    /status/            arm, individual, ok [arm, individual] (int8: 1 finite results)

While it runs, the file is ``.cohort.h5.partial``; each finished block is recorded in
``blocks_done_json``, so a killed run resumes at the first missing block (if its config is
the same); ``complete`` is set and the file renamed to ``cohort.h5`` at the end.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import h5py
import numpy as np

COHORT_SCHEMA = "cohort-1.0"
FILENAME = "cohort.h5"


def partial_path(path: Path) -> Path:
    """Where a cohort file is built before it is complete."""
    return path.with_name(f".{path.name}.partial")


def _coord(g: h5py.Group, name: str, data: np.ndarray, units: str, description: str
           ) -> h5py.Dataset:
    if name in g:
        return g[name]
    data = np.asarray(data)
    if data.dtype.kind == "U":
        ds = g.create_dataset(name, data=data.astype(object), dtype=h5py.string_dtype())
    else:
        ds = g.create_dataset(name, data=data)
    ds.attrs.update(units=units, description=description, dims=name)
    ds.make_scale(name)
    return ds


def _dataset(g: h5py.Group, name: str, shape: tuple[int, ...], dims: tuple[str, ...],
             units: str, description: str, dtype: Any = "f8", fill: Any = np.nan
             ) -> h5py.Dataset:
    if name in g:
        return g[name]
    chunks = tuple(max(1, min(s, c)) for s, c in zip(shape, (1, 256, 4096, 64), strict=False))
    ds = g.create_dataset(name, shape=shape, dtype=dtype, fillvalue=fill,
                          chunks=chunks if all(shape) else None)
    ds.attrs.update(units=units, description=description, dims=",".join(dims))
    for axis, dim in enumerate(dims):
        if dim in g and g[dim].is_scale:
            ds.dims[axis].attach_scale(g[dim])
    return ds


class CohortWriter:
    """Writes one shard's ``cohort.h5`` block by block (see the module docstring)."""

    def __init__(self, path: str | os.PathLike, attrs: Mapping[str, Any], arms: Sequence[str],
                 individuals: np.ndarray, parameters: Mapping[str, tuple[np.ndarray, dict]],
                 seeds: np.ndarray, resume: bool = True) -> None:
        self.path = Path(path)
        self.tmp = partial_path(self.path)
        self.arms = list(arms)
        self.n = len(individuals)
        done: list[list[int]] = []
        if resume and self.tmp.exists():
            try:
                with h5py.File(self.tmp, "r") as f:
                    if f.attrs.get("config_hash") == attrs["config_hash"]:
                        done = json.loads(f.attrs.get("blocks_done_json", "[]"))
            except OSError:
                done = []
        if not done and self.tmp.exists():
            self.tmp.unlink()
        self.done = {tuple(b) for b in done}
        self.resumed = len(self.done)
        self.f = h5py.File(self.tmp, "a")
        if not done:
            for k, v in attrs.items():
                self.f.attrs[k] = v
            self.f.attrs["complete"] = False
            self.f.attrs["blocks_done_json"] = "[]"
            g = self.f.require_group("individuals")
            _coord(g, "individual", individuals, "1", "the individual's index k in the cohort")
            ds = g.create_dataset("seed", data=np.asarray(seeds, dtype=np.int64))
            ds.attrs.update(units="1", description="the individual's run seed", dims="individual")
            ds.dims[0].attach_scale(g["individual"])
            for label, (values, meta) in parameters.items():
                values = np.asarray(values)
                if values.dtype.kind in "USO":  # a categorical of names
                    ds = g.create_dataset(label, data=values.astype(str).astype(object),
                                          dtype=h5py.string_dtype())
                else:
                    ds = g.create_dataset(label, data=values.astype(float))
                ds.attrs.update(units=meta.get("units", ""), dims="individual",
                                description=meta.get("description", ""),
                                **{k: str(v) for k, v in meta.items()
                                   if k not in ("units", "description")})
                ds.dims[0].attach_scale(g["individual"])

    def _group(self, name: str) -> h5py.Group:
        g = self.f.require_group(name)
        _coord(g, "arm", np.array(self.arms), "", "treatment / condition arm")
        _coord(g, "individual", self.f["individuals/individual"][()], "1",
               "the individual's index k in the cohort")
        return g

    def is_done(self, arm: int, start: int) -> bool:
        """Whether block ``start`` of arm ``arm`` is already written (resume)."""
        return (arm, start) in self.done

    def write_block(self, arm: int, start: int, block: Mapping[str, Any]) -> None:
        """Write one block's data (rows ``start..start+len``) and record it as done.

        ``block``: ``time_h``, ``slow`` {name: ([ind, time], unit, description)},
        ``summary`` {name: [ind]}, ``probe_time_h``, ``populations``, ``probes`` {name:
        ([ind, probe(, pop)], unit, description)}, ``outcomes`` {name: ([ind], unit,
        description)}, ``ok`` [ind].
        """
        na = len(self.arms)
        if block.get("slow"):
            g = self._group("slow")
            _coord(g, "time", np.asarray(block["time_h"]) * 3600.0, "s", "slow-layer time")
            nt = len(block["time_h"])
            sg = g.require_group("summary")
            for name, (v, unit, desc) in block["slow"].items():
                ds = _dataset(g, name, (na, self.n, nt), ("arm", "individual", "time"), unit,
                              desc)
                ds[arm, start:start + len(v), :] = v
                for stat in ("mean", "min", "max"):
                    s = _dataset(sg, f"{name}_{stat}", (na, self.n), ("arm", "individual"),
                                 unit, f"{stat} of {name} over the run")
                    s[arm, start:start + len(v)] = getattr(np, stat)(v, axis=1)
        if block.get("probes"):
            g = self._group("probes")
            _coord(g, "probe_time", np.asarray(block["probe_time_h"]) * 3600.0, "s",
                   "slow-layer time of each probe")
            _coord(g, "population", np.array(block["populations"]), "", "population names")
            for name, (v, unit, desc) in block["probes"].items():
                dims = ("arm", "individual", "probe_time", "population")[:v.ndim + 1]
                ds = _dataset(g, name, (na, self.n, *v.shape[1:]), dims, unit, desc)
                ds[arm, start:start + len(v)] = v
        g = self._group("outcomes")
        for name, (v, unit, desc) in block.get("outcomes", {}).items():
            kind = np.asarray(v).dtype
            ds = _dataset(g, name, (na, self.n), ("arm", "individual"), unit, desc,
                          dtype=kind, fill=-1 if kind.kind == "i" else np.nan)
            ds[arm, start:start + len(v)] = v
        g = self._group("status")
        ds = _dataset(g, "ok", (na, self.n), ("arm", "individual"), "1",
                      "1: every value of the individual is finite; 0: not (see the log)",
                      dtype="i1", fill=-1)
        ds[arm, start:start + len(block["ok"])] = block["ok"]
        self.done.add((arm, start))
        self.f.attrs["blocks_done_json"] = json.dumps(sorted(self.done))
        self.f.flush()

    def finish(self, attrs: Mapping[str, Any]) -> Path:
        """Set the final attributes and ``complete``, close, rename to ``cohort.h5``."""
        for k, v in attrs.items():
            self.f.attrs[k] = v
        self.f.attrs["complete"] = True
        self.f.close()
        os.replace(self.tmp, self.path)
        return self.path

    def close(self) -> None:
        """Close without completing (the partial file stays for a resume)."""
        if self.f.id.valid:
            self.f.close()


def merge(paths: Sequence[str | os.PathLike], out: str | os.PathLike) -> Path:
    """Merge shard files (complete, same cohort and config but the shard) into ``out``,
    individuals in order; the same layout, ``shard`` = -1, ``n_shards`` = the count.

    Raises:
        ValueError: shards of different cohorts, missing or overlapping rows, or an
            incomplete shard.
    """
    files = [h5py.File(p, "r") for p in paths]
    try:
        for p, f in zip(paths, files, strict=True):
            if not f.attrs.get("complete", False):
                raise ValueError(f"{p}: not complete (a shard still running or killed)")
        files_paths = sorted(zip(files, paths, strict=True),
                             key=lambda fp: int(fp[0].attrs["row_start"]))
        files = [f for f, _ in files_paths]
        ident = {(f.attrs["cohort"], f.attrs["base_config_hash"], int(f.attrs["n"]))
                 for f in files}
        if len(ident) != 1:
            raise ValueError(f"shards of different cohorts or configs: {sorted(ident)}")
        n = int(files[0].attrs["n"])
        rows = [(int(f.attrs["row_start"]), int(f.attrs["row_stop"])) for f in files]
        expect = 0
        for a, b in rows:
            if a != expect:
                raise ValueError(f"shards do not tile the cohort: rows {rows} (n = {n})")
            expect = b
        if expect != n:
            raise ValueError(f"shards cover rows 0..{expect} of n = {n}: some are missing")
        out = Path(out)
        tmp = out.with_name(f".{out.name}.merge-{os.getpid()}")
        with h5py.File(tmp, "w") as m:
            for k, v in files[0].attrs.items():
                m.attrs[k] = v
            m.attrs.update(shard=-1, n_shards=len(files), row_start=0, row_stop=n,
                           wall_time_s=float(sum(f.attrs.get("wall_time_s", 0.0)
                                                 for f in files)),
                           merged_from_json=json.dumps([str(p) for _, p in files_paths]))
            _merge_group(files, m, "")
        os.replace(tmp, out)
        return out
    finally:
        for f in files:
            f.close()


def _merge_group(files: list[h5py.File], m: h5py.File, path: str) -> None:
    first = files[0][path] if path else files[0]
    for name, obj in first.items():
        full = f"{path}/{name}" if path else name
        if isinstance(obj, h5py.Group):
            m.require_group(full)
            _merge_group(files, m, full)
            continue
        dims = obj.attrs.get("dims", "")
        dims = dims.decode() if isinstance(dims, bytes) else str(dims)
        dl = [d for d in dims.split(",") if d]
        parts = [f[full][()] for f in files]
        if "individual" in dl:
            data = np.concatenate(parts, axis=dl.index("individual"))
        else:
            data = parts[0]
        kind = obj.dtype
        if kind.kind == "O":
            ds = m.create_dataset(full, data=data, dtype=h5py.string_dtype())
        else:
            ds = m.create_dataset(full, data=data, dtype=kind)
        for k, v in obj.attrs.items():
            if k not in ("DIMENSION_LIST", "REFERENCE_LIST", "CLASS", "NAME"):
                ds.attrs[k] = v
    g = m[path] if path else m
    for name, ds in g.items():
        if isinstance(ds, h5py.Dataset) and str(ds.attrs.get("dims", "")) == name:
            ds.make_scale(name)
    for ds in g.values():
        if isinstance(ds, h5py.Dataset) and not ds.is_scale:
            dims = [d for d in str(ds.attrs.get("dims", "")).split(",") if d]
            for axis, dim in enumerate(dims):
                if dim in g and g[dim].is_scale and axis < ds.ndim:
                    ds.dims[axis].attach_scale(g[dim])


def individual_overrides(path: str | os.PathLike, k: int, arm: str | None = None
                         ) -> list[str]:
    """The ``allonet`` overrides of a single run that reproduces individual ``k`` (its
    index in the cohort) of ``arm`` (default: the first) of a cohort file."""
    from sims.cohort.engine import individual_overrides as _overrides

    with h5py.File(path, "r") as f:
        reproduce = json.loads(f.attrs["reproduce_json"])
        arm = arm if arm is not None else next(iter(reproduce))
        if arm not in reproduce:
            raise KeyError(f"arm {arm!r} not in {list(reproduce)}")
        index = f["individuals/individual"][()]
        rows = np.flatnonzero(index == k)
        if not len(rows):
            raise KeyError(f"individual {k} not in this file (rows {index[0]}..{index[-1]})")
        j = int(rows[0])
        g = f["individuals"]
        values = {str(g[n].attrs["key"]): g[n][j:j + 1] for n in g
                  if n not in ("individual", "seed")}
        seeds = g["seed"][j:j + 1]
    return _overrides(values, seeds, 0, reproduce[arm])
