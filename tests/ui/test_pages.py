"""Connection profiles (create, edit, delete, switch, import, test, production), the stream
inspector, the history, the data lake and the profile view's events table."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QLineEdit, QWizard

from aep_console.ui.logview import QtLogHandler
from aep_console.ui.main_window import MainWindow

from .helpers import (
    answer_modal,
    cell,
    choose,
    click,
    click_later,
    click_list_row,
    click_row,
    open_file,
    open_page,
    paste_into,
    postman_environment,
    tick,
    type_into,
    unique,
    until,
    visible_dialog,
)
from .test_editor import _event_target


@pytest.fixture
async def conn_page(ctx, qtbot, memory_keyring):
    from aep_console.ui.pages.connections import ConnectionsPage

    page = ConnectionsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    await until(lambda: page.list.count() > 0, 5, "the profiles list")
    return page


def _names(page) -> list[str]:
    """The profile names the list shows ("● ACME dev  (dev)" → "ACME dev")."""
    return [page.list.item(i).text().lstrip("● ").rsplit("  (", 1)[0] for i in range(page.list.count())]


async def _send(qtbot, editor, record: dict) -> None:
    """Paste a record into the record editor and press Send (no production question expected)."""
    paste_into(qtbot, editor.editor, json.dumps(record))
    click(qtbot, editor.send_btn)


async def test_profile_create_edit_delete_with_secret_in_keyring(conn_page, memory_keyring, ctx, qtbot):
    page = conn_page
    assert _names(page)[0] == "Local sandbox"
    click(qtbot, page.new_btn)
    assert "Fill in the profile" in page.banner.text()
    type_into(qtbot, page.name, "ACME dev")
    type_into(qtbot, page.client_id, "acme-client")
    type_into(qtbot, page.org_id, "ACME0000000000000000000@AdobeOrg")
    type_into(qtbot, page.sandbox, "dev")
    type_into(qtbot, page.secret, "s3cret-value")
    click(qtbot, page.save_btn)
    assert page.banner.text().startswith("Saved profile \u201cACME dev\u201d"), page.banner.text()
    assert "ACME dev" in _names(page)
    assert memory_keyring.store.get(("aep-console", "ACME dev")) == "s3cret-value"
    saved = (ctx.profiles.directory / "acme-dev.json").read_text()
    assert "s3cret-value" not in saved  # the secret never reaches a file
    # edit: the sandbox changes, the secret stays in the keyring
    assert page.name.text() == "ACME dev" and page.secret.text() == ""
    type_into(qtbot, page.sandbox, "stage")
    click(qtbot, page.save_btn)
    assert page.banner.text().startswith("Saved profile"), page.banner.text()
    assert ctx.profiles.get("ACME dev").sandbox_name == "stage"
    assert memory_keyring.store.get(("aep-console", "ACME dev")) == "s3cret-value"
    # invalid org id: said plainly, nothing saved
    type_into(qtbot, page.org_id, "not-an-org")
    click(qtbot, page.save_btn)
    assert page.banner.text().startswith("Not saved"), page.banner.text()
    assert "org_id" in page.banner.text() and "@AdobeOrg" in page.banner.text()
    assert ctx.profiles.get("ACME dev").org_id == "ACME0000000000000000000@AdobeOrg"
    # delete: the profile's row, Delete, Yes
    click_list_row(qtbot, page.list, _names(page).index("ACME dev"))
    click_later(qtbot, page.delete_btn)
    assert "ACME dev" in await answer_modal(qtbot, "Delete profile", "Yes")
    assert "ACME dev" not in _names(page) and page.banner.text().startswith("Deleted profile"), page.banner.text()
    assert ("aep-console", "ACME dev") not in memory_keyring.store
    assert not (ctx.profiles.directory / "acme-dev.json").exists()
    # the built-in profile cannot be deleted
    click_list_row(qtbot, page.list, _names(page).index("Local sandbox"))
    click_later(qtbot, page.delete_btn)
    await answer_modal(qtbot, "Delete profile", "Yes")
    assert "cannot be deleted" in page.banner.text() and "Local sandbox" in _names(page)


async def test_import_postman_environment_and_test_connection(conn_page, sandbox, tmp_path, qtbot):
    page = conn_page
    path = postman_environment(sandbox, tmp_path / "env.postman_environment.json", "Sandbox via Postman")
    await open_file(qtbot, page.import_btn, "Import credentials", path)
    assert "Imported" in page.banner.text(), page.banner.text()
    assert page.name.text() == "Sandbox via Postman" and "Sandbox via Postman" in _names(page)
    click(qtbot, page.test_btn)
    await until(lambda: page.banner.text().startswith(("Connection works", "Test failed", "IMS", "The token", "No")),
                15, "the test")
    assert page.banner.text().startswith("Connection works"), page.banner.text()
    lines = [page.test_results.item(i).text() for i in range(page.test_results.count())]
    assert any("Token from IMS" in t for t in lines) and any("tenant exchangeinternal" in t for t in lines)
    # a wrong secret: said plainly
    type_into(qtbot, page.secret, "wrong-secret")
    click(qtbot, page.test_btn)
    await until(lambda: "refused" in page.banner.text() or "works" in page.banner.text(), 15, "the failed test")
    assert "IMS refused the credentials" in page.banner.text()


async def test_import_developer_console_file_makes_a_production_profile(conn_page, tmp_path, memory_keyring, qtbot):
    page = conn_page
    path = tmp_path / "credential.json"
    path.write_text(json.dumps({"CLIENT_ID": "abc", "CLIENT_SECRETS": ["p8e-secret"], "ORG_ID": "ACME@AdobeOrg",
                                "SCOPES": ["openid", "AdobeID"]}))
    await open_file(qtbot, page.import_btn, "Import credentials", path)
    assert "Imported" in page.banner.text(), page.banner.text()
    assert page.production.isChecked()
    assert "p8e-secret" in memory_keyring.store.values()
    broken = tmp_path / "broken.json"
    broken.write_text('{"hello": ')
    await open_file(qtbot, page.import_btn, "Import credentials", broken)
    assert page.banner.text().startswith("Import failed") and "line 1" in page.banner.text()


async def test_production_profile_shows_banner_and_asks_before_sending(ctx, qtbot, memory_keyring):
    from aep_console.services.profiles import local_profile

    prod = local_profile()
    prod.name, prod.production = unique("Local prod"), True
    ctx.profiles.save(prod)
    win = MainWindow(ctx, QtLogHandler())
    qtbot.addWidget(win)
    win.resize(1280, 900)
    win.show()
    profiles = open_page(qtbot, win, "Connections")
    await until(lambda: prod.name in _names(profiles), 5, "the production profile in the list")
    click_list_row(qtbot, profiles.list, _names(profiles).index(prod.name))
    click(qtbot, profiles.use_btn)
    await until(lambda: win.banner.isVisible(), 15, "the production banner")
    assert "PRODUCTION" in win.banner.text()
    await _event_target(ctx)
    editor = open_page(qtbot, win, "Record editor")
    await until(lambda: editor.controller.validator is not None, 15, "validator")
    paste_into(qtbot, editor.editor, json.dumps({"_id": "p-1", "timestamp": "2024-01-01T00:00:00Z",
                                                  "_exchangeinternal": {"loyaltyID": "p@example.com"}}))
    click_later(qtbot, editor.send_btn)
    assert "PRODUCTION" in await answer_modal(qtbot, "Send to production?", "Cancel")
    assert editor.result_banner.text() == ""  # nothing sent
    click_later(qtbot, editor.send_btn)
    assert "PRODUCTION" in await answer_modal(qtbot, "Send to production?", "Yes")
    await until(lambda: "Accepted" in editor.result_banner.text(), 15, "the confirmed send")
    # a wizard asks before it creates anything
    streaming = open_page(qtbot, win, "Streaming connections")
    click(qtbot, streaming.new_btn)
    wizard = streaming.wizard
    await until(lambda: wizard.isVisible() and wizard.page_.dataset.count() > 1, 15, "datasets in the wizard")
    type_into(qtbot, wizard.page_.name, unique("Prod stream"))
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    assert wizard.currentPage() is wizard.review_page
    click_later(qtbot, wizard.button(QWizard.WizardButton.CommitButton))
    assert "PRODUCTION" in await answer_modal(qtbot, "Create in production?", "Cancel")
    assert wizard.currentPage() is wizard.review_page  # refused: nothing created
    click_later(qtbot, wizard.button(QWizard.WizardButton.CommitButton))
    await answer_modal(qtbot, "Create in production?", "Yes")
    await until(lambda: wizard.run_page.title() in ("Created", "Failed: undone", "Cancelled: undone"), 30,
                "the confirmed creation")
    assert wizard.run_page.title() == "Created"
    click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
    await until(lambda: not wizard.isVisible(), 5, "the wizard to close")


@pytest.fixture
async def event_editor(connected, qtbot):
    """The record editor, shown, on the session's ExperienceEvent target, its validator ready."""
    from aep_console.ui.pages.editor import EditorPage

    editor = EditorPage(connected)
    qtbot.addWidget(editor)
    editor.resize(1200, 850)
    editor.show()
    await _event_target(connected)
    await until(lambda: editor.controller.validator is not None, 15, "validator")
    return editor


async def test_inspector_reads_the_validation_report_and_copies_curl(event_editor, qtbot):
    from aep_console.ui.pages.inspector import InspectorPage

    editor = event_editor
    ctx = editor.ctx
    tick(qtbot, editor.local_box)  # let AEP itself judge the record
    assert not editor.local_box.isChecked()
    await _send(qtbot, editor, {"_id": 42, "timestamp": "2024-01-01T00:00:00Z",
                                "_exchangeinternal": {"loyaltyID": "x@y.z"}})
    await until(lambda: editor.result_banner.text().startswith("Refused"), 15, "AEP's refusal")
    assert "$._id" in " ".join(editor.validation.problems())
    inspector = InspectorPage(ctx)
    qtbot.addWidget(inspector)
    inspector.resize(1100, 800)
    inspector.show()
    table = inspector.table
    await until(lambda: table.model().rowCount() >= 1, 5, "the response in the inspector")
    refused = [r for r in range(table.model().rowCount())
               if cell(table, r, 1) == "400" and cell(table, r, 4).startswith("_id=42")]
    assert refused, [[cell(table, r, c) for c in range(5)] for r in range(table.model().rowCount())]
    click_row(qtbot, table, refused[-1])
    report = inspector.report.toPlainText()
    assert "/_id: expected type: String, found: Long" in report and "{" not in report  # words, not raw JSON
    QApplication.clipboard().clear()
    click(qtbot, inspector.curl_btn)
    curl = QApplication.clipboard().text()
    assert curl.startswith("curl") and "syncValidation=true" in curl
    token = await ctx.session.ims.get_token()
    assert token not in curl and token not in inspector.request.toPlainText()


async def test_history_search_and_reopen(event_editor, qtbot):
    from aep_console.ui.pages.history import HistoryPage

    editor = event_editor
    ctx = editor.ctx
    marker = unique("history-marker").replace(" ", "-")
    await _send(qtbot, editor, {"_id": marker, "timestamp": "2024-01-01T00:00:00Z",
                                "_exchangeinternal": {"loyaltyID": "h@example.com"}})
    await until(lambda: "Accepted" in editor.result_banner.text(), 15, "the send")
    page = HistoryPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 800)
    page.show()
    table = page.table
    await until(lambda: table.model().rowCount() > 1, 5, "the history")
    type_into(qtbot, page.search, marker)
    await until(lambda: table.model().rowCount() == 1, 5, "the search for the marker")
    assert cell(table, 0, 2) == "POST" and "/collection/" in cell(table, 0, 5), cell(table, 0, 5)  # a streaming message
    click_row(qtbot, table, 0)
    assert marker in page.request.toPlainText()
    paste_into(qtbot, editor.editor, "{}")
    click(qtbot, page.reopen_btn)
    assert json.loads(editor.editor.toPlainText())["_id"] == marker  # editable in the record editor
    assert ctx.target.connection_id and ctx.target.dataset_id
    # a Platform call reopens in the request editor
    type_into(qtbot, page.search, "/stats")
    await until(lambda: table.model().rowCount() >= 1
                and all("/stats" in cell(table, r, 5) for r in range(table.model().rowCount())), 5,
                "the search for /stats")
    choose(qtbot, page.service, "Platform")
    assert table.model().rowCount() >= 1
    click_row(qtbot, table, 0)
    click(qtbot, page.reopen_btn)
    dialog = await until(lambda: visible_dialog("Edit and resend request"), 5, "the request editor")
    qtbot.addWidget(dialog)
    assert dialog.method.currentText() == "GET" and "/stats" in dialog.url.text()
    click(qtbot, dialog.send_btn)
    await until(lambda: dialog.banner.text().startswith(("HTTP", "Not sent")), 15, "the resend")
    assert dialog.banner.text() == "HTTP 200" and "tenantId" in dialog.answer.toPlainText()


async def test_datalake_shows_batches_and_failed_records(event_editor, qtbot, tmp_path):
    from aep_console.ui.pages.datalake import DataLakePage

    editor = event_editor
    ctx = editor.ctx
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(json.dumps({"_id": i if i % 2 else f"ok-{i}", "timestamp": "2024-01-01T00:00:00Z",
                                          "_exchangeinternal": {"loyaltyID": "d@example.com"}}) for i in range(10)))
    tick(qtbot, editor.local_box)  # invalid records reach AEP and fail there
    assert not editor.local_box.isChecked()
    type_into(qtbot, editor.bulk.path_edit, str(path))
    click(qtbot, editor.bulk.send_all)
    await until(lambda: editor.bulk.send_all.isEnabled() and editor.bulk.banner.text(), 30, "the bulk send")
    lake = DataLakePage(ctx)
    qtbot.addWidget(lake)
    lake.resize(1100, 800)
    lake.show()

    def dataset_row() -> int | None:  # the dataset's entry (its tooltip starts with the dataset id)
        return next((i for i in range(lake.datasets.count())
                     if lake.datasets.item(i).toolTip().startswith(ctx.target.dataset_id)), None)

    await until(lambda: dataset_row() is not None, 15, "the dataset in the list")
    click_list_row(qtbot, lake.datasets, dataset_row())
    view = lake.batch_view
    await until(lambda: view.model().rowCount() > 0, 15, "the dataset's batches")
    assert (cell(view, 0, 2), cell(view, 0, 3)) in (("10", "5"), ("5", "5"))
    click_row(qtbot, view, 0)
    await until(lambda: lake.failed_view.model().rowCount() == 5, 15, "the failed records")
    reason = cell(lake.failed_view, 0, 1)
    assert "_id" in reason and "expected type: String, found: Long" in reason


def _click_header(qtbot, view, column: int) -> None:
    header = view.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def test_events_table_is_virtual_and_sortable(qtbot):
    from aep_console.ui.models.events import EventsModel
    from aep_console.ui.widgets.tables import data_table

    model = EventsModel()
    rows = [{"entityId": f"e{i}", "timestamp": 1_600_000_000_000 + i * 1000,
             "entity": {"_id": f"e{i:05d}", "eventType": "b" if i % 2 else "a"}} for i in range(10_000)]
    model.set_rows(rows)  # what a profile look-up hands the table
    view = data_table(model, "Experience events", "click a header to sort")
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    assert view.model().rowCount() == 10_000
    header = view.horizontalHeader()
    for order, first in ((Qt.SortOrder.DescendingOrder, "e09999"), (Qt.SortOrder.AscendingOrder, "e00000")):
        _click_header(qtbot, view, 0)  # each click on "Time (UTC)" turns the order round
        if header.sortIndicatorOrder() != order:
            _click_header(qtbot, view, 0)
        assert header.sortIndicatorSection() == 0 and header.sortIndicatorOrder() == order
        assert cell(view, 0, 2) == first
    _click_header(qtbot, view, 1)
    if header.sortIndicatorOrder() != Qt.SortOrder.AscendingOrder:
        _click_header(qtbot, view, 1)
    assert cell(view, 0, 1) == "a" and cell(view, 9_999, 1) == "b"


async def test_every_page_is_labelled_for_keyboard_and_screen_reader_use(ctx, qtbot):
    win = MainWindow(ctx, QtLogHandler())
    qtbot.addWidget(win)
    win.show()
    missing = []
    for spec in win.specs:
        page = open_page(qtbot, win, spec.title)
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
