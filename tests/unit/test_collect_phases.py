"""Per-phase summaries of ``allonet-collect`` against hand-computed values."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.collect import summarise
from analysis.phases import in_phase, phase_spans
from sims.io import Result, Variable


def _run() -> Result:
    t_slow = np.arange(0, 10.001, 0.25)  # days
    drug = np.where((t_slow >= 6) & (t_slow <= 8), 50.0, 0.0)
    t_probe = np.arange(0.0, 10.5, 1.0)  # 11 probes, daily
    tonic = 1e-12 * (1 + t_probe)  # C
    rate = np.stack([t_probe, 2 * t_probe], axis=1)  # [time, population]
    return Result(
        attrs={"events_json": json.dumps([["delivery", 5 * 24.0]])},
        groups={
            "slow": {"time": Variable(t_slow * 86400, ("time",), "s", ""),
                     "allo_drug_plasma": Variable(drug, ("time",), "nM", ""),
                     "allo_brain": Variable(np.ones_like(t_slow), ("time",), "nM", "")},
            "probes": {"time": Variable(t_probe * 86400, ("time",), "s", ""),
                       "population": Variable(np.array(["E", "PV"]), ("population",), "", ""),
                       "tonic_charge": Variable(tonic, ("time",), "C", ""),
                       "rate": Variable(rate, ("time", "population"), "Hz", "")}})


def test_phase_spans_from_events_and_drug_levels():
    r = _run()
    spans = phase_spans(r.groups["slow"]["time"].data / 86400,
                        {"allo_drug_plasma": r.groups["slow"]["allo_drug_plasma"].data},
                        [("delivery", 5.0)])
    assert ("pregnancy", 0.0, 5.0) in spans and ("postpartum", 5.0, 10.0) in spans
    (a, b), = [(a, b) for k, a, b in spans if k == "treatment"]
    assert a == 6.0 and b == pytest.approx(8.25)  # first sample after the infusion ends
    assert in_phase(np.array([4.0, 5.0, 7.0, 9.0]), spans, "treatment").tolist() == [
        False, False, True, False]


def test_phase_summaries_equal_hand_computed_means_and_minima():
    row = summarise(_run())
    t = np.arange(0.0, 10.5, 1.0)
    assert row["tonic_charge_pregnancy_mean"] == pytest.approx(1e-12 * (1 + t[t <= 5]).mean())
    assert row["tonic_charge_postpartum_min"] == pytest.approx(1e-12 * 6)  # day 5 is both
    assert row["rate_PV_postpartum_mean"] == pytest.approx(2 * t[t >= 5].mean())
    assert row["rate_E_treatment_mean"] == pytest.approx(t[(t >= 6) & (t <= 8.25)].mean())
    assert "tonic_charge_stress_mean" not in row  # no stress phase in this run
