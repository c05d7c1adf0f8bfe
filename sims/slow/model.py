"""The slow model: scenario drivers + treatments + steroids + HPA + inflammation,
integrated with a fixed-step 4th-order Runge-Kutta scheme on its own clock (minutes).

Time is in hours from the start of the run (t = 0 is midnight), concentrations in nM.
Before ``t = 0`` the model is equilibrated for ``slow.burn_in_days`` with the drivers
frozen at their ``t = 0`` values (no treatment), so every run starts from the steady state
(or limit cycle) of its initial conditions.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sims.config import CONFIG_DIR
from sims.errors import ConfigError
from sims.slow import homeostasis, hpa, inflammation, scenarios, steroids
from sims.slow.treatments import PKModel, build_treatment
from sims.units import slow_value

#: State variables and their units.
STATES: dict[str, str] = {
    "crh": "a.u.", "acth": "a.u.", "cortisol": "ug/dL", "gr": "a.u.",
    "r5a": "1", "stress_precursor": "1",
    "allo_plasma_endogenous": "nM", "thdoc_plasma": "nM", "androstanediol_plasma": "nM",
    "allo_brain": "nM", "thdoc_brain": "nM", "androstanediol_brain": "nM",
    "zuranolone_brain": "nM", "pregs_brain": "nM", "dheas_brain": "nM",
    "inflammation": "1",
}
#: Algebraic outputs recorded with the states.
OUTPUTS: dict[str, str] = {
    "progesterone_plasma": "nM", "testosterone_plasma": "nM", "placental_allo": "nM",
    "allo_plasma": "nM", "allo_drug_plasma": "nM", "zuranolone_plasma": "nM",
    "acute_stress": "1", "chronic_stress": "1", "hpa_k_stress": "1/h", "hpa_k_i": "a.u.",
}
#: Pharmacology species -> brain state the network sees.
BRAIN_STATE = {"allo": "allo_brain", "thdoc": "thdoc_brain",
               "androstanediol": "androstanediol_brain", "zuranolone": "zuranolone_brain",
               "pregs": "pregs_brain", "dheas": "dheas_brain"}
SRIRAM_INITIAL = (1.0, 5.0, 5.0, 2.0)  # C, A, O, G (SCIENCE.md 5.1)
MAX_STABLE_K_DT = 2.0  # RK4 is stable up to k dt ~ 2.8; keep a margin


@dataclass
class SlowTrajectory:
    """Recorded slow-layer time courses (time in hours)."""

    time_h: np.ndarray
    values: dict[str, np.ndarray]
    units: dict[str, str]
    events: list[tuple[str, float]] = field(default_factory=list)
    wall_s: float = 0.0

    def at(self, name: str, t_h: float) -> float:
        """Linear interpolation of one variable at ``t_h``."""
        return float(np.interp(t_h, self.time_h, self.values[name]))

    def brain_conc(self, t_h: float) -> dict[str, float]:
        """Brain levels (nM) of every pharmacology species at ``t_h``."""
        return {s: self.at(v, t_h) for s, v in BRAIN_STATE.items()}

    def expression(self, t_h: float) -> dict[str, dict[str, float]]:
        """Homeostatic subunit expression per population at ``t_h`` (1 = reference)."""
        pops = sorted({n.split("_", 1)[1] for n in self.values if n.startswith("delta_")})
        return {p: {sub: self.at(f"{sub}_{p}", t_h) for sub in homeostasis.SUBUNITS}
                for p in pops}


def step_hours(c: Mapping[str, Any]) -> float:
    """Integration step (h): ``slow.dt_min`` or the scenario's recommended one."""
    dt_min = c["slow"]["dt_min"] or c["scenario"]["dt_min"]
    return dt_min / 60.0


def record_steps(c: Mapping[str, Any]) -> int:
    """Integration steps between recorded samples."""
    dt_min = step_hours(c) * 60
    rec = c["slow"]["record_every_min"] or 10.0
    return max(1, int(round(rec / dt_min)))


def duration_hours(c: Mapping[str, Any], table: dict | None = None) -> float:
    """Run length (h); ``from_file`` with duration 0 uses the file's span."""
    d = slow_value(c["scenario"], "duration_days")
    if d <= 0 and table is not None:
        d = float(table["time"][-1])
    return d


def check(c: Mapping[str, Any]) -> None:
    """Slow-layer checks that need derived numbers (called by ``sims.config.validate``)."""
    k = c["steroids"]["kinetics"]
    dt = step_hours(c)
    fastest = steroids.rate(k["brain_half_life_min"] / 60.0)
    key = "slow.dt_min" if c["slow"]["dt_min"] else "scenario.dt_min"
    if fastest * dt > MAX_STABLE_K_DT:
        raise ConfigError(key, dt * 60, f"a step <= {60 * MAX_STABLE_K_DT / fastest:.1f} min "
                          "(stability of the brain-steroid turnover)")
    rec = c["slow"]["record_every_min"] / (dt * 60)
    if rec and (abs(rec - round(rec)) > 1e-9 or round(rec) < 1):
        raise ConfigError("slow.record_every_min", c["slow"]["record_every_min"],
                          f"a multiple of the integration step ({dt * 60:g} min)")
    sc = c["scenario"]
    plasma0 = steroids.peripheral_allo_target(sc["progesterone_follicular_nM"], k["allo_vmax_nM"],
                                              k["allo_km_nM"], k["allo_adrenal_nM"], 1.0, 0.0)
    local = steroids.local_synthesis(c["steroids"]["brain_nM"].get("allo", 0.0),
                                     k["brain_plasma_ratio_allo"], plasma0)
    if local < 0:
        raise ConfigError("steroids.brain_nM.allo", c["steroids"]["brain_nM"].get("allo"),
                          f">= {k['brain_plasma_ratio_allo'] * plasma0:.3g} nM (the brain level "
                          "that plasma uptake alone gives at baseline)")


class SlowModel:
    """Builds drivers and treatment PK for a validated config and integrates them."""

    def __init__(self, c: Mapping[str, Any], table: dict[str, np.ndarray] | None = None):
        self.c = c
        self.sc, self.tr = c["scenario"], c["treatment"]
        self.k, self.hp, self.inf = c["steroids"]["kinetics"], c["hpa"], c["inflammation"]
        self.brain0 = c["steroids"]["brain_nM"]
        if self.sc["name"] == "from_file" and table is None:
            path = scenarios.resolve_path(self.sc["path"], CONFIG_DIR)
            table = scenarios.read_timecourse(path)
        self.table = table
        self.dt = step_hours(c)
        self.t_end = duration_hours(c, table)
        self.n = int(round(self.t_end / self.dt))
        self.record_every = record_steps(c)
        self.pk: PKModel | None = build_treatment(self.tr)
        self.hm = c["homeostasis"]
        self.pops = list(c["network"]["populations"])
        self.h_index = len(STATES)  # ln(ALLO) reference, then delta/gamma2/alpha4 per pop
        self.pk_index = self.h_index + 1 + len(homeostasis.SUBUNITS) * len(self.pops)
        self.state_units = dict(STATES) | {"allo_log_slow": "ln(nM)"} | {
            f"{sub}_{pop}": "1" for pop in self.pops for sub in homeostasis.SUBUNITS}
        #: Closed-loop inputs, held constant between probes (set by sims.coupling).
        self.feedback: dict[str, Any] = {"crh_scale": 1.0,
                                         "rate_error": {p: 0.0 for p in self.pops}}
        k = self.k
        self.plasma0 = steroids.peripheral_allo_target(
            self.sc["progesterone_follicular_nM"], k["allo_vmax_nM"], k["allo_km_nM"],
            k["allo_adrenal_nM"], 1.0, 0.0)
        self.local = steroids.local_synthesis(self.brain0.get("allo", 0.0),
                                              k["brain_plasma_ratio_allo"], self.plasma0)
        # first-order rate constants (1/h), computed once: rhs runs 4x per step
        self.k_brain = steroids.rate(k["brain_half_life_min"] / 60.0)
        self.k_plasma = steroids.rate(k["plasma_half_life_h"])
        self.k_sulfated = steroids.rate(k["sulfated_half_life_h"])
        self.k_precursor = steroids.rate(k["stress_precursor_half_life_min"] / 60.0)

    # ------------------------------------------------------------------ drivers
    def drivers(self, seed: int) -> scenarios.Drivers:
        """Driver values on the half-step grid ``0, dt/2, ..., t_end``."""
        t = np.arange(2 * self.n + 1) * (self.dt / 2)
        rng = np.random.default_rng([seed, 1])  # stream 1: the slow layer's
        gen = scenarios.GENERATORS[self.sc["name"]]
        if self.sc["name"] == "from_file":
            return gen(self.sc, t, rng, self.table)
        return gen(self.sc, t, rng)

    # ------------------------------------------------------------------ equations
    def _pk_outputs(self, x: list[float]) -> dict[str, float]:
        out = {"allo": 0.0, "zuranolone": 0.0, "progesterone": 0.0, "testosterone": 0.0}
        if self.pk is not None:
            base = self.pk_index
            for name, (comp, scale) in self.pk.outputs.items():
                out[name] += x[base + comp] * scale
        return out

    def rhs(self, y: list[float], drv: tuple[float, ...], infusion: float,
            clock_h: float) -> tuple[list[float], dict[str, float]]:
        """Derivatives of all states (per hour) and the algebraic outputs."""
        (crh, acth, cort, gr, r5a, prec, a_pe, th_p, ad_p, a_b, th_b, ad_b, z_b, ps_b, dh_b,
         infl) = y[:16]
        prog_d, testo_d, plac, acute, chronic = drv
        k, hp, inf = self.k, self.hp, self.inf
        pk = self._pk_outputs(y)
        prog = prog_d + pk["progesterone"]
        testo = testo_d + pk["testosterone"]
        a_p = a_pe + pk["allo"]
        drive = max(cort, 0.0) / hp["cortisol_ref_ug_per_dL"]  # adrenal output
        acth_drive = max(acth, 0.0) / hp["acth_ref"]  # ACTH drive of adrenal DOC
        kb, kp, ks = self.k_brain, self.k_plasma, self.k_sulfated
        boost = 1.0 + k["stress_synthesis_gain"] * prec
        ks_eff = hpa.crh_drive(hp, acute, chronic, a_b + th_b, clock_h) * self.feedback["crh_scale"]
        ki_eff = hpa.feedback_k_i(hp, chronic, inflammation.gr_factor(inf, infl))
        d_hpa = hpa.sriram_rhs(crh, acth, cort, gr, ks_eff, ki_eff, hp)
        r5a_t = steroids.r5a_target(chronic, k["chronic_r5a_loss"],
                                    inflammation.synthesis_factor(inf, infl))
        a_pt = steroids.peripheral_allo_target(prog, k["allo_vmax_nM"], k["allo_km_nM"],
                                               k["allo_adrenal_nM"], drive, plac)
        a_bt = steroids.brain_allo_target(k["brain_plasma_ratio_allo"], a_p, self.local, r5a,
                                          k["stress_synthesis_gain"], prec)
        th_pt = k["thdoc_plasma_nM"] * acth_drive
        th_bt = self.brain0.get("thdoc", 0.0) * (th_p / k["thdoc_plasma_nM"]) * r5a * boost
        ad_pt = k["androstanediol_per_testosterone"] * testo
        dy = [
            *d_hpa,
            (r5a_t - r5a) / (k["r5a_tau_days"] * 24.0),
            self.k_precursor * (self.sc["stress_allo_response"] * acute - prec),
            kp * (a_pt - a_pe),
            kp * (th_pt - th_p),
            kp * (ad_pt - ad_p),
            kb * (a_bt - a_b),
            kb * (th_bt - th_b),
            kb * (k["brain_plasma_ratio_androstanediol"] * ad_p - ad_b),
            kb * (k["brain_plasma_ratio_zuranolone"] * pk["zuranolone"] - z_b),
            ks * (self.brain0.get("pregs", 0.0) * drive - ps_b),
            ks * (self.brain0.get("dheas", 0.0) * drive - dh_b),
            (inflammation.cytokine_target(inf, chronic, a_p, self.plasma0) - infl)
            / inf["tau_h"],
        ]
        hi, hm = self.h_index, self.hm
        log_slow = y[hi]
        dy.append(homeostasis.log_slow_rhs(hm, a_b, log_slow))
        allo0 = self.brain0["allo"]
        for j, pop in enumerate(self.pops):
            d, g2, a4 = y[hi + 1 + 3 * j: hi + 4 + 3 * j]
            dy.extend(homeostasis.expression_rhs(hm, d, g2, a4, a_b, allo0, log_slow,
                                                 self.feedback["rate_error"].get(pop, 0.0)))
        if self.pk is not None:
            x = y[self.pk_index:]
            m = self.pk.matrix
            for i in range(len(x)):
                d = sum(m[i][j] * x[j] for j in range(len(x)))
                if i == self.pk.infusion_into:
                    d += infusion
                dy.append(d)
        outputs = {"progesterone_plasma": prog, "testosterone_plasma": testo,
                   "placental_allo": plac, "allo_plasma": a_p, "allo_drug_plasma": pk["allo"],
                   "zuranolone_plasma": pk["zuranolone"], "acute_stress": acute,
                   "chronic_stress": chronic, "hpa_k_stress": ks_eff, "hpa_k_i": ki_eff}
        return dy, outputs

    def initial_state(self) -> list[float]:
        """Baseline values before burn-in."""
        b, k = self.brain0, self.k
        y = [*SRIRAM_INITIAL, 1.0, 0.0, self.plasma0, k["thdoc_plasma_nM"], 0.0,
             b.get("allo", 0.0), b.get("thdoc", 0.0), 0.0, 0.0, b.get("pregs", 0.0),
             b.get("dheas", 0.0), 1.0]
        y += [math.log(max(b["allo"], homeostasis.ALLO_FLOOR_NM))]
        y += [1.0] * (len(homeostasis.SUBUNITS) * len(self.pops))
        if self.pk is not None:
            y += [0.0] * len(self.pk.compartments)
        return y

    def _settle_expression(self, y: list[float]) -> None:
        """Put the subunit states at their steady state for the current brain ALLO.

        Expression adapts over days, longer than the burn-in; its equilibrium for constant
        drivers is known exactly (targets; alpha4 = 1; reference = current ln ALLO).
        """
        if self.hm["rule"] == "none":
            return
        a_b = y[list(STATES).index("allo_brain")]
        fold = a_b / self.brain0["allo"]
        y[self.h_index] = math.log(max(a_b, homeostasis.ALLO_FLOOR_NM))
        for j in range(len(self.pops)):
            y[self.h_index + 1 + 3 * j: self.h_index + 4 + 3 * j] = [
                homeostasis.delta_target(self.hm, fold), homeostasis.gamma2_target(self.hm, fold),
                1.0]

    def _rk4(self, y: list[float], d0, d1, d2, u0, u1, u2, clock: float) -> list[float]:
        dt = self.dt
        k1, _ = self.rhs(y, d0, u0, clock)
        y2 = [a + 0.5 * dt * b for a, b in zip(y, k1, strict=True)]
        k2, _ = self.rhs(y2, d1, u1, clock + 0.5 * dt)
        y3 = [a + 0.5 * dt * b for a, b in zip(y, k2, strict=True)]
        k3, _ = self.rhs(y3, d1, u1, clock + 0.5 * dt)
        y4 = [a + dt * b for a, b in zip(y, k3, strict=True)]
        k4, _ = self.rhs(y4, d2, u2, clock + dt)
        return [a + dt / 6.0 * (b + 2 * c + 2 * d + e)
                for a, b, c, d, e in zip(y, k1, k2, k3, k4, strict=True)]

    # ------------------------------------------------------------------ integrate
    def run(self, seed: int, t_stop_h: float | None = None,
            state: list[float] | None = None, t_start_h: float = 0.0) -> SlowTrajectory:
        """Integrate from ``t_start_h`` (with ``state``, else after burn-in) to ``t_stop_h``.

        Runs split at a recorded time and resumed with the returned final state give the
        same trajectory as one run (tested).
        """
        t_wall = time.perf_counter()
        drivers = self.drivers(seed)
        dv = np.stack([drivers.values[n] for n in scenarios.DRIVERS], axis=1).tolist()
        u = (self.pk.infusion_rate(drivers.t) if self.pk is not None
             else np.zeros(len(drivers.t))).tolist()
        i0 = int(round(t_start_h / self.dt))
        i1 = self.n if t_stop_h is None else int(round(t_stop_h / self.dt))
        if state is None:
            y = self.initial_state()
            n_burn = int(round(slow_value(self.c["slow"], "burn_in_days") / self.dt))
            for j in range(n_burn):
                clock = (-(n_burn - j) * self.dt) % 24.0
                y = self._rk4(y, dv[0], dv[0], dv[0], 0.0, 0.0, 0.0, clock)
            if self.pk is not None:
                y[self.pk_index:] = [0.0] * len(self.pk.compartments)
            self._settle_expression(y)
        else:
            y = list(state)
        doses: dict[int, list[tuple[int, float]]] = {}
        for t_d, comp, amount in (self.pk.doses if self.pk is not None else []):
            doses.setdefault(int(math.floor(t_d / self.dt + 1e-9)), []).append((comp, amount))
        names = list(self.state_units) + list(OUTPUTS)
        rec: list[list[float]] = []
        times: list[float] = []

        def record(i: int, y: list[float]) -> None:
            _, out = self.rhs(y, tuple(dv[2 * i]), u[2 * i], (i * self.dt) % 24.0)
            rec.append(y[:self.pk_index] + [out[n] for n in OUTPUTS])
            times.append(i * self.dt)

        for i in range(i0, i1):
            for comp, amount in doses.get(i, []):
                y[self.pk_index + comp] += amount
            if i % self.record_every == 0:
                record(i, y)
            y = self._rk4(y, dv[2 * i], dv[2 * i + 1], dv[2 * i + 2], u[2 * i], u[2 * i + 1],
                          u[2 * i + 2], (i * self.dt) % 24.0)
        if i1 % self.record_every == 0:
            record(i1, y)
        arr = np.asarray(rec)
        values = {n: arr[:, j] for j, n in enumerate(names)}
        traj = SlowTrajectory(np.asarray(times), values, {**self.state_units, **OUTPUTS},
                              drivers.events, time.perf_counter() - t_wall)
        traj.final_state = y  # type: ignore[attr-defined]
        traj.final_time_h = i1 * self.dt  # type: ignore[attr-defined]
        return traj
