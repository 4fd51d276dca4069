"""Bulk send from the record editor: progress, pause, resume, cancel, per-record results."""

from __future__ import annotations

import asyncio
import json

from PySide6.QtCore import Qt

from .helpers import until
from .test_editor import _event_target


def _events_file(path, n: int, bad_every: int = 0) -> None:
    with open(path, "w") as fh:
        fh.write("[\n")
        for i in range(n):
            rec = {"_id": f"bulk-{i}", "timestamp": "2024-01-01T00:00:00Z", "eventType": "loyaltyBalanceUpdate",
                   "_exchangeinternal": {"loyaltyID": f"user{i % 500}@example.com", "pointsEarned": i % 1000}}
            if bad_every and i % bad_every == 0:
                rec["_id"] = i
            fh.write(json.dumps(rec) + (",\n" if i < n - 1 else "\n"))
        fh.write("]\n")


async def test_bulk_send_pause_resume_cancel(connected, qtbot, tmp_path, ui_errors):
    from aep_console.ui.pages.editor import EditorPage

    ctx = connected
    page = EditorPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    await _event_target(ctx)
    await until(lambda: page.controller.validator is not None, 15, "the validator")
    path = tmp_path / "events.json"
    _events_file(path, 60_000)
    bulk = page.bulk
    bulk.path_edit.setText(str(path))
    qtbot.mouseClick(bulk.send_all, Qt.MouseButton.LeftButton)
    await until(lambda: page.controller.bulk.progress is not None and page.controller.bulk.progress.accepted > 0,
                30, "the first accepted records")
    assert bulk.pause.isEnabled() and bulk.cancel.isEnabled() and not bulk.send_all.isEnabled()
    qtbot.mouseClick(bulk.pause, Qt.MouseButton.LeftButton)
    assert bulk.pause.text() == "Resume"
    live = page.controller.bulk.run.sender.progress  # the engine's own counters
    await until(lambda: live.in_flight == 0, 30, "the requests in flight to finish")
    frozen = live.accepted
    await asyncio.sleep(0.6)
    assert live.accepted == frozen and live.in_flight == 0, "nothing is sent while paused"
    await until(lambda: bulk.eta.text() == "Paused", 2, "the paused ETA")
    qtbot.mouseClick(bulk.pause, Qt.MouseButton.LeftButton)  # resume
    assert bulk.pause.text() == "Pause"
    await until(lambda: live.accepted > frozen, 15, "sending to resume")
    await until(lambda: bulk.plot.points(), 5, "throughput points")
    assert "records/s" in bulk.stats.text()
    qtbot.mouseClick(bulk.cancel, Qt.MouseButton.LeftButton)
    await until(lambda: bulk.send_all.isEnabled(), 30, "the cancelled run to end")
    assert "cancelled" in bulk.banner.text()
    done = page.controller.bulk.progress.finished
    assert 0 < done < 60_000
    assert bulk.results.rowCount() == done  # one row per record with an outcome
    assert bulk.results.rows[0].status == "accepted" and bulk.results.rows[0].xaction_id
    assert ui_errors == []


async def test_bulk_send_reports_invalid_records(connected, qtbot, tmp_path, ui_errors):
    from aep_console.ui.pages.editor import EditorPage

    ctx = connected
    page = EditorPage(ctx)
    qtbot.addWidget(page)
    page.show()
    await _event_target(ctx)
    await until(lambda: page.controller.validator is not None, 15, "the validator")
    path = tmp_path / "few.json"
    _events_file(path, 300, bad_every=10)
    page.bulk.path_edit.setText(str(path))
    page.start_bulk(str(path))
    await until(lambda: page.bulk.send_all.isEnabled() and page.bulk.banner.text(), 30, "the run to end")
    rows = page.bulk.results.rows
    assert len(rows) == 300
    invalid = [r for r in rows if r.status == "invalid"]
    assert len(invalid) == 30 and "$._id: expected type: String, found: Long" in invalid[0].reason
    assert page.bulk.fix_button.isVisible()
    assert "30 of 300 records have an integer _id" in page.bulk.banner.text()
    assert ui_errors == []
