"""Dataflow wizard: source connection → target connection → dataflow on an existing streaming connection, into
a chosen dataset (what a legacy 2020 connection lacks today); ends with the dataflow id, and the editor's
target then names it."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QVBoxLayout, QWizardPage

from ..controllers import resources
from ..controllers.resources import ResourcesController
from .common import SetupWizard, note_label


class DataflowPage(QWizardPage):
    def __init__(self, wizard: DataflowWizard) -> None:
        super().__init__()
        self._wizard = wizard
        conn = wizard.connection
        self.setTitle("Dataflow into a dataset")
        self.setSubTitle(f"From the streaming connection \u201c{conn.get('name') or conn['id']}\u201d: every message "
                         "to the dataset then carries this dataflow's id, as today's AEP requires.")
        self.dataset = QComboBox()
        self.dataset.setAccessibleName("Dataset")
        self.dataset.setToolTip("The dataset the dataflow writes to")
        self.dataset.setMinimumContentsLength(30)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        form = QFormLayout()
        label = QLabel("&Dataset")
        label.setBuddy(self.dataset)
        form.addRow(label, self.dataset)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.status)
        lay.addWidget(note_label("On real AEP a new dataflow needs a few minutes before it accepts data.", "info"))
        lay.addStretch(1)
        self.dataset.currentIndexChanged.connect(lambda _i: self.completeChanged.emit())
        self._datasets: list[dict] = []
        self.loaded = False

    def initializePage(self) -> None:
        if not self.loaded:
            self.status.setText("Loading datasets…")
            self._wizard.lists.fetch("datasets", resources.datasets, self.set_datasets,
                                     lambda exc: self.status.setText(f"Could not list datasets: {exc}"))

    def set_datasets(self, rows: list[dict]) -> None:
        self.loaded = True
        self._datasets = rows
        self.dataset.clear()
        self.dataset.addItem("— choose —", "")
        for d in rows:
            self.dataset.addItem(f"{d['name']}" + ("  (Profile)" if d["profile"] else ""), d["id"])
        self.status.setText("")
        self.completeChanged.emit()

    def selected_dataset(self) -> dict | None:
        return next((d for d in self._datasets if d["id"] == self.dataset.currentData()), None)

    def isComplete(self) -> bool:
        return self.selected_dataset() is not None


class DataflowWizard(SetupWizard):
    job_name = "dataflow"

    def __init__(self, ctx, connection: dict, parent=None) -> None:
        """``connection``: a row of the streaming connections list (``id`` = inlet id, ``name``)."""
        super().__init__(ctx, parent)
        self.connection = connection
        self.setWindowTitle("Add a dataflow")
        self.lists = ResourcesController(ctx, self)
        self.page_ = DataflowPage(self)
        self.addPage(self.page_)
        self.add_review_and_run()

    def planned_calls(self) -> list[str]:
        d = self.page_.selected_dataset() or {}
        return ["GET /flowservice/connections?property=auth.params.inletId==…: the base connection",
                "POST /flowservice/sourceConnections: source connection",
                f"POST /flowservice/targetConnections: target connection to dataset \u201c{d.get('name', '?')}\u201d",
                "POST /flowservice/flows: dataflow from source to target"]

    def review_notes(self) -> str:
        return "If a step fails, or you cancel, the connections and flow created so far are deleted."

    def make_job(self):
        conn_id = self.connection["id"]
        d = self.page_.selected_dataset() or {}

        async def job(workflows):
            return await workflows.add_dataflow(conn_id, d["id"], schema_id=d.get("schema_id") or None)

        return job

    def created_fields(self, created: dict) -> list[tuple[str, str]]:
        names = [("flow_id", "Dataflow id"), ("source_connection_id", "Source connection id"),
                 ("target_connection_id", "Target connection id"), ("connection_id", "CONNECTION_ID (inlet id)")]
        return [(label, created[key]) for key, label in names if created.get(key)]

    def success_note(self, created: dict) -> str:
        return ("Messages to the dataset now carry this dataflow's id. On real AEP a new dataflow needs a few "
                "minutes before it accepts data; the local sandbox accepts it at once.")

    def on_success(self, created: dict) -> None:
        d = self.page_.selected_dataset() or {}
        self.ctx.update_target(connection_id=self.connection["id"], inlet_url=self.connection.get("inlet_url", ""),
                               dataset_id=d["id"], dataset_name=d["name"],
                               schema_id=d.get("schema_id") or self.ctx.target.schema_id,
                               flow_id=created.get("flow_id", ""))
        self.ctx.resources_changed.emit("connections")
