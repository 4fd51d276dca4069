"""Promote a set-up between two real sandbox servers with different orgs and tenants: the
tutorial's set-up, then streaming into the target; an empty plan the second time; a one-field diff;
a refusal in the middle rolled back; a bundle that applies unchanged and validates."""

from __future__ import annotations

import json

import httpx
import pytest

from aep_console.services.bulk import BulkRun
from aep_console.services.engine_types import SendTarget
from aep_console.services.promote import (
    CONFLICT,
    CREATE,
    IDENTICAL,
    PROFILE,
    Bundle,
    Planner,
    PromoteRefused,
    Rewriter,
    Selection,
    SetupReader,
    StreamingTarget,
    apply_plan,
    bundle_schema,
    streaming_targets,
)
from aep_console.services.setup import SetupWorkflows

from .promote_orgs import TARGET_ORG, TARGET_TENANT, prefix, start_orgs
from .svc_records import member


@pytest.fixture(scope="module")
def orgs(tmp_path_factory):
    pair = start_orgs(tmp_path_factory.mktemp("promote"))
    yield pair
    pair.source.stop()
    pair.target.stop()


async def _tutorial(session, route: str = "tutorial") -> dict[str, str]:
    report = await SetupWorkflows(session).loyalty_tutorial(prefix(), route=route)
    assert report.ok, report.summary()
    return report.outputs


def _selection(out: dict[str, str]) -> Selection:
    return Selection(datasets=[out["profile_dataset_id"], out["event_dataset_id"]], connections=[out["connection_id"]])


def _loyalty_records(shared: bool, request) -> list[dict]:
    """The tutorial's sample profiles (../shared), or loyalty records of the same shape."""
    if shared:
        path = request.getfixturevalue("shared_dir") / "samples" / "AEP loyalty profiles.json"
        return json.loads(path.read_text())
    return [member(i) for i in range(40)]


@pytest.mark.parametrize(("route", "samples"), [("tutorial", False), ("http-api", False), ("tutorial", True)],
                         ids=["tutorial-route", "http-api-route", "tutorial-samples"])
async def test_promote_the_tutorial_then_stream_into_the_target_and_read_the_profile(
        orgs, route, samples, request, app_home, tmp_path):
    """With ``samples`` the files of ../shared/samples are streamed (skipped where it is absent)."""
    src_cm, tgt_cm = orgs.sessions()
    async with src_cm as src, tgt_cm as tgt:
        out = await _tutorial(src, route)
        bundle = await SetupReader(src).read(_selection(out))
        plan = await Planner(tgt).plan(bundle)
        assert plan.target == {"org_id": TARGET_ORG, "sandbox": "prod", "tenant_id": TARGET_TENANT}
        assert {i.action for i in plan.items} == {CREATE, IDENTICAL}  # Email exists everywhere
        assert [(i.kind, i.resource.kind) for i in plan.irreversible] == [(PROFILE, "schema")] * 2  # union tags
        with pytest.raises(PromoteRefused, match="irreversible"):
            await apply_plan(tgt, plan)  # not accepted: nothing written
        titles = {r.title for r in bundle.resources}
        assert not titles & {r.title for r in await tgt.schemas.list_all("schemas", "tenant")}
        events = []
        report = await apply_plan(tgt, plan, accept_irreversible=True, on_progress=events.append)
        assert report.ok, report.summary()
        assert {e.status for e in events} >= {"pending", "running", "done"}
        ids = report.outputs
        # the target's set-up is in its own tenant and org, with its own ids
        schema_id = ids[out["profile_schema_id"]]
        assert schema_id.startswith(f"https://ns.adobe.com/{TARGET_TENANT}/schemas/")
        full = await tgt.schemas.get_full_schema(schema_id)
        assert "loyaltyID" in full["properties"][f"_{TARGET_TENANT}"]["properties"]
        assert "union" in full["meta:immutableTags"]
        [desc] = await tgt.schemas.descriptors_of(schema_id)
        assert (desc.source_property, desc.namespace, desc.is_primary) == (f"/_{TARGET_TENANT}/loyaltyID", "Email", True)
        dataset = await tgt.catalog.get_dataset(ids[out["profile_dataset_id"]])
        assert dataset.schema_ref.id == schema_id and dataset.ims_org == TARGET_ORG
        assert dataset.tags["unifiedProfile"] == ["enabled:true"]
        inlet = ids[out["connection_id"]]
        assert inlet != out["connection_id"] and len(inlet) == 64
        flow_id = None
        if route == "http-api":
            flow_id = ids[out["profile_flow_id"]]
            flow = await tgt.flows.get_flow(flow_id)
            [tc] = flow.target_connection_ids
            assert (await tgt.flows.get_target_connection(tc)).params["dataSetId"] == dataset.id
        # where to stream, per dataset, as the target knows it
        targets = {t.dataset_id: t for t in streaming_targets(plan, ids)}
        assert set(targets) == {dataset.id, ids[out["event_dataset_id"]]}
        assert targets[dataset.id] == StreamingTarget(dataset.name, dataset.id, schema_id, inlet, flow_id or "")
        # the tutorial's records, in the target's tenant, stream into the target; the profile is there
        rw = Rewriter(bundle.tenant, TARGET_TENANT)
        records = [rw.record(r) for r in _loyalty_records(samples, request)]
        (tmp_path / "members.json").write_text(json.dumps(records))
        target = SendTarget(inlet, dataset.id, schema_id, TARGET_ORG, flow_id=flow_id)
        sent = await BulkRun(tgt, tmp_path / "members.json", target).start()
        assert sent.ok and sent.progress.accepted == len(records), sent.summary()
        who = records[0][f"_{TARGET_TENANT}"]["loyaltyID"]
        profile = await tgt.profiles.get_entity(who, "Email")
        assert profile.entity[f"_{TARGET_TENANT}"]["loyaltyID"] == who and dataset.id in profile.sources
        # promote again: nothing to do
        again = await Planner(tgt).plan(await SetupReader(src).read(_selection(out)))
        assert again.is_empty and again.changes == [], again.summary()
        assert "Nothing to do" in again.summary()


async def test_a_changed_field_in_the_source_is_a_one_field_diff(orgs):
    src_cm, tgt_cm = orgs.sessions()
    async with src_cm as src, tgt_cm as tgt:
        out = await _tutorial(src)
        sel = Selection(schemas=[out["profile_schema_id"]])
        first = await Planner(tgt).plan(await SetupReader(src).read(sel))
        assert (await apply_plan(tgt, first, accept_irreversible=True)).ok
        fg = out["profile_fieldgroup_id"]
        await src.schemas.patch("fieldgroups", fg, [{"op": "replace", "value": "Loyalty tier", "path":
                                "/definitions/tenantFields/properties/_exchangeinternal/properties/loyaltyLevel/title"}])
        plan = await Planner(tgt).plan(await SetupReader(src).read(sel))
        [changed] = plan.changes
        assert changed.action == CONFLICT and changed.kind == "fieldgroup" and changed.source_id == fg
        [diff] = changed.diff
        assert diff.path == f"/definitions/tenantFields/properties/_{TARGET_TENANT}/properties/loyaltyLevel/title"
        assert (diff.target, diff.source) == ("Loyalty level", "Loyalty tier")
        assert "target 'Loyalty level' → source 'Loyalty tier'" in plan.summary()
        with pytest.raises(PromoteRefused, match="conflicting"):
            await apply_plan(tgt, plan, accept_irreversible=True)
        # overwritten with the source's version on request: the target's field follows, the plan is empty again
        report = await apply_plan(tgt, plan, overwrite=True)
        assert report.ok and [s.name for s in report.steps] == [
            f"Update fieldgroup {changed.title!r} (1 field(s) from the source)"], report.summary()
        group = await tgt.schemas.get_fieldgroup(changed.target_id)
        assert group["definitions"]["tenantFields"]["properties"][f"_{TARGET_TENANT}"]["properties"][
            "loyaltyLevel"]["title"] == "Loyalty tier"
        assert (await Planner(tgt).plan(await SetupReader(src).read(sel))).is_empty


async def test_a_refusal_in_the_middle_rolls_back_everything_created(orgs):
    """Between the reviewed plan and its apply, another client creates a schema titled like the
    events schema in the target: the Schema Registry refuses the duplicate title (a real 409) after
    the field groups and the members schema were created, and those are removed again."""
    src_cm, tgt_cm = orgs.sessions()
    async with src_cm as src, tgt_cm as tgt:
        out = await _tutorial(src, "http-api")
        bundle = await SetupReader(src).read(_selection(out))
        plan = await Planner(tgt).plan(bundle)
        events_title = next(r.title for r in bundle.resources if r.id == out["event_schema_id"])
        blocker = await tgt.schemas.create_schema({"type": "object", "title": events_title, "allOf": [
            {"$ref": "https://ns.adobe.com/xdm/context/profile"}]})
        before = {k: await _titles(tgt, k) for k in ("schemas", "fieldgroups")}
        report = await apply_plan(tgt, plan, accept_irreversible=True)
        assert not report.ok and report.rolled_back and not report.leftovers, report.summary()
        failed = [s for s in report.steps if s.status == "failed"]
        assert len(failed) == 1 and failed[0].kind == "schema" and events_title in failed[0].name
        assert "already exists" in failed[0].error or "unique" in failed[0].error
        undone = [s.kind for s in report.steps if s.status == "undone"]
        assert undone == ["fieldgroup", "fieldgroup", "schema"]  # in plan order; undone in reverse
        assert not any(s.status in ("done", "kept") for s in report.steps)
        assert report.outputs == {}
        assert {k: await _titles(tgt, k) for k in ("schemas", "fieldgroups")} == {
            "schemas": before["schemas"] - {r.title for r in bundle.resources if r.kind == "schema"} | {events_title},
            "fieldgroups": before["fieldgroups"]}
        assert all(d.name not in {r.title for r in bundle.resources} for d in await tgt.catalog.list_datasets())
        await tgt.schemas.delete_schema(blocker["$id"])


async def _titles(session, kind: str) -> set[str]:
    return {r.title for r in await session.schemas.list_all(kind, "tenant")}


async def test_an_exported_bundle_applies_unchanged_and_validates_against_its_schema(orgs, tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    src_cm, tgt_cm = orgs.sessions()
    async with src_cm as src, tgt_cm as tgt:
        out = await _tutorial(src, "http-api")
        path = (await SetupReader(src).read(_selection(out))).save(tmp_path / "loyalty.aep-bundle.json")
        text = path.read_text()
        data = json.loads(text)
        schema = bundle_schema()
        jsonschema.Draft202012Validator.check_schema(schema)
        jsonschema.Draft202012Validator(schema).validate(data)
        assert data["format"] == "aep-console/setup-bundle" and data["version"] == 1
        assert data["source"] == {"org_id": orgs.source_profile.org_id, "sandbox": "prod",
                                  "tenant_id": "exchangeinternal"}
        assert text == Bundle.load(path).dumps()  # stable: what is reviewed is what is applied
        assert "secret" not in text.lower() and "inletUrl" not in text and "imsOrg" not in text
        # a broken bundle is refused with the location of the problem
        broken = json.loads(text)
        del broken["resources"][1]["body"]["title"]
        with pytest.raises(ValueError, match=r"/resources/1/body"):
            Bundle.from_json(broken)
        plan = await Planner(tgt).plan(Bundle.load(path))
        report = await apply_plan(tgt, plan, accept_irreversible=True)
        assert report.ok, report.summary()
        assert (await Planner(tgt).plan(Bundle.load(path))).is_empty
        flow = await tgt.flows.get_flow(report.outputs[out["event_flow_id"]])
        [tc] = flow.target_connection_ids
        target_ds = report.outputs[out["event_dataset_id"]]
        assert (await tgt.flows.get_target_connection(tc)).params["dataSetId"] == target_ds
        assert httpx.URL(str(tgt.endpoints.platform)).port == orgs.target.port


async def test_an_identity_namespace_missing_in_the_target_is_planned_irreversible_and_created(orgs):
    from aep_console.services.setup import loyalty_profile_spec

    src_cm, tgt_cm = orgs.sessions()
    async with src_cm as src, tgt_cm as tgt:
        code = prefix("Loyalty")
        await src.identity.create_namespace(code, f"{code} members", id_type="Cross_device")
        spec = loyalty_profile_spec(prefix("Custom id"))
        spec.identity_namespace = code
        made = await SetupWorkflows(src).profile_schema(spec)
        assert made.ok, made.summary()
        plan = await Planner(tgt).plan(await SetupReader(src).read(Selection(schemas=[made.outputs["schema_id"]])))
        [ns] = [i for i in plan.items if i.kind == "namespace"]
        assert (ns.action, ns.title, ns.irreversible) == (CREATE, code, True) and "cannot be deleted" in ns.note
        assert await tgt.identity.find_namespace(code) is None
        report = await apply_plan(tgt, plan, accept_irreversible=True)
        assert report.ok, report.summary()
        created = await tgt.identity.find_namespace(code)
        assert (created.code, created.name, created.id_type.lower()) == (code, f"{code} members", "cross_device")
        [desc] = await tgt.schemas.descriptors_of(report.outputs[made.outputs["schema_id"]])
        assert desc.namespace == code


async def test_an_overwrite_is_put_back_when_a_later_step_is_refused(orgs):
    from aep_console.services.setup import loyalty_profile_spec

    src_cm, tgt_cm = orgs.sessions()
    async with src_cm as src, tgt_cm as tgt:
        out = await _tutorial(src)
        first = await Planner(tgt).plan(await SetupReader(src).read(Selection(schemas=[out["profile_schema_id"]])))
        assert (await apply_plan(tgt, first, accept_irreversible=True)).ok
        path = "/definitions/tenantFields/properties/_exchangeinternal/properties/loyaltyLevel/title"
        await src.schemas.patch("fieldgroups", out["profile_fieldgroup_id"],
                                [{"op": "replace", "path": path, "value": "Loyalty tier"}])
        extra = await SetupWorkflows(src).profile_schema(loyalty_profile_spec(prefix("Extra")))
        sel = Selection(schemas=[out["profile_schema_id"], extra.outputs["schema_id"]])
        plan = await Planner(tgt).plan(await SetupReader(src).read(sel))
        assert [(i.action, i.kind) for i in plan.changes][:3] == [
            (CONFLICT, "fieldgroup"), (CREATE, "fieldgroup"), (CREATE, "schema")]
        extra_title = next(i.title for i in plan.changes if i.kind == "schema")
        blocker = await tgt.schemas.create_schema({"type": "object", "title": extra_title, "allOf": [
            {"$ref": "https://ns.adobe.com/xdm/context/profile"}]})
        report = await apply_plan(tgt, plan, accept_irreversible=True, overwrite=True)
        assert not report.ok and report.rolled_back and not report.leftovers, report.summary()
        assert [s.status for s in report.steps][:3] == ["undone", "undone", "failed"]
        group = await tgt.schemas.get_fieldgroup(plan.changes[0].target_id)
        assert group["definitions"]["tenantFields"]["properties"][f"_{TARGET_TENANT}"]["properties"][
            "loyaltyLevel"]["title"] == "Loyalty level"  # the target's version again
        await tgt.schemas.delete_schema(blocker["$id"])


async def test_a_tenant_data_type_comes_along_and_its_ref_is_rewritten(orgs):
    from aep_console.services.setup import PROFILE_CLASS, tenant_fieldgroup_body

    src_cm, tgt_cm = orgs.sessions()
    async with src_cm as src, tgt_cm as tgt:
        name = prefix("Tier")
        dt = await src.schemas.create("datatypes", {
            "type": "object", "title": f"{name} type", "description": "a loyalty tier",
            "definitions": {"tier": {"properties": {"name": {"type": "string"}, "rank": {"type": "integer"}}}},
            "allOf": [{"$ref": "#/definitions/tier"}]})
        fg = await src.schemas.create_fieldgroup(tenant_fieldgroup_body(
            f"{name} fields", "exchangeinternal", PROFILE_CLASS, {"tier": {"$ref": dt["$id"], "title": "Tier"}}))
        schema = await src.schemas.create_schema({"type": "object", "title": name, "allOf": [
            {"$ref": PROFILE_CLASS}, {"$ref": fg["$id"]}]})
        bundle = await SetupReader(src).read(Selection(schemas=[schema["meta:altId"]]))  # an alt id works too
        assert [(r.kind, r.requires) for r in bundle.resources] == [
            ("datatype", []), ("fieldgroup", [dt["$id"]]), ("schema", [fg["$id"]])]
        report = await apply_plan(tgt, await Planner(tgt).plan(bundle))
        assert report.ok, report.summary()
        new_dt, new_fg = report.outputs[dt["$id"]], report.outputs[fg["$id"]]
        assert new_dt.startswith(f"https://ns.adobe.com/{TARGET_TENANT}/datatypes/")
        group = await tgt.schemas.get_fieldgroup(new_fg)
        assert group["definitions"]["tenantFields"]["properties"][f"_{TARGET_TENANT}"]["properties"]["tier"][
            "$ref"] == new_dt
        full = await tgt.schemas.get_full_schema(report.outputs[schema["$id"]])
        tier = full["properties"][f"_{TARGET_TENANT}"]["properties"]["tier"]
        assert set(tier["properties"]) == {"name", "rank"}
