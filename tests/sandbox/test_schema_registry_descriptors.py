"""Schema Registry descriptors (identity: one primary per schema, checks on field, namespace, type)
and union views."""

from __future__ import annotations

import pytest

from .helpers import XED_FULL_V1, XED_ID, XED_V1
from .test_schema_registry import EVENT, PERSON, PERSONAL, PROFILE, SR, WORK, enc, make_schema


def _identity(platform, schema, prop, ns="Email", primary=True):
    return platform.post(
        f"{SR}/tenant/descriptors",
        json={
            "@type": "xdm:descriptorIdentity",
            "xdm:sourceSchema": schema["$id"],
            "xdm:sourceVersion": 1,
            "xdm:sourceProperty": prop,
            "xdm:namespace": ns,
            "xdm:property": "xdm:code",
            "xdm:isPrimary": primary,
        },
    )


def test_identity_descriptors(platform):
    s = make_schema(platform, PROFILE, PERSONAL, WORK)
    r = _identity(platform, s, "/workEmail/address")
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["version"] == "1" and d["imsOrg"] == platform.creds.org_id and d["xdm:isPrimary"] is True
    # second primary → 400; same field twice → 409; secondary identity fine
    r = _identity(platform, s, "/personalEmail/address")
    assert r.status_code == 400 and "only one primary identity" in r.json()["detail"]
    assert _identity(platform, s, "/workEmail/address", primary=False).status_code == 409
    assert _identity(platform, s, "/personalEmail/address", primary=False).status_code == 201
    got = platform.get(
        f"{SR}/tenant/descriptors/{d['@id']}", headers={"Accept": "application/vnd.adobe.xdm+json"}
    )
    assert got.status_code == 200 and got.json()["@id"] == d["@id"]
    ids = platform.get(
        f"{SR}/tenant/descriptors", headers={"Accept": "application/vnd.adobe.xdm-id+json"}
    ).json()
    assert d["@id"] in ids["xdm:descriptorIdentity"]
    full = platform.get(
        f"{SR}/tenant/descriptors",
        headers={"Accept": "application/vnd.adobe.xdm+json"},
        params={"property": f"xdm:sourceSchema=={s['$id']}"},
    ).json()
    assert len(full["xdm:descriptorIdentity"]) == 2
    bad = platform.get(f"{SR}/tenant/descriptors", headers={"Accept": XED_V1})
    assert bad.status_code == 400 and bad.json()["type"].endswith("XDM-1008-400")
    bad = platform.get(f"{SR}/tenant/descriptors/{d['@id']}", headers={"Accept": XED_V1})
    assert bad.status_code == 400 and bad.json()["type"].endswith("XDM-1009-400")
    # replace, delete
    body = {k: v for k, v in d.items() if not k.startswith("@id")}
    body["xdm:namespace"] = "Phone"
    put = platform.put(
        f"{SR}/tenant/descriptors/{d['@id']}", json={**body, "xdm:sourceProperty": "/workEmail/address"}
    )
    assert put.status_code == 200 and put.json()["xdm:namespace"] == "Phone" and put.json()["version"] == "2"
    assert platform.delete(f"{SR}/tenant/descriptors/{d['@id']}").status_code == 204
    assert platform.get(f"{SR}/tenant/descriptors/{d['@id']}").status_code == 404


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"xdm:sourceProperty": "/nope/address"}, "does not exist"),
        ({"xdm:sourceProperty": "workEmail"}, "JSON pointer"),
        ({"xdm:namespace": "NoSuchNS"}, "not a known identity namespace"),
        ({"xdm:sourceSchema": "https://ns.adobe.com/exchangeinternal/schemas/none"}, "does not exist"),
        ({"@type": "xdm:nonsense"}, "not a known descriptor type"),
        ({"xdm:sourceProperty": "/workEmail"}, "must be of type string"),
        ({"xdm:property": "xdm:name"}, "xdm:property"),
    ],
)
def test_identity_descriptor_invalid(platform, change, fragment):
    s = make_schema(platform, PROFILE, WORK)
    body = {
        "@type": "xdm:descriptorIdentity",
        "xdm:sourceSchema": s["$id"],
        "xdm:sourceVersion": 1,
        "xdm:sourceProperty": "/workEmail/address",
        "xdm:namespace": "Email",
        "xdm:property": "xdm:code",
        "xdm:isPrimary": True,
        **change,
    }
    r = platform.post(f"{SR}/tenant/descriptors", json=body)
    assert r.status_code == 400, r.text
    assert fragment in r.json()["detail"]


def test_unions(platform):
    a = make_schema(platform, PROFILE, PERSON, union=True)
    b = make_schema(platform, PROFILE, WORK, union=True)
    listed = platform.get(f"{SR}/tenant/unions", headers={"Accept": XED_ID}).json()["results"]
    uid = PROFILE + "__union"
    assert uid in {u["$id"] for u in listed}
    u = platform.get(f"{SR}/tenant/unions/{enc(uid)}", headers={"Accept": XED_V1}).json()
    assert {a["$id"], b["$id"]} <= {x["$ref"] for x in u["allOf"]}
    full = platform.get(
        f"{SR}/tenant/unions/_xdm.context.profile__union", headers={"Accept": XED_FULL_V1}
    ).json()
    assert "workEmail" in full["properties"] and "person" in full["properties"]
    assert platform.get(f"{SR}/tenant/unions/{enc(uid)}", headers={"Accept": XED_ID}).status_code == 400
    assert platform.get(
        f"{SR}/tenant/unions/{enc(EVENT + '__union')}", headers={"Accept": XED_V1}
    ).status_code in (200, 404)
