"""Settings: the screen is drawn from the one list of settings; each change is saved, applied at
once and read again on the next start; the early-stop threshold ends a hopeless bulk send."""

from __future__ import annotations

import itertools
import json

from PySide6.QtCore import Qt

from .helpers import choose, click, dcs_received, type_into, until
from .test_bulk import _events_file


def _open_page(qtbot, window, title: str):
    from .helpers import open_page

    return open_page(qtbot, window, title)


async def test_settings_screen_saves_applies_and_stops_a_hopeless_send_early(connected, qtbot, qapp, tmp_path,
                                                                            ui_errors):
    from aep_console.services.settings import SETTINGS, load
    from aep_console.services.setup import SetupWorkflows
    from aep_console.ui.logview import QtLogHandler
    from aep_console.ui.main_window import MainWindow
    from aep_console.ui.theme import apply_theme, is_dark

    ctx = connected
    apply_theme(qapp, "light")
    window = MainWindow(ctx, QtLogHandler())
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    page = _open_page(qtbot, window, "Settings")
    assert page.accessibleName() == "Settings"
    assert list(page.editors) == [s.key for s in SETTINGS]  # one editor per listed setting, in order
    try:
        choose(qtbot, page.editors["theme"], "Dark")
        assert is_dark(qapp) and load().theme == "dark"
    finally:
        apply_theme(qapp, "light")
    spin = page.editors["history_keep"]
    type_into(qtbot, spin, "500")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    await until(lambda: load().history_keep == 500, 5, "the history limit to be saved")
    assert ctx.history.keep == 500 and "Saved" in page.banner.text()
    spin = page.editors["stop_after_failures"]
    type_into(qtbot, spin, "40")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    await until(lambda: ctx.settings.stop_after_failures == 40, 5, "the threshold to be saved")
    assert json.loads((load.__globals__["settings_path"]()).read_text())["stop_after_failures"] == 40

    # a file of events sent to a profile dataset: the run stops after 40 failed records
    report = await SetupWorkflows(ctx.session).loyalty_tutorial("Early")
    assert report.ok, report.summary()
    ids = report.outputs
    ctx.update_target(connection_id=ids["connection_id"], dataset_id=ids["profile_dataset_id"],
                      schema_id=ids["profile_schema_id"], dataset_name="Early members dataset")
    editor = _open_page(qtbot, window, "Record editor")
    await until(lambda: editor.controller.validator is not None and editor.controller.schema_id
                == ids["profile_schema_id"], 15, "the profile schema's validator")
    path = tmp_path / "events.json"
    _events_file(path, 5000)
    type_into(qtbot, editor.bulk.path_edit, str(path))
    click(qtbot, editor.bulk.send_all)
    await until(lambda: editor.bulk.send_all.isEnabled() and editor.bulk.banner.text(), 60, "the run to stop")
    banner = editor.bulk.banner.text()
    assert banner.startswith("aborted") and "stopped early" in banner and "Wrong dataset?" in banner, banner
    assert 40 <= editor.bulk.results.rowCount() < 5000
    assert ui_errors == []


async def test_the_message_rate_setting_paces_a_bulk_send(connected, sandbox, qtbot, qapp, tmp_path, ui_errors):
    """Messages per second at most: typed in Settings, kept by the next bulk send (on the local sandbox,
    which is otherwise unlimited): at 1,000 messages/s a request of n messages is followed by the next
    one n/1,000 s later at the earliest."""
    from aep_console.services.settings import load
    from aep_console.ui.logview import QtLogHandler
    from aep_console.ui.main_window import MainWindow

    from .test_editor import _event_target

    ctx = connected
    window = MainWindow(ctx, QtLogHandler())
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    page = _open_page(qtbot, window, "Settings")
    spin = page.editors["engine_max_rate"]
    type_into(qtbot, spin, "1000")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    await until(lambda: load().engine_max_rate == 1000, 5, "the rate to be saved")
    await _event_target(ctx)
    editor = _open_page(qtbot, window, "Record editor")
    await until(lambda: editor.controller.validator is not None, 15, "the event schema's validator")
    path = tmp_path / "paced-events.json"
    _events_file(path, 3000)
    type_into(qtbot, editor.bulk.path_edit, str(path))
    click(qtbot, editor.bulk.send_all)
    await until(lambda: editor.bulk.send_all.isEnabled() and editor.bulk.banner.text(), 60, "the run to end")
    assert editor.bulk.banner.text().startswith("done"), editor.bulk.banner.text()
    sent = [e for e in ctx.history.iter(service="streaming") if e.run and path.name in e.run]
    received = dcs_received(sandbox, ctx.target.connection_id)[-len(sent):]  # the sandbox's log, in order
    sizes = [sum(m["count"] for m in r["messages"]) for r in received]
    assert len(sent) >= 2 and sum(sizes) == 3000 and all(e.status in (200, 207) for e in sent), (sent, sizes)
    gaps = [b.started_at - a.started_at for a, b in itertools.pairwise(sent)]
    assert all(gap >= n / 1000 - 0.05 for gap, n in zip(gaps, sizes, strict=False)), (gaps, sizes)
    assert ui_errors == []
