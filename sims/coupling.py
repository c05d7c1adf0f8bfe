"""The epoch loop: the slow layer and network probes across timescales.

- ``open``: the slow trajectory is computed once; the network is probed at the probe times
  with the brain steroid levels and subunit expression of those times. Probes are
  independent and can run side by side (``coupling.workers`` processes, each reusing the
  compiled network from the build cache).
- ``closed``: the slow layer is integrated from probe to probe; each probe's measured
  activity feeds back until the next one: the PVN population's rate scales CRH
  production (``coupling.pvn_gain``) and, with ``homeostasis=activity``, each population's
  rate error drives its delta expression. Rates are compared with those of a reference
  probe in the declared reference state (baseline brain levels, reference expression),
  not with whichever probe comes first. With zero gain and a steroid-driven rule the
  two modes give identical results (a split slow run equals one run, and every probe
  starts from the same initial state and seed).

Every probe of a run shares one compiled network: probes change only run-time variables.
"""

from __future__ import annotations

import concurrent.futures as cf
import copy
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sims.config import Config, as_config
from sims.fast.backend import CompiledNetwork
from sims.fast.probe import ProbeOutput, run_probe
from sims.fast.states import state_at
from sims.slow.clock import duration_hours
from sims.slow.homeostasis import apply_expression
from sims.slow.model import SlowModel, SlowTrajectory
from sims.workers import process_pool


@dataclass
class EpochResult:
    """Outcome of the epoch loop."""

    trajectory: SlowTrajectory | None
    times_h: list[float]
    concentrations: list[dict[str, float]]
    expression: list[dict[str, dict[str, float]]]
    probes: list[ProbeOutput]
    timings: dict[str, float] = field(default_factory=dict)
    reference: dict[str, float] = field(default_factory=dict)  # closed loop's set points


class Progress:
    """``probes done/total, ETA`` on a terminal; silent when stderr is not a TTY."""

    def __init__(self, total: int, enabled: bool = True) -> None:
        self.total, self.done, self.t0 = total, 0, time.perf_counter()
        self.enabled = enabled and total > 1 and sys.stderr.isatty()

    def step(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.t0
        eta = elapsed / self.done * (self.total - self.done)
        end = "\n" if self.done >= self.total else ""
        print(f"\rprobes {self.done}/{self.total}  elapsed {elapsed:5.0f} s  ETA {eta:5.0f} s",
              end=end, file=sys.stderr, flush=True)


def probe_times(c: Config | Mapping[str, Any], end_h: float | None) -> list[float]:
    """Probe times (h): every ``cadence_h`` from 0 (before the end), else the list."""
    cp = as_config(c).coupling
    if not cp.fast:
        return []
    if cp.cadence_h > 0 and end_h is not None:
        return [float(t) for t in np.arange(0.0, end_h - 1e-9, cp.cadence_h)]
    return [float(t) for t in cp.probe_times_h]


def probe_config(c: Mapping[str, Any], traj: SlowTrajectory | None, t_h: float
                 ) -> tuple[Mapping[str, Any], dict[str, float], dict[str, dict[str, float]]]:
    """Config with the expression of time ``t_h``, brain levels and the expression used
    (``c``: the validated plain config; the probe's config is a changed copy of it)."""
    cfg = as_config(c)
    if traj is None:
        return c, dict(cfg.steroids.brain_nM), {}
    expr = traj.expression(t_h) if cfg.homeostasis.rule != "none" else {}
    ck = apply_expression(c, expr) if expr else c
    shifts = traj.chloride_shifts(t_h)
    if shifts:  # the slow chloride state's E_GABA shift (sims.slow.chloride)
        ck = copy.deepcopy(dict(ck)) if ck is c else ck
        for pop, shift in shifts.items():
            rp = ck["receptors"]["populations"][pop]
            rp["chloride_shift_mV"] = rp.get("chloride_shift_mV", 0.0) + shift
    return ck, traj.brain_conc(t_h), expr


def _probe_chunk(c: Mapping[str, Any], tasks: list[tuple[int, float, Mapping, dict]],
                 progress: Progress | None = None
                 ) -> tuple[list[tuple[int, ProbeOutput]], dict[str, float]]:
    """Run independent probes on one compiled network (also a worker process's job)."""
    t_start = time.perf_counter()
    cfg = as_config(c)
    with CompiledNetwork(cfg) as net:
        timings = dict(net.timings)
        outs = []
        for k, t, ck, conc in tasks:
            out = run_probe(net, ck, conc, context=f"probe {k} at t={t:g} h",
                            state=state_at(cfg, t))
            _merge_timings(timings, out.raw.timings)
            outs.append((k, out))
            if progress is not None:
                progress.step()
    timings["worker_s"] = time.perf_counter() - t_start
    return outs, timings


def _merge_timings(total: dict[str, float], part: Mapping[str, float]) -> None:
    for k, v in part.items():
        total[k] = total.get(k, 0.0) + v


def run_open(c: Mapping[str, Any]) -> EpochResult:
    """Slow trajectory first, then independent probes (side by side if workers > 1)."""
    cfg = as_config(c)
    timings: dict[str, float] = {}
    model = SlowModel(c) if cfg.coupling.slow else None
    traj = model.run(int(cfg.seed)) if model is not None else None
    if traj is not None:
        timings["slow_s"] = traj.wall_s
    times = probe_times(cfg, model.t_end if model is not None else None)
    configs = [probe_config(c, traj, t) for t in times]
    tasks = [(k, t, ck, conc) for k, (t, (ck, conc, _)) in enumerate(zip(times, configs,
                                                                          strict=True))]
    outs: dict[int, ProbeOutput] = {}
    progress = Progress(len(tasks), cfg.coupling.progress)
    workers = min(cfg.coupling.workers, len(tasks))
    if workers <= 1:
        if tasks:
            got, part = _probe_chunk(c, tasks, progress)
            outs.update(dict(got))
            _merge_timings(timings, part)
    else:
        chunks = [tasks[i::workers] for i in range(workers)]
        t0 = time.perf_counter()
        with process_pool(workers) as pool:
            futures = [pool.submit(_probe_chunk, c, chunk) for chunk in chunks]
            for fut in cf.as_completed(futures):
                got, part = fut.result()
                outs.update(dict(got))
                _merge_timings(timings, part)
                progress.step(len(got))
        timings["parallel_wall_s"] = time.perf_counter() - t0
    return EpochResult(traj, times, [conc for _, conc, _ in configs],
                       [e for _, _, e in configs], [outs[k] for k in range(len(tasks))],
                       timings)


def _rates(out: ProbeOutput) -> dict[str, float]:
    return dict(zip(out.raw.sizes, (float(r) for r in out.per_population["rate"]), strict=True))


def feedback_active(c: Config | Mapping[str, Any]) -> bool:
    """Whether closed-loop probes feed anything back (PVN gain or activity homeostasis)."""
    cfg = as_config(c)
    return cfg.coupling.pvn_gain > 0 or cfg.homeostasis.rule == "activity"


def reference_rates(net: CompiledNetwork, c: Config | Mapping[str, Any]) -> dict[str, float]:
    """Each population's rate in the declared reference state: the baseline brain levels
    (``steroids.brain_nM``) with reference subunit expression (the non-pregnant,
    unstressed baseline). The closed loop's set points: a pregnancy run starting late in
    pregnancy no longer takes that state as normal."""
    out = run_probe(net, c, dict(as_config(c).steroids.brain_nM),
                    context="reference probe (baseline brain levels, reference expression)")
    return _rates(out)


def _feedback(cfg: Config, model: SlowModel, out: ProbeOutput,
              reference: dict[str, float]) -> None:
    """Set the slow model's closed-loop inputs from one probe's measured rates, relative
    to the reference state's."""
    pops = list(out.raw.sizes)
    rates = _rates(out)
    cp = cfg.coupling
    pvn = cp.pvn_population
    if cp.pvn_gain > 0 and reference.get(pvn, 0) > 0:
        model.feedback["crh_scale"] = max(0.0, 1.0 + cp.pvn_gain * (
            rates[pvn] / reference[pvn] - 1.0))
    if cfg.homeostasis.rule == "activity":
        model.feedback["rate_error"] = {
            p: (rates[p] / reference[p] - 1.0) if reference[p] > 0 else 0.0 for p in pops}


def run_closed(c: Mapping[str, Any]) -> EpochResult:
    """Integrate probe to probe; each probe's activity feeds the next slow segment."""
    cfg = as_config(c)
    model = SlowModel(c)
    end = duration_hours(c, model.table)
    times = probe_times(cfg, end)
    seed = int(cfg.seed)
    timings: dict[str, float] = {}
    segments: list[SlowTrajectory] = []
    reference: dict[str, float] = {}
    concs, exprs, outs = [], [], []
    progress = Progress(len(times), cfg.coupling.progress)
    state, t_prev = None, 0.0
    with CompiledNetwork(cfg) as net:
        _merge_timings(timings, net.timings)
        if feedback_active(cfg):
            reference = reference_rates(net, cfg)
        for k, t in enumerate([*times, end]):
            seg = model.run(seed, t_stop_h=t, state=state, t_start_h=t_prev)
            timings["slow_s"] = timings.get("slow_s", 0.0) + seg.wall_s
            segments.append(seg)
            state, t_prev = seg.final_state, t  # type: ignore[attr-defined]
            if k == len(times):
                break
            ck, conc, expr = probe_config(c, seg, t)
            out = run_probe(net, ck, conc, context=f"probe {k} at t={t:g} h",
                            state=state_at(cfg, t))
            _merge_timings(timings, out.raw.timings)
            _feedback(cfg, model, out, reference)
            concs.append(conc)
            exprs.append(expr)
            outs.append(out)
            progress.step()
    return EpochResult(_join(segments), times, concs, exprs, outs, timings, reference)


def _join(segments: list[SlowTrajectory]) -> SlowTrajectory:
    """Concatenate segments, dropping each repeated boundary sample."""
    keep = [s for s in segments if len(s.time_h)]
    time_h = [keep[0].time_h] + [s.time_h[s.time_h > p.time_h[-1]]
                                 for p, s in zip(keep, keep[1:], strict=False)]
    values = {}
    for name in keep[0].values:
        parts = [keep[0].values[name]] + [s.values[name][s.time_h > p.time_h[-1]]
                                          for p, s in zip(keep, keep[1:], strict=False)]
        values[name] = np.concatenate(parts)
    return SlowTrajectory(np.concatenate(time_h), values, keep[0].units, keep[0].events,
                          sum(s.wall_s for s in keep), keep[0].descriptions)


def run_epochs(c: Mapping[str, Any]) -> EpochResult:
    """Run the configured coupling mode (``c``: the validated plain config; the slow layer
    reads it as it is, the coupling and the network read its typed form)."""
    if as_config(c).coupling.mode == "closed":
        return run_closed(c)
    return run_open(c)
