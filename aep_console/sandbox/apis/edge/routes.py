"""The Edge Network's collection endpoints (``https://edge.adobedc.net``; here under ``/edge`` on the sandbox's
port, and at the root of its HTTPS port for browsers):

    POST /ee/v2/interact?datastreamId=ID            {"event": {"xdm", "data"?}, "query"?, "meta"?} → 200 handles
    POST /ee/v2/collect?datastreamId=ID[&silent=true] {"events": [...]}               → 200, or 204 when silent
    POST /{edgeBasePath}[/{locationHint}]/v1/interact|collect?configId=ID&requestId=… (the Web SDK's own)

An answer to interact carries ``requestId`` and ``handle``: ``identity:result`` (the ECID), ``state:store`` (the
``kndctr_<org>_identity`` cookie when the ECID is new) and ``locationHint:result``, so the Web SDK behaves as
against AEP. Each event gets an ``_id`` (and a ``timestamp``) when it has none, the ECID joins its ``identityMap``
when the datastream's schema has one, and the events go through the streaming ingestion pipeline into the
datastream's dataset and the Profile, as streamed events do. Errors: RFC 7807 ``EXEG-…`` problems (see
``problems.py``); XDM that the schema refuses is an input error (400, nothing stored); an upstream failure (the
pipeline's store, or an injected fault with scope "all") is a 207 with ``errors``. Browsers get CORS answers for
their exact origin, with credentials.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...http.errors import ApiError
from ...ingestion.targets import Connection, Target, TargetError
from ...storage.store import now_ms
from . import problems as P
from .identity import ecid_from_request, identity_handles, mint_ecid

if TYPE_CHECKING:
    from ...server.state import SandboxServices

log = logging.getLogger("aep_console.sandbox.apis.edge")

MAX_BODY = 1024 * 1024
ENDPOINTS = ("interact", "collect")
TEXT_TYPES = ("", "application/json", "text/plain")


def cors_headers(request: Request) -> dict[str, str]:
    origin = request.headers.get("origin")
    if not origin:
        return {}
    return {"Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true", "Vary": "Origin"}


async def preflight(request: Request) -> Response:
    headers = cors_headers(request)
    if headers:
        headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        asked = request.headers.get("access-control-request-headers")
        if asked:
            headers["Access-Control-Allow-Headers"] = asked
        headers["Access-Control-Max-Age"] = "600"
    return Response(status_code=204, headers=headers)


class EdgeNetwork:
    def __init__(self, services: SandboxServices) -> None:
        self.services = services
        self.ingestion = services.ingestion
        self._has_identity_map: dict[tuple, bool] = {}

    # --- request ---------------------------------------------------------------------------------

    async def handle(self, request: Request, endpoint: str, *, web_sdk: bool) -> Response:
        request_id = request.query_params.get("requestId") or str(uuid.uuid4())
        cors = cors_headers(request)
        try:
            return await self._handle(request, endpoint, web_sdk, request_id, cors)
        except ApiError as exc:
            exc.headers = {**exc.headers, **cors}
            raise

    async def _handle(self, request: Request, endpoint: str, web_sdk: bool, request_id: str,
                      cors: dict[str, str]) -> Response:
        if endpoint not in ENDPOINTS:
            raise P.edge_problem(P.INVALID_REQUEST, f"Unknown endpoint [{endpoint}]: expected one of "
                                                    f"{', '.join(ENDPOINTS)}", request_id)
        q = request.query_params
        names = ("configId",) if web_sdk else ("datastreamId", "dataStreamId", "configId")
        datastream_id = next((q[n] for n in names if q.get(n)), None)
        if not datastream_id:
            raise P.edge_problem(P.INVALID_REQUEST, f"The '{names[0]}' query parameter (the datastream id) is "
                                                    "required", request_id)
        stream = self.services.datastreams.get(datastream_id)
        if stream is None:
            raise P.edge_problem(P.UNKNOWN_DATASTREAM, f"No datastream with id [{datastream_id}] exists; create "
                                                        "one first (on the sandbox: the Web SDK page or POST "
                                                        "/__sandbox/admin/datastreams)", request_id)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY:
            raise P.edge_problem(P.PAYLOAD_TOO_LARGE, f"The request body of {declared} bytes exceeds the 1 MB "
                                                       "limit", request_id)
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype not in TEXT_TYPES:
            raise P.edge_problem(P.INVALID_REQUEST, f"Content-Type must be application/json or text/plain, found "
                                                    f"{ctype}", request_id)
        raw = await request.body()
        if len(raw) > MAX_BODY:
            raise P.edge_problem(P.PAYLOAD_TOO_LARGE, "The request body exceeds the 1 MB limit", request_id)
        try:
            doc = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise P.edge_problem(P.INVALID_BODY, f"The request body is not valid JSON: {exc}", request_id) from None
        events = self._events(doc, endpoint, web_sdk, request_id)
        try:
            target = self.ingestion.lookups.target(stream.org_id, stream.sandbox, stream.dataset_id)
        except TargetError as exc:
            raise P.edge_problem(P.DATASTREAM_CONFIG, f"Datastream [{stream.id}] cannot deliver: {exc}",
                                 request_id) from None
        meta = doc.get("meta") if isinstance(doc.get("meta"), dict) else {}
        state = meta.get("state") if isinstance(meta.get("state"), dict) else {}
        entries = state.get("entries") if isinstance(state.get("entries"), list) else []
        ecid = ecid_from_request(stream.org_id, entries, dict(request.cookies), events[0]["xdm"].get("identityMap"))
        new_identity = ecid is None
        if ecid is None:
            ecid = mint_ecid()
        entities = [self._entity(ev["xdm"], ecid, target, stream) for ev in events]
        problems = [(i, v) for i, e in enumerate(entities) if (v := target.validate(e))]
        if problems:
            raise self._invalid(problems, request_id, "events" if "events" in doc else "event")
        handles = identity_handles(stream.org_id, ecid, new=new_identity) if endpoint == "interact" else []
        upstream = await self._dispatch(stream, target, entities, request_id)
        headers = {**cors, "x-request-id": request_id}
        if upstream is not None:
            body = {"requestId": request_id, "handle": handles, "errors": [upstream]}
            return Response(orjson.dumps(body), status_code=207, headers=headers, media_type="application/json")
        if endpoint == "collect" and (web_sdk or q.get("silent", "").lower() == "true"):
            return Response(status_code=204, headers=headers)
        return Response(orjson.dumps({"requestId": request_id, "handle": handles}), headers=headers,
                        media_type="application/json")

    def _events(self, doc: Any, endpoint: str, web_sdk: bool, request_id: str) -> list[dict]:
        if not isinstance(doc, dict):
            raise P.edge_problem(P.INVALID_BODY, f"The request body must be a JSON object, found "
                                                 f"{type(doc).__name__}", request_id)
        if "events" in doc:
            events, where = doc["events"], "events"
            if not isinstance(events, list) or not events:
                raise P.edge_problem(P.INVALID_BODY, "'events' must be a non-empty array of events", request_id)
        elif "event" in doc and endpoint == "interact" and not web_sdk:
            events, where = [doc["event"]], "event"
        else:
            wanted = "'events'" if endpoint == "collect" or web_sdk else "'event' (or 'events')"
            raise P.edge_problem(P.INVALID_BODY, f"The request body has no {wanted}", request_id)
        for i, event in enumerate(events):
            path = f"/{where}/{i}" if where == "events" else "/event"
            if not isinstance(event, dict):
                raise P.edge_problem(P.INVALID_BODY, f"{path}: an event must be a JSON object", request_id)
            if not isinstance(event.get("xdm"), dict):
                raise P.edge_problem(P.INVALID_BODY, f"{path}/xdm: every event needs an 'xdm' object (found "
                                                     f"{type(event.get('xdm')).__name__})", request_id)
            if "data" in event and not isinstance(event["data"], dict):
                raise P.edge_problem(P.INVALID_BODY, f"{path}/data: 'data' must be a JSON object", request_id)
        return events

    def _entity(self, xdm: dict, ecid: str, target: Target, stream) -> dict:
        entity = orjson.loads(orjson.dumps(xdm))
        entity.setdefault("_id", str(uuid.uuid4()))
        entity.setdefault("timestamp", datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"))
        if self._schema_has_identity_map(stream, target):
            idmap = entity.get("identityMap")
            if idmap is None:
                idmap = entity["identityMap"] = {}
            if isinstance(idmap, dict) and not idmap.get("ECID"):
                primary = any(isinstance(i, dict) and i.get("primary") for items in idmap.values()
                              if isinstance(items, list) for i in items)
                idmap["ECID"] = [{"id": ecid, "authenticatedState": "ambiguous", "primary": not primary}]
        return entity

    def _schema_has_identity_map(self, stream, target: Target) -> bool:
        key = (stream.org_id, stream.sandbox, target.schema_id, target.fingerprint)
        hit = self._has_identity_map.get(key)
        if hit is None:
            resolved = self.services.lookups.resolved_schema(stream.org_id, stream.sandbox, target.schema_id) or {}
            hit = self._has_identity_map[key] = "identityMap" in (resolved.get("properties") or {})
        return hit

    @staticmethod
    def _invalid(problems: list, request_id: str, where: str) -> ApiError:
        report = []
        lines = []
        for i, violations in problems:
            path = f"/{where}/{i}/xdm" if where == "events" else "/event/xdm"
            errors = [{"pointer": getattr(v, "pointer", "#"), "path": getattr(v, "json_path", "$"),
                       "message": getattr(v, "message", str(v))} for v in violations]
            report.append({"eventIndex": i, "xdmPath": path, "errors": errors})
            lines += [f"{path}{e['pointer'].lstrip('#')}: {e['message']}" for e in errors]
        return P.edge_problem(P.INVALID_XDM, "The XDM of the event does not match the datastream's schema: "
                                             + "; ".join(lines), request_id, events=report)

    async def _dispatch(self, stream, target: Target, entities: list[dict], request_id: str) -> dict | None:
        """Into the pipeline (one transaction); None when stored, else the 207 ``errors`` entry."""
        faults = self.ingestion.faults
        if faults.applies("edge"):
            mode = faults.draw()
            if faults.latency_ms:
                await asyncio.sleep(faults.latency_ms / 1000)
            if mode is not None:
                return P.upstream_error(P.UPSTREAM_UNAVAILABLE, f"Injected fault ({mode}): the events were not "
                                                                "delivered to the dataset; send them again")
        conn = Connection(inlet_id=f"edge:{stream.id}", org_id=stream.org_id, sandbox=stream.sandbox,
                          name=stream.name, source_id="edge", authentication_required=False, flows={})
        received = now_ms()
        try:
            await self.ingestion.pipeline.ingest(conn, [(target, e) for e in entities], received,
                                                 [f"{request_id}-{i}" for i in range(len(entities))])
        except Exception:
            log.exception("Edge Network: storing events failed")
            return P.upstream_error(P.UPSTREAM_UNAVAILABLE, "The events could not be stored; none was accepted, "
                                                            "send them again")
        return None


def routes(services: SandboxServices) -> list[Route]:
    edge = EdgeNetwork(services)

    async def server_api(request: Request) -> Response:
        if request.method == "OPTIONS":
            return await preflight(request)
        return await edge.handle(request, request.path_params["endpoint"], web_sdk=False)

    async def web_sdk(request: Request) -> Response:
        if request.method == "OPTIONS":
            return await preflight(request)
        return await edge.handle(request, request.path_params["endpoint"], web_sdk=True)

    methods = ["POST", "OPTIONS"]
    return [
        Route("/ee/v2/{endpoint}", server_api, methods=methods),
        Route("/{base}/v1/{endpoint}", web_sdk, methods=methods),
        Route("/{base}/{hint}/v1/{endpoint}", web_sdk, methods=methods),
    ]
