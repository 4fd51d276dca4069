"""What DCS received, as the sandbox saw it (for tests and demos; read on the loopback-only admin API).

One entry per ``/collection`` request, newest last, the last ``capacity`` kept::

    {"seq": 12, "inletId": "…", "endpoint": "collection" | "batch", "status": 200 | 207 | 400,
     "flowIdHeader": "…" | null,                     # the x-adobe-flow-id header (or query parameter)
     "messages": [{"flowId": "…" | null, "datasetId": "…" | null, "count": 3, "accepted": 3}]}

``messages`` groups the request's messages by their ``header.flowId`` and ``header.datasetId``, so a
batch of thousands stays one short entry. Requests refused before their body was read are not listed.
"""

from __future__ import annotations

import itertools
from collections import Counter, deque
from typing import Any


def _key(msg: Any) -> tuple[str | None, str | None]:
    """(header.flowId, header.datasetId) of a message, each None unless a string."""
    header = msg.get("header") if type(msg) is dict else None
    if type(header) is not dict:
        return (None, None)
    flow, dataset = header.get("flowId"), header.get("datasetId")
    return (flow if type(flow) is str else None, dataset if type(dataset) is str else None)


class RequestLog:
    def __init__(self, capacity: int = 2000) -> None:
        self._entries: deque[dict] = deque(maxlen=capacity)
        self._seq = itertools.count(1)

    def record(self, inlet_id: str, *, batch: bool, status: int, flow_header: str | None,
               messages: list, accepted: list[bool]) -> None:
        keys = [_key(m) for m in messages]
        counts = Counter(keys)
        taken = Counter(k for k, ok in zip(keys, accepted, strict=False) if ok)
        self._entries.append({
            "seq": next(self._seq), "inletId": inlet_id, "endpoint": "batch" if batch else "collection",
            "status": status, "flowIdHeader": flow_header,
            "messages": [{"flowId": f, "datasetId": d, "count": c, "accepted": taken.get((f, d), 0)}
                         for (f, d), c in counts.items()]})

    def entries(self, inlet_id: str | None = None) -> list[dict]:
        return [e for e in self._entries if inlet_id is None or e["inletId"] == inlet_id]

    def clear(self) -> None:
        self._entries.clear()
