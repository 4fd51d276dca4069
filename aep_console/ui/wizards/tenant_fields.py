"""The tenant field group editor: one row per custom field (name, type, required, enum, format)."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..widgets.banner import Banner

TYPES = ("string", "integer", "number", "boolean", "date", "date-time")
FORMATS = ("none", "email", "uri", "uuid", "hostname", "ipv4")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class TenantFieldsEditor(QWidget):
    COLS = ("Name", "Type", "Required", "Enum (comma-separated)", "Format")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, len(self.COLS))
        self.table.setHorizontalHeaderLabels(list(self.COLS))
        self.table.setAccessibleName("Custom fields")
        self.table.setToolTip("One row per custom field; Tab moves between cells")
        self.table.verticalHeader().setVisible(False)
        h = self.table.horizontalHeader()
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        h.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(1, 100)
        self.table.setColumnWidth(2, 75)
        self.table.setColumnWidth(4, 100)
        self.add_btn = QPushButton("&Add field")
        self.add_btn.setAccessibleName("Add field")
        self.add_btn.setToolTip("Add a custom field")
        self.remove_btn = QPushButton("&Remove field")
        self.remove_btn.setAccessibleName("Remove field")
        self.remove_btn.setToolTip("Remove the selected custom field")
        self.banner = Banner("error", "")
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_btn)
        buttons.addWidget(self.remove_btn)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.table, 1)
        lay.addLayout(buttons)
        lay.addWidget(self.banner)
        self.add_btn.clicked.connect(lambda: self.add_field())
        self.remove_btn.clicked.connect(self.remove_selected)

    def add_field(self, name: str = "", type_: str = "string", required: bool = False,
                  enum: str = "", fmt: str = "") -> int:
        r = self.table.rowCount()
        self.table.insertRow(r)
        self.table.setItem(r, 0, QTableWidgetItem(name))
        types = QComboBox()
        types.addItems(TYPES)
        types.setCurrentText(type_)
        types.setAccessibleName(f"Type of field {r + 1}")
        self.table.setCellWidget(r, 1, types)
        req = QTableWidgetItem("")
        req.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        req.setCheckState(Qt.CheckState.Checked if required else Qt.CheckState.Unchecked)
        self.table.setItem(r, 2, req)
        self.table.setItem(r, 3, QTableWidgetItem(enum))
        formats = QComboBox()
        formats.addItems(FORMATS)
        formats.setCurrentText(fmt or "none")
        formats.setAccessibleName(f"Format of field {r + 1}")
        self.table.setCellWidget(r, 4, formats)
        if not name:
            self.table.setCurrentCell(r, 0)
            self.table.editItem(self.table.item(r, 0))
        return r

    def remove_selected(self) -> None:
        r = self.table.currentRow()
        if r >= 0:
            self.table.removeRow(r)

    def rows(self) -> list[dict]:
        out = []
        for r in range(self.table.rowCount()):
            name = (self.table.item(r, 0).text() if self.table.item(r, 0) else "").strip()
            out.append({
                "name": name,
                "type": self.table.cellWidget(r, 1).currentText(),
                "required": self.table.item(r, 2).checkState() == Qt.CheckState.Checked,
                "enum": [v.strip() for v in (self.table.item(r, 3).text() if self.table.item(r, 3) else "").split(",") if v.strip()],
                "format": "" if self.table.cellWidget(r, 4).currentText() == "none" else self.table.cellWidget(r, 4).currentText(),
            })
        return out

    def field_names(self) -> list[str]:
        return [r["name"] for r in self.rows() if r["name"]]

    def required_names(self) -> list[str]:
        return [r["name"] for r in self.rows() if r["name"] and r["required"]]

    def check(self) -> bool:
        problems = []
        seen = set()
        for i, r in enumerate(self.rows(), 1):
            if not r["name"]:
                problems.append(f"row {i}: the field needs a name")
            elif not _NAME.match(r["name"]):
                problems.append(f"row {i}: {r['name']!r} must start with a letter and use letters, digits or _")
            elif r["name"] in seen:
                problems.append(f"row {i}: {r['name']!r} appears twice")
            seen.add(r["name"])
            if r["enum"] and r["type"] in ("integer", "number"):
                try:
                    [float(v) for v in r["enum"]]
                except ValueError:
                    problems.append(f"row {i}: enum values of a {r['type']} field must be numbers")
        self.banner.set_message("error", "; ".join(problems))
        return not problems

    def properties(self) -> dict[str, dict]:
        """XDM properties of the custom fields."""
        props: dict[str, dict] = {}
        for r in self.rows():
            if not r["name"]:
                continue
            t = r["type"]
            p: dict = {"title": r["name"]}
            if t in ("date", "date-time"):
                p.update(type="string", format=t)
            else:
                p["type"] = t
            if r["format"] and t == "string":
                p["format"] = r["format"]
            if r["enum"]:
                conv = int if t == "integer" else float if t == "number" else str
                p["enum"] = [conv(v) for v in r["enum"]]
            props[r["name"]] = p
        return props
