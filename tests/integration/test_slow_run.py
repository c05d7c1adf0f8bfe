"""The slow layer end to end through simulate(): the /slow group and probes that see it."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from sims.config import compose, validate
from sims.io import read_result
from sims.simulate import simulate


def test_a_slow_only_run_writes_the_slow_group(tmp_path):
    """(Its speed is measured in ``make bench``, not asserted here.)"""
    c = validate(compose(["scenario=pregnancy_postpartum", "treatment=brexanolone",
                          "coupling=slow_only"]))
    simulate(c, out_dir=tmp_path)
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
    # mouse-like postpartum progesterone fall (tests/validation/test_homeostasis.py MOUSE)
    c["scenario"] = validate(compose(["scenario=pregnancy_postpartum",
                                      "scenario.progesterone_pp_tau_days=0.25"]))["scenario"]
    c["homeostasis"]["rule"] = rule
    c["coupling"]["probe_times_h"] = [0.0, 13 * 24.0, 17 * 24.0]
    c = validate(c)
    simulate(c, out_dir=tmp_path)
    res = read_result(tmp_path / "result.h5")
    p, s = res.groups["probes"], res.groups["slow"]
    np.testing.assert_allclose(p["time"].data, [0.0, 13 * 86400.0, 17 * 86400.0])
    # the probe times lie on the slow layer's recording grid: the stored samples there
    at = [int(np.flatnonzero(s["time"].data == t)[0]) for t in p["time"].data]
    species = list(p["species"].data)
    for sp, var in (("allo", "allo_brain"), ("thdoc", "thdoc_brain")):
        np.testing.assert_allclose(p["brain_conc"].data[:, species.index(sp)],
                                   s[var].data[at], rtol=1e-12)
    # a second computation of E's tonic conductance from those levels: the Gaddum rule for
    # ALLO + THDOC at the neurosteroid site, written out by hand (sims.fast.pharmacology)
    rp, tonic = c["receptors"]["populations"]["E"], c["receptors"]["tonic"]
    sp_table = c["pharmacology"]["species"]
    act = tonic["ambient_gaba_uM"] / (tonic["ambient_gaba_uM"] + tonic["gaba_ec50_uM"])
    for k, i in enumerate(at):
        # the receptors see the unbound part of the total brain level
        x = [(sp_table[n]["free_fraction_brain"] * s[f"{n}_brain"].data[i]
              / sp_table[n]["delta_tonic"]["ec50_nM"])
             ** sp_table[n]["delta_tonic"]["hill"] for n in ("allo", "thdoc", "androstanediol",
                                                             "zuranolone")]
        emax = [sp_table[n]["delta_tonic"]["emax"] for n in ("allo", "thdoc", "androstanediol",
                                                               "zuranolone")]
        factor = 1 + sum(e * xi for e, xi in zip(emax, x, strict=True)) / (1 + sum(x))
        delta = s["delta_E"].data[i] if rule == "steroid" else 1.0
        a4 = s["alpha4_E"].data[i] if rule == "steroid" else 1.0
        sens = rp["tonic_steroid_sensitivity"]
        sulfated = [(sp_table[n]["free_fraction_brain"] * s[f"{n}_brain"].data[i]
                     / sp_table[n]["delta_tonic"]["ec50_nM"],
                     sp_table[n]["delta_tonic"]["emax"]) for n in ("pregs", "dheas")]
        block = 1 + sum(e * xi for xi, e in sulfated) / (1 + sum(xi for xi, _ in sulfated))
        g0 = rp["g_tonic_max_nS"] * 1e-9 * delta * act
        potentiated = g0 * (1 + sens * (factor * block - 1))  # sites multiply, then sensitivity
        # the alpha4beta2delta share (adult share x alpha4 expression) is reduced, not
        # potentiated, while the current is outward (Shen et al. 2007)
        pol = c["receptors"]["alpha4_polarity"]
        xo = sum(xi * pol["outward_potency"] ** sp_table[n]["delta_tonic"]["hill"]
                 for xi, n in zip(x, ("allo", "thdoc", "androstanediol", "zuranolone"),
                                  strict=True))
        reduced = g0 * (1 + sens * pol["outward_emax"] * xo / (1 + xo))
        share = min(1.0, rp["alpha4_share"] * a4)
        expected = (1 - share) * potentiated + share * reduced
        assert p["g_tonic"].data[k, 0] == pytest.approx(expected, rel=1e-9)
    g_tonic_e = p["g_tonic"].data[:, 0]
    assert p["tau_gaba"].data[1, 0] > p["tau_gaba"].data[2, 0]  # gamma2: ALLO prolongs IPSCs
    if rule == "none":  # late pregnancy vs postpartum: ALLO acting on unchanged delta
        assert g_tonic_e[1] > 1.5 * g_tonic_e[2]
        assert "delta_expression" not in p
    else:  # delta down-regulation compensates: tonic inhibition kept roughly constant
        assert g_tonic_e[1] == pytest.approx(g_tonic_e[2], rel=0.3)
        delta = p["delta_expression"].data[:, 0]
        # back to virgin +-20 % (docs/science.md §10 row 2); passing the moderate folds on the
        # way down, delta overshoots a little (the diestrus-like up-regulation, §4)
        assert delta[1] == pytest.approx(0.5, abs=0.05) and delta[2] == pytest.approx(1, abs=0.2)
