"""A JSON value as a tree (lazy: children are created when a node is expanded)."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

_PENDING = "__pending__"


def _summary(value: object) -> str:
    if isinstance(value, dict):
        return f"{{{len(value)} fields}}"
    if isinstance(value, list):
        return f"[{len(value)} items]"
    return json.dumps(value, ensure_ascii=False)


class JsonTree(QTreeWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(2)
        self.setHeaderLabels(["Field", "Value"])
        self.setAccessibleName("JSON tree")
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(True)
        self.itemExpanded.connect(self._expand)
        self.setColumnWidth(0, 240)

    def set_value(self, value: object, *, expand_depth: int = 2) -> None:
        self.clear()
        self._add_children(self.invisibleRootItem(), value)
        self._expand_to(self.invisibleRootItem(), expand_depth)

    def _add_children(self, parent: QTreeWidgetItem, value: object) -> None:
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for key, child in items:
            item = QTreeWidgetItem(parent, [str(key) if isinstance(value, dict) else f"[{key}]", _summary(child)])
            if isinstance(child, (dict, list)) and child:
                item.setData(0, 256, child)
                QTreeWidgetItem(item, [_PENDING, ""])

    def _expand(self, item: QTreeWidgetItem) -> None:
        if item.childCount() == 1 and item.child(0).text(0) == _PENDING:
            item.takeChild(0)
            self._add_children(item, item.data(0, 256))

    def _expand_to(self, item: QTreeWidgetItem, depth: int) -> None:
        if depth <= 0:
            return
        for i in range(item.childCount()):
            child = item.child(i)
            if child.childCount():
                child.setExpanded(True)
                self._expand_to(child, depth - 1)

    def path_texts(self) -> list[str]:
        """Every visible 'field = value' line (tests and screen readers)."""
        out: list[str] = []

        def walk(item: QTreeWidgetItem, prefix: str) -> None:
            for i in range(item.childCount()):
                c = item.child(i)
                if c.text(0) == _PENDING:
                    continue
                out.append(f"{prefix}{c.text(0)} = {c.text(1)}")
                walk(c, prefix + c.text(0) + ".")

        walk(self.invisibleRootItem(), "")
        return out
