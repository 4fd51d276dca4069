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
    factory: Callable[["AppContext"], QWidget]


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


def _placeholder(title: str, promise: str) -> Callable[["AppContext"], QWidget]:
    return lambda _context: PlaceholderPage(title, promise)


def page_specs() -> list[PageSpec]:
    return [
        PageSpec("connections", "Connections", "Connection profiles: the local sandbox or an AEP org",
                 _placeholder("Connections", "Create, edit and switch connection profiles; test a connection.")),
        PageSpec("schemas", "Schemas", "XDM schemas of the active sandbox and the schema wizard",
                 _placeholder("Schemas", "Browse schemas and create one with the schema wizard.")),
        PageSpec("datasets", "Datasets", "Datasets and the dataset wizard",
                 _placeholder("Datasets", "Browse datasets and create a Profile-enabled one.")),
        PageSpec("streaming", "Streaming connections", "HTTP API streaming connections and their inlet URLs",
                 _placeholder("Streaming connections", "Create a streaming connection and copy its CONNECTION_ID.")),
        PageSpec("editor", "Record editor", "Paste or load JSON records, validate and send them",
                 _placeholder("Record editor", "Paste a record, validate it against the schema and stream it.")),
        PageSpec("inspector", "Stream inspector", "Every streaming response: status, xactionId, latency",
                 _placeholder("Stream inspector", "Every response of this session, with its validation report.")),
        PageSpec("profiles", "Profiles", "Look up a merged profile and its experience events",
                 _placeholder("Profiles", "Fetch the merged profile by identity, and its events.")),
        PageSpec("datalake", "Data lake", "Batches per dataset, row previews and failed records",
                 _placeholder("Data lake", "Batches, record counts, previews and failed records.")),
        PageSpec("history", "History", "Every request and response, searchable",
                 _placeholder("History", "Search past requests and reopen one as an editable request.")),
    ]
