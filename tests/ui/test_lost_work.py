"""No lost work: Esc asks before a wizard throws input away; the record editor's target and draft
survive a restart; the only connection, dataset and schema are picked; the tutorial route's
connection keeps the dataset chosen in its wizard."""

from __future__ import annotations

import asyncio
import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from .helpers import box_button, choose, click, paste_into, tick, type_into, unique, until, visible_box
from .test_editor import _event_target


async def test_escape_asks_before_a_wizard_loses_what_was_typed(connected, qtbot, ui_errors):
    from aep_console.ui.pages.resources import SchemasPage

    page = SchemasPage(connected)
    qtbot.addWidget(page)
    page.show()
    click(qtbot, page.new_btn)
    wizard = page.wizard
    await until(lambda: wizard.isVisible(), 5, "the wizard")
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)  # nothing typed yet: closes at once
    await until(lambda: not wizard.isVisible(), 5, "the untouched wizard to close")

    click(qtbot, page.new_btn)
    wizard = page.wizard
    await until(lambda: wizard.isVisible(), 5, "the wizard")
    type_into(qtbot, wizard.class_page.title_edit, "Typed title")
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)
    box = await until(lambda: visible_box("DiscardQuestion"), 5, "the discard question")
    assert wizard.isVisible()
    click(qtbot, box_button(box, "Keep editing"))
    await until(lambda: visible_box("DiscardQuestion") is None, 5, "the question to close")
    assert wizard.isVisible() and wizard.class_page.title_edit.text() == "Typed title"
    click(qtbot, wizard.button(QWizard.WizardButton.CancelButton))  # Cancel asks too
    box = await until(lambda: visible_box("DiscardQuestion"), 5, "the discard question")
    click(qtbot, box_button(box, "Discard"))
    await until(lambda: not wizard.isVisible(), 5, "the wizard to close")
    assert ui_errors == []


async def test_editor_remembers_target_and_draft_across_a_restart(app_home, sandbox, connected, qtbot, ui_errors):
    from aep_console.services.profiles import LOCAL_PROFILE_NAME
    from aep_console.ui.context import AppContext
    from aep_console.ui.pages.editor import EditorPage
    from aep_console.ui.tasks import TaskRunner

    ctx = connected
    page = EditorPage(ctx)
    qtbot.addWidget(page)
    page.show()
    await _event_target(ctx)
    await until(lambda: page.targets.dataset.currentText().startswith("Editor "), 15, "the dataset's name")
    target = ctx.target
    draft = json.dumps({"_id": "draft-1", "eventType": "kept", "timestamp": "2024-01-01T00:00:00Z"})
    paste_into(qtbot, page.editor, draft)
    await asyncio.sleep(1.2)  # the draft is written a moment after the last keystroke
    await ctx.async_close()

    # the next run of the window, on the same data
    again = AppContext(TaskRunner(ui_errors.append), sandbox=sandbox)
    try:
        await again.activate(again.profiles.get(LOCAL_PROFILE_NAME))
        page2 = EditorPage(again)
        qtbot.addWidget(page2)
        page2.show()
        await until(lambda: page2.targets.dataset.currentText() == target.dataset_name
                    or page2.targets.dataset.currentText().startswith("Editor "), 15, "the remembered dataset")
        assert (again.target.connection_id, again.target.dataset_id, again.target.schema_id) == \
            (target.connection_id, target.dataset_id, target.schema_id)
        assert page2.targets.connection.currentData() == target.connection_id
        assert json.loads(page2.editor.toPlainText())["eventType"] == "kept"
        await until(lambda: page2.controller.validator is not None, 15, "the remembered schema's validator")
    finally:
        await again.async_close()
    assert ui_errors == []


@pytest.fixture
async def lone_ctx(app_home, fresh_sandbox, qapp, ui_errors):
    """A context on a sandbox of its own (nothing in it but what the test makes)."""
    from aep_console.services.profiles import LOCAL_PROFILE_NAME
    from aep_console.ui.context import AppContext
    from aep_console.ui.tasks import TaskRunner

    context = AppContext(TaskRunner(ui_errors.append), sandbox=fresh_sandbox())
    await context.activate(context.profiles.get(LOCAL_PROFILE_NAME))
    yield context
    await context.async_close()
    await context.runner.wait_all()


async def test_the_only_connection_dataset_and_schema_are_picked(lone_ctx, qtbot, ui_errors):
    from aep_console.services.setup import SetupWorkflows, loyalty_event_spec
    from aep_console.ui.pages.editor import EditorPage

    ctx = lone_ctx
    wf = SetupWorkflows(ctx.session)
    report = await wf.event_schema(loyalty_event_spec("Lone events"))
    ds = await wf.dataset("Lone dataset", report.outputs["schema_id"])
    conn = await wf.streaming_connection("Lone stream", dataset_id=ds.outputs["dataset_id"])
    assert report.ok and ds.ok and conn.ok
    page = EditorPage(ctx)
    qtbot.addWidget(page)
    page.show()
    await until(lambda: ctx.target.complete, 15, "the only target to be picked")
    assert ctx.target.connection_id == conn.outputs["connection_id"]
    assert ctx.target.dataset_id == ds.outputs["dataset_id"] and ctx.target.schema_id == report.outputs["schema_id"]
    assert page.targets.dataset.currentText() == "Lone dataset"
    assert ui_errors == []


async def test_tutorial_route_connection_keeps_the_dataset_chosen_in_its_wizard(connected, qtbot, ui_errors):
    from aep_console.ui.pages.editor import EditorPage
    from aep_console.ui.pages.resources import StreamingPage

    ctx = connected
    await _event_target(ctx)
    dataset_name = ctx.target.dataset_name or (await ctx.session.catalog.get_dataset(ctx.target.dataset_id)).name
    dataset_id = ctx.target.dataset_id
    streaming = StreamingPage(ctx)
    qtbot.addWidget(streaming)
    streaming.show()
    click(qtbot, streaming.new_btn)
    wizard = streaming.wizard
    page = wizard.page_
    await until(lambda: page.dataset.count() > 1, 15, "the datasets in the wizard")
    name = unique("Kept stream")
    tick(qtbot, page.legacy)  # the legacy route: no dataflow links the dataset in AEP, the console keeps it
    assert page.legacy_warning.isVisible()
    type_into(qtbot, page.name, name)
    choose(qtbot, page.dataset, dataset_name)
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    click(qtbot, wizard.button(QWizard.WizardButton.CommitButton))
    await until(lambda: wizard.state in ("done", "failed"), 30, "the connection to be created")
    assert wizard.state == "done", wizard.step_texts()
    click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
    # later, elsewhere: choosing that connection brings its dataset along
    ctx.set_target(ctx.target.with_(connection_id="", dataset_id="", schema_id=""))
    editor = EditorPage(ctx)
    qtbot.addWidget(editor)
    editor.show()
    await until(lambda: editor.targets.connection.findText(name) >= 0, 15, "the new connection in the editor")
    choose(qtbot, editor.targets.connection, name)
    assert ctx.target.dataset_id == dataset_id, "the connection forgot the dataset chosen in its wizard"
    await until(lambda: any(r["name"] == name and r["dataset_id"] == dataset_id for r in streaming.model.rows),
                15, "the dataset in the connections list")
    assert ui_errors == []
