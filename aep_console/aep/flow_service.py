"""Flow Service (``/data/foundation/flowservice``) and the legacy data inlet (``/data/core/edge/inlet``).

Streaming set-up, current route: base connection → source connection → target connection → flow.
``GET /connections/{id}`` gives ``auth.params.inletId`` (the 64-hex ``CONNECTION_ID`` used by DCS)
and ``inletUrl``. Updates and deletes may carry the entity's ``etag`` as ``If-Match``.
"""

from __future__ import annotations

from typing import Any, Literal

from .base import ServiceClient, enc, items, parse
from .errors import NotFoundError
from .models import Created, FlowEntity, Inlet

STREAMING_CONNECTION_SPEC = "bc7b00d6-623a-4dfc-9fdb-f1240aeadaeb"  # "Streaming Connection" (HTTP API)
STREAMING_PROVIDER_ID = "521eee4d-8cbe-4906-bb48-fb6bd4450033"
DATALAKE_CONNECTION_SPEC = "c604ff05-7f1a-43c0-8e18-33bf874cb11c"
STREAMING_FLOW_SPEC = "d8a6f005-7eaf-4153-983e-e8574508b877"
MAPPING_FLOW_SPEC = "c1a19761-d2c7-4702-b9fa-fe91f0613e81"
XED_FULL_1_0 = "application/vnd.adobe.xed-full+json;version=1.0"

Kind = Literal["connections", "sourceConnections", "targetConnections", "flows"]


def _created(reply: Any) -> Created:
    body = reply.json() or {}
    if not body.get("id") and reply.headers.get("location"):
        body["id"] = reply.headers["location"].rstrip("/").rsplit("/", 1)[-1]
    return parse(Created, body)


class FlowServiceClient(ServiceClient):
    base_path = "/data/foundation/flowservice"

    # --- generic ----------------------------------------------------------------------------------

    async def create(self, kind: Kind, body: dict[str, Any], *, lookup_by_name: bool = True) -> Created:
        """POST; never blindly re-sent: before a retry, an entity of the same name is looked up."""
        name = body.get("name")

        async def lookup() -> Created | None:
            found = await self.find_by_name(kind, name)
            return Created(id=found.id, etag=found.etag) if found else None

        return await self.t.create("POST", "platform", self.p(f"/{kind}"), json=body, parse=_created,
                                   lookup=lookup if (lookup_by_name and name) else None)

    async def get(self, kind: Kind, entity_id: str) -> FlowEntity:
        found = items(await self._get_json(self.p(f"/{kind}/{enc(entity_id)}")))
        if not found:
            raise NotFoundError(f"{kind} {entity_id!r} not found", status=404)
        return parse(FlowEntity, found[0])

    async def list(self, kind: Kind, *, property: str | None = None, limit: int | None = None,
                   continuation_token: str | None = None, orderby: str | None = None) -> list[FlowEntity]:
        body = await self._get_json(self.p(f"/{kind}"), params={
            "property": property, "limit": limit, "continuationToken": continuation_token, "orderby": orderby})
        return [parse(FlowEntity, i) for i in items(body)]

    async def find_by_name(self, kind: Kind, name: str) -> FlowEntity | None:
        rows = await self.list(kind, property=f"name=={name}")
        return next((r for r in rows if r.name == name), None)

    async def update(self, kind: Kind, entity_id: str, operations: list[dict[str, Any]], *,
                     etag: str | None = None) -> Created:
        """PATCH (JSON Patch) with ``If-Match``; fetches the current etag when none is given."""
        etag = etag or (await self.get(kind, entity_id)).etag
        reply = await self.t.request("PATCH", "platform", self.p(f"/{kind}/{enc(entity_id)}"), json=operations,
                                     headers={"If-Match": etag} if etag else None)
        return _created(reply)

    async def delete(self, kind: Kind, entity_id: str, *, etag: str | None = None) -> None:
        """DELETE with ``If-Match: <etag>`` when an etag is given (a mismatch raises)."""
        await self.t.request("DELETE", "platform", self.p(f"/{kind}/{enc(entity_id)}"),
                             headers={"If-Match": etag} if etag else None)

    # --- connections ------------------------------------------------------------------------------

    async def create_streaming_connection(
        self, name: str, *, description: str | None = None, data_type: str = "xdm",
        authenticated: bool = False, source_id: str | None = None, legacy: bool = False,
    ) -> Created:
        """The streaming base connection. ``legacy=True`` sends the tutorial's (2020) body with
        ``providerId`` and ``params.sourceId/name``; otherwise the HTTP API body."""
        params: dict[str, Any] = {"dataType": data_type}
        if legacy or authenticated or source_id:
            params.update({"sourceId": source_id or name, "name": name})
        if authenticated:
            params["authenticationRequired"] = True
        body: dict[str, Any] = {
            "name": name, "description": description or name,
            "connectionSpec": {"id": STREAMING_CONNECTION_SPEC, "version": "1.0"},
            "auth": {"specName": "Streaming Connection", "params": params},
        }
        if legacy:
            body["providerId"] = STREAMING_PROVIDER_ID
        return await self.create("connections", body)

    async def get_connection(self, connection_id: str) -> FlowEntity:
        """Includes ``inlet_id``/``inlet_url`` for streaming connections."""
        return await self.get("connections", connection_id)

    async def list_connections(self, **kw: Any) -> list[FlowEntity]:
        return await self.list("connections", **kw)

    async def delete_connection(self, connection_id: str, *, etag: str | None = None) -> None:
        await self.delete("connections", connection_id, etag=etag)

    # --- source / target connections, flows ---------------------------------------------------------

    async def create_source_connection(self, name: str, base_connection_id: str, *,
                                       description: str | None = None,
                                       connection_spec_id: str = STREAMING_CONNECTION_SPEC,
                                       data: dict[str, Any] | None = None) -> Created:
        """``data`` defaults to ``{"format": "json"}`` (required by the published spec)."""
        body: dict[str, Any] = {"name": name, "description": description or name,
                                "baseConnectionId": base_connection_id,
                                "data": data or {"format": "json"},
                                "connectionSpec": {"id": connection_spec_id, "version": "1.0"}}
        return await self.create("sourceConnections", body)

    async def create_target_connection(self, name: str, dataset_id: str, schema_id: str, *,
                                       description: str | None = None,
                                       schema_version: str = XED_FULL_1_0) -> Created:
        body = {"name": name, "description": description or name,
                "data": {"schema": {"id": schema_id, "version": schema_version}},
                "params": {"dataSetId": dataset_id},
                "connectionSpec": {"id": DATALAKE_CONNECTION_SPEC, "version": "1.0"}}
        return await self.create("targetConnections", body)

    async def create_flow(self, name: str, source_connection_ids: list[str], target_connection_ids: list[str],
                          *, description: str | None = None, flow_spec_id: str = STREAMING_FLOW_SPEC,
                          transformations: list[dict[str, Any]] | None = None) -> Created:
        body: dict[str, Any] = {"name": name, "description": description or name,
                                "flowSpec": {"id": flow_spec_id, "version": "1.0"},
                                "sourceConnectionIds": source_connection_ids,
                                "targetConnectionIds": target_connection_ids}
        if transformations:
            body["transformations"] = transformations
        return await self.create("flows", body)

    async def get_source_connection(self, entity_id: str) -> FlowEntity:
        return await self.get("sourceConnections", entity_id)

    async def get_target_connection(self, entity_id: str) -> FlowEntity:
        return await self.get("targetConnections", entity_id)

    async def get_flow(self, flow_id: str) -> FlowEntity:
        return await self.get("flows", flow_id)

    async def list_flows(self, **kw: Any) -> list[FlowEntity]:
        return await self.list("flows", **kw)

    # --- specs ------------------------------------------------------------------------------------

    async def list_connection_specs(self, *, property: str | None = None) -> list[dict[str, Any]]:
        return items(await self._get_json(self.p("/connectionSpecs"), params={"property": property}))

    async def get_connection_spec(self, spec_id: str) -> dict[str, Any]:
        found = items(await self._get_json(self.p(f"/connectionSpecs/{enc(spec_id)}")))
        if not found:
            raise NotFoundError(f"connection spec {spec_id!r} not found", status=404)
        return found[0]

    async def list_flow_specs(self, *, property: str | None = None) -> list[dict[str, Any]]:
        return items(await self._get_json(self.p("/flowSpecs"), params={"property": property}))


class InletClient(ServiceClient):
    """The legacy data inlet API (``/data/core/edge/inlet``), 2019; may be gone on real AEP."""

    base_path = "/data/core/edge"

    async def create_inlet(self, name: str, *, description: str | None = None, source_id: str | None = None,
                           data_type: str = "xdm", authentication_required: bool = False) -> Inlet:
        body = {"name": name, "description": description or name, "sourceId": source_id or name,
                "dataType": data_type, "authenticationRequired": authentication_required}

        async def lookup() -> Inlet | None:
            return next((i for i in await self.list_inlets() if i.name == name), None)

        return await self.t.create("POST", "platform", self.p("/inlet"), json=body,
                                   parse=lambda r: parse(Inlet, r.json()), lookup=lookup)

    async def list_inlets(self) -> list[Inlet]:
        return [parse(Inlet, i) for i in items(await self._get_json(self.p("/inlet")))]

    async def get_inlet(self, inlet_id: str) -> Inlet:
        body = await self._get_json(self.p(f"/inlet/{enc(inlet_id)}"))
        found = items(body) or ([body] if isinstance(body, dict) else [])
        if not found:
            raise NotFoundError(f"inlet {inlet_id!r} not found", status=404)
        return parse(Inlet, found[0])

    async def delete_inlet(self, inlet_id: str) -> None:
        await self.t.request("DELETE", "platform", self.p(f"/inlet/{enc(inlet_id)}"))
