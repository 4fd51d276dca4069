"""IMS token endpoints and the gateway rules on Platform calls."""

from __future__ import annotations

import time

import httpx
import pytest

from .helpers import Platform, fetch_token

STATS = "/data/foundation/schemaregistry/stats"


def test_token_v3_form(sandbox):
    body = fetch_token(sandbox)
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer" and body["expires_in"] == 86399
    assert body["access_token"].count(".") == 2


def test_token_v3_query_params_and_v2_v1(sandbox):
    c = sandbox.credentials
    q = {
        "grant_type": "client_credentials",
        "client_id": c.client_id,
        "client_secret": c.client_secret,
        "scope": c.scopes,
    }
    r = httpx.post(f"{sandbox.urls.ims}/ims/token/v3", params=q)
    assert r.status_code == 200 and r.json()["expires_in"] == 86399
    for version in ("v2", "v1"):
        r = httpx.post(f"{sandbox.urls.ims}/ims/token/{version}", params=q)
        assert r.status_code == 200, r.text
        assert r.json()["expires_in"] == 86399 * 1000  # older forms: milliseconds
        assert Platform(sandbox, token=r.json()["access_token"]).get(STATS).status_code == 200


@pytest.mark.parametrize(
    ("override", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_id": "nobody"}, 400, "invalid_client"),
        ({"client_id": None}, 400, "invalid_client"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"grant_type": None}, 400, "invalid_request"),
        ({"scope": "openid,superpowers"}, 400, "invalid_scope"),
    ],
)
def test_token_errors(sandbox, override, status, error):
    c = sandbox.credentials
    data = {
        "grant_type": "client_credentials",
        "client_id": c.client_id,
        "client_secret": c.client_secret,
        "scope": c.scopes,
        **override,
    }
    r = httpx.post(f"{sandbox.urls.ims}/ims/token/v3", data={k: v for k, v in data.items() if v is not None})
    assert r.status_code == status
    assert r.json()["error"] == error and r.json()["error_description"]
    assert "sandbox-demo-secret" not in r.text


def test_token_endpoint_method_and_host(sandbox):
    assert httpx.get(f"{sandbox.urls.ims}/ims/token/v3").status_code == 405
    # a client that mixes up its base URLs fails as against AEP
    r = httpx.post(f"{sandbox.urls.platform}/ims/token/v3", data={"grant_type": "client_credentials"})
    assert r.status_code == 404 and "error_code" in r.json()


def test_token_expiry(fresh_sandbox):
    proc = fresh_sandbox(token_lifetime=1)
    tok = fetch_token(proc)
    assert tok["expires_in"] == 1
    p = Platform(proc, token=tok["access_token"])
    assert p.get(STATS).status_code == 200
    time.sleep(1.2)
    r = p.get(STATS)
    assert r.status_code == 401 and r.json() == {
        "error_code": "401013",
        "message": "Oauth token is not valid",
    }


def _headers(sandbox, **changes):
    p = Platform(sandbox)
    h = dict(p.headers)
    for k, v in changes.items():
        k = k.replace("_", "-")
        if v is None:
            h.pop(k, None)
            h.pop(k.title(), None)
        else:
            h[k] = v
    return h


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"Authorization": None}, 403, "403010"),
        ({"x_api_key": None}, 403, "403000"),
        ({"Authorization": "Bearer not-a-token"}, 401, "401013"),
        ({"Authorization": "Basic abc"}, 401, "401013"),
        ({"x_api_key": "someone-else"}, 403, "403003"),
        ({"x_gw_ims_org_id": None}, 400, "400003"),
        ({"x_gw_ims_org_id": "nonsense"}, 403, "403027"),
        ({"x_gw_ims_org_id": "OTHER000000000000000000@AdobeOrg"}, 403, "403025"),
        ({"x_sandbox_name": "nosuch"}, 403, "403026"),
    ],
)
def test_gateway_rules(sandbox, changes, status, code):
    h = _headers(sandbox, **changes)
    r = httpx.get(f"{sandbox.urls.platform}{STATS}", headers=h)
    assert r.status_code == status, r.text
    assert r.json()["error_code"] == code and r.json()["message"]


def test_gateway_sandbox_default_and_case(sandbox):
    h = _headers(sandbox, x_sandbox_name=None)
    assert httpx.get(f"{sandbox.urls.platform}{STATS}", headers=h).status_code == 200
    h = _headers(sandbox, x_sandbox_name="DEV")
    assert httpx.get(f"{sandbox.urls.platform}{STATS}", headers=h).status_code == 200


def test_gateway_tampered_token(sandbox):
    tok = fetch_token(sandbox)["access_token"]
    head, payload, sig = tok.split(".")
    bad = f"{head}.{payload[:-2]}AA.{sig}"
    p = Platform(sandbox, token=bad)
    assert p.get(STATS).status_code == 401


def test_other_org_token_works_for_its_org(sandbox):
    p = Platform(sandbox, sandbox.other_credentials)
    r = p.get(STATS)
    assert r.status_code == 200 and r.json()["tenantId"] == "othertenant"
    assert r.json()["imsOrg"] == "OTHER000000000000000000@AdobeOrg"


def test_unknown_platform_path_is_json_404(sandbox):
    p = Platform(sandbox)
    r = p.get("/data/foundation/nothing/here")
    assert r.status_code == 404 and r.json()["error_code"] == "404010"
