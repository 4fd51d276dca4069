"""Small constructors for the controls every page builds the same way (tooltip and accessible name set)."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton


def button(text: str, tip: str, name: str | None = None) -> QPushButton:
    """A push button with its tooltip; its accessible name is ``name`` or its text without the mnemonic
    ``&`` and a trailing ``…``."""
    b = QPushButton(text)
    b.setToolTip(tip)
    b.setAccessibleName(name or text.replace("&", "").replace("…", ""))
    return b
