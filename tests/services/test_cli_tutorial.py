"""The README's quick start, on the default (dataflow) route, through the command line against a sandbox of its
own: ``setup tutorial`` → ``send`` both sample files without ever naming a flow id → ``profile get --events``.
What the sandbox received (its admin log of DCS requests) shows every message carrying its dataset's flow id."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import httpx


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aep_console", *args], capture_output=True, text=True,
                          timeout=180, env=dict(os.environ))


def test_the_tutorial_from_the_command_line_lands_every_message_through_its_dataflow(fresh_sandbox, app_home,
                                                                                     shared_dir):
    sb = fresh_sandbox()
    local = ["--profile", "Local sandbox", "--sandbox-url", sb.urls.base]
    setup = cli("setup", "tutorial", *local, "--prefix", f"Q{uuid.uuid4().hex[:6]}", "--json")
    assert setup.returncode == 0, setup.stderr
    out = json.loads(setup.stdout)["outputs"]
    assert out["profile_flow_id"] and out["event_flow_id"] and out["profile_flow_id"] != out["event_flow_id"]
    samples = shared_dir / "samples"
    for name, side, extra in (("AEP loyalty profiles.json", "profile", []),
                              ("AEP loyalty events.json", "event", ["--string-ids"])):
        sent = cli("send", str(samples / name), *local, "--connection", out["connection_id"],
                   "--dataset", out[f"{side}_dataset_id"], "--no-progress", "--json", *extra)
        assert sent.returncode == 0, sent.stderr
        assert f"dataflow {out[f'{side}_flow_id']}" in sent.stderr  # found, not typed
    got = cli("profile", "get", *local, "--namespace", "Email", "--id", "fstarr7@answers.com", "--events")
    assert got.returncode == 0, got.stderr
    found = json.loads(got.stdout)
    assert found["entity"]["_exchangeinternal"]["loyaltyID"] == "fstarr7@answers.com"
    assert "15367038" in {e["_id"] for e in found["events"]}

    log = httpx.get(f"{sb.urls.base}/__sandbox/admin/dcs/requests", timeout=10).json()["requests"]
    flow_of = {out["profile_dataset_id"]: out["profile_flow_id"], out["event_dataset_id"]: out["event_flow_id"]}
    groups = [(q, g) for q in log for g in q["messages"]]
    assert sum(g["count"] for _, g in groups) == 45 and sum(g["accepted"] for _, g in groups) == 45
    for q, g in groups:
        assert q["inletId"] == out["connection_id"]
        assert g["flowId"] == flow_of[g["datasetId"]] and q["flowIdHeader"] == g["flowId"], q
