"""The analyses' drivers, called by allonet's sweeper (``hydra_plugins.allonet_sweeper``)
in place of a basic sweep when the config holds ``calibration``, ``sensitivity`` or
``uncertainty``. Each checks its config first (bad input: exit 2, nothing launched)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sims.calibration import optimize, sensitivity, uncertainty


def drive(kind: str, sweeper: Any, arguments: Sequence[str]) -> list[Any]:
    """Run the analysis ``kind`` with the sweeper's launcher."""
    run = {"calibration": optimize.drive, "sensitivity": sensitivity.drive}.get(
        kind, uncertainty.drive)
    return run(sweeper, list(arguments))
