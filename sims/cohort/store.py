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
    /probes/            arm, individual, probe_time [probe] (s; attr relative_to: start, or
                        enrolment: after individuals/enrolment_day), population [population],
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
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from sims.cohort.sampling import individual_overrides as _overrides
from sims.errors import OutputConflictError, ResultFileError
from sims.io import open_result, read_attrs

log = logging.getLogger(__name__)

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


def _resumable_blocks(tmp: Path, ours: str, overwrite: bool) -> list[list[int]]:
    """The finished blocks of a killed run's partial file, if it is of this config.

    A partial file that cannot be read (killed while writing) is started again, with a
    warning; one of another config holds that config's finished blocks and is only
    discarded with ``overwrite``.

    Raises:
        OutputConflictError: a partial file of another config and not ``overwrite``.
    """

    try:
        with h5py.File(tmp, "r") as f:
            theirs = f.attrs.get("config_hash")
            theirs = theirs.decode() if isinstance(theirs, bytes) else str(theirs)
            blocks = json.loads(f.attrs.get("blocks_done_json", "[]"))
    except (OSError, ValueError) as exc:
        log.warning("%s cannot be read (%s): a run killed while writing; starting again",
                    tmp, str(exc).split("(")[0].strip())
        return []
    if theirs == ours:
        return blocks
    if blocks and not overwrite:
        raise OutputConflictError(tmp, theirs, ours, f"the unfinished cohort of another "
                                  f"config ({len(blocks)} blocks done)")
    return []


class CohortWriter:
    """Writes one shard's ``cohort.h5`` block by block (see the module docstring)."""

    def __init__(self, path: str | os.PathLike, attrs: Mapping[str, Any], arms: Sequence[str],
                 individuals: np.ndarray, parameters: Mapping[str, tuple[np.ndarray, dict]],
                 seeds: np.ndarray, resume: bool = True, overwrite: bool = False) -> None:
        self.path = Path(path)
        self.tmp = partial_path(self.path)
        self.arms = list(arms)
        self.n = len(individuals)
        done: list[list[int]] = []
        if resume and self.tmp.exists():
            done = _resumable_blocks(self.tmp, str(attrs["config_hash"]), overwrite)
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
            relative = block.get("probe_relative_to", "start") == "enrolment"
            ds = _coord(g, "probe_time", np.asarray(block["probe_time_h"]) * 3600.0, "s",
                        "time of each probe after the individual's enrolment "
                        "(individuals/enrolment_day)" if relative else
                        "slow-layer time of each probe")
            ds.attrs["relative_to"] = "enrolment" if relative else "start"
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


def shard_plan(paths: Sequence[str | os.PathLike]) -> list[tuple[Path, dict[str, Any]]]:
    """The shards ``paths`` in row order with their attributes, checked: every one a
    readable, complete cohort file of the same cohort and config, together tiling rows
    ``0..n-1``.

    Raises:
        ResultFileError: a shard that cannot be read, is not a cohort file, or is not
            complete (naming it).
        ValueError: shards of different cohorts (naming the foreign ones), or rows that
            do not tile the cohort (naming the gap or overlap).
    """

    shards = []
    for p in paths:
        attrs = read_attrs(p)  # ResultFileError: missing, empty, truncated, not HDF5
        if attrs.get("kind") != "cohort":
            raise ResultFileError(p, f"not a cohort file (kind {attrs.get('kind')!r})")
        if not attrs.get("complete", False):
            raise ResultFileError(p, "an incomplete cohort shard (still running, or "
                                  "killed: rerun its command to resume it)")
        shards.append((Path(p), attrs))
    ident: dict[tuple, list[Path]] = {}
    for p, a in shards:
        ident.setdefault((str(a.get("cohort")), str(a.get("base_config_hash")),
                          int(a.get("n", -1))), []).append(p)
    if len(ident) > 1:
        groups = sorted(ident.items(), key=lambda kv: -len(kv[1]))
        text = "; ".join(f"cohort {k[0]} (config {k[1]}, n = {k[2]}): "
                         f"{', '.join(str(x) for x in v)}" for k, v in groups)
        raise ValueError(f"shards of {len(groups)} different cohorts or configs, not merged "
                         f"-- {text}")
    shards.sort(key=lambda pa: int(pa[1]["row_start"]))
    n = int(shards[0][1]["n"])
    expect = 0
    for p, a in shards:
        start, stop = int(a["row_start"]), int(a["row_stop"])
        if start != expect:
            what = "overlaps the shard before it" if start < expect else \
                f"leaves rows {expect}..{start - 1} uncovered (a missing shard)"
            raise ValueError(f"{p} (rows {start}..{stop - 1}, shard {a.get('shard')} of "
                             f"{a.get('n_shards')}) {what}; n = {n}")
        expect = stop
    if expect != n:
        raise ValueError(f"the shards cover rows 0..{expect - 1} of n = {n}: rows {expect}.."
                         f"{n - 1} are missing (shards of {shards[0][1].get('n_shards')})")
    return shards


def merge(paths: Sequence[str | os.PathLike], out: str | os.PathLike) -> Path:
    """Merge shard files (complete, same cohort and config but the shard) into ``out``,
    individuals in order; the same layout, ``shard`` = -1, ``n_shards`` = the count.
    Nothing is written unless every shard passes :func:`shard_plan`.

    Raises:
        ResultFileError: a shard that cannot be read or is incomplete.
        ValueError: shards of different cohorts, missing or overlapping rows.
    """
    return write_merged(shard_plan(paths), out)


def write_merged(ordered: Sequence[tuple[Path, Mapping[str, Any]]], out: str | os.PathLike
                 ) -> Path:
    """Write the shards of a :func:`shard_plan` as one file ``out`` (temporary name, then
    renamed)."""
    n = int(ordered[0][1]["n"])
    files = [h5py.File(p, "r") for p, _ in ordered]
    try:
        out = Path(out)
        tmp = out.with_name(f".{out.name}.merge-{os.getpid()}")
        try:
            with h5py.File(tmp, "w") as m:
                for k, v in files[0].attrs.items():
                    m.attrs[k] = v
                m.attrs.update(shard=-1, n_shards=len(files), row_start=0, row_stop=n,
                               wall_time_s=float(sum(f.attrs.get("wall_time_s", 0.0)
                                                     for f in files)),
                               merged_from_json=json.dumps([str(p) for p, _ in ordered]))
                _merge_group(files, m, "")
            os.replace(tmp, out)
        finally:
            tmp.unlink(missing_ok=True)
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

    with open_result(path) as f:
        if f.attrs.get("kind") != "cohort" or "reproduce_json" not in f.attrs:
            raise ResultFileError(path, "not a cohort file (allonet +cohort=NAME writes one)")
        if not f.attrs.get("complete", False):
            raise ResultFileError(path, "an incomplete cohort file (still running, or "
                                  "killed: rerun its command to resume it)")
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
