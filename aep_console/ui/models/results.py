"""Per-record results of a bulk send (QAbstractTableModel via RowsModel).

Rows are ``services.engine_types.RecordResult`` (index, line, status, attempts, http_status,
xaction_id, reason)."""

from __future__ import annotations

from .rows import Column, RowsModel


def _colour(r) -> str | None:
    return "#2e7d32" if r.status == "accepted" else "#c62828"


class ResultsModel(RowsModel):
    def __init__(self, parent=None) -> None:
        super().__init__(
            [
                Column("Record", lambda r: r.index + 1, "Position of the record in the file (1-based)", True),
                Column("Status", lambda r: r.status, "accepted, invalid, unreadable or failed (refused by AEP)", colour=_colour),
                Column("Line", lambda r: r.line, "Line of the file where the record starts", True),
                Column("xactionId", lambda r: r.xaction_id or "", "AEP's transaction id"),
                Column("Reason", lambda r: r.reason or "", "Why the record was not accepted"),
            ],
            parent,
        )
