"""Streaming ingestion (DCS): ``POST /collection/{CONNECTION_ID}`` and ``/collection/batch/{id}``.

These POSTs are not retried here by default (``retry=False``): the streaming engine decides, per
record, what to re-send. ``retry=True`` (single sends only, e.g. an interactive "send one") lets the
transport retry 429/503 and connect errors, honouring Retry-After; a lost answer is never re-sent.
A 401 still refreshes the token once and repeats (the message was not accepted).
Errors: 400 sync-validation → ``ValidationFailed`` (``.violations``), 413 → ``PayloadTooLarge``,
429 → ``RateLimited(retry_after)``, 401 → ``AuthError``, 5xx → ``ServerError``, no answer →
``NetworkError`` (the engine must treat those records as "maybe delivered").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from .base import ServiceClient, enc, parse
from .models import BatchAck, MessageResult, StreamingAck

MAX_REQUEST_BYTES = 1_000_000  # DCS limit per request (413 above)
SYNC_VALIDATION_PER_MINUTE = 60  # per CONNECTION_ID
_STATUS_IN_TEXT = re.compile(r"\b([45]\d\d)\b")


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def parse_message_results(responses: Any, count: int) -> list[MessageResult]:
    """Per-message results of a 207, in message order. Understands ``{"xactionId"}`` (ok),
    ``{"status": 400, "message"}`` (newer) and ``{"statusCode": 400, "message"}`` (docs); a message
    without an answer is reported as failed with status 0 (unknown: the engine decides)."""
    results: list[MessageResult] = []
    entries = responses if isinstance(responses, list) else []
    for index in range(count):
        entry = entries[index] if index < len(entries) else None
        if not isinstance(entry, dict):
            results.append(MessageResult(index=index, ok=False, status=0,
                                         message="no per-message answer from the streaming service"))
            continue
        status = _int(entry.get("status", entry.get("statusCode")))
        if status is None:
            status = 200 if entry.get("xactionId") else 0
        ok = 200 <= status < 300
        results.append(MessageResult(index=index, ok=ok, status=status, xaction_id=entry.get("xactionId"),
                                     message=entry.get("message") or entry.get("detail"), raw=entry))
    return results


class StreamingClient(ServiceClient):
    service = "streaming"
    base_path = "/collection"

    def __init__(self, transport: Any, *, authenticate: bool = True) -> None:
        super().__init__(transport)
        self.authenticate = authenticate  # send Bearer/x-api-key/x-gw-ims-org-id (authenticated inlets)

    def _headers(self, flow_id: str | None) -> dict[str, str] | None:
        return {"x-adobe-flow-id": flow_id} if flow_id else None

    async def send(self, connection_id: str, message: Mapping[str, Any] | bytes, *,
                   sync_validation: bool = False, flow_id: str | None = None,
                   authenticate: bool | None = None, legacy_sync_param: bool = False,
                   retry: bool = False) -> StreamingAck:
        """One message (an envelope ``{"header", "body"}``, or its JSON bytes)."""
        content = message if isinstance(message, bytes | bytearray) else orjson.dumps(message)
        params: dict[str, Any] = {}
        if sync_validation:
            params["synchronousValidation" if legacy_sync_param else "syncValidation"] = True
        reply = await self.t.request(
            "POST", "streaming", self.p(f"/{enc(connection_id)}"), content=bytes(content), params=params,
            headers=self._headers(flow_id), retry=retry, retry_refused=retry,
            auth=self.authenticate if authenticate is None else authenticate,
        )
        body = reply.json() or {}
        if "synchronousValidation" in body and "syncValidation" not in body:
            body["syncValidation"] = body["synchronousValidation"]
        ack = parse(StreamingAck, body)
        ack.status, ack.started_at, ack.duration_s = reply.status, reply.started_at, reply.duration_s
        return ack

    async def post_batch(self, connection_id: str, body: bytes, count: int, *, flow_id: str | None = None,
                         authenticate: bool | None = None) -> BatchReply:
        """A pre-serialised ``{"messages": [...]}`` body of ``count`` messages; the answer unparsed per
        message until asked (:meth:`BatchReply.results`): the bulk engine's path, where a 207 whose
        messages were all accepted costs one ``orjson.loads`` and no object per message."""
        reply = await self.t.request(
            "POST", "streaming", self.p(f"/batch/{enc(connection_id)}"), content=body,
            headers=self._headers(flow_id), retry=False,
            auth=self.authenticate if authenticate is None else authenticate,
        )
        return BatchReply(reply.status, reply.content, count, reply.started_at, reply.duration_s)

    async def send_batch(self, connection_id: str, messages: Sequence[Mapping[str, Any]] | None = None, *,
                         body: bytes | None = None, count: int | None = None, flow_id: str | None = None,
                         authenticate: bool | None = None) -> BatchAck:
        """Several messages in one request (``{"messages": [...]}``, under 1 MB). Pass ``messages``,
        or a pre-serialised ``body`` with its message ``count``. 207 → a result per message."""
        if body is None:
            if messages is None:
                raise ValueError("send_batch needs messages or body")
            body = orjson.dumps({"messages": list(messages)})
            count = len(messages)
        elif count is None:
            count = len(orjson.loads(body).get("messages", []))
        answer = await self.post_batch(connection_id, body, count, flow_id=flow_id, authenticate=authenticate)
        data = answer.data
        return BatchAck(inlet_id=data.get("inletId"), batch_id=data.get("batchId"),
                        received_time_ms=_int(data.get("receivedTimeMs")), http_status=answer.status,
                        results=answer.results(), started_at=answer.started_at, duration_s=answer.duration_s)


class BatchReply:
    """The answer to one batch POST (2xx), parsed lazily.

    ``all_ok``: every message accepted, decided without building an object per message: a 200 without
    per-message answers, or a 207 with one answer per message and no ``status``/``statusCode`` in any
    of them (the accepted form is ``{"xactionId": …}`` only). Anything else → :meth:`results`."""

    __slots__ = ("_data", "content", "count", "duration_s", "started_at", "status")

    def __init__(self, status: int, content: bytes, count: int, started_at: float = 0.0,
                 duration_s: float = 0.0) -> None:
        self.status, self.content, self.count = status, content, count
        self.started_at, self.duration_s = started_at, duration_s
        self._data: Any = None

    @property
    def data(self) -> dict[str, Any]:
        if self._data is None:
            data = orjson.loads(self.content) if self.content else {}
            self._data = data if isinstance(data, dict) else {"responses": data}
        return self._data

    @property
    def responses(self) -> Any:
        return self.data.get("responses")

    @property
    def all_ok(self) -> bool:
        responses = self.responses
        if not responses:
            return self.status == 200
        if not isinstance(responses, list) or len(responses) != self.count or b'"status' in self.content:
            return False  # (a "status" anywhere, even inside a message text: the careful path decides)
        try:
            return all(r["xactionId"] for r in responses)
        except (KeyError, TypeError):
            return False

    def xaction_ids(self) -> list[str | None]:
        responses = self.responses
        if isinstance(responses, list) and len(responses) == self.count:
            return [r.get("xactionId") if isinstance(r, dict) else None for r in responses]
        return [None] * self.count

    def results(self) -> list[MessageResult]:
        if self.status == 200 and not self.responses:
            return [MessageResult(index=i, ok=True, status=200) for i in range(self.count)]
        return parse_message_results(self.responses, self.count)
