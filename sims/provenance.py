"""Provenance of a run: versions, git commit, timestamps."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import brian2 as b2

from sims import __version__

SOURCE_DIR = Path(__file__).resolve().parent.parent


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


def versions() -> dict[str, str]:
    """Versions stored in every result file."""
    return {"allonet_version": __version__, "brian2_version": b2.__version__}
