"""Schema Registry reads: tenant + global lookup, resolution to ``xed-full``, union views.

Tenant resources live in the store as documents of kind ``schemas``, ``mixins`` (field groups),
``classes``, ``datatypes`` keyed by ``$id`` with ``meta:altId`` as alt id; global ones come from
``aep_console.xdm.standard.load_standard()``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING

from aep_console.xdm.resolve import merge_properties, resolve_schema

if TYPE_CHECKING:
    from ...server.state import SandboxServices

TENANT_KINDS = ("schemas", "mixins", "classes", "datatypes")
UNION_SUFFIX = "__union"


def standard() -> dict[str, dict]:
    from aep_console.xdm.standard import _load

    return _load()


_ALT_INDEX: dict[str, str] = {}


def standard_doc(ref: str) -> dict | None:
    data = standard()
    doc = data.get(ref)
    if doc is not None:
        return doc
    if not _ALT_INDEX:
        _ALT_INDEX.update({d["meta:altId"]: k for k, d in data.items() if d.get("meta:altId")})
    key = _ALT_INDEX.get(ref)
    return data.get(key) if key else None


def tenant_doc(
    services: SandboxServices, org: str, sandbox: str, ref: str, kinds=TENANT_KINDS
) -> dict | None:
    marks = ",".join("?" for _ in kinds)
    row = services.store.query_one(
        f"SELECT body FROM docs WHERE org=? AND sandbox=? AND kind IN ({marks}) AND (id=? OR alt_id=?) LIMIT 1",
        (org, sandbox, *kinds, ref, ref),
    )
    from ...storage.store import loads

    return loads(row[0]) if row else None


def make_lookup(
    services: SandboxServices, org: str, sandbox: str, extra: dict | None = None
) -> Callable[[str], dict | None]:
    """``lookup(ref)`` for ``resolve_schema``: ``extra`` docs first (a resource being created), then tenant,
    then global."""
    cache: dict[str, dict | None] = {}

    def lookup(ref: str) -> dict | None:
        if extra:
            for doc in extra.values():
                if ref in (doc.get("$id"), doc.get("meta:altId")):
                    return doc
        if ref in cache:
            return cache[ref]
        doc = standard_doc(ref) or tenant_doc(services, org, sandbox, ref)
        cache[ref] = doc
        return doc

    return lookup


def find_resource(services: SandboxServices, org: str, sandbox: str, ref: str) -> dict | None:
    return standard_doc(ref) or tenant_doc(services, org, sandbox, ref)


# --- unions ------------------------------------------------------------------------------------


def union_members(services: SandboxServices, org: str, sandbox: str) -> dict[str, list[dict]]:
    """class $id → tenant schemas of that class tagged ``union``."""
    out: dict[str, list[dict]] = {}
    for doc in services.store.list(org, sandbox, "schemas"):
        if "union" in (doc.get("meta:immutableTags") or []) and doc.get("meta:class"):
            out.setdefault(doc["meta:class"], []).append(doc)
    return out


def union_id(class_id: str) -> str:
    return class_id + UNION_SUFFIX


def union_alt_id(class_id: str, class_doc: dict | None) -> str:
    alt = (class_doc or {}).get("meta:altId") or "_" + class_id.split("://", 1)[-1].removeprefix(
        "ns.adobe.com/"
    ).replace("/", ".")
    return alt + UNION_SUFFIX


def union_doc(services: SandboxServices, org: str, sandbox: str, ref: str) -> dict | None:
    """The xed form of a union (``{class $id}__union`` or its alt id), or None."""
    if not ref.endswith(UNION_SUFFIX):
        return None
    members = union_members(services, org, sandbox)
    for class_id, schemas in members.items():
        class_doc = find_resource(services, org, sandbox, class_id)
        uid, alt = union_id(class_id), union_alt_id(class_id, class_doc)
        if ref in (uid, alt):
            minor = sum(int(str(s.get("version", "1.0")).split(".")[-1] or 0) + 1 for s in schemas) - 1
            return {
                "$id": uid,
                "meta:altId": alt,
                "meta:resourceType": "unions",
                "version": f"1.{max(minor, 0)}",
                "title": f"{(class_doc or {}).get('title', class_id)} Union",
                "type": "object",
                "description": f"Union of all schemas of class {class_id} enabled for Profile",
                "meta:class": class_id,
                "meta:containerId": "tenant",
                "imsOrg": org,
                "meta:xdmType": "object",
                "allOf": [{"$ref": s["$id"]} for s in schemas],
            }
    return None


def resolve_union(services: SandboxServices, org: str, sandbox: str, udoc: dict) -> dict:
    lookup = make_lookup(services, org, sandbox)
    props: dict = {}
    extends: list[str] = []
    for item in udoc["allOf"]:
        member = lookup(item["$ref"])
        if member is None:
            continue
        resolved = resolve_schema(member, lookup)
        merge_properties(props, copy.deepcopy(resolved.get("properties", {})))
        extends += resolved.get("meta:extends", [])
    out = {k: v for k, v in udoc.items() if k != "allOf"}
    out["meta:extends"] = list(dict.fromkeys([udoc["meta:class"], *extends]))
    out["properties"] = props
    out["required"] = []
    out["meta:unionOf"] = [item["$ref"] for item in udoc["allOf"]]
    return out


def resolve_any(services: SandboxServices, org: str, sandbox: str, ref: str) -> dict | None:
    """The ``xed-full`` form of any resource visible in (org, sandbox), or None if unknown."""
    udoc = union_doc(services, org, sandbox, ref)
    if udoc is not None:
        return resolve_union(services, org, sandbox, udoc)
    doc = find_resource(services, org, sandbox, ref)
    if doc is None:
        return None
    return resolve_schema(doc, make_lookup(services, org, sandbox))
