"""Cohort sampling (sims.cohort.sampling): marginals, the copula's correlation, quasi-random
methods, reproducibility from the seed, independence of sharding, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sims.cohort.sampling import (
    METHODS,
    individual_seed,
    overrides,
    parse_correlation,
    parse_marginals,
    sample,
)
from sims.errors import ConfigError

NODE = {
    "tau_up": {"key": "homeostasis.tau_up_days", "dist": "lognormal", "median": 0.75,
               "sigma_log": 0.4, "low": 0.2, "high": 4.0, "source": "x"},
    "r5a_tau": {"key": "steroids.kinetics.r5a_tau_days", "dist": "normal", "mean": 7.0,
                "sd": 2.0, "low": 1.0, "source": "x"},
    "gain": {"key": "homeostasis.alpha4_gain", "dist": "uniform", "low": 1.0, "high": 2.0,
             "source": "x"},
    "ratio": {"key": "steroids.kinetics.brain_plasma_ratio_allo", "dist": "loguniform",
              "low": 0.1, "high": 1.0, "source": "x"},
    "arm": {"key": "scenario.stress_allo_response", "dist": "categorical",
            "values": [0.5, 1.0], "probs": [0.3, 0.7], "source": "x"},
}


@pytest.mark.parametrize("method", METHODS)
def test_marginals_follow_their_distributions(method):
    ms = parse_marginals(NODE)
    v = sample(ms, 4096, 7, method)
    tau = v["homeostasis.tau_up_days"]
    assert np.median(tau) == pytest.approx(0.75, rel=0.03)
    assert tau.min() >= 0.2 and tau.max() <= 4.0
    r5a = v["steroids.kinetics.r5a_tau_days"]
    assert r5a.min() >= 1.0 and np.median(r5a) == pytest.approx(7.0, abs=0.1)
    g = v["homeostasis.alpha4_gain"]
    assert g.min() >= 1.0 and g.max() <= 2.0 and g.mean() == pytest.approx(1.5, abs=0.02)
    lr = np.log10(v["steroids.kinetics.brain_plasma_ratio_allo"])
    assert lr.mean() == pytest.approx(-0.5, abs=0.02)  # log-uniform on [0.1, 1]
    arm = v["scenario.stress_allo_response"]
    assert set(np.unique(arm)) == {0.5, 1.0}
    assert np.mean(arm == 0.5) == pytest.approx(0.3, abs=0.03)


def test_a_truncated_normal_has_the_truncated_mean():
    node = {"x": {"key": "a.b", "dist": "normal", "mean": 0.0, "sd": 1.0, "low": 0.0,
                  "source": "x"}}
    x = sample(parse_marginals(node), 20000, 3, "sobol")["a.b"]
    assert x.min() >= 0.0 and x.mean() == pytest.approx(math.sqrt(2 / math.pi), abs=0.01)


def test_the_configured_correlation_appears_in_the_samples():
    ms = parse_marginals(NODE)
    r = parse_correlation([["tau_up", "r5a_tau", 0.6], ["gain", "ratio", -0.4]], ms)
    v = sample(ms, 8000, 11, "random", r)
    rho_s = stats.spearmanr(v["homeostasis.tau_up_days"],
                            v["steroids.kinetics.r5a_tau_days"])[0]
    # Gaussian copula: Spearman's rho = (6/pi) asin(rho/2)
    assert rho_s == pytest.approx(6 / math.pi * math.asin(0.3), abs=0.03)
    rho_s2 = stats.spearmanr(v["homeostasis.alpha4_gain"],
                             v["steroids.kinetics.brain_plasma_ratio_allo"])[0]
    assert rho_s2 == pytest.approx(6 / math.pi * math.asin(-0.2), abs=0.03)
    independent = stats.spearmanr(v["homeostasis.tau_up_days"],
                                  v["homeostasis.alpha4_gain"])[0]
    assert abs(independent) < 0.04


@pytest.mark.parametrize("method", METHODS)
def test_sampling_is_reproducible_and_independent_of_sharding(method):
    ms = parse_marginals(NODE)
    r = parse_correlation([["tau_up", "r5a_tau", 0.5]], ms)
    whole = sample(ms, 200, 42, method, r)
    again = sample(ms, 200, 42, method, r)
    shards = [sample(ms, 200, 42, method, r, rows=slice(i * 10, (i + 1) * 10))
              for i in range(20)]
    for key, x in whole.items():
        assert np.array_equal(x, again[key])
        assert np.array_equal(x, np.concatenate([s[key] for s in shards]))
    other = sample(ms, 200, 43, method, r)
    assert not np.array_equal(whole["homeostasis.tau_up_days"],
                              other["homeostasis.tau_up_days"])
    assert individual_seed(42, 5) == individual_seed(42, 5) != individual_seed(42, 6)


def test_overrides_give_the_exact_values():
    ms = parse_marginals(NODE)
    v = sample(ms, 5, 1, "lhs")
    ov = overrides(v, 3)
    assert len(ov) == len(NODE)
    for o in ov:
        key, _, text = o.partition("=")
        assert float(text) == v[key][3]  # repr round-trips the float exactly


def test_a_categorical_of_names_keeps_its_names_and_probabilities():
    node = {"species": {"key": "homeostasis.species", "dist": "categorical",
                        "values": ["mouse", "rat"], "probs": [0.25, 0.75], "source": "x"},
            "variant": {"key": "homeostasis", "dist": "categorical",
                        "values": ["steroid", "none", "impaired_recovery"], "source": "x"},
            "gain": NODE["gain"]}
    ms = parse_marginals(node)
    assert [m.labels for m in ms] == [True, True, False]
    v = sample(ms, 4000, 3, "random")
    sp, var = v["homeostasis.species"], v["homeostasis"]
    assert sp.dtype.kind == "U" and set(sp) == {"mouse", "rat"}
    assert np.mean(sp == "rat") == pytest.approx(0.75, abs=0.03)  # SE 0.007
    for name in ("steroid", "none", "impaired_recovery"):
        assert np.mean(var == name) == pytest.approx(1 / 3, abs=0.03)
    ov = overrides(v, 7)
    assert f"homeostasis.species={sp[7]}" in ov and f"homeostasis={var[7]}" in ov
    assert np.array_equal(sample(ms, 4000, 3, "random", rows=slice(10, 20))["homeostasis"],
                          var[10:20])


@pytest.mark.parametrize("label, change, key", [
    ("r5a_tau", {"sd": -1.0}, "cohort.parameters.r5a_tau.sd"),
    ("gain", {"low": 3.0}, "cohort.parameters.gain.low"),
    ("ratio", {"low": 0.0}, "cohort.parameters.ratio.low"),
    ("tau_up", {"dist": "weibull"}, "cohort.parameters.tau_up.dist"),
    ("tau_up", {"median": -1.0}, "cohort.parameters.tau_up.median"),
    ("arm", {"probs": [0.5, 0.6]}, "cohort.parameters.arm.probs"),
    ("arm", {"source": ""}, "cohort.parameters.arm.source"),
    ("arm", {"values": ["mouse", 1.0]}, "cohort.parameters.arm.values"),
    ("arm", {"values": ["mouse", "mouse"]}, "cohort.parameters.arm.values"),
    ("arm", {"values": ["mouse", " rat"]}, "cohort.parameters.arm.values"),
    ("r5a_tau", {"mean": 7.0, "spread": 1}, "cohort.parameters.r5a_tau.spread"),
    ("r5a_tau", {"low": 100.0, "high": 200.0}, "cohort.parameters.r5a_tau.low"),
])
def test_impossible_distributions_are_refused_naming_the_key(label, change, key):
    node = {k: dict(v) for k, v in NODE.items()}
    node[label] = {**node[label], **change}
    with pytest.raises(ConfigError) as info:
        parse_marginals(node)
    assert info.value.key == key


def test_bad_correlations_and_sizes_are_refused():
    ms = parse_marginals(NODE)
    with pytest.raises(ConfigError, match="positive definite"):
        parse_correlation([["tau_up", "r5a_tau", 0.95], ["tau_up", "gain", 0.95],
                           ["r5a_tau", "gain", -0.95]], ms)
    with pytest.raises(ConfigError, match="continuous"):
        parse_correlation([["tau_up", "arm", 0.3]], ms)
    with pytest.raises(ConfigError, match=r"\(-1, 1\)"):
        parse_correlation([["tau_up", "gain", 1.0]], ms)
    with pytest.raises(ConfigError, match="symmetric"):
        parse_correlation([[1, 0.2, 0, 0], [0.3, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], ms)
    with pytest.raises(ConfigError) as info:
        sample(ms, 0, 1)
    assert info.value.key == "cohort.n"
