"""Study visits: times relative to events, series and diurnal profiles, recurring events,
and bad visits refused by name."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sims.errors import ConfigError
from sims.slow import scenarios
from sims.slow.schemas import PregnancyPostpartumScenario, StressTest
from sims.study.schedule import event_times, parse_visits, visit_time

EVENTS = {"start": [0.0], "delivery": [336.0], "ovulation": [330.5, 1010.0],
          "treatment_start": [384.0]}


def test_day_and_clock_count_from_the_events_calendar_day():
    v = parse_visits({"pp3": {"relative_to": "delivery", "day": 3, "clock_h": 8.0}})["pp3"]
    assert visit_time(v, EVENTS) == (14 + 3) * 24 + 8
    v = parse_visits({"ov": {"relative_to": "ovulation", "day": 7, "clock_h": 9.0}})["ov"]
    assert visit_time(v, EVENTS) == (13 + 7) * 24 + 9  # ovulation at 18:30 on day 13


def test_hours_count_from_the_event_itself():
    v = parse_visits({"h60": {"relative_to": "treatment_start", "hours": 60}})["h60"]
    assert visit_time(v, EVENTS) == 444.0
    v = parse_visits({"pre": {"relative_to": "ovulation", "hours": -0.5}})["pre"]
    assert visit_time(v, EVENTS) == 330.0


def test_occurrence_picks_a_recurring_event_and_a_missing_one_is_nan():
    vs = parse_visits({"second": {"relative_to": "ovulation", "occurrence": 2, "hours": 0},
                       "last": {"relative_to": "ovulation", "occurrence": -1, "hours": 0},
                       "third": {"relative_to": "ovulation", "occurrence": 3, "hours": 0},
                       "none": {"relative_to": "menses", "hours": 0}})
    assert visit_time(vs["second"], EVENTS) == 1010.0 == visit_time(vs["last"], EVENTS)
    assert math.isnan(visit_time(vs["third"], EVENTS))
    assert math.isnan(visit_time(vs["none"], EVENTS))


def test_series_and_diurnal_profiles_expand_into_named_visits():
    vs = parse_visits({"cycle": {"days": {"from": 1, "to": 7, "every": 2}, "clock_h": 9.0},
                       "diurnal": {"days": [5, 45], "clock_h": [7.0, 7.5, 20.0]}})
    assert list(vs) == ["cycle_d1", "cycle_d3", "cycle_d5", "cycle_d7", "diurnal_d5_0700",
                        "diurnal_d5_0730", "diurnal_d5_2000", "diurnal_d45_0700",
                        "diurnal_d45_0730", "diurnal_d45_2000"]
    assert visit_time(vs["diurnal_d45_0730"], EVENTS) == 45 * 24 + 7.5


def test_event_times_from_a_scenarios_drivers():
    sc = {"name": "pregnancy_postpartum", "delivery_day": 14.0, "duration_days": 28.0,
          "gestation_week_at_start": 36.0, "progesterone_term_nM": 480.0,
          "placental_allo_term_nM": 60.0, "progesterone_pp_tau_days": 0.9,
          "placental_allo_pp_tau_h": 0.25, "progesterone_follicular_nM": 0.5,
          "testosterone_nM": 1.0, "stress_tests": [{"day": 20.0, "clock_h": 14.0,
                                                    "duration_min": 15.0, "intensity": 1.0}]}
    d = scenarios.Drivers(np.zeros(1), {"acute_stress": np.zeros(1)}, [("delivery", 336.0)])
    typed = PregnancyPostpartumScenario(
        **{**sc, "stress_tests": [StressTest(**st) for st in sc["stress_tests"]]})
    d = scenarios.add_stress_tests(typed, d)
    ev = event_times(d.events, {"scenario": sc, "treatment": {"name": "brexanolone",
                                                              "start_day": 16.0}})
    assert ev == {"start": [0.0], "delivery": [336.0], "stress_test": [494.0],
                  "treatment_start": [384.0]}
    assert "treatment_start" not in event_times([], {"treatment": {"name": "none"}})


@pytest.mark.parametrize(("node", "key"), [
    ({"v": {"day": 3, "hours": 2}}, "study.visits.v"),
    ({"v": {"day": 3, "clock_h": 25}}, "study.visits.v.clock_h"),
    ({"v": {"hours": 2, "clock_h": 8}}, "study.visits.v.clock_h"),
    ({"v": {"days": {"from": 5, "to": 1, "every": 1}}}, "study.visits.v.days"),
    ({"v": {"day": 1, "occurrence": 0}}, "study.visits.v.occurrence"),
    ({"v": {"day": 1, "when": "soon"}}, "study.visits.v.when"),
])
def test_bad_visits_are_refused_by_key(node, key):
    with pytest.raises(ConfigError) as e:
        parse_visits(node)
    assert e.value.key == key


def test_clock_gaps_wrap_around_midnight():
    from sims.study.schedule import clock_gap_h

    assert clock_gap_h(np.array([108.0]), np.array([47.5]))[0] == pytest.approx(11.5)
    assert clock_gap_h(np.array([24.5]), np.array([23.5]))[0] == pytest.approx(1.0)
    assert clock_gap_h(np.array([36.0]), np.array([12.0]))[0] == pytest.approx(0.0)


def test_a_change_from_baseline_across_clock_times_is_named():
    """The trial as it was: baseline 23:30 (47.5 h after a midnight delivery), hour 60 at
    12:00 -- brain THDOC follows the clock, so the placebo arm 'changed' by -21 %."""
    from sims.study.schedule import clock_mismatches
    from sims.study.spec import parse_study

    node = {"design": "paired", "arms": {"placebo": []},
            "visits": {"base": {"relative_to": "start", "hours": 47.5},
                       "h60": {"relative_to": "start", "hours": 108.0},
                       "noon": {"relative_to": "start", "day": 1, "clock_h": 12.0}},
            "samples": [{"analytes": ["allo"], "matrix": "serum", "assay": "lcmsms",
                         "visits": ["base", "h60", "noon"]}],
            "endpoints": {"late": {"analyte": "allo", "assay": "lcmsms", "visit": "h60",
                                   "baseline": "base", "how": "ratio"},
                          "matched": {"analyte": "allo", "assay": "lcmsms", "visit": "h60",
                                      "baseline": "noon", "how": "ratio"}}}
    spec = parse_study(node)
    names = list(spec.visits)
    t = np.array([[47.5, 108.0, 36.0], [47.5, 108.0, 36.0]])
    out = clock_mismatches(spec.endpoints, names, {"placebo": t}, 1.0)
    assert list(out) == ["late"]
    assert "23:30" in out["late"] and "12:00" in out["late"] and "11.5 h" in out["late"]
    assert clock_mismatches(spec.endpoints, names, {"placebo": t}, 12.0) == {}
