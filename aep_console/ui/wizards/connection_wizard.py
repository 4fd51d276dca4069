"""Streaming connection wizard: the tutorial's connection or the HTTP API route (base →
source → target → dataflow); name, source name, dataset; ends with the CONNECTION_ID and
inlet URL to copy, and the note that a new flow needs a few minutes on real AEP."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWizardPage,
)

from ..controllers import resources
from ..controllers.resources import ResourcesController
from .common import SetupWizard, note_label


class ConnectionPage(QWizardPage):
    def __init__(self, wizard: ConnectionWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("Streaming connection")
        self.setSubTitle("Where records are posted: the connection's CONNECTION_ID (inlet).")
        self.tutorial = QRadioButton("The &tutorial's streaming connection (one call)")
        self.http_api = QRadioButton("The &HTTP API route: connection → source → target → dataflow")
        self.tutorial.setChecked(True)
        for r in (self.tutorial, self.http_api):
            r.setAccessibleName(r.text().replace("&", ""))
        group = QButtonGroup(self)
        group.addButton(self.tutorial)
        group.addButton(self.http_api)
        self.name = QLineEdit()
        self.name.setAccessibleName("Connection name")
        self.name.setPlaceholderText("e.g. Loyalty streaming")
        self.source = QLineEdit()
        self.source.setAccessibleName("Source name")
        self.source.setToolTip("The source name carried in each message's header (optional)")
        self.source.setPlaceholderText("defaults to the connection name")
        self.dataset = QComboBox()
        self.dataset.setAccessibleName("Dataset")
        self.dataset.setToolTip("The dataset the records go to (the dataflow's target on the HTTP API route)")
        self.dataset.setMinimumContentsLength(30)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        form = QFormLayout()
        for text, w in (("&Name", self.name), ("S&ource name", self.source), ("&Dataset", self.dataset)):
            lab = QLabel(text)
            lab.setBuddy(w)
            form.addRow(lab, w)
        lay = QVBoxLayout(self)
        lay.addWidget(self.tutorial)
        lay.addWidget(self.http_api)
        lay.addLayout(form)
        lay.addWidget(self.status)
        lay.addWidget(note_label("On real AEP a new dataflow needs a few minutes before it accepts data.", "info"))
        lay.addStretch(1)
        self.registerField("connection_name*", self.name)
        self.http_api.toggled.connect(lambda _on: self.completeChanged.emit())
        self.dataset.currentIndexChanged.connect(lambda _i: self.completeChanged.emit())
        self._datasets: list[dict] = []
        self._loaded = False

    def initializePage(self) -> None:
        if not self._loaded:
            self.status.setText("Loading datasets…")
            self._wizard.lists.fetch("datasets", resources.datasets, self.set_datasets,
                                     lambda exc: self.status.setText(f"Could not list datasets: {exc}"))

    def set_datasets(self, rows: list[dict]) -> None:
        self._loaded = True
        self._datasets = rows
        self.dataset.clear()
        self.dataset.addItem("— none (choose in the record editor) —", "")
        for d in rows:
            self.dataset.addItem(f"{d['name']}" + ("  (Profile)" if d["profile"] else ""), d["id"])
        want = self._wizard.ctx.target.dataset_id
        i = self.dataset.findData(want) if want else -1
        if i >= 0:
            self.dataset.setCurrentIndex(i)
        self.status.setText("")
        self.completeChanged.emit()

    def selected_dataset(self) -> dict | None:
        did = self.dataset.currentData()
        return next((d for d in self._datasets if d["id"] == did), None)

    def isComplete(self) -> bool:
        if not super().isComplete():
            return False
        return not self.http_api.isChecked() or self.selected_dataset() is not None


class ConnectionWizard(SetupWizard):
    job_name = "connection"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.setWindowTitle("New streaming connection")
        self.lists = ResourcesController(ctx, self)
        self.page_ = ConnectionPage(self)
        self.addPage(self.page_)
        self.add_review_and_run()

    @property
    def route(self) -> str:
        return "http-api" if self.page_.http_api.isChecked() else "tutorial"

    def planned_calls(self) -> list[str]:
        p = self.page_
        name = p.name.text().strip()
        calls = [f"POST /flowservice/connections: streaming connection \u201c{name}\u201d",
                 "GET /flowservice/connections/{id}: read its inletId (CONNECTION_ID) and inlet URL"]
        if self.route == "http-api":
            d = p.selected_dataset() or {}
            calls += ["POST /flowservice/sourceConnections: source connection",
                      f"POST /flowservice/targetConnections: target connection to dataset \u201c{d.get('name', '?')}\u201d",
                      "POST /flowservice/flows: dataflow from source to target"]
        return calls

    def review_notes(self) -> str:
        return "If a step fails, or you cancel, the connections and flow created so far are deleted."

    def make_job(self):
        p = self.page_
        name, route = p.name.text().strip(), self.route
        d = p.selected_dataset() or {}

        async def job(workflows):
            return await workflows.streaming_connection(name, route=route, dataset_id=d.get("id") or None,
                                                        schema_id=d.get("schema_id") or None)

        return job

    def created_fields(self, created: dict) -> list[tuple[str, str]]:
        names = [("connection_id", "CONNECTION_ID (inlet id)"), ("inlet_url", "Inlet URL"),
                 ("flow_id", "Dataflow id"), ("base_connection_id", "Base connection id"),
                 ("source_connection_id", "Source connection id"), ("target_connection_id", "Target connection id")]
        return [(label, created[key]) for key, label in names if created.get(key)]

    def success_note(self, created: dict) -> str:
        return ("Post records to the inlet URL. On real AEP a new dataflow needs a few minutes before it accepts "
                "data; the local sandbox accepts it at once.")

    def on_success(self, created: dict) -> None:
        p = self.page_
        d = p.selected_dataset() or {}
        changes = {"connection_id": created.get("connection_id", ""), "inlet_url": created.get("inlet_url", ""),
                   "flow_id": created.get("flow_id", ""), "source_name": p.source.text().strip()}
        if d:
            changes.update(dataset_id=d["id"], dataset_name=d["name"], schema_id=d.get("schema_id") or self.ctx.target.schema_id)
            if created.get("connection_id") and not created.get("flow_id"):
                # the tutorial route links no dataset in AEP: the console remembers the one chosen here
                from ...services.console_state import remember_connection_dataset

                remember_connection_dataset(created["connection_id"], d["id"], d.get("schema_id") or "")
        self.ctx.update_target(**changes)
        self.ctx.resources_changed.emit("connections")
