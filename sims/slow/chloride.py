"""Chloride homeostasis as a slow, per-population state: the depolarising shift of the
GABA-A reversal potential (synaptic and tonic) when KCC2 is lost.

Acute stress dephosphorylates and down-regulates the K+-Cl- cotransporter KCC2 in PVN CRH
neurons within the time of a stressor; intracellular Cl- rises and E_GABA shifts by
~+15-20 mV, so GABA-A currents no longer inhibit these cells (Hewitt et al. 2009 Nat
Neurosci 12:438; Sarkar et al. 2011 J Neurosci 31:18198, where THDOC then *excites* CRH
neurons). Per population ``p``:

``d shift_p/dt = (target_p - shift_p) / tau``, ``target_p = shift_max_p * min(S, 1)``,

with ``S`` the stress level (acute + chronic, the scenario's drivers) and ``tau`` =
``tau_down_h`` while the shift grows and ``tau_recovery_h`` while it recovers. The network
sees ``E_GABA = receptors.gaba_a.E_rev_mV + shift`` and ``E_tonic = E_tonic_mV + shift`` at
each probe (run-time values, ``sims.fast.pharmacology``); whether ALLO then inhibits or
excites a population follows from its E_GABA and membrane potential in the network.
Values and sources: ``configs/chloride/default.yaml``; populations without a source keep
``shift_max_mV`` 0.
"""

from __future__ import annotations

from typing import Any

from sims.slow.numerics import FLOAT
from sims.slow.schemas import ChlorideConfig


def target(p: ChlorideConfig, shift_max: Any, stress: Any, xp: Any = FLOAT) -> Any:
    """Steady shift (mV) at stress level ``stress`` (acute + chronic, capped at 1)."""
    return shift_max * xp.minimum(xp.maximum(stress, 0.0), 1.0)


def shift_rhs(p: ChlorideConfig, shift: Any, goal: Any, xp: Any = FLOAT) -> Any:
    """``d shift/dt`` (mV/h): towards ``goal`` with ``tau_down_h`` (depolarising) or
    ``tau_recovery_h`` (back)."""
    tau = xp.where(goal > shift, p.tau_down_h, p.tau_recovery_h)
    return (goal - shift) / tau


def physiological(e_mV: float, lo: float, hi: float) -> bool:
    """Whether a reversal potential lies in the physiological range ``[lo, hi]`` mV."""
    return lo <= e_mV <= hi


def gabaa_polarity(shift_mV: Any, e_gaba0_mV: float, v_operating_mV: float) -> Any:
    """GABA-A driving force at a cell's operating potential, relative to the unshifted one:
    ``(V_op - E_GABA) / (V_op - E_GABA0)`` with ``E_GABA = E_GABA0 + shift``. 1 without a
    shift, 0 when E_GABA reaches V_op, negative (depolarising: steroid potentiation then
    *excites*, Sarkar et al. 2011) beyond it."""
    return (v_operating_mV - (e_gaba0_mV + shift_mV)) / (v_operating_mV - e_gaba0_mV)
