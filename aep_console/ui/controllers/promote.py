"""Runs the promote service (``services.promote``) for the Promote wizard: lists what the source
has, reads the picked set-up (or a bundle file), plans it against the target, saves the bundle, and
applies the accepted plan as one transaction (a step line per event; cancel undoes what was
created). Sessions of the source and target profiles are its own, closed with the wizard. Results
come back as plain values through signals; the wizard never awaits."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from PySide6.QtCore import QObject, Signal

from .setup import step_line

log = logging.getLogger(__name__)


class PromoteController(QObject):
    listed = Signal(object)  # {"schemas": [...], "datasets": [...], "connections": [...]} of the source
    planned = Signal(object)  # a services.promote.Plan
    failed = Signal(str)  # a listing / reading / planning problem, to show on the page
    bundle_saved = Signal(str)  # the path written
    step_at = Signal(int, str, str)  # step index, text, kind (ok | info | error | undo)
    finished = Signal(str, str, dict)  # state (done | failed | cancelled), message, source id → target id

    def __init__(self, ctx, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._sessions: dict[str, Any] = {}
        self.bundle = None
        self.plan_ = None
        self.task: asyncio.Task | None = None

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    def _run(self, name: str, coro, on_error=None) -> asyncio.Task:
        return self.ctx.run(f"promote-{name}-{id(self)}", coro, on_error=on_error or self._failed)

    def _failed(self, exc: BaseException) -> None:
        log.warning("promote: %s", exc)
        self.failed.emit(str(exc))

    async def _session(self, profile_name: str):
        if profile_name not in self._sessions:
            profile = self.ctx.profiles.get(profile_name)
            resolved, secret = await self.ctx.sessions.resolve(profile)
            self._sessions[profile_name] = self.ctx.sessions.make_session(resolved, secret)
        return self._sessions[profile_name]

    # --- intents ----------------------------------------------------------------------------------
    def list_source(self, profile_name: str) -> None:
        self._run("list", self._list(profile_name))

    async def _list(self, profile_name: str) -> None:
        from . import resources

        s = await self._session(profile_name)
        self.listed.emit({"schemas": await resources.schemas(s), "datasets": await resources.datasets(s),
                          "connections": await resources.connections(s)})

    def make_plan(self, target_name: str, *, source_name: str | None = None, selection: dict | None = None,
                  bundle_path: str | None = None) -> None:
        """Read the set-up (from ``source_name`` + ``selection`` lists, or a bundle file), then plan."""
        self._run("plan", self._plan(target_name, source_name, selection, bundle_path))

    async def _plan(self, target_name, source_name, selection, bundle_path) -> None:
        from ...services.promote import Bundle, Planner, Selection, SetupReader

        if bundle_path:
            loop = asyncio.get_running_loop()
            self.bundle = await loop.run_in_executor(None, Bundle.load, bundle_path)
        else:
            sel = Selection(**{k: list(v) for k, v in (selection or {}).items()})
            self.bundle = await SetupReader(await self._session(source_name)).read(sel)
        self.plan_ = await Planner(await self._session(target_name)).plan(self.bundle)
        self.planned.emit(self.plan_)

    def save_bundle(self, path: str) -> None:
        self._run("save", self._save(path))

    async def _save(self, path: str) -> None:
        if self.bundle is None:
            raise ValueError("no set-up has been read yet")
        loop = asyncio.get_running_loop()
        written = await loop.run_in_executor(None, self.bundle.save, path)
        self.bundle_saved.emit(str(written))

    def apply(self, target_name: str, *, accept_irreversible: bool, overwrite: bool = False) -> None:
        self.task = self._run("apply", self._apply(target_name, accept_irreversible, overwrite),
                              on_error=self._apply_error)

    async def _apply(self, target_name: str, accept_irreversible: bool, overwrite: bool) -> None:
        from ...services.promote import apply_plan

        def progress(event: Any) -> None:
            line = step_line(event)
            if line is not None:
                self.step_at.emit(event.index, *line)

        try:
            report = await apply_plan(await self._session(target_name), self.plan_,
                                      accept_irreversible=accept_irreversible, overwrite=overwrite,
                                      on_progress=progress)
        except asyncio.CancelledError:
            self.finished.emit("cancelled", "Cancelled. Everything the promotion had created was removed again.", {})
            raise
        if report.ok:
            self.finished.emit("done", "Promoted.", dict(report.outputs))
            return
        tail = ("These could not be removed; delete them by hand: "
                + ", ".join(f"{s.kind} {s.resource_id}" for s in report.leftovers)) if report.leftovers else (
            "Everything the promotion had created was removed again.")
        self.finished.emit("failed", f"Failed: {report.error}\n{tail}", {})

    def _apply_error(self, exc: BaseException) -> None:
        self.finished.emit("failed", f"Failed before any change: {exc}", {})

    def use_in_editor(self, target_name: str, target: Any, on_ready=None) -> None:
        """Make the target profile the active one and ``target`` (a ``StreamingTarget``) the record
        editor's target; ``on_ready()`` once both are set."""
        from ..context import StreamTarget

        task = self.ctx.activate(self.ctx.profiles.get(target_name))

        def activated(t: asyncio.Task) -> None:
            if t.cancelled() or t.exception() is not None or self.ctx.session is None:
                return  # the session controller reports why (session_failed)
            self.ctx.set_target(StreamTarget(schema_id=target.schema_id, dataset_id=target.dataset_id,
                                             dataset_name=target.dataset_name, connection_id=target.connection_id,
                                             flow_id=target.flow_id))
            if on_ready is not None:
                on_ready()

        task.add_done_callback(activated)

    def cancel(self) -> None:
        if self.running:
            self.task.cancel()

    def close(self) -> None:
        """Close the sessions (a task: the wizard does not wait)."""
        sessions, self._sessions = list(self._sessions.values()), {}
        if sessions and not self.ctx.closed:
            self.ctx.run(f"promote-close-{id(self)}", _close_all(sessions), busy=False)


async def _close_all(sessions: list[Any]) -> None:
    for s in sessions:
        try:
            await s.aclose()
        except Exception:  # a session that cannot close cleanly must not break the others
            log.debug("closing a promote session failed", exc_info=True)
