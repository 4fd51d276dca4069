"""The crash dialog: any uncaught exception, from a slot (``sys.excepthook``) or from a coroutine
on the qasync loop (the loop's exception handler and the TaskRunner), becomes a dialog with the
traceback, the app/Qt/Python/OS versions and a Copy button. Text passes the secret redactor."""

from __future__ import annotations

import asyncio
import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..logging_setup import REDACTOR, log_file
from .about import version_text

log = logging.getLogger(__name__)


def crash_text(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> str:
    trace = "".join(traceback.format_exception(exc_type, exc, tb))
    return REDACTOR.redact(f"{trace}\n--- versions ---\n{version_text()}\n")


class CrashDialog(QDialog):
    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Unexpected error")
        self.setAccessibleName("Crash report")
        self.resize(760, 480)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Something went wrong that the console did not expect. Your data is safe; the action "
            f"that failed may not have finished. The details below are also in the log file:\n{log_file()}"
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.details = QPlainTextEdit(text)
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Crash details")
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        layout.addWidget(self.details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("&Copy details")
        self.copy_button.setToolTip("Copy the traceback and versions to the clipboard")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def append(self, text: str) -> None:
        self.details.appendPlainText("\n" + "=" * 60 + "\n" + text)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())


class CrashReporter(QObject):
    """Installs itself as ``sys.excepthook`` and as the asyncio loop's exception handler."""

    crashed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dialog: CrashDialog | None = None
        self._previous_hook = None
        self.parent_widget: QWidget | None = None

    def install(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._previous_hook = sys.excepthook
        sys.excepthook = self.excepthook
        if loop is not None:
            loop.set_exception_handler(self.loop_exception_handler)

    def uninstall(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        if self._previous_hook is not None:
            sys.excepthook = self._previous_hook
            self._previous_hook = None
        if loop is not None:
            loop.set_exception_handler(None)

    def excepthook(self, exc_type, exc, tb) -> None:
        if issubclass(exc_type, (KeyboardInterrupt, asyncio.CancelledError)):
            return
        self.report(exc_type, exc, tb)

    def loop_exception_handler(self, loop, context: dict) -> None:
        exc = context.get("exception")
        if isinstance(exc, asyncio.CancelledError):
            return
        if exc is None:
            log.warning("asyncio: %s", context.get("message"))
            return
        self.report(type(exc), exc, exc.__traceback__)

    def report_exception(self, exc: BaseException) -> None:
        if isinstance(exc, asyncio.CancelledError):
            return
        self.report(type(exc), exc, exc.__traceback__)

    def report(self, exc_type, exc, tb) -> None:
        text = crash_text(exc_type, exc, tb)
        log.error("uncaught exception\n%s", text)
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.append(text)
        else:
            self.dialog = CrashDialog(text, self.parent_widget)
            self.dialog.show()
            self.dialog.raise_()
        self.crashed.emit(text)
