"""The issue's "Done when", with plain HTTP: token → profile schema (union) → identity descriptor →
Profile-enabled dataset → streaming connection (legacy form and the HTTP API route) → dataflow."""

from __future__ import annotations

from urllib.parse import quote

import httpx

from .helpers import XED_FULL_V1


def test_done_when_walkthrough(sandbox):
    c = sandbox.credentials
    tok = httpx.post(
        f"{sandbox.urls.ims}/ims/token/v3",
        data={
            "grant_type": "client_credentials",
            "client_id": c.client_id,
            "client_secret": c.client_secret,
            "scope": c.scopes,
        },
    )
    assert tok.status_code == 200, tok.text
    assert tok.json()["token_type"] == "bearer" and tok.json()["expires_in"] == 86399
    h = {
        "Authorization": f"Bearer {tok.json()['access_token']}",
        "x-api-key": c.client_id,
        "x-gw-ims-org-id": c.org_id,
        "x-sandbox-name": "prod",
    }
    api = httpx.Client(base_url=sandbox.urls.platform, headers=h, timeout=30)
    sr = "/data/foundation/schemaregistry"

    stats = api.get(f"{sr}/stats")
    assert stats.status_code == 200 and stats.json()["tenantId"] == "exchangeinternal"

    schema = api.post(
        f"{sr}/tenant/schemas",
        json={
            "type": "object",
            "title": "Walkthrough profile schema",
            "description": "done-when",
            "allOf": [
                {"$ref": "https://ns.adobe.com/xdm/context/profile"},
                {"$ref": "https://ns.adobe.com/xdm/context/profile-person-details"},
                {"$ref": "https://ns.adobe.com/xdm/context/profile-work-details"},
            ],
            "meta:immutableTags": ["union"],
        },
    )
    assert schema.status_code == 201, schema.text
    s = schema.json()
    assert s["$id"].startswith("https://ns.adobe.com/exchangeinternal/schemas/")
    assert s["meta:altId"].startswith("_exchangeinternal.schemas.")
    assert s["meta:class"] == "https://ns.adobe.com/xdm/context/profile"
    assert s["version"] == "1.0" and s["meta:immutableTags"] == ["union"] and s["imsOrg"] == c.org_id

    full = api.get(f"{sr}/tenant/schemas/{quote(s['$id'], safe='')}", headers={"Accept": XED_FULL_V1})
    assert full.status_code == 200, full.text
    assert "workEmail" in full.json()["properties"] and "person" in full.json()["properties"]

    desc = api.post(
        f"{sr}/tenant/descriptors",
        json={
            "@type": "xdm:descriptorIdentity",
            "xdm:sourceSchema": s["$id"],
            "xdm:sourceVersion": 1,
            "xdm:sourceProperty": "/workEmail/address",
            "xdm:namespace": "Email",
            "xdm:property": "xdm:code",
            "xdm:isPrimary": True,
        },
    )
    assert desc.status_code == 201, desc.text
    assert len(desc.json()["@id"]) == 48 and desc.json()["meta:containerId"] == "tenant"

    ds = api.post(
        "/data/foundation/catalog/dataSets",
        json={
            "name": "Walkthrough dataset",
            "description": "done-when",
            "schemaRef": {"id": s["$id"], "contentType": "application/vnd.adobe.xed-full+json;version=1"},
            "tags": {"unifiedIdentity": ["enabled:true"], "unifiedProfile": ["enabled:true"]},
        },
    )
    assert ds.status_code == 201, ds.text
    ds_id = ds.json()[0].removeprefix("@/dataSets/")
    assert len(ds_id) == 24
    got = api.get(f"/data/foundation/catalog/dataSets/{ds_id}").json()
    assert got[ds_id]["tags"]["unifiedProfile"] == ["enabled:true"]

    conn = api.post(
        "/data/foundation/flowservice/connections",
        json={
            "name": "Walkthrough connection",
            "providerId": "521eee4d-8cbe-4906-bb48-fb6bd4450033",
            "description": "done-when",
            "connectionSpec": {"id": "bc7b00d6-623a-4dfc-9fdb-f1240aeadaeb", "version": "1.0"},
            "auth": {
                "specName": "Streaming Connection",
                "params": {
                    "sourceId": "Walkthrough connection",
                    "dataType": "xdm",
                    "name": "Walkthrough connection",
                },
            },
        },
    )
    assert conn.status_code == 201, conn.text
    assert set(conn.json()) == {"id", "etag"}
    item = api.get(f"/data/foundation/flowservice/connections/{conn.json()['id']}").json()["items"][0]
    params = item["auth"]["params"]
    assert len(params["inletId"]) == 64 and int(params["inletId"], 16) >= 0
    assert params["inletUrl"] == f"{sandbox.urls.streaming}/collection/{params['inletId']}"

    fs = "/data/foundation/flowservice"
    src = api.post(
        f"{fs}/sourceConnections",
        json={
            "name": "Walkthrough source",
            "baseConnectionId": conn.json()["id"],
            "connectionSpec": {"id": "bc7b00d6-623a-4dfc-9fdb-f1240aeadaeb", "version": "1.0"},
        },
    )
    assert src.status_code == 201, src.text
    tgt = api.post(
        f"{fs}/targetConnections",
        json={
            "name": "Walkthrough target",
            "data": {
                "schema": {"id": s["$id"], "version": "application/vnd.adobe.xed-full+json;version=1.0"}
            },
            "params": {"dataSetId": ds_id},
            "connectionSpec": {"id": "c604ff05-7f1a-43c0-8e18-33bf874cb11c", "version": "1.0"},
        },
    )
    assert tgt.status_code == 201, tgt.text
    flow = api.post(
        f"{fs}/flows",
        json={
            "name": "Walkthrough flow",
            "flowSpec": {"id": "d8a6f005-7eaf-4153-983e-e8574508b877", "version": "1.0"},
            "sourceConnectionIds": [src.json()["id"]],
            "targetConnectionIds": [tgt.json()["id"]],
        },
    )
    assert flow.status_code == 201, flow.text
    f = api.get(f"{fs}/flows/{flow.json()['id']}").json()["items"][0]
    assert f["sourceConnectionIds"] == [src.json()["id"]] and f["state"] == "enabled"
    api.close()
