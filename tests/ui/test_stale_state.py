"""No stale state: every page clears or refreshes what depends on the context when it changes
(looked-up identity, selected row, the send target, the record), acting as a user would."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from .helpers import choose, click, click_row, click_tab, paste_into, type_into, unique, until
from .test_editor import _event_target


async def _person_with_an_event(ctx) -> str:
    from aep_console.services.engine_types import SendTarget
    from aep_console.services.sending import send_one
    from aep_console.services.setup import SetupWorkflows

    report = await SetupWorkflows(ctx.session).loyalty_tutorial(unique("Stale").replace(" ", ""))
    assert report.ok, report.summary()
    ids, org = report.outputs, ctx.profile.org_id
    who = f"{unique('stale').replace(' ', '.')}@example.com"
    profile_target = SendTarget(ids["connection_id"], ids["profile_dataset_id"], ids["profile_schema_id"], org,
                                flow_id=ids["profile_flow_id"])
    event_target = SendTarget(ids["connection_id"], ids["event_dataset_id"], ids["event_schema_id"], org,
                              flow_id=ids["event_flow_id"])
    assert (await send_one(ctx.session, profile_target, {"_exchangeinternal": {"loyaltyID": who}},
                           sync_validation=False)).ok
    event = {"_id": unique("ev").replace(" ", "-"), "eventType": "loyaltyBalanceUpdate",
             "timestamp": "2024-02-02T10:00:00Z", "_exchangeinternal": {"loyaltyID": who, "pointsEarned": 5}}
    assert (await send_one(ctx.session, event_target, event, sync_validation=False)).ok
    return who


async def test_profile_view_forgets_the_previous_person(connected, qtbot, ui_errors):
    from aep_console.ui.pages.profiles import ProfilesPage

    ctx = connected
    who = await _person_with_an_event(ctx)
    page = ProfilesPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    type_into(qtbot, page.identity, who)
    qtbot.keyClick(page.identity, Qt.Key.Key_Return)

    def loaded() -> bool:
        if page.events.rowCount() >= 1:
            return True
        if not ctx.runner.is_running("profile-lookup"):
            click(qtbot, page.refresh_btn)
        return False

    await until(loaded, 30, "the profile and its event")
    # the looked-up identity is the schema's primary identity (a descriptor field, not in identityMap)
    rows = [[page.identities.item(r, c).text() for c in range(3)] for r in range(page.identities.rowCount())]
    assert ["Email", who, "yes"] in rows, rows
    click_tab(qtbot, page.tabs, "Events")
    assert page.tabs.currentIndex() == 4
    click_row(qtbot, page.events_view, 0)
    await until(lambda: page.event_detail.toPlainText(), 5, "the selected event's detail")
    assert json.loads(page.event_detail.toPlainText())["_exchangeinternal"]["loyaltyID"] == who

    type_into(qtbot, page.identity, "nobody-" + who)
    qtbot.keyClick(page.identity, Qt.Key.Key_Return)
    await until(lambda: "No profile" in page.banner.text(), 15, "the not-found answer")
    assert page.event_detail.toPlainText() == "", "the previous person's event is still shown"
    assert page.identities.rowCount() == 0 and page.sources.count() == 0
    assert page.summary.text() == "No profile loaded." and page.tabs.tabText(4) == "Events (0)"
    assert ui_errors == []


async def test_editor_banner_and_combos_follow_the_record_and_the_target(connected, qtbot, ui_errors):
    from aep_console.ui.pages.editor import EditorPage

    ctx = connected
    page = EditorPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    await _event_target(ctx)
    await until(lambda: page.controller.validator is not None, 15, "the validator")
    # the combos show names once the lists are read again, never bare ids
    await until(lambda: page.targets.dataset.currentText() != ctx.target.dataset_id
                and page.targets.schema.currentText() != ctx.target.schema_id, 15, "names in the target combos")
    assert page.targets.dataset.currentText().startswith("Editor ")
    record = {"_id": unique("stale").replace(" ", "-"), "timestamp": "2024-01-01T00:00:00Z",
              "eventType": "loyaltyBalanceUpdate", "_exchangeinternal": {"loyaltyID": "s@example.com"}}
    paste_into(qtbot, page.editor, json.dumps(record))
    await until(lambda: "Valid" in page.validation.item(0).text(), 10, "the valid record")
    qtbot.keyClick(page.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    await until(lambda: "Accepted" in page.result_banner.text(), 15, "the send")
    # an edit that breaks the record: the "Accepted" verdict no longer applies
    paste_into(qtbot, page.editor, json.dumps({**record, "_id": 5}))
    await until(lambda: page.validation.problems(), 10, "the violation")
    assert "Accepted" not in page.result_banner.text() and not page.result_banner.isVisible()

    # no connection chosen: Send says so; choosing one clears that message
    choose(qtbot, page.targets.connection, "— choose —")
    paste_into(qtbot, page.editor, json.dumps(record))
    await until(lambda: "Valid" in page.validation.item(0).text(), 10, "the valid record")
    click(qtbot, page.send_btn)
    await until(lambda: "choose a streaming connection" in page.result_banner.text(), 10, "the refusal")
    choose(qtbot, page.targets.connection, "Editor ")
    assert ctx.target.connection_id
    assert "choose a streaming connection" not in page.result_banner.text() and not page.result_banner.isVisible()
    assert ui_errors == []


async def test_dataset_detail_empties_when_no_row_is_selected(connected, qtbot, ui_errors):
    from aep_console.ui.pages.resources import DatasetsPage

    ctx = connected
    await _event_target(ctx)
    page = DatasetsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    await until(lambda: page.model.rowCount() > 0, 15, "the datasets")
    click_row(qtbot, page.table, 0)
    await until(lambda: page.id_field.value(), 5, "the selected dataset's id")
    assert page.use_btn.isEnabled()
    type_into(qtbot, page.filter, "no dataset is called like this")
    await until(lambda: page.model.rowCount() == 0, 5, "the filtered list")
    assert page.id_field.value() == "" and page.detail.topLevelItemCount() == 0
    assert not page.use_btn.isEnabled()
    assert ui_errors == []


async def test_inspector_detail_never_describes_a_row_out_of_view(connected, qtbot, ui_errors):
    from aep_console.ui.pages.editor import EditorPage
    from aep_console.ui.pages.inspector import InspectorPage

    ctx = connected
    editor = EditorPage(ctx)
    qtbot.addWidget(editor)
    await _event_target(ctx)
    await until(lambda: editor.controller.validator is not None, 15, "the validator")
    inspector = InspectorPage(ctx)
    qtbot.addWidget(inspector)
    inspector.resize(1100, 700)
    inspector.show()
    record = {"timestamp": "2024-01-01T00:00:00Z", "eventType": "x", "_exchangeinternal": {"loyaltyID": "i@x.y"}}
    for i in range(2):
        paste_into(qtbot, editor.editor, json.dumps({**record, "_id": f"{unique('insp')}-{i}"}))
        await until(lambda: "Valid" in editor.validation.item(0).text(), 10, "the valid record")
        click(qtbot, editor.send_btn)
        await until(lambda: "Accepted" in editor.result_banner.text(), 15, "the send")
    await until(lambda: inspector.model.rowCount() >= 2, 5, "the responses")
    # following the newest: a selected row is dropped when new ones arrive, and its detail with it
    inspector.table.setFocus()  # the keyboard, not the mouse: following goes on
    qtbot.keyClick(inspector.table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    assert inspector.follow.isChecked() and inspector.request.toPlainText()
    paste_into(qtbot, editor.editor, json.dumps({**record, "_id": unique("insp-3")}))
    await until(lambda: "Valid" in editor.validation.item(0).text(), 10, "the valid record")
    n = inspector.model.rowCount()
    click(qtbot, editor.send_btn)
    await until(lambda: inspector.model.rowCount() > n, 5, "the new response")
    assert inspector.request.toPlainText() == "" and not inspector.curl_btn.isEnabled()
    # a row picked with the mouse stops following: it and its detail stay
    click_row(qtbot, inspector.table, 0)
    assert not inspector.follow.isChecked() and inspector.request.toPlainText()
    shown = inspector.request.toPlainText()
    paste_into(qtbot, editor.editor, json.dumps({**record, "_id": unique("insp-4")}))
    await until(lambda: "Valid" in editor.validation.item(0).text(), 10, "the valid record")
    click(qtbot, editor.send_btn)
    await until(lambda: inspector.model.rowCount() > n + 1, 5, "another response")
    assert inspector.request.toPlainText() == shown
    assert ui_errors == []


async def test_a_new_target_never_keeps_the_old_ones_names(connected, qtbot, ui_errors):
    """Using a connection whose dataflow leads to another dataset: the editor names that dataset
    and its schema, not the ones chosen before."""
    from aep_console.services.setup import SetupWorkflows
    from aep_console.ui.pages.editor import EditorPage
    from aep_console.ui.pages.resources import DatasetsPage, StreamingPage

    ctx = connected
    prefix = unique("Renamed").replace(" ", "")
    report = await SetupWorkflows(ctx.session).loyalty_tutorial(prefix, route="http-api")
    assert report.ok, report.summary()
    editor, datasets, streaming = EditorPage(ctx), DatasetsPage(ctx), StreamingPage(ctx)
    for page in (editor, datasets, streaming):
        qtbot.addWidget(page)
        page.resize(1200, 800)
        page.show()
    await until(lambda: editor.targets.dataset.findText(f"{prefix} events dataset") >= 0, 15, "the editor's lists")
    type_into(qtbot, datasets.filter, f"{prefix} events dataset")
    await until(lambda: datasets.model.rowCount() == 1, 15, "the events dataset")
    click_row(qtbot, datasets.table, 0)
    click(qtbot, datasets.use_btn)
    assert ctx.target.dataset_name == f"{prefix} events dataset"
    type_into(qtbot, streaming.filter, f"{prefix} streaming")
    await until(lambda: streaming.model.rowCount() >= 1, 15, "the connection")
    row = next(i for i, r in enumerate(streaming.model.rows) if r["dataset_id"] == report.outputs["profile_dataset_id"])
    click_row(qtbot, streaming.table, row)
    click(qtbot, streaming.use_btn)
    await until(lambda: ctx.target.dataset_name == f"{prefix} members dataset", 10, "the members dataset's name")
    assert ctx.target.schema_title == f"{prefix} members"
    await until(lambda: f"\u201c{prefix} members dataset\u201d" in editor.bulk.target_line.text(), 10, "the target line")
    assert "events" not in editor.bulk.target_line.text()
    assert ui_errors == []
