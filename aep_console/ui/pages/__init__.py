"""The navigation pages of the main window, in sidebar order.

Each page is built on first show (lazily), so start-up pays only for the first page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from ..context import AppContext


@dataclass(frozen=True)
class PageSpec:
    key: str
    title: str
    tooltip: str
    factory: Callable[[AppContext], QWidget]


class PlaceholderPage(QWidget):
    """Says what will come on a page that is not built yet."""

    def __init__(self, title: str, promise: str) -> None:
        super().__init__()
        self.setAccessibleName(title)
        layout = QVBoxLayout(self)
        heading = QLabel(f"<h2>{title}</h2>")
        text = QLabel(promise)
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(heading)
        layout.addWidget(text)
        layout.addStretch(1)


def _page(module: str, cls: str) -> Callable[[AppContext], QWidget]:
    """A factory that imports the page's module only when the page is first shown."""

    def factory(context: AppContext) -> QWidget:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{module}"), cls)(context)

    return factory


def page_specs() -> list[PageSpec]:
    return [
        PageSpec("connections", "Connections", "Connection profiles: the local sandbox or an AEP org",
                 _page("connections", "ConnectionsPage")),
        PageSpec("schemas", "Schemas", "XDM schemas of the active sandbox and the schema wizard",
                 _page("resources", "SchemasPage")),
        PageSpec("datasets", "Datasets", "Datasets and the dataset wizard",
                 _page("resources", "DatasetsPage")),
        PageSpec("streaming", "Streaming connections", "Streaming connections and their CONNECTION_ID / inlet URL",
                 _page("resources", "StreamingPage")),
        PageSpec("editor", "Record editor", "Paste or load JSON records, validate and send them",
                 _page("editor", "EditorPage")),
        PageSpec("web-sdk", "Web SDK", "Websites: datastreams, alloy code for the record, send as the Web SDK would",
                 _page("web_sdk", "WebSdkPage")),
        PageSpec("inspector", "Stream inspector", "Every streaming response: status, xactionId, latency",
                 _page("inspector", "InspectorPage")),
        PageSpec("profiles", "Profiles", "Look up a merged profile and its experience events",
                 _page("profiles", "ProfilesPage")),
        PageSpec("datalake", "Data lake", "Batches per dataset, row previews and failed records",
                 _page("datalake", "DataLakePage")),
        PageSpec("history", "History", "Every request and response, searchable",
                 _page("history", "HistoryPage")),
        PageSpec("settings", "Settings", "Theme, history limits, bulk send, what the editor remembers",
                 _page("settings", "SettingsPage")),
    ]
