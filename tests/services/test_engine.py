"""The streaming engine against the real sandbox: samples, CSV, pause/resume/cancel, resume, errors."""

from __future__ import annotations

import asyncio
import json
from collections import Counter

import pytest

from aep_console.aep.streaming import parse_message_results
from aep_console.services.bulk import BulkRun, RunExists
from aep_console.services.engine import classify
from aep_console.services.engine_types import ABORTED, CANCELLED, DONE, EngineOptions, SendTarget
from aep_console.services.journal import Journal
from aep_console.services.sending import SyncValidationLimiter, send_one

from .svc_datalake import dataset_records
from .svc_records import loyalty_ids, member, write_members


async def test_tutorial_samples(sandbox, open_local_session, tutorial, shared_dir, app_home, tmp_path):
    profiles = shared_dir / "samples" / "AEP loyalty profiles.json"
    events = shared_dir / "samples" / "AEP loyalty events.json"
    async with open_local_session(sandbox) as session:
        report = await BulkRun(session, profiles, tutorial["members"]).start()
        assert report.state == DONE and report.progress.accepted == 25 and report.ok, report.summary()
        bad = await BulkRun(session, events, tutorial["events"], dead_letter_path=tmp_path / "dl.jsonl").start()
        assert bad.progress.invalid == 20 and bad.progress.accepted == 0 and bad.progress.requests == 0
        dead = [json.loads(line) for line in (tmp_path / "dl.jsonl").read_text().splitlines()]
        assert len(dead) == 20 and dead[0]["index"] == 0 and dead[0]["line"] == 1
        assert "$._id: expected type: String, found: Long" in dead[0]["reason"]
        assert dead[0]["record"]["eventType"] == "loyaltyBalanceUpdate"
        summary = bad.summary()  # what the command line prints: the first reasons and the way out
        assert "record 0 (line 1): $._id: expected type: String, found: Long" in summary
        assert summary.count("expected type: String") == 5 and "--string-ids" in summary
        fixed = await BulkRun(session, events, tutorial["events"], restart=True,
                              options=EngineOptions(string_ids=True)).start()
        assert fixed.ok and fixed.progress.accepted == 20, fixed.summary()
        lake = await dataset_records(session, sandbox, tutorial["profile_dataset_id"])
    with open(profiles) as fh:
        expected = {r["_exchangeinternal"]["loyaltyID"] for r in json.load(fh)}
    assert expected <= set(loyalty_ids(lake))


async def test_csv_with_mapping(sandbox, open_local_session, tutorial, app_home, tmp_path):
    f = tmp_path / "members.csv"
    f.write_text("email,points,level,first\nc1@x.com,10,Gold,Ann\nc2@x.com,oops,Gold,Bob\nc3@x.com,30,Silver,Cy\n")
    mapping = {"email": "_exchangeinternal.loyaltyID", "points": "_exchangeinternal.totalLoyaltyPoints:integer",
               "level": "_exchangeinternal.loyaltyLevel", "first": "person.name.firstName"}
    results = []
    async with open_local_session(sandbox) as session:
        report = await BulkRun(session, f, tutorial["members"], mapping=mapping, on_result=results.append).start()
    assert report.state == DONE and report.progress.accepted == 2 and report.progress.unreadable == 1
    by_index = {r.index: r for r in results}
    assert by_index[1].status == "unreadable" and by_index[1].line == 3 and "'points'" in by_index[1].reason
    assert by_index[0].status == by_index[2].status == "accepted" and by_index[0].xaction_id


@pytest.mark.parametrize("workers", [0, 1], ids=["one-process", "worker-process"])
async def test_pause_resume_cancel_then_resume_the_run(sandbox, open_local_session, tutorial, app_home, tmp_path,
                                                      workers):
    n = 30_000
    start = 1_000_000 + workers * 100_000
    f = tmp_path / "members.jsonl"
    write_members(f, n, start=start)
    opts = EngineOptions(concurrency=4, max_batch_messages=500, workers=workers)
    async with open_local_session(sandbox) as session:
        run = BulkRun(session, f, tutorial["members"], options=opts)
        task = asyncio.ensure_future(run.start())
        while run.sender.progress.accepted == 0:
            await asyncio.sleep(0.01)
        run.pause()
        while run.sender.progress.in_flight:
            await asyncio.sleep(0.01)
        held = run.sender.progress.requests
        await asyncio.sleep(0.5)
        assert run.sender.progress.requests == held and run.sender.paused  # nothing sent while paused
        run.resume()
        while run.sender.progress.accepted < 5_000:
            await asyncio.sleep(0.01)
        run.cancel()
        first = await task
        assert first.state == CANCELLED and 5_000 <= first.progress.accepted < n
        assert "resumed" in first.summary()
        with pytest.raises(RunExists, match="--resume"):
            BulkRun(session, f, tutorial["members"])
        second = await BulkRun(session, f, tutorial["members"], options=opts, resume=True).start()
        assert second.state == DONE and second.resumed
        assert second.progress.skipped == first.progress.accepted
        state = Journal(run.journal.path).read()
        assert state.complete and state.accepted == n and len(state.done) == n
        lake = await dataset_records(session, sandbox, tutorial["profile_dataset_id"])
    expected = {member(i)["_exchangeinternal"]["loyaltyID"] for i in range(start, start + n)}
    ids = Counter(i for i in loyalty_ids(lake) if i in expected)
    assert expected <= set(ids)  # nothing lost
    twice = sum(c - 1 for c in ids.values())
    assert twice <= opts.concurrency * opts.max_batch_messages  # at most what was in flight at the cancel


async def test_credentials_refused_aborts_resumably(sandbox, open_local_session, tutorial, app_home, tmp_path):
    f = tmp_path / "m.jsonl"
    write_members(f, 10)
    async with open_local_session(sandbox, secret="wrong-secret") as session:
        run = BulkRun(session, f, tutorial["members"],
                      options=EngineOptions(validate=False))
        report = await run.start()
    assert report.state == ABORTED and "refused the credentials" in report.error and report.progress.accepted == 0
    assert Journal(run.journal.path).read().accepted == 0


async def test_unknown_connection_aborts_with_the_reason(sandbox, open_local_session, tutorial, app_home, tmp_path):
    f = tmp_path / "m.jsonl"
    write_members(f, 10)
    t = tutorial["members"]
    bogus = SendTarget("f" * 64, t.dataset_id, t.schema_id, t.org_id)
    async with open_local_session(sandbox) as session:
        report = await BulkRun(session, f, bogus).start()
    assert report.state == ABORTED and report.error and report.progress.accepted == 0


def test_207_results_in_both_forms():
    newer = parse_message_results([{"xactionId": "u-0"}, {"xactionId": "u-1", "status": 400, "message": "bad"},
                                   {"xactionId": "u-2", "status": 503, "message": "later"}], 4)
    older = parse_message_results([{"xactionId": "1:2:3"}, {"statusCode": 400, "message": "bad"},
                                   {"statusCode": 500, "message": "oops"}], 3)
    assert [classify(r) for r in newer] == ["ok", "dead", "retry", "retry"]  # the 4th had no answer
    assert [classify(r) for r in older] == ["ok", "dead", "retry"]


async def test_single_send_with_sync_validation(sandbox, open_local_session, tutorial):
    from aep_console.services.bulk import load_validator

    t = tutorial["members"]
    async with open_local_session(sandbox) as session:
        validator = await load_validator(session, t.schema_id)
        ok = await send_one(session, t, member(5), validator=validator)
        assert ok.ok and ok.sync_validation == "pass" and ok.xaction_id
        bad = {"_exchangeinternal": {"loyaltyID": 42}}
        local = await send_one(session, t, bad, validator=validator)
        assert not local.ok and not local.sent and local.violations[0]["json_path"] == "$._exchangeinternal.loyaltyID"
        remote = await send_one(session, t, bad, validator=validator, force=True)
        assert not remote.ok and remote.sent and remote.sync_validation == "fail"
        assert any(v["json_path"] == "$._exchangeinternal.loyaltyID" for v in remote.violations)


async def test_sync_validation_limiter_holds_under_60_per_minute():
    now = [0.0]
    limiter = SyncValidationLimiter(clock=lambda: now[0])
    for _ in range(59):
        await limiter.acquire("c")
    assert limiter.delay_for("c") == pytest.approx(60.0)
    assert limiter.delay_for("other") == 0
    now[0] = 30.0
    assert limiter.delay_for("c") == pytest.approx(30.0)
    now[0] = 60.0
    assert limiter.delay_for("c") == 0


async def test_a_record_over_1_mb_is_dead_lettered_with_the_reason(sandbox, open_local_session, tutorial,
                                                                   app_home, tmp_path):
    big = member(1)
    big["_exchangeinternal"]["loyaltyLevel"] = "x" * 1_100_000
    f = tmp_path / "big.jsonl"
    f.write_text(json.dumps(member(2)) + "\n" + json.dumps(big) + "\n")
    results = []
    async with open_local_session(sandbox) as session:
        report = await BulkRun(session, f, tutorial["members"], on_result=results.append).start()
    assert report.state == DONE and report.progress.accepted == 1 and report.progress.failed == 1
    (dead,) = [r for r in results if r.status == "failed"]
    assert dead.index == 1 and dead.line == 2 and dead.http_status == 413 and "1,000,000 bytes" in dead.reason


async def test_stop_after_failures_ends_a_hopeless_run_early(sandbox, open_local_session, tutorial, app_home,
                                                            tmp_path):
    """Every record invalid (events sent to the profile dataset): the run stops after K failures,
    resumable, instead of reading the whole file."""
    path = tmp_path / "events.jsonl"
    with open(path, "w") as fh:
        for i in range(5000):
            fh.write(json.dumps({"_id": f"e{i}", "eventType": "x", "timestamp": "2024-01-01T00:00:00Z",
                                 "_exchangeinternal": {"loyaltyID": f"u{i}@x.y", "pointsEarned": 1}}) + "\n")
    async with open_local_session(sandbox) as session:
        from aep_console.xdm.validate import compile_validator

        validator = compile_validator(await session.schemas.get_full_schema(tutorial["members"].schema_id))
        report = await BulkRun(session, path, tutorial["members"], validator=validator,
                               options=EngineOptions(stop_after_failures=50)).start()
        unlimited = await BulkRun(session, path, tutorial["members"], validator=validator, restart=True).start()
    assert report.state == ABORTED and report.error_kind == "failures", report.summary()
    assert 50 <= report.progress.invalid < 1050 and report.progress.read < 5000
    assert "stopped early" in (report.error or "")
    assert unlimited.state == DONE and unlimited.progress.invalid == 5000  # the default: no limit
