"""Finding the dataflow from the connection and the dataset (services.dataflows), adding one to a legacy
connection (SetupWorkflows.add_dataflow), and ``aep-console send`` without ``--flow-id`` / ``setup dataflow``
through the command line, all against the real sandbox; what DCS received is read from its admin log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import httpx
import pytest

from aep_console.services.dataflows import (
    ConnectionNotFound,
    NoDataflow,
    SeveralDataflows,
    find_dataflows,
    resolve_flow_id,
)
from aep_console.services.engine_types import SendTarget
from aep_console.services.sending import send_one
from aep_console.services.setup import SetupWorkflows

from .svc_records import member, write_members


def _name(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aep_console", *args], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ))


def received(proc, inlet: str) -> list[dict]:
    return httpx.get(f"{proc.urls.base}/__sandbox/admin/dcs/requests", params={"inletId": inlet},
                     timeout=10).json()["requests"]


async def test_the_tutorials_flows_are_found_from_inlet_or_base_connection(sandbox, open_local_session, tutorial):
    async with open_local_session(sandbox) as session:
        for conn in (tutorial["connection_id"], tutorial["base_connection_id"]):
            for side in ("profile", "event"):
                found = await find_dataflows(session, conn, tutorial[f"{side}_dataset_id"])
                assert [f.flow_id for f in found.flows] == [tutorial[f"{side}_flow_id"]]
                assert found.base_connection_id == tutorial["base_connection_id"] and not found.legacy_inlet
        with pytest.raises(ConnectionNotFound, match="no streaming connection"):
            await resolve_flow_id(session, "ab" * 32, tutorial["profile_dataset_id"])


async def test_a_legacy_connection_has_none_until_a_dataflow_is_added(sandbox, open_local_session, tutorial):
    async with open_local_session(sandbox) as session:
        wf = SetupWorkflows(session)
        legacy = await wf.streaming_connection(_name("Legacy"), route="legacy")
        inlet, ds = legacy.outputs["connection_id"], tutorial["profile_dataset_id"]
        with pytest.raises(NoDataflow, match=f"has no dataflow into dataset {ds}"):
            await resolve_flow_id(session, inlet, ds)
        target = SendTarget(inlet, ds, tutorial["profile_schema_id"], session.org_id)
        refused = await send_one(session, target, member(9_100_001), sync_validation=False)
        assert not refused.ok and "'flowId' field is mandatory" in refused.message
        added = await wf.add_dataflow(inlet, ds)  # the schema is read from the dataset
        assert added.ok, added.summary()
        assert added.outputs["base_connection_id"] == legacy.outputs["base_connection_id"]
        flow_id = await resolve_flow_id(session, inlet, ds)
        assert flow_id == added.outputs["flow_id"]
        sent = await send_one(session, SendTarget(inlet, ds, tutorial["profile_schema_id"], session.org_id,
                                                  flow_id=flow_id), member(9_100_002), sync_validation=False)
        assert sent.ok, sent.describe()


async def test_two_flows_into_one_dataset_are_both_listed(sandbox, open_local_session, tutorial):
    async with open_local_session(sandbox) as session:
        wf = SetupWorkflows(session)
        conn = await wf.streaming_connection(_name("Twice"), dataset_id=tutorial["event_dataset_id"])
        second = await wf.add_dataflow(conn.outputs["connection_id"], tutorial["event_dataset_id"],
                                       name=_name("Second"))
        assert conn.ok and second.ok
        with pytest.raises(SeveralDataflows) as info:
            await resolve_flow_id(session, conn.outputs["connection_id"], tutorial["event_dataset_id"])
        assert {f.flow_id for f in info.value.flows} == {conn.outputs["flow_id"], second.outputs["flow_id"]}
        assert conn.outputs["flow_id"] in str(info.value) and second.outputs["flow_id"] in str(info.value)
        # no dataflow of this connection leads into the profile dataset
        assert (await find_dataflows(session, conn.outputs["connection_id"], tutorial["profile_dataset_id"])).flows == []


async def test_a_legacy_inlet_needs_no_flow(sandbox, open_local_session, tutorial):
    async with open_local_session(sandbox) as session:
        inlet = await session.inlets.create_inlet(_name("Inlet"))
        found = await find_dataflows(session, inlet.inlet_id, tutorial["profile_dataset_id"])
        assert found.legacy_inlet and found.flows == []
        assert await resolve_flow_id(session, inlet.inlet_id, tutorial["profile_dataset_id"]) is None


def test_send_without_flow_id_finds_the_flow_and_every_message_carries_it(sandbox, tutorial, app_home, tmp_path):
    f = tmp_path / "members.jsonl"
    write_members(f, 300, start=9_200_000)
    inlet, ds = tutorial["connection_id"], tutorial["profile_dataset_id"]
    before = len(received(sandbox, inlet))
    r = cli("send", str(f), "--profile", "Local sandbox", "--sandbox-url", sandbox.urls.base,
            "--connection", inlet, "--dataset", ds, "--no-progress", "--json")
    assert r.returncode == 0, r.stderr
    assert f"dataflow {tutorial['profile_flow_id']}" in r.stderr and json.loads(r.stdout)["accepted"] == 300
    requests = received(sandbox, inlet)[before:]
    assert requests and sum(g["count"] for q in requests for g in q["messages"]) == 300
    for q in requests:
        assert q["flowIdHeader"] == tutorial["profile_flow_id"]
        assert all(g["flowId"] == tutorial["profile_flow_id"] and g["accepted"] == g["count"] for g in q["messages"])


def test_send_with_two_flows_exits_2_listing_them_and_with_none_names_the_command(sandbox, tutorial, app_home,
                                                                                  tmp_path):
    f = tmp_path / "one.jsonl"
    write_members(f, 1, start=9_300_000)
    common = ["--profile", "Local sandbox", "--sandbox-url", sandbox.urls.base, "--no-progress"]
    made = json.loads(cli("setup", "connection", "--name", _name("Legacy CLI"), "--route", "legacy", *common[:4],
                          "--json").stdout)
    assert made["ok"] and made["warnings"] and "requires a dataflow" in made["warnings"][0]
    inlet, ds = made["outputs"]["connection_id"], tutorial["profile_dataset_id"]
    none = cli("send", str(f), *common, "--connection", inlet, "--dataset", ds)
    assert none.returncode == 2 and "has no dataflow into dataset" in none.stderr
    command = f'aep-console setup dataflow --profile "Local sandbox" --connection {inlet} --dataset {ds}'
    assert command in none.stderr
    flows = []
    for _ in range(2):
        added = cli("setup", "dataflow", *common[:4], "--connection", inlet, "--dataset", ds, "--json")
        assert added.returncode == 0, added.stderr
        flows.append(json.loads(added.stdout)["outputs"]["flow_id"])
    two = cli("send", str(f), *common, "--connection", inlet, "--dataset", ds)
    assert two.returncode == 2 and "2 dataflows" in two.stderr and "--flow-id" in two.stderr
    assert all(flow in two.stderr for flow in flows)
    assert received(sandbox, inlet) == []  # nothing was sent
    chosen = cli("send", str(f), *common, "--connection", inlet, "--dataset", ds, "--flow-id", flows[1])
    assert chosen.returncode == 0, chosen.stderr
    assert [g["flowId"] for q in received(sandbox, inlet) for g in q["messages"]] == [flows[1]]
