"""The Web SDK route for the console (no Qt): datastreams of the local sandbox (its loopback admin API; on AEP
they live in the Data Collection UI and the user pastes the id) and "send as the Web SDK would" (an Edge Network
interact call through the session, so the exchange is recorded and shown beside DCS exchanges)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from ..aep.edge import EdgeAnswer, WebVisitor
from .web_sdk import event_xdm


class DatastreamError(RuntimeError):
    """Datastreams cannot be listed or made here (message says why)."""


@dataclass(frozen=True)
class Datastream:
    id: str
    name: str
    dataset_id: str
    org_id: str
    sandbox_name: str

    @classmethod
    def from_json(cls, doc: dict) -> Datastream:
        return cls(id=doc["id"], name=doc.get("name") or doc["id"], dataset_id=doc.get("datasetId") or "",
                   org_id=doc.get("orgId") or "", sandbox_name=doc.get("sandboxName") or "")


def _admin_url(session, tail: str) -> str:
    if not session.endpoints.is_local:
        raise DatastreamError("Datastreams of an AEP org are made in the Data Collection UI (Datastreams → New "
                              "datastream); paste its id here")
    parts = urlsplit(session.endpoints.platform)
    return f"{parts.scheme}://{parts.netloc}/__sandbox/admin/datastreams{tail}"


async def list_datastreams(session) -> list[Datastream]:
    """The local sandbox's datastreams of the session's org and sandbox."""
    reply = await session.transport.request("GET", "sandbox", _admin_url(session, ""),
                                            params={"orgId": session.org_id}, auth=False, sandbox=False)
    found = [Datastream.from_json(d) for d in (reply.json() or {}).get("datastreams", [])]
    return [d for d in found if d.sandbox_name == (session.sandbox_name or "prod")]


async def create_datastream(session, dataset_id: str, name: str | None = None) -> Datastream:
    """A datastream on the local sandbox that sends events into ``dataset_id`` (an ExperienceEvent dataset)."""
    if not dataset_id.strip():
        raise DatastreamError("Choose the ExperienceEvent dataset the datastream sends events to")
    body = {"datasetId": dataset_id.strip(), "orgId": session.org_id, "sandboxName": session.sandbox_name or "prod"}
    if name:
        body["name"] = name
    reply = await session.transport.request("POST", "sandbox", _admin_url(session, ""), json=body, auth=False,
                                            sandbox=False, retry=False)
    return Datastream.from_json(reply.json())


async def send_as_web_sdk(session, datastream_id: str, record, visitor: WebVisitor | None = None) -> EdgeAnswer:
    """The record as one Web SDK event (``xdm``), sent to the Edge Network as alloy sends it."""
    if not datastream_id.strip():
        raise DatastreamError("A datastream id is needed (choose or create one, or paste it)")
    return await session.edge.interact(datastream_id.strip(), [{"xdm": event_xdm(record)}], visitor=visitor)
