"""DCS streaming ingestion on the real sandbox process: both endpoints, envelope rules, XDM validation,
sync/async modes, limits, authenticated connections, HTTP-API dataflows."""

from __future__ import annotations

import copy

import pytest

from .helpers import Platform, fetch_token, unique
from .ingestion_setup import (
    Loyalty,
    check_contract,
    check_response,
    connection,
    dataflow,
    dcs_batch,
    dcs_single,
    http,
)

SPEC = "streaming-ingestion.yaml"


@pytest.fixture(scope="module")
def plat(sandbox):
    p = Platform(sandbox)
    yield p
    p.close()


@pytest.fixture(scope="module")
def world(plat) -> Loyalty:
    return Loyalty.create(plat)


def member(tenant: str, n: int | str, **extra) -> dict:
    entity = {f"_{tenant}": {"loyaltyID": f"stream{n}@example.com", "totalLoyaltyPoints": 10,
                             "loyaltyLevel": "Gold"},
              "person": {"name": {"firstName": "Ada", "lastName": f"L{n}"}}}
    entity.update(extra)
    return entity


def event(tenant: str, n: int | str, _id="e", ts="2020-03-03T06:34:55Z") -> dict:
    return {f"_{tenant}": {"loyaltyID": f"stream{n}@example.com", "pointsEarned": 5},
            "eventType": "loyaltyBalanceUpdate", "_id": _id, "timestamp": ts}


def test_single_message_is_acknowledged(sandbox, world, plat, shared_dir):
    resp = dcs_single(sandbox, world.inlet, world.envelope(member(plat.tenant, unique())))
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["inletId"] == world.inlet
    assert isinstance(body["xactionId"], str) and body["xactionId"]
    assert isinstance(body["receivedTimeMs"], int)
    assert body["syncValidation"] == {"skipped": True}
    check_response(shared_dir, SPEC, resp)


@pytest.mark.parametrize("param", ["syncValidation", "synchronousValidation"])
def test_sync_validation_pass_uses_the_key_of_the_parameter(sandbox, world, plat, param):
    resp = dcs_single(sandbox, world.inlet, world.envelope(member(plat.tenant, unique())), sync=param)
    assert resp.status_code == 200, resp.text
    assert resp.json()[param] == {"status": "pass"}


def test_sync_validation_failure_is_aeps_report(sandbox, world, plat):
    bad = event(plat.tenant, 1, _id=15367038)
    bad["workEmail"] = {"address": "x@example.com"}
    resp = dcs_single(sandbox, world.inlet, world.envelope(bad, event=True), sync="syncValidation")
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert body["type"] == "http://ns.adobe.com/adobecloud/problem/data-collection-service/inlet"
    assert body["title"] == "Invalid XDM Message Format"
    assert world.inlet in body["report"]["message"] and "Message is invalid" in body["report"]["message"]
    report = body["report"]["cause"]["_streamingValidation"]
    found = report[0]["causingExceptions"] or [report[0]]
    by_pointer = {e["pointerToViolation"]: e for e in found}
    assert by_pointer["#/_id"]["keyword"] == "type"
    assert by_pointer["#/_id"]["message"] == "expected type: String, found: Long"
    assert any(e["keyword"] == "additionalProperties" and "workEmail" in e["message"] for e in found)


def test_sync_validation_reports_at_most_five_errors(sandbox, world, plat):
    bad = event(plat.tenant, 2, _id=1)
    for k in range(8):
        bad[f"unknown{k}"] = k
    resp = dcs_single(sandbox, world.inlet, world.envelope(bad, event=True), sync="syncValidation")
    assert resp.status_code == 400
    entry = resp.json()["report"]["cause"]["_streamingValidation"][0]
    assert 1 <= len(entry["causingExceptions"]) <= 5


def test_batch_answers_207_in_order_with_status_per_message(sandbox, world, plat, shared_dir):
    t = plat.tenant
    good = world.envelope(member(t, unique()))
    no_header = {"body": good["body"]}
    wrong_org = copy.deepcopy(good)
    wrong_org["header"]["imsOrgId"] = "SOMEONEELSE000000000000@AdobeOrg"
    unknown_ds = copy.deepcopy(good)
    unknown_ds["header"]["datasetId"] = "000000000000000000000000"
    mismatch = world.envelope(member(t, unique()), dataset_id=world.event_ds)
    meta_mismatch = copy.deepcopy(good)
    meta_mismatch["body"]["xdmMeta"]["schemaRef"]["id"] = world.event_schema
    legacy = {"header": {"msgType": "xdmEntityCreate", "msgId": "1", "xdmSchema": {"name": "x"}}, "body": {}}
    no_entity = copy.deepcopy(good)
    del no_entity["body"]["xdmEntity"]
    invalid_xdm = world.envelope(event(t, 3, _id=12), event=True)  # accepted at the door (async)
    messages = [good, no_header, wrong_org, unknown_ds, mismatch, meta_mismatch, legacy, no_entity, "text",
                invalid_xdm, world.envelope(member(t, unique()))]
    resp = dcs_batch(sandbox, world.inlet, messages)
    assert resp.status_code == 207, resp.text
    body = resp.json()
    check_contract(shared_dir, SPEC, "BatchResponseDTO", body)
    assert body["inletId"] == world.inlet and isinstance(body["receivedTimeMs"], int) and body["batchId"]
    res = body["responses"]
    assert len(res) == len(messages)
    assert all("xactionId" in r for r in res)
    assert len({r["xactionId"] for r in res}) == len(res)
    ok_idx = [i for i, r in enumerate(res) if "status" not in r]
    assert ok_idx == [0, 9, 10]
    msgs = {i: res[i]["message"] for i in range(len(res)) if "status" in res[i]}
    assert all(res[i]["status"] == 400 for i in msgs)
    assert "'header' field is mandatory" in msgs[1]
    assert "absent or wrong ims org" in msgs[2]
    assert "000000000000000000000000" in msgs[3] and "does not exist" in msgs[3]
    assert world.profile_schema in msgs[4] and world.event_ds in msgs[4]
    assert "xdmMeta" in msgs[5]
    assert "unknown xdm format" in msgs[6]
    assert "xdmEntity" in msgs[7]
    assert "JSON object" in msgs[8]
    assert all(world.inlet in m for m in msgs.values())


def test_missing_ims_org_is_filled_from_the_connection(sandbox, world, plat):
    msg = world.envelope(member(plat.tenant, unique()))
    del msg["header"]["imsOrgId"]
    assert dcs_single(sandbox, world.inlet, msg).status_code == 200


@pytest.mark.parametrize("mutate, expect", [
    (lambda m: m["header"].pop("schemaRef"), "schemaRef"),
    (lambda m: m["header"].pop("datasetId"), "datasetId"),
    (lambda m: m.pop("body"), "'body' field is mandatory"),
    (lambda m: m["body"].pop("xdmMeta"), "xdmMeta"),
    (lambda m: m["body"].__setitem__("xdmEntity", [1]), "xdmEntity"),
    (lambda m: m["header"].__setitem__("source", "x"), "source"),
])
def test_single_envelope_errors_are_400_naming_the_field(sandbox, world, plat, mutate, expect):
    msg = world.envelope(member(plat.tenant, unique()))
    mutate(msg)
    resp = dcs_single(sandbox, world.inlet, msg)
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert body["status"] == 400 and expect in body["report"]["message"]


def test_unknown_connection_malformed_json_and_wrong_bodies(sandbox, world):
    resp = http().post(f"{sandbox.urls.streaming}/collection/{'ab' * 32}", json={})
    assert resp.status_code == 400 and "No streaming connection" in resp.json()["report"]["message"]
    url = f"{sandbox.urls.streaming}/collection/{world.inlet}"
    resp = http().post(url, content=b'{"header": ', headers={"Content-Type": "application/json"})
    assert resp.status_code == 400 and "not valid JSON" in resp.json()["report"]["message"]
    resp = http().post(url, content=b"a=b", headers={"Content-Type": "text/plain"})
    assert resp.status_code == 400 and "text/plain" in resp.json()["report"]["message"]
    resp = http().post(f"{sandbox.urls.streaming}/collection/batch/{world.inlet}", json=[1, 2])
    assert resp.status_code == 400 and "'messages' array" in resp.json()["report"]["message"]
    resp = http().post(f"{sandbox.urls.streaming}/collection/batch/{world.inlet}", json={"messages": []})
    assert resp.status_code == 207 and resp.json()["responses"] == []


def test_bodies_over_1mb_are_413(sandbox, world, plat):
    big = member(plat.tenant, unique())
    big["person"]["name"]["firstName"] = "x" * (1024 * 1024)
    for url in (f"{sandbox.urls.streaming}/collection/{world.inlet}",
                f"{sandbox.urls.streaming}/collection/batch/{world.inlet}"):
        payload = world.envelope(big) if "batch" not in url else {"messages": [world.envelope(big)]}
        resp = http().post(url, json=payload, timeout=30)
        assert resp.status_code == 413, resp.text
        assert "1 MB" in resp.json()["report"]["message"]


def test_x_sandbox_name_must_match_the_connection(sandbox, world, plat):
    resp = dcs_single(sandbox, world.inlet, world.envelope(member(plat.tenant, unique())),
                      headers={"x-sandbox-name": "dev"})
    assert resp.status_code == 400 and "x-sandbox-name" in resp.json()["report"]["message"]
    resp = dcs_single(sandbox, world.inlet, world.envelope(member(plat.tenant, unique())),
                      headers={"x-sandbox-name": "prod"})
    assert resp.status_code == 200


def test_sync_validation_is_limited_per_connection(sandbox, plat, world):
    cid, inlet = connection(plat)
    flow = dataflow(plat, cid, world.profile_schema, world.profile_ds)
    try:
        sandbox.admin("limits", {"syncValidationPerMinute": 3})
        codes = [dcs_single(sandbox, inlet, world.envelope(member(plat.tenant, unique()), flow_id=flow),
                            sync="syncValidation").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        resp = dcs_single(sandbox, inlet, world.envelope(member(plat.tenant, unique()), flow_id=flow), sync="syncValidation")
        assert resp.status_code == 429 and int(resp.headers["Retry-After"]) >= 1
        assert "3 requests per minute per connection" in resp.json()["report"]["message"]
        # without sync validation the same connection still takes messages
        assert dcs_single(sandbox, inlet, world.envelope(member(plat.tenant, unique()), flow_id=flow)).status_code == 200
    finally:
        sandbox.admin("limits", {"syncValidationPerMinute": 60})


def test_configurable_request_rate_gives_429_with_retry_after(sandbox, plat, world):
    cid, inlet = connection(plat)
    flow = dataflow(plat, cid, world.profile_schema, world.profile_ds)
    try:
        sandbox.admin("limits", {"requestsPerSecond": 2})
        codes = []
        for _ in range(6):
            resp = dcs_single(sandbox, inlet, world.envelope(member(plat.tenant, unique()), flow_id=flow))
            codes.append(resp.status_code)
            if resp.status_code == 429:
                assert int(resp.headers["Retry-After"]) >= 1
                assert resp.json()["status"] == 429
        assert 429 in codes and codes[0] == 200
    finally:
        sandbox.admin("limits", {"requestsPerSecond": None})


def test_authenticated_connection_needs_a_token(sandbox, plat, world):
    cid, inlet = connection(plat, authenticated=True)
    flow = dataflow(plat, cid, world.profile_schema, world.profile_ds)
    msg = world.envelope(member(plat.tenant, unique()), flow_id=flow)
    resp = dcs_single(sandbox, inlet, msg)
    assert resp.status_code == 401
    body = resp.json()
    assert body["title"] == "Authorization" and "Ims service token is empty" in body["report"]["message"]
    resp = dcs_single(sandbox, inlet, msg, headers={"Authorization": "Bearer not-a-token"})
    assert resp.status_code == 401 and "not valid" in resp.json()["report"]["message"]
    other = fetch_token(sandbox, sandbox.other_credentials)["access_token"]
    resp = dcs_single(sandbox, inlet, msg, headers={"Authorization": f"Bearer {other}"})
    assert resp.status_code == 401
    resp = dcs_single(sandbox, inlet, msg, headers={"Authorization": f"Bearer {plat.token}"})
    assert resp.status_code == 200, resp.text
    resp = dcs_batch(sandbox, inlet, [msg])
    assert resp.status_code == 401


def test_http_api_dataflow_needs_its_flow_id(sandbox, plat, world):
    cid, inlet = connection(plat)
    flow_id = dataflow(plat, cid, world.profile_schema, world.profile_ds)
    msg = world.envelope(member(plat.tenant, unique()), flow_id=None)
    resp = dcs_single(sandbox, inlet, msg)
    assert resp.status_code == 400 and "flowId" in resp.json()["report"]["message"]
    bad = world.envelope(member(plat.tenant, unique()), flow_id="6b8d2f1e-0000-4000-8000-000000000000")
    resp = dcs_single(sandbox, inlet, bad)
    assert resp.status_code == 400 and "6b8d2f1e" in resp.json()["report"]["message"]
    assert dcs_single(sandbox, inlet, world.envelope(member(plat.tenant, unique()), flow_id=flow_id)).status_code == 200
    assert dcs_single(sandbox, inlet, msg, headers={"x-adobe-flow-id": flow_id}).status_code == 200
    resp = dcs_batch(sandbox, inlet, [msg, world.envelope(member(plat.tenant, unique()), flow_id=flow_id)])
    assert [("status" in r) for r in resp.json()["responses"]] == [True, False]


def test_async_invalid_message_lands_among_failed_records(sandbox, plat, world):
    ds_world = Loyalty.create(plat)
    bad = event(plat.tenant, 4, _id=15367038)
    resp = dcs_single(sandbox, ds_world.inlet, ds_world.envelope(bad, event=True))
    assert resp.status_code == 200, resp.text
    good = event(plat.tenant, 4, _id="ok-1")
    assert dcs_single(sandbox, ds_world.inlet, ds_world.envelope(good, event=True)).status_code == 200
    sandbox.admin("datalake/flush", {"datasetId": ds_world.event_ds})
    batches = plat.get("/data/foundation/catalog/batches", params={"dataSet": ds_world.event_ds}).json()
    assert len(batches) == 1, batches
    batch_id, batch = next(iter(batches.items()))
    assert batch["status"] == "success"
    assert batch["recordCount"] == 1 and batch["failedRecordCount"] == 1
    assert "expected type: String, found: Long" in batch["errors"][0]["description"]
    failed = plat.get(f"/data/foundation/export/batches/{batch_id}/failed").json()
    name = failed["data"][0]["name"]
    rows = plat.get(f"/data/foundation/export/batches/{batch_id}/failed", params={"path": name}).text.splitlines()
    assert len(rows) == 1 and '"_id":15367038' in rows[0] and "expected type: String, found: Long" in rows[0]
