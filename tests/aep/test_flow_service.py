"""Flow Service client: the tutorial's streaming connection (inletId/inletUrl), the HTTP API route
(base → source → target → flow), specs, deletes with If-Match, and the legacy inlet API."""

from __future__ import annotations

import re

import pytest

from aep_console.aep import AEPError, NotFoundError
from aep_console.aep.flow_service import (
    DATALAKE_CONNECTION_SPEC,
    STREAMING_CONNECTION_SPEC,
    STREAMING_FLOW_SPEC,
)

from .conftest import xdm_schema_body

HEX64 = re.compile(r"^[0-9a-f]{64}$")


async def test_tutorial_streaming_connection(aep, uniq, checked_exchanges):
    created = await aep.flows.create_streaming_connection(f"Tutorial {uniq}", legacy=True)
    assert created.id and created.etag
    sent = next(e for e in checked_exchanges if e.method == "POST" and e.url.endswith("/connections"))
    assert '"providerId":"521eee4d-8cbe-4906-bb48-fb6bd4450033"' in sent.request_body
    conn = await aep.flows.get_connection(created.id)
    assert conn.id == created.id and conn.name == f"Tutorial {uniq}" and conn.state in (None, "enabled")
    assert conn.connection_spec["id"] == STREAMING_CONNECTION_SPEC
    assert HEX64.match(conn.inlet_id) and conn.inlet_url.endswith(f"/collection/{conn.inlet_id}")
    assert not conn.authentication_required
    assert created.id in {c.id for c in await aep.flows.list_connections()}
    assert (await aep.flows.find_by_name("connections", f"Tutorial {uniq}")).id == created.id


async def test_http_api_route_and_deletes_with_etag(aep, uniq):
    schema = await aep.schemas.create_schema(xdm_schema_body(f"Flow schema {uniq}"))
    dataset_id = await aep.catalog.create_dataset(f"Flow ds {uniq}", schema["$id"], profile=True)
    base = await aep.flows.create_streaming_connection(f"HTTP API {uniq}", authenticated=True)
    base_entity = await aep.flows.get_connection(base.id)
    assert base_entity.authentication_required and HEX64.match(base_entity.inlet_id)
    source = await aep.flows.create_source_connection(f"Source {uniq}", base.id)
    target = await aep.flows.create_target_connection(f"Target {uniq}", dataset_id, schema["$id"])
    flow = await aep.flows.create_flow(f"Flow {uniq}", [source.id], [target.id])
    src = await aep.flows.get_source_connection(source.id)
    assert src.base_connection_id == base.id
    tgt = await aep.flows.get_target_connection(target.id)
    assert tgt.params["dataSetId"] == dataset_id and tgt.connection_spec["id"] == DATALAKE_CONNECTION_SPEC
    got = await aep.flows.get_flow(flow.id)
    assert got.source_connection_ids == [source.id] and got.target_connection_ids == [target.id]
    assert got.flow_spec["id"] == STREAMING_FLOW_SPEC
    assert flow.id in {f.id for f in await aep.flows.list_flows()}
    # delete with If-Match: a wrong etag is refused, the right one works
    with pytest.raises(AEPError) as info:
        await aep.flows.delete("flows", flow.id, etag='"not-the-etag"')
    assert info.value.status in (400, 409, 412)
    await aep.flows.delete("flows", flow.id, etag=got.etag)
    with pytest.raises(NotFoundError):
        await aep.flows.get_flow(flow.id)
    await aep.flows.delete("targetConnections", target.id)
    await aep.flows.delete("sourceConnections", source.id)
    await aep.flows.delete_connection(base.id, etag=base_entity.etag)
    with pytest.raises(NotFoundError):
        await aep.flows.get_connection(base.id)


async def test_update_with_if_match(aep, uniq):
    created = await aep.flows.create_streaming_connection(f"Rename me {uniq}")
    updated = await aep.flows.update("connections", created.id,
                                     [{"op": "replace", "path": "/name", "value": f"Renamed {uniq}"}])
    assert updated.id == created.id
    assert (await aep.flows.get_connection(created.id)).name == f"Renamed {uniq}"


async def test_specs(aep):
    specs = await aep.flows.list_connection_specs()
    ids = {s["id"] for s in specs}
    assert {STREAMING_CONNECTION_SPEC, DATALAKE_CONNECTION_SPEC} <= ids
    spec = await aep.flows.get_connection_spec(STREAMING_CONNECTION_SPEC)
    assert spec["id"] == STREAMING_CONNECTION_SPEC
    assert STREAMING_FLOW_SPEC in {s["id"] for s in await aep.flows.list_flow_specs()}
    with pytest.raises(NotFoundError):
        await aep.flows.get_connection_spec("00000000-0000-0000-0000-000000000000")


async def test_legacy_inlet(aep, uniq):
    inlet = await aep.inlets.create_inlet(f"Legacy inlet {uniq}", source_id=f"src-{uniq}")
    assert inlet.inlet_id and inlet.inlet_url.endswith(inlet.inlet_id)
    assert inlet.inlet_id in {i.inlet_id for i in await aep.inlets.list_inlets()}
    got = await aep.inlets.get_inlet(inlet.inlet_id)
    assert got.name == f"Legacy inlet {uniq}" and got.source_id == f"src-{uniq}"
    await aep.inlets.delete_inlet(inlet.inlet_id)
    with pytest.raises(NotFoundError):
        await aep.inlets.get_inlet(inlet.inlet_id)
