"""Figure functions: each a pure function from loaded data to a matplotlib Figure.

Runs (:class:`analysis.load.RunData`): (1) :func:`scenario_timecourse`, (2) :func:`raster`,
(3) :func:`spectra`, (4) :func:`inhibition`. Sweeps (the table of ``sweep.h5`` as a pandas
DataFrame, and its xarray view): (5) :func:`heatmap`, (6) :func:`dose_response`,
(7) :func:`condition_comparison`. All use the shared style (``analysis.style``): 85-mm
column width, units on every axis, colour-blind-safe colours. Each function's docstring
first line is the figure's caption.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from analysis.load import RunData
from analysis.phases import DRUG_VARIABLES, STRESS_VARIABLES, phase_spans
from analysis.style import (
    COLUMN_WIDTH_IN,
    DOUBLE_WIDTH_IN,
    OKABE_ITO,
    PHASE_COLOURS,
    SEQUENTIAL_CMAP,
    fit_label,
    new_figure,
    population_colour,
    style,
)
from sims.fast.metrics import DELTA_HZ, GAMMA_HZ, SPINDLE_HZ, THETA_HZ
from sims.fast.registry import READOUTS
from sims.slow.variables import BY_NAME

#: Readable labels (in the plotted unit) of stored variables: the registries' own labels
#: (``sims.slow.variables``, ``sims.fast.registry``).
LABELS = {n: v.label for n, v in BY_NAME.items() if v.label} | {
    n: r.label for n, r in READOUTS.items()}
#: A chloride shift (mV) or a glucocorticoid load (fraction from 1) smaller than this over
#: the whole run is not drawn: the time-course figure shows a mechanism when a run moves it
#: (the load only with the stress loop on: without it, it drives nothing).
MOVED_MV = 0.05
MOVED_FRACTION = 0.05
#: Factors from stored SI values to the plotted units.
PLOT_SCALE = {"C": (1e12, "pC"), "S": (1e9, "nS"), "s": (1e3, "ms"), "V": (1e3, "mV")}


def metric_scale(metric: str) -> float:
    """Factor from a stored SI summary to the unit in its label (C -> pC, S -> nS), from the
    stored metric's own unit (``sims.fast.registry``)."""
    units = {n: r.unit for n, r in READOUTS.items()}
    base = max((m for m in units if metric == m or metric.startswith(m + "_")), key=len,
               default=None)
    return PLOT_SCALE.get(units[base], (1.0, ""))[0] if base else 1.0


def pretty(name: str) -> str:
    """Axis label for a sweep column or variable name (units where known)."""
    for phase in ("pregnancy", "postpartum", "treatment", "stress"):
        for stat, word in (("mean", "mean"), ("min", "min.")):
            if name.endswith(f"_{phase}_{stat}"):
                label = pretty(name.removesuffix(f"_{phase}_{stat}"))
                head, _, unit = label.partition(" (")
                return f"{word} {head}, {phase}" + (f" ({unit}" if unit else "")
    base = name.removesuffix("_mean")
    for key, label in LABELS.items():
        if base == key:
            return label
        if base.startswith(key + "_"):  # per-population summary, e.g. rate_E
            return f"{label.split(' (')[0]} {base[len(key) + 1:]}" + (
                f" ({label.split(' (')[1]}" if " (" in label else "")
    short = {"steroids.brain_nM.allo": "brain ALLO (nM)", "hpa.feedback_gain": "GR feedback gain",
             "hpa.neurosteroid_inhibition": "neurosteroid CRH inhibition",
             "homeostasis.tau_up_days": "δ recovery τ (days)",
             "homeostasis.alpha4_gain": "α4 withdrawal gain", "scenario.level": "stress level"}
    if name in short:
        return short[name]
    if name.endswith("delta_expression"):
        return "δ expression (" + name.split(".")[-2] + ")"
    if name.endswith("gamma2_expression"):
        return "γ2 expression (" + name.split(".")[-2] + ")"
    return name


# --------------------------------------------------------------------------- runs


def phases(run: RunData) -> list[tuple[str, float, float]]:
    """Phases to shade, ``(kind, start_day, end_day)`` (``analysis.phases``)."""
    if run.slow is None or run.slow.sizes.get("time", 0) < 2:
        return []
    slow = {v: run.slow[v].values for v in (*DRUG_VARIABLES, *STRESS_VARIABLES)
            if v in run.slow}
    return [p for p in phase_spans(run.slow["time"].values, slow, run.events)
            if p[0] in PHASE_COLOURS]


def _shade(ax: Axes, spans: Sequence[tuple[str, float, float]]) -> None:
    for kind, a, b in spans:
        ax.axvspan(a, b, color=PHASE_COLOURS[kind], alpha=0.25, lw=0, zorder=0)


def _legend_above(ax: Axes, ncol: int = 4, **kw: Any) -> None:
    """Legend in a row above the axes: never on top of the data."""
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=ncol, borderaxespad=0.2,
              handlelength=1.5, columnspacing=1.0, **kw)


def _probe_line(ax: Axes, t: np.ndarray, y: np.ndarray, **kw: Any) -> None:
    ax.plot(t, y, marker="o" if len(t) < 30 else None, ms=2.5, **kw)


#: Runs longer than this (days) show slow variables as daily mean and daily range.
DAILY_ABOVE_DAYS = 60.0


def _slow_line(ax: Axes, t: np.ndarray, y: np.ndarray, floor: float | None = None,
               **kw: Any) -> None:
    """A slow-layer variable; over long runs its daily mean with a band of the daily range
    (circadian swings would otherwise fill the panel)."""
    if floor is not None:
        y = np.maximum(y, floor)
    if len(t) < 2 or t[-1] - t[0] <= DAILY_ABOVE_DAYS:
        ax.plot(t, y, **kw)
        return
    day = np.floor(t - t[0]).astype(int)
    n = day.max() + 1
    count = np.bincount(day, minlength=n)
    keep = count >= 0.5 * np.median(count[count > 0])  # drop a partial last day
    mean = np.bincount(day, weights=y, minlength=n)[keep] / count[keep]
    lo, hi = np.full(n, np.inf), np.full(n, -np.inf)
    np.minimum.at(lo, day, y)
    np.maximum.at(hi, day, y)
    centre = t[0] + np.arange(n)[keep] + 0.5
    line, = ax.plot(centre, mean, **kw)
    ax.fill_between(centre, lo[keep], hi[keep], color=line.get_color(), alpha=0.2, lw=0)


def _expression_panel(ax: Axes, run: RunData, population: str, has_slow: bool,
                      pt: np.ndarray) -> None:
    for k, sub in enumerate(("delta", "gamma2", "alpha4")):
        label = {"delta": "δ", "gamma2": "γ2", "alpha4": "α4"}[sub]
        if has_slow and f"{sub}_{population}" in run.slow:
            _slow_line(ax, run.slow["time"].values, run.slow[f"{sub}_{population}"].values,
                       color=OKABE_ITO[k], label=label)
        elif f"{sub}_expression" in run.probes:
            _probe_line(ax, pt, run.probes[f"{sub}_expression"].sel(
                population=population).values, color=OKABE_ITO[k], label=label)
    ax.axhline(1.0, color="0.5", lw=0.5, ls=":")
    lo, hi = ax.get_ylim()
    ax.set_ylim(min(lo, 0.9), max(hi, 1.1))  # never magnify a 0.1 % wiggle
    ax.set_ylabel(f"expression, {population} (1 = ref.)")
    _legend_above(ax, 3)


def scenario_timecourse(run: RunData, population: str = "E") -> Figure:
    """Scenario time course: steroids, subunit expression, cortisol and network activity at
    each probe on one time axis, with pregnancy, treatment and stress phases shaded (runs
    over 60 days: slow variables as daily mean, band = daily range)."""
    with style():
        has_slow = run.slow is not None and run.slow.sizes.get("time", 0) > 1
        has_expression = (has_slow and f"delta_{population}" in run.slow) or \
            "delta_expression" in run.probes
        shifts = [v for v in (run.slow.data_vars if has_slow else ())
                  if str(v).startswith("chloride_shift_")
                  and float(np.abs(run.slow[v]).max()) > MOVED_MV]
        panels = ["steroids"] + (["expression"] if has_expression else []) + \
            (["cortisol"] if has_slow and "cortisol" in run.slow else []) + \
            (["chloride"] if shifts else []) + \
            (["network"] if "rate" in run.probes else [])
        fig = new_figure(35 * len(panels) + (10 if len(panels) == 1 else 0))
        axes = list(np.atleast_1d(fig.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]))
        ax_of = dict(zip(panels, axes, strict=True))
        spans = phases(run)
        pt = run.probes["time"].values if "time" in run.probes.coords else np.zeros(1)
        ax = ax_of["steroids"]
        if has_slow:
            t = run.slow["time"].values
            for k, var in enumerate(("progesterone_plasma", "allo_brain", "thdoc_brain",
                                     "zuranolone_brain", "pregs_brain", "dheas_brain",
                                     "pregnenolone_plasma")):
                if var in run.slow and float(run.slow[var].max()) > 0 and (
                        k < 4 or float(run.slow[var].max()) > 1.2 * float(
                            run.slow[var].min())):  # precursors: when a treatment moves them
                    _slow_line(ax, t, run.slow[var].values, floor=1e-3, color=OKABE_ITO[k],
                               label=LABELS[var])
        elif "brain_conc" in run.probes:
            conc = run.probes["brain_conc"]
            for k, sp in enumerate(conc["species"].values):
                y = conc.sel(species=sp).values
                if y.max() > 0:
                    _probe_line(ax, pt, np.maximum(y, 1e-3), color=OKABE_ITO[k % 8],
                                label=f"{sp} (brain)")
        ax.set_yscale("log")
        ax.set_ylabel("concentration (nM)")
        if "expression" in ax_of:
            _expression_panel(ax_of["expression"], run, population, has_slow, pt)
        if "cortisol" in ax_of:
            ax = ax_of["cortisol"]
            _slow_line(ax, run.slow["time"].values, run.slow["cortisol"].values,
                       color=OKABE_ITO[4])
            ax.set_ylabel("cortisol (µg/dL)")
            load = run.slow.get("glucocorticoid_load")
            loop_gain = float((run.config.get("stress_loop") or {}).get("gain", 0.0) or 0.0)
            if load is not None and loop_gain > 0 and \
                    float(np.abs(load - 1.0).max()) > MOVED_FRACTION:
                twin = ax.twinx()  # the stress loop's drive, when the loop is on and moved
                _slow_line(twin, run.slow["time"].values, load.values, color=OKABE_ITO[5],
                           ls="--", label=LABELS["glucocorticoid_load"])
                twin.set_ylabel("glucocorticoid load (1), dashed")
        if "chloride" in ax_of:
            ax = ax_of["chloride"]
            for k, var in enumerate(shifts):
                _slow_line(ax, run.slow["time"].values, run.slow[var].values,
                           color=OKABE_ITO[(k + 6) % 8],
                           label=str(var).removeprefix("chloride_shift_"))
            ax.set_ylabel("E_GABA shift (mV)")
            _legend_above(ax, 3)
        if "network" in ax_of:
            ax = ax_of["network"]
            for k, pop in enumerate(run.probes["population"].values):
                _probe_line(ax, pt, run.probes["rate"].sel(population=pop).values,
                            color=population_colour(str(pop), k), label=str(pop))
            ax.set_ylabel("rate at probes (Hz)")
            _legend_above(ax, 4)
        axes[-1].set_xlabel("time (days)")
        for a in axes:
            _shade(a, spans)
        kinds = list(dict.fromkeys(k for k, _, _ in spans))
        handles = [*axes[0].get_legend_handles_labels()[0],
                   *[Patch(color=PHASE_COLOURS[k], alpha=0.4, label=k) for k in kinds]]
        if handles:
            _legend_above(axes[0], 2, handles=handles)
        if len(pt) == 1 and not has_slow:
            axes[-1].set_xlim(pt[0] - 0.5, pt[0] + 0.5)
        return fig


def raster(run: RunData, probe: int = 0, max_cells: int = 80, bin_ms: float = 5.0) -> Figure:
    """Spike raster (up to ``max_cells`` cells per population) and population rates of one
    probe (``bin_ms`` bins)."""
    if probe not in run.spikes:
        raise ValueError(f"probe {probe} has no spikes (run with output.save_spikes=true); "
                         f"probes with spikes: {sorted(run.spikes)}")
    with style():
        fig = new_figure(90)
        ax_r, ax_p = fig.subplots(2, 1, sharex=True, height_ratios=[2.2, 1])
        raw = run.spikes[probe]
        order = [p for p in run.sizes if p in raw] + [p for p in raw if p not in run.sizes]
        spikes = {p: raw[p] for p in order}  # network order, not the file's alphabetical one
        offset, ticks, labels = 0, [], []
        t_end = 0.0
        for k, (pop, (i, t)) in enumerate(spikes.items()):
            n = run.sizes.get(pop, int(i.max()) + 1 if len(i) else 1)
            shown = min(n, max_cells)
            keep = i < shown
            colour = population_colour(pop, k)
            ax_r.scatter(t[keep] * 1e3, i[keep] + offset, s=0.6, color=colour, lw=0,
                         rasterized=True)
            ticks.append(offset + shown / 2)
            labels.append(pop)
            offset += shown + 5
            t_end = max(t_end, float(t.max()) if len(t) else 0.0)
        duration_ms = (t_end * 1e3) if t_end > 0 else 1.0
        warm = float(run.config.get("probe", {}).get("warmup_ms", 0.0))
        window = float(run.config.get("probe", {}).get("window_ms", duration_ms))
        edges = np.arange(0.0, warm + window + bin_ms, bin_ms)
        for k, (pop, (_i, t)) in enumerate(spikes.items()):
            n = run.sizes.get(pop, 1)
            counts, _ = np.histogram(t * 1e3, edges)
            ax_p.plot(edges[:-1] + bin_ms / 2, counts / n / (bin_ms * 1e-3),
                      color=population_colour(pop, k), label=pop, lw=0.7)
        for a in (ax_r, ax_p):
            if warm > 0:
                a.axvspan(0, warm, color="0.85", lw=0, zorder=0)
        ax_r.set_yticks(ticks, labels)
        ax_r.set_ylabel("cells")
        ax_p.set_ylabel("population rate (Hz)")
        ax_p.set_xlabel("time from probe start (ms)")
        ax_p.set_xlim(0, warm + window)
        _legend_above(ax_p, 4)
        day = float(run.probes["time"].values[probe]) if "time" in run.probes.coords else 0.0
        ax_r.set_title(f"probe {probe} at day {day:.2f} (grey: warm-up, not analysed)")
        return fig


def spectra(run: RunData) -> Figure:
    """LFP-proxy power spectra of every probe (the estimator of ``probe.psd_method``:
    multitaper by default, or Welch), coloured by probe time."""
    if run.spectra is None:
        raise ValueError("the run has no spectra (no network probes)")
    with style():
        fig = new_figure(60)
        ax = fig.subplots()
        psd = run.spectra
        f = psd["frequency"].values
        t = psd["time"].values
        norm = Normalize(float(t.min()), float(t.max()) if t.max() > t.min() else t.min() + 1)
        sm = ScalarMappable(norm=norm, cmap=SEQUENTIAL_CMAP)
        keep = (f >= 0.5) & (f <= 150)
        states = ([str(x.decode() if isinstance(x, bytes) else x)
                   for x in run.probes["state"].values] if "state" in run.probes
                  else ["wake"] * psd.shape[0])
        for k in range(psd.shape[0]):
            y = psd.values[k, keep]
            ax.plot(f[keep], np.maximum(y, 1e-12), color=sm.to_rgba(t[k]), lw=0.8,
                    ls="--" if states[k] == "nrem" else "-")
        ax.set_yscale("log")
        ax.set_xscale("log")
        ax.set_xlabel("frequency (Hz)")
        ax.set_ylabel("LFP-proxy PSD (nA²/Hz)")
        for (lo, hi), name in ((DELTA_HZ, "δ"), (THETA_HZ, "θ"), (SPINDLE_HZ, "σ"),
                               (GAMMA_HZ, "γ")):
            ax.axvspan(lo, hi, color="0.92", lw=0, zorder=0)
            ax.text(np.sqrt(lo * hi), 1.0, name, transform=ax.get_xaxis_transform(),
                    ha="center", va="top")
        if "nrem" in states:
            from matplotlib.lines import Line2D

            ax.legend(handles=[Line2D([], [], color="0.3", lw=0.8, label="wake"),
                               Line2D([], [], color="0.3", lw=0.8, ls="--", label="NREM")],
                      loc="lower left", frameon=False)
            up = run.probes.get("up_fraction")
            if up is not None:
                text = ", ".join(f"{float(u):.2f}" for u, s_ in zip(up.values, states,
                                                                    strict=True)
                                 if s_ == "nrem" and np.isfinite(u))
                if text:
                    ax.set_title(f"NREM probes: time in UP states {text}", fontsize="small")
        fig.colorbar(sm, ax=ax, label="probe time (days)")
        return fig


def inhibition(run: RunData) -> Figure:
    """Tonic vs phasic GABA-A inhibition onto the LFP population at each probe: charge per
    recorded cell over the analysis window, and the tonic fraction."""
    if "tonic_charge" not in run.probes:
        raise ValueError("the run has no probe metrics")
    with style():
        fig = new_figure(70)
        ax_q, ax_f = fig.subplots(2, 1, sharex=True, height_ratios=[1.6, 1])
        t = run.probes["time"].values
        for k, name in enumerate(("tonic_charge", "phasic_charge")):
            _probe_line(ax_q, t, run.probes[name].values * 1e12, color=OKABE_ITO[k],
                        label=name.split("_")[0])
        ax_q.set_ylabel("GABA-A charge (pC)")
        _legend_above(ax_q, 2)
        _probe_line(ax_f, t, run.probes["tonic_fraction"].values, color=OKABE_ITO[2])
        ax_f.set_ylim(0, 1)
        ax_f.set_ylabel("tonic fraction")
        ax_f.set_xlabel("time (days)")
        for a in (ax_q, ax_f):
            _shade(a, phases(run))
        if len(t) == 1:
            ax_f.set_xlim(t[0] - 0.5, t[0] + 0.5)
        return fig


# --------------------------------------------------------------------------- sweeps


def _grid(df: Any, metric: str, x: str, y: str) -> tuple[np.ndarray, list, list]:
    table = df.groupby([y, x])[metric].mean().unstack(x)
    return table.to_numpy(dtype=float), list(table.columns), list(table.index)


def heatmap(df: Any, metric: str, x: str, y: str, facet: str | None = None) -> Figure:
    """Phase diagram: a summary metric over two swept parameters (mean over the others and
    over seeds), one panel per value of a third."""
    for col in (metric, x, y, *([facet] if facet else [])):
        if col not in df.columns:
            raise ValueError(f"'{col}' is not a column of the sweep; columns: {list(df.columns)}")
    if facet:
        cells = df.groupby(facet)[[x, y]].apply(lambda g: len(g.drop_duplicates()))
        if cells.max() <= 1:
            raise ValueError(
                f"--facet {facet}: every panel would hold a single cell ({len(cells)} values of "
                f"'{facet}', one run each; with seed_mode=per_job every job has its own seed). "
                "Facet by a parameter whose values repeat across runs; seeds are averaged "
                "in each cell without --facet")
    with style():
        values = sorted(df[facet].unique()) if facet else [None]
        wide = len(values) > 1 and len(values) * len(df[x].unique()) > 6
        fig = new_figure(55 if len(values) == 1 else 60,
                         DOUBLE_WIDTH_IN if wide else COLUMN_WIDTH_IN)
        width_pt = fig.get_figwidth() * 72 * 0.8 / len(values)  # one panel, roughly
        axes = np.atleast_1d(fig.subplots(1, len(values), sharey=True, squeeze=False)[0])
        scale = metric_scale(metric)
        grids = [_grid(df if v is None else df[df[facet] == v], metric, x, y) for v in values]
        allz = np.concatenate([g[0].ravel() for g in grids]) * scale
        finite = allz[np.isfinite(allz)]
        vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0, 1)
        im = None
        for ax, v, (z, xs, ys) in zip(axes, values, grids, strict=True):
            im = ax.imshow(z * scale, origin="lower", aspect="auto", cmap=SEQUENTIAL_CMAP,
                           vmin=vmin, vmax=vmax if vmax > vmin else vmin + 1)
            ax.set_xticks(range(len(xs)), [f"{u:g}" if isinstance(u, float) else str(u)
                                           for u in xs])
            ax.set_yticks(range(len(ys)), [f"{u:g}" if isinstance(u, float) else str(u)
                                           for u in ys])
            width = max(10, int(width_pt / 4.2))  # characters of 7-pt text above a panel
            ax.set_xlabel(fit_label(pretty(x), width))
            if v is not None:
                ax.set_title(fit_label(f"{pretty(facet)} = {v:g}" if isinstance(v, float)
                                       else f"{pretty(facet)} = {v}", width))
            cell_pt = width_pt / max(len(xs), 1)
            digits = 3 if cell_pt >= 18 else 2  # a 5-pt value needs ~3 pt per character
            if len(xs) * len(ys) <= 30 and cell_pt >= 12:
                for (r, c), val in np.ndenumerate(z * scale):
                    if np.isfinite(val):
                        ax.text(c, r, f"{val:.{digits}g}", ha="center", va="center",
                                fontsize=5,
                                color="white" if val < (vmin + vmax) / 2 else "black")
            if len(xs) > 4 or cell_pt < 18:
                ax.tick_params(axis="x", labelrotation=45)
                for lab in ax.get_xticklabels():
                    lab.set_ha("right")
                    lab.set_rotation_mode("anchor")
        axes[0].set_ylabel(fit_label(pretty(y)))
        fig.colorbar(im, ax=list(axes), label=fit_label(pretty(metric)))
        return fig


def spread_over(df: Any, by: Sequence[str], swept: Sequence[str] = ()) -> str:
    """What the runs pooled in one point (a group of ``by``) differ in: the swept
    parameters other than ``by`` that vary within a group, and the seed (``job_seed``)."""
    keys = list(by)
    varies = [c for c in swept if c not in keys and c in df
              and int(df.groupby(keys)[c].nunique(dropna=False).max()) > 1]
    if "job_seed" in df and int(df.groupby(keys)["job_seed"].nunique().max()) > 1:
        varies.append("seed")
    return ", ".join(pretty(c) if c != "seed" else "seed" for c in varies) or "nothing"


def dose_response(df: Any, x: str, metric: str, hue: str | None = None,
                  swept: Sequence[str] = ()) -> Figure:
    """Dose-response: a summary metric against one swept parameter, mean ± SD over the
    runs of each point (their seeds and any other swept parameter, named in the title),
    one line per value of ``hue``."""
    for col in (metric, x, *([hue] if hue else [])):
        if col not in df.columns:
            raise ValueError(f"'{col}' is not a column of the sweep; columns: {list(df.columns)}")
    with style():
        fig = new_figure(60)
        ax = fig.subplots()
        scale = metric_scale(metric)
        groups = sorted(df[hue].unique()) if hue else [None]
        xs_all = np.asarray(df[x], dtype=float)
        logx = (xs_all > 0).all() and xs_all.max() / max(xs_all.min(), 1e-300) >= 10
        symlog = not logx and (xs_all >= 0).all() and xs_all.max() >= 20 * np.min(
            xs_all[xs_all > 0], initial=np.inf)
        for k, g in enumerate(groups):
            sub = df if g is None else df[df[hue] == g]
            stats = sub.groupby(x)[metric].agg(["mean", "std", "count"]).sort_index()
            xs = stats.index.to_numpy(dtype=float)
            ax.errorbar(xs, stats["mean"] * scale, yerr=stats["std"].fillna(0) * scale,
                        color=OKABE_ITO[k % 8], marker="o", capsize=1.5, lw=1,
                        label=None if g is None else (f"{g:g}" if isinstance(g, float)
                                                      else str(g)))
        if logx:
            ax.set_xscale("log")
        elif symlog:
            ax.set_xscale("symlog", linthresh=float(np.min(xs_all[xs_all > 0])))
        ax.set_xlabel(fit_label(pretty(x), 48))
        ax.set_ylabel(fit_label(pretty(metric), 36))
        by = [x, *([hue] if hue else [])]
        n = int(df.groupby(by).size().max())
        what = spread_over(df, by, swept)
        ax.set_title(fit_label(f"mean ± SD over {n} run(s) per point" + (
            f", differing in {what}" if what != "nothing" else " (identical runs)"), 60))
        if hue:
            ax.legend(title=pretty(hue), loc="best")
        return fig


def condition_comparison(ds: xr.Dataset, by: str,
                         series: Sequence[tuple[str, str | None]] = (("tonic_charge", None),
                                                                     ("rate", "E"))) -> Figure:
    """Condition comparison (e.g. treatment none / brexanolone / zuranolone): time courses
    of tonic inhibition and E-cell rate at the probes, mean over the other swept
    parameters, one line per condition."""
    if by not in ds.dims:
        raise ValueError(f"'{by}' is not a swept parameter; swept: {list(ds.dims)}")
    with style():
        fig = new_figure(40 * len(series) + 10)
        axes = np.atleast_1d(fig.subplots(len(series), 1, sharex=True, squeeze=False)[:, 0])
        other = [d for d in ds["probe_time"].dims if d not in (by, "probe")]
        t = ds["probe_time"].mean(other).transpose(by, "probe") / 86400.0 if other else \
            ds["probe_time"].transpose(by, "probe") / 86400.0
        for ax, (name, pop) in zip(axes, series, strict=True):
            if name not in ds:
                raise ValueError(f"the sweep has no series '{name}'")
            da = ds[name] if pop is None else ds[name].sel(population=pop)
            rest = [d for d in da.dims if d not in (by, "probe")]
            mean = da.mean(rest) if rest else da
            units = ds[name].attrs.get("units", "")
            scale, unit = PLOT_SCALE.get(units, (1.0, units))
            single = ds.sizes["probe"] == 1  # one probe per run: compare at that probe
            sd = da.std(rest) if rest else None
            for k, v in enumerate(ds[by].values):
                y = mean.sel({by: v}).values * scale
                name_v = f"{v:g}" if isinstance(v, float) else str(v)
                if single:
                    err = None if sd is None else sd.sel({by: v}).values * scale
                    ax.errorbar([k], y, yerr=err, color=OKABE_ITO[k % 8], marker="o",
                                capsize=2, label=name_v)
                    continue
                tt = t.sel({by: v}).values
                ax.plot(tt, y, color=OKABE_ITO[k % 8], marker="o" if len(tt) < 30 else None,
                        label=name_v)
            label = name.replace("_", " ") + (f", {pop}" if pop else "")
            ax.set_ylabel(f"{label} ({unit})" if unit and unit != "1" else label)
        if ds.sizes["probe"] == 1:
            values = [f"{v:g}" if isinstance(v, float) else str(v) for v in ds[by].values]
            axes[-1].set_xticks(range(len(values)), values)
            axes[-1].set_xlim(-0.5, len(values) - 0.5)
            axes[-1].set_xlabel(fit_label(pretty(by) + " (mean ± SD over the other parameters)",
                                          48))
        else:
            _legend_above(axes[0], 3, title=pretty(by))
            axes[-1].set_xlabel("time (days)")
        return fig


__all__ = ["scenario_timecourse", "raster", "spectra", "inhibition", "heatmap",
           "dose_response", "condition_comparison", "phases", "pretty"]
