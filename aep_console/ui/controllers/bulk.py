"""Bulk send from a file (services.bulk.BulkRun) for the record editor.

The run executes on a worker thread (``bulk_worker``); its callbacks only fill an inbox, which
this controller drains on a QTimer (25 Hz): a snapshot, the new result rows, the exchanges for the
history and the inspector. A 100,000-record send never floods nor stalls the event loop."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from ... import paths
from ...services.diagnosis import Diagnoser
from ..models.results import interrupted_text, run_summary
from .bulk_worker import BulkWorker, Inbox, collect_young

log = logging.getLogger(__name__)
FLUSH_MS = 40  # the GUI takes the worker's news 25 times a second (small slices of work: the young
# garbage collection and the rows each tick are proportional to the time since the last one) …
FLUSH_MAX_ROWS = 800  # … at most this many result rows at a time (20,000/s: more than a send makes) …
ROWS_EVERY_S = 0.25  # … while the results table takes its new rows 4 times a second (each insert repaints it)


@dataclass(frozen=True)
class BulkSnapshot:
    done: int
    total: int | None
    ok: int
    failed: int
    rate: float  # records/s over the last seconds
    eta: float | None
    elapsed: float
    fraction: float | None
    paused: bool
    message: str = ""


def gui_options(validate: bool, stop_after_failures: int | None = None, concurrency: int | None = None):
    """Engine options for a send from the GUI thread: smaller batches than the command line's,
    so that parsing one 207 answer and journaling one batch never stalls the window."""
    from ...services.engine_types import EngineOptions

    return EngineOptions(validate=validate, max_batch_messages=GUI_BATCH_MESSAGES, max_batch_bytes=GUI_BATCH_BYTES,
                         stop_after_failures=stop_after_failures or None,
                         **({"concurrency": concurrency} if concurrency else {}))


GUI_BATCH_MESSAGES = 500
GUI_BATCH_BYTES = 300_000


def convert_int_ids(path: Path, out: Path) -> int:
    """Write ``path`` (JSON array or JSON Lines) to ``out`` with integer top-level ``_id`` values
    (and ``_id`` inside streaming envelopes) quoted. Returns how many were converted."""
    text = path.read_text("utf-8-sig")
    stripped = text.lstrip()
    n = 0

    def fix(rec):
        nonlocal n
        if isinstance(rec, dict):
            target = rec.get("body", {}).get("xdmEntity", rec) if isinstance(rec.get("body"), dict) else rec
            if isinstance(target.get("_id"), int) and not isinstance(target.get("_id"), bool):
                target["_id"] = str(target["_id"])
                n += 1
        return rec

    if stripped.startswith("["):
        data = [fix(r) for r in json.loads(text)]
        out.write_text("[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in data) + "\n]\n", "utf-8")
    else:
        lines = [json.dumps(fix(json.loads(line)), ensure_ascii=False) for line in text.splitlines() if line.strip()]
        out.write_text("\n".join(lines) + "\n", "utf-8")
    return n


class BulkController(QObject):
    def __init__(self, editor) -> None:
        super().__init__(editor)
        self.editor = editor
        self.ctx = editor.ctx
        self.worker: BulkWorker | None = None
        self.inbox: Inbox | None = None
        self.task: asyncio.Task | None = None
        self.progress = None
        self._rows: list = []
        self._window: deque[tuple[float, int]] = deque(maxlen=64)
        self.diagnoser = Diagnoser()
        self._paused = False
        self._paused_total, self._paused_since, self._rate = 0.0, None, 0.0
        self._started_at = time.monotonic()
        self.results: list = []
        self._rows_at = 0.0
        self._timer = QTimer(self, interval=FLUSH_MS)
        self._timer.timeout.connect(self.flush)

    # --- results drained from the worker's inbox (GUI thread) ----------------------------------------
    def _on_result(self, result) -> None:
        self._rows.append(result)
        self.diagnoser.add(result.status, result.reason)

    # --- to the GUI -----------------------------------------------------------------------------
    def snapshot(self) -> BulkSnapshot | None:
        p = self.progress
        if p is None:
            return None
        done = p.finished
        now = time.monotonic()
        # paused time counts for nothing: not in the elapsed time, the rate, the ETA nor the plot
        paused = self._paused_total + (now - self._paused_since if self._paused_since is not None else 0.0)
        elapsed = max(0.0, min(p.elapsed, now - self._started_at) - paused)
        if self._paused_since is None:
            self._window.append((now, done))
            while len(self._window) > 2 and now - self._window[0][0] > 3.0:
                self._window.popleft()
            t0, d0 = self._window[0]
            overall = (p.accepted + p.failed) / elapsed if elapsed > 0 else 0.0
            self._rate = (done - d0) / (now - t0) if now - t0 > 0.05 else overall
        rate = self._rate
        fraction = p.fraction
        eta = None
        if fraction and 0 < fraction < 1 and elapsed > 0.5:
            eta = elapsed * (1 - fraction) / fraction
        elif fraction == 1:
            eta = 0.0
        return BulkSnapshot(done, None, p.accepted, p.dead_lettered, rate, eta, elapsed, fraction,
                            self._paused, p.message or "")

    def flush(self, final: bool = False) -> None:
        inbox = self.inbox
        if inbox is not None:
            for ex in inbox.drain(inbox.exchanges):
                self.ctx.sessions.record_exchange(ex)
            for r in inbox.drain(inbox.results, FLUSH_MAX_ROWS):  # the rest waits for the next tick
                self._on_result(r)
            if inbox.progress is not None:
                self.progress = inbox.progress
            if self.worker is not None and not self.worker.done.is_set():
                collect_young()
        now = time.monotonic()
        if self._rows and (final or now - self._rows_at >= ROWS_EVERY_S):
            self._rows_at = now
            rows, self._rows = self._rows, []
            self.results.extend(rows)
            self.editor.bulk_rows.emit(rows)
        snap = self.snapshot()
        if snap is not None:
            self.editor.bulk_progress.emit(snap)

    # --- control --------------------------------------------------------------------------------
    def start(self, path: str, mode: str = "new", *, local: bool = True) -> None:
        from ...services.bulk import BulkRun

        if self.task is not None and not self.task.done():
            return
        if self.ctx.session is None:
            self.editor.bulk_not_started.emit("Not connected: choose a connection profile first.", "error")
            return
        try:
            target = self.editor.send_target()
        except ValueError as exc:
            self.editor.bulk_not_started.emit(f"Not started: {exc}", "error")
            return
        if not Path(path).is_file():
            self.editor.bulk_not_started.emit(f"Not started: {path}: no such file", "error")
            return
        self.last_path, self.local = path, local
        inbox = Inbox()
        sessions, profile, secret = self.ctx.sessions, self.ctx.profile, self.ctx.sessions.secret_source
        validator = self.editor.validator
        run_label = f"{Path(path).name} at {time.strftime('%H:%M:%S')}"  # the history groups the run's requests

        def make():  # on the worker thread: a session of its own (an httpx client belongs to one loop)
            session = sessions.make_session(profile, secret, on_exchange=inbox.exchanges.append, run=run_label)
            run = BulkRun(session, path, target, resume=mode == "resume", restart=mode == "restart",
                          validator=validator, options=gui_options(local, self.editor.stop_after_failures(),
                                                            self.editor.concurrency()),
                          on_progress=lambda p: setattr(inbox, "progress", p), on_result=inbox.results.append)
            return session, run  # (a client never used holds no connection: nothing to close on failure)

        self.progress = None
        self._rows, self.results = [], []
        self._window.clear()
        self.diagnoser = Diagnoser()
        self._paused = False
        self._paused_total, self._paused_since, self._rate = 0.0, None, 0.0
        self._started_at = time.monotonic()
        self.editor.bulk_started.emit(None)
        self.inbox = inbox
        self.worker = BulkWorker(make)
        self.worker.start()
        self._timer.start()
        self.task = self.ctx.run("bulk-send", self._wait(self.worker), on_done=self._done, on_error=self._error)

    async def _wait(self, worker: BulkWorker):
        try:
            while not worker.done.is_set():
                await asyncio.sleep(0.05)
        except asyncio.CancelledError:
            worker.call("cancel")  # the window is closing: stop the run, keep it resumable
            for _ in range(200):
                if worker.done.is_set():
                    break
                await asyncio.sleep(0.05)
            raise
        finally:
            if worker.done.is_set():
                worker.finish()
        if worker.error is not None:
            raise worker.error
        return worker.report

    @property
    def run(self):
        return self.worker.run if self.worker is not None else None

    def pause(self, paused: bool) -> None:
        if self.worker is None:
            return
        self._paused = paused
        now = time.monotonic()
        if paused and self._paused_since is None:
            self._paused_since = now
        elif not paused and self._paused_since is not None:
            self._paused_total += now - self._paused_since
            self._paused_since = None
            self._window.clear()  # the rate after a pause is measured from the resume
        self.worker.call("pause" if paused else "resume")
        self.flush(final=True)

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.call("cancel")

    def _done(self, report) -> None:
        self._timer.stop()
        while self.inbox is not None and self.inbox.results:
            self.flush()
        self.flush(final=True)
        self.progress = report.progress
        # the results just kept (up to one object per record) would otherwise be traversed by every
        # later full collection (~100 ms per 100,000): they are long-lived, move them out of its way
        gc.freeze()
        kind = "success" if report.ok else "warning" if report.state == "done" else "error"
        self.editor.bulk_finished.emit(run_summary(report), kind, report.state == "done")
        diagnosis = self.diagnoser.verdict(report.progress.read, sent=not getattr(self, "local", True),
                                           **self.editor.target_words())
        if diagnosis.kind:
            self.editor.bulk_diagnosed.emit(diagnosis)

    def _error(self, exc: BaseException) -> None:
        from ...services.bulk import RunExists

        self._timer.stop()
        while self.inbox is not None and self.inbox.results:
            self.flush()
        self.flush(final=True)
        if isinstance(exc, RunExists):
            self.editor.bulk_not_started.emit("Not started: an interrupted run of this file exists.", "warning")
            self.editor.bulk_exists.emit(self.last_path, interrupted_text(exc.state))
            return
        self.editor.bulk_finished.emit(f"Bulk send failed: {exc}", "error", False)

    def fix_ids(self, path: str) -> None:
        src = Path(path)
        out_dir = paths.data_dir() / "fixed"
        out_dir.mkdir(parents=True, exist_ok=True)
        out = out_dir / f"{src.stem}.id-as-string{src.suffix or '.json'}"

        async def work() -> int:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(None, convert_int_ids, src, out)

        self.ctx.run("bulk-fix-ids", work(), on_done=lambda n: self.editor.bulk_file_fixed.emit(str(out), n),
                     on_error=lambda exc: self.editor.bulk_not_started.emit(f"Could not convert {src}: {exc}", "error"))
