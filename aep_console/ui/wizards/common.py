"""What the three set-up wizards share: a review page listing the calls that will be made,
and a run page that shows each step as it happens, then the created ids with Copy buttons.

Cancel (while running, or the wizard's Cancel button) and failure undo what was created:
the controller cancels the task and the set-up service rolls back; the run page lists what
was undone. Wizards never await anything: they ask the SetupController and listen.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ..widgets.banner import Banner
from ..widgets.confirm import ask_before
from ..widgets.copy_field import CopyField


class ReviewPage(QWizardPage):
    """Lists the calls the wizard will make; the Create button starts them."""

    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("Review the calls")
        self.setSubTitle("These requests will be sent, in this order. Cancel or a failure undoes what was created.")
        self.calls = QListWidget()
        self.calls.setAccessibleName("Planned calls")
        self.calls.setToolTip("Each request the wizard will send")
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(self.calls, 1)
        lay.addWidget(self.notes)
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Create")

    def validatePage(self) -> bool:
        """A production profile asks before anything is created."""
        ctx = self._wizard.ctx
        if not ctx.is_production:
            return True
        name = getattr(ctx.profile, "name", "?")
        answer = QMessageBox.warning(
            self, "Create in production?",
            f"Profile \u201c{name}\u201d is a PRODUCTION profile.\n\nThe calls listed will create resources "
            "in its production sandbox.\n\nCreate them?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def initializePage(self) -> None:
        self.calls.clear()
        for call in self._wizard.planned_calls():
            self.calls.addItem(call)
        self.notes.setText(self._wizard.review_notes())


class RunPage(QWizardPage):
    """Runs the set-up; lists steps and, at the end, the created ids with Copy buttons."""

    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("Creating")
        self.steps = QListWidget()
        self.steps.setAccessibleName("Steps")
        self.steps.setToolTip("Each request as it is made, and what was undone on failure")
        self.steps.setWordWrap(True)
        self._rows: dict[int, QListWidgetItem] = {}
        self.banner = Banner("info", "")
        self.results = QWidget()
        self.results_layout = QVBoxLayout(self.results)
        self.results_layout.setContentsMargins(0, 0, 0, 0)
        self.note = QLabel()
        self.note.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(self.steps, 1)
        lay.addWidget(self.banner)
        lay.addWidget(self.results)
        lay.addWidget(self.note)
        self.fields: dict[str, CopyField] = {}
        self.state = "idle"  # idle | running | done | failed | cancelled

    def initializePage(self) -> None:
        self.steps.clear()
        self._rows.clear()
        self.setTitle("Creating")
        self.fields.clear()
        while self.results_layout.count():
            w = self.results_layout.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self.state = "running"
        self.banner.set_message("info", "Working…")
        self._wizard.start_run()

    def isComplete(self) -> bool:
        return self.state == "done"

    def add_step(self, text: str, kind: str = "ok", index: int | None = None) -> None:
        """A line per step (``index``), updated as the step runs, is undone, …; or a free line."""
        mark = {"ok": "✓", "undo": "↶", "error": "✗", "info": "…"}.get(kind, "•")
        item = self._rows.get(index) if index is not None else None
        if item is None:
            item = QListWidgetItem()
            self.steps.addItem(item)
            if index is not None:
                self._rows[index] = item
        item.setText(f"{mark} {text}")
        colour = {"ok": "#2e7d32", "error": "#c62828", "undo": "#b26a00"}.get(kind)
        if colour:
            item.setForeground(QColor(colour))
        self.steps.scrollToItem(item)

    def finish(self, state: str, message: str, created: list[tuple[str, str]] | None = None, note: str = "") -> None:
        self.state = state
        self.setTitle({"done": "Created", "failed": "Failed: undone", "cancelled": "Cancelled: undone"}[state])
        kind = {"done": "success", "failed": "error", "cancelled": "warning"}[state]
        self.banner.set_message(kind, message)
        for label, value in created or []:
            field = CopyField(label, value)
            self.fields[label] = field
            self.results_layout.addWidget(QLabel(label + ":"))
            self.results_layout.addWidget(field)
        self.note.setText(note)
        self.completeChanged.emit()
        cancel = self._wizard.button(QWizard.WizardButton.CancelButton)
        if state == "done":
            cancel.hide()  # nothing left to cancel: Finish closes
        else:
            cancel.setText("Close")


class SetupWizard(QWizard):
    """Subclasses add their pages, then call ``add_review_and_run()``, and implement
    ``planned_calls()``, ``review_notes()`` and ``make_job()`` (returns the coroutine factory
    handed to the SetupController)."""

    job_name = "setup"

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from ..controllers.setup import SetupController

        self.ctx = ctx
        self.controller = SetupController(ctx, self)
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, False)
        self.setMinimumSize(760, 560)
        self.controller.step_at.connect(lambda i, text, kind: self.run_page.add_step(text, kind, i))
        self.controller.finished.connect(self._finished)
        self.created: dict[str, str] = {}
        self.edited = False  # the user typed, picked or ticked something (Esc then asks first)
        self._watched = False
        self._discard_confirmed = False

    def add_review_and_run(self) -> None:
        self.review_page = ReviewPage(self)
        self.run_page = RunPage(self)
        self.addPage(self.review_page)
        self.addPage(self.run_page)

    # --- to implement --------------------------------------------------------------------------
    def planned_calls(self) -> list[str]:
        raise NotImplementedError

    def review_notes(self) -> str:
        return ""

    def make_job(self):
        """Return an async callable ``job(session, report) -> dict[str, str]`` of created ids."""
        raise NotImplementedError

    def created_fields(self, created: dict) -> list[tuple[str, str]]:
        return [(k, str(v)) for k, v in created.items()]

    def success_note(self, created: dict) -> str:
        return ""

    def on_success(self, created: dict) -> None:
        """Hook: e.g. point the record editor's target at what was created."""

    # --- run -----------------------------------------------------------------------------------
    def start_run(self) -> None:
        self.controller.run(self.job_name, self.make_job())

    def _finished(self, state: str, message: str, created: dict) -> None:
        if state == "done":
            self.created = dict(created)
            self.run_page.finish("done", message, self.created_fields(created), self.success_note(created))
            self.on_success(created)
        else:
            self.run_page.finish(state, message)
            if getattr(self, "_closing", False):
                super().reject()

    def reject(self) -> None:
        """Cancel while running: undo first (the controller cancels; the service rolls back),
        close when the rollback has finished. Before anything runs, Esc (or Cancel, or the close
        button) asks before it throws away what was entered."""
        if self.controller.running:
            self._closing = True
            self.run_page.add_step("Cancelling: undoing what was created…", "info")
            self.controller.cancel()
            return
        if self.edited and self.state == "idle" and not self._discard_confirmed:
            self._ask_discard()
            return
        super().reject()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._watched:
            self._watched = True
            self._watch_inputs()

    def _watch_inputs(self) -> None:
        """Mark the wizard edited on the user's own changes (signals that programmatic fills do not send)."""
        from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QListWidget, QPlainTextEdit

        mine = {self.button(b) for b in (QWizard.WizardButton.NextButton, QWizard.WizardButton.BackButton,
                                         QWizard.WizardButton.CancelButton, QWizard.WizardButton.FinishButton,
                                         QWizard.WizardButton.CommitButton, QWizard.WizardButton.HelpButton)}

        def mark(*_args) -> None:
            self.edited = True

        for w in self.findChildren(QLineEdit):
            w.textEdited.connect(mark)
        for w in self.findChildren(QPlainTextEdit):
            if not w.isReadOnly():
                w.textChanged.connect(mark)
        for w in self.findChildren(QComboBox):
            w.activated.connect(mark)
        for w in self.findChildren(QListWidget):
            w.itemChanged.connect(mark)
        for w in self.findChildren(QAbstractButton):
            if w not in mine and not isinstance(w.parent(), QWizard):
                w.clicked.connect(mark)

    def _ask_discard(self) -> None:
        def discard() -> None:
            self._discard_confirmed = True
            self.reject()

        ask_before(self, name="DiscardQuestion", icon=QMessageBox.Icon.Question, title="Discard this wizard?",
                   text="What you entered in this wizard will be lost. Nothing has been created yet.",
                   go="&Discard", stay="&Keep editing", on_go=discard)

    @property
    def state(self) -> str:
        return self.run_page.state

    def step_texts(self) -> list[str]:
        return [self.run_page.steps.item(i).text() for i in range(self.run_page.steps.count())]


def note_label(text: str, kind: str = "warning") -> Banner:
    b = Banner(kind, text)
    b.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return b
