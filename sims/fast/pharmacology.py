"""How neurosteroids scale GABA-A (and NMDA) receptors: the Hill table and its rules.

Each species in ``pharmacology.species`` has, per receptor class, a Hill term
``(ec50_nM, hill, emax)``: ``emax`` is the relative change at saturation (``+2.5`` is a
3.5-fold decay; ``-1`` is a full block). Receptor classes:

- ``gamma2_decay``: synaptic (gamma2-containing) IPSC decay time constant,
- ``gamma2_peak``: synaptic IPSC peak conductance,
- ``delta_tonic``: extrasynaptic (alpha4/delta) tonic conductance,
- ``nmda``: NMDA peak conductance (pregnenolone sulfate, DHEA-S).

**Combining species.** Species that bind the same *site* compete for it (Gaddum's
competitive occupancy): with ``x_i = (C_i/EC50_i)^n_i`` the site's effect is
``sum_i emax_i x_i / (1 + sum_i x_i)``. This reduces to the single-species Hill function
``emax C^n/(C^n + EC50^n)``, is additive at low concentrations and cannot exceed the
largest ``emax``. Different sites act independently and multiply:
``factor = prod_sites (1 + effect_site)``. The potentiating steroids (ALLO, THDOC,
3alpha-androstanediol, zuranolone) share the transmembrane neurosteroid site (Hosie et
al. 2006 Nature 444:486); the sulfated steroids (PS, DHEA-S) inhibit through a distinct
site (Park-Chung et al. 1999 Mol Pharmacol 56:1105). With no species present every
factor is exactly 1, so the network is the unmodulated one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import brian2 as b2

from sims.config import Config, as_config
from sims.configuration.schema import (
    HillConfig,
    PopulationReceptorConfig,
    ReceptorsConfig,
    SpeciesConfig,
)
from sims.units import qty

RECEPTOR_CLASSES = ("gamma2_decay", "gamma2_peak", "delta_tonic", "nmda")


def hill_occupancy(conc_nM: float, ec50_nM: float, hill: float) -> float:
    """Fractional occupancy ``C^n / (C^n + EC50^n)`` of a single species (0 for C = 0)."""
    if conc_nM <= 0:
        return 0.0
    x = (conc_nM / ec50_nM) ** hill
    return x / (1.0 + x)


def modulation_factor(conc_nM: Mapping[str, float], species: Mapping[str, SpeciesConfig],
                      receptor_class: str) -> float:
    """Multiplicative factor on one receptor class from all species present.

    Args:
        conc_nM: species key -> concentration in nmol/L (missing species count as 0).
        species: the ``pharmacology.species`` table of the typed config.
        receptor_class: one of :data:`RECEPTOR_CLASSES`.

    Returns:
        ``prod_sites (1 + sum_i emax_i x_i / (1 + sum_i x_i))``; exactly 1 with no species.
    """
    if receptor_class not in RECEPTOR_CLASSES:
        raise KeyError(f"receptor class {receptor_class!r} not in {RECEPTOR_CLASSES}")
    by_site: dict[str, list[tuple[float, float]]] = {}
    for key, conc in conc_nM.items():
        if conc <= 0:
            continue
        s = species[key]
        term: HillConfig = getattr(s, receptor_class)
        x = (conc / term.ec50_nM) ** term.hill
        by_site.setdefault(s.site, []).append((term.emax, x))
    factor = 1.0
    for terms in by_site.values():
        num = sum(e * x for e, x in terms)
        den = 1.0 + sum(x for _, x in terms)
        factor *= 1.0 + num / den
    return factor


def site_occupancy(conc_nM: Mapping[str, float], species: Mapping[str, SpeciesConfig],
                   receptor_class: str, site: str, potency: float = 1.0) -> float:
    """Gaddum occupancy ``sum x_i / (1 + sum x_i)`` of ``site`` by its potentiating species
    (``emax > 0`` for ``receptor_class``), ``x_i = (potency C_i / EC50_i)^n_i``."""
    xs = 0.0
    for key, conc in conc_nM.items():
        s = species[key]
        term: HillConfig = getattr(s, receptor_class)
        if conc > 0 and s.site == site and term.emax > 0:
            xs += (potency * conc / term.ec50_nM) ** term.hill
    return xs / (1.0 + xs)


def ambient_gaba_activation(ambient_uM: float, ec50_uM: float, hill: float) -> float:
    """f(ambient GABA): fraction of extrasynaptic receptors activated by ambient GABA."""
    return hill_occupancy(ambient_uM, ec50_uM, hill)


def _scaled(factor: float, sensitivity: float) -> float:
    """``1 + sensitivity * (factor - 1)``, floored at 0 (a block cannot go negative)."""
    return max(0.0, 1.0 + sensitivity * (factor - 1.0))


def tonic_conductance(g_tonic_max: b2.Quantity, delta_expression: float, gaba_activation: float,
                      delta_factor: float, sensitivity: float = 1.0) -> b2.Quantity:
    """``g_tonic = g_tonic_max * delta_expression * f(GABA) * (1 + steroid potentiation)``."""
    return g_tonic_max * delta_expression * gaba_activation * _scaled(delta_factor, sensitivity)


def population_gaba_state(c: Config | Mapping[str, Any], conc_nM: Mapping[str, float],
                          population: str) -> dict[str, b2.Quantity | float]:
    """Run-time receptor values of one population for given *receptor* (unbound, aqueous)
    steroid concentrations -- in-vitro bath levels, or brain levels through
    :func:`receptor_concentrations` (:func:`network_gaba_state` does that).

    Returns the values of the population's shared Brian2 variables (names as in
    ``sims.fast.receptors.SHARED_VARIABLES``): ``tau_gaba`` (phasic decay),
    ``gaba_scale`` (phasic peak, x gamma2 expression), ``g_tonic`` (the tonic conductance
    while its current is outward, v > E_tonic: the non-alpha4 share steroid-potentiated, the
    alpha4beta2delta share reduced by ``receptors.alpha4_polarity``; Shen et al. 2007) and
    ``g_a4_inward`` (its change while the current is inward: the alpha4 share potentiated
    as the rest, minus its outward value), ``nmda_scale``, and the Cl- reversals ``E_gaba``
    and ``E_tonic`` (configured + the population's ``chloride_shift_mV``).

    ``c``: the typed config (:func:`sims.config.as_config`) or the validated plain one.
    """
    cfg = as_config(c)
    return receptor_state(cfg.receptors, cfg.pharmacology.species, conc_nM, population)


def receptor_state(rec: ReceptorsConfig, species: Mapping[str, SpeciesConfig],
                   conc_nM: Mapping[str, float], population: str
                   ) -> dict[str, b2.Quantity | float]:
    """:func:`population_gaba_state` from the two sections it reads (typed): the receptors
    and the species table."""
    rp = rec.populations[population]
    f = {cls: modulation_factor(conc_nM, species, cls) for cls in RECEPTOR_CLASSES}
    s_ph = rp.phasic_steroid_sensitivity
    tonic = rec.tonic
    act = ambient_gaba_activation(tonic.ambient_gaba_uM, tonic.gaba_ec50_uM, tonic.gaba_hill)
    g_pot = tonic_conductance(qty(rp, "g_tonic_max_nS"), rp.delta_expression, act,
                              f["delta_tonic"], rp.tonic_steroid_sensitivity)
    share = alpha4_share(rp)
    pol = rec.alpha4_polarity
    occ = site_occupancy(conc_nM, species, "delta_tonic", "neurosteroid", pol.outward_potency)
    outward = _scaled(1.0 + pol.outward_emax * occ, rp.tonic_steroid_sensitivity)
    g_out = tonic_conductance(qty(rp, "g_tonic_max_nS"), rp.delta_expression, act, 1.0) \
        * outward
    shift = rp.chloride_shift_mV * b2.mV
    return {
        "tau_gaba": qty(rec.gaba_a, "tau_decay_ms") * _scaled(f["gamma2_decay"], s_ph)
        * rp.phasic_decay_scale,
        "gaba_scale": rp.gamma2_expression * _scaled(f["gamma2_peak"], s_ph),
        "g_tonic": g_pot + (g_out - g_pot) * share,
        "g_a4_inward": (g_pot - g_out) * share,
        "nmda_scale": f["nmda"],
        "E_gaba": qty(rec.gaba_a, "E_rev_mV") + shift,
        "E_tonic": qty(rp, "E_tonic_mV") + shift,
    }


def alpha4_share(rp: PopulationReceptorConfig) -> float:
    """Share of a population's tonic conductance carried by alpha4beta2delta receptors (the
    ones whose steroid effect follows the Cl- current): its adult share times the
    homeostatic alpha4 expression, at most 1 (Shen et al. 2007: very low in adults, up at
    puberty and after steroid withdrawal)."""
    return min(1.0, rp.alpha4_share * rp.alpha4_expression)


def receptor_concentrations(species: Mapping[str, SpeciesConfig], brain_nM: Mapping[str, float]
                            ) -> dict[str, float]:
    """Unbound (aqueous) concentrations at the receptor from total brain-tissue levels:
    ``C_free = free_fraction_brain x C_brain`` per species.

    The Hill table's EC50s are aqueous concentrations of in-vitro experiments, while brain
    levels (ng/g of tissue; allonet's ``allo_brain`` etc.) are totals, mostly bound to or
    dissolved in membranes: neurosteroids reach their transmembrane site through the lipid
    and their inherent affinity is low (Akk et al. 2005 J Neurosci 25:11605; Akk et al. 2009
    Psychoneuroendocrinology 34S:S59). Comparing totals with aqueous EC50s made the network
    an anaesthetic at luteal and pregnancy levels (before the model-validity review).
    """
    return {k: float(species[k].free_fraction_brain) * v for k, v in brain_nM.items()}


def network_gaba_state(c: Config | Mapping[str, Any], brain_nM: Mapping[str, float]
                       ) -> dict[str, dict[str, b2.Quantity | float]]:
    """:func:`population_gaba_state` for every population of the network, for total brain
    levels ``brain_nM`` (their unbound part acts: :func:`receptor_concentrations`).
    ``c``: the typed config or the validated plain one."""
    cfg = as_config(c)
    free = receptor_concentrations(cfg.pharmacology.species, brain_nM)
    return {p: population_gaba_state(cfg, free, p) for p in cfg.network.populations}
