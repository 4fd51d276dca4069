"""A JSON editor: QPlainTextEdit with syntax highlighting, a line-number gutter,
format/minify, located parse errors and jumping to a JSON path. No I/O, no async."""

from __future__ import annotations

import json
import re

from PySide6.QtCore import QRect, QRegularExpression, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QPainter,
    QPalette,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from ..models.json_locate import ParseProblem, locate, parse


def _is_dark(widget: QWidget) -> bool:
    return widget.palette().color(QPalette.ColorRole.Base).lightness() < 128


class JsonHighlighter(QSyntaxHighlighter):
    """Keys, strings, numbers, literals and punctuation, in colours that suit the palette."""

    # one left-to-right scan, so a quote inside a string never starts a new token
    _TOKEN = QRegularExpression(
        r'("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|\b(true|false|null)\b|([{}\[\],:])'
    )

    def __init__(self, document, dark: bool = False) -> None:
        super().__init__(document)
        self.set_dark(dark)

    def set_dark(self, dark: bool) -> None:
        colours = (
            {"key": "#9cdcfe", "string": "#ce9178", "number": "#b5cea8", "literal": "#569cd6", "punct": "#d4d4d4"}
            if dark
            else {"key": "#0451a5", "string": "#a31515", "number": "#098658", "literal": "#0000ff", "punct": "#444444"}
        )
        self._formats = {}
        for kind, colour in colours.items():
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(colour))
            if kind == "key":
                fmt.setFontWeight(QFont.Weight.DemiBold)
            self._formats[kind] = fmt
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        if len(text) > 20000:  # a minified megabyte: colouring it would stall typing
            return
        it = self._TOKEN.globalMatch(text)
        while it.hasNext():
            m = it.next()
            if m.capturedLength(1):
                kind = "key" if m.capturedLength(2) else "string"
                self.setFormat(m.capturedStart(1), m.capturedLength(1), self._formats[kind])
            elif m.capturedLength(3):
                self.setFormat(m.capturedStart(3), m.capturedLength(3), self._formats["number"])
            elif m.capturedLength(4):
                self.setFormat(m.capturedStart(4), m.capturedLength(4), self._formats["literal"])
            elif m.capturedLength(5):
                self.setFormat(m.capturedStart(5), m.capturedLength(5), self._formats["punct"])


class _Gutter(QWidget):
    def __init__(self, editor: JsonEditor) -> None:
        super().__init__(editor)
        self._editor = editor

    def sizeHint(self) -> QSize:
        return QSize(self._editor.gutter_width(), 0)

    def paintEvent(self, event) -> None:
        self._editor.paint_gutter(event)


class JsonEditor(QPlainTextEdit):
    """Emits ``parsed(object)`` with the parsed value, or ``parse_failed(ParseProblem)``,
    shortly after each edit (debounced), so the page can validate live."""

    parsed = Signal(object)
    parse_failed = Signal(object)
    submit = Signal()  # Ctrl+Enter

    def __init__(self, parent: QWidget | None = None, *, live_parse: bool = True) -> None:
        super().__init__(parent)
        self.live_parse = live_parse  # False: a viewer (headers + JSON), no parse-error marks
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSize(max(font.pointSize(), 10))
        self.setFont(font)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabChangesFocus(True)  # keyboard-only use: Tab leaves the editor
        self.setAccessibleName("JSON record editor")
        self.setToolTip("The record (XDM entity) to send, as JSON. Ctrl+Enter sends it.")
        self.setPlaceholderText('{\n  "_id": "…"\n}')
        self._gutter = _Gutter(self)
        self._highlighter = JsonHighlighter(self.document(), _is_dark(self))
        self._error_line: int | None = None
        self.blockCountChanged.connect(self._update_gutter_width)
        self.updateRequest.connect(self._update_gutter)
        self._update_gutter_width()
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self.reparse)
        if live_parse:
            self.textChanged.connect(self._debounce.start)
        self.last_problem: ParseProblem | None = None
        self.last_value: object | None = None

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and \
                event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            event.accept()
            self.submit.emit()
            return
        super().keyPressEvent(event)

    # --- gutter -------------------------------------------------------------------------------
    def gutter_width(self) -> int:
        digits = len(str(max(1, self.blockCount())))
        return 12 + self.fontMetrics().horizontalAdvance("9") * max(3, digits)

    def _update_gutter_width(self, *_: object) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _update_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        cr = self.contentsRect()
        self._gutter.setGeometry(QRect(cr.left(), cr.top(), self.gutter_width(), cr.height()))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange:
            self._highlighter.set_dark(_is_dark(self))

    def paint_gutter(self, event) -> None:
        painter = QPainter(self._gutter)
        pal = self.palette()
        painter.fillRect(event.rect(), pal.color(QPalette.ColorRole.AlternateBase))
        block = self.firstVisibleBlock()
        number = block.blockNumber()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        bottom = top + round(self.blockBoundingRect(block).height())
        h = self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible() and bottom >= event.rect().top():
                is_err = self._error_line == number + 1
                painter.setPen(QColor("#d03030") if is_err else pal.color(QPalette.ColorRole.PlaceholderText))
                painter.drawText(0, top, self._gutter.width() - 6, h, Qt.AlignmentFlag.AlignRight, str(number + 1))
            block = block.next()
            top = bottom
            bottom = top + round(self.blockBoundingRect(block).height())
            number += 1
        painter.end()

    # --- content ------------------------------------------------------------------------------
    def set_json(self, value: object, *, indent: int | None = 2) -> None:
        self.setPlainText(json.dumps(value, indent=indent, ensure_ascii=False))
        self.reparse()

    def reparse(self) -> None:
        value, problem = parse(self.toPlainText())
        self.last_value, self.last_problem = value, problem
        self._mark_error(problem)
        if problem is None:
            self.parsed.emit(value)
        else:
            self.parse_failed.emit(problem)

    def format_json(self) -> bool:
        value, problem = parse(self.toPlainText())
        if problem:
            self.go_to_problem(problem)
            return False
        self._replace_all(json.dumps(value, indent=2, ensure_ascii=False))
        return True

    def minify_json(self) -> bool:
        value, problem = parse(self.toPlainText())
        if problem:
            self.go_to_problem(problem)
            return False
        self._replace_all(json.dumps(value, separators=(",", ":"), ensure_ascii=False))
        return True

    def _replace_all(self, text: str) -> None:
        cursor = self.textCursor()
        cursor.beginEditBlock()  # one undo step
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(text)
        cursor.endEditBlock()
        self.reparse()

    # --- navigation ---------------------------------------------------------------------------
    def go_to_offset(self, start: int, end: int | None = None) -> None:
        cursor = self.textCursor()
        cursor.setPosition(start)
        if end is not None and end > start:
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.centerCursor()
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def go_to_problem(self, problem: ParseProblem) -> None:
        self.go_to_offset(min(problem.offset, len(self.toPlainText())))

    def go_to_path(self, pointer: str) -> bool:
        """Select the value at a JSON pointer (``#/a/0``) or JSON path (``$.a[0]``)."""
        span = locate(self.toPlainText(), pointer)
        if span is None:
            return False
        self.go_to_offset(*span)
        return True

    def _mark_error(self, problem: ParseProblem | None) -> None:
        self._error_line = problem.line if problem else None
        extra = []
        if problem is not None:
            sel = QTextEdit.ExtraSelection()
            sel.format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            sel.format.setUnderlineColor(QColor("#d03030"))
            sel.format.setBackground(QColor(208, 48, 48, 40))
            sel.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
            cursor = QTextCursor(self.document().findBlockByNumber(problem.line - 1))
            sel.cursor = cursor
            extra.append(sel)
        self.setExtraSelections(extra)
        self._gutter.update()


_ID_INT = re.compile(r'("_id"\s*:\s*)(-?\d+)(?=\s*[,}\n])')


def int_ids_to_strings(text: str) -> tuple[str, int]:
    """Quote integer ``_id`` values in a JSON text; returns (new text, how many)."""
    new, n = _ID_INT.subn(lambda m: f'{m.group(1)}"{m.group(2)}"', text)
    return new, n
