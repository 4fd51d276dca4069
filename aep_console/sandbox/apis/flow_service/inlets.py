"""The legacy inlet API (``/data/core/edge/inlet``) and the inlet lookup that streaming goes through.

``POST /inlet`` ``{"name","description","sourceId","dataType","authenticationRequired"}`` → 201 the inlet
(``inletId`` 64 hex, ``inletUrl`` on the sandbox's streaming base); ``GET /inlet`` → ``{"items","total"}``;
``GET|DELETE /inlet/{inletId}``.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...http.errors import bad_request, flow_error
from ...http.gateway import json_response as _json
from ...http.gateway import platform_context, read_json
from ...storage.lookups import FlowInfo, InletInfo
from ...storage.store import now_ms

if TYPE_CHECKING:
    from ...server.state import SandboxServices




def _truthy(value) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def streaming_base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/dcs"


def _str(body: dict, key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise bad_request("flow", f"'{key}' is required (a non-empty string)")
    return value


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _inlet_view(request: Request, doc: dict) -> dict:
    return {**doc, "inletUrl": f"{streaming_base(request)}/collection/{doc['inletId']}"}


async def create_inlet(request: Request) -> Response:
    ctx = await platform_context(request)
    services = request.app.state.sandbox
    body = await read_json(request, partial(bad_request, "flow"), expect=dict)
    name = _str(body, "name")
    data_type = body.get("dataType", "xdm")
    if data_type not in ("xdm", "raw"):
        raise bad_request("flow", f'\'dataType\' must be "xdm" or "raw", found {data_type!r}')
    ts = now_ms()
    inlet_id = secrets.token_hex(32)
    doc = {
        "inletId": inlet_id,
        "imsOrg": ctx.org_id,
        "sourceId": body.get("sourceId") or name,
        "dataType": data_type,
        "name": name,
        "description": body.get("description", ""),
        "createdAt": _iso(ts),
        "createdBy": ctx.user_id,
        "authenticationRequired": _truthy(body.get("authenticationRequired", False)),
        "modifiedAt": _iso(ts),
        "modifiedBy": ctx.user_id,
        "validationRequired": True,
    }
    services.store.put(ctx.org_id, ctx.sandbox, "inlet", inlet_id, doc, name=name, ref=inlet_id)
    services.lookups.flows_changed()
    return _json(_inlet_view(request, doc), 201)


async def list_inlets(request: Request) -> Response:
    ctx = await platform_context(request)
    docs = request.app.state.sandbox.store.list(ctx.org_id, ctx.sandbox, "inlet")
    return _json({"items": [_inlet_view(request, d) for d in docs], "total": len(docs)})


async def get_inlet(request: Request) -> Response:
    ctx = await platform_context(request)
    doc = request.app.state.sandbox.store.get(ctx.org_id, ctx.sandbox, "inlet", request.path_params["id"])
    if doc is None:
        raise flow_error(404, "Not Found", f"Inlet '{request.path_params['id']}' was not found")
    return _json(_inlet_view(request, doc))


async def delete_inlet(request: Request) -> Response:
    ctx = await platform_context(request)
    services = request.app.state.sandbox
    if not services.store.delete(ctx.org_id, ctx.sandbox, "inlet", request.path_params["id"]):
        raise flow_error(404, "Not Found", f"Inlet '{request.path_params['id']}' was not found")
    services.lookups.flows_changed()
    return Response(status_code=204)


def routes(services: SandboxServices) -> list[Route]:
    return [
        Route("/inlet", list_inlets, methods=["GET"]),
        Route("/inlet", create_inlet, methods=["POST"]),
        Route("/inlet/{id}", get_inlet, methods=["GET"]),
        Route("/inlet/{id}", delete_inlet, methods=["DELETE"]),
    ]


# --- lookup for streaming ------------------------------------------------------------------------------


def inlet_info(services, inlet_id: str) -> InletInfo | None:
    found = services.store.find_by_ref("connection", inlet_id)
    if found is not None:
        org, sandbox, conn = found
        params = conn.get("auth", {}).get("params", {})
        flows = []
        sources = {
            sc["id"]
            for sc in services.store.list(org, sandbox, "source_connection")
            if sc.get("baseConnectionId") == conn["id"]
        }
        for flow in services.store.list(org, sandbox, "flow"):
            if not sources.intersection(flow.get("sourceConnectionIds", [])):
                continue
            for tid in flow.get("targetConnectionIds", []):
                tc = services.store.get(org, sandbox, "target_connection", tid) or {}
                ds_id = (tc.get("params") or {}).get("dataSetId")
                schema_id = ((tc.get("data") or {}).get("schema") or {}).get("id")
                if schema_id is None and ds_id:
                    ds = services.lookups.dataset(org, sandbox, ds_id)
                    schema_id = ds.schema_id if ds else None
                flows.append(
                    FlowInfo(
                        flow_id=flow["id"],
                        dataset_id=ds_id,
                        schema_id=schema_id,
                        target_connection_id=tid,
                        state=flow.get("state", "enabled"),
                    )
                )
        return InletInfo(
            inlet_id=inlet_id,
            org_id=org,
            sandbox=sandbox,
            connection_id=conn["id"],
            name=conn.get("name", ""),
            source_id=params.get("sourceId", conn.get("name", "")),
            data_type=params.get("dataType", "xdm"),
            authentication_required=bool(params.get("authenticationRequired", False)),
            flows=tuple(flows),
        )
    found = services.store.find_by_ref("inlet", inlet_id)
    if found is not None:
        org, sandbox, doc = found
        return InletInfo(
            inlet_id=inlet_id,
            org_id=org,
            sandbox=sandbox,
            connection_id=None,
            name=doc["name"],
            source_id=doc.get("sourceId", doc["name"]),
            data_type=doc.get("dataType", "xdm"),
            authentication_required=bool(doc.get("authenticationRequired")),
            legacy_inlet=True,
        )
    return None
