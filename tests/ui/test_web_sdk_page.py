"""The Web SDK page, used as a person would: a record typed into the record editor, a datastream created for the
editor's event dataset, the ready-to-paste alloy code for that record, "Send as the Web SDK would", the answer
on the page and the Edge exchange in the stream inspector beside DCS ones; the event is then under the profile."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from .helpers import unique, until


async def _event_dataset(ctx) -> str:
    from aep_console.services.setup import SetupWorkflows, loyalty_event_spec

    wf = SetupWorkflows(ctx.session)
    prefix = unique("WebSdk")
    report = await wf.event_schema(loyalty_event_spec(f"{prefix} events"))
    assert report.ok, report.summary()
    ds = await wf.dataset(f"{prefix} dataset", report.outputs["schema_id"])
    assert ds.ok, ds.summary()
    ctx.update_target(schema_id=report.outputs["schema_id"], dataset_id=ds.outputs["dataset_id"])
    return ds.outputs["dataset_id"], f"{prefix} dataset"


async def test_web_sdk_page_makes_a_datastream_shows_the_code_and_sends(connected, qtbot, ui_errors):
    from aep_console.ui.pages.editor import EditorPage
    from aep_console.ui.pages.inspector import InspectorPage
    from aep_console.ui.pages.web_sdk import WebSdkPage

    ctx = connected
    dataset_id, dataset_name = await _event_dataset(ctx)
    editor = EditorPage(ctx)
    page = WebSdkPage(ctx)
    inspector = InspectorPage(ctx)
    for w in (editor, page, inspector):
        qtbot.addWidget(w)
    editor.show()
    email = f"{unique('web').replace(' ', '-')}@example.com"
    record = {"eventType": "loyaltyBalanceUpdate", "_exchangeinternal": {"loyaltyID": email, "pointsEarned": 800}}
    # the user pastes the record into the editor (no _id, no timestamp: the Edge Network assigns them)
    QGuiApplication.clipboard().setText(json.dumps(record))
    editor.editor.setFocus()
    qtbot.keyClick(editor.editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(editor.editor, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    page.show()
    await until(lambda: email in page.snippet.toPlainText(), 10, "the record's code on the Web SDK page")
    # the editor's event dataset is offered by name for a new datastream
    await until(lambda: page.dataset.currentText() == dataset_name, 10, "the send target's dataset, by name")
    assert "--edge-tls-port" in page.hint.text()  # the test sandbox has no HTTPS port: the page says how
    names = [page.dataset.itemText(i) for i in range(page.dataset.count())]
    assert not any(dataset_id in n for n in names)  # names, not ids
    page.dataset.setFocus()  # no dataset chosen: Create says what is missing
    qtbot.keyClick(page.dataset, Qt.Key.Key_Home)
    qtbot.mouseClick(page.create_btn, Qt.MouseButton.LeftButton)
    await until(lambda: "failed" in page.banner.text(), 10, "the refusal")
    assert "ExperienceEvent dataset" in page.banner.text()
    page.dataset.setFocus()  # the user chooses the dataset with the keyboard, then clicks Create
    for _ in range(names.index(dataset_name)):
        qtbot.keyClick(page.dataset, Qt.Key.Key_Down)
    assert page.dataset.currentText() == dataset_name
    qtbot.mouseClick(page.create_btn, Qt.MouseButton.LeftButton)
    await until(lambda: page.banner.text().startswith("Datastream"), 15, "the new datastream")
    datastream_id = page.datastream_id.text()
    stream_name = f"{dataset_name} (Web SDK)"  # named after its dataset by default
    assert page.banner.text() == f"Datastream “{stream_name}” sends events to dataset “{dataset_name}”."
    assert datastream_id in page.banner.toolTip() and dataset_id in page.banner.toolTip()  # ids: secondary
    assert page.datastreams.currentData() == datastream_id  # listed and chosen
    assert page.datastreams.currentText() == stream_name
    assert datastream_id in page.datastreams.itemData(page.datastreams.currentIndex(), Qt.ItemDataRole.ToolTipRole)
    code = page.snippet.toPlainText()
    assert code.startswith('alloy("configure", {') and f'"datastreamId": "{datastream_id}"' in code
    assert '"edgeDomain": "edge.local.test"' in code and f'"orgId": "{ctx.profile.org_id}"' in code
    assert 'alloy("sendEvent", {"xdm": {' in code
    assert "__alloyNS" in page.page_code.toPlainText() and code.splitlines()[0] in page.page_code.toPlainText()
    # pasting another id (real AEP style) changes the code at once
    page.datastream_id.clear()
    qtbot.keyClicks(page.datastream_id, "pasted-id")
    assert '"datastreamId": "pasted-id"' in page.snippet.toPlainText()
    page.datastreams.setFocus()  # back to the sandbox datastream through the list, with the keyboard
    qtbot.keyClick(page.datastreams, Qt.Key.Key_Home)
    assert page.datastream_id.text() == "pasted-id"  # the "choose one" line is not a datastream
    for _ in range(page.datastreams.findData(datastream_id)):
        qtbot.keyClick(page.datastreams, Qt.Key.Key_Down)
    await until(lambda: page.datastream_id.text() == datastream_id, 5, "the chosen datastream's id")

    qtbot.mouseClick(page.send_btn, Qt.MouseButton.LeftButton)
    await until(lambda: page.banner.text().startswith("200: sent") or "failed" in page.banner.text(), 15,
                "the Edge Network answer")
    assert page.banner.text().startswith("200: sent"), page.banner.text()
    answer = json.loads(page.answer.toPlainText())
    ecid = next(h for h in answer["handle"] if h["type"] == "identity:result")["payload"][0]["id"]
    assert ecid in page.banner.text() and page.tabs.currentWidget() is page.answer

    inspector.show()
    await until(lambda: any("Edge Network" in r.summary for r in inspector.model.rows), 5, "the Edge exchange")
    row = next(r for r in inspector.model.rows if "Edge Network" in r.summary)
    assert row.status == 200 and row.xaction_id == answer["requestId"]
    assert "/ee/v1/interact" in row.exchange.url and "loyaltyBalanceUpdate" in row.summary

    events = await ctx.session.profiles.list_events(email, "Email")
    assert len(events) == 1 and events[0].entity["eventType"] == "loyaltyBalanceUpdate"
    assert events[0].entity["_id"]  # assigned by the Edge Network
    # a second send is the same visitor (one ECID), as a browser keeps its identity cookie
    qtbot.mouseClick(page.send_btn, Qt.MouseButton.LeftButton)
    await until(lambda: page.banner.text().startswith("200: sent") and '"requestId"' in page.answer.toPlainText()
                and json.loads(page.answer.toPlainText())["requestId"] != answer["requestId"], 15, "the second send")
    assert ecid in page.banner.text()

    # the profile view shows the Edge events like any other
    from aep_console.ui.pages.profiles import ProfilesPage

    profiles = ProfilesPage(ctx)
    qtbot.addWidget(profiles)
    profiles.show()
    profiles.namespace.setFocus()
    qtbot.keyClick(profiles.namespace, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(profiles.namespace, "Email")
    assert profiles.namespace.currentText() == "Email"
    qtbot.keyClicks(profiles.identity, email)
    qtbot.mouseClick(profiles.lookup_btn, Qt.MouseButton.LeftButton)
    await until(lambda: profiles.events.rowCount() == 2, 15, "the two Edge events in the profile view")
    assert {r["entity"]["eventType"] for r in profiles.events.rows} == {"loyaltyBalanceUpdate"}
    assert ui_errors == []


async def test_web_sdk_page_says_what_is_missing(connected, qtbot):
    from aep_console.ui.pages.web_sdk import WebSdkPage

    ctx = connected
    ctx.set_record(None)
    page = WebSdkPage(ctx)
    qtbot.addWidget(page)
    page.show()
    assert "Record editor" in page.snippet.toPlainText()
    qtbot.mouseClick(page.send_btn, Qt.MouseButton.LeftButton)
    assert "No record" in page.banner.text()
    page.dataset.setFocus()
    qtbot.keyClick(page.dataset, Qt.Key.Key_Home)  # "— choose … —": no dataset
    qtbot.mouseClick(page.create_btn, Qt.MouseButton.LeftButton)
    await until(lambda: "failed" in page.banner.text(), 10, "the refusal")
    assert "ExperienceEvent dataset" in page.banner.text()
