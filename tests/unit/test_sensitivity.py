"""The sensitivity pipeline (sims.calibration.sensitivity: sample -> values -> analyze)
on analytic functions with known indices."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sims.calibration.sensitivity import analyze, sample, to_values
from sims.calibration.spec import Parameter

PI = math.pi


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_indices_of_the_ishigami_function():
    """Known values (Ishigami & Homma 1990; a = 7, b = 0.1): S1 = 0.314, 0.442, 0;
    ST = 0.558, 0.442, 0.244."""
    params = [Parameter(f"x{i}", -PI, PI, label=f"x{i}") for i in (1, 2, 3)]
    unit = sample(params, "sobol", 4096, seed=1)
    y = ishigami(to_values(params, unit))
    r = analyze(params, "sobol", unit, y, seed=1)
    assert r["S1"] == pytest.approx([0.314, 0.442, 0.0], abs=0.03)
    assert r["ST"] == pytest.approx([0.558, 0.442, 0.244], abs=0.03)
    assert np.all(r["S1_conf"] > 0) and np.all(r["S1_conf"] < 0.1)


def test_morris_ranks_a_linear_function_by_its_coefficients_on_log_scales():
    """y = 3 u1 + 1 u2 + 0 u3 in the parameters' unit scale (log for the first): mu* is
    the coefficient over the grid step (elementary effects of a linear function are exact)."""
    params = [Parameter("a", 1.0, 100.0, log=True, label="a"),
              Parameter("b", 0.0, 1.0, label="b"), Parameter("c", 0.0, 1.0, label="c")]
    unit = sample(params, "morris", 10, seed=3, num_levels=4)
    v = to_values(params, unit)
    assert np.allclose(np.log10(v[:, 0]) / 2, unit[:, 0])  # log-uniform mapping
    y = 3 * (np.log10(v[:, 0]) / 2) + v[:, 1]
    r = analyze(params, "morris", unit, y, seed=3, num_levels=4)
    assert r["mu_star"] == pytest.approx([3.0, 1.0, 0.0], abs=1e-9)
    assert r["sigma"] == pytest.approx([0.0, 0.0, 0.0], abs=1e-9)


def test_non_finite_outcomes_are_refused():
    params = [Parameter("a", 0.0, 1.0, label="a"), Parameter("b", 0.0, 1.0, label="b")]
    unit = sample(params, "morris", 2, seed=0)
    y = unit[:, 0].copy()
    y[0] = np.nan
    with pytest.raises(ValueError, match="not finite"):
        analyze(params, "morris", unit, y, seed=0)
