"""The slow layer's state layout: every state by name, as one explicit map of named rows.

A :class:`StateLayout` is built once per model from the variable registry
(:mod:`sims.slow.variables`) and the treatments' PK models. It says where each state lives
in the state vector (a list of floats for one individual, an array ``[state, individual]``
for many): the recorded states first (the fixed states, then homeostasis, then chloride),
then each treatment's compartments. Both backends address states by name through it, the
integrator (``SlowModel._rk4``) is written once over it, and adding a state variable is
its registry entry plus its equation: the layout follows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sims.slow.variables import SlowVariable


@dataclass(frozen=True)
class Compartments:
    """One treatment's PK compartments: its model, its rows and their state names."""

    model: Any  # sims.slow.treatments.PKModel
    rows: slice
    names: tuple[str, ...]


@dataclass
class StateLayout:
    """Named rows of the state vector (see the module docstring)."""

    recorded: tuple[SlowVariable, ...]
    pk: tuple[Compartments, ...] = ()
    names: tuple[str, ...] = field(init=False)
    index: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        pk_names = tuple(n for c in self.pk for n in c.names)
        self.names = (*(v.name for v in self.recorded), *pk_names)
        self.index = {n: j for j, n in enumerate(self.names)}
        if len(self.index) != len(self.names):
            raise ValueError("state names must be unique")

    @classmethod
    def build(cls, recorded: Sequence[SlowVariable],
              treatments: Sequence[tuple[Any, Sequence[str]]]) -> StateLayout:
        """The layout of ``recorded`` states followed by each ``(model, names)`` treatment's
        compartments, in that order."""
        start, pk = len(recorded), []
        for model, names in treatments:
            pk.append(Compartments(model, slice(start, start + len(names)), tuple(names)))
            start += len(names)
        return cls(tuple(recorded), tuple(pk))

    @property
    def n_recorded(self) -> int:
        """Rows of the recorded states; the PK compartments follow them."""
        return len(self.recorded)

    def __len__(self) -> int:
        return len(self.names)

    def named(self, y: Sequence[float]) -> dict[str, Any]:
        """``{name: value}`` of a state (a list, or an array's row views)."""
        return dict(zip(self.names, y, strict=True))

    def ordered(self, values: dict[str, Any]) -> list[Any]:
        """The values of ``values`` (by name) in the layout's order."""
        return [values[n] for n in self.names]

    def array(self, values: dict[str, Any], n_individuals: int) -> np.ndarray:
        """``[state, individual]`` from values by name (numbers or arrays
        ``[individual]``)."""
        y = np.empty((len(self.names), n_individuals))
        for j, n in enumerate(self.names):
            y[j] = values[n]
        return y
