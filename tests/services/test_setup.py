"""Set-up workflows against the real sandbox: each one, the whole tutorial, and rollbacks."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace

import httpx
import pytest

from aep_console.aep.errors import NotFoundError
from aep_console.services.bulk import BulkRun
from aep_console.services.engine_types import SendTarget
from aep_console.services.sending import send_one
from aep_console.services.setup import SetupWorkflows, loyalty_event_spec, loyalty_profile_spec

from .svc_datalake import dataset_records
from .svc_records import loyalty_ids, member, write_members


def _name(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


async def test_profile_schema_workflow(sandbox, open_local_session):
    events = []
    async with open_local_session(sandbox) as session:
        wf = SetupWorkflows(session, on_progress=events.append)
        report = await wf.profile_schema(loyalty_profile_spec(_name("Members")))
        assert report.ok, report.summary()
        schema_id = report.outputs["schema_id"]
        schema = await session.schemas.get_schema(schema_id)
        assert "union" in (schema.get("meta:immutableTags") or [])
        refs = [a["$ref"] for a in schema["allOf"]]
        assert refs[0] == "https://ns.adobe.com/xdm/context/profile" and report.outputs["fieldgroup_id"] in refs
        descriptors = await session.schemas.descriptors_of(schema_id)
        assert [(d.source_property, d.namespace, d.is_primary) for d in descriptors] == [
            ("/_exchangeinternal/loyaltyID", "Email", True)]
        full = await session.schemas.get_full_schema(schema_id)
        assert "loyaltyID" in full["properties"]["_exchangeinternal"]["properties"]
    # the progress callback saw every step go pending → running → done, in order
    assert [e.status for e in events if e.index == 0][:3] == ["pending", "running", "done"]
    assert {e.index for e in events} == set(range(len(report.steps)))
    assert all(s.status == "done" for s in report.steps)


async def test_event_schema_dataset_and_both_connection_routes(sandbox, open_local_session):
    async with open_local_session(sandbox) as session:
        wf = SetupWorkflows(session)
        ev = await wf.event_schema(loyalty_event_spec(_name("Events")))
        assert ev.ok, ev.summary()
        full = await session.schemas.get_full_schema(ev.outputs["schema_id"])
        assert full["meta:class"] == "https://ns.adobe.com/xdm/context/experienceevent"
        ds = await wf.dataset(_name("Events dataset"), ev.outputs["schema_id"])
        assert ds.ok, ds.summary()
        dataset = await session.catalog.get_dataset(ds.outputs["dataset_id"])
        assert set(dataset.tags) >= {"unifiedProfile", "unifiedIdentity"}
        legacy = await wf.streaming_connection(_name("Tutorial conn"), route="tutorial")
        assert legacy.ok and len(legacy.outputs["connection_id"]) == 64
        http = await wf.streaming_connection(_name("HTTP conn"), route="http-api",
                                             dataset_id=ds.outputs["dataset_id"], schema_id=ev.outputs["schema_id"])
        assert http.ok, http.summary()
        flow = await session.flows.get_flow(http.outputs["flow_id"])
        assert flow.source_connection_ids == [http.outputs["source_connection_id"]]
        assert flow.target_connection_ids == [http.outputs["target_connection_id"]]


async def test_whole_tutorial(tutorial):
    for key in ("profile_schema_id", "event_schema_id", "profile_dataset_id", "event_dataset_id", "connection_id"):
        assert tutorial[key]


async def test_rollback_after_a_failing_step_removes_everything(sandbox, open_local_session):
    """The dataflow's target points at a dataset that does not exist: a real 4xx from the sandbox."""
    async with open_local_session(sandbox) as session:
        wf = SetupWorkflows(session)
        schema = await wf.profile_schema(loyalty_profile_spec(_name("Rollback members")))
        name = _name("Doomed conn")
        report = await wf.streaming_connection(name, route="http-api", dataset_id="000000000000000000000000",
                                               schema_id=schema.outputs["schema_id"])
        assert not report.ok and report.rolled_back and not report.leftovers
        statuses = [s.status for s in report.steps]
        assert statuses[:3] == ["undone", "done", "undone"] and statuses[3] == "failed"
        assert "Everything this workflow created was removed again." in report.summary()
        base_id = report.steps[0].resource_id
        with pytest.raises(NotFoundError):
            await session.flows.get_connection(base_id)
        with pytest.raises(NotFoundError):
            await session.flows.get_source_connection(report.steps[2].resource_id)
        assert report.outputs == {}


async def test_rollback_of_a_schema_workflow(sandbox, open_local_session):
    """An identity descriptor on a path the schema does not have is refused: schema and group go again."""
    spec = loyalty_profile_spec(_name("Bad identity"))
    spec.identity_field = "/_exchangeinternal/noSuchField"
    async with open_local_session(sandbox) as session:
        report = await SetupWorkflows(session).profile_schema(spec)
        assert not report.ok, report.summary()
        assert [s.kind for s in report.steps][:3] == ["fieldgroup", "schema", "descriptor"]
        assert report.steps[2].status == "failed" and report.steps[3].status == "skipped"
        assert report.steps[0].status == report.steps[1].status == "undone"
        assert await session.schemas.find("schemas", report.steps[1].resource_id) is None
        assert await session.schemas.find("fieldgroups", report.steps[0].resource_id) is None


async def test_duplicate_title_is_refused_before_creating_anything(sandbox, open_local_session):
    title = _name("Twice")
    async with open_local_session(sandbox) as session:
        wf = SetupWorkflows(session)
        assert (await wf.profile_schema(loyalty_profile_spec(title))).ok
        again = await wf.profile_schema(loyalty_profile_spec(title))
        assert not again.ok and again.steps == [] and "already exists" in again.error


def _event(i: int, tenant: str = "exchangeinternal") -> dict:
    return {f"_{tenant}": {"loyaltyID": f"member{i}@example.com", "pointsEarned": 50, "totalPoints": i * 50,
                           "loyaltyLevel": "Gold"},
            "eventType": "loyaltyBalanceUpdate", "_id": f"ev-{uuid.uuid4().hex}", "timestamp": "2020-03-03T06:34:55Z"}


async def test_tutorial_http_api_route_streams_both_datasets_with_their_flow_ids(sandbox, open_local_session,
                                                                                app_home, tmp_path):
    """aep-api.md §5.2: one base connection, and per dataset a source → target → dataflow; each record
    carries the flowId of its dataset's dataflow (a message without one is refused by the connection)."""
    async with open_local_session(sandbox) as session:
        report = await SetupWorkflows(session).loyalty_tutorial(_name("Http"), route="http-api")
        assert report.ok, report.summary()
        out = report.outputs
        assert out["profile_flow_id"] != out["event_flow_id"] and "flow_id" not in out
        for side in ("profile", "event"):
            flow = await session.flows.get_flow(out[f"{side}_flow_id"])
            assert flow.source_connection_ids == [out[f"{side}_source_connection_id"]]
            assert flow.target_connection_ids == [out[f"{side}_target_connection_id"]]
            src = await session.flows.get_source_connection(out[f"{side}_source_connection_id"])
            assert src.base_connection_id == out["base_connection_id"]
            tgt = await session.flows.get_target_connection(out[f"{side}_target_connection_id"])
            assert tgt.params["dataSetId"] == out[f"{side}_dataset_id"]
            assert tgt.data["schema"]["id"] == out[f"{side}_schema_id"]
        org = sandbox.credentials.org_id
        members = SendTarget(out["connection_id"], out["profile_dataset_id"], out["profile_schema_id"], org,
                             flow_id=out["profile_flow_id"])
        events = SendTarget(out["connection_id"], out["event_dataset_id"], out["event_schema_id"], org,
                            flow_id=out["event_flow_id"])
        write_members(tmp_path / "members.jsonl", 30, start=7_000)
        (tmp_path / "events.jsonl").write_text("".join(json.dumps(_event(i)) + "\n" for i in range(7_000, 7_020)))
        sent = await BulkRun(session, tmp_path / "members.jsonl", members).start()
        assert sent.ok and sent.progress.accepted == 30, sent.summary()
        sent = await BulkRun(session, tmp_path / "events.jsonl", events).start()
        assert sent.ok and sent.progress.accepted == 20, sent.summary()
        one = await send_one(session, events, _event(7_020), sync_validation=True)
        assert one.ok, one.describe()
        refused = await send_one(session, replace(members, flow_id=None), member(7_999), sync_validation=False)
        assert not refused.ok and "flowId" in (refused.message or "")
        lake_members = await dataset_records(session, sandbox, out["profile_dataset_id"])
        lake_events = await dataset_records(session, sandbox, out["event_dataset_id"])
    assert sorted(loyalty_ids(lake_members)) == sorted(f"member{i}@example.com" for i in range(7_000, 7_030))
    assert sorted(loyalty_ids(lake_events)) == sorted(f"member{i}@example.com" for i in range(7_000, 7_021))


async def test_tutorial_http_api_rollback_after_the_second_dataflow_fails(sandbox, open_local_session):
    """The events dataset disappears (deleted by another client) just before its target connection is
    created: a real 400 from Flow Service, and everything the tutorial created is removed again."""
    async with open_local_session(sandbox) as session:
        token = await session.ims.get_token()
        creds = sandbox.credentials
        headers = {"Authorization": f"Bearer {token}", "x-api-key": creds.client_id,
                   "x-gw-ims-org-id": creds.org_id, "x-sandbox-name": creds.sandbox_name}
        seen: dict[str, str] = {}

        def meddle(ev) -> None:
            if ev.step.kind == "dataset" and ev.status == "done" and "events" in ev.step.name:
                seen["event_dataset"] = ev.step.resource_id
            if ev.step.kind == "targetConnection" and ev.status == "running" and "(event)" in ev.step.name:
                url = f"{sandbox.urls.platform}/data/foundation/catalog/dataSets/{seen['event_dataset']}"
                assert httpx.delete(url, headers=headers).status_code < 300

        report = await SetupWorkflows(session, on_progress=meddle).loyalty_tutorial(_name("Doomed"),
                                                                                     route="http-api")
        assert not report.ok and report.rolled_back and not report.leftovers, report.summary()
        failed = [s for s in report.steps if s.status == "failed"]
        assert len(failed) == 1 and failed[0].kind == "targetConnection" and "(event)" in failed[0].name
        kinds = [s.kind for s in report.steps if s.status == "undone"]
        assert kinds.count("flow") == 1 and kinds.count("sourceConnection") == 2
        assert kinds.count("targetConnection") == 1 and kinds.count("dataset") == 2 and kinds.count("schema") == 2
        assert report.outputs == {}
        gone = {s.kind: s.resource_id for s in report.steps if s.status == "undone"}
        with pytest.raises(NotFoundError):
            await session.flows.get_flow(gone["flow"])
        with pytest.raises(NotFoundError):
            await session.flows.get_connection(gone["connection"])
        for s in report.steps:
            if s.kind == "dataset" and s.status == "undone":
                with pytest.raises(NotFoundError):
                    await session.catalog.get_dataset(s.resource_id)
            if s.kind == "schema":
                assert await session.schemas.find("schemas", s.resource_id) is None


async def test_schema_spec_carries_the_required_tenant_fields(sandbox, open_local_session):
    """The GUI's schema wizard and the command line say which tenant fields are required through
    SchemaSpec itself (no proxy around the session)."""
    async with open_local_session(sandbox) as session:
        spec = replace(loyalty_profile_spec(_name("Required")), tenant_required=["loyaltyID"])
        report = await SetupWorkflows(session).profile_schema(spec)
        assert report.ok, report.summary()
        full = await session.schemas.get_full_schema(report.outputs["schema_id"])
    assert full["properties"]["_exchangeinternal"].get("required") == ["loyaltyID"]
