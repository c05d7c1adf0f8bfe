"""Homeostatic regulation of GABA-A subunit expression (delta, gamma2, alpha4).

Expression is relative to the reference state (1 = virgin/baseline) and driven by the fold
change of brain ALLO over its baseline, ``x = ALLO_brain / ALLO_brain,0``:

- ``delta_target(x) = 1 + U (x-1)+/((x-1)+ + k_U) - s D x^n/(x^n + x50^n)``: moderate rises
  (luteal phase, acute stress) raise delta (Maguire et al. 2005, Maguire & Mody 2007);
  sustained very high ALLO (pregnancy) lowers it (mouse; Maguire & Mody 2008). ``s`` is
  +1 for mouse and -1 for rat, where pregnancy raises delta (Sanna et al. 2009).
- ``gamma2_target(x) = 1 - G (x-1)+/((x-1)+ + k_G)``: gamma2 falls in diestrus and in
  pregnancy (Maguire 2005, 2008).
- both relax with ``tau_down`` when falling and ``tau_up`` when rising (recovery by 48 h
  postpartum, Maguire & Mody 2008). ``impaired_recovery`` slows ``tau_up`` (Gabrd+/-).
- ``alpha4`` answers *changes* of ALLO, up or down: with ``L = ln(ALLO)`` and a slowly
  adapting ``L_slow`` (``tau_adapt``), ``alpha4_target = 1 + A d^n / (d^n + s50^n)`` with
  ``d = |L - L_slow|`` — a 2-3-fold transient peaking at 2-3 days of progesterone
  exposure and resolved by 5-6 days (Gulinello et al. 2001), and again after abrupt
  withdrawal (Smith et al. 1998).
- ``activity`` rule (closed loop): delta additionally follows the measured rate of each
  population, ``d delta/dt += eta (rate/target - 1)``.

Effects on the network (``apply_expression``): delta and gamma2 scale the configured
expression; alpha4 above 1 lowers the tonic steroid sensitivity (alpha4beta2delta polarity
switch; Shen et al. 2007) and speeds phasic decay (Smith et al. 1998).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import Any

ALLO_FLOOR_NM = 0.01  # keeps ln(ALLO) finite


def _sat(x: float, k: float) -> float:
    return x / (x + k) if x > 0 else 0.0


def delta_target(p: Mapping[str, Any], fold: float) -> float:
    """Steady delta expression for a brain-ALLO fold change over baseline."""
    sign = 1.0 if p["species"] == "mouse" else -1.0
    xn = max(fold, 0.0) ** p["delta_down_hill"]
    down = p["delta_down_max"] * xn / (xn + p["delta_down_x50"] ** p["delta_down_hill"])
    return max(0.0, 1.0 + p["delta_up_max"] * _sat(fold - 1.0, p["delta_up_k"]) - sign * down)


def gamma2_target(p: Mapping[str, Any], fold: float) -> float:
    """Steady gamma2 expression for a brain-ALLO fold change over baseline."""
    return max(0.0, 1.0 - p["gamma2_down_max"] * _sat(fold - 1.0, p["gamma2_k"]))


def alpha4_target(p: Mapping[str, Any], log_allo: float, log_allo_slow: float) -> float:
    """Transient alpha4 rise after a change of brain ALLO in either direction."""
    s = abs(log_allo - log_allo_slow) ** p["alpha4_hill"]
    return 1.0 + p["alpha4_gain"] * s / (s + p["alpha4_s50"] ** p["alpha4_hill"])


def relax(p: Mapping[str, Any], x: float, target: float) -> float:
    """``dx/dt`` (per hour) with the down / up (recovery) time constants."""
    tau = p["tau_down_days"] if target < x else p["tau_up_days"]
    return (target - x) / (tau * 24.0)


def expression_rhs(p: Mapping[str, Any], delta: float, gamma2: float, alpha4: float,
                   allo_brain: float, allo_baseline: float, log_slow: float,
                   rate_error: float) -> tuple[float, float, float]:
    """Derivatives (per hour) of delta, gamma2 and alpha4 of one population."""
    if p["rule"] == "none":
        return 0.0, 0.0, 0.0
    fold = allo_brain / allo_baseline
    log_allo = math.log(max(allo_brain, ALLO_FLOOR_NM))
    d_delta = relax(p, delta, delta_target(p, fold))
    if p["rule"] == "activity":
        d_delta += p["activity_eta_per_day"] / 24.0 * rate_error
    return (d_delta, relax(p, gamma2, gamma2_target(p, fold)),
            (alpha4_target(p, log_allo, log_slow) - alpha4) / (p["tau_alpha4_days"] * 24.0))


def log_slow_rhs(p: Mapping[str, Any], allo_brain: float, log_slow: float) -> float:
    """Derivative (per hour) of the slowly adapting ln(ALLO) reference of alpha4."""
    return (math.log(max(allo_brain, ALLO_FLOOR_NM)) - log_slow) / (p["tau_adapt_days"] * 24.0)


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
        rp["tonic_steroid_sensitivity"] = rp["tonic_steroid_sensitivity"] * max(
            0.0, 1.0 - h["alpha4_tonic_effect"] * a4)
        rp["phasic_decay_scale"] = 1.0 / (1.0 + h["alpha4_decay_effect"] * a4)
    out["receptors"]["gaba_a"]["tau_decay_ms"] = tau0
    return out
