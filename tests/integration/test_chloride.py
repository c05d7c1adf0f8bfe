"""Chloride homeostasis as a slow state (docs/mechanisms.md): E_GABA shifts and
recovers with its time constants (exact exponentials of a boxcar stressor), reaches the
network at run time, and the PVN population's response to ALLO follows from it."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from sims.config import compose, validate
from sims.errors import ConfigError
from sims.params import build
from sims.slow.model import SlowModel
from sims.slow.schemas import HPAConfig

PULSE = ["coupling=slow_only", "scenario=acute_stress", "scenario.duration_days=5",
         "scenario.pulses=[{onset_h: 10.0, duration_min: 360.0, intensity: 1.0}]",
         "slow.dt_min=1", "slow.record_every_min=10"]


def test_egaba_shifts_and_recovers_with_its_time_constants():
    c = validate(compose(PULSE))
    tr = SlowModel(c).run(c["seed"])
    cl = c["chloride"]
    smax = cl["populations"]["PVN"]["shift_max_mV"]
    t, x = tr.time_h, tr.values["chloride_shift_PVN"]
    on, off = 10.0, 16.0
    # exponentials with the configured time constants: log-linear slopes, away from the
    # step that contains the switch (RK4 sees a boxcar edge inside one step)
    rise = (t > on + 0.2) & (t < off - 0.2)
    slope = np.polyfit(t[rise], np.log(smax - x[rise]), 1)[0]
    assert slope == pytest.approx(-1.0 / cl["tau_down_h"], rel=1e-5)
    fall = t > off + 0.2
    slope = np.polyfit(t[fall], np.log(x[fall]), 1)[0]
    assert slope == pytest.approx(-1.0 / cl["tau_recovery_h"], rel=1e-5)
    # and the levels: within the ~dt/6 timing of the edge (1 min steps)
    x_off = smax * (1 - np.exp(-(off - on) / cl["tau_down_h"]))
    assert x[np.searchsorted(t, off)] == pytest.approx(x_off, rel=1e-3)
    assert np.all(x[t < on] == 0.0)
    # only populations with a source have a chloride state
    assert [k for k in tr.values if k.startswith("chloride_shift_")] == ["chloride_shift_PVN"]


def test_the_shift_reaches_the_network_at_probes():
    """probe_config puts the slow shift on the population's receptors: E_gaba and E_tonic
    move together, other populations keep theirs."""
    from sims.coupling import probe_config
    from sims.fast.pharmacology import network_gaba_state

    c = validate(compose([*PULSE[:-2], "coupling=default", "sim=debug"]))
    tr = SlowModel(c).run(c["seed"])
    ck, conc, _ = probe_config(c, tr, 15.0)
    shift = tr.at("chloride_shift_PVN", 15.0)
    assert shift > 15.0
    vals = network_gaba_state(ck, conc)
    e_rev = c["receptors"]["gaba_a"]["E_rev_mV"]
    assert float(vals["PVN"]["E_gaba"]) == pytest.approx((e_rev + shift) * 1e-3)
    assert float(vals["PVN"]["E_tonic"]) == pytest.approx(
        (c["receptors"]["populations"]["PVN"]["E_tonic_mV"] + shift) * 1e-3)
    assert float(vals["E"]["E_gaba"]) == pytest.approx(e_rev * 1e-3)
    assert c["receptors"]["populations"]["PVN"]["chloride_shift_mV"] == 0.0  # not mutated


def _pvn_allo_ratios(shifts: tuple[float, ...]) -> dict[float, float]:
    """PVN rate at 30 / 3 nM brain ALLO for each E_GABA shift of the PVN cells (debug
    network, one build)."""
    from sims.fast.backend import CompiledNetwork
    from sims.fast.probe import run_probe

    c = validate(compose(["sim=debug", "coupling=network_only", "probe.window_ms=2000"]))
    ratio = {}
    with CompiledNetwork(c) as net:
        for shift in shifts:
            cc = copy.deepcopy(c)
            cc["receptors"]["populations"]["PVN"]["chloride_shift_mV"] = shift
            rates = []
            for allo in (3.0, 30.0):
                conc = dict(c["steroids"]["brain_nM"], allo=allo)
                out = run_probe(net, cc, conc)
                rates.append(float(out.per_population["rate"][3]))
                assert float(out.receptor_state["E_tonic"][3]) == pytest.approx(
                    (-75.0 + shift) * 1e-3)
            ratio[shift] = rates[1] / rates[0]
    return ratio


def test_pvn_response_to_allo_follows_from_its_chloride():
    """ALLO inhibits PVN at the configured E_GABA (-75 mV), and less the more KCC2 loss
    depolarises E_GABA: nothing in the code says so, it follows from the driving force.
    Measured (debug network): 30 / 3 nM PVN rate 0.24 / 0.57 / 0.94 at +0 / +10 / +20 mV."""
    ratio = _pvn_allo_ratios((0.0, 10.0, 20.0))
    assert ratio[0.0] < 1.0
    assert ratio[0.0] < ratio[10.0] < ratio[20.0]


@pytest.mark.xfail(strict=True, reason=(
    "open model-validity question (docs/changelog.md): Sarkar et al. 2011 saw THDOC "
    "excite CRH neurons after stress; within the configured shift (<= +20 mV: E_GABA "
    "-55 mV, below the PVN cells' threshold -45 mV) the network's ALLO only inhibits PVN "
    "less (x0.94 at +20 mV). Before "
    "the dose-chain change this passed at +10 mV through the network's silence at 30 nM "
    "(SST stopped firing), not through the chloride physics."))
def test_allo_excites_pvn_once_kcc2_is_lost():
    ratio = _pvn_allo_ratios((20.0,))
    assert ratio[20.0] > 1.0


@pytest.mark.parametrize("overrides, key", [
    (["chloride.populations.PVN.shift_max_mV=50"], "chloride.populations.PVN.shift_max_mV"),
    (["chloride.populations.PVN.shift_max_mV=-30"], "chloride.populations.PVN.shift_max_mV"),
    (["+chloride.populations.CA3={shift_max_mV: 5}"], "chloride.populations.CA3"),
    (["chloride.tau_down_h=0"], "chloride.tau_down_h"),
])
def test_egaba_out_of_physiological_range_is_refused(overrides, key):
    with pytest.raises(ConfigError) as err:
        validate(compose(overrides))
    assert err.value.key == key
    if "shift_max" in key:
        assert "physiological range" in str(err.value)


def test_the_slow_brake_follows_the_pvn_chloride_and_has_one_path():
    """Sarkar et al. 2011: after KCC2 loss THDOC *excites* CRH neurons. The slow
    neurosteroid brake on CRH drive scales with the PVN's GABA-A driving force at its
    operating potential (hand values), turns into a drive once E_GABA passes it, and is off
    when the PVN network carries the steroid action (closed loop, pvn_gain > 0)."""
    from sims.slow import chloride, hpa

    c = validate(compose(PULSE))
    hp, e0 = build(HPAConfig, c["hpa"]), c["receptors"]["gaba_a"]["E_rev_mV"]
    v = hp.pvn_operating_mV
    assert chloride.gabaa_polarity(0.0, e0, v) == 1.0
    assert chloride.gabaa_polarity(v - e0, e0, v) == 0.0
    assert chloride.gabaa_polarity(20.0, e0, v) == pytest.approx((v - e0 - 20.0) / (v - e0))
    levels = [0.0, 10.0, 50.0]
    rest = [hpa.neurosteroid_brake(hp, x) for x in levels]
    shifted = [hpa.neurosteroid_brake(hp, x, polarity=chloride.gabaa_polarity(20.0, e0, v))
               for x in levels]
    assert rest[0] == shifted[0] == 1.0
    assert rest[1] > rest[2] and shifted[2] > shifted[1] > 1.0  # inhibition -> excitation
    model = SlowModel(c)
    state = {"chloride_shift_PVN": 20.0}
    assert model._brake_polarity(state) < 0
    closed = validate(compose([*PULSE[1:], "coupling=closed", "coupling.pvn_gain=0.5"]))
    assert SlowModel(closed)._brake_polarity(state) == 0.0  # the network's PVN carries it
    zero_gain = validate(compose([*PULSE[1:], "coupling=closed", "coupling.pvn_gain=0"]))
    assert SlowModel(zero_gain)._brake_polarity(state) == model._brake_polarity(state)
