"""The Edge Network (``https://edge.adobedc.net``), as the Web SDK calls it: ``POST /ee/v1/interact?configId=…
&requestId=…`` with a ``text/plain`` JSON body of ``events`` and the visitor's stored state, no credentials. An
answer is 200 (``requestId`` + ``handle``) or 207 (the same plus ``errors``: an upstream service failed); other
statuses are RFC 7807 ``EXEG-…`` problems, raised as :class:`AEPError` subclasses by the transport. The edge
base is ``https://edge.adobedc.net`` for AEP and ``/edge`` on a local sandbox's port.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import orjson

from .base import ServiceClient
from .config import Endpoints
from .transport import Transport

AEP_EDGE = "https://edge.adobedc.net"


def edge_base(endpoints: Endpoints) -> str:
    """The Edge Network's base URL for these endpoints (a local sandbox serves it beside ``/dcs``)."""
    if endpoints.is_local:
        parts = urlsplit(endpoints.streaming)
        return f"{parts.scheme}://{parts.netloc}/edge"
    return AEP_EDGE


@dataclass(frozen=True)
class EdgeAnswer:
    status: int
    request_id: str
    handles: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)

    def payload(self, kind: str) -> list:
        return next((h.get("payload") or [] for h in self.handles if h.get("type") == kind), [])

    @property
    def ecid(self) -> str | None:
        return next((p.get("id") for p in self.payload("identity:result")
                     if (p.get("namespace") or {}).get("code") == "ECID"), None)


@dataclass
class WebVisitor:
    """What a browser keeps between Web SDK calls: the state the Edge Network asked it to store (the identity
    cookie), sent back in ``meta.state`` so the visitor keeps one ECID."""

    entries: dict[str, str] = field(default_factory=dict)

    def remember(self, answer: EdgeAnswer) -> None:
        for item in answer.payload("state:store"):
            if isinstance(item, dict) and isinstance(item.get("key"), str):
                self.entries[item["key"]] = str(item.get("value", ""))

    def meta(self) -> dict[str, Any]:
        return {"state": {"domain": "", "cookiesEnabled": True,
                          "entries": [{"key": k, "value": v} for k, v in self.entries.items()]}}


class EdgeClient(ServiceClient):
    service = "edge"

    def __init__(self, transport: Transport, base: str) -> None:
        super().__init__(transport)
        self.base = base.rstrip("/")

    async def interact(self, datastream_id: str, events: list[dict], *, visitor: WebVisitor | None = None,
                       edge_base_path: str = "ee") -> EdgeAnswer:
        """One Web SDK interact call with ``events`` (each ``{"xdm": …, "data"?: …}``)."""
        request_id = str(uuid.uuid4())
        body: dict[str, Any] = {"events": events, "query": {"identity": {"fetch": ["ECID"]}}}
        if visitor is not None:
            body["meta"] = visitor.meta()
        reply = await self.t.request(
            "POST", self.service, f"{self.base}/{edge_base_path}/v1/interact",
            params={"configId": datastream_id, "requestId": request_id}, content=orjson.dumps(body),
            content_type="text/plain; charset=UTF-8", auth=False, sandbox=False, retry=False,
            ok=lambda status: status in (200, 207),
        )
        data = reply.json() or {}
        answer = EdgeAnswer(status=reply.status, request_id=str(data.get("requestId") or request_id),
                            handles=[h for h in data.get("handle") or [] if isinstance(h, dict)],
                            errors=[e for e in data.get("errors") or [] if isinstance(e, dict)])
        if visitor is not None:
            visitor.remember(answer)
        return answer
