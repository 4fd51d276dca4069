"""Data lake: batches per dataset with record and failed counts and status; a preview of rows;
failed records with their reasons."""

from __future__ import annotations

import json
import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..controllers.datalake import DataLakeController, failure_reason
from ..models.rows import Column, RowsModel
from ..widgets.banner import Banner
from ..widgets.tables import data_table


def _when(ms) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ms / 1000)) if ms else ""


def _record_text(failed: dict) -> str:
    record = failed.get("record", failed.get("body", failed))
    if isinstance(record, dict):
        record = {k: v for k, v in record.items() if k not in ("_errors", "errors", "error", "reason", "_error")}
    return json.dumps(record, ensure_ascii=False)[:400]


def _status_colour(b) -> str | None:
    s = (b.status or "").lower()
    return "#2e7d32" if s in ("success", "active") else "#c62828" if s in ("failure", "failed", "aborted") else None


def _table(name: str, tip: str, model) -> QTableView:
    return data_table(model, name, tip, sort=(0, Qt.SortOrder.AscendingOrder), single=False)


class DataLakePage(QWidget):
    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Data lake")
        self.controller = DataLakeController(ctx, self)
        c = self.controller
        self.datasets = QListWidget()
        self.datasets.setAccessibleName("Datasets")
        self.datasets.setToolTip("Datasets of the sandbox; select one to see its batches")
        self.refresh_btn = QPushButton("&Refresh")
        self.refresh_btn.setAccessibleName("Refresh data lake")
        self.refresh_btn.setToolTip("Reload datasets and the selected dataset's batches")
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(QLabel("Datasets"))
        ll.addWidget(self.datasets, 1)
        ll.addWidget(self.refresh_btn)

        self.batches = RowsModel([
            Column("Batch", lambda b: b.id, "Batch id"),
            Column("Status", lambda b: b.status or "", "Batch status", colour=_status_colour),
            Column("Records", lambda b: b.record_count, "Records written", True),
            Column("Failed", lambda b: b.failed_record_count, "Records that failed validation", True),
            Column("Created", lambda b: _when(b.created), "When the batch was created", sort_key=lambda b: b.created or 0),
        ], self)
        self.batch_view = _table("Batches", "Batches of the selected dataset; select one for its failed records", self.batches)
        self.batch_view.sortByColumn(4, Qt.SortOrder.DescendingOrder)
        for col, w in enumerate((250, 80, 75, 65)):
            self.batch_view.setColumnWidth(col, w)
        self.preview = RowsModel([], self)
        self.preview_view = _table("Preview rows", "The first rows of the dataset", self.preview)
        self.failed = RowsModel([
            Column("#", lambda r: r[0] + 1, "Position", True),
            Column("Reason", lambda r: failure_reason(r[1]), "Why the record failed"),
            Column("Record", lambda r: _record_text(r[1]), "The record as it was received"),
        ], self)
        self.failed_view = _table("Failed records", "Failed records of the selected batch, with their reasons", self.failed)
        self.failed_view.setColumnWidth(0, 40)
        self.failed_view.setColumnWidth(1, 380)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Dataset contents")
        self.tabs.addTab(self.preview_view, "Preview")
        self.tabs.addTab(self.failed_view, "Failed records")
        self.banner = Banner("info", "")
        self.summary = QLabel("Select a dataset.")
        self.summary.setAccessibleName("Dataset summary")
        self.summary.setWordWrap(True)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.summary)
        rl.addWidget(self.banner)
        rs = QSplitter(Qt.Orientation.Vertical)
        rs.addWidget(self.batch_view)
        rs.addWidget(self.tabs)
        rl.addWidget(rs, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([260, 800])
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("<h2>Data lake</h2>"))
        lay.addWidget(split, 1)

        self.datasets.currentItemChanged.connect(self._dataset_selected)
        self.refresh_btn.clicked.connect(self.refresh)
        self.batch_view.selectionModel().currentRowChanged.connect(self._batch_selected)
        c.datasets_loaded.connect(self._datasets)
        c.batches_loaded.connect(self._batches)
        c.preview_loaded.connect(self._preview)
        c.failed_loaded.connect(self._failed)
        c.failed.connect(lambda msg: self.banner.set_message("warning", msg))
        ctx.session_ready.connect(lambda _s: self.refresh())
        ctx.resources_changed.connect(lambda kind: kind == "datasets" and self.refresh())
        self._selected_id: str | None = None
        if ctx.session is not None:
            self.refresh()

    def refresh(self) -> None:
        self.controller.load_datasets()
        if self._selected_id:
            self.controller.load_dataset(self._selected_id)

    def select_dataset(self, dataset_id: str) -> None:
        for i in range(self.datasets.count()):
            if self.datasets.item(i).data(Qt.ItemDataRole.UserRole) == dataset_id:
                self.datasets.setCurrentRow(i)
                return
        self._selected_id = dataset_id
        self.controller.load_dataset(dataset_id)

    def _datasets(self, rows: list) -> None:
        keep = self._selected_id
        self.datasets.blockSignals(True)
        self.datasets.clear()
        for d in rows:
            flags = " · Profile" if d.profile_enabled else ""
            item = QListWidgetItem(f"{d.name or d.id}{flags}")
            item.setData(Qt.ItemDataRole.UserRole, d.id)
            item.setToolTip(f"{d.id}\nschema {d.schema_ref.id if d.schema_ref else '?'}")
            self.datasets.addItem(item)
            if d.id == keep:
                self.datasets.setCurrentItem(item)
        self.datasets.blockSignals(False)

    def _dataset_selected(self, item, _prev) -> None:
        if item is None:
            return
        self._selected_id = item.data(Qt.ItemDataRole.UserRole)
        self.summary.setText(f"Dataset {item.text()} ({self._selected_id})")
        self.banner.set_message("info", "")
        self.controller.load_dataset(self._selected_id)

    def _batches(self, dataset_id: str, batches: list) -> None:
        if dataset_id != self._selected_id:
            return
        self.batches.set_rows(batches)
        total = sum(b.record_count or 0 for b in batches)
        failed = sum(b.failed_record_count or 0 for b in batches)
        self.summary.setText(f"Dataset {dataset_id}: {len(batches)} batch(es), {total:,} records, {failed:,} failed")

    def _preview(self, dataset_id: str, rows: list) -> None:
        if dataset_id != self._selected_id:
            return
        keys: list[str] = []
        for r in rows[:50]:
            for k in r:
                if k not in keys:
                    keys.append(k)
        cols = [Column(k, (lambda r, k=k: json.dumps(r.get(k), ensure_ascii=False) if isinstance(r.get(k), (dict, list)) else r.get(k)), k)
                for k in keys[:20]]
        self.preview.beginResetModel()
        self.preview.columns = cols
        self.preview.rows = list(rows)
        self.preview.endResetModel()
        self.preview_view.resizeColumnsToContents()
        for c in range(len(cols)):
            self.preview_view.setColumnWidth(c, min(self.preview_view.columnWidth(c), 320))

    def _batch_selected(self, current, _prev) -> None:
        batch = self.batches.row_at(current)
        if batch is not None and (batch.failed_record_count or 0) > 0:
            self.controller.load_failed(batch.id)
        elif batch is not None:
            self.failed.clear()

    def _failed(self, batch_id: str, records: list) -> None:
        self.failed.set_rows(list(enumerate(records)))
        self.tabs.setCurrentWidget(self.failed_view)
        self.tabs.setTabText(1, f"Failed records ({len(records)})")
