"""Per-record results of a bulk send (QAbstractTableModel via RowsModel)."""

from __future__ import annotations

from dataclasses import dataclass

from .rows import Column, RowsModel


@dataclass(frozen=True)
class RecordResult:
    index: int  # 0-based position in the source
    status: str  # "accepted" | "rejected" | "failed" | "skipped"
    http_status: int | None
    xaction_id: str
    message: str
    json_path: str = ""


def _colour(r: RecordResult) -> str | None:
    return {"accepted": "#2e7d32", "rejected": "#c62828", "failed": "#c62828", "invalid": "#c62828"}.get(r.status)


class ResultsModel(RowsModel):
    def __init__(self, parent=None) -> None:
        super().__init__(
            [
                Column("Record", lambda r: r.index + 1, "Position of the record in the file (1-based)", True),
                Column("Status", lambda r: r.status, "accepted, rejected (invalid) or failed (not delivered)", colour=_colour),
                Column("xactionId / path", lambda r: r.xaction_id or r.json_path, "AEP's transaction id, or the JSON path of the problem"),
                Column("Message", lambda r: r.message, "Why the record was rejected or failed"),
            ],
            parent,
        )
