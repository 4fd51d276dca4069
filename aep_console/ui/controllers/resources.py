"""Runs the listings the pages and wizards pick from (services.listing: schemas, datasets,
streaming connections, field groups, identity namespaces) as named tasks; results arrive as plain
dicts, errors as errors."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject

from ...services import listing
from ...services.listing import EVENT_CLASS, PROFILE_CLASS, datasets, fieldgroups, namespaces, schemas  # noqa: F401

log = logging.getLogger(__name__)


def _known_datasets() -> dict:
    from ...services.console_state import connection_datasets

    return connection_datasets()


async def connections(session) -> list[dict]:
    """The listing service's connections, with the datasets the tutorial route's wizard remembered."""
    return await listing.connections(session, known_datasets=_known_datasets())


async def connections_named(session) -> list[dict]:
    return await listing.connections_named(session, known_datasets=_known_datasets())


async def datasets_named(session) -> list[dict]:
    return await listing.datasets_named(session)


async def targets(session) -> tuple[list[dict], list[dict], list[dict]]:
    return await listing.targets(session, known_datasets=_known_datasets())


class ResourcesController(QObject):
    def __init__(self, ctx, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx

    def fetch(self, name: str, fn: Callable[..., Any], on_done: Callable[[Any], None],
              on_error: Callable[[BaseException], None] | None = None, *args: Any) -> None:
        session = self.ctx.session
        if session is None:
            if on_error is not None:
                on_error(RuntimeError("not connected: choose a connection profile first"))
            return
        self.ctx.run(f"{name}-{id(self)}", fn(session, *args), on_done=on_done,
                     on_error=on_error or (lambda exc: log.warning("%s failed: %s", name, exc)))
