"""Connection profiles: create, edit, delete, switch; Test connection; import a Developer
Console credential file or a Postman environment. The "Local sandbox" profile is built in."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..controllers.connections import ConnectionsController
from ..widgets.banner import Banner
from ..widgets.controls import button

LOCAL = "local-sandbox"


def _edit(name: str, tip: str, placeholder: str = "") -> QLineEdit:
    e = QLineEdit()
    e.setAccessibleName(name)
    e.setToolTip(tip)
    e.setPlaceholderText(placeholder)
    return e


class ConnectionsPage(QWidget):
    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Connection profiles")
        self.controller = ConnectionsController(ctx, self)
        c = self.controller

        self._use_after_save = False
        self.list = QListWidget()
        self.list.setAccessibleName("Connection profiles")
        self.list.setToolTip("Saved connection profiles; the active one is marked ●")
        self.new_btn = button("&New", "Start a new AEP connection profile")
        self.import_btn = button("&Import…", "Import a Developer Console credential file or a Postman environment")
        self.delete_btn = button("&Delete", "Delete the selected profile and forget its secret")
        left = QWidget()
        left_lay = QVBoxLayout(left)
        left_lay.setContentsMargins(0, 0, 0, 0)
        left_lay.addWidget(self.list, 1)
        row = QHBoxLayout()
        for b in (self.new_btn, self.import_btn, self.delete_btn):
            row.addWidget(b)
        left_lay.addLayout(row)

        self.name = _edit("Profile name", "A name for this profile", "e.g. ACME dev")
        self.target = QComboBox()
        self.target.addItem("Adobe Experience Platform", "aep")
        self.target.addItem("Local sandbox (embedded)", LOCAL)
        self.target.setAccessibleName("Target")
        self.target.setToolTip("Where this profile connects")
        self.client_id = _edit("Client id", "The OAuth Server-to-Server client id (API key)")
        self.secret = _edit("Client secret", "Stored in the system keyring, never in a file", "unchanged")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.org_id = _edit("Org id", "The IMS organisation id", "XXXXXXXXXXXXXXXXXXXXXXXX@AdobeOrg")
        self.sandbox = _edit("Sandbox name", "The AEP sandbox, lower case (e.g. prod, dev)", "prod")
        self.scopes = _edit("Scopes", "Comma-separated OAuth scopes")
        self.production = QCheckBox("This is a &production sandbox (ask before every send)")
        self.production.setAccessibleName("Production sandbox")
        self.production.setToolTip("Shows a red banner and asks for confirmation before anything is sent")
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        for label, w in (("Na&me", self.name), ("&Target", self.target), ("C&lient id", self.client_id),
                         ("Client s&ecret", self.secret), ("&Org id", self.org_id),
                         ("Sand&box", self.sandbox), ("Sc&opes", self.scopes)):
            lab = QLabel(label)
            lab.setBuddy(w)
            form.addRow(lab, w)
        form.addRow("", self.production)
        self.keyring_note = QLabel()
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setAccessibleName("Where the secret is stored")
        self.save_btn = button("&Save", "Save the profile (the secret goes to the keyring)")
        self.use_btn = button("&Use this profile", "Switch the console to this profile")
        self.test_btn = button("Test &connection", "Fetch a token and the Schema Registry /stats, and say what worked")
        buttons = QHBoxLayout()
        for b in (self.save_btn, self.use_btn, self.test_btn):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.banner = Banner("info", "")
        self.session_btn = button("&Keep the secret for this session only",
                                   "No usable keyring: keep the secret in memory until the console exits, and save")
        self.session_btn.setVisible(False)
        self.test_results = QListWidget()
        self.test_results.setAccessibleName("Connection test results")
        self.test_results.setToolTip("Each check of the last connection test")
        self.test_results.setMaximumHeight(140)
        box = QGroupBox("Profile")
        box_lay = QVBoxLayout(box)
        box_lay.addLayout(form)
        box_lay.addWidget(self.keyring_note)
        box_lay.addLayout(buttons)
        box_lay.addWidget(self.banner)
        box_lay.addWidget(self.session_btn, 0, Qt.AlignmentFlag.AlignLeft)
        box_lay.addWidget(self.test_results)
        box_lay.addStretch(1)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(box)
        split.setStretchFactor(1, 1)
        split.setSizes([260, 700])
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("<h2>Connection profiles</h2>"))
        lay.addWidget(split, 1)

        self.list.currentItemChanged.connect(self._selected)
        self.list.itemActivated.connect(lambda _i: self.use())
        self.new_btn.clicked.connect(self.new_profile)
        self.import_btn.clicked.connect(self.import_file)
        self.delete_btn.clicked.connect(self.delete)
        self.save_btn.clicked.connect(self.save)
        self.use_btn.clicked.connect(self.use)
        self.test_btn.clicked.connect(self.test)
        self.session_btn.clicked.connect(self.keep_for_session)
        self.target.currentIndexChanged.connect(self._target_changed)
        c.test_step.connect(self._test_step)
        c.test_finished.connect(lambda ok, msg: self.banner.set_message("success" if ok else "error", msg))
        ctx.profile_changed.connect(lambda _p: self.reload(keep=self.name.text()))
        ctx.session_failed.connect(lambda msg: self.banner.set_message("error", msg))
        # filled just after the first paint: reading the store imports the keyring (~60 ms)
        QTimer.singleShot(30, self, self.reload)

    # --- list ------------------------------------------------------------------------------------
    def reload(self, keep: str | None = None) -> None:
        active = getattr(self.ctx.profile, "name", None)
        self.list.blockSignals(True)
        self.list.clear()
        for p in self.controller.profiles():
            mark = "● " if p.name == active else "   "
            where = "local" if p.is_local else ("PRODUCTION" if p.production else p.sandbox_name)
            item = QListWidgetItem(f"{mark}{p.name}  ({where})")
            item.setData(Qt.ItemDataRole.UserRole, p.name)
            item.setToolTip(f"{p.name}: org {p.org_id}, sandbox {p.sandbox_name}" + (" (active)" if p.name == active else ""))
            self.list.addItem(item)
        self.list.blockSignals(False)
        names = [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]
        want = keep if keep in names else active if active in names else names[0] if names else None
        if want is not None:
            self.list.setCurrentRow(names.index(want))
            self._selected(self.list.currentItem(), None)

    def _selected(self, item, _prev) -> None:
        if item is None:
            return
        profile = self.controller.get(item.data(Qt.ItemDataRole.UserRole))
        if profile is not None:
            self.show_profile(profile)

    def show_profile(self, p) -> None:
        self.name.setText(p.name)
        self.target.setCurrentIndex(max(0, self.target.findData(p.target)))
        self.client_id.setText(p.client_id)
        self.org_id.setText(p.org_id)
        self.sandbox.setText(p.sandbox_name)
        self.scopes.setText(p.scopes)
        self.production.setChecked(p.production)
        self.secret.clear()
        self.secret.setPlaceholderText("demo secret (built in)" if p.is_local else "unchanged (stored in the keyring)")
        self.keyring_note.setText(self.controller.keyring_text(p))
        self.test_results.clear()
        self.banner.set_message("info", "")
        self._target_changed()

    def _target_changed(self) -> None:
        local = self.target.currentData() == LOCAL
        for w in (self.client_id, self.secret, self.org_id, self.scopes):
            w.setEnabled(not local)
        self.name.setEnabled(not (local and self.name.text() == "Local sandbox"))

    def form_values(self) -> dict:
        return {
            "name": self.name.text().strip(), "target": self.target.currentData(),
            "client_id": self.client_id.text().strip(), "org_id": self.org_id.text().strip(),
            "sandbox_name": self.sandbox.text().strip() or "prod", "scopes": self.scopes.text().strip(),
            "production": self.production.isChecked(),
        }

    # --- actions -------------------------------------------------------------------------------
    def new_profile(self) -> None:
        self.list.clearSelection()
        self.name.clear()
        self.target.setCurrentIndex(0)
        for w in (self.client_id, self.org_id, self.secret):
            w.clear()
        self.sandbox.setText("dev")
        self.scopes.setText(self.controller.default_scopes())
        self.production.setChecked(False)
        self.secret.setPlaceholderText("the client secret (goes to the keyring)")
        self.keyring_note.setText(self.controller.keyring_text(None))
        self.banner.set_message("info", "Fill in the profile and press Save.")
        self.name.setFocus()

    def save(self) -> bool:
        ok, msg = self.controller.save(self.form_values(), self.secret.text())
        if ok:
            self.secret.clear()
            self.reload(keep=self.form_values()["name"])
        self.banner.set_message("success" if ok else "error", msg)  # (after reload: it clears the banner)
        self.session_btn.setVisible(not ok and self.controller.keyring_failed)
        return ok

    def keep_for_session(self) -> None:
        """The keyring cannot be used: keep the typed secret in memory, save the rest, go on."""
        self.controller.keep_secrets_for_this_session()
        self.session_btn.setVisible(False)
        if self.save() and self._use_after_save:
            self._use_after_save = False
            self.use()

    def delete(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        name = item.data(Qt.ItemDataRole.UserRole)
        from PySide6.QtWidgets import QMessageBox  # (dialog classes: imported when used, not at start-up)

        if QMessageBox.question(self, "Delete profile", f"Delete the profile \u201c{name}\u201d and forget its secret?") \
                != QMessageBox.StandardButton.Yes:
            return
        ok, msg = self.controller.delete(name)
        self.reload()
        self.banner.set_message("success" if ok else "error", msg)

    def use(self) -> None:
        values = self.form_values()
        if self.controller.is_changed(values, self.secret.text()):
            # what was typed is saved first (never silently dropped); if it cannot be, nothing switches
            self._use_after_save = True
            if not self.save():
                return
            self._use_after_save = False
        item = self.list.currentItem()
        if item is None:
            return
        name = item.data(Qt.ItemDataRole.UserRole)
        self.banner.set_message("info", f"Switching to \u201c{name}\u201d…")
        self.controller.use(name)

    def test(self) -> None:
        self.test_results.clear()
        self.banner.set_message("info", "Testing…")
        self.controller.test(self.form_values(), self.secret.text())

    def _test_step(self, ok: bool, text: str) -> None:
        self.test_results.addItem(("✓ " if ok else "✗ ") + text)

    def import_file(self, path: str | None = None) -> None:
        if not path:
            from PySide6.QtWidgets import QFileDialog

            path, _ = QFileDialog.getOpenFileName(
                self, "Import credentials", "", "JSON (*.json);;All files (*)")
        if not path:
            return
        ok, msg, name = self.controller.import_file(path)
        if ok:
            self.reload(keep=name)
        self.banner.set_message("success" if ok else "error", msg)
