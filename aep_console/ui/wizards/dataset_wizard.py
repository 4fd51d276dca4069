"""Dataset wizard: pick a schema, name the dataset, enable Profile and Identity before the
first ingestion (later enablement does not backfill); review, create, copy the id."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWizardPage

from ..controllers import resources
from ..controllers.resources import ResourcesController
from .common import SetupWizard, note_label


class DatasetPage(QWizardPage):
    def __init__(self, wizard: DatasetWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("Dataset")
        self.setSubTitle("A dataset stores records of one schema.")
        self.name = QLineEdit()
        self.name.setAccessibleName("Dataset name")
        self.name.setToolTip("A unique dataset name")
        self.name.setPlaceholderText("e.g. Loyalty members dataset")
        self.schema = QComboBox()
        self.schema.setAccessibleName("Schema")
        self.schema.setToolTip("The schema of the dataset's records")
        self.schema.setMinimumContentsLength(30)
        self.profile = QCheckBox("Enable for &Profile and Identity (recommended, before the first ingestion)")
        self.profile.setChecked(True)
        self.profile.setAccessibleName("Enable for Profile and Identity")
        self.profile.setToolTip("Sets the unifiedProfile and unifiedIdentity tags")
        self.warning = note_label(
            "Enable now: enabling a dataset for Profile later does not backfill. Records ingested before "
            "enablement never reach the profile.")
        self.schema_note = QLabel("")
        self.schema_note.setWordWrap(True)
        form = QFormLayout()
        for text, w in (("&Name", self.name), ("&Schema", self.schema)):
            lab = QLabel(text)
            lab.setBuddy(w)
            form.addRow(lab, w)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.schema_note)
        lay.addWidget(self.profile)
        lay.addWidget(self.warning)
        lay.addStretch(1)
        self.registerField("dataset_name*", self.name)
        self.schema.currentIndexChanged.connect(self._schema_changed)
        self.profile.toggled.connect(self._schema_changed)
        self._schemas: list[dict] = []
        self._loaded = False

    def initializePage(self) -> None:
        if not self._loaded:
            self.schema_note.setText("Loading schemas…")
            self._wizard.lists.fetch("schemas", resources.schemas, self.set_schemas,
                                     lambda exc: self.schema_note.setText(f"Could not list schemas: {exc}"))

    def set_schemas(self, rows: list[dict]) -> None:
        self._loaded = True
        self._schemas = rows
        self.schema.clear()
        for s in rows:
            kind = "event" if s["class"].endswith("experienceevent") else "profile" if s["class"].endswith("/profile") else "other"
            self.schema.addItem(f"{s['title']}  ({kind}{', Profile' if s['union'] else ''})", s["id"])
        want = self._wizard.preset_schema or self._wizard.ctx.target.schema_id
        i = self.schema.findData(want) if want else -1
        if i >= 0:
            self.schema.setCurrentIndex(i)
        self._schema_changed()
        self.completeChanged.emit()

    def selected_schema(self) -> dict | None:
        sid = self.schema.currentData()
        return next((s for s in self._schemas if s["id"] == sid), None)

    def _schema_changed(self, *_a) -> None:
        s = self.selected_schema()
        if s is None:
            self.schema_note.setText("No schema yet: create one with the schema wizard first." if self._loaded else "")
            return
        if self.profile.isChecked() and not s["union"]:
            self.schema_note.setText(f"Schema {s['id']} is not enabled for Profile: the dataset's records would "
                                     "not reach profiles. Enable the schema first, or untick Profile.")
        else:
            self.schema_note.setText(f"Schema {s['id']}")

    def isComplete(self) -> bool:
        return super().isComplete() and self.selected_schema() is not None


class DatasetWizard(SetupWizard):
    job_name = "dataset"

    def __init__(self, ctx, parent=None, *, schema_id: str = "") -> None:
        super().__init__(ctx, parent)
        self.setWindowTitle("New dataset")
        self.preset_schema = schema_id
        self.lists = ResourcesController(ctx, self)
        self.dataset_page = DatasetPage(self)
        self.addPage(self.dataset_page)
        self.add_review_and_run()

    def planned_calls(self) -> list[str]:
        p = self.dataset_page
        s = p.selected_schema() or {}
        tags = ' with tags unifiedProfile + unifiedIdentity ["enabled:true"]' if p.profile.isChecked() else ""
        return [f"POST /catalog/dataSets: dataset \u201c{p.name.text().strip()}\u201d of schema "
                f"\u201c{s.get('title', '?')}\u201d{tags}"]

    def review_notes(self) -> str:
        return "If the call fails, nothing is left behind."

    def make_job(self):
        p = self.dataset_page
        name, schema_id, profile = p.name.text().strip(), p.schema.currentData(), p.profile.isChecked()

        async def job(workflows):
            return await workflows.dataset(name, schema_id, profile=profile)

        return job

    def created_fields(self, created: dict) -> list[tuple[str, str]]:
        return [("Dataset id", created.get("dataset_id", ""))]

    def on_success(self, created: dict) -> None:
        p = self.dataset_page
        s = p.selected_schema() or {}
        self.ctx.update_target(dataset_id=created.get("dataset_id", ""), dataset_name=p.name.text().strip(),
                               schema_id=s.get("id", self.ctx.target.schema_id),
                               schema_title=s.get("title", self.ctx.target.schema_title))
        self.ctx.resources_changed.emit("datasets")
