"""The in-app log viewer, fed by Python logging through a thread-safe Qt signal."""

from __future__ import annotations

import contextlib
import logging
from collections import deque

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


def log_file():
    from ..logging_setup import (
        log_file,  # (logging_setup loads the file handlers: not before the first paint)
    )

    return log_file()


def _open_log_folder() -> None:
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_file().parent)))


class QtLogHandler(logging.Handler):
    """Forwards formatted records to the GUI thread (queued signal: safe from any thread), and keeps
    the last ``LogView.MAX_LINES`` for a viewer built later (the log dock is built on first show)."""

    class _Emitter(QObject):
        record = Signal(int, str)

    def __init__(self) -> None:
        super().__init__()
        self.emitter = self._Emitter()
        self.lines: deque[tuple[int, str]] = deque(maxlen=LogView.MAX_LINES)

    def emit(self, record: logging.LogRecord) -> None:
        line = self.format(record)
        self.lines.append((record.levelno, line))
        with contextlib.suppress(RuntimeError):  # the emitter was deleted at shutdown
            self.emitter.record.emit(record.levelno, line)


class LogView(QWidget):
    MAX_LINES = 5000

    def __init__(self, handler: QtLogHandler, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Application log")
        self._lines: list[tuple[int, str]] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Show:"))
        self.level = QComboBox()
        self.level.setAccessibleName("Minimum log level")
        self.level.setToolTip("Only show log lines at or above this level")
        for name in ("DEBUG", "INFO", "WARNING", "ERROR"):
            self.level.addItem(name, logging.getLevelName(name))
        self.level.setCurrentText("INFO")
        self.level.currentIndexChanged.connect(self._refilter)
        bar.addWidget(self.level)
        bar.addStretch(1)
        open_folder = QPushButton("Open log folder")
        open_folder.setToolTip("Open the folder of the log files")
        open_folder.clicked.connect(_open_log_folder)
        bar.addWidget(open_folder)
        clear = QPushButton("Clear")
        clear.setToolTip("Clear the lines shown here (the log file keeps them)")
        clear.clicked.connect(self._clear)
        bar.addWidget(clear)
        layout.addLayout(bar)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setMaximumBlockCount(self.MAX_LINES)
        from PySide6.QtGui import QFontDatabase  # (the log view is built on first show)

        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setAccessibleName("Log lines")
        layout.addWidget(self.text)
        handler.emitter.record.connect(self.append)
        for level, line in list(handler.lines):  # what was logged before this view was built
            self.append(level, line)

    def min_level(self) -> int:
        return int(self.level.currentData())

    def append(self, level: int, line: str) -> None:
        self._lines.append((level, line))
        if len(self._lines) > self.MAX_LINES:
            del self._lines[: len(self._lines) - self.MAX_LINES]
        if level >= self.min_level():
            self.text.appendPlainText(line)

    def _refilter(self) -> None:
        threshold = self.min_level()
        self.text.setPlainText("\n".join(line for level, line in self._lines if level >= threshold))

    def _clear(self) -> None:
        self._lines.clear()
        self.text.clear()
