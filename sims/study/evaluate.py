"""From cohort files to a study's tables: measurements at the visits (true and measured
values), endpoints per individual, and the summary statistics.

Noise is drawn from each individual's own streams of the master seed
(``[seed, stream, 2, arm, k]`` for the assay noise of arm ``arm``, ``[seed, stream, 1, k]``
for the saliva secretor factor, the same in every arm: it is the person's), one standard
normal per measurement in the study's fixed order (samples, analytes, visits). Censored
values stay NaN in the measurements table; an endpoint uses ``study.censored``:
LLOQ/sqrt(2) (Hornung & Reed 1990 Appl Occup Environ Hyg 5:46), LLOQ/2, or exclusion.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from sims.fast.registry import PER_POPULATION, READOUTS
from sims.study import stats
from sims.study.measurement import Measurement
from sims.study.spec import Endpoint, StudySpec, analysis_reason

MEASUREMENT_COLUMNS = ("individual", "arm", "visit", "event", "day", "clock_h", "time_h",
                       "analyte", "matrix", "assay", "true_value", "measured_value", "unit",
                       "censored", "lloq")
SUMMARY_COLUMNS = ("endpoint", "kind", "arm", "arm_ref", "group", "group_ref", "test", "n",
                   "n_ref", "estimate", "ci_low", "ci_high", "sd", "estimate_ref", "ci_low_ref",
                   "ci_high_ref", "difference", "diff_ci_low", "diff_ci_high", "statistic",
                   "p_value", "cohens_d", "d_ci_low", "d_ci_high", "hedges_g", "mid", "vs_mid",
                   "r", "r_ci_low", "r_ci_high", "slope",
                   "intercept", "nnt", "nnt_ci_low", "nnt_ci_high", "n_censored", "unit",
                   "description")


def read_cohort(path: str | Path) -> dict[str, Any]:
    """What a study reads from a ``cohort.h5``: slow variables, probes, outcomes."""
    out: dict[str, Any] = {"slow": {}, "units": {}, "probes": {}, "probe_units": {},
                           "outcomes": {}}
    with h5py.File(path, "r") as f:
        out["arms"] = [a.decode() if isinstance(a, bytes) else str(a)
                       for a in f["status/arm"][()]]
        out["individual"] = f["individuals/individual"][()].astype(np.int64)
        if "slow" in f:
            out["time_h"] = f["slow/time"][()] / 3600.0
            for k, ds in f["slow"].items():
                if isinstance(ds, h5py.Dataset) and ds.attrs.get("dims", "").startswith("arm"):
                    out["slow"][k] = ds[()]
                    out["units"][k] = str(ds.attrs.get("units", ""))
        if "probes" in f:
            g = f["probes"]
            out["probe_time_h"] = g["probe_time"][()] / 3600.0
            out["populations"] = [p.decode() if isinstance(p, bytes) else str(p)
                                  for p in g["population"][()]]
            for k, ds in g.items():
                if ds.attrs.get("dims", "").startswith("arm"):
                    out["probes"][k] = ds[()]
                    out["probe_units"][k] = str(ds.attrs.get("units", ""))
        if "outcomes" in f:
            for k, ds in f["outcomes"].items():
                if ds.attrs.get("dims", "").startswith("arm"):
                    out["outcomes"][k] = ds[()]
    return out


def noise(seed: int, stream: int, arm: int, k: int, n: int) -> np.ndarray:
    """The ``n`` standard normals of individual ``k``'s assay noise in arm ``arm``."""
    return np.random.default_rng([seed, stream, 2, arm, int(k)]).standard_normal(n)


def secretor(seed: int, stream: int, k: int, sd_log: float) -> float:
    """Individual ``k``'s saliva secretor factor (lognormal, mean 1)."""
    z = np.random.default_rng([seed, stream, 1, int(k)]).standard_normal()
    return float(np.exp(sd_log * z - sd_log * sd_log / 2.0))


def _readout(co: Mapping[str, Any], name: str, arm: int, probe: int) -> tuple[np.ndarray, str]:
    metric, _, pop = name.partition(".")
    data = co["probes"][metric]
    if metric in PER_POPULATION:
        return data[arm, :, probe, co["populations"].index(pop)], co["probe_units"][metric]
    return data[arm, :, probe], co["probe_units"][metric]


def measurements(p: Mapping[str, Any], cohorts: Mapping[str, Mapping[str, Any]], seed: int
                 ) -> tuple[dict[str, np.ndarray], dict[tuple, dict[str, np.ndarray]]]:
    """The measurements table (columns, :data:`MEASUREMENT_COLUMNS`) and, per (arm,
    analyte or read-out, matrix, assay, visit), each individual's values."""
    spec: StudySpec = p["spec"]
    meas: Measurement = p["measurement"]
    grid = p["visit_times"]
    vnames = grid["names"]
    cols: dict[str, list] = {c: [] for c in MEASUREMENT_COLUMNS}
    obs: dict[tuple, dict[str, np.ndarray]] = {}
    arm_index = {a: i for i, a in enumerate(spec.arms)}
    n_draws = sum(len(s.analytes) * len(s.visits) for s in spec.samples)
    for folder, co in cohorts.items():
        for arm in p["cohorts"][folder]["arms"]:
            ai, fa = arm_index[arm], co["arms"].index(arm)
            ks = co["individual"]
            ids = ks if spec.design == "paired" else ks + ai * len(ks)
            n = len(ks)
            t = grid["arms"][arm]
            z = np.stack([noise(seed, spec.seed_stream, ai, k, n_draws) for k in ks]) \
                if n_draws else np.zeros((n, 0))
            sec = np.array([secretor(seed, spec.seed_stream, k, meas.saliva.individual_sd_log)
                            for k in ks])
            col = 0
            for s in spec.samples:
                for a in s.analytes:
                    an = meas.analytes[a]
                    for v in s.visits:
                        i = vnames.index(v)
                        idx = np.rint(t[:, i] / spec.record_every_h).astype(int)
                        plasma = co["slow"][an.variable][fa, np.arange(n), idx]
                        true = meas.true_value(a, s.matrix, plasma, co["units"][an.variable],
                                               sec if s.matrix == "saliva" else 1.0)
                        value, cens, lloq = meas.measure(a, s.matrix, s.assay, true, z[:, col])
                        col += 1
                        obs[(arm, a, s.matrix, s.assay, v)] = {
                            "true": true, "measured": value, "censored": cens, "lloq": lloq,
                            "time_h": t[:, i]}
                        _append(cols, ids, arm, spec.visits[v], t[:, i], a, s.matrix, s.assay,
                                true, value, an.units[s.matrix], cens, lloq)
            metrics, rvisits = spec.readouts
            for v in rvisits:
                pt = grid["probe_visit_time"][v]  # a run time, or hours after enrolment
                probe = int(np.argmin(np.abs(co["probe_time_h"] - pt)))
                tv = t[:, vnames.index(v)]  # each individual's run time
                for m in metrics:
                    value, unit = _readout(co, m, fa, probe)
                    cens = np.zeros(n, dtype=bool)
                    obs[(arm, m, "network", "probe", v)] = {
                        "true": value, "measured": value, "censored": cens, "lloq": math.nan,
                        "time_h": tv}
                    _append(cols, ids, arm, spec.visits[v], tv, m, "network",
                            "probe", value, value, unit, cens, math.nan)
    table = {k: np.asarray(v) for k, v in cols.items()}
    return table, obs


def _append(cols: dict[str, list], ids: np.ndarray, arm: str, visit: Any, t: np.ndarray,
            analyte: str, matrix: str, assay: str, true: np.ndarray, value: np.ndarray,
            unit: str, censored: np.ndarray, lloq: float) -> None:
    n = len(ids)
    day = visit.day if visit.hours is None else visit.hours / 24.0
    for k, v in (("individual", ids), ("arm", [arm] * n), ("visit", [visit.name] * n),
                 ("event", [visit.event] * n), ("day", [day] * n), ("clock_h", t % 24.0),
                 ("time_h", t), ("analyte", [analyte] * n), ("matrix", [matrix] * n),
                 ("assay", [assay] * n), ("true_value", true), ("measured_value", value),
                 ("unit", [unit] * n), ("censored", censored), ("lloq", [lloq] * n)):
        cols[k].extend(np.asarray(v).tolist())


# --------------------------------------------------------------------------- endpoints
def _used(o: Mapping[str, np.ndarray], how: str) -> np.ndarray:
    """Measured values with censored ones replaced as ``study.censored`` says."""
    v = np.array(o["measured"], float)
    c = np.asarray(o["censored"], bool) & np.isfinite(o["true"])
    if how == "lloq_sqrt2":
        v[c] = o["lloq"] / math.sqrt(2.0)
    elif how == "lloq_half":
        v[c] = o["lloq"] / 2.0
    return v


def _slope(t: np.ndarray, y: np.ndarray) -> np.ndarray:
    out = np.full(len(y), np.nan)
    for j in range(len(y)):
        ok = np.isfinite(y[j]) & np.isfinite(t[j])
        if ok.sum() >= 2 and np.ptp(t[j][ok]) > 0:
            out[j] = np.polyfit(t[j][ok], y[j][ok], 1)[0]
    return out


def endpoint_values(spec: StudySpec, e: Endpoint, arm: str, obs: Mapping[tuple, Any],
                    outcome: np.ndarray | None) -> tuple[np.ndarray, int]:
    """Each individual's value of endpoint ``e`` in ``arm`` and how many censored
    measurements it used."""
    if e.outcome is not None:
        return np.asarray(outcome, float), 0
    name, matrix, assay = (e.analyte, e.matrix, e.assay) if e.analyte else (
        e.readout, "network", "probe")
    n_cens = 0

    def at(v: str) -> tuple[np.ndarray, np.ndarray]:
        nonlocal n_cens
        o = obs[(arm, name, matrix, assay, v)]
        n_cens += int(np.sum(o["censored"] & np.isfinite(o["true"])))
        return _used(o, spec.censored), o["time_h"]

    vals = [at(v) for v in e.visits]
    y = np.stack([v for v, _ in vals], axis=1)
    t = np.stack([tt for _, tt in vals], axis=1)
    if e.over == "slope_per_h":
        value = _slope(t, y)
    elif e.over == "auc":
        value = np.trapezoid(y, t, axis=1)
    else:
        value = np.nanmean(y, axis=1) if y.shape[1] > 1 else y[:, 0]
    if e.baseline is not None:
        b, _ = at(e.baseline)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = {"ratio": value / b, "difference": value - b,
                     "percent_change": 100.0 * (value - b) / b}[e.how]
    return value, n_cens


def case_of(e: Endpoint, value: np.ndarray) -> np.ndarray:
    """1 (case / responder), 0 (not) or NaN (no value) by the endpoint's threshold."""
    side, x = e.threshold
    hit = value < x if side == "below" else value > x
    return np.where(np.isfinite(value), hit.astype(float), np.nan)


def endpoints(p: Mapping[str, Any], cohorts: Mapping[str, Mapping[str, Any]],
              obs: Mapping[tuple, Any]) -> dict[str, dict[str, Any]]:
    """Per arm: individuals, and per endpoint its values, cases and censored count."""
    spec: StudySpec = p["spec"]
    out: dict[str, dict[str, Any]] = {}
    for folder, co in cohorts.items():
        for arm in p["cohorts"][folder]["arms"]:
            fa = co["arms"].index(arm)
            ai = list(spec.arms).index(arm)
            ks = co["individual"]
            out[arm] = {"individual": ks if spec.design == "paired" else ks + ai * len(ks),
                        "values": {}, "cases": {}, "censored": {}}
            for e in spec.endpoints.values():
                oc = co["outcomes"][e.outcome][fa] if e.outcome else None
                v, nc = endpoint_values(spec, e, arm, obs, oc)
                out[arm]["values"][e.name] = v
                out[arm]["censored"][e.name] = nc
                if e.threshold is not None:
                    out[arm]["cases"][e.name] = case_of(e, v)
    return out


# --------------------------------------------------------------------------- summary
def _row(**kw: Any) -> dict[str, Any]:
    return {c: kw.get(c, "" if c in ("arm_ref", "group", "group_ref", "test", "unit",
                                     "vs_mid", "description") else math.nan)
            for c in SUMMARY_COLUMNS}


def _unit(e: Endpoint, meas: Measurement, p_units: Mapping[str, str]) -> str:
    if e.unit:
        return e.unit
    if e.baseline is not None:
        return {"ratio": "1", "percent_change": "%"}.get(e.how, "")
    if e.analyte:
        u = meas.analytes[e.analyte].units[e.matrix]
        return {"slope_per_h": f"{u}/h", "auc": f"{u} h"}.get(e.over, u)
    if e.readout:
        return READOUTS[e.readout.partition(".")[0]].unit
    return str(p_units.get(e.outcome, ""))


def _why(text: str, spec: StudySpec, by: str | None, clock: str | None) -> str:
    """A comparison's description: what, which test and why, and a clock warning."""
    out = f"{text}; {analysis_reason(spec.design, by)}"
    return out + (f"; WARNING {clock}" if clock else "")


def _versus_mid(r: Mapping[str, float], mid: float | None) -> dict[str, Any]:
    return {"mid": math.nan if mid is None else mid,
            "vs_mid": stats.against_mid(r["diff_ci_low"], r["diff_ci_high"], mid)}


def summary(p: Mapping[str, Any], ep: Mapping[str, Mapping[str, Any]]) -> list[dict]:
    """One row per endpoint and arm (mean with CI; rate with Wilson CI), per comparison
    (arms; cases vs non-cases) and per correlation."""
    spec: StudySpec = p["spec"]
    lvl = spec.confidence
    clock = p.get("clock_mismatch") or {}
    rows = []
    for e in spec.endpoints.values():
        unit = _unit(e, p["measurement"], p["outcome_units"])
        for arm in spec.arms:
            v = ep[arm]["values"][e.name]
            m, lo, hi = stats.mean_ci(v, lvl)
            rows.append(_row(endpoint=e.name, kind="group", arm=arm, n=int(np.isfinite(v).sum()),
                             estimate=m, ci_low=lo, ci_high=hi, sd=stats.sd(v),
                             n_censored=ep[arm]["censored"][e.name], unit=unit,
                             description=e.description or "mean with t interval"))
            if e.threshold is not None:
                c = ep[arm]["cases"][e.name]
                k, n = int(np.nansum(c)), int(np.isfinite(c).sum())
                r, rlo, rhi = stats.wilson(k, n, lvl)
                rows.append(_row(endpoint=e.name, kind="rate", arm=arm, n=n, estimate=r,
                                 ci_low=rlo, ci_high=rhi, unit="1", description=(
                                     f"fraction {e.threshold[0]} {e.threshold[1]:g} "
                                     "(Wilson interval)")))
    for c in spec.comparisons:
        e = spec.endpoints[c.endpoint]
        unit = _unit(e, p["measurement"], p["outcome_units"])
        if c.by is not None:
            for arm in spec.arms:
                v, case = ep[arm]["values"][e.name], ep[arm]["cases"][c.by]
                x, y = v[case == 1], v[case == 0]
                r = stats.compare(x, y, c.test, lvl)
                rows.append(_row(endpoint=e.name, kind="by_group", arm=arm, arm_ref=arm,
                                 group=f"{c.by}=1", group_ref=f"{c.by}=0", test=c.test,
                                 estimate=stats.mean_ci(x, lvl)[0],
                                 estimate_ref=stats.mean_ci(y, lvl)[0], unit=unit,
                                 **_versus_mid(r, c.mid),
                                 description=_why(f"{e.name}: cases vs non-cases of {c.by}",
                                                  spec, c.by, clock.get(e.name)), **r))
            continue
        ref = spec.reference_arm
        for arm in c.arms or [a for a in spec.arms if a != ref]:
            x, y = ep[arm]["values"][e.name], ep[ref]["values"][e.name]
            mx, lx, hx = stats.mean_ci(x, lvl)
            my, ly, hy = stats.mean_ci(y, lvl)
            r = stats.compare(x, y, c.test, lvl)
            rows.append(_row(endpoint=e.name, kind="comparison", arm=arm, arm_ref=ref,
                             test=c.test, estimate=mx, ci_low=lx, ci_high=hx, estimate_ref=my,
                             ci_low_ref=ly, ci_high_ref=hy, unit=unit,
                             **_versus_mid(r, c.mid),
                             description=_why(f"{e.name}: {arm} vs {ref}", spec, None,
                                              clock.get(e.name)), **r))
            if e.threshold is not None:
                cx, cy = ep[arm]["cases"][e.name], ep[ref]["cases"][e.name]
                k1, n1 = int(np.nansum(cx)), int(np.isfinite(cx).sum())
                k0, n0 = int(np.nansum(cy)), int(np.isfinite(cy).sum())
                rd = stats.risk_difference(k1, n1, k0, n0, lvl)
                rows.append(_row(endpoint=e.name, kind="rate_difference", arm=arm, arm_ref=ref,
                                 test="newcombe", n=n1, n_ref=n0,
                                 estimate=k1 / n1 if n1 else math.nan,
                                 estimate_ref=k0 / n0 if n0 else math.nan, unit="1",
                                 description=f"responder rate {arm} - {ref}; NNT = 1/difference"
                                 " (Altman 1998)", **rd))
    for c in spec.correlations:
        for arm in c.arms or list(spec.arms):
            r = stats.correlation(ep[arm]["values"][c.x], ep[arm]["values"][c.y], c.method, lvl)
            rows.append(_row(endpoint=f"{c.y}~{c.x}", kind="correlation", arm=arm,
                             group=c.x, group_ref=c.y, test=c.method, n=r["n"], r=r["r"],
                             r_ci_low=r["r_ci_low"], r_ci_high=r["r_ci_high"],
                             p_value=r["p_value"], slope=r["slope"], intercept=r["intercept"],
                             estimate=r["r"], ci_low=r["r_ci_low"], ci_high=r["r_ci_high"],
                             description=f"{c.method} r of {c.y} with {c.x}"))
    return rows


def analyse(p: Mapping[str, Any], files: Mapping[str, Path], seed: int) -> dict[str, Any]:
    """The study's tables from its cohort files: measurements, endpoints, summary."""
    cohorts = {folder: read_cohort(path) for folder, path in files.items()}
    table, obs = measurements(p, cohorts, seed)
    ep = endpoints(p, cohorts, obs)
    ecols: dict[str, list] = {"individual": [], "arm": [], "endpoint": [], "value": [],
                              "case": []}
    for arm, d in ep.items():
        for name, v in d["values"].items():
            n = len(v)
            ecols["individual"] += d["individual"].tolist()
            ecols["arm"] += [arm] * n
            ecols["endpoint"] += [name] * n
            ecols["value"] += np.asarray(v, float).tolist()
            ecols["case"] += (d["cases"][name].tolist() if name in d["cases"]
                              else [math.nan] * n)
    rows = summary(p, ep)
    return {"measurements": table,
            "endpoints": {k: np.asarray(v) for k, v in ecols.items()},
            "summary": {c: np.asarray([r[c] for r in rows]) for c in SUMMARY_COLUMNS}}


__all__ = ["MEASUREMENT_COLUMNS", "SUMMARY_COLUMNS", "analyse", "case_of", "endpoint_values",
           "measurements", "noise", "read_cohort", "secretor", "summary"]
