"""Bad input on every ingestion route (streaming, Profile, data access) gets AEP's 4xx shape naming the problem, never a 5xx; the fast
identity extraction of the pipeline agrees with the shared ``aep_console.xdm.identity`` rules."""

from __future__ import annotations

import pytest

from aep_console.sandbox.ingestion.targets import Target, identity_paths
from aep_console.xdm.identity import extract_identities

from .helpers import Platform
from .ingestion_setup import Loyalty, http


@pytest.fixture(scope="module")
def plat(sandbox):
    p = Platform(sandbox)
    yield p
    p.close()


JUNK_BODIES = [b"", b"null", b"[]", b"{}", b'"x"', b"{\"messages\": {}}", b"\xff\xfe\x00", b"[" * 5000,
               b'{"header": {"schemaRef": {"id": 5}}, "body": 3}', b'{"messages": [null, 1, [], {"header": []}]}']


def test_dcs_never_answers_5xx_to_junk(sandbox, plat):
    w = Loyalty.create(plat)
    for path in (f"/collection/{w.inlet}", f"/collection/batch/{w.inlet}", f"/collection/{w.inlet}?syncValidation=true",
                 "/collection/" + "z" * 300):
        for body in JUNK_BODIES:
            for ctype in ("application/json", "text/plain", ""):
                resp = http().post(sandbox.urls.streaming + path, content=body,
                                  headers={"Content-Type": ctype} if ctype else {})
                assert resp.status_code < 500, (path, body[:20], resp.text)
                assert resp.status_code in (200, 207, 400), (path, body[:20], resp.status_code)
                if resp.status_code == 400:
                    assert resp.json()["report"]["message"]
    assert http().get(f"{sandbox.urls.streaming}/collection/{w.inlet}").status_code == 405


def test_profile_and_export_never_answer_5xx_to_junk(sandbox, plat):
    q = {"schema.name": "_xdm.context.experienceevent", "relatedEntityId": "a", "relatedEntityIdNS": "email"}
    for params in ({**q, "limit": "1e400"}, {**q, "limit": "2.5"}, {**q, "startTime": "nan"},
                   {**q, "endTime": "inf"}, {**q, "start": "nope"}, {**q, "relatedSchema.name": "x"},
                   {"schema.name": "_xdm.context.profile", "entityId": "", "entityIdNS": "email"},
                   {"schema.name": "_xdm.context.profile", "entityId": "a", "fields": ",,,"}):
        resp = plat.get("/data/core/ups/access/entities", params=params)
        assert 400 <= resp.status_code < 500, (params, resp.text)
        assert resp.json()["statusCode"] == str(resp.status_code)
    for body in ([], {"schema": "x"}, {"schema": {"name": "_xdm.context.profile"}, "identities": [1]},
                 {"schema": {"name": "_xdm.context.profile"}, "identities": [{"entityId": "a", "entityIdNS": 5}]},
                 {"schema": {"name": "_xdm.context.profile"}, "identities": [{"entityId": "a"}], "fields": "x"}):
        resp = plat.post("/data/core/ups/access/entities", json=body)
        assert 400 <= resp.status_code < 500, (body, resp.text)
    resp = plat.post("/data/core/ups/access/entities", content=b"{", headers={"Content-Type": "application/json"})
    assert resp.status_code == 400
    for path in ("/data/foundation/export/batches/%00/files", "/data/foundation/export/files/-1",
                 "/data/foundation/export/files/x?path=../../etc/passwd", "/data/foundation/export/datasets/%20/preview"):
        resp = plat.get(path)
        assert 400 <= resp.status_code < 500, (path, resp.text)
    resp = http().get(f"{sandbox.urls.platform}/data/core/ups/config/mergePolicies")
    assert resp.status_code == 403 and resp.json()["error_code"] == "403010"


def test_admin_rejects_bad_settings(sandbox):
    base = f"{sandbox.urls.base}/__sandbox/admin"
    for path, body in (("faults", {"latencyMs": -1}), ("faults", {"scope": "moon"}), ("faults", [1]),
                       ("limits", {"requestsPerSecond": "fast"}), ("limits", {"syncValidationPerMinute": 0}),
                       ("datalake/config", {"maxRecords": 0}), ("datalake/config", {"maxAgeSeconds": "x"})):
        resp = http().post(f"{base}/{path}", json=body)
        assert resp.status_code == 400 and resp.json()["detail"], (path, body, resp.text)
    assert http().get(f"{base}/stats").json()["records"] >= 0


@pytest.mark.parametrize("entity, descriptors", [
    ({"_t": {"id": "a@x.com"}}, [{"xdm:sourceProperty": "/_t/id", "xdm:namespace": "Email", "xdm:isPrimary": True}]),
    ({"_t": {"id": 12}}, [{"xdm:sourceProperty": "_t.id", "xdm:namespace": "CRMID"}]),
    ({"_t": {"ids": ["a", "b", ""]}}, [{"xdm:sourceProperty": "#/_t/ids", "xdm:namespace": "ECID"}]),
    ({"identityMap": {"ECID": [{"id": "e1", "primary": True}, {"id": "e2"}, {"id": None}], "Email": "x"}}, []),
    ({"_t": {"id": "a"}, "identityMap": {"Email": [{"id": "a", "primary": True}]}},
     [{"xdm:sourceProperty": "/_t/id", "xdm:namespace": "Email"}]),
    ({"_t": {"id": True}}, [{"xdm:sourceProperty": "/_t/id", "xdm:namespace": "Email"},
                            {"@type": "xdm:descriptorOneToOne", "xdm:sourceProperty": "/_t", "xdm:namespace": "X"}]),
])
def test_fast_identity_extraction_matches_the_shared_rules(entity, descriptors):
    shared = [[i.namespace, i.id, i.primary] for i in extract_identities(entity, descriptors)]
    target = Target(dataset_id="d", schema_id="s", class_id="", profile=True, is_event=False, validator=None,
                    descriptors=descriptors, id_paths=identity_paths(descriptors))
    assert target.identities(entity) == shared
