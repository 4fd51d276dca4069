"""One retry policy for the transport and the engine (aep/retry.py): the same statuses, and a
Retry-After beyond the policy's cap is not waited for by either (the engine stops the run, resumable)."""

from __future__ import annotations

import time
import uuid

import pytest

from aep_console.aep.retry import RetryPolicy
from aep_console.services.bulk import BulkRun
from aep_console.services.engine import classify
from aep_console.services.engine_types import ABORTED, EngineOptions, SendTarget
from aep_console.services.journal import Journal
from aep_console.services.setup import SetupWorkflows

from .svc_records import write_members


class _Result:
    def __init__(self, status):
        self.ok, self.status = False, status


def test_the_engine_retries_exactly_the_statuses_the_transport_retries():
    policy = EngineOptions().retry_policy()
    transport = RetryPolicy()
    for status in (0, 400, 403, 404, 408, 413, 422, 425, 429, 500, 501, 502, 503, 504):
        assert (classify(_Result(status), policy) == "retry") == transport.retryable(status), status
    assert policy.max_retry_after == transport.max_retry_after


@pytest.mark.timeout(120)
async def test_a_retry_after_beyond_the_cap_stops_the_run_resumably(fresh_sandbox, open_local_session, app_home,
                                                                     tmp_path):
    sb = fresh_sandbox()
    f = tmp_path / "m.jsonl"
    write_members(f, 50)
    async with open_local_session(sb) as session:
        setup = await SetupWorkflows(session).loyalty_tutorial(f"R{uuid.uuid4().hex[:6]}")
        o = setup.outputs
        target = SendTarget(o["connection_id"], o["profile_dataset_id"], o["profile_schema_id"], sb.credentials.org_id)
        sb.admin("faults", {"error429": 1.0, "retryAfter": 3600})
        t0 = time.monotonic()
        run = BulkRun(session, f, target, options=EngineOptions(validate=False, max_retry_after=5))
        report = await run.start()
    assert time.monotonic() - t0 < 60  # not an hour
    assert report.state == ABORTED and "Retry-After" in report.error and "resume" in report.error
    state = Journal(run.journal.path).read()
    assert not state.complete and state.accepted == 0 and state.dead_lettered == 0  # nothing dead-lettered
