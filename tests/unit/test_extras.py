"""Optional extras (pyproject.toml): parquet (pyarrow) and slurm (the submitit launcher).
A study without pyarrow still writes its CSV tables and study.h5, and says which extra
writes the Parquet copy; Hydra's missing-launcher error names the slurm extra."""

from __future__ import annotations

import logging
import sys

import numpy as np
import pytest

from sims import errors
from sims.errors import EXTRAS, exit_code, has_module


def test_every_extra_is_installed_here():
    """make venv installs every extra from the lock: none is missing in the test venv."""
    for modules in EXTRAS.values():
        assert all(has_module(m) for m in modules)


def test_has_module_sees_a_missing_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as when it is not installed
    assert not has_module("pyarrow")
    assert has_module("numpy")


def test_the_slurm_launcher_hint(monkeypatch, capsys):
    """Hydra's missing-launcher message gains the extra to install."""
    from hydra.errors import MissingConfigException

    exc = MissingConfigException("In 'hydra/config': Could not find "
                                 "'hydra/launcher/submitit_slurm'", "hydra/launcher")
    monkeypatch.setattr(errors, "has_module", lambda m: False)
    errors.report(exc, exit_code(exc))
    assert "pip install 'allonet[slurm]'" in capsys.readouterr().err
    assert exit_code(exc) == errors.EXIT_BAD_INPUT
    monkeypatch.setattr(errors, "has_module", lambda m: True)
    errors.report(exc, exit_code(exc))
    assert "allonet[slurm]" not in capsys.readouterr().err


def _tables() -> dict[str, dict[str, np.ndarray]]:
    from sims.study.evaluate import MEASUREMENT_COLUMNS, SUMMARY_COLUMNS

    def cols(names, n=2):
        return {c: (np.arange(n, dtype=float) if c not in ("arm", "analyte", "unit",
                                                          "visit", "event", "matrix",
                                                          "assay", "endpoint")
                    else np.array(["a", "b"])) for c in names}

    return {"measurements": cols(MEASUREMENT_COLUMNS),
            "endpoints": cols(("individual", "arm", "endpoint", "value", "case")),
            "summary": cols(SUMMARY_COLUMNS)}


@pytest.mark.parametrize("with_pyarrow", [True, False])
def test_a_study_writes_its_tables_with_or_without_parquet(tmp_path, monkeypatch, caplog,
                                                           with_pyarrow):
    import pandas as pd

    from sims.study import store

    if not with_pyarrow:
        monkeypatch.setattr(store, "has_module", lambda m: m != "pyarrow")
    tables = _tables()
    with caplog.at_level(logging.WARNING, logger="sims.study.store"):
        store.write_study(tmp_path, tables, {"kind": "study"})
    assert (tmp_path / "measurements.parquet").exists() is with_pyarrow
    assert ("allonet[parquet]" in caplog.text) is not with_pyarrow
    back = store.read_study(tmp_path / store.STUDY_FILE)
    csv = pd.read_csv(tmp_path / "measurements.csv")
    assert list(csv.columns) == list(tables["measurements"])
    np.testing.assert_array_equal(back["measurements"]["true_value"].to_numpy(),
                                  tables["measurements"]["true_value"])
    if with_pyarrow:
        pq = pd.read_parquet(tmp_path / "measurements.parquet")
        pd.testing.assert_frame_equal(pq, csv, check_dtype=False)
