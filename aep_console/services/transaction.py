"""Set-up transactions: each step recorded; on failure what was created is removed in reverse.

A step reports its progress (``StepEvent``) to a callback so the GUI can show every call.
The final ``SetupReport`` says what was created, what failed and what was undone (or could not be).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..aep.errors import NotFoundError

log = logging.getLogger(__name__)
T = TypeVar("T")

# step states
PENDING, RUNNING, DONE, FAILED, UNDOING, UNDONE, UNDO_FAILED, KEPT = (
    "pending", "running", "done", "failed", "undoing", "undone", "undo-failed", "kept")


@dataclass
class Step:
    name: str  # e.g. "Create schema 'Loyalty profiles'"
    kind: str  # e.g. "schema", "descriptor", "dataset", "connection"
    status: str = PENDING
    resource_id: str | None = None
    detail: str = ""
    error: str | None = None
    undo_error: str | None = None
    started_at: float = 0.0
    duration_s: float = 0.0
    _undo: Callable[[], Awaitable[Any]] | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}


@dataclass(frozen=True)
class StepEvent:
    workflow: str
    index: int  # 0-based step number
    step: Step
    status: str  # the step's new status


ProgressCallback = Callable[[StepEvent], Any]


@dataclass
class SetupReport:
    workflow: str
    ok: bool = True
    steps: list[Step] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)  # e.g. schema_id, dataset_id, connection_id
    error: str | None = None
    rolled_back: bool = False
    warnings: list[str] = field(default_factory=list)  # e.g. the legacy streaming route's

    @property
    def leftovers(self) -> list[Step]:
        """Resources created and NOT removed after a failure (the user must remove them by hand)."""
        return [s for s in self.steps if s.status == UNDO_FAILED]

    def summary(self) -> str:
        lines = [f"{self.workflow}: " + ("done" if self.ok else "FAILED")]
        for i, s in enumerate(self.steps, 1):
            rid = f" [{s.resource_id}]" if s.resource_id else ""
            lines.append(f"  {i}. {s.name}: {s.status}{rid}" + (f" — {s.error}" if s.error else "")
                         + (f" — undo failed: {s.undo_error}" if s.undo_error else ""))
        lines += [f"Warning: {w}" for w in self.warnings]
        if not self.ok:
            lines.append(f"Error: {self.error}")
            if self.rolled_back and not self.leftovers:
                lines.append("Everything this workflow created was removed again.")
            elif self.leftovers:
                lines.append("These could not be removed; delete them by hand: "
                             + ", ".join(f"{s.kind} {s.resource_id}" for s in self.leftovers))
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {"workflow": self.workflow, "ok": self.ok, "error": self.error, "rolled_back": self.rolled_back,
                "warnings": list(self.warnings),
                "outputs": dict(self.outputs), "steps": [s.to_json() for s in self.steps]}


class StepFailed(Exception):
    """Raised inside a transaction body by ``Transaction.step``; carries the cause."""


class Transaction:
    """``async with Transaction("Profile schema", on_progress) as tx: x = await tx.step(...)``."""

    def __init__(self, workflow: str, on_progress: ProgressCallback | None = None) -> None:
        self.report = SetupReport(workflow)
        self._on_progress = on_progress

    def _emit(self, step: Step) -> None:
        if self._on_progress is None:
            return
        try:
            self._on_progress(StepEvent(self.report.workflow, self.report.steps.index(step), step, step.status))
        except Exception:  # a broken progress view must not break the workflow
            log.exception("setup progress callback failed")

    def plan(self, name: str, kind: str) -> Step:
        """Announce a step before it runs (so a progress view can list them all)."""
        step = Step(name, kind)
        self.report.steps.append(step)
        self._emit(step)
        return step

    async def step(self, name: str, kind: str, action: Callable[[], Awaitable[T]], *,
                   resource_id: Callable[[T], str | None] | None = None,
                   undo: Callable[[T], Awaitable[Any]] | None = None,
                   detail: Callable[[T], str] | None = None, planned: Step | None = None) -> T:
        step = planned or self.plan(name, kind)
        step.status, step.started_at = RUNNING, time.time()
        self._emit(step)
        t0 = time.perf_counter()
        try:
            result = await action()
        except Exception as exc:
            step.duration_s = time.perf_counter() - t0
            step.status, step.error = FAILED, _describe(exc)
            self._emit(step)
            raise StepFailed(f"{name}: {step.error}") from exc
        step.duration_s = time.perf_counter() - t0
        step.resource_id = resource_id(result) if resource_id else None
        step.detail = detail(result) if detail else ""
        if undo is not None:
            step._undo = lambda: undo(result)
        step.status = DONE
        self._emit(step)
        return result

    def output(self, key: str, value: str | None) -> None:
        if value:
            self.report.outputs[key] = value

    async def rollback(self) -> None:
        for step in reversed(self.report.steps):
            if step.status != DONE:
                continue
            if step._undo is None:
                if step.kind == "lookup":
                    continue  # a read: nothing to undo
                step.status = KEPT
                self._emit(step)
                continue
            step.status = UNDOING
            self._emit(step)
            try:
                await step._undo()
            except NotFoundError:  # already gone (removed meanwhile): nothing is left over
                step.status, step.detail = UNDONE, "already removed"
            except Exception as exc:
                step.status, step.undo_error = UNDO_FAILED, _describe(exc)
            else:
                step.status = UNDONE
            self._emit(step)
        self.report.rolled_back = True

    async def __aenter__(self) -> Transaction:
        return self

    async def __aexit__(self, exc_type, exc, tb) -> bool:
        if exc is None:
            return False
        self.report.ok = False
        self.report.error = str(exc) if isinstance(exc, StepFailed) else f"{name_of(exc)}: {_describe(exc)}"
        for s in self.report.steps:
            if s.status == PENDING:
                s.status = "skipped"
                self._emit(s)
        await self.rollback()
        if not self.report.leftovers:
            self.report.outputs.clear()  # nothing of it exists any more
        return isinstance(exc, Exception)  # errors end in the report; cancellation propagates


def name_of(exc: BaseException) -> str:
    return type(exc).__name__


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text
