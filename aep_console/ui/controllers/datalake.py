"""Data lake: datasets, their batches (record / failed counts, status), a preview of rows,
and the failed records of a batch with their reasons."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


def failure_reason(record: dict) -> str:
    for key in ("_errors", "errors", "error", "reason", "message", "_error"):
        v = record.get(key)
        if v:
            if isinstance(v, list):
                return "; ".join(
                    (f"{e.get('path') or e.get('pointer') or ''} {e.get('message') or e.get('description') or e}").strip()
                    if isinstance(e, dict) else str(e) for e in v)
            if isinstance(v, dict):
                return str(v.get("message") or v.get("description") or v)
            return str(v)
    return ""


class DataLakeController(QObject):
    datasets_loaded = Signal(object)  # Dataset models
    batches_loaded = Signal(str, list)  # dataset id, Batch models
    preview_loaded = Signal(str, list)  # dataset id, rows
    failed_loaded = Signal(str, list)  # batch id, records
    failed = Signal(str)

    def __init__(self, ctx, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx

    def _err(self, what: str):
        return lambda exc: self.failed.emit(f"{what} failed: {exc}")

    def _session(self):
        if self.ctx.session is None:
            self.failed.emit("Not connected yet: choose a connection profile first.")
        return self.ctx.session

    def load_datasets(self) -> None:
        if self._session() is None:
            return
        self.ctx.run("datalake-datasets", self._datasets(), on_error=self._err("Listing datasets"))

    async def _datasets(self) -> None:
        rows = await self.ctx.session.catalog.list_datasets(limit=100)
        rows.sort(key=lambda d: -(d.created or 0))
        self.datasets_loaded.emit(rows)

    def load_dataset(self, dataset_id: str) -> None:
        if self._session() is None:
            return
        self.ctx.run("datalake-dataset", self._dataset(dataset_id), on_error=self._err("Reading the dataset"))

    async def _dataset(self, dataset_id: str) -> None:
        session = self.ctx.session
        batches = await session.catalog.list_batches(dataset_id=dataset_id, limit=100)
        self.batches_loaded.emit(dataset_id, batches)
        try:
            rows = await session.data_access.preview(dataset_id)
        except Exception as exc:
            self.failed.emit(f"No preview for this dataset: {exc}")
            rows = []
        self.preview_loaded.emit(dataset_id, rows)

    def load_failed(self, batch_id: str) -> None:
        if self._session() is None:
            return
        self.ctx.run("datalake-failed", self._failed(batch_id), on_error=self._err("Reading failed records"))

    async def _failed(self, batch_id: str) -> None:
        records = await self.ctx.session.data_access.failed_records(batch_id)
        self.failed_loaded.emit(batch_id, records)
