"""The slow layer end to end through simulate(): the /slow group and probes that see it."""

from __future__ import annotations

import copy
import time

import numpy as np
import pytest

from sims.config import compose, validate
from sims.io import read_result
from sims.simulate import simulate


def test_slow_only_run_takes_seconds_and_writes_the_slow_group(tmp_path):
    c = validate(compose(["scenario=pregnancy_postpartum", "treatment=brexanolone",
                          "coupling=slow_only"]))
    t0 = time.perf_counter()
    simulate(c, out_dir=tmp_path)
    assert time.perf_counter() - t0 < 20.0
    res = read_result(tmp_path / "result.h5")
    assert res.attrs["complete"] and "probes" not in res.groups
    slow = res.groups["slow"]
    assert slow["time"].units == "s" and slow["time"].data[-1] == pytest.approx(28 * 86400)
    assert slow["allo_brain"].units == "nM" and slow["cortisol"].units == "ug/dL"
    assert all(v.dims == ("time",) for v in slow.values())
    xr = pytest.importorskip("xarray")
    pytest.importorskip("h5netcdf")
    ds = xr.open_dataset(tmp_path / "result.h5", group="slow", engine="h5netcdf")
    assert ds["allo_plasma"].dims == ("time",) and ds["allo_plasma"].attrs["units"] == "nM"
    assert "delivery" in res.attrs["events_json"]


@pytest.mark.parametrize("rule", ["none", "steroid"])
def test_probes_see_the_brain_levels_and_expression_of_their_time(debug_config, tmp_path, rule):
    c = copy.deepcopy(debug_config)
    c["scenario"] = validate(compose(["scenario=pregnancy_postpartum"]))["scenario"]
    c["homeostasis"]["rule"] = rule
    c["coupling"]["probe_times_h"] = [0.0, 13 * 24.0, 17 * 24.0]
    c = validate(c)
    simulate(c, out_dir=tmp_path)
    res = read_result(tmp_path / "result.h5")
    p, s = res.groups["probes"], res.groups["slow"]
    np.testing.assert_allclose(p["time"].data, [0.0, 13 * 86400.0, 17 * 86400.0])
    allo = p["brain_conc"].data[:, list(p["species"].data).index("allo")]
    expected = np.interp(p["time"].data, s["time"].data, s["allo_brain"].data)
    np.testing.assert_allclose(allo, expected, rtol=1e-9)
    g_tonic_e = p["g_tonic"].data[:, 0]
    assert p["tau_gaba"].data[1, 0] > p["tau_gaba"].data[2, 0]  # gamma2: ALLO prolongs IPSCs
    if rule == "none":  # late pregnancy vs postpartum: ALLO acting on unchanged delta
        assert g_tonic_e[1] > 1.5 * g_tonic_e[2]
        assert "delta_expression" not in p
    else:  # delta down-regulation compensates: tonic inhibition kept roughly constant
        assert g_tonic_e[1] == pytest.approx(g_tonic_e[2], rel=0.3)
        delta = p["delta_expression"].data[:, 0]
        assert delta[1] == pytest.approx(0.5, abs=0.05) and delta[2] == pytest.approx(1, abs=0.1)
