"""The record editor: parse errors by line and column, live validation with JSON paths and
click-to-jump, format/minify, template, envelope preview, Send; no sandbox needed for the
first part (the JSON editor is a plain widget)."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from aep_console.ui.models.json_locate import locate, parse, pointer_parts
from aep_console.ui.widgets.json_editor import JsonEditor, int_ids_to_strings

from .helpers import click, click_list_row, paste_into, until


def test_parse_error_is_located_by_line_and_column(qtbot):
    ed = JsonEditor()
    qtbot.addWidget(ed)
    ed.setPlainText('{\n  "a": 1,\n  "b": tru\n}')
    ed.reparse()
    p = ed.last_problem
    assert p is not None and (p.line, p.column) == (3, 8), str(p)
    assert "line 3, column 8" in str(p)
    ed.go_to_problem(p)
    cur = ed.textCursor()
    assert cur.blockNumber() + 1 == 3 and cur.positionInBlock() + 1 == 8


def test_empty_editor_says_so():
    value, problem = parse("   ")
    assert value is None and "empty" in problem.message


def test_format_and_minify_keep_the_value(qtbot):
    ed = JsonEditor()
    qtbot.addWidget(ed)
    ed.setPlainText('{"a":[1,2,{"b":"x"}],"c":null}')
    assert ed.format_json()
    assert ed.toPlainText().count("\n") > 3
    assert ed.minify_json()
    assert ed.toPlainText() == '{"a":[1,2,{"b":"x"}],"c":null}'
    ed.undo()  # one undo step per format/minify
    assert ed.toPlainText().count("\n") > 3


def test_json_pointer_and_path_locate_values():
    text = '{\n  "a": {"b c": [10, {"d": "x"}]},\n  "_id": 5\n}'
    start, end = locate(text, "#/a/b c/1/d")
    assert text[start:end] == '"x"'
    start, end = locate(text, "$._id")
    assert text[start:end] == "5"
    start, end = locate(text, "$.a['b c'][0]")
    assert text[start:end] == "10"
    assert pointer_parts("#/a~1b/0") == ["a/b", "0"]
    start, _ = locate(text, "#/a/missing")  # the nearest parent
    assert text[start] == "{"


def test_integer_ids_become_strings():
    text, n = int_ids_to_strings('[{"_id": 12, "x": {"_id": 3}},\n{"_id":"s"}]')
    assert n == 2 and json.loads(text)[0]["_id"] == "12"


async def _event_target(ctx):
    """A profile schema, dataset and tutorial connection made with the services directly
    (the wizards have tests of their own); the editor then targets them."""
    from aep_console.services.setup import SetupWorkflows, loyalty_event_spec

    from .helpers import unique

    wf = SetupWorkflows(ctx.session)
    prefix = unique("Editor")
    report = await wf.event_schema(loyalty_event_spec(f"{prefix} events"))
    assert report.ok, report.summary()
    schema_id = report.outputs["schema_id"]
    ds = await wf.dataset(f"{prefix} dataset", schema_id)
    conn = await wf.streaming_connection(f"{prefix} stream", dataset_id=ds.outputs["dataset_id"])
    assert ds.ok and conn.ok  # the target names no flow id: the editor finds the dataflow itself
    ctx.update_target(schema_id=schema_id, dataset_id=ds.outputs["dataset_id"],
                      connection_id=conn.outputs["connection_id"], inlet_url=conn.outputs["inlet_url"])
    return schema_id


async def test_live_validation_lists_json_paths_and_jumps(connected, qtbot, ui_errors):
    from aep_console.ui.pages.editor import EditorPage

    ctx = connected
    page = EditorPage(ctx)
    qtbot.addWidget(page)
    page.show()
    await _event_target(ctx)
    await until(lambda: page.controller.validator is not None, 15, "the schema's validator")
    record = {"_id": 15367038, "timestamp": "2020-03-03T06:34:55Z", "eventType": "loyaltyBalanceUpdate",
              "_exchangeinternal": {"loyaltyID": "fstarr7@answers.com", "pointsEarned": "800"}}
    paste_into(qtbot, page.editor, json.dumps(record, indent=2))
    await until(lambda: page.validation.count() >= 2 and "✗" in page.validation.item(0).text(), 5, "violations")
    problems = page.validation.problems()
    assert any("$._id" in p and "expected type: String, found: Long" in p for p in problems), problems
    assert any("pointsEarned" in p for p in problems), problems
    # activating a problem (Enter or click) selects the offending value in the editor
    row = next(i for i, p in enumerate(problems) if "$._id" in p)
    click_list_row(qtbot, page.validation, row)
    qtbot.keyClick(page.validation, Qt.Key.Key_Return)
    assert page.editor.textCursor().selectedText() == "15367038"
    # the envelope preview wraps the record
    env = json.loads(page.envelope.toPlainText())
    assert env["header"]["datasetId"] == ctx.target.dataset_id
    assert env["body"]["xdmEntity"]["_id"] == 15367038
    # sending is refused client-side, with the paths
    click(qtbot, page.send_btn)
    await until(lambda: "Not sent" in page.result_banner.text(), 10, "the client-side refusal")
    # fix it: _id → string (the button), points as a number (typed again)
    click(qtbot, page.fix_id_btn)
    assert "Converted 1 integer _id" in page.result_banner.text(), page.result_banner.text()
    assert json.loads(page.editor.toPlainText())["_id"] == "15367038"
    record["_id"] = "15367038"
    record["_exchangeinternal"]["pointsEarned"] = 800
    paste_into(qtbot, page.editor, json.dumps(record, indent=2))
    await until(lambda: page.validation.count() == 1 and "Valid" in page.validation.item(0).text(), 5, "valid")
    qtbot.keyClick(page.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Enter sends
    await until(lambda: "Accepted" in page.result_banner.text(), 15, "the send to be accepted")
    assert "xactionId" in page.result_banner.text()
    response = page.response.toPlainText()  # as Postman shows it: status, headers (redacted), body
    assert response.startswith("HTTP 200") and "content-type: application/json" in response.lower(), response
    assert "xactionId" in response
    assert ui_errors == []


async def test_parse_error_shown_in_validation_list_and_send_refused(connected, qtbot):
    from aep_console.ui.pages.editor import EditorPage

    page = EditorPage(connected)
    qtbot.addWidget(page)
    page.show()
    paste_into(qtbot, page.editor, '{\n  "_id": "1",\n  "timestamp": \n}')
    await until(lambda: "line 4, column 1" in page.validation.item(0).text(), 5, "the parse error")
    qtbot.keyClick(page.editor, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    assert page.editor.textCursor().blockNumber() == 0
    click(qtbot, page.send_btn)
    assert "not valid JSON" in page.result_banner.text()
    assert page.editor.textCursor().blockNumber() == 3  # the cursor went to the problem


async def test_insert_template_builds_a_valid_event(connected, qtbot):
    from aep_console.ui.pages.editor import EditorPage

    ctx = connected
    page = EditorPage(ctx)
    qtbot.addWidget(page)
    page.show()
    await _event_target(ctx)
    await until(lambda: page.controller.resolved is not None, 15, "the resolved schema")
    click(qtbot, page.template_btn)
    value = json.loads(page.editor.toPlainText())
    assert isinstance(value["_id"], str) and value["timestamp"]
    assert "loyaltyID" in value.get("_exchangeinternal", {})
