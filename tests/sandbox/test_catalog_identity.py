"""Catalog datasets and batches; Identity Service namespaces."""

from __future__ import annotations

import pytest

from .helpers import unique
from .test_schema_registry import PERSON, PROFILE, make_schema

CAT = "/data/foundation/catalog"
XFULL = "application/vnd.adobe.xed-full+json;version=1"


def make_dataset(platform, schema_id=None, tags=None, name=None, expect=201):
    schema_id = schema_id or make_schema(platform, PROFILE, PERSON, union=True)["$id"]
    body = {
        "name": name or unique("ds"),
        "description": "test",
        "schemaRef": {"id": schema_id, "contentType": XFULL},
    }
    if tags is not None:
        body["tags"] = tags
    r = platform.post(f"{CAT}/dataSets", json=body)
    assert r.status_code == expect, r.text
    return r.json()[0].removeprefix("@/dataSets/") if expect == 201 else r


def test_dataset_create_get(platform):
    s = make_schema(platform, PROFILE, PERSON, union=True)
    r = platform.post(
        f"{CAT}/dataSets",
        json={
            "name": unique("ds"),
            "schemaRef": {"id": s["$id"], "contentType": XFULL},
            "tags": {"unifiedIdentity": ["enabled:true"], "unifiedProfile": ["enabled: true"]},
        },
    )
    assert r.status_code == 201
    (ref,) = r.json()
    assert ref.startswith("@/dataSets/")
    ds_id = ref.removeprefix("@/dataSets/")
    assert r.headers["location"].endswith(f"/dataSets/{ds_id}")
    got = platform.get(f"{CAT}/dataSets/{ds_id}")
    assert got.status_code == 200 and list(got.json()) == [ds_id]
    doc = got.json()[ds_id]
    for key in (
        "version",
        "imsOrg",
        "name",
        "created",
        "updated",
        "createdClient",
        "createdUser",
        "tags",
        "viewId",
        "basePath",
        "files",
        "schemaRef",
    ):
        assert key in doc, key
    assert doc["schemaRef"]["id"] == s["$id"] and doc["imsOrg"] == platform.creds.org_id
    assert doc["tags"]["unifiedProfile"] == ["enabled: true"]
    only = platform.get(f"{CAT}/dataSets/{ds_id}", params={"properties": "name,tags"}).json()[ds_id]
    assert set(only) == {"name", "tags"}
    # lower-case legacy alias
    assert platform.get(f"{CAT}/datasets/{ds_id}").status_code == 200


def test_dataset_list(platform):
    ids = [make_dataset(platform) for _ in range(3)]
    listed = platform.get(f"{CAT}/dataSets", params={"limit": 100}).json()
    assert set(ids) <= set(listed)
    one = platform.get(f"{CAT}/dataSets", params={"limit": 1}).json()
    assert len(one) == 1
    desc = platform.get(f"{CAT}/dataSets", params={"orderBy": "desc:created", "limit": 1}).json()
    assert list(desc) == [ids[-1]]
    name = platform.get(f"{CAT}/dataSets/{ids[0]}").json()[ids[0]]["name"]
    assert list(platform.get(f"{CAT}/dataSets", params={"name": name}).json()) == [ids[0]]
    assert platform.get(f"{CAT}/dataSets", params={"limit": 1000}).status_code == 400
    assert platform.get(f"{CAT}/dataSets", params={"orderBy": "sideways"}).status_code == 400


def test_dataset_patch_tags_merge_and_json_patch(platform):
    ds_id = make_dataset(platform)
    r = platform.patch(f"{CAT}/dataSets/{ds_id}", json={"tags": {"unifiedProfile": ["enabled:true"]}})
    assert r.status_code == 200 and r.json() == [f"@/dataSets/{ds_id}"]
    r = platform.patch(
        f"{CAT}/dataSets/{ds_id}",
        json=[{"op": "add", "path": "/tags/unifiedIdentity", "value": ["enabled:true"]}],
        headers={"Content-Type": "application/json-patch+json"},
    )
    assert r.status_code == 200, r.text
    tags = platform.get(f"{CAT}/dataSets/{ds_id}").json()[ds_id]["tags"]
    user_tags = {k: v for k, v in tags.items() if not k.startswith("adobe/")}
    assert user_tags == {"unifiedProfile": ["enabled:true"], "unifiedIdentity": ["enabled:true"]}
    assert len(tags["adobe/pqs/table"]) == 1  # the dataset keeps its Query Service table through a patch
    r = platform.patch(f"{CAT}/dataSets/{ds_id}", json=[{"op": "remove", "path": "/tags/nothing"}])
    assert r.status_code == 400 and "does not exist" in r.json()["detail"]
    r = platform.patch(f"{CAT}/dataSets/{ds_id}", json={"imsOrg": "HACK@AdobeOrg", "description": "new"})
    assert r.status_code == 200
    doc = platform.get(f"{CAT}/dataSets/{ds_id}").json()[ds_id]
    assert doc["imsOrg"] == platform.creds.org_id and doc["description"] == "new"


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"schemaRef": {"id": "x", "contentType": XFULL}}, 400, "'name' is required"),
        (
            {
                "name": "n1",
                "schemaRef": {
                    "id": "https://ns.adobe.com/exchangeinternal/schemas/none",
                    "contentType": XFULL,
                },
            },
            400,
            "is not a schema",
        ),
        ({"name": "n2", "schemaRef": {"id": PROFILE, "contentType": "application/json"}}, 400, "contentType"),
        ({"name": "n3", "schemaRef": "x"}, 400, "'schemaRef' must be"),
        ({"name": "n4", "tags": {"unifiedProfile": "enabled:true"}}, 400, "'tags' must be"),
    ],
)
def test_dataset_invalid(platform, body, status, fragment):
    r = platform.post(f"{CAT}/dataSets", json=body)
    assert r.status_code == status, r.text
    assert fragment in r.json()["detail"] and r.json()["status"] == status


def test_dataset_duplicate_unknown_delete(platform):
    name = unique("ds")
    ds_id = make_dataset(platform, name=name)
    r = make_dataset(platform, name=name, expect=409)
    assert ds_id in r.json()["detail"]
    assert platform.get(f"{CAT}/dataSets/000000000000000000000000").status_code == 404
    assert platform.patch(f"{CAT}/dataSets/000000000000000000000000", json={"name": "x"}).status_code == 404
    r = platform.post(f"{CAT}/dataSets", content=b"{", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert (
        platform.post(f"{CAT}/dataSets", content=b"{}", headers={"Content-Type": "text/csv"}).status_code
        == 400
    )
    assert platform.delete(f"{CAT}/dataSets/{ds_id}").status_code == 200
    assert platform.get(f"{CAT}/dataSets/{ds_id}").status_code == 404


def test_schema_in_use_by_dataset_cannot_be_deleted(platform):
    from urllib.parse import quote

    s = make_schema(platform, PROFILE)
    ds_id = make_dataset(platform, schema_id=s["$id"])
    r = platform.delete(f"/data/foundation/schemaregistry/tenant/schemas/{quote(s['$id'], safe='')}")
    assert r.status_code == 409 and ds_id in r.json()["detail"]


def test_batches_empty_and_unknown(platform):
    ds_id = make_dataset(platform)
    r = platform.get(f"{CAT}/batches", params={"dataSet": ds_id})
    assert r.status_code == 200 and r.json() == {}
    assert platform.get(f"{CAT}/batches/01HZZZZZZZZZZZZZZZZZZZZZZZ").status_code == 404


# --- identity namespaces -------------------------------------------------------------------------

ID = "/data/core/idnamespace/identities"


def test_standard_namespaces(platform):
    r = platform.get(ID)
    assert r.status_code == 200 and isinstance(r.json(), list)
    by_code = {n["code"]: n for n in r.json()}
    for code, id_ in (("Email", 6), ("Phone", 7), ("ECID", 4), ("CORE", 0), ("IDFA", 20915), ("GAID", 20914)):
        assert by_code[code]["id"] == id_ and by_code[code]["custom"] is False
    assert "CRMID" in by_code
    assert set(by_code["ECID"]) >= {
        "updateTime",
        "code",
        "status",
        "description",
        "id",
        "createTime",
        "idType",
        "name",
        "custom",
    }
    assert platform.get(f"{ID}/6").json()["code"] == "Email"
    assert platform.get(f"{ID}/email").json()["code"] == "Email"
    assert platform.get(f"{ID}/99999").status_code == 404


def test_custom_namespace(platform, other_platform):
    code = unique("ns").replace("-", "")
    r = platform.post(
        ID, json={"name": f"Name {code}", "code": code, "idType": "Cross_device", "description": "d"}
    )
    assert r.status_code == 200, r.text
    ns = r.json()
    assert ns["custom"] is True and ns["idType"] == "CROSS_DEVICE" and ns["code"] == code
    assert code in {n["code"] for n in platform.get(ID).json()}
    dup = platform.post(ID, json={"name": "another", "code": code.upper(), "idType": "Email"})
    assert dup.status_code == 409 and "namespacevalidation" in dup.json()["type"]
    assert platform.post(ID, json={"name": "x", "code": "Email", "idType": "Email"}).status_code == 409
    # not visible to another org, nor in another sandbox
    assert code not in {n["code"] for n in other_platform.get(ID).json()}
    from .helpers import Platform

    dev = Platform(platform.proc, sandbox_name="dev")
    assert code not in {n["code"] for n in dev.get(ID).json()}


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"name": "a", "idType": "Email"}, "'code' is required"),
        ({"name": "a", "code": "abc1", "idType": "Telepathy"}, "idType"),
        ({"name": "a", "code": "a b", "idType": "Email"}, "may contain only"),
    ],
)
def test_custom_namespace_invalid(platform, body, fragment):
    r = platform.post(ID, json=body)
    assert r.status_code == 400 and fragment in r.json()["detail"]
