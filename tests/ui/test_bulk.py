"""Bulk send from the record editor: progress, pause, resume, cancel, per-record results."""

from __future__ import annotations

import asyncio
import json
import os
import re

import pytest
from PySide6.QtCore import Qt

from .helpers import bulk_shown, cell, click, type_into, until
from .test_editor import _event_target


@pytest.fixture
async def event_editor(connected, qtbot):
    """The record editor on the session's ExperienceEvent target, its validator ready."""
    from aep_console.ui.pages.editor import EditorPage

    page = EditorPage(connected)
    qtbot.addWidget(page)
    page.resize(1200, 850)
    page.show()
    await _event_target(connected)
    await until(lambda: page.controller.validator is not None, 15, "the validator")
    return page


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


async def _stored(ctx, dataset_id: str) -> int:
    """Records the sandbox has stored in the dataset (its Catalog batches' record counts)."""
    total, start = 0, 0
    while True:
        batches = await ctx.session.catalog.list_batches(dataset_id=dataset_id, limit=100, start=start)
        total += sum(b.record_count or 0 for b in batches)
        if len(batches) < 100:
            return total
        start += 100


def _accepted(text: str) -> int:
    """The "N accepted" figure of the panel's figures line or of its banner (0 when there is none)."""
    found = re.search(r"([\d,]+) accepted", text)
    return int(found.group(1).replace(",", "")) if found else 0


def _bulk_processes() -> list:
    """The bulk-send worker processes under this test process."""
    import psutil

    me = psutil.Process()
    found = []
    for child in me.children(recursive=True):
        try:
            if "aep_console.services.bulk_process" in " ".join(child.cmdline()):
                found.append(child)
        except psutil.Error:
            pass
    return found


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
    type_into(qtbot, bulk.path_edit, str(path))
    dataset = ctx.target.dataset_id
    before = await _stored(ctx, dataset)
    qtbot.mouseClick(bulk.send_all, Qt.MouseButton.LeftButton)
    await until(lambda: _accepted(page.bulk.stats.text()) > 0, 30, "the first accepted records")
    workers = _bulk_processes()
    assert len(workers) == 1  # the engine runs in a worker process, not in the window's
    assert workers[0].nice() == max(os.getpriority(os.PRIO_PROCESS, 0), 10)  # below the window
    assert bulk.pause.isEnabled() and bulk.cancel.isEnabled() and not bulk.send_all.isEnabled()
    qtbot.mouseClick(bulk.pause, Qt.MouseButton.LeftButton)
    assert bulk.pause.text() == "Resume"
    await asyncio.sleep(1.0)  # the requests in flight when the pause arrived finish
    frozen = await _stored(ctx, dataset)
    await asyncio.sleep(0.8)
    assert await _stored(ctx, dataset) == frozen, "the sandbox receives nothing while paused"
    assert frozen - before < 60_000
    await until(lambda: bulk.eta.text() == "Paused", 2, "the paused ETA")
    qtbot.mouseClick(bulk.pause, Qt.MouseButton.LeftButton)  # resume
    assert bulk.pause.text() == "Pause"
    for _ in range(300):  # the worker sends again
        if await _stored(ctx, dataset) > frozen:
            break
        await asyncio.sleep(0.05)
    assert await _stored(ctx, dataset) > frozen, "sending resumed"
    await until(lambda: bulk.plot.points(), 5, "throughput points")
    assert "records/s" in bulk.stats.text()
    qtbot.mouseClick(bulk.cancel, Qt.MouseButton.LeftButton)
    await until(lambda: bulk.send_all.isEnabled(), 30, "the cancelled run to end")
    assert bulk.banner.text().startswith("cancelled: "), bulk.banner.text()
    assert "not accepted" not in bulk.banner.text()  # every record is valid: each outcome is an acceptance
    done = _accepted(bulk.banner.text())
    assert 0 < done < 60_000
    assert bulk.table.model().rowCount() == done  # one row per record with an outcome
    assert cell(bulk.table, 0, 1) == "accepted" and cell(bulk.table, 0, 3)  # its status and xactionId
    for _ in range(100):  # the worker process ends with its run
        if not any(w.is_running() and w.status() != "zombie" for w in workers):
            break
        await asyncio.sleep(0.05)
    assert not _bulk_processes()
    assert ui_errors == []


async def test_bulk_send_reports_invalid_records(event_editor, qtbot, tmp_path, ui_errors):
    page = event_editor
    path = tmp_path / "few.json"
    _events_file(path, 300, bad_every=10)
    type_into(qtbot, page.bulk.path_edit, str(path))
    click(qtbot, page.bulk.send_all)
    await until(lambda: page.bulk.send_all.isEnabled() and page.bulk.banner.text(), 30, "the run to end",
                shown=lambda: bulk_shown(page))
    table = page.bulk.table
    assert table.model().rowCount() == 300
    invalid = [r for r in range(300) if cell(table, r, 1) == "invalid"]
    assert len(invalid) == 30 and "$._id: expected type: String, found: Long" in cell(table, invalid[0], 4)
    assert page.bulk.fix_button.isVisible()
    assert "30 of 300 records have an integer _id" in page.bulk.banner.text()
    rate = page.bulk.stats.text().split(" records/s")[0].rsplit("· ", 1)[-1]
    assert float(rate.replace(",", "")) > 0, page.bulk.stats.text()  # a run that ended: its own average
    assert ui_errors == []


async def test_the_worker_process_ends_with_the_window_and_the_run_stays_resumable(event_editor, qtbot, tmp_path,
                                                                                 ui_errors):
    page = event_editor
    ctx = page.ctx
    path = tmp_path / "many.json"
    _events_file(path, 80_000)
    type_into(qtbot, page.bulk.path_edit, str(path))
    qtbot.mouseClick(page.bulk.send_all, Qt.MouseButton.LeftButton)
    await until(lambda: _accepted(page.bulk.stats.text()) > 0, 30, "the first accepted records")
    workers = _bulk_processes()
    assert len(workers) == 1
    # what Quit does (ui.app.run_gui): cancel the window's tasks and wait for them
    ctx.runner.cancel_all()
    await ctx.runner.wait_all()
    for _ in range(200):
        if not _bulk_processes():
            break
        await asyncio.sleep(0.05)
    assert not _bulk_processes(), "the worker process outlived the window"
    # the run was cancelled, not lost: its journal holds what was accepted, and it can be resumed
    from aep_console.services.journal import Journal, run_key, runs_dir

    t = ctx.target
    state = Journal(runs_dir() / run_key(path, t.connection_id, t.dataset_id) / "journal.log").read()
    assert state.header and 0 < state.accepted < 80_000 and not state.complete
    assert ui_errors == []


async def test_records_aep_failed_after_acknowledging_them_are_counted_in_the_window(event_editor, qtbot, tmp_path,
                                                                                    ui_errors):
    """With the local check off, AEP acknowledges the integer-_id events and fails them in their batch
    (as on AEP): after the run the window reconciles, as the command line does, and says so."""
    from .helpers import tick
    from .user_steps import bulk_send

    page = event_editor
    tick(qtbot, page.local_box)  # let AEP itself judge the records
    assert not page.local_box.isChecked()
    path = tmp_path / "late-failures.json"
    _events_file(path, 40, bad_every=10)
    await bulk_send(qtbot, page, str(path))
    banner = page.bulk.banner.text()
    assert "36 accepted" in banner and "4 refused by AEP" in banner, banner
    assert "4 acknowledged record(s) failed by AEP afterwards" in banner, banner
    assert ui_errors == []
