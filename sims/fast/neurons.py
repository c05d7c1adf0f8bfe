"""Membrane equation: adaptive conductance-based leaky integrate-and-fire neuron.

``C dv/dt = gL (EL - v) + I_ampa + I_nmda + I_gaba + I_tonic - w``, with an adaptation
current ``w`` (``tau_w dw/dt = a (v - EL) - w``, ``w += b`` at a spike; Brette & Gerstner
2005 J Neurophysiol 94:3637 without the exponential term). ``a = b = 0`` gives a plain
LIF cell (fast-spiking PV); ``b > 0`` an adapting cell (principal cells, SST).
"""

from __future__ import annotations

from typing import Any

from sims.configuration.schema import PopulationConfig
from sims.fast.receptors import receptor_equations
from sims.fast.states import STATE_VARIABLES
from sims.units import qty


def membrane_equations() -> str:
    """Full model equations of one population (membrane + receptors + the brain state's
    run-time variables, ``sims.fast.states``)."""
    state = "\n".join(f"{v} : {u} (shared, constant)" for v, u in STATE_VARIABLES.items())
    return """
dv/dt = (gL*(EL - v) + I_ampa + I_nmda + I_gaba + I_tonic - w)/C : volt (unless refractory)
dw/dt = (a*(v - EL) - w)/tau_adapt : amp
""" + state + "\n" + receptor_equations()


def neuron_namespace(pop: PopulationConfig) -> dict[str, Any]:
    """Namespace constants of one population's membrane equation."""
    return {
        "C": qty(pop, "C_pF"),
        "gL": qty(pop, "gL_nS"),
        "EL": qty(pop, "EL_mV"),
        "Vt": qty(pop, "Vt_mV"),
        "Vr": qty(pop, "Vr_mV"),
        "a": qty(pop, "a_nS"),
    }


THRESHOLD = "v > Vt"
RESET = "v = Vr\nw += b_adapt"  # b_adapt: the state's increment (wake: b_pA)
INITIAL_V = "EL + rand()*(Vt - EL)"  # uniform in [EL, Vt], as in Brette et al. 2007 COBA
