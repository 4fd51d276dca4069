"""Background work gives way to the window: a lower CPU priority for a thread, or for a whole helper
process (the bulk-send worker, the embedded sandbox).

On Linux a nice value belongs to a thread (threads started later inherit their creator's), so a
process lowers its priority first thing, before it starts any. With the kernel's autogroup
scheduling (most desktop distributions) nice values only weigh against processes of the same session:
a helper that leads its own session (the sandbox is started with ``start_new_session``) would get a
whole share of the CPUs beside the window's session, whatever its nice value, so it lowers its
session group's priority too (``/proc/self/autogroup``). Raising a nice value needs no privilege;
where the OS refuses, the work simply runs at normal priority.
"""

from __future__ import annotations

import contextlib
import os
import threading

BACKGROUND_NICE = 10


def lower_thread_priority(nice: int = BACKGROUND_NICE) -> None:
    """Let the OS prefer the window's thread over the calling thread when the CPUs are busy."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)


def run_in_background(nice: int = BACKGROUND_NICE) -> None:
    """The calling process at a lower priority: its main thread, every thread it starts afterwards and,
    when it leads its own session, its session's scheduling group (Linux autogroup)."""
    with contextlib.suppress(AttributeError, OSError):  # who=0: the calling thread on Linux, the process elsewhere
        os.setpriority(os.PRIO_PROCESS, 0, nice)
    with contextlib.suppress(AttributeError, OSError):
        if os.getsid(0) == os.getpid():
            with open("/proc/self/autogroup", "w") as fh:
                fh.write(str(nice))
