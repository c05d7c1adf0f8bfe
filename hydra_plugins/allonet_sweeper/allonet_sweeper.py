"""Hydra's basic sweeper, composing each distinct job *shape* once and validating every
job's values before anything is launched.

Before a batch is launched, Hydra's ``BasicSweeper`` composes the config of every job in
the main process, to catch composition errors early (~0.2 s per job here, serial: 4 s of
a 20-point sweep on 2 cores). Which config groups a job composes depends on its group
choices and on which keys it overrides, not on the values given to those keys, so this
sweeper composes one representative job per distinct (group choices, overridden keys).
Every other job of that shape gets its values applied to the representative's composed
config (Hydra's own override application, a few ms) and every job is then checked by
allonet's validation (``sims.config.validate``, then the cohort and study nodes:
``sims.prelaunch``). A bad value anywhere in the sweep --
``allo=1,-3`` or ``allo=1,abc`` -- therefore stops the sweep before any job runs, with the
key, the value, what is allowed and the job's overrides (exit code 2).

Selected in ``configs/config.yaml`` (``override hydra/sweeper: allonet``); everything else
(``params``, ``max_batch_size``, the expansion of sweeps) is the basic sweeper's.
"""

# No ``from __future__ import annotations``: Hydra loads plugin modules outside
# ``sys.modules``, where dataclasses cannot resolve string annotations; and OmegaConf reads
# the schema's types, hence ``Optional`` rather than ``X | None``.
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional  # noqa: UP035

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.config_store import ConfigStore


@dataclass
class AllonetSweeperConf:
    _target_: str = "hydra_plugins.allonet_sweeper.allonet_sweeper.AllonetSweeper"
    max_batch_size: Optional[int] = None  # noqa: UP045
    params: Optional[dict[str, str]] = None  # noqa: UP045


ConfigStore.instance().store(group="hydra/sweeper", name="allonet", node=AllonetSweeperConf,
                             provider="allonet")


def job_shape(overrides: Sequence[str], groups: set[str]) -> tuple[str, ...]:
    """What decides whether a job composes: group choices with their value, other keys
    without theirs."""
    shape = []
    for o in overrides:
        key, _, value = o.partition("=")
        bare = key.lstrip("+~")
        shape.append(o if bare in groups or "/" in bare else key)
    return tuple(sorted(shape))


def value_overrides(overrides: Sequence[str], groups: set[str]) -> list[str]:
    """A job's overrides that set values (not group choices, not Hydra's own keys), with
    ``+key`` made ``++key``: applied again on a config that already holds the key."""
    out = []
    for o in overrides:
        key = o.partition("=")[0]
        bare = key.lstrip("+~")
        if bare in groups or "/" in bare or bare.startswith("hydra.") or key.startswith("~"):
            continue
        out.append("++" + o.lstrip("+") if key.startswith("+") else o)
    return out


def check_jobs(cfg, jobs: Sequence[Sequence[str]], groups: set[str]) -> None:  # noqa: ANN001
    """Validate every job of one shape, given the representative's composed ``cfg``.

    Each job is validated as its launcher will run it: with its own values applied and
    ``HydraConfig`` set to its config (``hydra.job.num`` its index in the batch), so that
    ``${hydra:...}`` interpolations (e.g. a cache folder per job) resolve.

    Raises:
        ConfigError: naming the key, the value, what is allowed and the job's overrides.
    """
    import copy

    from hydra._internal.config_loader_impl import ConfigLoaderImpl
    from hydra.core.hydra_config import HydraConfig
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from omegaconf import OmegaConf, open_dict

    from sims import prelaunch
    from sims.config import ConfigError, validate

    parser = OverridesParser.create()
    hydra_config = HydraConfig.instance()
    saved = hydra_config.cfg
    try:
        for k, job in enumerate(jobs):
            c = copy.deepcopy(cfg)
            if k > 0:
                ConfigLoaderImpl._apply_overrides_to_config(
                    parser.parse_overrides(value_overrides(job, groups)), c)
            with open_dict(c):
                c.hydra.job.num = k
            hydra_config.set_config(c)  # what ${hydra:...} reads
            with open_dict(c):
                del c["hydra"]
            plain = OmegaConf.to_container(c, resolve=True)
            try:
                prelaunch.check(validate(plain))
            except ConfigError as exc:
                raise ConfigError(exc.key, exc.value,
                                  f"{exc.allowed} (in the sweep job {' '.join(job)})") from None
    finally:
        hydra_config.cfg = saved


class AllonetSweeper(BasicSweeper):
    """``BasicSweeper`` that composes one job per distinct shape and validates every job
    (see module doc)."""

    def __init__(self, max_batch_size: Optional[int] = None,  # noqa: UP045
                 params: Optional[dict[str, str]] = None) -> None:  # noqa: UP045
        super().__init__(max_batch_size=max_batch_size, params=params)

    def sweep(self, arguments: list[str]):  # noqa: ANN201 - Hydra's signature
        """A calibration, sensitivity or uncertainty analysis (``+calibration=NAME`` ...)
        drives its own jobs (``sims.calibration``); anything else is a basic sweep."""
        assert self.config is not None
        kinds = [k for k in ("calibration", "sensitivity", "uncertainty")
                 if self.config.get(k) is not None]
        if not kinds:
            return super().sweep(arguments)
        from sims.calibration import drivers

        return drivers.drive(kinds[0], self, arguments)

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        assert self.config is not None and self.hydra_context is not None
        groups = set(self.config.hydra.runtime.choices.keys())
        shapes: dict[tuple[str, ...], list[Sequence[str]]] = {}
        for overrides in batch:
            shapes.setdefault(job_shape(overrides, groups), []).append(overrides)
        loader = self.hydra_context.config_loader
        for jobs in shapes.values():
            cfg = loader.load_sweep_config(self.config, list(jobs[0]))
            check_jobs(cfg, jobs, groups)
