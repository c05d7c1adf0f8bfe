"""Figures of a virtual cohort (``cohort.h5``; ``allonet-figures PATH/cohort.h5``).

- **fan chart**: median and 50 / 90 % bands of a recorded slow variable over time, one
  colour per arm, with a handful of individuals drawn over the bands;
- **prevalence**: the share of cases of every thresholded outcome, by arm, with a
  bootstrap 95 % CI (individuals resampled, 2000 draws, seeded);
- **risk factors**: Spearman rank correlation of each sampled parameter with each
  outcome value (first arm), bootstrap 95 % CI, sorted (a tornado / forest plot).

Every file carries its caption and provenance (cohort, config hash, git commit) in its
metadata (``analysis.style.save``), like the run and sweep figures.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from analysis.style import fit_label, new_figure, save, style  # noqa: E402
from sims.io import open_result

BOOTSTRAP = 2000
SEED = 20261122  # the bootstrap's resampling (a figure is reproducible)
ARM_COLOURS = ("#1b6ca8", "#c0392b", "#27ae60", "#8e44ad", "#d68910")


def _strings(ds: h5py.Dataset) -> list[str]:
    return [x.decode() if isinstance(x, bytes) else str(x) for x in ds[()]]


def _provenance(f: h5py.File) -> dict[str, str]:
    keys = ("cohort", "n", "shard", "n_shards", "config_hash", "git_commit", "seed")
    return {k: str(f.attrs[k]) for k in keys if k in f.attrs}


#: Caption of every figure written in this process, by file stem (captions.txt).
written: dict[str, str] = {}


def _finish(fig: Any, f: h5py.File, stem: Path, formats: list[str], caption: str
            ) -> list[Path]:
    """Save a cohort figure with its caption and the file's provenance, and close it."""
    paths = save(fig, stem, formats, _provenance(f), caption)
    written[Path(stem).name] = caption
    plt.close(fig)
    return paths


def load(path: str | Path) -> Any:
    """A ``cohort.h5`` as one xarray Dataset: every dataset of ``individuals/``,
    ``slow/`` (``slow/summary/`` as ``<name>``), ``probes/``, ``outcomes/`` and
    ``status/`` on the dimensions ``arm``, ``individual``, ``time`` (h), ``probe_time``
    (h) and ``population``; the root attributes as ``attrs``."""
    import xarray as xr

    data: dict[str, Any] = {}
    coords: dict[str, Any] = {}
    with open_result(path) as f:  # ResultFileError: missing, empty, truncated
        attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}

        def visit(name: str, obj: Any) -> None:
            if not isinstance(obj, h5py.Dataset):
                return
            leaf = name.rsplit("/", 1)[-1]
            dims = [d for d in str(obj.attrs.get("dims", "")).split(",") if d]
            values = obj[()]
            if obj.dtype.kind == "O":
                values = np.array(_strings(obj))
            if dims == [leaf]:
                if leaf in ("time", "probe_time"):
                    values = values / 3600.0  # seconds in the file, hours here
                coords[leaf] = values
                return
            var = xr.Variable(dims, values, attrs={
                k: (v.decode() if isinstance(v, bytes) else str(v))
                for k, v in obj.attrs.items() if k in ("units", "description", "key",
                                                       "dist", "source")})
            key = leaf if leaf not in data else name.replace("/", "_")
            data[key] = var

        f.visititems(visit)
    return xr.Dataset(data, coords=coords, attrs=attrs)


def bootstrap_prevalence(cases: np.ndarray, rng: np.random.Generator
                         ) -> tuple[float, float, float]:
    """Share of 1s among defined cases (``-1`` = undefined) and its bootstrap 95 % CI."""
    x = cases[cases >= 0].astype(float)
    if len(x) == 0:
        return np.nan, np.nan, np.nan
    draws = rng.choice(x, size=(BOOTSTRAP, len(x)), replace=True).mean(axis=1)
    return float(x.mean()), float(np.quantile(draws, 0.025)), float(np.quantile(draws, 0.975))


def _rank(x: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata

    return rankdata(x, axis=-1)


def spearman_ci(x: np.ndarray, y: np.ndarray, rng: np.random.Generator
                ) -> tuple[float, float, float]:
    """Spearman's rho of ``x`` and ``y`` (finite pairs) with a bootstrap 95 % CI."""
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if len(x) < 4 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return np.nan, np.nan, np.nan
    rho = float(np.corrcoef(_rank(x), _rank(y))[0, 1])
    idx = rng.integers(0, len(x), size=(BOOTSTRAP, len(x)))
    rx, ry = _rank(x[idx]), _rank(y[idx])
    rx -= rx.mean(axis=1, keepdims=True)
    ry -= ry.mean(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (rx * ry).sum(axis=1) / np.sqrt((rx ** 2).sum(axis=1) * (ry ** 2).sum(axis=1))
    r = r[np.isfinite(r)]
    return rho, float(np.quantile(r, 0.025)), float(np.quantile(r, 0.975))


def fan_chart(f: h5py.File, variable: str, out: Path, formats: list[str],
              highlight: int = 4) -> list[Path]:
    """Median and 50 / 90 % bands of a slow variable over the cohort, by arm."""
    arms = _strings(f["slow/arm"])
    t = f["slow/time"][()] / 86400.0
    v = f[f"slow/{variable}"][()]  # [arm, individual, time]
    unit = str(f[f"slow/{variable}"].attrs.get("units", ""))
    fig = new_figure(60)
    ax = fig.add_subplot(111)
    for a, arm in enumerate(arms):
        col = ARM_COLOURS[a % len(ARM_COLOURS)]
        q = np.nanquantile(v[a], [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
        ax.fill_between(t, q[0], q[4], color=col, alpha=0.15, lw=0)
        ax.fill_between(t, q[1], q[3], color=col, alpha=0.3, lw=0)
        ax.plot(t, q[2], color=col, lw=1.2, label=f"{arm} (median, 50/90 %)")
        for j in np.linspace(0, v.shape[1] - 1, min(highlight, v.shape[1])).astype(int):
            ax.plot(t, v[a, j], color=col, lw=0.5, alpha=0.8, ls="--")
    ax.set_xlabel("time (days)")
    ax.set_ylabel(f"{variable} ({unit})")
    # below the axes, never over the bands
    fig.legend(fontsize=6, frameon=False, loc="outside lower center", ncol=min(len(arms), 2))
    caption = (f"Cohort '{f.attrs['cohort']}', {v.shape[1]} individuals: {variable} "
               f"({unit}) over time, by arm (colour): median (line), 50 % and 90 % bands "
               f"(shading, between individuals); dashed: {min(highlight, v.shape[1])} single "
               "individuals spread over the cohort's index.")
    return _finish(fig, f, out / f"cohort_fan_{variable}", formats, caption)


def prevalence(f: h5py.File, out: Path, formats: list[str]) -> list[Path]:
    """Prevalence of every thresholded outcome by arm, bootstrap 95 % CI."""
    g = f["outcomes"]
    cases = [n for n in g if n.endswith("_case")]
    if not cases:
        return []
    arms = _strings(g["arm"])
    rng = np.random.default_rng(SEED)
    fig = new_figure(20 + 12 * len(cases))
    ax = fig.add_subplot(111)
    width = 0.8 / len(arms)
    for a, arm in enumerate(arms):
        est = [bootstrap_prevalence(g[c][a], rng) for c in cases]
        y = np.arange(len(cases)) + a * width
        p = np.array([e[0] for e in est])
        lo = p - np.array([e[1] for e in est])
        hi = np.array([e[2] for e in est]) - p
        ax.barh(y, p, height=width, color=ARM_COLOURS[a % len(ARM_COLOURS)], label=arm)
        ax.errorbar(p, y, xerr=[lo, hi], fmt="none", ecolor="k", lw=0.8, capsize=2)
        for c, yy, pp, h in zip(cases, y, p, hi, strict=True):
            vals = g[c][a]
            n_def = int(np.sum(vals >= 0))
            ax.text(min(pp + h + 0.02, 0.75), yy, f"{100 * pp:.0f} % "
                    f"({int(np.sum(vals == 1))}/{n_def})", va="center", fontsize=6)
    ax.set_yticks(np.arange(len(cases)) + (len(arms) - 1) * width / 2,
                  [c[:-5] for c in cases], fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.6, len(cases) - 0.4 + (len(arms) - 1) * width)
    ax.set_xlabel("prevalence (share of individuals)")
    fig.legend(fontsize=6, frameon=False, loc="outside lower center", ncol=min(len(arms), 3))
    caption = (f"Cohort '{f.attrs['cohort']}': share of individuals who are cases of each "
               "thresholded outcome (bar, value and cases / individuals with a defined "
               f"outcome printed), by arm (colour); whiskers: bootstrap 95 % CI ({BOOTSTRAP} "
               "resamples of the individuals).")
    return _finish(fig, f, out / "cohort_prevalence", formats, caption)


def _wrap_key(key: str, width: int = 28) -> str:
    """A dotted config key broken into lines at its dots (a narrow tick label)."""
    return fit_label(key.replace(".", ". "), width).replace(". ", ".").replace(".\n", ".\n")


def risk_factors(f: h5py.File, outcome: str, out: Path, formats: list[str],
                 arm: int = 0) -> list[Path]:
    """Spearman correlation of each sampled parameter with an outcome, sorted, 95 % CI."""
    ind = f["individuals"]
    params = [n for n in ind if n not in ("individual", "seed")]
    y = f[f"outcomes/{outcome}"][arm]
    rng = np.random.default_rng(SEED)
    x, names = {}, {}
    for p in params:
        if ind[p].dtype.kind == "O":  # a categorical of names: its options coded 0, 1, ...
            values = np.array(_strings(ind[p]))
            options = sorted(set(values.tolist()))
            x[p] = np.array([options.index(v) for v in values], dtype=float)
            names[p] = ", ".join(f"{o}={i}" for i, o in enumerate(options))
        else:
            x[p] = ind[p][()]
    est = {p: spearman_ci(x[p], y, rng) for p in params}
    order = sorted(params, key=lambda p: abs(est[p][0]) if np.isfinite(est[p][0]) else -1)
    fig = new_figure(30 + 10 * len(params))
    ax = fig.add_subplot(111)
    for i, p in enumerate(order):
        rho, lo, hi = est[p]
        col = "#c0392b" if np.isfinite(lo) and (lo > 0 or hi < 0) else "0.4"
        ax.plot([lo, hi], [i, i], color=col, lw=1.5)
        ax.plot(rho, i, "o", color=col, ms=4)
    ax.axvline(0, color="0.8", lw=0.8, zorder=0)
    ax.set_yticks(range(len(order)), [
        p + "\n" + _wrap_key(f"{ind[p].attrs.get('key', '')}"
                             f"{'; ' + names[p] if p in names else ''}")
        for p in order], fontsize=5)
    ax.set_xlim(-1, 1)
    ax.set_xticks([-1, -0.5, 0, 0.5, 1])
    ax.set_ylim(-0.6, len(order) - 0.4)
    ax.set_xlabel(fit_label(f"Spearman rho with {outcome} (95 % CI)", 40))
    arm_name = _strings(f["outcomes/arm"])[arm]
    ax.set_title(f"arm {arm_name}", fontsize=6)
    from matplotlib.lines import Line2D

    fig.legend(handles=[Line2D([], [], color="#c0392b", marker="o", ms=3, lw=1.2,
                               label="CI excludes 0"),
                        Line2D([], [], color="0.4", marker="o", ms=3, lw=1.2,
                               label="CI includes 0")],
               fontsize=6, frameon=False, loc="outside lower center", ncol=2)
    caption = (f"Cohort '{f.attrs['cohort']}', arm {arm_name}: rank correlation of each "
               f"sampled parameter with the outcome {outcome}, bootstrap 95 % CI; red: CI "
               "excludes 0. Sorted by |rho|. A categorical of names enters by its options' "
               "codes (given in its label).")
    return _finish(fig, f, out / f"cohort_risk_{outcome}", formats, caption)


def _cohort_figures(path: str | Path, out: str | Path, formats: list[str] | None = None
                   ) -> dict[str, list[Path]]:
    """Every figure of a cohort file: a fan chart per recorded slow variable, the
    prevalence of the thresholded outcomes, and the risk factors of each outcome."""
    formats = formats or ["png", "pdf"]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    made: dict[str, list[Path]] = {}
    captions = []
    with h5py.File(path, "r") as f:
        slow = [n for n in f.get("slow", {}) if isinstance(f["slow"][n], h5py.Dataset)
                and f["slow"][n].ndim == 3]
        for v in slow:
            made[f"fan_{v}"] = fan_chart(f, v, out, formats)
        made["prevalence"] = prevalence(f, out, formats)
        for o in f.get("outcomes", {}):
            ds = f["outcomes"][o]
            if ds.ndim == 2 and ds.dtype.kind == "f":
                made[f"risk_{o}"] = risk_factors(f, o, out, formats)
        for paths in made.values():
            if paths:
                captions.append(f"{paths[0].stem}: {written[paths[0].stem]}")
        (out / "captions.txt").write_text("\n".join(captions) + "\n")
        (out / "provenance.json").write_text(json.dumps(_provenance(f), indent=1))
    return {k: v for k, v in made.items() if v}


def cohort_figures(path: str | Path, out: str | Path, formats: list[str] | None = None
                   ) -> dict[str, list[Path]]:
    """Every figure of the file (see ``_cohort_figures``), built in allonet's style (the fonts
    and sizes of the saved file are those the layout was made with)."""
    with style():
        return _cohort_figures(path, out, formats)
