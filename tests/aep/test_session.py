"""AEPSession wiring: check(), static tokens, exchange hooks (sync, async, broken), sandbox name,
connection reuse, and the refusal of insecure endpoints before anything is sent."""

from __future__ import annotations

import asyncio

import pytest

from aep_console.aep import (
    AEPSession,
    AuthError,
    ClientCredentials,
    Endpoints,
    InsecureEndpointError,
    NotFoundError,
)
from aep_console.aep.ims import StaticTokenProvider

from .conftest import make_session


async def test_check_returns_the_tenant(aep, sandbox):
    assert await aep.check() == sandbox.credentials.tenant_id
    assert "secret" not in repr(aep).lower()


async def test_second_sandbox_name_is_sent(sandbox, exchanges):
    creds = sandbox.credentials
    async with AEPSession(Endpoints.from_sandbox(sandbox.urls), ClientCredentials.from_demo(creds), creds.org_id,
                          "DEV", on_exchange=exchanges.append) as aep:
        await aep.identity.list_namespaces()
    assert exchanges[-1].request_headers["x-sandbox-name"] == "dev"


async def test_other_org_is_isolated(sandbox, uniq):
    async with make_session(sandbox) as mine, make_session(sandbox, sandbox.other_credentials) as theirs:
        assert await theirs.check() == sandbox.other_credentials.tenant_id
        created = await mine.flows.create_streaming_connection(f"Private {uniq}")
        with pytest.raises(NotFoundError):
            await theirs.flows.get_connection(created.id)


async def test_static_token(sandbox, exchanges):
    async with make_session(sandbox) as donor:
        token = await donor.ims.get_token()
    creds = sandbox.credentials
    provider = StaticTokenProvider(token, client_id=creds.client_id)
    async with AEPSession(Endpoints.from_sandbox(sandbox.urls), provider, creds.org_id, "prod",
                          on_exchange=exchanges.append) as aep:
        assert (await aep.schemas.stats()).tenant_id == creds.tenant_id
        assert all(e.service == "platform" for e in exchanges)  # no IMS call
    bad = StaticTokenProvider("not-a-token", client_id=creds.client_id)
    async with AEPSession(Endpoints.from_sandbox(sandbox.urls), bad, creds.org_id, "prod") as aep:
        with pytest.raises(AuthError, match="cannot be refreshed"):
            await aep.schemas.stats()


async def test_async_and_broken_hooks_never_break_requests(sandbox):
    seen: list = []

    async def async_hook(exchange):
        await asyncio.sleep(0)
        seen.append(exchange.url)

    async with make_session(sandbox) as aep:
        aep.on_exchange = async_hook
        await aep.identity.list_namespaces()
        await asyncio.sleep(0.05)
        assert any(u.endswith("/idnamespace/identities") for u in seen)

        def broken(exchange):
            raise RuntimeError("subscriber bug")

        aep.on_exchange = broken
        assert await aep.identity.list_namespaces()


async def test_keep_alive_reuses_connections(aep):
    for _ in range(5):
        await aep.identity.list_namespaces()
    pool = getattr(getattr(aep.transport.client, "_transport", None), "_pool", None)
    if pool is None:
        pytest.skip("this httpx version does not expose its connection pool")
    assert len(pool.connections) == 1


def test_insecure_endpoints_refused_before_any_request():
    with pytest.raises(InsecureEndpointError, match="plain http"):
        AEPSession(Endpoints("https://ims-na1.adobelogin.com", "http://platform.example.com",
                             "https://dcs.adobedc.net"), ClientCredentials("c", lambda: "s"), "o", "prod")
    with pytest.raises(TypeError):
        AEPSession("http://127.0.0.1:1", ClientCredentials("c", lambda: "s"), "o", "prod")  # type: ignore[arg-type]
