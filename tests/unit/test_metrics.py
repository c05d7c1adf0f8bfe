"""Metrics against exact or statistically known answers."""

from __future__ import annotations

import numpy as np
import pytest

from sims.fast import metrics


def test_rate_counts_only_the_window():
    t = np.array([0.05, 0.15, 0.25, 0.35, 1.5])
    assert metrics.population_rate(t, n_neurons=2, t_start=0.1, t_stop=1.1) == pytest.approx(1.5)


def test_cv_regular_is_zero_and_poisson_is_one():
    reg_t = np.arange(0.0, 10.0, 0.1)
    assert metrics.cv_isi(np.zeros(len(reg_t), int), reg_t, 0, 10) == pytest.approx(0, abs=1e-9)
    rng = np.random.default_rng(1)
    t = np.cumsum(rng.exponential(0.01, 20000))
    t = t[t < 100]
    assert metrics.cv_isi(np.zeros(len(t), int), t, 0, 100) == pytest.approx(1.0, abs=0.03)
    assert np.isnan(metrics.cv_isi(np.array([0]), np.array([0.5]), 0, 1))


def test_cv_matches_a_per_cell_loop():
    """The grouped computation equals the textbook loop over cells (mixed, unsorted input)."""
    rng = np.random.default_rng(5)
    n = 60
    counts = rng.integers(0, 12, n)  # some cells below min_spikes, some silent
    i = np.repeat(np.arange(n), counts)
    t = rng.uniform(0, 2.0, len(i))
    perm = rng.permutation(len(i))
    i, t = i[perm], t[perm]
    cvs = []
    for cell in range(n):
        tc = np.sort(t[(i == cell) & (t >= 0.2) & (t < 1.8)])
        if len(tc) >= 3:
            isi = np.diff(tc)
            cvs.append(isi.std() / isi.mean())
    assert metrics.cv_isi(i, t, 0.2, 1.8) == pytest.approx(np.mean(cvs), rel=1e-12)
    assert np.isnan(metrics.cv_isi(np.array([0, 1]), np.array([0.5, 0.6]), 0, 1))


def test_synchrony_identical_is_one_independent_is_small():
    rng = np.random.default_rng(2)
    n, T = 100, 20.0
    base = np.sort(rng.uniform(0, T, 200))
    i_sync = np.repeat(np.arange(n), len(base))
    t_sync = np.tile(base, n)
    assert metrics.synchrony_chi(i_sync, t_sync, n, 0, T, 0.005) == pytest.approx(1.0)
    t_ind = rng.uniform(0, T, n * 200)
    i_ind = np.repeat(np.arange(n), 200)
    chi = metrics.synchrony_chi(i_ind, t_ind, n, 0, T, 0.005)
    assert chi == pytest.approx(1 / np.sqrt(n), rel=0.3)


def test_welch_finds_a_sinusoid_and_obeys_parseval():
    fs, f0 = 1000.0, 40.0
    t = np.arange(0, 4.0, 1 / fs)
    x = 3.0 * np.sin(2 * np.pi * f0 * t)
    f, p = metrics.welch_psd(x, fs, 1000)
    assert metrics.peak_frequency(f, p) == pytest.approx(f0)
    assert np.trapezoid(p, f) == pytest.approx(x.var(), rel=0.02)  # Parseval
    assert metrics.band_power(f, p, metrics.GAMMA_HZ) == pytest.approx(x.var(), rel=0.02)
    assert metrics.band_power(f, p, metrics.THETA_HZ) < 1e-3 * x.var()


def test_multitaper_finds_a_sinusoid_at_1_hz_resolution_and_obeys_parseval():
    fs = 1000.0
    t = np.arange(0, 1.0, 1 / fs)
    x = 2.0 * np.sin(2 * np.pi * 61.0 * t)
    f, p = metrics.multitaper_psd(x, fs, 3.0)
    assert f[1] - f[0] == pytest.approx(1.0)  # the whole 1-s window is one segment
    assert metrics.peak_frequency(f, p) == pytest.approx(61.0, abs=1.0)
    assert np.trapezoid(p, f) == pytest.approx(x.var(), rel=0.03)
    # the +-3 Hz smoothing: power stays within the taper bandwidth around the line
    assert metrics.band_power(f, p, (57.0, 65.0)) == pytest.approx(x.var(), rel=0.03)


def _gamma_signal(f0: float, seed: int = 1) -> np.ndarray:
    """1 s at 1 kHz: a gamma line at f0 plus broadband noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(0, 1.0, 1e-3)
    return 1.5 * np.sin(2 * np.pi * f0 * t + 0.3) + 0.5 * rng.standard_normal(len(t))


@pytest.mark.parametrize("method", ["multitaper", "welch"])
def test_gamma_read_outs_do_not_depend_on_which_side_of_80_hz_the_peak_lies(method):
    """The review found postpartum gamma peaks at 81-89 Hz, just above the old 30-80 Hz band:
    its power halved though the spectrum was the same. A peak at 75 Hz and one at 85 Hz of
    equal power must give equal gamma power, and the peak's own frequency and power."""
    def spectrum(f0):
        x = _gamma_signal(f0)
        if method == "multitaper":
            return metrics.multitaper_psd(x, 1000.0, 3.0)
        return metrics.welch_psd(x, 1000.0, 250)

    (fa, pa), (fb, pb) = spectrum(75.0), spectrum(85.0)
    wide_a, wide_b = (metrics.band_power(f, p, metrics.GAMMA_HZ) for f, p in ((fa, pa), (fb, pb)))
    assert wide_a == pytest.approx(wide_b, rel=0.1)
    old_a, old_b = (metrics.band_power(f, p, (30.0, 80.0)) for f, p in ((fa, pa), (fb, pb)))
    assert old_b < 0.5 * old_a  # the edge artefact the wide band removes
    (peak_fa, pow_a), (peak_fb, pow_b) = metrics.gamma_peak(fa, pa), metrics.gamma_peak(fb, pb)
    tol = 1.0 if method == "multitaper" else 4.0
    assert peak_fa == pytest.approx(75.0, abs=tol) and peak_fb == pytest.approx(85.0, abs=tol)
    assert pow_a == pytest.approx(pow_b, rel=0.1)


def test_lfp_proxy_is_sum_of_absolute_currents():
    a = np.array([[1.0, -2.0], [3.0, 0.0]])
    g = np.array([[-1.0, -1.0], [0.5, 0.0]])
    np.testing.assert_allclose(metrics.lfp_proxy(a, g), [5.5, 3.0])


def test_inhibitory_charge_of_constant_outward_current():
    current = np.full((4, 1000), -2e-12)  # 2 pA outward for 1 s at 1 ms
    assert metrics.inhibitory_charge(current, 1e-3) == pytest.approx(2e-12)
    assert metrics.ei_conductance_ratio(np.full(5, 2.0), np.full(5, 4.0)) == 0.5


def _poisson(rate_hz: float, t0: float, t1: float, rng: np.random.Generator) -> np.ndarray:
    n = rng.poisson(rate_hz * (t1 - t0))
    return np.sort(rng.uniform(t0, t1, n))


UPDOWN = {"bin_s": 0.01, "smooth_s": 0.05, "down_fraction": 0.2, "min_state_s": 0.05}


def test_up_down_detector_on_synthetic_trains():
    """Asynchronous firing is one long UP state; a slow oscillation of 400 ms UP at a high
    population rate and 600 ms of silence is found with its duty cycle and frequency; a
    train too sparse to tell gaps from DOWN states gives NaN."""
    rng = np.random.default_rng(3)
    steady = _poisson(2000.0, 0.0, 10.0, rng)  # 400 cells x 5 Hz
    frac, rate = metrics.up_down_states(steady, 0.0, 10.0, **UPDOWN)
    assert frac == 1.0 and rate == 0.0
    slow = np.concatenate([_poisson(4000.0, k + 0.3, k + 0.7, rng) for k in range(10)])
    frac, rate = metrics.up_down_states(slow, 0.0, 10.0, **UPDOWN)
    # the 5-bin boxcar lifts the 2 bins either side of an UP episode above 20 % of the
    # mean: each 400-ms episode is read as 440 ms (the detector's edge bias, by design)
    assert frac == pytest.approx(0.44, abs=0.01)
    assert rate == pytest.approx(1.0, abs=0.11)  # 10 onsets in 10 s (the first at 0.3 s)
    sparse = _poisson(20.0, 0.0, 10.0, rng)  # 1 spike per 50-ms window on average
    assert all(np.isnan(metrics.up_down_states(sparse, 0.0, 10.0, **UPDOWN)))


def test_short_episodes_merge_into_their_neighbours():
    up = np.array([1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1], bool)
    merged = metrics._merge_short_runs(up, 2)
    assert merged.tolist() == [1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1]
    assert metrics._merge_short_runs(up, 1).tolist() == up.tolist()


def test_sleep_bands_are_the_eeg_bands():
    assert metrics.DELTA_HZ == (0.5, 4.0) and metrics.SPINDLE_HZ == (11.0, 16.0)
    f = np.linspace(0, 50, 501)
    psd = np.where((f >= 0.5) & (f <= 4.0), 2.0, 0.0)
    assert metrics.band_power(f, psd, metrics.DELTA_HZ) == pytest.approx(7.0)


def test_a_band_below_the_windows_frequency_step_is_not_measured():
    """A 0.5-s window has bins at 2 and 4 Hz only: its '0.5-4 Hz' power would sample two
    bins whatever a 0.7-Hz slow oscillation does, so it is NaN; 2 s resolves the edge, and
    then the power of a 2-Hz sinusoid lies in the delta band (Parseval)."""
    fs = 1000.0
    for window_s, resolved in ((0.5, False), (1.0, False), (2.0, True), (4.0, True)):
        t = np.arange(0, window_s, 1 / fs)
        x = np.sin(2 * np.pi * 0.75 * t)
        f, p = metrics.multitaper_psd(x, fs, 1.0)
        delta = metrics.band_power(f, p, metrics.DELTA_HZ)
        assert np.isfinite(delta) == resolved, (window_s, delta)
        assert np.isfinite(metrics.band_power(f, p, metrics.BETA_HZ))  # 13 Hz: any window
    t = np.arange(0, 4.0, 1 / fs)
    x = np.sin(2 * np.pi * 2.0 * t)
    f, p = metrics.multitaper_psd(x, fs, 0.5)
    assert metrics.band_power(f, p, metrics.DELTA_HZ) == pytest.approx(x.var(), rel=0.1)
