"""Figures of a virtual study (``allonet-figures .../study.h5``): measured vs true per
assay (bias and censoring), endpoints per arm with the test result, biomarker-outcome
scatter with the least-squares line and r, responder rates with Wilson intervals, and the
trial's time course (each arm's mean +- t interval over visits). Same style, caption and
provenance rules as the other figures (:func:`analysis.style.save`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from analysis.cohort_figures import ARM_COLOURS
from analysis.style import fit_label, new_figure, save, style
from sims.study import stats
from sims.study.store import read_study

SEED = 20261122  # the strip plot's jitter (a figure is reproducible)


def _prov(st: dict[str, Any]) -> dict[str, str]:
    a = st["attrs"]
    return {k: str(a[k]) for k in ("study", "design", "config_hash", "git_commit",
                                    "master_seed") if k in a}


#: Caption of every figure written in this process, by file stem (captions.txt).
written: dict[str, str] = {}


def _finish(fig: Any, st: dict[str, Any], stem: Path, formats: list[str], caption: str
            ) -> list[Path]:
    paths = save(fig, stem, formats, _prov(st), caption)
    written[Path(stem).name] = caption
    plt.close(fig)
    return paths


def _arms(st: dict[str, Any]) -> list[str]:
    return list(json.loads(st["attrs"]["arms_json"]))


def _p(p: float) -> str:
    return "p = n/a" if not np.isfinite(p) else ("p < 0.001" if p < 0.001 else f"p = {p:.3f}")


def measured_vs_true(st: dict[str, Any], out: Path, formats: list[str]) -> list[Path]:
    """Measured vs true value of every assayed sample, one panel per assay (log-log):
    the identity line, the assay's bias as the cloud's offset, censored samples (below
    the LLOQ) as open triangles at their LLOQ."""
    m = st["measurements"]
    m = m[m["matrix"] != "network"]
    assays = sorted(set(m["assay"]))
    if not assays:
        return []
    width = max(3.3, 2.2 * len(assays))
    ncol = max(1, int(width // 2.6))
    entries = 2 * len(m.groupby(["analyte", "matrix"]))  # measured and censored, at most
    fig = new_figure(55 + 3.5 * entries / ncol, width_in=width)
    for i, assay in enumerate(assays):
        ax = fig.add_subplot(1, len(assays), i + 1)
        d = m[m["assay"] == assay]
        for j, ((an, mat, unit), g) in enumerate(d.groupby(["analyte", "matrix", "unit"])):
            col = ARM_COLOURS[j % len(ARM_COLOURS)]
            ok = ~g["censored"].to_numpy(bool) & (g["true_value"] > 0)
            ax.scatter(g["true_value"][ok], g["measured_value"][ok], s=5, color=col,
                       alpha=0.6, lw=0, label=f"{an} {mat} ({unit})")
            c = g["censored"].to_numpy(bool) & (g["true_value"] > 0)
            if c.any():
                ax.scatter(g["true_value"][c], g["lloq"][c], s=12, marker="v",
                           facecolors="none", edgecolors=col, lw=0.6,
                           label=f"{an} {mat}: censored, at the LLOQ")
        vals = np.concatenate([d["true_value"].to_numpy(float),
                               d["measured_value"].to_numpy(float), d["lloq"].to_numpy(float)])
        vals = vals[np.isfinite(vals) & (vals > 0)]
        if len(vals):
            lo, hi = vals.min() / 3, vals.max() * 3  # at least a decade: readable ticks
            ax.plot([lo, hi], [lo, hi], color="0.4", lw=0.6, ls="--")
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlim(lo, hi)
            ax.set_ylim(lo, hi)
            for axis in (ax.xaxis, ax.yaxis):
                axis.set_minor_formatter(plt.NullFormatter())
        ax.tick_params(labelsize=6)
        ax.set_title(assay, fontsize=7)
        ax.set_xlabel("true value (unit of each analyte)")
        if i == 0:
            ax.set_ylabel("measured value (same unit)")
    labels: dict[str, Any] = {}  # one legend for every panel, below them
    for ax in fig.axes:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            labels.setdefault(lab, h)
    fig.legend(list(labels.values()), list(labels), fontsize=5, frameon=False,
               loc="outside lower center", ncol=ncol)
    caption = (f"Study '{st['attrs']['study']}': measured vs noise-free value of every "
               "sample, by assay; dashed: identity; open triangles: censored samples (below "
               "the LLOQ) drawn at the LLOQ (their measured value is missing).")
    return _finish(fig, st, out / "study_measured_vs_true", formats, caption)


def arm_comparisons(st: dict[str, Any], out: Path, formats: list[str]) -> list[Path]:
    """Each compared endpoint by arm (box and individual points), annotated with each
    comparison's test, difference and p against the reference arm."""
    s, e = st["summary"], st["endpoints"]
    comp = s[s["kind"].isin(["comparison", "by_group"])]
    names = list(dict.fromkeys(comp["endpoint"]))
    if not names:
        return []
    fig = new_figure(55, width_in=max(2.4, 1.9 * len(names)))
    rng = np.random.default_rng(SEED)
    for i, name in enumerate(names):
        ax = fig.add_subplot(1, len(names), i + 1)
        rows = comp[comp["endpoint"] == name]
        d = e[e["endpoint"] == name]
        if (rows["kind"] == "by_group").all():
            by = rows.iloc[0]["group"].split("=")[0]
            case = e[e["endpoint"] == by].set_index(["arm", "individual"])["case"]
            groups = []
            for a in dict.fromkeys(d["arm"]):
                da = d[d["arm"] == a]
                cs = case.loc[a].reindex(da["individual"]).to_numpy()
                groups += [(f"{a}: {by}", da["value"].to_numpy()[cs == 1]),
                           (f"{a}: no {by}", da["value"].to_numpy()[cs == 0])]
        else:
            groups = [(a, d.loc[d["arm"] == a, "value"].to_numpy()) for a in _arms(st)]
        vals = [np.asarray(g, float)[np.isfinite(np.asarray(g, float))] for _, g in groups]
        ax.boxplot([v if len(v) else [np.nan] for v in vals], widths=0.5, showfliers=False,
                   medianprops={"color": "k", "lw": 0.8})
        for k, v in enumerate(vals):
            ax.scatter(k + 1 + rng.uniform(-0.15, 0.15, len(v)), v, s=5, lw=0, alpha=0.7,
                       color=ARM_COLOURS[k % len(ARM_COLOURS)])
        ax.tick_params(labelsize=6)
        ax.set_xticks(range(1, len(groups) + 1))
        ax.set_xticklabels([fit_label(g, 12) for g, _ in groups], fontsize=5)
        unit = str(rows.iloc[0]["unit"]) if str(rows.iloc[0]["unit"]) != "nan" else ""
        ax.set_ylabel(fit_label(f"{name} ({unit})" if unit else name, 28), fontsize=6)
        text = "\n".join(f"{r['arm'] if r['kind'] == 'comparison' else r['group']}: "
                         f"{r['test']}, {_p(r['p_value'])}" for _, r in rows.iterrows())
        ax.set_title(text, fontsize=5)
    caption = (f"Study '{st['attrs']['study']}': compared endpoints by arm (box: quartiles; "
               f"points: individuals), with each test against the reference arm "
               f"'{st['attrs'].get('reference_arm', '')}' (or cases vs non-cases).")
    return _finish(fig, st, out / "study_arms", formats, caption)


def correlations(st: dict[str, Any], out: Path, formats: list[str]) -> list[Path]:
    """Biomarker vs outcome per correlation: individuals, the least-squares line and
    r with its interval, by arm."""
    s, e = st["summary"], st["endpoints"]
    rows = s[s["kind"] == "correlation"]
    pairs = list(dict.fromkeys(zip(rows["group"], rows["group_ref"], strict=True)))
    if not pairs:
        return []
    fig = new_figure(55, width_in=max(2.4, 2.2 * len(pairs)))
    for i, (x, y) in enumerate(pairs):
        ax = fig.add_subplot(1, len(pairs), i + 1)
        lines = []
        for k, (_, r) in enumerate(rows[(rows["group"] == x) & (rows["group_ref"] == y)]
                                   .iterrows()):
            col = ARM_COLOURS[k % len(ARM_COLOURS)]
            xv = e[(e["endpoint"] == x) & (e["arm"] == r["arm"])]["value"].to_numpy(float)
            yv = e[(e["endpoint"] == y) & (e["arm"] == r["arm"])]["value"].to_numpy(float)
            ax.scatter(xv, yv, s=6, lw=0, alpha=0.7, color=col)
            if np.isfinite(r["slope"]):
                xs = np.linspace(np.nanmin(xv), np.nanmax(xv), 10)
                ax.plot(xs, r["intercept"] + r["slope"] * xs, color=col, lw=0.8)
            ci = (f"[{r['r_ci_low']:.2f}, {r['r_ci_high']:.2f}]"
                  if np.isfinite(r["r_ci_low"]) else "(no CI: n < 4)")
            lines.append(f"{r['arm']}: {r['test']} r = {r['r']:.2f}\n  {ci}, "
                         f"{_p(r['p_value'])}")
        ax.tick_params(labelsize=6)
        ax.set_xlabel(fit_label(_with_unit(s, x), 30))
        ax.set_ylabel(fit_label(_with_unit(s, y), 30))
        ax.set_title("\n".join(lines), fontsize=5)
    caption = (f"Study '{st['attrs']['study']}': biomarker vs outcome per individual; "
               "line: least squares; r (Spearman or Pearson as configured) with its "
               "Fisher-z 95 % interval.")
    return _finish(fig, st, out / "study_correlations", formats, caption)


def _nnt_text(q: Any) -> str:
    """An arm's NNT against the reference, or why there is none (equal rates)."""
    nnt = float(q["nnt"])
    if not np.isfinite(nnt):
        return f"{q['arm']}: no NNT\n(same rate)"
    return f"{q['arm']}: NNT {nnt:.1f}" + (" (harm)" if nnt < 0 else "")


def _with_unit(s: Any, endpoint: str) -> str:
    """``endpoint (unit)`` with the unit the summary gives it (none: the name alone)."""
    units = [str(u) for u in s.loc[s["endpoint"] == endpoint, "unit"]
             if str(u) not in ("", "nan")] if "unit" in s else []
    return f"{endpoint} ({units[0]})" if units else endpoint


def responders(st: dict[str, Any], out: Path, formats: list[str]) -> list[Path]:
    """Responder (or case) rates by arm with Wilson 95 % intervals, and NNT against the
    reference arm."""
    s = st["summary"]
    rates = s[s["kind"] == "rate"]
    names = list(dict.fromkeys(rates["endpoint"]))
    if not names:
        return []
    fig = new_figure(60, width_in=max(2.6, 2.0 * len(names)))
    for i, name in enumerate(names):
        ax = fig.add_subplot(1, len(names), i + 1)
        r = rates[rates["endpoint"] == name]
        x = np.arange(len(r))
        est = r["estimate"].to_numpy(float)
        err = np.clip(np.vstack([est - r["ci_low"].to_numpy(float),
                                 r["ci_high"].to_numpy(float) - est]), 0.0, None)
        ax.bar(x, est, color=[ARM_COLOURS[k % len(ARM_COLOURS)] for k in range(len(r))],
               yerr=err, capsize=2, error_kw={"lw": 0.6})
        ax.set_xticks(x)
        ax.set_xticklabels([fit_label(a, 12) for a in r["arm"]], fontsize=5, rotation=45,
                           ha="right", rotation_mode="anchor")
        ax.set_ylim(0, 1.05)
        ax.tick_params(labelsize=6)
        ax.set_ylabel(fit_label(f"{name}: fraction", 28), fontsize=6)
        nnt = s[(s["kind"] == "rate_difference") & (s["endpoint"] == name)]
        ax.set_title("\n".join(_nnt_text(q) for _, q in nnt.iterrows()) or name, fontsize=5)
    caption = (f"Study '{st['attrs']['study']}': responder / case rates by arm with Wilson "
               "95 % intervals; NNT = 1 / (rate difference) against the reference arm "
               "(negative: harm).")
    return _finish(fig, st, out / "study_responders", formats, caption)


def time_course(st: dict[str, Any], out: Path, formats: list[str], confidence: float = 0.95
                ) -> list[Path]:
    """Each arm's mean +- t interval of every measured analyte and read-out over the
    visits (measured values; censored ones left out)."""
    m = st["measurements"]
    series = list(dict.fromkeys(zip(m["analyte"], m["matrix"], m["assay"], strict=True)))
    if not series:
        return []
    ncol = min(3, len(series))
    nrow = int(np.ceil(len(series) / ncol))
    fig = new_figure(45 * nrow, width_in=2.3 * ncol)
    arms = _arms(st)
    for i, (an, mat, assay) in enumerate(series):
        ax = fig.add_subplot(nrow, ncol, i + 1)
        d = m[(m["analyte"] == an) & (m["matrix"] == mat) & (m["assay"] == assay)]
        for k, arm in enumerate(arms):
            g = d[d["arm"] == arm]
            if g.empty:
                continue
            pts = []
            for _, v in g.groupby("visit", sort=False):
                mean, lo, hi = stats.mean_ci(v["measured_value"].to_numpy(float), confidence)
                pts.append((v["time_h"].mean() / 24.0, mean, lo, hi))
            pts.sort()
            t, mean, lo, hi = (np.array(c) for c in zip(*pts, strict=True))
            if np.nanmin(d["measured_value"].to_numpy(float), initial=0.0) >= 0:
                lo = np.maximum(lo, 0.0)  # concentrations, powers, rates: never below 0
            col = ARM_COLOURS[k % len(ARM_COLOURS)]
            ax.plot(t, mean, "o-", ms=2, lw=0.8, color=col, label=arm)
            ax.fill_between(t, lo, hi, color=col, alpha=0.2, lw=0)
        unit = d["unit"].iloc[0]
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.tick_params(labelsize=6)
        ax.set_title(f"{an} ({mat}, {assay})", fontsize=6)
        ax.set_ylabel(unit, fontsize=6)
        ax.set_xlabel("time (days)", fontsize=6)
        if i == 0:
            ax.legend(fontsize=5, frameon=False)
    caption = (f"Study '{st['attrs']['study']}': each arm's mean and {confidence:.0%} t "
               "interval of the measured values at every visit (censored samples left out; "
               "network read-outs without assay noise); the interval of a quantity that "
               "cannot be negative (concentration, band power, rate) is cut at 0.")
    return _finish(fig, st, out / "study_time_course", formats, caption)


def _study_figures(path: str | Path, out: str | Path, formats: list[str] | None = None
                  ) -> dict[str, list[Path]]:
    """Every figure of a study file (see the module docstring); captions in
    ``captions.txt``, provenance in ``provenance.json``."""
    formats = formats or ["png", "pdf"]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    st = read_study(path)
    made = {"measured_vs_true": measured_vs_true(st, out, formats),
            "arms": arm_comparisons(st, out, formats),
            "correlations": correlations(st, out, formats),
            "responders": responders(st, out, formats),
            "time_course": time_course(st, out, formats)}
    made = {k: v for k, v in made.items() if v}
    (out / "captions.txt").write_text("\n".join(f"{v[0].stem}: {written[v[0].stem]}"
                                                for v in made.values()) + "\n")
    (out / "provenance.json").write_text(json.dumps(_prov(st), indent=1))
    return made


__all__ = ["arm_comparisons", "correlations", "measured_vs_true", "responders",
           "study_figures", "time_course"]


def study_figures(path: str | Path, out: str | Path, formats: list[str] | None = None
                  ) -> dict[str, list[Path]]:
    """Every figure of the file (see ``_study_figures``), built in allonet's style (the fonts
    and sizes of the saved file are those the layout was made with)."""
    with style():
        return _study_figures(path, out, formats)
