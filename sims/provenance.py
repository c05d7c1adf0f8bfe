"""Provenance of a run: versions, git commit, timestamps."""

from __future__ import annotations

import json
import platform
import subprocess
from datetime import UTC, datetime
from functools import cache
from importlib import metadata
from pathlib import Path

from sims import __version__

SOURCE_DIR = Path(__file__).resolve().parent.parent

#: Distributions whose versions can change a result's numbers or its file, recorded in
#: every result (``versions_json``).
KEY_PACKAGES = ("brian2", "numpy", "scipy", "sympy", "cython", "h5py", "hydra-core",
                "omegaconf", "pandas", "xarray")


def git_commit() -> str:
    """HEAD of the source tree, with ``-dirty`` if it has uncommitted changes."""
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=SOURCE_DIR, capture_output=True,
                             text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=SOURCE_DIR, capture_output=True, text=True,
                               timeout=10).stdout.strip()
        return sha + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def now_iso() -> str:
    """Current UTC time, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@cache
def package_versions() -> dict[str, str]:
    """Installed versions of :data:`KEY_PACKAGES` (``"absent"`` if not installed), Python's
    and the platform's."""
    out = {"python": platform.python_version(), "platform": platform.platform(terse=True)}
    for name in KEY_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


def versions() -> dict[str, str]:
    """Version attributes stored in every result file."""
    v = package_versions()
    return {"allonet_version": __version__, "brian2_version": v["brian2"],
            "versions_json": json.dumps(v, sort_keys=True)}
