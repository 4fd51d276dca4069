"""Catalog datasets: create/get/list/patch (JSON Patch, merge, PUT, v2 deep merge)/delete, and views.

Datasets answer as objects keyed by id (``{"<id>": {...}}``), create as ``["@/dataSets/<id>"]`` whatever the
path's spelling (``http/paths.py`` routes ``/datasets`` to ``/dataSets``). A dataset carries every field of
AEP's documented examples: ``classification`` (``dataBehavior`` from the schema's class, ``managedBy``),
``tags["adobe/pqs/table"]`` (its Query Service table), ``observableSchema``, ``viewId``/``basePath``/``files``.
Profile / Identity enablement is the tags ``unifiedProfile`` / ``unifiedIdentity`` with
``enabled:true`` or ``enabled: true`` (both spellings accepted, kept as sent).
Batches are written by the data lake through ``services.batches`` (storage/batches.py).
"""

from __future__ import annotations

import re
import secrets
from functools import partial

from starlette.requests import Request
from starlette.responses import Response

from ...http.errors import bad_request, catalog_error
from ...http.gateway import json_response as _json
from ...http.gateway import media_type, platform_context, read_json
from ...http.json_patch import PatchError, apply_patch
from ...storage.store import now_ms
from ..schema_registry.resolve import find_resource

_CONTENT_TYPE = re.compile(r"^application/vnd\.adobe\.xed(-full)?(-notext)?\+json\s*;\s*version=1(\.0)?$")
READ_ONLY = (
    "imsOrg",
    "created",
    "updated",
    "createdClient",
    "createdUser",
    "updatedUser",
    "version",
    "viewId",
    "basePath",
    "files",
    "lastBatchId",
    "lastBatchStatus",
    "sandboxName",
)


def _not_found(what: str, id_: str):
    return catalog_error(404, "Not Found", f"{what} '{id_}' was not found")


def _check(services, ctx, body: dict, exclude: str | None = None) -> None:
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise bad_request("catalog", "'name' is required (a non-empty string)")
    if "description" in body and not isinstance(body["description"], str):
        raise bad_request("catalog", "'description' must be a string")
    ref = body.get("schemaRef")
    if ref is not None:
        if not isinstance(ref, dict) or not isinstance(ref.get("id"), str):
            raise bad_request("catalog", "'schemaRef' must be an object with 'id' (the schema $id) and 'contentType'")
        ctype = ref.get("contentType")
        if not isinstance(ctype, str) or not _CONTENT_TYPE.match(ctype.strip()):
            raise bad_request("catalog",
                f"schemaRef.contentType {ctype!r} is invalid; expected "
                "application/vnd.adobe.xed-full+json;version=1"
            )
        schema = find_resource(services, ctx.org_id, ctx.sandbox, ref["id"])
        if schema is None or schema.get("meta:resourceType") != "schemas":
            raise bad_request("catalog", f"schemaRef.id {ref['id']} is not a schema in sandbox '{ctx.sandbox}'")
    tags = body.get("tags")
    if tags is not None and (
        not isinstance(tags, dict)
        or not all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in tags.values())
    ):
        raise bad_request("catalog",
            "'tags' must be an object whose values are arrays of strings, e.g. "
            '{"unifiedProfile": ["enabled:true"]}'
        )
    for other_id, other in services.store.list_items(ctx.org_id, ctx.sandbox, "dataset"):
        if other_id != exclude and other.get("name", "").strip().lower() == name.strip().lower():
            raise catalog_error(
                409, "Conflict", f"A dataset named '{other['name']}' already exists (id {other_id})"
            )


def table_name(name: str, taken: set[str]) -> str:
    """The Query Service table of a dataset (``tags["adobe/pqs/table"]``): its name in snake case, made unique."""
    base = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_") or "dataset"
    table, n = base, 0
    while table in taken:
        n += 1
        table = f"{base}_{n}"
    return table


def _data_behavior(services, ctx, doc: dict) -> str:
    ref = (doc.get("schemaRef") or {}).get("id")
    schema = find_resource(services, ctx.org_id, ctx.sandbox, ref) if ref else None
    cls = (schema or {}).get("meta:class", "")
    return "time-series" if cls.endswith("/experienceevent") else "record"


def _with_documented_fields(services, ctx, doc: dict, taken: set[str] | None = None) -> dict:
    """Fill what AEP's examples carry and a dataset made by an older sandbox lacks."""
    tags = doc.setdefault("tags", {})
    if "adobe/pqs/table" not in tags:
        if taken is None:
            taken = _tables(services, ctx)
        tags["adobe/pqs/table"] = [table_name(doc.get("name", ""), taken)]
    tags.setdefault("adobe/siphon/table/format", ["delta"])
    classification = doc.get("classification") if isinstance(doc.get("classification"), dict) else {}
    doc["classification"] = {"dataBehavior": classification.get("dataBehavior") or _data_behavior(services, ctx, doc),
                             "managedBy": classification.get("managedBy") or "CUSTOMER"}
    doc.setdefault("observableSchema", {})
    return doc


def _tables(services, ctx) -> set[str]:
    return {t for _, d in services.store.list_items(ctx.org_id, ctx.sandbox, "dataset")
            for t in (d.get("tags") or {}).get("adobe/pqs/table", [])}


def _view(services, ctx, ds_id: str, doc: dict) -> dict:
    out = _with_documented_fields(services, ctx, dict(doc), taken=set())
    last = services.batches.last_for_dataset(ctx.org_id, ctx.sandbox, ds_id)
    if last:
        out["lastBatchId"] = last["id"]
        out["lastBatchStatus"] = last["status"]
        for key, status in (("lastSuccessfulBatch", "success"), ("lastFailedBatch", "failed")):
            found = services.batches.list(ctx.org_id, ctx.sandbox, dataset_id=ds_id, status=status, limit=1)
            if found:
                out[key] = found[0]["id"]
    return out


def _properties(request: Request, doc: dict) -> dict:
    props = request.query_params.get("properties")
    if not props:
        return doc
    keep = [p.strip() for p in props.split(",") if p.strip()]
    return {k: v for k, v in doc.items() if k in keep}


async def create_dataset(request: Request) -> Response:
    ctx = await platform_context(request)
    services = request.app.state.sandbox
    body = await read_json(request, partial(bad_request, "catalog"), expect=dict)
    ts = now_ms()
    ds_id = secrets.token_hex(12)
    with services.store.transaction():
        _check(services, ctx, body)
        doc = {k: v for k, v in body.items() if k not in READ_ONLY}
        doc.update(
            {
                "version": "1.0.0",
                "imsOrg": ctx.org_id,
                "sandboxName": ctx.sandbox,
                "created": ts,
                "updated": ts,
                "createdClient": ctx.client_id,
                "createdUser": ctx.user_id,
                "updatedUser": ctx.user_id,
                "tags": body.get("tags") or {},
                "viewId": secrets.token_hex(12),
                "basePath": f"/platform/data/{ctx.sandbox}/{ds_id}",
                "files": f"@/dataSetFiles?dataSetId={ds_id}",
            }
        )
        _with_documented_fields(services, ctx, doc)
        services.store.put(
            ctx.org_id, ctx.sandbox, "dataset", ds_id, doc, name=doc["name"].strip().lower(), created=ts
        )
    return _json(
        [f"@/dataSets/{ds_id}"], 201, headers={"Location": f"{request.url.path.rstrip('/')}/{ds_id}"}
    )


async def get_dataset(request: Request) -> Response:
    ctx = await platform_context(request)
    services = request.app.state.sandbox
    ds_id = request.path_params["id"]
    doc = services.store.get(ctx.org_id, ctx.sandbox, "dataset", ds_id)
    if doc is None:
        raise _not_found("Dataset", ds_id)
    return _json({ds_id: _properties(request, _view(services, ctx, ds_id, doc))})


MAX_QUERY_INT = 2**31 - 1  # Catalog's paging numbers are Java ints; larger ones never reach SQLite


def _int(request: Request, name: str, default: int, hi: int = MAX_QUERY_INT) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request("catalog", f"'{name}' must be an integer, found {raw!r}") from None
    if value < 0 or value > hi:
        raise bad_request("catalog", f"'{name}' must be between 0 and {hi}, found {value}")
    return value


async def list_datasets(request: Request) -> Response:
    ctx = await platform_context(request)
    services = request.app.state.sandbox
    q = request.query_params
    limit, start = _int(request, "limit", 50, 100), _int(request, "start", 0)
    items = services.store.list_items(ctx.org_id, ctx.sandbox, "dataset")
    if q.get("name"):
        items = [(i, d) for i, d in items if d.get("name") == q["name"]]
    if q.get("tags"):  # tags=unifiedProfile:enabled:true or just a tag name
        key, _, value = q["tags"].partition(":")
        items = [
            (i, d)
            for i, d in items
            if key in (d.get("tags") or {})
            and (not value or any(v.replace(" ", "") == value.replace(" ", "") for v in d["tags"][key]))
        ]
    if q.get("schemaRef.id") or q.get("schemaId"):
        sid = q.get("schemaRef.id") or q.get("schemaId")
        items = [(i, d) for i, d in items if (d.get("schemaRef") or {}).get("id") == sid]
    order = q.get("orderBy", "asc:created")
    direction, _, field = order.partition(":")
    if direction not in ("asc", "desc") or not field:
        raise bad_request("catalog", f"'orderBy' must look like asc:created or desc:updated, found {order!r}")

    def sort_key(item):
        value = item[1].get(field)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return (0, value, "")
        return (1, 0, "" if value is None else str(value))

    items.sort(key=sort_key, reverse=direction == "desc")
    chunk = items[start : start + limit]
    return _json({i: _properties(request, _view(services, ctx, i, d)) for i, d in chunk})


_V2 = "/platform/data/foundation/catalog/v2/"


def _deep_merge(old: dict, patch: dict) -> dict:
    """PATCH v2: nested fields merged, missing intermediate objects created; read-only fields kept."""
    out = dict(old)
    for key, value in patch.items():
        if key in READ_ONLY:
            continue
        out[key] = _deep_merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


async def patch_dataset(request: Request) -> Response:
    ctx = await platform_context(request)
    services = request.app.state.sandbox
    ds_id = request.path_params["id"]
    body = await read_json(request, partial(bad_request, "catalog"), expect=(dict, list))
    with services.store.transaction():
        old = services.store.get(ctx.org_id, ctx.sandbox, "dataset", ds_id)
        if old is None:
            raise _not_found("Dataset", ds_id)
        if isinstance(body, list) or media_type(request) == "application/json-patch+json":
            try:
                new = apply_patch(old, body)
            except PatchError as exc:
                raise bad_request("catalog", f"Invalid JSON Patch: {exc}") from None
            if not isinstance(new, dict):
                raise bad_request("catalog", "The JSON Patch must leave an object")
        else:
            new = _deep_merge(old, body) if request.url.path.startswith(_V2) else {
                **old, **{k: v for k, v in body.items() if k not in READ_ONLY}}
        for key in READ_ONLY:
            if key in old:
                new[key] = old[key]
        if request.method == "PUT":
            new = {
                **{k: old[k] for k in READ_ONLY if k in old},
                **{k: v for k, v in body.items() if k not in READ_ONLY},
            }
        new.setdefault("tags", {})
        for key in ("adobe/pqs/table",):  # the table stays the dataset's across updates
            if key not in new["tags"] and key in (old.get("tags") or {}):
                new["tags"][key] = old["tags"][key]
        _with_documented_fields(services, ctx, new)
        _check(services, ctx, new, exclude=ds_id)
        new["updated"] = now_ms()
        new["updatedUser"] = ctx.user_id
        services.store.put(ctx.org_id, ctx.sandbox, "dataset", ds_id, new, name=new["name"].strip().lower())
    services.lookups.flows_changed()  # inlet lookups carry dataset facts
    return _json([f"@/dataSets/{ds_id}"])


async def delete_dataset(request: Request) -> Response:
    ctx = await platform_context(request)
    services = request.app.state.sandbox
    ds_id = request.path_params["id"]
    if not services.store.delete(ctx.org_id, ctx.sandbox, "dataset", ds_id):
        raise _not_found("Dataset", ds_id)
    services.lookups.flows_changed()  # inlet lookups carry dataset facts
    return _json([f"@/dataSets/{ds_id}"])


async def list_views(request: Request) -> Response:
    """A dataset's views (``viewId`` of the dataset; the data lake keeps one view per dataset)."""
    ctx = await platform_context(request)
    services = request.app.state.sandbox
    ds_id = request.path_params["id"]
    doc = services.store.get(ctx.org_id, ctx.sandbox, "dataset", ds_id)
    if doc is None:
        raise _not_found("Dataset", ds_id)
    view = {"dataSetId": ds_id, "imsOrg": doc["imsOrg"], "status": "enabled", "created": doc["created"],
            "updated": doc["updated"], "basePath": doc["basePath"], "fileDescription": doc.get("fileDescription", {}),
            "files": f"@/dataSets/{ds_id}/views/{doc['viewId']}/files"}
    wanted = request.path_params.get("view_id")
    if wanted is not None and wanted != doc["viewId"]:
        raise _not_found("Dataset view", wanted)
    return _json({doc["viewId"]: view})
