"""A read-only value with a Copy button (ids, inlet URLs, curl commands)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QWidget


class CopyField(QWidget):
    copied = Signal(str)

    def __init__(self, label: str, value: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = label
        self.edit = QLineEdit(value, self)
        self.edit.setReadOnly(True)
        self.edit.setAccessibleName(label)
        self.edit.setToolTip(f"{label} (read only; select and copy, or use the Copy button)")
        self.edit.setCursorPosition(0)
        self.button = QPushButton("Copy", self)
        self.button.setAccessibleName(f"Copy {label}")
        self.button.setToolTip(f"Copy {label} to the clipboard")
        self.button.clicked.connect(self.copy)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.edit, 1)
        lay.addWidget(self.button)

    def value(self) -> str:
        return self.edit.text()

    def set_value(self, value: str) -> None:
        self.edit.setText(value)
        self.edit.setCursorPosition(0)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.edit.text())
        self.copied.emit(self.edit.text())
