"""Errors shared by every layer, and the exit codes of allonet's commands.

Exit codes (``allonet``, ``allonet -m``, ``allonet-collect``, ``allonet-figures``):

====  =====================================================================================
0     success
1     internal error (a bug or an environment problem: a traceback is printed)
2     bad input, from any layer: Hydra composition or override syntax, allonet's
      validation, a CSV time course, a file argument that is not a usable result
3     the simulation failed scientifically: runaway or non-finite activity, or a result
      with non-finite values where none are allowed (the file is kept, marked incomplete)
====  =====================================================================================

A sweep exits with the code its failed jobs share, or 1 if they differ (``sims.sweep``).
"""

from __future__ import annotations

import importlib
import math
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2
EXIT_SIMULATION = 3


class ConfigError(ValueError):
    """Bad user input: names the config key, the value given and what is allowed."""

    def __init__(self, key: str, value: Any, allowed: str) -> None:
        self.key, self.value, self.allowed = key, value, allowed
        super().__init__(f"config key '{key}' = {value!r} is invalid: allowed {allowed}")


def require(ok: bool, key: str, value: Any, allowed: str) -> None:
    """Raise :class:`ConfigError` (key, value, what is allowed) unless ``ok``."""
    if not ok:
        raise ConfigError(key, value, allowed)


#: The optional extras (pyproject.toml) and the modules each brings.
EXTRAS: dict[str, tuple[str, ...]] = {
    "parquet": ("pyarrow",),  # a study's measurements.parquet (the CSV is always written)
    "slurm": ("hydra_plugins.hydra_submitit_launcher",),  # hydra/launcher=submitit_slurm
}


def has_module(module: str) -> bool:
    """Whether ``module`` can be imported (it is imported: the caller needs it next)."""
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def is_finite_number(x: Any) -> bool:
    """A finite int or float (not a bool): what a numeric config value must be."""
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


class ResultFileError(OSError):
    """A file given to a reader is missing, unreadable, not a result, or incomplete."""

    def __init__(self, path: Any, reason: str) -> None:
        self.path, self.reason = str(path), reason
        super().__init__(f"{path}: {reason}")


class SimulationError(RuntimeError):
    """The run itself failed (exit code 3): its file, if any, is marked incomplete."""


class RunawayActivityError(SimulationError):
    """A probe produced NaN or runaway firing; carries the offending values."""


class NonFiniteResultError(SimulationError):
    """A result holds NaN or inf in a dataset that does not allow them."""


class OutputConflictError(ConfigError):
    """The output folder holds a complete result of another config (exit code 2)."""

    def __init__(self, path: Any, theirs: str, ours: str,
                 what: str = "a complete result of another config") -> None:
        super().__init__(
            "output.overwrite", False,
            f"true to replace {path}, {what} (config_hash {theirs}, this run {ours}); or run "
            "into another folder (hydra.run.dir=...)")
        self.path = str(path)


class UnreadableOutputError(ConfigError):
    """The output path holds a file allonet cannot read (empty, truncated, not HDF5 or
    SQLite): it may hold results, so it is not replaced without ``output.overwrite=true``
    (exit code 2)."""

    def __init__(self, path: Any, reason: str) -> None:
        super().__init__(
            "output.overwrite", False,
            f"true to replace {path}, which cannot be read ({reason}); move it away if it "
            "holds results you need, or run into another folder")
        self.path, self.reason = str(path), reason


def exit_code(exc: BaseException) -> int:
    """The exit code (see the module doc) for an exception that ended a command."""
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException
    from yaml import YAMLError  # a config file that is not valid YAML: names file and line

    if isinstance(exc, ConfigError | ResultFileError | HydraException | OmegaConfBaseException
                  | YAMLError):
        return EXIT_BAD_INPUT
    if isinstance(exc, SimulationError):
        return EXIT_SIMULATION
    return EXIT_INTERNAL


def report(exc: BaseException, code: int) -> None:
    """The one-line message of a failure (bad input, failed run) or a traceback (a bug)."""
    if code == EXIT_INTERNAL:
        traceback.print_exception(exc, file=sys.stderr)
        return
    text = str(exc).strip()
    override = getattr(exc, "override", None)  # Hydra's OverrideParseException
    if override and override not in text:
        text = f"cannot parse the override {override!r}: {text}"
    cause = exc.__cause__
    if cause is not None and str(cause).strip() and str(cause).strip() not in text:
        text += "\n" + str(cause).strip()
    if "hydra/launcher/submitit" in text and not has_module(EXTRAS["slurm"][0]):
        text += ("\nthe Slurm launcher is the optional extra 'slurm', which is not "
                 "installed: pip install 'allonet[slurm]' (make venv installs every extra)")
    print(f"allonet: {text}", file=sys.stderr, flush=True)


def run_and_report(func: Callable[[], Any]) -> Any:
    """Hydra's ``run_and_report`` with allonet's exit codes.

    Hydra reports every exception raised while it composes the config or parses overrides
    with exit status 1, like a crash. allonet's task function handles its own failures
    (and exits with their code), so what reaches here is Hydra's: composition errors and
    bad override syntax are bad input (2, a message without a traceback); anything else is
    an internal error (1, with the traceback). ``HYDRA_FULL_ERROR=1`` re-raises as Hydra
    does.
    """
    try:
        return func()
    except Exception as exc:  # noqa: BLE001 - classified and reported, then exit
        if os.environ.get("HYDRA_FULL_ERROR") == "1":
            raise
        code = exit_code(exc)
        report(exc, code)
        sys.exit(code)
