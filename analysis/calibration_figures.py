"""Figures of calibrations, sensitivity analyses and target checks.

* :func:`calibration_figures` -- loss history (every trial and the best so far) with the
  parameter traces, and the best trial's target table;
* :func:`target_figure` -- published vs simulated, each target on its own row, both
  divided by the published value (or the range's middle), with the published spread as
  an error bar (or the range as a bar);
* :func:`sensitivity_figures` -- Morris mu*-sigma per outcome, or Sobol S1/ST bars with
  their confidence intervals.

Each writes PNG and PDF next to the result and returns the paths.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import h5py  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import NullFormatter  # noqa: E402

from sims.slow.variables import BY_NAME


def _strings(ds: h5py.Dataset) -> list[str]:
    return [x.decode() if isinstance(x, bytes) else str(x) for x in ds[()]]


def _save(fig: plt.Figure, out: Path, stem: str) -> dict[str, Path]:
    paths = {}
    for ext in ("png", "pdf"):
        p = out / f"{stem}.{ext}"
        fig.savefig(p, dpi=150, bbox_inches="tight")
        paths[f"{stem}_{ext}"] = p
    plt.close(fig)
    return paths


def target_figure(group: h5py.Group, out: Path, stem: str = "targets",
                  title: str = "") -> dict[str, Path]:
    """Published vs simulated for every target of a ``targets`` / ``best_targets`` group,
    each divided by its reference: the published value, a two-sided range's middle, or a
    one-sided range's bound (then drawn as an arrow to the edge: ``> a`` has no upper
    end). A skipped target gets its reason, no bar."""
    from matplotlib.ticker import LogLocator

    names = _strings(group["target"])
    sim = group["simulated"][()]
    val, sig = group["published_value"][()], group["published_sigma"][()]
    lo, hi = group["published_low"][()], group["published_high"][()]
    status = _strings(group["status"])
    n = len(names)
    refs, spans = [], []
    for i in range(n):
        a = lo[i] if np.isfinite(lo[i]) else None
        b = hi[i] if np.isfinite(hi[i]) else None
        if np.isfinite(val[i]):
            ref = abs(val[i]) or 1.0
            spans.append((max(val[i] - sig[i], 1e-12) / ref, (val[i] + sig[i]) / ref))
        elif a is not None and b is not None:
            ref = abs((a + b) / 2) or 1.0
            spans.append((a / ref, b / ref))
        else:
            ref = abs(a if a is not None else b) or 1.0
            spans.append((1.0, 1.0))
        refs.append(ref)
    ratios = [sim[i] / refs[i] for i in range(n) if np.isfinite(sim[i]) and sim[i] > 0]
    ends = [x for s_ in spans for x in s_ if x > 0] + ratios + [1.0]
    xmin, xmax = min(ends) / 2, max(ends) * 2
    fig, ax = plt.subplots(figsize=(7.0, 0.32 * n + 1.6), layout="constrained")
    for i in range(n):
        y = n - 1 - i
        a = lo[i] if np.isfinite(lo[i]) else None
        b = hi[i] if np.isfinite(hi[i]) else None
        if status[i] == "skipped":
            ax.text(1.0, y, "skipped (not computed in this run)", va="center", ha="center",
                    fontsize=6, color="0.4", style="italic")
            continue
        if np.isfinite(val[i]):
            ax.errorbar(1.0, y, xerr=[[1.0 - spans[i][0]], [spans[i][1] - 1.0]], fmt="s",
                        color="0.4", ms=4, capsize=3)
        elif a is not None and b is not None:
            ax.plot(spans[i], [y, y], color="0.6", lw=5, solid_capstyle="butt")
        elif a is not None:  # > a: from the bound to the edge
            ax.plot([1.0, xmax], [y, y], color="0.6", lw=5, solid_capstyle="butt")
            ax.plot(xmax, y, ">", color="0.6", ms=6, clip_on=False)
        else:  # < b
            ax.plot([xmin, 1.0], [y, y], color="0.6", lw=5, solid_capstyle="butt")
            ax.plot(xmin, y, "<", color="0.6", ms=6, clip_on=False)
        if np.isfinite(sim[i]) and sim[i] > 0:
            color = {"pass": "tab:green", "fail": "tab:red"}.get(status[i], "0.3")
            ax.plot(sim[i] / refs[i], y, "o", color=color, ms=6)
    roles = _strings(group["role"]) if "role" in group else ["calibration"] * n
    labels = [nm if r == "calibration" else f"{nm} [{r}]"  # validation, mechanism
              for nm, r in zip(names, roles, strict=True)]
    ax.set_yticks(range(n), labels[::-1], fontsize=7)
    ax.set_xscale("log")
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(-0.7, n - 0.3)
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0), numticks=12))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda x, _: f"{x:g}"))
    ax.axvline(1.0, color="0.85", lw=0.8, zorder=0)
    ax.set_xlabel("value / reference (published value, range middle, or one-sided bound)\n"
                  "grey: published ± spread, range, or one-sided range (arrow)\n"
                  "dot: simulated (green pass, red fail)", fontsize=7)
    if title:
        ax.set_title(title, fontsize=9)
    return _save(fig, out, stem)


def calibration_figures(path: str | Path, out: str | Path) -> dict[str, Path]:
    """Loss history with parameter traces, and the best trial's target table."""
    out = Path(out)
    with h5py.File(path) as f:
        g = f["trials"]
        trial, loss, best = g["trial"][()], g["loss"][()], g["best_so_far"][()]
        names, params = _strings(g["parameter"]), g["params"][()]
        logs = g["log"][()]
        name = str(f.attrs.get("name", ""))
        k = len(names)
        fig, axes = plt.subplots(k + 1, 1, figsize=(6.0, 1.6 * (k + 1) + 0.5), sharex=True,
                                 layout="constrained")
        axes[0].semilogy(trial, np.maximum(loss, 1e-12), "o", ms=3, color="0.5",
                         label="trial")
        axes[0].semilogy(trial, np.maximum(best, 1e-12), "-", color="tab:blue",
                         label="best so far")
        axes[0].set_ylabel("loss (Σ w z²)")
        axes[0].yaxis.set_minor_formatter(NullFormatter())
        axes[0].legend(fontsize=7, frameon=False)
        ib = int(np.argmin(loss))
        for j in range(k):
            ax = axes[j + 1]
            ax.plot(trial, params[:, j], "o", ms=3, color="0.5")
            ax.plot(trial[ib], params[ib, j], "*", ms=10, color="tab:red")
            if logs[j]:
                ax.set_yscale("log")
                ax.yaxis.set_minor_formatter(NullFormatter())  # no crowded minor labels
            ax.set_ylabel(names[j].rsplit(".", 1)[-1], fontsize=8)
        axes[-1].set_xlabel("trial")
        axes[0].set_title(f"calibration {name}", fontsize=9)
        paths = _save(fig, out, "calibration_history")
        paths.update(target_figure(f["best_targets"], out, "calibration_targets",
                                   f"calibration {name}: best trial {trial[ib]}"))
    return paths


def sensitivity_figures(path: str | Path, out: str | Path) -> dict[str, Path]:
    """Morris mu*-sigma plots, or Sobol S1/ST bars with CIs, one panel per outcome."""
    out = Path(out)
    with h5py.File(path) as f:
        g = f["indices"]
        outcomes, params = _strings(g["outcome"]), _strings(g["parameter"])
        method = str(f.attrs.get("method", "morris"))
        name = str(f.attrs.get("name", ""))
        n = len(outcomes)
        fig, axes = plt.subplots(1, n, figsize=(4.0 * n, 3.4), squeeze=False)
        short = [p.rsplit(".", 1)[-1] for p in params]
        for i, o in enumerate(outcomes):
            ax = axes[0, i]
            if method == "morris":
                mu, sd, ci = g["mu_star"][i], g["sigma"][i], g["mu_star_conf"][i]
                ax.errorbar(mu, sd, xerr=ci, fmt="o", ms=4, color="tab:blue", capsize=2)
                top = max(float(np.max(mu)), float(np.max(sd)), 1e-12)
                # parameters at (nearly) the same point share one label, one per line
                spots: dict[tuple[int, int], list[str]] = {}
                for x, y, s_ in zip(mu, sd, short, strict=True):
                    spots.setdefault((round(20 * x / top), round(20 * y / top)), []).append(s_)
                for k, (spot, labels) in enumerate(sorted(spots.items())):
                    x, y = spot[0] * top / 20, spot[1] * top / 20
                    ax.annotate("\n".join(labels), (x, y), fontsize=6, va="bottom",
                                xytext=(4, 4 + 3 * (k % 2)), textcoords="offset points")
                ax.plot([0, top], [0, top], ":", color="0.7", lw=0.8)
                ax.set_xlabel("μ* (mean |elementary effect|)")
                ax.set_ylabel("σ (spread of effects)")
            else:
                x = np.arange(len(params))
                ax.bar(x - 0.2, g["S1"][i], 0.4, yerr=g["S1_conf"][i], label="S1",
                       capsize=2, color="tab:blue")
                ax.bar(x + 0.2, g["ST"][i], 0.4, yerr=g["ST_conf"][i], label="ST",
                       capsize=2, color="tab:orange")
                ax.set_xticks(x, short, rotation=30, ha="right", fontsize=7)
                ax.set_ylabel("Sobol index")
                ax.legend(fontsize=7, frameon=False)
            ax.set_title(o, fontsize=9)
        fig.suptitle(f"sensitivity {name} ({method})", fontsize=10)
        fig.tight_layout()
        return _save(fig, out, "sensitivity")


def check_figure(path: str | Path, out: str | Path) -> dict[str, Path]:
    """The target table of an ``allonet-check`` result (``check.h5``)."""
    with h5py.File(path) as f:
        return target_figure(f["targets"], Path(out), "check_targets", "allonet-check")


def uncertainty_figure(path: str | Path, out: str | Path,
                       variables: list[str] | None = None) -> dict[str, Path]:
    """Bands (outer quantiles shaded, median line) of slow variables across the accepted
    sets of a calibration (``uncertainty.h5``)."""

    with h5py.File(path) as f:
        g = f["slow_bands"]
        default = ("allo_drug_plasma", "allo_plasma", "allo_brain", "cortisol", "delta_E")
        names = variables or [n for n in default if n in g]
        names = [n for n in names if n in g]
        t = g["time"][()] / 86400.0
        fig, axes = plt.subplots(len(names), 1, figsize=(6.5, 1.9 * len(names) + 0.6),
                                 sharex=True, squeeze=False, layout="constrained")
        for ax, n in zip(axes[:, 0], names, strict=True):
            q = g[n][()]
            mid = q.shape[1] // 2
            ax.fill_between(t, q[:, 0], q[:, -1], color="tab:blue", alpha=0.25, lw=0)
            ax.plot(t, q[:, mid], color="tab:blue", lw=1.2)
            unit = BY_NAME[n].unit if n in BY_NAME else ""
            ax.set_ylabel(f"{n} ({unit})" if unit else n, fontsize=8)
        axes[-1, 0].set_xlabel("time (days)")
        qs = f["quantile/quantile"][()]
        axes[0, 0].set_title(f"{int(f.attrs['n_sets'])} accepted sets of "
                             f"{f.attrs['study']}: quantiles {qs[0]:g}-{qs[-1]:g} (shaded), "
                             "median (line)", fontsize=8)
        return _save(fig, Path(out), "uncertainty")
