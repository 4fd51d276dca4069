"""Streaming, Profile and data access responses (success and error) validate against Adobe's OpenAPI specs in ../shared/aep-openapi
(statuses must be documented for the operation), and none is a 5xx."""

from __future__ import annotations

import pytest

from .helpers import Platform, unique
from .ingestion_setup import Loyalty, check_response, dcs_batch, dcs_single, events_get, http, profile_get

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def plat(sandbox):
    p = Platform(sandbox)
    yield p
    p.close()


def test_streaming_responses_match_the_spec(sandbox, plat, shared_dir):
    w = Loyalty.create(plat)
    spec = "streaming-ingestion.yaml"
    t = plat.tenant
    good = w.envelope({f"_{t}": {"loyaltyID": f"{unique('c')}@example.com"}})
    for resp in (
        dcs_single(sandbox, w.inlet, good),
        dcs_single(sandbox, w.inlet, good, sync="syncValidation"),
        dcs_single(sandbox, w.inlet, {"header": {}}),
        dcs_single(sandbox, w.inlet, w.envelope({f"_{t}": {"loyaltyID": 1}}), sync="syncValidation"),
        dcs_batch(sandbox, w.inlet, [good, {"body": {}}]),
        http().post(f"{sandbox.urls.streaming}/collection/batch/{w.inlet}", json={"messages": 1}),
        http().post(f"{sandbox.urls.streaming}/collection/{w.inlet}", content=b"x" * (1024 * 1024 + 10),
                   headers={"Content-Type": "application/json"}),
    ):
        check_response(shared_dir, spec, resp)
    try:
        for settings in ({"error503": 1}, {"error429": 1}, {"error500": 1}):
            sandbox.admin("faults", settings)
            resp = dcs_single(sandbox, w.inlet, good)
            assert resp.status_code in (503, 429, 500)
            body = resp.json()
            assert body["status"] == resp.status_code and body["report"]["message"]
    finally:
        sandbox.admin("faults", {})


def test_profile_responses_match_the_spec(sandbox, plat, shared_dir):
    w = Loyalty.create(plat)
    spec = "profile.yaml"
    t = plat.tenant
    member = f"{unique('c')}@example.com"
    dcs_single(sandbox, w.inlet, w.envelope({f"_{t}": {"loyaltyID": member}}))
    dcs_single(sandbox, w.inlet, w.envelope({f"_{t}": {"loyaltyID": member}, "_id": "c-1",
                                             "timestamp": "2024-01-01T00:00:00Z"}, event=True))
    policies = plat.get("/data/core/ups/config/mergePolicies")
    for resp in (
        profile_get(plat, member),
        profile_get(plat, member, fields="identities"),
        profile_get(plat, "nobody@example.com"),
        profile_get(plat, member, mergePolicyId="nope"),
        events_get(plat, member),
        events_get(plat, member, limit="x"),
        plat.get("/data/core/ups/access/entities", params={"schema.name": "_xdm.context.profile"}),
        plat.post("/data/core/ups/access/entities", json={"schema": {"name": "_xdm.context.profile"},
                                                          "identities": [{"entityId": member,
                                                                          "entityIdNS": {"code": "Email"}}]}),
        plat.post("/data/core/ups/access/entities", json={"schema": {"name": "_xdm.context.profile"},
                                                          "identities": [{"entityId": "no@example.com",
                                                                          "entityIdNS": {"code": "Email"}}]}),
        policies,
        plat.get(f"/data/core/ups/config/mergePolicies/{policies.json()['children'][0]['id']}"),
    ):
        check_response(shared_dir, spec, resp)
    try:
        sandbox.admin("faults", {"error429": 1, "scope": "all"})
        resp = profile_get(plat, member)
        assert resp.status_code == 429
        check_response(shared_dir, spec, resp)
    finally:
        sandbox.admin("faults", {})


def test_data_access_responses_match_the_spec(sandbox, plat, shared_dir):
    w = Loyalty.create(plat)
    spec = "data-access.yaml"
    t = plat.tenant
    dcs_batch(sandbox, w.inlet, [w.envelope({f"_{t}": {"loyaltyID": f"{unique('c')}@example.com"}}),
                                 w.envelope({f"_{t}": {"loyaltyID": 7}})])
    (batch_id,) = sandbox.admin("datalake/flush", {"datasetId": w.profile_ds})["closed"]
    files = plat.get(f"/data/foundation/export/batches/{batch_id}/files")
    file_id = files.json()["data"][0]["dataSetFileId"]
    for resp in (
        files,
        plat.get(f"/data/foundation/export/files/{file_id}"),
        plat.get(f"/data/foundation/export/files/{file_id}-nope"),
        plat.get(f"/data/foundation/export/batches/{batch_id}/failed"),
        plat.get(f"/data/foundation/export/batches/{batch_id}/meta"),
        plat.get(f"/data/foundation/export/batches/{batch_id}/meta", params={"path": "nope"}),
        plat.get(f"/data/foundation/export/datasets/{w.profile_ds}/preview"),
        plat.get("/data/foundation/export/datasets/000000000000000000000000/preview"),
    ):
        check_response(shared_dir, spec, resp)
