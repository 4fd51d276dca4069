"""Schema Registry: global/tenant containers, Accept rules, create/patch/put/delete, field groups
(+ legacy mixins), descriptors, unions, bad input."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from .helpers import XED, XED_FULL_V1, XED_ID, XED_V1, unique

SR = "/data/foundation/schemaregistry"
PROFILE = "https://ns.adobe.com/xdm/context/profile"
EVENT = "https://ns.adobe.com/xdm/context/experienceevent"
PERSON = "https://ns.adobe.com/xdm/context/profile-person-details"
PERSONAL = "https://ns.adobe.com/xdm/context/profile-personal-details"
WORK = "https://ns.adobe.com/xdm/context/profile-work-details"
WEB = "https://ns.adobe.com/xdm/context/experienceevent-web"
IDMAP = "https://ns.adobe.com/xdm/context/identitymap"


def enc(ref: str) -> str:
    return quote(ref, safe="")


def make_schema(platform, *refs, title=None, union=False, expect=201):
    body = {"type": "object", "title": title or unique("schema"), "allOf": [{"$ref": r} for r in refs]}
    if union:
        body["meta:immutableTags"] = ["union"]
    r = platform.post(f"{SR}/tenant/schemas", json=body)
    assert r.status_code == expect, r.text
    return r.json()


def make_field_group(platform, fields: dict, intended=(PROFILE,), title=None):
    name = unique("fg")
    body = {
        "type": "object",
        "title": title or name,
        "description": "test field group",
        "meta:intendedToExtend": list(intended),
        "definitions": {
            "custom": {"properties": {f"_{platform.tenant}": {"type": "object", "properties": fields}}}
        },
        "allOf": [{"$ref": "#/definitions/custom"}],
    }
    r = platform.post(f"{SR}/tenant/fieldgroups", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_stats(platform):
    r = platform.get(f"{SR}/stats")
    assert r.status_code == 200
    body = r.json()
    assert body["imsOrg"] == platform.creds.org_id and body["tenantId"] == "exchangeinternal"
    assert set(body["counts"]) >= {"schemas", "mixins", "datatypes", "classes", "unions"}
    assert isinstance(body["recentlyCreatedResources"], list) and isinstance(body["classUsage"], list)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("classes", {PROFILE, EVENT}),
        (
            "fieldgroups",
            {
                IDMAP,
                PERSON,
                PERSONAL,
                WORK,
                WEB,
                "https://ns.adobe.com/xdm/context/experienceevent-commerce",
                "https://ns.adobe.com/xdm/context/experienceevent-environment-details",
                "https://ns.adobe.com/xdm/mixins/profile/profile-loyalty-details",
            },
        ),
        ("mixins", {IDMAP, PERSON}),
        (
            "datatypes",
            {"https://ns.adobe.com/xdm/context/person", "https://ns.adobe.com/xdm/context/emailaddress"},
        ),
        ("behaviors", {"https://ns.adobe.com/xdm/data/record", "https://ns.adobe.com/xdm/data/time-series"}),
    ],
)
def test_global_lists(platform, kind, expected):
    r = platform.get(f"{SR}/global/{kind}", headers={"Accept": XED_ID})
    assert r.status_code == 200, r.text
    ids = {x["$id"] for x in r.json()["results"]}
    assert expected <= ids
    assert set(r.json()["results"][0]) == {"$id", "meta:altId", "version", "title"}
    full = platform.get(f"{SR}/global/{kind}", headers={"Accept": XED})
    assert full.status_code == 200 and "meta:resourceType" in full.json()["results"][0]


def test_list_paging_and_filter(platform):
    r = platform.get(
        f"{SR}/global/fieldgroups",
        headers={"Accept": XED_ID},
        params={"limit": 2, "property": f"meta:intendedToExtend=={EVENT}"},
    )
    body = r.json()
    assert body["_page"]["count"] == 2 and body["_page"]["next"] == "2"
    all_ = platform.get(
        f"{SR}/global/fieldgroups",
        headers={"Accept": XED},
        params={"property": f"meta:intendedToExtend=={EVENT}"},
    ).json()["results"]
    assert all(EVENT in fg["meta:intendedToExtend"] for fg in all_)
    assert platform.get(f"{SR}/global/fieldgroups", params={"limit": 0}).status_code == 400


def test_global_lookup_forms(platform):
    r = platform.get(f"{SR}/global/classes/{enc(PROFILE)}", headers={"Accept": XED_V1})
    assert r.status_code == 200 and r.json()["$id"] == PROFILE and "allOf" in r.json()
    full = platform.get(f"{SR}/global/classes/{enc(PROFILE)}", headers={"Accept": XED_FULL_V1}).json()
    assert "properties" in full and "_id" in full["properties"]
    by_alt = platform.get(f"{SR}/global/classes/_xdm.context.profile", headers={"Accept": XED_V1})
    assert by_alt.status_code == 200 and by_alt.json()["$id"] == PROFILE
    notext = platform.get(
        f"{SR}/global/classes/{enc(PROFILE)}",
        headers={"Accept": "application/vnd.adobe.xed-full-notext+json; version=1"},
    ).json()
    assert "title" not in notext and "description" not in notext


@pytest.mark.parametrize(
    ("accept", "status", "code"),
    [
        ("application/vnd.adobe.xed-id+json", 400, "XDM-1007-400"),
        ("application/vnd.adobe.xed-full+json", 400, "XDM-1007-400"),
        ("application/json", 406, "XDM-1010-406"),
        (None, 406, "XDM-1010-406"),
        ("application/vnd.adobe.xed-full+json; version=2", 406, "XDM-1010-406"),
    ],
)
def test_lookup_accept_rules(platform, accept, status, code):
    headers = {"Accept": accept} if accept else {"Accept": ""}
    r = platform.get(f"{SR}/global/classes/{enc(PROFILE)}", headers=headers)
    assert r.status_code == status, r.text
    body = r.json()
    assert body["type"].endswith(code) and body["status"] == status
    if status == 400:
        assert "Version should be specified" in body["detail"] and body["title"] == "Accept header invalid"
        assert body["report"]["detailed-message"] == body["detail"]


def test_list_accept_with_version_rejected(platform):
    r = platform.get(f"{SR}/tenant/schemas", headers={"Accept": XED_V1})
    assert r.status_code == 400 and r.json()["type"].endswith("XDM-1006-400")


def test_lookup_unknown_is_404(platform):
    r = platform.get(
        f"{SR}/tenant/schemas/{enc('https://ns.adobe.com/exchangeinternal/schemas/nope')}",
        headers={"Accept": XED_V1},
    )
    assert r.status_code == 404 and r.json()["type"].endswith("XDM-1012-404")
    assert "nope" in r.json()["detail"]
    assert platform.get(f"{SR}/other/schemas", headers={"Accept": XED_ID}).status_code == 404
    assert platform.get(f"{SR}/tenant/widgets", headers={"Accept": XED_ID}).status_code == 404


def test_schema_create_get_list(platform):
    s = make_schema(platform, PROFILE, PERSON, PERSONAL)
    for key in (
        "$id",
        "meta:altId",
        "meta:resourceType",
        "version",
        "meta:class",
        "meta:extends",
        "meta:containerId",
        "imsOrg",
        "meta:registryMetadata",
        "meta:tenantNamespace",
        "meta:sandboxId",
    ):
        assert key in s
    assert (
        s["meta:resourceType"] == "schemas" and s["meta:abstract"] is False and s["meta:extensible"] is False
    )
    assert PROFILE in s["meta:extends"] and "https://ns.adobe.com/xdm/data/record" in s["meta:extends"]
    assert s["meta:tenantNamespace"] == "_exchangeinternal"
    for ref in (s["$id"], s["meta:altId"]):
        got = platform.get(f"{SR}/tenant/schemas/{enc(ref)}", headers={"Accept": XED_V1})
        assert got.status_code == 200 and got.json()["$id"] == s["$id"]
    listed = platform.get(f"{SR}/tenant/schemas", headers={"Accept": XED_ID}).json()
    assert s["$id"] in {x["$id"] for x in listed["results"]}
    assert "global_schemas" in listed["_links"]
    assert platform.get(f"{SR}/global/schemas/{enc(s['$id'])}", headers={"Accept": XED_V1}).status_code == 404


def test_full_schema_resolution(platform):
    s = make_schema(platform, PROFILE, PERSON, PERSONAL, WORK, IDMAP)
    full = platform.get(f"{SR}/tenant/schemas/{enc(s['$id'])}", headers={"Accept": XED_FULL_V1}).json()
    props = full["properties"]
    for name in ("_id", "person", "personalEmail", "workEmail", "identityMap", "_repo"):
        assert name in props, name
    assert props["workEmail"]["properties"]["address"]["type"] == "string"
    assert full["meta:class"] == PROFILE


def test_event_schema_requires_id_and_timestamp(platform):
    s = make_schema(platform, EVENT, WEB)
    full = platform.get(f"{SR}/tenant/schemas/{enc(s['$id'])}", headers={"Accept": XED_FULL_V1}).json()
    assert {"_id", "timestamp"} <= set(full["required"])


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"allOf": [{"$ref": PROFILE}]}, "'title' is required"),
        (
            {"title": "x", "allOf": [{"$ref": "https://ns.adobe.com/xdm/context/nope"}]},
            "Unknown $ref https://ns.adobe.com/xdm/context/nope",
        ),
        ({"title": "x", "allOf": [{"$ref": PROFILE}, {"$ref": WEB}]}, "cannot be used with class"),
        ({"title": "x", "allOf": [{"$ref": PROFILE}, {"$ref": EVENT}]}, "more than one class"),
        ({"title": "x", "allOf": []}, "needs a class"),
        ({"title": "x", "allOf": [{"$ref": PERSON}]}, "class"),
        ({"title": "x", "type": "array", "allOf": [{"$ref": PROFILE}]}, "'type' must be"),
        ({"title": "x", "allOf": [{"$ref": PROFILE}], "meta:immutableTags": ["other"]}, "meta:immutableTags"),
        ({"title": "x", "allOf": "nope"}, "'allOf' must be an array"),
    ],
)
def test_schema_create_invalid(platform, body, fragment):
    r = platform.post(f"{SR}/tenant/schemas", json=body)
    assert r.status_code == 400, r.text
    j = r.json()
    assert j["status"] == 400 and j["type"].startswith("http://ns.adobe.com/aep/errors/XDM-")
    assert fragment in j["detail"], j["detail"]


def test_schema_bad_json_and_content_type(platform):
    r = platform.post(
        f"{SR}/tenant/schemas", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 400 and "not valid JSON" in r.json()["detail"]
    r = platform.post(f"{SR}/tenant/schemas", content=b"{}", headers={"Content-Type": "text/plain"})
    assert r.status_code == 400
    assert r.json() == {
        "type": "/placeholder/type/uri",
        "status": 400,
        "title": "BadRequestError",
        "detail": "A valid content-type must be specified",
    }
    r = platform.post(f"{SR}/tenant/schemas", content=b"[1]", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    r = platform.post(f"{SR}/tenant/schemas", content=b"", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "empty" in r.json()["detail"]


def test_duplicate_title_is_409(platform):
    title = unique("dup")
    make_schema(platform, PROFILE, title=title)
    r = platform.post(f"{SR}/tenant/schemas", json={"title": title, "allOf": [{"$ref": PROFILE}]})
    assert r.status_code == 409 and "already exists" in r.json()["detail"]


def test_patch_union_and_version_bump(platform):
    s = make_schema(platform, PROFILE, PERSON)
    r = platform.patch(
        f"{SR}/tenant/schemas/{enc(s['$id'])}",
        json=[
            {"op": "add", "path": "/meta:immutableTags", "value": ["union"]},
            {"op": "add", "path": "/allOf/-", "value": {"$ref": WORK}},
        ],
    )
    assert r.status_code == 200, r.text
    assert r.json()["version"] == "1.1" and r.json()["meta:immutableTags"] == ["union"]
    full = platform.get(f"{SR}/tenant/schemas/{enc(s['$id'])}", headers={"Accept": XED_FULL_V1}).json()
    assert "workEmail" in full["properties"]  # the cache was dropped on PATCH
    r = platform.patch(
        f"{SR}/tenant/schemas/{enc(s['$id'])}", json=[{"op": "remove", "path": "/meta:immutableTags"}]
    )
    assert r.status_code == 400 and "cannot be removed" in r.json()["detail"]
    r = platform.patch(
        f"{SR}/tenant/schemas/{enc(s['$id'])}",
        json=[{"op": "replace", "path": "/meta:immutableTags", "value": []}],
    )
    assert r.status_code == 400
    r = platform.patch(
        f"{SR}/tenant/schemas/{enc(s['$id'])}", json=[{"op": "replace", "path": "/description", "value": "d"}]
    )
    assert (
        r.status_code == 400 and "does not exist" in r.json()["detail"]
    )  # RFC 6902: replace needs the member
    r = platform.patch(
        f"{SR}/tenant/schemas/{enc(s['$id'])}", json=[{"op": "add", "path": "/description", "value": "d"}]
    )
    assert r.status_code == 200 and r.json()["version"] == "1.2"


@pytest.mark.parametrize(
    ("ops", "fragment"),
    [
        ({"op": "add"}, "array"),
        ([{"op": "frobnicate", "path": "/title"}], "Unknown operation 'frobnicate'"),
        ([{"op": "remove", "path": "/nothing"}], "does not exist"),
        ([{"op": "replace", "path": "/$id", "value": "x"}], "read-only"),
        ([{"op": "add", "path": "/allOf/-", "value": {"$ref": "https://ns.adobe.com/none"}}], "Unknown $ref"),
    ],
)
def test_patch_invalid(platform, ops, fragment):
    s = make_schema(platform, PROFILE)
    r = platform.patch(f"{SR}/tenant/schemas/{enc(s['$id'])}", json=ops)
    assert r.status_code == 400, r.text
    assert fragment in r.json()["detail"]


def test_put_and_delete_schema(platform):
    s = make_schema(platform, PROFILE)
    r = platform.put(
        f"{SR}/tenant/schemas/{enc(s['$id'])}",
        json={"title": s["title"], "description": "replaced", "allOf": [{"$ref": PROFILE}, {"$ref": PERSON}]},
    )
    assert r.status_code == 200 and r.json()["version"] == "1.1" and r.json()["$id"] == s["$id"]
    assert platform.delete(f"{SR}/tenant/schemas/{enc(s['$id'])}").status_code == 204
    assert platform.get(f"{SR}/tenant/schemas/{enc(s['$id'])}", headers={"Accept": XED_V1}).status_code == 404
    assert platform.delete(f"{SR}/tenant/schemas/{enc(s['$id'])}").status_code == 404


def test_global_container_is_read_only(platform):
    r = platform.post(f"{SR}/global/schemas", json={"title": "x"})
    assert r.status_code == 403
    assert platform.delete(f"{SR}/global/classes/{enc(PROFILE)}").status_code == 403


def test_tenant_field_group_and_mixins_alias(platform):
    fg = make_field_group(platform, {"loyaltyID": {"type": "string"}, "points": {"type": "integer"}})
    assert fg["$id"].startswith("https://ns.adobe.com/exchangeinternal/mixins/")
    assert fg["meta:resourceType"] == "mixins" and fg["meta:intendedToExtend"] == [PROFILE]
    for kind in ("fieldgroups", "mixins"):
        got = platform.get(f"{SR}/tenant/{kind}/{enc(fg['$id'])}", headers={"Accept": XED_V1})
        assert got.status_code == 200
        listed = platform.get(f"{SR}/tenant/{kind}", headers={"Accept": XED_ID}).json()["results"]
        assert fg["$id"] in {x["$id"] for x in listed}
    s = make_schema(platform, PROFILE, fg["$id"])
    full = platform.get(f"{SR}/tenant/schemas/{enc(s['$id'])}", headers={"Accept": XED_FULL_V1}).json()
    assert full["properties"]["_exchangeinternal"]["properties"]["points"]["type"] == "integer"
    # in use → 409; legacy POST /tenant/mixins also creates
    r = platform.delete(f"{SR}/tenant/fieldgroups/{enc(fg['$id'])}")
    assert r.status_code == 409 and s["$id"] in r.json()["detail"]
    r = platform.post(
        f"{SR}/tenant/mixins",
        json={
            "title": unique("mixin"),
            "meta:intendedToExtend": [EVENT],
            "definitions": {
                "d": {
                    "properties": {
                        "_exchangeinternal": {"type": "object", "properties": {"x": {"type": "string"}}}
                    }
                }
            },
            "allOf": [{"$ref": "#/definitions/d"}],
        },
    )
    assert r.status_code == 201, r.text


def test_field_group_outside_tenant_namespace(platform):
    r = platform.post(
        f"{SR}/tenant/fieldgroups",
        json={
            "title": unique("bad-fg"),
            "meta:intendedToExtend": [PROFILE],
            "definitions": {"d": {"properties": {"loyalty": {"type": "string"}}}},
            "allOf": [{"$ref": "#/definitions/d"}],
        },
    )
    assert r.status_code == 400 and "_exchangeinternal" in r.json()["detail"]


def test_tenant_field_group_wrong_class(platform):
    fg = make_field_group(platform, {"x": {"type": "string"}}, intended=(EVENT,))
    r = platform.post(
        f"{SR}/tenant/schemas", json={"title": unique("s"), "allOf": [{"$ref": PROFILE}, {"$ref": fg["$id"]}]}
    )
    assert r.status_code == 400 and fg["$id"] in r.json()["detail"]


def test_tenant_datatype_and_class(platform):
    r = platform.post(
        f"{SR}/tenant/datatypes",
        json={
            "title": unique("dt"),
            "type": "object",
            "definitions": {"d": {"properties": {"code": {"type": "string"}}}},
            "allOf": [{"$ref": "#/definitions/d"}],
        },
    )
    assert r.status_code == 201, r.text
    dt = r.json()
    assert dt["$id"].startswith("https://ns.adobe.com/exchangeinternal/datatypes/")
    assert (
        platform.get(f"{SR}/tenant/datatypes/{enc(dt['$id'])}", headers={"Accept": XED_FULL_V1}).status_code
        == 200
    )


def test_field_group_patch_reaches_schemas_and_delete(platform):
    fg = make_field_group(platform, {"tier": {"type": "string"}})
    s = make_schema(platform, PROFILE, fg["$id"])
    url = f"{SR}/tenant/schemas/{enc(s['$id'])}"
    before = platform.get(url, headers={"Accept": XED_FULL_V1}).json()
    assert "since" not in before["properties"]["_exchangeinternal"]["properties"]
    r = platform.patch(
        f"{SR}/tenant/fieldgroups/{enc(fg['$id'])}",
        json=[
            {
                "op": "add",
                "path": "/definitions/custom/properties/_exchangeinternal/properties/since",
                "value": {"type": "string", "format": "date"},
            }
        ],
    )
    assert r.status_code == 200 and r.json()["version"] == "1.1"
    after = platform.get(url, headers={"Accept": XED_FULL_V1}).json()
    assert after["properties"]["_exchangeinternal"]["properties"]["since"]["format"] == "date"
    # a change that would break the schema is refused
    r = platform.patch(
        f"{SR}/tenant/fieldgroups/{enc(fg['$id'])}",
        json=[{"op": "replace", "path": "/meta:intendedToExtend", "value": [EVENT]}],
    )
    assert r.status_code == 400 and s["$id"] in r.json()["detail"]
    assert platform.delete(url).status_code == 204
    assert platform.delete(f"{SR}/tenant/fieldgroups/{enc(fg['$id'])}").status_code == 204
