"""The network's sections: populations and connections (names, ends, ranges), the memory
the built network will take (checked against this machine before anything is built), and
the per-population sections that apply to the populations that exist."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from sims import machine
from sims.configuration.rules import CONNECTION_NAME, KINDS, METHODS, POPULATION_NAME, _check
from sims.constants import CONFIG_DIR
from sims.errors import ConfigError
from sims.machine import gib


def connection_ends(cname: str, conn: Any) -> tuple[str, str]:
    """The (pre, post) populations of connection ``cname`` (a mapping or a typed
    :class:`~sims.configuration.schema.ConnectionConfig`): its ``pre``/``post`` fields, or
    the two halves of a ``PRE_to_POST`` key ("" where neither tells)."""
    head, sep, tail = cname.partition("_to_")
    ends = conn if isinstance(conn, Mapping) else vars(conn)
    pre = ends.get("pre") or (head if sep else "")
    post = ends.get("post") or (tail if sep else "")
    return pre, post


def _check_network(c: dict) -> None:
    net = c["network"]
    pops = net["populations"]
    _check(len(pops) > 0, "network.populations", pops, "at least one population")
    for name, p in pops.items():
        k = f"network.populations.{name}"
        _check(bool(POPULATION_NAME.match(name)), k, name,
               "a name of letters and digits starting with a letter (it names Brian2 "
               "objects and PRE_to_POST connections)")
        _check(p["kind"] in KINDS, f"{k}.kind", p["kind"], f"one of {KINDS}")
        _check(p["Vr_mV"] < p["Vt_mV"], f"{k}.Vr_mV", p["Vr_mV"],
               f"a reset below the threshold Vt_mV={p['Vt_mV']}")
        if p["ext_n"] > 0 and p["ext_rate_Hz"] > 0 and p["ext_g_nS"] > 0:
            bin_ms = net["ext_dt_ms"]
            _check(p["ext_rate_Hz"] * bin_ms * 1e-3 < 1, f"{k}.ext_rate_Hz", p["ext_rate_Hz"],
                   f"a rate below {1e3 / bin_ms:g} Hz (at most one spike per afferent per "
                   f"network.ext_dt_ms={bin_ms:g} bin)")
    for cname, conn in net["connections"].items():
        k = f"network.connections.{cname}"
        _check(bool(CONNECTION_NAME.match(cname)), k, cname,
               "a name of letters, digits and underscores starting with a letter (it names "
               "a Brian2 object)")
        pre, post = connection_ends(cname, conn)
        for end, name in (("pre", pre), ("post", post)):
            if conn.get(end):
                _check(name in pops, f"{k}.{end}", name,
                       f"one of the populations {sorted(pops)}")
        _check(pre in pops and post in pops, k, cname,
               f"a key PRE_to_POST with PRE and POST among populations {sorted(pops)}, or "
               "its populations given as pre and post")
        head, sep, tail = cname.partition("_to_")
        if sep and head in pops and tail in pops:
            _check((head, tail) == (pre, post), f"{k}.pre", conn.get("pre"),
                   f"the populations its key names ({head} to {tail}), or another key")
        parts = (pre, post)
        if pops[parts[0]]["kind"] == "inh":
            _check(conn["g_nmda_nS"] == 0, f"{k}.g_nmda_nS", conn["g_nmda_nS"],
                   "0 for an inhibitory (GABA-A) presynaptic population")
    _check(net["method"] in METHODS, "network.method", net["method"], f"one of {METHODS}")
    _check_network_memory(net)
    _check(net["lfp_population"] in pops, "network.lfp_population", net["lfp_population"],
           f"one of the populations {sorted(pops)}")


#: Memory of one neuron in the compiled network: ~20 float64 state variables, their
#: integration temporaries and its share of monitors [assumption: counted from the
#: equations of sims.fast.neurons, rounded up].
NEURON_BYTES = 400
#: Memory of one synapse: pre and post indices (int32), a float64 weight or delay, the
#: spike queue's entry, x2 for the growth of the vectors while connecting [assumption].
SYNAPSE_BYTES = 48
#: Share of this machine's physical memory a network may take [assumption: the rest for
#: the interpreter, the compiler and the OS].
NETWORK_MEMORY_SHARE = 0.5


def network_memory_bytes(net: dict) -> tuple[float, dict[str, float]]:
    """Estimated bytes of the built network, and each population's part: its neurons and
    half of the expected synapses (p x N_pre x N_post) of each connection it is in."""
    pops = net["populations"]
    parts = {k: float(p["n"]) * NEURON_BYTES for k, p in pops.items()}
    for cname, conn in net["connections"].items():
        pre, post = connection_ends(cname, conn)
        if pre in pops and post in pops:
            b = float(conn["p"]) * pops[pre]["n"] * pops[post]["n"] * SYNAPSE_BYTES
            parts[pre] += b / 2
            parts[post] += b / 2
    return sum(parts.values()), parts


def _check_network_memory(net: dict) -> None:
    """Refuse a network that cannot fit this machine before Brian2 builds it, naming the
    population that takes most of it."""

    need, parts = network_memory_bytes(net)
    have = NETWORK_MEMORY_SHARE * machine.total_memory()
    if need > have:
        name = max(parts, key=parts.get)
        raise ConfigError(f"network.populations.{name}.n", net["populations"][name]["n"],
                          f"a network that fits this machine: ~{gib(need)} estimated "
                          f"(this population {gib(parts[name])}), {gib(have)} allowed "
                          f"({NETWORK_MEMORY_SHARE:.0%} of its {gib(machine.total_memory())})")


#: Sections with one entry per population. They ship entries for the shipped network's
#: populations; in a network without one of those, its entry does not apply.
POPULATION_SECTIONS = ("sleep.nrem", "chloride.populations", "homeostasis.populations")


@functools.cache
def shipped_population_names() -> frozenset[str]:
    """Population names of the shipped networks (configs/network/*.yaml)."""
    import yaml

    names: set[str] = set()
    for f in sorted((CONFIG_DIR / "network").glob("*.yaml")):
        names |= set((yaml.safe_load(f.read_text()) or {}).get("populations") or {})
    return frozenset(names)


def _apply_to_existing_populations(c: dict) -> None:
    """Per-population sections apply to the populations that exist, and say so.

    An entry for a shipped population (E, PV, SST, PVN) that this network does not have is
    dropped, with a log line; any other name stays and is refused by its section's check (an
    explicit reference to a missing population). A population that
    ``homeostasis.populations`` does not list keeps its expression fixed (scale 0), logged.
    """
    import logging

    log = logging.getLogger(__name__)
    pops = set(c["network"]["populations"])
    shipped = shipped_population_names()
    for path in POPULATION_SECTIONS:
        section, _, key = path.partition(".")
        entries = c[section][key]
        gone = sorted(n for n in entries if n not in pops and n in shipped)
        for n in gone:
            del entries[n]
        if gone:
            log.info("%s: no population %s in this network; those entries do not apply",
                     path, ", ".join(gone))
    h = c["homeostasis"]["populations"]
    fixed = sorted(p for p in pops if p not in h)
    for p in fixed:
        h[p] = {"delta": 0.0, "gamma2": 0.0, "alpha4": 0.0,
                "source": "not listed: fixed expression"}
    if fixed and c["homeostasis"]["rule"] != "none":
        log.info("homeostasis.populations: %s not listed; their subunit expression stays "
                 "fixed", ", ".join(fixed))
