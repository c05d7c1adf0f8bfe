"""Metrics of one analysis window: pure functions of spike trains and recorded currents.

All inputs are plain numpy arrays in SI units (seconds, amperes, siemens); every function
documents its output unit. None of them touches Brian2.
"""

from __future__ import annotations

import numpy as np

DELTA_HZ = (0.5, 4.0)  # the EEG delta band of slow-wave (NREM) sleep
THETA_HZ = (4.0, 12.0)
SPINDLE_HZ = (11.0, 16.0)  # the sleep-spindle (sigma) band
BETA_HZ = (13.0, 30.0)  # the EEG beta band
#: A wide gamma band: the network's gamma peak moves between ~50 and ~90 Hz with the
#: steroid state, so a 30-80 Hz band would lose power to its edge when the peak moves.
GAMMA_HZ = (30.0, 120.0)
#: Where the gamma peak is looked for, and the half-width of the band around it.
GAMMA_SEARCH_HZ = (25.0, 150.0)
GAMMA_PEAK_HALF_WIDTH_HZ = 10.0


def _in_window(spike_t: np.ndarray, t_start: float, t_stop: float) -> np.ndarray:
    return (spike_t >= t_start) & (spike_t < t_stop)


def population_rate(spike_t: np.ndarray, n_neurons: int, t_start: float, t_stop: float) -> float:
    """Mean firing rate per neuron (Hz) in ``[t_start, t_stop)``."""
    return float(_in_window(spike_t, t_start, t_stop).sum() / (n_neurons * (t_stop - t_start)))


def cv_isi(spike_i: np.ndarray, spike_t: np.ndarray, t_start: float, t_stop: float,
           min_spikes: int = 3) -> float:
    """Mean coefficient of variation of inter-spike intervals (dimensionless).

    Averaged over neurons with at least ``min_spikes`` spikes in the window; NaN if none.
    A Poisson train gives ~1, a regular one 0.
    """
    m = _in_window(spike_t, t_start, t_stop)
    idx, ts = spike_i[m], spike_t[m]
    order = np.lexsort((ts, idx))
    idx, ts = idx[order], ts[order]
    if len(idx) < 2:
        return float("nan")
    # Intervals within each cell (grouped sums instead of a loop over cells).
    same = idx[1:] == idx[:-1]
    cell, isi = idx[1:][same], np.diff(ts)[same]
    n_spk = np.bincount(idx)
    keep = n_spk >= min_spikes
    if not keep.any():
        return float("nan")
    n_isi = np.bincount(cell, minlength=len(n_spk)).astype(float)
    mean = np.bincount(cell, isi, minlength=len(n_spk))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = mean / n_isi
        dev = isi - mean[cell]
        sd = np.sqrt(np.bincount(cell, dev * dev, minlength=len(n_spk)) / n_isi)
        return float(np.mean(sd[keep] / mean[keep]))


def binned_counts(spike_i: np.ndarray, spike_t: np.ndarray, n_neurons: int, t_start: float,
                  t_stop: float, bin_s: float) -> np.ndarray:
    """Spike counts per neuron and bin, shape ``[n_neurons, n_bins]``."""
    n_bins = int(round((t_stop - t_start) / bin_s))
    m = _in_window(spike_t, t_start, t_stop)
    b = np.minimum(((spike_t[m] - t_start) / bin_s).astype(int), n_bins - 1)
    counts = np.zeros((n_neurons, n_bins))
    np.add.at(counts, (spike_i[m], b), 1)
    return counts


def synchrony_chi(spike_i: np.ndarray, spike_t: np.ndarray, n_neurons: int, t_start: float,
                  t_stop: float, bin_s: float) -> float:
    """Golomb's synchrony measure chi on binned spike counts (dimensionless, 0-1).

    ``chi^2 = Var_t(mean_i s_i) / mean_i Var_t(s_i)`` (Golomb 2007 Scholarpedia 2:1347):
    1 for identical trains, ~``1/sqrt(N)`` for independent ones. NaN if no neuron fired.
    """
    s = binned_counts(spike_i, spike_t, n_neurons, t_start, t_stop, bin_s)
    denom = s.var(axis=1).mean()
    if denom == 0:
        return float("nan")
    return float(np.sqrt(s.mean(axis=0).var() / denom))


def lfp_proxy(i_ampa: np.ndarray, i_gaba: np.ndarray) -> np.ndarray:
    """LFP proxy (A): sum over cells of ``|I_AMPA| + |I_GABA|``, shape ``[time]``.

    Mazzoni et al. 2008 PLoS Comput Biol 4:e1000239 (sum of absolute synaptic currents
    onto pyramidal cells). Inputs are ``[cell, time]``.
    """
    return np.abs(i_ampa).sum(axis=0) + np.abs(i_gaba).sum(axis=0)


def welch_psd(x: np.ndarray, fs: float, segment: int) -> tuple[np.ndarray, np.ndarray]:
    """One-sided power spectral density by Welch's method (Hann, 50 % overlap).

    Returns:
        frequencies (Hz) and PSD in ``unit(x)^2 / Hz``, normalised so that the integral
        of the PSD over frequency equals the variance of ``x`` (Parseval).
    """
    x = np.asarray(x, dtype=float)
    segment = min(segment, len(x))
    step = max(segment // 2, 1)
    win = np.hanning(segment)
    scale = 1.0 / (fs * (win**2).sum())
    segs = [x[s:s + segment] for s in range(0, len(x) - segment + 1, step)]
    psd = np.zeros(segment // 2 + 1)
    for seg in segs:
        spec = np.fft.rfft((seg - seg.mean()) * win)
        psd += np.abs(spec) ** 2 * scale
    psd /= len(segs)
    psd[1:-1 if segment % 2 == 0 else None] *= 2  # fold negative frequencies
    return np.fft.rfftfreq(segment, 1.0 / fs), psd


def multitaper_psd(x: np.ndarray, fs: float, half_bandwidth_hz: float
                   ) -> tuple[np.ndarray, np.ndarray]:
    """One-sided power spectral density by the multitaper method (Thomson 1982).

    The whole signal is one segment, so the frequency grid is ``fs / N`` (1 Hz for a 1-s
    window); ``K = 2NW - 1`` orthogonal Slepian (DPSS) tapers with ``NW = T W``
    (``W = half_bandwidth_hz``) give ``K`` independent estimates that are averaged, a
    smoothing of ``+-W`` Hz. Normalised like :func:`welch_psd`: the integral of the PSD
    over frequency equals the variance of ``x`` (up to the taper's leakage).
    """
    from scipy.signal.windows import dpss

    x = np.asarray(x, dtype=float)
    n = len(x)
    nw = n / fs * half_bandwidth_hz
    k = max(1, int(np.floor(2 * nw)) - 1)
    tapers = np.atleast_2d(dpss(n, nw, Kmax=k))  # [K, N], unit energy
    spec = np.fft.rfft((x - x.mean())[None, :] * tapers, axis=1)
    psd = (np.abs(spec) ** 2).mean(axis=0) / fs
    psd[1:-1 if n % 2 == 0 else None] *= 2  # fold negative frequencies
    return np.fft.rfftfreq(n, 1.0 / fs), psd


def band_power(freqs: np.ndarray, psd: np.ndarray, band: tuple[float, float]) -> float:
    """Power in ``[lo, hi]`` Hz (integral of the PSD; unit of ``x^2``).

    NaN when the spectrum's frequency step (``1/T`` of the analysed window for the
    multitaper, of the segment for Welch) is coarser than the band's lower edge: a 0.5-s
    window has bins at 2 and 4 Hz only, so its "0.5-4 Hz" power is a sample of two bins
    whatever the slow oscillation does. The delta band needs >= 2 s.
    """
    if len(freqs) > 1 and freqs[1] - freqs[0] > band[0] * (1.0 + 1e-9):
        return float("nan")
    m = (freqs >= band[0]) & (freqs <= band[1])
    if m.sum() < 2:
        return float(psd[m].sum() * (freqs[1] - freqs[0])) if m.any() else 0.0
    return float(np.trapezoid(psd[m], freqs[m]))


def peak_frequency(freqs: np.ndarray, psd: np.ndarray, fmin: float = 2.0,
                   fmax: float = 200.0) -> float:
    """Frequency (Hz) of the largest PSD value in ``[fmin, fmax]``."""
    m = (freqs >= fmin) & (freqs <= fmax)
    return float(freqs[m][np.argmax(psd[m])])


def gamma_peak(freqs: np.ndarray, psd: np.ndarray) -> tuple[float, float]:
    """The gamma peak: its frequency (Hz) in :data:`GAMMA_SEARCH_HZ` and the power (unit of
    ``x^2``) within :data:`GAMMA_PEAK_HALF_WIDTH_HZ` of it -- a band that follows the peak."""
    f = peak_frequency(freqs, psd, *GAMMA_SEARCH_HZ)
    w = GAMMA_PEAK_HALF_WIDTH_HZ
    return f, band_power(freqs, psd, (f - w, f + w))


def inhibitory_charge(current: np.ndarray, dt: float) -> float:
    """Mean inhibitory (outward) charge per cell (C): ``-mean_cells(sum_t I dt)``.

    ``current`` is ``[cell, time]`` with inward-positive sign (``I = g (E - v)``), so an
    inhibitory current gives a positive charge.
    """
    return float(-current.sum(axis=1).mean() * dt)


def ei_conductance_ratio(g_exc: np.ndarray, g_inh: np.ndarray) -> float:
    """Ratio of mean excitatory to mean inhibitory conductance (dimensionless)."""
    gi = float(np.mean(g_inh))
    return float(np.mean(g_exc)) / gi if gi > 0 else float("inf")


def _merge_short_runs(up: np.ndarray, min_bins: int) -> np.ndarray:
    """``up`` with every interior run (of UP or DOWN bins) shorter than ``min_bins`` merged
    into its neighbours, shortest first, until none is left."""
    up = up.copy()
    while True:
        change = np.flatnonzero(up[1:] != up[:-1]) + 1
        starts = np.concatenate([[0], change])
        ends = np.concatenate([change, [len(up)]])
        lengths = ends - starts
        interior = np.arange(1, len(starts) - 1)
        short = interior[lengths[interior] < min_bins]
        if short.size == 0:
            return up
        k = short[np.argmin(lengths[short])]
        up[starts[k]:ends[k]] = ~up[starts[k]]


def up_down_states(spike_t: np.ndarray, t_start: float, t_stop: float, bin_s: float,
                   smooth_s: float, down_fraction: float, min_state_s: float,
                   min_window_spikes: float = 5.0) -> tuple[float, float]:
    """UP/DOWN states of a population from its spike times: (fraction of time UP, DOWN -> UP
    transitions per second).

    The population's spike count in bins of ``bin_s`` is smoothed with a boxcar of
    ``smooth_s``; a bin is DOWN when the smoothed count is below ``down_fraction`` of its
    mean over the window (near-silence), else UP; UP or DOWN episodes shorter than
    ``min_state_s`` are merged into their neighbours. Asynchronous firing stays UP
    (fraction ~1, no transitions); the slow oscillation of NREM sleep alternates. NaN, NaN
    when the population fired fewer than ``min_window_spikes`` spikes per smoothing window
    on average: then chance gaps of a sparse Poisson train alone would look like DOWN
    states (P(empty window) = exp(-5) < 1 % at the default).
    """
    from scipy.ndimage import uniform_filter1d

    n_bins = int(np.floor((t_stop - t_start) / bin_s + 1e-9))
    t = spike_t[_in_window(spike_t, t_start, t_start + n_bins * bin_s)]
    k = max(1, int(round(smooth_s / bin_s)))
    if n_bins < 2 or t.size < min_window_spikes * n_bins / k:
        return float("nan"), float("nan")
    counts = np.histogram(t, bins=n_bins, range=(t_start, t_start + n_bins * bin_s))[0]
    smooth = uniform_filter1d(counts.astype(float), k, mode="nearest")
    up = _merge_short_runs(smooth >= down_fraction * counts.mean(),
                           max(1, int(round(min_state_s / bin_s))))
    onsets = int(np.count_nonzero(~up[:-1] & up[1:]))
    return float(up.mean()), onsets / (n_bins * bin_s)
