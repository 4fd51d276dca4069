"""The Edge Network on the real sandbox process: datastreams (admin API), ``/ee/v2/interact``, ``/ee/v2/collect``
and the Web SDK's ``/{edgeBasePath}[/{locationHint}]/v1/interact|collect``, over http and over the HTTPS port;
events reach the dataset and the Profile; errors are EXEG problems; CORS for the page's exact origin."""

from __future__ import annotations

import ssl

import httpx
import orjson
import pytest

from aep_console.sandbox.apis.edge.identity import cookie_name, decode_identity_cookie

from .edge_setup import WebSdkWorld, create_datastream
from .helpers import Platform, unique
from .ingestion_setup import dataset, ok, schema

ORIGIN = "https://www.local.test"


@pytest.fixture(scope="module")
def edge_sandbox(tmp_path_factory):
    from aep_console.sandbox.launcher import start_sandbox

    proc = start_sandbox(tmp_path_factory.mktemp("edge-sandbox"), edge_tls_port=0)
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def world(edge_sandbox):
    p = Platform(edge_sandbox)
    yield WebSdkWorld.create(p)
    p.close()


def page_view(email: str | None = None, **extra) -> dict:
    xdm = {"eventType": "web.webpagedetails.pageViews",
           "web": {"webPageDetails": {"URL": "https://www.local.test/shop", "name": "shop",
                                      "pageViews": {"value": 1}}}, **extra}
    if email:
        xdm["identityMap"] = {"Email": [{"id": email, "primary": True}]}
    return {"xdm": xdm, "data": {"campaign": "spring"}}


def handle(body: dict, kind: str) -> list:
    return next(h["payload"] for h in body["handle"] if h["type"] == kind)


def test_datastreams_are_created_listed_and_persisted(edge_sandbox, world):
    base = f"{edge_sandbox.urls.base}/__sandbox/admin/datastreams"
    got = ok(httpx.get(f"{base}/{world.datastream_id}"))
    assert got["datasetId"] == world.dataset_id and got["orgId"] == edge_sandbox.credentials.org_id
    assert got["sandboxName"] == "prod"
    assert world.datastream_id in [d["id"] for d in ok(httpx.get(base))["datastreams"]]
    # refused with the reason: no dataset, unknown dataset, a profile (record) dataset as the event dataset
    for body, words in (({}, "'datasetId'"), ({"datasetId": "0" * 24}, "does not exist"),
                        ({"datasetId": world.dataset_id, "orgId": "NOPE@AdobeOrg"}, "not an org")):
        resp = httpx.post(base, json=body)
        assert resp.status_code == 400 and words in resp.json()["detail"], resp.text
    assert httpx.get(f"{base}/nope").status_code == 404
    extra = create_datastream(edge_sandbox, world.dataset_id, name="to delete")
    assert httpx.delete(f"{base}/{extra['id']}").status_code == 204
    assert httpx.get(f"{base}/{extra['id']}").status_code == 404


def test_interact_stores_the_event_in_the_dataset_and_the_profile(edge_sandbox, world):
    email = f"{unique('shopper')}@example.com"
    resp = httpx.post(f"{edge_sandbox.urls.edge}/ee/v2/interact", params={"datastreamId": world.datastream_id},
                      json={"event": page_view(email)})
    body = ok(resp)
    assert resp.headers["content-type"].startswith("application/json")
    assert body["requestId"] and resp.headers["x-request-id"] == body["requestId"]
    ecid = handle(body, "identity:result")[0]["id"]
    assert len(ecid) == 38 and ecid.isdigit()
    stored = {s["key"]: s for s in handle(body, "state:store")}
    org = edge_sandbox.credentials.org_id
    assert decode_identity_cookie(stored[cookie_name(org, "identity")]["value"]) == ecid
    assert cookie_name(org, "identity") == f"kndctr_{org.replace('@', '_')}_identity"
    row = next(r for r in world.rows() if r.get("identityMap", {}).get("Email", [{}])[0].get("id") == email)
    assert row["_id"] and row["timestamp"].endswith("Z")  # assigned by the Edge Network
    assert row["identityMap"]["ECID"] == [{"id": ecid, "authenticatedState": "ambiguous", "primary": False}]
    assert row["web"]["webPageDetails"]["name"] == "shop"
    for namespace, value in (("Email", email), ("ECID", ecid)):
        events = world.profile_events(namespace, value)
        assert [e["_id"] for e in events] == [row["_id"]], (namespace, events)


def test_web_sdk_route_keeps_the_ecid_of_the_identity_cookie(edge_sandbox, world):
    url = f"{edge_sandbox.urls.edge}/ee/v1/interact"
    first = ok(httpx.post(url, params={"configId": world.datastream_id, "requestId": "req-1"},
                          content=orjson.dumps({"events": [page_view()]}), headers={"Content-Type": "text/plain"}))
    assert first["requestId"] == "req-1"
    ecid = handle(first, "identity:result")[0]["id"]
    hint = handle(first, "locationHint:result")[0]["hint"]
    cookie = next(s for s in handle(first, "state:store") if s["key"].endswith("_identity"))
    state = {"entries": [{"key": cookie["key"], "value": cookie["value"]}]}
    # the next call, as alloy makes it: through the location hint, the cookie in meta.state
    second = ok(httpx.post(f"{edge_sandbox.urls.edge}/ee/{hint}/v1/interact",
                           params={"configId": world.datastream_id, "requestId": "req-2"},
                           content=orjson.dumps({"events": [page_view(), page_view()], "meta": {"state": state}}),
                           headers={"Content-Type": "text/plain"}))
    assert handle(second, "identity:result")[0]["id"] == ecid
    assert not any(s["key"].endswith("_identity") for s in handle(second, "state:store"))  # nothing new to store
    assert len(world.profile_events("ECID", ecid)) == 3
    # sendBeacon's collect: no body in the answer
    resp = httpx.post(f"{edge_sandbox.urls.edge}/ee/{hint}/v1/collect", params={"configId": world.datastream_id},
                      content=orjson.dumps({"events": [page_view()], "meta": {"state": state}}))
    assert resp.status_code == 204 and not resp.content
    assert len(world.profile_events("ECID", ecid)) == 4


def test_collect_takes_a_batch_and_is_silent_on_request(edge_sandbox, world):
    url = f"{edge_sandbox.urls.edge}/ee/v2/collect"
    email = f"{unique('batch')}@example.com"
    events = [page_view(email, eventType=f"test.n{i}") for i in range(3)]
    resp = httpx.post(url, params={"datastreamId": world.datastream_id, "silent": "true"}, json={"events": events})
    assert resp.status_code == 204 and not resp.content
    body = ok(httpx.post(url, params={"dataStreamId": world.datastream_id}, json={"events": events[:1]}))
    assert body["requestId"] and body["handle"] == []
    assert sorted(e["eventType"] for e in world.profile_events("Email", email)) == ["test.n0", "test.n0", "test.n1",
                                                                                    "test.n2"]


def test_edge_problems_name_what_is_wrong(edge_sandbox, world):
    edge = edge_sandbox.urls.edge
    ds = {"datastreamId": world.datastream_id}

    def problem(resp, status, code, *words):
        assert resp.status_code == status, resp.text
        assert resp.headers["content-type"].startswith("application/problem+json")
        body = resp.json()
        assert body["type"] == f"https://ns.adobe.com/aep/errors/EXEG-{code}-{status}" and body["status"] == status
        assert body["title"] and body["report"]["requestId"]
        for w in words:
            assert w in body["detail"], body
        return body

    problem(httpx.post(f"{edge}/ee/v2/interact", json={"event": page_view()}), 400, "0001", "datastreamId")
    problem(httpx.post(f"{edge}/ee/v2/interact", params={"datastreamId": "no-such"}, json={"event": page_view()}),
            400, "0003", "[no-such]")
    problem(httpx.post(f"{edge}/ee/v2/interact", params=ds, content=b"{nope"), 400, "0002", "not valid JSON")
    problem(httpx.post(f"{edge}/ee/v2/interact", params=ds, json=[1]), 400, "0002", "JSON object")
    problem(httpx.post(f"{edge}/ee/v2/interact", params=ds, json={"meta": {}}), 400, "0002", "'event'")
    problem(httpx.post(f"{edge}/ee/v2/collect", params=ds, json={"event": page_view()}), 400, "0002", "'events'")
    problem(httpx.post(f"{edge}/ee/v2/collect", params=ds, json={"events": [{"xdm": 3}]}), 400, "0002",
            "/events/0/xdm")
    problem(httpx.post(f"{edge}/ee/v2/interact", params=ds, json={"event": page_view()},
                       headers={"Content-Type": "application/xml"}), 400, "0001", "application/xml")
    problem(httpx.post(f"{edge}/ee/v2/interact", params=ds, content=b"x" * (1024 * 1024 + 1)), 413, "0005")
    problem(httpx.post(f"{edge}/ee/v1/teleport", params={"configId": world.datastream_id},
                       json={"events": [page_view()]}), 400, "0001", "teleport")
    before = len(world.rows())
    bad = page_view(web={"webPageDetails": {"pageViews": {"value": "many"}}})
    body = problem(httpx.post(f"{edge}/ee/v2/collect", params=ds, json={"events": [page_view(), bad]}), 400, "0104",
                   "/events/1/xdm/web/webPageDetails/pageViews/value", "expected type: Number, found: String")
    assert body["report"]["events"][0]["eventIndex"] == 1
    problem(httpx.post(f"{edge}/ee/v2/interact", params=ds, json={"event": page_view(shoeSize=44)}), 400, "0104",
            "extraneous key [shoeSize]")
    assert len(world.rows()) == before  # an input error stores nothing


def test_upstream_failure_is_a_207_with_the_handles(edge_sandbox, world):
    before = len(world.rows())
    edge_sandbox.admin("faults", {"error503": 1.0, "scope": "all"})
    try:
        resp = httpx.post(f"{edge_sandbox.urls.edge}/ee/v2/interact", params={"datastreamId": world.datastream_id},
                          json={"event": page_view()})
    finally:
        edge_sandbox.admin("faults", {})
    assert resp.status_code == 207, resp.text
    body = resp.json()
    assert handle(body, "identity:result")[0]["id"]
    assert body["errors"][0]["type"] == "https://ns.adobe.com/aep/errors/EXEG-0201-503"
    assert body["errors"][0]["status"] == 503 and "not delivered" in body["errors"][0]["detail"]
    assert len(world.rows()) == before


def test_a_datastream_whose_dataset_is_gone_is_a_configuration_error(edge_sandbox, world):
    p = world.p
    ds = dataset(p, world.schema_id, profile=True)
    stream = create_datastream(edge_sandbox, ds)
    assert p.delete(f"/data/foundation/catalog/dataSets/{ds}").status_code in (200, 204)
    resp = httpx.post(f"{edge_sandbox.urls.edge}/ee/v2/interact", params={"datastreamId": stream["id"]},
                      json={"event": page_view()})
    assert resp.status_code == 422 and resp.json()["type"].endswith("EXEG-0204-422"), resp.text


def test_datastream_needs_an_event_dataset(edge_sandbox, world):
    from aep_console.xdm.standard import IDENTITY_MAP, PROFILE

    profile_ds = dataset(world.p, schema(world.p, unique("profiles"), [PROFILE, IDENTITY_MAP]), profile=True)
    resp = httpx.post(f"{edge_sandbox.urls.base}/__sandbox/admin/datastreams", json={"datasetId": profile_ds})
    assert resp.status_code == 400 and "not an XDM ExperienceEvent dataset" in resp.json()["detail"]
    both = create_datastream(edge_sandbox, world.dataset_id, profileDatasetId=profile_ds)
    assert both["profileDatasetId"] == profile_ds


def test_cors_answers_the_exact_origin_with_credentials(edge_sandbox, world):
    url = f"{edge_sandbox.urls.edge}/ee/v1/interact"
    pre = httpx.request("OPTIONS", url, headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST",
                                                 "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 204
    assert pre.headers["access-control-allow-origin"] == ORIGIN
    assert pre.headers["access-control-allow-credentials"] == "true"
    assert "POST" in pre.headers["access-control-allow-methods"]
    assert pre.headers["access-control-allow-headers"] == "content-type"
    ok_resp = httpx.post(url, params={"configId": world.datastream_id}, content=orjson.dumps({"events": [page_view()]}),
                         headers={"Origin": ORIGIN, "Content-Type": "text/plain"})
    bad = httpx.post(url, params={"configId": "nope"}, content=b"{}", headers={"Origin": ORIGIN})
    for resp in (ok_resp, bad):
        assert resp.headers["access-control-allow-origin"] == ORIGIN
        assert resp.headers["access-control-allow-credentials"] == "true"
    assert ok_resp.status_code == 200 and bad.status_code == 400


def test_the_https_port_from_the_config_file_and_datastreams_survive_a_restart(fresh_sandbox, tmp_path):
    config = tmp_path / "sandbox.toml"
    config.write_text("edge_tls_port = 0\n")
    proc = fresh_sandbox(extra_args=["--config", str(config)])
    assert proc.urls.edge_https and proc.urls.edge_https != proc.urls.base
    verify = ssl.create_default_context(cafile=proc.urls.edge_ca)
    resp = httpx.post(f"{proc.urls.edge_https}/ee/v2/interact", params={"datastreamId": "nope"}, json={},
                      verify=verify)
    assert resp.status_code == 400 and resp.json()["type"].endswith("EXEG-0003-400")
    p = Platform(proc)
    stream_id = WebSdkWorld.create(p).datastream_id
    p.close()
    # a restart keeps the datastreams (in the store) and the CA (a browser told to trust it keeps trusting it)
    pem = (proc.data_dir / "tls" / "ca.pem").read_bytes()
    again = proc.restart()
    try:
        assert (again.data_dir / "tls" / "ca.pem").read_bytes() == pem and again.urls.edge_https
        assert ok(httpx.get(f"{again.urls.base}/__sandbox/admin/datastreams/{stream_id}"))["id"] == stream_id
        resp = httpx.post(f"{again.urls.edge_https}/ee/v2/interact", params={"datastreamId": stream_id},
                          json={"event": page_view()}, verify=ssl.create_default_context(cafile=again.urls.edge_ca))
        assert resp.status_code == 200, resp.text
    finally:
        again.stop()


def test_the_https_port_serves_the_edge_host_with_the_sandbox_ca(edge_sandbox, world):
    urls = edge_sandbox.urls
    assert urls.edge_https.startswith("https://127.0.0.1:") and urls.edge_ca
    ca = (edge_sandbox.data_dir / "tls" / "ca.pem")
    assert str(ca) == urls.edge_ca and (edge_sandbox.data_dir / "tls" / "edge-key.pem").stat().st_mode & 0o077 == 0
    verify = ssl.create_default_context(cafile=urls.edge_ca)
    with httpx.Client(verify=verify) as client:
        body = ok(client.post(f"{urls.edge_https}/ee/v1/interact", params={"configId": world.datastream_id},
                              content=orjson.dumps({"events": [page_view()]})))
        assert handle(body, "identity:result")
        # the HTTPS port is the Edge host only
        assert client.get(f"{urls.edge_https}/platform/data/foundation/catalog/dataSets").status_code == 404
    with pytest.raises(httpx.ConnectError):  # not trusted without the sandbox's CA
        httpx.post(f"{urls.edge_https}/ee/v1/interact", params={"configId": world.datastream_id}, content=b"{}")


def test_a_busy_https_port_is_named(tmp_path):
    import socket

    from aep_console.sandbox.launcher import SandboxStartError, start_sandbox

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        with pytest.raises(SandboxStartError) as err:
            start_sandbox(tmp_path / "busy", edge_tls_port=port, timeout=10)
    assert f"cannot listen on 127.0.0.1:{port} (edge TLS)" in str(err.value)
