"""Profile access (entity by identity, POST form, experience events with paging, merge policies) and
Data Access (batch files, download, failed records, preview) after streaming through the client."""

from __future__ import annotations

import uuid

import pytest

from aep_console.aep import NotFoundError, UnprocessableError

from .conftest import make_session
from .world import World


@pytest.fixture(scope="module")
async def fed(sandbox):
    """A world with one profile, its 5 events, and one invalid event (async mode: a failed record)."""
    async with make_session(sandbox) as aep:
        world = await World.create(aep)
        who = f"p{uuid.uuid4().hex[:10]}@example.com"
        await aep.streaming.send(world.inlet, world.envelope(world.member(who)), sync_validation=True)
        events = [world.envelope(world.event(who, f"ev-{i}", f"2020-03-0{i + 1}T06:34:55Z"), event=True)
                  for i in range(5)]
        ack = await aep.streaming.send_batch(world.inlet, events)
        assert ack.accepted == 5, ack.failed
        await aep.streaming.send(world.inlet, world.envelope(world.event(who, 15367038), event=True))
        sandbox.admin("datalake/flush", {})
        yield world, who


async def test_profile_by_identity_get_and_post(aep, fed):
    world, who = fed
    profile = await aep.profiles.get_entity(who, "Email")
    assert profile.xid and profile.entity[f"_{world.tenant}"]["loyaltyID"] == who
    assert world.profile_ds in profile.sources
    assert (await aep.profiles.get_entity(who, "email", fields=["person.name"])).xid == profile.xid
    many = await aep.profiles.get_entities([("Email", who), ("Email", "nobody-" + who)])
    assert [p.xid for p in many] == [profile.xid]
    assert await aep.profiles.find_entity("nobody-" + who, "Email") is None
    with pytest.raises(NotFoundError):
        await aep.profiles.get_entity("nobody-" + who, "Email")


async def test_experience_events_follow_links_next(aep, fed, checked_exchanges):
    _world, who = fed
    first = await aep.profiles.events_page(who, "Email", limit=2)
    assert len(first.children) == 2 and first.next_href
    events = await aep.profiles.list_events(who, "Email", limit=2)
    assert [e.entity_id for e in events] == [f"ev-{i}" for i in range(5)]
    assert sum(1 for e in checked_exchanges if "/access/entities" in e.url) >= 4  # 1 + 3 pages
    windowed = await aep.profiles.list_events(who, "Email", start_time=1583107200000, end_time=1583280000000)
    assert [e.entity_id for e in windowed] == ["ev-1", "ev-2"]  # 2020-03-02 ≤ t < 2020-03-04
    assert len(await aep.profiles.list_events(who, "Email", limit=2, max_pages=1)) == 2


async def test_merge_policies(aep):
    policies = await aep.profiles.list_merge_policies()
    assert policies and policies[0].id
    default = await aep.profiles.default_merge_policy()
    assert default is not None and default.default
    assert (await aep.profiles.get_merge_policy(default.id)).id == default.id
    with pytest.raises(NotFoundError):
        await aep.profiles.get_merge_policy("00000000-0000-0000-0000-000000000000")


async def test_unknown_merge_policy_is_a_typed_error_with_aep_code(aep, fed):
    _world, who = fed
    with pytest.raises(UnprocessableError) as info:
        await aep.profiles.get_entity(who, "Email", merge_policy_id="no-such-policy")
    # AEP answers an unknown merge policy with a 422 typed ".../errors/UPLIB-101221-404" (aepp#27)
    assert info.value.status == 422
    assert info.value.code == "UPLIB-101221-404"


async def test_batches_files_download_failed_records_and_preview(aep, fed):
    world, _who = fed
    batches = await aep.catalog.list_batches(dataset_id=world.event_ds)
    assert len(batches) == 1
    batch = await aep.catalog.get_batch(batches[0].id)
    assert batch.status == "success" and batch.record_count == 5 and batch.failed_record_count == 1
    assert world.event_ds in batch.dataset_ids
    files = await aep.data_access.batch_files(batch.id)
    assert files and files[0].data_set_file_id
    entries = await aep.data_access.file_entries(files[0].data_set_file_id)
    assert entries and entries[0].name
    content = await aep.data_access.download(files[0].data_set_file_id, entries[0].name)
    assert len(content) > 0
    failed = await aep.data_access.failed_records(batch.id)
    assert len(failed) == 1 and "15367038" in str(failed[0])
    meta = await aep.data_access.batch_meta(batch.id)
    assert meta["data"][0]["name"]
    samples = await aep.data_access.batch_meta(batch.id, meta["data"][0]["name"])
    assert "expected type: String, found: Long" in str(samples)
    preview = await aep.data_access.preview(world.event_ds)
    assert {r.get("_id") for r in preview} >= {f"ev-{i}" for i in range(5)}
    ds = await aep.catalog.get_dataset(world.event_ds)
    assert ds.last_batch_id == batch.id
