"""The three set-up wizards driven page by page against the sandbox: success with ids to copy,
cancel while running, and a failure; cancel and failure undo what was created."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from aep_console.ui.wizards.connection_wizard import ConnectionWizard
from aep_console.ui.wizards.dataset_wizard import DatasetWizard
from aep_console.ui.wizards.schema_wizard import SchemaWizard

from .helpers import box_button, click, unique, until, visible_box
from .wizard_steps import (
    connection_wizard_create,
    connection_wizard_to_review,
    create,
    created_value,
    dataset_wizard_create,
    dataset_wizard_to_review,
    finish_run,
    press_copy,
    review_calls,
    schema_wizard_to_review,
)

LOYALTY_FIELDS = [("loyaltyID", "string", True), ("totalLoyaltyPoints", "integer", False),
                  ("loyaltyLevel", "string", False)]


async def _schema_exists(ctx, title: str) -> bool:
    return await ctx.session.schemas.find_by_title("schemas", title, "tenant") is not None


async def _fieldgroup_exists(ctx, title: str) -> bool:
    return await ctx.session.schemas.find_by_title("fieldgroups", title, "tenant") is not None


async def test_schema_wizard_creates_profile_schema_with_ids_to_copy(connected, qtbot, ui_errors):
    ctx = connected
    wizard = SchemaWizard(ctx)
    qtbot.addWidget(wizard)
    title = unique("Wizard members")
    await schema_wizard_to_review(qtbot, wizard, title=title, event=False, fields=LOYALTY_FIELDS, identity="loyaltyID")
    calls = review_calls(wizard)
    assert any("fieldgroups" in c for c in calls) and any("descriptors" in c for c in calls)
    assert any("union" in c for c in calls)
    assert await create(qtbot, wizard) == "done", wizard.step_texts()
    schema_id = created_value(wizard, "Schema $id")
    assert schema_id.startswith("https://ns.adobe.com/exchangeinternal/schemas/")
    assert press_copy(wizard.run_page.fields["Schema $id"], qtbot) == schema_id
    assert created_value(wizard, "descriptor")
    assert ctx.target.schema_id == schema_id  # the record editor now targets it
    full = await ctx.session.schemas.get_full_schema(schema_id)
    tenant = full["properties"]["_exchangeinternal"]
    assert set(tenant["properties"]) == {"loyaltyID", "totalLoyaltyPoints", "loyaltyLevel"}
    assert tenant.get("required") == ["loyaltyID"]
    assert "union" in (full.get("meta:immutableTags") or [])
    assert ui_errors == []


async def test_schema_wizard_failure_rolls_back(connected, qtbot, ui_errors):
    ctx = connected
    wizard = SchemaWizard(ctx)
    qtbot.addWidget(wizard)
    title = unique("Broken members")
    await schema_wizard_to_review(qtbot, wizard, title=title, event=False, fields=LOYALTY_FIELDS, identity="loyaltyID",
                                  namespace="NoSuchNamespace")
    assert await create(qtbot, wizard) == "failed"
    text = "\n".join(wizard.step_texts())
    assert "NoSuchNamespace" in text and "Undone: Create schema" in text and "Undone: Create field group" in text
    assert "removed again" in wizard.run_page.banner.text()
    assert not wizard.button(wizard.WizardButton.FinishButton).isEnabled()
    assert not await _schema_exists(ctx, title)
    assert not await _fieldgroup_exists(ctx, f"{title} fields")
    assert ui_errors == []


async def test_schema_wizard_cancel_while_running_undoes(connected, qtbot, ui_errors):
    ctx = connected
    wizard = SchemaWizard(ctx)
    qtbot.addWidget(wizard)
    title = unique("Cancelled members")
    await schema_wizard_to_review(qtbot, wizard, title=title, event=True, fields=[("loyaltyID", "string", False)],
                                  identity="loyaltyID")

    def cancel_after_schema(text: str, kind: str) -> None:
        if kind == "ok" and text.startswith("Create schema"):
            click(qtbot, wizard.button(QWizard.WizardButton.CancelButton))  # while the descriptor is being created

    wizard.controller.step.connect(cancel_after_schema)
    click(qtbot, wizard.button(QWizard.WizardButton.CommitButton))
    assert await finish_run(wizard) == "cancelled"
    await until(lambda: not wizard.isVisible(), 10, "the wizard to close after the rollback")
    text = "\n".join(wizard.step_texts())
    assert "Undone: Create schema" in text and "Undone: Create field group" in text
    assert not await _schema_exists(ctx, title)
    assert not await _fieldgroup_exists(ctx, f"{title} fields")
    assert ui_errors == []


async def test_schema_wizard_cancel_before_running_creates_nothing(connected, qtbot):
    wizard = SchemaWizard(connected)
    qtbot.addWidget(wizard)
    title = unique("Never")
    await schema_wizard_to_review(qtbot, wizard, title=title, event=False, fields=[], identity=None, union=False)
    assert review_calls(wizard) == [review_calls(wizard)[0]]  # only the schema itself
    click(qtbot, wizard.button(QWizard.WizardButton.CancelButton))
    box = await until(lambda: visible_box("DiscardQuestion"), 5, "the discard question")
    click(qtbot, box_button(box, "Discard"))
    await until(lambda: not wizard.isVisible(), 5, "the wizard to close")
    assert not await _schema_exists(connected, title)


async def _profile_schema(ctx, qtbot) -> str:
    wizard = SchemaWizard(ctx)
    qtbot.addWidget(wizard)
    await schema_wizard_to_review(qtbot, wizard, title=unique("DS members"), event=False, fields=LOYALTY_FIELDS,
                                  identity="loyaltyID")
    assert await create(qtbot, wizard) == "done", wizard.step_texts()
    click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
    assert not wizard.isVisible()
    return created_value(wizard, "Schema $id")


async def test_dataset_wizard_creates_profile_enabled_dataset(connected, qtbot, ui_errors):
    ctx = connected
    schema_id = await _profile_schema(ctx, qtbot)
    wizard = DatasetWizard(ctx)
    qtbot.addWidget(wizard)
    name = unique("Members dataset")
    assert await dataset_wizard_create(qtbot, wizard, name=name, schema_id=schema_id) == "done", wizard.step_texts()
    dataset_id = created_value(wizard, "Dataset id")
    assert press_copy(wizard.run_page.fields["Dataset id"], qtbot) == dataset_id
    ds = await ctx.session.catalog.get_dataset(dataset_id)
    assert ds.profile_enabled and ds.identity_enabled
    assert ctx.target.dataset_id == dataset_id and ctx.target.schema_id == schema_id
    assert ui_errors == []


async def test_dataset_wizard_failure_leaves_nothing(connected, qtbot, ui_errors):
    ctx = connected
    schema_id = await _profile_schema(ctx, qtbot)
    wizard = DatasetWizard(ctx)
    qtbot.addWidget(wizard)
    name = unique("Orphan dataset")
    await dataset_wizard_to_review(qtbot, wizard, name=name, schema_id=schema_id)
    await ctx.session.schemas.delete_schema(schema_id)  # gone between review and create
    state = await create(qtbot, wizard)
    assert state == "failed", wizard.step_texts()
    assert "Failed" in wizard.run_page.banner.text()
    assert await ctx.session.catalog.find_dataset(name) is None
    assert ui_errors == []


async def test_connection_wizard_legacy_route_warns_and_gives_connection_id(connected, qtbot, ui_errors):
    ctx = connected
    wizard = ConnectionWizard(ctx)
    qtbot.addWidget(wizard)
    state = await connection_wizard_create(qtbot, wizard, name=unique("Tutorial stream"), dataset_id=None, legacy=True)
    assert state == "done", wizard.step_texts()
    assert "Today's AEP requires a dataflow" in wizard.review_page.notes.text()
    assert not any("/flowservice/flows" in c for c in review_calls(wizard))
    assert "Legacy (2020 tutorial" in wizard.page_.legacy.text()
    conn = created_value(wizard, "CONNECTION_ID")
    assert len(conn) == 64
    assert created_value(wizard, "Inlet URL").endswith(f"/collection/{conn}")
    assert press_copy(wizard.run_page.fields["CONNECTION_ID (inlet id)"], qtbot) == conn
    assert "few minutes" in wizard.run_page.note.text()
    assert ctx.target.connection_id == conn
    assert ui_errors == []


async def test_connection_wizard_http_api_failure_rolls_back(connected, qtbot, ui_errors):
    ctx = connected
    schema_id = await _profile_schema(ctx, qtbot)
    ds_wizard = DatasetWizard(ctx)
    qtbot.addWidget(ds_wizard)
    assert await dataset_wizard_create(qtbot, ds_wizard, name=unique("Doomed dataset"), schema_id=schema_id) == "done"
    dataset_id = created_value(ds_wizard, "Dataset id")
    wizard = ConnectionWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.page_.dataflow.isChecked(), "the dataflow route is the default"
    name = unique("HTTP API stream")
    await connection_wizard_to_review(qtbot, wizard, name=name, dataset_id=dataset_id)
    assert any("flows" in c for c in review_calls(wizard))
    await ctx.session.catalog.delete_dataset(dataset_id)  # the target connection will be refused
    assert await create(qtbot, wizard) == "failed"
    text = "\n".join(wizard.step_texts())
    assert "Undone: Create source connection" in text and "Undone: Create streaming connection" in text
    assert await ctx.session.flows.find_by_name("connections", name) is None
    assert ui_errors == []


async def test_connection_wizard_defaults_to_the_dataflow_route(connected, qtbot, ui_errors):
    """The current route is the default: a dataset must be chosen, and the dataflow into it is created."""
    ctx = connected
    schema_id = await _profile_schema(ctx, qtbot)
    ds_wizard = DatasetWizard(ctx)
    qtbot.addWidget(ds_wizard)
    assert await dataset_wizard_create(qtbot, ds_wizard, name=unique("Flow dataset"), schema_id=schema_id) == "done"
    dataset_id = created_value(ds_wizard, "Dataset id")
    wizard = ConnectionWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    page = wizard.page_
    await until(lambda: page.dataset.count() > 1 and "Loading" not in page.status.text(), 15, "datasets")
    assert page.dataflow.isChecked() and not page.legacy_warning.isVisible()
    qtbot.keyClicks(page.name, unique("Flow stream"))
    page.dataset.setFocus()
    next_btn = wizard.button(wizard.WizardButton.NextButton)
    qtbot.keyClick(page.dataset, Qt.Key.Key_Home)  # the wizard may preselect the editor's dataset
    assert not next_btn.isEnabled(), "the dataflow route needs the dataset it writes to"
    while page.dataset.currentData() != dataset_id:
        qtbot.keyClick(page.dataset, Qt.Key.Key_Down)
    assert next_btn.isEnabled()
    qtbot.mouseClick(next_btn, Qt.MouseButton.LeftButton)
    assert any("flows" in c for c in review_calls(wizard))
    assert await create(qtbot, wizard) == "done", wizard.step_texts()
    flow_id = created_value(wizard, "Dataflow id")
    flow = await ctx.session.flows.get_flow(flow_id)
    target = await ctx.session.flows.get_target_connection(flow.target_connection_ids[0])
    assert target.params["dataSetId"] == dataset_id
    assert (ctx.target.flow_id, ctx.target.dataset_id) == (flow_id, dataset_id)
    assert ui_errors == []
