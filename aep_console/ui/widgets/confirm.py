"""A window-modal question before something that loses work (quit during a send, discard a wizard)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget


def ask_before(parent: QWidget, *, name: str, icon: QMessageBox.Icon, title: str, text: str, go: str, stay: str,
               on_go: Callable[[], None]) -> QMessageBox:
    """Open (not exec) a question whose default is ``stay``; ``on_go`` runs when ``go`` is clicked.
    ``name`` is the box's object name (tests and accessibility find it by that)."""
    box = QMessageBox(icon, title, text, parent=parent)
    box.setObjectName(name)
    go_button = box.addButton(go, QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(box.addButton(stay, QMessageBox.ButtonRole.RejectRole))
    box.buttonClicked.connect(lambda button: on_go() if button is go_button else None)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
