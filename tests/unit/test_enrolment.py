"""Per-individual enrolment (``cohort.enrolment``): each individual's treatment starts at
its own time, drawn from the master seed and timed from its scenario event; the slow
layer's array backend doses each at its own step; a study times visits and probes from
each individual's enrolment; bad windows and arms are refused before anything runs."""

from __future__ import annotations

import numpy as np
import pytest

from sims.cohort import engine
from sims.cohort.spec import parse_enrolment
from sims.config import compose, validate
from sims.errors import ConfigError
from sims.slow.model import SlowModel
from sims.study.engine import plan_study

#: A postpartum cohort, slow only, delivery on day 14 of a 40-day run, enrolled on
#: postpartum days 1-10 at 08:00.
ENROL = ["+cohort=postpartum", "coupling=slow_only", "scenario.duration_days=40",
         "cohort.n=8", "cohort.arms.brexanolone=['treatment=brexanolone']",
         "+cohort.enrolment={relative_to: delivery, days: {from: 1, to: 10}, clock_h: 8.0,"
         " source: test}"]


def _plan(*extra: str) -> dict:
    ov = [*ENROL, *extra]
    return engine.plan(validate(compose(ov)), ov)


@pytest.mark.parametrize(("treatment", "extra"), [
    ("brexanolone", []), ("zuranolone", ["treatment.n_doses=2"])])
def test_each_individual_is_dosed_at_its_own_time_bit_for_bit(treatment, extra):
    """Three individuals in one array run, each with its own start (an infusion, or
    nightly doses whose first falls on or after the start), equal three runs of one."""
    c = validate(compose(["coupling=slow_only", f"treatment={treatment}",
                          "scenario.duration_days=3", "slow.burn_in_days=0.5", "slow.dt_min=10",
                          *extra]))
    starts = np.array([0.25, 0.5, 1.75])
    rec = ["allo_plasma", "zuranolone_plasma"]
    many = SlowModel(engine.with_values(c, {"treatment.start_day": starts}), n_individuals=3,
                     numerics="array").run_individuals(np.array([7, 7, 7]), record=rec)
    for j, s in enumerate(starts):
        one = SlowModel(engine.with_values(c, {"treatment.start_day": float(s)}),
                        n_individuals=1, numerics="array").run_individuals(
                            np.array([7]), record=rec)
        for k in rec:
            assert np.array_equal(many.values[k][:, j], one.values[k][:, 0]), (k, j)
    drug = "allo_plasma" if treatment == "brexanolone" else "zuranolone_plasma"
    first = [many.time_h[np.argmax(many.values[drug][:, j] > 1.0)] for j in range(3)]
    if treatment == "brexanolone":  # the infusion starts at each one's own time
        assert first[0] < first[1] < first[2]
    else:  # the first dose at 21:00 on or after the start: day 0's for 6 h and 12 h
        assert first[0] == first[1] < first[2]


def test_enrolment_is_drawn_once_for_the_cohort_and_timed_from_the_event():
    p = _plan("cohort.n=200")
    start_h = p["values"][engine.START_KEY] * 24.0
    day = (start_h - 8.0) / 24.0 - 14.0  # delivery on run day 14
    assert np.array_equal(day, np.round(day)) and set(day.astype(int)) == set(range(1, 11))
    assert np.all(start_h % 24.0 == 8.0)
    assert p["values"][engine.START_KEY].shape == (200,)
    whole = _plan()["values"][engine.START_KEY]
    half = _plan("cohort.n_shards=2", "cohort.shard=1")["values"][engine.START_KEY]
    assert np.array_equal(half, whole[4:])  # the same whatever the sharding
    other = _plan("seed=99")["values"][engine.START_KEY]
    assert not np.array_equal(other, whole)


@pytest.mark.parametrize(("extra", "key", "allowed"), [
    (["cohort.enrolment.days.to=40"], "cohort.enrolment.days", "days from -14 to 25"),
    (["cohort.enrolment.days.from=-20"], "cohort.enrolment.days", "days from -14 to 25"),
    (["cohort.enrolment.relative_to=ovulation"], "cohort.enrolment.relative_to",
     "an event of the scenario"),
    (["cohort.enrolment.clock_h=24"], "cohort.enrolment.clock_h", "[0, 24)"),
    (["cohort.enrolment.source=''"], "cohort.enrolment.source", "where the enrolment"),
    (["cohort.enrolment.days={from: 5, to: 2}"], "cohort.enrolment.days", "D1 >= D0"),
    (["cohort.arms.brexanolone=['treatment=brexanolone','treatment.start_day=16']"],
     "cohort.arms.brexanolone", "leave the treatment's start to cohort.enrolment"),
    (["cohort.arms.brexanolone=['treatment=[brexanolone,zuranolone]']"],
     "cohort.arms.brexanolone", "one treatment per arm"),
    (["cohort.arms.brexanolone=['treatment=brexanolone','scenario.delivery_day=10']"],
     "cohort.arms.brexanolone", "keep the scenario"),
    (["~cohort.enrolment", "+cohort.probe_relative_to=enrolment"],
     "cohort.probe_relative_to", "without cohort.enrolment"),
])
def test_bad_enrolment_is_refused_before_anything_runs(extra, key, allowed):
    with pytest.raises(ConfigError) as e:
        _plan(*extra)
    assert e.value.key == key and allowed in str(e.value)


def test_an_enrolment_node_is_checked_key_by_key():
    ok = parse_enrolment({"relative_to": "delivery", "days": {"from": 0, "to": 3},
                          "source": "x"})
    assert (ok.first_day, ok.last_day, ok.clock_h) == (0, 3, 0.0)
    assert list(ok.time_h(np.array([14 * 24.0 + 5.0]), np.array([2]))) == [16 * 24.0]
    assert parse_enrolment(None) is None
    with pytest.raises(ConfigError, match="cohort.enrolment.*keys"):
        parse_enrolment({"relative_to": "delivery", "days": {"from": 0, "to": 3},
                         "source": "x", "window": 3})
    with pytest.raises(ConfigError, match="cohort.enrolment.days"):
        parse_enrolment({"days": {"from": 0.5, "to": 3}, "source": "x"})


def test_the_trial_times_visits_and_probes_from_each_individuals_enrolment():
    """ppd_treatment_trial: Hummingbird's window (postpartum days 1-180), every visit with
    a baseline at 12:00, and the probes at the same hours after each one's enrolment."""
    ov = ["+study=ppd_treatment_trial", "cohort.n=6", "sim=debug"]
    p = plan_study(validate(compose(ov)), ov)
    grid = p["visit_times"]
    assert grid["probe_relative_to"] == "enrolment"
    assert p["probe_times"] == [-12.0, 60.0, 348.0, 708.0, 1068.0]
    (co,) = p["cohorts"].values()
    assert co["config"]["cohort"]["probe_relative_to"] == "enrolment"
    enrol_h = co["plan"]["values"][engine.START_KEY] * 24.0
    assert np.all((enrol_h / 24.0 - 14.0 >= 1) & (enrol_h / 24.0 - 14.0 <= 180))
    assert len(set(enrol_h)) > 1  # each individual its own day
    names = grid["names"]
    for arm, t in grid["arms"].items():
        assert np.array_equal(t[:, names.index("h60")], enrol_h + 60.0), arm
        assert np.array_equal(t[:, names.index("day15")], enrol_h + 14 * 24.0 + 12.0), arm
        for v in ("baseline", "h60", "day15", "day30", "day45"):
            assert np.all(t[:, names.index(v)] % 24.0 == 12.0), (arm, v)
    assert p["clock_mismatch"] == {}
