"""Target kinds on cohorts: the between-person spread of a variable at one time and the
prevalence of a cohort outcome's cases, against numpy by hand; a cohort statistic on a
single-run experiment (or the reverse), an unknown cohort and a missing outcome are
refused before anything runs."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from sims.calibration import statistics as st
from sims.calibration.cohort_view import CohortView, prevalence, spread
from sims.calibration.targets import compute, parse_targets
from sims.errors import ConfigError
from tests.conftest import with_value

NODE = {
    "experiments": {
        "one": {"overrides": ["scenario=baseline"]},
        "pop": {"cohort": "postpartum", "n": 10, "overrides": ["scenario.duration_days=18"]},
    },
    "items": {
        "sd": {"source": "hand", "experiment": "pop",
               "statistic": {"kind": "spread", "variable": "allo_plasma", "at_h": 2.0},
               "published": {"range": [0.5, 2.0], "unit": "nM"}},
        "cases": {"source": "hand", "experiment": "pop",
                  "statistic": {"kind": "prevalence", "outcome": "delta_pp3"},
                  "published": {"range": [0.05, 0.3], "unit": "1"}},
    },
}


def _view() -> CohortView:
    t = np.array([0.0, 1.0, 2.0, 3.0])
    x = np.array([[1.0, 1.0, 2.0, 2.0], [1.0, 1.0, 4.0, 4.0], [1.0, 1.0, 6.0, 6.0]])
    return CohortView(t, {"allo_plasma": x}, {"delta_pp3": np.array([1.0, 0.0, np.nan])})


def test_spread_and_prevalence_by_hand():
    v = _view()
    assert spread(v, "allo_plasma", 2.0) == pytest.approx(2.0)  # SD of 2, 4, 6 (ddof 1)
    assert spread(v, "allo_plasma", 1.5) == pytest.approx(1.0)  # 1.5, 2.5, 3.5
    assert spread(v, "allo_plasma", 2.0, "cv") == pytest.approx(0.5)
    assert prevalence(v, "delta_pp3") == pytest.approx(0.5)  # the NaN has no value
    with pytest.raises(st.StatisticError, match="outside"):
        spread(v, "allo_plasma", 5.0)
    with pytest.raises(st.StatisticError, match="no binary outcome"):
        prevalence(v, "blues")
    ts = parse_targets(NODE)
    views = {"pop": v}
    assert compute(ts.items["sd"].statistic, views, "pop") == pytest.approx(2.0)
    assert compute(ts.items["cases"].statistic, views, "pop") == pytest.approx(0.5)


@pytest.mark.parametrize(("path", "value", "key"), [
    (("items", "sd", "experiment"), "one", "targets.items.sd.statistic.kind"),
    (("items", "sd", "statistic", "how"), "iqr", "targets.items.sd.statistic.how"),
    (("items", "sd", "statistic", "relative_to"), "delivery",
     "targets.items.sd.statistic.relative_to"),
    (("items", "cases", "statistic", "outcome"), "", "targets.items.cases.statistic.outcome"),
    (("experiments", "pop", "cohort"), "nobody", "targets.experiments.pop.cohort"),
    (("experiments", "pop", "n"), 1, "targets.experiments.pop.n"),
    (("experiments", "pop", "size"), 5, "targets.experiments.pop.size"),
    (("items", "sd", "statistic", "at_h"), "noon", "targets.items.sd.statistic.at_h"),
])
def test_bad_cohort_targets_are_refused(path, value, key):
    node = with_value(NODE, path, value)
    with pytest.raises(ConfigError) as err:
        parse_targets(node)
    assert err.value.key == key, str(err.value)


def test_a_single_run_statistic_on_a_cohort_experiment_is_refused():
    node = copy.deepcopy(NODE)
    node["items"]["sd"]["statistic"] = {"kind": "value", "variable": "allo_plasma",
                                        "at_h": 2.0}
    with pytest.raises(ConfigError) as err:
        parse_targets(node)
    assert err.value.key == "targets.items.sd.statistic.kind"
    assert "spread" in str(err.value)
