"""The one way the console's pages build their data tables, and show JSON text."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QTableView


def data_table(
    model,
    name: str,
    tip: str = "",
    *,
    widths: tuple[int, ...] = (),
    sort: tuple[int, Qt.SortOrder] | None = None,
    single: bool = True,
) -> QTableView:
    """A sortable, row-selecting table with fixed row heights (cheap with 10,000s of rows), an
    accessible name and a tooltip."""
    table = QTableView()
    table.setModel(model)
    table.setAccessibleName(name)
    if tip:
        table.setToolTip(tip)
    table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    if single:
        table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setSortingEnabled(True)
    if sort is not None:
        table.sortByColumn(*sort)
    header = table.verticalHeader()
    header.setVisible(False)
    header.setDefaultSectionSize(22)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.horizontalHeader().setStretchLastSection(True)
    for column, width in enumerate(widths):
        table.setColumnWidth(column, width)
    return table


def pretty_json(text: str | None) -> str:
    """Indented JSON for reading; anything that is not JSON comes back as it was."""
    if not text:
        return ""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


def headers_text(headers) -> str:
    """HTTP headers one per line, as Postman shows them (already redacted by the transport)."""
    return "".join(f"{k}: {v}\n" for k, v in (headers or {}).items())
