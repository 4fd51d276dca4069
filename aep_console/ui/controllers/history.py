"""History: search the stored exchanges; turn one back into an editable request.

SQLite reads of a page of entries take a few milliseconds, so they run inline; the search is
debounced by the page."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, Signal

from ..context import StreamTarget

PAGE = 500


@dataclass
class Reopened:
    """What the record editor needs to resend a streaming request."""

    entity: Any
    target: StreamTarget | None
    sync: bool


def reopen_streaming(entry) -> Reopened | None:
    """A streaming request's record and target (connection id from the URL, schema and dataset
    from the envelope header); None when the entry is not a streaming message."""
    if entry.service != "streaming" or not entry.request_body:
        return None
    try:
        body = json.loads(entry.request_body)
    except ValueError:
        return Reopened(entry.request_body, None, False)
    url = urlsplit(entry.url)
    connection_id = url.path.rstrip("/").rsplit("/", 1)[-1]
    sync = "syncValidation=true" in url.query or "synchronousValidation=true" in url.query
    if isinstance(body, dict) and isinstance(body.get("messages"), list) and body["messages"]:
        body = body["messages"][0]
    if not isinstance(body, dict) or "body" not in body:
        return Reopened(body, None, sync)
    header = body.get("header") or {}
    entity = (body.get("body") or {}).get("xdmEntity", body)
    target = StreamTarget(
        schema_id=((header.get("schemaRef") or {}).get("id") or ""),
        dataset_id=header.get("datasetId") or "",
        connection_id=connection_id,
        flow_id=header.get("flowId") or "",
        source_name=((header.get("source") or {}).get("name") or ""),
    )
    return Reopened(entity, target, sync)


class HistoryController(QObject):
    results = Signal(object, int)  # entries (newest first), total matching

    def __init__(self, ctx, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx

    def search(self, text: str, *, service: str | None = None, errors_only: bool = False) -> None:
        self.ctx.sessions.flush_history()  # what the writer thread still holds
        store = self.ctx.history
        text = text.strip() or None
        entries = store.search(text, service=service, errors_only=errors_only, limit=PAGE)
        total = store.count(text, service=service, errors_only=errors_only)
        self.results.emit(entries, total)

    def get(self, entry_id: int):
        return self.ctx.history.get(entry_id)

    def reopen(self, entry) -> str:
        """Send the entry to the record editor (streaming) or the request editor; returns the
        page key to show."""
        streaming = reopen_streaming(entry)
        if streaming is not None:
            if streaming.target is not None:
                current = self.ctx.target
                self.ctx.set_target(streaming.target.with_(
                    inlet_url=current.inlet_url if current.connection_id == streaming.target.connection_id else ""))
            self.ctx.open_request.emit(streaming.entity)
            return "editor"
        return ""

    async def resend(self, method: str, service: str, url: str, body: str | None) -> tuple[int, str]:
        """Send an edited non-streaming request through the session's transport (its headers,
        token and redaction); any status is returned, not raised."""
        session = self.ctx.session
        if session is None:
            raise RuntimeError("not connected: choose a connection profile first")
        kwargs: dict[str, Any] = {}
        if body and body.strip():
            kwargs["content"] = body.encode()
            kwargs["headers"] = {"Content-Type": "application/json"}
        reply = await session.transport.request(method.upper(), service, url, ok=lambda _status: True,
                                                retry=False, **kwargs)
        text = reply.content.decode("utf-8", "replace")
        with contextlib.suppress(ValueError):
            text = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        return reply.status, text
