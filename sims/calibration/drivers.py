"""The analyses' drivers, called by allonet's sweeper (``hydra_plugins.allonet_sweeper``)
in place of a basic sweep when the config holds ``calibration``, ``sensitivity`` or
``uncertainty``. Each checks its config first (bad input: exit 2, nothing launched)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def drive(kind: str, sweeper: Any, arguments: Sequence[str]) -> list[Any]:
    """Run the analysis ``kind`` with the sweeper's launcher."""
    if kind == "calibration":
        from sims.calibration.optimize import drive as run
    elif kind == "sensitivity":
        from sims.calibration.sensitivity import drive as run
    else:
        from sims.calibration.uncertainty import drive as run
    return run(sweeper, list(arguments))
