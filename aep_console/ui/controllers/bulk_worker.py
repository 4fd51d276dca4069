"""Runs one bulk send (services.bulk.BulkRun) on a worker thread with its own asyncio loop and its
own AEPSession, so that validation, serialisation, 207 parsing, journal fsyncs and redaction never
stall the window.

Rules that keep Qt safe (../shared/docs/testing-notes.md: a thread + Python's cyclic GC deleting
Qt objects off the GUI thread crashes at random):
- the thread touches no Qt object: it only fills an ``Inbox`` (deques of plain values) that the GUI
  drains on a QTimer, and is controlled through ``loop.call_soon_threadsafe``;
- while it runs, automatic garbage collection is off; the GUI thread collects the young
  generations itself (``collect_young``), so no collection can ever start on the worker thread;
- ``sys.setswitchinterval`` is lowered meanwhile, so the GUI thread gets the GIL back quickly.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import sys
import threading
from collections import deque
from typing import Any

log = logging.getLogger(__name__)
SWITCH_INTERVAL = 0.001


class Inbox:
    """What the worker hands to the GUI thread (appends and pops are atomic under the GIL)."""

    def __init__(self) -> None:
        self.progress: Any = None
        self.results: deque = deque()
        self.exchanges: deque = deque()

    def drain(self, dq: deque, limit: int | None = None) -> list:
        out: list = []
        pop = dq.popleft
        n = len(dq) if limit is None else min(limit, len(dq))
        for _ in range(n):
            out.append(pop())
        return out


class _GcGuard:
    """Automatic GC off (process-wide) while any worker runs; restored after the last one."""

    _count = 0
    _was_enabled = True
    _switch = 0.005

    @classmethod
    def enter(cls) -> None:
        if cls._count == 0:
            cls._was_enabled = gc.isenabled()
            cls._switch = sys.getswitchinterval()
            gc.disable()
            sys.setswitchinterval(SWITCH_INTERVAL)
        cls._count += 1

    @classmethod
    def leave(cls) -> None:
        cls._count -= 1
        if cls._count == 0:
            sys.setswitchinterval(cls._switch)
            if cls._was_enabled:
                gc.enable()


def lower_priority(nice: int = 10) -> None:
    """Let the OS prefer the GUI thread over this one when the CPUs are busy (Linux: per thread)."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)


def collect_young() -> None:
    """Called on the GUI thread while a worker runs: what automatic GC would have done, cheaply."""
    gc.collect(0)


class BulkWorker:
    """``BulkWorker(make)``: ``make()`` returns ``(session, BulkRun)`` and is called on the worker
    thread (building an httpx client loads the CA bundle: ~60 ms the window need not wait for);
    its exceptions (``RunExists`` …) come back as ``error``."""

    def __init__(self, make) -> None:
        self._make = make
        self.session: Any = None
        self.run: Any = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.report: Any = None
        self.error: BaseException | None = None
        self.done = threading.Event()
        self._thread = threading.Thread(target=self._main, name="bulk-send", daemon=True)

    def start(self) -> None:
        _GcGuard.enter()
        self._thread.start()

    def _main(self) -> None:
        lower_priority()
        loop = asyncio.new_event_loop()
        self.loop = loop
        try:
            self.report = loop.run_until_complete(self._go())
        except BaseException as exc:
            self.error = exc
        finally:
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()
                self.done.set()

    async def _go(self) -> Any:
        self.session, self.run = self._make()
        try:
            return await self.run.start()
        finally:
            await self.session.aclose()

    def call(self, name: str) -> None:
        """Call ``run.<name>()`` (pause / resume / cancel) on the worker's loop."""
        loop = self.loop

        def fn() -> None:
            if self.run is not None:
                getattr(self.run, name)()

        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # closed meanwhile
                loop.call_soon_threadsafe(fn)

    def finish(self) -> None:
        """Called once on the GUI thread after ``done``: GC back on, a young collection."""
        self._thread.join(5)
        _GcGuard.leave()
        collect_young()
