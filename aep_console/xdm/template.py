"""A starting record for a resolved schema (what the record editor shows for "New record")."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from aep_console.xdm.paths import pointer_parts, set_by_pointer
from aep_console.xdm.standard import EXPERIENCE_EVENT, TIME_SERIES

_NAMESPACE_PLACEHOLDERS = {
    "email": "user@example.com",
    "phone": "+15555550100",
    "ecid": "00000000000000000000000000000000000000",
}


def is_event_schema(resolved: dict) -> bool:
    return resolved.get("meta:class") == EXPERIENCE_EVENT or TIME_SERIES in resolved.get("meta:extends", ())


def now_timestamp() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def placeholder(field: dict | None, namespace: str | None = None) -> Any:
    """A value that satisfies `field`'s type/format/enum (namespace-aware for identity fields)."""
    field = field or {"type": "string"}
    if field.get("enum"):
        return field["enum"][0]
    kind = field.get("type", "string")
    if kind == "string":
        fmt = field.get("format")
        if fmt == "email":
            return "user@example.com"
        if fmt == "date-time":
            return now_timestamp()
        if fmt == "date":
            return date.today().isoformat()
        if fmt == "uri":
            return "https://example.com/"
        if namespace:
            return _NAMESPACE_PLACEHOLDERS.get(namespace.lower(), f"{namespace}-identity-placeholder")
        return ""
    if kind in ("integer", "number"):
        return field.get("minimum", 0)
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if kind == "object":
        return _required_only(field)
    return None


def _required_only(node: dict) -> dict:
    props = node.get("properties", {})
    return {name: placeholder(props.get(name)) for name in node.get("required", []) if name in props}


def field_at(resolved: dict, pointer: str) -> dict | None:
    """The field schema at an entity pointer (`#/a/b` or descriptor form `/a/b`); array indices skip to items."""
    node: dict | None = resolved
    for part in pointer_parts(pointer if pointer.startswith("#") else "#" + pointer):
        if node is None:
            return None
        if node.get("type") == "array":
            node = node.get("items")
            if isinstance(part, int):
                continue
        node = (node or {}).get("properties", {}).get(str(part))
    return node


def _split_identity(primary_identity: tuple[str, str]) -> tuple[str, str]:
    first, second = primary_identity
    if first.startswith(("/", "#")) and not second.startswith(("/", "#")):
        return second, first  # given as (source_property, namespace)
    return first, second


def make_template(resolved: dict, *, primary_identity: tuple[str, str] | None = None) -> dict:
    """Required fields with placeholders; `_id` (new uuid string) and `timestamp` (now) for events;
    an `identityMap` skeleton when the schema has one; the primary identity filled with a placeholder.

    `primary_identity` is `(namespace, source_property)`, e.g. `("Email", "/_exchangeinternal/loyaltyID")`
    (the descriptor's `xdm:namespace` and `xdm:sourceProperty`; the reverse order is accepted too).
    A `source_property` of `""` or `"identityMap"` puts the identity into `identityMap` as primary.
    """
    props = resolved.get("properties", {})
    record = _required_only(resolved)
    if is_event_schema(resolved):
        if "_id" in props:
            record["_id"] = str(uuid.uuid4())
        if "timestamp" in props:
            record["timestamp"] = now_timestamp()
    if "identityMap" in props:
        record.setdefault("identityMap", {})
    if primary_identity is not None:
        namespace, source = _split_identity(primary_identity)
        if source.strip("#/") in ("", "identityMap"):
            if "identityMap" not in props:
                raise ValueError("the schema has no identityMap for the primary identity")
            record["identityMap"] = {namespace: [{"id": placeholder(None, namespace), "primary": True}]}
        else:
            pointer = (
                source
                if source.startswith("#")
                else "#" + (source if source.startswith("/") else "/" + source)
            )
            field = field_at(resolved, pointer)
            if field is None:
                raise ValueError(f"the primary identity field {source!r} is not in the schema")
            set_by_pointer(record, pointer, placeholder(field, namespace))
    return record
