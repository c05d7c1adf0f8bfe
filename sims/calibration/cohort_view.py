"""Cohort experiments of the target table: a named cohort, run slow-only, seen as a
between-person distribution at one time.

A target on a cohort experiment (``targets.experiments.<name>.cohort: NAME`` and ``n``)
reads the individuals of the cohort's first arm: ``spread`` is the between-person SD (or
CV) of a slow variable at one time, ``prevalence`` the fraction of individuals who are
cases by one of the cohort's outcomes (its ``threshold``). The cohort runs in a temporary
folder with the engine of ``allonet +cohort=NAME`` (sims.cohort.engine), so its
individuals are exactly those of that command at the same seed and ``cohort.n``.
"""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import numpy as np
from omegaconf import OmegaConf, open_dict

from sims.calibration import statistics as st
from sims.cohort.engine import run_cohort_job
from sims.config import compose_config, validate
from sims.configuration.roles import ANALYSIS_RUN_NODES
from sims.errors import ConfigError

#: statistic kinds that read a cohort (and only these do)
COHORT_KINDS = ("spread", "prevalence")
SPREAD_HOW = ("sd", "cv")


@dataclass
class CohortView:
    """The first arm of a cohort run: per-individual slow variables and outcome cases."""

    time_h: np.ndarray
    values: dict[str, np.ndarray] = field(default_factory=dict)  # [individual, time]
    cases: dict[str, np.ndarray] = field(default_factory=dict)  # [individual]: 1, 0, NaN

    def at(self, var: str, t_h: float) -> np.ndarray:
        """Each individual's value of ``var`` at ``t_h`` (linear interpolation)."""
        if var not in self.values:
            raise st.StatisticError(f"the cohort recorded no slow variable {var!r}")
        t = self.time_h
        if not t[0] - 1e-9 <= t_h <= t[-1] + 1e-9:
            raise st.StatisticError(f"{t_h:g} h is outside the cohort's record "
                                    f"({t[0]:g}-{t[-1]:g} h)")
        return np.array([np.interp(t_h, t, row) for row in self.values[var]])


def spread(view: CohortView, var: str, t_h: float, how: str = "sd") -> float:
    """Between-person SD (ddof 1) of ``var`` at ``t_h``, or its CV (SD / mean)."""
    x = view.at(var, t_h)
    x = x[np.isfinite(x)]
    if len(x) < 2:
        raise st.StatisticError("a spread needs at least 2 individuals with values")
    sd = float(np.std(x, ddof=1))
    if how == "cv":
        m = float(np.mean(x))
        if m == 0:
            raise st.StatisticError("the CV's mean is 0")
        return sd / m
    return sd


def prevalence(view: CohortView, outcome: str) -> float:
    """Fraction of individuals who are cases by the cohort outcome ``outcome``."""
    if outcome not in view.cases:
        raise st.StatisticError(f"the cohort has no binary outcome {outcome!r} (one with a "
                                f"threshold: {sorted(view.cases) or 'none'})")
    c = view.cases[outcome]
    c = c[np.isfinite(c)]
    if not len(c):
        raise st.StatisticError(f"no individual has a value of outcome {outcome!r}")
    return float(np.mean(c))


def cohort_config(base_overrides: Sequence[str], cohort: str, n: int,
                  variables: Sequence[str], params: Mapping[str, float] | None = None
                  ) -> tuple[dict, list[str]]:
    """The validated config of a cohort experiment: the named cohort, ``n`` individuals,
    slow only, its first arm only, recording ``variables`` (besides its own)."""
    ov = [*base_overrides, f"+cohort={cohort}", f"cohort.n={n}", "coupling=slow_only",
          "coupling.progress=false"]
    cfg = compose_config(ov)
    for k, v in (params or {}).items():
        if OmegaConf.select(cfg, k, default=None, throw_on_missing=False) is not None:
            OmegaConf.update(cfg, k, v, merge=False)
    with open_dict(cfg):
        for node in ANALYSIS_RUN_NODES:
            cfg.pop(node, None)
        arms = OmegaConf.to_container(cfg.cohort.arms, resolve=True) or {"reference": []}
        first = next(iter(arms))
        cfg.cohort.arms = {first: arms[first]}
        rec = OmegaConf.to_container(cfg.cohort.record, resolve=True) or {}
        rec["variables"] = sorted(set(rec.get("variables") or []) | set(variables))
        cfg.cohort.record = rec
        cfg.cohort.probe_times_h = []
    return validate(cfg), ov


def run_cohort_view(base_overrides: Sequence[str], cohort: str, n: int,
                    variables: Sequence[str], params: Mapping[str, float] | None = None
                    ) -> CohortView:
    """Run the cohort experiment (slow only, in a temporary folder) and read it back."""

    c, ov = cohort_config(base_overrides, cohort, n, variables, params)
    with tempfile.TemporaryDirectory(prefix="allonet-cohort-target-") as tmp:
        run_cohort_job(copy.deepcopy(c), tmp, ov)
        with h5py.File(Path(tmp) / "cohort.h5", "r") as f:
            t = f["slow/time"][()] / 3600.0
            values = {v: f[f"slow/{v}"][0] for v in variables if f"slow/{v}" in f}
            cases = {k[:-5]: f[f"outcomes/{k}"][0].astype(float) for k in f["outcomes"]
                     if k.endswith("_case")} if "outcomes" in f else {}
    return CohortView(t, values, cases)


def check_cohort_statistic(stat: Mapping[str, Any], key: str, is_cohort: bool) -> None:
    """A cohort statistic on a cohort experiment, and only there (its variable and time
    are checked with the single-run ones, ``sims.calibration.targets.check_statistic``).

    Raises:
        ConfigError: naming the key, the value and what is allowed.
    """
    kind = stat.get("kind")
    if kind not in COHORT_KINDS:
        if is_cohort:
            raise ConfigError(f"{key}.kind", kind, f"one of {COHORT_KINDS} (the experiment is "
                              "a cohort: its statistics read the individuals at one time)")
        return
    if not is_cohort:
        raise ConfigError(f"{key}.kind", kind, "a statistic of one run (this experiment "
                          "has no cohort: give it cohort: NAME and n)")
    if stat.get("relative_to") is not None:
        raise ConfigError(f"{key}.relative_to", stat["relative_to"],
                          "none: a cohort statistic reads run times (at_h or at_day)")
    if kind == "prevalence":
        out = stat.get("outcome")
        if not (isinstance(out, str) and out):
            raise ConfigError(f"{key}.outcome", out, "the name of one of the cohort's "
                              "outcomes that has a threshold")
        return
    how = stat.get("how", "sd")
    if how not in SPREAD_HOW:
        raise ConfigError(f"{key}.how", how, f"one of {SPREAD_HOW}")


__all__ = ["COHORT_KINDS", "CohortView", "check_cohort_statistic", "cohort_config",
           "prevalence", "run_cohort_view", "spread"]
