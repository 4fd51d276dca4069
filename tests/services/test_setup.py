"""Set-up workflows against the real sandbox: each one, the whole tutorial, and rollbacks."""

from __future__ import annotations

import uuid

import pytest

from aep_console.aep.errors import NotFoundError
from aep_console.services.setup import SetupWorkflows, loyalty_event_spec, loyalty_profile_spec


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
