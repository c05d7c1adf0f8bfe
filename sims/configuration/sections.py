"""Checks of the other sections: the time grid, receptors, pharmacology, the probe, sleep,
and how a run is run (seed, backend, output)."""

from __future__ import annotations

import math

from sims.configuration.rules import (
    BACKENDS,
    CODEGEN_TARGETS,
    MAX_SEED,
    PSD_METHODS,
    PSD_MIN_SAMPLES,
    SITES,
    SYNC_MIN_BINS,
    _check,
    _multiple,
)
from sims.configuration.schema import PROBE_STATES, SEED_MODES
from sims.errors import ConfigError


def _check_time_grid(c: dict) -> None:
    """Durations and steps that must be whole multiples of the network's time step
    (Brian2 would otherwise round them silently).

    When the step fails several of them, the step is named; when it fails one, that one.
    """
    net, pr = c["network"], c["probe"]
    dt = net["dt_ms"]
    others = {"probe.record_dt_ms": pr["record_dt_ms"], "probe.window_ms": pr["window_ms"],
              "probe.warmup_ms": pr["warmup_ms"], "network.ext_dt_ms": net["ext_dt_ms"]}
    others |= {f"network.populations.{n}.tref_ms": p["tref_ms"]
               for n, p in net["populations"].items()}
    others |= {f"network.connections.{n}.delay_ms": k["delay_ms"]
               for n, k in net["connections"].items()}
    bad = {k: v for k, v in others.items() if not _multiple(v, dt)}
    if len(bad) > 1:
        shown = ", ".join(f"{k}={v:g}" for k, v in list(bad.items())[:4])
        more = f" and {len(bad) - 4} more" if len(bad) > 4 else ""
        raise ConfigError("network.dt_ms", dt, f"a step that divides {shown}{more}")
    if bad:
        (key, val), = bad.items()
        raise ConfigError(key, val, f"a multiple of network.dt_ms={dt:g}")
    for key in ("probe.record_dt_ms", "probe.window_ms", "network.ext_dt_ms"):
        _check(round(others[key] / dt) >= 1, key, others[key],
               f"at least one step of network.dt_ms={dt:g}")


def _check_receptors(c: dict) -> None:
    pops = c["network"]["populations"]
    rpops = c["receptors"]["populations"]
    _check(set(rpops) == set(pops), "receptors.populations", sorted(rpops),
           f"exactly the network populations {sorted(pops)}")
    nmda = c["receptors"]["nmda"]
    _check(not math.isclose(nmda["tau_rise_ms"], nmda["tau_decay_ms"]),
           "receptors.nmda.tau_rise_ms", nmda["tau_rise_ms"],
           f"a rise time different from receptors.nmda.tau_decay_ms={nmda['tau_decay_ms']:g} "
           "(dual-exponential peak normalisation)")


def _check_pharmacology(c: dict) -> None:
    species = c["pharmacology"]["species"]
    for sname, s in species.items():
        k = f"pharmacology.species.{sname}"
        _check(s["site"] in SITES, f"{k}.site", s["site"], f"one of {SITES}")
    for sname, conc in c["steroids"]["brain_nM"].items():
        _check(sname in species, f"steroids.brain_nM.{sname}", conc,
               f"a species from the pharmacology table {sorted(species)}")


def _check_probe(c: dict) -> None:
    pr = c["probe"]
    lfp = c["network"]["lfp_population"]
    n_lfp = c["network"]["populations"][lfp]["n"]
    _check(1 <= pr["n_record"] <= n_lfp, "probe.n_record", pr["n_record"],
           f"an integer from 1 to the size of network.lfp_population {lfp} ({n_lfp})")
    _check(pr["record_dt_ms"] <= pr["window_ms"], "probe.record_dt_ms", pr["record_dt_ms"],
           f"at most probe.window_ms={pr['window_ms']:g}")
    _check(pr["psd_method"] in PSD_METHODS, "probe.psd_method", pr["psd_method"],
           f"one of {PSD_METHODS}")
    nw = pr["window_ms"] * 1e-3 * pr["psd_half_bandwidth_Hz"]
    _check(nw >= 1, "probe.psd_half_bandwidth_Hz", pr["psd_half_bandwidth_Hz"],
           f">= {1e3 / pr['window_ms']:g} Hz (at least one taper: window x bandwidth >= 1)")
    seg = round(pr["psd_segment_ms"] / pr["record_dt_ms"])
    _check(seg >= PSD_MIN_SAMPLES, "probe.psd_segment_ms", pr["psd_segment_ms"],
           f">= {PSD_MIN_SAMPLES} samples of probe.record_dt_ms={pr['record_dt_ms']:g} "
           f"(>= {PSD_MIN_SAMPLES * pr['record_dt_ms']:g} ms)")
    _check(pr["psd_segment_ms"] <= pr["window_ms"], "probe.psd_segment_ms",
           pr["psd_segment_ms"], f"at most probe.window_ms={pr['window_ms']:g}")
    _check(round(pr["window_ms"] / pr["sync_bin_ms"]) >= SYNC_MIN_BINS, "probe.sync_bin_ms",
           pr["sync_bin_ms"], f"at most probe.window_ms / {SYNC_MIN_BINS} = "
           f"{pr['window_ms'] / SYNC_MIN_BINS:g} ms")


def _check_sleep(c: dict) -> None:
    st = c["probe"]["state"]
    _check(st in PROBE_STATES, "probe.state", st, f"one of {PROBE_STATES} (the network's "
           "brain state; auto: nrem at night by the slow layer's clock)")
    _check(st != "auto" or bool(c["coupling"]["slow"]), "probe.state", st,
           "wake or nrem: auto follows the slow layer's clock, and this config has no slow "
           "layer (coupling.slow=false)")
    sl = c["sleep"]
    pops = c["network"]["populations"]
    for name, v in sl["nrem"].items():
        _check(name in pops, f"sleep.nrem.{name}", v, f"a population of the network "
               f"({sorted(pops)})")
    ud = sl["updown"]
    _check(ud["smooth_ms"] >= ud["bin_ms"], "sleep.updown.smooth_ms", ud["smooth_ms"],
           f">= sleep.updown.bin_ms={ud['bin_ms']:g}")


def _check_running(c: dict) -> None:
    _check(0 <= c["seed"] <= MAX_SEED, "seed", c["seed"], f"an integer in [0, {MAX_SEED}]")
    _check(c["seed_mode"] in SEED_MODES, "seed_mode", c["seed_mode"], f"one of {SEED_MODES}")
    b = c["backend"]
    _check(b["name"] in BACKENDS, "backend.name", b["name"], f"one of {BACKENDS}")
    _check(b["codegen_target"] in CODEGEN_TARGETS, "backend.codegen_target",
           b["codegen_target"], f"one of {CODEGEN_TARGETS}")
    out = c["output"]
    name = out["filename"]
    _check(name.endswith(".h5") and "/" not in name and "\\" not in name
           and not name.startswith(".") and len(name) > 3, "output.filename", name,
           "a plain file name ending in .h5 (the folder is Hydra's run folder)")
    _check(0 <= out["compression_level"] <= 9, "output.compression_level",
           out["compression_level"], "an integer in [0, 9]")
