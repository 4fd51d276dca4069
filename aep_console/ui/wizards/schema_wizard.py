"""Schema wizard: class first (then locked), field groups from the registry with search, a
tenant field group editor for custom fields, the primary identity and namespace, Profile
enablement (with the warning that it cannot be undone); then review, create, ids to copy."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWizardPage,
)

from ..controllers import resources
from ..controllers.resources import EVENT_CLASS, PROFILE_CLASS, ResourcesController
from .common import SetupWizard, note_label
from .tenant_fields import TenantFieldsEditor

STANDARD_NAMESPACES = ("Email", "ECID", "Phone", "CRMID")


class ClassPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Schema and class")
        self.setSubTitle("The class is chosen first and cannot be changed once the schema has field groups.")
        self.title_edit = QLineEdit()
        self.title_edit.setAccessibleName("Schema title")
        self.title_edit.setToolTip("A unique title for the schema")
        self.title_edit.setPlaceholderText("e.g. Loyalty members")
        self.profile_radio = QRadioButton("XDM &Individual Profile (record: who someone is)")
        self.event_radio = QRadioButton("XDM &ExperienceEvent (time series: what someone did)")
        self.profile_radio.setChecked(True)
        for r in (self.profile_radio, self.event_radio):
            r.setAccessibleName(r.text().replace("&", ""))
        self.group = QButtonGroup(self)
        self.group.addButton(self.profile_radio)
        self.group.addButton(self.event_radio)
        self.lock_note = QLabel("")
        self.lock_note.setWordWrap(True)
        form = QFormLayout()
        lab = QLabel("&Title")
        lab.setBuddy(self.title_edit)
        form.addRow(lab, self.title_edit)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(QLabel("Class:"))
        lay.addWidget(self.profile_radio)
        lay.addWidget(self.event_radio)
        lay.addWidget(self.lock_note)
        lay.addStretch(1)
        self.registerField("title*", self.title_edit)

    @property
    def class_id(self) -> str:
        return EVENT_CLASS if self.event_radio.isChecked() else PROFILE_CLASS

    def lock(self) -> None:
        self.profile_radio.setEnabled(False)
        self.event_radio.setEnabled(False)
        self.lock_note.setText("The class is locked: start a new schema for another class.")


class FieldGroupsPage(QWizardPage):
    def __init__(self, wizard: SchemaWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("Field groups")
        self.setSubTitle("Pick the standard field groups the records use (search by name).")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search field groups…")
        self.search.setAccessibleName("Search field groups")
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Field groups")
        self.list.setToolTip("Check the field groups to include (Space toggles)")
        self.status = QLabel("Loading field groups from the registry…")
        lay = QVBoxLayout(self)
        lay.addWidget(self.search)
        lay.addWidget(self.list, 1)
        lay.addWidget(self.status)
        self.search.textChanged.connect(self._filter)
        self._loaded_for: str | None = None

    def initializePage(self) -> None:
        w = self._wizard
        w.class_page.lock()
        if self._loaded_for == w.class_page.class_id:
            return
        self._loaded_for = w.class_page.class_id
        self.list.clear()
        w.lists.fetch("fieldgroups", resources.fieldgroups, self.set_groups,
                      lambda exc: self.status.setText(f"Could not list field groups: {exc}"), w.class_page.class_id)

    def set_groups(self, groups: list[dict]) -> None:
        self.list.clear()
        defaults = set(self._wizard.default_groups())
        for g in groups:
            item = QListWidgetItem(g["title"] + ("  (tenant)" if g.get("tenant") else ""))
            item.setData(Qt.ItemDataRole.UserRole, g["id"])
            item.setToolTip(f"{g['id']}\n{g.get('description', '')}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if g["id"] in defaults else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.status.setText(f"{len(groups)} field groups fit this class.")
        self._filter(self.search.text())

    def _filter(self, text: str) -> None:
        t = text.lower().strip()
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setHidden(bool(t) and t not in item.text().lower() and t not in item.toolTip().lower())

    def selected(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def check(self, titles_or_ids: list[str]) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) in titles_or_ids or item.text() in titles_or_ids:
                item.setCheckState(Qt.CheckState.Checked)


class TenantFieldsPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Custom fields")
        self.setSubTitle("Fields of your own, in a tenant field group (they live under _{tenant}).")
        self.group_title = QLineEdit()
        self.group_title.setAccessibleName("Tenant field group title")
        self.group_title.setPlaceholderText("e.g. Loyalty details")
        self.editor = TenantFieldsEditor()
        self.sample = QPlainTextEdit()
        self.sample.setAccessibleName("Sample record")
        self.sample.setPlaceholderText('Or paste a sample record, e.g. {"_tenant": {"loyaltyID": "a@b.c", "points": 10}}')
        self.sample.setToolTip("Its tenant object's fields (or a flat record's fields) become custom fields, typed")
        self.sample.setMaximumHeight(90)
        self.infer_btn = QPushButton("Add &fields from the sample")
        self.infer_btn.setAccessibleName("Add fields from the sample record")
        self.infer_note = QLabel("")
        self.infer_note.setWordWrap(True)
        form = QFormLayout()
        lab = QLabel("Field &group title")
        lab.setBuddy(self.group_title)
        form.addRow(lab, self.group_title)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.editor, 1)
        lay.addWidget(self.sample)
        row = QHBoxLayout()
        row.addWidget(self.infer_btn)
        row.addWidget(self.infer_note, 1)
        lay.addLayout(row)
        self.infer_btn.clicked.connect(self.infer_from_sample)

    def infer_from_sample(self) -> None:
        """Custom fields from the pasted sample record: one row per scalar field, its type guessed."""
        import json

        from ...xdm.infer import infer_fields

        try:
            inference = infer_fields(json.loads(self.sample.toPlainText()))
        except ValueError as exc:
            self.infer_note.setText(f"Not a sample record: {exc}")
            return
        have = set(self.editor.field_names())
        added = [f for f in inference.fields if f.name not in have]
        for f in added:
            self.editor.add_field(f.name, f.type, False, "", f.format)
        where = f"its {inference.tenant_key} object" if inference.tenant_key else "the record"
        note = f"Added {len(added)} field(s) from {where}" + (
            f"; left out {', '.join(inference.skipped)} (objects or arrays)" if inference.skipped else "")
        self.infer_note.setText(note + ". Tick Required where every record has the field.")

    def initializePage(self) -> None:
        if not self.group_title.text():
            self.group_title.setText(f"{self.field('title')} fields")

    def validatePage(self) -> bool:
        return self.editor.check()


class IdentityPage(QWizardPage):
    def __init__(self, wizard: SchemaWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("Primary identity and Profile")
        self.setSubTitle("The field that identifies the person, and its identity namespace.")
        self.field_combo = QComboBox()
        self.field_combo.setEditable(True)
        self.field_combo.setAccessibleName("Primary identity field")
        self.field_combo.setToolTip("A custom field name, or an absolute path such as /personalEmail/address")
        self.namespace = QComboBox()
        self.namespace.setEditable(True)
        self.namespace.addItems(STANDARD_NAMESPACES)
        self.namespace.setAccessibleName("Identity namespace")
        self.namespace.setToolTip("The identity namespace code of the primary identity")
        self.no_identity = QCheckBox("&No primary identity")
        self.no_identity.setAccessibleName("No primary identity")
        self.union = QCheckBox("Enable the schema for &Profile")
        self.union.setChecked(True)
        self.union.setAccessibleName("Enable for Profile")
        self.union.setToolTip("Adds the union tag: the schema's data can merge into Real-Time Customer Profiles")
        self.warning = note_label("Enabling a schema for Profile cannot be undone: the union tag can never be removed, "
                                  "and the schema can then only change in additive ways.")
        form = QFormLayout()
        for text, w in (("Identity &field", self.field_combo), ("&Namespace", self.namespace)):
            lab = QLabel(text)
            lab.setBuddy(w)
            form.addRow(lab, w)
        form.addRow("", self.no_identity)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.union)
        lay.addWidget(self.warning)
        lay.addStretch(1)
        self.union.toggled.connect(self.warning.setVisible)
        self.no_identity.toggled.connect(lambda on: (self.field_combo.setEnabled(not on), self.namespace.setEnabled(not on)))

    def initializePage(self) -> None:
        current = self.field_combo.currentText()
        self.field_combo.clear()
        names = self._wizard.fields_page.editor.field_names()
        self.field_combo.addItems([*names, "/personalEmail/address", "/workEmail/address", "/identityMap"])
        if current:
            self.field_combo.setCurrentText(current)
        elif names:
            self.field_combo.setCurrentIndex(0)
        self._wizard.lists.fetch("namespaces", resources.namespaces, self._namespaces)

    def _namespaces(self, rows: list[dict]) -> None:
        keep = self.namespace.currentText()
        self.namespace.clear()
        codes = [r["code"] for r in rows] or list(STANDARD_NAMESPACES)
        self.namespace.addItems(codes)
        self.namespace.setCurrentText(keep if keep else "Email")


class SchemaWizard(SetupWizard):
    job_name = "schema"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.setWindowTitle("New schema")
        self.lists = ResourcesController(ctx, self)
        self.class_page = ClassPage()
        self.groups_page = FieldGroupsPage(self)
        self.fields_page = TenantFieldsPage()
        self.identity_page = IdentityPage(self)
        for p in (self.class_page, self.groups_page, self.fields_page, self.identity_page):
            self.addPage(p)
        self.add_review_and_run()

    def default_groups(self) -> list[str]:
        if self.class_page.class_id == PROFILE_CLASS:
            return ["https://ns.adobe.com/xdm/context/profile-person-details",
                    "https://ns.adobe.com/xdm/context/profile-personal-details"]
        return []

    # --- the spec --------------------------------------------------------------------------------
    def spec(self):
        from ...services.setup import SchemaSpec

        ip = self.identity_page
        identity = None if ip.no_identity.isChecked() else (ip.field_combo.currentText().strip() or None)
        return SchemaSpec(
            title=self.class_page.title_edit.text().strip(), class_id=self.class_page.class_id,
            field_groups=self.groups_page.selected(),
            tenant_group_title=self.fields_page.group_title.text().strip() or None,
            tenant_fields=self.fields_page.editor.properties(),
            identity_field=identity, identity_namespace=ip.namespace.currentText().strip() or "Email",
            union=ip.union.isChecked(), tenant_required=self.fields_page.editor.required_names(),
        )

    def planned_calls(self) -> list[str]:
        spec = self.spec()
        calls = []
        if spec.tenant_fields:
            calls.append(f"POST /schemaregistry/tenant/fieldgroups: field group \u201c{spec.tenant_group_title}\u201d "
                         f"with {len(spec.tenant_fields)} custom field(s)")
        calls.append(f"POST /schemaregistry/tenant/schemas: schema \u201c{spec.title}\u201d "
                     f"(class + {len(spec.field_groups)} field group(s))")
        if spec.identity_field:
            calls.append(f"POST /schemaregistry/tenant/descriptors: primary identity {spec.identity_field} "
                         f"({spec.identity_namespace})")
        if spec.union:
            calls.append("PATCH /schemaregistry/tenant/schemas/{id}: add the union tag (enable for Profile)")
        return calls

    def review_notes(self) -> str:
        return "If a step fails, or you cancel, the field group, schema and descriptor created so far are deleted."

    def make_job(self):
        spec = self.spec()

        async def job(workflows):
            if spec.class_id == EVENT_CLASS:
                return await workflows.event_schema(spec)
            return await workflows.profile_schema(spec)

        return job

    def created_fields(self, created: dict) -> list[tuple[str, str]]:
        names = {"schema_id": "Schema $id", "schema_alt_id": "Schema meta:altId", "fieldgroup_id": "Field group $id",
                 "descriptor_id": "Identity descriptor @id"}
        return [(names.get(k, k), v) for k, v in created.items()]

    def on_success(self, created: dict) -> None:
        spec = self.spec()
        self.ctx.update_target(schema_id=created.get("schema_id", ""), schema_title=spec.title)
        self.ctx.resources_changed.emit("schemas")
