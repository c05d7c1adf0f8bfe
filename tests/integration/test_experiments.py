"""Every named experiment composes, documents itself, and every swept value validates."""

from __future__ import annotations

import itertools
import re

import pytest
from hydra import compose as hydra_compose
from hydra import initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

from sims.config import CONFIG_DIR, compose, register_configs, validate
from sims.sweep import count_jobs

EXPERIMENTS = sorted(p.stem for p in (CONFIG_DIR / "experiment").glob("*.yaml"))


def sweep_params(name: str) -> dict[str, str]:
    register_configs()
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = hydra_compose("config", overrides=[f"+experiment={name}"], return_hydra_config=True)
    return {k: str(v) for k, v in cfg.hydra.sweeper.params.items()}


def test_the_named_experiments_exist():
    assert {"quick_grid", "withdrawal_grid", "stress_hpa_grid", "pmdd_sensitivity",
            "perimenopause_seeds", "dose_response"} <= set(EXPERIMENTS)


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_experiment_header_and_every_swept_value_validates(name):
    text = (CONFIG_DIR / "experiment" / f"{name}.yaml").read_text()
    assert text.startswith("# @package _global_")
    assert "Question" in text and re.search(r"(Runs in|Time on 2 cores)", text), \
        "the header must state its question and its time on 2 cores"
    params = sweep_params(name)
    assert params, "an experiment sweeps something"
    values = {}
    for key, spec in params.items():
        m = re.fullmatch(r"range\((\d+),\s*(\d+)\)", spec)
        values[key] = [str(v) for v in range(int(m[1]), int(m[2]))] if m else spec.split(",")
    jobs = list(itertools.product(*([f"{k}={v}" for v in vals] for k, vals in values.items())))
    assert len(jobs) == count_jobs([], params)
    # every value of every parameter at least once (the values are checked one by one, so
    # this covers the grid): a bad value fails here, not hours into a sweep
    n = max(len(v) for v in values.values())
    for i in range(n):
        job = [f"{k}={vals[i % len(vals)]}" for k, vals in values.items()]
        validate(compose([f"+experiment={name}", *job]))
