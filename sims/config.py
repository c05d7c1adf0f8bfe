"""Typed config schemas (Hydra ConfigStore) and validation of user input.

The schemas make OmegaConf reject unknown keys and wrongly typed values while the
config is composed. :func:`validate` then types the entries of named collections
(populations, connections, species, scenario, treatment), checks ranges, units, cross
references and every derived constraint that later code divides by, indexes with or
converts (a PSD segment of too few samples, a recording step longer than the window, a
delay that is not a multiple of the time step, ...), and raises a :class:`ConfigError`
that names the key, the value and what is allowed. All of it happens before any Brian2
object is created, so bad input never compiles, runs or writes. Values are never changed
silently: a value that later code would have to clamp or round is rejected.

Schemas are stored in Hydra's ConfigStore under root-level names (``allonet_schema``,
``scenario_<name>_schema``, ``treatment_<name>_schema``), which config files reference as
``/scenario_<name>_schema@_here_``: they never appear among a group's options.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import functools
import hashlib
import json
import math
import re
import typing
from dataclasses import dataclass, field
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, DictConfig, OmegaConf

from sims.constants import CONFIG_DIR, SCHEMA_VERSION  # noqa: F401 - re-exported
from sims.errors import ConfigError
from sims.seeds import SEED_MODES
from sims.slow.schemas import (
    SCENARIO_SCHEMAS,
    TREATMENT_SCHEMAS,
    TREATMENT_SHORTHAND,
    ChlorideConfig,
    ChloridePopulationConfig,
    HomeostasisConfig,
    HPAConfig,
    InflammationConfig,
    PopulationHomeostasisConfig,
    SlowConfig,
    SteroidKineticsConfig,
    StressLoopConfig,
    TreatmentSelection,
)
from sims.slow.treatments import COMBINATION


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


#: Top-level nodes of the analyses: not part of the simulation's numbers checks.
ANALYSIS_NODES = ("targets", "calibration", "sensitivity", "uncertainty", "calibrated",
                  "cohort", "study", "measurement")


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


# --------------------------------------------------------------------------- validation
#: suffix -> (check, description of what is allowed)
_POSITIVE = (lambda v: v > 0, "a number > 0")
_NONNEG = (lambda v: v >= 0, "a number >= 0")
_FRACTION = (lambda v: 0 <= v <= 1, "a fraction in [0, 1]")
#: Upper bounds of concentrations. Steroids and the drugs dissolve in water at uM at most,
#: so 1 mM is beyond any level a brain, a plasma or a bath can hold [assumption: a bound,
#: not a value]; ions stay below 1 M (extracellular Na+ ~150 mM).
_STEROID_MAX_NM = 1e6
_ION_MAX_MM = 1e3
_NANOMOLAR = (lambda v: 0 <= v <= _STEROID_MAX_NM,
              f"a number >= 0 and <= {_STEROID_MAX_NM:g} nM (1 mM, above any steroid's "
              "solubility)")
_MICROMOLAR = (lambda v: 0 <= v <= _STEROID_MAX_NM / 1e3,
               f"a number >= 0 and <= {_STEROID_MAX_NM / 1e3:g} uM (1 mM)")
_MILLIMOLAR = (lambda v: 0 <= v <= _ION_MAX_MM,
               f"a number >= 0 and <= {_ION_MAX_MM:g} mM (1 M)")
_SUFFIX_RULES = {
    "_ms": _NONNEG, "_nS": _NONNEG, "_pA": _NONNEG, "_pF": _POSITIVE, "_Hz": _NONNEG,
    "_nM": _NANOMOLAR, "_uM": _MICROMOLAR, "_mM": _MILLIMOLAR, "_g_per_mol": _POSITIVE,
    "_min": _NONNEG, "_h": _NONNEG, "_days": _NONNEG, "_day": _NONNEG, "_weeks": _NONNEG,
    "_years": _NONNEG,
    "_per_h": _NONNEG, "_mg": _NONNEG, "_kg": _POSITIVE, "_L": _POSITIVE,
    "_L_per_kg": _POSITIVE, "_L_per_h": _POSITIVE, "_L_per_h_per_kg": _POSITIVE,
    "_ug_per_kg_per_h": _NONNEG, "_ug_per_dL": _POSITIVE, "_frac": _FRACTION,
}
_SUFFIXES = sorted(_SUFFIX_RULES, key=len, reverse=True)  # longest suffix wins
#: Keys (leaf names) that later code divides by: strictly positive.
_STRICTLY_POSITIVE_KEYS = {"C_pF", "gL_nS", "tau_decay_ms", "tau_rise_ms", "dt_ms",
                           "window_ms", "record_dt_ms", "psd_segment_ms", "sync_bin_ms",
                           "tau_w_ms", "ec50_nM", "gaba_ec50_uM", "max_rate_Hz", "ext_dt_ms",
                           "brain_half_life_min", "plasma_half_life_h", "sulfated_half_life_h",
                           "stress_precursor_half_life_min", "r5a_tau_days", "tau_h",
                           "allo_km_nM", "neurosteroid_ec50_nM", "allo_ec50_nM",
                           "cycle_length_mean_days", "luteal_width_days",
                           "rise_width_weeks", "progesterone_pp_tau_days",
                           "placental_allo_pp_tau_h", "thdoc_plasma_nM", "gaba_hill",
                           "phasic_decay_scale", "tau_load_days", "tau_down_h",
                           "tau_recovery_h"}
BACKENDS = ("cpp_standalone", "runtime")
CODEGEN_TARGETS = ("cython", "numpy")
METHODS = ("euler", "rk2", "rk4", "heun", "milstein")
KINDS = ("exc", "inh")
PSD_METHODS = ("multitaper", "welch")
SITES = ("neurosteroid", "sulfated")
#: Population names become parts of Brian2 object names and of ``PRE_to_POST`` keys.
POPULATION_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
#: Connection keys name Brian2 objects (``syn_<key>``).
CONNECTION_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
#: The Welch spectrum needs at least this many samples per segment.
PSD_MIN_SAMPLES = 8
#: The synchrony measure needs at least this many bins in the analysis window.
SYNC_MIN_BINS = 2
#: The compiled binary's run-time seed is a 32-bit signed integer.
MAX_SEED = 2**31 - 1


def _walk(node: Any, prefix: str = ""):
    """Yield (dotted_key, leaf_key, value) for every leaf of a plain nested dict or list."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, f"{prefix}[{i}]")
    else:
        yield prefix, prefix.rsplit(".", 1)[-1].split("[")[0], node


def connection_ends(cname: str, conn: dict) -> tuple[str, str]:
    """The (pre, post) populations of connection ``cname``: its ``pre``/``post`` fields, or
    the two halves of a ``PRE_to_POST`` key ("" where neither tells)."""
    head, sep, tail = cname.partition("_to_")
    pre = conn.get("pre") or (head if sep else "")
    post = conn.get("post") or (tail if sep else "")
    return pre, post


def _check(ok: bool, key: str, value: Any, allowed: str) -> None:
    if not ok:
        raise ConfigError(key, value, allowed)


def _fields(schema: Any) -> list[str]:
    return [f.name for f in dataclasses.fields(schema)] if dataclasses.is_dataclass(schema) \
        else []


@functools.cache
def _hints(schema: type) -> dict[str, Any]:
    return typing.get_type_hints(schema)


def _scalar(kind: type, value: Any, key: str) -> Any:
    """``value`` as the scalar type ``kind``, converted the way OmegaConf converts."""
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
    elif kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
            return int(value)
    elif kind is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                return float(value)
    elif kind is str:
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
    else:
        return value
    raise ConfigError(key, value, f"a value of type {kind.__name__}")


def _typed_value(hint: Any, value: Any, key: str) -> Any:
    """``value`` checked (and converted) against a schema field's type ``hint``."""
    if dataclasses.is_dataclass(hint):
        return _merge_typed(hint, value, key + ".")
    origin = typing.get_origin(hint)
    if origin is list:
        (item,) = typing.get_args(hint)
        _check(isinstance(value, list), key, value, "a list")
        return [_typed_value(item, v, f"{key}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        _, item = typing.get_args(hint)
        _check(isinstance(value, dict), key, value, "a mapping")
        return {str(k): _typed_value(item, v, f"{key}.{k}") for k, v in value.items()}
    if hint is Any:
        return value
    return _scalar(hint, value, key)


def _merge_typed(schema: Any, c: Any, prefix: str = "") -> dict:
    """``c`` checked against a dataclass schema: unknown keys, missing required values and
    wrong types become :class:`ConfigError`; absent keys take the schema's defaults.

    (A plain-Python walk of the schema: OmegaConf's structured merge does the same at
    ~5 ms a node, which made validation too slow to check every job of a sweep.)
    """
    allowed = _fields(schema)
    if not isinstance(c, dict):
        raise ConfigError(prefix.rstrip(".") or "(config)", c, f"a mapping of the keys {allowed}")
    unknown = [k for k in c if k not in allowed]
    if unknown:
        raise ConfigError(f"{prefix}{unknown[0]}", c[unknown[0]],
                          f"only known keys here, one of {allowed} (unknown key: check "
                          "spelling)")
    hints = _hints(schema)
    out = {}
    for f in dataclasses.fields(schema):
        key = f"{prefix}{f.name}"
        if f.name in c and c[f.name] is not None and c[f.name] != "???":  # ??? = MISSING
            out[f.name] = _typed_value(hints[f.name], c[f.name], key)
            continue
        if f.default is not dataclasses.MISSING and f.default is not MISSING:
            out[f.name] = copy.deepcopy(f.default)
        elif f.default_factory is not dataclasses.MISSING:
            made = f.default_factory()
            out[f.name] = dataclasses.asdict(made) if dataclasses.is_dataclass(made) else made
        else:
            raise ConfigError(key, "(missing)", "a value: this key has no default")
    return out


def _type_entries(c: dict, path: str, schema: Any) -> None:
    """Type every entry of the named collection at ``path`` (e.g. network.populations)."""
    *parents, leaf = path.split(".")
    node = c
    for p in parents:
        node = node[p]
    entries = node[leaf]
    _check(isinstance(entries, dict), path, entries, "a mapping of names to entries")
    node[leaf] = {name: _merge_typed(schema, e, f"{path}.{name}.")
                  for name, e in entries.items()}


def _check_polymorphic(c: dict, group: str, schemas: dict[str, Any]) -> None:
    node = c[group]
    name = node.get("name") if isinstance(node, dict) else None
    if name not in schemas:
        raise ConfigError(f"{group}.name", name, f"one of {sorted(schemas)}")
    c[group] = _merge_typed(schemas[name], node, prefix=f"{group}.")


def normalise_treatment(node: Any) -> dict:
    """The treatment node in its validated form: one treatment -> its flat config (``name``
    and its keys, as a single treatment always was); several (``treatment=[a,b]``) ->
    ``{name: combination, a: {...}, b: {...}}`` in the canonical order of
    :data:`TREATMENT_SCHEMAS` (so ``[a,b]`` and ``[b,a]`` are the same run). Accepts the
    composed form (one entry per selected treatment, plus shorthand keys) and the
    validated one (re-validation).

    Raises:
        ConfigError: naming the key, the value and what is allowed.
    """
    _check(isinstance(node, dict), "treatment", node, "a treatment config")
    composed = any(node.get(n) is not None for n in TREATMENT_SCHEMAS)
    if not composed and node.get("name") != COMBINATION:  # one treatment, flat
        one = {"treatment": node}
        _check_polymorphic(one, "treatment", TREATMENT_SCHEMAS)
        return one["treatment"]
    if composed and node.get("name", "none") not in ("none", COMBINATION):
        raise ConfigError("treatment.name", node["name"], "not set: select treatments with "
                          "treatment=NAME or treatment=[NAME,NAME]")
    allowed = sorted(TREATMENT_SCHEMAS)
    for key in node:
        if key not in TREATMENT_SCHEMAS and key not in TREATMENT_SHORTHAND and key != "name":
            raise ConfigError(f"treatment.{key}", node[key],
                              f"a treatment ({allowed}) or a key of one (unknown key)")
    chosen = [n for n in TREATMENT_SCHEMAS if node.get(n) is not None]
    short = {k: v for k, v in node.items()
             if k in TREATMENT_SHORTHAND and v is not None}
    if not chosen:
        chosen = ["none"]
    if "none" in chosen and len(chosen) > 1:
        raise ConfigError("treatment", chosen, "either none or a list of treatments "
                          f"from {[n for n in allowed if n != 'none']} (none cannot combine)")
    for n in chosen:
        entry = node.get(n) or {}
        _check(isinstance(entry, dict), f"treatment.{n}", entry, "a mapping of its keys")
        _check(entry.get("name", n) == n, f"treatment.{n}.name", entry.get("name"),
               f"{n!r} (the entry's own name) or absent")
    if len(chosen) == 1:
        n = chosen[0]
        flat = {**(node.get(n) or {}), **short, "name": n}
        for key in short:
            _check(key in _fields(TREATMENT_SCHEMAS[n]), f"treatment.{key}", short[key],
                   f"a key of the {n} treatment, one of {_fields(TREATMENT_SCHEMAS[n])}")
        return _merge_typed(TREATMENT_SCHEMAS[n], flat, prefix="treatment.")
    if short:
        key = next(iter(short))
        raise ConfigError(f"treatment.{key}", short[key],
                          f"a key of one treatment when several are given ({chosen}): "
                          f"treatment.<name>.{key}, e.g. treatment.{chosen[0]}.{key}")
    out: dict[str, Any] = {"name": COMBINATION}
    for n in chosen:
        out[n] = _merge_typed(TREATMENT_SCHEMAS[n], {**node[n], "name": n},
                              prefix=f"treatment.{n}.")
    return out


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_numbers(c: dict) -> None:
    """Finite numbers everywhere; sign and range rules from the key's unit suffix."""
    path_rules = {}
    if c["scenario"]["name"] != "from_file":  # from_file: 0 means the file's span
        path_rules["scenario.duration_days"] = _POSITIVE
    sim = {k: v for k, v in c.items() if k not in ANALYSIS_NODES}
    for key, leaf, value in _walk(sim):
        if not _is_number(value):
            continue
        if not math.isfinite(value):
            raise ConfigError(key, value, "a finite number")
        parent = key.rsplit(".", 2)[-2] if key.count(".") >= 1 else ""
        rule = next((_SUFFIX_RULES[s] for s in _SUFFIXES if leaf.endswith(s)), None) or \
            next((_SUFFIX_RULES[s] for s in _SUFFIXES if parent.endswith(s)), None)
        if leaf in _STRICTLY_POSITIVE_KEYS:
            rule = _POSITIVE
        rule = path_rules.get(key, rule)
        if rule is not None:
            _check(rule[0](value), key, value, rule[1] + f" (unit given by the suffix of '{leaf}')")


def _multiple(value: float, step: float) -> bool:
    ratio = value / step
    return abs(ratio - round(ratio)) < 1e-6


def _check_time_grid(c: dict) -> None:
    """Durations and steps that must be whole multiples of the network's time step
    (Brian2 would otherwise round them silently).

    When the step fails several of them, the step is named; when it fails one, that one.
    """
    net, pr = c["network"], c["probe"]
    dt = net["dt_ms"]
    others = {"probe.record_dt_ms": pr["record_dt_ms"], "probe.window_ms": pr["window_ms"],
              "probe.warmup_ms": pr["warmup_ms"], "network.ext_dt_ms": net["ext_dt_ms"]}
    others |= {f"network.populations.{n}.tref_ms": p["tref_ms"]
               for n, p in net["populations"].items()}
    others |= {f"network.connections.{n}.delay_ms": k["delay_ms"]
               for n, k in net["connections"].items()}
    bad = {k: v for k, v in others.items() if not _multiple(v, dt)}
    if len(bad) > 1:
        shown = ", ".join(f"{k}={v:g}" for k, v in list(bad.items())[:4])
        more = f" and {len(bad) - 4} more" if len(bad) > 4 else ""
        raise ConfigError("network.dt_ms", dt, f"a step that divides {shown}{more}")
    if bad:
        (key, val), = bad.items()
        raise ConfigError(key, val, f"a multiple of network.dt_ms={dt:g}")
    for key in ("probe.record_dt_ms", "probe.window_ms", "network.ext_dt_ms"):
        _check(round(others[key] / dt) >= 1, key, others[key],
               f"at least one step of network.dt_ms={dt:g}")


def _check_network(c: dict) -> None:
    net = c["network"]
    pops = net["populations"]
    _check(len(pops) > 0, "network.populations", pops, "at least one population")
    for name, p in pops.items():
        k = f"network.populations.{name}"
        _check(bool(POPULATION_NAME.match(name)), k, name,
               "a name of letters and digits starting with a letter (it names Brian2 "
               "objects and PRE_to_POST connections)")
        _check(p["n"] >= 1, f"{k}.n", p["n"], "an integer >= 1")
        _check(p["kind"] in KINDS, f"{k}.kind", p["kind"], f"one of {KINDS}")
        _check(p["Vr_mV"] < p["Vt_mV"], f"{k}.Vr_mV", p["Vr_mV"],
               f"a reset below the threshold Vt_mV={p['Vt_mV']}")
        _check(p["ext_n"] >= 0, f"{k}.ext_n", p["ext_n"], "an integer >= 0")
        if p["ext_n"] > 0 and p["ext_rate_Hz"] > 0 and p["ext_g_nS"] > 0:
            bin_ms = net["ext_dt_ms"]
            _check(p["ext_rate_Hz"] * bin_ms * 1e-3 < 1, f"{k}.ext_rate_Hz", p["ext_rate_Hz"],
                   f"a rate below {1e3 / bin_ms:g} Hz (at most one spike per afferent per "
                   f"network.ext_dt_ms={bin_ms:g} bin)")
    for cname, conn in net["connections"].items():
        k = f"network.connections.{cname}"
        _check(bool(CONNECTION_NAME.match(cname)), k, cname,
               "a name of letters, digits and underscores starting with a letter (it names "
               "a Brian2 object)")
        pre, post = connection_ends(cname, conn)
        for end, name in (("pre", pre), ("post", post)):
            if conn.get(end):
                _check(name in pops, f"{k}.{end}", name,
                       f"one of the populations {sorted(pops)}")
        _check(pre in pops and post in pops, k, cname,
               f"a key PRE_to_POST with PRE and POST among populations {sorted(pops)}, or "
               "its populations given as pre and post")
        head, sep, tail = cname.partition("_to_")
        if sep and head in pops and tail in pops:
            _check((head, tail) == (pre, post), f"{k}.pre", conn.get("pre"),
                   f"the populations its key names ({head} to {tail}), or another key")
        parts = (pre, post)
        _check(0.0 <= conn["p"] <= 1.0, f"{k}.p", conn["p"], "a probability in [0, 1]")
        if pops[parts[0]]["kind"] == "inh":
            _check(conn["g_nmda_nS"] == 0, f"{k}.g_nmda_nS", conn["g_nmda_nS"],
                   "0 for an inhibitory (GABA-A) presynaptic population")
    _check(net["method"] in METHODS, "network.method", net["method"], f"one of {METHODS}")
    _check_network_memory(net)
    _check(net["lfp_population"] in pops, "network.lfp_population", net["lfp_population"],
           f"one of the populations {sorted(pops)}")


#: Memory of one neuron in the compiled network: ~20 float64 state variables, their
#: integration temporaries and its share of monitors [assumption: counted from the
#: equations of sims.fast.neurons, rounded up].
NEURON_BYTES = 400
#: Memory of one synapse: pre and post indices (int32), a float64 weight or delay, the
#: spike queue's entry, x2 for the growth of the vectors while connecting [assumption].
SYNAPSE_BYTES = 48
#: Share of this machine's physical memory a network may take [assumption: the rest for
#: the interpreter, the compiler and the OS].
NETWORK_MEMORY_SHARE = 0.5


def network_memory_bytes(net: dict) -> tuple[float, dict[str, float]]:
    """Estimated bytes of the built network, and each population's part: its neurons and
    half of the expected synapses (p x N_pre x N_post) of each connection it is in."""
    pops = net["populations"]
    parts = {k: float(p["n"]) * NEURON_BYTES for k, p in pops.items()}
    for cname, conn in net["connections"].items():
        pre, post = connection_ends(cname, conn)
        if pre in pops and post in pops:
            b = float(conn["p"]) * pops[pre]["n"] * pops[post]["n"] * SYNAPSE_BYTES
            parts[pre] += b / 2
            parts[post] += b / 2
    return sum(parts.values()), parts


def _check_network_memory(net: dict) -> None:
    """Refuse a network that cannot fit this machine before Brian2 builds it, naming the
    population that takes most of it."""
    from sims.machine import gib, total_memory

    need, parts = network_memory_bytes(net)
    have = NETWORK_MEMORY_SHARE * total_memory()
    if need > have:
        name = max(parts, key=parts.get)
        raise ConfigError(f"network.populations.{name}.n", net["populations"][name]["n"],
                          f"a network that fits this machine: ~{gib(need)} estimated "
                          f"(this population {gib(parts[name])}), {gib(have)} allowed "
                          f"({NETWORK_MEMORY_SHARE:.0%} of its {gib(total_memory())})")


def _check_receptors(c: dict) -> None:
    pops = c["network"]["populations"]
    rpops = c["receptors"]["populations"]
    _check(set(rpops) == set(pops), "receptors.populations", sorted(rpops),
           f"exactly the network populations {sorted(pops)}")
    for name, r in rpops.items():
        for sub in ("delta_expression", "gamma2_expression", "tonic_steroid_sensitivity",
                    "phasic_steroid_sensitivity"):
            _check(r[sub] >= 0, f"receptors.populations.{name}.{sub}", r[sub], "a number >= 0")
    nmda = c["receptors"]["nmda"]
    _check(not math.isclose(nmda["tau_rise_ms"], nmda["tau_decay_ms"]),
           "receptors.nmda.tau_rise_ms", nmda["tau_rise_ms"],
           f"a rise time different from receptors.nmda.tau_decay_ms={nmda['tau_decay_ms']:g} "
           "(dual-exponential peak normalisation)")


def _check_pharmacology(c: dict) -> None:
    species = c["pharmacology"]["species"]
    for sname, s in species.items():
        k = f"pharmacology.species.{sname}"
        _check(s["site"] in SITES, f"{k}.site", s["site"], f"one of {SITES}")
        for cls in ("gamma2_decay", "gamma2_peak", "delta_tonic", "nmda"):
            h = s[cls]
            _check(h["hill"] > 0, f"{k}.{cls}.hill", h["hill"], "a Hill coefficient > 0")
            _check(h["emax"] >= -1, f"{k}.{cls}.emax", h["emax"],
                   "a relative effect >= -1 (-1 is a full block)")
        f = s["free_fraction_brain"]
        _check(0 < f <= 1, f"{k}.free_fraction_brain", f,
               "a fraction in (0, 1]: the unbound share of the total brain concentration")
    for sname, conc in c["steroids"]["brain_nM"].items():
        _check(sname in species, f"steroids.brain_nM.{sname}", conc,
               f"a species from the pharmacology table {sorted(species)}")


def _check_probe(c: dict) -> None:
    pr = c["probe"]
    lfp = c["network"]["lfp_population"]
    n_lfp = c["network"]["populations"][lfp]["n"]
    _check(1 <= pr["n_record"] <= n_lfp, "probe.n_record", pr["n_record"],
           f"an integer from 1 to the size of network.lfp_population {lfp} ({n_lfp})")
    _check(pr["record_dt_ms"] <= pr["window_ms"], "probe.record_dt_ms", pr["record_dt_ms"],
           f"at most probe.window_ms={pr['window_ms']:g}")
    _check(pr["psd_method"] in PSD_METHODS, "probe.psd_method", pr["psd_method"],
           f"one of {PSD_METHODS}")
    nw = pr["window_ms"] * 1e-3 * pr["psd_half_bandwidth_Hz"]
    _check(nw >= 1, "probe.psd_half_bandwidth_Hz", pr["psd_half_bandwidth_Hz"],
           f">= {1e3 / pr['window_ms']:g} Hz (at least one taper: window x bandwidth >= 1)")
    seg = round(pr["psd_segment_ms"] / pr["record_dt_ms"])
    _check(seg >= PSD_MIN_SAMPLES, "probe.psd_segment_ms", pr["psd_segment_ms"],
           f">= {PSD_MIN_SAMPLES} samples of probe.record_dt_ms={pr['record_dt_ms']:g} "
           f"(>= {PSD_MIN_SAMPLES * pr['record_dt_ms']:g} ms)")
    _check(pr["psd_segment_ms"] <= pr["window_ms"], "probe.psd_segment_ms",
           pr["psd_segment_ms"], f"at most probe.window_ms={pr['window_ms']:g}")
    _check(round(pr["window_ms"] / pr["sync_bin_ms"]) >= SYNC_MIN_BINS, "probe.sync_bin_ms",
           pr["sync_bin_ms"], f"at most probe.window_ms / {SYNC_MIN_BINS} = "
           f"{pr['window_ms'] / SYNC_MIN_BINS:g} ms")


def _check_sleep(c: dict) -> None:
    from sims.fast.states import PROBE_STATES

    st = c["probe"]["state"]
    _check(st in PROBE_STATES, "probe.state", st, f"one of {PROBE_STATES} (the network's "
           "brain state; auto: nrem at night by the slow layer's clock)")
    _check(st != "auto" or bool(c["coupling"]["slow"]), "probe.state", st,
           "wake or nrem: auto follows the slow layer's clock, and this config has no slow "
           "layer (coupling.slow=false)")
    sl = c["sleep"]
    for key in ("night_start_clock_h", "night_end_clock_h"):
        _check(0 <= sl[key] < 24, f"sleep.{key}", sl[key], "an hour of the day in [0, 24)")
    pops = c["network"]["populations"]
    for name, v in sl["nrem"].items():
        _check(name in pops, f"sleep.nrem.{name}", v, f"a population of the network "
               f"({sorted(pops)})")
        if v["b_pA"] is not None:
            _check(v["b_pA"] >= 0, f"sleep.nrem.{name}.b_pA", v["b_pA"], "a number >= 0")
        if v["tau_w_ms"] is not None:
            _check(v["tau_w_ms"] > 0, f"sleep.nrem.{name}.tau_w_ms", v["tau_w_ms"], "> 0 ms")
        for key in ("drive_scale", "recurrent_scale"):
            _check(v[key] >= 0, f"sleep.nrem.{name}.{key}", v[key], "a number >= 0")
    ud = sl["updown"]
    _check(0 < ud["down_fraction"] < 1, "sleep.updown.down_fraction", ud["down_fraction"],
           "a fraction in (0, 1)")
    _check(ud["bin_ms"] > 0, "sleep.updown.bin_ms", ud["bin_ms"], "> 0 ms")
    _check(ud["smooth_ms"] >= ud["bin_ms"], "sleep.updown.smooth_ms", ud["smooth_ms"],
           f">= sleep.updown.bin_ms={ud['bin_ms']:g}")


def _check_running(c: dict) -> None:
    _check(0 <= c["seed"] <= MAX_SEED, "seed", c["seed"], f"an integer in [0, {MAX_SEED}]")
    _check(c["seed_mode"] in SEED_MODES, "seed_mode", c["seed_mode"], f"one of {SEED_MODES}")
    b = c["backend"]
    _check(b["name"] in BACKENDS, "backend.name", b["name"], f"one of {BACKENDS}")
    _check(b["codegen_target"] in CODEGEN_TARGETS, "backend.codegen_target",
           b["codegen_target"], f"one of {CODEGEN_TARGETS}")
    out = c["output"]
    name = out["filename"]
    _check(name.endswith(".h5") and "/" not in name and "\\" not in name
           and not name.startswith(".") and len(name) > 3, "output.filename", name,
           "a plain file name ending in .h5 (the folder is Hydra's run folder)")
    _check(0 <= out["compression_level"] <= 9, "output.compression_level",
           out["compression_level"], "an integer in [0, 9]")


#: Sections with one entry per population. They ship entries for the shipped network's
#: populations; in a network without one of those, its entry does not apply.
POPULATION_SECTIONS = ("sleep.nrem", "chloride.populations", "homeostasis.populations")


@functools.cache
def shipped_population_names() -> frozenset[str]:
    """Population names of the shipped networks (configs/network/*.yaml)."""
    import yaml

    names: set[str] = set()
    for f in sorted((CONFIG_DIR / "network").glob("*.yaml")):
        names |= set((yaml.safe_load(f.read_text()) or {}).get("populations") or {})
    return frozenset(names)


def _apply_to_existing_populations(c: dict) -> None:
    """Per-population sections apply to the populations that exist, and say so.

    An entry for a shipped population (E, PV, SST, PVN) that this network does not have is
    dropped, with a log line; any other name stays and is refused by its section's check (an
    explicit reference to a missing population). A population that
    ``homeostasis.populations`` does not list keeps its expression fixed (scale 0), logged.
    """
    import logging

    log = logging.getLogger(__name__)
    pops = set(c["network"]["populations"])
    shipped = shipped_population_names()
    for path in POPULATION_SECTIONS:
        section, _, key = path.partition(".")
        entries = c[section][key]
        gone = sorted(n for n in entries if n not in pops and n in shipped)
        for n in gone:
            del entries[n]
        if gone:
            log.info("%s: no population %s in this network; those entries do not apply",
                     path, ", ".join(gone))
    h = c["homeostasis"]["populations"]
    fixed = sorted(p for p in pops if p not in h)
    for p in fixed:
        h[p] = {"delta": 0.0, "gamma2": 0.0, "alpha4": 0.0,
                "source": "not listed: fixed expression"}
    if fixed and c["homeostasis"]["rule"] != "none":
        log.info("homeostasis.populations: %s not listed; their subunit expression stays "
                 "fixed", ", ".join(fixed))


def validate(cfg: DictConfig | dict) -> dict:
    """Check a composed config and return it as a plain resolved dict.

    Raises:
        ConfigError: naming the first offending key, its value and what is allowed.
    """
    from sims.slow import checks as slow_checks

    c = OmegaConf.to_container(cfg, resolve=True) if isinstance(cfg, DictConfig) else cfg
    if "treatment" in c:  # first: calibrated values address its validated keys
        c["treatment"] = normalise_treatment(c["treatment"])
    if c.get("calibrated"):
        from sims.calibration.calibrated import apply_calibrated

        apply_calibrated(c)
    c = _merge_typed(AllonetConfig, c)
    for node in ANALYSIS_NODES:  # unset analyses are not part of a run's config (or hash)
        if c[node] is None:
            del c[node]
    _type_entries(c, "network.populations", PopulationConfig)
    _type_entries(c, "network.connections", ConnectionConfig)
    _type_entries(c, "receptors.populations", PopulationReceptorConfig)
    _type_entries(c, "pharmacology.species", SpeciesConfig)
    _type_entries(c, "homeostasis.populations", PopulationHomeostasisConfig)
    _type_entries(c, "sleep.nrem", SleepPopulationConfig)
    _type_entries(c, "chloride.populations", ChloridePopulationConfig)
    _check_polymorphic(c, "scenario", SCENARIO_SCHEMAS)
    c["treatment"] = normalise_treatment(c["treatment"])
    _apply_to_existing_populations(c)
    _check_numbers(c)
    _check_running(c)
    _check_time_grid(c)
    _check_network(c)
    _check_receptors(c)
    _check_pharmacology(c)
    _check_probe(c)
    _check_sleep(c)
    slow_checks.check(c)
    return c


def config_hash(c: dict) -> str:
    """A stable hash of a resolved config (sha256 of canonical JSON, first 16 hex)."""
    blob = json.dumps(c, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def register_resolvers() -> None:
    """OmegaConf resolvers used by ``configs/config.yaml`` (idempotent).

    ``${allonet_pid:}``: the process id of the command, part of every run and sweep folder
    name, so that runs started in the same second never share a folder.
    """
    import os

    if not OmegaConf.has_resolver("allonet_pid"):
        OmegaConf.register_new_resolver("allonet_pid", lambda: str(os.getpid()),
                                        use_cache=True)


def compose(overrides: list[str] | tuple[str, ...] = ()) -> DictConfig:
    """Compose the Hydra config outside an app (tests, notebooks, benchmarks)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from sims.slow.treatments import check_selection_overrides

    check_selection_overrides(overrides)
    register_configs()
    register_resolvers()
    if GlobalHydra.instance().is_initialized():
        GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = hydra_compose("config", overrides=list(overrides))
    OmegaConf.set_struct(cfg, False)
    cfg.pop("hydra", None)
    return normalised(cfg)


def normalised(cfg: DictConfig) -> DictConfig:
    """``cfg`` (struct off) with its treatment node in the validated form: one treatment
    flat (``treatment.<key>`` addresses its keys), several as ``combination``."""
    if "treatment" in cfg:
        cfg.treatment = OmegaConf.create(
            normalise_treatment(OmegaConf.to_container(cfg.treatment, resolve=True)))
    return cfg
