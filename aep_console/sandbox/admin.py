"""Part 2's ``/__sandbox/admin/...`` routes (loopback clients only): fault injection, DCS rate limits,
streaming-batch thresholds and flushing, counters.

    POST /__sandbox/admin/faults            {"error503": 0.2, "retryAfter": 1, ...}  ({} switches off)
    GET  /__sandbox/admin/faults
    POST /__sandbox/admin/limits            {"requestsPerSecond": 50 | null, "syncValidationPerMinute": 60}
    POST /__sandbox/admin/datalake/flush    {"datasetId": "…"} (optional) → closes open streaming batches
    POST /__sandbox/admin/datalake/config   {"maxRecords": 1000, "maxAgeSeconds": 5}
    GET  /__sandbox/admin/stats
"""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response

from .errors import ApiError
from .faults import FaultConfigError
from .gateway import json_response as _json


def _bad(message: str) -> ApiError:
    return ApiError(400, {"title": "Bad Request", "status": 400, "detail": message})


def _loopback(request: Request) -> None:
    from .app import require_loopback

    require_loopback(request)


async def _body(request: Request) -> dict:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise _bad(f"The request body is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise _bad("The request body must be a JSON object")
    return doc


def routes(state) -> list[tuple[str, object, list[str]]]:
    async def faults(request: Request) -> Response:
        _loopback(request)
        if request.method == "POST":
            try:
                state.faults.configure(await _body(request))
            except FaultConfigError as exc:
                raise _bad(str(exc)) from None
        return _json(state.faults.describe())

    async def limits(request: Request) -> Response:
        _loopback(request)
        body = await _body(request)
        if "requestsPerSecond" in body:
            rps = body["requestsPerSecond"]
            if rps is not None and (isinstance(rps, bool) or not isinstance(rps, int | float) or rps <= 0):
                raise _bad(f"'requestsPerSecond' must be a positive number or null, found {rps!r}")
            state.limits.requests_per_second = float(rps) if rps else None
            state.limits._bucket.clear()
        if "syncValidationPerMinute" in body:
            spm = body["syncValidationPerMinute"]
            if isinstance(spm, bool) or not isinstance(spm, int) or spm < 1:
                raise _bad(f"'syncValidationPerMinute' must be a positive integer, found {spm!r}")
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
                raise _bad(f"'maxRecords' must be a positive integer, found {n!r}")
            state.lake.max_records = n
        if "maxAgeSeconds" in body:
            s = body["maxAgeSeconds"]
            if isinstance(s, bool) or not isinstance(s, int | float) or s <= 0:
                raise _bad(f"'maxAgeSeconds' must be a positive number, found {s!r}")
            state.lake.max_age_s = float(s)
        return _json({"maxRecords": state.lake.max_records, "maxAgeSeconds": state.lake.max_age_s})

    async def stats(request: Request) -> Response:
        _loopback(request)
        row = state.services.store.query_one("SELECT COUNT(*), COALESCE(SUM(ok), 0) FROM dl_records")
        return _json({"records": row[0], "accepted": row[1], "failed": row[0] - row[1],
                      "openBatches": len(state.lake.open),
                      "profiles": {f"{org}/{sb}": len(sp) for (org, sb), sp in state.profiles.spaces.items()}})

    return [
        ("/faults", faults, ["GET", "POST"]),
        ("/limits", limits, ["POST"]),
        ("/datalake/flush", flush, ["POST"]),
        ("/datalake/config", lake_config, ["POST"]),
        ("/stats", stats, ["GET"]),
    ]
