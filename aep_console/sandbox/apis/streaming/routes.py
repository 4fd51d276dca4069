"""DCS (``https://dcs.adobedc.net``, here ``/dcs``): ``POST /collection/{CONNECTION_ID}`` and
``POST /collection/batch/{CONNECTION_ID}``, as raw ASGI endpoints (the hot path: no per-request object
churn beyond what the rules need).

Rules (../shared/docs/aep-api.md §6): 413 above 1 MB; unknown connection → 400; authenticated connection
without a valid IMS token → 401; ``syncValidation``/``synchronousValidation`` (60 requests/min per
connection) → 200 ``{"status":"pass"}`` or 400 with ``_streamingValidation``; without it an XDM-invalid
message is acknowledged and lands among the failed records of its batch; envelope errors are refused
(400, or a 400 entry in the 207). Configurable request rate per connection → 429 + ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

import orjson
from starlette.routing import Route

from ...ingestion.pipeline import MessageRejected, Outcome
from ...storage.store import now_ms
from . import responses as R

if TYPE_CHECKING:
    from ...server.state import SandboxServices

log = logging.getLogger("aep_console.sandbox.apis.streaming.routes")

MAX_BODY = 1024 * 1024  # 1 MB
JSON_HEADERS = [(b"content-type", b"application/json")]


async def send_json(send, status: int, body, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    raw = body if isinstance(body, bytes) else orjson.dumps(body)
    await send({"type": "http.response.start", "status": status,
                "headers": [*JSON_HEADERS, (b"content-length", str(len(raw)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": raw})


async def drop_connection(send) -> None:
    """Start an answer and abandon it: the client sees the connection closed mid-response."""
    await send({"type": "http.response.start", "status": 200,
                "headers": [*JSON_HEADERS, (b"content-length", b"4096")]})
    await send({"type": "http.response.body", "body": b'{"inl', "more_body": True})
    raise ConnectionAbortedError("fault injection: connection dropped")


class RateLimits:
    """Per connection: sync-validation requests per minute (AEP: 60) and an optional request rate."""

    def __init__(self, sync_per_minute: int = 60, requests_per_second: float | None = None) -> None:
        self.sync_per_minute = sync_per_minute
        self.requests_per_second = requests_per_second
        self._sync: dict[str, deque] = {}
        self._bucket: dict[str, list[float]] = {}

    def check_sync(self, inlet_id: str) -> int | None:
        """None if allowed, else seconds to wait."""
        now = time.monotonic()
        q = self._sync.setdefault(inlet_id, deque())
        while q and now - q[0] >= 60:
            q.popleft()
        if len(q) >= self.sync_per_minute:
            return max(1, int(60 - (now - q[0])) + 1)
        q.append(now)
        return None

    def check_rate(self, inlet_id: str) -> int | None:
        rps = self.requests_per_second
        if not rps:
            return None
        now = time.monotonic()
        tokens, last = self._bucket.get(inlet_id, [rps, now])
        tokens = min(rps, tokens + (now - last) * rps)
        if tokens < 1:
            self._bucket[inlet_id] = [tokens, now]
            return max(1, int((1 - tokens) / rps + 0.999))
        self._bucket[inlet_id] = [tokens - 1, now]
        return None


def _headers(scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


async def _read_body(receive, limit: int) -> bytes | None:
    chunks = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ConnectionAbortedError("client went away")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


class DcsEndpoint:
    def __init__(self, state, *, batch: bool) -> None:
        self.state = state
        self.batch = batch

    async def __call__(self, scope, receive, send) -> None:
        try:
            await self._handle(scope, receive, send)
        except ConnectionAbortedError:
            return
        except Exception:
            log.exception("DCS request failed")
            await send_json(send, 500, R.inlet_problem(500, "Internal Server Error",
                                                       "The sandbox failed to process the request (see its log)"))

    async def _refuse(self, send, status, title, message, retry_after: int | None = None) -> None:
        extra = [(b"retry-after", str(retry_after).encode())] if retry_after is not None else None
        await send_json(send, status, R.inlet_problem(status, title, message), extra)

    async def _handle(self, scope, receive, send) -> None:
        st = self.state
        faults = st.faults
        if faults.applies("dcs"):
            # decide at arrival (a request still sleeping must not consume draws of a later setting)
            mode = faults.draw()
            retry_after = faults.retry_after
            if faults.latency_ms:
                await asyncio.sleep(faults.latency_ms / 1000)
            if mode == "drop":
                await drop_connection(send)
            elif mode == "error500":
                return await self._refuse(send, 500, "Internal Server Error", "Injected fault: internal error")
            elif mode == "error503":
                return await self._refuse(send, 503, "Service Unavailable",
                                          "Injected fault: service unavailable, retry later", retry_after)
            elif mode == "error429":
                return await self._refuse(send, 429, "Too Many Requests",
                                          "Injected fault: too many requests", retry_after)
        headers = _headers(scope)
        inlet_id = scope["path_params"]["connection_id"]
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        declared = headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > MAX_BODY:
            return await self._refuse(send, 413, "Payload Too Large",
                                      f"The request body of {declared} bytes exceeds the 1 MB (1048576 bytes) limit")
        conn = st.lookups.connection(inlet_id)
        if conn is None:
            return await self._refuse(send, 400, "Invalid Connection",
                                      f"inletId: [{inlet_id}] No streaming connection with this id exists "
                                      "(use the inletId of a Flow Service streaming connection)")
        if conn.authentication_required:
            auth = headers.get("authorization", "").strip()
            scheme, _, token = auth.partition(" ")
            if not token.strip() or scheme.lower() != "bearer":
                return await send_json(send, 401, R.unauthorized(inlet_id, "Ims service token is empty"))
            info = st.services.tokens.verify(token.strip())
            if info is None:
                return await send_json(send, 401, R.unauthorized(inlet_id, "Ims service token is not valid"))
            if info.org_id != conn.org_id:
                return await send_json(send, 401, R.unauthorized(
                    inlet_id, f"Ims service token belongs to org [{info.org_id}], not to the connection's org"))
        sandbox = headers.get("x-sandbox-name")
        if sandbox and sandbox.strip().lower() != conn.sandbox:
            return await self._refuse(send, 400, "Invalid Sandbox",
                                      f"{R.prefix(inlet_id, conn.org_id)} x-sandbox-name [{sandbox}] does not match "
                                      f"the connection's sandbox [{conn.sandbox}]")
        wait = st.limits.check_rate(inlet_id)
        if wait is not None:
            return await self._refuse(send, 429, "Too Many Requests",
                                      f"{R.prefix(inlet_id, conn.org_id)} Request rate above "
                                      f"{st.limits.requests_per_second}/s for this connection", wait)
        sync_key = None
        if not self.batch:
            for key in ("syncValidation", "synchronousValidation"):
                if query.get(key, "").lower() == "true":
                    sync_key = key
                    break
            if sync_key:
                wait = st.limits.check_sync(inlet_id)
                if wait is not None:
                    return await self._refuse(
                        send, 429, "Too Many Requests",
                        f"{R.prefix(inlet_id, conn.org_id)} Synchronous validation is limited to "
                        f"{st.limits.sync_per_minute} requests per minute per connection", wait)
        raw = await _read_body(receive, MAX_BODY)
        if raw is None:
            return await self._refuse(send, 413, "Payload Too Large",
                                      "The request body exceeds the 1 MB (1048576 bytes) limit")
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype == "application/x-jackson-smile":
            return await self._refuse(send, 400, "Unsupported Media Type",
                                      "Smile-encoded payloads are not supported by the local sandbox; send "
                                      "Content-Type: application/json")
        if ctype and ctype != "application/json" and not ctype.endswith("+json"):
            return await self._refuse(send, 400, "Unsupported Media Type",
                                      f"Content-Type must be application/json, found {ctype}")
        try:
            doc = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            return await self._refuse(send, 400, "Invalid JSON",
                                      f"{R.prefix(inlet_id, conn.org_id)} The request body is not valid JSON: {exc}")
        flow_hint = headers.get("x-adobe-flow-id") or query.get("x-adobe-flow-id")
        received = now_ms()
        if self.batch:
            await self._batch(send, st, conn, doc, flow_hint, received)
        else:
            await self._single(send, st, conn, doc, flow_hint, received, sync_key)

    async def _single(self, send, st, conn, doc, flow_hint, received, sync_key) -> None:
        pipeline = st.pipeline

        def observed(status: int, ok: bool) -> None:
            st.requests.record(conn.inlet_id, batch=False, status=status, flow_header=flow_hint, messages=[doc],
                               accepted=[ok])

        try:
            target, entity = pipeline.route(conn, doc, flow_hint, {})
        except MessageRejected as exc:
            observed(400, False)
            return await send_json(send, 400, R.bad_message(conn.inlet_id, conn.org_id, str(exc), exc.title))
        if sync_key:
            violations = target.validate(entity)
            if violations:
                observed(400, False)
                report = R.violations_report(violations, st.report_builder)
                return await send_json(send, 400, R.invalid_xdm(conn.inlet_id, conn.org_id, report))
        xid = R.single_xaction_id(received)
        try:
            await pipeline.ingest(conn, [(target, entity)], received, [xid])
        except Exception:
            log.exception("commit failed")
            return await self._refuse(send, 503, "Service Unavailable",
                                      "The message could not be stored; nothing was accepted, retry", 1)
        observed(200, True)
        await send_json(send, 200, R.single_ok(conn.inlet_id, xid, received, sync_key, bool(sync_key)))

    async def _batch(self, send, st, conn, doc, flow_hint, received) -> None:
        messages = doc.get("messages") if isinstance(doc, dict) else None
        if not isinstance(messages, list):
            found = "absent" if isinstance(doc, dict) and "messages" not in doc else type(
                doc.get("messages") if isinstance(doc, dict) else doc).__name__
            return await self._refuse(send, 400, "Invalid Batch",
                                      f"{R.prefix(conn.inlet_id, conn.org_id)} The body must be an object with a "
                                      f"'messages' array (found {found})")
        pipeline = st.pipeline
        faults = st.faults
        partial = faults.partial and faults.applies("dcs")
        cache: dict = {}
        items: list = []
        for msg in messages:
            if partial and faults.fail_message():
                items.append(Outcome(ok=False, status=503, message="Injected fault: message not processed "
                                                                    "(service unavailable), retry it"))
                continue
            try:
                items.append(pipeline.route(conn, msg, flow_hint, cache))
            except MessageRejected as exc:
                items.append(Outcome(ok=False, message=str(exc)))
        prefix = R.batch_xaction_prefix()
        xids = [f"{prefix}-{i}" for i in range(len(messages))]
        try:
            outcomes = await pipeline.ingest(conn, items, received, xids)
        except Exception:
            log.exception("commit failed")
            return await self._refuse(send, 503, "Service Unavailable",
                                      "The messages could not be stored; none was accepted, retry", 1)
        st.requests.record(conn.inlet_id, batch=True, status=207, flow_header=flow_hint, messages=messages,
                           accepted=[o.ok for o in outcomes])
        where = R.prefix(conn.inlet_id, conn.org_id)
        responses = [{"xactionId": xids[i]} if o.ok else
                     {"xactionId": xids[i], "status": o.status, "message": f"{where} {o.message}"}
                     for i, o in enumerate(outcomes)]
        await send_json(send, 207, R.batch_result(conn.inlet_id, received, responses))


def routes(services: SandboxServices) -> list[Route]:
    state = services.ingestion
    return [
        Route("/collection/batch/{connection_id}", DcsEndpoint(state, batch=True), methods=["POST"]),
        Route("/collection/{connection_id}", DcsEndpoint(state, batch=False), methods=["POST"]),
    ]
