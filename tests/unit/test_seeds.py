"""Job seeds derive from the master seed and the job's resolved scientific values."""

from __future__ import annotations

import numpy as np
import pytest

from sims.config import ConfigError, compose, validate
from sims.seeds import (
    base_config,
    canonical,
    derive_seed,
    job_seed,
    science_values,
    spawn_seeds,
)


def seed_of(*overrides: str) -> int:
    return job_seed(validate(compose(list(overrides))))


def test_equivalent_spellings_give_the_same_seed():
    a = seed_of("steroids.brain_nM.allo=3")
    assert a == seed_of("steroids.brain_nM.allo=3.0") == seed_of("steroids.brain_nM.allo=3.00")
    assert a == seed_of("++steroids.brain_nM.allo=3")
    assert 0 <= a < 2**31


def test_a_default_passed_explicitly_changes_nothing():
    default = base_config()["steroids"]["brain_nM"]["allo"]
    assert seed_of(f"steroids.brain_nM.allo={default}") == seed_of()
    assert seed_of("scenario=baseline", "treatment=none") == seed_of()


def test_a_value_from_an_experiment_file_equals_the_same_value_on_the_command_line():
    """quick_grid's YAML selects sim=debug and coupling=network_only."""
    from_yaml = seed_of("+experiment=quick_grid", "steroids.brain_nM.allo=3.0",
                        "receptors.populations.E.delta_expression=0.5")
    from_cli = seed_of("sim=debug", "coupling=network_only", "steroids.brain_nM.allo=3",
                       "receptors.populations.E.delta_expression=0.50")
    assert from_yaml == from_cli


def test_different_values_and_master_seeds_give_different_seeds():
    seeds = {seed_of(f"seed={m}", f"steroids.brain_nM.allo={x}") for m in (1, 2)
             for x in (3, 30)}
    assert len(seeds) == 4
    assert seed_of("scenario=menstrual") != seed_of("scenario=pmdd")


def test_execution_keys_do_not_enter_the_seed():
    assert seed_of("coupling.workers=2", "backend=runtime", "output.save_spikes=false",
                   "coupling.progress=false") == seed_of()


def test_shared_mode_uses_the_master_seed():
    assert seed_of("seed=77", "seed_mode=shared", "steroids.brain_nM.allo=3") == 77


def test_the_rule_is_order_free_and_canonical():
    assert canonical(3) == canonical(3.0) == canonical(np.float32(3.0)) == "3.0"
    assert canonical(True) is True and canonical("x") == "x"
    base = {"a": {"x": 1.0, "y": [1, 2]}, "seed": 5, "output": {"f": "a"}}
    job = {"a": {"x": 1, "y": [1, 3]}, "seed": 6, "output": {"f": "b"}}
    assert science_values(job, base) == {"a.y[1]": "3.0"}
    assert derive_seed(1, {"p": "1.0", "q": "2.0"}) == derive_seed(1, {"q": "2.0", "p": "1.0"})


def test_spawned_streams_are_independent_and_reproducible():
    a, b = spawn_seeds(1234, 5), spawn_seeds(1234, 5)
    assert a == b and len(set(a)) == 5 and all(0 <= s < 2**31 for s in a)
    assert spawn_seeds(1234, 7)[:5] == a  # child k does not depend on how many are spawned


def test_bad_seed_mode_is_named():
    with pytest.raises(ConfigError, match="seed_mode.*per_job"):
        validate(compose(["seed_mode=random"]))
