"""Target roles: calibration targets may inform parameters, validation targets are held
out. A fit that names a held-out target is refused, ``calibration.targets=all`` leaves
them out, and allonet-check reports the two sets apart (tables, counts, the CSV's
``role`` column)."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from sims.calibration.check import format_table, write_table
from sims.calibration.spec import parse_calibration
from sims.calibration.targets import TargetResult, parse_targets
from sims.config import compose, validate
from sims.errors import ConfigError


@pytest.fixture(scope="module")
def quick() -> dict:
    return validate(compose(["+calibration=quick"]))


def _held_out(c: dict, name: str) -> dict:
    c = copy.deepcopy(c)
    c["targets"]["items"][name]["role"] = "validation"
    return c


def test_every_target_has_a_role_and_a_bad_role_is_refused(quick):
    ts = parse_targets(quick["targets"])
    assert {t.role for t in ts.items.values()} == {"calibration", "validation", "mechanism"}
    c = copy.deepcopy(quick)
    name = next(iter(c["targets"]["items"]))
    c["targets"]["items"][name]["role"] = "fit"
    with pytest.raises(ConfigError) as err:
        parse_targets(c["targets"])
    assert err.value.key == f"targets.items.{name}.role" and "validation" in str(err.value)


def test_a_fit_that_names_a_validation_target_is_refused(quick):
    name = quick["calibration"]["targets"][0]
    with pytest.raises(ConfigError) as err:
        parse_calibration(_held_out(quick, name))
    assert err.value.key == "calibration.targets" and name in str(err.value.value)
    assert "held out" in str(err.value)


def test_all_targets_of_a_fit_are_the_calibration_ones(quick):
    c = copy.deepcopy(quick)
    c["calibration"]["targets"] = "all"
    every = parse_calibration(c).targets.items
    held = next(n for n in every if n not in quick["calibration"]["targets"])
    fewer = parse_calibration({**_held_out(c, held), "calibration": c["calibration"]})
    assert held in every and held not in fewer.targets.items
    assert len(fewer.targets.items) == len(every) - 1


def _rows(quick) -> tuple[list[dict], list[TargetResult]]:
    from sims.calibration.evaluate import result_rows

    ts = parse_targets(_held_out(quick, "cortisol_nadir")["targets"])
    results = []
    for k, t in enumerate(list(ts.items.values())[:6] + [ts.items["cortisol_nadir"]]):
        results.append(TargetResult(t, float(k + 1), 0.5, 0.1, "pass" if k % 2 else "fail",
                                    ""))
    return result_rows(results), results


def test_allonet_check_reports_the_two_sets_apart(quick, tmp_path):
    rows, results = _rows(quick)
    text = format_table(rows)
    cal, val = text.index("Calibration targets"), text.index("Validation targets")
    assert cal < val and text.index("cortisol_nadir") > val
    # statuses as set in _rows: the 7th result (cortisol_nadir, k = 6) fails
    assert "validation: 0 pass, 1 fail, 0 skipped (of 1 targets)" in text
    assert "calibration: 3 pass, 3 fail, 0 skipped (of 6 targets)" in text
    csv, _ = write_table(rows, results, tmp_path, {"targets": "default"})
    table = pd.read_csv(csv)
    assert list(table.loc[table["target"] == "cortisol_nadir", "role"]) == ["validation"]
    assert (table["role"] == "calibration").sum() == len(table) - 1
