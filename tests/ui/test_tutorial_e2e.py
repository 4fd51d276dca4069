"""The streaming-ingestion tutorial, in order, purely through the input events of the real main
window (clicks on the sidebar and buttons, typing, the keyboard; waiting on what is shown), against
the sandbox subprocess:

connection profile → profile schema with primary identity → Profile-enabled dataset →
streaming connection with its dataflow into that dataset (the default route) → stream a profile →
fetch it in the profile view → event schema → dataset → stream an event (the editor offers the
missing dataflow into the event dataset and creates it) → see it under the profile; then the sample
loyalty files through bulk send, with the integer ``_id`` defect reported and fixed from the GUI.
No flow id is ever typed; the sandbox's log shows every message carried its dataset's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from .helpers import (
    cell,
    choose,
    click,
    click_list_row,
    click_row,
    dcs_received,
    open_page,
    paste_into,
    press_button,
    unique,
    until,
    visible_dialog,
)
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


async def test_tutorial_through_the_gui(window, ctx, sandbox, qtbot, shared_dir, ui_errors):
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

    # 4. streaming connection on the default route: with its dataflow into the members dataset
    streaming = open_page(qtbot, window, "Streaming connections")
    connection_id = await connection_wizard(qtbot, streaming, name=f"{prefix} stream",
                                            dataset_name=f"{prefix} members dataset")
    profile_flow = ctx.target.flow_id
    assert profile_flow, "the wizard made the dataflow and the editor's target names it"

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
    paste_into(qtbot, editor.editor, json.dumps(EVENT, indent=2))
    await until(lambda: editor.validation.count() and "Valid" in editor.validation.item(0).text(), 15,
                "the event to validate")
    qtbot.keyClick(editor.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    # no dataflow leads into the event dataset yet: the editor says so and offers to create one
    offer = await until(lambda: visible_dialog("No dataflow"), 15, "the offer of a dataflow into the events")
    press_button(qtbot, offer, "Create dataflow")
    await until(lambda: "Accepted" in editor.result_banner.text(), 20, "the event sent through the new dataflow")
    event_flow = ctx.target.flow_id
    assert event_flow and event_flow != profile_flow

    # 10. see it under the profile
    open_page(qtbot, window, "Profiles")
    await look_up(qtbot, profiles, "Email", "e2e.member@example.com", events=1)
    assert cell(profiles.events_view, 0, 2) == "e2e-event-1"  # its _id

    # 11. the sample loyalty files through bulk send
    samples = shared_dir / "samples"
    open_page(qtbot, window, "Datasets")
    await use_dataset(qtbot, datasets, f"{prefix} members dataset")
    editor = open_page(qtbot, window, "Record editor")
    await until(lambda: editor.controller.schema_id == profile_schema and editor.controller.validator is not None,
                15, "the profile schema again")
    await bulk_send(qtbot, editor, str(samples / "AEP loyalty profiles.json"))
    table = editor.bulk.table
    assert table.model().rowCount() == 25
    assert all(cell(table, r, 1) == "accepted" for r in range(25)), editor.bulk.banner.text()

    open_page(qtbot, window, "Datasets")
    await use_dataset(qtbot, datasets, f"{prefix} events dataset")
    editor = open_page(qtbot, window, "Record editor")
    await until(lambda: editor.controller.schema_id == event_schema and editor.controller.validator is not None,
                15, "the event schema again")
    await bulk_send(qtbot, editor, str(samples / "AEP loyalty events.json"))
    table = editor.bulk.table
    assert table.model().rowCount() == 20 and all(cell(table, r, 1) == "invalid" for r in range(20))
    assert "$._id: expected type: String, found: Long" in cell(table, 0, 4)
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
    assert table.model().rowCount() == 20
    assert all(cell(table, r, 1) == "accepted" for r in range(20)), editor.bulk.banner.text()

    # a sample member now has its events under the profile
    first = json.loads((samples / "AEP loyalty events.json").read_text())[0]["_exchangeinternal"]["loyaltyID"]
    open_page(qtbot, window, "Profiles")
    await look_up(qtbot, profiles, "Email", first, events=1)

    # the inspector saw every streaming response; its curl carries the token header, expandable
    inspector = open_page(qtbot, window, "Stream inspector")
    await until(lambda: inspector.model.rowCount() >= 4, 5, "streaming responses in the inspector")
    click_row(qtbot, inspector.table, 0)
    QApplication.clipboard().clear()
    click(qtbot, inspector.curl_btn)
    curl = QApplication.clipboard().text()
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

    # every message the sandbox took from this connection named its dataset's dataflow, in the header and in
    # the x-adobe-flow-id request header (the 20 integer-_id events were stopped before sending)
    flow_of = {profile_dataset: profile_flow, event_dataset: event_flow}
    groups = [(q, g) for q in dcs_received(sandbox, connection_id) for g in q["messages"]]
    assert sum(g["count"] for _, g in groups) == 1 + 1 + 25 + 20
    assert all(g["flowId"] == flow_of[g["datasetId"]] == q["flowIdHeader"] and g["accepted"] == g["count"]
               for q, g in groups), groups
    assert ui_errors == []
