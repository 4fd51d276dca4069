"""The live validation list: one row per problem, with its JSON path; activating a row
(click, Enter) asks the editor to jump there."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

PATH_ROLE = Qt.ItemDataRole.UserRole + 1


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

    def show_violations(self, violations: list) -> None:
        """``violations``: objects with ``json_path``, ``pointer`` and ``message``."""
        self.clear()
        for v in violations:
            path = getattr(v, "json_path", "") or getattr(v, "pointer", "")
            item = QListWidgetItem(f"✗ {path}: {v.message}")
            item.setForeground(QColor("#c62828"))
            item.setData(PATH_ROLE, getattr(v, "pointer", "") or path)
            item.setToolTip(f"{v.message}\nJSON path {path}\nPress Enter to jump to it")
            self.addItem(item)

    def problems(self) -> list[str]:
        return [self.item(i).text() for i in range(self.count())]
