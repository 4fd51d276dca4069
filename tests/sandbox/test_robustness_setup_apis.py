"""Bad input never gives a 5xx or a traceback: every set-up route × malformed bodies, wrong types,
odd ids and query strings answers a 4xx JSON error in an AEP shape."""

from __future__ import annotations

import itertools

import pytest

from .helpers import XED_FULL_V1

ID = "https%3A%2F%2Fns.adobe.com%2Fexchangeinternal%2Fschemas%2Fzz"
ROUTES = [
    ("POST", "/data/foundation/schemaregistry/tenant/schemas"),
    ("POST", "/data/foundation/schemaregistry/tenant/fieldgroups"),
    ("POST", "/data/foundation/schemaregistry/tenant/mixins"),
    ("POST", "/data/foundation/schemaregistry/tenant/datatypes"),
    ("POST", "/data/foundation/schemaregistry/tenant/classes"),
    ("POST", "/data/foundation/schemaregistry/tenant/descriptors"),
    ("PATCH", f"/data/foundation/schemaregistry/tenant/schemas/{ID}"),
    ("PUT", f"/data/foundation/schemaregistry/tenant/schemas/{ID}"),
    ("PUT", "/data/foundation/schemaregistry/tenant/descriptors/abc"),
    ("POST", "/data/foundation/catalog/dataSets"),
    ("PATCH", "/data/foundation/catalog/dataSets/abc"),
    ("POST", "/data/foundation/flowservice/connections"),
    ("POST", "/data/foundation/flowservice/sourceConnections"),
    ("POST", "/data/foundation/flowservice/targetConnections"),
    ("POST", "/data/foundation/flowservice/flows"),
    ("PATCH", "/data/foundation/flowservice/connections/abc"),
    ("POST", "/data/core/idnamespace/identities"),
    ("POST", "/data/core/edge/inlet"),
]
BODIES = [
    b"",
    b"{",
    b"null",
    b"[]",
    b"[1,2]",
    b'"text"',
    b"42",
    b"{}",
    b"\xff\xfe",
    b'{"title": 5, "name": [], "allOf": {"$ref": 3}, "connectionSpec": "x", "auth": "x", "tags": 1}',
    b'{"title": "t", "allOf": [{"$ref": "https://ns.adobe.com/xdm/context/profile"}, {"type": "object"}],'
    b' "definitions": {"a": 1}, "properties": {"x": 3}}',
    b'{"@type": "xdm:descriptorIdentity", "xdm:sourceSchema": 1, "xdm:sourceProperty": {}}',
    b'[{"op": "add", "path": "/auth", "value": "x"}]',
    b'{"name": "n", "schemaRef": {"id": 1, "contentType": 2}}',
    b'{"name": "n", "flowSpec": {"id": "d8a6f005-7eaf-4153-983e-e8574508b877"}, "sourceConnectionIds": "x",'
    b' "targetConnectionIds": [1]}',
]


@pytest.mark.parametrize(
    ("route", "body"),
    list(itertools.product(ROUTES, BODIES)),
    ids=lambda v: v[1] if isinstance(v, tuple) else repr(v)[:20],
)
def test_bad_bodies(platform, route, body):
    method, path = route
    r = platform.request(
        method, path, content=body, headers={"Content-Type": "application/json", "If-Match": '"x"'}
    )
    assert r.status_code < 500, (r.status_code, r.text)
    assert "Traceback" not in r.text
    j = r.json()
    if r.status_code >= 400:  # some bodies happen to be valid for some routes
        assert isinstance(j, dict) and ("detail" in j or "message" in j or "error" in j), j


@pytest.mark.parametrize(
    "path",
    [
        "/data/foundation/schemaregistry/tenant/schemas?limit=abc",
        "/data/foundation/schemaregistry/tenant/schemas?orderby=-meta:registryMetadata&property=a==b,c!=d,e~f,g",
        "/data/foundation/schemaregistry/global/fieldgroups?start=-5",
        "/data/foundation/schemaregistry/tenant/schemas/%25%00zz",
        "/data/foundation/schemaregistry/tenant/descriptors?property=xdm:sourceSchema",
        "/data/foundation/catalog/dataSets?limit=-1",
        "/data/foundation/catalog/dataSets?orderBy=asc:description",
        "/data/foundation/catalog/dataSets?orderBy=desc:lastBatchId&properties=,,",
        "/data/foundation/catalog/batches?orderBy=zz",
        "/data/foundation/catalog/batches?limit=x",
        "/data/foundation/flowservice/connections?property=a.b.c==1",
        "/data/foundation/flowservice/connections/a,b,,c",
        "/data/foundation/flowservice/flows/zzz/action",
        "/data/core/idnamespace/identities/%20",
        "/data/core/edge/inlet/nothing",
    ],
)
def test_odd_queries(platform, path):
    method = "POST" if path.endswith("/action") else "GET"
    r = platform.request(method, path, headers={"Accept": XED_FULL_V1} if "schemaregistry" in path else {})
    assert r.status_code < 500, r.text
    r.json()


def test_datasets_sort_by_mixed_field(platform):
    from .test_catalog_identity import make_dataset

    make_dataset(platform)
    r = platform.post("/data/foundation/catalog/dataSets", json={"name": "mixed-sort-x", "description": "d"})
    assert r.status_code == 201
    for field in ("description", "schemaRef", "lastBatchId", "created"):
        assert (
            platform.get("/data/foundation/catalog/dataSets", params={"orderBy": f"asc:{field}"}).status_code
            == 200
        )
