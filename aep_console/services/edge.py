"""The Web SDK route for the console (no Qt): datastreams of the local sandbox (its loopback admin API; on AEP
they live in the Data Collection UI and the user pastes the id) and "send as the Web SDK would" (an Edge Network
interact call through the session, so the exchange is recorded and shown beside DCS exchanges)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from ..aep.edge import EdgeAnswer, WebVisitor
from .listing import dataset_names
from .web_sdk import event_xdm

WEB_SDK_SUFFIX = " (Web SDK)"


class DatastreamError(RuntimeError):
    """Datastreams cannot be listed or made here (message says why)."""


@dataclass(frozen=True)
class Datastream:
    id: str
    name: str
    dataset_id: str
    org_id: str
    sandbox_name: str
    dataset_name: str = ""  # the dataset's name in Catalog (empty: not known)

    @property
    def label(self) -> str:
        """The datastream as a person reads it: its name, with a dataset id in it (the sandbox's default name
        for a datastream made without one) replaced by the dataset's name."""
        if self.dataset_name and self.dataset_id and self.dataset_id in self.name:
            return self.name.replace(self.dataset_id, self.dataset_name)
        return self.name

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
    found = [d for d in found if d.sandbox_name == (session.sandbox_name or "prod")]
    names = await dataset_names(session, sorted({d.dataset_id for d in found if d.dataset_id}))
    return [replace(d, dataset_name=names.get(d.dataset_id, "")) for d in found]


async def create_datastream(session, dataset_id: str, name: str | None = None) -> Datastream:
    """A datastream on the local sandbox that sends events into ``dataset_id`` (an ExperienceEvent dataset),
    named ``name`` or, by default, after the dataset: "<dataset name> (Web SDK)"."""
    dataset_id = dataset_id.strip()
    if not dataset_id:
        raise DatastreamError("Choose the ExperienceEvent dataset the datastream sends events to")
    url = _admin_url(session, "")
    dataset_name = (await session.catalog.get_dataset(dataset_id)).name or ""
    body = {"datasetId": dataset_id, "orgId": session.org_id, "sandboxName": session.sandbox_name or "prod",
            "name": (name or "").strip() or f"{dataset_name or dataset_id}{WEB_SDK_SUFFIX}"}
    reply = await session.transport.request("POST", "sandbox", url, json=body, auth=False, sandbox=False,
                                            retry=False)
    return replace(Datastream.from_json(reply.json()), dataset_name=dataset_name)


async def send_as_web_sdk(session, datastream_id: str, record, visitor: WebVisitor | None = None) -> EdgeAnswer:
    """The record as one Web SDK event (``xdm``), sent to the Edge Network as alloy sends it."""
    if not datastream_id.strip():
        raise DatastreamError("A datastream id is needed (choose or create one, or paste it)")
    return await session.edge.interact(datastream_id.strip(), [{"xdm": event_xdm(record)}], visitor=visitor)
