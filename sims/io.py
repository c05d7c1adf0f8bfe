"""The result file: one self-describing HDF5 file per run (write atomically, read back).

Layout (``SCHEMA_VERSION`` 1.1; 1.0 files read the same)::

    /                 attrs: schema_version, allonet_version, git_commit, brian2_version,
                      versions_json, config_yaml, overrides, seed, config_hash,
                      input_files_json, started, finished, wall_time_s, complete
    /probes/          time [probe] (s), population [population], species [species],
                      one dataset per metric, [probe] or [probe, population]
    /probes/spectra/  frequency [frequency] (Hz), psd [probe, frequency]
    /spikes/probe_K/<population>/  i, t (s)   (optional)

Every dataset has ``units`` and ``description`` attributes (and ``nonfinite``, saying when
NaN or inf is a legitimate value, for the few datasets where it is); coordinates are HDF5
dimension scales, so ``xarray.open_dataset(path, group="probes", engine="h5netcdf")``
works. The file is written under a temporary name (``.<name>.tmp-<host>-<pid>``) and
renamed when closed, so a crash never leaves a ``result.h5`` behind; ``complete`` is True
only for a successful run whose float datasets are all finite (:func:`nonfinite_datasets`).
Writers of one file take its lock (:func:`exclusive`), under which the temporaries of
killed writers are removed.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import numpy as np
from filelock import FileLock

from sims.errors import OutputConflictError, ResultFileError, UnreadableOutputError
from sims.owners import is_stale, owner_tag


@dataclass
class Variable:
    """An array with named dimensions and units. ``dims == (name,)`` makes a coordinate."""

    data: np.ndarray
    dims: tuple[str, ...]
    units: str = ""
    description: str = ""
    nonfinite: str = ""  # when NaN / inf are legitimate values here (empty: never)


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
        if v.nonfinite:
            ds.attrs["nonfinite"] = v.nonfinite
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


def temporary_name(path: Path) -> Path:
    """Where this process writes ``path`` before renaming it (host and pid in the name)."""
    return path.with_name(f".{path.name}.tmp-{owner_tag()}")


def write_result(path: str | os.PathLike, result: Result, compression_level: int = 4) -> Path:
    """Write ``result`` to ``path`` atomically (temporary name, then rename).

    ``result.attrs['complete']`` is written as given; callers set it True only when the
    run succeeded. An exception while writing removes the temporary file and leaves any
    existing file at ``path`` untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_name(path)
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


def stale_temporaries(path: str | os.PathLike) -> list[Path]:
    """Temporary files of ``path`` left by writers that are no longer running
    (``sims.owners.is_stale``: a live process's temporary is never listed)."""
    path = Path(path)
    if not path.parent.is_dir():
        return []
    prefix = f".{path.name}.tmp-"
    return sorted(f for f in path.parent.glob(prefix + "*")
                  if is_stale(f, f.name[len(prefix):]))


def remove_stale_temporaries(path: str | os.PathLike) -> list[Path]:
    """Delete the temporaries of ``path`` left by killed writers (:func:`stale_temporaries`)."""
    stale = stale_temporaries(path)
    for f in stale:
        f.unlink(missing_ok=True)
    return stale


def lock_path(path: str | os.PathLike) -> Path:
    """The lock file of ``path`` (``.<name>.lock`` beside it; it stays, empty)."""
    path = Path(path)
    return path.with_name(f".{path.name}.lock")


@contextlib.contextmanager
def exclusive(path: str | os.PathLike) -> Iterator[list[Path]]:
    """Hold the lock of ``path`` for a check-then-write sequence; yields the temporaries
    of killed writers, which are removed first.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(lock_path(path))):
        yield remove_stale_temporaries(path)


#: What :func:`check_replaceable` found at a writer's target.
ABSENT, CURRENT, REPLACEABLE = "absent", "current", "replaceable"


def check_replaceable(path: str | os.PathLike, ours: str, overwrite: bool,
                      identity_attr: str = "config_hash") -> str:
    """The one rule of allonet's result writers (``result.h5``, ``cohort.h5``, ``study.h5``,
    a merged cohort; a calibration's storage has its own check,
    ``sims.calibration.optimize.check_storage``): call it under :func:`exclusive` before
    anything is computed.

    Returns :data:`ABSENT` (nothing there), :data:`CURRENT` (a complete file of exactly
    this identity: the caller may skip or extend it) or :data:`REPLACEABLE` (an incomplete
    file -- a failed or killed run -- or ``overwrite`` is set).

    Raises:
        OutputConflictError: a complete file of another identity (``ours`` against the
            file's ``identity_attr``) and ``overwrite`` is false.
        UnreadableOutputError: a file that cannot be read (empty, truncated, not HDF5) and
            ``overwrite`` is false: it may hold results, so it is never replaced silently.
    """

    p = Path(path)
    if not p.exists():
        return ABSENT
    if p.is_dir():
        raise ResultFileError(p, "a folder where a result file is written")
    try:
        attrs = read_attrs(p)
    except ResultFileError as exc:
        if overwrite:
            return REPLACEABLE
        raise UnreadableOutputError(p, exc.reason) from None
    if not bool(attrs.get("complete", False)):
        return REPLACEABLE
    theirs = str(attrs.get(identity_attr, "?"))
    if theirs == ours:
        return CURRENT
    if overwrite:
        return REPLACEABLE
    raise OutputConflictError(p, theirs, ours)


def nonfinite_datasets(result: Result) -> list[str]:
    """Float datasets holding NaN or inf where their variable does not allow it."""
    out = []
    for gpath, variables in result.groups.items():
        for name, v in variables.items():
            data = np.asarray(v.data)
            if data.dtype.kind not in "fc" or data.size == 0 or v.nonfinite:
                continue
            bad = int(np.size(data) - np.count_nonzero(np.isfinite(data)))
            if bad:
                out.append(f"{gpath}/{name} ({bad} of {data.size} values)")
    return out


def _attr(v: Any) -> Any:
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.generic):
        return v.item()
    return v


@contextlib.contextmanager
def open_result(path: str | os.PathLike) -> Iterator[h5py.File]:
    """Open a result file for reading.

    Raises:
        ResultFileError: the file is missing, empty, truncated or not HDF5 (naming it).
    """
    p = Path(path)
    if not p.exists():
        raise ResultFileError(p, "no such file")
    if p.is_dir():
        raise ResultFileError(p, "a folder, not a result file")
    if p.stat().st_size == 0:
        raise ResultFileError(p, "empty file (zero bytes): a run killed before writing?")
    try:
        f = h5py.File(p, "r")
    except OSError as exc:
        reason = str(exc).split("(")[0].strip() or "unreadable"
        raise ResultFileError(p, f"not a readable HDF5 result file ({reason}); truncated "
                              "or not written by allonet") from None
    with f:
        yield f


def read_result(path: str | os.PathLike) -> Result:
    """Read a file written by :func:`write_result` back into a :class:`Result`.

    Raises:
        ResultFileError: the file is missing, empty, truncated or not HDF5.
    """
    res = Result()
    with open_result(path) as f:
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
                    description=_attr(obj.attrs.get("description", "")),
                    nonfinite=_attr(obj.attrs.get("nonfinite", "")))
        try:
            f.visititems(visit)
        except (OSError, KeyError, ValueError) as exc:
            raise ResultFileError(path, f"damaged HDF5 content ({exc})") from None
    return res


def read_attrs(path: str | os.PathLike) -> dict[str, Any]:
    """Root attributes of a result file (without reading its datasets).

    Raises:
        ResultFileError: the file is missing, empty, truncated or not HDF5.
    """
    with open_result(path) as f:
        return {k: _attr(v) for k, v in f.attrs.items()}


def is_complete(path: str | os.PathLike) -> bool:
    """True if ``path`` is a readable result file whose ``complete`` flag is set."""
    try:
        with open_result(path) as f:
            return bool(f.attrs.get("complete", False))
    except (OSError, KeyError):
        return False


def completeness(path: str | os.PathLike) -> str:
    """``"complete"``, ``"incomplete"`` (flag not set) or why the file cannot be read."""
    try:
        with open_result(path) as f:
            return "complete" if bool(f.attrs.get("complete", False)) else "incomplete"
    except ResultFileError as exc:
        return exc.reason
    except (OSError, KeyError) as exc:
        return f"unreadable ({exc})"
