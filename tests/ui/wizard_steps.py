"""Driving the set-up wizards page by page, as a keyboard user would (shared by the wizard
tests and the end-to-end tutorial test)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from .helpers import until


async def finish_run(wizard, timeout: float = 30.0) -> str:
    await until(lambda: wizard.state in ("done", "failed", "cancelled"), timeout, "the wizard's run to end")
    return wizard.state


def created_value(wizard, label_part: str) -> str:
    for label, field in wizard.run_page.fields.items():
        if label_part.lower() in label.lower():
            return field.value()
    raise AssertionError(f"no created value like {label_part!r}; have {list(wizard.run_page.fields)}")


async def schema_wizard_to_review(wizard, *, title: str, event: bool, fields: list[tuple], identity: str | None,
                                  namespace: str = "Email", groups: list[str] | None = None,
                                  union: bool = True) -> None:
    """Class → field groups → custom fields → identity → review (not yet created)."""
    wizard.show()
    page = wizard.class_page
    page.title_edit.setText(title)
    (page.event_radio if event else page.profile_radio).setChecked(True)
    assert wizard.button(wizard.WizardButton.NextButton).isEnabled()
    wizard.next()
    assert wizard.currentPage() is wizard.groups_page
    assert not page.profile_radio.isEnabled(), "the class is locked after the first page"
    gp = wizard.groups_page
    await until(lambda: gp.list.count() > 0, 15, "field groups from the registry")
    if groups:
        gp.check(groups)
    gp.search.setText("person")
    visible = [gp.list.item(i).text() for i in range(gp.list.count()) if not gp.list.item(i).isHidden()]
    assert visible and len(visible) < gp.list.count(), "the search narrows the list"
    gp.search.clear()
    wizard.next()
    fp = wizard.fields_page
    for name, type_, required in fields:
        fp.editor.add_field(name, type_, required)
    wizard.next()
    ip = wizard.identity_page
    assert wizard.currentPage() is ip
    if identity is None:
        ip.no_identity.setChecked(True)
    else:
        ip.field_combo.setCurrentText(identity)
        await until(lambda: ip.namespace.count() > 1, 10, "identity namespaces")
        ip.namespace.setCurrentText(namespace)
    ip.union.setChecked(union)
    assert ip.warning.isVisible() == union
    wizard.next()
    assert wizard.currentPage() is wizard.review_page


def review_calls(wizard) -> list[str]:
    calls = wizard.review_page.calls
    return [calls.item(i).text() for i in range(calls.count())]


async def create(wizard) -> str:
    wizard.next()  # the Create (commit) button
    assert wizard.currentPage() is wizard.run_page
    return await finish_run(wizard)


async def dataset_wizard_create(wizard, *, name: str, schema_id: str, profile: bool = True) -> str:
    wizard.show()
    page = wizard.dataset_page
    await until(lambda: page.schema.count() > 0 and page._loaded, 15, "schemas in the dataset wizard")
    page.name.setText(name)
    i = page.schema.findData(schema_id)
    assert i >= 0, f"schema {schema_id} not offered"
    page.schema.setCurrentIndex(i)
    page.profile.setChecked(profile)
    assert page.warning.isVisible() or not page.isVisible()
    wizard.next()
    assert wizard.currentPage() is wizard.review_page
    return await create(wizard)


async def connection_wizard_create(wizard, *, name: str, dataset_id: str | None, legacy: bool = False) -> str:
    wizard.show()
    page = wizard.page_
    await until(lambda: page._loaded, 15, "datasets in the connection wizard")
    click_radio(page.legacy if legacy else page.dataflow)
    assert page.legacy_warning.isVisible() == legacy
    page.name.setText(name)
    if dataset_id:
        i = page.dataset.findData(dataset_id)
        assert i >= 0, f"dataset {dataset_id} not offered"
        page.dataset.setCurrentIndex(i)
    wizard.next()
    assert wizard.currentPage() is wizard.review_page
    return await create(wizard)


def click_radio(radio) -> None:
    """A click on the button's indicator (its centre may lie past the end of its text)."""
    QTest.mouseClick(radio, Qt.MouseButton.LeftButton, pos=QPoint(8, radio.height() // 2))
    assert radio.isChecked()


def clipboard_text() -> str:
    return QApplication.clipboard().text()


def press_copy(field, qtbot) -> str:
    qtbot.mouseClick(field.button, Qt.MouseButton.LeftButton)
    return clipboard_text()
