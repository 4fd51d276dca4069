"""Records prepared by worker processes are exactly those one process prepares (order, indexes, lines,
located errors, dead letters), the 207 fast path decides only when every message was accepted, and the
engine keeps AEP's guardrail rates when asked to."""

from __future__ import annotations

import asyncio
import itertools
import json

import orjson

from aep_console.aep.streaming import BatchReply
from aep_console.services.bulk import BulkRun, load_validator
from aep_console.services.engine_types import DONE, EngineOptions
from aep_console.services.history import HistoryStore
from aep_console.services.journal import Journal
from aep_console.services.pacing import AEP_MESSAGES_PER_SECOND, Pacer, rate
from aep_console.services.prepare import Prepared, Preparer, prepared_jsonl_here
from aep_console.services.prepare_pool import PrepareSpec, make_pool, prepared_jsonl
from aep_console.services.sources import read_records

from .svc_records import member


def _mixed_file(path, n: int = 3000) -> dict[int, str]:
    """JSON Lines with a BOM, blank lines, broken JSON, a non-object, invalid records, records that are
    valid but not written as orjson writes them (spaces, escapes, CRLF), integers beyond 64 bits and a
    record over DCS's 1 MB, the last line without its newline; returns the expected outcome kind by
    record index for the bad ones."""
    bad: dict[int, str] = {}
    lines = []
    for i in range(n):
        index = i
        rec = member(50_000 + i)
        if i == 1500:
            rec["person"]["name"]["middleName"] = "x" * 1_100_000  # valid, but over 1 MB as a message
            lines.append(orjson.dumps(rec))
            bad[index] = "failed"
        elif i % 97 == 1:
            lines.append(json.dumps(rec).encode())  # ", " and ": ": the same record, written otherwise
        elif i % 101 == 2:
            lines.append(json.dumps(rec, ensure_ascii=True).replace("First", "\\u0046irst").encode() + b"\r")
        elif i % 499 == 9:
            lines.append(orjson.dumps(rec)[:-1] + b', "big": 123456789012345678901234567890}')
            bad[index] = "unreadable"  # beyond 64 bits (reported before the schema's extraneous key)
        elif i % 397 == 5:
            lines.append(b'{"person": {"name": ')  # truncated JSON
            bad[index] = "unreadable"
        elif i % 613 == 7:
            lines.append(b"[1, 2]")
            bad[index] = "unreadable"
        elif i % 733 == 11:
            lines.append(b'{"person": {"gender": "male"}, "person": {}}')  # a duplicate key
            bad[index] = "unreadable"
        elif i % 877 == 13:
            lines.append(b'{"person": {"gender": "\xff"}}')  # invalid UTF-8
            bad[index] = "unreadable"
        elif i % 211 == 3:
            rec["_exchangeinternal"]["totalLoyaltyPoints"] = "many"
            lines.append(orjson.dumps(rec))
            bad[index] = "invalid"
        else:
            lines.append(orjson.dumps(rec))
        if i % 500 == 250:
            lines.append(b"   ")  # a blank line: no record
    path.write_bytes(b"\xef\xbb\xbf" + b"\n".join(lines))  # no newline after the last line
    return bad


def _flat(prepared: list[Prepared]):
    sent = [(i, line, b.message(k)) for p in prepared for b in p.batches
            for k, (i, line) in enumerate(zip(b.indexes, b.lines, strict=True))]
    dead = [(r.index, r.line, kind, why, st) for p in prepared for r, kind, why, st in p.dead]
    return sent, dead


async def test_blocks_and_worker_processes_prepare_what_the_reader_prepares(sandbox, open_local_session, tutorial,
                                                                            tmp_path):
    """JSON Lines are prepared block by block (``Preparer.feed_jsonl``: in the engine's process, and in
    worker processes), not record by record through the reader; what comes out is the same, request
    bodies and dead letters alike, byte for byte and reason for reason."""
    f = tmp_path / "mixed.jsonl"
    bad = _mixed_file(f)
    async with open_local_session(sandbox) as session:
        validator = await load_validator(session, tutorial["members"].schema_id)
    prefix, suffix = b'{"header":{},"body":{"xdmEntity":', b"}}"
    skip = {0, 1, 2, 1000, 1500, 2999}
    for skipped in (None, skip):
        reader = Preparer(prefix, suffix, validator=validator, max_bytes=50_000)
        one = reader.feed((r for r in read_records(f) if skipped is None or r.index not in skipped), Prepared())
        reader.flush(one)
        here = Preparer(prefix, suffix, validator=validator, max_bytes=50_000)
        blocks = [p async for p in prepared_jsonl_here(here, f, skipped, block_bytes=20_000)]
        spec = PrepareSpec(str(f), prefix, suffix, validator.resolved, False, 50_000, 2000)
        pool = make_pool(spec, 2)
        try:
            many = [p async for p in prepared_jsonl(f, pool, workers=2, skip=skipped, block_bytes=20_000)]
        finally:
            pool.shutdown()
        assert len(many) > 20 and len(blocks) > 20  # really split into many blocks
        assert _flat(blocks) == _flat([one])
        assert _flat(many) == _flat([one])
        assert sum(p.read for p in blocks) == sum(p.read for p in many) == one.read
        sent, dead = _flat(many)
        assert [d[0] for d in dead] == sorted(set(bad) - (skipped or set()))  # dead letters in record order
        assert {d[0]: d[2] for d in dead} == {i: k for i, k in bad.items() if i not in (skipped or set())}
        assert all(json.loads(m) == {"header": {}, "body": {"xdmEntity": member(50_000 + i)}} for i, _, m in sent)
    truncated = next(d for d in dead if d[2] == "unreadable" and "invalid JSON" in d[3] and d[1] > 1000)
    assert f"record {truncated[0]} (line {truncated[1]}): invalid JSON" in truncated[3]
    assert f"(line {truncated[1]}," in truncated[3]  # the line counted from the file's start, not the block's
    utf8 = [d for d in dead if "invalid UTF-8" in d[3]]
    assert len(utf8) >= 2 and all(f"(line {d[1]}," in d[3] for d in utf8)
    assert any("duplicate key" in d[3] for d in dead)


async def test_engine_with_worker_processes_one_outcome_per_record(sandbox, open_local_session, tutorial, app_home,
                                                                 tmp_path):
    f = tmp_path / "mixed.jsonl"
    bad = _mixed_file(f)
    results = []
    async with open_local_session(sandbox) as session:
        run = BulkRun(session, f, tutorial["members"], options=EngineOptions(workers=1, max_batch_messages=300),
                      on_result=results.append)
        report = await run.start()
    p = report.progress
    assert report.state == DONE and p.read == 3000 and p.accepted == 3000 - len(bad)
    assert sorted(r.index for r in results) == list(range(3000))  # exactly one outcome each
    letters = [json.loads(line) for line in report.dead_letter_path.read_text().splitlines()]
    assert [d["index"] for d in letters] == sorted(bad) and all(d["outcome"] == bad[d["index"]] for d in letters)
    state = Journal(report.journal_path).read()
    assert state.complete and len(state.done) == 3000 and state.dead_lettered == len(bad)


def test_the_207_fast_path_needs_every_message_accepted():
    ok = orjson.dumps({"responses": [{"xactionId": "a-0"}, {"xactionId": "a-1"}]})
    assert BatchReply(207, ok, 2).all_ok
    assert not BatchReply(207, ok, 3).all_ok  # an answer missing
    for entries in ([{"xactionId": "a-0"}, {"xactionId": "a-1", "status": 400, "message": "bad"}],
                    [{"xactionId": "a-0"}, {"statusCode": 400, "message": "bad"}],
                    [{"xactionId": "a-0"}, {}], [{"xactionId": "a-0"}, {"xactionId": None}]):
        reply = BatchReply(207, orjson.dumps({"responses": entries}), 2)
        assert not reply.all_ok
        assert [r.ok for r in reply.results()] == [True, False]
    assert BatchReply(200, b"{}", 5).all_ok and not BatchReply(207, b"{}", 5).all_ok


def test_pacer_spaces_requests_to_the_rates():
    now = [100.0]
    pacer = Pacer(10_000, 1_000, clock=lambda: now[0])
    starts = []
    for _ in range(20):
        now[0] += pacer.delay(2000)
        starts.append(now[0])
    assert starts[0] == 100.0 and all(abs(b - a - 0.2) < 1e-9 for a, b in itertools.pairwise(starts))
    assert rate(None, AEP_MESSAGES_PER_SECOND, local=False) == 10_000  # real AEP: the guardrail by default
    assert rate(None, AEP_MESSAGES_PER_SECOND, local=True) is None  # the sandbox: unlimited
    assert rate(0, AEP_MESSAGES_PER_SECOND, local=False) is None and rate(500, 1, local=True) == 500


async def test_the_engine_keeps_a_message_rate(sandbox, open_local_session, tutorial, app_home, tmp_path):
    f = tmp_path / "paced.jsonl"
    f.write_bytes(b"".join(orjson.dumps(member(70_000 + i)) + b"\n" for i in range(3000)))
    history = HistoryStore(tmp_path / "history.sqlite3")
    async with open_local_session(sandbox, history=history) as session:
        opts = EngineOptions(max_batch_messages=250, max_messages_per_second=2000, concurrency=8)
        report = await BulkRun(session, f, tutorial["members"], options=opts).start()
        await asyncio.sleep(0.2)
    assert report.state == DONE and report.progress.accepted == 3000
    starts = sorted(e.started_at for e in history.iter(service="streaming"))
    assert len(starts) == 12
    for i, t in enumerate(starts):  # in any second from a request's start: at most 2,000 + one request
        assert sum(250 for s in starts[i:] if s < t + 1.0) <= 2000 + 250
