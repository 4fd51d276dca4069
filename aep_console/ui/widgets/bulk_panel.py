"""Bulk send from a file: file picker, Send all / Pause / Cancel, progress bar, ETA,
live throughput plot and the per-record results table. Plain widget: it emits intents
(``start_requested(path)``, ``pause_toggled(bool)``, ``cancel_requested()``) and is fed plain
progress snapshots by the editor controller (a few times a second, never per record)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..models.results import ResultsModel
from .banner import Banner
from .throughput_plot import ThroughputPlot


def format_eta(seconds: float | None) -> str:
    if seconds is None or seconds != seconds or seconds == float("inf"):
        return "ETA —"
    seconds = round(seconds)
    if seconds >= 3600:
        return f"ETA {seconds // 3600} h {seconds % 3600 // 60:02d} min"
    if seconds >= 60:
        return f"ETA {seconds // 60} min {seconds % 60:02d} s"
    return f"ETA {seconds} s"


class BulkPanel(QWidget):
    start_requested = Signal(str)
    pause_toggled = Signal(bool)
    cancel_requested = Signal()
    fix_ids_requested = Signal(str)  # path of a file whose integer _id values should become strings
    row_activated = Signal(object)  # a result row
    path_changed = Signal(str)  # the file to send changed (after the typing settles)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Bulk send")
        self.path_edit = QLineEdit(self)
        self.path_edit.setPlaceholderText("A JSON array, JSON Lines or {\"messages\": […]} file of records")
        self.path_edit.setAccessibleName("Bulk file path")
        self.path_edit.setToolTip("The file whose records are sent, one message each")
        self.browse = QPushButton("Choose file…", self)
        self.browse.setToolTip("Pick a file of records to send")
        self.browse.clicked.connect(self._browse)
        self.send_all = QPushButton("Send all", self)
        self.send_all.setToolTip("Validate and stream every record of the file")
        self.send_all.clicked.connect(lambda: self.start_requested.emit(self.path_edit.text().strip()))
        self.pause = QPushButton("Pause", self)
        self.pause.setCheckable(True)
        self.pause.setEnabled(False)
        self.pause.setToolTip("Pause the bulk send; press again to resume")
        self.pause.toggled.connect(self._pause_toggled)
        self.cancel = QPushButton("Cancel", self)
        self.cancel.setEnabled(False)
        self.cancel.setToolTip("Stop the bulk send; records already sent stay sent")
        self.cancel.clicked.connect(self.cancel_requested)
        for b, name in ((self.browse, "Choose bulk file"), (self.send_all, "Send all records"),
                        (self.pause, "Pause bulk send"), (self.cancel, "Cancel bulk send")):
            b.setAccessibleName(name)

        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Bulk send progress")
        # whole percents: QProgressBar.setValue repaints at once (synchronously) whenever the bar
        # visibly changes, which a finer range makes happen on every progress update
        self.progress.setRange(0, 100)
        self.progress.setFormat("%p%")
        self.progress.setValue(0)
        self.target_line = QLabel("Choose a file and a target.", self)
        self.target_line.setAccessibleName("Bulk send target")
        self.target_line.setToolTip("What Send all sends, and where: the records, the dataset, its class and schema")
        self.target_line.setTextFormat(Qt.TextFormat.PlainText)
        self.target_line.setWordWrap(True)
        self._path_timer = QTimer(self, singleShot=True, interval=300)
        self._path_timer.timeout.connect(lambda: self.path_changed.emit(self.path_edit.text().strip()))
        self.path_edit.textChanged.connect(lambda _t: self._path_timer.start())
        self.stats = QLabel("No bulk send yet.", self)
        self.stats.setAccessibleName("Bulk send figures")
        self.eta = QLabel("ETA —", self)
        self.eta.setAccessibleName("Estimated time left")
        self.banner = Banner("info", "", self)
        self.fix_button = QPushButton("Convert _id to string", self)
        self.fix_button.setToolTip("Write a fixed copy of the file with every integer _id quoted, and use it")
        self.fix_button.setAccessibleName("Convert integer _id values to strings")
        self.fix_button.setVisible(False)
        self.fix_button.clicked.connect(lambda: self.fix_ids_requested.emit(self.path_edit.text().strip()))

        self.plot = ThroughputPlot(self)
        self._last_plot = -1.0
        self.results = ResultsModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.results)
        self.table.setAccessibleName("Per-record results")
        self.table.setToolTip("One row per record: its index, status and the reason when it failed")
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, w in enumerate((60, 80, 50, 170)):
            self.table.setColumnWidth(col, w)
        self.table.activated.connect(lambda ix: self.row_activated.emit(self.results.row_at(ix)))

        top = QHBoxLayout()
        top.addWidget(self.path_edit, 1)
        for b in (self.browse, self.send_all, self.pause, self.cancel):
            top.addWidget(b)
        figures = QHBoxLayout()
        figures.addWidget(self.progress, 1)
        figures.addWidget(self.eta)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.plot)
        split.addWidget(self.table)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setSizes([300, 900])
        fix_row = QHBoxLayout()
        fix_row.addWidget(self.banner, 1)
        fix_row.addWidget(self.fix_button, 0, Qt.AlignmentFlag.AlignTop)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.target_line)
        lay.addLayout(figures)
        lay.addWidget(self.stats)
        lay.addLayout(fix_row)
        lay.addWidget(split, 1)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Records to send", "", "JSON (*.json *.jsonl *.ndjson);;All files (*)")
        if path:
            self.path_edit.setText(path)

    def _pause_toggled(self, paused: bool) -> None:
        self.pause.setText("Resume" if paused else "Pause")
        self.pause_toggled.emit(paused)

    # --- fed by the controller ---------------------------------------------------------------
    def set_running(self, running: bool) -> None:
        self.send_all.setEnabled(not running)
        self.browse.setEnabled(not running)
        self.path_edit.setEnabled(not running)
        self.pause.setEnabled(running)
        self.cancel.setEnabled(running)
        if not running:
            self.pause.blockSignals(True)
            self.pause.setChecked(False)
            self.pause.setText("Pause")
            self.pause.blockSignals(False)

    def started(self, total: int | None) -> None:
        self.results.clear()
        self.plot.clear()
        self._last_plot = -1.0
        self.banner.set_message("info", "")
        self.fix_button.setVisible(False)
        self.progress.setValue(0)
        self.stats.setText("Starting…")
        self.set_running(True)

    def show_progress(self, snap) -> None:
        """``snap``: BulkSnapshot (done, total, ok, failed, rate, eta, elapsed, paused)."""
        if snap.fraction is not None:
            value = int(snap.fraction * 100)
            if value != self.progress.value():
                self.progress.setValue(value)
        self.eta.setText("Paused" if snap.paused else format_eta(snap.eta))
        self.stats.setText(
            f"{snap.done:,} done: {snap.ok:,} accepted, {snap.failed:,} not accepted · "
            f"{snap.rate:,.0f} records/s · {snap.elapsed:,.1f} s" + (f" · {snap.message}" if snap.message else "")
        )
        if snap.elapsed - self._last_plot >= 1.0 or snap.elapsed < self._last_plot:
            self._last_plot = snap.elapsed
            self.plot.add_point(snap.elapsed, snap.rate)  # once a second: a plot repaint costs ~10 ms

    def finished(self, summary: str, kind: str = "success", complete: bool = True) -> None:
        """The run ended: ``complete`` when every record of the file has an outcome."""
        self.set_running(False)
        if complete:
            self.progress.setValue(100)
        self.eta.setText("Done" if complete else "Stopped")
        self.banner.set_message(kind, summary)

    def not_started(self, message: str, kind: str = "warning") -> None:
        """Nothing was sent (no target, no file, an interrupted run to resume or restart first):
        every figure says so, none from a run that did not happen."""
        self.set_running(False)
        self.results.clear()
        self.plot.clear()
        self.progress.setValue(0)
        self.eta.setText("ETA —")
        self.stats.setText("Not started.")
        self.fix_button.setVisible(False)
        self.banner.set_message(kind, message)

    def show_diagnosis(self, diagnosis) -> None:
        """``diagnosis``: services.diagnosis.Diagnosis: why records were not accepted."""
        self.banner.set_message("error", self.banner.text() + "\n" + diagnosis.text if self.banner.text()
                                else diagnosis.text)
        self.fix_button.setVisible(diagnosis.offer_id_fix)

    def set_target_line(self, text: str) -> None:
        self.target_line.setText(text)
