"""Connection profiles (create, edit, delete, switch, import, test, production), the stream
inspector, the history, the data lake and the profile view's events table."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QMessageBox

from aep_console.ui.logview import QtLogHandler
from aep_console.ui.main_window import MainWindow

from .helpers import unique, until
from .test_editor import _event_target


@pytest.fixture
async def conn_page(ctx, qtbot, memory_keyring):
    from aep_console.ui.pages.connections import ConnectionsPage

    page = ConnectionsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    await until(lambda: page.list.count() > 0, 5, "the profiles list")
    return page


def _names(page) -> list[str]:
    return [page.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(page.list.count())]


async def test_profile_create_edit_delete_with_secret_in_keyring(conn_page, memory_keyring, ctx):
    page = conn_page
    assert _names(page)[0] == "Local sandbox"
    page.new_profile()
    page.name.setText("ACME dev")
    page.client_id.setText("acme-client")
    page.org_id.setText("ACME0000000000000000000@AdobeOrg")
    page.sandbox.setText("dev")
    page.secret.setText("s3cret-value")
    assert page.save(), page.banner.text()
    assert "ACME dev" in _names(page)
    assert ("aep-console", "ACME dev") in memory_keyring.store
    saved = (ctx.profiles.directory / "acme-dev.json").read_text()
    assert "s3cret-value" not in saved  # the secret never reaches a file
    # edit: the sandbox changes, the secret stays in the keyring
    page.sandbox.setText("stage")
    assert page.save()
    assert ctx.profiles.get("ACME dev").sandbox_name == "stage"
    # invalid org id: said plainly, nothing saved
    page.org_id.setText("not-an-org")
    assert not page.save()
    assert "org_id" in page.banner.text() and "@AdobeOrg" in page.banner.text()
    # delete
    page.list.setCurrentRow(_names(page).index("ACME dev"))
    ok, msg = page.controller.delete("ACME dev")
    page.reload()
    assert ok and "ACME dev" not in _names(page)
    assert ("aep-console", "ACME dev") not in memory_keyring.store
    ok, msg = page.controller.delete("Local sandbox")
    assert not ok and "cannot be deleted" in msg


async def test_import_postman_environment_and_test_connection(conn_page, sandbox, tmp_path):
    page = conn_page
    env = {"name": "Sandbox via Postman", "values": [
        {"key": "IMS_ORG", "value": sandbox.credentials.org_id},
        {"key": "API_KEY", "value": sandbox.credentials.client_id},
        {"key": "CLIENT_SECRET", "value": sandbox.credentials.client_secret},
        {"key": "SANDBOX_NAME", "value": "dev"},
        {"key": "IMS", "value": sandbox.urls.ims},
        {"key": "PLATFORM_GATEWAY", "value": sandbox.urls.platform},
        {"key": "DCS_HOST", "value": sandbox.urls.streaming}]}
    path = tmp_path / "env.postman_environment.json"
    path.write_text(json.dumps(env))
    page.import_file(str(path))
    assert "Imported" in page.banner.text(), page.banner.text()
    assert page.name.text() == "Sandbox via Postman"
    page.test()
    await until(lambda: page.banner.text().startswith(("Connection works", "Test failed", "IMS", "The token", "No")),
                15, "the test")
    assert page.banner.text().startswith("Connection works"), page.banner.text()
    lines = [page.test_results.item(i).text() for i in range(page.test_results.count())]
    assert any("Token from IMS" in t for t in lines) and any("tenant exchangeinternal" in t for t in lines)
    # a wrong secret: said plainly
    page.secret.setText("wrong-secret")
    page.test()
    await until(lambda: "refused" in page.banner.text() or "works" in page.banner.text(), 15, "the failed test")
    assert "IMS refused the credentials" in page.banner.text()


async def test_import_developer_console_file_makes_a_production_profile(conn_page, tmp_path, memory_keyring):
    page = conn_page
    path = tmp_path / "credential.json"
    path.write_text(json.dumps({"CLIENT_ID": "abc", "CLIENT_SECRETS": ["p8e-secret"], "ORG_ID": "ACME@AdobeOrg",
                                "SCOPES": ["openid", "AdobeID"]}))
    page.import_file(str(path))
    assert "Imported" in page.banner.text(), page.banner.text()
    assert page.production.isChecked()
    assert "p8e-secret" in memory_keyring.store.values()
    broken = tmp_path / "broken.json"
    broken.write_text('{"hello": ')
    page.import_file(str(broken))
    assert page.banner.text().startswith("Import failed") and "line 1" in page.banner.text()


async def test_production_profile_shows_banner_and_asks_before_sending(ctx, qtbot, monkeypatch, memory_keyring):
    from aep_console.services.profiles import local_profile

    prod = local_profile()
    prod.name, prod.production = unique("Local prod"), True
    ctx.profiles.save(prod)
    win = MainWindow(ctx, QtLogHandler())
    qtbot.addWidget(win)
    win.show()
    await ctx.activate(prod)
    assert win.banner.isVisible() and "PRODUCTION" in win.banner.text()
    await _event_target(ctx)
    editor = win.show_page("editor")
    await until(lambda: editor.controller.validator is not None, 15, "validator")
    asked = []

    def answer(which):
        def fake(*args, **kwargs):
            asked.append(args[2] if len(args) > 2 else "")
            return which
        return fake

    editor.editor.set_json({"_id": "p-1", "timestamp": "2024-01-01T00:00:00Z",
                            "_exchangeinternal": {"loyaltyID": "p@example.com"}})
    monkeypatch.setattr(QMessageBox, "warning", answer(QMessageBox.StandardButton.Cancel))
    editor.send()
    assert asked and "PRODUCTION" in asked[0]
    assert editor.result_banner.text() == ""  # nothing sent
    monkeypatch.setattr(QMessageBox, "warning", answer(QMessageBox.StandardButton.Yes))
    editor.send()
    await until(lambda: "Accepted" in editor.result_banner.text(), 15, "the confirmed send")
    assert len(asked) == 2
    # a wizard asks before it creates anything
    from aep_console.ui.wizards.connection_wizard import ConnectionWizard

    wizard = ConnectionWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    await until(lambda: wizard.page_._loaded, 15, "datasets")
    wizard.page_.name.setText(unique("Prod stream"))
    wizard.next()
    monkeypatch.setattr(QMessageBox, "warning", answer(QMessageBox.StandardButton.Cancel))
    wizard.next()
    assert wizard.currentPage() is wizard.review_page and len(asked) == 3  # refused: nothing created
    monkeypatch.setattr(QMessageBox, "warning", answer(QMessageBox.StandardButton.Yes))
    wizard.next()
    await until(lambda: wizard.state == "done", 15, "the confirmed creation")


async def test_inspector_reads_the_validation_report_and_copies_curl(connected, qtbot):
    from aep_console.ui.pages.editor import EditorPage
    from aep_console.ui.pages.inspector import InspectorPage

    ctx = connected
    editor = EditorPage(ctx)
    qtbot.addWidget(editor)
    await _event_target(ctx)
    await until(lambda: editor.controller.validator is not None, 15, "validator")
    editor.local_box.setChecked(False)  # let AEP itself judge the record
    editor.editor.set_json({"_id": 42, "timestamp": "2024-01-01T00:00:00Z", "_exchangeinternal": {"loyaltyID": "x@y.z"}})
    editor.send()
    await until(lambda: editor.result_banner.text().startswith("Refused"), 15, "AEP's refusal")
    assert "$._id" in " ".join(editor.validation.problems())
    inspector = InspectorPage(ctx)
    qtbot.addWidget(inspector)
    inspector.show()
    await until(lambda: inspector.model.rowCount() >= 1, 5, "the response in the inspector")
    row = max(range(inspector.model.rowCount()), key=lambda i: inspector.model.rows[i].exchange.started_at)
    inspector.table.selectRow(row)
    assert inspector.model.rows[row].status == 400
    report = inspector.report.toPlainText()
    assert "/_id: expected type: String, found: Long" in report and "{" not in report  # words, not raw JSON
    curl = inspector.curl_text()
    assert curl.startswith("curl") and "syncValidation=true" in curl
    token = await ctx.session.ims.get_token()
    assert token not in curl and token not in inspector.request.toPlainText()


async def test_history_search_and_reopen(connected, qtbot):
    from aep_console.ui.pages.editor import EditorPage
    from aep_console.ui.pages.history import HistoryPage

    ctx = connected
    editor = EditorPage(ctx)
    qtbot.addWidget(editor)
    await _event_target(ctx)
    await until(lambda: editor.controller.validator is not None, 15, "validator")
    marker = unique("history-marker").replace(" ", "-")
    editor.editor.set_json({"_id": marker, "timestamp": "2024-01-01T00:00:00Z",
                            "_exchangeinternal": {"loyaltyID": "h@example.com"}})
    editor.send()
    await until(lambda: "Accepted" in editor.result_banner.text(), 15, "the send")
    page = HistoryPage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.search.setText(marker)
    page.refresh()
    assert page.model.rowCount() == 1 and page.model.rows[0].service == "streaming"
    page.table.selectRow(0)
    editor.editor.setPlainText("{}")
    page.reopen()
    assert json.loads(editor.editor.toPlainText())["_id"] == marker  # editable in the record editor
    assert ctx.target.connection_id and ctx.target.dataset_id
    # a Platform call reopens in the request editor
    page.search.setText("/stats")
    page.service.setCurrentIndex(page.service.findData("platform"))
    page.refresh()
    assert page.model.rowCount() >= 1
    page.table.selectRow(0)
    page.reopen()
    dialog = page.dialog
    qtbot.addWidget(dialog)
    assert dialog.method.currentText() == "GET" and "/stats" in dialog.url.text()
    dialog.send()
    await until(lambda: dialog.banner.text().startswith(("HTTP", "Not sent")), 15, "the resend")
    assert dialog.banner.text() == "HTTP 200" and "tenantId" in dialog.answer.toPlainText()


async def test_datalake_shows_batches_and_failed_records(connected, qtbot, tmp_path):
    from aep_console.ui.pages.datalake import DataLakePage
    from aep_console.ui.pages.editor import EditorPage

    ctx = connected
    editor = EditorPage(ctx)
    qtbot.addWidget(editor)
    await _event_target(ctx)
    await until(lambda: editor.controller.validator is not None, 15, "validator")
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(json.dumps({"_id": i if i % 2 else f"ok-{i}", "timestamp": "2024-01-01T00:00:00Z",
                                          "_exchangeinternal": {"loyaltyID": "d@example.com"}}) for i in range(10)))
    editor.local_box.setChecked(False)  # invalid records reach AEP and fail there
    editor.start_bulk(str(path))
    await until(lambda: editor.bulk.send_all.isEnabled() and editor.bulk.banner.text(), 30, "the bulk send")
    lake = DataLakePage(ctx)
    qtbot.addWidget(lake)
    lake.show()
    lake.select_dataset(ctx.target.dataset_id)
    await until(lambda: lake.batches.rowCount() > 0, 15, "the dataset's batches")
    batch = lake.batches.rows[0]
    assert (batch.record_count, batch.failed_record_count) in ((10, 5), (5, 5))
    lake.batch_view.selectRow(0)
    await until(lambda: lake.failed.rowCount() == 5, 15, "the failed records")
    reason = lake.failed.data(lake.failed.index(0, 1))
    assert "_id" in reason and "expected type: String, found: Long" in reason


def test_events_table_is_virtual_and_sortable(qtbot):
    from aep_console.ui.models.events import EventsModel

    model = EventsModel()
    rows = [{"entityId": f"e{i}", "timestamp": 1_600_000_000_000 + i * 1000,
             "entity": {"_id": f"e{i:05d}", "eventType": "b" if i % 2 else "a"}} for i in range(10_000)]
    model.set_rows(rows)
    assert model.rowCount() == 10_000
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert model.rows[0]["entityId"] == "e9999"
    model.sort(1, Qt.SortOrder.AscendingOrder)
    assert model.data(model.index(0, 1)) == "a" and model.data(model.index(9_999, 1)) == "b"


async def test_every_page_is_labelled_for_keyboard_and_screen_reader_use(ctx, qtbot):
    win = MainWindow(ctx, QtLogHandler())
    qtbot.addWidget(win)
    win.show()
    missing = []
    for spec in win.specs:
        page = win.show_page(spec.key)
        for w in page.findChildren(QAbstractButton) + page.findChildren(QLineEdit) + page.findChildren(QComboBox):
            if w.parent() is not None and type(w.parent()).__name__ in ("QComboBox", "QSpinBox", "QTabBar"):
                continue
            if type(w).__name__ in ("QToolButton",) or not w.isVisibleTo(page):
                continue
            named = w.accessibleName() or (isinstance(w, QAbstractButton) and w.text())
            if not named:
                missing.append(f"{spec.key}: {type(w).__name__} {w.objectName()}")
            if isinstance(w, QAbstractButton) and not w.toolTip() and w.text().replace("&", "") not in ("OK", "Cancel"):
                missing.append(f"{spec.key}: button {w.text()!r} has no tooltip")
        assert page.focusPolicy() is not None
    assert missing == []
