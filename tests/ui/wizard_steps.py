"""Driving the set-up wizards page by page, as a keyboard user would (shared by the wizard
tests and the end-to-end tutorial test)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWizard

from .helpers import choose, click, tick, type_into, until
from .user_steps import type_field_row


async def finish_run(wizard, timeout: float = 30.0) -> str:
    await until(lambda: wizard.state in ("done", "failed", "cancelled"), timeout, "the wizard's run to end")
    return wizard.state


def created_value(wizard, label_part: str) -> str:
    for label, field in wizard.run_page.fields.items():
        if label_part.lower() in label.lower():
            return field.value()
    raise AssertionError(f"no created value like {label_part!r}; have {list(wizard.run_page.fields)}")


def _next(qtbot, wizard) -> None:
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))


def _set_ticked(qtbot, button, ticked: bool) -> None:
    """A click on a check box (or radio button) when it is not as wanted."""
    if button.isChecked() != ticked:
        tick(qtbot, button)
    assert button.isChecked() == ticked


def _choose_data(qtbot, combo, data: str, what: str) -> None:
    """Pick, with the keyboard, the combo item that stands for ``data`` (an id behind a shown name)."""
    i = combo.findData(data)
    assert i >= 0, f"{what} {data} not offered"
    choose(qtbot, combo, combo.itemText(i))
    assert combo.currentData() == data


async def schema_wizard_to_review(qtbot, wizard, *, title: str, event: bool, fields: list[tuple],
                                  identity: str | None, namespace: str = "Email", union: bool = True) -> None:
    """Class → field groups → custom fields → identity → review (not yet created)."""
    wizard.show()
    page = wizard.class_page
    type_into(qtbot, page.title_edit, title)
    tick(qtbot, page.event_radio if event else page.profile_radio)
    _next(qtbot, wizard)
    assert wizard.currentPage() is wizard.groups_page
    assert not page.profile_radio.isEnabled(), "the class is locked after the first page"
    gp = wizard.groups_page
    await until(lambda: gp.list.count() > 0, 15, "field groups from the registry")
    type_into(qtbot, gp.search, "person")
    visible = [gp.list.item(i).text() for i in range(gp.list.count()) if not gp.list.item(i).isHidden()]
    assert visible and len(visible) < gp.list.count(), "the search narrows the list"
    type_into(qtbot, gp.search, "")
    assert all(not gp.list.item(i).isHidden() for i in range(gp.list.count()))
    _next(qtbot, wizard)
    fp = wizard.fields_page
    for name, type_, required in fields:
        type_field_row(qtbot, fp.editor, name, type_, required)
    _next(qtbot, wizard)
    ip = wizard.identity_page
    assert wizard.currentPage() is ip
    if identity is None:
        tick(qtbot, ip.no_identity)
        assert ip.no_identity.isChecked()
    else:
        type_into(qtbot, ip.field_combo.lineEdit(), identity)
        await until(lambda: ip.namespace.count() > 1, 10, "identity namespaces")
        type_into(qtbot, ip.namespace.lineEdit(), namespace)  # a code of the list, or any other
        qtbot.keyClick(ip.namespace.lineEdit(), Qt.Key.Key_Delete)  # what the completion added, if anything
        assert ip.namespace.currentText() == namespace
    _set_ticked(qtbot, ip.union, union)
    assert ip.warning.isVisible() == union
    _next(qtbot, wizard)
    assert wizard.currentPage() is wizard.review_page


def review_calls(wizard) -> list[str]:
    calls = wizard.review_page.calls
    return [calls.item(i).text() for i in range(calls.count())]


async def create(qtbot, wizard) -> str:
    click(qtbot, wizard.button(QWizard.WizardButton.CommitButton))  # the Create (commit) button
    assert wizard.currentPage() is wizard.run_page
    return await finish_run(wizard)


async def dataset_wizard_to_review(qtbot, wizard, *, name: str, schema_id: str, profile: bool = True) -> None:
    wizard.show()
    page = wizard.dataset_page
    await until(lambda: page.schema.count() > 0 and "Loading" not in page.schema_note.text(), 15,
                "schemas in the dataset wizard")
    type_into(qtbot, page.name, name)
    _choose_data(qtbot, page.schema, schema_id, "schema")
    _set_ticked(qtbot, page.profile, profile)
    assert page.warning.isVisible() or not page.isVisible()
    _next(qtbot, wizard)
    assert wizard.currentPage() is wizard.review_page


async def dataset_wizard_create(qtbot, wizard, *, name: str, schema_id: str, profile: bool = True) -> str:
    await dataset_wizard_to_review(qtbot, wizard, name=name, schema_id=schema_id, profile=profile)
    return await create(qtbot, wizard)


async def connection_wizard_to_review(qtbot, wizard, *, name: str, dataset_id: str | None,
                                      legacy: bool = False) -> None:
    wizard.show()
    page = wizard.page_
    await until(lambda: page.dataset.count() > 0 and "Loading" not in page.status.text(), 15,
                "datasets in the connection wizard")
    click_radio(page.legacy if legacy else page.dataflow)
    assert page.legacy_warning.isVisible() == legacy
    type_into(qtbot, page.name, name)
    if dataset_id:
        _choose_data(qtbot, page.dataset, dataset_id, "dataset")
    _next(qtbot, wizard)
    assert wizard.currentPage() is wizard.review_page


async def connection_wizard_create(qtbot, wizard, *, name: str, dataset_id: str | None, legacy: bool = False) -> str:
    await connection_wizard_to_review(qtbot, wizard, name=name, dataset_id=dataset_id, legacy=legacy)
    return await create(qtbot, wizard)


def click_radio(radio) -> None:
    """A click on the button's indicator (its centre may lie past the end of its text)."""
    QTest.mouseClick(radio, Qt.MouseButton.LeftButton, pos=QPoint(8, radio.height() // 2))
    assert radio.isChecked()


def clipboard_text() -> str:
    return QApplication.clipboard().text()


def press_copy(field, qtbot) -> str:
    qtbot.mouseClick(field.button, Qt.MouseButton.LeftButton)
    return clipboard_text()
