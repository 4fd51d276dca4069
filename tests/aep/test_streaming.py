"""Streaming client against the sandbox's DCS: single messages (with/without sync validation, both
parameter names), batches with per-message results, HTTP API dataflows with flow id, 413, 429,
authenticated inlets (401, token refresh), partial failures; never retried by the client."""

from __future__ import annotations

import uuid

import orjson
import pytest

from aep_console.aep import AuthError, PayloadTooLarge, RateLimited, ValidationFailed

from .conftest import make_session
from .world import World


@pytest.fixture(scope="module")
async def world(sandbox):
    async with make_session(sandbox) as aep:
        yield await World.create(aep)


def email() -> str:
    return f"s{uuid.uuid4().hex[:10]}@example.com"


async def test_single_message(aep, world, checked_exchanges):
    ack = await aep.streaming.send(world.inlet, world.envelope(world.member(email())))
    assert ack.status == 200 and ack.inlet_id == world.inlet and ack.xaction_id
    assert ack.received_time_ms > 0 and ack.validation_passed is None
    assert ack.duration_s > 0 and ack.started_at > 0
    ex = checked_exchanges[-1]
    assert ex.service == "streaming" and ex.url.endswith(f"/dcs/collection/{world.inlet}")
    assert ex.request_headers["content-type"] == "application/json"


@pytest.mark.parametrize("legacy", [False, True])
async def test_sync_validation_pass(aep, world, legacy, checked_exchanges):
    ack = await aep.streaming.send(world.inlet, world.envelope(world.member(email())), sync_validation=True,
                                   legacy_sync_param=legacy)
    assert ack.validation_passed is True
    assert ("synchronousValidation=true" if legacy else "syncValidation=true") in checked_exchanges[-1].url


async def test_sync_validation_failure_is_validation_failed(aep, world):
    bad = world.event(email(), _id=15367038)
    bad["workEmail"] = {"address": "x@example.com"}
    with pytest.raises(ValidationFailed) as info:
        await aep.streaming.send(world.inlet, world.envelope(bad, event=True), sync_validation=True)
    err = info.value
    assert err.status == 400 and err.title == "Invalid XDM Message Format"
    pointers = {v["pointerToViolation"] for v in err.violations}
    assert "#/_id" in pointers
    assert any(v["message"] == "expected type: String, found: Long" for v in err.violations)
    assert world.inlet in err.message


async def test_batch_results_per_message(aep, world, checked_exchanges):
    good = [world.envelope(world.member(email())) for _ in range(3)]
    no_header = {"body": good[0]["body"]}
    ack = await aep.streaming.send_batch(world.inlet, [good[0], no_header, good[1], good[2]])
    assert ack.http_status == 207 and ack.inlet_id == world.inlet
    assert [r.ok for r in ack.results] == [True, False, True, True]
    bad = ack.results[1]
    assert bad.status == 400 and "header" in bad.message and bad.index == 1
    assert ack.accepted == 3 and [r.index for r in ack.failed] == [1]
    checked_exchanges.clear()  # that batch broke the spec on purpose (a message without header)
    body = orjson.dumps({"messages": good})
    again = await aep.streaming.send_batch(world.inlet, body=body, count=3)
    assert again.accepted == 3 and again.duration_s > 0


async def test_body_over_1mb_is_payload_too_large(aep, world):
    big = world.member(email())
    big["person"]["name"]["lastName"] = "x" * 1_100_000
    with pytest.raises(PayloadTooLarge) as info:
        await aep.streaming.send(world.inlet, world.envelope(big))
    assert info.value.status == 413


async def test_rate_limit_is_raised_with_retry_after_and_not_retried(aep, world, sandbox, checked_exchanges):
    sandbox.admin("limits", {"requestsPerSecond": 1})
    try:
        outcomes = []
        for _ in range(4):
            try:
                await aep.streaming.send(world.inlet, world.envelope(world.member(email())))
                outcomes.append(200)
            except RateLimited as err:
                assert err.retry_after is not None and err.retry_after >= 0
                outcomes.append(429)
    finally:
        sandbox.admin("limits", {"requestsPerSecond": None})
    assert 429 in outcomes
    assert len([e for e in checked_exchanges if e.service == "streaming"]) == 4


async def test_http_api_dataflow_with_flow_id_and_authentication(sandbox, world, checked_exchanges):
    async with make_session(sandbox, exchanges=checked_exchanges) as aep:
        base = await aep.flows.create_streaming_connection(f"Auth {world.tag}", authenticated=True)
        inlet = (await aep.flows.get_connection(base.id)).inlet_id
        source = await aep.flows.create_source_connection(f"Auth src {world.tag}", base.id)
        target = await aep.flows.create_target_connection(f"Auth tgt {world.tag}", world.profile_ds,
                                                          world.profile_schema)
        flow = await aep.flows.create_flow(f"Auth flow {world.tag}", [source.id], [target.id])
        message = world.envelope(world.member(email()), flow_id=flow.id)
        with pytest.raises(AuthError) as info:
            await aep.streaming.send(inlet, message, authenticate=False)
        assert info.value.status == 401 and "token" in info.value.message.lower()
        ack = await aep.streaming.send(inlet, message, flow_id=flow.id)
        assert ack.status == 200
        sent = checked_exchanges[-1]
        assert sent.request_headers["x-adobe-flow-id"] == flow.id
        assert sent.request_headers["authorization"] == "Bearer ***REDACTED***"
        # a token the inlet no longer accepts: one refresh, one repeat, accepted
        import dataclasses

        aep.ims._token = dataclasses.replace(aep.ims.token, value="stale." + aep.ims.token.value[::-1])
        fetched = aep.ims.fetch_count
        batch = await aep.streaming.send_batch(inlet, [message], flow_id=flow.id)
        assert batch.accepted == 1 and aep.ims.fetch_count == fetched + 1
        assert [e.status for e in checked_exchanges[-3:]] == [401, 200, 207]


async def test_partial_failures_in_both_forms_are_failures(aep, world, sandbox):
    sandbox.admin("faults", {"partial": 0.5, "seed": 11})
    try:
        ack = await aep.streaming.send_batch(world.inlet, [world.envelope(world.member(email())) for _ in range(20)])
    finally:
        sandbox.admin("faults", {})
    failed = ack.failed
    assert 0 < len(failed) < 20 and all(r.status == 503 for r in failed)
    assert ack.accepted + len(failed) == 20


async def test_a_batch_post_looks_for_no_module(aep, world):
    """Sending searches ``sys.path`` for no module: a failed import is not cached by Python, so a library
    that tries one per request pays a file-system search every time (httpcore without sniffio did,
    ~0.2 µs per streamed record). Imports already done cost nothing and are not seen here."""
    import sys

    body = orjson.dumps({"messages": [world.envelope(world.member(email())) for _ in range(3)]})
    await aep.streaming.post_batch(world.inlet, body, 3)  # the connection and everything lazy, set up

    class Spy:
        def __init__(self) -> None:
            self.looked: list[str] = []

        def find_spec(self, name, path=None, target=None):
            self.looked.append(name)

    spy = Spy()
    sys.meta_path.insert(0, spy)
    try:
        for _ in range(3):
            reply = await aep.streaming.post_batch(world.inlet, body, 3)
            assert reply.all_ok
    finally:
        sys.meta_path.remove(spy)
    assert spy.looked == []
