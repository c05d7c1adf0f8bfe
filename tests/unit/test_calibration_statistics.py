"""Target statistics against hand-computed values on synthetic time courses; z-scores and
the loss; target specs rejected with the key that is wrong."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sims.calibration import statistics as st
from sims.calibration.targets import (
    RunView,
    Target,
    compute,
    loss,
    parse_targets,
    score,
    z_score,
)
from sims.errors import ConfigError

T = np.arange(0.0, 96.0 + 1e-9, 0.25)  # 4 days every 15 min


def test_value_and_window_statistics():
    x = 2.0 * T
    assert st.value(T, x, 1.6) == pytest.approx(3.2)
    assert st.window_stat("mean", T, x, 0, 10) == pytest.approx(10.0)
    assert st.window_stat("median", T, x, 0, 10) == pytest.approx(10.0)
    assert st.window_stat("max", T, x, 2, 3) == pytest.approx(6.0)
    assert st.window_stat("min", T, x, 2, 3) == pytest.approx(4.0)
    with pytest.raises(st.StatisticError):
        st.value(T, x, 200.0)
    with pytest.raises(st.StatisticError):
        st.window_stat("mean", T, x, 100.0, 110.0)


def test_peak_time_fold_and_clock():
    x = 2.0 + 4.0 * np.exp(-((T - 10.25) / 0.3) ** 2)
    assert st.peak_time(T, x, 10.0, 14.0) == pytest.approx(15.0)  # minutes
    assert st.peak_fold(T, x, 10.0, 14.0, 6.0, 8.0) == pytest.approx(3.0, rel=1e-6)
    # the net increase (stress studies' measure): the same peak on two baselines
    assert st.peak_rise(T, x, 10.0, 14.0, 6.0, 8.0) == pytest.approx(4.0, rel=1e-6)
    assert st.peak_rise(T, x + 5.0, 10.0, 14.0, 6.0, 8.0) == pytest.approx(4.0, rel=1e-6)
    daily = np.cos(2 * np.pi * (T - 8.0) / 24.0)  # maximum at 08:00 every day
    assert st.peak_clock(T, daily, 0.0, 96.0) == pytest.approx(8.0)


def test_half_life_fall_fraction_and_period():
    assert st.half_life(T, 8.0 * np.exp(-math.log(2) * T / 3.0), 0, 20) == pytest.approx(3.0)
    x = np.exp(-T / 24.0)
    expected = (1 - math.exp(-1)) / (1 - math.exp(-3))
    assert st.fall_fraction(T, x, 0, 24, 72) == pytest.approx(expected, rel=1e-4)
    assert st.period(T, np.sin(2 * np.pi * T / 24.0), 0, 96, 12) == pytest.approx(24, abs=0.1)
    assert st.period(T, np.sin(2 * np.pi * T / 6.0), 0, 96, 2) == pytest.approx(6, abs=0.05)
    with pytest.raises(st.StatisticError):
        st.half_life(T, 1.0 + T, 0, 20)  # rises: no half-life


def _target(published, weight=1.0, tol=None):
    tol = (0.0 if "range" in published else 2.0) if tol is None else tol
    return Target("t", "", "src", "e", {"kind": "value", "variable": "allo_plasma",
                                        "at_h": 0}, published, tol, weight)


def test_z_scores_and_loss():
    assert z_score(3.3, {"value": 2.3, "sd": 0.5}) == pytest.approx(2.0)
    assert z_score(3.3, {"value": 2.3, "sem": 0.5, "n": 4}) == pytest.approx(1.0)  # sd = 1
    assert z_score(5.0, {"range": [2, 6]}) == 0.0
    assert z_score(8.0, {"range": [2, 6]}) == pytest.approx(1.0)  # half width 2
    assert z_score(1.0, {"range": [2, None]}) == pytest.approx(-2.0)  # 25 % of the bound
    assert z_score(1.0, {"range": [2, None], "scale": 0.5}) == pytest.approx(-2.0)
    # loss is zero when simulated = published, and a weighted sum of squared z otherwise
    a, b = _target({"value": 2.3, "sd": 1.0}), _target({"range": [1, 3]}, weight=2.0)
    assert loss([score(a, 2.3), score(b, 2.0)]) == 0.0
    r = [score(a, 4.3), score(b, 5.0)]
    assert loss(r) == pytest.approx(2.0 ** 2 + 2.0 * 2.0 ** 2)
    assert [x.status for x in r] == ["pass", "fail"]  # |z| = 2 is within tolerance 2
    assert score(a, 3.9).status == "pass"
    assert score(a, float("nan")).status == "fail"


def test_compute_on_a_run_view_with_events_ratios_and_units():
    allo = np.where(T < 24, 100.0, 100.0 * np.exp(-(T - 24) / 12.0)) + 1.0
    view = RunView({}, T, {"allo_plasma": allo}, {"allo_plasma": "nM"},
                   [("delivery", 24.0)])
    views = {"e": view}
    s = {"kind": "value", "variable": "allo_plasma", "at_day": 1, "relative_to": "delivery"}
    expected = 100.0 * math.exp(-2) + 1.0
    assert compute(s, views, "e") == pytest.approx(expected, rel=1e-3)
    # ng/mL with the molecule's weight (ALLO 318.5 g/mol)
    assert compute({**s, "molecule": "allo"}, views, "e", unit="ng/mL") == pytest.approx(
        expected * 0.3185, rel=1e-3)
    ratio = {"kind": "ratio", "numerator": s,
             "denominator": {"kind": "value", "variable": "allo_plasma", "at_h": 0,
                             "relative_to": "delivery"}}
    assert compute(ratio, views, "e") == pytest.approx(expected / 101.0, rel=1e-3)
    with pytest.raises(ConfigError, match="ovulation"):
        compute({**s, "relative_to": "ovulation"}, views, "e")


GOOD = {"experiments": {"e": {"overrides": ["scenario=acute_stress"]}},
        "items": {"t": {"source": "x", "experiment": "e",
                        "statistic": {"kind": "value", "variable": "allo_brain", "at_h": 1},
                        "published": {"value": 1.0, "sd": 0.5}}}}


def _bad(path: str, value) -> dict:
    import copy

    node = copy.deepcopy(GOOD)
    parts = path.split(".")
    d = node
    for p in parts[:-1]:
        d = d[p]
    d[parts[-1]] = value
    return node


@pytest.mark.parametrize("path, value, key", [
    ("items.t.statistic.variable", "allo_brian", "targets.items.t.statistic.variable"),
    ("items.t.statistic.kind", "average", "targets.items.t.statistic.kind"),
    ("items.t.experiment", "nope", "targets.items.t.experiment"),
    ("items.t.published", {"range": [3, 1]}, "targets.items.t.published.range"),
    ("items.t.published", {"value": 1.0}, "targets.items.t.published.sigma"),
    ("items.t.published", {"value": 1.0, "sem": 0.1}, "targets.items.t.published.n"),
    ("items.t.source", "", "targets.items.t.source"),
    ("items.t.statistic", {"kind": "mean", "variable": "allo_brain", "window_h": [5, 2]},
     "targets.items.t.statistic.window_h"),
    ("items.t.statistic", {"kind": "value", "variable": "probe.rat.E", "at_h": 1},
     "targets.items.t.statistic.variable"),
    ("items.t.statistic", {"kind": "value", "variable": "receptor.slice.g_tonic.X",
                           "at_h": 1}, "targets.items.t.statistic.variable"),
])
def test_bad_targets_are_refused_naming_the_key(path, value, key):
    parse_targets(GOOD, ["E", "PV"])  # the good one passes
    with pytest.raises(ConfigError) as info:
        parse_targets(_bad(path, value), ["E", "PV"])
    assert info.value.key == key


def test_best_passing_is_the_lowest_loss_accepted_set_that_fails_no_target():
    """Hand-built study: the best trial fails the range target; the next accepted one meets
    both targets; a trial outside the accepted region is never chosen."""
    import optuna

    from sims.calibration.optimize import best_passing, failures

    node = {"experiments": {"e": {"overrides": ["scenario=acute_stress"]}},
            "items": {"a": {"source": "x", "experiment": "e",
                            "statistic": {"kind": "value", "variable": "allo_brain", "at_h": 1},
                            "published": {"value": 1.0, "sd": 0.5}},
                      "b": {"source": "x", "experiment": "e",
                            "statistic": {"kind": "value", "variable": "allo_brain", "at_h": 2},
                            "published": {"range": [1, None], "scale": 0.5}}}}
    targets = parse_targets(node, ["E"])
    dist = {"p": optuna.distributions.FloatDistribution(0.0, 1.0)}
    study = optuna.create_study()

    def add(p: float, a: float, b: float) -> None:
        results = [score(targets.items["a"], a), score(targets.items["b"], b)]
        study.add_trial(optuna.trial.create_trial(
            params={"p": p}, distributions=dist, value=loss(results),
            user_attrs={"values": {"a": a, "b": b}}))

    add(0.1, 1.0, 0.9)   # loss (0.1/0.5)^2 = 0.04, fails b (below its range)
    add(0.2, 1.5, 1.2)   # loss 1.0, meets both
    add(0.3, 1.2, 1.1)   # loss 0.16, meets both: the answer
    add(0.4, 5.0, 2.0)   # loss 64, meets b, fails a and lies outside the accepted region
    trials = sorted(study.trials, key=lambda t: t.number)
    n_fail = [failures(targets, t) for t in trials]
    assert n_fail == [1, 0, 0, 1]
    assert best_passing(trials, n_fail, 5.99).params == {"p": 0.3}
    assert best_passing(trials, n_fail, 0.1) is None  # only the failing best is accepted
    assert best_passing([], [], 5.99) is None
