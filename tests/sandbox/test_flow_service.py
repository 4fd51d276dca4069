"""Flow Service: streaming base connection (legacy providerId form and HTTP API form), source/target
connections, flows, specs, etag/If-Match, DELETE; the legacy inlet API."""

from __future__ import annotations

import re

import pytest

from .helpers import unique
from .test_catalog_identity import make_dataset
from .test_schema_registry import PERSON, PROFILE, make_schema

FS = "/data/foundation/flowservice"
STREAMING = "bc7b00d6-623a-4dfc-9fdb-f1240aeadaeb"
DATALAKE = "c604ff05-7f1a-43c0-8e18-33bf874cb11c"
FLOWSPEC = "d8a6f005-7eaf-4153-983e-e8574508b877"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def make_connection(platform, auth_required=None, data_type="xdm"):
    params = {"dataType": data_type}
    if auth_required is not None:
        params.update(
            {"sourceId": unique("src"), "name": unique("n"), "authenticationRequired": auth_required}
        )
    r = platform.post(
        f"{FS}/connections",
        json={
            "name": unique("conn"),
            "description": "d",
            "connectionSpec": {"id": STREAMING, "version": "1.0"},
            "auth": {"specName": "Streaming Connection", "params": params},
        },
    )
    assert r.status_code == 201, r.text
    return r.json()


def make_route(platform):
    """base → source → target → flow; returns ids."""
    conn = make_connection(platform)
    schema = make_schema(platform, PROFILE, PERSON, union=True)
    ds_id = make_dataset(platform, schema_id=schema["$id"])
    src = platform.post(
        f"{FS}/sourceConnections",
        json={
            "name": unique("src"),
            "baseConnectionId": conn["id"],
            "connectionSpec": {"id": STREAMING, "version": "1.0"},
        },
    )
    assert src.status_code == 201, src.text
    tgt = platform.post(
        f"{FS}/targetConnections",
        json={
            "name": unique("tgt"),
            "data": {
                "schema": {"id": schema["$id"], "version": "application/vnd.adobe.xed-full+json;version=1.0"}
            },
            "params": {"dataSetId": ds_id},
            "connectionSpec": {"id": DATALAKE, "version": "1.0"},
        },
    )
    assert tgt.status_code == 201, tgt.text
    flow = platform.post(
        f"{FS}/flows",
        json={
            "name": unique("flow"),
            "flowSpec": {"id": FLOWSPEC, "version": "1.0"},
            "sourceConnectionIds": [src.json()["id"]],
            "targetConnectionIds": [tgt.json()["id"]],
        },
    )
    assert flow.status_code == 201, flow.text
    return {
        "conn": conn["id"],
        "src": src.json()["id"],
        "tgt": tgt.json()["id"],
        "flow": flow.json()["id"],
        "dataset": ds_id,
        "schema": schema["$id"],
    }


def test_legacy_streaming_connection(platform, sandbox):
    r = platform.post(
        f"{FS}/connections",
        json={
            "name": "Sample name",
            "providerId": "521eee4d-8cbe-4906-bb48-fb6bd4450033",
            "description": "Sample description",
            "connectionSpec": {"id": STREAMING, "version": "1.0"},
            "auth": {
                "specName": "Streaming Connection",
                "params": {"sourceId": "Sample connection", "dataType": "xdm", "name": "Sample connection"},
            },
        },
    )
    assert r.status_code == 201
    body = r.json()
    assert UUID.match(body["id"]) and body["etag"].startswith('"') and body["etag"].endswith('"')
    got = platform.get(f"{FS}/connections/{body['id']}")
    item = got.json()["items"][0]
    for key in (
        "id",
        "name",
        "description",
        "createdAt",
        "updatedAt",
        "createdBy",
        "updatedBy",
        "createdClient",
        "updatedClient",
        "connectionSpec",
        "state",
        "auth",
        "version",
        "etag",
        "sandboxName",
        "imsOrgId",
    ):
        assert key in item, key
    p = item["auth"]["params"]
    assert re.fullmatch(r"[0-9a-f]{64}", p["inletId"])
    assert p["inletUrl"] == f"{sandbox.urls.streaming}/collection/{p['inletId']}"
    assert p["sourceId"] == "Sample connection" and p["dataType"] == "xdm"
    assert item["etag"] == body["etag"] and item["state"] == "enabled"


def test_authenticated_connection_params(platform):
    conn = make_connection(platform, auth_required=True)
    p = platform.get(f"{FS}/connections/{conn['id']}").json()["items"][0]["auth"]["params"]
    assert p["authenticationRequired"] is True
    raw = make_connection(platform, data_type="raw")
    assert (
        platform.get(f"{FS}/connections/{raw['id']}").json()["items"][0]["auth"]["params"]["dataType"]
        == "raw"
    )


def test_http_api_route(platform):
    ids = make_route(platform)
    f = platform.get(f"{FS}/flows/{ids['flow']}").json()["items"][0]
    assert f["flowSpec"]["id"] == FLOWSPEC and f["targetConnectionIds"] == [ids["tgt"]]
    inh = f["inheritedAttributes"]
    assert inh["sourceConnections"][0]["baseConnection"]["id"] == ids["conn"]
    assert (
        platform.get(f"{FS}/sourceConnections/{ids['src']}").json()["items"][0]["baseConnectionId"]
        == ids["conn"]
    )
    tgt = platform.get(f"{FS}/targetConnections/{ids['tgt']}").json()["items"][0]
    assert tgt["params"]["dataSetId"] == ids["dataset"]
    listed = platform.get(f"{FS}/flows").json()["items"]
    assert ids["flow"] in {x["id"] for x in listed}
    filtered = platform.get(
        f"{FS}/sourceConnections", params={"property": f"baseConnectionId=={ids['conn']}"}
    ).json()
    assert [x["id"] for x in filtered["items"]] == [ids["src"]]
    act = platform.post(f"{FS}/flows/{ids['flow']}/action", params={"op": "disable"})
    assert act.status_code == 200
    assert platform.get(f"{FS}/flows/{ids['flow']}").json()["items"][0]["state"] == "disabled"


@pytest.mark.parametrize(
    ("path", "body", "fragment"),
    [
        ("connections", {"name": "x", "connectionSpec": {"id": "nope"}}, "not a known spec"),
        ("connections", {"connectionSpec": {"id": STREAMING}}, "'name' is required"),
        ("connections", {"name": "x", "connectionSpec": {"id": DATALAKE}}, "cannot be used here"),
        (
            "connections",
            {
                "name": "x",
                "connectionSpec": {"id": STREAMING},
                "auth": {"specName": "Streaming Connection", "params": {"dataType": "csv"}},
            },
            "dataType",
        ),
        (
            "sourceConnections",
            {
                "name": "x",
                "baseConnectionId": "00000000-0000-0000-0000-000000000000",
                "connectionSpec": {"id": STREAMING},
            },
            "is not a connection",
        ),
        (
            "targetConnections",
            {
                "name": "x",
                "data": {"schema": {"id": "s"}},
                "params": {"dataSetId": "none"},
                "connectionSpec": {"id": DATALAKE},
            },
            "is not a dataset",
        ),
        (
            "targetConnections",
            {"name": "x", "data": {"schema": {"id": "s"}}, "connectionSpec": {"id": DATALAKE}},
            "dataSetId",
        ),
        (
            "flows",
            {
                "name": "x",
                "flowSpec": {"id": FLOWSPEC},
                "sourceConnectionIds": ["a"],
                "targetConnectionIds": ["b"],
            },
            "not a source connection",
        ),
        (
            "flows",
            {
                "name": "x",
                "flowSpec": {"id": "zzz"},
                "sourceConnectionIds": ["a"],
                "targetConnectionIds": ["b"],
            },
            "not a known spec",
        ),
        ("flows", {"name": "x", "flowSpec": {"id": FLOWSPEC}}, "'sourceConnectionIds' is required"),
    ],
)
def test_create_invalid(platform, path, body, fragment):
    r = platform.post(f"{FS}/{path}", json=body)
    assert r.status_code == 400, r.text
    assert fragment in r.json()["detail"] and r.json()["status"] == 400


def test_target_schema_must_match_dataset(platform):
    ds_id = make_dataset(platform)
    other = make_schema(platform, PROFILE)
    r = platform.post(
        f"{FS}/targetConnections",
        json={
            "name": "t",
            "data": {"schema": {"id": other["$id"], "version": "1.0"}},
            "params": {"dataSetId": ds_id},
            "connectionSpec": {"id": DATALAKE, "version": "1.0"},
        },
    )
    assert r.status_code == 400 and "differs" in r.json()["detail"]


def test_etag_if_match_patch_delete(platform):
    conn = make_connection(platform)
    url = f"{FS}/connections/{conn['id']}"
    ops = [{"op": "replace", "path": "/name", "value": "renamed"}]
    assert platform.patch(url, json=ops).status_code == 400  # If-Match required
    r = platform.patch(url, json=ops, headers={"If-Match": '"stale"'})
    assert r.status_code == 412 and "does not match" in r.json()["errorMessage"]
    r = platform.patch(url, json=ops, headers={"If-Match": conn["etag"]})
    assert r.status_code == 200 and r.json()["etag"] != conn["etag"]
    item = platform.get(url).json()["items"][0]
    assert item["name"] == "renamed" and item["etag"] == r.json()["etag"]
    bad = platform.patch(
        url,
        json=[{"op": "replace", "path": "/auth/params/inletId", "value": "0" * 64}],
        headers={"If-Match": item["etag"]},
    )
    assert bad.status_code == 400
    assert platform.delete(url, headers={"If-Match": '"stale"'}).status_code == 412
    assert platform.delete(url, headers={"If-Match": item["etag"]}).status_code == 204
    assert platform.get(url).status_code == 404
    assert platform.delete(url).status_code == 404


def test_specs(platform):
    cs = platform.get(f"{FS}/connectionSpecs").json()["items"]
    assert {STREAMING, DATALAKE} <= {s["id"] for s in cs}
    one = platform.get(f"{FS}/connectionSpecs/{STREAMING}").json()["items"][0]
    assert one["providerId"] == "521eee4d-8cbe-4906-bb48-fb6bd4450033"
    by_name = platform.get(f"{FS}/connectionSpecs", params={"property": "name==http-connector"}).json()[
        "items"
    ]
    assert [s["id"] for s in by_name] == [STREAMING]
    fs = platform.get(f"{FS}/flowSpecs/{FLOWSPEC}").json()["items"][0]
    assert STREAMING in fs["sourceConnectionSpecIds"] and DATALAKE in fs["targetConnectionSpecIds"]
    assert platform.get(f"{FS}/flowSpecs/c1a19761-d2c7-4702-b9fa-fe91f0613e81").status_code == 200
    assert platform.get(f"{FS}/flowSpecs/unknown").status_code == 404
    assert platform.get(f"{FS}/connectionSpecs/unknown").status_code == 404


def test_legacy_inlet_api(platform, sandbox):
    r = platform.post(
        "/data/core/edge/inlet",
        json={
            "name": unique("inlet"),
            "description": "d",
            "sourceId": "s",
            "dataType": "xdm",
            "authenticationRequired": False,
        },
    )
    assert r.status_code == 201, r.text
    inlet = r.json()
    assert re.fullmatch(r"[0-9a-f]{64}", inlet["inletId"]) and inlet["validationRequired"] is True
    assert inlet["inletUrl"] == f"{sandbox.urls.streaming}/collection/{inlet['inletId']}"
    assert inlet["createdAt"].endswith("Z") and inlet["imsOrg"] == platform.creds.org_id
    listed = platform.get("/data/core/edge/inlet").json()
    assert listed["total"] == len(listed["items"]) and inlet["inletId"] in {
        i["inletId"] for i in listed["items"]
    }
    assert platform.get(f"/data/core/edge/inlet/{inlet['inletId']}").status_code == 200
    assert platform.post("/data/core/edge/inlet", json={"dataType": "xdm"}).status_code == 400
    assert platform.delete(f"/data/core/edge/inlet/{inlet['inletId']}").status_code == 204
    assert platform.get(f"/data/core/edge/inlet/{inlet['inletId']}").status_code == 404
