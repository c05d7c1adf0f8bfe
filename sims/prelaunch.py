"""Checks of a job's analysis nodes cheap enough to run for every job of a sweep before
any is launched (``hydra_plugins.allonet_sweeper.check_jobs``), after
``sims.config.validate``: a cohort's node (n, shards, block size, parameters, arms'
form, outcomes, probe times' form) and a study's (design, arms, visits, samples,
endpoints, measurement model). What needs the composed arms or the slow model (arm
overrides, visit times) is checked again, in full, by each job before it runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sims.cohort.engine import slow_variable_names
from sims.cohort.spec import parse_cohort
from sims.errors import require
from sims.study.measurement import parse_measurement


def check(c: Mapping[str, Any]) -> None:
    """Parse the cohort and study nodes of a validated config.

    Raises:
        ConfigError: naming the key, the value and what is allowed.
    """
    if c.get("cohort"):

        parse_cohort(c, slow_variable_names(c))
    if c.get("study"):
        from sims.study.engine import readout_names
        from sims.study.spec import parse_study

        require(c.get("measurement") is not None, "measurement", None,
                "a measurement model (- /measurement: default in the study file)")
        parse_measurement(c["measurement"])
        outcomes = list((c.get("cohort") or {}).get("outcomes") or {})
        parse_study(c["study"], readout_names(c), outcomes)


__all__ = ["check"]
