"""The statistics of virtual studies, on scipy.stats: group means with t confidence
intervals, two-group tests (Welch/Student t, Mann-Whitney U, paired t, Wilcoxon
signed-rank), effect sizes (Cohen's d, Hedges' g; d_z for paired data) with large-sample
normal intervals (Hedges & Olkin 1985: SE(d)^2 = (n1 + n2)/(n1 n2) + d^2/(2 (n1 + n2)); for
d_z, 1/n + d_z^2/(2 n)), equivalence against a minimal important difference (the
difference's confidence interval inside +-MID; a 1 - 2a interval inside it is the two
one-sided tests at a, Schuirmann 1987, so at 95 % it is conservative), correlations
(Pearson/Spearman with a Fisher-z interval, least-squares line), proportions with Wilson
intervals, risk differences with Newcombe's hybrid-score interval (Newcombe 1998) and the
number needed to treat (NNT = 1 / risk difference; Altman 1998 BMJ 317:1309 for its
interval).

Every function takes plain arrays (NaN = missing, dropped) and returns plain floats.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

TESTS = ("welch", "student", "mann_whitney", "paired_t", "wilcoxon")
PAIRED_TESTS = ("paired_t", "wilcoxon")
CORRELATIONS = ("pearson", "spearman")


def _finite(x: Any) -> np.ndarray:
    x = np.asarray(x, float)
    return x[np.isfinite(x)]


def sd(x: Any) -> float:
    """Between-individual standard deviation (ddof 1; NaN with fewer than 2 values)."""
    x = _finite(x)
    return float(np.std(x, ddof=1)) if len(x) > 1 else math.nan


def mean_ci(x: Any, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and its two-sided t interval (NaN where it needs more values)."""
    x = _finite(x)
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    m = float(np.mean(x))
    if len(x) < 2:
        return m, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * np.std(x, ddof=1) / math.sqrt(len(x)))
    return m, m - half, m + half


def cohens_d(x: Any, y: Any) -> float:
    """(mean x - mean y) / pooled SD (ddof 1)."""
    x, y = _finite(x), _finite(y)
    nx, ny = len(x), len(y)
    if nx < 2 or ny < 2:
        return math.nan
    sp = math.sqrt(((nx - 1) * np.var(x, ddof=1) + (ny - 1) * np.var(y, ddof=1)) / (nx + ny - 2))
    return float((np.mean(x) - np.mean(y)) / sp) if sp > 0 else math.nan


def d_interval(d: float, n1: int, n2: int | None = None, level: float = 0.95
               ) -> tuple[float, float]:
    """Large-sample normal interval of Cohen's d (two groups of n1, n2) or of d_z (pairs:
    ``n2`` None), Hedges & Olkin 1985."""
    if not math.isfinite(d) or n1 < 2 or (n2 is not None and n2 < 2):
        return math.nan, math.nan
    var = (1.0 / n1 + d * d / (2.0 * n1) if n2 is None
           else (n1 + n2) / (n1 * n2) + d * d / (2.0 * (n1 + n2)))
    half = float(stats.norm.ppf(0.5 + level / 2) * math.sqrt(var))
    return d - half, d + half


def against_mid(lo: float, hi: float, mid: float | None) -> str:
    """What a difference's interval says against a minimal important difference ``mid``:
    'equivalent' (inside +-mid), 'exceeds' (all beyond +mid or -mid), 'inconclusive', or
    '' without a MID or an interval."""
    if mid is None or not (math.isfinite(lo) and math.isfinite(hi)):
        return ""
    if -mid < lo and hi < mid:
        return "equivalent"
    if lo > mid or hi < -mid:
        return "exceeds"
    return "inconclusive"


def hedges_g(x: Any, y: Any) -> float:
    """Cohen's d with the small-sample correction J = 1 - 3 / (4 (nx + ny) - 9)."""
    nx, ny = len(_finite(x)), len(_finite(y))
    d = cohens_d(x, y)
    return d * (1.0 - 3.0 / (4.0 * (nx + ny) - 9.0)) if nx + ny > 3 else math.nan


def compare(x: Any, y: Any, test: str, level: float = 0.95) -> dict[str, float]:
    """Group x vs group y (reference): difference of means with its interval, the test's
    statistic and two-sided p, Cohen's d and Hedges' g (paired tests: pairs with both
    values; d and g of the differences, d_z)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    if test in PAIRED_TESTS:
        if len(x) != len(y):
            raise ValueError(f"a paired test needs pairs: {len(x)} vs {len(y)} values")
        ok = np.isfinite(x) & np.isfinite(y)
        x, y = x[ok], y[ok]
        diff = x - y
        m, lo, hi = mean_ci(diff, level)
        out = {"n": len(x), "n_ref": len(y), "difference": m, "diff_ci_low": lo,
               "diff_ci_high": hi}
        sd = float(np.std(diff, ddof=1)) if len(diff) > 1 else math.nan
        dz = m / sd if sd and sd > 0 else math.nan
        out["cohens_d"] = dz
        out["d_ci_low"], out["d_ci_high"] = d_interval(dz, len(diff), None, level)
        out["hedges_g"] = dz * (1 - 3 / (4 * (len(diff) - 1) - 1)) if len(diff) > 2 else math.nan
        if len(diff) < 2 or not np.any(diff != 0):
            return out | {"statistic": math.nan, "p_value": math.nan}
        r = stats.ttest_rel(x, y) if test == "paired_t" else stats.wilcoxon(x, y)
        return out | {"statistic": float(r.statistic), "p_value": float(r.pvalue)}
    x, y = _finite(x), _finite(y)
    d = cohens_d(x, y)
    out = {"n": len(x), "n_ref": len(y), "cohens_d": d, "hedges_g": hedges_g(x, y)}
    out["d_ci_low"], out["d_ci_high"] = d_interval(d, len(x), len(y), level)
    if len(x) < 2 or len(y) < 2:
        return out | {"difference": math.nan, "diff_ci_low": math.nan, "diff_ci_high": math.nan,
                      "statistic": math.nan, "p_value": math.nan}
    d = float(np.mean(x) - np.mean(y))
    vx, vy = np.var(x, ddof=1) / len(x), np.var(y, ddof=1) / len(y)
    if test == "student":
        df = len(x) + len(y) - 2
        sp2 = ((len(x) - 1) * np.var(x, ddof=1) + (len(y) - 1) * np.var(y, ddof=1)) / df
        se = math.sqrt(sp2 * (1 / len(x) + 1 / len(y)))
    else:  # Welch-Satterthwaite (also the interval shown beside a rank test)
        se = math.sqrt(vx + vy)
        df = (vx + vy) ** 2 / (vx**2 / (len(x) - 1) + vy**2 / (len(y) - 1)) if se > 0 else 1.0
    half = float(stats.t.ppf(0.5 + level / 2, df) * se)
    out |= {"difference": d, "diff_ci_low": d - half, "diff_ci_high": d + half}
    if test == "mann_whitney":
        r = stats.mannwhitneyu(x, y, alternative="two-sided")
    elif se == 0:
        return out | {"statistic": math.nan, "p_value": math.nan}
    else:
        r = stats.ttest_ind(x, y, equal_var=(test == "student"))
    return out | {"statistic": float(r.statistic), "p_value": float(r.pvalue)}


def correlation(x: Any, y: Any, method: str = "pearson", level: float = 0.95
                ) -> dict[str, float]:
    """r (Pearson or Spearman) over pairs with both values, its Fisher-z interval, p, and
    the least-squares line y = intercept + slope x."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    n = len(x)
    nan = {"n": n, "r": math.nan, "r_ci_low": math.nan, "r_ci_high": math.nan,
           "p_value": math.nan, "slope": math.nan, "intercept": math.nan}
    if n < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return nan
    res = stats.pearsonr(x, y) if method == "pearson" else stats.spearmanr(x, y)
    r = float(res.statistic)
    lo = hi = math.nan
    if n > 3 and abs(r) < 1:
        z, half = math.atanh(r), float(stats.norm.ppf(0.5 + level / 2)) / math.sqrt(n - 3)
        lo, hi = math.tanh(z - half), math.tanh(z + half)
    line = stats.linregress(x, y)
    return {"n": n, "r": r, "r_ci_low": lo, "r_ci_high": hi, "p_value": float(res.pvalue),
            "slope": float(line.slope), "intercept": float(line.intercept)}


def wilson(k: int, n: int, level: float = 0.95) -> tuple[float, float, float]:
    """Proportion k/n and its Wilson score interval."""
    if n == 0:
        return math.nan, math.nan, math.nan
    z = float(stats.norm.ppf(0.5 + level / 2))
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return p, 0.0 if k == 0 else max(0.0, centre - half), 1.0 if k == n else min(1.0,
                                                                                 centre + half)


def risk_difference(k1: int, n1: int, k0: int, n0: int, level: float = 0.95
                    ) -> dict[str, float]:
    """p1 - p0 with Newcombe's hybrid-score interval (method 10, from the Wilson
    intervals), and NNT = 1 / (p1 - p0) with the interval 1 / (its bounds) (Altman 1998:
    when the risk-difference interval spans 0, the NNT interval runs through infinity --
    then ``nnt_ci_low`` > ``nnt_ci_high`` and it reads 'NNT(benefit) low to infinity to
    NNT(harm) |high|')."""
    p1, l1, u1 = wilson(k1, n1, level)
    p0, l0, u0 = wilson(k0, n0, level)
    d = p1 - p0
    lo = d - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    hi = d + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)

    def inv(v: float) -> float:
        return 1.0 / v if v != 0 and math.isfinite(v) else math.inf

    return {"difference": d, "diff_ci_low": lo, "diff_ci_high": hi, "nnt": inv(d),
            "nnt_ci_low": inv(hi), "nnt_ci_high": inv(lo)}


__all__ = ["CORRELATIONS", "PAIRED_TESTS", "TESTS", "against_mid", "cohens_d", "compare",
           "correlation", "d_interval", "hedges_g", "mean_ci", "risk_difference", "sd",
           "wilson"]
