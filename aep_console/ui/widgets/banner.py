"""Coloured message banners: the production warning, errors, hints."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

_STYLES = {
    "production": ("#b00020", "#ffffff"),
    "error": ("#fde7e9", "#8a1020"),
    "warning": ("#fff4ce", "#5c4400"),
    "info": ("#e5f1fb", "#0b3a63"),
    "success": ("#dff6dd", "#0e4a0b"),
}


class Banner(QLabel):
    def __init__(self, kind: str = "info", text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.set_message(kind, text)

    def set_message(self, kind: str, text: str, tip: str = "") -> None:
        """Show ``text`` styled as ``kind``; ``tip`` (the ids behind the names, say) is its tooltip."""
        self.kind = kind
        bg, fg = _STYLES[kind]
        weight = "bold" if kind == "production" else "normal"
        self.setStyleSheet(
            f"QLabel {{ background: {bg}; color: {fg}; padding: 6px 10px; border-radius: 4px; font-weight: {weight}; }}"
        )
        self.setText(text)
        self.setToolTip(tip)
        self.setAccessibleName(f"{kind} message")
        self.setVisible(bool(text))
