"""Profile view: look up a merged profile by namespace and identity value; see it as a tree
and as raw JSON, its identities and source datasets, and its experience events in a
sortable, virtualized table."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..controllers.profile_view import ProfileController
from ..models.events import EventsModel
from ..widgets.banner import Banner
from ..widgets.json_editor import JsonEditor
from ..widgets.json_tree import JsonTree
from ..widgets.tables import data_table

NAMESPACES = ("Email", "ECID", "Phone", "CRMID", "loyaltyId")


class ProfilesPage(QWidget):
    APPLY_MS = 100  # pages of events arriving meanwhile reach the table together
    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Profile view")
        self.controller = ProfileController(ctx, self)
        c = self.controller

        self.namespace = QComboBox()
        self.namespace.setEditable(True)
        self.namespace.addItems(NAMESPACES)
        self.namespace.setAccessibleName("Identity namespace")
        self.namespace.setToolTip("The identity namespace code, e.g. Email or ECID")
        self.identity = QLineEdit()
        self.identity.setPlaceholderText("identity value, e.g. someone@example.com")
        self.identity.setAccessibleName("Identity value")
        self.identity.setToolTip("The identity value to look up; Enter looks it up")
        self.lookup_btn = QPushButton("&Look up")
        self.lookup_btn.setToolTip("Fetch the merged profile and its experience events")
        self.lookup_btn.setAccessibleName("Look up profile")
        self.refresh_btn = QPushButton("&Refresh")
        self.refresh_btn.setToolTip("Fetch again: a new profile or event can take a moment to appear")
        self.refresh_btn.setAccessibleName("Refresh profile")
        ns_label = QLabel("&Namespace")
        ns_label.setBuddy(self.namespace)
        id_label = QLabel("&Identity")
        id_label.setBuddy(self.identity)
        bar = QHBoxLayout()
        bar.addWidget(ns_label)
        bar.addWidget(self.namespace)
        bar.addWidget(id_label)
        bar.addWidget(self.identity, 1)
        bar.addWidget(self.lookup_btn)
        bar.addWidget(self.refresh_btn)

        self.banner = Banner("info", "")
        self.summary = QLabel("No profile loaded.")
        self.summary.setAccessibleName("Profile summary")
        self.summary.setWordWrap(True)

        self.tree = JsonTree()
        self.tree.setAccessibleName("Merged profile tree")
        self.raw = JsonEditor(live_parse=False)
        self.raw.setReadOnly(True)
        self.raw.setAccessibleName("Merged profile JSON")
        self.raw.setToolTip("The merged profile as returned by the Profile Access API")
        self.identities = QTableWidget(0, 3)
        self.identities.setHorizontalHeaderLabels(["Namespace", "Identity", "Primary"])
        self.identities.setAccessibleName("Identities")
        self.identities.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.identities.verticalHeader().setVisible(False)
        self.identities.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.sources = QListWidget()
        self.sources.setAccessibleName("Source datasets")
        self.sources.setToolTip("Datasets the profile's fragments come from")

        self.events = EventsModel(self)
        self._pending_events: list = []
        self._apply_timer = QTimer(self)
        self._apply_timer.setSingleShot(True)
        self._apply_timer.setInterval(self.APPLY_MS)
        self._apply_timer.timeout.connect(self._apply_events)
        self.events_view = data_table(
            self.events, "Experience events", "The profile's experience events; click a header to sort",
            widths=(160, 170, 220), sort=(0, Qt.SortOrder.DescendingOrder), single=False,
        )
        self.event_detail = JsonEditor(live_parse=False)
        self.event_detail.setReadOnly(True)
        self.event_detail.setAccessibleName("Selected event")
        ev_split = QSplitter(Qt.Orientation.Vertical)
        ev_split.addWidget(self.events_view)
        ev_split.addWidget(self.event_detail)
        ev_split.setStretchFactor(0, 3)
        ev_split.setStretchFactor(1, 1)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Profile details")
        self.tabs.addTab(self.tree, "Tree")
        self.tabs.addTab(self.raw, "Raw JSON")
        self.tabs.addTab(self.identities, "Identities")
        self.tabs.addTab(self.sources, "Sources")
        self.tabs.addTab(ev_split, "Events (0)")

        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("<h2>Profiles</h2>"))
        lay.addLayout(bar)
        lay.addWidget(self.banner)
        lay.addWidget(self.summary)
        lay.addWidget(self.tabs, 1)

        self.lookup_btn.clicked.connect(self.lookup)
        self.identity.returnPressed.connect(self.lookup)
        self.refresh_btn.clicked.connect(self.lookup)
        self.events_view.selectionModel().currentRowChanged.connect(self._event_selected)
        c.profile_loaded.connect(self.show_profile)
        c.events_page.connect(self.add_events)
        c.events_loaded.connect(self.show_events)
        c.failed.connect(lambda msg: self.banner.set_message("error", msg))
        c.not_found.connect(self._not_found)
        ctx.session_ready.connect(self._session_changed)
        self.events.modelReset.connect(lambda: self.event_detail.setPlainText(""))

    def lookup(self) -> None:
        ns, value = self.namespace.currentText().strip(), self.identity.text().strip()
        if not value:
            self.banner.set_message("warning", "Type an identity value to look up.")
            self.identity.setFocus()
            return
        self.banner.set_message("info", f"Looking up {ns}:{value}…")
        if self.controller.last != (ns, value):
            self.clear_profile()  # another identity: nothing of the previous person stays on screen
        self.controller.lookup(ns, value)

    def look_up(self, namespace: str, value: str) -> None:
        self.namespace.setCurrentText(namespace)
        self.identity.setText(value)
        self.lookup()

    def clear_profile(self) -> None:
        """Empty every pane that shows the looked-up person."""
        self._apply_timer.stop()
        self._pending_events.clear()
        self.summary.setText("No profile loaded.")
        self.tree.clear()
        self.raw.setPlainText("")
        self.identities.setRowCount(0)
        self.sources.clear()
        self.events.clear()
        self.event_detail.setPlainText("")
        self.tabs.setTabText(4, "Events (0)")

    def _not_found(self, text: str) -> None:
        self.clear_profile()
        self.banner.set_message("warning", text)

    def _session_changed(self, _session) -> None:
        self.controller.last = None
        self.clear_profile()
        self.banner.set_message("info", "")

    def show_profile(self, view) -> None:
        """``view``: ProfileViewData (xid, entity, identities, sources, last_modified, raw)."""
        self.banner.set_message("info", "")
        self.summary.setText(
            f"Profile {view.xid} · {len(view.identities)} identit{'y' if len(view.identities) == 1 else 'ies'} · "
            f"{len(view.sources)} source dataset{'' if len(view.sources) == 1 else 's'}"
            + (f" · last modified {view.last_modified}" if view.last_modified else "")
        )
        self.event_detail.setPlainText("")
        self.tree.set_value(view.entity)
        self.raw.setPlainText(json.dumps(view.raw, indent=2, ensure_ascii=False))
        self.identities.setRowCount(len(view.identities))
        for i, (ns, ident, primary) in enumerate(view.identities):
            for col, text in enumerate((ns, ident, "yes" if primary else "")):
                self.identities.setItem(i, col, QTableWidgetItem(text))
        self.sources.clear()
        self.sources.addItems(view.source_names or view.sources)

    def add_events(self, rows: list, reset: bool) -> None:
        """A page of events: the first one is shown at once (replacing what was shown); the next ones
        reach the table together every APPLY_MS (one insert, re-sort and repaint per batch)."""
        if reset:
            self._pending_events.clear()
            self._apply_timer.stop()
            self.events.set_rows(rows)
            self.tabs.setTabText(4, f"Events ({len(rows):,}…)")
            return
        self._pending_events.extend(rows)
        if not self._apply_timer.isActive():
            self._apply_timer.start()

    def _apply_events(self) -> None:
        rows, self._pending_events = self._pending_events, []
        self.events.add_rows(rows)
        self.tabs.setTabText(4, f"Events ({self.events.rowCount():,}…)")

    def show_events(self, rows: list) -> None:
        """Every event is read: the last ones go to the table now."""
        self._apply_timer.stop()
        if self._pending_events:
            self._apply_events()
        self.tabs.setTabText(4, f"Events ({len(rows):,})")

    def _event_selected(self, current, _previous) -> None:
        row = self.events.row_at(current)
        if row is None:
            self.event_detail.setPlainText("")
        else:
            self.event_detail.setPlainText(json.dumps(row.get("entity", row), indent=2, ensure_ascii=False))
