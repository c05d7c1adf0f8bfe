"""Mechanism checks (targets with role ``mechanism``): each default scenario's defining
mechanism must act at the defaults, so that a refit cannot switch it off unnoticed. The
check itself is tested both ways (an inert mechanism fails it, an active one passes), and
the defaults are asserted: both act (PMDD's alpha4 response was inert before item 4 of the
model-validity review)."""

from __future__ import annotations

import copy

import pytest

from sims.calibration.evaluate import evaluate
from sims.calibration.spec import parse_calibration
from sims.calibration.targets import parse_targets
from sims.config import compose, validate
from sims.errors import ConfigError

PMDD, PPD = "pmdd_alpha4_response_active", "ppd_delta_recovery_impaired_active"


@pytest.fixture(scope="module")
def targets():
    return parse_targets(validate(compose(["+targets=default"]))["targets"])


def _check(targets, name: str, base: list[str]):
    (res,) = evaluate(targets.select([name]), ["coupling=slow_only", *base])
    return res


def test_the_pmdd_check_fails_an_inert_mechanism_and_passes_an_active_one(targets):
    # without PMDD's two sensitivities the two cycles are the same run: exactly 1, a fail
    off = _check(targets, PMDD, ["scenario.alpha4_withdrawal_scale=1.0",
                                 "scenario.alpha4_withdrawal_susceptibility=0.0"])
    assert off.value == pytest.approx(1.0, abs=1e-12) and off.status == "fail"
    # the larger response alone, still gated by the cycle's small exposure memory: inert
    gated = _check(targets, PMDD, ["scenario.alpha4_withdrawal_susceptibility=0.0"])
    assert 1.0 < gated.value < 1.05 and gated.status == "fail"
    # a cycle that counts as sustained exposure, and an alpha4 response to the luteal-size
    # fall, let the larger withdrawal response act even without the susceptibility: a pass
    on = _check(targets, PMDD, ["scenario.alpha4_withdrawal_susceptibility=0.0",
                                "homeostasis.exposure_fold=1.1", "homeostasis.alpha4_s50=0.2"])
    assert on.value > 1.05 and on.status == "pass"


def test_the_ppd_state_delta_deficit_is_active_at_the_defaults(targets):
    res = _check(targets, PPD, [])
    assert res.status == "pass" and res.value < 0.8


def test_the_pmdd_mechanism_acts_at_the_defaults(targets):
    """Item 4 of the model-validity review: PMDD's susceptibility opens the withdrawal
    response whatever the exposure memory, so a refit of the brain partition (which put
    the cycle's fold below exposure_fold) no longer switches it off. Before: 1.000."""
    assert _check(targets, PMDD, []).status == "pass"


def test_a_fit_may_not_use_a_mechanism_check():
    c = copy.deepcopy(validate(compose(["+calibration=quick"])))
    c["calibration"]["targets"] = [*c["calibration"]["targets"], PMDD]
    with pytest.raises(ConfigError) as err:
        parse_calibration(c)
    assert err.value.key == "calibration.targets" and PMDD in str(err.value.value)
    c["calibration"]["targets"] = "all"
    assert PMDD not in parse_calibration(c).targets.items
