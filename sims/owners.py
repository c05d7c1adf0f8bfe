"""Which process owns a temporary file or folder: names carry the writer's host and pid
(``...-<host>-<pid>``), so leftovers of killed processes can be told from the work of live
ones and removed safely. A leaf module (standard library only).
"""

from __future__ import annotations

import os
import re
import socket
import time
from pathlib import Path

#: Leftovers of another machine (or without host and pid in their name) are removed only
#: when older than this, so a live writer elsewhere is never touched.
FOREIGN_AGE_S = 24 * 3600.0


def host_tag() -> str:
    """This machine's name as it appears in owner tags (letters, digits, '.', '-')."""
    return re.sub(r"[^A-Za-z0-9.-]", "", socket.gethostname()) or "host"


def owner_tag() -> str:
    """``<host>-<pid>`` of this process."""
    return f"{host_tag()}-{os.getpid()}"


def alive_here(pid: int) -> bool:
    """Whether process ``pid`` of this machine is running."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_stale(path: Path, tag: str) -> bool:
    """Whether ``path``, whose name ends in the owner ``tag`` (``<host>-<pid>``, or a bare
    pid from older versions), was left by a process that is no longer running.

    This machine: its pid must be gone. Another machine (or no pid): older than a day.
    """
    host, _, pid = tag.rpartition("-")
    try:
        old = time.time() - path.stat().st_mtime > FOREIGN_AGE_S
    except FileNotFoundError:  # its owner just renamed or removed it
        return False
    if not pid.isdigit():
        return old
    if host == host_tag():
        return not alive_here(int(pid))
    if host == "":  # an older name with a pid only: assume this machine, or old
        return not alive_here(int(pid)) or old
    return old
