"""Stream inspector: collects the session's streaming exchanges (already redacted by the
transport) and hands them to the table in chunks, a few times a second; turns AEP's
validation reports into readable lines."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

MAX_ROWS = 20000


@dataclass
class InspectorRow:
    exchange: Any
    time_text: str
    status: int | None
    xaction_id: str
    latency_ms: float
    summary: str
    messages: int = 1


def _body(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _record_summary(request: Any) -> tuple[str, int]:
    if isinstance(request, dict) and isinstance(request.get("events"), list):  # an Edge Network (Web SDK) call
        events = request["events"]
        kinds = [str((e.get("xdm") or {}).get("eventType", "event")) for e in events if isinstance(e, dict)]
        return f"Edge Network · {', '.join(kinds[:3])}", len(events)
    if isinstance(request, dict) and isinstance(request.get("messages"), list):
        msgs = request["messages"]
        return f"batch of {len(msgs)} messages", len(msgs)
    entity = (((request or {}).get("body") or {}).get("xdmEntity")) if isinstance(request, dict) else None
    if isinstance(entity, dict):
        keys = [k for k in entity if k not in ("identityMap",)][:4]
        ident = entity.get("_id")
        head = f"_id={ident} · " if ident is not None else ""
        return f"{head}{', '.join(keys)}", 1
    return "", 1


def row_from_exchange(ex: Any) -> InspectorRow:
    req = _body(ex.request_body)
    resp = _body(ex.response_body)
    xaction = ""
    if isinstance(resp, dict):
        xaction = str(resp.get("xactionId") or resp.get("batchId") or resp.get("requestId") or "")
    summary, n = _record_summary(req)
    if not summary and "/collection/batch/" in (ex.url or ""):  # a big batch's body is kept cut: not JSON
        answers = resp.get("responses") if isinstance(resp, dict) else None
        n = len(answers) if isinstance(answers, list) else n
        summary = f"batch of {n} messages" if isinstance(answers, list) else "batch (body too long to keep whole)"
    t = time.localtime(ex.started_at or time.time())
    return InspectorRow(ex, time.strftime("%H:%M:%S", t) + f".{int((ex.started_at % 1) * 1000):03d}",
                        ex.status, xaction, round(ex.duration_ms or 0.0, 1), summary, n)


def readable_report(response_body: str | None) -> list[str]:
    """AEP's ``_streamingValidation`` / batch responses as plain sentences."""
    body = _body(response_body)
    if not isinstance(body, dict):
        return [response_body] if response_body else []
    lines: list[str] = []
    report = body.get("report") or {}
    cause = report.get("cause") if isinstance(report, dict) else None
    validations = []
    for source in (cause, body):
        if isinstance(source, dict) and isinstance(source.get("_streamingValidation"), list):
            validations = source["_streamingValidation"]
            break
    if body.get("title"):
        lines.append(f"{body.get('status', '')} {body['title']}".strip())
    if isinstance(report, dict) and report.get("message"):
        lines.append(str(report["message"]))

    def walk(v: dict) -> None:
        kids = v.get("causingExceptions") or []
        if not kids:
            where = str(v.get("pointerToViolation", "#")).lstrip("#") or "(the record)"
            lines.append(f"• {where}: {v.get('message', '')}" + (f"  [{v['keyword']}]" if v.get("keyword") else ""))
        for k in kids:
            walk(k)

    for v in validations:
        if v.get("message"):
            lines.append(str(v["message"]))
        walk(v)
    responses = body.get("responses")
    if isinstance(responses, list):
        failed = [(i, r) for i, r in enumerate(responses)
                  if isinstance(r, dict) and int(r.get("status") or r.get("statusCode") or 200) >= 400]
        lines.append(f"Batch of {len(responses)} messages: {len(responses) - len(failed)} accepted, "
                     f"{len(failed)} refused" + (":" if failed else "."))
        for i, r in failed[:200]:
            lines.append(f"• message {i}: {r.get('status') or r.get('statusCode')} {r.get('message', '')}")
        if len(failed) > 200:
            lines.append(f"… and {len(failed) - 200} more")
    if not lines:
        if body.get("syncValidation") or body.get("xactionId"):
            sync = body.get("syncValidation") or {}
            lines.append("Accepted" + (" (synchronous validation passed)" if sync.get("status") == "pass" else ""))
        else:
            lines.append("No validation report in this response.")
    return lines


class InspectorController(QObject):
    rows_added = Signal(object)
    cleared = Signal()

    def __init__(self, ctx, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._pending: list[Any] = list(getattr(ctx, "streaming_log", ()))
        self.count = 0
        self._timer = QTimer(self, interval=250)
        self._timer.timeout.connect(self.flush)
        self._timer.start()
        ctx.exchange.connect(self._on_exchange)

    def _on_exchange(self, ex: Any) -> None:
        if getattr(ex, "service", "") not in ("streaming", "edge"):
            return
        self._pending.append(ex)

    def flush(self) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending[-MAX_ROWS:], []
        rows = [row_from_exchange(ex) for ex in pending]
        self.count += len(rows)
        self.rows_added.emit(rows)
