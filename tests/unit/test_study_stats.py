"""The statistics of virtual studies equal scipy's (and hand values) on the same numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as ss

from sims.study import stats

RNG = np.random.default_rng(3)
X = RNG.normal(1.0, 1.0, 23)
Y = RNG.normal(0.2, 1.5, 19)


def test_mean_ci_is_the_t_interval():
    m, lo, hi = stats.mean_ci(X, 0.95)
    want = ss.t.interval(0.95, len(X) - 1, loc=X.mean(), scale=ss.sem(X))
    assert m == pytest.approx(X.mean()) and (lo, hi) == pytest.approx(want)


@pytest.mark.parametrize(("test", "ref"), [
    ("welch", lambda x, y: ss.ttest_ind(x, y, equal_var=False)),
    ("student", lambda x, y: ss.ttest_ind(x, y, equal_var=True)),
    ("mann_whitney", lambda x, y: ss.mannwhitneyu(x, y, alternative="two-sided")),
])
def test_two_group_tests_equal_scipy(test, ref):
    r = stats.compare(X, Y, test)
    want = ref(X, Y)
    assert r["statistic"] == pytest.approx(want.statistic)
    assert r["p_value"] == pytest.approx(want.pvalue)
    assert r["difference"] == pytest.approx(X.mean() - Y.mean())


def test_welch_interval_contains_the_difference_and_matches_scipy():
    r = stats.compare(X, Y, "welch")
    ci = ss.ttest_ind(X, Y, equal_var=False).confidence_interval(0.95)
    assert (r["diff_ci_low"], r["diff_ci_high"]) == pytest.approx((ci.low, ci.high))


@pytest.mark.parametrize(("test", "ref"), [("paired_t", ss.ttest_rel), ("wilcoxon", ss.wilcoxon)])
def test_paired_tests_equal_scipy(test, ref):
    y = X[:19] + RNG.normal(0.3, 0.5, 19)
    r = stats.compare(X[:19], y, test)
    want = ref(X[:19], y)
    assert r["statistic"] == pytest.approx(want.statistic)
    assert r["p_value"] == pytest.approx(want.pvalue)
    d = X[:19] - y
    assert r["cohens_d"] == pytest.approx(d.mean() / d.std(ddof=1))  # d_z


def test_effect_sizes_by_hand():
    x, y = np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 4.0, 6.0])
    sp = math.sqrt((3 * np.var(x, ddof=1) + 2 * np.var(y, ddof=1)) / 5)
    d = (2.5 - 4.0) / sp
    assert stats.cohens_d(x, y) == pytest.approx(d)
    assert stats.hedges_g(x, y) == pytest.approx(d * (1 - 3 / (4 * 7 - 9)))


@pytest.mark.parametrize(("method", "ref"), [("pearson", ss.pearsonr), ("spearman", ss.spearmanr)])
def test_correlations_equal_scipy(method, ref):
    y = 0.5 * X + RNG.normal(0, 1, len(X))
    r = stats.correlation(X, y, method)
    want = ref(X, y)
    assert r["r"] == pytest.approx(want.statistic) and r["p_value"] == pytest.approx(want.pvalue)
    z = math.atanh(r["r"])
    half = 1.959963984540054 / math.sqrt(len(X) - 3)
    assert (r["r_ci_low"], r["r_ci_high"]) == pytest.approx((math.tanh(z - half),
                                                             math.tanh(z + half)))
    assert r["slope"] == pytest.approx(ss.linregress(X, y).slope)


def test_wilson_interval_hand_values():
    # Newcombe 1998 Stat Med 17:857, table I: 81/263 -> 0.2553-0.3662
    p, lo, hi = stats.wilson(81, 263)
    assert (lo, hi) == pytest.approx((0.2553, 0.3662), abs=1e-4)
    assert stats.wilson(0, 10)[1] == 0.0 and stats.wilson(10, 10)[2] == 1.0


def test_risk_difference_and_nnt():
    # Newcombe 1998 Stat Med 17:873, example (a): 56/70 vs 48/80 -> 0.2000, 0.0524-0.3339
    r = stats.risk_difference(56, 70, 48, 80)
    assert r["difference"] == pytest.approx(0.2)
    assert (r["diff_ci_low"], r["diff_ci_high"]) == pytest.approx((0.0524, 0.3339), abs=1e-4)
    assert r["nnt"] == pytest.approx(5.0)
    assert (r["nnt_ci_low"], r["nnt_ci_high"]) == pytest.approx((1 / 0.3339, 1 / 0.0524),
                                                                rel=1e-3)


def test_missing_values_are_dropped():
    x = np.array([1.0, np.nan, 3.0, 5.0])
    assert stats.mean_ci(x)[0] == pytest.approx(3.0)
    r = stats.compare(x, np.array([0.0, 1.0, np.nan]), "welch")
    assert r["n"] == 3 and r["n_ref"] == 2


def test_paired_and_unpaired_analyses_of_the_same_hand_data_differ_as_they_should():
    """Five people measured on placebo and on drug: a small, consistent within-person drop
    (-1 each, but one person -2) on top of a large between-person spread. The paired t on
    the differences (scipy.stats.ttest_rel) sees it; Welch on the two columns does not."""
    placebo = np.array([10.0, 20.0, 30.0, 40.0, 50.0])
    drug = placebo - np.array([1.0, 1.0, 1.0, 1.0, 2.0])
    paired = stats.compare(drug, placebo, "paired_t")
    welch = stats.compare(drug, placebo, "welch")
    d = drug - placebo  # mean -1.2, SD 0.4472
    assert paired["difference"] == pytest.approx(-1.2) == welch["difference"]
    assert paired["statistic"] == pytest.approx(-1.2 / (0.4472136 / math.sqrt(5)), rel=1e-6)
    assert paired["p_value"] == pytest.approx(ss.ttest_rel(drug, placebo).pvalue)
    assert paired["p_value"] < 0.01 < 0.9 < welch["p_value"]
    assert welch["p_value"] == pytest.approx(ss.ttest_ind(drug, placebo, equal_var=False).pvalue)
    assert paired["cohens_d"] == pytest.approx(d.mean() / d.std(ddof=1))  # d_z = -2.68
    # the paired interval is that of the mean difference (t, 4 df)
    half = ss.t.ppf(0.975, 4) * d.std(ddof=1) / math.sqrt(5)
    assert (paired["diff_ci_low"], paired["diff_ci_high"]) == pytest.approx((-1.2 - half,
                                                                              -1.2 + half))


def test_effect_size_intervals_are_hedges_and_olkins_by_hand():
    # two groups: d = 0.5, n 20 and 30: var = 50/600 + 0.25/100 = 0.085833
    lo, hi = stats.d_interval(0.5, 20, 30, 0.95)
    half = 1.959964 * math.sqrt(50 / 600 + 0.25 / 100)
    assert (lo, hi) == pytest.approx((0.5 - half, 0.5 + half), rel=1e-6)
    # pairs: d_z = 0.8, n = 25: var = 1/25 + 0.64/50
    lo, hi = stats.d_interval(0.8, 25, None, 0.95)
    half = 1.959964 * math.sqrt(0.04 + 0.0128)
    assert (lo, hi) == pytest.approx((0.8 - half, 0.8 + half), rel=1e-6)
    assert all(math.isnan(v) for v in stats.d_interval(math.nan, 10, 10))
    r = stats.compare(X[:19], X[:19] + 1.0 + RNG.normal(0, 0.5, 19), "paired_t")
    assert r["d_ci_low"] < r["cohens_d"] < r["d_ci_high"]


def test_a_difference_is_judged_against_the_minimal_important_difference():
    assert stats.against_mid(-1.0, 2.0, 5.0) == "equivalent"
    assert stats.against_mid(6.0, 9.0, 5.0) == "exceeds"
    assert stats.against_mid(-9.0, -6.0, 5.0) == "exceeds"
    assert stats.against_mid(-1.0, 6.0, 5.0) == "inconclusive"
    assert stats.against_mid(-1.0, 2.0, None) == ""
    assert stats.against_mid(math.nan, 2.0, 5.0) == ""


def test_between_person_sd_drops_missing_values():
    assert stats.sd([1.0, 3.0, np.nan, 5.0]) == pytest.approx(2.0)
    assert math.isnan(stats.sd([4.0, np.nan]))
