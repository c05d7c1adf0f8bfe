"""The config's typed schemas (dataclasses, stored in Hydra's ConfigStore).

The schemas make OmegaConf reject unknown keys and wrongly typed values while the config is
composed; :mod:`sims.configuration.typed` walks the same dataclasses when it validates. The slow
layer's sections (scenario, treatment, hpa, homeostasis, ...) are its own schemas in
:mod:`sims.slow.schemas`, assembled here.

Schemas are stored under root-level names (``allonet_schema``, ``scenario_<name>_schema``,
``treatment_<name>_schema``), which config files reference as
``/scenario_<name>_schema@_here_``: they never appear among a group's options.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any, ClassVar

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING

from sims.params import (
    COMPILED,
    ROLE_META,
    RUNTIME,
    UNUSED,
    bookkeeping,
    collection,
    param,
    schema,
    with_role,
)
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

#: Where the values of the structural schemas come from (each entry carries its own
#: source in its config file).
_NET = "configs/network/*.yaml (each population's source)"
_CONN = "configs/network/*.yaml (each connection's source)"
_OFF = "[assumption: 0, off, unless a network sets it]"
_REC = "configs/receptors/default.yaml"
_REC_POP = "configs/receptors/default.yaml (each population's source)"
_RUN = "set at run time by the slow layer (1 / 0 at baseline)"
_PHARM = "configs/pharmacology/default.yaml (each species' source)"
_PROBE = "[assumption] (analysis settings; docs/running.md)"
_SLEEP = "configs/sleep/default.yaml"

#: Metadata key of an analysis node (a root field): ``runs`` for the analyses that drive
#: runs of their own (targets, calibration, sensitivity, uncertainty), ``part`` for those
#: that are part of a run (a calibration's applied values, a cohort, a study).
ANALYSIS_META = "analysis"


def analysis_node(drives_runs: bool) -> Any:
    """A root field holding an analysis' node (parsed by its own module; ``None`` unset):
    it chooses what runs, never what is compiled, and never enters a job's seed."""
    return field(default=None, metadata={ROLE_META: UNUSED,
                                         ANALYSIS_META: "runs" if drives_runs else "part"})


#: How a job's seed follows from the master seed (sims.seeds): from the master seed and the
#: job's scientific values, or the master seed for every job.
SEED_MODES = ("per_job", "shared")
#: The brain states the network runs in (sims.fast.states).
STATES = ("wake", "nrem")
#: What ``probe.state`` may be: a state, or ``auto`` (by the clock of the slow layer).
PROBE_STATES = (*STATES, "auto")


# --------------------------------------------------------------------------- network
@schema
class PopulationConfig:
    """One neuron population: adaptive conductance-based LIF (+ external Poisson drive)."""

    ROLE: ClassVar[str] = COMPILED

    n: int = param(MISSING, "1", ge=1, doc="number of neurons", source=_NET)
    kind: str = MISSING  # "exc" (AMPA+NMDA synapses) or "inh" (GABA-A synapses)
    C_pF: float = param(MISSING, "pF", gt=0, doc="membrane capacitance", source=_NET)
    gL_nS: float = param(MISSING, "nS", gt=0, doc="leak conductance", source=_NET)
    EL_mV: float = param(MISSING, "mV", doc="leak reversal potential", source=_NET)
    Vt_mV: float = param(MISSING, "mV", doc="spike threshold", source=_NET)
    Vr_mV: float = param(MISSING, "mV", doc="reset potential (below Vt_mV)", source=_NET)
    tref_ms: float = param(MISSING, "ms", ge=0, doc="refractory period", source=_NET)
    a_nS: float = param(0.0, "nS", ge=0, doc="subthreshold adaptation conductance",
                        source=_OFF)
    b_pA: float = param(0.0, "pA", ge=0, doc="spike-triggered adaptation increment (wake)",
                        source=_OFF, role=RUNTIME)  # b_adapt: the brain state's (states.py)
    tau_w_ms: float = param(100.0, "ms", gt=0, doc="adaptation time constant (wake)",
                            source="[assumption] where a network does not set it",
                            role=RUNTIME)
    ext_n: int = param(0, "1", ge=0, doc="independent external Poisson afferents",
                       source=_OFF)
    ext_rate_Hz: float = param(0.0, "Hz", ge=0, doc="rate of each external afferent",
                               source=_OFF)
    ext_g_nS: float = param(0.0, "nS", ge=0, doc="AMPA peak conductance of one external "
                            "spike", source=_OFF)
    source: str = ""


@schema
class ConnectionConfig:
    """A projection from ``pre`` to ``post``: Bernoulli connectivity and peak conductances.

    The key names the projection; ``pre`` and ``post`` name its populations (when left
    empty, they are read from a key of the form ``PRE_to_POST``)."""

    ROLE: ClassVar[str] = COMPILED

    p: float = param(MISSING, "1", ge=0, le=1, doc="connection probability", source=_CONN)
    pre: str = ""  # presynaptic population ("" = PRE of a PRE_to_POST key)
    post: str = ""  # postsynaptic population ("" = POST of a PRE_to_POST key)
    g_nS: float = param(MISSING, "nS", ge=0, doc="AMPA (exc pre) or GABA-A (inh pre) peak "
                        "conductance", source=_CONN)
    g_nmda_nS: float = param(0.0, "nS", ge=0, doc="NMDA peak conductance (exc pre only)",
                             source=_CONN)
    delay_ms: float = param(1.5, "ms", ge=0, doc="synaptic delay", source=_CONN)
    source: str = ""


@schema
class NetworkConfig:
    ROLE: ClassVar[str] = COMPILED

    # Named collections: plain mappings for Hydra, so that new entries can be added from
    # the command line (``+network.connections.PV_to_SST={...}``); ``validate`` types each
    # entry against its schema (sims.params.collection).
    populations: dict[str, Any] = collection(PopulationConfig, default=MISSING)
    connections: dict[str, Any] = collection(ConnectionConfig)
    dt_ms: float = param(0.1, "ms", gt=0, doc="integration time step",
                         source="[assumption] (conductance-based LIF, Euler)")
    ext_dt_ms: float = param(0.5, "ms", gt=0, doc="bin of the external Poisson counts",
                             source="[assumption]")
    method: str = "euler"
    lfp_population: str = "E"  # population whose currents give the LFP proxy and charges


# --------------------------------------------------------------------------- receptors
@schema
class AMPAConfig:
    ROLE: ClassVar[str] = COMPILED

    tau_decay_ms: float = param(MISSING, "ms", gt=0, doc="AMPA decay", source=_REC)
    E_rev_mV: float = param(MISSING, "mV", doc="AMPA reversal", source=_REC)


@schema
class NMDAConfig:
    ROLE: ClassVar[str] = COMPILED

    tau_rise_ms: float = param(MISSING, "ms", gt=0, doc="NMDA rise", source=_REC)
    tau_decay_ms: float = param(MISSING, "ms", gt=0, doc="NMDA decay", source=_REC)
    E_rev_mV: float = param(MISSING, "mV", doc="NMDA reversal", source=_REC)
    mg_mM: float = param(MISSING, "mM", ge=0, doc="extracellular Mg2+ (voltage block)",
                         source=_REC)


@schema
class GABAAConfig:
    ROLE: ClassVar[str] = RUNTIME

    tau_decay_ms: float = param(MISSING, "ms", gt=0, doc="unmodulated synaptic (gamma2) "
                                "IPSC decay", source=_REC)
    E_rev_mV: float = param(MISSING, "mV", doc="GABA-A reversal (E_Cl, unshifted)",
                            source=_REC)


@schema
class TonicConfig:
    ROLE: ClassVar[str] = RUNTIME

    ambient_gaba_uM: float = param(MISSING, "uM", ge=0, doc="ambient GABA", source=_REC)
    gaba_ec50_uM: float = param(MISSING, "uM", gt=0, doc="GABA EC50 of extrasynaptic "
                                "receptors", source=_REC)
    gaba_hill: float = param(1.0, "1", gt=0, doc="Hill coefficient of GABA", source=_REC)


@schema
class PopulationReceptorConfig:
    """Per-population GABA-A receptor make-up (set independently for E, PV, SST)."""

    ROLE: ClassVar[str] = RUNTIME

    g_tonic_max_nS: float = param(MISSING, "nS", ge=0, doc="extrasynaptic conductance at "
                                  "saturating GABA", source=_REC_POP)
    E_tonic_mV: float = param(MISSING, "mV", doc="reversal of the tonic current",
                              source=_REC_POP)
    delta_expression: float = param(1.0, "1", ge=0, doc="delta expression relative to the "
                                    "reference (virgin/baseline) state", source=_RUN)
    gamma2_expression: float = param(1.0, "1", ge=0, doc="gamma2 expression, likewise",
                                     source=_RUN)
    tonic_steroid_sensitivity: float = param(1.0, "1", ge=0, doc="scales the delta steroid "
                                             "effect", source=_REC_POP)
    phasic_steroid_sensitivity: float = param(1.0, "1", ge=0, doc="scales the gamma2 "
                                              "steroid effects", source=_REC_POP)
    phasic_decay_scale: float = param(1.0, "1", gt=0, doc="homeostatic alpha4 effect on "
                                      "IPSC decay (1 = none)", source=_RUN)
    alpha4_share: float = param(0.0, "1", ge=0, le=1, doc="share of the tonic conductance "
                                "carried by alpha4beta2delta receptors", source=_REC_POP)
    alpha4_expression: float = param(1.0, "1", ge=0, doc="homeostatic alpha4 expression",
                                     source=_RUN)
    chloride_shift_mV: float = param(0.0, "mV", doc="depolarising shift of E_GABA (the "
                                     "slow chloride state, sims/slow/chloride.py)",
                                     source=_RUN)
    source: str = ""


@schema
class Alpha4PolarityConfig:
    """Neurosteroid effect on alpha4beta2delta receptors while their current is outward
    (v > E_tonic; configs/receptors/default.yaml: sources)."""

    ROLE: ClassVar[str] = RUNTIME

    outward_emax: float = param(-0.6, "1", ge=-1, doc="relative change at full site "
                                "occupancy (< 0: reduction; -1: none left)",
                                source="Shen et al. 2007 [R direction; value assumption]")
    outward_potency: float = param(2.0, "1", gt=0, doc="occupancy at potency x C (EC50 / "
                                   "potency)", source=_REC + " [R]")
    source: str = ""


@schema
class ReceptorsConfig:
    ROLE: ClassVar[str] = RUNTIME

    ampa: AMPAConfig = field(default_factory=AMPAConfig)
    nmda: NMDAConfig = field(default_factory=NMDAConfig)
    gaba_a: GABAAConfig = field(default_factory=GABAAConfig)
    tonic: TonicConfig = field(default_factory=TonicConfig)
    alpha4_polarity: Alpha4PolarityConfig = field(default_factory=Alpha4PolarityConfig)
    populations: dict[str, Any] = collection(PopulationReceptorConfig, default=MISSING)


# --------------------------------------------------------------------------- pharmacology
@schema
class HillConfig:
    """Effect = emax * occupancy; occupancy from (C/ec50)^hill (see pharmacology.py)."""

    ROLE: ClassVar[str] = RUNTIME

    ec50_nM: float = param(1.0, "nM", gt=0, doc="half-effect concentration (free drug)",
                           source=_PHARM)
    hill: float = param(1.0, "1", gt=0, doc="Hill coefficient", source=_PHARM)
    emax: float = param(0.0, "1", ge=-1, doc="relative change at saturation (-1: full "
                        "block)", source=_PHARM)


@schema
class SpeciesConfig:
    ROLE: ClassVar[str] = RUNTIME

    name: str = MISSING
    site: str = MISSING  # species at one site compete; sites combine multiplicatively
    gamma2_decay: HillConfig = field(default_factory=HillConfig)
    gamma2_peak: HillConfig = field(default_factory=HillConfig)
    delta_tonic: HillConfig = field(default_factory=HillConfig)
    nmda: HillConfig = field(default_factory=HillConfig)
    # unbound (aqueous) fraction of the total brain-tissue concentration: what the receptor
    # table's in-vitro EC50s are compared with (sims.fast.pharmacology.receptor_concentrations)
    free_fraction_brain: float = param(MISSING, "1", gt=0, le=1, doc="the unbound share of "
                                       "the total brain concentration", source=_PHARM)
    source: str = ""


@schema
class PharmacologyConfig:
    ROLE: ClassVar[str] = RUNTIME

    species: dict[str, Any] = collection(SpeciesConfig, default=MISSING)


@schema
class SteroidsConfig:
    """Baseline brain steroid levels per species (total tissue concentration, as measured in
    ng/g), and their kinetics.

    With the slow layer on, ``brain_nM`` calibrates the baseline state (ALLO, THDOC, PregS,
    DHEA-S); with ``coupling.slow=false`` the network sees exactly these levels. The
    receptors see their unbound part (``pharmacology.species.*.free_fraction_brain``).
    """

    ROLE: ClassVar[str] = UNUSED

    brain_nM: dict[str, float] = with_role(RUNTIME, default_factory=dict)  # probes' levels
    kinetics: SteroidKineticsConfig = field(default_factory=SteroidKineticsConfig)
    source: str = ""


@schema
class CouplingConfig:
    """Which layers run, when the network is probed, and whether probes feed back."""

    ROLE: ClassVar[str] = UNUSED

    mode: str = "open"  # open: probes read the slow layer; closed: they also feed back
    slow: bool = True  # integrate the slow layer (hormones, HPA, ...)
    fast: bool = True  # run network probes
    probe_times_h: list[float] = field(default_factory=lambda: [0.0])
    cadence_h: float = 0.0  # > 0: probe every cadence_h from t = 0 (replaces probe_times_h)
    # open mode: probes run side by side in this many processes
    workers: int = bookkeeping(default=1)
    pvn_population: str = "PVN"  # closed mode: its rate drives CRH production
    pvn_gain: float = 0.0  # CRH drive x (1 + gain (rate / first-probe rate - 1))
    progress: bool = bookkeeping(default=True)  # progress line on a terminal (never in logs)


# --------------------------------------------------------------------------- running
@schema
class ProbeConfig:
    ROLE: ClassVar[str] = UNUSED

    # the run's duration and the state monitor are compiled in; the analysis is Python
    warmup_ms: float = param(200.0, "ms", ge=0, doc="discarded from all metrics",
                             source=_PROBE, role=COMPILED)
    window_ms: float = param(1000.0, "ms", gt=0, doc="analysed window", source=_PROBE,
                             role=COMPILED)
    n_record: int = param(100, "1", ge=1, doc="lfp-population cells whose currents are "
                          "recorded", source=_PROBE, role=COMPILED)
    record_dt_ms: float = param(1.0, "ms", gt=0, doc="recording step", source=_PROBE,
                                role=COMPILED)
    psd_method: str = "multitaper"  # LFP-proxy spectrum: multitaper (whole window) | welch
    psd_half_bandwidth_Hz: float = param(3.0, "Hz", gt=0, doc="multitaper smoothing +-W "
                                         "(K = 2 T W - 1 tapers)", source=_PROBE)
    psd_segment_ms: float = param(500.0, "ms", gt=0, doc="Welch segment length",
                                  source=_PROBE)
    sync_bin_ms: float = param(5.0, "ms", gt=0, doc="bin of the spike-count synchrony "
                               "measure", source=_PROBE)
    max_rate_Hz: float = param(200.0, "Hz", gt=0, doc="mean rate above which a probe is "
                               "runaway", source=_PROBE)
    # brain state: wake | nrem | auto (by the clock: sims/fast/states.py); run-time values
    state: str = with_role(RUNTIME, default="wake")


@schema
class SleepPopulationConfig:
    """One population's values in the ``nrem`` state (unset: its wake value)."""

    ROLE: ClassVar[str] = RUNTIME

    b_pA: float | None = param(None, "pA", ge=0, doc="spike-triggered adaptation increment "
                               "(unset: the wake value)", source=_SLEEP)
    tau_w_ms: float | None = param(None, "ms", gt=0, doc="adaptation time constant (unset: "
                                   "the wake value)", source=_SLEEP)
    drive_scale: float = param(1.0, "1", ge=0, doc="scale of the external drive",
                               source=_SLEEP)
    recurrent_scale: float = param(1.0, "1", ge=0, doc="scale of recurrent excitatory "
                                   "synapses onto the population", source=_SLEEP)
    source: str = ""


@schema
class UpDownConfig:
    """UP/DOWN state detection on the LFP population's spikes (sims/fast/metrics.py)."""

    ROLE: ClassVar[str] = UNUSED

    bin_ms: float = param(10.0, "ms", gt=0, doc="population-rate bins", source=_SLEEP)
    smooth_ms: float = param(50.0, "ms", gt=0, doc="boxcar smoothing of the binned rate "
                             "(>= bin_ms)", source=_SLEEP)
    down_fraction: float = param(0.2, "1", gt=0, lt=1, doc="DOWN: smoothed rate below this "
                                 "fraction of the mean rate", source=_SLEEP)
    min_state_ms: float = param(50.0, "ms", ge=0, doc="shorter UP or DOWN episodes merge "
                                "into their neighbours", source=_SLEEP)
    min_window_spikes: float = param(5.0, "1", ge=0, doc="fewer spikes per smoothing "
                                     "window: states undefined (NaN)", source=_SLEEP)


@schema
class SleepConfig:
    """Brain states of the network's probes (configs/sleep/default.yaml: values, sources)."""

    ROLE: ClassVar[str] = RUNTIME

    night_start_clock_h: float = param(23.0, "h", ge=0, lt=24, doc="probe.state=auto: nrem "
                                       "from this hour of the day", source=_SLEEP)
    night_end_clock_h: float = param(7.0, "h", ge=0, lt=24, doc="... to this one (the HPA "
                                     "model's waking hour)", source=_SLEEP)
    nrem: dict[str, Any] = collection(SleepPopulationConfig)  # population -> its nrem values
    updown: UpDownConfig = field(default_factory=UpDownConfig)  # detection, in Python
    source: str = ""


@schema
class BackendConfig:
    ROLE: ClassVar[str] = COMPILED

    name: str = "cpp_standalone"  # "cpp_standalone" (compiled binary) or "runtime"
    codegen_target: str = "cython"  # runtime only: "cython" or "numpy"
    # compiled standalone projects; "" -> ~/.cache/allonet/build
    cache_dir: str = with_role(UNUSED, default="")


@schema
class OutputConfig:
    ROLE: ClassVar[str] = UNUSED

    filename: str = "result.h5"
    save_spikes: bool = True
    compression_level: int = 4
    overwrite: bool = False  # replace a complete result of *another* config in the folder


@schema
class AllonetConfig:
    # master seed; a job's own seed derives from it (sims/seeds.py); a run-time value of
    # the standalone binary (built into a runtime-backend network: sims.fast.build_cache)
    seed: int = bookkeeping(default=1234, role=RUNTIME)
    # "per_job" (from master + scientific values) or "shared"
    seed_mode: str = bookkeeping(default="per_job", role=UNUSED)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    receptors: ReceptorsConfig = field(default_factory=ReceptorsConfig)
    pharmacology: PharmacologyConfig = field(default_factory=PharmacologyConfig)
    steroids: SteroidsConfig = field(default_factory=SteroidsConfig)
    # the slow layer's sections: they never reach the compiled network (their effects
    # do, as run-time values: steroid levels, expression, chloride shifts)
    scenario: Any = with_role(UNUSED, default_factory=lambda: {"name": "baseline"})
    treatment: Any = with_role(UNUSED, default_factory=lambda: {"name": "none"})
    hpa: HPAConfig = with_role(UNUSED, default_factory=HPAConfig)
    inflammation: InflammationConfig = with_role(UNUSED, default_factory=InflammationConfig)
    stress_loop: StressLoopConfig = with_role(UNUSED, default_factory=StressLoopConfig)
    chloride: ChlorideConfig = with_role(UNUSED, default_factory=ChlorideConfig)
    homeostasis: HomeostasisConfig = with_role(UNUSED, default_factory=HomeostasisConfig)
    slow: SlowConfig = with_role(UNUSED, default_factory=SlowConfig)
    coupling: CouplingConfig = field(default_factory=CouplingConfig)
    probe: ProbeConfig = field(default_factory=ProbeConfig)
    sleep: SleepConfig = field(default_factory=SleepConfig)
    backend: BackendConfig = bookkeeping(default_factory=BackendConfig)
    output: OutputConfig = bookkeeping(default_factory=OutputConfig)
    # analyses (sims.calibration): what a run is checked against or fitted to; never read
    # by the simulation itself, checked by their own modules before anything runs; they
    # choose what runs, never what is compiled (a cohort refuses to vary compiled keys)
    # +targets=default: published numbers and their experiments
    targets: Any = analysis_node(drives_runs=True)
    # +calibration=NAME: Optuna fit of parameters to targets
    calibration: Any = analysis_node(drives_runs=True)
    # +sensitivity=NAME: SALib Morris / Sobol analysis
    sensitivity: Any = analysis_node(drives_runs=True)
    # +uncertainty=from_calibration: accepted sets -> bands
    uncertainty: Any = analysis_node(drives_runs=True)
    # +calibrated=NAME: a calibration's best values (part of the simulation: validate
    # applies them)
    calibrated: Any = analysis_node(drives_runs=False)
    # +cohort=NAME: a virtual cohort of individuals (sims.cohort)
    cohort: Any = analysis_node(drives_runs=False)
    # +study=NAME: a virtual study of a cohort (sims.study)
    study: Any = analysis_node(drives_runs=False)
    # measurement=default (with a study): analytes and assays
    measurement: Any = analysis_node(drives_runs=False)


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
