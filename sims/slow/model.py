"""The slow model: scenario drivers + treatments + steroids + HPA + inflammation,
integrated with a fixed-step 4th-order Runge-Kutta scheme on its own clock (minutes).

Time is in hours from the start of the run (t = 0 is midnight), concentrations in nM.
Before ``t = 0`` the model is equilibrated for ``slow.burn_in_days`` with the drivers
frozen at their ``t = 0`` values (no treatment), so every run starts from the steady state
(or limit cycle) of its initial conditions.

One model, two numeric backends (``sims.slow.numerics``): ``float`` integrates one
individual on Python floats (the single run's default: fastest for N = 1); ``array``
integrates N individuals at once, every state an array ``[individual]`` and every config
value either a number (shared) or an array (that individual's; ``sims.cohort``). The
equations, the scheme and the order of every operation are the same.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sims.constants import CONFIG_DIR
from sims.params import build
from sims.slow import (
    chloride,
    homeostasis,
    hpa,
    inflammation,
    scenarios,
    steroids,
    stress_loop,
    variables,
)
from sims.slow.clock import duration_hours, record_steps, step_hours
from sims.slow.layout import StateLayout
from sims.slow.numerics import backend, is_array
from sims.slow.schemas import (
    ChlorideConfig,
    HomeostasisConfig,
    HPAConfig,
    InflammationConfig,
    PopulationHomeostasisConfig,
    ScenarioBase,
    SlowConfig,
    SteroidKineticsConfig,
    StressLoopConfig,
    typed_scenario,
    typed_treatment,
)
from sims.slow.treatments import PKModel, build_treatments
from sims.units import slow_value

#: State variables and their units (the registry is ``sims.slow.variables``).
STATES: dict[str, str] = {v.name: v.unit for v in variables.STATES}
#: Algebraic outputs recorded with the states.
OUTPUTS: dict[str, str] = {v.name: v.unit for v in variables.OUTPUTS}
#: Pharmacology species -> brain state the network sees.
BRAIN_STATE = {"allo": "allo_brain", "thdoc": "thdoc_brain",
               "androstanediol": "androstanediol_brain", "zuranolone": "zuranolone_brain",
               "pregs": "pregs_brain", "dheas": "dheas_brain"}


def _nonzero(x: Any) -> bool:
    """Whether a config value (a number, or an array ``[individual]``) is not all 0."""
    return bool(np.any(np.asarray(x, float) != 0.0))


def one_individual(section: Any, j: int) -> Any:
    """A typed section with individual ``j``'s value of every per-individual array."""
    own = {k: v[j] for k, v in vars(section).items() if is_array(v)}
    return dataclasses.replace(section, **own) if own else section


def _ratio_or_zero(num: Any, den: Any) -> Any:
    """``num / den`` where ``den > 0``, else 0 (numbers or arrays ``[individual]``)."""
    den = np.asarray(den, float)
    r = np.where(den > 0, np.asarray(num, float) / np.where(den > 0, den, 1.0), 0.0)
    return float(r) if r.ndim == 0 else r


@dataclass
class SlowTrajectory:
    """Recorded slow-layer time courses (time in hours)."""

    time_h: np.ndarray
    values: dict[str, np.ndarray]
    units: dict[str, str]
    events: list[tuple[str, float]] = field(default_factory=list)
    wall_s: float = 0.0
    descriptions: dict[str, str] = field(default_factory=dict)

    def individual(self, j: int) -> SlowTrajectory:
        """Individual ``j`` of a cohort trajectory (values ``[time, individual]``)."""
        return SlowTrajectory(self.time_h, {n: v[:, j] for n, v in self.values.items()},
                              self.units, self.events, self.wall_s, self.descriptions)

    def at(self, name: str, t_h: float) -> float:
        """Linear interpolation of one variable at ``t_h``."""
        return float(np.interp(t_h, self.time_h, self.values[name]))

    def brain_conc(self, t_h: float) -> dict[str, float]:
        """Brain levels (nM) of every pharmacology species at ``t_h``."""
        return {s: self.at(v, t_h) for s, v in BRAIN_STATE.items()}

    def chloride_shifts(self, t_h: float) -> dict[str, float]:
        """E_GABA shift (mV) per population at ``t_h`` (populations with a chloride state)."""
        return {n.split("_", 2)[2]: self.at(n, t_h) for n in self.values
                if n.startswith("chloride_shift_")}

    def expression(self, t_h: float) -> dict[str, dict[str, float]]:
        """Homeostatic subunit expression per population at ``t_h`` (1 = reference)."""
        pops = sorted({n.split("_", 1)[1] for n in self.values if n.startswith("delta_")})
        return {p: {sub: self.at(f"{sub}_{p}", t_h) for sub in variables.SUBUNITS}
                for p in pops}


class SlowModel:
    """Builds drivers and treatment PK for a validated config and integrates them.

    ``n_individuals`` > 1 (or ``slow.backend=array``) selects the array backend: config
    values may then be arrays ``[individual]`` (each individual's value) and
    :meth:`run` takes one seed per individual.
    """

    def __init__(self, c: Mapping[str, Any], table: dict[str, np.ndarray] | None = None,
                 n_individuals: int = 1, numerics: str | None = None):
        self.n_individuals = int(n_individuals)
        #: The slow numerics (backend, burn-in, record step).
        self.slow_cfg = build(SlowConfig, c["slow"], "slow.")
        name = numerics or ("array" if n_individuals > 1 else self.slow_cfg.backend)
        self.xp = backend(name)
        self.vector = self.xp.name == "array"
        #: The RK4 arithmetic of the backend (one scheme, :meth:`_rk4`).
        self._arithmetic = _ArrayArithmetic(self) if self.vector else _ListArithmetic(self)
        #: Subunit expression: one population at a time on floats, in blocks on arrays.
        self._expression_rhs = self._expression_blocks if self.vector else self._expression_rows
        configured = c
        self.config = c
        # The slow layer's own sections, typed (values may be arrays [individual]); the
        # other layers' keys it reads (pharmacology, coupling, receptors) stay mappings.
        #: The scenario (its values drive the driver generators).
        self.scenario_cfg = typed_scenario(c["scenario"])
        self.treatment_cfg = typed_treatment(c["treatment"])
        self.kinetics_cfg = build(SteroidKineticsConfig, c["steroids"]["kinetics"],
                                  "steroids.kinetics.")
        self.hpa_cfg = build(HPAConfig, c["hpa"], "hpa.")
        self.inflammation_cfg = build(InflammationConfig, c["inflammation"], "inflammation.")
        self.loop = build(StressLoopConfig, c["stress_loop"], "stress_loop.")
        self._loop = stress_loop.active(self.loop)
        self.brain0 = c["steroids"]["brain_nM"]
        if self.scenario_cfg.name == "from_file" and table is None:
            path = scenarios.resolve_path(self.scenario_cfg.path, CONFIG_DIR)
            table = scenarios.load_timecourse(path)  # read once, during validation
        self.table = table
        self.dt = step_hours(configured)  # the clock: numbers, shared by all individuals
        self.t_end = duration_hours(configured, table)
        self.n_steps = int(round(self.t_end / self.dt))
        self.record_every = record_steps(configured)
        #: One PK model per treatment (none: empty); their compartments follow the
        #: recorded states in this order.
        self.pk_models: list[PKModel] = build_treatments(self.treatment_cfg,
                                                         self.scenario_cfg.name)
        infused = [pk for pk in self.pk_models if pk.infusion]
        #: The treatment given by infusion (at most one: only brexanolone infuses).
        self.infused: PKModel | None = infused[0] if infused else None
        self.homeostasis_cfg = build(HomeostasisConfig, c["homeostasis"], "homeostasis.")
        self.pops = list(c["network"]["populations"])
        self.species = c["pharmacology"]["species"]
        #: Per-population regulation scales (validated: every population is listed).
        none = PopulationHomeostasisConfig(delta=0.0, gamma2=0.0, alpha4=0.0)
        self.regulation = {p: self.homeostasis_cfg.populations.get(p, none) for p in self.pops}
        #: The same as arrays [population, individual] (array backend).
        self._regulation_stack = PopulationHomeostasisConfig(**{
            sub: np.stack([np.broadcast_to(np.asarray(getattr(self.regulation[p], sub), float),
                                           (self.n_individuals,)) for p in self.pops])
            for sub in variables.SUBUNITS}) if self.pops else none
        #: (species, brain state) of the species that drive regulation (the others add 0)
        self._site_states = [(sp, st) for sp, st in BRAIN_STATE.items()
                             if homeostasis.regulates(self.species.get(sp))]
        #: Baseline ALLO-equivalent of the neurosteroid-site occupancy (nM).
        self.c_eq0 = homeostasis.allo_equivalent(
            {sp: v for sp, v in self.brain0.items() if sp in BRAIN_STATE}, self.species,
            self.xp)
        #: Recorded states (registry order): the fixed states, then homeostasis.
        self.chloride_cfg = build(ChlorideConfig, c["chloride"], "chloride.")
        #: Populations whose E_GABA can shift (shift_max not 0), and their maximal shifts.
        cl = self.chloride_cfg.populations
        self.cl_pops = [p for p in self.pops if p in cl and _nonzero(cl[p].shift_max_mV)]
        self.recorded = (*variables.STATES, *variables.expression_variables(self.pops),
                         *variables.chloride_variables(self.cl_pops))
        several = len(self.pk_models) > 1
        pk = [(m, variables.pk_variables(m.name, m.compartments, prefixed=several))
              for m in self.pk_models]
        #: Where every state lives, by name: the recorded states, then each treatment's
        #: compartments (sims.slow.layout).
        self.layout = StateLayout.build(self.recorded,
                                        [(m, [v.name for v in vs]) for m, vs in pk])
        #: Every state, in the order of the state vector.
        self.state_variables = (*self.recorded, *(v for _, vs in pk for v in vs))
        #: Whether a treatment adds plasma PregS / DHEA-S (pregnenolone, DHEA).
        self._sulfate_pk = any(o in m.outputs for m in self.pk_models for o in ("pregs", "dheas"))
        self.state_units = {v.name: v.unit for v in self.recorded}
        self.descriptions = {v.name: v.description for v in (*self.recorded, *variables.OUTPUTS)}
        #: Closed-loop inputs, held constant between probes (set by sims.coupling).
        self.feedback: dict[str, Any] = {"crh_scale": 1.0,
                                         "rate_error": {p: 0.0 for p in self.pops}}
        cp = c["coupling"]
        #: The steroid action on CRH output takes one path: the PVN network's own receptors
        #: when its rate feeds CRH (closed loop, pvn_gain > 0), else the slow brake, whose
        #: sign follows the PVN chloride state.
        self._network_brake = bool(cp["mode"] == "closed" and cp["fast"]
                                   and cp["pvn_gain"] > 0)
        self._e_gaba0 = float(c["receptors"]["gaba_a"]["E_rev_mV"])
        k = self.kinetics_cfg
        self.plasma0 = steroids.peripheral_allo_target(
            self.scenario_cfg.progesterone_follicular_nM, k.allo_vmax_nM, k.allo_km_nM,
            k.allo_adrenal_nM, 1.0, 0.0)
        self.local = steroids.local_synthesis(
            self.brain0.get("allo", 0.0), k.brain_plasma_ratio_allo, self.plasma0,
            steroids.brain_progesterone_conversion(self.scenario_cfg.progesterone_follicular_nM,
                                                   k.brain_p_vmax_nM, k.brain_p_km_nM))
        # first-order rate constants (1/h), computed once: rhs runs 4x per step
        self.k_brain = steroids.rate(k.brain_half_life_min / 60.0)
        self.k_plasma = steroids.rate(k.plasma_half_life_h)
        self.k_sulfated = steroids.rate(k.sulfated_half_life_h)
        self.k_precursor = steroids.rate(k.stress_precursor_half_life_min / 60.0)
        #: Plasma sulfate (nM) per nM of its brain pool: both follow the adrenal drive.
        self._plasma_per_pool = {sp: _ratio_or_zero(getattr(k, f"{sp}_plasma_nM"),
                                                    self.brain0.get(sp, 0.0))
                                 for sp in ("pregs", "dheas")}
        #: ... and its inverse: brain pool (nM) per nM a treatment adds to plasma
        self._pool_per_plasma = {sp: _ratio_or_zero(1.0, r)
                                 for sp, r in self._plasma_per_pool.items()}

    @property
    def state_names(self) -> list[str]:
        """Every state's name, in the order of the state vector (:attr:`layout`)."""
        return list(self.layout.names)

    @property
    def pk_index(self) -> int:
        """Row of the first treatment compartment: the recorded states come before."""
        return self.layout.n_recorded

    # ------------------------------------------------------------------ drivers
    def drivers(self, seed: int, t: np.ndarray | None = None,
                sc: ScenarioBase | None = None) -> scenarios.Drivers:
        """Driver values at ``t`` (default: the half-step grid ``0, dt/2, ..., t_end``) of
        the scenario ``sc`` (default: the config's)."""
        if t is None:
            t = np.arange(2 * self.n_steps + 1) * (self.dt / 2)
        sc = self.scenario_cfg if sc is None else sc
        rng = np.random.default_rng([seed, 1])  # stream 1: the slow layer's
        gen = scenarios.GENERATORS[sc.name]
        t_end = 2 * self.n_steps * (self.dt / 2)  # the last grid time, whatever t is
        if sc.name == "from_file":
            out = gen(sc, t, rng, t_end=t_end, table=self.table)
        else:
            out = gen(sc, t, rng, t_end=t_end)
        return scenarios.add_stress_tests(sc, out)

    def _driver_block(self, seeds: np.ndarray, h0: int, h1: int
                      ) -> tuple[list[tuple[Any, ...]], list[Any]]:
        """Drivers and infusion on half-steps ``h0..h1`` (inclusive) for every individual:
        one row per half-step, each driver a number (shared) or an array
        ``[individual]`` (a stochastic scenario, or scenario values that differ)."""
        t = np.arange(h0, h1 + 1) * (self.dt / 2)
        u = (self.infused.infusion_rate(t) if self.infused is not None
             else np.zeros(len(t)))
        own = self.scenario_cfg.name in scenarios.STOCHASTIC or any(
            is_array(v) for v in vars(self.scenario_cfg).values())
        if not own:
            v = self.drivers(int(seeds[0]), t).values
            cols = [v[n] for n in scenarios.DRIVERS]
        else:
            cols = [np.empty((len(t), self.n_individuals)) for _ in scenarios.DRIVERS]
            for j, seed in enumerate(seeds):
                sc_j = one_individual(self.scenario_cfg, j)
                v = self.drivers(int(seed), t, sc_j).values
                for col, n in zip(cols, scenarios.DRIVERS, strict=True):
                    col[:, j] = v[n]
        return list(zip(*cols, strict=True)), list(u)

    # ------------------------------------------------------------------ equations
    _NO_PK = {"allo": 0.0, "zuranolone": 0.0, "progesterone": 0.0, "testosterone": 0.0,
              "pregnenolone": 0.0, "pregs": 0.0, "dheas": 0.0, "dhea": 0.0}

    def _pk_outputs(self, s: Mapping[str, float]) -> Mapping[str, float]:
        """Plasma concentrations (nM) the treatments add, by species."""
        if not self.pk_models:
            return self._NO_PK  # read only
        out = dict(self._NO_PK)
        for c in self.layout.pk:
            for name, (comp, scale) in c.model.outputs.items():
                out[name] += s[c.names[comp]] * scale
        return out

    def _doses(self) -> list[tuple[float, int, Any]]:
        """Every treatment's doses as (time h, row of the state vector, amount)."""
        return [(t, c.rows.start + comp, amount) for c in self.layout.pk
                for t, comp, amount in c.model.doses]

    def _brake_polarity(self, s: Mapping[str, Any]) -> Any:
        """Sign and size of the slow neurosteroid brake on CRH drive (``hpa.neurosteroid_brake``):
        0 when the PVN network carries it, else the PVN's relative GABA-A driving force."""
        if self._network_brake:
            return 0.0
        if "PVN" not in self.cl_pops:
            return 1.0
        return chloride.gabaa_polarity(s["chloride_shift_PVN"], self._e_gaba0,
                                       self.hpa_cfg.pvn_operating_mV)

    def derivatives(self, s: Mapping[str, float], drv: tuple[float, ...], infusion: float,
                    clock_h: float) -> tuple[dict[str, float], dict[str, float]]:
        """Derivatives (per hour) of every state and the algebraic outputs, by name."""
        prog_d, testo_d, plac, acute, chronic = drv
        k, hp, inf = self.kinetics_cfg, self.hpa_cfg, self.inflammation_cfg
        pk = self._pk_outputs(s)
        prog = prog_d + pk["progesterone"]
        testo = testo_d + pk["testosterone"]
        a_p = s["allo_plasma_endogenous"] + pk["allo"]
        a_b, th_p, prec, r5a = s["allo_brain"], s["thdoc_plasma"], s["stress_precursor"], s["r5a"]
        infl = s["inflammation"]
        # adrenal output follows ACTH (relative to its daily mean): adrenal ALLO, DOC ->
        # THDOC, PregS, DHEA-S respond within minutes of an ACTH rise (Purdy 1991)
        xp = self.xp
        drive = xp.maximum(s["acth"], 0.0) / hp.acth_ref
        kb, kp, ks = self.k_brain, self.k_plasma, self.k_sulfated
        boost = 1.0 + k.stress_synthesis_gain * prec
        crh_drive = hpa.crh_drive(hp, acute, chronic, a_b + s["thdoc_brain"], clock_h,
                                  self.feedback["crh_scale"], xp, self._brake_polarity(s))
        gr_k = hpa.feedback_constant(hp, chronic, inflammation.gr_factor(inf, infl, xp))
        d = dict(zip(("crh", "acth", "cortisol", "gr"),
                     hpa.rhs(hp, s["crh"], s["acth"], s["cortisol"], s["gr"], crh_drive, gr_k,
                             xp, hpa.stress_drive(hp, acute)), strict=True))
        r5a_t = steroids.r5a_target(chronic, k.chronic_r5a_loss,
                                    inflammation.synthesis_factor(inf, infl, xp))
        cyt_t = inflammation.cytokine_target(inf, chronic, a_p, self.plasma0, xp)
        if self._loop:  # the vicious cycle (gain 0: skipped, the model without it exactly)
            load = s["glucocorticoid_load"]
            r5a_t = r5a_t * stress_loop.synthesis_factor(self.loop, load, xp)
            cyt_t = cyt_t + stress_loop.cytokine_drive(self.loop, load, xp)
        # the saturable P -> ALLO relation is the ovary's and placenta's (corpus luteum
        # secretes ALLO with P, Ottander 2005); a treatment's circulating P makes plasma ALLO
        # only by peripheral 5a-reduction (de Lignieres 1995: vaginal P, few metabolites)
        a_pt = steroids.peripheral_allo_target(prog_d, k.allo_vmax_nM, k.allo_km_nM,
                                               k.allo_adrenal_nM, drive, plac)
        if self.pk_models:
            a_pt = a_pt + k.exogenous_progesterone_allo_ratio * pk["progesterone"]
        a_bt = steroids.brain_allo_target(
            k.brain_plasma_ratio_allo, a_p, self.local, r5a, k.stress_synthesis_gain, prec,
            steroids.brain_progesterone_conversion(prog, k.brain_p_vmax_nM,
                                                   k.brain_p_km_nM))
        th_bt = self.brain0.get("thdoc", 0.0) * (th_p / k.thdoc_plasma_nM) * r5a * boost
        d |= {
            "r5a": (r5a_t - r5a) / (k.r5a_tau_days * 24.0),
            "stress_precursor": self.k_precursor * (
                self.scenario_cfg.stress_allo_response * acute - prec),
            "allo_plasma_endogenous": kp * (a_pt - s["allo_plasma_endogenous"]),
            "thdoc_plasma": kp * (k.thdoc_plasma_nM * drive - th_p),
            "androstanediol_plasma": kp * (k.androstanediol_per_testosterone * testo
                                           - s["androstanediol_plasma"]),
            "allo_brain": kb * (a_bt - a_b),
            "thdoc_brain": kb * (th_bt - s["thdoc_brain"]),
            "androstanediol_brain": kb * (k.brain_plasma_ratio_androstanediol
                                          * s["androstanediol_plasma"]
                                          - s["androstanediol_brain"]),
            "zuranolone_brain": kb * (k.brain_plasma_ratio_zuranolone * pk["zuranolone"]
                                      - s["zuranolone_brain"]),
            "pregs_brain": ks * (self._sulfate_target("pregs", drive, pk) - s["pregs_brain"]),
            "dheas_brain": ks * (self._sulfate_target("dheas", drive, pk) - s["dheas_brain"]),
            "inflammation": (cyt_t - infl) / inf.tau_h,
            "glucocorticoid_load": stress_loop.load_rhs(self.loop, s["cortisol"],
                                                        hp.cortisol_ref_ug_per_dL,
                                                        s["glucocorticoid_load"]),
        }
        if self.cl_pops:  # KCC2 loss under stress shifts E_GABA (sims.slow.chloride)
            stress = acute + chronic
            for pop in self.cl_pops:
                name = f"chloride_shift_{pop}"
                shift_max = self.chloride_cfg.populations[pop].shift_max_mV
                goal = chloride.target(self.chloride_cfg, shift_max, stress, xp)
                d[name] = chloride.shift_rhs(self.chloride_cfg, s[name], goal, xp)
        hm = self.homeostasis_cfg
        c_eq = self.allo_equivalent(s)
        log_c = homeostasis.log_allo(c_eq, xp)
        log_slow, exposure = s["allo_log_slow"], s["steroid_exposure"]
        d["allo_log_slow"] = homeostasis.log_memory_rhs(log_c, log_slow, hm.tau_adapt_days)
        d["allo_equivalent_avg"] = (c_eq - s["allo_equivalent_avg"]) / hm.tau_average_h
        fold = s["allo_equivalent_avg"] / self.c_eq0
        d["steroid_exposure"] = homeostasis.exposure_rhs(hm, fold, exposure, xp)
        targets = homeostasis.expression_targets(hm, fold, log_c, log_slow, exposure,
                                                 self.scenario_cfg.alpha4_withdrawal_scale,
                                                 self.scenario_cfg.alpha4_withdrawal_susceptibility,
                                                 xp)
        d |= self._expression_rhs(s, targets)
        for comp in self.layout.pk:
            model, names = comp.model, comp.names
            x = [s[n] for n in names]
            m = model.matrix
            for i, n in enumerate(names):
                di = sum(m[i][j] * x[j] for j in range(len(x)))
                if model is self.infused and i == model.infusion_into:
                    di += infusion
                d[n] = di
        outputs = {"progesterone_plasma": prog, "testosterone_plasma": testo,
                   "placental_allo": plac, "allo_plasma": a_p, "allo_drug_plasma": pk["allo"],
                   "zuranolone_plasma": pk["zuranolone"],
                   "pregnenolone_plasma": k.pregnenolone_plasma_nM * drive
                   + pk["pregnenolone"],
                   "pregs_plasma": s["pregs_brain"] * self._plasma_per_pool["pregs"],
                   "dheas_plasma": s["dheas_brain"] * self._plasma_per_pool["dheas"],
                   "dhea_drug_plasma": pk["dhea"],
                   "acute_stress": acute,
                   "chronic_stress": chronic, "crh_drive": crh_drive,
                   "gr_feedback_constant": gr_k}
        return d, outputs

    def _expression_rows(self, s: Mapping[str, Any], targets: tuple[Any, Any, Any]
                         ) -> dict[str, Any]:
        """Derivatives of every population's subunit expression, one population at a time
        (the float backend: ``<subunit>_<population>`` by name)."""
        hm, d = self.homeostasis_cfg, {}
        for pop in self.pops:
            dd, dg, da = homeostasis.expression_rhs(
                hm, self.regulation[pop], s[f"delta_{pop}"], s[f"gamma2_{pop}"],
                s[f"alpha4_{pop}"], targets, self.feedback["rate_error"].get(pop, 0.0), self.xp)
            d |= {f"delta_{pop}": dd, f"gamma2_{pop}": dg, f"alpha4_{pop}": da}
        return d

    def _expression_blocks(self, s: Mapping[str, Any], targets: tuple[Any, Any, Any]
                           ) -> dict[str, Any]:
        """The same for every population at once (the array backend): one block
        ``[population, individual]`` per subunit, read from and written to the subunit's
        rows of the state (:meth:`_views`); the same operations element by element."""
        hm = self.homeostasis_cfg
        stacked = [s[sub] for sub in variables.SUBUNITS]
        rate_error = 0.0  # read by the activity rule only
        if hm.rule == "activity":
            errors = tuple(self.feedback["rate_error"].get(pop, 0.0) for pop in self.pops)
            cached = self.__dict__.get("_rate_error_column")
            if cached is None or cached[0] != errors:
                cached = self._rate_error_column = (errors, np.array(errors)[:, None])
            rate_error = cached[1]
        blocks = homeostasis.expression_rhs(hm, self._regulation_stack, *stacked, targets,
                                            rate_error, self.xp)
        return dict(zip(variables.SUBUNITS, blocks, strict=True))

    def _sulfate_target(self, sp: str, drive: Any, pk: Mapping[str, Any]) -> Any:
        """Target of the brain pool of a sulfated steroid (nM): its adrenal output, plus
        what a treatment adds to plasma carried into the pool by the endogenous
        brain/plasma ratio [assumption: exogenous sulfate distributes as endogenous]."""
        target = self.brain0.get(sp, 0.0) * drive
        if self._sulfate_pk:
            target = target + pk[sp] * self._pool_per_plasma[sp]
        return target

    def rhs(self, y: list[float], drv: tuple[float, ...], infusion: float,
            clock_h: float) -> tuple[list[float], dict[str, float]]:
        """:meth:`derivatives` on the state vector ``y`` (ordered by ``state_names``)."""
        d, outputs = self.derivatives(self.layout.named(y), drv, infusion, clock_h)
        return self.layout.ordered(d), outputs

    def baseline_values(self) -> dict[str, float]:
        """The baseline quantities that registry entries name as initial values."""
        b = self.brain0
        hpa0 = dict(zip(("hpa_crh", "hpa_acth", "hpa_cortisol", "hpa_gr"),
                        hpa.initial_state(self.hpa_cfg), strict=True))
        return hpa0 | {"plasma_allo": self.plasma0,
                       "plasma_thdoc": self.kinetics_cfg.thdoc_plasma_nM,
                       "brain_allo": b.get("allo", 0.0), "brain_thdoc": b.get("thdoc", 0.0),
                       "brain_pregs": b.get("pregs", 0.0), "brain_dheas": b.get("dheas", 0.0),
                       "log_allo_equivalent": homeostasis.log_allo(self.c_eq0, self.xp),
                       "allo_equivalent": self.c_eq0,
                       "steroid_exposure": homeostasis.exposure_target(
                           self.homeostasis_cfg, 1.0, self.xp)}

    def initial_values(self) -> dict[str, float]:
        """Baseline values of every state before burn-in, by name (from the registry)."""
        base = self.baseline_values()
        return {v.name: base[v.initial] if isinstance(v.initial, str) else float(v.initial)
                for v in self.state_variables}

    def initial_state(self) -> list[float]:
        """Baseline values before burn-in, in state-vector order."""
        return self.layout.ordered(self.initial_values())

    def allo_equivalent(self, s: Mapping[str, float]) -> float:
        """Brain ALLO-equivalent of the neurosteroid-site occupancy (nM), from states."""
        return homeostasis.allo_equivalent({sp: s[state] for sp, state in self._site_states},
                                           self.species, self.xp)

    def _settle_expression(self, y: list[float]) -> None:
        """Put the subunit states at their steady state for the current brain levels.

        Expression adapts over days, longer than the burn-in; its equilibrium for constant
        drivers is known exactly (targets; alpha4 = 1; references = current ln C_eq).
        """
        if self.homeostasis_cfg.rule == "none":
            return
        index = self.layout.index
        c_eq = self.allo_equivalent(self.layout.named(y))
        fold = c_eq / self.c_eq0
        exposure = homeostasis.exposure_target(self.homeostasis_cfg, fold, self.xp)
        y[index["allo_log_slow"]] = homeostasis.log_allo(c_eq, self.xp)
        y[index["allo_equivalent_avg"]] = c_eq
        y[index["steroid_exposure"]] = exposure
        for pop in self.pops:
            r = self.regulation[pop]
            y[index[f"delta_{pop}"]] = homeostasis.scaled(
                homeostasis.delta_target(self.homeostasis_cfg, fold, exposure, self.xp), r.delta)
            y[index[f"gamma2_{pop}"]] = homeostasis.scaled(
                homeostasis.gamma2_target(self.homeostasis_cfg, fold, self.xp), r.gamma2)
            y[index[f"alpha4_{pop}"]] = 1.0

    def _rk4(self, y: Any, d0, d1, d2, u0, u1, u2, clock: float) -> Any:
        """One classical RK4 step of ``dt`` on drivers at the step's start, middle and end
        (``d0``, ``d1``, ``d2``; infusion rates ``u0``..``u2``), for both backends: the
        backend's arithmetic (:class:`_ListArithmetic` on a list of floats,
        :class:`_ArrayArithmetic` in place on ``[state, individual]``) does every operation
        in the same order (``y + (h k)``; ``y + dt/6 (((k1 + 2 k2) + 2 k3) + k4)``)."""
        a, dt = self._arithmetic, self.dt
        k1 = a.derivative(y, d0, u0, clock, 0)
        k2 = a.derivative(a.stage(y, k1, 0.5 * dt), d1, u1, clock + 0.5 * dt, 1)
        k3 = a.derivative(a.stage(y, k2, 0.5 * dt), d1, u1, clock + 0.5 * dt, 2)
        k4 = a.derivative(a.stage(y, k3, dt), d2, u2, clock + dt, 3)
        return a.finish(y, k1, k2, k3, k4, dt)

    # ------------------------------------------------------------------ integrate
    def run(self, seed: int, t_stop_h: float | None = None,
            state: list[float] | None = None, t_start_h: float = 0.0) -> SlowTrajectory:
        """Integrate from ``t_start_h`` (with ``state``, else after burn-in) to ``t_stop_h``.

        Runs split at a recorded time and resumed with the returned final state give the
        same trajectory as one run (tested).
        """
        if self.vector:
            traj = self.run_individuals(np.atleast_1d(np.asarray(seed, dtype=np.int64)),
                                        t_stop_h, state, t_start_h)
            if self.n_individuals > 1:
                return traj
            one = traj.individual(0)
            one.final_state, one.final_time_h = traj.final_state, traj.final_time_h  # type: ignore[attr-defined]
            return one
        t_wall = time.perf_counter()
        drivers = self.drivers(seed)
        dv = np.stack([drivers.values[n] for n in scenarios.DRIVERS], axis=1).tolist()
        u = (self.infused.infusion_rate(drivers.t) if self.infused is not None
             else np.zeros(len(drivers.t))).tolist()
        i0 = int(round(t_start_h / self.dt))
        i1 = self.n_steps if t_stop_h is None else int(round(t_stop_h / self.dt))
        y = (self._burn_in(self.initial_state(), dv[0]) if state is None
             else list(state))
        names = list(self.state_units) + list(OUTPUTS)
        rec: list[list[float]] = []
        times: list[float] = []

        def record(i: int, y: list[float], drv: list[float], u_i: float) -> None:
            _, out = self.rhs(y, tuple(drv), u_i, (i * self.dt) % 24.0)
            rec.append(y[:self.pk_index] + [out[n] for n in OUTPUTS])
            times.append(i * self.dt)

        y = self._integrate(y, i0, i1, lambda h0, h1: (dv[h0:h1 + 1], u[h0:h1 + 1]),
                            record, self.record_every)
        arr = np.asarray(rec)
        values = {n: arr[:, j] for j, n in enumerate(names)}
        traj = SlowTrajectory(np.asarray(times), values, {**self.state_units, **OUTPUTS},
                              drivers.events, time.perf_counter() - t_wall, self.descriptions)
        traj.final_state = y  # type: ignore[attr-defined]
        traj.final_time_h = i1 * self.dt  # type: ignore[attr-defined]
        return traj

    # ------------------------------------------------------------------ the one loop
    #: Integration steps per block of drivers evaluated at once (memory: one block).
    BLOCK_STEPS = 720

    def _burn_in(self, y: Any, d0: Any) -> Any:
        """``slow.burn_in_days`` of RK4 steps at the first drivers, no infusion, clock
        running up to 0 h; then treatment compartments emptied and subunit expression put
        at its steady state. ``y``: a state list (float path) or ``[state, individual]``."""
        n_burn = int(round(slow_value(self.slow_cfg, "burn_in_days") / self.dt))
        for j in range(n_burn):
            clock = (-(n_burn - j) * self.dt) % 24.0
            y = self._rk4(y, d0, d0, d0, 0.0, 0.0, 0.0, clock)
        if self.pk_models:
            if isinstance(y, list):
                y[self.pk_index:] = [0.0] * (len(y) - self.pk_index)
            else:
                y[self.pk_index:] = 0.0
        self._settle_expression(y)
        return y

    def _dose_schedule(self) -> dict[int, list[tuple[int, Any]]]:
        """Bolus doses by the step they are given at: step -> [(state row, amount)]."""
        doses: dict[int, list[tuple[int, Any]]] = {}
        for t_d, row, amount in self._doses():
            if np.ndim(t_d):  # each individual's own time: at a step, the others get 0
                steps = np.floor(np.asarray(t_d) / self.dt + 1e-9).astype(np.int64)
                for i in np.unique(steps).tolist():
                    doses.setdefault(i, []).append((row, np.where(steps == i, amount, 0.0)))
                continue
            doses.setdefault(int(math.floor(t_d / self.dt + 1e-9)), []).append((row, amount))
        return doses

    def _integrate(self, y: Any, i0: int, i1: int,
                   block: Callable[[int, int], tuple[Any, Any]],
                   record: Callable[..., None], every: int) -> Any:
        """Steps ``i0`` to ``i1``: doses at their step, a record every ``every`` steps
        (before the step, and at ``i1``), RK4 on drivers at half steps. One loop for both
        backends: ``block(h0, h1)`` gives the driver rows and infusion rates of half steps
        ``h0..h1`` (inclusive), ``record(i, y, drivers, infusion)`` stores step ``i``; each
        step is :meth:`_rk4` in the backend's arithmetic."""
        doses = self._dose_schedule()
        for b0 in range(i0, i1, self.BLOCK_STEPS):
            b1 = min(b0 + self.BLOCK_STEPS, i1)
            rows, u = block(2 * b0, 2 * b1)
            for i in range(b0, b1):
                for row, amount in doses.get(i, []):
                    y[row] += amount
                h = 2 * (i - b0)
                if i % every == 0:
                    record(i, y, rows[h], u[h])
                y = self._rk4(y, rows[h], rows[h + 1], rows[h + 2], u[h], u[h + 1], u[h + 2],
                         (i * self.dt) % 24.0)
        if i1 % every == 0:
            rows, u = block(2 * i1, 2 * i1)
            record(i1, y, rows[0], u[0])
        return y

    # ------------------------------------------------------------------ array backend

    def _blocks(self) -> tuple[dict[str, slice], list[tuple[int, str]]]:
        """The subunit slices of the state vector (contiguous, one row per population)
        and the other states' rows."""
        if getattr(self, "_block_layout", None) is None:
            index = self.layout.index
            slices = {}
            for sub in variables.SUBUNITS if self.pops else ():
                rows = [index[f"{sub}_{p}"] for p in self.pops]
                assert rows == list(range(rows[0], rows[0] + len(rows)))
                slices[sub] = slice(rows[0], rows[-1] + 1)
            inside = {j for sl in slices.values() for j in range(sl.start, sl.stop)}
            self._block_layout = (slices, [(j, n) for j, n in enumerate(self.state_names)
                                           if j not in inside])
        return self._block_layout

    def _views(self, a: np.ndarray) -> tuple[dict[str, np.ndarray], list]:
        """Row views of a state-shaped buffer, by name (subunit blocks too), and the
        (row view, name) pairs to write derivatives into; cached per buffer."""
        cache = self.__dict__.setdefault("_view_cache", {})
        hit = cache.get(id(a))
        if hit is None or hit[0] is not a:
            slices, rows = self._blocks()
            named = self.layout.named(a)
            named |= {sub: a[sl] for sub, sl in slices.items()}
            targets = [(a[j], n) for j, n in rows] + [(a[sl], sub) for sub, sl in slices.items()]
            if len(cache) > 16:
                cache.clear()
            hit = cache[id(a)] = (a, named, targets)
        return hit[1], hit[2]

    def _deriv_array(self, y: np.ndarray, drv: tuple[Any, ...], infusion: Any,
                     clock_h: float, k: np.ndarray) -> np.ndarray:
        s, _ = self._views(y)
        d, _ = self.derivatives(s, drv, infusion, clock_h)  # reads s, never writes it
        for row, n in self._views(k)[1]:
            row[...] = d[n]
        return k


    def initial_array(self) -> np.ndarray:
        """Baseline values before burn-in, ``[state, individual]``."""
        return self.layout.array(self.initial_values(), self.n_individuals)

    def run_individuals(self, seeds: np.ndarray, t_stop_h: float | None = None,
                        state: Any = None, t_start_h: float = 0.0,
                        record: list[str] | None = None, record_every: int | None = None
                        ) -> SlowTrajectory:
        """:meth:`run` for N individuals at once (array backend; ``seeds``: one per
        individual, their stochastic scenarios): values ``[time, individual]`` of the
        ``record`` variables (default all) every ``record_every`` steps (default
        ``slow.record_every_min``). Events are individual 0's."""
        t_wall = time.perf_counter()
        if len(seeds) == 1 and self.n_individuals > 1:
            seeds = np.full(self.n_individuals, seeds[0])
        if len(seeds) != self.n_individuals:
            raise ValueError(f"{len(seeds)} seeds for {self.n_individuals} individuals")
        every = record_every or self.record_every
        i0 = int(round(t_start_h / self.dt))
        i1 = self.n_steps if t_stop_h is None else int(round(t_stop_h / self.dt))
        if state is None:
            rows, _ = self._driver_block(seeds, 0, 0)
            y = self._burn_in(self.initial_array(), rows[0])
        else:
            y = np.array(state, dtype=float)
        names = record or (list(self.state_units) + list(OUTPUTS))
        index = self.layout.index
        steps = [i for i in range(i0, i1 + 1) if i % every == 0]
        rec = {n: np.empty((len(steps), self.n_individuals)) for n in names}
        r = 0

        def store(i: int, y: np.ndarray, drv: tuple[Any, ...], u: Any) -> None:
            nonlocal r
            _, out = self.derivatives(self._views(y)[0], drv, u, (i * self.dt) % 24.0)
            for n in names:
                rec[n][r] = y[index[n]] if n in index else out[n]
            r += 1

        y = self._integrate(y, i0, i1, lambda h0, h1: self._driver_block(seeds, h0, h1),
                            store, every)
        units = {**self.state_units, **OUTPUTS}
        first = one_individual(self.scenario_cfg, 0)
        events = self.drivers(int(seeds[0]), np.zeros(1), first).events
        traj = SlowTrajectory(np.asarray(steps, dtype=float) * self.dt, rec,
                              {n: units[n] for n in names}, events, time.perf_counter() - t_wall,
                              {n: self.descriptions.get(n, "") for n in names})
        traj.final_state = y  # type: ignore[attr-defined]
        traj.final_time_h = i1 * self.dt  # type: ignore[attr-defined]
        return traj


class _ListArithmetic:
    """RK4 arithmetic of the float backend: one individual's state as a list of floats."""

    def __init__(self, model: SlowModel) -> None:
        self.model = model

    def derivative(self, y: list[float], drv: Any, u: Any, clock: float, slot: int
                   ) -> list[float]:
        return self.model.rhs(y, drv, u, clock)[0]

    def stage(self, y: list[float], k: list[float], h: float) -> list[float]:
        return [a + h * b for a, b in zip(y, k, strict=True)]

    def finish(self, y: list[float], k1: list[float], k2: list[float], k3: list[float],
               k4: list[float], dt: float) -> list[float]:
        return [a + dt / 6.0 * (b + 2 * c + 2 * d + e)
                for a, b, c, d, e in zip(y, k1, k2, k3, k4, strict=True)]


class _ArrayArithmetic:
    """RK4 arithmetic of the array backend, in place on ``[state, individual]`` in
    preallocated buffers (arrays this size would be fresh pages at every step); the state
    stays in one buffer, so the row views of each buffer are cached by identity."""

    def __init__(self, model: SlowModel) -> None:
        self.model = model
        self.buf: tuple[np.ndarray, ...] | None = None

    def _buffers(self, y: np.ndarray) -> tuple[np.ndarray, ...]:
        if self.buf is None or self.buf[0].shape != y.shape:
            # six arrays kept as objects: the row views of each are cached by identity
            self.buf = tuple(np.empty(y.shape) for _ in range(6))
        return self.buf

    def derivative(self, y: np.ndarray, drv: Any, u: Any, clock: float, slot: int
                   ) -> np.ndarray:
        return self.model._deriv_array(y, drv, u, clock, self._buffers(y)[slot])

    def stage(self, y: np.ndarray, k: np.ndarray, h: float) -> np.ndarray:
        tmp = self._buffers(y)[4]
        np.multiply(k, h, out=tmp)
        tmp += y
        return tmp

    def finish(self, y: np.ndarray, k1: np.ndarray, k2: np.ndarray, k3: np.ndarray,
               k4: np.ndarray, dt: float) -> np.ndarray:
        *_, tmp, acc = self._buffers(y)
        np.multiply(k2, 2, out=acc)
        acc += k1
        np.multiply(k3, 2, out=tmp)
        acc += tmp
        acc += k4
        acc *= dt / 6.0
        y += acc  # in place: the state stays in one buffer (its row views are cached)
        return y
