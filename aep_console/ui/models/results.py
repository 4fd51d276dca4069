"""Per-record results of a bulk send (QAbstractTableModel via RowsModel).

Rows are ``services.engine_types.RecordResult`` (index, line, status, attempts, http_status,
xaction_id, reason)."""

from __future__ import annotations

from ...services.diagnosis import reason_text
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
                Column("Reason", lambda r: reason_text(r.reason), "Why the record was not accepted"),
            ],
            parent,
        )


def run_summary(report) -> str:
    """A bulk run's outcome in the window's words (the command line's summary names its flags)."""
    p = report.progress
    parts = [f"{p.accepted:,} accepted"]
    if p.skipped:
        parts.append(f"{p.skipped:,} already done before resuming")
    if p.dead_lettered:
        parts.append(f"{p.dead_lettered:,} not accepted ({p.invalid:,} invalid, {p.unreadable:,} unreadable, "
                     f"{p.failed:,} refused by AEP)")
    if p.retried:
        parts.append(f"{p.retried:,} re-sends")
    text = f"{report.state}: " + ", ".join(parts) + f" in {p.elapsed:.1f} s"
    if report.error:
        text += f"\n{report.error}"
    if p.message and report.state == "done":  # what reconciling the run found (or why it could not)
        text += f"\n{p.message}"
    if report.state in ("cancelled", "aborted") and report.journal_path:
        text += "\nSend all again to resume: only the records without an outcome are sent."
    return text


def interrupted_text(state) -> str:
    """What the interrupted-run question says (``state``: the journal's JournalState)."""
    done = state.accepted + state.dead_lettered
    return (f"An interrupted run of this file to this connection and dataset exists: {done:,} records already "
            f"have an outcome ({state.accepted:,} accepted, {state.dead_lettered:,} not accepted).\n\n"
            "Resume sends only the other records. Start over sends every record again: the ones already "
            "accepted arrive twice (for experience events, duplicates).")
