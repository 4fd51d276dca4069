"""DCS and dataflows, as the streaming spec says (``messageHeader.required`` includes ``flowId``): a Flow Service
streaming connection takes a message only through one of its own dataflows into the message's dataset; a
legacy inlet (``/data/core/edge/inlet``) keeps its 2020 behaviour; ``--accept-missing-flow-id`` (or
``accept_missing_flow_id = true``) restores the 2020 leniency. The admin log shows what DCS received."""

from __future__ import annotations

import httpx
import pytest

from aep_console.sandbox.server.config import ConfigError, config_from_mapping

from .helpers import Platform, unique
from .ingestion_setup import FS_LEGACY_BODY, Loyalty, connection, dataflow, dcs_batch, dcs_single

FLOW = "6b8d2f1e-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def plat(sandbox):
    p = Platform(sandbox)
    yield p
    p.close()


@pytest.fixture(scope="module")
def world(plat) -> Loyalty:
    return Loyalty.create(plat)


def member(tenant: str, **extra) -> dict:
    return {f"_{tenant}": {"loyaltyID": f"{unique('df')}@example.com", "totalLoyaltyPoints": 1}, **extra}


def received(proc, inlet: str) -> list[dict]:
    reply = httpx.get(f"{proc.urls.base}/__sandbox/admin/dcs/requests", params={"inletId": inlet}, timeout=10)
    assert reply.status_code == 200, reply.text
    return reply.json()["requests"]


def test_a_message_without_flow_id_is_refused_per_message(sandbox, plat, world):
    flowless = world.envelope(member(plat.tenant), flow_id=None)
    resp = dcs_single(sandbox, world.inlet, flowless)
    assert resp.status_code == 400
    body = resp.json()
    assert body["status"] == 400 and body["title"] == "Invalid Dataflow"
    assert "The 'flowId' field is mandatory" in body["report"]["message"]
    # the answer names the connection's dataflows, so a user can tell which one was meant
    assert all(f in body["report"]["message"] for f in world.flows.values())
    good = world.envelope(member(plat.tenant))
    resp = dcs_batch(sandbox, world.inlet, [good, flowless, good])
    assert resp.status_code == 207
    answers = resp.json()["responses"]
    assert "status" not in answers[0] and "status" not in answers[2]
    assert answers[1]["status"] == 400 and "'flowId' field is mandatory" in answers[1]["message"]


def test_a_connection_without_dataflow_refuses_and_says_what_is_missing(sandbox, plat, world):
    _, inlet = connection(plat)
    resp = dcs_single(sandbox, inlet, world.envelope(member(plat.tenant), flow_id=None))
    assert resp.status_code == 400
    assert "has no dataflow yet" in resp.json()["report"]["message"]
    # a 2020-tutorial base connection (providerId form) is a Flow Service connection too: the same rule
    legacy_cid = plat.post("/data/foundation/flowservice/connections",
                           json={**FS_LEGACY_BODY, "name": unique("legacy")}).json()["id"]
    legacy_inlet = plat.get(f"/data/foundation/flowservice/connections/{legacy_cid}").json()[
        "items"][0]["auth"]["params"]["inletId"]
    assert dcs_single(sandbox, legacy_inlet, world.envelope(member(plat.tenant), flow_id=None)).status_code == 400


def test_a_flow_id_of_another_connection_or_dataset_is_refused(sandbox, plat, world):
    cid, inlet = connection(plat)
    other = dataflow(plat, cid, world.profile_schema, world.profile_ds)
    # the flow id of another connection's dataflow
    resp = dcs_single(sandbox, world.inlet, world.envelope(member(plat.tenant), flow_id=other))
    assert resp.status_code == 400 and f"Dataflow [{other}] is not an enabled dataflow" in resp.text
    resp = dcs_single(sandbox, world.inlet, world.envelope(member(plat.tenant), flow_id=FLOW))
    assert resp.status_code == 400 and FLOW in resp.text
    # the connection's own dataflow, but into the events dataset, on a profile message
    into_events = world.flows[world.event_ds]
    resp = dcs_single(sandbox, world.inlet, world.envelope(member(plat.tenant), flow_id=into_events))
    assert resp.status_code == 400
    assert f"writes to dataset [{world.event_ds}], not to the message's dataset [{world.profile_ds}]" in resp.text
    # the same through the x-adobe-flow-id header, in a batch: refused per message
    resp = dcs_batch(sandbox, world.inlet, [world.envelope(member(plat.tenant), flow_id=None)],
                     headers={"x-adobe-flow-id": into_events})
    assert resp.json()["responses"][0]["status"] == 400
    # and the right one through the header is accepted
    resp = dcs_batch(sandbox, inlet, [world.envelope(member(plat.tenant), flow_id=None)],
                     headers={"x-adobe-flow-id": other})
    assert "status" not in resp.json()["responses"][0]


def test_a_legacy_inlet_keeps_its_2020_behaviour(sandbox, plat, world):
    inlet = plat.post("/data/core/edge/inlet", json={"name": unique("inlet"), "sourceId": "s", "dataType": "xdm",
                                                      "authenticationRequired": False}).json()["inletId"]
    flowless = world.envelope(member(plat.tenant), flow_id=None)
    assert dcs_single(sandbox, inlet, flowless).status_code == 200
    resp = dcs_batch(sandbox, inlet, [flowless, world.envelope(member(plat.tenant), flow_id=None)])
    assert all("status" not in r for r in resp.json()["responses"])


def test_the_admin_log_shows_what_dcs_received(sandbox, plat, world):
    cid, inlet = connection(plat)  # a connection of its own: nothing else streams into it
    flow = dataflow(plat, cid, world.profile_schema, world.profile_ds)
    dcs_single(sandbox, inlet, world.envelope(member(plat.tenant), flow_id=flow), headers={"x-adobe-flow-id": flow})
    dcs_batch(sandbox, inlet, [world.envelope(member(plat.tenant), flow_id=flow)] * 3
              + [world.envelope(member(plat.tenant), flow_id=None)])
    single, batch = received(sandbox, inlet)
    assert (single["endpoint"], single["status"], single["flowIdHeader"]) == ("collection", 200, flow)
    assert single["messages"] == [{"flowId": flow, "datasetId": world.profile_ds, "count": 1, "accepted": 1}]
    assert (batch["endpoint"], batch["status"], batch["flowIdHeader"]) == ("batch", 207, None)
    assert sorted(batch["messages"], key=lambda g: g["count"]) == [
        {"flowId": None, "datasetId": world.profile_ds, "count": 1, "accepted": 0},
        {"flowId": flow, "datasetId": world.profile_ds, "count": 3, "accepted": 3}]


def test_the_2020_leniency_option_accepts_messages_without_flow_id(fresh_sandbox):
    lenient = fresh_sandbox(extra_args=["--accept-missing-flow-id"])
    p = Platform(lenient)
    try:
        w = Loyalty.create(p)
        _, bare = connection(p)
        assert dcs_single(lenient, w.inlet, w.envelope(member(p.tenant), flow_id=None)).status_code == 200
        assert dcs_single(lenient, bare, w.envelope(member(p.tenant), flow_id=None)).status_code == 200
        # a flow id that is given must still be right
        resp = dcs_single(lenient, w.inlet, w.envelope(member(p.tenant), flow_id=FLOW))
        assert resp.status_code == 400 and FLOW in resp.text
        assert httpx.get(f"{lenient.urls.base}/__sandbox/admin/dcs/requests",
                         timeout=10).json()["acceptMissingFlowId"] is True
    finally:
        p.close()


def test_the_leniency_is_off_by_default_and_settable_in_the_config(tmp_path):
    assert config_from_mapping({}, data_dir=tmp_path).accept_missing_flow_id is False
    assert config_from_mapping({"accept_missing_flow_id": True}, data_dir=tmp_path).accept_missing_flow_id is True
    with pytest.raises(ConfigError, match="accept_missing_flow_id"):
        config_from_mapping({"accept_missing_flow_id": "yes"}, data_dir=tmp_path)
