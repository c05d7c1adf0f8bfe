"""Worker processes that die with their parent.

A cohort's blocks and a run's probes run side by side in ``spawn``ed worker processes.
If the parent is killed (``kill -9``, an OOM kill, a Slurm time limit), a plain
``ProcessPoolExecutor`` leaves its workers computing under init. Every allonet pool is
made by :func:`process_pool`, whose workers

- ask Linux to send them ``SIGKILL`` when their parent dies (``prctl(PR_SET_PDEATHSIG)``,
  set before they take any work), and
- on every platform also watch their parent's pid from a daemon thread (every
  :data:`WATCH_S` seconds) and exit when it has gone (the parent-death signal follows
  the creating *thread*; the watch follows the process).
"""

from __future__ import annotations

import concurrent.futures as cf
import ctypes
import multiprocessing as mp
import os
import signal
import sys
import threading
import time

#: Seconds between two checks of the parent's pid by a worker.
WATCH_S = 1.0
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _watch(parent: int) -> None:
    while True:
        time.sleep(WATCH_S)
        if os.getppid() != parent:
            os._exit(1)  # the parent is gone: nobody will read this worker's results


def die_with_parent(parent: int) -> None:
    """Initializer of a worker process: exit when process ``parent`` is gone."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the watch below still works
            pass
    if os.getppid() != parent:  # died before the signal was armed
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), name="allonet-parent-watch",
                     daemon=True).start()


def process_pool(workers: int) -> cf.ProcessPoolExecutor:
    """A ``spawn`` process pool of ``workers`` processes that die with this process."""
    return cf.ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"),
                                  initializer=die_with_parent, initargs=(os.getpid(),))


__all__ = ["WATCH_S", "die_with_parent", "process_pool"]
