"""Retries, Retry-After, time-outs, dropped connections and the no-blind-POST rule, against the
sandbox's fault injection (``/__sandbox/admin/faults``) on a sandbox of this module's own."""

from __future__ import annotations

import itertools
import socket

import pytest

from aep_console.aep import (
    AEPSession,
    ClientCredentials,
    Endpoints,
    NetworkError,
    RateLimited,
    RequestTimeout,
    RetryPolicy,
    ServiceUnavailable,
    Timeouts,
)
from aep_console.sandbox.launcher import start_sandbox

from .conftest import make_session

COLLECTION = "/collection/0000000000000000000000000000000000000000000000000000000000000000"


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    proc = start_sandbox(tmp_path_factory.mktemp("faulty-sandbox"))
    yield proc
    proc.stop()


@pytest.fixture
def faults(faulty):
    def set_faults(**settings):
        return faulty.admin("faults", settings)

    yield set_faults
    faulty.admin("faults", {})


def session(proc, exchanges, **kw):
    kw.setdefault("retry", RetryPolicy(max_attempts=3, base_delay=0.05, max_delay=0.2, max_retry_after=3))
    return make_session(proc, exchanges=exchanges, **kw)


def starts(exchanges, service="streaming"):
    return [e.started_at for e in exchanges if e.service == service]


# asyncio may fire a timer up to its clock resolution early, so "waited Retry-After: 1" reads as
# >= 0.99 s between attempts (a client that ignored Retry-After would wait ~0.05 s here).


async def test_idempotent_request_honours_retry_after_on_503(faulty, faults, exchanges):
    faults(error503=1.0, retryAfter=1)
    async with session(faulty, exchanges) as aep:
        with pytest.raises(ServiceUnavailable) as info:
            await aep.transport.request("POST", "streaming", COLLECTION, json={}, idempotent=True, auth=False)
    assert info.value.retry_after == 1 and info.value.status == 503
    t = starts(exchanges)
    assert len(t) == 3 and all(b - a >= 0.99 for a, b in itertools.pairwise(t))
    assert faulty.admin("faults", {"error503": 0}).get("injected", {}) == {}  # reset counts


async def test_429_is_retried_after_retry_after_then_succeeds_or_fails_for_real(faulty, faults, exchanges):
    # 50% 429s with a fixed seed: some attempts are refused, then the real answer comes (an error for
    # this unknown connection), which is not retried
    faults(error429=0.5, retryAfter=1, seed=3)
    async with session(faulty, exchanges, retry=RetryPolicy(max_attempts=6, base_delay=0.05)) as aep:
        with pytest.raises(Exception) as info:
            await aep.transport.request("POST", "streaming", COLLECTION, json={}, idempotent=True, auth=False)
    statuses = [e.status for e in exchanges]
    assert statuses[-1] not in (429, 503) and set(statuses[:-1]) == {429}, statuses
    assert info.value.status == statuses[-1]
    t = starts(exchanges)
    assert all(b - a >= 0.99 for a, b in itertools.pairwise(t))


async def test_too_long_retry_after_is_not_waited_for(faulty, faults, exchanges):
    faults(error429=1.0, retryAfter=30)
    async with session(faulty, exchanges) as aep:
        with pytest.raises(RateLimited) as info:
            await aep.transport.request("POST", "streaming", COLLECTION, json={}, idempotent=True, auth=False)
    assert info.value.retry_after == 30 and len(exchanges) == 1


async def test_post_is_never_blindly_retried(faulty, faults, exchanges):
    faults(error503=1.0, retryAfter=0)
    async with session(faulty, exchanges) as aep:
        with pytest.raises(ServiceUnavailable):
            await aep.transport.request("POST", "streaming", COLLECTION, json={"a": 1}, auth=False)
    assert len(exchanges) == 1
    assert faulty.admin("faults", {}).get("injected") in ({}, None)


async def test_create_runs_the_lookup_before_each_retry(faulty, faults, exchanges):
    faults(error503=1.0, retryAfter=0)
    calls = []

    async def lookup():
        calls.append(len(exchanges))  # how many requests had been sent when the lookup ran
        return None

    async with session(faulty, exchanges) as aep:
        with pytest.raises(ServiceUnavailable):
            await aep.transport.create("POST", "streaming", COLLECTION, json={}, auth=False,
                                       parse=lambda r: r, lookup=lookup)
    assert len(exchanges) == 3 and calls == [1, 2]


async def test_create_returns_what_the_lookup_found_without_resending(faulty, faults, exchanges):
    faults(drop=1.0)

    async def lookup():
        return "created-by-the-lost-attempt"

    async with session(faulty, exchanges) as aep:
        result = await aep.transport.create("POST", "streaming", COLLECTION, json={}, auth=False,
                                            parse=lambda r: "fresh", lookup=lookup)
    assert result == "created-by-the-lost-attempt" and len(exchanges) == 1
    assert exchanges[0].status is None and exchanges[0].error


async def test_dropped_connection_retried_only_when_idempotent(faulty, faults, exchanges):
    faults(drop=1.0)
    async with session(faulty, exchanges) as aep:
        with pytest.raises(NetworkError) as info:
            await aep.transport.request("POST", "streaming", COLLECTION, json={}, auth=False)
        assert len(exchanges) == 1
        with pytest.raises(NetworkError):
            await aep.transport.request("POST", "streaming", COLLECTION, json={}, idempotent=True, auth=False)
        assert len(exchanges) == 4
    assert info.value.status is None and "POST" in str(info.value)


async def test_timeouts_are_retried_when_idempotent(faulty, faults, exchanges):
    faults(latencyMs=800)
    async with session(faulty, exchanges, timeouts=Timeouts(read=0.2)) as aep:
        with pytest.raises(RequestTimeout):
            await aep.transport.request("POST", "streaming", COLLECTION, json={}, idempotent=True, auth=False)
        assert len(exchanges) == 3
        with pytest.raises(RequestTimeout):
            await aep.streaming.send("0" * 64, {"header": {}, "body": {}}, authenticate=False)
        assert len(exchanges) == 4  # streaming POSTs: the engine retries, not the client


async def test_streaming_posts_are_sent_once(faulty, faults, exchanges):
    faults(error429=1.0, retryAfter=1)
    async with session(faulty, exchanges) as aep:
        with pytest.raises(RateLimited) as info:
            await aep.streaming.send_batch("0" * 64, [{"header": {}, "body": {}}], authenticate=False)
    assert info.value.retry_after == 1 and len(exchanges) == 1


async def test_connection_refused_is_retried_even_for_post(tmp_path, exchanges):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    aep = AEPSession(Endpoints.from_sandbox(base), ClientCredentials("c", lambda: "s"), "o@AdobeOrg", "prod",
                     on_exchange=exchanges.append,
                     retry=RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02))
    async with aep:
        with pytest.raises(NetworkError) as info:
            await aep.transport.request("POST", "platform", "/x", json={}, auth=False)
    assert len(exchanges) == 3 and "ConnectError" in str(info.value)


async def test_real_get_retries_through_ups_429_and_503_then_succeeds(faulty, faults, exchanges):
    faults(error429=0.35, error503=0.35, retryAfter=1, scope="all", seed=5)
    async with session(faulty, exchanges, retry=RetryPolicy(max_attempts=8, base_delay=0.05)) as aep:
        policies = await aep.profiles.list_merge_policies()
    assert policies and policies[0].id
    ups = [e for e in exchanges if e.service == "platform"]
    statuses = [e.status for e in ups]
    assert statuses[-1] == 200 and set(statuses[:-1]) <= {429, 503} and len(statuses) > 1, statuses
    gaps = [round(b.started_at - a.started_at, 3) for a, b in itertools.pairwise(ups)]
    assert all(g >= 0.99 for g in gaps), (gaps, statuses)  # Retry-After: 1 (and retryAfterMs) honoured


async def test_real_get_retries_transient_500(faulty, faults, exchanges):
    faults(error500=0.5, scope="all", seed=1)  # UPS: 500 "Unable to connect to server"
    async with session(faulty, exchanges, retry=RetryPolicy(max_attempts=8, base_delay=0.01, max_delay=0.05)) as aep:
        assert await aep.profiles.list_merge_policies()
    ups = [e.status for e in exchanges if e.service == "platform"]
    assert ups[-1] == 200 and 500 in ups[:-1]


async def test_single_send_with_retry_flag_retries_refusals_only(faulty, faults, exchanges):
    faults(error503=0.5, retryAfter=1, seed=1)  # 0.13 → 503, then 0.85 → through (unknown inlet: 400)
    async with session(faulty, exchanges) as aep:
        with pytest.raises(Exception) as info:
            await aep.streaming.send("0" * 64, {"header": {}, "body": {}}, authenticate=False, retry=True)
        assert [e.status for e in exchanges] == [503, info.value.status] and info.value.status not in (429, 503)
        assert exchanges[1].started_at - exchanges[0].started_at >= 0.99
        faults(drop=1.0)
        with pytest.raises(NetworkError):
            await aep.streaming.send("0" * 64, {"header": {}, "body": {}}, authenticate=False, retry=True)
        assert len(exchanges) == 3  # a lost answer is never re-sent
