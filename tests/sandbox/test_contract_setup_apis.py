"""Responses of the set-up APIs (IMS, Schema Registry, Catalog, Identity, Flow Service) validate against Adobe's OpenAPI specs (../shared/aep-openapi) and never 5xx."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from contract import Contract

from .helpers import XED, XED_FULL_V1, XED_ID, XED_V1, unique
from .test_flow_service import FS, make_route
from .test_schema_registry import PERSON, PROFILE, SR, make_field_group, make_schema

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def specs(shared_dir):
    base = shared_dir / "aep-openapi"
    return {
        name: Contract.load(base / f"{name}.yaml")
        for name in ("schema-registry", "catalog", "flow-service", "identity-service")
    }


def check(specs, spec: str, prefix: str, resp, method: str | None = None):
    assert resp.status_code < 500, resp.text
    path = resp.request.url.raw_path.decode().split("?")[0]
    path = path.split("/platform", 1)[1].removeprefix(prefix)
    body = resp.json() if resp.content else None
    specs[spec].validate(method or resp.request.method, path, resp.status_code, body)
    return body


def sr(specs, resp):
    return check(specs, "schema-registry", SR, resp)


def test_schema_registry_contract(platform, specs):
    sr(specs, platform.get(f"{SR}/stats"))
    for kind in ("classes", "fieldgroups", "mixins", "datatypes", "behaviors", "schemas"):
        sr(specs, platform.get(f"{SR}/global/{kind}", headers={"Accept": XED_ID}))
    sr(specs, platform.get(f"{SR}/global/classes/{quote(PROFILE, safe='')}", headers={"Accept": XED_V1}))
    sr(specs, platform.get(f"{SR}/global/classes/{quote(PROFILE, safe='')}", headers={"Accept": XED_FULL_V1}))
    sr(specs, platform.get(f"{SR}/global/fieldgroups/{quote(PERSON, safe='')}", headers={"Accept": XED_V1}))
    fg = make_field_group(platform, {"tier": {"type": "string"}})
    sr(
        specs,
        platform.get(f"{SR}/tenant/fieldgroups/{quote(fg['$id'], safe='')}", headers={"Accept": XED_V1}),
    )
    created = platform.post(
        f"{SR}/tenant/schemas",
        json={
            "title": unique("c"),
            "type": "object",
            "allOf": [{"$ref": PROFILE}, {"$ref": PERSON}, {"$ref": fg["$id"]}],
        },
    )
    s = sr(specs, created)
    sid = quote(s["$id"], safe="")
    sr(specs, platform.get(f"{SR}/tenant/schemas", headers={"Accept": XED_ID}))
    sr(specs, platform.get(f"{SR}/tenant/schemas", headers={"Accept": XED}))
    sr(specs, platform.get(f"{SR}/tenant/schemas/{sid}", headers={"Accept": XED_V1}))
    sr(specs, platform.get(f"{SR}/tenant/schemas/{sid}", headers={"Accept": XED_FULL_V1}))
    sr(
        specs,
        platform.patch(
            f"{SR}/tenant/schemas/{sid}",
            json=[{"op": "add", "path": "/meta:immutableTags", "value": ["union"]}],
        ),
    )
    d = sr(
        specs,
        platform.post(
            f"{SR}/tenant/descriptors",
            json={
                "@type": "xdm:descriptorIdentity",
                "xdm:sourceSchema": s["$id"],
                "xdm:sourceVersion": 1,
                "xdm:sourceProperty": "/person/name/fullName",
                "xdm:namespace": "CRMID",
                "xdm:property": "xdm:code",
                "xdm:isPrimary": True,
            },
        ),
    )
    sr(
        specs,
        platform.get(
            f"{SR}/tenant/descriptors/{d['@id']}", headers={"Accept": "application/vnd.adobe.xdm+json"}
        ),
    )
    # the spec models the full form of the descriptor list (xdm+json), not the id form
    sr(specs, platform.get(f"{SR}/tenant/descriptors", headers={"Accept": "application/vnd.adobe.xdm+json"}))
    sr(specs, platform.get(f"{SR}/tenant/unions", headers={"Accept": XED_ID}))
    sr(
        specs,
        platform.get(
            f"{SR}/tenant/unions/{quote(PROFILE + '__union', safe='')}", headers={"Accept": XED_FULL_V1}
        ),
    )
    # error shapes documented in the spec
    sr(
        specs,
        platform.get(f"{SR}/tenant/schemas/{sid}", headers={"Accept": "application/vnd.adobe.xed+json"}),
    )
    sr(
        specs,
        platform.get(
            f"{SR}/tenant/schemas/{quote('https://ns.adobe.com/x/schemas/0', safe='')}",
            headers={"Accept": XED_V1},
        ),
    )
    resp = platform.delete(f"{SR}/tenant/descriptors/{d['@id']}")
    assert resp.status_code == 204


def test_catalog_contract(platform, specs):
    s = make_schema(platform, PROFILE, PERSON, union=True)
    created = platform.post(
        "/data/foundation/catalog/dataSets",
        json={
            "name": unique("ds"),
            "schemaRef": {"id": s["$id"], "contentType": "application/vnd.adobe.xed-full+json;version=1"},
            "tags": {"unifiedProfile": ["enabled:true"], "unifiedIdentity": ["enabled:true"]},
        },
    )
    (ref,) = check(specs, "catalog", "/data/foundation/catalog", created)
    ds_id = ref.split("/")[-1]
    check(
        specs,
        "catalog",
        "/data/foundation/catalog",
        platform.get(f"/data/foundation/catalog/dataSets/{ds_id}"),
    )
    check(
        specs,
        "catalog",
        "/data/foundation/catalog",
        platform.get("/data/foundation/catalog/dataSets", params={"limit": 5}),
    )
    check(
        specs,
        "catalog",
        "/data/foundation/catalog",
        platform.patch(f"/data/foundation/catalog/dataSets/{ds_id}", json={"description": "x"}),
    )
    check(
        specs,
        "catalog",
        "/data/foundation/catalog",
        platform.get("/data/foundation/catalog/batches", params={"dataSet": ds_id}),
    )


def test_flow_service_contract(platform, specs):
    ids = make_route(platform)
    fs = "/data/foundation/flowservice"
    for coll, key in (
        ("connections", "conn"),
        ("sourceConnections", "src"),
        ("targetConnections", "tgt"),
        ("flows", "flow"),
    ):
        check(specs, "flow-service", fs, platform.get(f"{FS}/{coll}/{ids[key]}"))
        check(specs, "flow-service", fs, platform.get(f"{FS}/{coll}"))
    check(specs, "flow-service", fs, platform.get(f"{FS}/connectionSpecs"))
    check(
        specs, "flow-service", fs, platform.get(f"{FS}/connectionSpecs/bc7b00d6-623a-4dfc-9fdb-f1240aeadaeb")
    )
    check(specs, "flow-service", fs, platform.get(f"{FS}/flowSpecs"))
    check(specs, "flow-service", fs, platform.get(f"{FS}/flowSpecs/d8a6f005-7eaf-4153-983e-e8574508b877"))
    conn = platform.post(
        f"{FS}/connections",
        json={
            "name": unique("c"),
            "connectionSpec": {"id": "bc7b00d6-623a-4dfc-9fdb-f1240aeadaeb", "version": "1.0"},
            "auth": {"specName": "Streaming Connection", "params": {"dataType": "xdm"}},
        },
    )
    body = check(specs, "flow-service", fs, conn)
    check(
        specs,
        "flow-service",
        fs,
        platform.patch(
            f"{FS}/connections/{body['id']}",
            json=[{"op": "replace", "path": "/name", "value": unique("r")}],
            headers={"If-Match": body["etag"]},
        ),
    )


def test_identity_contract(platform, specs):
    ids = "/data/core"
    check(specs, "identity-service", ids, platform.get("/data/core/idnamespace/identities"))
    check(specs, "identity-service", ids, platform.get("/data/core/idnamespace/identities/6"))
    code = unique("n").replace("-", "")
    check(
        specs,
        "identity-service",
        ids,
        platform.post(
            "/data/core/idnamespace/identities", json={"name": code, "code": code, "idType": "Cookie"}
        ),
    )
