"""Streaming responses of this session for the stream inspector."""

from __future__ import annotations

from .rows import Column, RowsModel


def _status_colour(row) -> str | None:
    s = row.status or 0
    return "#2e7d32" if 200 <= s < 300 else "#c62828" if s >= 400 or s == 0 else None


class ExchangesModel(RowsModel):
    """Rows are InspectorRow (see controllers.inspector)."""

    def __init__(self, parent=None) -> None:
        super().__init__(
            [
                Column("Time", lambda r: r.time_text, "When the request was sent (local time)"),
                Column("Status", lambda r: r.status or "—", "HTTP status (— when there was no response)", True, colour=_status_colour),
                Column("xactionId", lambda r: r.xaction_id, "AEP's transaction id for the message"),
                Column("Latency (ms)", lambda r: r.latency_ms, "Round trip in milliseconds", True),
                Column("Record", lambda r: r.summary, "What was sent"),
            ],
            parent,
        )
