"""The live validation list: one row per problem, with its JSON path; activating a row
(click, Enter) asks the editor to jump there."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

PATH_ROLE = Qt.ItemDataRole.UserRole + 1
FIX_ROLE = Qt.ItemDataRole.UserRole + 3


class ValidationList(QListWidget):
    jump_requested = Signal(str)  # a JSON pointer or JSON path

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Validation problems")
        self.setToolTip("Problems found in the record; press Enter or click one to jump to it in the editor")
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)
        self.itemActivated.connect(self._activated)
        self.itemClicked.connect(self._activated)

    def _activated(self, item: QListWidgetItem) -> None:
        path = item.data(PATH_ROLE)
        if path:
            self.jump_requested.emit(path)

    def show_ok(self, text: str) -> None:
        self.clear()
        item = QListWidgetItem(f"✓ {text}")
        item.setForeground(QColor("#2e7d32"))
        self.addItem(item)

    def show_info(self, text: str) -> None:
        self.clear()
        self.addItem(QListWidgetItem(text))

    def show_parse_error(self, problem) -> None:
        self.clear()
        item = QListWidgetItem(f"✗ Not valid JSON, {problem}")
        item.setForeground(QColor("#c62828"))
        item.setData(PATH_ROLE, "")
        item.setData(Qt.ItemDataRole.UserRole + 2, (problem.line, problem.column))
        self.addItem(item)

    def show_violations(self, violations: list, fixes: list | None = None) -> None:
        """``violations``: objects with ``json_path``, ``pointer`` and ``message``; ``fixes``: the
        xdm.fixes.Fix (or None) of each."""
        self.clear()
        for i, v in enumerate(violations):
            path = getattr(v, "json_path", "") or getattr(v, "pointer", "")
            fix = fixes[i] if fixes and i < len(fixes) else None
            item = QListWidgetItem(f"✗ {path}: {v.message}" + ("   [fix available]" if fix else ""))
            item.setForeground(QColor("#c62828"))
            item.setData(PATH_ROLE, getattr(v, "pointer", "") or path)
            item.setData(FIX_ROLE, fix)
            item.setToolTip(f"{v.message}\nJSON path {path}\nPress Enter to jump to it"
                            + (f"\nFix: {fix.label}" if fix else ""))
            self.addItem(item)
        if self.count():
            self.setCurrentRow(0)

    def fixes(self) -> list:
        return [f for f in (self.item(i).data(FIX_ROLE) for i in range(self.count())) if f is not None]

    def current_fix(self):
        item = self.currentItem()
        return item.data(FIX_ROLE) if item is not None else None

    def problems(self) -> list[str]:
        return [self.item(i).text() for i in range(self.count())]


class FixBar(QWidget):
    """The fix next to the error: "Fix: …" for the selected problem, "Fix all (N)"."""

    fix_requested = Signal(object)  # a list of xdm.fixes.Fix

    def __init__(self, problems: ValidationList, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.problems = problems
        self.fix_btn = QPushButton("Fix")
        self.fix_btn.setAccessibleName("Fix the selected problem")
        self.fix_all_btn = QPushButton("Fix all")
        self.fix_all_btn.setAccessibleName("Fix every problem that can be fixed")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.fix_btn, 1)
        lay.addWidget(self.fix_all_btn)
        self.fix_btn.clicked.connect(lambda: self.problems.current_fix() and
                                     self.fix_requested.emit([self.problems.current_fix()]))
        self.fix_all_btn.clicked.connect(lambda: self.fix_requested.emit(self.problems.fixes()))
        problems.currentItemChanged.connect(lambda *_: self.refresh())
        problems.model().modelReset.connect(self.refresh)
        problems.model().rowsInserted.connect(self.refresh)
        problems.model().rowsRemoved.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        from shiboken6 import isValid

        if not (isValid(self) and isValid(self.problems)):
            return  # (the list empties itself as it is destroyed)
        fix = self.problems.current_fix()
        self.fix_btn.setText(f"Fix: {fix.label}" if fix else "Fix")
        self.fix_btn.setToolTip(fix.label if fix else "Select a problem that can be fixed")
        self.fix_btn.setEnabled(fix is not None)
        n = len(self.problems.fixes())
        self.fix_all_btn.setText(f"Fix all ({n})")
        self.fix_all_btn.setEnabled(n > 1)
        self.setVisible(n > 0)


def validation_pane(problems: ValidationList, bar: FixBar) -> QWidget:
    pane = QWidget()
    lay = QVBoxLayout(pane)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.addWidget(problems, 1)
    lay.addWidget(bar)
    return pane
