"""Flow Service (``/data/foundation/flowservice``) for streaming: base connections (the tutorial's
streaming connection, legacy ``providerId`` form too), source and target connections, dataflows,
connectionSpecs / flowSpecs. The legacy inlet API is in flow_inlets.py.

Entities answer ``{"items": [...]}``; create → 201 ``{"id", "etag"}``; PATCH (JSON Patch) needs
``If-Match`` with the current etag (412 with ``errorMessage`` on a mismatch); DELETE → 204.
A streaming base connection gets a 64-hex ``inletId``; ``inletUrl`` is on the sandbox's streaming base
(``{base}/dcs/collection/{inletId}``), computed from the request's host.
"""

from __future__ import annotations

import copy
import secrets
import uuid
from functools import partial
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...http.errors import bad_request, flow_error
from ...http.gateway import json_response as _json
from ...http.gateway import platform_context, read_json
from ...http.json_patch import PatchError, apply_patch
from ...storage.store import now_ms
from .inlets import streaming_base
from .specs import CONNECTION_SPECS, DATA_LAKE_SPEC_ID, FLOW_SPECS, STREAMING_SPEC_ID

COLLECTIONS = {
    "connections": "connection",
    "sourceConnections": "source_connection",
    "targetConnections": "target_connection",
    "flows": "flow",
}
LABELS = {
    "connection": "Connection",
    "source_connection": "Source connection",
    "target_connection": "Target connection",
    "flow": "Flow",
}
SERVER_OWNED = (
    "id",
    "etag",
    "version",
    "createdAt",
    "updatedAt",
    "createdBy",
    "updatedBy",
    "createdClient",
    "updatedClient",
    "sandboxId",
    "sandboxName",
    "imsOrgId",
    "state",
    "inheritedAttributes",
)

if TYPE_CHECKING:
    from ...server.state import SandboxServices




def _etag() -> str:
    return f'"{uuid.uuid4().hex[:8]}-0000-0200-0000-{secrets.token_hex(6)}"'


def _truthy(value) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _str(body: dict, key: str, required: bool = True) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise bad_request("flow", f"'{key}' is required (a non-empty string)")
    return value


def _spec_ref(body: dict, key: str, allowed: dict, expected: set[str]) -> dict:
    ref = body.get(key)
    if not isinstance(ref, dict) or not isinstance(ref.get("id"), str):
        raise bad_request("flow", f'\'{key}\' is required: {{"id": "<spec id>", "version": "1.0"}}')
    if ref["id"] not in allowed:
        raise flow_error(
            400,
            "Bad Request",
            f"{key}.id {ref['id']} is not a known spec in this sandbox (known: {', '.join(sorted(allowed))})",
        )
    if ref["id"] not in expected:
        raise bad_request("flow",
            f"{key}.id {ref['id']} cannot be used here (expected one of {', '.join(sorted(expected))})"
        )
    return {"id": ref["id"], "version": str(ref.get("version", "1.0"))}


def _get(services, ctx, kind: str, id_: str) -> dict:
    doc = services.store.get(ctx.org_id, ctx.sandbox, kind, id_)
    if doc is None:
        raise flow_error(404, "Not Found", f"{LABELS[kind]} with id '{id_}' was not found")
    return doc


def _base_doc(ctx, body: dict) -> dict:
    ts = now_ms()
    doc = {k: copy.deepcopy(v) for k, v in body.items() if k not in SERVER_OWNED}
    etag = _etag()
    doc.update(
        {
            "id": str(uuid.uuid4()),
            "createdAt": ts,
            "updatedAt": ts,
            "createdBy": ctx.user_id,
            "updatedBy": ctx.user_id,
            "createdClient": ctx.client_id,
            "updatedClient": ctx.client_id,
            "sandboxId": ctx.sandbox,
            "sandboxName": ctx.sandbox,
            "imsOrgId": ctx.org_id,
            "state": "enabled",
            "version": etag,
            "etag": etag,
        }
    )
    return doc


def _validate(services, ctx, kind: str, body: dict) -> tuple[dict, str | None]:
    """Checked copy of ``body`` and the ref to index it by (a connection's inlet id)."""
    _str(body, "name")
    if "description" in body and not isinstance(body["description"], str):
        raise bad_request("flow", "'description' must be a string")
    ref = None
    if kind == "connection":
        body["connectionSpec"] = _spec_ref(body, "connectionSpec", CONNECTION_SPECS, {STREAMING_SPEC_ID})
        auth = body.get("auth") or {"specName": "Streaming Connection", "params": {}}
        if not isinstance(auth, dict) or not isinstance(auth.get("params", {}), dict):
            raise bad_request("flow", '\'auth\' must be {"specName": "Streaming Connection", "params": {...}}')
        params = dict(auth.get("params") or {})
        data_type = params.get("dataType", "xdm")
        if data_type not in ("xdm", "raw"):
            raise bad_request("flow", f'auth.params.dataType must be "xdm" or "raw", found {data_type!r}')
        if "providerId" in body and not isinstance(body["providerId"], str):
            raise bad_request("flow", "'providerId' must be a string")
        params["dataType"] = data_type
        params.setdefault("name", body["name"])
        params.setdefault("sourceId", params["name"])
        if "authenticationRequired" in params:
            params["authenticationRequired"] = _truthy(params["authenticationRequired"])
        params["inletId"] = secrets.token_hex(32)
        body["auth"] = {"specName": auth.get("specName", "Streaming Connection"), "params": params}
        ref = params["inletId"]
    elif kind == "source_connection":
        base_id = _str(body, "baseConnectionId")
        base = services.store.get(ctx.org_id, ctx.sandbox, "connection", base_id)
        if base is None:
            raise bad_request("flow", f"baseConnectionId {base_id} is not a connection in sandbox '{ctx.sandbox}'")
        body["connectionSpec"] = _spec_ref(body, "connectionSpec", CONNECTION_SPECS, {STREAMING_SPEC_ID})
    elif kind == "target_connection":
        body["connectionSpec"] = _spec_ref(body, "connectionSpec", CONNECTION_SPECS, {DATA_LAKE_SPEC_ID})
        params = body.get("params")
        if not isinstance(params, dict) or not isinstance(params.get("dataSetId"), str):
            raise bad_request("flow", "'params.dataSetId' is required (the id of the target dataset)")
        ds = services.lookups.dataset(ctx.org_id, ctx.sandbox, params["dataSetId"])
        if ds is None:
            raise bad_request("flow", f"params.dataSetId {params['dataSetId']} is not a dataset in sandbox '{ctx.sandbox}'")
        schema = (
            ((body.get("data") or {}).get("schema") or {}) if isinstance(body.get("data"), dict) else None
        )
        if schema is None or not isinstance(schema, dict):
            raise bad_request("flow", '\'data\' must be {"schema": {"id": "<schema $id>", "version": "…"}}')
        if schema.get("id") and ds.schema_id and schema["id"] != ds.schema_id:
            raise bad_request("flow",
                f"data.schema.id {schema['id']} differs from the schema of dataset {ds.id} ({ds.schema_id})"
            )
    elif kind == "flow":
        body["flowSpec"] = _spec_ref(body, "flowSpec", FLOW_SPECS, set(FLOW_SPECS))
        for key, ckind in (
            ("sourceConnectionIds", "source_connection"),
            ("targetConnectionIds", "target_connection"),
        ):
            ids = body.get(key)
            if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
                raise bad_request("flow", f"'{key}' is required: a non-empty array of {LABELS[ckind].lower()} ids")
            for i in ids:
                if services.store.get(ctx.org_id, ctx.sandbox, ckind, i) is None:
                    raise bad_request("flow",
                        f"{key} contains {i}, which is not a {LABELS[ckind].lower()} in sandbox '{ctx.sandbox}'"
                    )
        if "transformations" in body and not isinstance(body["transformations"], list):
            raise bad_request("flow", "'transformations' must be an array")
    return body, ref


def _view(request: Request, services, ctx, kind: str, doc: dict) -> dict:
    out = copy.deepcopy(doc)
    if kind == "connection":
        params = out.get("auth", {}).get("params", {})
        if "inletId" in params:
            params["inletUrl"] = f"{streaming_base(request)}/collection/{params['inletId']}"
    if kind == "flow":
        srcs, tgts = [], []
        for sid in out.get("sourceConnectionIds", []):
            sc = services.store.get(ctx.org_id, ctx.sandbox, "source_connection", sid) or {}
            base = (
                services.store.get(ctx.org_id, ctx.sandbox, "connection", sc.get("baseConnectionId", ""))
                or {}
            )
            srcs.append(
                {
                    "id": sid,
                    "connectionSpec": sc.get("connectionSpec"),
                    "baseConnection": {"id": base.get("id"), "connectionSpec": base.get("connectionSpec")},
                }
            )
        for tid in out.get("targetConnectionIds", []):
            tc = services.store.get(ctx.org_id, ctx.sandbox, "target_connection", tid) or {}
            tgts.append({"id": tid, "connectionSpec": tc.get("connectionSpec")})
        out["inheritedAttributes"] = {"sourceConnections": srcs, "targetConnections": tgts}
    return out


def _collection_kind(request: Request) -> str:
    return COLLECTIONS[request.url.path.rstrip("/").split("/flowservice/", 1)[1].split("/")[0]]


async def create_entity(request: Request) -> Response:
    ctx = await platform_context(request)
    services = request.app.state.sandbox
    kind = _collection_kind(request)
    body = await read_json(request, partial(bad_request, "flow"), expect=dict)
    with services.store.transaction():
        body, ref = _validate(services, ctx, kind, copy.deepcopy(body))
        doc = _base_doc(ctx, body)
        services.store.put(ctx.org_id, ctx.sandbox, kind, doc["id"], doc, name=doc["name"], ref=ref)
    services.lookups.flows_changed()
    return _json({"id": doc["id"], "etag": doc["etag"]}, 201)


async def list_entities(request: Request) -> Response:
    ctx = await platform_context(request)
    services = request.app.state.sandbox
    kind = _collection_kind(request)
    docs = services.store.list(ctx.org_id, ctx.sandbox, kind)
    for prop in request.query_params.getlist("property"):
        if "==" in prop:
            docs = [d for d in docs if _matches(d, *prop.split("==", 1))]
    items = [_view(request, services, ctx, kind, d) for d in docs]
    body: dict = {"items": items}
    if request.query_params.get("count") == "true":
        body = {"count": len(items)}
    return _json(body)


def _matches(doc: dict, key: str, value: str) -> bool:
    """``property=a.b==v`` (equal), ``property=ids[]==v1,v2`` (the array holds any of them); filters AND."""
    key, value = key.strip(), value.strip()
    if key.endswith("[]"):
        found = _dig(doc, key[:-2])
        wanted = {v.strip() for v in value.split(",")}
        return isinstance(found, list) and any(str(x) in wanted for x in found)
    return str(_dig(doc, key)) == value


def _dig(doc, dotted: str):
    node = doc
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


async def get_entity(request: Request) -> Response:
    ctx = await platform_context(request)
    services = request.app.state.sandbox
    kind = _collection_kind(request)
    ids = [i for i in request.path_params["id"].split(",") if i]
    items = [_view(request, services, ctx, kind, _get(services, ctx, kind, i)) for i in ids]
    return _json({"items": items}, headers={"etag": items[0]["etag"]} if len(items) == 1 else None)


def _check_if_match(request: Request, doc: dict, required: bool) -> None:
    supplied = request.headers.get("if-match")
    if supplied is None:
        if required:
            raise flow_error(
                400, "Bad Request", "The If-Match header (the entity's current etag) is required"
            )
        return
    if supplied.strip() not in (doc["etag"], doc["etag"].strip('"'), "*"):
        msg = f"Supplied version=[{supplied}] does not match the current version on entity=[{doc['etag']}]"
        raise flow_error(412, "Precondition Failed", msg, errorMessage=msg)


async def patch_entity(request: Request) -> Response:
    ctx = await platform_context(request)
    services = request.app.state.sandbox
    kind = _collection_kind(request)
    ops = await read_json(request, partial(bad_request, "flow"), expect=list)
    with services.store.transaction():
        doc = _get(services, ctx, kind, request.path_params["id"])
        _check_if_match(request, doc, required=True)
        try:
            new = apply_patch(doc, ops)
        except PatchError as exc:
            raise bad_request("flow", f"Invalid JSON Patch: {exc}") from None
        if not isinstance(new, dict):
            raise bad_request("flow", "The JSON Patch must leave an object")
        for key in SERVER_OWNED:
            if key in doc and new.get(key) != doc[key] and key != "state":
                raise bad_request("flow", f"'{key}' is read-only")
        if kind == "connection":
            auth = new.get("auth")
            params = auth.get("params") if isinstance(auth, dict) else None
            if not isinstance(params, dict) or params.get("inletId") != doc["auth"]["params"].get("inletId"):
                raise bad_request("flow",
                    'auth must stay {"specName", "params": {...}} and auth.params.inletId is read-only'
                )
        else:
            _validate(services, ctx, kind, copy.deepcopy(new))
        _str(new, "name")
        etag = _etag()
        new.update(
            {
                "etag": etag,
                "version": etag,
                "updatedAt": now_ms(),
                "updatedBy": ctx.user_id,
                "updatedClient": ctx.client_id,
            }
        )
        ref = new.get("auth", {}).get("params", {}).get("inletId") if kind == "connection" else None
        services.store.put(ctx.org_id, ctx.sandbox, kind, new["id"], new, name=new["name"], ref=ref)
    services.lookups.flows_changed()
    return _json({"id": new["id"], "etag": etag})


async def delete_entity(request: Request) -> Response:
    ctx = await platform_context(request)
    services = request.app.state.sandbox
    kind = _collection_kind(request)
    with services.store.transaction():
        doc = _get(services, ctx, kind, request.path_params["id"])
        _check_if_match(request, doc, required=False)
        services.store.delete(ctx.org_id, ctx.sandbox, kind, doc["id"])
    services.lookups.flows_changed()
    return Response(status_code=204)


async def flow_action(request: Request) -> Response:
    ctx = await platform_context(request)
    services = request.app.state.sandbox
    op = request.query_params.get("op")
    if op not in ("enable", "disable"):
        raise bad_request("flow", f"'op' must be enable or disable, found {op!r}")
    with services.store.transaction():
        doc = _get(services, ctx, "flow", request.path_params["id"])
        doc["state"] = "enabled" if op == "enable" else "disabled"
        doc["etag"] = doc["version"] = _etag()
        services.store.put(ctx.org_id, ctx.sandbox, "flow", doc["id"], doc, name=doc["name"])
    services.lookups.flows_changed()
    return _json({"id": doc["id"], "etag": doc["etag"]})


def _spec_handlers(specs: dict, label: str):
    async def list_specs(request: Request) -> Response:
        await platform_context(request)
        items = list(specs.values())
        prop = request.query_params.get("property")
        if prop and "==" in prop:
            key, _, value = prop.partition("==")
            value = value.strip().strip("'\"")
            items = [s for s in items if str(s.get(key.strip())) == value]
        return _json({"items": items})

    async def get_spec(request: Request) -> Response:
        await platform_context(request)
        ids = [i for i in request.path_params["id"].split(",") if i]
        missing = [i for i in ids if i not in specs]
        if missing:
            raise flow_error(404, "Not Found", f"{label} with id '{missing[0]}' was not found")
        return _json({"items": [specs[i] for i in ids]})

    return list_specs, get_spec


def routes(services: SandboxServices) -> list[Route]:
    out = []
    for coll in COLLECTIONS:
        out += [
            Route(f"/{coll}", list_entities, methods=["GET"]),
            Route(f"/{coll}", create_entity, methods=["POST"]),
            Route(f"/{coll}/{{id}}", get_entity, methods=["GET"]),
            Route(f"/{coll}/{{id}}", patch_entity, methods=["PATCH"]),
            Route(f"/{coll}/{{id}}", delete_entity, methods=["DELETE"]),
        ]
    out.append(Route("/flows/{id}/action", flow_action, methods=["POST"]))
    cl, cg = _spec_handlers(CONNECTION_SPECS, "Connection spec")
    fl, fg = _spec_handlers(FLOW_SPECS, "Flow spec")
    out += [
        Route("/connectionSpecs", cl, methods=["GET"]),
        Route("/connectionSpecs/{id}", cg, methods=["GET"]),
        Route("/flowSpecs", fl, methods=["GET"]),
        Route("/flowSpecs/{id}", fg, methods=["GET"]),
    ]
    return out
