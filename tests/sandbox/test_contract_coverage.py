"""Every ingestion-side response (streaming, Profile, data access) the sandbox serves, in every shape the specs describe, validates against Adobe's
OpenAPI specs (../shared/aep-openapi: streaming-ingestion, profile, data-access, catalog batches) through
``tests/contract.py``; the statuses must be documented for the operation. Complements test_contract_ingestion_apis.py
(the first response of each operation) with the other shapes: legacy sync validation, auth and rate-limit
refusals, HTTP API dataflows, event paging and time windows, the POST forms, merge policies, HEAD / Range /
empty listings of the export API, and streaming batches in Catalog while loading and once closed."""

from __future__ import annotations

import pytest

from .helpers import unique
from .ingestion_setup import (
    Loyalty,
    check_contract,
    check_response,
    connection,
    dataflow,
    dcs_batch,
    dcs_single,
    events_get,
    http,
    profile_get,
)

pytestmark = pytest.mark.shared


def member(t: str, email: str, **extra) -> dict:
    return {f"_{t}": {"loyaltyID": email, **extra}}


def event(t: str, email: str, n: int) -> dict:
    return {f"_{t}": {"loyaltyID": email, "pointsEarned": n}, "eventType": "loyaltyBalanceUpdate",
            "_id": f"{email}-{n}", "timestamp": f"2024-01-0{n}T00:00:00Z"}


def test_streaming_shapes(sandbox, platform, shared_dir):
    spec = "streaming-ingestion.yaml"
    w = Loyalty.create(platform)
    t = platform.tenant
    good = w.envelope(member(t, f"{unique('s')}@example.com"))
    flowless = w.envelope(member(t, f"{unique('s')}@example.com"), flow_id=None)
    bad = w.envelope(member(t, 5))
    cid, inlet = connection(platform)
    flow = dataflow(platform, cid, w.profile_schema, w.profile_ds)
    auth_cid, auth_inlet = connection(platform, authenticated=True)
    auth_good = w.envelope(member(t, f"{unique('s')}@example.com"),
                           flow_id=dataflow(platform, auth_cid, w.profile_schema, w.profile_ds))
    responses = [
        dcs_single(sandbox, w.inlet, good, sync="synchronousValidation"),  # legacy name, legacy key
        dcs_single(sandbox, w.inlet, bad, sync="synchronousValidation"),
        dcs_single(sandbox, w.inlet, bad),  # async: acknowledged, lands among the failed records
        dcs_batch(sandbox, w.inlet, [bad, {"header": {}}, "x"]),  # 207 without any success
        dcs_batch(sandbox, w.inlet, []),
        http().post(f"{sandbox.urls.streaming}/collection/{w.inlet}", content=b"{nope",
                    headers={"Content-Type": "application/json"}),
        dcs_single(sandbox, "ab" * 32, good),  # unknown connection
        dcs_single(sandbox, inlet, w.envelope(member(t, f"{unique('f')}@example.com"), flow_id=flow)),
        dcs_batch(sandbox, inlet, [flowless], headers={"x-adobe-flow-id": flow}),
        dcs_single(sandbox, inlet, flowless),  # a Flow Service connection needs the flowId of a dataflow
        dcs_single(sandbox, auth_inlet, auth_good),  # authenticated connection, no token: 401
        dcs_single(sandbox, auth_inlet, auth_good, headers={"Authorization": "Bearer nope"}),
        dcs_single(sandbox, auth_inlet, auth_good, headers={"Authorization": f"Bearer {platform.token}"}),
    ]
    assert [r.status_code for r in responses] == [200, 400, 200, 207, 207, 400, 400, 200, 207, 400, 401, 401, 200]
    for resp in responses:
        check_response(shared_dir, spec, resp)
    try:
        sandbox.admin("limits", {"requestsPerSecond": 1})
        codes = [dcs_single(sandbox, w.inlet, good) for _ in range(3)]
        assert codes[-1].status_code == 429 and codes[-1].headers["Retry-After"]
        check_response(shared_dir, spec, codes[-1])
    finally:
        sandbox.admin("limits", {"requestsPerSecond": None})


def test_profile_shapes(sandbox, platform, shared_dir):
    spec = "profile.yaml"
    w = Loyalty.create(platform)
    t = platform.tenant
    email = f"{unique('p')}@example.com"
    assert dcs_single(sandbox, w.inlet, w.envelope(member(t, email, loyaltyLevel="Gold"))).status_code == 200
    resp = dcs_batch(sandbox, w.inlet, [w.envelope(event(t, email, n), event=True) for n in (1, 2, 3)])
    assert all("status" not in r for r in resp.json()["responses"])
    xid = next(iter(profile_get(platform, email).json()))
    first = events_get(platform, email, limit="1")
    href = first.json()["_links"]["next"]["href"]
    assert href
    policies = platform.get("/data/core/ups/config/mergePolicies", params={"default": "true",
                                                                        "schema.name": "_xdm.context.profile"})
    policy_id = policies.json()["children"][0]["id"]
    responses = [
        profile_get(platform, xid, ns=None),  # by XID
        profile_get(platform, email, fields=f"_{t}.loyaltyLevel", mergePolicyId=policy_id),
        first,
        platform.get(f"/data/core/ups/access{href}"),  # the next page
        events_get(platform, email, orderby="-timestamp", startTime="1704067200000", endTime="1704240000000"),
        events_get(platform, email, fields="_id,timestamp"),
        events_get(platform, email, mergePolicyId="nope"),
        events_get(platform, "nobody@example.com"),
        events_get(platform, email, orderby="name"),
        platform.post("/data/core/ups/access/entities", json={
            "schema": {"name": "_xdm.context.experienceevent"}, "relatedSchema": {"name": "_xdm.context.profile"},
            "identities": [{"relatedEntityId": email, "relatedEntityIdNS": {"code": "Email"}}]}),
        platform.post("/data/core/ups/access/entities", json={
            "schema": {"name": "_xdm.context.profile"}, "mergePolicyId": policy_id, "fields": [f"_{t}"],
            "identities": [{"entityId": email, "entityIdNS": {"code": "Email"}},
                           {"entityId": "nobody@example.com", "entityIdNS": {"code": "Email"}}]}),
        platform.post("/data/core/ups/access/entities", json={"schema": {"name": "_xdm.context.profile"}}),
        platform.get("/data/core/ups/access/entities", params={"schema.name": "_xdm.context.segment", "entityId": "x"}),
        policies,
        platform.get("/data/core/ups/config/mergePolicies", params={"default": "false"}),
        platform.get(f"/data/core/ups/config/mergePolicies/{policy_id}"),
        platform.get("/data/core/ups/config/mergePolicies/00000000-0000-0000-0000-000000000000"),
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 200, 200, 422, 404, 400, 200, 200, 400,
                                                  422, 200, 200, 200, 404]
    for resp in responses:
        check_response(shared_dir, spec, resp)
    # the POST form answers an unknown mergePolicyId as the GET form does (422 UPLIB-101221-404); the spec
    # lists no 422 for POST, so only the body shape is checked
    resp = platform.post("/data/core/ups/access/entities", json={
        "schema": {"name": "_xdm.context.profile"}, "mergePolicyId": "nope",
        "identities": [{"entityId": email, "entityIdNS": {"code": "Email"}}]})
    assert resp.status_code == 422 and resp.json()["type"].endswith("/UPLIB-101221-404")
    check_contract(shared_dir, spec, "ResponseErrorContext", resp.json())


def test_data_access_and_catalog_batch_shapes(sandbox, platform, shared_dir):
    w = Loyalty.create(platform)
    t = platform.tenant
    dcs_batch(sandbox, w.inlet, [w.envelope(member(t, f"{unique('d')}@example.com")) for _ in range(3)])
    dcs_single(sandbox, w.inlet, w.envelope(member(t, 1)))  # one failed record in the same batch
    dcs_single(sandbox, w.inlet, w.envelope({"_id": 1, "timestamp": "x"}, event=True))  # an all-failed batch
    loading = platform.get("/data/foundation/catalog/batches", params={"dataSet": w.profile_ds})
    (ok_batch,) = loading.json()
    (failed_batch,) = platform.get("/data/foundation/catalog/batches", params={"dataSet": w.event_ds}).json()
    catalog = [loading, platform.get(f"/data/foundation/catalog/batches/{ok_batch}")]
    assert {ok_batch, failed_batch} <= set(sandbox.admin("datalake/flush", {})["closed"])
    catalog += [platform.get("/data/foundation/catalog/batches", params={"dataSet": w.profile_ds}),
                platform.get(f"/data/foundation/catalog/batches/{ok_batch}"),
                platform.get(f"/data/foundation/catalog/batches/{failed_batch}"),
                platform.get("/data/foundation/catalog/batches/01NOPE0000000000000000000")]
    assert [r.status_code for r in catalog] == [200, 200, 200, 200, 200, 404]
    assert catalog[4].json()[failed_batch]["status"] == "failed"
    for resp in catalog:
        check_response(shared_dir, "catalog.yaml", resp)

    export = "/data/foundation/export"
    file_id = platform.get(f"{export}/batches/{ok_batch}/files").json()["data"][0]["dataSetFileId"]
    name = platform.get(f"{export}/files/{file_id}").json()["data"][0]["name"]
    responses = [
        platform.get(f"{export}/batches/{failed_batch}/files"),  # no accepted record: no data file
        platform.get(f"{export}/batches/{ok_batch}/failed"),
        platform.get(f"{export}/batches/{failed_batch}/failed"),
        platform.get(f"{export}/files/{file_id}", params={"path": name}),
        platform.get(f"{export}/files/{file_id}", params={"path": name}, headers={"Range": "bytes=0-9"}),
        platform.request("HEAD", f"{export}/files/{file_id}", params={"path": name}),
        platform.request("HEAD", f"{export}/files/{file_id}x", params={"path": name}),
        platform.get(f"{export}/batches/{failed_batch}/meta", params={"path": "row_errors_sample.json"}),
        platform.get(f"{export}/datasets/{w.event_ds}/preview"),
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 206, 200, 404, 200, 200]
    assert responses[0].json()["data"] == [] and len(responses[2].json()["data"]) == 1
    for resp in responses:
        check_response(shared_dir, "data-access.yaml", resp)
