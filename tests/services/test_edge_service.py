"""The Web SDK route's services on the real sandbox: datastreams of the local sandbox, "send as the Web SDK
would" through the session (a visitor keeps its ECID; an Edge problem is a typed, worded error), and the code
generated for a record (what the browser test then runs as it is)."""

from __future__ import annotations

import pytest

from aep_console.aep.config import Endpoints
from aep_console.aep.edge import AEP_EDGE, WebVisitor, edge_base
from aep_console.aep.errors import AEPError
from aep_console.services.edge import (
    Datastream,
    DatastreamError,
    create_datastream,
    list_datastreams,
    send_as_web_sdk,
)
from aep_console.services.listing import event_datasets
from aep_console.services.web_sdk import (
    WebSdkError,
    WebSdkTarget,
    browser_hint,
    event_xdm,
    example_page,
    snippet,
)


async def test_datastream_and_send_as_the_web_sdk(sandbox, open_local_session, tutorial):
    async with open_local_session(sandbox) as session:
        stream = await create_datastream(session, tutorial["event_dataset_id"], "console test")
        assert stream.dataset_id == tutorial["event_dataset_id"] and stream.sandbox_name == "prod"
        assert stream.id in [d.id for d in await list_datastreams(session)]
        with pytest.raises(AEPError) as err:
            await create_datastream(session, tutorial["profile_dataset_id"])
        assert "not an XDM ExperienceEvent dataset" in str(err.value)
        visitor = WebVisitor()
        envelope = {"header": {}, "body": {"xdmEntity": {"eventType": "pointsEarned", "_exchangeinternal": {
            "loyaltyID": "edge-service@example.com", "pointsEarned": 5}}}}
        first = await send_as_web_sdk(session, stream.id, envelope, visitor)  # a DCS envelope's record is used
        second = await send_as_web_sdk(session, stream.id, envelope["body"]["xdmEntity"], visitor)
        assert first.status == 200 and first.ecid and second.ecid == first.ecid  # one visitor, one ECID
        assert any(k.endswith("_identity") for k in visitor.entries)
        events = await session.profiles.list_events("edge-service@example.com", "Email")
        assert len(events) == 2
        with pytest.raises(AEPError) as err:
            await send_as_web_sdk(session, "no-such-datastream", {"eventType": "x"})
        assert err.value.status == 400 and "no-such-datastream" in str(err.value)
        with pytest.raises(DatastreamError):
            await send_as_web_sdk(session, "  ", {"eventType": "x"})


async def test_datastreams_and_their_datasets_go_by_name(sandbox, open_local_session, tutorial):
    async with open_local_session(sandbox) as session:
        events = await event_datasets(session)  # what a new datastream can write to: ExperienceEvent datasets
        ids = [d["id"] for d in events]
        assert tutorial["event_dataset_id"] in ids and tutorial["profile_dataset_id"] not in ids
        dataset = next(d for d in events if d["id"] == tutorial["event_dataset_id"])
        assert dataset["name"] != dataset["id"] and dataset["schema_title"] != dataset["schema_id"]
        stream = await create_datastream(session, f" {dataset['id']} ")  # no name given: named after the dataset
        assert stream.name == stream.label == f"{dataset['name']} (Web SDK)"
        assert stream.dataset_name == dataset["name"]
        listed = next(d for d in await list_datastreams(session) if d.id == stream.id)
        assert listed.name == stream.name and listed.dataset_name == dataset["name"]
    unnamed = Datastream("ds-1", "Datastream for 27f5d5", "27f5d5", "ORG", "prod", dataset_name="Web events")
    assert unnamed.label == "Datastream for Web events"  # the sandbox's default name, read with the dataset's


def test_edge_base_and_aep_datastreams_are_pasted():
    assert edge_base(Endpoints.aep()) == AEP_EDGE
    assert edge_base(Endpoints.from_sandbox("http://127.0.0.1:9")) == "http://127.0.0.1:9/edge"


def test_generated_code_for_a_record():
    target = WebSdkTarget("ds-1", "ORG@AdobeOrg")  # real AEP: Adobe's edge domain, third-party cookies on
    code = snippet(target, {"eventType": "web.webpagedetails.pageViews", "note": "</script>"})
    assert code.startswith('alloy("configure", {\n  "datastreamId": "ds-1",\n  "orgId": "ORG@AdobeOrg"\n});')
    assert "edgeDomain" not in code and "<\\/script>" in code and "</script>" not in code
    page = example_page(WebSdkTarget.for_sandbox("ds-2", "ORG@AdobeOrg"), {"eventType": "x"})
    assert page.index("__alloyNS") < page.index("alloy.min.js") < page.index('alloy("configure"')
    assert '"edgeDomain": "edge.local.test"' in page and '"thirdPartyCookiesEnabled": false' in page
    hint = browser_hint("https://127.0.0.1:8443")
    assert 'MAP edge.local.test 127.0.0.1:8443' in hint and "https://edge.local.test" in hint
    with pytest.raises(WebSdkError, match="JSON object, found list"):
        event_xdm([1, 2])
