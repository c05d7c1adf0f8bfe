"""The calibration, check and sensitivity figures keep their text readable (no text over
another, none outside the canvas) on tables made to provoke it: one-sided ranges,
skipped targets, a log axis over a short span, parameters at the same (mu*, sigma)."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

import analysis.calibration_figures as cf
from analysis.style import overlapping_texts, text_outside_canvas


@pytest.fixture
def drawn(monkeypatch):
    figs = {}

    def keep(fig, out, stem):
        figs[stem] = fig
        return {}

    monkeypatch.setattr(cf, "_save", keep)
    return figs


def _targets(f: h5py.File) -> h5py.Group:
    g = f.create_group("targets")
    names = ["a_value", "b_range", "c_more_than", "d_less_than", "e_skipped", "f_fail"]
    nan = np.nan
    cols = {"simulated": [1.1, 3.0, 2.87, 0.5, nan, 9.0],
            "published_value": [1.0, nan, nan, nan, 2.0, 3.0],
            "published_sigma": [0.2, nan, nan, nan, 0.5, 0.3],
            "published_low": [nan, 2.0, 1.0, nan, nan, nan],
            "published_high": [nan, 4.0, nan, 1.0, nan, nan]}
    g["target"] = np.array(names, dtype=object).astype("S")
    g["status"] = np.array(["pass", "pass", "pass", "pass", "skipped", "fail"]).astype("S")
    for k, v in cols.items():
        g[k] = np.array(v)
    return g


def test_the_target_figure_draws_one_sided_ranges_to_the_edge(tmp_path, drawn):
    with h5py.File(tmp_path / "t.h5", "w") as f:
        cf.target_figure(_targets(f), tmp_path, "t", "check")
    fig = drawn["t"]
    ax = fig.axes[0]
    lo, hi = ax.get_xlim()
    bars = [ln for ln in ax.get_lines() if ln.get_linewidth() == 5]
    # '> 1' (row c, y = 3) runs from its bound to the right edge, '< 1' (row d) from the
    # left edge; neither ends at an invented x2
    ends = {round(float(ln.get_ydata()[0])): tuple(ln.get_xdata()) for ln in bars}
    assert ends[3] == (1.0, hi) and ends[2] == (lo, 1.0)
    # the passing 2.87 against '> 1' sits inside its bar
    dots = [ln for ln in ax.get_lines() if ln.get_marker() == "o"]
    assert any(float(d.get_ydata()[0]) == 3 and 1.0 < float(d.get_xdata()[0]) < hi
               for d in dots)
    # the skipped target has no bar and says why
    assert 1 not in ends
    assert any("skipped" in t.get_text() for t in ax.texts)
    assert overlapping_texts(fig) == [] and text_outside_canvas(fig) == []


def test_coincident_sensitivity_points_share_one_label(tmp_path, drawn):
    with h5py.File(tmp_path / "s.h5", "w") as f:
        f.attrs.update(method="morris", name="quick")
        g = f.create_group("indices")
        g["outcome"] = np.array([b"brain_allo"])
        g["parameter"] = np.array([b"hpa.k_a", b"hpa.k_b", b"hpa.k_c", b"treatment.cl"])
        g["mu_star"] = np.array([[0.0, 0.0, 0.0, 1.0]])
        g["sigma"] = np.array([[0.0, 0.0, 0.0, 0.4]])
        g["mu_star_conf"] = np.array([[0.0, 0.0, 0.0, 0.1]])
    cf.sensitivity_figures(tmp_path / "s.h5", tmp_path)
    fig = drawn["sensitivity"]
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert "k_a\nk_b\nk_c" in labels and "cl" in labels
    assert overlapping_texts(fig) == [] and text_outside_canvas(fig) == []


def _sweep_table():
    import pandas as pd

    rows = []
    for dose in (10.0, 20.0, 100.0, 200.0):
        for route in ("oral", "vaginal", "transdermal"):
            for vmax in (0.0, 2.9, 20.0):
                for seed in (1, 2):
                    rows.append({"treatment.dose_mg": dose, "treatment.route": route,
                                 "steroids.kinetics.brain_p_vmax_nM": vmax, "job_seed": seed,
                                 "allo_brain_mean": 1 + dose / 50 + vmax / 7 + seed / 3})
    return pd.DataFrame(rows)


def test_a_faceted_heatmap_keeps_titles_values_and_labels_apart():
    from analysis.figures import heatmap

    df = _sweep_table()
    fig = heatmap(df, "allo_brain_mean", "treatment.dose_mg", "treatment.route",
                  "steroids.kinetics.brain_p_vmax_nM")
    assert overlapping_texts(fig) == [] and text_outside_canvas(fig) == []


def test_the_dose_response_title_says_what_the_spread_is_over():
    from analysis.figures import dose_response

    df = _sweep_table()
    swept = ["treatment.dose_mg", "treatment.route", "steroids.kinetics.brain_p_vmax_nM"]
    fig = dose_response(df, "treatment.dose_mg", "allo_brain_mean", "treatment.route", swept)
    title = fig.axes[0].get_title(loc="left").replace("\n", " ")
    assert "6 run(s)" in title and "seed" in title and "vmax" in title.lower()
    assert overlapping_texts(fig) == [] and text_outside_canvas(fig) == []


def test_the_calibration_history_and_uncertainty_figures_are_readable(tmp_path, drawn):
    path = tmp_path / "calibration.h5"
    with h5py.File(path, "w") as f:
        f.attrs["name"] = "quick"
        g = f.create_group("trials")
        n = 12
        g["trial"] = np.arange(n)
        g["loss"] = np.linspace(30, 2, n)
        g["best_so_far"] = np.minimum.accumulate(g["loss"][()])
        g["parameter"] = np.array([b"treatment.cl_L_per_h_per_kg", b"treatment.v2_L_per_kg"])
        g["params"] = np.column_stack([np.linspace(0.5, 3, n), np.linspace(2, 20, n)])
        g["log"] = np.array([1, 0])
        _targets(f)  # a best-trial table
        f["best_targets"] = f["targets"]
    cf.calibration_figures(path, tmp_path)
    upath = tmp_path / "uncertainty.h5"
    with h5py.File(upath, "w") as f:
        f.attrs.update(n_sets=5, study="quick")
        g = f.create_group("slow_bands")
        g["time"] = np.arange(0, 48 * 3600, 3600.0)
        for name in ("allo_plasma", "cortisol"):
            g[name] = np.sort(np.random.default_rng(1).random((48, 3)), axis=1)
        f.create_group("quantile")["quantile"] = np.array([0.05, 0.5, 0.95])
    cf.uncertainty_figure(upath, tmp_path)
    assert {"calibration_history", "calibration_targets", "uncertainty"} <= set(drawn)
    for name, fig in drawn.items():
        assert overlapping_texts(fig) == [], name
        assert text_outside_canvas(fig) == [], name
