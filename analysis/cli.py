"""``allonet-figures PATH [--out DIR] [--format png,pdf]``: the figures that fit PATH.

PATH is a run (a ``result.h5`` or a folder holding exactly one), a virtual study (a
``study.h5`` or its folder: measured vs true, arms, correlations, responders, time
course; ``analysis.study_figures``), a virtual cohort (a
``cohort.h5`` or a folder holding one: fan charts, prevalence, risk factors;
``analysis.cohort_figures``) or a sweep (a ``sweep.h5``
or a multirun folder; ``allonet-collect`` is run first if it has no ``sweep.h5``, and again
if its ``sweep.h5`` is older than the sweep's results). Each figure is written in every
requested format with its caption and provenance (config hash, git commit, overrides)
embedded in the file's metadata, and listed in ``captions.txt``.

A run whose file is not complete (a failed or interrupted run) is refused unless
``--allow-incomplete`` is given; its figures are then marked INCOMPLETE. A file that is
missing, empty, truncated or not HDF5 gives a message naming it. Exit codes: 0 success,
2 bad input (``sims.errors``).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display needed, before anything imports pyplot

from analysis import figures  # noqa: E402
from analysis.collect import (  # noqa: E402
    SWEEP_FILE,
    collect,
    is_current,
    load_sweep,
    load_sweep_dataset,
    swept_parameters,
)
from analysis.load import load_run_data  # noqa: E402
from analysis.style import mark_incomplete, save  # noqa: E402
from sims.errors import EXIT_BAD_INPUT, ResultFileError  # noqa: E402
from sims.io import completeness, read_result  # noqa: E402

log = logging.getLogger("allonet.figures")
FORMATS = ("png", "pdf", "svg")


@dataclass
class Made:
    name: str
    caption: str
    files: list[Path]
    provenance: str = ""


def detect(path: Path) -> tuple[str, Path]:
    """``("run", result.h5)`` or ``("sweep", sweep.h5 or multirun folder)``."""
    if path.is_file():
        if path.name == SWEEP_FILE:
            return "sweep", path
        return "run", path
    if not path.is_dir():
        raise ResultFileError(path, "no such file or folder")
    if (path / SWEEP_FILE).is_file():
        return "sweep", path / SWEEP_FILE
    if (path / "result.h5").is_file():
        return "run", path / "result.h5"
    results = sorted(path.rglob("result.h5"))
    if len(results) == 1:
        return "run", results[0]
    if results:
        return "sweep", path
    raise ResultFileError(path, "no result.h5 or sweep.h5 below it")


#: Result files of the analyses (sims.calibration) -> their figure function's name.
ANALYSIS_FILES = {"calibration.h5": "calibration_figures",
                  "sensitivity.h5": "sensitivity_figures",
                  "uncertainty.h5": "uncertainty_figure", "check.h5": "check_figure"}


def _container_figures(path: Path, out: Path, formats: list[str], kind: str) -> int:
    """The figures of a virtual cohort (``cohort.h5``) or study (``study.h5``)."""
    if kind == "cohort":
        from analysis.cohort_figures import cohort_figures as make
        resume = "a shard still running, or killed: rerun the same command to resume it"
    else:
        from analysis.study_figures import study_figures as make
        resume = "killed: rerun the same command; its cohorts resume"
    state = completeness(path)
    if state == "incomplete":
        raise ResultFileError(path, f"not a complete {kind} file ({resume})")
    if state != "complete":  # the file cannot be read: say so, not "still running"
        raise ResultFileError(path, f"{state}; not a readable {kind} file")
    made = make(path, out, formats)
    print(f"wrote {sum(len(v) for v in made.values())} files to {out}")
    return 0


def analysis_file(path: Path) -> Path | None:
    """A calibration, sensitivity, uncertainty or check result at (or in) ``path``."""
    if path.is_file():
        return path if path.name in ANALYSIS_FILES else None
    if path.is_dir():
        hits = [path / n for n in ANALYSIS_FILES if (path / n).is_file()]
        return hits[0] if len(hits) == 1 else None
    return None


def _analysis_figures(path: Path, out: Path) -> int:
    """The figures of an analysis result (PNG and PDF)."""
    from analysis import calibration_figures as cf

    state = completeness(path)
    if state != "complete":
        raise ResultFileError(path, "not a complete result (the analysis was interrupted: "
                              "rerun its command)" if state == "incomplete" else state)
    out.mkdir(parents=True, exist_ok=True)
    made = getattr(cf, ANALYSIS_FILES[path.name])(path, out)
    print(f"wrote {len(made)} files to {out}")
    return 0


def _caption(fn: Callable[..., Any], extra: str = "") -> str:
    doc = " ".join((fn.__doc__ or "").split("\n\n")[0].split())
    return doc + (f" {extra}" if extra else "")


def run_figures(result: Path, out: Path, formats: list[str], probe: int | None,
                population: str, allow_incomplete: bool = False) -> list[Made]:
    """Figures 1-4 of one run (the raster only if spikes were saved).

    Raises:
        ResultFileError: the file is unreadable, or incomplete without ``allow_incomplete``.
    """
    state = completeness(result)
    incomplete = state == "incomplete"
    if state not in ("complete", "incomplete"):
        raise ResultFileError(result, state)
    if incomplete and not allow_incomplete:
        raise ResultFileError(result, "an incomplete result (the run failed or was "
                              "interrupted); --allow-incomplete draws what it holds, marked "
                              "INCOMPLETE")
    run = load_run_data(result)
    if incomplete and "rate" not in run.probes and run.slow is None:
        raise ResultFileError(result, "an incomplete result that holds no data to draw")
    prov = run.provenance
    made: list[Made] = []
    jobs: list[tuple[str, Callable[..., Any], dict[str, Any], str]] = [
        ("fig1_timecourse", figures.scenario_timecourse, {"population": population},
         f"Expression shown for population {population}."),
    ]
    if run.spikes:
        k = probe if probe is not None else sorted(run.spikes)[len(run.spikes) // 2]
        jobs.append(("fig2_raster", figures.raster, {"probe": k}, f"Probe {k}."))
    elif "rate" in run.probes:
        log.warning("no spikes saved in %s: figure 2 (raster) skipped", result)
    if run.spectra is not None:
        pr = (run.config or {}).get("probe") or {}
        method = pr.get("psd_method", "multitaper")
        how = (f"multitaper (DPSS tapers, half-bandwidth {pr.get('psd_half_bandwidth_Hz', '?')}"
               " Hz)" if method == "multitaper" else
               f"Welch ({pr.get('psd_segment_ms', '?')}-ms segments)")
        jobs.append(("fig3_spectra", figures.spectra, {},
                     f"Estimator of this run: {how} (probe.psd_method={method}); "
                     "shading: delta, theta, sigma, gamma bands; dashed: NREM probes."))
    if "tonic_charge" in run.probes:
        jobs.append(("fig4_inhibition", figures.inhibition, {}, ""))
    for name, fn, kw, extra in jobs:
        fig = fn(run, **kw)
        caption = _caption(fn, extra)
        if incomplete:
            mark_incomplete(fig)
            caption = "INCOMPLETE RUN (complete=False): " + caption
        made.append(Made(name, caption, save(fig, out / name, formats, prov, caption),
                         json.dumps(prov)))
    return made


def sweep_figures(sweep: Path, out: Path, formats: list[str], metric: str | None,
                  x: str | None, y: str | None, facet: str | None, hue: str | None,
                  compare: str | None) -> list[Made]:
    """Figures 5-7 of a sweep (collected first if needed)."""
    if sweep.is_file():
        current, changed = is_current(sweep)
        if not current:
            log.warning("%s is older than the sweep: %s; collecting again", sweep, changed)
            sweep = sweep.parent
    if sweep.is_dir():
        path, used, skipped = collect(sweep)
        for s in skipped:
            log.warning("skipped %s", s)
        if path is None:
            raise ResultFileError(sweep, "no complete run to collect")
        sweep = path
    res = read_result(sweep)  # read once; the table, swept keys and series come from it
    df = load_sweep(res)
    swept = swept_parameters(res)
    if not swept:
        raise ValueError(f"{sweep}: nothing varies between runs; no sweep figures")
    numeric = [c for c in swept if df[c].dtype.kind in "fiu"]
    metric = metric or next((m for m in ("tonic_charge_mean", "rate_E_mean", "cortisol_mean",
                                         "allo_brain_mean") if m in df), None)
    if metric is None:
        raise ValueError("no summary metric in the sweep; pass --metric")
    prov = {"sweep": str(sweep), "n_runs": str(len(df)),
            "config_hashes": ",".join(sorted(set(df["config_hash"])))[:500]}
    made: list[Made] = []
    xs = x or (numeric[0] if numeric else swept[0])
    ys = y or next((c for c in swept if c != xs), None)
    if ys is not None:
        fc = facet or next((c for c in swept if c not in (xs, ys)), None)
        fig = figures.heatmap(df, metric, xs, ys, fc)
        cap = _caption(figures.heatmap, f"Metric: {metric}; x: {xs}; y: {ys}"
                       + (f"; panels: {fc}." if fc else "."))
        made.append(Made("fig5_heatmap", cap, save(fig, out / "fig5_heatmap", formats, prov,
                                                   cap)))
    hue_col = hue or next((c for c in swept if c != xs and c != "seed"), None)
    fig = figures.dose_response(df, xs, metric, hue_col, swept)
    cap = _caption(figures.dose_response, f"Metric: {metric}; x: {xs}"
                   + (f"; lines: {hue_col}." if hue_col else "."))
    made.append(Made("fig6_dose_response", cap, save(fig, out / "fig6_dose_response", formats,
                                                     prov, cap)))
    by = compare or ("treatment" if "treatment" in swept else swept[-1])
    ds = load_sweep_dataset(res)
    if "probe_time" in ds and "tonic_charge" in ds:
        fig = figures.condition_comparison(ds, by)
        cap = _caption(figures.condition_comparison, f"Conditions: {by}.")
        made.append(Made("fig7_conditions", cap, save(fig, out / "fig7_conditions", formats,
                                                      prov, cap)))
    else:
        log.warning("the sweep has no probe series: figure 7 skipped")
    return made


def write_captions(out: Path, made: list[Made], source: Path, provenance: str) -> Path:
    lines = [f"Figures made by allonet-figures from {source}", f"provenance: {provenance}", ""]
    for m in made:
        lines += [f"{m.name}: {', '.join(p.name for p in m.files)}", f"  {m.caption}", ""]
    path = out / "captions.txt"
    path.write_text("\n".join(lines))
    return path


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point ``allonet-figures``."""
    ap = argparse.ArgumentParser(prog="allonet-figures", description=__doc__.splitlines()[0])
    ap.add_argument("path", type=Path, help="result.h5, sweep.h5, a run or a multirun folder")
    ap.add_argument("--out", type=Path, default=None,
                    help="output folder (default: PATH's folder / figures)")
    ap.add_argument("--format", default="png,pdf", help=f"comma-separated, of {FORMATS}")
    ap.add_argument("--probe", type=int, default=None, help="run: probe of the raster")
    ap.add_argument("--population", default="E", help="run: population of the expression panel")
    ap.add_argument("--metric", help="sweep: summary column (default tonic_charge_mean)")
    ap.add_argument("--x", help="sweep: parameter on the x axis")
    ap.add_argument("--y", help="sweep: second heatmap parameter")
    ap.add_argument("--facet", help="sweep: heatmap panels by this parameter")
    ap.add_argument("--hue", help="sweep: dose-response lines by this parameter")
    ap.add_argument("--compare", help="sweep: conditions of figure 7 (default treatment)")
    ap.add_argument("--allow-incomplete", action="store_true",
                    help="run: draw an incomplete result (figures marked INCOMPLETE)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="allonet-figures: %(message)s")
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        ap.error(f"--format {args.format!r}: allowed are {', '.join(FORMATS)}")
    try:
        found = analysis_file(args.path)
        if found is not None:
            return _analysis_figures(found, args.out or found.parent / "figures")
        study = args.path if args.path.name == "study.h5" else args.path / "study.h5"
        if study.is_file():
            return _container_figures(study, args.out or study.parent / "figures", formats,
                                      "study")
        cohort = args.path if args.path.name == "cohort.h5" else args.path / "cohort.h5"
        if cohort.is_file():
            return _container_figures(cohort, args.out or cohort.parent / "figures", formats,
                                      "cohort")
        kind, source = detect(args.path)
        out = args.out or (source.parent if source.is_file() else source) / "figures"
        if kind == "run":
            made = run_figures(source, out, formats, args.probe, args.population,
                               args.allow_incomplete)
            prov = made[0].provenance if made else ""
        else:
            made = sweep_figures(source, out, formats, args.metric, args.x, args.y,
                                 args.facet, args.hue, args.compare)
            prov = f"sweep {source}"
    except (ResultFileError, FileNotFoundError, ValueError, KeyError) as exc:
        print(f"allonet-figures: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    captions = write_captions(out, made, source, prov)
    n = sum(len(m.files) for m in made)
    print(f"wrote {n} files ({len(made)} figures) to {out}; captions in {captions.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
