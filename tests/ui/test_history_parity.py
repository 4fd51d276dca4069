"""History as Postman shows it: the headers (redacted) of each request and answer, and a bulk send
as one group of requests."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from .helpers import choose, click, click_row, paste_into, tick, type_into, unique, until
from .test_bulk import _events_file
from .test_editor import _event_target


async def test_history_shows_headers_and_groups_a_bulk_run(connected, qtbot, tmp_path, ui_errors):
    from aep_console.ui.pages.editor import EditorPage
    from aep_console.ui.pages.history import HistoryPage, RunGroup

    ctx = connected
    editor = EditorPage(ctx)
    qtbot.addWidget(editor)
    editor.resize(1200, 850)
    editor.show()
    await _event_target(ctx)
    await until(lambda: editor.controller.validator is not None, 15, "the validator")
    marker = unique("parity").replace(" ", "-")
    paste_into(qtbot, editor.editor, json.dumps({"_id": marker, "timestamp": "2024-01-01T00:00:00Z",
                                                 "eventType": "x", "_exchangeinternal": {"loyaltyID": "p@x.y"}}))
    await until(lambda: "Valid" in editor.validation.item(0).text(), 10, "the valid record")
    qtbot.keyClick(editor.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    await until(lambda: "Accepted" in editor.result_banner.text(), 15, "the send")
    response = editor.response.toPlainText()
    assert response.startswith("HTTP 200") and "content-type:" in response.lower()
    path = tmp_path / f"{marker}.json"
    _events_file(path, 3600)  # three requests of at most 900 KB (the engine's batch limit: ~1,500 of these)
    type_into(qtbot, editor.bulk.path_edit, str(path))
    click(qtbot, editor.bulk.send_all)
    await until(lambda: editor.bulk.send_all.isEnabled() and editor.bulk.banner.text().startswith("done"), 30,
                "the bulk send")
    ctx.sessions.flush_history()

    history = HistoryPage(ctx)
    qtbot.addWidget(history)
    history.resize(1200, 800)
    history.show()
    choose(qtbot, history.service, "Streaming")
    await until(lambda: any(isinstance(r, RunGroup) and marker in r.run for r in history.model.rows), 10,
                "the bulk run's group")
    group_row = next(i for i, r in enumerate(history.model.rows) if isinstance(r, RunGroup) and marker in r.run)
    group = history.model.rows[group_row]
    assert len(group.entries) == 3 and group.failed == 0 and "3 requests" in group.url
    click_row(qtbot, history.table, group_row)
    assert history.request.toPlainText().count("HTTP 207") == 3 and not history.reopen_btn.isEnabled()
    single = next(i for i, r in enumerate(history.model.rows)
                  if not isinstance(r, RunGroup) and marker in (r.request_body or ""))
    click_row(qtbot, history.table, single)
    request, answer = history.request.toPlainText(), history.response.toPlainText()
    assert "x-api-key: aep-sandbox-client" in request and "authorization: Bearer ***REDACTED***" in request
    token = await ctx.session.ims.get_token()
    assert token not in request and "content-type:" in answer.lower() and answer.startswith("HTTP 200")
    from aep_console.ui.pages.inspector import InspectorPage

    inspector = InspectorPage(ctx)  # batch rows say what they are, even when the body was kept cut
    qtbot.addWidget(inspector)
    await until(lambda: inspector.model.rowCount() >= 4, 5, "the inspector's rows")
    batches = [r for r in inspector.model.rows if "/collection/batch/" in r.exchange.url]
    assert batches and all(r.summary.startswith("batch") for r in batches), [r.summary for r in batches]
    n_grouped = history.model.rowCount()
    tick(qtbot, history.group_runs)
    await until(lambda: history.model.rowCount() >= n_grouped + 2, 10, "every request on its own row")
    assert ui_errors == []
