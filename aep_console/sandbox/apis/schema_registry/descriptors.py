"""Schema Registry descriptors: ``POST /tenant/descriptors``, ``GET|PUT|DELETE /tenant/descriptors/{id}``.

Identity descriptors (``xdm:descriptorIdentity``) are checked as AEP does: the source schema exists in this
sandbox, ``xdm:sourceProperty`` points at a string field of its resolved form, the namespace is known
(standard or custom), ``xdm:property`` is ``xdm:code``/``xdm:id``, and a schema has one primary identity
(a second → 400) and one identity descriptor per field (a second → 409).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from ...http.errors import bad_request, xdm_error
from ..identity import find_namespace
from .resolve import standard_doc, tenant_doc
from .writes import DESCRIPTOR_TYPES, _hex, invalid, not_found, resolve_or_raise

if TYPE_CHECKING:
    from ...http.gateway import RequestContext
    from ...server.state import SandboxServices


def _field_at(resolved: dict, pointer: str) -> dict | None:
    node = resolved
    for tok in pointer.strip("/").split("/"):
        props = node.get("properties") if isinstance(node, dict) else None
        if not isinstance(props, dict) or tok not in props:
            return None
        node = props[tok]
    return node


def _check_descriptor(services, ctx, body: Any, exclude: str | None = None) -> dict:
    if not isinstance(body, dict):
        raise bad_request("xdm", "The request body must be a JSON object")
    dtype = body.get("@type")
    if dtype not in DESCRIPTOR_TYPES:
        raise invalid(
            f"'@type' {dtype!r} is not a known descriptor type; expected one of {sorted(DESCRIPTOR_TYPES)}"
        )
    source = body.get("xdm:sourceSchema")
    if not isinstance(source, str) or not source:
        raise invalid("'xdm:sourceSchema' is required (the $id of a tenant schema)")
    schema = tenant_doc(
        services, ctx.org_id, ctx.sandbox, source, kinds=("schemas", "mixins", "classes", "datatypes")
    )
    if schema is None:
        if standard_doc(source) is not None:
            raise invalid(
                f"xdm:sourceSchema {source} is a global resource; descriptors apply to tenant schemas"
            )
        raise invalid(f"xdm:sourceSchema {source} does not exist in sandbox '{ctx.sandbox}'")
    doc = copy.deepcopy(body)
    doc["xdm:sourceSchema"] = schema["$id"]
    version = doc.setdefault("xdm:sourceVersion", 1)
    if not isinstance(version, int | str) or str(version).split(".")[0] != "1":
        raise invalid(f"xdm:sourceVersion must be 1, found {version!r}")
    prop = doc.get("xdm:sourceProperty")
    if dtype != "xdm:descriptorOneToOne" or prop is not None:
        if not isinstance(prop, str) or not prop.startswith("/"):
            raise invalid(
                "'xdm:sourceProperty' is required: a JSON pointer to a field, like /personalEmail/address"
            )
        resolved = resolve_or_raise(services, ctx, schema)
        field = _field_at(resolved, prop)
        if field is None:
            raise invalid(f"xdm:sourceProperty {prop} does not exist in schema {schema['$id']}")
    if dtype == "xdm:descriptorIdentity":
        if field.get("type") != "string":
            raise xdm_error(
                1524,
                400,
                "Invalid identity descriptor",
                f"An identity field must be of type string; {prop} is {field.get('type')!r}",
            )
        ns = doc.get("xdm:namespace")
        if not isinstance(ns, str | int) or find_namespace(services, ctx.org_id, ctx.sandbox, ns) is None:
            raise xdm_error(
                1524,
                400,
                "Invalid identity descriptor",
                f"xdm:namespace {ns!r} is not a known identity namespace code (see /data/core/idnamespace/identities)",
            )
        doc.setdefault("xdm:property", "xdm:code")
        if doc["xdm:property"] not in ("xdm:code", "xdm:id"):
            raise xdm_error(
                1524,
                400,
                "Invalid identity descriptor",
                f'xdm:property must be "xdm:code" or "xdm:id", found {doc["xdm:property"]!r}',
            )
        primary = doc.setdefault("xdm:isPrimary", False)
        if not isinstance(primary, bool):
            raise xdm_error(1524, 400, "Invalid identity descriptor", "xdm:isPrimary must be true or false")
        for other in services.lookups.identity_descriptors(ctx.org_id, ctx.sandbox, schema["$id"]):
            if other["@id"] == exclude:
                continue
            if other.get("xdm:sourceProperty") == prop:
                raise xdm_error(
                    1525,
                    409,
                    "Descriptor already exists",
                    f"Field {prop} of {schema['$id']} already has identity descriptor {other['@id']}",
                )
            if primary and other.get("xdm:isPrimary"):
                raise xdm_error(
                    1524,
                    400,
                    "Invalid identity descriptor",
                    f"Schema {schema['$id']} already has a primary identity ({other.get('xdm:sourceProperty')}, "
                    f"descriptor {other['@id']}); a schema can have only one primary identity",
                )
    return doc


def create_descriptor(services: SandboxServices, ctx: RequestContext, body: Any) -> dict:
    with services.store.transaction():
        doc = _check_descriptor(services, ctx, body)
        doc.update({"@id": _hex(), "meta:containerId": "tenant", "version": "1", "imsOrg": ctx.org_id})
        services.store.put(
            ctx.org_id, ctx.sandbox, "descriptor", doc["@id"], doc, ref=doc["xdm:sourceSchema"]
        )
    services.lookups.schemas_changed(ctx.org_id, ctx.sandbox)
    return doc


def get_descriptor(services, ctx, did: str) -> dict:
    doc = services.store.get(ctx.org_id, ctx.sandbox, "descriptor", did)
    if doc is None:
        raise not_found(did, "descriptor")
    return doc


def replace_descriptor(services, ctx, did: str, body: Any) -> dict:
    old = get_descriptor(services, ctx, did)
    with services.store.transaction():
        doc = _check_descriptor(services, ctx, body, exclude=did)
        doc.update(
            {
                "@id": did,
                "meta:containerId": "tenant",
                "imsOrg": ctx.org_id,
                "version": str(int(old.get("version", "1")) + 1),
            }
        )
        services.store.put(ctx.org_id, ctx.sandbox, "descriptor", did, doc, ref=doc["xdm:sourceSchema"])
    services.lookups.schemas_changed(ctx.org_id, ctx.sandbox)
    return doc


def delete_descriptor(services, ctx, did: str) -> None:
    get_descriptor(services, ctx, did)
    services.store.delete(ctx.org_id, ctx.sandbox, "descriptor", did)
    services.lookups.schemas_changed(ctx.org_id, ctx.sandbox)
