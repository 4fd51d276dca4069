"""The streaming-ingestion tutorial, in order, purely through the input events of the real main
window (clicks on the sidebar and buttons, typing, the keyboard; waiting on what is shown), against
the sandbox subprocess:

connection profile → profile schema with primary identity → Profile-enabled dataset →
streaming connection → stream a profile → fetch it in the profile view → event schema →
dataset → stream an event → see it under the profile; then the sample loyalty files through
bulk send, with the integer ``_id`` defect reported and fixed from the GUI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .helpers import choose, click, click_list_row, click_row, open_page, unique, until
from .user_steps import (
    bulk_send,
    connection_wizard,
    dataset_wizard,
    look_up,
    schema_wizard,
    send_record,
    use_dataset,
)

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
MEMBER_FIELDS = [("loyaltyID", "string", True), ("totalLoyaltyPoints", "integer", False),
                 ("loyaltyLevel", "string", False)]
EVENT_FIELDS = [("loyaltyID", "string", True), ("pointsEarned", "integer", False), ("totalPoints", "integer", False),
                ("loyaltyLevel", "string", False)]


@pytest.fixture
async def window(ctx, qtbot):
    from aep_console.ui.logview import QtLogHandler
    from aep_console.ui.main_window import MainWindow

    win = MainWindow(ctx, QtLogHandler())
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    return win


def profiles_identities(page) -> list[tuple[str, str, bool]]:
    t = page.identities
    return [(t.item(r, 0).text(), t.item(r, 1).text(), t.item(r, 2).text() == "yes") for r in range(t.rowCount())]


async def test_tutorial_through_the_gui(window, ctx, qtbot, shared_dir, ui_errors):
    # 1. connection profile: the built-in local sandbox, tested, then used
    conns = open_page(qtbot, window, "Connections")
    await until(lambda: conns.list.count() > 0, 5, "the profiles list")
    row = next(i for i in range(conns.list.count()) if "Local sandbox" in conns.list.item(i).text())
    click_list_row(qtbot, conns.list, row)
    click(qtbot, conns.test_btn)
    await until(lambda: conns.banner.text().startswith(("Connection works", "Test failed", "IMS", "The token")), 20,
                "the connection test")
    assert conns.banner.text().startswith("Connection works"), conns.banner.text()
    click(qtbot, conns.use_btn)
    await until(lambda: "Local sandbox" in window.profile_label.text() and ctx.session is not None, 20, "the session")

    # 2. profile schema with a primary identity, enabled for Profile
    prefix = unique("E2E")
    schemas = open_page(qtbot, window, "Schemas")
    profile_schema = await schema_wizard(qtbot, schemas, title=f"{prefix} members", event=False,
                                         fields=MEMBER_FIELDS, identity="loyaltyID", namespace="Email")

    # 3. Profile-enabled dataset
    datasets = open_page(qtbot, window, "Datasets")
    profile_dataset = await dataset_wizard(qtbot, datasets, name=f"{prefix} members dataset",
                                           schema_title=f"{prefix} members")

    # 4. streaming connection (the tutorial's), to the members dataset
    streaming = open_page(qtbot, window, "Streaming connections")
    connection_id = await connection_wizard(qtbot, streaming, name=f"{prefix} stream",
                                            dataset_name=f"{prefix} members dataset")

    # 5. stream a profile from the record editor: the wizards chose its target
    editor = open_page(qtbot, window, "Record editor")
    await until(lambda: editor.controller.validator is not None, 15, "the profile schema's validator")
    assert editor.targets.connection.currentData() == connection_id
    assert editor.targets.dataset.currentText() == f"{prefix} members dataset"
    assert editor.targets.schema.currentText() == f"{prefix} members"
    await send_record(qtbot, editor, json.dumps(PROFILE, indent=2))

    # 6. fetch it in the profile view: the looked-up identity is the primary one, in its namespace
    profiles = open_page(qtbot, window, "Profiles")
    await look_up(qtbot, profiles, "Email", "e2e.member@example.com")
    assert ("Email", "e2e.member@example.com", True) in profiles_identities(profiles), profiles_identities(profiles)
    sources = [profiles.sources.item(i).text() for i in range(profiles.sources.count())]
    assert f"{prefix} members dataset  ({profile_dataset})" in sources, sources  # the name, and the id
    assert any("Scrowby" in line for line in profiles.tree.path_texts())

    # 7. event schema, 8. its dataset
    open_page(qtbot, window, "Schemas")
    event_schema = await schema_wizard(qtbot, schemas, title=f"{prefix} events", event=True,
                                       fields=EVENT_FIELDS, identity="loyaltyID", namespace="Email")
    open_page(qtbot, window, "Datasets")
    event_dataset = await dataset_wizard(qtbot, datasets, name=f"{prefix} events dataset",
                                         schema_title=f"{prefix} events")

    # 9. stream an event (same connection, the event dataset is now the target)
    editor = open_page(qtbot, window, "Record editor")
    assert editor.targets.dataset.currentText() == f"{prefix} events dataset"
    assert editor.targets.dataset.currentData() == event_dataset
    assert editor.targets.connection.currentData() == connection_id
    await until(lambda: editor.controller.schema_id == event_schema and editor.controller.validator is not None, 15,
                "the event schema's validator")
    await send_record(qtbot, editor, json.dumps(EVENT, indent=2))

    # 10. see it under the profile
    open_page(qtbot, window, "Profiles")
    await look_up(qtbot, profiles, "Email", "e2e.member@example.com", events=1)
    assert profiles.events.rows[0]["entity"]["_id"] == "e2e-event-1"

    # 11. the sample loyalty files through bulk send
    samples = shared_dir / "samples"
    open_page(qtbot, window, "Datasets")
    await use_dataset(qtbot, datasets, f"{prefix} members dataset")
    editor = open_page(qtbot, window, "Record editor")
    await until(lambda: editor.controller.schema_id == profile_schema and editor.controller.validator is not None,
                15, "the profile schema again")
    await bulk_send(qtbot, editor, str(samples / "AEP loyalty profiles.json"))
    assert editor.bulk.results.rowCount() == 25
    assert all(r.status == "accepted" for r in editor.bulk.results.rows), editor.bulk.banner.text()

    open_page(qtbot, window, "Datasets")
    await use_dataset(qtbot, datasets, f"{prefix} events dataset")
    editor = open_page(qtbot, window, "Record editor")
    await until(lambda: editor.controller.schema_id == event_schema and editor.controller.validator is not None,
                15, "the event schema again")
    await bulk_send(qtbot, editor, str(samples / "AEP loyalty events.json"))
    rows = editor.bulk.results.rows
    assert len(rows) == 20 and all(r.status == "invalid" for r in rows)
    assert "$._id: expected type: String, found: Long" in rows[0].reason
    banner = editor.bulk.banner.text()
    assert "20 of 20 records have an integer _id" in banner and "XDM requires a string" in banner
    click(qtbot, editor.bulk.fix_button)  # "Convert _id to string"
    await until(lambda: "converted" in editor.bulk.banner.text(), 10, "the fixed copy")
    fixed = editor.bulk.path_edit.text()
    assert fixed.endswith(".json") and fixed != str(samples / "AEP loyalty events.json")
    assert all(isinstance(r["_id"], str) for r in json.loads(Path(fixed).read_text()))
    click(qtbot, editor.bulk.send_all)
    await until(lambda: editor.bulk.send_all.isEnabled() and editor.bulk.banner.text().startswith("done"), 60,
                "the fixed file's send")
    assert len(editor.bulk.results.rows) == 20
    assert all(r.status == "accepted" for r in editor.bulk.results.rows), editor.bulk.banner.text()

    # a sample member now has its events under the profile
    first = json.loads((samples / "AEP loyalty events.json").read_text())[0]["_exchangeinternal"]["loyaltyID"]
    open_page(qtbot, window, "Profiles")
    await look_up(qtbot, profiles, "Email", first, events=1)

    # the inspector saw every streaming response; its curl carries the token header, expandable
    inspector = open_page(qtbot, window, "Stream inspector")
    await until(lambda: inspector.model.rowCount() >= 4, 5, "streaming responses in the inspector")
    click_row(qtbot, inspector.table, 0)
    curl = inspector.curl_text()
    token = await ctx.session.ims.get_token()
    assert curl.startswith("curl") and '-H "authorization: Bearer ${ACCESS_TOKEN}"' in curl, curl
    assert token not in curl
    history = open_page(qtbot, window, "History")
    choose(qtbot, history.service, "Streaming")
    await until(lambda: history.model.rowCount() > 0, 5, "streaming entries in the history")
    oldest = max(range(history.model.rowCount()), key=lambda r: -history.model.rows[r].started_at)
    click_row(qtbot, history.table, oldest)  # the oldest: the single profile send
    click(qtbot, history.reopen_btn)
    assert window.current_key() == "editor"
    assert json.loads(editor.editor.toPlainText())["_exchangeinternal"]["loyaltyID"] == "e2e.member@example.com"
    assert ui_errors == []
