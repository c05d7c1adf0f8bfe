"""The debug network end to end in cpp_standalone: determinism, steroid effects measured
in the network, one compile for many probes, runaway detection."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from sims.fast import backend
from sims.fast.probe import RunawayActivityError, run_probe
from sims.io import is_complete, read_result
from sims.simulate import simulate


def test_same_seed_and_config_give_identical_datasets(debug_config, tmp_path):
    a = simulate(debug_config, out_dir=tmp_path / "a")
    simulate(debug_config, out_dir=tmp_path / "b")
    ra, rb = read_result(tmp_path / "a" / "result.h5"), read_result(tmp_path / "b" / "result.h5")
    assert set(ra.groups) == set(rb.groups) == set(a.groups)
    for g in ra.groups:
        for name, v in ra.groups[g].items():
            np.testing.assert_array_equal(v.data, rb.groups[g][name].data, err_msg=f"{g}/{name}")
    assert ra.attrs["config_hash"] == rb.attrs["config_hash"]
    assert ra.attrs["complete"] and rb.attrs["complete"]
    assert len(ra.groups["spikes/probe_0/E"]["t"].data) > 0


def test_allo_raises_tonic_inhibition_and_lowers_e_rate_delta_knockout_abolishes_it(
        debug_config):
    """Stell et al. 2003: nM neurosteroid raises tonic inhibition and lowers excitability;
    no effect without delta. All probes share one compiled network."""
    builds = backend.BUILD_COUNT
    c = copy.deepcopy(debug_config)
    with backend.CompiledNetwork(c) as net:
        wt = [run_probe(net, c, {"allo": a}) for a in (0.0, 10.0, 100.0)]
        ko_c = copy.deepcopy(c)
        for rp in ko_c["receptors"]["populations"].values():
            rp["delta_expression"] = 0.0
        ko = [run_probe(net, ko_c, {"allo": a}) for a in (0.0, 100.0)]
    assert backend.BUILD_COUNT == builds + 1  # five runs, one build
    tonic = [o.scalars["tonic_charge"] for o in wt]
    rate_e = [o.per_population["rate"][0] for o in wt]
    assert tonic[0] < tonic[1] < tonic[2]
    assert rate_e[2] < rate_e[0]
    assert all(o.scalars["tonic_charge"] == 0.0 for o in ko)
    assert all(np.all(o.receptor_state["g_tonic"] == 0.0) for o in ko)


def test_runaway_activity_is_reported_and_file_not_complete(debug_config, tmp_path):
    c = copy.deepcopy(debug_config)
    c["probe"]["max_rate_Hz"] = 0.5  # every real probe exceeds this
    with pytest.raises(RunawayActivityError, match="runaway firing"):
        simulate(c, out_dir=tmp_path)
    assert (tmp_path / "result.h5").exists()
    assert not is_complete(tmp_path / "result.h5")
