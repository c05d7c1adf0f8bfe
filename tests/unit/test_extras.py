"""Optional extras (pyproject.toml): a feature whose extra is missing refuses to start,
naming the config key and the extra (exit 2); a study without pyarrow still writes its CSV
tables and study.h5."""

from __future__ import annotations

import logging
import sys
import types

import numpy as np
import pytest

from sims import errors
from sims.errors import EXTRAS, MissingExtraError, exit_code, require_extra


def _hide(monkeypatch, module: str) -> None:
    """Make ``import module`` fail as it does when the package is not installed."""
    monkeypatch.setitem(sys.modules, module, None)


def test_every_extra_is_installed_here():
    """make venv installs every extra from the lock: none is missing in the test venv."""
    for extra in EXTRAS:
        require_extra(extra, "key", "value")


@pytest.mark.parametrize(("extra", "module"), [("calibration", "optuna"),
                                               ("calibration", "SALib"),
                                               ("parquet", "pyarrow")])
def test_a_missing_extra_is_bad_input_naming_key_and_extra(monkeypatch, extra, module):
    _hide(monkeypatch, module)
    with pytest.raises(MissingExtraError) as e:
        require_extra(extra, "calibration", "quick")
    msg = str(e.value)
    assert "'calibration' = 'quick'" in msg and f"allonet[{extra}]" in msg and module in msg
    assert exit_code(e.value) == errors.EXIT_BAD_INPUT


def test_a_calibration_without_optuna_is_refused_before_any_job(monkeypatch):
    """The analyses' driver checks the extra before it imports or launches anything."""
    from omegaconf import OmegaConf

    from sims.calibration import drivers

    _hide(monkeypatch, "optuna")
    launched = []
    monkeypatch.setitem(sys.modules, "sims.calibration.optimize",
                        types.SimpleNamespace(drive=lambda *a: launched.append(a)))
    sweeper = types.SimpleNamespace(config=OmegaConf.create({"calibration": {"name": "quick"}}))
    with pytest.raises(MissingExtraError, match=r"allonet\[calibration\]"):
        drivers.drive("calibration", sweeper, [])
    assert launched == []


def test_the_slurm_launcher_hint(monkeypatch, capsys):
    """Hydra's missing-launcher message gains the extra to install."""
    from hydra.errors import MissingConfigException

    exc = MissingConfigException("In 'hydra/config': Could not find "
                                 "'hydra/launcher/submitit_slurm'", "hydra/launcher")
    monkeypatch.setattr(errors, "has_module", lambda m: False)
    errors.report(exc, exit_code(exc))
    assert "pip install 'allonet[slurm]'" in capsys.readouterr().err
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
