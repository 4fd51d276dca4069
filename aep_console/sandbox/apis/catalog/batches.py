"""Catalog batches: list, get, and ``/lastBatches`` (the last, last successful and last failed batch per
dataset). Batches are written by the data lake through ``services.batches`` (storage/batches.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ...http.errors import bad_request
from ...http.gateway import json_response as _json
from ...http.gateway import platform_context
from .datasets import _int, _not_found, _properties


def _order(request: Request) -> bool:
    order = request.query_params.get("orderBy", "desc:created")
    direction = order.partition(":")[0]
    if direction not in ("asc", "desc"):
        raise bad_request("catalog", f"'orderBy' must look like desc:created, found {order!r}")
    return direction == "desc"


async def list_batches(request: Request) -> Response:
    ctx = await platform_context(request)
    services = request.app.state.sandbox
    q = request.query_params
    limit, start = _int(request, "limit", 50, 100), _int(request, "start", 0)
    rows = services.batches.list(
        ctx.org_id,
        ctx.sandbox,
        dataset_id=q.get("dataSet") or q.get("dataSetId"),
        status=q.get("status"),
        limit=limit,
        start=start,
        descending=_order(request),
    )
    return _json({b["id"]: _properties(request, {k: v for k, v in b.items() if k != "id"}) for b in rows})


async def get_batch(request: Request) -> Response:
    ctx = await platform_context(request)
    services = request.app.state.sandbox
    b = services.batches.get(ctx.org_id, ctx.sandbox, request.path_params["id"])
    if b is None:
        raise _not_found("Batch", request.path_params["id"])
    return _json({b["id"]: {k: v for k, v in b.items() if k != "id"}})


async def last_batches(request: Request) -> Response:
    """``{datasetId: {lastBatchId, lastBatchStatus, lastSuccessfulBatchId, lastFailedBatchId, imsOrg, created,
    updated}}`` for the datasets that have batches (catalog.yaml ``listLastBatches``)."""
    ctx = await platform_context(request)
    services = request.app.state.sandbox
    q = request.query_params
    limit, start = _int(request, "limit", 50, 100), _int(request, "start", 0)
    wanted = {i.strip() for i in q.get("dataSetId", "").split(",") if i.strip()}
    ids = [i for i, _ in services.store.list_items(ctx.org_id, ctx.sandbox, "dataset") if not wanted or i in wanted]
    out: dict[str, dict] = {}
    for ds_id in ids:
        last = services.batches.list(ctx.org_id, ctx.sandbox, dataset_id=ds_id, limit=1)
        if not last:
            continue
        entry = {"lastBatchId": last[0]["id"], "lastBatchStatus": last[0]["status"], "imsOrg": ctx.org_id,
                 "created": last[0].get("created"), "updated": last[0].get("updated")}
        for key, status in (("lastSuccessfulBatchId", "success"), ("lastFailedBatchId", "failed")):
            found = services.batches.list(ctx.org_id, ctx.sandbox, dataset_id=ds_id, status=status, limit=1)
            if found:
                entry[key] = found[0]["id"]
        filters = {k: q[k] for k in ("lastBatchId", "lastBatchStatus", "lastSuccessfulBatchId", "lastFailedBatchId")
                   if k in q}
        if all(entry.get(k) == v for k, v in filters.items()):
            out[ds_id] = _properties(request, entry)
    items = sorted(out.items(), key=lambda kv: kv[1].get("created") or 0, reverse=_order(request))
    return _json(dict(items[start : start + limit]))
