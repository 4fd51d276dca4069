"""History: every request and response, searchable; any entry reopens as an editable request
(streaming messages in the record editor, other calls in a request editor)."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..controllers.history import HistoryController
from ..models.rows import Column, RowsModel
from ..widgets.banner import Banner
from ..widgets.json_editor import JsonEditor
from ..widgets.tables import data_table, headers_text, pretty_json


def _status_colour(e) -> str | None:
    return "#c62828" if (e.status is None or e.status >= 400 or e.error) else "#2e7d32"


class RunGroup:
    """The requests of one bulk run, shown as one row (expanded in the detail pane)."""

    def __init__(self, run: str, entries: list) -> None:
        self.run, self.entries = run, entries
        first = min(entries, key=lambda e: e.started_at)
        self.started_at, self.profile, self.method = first.started_at, first.profile, first.method
        self.failed = sum(1 for e in entries if e.status is None or e.status >= 400 or e.error)
        self.status = max((e.status for e in entries if e.status is not None), default=None)
        self.error = f"{self.failed} failed" if self.failed else None
        self.duration_ms = sum(e.duration_ms or 0 for e in entries)
        self.url = f"Bulk run {run}: {len(entries):,} requests" + (f", {self.failed:,} failed" if self.failed else "")


def group_runs(entries: list) -> list:
    """Entries with the same bulk run become one RunGroup, where the run's newest entry was."""
    by_run: dict[str, list] = {}
    for e in entries:
        if getattr(e, "run", None):
            by_run.setdefault(e.run, []).append(e)
    out, placed = [], set()
    for e in entries:
        run = getattr(e, "run", None)
        if not run:
            out.append(e)
        elif run not in placed:
            placed.add(run)
            out.append(RunGroup(run, by_run[run]))
    return out


class HistoryModel(RowsModel):
    def __init__(self, parent=None) -> None:
        super().__init__([
            Column("Time", lambda e: time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(e.started_at)), "When it was sent"),
            Column("Profile", lambda e: e.profile or "", "The connection profile"),
            Column("Method", lambda e: e.method, "HTTP method"),
            Column("Status", lambda e: e.status if e.status is not None else "—", "HTTP status", True, colour=_status_colour),
            Column("ms", lambda e: round(e.duration_ms or 0, 1), "Round trip in milliseconds", True),
            Column("URL", lambda e: e.url, "The request URL (secrets redacted)"),
        ], parent)


class RequestDialog(QDialog):
    """Edit and resend a non-streaming request."""

    def __init__(self, ctx, controller: HistoryController, entry, parent=None) -> None:
        super().__init__(parent)
        self.ctx, self.controller, self.entry = ctx, controller, entry
        self.setWindowTitle("Edit and resend request")
        self.resize(760, 560)
        self.method = QComboBox()
        self.method.addItems(["GET", "POST", "PUT", "PATCH", "DELETE"])
        self.method.setCurrentText(entry.method)
        self.method.setAccessibleName("Method")
        self.url = QLineEdit(entry.url)
        self.url.setAccessibleName("URL")
        self.url.setToolTip("The full request URL; headers and token are added by the session")
        self.body = JsonEditor()
        self.body.setAccessibleName("Request body")
        self.body.setPlainText(pretty_json(entry.request_body))
        self.answer = JsonEditor(live_parse=False)
        self.answer.setReadOnly(True)
        self.answer.setAccessibleName("Response")
        self.banner = Banner("info", "")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.send_btn = buttons.addButton("&Send", QDialogButtonBox.ButtonRole.ActionRole)
        self.send_btn.setToolTip("Send the edited request with the active profile")
        buttons.rejected.connect(self.reject)
        self.send_btn.clicked.connect(self.send)
        top = QHBoxLayout()
        top.addWidget(self.method)
        top.addWidget(self.url, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.body)
        split.addWidget(self.answer)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(split, 1)
        lay.addWidget(self.banner)
        lay.addWidget(buttons)

    def send(self) -> None:
        self.banner.set_message("info", "Sending…")

        def done(result) -> None:
            status, text = result
            self.answer.setPlainText(text)
            self.banner.set_message("success" if status < 400 else "error", f"HTTP {status}")

        self.ctx.run("history-resend", self.controller.resend(
            self.method.currentText(), self.entry.service, self.url.text().strip(), self.body.toPlainText()),
            on_done=done, on_error=lambda exc: self.banner.set_message("error", f"Not sent: {exc}"))


class HistoryPage(QWidget):
    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("History")
        self.controller = HistoryController(ctx, self)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search URL, bodies, errors, request ids…")
        self.search.setAccessibleName("Search history")
        self.search.setToolTip("Type to search every stored request and response")
        self.search.setClearButtonEnabled(True)
        self.service = QComboBox()
        self.service.setAccessibleName("Service filter")
        for label, data in (("All services", None), ("Streaming", "streaming"), ("Platform", "platform"), ("IMS", "ims")):
            self.service.addItem(label, data)
        self.errors = QCheckBox("&Errors only")
        self.errors.setToolTip("Only failed requests")
        self.errors.setAccessibleName("Errors only")
        self.group_runs = QCheckBox("&Group bulk runs")
        self.group_runs.setChecked(True)
        self.group_runs.setAccessibleName("Group bulk runs")
        self.group_runs.setToolTip("Show the requests of one bulk send as one row")
        self.count = QLabel("")
        self.count.setAccessibleName("Matching entries")
        self.refresh_btn = QPushButton("&Refresh")
        self.refresh_btn.setAccessibleName("Refresh history")
        self.refresh_btn.setToolTip("Read the history again")
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.service)
        bar.addWidget(self.errors)
        bar.addWidget(self.group_runs)
        bar.addWidget(self.refresh_btn)
        bar.addWidget(self.count)

        self.model = HistoryModel(self)
        self.table = data_table(
            self.model, "History entries", "Select an entry to see it; Enter or Reopen makes it an editable request",
            widths=(150, 110, 60, 55, 70), sort=(0, Qt.SortOrder.DescendingOrder),
        )
        self.request = JsonEditor(live_parse=False)
        self.request.setReadOnly(True)
        self.request.setAccessibleName("Stored request")
        self.response = JsonEditor(live_parse=False)
        self.response.setReadOnly(True)
        self.response.setAccessibleName("Stored response")
        tabs = QTabWidget()
        tabs.addTab(self.request, "Request")
        tabs.addTab(self.response, "Response")
        self.reopen_btn = QPushButton("Re&open as editable request")
        self.reopen_btn.setAccessibleName("Reopen as editable request")
        self.reopen_btn.setToolTip("Streaming messages open in the record editor; other calls in a request editor")
        self.curl_btn = QPushButton("Copy as &curl")
        self.curl_btn.setAccessibleName("Copy as curl")
        self.curl_btn.setToolTip("Copy the request as curl (the token is ${ACCESS_TOKEN})")
        for b in (self.reopen_btn, self.curl_btn):
            b.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.curl_btn)
        buttons.addWidget(self.reopen_btn)
        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(tabs, 1)
        dl.addLayout(buttons)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("<h2>History</h2>"))
        lay.addLayout(bar)
        lay.addWidget(split, 1)

        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._debounce.start)
        self.service.currentIndexChanged.connect(self.refresh)
        self.errors.toggled.connect(self.refresh)
        self.group_runs.toggled.connect(self.refresh)
        self.refresh_btn.clicked.connect(self.refresh)
        self.controller.results.connect(self._results)
        self.table.selectionModel().currentRowChanged.connect(self._selected)
        self.table.activated.connect(lambda _ix: self.reopen())
        self.reopen_btn.clicked.connect(self.reopen)
        self.curl_btn.clicked.connect(self.copy_curl)
        self.current = None
        self.dialog: RequestDialog | None = None
        self.refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        self.controller.search(self.search.text(), service=self.service.currentData(), errors_only=self.errors.isChecked())

    def _results(self, entries: list, total: int) -> None:
        self.model.set_rows(group_runs(entries) if self.group_runs.isChecked() else entries)
        shown = f" (newest {len(entries):,} shown)" if total > len(entries) else ""
        self.count.setText(f"{total:,} entries{shown}")

    def _selected(self, current, _previous) -> None:
        entry = self.model.row_at(current)
        if isinstance(entry, RunGroup):
            self.current = None
            for b in (self.reopen_btn, self.curl_btn):
                b.setEnabled(False)
            self.request.setPlainText(f"{entry.url}\n\n" + "\n".join(
                f"{time.strftime('%H:%M:%S', time.localtime(e.started_at))}  {e.method} {e.url}  \u2192 "
                f"HTTP {e.status or '—'}  ({e.duration_ms or 0:.0f} ms)" for e in sorted(entry.entries,
                                                                                       key=lambda e: e.started_at)))
            self.response.setPlainText(f"{len(entry.entries):,} requests, {entry.failed:,} failed; "
                                       "untick \u201cGroup bulk runs\u201d to see each one.")
            return
        self.current = entry
        for b in (self.reopen_btn, self.curl_btn):
            b.setEnabled(entry is not None)
        if entry is None:
            for w in (self.request, self.response):
                w.setPlainText("")
            return
        self.request.setPlainText(f"{entry.method} {entry.url}\n" + headers_text(entry.request_headers) + "\n"
                                  + pretty_json(entry.request_body))
        self.response.setPlainText(f"HTTP {entry.status or '—'}  ({entry.duration_ms or 0:.1f} ms)\n"
                                   + headers_text(entry.response_headers) + "\n"
                                   + (pretty_json(entry.response_body) or entry.error or ""))

    def copy_curl(self) -> None:
        if self.current is not None:
            QGuiApplication.clipboard().setText(self.current.as_curl())

    def reopen(self) -> None:
        if self.current is None:
            return
        page = self.controller.reopen(self.current)
        if page:
            window = self.window()
            if hasattr(window, "show_page"):
                window.show_page(page)
            self.ctx.navigate.emit(page)
            return
        self.dialog = RequestDialog(self.ctx, self.controller, self.current, self)
        self.dialog.show()
