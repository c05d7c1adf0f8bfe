"""Brain states of the network: ``wake`` (the network as configured) and ``nrem``.

NREM sleep is a state of low cholinergic and aminergic tone. In cortical network models
the slow oscillation of NREM sleep -- UP states of sustained firing alternating with
silent DOWN states at ~0.5-2 Hz -- emerges when spike-frequency adaptation of pyramidal
cells is strong (acetylcholine blocks the K+ currents behind it) and drive is lower:
adaptive integrate-and-fire networks switch from asynchronous irregular firing to
UP/DOWN alternation as the adaptation increment of excitatory cells rises to tens of pA
(Destexhe 2009; di Volo et al. 2019; Nghiem et al. 2020, who model the cholinergic switch
this way). ``nrem`` sets, per population, the adaptation increment ``b`` and a scale of
the external (afferent) drive; nothing else changes, so UP/DOWN states, delta power and
their dependence on ALLO emerge from the network. Values and sources:
``configs/sleep/default.yaml``.

Both are run-time (shared) variables of each population (:data:`STATE_VARIABLES`): one
compiled network runs either state, so a probe's state can follow the slow layer's clock
(``probe.state=auto``: probes at night are ``nrem``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import brian2 as b2

from sims.config import (  # noqa: F401 - PROBE_STATES, STATES: the states a probe runs in
    PROBE_STATES,
    STATES,
    Config,
    as_config,
)
from sims.configuration.schema import SleepPopulationConfig

#: Run-time (shared) neuron variables that set the brain state, with their units.
STATE_VARIABLES: dict[str, str] = {
    "b_adapt": "amp",  # spike-triggered adaptation increment (the population's b)
    "tau_adapt": "second",  # adaptation time constant (the population's tau_w)
    "drive_scale": "1",  # scale of the external Poisson drive's weight
    "recurrent_scale": "1",  # scale of recurrent (intracortical) excitatory synapses onto it
}


def in_night(clock_h: float, start_h: float, end_h: float) -> bool:
    """Whether the hour of day ``clock_h`` lies in ``[start_h, end_h)`` (across midnight
    when ``start_h > end_h``)."""
    h = clock_h % 24.0
    if start_h <= end_h:
        return start_h <= h < end_h
    return h >= start_h or h < end_h


def state_at(c: Config | Mapping[str, Any], t_h: float | None) -> str:
    """The state of a probe at run time ``t_h`` (h; t = 0 is midnight): ``probe.state``,
    or for ``auto`` ``nrem`` between ``sleep.night_start_clock_h`` and
    ``sleep.night_end_clock_h`` and ``wake`` otherwise (``wake`` without a time).
    ``c``: the typed config or the validated plain one."""
    cfg = as_config(c)
    state = cfg.probe.state
    if state != "auto":
        return state
    if t_h is None:
        return "wake"
    sl = cfg.sleep
    return "nrem" if in_night(t_h, sl.night_start_clock_h, sl.night_end_clock_h) else "wake"


def state_values(c: Config | Mapping[str, Any], state: str) -> dict[str, dict[str, Any]]:
    """Population -> {``b_adapt``, ``drive_scale``} of ``state`` (``wake``: the network's
    own ``b_pA`` and drive 1; ``nrem``: ``sleep.nrem.<population>``, whose unset entries
    keep the wake values). ``c``: the typed config or the validated plain one."""
    cfg = as_config(c)
    out = {}
    nrem = cfg.sleep.nrem if state == "nrem" else {}
    for name, pop in cfg.network.populations.items():
        own = nrem.get(name) or SleepPopulationConfig()
        b, tau = own.b_pA, own.tau_w_ms
        out[name] = {"b_adapt": (pop.b_pA if b is None else b) * b2.pA,
                     "tau_adapt": (pop.tau_w_ms if tau is None else tau) * b2.ms,
                     "drive_scale": float(own.drive_scale),
                     "recurrent_scale": float(own.recurrent_scale)}
    return out
