"""Typed config schemas (Hydra ConfigStore) and validation of user input.

The schemas make OmegaConf reject unknown keys and wrongly typed values while the
config is composed. :func:`validate` then checks ranges, units and cross references
(populations named in connections, species named in concentrations) and raises a
:class:`ConfigError` that names the key, the value and what is allowed. Both happen
before any Brian2 object is created, so bad input never compiles, runs or writes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, DictConfig, OmegaConf

from sims.errors import ConfigError
from sims.seeds import SEED_MODES
from sims.slow.schemas import (
    SCENARIO_SCHEMAS,
    TREATMENT_SCHEMAS,
    HomeostasisConfig,
    HPAConfig,
    InflammationConfig,
    SlowConfig,
    SteroidKineticsConfig,
)

SCHEMA_VERSION = "1.0"




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
    """A projection ``PRE_to_POST``: Bernoulli connectivity and peak conductances."""

    p: float = MISSING
    g_nS: float = MISSING  # AMPA (exc pre) or GABA-A (inh pre) peak conductance
    g_nmda_nS: float = 0.0  # NMDA peak conductance (exc pre only)
    delay_ms: float = 1.5
    source: str = ""


@dataclass
class NetworkConfig:
    populations: dict[str, PopulationConfig] = MISSING
    connections: dict[str, ConnectionConfig] = field(default_factory=dict)
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
    source: str = ""


@dataclass
class ReceptorsConfig:
    ampa: AMPAConfig = field(default_factory=AMPAConfig)
    nmda: NMDAConfig = field(default_factory=NMDAConfig)
    gaba_a: GABAAConfig = field(default_factory=GABAAConfig)
    tonic: TonicConfig = field(default_factory=TonicConfig)
    populations: dict[str, PopulationReceptorConfig] = MISSING


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
    mw_g_per_mol: float = MISSING
    gamma2_decay: HillConfig = field(default_factory=HillConfig)
    gamma2_peak: HillConfig = field(default_factory=HillConfig)
    delta_tonic: HillConfig = field(default_factory=HillConfig)
    nmda: HillConfig = field(default_factory=HillConfig)
    source: str = ""


@dataclass
class PharmacologyConfig:
    species: dict[str, SpeciesConfig] = MISSING


@dataclass
class SteroidsConfig:
    """Baseline brain (extracellular) steroid levels per species, and their kinetics.

    With the slow layer on, ``brain_nM`` calibrates the baseline state (ALLO, THDOC, PregS,
    DHEA-S); with ``coupling.slow=false`` the network sees exactly these levels.
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
    psd_segment_ms: float = 500.0  # Welch segment length for the LFP-proxy spectrum
    sync_bin_ms: float = 5.0  # bin for the spike-count synchrony measure
    max_rate_Hz: float = 200.0  # mean rate above this marks the probe as runaway


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


@dataclass
class AllonetConfig:
    seed: int = 1234  # master seed; a job's own seed derives from it (sims/seeds.py)
    seed_mode: str = "per_job"  # "per_job" (hash of master + overrides) or "shared"
    network: NetworkConfig = field(default_factory=NetworkConfig)
    receptors: ReceptorsConfig = field(default_factory=ReceptorsConfig)
    pharmacology: PharmacologyConfig = field(default_factory=PharmacologyConfig)
    steroids: SteroidsConfig = field(default_factory=SteroidsConfig)
    scenario: Any = field(default_factory=lambda: {"name": "baseline"})
    treatment: Any = field(default_factory=lambda: {"name": "none"})
    hpa: HPAConfig = field(default_factory=HPAConfig)
    inflammation: InflammationConfig = field(default_factory=InflammationConfig)
    homeostasis: HomeostasisConfig = field(default_factory=HomeostasisConfig)
    slow: SlowConfig = field(default_factory=SlowConfig)
    coupling: CouplingConfig = field(default_factory=CouplingConfig)
    probe: ProbeConfig = field(default_factory=ProbeConfig)
    backend: BackendConfig = field(default_factory=BackendConfig)
    output: OutputConfig = field(default_factory=OutputConfig)


def register_configs() -> None:
    """Register the schemas in Hydra's ConfigStore (idempotent)."""
    cs = ConfigStore.instance()
    cs.store(name="allonet_schema", node=AllonetConfig)
    cs.store(group="network", name="schema", node=NetworkConfig)
    cs.store(group="receptors", name="schema", node=ReceptorsConfig)
    cs.store(group="pharmacology", name="schema", node=PharmacologyConfig)
    cs.store(group="steroids", name="schema", node=SteroidsConfig)
    cs.store(group="backend", name="schema", node=BackendConfig)
    cs.store(group="hpa", name="schema", node=HPAConfig)
    cs.store(group="inflammation", name="schema", node=InflammationConfig)
    cs.store(group="coupling", name="schema", node=CouplingConfig)
    cs.store(group="homeostasis", name="schema", node=HomeostasisConfig)
    for name, node in SCENARIO_SCHEMAS.items():
        cs.store(group="scenario", name=f"{name}_schema", node=node)
    for name, node in TREATMENT_SCHEMAS.items():
        cs.store(group="treatment", name=f"{name}_schema", node=node)


# --------------------------------------------------------------------------- validation
#: suffix -> (check, description of what is allowed)
_POSITIVE = (lambda v: v > 0, "a number > 0")
_NONNEG = (lambda v: v >= 0, "a number >= 0")
_SUFFIX_RULES = {
    "_ms": _NONNEG, "_nS": _NONNEG, "_pA": _NONNEG, "_pF": _POSITIVE, "_Hz": _NONNEG,
    "_nM": _NONNEG, "_uM": _NONNEG, "_mM": _NONNEG, "_g_per_mol": _POSITIVE,
    "_min": _NONNEG, "_h": _NONNEG, "_days": _NONNEG, "_day": _NONNEG, "_weeks": _NONNEG,
    "_years": _NONNEG,
    "_per_h": _NONNEG, "_mg": _NONNEG, "_kg": _POSITIVE, "_L": _POSITIVE,
    "_L_per_kg": _POSITIVE, "_L_per_h": _POSITIVE, "_L_per_h_per_kg": _POSITIVE,
    "_ug_per_kg_per_h": _NONNEG, "_ug_per_dL": _POSITIVE, "_frac": (lambda v: 0 <= v <= 1,
                                                                      "a fraction in [0, 1]"),
}
_SUFFIXES = sorted(_SUFFIX_RULES, key=len, reverse=True)  # longest suffix wins
_STRICTLY_POSITIVE_KEYS = {"C_pF", "gL_nS", "tau_decay_ms", "tau_rise_ms", "dt_ms",
                           "window_ms", "record_dt_ms", "psd_segment_ms", "sync_bin_ms",
                           "tau_w_ms", "ec50_nM", "gaba_ec50_uM", "max_rate_Hz", "ext_dt_ms",
                           "brain_half_life_min", "plasma_half_life_h", "sulfated_half_life_h",
                           "stress_precursor_half_life_min", "r5a_tau_days", "tau_h",
                           "allo_km_nM", "neurosteroid_ec50_nM", "allo_ec50_nM",
                           "cycle_length_mean_days", "luteal_width_days",
                           "rise_width_weeks", "progesterone_pp_tau_days",
                           "placental_allo_pp_tau_h", "thdoc_plasma_nM"}
BACKENDS = ("cpp_standalone", "runtime")
CODEGEN_TARGETS = ("cython", "numpy")
METHODS = ("euler", "rk2", "rk4", "heun", "milstein")
KINDS = ("exc", "inh")
SITES = ("neurosteroid", "sulfated")


def _walk(node: Any, prefix: str = ""):
    """Yield (dotted_key, leaf_key, value) for every leaf of a plain nested dict."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, f"{prefix}.{k}" if prefix else str(k))
    else:
        yield prefix, prefix.rsplit(".", 1)[-1], node


def _check(ok: bool, key: str, value: Any, allowed: str) -> None:
    if not ok:
        raise ConfigError(key, value, allowed)


def _merge_typed(schema: Any, c: dict, prefix: str = "") -> dict:
    """Merge ``c`` into a dataclass schema; unknown keys and wrong types -> ConfigError."""
    from omegaconf.errors import ConfigKeyError, ValidationError

    try:
        merged = OmegaConf.merge(OmegaConf.structured(schema), c)
    except ConfigKeyError as exc:
        key = f"{prefix}{exc.full_key}"
        raise ConfigError(key, c.get(str(exc.key), None) if exc.key else None,
                          "only keys defined by the schema (sims/config.py, "
                          "sims/slow/schemas.py); check spelling") from None
    except ValidationError as exc:
        raise ConfigError(f"{prefix}{exc.full_key}", getattr(exc, "value", None),
                          f"a value of the schema's type ({exc.msg.splitlines()[0]})") from None
    return OmegaConf.to_container(merged, resolve=True)


def _check_polymorphic(c: dict, group: str, schemas: dict[str, Any]) -> None:
    node = c[group]
    name = node.get("name") if isinstance(node, dict) else None
    if name not in schemas:
        raise ConfigError(f"{group}.name", name, f"one of {sorted(schemas)}")
    c[group] = _merge_typed(schemas[name], node, prefix=f"{group}.")


def _check_schema(c: dict) -> dict:
    """Merge into the root schema: unknown keys and wrong types become ConfigErrors."""
    return _merge_typed(AllonetConfig, c)


def validate(cfg: DictConfig | dict) -> dict:
    """Check a composed config and return it as a plain resolved dict.

    Raises:
        ConfigError: naming the first offending key, its value and what is allowed.
    """
    c = OmegaConf.to_container(cfg, resolve=True) if isinstance(cfg, DictConfig) else cfg
    c = _check_schema(c)
    _check_polymorphic(c, "scenario", SCENARIO_SCHEMAS)
    _check_polymorphic(c, "treatment", TREATMENT_SCHEMAS)
    for key, leaf, value in _walk(c):
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if value != value or value in (float("inf"), float("-inf")):
            raise ConfigError(key, value, "a finite number")
        parent = key.rsplit(".", 2)[-2] if key.count(".") >= 1 else ""
        rule = next((_SUFFIX_RULES[s] for s in _SUFFIXES if leaf.endswith(s)), None) or \
            next((_SUFFIX_RULES[s] for s in _SUFFIXES if parent.endswith(s)), None)
        if leaf in _STRICTLY_POSITIVE_KEYS:
            rule = _POSITIVE
        if rule is not None:
            _check(rule[0](value), key, value, rule[1] + f" (unit given by the suffix of '{leaf}')")
    _check(c["seed"] >= 0, "seed", c["seed"], "an integer >= 0")
    _check(c["seed_mode"] in SEED_MODES, "seed_mode", c["seed_mode"], f"one of {SEED_MODES}")

    net = c["network"]
    pops = net["populations"]
    _check(len(pops) > 0, "network.populations", pops, "at least one population")
    for name, p in pops.items():
        k = f"network.populations.{name}"
        _check(p["n"] >= 1, f"{k}.n", p["n"], "an integer >= 1")
        _check(p["kind"] in KINDS, f"{k}.kind", p["kind"], f"one of {KINDS}")
        _check(p["Vr_mV"] < p["Vt_mV"], f"{k}.Vr_mV", p["Vr_mV"],
               f"a reset below the threshold Vt_mV={p['Vt_mV']}")
        _check(p["ext_n"] >= 0, f"{k}.ext_n", p["ext_n"], "an integer >= 0")
    for cname, conn in net["connections"].items():
        k = f"network.connections.{cname}"
        parts = cname.split("_to_")
        _check(len(parts) == 2 and all(x in pops for x in parts), k, cname,
               f"a key PRE_to_POST with PRE and POST among populations {sorted(pops)}")
        _check(0.0 <= conn["p"] <= 1.0, f"{k}.p", conn["p"], "a probability in [0, 1]")
        if pops[parts[0]]["kind"] == "inh":
            _check(conn["g_nmda_nS"] == 0, f"{k}.g_nmda_nS", conn["g_nmda_nS"],
                   "0 for an inhibitory (GABA-A) presynaptic population")
    _check(net["method"] in METHODS, "network.method", net["method"], f"one of {METHODS}")
    _check(net["lfp_population"] in pops, "network.lfp_population", net["lfp_population"],
           f"one of the populations {sorted(pops)}")

    rpops = c["receptors"]["populations"]
    _check(set(rpops) == set(pops), "receptors.populations", sorted(rpops),
           f"exactly the network populations {sorted(pops)}")
    for name, r in rpops.items():
        for sub in ("delta_expression", "gamma2_expression", "tonic_steroid_sensitivity",
                    "phasic_steroid_sensitivity"):
            _check(r[sub] >= 0, f"receptors.populations.{name}.{sub}", r[sub], "a number >= 0")

    species = c["pharmacology"]["species"]
    for sname, s in species.items():
        k = f"pharmacology.species.{sname}"
        _check(s["site"] in SITES, f"{k}.site", s["site"], f"one of {SITES}")
        for cls in ("gamma2_decay", "gamma2_peak", "delta_tonic", "nmda"):
            h = s[cls]
            _check(h["hill"] > 0, f"{k}.{cls}.hill", h["hill"], "a Hill coefficient > 0")
            _check(h["emax"] >= -1, f"{k}.{cls}.emax", h["emax"],
                   "a relative effect >= -1 (-1 is a full block)")
    for sname, conc in c["steroids"]["brain_nM"].items():
        _check(sname in species, f"steroids.brain_nM.{sname}", conc,
               f"a species from the pharmacology table {sorted(species)}")

    b = c["backend"]
    _check(b["name"] in BACKENDS, "backend.name", b["name"], f"one of {BACKENDS}")
    _check(b["codegen_target"] in CODEGEN_TARGETS, "backend.codegen_target",
           b["codegen_target"], f"one of {CODEGEN_TARGETS}")
    pr = c["probe"]
    _check(pr["n_record"] >= 1, "probe.n_record", pr["n_record"], "an integer >= 1")
    dt = net["dt_ms"]
    for key, val in (("probe.record_dt_ms", pr["record_dt_ms"]),
                     ("probe.window_ms", pr["window_ms"]), ("probe.warmup_ms", pr["warmup_ms"]),
                     ("network.ext_dt_ms", net["ext_dt_ms"])):
        ratio = val / dt
        positive = round(ratio) >= 1 or key.endswith("warmup_ms")
        _check(abs(ratio - round(ratio)) < 1e-6 and positive, key, val,
               f"a multiple of network.dt_ms={dt}")
    _check(pr["psd_segment_ms"] <= pr["window_ms"], "probe.psd_segment_ms",
           pr["psd_segment_ms"], f"at most probe.window_ms={pr['window_ms']}")
    _check(0 <= c["output"]["compression_level"] <= 9, "output.compression_level",
           c["output"]["compression_level"], "an integer in [0, 9]")
    _validate_slow(c)
    return c


def _validate_slow(c: dict) -> None:
    """Checks of the slow layer that go beyond the per-key rules."""
    from sims.slow import model, scenarios, treatments

    for key, value in c["hpa"].items():
        _check(value >= 0, f"hpa.{key}", value, "a number >= 0")
    for key in ("k_i", "feedback_gain", "k_stress", "cortisol_ref_ug_per_dL"):
        _check(c["hpa"][key] > 0, f"hpa.{key}", c["hpa"][key], "a number > 0")
    _check(c["hpa"]["neurosteroid_inhibition"] <= 1, "hpa.neurosteroid_inhibition",
           c["hpa"]["neurosteroid_inhibition"], "a fraction in [0, 1]")
    for key in ("chronic_r5a_loss",):
        v = c["steroids"]["kinetics"][key]
        _check(0 <= v <= 1, f"steroids.kinetics.{key}", v, "a fraction in [0, 1]")
    for key, v in c["inflammation"].items():
        if not isinstance(v, bool):
            _check(v >= 0, f"inflammation.{key}", v, "a number >= 0")
    h = c["homeostasis"]
    _check(h["rule"] in ("steroid", "none", "activity"), "homeostasis.rule", h["rule"],
           "one of ('steroid', 'none', 'activity')")
    _check(h["species"] in ("mouse", "rat"), "homeostasis.species", h["species"],
           "'mouse' (pregnancy lowers delta) or 'rat' (raises it)")
    for key, v in h.items():
        if isinstance(v, int | float) and not isinstance(v, bool):
            _check(v >= 0, f"homeostasis.{key}", v, "a number >= 0")
    for key in ("tau_down_days", "tau_up_days", "tau_adapt_days", "tau_alpha4_days",
                "delta_up_k", "delta_down_x50", "gamma2_k", "alpha4_s50"):
        _check(h[key] > 0, f"homeostasis.{key}", h[key], "a number > 0")
    _check(c["inflammation"]["allo_suppression"] < 1, "inflammation.allo_suppression",
           c["inflammation"]["allo_suppression"], "a fraction in [0, 1)")
    sc, tr = c["scenario"], c["treatment"]
    for key, v in sc.items():
        if key in ("stress_allo_response", "level") or key.endswith("_prob_start") or \
                key.endswith("_prob_end"):
            _check(v >= 0, f"scenario.{key}", v, "a number >= 0")
    for key in ("anovulation_prob_start", "anovulation_prob_end", "level"):
        if key in sc:
            _check(0 <= sc[key] <= 1, f"scenario.{key}", sc[key], "a probability in [0, 1]")
    table = None
    if sc["name"] == "from_file":
        table = scenarios.read_timecourse(scenarios.resolve_path(sc["path"], CONFIG_DIR))
    elif sc["duration_days"] <= 0:
        raise ConfigError("scenario.duration_days", sc["duration_days"], "a number > 0")
    for key, v in tr.items():
        if key.startswith("n_") or key.endswith("_per_day"):
            _check(v >= 0, f"treatment.{key}", v, "a number >= 0")
    if tr["name"] == "brexanolone":
        treatments.parse_schedule(tr["schedule"])
    cp = c["coupling"]
    for i, t in enumerate(cp["probe_times_h"]):
        _check(t >= 0, f"coupling.probe_times_h[{i}]", t, "times >= 0 h")
    _check(cp["mode"] in ("open", "closed"), "coupling.mode", cp["mode"], "'open' or 'closed'")
    _check(cp["workers"] >= 1, "coupling.workers", cp["workers"], "an integer >= 1")
    _check(cp["cadence_h"] >= 0, "coupling.cadence_h", cp["cadence_h"], "a number >= 0")
    if cp["mode"] == "closed":
        _check(cp["slow"] and cp["fast"], "coupling.mode", "closed",
               "only with coupling.slow=true and coupling.fast=true")
        if cp["pvn_gain"] > 0:
            pops = sorted(c["network"]["populations"])
            _check(cp["pvn_population"] in pops, "coupling.pvn_population",
                   cp["pvn_population"], f"a population of the network {pops}")
    if c["homeostasis"]["rule"] == "activity":
        _check(cp["mode"] == "closed", "homeostasis.rule", "activity",
               "only with coupling.mode=closed (it needs measured activity)")
    if c["coupling"]["slow"]:
        model.check(c)
        end = model.duration_hours(c, table)
        for i, t in enumerate(cp["probe_times_h"]):
            _check(t <= end, f"coupling.probe_times_h[{i}]", t,
                   f"times within the scenario (0 to {end:g} h)")


def config_hash(c: dict) -> str:
    """A stable hash of a resolved config (sha256 of canonical JSON, first 16 hex)."""
    blob = json.dumps(c, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


#: The ``configs/`` folder of the source tree (the package is installed editable).
CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"


def compose(overrides: list[str] | tuple[str, ...] = ()) -> DictConfig:
    """Compose the Hydra config outside an app (tests, notebooks, benchmarks)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    register_configs()
    if GlobalHydra.instance().is_initialized():
        GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = hydra_compose("config", overrides=list(overrides))
    OmegaConf.set_struct(cfg, False)
    cfg.pop("hydra", None)
    return cfg
