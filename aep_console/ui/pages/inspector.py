"""Stream inspector: every streaming response of this session in a table; the selected one
in detail (request and response, redacted; the validation report in words); copy as curl."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..controllers.inspector import MAX_ROWS, InspectorController, readable_report
from ..models.exchanges import ExchangesModel
from ..widgets.json_editor import JsonEditor
from ..widgets.tables import data_table, pretty_json


class InspectorPage(QWidget):
    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Stream inspector")
        self.controller = InspectorController(ctx, self)
        self.model = ExchangesModel(self)
        self.table = data_table(
            self.model, "Streaming responses", "Every streaming request of this session; select one to see it in detail",
            widths=(110, 60, 230, 95),
        )

        self.report = QPlainTextEdit()
        self.report.setReadOnly(True)
        self.report.setAccessibleName("Validation report")
        self.report.setToolTip("AEP's answer in words: what was wrong, and where")
        self.request = JsonEditor(live_parse=False)
        self.request.setReadOnly(True)
        self.request.setAccessibleName("Request")
        self.response = JsonEditor(live_parse=False)
        self.response.setReadOnly(True)
        self.response.setAccessibleName("Response")
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Exchange details")
        self.tabs.addTab(self.report, "Report")
        self.tabs.addTab(self.request, "Request")
        self.tabs.addTab(self.response, "Response")
        self.curl_btn = QPushButton("Copy as &curl")
        self.curl_btn.setToolTip("Copy the selected request as a curl command (secrets redacted)")
        self.curl_btn.setAccessibleName("Copy as curl")
        self.curl_btn.setEnabled(False)
        self.clear_btn = QPushButton("C&lear")
        self.clear_btn.setToolTip("Empty the table (the history keeps every request)")
        self.clear_btn.setAccessibleName("Clear inspector")
        self.follow = QCheckBox("&Follow newest")
        self.follow.setChecked(True)
        self.follow.setToolTip("Scroll to each new response as it arrives")
        self.follow.setAccessibleName("Follow newest")
        self.count_label = QLabel("0 responses")
        self.count_label.setAccessibleName("Response count")
        bar = QHBoxLayout()
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        bar.addWidget(self.follow)
        bar.addWidget(self.clear_btn)
        bar.addWidget(self.curl_btn)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("<h2>Stream inspector</h2>"))
        lay.addLayout(bar)
        lay.addWidget(split, 1)

        self.controller.rows_added.connect(self.add_rows)
        # picking a row to read stops following (the row stays in view, its detail stays right)
        self.table.pressed.connect(lambda _ix: self.follow.setChecked(False))
        self.model.modelReset.connect(lambda: self._selected(self.table.currentIndex(), None))
        self.table.selectionModel().currentRowChanged.connect(self._selected)
        self.curl_btn.clicked.connect(self.copy_curl)
        self.clear_btn.clicked.connect(self.clear)
        self.current = None

    def add_rows(self, rows: list) -> None:
        overflow = len(self.model.rows) + len(rows) - MAX_ROWS
        if overflow > 0:
            self.model.set_rows(self.model.rows[overflow:])
        self.model.append_rows(rows)
        self.count_label.setText(f"{len(self.model.rows):,} responses")
        if self.follow.isChecked():
            if self.current is not None:  # the detail would describe a row scrolled out of view
                self.table.selectionModel().clear()
            self.table.scrollToBottom()

    def clear(self) -> None:
        self.model.clear()
        self.count_label.setText("0 responses")
        self.current = None
        self.curl_btn.setEnabled(False)
        for w in (self.report, self.request, self.response):
            w.setPlainText("")

    def _selected(self, current, _previous) -> None:
        row = self.model.row_at(current)
        self.current = row
        self.curl_btn.setEnabled(row is not None)
        if row is None:
            for w in (self.report, self.request, self.response):
                w.setPlainText("")  # nothing selected: no detail of an exchange no longer listed
            return
        ex = row.exchange
        self.report.setPlainText("\n".join(readable_report(ex.response_body) or [ex.error or ""]))
        head = f"{ex.method} {ex.url}\n" + "\n".join(f"{k}: {v}" for k, v in (ex.request_headers or {}).items())
        self.request.setPlainText(head + "\n\n" + pretty_json(ex.request_body))
        rhead = f"HTTP {ex.status or '—'}  ({ex.duration_ms:.1f} ms)\n" + "\n".join(
            f"{k}: {v}" for k, v in (ex.response_headers or {}).items())
        self.response.setPlainText(rhead + "\n\n" + (pretty_json(ex.response_body) or (ex.error or "")))

    def curl_text(self) -> str:
        return self.current.exchange.as_curl() if self.current is not None else ""

    def copy_curl(self) -> None:
        if self.current is not None:
            QGuiApplication.clipboard().setText(self.curl_text())
