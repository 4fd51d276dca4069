"""The record editor: the fix next to each error it can name, a pasted array sent as N records,
and AEP's 400 shown as the list of violations (acting as a user)."""

from __future__ import annotations

import json
import os
import stat

import pytest
from PySide6.QtCore import Qt

from .helpers import bulk_shown, click, paste_into, tick, unique, until
from .test_editor import _event_target


@pytest.fixture
async def editor(connected, qtbot):
    from aep_console.ui.pages.editor import EditorPage

    page = EditorPage(connected)
    qtbot.addWidget(page)
    page.resize(1200, 850)
    page.show()
    await _event_target(connected)
    await until(lambda: page.controller.validator is not None, 15, "the validator")
    return page


def _event(**changes) -> dict:
    record = {"_id": unique("fix").replace(" ", "-"), "timestamp": "2024-01-01T00:00:00Z",
              "eventType": "loyaltyBalanceUpdate",
              "_exchangeinternal": {"loyaltyID": "fix@example.com", "pointsEarned": 800}}
    record.update(changes)
    return record


async def test_each_error_offers_its_fix(editor, qtbot, ui_errors):
    page = editor
    bad = _event(_id=15367038, colour="red")
    bad["_exchangeinternal"]["pointsEarned"] = "800"
    paste_into(qtbot, page.editor, json.dumps(bad))
    await until(lambda: len(page.validation.problems()) == 3, 10, "three problems")
    assert all("[fix available]" in p for p in page.validation.problems()), page.validation.problems()
    assert page.fix_bar.isVisible()
    row = next(i for i, p in enumerate(page.validation.problems()) if "$._id" in p)
    rect = page.validation.visualItemRect(page.validation.item(row))
    qtbot.mouseClick(page.validation.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.fix_bar.fix_btn.text() == 'Fix: Quote $._id: 15367038 \u2192 "15367038"'
    click(qtbot, page.fix_bar.fix_btn)
    await until(lambda: len(page.validation.problems()) == 2, 10, "the _id problem gone")
    assert json.loads(page.editor.toPlainText())["_id"] == "15367038"
    assert page.fix_bar.fix_all_btn.text() == "Fix all (2)"
    click(qtbot, page.fix_bar.fix_all_btn)
    await until(lambda: "Valid" in page.validation.item(0).text(), 10, "a valid record")
    fixed = json.loads(page.editor.toPlainText())
    assert fixed["_exchangeinternal"]["pointsEarned"] == 800 and "colour" not in fixed
    assert not page.fix_bar.isVisible()
    qtbot.keyClick(page.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # one undo step per fix
    assert json.loads(page.editor.toPlainText())["colour"] == "red"
    assert ui_errors == []


async def test_a_pasted_array_is_sent_as_its_records(editor, qtbot, ui_errors):
    page = editor
    records = [_event() for _ in range(3)]
    paste_into(qtbot, page.editor, json.dumps(records, indent=2))
    await until(lambda: page.send_many_btn.isVisible(), 10, "the send-these-records button")
    assert page.send_many_btn.text() == "Send these 3 records"
    qtbot.keyClick(page.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert "the editor holds 3 records" in page.result_banner.text()
    click(qtbot, page.send_many_btn)
    await until(lambda: page.bulk.send_all.isEnabled() and page.bulk.banner.text().startswith("done"), 30,
                "the three records' send", shown=lambda: bulk_shown(page))
    assert page.bulk.results.rowCount() == 3 and all(r.status == "accepted" for r in page.bulk.results.rows)
    path = page.bulk.path_edit.text()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600  # the pasted records may hold personal data
    assert ui_errors == []


async def test_aep_400_is_shown_as_the_violation_list(editor, qtbot, ui_errors):
    page = editor
    tick(qtbot, page.local_box)  # let AEP itself judge the record
    assert not page.local_box.isChecked()
    paste_into(qtbot, page.editor, json.dumps(_event(_id=42)))
    await until(lambda: page.validation.problems(), 10, "the local check's problem")
    click(qtbot, page.send_btn)
    await until(lambda: page.result_banner.text().startswith("Refused"), 15, "AEP's refusal")
    banner = page.result_banner.text()
    assert banner == "Refused: HTTP 400: AEP found 1 problem in the record (listed under Validation).", banner
    problems = page.validation.problems()
    assert len(problems) == 1 and "_id" in problems[0] and "expected type: String" in problems[0], problems
    assert "[fix available]" in problems[0]
    assert ui_errors == []
