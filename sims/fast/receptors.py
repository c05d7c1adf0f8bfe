"""Synaptic and extrasynaptic receptor equations (AMPA, NMDA, GABA-A phasic and tonic).

Every equation is a Brian2 string with units. Steroid- and expression-dependent values
are *shared variables* of each postsynaptic group (:data:`SHARED_VARIABLES`), so they can
change between runs without recompiling (set as ``group.var = value`` at run time or via
``run_args`` in ``cpp_standalone``). Kinetic constants are namespace constants.

Sources:
- AMPA decay 2 ms, NMDA rise 2 ms / decay 100 ms, E_rev 0 mV: Brunel & Wang 2001
  J Comput Neurosci 11:63 (Table 1).
- NMDA Mg2+ block ``1/(1 + [Mg]/3.57 mM * exp(-0.062 V/mV))``: Jahr & Stevens 1990
  J Neurosci 10:3178.
- GABA-A phasic decay and reversal: see configs/receptors/default.yaml.
- Polarity of the alpha4 share of the tonic current (``g_tonic_eff``): the neurosteroid
  effect on alpha4beta2delta receptors reverses with the direction of the Cl- current --
  THP *decreases* the outward current (Cl- influx, v > E_tonic: the hyperpolarising
  direction of adult neurons) by increasing desensitisation and increases the inward one
  (v < E_tonic) (Shen et al. 2007 Nat Neurosci 10:469, abstract and Fig. 1). The switch is
  evaluated every time step from each cell's own v and E_tonic; the current is continuous
  across it (it vanishes at v = E_tonic). ``g_tonic`` is the conductance in the usual
  (outward) direction, the alpha4 share's steroid effect reduced; ``g_a4_inward`` adds
  back, while the current is inward, the difference between that share potentiated and
  reduced (``sims.fast.pharmacology.population_gaba_state``).
"""

from __future__ import annotations

import math
from typing import Any

import brian2 as b2
import numpy as np

from sims.configuration.schema import ReceptorsConfig
from sims.units import qty

#: Shared (per-population) run-time variables and their Brian2 unit strings.
SHARED_VARIABLES: dict[str, str] = {
    "tau_gaba": "second",  # phasic GABA-A decay (gamma2; steroid-prolonged)
    "gaba_scale": "1",  # phasic GABA-A peak scale (gamma2 expression x steroid effect)
    "g_tonic": "siemens",  # extrasynaptic (alpha4/delta) tonic conductance (outward current)
    "g_a4_inward": "siemens",  # its change while the current is inward (alpha4 polarity)
    "nmda_scale": "1",  # NMDA peak scale (sulfated steroids)
    "E_gaba": "volt",  # Cl- reversal of synaptic GABA-A (the slow chloride state)
    "E_tonic": "volt",  # Cl- reversal of extrasynaptic GABA-A (the slow chloride state)
}


def _mg_block_numpy(v: np.ndarray, mg_ratio: np.ndarray) -> np.ndarray:
    v = np.asarray(v)  # volt, units stripped
    return 1.0 / (1.0 + np.asarray(mg_ratio) * np.exp(-62.0 * v))


#: Jahr & Stevens Mg2+ unblock ``1/(1 + [Mg]/3.57 mM exp(-0.062 v/mV))`` (v in volt).
#: NB: compiled code evaluates exp() inline as 2^k (exponent bits) x a degree-9 polynomial
#: (relative error < 1e-8, tested): libm's exp was 2/3 of the principal cells' state
#: update (profiled on the 4000-neuron network).
MG_BLOCK = b2.Function(_mg_block_numpy, arg_units=[b2.volt, 1], return_unit=1,
                       arg_names=["v", "mg_ratio"], stateless=True)
MG_BLOCK.implementations.add_implementation("cpp", code="""
static inline double mg_block_fast(const double v, const double mg_ratio)
{
    double t = -62.0 * v * 1.4426950408889634;  /* exponent in base 2 */
    t = t < -1000.0 ? -1000.0 : (t > 1000.0 ? 1000.0 : t);
    const double k = floor(t);
    const double y = (t - k) * 0.6931471805599453;  /* in [0, ln 2) */
    const double p = 1.0 + y*(1.0 + y*(1.0/2 + y*(1.0/6 + y*(1.0/24 + y*(1.0/120
                     + y*(1.0/720 + y*(1.0/5040 + y*(1.0/40320 + y*(1.0/362880)))))))));
    union { double d; long long i; } two_k;
    two_k.i = ((long long)k + 1023) << 52;
    return 1.0 / (1.0 + mg_ratio * p * two_k.d);
}
""", name="mg_block_fast")
MG_BLOCK.implementations.add_implementation("cython", code="""
from libc.math cimport exp
cdef double mg_block_exact(double v, double mg_ratio):
    return 1.0 / (1.0 + mg_ratio * exp(-62.0 * v))
""", name="mg_block_exact")


def receptor_equations() -> str:
    """Currents (inward positive) and conductance kinetics of one postsynaptic cell."""
    shared = "\n".join(f"{v} : {u} (shared, constant)" for v, u in SHARED_VARIABLES.items())
    return f"""
I_ampa = g_ampa*(E_ampa - v) : amp
I_nmda = g_nmda*mg_block*(E_nmda - v) : amp
mg_block = mg_block_fn(v, mg/(3.57*mmolar)) : 1
I_gaba = g_gaba*(E_gaba - v) : amp
I_tonic = g_tonic_eff*(E_tonic - v) : amp
g_tonic_eff = g_tonic + g_a4_inward*int(v < E_tonic) : siemens
g_exc = g_ampa + g_nmda*mg_block : siemens
g_inh = g_gaba + g_tonic_eff : siemens
dg_ampa/dt = -g_ampa/tau_ampa : siemens
dg_nmda/dt = (x_nmda - g_nmda)/tau_nmda_decay : siemens
dx_nmda/dt = -x_nmda/tau_nmda_rise : siemens
dg_gaba/dt = -g_gaba/tau_gaba : siemens
{shared}
"""


def nmda_peak_normalisation(tau_rise: b2.Quantity, tau_decay: b2.Quantity) -> float:
    """Factor so that a unit jump of ``x_nmda`` gives a peak ``g_nmda`` of exactly 1.

    For ``x(0)=1``: ``g(t) = A (exp(-t/tr) - exp(-t/td))`` with ``A = tr/(tr - td)``,
    peaking at ``t* = tr td ln(td/tr)/(td - tr)``.
    """
    tr, td = float(tau_rise), float(tau_decay)
    if math.isclose(tr, td):
        raise ValueError("NMDA rise and decay time constants must differ")
    t_peak = tr * td * math.log(td / tr) / (td - tr)
    peak = tr / (tr - td) * (math.exp(-t_peak / tr) - math.exp(-t_peak / td))
    return 1.0 / peak


def receptor_namespace(r: ReceptorsConfig) -> dict[str, Any]:
    """Namespace constants for :func:`receptor_equations` (the same in every population)."""
    return {
        "E_ampa": qty(r.ampa, "E_rev_mV"),
        "tau_ampa": qty(r.ampa, "tau_decay_ms"),
        "E_nmda": qty(r.nmda, "E_rev_mV"),
        "tau_nmda_rise": qty(r.nmda, "tau_rise_ms"),
        "tau_nmda_decay": qty(r.nmda, "tau_decay_ms"),
        "mg": qty(r.nmda, "mg_mM"),
        "mg_block_fn": MG_BLOCK,
    }


def on_pre_excitatory() -> str:
    """Spike of an excitatory cell: AMPA jump and NMDA (dual-exponential) drive."""
    return ("g_ampa_post += w_ampa*recurrent_scale_post\n"
            "x_nmda_post += w_nmda*nmda_norm*nmda_scale_post*recurrent_scale_post")


def on_pre_inhibitory() -> str:
    """Spike of an inhibitory cell: phasic GABA-A jump scaled by gamma2 and steroids."""
    return "g_gaba_post += w_gaba*gaba_scale_post"
