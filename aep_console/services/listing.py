"""What exists in the active AEP sandbox, as plain rows: schemas, datasets, streaming connections
(with the dataset a dataflow leads them to), field groups, identity namespaces.

Shared by the window's pages and wizards and the command line. A listing that fails raises (the
caller says so); it is never an empty list that hides the error. The connections listing makes a
fixed number of requests (connections, flows, source and target connections), not one per flow.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from .diagnosis import class_kind

PROFILE_CLASS = "https://ns.adobe.com/xdm/context/profile"
EVENT_CLASS = "https://ns.adobe.com/xdm/context/experienceevent"


async def schemas(session) -> list[dict]:
    rows = await session.schemas.list_all("schemas", "tenant", full=True)
    return [{"id": r.id, "title": r.title or r.id, "class": r.meta_class or "", "union": r.is_union_enabled,
             "alt_id": r.alt_id or ""} for r in rows]


async def datasets(session) -> list[dict]:
    rows = await session.catalog.list_datasets(limit=100)
    rows.sort(key=lambda d: -(d.created or 0))
    return [{"id": d.id, "name": d.name or d.id, "schema_id": d.schema_ref.id if d.schema_ref else "",
             "profile": d.profile_enabled, "identity": d.identity_enabled} for d in rows]


async def datasets_named(session) -> list[dict]:
    """Datasets with their schema's title (``schema_title``) and class (``schema_class``), for a list that
    shows names, not ids."""
    rows, schema_rows = await asyncio.gather(datasets(session), schemas(session))
    by_id = {s["id"]: s for s in schema_rows}
    for r in rows:
        schema = by_id.get(r["schema_id"], {})
        r["schema_title"] = schema.get("title") or r["schema_id"]
        r["schema_class"] = schema.get("class", "")
    return rows


async def event_datasets(session) -> list[dict]:
    """The ExperienceEvent datasets (what the Edge Network can write to), named as ``datasets_named``."""
    return [r for r in await datasets_named(session) if r["schema_class"] == EVENT_CLASS]


async def connections_named(session, *, known_datasets: Mapping[str, Mapping[str, str]] | None = None
                            ) -> list[dict]:
    """Connections with their dataset's name (``dataset_name``)."""
    rows, ds = await asyncio.gather(connections(session, known_datasets=known_datasets), datasets(session))
    names = {d["id"]: d["name"] for d in ds}
    for r in rows:
        r["dataset_name"] = names.get(r["dataset_id"], r["dataset_id"])
    return rows


async def dataset_names(session, ids: list[str]) -> dict[str, str]:
    """Dataset id → name for ``ids`` (one listing; an id not listed keeps no name)."""
    if not ids:
        return {}
    return {d["id"]: d["name"] for d in await datasets(session) if d["id"] in set(ids)}


async def connections(session, *, known_datasets: Mapping[str, Mapping[str, str]] | None = None) -> list[dict]:
    """Streaming connections with their inlet (CONNECTION_ID); the dataset, schema and flow when a
    dataflow leads from the connection to a dataset (HTTP API route), else what ``known_datasets``
    (inlet id → {dataset_id, schema_id}) remembers of the tutorial route's choice."""
    conns, flows, sources, targets = await asyncio.gather(
        session.flows.list_connections(), session.flows.list_flows(),
        session.flows.list("sourceConnections"), session.flows.list("targetConnections"))
    base_of = {sc.id: sc.base_connection_id for sc in sources if sc.base_connection_id}
    target_by_id = {tc.id: tc for tc in targets}
    flow_of_base: dict[str, Any] = {}
    for fl in flows:
        for sid in fl.source_connection_ids or []:
            if sid in base_of:
                flow_of_base.setdefault(base_of[sid], fl)
    out: list[dict] = []
    for c in conns:
        if not c.inlet_id:
            continue
        entry = {"id": c.inlet_id, "name": c.name or c.id, "inlet_url": c.inlet_url or "", "flow_id": "",
                 "dataset_id": "", "schema_id": "", "source_name": c.auth_params.get("sourceId", ""),
                 "base_id": c.id}
        fl = flow_of_base.get(c.id)
        if fl is not None:
            entry["flow_id"] = fl.id
            tgt = target_by_id.get((fl.target_connection_ids or [""])[0])
            if tgt is not None:
                entry["dataset_id"] = (tgt.params or {}).get("dataSetId", "")
                entry["schema_id"] = ((tgt.data or {}).get("schema") or {}).get("id", "")
        elif known_datasets and c.inlet_id in known_datasets:
            known = known_datasets[c.inlet_id]
            entry["dataset_id"] = known.get("dataset_id", "")
            entry["schema_id"] = known.get("schema_id", "")
        out.append(entry)
    return out


async def fieldgroups(session, class_id: str) -> list[dict]:
    rows, tenant_rows = await asyncio.gather(session.schemas.list_all("fieldgroups", "global", full=True),
                                             session.schemas.list_all("fieldgroups", "tenant", full=True))
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


async def targets(session, *, known_datasets: Mapping[str, Mapping[str, str]] | None = None
                  ) -> tuple[list[dict], list[dict], list[dict]]:
    """Schemas, datasets and connections at once (what the record editor picks from)."""
    return await asyncio.gather(schemas(session), datasets(session),
                                connections(session, known_datasets=known_datasets))


def _field_tree(node: dict, depth: int = 0) -> dict | str:
    """A schema's properties as a tree of ``name: type`` (objects nested, arrays as ``array of …``)."""
    if node.get("type") == "object" and isinstance(node.get("properties"), dict) and depth < 8:
        required = set(node.get("required") or [])
        return {name + (" (required)" if name in required else ""): _field_tree(child, depth + 1)
                for name, child in node["properties"].items() if isinstance(child, dict)}
    if node.get("type") == "array" and isinstance(node.get("items"), dict):
        inner = _field_tree(node["items"], depth + 1)
        return inner if isinstance(inner, dict) else f"array of {inner}"
    t = node.get("type") or node.get("meta:xdmType") or "?"
    return f"{t}" + (f" ({node['format']})" if node.get("format") else "")


async def schema_details(session, schema_id: str) -> dict[str, Any]:
    """What the AEP UI shows of a schema: class, Profile enablement, field groups, identity
    descriptors and the field tree (full form)."""
    schema, full, descriptors = await asyncio.gather(
        session.schemas.get_schema(schema_id), session.schemas.get_full_schema(schema_id),
        session.schemas.descriptors_of(schema_id))
    refs = [a.get("$ref") for a in schema.get("allOf") or [] if isinstance(a, dict) and a.get("$ref")]
    cls = schema.get("meta:class") or (refs[0] if refs else "")

    async def title(ref: str) -> str:
        if ref == cls:
            return ref
        try:
            return (await session.schemas.get_fieldgroup(ref)).get("title") or ref
        except Exception:
            return ref

    groups = [t for t in await asyncio.gather(*(title(r) for r in refs if r != cls))]
    identities = [{"field": d.source_property, "namespace": d.namespace, "primary": bool(d.is_primary)}
                  for d in descriptors if d.type == "xdm:descriptorIdentity"]
    return {
        "Title": schema.get("title") or schema_id,
        "Class": f"{class_kind(cls)} ({cls})" if cls else "",
        "Profile": "enabled (union tag)" if "union" in (schema.get("meta:immutableTags") or []) else "not enabled",
        "Field groups": groups,
        "Identities": identities,
        "Fields": _field_tree(full),
        "$id": schema_id,
    }
