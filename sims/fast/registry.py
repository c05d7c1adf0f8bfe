"""The registry of per-probe network read-outs: one entry per metric or receptor state,
with its stored unit (SI), description, plot label and, where a value can legitimately be
NaN or infinite, what that means. ``sims.simulate`` stores them, ``sims.io`` refuses
non-finite values anywhere else, and ``analysis`` labels figures from them. Imports no
Brian2.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Readout:
    """A stored per-probe quantity."""

    name: str
    unit: str  # SI unit string of the stored values
    description: str
    label: str  # axis label, in the plotted unit (see ``analysis.figures.PLOT_SCALE``)
    nonfinite: str = ""  # when NaN / inf is a legitimate value, and what it means


#: Metrics of the activity in a probe's analysis window (``sims.fast.probe.measure``).
METRICS: dict[str, Readout] = {r.name: r for r in (
    Readout("rate", "Hz", "mean firing rate per neuron in the analysis window", "rate (Hz)"),
    Readout("cv_isi", "1", "mean coefficient of variation of inter-spike intervals",
            "CV of ISI", "NaN when no cell fired at least 3 spikes in the window"),
    Readout("synchrony", "1", "Golomb chi of binned spike counts", "synchrony χ",
            "NaN when no cell of the population fired in the window"),
    Readout("lfp_peak_freq", "Hz", "peak frequency of the LFP-proxy spectrum (>= 2 Hz)",
            "LFP peak frequency (Hz)"),
    Readout("theta_power", "nA^2", "LFP-proxy power in 4-12 Hz", "theta power (nA²)"),
    Readout("beta_power", "nA^2", "LFP-proxy power in 13-30 Hz (the EEG beta band)",
            "beta power (nA²)"),
    Readout("gamma_power", "nA^2", "LFP-proxy power in 30-120 Hz (a band wide enough for "
            "the gamma peak's range)", "gamma power (nA²)"),
    Readout("delta_power", "nA^2", "LFP-proxy power in 0.5-4 Hz (the EEG delta band of "
            "slow-wave sleep)", "delta power (nA²)",
            "NaN when the analysed window (Welch: segment) is under 2 s: its frequency step "
            "does not resolve the band's 0.5-Hz edge (NREM probes: probe.window_ms=4000)"),
    Readout("spindle_power", "nA^2", "LFP-proxy power in 11-16 Hz (the sleep-spindle "
            "band)", "spindle power (nA²)"),
    Readout("up_fraction", "1", "fraction of the analysis window in UP states (LFP "
            "population firing; DOWN: smoothed rate below sleep.updown.down_fraction of its "
            "mean)", "time in UP states",
            "NaN when the population fired too little to tell UP from DOWN "
            "(sleep.updown.min_window_spikes)"),
    Readout("up_state_rate", "Hz", "DOWN -> UP transitions per second (0: no alternation)",
            "UP-state onsets (1/s)", "NaN when the population fired too little to tell UP "
            "from DOWN (sleep.updown.min_window_spikes)"),
    Readout("gamma_peak_freq", "Hz", "frequency of the largest LFP-proxy PSD value in "
            "25-150 Hz", "gamma peak frequency (Hz)"),
    Readout("gamma_peak_power", "nA^2", "LFP-proxy power within 10 Hz of the gamma peak (a "
            "band that follows the peak)", "gamma peak power (nA²)"),
    Readout("tonic_charge", "C",
            "tonic GABA-A (outward) charge per recorded cell of the LFP population",
            "tonic GABA-A charge (pC)"),
    Readout("phasic_charge", "C",
            "phasic GABA-A (outward) charge per recorded cell of the LFP population",
            "phasic GABA-A charge (pC)"),
    Readout("tonic_fraction", "1", "tonic / (tonic + phasic) inhibitory charge",
            "tonic fraction", "NaN when there was no inhibitory charge at all"),
    Readout("ei_conductance_ratio", "1",
            "mean excitatory / mean inhibitory conductance, LFP population", "E/I conductance",
            "inf when the inhibitory conductance was zero"),
    Readout("mean_g_exc", "S", "mean AMPA + Mg-blocked NMDA conductance, LFP population",
            "excitatory conductance (nS)"),
    Readout("mean_g_inh", "S", "mean phasic + tonic GABA-A conductance, LFP population",
            "inhibitory conductance (nS)"),
)}

#: Metrics with one value per population (the others are of the LFP population).
PER_POPULATION = ("rate", "cv_isi", "synchrony")

#: Run-time receptor state of each population (``sims.fast.receptors.SHARED_VARIABLES``).
RECEPTOR_STATE: dict[str, Readout] = {r.name: r for r in (
    Readout("tau_gaba", "s", "phasic GABA-A decay time constant", "phasic decay τ (ms)"),
    Readout("gaba_scale", "1", "phasic GABA-A peak scale (gamma2 expression x steroid effect)",
            "phasic peak scale"),
    Readout("g_tonic", "S", "tonic (extrasynaptic) GABA-A conductance (while its current "
            "is outward)", "tonic conductance (nS)"),
    Readout("g_a4_inward", "S", "change of the tonic conductance while its current is "
            "inward: the alpha4 share reduced, not potentiated, by steroids (Shen et al. 2007)",
            "α4 inward change (nS)"),
    Readout("E_gaba", "V", "Cl- reversal of synaptic GABA-A (configured + chloride shift)",
            "E_GABA synaptic (mV)"),
    Readout("E_tonic", "V", "Cl- reversal of extrasynaptic GABA-A (configured + chloride "
            "shift)", "E_GABA tonic (mV)"),
    Readout("nmda_scale", "1", "NMDA peak scale (sulfated steroids)", "NMDA scale"),
    Readout("b_adapt", "A", "spike-triggered adaptation increment of the brain state "
            "(sims/fast/states.py)", "adaptation b (pA)"),
    Readout("tau_adapt", "s", "adaptation time constant of the brain state",
            "adaptation τ (ms)"),
    Readout("drive_scale", "1", "scale of the external drive in the brain state",
            "drive scale"),
    Readout("recurrent_scale", "1", "scale of recurrent excitatory synapses onto the "
            "population in the brain state", "recurrent scale"),
)}

#: Both, by name.
READOUTS: dict[str, Readout] = METRICS | RECEPTOR_STATE
