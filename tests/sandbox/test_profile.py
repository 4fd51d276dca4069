"""Real-Time Customer Profile on the real sandbox process: the tutorial's sample data, merging,
stitching across datasets, experience events (filters, order, paging), merge policies, error bodies."""

from __future__ import annotations

import copy

import pytest

from .helpers import Platform, unique
from .ingestion_setup import (
    PROFILE_CLASS,
    Loyalty,
    check_contract,
    check_response,
    dataset,
    dcs_batch,
    dcs_single,
    events_get,
    load_samples,
    only,
    profile_get,
    schema,
)

SPEC = "profile.yaml"


@pytest.fixture(scope="module")
def plat(sandbox):
    # the "dev" sandbox: other test modules stream the same sample people into "prod" of the shared
    # session sandbox, and Profile would (rightly) merge them with ours
    p = Platform(sandbox, sandbox_name="dev")
    yield p
    p.close()


@pytest.fixture(scope="module")
def world(plat) -> Loyalty:
    return Loyalty.create(plat)


@pytest.fixture(scope="module")
def samples(shared_dir):
    return load_samples(shared_dir)


@pytest.fixture(scope="module")
def streamed(sandbox, world, samples):
    """The 25 sample profiles streamed in one batch request; the 20 events as ingested with string ids."""
    profiles, events = samples
    resp = dcs_batch(sandbox, world.inlet, [world.envelope(copy.deepcopy(p)) for p in profiles])
    assert resp.status_code == 207
    assert all("status" not in r for r in resp.json()["responses"]), resp.text
    return profiles, events


def loyalty_id(entity: dict, tenant: str) -> str:
    return entity[f"_{tenant}"]["loyaltyID"]


def test_the_25_sample_profiles_are_retrievable_with_their_attributes(plat, world, streamed, shared_dir):
    profiles, _ = streamed
    seen = set()
    for sample in profiles:
        resp = profile_get(plat, loyalty_id(sample, plat.tenant))
        assert resp.status_code == 200, resp.text
        check_response(shared_dir, SPEC, resp)
        xid, doc = next(iter(resp.json().items()))
        assert doc["entityId"] == xid and xid not in seen
        seen.add(xid)
        entity = doc["entity"]
        assert entity["person"] == sample["person"]
        assert entity[f"_{plat.tenant}"] == sample[f"_{plat.tenant}"]
        assert entity["personalEmail"] == sample["personalEmail"]
        assert world.profile_ds in doc["sources"]
        assert xid in doc["identityGraph"]
        assert doc["mergePolicy"]["id"] and doc["lastModifiedAt"].endswith("Z")
    assert len(seen) == 25


def test_integer_event_ids_are_rejected_then_accepted_as_strings_and_listed_in_time_order(
        sandbox, plat, world, streamed):
    _, events = streamed
    for ev in events:
        resp = dcs_single(sandbox, world.inlet, world.envelope(copy.deepcopy(ev), event=True), sync="syncValidation")
        assert resp.status_code == 400, resp.text
        cause = resp.json()["report"]["cause"]["_streamingValidation"][0]
        found = cause["causingExceptions"] or [cause]
        assert {"pointerToViolation": "#/_id", "keyword": "type",
                "message": "expected type: String, found: Long"}.items() <= found[0].items()
    for ev in events:
        fixed = {**copy.deepcopy(ev), "_id": str(ev["_id"])}
        resp = dcs_single(sandbox, world.inlet, world.envelope(fixed, event=True), sync="syncValidation")
        assert resp.status_code == 200, resp.text
    by_member: dict[str, list[dict]] = {}
    for ev in events:
        by_member.setdefault(loyalty_id(ev, plat.tenant), []).append(ev)
    for member, evs in by_member.items():
        resp = events_get(plat, member)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        got = [c["entityId"] for c in body["children"]]
        expected = [str(e["_id"]) for e in sorted(evs, key=lambda e: e["timestamp"])]
        assert got == expected
        stamps = [c["timestamp"] for c in body["children"]]
        assert stamps == sorted(stamps)
        profile_xid = only(profile_get(plat, member).json())["entityId"]
        assert {c["relatedEntityId"] for c in body["children"]} == {profile_xid}
        assert body["_page"]["count"] == len(evs)
        assert body["children"][0]["entity"]["eventType"] in {e["eventType"] for e in evs}
    types = plat.get("/data/core/ups/config/eventTypes").json()
    assert any(c["eventType"] == "loyaltyBalanceUpdate" for c in types["children"])


def test_most_recently_ingested_value_wins_per_field(sandbox, plat, world):
    member = f"{unique('m')}@example.com"
    t = plat.tenant
    first = {f"_{t}": {"loyaltyID": member, "loyaltyLevel": "Gold", "totalLoyaltyPoints": 5},
             "person": {"name": {"firstName": "Ann", "lastName": "Old"}}}
    second = {f"_{t}": {"loyaltyID": member, "loyaltyLevel": "Silver"}, "person": {"name": {"lastName": "New"}}}
    assert dcs_single(sandbox, world.inlet, world.envelope(first)).status_code == 200
    assert dcs_single(sandbox, world.inlet, world.envelope(second)).status_code == 200
    entity = only(profile_get(plat, member).json())["entity"]
    assert entity[f"_{t}"] == {"loyaltyID": member, "loyaltyLevel": "Silver", "totalLoyaltyPoints": 5}
    assert entity["person"]["name"] == {"firstName": "Ann", "lastName": "New"}


def test_identity_stitching_across_two_datasets(sandbox, plat, world):
    t = plat.tenant
    crm_schema = schema(plat, unique("CRM"), [PROFILE_CLASS, "https://ns.adobe.com/xdm/context/identitymap",
                                              "https://ns.adobe.com/xdm/context/profile-person-details"])
    crm_ds = dataset(plat, crm_schema)
    world.add_flow(crm_ds, crm_schema)
    member = f"{unique('s')}@example.com"
    ecid = unique("ecid")
    loyalty_rec = {f"_{t}": {"loyaltyID": member, "loyaltyLevel": "Gold"},
                   "person": {"name": {"firstName": "Stitch"}}}
    crm_only = {"identityMap": {"ECID": [{"id": ecid, "primary": True}]},
                "person": {"name": {"lastName": "Together"}, "birthDate": "1990-05-06"}}
    crm_link = {"identityMap": {"ECID": [{"id": ecid, "primary": True}], "Email": [{"id": member}]}}
    assert dcs_single(sandbox, world.inlet, world.envelope(loyalty_rec), sync="syncValidation").status_code == 200
    assert dcs_single(sandbox, world.inlet, world.envelope(crm_only, dataset_id=crm_ds, schema_id=crm_schema),
                      sync="syncValidation").status_code == 200
    # before the link: two separate profiles
    first = only(profile_get(plat, member).json())
    assert first["sources"] == [world.profile_ds] and len(first["identityGraph"]) == 1
    assert only(profile_get(plat, ecid, "ECID").json())["entityId"] != first["entityId"]
    resp = dcs_single(sandbox, world.inlet, world.envelope(crm_link, dataset_id=crm_ds, schema_id=crm_schema),
                      sync="syncValidation")
    assert resp.status_code == 200, resp.text
    by_email = only(profile_get(plat, member).json())
    by_ecid = only(profile_get(plat, ecid, "ECID").json())
    assert by_email["entityId"] == by_ecid["entityId"]
    assert set(by_email["sources"]) == {crm_ds, world.profile_ds}
    assert len(by_email["identityGraph"]) == 2
    assert by_email["entity"]["person"]["name"] == {"firstName": "Stitch", "lastName": "Together"}
    assert by_email["entity"]["person"]["birthDate"] == "1990-05-06"
    assert {i["id"] for i in by_email["entity"]["identityMap"]["ECID"]} == {ecid}
    assert by_email["entityId"] == first["entityId"]  # the older graph survives the join
    # by XID (no namespace), the fields filter and the identities view
    xid = by_email["entityId"]
    doc = only(profile_get(plat, xid, None, fields="person.name.lastName,identities").json())
    assert doc["entity"]["person"] == {"name": {"lastName": "Together"}}
    codes = {(i["namespace"]["code"], i["id"]) for i in doc["entity"]["identities"]}
    assert codes == {("Email", member), ("ECID", ecid)}
    # the POST form
    resp = plat.post("/data/core/ups/access/entities", json={
        "schema": {"name": "_xdm.context.profile"}, "fields": ["person.name"],
        "identities": [{"entityId": ecid, "entityIdNS": {"code": "ECID"}}]})
    assert resp.status_code == 200, resp.text
    got = only(resp.json())
    assert got["entityId"] == xid and got["requestedIdentity"]["entityId"] == ecid
    assert set(got["entity"]) == {"person"}


def test_event_filters_order_and_paging(sandbox, plat, world):
    t = plat.tenant
    member = f"{unique('p')}@example.com"
    msgs = [world.envelope({f"_{t}": {"loyaltyID": member, "pointsEarned": i}, "eventType": "pointsEarned",
                            "_id": f"ev-{i:02d}", "timestamp": f"2021-01-01T00:00:{i:02d}Z"}, event=True)
            for i in range(12)]
    resp = dcs_batch(sandbox, world.inlet, list(reversed(msgs)))
    assert all("status" not in r for r in resp.json()["responses"])
    # paging with _links.next, followed as AEP documents: GET /access + href
    seen: list[str] = []
    resp = events_get(plat, member, limit=5)
    pages = 0
    while True:
        assert resp.status_code == 200, resp.text
        body = resp.json()
        pages += 1
        seen += [c["entityId"] for c in body["children"]]
        href = body["_links"]["next"]["href"]
        if not href:
            assert body["_page"]["next"] == ""
            break
        assert body["_page"]["next"] == href.split("start=")[1].split("&")[0]
        resp = plat.get("/data/core/ups/access" + href)
    assert pages == 3 and seen == [f"ev-{i:02d}" for i in range(12)]
    base_ms = 1609459200000
    body = events_get(plat, member, startTime=base_ms + 3000, endTime=base_ms + 7000, orderby="-timestamp").json()
    assert [c["entityId"] for c in body["children"]] == ["ev-06", "ev-05", "ev-04", "ev-03"]
    body = events_get(plat, member, fields="eventType").json()
    assert body["children"][0]["entity"] == {"eventType": "pointsEarned"}
    # Postman spelling: entityId/entityIdNS with relatedSchema.name
    resp = plat.get("/data/core/ups/access/entities", params={
        "schema.name": "_xdm.context.experienceevent", "relatedSchema.name": "_xdm.context.profile",
        "entityId": member, "entityIdNS": "email", "limit": 2})
    assert [c["entityId"] for c in resp.json()["children"]] == ["ev-00", "ev-01"]
    # the POST form: keyed by XID, paging through _links.next.payload
    body = {"schema": {"name": "_xdm.context.experienceevent"}, "relatedSchema": {"name": "_xdm.context.profile"},
            "identities": [{"relatedEntityId": member, "relatedEntityIdNS": {"code": "Email"}}],
            "timeFilter": {"startTime": base_ms + 2000}, "limit": 4, "orderby": "-timestamp"}
    seen = []
    while body:
        resp = plat.post("/data/core/ups/access/entities", json=body)
        assert resp.status_code == 200, resp.text
        page = only(resp.json())
        seen += [c["entityId"] for c in page["children"]]
        body = page["_links"]["next"].get("payload")
    assert seen == [f"ev-{i:02d}" for i in range(11, 1, -1)]
    # re-ingesting the same _id replaces the event
    again = copy.deepcopy(msgs[0])
    again["body"]["xdmEntity"][f"_{t}"]["pointsEarned"] = 99
    assert dcs_single(sandbox, world.inlet, again).status_code == 200
    body = events_get(plat, member).json()
    assert len(body["children"]) == 12
    assert body["children"][0]["entity"][f"_{t}"]["pointsEarned"] == 99


def test_merge_policies_and_documented_errors(plat, world, shared_dir):
    resp = plat.get("/data/core/ups/config/mergePolicies")
    assert resp.status_code == 200
    check_response(shared_dir, SPEC, resp)
    policy = resp.json()["children"][0]
    assert policy["default"] is True and policy["attributeMerge"]["type"] == "timestampOrdered"
    assert policy["identityGraph"]["type"] == "pdg" and policy["schema"]["name"] == "_xdm.context.profile"
    assert plat.get(f"/data/core/ups/config/mergePolicies/{policy['id']}").json()["id"] == policy["id"]

    resp = profile_get(plat, "nobody@example.com")
    assert resp.status_code == 404 and resp.json()["statusCode"] == "404"
    check_contract(shared_dir, SPEC, "NotFoundError", resp.json())
    resp = profile_get(plat, "nobody@example.com", mergePolicyId="not-a-policy")
    assert resp.status_code == 422 and "not-a-policy" in resp.json()["message"]
    check_contract(shared_dir, SPEC, "ResponseErrorContext", resp.json())
    resp = plat.get("/data/core/ups/access/entities", params={"entityId": "x"})
    assert resp.status_code == 400 and "schema.name" in resp.json()["message"]
    resp = plat.get("/data/core/ups/access/entities", params={"schema.name": "_xdm.context.profile"})
    assert resp.status_code == 400 and "entityId" in resp.json()["message"]
    resp = events_get(plat, "nobody@example.com", limit="many")
    assert resp.status_code == 400 and "limit" in resp.json()["message"]
    resp = events_get(plat, "nobody@example.com", orderby="name")
    assert resp.status_code == 400 and "orderby" in resp.json()["message"]
    resp = plat.get("/data/core/ups/access/entities", params={"schema.name": "_xdm.context.segment",
                                                              "entityId": "x"})
    assert resp.status_code == 422
    resp = plat.post("/data/core/ups/access/entities", json={"schema": {"name": "_xdm.context.profile"}})
    assert resp.status_code == 400 and "identities" in resp.json()["message"]
    # gateway rules apply
    resp = plat.client.get("/data/core/ups/access/entities", headers={"Authorization": ""})
    assert resp.status_code in (401, 403)


def test_more_than_50_linked_identities_is_422(sandbox, plat, world):
    t = plat.tenant
    member = f"{unique('many')}@example.com"
    rec = {f"_{t}": {"loyaltyID": member}, "identityMap": {"ECID": [{"id": f"{member}-{i}"} for i in range(51)]}}
    crm_schema = schema(plat, unique("Many"), [PROFILE_CLASS, "https://ns.adobe.com/xdm/context/identitymap"])
    ds = dataset(plat, crm_schema)
    world.add_flow(ds, crm_schema)
    resp = dcs_single(sandbox, world.inlet, world.envelope({"identityMap": rec["identityMap"]}, dataset_id=ds,
                                                           schema_id=crm_schema))
    assert resp.status_code == 200
    resp = profile_get(plat, f"{member}-0", "ECID")
    assert resp.status_code == 422 and "Too many related identities" in resp.json()["message"]


def test_profiles_are_isolated_per_org(sandbox, plat, world, streamed):
    other = Platform(sandbox, sandbox.other_credentials)
    try:
        member = streamed[0][0][f"_{plat.tenant}"]["loyaltyID"]
        assert profile_get(plat, member).status_code == 200
        assert profile_get(other, member).status_code == 404
    finally:
        other.close()


def test_non_profile_dataset_feeds_the_data_lake_only(sandbox, plat, world):
    ds = dataset(plat, world.profile_schema, profile=False)
    world.add_flow(ds, world.profile_schema)
    member = f"{unique('lake')}@example.com"
    msg = world.envelope({f"_{plat.tenant}": {"loyaltyID": member}}, dataset_id=ds)
    assert dcs_single(sandbox, world.inlet, msg).status_code == 200
    assert profile_get(plat, member).status_code == 404
    rows = plat.get(f"/data/foundation/export/datasets/{ds}/preview").json()["data"]
    assert rows == [{f"_{plat.tenant}": {"loyaltyID": member}}]
