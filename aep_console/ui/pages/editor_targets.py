"""The record editor's send target and bulk send, as the page shows them (mixed into EditorPage):
the target observed from the context (which owns it), checked against the lists, the only choice
picked, remembered per profile with the draft; the bulk file's target line and the questions
before a send (already sent, interrupted run)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox


class EditorTargets:
    # --- the target: observed from the context, which owns it ---------------------------------
    def list_targets(self) -> None:
        self.controller.list_targets()

    def _targets_listed(self, schemas, datasets, connections) -> None:
        self.targets.set_choices(schemas, datasets, connections, self.ctx.target)
        t = self.ctx.target
        changes: dict = {}
        if self._verify_gen == self._target_gen:
            # a target remembered from an earlier run: what the lists no longer hold was deleted since
            self._verify_gen = -1
            gone = set(self.targets.unknown_ids(t))
            changes.update({k: "" for k, v in (("schema_id", t.schema_id), ("dataset_id", t.dataset_id),
                                               ("connection_id", t.connection_id)) if v in gone})
        # only one of a kind: it is the one (a connection names its dataset, a dataset its schema)
        conn_id = changes.get("connection_id", t.connection_id)
        if not conn_id and len(connections) == 1:
            c = connections[0]
            changes.update(connection_id=c["id"], inlet_url=c.get("inlet_url", ""), flow_id=c.get("flow_id", ""),
                           source_name=c.get("source_name", ""))
            if c.get("dataset_id") and not changes.get("dataset_id", t.dataset_id):
                changes["dataset_id"] = c["dataset_id"]
        ds_id = changes.get("dataset_id", t.dataset_id)
        if not ds_id and len(datasets) == 1:
            ds_id = changes["dataset_id"] = datasets[0]["id"]
        ds = next((d for d in datasets if d["id"] == ds_id), None)
        if ds is not None:
            changes.setdefault("dataset_name", ds.get("name", ""))
        if not changes.get("schema_id", t.schema_id):
            sid = (ds or {}).get("schema_id") or (schemas[0]["id"] if len(schemas) == 1 else "")
            if sid:
                changes["schema_id"] = sid
        sid = changes.get("schema_id", t.schema_id)
        schema = next((x for x in schemas if x["id"] == sid), None)
        if schema is not None:
            changes.setdefault("schema_title", schema.get("title", ""))
        new = t.with_(**changes)
        if new != t:
            self.ctx.set_target(new)

    def _session_ready(self, _session) -> None:
        self._verify_gen = self._target_gen
        self.list_targets()
        profile = getattr(self.ctx.profile, "name", None)
        if profile and self.ctx.settings.remember_target:
            from ...services.console_state import remembered_draft

            draft = remembered_draft(profile)
            if draft and draft != self.editor.toPlainText():
                self.editor.setPlainText(draft)
                self.editor.reparse()
                self._draft_timer.stop()

    def _save_draft(self) -> None:
        profile = getattr(self.ctx.profile, "name", None)
        if profile and self.ctx.settings.remember_target:
            from ...services.console_state import remember_draft

            remember_draft(profile, self.editor.toPlainText())



class EditorBulk:
    def _file_checked(self, path: str, n) -> None:
        if path == self.bulk.path_edit.text().strip():
            self._records = n
            self._show_target_line()

    def _show_target_line(self) -> None:
        """"N records → dataset (class, schema)": what Send all sends, and where, before it is pressed."""
        from ...services.diagnosis import class_kind

        t = self.ctx.target
        path = self.bulk.path_edit.text().strip()
        n = getattr(self, "_records", None)
        what = ("Choose a file of records" if not path else f"{n:,} record{'' if n == 1 else 's'}" if n is not None
                else "The file's records")
        if not t.dataset_id:
            self.bulk.set_target_line(f"{what} → no dataset chosen yet")
            return
        cls = self.controller.schema_class()
        schema = t.schema_title or t.schema_id
        detail = ", ".join(x for x in (class_kind(cls) if cls else "", f"schema “{schema}”" if schema else "") if x)
        self.bulk.set_target_line(f"{what} → dataset “{t.dataset_name or t.dataset_id}”"
                                  + (f" ({detail})" if detail else ""))

    # --- bulk --------------------------------------------------------------------------------
    def start_bulk(self, path: str) -> None:
        if not path:
            self.bulk.not_started("Choose a file of records first.")
            return
        if not self.confirm_production(f"Every record of {path} will be streamed."):
            return
        previous = self.controller.previous_run(path)
        if previous is not None and previous.same_file and previous.accepted:
            t = self.ctx.target
            self._ask(
                "Send this file again?",
                f"This file was already sent in full to dataset “{t.dataset_name or t.dataset_id}” "
                f"({previous.accepted:,} records accepted). Sending it again sends every record a second time: "
                "experience events arrive twice.",
                [("Send &again", QMessageBox.ButtonRole.DestructiveRole,
                  lambda: self.controller.start_bulk(path, local=self.local_box.isChecked()))])
            return
        self.controller.start_bulk(path, local=self.local_box.isChecked())

    def _ask(self, title: str, text: str, actions: list) -> QMessageBox:
        """A question that does not block the event loop (the run it guards may be going on):
        ``actions`` are (label, role, callback); Cancel does nothing."""
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self)
        box.setObjectName("EditorQuestion")
        buttons = {box.addButton(label, role): then for label, role, then in actions}
        box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Cancel))

        def clicked(button) -> None:
            then = buttons.get(button)
            if then is not None:
                then()

        box.buttonClicked.connect(clicked)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def _run_exists(self, path: str, message: str) -> None:
        local = self.local_box.isChecked()
        self._ask("Interrupted run", message, [
            ("&Resume", QMessageBox.ButtonRole.AcceptRole, lambda: self.controller.start_bulk(path, "resume", local=local)),
            ("&Start over", QMessageBox.ButtonRole.DestructiveRole,
             lambda: self.controller.start_bulk(path, "restart", local=local)),
        ])

    def _file_fixed(self, path: str, n: int) -> None:
        self.bulk.path_edit.setText(path)
        self.bulk.fix_button.setVisible(False)
        self.bulk.banner.set_message(
            "success", f"Wrote {path} with {n:,} integer _id value(s) converted to strings. Press Send all to send it.")


