"""The ``study`` config node (``configs/study/NAME.yaml``), parsed and checked before
anything runs.

A study is a cohort (``cohort/``: who the individuals are) seen through a measurement
model (``measurement/``) at visits, in arms:

- ``design``: ``paired`` (every arm has the same individuals: common random numbers) or
  ``parallel`` (each arm its own individuals, its own cohort; an arm may change the
  cohort's parameters, e.g. PMDD vs controls).
- ``arms``: name -> overrides (``treatment=zuranolone``, ``scenario=pmdd``, ...);
  ``reference_arm`` is what the others are compared with.
- ``visits`` (:mod:`sims.study.schedule`), ``samples`` (analytes x matrix x assay at
  visits) and ``readouts`` (network metrics at visits: the cohort's probes).
- ``endpoints``: a measured analyte or a read-out at a visit, optionally relative to a
  baseline visit (``how``: ratio, difference, percent_change) or a statistic over several
  visits (mean, slope per hour); or a cohort outcome; ``threshold`` makes it binary
  (responder / case).
- ``comparisons`` (an endpoint between arms, or within arms between the cases and
  non-cases of a binary endpoint) and ``correlations`` (endpoint vs endpoint).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sims.errors import require
from sims.study.schedule import Visit, parse_visits
from sims.study.stats import CORRELATIONS, PAIRED_TESTS, TESTS

DESIGNS = ("paired", "parallel")
CENSORED = ("lloq_sqrt2", "lloq_half", "exclude")
HOW = ("ratio", "difference", "percent_change")
OVER = ("mean", "slope_per_h", "auc")
KEYS = ("name", "question", "design", "arms", "reference_arm", "structural_arms", "visits",
        "samples", "readouts", "endpoints", "comparisons", "correlations", "record_every_h",
        "censored", "confidence", "seed_stream", "clock_tolerance_h")


@dataclass(frozen=True)
class Sample:
    """Analytes measured in one matrix by one assay at some visits."""

    analytes: tuple[str, ...]
    matrix: str
    assay: str
    visits: tuple[str, ...]


@dataclass(frozen=True)
class Endpoint:
    """A per-individual value of the study (see the module docstring)."""

    name: str
    analyte: str | None = None  # a measured analyte ...
    matrix: str = "serum"
    assay: str = ""
    readout: str | None = None  # ... or a network read-out (metric[.population]) ...
    outcome: str | None = None  # ... or a cohort outcome
    visits: tuple[str, ...] = ()
    over: str = "mean"  # several visits: mean, slope_per_h, auc
    baseline: str | None = None
    how: str = "ratio"
    threshold: tuple[str, float] | None = None
    unit: str = ""
    description: str = ""


@dataclass(frozen=True)
class Comparison:
    endpoint: str
    test: str
    by: str | None = None  # within arms: the cases vs non-cases of this binary endpoint
    arms: tuple[str, ...] = ()  # between arms: these vs the reference (default: all)
    mid: float | None = None  # minimal important difference, in the endpoint's unit


@dataclass(frozen=True)
class Correlation:
    x: str
    y: str
    method: str = "spearman"
    arms: tuple[str, ...] = ()


@dataclass
class StudySpec:
    name: str
    question: str
    design: str
    arms: dict[str, list[str]]
    reference_arm: str
    structural_arms: bool
    visits: dict[str, Visit]
    samples: list[Sample]
    readouts: tuple[tuple[str, ...], tuple[str, ...]]  # (metrics, visits)
    endpoints: dict[str, Endpoint]
    comparisons: list[Comparison]
    correlations: list[Correlation]
    record_every_h: float
    censored: str
    confidence: float
    seed_stream: int = 8
    probe_visits: list[str] = field(default_factory=list)
    clock_tolerance_h: float = 1.0


def analysis_reason(design: str, by: str | None) -> str:
    """Why a comparison uses a paired or an unpaired test (the summary says so)."""
    if by is not None:
        return "unpaired: cases and non-cases are different individuals"
    if design == "paired":
        return "paired: every arm holds the same individuals (common random numbers)"
    return "unpaired: each arm has its own individuals (parallel design)"


def _num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _names(v: Any, key: str, allowed: Sequence[str], what: str) -> tuple[str, ...]:
    v = [v] if isinstance(v, str) else v
    require(isinstance(v, list | tuple) and v and all(isinstance(x, str) for x in v), key, v,
            f"a list of {what}")
    for x in v:
        require(x in allowed, key, x, f"{what} ({', '.join(allowed)})")
    return tuple(v)


def _threshold(v: Any, key: str) -> tuple[str, float] | None:
    if v is None:
        return None
    require(isinstance(v, Mapping) and len(v) == 1 and next(iter(v)) in ("below", "above")
            and _num(next(iter(v.values()))), key, v, "{below: X} or {above: X}")
    (side, x), = v.items()
    return str(side), float(x)


def _check_sampled(measured: Mapping[tuple, set], key: str, analyte: str, matrix: Any,
                   assay: Any, visits: Sequence[tuple[str, str]]) -> None:
    """An analyte endpoint must read what ``study.samples`` measures: the key the user
    wrote that does not match (analyte, matrix, assay, or a visit) is named, with its
    value and what the samples offer."""
    have = list(measured)
    require(any(x[0] == analyte for x in have), f"{key}.analyte", analyte,
            f"an analyte of study.samples ({', '.join(sorted({x[0] for x in have}))})")
    mats = sorted({x[1] for x in have if x[0] == analyte})
    require(matrix in mats, f"{key}.matrix", matrix, f"a matrix {analyte} is sampled in "
            f"({', '.join(mats)})")
    assays = sorted({str(x[2]) for x in have if x[:2] == (analyte, matrix)})
    require(assay in assays, f"{key}.assay", assay, f"an assay measuring {analyte} in "
            f"{matrix} in study.samples ({', '.join(assays)})")
    got = measured[(analyte, matrix, assay)]
    for k, v in visits:
        require(v in got, k, v, f"a visit at which study.samples measures {analyte} in "
                f"{matrix} by {assay} ({', '.join(sorted(got))})")


def parse_study(node: Any, readout_names: Sequence[str] = (), outcomes: Sequence[str] = ()
                ) -> StudySpec:
    """The ``study`` node, checked (names of read-outs and cohort outcomes as known).

    Raises:
        ConfigError: naming the first bad key, its value and what is allowed.
    """
    require(isinstance(node, Mapping), "study", node, "a mapping (+study=NAME)")
    unknown = sorted(set(node) - set(KEYS))
    require(not unknown, f"study.{unknown[0] if unknown else ''}", unknown, f"keys {KEYS}")
    design = node.get("design", "paired")
    require(design in DESIGNS, "study.design", design, f"one of {DESIGNS}")
    arms = node.get("arms") or {}
    require(isinstance(arms, Mapping) and arms and all(
        isinstance(v, list | tuple) and all(isinstance(o, str) and "=" in o for o in v)
        for v in arms.values()), "study.arms", arms,
        "a mapping arm name -> list of overrides ('key=value'), e.g. {placebo: [], "
        "zuranolone: ['treatment=zuranolone']}")
    arms = {str(k): list(v) for k, v in arms.items()}
    if design == "paired":
        for a, extra in arms.items():
            bad = [o for o in extra if o.partition("=")[0].lstrip("+~").startswith("cohort.")]
            require(not bad, f"study.arms.{a}", bad[0] if bad else None,
                    "overrides outside cohort.* in a paired design (the arms share the "
                    "individuals); design: parallel gives each arm its own cohort")
    ref = node.get("reference_arm", next(iter(arms)))
    require(ref in arms, "study.reference_arm", ref, f"an arm ({', '.join(arms)})")
    structural = node.get("structural_arms", False)
    require(isinstance(structural, bool), "study.structural_arms", structural, "true or false")
    visits = parse_visits(node.get("visits"))
    vnames = list(visits)
    samples = []
    for i, s in enumerate(node.get("samples") or []):
        key = f"study.samples[{i}]"
        require(isinstance(s, Mapping) and {"analytes", "matrix", "assay", "visits"} == set(s),
                key, s, "a mapping {analytes: [...], matrix, assay, visits: [...]}")
        an = s["analytes"]
        an = [an] if isinstance(an, str) else an
        require(isinstance(an, list | tuple) and an and all(isinstance(a, str) for a in an),
                f"{key}.analytes", an, "a list of analyte names")
        samples.append(Sample(tuple(an), str(s["matrix"]), str(s["assay"]),
                              _names(s["visits"], f"{key}.visits", vnames, "visits")))
    ro = node.get("readouts") or {}
    require(isinstance(ro, Mapping) and set(ro) <= {"metrics", "visits"}, "study.readouts", ro,
            "a mapping {metrics: [metric or metric.population], visits: [...]}")
    metrics: tuple[str, ...] = ()
    rvisits: tuple[str, ...] = ()
    if ro:
        metrics = _names(ro.get("metrics"), "study.readouts.metrics", readout_names or
                         [str(m) for m in ro.get("metrics") or []], "network read-outs")
        rvisits = _names(ro.get("visits"), "study.readouts.visits", vnames, "visits")
    measured: dict[tuple[str, str, str], set[str]] = {}
    for s in samples:
        for a in s.analytes:
            measured.setdefault((a, s.matrix, s.assay), set()).update(s.visits)
    endpoints: dict[str, Endpoint] = {}
    for name, e in (node.get("endpoints") or {}).items():
        key = f"study.endpoints.{name}"
        require(isinstance(e, Mapping), key, e, "a mapping (see sims/study/spec.py)")
        allowed = {"analyte", "matrix", "assay", "readout", "outcome", "visit", "visits",
                   "over", "baseline", "how", "threshold", "unit", "description"}
        extra = sorted(set(e) - allowed)
        require(not extra, f"{key}.{extra[0] if extra else ''}", extra, f"keys {sorted(allowed)}")
        kinds = [k for k in ("analyte", "readout", "outcome") if e.get(k) is not None]
        require(len(kinds) == 1, key, dict(e), "exactly one of analyte, readout, outcome")
        thr = _threshold(e.get("threshold"), f"{key}.threshold")
        if "outcome" in kinds:
            require(not outcomes or e["outcome"] in outcomes, f"{key}.outcome", e["outcome"],
                    f"an outcome of the cohort ({', '.join(outcomes) or 'none'})")
            endpoints[str(name)] = Endpoint(str(name), outcome=str(e["outcome"]), threshold=thr,
                                            unit=str(e.get("unit", "")),
                                            description=str(e.get("description", "")))
            continue
        vs = e.get("visits", e.get("visit"))
        require(vs is not None and not ("visit" in e and "visits" in e), key, dict(e),
                "visit: NAME (one visit) or visits: [NAMES] (with over: mean|slope_per_h|auc)")
        vis = _names(vs, f"{key}.visit", vnames, "visits")
        over = e.get("over", "mean")
        require(over in OVER, f"{key}.over", over, f"one of {OVER}")
        require(over == "mean" or len(vis) >= 2, f"{key}.visits", list(vis),
                f"at least 2 visits for over: {over}")
        base = e.get("baseline")
        require(base is None or base in vnames, f"{key}.baseline", base,
                f"a visit ({', '.join(vnames)})")
        how = e.get("how", "ratio")
        require(how in HOW, f"{key}.how", how, f"one of {HOW}")
        require("how" not in e or base is not None, f"{key}.how", how,
                "a change from baseline needs a baseline visit (study.endpoints."
                f"{name}.baseline: one of {', '.join(vnames)})")
        if kinds == ["analyte"]:
            m, a = e.get("matrix", "serum"), e.get("assay")
            _check_sampled(measured, key, str(e["analyte"]), m, a,
                           [(f"{key}.{'visits' if 'visits' in e else 'visit'}", v) for v in vis]
                           + ([(f"{key}.baseline", base)] if base else []))
            endpoints[str(name)] = Endpoint(str(name), analyte=str(e["analyte"]), matrix=str(m),
                                            assay=str(a), visits=vis, over=over, baseline=base,
                                            how=how, threshold=thr, unit=str(e.get("unit", "")),
                                            description=str(e.get("description", "")))
        else:
            require(e["readout"] in metrics, f"{key}.readout", e["readout"],
                    f"a metric of study.readouts.metrics ({', '.join(metrics) or 'none'})")
            for v in (*vis, *([base] if base else [])):
                require(v in rvisits, key, dict(e), f"read-out visits (study.readouts.visits "
                        f"has no {v})")
            endpoints[str(name)] = Endpoint(str(name), readout=str(e["readout"]), visits=vis,
                                            over=over, baseline=base, how=how, threshold=thr,
                                            unit=str(e.get("unit", "")),
                                            description=str(e.get("description", "")))
    enames = list(endpoints)
    comps = []
    for i, c in enumerate(node.get("comparisons") or []):
        key = f"study.comparisons[{i}]"
        require(isinstance(c, Mapping) and "endpoint" in c and set(c) <= {
            "endpoint", "test", "by", "arms", "mid"}, key, c,
            "a mapping {endpoint, test, by?, arms?, mid?}")
        require(c["endpoint"] in endpoints, f"{key}.endpoint", c["endpoint"],
                f"an endpoint ({', '.join(enames)})")
        by = c.get("by")
        require(by is None or (by in endpoints and endpoints[by].threshold is not None),
                f"{key}.by", by, "a binary endpoint (one with a threshold)")
        paired = by is None and design == "paired"
        test = c.get("test", "paired_t" if paired else "welch")
        require(test in TESTS, f"{key}.test", test, f"one of {TESTS}")
        if paired:
            require(test in PAIRED_TESTS, f"{key}.test", test,
                    f"a paired test ({', '.join(PAIRED_TESTS)}): the arms of a paired "
                    "design hold the same individuals (common random numbers), so an arm "
                    "difference is a within-person difference; design: parallel for "
                    "independent groups")
        else:
            require(test not in PAIRED_TESTS, f"{key}.test", test,
                    "an unpaired test (welch, student, mann_whitney): "
                    + analysis_reason(design, by))
        comp_arms = _names(c["arms"], f"{key}.arms", list(arms), "arms") if c.get("arms") \
            else ()
        mid = c.get("mid")
        require(mid is None or (_num(mid) and mid > 0), f"{key}.mid", mid,
                "a minimal important difference > 0 in the endpoint's unit (the summary "
                "then says whether the difference's interval lies inside +-mid)")
        comps.append(Comparison(str(c["endpoint"]), str(test), by, comp_arms,
                                None if mid is None else float(mid)))
    cors = []
    for i, c in enumerate(node.get("correlations") or []):
        key = f"study.correlations[{i}]"
        require(isinstance(c, Mapping) and {"x", "y"} <= set(c) <= {"x", "y", "method", "arms"},
                key, c, "a mapping {x: ENDPOINT, y: ENDPOINT, method, arms?}")
        for ax in ("x", "y"):
            require(c[ax] in endpoints, f"{key}.{ax}", c[ax], f"an endpoint ({', '.join(enames)})")
        method = c.get("method", "spearman")
        require(method in CORRELATIONS, f"{key}.method", method, f"one of {CORRELATIONS}")
        cors.append(Correlation(str(c["x"]), str(c["y"]), str(method),
                                _names(c["arms"], f"{key}.arms", list(arms), "arms")
                                if c.get("arms") else ()))
    every = node.get("record_every_h", 0.5)
    require(_num(every) and every > 0, "study.record_every_h", every, "a number > 0 (h)")
    cens = node.get("censored", "lloq_sqrt2")
    require(cens in CENSORED, "study.censored", cens, f"one of {CENSORED}")
    conf = node.get("confidence", 0.95)
    require(_num(conf) and 0 < conf < 1, "study.confidence", conf, "a level in (0, 1)")
    stream = node.get("seed_stream", 8)
    require(isinstance(stream, int) and stream >= 0, "study.seed_stream", stream,
            "an integer >= 0")
    tol = node.get("clock_tolerance_h", 1.0)
    require(_num(tol) and 0 <= tol <= 12, "study.clock_tolerance_h", tol,
            "a number of hours in [0, 12]: how far apart the clock times of an endpoint's "
            "visit and its baseline may lie before the study warns")
    question = node.get("question", "")
    require(isinstance(question, str), "study.question", question, "a sentence")
    return StudySpec(str(node.get("name", "study")), question, design, arms, ref, structural,
                     visits, samples, (metrics, rvisits), endpoints, comps, cors, float(every),
                     cens, float(conf), stream, list(rvisits), float(tol))


__all__ = ["CENSORED", "DESIGNS", "Comparison", "Correlation", "Endpoint", "Sample",
           "StudySpec", "parse_study", "analysis_reason"]
