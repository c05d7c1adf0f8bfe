"""A study's files, in its output folder:

- ``measurements.csv`` / ``measurements.parquet``: one row per individual x visit x analyte
  (or network read-out) x matrix x assay, long format (:data:`MEASUREMENT_COLUMNS`);
  ``measured_value`` is empty (NaN) where ``censored`` is true. The Parquet copy needs
  the optional extra ``parquet`` (pyarrow; ``make venv`` installs it); without it only the
  CSV is written, with a warning.
- ``endpoints.csv``: one row per individual x endpoint (value, case 1/0/empty).
- ``summary.csv``: one row per endpoint and arm, comparison or correlation
  (:data:`SUMMARY_COLUMNS`).
- ``study.h5``: the same three tables as groups of column datasets (``/measurements``,
  ``/endpoints``, ``/summary``; strings as UTF-8, ``units`` and ``description`` on each
  column), with provenance attributes (config, overrides, seed, versions, git commit) and
  ``complete``; written last, to ``.study.h5.partial`` first, renamed when complete.

Every file is written to a temporary name and renamed, so a killed study never leaves a
file that looks finished.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from sims.errors import ResultFileError, has_module
from sims.io import open_result
from sims.study.evaluate import MEASUREMENT_COLUMNS, SUMMARY_COLUMNS

log = logging.getLogger(__name__)

STUDY_SCHEMA = "study-1.0"
STUDY_FILE = "study.h5"
TABLES = ("measurements", "endpoints", "summary")
#: Column descriptions (units where a column has one fixed unit).
COLUMNS: dict[str, tuple[str, str]] = {
    "individual": ("1", "the individual's index (paired: the same person in every arm)"),
    "arm": ("", "study arm"),
    "visit": ("", "visit name (study.visits)"),
    "event": ("", "the event the visit is timed from"),
    "day": ("d", "scheduled day after the event's day (or hours / 24)"),
    "clock_h": ("h", "time of day of the sample"),
    "time_h": ("h", "run time of the sample (on the slow record grid)"),
    "analyte": ("", "analyte (measurement.analytes) or network read-out"),
    "matrix": ("", "serum, saliva, or network"),
    "assay": ("", "assay (measurement.assays) or probe"),
    "true_value": ("", "noise-free value in the matrix, in `unit`"),
    "measured_value": ("", "the assay's reading in `unit`; NaN where censored"),
    "unit": ("", "unit of true_value, measured_value and lloq"),
    "censored": ("1", "1: the reading fell below the LLOQ (or the individual failed)"),
    "lloq": ("", "lower limit of quantification in `unit`"),
    "endpoint": ("", "endpoint name (study.endpoints)"),
    "value": ("", "the individual's endpoint value (unit in summary.csv)"),
    "case": ("1", "1: case / responder by the endpoint's threshold, 0: not, NaN: none"),
}


def _frame(cols: Mapping[str, np.ndarray]) -> Any:
    import pandas as pd

    return pd.DataFrame({k: np.asarray(v) for k, v in cols.items()})


def _replace(tmp: Path, path: Path) -> None:
    os.replace(tmp, path)


def write_study(out_dir: str | os.PathLike, tables: Mapping[str, Mapping[str, np.ndarray]],
                attrs: Mapping[str, Any]) -> Path:
    """Write the study's CSV/Parquet tables and ``study.h5`` (see the module docstring)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    frames = {t: _frame(tables[t]) for t in TABLES}
    for t in TABLES:
        tmp = out / f".{t}.csv.partial"
        frames[t].to_csv(tmp, index=False)
        _replace(tmp, out / f"{t}.csv")
    if has_module("pyarrow"):
        tmp = out / ".measurements.parquet.partial"
        frames["measurements"].to_parquet(tmp, index=False)
        _replace(tmp, out / "measurements.parquet")
    else:
        log.warning("measurements.parquet not written: it needs the optional extra "
                    "'parquet' (pip install 'allonet[parquet]'); measurements.csv holds the "
                    "same rows")
    path = out / STUDY_FILE
    tmp = out / f".{STUDY_FILE}.partial"
    with h5py.File(tmp, "w") as f:
        for k, v in attrs.items():
            f.attrs[k] = v
        f.attrs["complete"] = False
        for t in TABLES:
            g = f.create_group(t)
            g.attrs["columns"] = list(tables[t])
            for name, col in tables[t].items():
                col = np.asarray(col)
                if col.dtype.kind in "USO":
                    ds = g.create_dataset(name, data=col.astype(str).astype(object),
                                          dtype=h5py.string_dtype())
                elif col.dtype.kind == "b":
                    ds = g.create_dataset(name, data=col.astype(np.int8))
                else:
                    ds = g.create_dataset(name, data=col)
                unit, desc = COLUMNS.get(name, ("", ""))
                ds.attrs.update(units=unit, description=desc, dims="row")
        f.attrs["complete"] = True
    _replace(tmp, path)
    return path


def read_study(path: str | os.PathLike) -> dict[str, Any]:
    """``study.h5`` as pandas DataFrames (``measurements``, ``endpoints``, ``summary``)
    and its attributes (``attrs``)."""
    import pandas as pd

    out: dict[str, Any] = {}
    with open_result(path) as f:  # ResultFileError: missing, empty, truncated
        if f.attrs.get("kind") != "study" or any(t not in f for t in TABLES):
            raise ResultFileError(path, "not a study file (allonet +study=NAME writes one)")
        out["attrs"] = {k: (v.decode() if isinstance(v, bytes) else v)
                        for k, v in f.attrs.items()}
        for t in TABLES:
            g = f[t]
            cols = {}
            for name in g.attrs["columns"]:
                ds = g[name]
                v = ds.asstr()[()] if h5py.check_string_dtype(ds.dtype) else ds[()]
                if name == "censored":
                    v = v.astype(bool)
                cols[str(name)] = v
            out[t] = pd.DataFrame(cols)
    return out


__all__ = ["MEASUREMENT_COLUMNS", "STUDY_FILE", "STUDY_SCHEMA", "SUMMARY_COLUMNS",
           "read_study", "write_study"]
