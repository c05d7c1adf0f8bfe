"""The study node's analysis rules, checked before anything runs: a paired design is
analysed with paired tests, a parallel one with unpaired tests, a change from baseline
needs its baseline visit, and a minimal important difference is a positive number."""

from __future__ import annotations

import copy

import pytest

from sims.errors import ConfigError
from sims.study.spec import analysis_reason, parse_study

BASE = {"design": "paired", "arms": {"placebo": [], "drug": ["treatment=zuranolone"]},
        "visits": {"base": {"day": 1, "clock_h": 12.0}, "d15": {"day": 15, "clock_h": 12.0}},
        "samples": [{"analytes": ["allo"], "matrix": "serum", "assay": "lcmsms",
                     "visits": ["base", "d15"]}],
        "endpoints": {"allo_change": {"analyte": "allo", "assay": "lcmsms", "visit": "d15",
                                      "baseline": "base", "how": "ratio",
                                      "threshold": {"above": 1.5}},
                      "allo_d15": {"analyte": "allo", "assay": "lcmsms", "visit": "d15"}},
        "comparisons": [{"endpoint": "allo_change"}]}


def node(**changes):
    n = copy.deepcopy(BASE)
    for k, v in changes.items():
        n[k] = v
    return n


def test_a_paired_design_compares_arms_with_a_paired_test_by_default_and_says_why():
    spec = parse_study(node())
    assert spec.comparisons[0].test == "paired_t"
    assert "same individuals" in analysis_reason("paired", None)
    assert "different individuals" in analysis_reason("paired", "allo_change")
    assert "own individuals" in analysis_reason("parallel", None)
    par = parse_study(node(design="parallel"))
    assert par.comparisons[0].test == "welch"


@pytest.mark.parametrize(("changes", "key", "allowed"), [
    ({"comparisons": [{"endpoint": "allo_change", "test": "welch"}]},
     "study.comparisons[0].test", "a paired test (paired_t, wilcoxon)"),
    ({"comparisons": [{"endpoint": "allo_change", "test": "mann_whitney"}]},
     "study.comparisons[0].test", "same individuals"),
    ({"design": "parallel", "comparisons": [{"endpoint": "allo_change", "test": "paired_t"}]},
     "study.comparisons[0].test", "an unpaired test"),
    ({"comparisons": [{"endpoint": "allo_d15", "by": "allo_change", "test": "wilcoxon"}]},
     "study.comparisons[0].test", "cases and non-cases are different individuals"),
    ({"comparisons": [{"endpoint": "allo_change", "mid": 0}]},
     "study.comparisons[0].mid", "a minimal important difference > 0"),
    ({"endpoints": {"x": {"analyte": "allo", "assay": "lcmsms", "visit": "d15",
                          "how": "percent_change"}}},
     "study.endpoints.x.how", "a change from baseline needs a baseline visit"),
    ({"clock_tolerance_h": -1}, "study.clock_tolerance_h", "[0, 12]"),
])
def test_analysis_that_does_not_fit_the_design_is_refused(changes, key, allowed):
    if "endpoints" in changes and "comparisons" not in changes:
        changes = {**changes, "comparisons": []}
    with pytest.raises(ConfigError) as err:
        parse_study(node(**changes))
    assert err.value.key == key and allowed in str(err.value), str(err.value)
