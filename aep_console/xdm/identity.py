"""Identities of an entity: from identity descriptors and from `identityMap`."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from aep_console.xdm.paths import get_by_pointer, pointer_parts

IDENTITY_DESCRIPTOR = "xdm:descriptorIdentity"


@dataclass(frozen=True)
class Identity:
    namespace: str
    id: str
    primary: bool = False


def source_pointer(source_property: str) -> str:
    """`/workEmail/address` (descriptor form) or `workEmail.address` → `#/workEmail/address`."""
    if source_property.startswith("#"):
        return source_property
    if source_property.startswith("/"):
        return "#" + source_property
    return "#/" + source_property.replace(".", "/")


def select_identity_descriptors(descriptors: Iterable[dict]) -> list[dict]:
    """The identity descriptors among `descriptors` (those without `@type` count as identity ones)."""
    return [
        d
        for d in descriptors
        if d.get("@type", IDENTITY_DESCRIPTOR) == IDENTITY_DESCRIPTOR
        and d.get("xdm:sourceProperty")
        and d.get("xdm:namespace")
    ]


def extract_identities(entity: dict, identity_descriptors: Iterable[dict] = ()) -> list[Identity]:
    """Identities in descriptor order, then `identityMap` order; duplicates merged (primary if any is)."""
    found: dict[tuple[str, str], bool] = {}

    def add(namespace: str, value: Any, primary: bool) -> None:
        if isinstance(value, bool) or value is None or value == "":
            return
        if isinstance(value, (int, float)):
            value = str(value)
        if not isinstance(value, str):
            return
        key = (str(namespace), value)
        found[key] = found.get(key, False) or bool(primary)

    for descriptor in select_identity_descriptors(identity_descriptors):
        value = get_by_pointer(entity, source_pointer(descriptor["xdm:sourceProperty"]))
        primary = bool(descriptor.get("xdm:isPrimary", False))
        for item in value if isinstance(value, list) else [value]:
            add(descriptor["xdm:namespace"], item, primary)
    identity_map = entity.get("identityMap") if isinstance(entity, dict) else None
    if isinstance(identity_map, dict):
        for namespace, items in identity_map.items():
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict):
                    add(namespace, item.get("id"), item.get("primary") is True)
    return [Identity(ns, value, primary) for (ns, value), primary in found.items()]


def primary_identity(identities: Iterable[Identity]) -> Identity | None:
    for identity in identities:
        if identity.primary:
            return identity
    return None


def require_primary_identity(resolved: dict, identity_descriptors: Iterable[dict]) -> dict:
    """A copy of `resolved` in which each primary identity field (descriptor `xdm:isPrimary`) and the
    objects on its path are required, as AEP does ("a primary identity field is mandatory").
    Descriptors whose `xdm:sourceSchema` names another schema, or whose field is absent, are ignored."""
    out = copy.deepcopy(resolved)
    for descriptor in select_identity_descriptors(identity_descriptors):
        source_schema = descriptor.get("xdm:sourceSchema")
        if not descriptor.get("xdm:isPrimary") or source_schema not in (None, resolved.get("$id")):
            continue
        parts = [str(p) for p in pointer_parts(source_pointer(descriptor["xdm:sourceProperty"]))]
        node = out
        if not _has_path(node, parts):
            continue
        for part in parts:
            required = node.setdefault("required", [])
            if part not in required:
                required.append(part)
            node = node["properties"][part]
    return out


def _has_path(node: dict, parts: list[str]) -> bool:
    for part in parts:
        node = (node.get("properties") or {}).get(part)
        if not isinstance(node, dict):
            return False
    return True
