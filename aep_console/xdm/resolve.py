"""Compose a schema into the full form the Schema Registry returns for
`Accept: application/vnd.adobe.xed-full+json; version=1`.

`resolve_schema(schema, lookup)` follows every `allOf` entry (class, behaviors, field groups, tenant
field groups, data types merged through `allOf`) and every field `$ref` (data types, expanded inline
with `meta:referencedFrom`), and returns one JSON schema:

    {"$id", "title", "type": "object", "meta:class", "meta:extends": [...], "meta:xdmType": "object",
     "properties": {...}, "required": [...], <the input's other meta:* keys>}

Fields contributed by several resources are merged (objects: their properties are merged, so two
tenant field groups can both add fields under `_{tenantId}`). References to the JSON-LD base
`https://ns.adobe.com/xdm/common/extensible` are ignored (it adds no Platform field).

Errors: `UnknownReferenceError` (a `$ref` the lookup cannot resolve, named in the error),
`IncompatibleFieldGroupError` (a field group whose non-empty `meta:intendedToExtend` does not include the
schema's class), `TenantNamespaceError` (a tenant field group with fields outside `_{tenantId}`),
`SchemaCompositionError` (two classes, field groups without a class, `$ref` cycles, conflicting fields).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from aep_console.xdm.errors import (
    IncompatibleFieldGroupError,
    SchemaCompositionError,
    TenantNamespaceError,
    UnknownReferenceError,
)
from aep_console.xdm.standard import EXTENSIBLE

Lookup = Callable[[str], "dict | None"]

_CONTAINER_KEYS = {"allOf", "definitions", "properties", "required", "$schema"}
_REFERENCED_KEEP = ("title", "description", "type", "meta:xdmType")
_FIELD_GROUP_TYPES = {"mixins", "fieldgroups"}


def resolve_schema(schema: dict, lookup: Lookup) -> dict:
    """The `xed-full` form of `schema` (a schema, class, field group or data type in Registry form)."""
    return _Resolver(lookup).resolve(schema)


def is_field_group(doc: dict) -> bool:
    return doc.get("meta:resourceType") in _FIELD_GROUP_TYPES or "meta:intendedToExtend" in doc


def tenant_id_of(doc: dict) -> str | None:
    """The tenant of a tenant resource (`meta:tenantNamespace` `_acme` or `$id` `https://ns.adobe.com/acme/...`)."""
    namespace = doc.get("meta:tenantNamespace")
    if isinstance(namespace, str) and namespace.startswith("_"):
        return namespace[1:]
    rid = doc.get("$id", "")
    prefix = "https://ns.adobe.com/"
    if rid.startswith(prefix):
        first = rid[len(prefix) :].split("/", 1)[0]
        if (
            first
            and first not in ("xdm", "experience", "schemas")
            and "/" in rid[len(prefix) :]
            and doc.get("meta:containerId", "tenant") == "tenant"
        ):
            return first
    return None


def check_tenant_field_group(field_group: dict, tenant_id: str) -> None:
    """Raise `TenantNamespaceError` when a tenant field group defines fields outside `_{tenant_id}`."""
    names: list[str] = []

    def collect(node: dict) -> None:
        names.extend(node.get("properties", {}))
        for definition in node.get("definitions", {}).values():
            if isinstance(definition, dict):
                names.extend(definition.get("properties", {}))

    collect(field_group)
    outside = [name for name in dict.fromkeys(names) if name != f"_{tenant_id}"]
    if outside:
        raise TenantNamespaceError(field_group.get("$id", "?"), tenant_id, outside)


def tenant_field_group(
    tenant_id: str,
    fields: dict[str, dict],
    *,
    field_group_id: str,
    title: str,
    intended_to_extend: list[str],
    description: str = "",
) -> dict:
    """A tenant field group in Registry form whose fields live under `_{tenant_id}`."""
    name = field_group_id.rstrip("/").rsplit("/", 1)[-1]
    return {
        "$id": field_group_id,
        "meta:altId": "_"
        + field_group_id.split("://", 1)[-1].removeprefix("ns.adobe.com/").replace("/", "."),
        "meta:resourceType": "mixins",
        "version": "1.0",
        "title": title,
        "type": "object",
        "description": description,
        "definitions": {
            name: {
                "properties": {
                    f"_{tenant_id}": {
                        "type": "object",
                        "meta:xdmType": "object",
                        "properties": copy.deepcopy(fields),
                    }
                }
            }
        },
        "allOf": [{"$ref": f"#/definitions/{name}", "type": "object", "meta:xdmType": "object"}],
        "meta:intendedToExtend": list(intended_to_extend),
        "meta:abstract": True,
        "meta:extensible": True,
        "meta:xdmType": "object",
        "meta:containerId": "tenant",
        "meta:tenantNamespace": f"_{tenant_id}",
    }


def merge_properties(target: dict, source: dict, where: str = "#") -> None:
    """Merge `source` field schemas into `target` (in place); objects merge recursively."""
    for name, incoming in source.items():
        current = target.get(name)
        if current is None:
            target[name] = incoming
            continue
        if "properties" in current and "properties" in incoming:
            merged = {**incoming, **current}
            merged["properties"] = dict(current["properties"])
            merge_properties(merged["properties"], incoming["properties"], f"{where}/{name}")
            required = list(dict.fromkeys(current.get("required", []) + incoming.get("required", [])))
            if required:
                merged["required"] = required
            target[name] = merged
        elif current.get("type") != incoming.get("type"):
            raise SchemaCompositionError(
                f"field {where}/{name} is defined twice with different types: "
                f"{current.get('type')!r} and {incoming.get('type')!r}"
            )


class _Resolver:
    def __init__(self, lookup: Lookup):
        self._lookup = lookup
        self._docs: dict[str, dict] = {}
        self._expanded: dict[str, dict] = {}
        self._stack: list[str] = []

    # -- references ------------------------------------------------------------------------------

    def _doc(self, uri: str, referenced_from: str | None) -> dict:
        doc = self._docs.get(uri)
        if doc is None:
            doc = self._lookup(uri)
            if doc is None:
                raise UnknownReferenceError(uri, referenced_from=referenced_from)
            self._docs[uri] = doc
        return doc

    def _fetch(self, ref: str, doc: dict) -> tuple[dict, Any, str] | None:
        """(target document, target node, absolute ref) or None for the ignored extensible base."""
        uri, _, fragment = ref.partition("#")
        uri = uri.replace("%23", "#")
        if "#" in uri:  # URL-encoded fragment, as some Registry payloads write it
            uri, _, fragment = uri.partition("#")
        if uri == EXTENSIBLE:
            return None
        target = doc if uri in ("", doc.get("$id")) else self._doc(uri, doc.get("$id"))
        base = uri or doc.get("$id", "")
        node: Any = target
        for part in [p for p in fragment.split("/") if p]:
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                raise UnknownReferenceError(
                    ref if uri else f"{base}#{fragment}", referenced_from=doc.get("$id")
                )
            node = node[part]
        return target, node, f"{base}#{fragment}" if fragment else base

    # -- composition -----------------------------------------------------------------------------

    def _compose(
        self, doc: dict, node: dict, props: dict, required: list, extends: list | None, seen: set
    ) -> None:
        for item in node.get("allOf", ()):
            if "$ref" not in item:
                self._compose(doc, item, props, required, extends, seen)
                continue
            fetched = self._fetch(item["$ref"], doc)
            if fetched is None:
                continue
            target, tnode, key = fetched
            if key in seen:
                continue
            seen.add(key)
            if extends is not None and target is not doc and tnode is target:  # whole resources
                extends.append(target["$id"])
                extends.extend(target.get("meta:extends", []))
            self._compose(target, tnode, props, required, extends, seen)
        if isinstance(node.get("properties"), dict):
            merge_properties(
                props, {name: self._expand(schema, doc) for name, schema in node["properties"].items()}
            )
        for name in node.get("required", ()):
            if name not in required:
                required.append(name)

    def _expand(self, node: Any, doc: dict) -> Any:
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            fetched = self._fetch(node["$ref"], doc)
            if fetched is None:
                return {k: v for k, v in node.items() if k != "$ref"}
            target, tnode, key = fetched
            if key not in self._expanded:
                if key in self._stack:
                    raise SchemaCompositionError(f"recursive $ref {key} (via {' -> '.join(self._stack)})")
                self._stack.append(key)
                try:
                    self._expanded[key] = self._referenced(target, tnode, key)
                finally:
                    self._stack.pop()
            result = copy.deepcopy(self._expanded[key])
            result.update({k: v for k, v in node.items() if k != "$ref"})
            return result
        out = {}
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                out[key] = {name: self._expand(schema, doc) for name, schema in value.items()}
            elif key in ("items", "additionalProperties") and isinstance(value, dict):
                out[key] = self._expand(value, doc)
            elif key in ("oneOf", "anyOf") and isinstance(value, list):
                out[key] = [self._expand(v, doc) for v in value]
            else:
                out[key] = value
        return out

    def _referenced(self, target: dict, tnode: dict, key: str) -> dict:
        if tnode is not target and "allOf" not in tnode:
            expanded = self._expand(tnode, target)
            expanded.setdefault("type", "object" if "properties" in expanded else expanded.get("type"))
            return expanded
        props: dict = {}
        required: list = []
        self._compose(target, tnode, props, required, None, {key})
        result = {k: tnode[k] for k in _REFERENCED_KEEP if k in tnode}
        result.update(
            {"type": "object", "meta:xdmType": "object", "meta:referencedFrom": key, "properties": props}
        )
        if required:
            result["required"] = required
        return result

    # -- entry point -----------------------------------------------------------------------------

    def resolve(self, schema: dict) -> dict:
        sid = schema.get("$id")
        class_id = schema.get("meta:class")
        if schema.get("meta:resourceType") == "classes":
            class_id = sid
        direct: list[dict] = []
        for item in schema.get("allOf", ()):
            fetched = self._fetch(item["$ref"], schema) if "$ref" in item else None
            if fetched is not None and fetched[0] is not schema and fetched[1] is fetched[0]:
                direct.append(fetched[0])  # whole resources only (not `other#/definitions/x` fragments)
        classes = list(dict.fromkeys(d["$id"] for d in direct if d.get("meta:resourceType") == "classes"))
        if schema.get("meta:resourceType") != "classes":
            if class_id is not None and class_id not in classes:
                classes.insert(0, class_id)
            if len(classes) > 1:
                raise SchemaCompositionError(f"schema {sid!r} has more than one class: {classes}")
            class_id = classes[0] if classes else None
        field_groups = [d for d in direct if is_field_group(d)]
        if class_id is None and field_groups and not is_field_group(schema):
            raise SchemaCompositionError(
                f"schema {sid!r} uses field groups but no class (add the class's $ref to allOf)"
            )
        if class_id is not None:
            class_doc = schema if class_id == sid else self._doc(class_id, sid)
            accepted = {class_id, *class_doc.get("meta:extends", [])}
            for group in field_groups:
                intended = group.get("meta:intendedToExtend") or []
                if intended and not accepted.intersection(intended):
                    raise IncompatibleFieldGroupError(group["$id"], class_id, intended)
        for group in field_groups:
            tenant = tenant_id_of(group)
            if tenant is not None:
                check_tenant_field_group(group, tenant)

        props: dict = {}
        required: list = []
        extends: list = []
        root = schema
        if class_id is not None and class_id != sid and not any(d["$id"] == class_id for d in direct):
            root = {**schema, "allOf": [{"$ref": class_id}, *schema.get("allOf", [])]}
        self._compose(schema, root, props, required, extends, {sid} if sid else set())
        resolved = {k: v for k, v in schema.items() if k not in _CONTAINER_KEYS}
        resolved["type"] = "object"
        if class_id is not None:
            resolved["meta:class"] = class_id
        resolved["meta:extends"] = [e for e in dict.fromkeys(extends) if e != sid]
        resolved["meta:xdmType"] = "object"
        resolved["properties"] = props
        resolved["required"] = required
        return resolved
