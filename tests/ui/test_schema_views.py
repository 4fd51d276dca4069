"""The schema wizard infers the custom fields from a sample record; the Schemas page shows what
was built (class, Profile, field groups, identities, the field tree), as the AEP UI does."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QWizard

from .helpers import click, click_row, paste_into, type_into, unique, until


async def test_fields_inferred_from_a_sample_and_the_schema_shown(connected, qtbot, ui_errors):
    from aep_console.ui.pages.resources import SchemasPage

    ctx = connected
    page = SchemasPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    click(qtbot, page.new_btn)
    wizard = page.wizard
    title = unique("Inferred")
    type_into(qtbot, wizard.class_page.title_edit, title)
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    await until(lambda: "fit this class" in wizard.groups_page.status.text(), 15, "the field groups")
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    fp = wizard.fields_page
    sample = {"_exchangeinternal": {"loyaltyID": "s@example.com", "points": 10, "ratio": 0.5, "vip": True,
                                    "since": "2024-01-02T03:04:05Z", "tags": ["a"]},
              "person": {"name": {"firstName": "A"}}}
    paste_into(qtbot, fp.sample, json.dumps(sample))
    click(qtbot, fp.infer_btn)
    rows = {r["name"]: (r["type"], r["format"]) for r in fp.editor.rows()}
    assert rows == {"loyaltyID": ("string", "email"), "points": ("integer", ""), "ratio": ("number", ""),
                    "vip": ("boolean", ""), "since": ("date-time", "")}, rows
    assert "left out tags" in fp.infer_note.text()
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    ip = wizard.identity_page
    await until(lambda: ip.namespace.count() > 1, 10, "identity namespaces")
    assert ip.field_combo.currentText() == "loyaltyID"
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    click(qtbot, wizard.button(QWizard.WizardButton.CommitButton))
    await until(lambda: wizard.run_page.title() in ("Created", "Failed: undone"), 30, "the schema")
    assert wizard.run_page.title() == "Created"
    click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))

    type_into(qtbot, page.filter, title)
    await until(lambda: page.model.rowCount() == 1, 15, "the new schema in the list")
    click_row(qtbot, page.table, 0)
    await until(lambda: any(t.startswith("Fields") for t in page.detail.path_texts()), 15, "the schema's details")
    texts = "\n".join(page.detail.path_texts())
    assert "Profile" in texts and "enabled (union tag)" in texts
    assert "Individual Profile" in texts or "context/profile" in texts
    assert "loyaltyID" in texts and "email" in texts and "Email" in texts  # a field, its format, the namespace
    assert "Field groups" in texts and f"{title} fields" in texts
    assert ui_errors == []
