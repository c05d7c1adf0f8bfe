"""Load a run's ``result.h5`` (exact round trip via ``sims.io``; xarray views)."""

from __future__ import annotations

import os
from typing import Any

from sims.io import Result, read_result


def load_run(path: str | os.PathLike) -> Result:
    """All groups and attributes of a result file, exactly as written."""
    return read_result(path)


def probes_dataset(path: str | os.PathLike) -> Any:
    """The ``probes`` group as an ``xarray.Dataset`` with units in ``attrs``.

    Requires the optional ``xarray`` and ``h5netcdf`` packages (``pip install .[analysis]``).
    """
    import xarray as xr

    return xr.open_dataset(path, group="probes", engine="h5netcdf", phony_dims="access")
