"""A generic, virtualized, sortable table model over a list of Python rows.

Qt asks only for visible cells, so 10,000+ rows stay smooth; rows are appended in
chunks (one beginInsertRows per chunk), never one signal per record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

_Index = QModelIndex | QPersistentModelIndex
_NO_PARENT = QModelIndex()


@dataclass
class Column:
    title: str
    get: Callable[[Any], Any]
    tooltip: str = ""
    align_right: bool = False
    sort_key: Callable[[Any], Any] | None = None
    colour: Callable[[Any], str | None] | None = field(default=None)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


class RowsModel(QAbstractTableModel):
    ROW_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, columns: Sequence[Column], parent=None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[Any] = []
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._keys: list[tuple] | None = None  # sort keys of ``rows`` while sorted

    # --- Qt interface ---------------------------------------------------------------------------
    def rowCount(self, parent: _Index = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            try:
                return _text(col.get(row))
            except (KeyError, IndexError, TypeError, AttributeError):
                return ""
        if role == Qt.ItemDataRole.TextAlignmentRole and col.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col.colour is not None:
            c = col.colour(row)
            return QColor(c) if c else None
        if role == self.ROW_ROLE:
            return row
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return self.columns[section].title
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.columns[section].tooltip or self.columns[section].title
        elif role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        self._sort = (column, order)
        safe = self._safe_key(column)
        self._keys = [safe(row) for row in self.rows]
        self._reorder()

    def _safe_key(self, column: int) -> Callable[[Any], tuple]:
        col = self.columns[column]
        key = col.sort_key or col.get

        def safe(row: Any) -> tuple:
            try:
                v = key(row)
            except (KeyError, IndexError, TypeError, AttributeError):
                v = None
            if v is None:
                return (0, 0, "")
            if isinstance(v, (int, float)):
                return (1, v, "")
            return (2, 0, str(v))

        return safe

    def _reorder(self) -> None:
        """Sort rows by the cached keys (C comparisons only; already sorted runs are merged in
        linear time) and move the persistent indexes (selection, current row) with their rows."""
        keys = self._keys
        assert keys is not None and len(keys) == len(self.rows)
        descending = self._sort is not None and self._sort[1] == Qt.SortOrder.DescendingOrder
        self.layoutAboutToBeChanged.emit()
        order = sorted(range(len(keys)), key=keys.__getitem__, reverse=descending)
        rows = self.rows
        self.rows = [rows[i] for i in order]
        self._keys = [keys[i] for i in order]
        persistent = self.persistentIndexList()
        if persistent:
            where = {old: new for new, old in enumerate(order)}
            self.changePersistentIndexList(
                persistent, [self.index(where[p.row()], p.column()) if p.row() in where else QModelIndex()
                             for p in persistent])
        self.layoutChanged.emit()

    # --- Python interface -----------------------------------------------------------------------
    def set_rows(self, rows: Iterable[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self._keys = None
        self.endResetModel()
        if self._sort is not None:
            self.sort(*self._sort)

    def append_rows(self, rows: Sequence[Any]) -> None:
        if not rows:
            return
        n = len(self.rows)
        self.beginInsertRows(QModelIndex(), n, n + len(rows) - 1)
        self.rows.extend(rows)
        self._keys = None  # appended unsorted (add_rows keeps the order)
        self.endInsertRows()

    def add_rows(self, rows: Sequence[Any]) -> None:
        """Append ``rows``, then keep the view's sort order (one insert and one re-sort per call:
        for pages of rows arriving while the table is shown)."""
        if not rows:
            return
        keys = self._keys
        self.append_rows(rows)
        if self._sort is None:
            return
        if keys is None or len(keys) + len(rows) != len(self.rows):
            self.sort(*self._sort)
            return
        safe = self._safe_key(self._sort[0])
        keys.extend(safe(row) for row in rows)  # keys only for the new rows
        self._keys = keys
        self._reorder()

    def row_at(self, index: _Index) -> Any:
        return self.rows[index.row()] if index.isValid() and index.row() < len(self.rows) else None

    def clear(self) -> None:
        self.set_rows([])
