"""One probe: run the compiled network with the receptor state of given steroid levels
and reduce its activity to the metrics stored per probe.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from sims.config import Config, as_config
from sims.errors import RunawayActivityError
from sims.fast import metrics
from sims.fast.backend import CompiledNetwork, RawProbe
from sims.fast.pharmacology import network_gaba_state
from sims.fast.receptors import SHARED_VARIABLES
from sims.fast.registry import METRICS, PER_POPULATION, RECEPTOR_STATE
from sims.fast.states import STATE_VARIABLES, state_at, state_values

#: SI unit strings of the receptor state variables as stored.
RECEPTOR_UNITS = {n: r.unit for n, r in RECEPTOR_STATE.items()}
#: Units of the stored metrics (HDF5 ``units`` attributes).
METRIC_UNITS = {n: r.unit for n, r in METRICS.items()}

__all__ = ["RunawayActivityError", "ProbeOutput", "measure", "check_activity", "run_probe",
           "METRIC_UNITS", "RECEPTOR_UNITS"]


@dataclass
class ProbeOutput:
    """Metrics of one probe: per-population arrays, scalars, the spectrum and spikes."""

    per_population: dict[str, np.ndarray]  # name -> [population]
    scalars: dict[str, float]
    freqs: np.ndarray
    psd: np.ndarray
    receptor_state: dict[str, np.ndarray]  # shared variable -> [population], SI
    raw: RawProbe  # spikes, sizes and timings; traces already reduced (see run_probe)
    state: str = "wake"  # the brain state the probe ran in (sims.fast.states)


def measure(raw: RawProbe, c: Config | Mapping[str, Any]
            ) -> tuple[dict, dict, np.ndarray, np.ndarray]:
    """Reduce a :class:`RawProbe` to per-population metrics, scalars and the LFP spectrum
    (``c``: the typed config or the validated plain one)."""
    cfg = as_config(c)
    pc = cfg.probe
    t0, t1 = raw.t_start, raw.t_stop
    pops = list(raw.sizes)
    per: dict[str, list] = {k: [] for k in PER_POPULATION}
    for p in pops:
        i, t = raw.spikes[p]
        per["rate"].append(metrics.population_rate(t, raw.sizes[p], t0, t1))
        per["cv_isi"].append(metrics.cv_isi(i, t, t0, t1))
        per["synchrony"].append(metrics.synchrony_chi(i, t, raw.sizes[p], t0, t1,
                                                      pc.sync_bin_ms * 1e-3))
    w = raw.state_t >= t0 - 1e-12
    st = {k: v[:, w] for k, v in raw.state.items()}
    dt = pc.record_dt_ms * 1e-3
    lfp = metrics.lfp_proxy(st["I_ampa"], st["I_gaba"]) * 1e9  # nA
    if pc.psd_method == "multitaper":
        freqs, psd = metrics.multitaper_psd(lfp, 1.0 / dt, pc.psd_half_bandwidth_Hz)
    else:
        seg = int(round(pc.psd_segment_ms / pc.record_dt_ms))
        freqs, psd = metrics.welch_psd(lfp, 1.0 / dt, seg)
    gamma_f, gamma_p = metrics.gamma_peak(freqs, psd)
    ud = cfg.sleep.updown
    up_frac, up_rate = metrics.up_down_states(
        raw.spikes[cfg.network.lfp_population][1], t0, t1, ud.bin_ms * 1e-3,
        ud.smooth_ms * 1e-3, ud.down_fraction, ud.min_state_ms * 1e-3, ud.min_window_spikes)
    tonic_q = metrics.inhibitory_charge(st["I_tonic"], dt)
    phasic_q = metrics.inhibitory_charge(st["I_gaba"], dt)
    scalars = {
        "lfp_peak_freq": metrics.peak_frequency(freqs, psd),
        "theta_power": metrics.band_power(freqs, psd, metrics.THETA_HZ),
        "beta_power": metrics.band_power(freqs, psd, metrics.BETA_HZ),
        "gamma_power": metrics.band_power(freqs, psd, metrics.GAMMA_HZ),
        "delta_power": metrics.band_power(freqs, psd, metrics.DELTA_HZ),
        "spindle_power": metrics.band_power(freqs, psd, metrics.SPINDLE_HZ),
        "up_fraction": up_frac,
        "up_state_rate": up_rate,
        "gamma_peak_freq": gamma_f,
        "gamma_peak_power": gamma_p,
        "tonic_charge": tonic_q,
        "phasic_charge": phasic_q,
        "tonic_fraction": tonic_q / (tonic_q + phasic_q) if tonic_q + phasic_q > 0 else np.nan,
        "ei_conductance_ratio": metrics.ei_conductance_ratio(st["g_exc"], st["g_inh"]),
        "mean_g_exc": float(st["g_exc"].mean()),
        "mean_g_inh": float(st["g_inh"].mean()),
    }
    return {k: np.asarray(v) for k, v in per.items()}, scalars, freqs, psd


def check_activity(raw: RawProbe, per: Mapping[str, np.ndarray],
                   c: Config | Mapping[str, Any], context: str) -> None:
    """Raise :class:`RunawayActivityError` on NaN state or a rate above ``probe.max_rate_Hz``
    (``c``: the typed config or the validated plain one)."""
    bad = [k for k, v in raw.state.items() if not np.all(np.isfinite(v))]
    if bad:
        raise RunawayActivityError(f"{context}: non-finite values in {bad}")
    limit = as_config(c).probe.max_rate_Hz
    rates = zip(raw.sizes, per["rate"], strict=False)
    over = {p: round(float(r), 2) for p, r in rates if r > limit}
    if over:
        raise RunawayActivityError(
            f"{context}: runaway firing {over} Hz > probe.max_rate_Hz={limit}")


def _rounded(conc: Mapping[str, float]) -> dict[str, float]:
    return {k: float(f"{v:.4g}") for k, v in conc.items()}


def run_probe(net: CompiledNetwork, c: Config | Mapping[str, Any],
              conc_nM: Mapping[str, float],
              context: str = "probe", state: str | None = None) -> ProbeOutput:
    """Set the receptor state for ``conc_nM`` (and the configured expression) and the brain
    ``state`` (default ``probe.state``; ``auto`` without a time is ``wake``), run, measure.

    The returned ``raw`` keeps only what a run stores: spikes (if ``output.save_spikes``),
    sizes and timings; the recorded traces (~10 MB for a 2-s probe) are reduced to metrics
    here, so runs and worker processes do not carry them (:meth:`RawProbe.compact`).

    ``c``: the typed config or the validated plain one.

    Raises:
        StructuralChangeError: if ``c`` differs from the compiled network in compiled-in keys.
        RunawayActivityError: NaN or runaway firing, naming the probe (``context``).
    """
    net.check_compatible(c)
    cfg = as_config(c)
    state = state or state_at(cfg, None)
    values = network_gaba_state(cfg, conc_nM)
    for pop, vals in state_values(cfg, state).items():
        values[pop] = {**values[pop], **vals}
    raw = net.run(values, int(cfg.seed))
    t0 = time.perf_counter()
    per, scalars, freqs, psd = measure(raw, cfg)
    check_activity(raw, per, cfg, f"{context} ({state}; steroids {_rounded(conc_nM)} nM)")
    raw.timings["metrics_s"] = time.perf_counter() - t0
    rec = {v: np.array([float(values[p][v]) for p in raw.sizes])
           for v in (*SHARED_VARIABLES, *STATE_VARIABLES)}
    return ProbeOutput(per, scalars, freqs, psd, rec,
                       raw.compact(keep_spikes=cfg.output.save_spikes), state)
