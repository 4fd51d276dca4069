"""Helpers of the GUI tests: wait for the qasync loop without nesting Qt loops."""

from __future__ import annotations

import asyncio
import time
import uuid


async def until(predicate, timeout: float = 15.0, what: str = "condition", interval: float = 0.02, shown=None):
    """Poll ``predicate`` while the qasync loop runs other tasks; fail with ``what`` on time-out, and with
    what the screen showed then (``shown()``, e.g. :func:`bulk_shown`)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            seen = f"; the screen showed: {shown()}" if shown is not None else ""
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}{seen}")
        await asyncio.sleep(interval)


def bulk_shown(page) -> str:
    """What the record editor shows about sending: its banners, the bulk panel's figures and buttons."""
    b = page.bulk
    return (f"send banner {page.result_banner.text()!r}, bulk banner {b.banner.text()!r}, figures {b.stats.text()!r}, "
            f"Send all {'enabled' if b.send_all.isEnabled() else 'disabled'}")


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


def visible_dialog(title: str):
    """The dialog with this title that is on screen (None if there is none)."""
    from PySide6.QtWidgets import QApplication, QDialog

    return next((w for w in QApplication.topLevelWidgets()
                 if isinstance(w, QDialog) and w.isVisible() and w.windowTitle() == title), None)


def press_button(qtbot, dialog, text: str) -> None:
    """A click on the dialog's button labelled ``text`` (mnemonic ``&`` ignored)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    button = next(b for b in dialog.findChildren(QPushButton) if b.text().replace("&", "") == text)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def dcs_received(sandbox, inlet: str) -> list[dict]:
    """The streaming requests the sandbox received for ``inlet`` (its loopback-only admin log)."""
    import httpx

    return httpx.get(f"{sandbox.urls.base}/__sandbox/admin/dcs/requests", params={"inletId": inlet},
                     timeout=10).json()["requests"]


def click_later(qtbot, widget) -> None:
    """A click that the event loop delivers just after the test's current step, as a person's click
    arrives. For a button that opens a modal (``exec``) dialog: its nested event loop then runs the
    test on, which answers the dialog (``await until(lambda: visible_dialog(title))``, then a click).
    A click made inside the test's step would start that nested loop inside the test's own task, in
    which no asyncio task, the test included, can run."""
    from PySide6.QtCore import QTimer

    assert widget.isEnabled(), f"{getattr(widget, 'text', lambda: widget)()} is disabled"
    QTimer.singleShot(0, widget, lambda: click(qtbot, widget))


async def closed(dialog, what: str = "the dialog") -> None:
    """Wait until a modal dialog opened with ``exec`` (a static QMessageBox or QFileDialog function)
    is gone: deleted once its event loop returned, so the code that opened it has run on."""
    from shiboken6 import isValid

    await until(lambda: not isValid(dialog), 5, f"{what} to close")


async def answer_modal(qtbot, title: str, button: str) -> str:
    """Wait for the modal message box called ``title`` (opened by a click_later), click ``button``
    and wait until what the answer leads to has run; the box's text."""
    box = await until(lambda: visible_dialog(title), 5, f"the {title!r} dialog")
    text = box.text()
    click(qtbot, box_button(box, button))
    await closed(box, f"the {title!r} dialog")
    return text


async def open_file(qtbot, button, title: str, path) -> None:
    """A click on ``button``, then in the file dialog called ``title`` that it opens: ``path`` typed
    into the file name field, Enter; waits until what opening the file does has run."""
    click_later(qtbot, button)
    dialog = await until(lambda: visible_dialog(title), 5, f"the {title!r} file dialog")
    pick_file(qtbot, dialog, str(path))
    await closed(dialog, f"the {title!r} file dialog")


def pick_file(qtbot, dialog, path: str) -> None:
    """In an open Qt file dialog: type ``path`` into its file name field and press Enter."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLineEdit

    name = dialog.findChild(QLineEdit, "fileNameEdit")
    assert name is not None and name.isVisible(), "the file dialog has no file name field"
    type_into(qtbot, name, path)
    qtbot.keyClick(name, Qt.Key.Key_Return)


def cell(table, row: int, column: int) -> str:
    """The text a table shows in a cell."""
    value = table.model().index(row, column).data()
    return "" if value is None else str(value)


def click_tab(qtbot, tabs, title: str) -> None:
    """A click on the tab whose label starts with ``title`` (mnemonic ``&`` ignored) of a QTabWidget."""
    from PySide6.QtCore import Qt

    bar = tabs.tabBar()
    texts = [bar.tabText(i).replace("&", "") for i in range(bar.count())]
    index = next((i for i, t in enumerate(texts) if t.startswith(title)), None)
    assert index is not None, f"no tab like {title!r} in {texts}"
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())


def postman_environment(sandbox, path, name: str):
    """A Postman environment file (as the tutorial's collection uses) pointing at ``sandbox``; its path."""
    import json

    values = {"IMS_ORG": sandbox.credentials.org_id, "API_KEY": sandbox.credentials.client_id,
              "CLIENT_SECRET": sandbox.credentials.client_secret, "SANDBOX_NAME": "dev", "IMS": sandbox.urls.ims,
              "PLATFORM_GATEWAY": sandbox.urls.platform, "DCS_HOST": sandbox.urls.streaming}
    path.write_text(json.dumps({"name": name, "values": [{"key": k, "value": v} for k, v in values.items()]}))
    return path
