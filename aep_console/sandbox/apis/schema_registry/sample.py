"""``GET /rpc/sampledata/{SCHEMA_ID}``: a sample record of a schema, every field filled with a value of its
type, format or enum (as AEP's "sample data" answers: a record to start from, not real data)."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response

from aep_console.xdm.errors import XDMError
from aep_console.xdm.template import placeholder

from ...http.gateway import json_response as _json
from ...http.gateway import platform_context
from . import writes as data
from .resolve import find_resource

_MAX_DEPTH = 12  # recursive data types (rare) stop here


def sample(node: dict, depth: int = 0) -> Any:
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        props = node.get("properties") or {}
        if not props:
            extra = node.get("additionalProperties")
            return {"key": sample(extra, depth + 1)} if isinstance(extra, dict) and depth < _MAX_DEPTH else {}
        return {name: sample(child, depth + 1) for name, child in props.items() if depth < _MAX_DEPTH}
    if kind == "array":
        items = node.get("items")
        return [sample(items, depth + 1)] if isinstance(items, dict) and depth < _MAX_DEPTH else []
    value = placeholder(node)
    if value == "" and kind in (None, "string"):
        return f"Sample value for {node.get('title') or 'this field'}"
    return value


async def sample_data(request: Request) -> Response:
    ctx = await platform_context(request)
    s = request.app.state.sandbox
    ref = unquote(request.path_params["id"])
    doc = find_resource(s, ctx.org_id, ctx.sandbox, ref)
    if doc is None or doc.get("meta:resourceType") != "schemas":
        raise data.not_found(ref, "schema")
    try:
        resolved = s.lookups.resolved_schema(ctx.org_id, ctx.sandbox, doc["$id"], raise_errors=True)
    except XDMError as exc:
        raise data.invalid(f"{doc['$id']} can no longer be composed: {exc}") from None
    return _json(sample(resolved))
