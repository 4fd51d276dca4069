"""100,000 records through the sandbox's fault injection: nothing lost, every failure accounted for."""

from __future__ import annotations

import uuid
from collections import Counter

import httpx
import pytest

from aep_console.services.bulk import BulkRun
from aep_console.services.engine_types import DONE, EngineOptions, SendTarget
from aep_console.services.history import HistoryStore
from aep_console.services.setup import SetupWorkflows

from .svc_datalake import dataset_records
from .svc_records import loyalty_ids, write_members

N = 100_000


@pytest.mark.slow
@pytest.mark.timeout(600)
async def test_100k_records_through_faults(fresh_sandbox, open_local_session, app_home, tmp_path):
    sb = fresh_sandbox()
    f = tmp_path / "members.jsonl"
    write_members(f, N)
    history = HistoryStore(tmp_path / "history.sqlite3")
    async with open_local_session(sb, history=history) as session:
        setup = await SetupWorkflows(session).loyalty_tutorial(f"F{uuid.uuid4().hex[:6]}")
        assert setup.ok, setup.summary()
        o = setup.outputs
        target = SendTarget(o["connection_id"], o["profile_dataset_id"], o["profile_schema_id"],
                            sb.credentials.org_id, flow_id=o["profile_flow_id"])
        sb.admin("faults", {"error500": 0.05, "error429": 0.02, "drop": 0.01, "partial": 0.01,
                            "retryAfter": 1, "seed": 5})
        before = history.count()
        results: Counter = Counter()
        opts = EngineOptions(concurrency=8, max_batch_messages=250, max_attempts=25)
        report = await BulkRun(session, f, target, options=opts,
                               on_result=lambda r: results.update([(r.index, r.status)])).start()
        injected = httpx.get(f"{sb.urls.base}/__sandbox/admin/faults").json()["injected"]
        sb.admin("faults", {})
        lake = await dataset_records(session, sb, o["profile_dataset_id"])
    p = report.progress
    assert report.state == DONE and p.accepted == N and p.dead_lettered == 0, report.summary()
    # one final outcome per record
    assert len(results) == N and all(status == "accepted" for (_, status) in results)
    # every injected failure was seen, recorded and retried
    assert injected.get("error500", 0) > 0 and injected.get("error429", 0) > 0
    assert injected.get("drop", 0) > 0 and injected.get("partial", 0) > 0
    streamed = [e for e in history.iter(service="streaming") if e.id > before]
    statuses = Counter(e.status for e in streamed)
    assert statuses[500] == injected["error500"] and statuses[429] == injected["error429"]
    assert statuses[None] == injected["drop"]
    assert p.requests == len(streamed)
    assert p.retried >= injected["partial"] + sum(injected[k] for k in ("error500", "error429", "drop"))
    # the data lake has every record exactly once (faults strike before anything is stored)
    ids = Counter(loyalty_ids(lake))
    assert len(ids) == N and max(ids.values()) == 1
