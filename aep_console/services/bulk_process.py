"""One bulk send (``BulkRun``) in a process of its own, controlled and reported over a pipe.

The window runs its bulk sends this way, so that the engine's work (reading, validation, serialisation,
answers, journal) never shares an interpreter lock with the GUI. The parent starts
``python -m aep_console.services.bulk_process FD`` with one end of a socket pair (``FD``), then sends a
``BulkJob`` and the secret (over the pipe: never in argv, the environment or a file). The child sends
back, at most 25 times a second, ``("news", progress, [RecordResult fields as a tuple…], [Exchange…])``
(``result_of`` turns a tuple back into a ``RecordResult``), and at the end
``("done", RunReport)`` or ``("error", kind, message, state)``. The parent sends ``"pause"``, ``"resume"`` or
``"cancel"``; when the pipe closes (the window quit or was killed) the run is cancelled, stays
resumable from its journal, and the process exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from ..priority import run_in_background
from .engine_types import RecordResult

log = logging.getLogger(__name__)
NEWS_EVERY = 0.04  # seconds


@dataclass
class BulkJob:
    profile: Any  # ConnectionProfile (already pointed at the running sandbox when local)
    path: str
    target: Any  # SendTarget
    mode: str = "new"  # new | resume | restart
    options: Any = None  # EngineOptions
    resolved_schema: dict | None = None  # the validator's schema, when the window has it already
    exchange_body_limit: int = 4096
    reconcile: bool = True  # after the run, move records AEP failed after acknowledging them to the dead letters
    extra: dict = field(default_factory=dict)


def result_of(fields: tuple) -> RecordResult:
    return RecordResult(*fields)


class _Outbox:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.progress: Any = None
        self.results: list = []
        self.exchanges: list = []

    def result(self, r: Any) -> None:
        # a plain tuple: a dataclass costs ~10 µs to unpickle on the window's side, a tuple well under 1
        self.results.append((r.index, r.line, r.status, r.attempts, r.http_status, r.xaction_id, r.reason))

    def exchange(self, exchange: Any) -> None:
        self.exchanges.append(exchange)

    def send_news(self) -> None:
        if self.progress is None and not self.results and not self.exchanges:
            return
        news = ("news", self.progress, self.results, self.exchanges)
        self.progress, self.results, self.exchanges = None, [], []
        self.conn.send(news)


async def _run(conn: Connection, job: BulkJob, secret: str) -> None:
    from ..aep.config import ClientCredentials
    from ..aep.session import AEPSession
    from ..xdm.validate import compile_validator
    from .bulk import BulkRun
    from .reconcile import mark_start

    out = _Outbox(conn)
    prof = job.profile
    session = AEPSession(prof.endpoints(), ClientCredentials(prof.client_id, lambda: secret, prof.scopes),
                         prof.org_id, prof.sandbox_name, on_exchange=out.exchange,
                         exchange_body_limit=job.exchange_body_limit)
    loop = asyncio.get_running_loop()
    run: Any = None

    def command() -> None:
        try:
            what = conn.recv()
        except (EOFError, OSError):  # the window is gone: stop, resumably
            loop.remove_reader(conn.fileno())
            what = "cancel"
        if run is not None and what in ("pause", "resume", "cancel"):
            getattr(run, what)()

    try:
        validator = compile_validator(job.resolved_schema) if job.resolved_schema else None
        try:
            run = BulkRun(session, job.path, job.target, resume=job.mode == "resume", restart=job.mode == "restart",
                          validator=validator, options=job.options,
                          on_progress=lambda p: setattr(out, "progress", p), on_result=out.result)
        except Exception as exc:  # RunExists (with the interrupted run's journal state), a missing file …
            conn.send(("error", type(exc).__name__, str(exc), getattr(exc, "state", None)))
            return
        loop.add_reader(conn.fileno(), command)

        async def news() -> None:
            with contextlib.suppress(OSError):  # the window went away: command() cancels the run
                while True:
                    await asyncio.sleep(NEWS_EVERY)
                    out.send_news()

        ticker = asyncio.create_task(news())
        mark_start(run)
        try:
            report = await run.start()
        except Exception as exc:
            log.exception("bulk send failed")
            ticker.cancel()
            out.send_news()
            conn.send(("error", type(exc).__name__, str(exc)))
            return
        ticker.cancel()
        if job.reconcile and (report.progress.accepted or report.resumed):
            await _reconcile(session, run, report, out, wait=not prof.is_local)
        out.send_news()
        conn.send(("done", report))
    finally:
        with contextlib.suppress(Exception):
            loop.remove_reader(conn.fileno())
        await session.aclose()


async def _reconcile(session: Any, run: Any, report: Any, out: _Outbox, *, wait: bool) -> None:
    """As the command line does after a send: records AEP failed after acknowledging them become dead
    letters, counted in the report; while AEP's batches close the window sees a countdown."""
    from .reconcile import reconcile_run

    p = report.progress

    def waiting(left: float, open_batches: int) -> None:
        p.message = f"Reconciling: waiting for {open_batches} batch(es) to close on AEP, {left:.0f} s left"
        out.progress = p
        out.send_news()

    try:
        result = await reconcile_run(session, run, wait=wait, on_wait=waiting)
    except Exception as exc:  # the records were sent: a failed check is said, not a failed run
        log.warning("reconciling the run failed: %s", exc)
        p.message = f"Not reconciled ({exc}): records AEP failed after acknowledging them are not counted"
        return
    result.apply(report)
    p.message = result.summary() if result.moved or result.open_batches else None


def main(argv: list[str]) -> int:
    fd = int(argv[0])
    conn = Connection(fd)
    run_in_background()  # the window first when the cores are busy
    try:
        job, secret, log_level = conn.recv()
    except EOFError:
        return 0
    logging.basicConfig(level=log_level, stream=sys.stderr, format="bulk-send %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore"):  # one line per request otherwise
        logging.getLogger(noisy).setLevel(max(log_level, logging.WARNING))
    try:
        asyncio.run(_run(conn, job, secret))
    except (BrokenPipeError, ConnectionResetError):  # the window went away while we reported
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
