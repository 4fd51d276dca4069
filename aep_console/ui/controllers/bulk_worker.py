"""Runs one bulk send in a worker subprocess (``services.bulk_process``), so that the engine never
shares the interpreter lock with the window.

    worker = BulkWorker(job, secret); worker.start()
    worker.poll()      # on the GUI's timer: (progress, results, exchanges) that arrived; sets done/report/error
    worker.call("pause" | "resume" | "cancel")
    worker.stop()      # the window closes: cancel (resumable), wait a little, then end the process

The pipe is a socket pair: the child gets one end by file descriptor; the job and the secret go over
it (never argv, environment or a file). When the window's process dies, the child sees the pipe close,
cancels the run (it stays resumable from its journal) and exits.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import subprocess
import sys
import time
from multiprocessing.connection import Connection
from typing import Any

log = logging.getLogger(__name__)


class WorkerError(Exception):
    """A failure reported by the worker process: ``kind`` is the exception's class name there."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def lower_priority(nice: int = 10) -> None:
    """Let the OS prefer the GUI thread over the calling thread when the CPUs are busy (Linux: per thread)."""
    import threading

    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)


def worker_command(fd: int) -> list[str]:
    if getattr(sys, "frozen", False):  # a frozen build starts its own executable with a subcommand
        return [sys.executable, "bulk-worker", str(fd)]
    return [sys.executable, "-m", "aep_console.services.bulk_process", str(fd)]


class BulkWorker:
    def __init__(self, job: Any, secret: str) -> None:
        self.job, self._secret = job, secret
        self.proc: subprocess.Popen | None = None
        self.conn: Connection | None = None
        self.report: Any = None
        self.error: BaseException | None = None
        self.done = False

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def start(self) -> None:
        mine, theirs = socket.socketpair()
        try:
            env = dict(os.environ)
            root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
            env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
            self.proc = subprocess.Popen(worker_command(theirs.fileno()), pass_fds=(theirs.fileno(),), env=env,
                                         stdin=subprocess.DEVNULL)
        finally:
            theirs.close()
        self.conn = Connection(mine.detach())
        self.conn.send((self.job, self._secret, logging.getLogger().getEffectiveLevel()))
        self._secret = ""

    def poll(self, budget: float = 0.008) -> tuple[Any, list, list]:
        """What the worker reported since the last call (reads for at most ``budget`` seconds)."""
        progress, results, exchanges = None, [], []
        conn = self.conn
        if conn is None or self.done:
            return progress, results, exchanges
        deadline = time.monotonic() + budget
        try:
            while conn.poll() and time.monotonic() < deadline:
                msg = conn.recv()
                if msg[0] == "news":
                    progress = msg[1] if msg[1] is not None else progress
                    results.extend(msg[2])
                    exchanges.extend(msg[3])
                elif msg[0] == "done":
                    self.report = msg[1]
                    self._end()
                    break
                elif msg[0] == "error":
                    self.error = WorkerError(msg[1], msg[2])
                    self._end()
                    break
        except (EOFError, OSError):
            if not self.done:
                code = self.proc.poll() if self.proc else None
                self.error = WorkerError("WorkerExited", f"the bulk send process ended unexpectedly (exit {code})")
                self._end()
        return progress, results, exchanges

    def _end(self) -> None:
        self.done = True
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(5)

    def call(self, name: str) -> None:
        """``pause`` / ``resume`` / ``cancel`` the run in the worker."""
        if self.conn is not None and not self.done:
            with contextlib.suppress(OSError):
                self.conn.send(name)

    def stop(self, timeout: float = 10.0) -> None:
        """The window closes: cancel (the run stays resumable), then make sure the process ends."""
        proc = self.proc
        if proc is None:
            return
        self.call("cancel")
        if self.conn is not None:
            self.conn.close()  # the worker also cancels when it sees the pipe close
            self.conn = None
        self.done = True
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning("the bulk send process did not stop in %.0f s; terminating it", timeout)
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5)
            if proc.poll() is None:
                proc.kill()
