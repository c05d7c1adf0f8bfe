"""A cohort's config node (``+cohort=NAME``, ``configs/cohort/*.yaml``), checked before
anything runs.

::

    cohort:
      name: postpartum
      question: "..."              # what the cohort answers (its file's header says so)
      n: 1000                      # individuals (> 0)
      sampling: sobol              # random | sobol | lhs (sims.cohort.sampling)
      parameters: {label: {key, dist, ..., source}}
      correlation: [[label_a, label_b, rho], ...]
      arms: {untreated: [], brexanolone: ["treatment=brexanolone", ...]}  # null: left out
      shard: 0                     # this job's part (0 .. n_shards - 1)
      n_shards: 1
      block_size: auto             # individuals integrated at once (auto: memory)
      workers: 0                   # processes for blocks (0: coupling.workers)
      probe_times_h: [...]         # probe times when coupling.fast (else coupling's)
      probe_relative_to: start     # start: run times; enrolment: hours after each one's
      enrolment:                   # optional: each individual enters (is first treated)
        relative_to: delivery      # ... this many whole days after a scenario event
        days: {from: 1, to: 180}   # drawn uniformly per individual (inclusive)
        clock_h: 0.0               # at this time of day
        source: "..."              # the trial's enrolment window
      record: {variables: [...], every_h: 1.0}
      outcomes: {name: {...}}      # sims.cohort.outcomes

Every varied key must be a number of the composed config that is a run-time value: not
compiled into the network (``sims.fast.build_cache``), not part of the clock or the
dosing schedule, which every individual of a cohort shares. A categorical of names sets a
string key of the config (``homeostasis.species``) or chooses the option of a config
group (``key: homeostasis``); the engine checks that each choice leaves the shared and
the compiled keys alone (:func:`check_strata`).

``enrolment`` gives each individual its own treatment start (``treatment.start_day``):
every arm of the individual starts (or, untreated, is enrolled) at the same time, so a
paired design stays paired. Visits and probes can then be timed from each individual's
enrolment (``probe_relative_to: enrolment``).
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sims.cohort.outcomes import Outcome, parse_outcomes
from sims.cohort.sampling import METHODS, Marginal, parse_correlation, parse_marginals
from sims.config import MISSING, get_key
from sims.configuration.roles import COMPILED, RUNTIME, key_class
from sims.configuration.roles import key_matches as _matches
from sims.constants import CONFIG_DIR, named_configs
from sims.errors import ConfigError, require
from sims.errors import is_finite_number as _num
from sims.seeds import flatten
from sims.slow.events import day_clock_h

#: Keys a cohort cannot vary, with the reason: they are shared by every individual.
SHARED_KEYS: tuple[tuple[str, str], ...] = (
    ("slow.*", "the slow layer's clock and numerics"),
    ("scenario.duration_days", "the run's length"), ("scenario.dt_min", "the time step"),
    ("scenario.name", "the scenario (use an arm)"),
    ("treatment.name", "the treatment (use an arm)"),
    ("treatment.start_day", "the dosing schedule (use an arm)"),
    ("treatment.dose_clock_h", "the dosing schedule (use an arm)"),
    ("treatment.n_doses", "the dosing schedule (use an arm)"),
    ("treatment.n_days", "the dosing schedule (use an arm)"),
    ("treatment.doses_per_day", "the dosing schedule (use an arm)"),
    ("treatment.route", "the route (use an arm)"), ("treatment.sex", "the sex (use an arm)"),
    *((f"treatment.*.{k}", "a combined treatment's schedule (use an arm)")
      for k in ("name", "start_day", "dose_clock_h", "n_doses", "n_days", "doses_per_day",
                "route", "sex")),
    ("coupling.*", "the epoch loop"), ("probe.*", "the probes' recording"),
    ("output.*", "the output"), ("backend.*", "the build"), ("seed", "the seeds"),
    ("seed_mode", "the seeds"), ("pharmacology.species.*.*.emax", "which species regulate"),
)
#: Config groups whose option a cohort cannot vary per individual, with the reason.
SHARED_GROUPS: dict[str, str] = {
    "scenario": "the scenario (use an arm)", "treatment": "the treatment (use an arm)",
    "coupling": "the epoch loop", "backend": "the build", "sim": "the network and probes",
    "network": "the network's structure (compiled)", "cohort": "the cohort itself",
    "experiment": "the experiment", "calibration": "an analysis", "sensitivity": "an analysis",
    "uncertainty": "an analysis", "targets": "an analysis"}
KEYS = ("name", "question", "n", "sampling", "parameters", "correlation", "arms", "shard",
        "n_shards", "block_size", "workers", "record", "outcomes", "probe_times_h",
        "probe_relative_to", "enrolment")
#: What probe times are counted from.
PROBE_ORIGINS = ("start", "enrolment")
ENROLMENT_KEYS = ("relative_to", "days", "clock_h", "source")


@dataclass(frozen=True)
class Enrolment:
    """When each individual enters the study: ``days`` (whole days, uniform, inclusive)
    after the calendar day of the scenario event ``relative_to``, at ``clock_h``."""

    relative_to: str
    first_day: int
    last_day: int
    clock_h: float
    source: str

    def time_h(self, event_h: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Run times (h) of enrolment on ``day`` after events at ``event_h``."""
        return day_clock_h(event_h, day, self.clock_h)


def parse_enrolment(node: Any, where: str = "cohort.enrolment") -> Enrolment | None:
    """The ``enrolment`` node (None: everyone starts at ``treatment.start_day``).

    Raises:
        ConfigError: naming the key, its value and what is allowed.
    """
    if node is None:
        return None
    require(isinstance(node, Mapping) and set(node) <= set(ENROLMENT_KEYS), where, node,
            f"a mapping with keys {list(ENROLMENT_KEYS)}")
    ev = node.get("relative_to", "start")
    require(isinstance(ev, str) and ev, f"{where}.relative_to", ev,
            "the name of an event of the scenario (start, delivery, ...)")
    days = node.get("days")
    require(isinstance(days, Mapping) and set(days) == {"from", "to"}
            and all(_int(days[k]) for k in ("from", "to")) and days["to"] >= days["from"],
            f"{where}.days", days, "{from: D0, to: D1}: whole days after the event's day, "
            "D1 >= D0")
    clock = node.get("clock_h", 0.0)
    require(_num(clock) and 0 <= clock < 24, f"{where}.clock_h", clock,
            "a time of day in [0, 24) h")
    src = node.get("source")
    require(isinstance(src, str) and src.strip(), f"{where}.source", src,
            "where the enrolment window comes from (a trial, or [assumption])")
    return Enrolment(ev, int(days["from"]), int(days["to"]), float(clock), src)


@dataclass
class CohortSpec:
    """A checked cohort node."""

    name: str
    question: str
    n: int
    method: str
    marginals: list[Marginal]
    correlation: np.ndarray
    arms: dict[str, list[str]]
    shard: int = 0
    n_shards: int = 1
    block_size: int | None = None  # None: auto (sims.cohort.resources.choose_block)
    workers: int = 0
    record_variables: list[str] = field(default_factory=list)
    record_every_h: float = 1.0
    outcomes: list[Outcome] = field(default_factory=list)
    probe_times_h: list[float] | None = None
    probe_relative_to: str = "start"
    enrolment: Enrolment | None = None

    @property
    def rows(self) -> range:
        """The individuals of this shard (contiguous, as even as possible)."""
        return shard_rows(self.n, self.shard, self.n_shards)


def shard_rows(n: int, shard: int, n_shards: int) -> range:
    """Rows ``[start, stop)`` of shard ``shard`` of ``n_shards`` over ``n`` individuals."""
    return range(n * shard // n_shards, n * (shard + 1) // n_shards)


def _int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def is_group(key: str) -> bool:
    """Whether ``key`` names a config group (a folder of options under ``configs/``)."""

    return "." not in key and (CONFIG_DIR / key).is_dir()


def check_key(c: Mapping[str, Any], key: str, where: str,
              names: Sequence[str] | None = None) -> None:
    """A varied key must be a number of the config and a run-time value; with ``names``
    (a categorical of names), a string key of the config or a config group with those
    options.

    Raises:
        ConfigError: unknown, not a number (not a string), shared by all individuals, or
            compiled into the network (it would need a recompile per individual).
    """

    if names is not None and is_group(key):

        require(key not in SHARED_GROUPS, where, key, f"a per-individual group; {key} is "
                f"{SHARED_GROUPS.get(key)}, shared by every individual")
        options = named_configs(key)
        for v in names:
            require(v in options, f"{where.rsplit('.', 1)[0]}.values", v,
                    f"options of the config group {key}: {options}")
        return
    value = get_key(c, key)
    require(value is not MISSING, where, key, "a key of the composed config (dotted, "
            "e.g. homeostasis.tau_up_days)")
    for pattern, why in SHARED_KEYS:
        require(not fnmatch.fnmatchcase(key, pattern), where, key,
                f"a per-individual value; {key} is {why}, shared by every individual")
    try:
        cls = key_class(key)
    except KeyError:
        cls = None
    require(cls != COMPILED, where, key, "a run-time value: it is compiled into the network, "
            "so every individual would need its own build (vary a run-time key instead)")
    if names is not None:
        require(isinstance(value, str), where, key, f"a key holding a string, or a config "
                f"group, for a categorical of names (it holds {value!r})")
        return
    require(_num(value), where, key, f"a key holding a number (it holds {value!r})")


def check_strata(base: Mapping[str, Any], stratum: Mapping[str, Any], where: str,
                 names: Mapping[str, str]) -> None:
    """A stratum's config (the base with the categorical names ``names`` applied) must
    share the base's clock, schedule and compiled network.

    Raises:
        ConfigError: naming the first shared or compiled key the choice changes.
    """

    a, b = flatten(base), flatten(stratum)
    for k in sorted(set(a) | set(b)):
        if a.get(k) == b.get(k):
            continue
        head = k.split("[")[0]  # a list's items belong to the list's key
        why = next((w for pat, w in SHARED_KEYS if fnmatch.fnmatchcase(head, pat)), None)
        try:
            compiled = key_class(k) == COMPILED
        except KeyError:
            compiled = False
        if why or compiled:
            choice = ", ".join(f"{key}={v}" for key, v in names.items())
            raise ConfigError(where, choice, f"choices that keep the keys every individual "
                              f"shares: {choice} changes {k} ({a.get(k)!r} -> {b.get(k)!r}), "
                              f"{why or 'compiled into the network'}")


#: Keys the fast layer reads that the slow layer reads too (by pattern).
SLOW_ALSO_READS = ("seed", "pharmacology.**")


def network_only_keys(base: Mapping[str, Any], other: Mapping[str, Any]) -> list[str]:
    """The keys ``other`` changes against ``base`` that only the network reads (compiled
    or run-time keys of ``sims.fast.build_cache``, less :data:`SLOW_ALSO_READS`): in a
    run without probes (``coupling.fast=false``) such a change has no effect."""

    a, b = flatten(base), flatten(other)
    out = []
    for k in sorted(set(a) | set(b)):
        if a.get(k) == b.get(k) or any(_matches(k, pat) for pat in SLOW_ALSO_READS):
            continue
        try:
            cls = key_class(k)
        except KeyError:
            continue
        if cls in (COMPILED, RUNTIME):
            out.append(k)
    return out


def parse_cohort(c: Mapping[str, Any], slow_variables: Sequence[str] = ()) -> CohortSpec:
    """The cohort node of a validated config, checked.

    Raises:
        ConfigError: naming the first bad key, its value and what is allowed.
    """
    node = c.get("cohort")
    require(isinstance(node, Mapping), "cohort", node, "a mapping (+cohort=NAME)")
    unknown = sorted(set(node) - set(KEYS))
    require(not unknown, f"cohort.{unknown[0] if unknown else ''}", unknown,
            f"keys {list(KEYS)}")
    n = node.get("n")
    require(_int(n) and n > 0, "cohort.n", n, "an integer > 0")
    method = node.get("sampling", "random")
    require(method in METHODS, "cohort.sampling", method, f"one of {METHODS}")
    marginals = parse_marginals(node.get("parameters"), "cohort.parameters")
    for m in marginals:
        check_key(c, m.key, f"cohort.parameters.{m.label}.key",
                  m.params["values"] if m.labels else None)
    corr = parse_correlation(node.get("correlation"), marginals, "cohort.correlation")
    arms = {k: v for k, v in (node.get("arms") or {}).items() if v is not None} \
        if isinstance(node.get("arms") or {}, Mapping) else node.get("arms")
    arms = arms or {"all": []}  # an arm set to null is left out
    require(isinstance(arms, Mapping) and all(
        isinstance(v, list | tuple) and all(isinstance(o, str) and "=" in o for o in v)
        for v in arms.values()), "cohort.arms", arms,
        "a mapping arm name -> list of overrides ('key=value'), e.g. {untreated: [], "
        "brexanolone: ['treatment=brexanolone']}")
    n_shards = node.get("n_shards", 1)
    require(_int(n_shards) and 1 <= n_shards <= n, "cohort.n_shards", n_shards,
            f"an integer in [1, n = {n}]")
    shard = node.get("shard", 0)
    require(_int(shard) and 0 <= shard < n_shards, "cohort.shard", shard,
            f"an integer in [0, n_shards - 1 = {n_shards - 1}]")
    block = node.get("block_size", "auto")
    require(block == "auto" or (_int(block) and block > 0), "cohort.block_size", block,
            "auto (the largest block that fits in memory) or an integer > 0")
    block = None if block == "auto" else int(block)
    workers = node.get("workers", 0)
    require(_int(workers) and workers >= 0, "cohort.workers", workers,
            "an integer >= 0 (0: coupling.workers)")
    rec = node.get("record") or {}
    require(isinstance(rec, Mapping) and set(rec) <= {"variables", "every_h"}, "cohort.record",
            rec, "a mapping {variables: [...], every_h: H}")
    variables = list(rec.get("variables") or [])
    for v in variables:
        require(not slow_variables or v in slow_variables, "cohort.record.variables", v,
                f"slow variables: {', '.join(slow_variables)}")
    every = rec.get("every_h", 1.0)
    require(_num(every) and every > 0, "cohort.record.every_h", every, "a number > 0 (h)")
    outcomes = parse_outcomes(node.get("outcomes") or {}, variables)
    require(isinstance(node.get("question", ""), str), "cohort.question", node.get("question"),
            "a sentence: what the cohort answers")
    times = node.get("probe_times_h")
    enrolment = parse_enrolment(node.get("enrolment"))
    origin = node.get("probe_relative_to", "start")
    require(origin in PROBE_ORIGINS, "cohort.probe_relative_to", origin,
            f"one of {PROBE_ORIGINS}")
    require(origin == "start" or enrolment is not None, "cohort.probe_relative_to", origin,
            "start for a cohort without cohort.enrolment")
    require(origin == "start" or times is not None, "cohort.probe_times_h", times,
            "a list of hours after enrolment (cohort.probe_relative_to=enrolment)")
    require(times is None or (isinstance(times, list | tuple) and all(
        _num(t) and (t >= 0 or origin == "enrolment") for t in times)),
        "cohort.probe_times_h", times, "a list of times >= 0 (h), or null (coupling's probe "
        "times)" if origin == "start" else "a list of hours after enrolment")
    if origin == "enrolment":
        for o in outcomes:
            require(not o.is_probe, f"cohort.outcomes.{o.name}.variable", o.variable,
                    "a slow variable: probes timed from each individual's enrolment "
                    "(cohort.probe_relative_to=enrolment) have no shared times for an "
                    "outcome window")
    return CohortSpec(str(node.get("name", "cohort")), str(node.get("question", "")), n,
                      method, marginals, corr, {str(k): list(v) for k, v in arms.items()},
                      shard, n_shards, block, workers, variables, float(every), outcomes,
                      [float(t) for t in times] if times is not None else None,
                      origin, enrolment)


def record_steps(spec: CohortSpec, dt_h: float) -> int:
    """Integration steps between recorded samples of the cohort.

    Raises:
        ConfigError: ``record.every_h`` that is not a multiple of the step.
    """
    steps = spec.record_every_h / dt_h
    require(abs(steps - round(steps)) < 1e-9 and round(steps) >= 1, "cohort.record.every_h",
            spec.record_every_h, f"a multiple of the slow step ({dt_h * 60:g} min)")
    return int(round(steps))


def probe_times_on_grid(times_h: Sequence[float], every_h: float,
                        key: str = "coupling.probe_times_h") -> None:
    """Probes read the recorded slow state: their times must be recorded times.

    Raises:
        ConfigError: a probe time between two recorded samples.
    """
    for t in times_h:
        k = t / every_h
        require(math.isclose(k, round(k), abs_tol=1e-9), key, t,
                f"times on the cohort's record grid (multiples of cohort.record.every_h = "
                f"{every_h:g} h)")


__all__ = ["CohortSpec", "Enrolment", "check_key", "check_strata", "is_group",
           "parse_cohort", "parse_enrolment", "shard_rows"]
