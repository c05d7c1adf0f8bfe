"""Figures: the functions' content (labels, extents, counts), the CLI's files for a run and
a sweep, metadata with provenance, and a rendered PNG that is the right size and not blank.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.image import imread
from PIL import Image

from analysis import cli, figures
from analysis.load import load_run_data
from analysis.style import COLUMN_WIDTH_IN
from sims.config import compose
from sims.simulate import simulate

PREGNANCY = ["sim=debug", "scenario=pregnancy_postpartum", "coupling.cadence_h=96",
             "treatment=brexanolone"]


@pytest.fixture(scope="module")
def pregnancy_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    simulate(compose(PREGNANCY), out_dir=out, overrides=PREGNANCY)
    return out / "result.h5"


def test_timecourse_has_every_panel_with_units_and_phases(pregnancy_run):
    run = load_run_data(pregnancy_run)
    fig = figures.scenario_timecourse(run)
    labels = [a.get_ylabel() for a in fig.axes]
    assert labels == ["concentration (nM)", "expression, E (1 = ref.)", "cortisol (µg/dL)",
                      "rate at probes (Hz)"]
    assert fig.axes[-1].get_xlabel() == "time (days)"
    steroid_lines = fig.axes[0].get_lines()
    assert len(steroid_lines) >= 3  # progesterone, ALLO, THDOC
    t = steroid_lines[0].get_xdata()
    assert t[0] == pytest.approx(0.0) and t[-1] == pytest.approx(28.0, abs=0.01)
    assert len(fig.axes[-1].get_lines()) == 4  # one per population
    n_probes = run.probes.sizes["time"]
    assert len(fig.axes[-1].get_lines()[0].get_xdata()) == n_probes == 7
    kinds = {k for k, _, _ in figures.phases(run)}
    assert kinds == {"pregnancy", "treatment"}
    (start, end), = [(a, b) for k, a, b in figures.phases(run) if k == "pregnancy"]
    assert end == pytest.approx(14.0)  # delivery day of the scenario
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "pregnancy" in legend and "treatment" in legend


def test_timecourse_shows_the_chloride_shift_and_glucocorticoid_load_when_moved(tmp_path):
    """Mechanisms: the new slow variables appear in the time course when a run moves
    them (stress with the loop on shifts PVN E_GABA and raises the load); the values drawn
    are the stored ones."""
    over = ["coupling=slow_only", "scenario=stress_recovery", "scenario.duration_days=21",
            "scenario.stress_days=10", "stress_loop=on"]
    simulate(compose(over), out_dir=tmp_path, overrides=over)
    run = load_run_data(tmp_path / "result.h5")
    fig = figures.scenario_timecourse(run)
    labels = [a.get_ylabel() for a in fig.axes]
    assert labels == ["concentration (nM)", "expression, E (1 = ref.)", "cortisol (µg/dL)",
                      "E_GABA shift (mV)", "glucocorticoid load (1), dashed"]
    shift, = fig.axes[3].get_lines()
    assert shift.get_label() == "PVN"
    assert max(shift.get_ydata()) == pytest.approx(
        float(run.slow["chloride_shift_PVN"].max()), rel=1e-6)
    assert max(shift.get_ydata()) > 5.0  # mV: stress depolarises PVN E_GABA
    load, = fig.axes[-1].get_lines()
    assert max(load.get_ydata()) == pytest.approx(
        float(run.slow["glucocorticoid_load"].max()), rel=1e-6)


def test_long_runs_show_daily_mean_and_range():
    """Over 60 days, circadian swings would fill the panel: daily mean line + range band."""
    from matplotlib.figure import Figure

    t = np.arange(0, 100, 1 / 48)  # 100 days, 30-min samples
    y = 10 + 5 * np.sin(2 * np.pi * t) + 0.1 * t
    ax = Figure().subplots()
    figures._slow_line(ax, t, y)
    line = ax.get_lines()[0]
    assert len(line.get_xdata()) == 100 and line.get_xdata()[0] == pytest.approx(0.5)
    np.testing.assert_allclose(line.get_ydata(), [y[(t >= d) & (t < d + 1)].mean()
                                                  for d in range(100)])
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert band.max() == pytest.approx(y.max()) and band.min() == pytest.approx(y.min())


def test_raster_spectra_inhibition(pregnancy_run):
    run = load_run_data(pregnancy_run)
    fig = figures.raster(run, probe=2)
    raster_ax, rate_ax = fig.axes
    assert len(raster_ax.collections) == 4  # one scatter per population
    assert [t.get_text() for t in raster_ax.get_yticklabels()] == ["E", "PV", "SST", "PVN"]
    assert rate_ax.get_ylabel() == "population rate (Hz)" and len(rate_ax.get_lines()) == 4
    assert rate_ax.get_xlim()[1] == pytest.approx(700.0)  # 200 ms warm-up + 500 ms window
    with pytest.raises(ValueError, match="probes with spikes"):
        figures.raster(run, probe=99)
    fig = figures.spectra(run)
    assert len(fig.axes[0].get_lines()) == run.probes.sizes["time"]
    assert fig.axes[0].get_yscale() == "log" and "Hz" in fig.axes[0].get_xlabel()
    fig = figures.inhibition(run)
    q = fig.axes[0].get_lines()
    assert len(q) == 2 and fig.axes[0].get_ylabel() == "GABA-A charge (pC)"
    np.testing.assert_allclose(q[0].get_ydata(), run.probes["tonic_charge"].values * 1e12)


def _synthetic_sweep() -> pd.DataFrame:
    rows = []
    for allo in (1.0, 10.0, 100.0):
        for delta in (0.5, 1.0):
            for gamma2 in (0.5, 1.0):
                for seed in (1, 2, 3):
                    rows.append({"steroids.brain_nM.allo": allo, "delta": delta,
                                 "gamma2": gamma2, "seed": seed, "config_hash": "x",
                                 "tonic_charge_mean": 1e-12 * allo * delta + 1e-14 * seed})
    return pd.DataFrame(rows)


def test_sweep_heatmap_and_dose_response_content():
    df = _synthetic_sweep()
    fig = figures.heatmap(df, "tonic_charge_mean", "steroids.brain_nM.allo", "delta",
                          facet="gamma2")
    panels = [a for a in fig.axes if a.get_images()]
    assert len(panels) == 2 and panels[0].get_xlabel() == "brain ALLO (nM)"
    z = panels[0].get_images()[0].get_array()
    assert z.shape == (2, 3) and z[1, 2] == pytest.approx(100.0 + 0.02, rel=1e-6)  # pC
    fig = figures.dose_response(df, "steroids.brain_nM.allo", "tonic_charge_mean", "delta")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_ylabel() == "tonic GABA-A charge (pC)"
    assert len(ax.containers) == 2  # one errorbar line per delta value
    assert "over 6 run(s)" in ax.get_title(loc="left")  # 3 seeds x 2 gamma2 per point


def test_cli_writes_every_run_figure_with_provenance(pregnancy_run, tmp_path):
    assert cli.main([str(pregnancy_run.parent), "--out", str(tmp_path)]) == 0
    names = {p.name for p in tmp_path.iterdir()}
    for k in ("fig1_timecourse", "fig2_raster", "fig3_spectra", "fig4_inhibition"):
        assert {f"{k}.png", f"{k}.pdf"} <= names
    captions = (tmp_path / "captions.txt").read_text()
    run = load_run_data(pregnancy_run)
    assert run.attrs["config_hash"] in captions and "Spike raster" in captions
    png = tmp_path / "fig1_timecourse.png"
    meta = Image.open(png).text
    assert meta["allonet:config_hash"] == run.attrs["config_hash"]
    assert meta["allonet:git_commit"] == run.attrs["git_commit"]
    assert "Scenario time course" in meta["Description"]
    img = imread(png)
    assert img.shape[1] == pytest.approx(COLUMN_WIDTH_IN * 300, abs=2)  # 85 mm at 300 dpi
    assert img[..., :3].std() > 0.05  # not blank
    pdf = (tmp_path / "fig3_spectra.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and run.attrs["config_hash"].encode() in pdf


def test_cli_rejects_bad_input(tmp_path, capsys):
    assert cli.main([str(tmp_path / "missing")]) == 2
    assert "no such file" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        cli.main([str(tmp_path), "--format", "jpg"])
    assert exc.value.code == 2


def _withdrawal_like() -> tuple[pd.DataFrame, object]:
    """A sweep table and series shaped like withdrawal_grid's (long labels, 3 x 3)."""
    import xarray as xr

    rows = []
    taus, treatments = (0.75, 3.0, 10.0), ("none", "brexanolone", "zuranolone")
    for tau in taus:
        for k, tr in enumerate(treatments):
            rows.append({"homeostasis.tau_up_days": tau, "treatment": tr,
                         "job_seed": 100 * tau + k,  # per-job seeds: one per row
                         "config_hash": "x", "tonic_charge_postpartum_mean": 1e-12 * tau * (k + 1),
                         "rate_E_postpartum_mean": 3.0 + tau})
    df = pd.DataFrame(rows)
    t = np.arange(6) * 43200.0
    ds = xr.Dataset(
        {"probe_time": (("treatment", "probe"), np.tile(t, (3, 1))),
         "tonic_charge": (("treatment", "probe"), np.ones((3, 6)) * 1e-12, {"units": "C"}),
         "rate": (("treatment", "probe", "population"), np.ones((3, 6, 2)) * 4.0,
                  {"units": "Hz"})},
        coords={"treatment": list(treatments), "population": ["E", "PV"]})
    return df, ds


def test_every_figure_keeps_its_text_inside_the_canvas(pregnancy_run):
    """Labels, ticks, titles, colour-bar labels and legends stay readable in the file:
    inside the canvas, and none printed over another."""
    from analysis.style import overlapping_texts, text_outside_canvas

    run = load_run_data(pregnancy_run)
    df, ds = _withdrawal_like()
    made = {
        "timecourse": figures.scenario_timecourse(run), "raster": figures.raster(run, 2),
        "spectra": figures.spectra(run), "inhibition": figures.inhibition(run),
        "heatmap": figures.heatmap(df, "tonic_charge_postpartum_mean",
                                   "homeostasis.tau_up_days", "treatment"),
        "heatmap-facets": figures.heatmap(_synthetic_sweep(), "tonic_charge_mean",
                                          "steroids.brain_nM.allo", "delta", facet="gamma2"),
        "dose-response": figures.dose_response(df, "homeostasis.tau_up_days",
                                               "rate_E_postpartum_mean", "treatment"),
        "conditions": figures.condition_comparison(ds, "treatment"),
    }
    outside = {name: text_outside_canvas(fig) for name, fig in made.items()}
    assert outside == {name: [] for name in made}
    overlaps = {name: overlapping_texts(fig) for name, fig in made.items()}
    assert overlaps == {name: [] for name in made}


def test_a_facet_with_one_run_per_panel_is_refused():
    """With per-job seeds every job has its own seed: faceting by it gives one-cell panels."""
    df, _ = _withdrawal_like()
    with pytest.raises(ValueError, match="single cell"):
        figures.heatmap(df, "tonic_charge_postpartum_mean", "homeostasis.tau_up_days",
                        "treatment", facet="job_seed")


def test_the_canvas_check_finds_clipped_text():
    from analysis.style import new_figure, text_outside_canvas

    fig = new_figure(40)
    ax = fig.subplots()
    ax.set_ylabel("a label far too long to fit along the side of a 40-mm-high panel at 7 pt")
    fig.text(1.2, 0.5, "off the canvas")
    assert set(text_outside_canvas(fig)) == {
        "a label far too long to fit along the side of a 40-mm-high panel at 7 pt",
        "off the canvas"}


def test_the_overlap_check_finds_text_printed_over_text():
    from analysis.style import mark_incomplete, new_figure, overlapping_texts

    fig = new_figure(40)
    ax = fig.subplots()
    ax.set_xticks([0.0, 0.02], ["a long tick label", "another long one"])
    ax.text(0.5, 0.5, "note A", transform=ax.transAxes)
    ax.text(0.52, 0.5, "note B", transform=ax.transAxes)
    ax.text(0.1, 0.9, "apart", transform=ax.transAxes)
    mark_incomplete(fig)  # drawn over the data on purpose: not a finding
    found = {frozenset(p) for p in overlapping_texts(fig)}
    assert found == {frozenset({"a long tick label", "another long one"}),
                     frozenset({"note A", "note B"})}
