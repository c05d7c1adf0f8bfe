"""Homeostatic regulation of GABA-A subunit expression (delta, gamma2, alpha4).

Expression is relative to the reference state (1 = virgin/baseline), per population.

**What drives it.** The occupancy of the neurosteroid site by every positive modulator
there -- ALLO, THDOC, 3a-androstanediol, zuranolone -- with the potencies of the
pharmacology table (delta-tonic class; ``sims.fast.pharmacology``): ``X = sum_i
(C_i/EC50_i)^n_i``, expressed as the ALLO concentration of the same occupancy,
``C_eq = EC50_ALLO X^(1/n_ALLO)`` (:func:`allo_equivalent`). THDOC up-regulates delta as
ALLO does (Maguire & Mody 2007), so a drug that occupies the site as ALLO would is
regulated as ALLO would be. ``x = <C_eq> / C_eq,0`` is the fold change over the baseline of
its average over ~6 h (``tau_average``): regulation integrates the occupancy over hours,
so daily swings (evening doses, circadian THDOC) are not rectified by the unequal
up and down time constants.

- ``E`` is the *sustained-exposure* memory (0-1): ``dE/dt = (sigma(x) - E)/tau_exposure``
  with ``sigma(x) = x^m/(x^m + theta^m)`` (``exposure_fold``, ``exposure_hill``) and
  ``tau_exposure`` ~7 d: about the fraction of the last week spent well above baseline.
  Short and long exposures act differently on the receptor: 48-72 h of raised ALLO *raise*
  delta and alpha4 (Shen et al. 2005; Gulinello et al. 2001; diestrus, Maguire et al. 2005),
  weeks of it (pregnancy) lower delta (Maguire & Mody 2008), and the withdrawal response
  follows long exposure (3 weeks, Smith et al. 1998; pseudopregnancy, luteal-like levels for
  ~8 days) -- shorter protocols needed repeated withdrawals to show one.
- ``delta_target(x, E) = 1 + U (1 - g_d E^2) (x-1)+/((x-1)+ + k_U) - s E D x^n/(x^n + x50^n)``:
  moderate rises from baseline (diestrus, acute stress, 48 h of THP) raise delta, by +43 %
  at the luteal fold (Maguire et al. 2005, Maguire & Mody 2007, Shen et al. 2005);
  *sustained* very high ALLO (pregnancy, ``E`` ~ 1) lowers it to ~0.5 (mouse;
  Maguire & Mody 2008) [D: fitted to these two numbers]. Every up-regulation datum is a
  short exposure from baseline, and after weeks of high levels delta returns to the virgin
  level by 48 h postpartum, with no overshoot (Maguire & Mody 2008), while human ALLO is
  still luteal-like then (Nappi et al. 2001). So the rise is scaled by ``1 - g_d E^2``
  (``delta_up_exposure_gate`` g_d, 1 by default; the form of the alpha4 rise gate below
  [assumption]): a level that falls from pregnancy is no rise. ``s`` is +1 for mouse and -1
  for rat, where pregnancy raises delta (Sanna et al. 2009).
- ``gamma2_target(x) = 1 - G (x-1)+/((x-1)+ + k_G)``: gamma2 falls in diestrus and in
  pregnancy (Maguire 2005, 2008), after short exposures too.
- both relax with ``tau_down`` when falling and re-express with their own time when rising
  (``tau_up`` for delta, ``gamma2_tau_up`` for gamma2; both recovered by 48 h postpartum,
  Maguire & Mody 2008). ``impaired_recovery`` slows delta's ``tau_up`` only: the Gabrd+/-
  mouse lacks one delta allele, nothing is known of a slower gamma2 return.
- ``alpha4`` answers a rise and a withdrawal differently. With ``L = ln C_eq`` and a slowly
  adapting ``L_slow`` (``tau_adapt``, ~2 d):

  - a *rise* above ``L_slow`` gives a transient (``d_up = (L - L_slow)+``): 2-3-fold at
    48-72 h of exposure, resolved by 5-6 days as ``L_slow`` adapts (Gulinello et al.
    2001, rats exposed from baseline). It is scaled by ``1 - g E^2``
    (``alpha4_rise_exposure_gate`` g, 1 by default) [assumption]: the transient answers a
    level new to the week-scale history, so a re-exposure after weeks of high levels
    (brexanolone on postpartum day 2: E 0.9-0.98) triggers at most a fifth of it, while an
    exposure from baseline keeps >= 94 % (E <= 0.25 by 48 h). No data show an alpha4
    transient on re-exposure; without the gate brexanolone raised E-cell firing in the
    PPD state during the infusion (docs/changelog.md "Model validity", item 3);
  - a *withdrawal* below ``L_slow`` (``d_down = (L_slow - L)+``) raises alpha4 in
    proportion to ``E`` (unless the scenario is susceptible, below): after 21 days of
    exposure fully (~2x at 24 h, Smith et al. 1998), after 2 days to about a quarter of
    that, whatever the level.

  ``alpha4_target = 1 + A_up (1 - g E^2) h(d_up) + G A_down h(w d_down)`` with ``h(d) = d^n/(d^n +
  s50^n)``, the gate ``G = E + s (1 - E)`` and the scenario's two sensitivities
  (docs/science.md §7.2): ``w = alpha4_withdrawal_scale`` multiplies the fall (a larger
  response to the same hormones: half the response at a fall of ``s50/w``), and
  ``s = alpha4_withdrawal_susceptibility`` (0-1) lets a fall trigger the response whatever
  the exposure history. ``s = 0`` (default): the response follows long exposure (Smith
  1998); PMDD ``s = 1``: in susceptible animals the natural late-dioestrus fall raises
  alpha4 (Lovick 2008: rat PAG; absent in rats housed quietly) and so does withdrawal
  after 3 days of 5a-reductase block (Smith et al. 2006: mouse CA1).
- ``activity`` rule (closed loop): delta additionally follows the measured rate of each
  population, ``d delta/dt += eta (rate/target - 1)``.

**Per population.** ``homeostasis.populations.<pop>`` scales each subunit's deviation from
1 (``1 + scale (target - 1)``): 1 is the regulation above, 0 none. The defaults and their
sources are in ``configs/homeostasis/steroid.yaml``.

Effects on the network (``apply_expression``): delta and gamma2 scale the configured
expression; alpha4 scales the alpha4beta2delta share of the tonic conductance, whose
steroid effect reverses with the Cl- current (``receptors.alpha4_polarity``, Shen et al.
2007; ``sims.fast.pharmacology``), and above 1 speeds phasic decay (Smith et al. 1998).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from sims.slow.numerics import FLOAT
from sims.slow.schemas import HomeostasisConfig, PopulationHomeostasisConfig

ALLO_FLOOR_NM = 0.01  # keeps ln(C_eq) finite
#: Species that potentiate at the neurosteroid site (their brain levels drive regulation).
REGULATING_CLASS = "delta_tonic"


def regulates(species: Mapping[str, Any] | None) -> bool:
    """Whether a species (its pharmacology entry) potentiates at the neurosteroid site and
    so drives regulation (blockers and other sites do not)."""
    return (species is not None and species["site"] == "neurosteroid"
            and species[REGULATING_CLASS]["emax"] > 0)


def allo_equivalent(conc_nM: Mapping[str, float], species: Mapping[str, Any],
                    xp: Any = FLOAT) -> float:
    """ALLO concentration (nM) with the occupancy of the neurosteroid site that all
    potentiating species present give together (delta-tonic potencies)."""
    x = 0.0
    for name, conc in conc_nM.items():
        s = species.get(name)
        if not regulates(s):
            continue
        term = s[REGULATING_CLASS]
        x += xp.pow(xp.maximum(conc, 0.0) / term["ec50_nM"], term["hill"])  # absent: adds 0
    ref = species["allo"][REGULATING_CLASS]
    return ref["ec50_nM"] * xp.pow(x, 1.0 / ref["hill"])  # 0 ** (1/n) = 0


def _sat(x: float, k: float, xp: Any = FLOAT) -> float:
    """``x+ / (x+ + k)``: 0 for ``x <= 0``."""
    xpos = xp.maximum(x, 0.0)
    return xpos / (xpos + k)


def _hill(d: float, s50: float, n: float, xp: Any = FLOAT) -> float:
    """``d+^n / (d+^n + s50^n)``: 0 for ``d <= 0``."""
    dn = xp.pow(xp.maximum(d, 0.0), n)
    return dn / (dn + xp.pow(s50, n))


def exposure_target(p: HomeostasisConfig, fold: float, xp: Any = FLOAT) -> float:
    """``sigma(x)``: 1 while the occupancy is well above baseline, 0 near it."""
    xm = xp.pow(xp.maximum(fold, 0.0), p.exposure_hill)
    return xm / (xm + xp.pow(p.exposure_fold, p.exposure_hill))


def exposure_rhs(p: HomeostasisConfig, fold: float, exposure: float, xp: Any = FLOAT
                 ) -> float:
    """Derivative (per hour) of the sustained-exposure memory ``E``: it charges with
    ``tau_exposure_days`` while the occupancy is high and discharges with
    ``tau_exposure_off_days`` once it has fallen."""
    target = exposure_target(p, fold, xp)
    tau = xp.where(target < exposure, p.tau_exposure_off_days, p.tau_exposure_days)
    return (target - exposure) / (tau * 24.0)


def delta_target(p: HomeostasisConfig, fold: float, exposure: float = 1.0,
                 xp: Any = FLOAT) -> float:
    """Steady delta expression for a fold change of the site occupancy over baseline, after
    a sustained exposure ``exposure`` (0-1; the pregnancy-like loss needs it)."""
    sign = 1.0 if p.species == "mouse" else -1.0
    xn = xp.pow(xp.maximum(fold, 0.0), p.delta_down_hill)
    down = p.delta_down_max * xn / (xn + xp.pow(p.delta_down_x50, p.delta_down_hill))
    up = (p.delta_up_max * delta_up_gate(p, exposure)
          * _sat(fold - 1.0, p.delta_up_k, xp))
    # sign * exposure * down, without the multiplication by +-1 (exact either way)
    change = exposure * down
    return xp.maximum(1.0 + up - change if sign > 0 else 1.0 + up + change, 0.0)


def delta_up_gate(p: HomeostasisConfig, exposure: float) -> float:
    """Fraction of delta's up-regulation a rise can give: ``1 - g E^2`` with
    ``g = delta_up_exposure_gate`` (0: the full rise whatever the history, exactly)."""
    return 1.0 - p.delta_up_exposure_gate * exposure * exposure


def gamma2_target(p: HomeostasisConfig, fold: float, xp: Any = FLOAT) -> float:
    """Steady gamma2 expression for a fold change of the site occupancy over baseline."""
    return xp.maximum(1.0 - p.gamma2_down_max * _sat(fold - 1.0, p.gamma2_k, xp), 0.0)


def withdrawal_gate(exposure: float, susceptibility: float = 0.0) -> float:
    """Fraction of the full withdrawal response a fall can trigger: the sustained-exposure
    memory ``E``, raised towards 1 by the scenario's ``alpha4_withdrawal_susceptibility``
    ``s`` (``E + s (1 - E)``; ``s = 0``: ``E`` exactly)."""
    return exposure + susceptibility * (1.0 - exposure)


def rise_gate(p: HomeostasisConfig, exposure: float) -> float:
    """Fraction of the alpha4 rise transient a rise can trigger: ``1 - g E^2`` with
    ``g = alpha4_rise_exposure_gate`` (0: always the full transient, exactly)."""
    return 1.0 - p.alpha4_rise_exposure_gate * exposure * exposure


def alpha4_target(p: HomeostasisConfig, log_allo: float, log_slow: float, exposure: float,
                  withdrawal_scale: float = 1.0, susceptibility: float = 0.0,
                  xp: Any = FLOAT) -> float:
    """alpha4 after a rise (transient, adapting) and after a withdrawal (gated by the
    sustained-exposure memory and the susceptibility, :func:`withdrawal_gate`; the
    ``withdrawal_scale`` multiplies the fall, so a larger scale answers a smaller fall
    with the same response: ``s50 / scale``)."""
    n, s50 = p.alpha4_hill, p.alpha4_s50
    return (1.0 + p.alpha4_gain * rise_gate(p, exposure)
            * _hill(log_allo - log_slow, s50, n, xp)
            + withdrawal_gate(exposure, susceptibility) * p.alpha4_withdrawal_gain
            * _hill(withdrawal_scale * (log_slow - log_allo), s50, n, xp))


def scaled(target: float, scale: float) -> float:
    """A population's target: its scale times the deviation from 1."""
    return 1.0 + scale * (target - 1.0)


def relax(p: HomeostasisConfig, x: float, target: float, up_key: str = "tau_up_days",
          xp: Any = FLOAT) -> float:
    """``dx/dt`` (per hour) with the down / up (re-expression) time constants; ``up_key``
    names the subunit's re-expression time (``tau_up_days``: delta,
    ``gamma2_tau_up_days``: gamma2)."""
    # (the time constants in hours, chosen per element: the same numbers as tau * 24)
    return (target - x) / xp.where(target < x, p.tau_down_days * 24.0, getattr(p, up_key) * 24.0)


def expression_targets(p: HomeostasisConfig, fold: float, log_allo: float, log_slow: float,
                       exposure: float, withdrawal_scale: float = 1.0,
                       susceptibility: float = 0.0, xp: Any = FLOAT
                       ) -> tuple[float, float, float]:
    """The full rule's delta, gamma2 and alpha4 targets (shared by every population; each
    scales their deviation from 1, :func:`expression_rhs`)."""
    return (delta_target(p, fold, exposure, xp), gamma2_target(p, fold, xp),
            alpha4_target(p, log_allo, log_slow, exposure, withdrawal_scale, susceptibility,
                          xp))


def expression_rhs(p: HomeostasisConfig, pop: PopulationHomeostasisConfig, delta: float,
                   gamma2: float, alpha4: float, targets: tuple[float, float, float],
                   rate_error: float, xp: Any = FLOAT) -> tuple[float, float, float]:
    """Derivatives (per hour) of delta, gamma2 and alpha4 of one population (``pop``: its
    regulation scales; ``targets``: :func:`expression_targets`)."""
    if p.rule == "none":
        return 0.0, 0.0, 0.0
    delta_t, gamma2_t, alpha4_t = targets
    d_delta = relax(p, delta, scaled(delta_t, pop.delta), xp=xp)
    if p.rule == "activity":
        d_delta += pop.delta * p.activity_eta_per_day / 24.0 * rate_error
    d_gamma2 = relax(p, gamma2, scaled(gamma2_t, pop.gamma2), "gamma2_tau_up_days", xp)
    return (d_delta, d_gamma2,
            (scaled(alpha4_t, pop.alpha4) - alpha4) / (p.tau_alpha4_days * 24.0))


def log_memory_rhs(log_allo: float, log_memory: float, tau_days: float) -> float:
    """Derivative (per hour) of a slowly adapting ln(C_eq) (the alpha4 reference)."""
    return (log_allo - log_memory) / (tau_days * 24.0)


def log_allo(c_eq: float, xp: Any = FLOAT) -> float:
    """``ln C_eq`` with a floor (keeps it finite without any modulator)."""
    return xp.log(xp.maximum(c_eq, ALLO_FLOOR_NM))


def apply_expression(c: Mapping[str, Any], expression: Mapping[str, Mapping[str, float]]
                     ) -> dict[str, Any]:
    """A config copy whose receptor make-up reflects the homeostatic expression.

    Only run-time receptor keys change (expression, steroid sensitivity, decay), so the
    compiled network is reused.
    """
    out = copy.deepcopy(dict(c))
    h = c["homeostasis"]
    tau0 = c["receptors"]["gaba_a"]["tau_decay_ms"]
    for pop, e in expression.items():
        rp = out["receptors"]["populations"][pop]
        a4 = max(e["alpha4"] - 1.0, 0.0)
        rp["delta_expression"] = rp["delta_expression"] * e["delta"]
        rp["gamma2_expression"] = rp["gamma2_expression"] * e["gamma2"]
        rp["phasic_decay_scale"] = 1.0 / (1.0 + h["alpha4_decay_effect"] * a4)
        rp["alpha4_expression"] = rp.get("alpha4_expression", 1.0) * e["alpha4"]
    out["receptors"]["gaba_a"]["tau_decay_ms"] = tau0
    return out
