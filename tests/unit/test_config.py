"""Bad input is rejected before anything compiles, naming key, value and what is allowed."""

from __future__ import annotations

import copy

import pytest
import yaml
from hydra.errors import ConfigCompositionException, MissingConfigException

from sims.config import CONFIG_DIR, ConfigError, compose, validate
from sims.seeds import flatten


def _err(c: dict) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        validate(c)
    return info.value


@pytest.mark.parametrize("mutate, key, allowed", [
    (lambda c: c["steroids"]["brain_nM"].update(allo=-5.0), "steroids.brain_nM.allo", ">= 0"),
    (lambda c: c["receptors"]["populations"]["E"].update(g_tonic_max_nS=-1.0),
     "receptors.populations.E.g_tonic_max_nS", ">= 0"),
    (lambda c: c["network"]["connections"]["E_to_E"].update(p=1.5),
     "network.connections.E_to_E.p", "[0, 1]"),
    (lambda c: c["steroids"]["brain_nM"].update(cortisone=1.0),
     "steroids.brain_nM.cortisone", "pharmacology table"),
    (lambda c: c.update(seed=-1), "seed", "[0, 2147483647]"),
    (lambda c: c["network"]["populations"]["E"].update(kind="glia"),
     "network.populations.E.kind", "exc"),
    (lambda c: c["network"]["connections"].update(E_to_VIP={  # its populations from its key
        k: v for k, v in c["network"]["connections"]["E_to_E"].items()
        if k not in ("pre", "post")}), "network.connections.E_to_VIP", "PRE_to_POST"),
    (lambda c: c["receptors"]["gaba_a"].update(tau_decay_ms=0.0),
     "receptors.gaba_a.tau_decay_ms", "> 0"),
    (lambda c: c["pharmacology"]["species"]["allo"]["delta_tonic"].update(emax=-2.0),
     "pharmacology.species.allo.delta_tonic.emax", ">= -1"),
    (lambda c: c["backend"].update(name="gpu"), "backend.name", "cpp_standalone"),
    (lambda c: c["probe"].update(window_ms=100.05), "probe.window_ms", "multiple"),
    # absurd magnitudes: physical bounds, refused before anything is built
    (lambda c: c["steroids"]["brain_nM"].update(allo=1e30), "steroids.brain_nM.allo",
     "<= 1e+06 nM"),
    (lambda c: c["receptors"]["tonic"].update(ambient_gaba_uM=5e3),
     "receptors.tonic.ambient_gaba_uM", "<= 1000 uM"),
    (lambda c: c["receptors"]["nmda"].update(mg_mM=5e3), "receptors.nmda.mg_mM",
     "<= 1000 mM"),
    (lambda c: c["network"]["populations"]["E"].update(n=200_000_000),
     "network.populations.E.n", "fits this machine"),
])
def test_bad_values_name_key_value_and_allowed(debug_config, mutate, key, allowed):
    c = copy.deepcopy(debug_config)
    mutate(c)
    e = _err(c)
    assert e.key == key
    assert allowed in str(e) and key in str(e) and repr(e.value) in str(e)


@pytest.mark.parametrize("override, error, key", [
    ("+no_such_key=1", ConfigError, "no_such_key"),  # validate: unknown root key
    ("+network.populations.E.no_such_param=1", ConfigError,
     "network.populations.E.no_such_param"),  # validate: unknown key in a typed entry
    ("network.populations.E.no_such_param=1", ConfigCompositionException,
     "network.populations.E.no_such_param"),  # Hydra: not in the composed config
    ("receptors.gaba_a.tau_decay_ms=8ms", ConfigCompositionException,
     "receptors.gaba_a.tau_decay_ms"),  # a unit where a number in ms is expected
    ("seed=abc", ConfigCompositionException, "seed"),
    ("sim=no_such_sim", MissingConfigException, "no_such_sim"),
])
def test_bad_overrides_fail_before_running(override, error, key):
    with pytest.raises(error) as info:
        validate(compose([override]))
    text = str(info.value) + str(info.value.__cause__ or "")
    assert key in text
    if error is ConfigError:
        assert info.value.key == key


def _group_options() -> list[tuple[str, str]]:
    return [(d.name, f.stem) for d in sorted(CONFIG_DIR.iterdir())
            if d.is_dir() and d.name not in ("experiment",)
            for f in sorted(d.glob("*.yaml"))]


#: Groups that are not in the defaults list: selected with ``+group=option``.
OPTIONAL_GROUPS = ("targets", "calibration", "sensitivity", "uncertainty", "cohort", "study",
                   "measurement")
#: Options that only validate together with another choice (said in their files).
COMPANIONS = {("homeostasis", "activity"): ["coupling=closed"]}


@pytest.mark.integration  # composes every option of every group (~1 s each)
@pytest.mark.parametrize("group, option", _group_options())
def test_every_option_of_every_group_composes_and_validates_with_its_values(group, option):
    """The option's own values (its YAML, at its package) are what validation returns."""
    plus = "+" if group in OPTIONAL_GROUPS else ""
    c = validate(compose([f"{plus}{group}={option}", *COMPANIONS.get((group, option), [])]))
    text = (CONFIG_DIR / group / f"{option}.yaml").read_text()
    own = yaml.safe_load(text) or {}
    own.pop("defaults", None)
    if group == "treatment":  # one entry per selected treatment; validated flat, named
        own = {"name": option, **(own.get(option) or {})}
    if "@package _global_" not in text:
        own = {group: own}
    flat, got = flatten(own), flatten(c)
    assert flat, f"{group}/{option} sets no value"
    for key, value in flat.items():
        if key.startswith("hydra.") or (isinstance(value, str) and "${" in value):
            continue  # Hydra's own settings; interpolations (resolved in got)
        assert key in got, key
        if isinstance(value, int | float) and not isinstance(value, bool):
            assert got[key] == pytest.approx(value), key
        else:
            assert got[key] == value, key


def test_every_group_is_covered():
    groups = {g for g, _ in _group_options()}
    assert groups >= {"network", "receptors", "pharmacology", "steroids", "scenario",
                      "treatment", "hpa", "inflammation", "homeostasis", "coupling",
                      "backend", "sim"}
    assert len(_group_options()) >= 30


def test_network_memory_estimate_against_a_hand_count(debug_config):
    """Neurons x bytes plus expected synapses (p N_pre N_post) x bytes, split between the
    two populations of each connection; the default network is far below any machine."""
    from sims.config import NEURON_BYTES, SYNAPSE_BYTES, network_memory_bytes

    net = {"populations": {"A": {"n": 100}, "B": {"n": 10}},
           "connections": {"A_to_B": {"p": 0.5}, "B_to_B": {"p": 1.0}}}
    total, parts = network_memory_bytes(net)
    syn_ab, syn_bb = 0.5 * 100 * 10 * SYNAPSE_BYTES, 1.0 * 10 * 10 * SYNAPSE_BYTES
    assert parts["A"] == pytest.approx(100 * NEURON_BYTES + syn_ab / 2)
    assert parts["B"] == pytest.approx(10 * NEURON_BYTES + syn_ab / 2 + syn_bb)
    assert total == pytest.approx(110 * NEURON_BYTES + syn_ab + syn_bb)
    assert network_memory_bytes(debug_config["network"])[0] < 2**30


def test_the_memory_bound_follows_the_machine(debug_config, monkeypatch):
    """A network that fits a large machine is refused on a small one, by population."""
    import sims.machine

    c = copy.deepcopy(debug_config)
    validate(c)  # fits here
    monkeypatch.setattr(sims.machine, "total_memory", lambda: 2**20)  # a 1 MiB machine
    e = _err(copy.deepcopy(debug_config))
    assert e.key == "network.populations.E.n" and "fits this machine" in str(e)
