"""The requests the set-up workflows and the engine send, checked against Adobe's OpenAPI specs."""

from __future__ import annotations

import uuid

import pytest

from aep_console.services.bulk import BulkRun
from aep_console.services.engine_types import EngineOptions, SendTarget
from aep_console.services.setup import SetupWorkflows

from .svc_records import write_members


async def test_setup_and_streaming_bodies_follow_the_specs(sandbox, open_local_session, shared_dir, app_home,
                                                           tmp_path):
    try:
        from aep.openapi_requests import check_exchanges  # the client's contract checker (tests/aep)
    except ImportError:
        pytest.skip("the OpenAPI request checker of tests/aep is not available")
    exchanges = []
    async with open_local_session(sandbox) as session:
        session.on_exchange = exchanges.append
        report = await SetupWorkflows(session).loyalty_tutorial(f"K{uuid.uuid4().hex[:6]}", route="http-api")
        assert report.ok, report.summary()
        o = report.outputs
        f = tmp_path / "m.jsonl"
        write_members(f, 50)
        target = SendTarget(o["connection_id"], o["profile_dataset_id"], o["profile_schema_id"],
                            sandbox.credentials.org_id, flow_id=o["profile_flow_id"])
        sent = await BulkRun(session, f, target, options=EngineOptions(max_batch_messages=20)).start()
        assert sent.ok
    problems, checked = check_exchanges(shared_dir, exchanges)
    assert problems == []
    kinds = {(e.method, e.service) for e in exchanges}
    assert ("POST", "streaming") in kinds and checked >= 10
