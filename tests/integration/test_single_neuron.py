"""Exact solutions: a single cell's subthreshold response and a single IPSC's decay.

These run the model's own equations (sims.fast.network) in Brian2's numpy runtime.
"""

from __future__ import annotations

import brian2 as b2
import numpy as np
import pytest

from sims.fast.network import build_network
from sims.fast.pharmacology import network_gaba_state
from tests.conftest import single_cell_config


def _relax(c: dict, conc: dict, v0: b2.Quantity, duration: b2.Quantity, dt: b2.Quantity):
    b2.defaultclock.dt = dt
    b2.prefs.codegen.target = "numpy"
    fn = build_network(c, monitors=False)
    e = fn.groups["E"]
    for var, val in network_gaba_state(c, conc)["E"].items():
        setattr(e, var, val)
    e.v = v0
    mon = b2.StateMonitor(e, "v", record=0)
    fn.net.add(mon)
    fn.net.run(duration, namespace={})
    return np.array(mon.t_[:]), np.array(mon.v_[0]), e  # copies: monitor memory is freed


@pytest.mark.parametrize("allo_nM", [0.0, 30.0, 300.0])
def test_leak_plus_tonic_relaxes_exponentially(debug_config, allo_nM):
    c = single_cell_config(debug_config)
    pop, rec = c["network"]["populations"]["E"], c["receptors"]["populations"]["E"]
    rec["alpha4_share"] = 0.0  # one tonic receptor kind (the polarity has its own test below)
    # tonic conductance computed by hand from the config (not via the code under test)
    t_cfg = c["receptors"]["tonic"]
    h = c["pharmacology"]["species"]["allo"]["delta_tonic"]
    g_t = rec["g_tonic_max_nS"] * rec["delta_expression"] * \
        t_cfg["ambient_gaba_uM"] / (t_cfg["ambient_gaba_uM"] + t_cfg["gaba_ec50_uM"]) * \
        (1 + h["emax"] * allo_nM / (allo_nM + h["ec50_nM"])) * 1e-9
    gl, el, cm = pop["gL_nS"] * 1e-9, pop["EL_mV"] * 1e-3, pop["C_pF"] * 1e-12
    et = rec["E_tonic_mV"] * 1e-3
    v_inf = (gl * el + g_t * et) / (gl + g_t)
    tau = cm / (gl + g_t)
    v0 = -0.055
    errs = []
    for dt in (0.1, 0.05):
        t, v, e = _relax(c, {"allo": allo_nM}, v0 * b2.volt, 100 * b2.ms, dt * b2.ms)
        assert float(e.g_tonic_[:]) == pytest.approx(g_t, rel=1e-12)
        exact = v_inf + (v0 - v_inf) * np.exp(-t / tau)
        errs.append(np.max(np.abs(v - exact)))
        b2.start_scope()
    # forward Euler: error bounded by (dt / 2 tau) |v0 - v_inf| / e, and first order in dt
    assert errs[0] < 0.1e-3 / (2 * tau) * abs(v0 - v_inf)
    assert errs[0] / errs[1] == pytest.approx(2.0, rel=0.1)


def test_ipsc_decay_matches_the_modulated_time_constant_and_grows_with_allo(debug_config):
    c = single_cell_config(debug_config, n_pre=1)
    # the gamma2 table itself (E cells, standing for dentate granule cells, answer it at 0.2)
    c["receptors"]["populations"]["E"]["phasic_steroid_sensitivity"] = 1.0
    taus = []
    for allo in (0.0, 10.0, 100.0, 1000.0, 3000.0):
        b2.start_scope()
        b2.defaultclock.dt = 0.05 * b2.ms
        b2.prefs.codegen.target = "numpy"
        fn = build_network(c, monitors=False)
        vals = network_gaba_state(c, {"allo": allo})
        for pop, g in fn.groups.items():
            for var, val in vals[pop].items():
                setattr(g, var, val)
        fn.groups["E"].v = -0.065 * b2.volt
        fn.groups["I"].v = -0.045 * b2.volt  # above threshold: fires once, then refractory
        mon = b2.StateMonitor(fn.groups["E"], "g_gaba", record=0)
        fn.net.add(mon)
        fn.net.run(60 * b2.ms, namespace={})
        t, g = np.array(mon.t_[:]), np.array(mon.g_gaba[0] / b2.nS)
        peak = int(np.argmax(g))
        assert g[peak] == pytest.approx(float(vals["E"]["gaba_scale"]) * 1.0, rel=1e-6)
        seg = slice(peak + 1, peak + 200)
        slope = np.polyfit(t[seg], np.log(g[seg]), 1)[0]
        tau_measured = -1.0 / slope
        tau_set = float(vals["E"]["tau_gaba"])
        # forward Euler decays by (1 - dt/tau) per step: tau_eff = -dt / ln(1 - dt/tau)
        dt = 0.05e-3
        assert tau_measured == pytest.approx(-dt / np.log(1 - dt / tau_set), rel=1e-6)
        taus.append(tau_measured)
    assert np.all(np.diff(taus) > 0)
    assert taus[-2] / taus[0] > 2.5  # 1 uM ALLO: IPSC decay x~3 (Cooper 1999 at 2 uM x4)


def test_tonic_conductance_measured_from_membrane_rises_with_allo_and_vanishes_without_delta(
        debug_config):
    """Infer g_tonic from the steady-state potential, as an experimenter would."""
    for delta, expect_rise in ((1.0, True), (0.0, False)):
        c = single_cell_config(debug_config)
        c["receptors"]["populations"]["E"]["delta_expression"] = delta
        pop, rec = c["network"]["populations"]["E"], c["receptors"]["populations"]["E"]
        gl, el, et = pop["gL_nS"], pop["EL_mV"], rec["E_tonic_mV"]
        g_inferred = []
        for allo in (0.0, 3.0, 10.0, 30.0, 100.0):
            t, v, _ = _relax(c, {"allo": allo}, -0.060 * b2.volt, 300 * b2.ms, 0.1 * b2.ms)
            v_ss = v[-1] * 1e3
            g_inferred.append(gl * (el - v_ss) / (v_ss - et))  # nS, from gL(EL-v) = g(v-Et)
            b2.start_scope()
        if expect_rise:
            assert np.all(np.diff(g_inferred) > 0)
            assert g_inferred[3] / g_inferred[0] > 1.8  # 30 nM roughly doubles tonic
        else:
            np.testing.assert_allclose(g_inferred, 0.0, atol=1e-4)  # < 0.1 pS


@pytest.mark.parametrize("share", [1.0, 0.5])
def test_alpha4_polarity_reverses_the_steroid_effect_with_the_chloride_current(debug_config,
                                                                              share):
    """alpha4beta2delta (Shen et al. 2007): with E_tonic below v (outward current, Cl-
    influx: the adult direction) ALLO *reduces* the alpha4 share; with E_tonic above v
    (inward current) it potentiates it as every other tonic receptor. The tonic current at
    the first step, for E_tonic 10 mV either side of v, with and without 30 nM ALLO, against
    values computed by hand from the config."""
    v0 = -0.060
    rec_cfg = debug_config["receptors"]
    h = debug_config["pharmacology"]["species"]["allo"]["delta_tonic"]
    pol = rec_cfg["alpha4_polarity"]
    t_cfg = rec_cfg["tonic"]
    allo = 30.0
    f_pot = 1 + h["emax"] * allo / (allo + h["ec50_nM"])
    x = pol["outward_potency"] * allo / h["ec50_nM"]
    f_out = 1 + pol["outward_emax"] * x / (1 + x)
    ratios = {}
    for e_tonic in (-70.0, -50.0):  # below v: outward current; above v: inward
        currents = []
        for conc in (0.0, allo):
            c = single_cell_config(debug_config)
            rp = c["receptors"]["populations"]["E"]
            rp["alpha4_share"], rp["E_tonic_mV"] = share, e_tonic
            g0 = rp["g_tonic_max_nS"] * 1e-9 * t_cfg["ambient_gaba_uM"] / (
                t_cfg["ambient_gaba_uM"] + t_cfg["gaba_ec50_uM"])
            b2.defaultclock.dt = 0.1 * b2.ms
            b2.prefs.codegen.target = "numpy"
            fn = build_network(c, monitors=False)
            e = fn.groups["E"]
            for var, val in network_gaba_state(c, {"allo": conc})["E"].items():
                setattr(e, var, val)
            e.v = v0 * b2.volt
            mon = b2.StateMonitor(e, "I_tonic", record=0)
            fn.net.add(mon)
            fn.net.run(0.1 * b2.ms, namespace={})
            currents.append(float(mon.I_tonic[0][0] / b2.amp))
            b2.start_scope()
            outward = e_tonic < v0 * 1e3
            # hand value: the non-alpha4 share potentiated; the alpha4 share reduced
            # (outward) or potentiated (inward)
            f = 1.0 if conc == 0 else (1 - share) * f_pot + share * (f_out if outward
                                                                     else f_pot)
            assert currents[-1] == pytest.approx(g0 * f * (e_tonic * 1e-3 - v0), rel=1e-9)
        ratios[e_tonic] = currents[1] / currents[0]
    assert ratios[-50.0] == pytest.approx(f_pot) and ratios[-50.0] > 1  # inward: potentiated
    assert ratios[-70.0] == pytest.approx((1 - share) * f_pot + share * f_out)
    assert ratios[-70.0] < ratios[-50.0]
    if share == 1.0:
        assert ratios[-70.0] < 1  # the sign reverses: ALLO reduces the outward current
