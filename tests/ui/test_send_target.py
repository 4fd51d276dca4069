"""The send target made explicit, and the traps around a bulk send: the wrong dataset (with the
diagnosis that fits), a file already sent, an interrupted run, paused time, quitting mid-run."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from PySide6.QtCore import Qt

from .helpers import box_button, choose, click, open_page, type_into, unique, until, visible_box
from .test_bulk import _events_file
from .test_editor import _event_target


@pytest.fixture
async def editor(connected, qtbot):
    from aep_console.ui.pages.editor import EditorPage

    page = EditorPage(connected)
    qtbot.addWidget(page)
    page.resize(1200, 850)
    page.show()
    return page


async def _run_to_end(page, timeout: float = 60) -> None:
    await until(lambda: page.bulk.send_all.isEnabled() and page.bulk.banner.text(), timeout, "the run to end")


async def test_events_sent_to_the_profile_dataset_are_called_a_wrong_dataset(editor, connected, qtbot, shared_dir,
                                                                            ui_errors):
    from aep_console.services.setup import SetupWorkflows

    ctx, page = connected, editor
    prefix = unique("Trap").replace(" ", "")
    report = await SetupWorkflows(ctx.session).loyalty_tutorial(prefix)
    assert report.ok, report.summary()
    click(qtbot, page.targets.refresh)
    await until(lambda: page.targets.dataset.findText(f"{prefix}", Qt.MatchFlag.MatchContains) >= 0, 15,
                "the tutorial's datasets in the combo")
    members = [page.targets.dataset.itemText(i) for i in range(page.targets.dataset.count())
               if prefix in page.targets.dataset.itemText(i) and "vent" not in page.targets.dataset.itemText(i)]
    assert members, [page.targets.dataset.itemText(i) for i in range(page.targets.dataset.count())]
    choose(qtbot, page.targets.dataset, members[0])  # the profile dataset: the wrong one for events
    connection = next(page.targets.connection.itemText(i) for i in range(page.targets.connection.count())
                      if prefix in page.targets.connection.itemText(i))
    choose(qtbot, page.targets.connection, connection)
    await until(lambda: page.controller.validator is not None, 15, "the profile schema's validator")
    events = shared_dir / "samples" / "AEP loyalty events.json"
    type_into(qtbot, page.bulk.path_edit, str(events))
    # before Send all: how many records go where, with the class and the schema
    await until(lambda: page.bulk.target_line.text().startswith("20 records"), 10, "the target line")
    line = page.bulk.target_line.text()
    assert f"\u2192 dataset \u201c{members[0]}\u201d" in line and "XDM Individual Profile" in line, line
    click(qtbot, page.bulk.send_all)
    await _run_to_end(page)
    banner = page.bulk.banner.text()
    assert "Wrong dataset?" in banner and "eventType" in banner and "ExperienceEvents" in banner, banner
    assert "converting _id would not fix this" in banner
    assert "integer _id; XDM requires" not in banner and not page.bulk.fix_button.isVisible()
    assert "--" not in banner  # no command-line flags in the window
    # the results say "Record 1 … line 1", never "record 0"
    assert page.bulk.results.data(page.bulk.results.index(0, 0)) == "1"
    reason = page.bulk.results.data(page.bulk.results.index(0, 4))
    assert not reason.startswith("record ") and "extraneous key" in reason, reason
    assert ui_errors == []


async def test_a_file_already_sent_asks_before_sending_it_again(editor, connected, qtbot, tmp_path, ui_errors):
    ctx, page = connected, editor
    await _event_target(ctx)
    await until(lambda: page.controller.validator is not None, 15, "the validator")
    path = tmp_path / "events.json"
    _events_file(path, 300)
    type_into(qtbot, page.bulk.path_edit, str(path))
    await until(lambda: page.bulk.target_line.text().startswith("300 records"), 10, "the target line")
    click(qtbot, page.bulk.send_all)
    await _run_to_end(page)
    assert page.bulk.banner.text().startswith("done: 300 accepted"), page.bulk.banner.text()
    click(qtbot, page.bulk.send_all)
    box = await until(lambda: visible_box("EditorQuestion"), 5, "the re-send question")
    assert "already sent in full" in box.text() and "300 records accepted" in box.text()
    click(qtbot, box_button(box, "Cancel"))
    await until(lambda: visible_box("EditorQuestion") is None, 5, "the question to close")
    assert page.bulk.send_all.isEnabled() and page.bulk.banner.text().startswith("done: 300")  # nothing started
    click(qtbot, page.bulk.send_all)
    box = await until(lambda: visible_box("EditorQuestion"), 5, "the re-send question")
    click(qtbot, box_button(box, "Send again"))
    await until(lambda: not page.bulk.send_all.isEnabled(), 5, "the run to start")
    await _run_to_end(page)
    assert page.bulk.banner.text().startswith("done: 300 accepted")
    assert ui_errors == []


def _elapsed(stats: str) -> float:
    m = re.search(r"([\d,.]+) s$", stats)
    assert m, stats
    return float(m.group(1).replace(",", ""))


async def test_interrupted_run_pause_and_quit(connected, qtbot, tmp_path, ui_errors):
    from aep_console.ui.logview import QtLogHandler
    from aep_console.ui.main_window import MainWindow

    ctx = connected
    window = MainWindow(ctx, QtLogHandler())
    qtbot.addWidget(window)
    window.show()
    page = open_page(qtbot, window, "Record editor")
    await _event_target(ctx)
    await until(lambda: page.controller.validator is not None, 15, "the validator")
    path = tmp_path / "many.json"
    _events_file(path, 60_000)
    type_into(qtbot, page.bulk.path_edit, str(path))
    click(qtbot, page.bulk.send_all)
    await until(lambda: page.controller.bulk.progress is not None and page.controller.bulk.progress.accepted > 0,
                30, "the first accepted records")

    # paused time is not counted: the elapsed time stands still while paused
    click(qtbot, page.bulk.pause)
    await until(lambda: page.bulk.eta.text() == "Paused", 5, "the pause")
    before = _elapsed(page.bulk.stats.text())
    await asyncio.sleep(1.5)
    assert _elapsed(page.bulk.stats.text()) - before < 0.5, page.bulk.stats.text()
    click(qtbot, page.bulk.pause)  # resume

    # Ctrl+Q during the run asks; "Keep sending" keeps the window and the run
    window.activateWindow()
    await until(lambda: window.isActiveWindow(), 5, "the window to be active")
    page.bulk.table.setFocus()
    qtbot.keyClick(page.bulk.table, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    box = await until(lambda: visible_box("QuitQuestion"), 5, "the quit question")
    assert window.isVisible()
    click(qtbot, box_button(box, "Keep sending"))
    await until(lambda: visible_box("QuitQuestion") is None, 5, "the question to close")
    assert window.isVisible() and ctx.runner.is_running("bulk-send")

    click(qtbot, page.bulk.cancel)
    await _run_to_end(page)
    banner = page.bulk.banner.text()
    assert banner.startswith("cancelled") and "Send all again to resume" in banner and "--resume" not in banner

    # Send all again: the interrupted run is offered, and the panel shows no figure of a run
    click(qtbot, page.bulk.send_all)
    box = await until(lambda: visible_box("EditorQuestion"), 10, "the interrupted-run question")
    assert "Resume sends only the other records" in box.text() and "--" not in box.text()
    assert page.bulk.progress.value() == 0 and page.bulk.eta.text() == "ETA —"
    assert page.bulk.stats.text() == "Not started." and page.bulk.results.rowCount() == 0
    click(qtbot, box_button(box, "Resume"))
    await until(lambda: not page.bulk.send_all.isEnabled(), 10, "the resumed run")
    await _run_to_end(page, 120)
    assert "already done before resuming" in page.bulk.banner.text(), page.bulk.banner.text()
    assert page.bulk.progress.value() == 100 and page.bulk.eta.text() == "Done"
    assert ui_errors == []
    _ = json
