"""Hydra's basic sweeper, checking each distinct job *shape* once before launching.

Before a batch is launched, Hydra's ``BasicSweeper`` composes the config of every job in
the main process, to catch composition errors early (~0.2 s per job here, serial: 4 s of
a 20-point sweep on 2 cores). A composition error depends on which config-group options
are chosen and which keys are overridden, not on the values given to those keys, so this
sweeper composes one representative job per distinct (group choices, overridden keys)
and launches the rest unchanged. The jobs' own values are checked by allonet's schema
validation in each job, whose failures are listed at the end of the sweep.

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


class AllonetSweeper(BasicSweeper):
    """``BasicSweeper`` that validates one job per distinct shape (see module doc)."""

    def __init__(self, max_batch_size: Optional[int] = None,  # noqa: UP045
                 params: Optional[dict[str, str]] = None) -> None:  # noqa: UP045
        super().__init__(max_batch_size=max_batch_size, params=params)

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        assert self.config is not None
        groups = set(self.config.hydra.runtime.choices.keys())
        representatives: dict[tuple[str, ...], Sequence[str]] = {}
        for overrides in batch:
            representatives.setdefault(job_shape(overrides, groups), overrides)
        super().validate_batch_is_legal(list(representatives.values()))
