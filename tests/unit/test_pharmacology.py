"""The steroid Hill table: exact reductions, combination rule, published effects."""

from __future__ import annotations

import copy

import brian2 as b2
import numpy as np
import pytest

from sims.config import as_config
from sims.fast.pharmacology import (
    RECEPTOR_CLASSES,
    hill_occupancy,
    modulation_factor,
    network_gaba_state,
    population_gaba_state,
    receptor_concentrations,
)

ALLO_DOSES = [0.0, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0]


def test_null_species_set_gives_exactly_unmodulated(debug_config):
    species = as_config(debug_config).pharmacology.species
    for cls in RECEPTOR_CLASSES:
        assert modulation_factor({}, species, cls) == 1.0
        assert modulation_factor({s: 0.0 for s in species}, species, cls) == 1.0


def test_single_species_is_the_hill_function(debug_config):
    species = as_config(debug_config).pharmacology.species
    h = species["allo"].gamma2_decay
    for c in [1.0, 50.0, 300.0, 2000.0]:
        expected = 1 + h.emax * c ** h.hill / (c ** h.hill + h.ec50_nM ** h.hill)
        assert modulation_factor({"allo": c}, species, "gamma2_decay") == pytest.approx(expected)
    assert hill_occupancy(300.0, 300.0, 1.5) == pytest.approx(0.5)


def test_same_site_species_compete_and_never_exceed_max_efficacy(debug_config):
    species = as_config(debug_config).pharmacology.species
    emax = species["allo"].delta_tonic.emax
    both = modulation_factor({"allo": 1e6, "thdoc": 1e6}, species, "delta_tonic")
    assert both == pytest.approx(1 + emax, rel=1e-4)  # saturating both: not 1 + 2 emax
    # at low concentrations effects are additive
    a = modulation_factor({"allo": 0.1}, species, "delta_tonic") - 1
    t = modulation_factor({"thdoc": 0.1}, species, "delta_tonic") - 1
    at = modulation_factor({"allo": 0.1, "thdoc": 0.1}, species, "delta_tonic") - 1
    assert at == pytest.approx(a + t, rel=1e-2)


def test_different_sites_multiply(debug_config):
    species = as_config(debug_config).pharmacology.species
    fa = modulation_factor({"allo": 30.0}, species, "delta_tonic")
    fp = modulation_factor({"pregs": 5000.0}, species, "delta_tonic")
    assert fp == pytest.approx(0.5)  # IC50 of PS
    assert modulation_factor({"allo": 30.0, "pregs": 5000.0}, species,
                             "delta_tonic") == pytest.approx(fa * fp)


def test_dose_response_of_tonic_and_decay_is_monotone(debug_config):
    g = [float(population_gaba_state(debug_config, {"allo": d}, "E")["g_tonic"])
         for d in ALLO_DOSES]
    tau = [float(population_gaba_state(debug_config, {"allo": d}, "E")["tau_gaba"])
           for d in ALLO_DOSES]
    assert np.all(np.diff(g) > 0) and np.all(np.diff(tau) > 0)


def test_delta_selectivity_matches_science_row_1(debug_config):
    """docs/science.md §10 row 1 (Stell 2003; Cooper 1999): 10-30 nM raise tonic strongly with
    little decay change; the gamma2 table (read in PV cells, sensitivity 1) prolongs decay
    25-50 % at 100 nM and x3-4 at 1-2 uM (cerebellar neurons); E cells, standing for
    cortical/CA1 principal cells, take the same prolongation (Belelli & Herd 2003: the
    dentate cells' resistance is their 3a-HSOR metabolism, not the receptor)."""
    def rel(conc, var, pop="E"):
        base = population_gaba_state(debug_config, {}, pop)
        return float(population_gaba_state(debug_config, {"allo": conc}, pop)[var] / base[var])

    for conc in (10.0, 30.0):
        assert rel(conc, "g_tonic") >= 1.8
        assert rel(conc, "tau_gaba") < 1.10
    assert 1.25 <= rel(100.0, "tau_gaba", "PV") <= 1.50
    assert 3.0 <= rel(1500.0, "tau_gaba", "PV") <= 4.0
    assert rel(100.0, "tau_gaba") == pytest.approx(rel(100.0, "tau_gaba", "PV"))
    assert rel(100.0, "gaba_scale") == pytest.approx(1.0)  # no amplitude change (Cooper 1999)


def test_delta_knockout_removes_tonic_and_its_steroid_effect(debug_config):
    c = copy.deepcopy(debug_config)
    c["receptors"]["populations"]["E"]["delta_expression"] = 0.0
    for d in ALLO_DOSES:
        assert float(population_gaba_state(c, {"allo": d}, "E")["g_tonic"]) == 0.0
    # synaptic (gamma2) effects are untouched by the delta knockout
    assert population_gaba_state(c, {"allo": 300.0}, "E")["tau_gaba"] == \
        population_gaba_state(debug_config, {"allo": 300.0}, "E")["tau_gaba"]


def test_tonic_formula_by_hand(debug_config):
    """g_tonic (outward direction) = g_max x delta x f(GABA) x [(1 - s)(1 + potentiation)
    + s (1 + alpha4beta2delta reduction)], s the alpha4 share; computed independently."""
    rp = debug_config["receptors"]["populations"]["E"]
    t = debug_config["receptors"]["tonic"]
    f = t["ambient_gaba_uM"] / (t["ambient_gaba_uM"] + t["gaba_ec50_uM"])  # hill 1
    h = debug_config["pharmacology"]["species"]["allo"]["delta_tonic"]
    pol = debug_config["receptors"]["alpha4_polarity"]
    pot = h["emax"] * 30.0 / (30.0 + h["ec50_nM"])
    x = pol["outward_potency"] * 30.0 / h["ec50_nM"]
    red = pol["outward_emax"] * x / (1 + x)
    s = rp["alpha4_share"] * rp["alpha4_expression"]
    g0 = rp["g_tonic_max_nS"] * rp["delta_expression"] * f * b2.nS
    got = population_gaba_state(debug_config, {"allo": 30.0}, "E")
    assert float(got["g_tonic"]) == pytest.approx(
        float(g0 * ((1 - s) * (1 + pot) + s * (1 + red))), rel=1e-12)
    assert float(got["g_a4_inward"]) == pytest.approx(float(g0 * s * (pot - red)), rel=1e-12)
    assert 0 < s < 1 and red < 0 < pot


def test_pv_tonic_is_insensitive_but_phasic_is_not(debug_config):
    """eNeuro 2023: 100 nM ALLO (in the bath: aqueous) prolongs PV sIPSCs but leaves their
    tonic current."""
    lo = {p: population_gaba_state(debug_config, {}, p) for p in ("E", "PV")}
    hi = {p: population_gaba_state(debug_config, {"allo": 100.0}, p) for p in ("E", "PV")}
    assert hi["PV"]["g_tonic"] / lo["PV"]["g_tonic"] < 1.25
    assert hi["E"]["g_tonic"] / lo["E"]["g_tonic"] > 2.0
    assert hi["PV"]["tau_gaba"] / lo["PV"]["tau_gaba"] > 1.25


def test_sulfated_steroids_inhibit_gabaa_and_potentiate_nmda(debug_config):
    s = population_gaba_state(debug_config, {"pregs": 30000.0}, "E")
    base = population_gaba_state(debug_config, {}, "E")
    assert s["gaba_scale"] < base["gaba_scale"] and s["g_tonic"] < base["g_tonic"]
    assert s["nmda_scale"] > 1.0


def test_the_network_sees_the_unbound_part_of_total_brain_levels(debug_config):
    """Brain levels are tissue totals; the receptor table's EC50s are aqueous: the network's
    receptor state for total levels C equals the in-vitro state at free_fraction x C,
    species by species (sims.fast.pharmacology.receptor_concentrations)."""
    c = copy.deepcopy(debug_config)
    species = c["pharmacology"]["species"]
    for k in ("allo", "thdoc"):
        species[k]["free_fraction_brain"] = 0.015  # the pharmacokinetic estimate
    brain = {"allo": 150.0, "thdoc": 20.0, "pregs": 10.0}
    free = receptor_concentrations(as_config(c).pharmacology.species, brain)
    assert free == {k: species[k]["free_fraction_brain"] * v for k, v in brain.items()}
    assert free["allo"] == pytest.approx(150.0 * 0.015) and free["pregs"] == 10.0
    net = network_gaba_state(c, brain)
    for pop in c["network"]["populations"]:
        direct = population_gaba_state(c, free, pop)
        for var, val in direct.items():
            assert float(net[pop][var]) == float(val)
    # brexanolone-like 150 nM total: the tonic conductance rises, but far from 150 nM in vitro
    ratio = net["E"]["g_tonic"] / network_gaba_state(c, {})["E"]["g_tonic"]
    in_vitro = population_gaba_state(c, {"allo": 150.0}, "E")["g_tonic"] / \
        population_gaba_state(c, {}, "E")["g_tonic"]
    assert 1.05 < float(ratio) < 1.5 < float(in_vitro)
    # the default (1: totals) leaves the brain level as it is
    assert receptor_concentrations(as_config(debug_config).pharmacology.species,
                                   brain) == brain
