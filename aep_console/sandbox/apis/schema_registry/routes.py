"""Schema Registry routes (``/data/foundation/schemaregistry``): stats, global and tenant containers
(schemas, field groups = legacy mixins, classes, data types, behaviors), descriptors, unions.

Reads in ``schema_resolve.py``, writes and checks in ``schema_registry_data.py``, Accept rules in
``schema_registry_accept.py``.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from aep_console.xdm.errors import XDMError

from ...http.errors import bad_request, xdm_error
from ...http.gateway import json_response as _json
from ...http.gateway import platform_context, read_json
from . import descriptors, sample
from . import writes as data
from .accept import (
    descriptor_list_format,
    descriptor_lookup_format,
    list_format,
    lookup_format,
    strip_text,
)
from .resolve import (
    TENANT_KINDS,
    standard,
    standard_doc,
    tenant_doc,
    union_alt_id,
    union_doc,
    union_id,
    union_members,
)

if TYPE_CHECKING:
    from ...server.state import SandboxServices

log = logging.getLogger(__name__)

KIND_ALIASES = {
    "schemas": "schemas",
    "fieldgroups": "mixins",
    "mixins": "mixins",
    "classes": "classes",
    "datatypes": "datatypes",
    "behaviors": "behaviors",
}
MAX_LIMIT = 300
ITEM_XED = "application/vnd.adobe.xed+json; version=1"


def _container(request: Request) -> str:
    container = request.path_params["container"]
    if container not in ("global", "tenant"):
        raise xdm_error(
            1012,
            404,
            "Resource Not Found",
            f"Unknown container '{container}' (expected 'global' or 'tenant')",
        )
    return container


def _kind(request: Request) -> str:
    kind = KIND_ALIASES.get(request.path_params["kind"])
    if kind is None:
        raise xdm_error(
            1012, 404, "Resource Not Found", f"Unknown resource type '{request.path_params['kind']}'"
        )
    return kind


def _summary(doc: dict) -> dict:
    return {
        "$id": doc["$id"],
        "meta:altId": doc.get("meta:altId"),
        "version": doc.get("version", "1.0"),
        "title": doc.get("title"),
    }


def _matches(doc: dict, filters: list[tuple[str, str, str]]) -> bool:
    for key, op, value in filters:
        actual = doc.get(key)
        values = actual if isinstance(actual, list) else [actual]
        values = [
            "" if v is None else (v if isinstance(v, str) else orjson.dumps(v).decode()) for v in values
        ]
        if op == "==" and value not in values:
            return False
        if op == "!=" and value in values:
            return False
        if op == "~" and not any(value.lower() in v.lower() for v in values):
            return False
        if op == "exists" and actual is None:
            return False
    return True


def _filters(raw: str | None) -> list[tuple[str, str, str]]:
    out = []
    for part in (raw or "").split(","):
        part = part.strip()
        if not part:
            continue
        for op in ("==", "!=", "~"):
            if op in part:
                key, _, value = part.partition(op)
                out.append((key.strip(), op, value.strip()))
                break
        else:
            out.append((part.lstrip("!"), "exists", ""))
    return out


def _page(request: Request, docs: list[dict], fmt: str, extra_links: dict | None = None) -> dict:
    q = request.query_params
    orderby = q.get("orderby", "title")
    try:
        limit = int(q.get("limit", MAX_LIMIT))
        start = int(q.get("start", 0) or 0)
    except ValueError:
        raise bad_request("xdm", "'limit' and 'start' must be integers") from None
    if limit < 1 or limit > MAX_LIMIT:
        raise bad_request("xdm", f"'limit' must be between 1 and {MAX_LIMIT}, found {limit}")
    if start < 0:
        raise bad_request("xdm", f"'start' must be 0 or more, found {start}")
    docs = [d for d in docs if _matches(d, _filters(q.get("property")))]
    for key in reversed([k.strip() for k in orderby.split(",") if k.strip()]):
        desc = key.startswith("-")
        name = key.lstrip("-+")
        docs.sort(key=lambda d, n=name: str(d.get(n) or "").lower(), reverse=desc)
    chunk = docs[start : start + limit]
    nxt = start + limit if start + limit < len(docs) else None
    links: dict = {"next": None}
    if nxt is not None:
        links["next"] = {"href": f"{request.url.path}?{urlencode({**q, 'start': nxt})}"}
    links.update(extra_links or {})
    return {
        "results": [_summary(d) for d in chunk] if fmt == "id" else chunk,
        "_page": {"orderby": orderby, "next": str(nxt) if nxt is not None else None, "count": len(chunk)},
        "_links": links,
    }


def _global_docs(kind: str) -> list[dict]:
    if kind == "schemas":
        return []
    return [d for d in standard().values() if d.get("meta:resourceType") == kind]


# --- handlers -----------------------------------------------------------------------------------


async def stats(request: Request) -> Response:
    ctx = await platform_context(request)
    s = request.app.state.sandbox
    counts = {
        k: s.store.count(ctx.org_id, ctx.sandbox, k) for k in ("schemas", "mixins", "datatypes", "classes")
    }
    members = union_members(s, ctx.org_id, ctx.sandbox)
    counts["unions"] = len(members)
    docs = [d for k in TENANT_KINDS for d in s.store.list(ctx.org_id, ctx.sandbox, k)]
    created = sorted(
        docs, key=lambda d: d.get("meta:registryMetadata", {}).get("repo:createdDate", 0), reverse=True
    )
    updated = sorted(
        docs, key=lambda d: d.get("meta:registryMetadata", {}).get("repo:lastModifiedDate", 0), reverse=True
    )
    usage: dict[str, dict] = {}
    for doc in s.store.list(ctx.org_id, ctx.sandbox, "schemas"):
        cid = doc.get("meta:class")
        if not cid:
            continue
        entry = usage.setdefault(
            cid,
            {
                "$id": cid,
                "title": (standard_doc(cid) or tenant_doc(s, ctx.org_id, ctx.sandbox, cid) or {}).get(
                    "title", cid
                ),
                "numberOfSchemas": 0,
                "schemas": [],
            },
        )
        entry["numberOfSchemas"] += 1
        entry["schemas"].append(
            {
                "$id": doc["$id"],
                "title": doc.get("title"),
                "meta:altId": doc.get("meta:altId"),
                "description": doc.get("description", ""),
            }
        )
    body = {
        "imsOrg": ctx.org_id,
        "tenantId": ctx.tenant_id,
        "counts": counts,
        "recentlyCreatedResources": [
            {**_summary(d), "meta:resourceType": d.get("meta:resourceType")} for d in created[:5]
        ],
        "recentlyUpdatedResources": [
            {**_summary(d), "meta:resourceType": d.get("meta:resourceType")} for d in updated[:5]
        ],
        "classUsage": list(usage.values()),
    }
    return _json(body)


async def list_resources(request: Request) -> Response:
    ctx = await platform_context(request)
    s = request.app.state.sandbox
    container, kind = _container(request), _kind(request)
    fmt = list_format(request.headers.get("accept"))
    if container == "global":
        docs = _global_docs(kind)
    elif kind == "behaviors":
        docs = []
    else:
        docs = s.store.list(ctx.org_id, ctx.sandbox, kind)
    extra = None
    if kind == "schemas":
        base = str(request.base_url).rstrip("/") + request.scope.get("root_path", "")
        extra = {"global_schemas": {"href": f"{base}/global/schemas"}}
    return _json(_page(request, docs, fmt, extra), media_type="application/json")


def _render(doc: dict, fmt) -> dict:
    if fmt.notext:
        return strip_text(doc)
    if fmt.desc:
        return strip_text(doc, keep_descriptions=True)
    return doc


async def get_resource(request: Request) -> Response:
    ctx = await platform_context(request)
    s = request.app.state.sandbox
    container, kind = _container(request), _kind(request)
    ref = request.path_params["id"]
    fmt = lookup_format(request.headers.get("accept"))
    if container == "global":
        doc = standard_doc(ref)
        if doc is not None and (doc.get("meta:resourceType") != kind or kind == "schemas"):
            doc = None
    elif kind == "behaviors":
        doc = None
    else:
        doc = tenant_doc(s, ctx.org_id, ctx.sandbox, ref, kinds=(kind,))
    if doc is None:
        raise data.not_found(ref)
    if fmt.full:
        try:
            out = s.lookups.resolved_schema(ctx.org_id, ctx.sandbox, doc["$id"], raise_errors=True)
        except XDMError as exc:
            raise data.invalid(f"{doc['$id']} can no longer be composed: {exc}") from None
    else:
        out = doc
    return _json(_render(out, fmt), media_type="application/json")


async def create_resource(request: Request) -> Response:
    ctx = await platform_context(request)
    kind = _kind(request)
    if kind == "behaviors":
        raise xdm_error(1014, 405, "Method not allowed", "Behaviors are global and read-only")
    body = await read_json(request, partial(bad_request, "xdm"))
    doc = data.create_resource(request.app.state.sandbox, ctx, kind, body)
    return _json(doc, 201)


async def update_resource(request: Request) -> Response:
    ctx = await platform_context(request)
    kind = _kind(request)
    patch = request.method == "PATCH"
    body = await read_json(request, partial(bad_request, "xdm"), expect=list if patch else dict)
    doc = data.update_resource(
        request.app.state.sandbox, ctx, kind, request.path_params["id"], body, patch=patch
    )
    return _json(doc)


async def delete_resource(request: Request) -> Response:
    ctx = await platform_context(request)
    data.delete_resource(request.app.state.sandbox, ctx, _kind(request), request.path_params["id"])
    return Response(status_code=204)


async def global_write(request: Request) -> Response:
    await platform_context(request)
    raise xdm_error(
        1014,
        403,
        "Forbidden",
        "Resources in the global container are read-only; create or change resources in the tenant container",
    )


# --- descriptors ----------------------------------------------------------------------------------


async def list_descriptors(request: Request) -> Response:
    ctx = await platform_context(request)
    s = request.app.state.sandbox
    container = _container(request)
    fmt = descriptor_list_format(request.headers.get("accept"))
    docs = [] if container == "global" else s.store.list(ctx.org_id, ctx.sandbox, "descriptor")
    docs = [d for d in docs if _matches(d, _filters(request.query_params.get("property")))]
    base = fmt.removeprefix("v2-")
    if fmt.startswith("v2-"):
        items = [
            d["@id"] if base == "id" else f"/{container}/descriptors/{d['@id']}" if base == "link" else d
            for d in docs
        ]
        return _json({"results": items, "_page": {"count": len(items), "next": None}, "_links": {}})
    grouped: dict[str, list] = {}
    for d in docs:
        item = d["@id"] if base == "id" else f"/{container}/descriptors/{d['@id']}" if base == "link" else d
        grouped.setdefault(d["@type"], []).append(item)
    return _json(grouped)


async def get_descriptor(request: Request) -> Response:
    ctx = await platform_context(request)
    descriptor_lookup_format(request.headers.get("accept"))
    if _container(request) == "global":
        raise data.not_found(request.path_params["id"], "descriptor")
    return _json(descriptors.get_descriptor(request.app.state.sandbox, ctx, request.path_params["id"]))


async def create_descriptor(request: Request) -> Response:
    ctx = await platform_context(request)
    body = await read_json(request, partial(bad_request, "xdm"))
    return _json(descriptors.create_descriptor(request.app.state.sandbox, ctx, body), 201)


async def replace_descriptor(request: Request) -> Response:
    ctx = await platform_context(request)
    body = await read_json(request, partial(bad_request, "xdm"))
    return _json(
        descriptors.replace_descriptor(request.app.state.sandbox, ctx, request.path_params["id"], body)
    )


async def delete_descriptor(request: Request) -> Response:
    ctx = await platform_context(request)
    descriptors.delete_descriptor(request.app.state.sandbox, ctx, request.path_params["id"])
    return Response(status_code=204)


# --- unions -------------------------------------------------------------------------------------


async def list_unions(request: Request) -> Response:
    ctx = await platform_context(request)
    s = request.app.state.sandbox
    fmt = list_format(request.headers.get("accept"))
    docs = []
    for class_id in union_members(s, ctx.org_id, ctx.sandbox):
        class_doc = standard_doc(class_id) or tenant_doc(s, ctx.org_id, ctx.sandbox, class_id)
        udoc = union_doc(s, ctx.org_id, ctx.sandbox, union_id(class_id)) or {
            "$id": union_id(class_id),
            "meta:altId": union_alt_id(class_id, class_doc),
        }
        docs.append(udoc)
    return _json(_page(request, docs, fmt))


async def get_union(request: Request) -> Response:
    ctx = await platform_context(request)
    s = request.app.state.sandbox
    ref = request.path_params["id"]
    fmt = lookup_format(request.headers.get("accept"))
    udoc = union_doc(s, ctx.org_id, ctx.sandbox, ref)
    if udoc is None:
        raise data.not_found(ref, "union")
    out = s.lookups.resolved_schema(ctx.org_id, ctx.sandbox, udoc["$id"]) if fmt.full else udoc
    return _json(_render(out, fmt))


def routes(services: SandboxServices) -> list[Route]:
    return [
        Route("/stats", stats, methods=["GET"]),
        Route("/rpc/sampledata/{id:path}", sample.sample_data, methods=["GET"]),
        Route("/{container}/descriptors", list_descriptors, methods=["GET"]),
        Route("/tenant/descriptors", create_descriptor, methods=["POST"]),
        Route("/{container}/descriptors/{id}", get_descriptor, methods=["GET"]),
        Route("/tenant/descriptors/{id}", replace_descriptor, methods=["PUT"]),
        Route("/tenant/descriptors/{id}", delete_descriptor, methods=["DELETE"]),
        Route("/tenant/unions", list_unions, methods=["GET"]),
        Route("/tenant/unions/{id:path}", get_union, methods=["GET"]),
        Route("/{container}/{kind}", list_resources, methods=["GET"]),
        Route("/tenant/{kind}", create_resource, methods=["POST"]),
        Route("/global/{kind}", global_write, methods=["POST"]),
        Route("/{container}/{kind}/{id:path}", get_resource, methods=["GET"]),
        Route("/tenant/{kind}/{id:path}", update_resource, methods=["PUT", "PATCH"]),
        Route("/tenant/{kind}/{id:path}", delete_resource, methods=["DELETE"]),
        Route("/global/{kind}/{id:path}", global_write, methods=["PUT", "PATCH", "DELETE"]),
    ]
