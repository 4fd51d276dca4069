"""Runs one bulk send in a worker subprocess (``services.bulk_process``), so that the engine never
shares the interpreter lock with the window.

    worker = BulkWorker(job, secret); worker.start()
    worker.poll()      # on the GUI's timer: (progress, results, exchanges) that arrived; sets done/report/error
    worker.call("pause" | "resume" | "cancel")
    worker.stop()      # the window closes: cancel (resumable), wait a little, then end the process

The pipe is a socket pair: the child gets one end by file descriptor; the job and the secret go over
it (never argv, environment or a file). When the window's process dies, the child sees the pipe close,
cancels the run (it stays resumable from its journal) and exits.

The child writes ``multiprocessing.connection`` frames (a 4-byte length, then a pickle). The window's
end is non-blocking and reads only the bytes already there, decoding complete frames: a blocking
``recv`` would wait for a child that the OS descheduled half-way through a message (measured: stalls
of 100 ms under load).
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import socket
import struct
import subprocess
import sys
import time
from typing import Any

log = logging.getLogger(__name__)


class WorkerError(Exception):
    """A failure reported by the worker process: ``kind`` is the exception's class name there."""

    def __init__(self, kind: str, message: str, state: Any = None) -> None:
        super().__init__(message)
        self.kind, self.state = kind, state  # state: a RunExists's JournalState


def worker_command(fd: int) -> list[str]:
    if getattr(sys, "frozen", False):  # a frozen build starts its own executable with a subcommand
        return [sys.executable, "bulk-worker", str(fd)]
    return [sys.executable, "-m", "aep_console.services.bulk_process", str(fd)]


class BulkWorker:
    def __init__(self, job: Any, secret: str) -> None:
        self.job, self._secret = job, secret
        self.proc: subprocess.Popen | None = None
        self.conn: socket.socket | None = None
        self._buf = bytearray()
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
        self.conn = mine
        self._send((self.job, self._secret, logging.getLogger().getEffectiveLevel()))
        self._secret = ""
        mine.setblocking(False)

    def _send(self, obj: Any) -> None:
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        self.conn.sendall(struct.pack("!i", len(data)) + data)

    def _frames(self) -> list:
        """The complete messages among the bytes received so far."""
        buf, out, pos = self._buf, [], 0
        while len(buf) - pos >= 4:
            (n,) = struct.unpack_from("!i", buf, pos)
            if len(buf) - pos - 4 < n:
                break
            out.append(pickle.loads(bytes(buf[pos + 4:pos + 4 + n])))
            pos += 4 + n
        del buf[:pos]
        return out

    def poll(self, budget: float = 0.004) -> tuple[Any, list, list]:
        """What the worker reported since the last call (reads for at most ``budget`` seconds): the
        latest progress, result tuples, exchanges."""
        progress, results, exchanges = None, [], []
        conn = self.conn
        if conn is None or self.done:
            return progress, results, exchanges
        deadline = time.monotonic() + budget
        closed = False
        while time.monotonic() < deadline:
            try:
                data = conn.recv(1 << 20)
            except BlockingIOError:
                break
            except OSError:
                data = b""
            if not data:
                closed = True
                break
            self._buf += data
        for msg in self._frames():
            if msg[0] == "news":
                progress = msg[1] if msg[1] is not None else progress
                results.extend(msg[2])  # RecordResult fields as tuples (bulk_process.result_of)
                exchanges.extend(msg[3])
            elif msg[0] == "done":
                self.report = msg[1]
                self._end()
                return progress, results, exchanges
            elif msg[0] == "error":
                self.error = WorkerError(*msg[1:])
                self._end()
                return progress, results, exchanges
        if closed:
            code = self.proc.poll() if self.proc else None
            self.error = WorkerError("WorkerExited", f"the bulk send process ended unexpectedly (exit {code})")
            self._end()
        return progress, results, exchanges

    def _end(self) -> None:
        """The run ended (the process exits on its own: ``exited`` tells when; never waited for here,
        as that took ~0.4 s on the GUI thread)."""
        self.done = True
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    @property
    def exited(self) -> bool:
        return self.proc is None or self.proc.poll() is not None

    def call(self, name: str) -> None:
        """``pause`` / ``resume`` / ``cancel`` the run in the worker."""
        if self.conn is not None and not self.done:
            with contextlib.suppress(OSError):
                self._send(name)

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
