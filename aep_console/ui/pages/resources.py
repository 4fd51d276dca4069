"""Schemas, Datasets and Streaming connections pages: a list of what exists in the sandbox,
the wizard that creates one, and "Use in record editor"."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..controllers import resources
from ..controllers.resources import ResourcesController
from ..models.rows import Column, RowsModel
from ..widgets.banner import Banner
from ..widgets.copy_field import CopyField
from ..widgets.json_tree import JsonTree
from ..widgets.tables import data_table


def _kind(cls: str) -> str:
    return "ExperienceEvent" if cls.endswith("experienceevent") else "Individual Profile" if cls.endswith("/profile") else cls


class ResourcePage(QWidget):
    title = ""
    resource = ""  # "schemas" | "datasets" | "connections"
    wizard_text = ""
    columns: ClassVar[list[Column]] = []
    fetcher: Callable = staticmethod(resources.schemas)

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName(self.title)
        self.lists = ResourcesController(ctx, self)
        self.model = RowsModel(self.columns, self)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(f"Filter {self.title.lower()}…")
        self.filter.setAccessibleName(f"Filter {self.title.lower()}")
        self.filter.setClearButtonEnabled(True)
        self.new_btn = QPushButton(self.wizard_text)
        self.new_btn.setAccessibleName(self.wizard_text.replace("&", "").replace("…", ""))
        self.new_btn.setToolTip("Open the wizard that creates one; it shows each call, and undoes them on cancel or failure")
        self.use_btn = QPushButton("&Use in record editor")
        self.use_btn.setAccessibleName("Use in record editor")
        self.use_btn.setToolTip("Make the selected item the record editor's target")
        self.use_btn.setEnabled(False)
        self.refresh_btn = QPushButton("&Refresh")
        self.refresh_btn.setAccessibleName(f"Refresh {self.title.lower()}")
        self.refresh_btn.setToolTip("Read the list again")
        bar = QHBoxLayout()
        bar.addWidget(self.filter, 1)
        bar.addWidget(self.refresh_btn)
        bar.addWidget(self.use_btn)
        bar.addWidget(self.new_btn)
        self.table = data_table(self.model, self.title)
        self.id_field = CopyField("Id")
        self.detail = JsonTree()
        self.detail.setAccessibleName(f"Selected {self.resource[:-1]}")
        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(self.id_field)
        dl.addWidget(self.detail, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.banner = Banner("info", "")
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"<h2>{self.title}</h2>"))
        lay.addLayout(bar)
        lay.addWidget(self.banner)
        lay.addWidget(split, 1)
        self.all_rows: list[dict] = []
        self.wizard = None

        self.refresh_btn.clicked.connect(self.refresh)
        self.new_btn.clicked.connect(self.open_wizard)
        self.use_btn.clicked.connect(self.use_selected)
        self.table.activated.connect(lambda _ix: self.use_selected())
        self.filter.textChanged.connect(self._apply_filter)
        self.table.selectionModel().currentRowChanged.connect(self._selected)
        self.model.modelReset.connect(self.clear_detail)
        ctx.session_ready.connect(lambda _s: self.refresh())
        ctx.resources_changed.connect(lambda kind: kind == self.resource and self.refresh())
        if ctx.session is not None:
            self.refresh()

    def refresh(self) -> None:
        self.banner.set_message("info", "")
        self.lists.fetch(self.resource, type(self).fetcher, self.set_rows,
                         lambda exc: self.banner.set_message("error", f"Could not list {self.title.lower()}: {exc}"))

    def set_rows(self, rows: list[dict]) -> None:
        self.all_rows = rows
        self._apply_filter(self.filter.text())
        if not rows:
            self.banner.set_message("info", f"No {self.title.lower()} yet: {self.wizard_text.replace('&', '')} creates one.")

    def _apply_filter(self, text: str) -> None:
        t = text.lower().strip()
        rows = [r for r in self.all_rows if not t or any(t in str(v).lower() for v in r.values())]
        keep = (self.selected() or {}).get("id")
        self.model.set_rows(rows)
        if keep is not None:  # a refreshed list keeps the selected item (and its detail) when it is still there
            at = next((i for i, r in enumerate(self.model.rows) if r.get("id") == keep), None)
            if at is not None:
                self.table.selectRow(at)
        self.table.resizeColumnsToContents()
        for c in range(self.model.columnCount() - 1):
            self.table.setColumnWidth(c, min(max(self.table.columnWidth(c), 80), 380))

    def _selected(self, current, _prev) -> None:
        row = self.model.row_at(current)
        self.use_btn.setEnabled(row is not None)
        if row is None:
            self.clear_detail()
        else:
            self.id_field.set_value(row["id"])
            self.detail.set_value(row)

    def clear_detail(self) -> None:
        """No row selected (a new list, a filter, another profile): the detail shows nothing."""
        self.use_btn.setEnabled(False)
        self.id_field.set_value("")
        self.detail.clear()

    def selected(self) -> dict | None:
        return self.model.row_at(self.table.currentIndex())

    def use_selected(self) -> None:
        row = self.selected()
        if row is not None:
            self.use(row)
            self.banner.set_message("success", f"The record editor now targets \u201c{row.get('title') or row.get('name')}\u201d.")

    def use(self, row: dict) -> None:
        raise NotImplementedError

    def make_wizard(self):
        raise NotImplementedError

    def open_wizard(self):
        self.wizard = self.make_wizard()
        self.wizard.finished.connect(lambda _r: self.refresh())
        self.wizard.show()
        return self.wizard


class SchemasPage(ResourcePage):
    title = "Schemas"
    resource = "schemas"
    wizard_text = "&New schema…"
    fetcher = staticmethod(resources.schemas)
    columns: ClassVar[list[Column]] = [
        Column("Title", lambda r: r["title"], "Schema title"),
        Column("Class", lambda r: _kind(r["class"]), "XDM class"),
        Column("Profile", lambda r: "enabled" if r["union"] else "", "Enabled for Profile (union tag)"),
        Column("$id", lambda r: r["id"], "Schema $id"),
    ]

    def use(self, row: dict) -> None:
        self.ctx.update_target(schema_id=row["id"], schema_title=row["title"])

    def _selected(self, current, prev) -> None:
        """What was built, as the AEP UI shows it: class, Profile, field groups, identities, fields."""
        super()._selected(current, prev)
        row = self.model.row_at(current)
        if row is None:
            return
        from ...services.listing import schema_details

        def show(details: dict, schema_id: str = row["id"]) -> None:
            selected = self.selected()
            if selected is not None and selected["id"] == schema_id:
                self.detail.set_value(details, expand_depth=2)

        self.lists.fetch("schema-details", schema_details, show,
                         lambda exc: self.banner.set_message("error", f"Could not read the schema: {exc}"), row["id"])

    def make_wizard(self):
        from ..wizards.schema_wizard import SchemaWizard

        return SchemaWizard(self.ctx, self)


class DatasetsPage(ResourcePage):
    title = "Datasets"
    resource = "datasets"
    wizard_text = "&New dataset…"
    fetcher = staticmethod(resources.datasets_named)
    columns: ClassVar[list[Column]] = [
        Column("Name", lambda r: r["name"], "Dataset name"),
        Column("Schema", lambda r: r.get("schema_title") or r["schema_id"], "The dataset's schema"),
        Column("Profile", lambda r: "enabled" if r["profile"] else "", "unifiedProfile tag"),
        Column("Identity", lambda r: "enabled" if r["identity"] else "", "unifiedIdentity tag"),
        Column("Id", lambda r: r["id"], "Dataset id"),
    ]

    def use(self, row: dict) -> None:
        self.ctx.update_target(dataset_id=row["id"], dataset_name=row["name"], schema_id=row["schema_id"],
                               schema_title=row.get("schema_title", ""))

    def make_wizard(self):
        from ..wizards.dataset_wizard import DatasetWizard

        return DatasetWizard(self.ctx, self)


class StreamingPage(ResourcePage):
    title = "Streaming connections"
    resource = "connections"
    wizard_text = "&New streaming connection…"
    fetcher = staticmethod(resources.connections_named)
    columns: ClassVar[list[Column]] = [
        Column("Name", lambda r: r["name"], "Connection name"),
        Column("Dataset", lambda r: r.get("dataset_name") or r.get("dataset_id", ""),
               "The dataset records go to (the dataflow's, or the one chosen in the wizard)"),
        Column("CONNECTION_ID", lambda r: r["id"], "The inlet id records are posted to"),
        Column("Inlet URL", lambda r: r.get("inlet_url", ""), "Where records are posted"),
    ]

    def use(self, row: dict) -> None:
        changes = {"connection_id": row["id"], "inlet_url": row.get("inlet_url", ""), "flow_id": row.get("flow_id", "")}
        if row.get("dataset_id"):
            changes.update(dataset_id=row["dataset_id"], schema_id=row.get("schema_id") or self.ctx.target.schema_id)
        self.ctx.update_target(**changes)

    def make_wizard(self):
        from ..wizards.connection_wizard import ConnectionWizard

        return ConnectionWizard(self.ctx, self)
