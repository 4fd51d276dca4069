"""The first pages of the Promote wizard (``promote_wizard.py``): the source (a connection profile
or a bundle file), what to copy from it, and the target profile."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

if TYPE_CHECKING:
    from .promote_wizard import PromoteWizard

SOURCE, SELECTION, TARGET, PLAN, APPLY = range(5)


def _labelled(text: str, widget: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(widget)
    return label


class SourcePage(QWizardPage):
    def __init__(self, wizard: PromoteWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("Source")
        self.setSubTitle("Where the set-up is designed: a connection profile (the local sandbox included), "
                         "or a bundle file exported earlier.")
        self.from_profile = QRadioButton("From a connection &profile")
        self.from_profile.setChecked(True)
        self.profile = QComboBox()
        self.profile.setAccessibleName("Source profile")
        self.from_bundle = QRadioButton("From a &bundle file")
        self.bundle_path = QLineEdit()
        self.bundle_path.setAccessibleName("Bundle file")
        self.bundle_path.setPlaceholderText("path/to/set-up.aep-bundle.json")
        self.browse = QPushButton("B&rowse…")
        self.browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.bundle_path, 1)
        row.addWidget(self.browse)
        form = QFormLayout()
        form.addRow(self.from_profile)
        form.addRow(_labelled("Pro&file", self.profile), self.profile)
        form.addRow(self.from_bundle)
        form.addRow(_labelled("F&ile", self.bundle_path), row)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addStretch(1)
        for w in (self.from_profile, self.from_bundle):
            w.toggled.connect(self._mode_changed)
        self.bundle_path.textChanged.connect(self.completeChanged)
        self.bundle_path.textChanged.connect(lambda t: t and self.from_bundle.setChecked(True))

    def initializePage(self) -> None:
        if self.profile.count() == 0:
            names = self._wizard.ctx.profiles.names()
            self.profile.addItems(names)
            active = getattr(self._wizard.ctx.profile, "name", None)
            if active in names:
                self.profile.setCurrentText(active)
        self._mode_changed()

    def _mode_changed(self, *_a) -> None:
        self.profile.setEnabled(self.from_profile.isChecked())
        self.completeChanged.emit()

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a set-up bundle", "", "Set-up bundles (*.json)")
        if path:
            self.bundle_path.setText(path)

    def isComplete(self) -> bool:
        if self.from_bundle.isChecked():
            return bool(self.bundle_path.text().strip())
        return bool(self.profile.currentText())

    def nextId(self) -> int:
        return TARGET if self.from_bundle.isChecked() else SELECTION


class SelectionPage(QWizardPage):
    def __init__(self, wizard: PromoteWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("What to copy")
        self.setSubTitle("Check datasets, schemas or streaming connections. What they depend on comes along: "
                         "field groups, data types, descriptors, identity namespaces, dataflows.")
        self.filter = QLineEdit()
        self.filter.setAccessibleName("Filter")
        self.filter.setPlaceholderText("Filter by name")
        self.filter.setClearButtonEnabled(True)
        self.items = QListWidget()
        self.items.setAccessibleName("Resources of the source")
        self.check_shown = QPushButton("&Check shown")
        self.uncheck = QPushButton("&Uncheck all")
        self.status = QLabel()
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.check_shown)
        buttons.addWidget(self.uncheck)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addWidget(_labelled("&Filter", self.filter))
        lay.addWidget(self.filter)
        lay.addWidget(self.items, 1)
        lay.addLayout(buttons)
        lay.addWidget(self.status)
        self.filter.textChanged.connect(self._apply_filter)
        self.check_shown.clicked.connect(lambda: self._check(True, shown_only=True))
        self.uncheck.clicked.connect(lambda: self._check(False, shown_only=False))
        self.items.itemChanged.connect(lambda _i: self.completeChanged.emit())
        wizard.controller.listed.connect(self.set_rows)
        wizard.controller.failed.connect(self._failed)
        self._source = ""

    def initializePage(self) -> None:
        source = self._wizard.source_page.profile.currentText()
        if source != self._source:
            self._source = source
            self.items.clear()
            self.status.setText(f"Listing what \u201c{source}\u201d has…")
            self._wizard.controller.list_source(source)

    def _failed(self, message: str) -> None:
        if self._wizard.currentPage() is self:
            self.status.setText(f"Could not list the source: {message}")
            self._source = ""  # Back and Next again retries

    def set_rows(self, rows: dict) -> None:
        self.items.clear()
        entries = [("dataset", "Dataset", d["id"], d["name"]) for d in rows.get("datasets", [])]
        entries += [("schema", "Schema", s["id"], s["title"]) for s in rows.get("schemas", [])]
        entries += [("connection", "Connection", c["base_id"], c["name"]) for c in rows.get("connections", [])]
        for kind, label, rid, name in entries:
            item = QListWidgetItem(f"{label}: {name}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole, (kind, rid))
            item.setToolTip(rid)
            self.items.addItem(item)
        self.status.setText(f"{len(entries)} resources." if entries else "The source has nothing to copy yet.")
        self._apply_filter(self.filter.text())

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().lower()
        for i in range(self.items.count()):
            item = self.items.item(i)
            item.setHidden(bool(needle) and needle not in item.text().lower())

    def _check(self, on: bool, *, shown_only: bool) -> None:
        state = Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        for i in range(self.items.count()):
            item = self.items.item(i)
            if not (shown_only and item.isHidden()):
                item.setCheckState(state)

    def selection(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {"datasets": [], "schemas": [], "connections": []}
        for i in range(self.items.count()):
            item = self.items.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                kind, rid = item.data(Qt.ItemDataRole.UserRole)
                out[f"{kind}s"].append(rid)
        return out

    def isComplete(self) -> bool:
        return any(self.selection().values())


class TargetPage(QWizardPage):
    def __init__(self, wizard: PromoteWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("Target")
        self.setSubTitle("Where the set-up goes: another sandbox or org. Nothing is written there before "
                         "you accept the plan on the next page.")
        self.profile = QComboBox()
        self.profile.setAccessibleName("Target profile")
        form = QFormLayout(self)
        form.addRow(_labelled("&To profile", self.profile), self.profile)

    def initializePage(self) -> None:
        src = self._wizard.source_page
        source = None if src.from_bundle.isChecked() else src.profile.currentText()
        current = self.profile.currentText()
        self.profile.clear()
        self.profile.addItems([n for n in self._wizard.ctx.profiles.names() if n != source])
        if current:
            self.profile.setCurrentText(current)

    def isComplete(self) -> bool:
        return bool(self.profile.currentText())
