"""Brain states (docs/mechanisms.md): the nrem state's slow oscillation emerges in
the debug network and the wake state stays asynchronous; probe.state=auto follows the
slow layer's clock; the state is stored with each probe."""

from __future__ import annotations

import copy

import h5py
import numpy as np
import pytest

from sims.config import compose, validate
from sims.errors import ConfigError
from sims.fast.states import in_night, state_at, state_values

WINDOW = ["sim=debug", "coupling=network_only", "probe.window_ms=4000"]


@pytest.fixture(scope="module")
def states():
    from sims.fast.backend import CompiledNetwork
    from sims.fast.probe import run_probe

    c = validate(compose(WINDOW))
    conc = dict(c["steroids"]["brain_nM"])
    with CompiledNetwork(c) as net:
        return {s: run_probe(net, c, conc, state=s) for s in ("wake", "nrem")}


def test_nrem_alternates_up_and_down_and_wake_does_not(states):
    wake, nrem = states["wake"].scalars, states["nrem"].scalars
    assert wake["up_fraction"] > 0.95 and wake["up_state_rate"] <= 0.25
    assert 0.2 < nrem["up_fraction"] < 0.9
    assert nrem["up_state_rate"] >= 0.5  # >= 2 DOWN -> UP transitions in 4 s
    assert nrem["delta_power"] > 5 * wake["delta_power"]
    assert states["nrem"].state == "nrem" and states["wake"].state == "wake"
    # the state's values reached the network
    b = states["nrem"].receptor_state["b_adapt"]
    assert b[0] == pytest.approx(120e-12) and states["wake"].receptor_state["b_adapt"][0] == \
        pytest.approx(20e-12)


def test_state_values_and_the_clock():
    c = validate(compose(["sim=debug", "probe.state=auto"]))
    assert in_night(23.5, 23.0, 7.0) and in_night(2.0, 23.0, 7.0)
    assert not in_night(7.0, 23.0, 7.0) and not in_night(12.0, 23.0, 7.0)
    assert in_night(14.0, 13.0, 15.0) and not in_night(16.0, 13.0, 15.0)
    assert state_at(c, 24.0 + 3.0) == "nrem" and state_at(c, 48.0 + 12.0) == "wake"
    assert state_at(c, None) == "wake"
    wake, nrem = state_values(c, "wake"), state_values(c, "nrem")
    assert wake["E"]["drive_scale"] == 1.0 and wake["E"]["recurrent_scale"] == 1.0
    assert nrem["E"]["recurrent_scale"] == 4.25 and nrem["PV"]["drive_scale"] == 0.75
    assert float(nrem["PV"]["b_adapt"]) == float(wake["PV"]["b_adapt"])  # unset: wake value


def test_auto_state_follows_the_clock_and_is_stored(tmp_path):
    """Probes at 03:00 and 15:00 of a slow run: nrem, then wake, in probes/state."""
    from sims.simulate import run_job

    c = validate(compose(["sim=debug", "coupling.probe_times_h=[3.0,15.0]", "probe.state=auto",
                          "probe.window_ms=2000",
                          "scenario.duration_days=1"]))
    run_job(c, str(tmp_path), [])
    with h5py.File(tmp_path / "result.h5") as f:
        state = [s.decode() if isinstance(s, bytes) else s for s in f["probes/state"][:]]
        assert state == ["nrem", "wake"]
        assert f["probes/drive_scale"][0, 0] == 0.75 and f["probes/drive_scale"][1, 0] == 1.0
        assert np.isfinite(f["probes/delta_power"][:]).all()


@pytest.mark.parametrize("overrides, key", [
    (["probe.state=rem"], "probe.state"),
    (["+sleep.nrem.CA1={drive_scale: 0.5}"], "sleep.nrem.CA1"),
    (["sleep.nrem.E.b_pA=-1"], "sleep.nrem.E.b_pA"),
    (["sleep.nrem.E.recurrent_scale=-1"], "sleep.nrem.E.recurrent_scale"),
    (["sleep.night_start_clock_h=25"], "sleep.night_start_clock_h"),
    (["sleep.updown.down_fraction=1.5"], "sleep.updown.down_fraction"),
])
def test_bad_state_input(overrides, key):
    with pytest.raises(ConfigError) as err:
        validate(compose(["sim=debug", *overrides]))
    assert err.value.key == key


def test_wake_state_is_the_network_as_configured():
    """wake: every population's own b and tau_w, drive and recurrence unscaled."""
    c = validate(compose(["sim=debug"]))
    vals = state_values(copy.deepcopy(c), "wake")
    for name, pop in c["network"]["populations"].items():
        assert float(vals[name]["b_adapt"]) == pytest.approx(pop["b_pA"] * 1e-12)
        assert float(vals[name]["tau_adapt"]) == pytest.approx(pop["tau_w_ms"] * 1e-3)
