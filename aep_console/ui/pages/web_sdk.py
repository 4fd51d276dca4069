"""Web SDK: the third route into AEP, websites through the Edge Network. Choose or create a datastream (local
sandbox) or paste its id (AEP); for the record in the record editor, the ``alloy("configure", …)`` /
``alloy("sendEvent", …)`` code and a minimal test page; "Send as the Web SDK would" makes the Edge call from the
console (its exchange appears in the stream inspector)."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...services.web_sdk import WebSdkError, WebSdkTarget, browser_hint, example_page, snippet
from ..controllers.web_sdk import WebSdkController
from ..widgets.banner import Banner
from ..widgets.controls import button


def _code_box(name: str, tip: str) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setReadOnly(True)
    box.setAccessibleName(name)
    box.setToolTip(tip)
    box.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    return box


class WebSdkPage(QWidget):
    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Web SDK")
        self.controller = WebSdkController(ctx, self)
        c = self.controller

        self.datastreams = QComboBox()
        self.datastreams.setAccessibleName("Sandbox datastreams")
        self.datastreams.setToolTip("The local sandbox's datastreams; choosing one fills in its id")
        self.refresh_btn = button("&Refresh", "List the local sandbox's datastreams again", "Refresh datastreams")
        self.dataset = QComboBox()
        self.dataset.setAccessibleName("Event dataset")
        self.dataset.setToolTip("The ExperienceEvent dataset a new datastream sends events to")
        self._wanted_dataset = ""  # the send target's dataset: chosen here when it is an ExperienceEvent one
        self.create_btn = button("&Create datastream", "Create a datastream on the local sandbox for this dataset",
                                  "Create datastream")
        self.datastream_id = QLineEdit()
        self.datastream_id.setAccessibleName("Datastream id")
        self.datastream_id.setPlaceholderText("datastream id (AEP: copy it from Data Collection → Datastreams)")
        self.datastream_id.setToolTip("The datastream the Web SDK sends to (alloy's datastreamId)")
        picks = QHBoxLayout()
        picks.addWidget(self.datastreams, 1)
        picks.addWidget(self.refresh_btn)
        make = QHBoxLayout()
        make.addWidget(self.dataset, 1)
        make.addWidget(self.create_btn)
        box = QGroupBox("Datastream")
        form = QFormLayout(box)
        form.addRow("Local sandbox", picks)
        form.addRow("New for dataset", make)
        form.addRow("Datastream id", self.datastream_id)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setAccessibleName("Browser set-up")
        form.addRow(self.hint)

        self.snippet = _code_box("Web SDK code", "Paste after Adobe's base code and alloy.js")
        self.page_code = _code_box("Test page", "A complete page: base code, alloy.js, configure, sendEvent")
        self.answer = _code_box("Edge Network answer", "The Edge Network's answer to the last send")
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Web SDK output")
        self.tabs.addTab(self.snippet, "Code")
        self.tabs.addTab(self.page_code, "Test page")
        self.tabs.addTab(self.answer, "Answer")
        self.copy_btn = button("C&opy code", "Copy the code of the open tab", "Copy code")
        self.send_btn = button("&Send as the Web SDK would", "Send the editor's record to the Edge Network as alloy "
                                "does (POST /ee/v1/interact); the exchange shows in the stream inspector",
                                "Send as the Web SDK would")
        actions = QHBoxLayout()
        actions.addWidget(self.copy_btn)
        actions.addStretch(1)
        actions.addWidget(self.send_btn)
        self.banner = Banner("info", "", self)

        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("<h2>Web SDK</h2>"))
        lay.addWidget(box)
        lay.addWidget(self.tabs, 1)
        lay.addLayout(actions)
        lay.addWidget(self.banner)

        self.refresh_btn.clicked.connect(c.list_datastreams)
        self.create_btn.clicked.connect(lambda: c.create_datastream(self.dataset.currentData() or ""))
        self.datastreams.currentIndexChanged.connect(self._picked)
        self.datastream_id.textChanged.connect(lambda _: self.refresh_code())
        self.copy_btn.clicked.connect(self._copy)
        self.send_btn.clicked.connect(self._send)
        c.datastreams_listed.connect(self._listed)
        c.datasets_listed.connect(self._datasets_listed)
        c.datastream_created.connect(self._created)
        c.sent.connect(self._sent)
        c.failed.connect(lambda msg: self.banner.set_message("error", msg))
        ctx.record_changed.connect(lambda _: self.refresh_code())
        ctx.target_changed.connect(self._target_changed)
        ctx.session_ready.connect(lambda _: self._connected())
        self._target_changed(ctx.target)
        if ctx.session is not None:
            self._connected()
        self.refresh_code()

    # --- state -----------------------------------------------------------------------------------

    def _connected(self) -> None:
        local = self.controller.is_local
        for w in (self.datastreams, self.refresh_btn, self.dataset, self.create_btn):
            w.setEnabled(local)
        sandbox = getattr(self.ctx, "sandbox", None)
        urls = getattr(sandbox, "urls", None)
        self.hint.setText(browser_hint(getattr(urls, "edge_https", None)) if local else
                          "alloy sends to Adobe's Edge Network (edge.adobedc.net); the page needs the datastream id "
                          "and your org id.")
        if not local:  # AEP: datastreams are made in Data Collection; nothing of a previous sandbox stays
            self._datasets_listed([])
            self._listed([])
        self.controller.list_datastreams()
        self.refresh_code()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.ctx.session is not None:  # datasets and datastreams made elsewhere since the last look
            self.controller.list_datastreams()

    def _target_changed(self, target) -> None:
        self._wanted_dataset = target.dataset_id if target is not None else ""
        i = self.dataset.findData(self._wanted_dataset) if self._wanted_dataset else -1
        if i > 0:
            self.dataset.setCurrentIndex(i)

    def _web_target(self) -> WebSdkTarget:
        org = getattr(self.ctx.profile, "org_id", "") or "YOUR_ORG_ID@AdobeOrg"
        ds = self.datastream_id.text().strip() or "YOUR_DATASTREAM_ID"
        return WebSdkTarget.for_sandbox(ds, org) if self.controller.is_local else WebSdkTarget(ds, org)

    def refresh_code(self) -> None:
        record = self.ctx.current_record
        if record is None:
            text = "// Type or paste a record in the Record editor: its code appears here."
            self.snippet.setPlainText(text)
            self.page_code.setPlainText(text)
            return
        try:
            self.snippet.setPlainText(snippet(self._web_target(), record))
            self.page_code.setPlainText(example_page(self._web_target(), record))
        except WebSdkError as exc:
            self.snippet.setPlainText(f"// {exc}")
            self.page_code.setPlainText(f"<!-- {exc} -->")

    # --- actions ---------------------------------------------------------------------------------

    def _datasets_listed(self, rows) -> None:
        current = self.dataset.currentData()
        self.dataset.clear()
        self.dataset.addItem("— choose an ExperienceEvent dataset —" if rows else
                             "— no ExperienceEvent dataset yet: create one on the Datasets page —", None)
        for r in rows:
            self.dataset.addItem(r["name"], r["id"])
            self.dataset.setItemData(self.dataset.count() - 1, f"{r['id']} (schema {r['schema_title']})",
                                     Qt.ItemDataRole.ToolTipRole)
        i = self.dataset.findData(self._wanted_dataset) if self._wanted_dataset else -1
        self.dataset.setCurrentIndex(i if i > 0 else max(0, self.dataset.findData(current)))

    def _listed(self, streams) -> None:
        current = self.datastream_id.text().strip()
        self.datastreams.blockSignals(True)  # refilling the list is not a choice
        self.datastreams.clear()
        self.datastreams.addItem(f"— choose one of {len(streams)} datastreams —" if streams else "— none yet —", None)
        for s in streams:
            label = s.label
            if s.dataset_name and s.dataset_name not in label:
                label = f"{label}  → {s.dataset_name}"
            self.datastreams.addItem(label, s.id)
            self.datastreams.setItemData(self.datastreams.count() - 1, f"datastream {s.id}\ndataset "
                                         f"{s.dataset_name or '?'} ({s.dataset_id})", Qt.ItemDataRole.ToolTipRole)
        self.datastreams.setCurrentIndex(max(0, self.datastreams.findData(current)))
        self.datastreams.blockSignals(False)

    def _picked(self, index: int) -> None:
        value = self.datastreams.itemData(index)
        if value:
            self.datastream_id.setText(value)

    def _created(self, stream) -> None:
        self.datastreams.setCurrentIndex(max(0, self.datastreams.findData(stream.id)))
        self.datastream_id.setText(stream.id)
        self.banner.set_message("success", f"Datastream “{stream.label}” sends events to dataset "
                                           f"“{stream.dataset_name or stream.dataset_id}”.",
                                tip=f"datastream {stream.id}\ndataset {stream.dataset_id}")

    def _copy(self) -> None:
        box = self.tabs.currentWidget()
        if isinstance(box, QPlainTextEdit):
            QGuiApplication.clipboard().setText(box.toPlainText())
            self.banner.set_message("info", f"Copied: {self.tabs.tabText(self.tabs.currentIndex())}.")

    def _send(self) -> None:
        record = self.ctx.current_record
        if record is None:
            self.banner.set_message("error", "No record: type or paste one in the Record editor first.")
            return
        self.banner.set_message("info", "Sending to the Edge Network…")
        self.controller.send(self.datastream_id.text(), record)

    def _sent(self, answer) -> None:
        self.answer.setPlainText(json.dumps({"status": answer.status, "requestId": answer.request_id,
                                             "handle": answer.handles, "errors": answer.errors}, indent=2))
        self.tabs.setCurrentWidget(self.answer)
        if answer.errors:
            first = answer.errors[0]
            self.banner.set_message("warning", f"{answer.status}: accepted, but {first.get('title', '')} "
                                               f"{first.get('detail', '')}".strip())
        else:
            self.banner.set_message("success", f"{answer.status}: sent (request {answer.request_id}, "
                                               f"ECID {answer.ecid}).")
