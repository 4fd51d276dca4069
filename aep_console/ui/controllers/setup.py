"""Runs one set-up workflow (services.setup, a transaction) for a wizard: every step event
becomes a line in the wizard; cancel cancels the task, and the transaction undoes what it
created before the cancellation ends; the outcome comes back as plain values."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

_STATUS_TEXT = {
    "running": ("info", "{name}…"),
    "done": ("ok", "{name}{rid}"),
    "failed": ("error", "{name}: FAILED: {error}"),
    "undoing": ("info", "Undoing: {name}…"),
    "undone": ("undo", "Undone: {name}{rid}"),
    "undo-failed": ("error", "Could not undo {name}{rid}: {undo_error}; remove it by hand"),
    "kept": ("info", "Nothing to undo for: {name}"),
    "skipped": ("info", "Skipped: {name}"),
}

Job = Callable[[Any, Callable[[Any], None]], Awaitable[Any]]


def step_line(event: Any) -> tuple[str, str] | None:
    step = event.step
    fmt = _STATUS_TEXT.get(event.status)
    if fmt is None:
        return None
    kind, text = fmt
    rid = f"  [{step.resource_id}]" if step.resource_id else ""
    return text.format(name=step.name, rid=rid, error=step.error or "", undo_error=step.undo_error or ""), kind


class SetupController(QObject):
    step = Signal(str, str)  # text, kind (ok | info | error | undo)
    step_at = Signal(int, str, str)  # step index, text, kind: one line per step, updated in place
    finished = Signal(str, str, dict)  # state (done | failed | cancelled), message, outputs

    def __init__(self, ctx, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.task: asyncio.Task | None = None
        self.report = None

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    def _progress(self, event: Any) -> None:
        line = step_line(event)
        if line is not None:
            self.step_at.emit(event.index, *line)
            self.step.emit(*line)

    def run(self, name: str, job: Job) -> None:
        """``job(workflows, on_progress)`` returns a SetupReport."""
        if self.ctx.session is None:
            self.finished.emit("failed", "Not connected: choose a connection profile first.", {})
            return
        self.task = self.ctx.run(f"setup-{name}-{id(self)}", self._run(job), on_error=self._error)

    async def _run(self, job: Job) -> None:
        from ...services.setup import SetupWorkflows

        workflows = SetupWorkflows(self.ctx.session, on_progress=self._progress)
        try:
            report = await job(workflows)
        except asyncio.CancelledError:
            self.finished.emit("cancelled", "Cancelled. Everything the wizard had created was removed again.", {})
            raise
        self.report = report
        if report.ok:
            self.finished.emit("done", "Created.", dict(report.outputs))
            return
        leftovers = getattr(report, "leftovers", [])
        if leftovers:
            tail = "These could not be removed; delete them by hand: " + ", ".join(
                f"{s.kind} {s.resource_id}" for s in leftovers)
        elif report.rolled_back:
            tail = "Everything the wizard had created was removed again."
        else:
            tail = "Nothing had been created."
        self.finished.emit("failed", f"Failed: {report.error}\n{tail}", {})

    def _error(self, exc: BaseException) -> None:
        log.error("set-up failed: %s", exc)
        self.finished.emit("failed", f"Failed before any change: {exc}", {})

    def cancel(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()
