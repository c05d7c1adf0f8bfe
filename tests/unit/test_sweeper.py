"""allonet's sweeper composes one representative job per distinct shape and validates the
values of every job before launching.

Hydra's plugin scanner re-executes plugin modules (and its own core plugins), so the
classes are taken from the scanned modules, as Hydra itself does, not imported at
collection time.
"""

from __future__ import annotations

import sys

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.core.plugins import Plugins
from hydra.plugins.sweeper import Sweeper

from sims.config import CONFIG_DIR, ConfigError, register_configs, register_resolvers

GROUPS = {"network", "scenario", "treatment", "hydra/launcher", "experiment", "sim",
          "coupling"}


def _plugin_module():
    cls = next(p for p in Plugins.instance().discover(Sweeper) if p.__name__ == "AllonetSweeper")
    return sys.modules[cls.__module__]


def test_values_of_keys_do_not_change_the_shape_group_choices_do():
    job_shape = _plugin_module().job_shape
    a = job_shape(["steroids.brain_nM.allo=3", "treatment=none"], GROUPS)
    b = job_shape(["treatment=none", "steroids.brain_nM.allo=30"], GROUPS)
    c = job_shape(["steroids.brain_nM.allo=3", "treatment=zuranolone"], GROUPS)
    assert a == b != c
    assert job_shape(["+experiment=quick_grid"], GROUPS) != job_shape(["+experiment=x"], GROUPS)
    assert job_shape(["seed=1"], GROUPS) == job_shape(["seed=2"], GROUPS)


def _composed(overrides):
    """The composed config of a job, with its ``hydra`` node, as Hydra's loader gives it."""
    register_configs()
    register_resolvers()
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose("config", overrides=list(overrides), return_hydra_config=True)


class _Loader:
    """Stands in for Hydra's config loader: composes for real, counts compositions."""

    def __init__(self):
        self.composed = []

    def load_sweep_config(self, master_config, sweep_overrides):
        self.composed.append(list(sweep_overrides))
        return _composed(sweep_overrides)


def _sweeper():
    sweeper = _plugin_module().AllonetSweeper()

    class _Cfg:  # what validate_batch_is_legal reads of the master config
        class hydra:  # noqa: N801
            class runtime:  # noqa: N801
                choices = dict.fromkeys(GROUPS, "x")

    class _Context:
        config_loader = _Loader()

    sweeper.config, sweeper.hydra_context = _Cfg(), _Context()
    return sweeper, _Context.config_loader


def test_one_composition_per_shape_and_every_job_validated():
    sweeper, loader = _sweeper()
    batch = [[f"steroids.brain_nM.allo={a}", f"treatment={t}", "sim=debug"]
             for a in (1, 3, 10, 30) for t in ("none", "brexanolone")]
    sweeper.validate_batch_is_legal(batch)
    assert len(loader.composed) == 2  # one per treatment, not 8
    assert {j[1] for j in loader.composed} == {"treatment=none", "treatment=brexanolone"}


@pytest.mark.parametrize("values, bad", [
    ("1,3,-2", "steroids.brain_nM.allo=-2"),  # a value the schema rules out
    ("1,1e6,3", None),  # large is fine
])
def test_a_bad_value_in_any_job_is_found_before_launch(values, bad):
    sweeper, loader = _sweeper()
    batch = [[f"steroids.brain_nM.allo={v}", "sim=debug"] for v in values.split(",")]
    if bad is None:
        sweeper.validate_batch_is_legal(batch)
        return
    with pytest.raises(ConfigError) as info:
        sweeper.validate_batch_is_legal(batch)
    assert info.value.key == "steroids.brain_nM.allo" and bad in str(info.value)
    assert len(loader.composed) == 1  # found without composing the bad job


def test_added_keys_are_reapplied_to_the_representative():
    """``+key=value`` jobs of one shape: the representative holds the key already."""
    sweeper, _ = _sweeper()
    batch = [["+network.connections.PV_to_SST={p:0.1,g_nS:1.0}", f"seed={s}", "sim=debug"]
             for s in (1, 2)]
    sweeper.validate_batch_is_legal(batch)
    bad = [["+network.connections.PV_to_SST={p:0.1,g_nS:1.0}", "seed=1", "sim=debug"],
           ["+network.connections.PV_to_SST={p:2.0,g_nS:1.0}", "seed=2", "sim=debug"]]
    with pytest.raises(ConfigError, match=r"network\.connections\.PV_to_SST\.p"):
        sweeper.validate_batch_is_legal(bad)


def test_jobs_are_validated_with_their_own_hydra_values():
    """``${hydra:job.num}`` in a value (a build cache per job, say) resolves as the launcher
    will resolve it; the sweeper's own HydraConfig is left as it was."""
    from hydra.core.hydra_config import HydraConfig

    sweeper, _ = _sweeper()
    before = HydraConfig.instance().cfg
    batch = [[f"steroids.brain_nM.allo={a}", "sim=debug",
              "backend.cache_dir=/tmp/allonet-cache/${hydra:job.num}"] for a in (1, 3)]
    sweeper.validate_batch_is_legal(batch)
    assert HydraConfig.instance().cfg is before
