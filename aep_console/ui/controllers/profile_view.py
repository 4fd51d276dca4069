"""Profile look-up: the merged profile by namespace + identity, then its experience events
(following pages), handed to the page as plain values."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal


@dataclass
class ProfileViewData:
    xid: str
    entity: dict
    identities: list[tuple[str, str, bool]]
    sources: list[str]
    last_modified: str = ""
    raw: dict = field(default_factory=dict)


def identities_of(entity: dict) -> list[tuple[str, str, bool]]:
    out: list[tuple[str, str, bool]] = []
    for ns, items in (entity.get("identityMap") or {}).items():
        for it in items or []:
            if isinstance(it, dict):
                out.append((ns, str(it.get("id", "")), bool(it.get("primary"))))
    for it in entity.get("identities") or []:
        if isinstance(it, dict):
            ns = it.get("namespace") or {}
            out.append((ns.get("code", "") if isinstance(ns, dict) else str(ns), str(it.get("id", "")),
                        bool(it.get("primary"))))
    return out


def view_of(found: Any, namespace: str, value: str) -> ProfileViewData:
    raw = found.model_dump(by_alias=True, exclude_none=True) if hasattr(found, "model_dump") else dict(found)
    raw.pop("xid", None)
    entity = dict(found.entity)
    idents = identities_of(entity)
    if not any(ns.lower() == namespace.lower() and ident == value for ns, ident, _ in idents):
        idents.insert(0, (namespace, value, False))
    return ProfileViewData(found.xid, entity, idents, list(found.sources),
                           found.last_modified_at or "", {found.xid: raw})


class ProfileController(QObject):
    profile_loaded = Signal(object)  # ProfileViewData
    events_loaded = Signal(object)  # list of dicts (entityId, timestamp, entity)
    not_found = Signal(str)
    failed = Signal(str)

    def __init__(self, ctx, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.last: tuple[str, str] | None = None

    def lookup(self, namespace: str, value: str) -> None:
        self.last = (namespace, value)
        self.ctx.run("profile-lookup", self._lookup(namespace, value), on_error=self._error)

    def _error(self, exc: BaseException) -> None:
        self.failed.emit(f"Look-up failed: {exc}")

    async def _lookup(self, namespace: str, value: str) -> None:
        session = self.ctx.session
        if session is None:
            self.failed.emit("Not connected yet: choose a connection profile first.")
            return
        # the first events page is asked for at the same time as the profile (one round trip less)
        first_page = asyncio.ensure_future(session.profiles.events_page(value, namespace))
        try:
            found = await session.profiles.find_entity(value, namespace)
        except BaseException:
            first_page.cancel()
            raise
        if found is None:
            first_page.cancel()
            self.not_found.emit(
                f"No profile for {namespace}:{value} yet. A new profile can take a moment to appear: "
                "press Refresh in a few seconds (check the namespace, and that the dataset is Profile-enabled).")
            return
        self.profile_loaded.emit(view_of(found, namespace, value))
        rows: list[dict] = []
        try:
            page = await first_page
            first = True
            while page is not None:
                rows.extend({"entityId": e.entity_id, "timestamp": e.timestamp, "entity": e.entity}
                            for e in page.children)
                if first and page.next_href:
                    self.events_loaded.emit(list(rows))  # the first page at once, the rest when read
                first = False
                page = await session.profiles.next_events_page(page) if page.next_href else None
        except Exception as exc:
            self.events_loaded.emit(rows)
            self.failed.emit(f"Profile loaded; its events could not be read: {exc}")
            return
        self.events_loaded.emit(rows)
