"""Lists the pages and wizards pick from: schemas, datasets, streaming connections, field
groups, identity namespaces. Each fetch runs as a named task; results arrive as plain dicts."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject

log = logging.getLogger(__name__)

PROFILE_CLASS = "https://ns.adobe.com/xdm/context/profile"
EVENT_CLASS = "https://ns.adobe.com/xdm/context/experienceevent"


async def schemas(session) -> list[dict]:
    rows = await session.schemas.list_all("schemas", "tenant", full=True)
    out = []
    for r in rows:
        out.append({"id": r.id, "title": r.title or r.id, "class": r.meta_class or "",
                    "union": r.is_union_enabled, "alt_id": r.alt_id or ""})
    return out


async def datasets(session) -> list[dict]:
    rows = await session.catalog.list_datasets(limit=100)
    rows.sort(key=lambda d: -(d.created or 0))
    return [{"id": d.id, "name": d.name or d.id, "schema_id": d.schema_ref.id if d.schema_ref else "",
             "profile": d.profile_enabled, "identity": d.identity_enabled} for d in rows]


async def connections(session) -> list[dict]:
    """Streaming base connections with their inlet (CONNECTION_ID); the dataset and flow when a
    dataflow leads from the connection to a dataset (HTTP API route)."""
    out: list[dict] = []
    try:
        conns = await session.flows.list_connections()
    except Exception as exc:
        log.warning("listing streaming connections failed: %s", exc)
        return out
    flows_by_source: dict[str, Any] = {}
    try:
        flows = await session.flows.list_flows()
        for fl in flows:
            for sid in fl.source_connection_ids or []:
                flows_by_source[sid] = fl
    except Exception as exc:
        log.debug("listing flows failed: %s", exc)
        flows = []
    sources: dict[str, str] = {}
    if flows:
        try:
            for sc in await session.flows.list("sourceConnections"):
                if sc.base_connection_id:
                    sources[sc.id] = sc.base_connection_id
        except Exception as exc:
            log.debug("listing source connections failed: %s", exc)
    for c in conns:
        if not c.inlet_id:
            continue
        entry = {"id": c.inlet_id, "name": c.name or c.id, "inlet_url": c.inlet_url or "", "flow_id": "",
                 "dataset_id": "", "schema_id": "", "source_name": c.auth_params.get("sourceId", ""),
                 "base_id": c.id}
        for sid, base in sources.items():
            if base == c.id and sid in flows_by_source:
                fl = flows_by_source[sid]
                entry["flow_id"] = fl.id
                try:
                    tgt = await session.flows.get_target_connection((fl.target_connection_ids or [""])[0])
                    entry["dataset_id"] = (tgt.params or {}).get("dataSetId", "")
                    entry["schema_id"] = ((tgt.data or {}).get("schema") or {}).get("id", "")
                except Exception as exc:
                    log.debug("reading target connection failed: %s", exc)
        out.append(entry)
    return out


async def fieldgroups(session, class_id: str) -> list[dict]:
    rows = await session.schemas.list_all("fieldgroups", "global", full=True)
    tenant_rows = await session.schemas.list_all("fieldgroups", "tenant", full=True)
    out = []
    for r in [*rows, *tenant_rows]:
        extra = r.model_extra or {}
        extends = extra.get("meta:intendedToExtend") or []
        if extends and class_id not in extends and "https://ns.adobe.com/xdm/data/record" not in extends \
                and not (class_id == EVENT_CLASS and "https://ns.adobe.com/xdm/data/time-series" in extends):
            continue
        out.append({"id": r.id, "title": r.title or r.id, "description": r.description or "",
                    "tenant": r.container_id == "tenant" or "/schemas/" in r.id or "ns.adobe.com/xdm" not in r.id})
    out.sort(key=lambda f: (f["tenant"], f["title"].lower()))
    return out


async def namespaces(session) -> list[dict]:
    rows = await session.identity.list_namespaces()
    return [{"code": n.code, "name": n.name or n.code, "id": n.id} for n in rows]


async def targets(session) -> tuple[list[dict], list[dict], list[dict]]:
    return await schemas(session), await datasets(session), await connections(session)


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
