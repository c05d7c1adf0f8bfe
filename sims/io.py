"""The result file: one self-describing HDF5 file per run (write atomically, read back).

Layout (``SCHEMA_VERSION`` 1.0)::

    /                 attrs: schema_version, allonet_version, git_commit, brian2_version,
                      config_yaml, overrides, seed, config_hash, started, finished,
                      wall_time_s, complete
    /probes/          time [probe] (s), population [population], species [species],
                      one dataset per metric, [probe] or [probe, population]
    /probes/spectra/  frequency [frequency] (Hz), psd [probe, frequency]
    /spikes/probe_K/<population>/  i, t (s)   (optional)

Every dataset has ``units`` (and ``description``) attributes; coordinates are HDF5
dimension scales, so ``xarray.open_dataset(path, group="probes", engine="h5netcdf")``
works. The file is written under a temporary name and renamed when closed, so a crash never
leaves a ``result.h5`` behind; ``complete`` is True only for a successful run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import numpy as np


@dataclass
class Variable:
    """An array with named dimensions and units. ``dims == (name,)`` makes a coordinate."""

    data: np.ndarray
    dims: tuple[str, ...]
    units: str = ""
    description: str = ""


@dataclass
class Result:
    """A run's data: root attributes and groups (path -> {name: Variable})."""

    attrs: dict[str, Any] = field(default_factory=dict)
    groups: dict[str, dict[str, Variable]] = field(default_factory=dict)


def _write_group(g: h5py.Group, variables: dict[str, Variable], level: int) -> None:
    opts = {"compression": "gzip", "compression_opts": level} if level > 0 else {}
    made: dict[str, h5py.Dataset] = {}
    coords = [n for n, v in variables.items() if v.dims == (n,)]
    for name in coords + [n for n in variables if n not in coords]:
        v = variables[name]
        data = np.asarray(v.data)
        if data.dtype.kind == "U":
            data = data.astype(object)
            ds = g.create_dataset(name, data=data, dtype=h5py.string_dtype())
        elif data.ndim == 0 or data.size == 0:
            ds = g.create_dataset(name, data=data)
        else:
            ds = g.create_dataset(name, data=data, chunks=True, **opts)
        ds.attrs["units"] = v.units
        ds.attrs["description"] = v.description
        ds.attrs["dims"] = ",".join(v.dims)
        if name in coords:
            ds.make_scale(name)
        made[name] = ds
    for name, v in variables.items():
        if name in coords:
            continue
        for axis, dim in enumerate(v.dims):
            if dim in made and made[dim].is_scale:
                made[name].dims[axis].attach_scale(made[dim])


def write_result(path: str | os.PathLike, result: Result, compression_level: int = 4) -> Path:
    """Write ``result`` to ``path`` atomically (temporary name, then rename).

    ``result.attrs['complete']`` is written as given; callers set it True only when the
    run succeeded. An exception while writing removes the temporary file and leaves any
    existing file at ``path`` untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with h5py.File(tmp, "w") as f:
            for gpath, variables in result.groups.items():
                _write_group(f.require_group(gpath), variables, compression_level)
            for k, v in result.attrs.items():
                f.attrs[k] = v
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def remove_stale_temporaries(path: str | os.PathLike) -> list[Path]:
    """Delete the temporary files a killed writer of ``path`` left behind.

    Only for a job starting over on its own folder (no other process writes there).
    """
    path = Path(path)
    stale = sorted(path.parent.glob(f".{path.name}.tmp-*")) if path.parent.is_dir() else []
    for f in stale:
        f.unlink(missing_ok=True)
    return stale


def _attr(v: Any) -> Any:
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.generic):
        return v.item()
    return v


def read_result(path: str | os.PathLike) -> Result:
    """Read a file written by :func:`write_result` back into a :class:`Result`."""
    res = Result()
    with h5py.File(path, "r") as f:
        res.attrs = {k: _attr(v) for k, v in f.attrs.items()}

        def visit(name: str, obj: Any) -> None:
            if isinstance(obj, h5py.Dataset):
                gpath, _, vname = name.rpartition("/")
                data = obj[()]
                if obj.dtype.kind == "O":
                    data = np.array([x.decode() if isinstance(x, bytes) else x
                                     for x in np.atleast_1d(data)]).reshape(obj.shape)
                dims = tuple(d for d in _attr(obj.attrs.get("dims", "")).split(",") if d)
                res.groups.setdefault(gpath, {})[vname] = Variable(
                    data=np.asarray(data), dims=dims, units=_attr(obj.attrs.get("units", "")),
                    description=_attr(obj.attrs.get("description", "")))
        f.visititems(visit)
    return res


def read_attrs(path: str | os.PathLike) -> dict[str, Any]:
    """Root attributes of a result file (without reading its datasets)."""
    with h5py.File(path, "r") as f:
        return {k: _attr(v) for k, v in f.attrs.items()}


def is_complete(path: str | os.PathLike) -> bool:
    """True if ``path`` is a readable result file whose ``complete`` flag is set."""
    try:
        with h5py.File(path, "r") as f:
            return bool(f.attrs.get("complete", False))
    except (OSError, KeyError):
        return False
