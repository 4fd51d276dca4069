"""TokenProvider against the sandbox's IMS: caching, refresh before expiry, refresh on 401,
one shared refresh for concurrent callers, clear errors without secrets."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from aep_console.aep import AEPSession, ClientCredentials, Endpoints, TokenError
from aep_console.aep.ims import AccessToken

from .conftest import make_session


async def test_token_is_fetched_once_and_cached(aep):
    token = await aep.ims.get_token()
    assert token and aep.ims.fetch_count == 1
    assert await aep.ims.get_token() == token and aep.ims.fetch_count == 1
    assert aep.ims.token.lifetime > 3600  # expires_in in seconds (v3)
    assert token not in repr(aep.ims) and token not in repr(aep.ims.token)


async def test_concurrent_callers_share_one_fetch_and_one_refresh(aep):
    tokens = await asyncio.gather(*(aep.ims.get_token() for _ in range(20)))
    assert len(set(tokens)) == 1 and aep.ims.fetch_count == 1
    stale = tokens[0]
    refreshed = await asyncio.gather(*(aep.ims.refresh(stale=stale) for _ in range(10)))
    assert len(set(refreshed)) == 1 and aep.ims.fetch_count == 2


async def test_refresh_before_expiry(fresh_sandbox):
    proc = fresh_sandbox(token_lifetime=4)
    async with make_session(proc, token_margin=300) as aep:
        first = await aep.ims.get_token()
        assert aep.ims.token.lifetime == pytest.approx(4, abs=0.5)
        assert await aep.ims.get_token() == first  # well inside the (lifetime/2) margin
        await asyncio.sleep(2.2)  # past expiry - margin, before expiry: refreshed proactively
        second = await aep.ims.get_token()
        assert second != first and aep.ims.fetch_count == 2
        await asyncio.sleep(4.5)  # the first token is now expired on the server; calls still work
        assert (await aep.schemas.stats()).tenant_id == proc.credentials.tenant_id
        assert aep.ims.fetch_count == 3


async def test_401_refreshes_once_and_repeats(sandbox, exchanges):
    async with make_session(sandbox, exchanges=exchanges) as aep:
        await aep.ims.get_token()
        # the server no longer accepts our cached token (revoked/expired early): a 401 comes back
        aep.ims._token = dataclasses.replace(aep.ims.token, value="revoked." + aep.ims.token.value[::-1])
        stats = await aep.schemas.stats()
        assert stats.tenant_id == sandbox.credentials.tenant_id
        assert aep.ims.fetch_count == 2
        statuses = [(e.service, e.status) for e in exchanges]
        assert statuses == [("ims", 200), ("platform", 401), ("ims", 200), ("platform", 200)]


async def test_wrong_secret_gives_a_clear_error_without_the_secret(sandbox):
    creds = ClientCredentials(sandbox.credentials.client_id, lambda: "canary-WRONG-secret-42")
    async with AEPSession(Endpoints.from_sandbox(sandbox.urls), creds, sandbox.credentials.org_id, "prod") as aep:
        with pytest.raises(TokenError) as info:
            await aep.ims.get_token()
    text = str(info.value)
    assert "canary-WRONG-secret-42" not in text and "client_secret" in text
    assert info.value.status == 401 and info.value.code == "invalid_client"
    assert sandbox.credentials.client_id in text


async def test_unknown_client_and_async_secret_source(sandbox):
    async def secret():
        return sandbox.credentials.client_secret

    creds = ClientCredentials(sandbox.credentials.client_id, secret)
    async with AEPSession(Endpoints.from_sandbox(sandbox.urls), creds, sandbox.credentials.org_id, "prod") as aep:
        assert await aep.ims.get_token()
    creds = ClientCredentials("no-such-client", secret)
    async with AEPSession(Endpoints.from_sandbox(sandbox.urls), creds, sandbox.credentials.org_id, "prod") as aep:
        with pytest.raises(TokenError) as info:
            await aep.ims.get_token()
        assert info.value.status == 400


async def test_empty_secret_is_refused_before_any_request(sandbox, exchanges):
    creds = ClientCredentials("x", lambda: "")
    async with AEPSession(Endpoints.from_sandbox(sandbox.urls), creds, "o@AdobeOrg", "prod",
                          on_exchange=exchanges.append) as aep:
        with pytest.raises(TokenError, match="no client secret"):
            await aep.ims.get_token()
    assert exchanges == []


async def test_exchanges_are_redacted(sandbox, exchanges):
    async with make_session(sandbox, exchanges=exchanges) as aep:
        token = await aep.ims.get_token()
        await aep.schemas.stats()
    secret = sandbox.credentials.client_secret
    ims, platform = exchanges[0], exchanges[1]
    assert ims.method == "POST" and ims.url.endswith("/ims/ims/token/v3") and ims.status == 200
    assert "client_secret=***REDACTED***" in ims.request_body and "grant_type=client_credentials" in ims.request_body
    assert platform.request_headers["authorization"] == "Bearer ***REDACTED***"
    assert platform.request_headers["x-api-key"] == sandbox.credentials.client_id
    assert platform.request_headers["x-gw-ims-org-id"] == sandbox.credentials.org_id
    assert platform.request_headers["x-sandbox-name"] == "prod"
    for e in exchanges:
        blob = repr(dataclasses.asdict(e)) + e.as_curl()
        assert secret not in blob and token not in blob
        assert e.duration_ms > 0 and e.started_at > 0
    assert "Bearer ${ACCESS_TOKEN}" in platform.as_curl()


def test_access_token_repr_hides_value():
    t = AccessToken("very-secret-token", 10.0, 5.0)
    assert "very-secret-token" not in repr(t)
