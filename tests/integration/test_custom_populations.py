"""A network whose populations have other names: the per-population sections the user did
not touch apply to the populations that exist; explicit references to missing ones are
refused by name."""

from __future__ import annotations

import copy

import pytest

from sims.config import ConfigError, compose, connection_ends, validate

RENAME = {"E": "Pyr", "PV": "Basket", "SST": "Martinotti", "PVN": "CRH"}


def _renamed(c: dict) -> dict:
    c = copy.deepcopy(c)
    net, rec = c["network"], c["receptors"]
    net["populations"] = {RENAME[k]: v for k, v in net["populations"].items()}
    rec["populations"] = {RENAME[k]: v for k, v in rec["populations"].items()}
    conns = {}
    for v in net["connections"].values():
        v["pre"], v["post"] = RENAME[v["pre"]], RENAME[v["post"]]
        conns[f"{v['pre']}_to_{v['post']}"] = v
    net["connections"] = conns
    net["lfp_population"] = RENAME[net["lfp_population"]]
    return c


def test_connection_ends_from_fields_or_key():
    assert connection_ends("A_to_B", {}) == ("A", "B")
    assert connection_ends("feedback", {"pre": "A", "post": "B"}) == ("A", "B")
    assert connection_ends("A_to_B", {"pre": "C", "post": "D"}) == ("C", "D")
    assert connection_ends("feedback", {}) == ("", "")


def test_renamed_network_validates_with_sections_it_does_not_name(debug_config):
    c = validate(_renamed(debug_config))
    pops = set(c["network"]["populations"])
    for section in (c["sleep"]["nrem"], c["chloride"]["populations"]):
        assert set(section) <= pops
    # not listed in homeostasis.populations: fixed expression
    assert set(c["homeostasis"]["populations"]) == pops
    assert all(c["homeostasis"]["populations"][p]["delta"] == 0 for p in pops)


def test_renamed_network_runs_like_the_original(debug_config):
    """Names are labels: the same network under other names runs at the original's rate
    (within realisation noise: Brian2 orders its random draws by object name)."""
    from sims.simulate import simulate

    base = validate(compose(["sim=debug", "coupling=network_only", "seed_mode=shared"]))
    a = simulate(copy.deepcopy(base)).groups["probes"]
    b = simulate(_renamed(base)).groups["probes"]
    i = [str(x) for x in a["population"].data].index("E")
    j = [str(x) for x in b["population"].data].index("Pyr")
    ra, rb = a["rate"].data[0], b["rate"].data[0]
    assert ra[i] == pytest.approx(rb[j], rel=0.5) and rb[j] > 0


@pytest.mark.parametrize("mutate, key", [
    (lambda c: c["sleep"]["nrem"].update(CA1=dict(c["sleep"]["nrem"]["Pyr"])),
     "sleep.nrem.CA1"),
    (lambda c: c["network"]["connections"]["Pyr_to_Pyr"].update(pre="E"),
     "network.connections.Pyr_to_Pyr.pre"),
    (lambda c: c["network"].update(lfp_population="E"), "network.lfp_population"),
    (lambda c: c["network"]["connections"].update(
        loop=dict(c["network"]["connections"]["Pyr_to_Pyr"], pre="", post="")),
     "network.connections.loop"),
])
def test_explicit_references_to_missing_populations_are_refused(debug_config, mutate, key):
    c = validate(_renamed(debug_config))
    c["sleep"]["nrem"]["Pyr"] = dict(debug_config["sleep"]["nrem"]["E"])
    mutate(c)
    with pytest.raises(ConfigError) as e:
        validate(c)
    assert e.value.key == key


def test_a_key_that_names_other_populations_than_its_fields_is_refused(debug_config):
    c = copy.deepcopy(debug_config)
    c["network"]["connections"]["E_to_PV"]["pre"] = "PV"
    with pytest.raises(ConfigError) as e:
        validate(c)
    assert e.value.key == "network.connections.E_to_PV.pre"
