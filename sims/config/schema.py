"""The config's typed schemas (dataclasses, stored in Hydra's ConfigStore).

The schemas make OmegaConf reject unknown keys and wrongly typed values while the config is
composed; :mod:`sims.config.typed` walks the same dataclasses when it validates. The slow
layer's sections (scenario, treatment, hpa, homeostasis, ...) are its own schemas in
:mod:`sims.slow.schemas`, assembled here.

Schemas are stored under root-level names (``allonet_schema``, ``scenario_<name>_schema``,
``treatment_<name>_schema``), which config files reference as
``/scenario_<name>_schema@_here_``: they never appear among a group's options.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING

from sims.config.roles import ANALYSIS_NODES  # noqa: F401 - re-exported
from sims.slow.schemas import (
    SCENARIO_SCHEMAS,
    TREATMENT_SCHEMAS,
    ChlorideConfig,
    HomeostasisConfig,
    HPAConfig,
    InflammationConfig,
    SlowConfig,
    SteroidKineticsConfig,
    StressLoopConfig,
    TreatmentSelection,
)

#: How a job's seed follows from the master seed (sims.seeds): from the master seed and the
#: job's scientific values, or the master seed for every job.
SEED_MODES = ("per_job", "shared")
#: The brain states the network runs in (sims.fast.states).
STATES = ("wake", "nrem")
#: What ``probe.state`` may be: a state, or ``auto`` (by the clock of the slow layer).
PROBE_STATES = (*STATES, "auto")


# --------------------------------------------------------------------------- network
@dataclass
class PopulationConfig:
    """One neuron population: adaptive conductance-based LIF (+ external Poisson drive)."""

    n: int = MISSING
    kind: str = MISSING  # "exc" (AMPA+NMDA synapses) or "inh" (GABA-A synapses)
    C_pF: float = MISSING
    gL_nS: float = MISSING
    EL_mV: float = MISSING
    Vt_mV: float = MISSING
    Vr_mV: float = MISSING
    tref_ms: float = MISSING
    a_nS: float = 0.0  # subthreshold adaptation conductance
    b_pA: float = 0.0  # spike-triggered adaptation increment
    tau_w_ms: float = 100.0
    ext_n: int = 0  # number of independent external Poisson afferents
    ext_rate_Hz: float = 0.0  # rate of each external afferent
    ext_g_nS: float = 0.0  # AMPA peak conductance of one external spike
    source: str = ""


@dataclass
class ConnectionConfig:
    """A projection from ``pre`` to ``post``: Bernoulli connectivity and peak conductances.

    The key names the projection; ``pre`` and ``post`` name its populations (when left
    empty, they are read from a key of the form ``PRE_to_POST``)."""

    p: float = MISSING
    pre: str = ""  # presynaptic population ("" = PRE of a PRE_to_POST key)
    post: str = ""  # postsynaptic population ("" = POST of a PRE_to_POST key)
    g_nS: float = MISSING  # AMPA (exc pre) or GABA-A (inh pre) peak conductance
    g_nmda_nS: float = 0.0  # NMDA peak conductance (exc pre only)
    delay_ms: float = 1.5
    source: str = ""


@dataclass
class NetworkConfig:
    # Entries are typed by ``validate`` (PopulationConfig, ConnectionConfig), so that new
    # ones can be added from the command line (``+network.connections.PV_to_SST={...}``).
    populations: dict[str, Any] = MISSING
    connections: dict[str, Any] = field(default_factory=dict)
    dt_ms: float = 0.1
    ext_dt_ms: float = 0.5  # external Poisson counts are delivered in bins of this width
    method: str = "euler"
    lfp_population: str = "E"  # population whose currents give the LFP proxy and charges


# --------------------------------------------------------------------------- receptors
@dataclass
class AMPAConfig:
    tau_decay_ms: float = MISSING
    E_rev_mV: float = MISSING


@dataclass
class NMDAConfig:
    tau_rise_ms: float = MISSING
    tau_decay_ms: float = MISSING
    E_rev_mV: float = MISSING
    mg_mM: float = MISSING


@dataclass
class GABAAConfig:
    tau_decay_ms: float = MISSING  # unmodulated synaptic (gamma2) IPSC decay
    E_rev_mV: float = MISSING


@dataclass
class TonicConfig:
    ambient_gaba_uM: float = MISSING
    gaba_ec50_uM: float = MISSING
    gaba_hill: float = 1.0


@dataclass
class PopulationReceptorConfig:
    """Per-population GABA-A receptor make-up (set independently for E, PV, SST)."""

    g_tonic_max_nS: float = MISSING  # extrasynaptic conductance at saturating GABA
    E_tonic_mV: float = MISSING
    delta_expression: float = 1.0  # relative to the reference (virgin/baseline) state
    gamma2_expression: float = 1.0
    tonic_steroid_sensitivity: float = 1.0  # scales the delta steroid effect
    phasic_steroid_sensitivity: float = 1.0  # scales the gamma2 steroid effects
    phasic_decay_scale: float = 1.0  # homeostatic alpha4 effect on IPSC decay (1 = none)
    alpha4_share: float = 0.0  # share of the tonic conductance carried by alpha4 receptors
    alpha4_expression: float = 1.0  # homeostatic alpha4 expression (set at run time)
    chloride_shift_mV: float = 0.0  # depolarising shift of E_GABA (set at run time by the
    # slow chloride state, sims/slow/chloride.py)
    source: str = ""


@dataclass
class Alpha4PolarityConfig:
    """Neurosteroid effect on alpha4beta2delta receptors while their current is outward
    (v > E_tonic; configs/receptors/default.yaml: sources)."""

    outward_emax: float = -0.6  # relative change at full site occupancy (< 0: reduction)
    outward_potency: float = 2.0  # occupancy at potency x C (EC50 / potency)
    source: str = ""


@dataclass
class ReceptorsConfig:
    ampa: AMPAConfig = field(default_factory=AMPAConfig)
    nmda: NMDAConfig = field(default_factory=NMDAConfig)
    gaba_a: GABAAConfig = field(default_factory=GABAAConfig)
    tonic: TonicConfig = field(default_factory=TonicConfig)
    alpha4_polarity: Alpha4PolarityConfig = field(default_factory=Alpha4PolarityConfig)
    populations: dict[str, Any] = MISSING  # PopulationReceptorConfig, typed by validate


# --------------------------------------------------------------------------- pharmacology
@dataclass
class HillConfig:
    """Effect = emax * occupancy; occupancy from (C/ec50)^hill (see pharmacology.py)."""

    ec50_nM: float = 1.0
    hill: float = 1.0
    emax: float = 0.0  # relative change at saturation; >= -1 (full block)


@dataclass
class SpeciesConfig:
    name: str = MISSING
    site: str = MISSING  # species at one site compete; sites combine multiplicatively
    gamma2_decay: HillConfig = field(default_factory=HillConfig)
    gamma2_peak: HillConfig = field(default_factory=HillConfig)
    delta_tonic: HillConfig = field(default_factory=HillConfig)
    nmda: HillConfig = field(default_factory=HillConfig)
    # unbound (aqueous) fraction of the total brain-tissue concentration: what the receptor
    # table's in-vitro EC50s are compared with (sims.fast.pharmacology.receptor_concentrations)
    free_fraction_brain: float = MISSING
    source: str = ""


@dataclass
class PharmacologyConfig:
    species: dict[str, Any] = MISSING  # SpeciesConfig, typed by validate


@dataclass
class SteroidsConfig:
    """Baseline brain steroid levels per species (total tissue concentration, as measured in
    ng/g), and their kinetics.

    With the slow layer on, ``brain_nM`` calibrates the baseline state (ALLO, THDOC, PregS,
    DHEA-S); with ``coupling.slow=false`` the network sees exactly these levels. The
    receptors see their unbound part (``pharmacology.species.*.free_fraction_brain``).
    """

    brain_nM: dict[str, float] = field(default_factory=dict)
    kinetics: SteroidKineticsConfig = field(default_factory=SteroidKineticsConfig)
    source: str = ""


@dataclass
class CouplingConfig:
    """Which layers run, when the network is probed, and whether probes feed back."""

    mode: str = "open"  # open: probes read the slow layer; closed: they also feed back
    slow: bool = True  # integrate the slow layer (hormones, HPA, ...)
    fast: bool = True  # run network probes
    probe_times_h: list[float] = field(default_factory=lambda: [0.0])
    cadence_h: float = 0.0  # > 0: probe every cadence_h from t = 0 (replaces probe_times_h)
    workers: int = 1  # open mode: probes run side by side in this many processes
    pvn_population: str = "PVN"  # closed mode: its rate drives CRH production
    pvn_gain: float = 0.0  # CRH drive x (1 + gain (rate / first-probe rate - 1))
    progress: bool = True  # progress line on a terminal (never in logs or CI)


# --------------------------------------------------------------------------- running
@dataclass
class ProbeConfig:
    warmup_ms: float = 200.0  # discarded from all metrics
    window_ms: float = 1000.0  # analysed
    n_record: int = 100  # lfp-population cells whose currents are recorded
    record_dt_ms: float = 1.0
    psd_method: str = "multitaper"  # LFP-proxy spectrum: multitaper (whole window) | welch
    psd_half_bandwidth_Hz: float = 3.0  # multitaper smoothing +-W (K = 2 T W - 1 tapers)
    psd_segment_ms: float = 500.0  # Welch segment length (psd_method=welch)
    sync_bin_ms: float = 5.0  # bin for the spike-count synchrony measure
    max_rate_Hz: float = 200.0  # mean rate above this marks the probe as runaway
    state: str = "wake"  # brain state: wake | nrem | auto (by the clock: sims/fast/states.py)


@dataclass
class SleepPopulationConfig:
    """One population's values in the ``nrem`` state (unset: its wake value)."""

    b_pA: float | None = None  # spike-triggered adaptation increment
    tau_w_ms: float | None = None  # adaptation time constant
    drive_scale: float = 1.0  # scale of the external drive
    recurrent_scale: float = 1.0  # scale of recurrent excitatory synapses onto the population
    source: str = ""


@dataclass
class UpDownConfig:
    """UP/DOWN state detection on the LFP population's spikes (sims/fast/metrics.py)."""

    bin_ms: float = 10.0  # population-rate bins
    smooth_ms: float = 50.0  # boxcar smoothing of the binned rate
    down_fraction: float = 0.2  # DOWN: smoothed rate below this fraction of the mean rate
    min_state_ms: float = 50.0  # shorter UP or DOWN episodes are merged into their neighbours
    min_window_spikes: float = 5.0  # fewer spikes per smoothing window: states undefined (NaN)


@dataclass
class SleepConfig:
    """Brain states of the network's probes (configs/sleep/default.yaml: values, sources)."""

    night_start_clock_h: float = 23.0  # probe.state=auto: nrem from this hour ...
    night_end_clock_h: float = 7.0  # ... to this one (the HPA model's waking hour)
    nrem: dict[str, Any] = field(default_factory=dict)  # population -> SleepPopulationConfig
    updown: UpDownConfig = field(default_factory=UpDownConfig)
    source: str = ""


@dataclass
class BackendConfig:
    name: str = "cpp_standalone"  # "cpp_standalone" (compiled binary) or "runtime"
    codegen_target: str = "cython"  # runtime only: "cython" or "numpy"
    cache_dir: str = ""  # compiled standalone projects; "" -> ~/.cache/allonet/build


@dataclass
class OutputConfig:
    filename: str = "result.h5"
    save_spikes: bool = True
    compression_level: int = 4
    overwrite: bool = False  # replace a complete result of *another* config in the folder


@dataclass
class AllonetConfig:
    seed: int = 1234  # master seed; a job's own seed derives from it (sims/seeds.py)
    seed_mode: str = "per_job"  # "per_job" (from master + scientific values) or "shared"
    network: NetworkConfig = field(default_factory=NetworkConfig)
    receptors: ReceptorsConfig = field(default_factory=ReceptorsConfig)
    pharmacology: PharmacologyConfig = field(default_factory=PharmacologyConfig)
    steroids: SteroidsConfig = field(default_factory=SteroidsConfig)
    scenario: Any = field(default_factory=lambda: {"name": "baseline"})
    treatment: Any = field(default_factory=lambda: {"name": "none"})
    hpa: HPAConfig = field(default_factory=HPAConfig)
    inflammation: InflammationConfig = field(default_factory=InflammationConfig)
    stress_loop: StressLoopConfig = field(default_factory=StressLoopConfig)
    chloride: ChlorideConfig = field(default_factory=ChlorideConfig)
    homeostasis: HomeostasisConfig = field(default_factory=HomeostasisConfig)
    slow: SlowConfig = field(default_factory=SlowConfig)
    coupling: CouplingConfig = field(default_factory=CouplingConfig)
    probe: ProbeConfig = field(default_factory=ProbeConfig)
    sleep: SleepConfig = field(default_factory=SleepConfig)
    backend: BackendConfig = field(default_factory=BackendConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    # analyses (sims.calibration): what a run is checked against or fitted to; never read
    # by the simulation itself, checked by their own modules before anything runs
    targets: Any = None  # +targets=default: published numbers and their experiments
    calibration: Any = None  # +calibration=NAME: Optuna fit of parameters to targets
    sensitivity: Any = None  # +sensitivity=NAME: SALib Morris / Sobol analysis
    uncertainty: Any = None  # +uncertainty=from_calibration: accepted sets -> bands
    calibrated: Any = None  # +calibrated=NAME: a calibration's best values (applied below)
    cohort: Any = None  # +cohort=NAME: a virtual cohort of individuals (sims.cohort)
    study: Any = None  # +study=NAME: a virtual study of a cohort (sims.study)
    measurement: Any = None  # measurement=default (with a study): analytes and assays


def register_configs() -> None:
    """Register the schemas in Hydra's ConfigStore (idempotent).

    Root-level names only: a schema is never a selectable option of a config group.
    """
    import warnings

    # outputs/configs (configs/config.yaml's search path) holds the calibrations' exported
    # parameters; it is optional: until a calibration has run it does not exist
    warnings.filterwarnings("ignore", message=r".*path=outputs/configs is not available",
                            category=UserWarning)
    cs = ConfigStore.instance()
    cs.store(name="allonet_schema", node=AllonetConfig)
    for name, node in SCENARIO_SCHEMAS.items():
        cs.store(name=f"scenario_{name}_schema", node=node)
    for name, node in TREATMENT_SCHEMAS.items():
        cs.store(name=f"treatment_{name}_schema", node=node)
    cs.store(name="treatment_selection_schema", node=TreatmentSelection)
