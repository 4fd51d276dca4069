"""Helpers of the GUI tests: wait for the qasync loop without nesting Qt loops."""

from __future__ import annotations

import asyncio
import time
import uuid


async def until(predicate, timeout: float = 15.0, what: str = "condition", interval: float = 0.02):
    """Poll ``predicate`` while the qasync loop runs other tasks; fail with ``what`` on time-out."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(interval)


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


# --- acting as a user: input events only ---------------------------------------------------------

def click(qtbot, widget) -> None:
    """A left click on an enabled button (or any widget)."""
    from PySide6.QtCore import Qt

    assert widget.isEnabled(), f"{getattr(widget, 'text', lambda: widget)()} is disabled"
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def type_into(qtbot, widget, text: str, *, replace: bool = True) -> None:
    """Focus ``widget``, select what it holds (Ctrl+A) and type ``text``, key by key."""
    from PySide6.QtCore import Qt

    widget.setFocus()
    if replace:
        qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(widget, Qt.Key.Key_Delete)
    qtbot.keyClicks(widget, text)


def paste_into(qtbot, widget, text: str) -> None:
    """Replace what ``widget`` holds with ``text`` as a user would: clipboard, Ctrl+A, Ctrl+V."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    QApplication.clipboard().setText(text)
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(widget, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


def choose(qtbot, combo, text_part: str) -> None:
    """Pick the combo item whose text contains ``text_part`` with the keyboard (Home, then Down)."""
    from PySide6.QtCore import Qt

    texts = [combo.itemText(i) for i in range(combo.count())]
    matches = [i for i, t in enumerate(texts) if text_part in t]
    assert matches, f"no item like {text_part!r} in {texts}"
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(matches[0]):
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert text_part in combo.currentText(), (combo.currentText(), texts)


def click_row(qtbot, table, row: int, column: int = 0) -> None:
    """A click on a table row (scrolled into view first, as a user would)."""
    from PySide6.QtCore import Qt

    index = table.model().index(row, column)
    table.scrollTo(index)
    rect = table.visualRect(index)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def visible_box(name: str):
    """The visible message box called ``name`` (a question the window opened), or None."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    for w in QApplication.topLevelWidgets():
        if isinstance(w, QMessageBox) and w.objectName() == name and w.isVisible():
            return w
    return None


def box_button(box, text_part: str):
    for b in box.buttons():
        if text_part in b.text().replace("&", ""):
            return b
    raise AssertionError(f"no button like {text_part!r} in {[b.text() for b in box.buttons()]}")


def open_page(qtbot, window, title: str):
    """A click on the sidebar entry called ``title``; the page now shown."""
    from PySide6.QtCore import Qt

    nav = window.nav
    row = next((i for i in range(nav.count()) if nav.item(i).text() == title), None)
    assert row is not None, f"no page {title!r} in the sidebar"
    rect = nav.visualItemRect(nav.item(row))
    qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    return window.stack.currentWidget()


def click_list_row(qtbot, view, row: int) -> None:
    """A click on row ``row`` of a list widget."""
    from PySide6.QtCore import Qt

    item = view.item(row)
    view.scrollToItem(item)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualItemRect(item).center())


def tick(qtbot, button) -> None:
    """A click on a check box's or radio button's indicator (its centre may be empty space)."""
    from PySide6.QtCore import QPoint, Qt

    assert button.isEnabled(), f"{button.text()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))
