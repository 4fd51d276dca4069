"""Promote wizard: copy a set-up to another sandbox or org, with a reviewed plan first.

Pages: source (a connection profile, or a bundle file) → selection (what to copy; dependencies
follow) → target (a connection profile) → plan (create / identical / conflicting, with each
differing field; Profile enablement, which AEP never undoes, must be accepted; the set-up can be
saved as a bundle) → apply (every step as it happens; a failure or Cancel undoes what was created).
The wizard never awaits: the PromoteController does the work and answers with signals.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ..controllers.promote import PromoteController
from ..widgets.banner import Banner
from .common import RunPage
from .promote_pages import APPLY, PLAN, SELECTION, SOURCE, TARGET, SelectionPage, SourcePage, TargetPage

ACTION_TEXT = {"create": "Create", "identical": "Identical", "conflict": "Conflict"}


def _value(v) -> str:
    import json

    from ...services.promote import ABSENT

    return "(absent)" if v == ABSENT else json.dumps(v, ensure_ascii=False)


class PlanPage(QWizardPage):
    """The plan with its field-level diff; Apply (the commit button) once it can be applied."""

    def __init__(self, wizard: PromoteWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("Plan")
        self.setSubTitle("What applying would do in the target. Nothing has been written yet.")
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Plan")
        self.tree.setHeaderLabels(["Action", "Resource / field", "In the target", "From the source"])
        self.tree.setColumnWidth(0, 100)
        self.tree.setColumnWidth(1, 360)
        self.tree.setColumnWidth(2, 220)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # ids and JSON paths differ at their ends
        self.counts = QLabel()
        self.counts.setWordWrap(True)
        self.banner = Banner("info", "")
        self.accept_irreversible = QCheckBox("I &accept the irreversible steps listed above")
        self.accept_irreversible.setAccessibleName("Accept irreversible steps")
        self.accept_irreversible.toggled.connect(self.completeChanged)
        self.overwrite = QCheckBox("&Overwrite the conflicting field groups, schemas and descriptors with the "
                                   "source's version")
        self.overwrite.setAccessibleName("Overwrite conflicts")
        self.overwrite.setToolTip("Replaced in the target (PUT); put back as they were if a later step fails")
        self.overwrite.toggled.connect(self.completeChanged)
        self.bundle_path = QLineEdit()
        self.bundle_path.setAccessibleName("Save bundle as")
        self.bundle_path.setPlaceholderText("path/to/set-up.aep-bundle.json")
        self.save = QPushButton("&Save bundle")
        self.save.setToolTip("Write the set-up as a versioned JSON bundle (reviewable in git; applies to any target)")
        self.browse = QPushButton("B&rowse…")
        self.saved = QLabel()
        row = QHBoxLayout()
        row.addWidget(QLabel("Bundle:"))
        row.addWidget(self.bundle_path, 1)
        row.addWidget(self.browse)
        row.addWidget(self.save)
        lay = QVBoxLayout(self)
        lay.addWidget(self.tree, 1)
        lay.addWidget(self.counts)
        lay.addWidget(self.banner)
        lay.addWidget(self.overwrite)
        lay.addWidget(self.accept_irreversible)
        lay.addLayout(row)
        lay.addWidget(self.saved)
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Apply")
        self.save.clicked.connect(self._save)
        self.browse.clicked.connect(self._browse)
        c = wizard.controller
        c.planned.connect(self.set_plan)
        c.failed.connect(self._failed)
        c.bundle_saved.connect(lambda path: self.saved.setText(f"Bundle saved: {path}"))
        self.plan = None

    def initializePage(self) -> None:
        self.plan = None
        self.tree.clear()
        self.saved.clear()
        self.counts.setText("Reading the set-up and comparing it with the target…")
        self.banner.hide()
        for box in (self.accept_irreversible, self.overwrite):
            box.hide()
            box.setChecked(False)
        self._wizard.request_plan()

    def set_plan(self, plan) -> None:
        self.plan = plan
        self.tree.clear()
        for item in plan.items:
            row = QTreeWidgetItem([ACTION_TEXT.get(item.action, item.action), item.label + (
                "  (irreversible)" if item.irreversible and item.action == "create" else ""), item.target_id or ""])
            row.setToolTip(1, item.note or item.source_id)
            row.setToolTip(2, item.target_id or "")
            for d in item.diff:
                field = QTreeWidgetItem(["", d.path, _value(d.target), _value(d.source)])
                field.setToolTip(1, str(d))
                row.addChild(field)
            self.tree.addTopLevelItem(row)
            row.setExpanded(bool(item.diff))
        c = plan.counts()
        self.counts.setText(f"{c['create']} to create, {c['identical']} identical, {c['conflict']} conflicting "
                            f"(tenant {plan.bundle.tenant} \u2192 {plan.target['tenant_id']}, "
                            f"org {plan.target['org_id']}).")
        if plan.is_empty:
            self.banner.set_message("success", "Nothing to do: the target already has this set-up.")
        elif plan.blockers_for(overwrite=True):
            self.banner.set_message("error", f"{len(plan.blockers)} resource(s) exist in the target with other "
                                    "content (the differing fields are listed). Resolve them first: nothing "
                                    "can be applied while the plan has these conflicts.")
        elif plan.irreversible:
            self.banner.set_message("warning", "Irreversible: " + "; ".join(
                f"{i.label}: {i.note}" for i in plan.irreversible))
            self.accept_irreversible.show()
        elif plan.blockers:
            self.banner.set_message("warning", f"{len(plan.blockers)} resource(s) differ in the target: "
                                    "overwrite them with the source's version to apply.")
        else:
            self.banner.set_message("info", "Apply creates what is listed, as one transaction.")
        self.overwrite.setVisible(bool(plan.updatable) and not plan.blockers_for(overwrite=True))
        self.banner.show()
        self.completeChanged.emit()

    def _failed(self, message: str) -> None:
        if self._wizard.currentPage() is self:
            self.banner.set_message("error", message)
            self.banner.show()
            self.counts.setText("")

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the set-up as a bundle", "", "Set-up bundles (*.json)")
        if path:
            self.bundle_path.setText(path)

    def _save(self) -> None:
        path = self.bundle_path.text().strip()
        if path and self._wizard.controller.bundle is not None:
            self._wizard.controller.save_bundle(path)

    def validatePage(self) -> bool:
        """A production target asks once more before anything is written."""
        name = self._wizard.target_page.profile.currentText()
        try:
            production = self._wizard.ctx.profiles.get(name).production
        except Exception:
            production = False
        if not production:
            return True
        answer = QMessageBox.warning(
            self, "Apply to production?",
            f"Profile \u201c{name}\u201d is a PRODUCTION profile.\n\nApplying the plan creates "
            f"{len(self.plan.of('create'))} resource(s) in its production sandbox.\n\nApply it?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def isComplete(self) -> bool:
        p = self.plan
        return bool(p is not None and not p.is_empty and not p.blockers_for(overwrite=self.overwrite.isChecked())
                    and (not p.irreversible or self.accept_irreversible.isChecked()))


class PromoteWizard(QWizard):
    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.controller = PromoteController(ctx, self)
        self.setWindowTitle("Promote a set-up")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setMinimumSize(860, 600)
        self.source_page = SourcePage(self)
        self.selection_page = SelectionPage(self)
        self.target_page = TargetPage(self)
        self.plan_page = PlanPage(self)
        self.run_page = RunPage(self)
        for pid, page in ((SOURCE, self.source_page), (SELECTION, self.selection_page), (TARGET, self.target_page),
                          (PLAN, self.plan_page), (APPLY, self.run_page)):
            self.setPage(pid, page)
        self.controller.step_at.connect(lambda i, text, kind: self.run_page.add_step(text, kind, i))
        self.controller.finished.connect(self._finished)
        self.created: dict[str, str] = {}
        self._closing = False

    # --- what the pages ask for ------------------------------------------------------------------
    def request_plan(self) -> None:
        src = self.source_page
        target = self.target_page.profile.currentText()
        if src.from_bundle.isChecked():
            self.controller.make_plan(target, bundle_path=src.bundle_path.text().strip())
        else:
            self.controller.make_plan(target, source_name=src.profile.currentText(),
                                      selection=self.selection_page.selection())

    def start_run(self) -> None:  # RunPage calls it
        self.run_page.setTitle("Applying the plan")
        self.controller.apply(self.target_page.profile.currentText(),
                              accept_irreversible=self.plan_page.accept_irreversible.isChecked(),
                              overwrite=self.plan_page.overwrite.isChecked())

    def _finished(self, state: str, message: str, created: dict) -> None:
        if state == "done":
            self.created = dict(created)
            self.run_page.finish("done", message, self._created_fields(created))
            self._offer_streaming(created)
        else:
            self.run_page.finish(state, message)
            if self._closing:
                self.controller.close()
                super().reject()

    def _created_fields(self, created: dict) -> list[tuple[str, str]]:
        """The ids a user needs next in the target: datasets, schemas, connections, dataflows."""
        out = []
        for item in self.plan_page.plan.items if self.plan_page.plan else []:
            res = item.resource
            if res is None or item.kind not in ("schema", "dataset", "connection", "flow"):
                continue
            if res.id in created:
                out.append((f"{item.kind} {item.title}", created[res.id]))
            if res.inlet_id and res.inlet_id in created:
                out.append((f"CONNECTION_ID of {item.title}", created[res.inlet_id]))
        return out

    def _offer_streaming(self, created: dict) -> None:
        """A dataset picker and "Use in record editor": switch to the target profile, stream there."""
        from ...services.promote import streaming_targets

        targets = streaming_targets(self.plan_page.plan, created)
        if not targets:
            return
        row = QWidget()
        lay = QHBoxLayout(row)
        lay.setContentsMargins(0, 6, 0, 0)
        self.stream_dataset = QComboBox()
        self.stream_dataset.setAccessibleName("Dataset to stream into")
        for t in targets:
            self.stream_dataset.addItem(t.dataset_name, t)
        self.use_button = QPushButton("&Use in record editor")
        self.use_button.setToolTip("Switch to the target profile and stream into this dataset there")
        self.use_button.clicked.connect(self._use_in_editor)
        lay.addWidget(QLabel("Stream into:"))
        lay.addWidget(self.stream_dataset, 1)
        lay.addWidget(self.use_button)
        self.run_page.results_layout.addWidget(row)

    def _use_in_editor(self) -> None:
        target = self.stream_dataset.currentData()
        name = self.target_page.profile.currentText()

        def show_editor() -> None:
            window = self.parentWidget()
            if hasattr(window, "show_page"):
                window.show_page("editor")
            self.ctx.navigate.emit("editor")
            self.run_page.note.setText(f"The record editor now streams into \u201c{target.dataset_name}\u201d "
                                       f"with profile \u201c{name}\u201d.")

        self.run_page.note.setText(f"Switching to profile \u201c{name}\u201d…")
        self.controller.use_in_editor(name, target, show_editor)

    @property
    def state(self) -> str:
        return self.run_page.state

    def step_texts(self) -> list[str]:
        return [self.run_page.steps.item(i).text() for i in range(self.run_page.steps.count())]

    def reject(self) -> None:
        """Cancel while applying: undo first, close when the rollback has finished."""
        if self.controller.running:
            self._closing = True
            self.run_page.add_step("Cancelling: undoing what was created…", "info")
            self.controller.cancel()
            return
        self.controller.close()
        super().reject()

    def accept(self) -> None:
        self.controller.close()
        super().accept()
