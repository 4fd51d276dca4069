"""The set-up wizards and the pages driven as a person drives them: clicks, typing, the keyboard,
waiting on what is shown (used by the end-to-end tutorial test)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWizard

from .helpers import choose, click, click_row, paste_into, tick, type_into, until


def _next(qtbot, wizard) -> None:
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))


async def _create_and_finish(qtbot, wizard, label_part: str) -> str:
    """Create (the review page's commit button), wait for the run, read the created id, Finish."""
    click(qtbot, wizard.button(QWizard.WizardButton.CommitButton))
    await until(lambda: wizard.run_page.title() in ("Created", "Failed: undone", "Cancelled: undone"), 30,
                "the wizard's run to end")
    steps = [wizard.run_page.steps.item(i).text() for i in range(wizard.run_page.steps.count())]
    assert wizard.run_page.title() == "Created", steps
    value = next((f.value() for label, f in wizard.run_page.fields.items() if label_part.lower() in label.lower()),
                 None)
    assert value, f"no created value like {label_part!r}"
    click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
    await until(lambda: not wizard.isVisible(), 5, "the wizard to close")
    return value


def type_field_row(qtbot, editor, name: str, type_: str, required: bool) -> None:
    """Add field → type the name in the cell editor, Enter; the type with the keyboard; Space ticks Required."""
    click(qtbot, editor.add_btn)
    row = editor.table.rowCount() - 1
    cell_editor = QApplication.focusWidget()
    qtbot.keyClicks(cell_editor, name)
    qtbot.keyClick(cell_editor, Qt.Key.Key_Return)
    choose(qtbot, editor.table.cellWidget(row, 1), type_)
    if required:
        click_row(qtbot, editor.table, row, 2)
        qtbot.keyClick(editor.table, Qt.Key.Key_Space)
    assert editor.rows()[row]["name"] == name and editor.rows()[row]["required"] == required


async def schema_wizard(qtbot, page, *, title: str, event: bool, fields: list[tuple], identity: str,
                        namespace: str = "Email") -> str:
    click(qtbot, page.new_btn)
    wizard = page.wizard
    await until(lambda: wizard.isVisible(), 5, "the schema wizard")
    cp = wizard.class_page
    type_into(qtbot, cp.title_edit, title)
    tick(qtbot, cp.event_radio if event else cp.profile_radio)
    assert cp.class_id.endswith("experienceevent" if event else "/profile")
    _next(qtbot, wizard)
    gp = wizard.groups_page
    await until(lambda: "fit this class" in gp.status.text(), 15, "field groups from the registry")
    type_into(qtbot, gp.search, "person")
    shown = [gp.list.item(i) for i in range(gp.list.count()) if not gp.list.item(i).isHidden()]
    assert shown and len(shown) < gp.list.count(), "the search narrows the list"
    type_into(qtbot, gp.search, "")
    _next(qtbot, wizard)
    fp = wizard.fields_page
    for name, type_, required in fields:
        type_field_row(qtbot, fp.editor, name, type_, required)
    _next(qtbot, wizard)
    ip = wizard.identity_page
    await until(lambda: ip.namespace.count() > 1, 10, "identity namespaces")
    type_into(qtbot, ip.field_combo.lineEdit(), identity)
    choose(qtbot, ip.namespace, namespace)
    assert ip.union.isChecked() and ip.warning.isVisible()
    _next(qtbot, wizard)
    calls = [wizard.review_page.calls.item(i).text() for i in range(wizard.review_page.calls.count())]
    assert any("descriptors" in c for c in calls) and any("union" in c for c in calls), calls
    return await _create_and_finish(qtbot, wizard, "Schema $id")


async def dataset_wizard(qtbot, page, *, name: str, schema_title: str) -> str:
    click(qtbot, page.new_btn)
    wizard = page.wizard
    dp = wizard.dataset_page
    await until(lambda: dp.schema.count() > 0 and "Loading" not in dp.schema_note.text(), 15,
                "schemas in the dataset wizard")
    type_into(qtbot, dp.name, name)
    assert dp.schema.currentText().startswith(schema_title), "the wizard offers the schema just created"
    assert dp.profile.isChecked() and dp.warning.isVisible()
    _next(qtbot, wizard)
    return await _create_and_finish(qtbot, wizard, "Dataset id")


async def connection_wizard(qtbot, page, *, name: str, dataset_name: str) -> str:
    click(qtbot, page.new_btn)
    wizard = page.wizard
    cp = wizard.page_
    await until(lambda: cp.dataset.count() > 1, 15, "datasets in the connection wizard")
    type_into(qtbot, cp.name, name)
    choose(qtbot, cp.dataset, dataset_name)
    _next(qtbot, wizard)
    return await _create_and_finish(qtbot, wizard, "CONNECTION_ID")


async def send_record(qtbot, editor, text: str) -> str:
    """Paste a record, wait until it validates, Ctrl+Enter, wait for the verdict."""
    paste_into(qtbot, editor.editor, text)
    try:
        await until(lambda: editor.validation.count() and "Valid" in editor.validation.item(0).text(), 15,
                    "the record to validate")
    except AssertionError as exc:
        raise AssertionError(f"{exc}: {editor.validation.problems()}") from None
    qtbot.keyClick(editor.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    await until(lambda: any(w in editor.result_banner.text() for w in ("Accepted", "Refused", "Not sent")), 20,
                f"the send ({editor.result_banner.text()!r})")
    assert "Accepted" in editor.result_banner.text(), editor.result_banner.text()
    return editor.result_banner.text()


async def look_up(qtbot, profiles, namespace: str, value: str, *, events: int | None = None) -> None:
    choose(qtbot, profiles.namespace, namespace)
    type_into(qtbot, profiles.identity, value)
    qtbot.keyClick(profiles.identity, Qt.Key.Key_Return)

    def loaded() -> bool:
        ok = profiles.summary.text().startswith("Profile ") and (events is None or profiles.events.rowCount() >= events)
        if not ok and "Looking up" not in profiles.banner.text():
            click(qtbot, profiles.refresh_btn)  # a new profile or event can take a moment to appear
        return ok

    await until(loaded, 30, f"profile {namespace}:{value} with {events} events")


async def bulk_send(qtbot, editor, path: str) -> None:
    type_into(qtbot, editor.bulk.path_edit, path)
    click(qtbot, editor.bulk.send_all)
    await until(lambda: editor.bulk.send_all.isEnabled() and editor.bulk.banner.text()
                and "Not started" not in editor.bulk.banner.text(), 60, f"bulk send of {path}")


async def use_dataset(qtbot, datasets, name: str) -> None:
    type_into(qtbot, datasets.filter, name)
    await until(lambda: datasets.model.rowCount() == 1, 15, f"{name} in the list")
    click_row(qtbot, datasets.table, 0)
    click(qtbot, datasets.use_btn)
