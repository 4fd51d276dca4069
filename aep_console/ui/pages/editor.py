"""Record editor: write or paste one record, see it validated live against the target's
schema, preview the envelope, send it (Ctrl+Enter); bulk send a file below."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..controllers.editor import EditorController
from ..widgets.banner import Banner
from ..widgets.bulk_panel import BulkPanel
from ..widgets.controls import button
from ..widgets.json_editor import JsonEditor, int_ids_to_strings
from ..widgets.target_bar import TargetBar
from ..widgets.validation_list import FixBar, ValidationList, validation_pane
from .editor_targets import EditorBulk, EditorTargets


class EditorPage(EditorTargets, EditorBulk, QWidget):
    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Record editor")
        self.controller = EditorController(ctx, self)
        c = self.controller

        self.targets = TargetBar(self)
        self.editor = JsonEditor(self)
        self.format_btn = button("&Format", "Indent the JSON (Ctrl+Shift+F)", "Format JSON")
        self.minify_btn = button("&Minify", "Put the JSON on one line", "Minify JSON")
        self.template_btn = button("Insert &template", "Replace the editor's content with a record skeleton built from the schema")
        self.fix_id_btn = button("_id → &string", "Quote integer _id values (XDM requires a string)", "Convert _id to string")
        self.sync_box = QCheckBox("S&ync validation")
        self.sync_box.setToolTip("Ask AEP to validate the record synchronously (?syncValidation=true); development only, 60 requests/min")
        self.sync_box.setAccessibleName("Synchronous validation")
        self.sync_box.setChecked(True)
        self.local_box = QCheckBox("&Check locally first")
        self.local_box.setToolTip("Validate against the schema before sending (untick to see what AEP itself answers)")
        self.local_box.setAccessibleName("Check locally before sending")
        self.local_box.setChecked(True)
        self.send_btn = button("&Send  (Ctrl+Enter)", "Send the record to the streaming connection (Ctrl+Enter)", "Send record")
        self.send_btn.setDefault(True)
        self.send_many_btn = button("Send these records", "The editor holds a JSON array: send each record "
                                     "as one message (a bulk send)", "Send the pasted records")
        self.send_many_btn.setVisible(False)
        tools = QHBoxLayout()
        for w in (self.format_btn, self.minify_btn, self.template_btn, self.fix_id_btn):
            tools.addWidget(w)
        tools.addStretch(1)
        tools.addWidget(self.local_box)
        tools.addWidget(self.sync_box)
        tools.addWidget(self.send_many_btn)
        tools.addWidget(self.send_btn)

        self.validation = ValidationList(self)
        self.fix_bar = FixBar(self.validation, self)
        self.envelope = JsonEditor(self, live_parse=False)
        self.envelope.setReadOnly(True)
        self.envelope.setAccessibleName("Envelope preview")
        self.envelope.setToolTip("The streaming message that will be sent: header and body around the record")
        self.response = JsonEditor(self, live_parse=False)
        self.response.setReadOnly(True)
        self.response.setAccessibleName("Last response")
        self.response.setToolTip("AEP's answer to the last send")
        self.side = QTabWidget(self)
        self.side.setAccessibleName("Record details")
        self.side.addTab(validation_pane(self.validation, self.fix_bar), "Validation")
        self.side.addTab(self.envelope, "Envelope preview")
        self.side.addTab(self.response, "Response")
        self.result_banner = Banner("info", "", self)

        top_split = QSplitter(Qt.Orientation.Horizontal)
        top_split.addWidget(self.editor)
        top_split.addWidget(self.side)
        top_split.setStretchFactor(0, 3)
        top_split.setStretchFactor(1, 2)
        top = QWidget()
        top_lay = QVBoxLayout(top)
        top_lay.setContentsMargins(0, 0, 0, 0)
        top_lay.addLayout(tools)
        top_lay.addWidget(top_split, 1)
        top_lay.addWidget(self.result_banner)

        self.bulk = BulkPanel(self)
        main_split = QSplitter(Qt.Orientation.Vertical)
        main_split.addWidget(top)
        main_split.addWidget(self.bulk)
        main_split.setStretchFactor(0, 3)
        main_split.setStretchFactor(1, 2)

        title = QLabel("<h2>Record editor</h2>")
        lay = QVBoxLayout(self)
        lay.addWidget(title)
        lay.addWidget(self.targets)
        lay.addWidget(main_split, 1)

        # --- wiring ------------------------------------------------------------------------------
        self.format_btn.clicked.connect(self.editor.format_json)
        self.minify_btn.clicked.connect(self.editor.minify_json)
        fmt = QShortcut(QKeySequence("Ctrl+Shift+F"), self, self.editor.format_json)
        fmt.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.template_btn.clicked.connect(self.insert_template)
        self.fix_id_btn.clicked.connect(self.fix_ids)
        self.send_btn.clicked.connect(self.send)
        self.editor.submit.connect(self.send)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            sc = QShortcut(QKeySequence(seq), self, self.send)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.editor.parsed.connect(self._revalidate)
        self.editor.parsed.connect(ctx.set_record)
        self.editor.parse_failed.connect(self._parse_failed)
        self.validation.jump_requested.connect(self.editor.go_to_path)
        self.fix_bar.fix_requested.connect(self.apply_fixes)
        self.send_many_btn.clicked.connect(self.send_many)
        self.validation.itemActivated.connect(self._jump_parse_error)
        self.targets.target_picked.connect(ctx.set_target)
        self.targets.refresh_requested.connect(self.list_targets)
        ctx.target_changed.connect(self._target_changed)
        ctx.resources_changed.connect(lambda _kind: self.list_targets())
        self.editor.textChanged.connect(self._record_edited)
        self._target_gen = 0
        self._verify_gen = -1  # the target generation restored from memory, to check against the lists
        self._draft_timer = QTimer(self, singleShot=True, interval=800)
        self._draft_timer.timeout.connect(self._save_draft)
        self.editor.textChanged.connect(self._draft_timer.start)
        ctx.open_request.connect(self.open_request)
        c.targets_listed.connect(self._targets_listed)
        c.schema_ready.connect(lambda: self._revalidate(self.editor.last_value))
        c.schema_failed.connect(lambda msg: self.validation.show_info(f"Schema not loaded: {msg}"))
        c.send_done.connect(self._send_done)
        c.send_failed.connect(lambda msg: self.result_banner.set_message("error", msg))
        self.bulk.start_requested.connect(self.start_bulk)
        self.bulk.pause_toggled.connect(c.pause_bulk)
        self.bulk.cancel_requested.connect(c.cancel_bulk)
        self.bulk.fix_ids_requested.connect(c.fix_file_ids)
        c.bulk_started.connect(self.bulk.started)
        c.bulk_progress.connect(self.bulk.show_progress)
        c.bulk_rows.connect(self.bulk.results.append_rows)
        c.bulk_finished.connect(self.bulk.finished)
        c.bulk_diagnosed.connect(self.bulk.show_diagnosis)
        c.bulk_not_started.connect(self.bulk.not_started)
        c.bulk_checked.connect(self._file_checked)
        self.bulk.path_changed.connect(c.check_file)
        c.schema_ready.connect(self._show_target_line)
        c.bulk_file_fixed.connect(self._file_fixed)
        c.bulk_exists.connect(self._run_exists)
        c.flow_choice.connect(self._choose_flow)
        c.flow_missing.connect(self._offer_flow)
        c.flow_note.connect(self.result_banner.set_message)
        self.flow_dialog: QInputDialog | QMessageBox | None = None
        ctx.session_ready.connect(self._session_ready)
        if ctx.session is not None:
            self._session_ready(ctx.session)
        self._target_changed(ctx.target)
        self.validation.show_info("Type or paste a record; it is checked as you type.")

    # --- single record ------------------------------------------------------------------------
    def _target_changed(self, target) -> None:
        self._target_gen += 1
        self.targets.show_target(target)
        if self.targets.unknown_ids(target):
            self.list_targets()  # made by a wizard meanwhile: read the names, not bare ids
        else:
            named = self.targets.named(target)
            if named != target:  # ids set without their names: the lists know them
                self.ctx.set_target(named)
                return
        ids = (target.schema_id, target.dataset_id, target.connection_id)
        if ids != getattr(self, "_shown_ids", None) and self.result_banner.text() != "Sending…":
            self.result_banner.set_message("info", "")  # a verdict about another target no longer applies
        self._shown_ids = ids
        self.controller.load_schema(target.schema_id)
        self._update_envelope(self.editor.last_value)
        self._show_target_line()

    def _record_edited(self) -> None:
        """The banner spoke of the record as it was: once it changes, the verdict is gone."""
        if self.result_banner.text() and self.result_banner.text() != "Sending…":
            self.result_banner.set_message("info", "")

    def _parse_failed(self, problem) -> None:
        self.validation.show_parse_error(problem)
        self.envelope.setPlainText("(the record is not valid JSON yet)")

    def _jump_parse_error(self, item) -> None:
        pos = item.data(Qt.ItemDataRole.UserRole + 2)
        if pos and self.editor.last_problem is not None:
            self.editor.go_to_problem(self.editor.last_problem)

    def _revalidate(self, value) -> None:
        if self.editor.last_problem is not None:
            return
        self._update_envelope(value)
        n = self._array_size(value)
        self.send_many_btn.setVisible(bool(n))
        if n:
            self.send_many_btn.setText(f"Send these {n:,} records")
            self.validation.show_info(f"A JSON array of {n:,} records: \u201cSend these {n:,} records\u201d sends each "
                                      "as one message, checked first (a bulk send, results below).")
            return
        if not isinstance(value, dict):
            if value is not None:
                self.validation.show_info("A record must be a JSON object ({…}), or an array of them.")
            return
        violations = self.controller.validate(value)
        if violations is None:
            self.validation.show_info("Choose a schema to validate against (valid JSON so far).")
        elif violations:
            self.show_violations(violations)
        else:
            self.validation.show_ok("Valid against the schema")

    @staticmethod
    def _array_size(value) -> int:
        return len(value) if isinstance(value, list) and value and all(isinstance(v, dict) for v in value) else 0

    def show_violations(self, violations) -> None:
        """The problems, each with the fix the validator can name (next to it)."""
        from ...xdm.fixes import fix_for

        value = self.editor.last_value
        fixes = [fix_for(value, getattr(v, "pointer", "") or "", v.message) for v in violations]
        self.validation.show_violations(violations, fixes)

    def apply_fixes(self, fixes: list) -> None:
        from ...xdm.fixes import apply_fixes

        if not fixes or not isinstance(self.editor.last_value, dict):
            return
        fixed = apply_fixes(self.editor.last_value, fixes)
        cur = self.editor.textCursor()
        cur.beginEditBlock()  # one undo step
        cur.select(cur.SelectionType.Document)
        cur.insertText(json.dumps(fixed, indent=2, ensure_ascii=False))
        cur.endEditBlock()
        self.editor.reparse()
        self.result_banner.set_message("info", "Fixed: " + "; ".join(f.label for f in fixes) + " (Ctrl+Z undoes it).")

    def send_many(self) -> None:
        """The pasted array as a bulk send: written to a file of the console's (0600), then sent."""
        records = self.editor.last_value
        if not self._array_size(records):
            return
        path = self.controller.write_pasted(records)
        self.bulk.path_edit.setText(path)
        self.start_bulk(path)

    def _update_envelope(self, value) -> None:
        if isinstance(value, dict):
            env = self.controller.envelope(value)
            self.envelope.set_json(env if env is not None else {"note": "choose a schema and a dataset"})

    def insert_template(self) -> None:
        tpl = self.controller.template()
        if tpl is None:
            self.result_banner.set_message("warning", "Choose a schema first: the template is built from it.")
            return
        self.editor.set_json(tpl)

    def fix_ids(self) -> None:
        text, n = int_ids_to_strings(self.editor.toPlainText())
        if n:
            cur = self.editor.textCursor()
            cur.beginEditBlock()
            cur.select(cur.SelectionType.Document)
            cur.insertText(text)
            cur.endEditBlock()
            self.editor.reparse()
        self.result_banner.set_message("info", f"Converted {n} integer _id value(s) to strings." if n else "No integer _id found.")

    def confirm_production(self, what: str) -> bool:
        if not self.ctx.is_production:
            return True
        name = getattr(self.ctx.profile, "name", "?")
        answer = QMessageBox.warning(
            self, "Send to production?",
            f"Profile \u201c{name}\u201d is a PRODUCTION profile.\n\n{what}\n\nSend anyway?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def send(self) -> None:
        self.editor.reparse()
        if self.editor.last_problem is not None:
            self.result_banner.set_message("error", f"Not sent: the record is not valid JSON ({self.editor.last_problem}).")
            self.editor.go_to_problem(self.editor.last_problem)
            return
        n = self._array_size(self.editor.last_value)
        if n:
            self.result_banner.set_message("warning", f"Not sent: the editor holds {n:,} records; press "
                                                      f"\u201cSend these {n:,} records\u201d to send each of them.")
            return
        if not isinstance(self.editor.last_value, dict):
            self.result_banner.set_message("error", "Not sent: a record must be a JSON object.")
            return
        if not self.confirm_production("One record will be streamed."):
            return
        self.result_banner.set_message("info", "Sending…")
        self.controller.send(self.editor.last_value, sync=self.sync_box.isChecked(), local=self.local_box.isChecked())

    def _send_done(self, outcome) -> None:
        from ..widgets.tables import headers_text, pretty_json

        ex = outcome.exchange
        body = json.dumps(outcome.body if outcome.body is not None else {"note": "no body"}, indent=2,
                          ensure_ascii=False, default=str)
        if ex is not None:  # the answer as Postman shows it: status, headers (redacted), body
            self.response.setPlainText(f"HTTP {ex.status or '—'}  ({ex.duration_ms or 0:.1f} ms)\n"
                                       + headers_text(ex.response_headers) + "\n" + (pretty_json(ex.response_body)
                                                                                     or body))
        else:
            self.response.setPlainText(body)
        self.result_banner.set_message(outcome.kind, outcome.summary)
        if outcome.violations:
            self.show_violations(outcome.violations)
            self.side.setCurrentWidget(self.validation)
        else:
            self.side.setCurrentWidget(self.response)

    # --- the dataflow (the controller asks, the user answers) -----------------------------------
    def _choose_flow(self, flows: list) -> None:
        """Several dataflows lead from the connection into the dataset: the user picks one."""
        dlg = QInputDialog(self)
        dlg.setWindowTitle("Choose a dataflow")
        dlg.setLabelText("Several dataflows lead from this connection into the dataset. Send through:")
        dlg.setOption(QInputDialog.InputDialogOption.UseListViewForComboBoxItems)
        labels = [label for _fid, label in flows]
        dlg.setComboBoxItems(labels)
        dlg.setOkButtonText("Use this dataflow")
        dlg.textValueSelected.connect(lambda text: self.controller.choose_flow(flows[labels.index(text)][0]))
        dlg.rejected.connect(self.controller.decline_flow)
        self._open_flow_dialog(dlg)

    def _offer_flow(self, message: str) -> None:
        """No dataflow leads into the dataset: offer to create one (source → target → dataflow)."""
        box = QMessageBox(QMessageBox.Icon.Question, "No dataflow", message, parent=self)
        box.setInformativeText("Create a dataflow from this connection into the dataset now, and send?")
        create = box.addButton("&Create dataflow", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(lambda b: self.controller.create_flow() if b is create
                                  else self.controller.decline_flow())
        self._open_flow_dialog(box)

    def _open_flow_dialog(self, dlg) -> None:
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.setAccessibleName(dlg.windowTitle())
        self.flow_dialog = dlg
        dlg.finished.connect(lambda _r: setattr(self, "flow_dialog", None))
        dlg.open()

    def open_request(self, entity) -> None:
        """Load a record (e.g. from History) into the editor."""
        if isinstance(entity, str):
            self.editor.setPlainText(entity)
            self.editor.reparse()
        else:
            self.editor.set_json(entity)

def pretty(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)
