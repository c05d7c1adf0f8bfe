"""The stress-neurosteroid vicious cycle (docs/mechanisms.md)."""

from __future__ import annotations

import numpy as np
import pytest

from sims.config import compose, validate
from sims.errors import ConfigError
from sims.slow.model import SlowModel

BASE = ["coupling=slow_only", "scenario=stress_recovery", "scenario.duration_days=40",
        "scenario.stress_days=21"]


def _run(*overrides: str):
    c = validate(compose([*BASE, *overrides]))
    return c, SlowModel(c).run(c["seed"])


def test_gain_zero_is_the_model_without_the_loop_exactly():
    """gain 0 with every other loop value set: the same numbers as stress_loop=off (the
    golden slow test pins 'off' to the trajectories recorded before the loop existed)."""
    _, off = _run("stress_loop=off")
    _, zero = _run("stress_loop=on", "stress_loop.gain=0")
    for name, v in off.values.items():
        np.testing.assert_array_equal(zero.values[name], v, err_msg=name)


def test_load_is_cortisol_averaged_over_days():
    """Second computation: the load as an exponential filter of the recorded cortisol
    (exact solution of its ODE for piecewise-linear input) agrees with the model's state."""
    c, tr = _run("stress_loop=off", "slow.record_every_min=4")
    tau = c["stress_loop"]["tau_load_days"] * 24.0
    x = tr.values["cortisol"] / c["hpa"]["cortisol_ref_ug_per_dL"]
    t = tr.time_h
    load = np.empty_like(x)
    load[0] = tr.values["glucocorticoid_load"][0]
    for i in range(1, len(t)):
        h = t[i] - t[i - 1]
        a = np.exp(-h / tau)
        slope = (x[i] - x[i - 1]) / h  # exact for a linear input over the step
        load[i] = (a * load[i - 1] + (1 - a) * x[i] + slope * tau * (1 - a)
                   - slope * h)
    np.testing.assert_allclose(tr.values["glucocorticoid_load"], load, rtol=1e-4)


def test_the_loop_deepens_stress_and_acts_only_above_its_tolerance():
    c, off = _run("stress_loop=off")
    _, on = _run("stress_loop=on")
    day = off.time_h / 24.0
    before = day < c["scenario"]["onset_day"]
    during = (day > 20) & (day < 28)
    for name in ("r5a", "inflammation", "allo_brain", "cortisol"):
        np.testing.assert_array_equal(on.values[name][before], off.values[name][before])
    assert on.values["glucocorticoid_load"][during].mean() > c["stress_loop"]["threshold"]
    assert on.values["r5a"][during].mean() < 0.8 * off.values["r5a"][during].mean()
    assert on.values["inflammation"][during].mean() > off.values["inflammation"][during].mean()
    assert on.values["allo_brain"][during].mean() < off.values["allo_brain"][during].mean()


@pytest.mark.parametrize("override, key", [
    ("stress_loop.gain=-1", "stress_loop.gain"),
    ("stress_loop.tau_load_days=0", "stress_loop.tau_load_days"),
    ("stress_loop.threshold=-0.5", "stress_loop.threshold"),
])
def test_bad_loop_input(override, key):
    with pytest.raises(ConfigError) as err:
        validate(compose([*BASE, "stress_loop=on", override]))
    assert err.value.key == key
