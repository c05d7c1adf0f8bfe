"""Builds the Brian2 E/I network (groups, synapses, Poisson drive, monitors).

Structure only: sizes, equations, connectivity, delays and weights are fixed when the
network is built (in ``cpp_standalone`` they are compiled in). Everything that depends on
steroid levels or subunit expression lives in the shared variables listed in
``sims.fast.receptors.SHARED_VARIABLES`` and is set per run by ``sims.fast.backend``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import brian2 as b2
import numpy as np
from brian2.core.functions import DEFAULT_FUNCTIONS

from sims.config import Config, as_config, connection_ends
from sims.configuration.schema import PopulationConfig
from sims.fast import neurons, receptors
from sims.units import qty

#: Variables recorded from ``n_record`` cells of the LFP population.
RECORDED = ("I_ampa", "I_nmda", "I_gaba", "I_tonic", "g_exc", "g_inh")


@dataclass
class FastNetwork:
    """The Brian2 objects of one network, addressable by population name."""

    net: b2.Network
    groups: dict[str, b2.NeuronGroup]
    synapses: dict[str, b2.Synapses] = field(default_factory=dict)
    spikes: dict[str, b2.SpikeMonitor] = field(default_factory=dict)
    state: b2.StateMonitor | None = None
    duration: b2.Quantity = field(default_factory=lambda: 0 * b2.second)


def binomial_cdf(n: int, p: float, tail: float = 1e-17) -> tuple[int, np.ndarray]:
    """CDF of Binomial(n, p) over the counts that carry all but ``tail`` of the mass.

    Returns ``(k0, cdf)`` with ``cdf[j] = P(K <= k0 + j)``; counts below ``k0`` have total
    probability < ``tail`` and the last entry is set to exactly 1 (a sentinel, so a search
    always ends). The pmf is evaluated in log space (``lgamma``), so large ``n p`` does not
    underflow ``(1 - p)^n``.
    """
    if not 0.0 < p < 1.0:
        raise ValueError(f"binomial probability must be in (0, 1), got {p}")
    mu, sd = n * p, math.sqrt(n * p * (1.0 - p))
    lo, hi = max(0, math.floor(mu - 40 * sd - 10)), min(n, math.ceil(mu + 40 * sd + 10))
    k = np.arange(lo, hi + 1)
    log_pmf = (math.lgamma(n + 1) - np.array([math.lgamma(j + 1) + math.lgamma(n - j + 1)
                                              for j in k])
               + k * math.log(p) + (n - k) * math.log1p(-p))
    cdf = np.cumsum(np.exp(log_pmf))
    cdf /= cdf[-1]
    first = int(np.searchsorted(cdf, tail))  # counts before it carry < tail
    last = int(np.searchsorted(cdf, 1.0 - tail))  # the rest carries < tail (or rounds to 1)
    cdf = cdf[first:last + 1].copy()
    cdf[-1] = 1.0
    return int(k[first]), cdf


#: Tables up to this length are searched by counting (vectorised, no branches); longer ones
#: by a branch-free binary search.
LINEAR_SEARCH_MAX = 64


def binomial_counts(n: int, p: float, name: str) -> b2.BinomialFunction:
    """Exact Binomial(n, p) samples (never the normal approximation).

    The compiled (C++) version inverts one uniform number ``U`` against a precomputed CDF
    table (tail < 1e-17): the count is the first ``k`` with ``U <= cdf[k]``, found without
    data-dependent branches. As the table is non-decreasing, that ``k`` equals the number of
    entries below ``U``, which short tables sum in one vectorised pass; long tables use a
    fixed-length binary search. A ``while (U > cdf[k]) k++`` scan gives the same numbers but
    mispredicts a branch on every draw: the branch-free forms made the 4000-neuron
    network's external drive ~4x cheaper (measured in ``bench/``). numpy and Cython keep
    Brian2's implementations.
    """
    f = b2.BinomialFunction(n, p, approximate=False, name=name)
    k0, cdf = binomial_cdf(n, p)
    table = ", ".join(repr(float(x)) for x in cdf)
    if len(cdf) <= LINEAR_SEARCH_MAX:
        search = f"""    long k = {k0};
    for (int j = 0; j < {len(cdf) - 1}; j++)
        k += (U > {f.name}_cdf[j]);
    return k;"""
    else:
        search = f"""    long lo = 0, n = {len(cdf)};
    while (n > 1) {{
        const long half = n / 2;
        lo = ({f.name}_cdf[lo + half - 1] < U) ? lo + half : lo;
        n -= half;
    }}
    return {k0} + lo;"""
    code = f"""
static const double {f.name}_cdf[{len(cdf)}] = {{{table}}};
static inline long {f.name}(const int _vectorisation_idx)
{{
    const double U = _rand(_vectorisation_idx);
{search}
}}
"""
    f.implementations.add_implementation("cpp", {"support_code": code}, name=f.name,
                                         dependencies={"_rand": DEFAULT_FUNCTIONS["rand"]})
    return f


def external_drive(group: b2.NeuronGroup, pop: PopulationConfig,
                   bin_width: b2.Quantity) -> b2.BrianObject:
    """Independent Poisson afferents onto AMPA, summed per neuron.

    ``ext_n`` afferents at ``ext_rate_Hz`` each give a binomial count per time bin; the
    count times ``ext_g_nS`` is added to ``g_ampa``. With ``bin_width == dt`` this is
    Brian2's ``PoissonInput``. Wider bins (default 0.5 ms) draw one count per neuron per
    bin instead of per step, ~4x cheaper: the external spikes' timing is quantised to the
    bin, which is short against the 2 ms AMPA and 10-20 ms membrane time constants.
    """
    group.namespace["w_ext"] = qty(pop, "ext_g_nS")
    if abs(float(bin_width - b2.defaultclock.dt)) < 1e-12:
        return b2.PoissonInput(group, "g_ampa", N=pop.ext_n, rate=qty(pop, "ext_rate_Hz"),
                               weight="w_ext*drive_scale")
    p = float(qty(pop, "ext_rate_Hz") * bin_width)
    group.namespace["ext_count"] = binomial_counts(pop.ext_n, p, f"ext_count_{group.name}")
    # drive_scale: the brain state's scale of the drive (sims.fast.states; wake 1)
    return group.run_regularly("g_ampa += w_ext*drive_scale*ext_count()", dt=bin_width,
                               when="synapses", name=f"{group.name}_external")


def build_network(c: Config | Mapping[str, Any], monitors: bool = True) -> FastNetwork:
    """Create every Brian2 object of the network described by a validated config.

    Args:
        c: the typed config (:func:`sims.config.as_config`) or the validated plain one.
        monitors: add spike monitors and the state monitor of the LFP population.
    """
    cfg = as_config(c)
    net_cfg = cfg.network
    eqs = neurons.membrane_equations()
    groups: dict[str, b2.NeuronGroup] = {}
    objects: list[Any] = []
    for name, pop in net_cfg.populations.items():
        ns = neurons.neuron_namespace(pop) | receptors.receptor_namespace(cfg.receptors)
        g = b2.NeuronGroup(pop.n, eqs, threshold=neurons.THRESHOLD, reset=neurons.RESET,
                           refractory=qty(pop, "tref_ms"), method=net_cfg.method, namespace=ns,
                           name=f"pop_{name}")
        g.v = neurons.INITIAL_V
        g.b_adapt = qty(pop, "b_pA")  # the wake state; a probe sets its state's values
        g.tau_adapt = qty(pop, "tau_w_ms")
        g.drive_scale = 1.0
        g.recurrent_scale = 1.0
        groups[name] = g
        objects.append(g)
        if pop.ext_n > 0 and pop.ext_rate_Hz > 0 and pop.ext_g_nS > 0:
            objects.append(external_drive(g, pop, qty(net_cfg, "ext_dt_ms")))
    nmda = cfg.receptors.nmda
    nmda_norm = receptors.nmda_peak_normalisation(qty(nmda, "tau_rise_ms"),
                                                  qty(nmda, "tau_decay_ms"))
    synapses: dict[str, b2.Synapses] = {}
    for cname, conn in net_cfg.connections.items():
        pre, post = connection_ends(cname, conn)
        if conn.p <= 0 or conn.g_nS + conn.g_nmda_nS <= 0:
            continue
        if net_cfg.populations[pre].kind == "exc":
            on_pre = receptors.on_pre_excitatory()
            ns = {"w_ampa": qty(conn, "g_nS"), "w_nmda": qty(conn, "g_nmda_nS"),
                  "nmda_norm": nmda_norm}
        else:
            on_pre = receptors.on_pre_inhibitory()
            ns = {"w_gaba": qty(conn, "g_nS")}
        s = b2.Synapses(groups[pre], groups[post], on_pre=on_pre, namespace=ns,
                        delay=qty(conn, "delay_ms"), name=f"syn_{cname}")
        s.connect(condition="i != j" if pre == post else None, p=conn.p)
        synapses[cname] = s
        objects.append(s)
    fn = FastNetwork(net=b2.Network(), groups=groups, synapses=synapses)
    if monitors:
        for name, g in groups.items():
            fn.spikes[name] = b2.SpikeMonitor(g, name=f"spikes_{name}")
            objects.append(fn.spikes[name])
        lfp = groups[net_cfg.lfp_population]
        n_rec = cfg.probe.n_record  # validated: 1 <= n_record <= len(lfp)
        fn.state = b2.StateMonitor(lfp, list(RECORDED), record=range(n_rec),
                                   dt=qty(cfg.probe, "record_dt_ms"), name="state_lfp")
        objects.append(fn.state)
    fn.net.add(*objects)
    fn.duration = qty(cfg.probe, "warmup_ms") + qty(cfg.probe, "window_ms")
    return fn
