"""Restart (clean and kill -9) keeps all state; org and sandbox isolation."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from .helpers import XED_FULL_V1, XED_ID, XED_V1, Platform, unique
from .test_catalog_identity import CAT, ID, make_dataset
from .test_flow_service import FS, make_route
from .test_schema_registry import PROFILE, SR, WORK, make_field_group, make_schema


def _build(p: Platform) -> dict:
    fg = make_field_group(p, {"loyaltyID": {"type": "string"}})
    s = make_schema(p, PROFILE, WORK, fg["$id"], union=True)
    d = p.post(
        f"{SR}/tenant/descriptors",
        json={
            "@type": "xdm:descriptorIdentity",
            "xdm:sourceSchema": s["$id"],
            "xdm:sourceVersion": 1,
            "xdm:sourceProperty": "/workEmail/address",
            "xdm:namespace": "Email",
            "xdm:isPrimary": True,
        },
    ).json()
    code = unique("ns").replace("-", "")
    assert p.post(ID, json={"name": code, "code": code, "idType": "Email"}).status_code == 200
    route = make_route(p)
    inlet = p.get(f"{FS}/connections/{route['conn']}").json()["items"][0]["auth"]["params"]["inletId"]
    return {**route, "fg": fg["$id"], "schema": s["$id"], "desc": d["@id"], "ns": code, "inlet": inlet}


def _check(p: Platform, st: dict) -> None:
    assert (
        p.get(f"{SR}/tenant/fieldgroups/{quote(st['fg'], safe='')}", headers={"Accept": XED_V1}).status_code
        == 200
    )
    full = p.get(f"{SR}/tenant/schemas/{quote(st['schema'], safe='')}", headers={"Accept": XED_FULL_V1})
    assert (
        full.status_code == 200
        and "loyaltyID" in full.json()["properties"]["_exchangeinternal"]["properties"]
    )
    assert p.get(f"{SR}/tenant/descriptors/{st['desc']}").status_code == 200
    assert st["ns"] in {n["code"] for n in p.get(ID).json()}
    assert p.get(f"{CAT}/dataSets/{st['dataset']}").status_code == 200
    item = p.get(f"{FS}/connections/{st['conn']}").json()["items"][0]
    assert item["auth"]["params"]["inletId"] == st["inlet"]
    assert item["auth"]["params"]["inletUrl"].startswith(p.proc.urls.streaming)
    for coll, key in (("sourceConnections", "src"), ("targetConnections", "tgt"), ("flows", "flow")):
        assert p.get(f"{FS}/{coll}/{st[key]}").status_code == 200
    unions = p.get(f"{SR}/tenant/unions", headers={"Accept": XED_ID}).json()["results"]
    assert PROFILE + "__union" in {u["$id"] for u in unions}


@pytest.mark.parametrize("how", ["stop", "kill"])
def test_restart_keeps_everything(fresh_sandbox, how):
    proc = fresh_sandbox()
    p = Platform(proc)
    state = _build(p)
    token = p.token
    if how == "kill":
        proc.kill()
    again = proc.restart()
    try:
        p2 = Platform(again, token=token)
        _check(p2, state)
        # and new writes still work after the restart
        make_dataset(p2, schema_id=state["schema"])
    finally:
        again.stop()


def test_org_isolation(platform, other_platform):
    st = _build(platform)
    o = other_platform
    assert (
        o.get(f"{SR}/tenant/schemas/{quote(st['schema'], safe='')}", headers={"Accept": XED_V1}).status_code
        == 404
    )
    assert st["schema"] not in {
        x["$id"] for x in o.get(f"{SR}/tenant/schemas", headers={"Accept": XED_ID}).json()["results"]
    }
    assert o.get(f"{SR}/tenant/descriptors/{st['desc']}").status_code == 404
    assert o.get(f"{CAT}/dataSets/{st['dataset']}").status_code == 404
    assert st["dataset"] not in o.get(f"{CAT}/dataSets", params={"limit": 100}).json()
    assert o.get(f"{FS}/connections/{st['conn']}").status_code == 404
    assert o.get(f"{FS}/flows/{st['flow']}").status_code == 404
    assert st["conn"] not in {c["id"] for c in o.get(f"{FS}/connections").json()["items"]}
    # the other org cannot use our schema in its dataset, nor our dataset in its target connection
    r = o.post(
        f"{CAT}/dataSets",
        json={
            "name": unique("x"),
            "schemaRef": {"id": st["schema"], "contentType": "application/vnd.adobe.xed-full+json;version=1"},
        },
    )
    assert r.status_code == 400
    # its own tenant id in its $ids
    s = make_schema(o, PROFILE)
    assert s["$id"].startswith("https://ns.adobe.com/othertenant/schemas/")


def test_sandbox_isolation(platform, sandbox):
    st = _build(platform)
    dev = Platform(sandbox, sandbox_name="dev")
    assert (
        dev.get(f"{SR}/tenant/schemas/{quote(st['schema'], safe='')}", headers={"Accept": XED_V1}).status_code
        == 404
    )
    assert dev.get(f"{CAT}/dataSets/{st['dataset']}").status_code == 404
    assert dev.get(f"{FS}/connections/{st['conn']}").status_code == 404
    assert st["ns"] not in {n["code"] for n in dev.get(ID).json()}
    # the same title may exist in both sandboxes
    title = unique("same")
    make_schema(platform, PROFILE, title=title)
    make_schema(dev, PROFILE, title=title)
    assert dev.get(f"{SR}/stats").json()["counts"]["schemas"] >= 1
