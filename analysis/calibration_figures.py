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
    """Published vs simulated for every target of a ``targets`` / ``best_targets`` group."""
    names = _strings(group["target"])
    sim = group["simulated"][()]
    val, sig = group["published_value"][()], group["published_sigma"][()]
    lo, hi = group["published_low"][()], group["published_high"][()]
    status = _strings(group["status"])
    n = len(names)
    fig, ax = plt.subplots(figsize=(7.0, 0.32 * n + 1.2))
    for i in range(n):
        y = n - 1 - i
        if np.isfinite(val[i]):
            ref = abs(val[i]) or 1.0
            ax.errorbar(1.0, y, xerr=sig[i] / ref, fmt="s", color="0.4", ms=4, capsize=3)
        else:
            a = lo[i] if np.isfinite(lo[i]) else None
            b = hi[i] if np.isfinite(hi[i]) else None
            ref = abs((a + b) / 2) if a is not None and b is not None else abs(a or b) or 1.0
            left = a / ref if a is not None else 0.0
            right = b / ref if b is not None else max(2.0, left * 2)
            ax.plot([left, right], [y, y], color="0.6", lw=5, solid_capstyle="butt")
        if np.isfinite(sim[i]):
            color = {"pass": "tab:green", "fail": "tab:red"}.get(status[i], "0.3")
            ax.plot(sim[i] / ref, y, "o", color=color, ms=6)
    ax.set_yticks(range(n), names[::-1], fontsize=7)
    ax.set_xscale("log")
    ax.axvline(1.0, color="0.85", lw=0.8, zorder=0)
    ax.set_xlabel("value / published (grey: published ± spread or range; "
                  "dot: simulated, green pass, red fail)", fontsize=8)
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
        fig, axes = plt.subplots(k + 1, 1, figsize=(6.0, 1.6 * (k + 1) + 0.5), sharex=True)
        axes[0].semilogy(trial, np.maximum(loss, 1e-12), "o", ms=3, color="0.5",
                         label="trial")
        axes[0].semilogy(trial, np.maximum(best, 1e-12), "-", color="tab:blue",
                         label="best so far")
        axes[0].set_ylabel("loss (Σ w z²)")
        axes[0].legend(fontsize=7, frameon=False)
        ib = int(np.argmin(loss))
        for j in range(k):
            ax = axes[j + 1]
            ax.plot(trial, params[:, j], "o", ms=3, color="0.5")
            ax.plot(trial[ib], params[ib, j], "*", ms=10, color="tab:red")
            if logs[j]:
                ax.set_yscale("log")
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
                for x, y, s in zip(mu, sd, short, strict=True):
                    ax.annotate(s, (x, y), fontsize=7, xytext=(3, 3),
                                textcoords="offset points")
                top = max(float(np.max(mu)), float(np.max(sd)), 1e-12)
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
    from sims.slow.variables import BY_NAME

    with h5py.File(path) as f:
        g = f["slow_bands"]
        default = ("allo_drug_plasma", "allo_plasma", "allo_brain", "cortisol", "delta_E")
        names = variables or [n for n in default if n in g]
        names = [n for n in names if n in g]
        t = g["time"][()] / 86400.0
        fig, axes = plt.subplots(len(names), 1, figsize=(6.5, 1.9 * len(names) + 0.6),
                                 sharex=True, squeeze=False)
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
