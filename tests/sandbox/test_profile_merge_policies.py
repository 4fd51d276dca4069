"""Merge policies (``/data/core/ups/config/mergePolicies``): the default policy ("most recently ingested
wins", identity stitching on) is listed and fetched in the documented shape, and ``mergePolicyId`` on
``/access/entities`` is honoured: the listed id works, an unknown one is AEP's 422 ``UPLIB-101221-404``."""

from __future__ import annotations

from .helpers import unique
from .ingestion_setup import Loyalty, check_contract, check_response, dcs_single, events_get, profile_get

SPEC = "profile.yaml"
UPLIB = "http://ns.adobe.com/aep/errors/UPLIB-101221-404"


def test_list_and_fetch_the_default_policy(platform, other_platform, shared_dir):
    resp = platform.get("/data/core/ups/config/mergePolicies")
    check_response(shared_dir, SPEC, resp)
    body = resp.json()
    (policy,) = body["children"]
    assert body["_page"]["count"] == body["_page"]["totalCount"] == 1
    assert policy["default"] is True and policy["schema"] == {"name": "_xdm.context.profile"}
    assert policy["attributeMerge"] == {"type": "timestampOrdered"}  # most recently ingested wins
    assert policy["identityGraph"] == {"type": "pdg"}  # identity stitching on
    assert policy["imsOrgId"] == platform.creds.org_id and policy["sandbox"]["sandboxName"] == platform.sandbox_name

    for params, expected in (({"default": "true"}, [policy]), ({"schema.name": "_xdm.context.profile"}, [policy]),
                             ({"default": "false"}, []), ({"schema.name": "_xdm.context.experienceevent"}, [])):
        resp = platform.get("/data/core/ups/config/mergePolicies", params=params)
        check_response(shared_dir, SPEC, resp)
        assert resp.json()["children"] == expected, params

    one = platform.get(f"/data/core/ups/config/mergePolicies/{policy['id']}")
    check_response(shared_dir, SPEC, one)
    assert one.json() == policy
    missing = platform.get("/data/core/ups/config/mergePolicies/00000000-0000-0000-0000-000000000000")
    check_response(shared_dir, SPEC, missing)
    assert missing.status_code == 404 and "00000000-0000-0000-0000-000000000000" in missing.text

    # policies belong to their org and sandbox
    other = other_platform.get("/data/core/ups/config/mergePolicies").json()["children"][0]
    assert other["id"] != policy["id"]
    assert other_platform.get(f"/data/core/ups/config/mergePolicies/{policy['id']}").status_code == 404


def test_merge_policy_id_on_access_entities(sandbox, platform, shared_dir):
    w = Loyalty.create(platform)
    t = platform.tenant
    email = f"{unique('mp')}@example.com"
    assert dcs_single(sandbox, w.inlet, w.envelope({f"_{t}": {"loyaltyID": email}})).status_code == 200
    event = {f"_{t}": {"loyaltyID": email}, "_id": unique("ev"), "timestamp": "2024-01-01T00:00:00Z"}
    assert dcs_single(sandbox, w.inlet, w.envelope(event, event=True)).status_code == 200
    policy_id = platform.get("/data/core/ups/config/mergePolicies").json()["children"][0]["id"]

    resp = profile_get(platform, email, mergePolicyId=policy_id)
    assert resp.status_code == 200 and next(iter(resp.json().values()))["mergePolicy"] == {"id": policy_id}
    assert events_get(platform, email, mergePolicyId=policy_id).status_code == 200
    post = {"schema": {"name": "_xdm.context.profile"}, "mergePolicyId": policy_id,
            "identities": [{"entityId": email, "entityIdNS": {"code": "Email"}}]}
    assert platform.post("/data/core/ups/access/entities", json=post).status_code == 200

    unknown = "5f4c4d1e-0000-4000-8000-00000000beef"
    for resp in (profile_get(platform, email, mergePolicyId=unknown), events_get(platform, email, mergePolicyId=unknown),
                 platform.post("/data/core/ups/access/entities", json={**post, "mergePolicyId": unknown})):
        assert resp.status_code == 422, resp.text
        body = resp.json()
        assert body["type"] == UPLIB and body["statusCode"] == "422" and body["status"] == 422
        assert body["message"].startswith("UPLIB-101221-404: ") and unknown in body["message"]
        assert policy_id in body["cause"]  # names the policies that exist
        check_contract(shared_dir, SPEC, "ResponseErrorContext", body)
    # an unknown policy is refused even when the profile does not exist (the parameter is checked first)
    assert profile_get(platform, "nobody@example.com", mergePolicyId=unknown).json()["type"] == UPLIB
