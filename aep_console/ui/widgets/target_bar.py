"""The streaming target in view: schema, dataset and connection pickers.

Fed plain lists by a controller (``set_choices``); emits ``target_picked(StreamTarget)``
when the user changes one. Picking a dataset selects its schema; picking a connection
selects its dataset when the connection knows it.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QPushButton, QSizePolicy, QWidget

from ..context import StreamTarget


def _combo(name: str, tip: str) -> QComboBox:
    c = QComboBox()
    c.setAccessibleName(name)
    c.setToolTip(tip)
    c.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    c.setMinimumContentsLength(18)
    c.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return c


class TargetBar(QWidget):
    target_picked = Signal(object)
    refresh_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.connection = _combo("Streaming connection", "The streaming connection (CONNECTION_ID) the record goes to")
        self.dataset = _combo("Dataset", "The dataset named in the envelope")
        self.schema = _combo("Schema", "The XDM schema the record is validated against")
        self.refresh = QPushButton("Refresh")
        self.refresh.setAccessibleName("Refresh targets")
        self.refresh.setToolTip("Reload schemas, datasets and streaming connections")
        self.refresh.clicked.connect(self.refresh_requested)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for col, (label, combo) in enumerate(
            (("&Connection", self.connection), ("&Dataset", self.dataset), ("Sc&hema", self.schema))
        ):
            lab = QLabel(label)
            lab.setBuddy(combo)
            grid.addWidget(lab, 0, col * 2)
            grid.addWidget(combo, 0, col * 2 + 1)
            grid.setColumnStretch(col * 2 + 1, 1)
        grid.addWidget(self.refresh, 0, 6)
        self._schemas: list[dict] = []
        self._datasets: list[dict] = []
        self._connections: list[dict] = []
        self._quiet = False
        self._chosen_dataset = ""  # the dataset the user picked in this bar (or the target's)
        self._emitted: StreamTarget | None = None
        self.connection.currentIndexChanged.connect(self._connection_changed)
        self.dataset.currentIndexChanged.connect(lambda _i: self._dataset_changed())
        self.schema.currentIndexChanged.connect(self._emit)

    def set_choices(self, schemas: list[dict], datasets: list[dict], connections: list[dict],
                    current: StreamTarget) -> None:
        """schemas: {id, title}; datasets: {id, name, schema_id}; connections:
        {id (inlet id), name, inlet_url, flow_id, dataset_id, schema_id, source_name}."""
        self._quiet = True
        self._schemas, self._datasets, self._connections = schemas, datasets, connections
        for combo, items, text in (
            (self.schema, schemas, lambda s: s.get("title") or s["id"]),
            (self.dataset, datasets, lambda d: d.get("name") or d["id"]),
            (self.connection, connections, lambda c: c.get("name") or c["id"]),
        ):
            combo.clear()
            combo.addItem("— choose —", None)
            for it in items:
                combo.addItem(text(it), it["id"])
                combo.setItemData(combo.count() - 1, it["id"], 3)  # tooltip: the id
        self._quiet = False
        self.show_target(current)

    def show_target(self, target: StreamTarget) -> None:
        if target != self._emitted:  # a target set elsewhere (not this bar's own, coming back)
            self._chosen_dataset = target.dataset_id
        self._quiet = True
        for combo, value, name in ((self.schema, target.schema_id, target.schema_title),
                                   (self.dataset, target.dataset_id, target.dataset_name),
                                   (self.connection, target.connection_id, "")):
            i = combo.findData(value) if value else 0
            if i < 0 and value:
                combo.addItem(name or value, value)  # until the lists are read again
                combo.setItemData(combo.count() - 1, value, 3)
                i = combo.count() - 1
            combo.setCurrentIndex(max(i, 0))
        self._quiet = False

    def named(self, target: StreamTarget) -> StreamTarget:
        """``target`` with the names (and the connection's inlet and flow) the lists know filled in."""
        changes = {}
        ds = next((d for d in self._datasets if d["id"] == target.dataset_id), None)
        if ds and not target.dataset_name:
            changes["dataset_name"] = ds.get("name", "")
        schema = next((x for x in self._schemas if x["id"] == target.schema_id), None)
        if schema and not target.schema_title:
            changes["schema_title"] = schema.get("title", "")
        conn = next((c for c in self._connections if c["id"] == target.connection_id), None)
        if conn and not target.inlet_url:
            changes.update(inlet_url=conn.get("inlet_url", ""), flow_id=conn.get("flow_id", "") or target.flow_id,
                           source_name=conn.get("source_name", "") or target.source_name)
        return target.with_(**changes) if changes else target

    def unknown_ids(self, target: StreamTarget) -> list[str]:
        """Ids of ``target`` that the listed choices do not hold (created since the last listing)."""
        known = ({s["id"] for s in self._schemas}, {d["id"] for d in self._datasets},
                 {c["id"] for c in self._connections})
        wanted = (target.schema_id, target.dataset_id, target.connection_id)
        return [v for v, ids in zip(wanted, known, strict=True) if v and v not in ids]

    def _connection_changed(self) -> None:
        """A connection that names its dataset brings it along; one that does not gives back the
        dataset the user chose (never one a connection passed over on the way selected)."""
        if self._quiet:
            return
        conn = next((c for c in self._connections if c["id"] == self.connection.currentData()), None)
        want = conn.get("dataset_id") if conn and conn.get("dataset_id") else self._chosen_dataset
        i = self.dataset.findData(want) if want else 0
        if i >= 0 and i != self.dataset.currentIndex():
            self._quiet = True
            self.dataset.setCurrentIndex(i)
            self._quiet = False
            self._dataset_changed(by_user=False)
            return
        self._emit()

    def _dataset_changed(self, by_user: bool = True) -> None:
        if self._quiet:
            return
        if by_user:
            self._chosen_dataset = self.dataset.currentData() or ""
        ds = next((d for d in self._datasets if d["id"] == self.dataset.currentData()), None)
        if ds and ds.get("schema_id"):
            self._quiet = True
            i = self.schema.findData(ds["schema_id"])
            if i >= 0:
                self.schema.setCurrentIndex(i)
            self._quiet = False
        self._emit()

    def _emit(self) -> None:
        if self._quiet:
            return
        conn = next((c for c in self._connections if c["id"] == self.connection.currentData()), {})
        schema = next((s for s in self._schemas if s["id"] == self.schema.currentData()), {})
        ds = next((d for d in self._datasets if d["id"] == self.dataset.currentData()), {})
        self._emitted = StreamTarget(
            schema_id=self.schema.currentData() or "",
            schema_title=schema.get("title", ""),
            dataset_id=self.dataset.currentData() or "",
            dataset_name=ds.get("name", ""),
            connection_id=self.connection.currentData() or "",
            inlet_url=conn.get("inlet_url", ""),
            flow_id=conn.get("flow_id", ""),
            source_name=conn.get("source_name", ""),
        )
        self.target_picked.emit(self._emitted)
