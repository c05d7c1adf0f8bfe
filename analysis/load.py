"""Load a run's ``result.h5`` (exact round trip via ``sims.io``) and views with units.

:func:`load_run_data` gives what the figures use: xarray Datasets of the probes (time in
days, populations and species as coordinates), the slow layer and the spectra, every
variable with its ``units`` attribute, plus spikes, population sizes, events and the
provenance of the run.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr
import yaml

from sims.io import Result, read_result

#: Attributes that identify where a figure's data came from.
PROVENANCE_KEYS = ("config_hash", "git_commit", "overrides", "seed", "allonet_version",
                   "brian2_version", "scenario", "treatment")


def load_run(path: str | os.PathLike) -> Result:
    """All groups and attributes of a result file, exactly as written."""
    return read_result(path)


def probes_dataset(path: str | os.PathLike) -> Any:
    """The ``probes`` group opened by xarray itself (h5netcdf), units in ``attrs``."""
    return xr.open_dataset(path, group="probes", engine="h5netcdf", phony_dims="access")


@dataclass
class RunData:
    """One run, ready for analysis: xarray objects with units, and its provenance."""

    probes: xr.Dataset  # dims time (coordinate in days), population, species
    slow: xr.Dataset | None  # dim time (days); None for network-only runs
    spectra: xr.DataArray | None  # [time, frequency]
    spikes: dict[int, dict[str, tuple[np.ndarray, np.ndarray]]]  # probe -> pop -> (i, t s)
    sizes: dict[str, int]  # population sizes
    events: list[tuple[str, float]]  # (name, time in days)
    config: dict[str, Any]
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def provenance(self) -> dict[str, str]:
        return {k: str(self.attrs[k]) for k in PROVENANCE_KEYS if k in self.attrs}


def _dataset(group: dict, time_dim: str = "time") -> xr.Dataset:
    coords: dict[str, Any] = {}
    if "time" in group:
        coords[time_dim] = ("time", group["time"].data / 86400.0,
                            {"units": "d", "long_name": "time"})
    for name in ("population", "species", "frequency"):
        if name in group:
            coords[name] = (name, [str(x) if group[name].data.dtype.kind in "SUO" else x
                                   for x in group[name].data],
                            {"units": group[name].units})
    data = {name: (v.dims, v.data, {"units": v.units, "description": v.description})
            for name, v in group.items() if name not in ("time", "population", "species",
                                                         "frequency")}
    return xr.Dataset(data, coords=coords)


def load_run_data(path: str | os.PathLike) -> RunData:
    """A run as :class:`RunData` (time axes in days)."""
    res = read_result(path)
    probes = _dataset(res.groups.get("probes", {}))
    slow = _dataset(res.groups["slow"]) if "slow" in res.groups else None
    spectra = None
    if "probes/spectra" in res.groups:
        sp = res.groups["probes/spectra"]
        spectra = xr.DataArray(sp["psd"].data, dims=("time", "frequency"),
                               coords={"time": probes["time"].values if "time" in probes.coords
                                       else np.arange(sp["psd"].data.shape[0]),
                                       "frequency": sp["frequency"].data},
                               attrs={"units": sp["psd"].units})
    spikes: dict[int, dict[str, tuple[np.ndarray, np.ndarray]]] = {}
    for gname, g in res.groups.items():
        parts = gname.split("/")
        if len(parts) == 3 and parts[0] == "spikes":
            k = int(parts[1].removeprefix("probe_"))
            spikes.setdefault(k, {})[parts[2]] = (g["i"].data, g["t"].data)
    config = yaml.safe_load(res.attrs.get("config_yaml", "{}")) or {}
    sizes = {p: int(v["n"]) for p, v in
             config.get("network", {}).get("populations", {}).items()}
    events = [(str(n), float(t) / 24.0) for n, t in json.loads(res.attrs.get("events_json",
                                                                             "[]"))]
    return RunData(probes, slow, spectra, spikes, sizes, events, config, dict(res.attrs))
