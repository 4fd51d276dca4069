"""The request bodies the client sends, validated against Adobe's published OpenAPI specs
(../shared/aep-openapi): every create the console uses is covered, and the checker itself catches
a broken body (negative control)."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

from aep_console.aep.models import IdentityDescriptor

from .conftest import loyalty_fieldgroup_body, make_session, xdm_schema_body
from .openapi_requests import check_exchanges, find_operation
from .world import World


async def test_every_create_body_matches_the_spec(sandbox, shared_dir):
    seen: list = []
    uniq = uuid.uuid4().hex[:8]
    async with make_session(sandbox, exchanges=seen) as aep:
        tenant = await aep.schemas.tenant_id()
        fg = await aep.schemas.create_fieldgroup(loyalty_fieldgroup_body(f"Contract fg {uniq}", tenant))
        schema = await aep.schemas.create_schema(xdm_schema_body(f"Contract {uniq}", union=False))
        await aep.schemas.enable_for_profile(schema["$id"])
        await aep.schemas.create_descriptor(IdentityDescriptor(
            source_schema=schema["$id"], source_property="/workEmail/address", namespace="Email", is_primary=True))
        await aep.schemas.delete_fieldgroup(fg["$id"])
        dataset_id = await aep.catalog.create_dataset(f"Contract {uniq}", schema["$id"], profile=True)
        await aep.catalog.patch_dataset(dataset_id, {"description": "x"})
        await aep.identity.create_namespace(f"CT{uniq}", "Contract namespace")
        base = await aep.flows.create_streaming_connection(f"Contract {uniq}")
        source = await aep.flows.create_source_connection(f"Contract src {uniq}", base.id)
        target = await aep.flows.create_target_connection(f"Contract tgt {uniq}", dataset_id, schema["$id"])
        flow = await aep.flows.create_flow(f"Contract flow {uniq}", [source.id], [target.id])
        world = await World.create(aep)
        inlet = (await aep.flows.get_connection(base.id)).inlet_id
        msg = world.envelope(world.member(f"c{uniq}@example.com"))  # with the world's dataflow's flowId
        assert flow.id
        await aep.streaming.send(world.inlet, msg, sync_validation=True)
        await aep.streaming.send_batch(world.inlet, [msg, msg])
        await aep.profiles.get_entities([("Email", f"c{uniq}@example.com")])
        assert inlet
    problems, checked = check_exchanges(shared_dir, seen)
    assert problems == []
    covered = {(e.method, find_operation(shared_dir, e.service, e.method, _path(e)).template)
               for e in seen if e.method in ("POST", "PATCH") and e.service != "ims"
               and find_operation(shared_dir, e.service, e.method, _path(e))}
    assert {("POST", "/tenant/schemas"), ("POST", "/tenant/fieldgroups"), ("POST", "/tenant/descriptors"),
            ("PATCH", "/tenant/schemas/{SCHEMA_ID}"), ("POST", "/dataSets"), ("PATCH", "/dataSets/{DATASET_ID}"),
            ("POST", "/idnamespace/identities"), ("POST", "/connections"), ("POST", "/sourceConnections"),
            ("POST", "/targetConnections"), ("POST", "/flows"), ("POST", "/collection/{CONNECTION_ID}"),
            ("POST", "/collection/batch/{CONNECTION_ID}"), ("POST", "/ups/access/entities")} <= covered
    assert checked >= 20


def _path(exchange) -> str:
    from urllib.parse import urlsplit

    path = urlsplit(exchange.url).path
    prefix = "/platform" if exchange.service == "platform" else "/dcs"
    return path[path.index(prefix) + len(prefix):]


def test_the_checker_catches_a_broken_body(shared_dir):
    broken = SimpleNamespace(method="POST", service="platform", url="http://127.0.0.1:1/platform/data/foundation/"
                             "catalog/dataSets", request_body='{"name": 5, "schemaRef": {"id": 7}}')
    problems, checked = check_exchanges(shared_dir, [broken])
    assert checked == 1 and problems
    assert any("name" in p[2] or "5 is not of type" in p[2] for p in problems)
