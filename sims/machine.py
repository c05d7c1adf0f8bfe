"""What this machine offers (memory), for estimates checked before anything runs.

A core module: configuration validation and the cohort engine both use it, so it imports
nothing of allonet.
"""

from __future__ import annotations

#: Bytes assumed when the machine cannot tell (no psutil, no /proc) [assumption].
FALLBACK_BYTES = 4 << 30


def available_memory() -> int:
    """Bytes of memory available now (``psutil``; 4 GiB [assumption] if it cannot tell)."""
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except Exception:  # noqa: BLE001 - no psutil or no /proc: a conservative guess
        return FALLBACK_BYTES


def total_memory() -> int:
    """Bytes of physical memory of this machine (``psutil``; 4 GiB if it cannot tell)."""
    try:
        import psutil

        return int(psutil.virtual_memory().total)
    except Exception:  # noqa: BLE001 - no psutil or no /proc: a conservative guess
        return FALLBACK_BYTES


def gib(n: float) -> str:
    """Bytes as GiB (or MiB below 1 GiB), for messages."""
    return f"{n / 2**30:.1f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"
