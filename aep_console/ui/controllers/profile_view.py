"""Profile look-up: the merged profile by namespace + identity, then its experience events
(the first page at once, the rest in concurrent time windows), handed to the page as plain values."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


@dataclass
class ProfileViewData:
    xid: str
    entity: dict
    identities: list[tuple[str, str, bool]]
    sources: list[str]
    last_modified: str = ""
    raw: dict = field(default_factory=dict)
    source_names: list[str] = field(default_factory=list)  # "name  (id)" per source dataset


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
        # the looked-up identity is not in the identityMap: it is a field the schema's identity
        # descriptor names, which is the profile's primary identity unless the map marks another
        primary = not any(p for _, _, p in idents)
        idents.insert(0, (namespace, value, primary))
    return ProfileViewData(found.xid, entity, idents, list(found.sources),
                           found.last_modified_at or "", {found.xid: raw})


PAGE = 1000  # the Profile Access API's default page size
MAX_WINDOWS = 16  # time windows after the first page (each expected to fit one page) …
IN_FLIGHT = 4  # … of which at most this many are asked for at a time


def _task(coro) -> asyncio.Task:
    """A side task whose failure is read by whoever awaits it, or dropped if nobody does (asyncio
    would otherwise report "exception never retrieved" to the crash dialog)."""
    task = asyncio.ensure_future(coro)
    task.add_done_callback(lambda t: t.cancelled() or t.exception())
    return task


def _next(page: dict) -> str:
    nxt = (page.get("_links") or {}).get("next")
    return (nxt.get("href") or "") if isinstance(nxt, dict) else ""


def _ms(row: dict) -> int | None:
    ts = row.get("timestamp")
    return int(ts) if isinstance(ts, int | float) and not isinstance(ts, bool) else None


def windows(first_ms: int, lo_ms: int, newest_ms: int, read: int) -> list[tuple[int, int | None]]:
    """Time windows ``[start, end)`` covering ``lo_ms`` … ``newest_ms`` (the last one open-ended), each
    expected to hold about one page (from the density of the first page of ``read`` events), at most
    MAX_WINDOWS. A window that holds more is read on through its own ``_links.next``."""
    span = max(1, lo_ms - first_ms)
    rest = max(0, newest_ms - lo_ms)
    estimate = read * rest / span
    n = max(1, min(MAX_WINDOWS, -(-int(estimate) // int(PAGE * 0.9))))
    step = max(1, -(-(rest + 1) // n))
    bounds = [lo_ms + i * step for i in range(n) if lo_ms + i * step <= newest_ms]
    return [(b, bounds[i + 1] if i + 1 < len(bounds) else None) for i, b in enumerate(bounds)]


class ProfileController(QObject):
    """Events are read as plain JSON rows (no model object per event); the first page is shown at
    once; the rest is read in time windows (``startTime``/``endTime``, each following its own
    ``_links.next``), a few at a time, and handed over page by page."""

    profile_loaded = Signal(object)  # ProfileViewData
    # object, not list: a list-typed signal converts every row into a QVariantMap and back (~100 ms
    # for 10,000 events); an object is handed over as is
    events_page = Signal(object, bool)  # new rows (dicts: entityId, timestamp, entity, …), reset first
    events_loaded = Signal(object)  # all the rows, once every page is read
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
        api = session.profiles
        # asked at the same time as the profile: the first events page and the newest event
        first = _task(api.events_page_json(value, namespace))
        newest = _task(api.events_page_json(value, namespace, orderby="-timestamp", limit=1))
        try:
            found = await api.find_entity(value, namespace)
        except BaseException:
            first.cancel()
            newest.cancel()
            raise
        if found is None:
            first.cancel()
            newest.cancel()
            self.not_found.emit(
                f"No profile for {namespace}:{value} yet. A new profile can take a moment to appear: "
                "press Refresh in a few seconds (check the namespace, and that the dataset is Profile-enabled).")
            return
        view = view_of(found, namespace, value)
        try:  # the source datasets by name (the API gives ids)
            from ...services.listing import dataset_names

            names = await dataset_names(session, view.sources)
            view.source_names = [f"{names[i]}  ({i})" if i in names else i for i in view.sources]
        except Exception as exc:  # names are a nicety: the ids stay
            log.debug("naming the source datasets failed: %s", exc)
        self.profile_loaded.emit(view)
        rows: list[dict] = []
        try:
            await self._events(api, namespace, value, first, newest, rows)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.events_loaded.emit(rows)
            self.failed.emit(f"Profile loaded; its events could not be read: {exc}")
            return
        finally:
            first.cancel()
            newest.cancel()
        self.events_loaded.emit(rows)

    async def _events(self, api, namespace: str, value: str, first, newest, rows: list[dict]) -> None:
        seen: set = set()

        def fresh(page: dict) -> list[dict]:
            new = []
            for child in page.get("children") or ():
                if not isinstance(child, dict):
                    continue
                key = child.get("entityId")
                if key is not None:
                    if key in seen:
                        continue  # a window boundary read twice
                    seen.add(key)
                new.append(child)
            rows.extend(new)
            return new

        def take(page: dict, reset: bool = False) -> None:
            new = fresh(page)
            if new or reset:
                self.events_page.emit(new, reset)

        page = await first
        href = _next(page)
        if not href:
            take(page, reset=True)
            return
        children = [c for c in page.get("children") or () if isinstance(c, dict)]
        first_ms, lo_ms = (_ms(children[0]), _ms(children[-1])) if children else (None, None)
        try:
            top = (await newest).get("children") or []
        except Exception:
            top = []
        newest_ms = _ms(top[0]) if top and isinstance(top[0], dict) else None
        if first_ms is None or lo_ms is None or newest_ms is None or newest_ms < lo_ms:
            take(page, reset=True)
            while href:  # no usable timestamps: the pages one after the other
                page = await api.next_events_json(href)
                take(page)
                href = _next(page)
            return

        gate = asyncio.Semaphore(IN_FLIGHT)

        async def window(start: int, end: int | None) -> None:
            async with gate:
                page = await api.events_page_json(value, namespace, start_time=start, end_time=end)
                take(page)
                href = _next(page)
                while href:
                    page = await api.next_events_json(href)
                    take(page)
                    href = _next(page)

        first_rows = fresh(page)  # (known before any window answers: the boundary events are read once)
        tasks = [_task(window(a, b)) for a, b in windows(first_ms, lo_ms, newest_ms, len(children))]
        try:
            await asyncio.sleep(0)  # the windows' requests go out before the first page is displayed
            self.events_page.emit(first_rows, True)
            await asyncio.gather(*tasks)
        finally:
            for t in tasks:
                t.cancel()
