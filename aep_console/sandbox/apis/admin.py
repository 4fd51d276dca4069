"""The sandbox's own ``/__sandbox/admin/...`` routes (loopback clients only): fault injection, DCS rate limits,
streaming-batch thresholds and flushing, counters.

    POST /__sandbox/admin/faults            {"error503": 0.2, "retryAfter": 1, ...}  ({} switches off)
    GET  /__sandbox/admin/faults
    POST /__sandbox/admin/limits            {"requestsPerSecond": 50 | null, "syncValidationPerMinute": 60}
    POST /__sandbox/admin/datalake/flush    {"datasetId": "…"} (optional) → closes open streaming batches
    POST /__sandbox/admin/datalake/config   {"maxRecords": 1000, "maxAgeSeconds": 5}
    GET  /__sandbox/admin/stats
    GET  /__sandbox/admin/dcs/requests?inletId=…  the DCS requests received (streaming/traffic.py), newest last
    DELETE /__sandbox/admin/dcs/requests         forget them
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..http.errors import bad_request
from ..http.gateway import json_response as _json
from ..http.gateway import require_loopback
from ..ingestion.faults import FaultConfigError

if TYPE_CHECKING:
    from ..server.state import SandboxServices




def _loopback(request: Request) -> None:
    require_loopback(request)


async def _body(request: Request) -> dict:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise bad_request("admin", f"The request body is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise bad_request("admin", "The request body must be a JSON object")
    return doc


def routes(services: SandboxServices) -> list[Route]:
    state = services.ingestion

    async def faults(request: Request) -> Response:
        _loopback(request)
        if request.method == "POST":
            try:
                state.faults.configure(await _body(request))
            except FaultConfigError as exc:
                raise bad_request("admin", str(exc)) from None
        return _json(state.faults.describe())

    async def limits(request: Request) -> Response:
        _loopback(request)
        body = await _body(request)
        if "requestsPerSecond" in body:
            rps = body["requestsPerSecond"]
            if rps is not None and (isinstance(rps, bool) or not isinstance(rps, int | float) or rps <= 0):
                raise bad_request("admin", f"'requestsPerSecond' must be a positive number or null, found {rps!r}")
            state.limits.requests_per_second = float(rps) if rps else None
            state.limits._bucket.clear()
        if "syncValidationPerMinute" in body:
            spm = body["syncValidationPerMinute"]
            if isinstance(spm, bool) or not isinstance(spm, int) or spm < 1:
                raise bad_request("admin", f"'syncValidationPerMinute' must be a positive integer, found {spm!r}")
            state.limits.sync_per_minute = spm
            state.limits._sync.clear()
        return _json({"requestsPerSecond": state.limits.requests_per_second,
                      "syncValidationPerMinute": state.limits.sync_per_minute})

    async def flush(request: Request) -> Response:
        _loopback(request)
        body = await _body(request)
        dataset_id = body.get("datasetId")
        return _json({"closed": await state.lake.close_due(force=True, dataset_id=dataset_id)})

    async def lake_config(request: Request) -> Response:
        _loopback(request)
        body = await _body(request)
        if "maxRecords" in body:
            n = body["maxRecords"]
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                raise bad_request("admin", f"'maxRecords' must be a positive integer, found {n!r}")
            state.lake.max_records = n
        if "maxAgeSeconds" in body:
            s = body["maxAgeSeconds"]
            if isinstance(s, bool) or not isinstance(s, int | float) or s <= 0:
                raise bad_request("admin", f"'maxAgeSeconds' must be a positive number, found {s!r}")
            state.lake.max_age_s = float(s)
        return _json({"maxRecords": state.lake.max_records, "maxAgeSeconds": state.lake.max_age_s})

    async def stats(request: Request) -> Response:
        _loopback(request)
        row = state.services.store.query_one("SELECT COUNT(*), COALESCE(SUM(ok), 0) FROM dl_records")
        return _json({"records": row[0], "accepted": row[1], "failed": row[0] - row[1],
                      "openBatches": len(state.lake.open),
                      "profiles": {f"{org}/{sb}": len(sp) for (org, sb), sp in state.profiles.spaces.items()}})

    async def dcs_requests(request: Request) -> Response:
        _loopback(request)
        if request.method == "DELETE":
            state.requests.clear()
            return Response(status_code=204)
        return _json({"requests": state.requests.entries(request.query_params.get("inletId")),
                      "acceptMissingFlowId": state.pipeline.accept_missing_flow_id})

    return [
        Route("/dcs/requests", dcs_requests, methods=["GET", "DELETE"]),
        Route("/faults", faults, methods=["GET", "POST"]),
        Route("/limits", limits, methods=["POST"]),
        Route("/datalake/flush", flush, methods=["POST"]),
        Route("/datalake/config", lake_config, methods=["POST"]),
        Route("/stats", stats, methods=["GET"]),
    ]
