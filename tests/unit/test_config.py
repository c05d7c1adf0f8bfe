"""Bad input is rejected before anything compiles, naming key, value and what is allowed."""

from __future__ import annotations

import copy

import pytest
from hydra.errors import ConfigCompositionException, HydraException
from omegaconf.errors import OmegaConfBaseException

from sims.config import ConfigError, compose, validate


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
    (lambda c: c["network"]["connections"].update(E_to_VIP=dict(
        c["network"]["connections"]["E_to_E"])), "network.connections.E_to_VIP", "PRE_to_POST"),
    (lambda c: c["receptors"]["gaba_a"].update(tau_decay_ms=0.0),
     "receptors.gaba_a.tau_decay_ms", "> 0"),
    (lambda c: c["pharmacology"]["species"]["allo"]["delta_tonic"].update(emax=-2.0),
     "pharmacology.species.allo.delta_tonic.emax", ">= -1"),
    (lambda c: c["backend"].update(name="gpu"), "backend.name", "cpp_standalone"),
    (lambda c: c["probe"].update(window_ms=100.05), "probe.window_ms", "multiple"),
])
def test_bad_values_name_key_value_and_allowed(debug_config, mutate, key, allowed):
    c = copy.deepcopy(debug_config)
    mutate(c)
    e = _err(c)
    assert e.key == key
    assert allowed in str(e) and key in str(e) and repr(e.value) in str(e)


@pytest.mark.parametrize("override", [
    "+no_such_key=1",                          # unknown key
    "network.populations.E.no_such_param=1",   # unknown key in a typed schema
    "receptors.gaba_a.tau_decay_ms=8ms",       # a unit where a number in ms is expected
    "seed=abc",
    "sim=no_such_sim",
])
def test_bad_overrides_fail_before_running(override):
    errors = (ConfigError, ConfigCompositionException, HydraException, OmegaConfBaseException)
    with pytest.raises(errors) as info:
        validate(compose([override]))
    assert override.split("=")[0].lstrip("+").split(".")[-1] in str(info.value) or \
        override.split("=")[1] in str(info.value)


def test_every_group_option_composes_and_validates():
    for ov in ([], ["sim=debug"], ["steroids=none", "coupling=network_only"], ["backend=runtime"],
               ["coupling=slow_only"], ["inflammation=off"]):
        validate(compose(ov))
