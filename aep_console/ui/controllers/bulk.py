"""Bulk send from a file (services.bulk.BulkRun) for the record editor.

The run executes in a worker subprocess (``bulk_worker``, ``services.bulk_process``) that reports over
a pipe; this controller reads it on a QTimer (25 Hz, a few milliseconds at most per tick): a progress
snapshot, the new result rows, the exchanges for the history and the inspector. Pause, resume and
cancel go the other way. The window shares no interpreter lock with the engine."""

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
from ...services.bulk_process import result_of
from ...services.diagnosis import Diagnoser
from ...services.engine_types import ABORTED, CANCELLED, DONE
from ..models.results import interrupted_text, run_summary
from .bulk_worker import BulkWorker

log = logging.getLogger(__name__)
ENDED = (DONE, CANCELLED, ABORTED)
FLUSH_MS = 40  # the GUI takes the worker's news 25 times a second (small slices of work: the young
# rows each tick are proportional to the time since the last one) …
ROW_BUDGET_S = 0.003  # … turning at most this long of the reported results into rows per tick …
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


def gui_options(validate: bool, stop_after_failures: int | None = None, concurrency: int | None = None,
                max_rate: float | None = None):
    """Engine options for a send from the window (the engine runs in a worker process: the command
    line's batch sizes)."""
    from ...services.engine_types import EngineOptions

    return EngineOptions(validate=validate, stop_after_failures=stop_after_failures or None,
                         max_messages_per_second=max_rate or None,
                         **({"concurrency": concurrency} if concurrency else {}))


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
        self._pending: deque[tuple] = deque()  # result tuples reported, not yet turned into rows
        self._report = None  # the run's report, held until the pending results are rows
        self._history_hook = None  # records the worker's exchanges in the history, under the run
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
            # over the last seconds while it runs; a run that ended shows its own average
            self._rate = overall if p.state in ENDED or now - t0 <= 0.05 else (done - d0) / (now - t0)
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
        worker = self.worker
        if worker is not None:
            progress, results, exchanges = worker.poll()
            for ex in exchanges:
                if self._history_hook is not None:
                    self._history_hook(ex)
                self.ctx.sessions.record_exchange(ex)
            self._pending.extend(results)
            if progress is not None:
                self.progress = progress
        pending, on_result = self._pending, self._on_result
        deadline = time.perf_counter() + ROW_BUDGET_S
        while pending and time.perf_counter() < deadline:  # the rest waits for the next tick
            for _ in range(min(256, len(pending))):
                on_result(result_of(pending.popleft()))
        now = time.monotonic()
        if self._rows and (final or now - self._rows_at >= ROWS_EVERY_S):
            self._rows_at = now
            rows, self._rows = self._rows, []
            self.results.extend(rows)
            self.editor.bulk_rows.emit(rows)
            # the rows (one object per record) stay for the life of the panel: a full collection that
            # traversed them took 0.1-0.2 s per 200,000 (measured), so they leave the collector's
            # view as they arrive (gc.freeze moves what is alive now to the permanent generation, O(1))
            gc.freeze()
        snap = self.snapshot()
        if snap is not None:
            self.editor.bulk_progress.emit(snap)
        if self._report is not None and not pending:
            report, self._report = self._report, None
            self._finished(report)

    # --- control --------------------------------------------------------------------------------
    def start(self, path: str, mode: str = "new", *, local: bool = True) -> None:

        if (self.task is not None and not self.task.done()) or self._report is not None:
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
        from ...logging_setup import REDACTOR
        from ...services.bulk_process import BulkJob
        from .session import EXCHANGE_BODY_LIMIT

        sessions, profile = self.ctx.sessions, self.ctx.profile
        validator = self.editor.validator
        run_label = f"{Path(path).name} at {time.strftime('%H:%M:%S')}"  # the history groups the run's requests
        options = gui_options(local, self.editor.stop_after_failures(), self.editor.concurrency(),
                              self.editor.max_rate())
        job = BulkJob(profile, path, target, mode, options,
                      validator.resolved if validator is not None else None, EXCHANGE_BODY_LIMIT)
        try:
            source = sessions.secret_source
            secret = (source() if callable(source) else source) or self.ctx.profiles.secret_for(profile)
        except Exception as exc:  # the keyring refused: say so, start nothing
            self.editor.bulk_not_started.emit(f"Not started: {exc}", "error")
            return
        REDACTOR.add_secret(secret)
        sessions.writer.add_secret(secret)
        self._history_hook = sessions.writer.hook(profile.name, run_label)
        self.progress = None
        self._pending.clear()
        self._report = None
        self._rows, self.results = [], []
        self._window.clear()
        self.diagnoser = Diagnoser()
        self._paused = False
        self._paused_total, self._paused_since, self._rate = 0.0, None, 0.0
        self._started_at = time.monotonic()
        self.editor.bulk_started.emit(None)
        self.worker = BulkWorker(job, secret)
        self.worker.start()
        self._timer.start()
        self.task = self.ctx.run("bulk-send", self._wait(self.worker), on_done=self._done, on_error=self._error)

    async def _wait(self, worker: BulkWorker):
        try:
            while not worker.done:
                await asyncio.sleep(0.05)
            for _ in range(200):  # the process exits on its own after its report
                if worker.exited:
                    break
                await asyncio.sleep(0.05)
            else:
                worker.stop(0)
        except asyncio.CancelledError:
            worker.call("cancel")  # the window is closing: stop the run, keep it resumable
            for _ in range(200):
                self.flush()
                if worker.done:
                    break
                await asyncio.sleep(0.05)
            worker.stop()
            raise
        if worker.error is not None:
            raise worker.error
        return worker.report

    def shutdown(self) -> None:
        """The window is going away: end the worker process (the run stays resumable)."""
        self._timer.stop()
        if self.worker is not None and not self.worker.done:
            self.worker.stop()

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
        """The run ended; its report is shown once every result reported is a row (a few ticks)."""
        self._report = report
        self.flush()

    def _finished(self, report) -> None:
        self._timer.stop()
        self.flush(final=True)
        self.progress = report.progress
        gc.freeze()  # the last rows too (see flush)
        kind = "success" if report.ok else "warning" if report.state == "done" else "error"
        self.editor.bulk_finished.emit(run_summary(report), kind, report.state == "done")
        diagnosis = self.diagnoser.verdict(report.progress.read, sent=not getattr(self, "local", True),
                                           **self.editor.target_words())
        if diagnosis.kind:
            self.editor.bulk_diagnosed.emit(diagnosis)

    def _error(self, exc: BaseException) -> None:
        from ...services.bulk import RunExists

        self._timer.stop()
        while self._pending:
            self.flush()
        self.flush(final=True)
        if isinstance(exc, RunExists) or getattr(exc, "kind", None) == RunExists.__name__:
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
