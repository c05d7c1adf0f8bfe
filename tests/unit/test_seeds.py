"""Job seeds: derived from the master seed and the job's scientific overrides."""

from __future__ import annotations

import pytest

from sims.config import ConfigError, compose, validate
from sims.seeds import derive_seed, job_seed, science_overrides


def test_derived_seed_is_order_free_and_ignores_execution_keys():
    a = derive_seed(1234, ["steroids.brain_nM.allo=3", "scenario=menstrual"])
    b = derive_seed(1234, ["scenario=menstrual", "+steroids.brain_nM.allo=3",
                           "backend=runtime", "hydra/launcher=joblib", "output.save_spikes=false",
                           "coupling.workers=2", "seed_mode=per_job"])
    assert a == b
    assert 0 <= a < 2**31


def test_derived_seed_differs_between_jobs_and_master_seeds():
    seeds = {derive_seed(m, [f"steroids.brain_nM.allo={x}"]) for m in (1, 2) for x in (3, 30)}
    assert len(seeds) == 4
    assert derive_seed(1, ["seed=1"]) != derive_seed(2, ["seed=2"])  # a sweep over seed=


def test_science_overrides_keep_scientific_keys_only():
    assert science_overrides(["seed=3", "hpa.k_stress=2", "backend.cache_dir=x",
                              "+experiment=quick_grid"]) == ["experiment=quick_grid",
                                                             "hpa.k_stress=2"]


def test_job_seed_modes():
    c = validate(compose(["seed=77"]))
    ov = ["steroids.brain_nM.allo=3"]
    assert job_seed(c, ov) == derive_seed(77, ov)
    c = validate(compose(["seed=77", "seed_mode=shared"]))
    assert job_seed(c, ["steroids.brain_nM.allo=3"]) == 77


def test_bad_seed_mode_is_named():
    with pytest.raises(ConfigError, match="seed_mode.*per_job"):
        validate(compose(["seed_mode=random"]))
