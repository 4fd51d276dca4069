"""The record editor finds the dataflow itself: with several into the dataset the user chooses one, with none
it offers to create one; what the sandbox received (its admin log of DCS requests) shows the flow id."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView

from .helpers import (
    choose,
    click,
    click_row,
    dcs_received,
    paste_into,
    press_button,
    type_into,
    unique,
    until,
    visible_dialog,
)

RECORD = {"_exchangeinternal": {"loyaltyID": "flows.member@example.com", "totalLoyaltyPoints": 5}}


def sent_flows(sandbox, inlet: str) -> list[tuple]:
    return [(q["flowIdHeader"], g["flowId"]) for q in dcs_received(sandbox, inlet) for g in q["messages"]]


async def _editor_on(ctx, qtbot, *, flows: int):
    """A profile schema and dataset; a legacy connection with ``flows`` dataflows into the dataset."""
    from aep_console.services.setup import SetupWorkflows, loyalty_profile_spec
    from aep_console.ui.pages.editor import EditorPage

    wf = SetupWorkflows(ctx.session)
    prefix = unique("Flows")
    schema = await wf.profile_schema(loyalty_profile_spec(f"{prefix} members"))
    ds = await wf.dataset(f"{prefix} dataset", schema.outputs["schema_id"])
    conn = await wf.streaming_connection(f"{prefix} stream", route="legacy")
    inlet, dataset_id = conn.outputs["connection_id"], ds.outputs["dataset_id"]
    made = [(await wf.add_dataflow(inlet, dataset_id, name=f"{prefix} {i}")).outputs["flow_id"]
            for i in range(flows)]
    ctx.update_target(schema_id=schema.outputs["schema_id"], dataset_id=dataset_id, connection_id=inlet,
                      inlet_url=conn.outputs["inlet_url"], flow_id="")
    page = EditorPage(ctx)
    qtbot.addWidget(page)
    page.show()
    await until(lambda: page.controller.validator is not None, 15, "the schema's validator")
    paste_into(qtbot, page.editor, json.dumps(RECORD, indent=2))
    await until(lambda: "Valid" in page.validation.item(0).text(), 5, "the record to validate")
    return page, inlet, dataset_id, made


def send(qtbot, page) -> None:
    qtbot.keyClick(page.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


async def test_several_flows_the_user_chooses(connected, sandbox, qtbot, ui_errors):
    page, inlet, _ds, flows = await _editor_on(connected, qtbot, flows=2)
    send(qtbot, page)
    dlg = await until(lambda: visible_dialog("Choose a dataflow"), 15, "the choice of dataflow")
    view = dlg.findChild(QAbstractItemView)
    rows = [view.model().index(r, 0) for r in range(view.model().rowCount())]
    assert len(rows) == 2 and all(any(f in i.data() for i in rows) for f in flows)
    wanted = next(i for i in rows if flows[1] in i.data())
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(wanted).center())
    press_button(qtbot, dlg, "Use this dataflow")
    await until(lambda: "Accepted" in page.result_banner.text(), 15, "the send")
    assert sent_flows(sandbox, inlet) == [(flows[1], flows[1])]
    assert connected.target.flow_id == flows[1]
    # the choice holds for the next send of this connection and dataset: no second question
    send(qtbot, page)
    await until(lambda: len(sent_flows(sandbox, inlet)) == 2, 15, "the second send")
    assert visible_dialog("Choose a dataflow") is None and sent_flows(sandbox, inlet)[1] == (flows[1], flows[1])
    assert ui_errors == []


async def test_no_flow_the_editor_offers_to_create_one(connected, sandbox, qtbot, ui_errors):
    from aep_console.services.dataflows import find_dataflows

    page, inlet, dataset_id, _ = await _editor_on(connected, qtbot, flows=0)
    send(qtbot, page)
    box = await until(lambda: visible_dialog("No dataflow"), 15, "the offer to create a dataflow")
    assert "no dataflow into the dataset" in box.text()
    press_button(qtbot, box, "Cancel")
    await until(lambda: "Not sent" in page.result_banner.text(), 10, "the refusal to send")
    assert "no dataflow chosen" in page.result_banner.text() and dcs_received(sandbox, inlet) == []
    send(qtbot, page)
    box = await until(lambda: visible_dialog("No dataflow"), 15, "the offer again")
    press_button(qtbot, box, "Create dataflow")
    await until(lambda: "Accepted" in page.result_banner.text(), 20, "the send through the new dataflow")
    found = await find_dataflows(connected.session, inlet, dataset_id)
    assert len(found.flows) == 1
    assert sent_flows(sandbox, inlet) == [(found.flows[0].flow_id, found.flows[0].flow_id)]
    assert ui_errors == []


async def test_streaming_page_adds_a_dataflow_to_a_legacy_connection(connected, qtbot, ui_errors):
    from PySide6.QtWidgets import QWizard

    from aep_console.services.dataflows import resolve_flow_id
    from aep_console.services.setup import SetupWorkflows, loyalty_profile_spec
    from aep_console.ui.pages.resources import StreamingPage

    ctx = connected
    wf = SetupWorkflows(ctx.session)
    prefix = unique("Legacy page")
    schema = await wf.profile_schema(loyalty_profile_spec(f"{prefix} members"))
    ds = await wf.dataset(f"{prefix} dataset", schema.outputs["schema_id"])
    conn = await wf.streaming_connection(f"{prefix} stream", route="legacy")
    inlet, dataset_id = conn.outputs["connection_id"], ds.outputs["dataset_id"]
    page = StreamingPage(ctx)
    qtbot.addWidget(page)
    page.show()
    await until(lambda: any(r["id"] == inlet for r in page.all_rows), 15, "the legacy connection in the list")
    assert not page.flow_btn.isEnabled(), "nothing selected yet"
    type_into(qtbot, page.filter, f"{prefix} stream")
    await until(lambda: page.model.rowCount() == 1, 5, "the filtered list")
    click_row(qtbot, page.table, 0)
    click(qtbot, page.flow_btn)
    wizard = page.wizard
    await until(lambda: wizard.page_.loaded, 15, "the datasets in the dataflow wizard")
    next_btn = wizard.button(QWizard.WizardButton.NextButton)
    assert not next_btn.isEnabled(), "a dataset must be chosen"
    choose(qtbot, wizard.page_.dataset, f"{prefix} dataset")
    click(qtbot, next_btn)
    assert any("/flowservice/flows" in wizard.review_page.calls.item(i).text()
               for i in range(wizard.review_page.calls.count()))
    click(qtbot, wizard.button(QWizard.WizardButton.CommitButton))
    await until(lambda: wizard.state in ("done", "failed"), 30, "the dataflow to be created")
    assert wizard.state == "done", wizard.step_texts()
    flow_id = wizard.run_page.fields["Dataflow id"].value()
    assert await resolve_flow_id(ctx.session, inlet, dataset_id) == flow_id
    assert (ctx.target.connection_id, ctx.target.dataset_id, ctx.target.flow_id) == (inlet, dataset_id, flow_id)
    assert ui_errors == []
