"""The streaming-ingestion tutorial, in order, purely through the GUI of the real main window,
against the sandbox subprocess:

connection profile → profile schema with primary identity → Profile-enabled dataset →
streaming connection → stream a profile → fetch it in the profile view → event schema →
dataset → stream an event → see it under the profile; then the sample loyalty files through
bulk send, with the integer ``_id`` defect reported and fixed from the GUI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from .helpers import unique, until
from .wizard_steps import create, created_value, finish_run, schema_wizard_to_review

PROFILE = {
    "_exchangeinternal": {"loyaltyID": "e2e.member@example.com", "totalLoyaltyPoints": 241450,
                          "loyaltyLevel": "Platinum"},
    "person": {"name": {"firstName": "Timi", "lastName": "Scrowby"}, "birthDate": "1979-03-06", "gender": "male"},
    "personalEmail": {"primary": False, "address": "e2e.member@example.com", "type": "personal", "status": "active"},
}
EVENT = {
    "_exchangeinternal": {"loyaltyID": "e2e.member@example.com", "pointsEarned": 800, "totalPoints": 242250,
                          "loyaltyLevel": "Platinum"},
    "eventType": "loyaltyBalanceUpdate", "_id": "e2e-event-1", "timestamp": "2020-03-03T06:34:55Z",
}


@pytest.fixture
async def window(ctx, qtbot):
    from aep_console.ui.logview import QtLogHandler
    from aep_console.ui.main_window import MainWindow

    win = MainWindow(ctx, QtLogHandler())
    qtbot.addWidget(win)
    win.show()
    return win


def click(qtbot, button) -> None:
    assert button.isEnabled(), f"{button.text()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


async def run_schema_wizard(qtbot, page, **kwargs) -> str:
    click(qtbot, page.new_btn)
    wizard = page.wizard
    await schema_wizard_to_review(wizard, **kwargs)
    assert await create(wizard) == "done", wizard.step_texts()
    schema_id = created_value(wizard, "Schema $id")
    click(qtbot, wizard.button(wizard.WizardButton.FinishButton))
    return schema_id


async def run_dataset_wizard(qtbot, page, name: str, schema_id: str) -> str:
    click(qtbot, page.new_btn)
    wizard = page.wizard
    dp = wizard.dataset_page
    await until(lambda: dp._loaded, 15, "schemas in the dataset wizard")
    dp.name.setText(name)
    assert dp.schema.currentData() == schema_id, "the wizard offers the schema just created"
    assert dp.profile.isChecked() and dp.warning.isVisible()
    wizard.next()
    assert await create(wizard) == "done", wizard.step_texts()
    dataset_id = created_value(wizard, "Dataset id")
    click(qtbot, wizard.button(wizard.WizardButton.FinishButton))
    return dataset_id


async def send_in_editor(qtbot, editor, record: dict) -> str:
    editor.editor.set_json(record)
    await until(lambda: editor.validation.count() and "Valid" in editor.validation.item(0).text(), 15,
                f"the record to validate ({editor.validation.problems()})")
    qtbot.keyClick(editor.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    await until(lambda: "Accepted" in editor.result_banner.text() or "Refused" in editor.result_banner.text()
                or "Not sent" in editor.result_banner.text(), 20, f"the send ({editor.result_banner.text()!r})")
    assert "Accepted" in editor.result_banner.text(), editor.result_banner.text()
    return editor.result_banner.text()


async def look_up(qtbot, profiles, namespace: str, value: str, *, events: int | None = None) -> None:
    profiles.namespace.setCurrentText(namespace)
    profiles.identity.setText(value)
    qtbot.keyClick(profiles.identity, Qt.Key.Key_Return)

    def loaded() -> bool:
        ok = profiles.summary.text().startswith("Profile ") and (events is None or profiles.events.rowCount() >= events)
        if not ok and not profiles.controller.ctx.runner.is_running("profile-lookup"):
            profiles.refresh_btn.click()  # a new profile or event can take a moment to appear
        return ok

    await until(loaded, 30, f"profile {namespace}:{value} with {events} events")


async def bulk_send(editor, path: str) -> None:
    editor.bulk.path_edit.setText(path)
    editor.bulk.send_all.click()
    await until(lambda: editor.bulk.send_all.isEnabled() and editor.bulk.banner.text(), 60, f"bulk send of {path}")


async def test_tutorial_through_the_gui(window, ctx, qtbot, shared_dir, ui_errors):
    # 1. connection profile: the built-in local sandbox, tested, then used
    conns = window.show_page("connections")
    await until(lambda: conns.list.count() > 0, 5, "the profiles list")
    names = [conns.list.item(i).text() for i in range(conns.list.count())]
    assert any("Local sandbox" in n for n in names)
    conns.list.setCurrentRow(0)
    click(qtbot, conns.test_btn)
    await until(lambda: conns.banner.text().startswith(("Connection works", "Test failed", "IMS", "The token")), 20,
                "the connection test")
    assert conns.banner.text().startswith("Connection works"), conns.banner.text()
    click(qtbot, conns.use_btn)
    await until(lambda: ctx.session is not None, 20, "the session")
    assert "Local sandbox" in window.profile_label.text()

    # 2. profile schema with a primary identity, enabled for Profile
    prefix = unique("E2E")
    schemas = window.show_page("schemas")
    profile_schema = await run_schema_wizard(
        qtbot, schemas, title=f"{prefix} members", event=False,
        fields=[("loyaltyID", "string", True), ("totalLoyaltyPoints", "integer", False),
                ("loyaltyLevel", "string", False)],
        identity="loyaltyID", namespace="Email")

    # 3. Profile-enabled dataset
    datasets = window.show_page("datasets")
    profile_dataset = await run_dataset_wizard(qtbot, datasets, f"{prefix} members dataset", profile_schema)

    # 4. streaming connection (the tutorial's)
    streaming = window.show_page("streaming")
    click(qtbot, streaming.new_btn)
    cw = streaming.wizard
    await until(lambda: cw.page_._loaded, 15, "datasets in the connection wizard")
    cw.page_.name.setText(f"{prefix} stream")
    cw.page_.dataset.setCurrentIndex(cw.page_.dataset.findData(profile_dataset))
    cw.next()
    assert await create(cw) == "done", cw.step_texts()
    connection_id = created_value(cw, "CONNECTION_ID")
    click(qtbot, cw.button(cw.WizardButton.FinishButton))
    assert (ctx.target.connection_id, ctx.target.dataset_id, ctx.target.schema_id) == \
        (connection_id, profile_dataset, profile_schema)

    # 5. stream a profile from the record editor
    editor = window.show_page("editor")
    await until(lambda: editor.controller.validator is not None, 15, "the profile schema's validator")
    assert editor.targets.connection.currentData() == connection_id
    await send_in_editor(qtbot, editor, PROFILE)

    # 6. fetch it in the profile view
    profiles = window.show_page("profiles")
    await look_up(qtbot, profiles, "Email", "e2e.member@example.com")
    assert ("Email", "e2e.member@example.com", True) in [(a, b, c) for a, b, c in profiles_identities(profiles)] or \
        any(r[1] == "e2e.member@example.com" for r in profiles_identities(profiles))
    assert profile_dataset in [profiles.sources.item(i).text() for i in range(profiles.sources.count())]
    assert any("Scrowby" in line for line in profiles.tree.path_texts())

    # 7. event schema, 8. its dataset
    window.show_page("schemas")
    event_schema = await run_schema_wizard(
        qtbot, schemas, title=f"{prefix} events", event=True,
        fields=[("loyaltyID", "string", True), ("pointsEarned", "integer", False), ("totalPoints", "integer", False),
                ("loyaltyLevel", "string", False)],
        identity="loyaltyID", namespace="Email")
    window.show_page("datasets")
    event_dataset = await run_dataset_wizard(qtbot, datasets, f"{prefix} events dataset", event_schema)

    # 9. stream an event (same connection, the event dataset is now the target)
    editor = window.show_page("editor")
    assert ctx.target.dataset_id == event_dataset and ctx.target.connection_id == connection_id
    await until(lambda: editor.controller.schema_id == event_schema and editor.controller.validator is not None, 15,
                "the event schema's validator")
    await send_in_editor(qtbot, editor, EVENT)

    # 10. see it under the profile
    window.show_page("profiles")
    await look_up(qtbot, profiles, "Email", "e2e.member@example.com", events=1)
    assert profiles.events.rows[0]["entity"]["_id"] == "e2e-event-1"

    # 11. the sample loyalty files through bulk send
    samples = shared_dir / "samples"
    window.show_page("datasets")
    datasets.filter.setText(f"{prefix} members dataset")
    await until(lambda: datasets.model.rowCount() == 1, 15, "the members dataset in the list")
    datasets.table.selectRow(0)
    click(qtbot, datasets.use_btn)
    editor = window.show_page("editor")
    await until(lambda: editor.controller.schema_id == profile_schema and editor.controller.validator is not None,
                15, "the profile schema again")
    await bulk_send(editor, str(samples / "AEP loyalty profiles.json"))
    assert editor.bulk.results.rowCount() == 25
    assert all(r.status == "accepted" for r in editor.bulk.results.rows), editor.bulk.banner.text()

    window.show_page("datasets")
    datasets.filter.setText(f"{prefix} events dataset")
    await until(lambda: datasets.model.rowCount() == 1, 15, "the events dataset in the list")
    datasets.table.selectRow(0)
    click(qtbot, datasets.use_btn)
    editor = window.show_page("editor")
    await until(lambda: editor.controller.schema_id == event_schema and editor.controller.validator is not None,
                15, "the event schema again")
    await bulk_send(editor, str(samples / "AEP loyalty events.json"))
    rows = editor.bulk.results.rows
    assert len(rows) == 20 and all(r.status == "invalid" for r in rows)
    assert "$._id: expected type: String, found: Long" in rows[0].reason
    banner = editor.bulk.banner.text()
    assert "20 of 20 records have an integer _id" in banner and "XDM requires a string" in banner
    assert editor.bulk.fix_button.isVisible()
    click(qtbot, editor.bulk.fix_button)  # "Convert _id to string"
    await until(lambda: "converted" in editor.bulk.banner.text(), 10, "the fixed copy")
    fixed = editor.bulk.path_edit.text()
    assert fixed.endswith(".json") and fixed != str(samples / "AEP loyalty events.json")
    assert all(isinstance(r["_id"], str) for r in json.loads(Path(fixed).read_text()))
    await bulk_send(editor, fixed)
    assert len(editor.bulk.results.rows) == 20
    assert all(r.status == "accepted" for r in editor.bulk.results.rows), editor.bulk.banner.text()

    # a sample member now has its events under the profile
    first = json.loads((samples / "AEP loyalty events.json").read_text())[0]["_exchangeinternal"]["loyaltyID"]
    window.show_page("profiles")
    await look_up(qtbot, profiles, "Email", first, events=1)

    # the inspector saw every streaming response; the history can reopen one
    inspector = window.show_page("inspector")
    await until(lambda: inspector.model.rowCount() >= 4, 5, "streaming responses in the inspector")
    inspector.table.selectRow(0)
    assert inspector.curl_text().startswith("curl")
    assert "Bearer" not in inspector.curl_text() or "${ACCESS_TOKEN}" in inspector.curl_text() or "***" in inspector.curl_text()
    history = window.show_page("history")
    history.service.setCurrentIndex(history.service.findData("streaming"))
    await until(lambda: history.model.rowCount() > 0, 5, "streaming entries in the history")
    history.table.selectRow(history.model.rowCount() - 1)  # the oldest: the single profile send
    click(qtbot, history.reopen_btn)
    assert window.current_key() == "editor"
    assert json.loads(editor.editor.toPlainText())["_exchangeinternal"]["loyaltyID"] == "e2e.member@example.com"
    assert ui_errors == []


def profiles_identities(page) -> list[tuple[str, str, bool]]:
    t = page.identities
    return [(t.item(r, 0).text(), t.item(r, 1).text(), t.item(r, 2).text() == "yes") for r in range(t.rowCount())]


_ = finish_run
